"""The fast engine's lexer: the grammar's terminals as one regular expression, tried in Lark's order.

The scanner is built from the terminals the tables record (see `tables.py`): the same patterns,
tried in the same order as Lark's basic lexer tries them, with the keywords resolved after a NAME
matches, as Lark does. So the grammar file alone decides what a token is, and the Lark engine
lexes every text into the same tokens. The `%ignore`d terminals other than COMMENT are skipped in
front of each token; COMMENT tokens become `ir.Comment`s for the formatter.

What no terminal matches is an error, reported here more kindly than "unexpected character":

- a word with a non-ASCII letter (`données`) is one error, not a name cut in two (this alternative
  comes first, but matches only words the grammar's NAME cannot take whole);
- a quote that begins no string on its line is an unclosed string;
- any other run of characters is unexpected.

These alternatives change what is reported, never what is accepted.

Tokens are tuples ``(kind, text, start, end)``; the last is ``("$END", "", n, n)``. Brackets may
nest `MAX_NESTING` deep: the opener that goes deeper comes out as a ``"$DEEP"`` token, which no
state of the automaton takes (so the parser reports it as an error and recovers). An unclosed
string comes out as ``"$UNCLOSED"``, likewise.

Lexing is context free, so the parser may lex again from any token's start (error recovery does);
comments and lexer diagnostics are produced once, the first time their text is lexed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .. import ir
from ..diagnostics import Diagnostic, Severity
from ..source import Span

MAX_NESTING = 64  # brackets deep; far beyond any real program, far below Python's recursion limit
OPENERS = frozenset({"LPAR", "LSQB"})
CLOSERS = frozenset({"RPAR", "RSQB"})
COMMENT = "COMMENT"

Token = tuple  # (kind, text, start, end)

# handling of a match, by group name (ordinary tokens are not in the table)
_KEYWORDS, _OPEN, _CLOSE, _END, _COMMENT, _NONASCII, _UNCLOSED, _JUNK = range(8)


class Scanner:
    """The compiled scanner for one set of tables."""

    def __init__(self, tab: dict):
        ignore = set(tab["ignore"])
        skipped = [regexp for name, regexp in tab["terminals"] if name in ignore and name != COMMENT]
        tokens = [(name, regexp) for name, regexp in tab["terminals"] if name not in ignore or name == COMMENT]
        grammar_alts = [f"(?P<{name}>{regexp})" for name, regexp in tokens]
        nonascii = r"(?P<_NONASCII>(?=[^\W\d])(?=\w*?[^\W\x00-\x7f])\w+)"
        unclosed = r"""(?P<_UNCLOSED>["'][^\n]*)"""
        taken = "|".join([*(regexp for _name, regexp in tokens), *skipped, r"[^\W\d]", r"""["']"""])
        junk = rf"(?P<_JUNK>(?:(?!{taken})[\s\S])+)"
        end = r"(?P<_END>\Z)"  # so that trailing white space is one match, not one failed try per character
        skip = "(?>(?:" + "|".join(f"(?:{regexp})" for regexp in skipped) + ")*)" if skipped else ""
        self.regex = re.compile(skip + "(?:" + "|".join([nonascii, *grammar_alts, unclosed, junk, end]) + ")")
        self.handling: dict[str, int] = {name: _KEYWORDS for name in tab["keywords"]}
        self.handling.update({name: _OPEN for name in OPENERS})
        self.handling.update({name: _CLOSE for name in CLOSERS})
        self.handling.update({COMMENT: _COMMENT, "_NONASCII": _NONASCII, "_UNCLOSED": _UNCLOSED, "_JUNK": _JUNK,
                              "_END": _END})
        self.keywords = {word: kind for table in tab["keywords"].values() for word, kind in table.items()}


class Lexer:
    """Tokens of one text, from any token's start (see the module docstring)."""

    def __init__(self, scanner: Scanner, text: str, diags: list[Diagnostic], comments: list[ir.Comment]):
        self.scanner = scanner
        self.text = text
        self.diags = diags
        self.comments = comments
        self.reported = -1  # start of the last comment or error reported: re-lexing stays quiet up to it
        self.bad_names: set[str] = set()

    def tokens(self, start: int = 0) -> Iterator[Token]:
        """The tokens from offset `start` (a token's start, or 0), ending with ``$END``."""
        text = self.text
        handling = self.scanner.handling
        keywords = self.scanner.keywords
        depth = 0
        for m in self.scanner.regex.finditer(text, start):
            kind = m.lastgroup
            how = handling.get(kind)
            if how is None:
                yield (kind, m.group(kind), m.start(kind), m.end())
            elif how == _KEYWORDS:
                value = m.group(kind)
                yield (keywords.get(value, kind), value, m.start(kind), m.end())
            elif how == _OPEN:
                depth += 1
                yield (kind if depth <= MAX_NESTING else "$DEEP", m.group(kind), m.start(kind), m.end())
            elif how == _CLOSE:
                if depth:
                    depth -= 1
                yield (kind, m.group(kind), m.start(kind), m.end())
            elif how == _END:
                break
            else:
                begin = m.start(kind)
                if begin > self.reported:
                    self.reported = begin
                    self._report(how, m.group(kind), begin, m.end())
                if how == _NONASCII:
                    yield ("NAME", m.group(kind), begin, m.end())
                elif how == _UNCLOSED:
                    yield ("$UNCLOSED", m.group(kind), begin, m.end())
        yield ("$END", "", len(text), len(text))

    def _report(self, how: int, value: str, start: int, end: int) -> None:
        if how == _COMMENT:
            self.comments.append(ir.Comment(value[1:], span=Span(start, end)))
            return
        from .errors import bad_characters, clip  # noqa: PLC0415 - only a text with errors pays for it

        if how == _NONASCII:
            if value not in self.bad_names:
                self.bad_names.add(value)
                self.diags.append(
                    Diagnostic("GD0001", Severity.ERROR, f"'{clip(value)}' is not a valid name", Span(start, end),
                               help="names use the letters A-Z and a-z, digits and _ (and do not start "
                               "with a digit)")
                )
        elif how == _UNCLOSED:
            self.diags.append(
                Diagnostic("GD0002", Severity.ERROR, "unclosed string", Span(start, end),
                           help=f"close the string with {value[0]} before the end of the line")
            )
        else:
            self.diags.append(bad_characters(value, start, end))
