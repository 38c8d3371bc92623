"""Diagnostics: what graphdsl tells a person about their program, and how it is printed.

A `Diagnostic` has a stable code (``GD0103``), a severity, a message, a primary span, optional
secondary labels ("first defined here") and a help line. A diagnostic about the program as a whole
("no input") has no span: it names the file and nothing in it. A diagnostic about something other
than the program (a ``-D`` argument of the command line) carries the `SourceFile` its span points
into, and is shown in that text.

`locate` resolves a diagnostic's offsets to lines and columns once; every emitter reads the
located form: `render_text` (rustc/Elm style, for people), `to_json` (plain objects with their
labels, for tools) and the language server's conversion (`graphdsl/lsp/server.py`). Message,
help and labels pass through the one escaper (`escape.escape_controls`), so a control character
in a string literal never reaches a terminal.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence

from .escape import escape_controls, visible
from .records import Record, record
from .source import SourceFile, Span

_MAX_MESSAGE = 400


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    def __str__(self) -> str:
        return self.value


def _clean(value: str | None) -> str | None:
    """A message as it may be shown: no control characters, and not five megabytes long."""
    if value is None:
        return None
    value = escape_controls(value)
    # A message quotes the user's text; a 5 MB string must not make a 5 MB message.
    if len(value) > _MAX_MESSAGE:
        value = value[: _MAX_MESSAGE - 20] + " ... " + value[-15:]
    return value


@record(slots=True)
class Label(Record):
    """A secondary place in the source that explains the diagnostic."""

    span: Span
    message: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", _clean(self.message))


@record(slots=True)
class Diagnostic(Record):
    """One finding about a program, located in its source.

    `span` is None for a finding about the whole program (it has no place in the text). `source`
    is set when the span points into another text than the program's (a ``-D`` argument).
    """

    code: str
    severity: Severity
    message: str
    span: Span | None
    labels: tuple[Label, ...] = ()
    help: str | None = None
    source: SourceFile | None = None

    def __post_init__(self) -> None:
        for name in ("message", "help"):
            object.__setattr__(self, name, _clean(getattr(self, name)))

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


@record(slots=True)
class LocatedLabel(Record):
    """A label with its lines and columns resolved (1-based; the end is just past the span)."""

    line: int
    column: int
    end_line: int
    end_column: int
    message: str

    def to_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "end_line": self.end_line,
                "end_column": self.end_column, "message": self.message}


@record(slots=True)
class LocatedDiagnostic(Record):
    """A diagnostic with its file, lines and columns resolved (what the API hands out).

    Lines and columns are 1-based; ``end_line``/``end_column`` point just past the span. All four
    are None for a diagnostic about the whole file (no input, no output, a file that cannot be read).
    """

    file: str
    line: int | None
    column: int | None
    end_line: int | None
    end_column: int | None
    severity: str
    code: str
    message: str
    help: str | None
    diagnostic: Diagnostic
    labels: tuple[LocatedLabel, ...] = ()

    def to_dict(self) -> dict:
        """The JSON form: file, line, column, end_line, end_column (null without a location),
        severity, code, message, help, and labels (each with its own lines, columns, message)."""
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
            "labels": [label.to_dict() for label in self.labels],
        }


def locate(diag: Diagnostic, source: SourceFile) -> LocatedDiagnostic:
    """Resolve `diag`'s offsets in `source` (or in the diagnostic's own source, if it has one)."""
    source = diag.source or source
    if diag.span is None:
        line = column = end_line = end_column = None
    else:
        start = source.location(diag.span.start)
        end = source.location(diag.span.end)
        line, column, end_line, end_column = start.line, start.column, end.line, end.column
    labels = []
    for label in diag.labels:
        ls, le = source.location(label.span.start), source.location(label.span.end)
        labels.append(LocatedLabel(ls.line, ls.column, le.line, le.column, label.message))
    return LocatedDiagnostic(
        file=source.name,
        line=line,
        column=column,
        end_line=end_line,
        end_column=end_column,
        severity=diag.severity.value,
        code=diag.code,
        message=diag.message,
        help=diag.help,
        diagnostic=diag,
        labels=tuple(labels),
    )


def internal_error(err: BaseException) -> Diagnostic:
    """A bug in graphdsl, reported as a diagnostic rather than a traceback."""
    return Diagnostic(
        "GD0999",
        Severity.ERROR,
        f"internal error in graphdsl: {type(err).__name__}: {err}",
        None,
        help="this is a bug in graphdsl, not in your program; please report it with the program",
    )


class CompileError(Exception):
    """A program could not be compiled; `.diagnostics` says why (located diagnostics)."""

    def __init__(self, diagnostics: Sequence[LocatedDiagnostic], rendered: str | None = None):
        self.diagnostics = list(diagnostics)
        errors = [d for d in self.diagnostics if d.severity == "error"]
        first = errors[0] if errors else (self.diagnostics[0] if self.diagnostics else None)
        where = "" if first is None or first.line is None else f":{first.line}:{first.column}"
        summary = f"{first.file}{where}: {first.code}: {first.message}" if first else "compilation failed"
        if len(errors) > 1:
            summary += f" (and {len(errors) - 1} more error{'s' if len(errors) > 2 else ''})"
        super().__init__(rendered or summary)


def sort_key(diag: Diagnostic) -> tuple:
    """Source order; diagnostics without a place in the program (the whole file, the command
    line) first."""
    if diag.span is None or diag.source is not None:
        return (0, 0, 0, diag.code)
    return (1, diag.span.start, diag.span.end, diag.code)


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
        text = ("..." if offset else "") + visible(shown.expandtabs(1)) + "..."
        offset -= 3 if offset else 0
    else:
        text = visible(source.text[start:end].expandtabs(1))
    pad = " " * gutter
    width = max(1, min(col_end - col_start, len(text) - (col_start - 1 - offset) + 1))
    carets = " " * (col_start - 1 - offset) + mark * width
    tail = f" {note}" if note else ""
    return [f"{line:>{gutter}} | {text}", f"{pad} | {carets}{tail}"]


def _line_length(source: SourceFile, line: int) -> int:
    start, end = source.line_bounds(line)
    return end - start


def render_one(diag: Diagnostic, source: SourceFile) -> str:
    """Render one diagnostic in rustc/Elm style (in its own source, if it has one)."""
    source = diag.source or source
    out = [f"{diag.severity.value}[{diag.code}]: {diag.message}"]
    if diag.span is None:  # about the whole file: name it, show nothing of it
        out.append(f" --> {source.name}")
        for label in diag.labels:
            out.append(f"  = note: {label.message}")
        if diag.help:
            out.append(f"  = help: {diag.help}")
        return "\n".join(out)
    start = source.location(diag.span.start)
    end = source.location(diag.span.end)
    lines_needed = [start.line] + [source.location(lb.span.start).line for lb in diag.labels]
    gutter = len(str(max(lines_needed)))
    pad = " " * gutter
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
    """The JSON emitter: a list of `LocatedDiagnostic.to_dict` objects."""
    import json  # noqa: PLC0415

    return json.dumps([d.to_dict() for d in located], indent=2)
