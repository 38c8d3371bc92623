"""Constant evaluation of arguments: numbers, strings, tuples, params and arithmetic.

Nothing is evaluated by Python's `eval`: this is a small interpreter over the IR. A value that
cannot be computed (an error already reported, an unknown name) is `UNKNOWN`, and whatever uses
it stays quiet rather than reporting a second error.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from .. import ir
from ..diagnostics import Diagnostic, Severity


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN = _Unknown()


def is_unknown(value: object) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, tuple):
        return any(is_unknown(v) for v in value)
    return False


def _num(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def evaluate(
    expr,
    params: Mapping[str, object],
    diags: list[Diagnostic],
    call: Callable[[ir.Call], object] | None = None,
):
    """The constant value of `expr`. `params` maps param names to values; `call` turns a layer
    call given as an argument (Bidirectional(LSTM(8))) into a value."""
    if isinstance(expr, (ir.Number, ir.String, ir.Bool)):
        return expr.value
    if isinstance(expr, ir.NoneLit):
        return None
    if isinstance(expr, ir.Ref):
        return params.get(expr.name, UNKNOWN)
    if isinstance(expr, (ir.TupleLit, ir.ListLit)):
        return tuple(evaluate(e, params, diags, call) for e in expr.items)
    if isinstance(expr, ir.Neg):
        v = evaluate(expr.operand, params, diags, call)
        if v is UNKNOWN:
            return UNKNOWN
        if not _num(v):
            diags.append(_bad(expr, f"'-' needs a number, not {_words(v)}"))
            return UNKNOWN
        return -v
    if isinstance(expr, ir.BinOp):
        a = evaluate(expr.left, params, diags, call)
        b = evaluate(expr.right, params, diags, call)
        if a is UNKNOWN or b is UNKNOWN:
            return UNKNOWN
        if not (_num(a) and _num(b)):
            diags.append(_bad(expr, f"'{expr.op}' works on numbers, not on {_words(a)} and {_words(b)}"))
            return UNKNOWN
        try:
            if expr.op == "+":
                r = a + b
            elif expr.op == "-":
                r = a - b
            elif expr.op == "*":
                if isinstance(a, int) and isinstance(b, int) and abs(a).bit_length() + abs(b).bit_length() > 256:
                    raise OverflowError
                r = a * b
            elif expr.op == "/":
                r = a / b
            else:
                r = a // b
        except ZeroDivisionError:
            diags.append(_bad(expr, "division by zero"))
            return UNKNOWN
        except OverflowError:
            diags.append(_bad(expr, "the result is too large"))
            return UNKNOWN
        if isinstance(r, float) and not math.isfinite(r):
            diags.append(_bad(expr, "the result is too large"))
            return UNKNOWN
        return r
    if isinstance(expr, ir.Call):
        if call is not None:
            return call(expr)
        # a layer or Keras object takes its kind from the argument it is given to, so it is written
        # there; a param, a block's argument or default holds constants (quietly UNKNOWN was a model
        # that checked clean without its output)
        name = expr.callee.name
        diags.append(Diagnostic(
            "GD0109", Severity.ERROR, f"'{name}(...)' is not a constant: a layer or Keras object is written "
            "as the argument of the layer that takes it", expr.span,
            help="write it where it is used, e.g. Dense(8, kernel_initializer=VarianceScaling(2.0))"))
        return UNKNOWN
    return UNKNOWN  # pragma: no cover


def _words(v: object) -> str:
    if isinstance(v, str):
        return "a string"
    if isinstance(v, bool):
        return "True/False"
    if v is None:
        return "None"
    if isinstance(v, tuple):
        return "a tuple"
    return "a layer"


def _bad(expr, message: str) -> Diagnostic:
    return Diagnostic("GD0120", Severity.ERROR, message, expr.span)
