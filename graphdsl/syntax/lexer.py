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
from itertools import chain
from sys import intern

from .. import ir
from ..diagnostics import Diagnostic, Severity
from ..source import Span

MAX_NESTING = 64  # brackets deep; far beyond any real program, far below Python's recursion limit
OPENERS = frozenset({"LPAR", "LSQB", "LBRACE"})
CLOSERS = frozenset({"RPAR", "RSQB", "RBRACE"})
COMMENT = "COMMENT"

Token = tuple  # (kind, text, start, end)

# how a match is handled, by its group: a terminal of its own, string terminals (brackets among
# them) sharing a group, a name that may be a keyword, the end, a comment, or an error
_PLAIN, _LITERAL, _KEYWORDS, _END, _COMMENT, _NONASCII, _UNCLOSED, _JUNK = range(8)
CHUNK = 1024  # tokens lexed at a time, at most


class Scanner:
    """The compiled scanner for one set of tables: one alternative per terminal in Lark's order,
    except that consecutive string terminals share one alternative (its text says which), then the
    error alternatives."""

    def __init__(self, tab: dict):
        ignore = set(tab["ignore"])
        skipped = [regexp for name, regexp, _text in tab["terminals"] if name in ignore and name != COMMENT]
        alternatives = []
        self.handling: dict[str, int] = {"_NONASCII": _NONASCII}
        self.literals: dict[str, str] = {}  # text of a string terminal -> its name
        taken = []  # every token's pattern, for the junk alternative
        run: list[tuple[str, str]] = []

        def flush() -> None:
            group = f"_LITERALS{len(alternatives)}"
            alternatives.append(f"(?P<{group}>" + "|".join(regexp for _text, regexp in run) + ")")
            self.handling[group] = _LITERAL
            run.clear()

        for name, regexp, text in tab["terminals"]:
            if name in ignore and name != COMMENT:
                continue
            taken.append(regexp)
            if text is not None:
                run.append((text, regexp))
                self.literals[text] = name
                continue
            if run:
                flush()
            alternatives.append(f"(?P<{name}>{regexp})")
            if name in tab["keywords"]:
                self.handling[name] = _KEYWORDS
        if run:
            flush()
        taken += [*skipped, r"[^\W\d]", r"""["']"""]
        alternatives.append(r"""(?P<_UNCLOSED>["'][^\n]*)""")
        alternatives.append(r"(?P<_JUNK>[\s\S])")  # one character; `junk_end` finds the rest of the run
        # a run of characters that begin no token (compiled when a text has one)
        self._junk = rf"(?:(?!{'|'.join(taken)})[\s\S])*"
        alternatives.append(r"(?P<_END>\Z)")  # trailing white space is one match, not one failed try per character
        self.handling.update({COMMENT: _COMMENT, "_UNCLOSED": _UNCLOSED, "_JUNK": _JUNK, "_END": _END})
        skip = "(?:" + "|".join(f"(?:{regexp})" for regexp in skipped) + ")*" if skipped else ""
        self._ascii = skip + "(?:" + "|".join(alternatives) + ")"
        self._full = skip + "(?:" + "|".join([r"(?P<_NONASCII>(?=[^\W\d])(?=\w*?[^\W\x00-\x7f])\w+)", *alternatives]) + ")"
        self._compiled: dict[object, re.Pattern] = {}
        self.keywords = {word: kind for table in tab["keywords"].values() for word, kind in table.items()}

    def regex(self, ascii_only: bool) -> tuple[re.Pattern, list[int], list[str | None]]:
        """The scanner's regular expression, and by group number how a match is handled and the
        terminal it is; for a text of ASCII characters only, without the alternative for
        non-ASCII words (a third of the scanner's time, and it cannot match)."""
        compiled = self._compiled.get(ascii_only)
        if compiled is None:
            regex = re.compile(self._ascii if ascii_only else self._full)
            hows = [_PLAIN] * (regex.groups + 1)
            kinds: list[str | None] = [None] * (regex.groups + 1)
            for name, group in regex.groupindex.items():
                kinds[group] = name
                hows[group] = self.handling.get(name, _PLAIN)
            compiled = self._compiled[ascii_only] = (regex, hows, kinds)
        return compiled

    def junk_end(self, text: str, pos: int) -> int:
        """Where the run of characters no token begins with, going on at `pos`, ends."""
        junk = self._compiled.get("junk")
        if junk is None:
            junk = self._compiled["junk"] = re.compile(self._junk)
        return junk.match(text, pos).end()


class Lexer:
    """Tokens of one text, from any token's start (see the module docstring)."""

    def __init__(self, scanner: Scanner, text: str, diags: list[Diagnostic], comments: list[ir.Comment]):
        self.scanner = scanner
        self.text = text
        self.diags = diags
        self.comments = comments
        self.reported = -1  # start of the last comment or error reported: re-lexing stays quiet up to it
        self.bad_names: set[str] = set()
        self.ascii = text.isascii()

    def tokens(self, start: int = 0) -> Iterator[Token]:
        """The tokens from offset `start` (a token's start, or 0), ending with ``$END``."""
        return chain.from_iterable(self._chunks(start))

    def _chunks(self, start: int) -> Iterator[list[Token]]:
        """The tokens in lists (a list is cheaper to fill than a generator to resume) that grow
        from a few tokens to `CHUNK`: whoever stops early (error recovery, which lexes again from
        a statement's start) has made the lexer do at most about twice the work it used."""
        text = self.text
        keywords = self.scanner.keywords
        literals = self.scanner.literals
        regex, hows, kinds = self.scanner.regex(self.ascii)
        depth = 0
        limit = 16
        chunk: list[Token] = []
        add = chunk.append
        pos = start
        while pos is not None:
            ms = regex.finditer(text, pos)
            pos = None
            for m in ms:
                group = m.lastindex
                how = hows[group]
                if how == _PLAIN:
                    value = m[group]
                    end = m.end()
                    add((kinds[group], value, end - len(value), end))
                elif how == _LITERAL:
                    value = m[group]
                    kind = literals[value]
                    end = m.end()
                    if kind in OPENERS:
                        depth += 1
                        if depth > MAX_NESTING:
                            kind = "$DEEP"
                    elif depth and kind in CLOSERS:
                        depth -= 1
                    add((kind, value, end - len(value), end))
                elif how == _KEYWORDS:  # a name: one string for all its uses (a program repeats them)
                    value = intern(m[group])
                    end = m.end()
                    add((keywords.get(value, kinds[group]), value, end - len(value), end))
                elif how == _END:
                    break
                else:
                    begin = m.start(group)
                    end = m.end()
                    if how == _JUNK:  # the whole run is one error; go on after it
                        end = pos = self.scanner.junk_end(text, end)
                    if begin > self.reported:
                        self.reported = begin
                        self._report(how, text[begin:end], begin, end)
                    if how == _NONASCII:
                        add(("NAME", text[begin:end], begin, end))
                    elif how == _UNCLOSED:
                        add(("$UNCLOSED", text[begin:end], begin, end))
                    elif how == _JUNK:
                        break
                if len(chunk) >= limit:
                    yield chunk
                    chunk = []
                    add = chunk.append
                    if limit < CHUNK:
                        limit *= 2
        chunk.append(("$END", "", len(text), len(text)))
        yield chunk

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
