"""Param overrides: ``-D NAME=VALUE`` on the command line and ``params=`` in the API.

An override given on the command line is located there: each ``-D`` argument is a small source of
its own (named ``<command line>``, its text ``-D NAME=VALUE``), so a mistake in it is shown with
carets under the argument, the way rustc shows a bad command-line flag, instead of at 1:1 of the
program. Overrides given in Python have no text; a mistake in them is a diagnostic about the whole
program (no location), or a `TypeError` when the call itself is wrong (a key that is not a str).
"""

from __future__ import annotations

from collections.abc import Mapping

from .diagnostics import Diagnostic, Severity
from .records import Record, record
from .source import SourceFile, Span

__all__ = ["COMMAND_LINE", "Origin", "Overrides", "normalize_params", "parse_define"]

COMMAND_LINE = "<command line>"
_PREFIX = "-D "


@record
class Origin(Record):
    """Where an override was written: its own source, and the spans of its name and value."""

    source: SourceFile
    name: Span
    value: Span


class Overrides(dict):
    """Param values by name, remembering where each was written (`origins`)."""

    def __init__(self, values: Mapping[str, object] | None = None, origins: Mapping[str, Origin] | None = None):
        super().__init__(values or {})
        self.origins: dict[str, Origin] = dict(origins or {})


def parse_define(item: str, known: Mapping[str, object]) -> tuple[str, object, Origin] | Diagnostic:
    """``NAME=VALUE`` -> (name, value, origin); the value is a graphdsl constant, evaluated like a
    param's value (it may use the params defined before it in `known`). A mistake is a diagnostic
    located in the argument's own source (GD0119, or GD0120 for bad arithmetic)."""
    from dataclasses import replace  # noqa: PLC0415

    from . import ir  # noqa: PLC0415 - only a command line with -D pays for the parser
    from .parser import parse_program  # noqa: PLC0415
    from .passes.evaluate import UNKNOWN, evaluate  # noqa: PLC0415

    source = SourceFile(COMMAND_LINE, _PREFIX + item)
    name, eq, value = item.partition("=")
    stripped = name.strip()
    lead = len(name) - len(name.lstrip())
    name_span = Span(len(_PREFIX) + lead, len(_PREFIX) + lead + len(stripped))
    if not eq or not stripped.isidentifier():
        return Diagnostic("GD0119", Severity.ERROR, "-D expects NAME=VALUE", Span(len(_PREFIX), len(source.text)),
                          help='e.g. -D vocab=1000, -D activation="relu", -D kernel=(3, 3)', source=source)
    value_start = len(_PREFIX) + len(name) + 1
    value_span = Span(value_start, max(len(source.text), value_start + 1))
    origin = Origin(source, name_span, value_span)
    head = f"param {stripped} = "
    program, diags = parse_program(SourceFile(COMMAND_LINE, head + value))
    stmt = program.statements[0] if len(program.statements) == 1 else None
    if diags or not isinstance(stmt, ir.ParamDecl) or not value.strip():
        return Diagnostic("GD0119", Severity.ERROR, f"the value of -D {stripped} is not a graphdsl constant",
                          value_span, help='a constant is a number, a string in double quotes, True/False/None, '
                          'or a tuple of those: 1000, 0.5, "relu", (3, 3)', source=source)
    errs: list[Diagnostic] = []
    result = evaluate(stmt.value, known, errs, lambda _call: UNKNOWN)  # a call is not a constant (below)
    if errs:  # bad arithmetic: the evaluator's own words, moved into the argument's text
        shift = value_start - len(head)
        first = errs[0]
        span = Span(first.span.start + shift, first.span.end + shift) if first.span else value_span
        return replace(first, span=span, source=source)
    if result is UNKNOWN:  # a name that is not a param defined before
        return Diagnostic("GD0119", Severity.ERROR, f"the value of -D {stripped} is not a constant", value_span,
                          help="a -D value may use only the -D params given before it", source=source)
    return stripped, result, origin


def _constant(value: object) -> object:
    """A Python value as a graphdsl constant where the meaning is plain (a numpy integer, a list);
    anything else is left for the check to refuse."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return tuple(_constant(v) for v in value)
    import numbers  # noqa: PLC0415 - only for values that are not plain Python (numpy's, Decimal, ...)

    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if type(value).__name__ == "bool_":  # numpy's bool, without importing numpy
        return bool(value)
    return value


def normalize_params(params: Mapping[str, object] | None) -> Overrides:
    """The API's `params`, checked for misuse (`TypeError`) and made constants where plain."""
    if params is None:
        return Overrides()
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a mapping of param names to values, not {type(params).__name__}")
    values = {}
    for key, value in params.items():
        if not isinstance(key, str):
            raise TypeError(f"params are keyed by param name (a str), not {type(key).__name__}: {key!r}")
        values[key] = _constant(value)
    return Overrides(values, getattr(params, "origins", None))
