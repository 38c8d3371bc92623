"""Error recovery for the fast engine: one error per statement, and every independent error reported.

Cutting the text into statements happens only here, after an error, and the automaton decides
where: the only token patterns used are the brackets, to tell whether a candidate restart lies
inside one the broken statement left open.

1. **The broken statement.** The parse stack says where it began: above the topmost state with a
   goto on a statement nonterminal (`lalr.STATEMENTS`: a state where statements begin) lies the
   statement being parsed, and its first value's offset is its first token. In a nested body
   (version 2's blocks) that is the innermost one. The automaton is put back in that state, the
   statement's tokens become an `ir.Broken` (which keeps the name it defined and the names it
   used, so that later passes stay quiet about them), and parsing goes on from a restart token.
2. **What went wrong** is told from the statement's point of view: its tokens are run again
   (without building values) from the statement level, and the expected terminals are the ones
   that continue it, plus "the end of the statement" where it could have ended. If the tokens
   that failed do not begin a statement at all (a name not followed by `=`, a stray `)`), they
   belong to the statement before, which is then the broken one: `x -> Dense(4) Dense(2)` is a
   missing `->`, not a strange new statement.
3. **A forgotten closing bracket.** If a later line of the statement, read as a statement of its
   own, parses beyond the token that failed, the statement is cut there and the error is
   reported at its end (`b = x -> Dense(` followed by a line `c = x -> Dense(1)`).
4. **Where to restart.** The first token from the error on where the automaton, at the statement
   level, takes two tokens (`NAME =`, `output y`, ...), provided it is not inside a bracket left
   open. Inside brackets, a line that begins like a statement is one only if it parses further
   as a statement than as a continuation of that bracket (a trial parse of both readings, as
   Burke and Fisher's repair does), so `activation="relu")` on its own line is an argument and
   `c = x -> Dense(1)` is a statement.

Trial parses look at most `LOOKAHEAD` tokens ahead, and all of them together at most a fixed
multiple of the text's length (`Parse.budget`), so recovery stays linear on any text.
"""

from __future__ import annotations

from .. import ir
from ..source import Span
from .builder import Clause
from .errors import syntax_diagnostic
from .lalr import Automaton, Parse, Splice
from .lexer import CLOSERS, OPENERS, Lexer, Token

LOOKAHEAD = 48
# statements whose keyword is followed by the name they define (`param NAME = ...`)
_NAMING = frozenset({"PARAM", "INPUT", "LAYER", "OUTPUT", "BLOCK"})

_SHIFTED, _FAILED, _ENDED, _ACCEPTED = range(4)


def recover(parse: Parse, tok: Token, aborted: bool) -> int:
    """Recover from `tok`, which the automaton could not take (or at which a callback gave up, when
    `aborted`); returns the offset to lex again from. See the module docstring."""
    auto = parse.auto
    states, values = parse.states, parse.values
    parse.builder.depth.clear()
    text = parse.lexer.text
    if tok[0] == "$END" and not aborted:
        brace = next((k for k, v in enumerate(values) if type(v) is tuple and v[0] == "LBRACE"), None)
        if brace is not None:
            return _unclosed_block(parse, brace)

    level = len(states) - 1
    while states[level] not in auto.statement_states:
        level -= 1
    base = states[: level + 1]
    first = values[level] if len(values) > level else None
    window = _Window(parse.lexer, _start_of(first) if first is not None else tok[2])
    i = window.index_at(tok[2])
    # the brackets left open: each opener's kind and the state stack just after it, for trial
    # parses inside it
    inside: list[tuple[str, int | None]] = [(values[k][0], k + 2) for k in range(level, len(values))
                                            if type(values[k]) is tuple and values[k][0] in OPENERS]

    diag = None
    cut = None
    if not aborted:
        holder = values[level - 1] if level >= 1 else None
        if (
            (i == 0 or (i == 1 and window[0][0] not in auto.strong))
            and type(holder) is Splice and holder and type(holder[-1]) is not ir.Broken
            and window[0][0] != "RBRACE"  # a stray '}' is a mistake of its own
        ):
            # these tokens begin no statement: they are what the statement before could not take
            failed = window[0]
            window = _Window(parse.lexer, holder.pop().span.start)
            i = window.index_at(failed[2])
            inside = []
        else:
            for j in range(1, i + 1):
                if (window.line_start(j) and _prefix_ok(auto, base, window, j)
                        and _trial(parse, base, window, j, i - j + 1) == i - j + 1):
                    cut = j
                    break
        if cut is not None:
            _fail, stack = _run_statement(auto, base, window, cut)
            end = window[cut - 1][3]
            expected = _expected(auto, stack, len(base))
            diag = syntax_diagnostic(("$END", "", end, end), expected, window.toks[:cut], False, text)
        else:
            i, stack = _run_statement(auto, base, window, i)
            bad = window[i]
            if bad[0] != "$UNCLOSED":  # an unclosed string is reported by the lexer
                expected = _expected(auto, stack, len(base))
                diag = syntax_diagnostic(bad, expected, window.toks[:i], bad[0] == "$END", text)

    restart = cut if cut is not None else _restart(parse, base, window, i, inside, states)
    broken = broken_statement(window.toks[:restart])
    del states[level + 1 :]
    del values[level:]
    states.append(auto.statement_goto(states[level]))
    values.append(broken)
    if diag is not None:
        parse.builder.diags.append(diag)
    return window[restart][2]


