"""The descriptor of one Keras layer (`LayerSpec`), of a Keras object class (`ObjectSpec`), and
the parameters they are called with (`Param`, `CallParam`).

A descriptor is everything graphdsl knows about a layer, in one place: the Keras class and the
module it comes from, the accepted kind of each constructor argument (the signature itself is
generated from Keras into `_signatures.py`), the call signature (which tensors the layer takes),
the shape, dtype and parameter-count rules, how `graphdsl.testing` draws it, the cases the Keras
tier compares with Keras, and a line of documentation. See the package docstring for the two
forms a descriptor takes (one tensor in, one tensor out; or a call on several tensors).

Descriptors are cheap to declare: the parameters are built from the generated signature on
first use, so a check pays only for the layers its program names.
"""

from __future__ import annotations

from graphdsl.catalog import kinds as K
from graphdsl.catalog.types import REQUIRED, ShapeError, TensorType, fmt_shape

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Iterable, Mapping

    Args = Mapping[str, object]


class Param:
    """One constructor parameter: name, default (or REQUIRED) and accepted kind.

    `keyword_only` marks base-layer keywords (such as ``trainable``) that Keras takes through
    ``**kwargs`` and so can't be given by position.
    """

    __slots__ = ("default", "keyword_only", "kind", "name")

    def __init__(self, name: str, default: object, kind: K.Kind, keyword_only: bool = False):
        self.name = name
        self.default = default
        self.kind = kind
        self.keyword_only = keyword_only

    @property
    def required(self) -> bool:
        """True if the program must give this argument."""
        return self.default is REQUIRED

    def __repr__(self) -> str:
        return f"Param({self.name!r}, {self.default!r}, {self.kind.name!r})"


# ---------------------------------------------------------------- call parameters


class CallKind:
    """What one parameter of a layer's call takes.

    - ``tensor``: one tensor;
    - ``tensors``: a list of `low`..`high` tensors (``initial_state=[h, c]``, Attention's
      ``[query, value, key]``), given as a list, as in Keras;
    - ``constant``: a constant checked by `kind` (``return_attention_scores=True``);
    - ``refused``: a Keras call parameter graphdsl does not take (`reason` says why).
    """

    __slots__ = ("high", "kind", "low", "reason", "what")

    def __init__(self, what: str, low: int = 1, high: int = 1, kind: K.Kind | None = None, reason: str = ""):
        self.what = what
        self.low = low
        self.high = high
        self.kind = kind
        self.reason = reason

    def __repr__(self) -> str:
        if self.what == "tensors":
            return f"Tensors({self.low}, {self.high})"
        return self.what.capitalize() + (f"({self.kind.name!r})" if self.kind else "")


TENSOR = CallKind("tensor")


def Tensors(low: int, high: int | None = None) -> CallKind:  # noqa: N802
    """A list of `low` to `high` tensors (exactly `low` if `high` is None)."""
    return CallKind("tensors", low, low if high is None else high)


def CallConstant(kind: K.Kind) -> CallKind:  # noqa: N802
    """A constant argument of the call, checked by `kind`."""
    return CallKind("constant", kind=kind)


def CallRefused(reason: str) -> CallKind:  # noqa: N802
    """A call parameter graphdsl does not take."""
    return CallKind("refused", reason=reason)


TRAINING = CallRefused("training= is decided by fit (True) and predict (False), not by the program")


class CallParam:
    """One parameter of a layer's call, in Keras's order: name, default (REQUIRED if the call
    needs it) and what it takes. Every call parameter may be given by position or by keyword
    unless `keyword_only`, as in Keras."""

    __slots__ = ("default", "keyword_only", "kind", "name")

    def __init__(self, name: str, default: object, kind: CallKind, keyword_only: bool = False):
        self.name = name
        self.default = default
        self.kind = kind
        self.keyword_only = keyword_only

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def is_tensor(self) -> bool:
        """True for a parameter that takes a tensor or a list of tensors."""
        return self.kind.what in ("tensor", "tensors")

    def __repr__(self) -> str:
        return f"CallParam({self.name!r}, {self.default!r}, {self.kind!r})"


