"""Core types of the catalog: tensor types, parameter kinds, layer and merge specs.

Nothing here imports Keras: `graphdsl check` must answer in a tenth of a second.
Values handed to kinds and rules are already-evaluated program constants — int,
float, str, bool, None, tuples (lists arrive as tuples) — or a `LayerValue`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import field
from typing import Any

from graphdsl.records import Record, record
from graphdsl.suggest import suggest

DTYPES = ("float16", "bfloat16", "float32", "float64", "int32", "int64", "uint8", "bool")
FLOAT_DTYPES = frozenset({"float16", "bfloat16", "float32", "float64"})
INT_DTYPES = frozenset({"int32", "int64", "uint8"})


@record
class TensorType(Record):
    """The static type of a tensor: shape WITHOUT the batch axis (None = unknown) and dtype."""

    shape: tuple[int | None, ...]
    dtype: str

    def __str__(self) -> str:
        dims = ", ".join("?" if d is None else str(d) for d in self.shape)
        return f"{self.dtype}[{dims}]"

    def keras_shape(self) -> tuple:
        """The shape as Keras prints it, with the batch axis first."""
        return (None, *self.shape)

    @property
    def rank(self) -> int:
        """Number of axes, batch excluded."""
        return len(self.shape)


def fmt_shape(t: TensorType | tuple) -> str:
    """Keras-style shape with the batch axis, e.g. ``(None, 98, 128)``; use in messages."""
    shape = t.keras_shape() if isinstance(t, TensorType) else (None, *t)
    if len(shape) == 1:
        return "(None,)"
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


class ShapeError(Exception):
    """A shape or dtype rule cannot take its input; `arg` names the argument to blame, if any."""

    def __init__(self, message: str, arg: str | None = None):
        super().__init__(message)
        self.message = message
        self.arg = arg


class _Required:
    """Sentinel type: the parameter has no default."""

    _instance: _Required | None = None

    def __new__(cls) -> _Required:  # noqa: PYI034 - a singleton, never subclassed
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "REQUIRED"

    def __reduce__(self):
        return (_Required, ())


REQUIRED: Any = _Required()


def fmt_value(value: object) -> str:
    """A constant as the language spells it (strings double-quoted)."""
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, tuple):
        inner = ", ".join(fmt_value(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, LayerValue):
        return f"{value.spec.name}(...)"
    return repr(value)


@record
class Kind(Record):
    """An accepted-type checker for one parameter; `name` is in human words."""

    name: str
    _check: Callable[[object], str | None] | None = field(default=None, compare=False, repr=False)

    def check(self, value: object) -> str | None:
        """None if `value` is acceptable, else a message such as "expected a positive integer, got -3"."""
        if self._check is not None:
            return self._check(value)
        return None

    def expected(self, value: object) -> str:
        """The standard refusal message for `value`."""
        return f"expected {self.name}, got {fmt_value(value)}"


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def predicate(name: str, ok: Callable[[object], bool]) -> Kind:
    """A kind that accepts the values satisfying `ok`."""
    k: Kind

    def check(v: object) -> str | None:
        return None if ok(v) else k.expected(v)

    k = Kind(name, check)
    return k


PosInt = predicate("a positive integer", lambda v: _is_int(v) and v >= 1)
NonNegInt = predicate("a non-negative integer", lambda v: _is_int(v) and v >= 0)
Int = predicate("an integer", _is_int)
Number = predicate("a number", _is_num)
NonNegNumber = predicate("a non-negative number", lambda v: _is_num(v) and v >= 0)
PosNumber = predicate("a positive number", lambda v: _is_num(v) and v > 0)
Rate = predicate("a rate in [0, 1)", lambda v: _is_num(v) and 0 <= v < 1)
Bool = predicate("True or False", lambda v: isinstance(v, bool))
Axis = predicate("an axis (an integer)", _is_int)
Axes = predicate(
    "an axis or a tuple of axes",
    lambda v: _is_int(v) or (isinstance(v, tuple) and len(v) > 0 and all(_is_int(a) for a in v)),
)


def Choice(*choices: str) -> Kind:
    """One of the given strings."""
    words = ", ".join(fmt_value(c) for c in choices)
    k: Kind

    def check(v: object) -> str | None:
        if isinstance(v, str) and v in choices:
            return None
        msg = k.expected(v)
        hint = suggest(v, choices) if isinstance(v, str) else None
        return f"{msg}; did you mean {fmt_value(hint)}?" if hint else msg

    k = Kind(f"one of {words}", check)
    return k


def Const(value: object, reason: str) -> Kind:
    """Only `value` (the Keras default) is accepted; anything else is refused with `reason`."""
    return Kind(f"{fmt_value(value)} only", lambda v: None if v == value and type(v) is type(value) else reason)


def Refused(reason: str) -> Kind:
    """A Keras parameter graphdsl does not support; any value is refused with `reason`."""
    return Kind("not supported", lambda v: reason)


def Optional(kind: Kind) -> Kind:
    """`kind` or None."""
    return Kind(f"{kind.name} or None", lambda v: None if v is None else kind.check(v))


def IntOrTuple(n: int, minimum: int = 1) -> Kind:
    """An integer >= `minimum`, or an `n`-tuple of such integers."""
    what = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
    name = what if n == 1 else f"{what} or a tuple of {n} such integers"

    def ok(v: object) -> bool:
        if _is_int(v):
            return v >= minimum
        if n > 1 and isinstance(v, tuple) and len(v) == n:
            return all(_is_int(x) and x >= minimum for x in v)
        if n == 1 and isinstance(v, tuple) and len(v) == 1:
            return _is_int(v[0]) and v[0] >= minimum
        return False

    return predicate(name, ok)


def _registry_kind(what: str, names: Callable[[], frozenset[str]], optional: bool) -> Kind:
    k: Kind

    def check(v: object) -> str | None:
        if v is None and optional:
            return None
        if isinstance(v, str):
            pool = names()
            if v in pool:
                return None
            hint = suggest(v, pool)
            msg = f"unknown {what} {fmt_value(v)}"
            return f"{msg}; did you mean {fmt_value(hint)}?" if hint else msg
        return k.expected(v)

    k = Kind(f"{'an' if what[0] in 'aeiou' else 'a'} {what} name" + (" or None" if optional else ""), check)
    return k


def _names(attr: str) -> Callable[[], frozenset[str]]:
    def get() -> frozenset[str]:
        from graphdsl.catalog import names

        return getattr(names, attr).names

    return get


Activation = _registry_kind("activation", _names("ACTIVATIONS"), optional=True)
Initializer = _registry_kind("initializer", _names("INITIALIZERS"), optional=False)
Regularizer = _registry_kind("regularizer", _names("REGULARIZERS"), optional=True)
Constraint = _registry_kind("constraint", _names("CONSTRAINTS"), optional=True)


def _shape_tuple_ok(v: object) -> bool:
    if not isinstance(v, tuple) or not v:
        return False
    if not all(_is_int(d) and (d >= 1 or d == -1) for d in v):
        return False
    return sum(1 for d in v if d == -1) <= 1


ShapeTuple = predicate("a tuple of positive sizes (at most one -1)", _shape_tuple_ok)
Permutation = predicate(
    "a permutation of 1..n, e.g. (2, 1)",
    lambda v: isinstance(v, tuple) and bool(v) and all(_is_int(d) for d in v)
    and sorted(v) == list(range(1, len(v) + 1)),
)


def LayerKind(allowed: Sequence[str] | None = None) -> Kind:
    """A layer given as an argument; `allowed` restricts its class."""
    words = "a layer" if allowed is None else "a " + "/".join(allowed) + " layer"
    k: Kind

    def check(v: object) -> str | None:
        if not isinstance(v, LayerValue):
            return k.expected(v)
        if allowed is not None and v.spec.name not in allowed:
            return f"expected {words}, got {v.spec.name}"
        return None

    k = Kind(words, check)
    return k


@record
class Param(Record):
    """One constructor parameter: name, default (or REQUIRED) and accepted kind.

    `keyword_only` marks base-layer keywords (such as ``trainable``) that Keras takes
    through ``**kwargs`` and so can't be given by position.
    """

    name: str
    default: object
    kind: Kind
    keyword_only: bool = False

    @property
    def required(self) -> bool:
        """True if the program must give this argument."""
        return self.default is REQUIRED


@record
class LayerValue(Record):
    """A layer given as an argument, e.g. the LSTM in ``Bidirectional(LSTM(32))``."""

    spec: LayerSpec
    args: Mapping[str, object]

    def __hash__(self) -> int:
        return hash((self.spec.name, tuple(sorted(self.args.items(), key=lambda kv: kv[0]))))


ShapeRule = Callable[["LayerSpec", Mapping[str, object], TensorType], tuple]
CountRule = Callable[["LayerSpec", Mapping[str, object], TensorType], int]
DtypeRule = Callable[["LayerSpec", Mapping[str, object], TensorType], str]


@record
class LayerSpec(Record):
    """A supported Keras layer: constructor parameters and its shape, dtype and count rules."""

    name: str
    params: tuple[Param, ...]
    shape_rule: ShapeRule = field(compare=False, repr=False, default=None)  # type: ignore[assignment]
    dtype_rule: DtypeRule = field(compare=False, repr=False, default=None)  # type: ignore[assignment]
    count_rule: CountRule = field(compare=False, repr=False, default=None)  # type: ignore[assignment]

    def param(self, name: str) -> Param | None:
        """The parameter called `name`, or None."""
        for p in self.params:
            if p.name == name:
                return p
        return None

    def arg(self, args: Mapping[str, object], name: str) -> object:
        """The value the user gave for `name`, else its default."""
        if name in args:
            return args[name]
        p = self.param(name)
        if p is None:
            raise KeyError(f"{self.name} has no parameter {name!r}")
        return p.default

    def infer(self, args: Mapping[str, object], inp: TensorType) -> TensorType:
        """The output type for input `inp`; raises ShapeError if the layer can't take it."""
        dtype = self.dtype_rule(self, args, inp)
        shape = self.shape_rule(self, args, inp)
        return TensorType(tuple(shape), dtype)

    def count_params(self, args: Mapping[str, object], inp: TensorType) -> int:
        """Number of weights (trainable and not) once built on `inp`, as Keras's count_params()."""
        return self.count_rule(self, args, inp)

    def keras_kwargs(self, args: Mapping[str, object]) -> dict:
        """Keyword arguments for the Keras constructor: exactly what the program wrote.

        Tuples stay tuples and a LayerValue stays a LayerValue; lowering converts it.
        """
        return {p.name: args[p.name] for p in self.params if p.name in args}


