"""Values the catalog's rules work on: tensor types, shape errors, and the values of arguments.

Nothing here imports Keras: `graphdsl check` must answer in a tenth of a second. Values handed to
kinds and rules are already-evaluated program constants -- int, float, str, bool, None, tuples
(lists arrive as tuples) -- or a `LayerValue` (a layer given as an argument) or an `ObjectValue`
(an initializer, regularizer or constraint given by class, ``L2(1e-4)``).
"""

from __future__ import annotations

from graphdsl.records import Record, record

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover - typing only; `typing` costs start-up time
    from collections.abc import Mapping

    from graphdsl.catalog.spec import LayerSpec, ObjectSpec

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
    """A rule cannot take its input.

    `arg` names the constructor argument to blame, if any; `call_arg` the call argument (a tensor
    or call constant of a layer on several tensors, e.g. ``initial_state``), if any.
    """

    def __init__(self, message: str, arg: str | None = None, call_arg: str | None = None):
        super().__init__(message)
        self.message = message
        self.arg = arg
        self.call_arg = call_arg


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


REQUIRED = _Required()


def fmt_number(value: int | float) -> str:
    """A number as the language spells it canonically: an int as its digits, a float as Python's
    shortest round-tripping spelling without the exponent's leading zeros (``1e-6``, not
    ``1e-06``; ``1.0`` stays a float)."""
    if isinstance(value, float):
        text = repr(value)
        if "e" in text:
            mantissa, _e, exponent = text.partition("e")
            sign = exponent[0] if exponent[0] in "+-" else ""
            text = f"{mantissa}e{sign}{exponent.lstrip('+-').lstrip('0') or '0'}"
        return text
    return str(value)


def fmt_value(value: object) -> str:
    """A constant as the language spells it (strings double-quoted)."""
    if isinstance(value, float):
        return fmt_number(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, tuple):
        inner = ", ".join(fmt_value(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, (LayerValue, ObjectValue)):
        return f"{value.spec.name}(...)"
    return repr(value)


def _args_key(args: Mapping[str, object]) -> tuple:
    return tuple(sorted(args.items(), key=lambda kv: kv[0]))


@record
class LayerValue(Record):
    """A layer given as an argument, e.g. the LSTM in ``Bidirectional(LSTM(32))``."""

    spec: LayerSpec
    args: Mapping[str, object]

    def __hash__(self) -> int:
        return hash((self.spec.name, _args_key(self.args)))


@record
class ObjectValue(Record):
    """A Keras initializer, regularizer or constraint given by class: ``L2(1e-4)``, ``HeNormal(seed=1)``."""

    spec: ObjectSpec
    args: Mapping[str, object]

    def __hash__(self) -> int:
        return hash((self.spec.family, self.spec.name, _args_key(self.args)))
