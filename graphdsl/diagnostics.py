"""Diagnostics: what graphdsl tells a person about their program, and how it is printed.

A `Diagnostic` has a stable code (``GD0103``), a severity, a message, a primary span, optional
secondary labels ("first defined here") and a help line. `render_text` prints them the way rustc
and Elm do; `to_json` gives tools a list of plain objects.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence

from .records import Record, record
from .source import SourceFile, Span

_MAX_MESSAGE = 400


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    def __str__(self) -> str:
        return self.value


@record(slots=True)
class Label(Record):
    """A secondary place in the source that explains the diagnostic."""

    span: Span
    message: str


@record(slots=True)
class Diagnostic(Record):
    """One finding about a program, located in its source."""

    code: str
    severity: Severity
    message: str
    span: Span
    labels: tuple[Label, ...] = ()
    help: str | None = None

    def __post_init__(self) -> None:
        # A message quotes the user's text; a 5 MB string must not make a 5 MB message.
        for name in ("message", "help"):
            value = getattr(self, name)
            if value is not None and len(value) > _MAX_MESSAGE:
                object.__setattr__(self, name, value[: _MAX_MESSAGE - 20] + " ... " + value[-15:])

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


@record(slots=True)
class LocatedDiagnostic(Record):
    """A diagnostic with its file, lines and columns resolved (what the API hands out).

    Lines and columns are 1-based; ``end_line``/``end_column`` point just past the span.
    """

    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    severity: str
    code: str
    message: str
    help: str | None
    diagnostic: Diagnostic

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "help": self.help,
        }


def locate(diag: Diagnostic, source: SourceFile) -> LocatedDiagnostic:
    start = source.location(diag.span.start)
    end = source.location(diag.span.end)
    return LocatedDiagnostic(
        file=source.name,
        line=start.line,
        column=start.column,
        end_line=end.line,
        end_column=end.column,
        severity=diag.severity.value,
        code=diag.code,
        message=diag.message,
        help=diag.help,
        diagnostic=diag,
    )


def internal_error(err: BaseException) -> Diagnostic:
    """A bug in graphdsl, reported as a diagnostic rather than a traceback."""
    return Diagnostic(
        "GD0999",
        Severity.ERROR,
        f"internal error in graphdsl: {type(err).__name__}: {err}",
        Span(0, 0),
        help="this is a bug in graphdsl, not in your program; please report it with the program",
    )


class CompileError(Exception):
    """A program could not be compiled; `.diagnostics` says why (located diagnostics)."""

    def __init__(self, diagnostics: Sequence[LocatedDiagnostic], rendered: str | None = None):
        self.diagnostics = list(diagnostics)
        errors = [d for d in self.diagnostics if d.severity == "error"]
        first = errors[0] if errors else (self.diagnostics[0] if self.diagnostics else None)
        summary = (
            f"{first.file}:{first.line}:{first.column}: {first.code}: {first.message}"
            if first
            else "compilation failed"
        )
        if len(errors) > 1:
            summary += f" (and {len(errors) - 1} more error{'s' if len(errors) > 2 else ''})"
        super().__init__(rendered or summary)


def sort_key(diag: Diagnostic) -> tuple:
    return (diag.span.start, diag.span.end, diag.code)


_MAX_LINE_SHOWN = 200  # a 5 MB one-line file must not print 5 MB


def _render_line(source: SourceFile, line: int, col_start: int, col_end: int, mark: str, note: str,
                 gutter: int) -> list[str]:
    # Only the part of the line that is shown is sliced out (a tab counts one column, as
    # expandtabs(1) prints it): 60,000 diagnostics on one long line cost 60,000 short slices.
    start, end = source.line_bounds(line)
    offset = 0
    if end - start > _MAX_LINE_SHOWN:
        offset = max(0, col_start - 1 - _MAX_LINE_SHOWN // 2)
        shown = source.text[start + offset : min(start + offset + _MAX_LINE_SHOWN, end)]
        text = ("..." if offset else "") + shown.expandtabs(1) + "..."
        offset -= 3 if offset else 0
    else:
        text = source.text[start:end].expandtabs(1)
    pad = " " * gutter
    width = max(1, min(col_end - col_start, len(text) - (col_start - 1 - offset) + 1))
    carets = " " * (col_start - 1 - offset) + mark * width
    tail = f" {note}" if note else ""
    return [f"{line:>{gutter}} | {text}", f"{pad} | {carets}{tail}"]


def _line_length(source: SourceFile, line: int) -> int:
    start, end = source.line_bounds(line)
    return end - start


def render_one(diag: Diagnostic, source: SourceFile) -> str:
    """Render one diagnostic in rustc/Elm style."""
    start = source.location(diag.span.start)
    end = source.location(diag.span.end)
    lines_needed = [start.line] + [source.location(lb.span.start).line for lb in diag.labels]
    gutter = len(str(max(lines_needed)))
    pad = " " * gutter
    out = [f"{diag.severity.value}[{diag.code}]: {diag.message}"]
    out.append(f"{pad}--> {source.name}:{start.line}:{start.column}")
    out.append(f"{pad} |")
    end_col = end.column if end.line == start.line else _line_length(source, start.line) + 1
    out += _render_line(source, start.line, start.column, max(end_col, start.column + 1), "^", "", gutter)
    for label in diag.labels:
        ls = source.location(label.span.start)
        le = source.location(label.span.end)
        le_col = le.column if le.line == ls.line else _line_length(source, ls.line) + 1
        rendered = _render_line(source, ls.line, ls.column, max(le_col, ls.column + 1), "-", label.message, gutter)
        out += rendered[1:] if ls.line == start.line else rendered  # same line: no second copy
    if diag.help:
        out.append(f"{pad} = help: {diag.help}")
    return "\n".join(out)


def render_text(diags: Iterable[Diagnostic], source: SourceFile) -> str:
    """Render diagnostics for one file, separated by blank lines, ending in a newline."""
    parts = [render_one(d, source) for d in diags]
    return "\n\n".join(parts) + ("\n" if parts else "")


def to_json(located: Iterable[LocatedDiagnostic]) -> str:
    import json  # noqa: PLC0415

    return json.dumps([d.to_dict() for d in located], indent=2)