def _unclosed_block(parse: Parse, brace: int) -> int:
    """The file ended inside a block's body (`values[brace]` is its '{'): the block was never
    closed. Everything from the block's first token on becomes one broken statement (where the
    body should have ended is anybody's guess), and parsing ends."""
    auto = parse.auto
    states, values = parse.states, parse.values
    level = brace
    while states[level] not in auto.statement_states:
        level -= 1
    window = _Window(parse.lexer, _start_of(values[level]))
    n = 0
    while window[n][0] != "$END":
        n += 1
    opener = values[brace]
    end = len(parse.lexer.text)
    parse.builder.diags.append(
        syntax_diagnostic(("$END", "", end, end), {"RBRACE"}, window.toks[:n], True, parse.lexer.text)
    )
    broken = broken_statement(window.toks[:n])
    del states[level + 1 :]
    del values[level:]
    states.append(auto.statement_goto(states[level]))
    values.append(broken)
    assert opener[0] == "LBRACE"
    return end


class _Window:
    """The tokens from a statement's first token on, lexed again (quietly) as far as needed."""

    def __init__(self, lexer: Lexer, start: int):
        self.text = lexer.text
        self.toks: list[Token] = []
        self._more = lexer.tokens(start)

    def __getitem__(self, j: int) -> Token:
        toks = self.toks
        while len(toks) <= j:
            if toks and toks[-1][0] == "$END":
                return toks[-1]
            toks.append(next(self._more))
        return toks[j]

    def index_at(self, offset: int) -> int:
        j = 0
        while self[j][2] < offset and self[j][0] != "$END":
            j += 1
        return j

    def line_start(self, j: int) -> bool:
        """Whether token `j` (>= 1) is the first of its line."""
        return "\n" in self.text[self[j - 1][3] : self[j][2]]


def _start_of(value) -> int:
    if type(value) is tuple:
        return value[2]
    if type(value) is Clause:
        return value[1][2]
    if isinstance(value, list):
        return _start_of(value[0])
    return value.span.start


def _step(auto: Automaton, stack: list[int], kind: str, level: int | None) -> int:
    """Feed one terminal to `stack` (changing it). With a `level`, reductions that complete the
    statement begun at that stack height stop there (_ENDED) instead of going on."""
    row = auto.rows.get(kind)
    if row is None:  # not a terminal of the grammar ($DEEP, $UNCLOSED)
        return _FAILED
    while True:
        act = row[stack[-1]]
        if act is None:
            return _FAILED
        if act >= 0:
            stack.append(act)
            return _SHIFTED
        origin, size = auto.shape[-1 - act]
        if size:
            del stack[-size:]
        if level is not None and len(stack) <= level:
            return _ENDED
        state = auto.gotos[origin][stack[-1]]
        stack.append(state)
        if state == auto.accept:
            return _ACCEPTED


def _run_statement(auto: Automaton, base: list[int], window: _Window, stop: int) -> tuple[int, list[int]]:
    """Run the statement's tokens from the statement level, up to token `stop` at most; returns the
    first token it cannot take (or `stop`) and the stack just before that token."""
    stack = list(base)
    level = len(base)
    for j in range(stop):
        kind = window[j][0]
        row = auto.rows.get(kind)
        act = None if row is None else row[stack[-1]]
        if act is None:
            return j, stack
        if act >= 0:
            stack.append(act)
            continue
        before = list(stack)
        if _step(auto, stack, kind, level) != _SHIFTED:
            return j, before
    return stop, stack


