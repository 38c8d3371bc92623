"""Kinds: what an argument accepts. One checker per kind of value, and the kinds shared by name.

A `Kind` checks one evaluated value and returns None (accepted) or a message such as
``expected a positive integer, got -3`` (with "; did you mean ..." where one helps). A descriptor
gives the kinds of its own constructor arguments; arguments many layers share (``activation``,
``use_bias``, ``kernel_initializer``, ...) take theirs from `COMMON` / `kind_for`, so a layer
states only what is particular to it.

Kinds whose values may be written as calls say which family of calls they take (`Kind.family`):
``Bidirectional(LSTM(8))`` (a layer), ``kernel_regularizer=L2(1e-4)`` (a regularizer object).
"""

from __future__ import annotations

from graphdsl.catalog.types import LayerValue, ObjectValue, fmt_value
from graphdsl.suggest import suggest

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Sequence


class Kind:
    """An accepted-type checker for one argument; `name` is in human words.

    `family` is the kind of call a value may be written as: ``"layer"``, ``"initializer"``,
    ``"regularizer"``, ``"constraint"``, or None (constants only).
    """

    __slots__ = ("_check", "choices", "family", "name")

    def __init__(self, name: str, check: Callable[[object], str | None] | None = None, family: str | None = None):
        self.name = name
        self._check = check
        self.family = family
        self.choices: tuple[str, ...] | None = None  # a Choice's strings (for generators and completion)

    def check(self, value: object) -> str | None:
        """None if `value` is acceptable, else a message such as "expected a positive integer, got -3"."""
        if self._check is not None:
            return self._check(value)
        return None

    def expected(self, value: object) -> str:
        """The standard refusal message for `value`."""
        return f"expected {self.name}, got {fmt_value(value)}"

    def __repr__(self) -> str:
        return f"Kind({self.name!r})"


def is_int(v: object) -> bool:
    """An integer that is not a bool."""
    return isinstance(v, int) and not isinstance(v, bool)


def is_num(v: object) -> bool:
    """An int or float that is not a bool."""
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def predicate(name: str, ok: Callable[[object], bool]) -> Kind:
    """A kind that accepts the values satisfying `ok`."""
    k = Kind(name)
    k._check = lambda v: None if ok(v) else k.expected(v)
    return k


PosInt = predicate("a positive integer", lambda v: is_int(v) and v >= 1)
NonNegInt = predicate("a non-negative integer", lambda v: is_int(v) and v >= 0)
Int = predicate("an integer", is_int)
Number = predicate("a number", is_num)
NonNegNumber = predicate("a non-negative number", lambda v: is_num(v) and v >= 0)
PosNumber = predicate("a positive number", lambda v: is_num(v) and v > 0)
Rate = predicate("a rate in [0, 1)", lambda v: is_num(v) and 0 <= v < 1)
Bool = predicate("True or False", lambda v: isinstance(v, bool))
Axis = predicate("an axis (an integer)", is_int)
Axes = predicate(
    "an axis or a tuple of axes",
    lambda v: is_int(v) or (isinstance(v, tuple) and len(v) > 0 and all(is_int(a) for a in v)),
)
Numbers = predicate(
    "a number or a list of numbers",
    lambda v: is_num(v) or (isinstance(v, tuple) and len(v) > 0 and all(is_num(x) for x in v)),
)


def Choice(*choices: str) -> Kind:  # noqa: N802 - reads like the kind it makes
    """One of the given strings."""
    words = ", ".join(fmt_value(c) for c in choices)
    k = Kind(f"one of {words}")

    def check(v: object) -> str | None:
        if isinstance(v, str) and v in choices:
            return None
        msg = k.expected(v)
        hint = suggest(v, choices) if isinstance(v, str) else None
        return f"{msg}; did you mean {fmt_value(hint)}?" if hint else msg

    k._check = check
    k.choices = tuple(choices)
    return k


def Const(value: object, reason: str) -> Kind:  # noqa: N802
    """Only `value` (the Keras default) is accepted; anything else is refused with `reason`."""
    return Kind(f"{fmt_value(value)} only", lambda v: None if v == value and type(v) is type(value) else reason)


def Refused(reason: str) -> Kind:  # noqa: N802
    """A Keras parameter graphdsl does not support; any value is refused with `reason`."""
    return Kind("not supported", lambda v: reason)