class Example:
    """A case the Keras tier compares with Keras: constructor `args` and either one input type
    `inp` or, for a layer on several tensors, the `call` (call parameter -> TensorType, tuple of
    TensorTypes, or constant). `refuse` marks a deliberate refusal: graphdsl refuses what Keras
    would build, because Keras's kernels would fail or its symbolic shapes are wrong (True: the
    Keras tier checks that one of these is so), or as a rule of graphdsl that its message states
    (``"policy"``: e.g. floats are not ids, a batch axis must not disappear).

    An accepted case also runs on data, for inference and for training; `runs` lists the modes
    that must succeed with the shapes checked (fewer only where the case's own data decides:
    a Reshape of a `?` axis, or Keras's RandomCrop, which does not crop at inference)."""

    __slots__ = ("args", "call", "inp", "refuse", "runs")

    def __init__(self, args: Args, inp: TensorType | None = None, call: Mapping[str, object] | None = None,
                 refuse: bool = False, runs: tuple[str, ...] = ("inference", "training")):
        self.args = dict(args)
        self.inp = inp
        self.call = dict(call) if call is not None else None
        self.refuse = refuse
        self.runs = runs


# Base-layer keywords Keras takes through **kwargs; they change no shape, dtype or count.
_BASE_KEYWORDS = (Param("trainable", True, K.Bool, keyword_only=True),)
_DEFAULT_CALL = (("inputs",),)