MergeRule = Callable[["MergeSpec", Mapping[str, object], Sequence[TensorType]], TensorType]


@record
class MergeSpec(Record):
    """A merge (concat, add, ..., dot): its Keras class, keyword params and shape rule."""

    name: str
    keras_class: str
    params: tuple[Param, ...]
    min_inputs: int
    rule: MergeRule = field(compare=False, repr=False, default=None)  # type: ignore[assignment]
    max_inputs: int | None = None

    def arg(self, args: Mapping[str, object], name: str) -> object:
        """The value the user gave for `name`, else its default."""
        if name in args:
            return args[name]
        for p in self.params:
            if p.name == name:
                return p.default
        raise KeyError(f"{self.name} has no parameter {name!r}")

    def infer(self, args: Mapping[str, object], inputs: Sequence[TensorType]) -> TensorType:
        """The output type of merging `inputs`; raises ShapeError quoting the shapes."""
        if len(inputs) < self.min_inputs:
            raise ShapeError(f"{self.name} needs at least {self.min_inputs} inputs, got {len(inputs)}")
        if self.max_inputs is not None and len(inputs) > self.max_inputs:
            raise ShapeError(f"{self.name} takes exactly {self.max_inputs} inputs, got {len(inputs)}")
        return self.rule(self, args, inputs)

    def count_params(self, args: Mapping[str, object], inputs: Sequence[TensorType]) -> int:
        """Merges have no weights."""
        return 0

    def keras_kwargs(self, args: Mapping[str, object]) -> dict:
        """Keyword arguments for the Keras constructor: exactly what the program wrote."""
        return {p.name: args[p.name] for p in self.params if p.name in args}


Layer = LayerKind()
"""Any supported layer given as an argument (e.g. TimeDistributed's ``layer``)."""