def Optional(kind: Kind) -> Kind:  # noqa: N802
    """`kind` or None."""
    return Kind(f"{kind.name} or None", lambda v: None if v is None else kind.check(v), kind.family)


def IntOrTuple(n: int, minimum: int = 1) -> Kind:  # noqa: N802
    """An integer >= `minimum`, or an `n`-tuple of such integers."""
    what = "a positive integer" if minimum == 1 else (
        "a non-negative integer" if minimum == 0 else f"an integer >= {minimum}")
    name = what if n == 1 else f"{what} or a tuple of {n} such integers"

    def ok(v: object) -> bool:
        if is_int(v):
            return v >= minimum
        if isinstance(v, tuple) and len(v) == n:
            return all(is_int(x) and x >= minimum for x in v)
        return False

    return predicate(name, ok)


def _pair_ok(v: object) -> bool:
    return isinstance(v, tuple) and len(v) == 2 and all(is_int(x) and x >= 0 for x in v)


def Padding(n: int) -> Kind:  # noqa: N802
    """Padding or cropping of `n` spatial axes: an integer, one integer per axis, or a
    (before, after) pair per axis (for one axis, the pair itself)."""
    if n == 1:
        return predicate("a non-negative integer or a (left, right) pair",
                         lambda v: (is_int(v) and v >= 0) or _pair_ok(v))
    axes = {2: "(rows, cols)", 3: "(dim1, dim2, dim3)"}[n]
    pairs = {2: "((top, bottom), (left, right))", 3: "three (before, after) pairs"}[n]
    return predicate(
        f"a non-negative integer, a {axes} tuple, or {pairs}",
        lambda v: (is_int(v) and v >= 0)
        or (isinstance(v, tuple) and len(v) == n
            and (all(is_int(x) and x >= 0 for x in v) or all(_pair_ok(p) for p in v))),
    )


def _shape_tuple_ok(v: object) -> bool:
    if not isinstance(v, tuple) or not v:
        return False
    if not all(is_int(d) and (d >= 1 or d == -1) for d in v):
        return False
    return sum(1 for d in v if d == -1) <= 1


ShapeTuple = predicate("a tuple of positive sizes (at most one -1)", _shape_tuple_ok)
Permutation = predicate(
    "a permutation of 1..n, e.g. (2, 1)",
    lambda v: isinstance(v, tuple) and bool(v) and all(is_int(d) for d in v)
    and sorted(v) == list(range(1, len(v) + 1)),
)
NoiseShape = predicate(
    "a tuple of sizes or None, one per axis with the batch axis first, e.g. (None, 1, 1, 64)",
    lambda v: isinstance(v, tuple) and len(v) >= 1 and all(d is None or (is_int(d) and d >= 1) for d in v),
)
Seed = Optional(NonNegInt)


def LayerKind(allowed: Sequence[str] | None = None) -> Kind:  # noqa: N802
    """A layer given as an argument; `allowed` restricts its class."""
    words = "a layer" if allowed is None else "a " + "/".join(allowed) + " layer"
    k = Kind(words, family="layer")

    def check(v: object) -> str | None:
        if not isinstance(v, LayerValue):
            return k.expected(v)
        if allowed is not None and v.spec.name not in allowed:
            return f"expected {words}, got {v.spec.name}"
        return None

    k._check = check
    return k


def _object_kind(family: str, optional: bool) -> Kind:
    """A Keras initializer/regularizer/constraint: by name (``"he_normal"``) or by class
    (``HeNormal(seed=1)``)."""
    article = "an" if family[0] in "aeiou" else "a"
    k = Kind(f"{article} {family} name or class" + (" or None" if optional else ""), family=family)

    def check(v: object) -> str | None:
        if v is None and optional:
            return None
        if isinstance(v, ObjectValue):
            if v.spec.family == family:
                return None
            return f"expected {article} {family}, got the {v.spec.family} {v.spec.name}"
        if isinstance(v, str):
            from graphdsl.catalog import names  # noqa: PLC0415 - registries are built on first use

            registry = names.registry(family)
            if v in registry:
                if family == "initializer" and registry.canonical(v) == "constant":
                    # Keras cannot make it from its name (Constant.from_config wants a value)
                    return (f'the initializer {fmt_value(v)} needs its value, which a name cannot give: write '
                            'Constant(value), e.g. Constant(0.5), or "zeros"')
                return None
            hint = registry.suggest(v)
            msg = f"unknown {family} {fmt_value(v)}"
            return f"{msg}; did you mean {fmt_value(hint)}?" if hint else msg
        return k.expected(v)

    k._check = check
    return k


