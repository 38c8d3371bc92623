"""Tensor arithmetic in a chain's head: ``h = x + 3.0 -> ReLU(6.0)``, ``y = h * (1 / 6)``, ``inputs + x``.

Each operator between a tensor and a tensor or a number becomes a `MathOp` (Keras builds the same
Python operator on Keras tensors as an op node, not a layer); sub-expressions without a tensor are
folded into one constant first, as Python folds them (``1 / 6`` is one float). The shape and dtype
rules are the catalog's (`catalog/arith.py`). Imported only by programs that use arithmetic.
"""

from __future__ import annotations

from .. import ir
from ..catalog.arith import arith_type
from ..catalog.types import ShapeError, TensorType, fmt_shape
from ..diagnostics import Label
from ..graph import MathOp
from .chains import Env, State, head, several
from .evaluate import UNKNOWN, evaluate, is_unknown


def arithmetic(st: State, env: Env, base: str, tbase: str, node, final: str | None):
    """Tensor arithmetic: (tensor id, type) of the result, or (None, number) for a constant
    sub-expression (folded: ``x * (1 / 6)`` multiplies by one float), or None (failed)."""
    counter = [0]

    def tensor_id() -> str:
        counter[0] += 1
        return f"{tbase}/op{counter[0]}"

    def walk(e, top: bool):
        kind = type(e)
        if kind is ir.Number:
            return (None, e.value)
        if kind is ir.Ref:
            value = env.tensors.get(e.name)
            if value is not None:
                return value if value[1] is not None else None
            c = env.consts.get(e.name, UNKNOWN)
            if c is UNKNOWN:
                return None
            if isinstance(c, bool) or not isinstance(c, (int, float)):
                st.error("GD0120", f"tensor arithmetic works on tensors and numbers, not on {_words(c)}", e.span)
                return None
            return (None, c)
        if kind is ir.Call or kind is ir.DoubleCall:
            values = head(st, env, base, tbase, e, None, 1)
            if values is None:
                return None
            if len(values) != 1:
                several(st, values, e, one=True)
                return None
            return values[0]
        if kind is ir.Neg:
            if _constant(e, env):
                return _fold(st, env, e)
            inner = walk(e.operand, False)
            if inner is None:
                return None
            return _math(st, env, "neg", inner, None, e, final if top else tensor_id())
        if kind is ir.BinOp:
            if _constant(e, env):
                return _fold(st, env, e)
            left = walk(e.left, False)
            right = walk(e.right, False)
            if left is None or right is None:
                return None
            if e.op == "//":
                st.error("GD0120", "'//' works on numbers, not on tensors", e.span,
                         help="tensor arithmetic is + - * / (and unary -)")
                return None
            return _math(st, env, e.op, left, right, e, final if top else tensor_id())
        st.error("GD0120", f"tensor arithmetic works on tensors and numbers, not on {_node_words(e)}", e.span)
        return None

    return walk(node, True)


def _words(value: object) -> str:
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "True/False"
    if value is None:
        return "None"
    if isinstance(value, tuple):
        return "a tuple"
    return "a layer"


def _node_words(e) -> str:
    return {ir.String: "a string", ir.Bool: "True/False", ir.NoneLit: "None", ir.TupleLit: "a tuple",
            ir.ListLit: "a list"}.get(type(e), "this")


def _constant(e, env: Env) -> bool:
    """Whether an arithmetic expression has no tensor in it (it is folded as one constant)."""
    stack = [e]
    while stack:
        x = stack.pop()
        kind = type(x)
        if kind is ir.BinOp:
            stack += [x.left, x.right]
        elif kind is ir.Neg:
            stack.append(x.operand)
        elif kind is ir.Ref:
            if x.name in env.tensors:
                return False
        elif kind is ir.Call or kind is ir.DoubleCall:
            return False
    return True


def _fold(st: State, env: Env, e):
    value = evaluate(e, env.consts, st.diags)
    if is_unknown(value):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        st.error("GD0120", f"tensor arithmetic works on tensors and numbers, not on {_words(value)}", e.span)
        return None
    return (None, value)


def _math(st: State, env: Env, op: str, left, right, e, tensor_id: str | None):
    if right is not None and left[0] is None and right[0] is None:  # two constants (one side folded)
        return _fold(st, env, e)
    operands = [left[1]] if op == "neg" else [left[1], right[1]]
    try:
        out = arith_type(op, operands[0], operands[1] if op != "neg" else None)
    except ShapeError as err:
        parts = (e.operand,) if op == "neg" else (e.left, e.right)
        labels = tuple(Label(p.span, f"{fmt_shape(v)} {v.dtype}") for p, v in zip(parts, operands, strict=True)
                       if isinstance(v, TensorType))
        st.error("GD0202", err.message, e.span, labels=labels)
        return None
    if st.halted:
        return None
    out = st.pooled(out)
    tid = tensor_id if tensor_id is not None else f"{env.tprefix}{st.unique('op')}"
    inputs = tuple(v[0] for v in ((left,) if op == "neg" else (left, right)) if v[0] is not None)
    lhs = left[0] if left[0] is not None else left[1]
    rhs = None if op == "neg" else (right[0] if right[0] is not None else right[1])
    if not st.add_op(MathOp(tid, op, lhs, rhs, inputs, out, e.span, calls=st.calls)):
        return None
    return (tid, out)