class LayerSpec:
    """The descriptor of one supported Keras layer.

    Declared with keywords (see the package docstring): ``name`` (the Keras class), ``family``,
    ``doc``, ``module`` (default ``keras.layers``), ``kinds`` (constructor argument -> Kind, for
    arguments the shared kinds do not cover), ``call`` (call parameter -> CallKind, for a layer on
    several tensors), the rules (``shape``/``dtype``/``count`` for one tensor, or
    ``outputs``/``count`` for a call), ``draw`` (for `graphdsl.testing`), ``examples`` (a
    function returning the `Example` cases), ``activation`` (the activation the layer ends
    with, for the loss-suits-output check), ``weight_ranks`` (``(spec, args, inp) -> {weight:
    axes}``: the number of axes of each weight an ``<weight>_initializer`` / ``_regularizer`` /
    ``_constraint`` argument applies to, where it differs from `DEFAULT_WEIGHT_RANKS`),
    ``weights`` (``(spec, args, params) -> (trainable parameters, bytes)`` of the built layer with
    `params` parameters, for the memory budget, where not all are trainable float32: a
    BatchNormalization's moving statistics, a Normalization's int64 count), ``inference`` (a
    shape rule for prediction, where Keras's layer makes another shape than while training:
    RandomCrop crops only while training) and ``advice`` (``(spec, args) -> (message, help)`` or
    None: valid arguments that look like a mistake, such as an Embedding's swapped dimensions;
    check warns, GD0129).
    """

    def __init__(
        self,
        name: str,
        *,
        family: str,
        doc: str,
        module: str = "keras.layers",
        kinds: dict[str, K.Kind] | None = None,
        shape: Callable | None = None,
        dtype: Callable | None = None,
        count: Callable | None = None,
        call: dict[str, CallKind] | None = None,
        outputs: Callable | None = None,
        draw: Callable | None = None,
        examples: Callable[[], Iterable[Example]] | None = None,
        activation: Callable[[Args], str | None] | None = None,
        weight_ranks: Callable[[LayerSpec, Args, TensorType], Mapping[str, int]] | None = None,
        weights: Callable[[LayerSpec, Args, int], tuple[int, int]] | None = None,
        inference: Callable | None = None,
        advice: Callable[[LayerSpec, Args], tuple[str, str] | None] | None = None,
    ):
        if outputs is None and (shape is None or dtype is None or count is None):
            raise TypeError(f"{name}: give shape, dtype and count rules, or an outputs rule")
        self.name = name
        self.family = family
        self.doc = doc
        self.module = module
        self.kinds = kinds or {}
        self.shape_rule = shape
        self.dtype_rule = dtype
        self.count_rule = count
        self.call_kinds = call or {}
        self.outputs_rule = outputs
        self.draw = draw
        self.examples = examples or (lambda: ())
        self.activation = activation
        self.weight_ranks = weight_ranks
        self.weights_rule = weights
        self.inference_rule = inference
        self.advice_rule = advice
        self._params: tuple[Param, ...] | None = None
        self._by_name: dict[str, Param] = {}
        self._call: tuple[CallParam, ...] | None = None

    def __repr__(self) -> str:
        return f"LayerSpec({self.name!r})"

    # ---- constructor

    @property
    def params(self) -> tuple[Param, ...]:
        """Constructor parameters in Keras's order (generated), each with its kind, then the
        base-layer keywords."""
        if self._params is None:
            from graphdsl.catalog import _signatures as sig  # noqa: PLC0415

            out = []
            for entry in sig.LAYER_SIGNATURES[self.name]:
                pname = entry[0]
                kind = K.kind_for(self.kinds, pname)
                if kind is None:
                    raise RuntimeError(f"catalog: no kind for {self.name}.{pname}; add one to its descriptor")
                out.append(Param(pname, entry[1] if len(entry) == 2 else REQUIRED, kind))
            self._params = tuple(out) + _BASE_KEYWORDS
            self._by_name = {p.name: p for p in self._params}
        return self._params

    def param(self, name: str) -> Param | None:
        """The constructor parameter called `name`, or None."""
        if self._params is None:
            self.params  # noqa: B018 - builds them
        return self._by_name.get(name)

    def arg(self, args: Args, name: str) -> object:
        """The value the program gave for `name`, else its default."""
        if name in args:
            return args[name]
        p = self.param(name)
        if p is None:
            raise KeyError(f"{self.name} has no parameter {name!r}")
        return p.default

    def keras_kwargs(self, args: Args) -> dict:
        """Keyword arguments for the Keras constructor: exactly what the program wrote.

        Tuples stay tuples, a LayerValue or ObjectValue stays one; lowering converts them.
        """
        return {p.name: args[p.name] for p in self.params if p.name in args}

    # ---- call

    @property
    def call_params(self) -> tuple[CallParam, ...]:
        """The call's parameters in Keras's order (generated from ``call``'s signature), each with
        what it takes. A layer on one tensor takes its first parameter (a tensor) and nothing else."""
        if self._call is None:
            from graphdsl.catalog import _signatures as sig  # noqa: PLC0415

            out = []
            for i, entry in enumerate(sig.CALL_SIGNATURES.get(self.name, _DEFAULT_CALL)):
                pname = entry[0]
                kind = self.call_kinds.get(pname)
                if kind is None:
                    if i == 0:
                        kind = TENSOR
                    elif pname == "training":
                        kind = TRAINING
                    else:
                        kind = CallRefused(f"{self.name}(...)({pname}=...) {K.NOT_IN_GRAPHDSL}")
                default = entry[1] if len(entry) >= 2 else REQUIRED
                out.append(CallParam(pname, default, kind, keyword_only=len(entry) == 3))
            self._call = tuple(out)
        return self._call

    @property
    def tensor_param(self) -> CallParam:
        """The call parameter a chain's tensor fills (the first one)."""
        return self.call_params[0]

    @property
    def several(self) -> bool:
        """True for a layer described by a call rule (several tensors in or out)."""
        return self.outputs_rule is not None

    def call_arg(self, call: Mapping[str, object], name: str) -> object:
        """The value of call parameter `name`: given, else its default (None for a tensor)."""
        if name in call:
            return call[name]
        for p in self.call_params:
            if p.name == name:
                return None if p.default is REQUIRED else p.default
        raise KeyError(f"{self.name} has no call parameter {name!r}")

    def _check_call(self, call: Mapping[str, object]) -> None:
        """What the call gives fits the call signature (the language binds it; this guards the rules)."""
        names = {p.name: p for p in self.call_params}
        for name, value in call.items():
            p = names.get(name)
            if p is None:
                raise ShapeError(f"{self.name} takes no call argument {name!r}", call_arg=name)
            if value is None and not p.required:
                continue  # given as None: the same as not given
            what = p.kind.what
            if what == "refused":
                raise ShapeError(p.kind.reason, call_arg=name)
            if what == "tensor" and not isinstance(value, TensorType):
                raise ShapeError(f"{self.name}: {name} is a tensor", call_arg=name)
            if what == "tensors":
                if not (isinstance(value, tuple) and all(isinstance(t, TensorType) for t in value)):
                    raise ShapeError(f"{self.name}: {name} is a list of tensors", call_arg=name)
                if not p.kind.low <= len(value) <= p.kind.high:
                    want = str(p.kind.low) if p.kind.low == p.kind.high else f"{p.kind.low} to {p.kind.high}"
                    raise ShapeError(f"{self.name}: {name} is a list of {want} tensors, got {len(value)}",
                                     call_arg=name)
            if what == "constant":
                message = p.kind.kind.check(value) if p.kind.kind is not None else None
                if message is not None:
                    raise ShapeError(f"{self.name}(...)({name}=...): {message}", call_arg=name)
        for p in self.call_params:
            if p.required and call.get(p.name) is None:
                raise ShapeError(f"{self.name} needs its call argument {p.name!r}", call_arg=p.name)

    def outputs(self, args: Args, call: Mapping[str, object]) -> tuple[TensorType, ...]:
        """The types of the layer's outputs for a call: `call` maps call parameters to a
        TensorType, a tuple of TensorTypes or a constant. Raises ShapeError if it can't take them."""
        self._check_call(call)
        inp = call[self.tensor_param.name]
        outs = tuple(self.outputs_rule(self, args, call)) if self.outputs_rule is not None else (
            self._single(args, inp),)
        self._check_objects(args, inp, outs[0])
        return outs

    def _single(self, args: Args, inp: TensorType) -> TensorType:
        """One tensor in, one out: the dtype and shape rules, then what its activation can take."""
        dtype = self.dtype_rule(self, args, inp)
        out = TensorType(tuple(self.shape_rule(self, args, inp)), dtype)
        activation = self.activation(args) if self.activation is not None else None
        if activation is not None and out.rank + 1 > _SOFTMAX_AXES and _is_softmax(activation):
            raise ShapeError(f"{self.name} ends in a softmax over {fmt_shape(out)}, but TensorFlow's softmax takes "
                             f"at most {_SOFTMAX_AXES} axes, the batch's included (it fails when the model trains)")
        return out

    def count(self, args: Args, call: Mapping[str, object]) -> int:
        """Number of weights (trainable and not) once built by `call`, as Keras's count_params()."""
        if self.outputs_rule is not None:
            return self.count_rule(self, args, call)
        return self.count_rule(self, args, call[self.tensor_param.name])

    def _check_objects(self, args: Args, inp: object, out: TensorType) -> None:
        """Initializers, regularizers and constraints that work on weights of some ranks only
        (identity, orthogonal, a constraint's axis) against the weights they are given for."""
        if not any(isinstance(k, str) and k.endswith(_OBJECT_SUFFIXES) for k in args):
            return
        from graphdsl.catalog.objects import rank_problem  # noqa: PLC0415

        ranks = dict(DEFAULT_WEIGHT_RANKS)
        if self.weight_ranks is not None:
            ranks.update(self.weight_ranks(self, args, inp))
        for name, value in args.items():
            family = next((f for suffix, f in _SUFFIX_FAMILIES if name.endswith(suffix)), None)
            if family is None or value is None:
                continue
            weight = name[: name.rindex("_")]
            if weight == "bias" and args.get("use_bias") is False:
                continue  # no bias is made
            rank = out.rank + 1 if weight == "activity" else ranks.get(weight, 1)
            what = f"its output {fmt_shape(out)}" if weight == "activity" else f"{self.name}'s {weight}"
            problem = rank_problem(family, value, rank, what)
            if problem is not None:
                raise ShapeError(f"{self.name}({name}=...): {problem}", name)

    def advice(self, args: Args) -> tuple[str, str] | None:
        """(message, help) when valid arguments look like a mistake (GD0129), else None."""
        return self.advice_rule(self, args) if self.advice_rule is not None else None

    def weights(self, args: Args, params: int) -> tuple[int, int]:
        """(trainable parameters, bytes of all the weights) of the layer built with `params`
        parameters: by default every one a trainable float32; none trainable with trainable=False."""
        trainable, nbytes = (params, 4 * params) if self.weights_rule is None else self.weights_rule(self, args, params)
        return (0 if args.get("trainable") is False else trainable), nbytes

    # ---- one tensor in, one tensor out (a chain step)

    def infer(self, args: Args, inp: TensorType) -> TensorType:
        """The output type for input `inp` (a chain step); raises ShapeError if the layer can't
        take it, or if it needs more tensors or returns several."""
        if self.outputs_rule is None:
            out = self._single(args, inp)
            self._check_objects(args, inp, out)
            return out
        outs = self.step_outputs(args, inp)
        if len(outs) != 1:
            raise ShapeError(
                f"{self.name} returns {len(outs)} tensors here "
                f"({', '.join(fmt_shape(t) for t in outs)}); a chain step must return one"
            )
        return outs[0]

    def step_outputs(self, args: Args, inp: TensorType) -> tuple[TensorType, ...]:
        """The types of all the outputs for input `inp` as a chain step (the last step of a chain
        that is unpacked may have several: ``seq, h, c = x -> LSTM(8, return_sequences=True,
        return_state=True)``); raises ShapeError if the layer can't take it or needs more tensors."""
        if self.outputs_rule is None:
            return (self.infer(args, inp),)
        first = self.tensor_param
        if first.kind.what == "tensors":
            n = first.kind.low if first.kind.low == first.kind.high else f"{first.kind.low} or {first.kind.high}"
            raise ShapeError(f"{self.name} takes its {n} tensors as one list, not one tensor from a chain: "
                             f"{self.name}(...)([a, b])")
        missing = [p.name for p in self.call_params[1:] if p.required]
        if missing:
            names = ", ".join([first.name, *missing])
            raise ShapeError(f"{self.name} takes {1 + len(missing)} tensors ({names}), not one tensor from a "
                             f"chain: {self.name}(...)({names})")
        return self.outputs(args, {first.name: inp})

    def infer_at_inference(self, args: Args, inp: TensorType) -> TensorType:
        """The output type when predicting (`infer`'s, unless the layer's `inference` rule differs)."""
        if self.inference_rule is None:
            return self.infer(args, inp)
        self.infer(args, inp)  # what training refuses, prediction refuses too
        return TensorType(tuple(self.inference_rule(self, args, inp)), self.dtype_rule(self, args, inp))

    def count_params(self, args: Args, inp: TensorType) -> int:
        """Number of weights once built on `inp` (a chain step)."""
        if self.outputs_rule is None:
            return self.count_rule(self, args, inp)
        return self.count(args, {self.tensor_param.name: inp})