# Activations Keras lists that a model cannot use by name (Keras fails when data flows, or builds
# a model whose declared shapes are not its real ones).
_UNUSABLE_ACTIVATIONS = {
    # keras.activations.threshold(x, threshold, default_value): a name cannot give them
    "threshold": ('the activation "threshold" needs its threshold and default_value, which a name cannot give '
                  '(Keras fails when data flows); use ReLU(threshold=...) for a thresholded ReLU'),
    # glu halves the last axis, but every Keras layer declares its own output shape for it: the
    # layers after it are built for twice the size it makes, and fail when data flows
    "glu": ('the activation "glu" halves the last axis, but Keras layers declare the unhalved shape for it, so '
            'the layers after it are built for the wrong size (Keras fails when data flows); graphdsl cannot '
            'use it'),
}


def _activation_check(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, str):
        from graphdsl.catalog import names  # noqa: PLC0415

        if v in names.ACTIVATIONS:
            return _UNUSABLE_ACTIVATIONS.get(names.ACTIVATIONS.canonical(v))
        hint = names.ACTIVATIONS.suggest(v)
        msg = f"unknown activation {fmt_value(v)}"
        return f"{msg}; did you mean {fmt_value(hint)}?" if hint else msg
    return Activation.expected(v)


Activation = Kind("an activation name or None", _activation_check)


Initializer = _object_kind("initializer", optional=False)
Regularizer = _object_kind("regularizer", optional=True)
Constraint = _object_kind("constraint", optional=True)
Layer = LayerKind()
"""Any supported layer given as an argument (e.g. TimeDistributed's ``layer``)."""

NOT_IN_GRAPHDSL = "is not supported by graphdsl"
CHANNELS_LAST = Optional(Choice("channels_last"))  # channels_first: TensorFlow on CPU can't run it

# By parameter name, for every layer that has it; a descriptor's own kinds win.
COMMON: dict[str, Kind] = {
    "units": PosInt,
    "filters": PosInt,
    "activation": Activation,
    "recurrent_activation": Activation,
    "use_bias": Bool,
    "groups": PosInt,
    "data_format": CHANNELS_LAST,
    "mask_zero": Bool,
    "keepdims": Bool,
    "dropout": Rate,
    "recurrent_dropout": Rate,
    "seed": Seed,
    "rate": Rate,
    "momentum": Number,
    "epsilon": PosNumber,
    "center": Bool,
    "scale": Bool,
    "axis": Axis,
    "trainable": Bool,
    # the recurrent layers'
    "unit_forget_bias": Bool,
    "return_sequences": Bool,
    "return_state": Bool,
    "go_backwards": Bool,
    "unroll": Bool,
    "reset_after": Bool,
    "use_cudnn": Choice("auto"),
    "stateful": Const(False, "stateful=True needs a fixed batch size, which graphdsl does not declare"),
    # Parameters that take Python objects or change what the layer is.
    "weights": Refused(f"weights= {NOT_IN_GRAPHDSL}: weights are loaded after building"),
    "lora_rank": Refused(f"lora_rank= {NOT_IN_GRAPHDSL}"),
    "lora_alpha": Refused(f"lora_alpha= {NOT_IN_GRAPHDSL}"),
    "quantization_config": Refused(f"quantization_config= {NOT_IN_GRAPHDSL}"),
    "dtype": Refused(f"dtype= {NOT_IN_GRAPHDSL}: declare the input's dtype instead"),
}
_SUFFIXES = (("_initializer", Initializer), ("_regularizer", Regularizer), ("_constraint", Constraint))


def kind_for(own: dict[str, Kind] | None, param: str) -> Kind | None:
    """The kind of constructor argument `param`: the descriptor's `own` kinds, else the shared
    kinds by name (``*_initializer``, ``*_regularizer``, ``*_constraint`` by suffix); None if
    neither says (a catalog bug, caught by the tests)."""
    if own and param in own:
        return own[param]
    kind = COMMON.get(param)
    if kind is not None:
        return kind
    for suffix, k in _SUFFIXES:
        if param.endswith(suffix):
            return k
    return None
