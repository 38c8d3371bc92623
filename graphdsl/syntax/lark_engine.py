"""The Lark engine: Lark's own LALR(1) parser and basic lexer on the grammar file.

``lark.Lark(grammar, parser="lalr", lexer="basic")`` parses with the IR-building callbacks of
`builder.py` as its transformer (Lark's tokens converted to the tuples they take), so it builds the
same IR with the same spans as the fast engine, from the grammar file alone. It is the reference
the fast engine is proven equal to (`tests/test_engines.py`), and what `engine="lark"` runs.

Syntax errors are diagnostics here too: what was expected comes from Lark's `InteractiveParser`
(`accepts()`), and the message from the same words as the fast engine's. Recovery is simpler than
the fast engine's: the statement being parsed becomes an `ir.Broken` (the automaton is put back at
the level where statements begin, as the fast engine does), and parsing goes on at the next line
that begins with a statement keyword or with `NAME =`. The same limits apply: brackets nested
`MAX_NESTING` deep and the callbacks' own (numbers, expression depth).
"""

from __future__ import annotations

import threading

import lark
from lark.exceptions import UnexpectedCharacters, UnexpectedToken
from lark.lexer import LexerThread, Token

from .. import ir
from ..diagnostics import Diagnostic, Severity
from ..source import SourceFile, Span
from .builder import CALLBACKS, Abort, Builder
from .errors import bad_characters, syntax_diagnostic, too_deep
from .lalr import STATEMENTS
from .lexer import CLOSERS, COMMENT, MAX_NESTING, OPENERS
from .recovery import broken_statement
from .tables import START, grammar_text

_LOCK = threading.Lock()


class _Calls:
    """Lark's transformer: each rule's callback converts Lark's tokens and calls the `Builder` of the
    parse in progress (one at a time, under `_LOCK`)."""

    builder: Builder | None = None
    comments: list[ir.Comment] | None = None

    def comment(self, tok: Token) -> Token:
        self.comments.append(ir.Comment(tok.value[1:], span=Span(tok.start_pos, tok.end_pos)))
        return tok


def _callback(name: str):
    method = getattr(Builder, name)

    def callback(self: _Calls, children: list) -> object:
        kids = [(c.type, c.value, c.start_pos, c.end_pos) if type(c) is Token else c for c in children]
        return method(self.builder, kids)

    callback.__name__ = name
    return callback


for _name in CALLBACKS:
    setattr(_Calls, _name, _callback(_name))

_CALLS = _Calls()
_LARK: lark.Lark | None = None


def _lark() -> lark.Lark:
    global _LARK
    if _LARK is None:
        _LARK = lark.Lark(grammar_text(), parser="lalr", lexer="basic", start=START, transformer=_CALLS,
                          lexer_callbacks={COMMENT: _CALLS.comment})
    return _LARK


def parse_program(source: SourceFile) -> tuple[ir.Program, list[Diagnostic]]:
    """Parse with Lark: the IR (with `ir.Broken` for statements that did not parse) and the syntax
    diagnostics. Never raises for any text."""
    with _LOCK:
        parser = _lark()
        diags: list[Diagnostic] = []
        comments: list[ir.Comment] = []
        _CALLS.builder = Builder(diags)
        _CALLS.comments = comments
        try:
            return _parse(parser, source.text, diags, comments)
        finally:
            _CALLS.builder = _CALLS.comments = None


def _lex(parser: lark.Lark, text: str, diags: list[Diagnostic]) -> list[Token]:
    """Lark's basic lexer over the whole text; what it cannot match becomes a diagnostic (an
    unclosed string, the rest of its line, a "$UNCLOSED" token the parser will not take)."""
    lexer = parser.parser.lexer
    state = LexerThread.from_text(lexer, text).state
    tokens = []
    while True:
        try:
            tokens.append(lexer.next_token(state))
        except EOFError:
            break
        except UnexpectedCharacters as err:
            pos = err.pos_in_stream
            if text[pos] in "\"'":
                end = text.find("\n", pos)
                end = len(text) if end == -1 else end
                diags.append(Diagnostic("GD0002", Severity.ERROR, "unclosed string", Span(pos, end),
                                        help=f"close the string with {text[pos]} before the end of the line"))
                tokens.append(Token("$UNCLOSED", text[pos:end], start_pos=pos, end_pos=end))
            else:
                end = pos + 1
                while end < len(text) and not text[end].isspace() and lexer.match(state.text, end) is None:
                    end += 1
                diags.append(bad_characters(text[pos:end], pos, end))
            state.line_ctr.feed(text[pos:end])
    tokens.append(Token("$END", "", start_pos=len(text), end_pos=len(text)))
    return tokens


