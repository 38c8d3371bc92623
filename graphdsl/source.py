r"""Source text, spans and locations.

A `Span` is a half-open range of character offsets ``[start, end)`` into one `SourceFile`.
Lines and columns are 1-based and computed on demand, so spans stay two integers. A line ends at
``\n``, ``\r\n`` or a lone ``\r`` (old Mac files), as in Python.
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


def unix_newlines(text: str) -> str:
    r"""`text` with every lone ``\r`` made a ``\n``: the same length, so every offset (and span) is
    the same in both. The lexer ends comments and strings at ``\n``; this lets it read files
    whose lines end in ``\r`` alone."""
    if "\r" not in text:
        return text
    import re  # noqa: PLC0415 - only files with carriage returns pay for it

    return re.sub(r"\r(?!\n)", "\n", text)


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
        if "\r" in self.text:
            import re  # noqa: PLC0415 - only files with carriage returns pay for it

            starts += [m.end() for m in re.finditer(r"\r\n?|\n", self.text)]
        else:  # the usual case, three times faster than the regular expression
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
        starts = self._line_starts
        line = bisect_right(starts, offset) - 1
        column = offset - starts[line] + 1
        if line + 1 < len(starts) and offset >= starts[line + 1] - 2:
            # inside a two-character break (CRLF): that is still the end of the line
            end = starts[line + 1]
            column = min(column, end - (2 if self.text[end - 2 : end] == "\r\n" else 1) - starts[line] + 1)
        return Location(line + 1, column)

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line break."""
        start, end = self.line_bounds(line)
        return self.text[start:end]

    def line_bounds(self, line: int) -> tuple[int, int]:
        """Where a 1-based line's text begins and ends (without its line break and trailing CRs),
        in time independent of its length."""
        starts = self._line_starts
        start = starts[line - 1]
        end = starts[line] if line < len(starts) else len(self.text)
        if end > start and self.text[end - 1] == "\n":
            end -= 1
        while end > start and self.text[end - 1] == "\r":
            end -= 1
        return start, end

    @property
    def line_count(self) -> int:
        return len(self._line_starts)