_SOFTMAX_AXES = 5  # TensorFlow's softmax kernel (oneDNN's, on x86) refuses tensors of more axes


def _is_softmax(activation: str) -> bool:
    from graphdsl.catalog.names import ACTIVATIONS  # noqa: PLC0415

    return (ACTIVATIONS.canonical(activation) or activation) == "softmax"


DEFAULT_WEIGHT_RANKS = {"kernel": 2, "recurrent": 2, "embeddings": 2}
"""Axes of the weight an ``<weight>_initializer`` (regularizer, constraint) applies to, unless a
descriptor's ``weight_ranks`` says otherwise; any other weight (bias, beta, gamma, ...) has one.
``activity`` is the layer's output, batch axis included."""
_SUFFIX_FAMILIES = (("_initializer", "initializer"), ("_regularizer", "regularizer"), ("_constraint", "constraint"))
_OBJECT_SUFFIXES = tuple(suffix for suffix, _ in _SUFFIX_FAMILIES)


class ObjectSpec:
    """A Keras initializer, regularizer or constraint class that a program may call with
    arguments: ``VarianceScaling(scale=2.0, mode="fan_out")``. Its signature is generated from
    Keras; `kinds` says what each argument accepts."""

    def __init__(self, name: str, family: str, module: str, kinds: dict[str, K.Kind]):
        self.name = name
        self.family = family
        self.module = module
        self.kinds = kinds
        self._params: tuple[Param, ...] | None = None

    def __repr__(self) -> str:
        return f"ObjectSpec({self.family!r}, {self.name!r})"

    @property
    def params(self) -> tuple[Param, ...]:
        if self._params is None:
            from graphdsl.catalog import _signatures as sig  # noqa: PLC0415

            out = []
            for entry in sig.OBJECT_SIGNATURES[self.family][self.name]:
                kind = self.kinds.get(entry[0]) or K.COMMON.get(entry[0])
                if kind is None:
                    raise RuntimeError(f"catalog: no kind for {self.family} {self.name}.{entry[0]}")
                out.append(Param(entry[0], entry[1] if len(entry) == 2 else REQUIRED, kind))
            self._params = tuple(out)
        return self._params

    def param(self, name: str) -> Param | None:
        for p in self.params:
            if p.name == name:
                return p
        return None

    def keras_kwargs(self, args: Args) -> dict:
        """Keyword arguments for the Keras constructor: what the program wrote, an integer where
        Keras's default is a float given as that float (``OrthogonalRegularizer(factor=1)`` keeps
        an int32 tensor Keras then cannot multiply by 0.5)."""
        return {p.name: float(args[p.name]) if type(args[p.name]) is int and type(p.default) is float
                else args[p.name] for p in self.params if p.name in args}
