"""Warnings about names nothing uses: an input, a tensor, a layer declaration or a param.

An output is used by definition (the model returns it), so it is never reported.
"""

from __future__ import annotations

from .. import ir
from ..diagnostics import Diagnostic, Severity
from .resolve import Symbols

_WHAT = {
    "input": ("GD0303", "input '{}' is never used", "use it in a chain, or remove it: an unused input still has to be fed"),
    "tensor": ("GD0304", "tensor '{}' is never used", "use it in a chain or an output, or remove it"),
    "layer": ("GD0305", "layer '{}' is declared but never used", "use it as a step (x -> {}), or remove it"),
    "param": ("GD0306", "param '{}' is never used", "remove it, or use it in an argument"),
}


def lint(program: ir.Program, symbols: Symbols) -> list[Diagnostic]:
    diags = []
    for name, d in symbols.defs.items():
        if d.kind not in _WHAT or symbols.uses.get(name) or name in symbols.suggested:
            continue
        if d.kind == "tensor" and not symbols.has_output:
            continue  # "no output" (GD0302) already says what is missing
        code, message, help_ = _WHAT[d.kind]
        diags.append(Diagnostic(code, Severity.WARNING, message.format(name), d.span, help=help_.format(name)))
    return diags
