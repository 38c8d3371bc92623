"""The fast engine: an LALR(1) driver on Lark's tables that builds the IR as it reduces.

The whole token stream runs through one automaton, for the grammar's `start: statement*`; nothing
cuts the text into statements beforehand, so the grammar alone decides what is accepted and where
each statement ends. At each reduction the rule's callback (`builder.py`) makes the IR node, shaped
exactly as Lark shapes a tree (see `Automaton`), so there is no parse tree, and the stacks are
lists, so 3,000 nested parentheses are only a long list (the lexer refuses them past 64).

The driver's loop is the program's hottest code: each action is a list index (the actions are kept
by terminal, indexed by state), a repetition `x*` grows one list in place (as Lark's own child
filter does: no copies, so a list of 100,000 items is linear), and a run of unit reductions
(`?rule`s with one child: an argument is an atom, a unary, a product, a sum, an expr, an arg)
becomes one remembered step.

For the next kinds of statement (blocks with `{ }` bodies, say): the driver does not change; the
grammar does, and recovery needs only to know which nonterminals are statements (`STATEMENTS`) and
which tokens are brackets (`lexer.OPENERS`, `lexer.CLOSERS`).

When the automaton meets a token it cannot take, or a callback reports a mistake (`Abort`), the
driver stops and `recovery.py` takes over: it reports the error, turns the statement being parsed
into an `ir.Broken`, and hands back where to go on lexing, with the automaton again at the level
where statements begin.
"""

from __future__ import annotations

from collections.abc import Iterable

from .. import ir
from ..diagnostics import Diagnostic
from ..source import SourceFile, Span
from .builder import Abort, Builder
from .lexer import Lexer, Scanner, Token
from .tables import tables

# the nonterminals that are statements: a statement begins in a state with a goto on one of them,
# and a statement that did not parse is reduced to one there (version 2 may add block bodies')
STATEMENTS = ("statement",)

ACCEPTED, FAILED, ABORTED = 0, 1, 2
_UNIT, _SIMPLE, _PICK, _EXTEND, _GENERAL = range(5)
_UNIT_CODE = -(1 << 24)  # in the driver's rows, a unit reduction by rule r is _UNIT_CODE - r


class Splice(list):
    """Children of an inlined helper rule (`_rule`, the `x*` of a rule), spliced into the parent's."""


class Automaton:
    """The tables in the form the driver uses.

    - `rows[terminal][state]`: a state to shift to (>= 0), ``-1 - rule`` to reduce by, or None
      (an error). Kept by terminal: a list index is the cheapest lookup the driver can make, and
      the terminal stays the same while a token's reductions run.
    - `gotos[nonterminal][state]`: the state after reducing to `nonterminal` on top of `state`.
    - `reducers[rule]`: ``(mode, size, goto column, callback, aux, expand1, splice)``, where
      `mode` says how the callback's children are gathered: _UNIT for a `?rule` of one child (the
      value stays, only the state changes), _SIMPLE when every child is kept as it is, _PICK when
      some are dropped (`aux`: the kept ones), _EXTEND when the first child is a repetition that
      grows in place by the kept others (`aux`), else _GENERAL (`aux`: which are kept).
    - `statement_states`: the states with a goto on a statement nonterminal: where one may begin.
    - `strong`: the terminals that only ever begin a statement (the statement keywords).
    """

    def __init__(self, tab: dict):
        self.rows: dict[str, list[int | None]] = tab["actions"]
        self.gotos: dict[str, dict[int, int]] = tab["gotos"]
        self.start: int = tab["start"]
        self.accept: int = tab["accept"]
        self.rules = tab["rules"]
        self.shape = [(origin, size) for origin, _name, size, *_rest in self.rules]
        self.terminals = tuple(sorted(self.rows))
        self.statement_states = frozenset().union(*(self.gotos[n] for n in STATEMENTS if n in self.gotos))
        self._strong: frozenset[str] | None = None
        self.reducers = []
        for origin, name, size, keep, expand1, splice, spliced in self.rules:
            aux: tuple[int, ...] = ()
            if size == 1 and expand1 and keep == (True,) and not splice and not any(spliced):
                mode = _UNIT
            elif not any(spliced):
                mode = _SIMPLE if all(keep) else _PICK
                aux = tuple(i for i, kept in enumerate(keep) if kept)
            elif spliced[0] and not any(spliced[1:]):
                mode = _EXTEND
                aux = tuple(i for i, kept in enumerate(keep) if kept and i)
            else:
                mode = _GENERAL
                aux = keep
            callback = getattr(Builder, name, None)
            self.reducers.append((mode, size, self.gotos[origin], callback, aux, expand1, splice))
        # the driver's copy of the rows marks unit reductions, so that it need not look them up
        units = {-1 - r for r, reducer in enumerate(self.reducers) if reducer[0] == _UNIT}
        self.driver_rows = {
            term: [_UNIT_CODE - (-1 - act) if act in units else act for act in row] for term, row in self.rows.items()
        }
        self.scanner = Scanner(tab)
        self.units: dict[tuple[int, int, str], int] = {}  # see unit_run

    @property
    def strong(self) -> frozenset[str]:
        """The terminals that only ever begin a statement: every state that shifts one is a
        statement-level state (worked out when first needed: only recovery asks)."""
        if self._strong is None:
            strong = set()
            for term, row in self.rows.items():
                shifted_in = {state for state, act in enumerate(row) if act is not None and act >= 0}
                if shifted_in and shifted_in <= self.statement_states:
                    strong.add(term)
            self._strong = frozenset(strong)
        return self._strong

    def statement_goto(self, state: int) -> int:
        """The state after a statement is reduced on top of `state` (a statement-level state)."""
        for name in STATEMENTS:
            target = self.gotos.get(name, {}).get(state)
            if target is not None:
                return target
        raise ValueError(f"state {state} is not where statements begin")

    def unit_run(self, below: int, rule: int, kind: str) -> int:
        """The top state after the unit reduction by `rule` and every unit reduction that follows
        on lookahead `kind`, with `below` the state under the top (which unit reductions keep)."""
        act = -1 - rule
        while True:
            _mode, _size, goto, *_rest = self.reducers[~act]
            top = goto[below]
            act = self.rows[kind][top]
            if act is None or act >= 0 or self.reducers[~act][0] != _UNIT:
                return top