def _expected(auto: Automaton, stack: list[int], level: int) -> set[str]:
    """The terminals that continue the statement on `stack`, and "$END" if it could end there."""
    if len(stack) == level:  # nothing of the statement yet: what may begin one
        return {t for t, row in auto.rows.items() if row[stack[-1]] is not None and row[stack[-1]] >= 0}
    expected = set()
    can_end = False
    for term in auto.terminals:
        result = _step(auto, list(stack), term, level)
        if result == _SHIFTED:
            expected.add(term)
        elif result != _FAILED:
            can_end = True
    if can_end:
        expected.add("$END")
    return expected


def _prefix_ok(auto: Automaton, base: list[int], window: _Window, j: int) -> bool:
    """Whether a statement can begin at token `j`: the statement level takes its first two tokens
    (a statement keyword cut off by the end of the file counts too)."""
    stack = list(base)
    if _step(auto, stack, window[j][0], None) != _SHIFTED:
        return False
    second = window[j + 1][0]
    if second == "$END":
        return window[j][0] in auto.strong
    return _step(auto, stack, second, len(base)) == _SHIFTED


def _trial(parse: Parse, stack: list[int], window: _Window, j: int, limit: int) -> int:
    """How many tokens from `j` on (at most `limit`) the automaton takes from `stack`."""
    if parse.budget <= 0:
        return 0
    auto = parse.auto
    stack = list(stack)
    n = 0
    while n < limit:
        result = _step(auto, stack, window[j + n][0], None)
        if result == _FAILED:
            break
        n = limit if result == _ACCEPTED else n + 1
    parse.budget -= n + len(stack)
    return n


def _restart(parse: Parse, base: list[int], window: _Window, i: int, inside: list[tuple[str, int | None]],
             states: list[int]) -> int:
    """The token to go on parsing from, at or after the failed token `i` (step 4 of the docstring)."""
    auto = parse.auto
    inside = list(inside)
    j = i
    while True:
        kind = window[j][0]
        if kind == "$END":
            return j
        in_brace = any(k == "LBRACE" for k, _where in inside)
        if j and kind == "RBRACE" and not in_brace and _takes(auto, base, "RBRACE"):
            return j  # the '}' that closes the body the broken statement stands in
        if j and not in_brace and _prefix_ok(auto, base, window, j):
            if not inside:
                return j
            if window.line_start(j):
                as_statement = _trial(parse, base, window, j, LOOKAHEAD)
                where = inside[-1][1]
                as_continuation = _trial(parse, states[:where], window, j, LOOKAHEAD) if where else 2
                if as_statement > as_continuation:
                    return j
        if kind in OPENERS or kind == "$DEEP":
            inside.append((kind, None))
        elif kind in CLOSERS and inside:
            opener = _OPENER[kind]
            k = len(inside) - 1
            while k >= 0 and inside[k][0] != opener:
                k -= 1
            if k >= 0:
                del inside[k:]  # brackets opened inside it and never closed close with it
            elif kind != "RBRACE":
                inside.pop()
        j += 1


_OPENER = {"RPAR": "LPAR", "RSQB": "LSQB", "RBRACE": "LBRACE"}


def _takes(auto: Automaton, base: list[int], kind: str) -> bool:
    """Whether the statement level `base` takes a `kind` token (after any reductions)."""
    return _step(auto, list(base), kind, None) == _SHIFTED


def broken_statement(region: list[Token]) -> ir.Broken:
    """The `ir.Broken` for a statement's tokens: the name(s) it was defining, and every name in it."""
    first = region[0]
    name = None
    more: tuple[ir.Ident, ...] = ()
    if len(region) > 1:
        if first[0] == "NAME" and region[1][0] == "_EQUAL":
            name = ir.Ident(first[1], span=Span(first[2], first[3]))
        elif first[0] in _NAMING and region[1][0] == "NAME":
            name = ir.Ident(region[1][1], span=Span(region[1][2], region[1][3]))
        elif first[0] == "NAME" and region[1][0] == "_COMMA":  # `a, b = ...`: every name before '='
            targets = []
            k = 0
            while k + 1 < len(region) and region[k][0] == "NAME" and region[k + 1][0] in ("_COMMA", "_EQUAL"):
                targets.append(ir.Ident(region[k][1], span=Span(region[k][2], region[k][3])))
                if region[k + 1][0] == "_EQUAL":
                    break
                k += 2
            else:
                targets = []
            named = [t for t in targets if t.name != ir.DISCARD]
            if named:
                name, more = named[0], tuple(named[1:])
    names = tuple(t[1] for t in region if t[0] == "NAME")
    return ir.Broken(name, span=Span(first[2], region[-1][3]), names=names, more=more)
