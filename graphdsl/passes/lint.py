"""Warnings about names nothing uses: an input, a tensor, a layer declaration, a param, a block,
and in a block's body its tensors, layer declarations and parameters.

An output is used by definition (the model returns it), so it is never reported; `_` is never
reported (it discards on purpose). A block's names are reported once, at its definition.
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
    "block": ("GD0307", "block '{}' is never called", "call it in a chain (x -> {}(...)), or remove it"),
}
_IN_BLOCK = {
    "tensor": ("GD0304", "tensor '{}' of block '{}' is never used",
               "use it in the body or return it, or remove it: a tensor nothing uses is not part of the model"),
    "layer": ("GD0305", "layer '{}' of block '{}' is declared but never used", "use it as a step, or remove it"),
    "eparam": ("GD0306", "parameter '{}' of block '{}' is never used", "remove it, or use it in the body"),
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
    for info in (symbols.blocks or {}).values():
        for name, d in info.defs.items():
            if d.kind not in _IN_BLOCK or info.uses.get(name) or name in info.suggested:
                continue
            code, message, help_ = _IN_BLOCK[d.kind]
            diags.append(Diagnostic(code, Severity.WARNING, message.format(name, info.name), d.span, help=help_))
    return diags
