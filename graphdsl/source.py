"""Source text, spans and locations.

A `Span` is a half-open range of character offsets ``[start, end)`` into one `SourceFile`.
Lines and columns are 1-based and computed on demand, so spans stay two integers.
"""

from __future__ import annotations

from .records import Record, field, record


@record(slots=True)
class Span(Record):
    """A half-open range of character offsets into the source text."""

    start: int
    end: int  # >= start (not checked here: spans are made by the parser, a hundred thousand a file)

    def cover(self, other: Span) -> Span:
        """The smallest span containing both spans."""
        return Span(min(self.start, other.start), max(self.end, other.end))


NO_SPAN = Span(0, 0)


@record(slots=True)
class Location(Record):
    """A 1-based line and column."""

    line: int
    column: int


@record(slots=True)
class SourceFile(Record):
    """A named source text with a line index."""

    name: str
    text: str
    _line_starts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        starts = [0]
        find = self.text.find
        pos = find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        object.__setattr__(self, "_line_starts", tuple(starts))

    def location(self, offset: int) -> Location:
        """The line and column of a character offset (clamped into the text)."""
        from bisect import bisect_right  # noqa: PLC0415 - only diagnostics need it; start-up does not

        offset = max(0, min(offset, len(self.text)))
        line = bisect_right(self._line_starts, offset) - 1
        return Location(line + 1, offset - self._line_starts[line] + 1)

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its newline."""
        start, end = self.line_bounds(line)
        return self.text[start:end]

    def line_bounds(self, line: int) -> tuple[int, int]:
        """Where a 1-based line's text begins and ends (without its newline and trailing CRs), in
        time independent of its length."""
        start = self._line_starts[line - 1]
        end = self._line_starts[line] - 1 if line < len(self._line_starts) else len(self.text)
        while end > start and self.text[end - 1] == "\r":
            end -= 1
        return start, end

    @property
    def line_count(self) -> int:
        return len(self._line_starts)