_AUTOMATON: Automaton | None = None


def automaton() -> Automaton:
    global _AUTOMATON
    if _AUTOMATON is None:
        _AUTOMATON = Automaton(tables())
    return _AUTOMATON


class Parse:
    """One run of the fast engine over one text: the stacks, the lexer and the callbacks."""

    def __init__(self, auto: Automaton, lexer: Lexer, builder: Builder):
        self.auto = auto
        self.lexer = lexer
        self.builder = builder
        self.states: list[int] = [auto.start]
        self.values: list = []
        self.budget = 64 * len(lexer.text) + 10_000  # tokens error recovery may look ahead, in all

    def run(self, tokens: Iterable[Token]) -> tuple[int, Token]:
        """Feed tokens until the text is accepted, or a token cannot be taken (FAILED), or a
        callback gave up on its statement (ABORTED); returns that and the token."""
        rows = self.auto.driver_rows
        reducers = self.auto.reducers
        accept = self.auto.accept
        units = self.auto.units
        unit_run = self.auto.unit_run
        builder = self.builder
        states = self.states
        values = self.values
        push_state = states.append
        push_value = values.append
        splice_type = Splice
        state = states[-1]
        tok = None
        try:
            for tok in tokens:
                kind = tok[0]
                row = rows.get(kind)  # the action on `kind` in each state
                if row is None:  # not a terminal of the grammar ($DEEP, $UNCLOSED)
                    return FAILED, tok
                while True:
                    act = row[state]
                    if act is None:
                        return FAILED, tok
                    if act >= 0:
                        push_state(act)
                        push_value(tok)
                        state = act
                        break
                    if act <= _UNIT_CODE:
                        # a run of unit reductions (an argument is an atom, a unary, a product, a
                        # sum, an expr, an arg) ends in a state that depends only on the state
                        # below, the first rule and the lookahead: remembered after the first time
                        key = (states[-2], act, kind)
                        state = units.get(key)
                        if state is None:
                            state = units[key] = unit_run(states[-2], _UNIT_CODE - act, kind)
                        states[-1] = state
                        continue
                    mode, size, goto, callback, aux, expand1, splice = reducers[~act]
                    if size == 1 and mode == _SIMPLE:  # one child: the top changes in place
                        child = values[-1]
                        if splice:
                            value = splice_type((child,))
                        elif expand1:
                            value = child
                        else:
                            value = callback(builder, [child])
                        state = goto[states[-2]]
                        states[-1] = state
                        values[-1] = value
                        if state == accept:
                            return ACCEPTED, tok
                        continue
                    if size:
                        children = values[-size:]
                        del values[-size:]
                        del states[-size:]
                    else:
                        children = []
                    if mode == _SIMPLE:
                        kids = children
                    elif mode == _PICK:
                        kids = [children[i] for i in aux]
                    elif mode == _EXTEND:  # a left-recursive repetition grows its one list in place
                        kids = children[0]
                        for i in aux:
                            kids.append(children[i])
                    else:
                        kids = []
                        for child, kept in zip(children, aux, strict=True):
                            if type(child) is splice_type:
                                kids.extend(child)
                            elif kept:
                                kids.append(child)
                    if splice:
                        value = kids if type(kids) is splice_type else splice_type(kids)
                    elif expand1 and len(kids) == 1:
                        value = kids[0]
                    else:
                        value = callback(builder, kids)
                    state = goto[states[-1]]
                    push_state(state)
                    push_value(value)
                    if state == accept:
                        return ACCEPTED, tok
        except Abort:
            return ABORTED, tok
        raise AssertionError("the token stream ended without $END")  # pragma: no cover


def parse_program(source: SourceFile) -> tuple[ir.Program, list[Diagnostic]]:
    """The fast engine: the IR (with `ir.Broken` for statements that did not parse) and the syntax
    diagnostics. Never raises for any text."""
    text = source.text
    diags: list[Diagnostic] = []
    comments: list[ir.Comment] = []
    auto = automaton()
    lexer = Lexer(auto.scanner, text, diags, comments)
    parse = Parse(auto, lexer, Builder(diags))
    restart = 0
    while True:
        status, tok = parse.run(lexer.tokens(restart))
        if status == ACCEPTED:
            break
        from .recovery import recover  # noqa: PLC0415 - only a text with errors pays for it

        before, depth = restart, len(parse.states)
        restart = recover(parse, tok, aborted=status == ABORTED)
        # (a grammar where $END can fail at a statement level); closing an unclosed block's body at
        # the end of the text is progress: the stack is then shallower
        if restart <= before and tok[0] == "$END" and len(parse.states) >= depth:
            raise AssertionError("error recovery made no progress at the end of the text")
    statements = parse.values[-1]
    return ir.Program(tuple(statements), tuple(comments), span=Span(0, len(text))), diags
