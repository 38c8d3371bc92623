"""Tensor arithmetic: `+ - * /` and unary `-` between tensors and numbers, as Keras 3 computes them.

A program writes ``h = x + 3.0 -> ReLU(6.0)`` where a Keras user writes ``layers.ReLU(6.0)(x + 3.0)``;
both build the op node ``keras.src.ops.numpy.Add`` (not a layer), which saves and loads with
``safe_mode=True``. The rules here are Keras's (checked against Keras in the Keras tier):

- **Shapes** broadcast as ``keras.src.ops.operation_utils.broadcast_shapes`` does on the full shapes
  (batch axis included): aligned from the right, the shorter padded with 1s; 1 takes the other's
  size; an unknown size (None) takes the other's known size unless that is 1; two known sizes must
  be equal. A number has shape ().
- **Dtypes** follow Keras's type promotion (``keras.src.backend.common.dtypes.result_type``): two
  tensors promote along bool < uint8 < int32 < int64 < float16, bfloat16 < float32 < float64
  (float16 with bfloat16 gives float32); a Python number is weak: an int keeps the tensor's dtype,
  a float keeps a float tensor's and makes an integer tensor float32; `/` makes integers float32.
- graphdsl refuses arithmetic on bool tensors (Keras's kernels do not negate or divide booleans).
"""

from __future__ import annotations

from graphdsl.catalog.types import FLOAT_DTYPES, ShapeError, TensorType, fmt_shape

# the Python operator -> the Keras op class it builds on a KerasTensor
KERAS_OPS = {"+": "Add", "-": "Subtract", "*": "Multiply", "/": "TrueDivide", "neg": "Negative"}
OPERATORS = ("+", "-", "*", "/")

_RANK = {"bool": 0, "uint8": 1, "int32": 2, "int64": 3, "float16": 4, "bfloat16": 4, "float32": 5, "float64": 6}


def promote(a: str, b: str) -> str:
    """The dtype of arithmetic between tensors of dtypes `a` and `b`, as Keras promotes them."""
    if a == b:
        return a
    if {a, b} == {"float16", "bfloat16"}:
        return "float32"
    return a if _RANK[a] >= _RANK[b] else b


def _with_number(dtype: str, number: int | float) -> str:
    """A tensor of `dtype` with a Python number (a weak type: it does not widen the tensor)."""
    if isinstance(number, float) and dtype not in FLOAT_DTYPES:
        return "float32"
    return dtype


def broadcast(a: tuple, b: tuple) -> tuple:
    """Keras's broadcast_shapes on full shapes (batch axis first); ValueError if they do not fit."""
    if len(a) < len(b):
        a = (1,) * (len(b) - len(a)) + tuple(a)
    elif len(b) < len(a):
        b = (1,) * (len(a) - len(b)) + tuple(b)
    out = []
    for x, y in zip(a, b, strict=True):
        if x == 1:
            out.append(y)
        elif x is None:
            out.append(None if y == 1 else y)
        elif y == 1 or y is None or y == x:
            out.append(x)
        else:
            raise ValueError
    return tuple(out)


def _full(operand: TensorType | int | float) -> tuple:
    return operand.keras_shape() if isinstance(operand, TensorType) else ()


def _describe(operand: TensorType | int | float) -> str:
    if isinstance(operand, TensorType):
        return f"{fmt_shape(operand)} {operand.dtype}"
    return repr(operand)


def arith_type(op: str, left: TensorType | int | float, right: TensorType | int | float | None) -> TensorType:
    """The type of ``left OP right`` (``-left`` for `op` "neg"), at least one operand a tensor.
    Raises ShapeError when the shapes do not broadcast or an operand is a bool tensor."""
    operands = (left,) if op == "neg" else (left, right)
    for operand in operands:
        if isinstance(operand, TensorType) and operand.dtype == "bool":
            raise ShapeError(f"arithmetic works on numbers, not on bool tensors ({_describe(operand)})")
    if op == "neg":
        assert isinstance(left, TensorType)
        return left
    tensors = [o for o in operands if isinstance(o, TensorType)]
    assert tensors, "arithmetic without a tensor is folded as a constant"
    try:
        full = broadcast(_full(left), _full(right))
    except ValueError:
        raise ShapeError(f"'{op}' needs shapes that broadcast together, got {_describe(left)} and "
                         f"{_describe(right)}") from None
    if len(tensors) == 2:
        dtype = promote(tensors[0].dtype, tensors[1].dtype)
    else:
        number = right if tensors[0] is left else left
        dtype = _with_number(tensors[0].dtype, number)  # type: ignore[arg-type]
    if op == "/" and dtype not in FLOAT_DTYPES:
        dtype = "float32"
    return TensorType(tuple(full[1:]), dtype)