def _parse(parser: lark.Lark, text: str, diags: list[Diagnostic], comments: list[ir.Comment]):
    tokens = _lex(parser, text, diags)
    interactive = parser.parse_interactive(start=START)
    stacks = interactive.parser_state
    table = stacks.parse_conf.states
    depth = 0
    i = 0
    while True:
        tok = tokens[i]
        if tok.type in OPENERS:
            depth += 1
        elif tok.type in CLOSERS and depth:
            depth -= 1
        if depth > MAX_NESTING:
            diags.append(too_deep((tok.type, tok.value, tok.start_pos, tok.end_pos)))
            i = _recover(interactive, table, tokens, i, False, text, diags)
            depth = 0
            continue
        try:
            result = interactive.feed_token(tok)
        except UnexpectedToken:
            # an unclosed string was reported by the lexer
            i = _recover(interactive, table, tokens, i, tok.type != "$UNCLOSED", text, diags)
            depth = 0
            continue
        except Abort:  # a callback reported why its statement cannot be kept
            i = _recover(interactive, table, tokens, i, False, text, diags)
            depth = 0
            continue
        if tok.type == "$END":
            break
        i += 1
    program = result
    return ir.Program(tuple(program), tuple(comments), span=Span(0, len(text))), diags


def _recover(interactive, table, tokens: list[Token], i: int, report: bool, text: str,
             diags: list[Diagnostic]) -> int:
    """Report the syntax error at token `i` (if `report`), make the statement an `ir.Broken`, and
    return the token to go on from."""
    states = interactive.parser_state.state_stack
    values = interactive.parser_state.value_stack
    if tokens[i].type == "$END":
        brace = next((k for k, v in enumerate(values) if type(v) is Token and v.type == "LBRACE"), None)
        if brace is not None:  # the file ended inside a block's body: the whole block is broken
            level = brace
            while not any(name in table[states[level]] for name in STATEMENTS):
                level -= 1
            start_offset = _start_of(values[level])
            s = i
            while s > 0 and tokens[s - 1].start_pos >= start_offset:
                s -= 1
            stmt = [(t.type, t.value, t.start_pos, t.end_pos) for t in tokens[s:i]]
            end = len(text)
            diags.append(syntax_diagnostic(("$END", "", end, end), {"RBRACE"}, stmt, True, text))
            del states[level + 1 :]
            del values[level:]
            states.append(next(table[states[level]][name][1] for name in STATEMENTS if name in table[states[level]]))
            values.append(_broken(tokens[s:i]))
            return i
    level = len(states) - 1
    while not any(name in table[states[level]] for name in STATEMENTS):
        level -= 1
    start_offset = _start_of(values[level]) if len(values) > level else tokens[i].start_pos
    s = i
    while s > 0 and tokens[s - 1].start_pos >= start_offset:
        s -= 1
    stmt = [(t.type, t.value, t.start_pos, t.end_pos) for t in tokens[s:i]]
    if report:
        tok = tokens[i]
        diags.append(syntax_diagnostic((tok.type, tok.value, tok.start_pos, tok.end_pos),
                                       set(interactive.accepts()), stmt, tok.type == "$END", text))
    # go on at the next line that begins a statement (a keyword, or NAME =)
    j = i + 1 if i == s else i
    while tokens[j].type != "$END":
        tok = tokens[j]
        at_line_start = "\n" in text[tokens[j - 1].end_pos : tok.start_pos]
        if at_line_start and table[states[level]].get(tok.type) is not None and (
            tok.type != "NAME" or tokens[j + 1].type == "_EQUAL"
        ):
            break
        j += 1
    region = tokens[s:j]
    del states[level + 1 :]
    del values[level:]
    states.append(next(table[states[level]][name][1] for name in STATEMENTS if name in table[states[level]]))
    values.append(_broken(region))
    return j


def _start_of(value) -> int:
    if type(value) is Token:
        return value.start_pos
    if isinstance(value, tuple):  # a Clause
        return value[1][2]
    if isinstance(value, lark.Tree):
        return _start_of(value.children[0])
    if isinstance(value, list):
        return _start_of(value[0])
    return value.span.start


def _broken(region: list[Token]) -> ir.Broken:
    return broken_statement([(t.type, t.value, t.start_pos, t.end_pos) for t in region])
