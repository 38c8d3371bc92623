"""Text -> IR. Syntax errors become diagnostics; no input raises.

How it is fast and never recurses:
- A hand-written lexer (one regular expression) emits the terminals named in
  ``grammar/graphdsl.lark`` as plain tuples ``(type, value, start, end)``.
- The token stream is cut into statements (each begins with a statement keyword, or with
  ``NAME =`` outside brackets), so one syntax error costs one statement, not the file.
- Each statement runs through an LALR(1) automaton whose tables Lark computes from the grammar.
  The tables are cached in ``graphdsl/_tables.py`` (written by ``scripts/gen_parser.py`` and
  checked by a test); if they do not match the grammar file, they are rebuilt with Lark at run
  time. The driver below applies IR-building callbacks at each reduction, so no parse tree is
  ever built, and its stacks are lists, so 3,000 nested parentheses are only a long list (the
  nesting limit below then refuses them with a diagnostic).

This is the only module that imports Lark, and it does so only to (re)build the tables.
"""

from __future__ import annotations

import os
import re

from . import ir
from .diagnostics import Diagnostic, Label, Severity
from .records import replace
from .source import SourceFile, Span

MAX_NESTING = 64  # brackets deep; far beyond any real program, far below Python's recursion limit

KEYWORDS = {
    "model": "MODEL",
    "param": "PARAM",
    "input": "INPUT",
    "layer": "LAYER",
    "output": "OUTPUT",
    "loss": "LOSS",
    "weight": "WEIGHT",
    "metrics": "METRICS",
    "optimizer": "OPTIMIZER",
    "True": "TRUE",
    "False": "FALSE",
    "None": "NONE",
}
RESERVED = ("model", "param", "input", "layer", "output", "loss", "weight", "metrics", "optimizer")
_STATEMENT_KEYWORDS = frozenset({"MODEL", "PARAM", "INPUT", "LAYER", "OUTPUT", "OPTIMIZER"})
_NAMING_KEYWORDS = frozenset({"PARAM", "INPUT", "LAYER", "OUTPUT"})
_NAME_POSITIONS = _NAMING_KEYWORDS | {"MODEL", "_EQUAL", "_ARROW", "LPAR", "_COMMA"}

_OPS = {
    "->": "_ARROW",
    "//": "DSLASH",
    "(": "LPAR",
    ")": "RPAR",
    "[": "LSQB",
    "]": "RSQB",
    ",": "_COMMA",
    ":": "_COLON",
    "=": "_EQUAL",
    "?": "QMARK",
    "+": "PLUS",
    "-": "MINUS",
    "*": "STAR",
    "/": "SLASH",
}

# One alternative per kind of token; every character of any text is matched by exactly one of
# them (the last is a catch-all), so `findall` covers the text and positions are running sums.
_SCAN = re.compile(
    r"""
     ([ \t\f\r\n]+)                                          # 0 white space
    |([^\W\d]\w*)                                             # 1 name or keyword
    |((?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)(?:[eE][+-]?[0-9]+)?)    # 2 number
    |("(?:[^"\\\n]|\\[^\n])*"|'(?:[^'\\\n]|\\[^\n])*')          # 3 string
    |(->|//|[()\[\],:=?+\-*/])                                # 4 punctuation
    |(\#[^\n]*)                                               # 5 comment
    |(["'][^\n]*)                                             # 6 unclosed string
    |((?:(?![\s\w"'\#()\[\],:=?+\-*/]).)+|.)                   # 7 anything else
    """,
    re.VERBOSE | re.DOTALL,
)

Token = tuple  # (type, value, start, end)

# ---- words a person knows for each terminal ------------------------------------------------

_DISPLAY = {
    "NAME": "a name",
    "NUMBER": "a number",
    "STRING": "a string",
    "_ARROW": "'->'",
    "DSLASH": "'//'",
    "LPAR": "'('",
    "RPAR": "')'",
    "LSQB": "'['",
    "RSQB": "']'",
    "_COMMA": "','",
    "_COLON": "':'",
    "_EQUAL": "'='",
    "QMARK": "'?'",
    "PLUS": "'+'",
    "MINUS": "'-'",
    "STAR": "'*'",
    "SLASH": "'/'",
    "$END": "the end of the statement",
}
for _word, _term in KEYWORDS.items():
    _DISPLAY[_term] = f"'{_word}'"
_VALUE_STARTS = frozenset({"NAME", "NUMBER", "STRING", "LPAR", "LSQB", "MINUS", "PLUS", "TRUE", "FALSE", "NONE"})
_OPERATORS = frozenset({"PLUS", "MINUS", "STAR", "SLASH", "DSLASH"})
_ORDER = [
    "RPAR", "RSQB", "_COMMA", "_ARROW", "_EQUAL", "_COLON", "LPAR", "LSQB", "NAME", "NUMBER", "QMARK",
    "LOSS", "WEIGHT", "METRICS", "$END",
]


# ---- tables -------------------------------------------------------------------------------------


def grammar_path() -> str:
    """Where the grammar file is: inside the installed package, or in the source checkout."""
    here = os.path.dirname(os.path.abspath(__file__))
    for candidate in (
        os.path.join(here, "grammar", "graphdsl.lark"),
        os.path.join(os.path.dirname(here), "grammar", "graphdsl.lark"),
    ):
        if os.path.isfile(candidate):
            return candidate
    raise FileNotFoundError("graphdsl.lark not found beside the graphdsl package")


def grammar_text() -> str:
    with open(grammar_path(), encoding="utf-8") as fh:
        return fh.read()


def build_tables(grammar: str) -> dict:
    """Compute the LALR(1) tables from the grammar with Lark (the only use of Lark)."""
    import lark  # noqa: PLC0415 - imported only when the cached tables are stale

    parser = lark.Lark(grammar, parser="lalr", start=["start", "statement"])
    table = parser.parser.parser.parser.parse_table
    rules = list(parser.rules)
    rule_index = {id(rule): i for i, rule in enumerate(rules)}
    states = {}
    for state, actions in table.states.items():
        row = {}
        for sym, (action, arg) in actions.items():
            if action.name == "Shift":
                row[sym] = (0, arg)
            else:
                row[sym] = (1, rule_index[id(arg)])
        states[state] = row
    rule_rows = []
    for rule in rules:
        keep = tuple(
            not (sym.is_term and sym.filter_out) and not (sym.is_term and sym.name.startswith("_"))
            for sym in rule.expansion
        )
        origin = str(rule.origin.name)
        name = str(rule.alias) if rule.alias else origin
        rule_rows.append(
            (
                origin,
                name,
                len(rule.expansion),
                keep,
                bool(rule.options.expand1) and not rule.alias,
                origin.startswith("_"),
                any(not sym.is_term and sym.name.startswith("_") for sym in rule.expansion),
            )
        )
    # Lark numbers states in set-iteration order, which changes with the hash seed; renumber them
    # breadth-first from the start states so the generated file is the same on every run.
    order: dict = {}
    queue = [table.start_states[s] for s in sorted(table.start_states)]
    while queue:
        state = queue.pop(0)
        if state in order:
            continue
        order[state] = len(order)
        queue += [arg for _sym, (act, arg) in sorted(states[state].items()) if act == 0]
    for state in states:  # states reachable only through gotos of the end states (none expected)
        order.setdefault(state, len(order))
    renumbered = {
        order[state]: {sym: (act, order[arg] if act == 0 else arg) for sym, (act, arg) in row.items()}
        for state, row in states.items()
    }
    return {
        "grammar": grammar,  # the tables are stale unless the grammar file is exactly this
        "states": dict(sorted(renumbered.items())),
        "rules": rule_rows,
        "start_states": {k: order[v] for k, v in sorted(table.start_states.items())},
        "end_states": {k: order[v] for k, v in sorted(table.end_states.items())},
    }


def _load_tables() -> dict:
    grammar = grammar_text()
    try:
        from . import _tables  # noqa: PLC0415

        if _tables.TABLES.get("grammar") == grammar:
            return _tables.TABLES
    except ImportError:
        pass
    return build_tables(grammar)


_TABLES: dict | None = None


def tables() -> dict:
    global _TABLES
    if _TABLES is None:
        _TABLES = _load_tables()
    return _TABLES


# ---- lexing ----------------------------------------------------------------------------------


def _lex(text: str, diags: list[Diagnostic], comments: list[ir.Comment]) -> list[Token]:
    tokens: list[Token] = []
    append = tokens.append
    keywords = KEYWORDS
    ops = _OPS
    bad_names: set[str] = set()
    pos = 0
    for ws, name, number, string, op, comment, badstring, bad in _SCAN.findall(text):
        if ws:
            pos += len(ws)
        elif name:
            end = pos + len(name)
            if name.isascii():
                append((keywords.get(name, "NAME"), name, pos, end))
            else:
                append(("NAME", name, pos, end, "non-ascii"))
                if name not in bad_names:
                    bad_names.add(name)
                    diags.append(
                        Diagnostic("GD0001", Severity.ERROR, f"'{_clip(name)}' is not a valid name", Span(pos, end),
                                   help="names use the letters A-Z and a-z, digits and _ (and do not start "
                                   "with a digit)")
                    )
            pos = end
        elif op:
            end = pos + len(op)
            append((ops[op], op, pos, end))
            pos = end
        elif number:
            end = pos + len(number)
            append(("NUMBER", number, pos, end))
            pos = end
        elif string:
            end = pos + len(string)
            append(("STRING", string, pos, end))
            pos = end
        elif comment:
            end = pos + len(comment)
            comments.append(ir.Comment(comment[1:], span=Span(pos, end)))
            pos = end
        elif badstring:
            end = pos + len(badstring)
            quote = badstring[0]
            diags.append(
                Diagnostic("GD0002", Severity.ERROR, "unclosed string", Span(pos, end),
                           help=f"close the string with {quote} before the end of the line")
            )
            append(("STRING", quote + quote, pos, end, "unclosed"))
            pos = end
        else:
            end = pos + len(bad)
            diags.append(_bad_characters(bad, pos, end))
            pos = end
    return tokens


def _bad_characters(run: str, start: int, end: int) -> Diagnostic:
    ch = run[0]
    if len(run) > 1:
        shown = f"characters {_clip(run)!r}" if run.isprintable() else f"{len(run)} unexpected characters"
    else:
        shown = "character " + (repr(ch) if ch.isprintable() and ch != "'" else f"U+{ord(ch):04X}")
    help_ = None
    if len(run) == 1:
        if ch in "{}":
            help_ = "graphdsl has no braces; arguments go in ( ) and lists in [ ]"
        elif ch == ";":
            help_ = "statements need no separator: start the next one on a new line"
        elif ch == ">":
            help_ = "chain steps are joined with '->'"
    return Diagnostic("GD0001", Severity.ERROR, f"unexpected {shown}", Span(start, end), help=help_)


def _clip(text: str, limit: int = 40) -> str:
    """Shorten what a message quotes: a 5 MB name must not become a 5 MB message."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _split(tokens: list[Token], text: str) -> list[list[Token]]:
    """Cut the token stream into statements (see the module docstring)."""
    statements: list[list[Token]] = []
    current: list[Token] = []
    depth = 0
    n = len(tokens)
    for i, tok in enumerate(tokens):
        kind = tok[0]
        starts = False
        if kind in _STATEMENT_KEYWORDS:
            # ... unless it stands where a name belongs (`output input = ...`): that is the
            # keyword-as-name mistake, reported by the parser with its own message. At the start
            # of a line it is a new statement all the same (`y =` left unfinished above it).
            starts = not current or current[-1][0] not in _NAME_POSITIONS or _at_line_start(text, tok[2])
        elif kind == "NAME" and i + 1 < n and tokens[i + 1][0] == "_EQUAL" and current:
            prev = current[-1][0]
            if depth == 0:
                starts = prev not in _NAMING_KEYWORDS
            elif _at_line_start(text, tok[2]) and (
                prev not in ("_COMMA", "LPAR", "LSQB") or _arrow_on_line(tokens, i, text)
            ):
                # `NAME =` at the start of a line inside brackets: a `)` was forgotten above
                # (a keyword argument on its own line follows a ',' or '(' and has no '->').
                starts = True
        if starts and current:
            statements.append(current)
            current = []
            depth = 0
        current.append(tok)
        if kind == "LPAR" or kind == "LSQB":
            depth += 1
        elif (kind == "RPAR" or kind == "RSQB") and depth:
            depth -= 1
    if current:
        statements.append(current)
    return statements


def _arrow_on_line(tokens: list[Token], i: int, text: str) -> bool:
    line_end = text.find("\n", tokens[i][2])
    line_end = len(text) if line_end == -1 else line_end
    for tok in tokens[i + 2 :]:
        if tok[2] >= line_end:
            return False
        if tok[0] == "_ARROW":
            return True
    return False


def _at_line_start(text: str, pos: int) -> bool:
    line_start = text.rfind("\n", 0, pos) + 1
    return not text[line_start:pos].strip()


# ---- IR building callbacks -------------------------------------------------------------------


class _Abort(Exception):
    """Raised by a callback that has reported why its statement cannot be kept."""


MAX_EXPR_DEPTH = 100  # operators deep in one expression; later passes walk expressions recursively


class _Builder:
    """Callbacks run at each LALR reduction; they return IR nodes."""

    def __init__(self, diags: list[Diagnostic]):
        self.diags = diags
        self.depth: dict[int, int] = {}  # id(expression node) -> operator depth, for this statement

    def _deep(self, node, *children):
        d = 1 + max((self.depth.get(id(c), 0) for c in children), default=0)
        if d > MAX_EXPR_DEPTH:
            self.diags.append(
                Diagnostic("GD0004", Severity.ERROR, f"expression nested more than {MAX_EXPR_DEPTH} operators deep",
                           node.span, help="split it into params")
            )
            raise _Abort
        self.depth[id(node)] = d
        return node

    # statements
    def model_stmt(self, c):
        return ir.ModelDecl(_ident(c[1]), span=_sp(c[0], c[1]))

    def param_stmt(self, c):
        return ir.ParamDecl(_ident(c[1]), c[2], span=_sp(c[0], c[2]))

    def input_stmt(self, c):
        return ir.InputDecl(_ident(c[1]), _ident(c[2]), tuple(c[4:-1]), span=_sp(c[0], c[-1]))

    def dim(self, c):
        tok = c[0]
        span = Span(tok[2], tok[3])
        if tok[0] == "QMARK":
            return ir.Dim(None, span=span)
        if not tok[1].isdigit():
            self.diags.append(
                Diagnostic("GD0005", Severity.ERROR, f"a dimension must be a whole number, not {tok[1]}", span,
                           help="write a positive integer, or ? for a size known only at run time")
            )
            raise _Abort
        return ir.Dim(self._int(tok[1], span), span=span)

    def assign_stmt(self, c):
        return ir.Assign(_ident(c[0]), c[1], span=_sp(c[0], c[1]))

    def layer_stmt(self, c):
        return ir.LayerDecl(_ident(c[1]), c[2], span=_sp(c[0], c[2]))

    def output_stmt(self, c):
        fields: dict[str, object] = {}
        clause_spans = []
        for kind, kw, value, _end_pos in c[3:]:
            kw_span = Span(kw[2], kw[3])
            if kind in fields:
                first = dict(clause_spans)[kind]
                self.diags.append(
                    Diagnostic("GD0007", Severity.ERROR, f"'{kind}' is given twice for output '{c[1][1]}'", kw_span,
                               labels=(Label(first, "first given here"),), help=f"keep one '{kind}' clause")
                )
                continue
            fields[kind] = value
            clause_spans.append((kind, kw_span))
        end = c[-1][3] if len(c) > 3 else c[2].span.end
        return ir.OutputDecl(
            _ident(c[1]),
            c[2],
            loss=fields.get("loss"),
            weight=fields.get("weight"),
            metrics=fields.get("metrics"),
            span=Span(c[0][2], end),
            clause_spans=tuple(clause_spans),
        )

    def optimizer_stmt(self, c):
        return ir.OptimizerDecl(c[1], span=_sp(c[0], c[1]))

    # clauses are (kind, keyword token, value, end offset), gathered by output_stmt
    def loss_clause(self, c):
        return _Clause(("loss", c[0], c[1], c[1].span.end))

    def weight_clause(self, c):
        return _Clause(("weight", c[0], c[1], c[1].span.end))

    def metrics_clause(self, c):
        return _Clause(("metrics", c[0], tuple(c[2:-1]), c[-1][3]))

    def spec(self, c):
        return ir.Spec(_ident(c[0]), None, span=_sp(c[0], c[0]))

    def called_spec(self, c):
        return ir.Spec(_ident(c[0]), tuple(c[2:-1]), span=_sp(c[0], c[-1]))

    def chain(self, c):
        return ir.Chain(c[0], tuple(c[1:]), span=_sp(c[0], c[-1]))

    def call(self, c):
        args = tuple(a if isinstance(a, ir.Arg) else ir.Arg(None, a, span=a.span) for a in c[2:-1])
        node = ir.Call(_ident(c[0]), args, span=_sp(c[0], c[-1]))
        return self._deep(node, *(a.value for a in args))

    def kwarg(self, c):
        return ir.Arg(_ident(c[0]), c[1], span=_sp(c[0], c[1]))

    # expressions
    def binop(self, c):
        return self._deep(ir.BinOp(c[1][1], c[0], c[2], span=_sp(c[0], c[2])), c[0], c[2])

    def neg(self, c):
        return self._deep(ir.Neg(c[1], span=_sp(c[0], c[1])), c[1])

    def pos(self, c):
        return c[1]

    def number(self, c):
        tok = c[0]
        text = tok[1]
        span = Span(tok[2], tok[3])
        if any(ch in text for ch in ".eE"):
            value = float(text)
            if value == float("inf"):
                self.diags.append(Diagnostic("GD0005", Severity.ERROR, f"number {_clip(text)} is too large", span,
                                             help="the largest float is about 1.8e308"))
                raise _Abort
            return ir.Number(value, span=span)
        return ir.Number(self._int(text, span), span=span)

    def _int(self, text: str, span: Span) -> int:
        if len(text) > 30:  # int() of a 5,000-digit string raises; no real size is that long
            self.diags.append(Diagnostic("GD0005", Severity.ERROR, "integer literal is too large", span,
                                         help="integers have at most 30 digits here; no layer is that large"))
            raise _Abort
        return int(text)

    def string(self, c):
        tok = c[0]
        return ir.String(_unescape(tok[1][1:-1]), span=Span(tok[2], tok[3]))

    def true(self, c):
        return ir.Bool(True, span=Span(c[0][2], c[0][3]))

    def false(self, c):
        return ir.Bool(False, span=Span(c[0][2], c[0][3]))

    def none(self, c):
        return ir.NoneLit(span=Span(c[0][2], c[0][3]))

    def ref(self, c):
        return ir.Ref(c[0][1], span=Span(c[0][2], c[0][3]))

    def paren(self, c):
        # the same expression, located at its parentheses (so `(a + 1) // 0` is underlined whole)
        inner = replace(c[1], span=_sp(c[0], c[2]))
        self.depth[id(inner)] = self.depth.get(id(c[1]), 0)
        return inner

    def tuple(self, c):
        return self._deep(ir.TupleLit(tuple(c[1:-1]), span=_sp(c[0], c[-1])), *c[1:-1])

    def list(self, c):
        return self._deep(ir.ListLit(tuple(c[1:-1]), span=_sp(c[0], c[-1])), *c[1:-1])


class _Clause(tuple):
    """An output clause; a tuple subclass so it is never mistaken for a token."""


def _start(x) -> int:
    return x[2] if type(x) is tuple else x.span.start


def _end(x) -> int:
    return x[3] if type(x) is tuple else x.span.end


def _sp(a, b) -> Span:
    return Span(_start(a), _end(b))


def _ident(tok: Token) -> ir.Ident:
    return ir.Ident(tok[1], span=Span(tok[2], tok[3]))


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"', "0": "\0"}


def _unescape(body: str) -> str:
    if "\\" not in body:
        return body
    out = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append(_ESCAPES.get(nxt, "\\" + nxt))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


# ---- the LALR driver -------------------------------------------------------------------------


class _SyntaxError(Exception):
    def __init__(self, token: Token, expected: frozenset[str]):
        self.token = token
        self.expected = expected


class _Splice(list):
    """Children of an inlined helper rule (`_rule`, `x*`), spliced into the parent's."""


_GENERAL, _UNIT, _SIMPLE = 0, 1, 2


def _make_reducers(tab: dict, builder: _Builder) -> list[tuple]:
    """Per rule: (origin, size, callback, keep mask, expand1, splice, mode), precomputed so the
    driver's inner loop does little. `mode` is _UNIT for a `?rule` of one child (the value stays
    as it is, only the state changes), _SIMPLE when every child is kept and none can be a splice,
    else _GENERAL."""
    reducers = []
    for origin, name, size, keep, expand1, splice, has_splices in tab["rules"]:
        callback = getattr(builder, name, None)
        if size == 1 and expand1 and keep == (True,) and not splice and not has_splices:
            mode = _UNIT
        elif all(keep) and not has_splices:
            mode = _SIMPLE
        else:
            mode = _GENERAL
        reducers.append((origin, size, callback, keep, expand1, splice, mode))
    return reducers


class _Retry(Exception):
    """A syntax error in the fast pass: parse again, noting what was expected."""


def _drive(tokens: list[Token], tab: dict, reducers, start: str, diagnose: bool = False):
    """Run the LALR automaton over one statement's tokens, building its IR node.

    The fast pass keeps no history; on a syntax error the statement is run again with
    `diagnose` set, which remembers the stack before each token's reductions so the error can
    say exactly which tokens would have been accepted."""
    states = tab["states"]
    end_state = tab["end_states"][start]
    state_stack = [tab["start_states"][start]]
    values: list = []
    push_state = state_stack.append
    push_value = values.append
    last = tokens[-1]
    end_tok = ("$END", "", last[3], last[3])
    splice_type = _Splice
    for tok in (*tokens, end_tok):
        kind = tok[0]
        before = None
        while True:
            action = states[state_stack[-1]].get(kind)
            if action is None:
                if not diagnose:
                    raise _Retry
                raise _SyntaxError(tok, _expected(tab, before or state_stack, end_state))
            if action[0] == 0:
                push_state(action[1])
                push_value(tok)
                break
            if diagnose and before is None:
                before = state_stack[:]
            origin, size, callback, keep, expand1, splice, mode = reducers[action[1]]
            if mode == _UNIT:
                del state_stack[-1]
                push_state(states[state_stack[-1]][origin][1])
            else:
                if size:
                    children = values[-size:]
                    del values[-size:]
                    del state_stack[-size:]
                else:
                    children = []
                if mode == _SIMPLE:
                    kids = children
                else:
                    kids = []
                    for child, kept in zip(children, keep, strict=True):
                        if type(child) is splice_type:
                            kids.extend(child)
                        elif kept:
                            kids.append(child)
                if splice:
                    value = splice_type(kids)
                elif expand1 and len(kids) == 1:
                    value = kids[0]
                else:
                    value = callback(kids)
                push_state(states[state_stack[-1]][origin][1])
                push_value(value)
            if tok is end_tok and state_stack[-1] == end_state:
                return values[-1]
    raise AssertionError("the automaton ended without accepting")  # pragma: no cover


def _expected(tab: dict, stack: list, end_state: int) -> frozenset[str]:
    """The terminals that the automaton, in the configuration `stack`, would accept next.

    Looking at one state's row is not enough: LALR reduces on lookaheads that only fit the
    enclosing context, so each candidate is run through its reductions on a copy of the stack.
    """
    states = tab["states"]
    rules = tab["rules"]
    terminals = {k for row in states.values() for k in row if k.isupper()}
    accepted = set()
    for term in terminals:
        st = list(stack)
        while True:
            action = states[st[-1]].get(term)
            if action is None:
                break
            if action[0] == 0:
                accepted.add(term)
                break
            origin, _name, size, *_rest = rules[action[1]]
            if size:
                del st[-size:]
            st.append(states[st[-1]][origin][1])
            if term == "$END" and st[-1] == end_state:
                accepted.add(term)
                break
    return frozenset(accepted)


# ---- syntax error messages -------------------------------------------------------------------


def _describe(tok: Token, at_file_end: bool) -> str:
    kind = tok[0]
    if kind == "$END":
        return "the end of the file" if at_file_end else "the end of the statement"
    if kind in _STATEMENT_KEYWORDS or kind in ("LOSS", "WEIGHT", "METRICS"):
        return f"the keyword '{tok[1]}'"
    if kind == "STRING":
        return "a string"
    value = tok[1] if len(tok[1]) <= 30 else tok[1][:27] + "..."
    return f"'{value}'"


def _expected_words(expected: frozenset[str]) -> str:
    exp = set(expected)
    words = []
    if len(exp & _VALUE_STARTS) >= 5:
        exp -= _VALUE_STARTS
        words.append("a value")
    if exp - _OPERATORS:
        exp -= _OPERATORS
    ordered = sorted(exp, key=lambda k: (_ORDER.index(k) if k in _ORDER else len(_ORDER), k))
    words += [_DISPLAY.get(k, k) for k in ordered]
    words = list(dict.fromkeys(words))
    if len(words) > 5:
        words = words[:5]
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def _syntax_diagnostic(err: _SyntaxError, stmt: list[Token], at_file_end: bool, text: str) -> Diagnostic:
    tok = err.token
    kind = tok[0]
    expected = err.expected
    span = Span(tok[2], tok[3]) if kind != "$END" else Span(stmt[-1][2], stmt[-1][3])
    found = _describe(tok, at_file_end)

    if kind in KEYWORDS.values() and kind not in ("TRUE", "FALSE", "NONE") and "NAME" in expected:
        return Diagnostic(
            "GD0006",
            Severity.ERROR,
            f"'{tok[1]}' is a keyword and cannot be used as a name",
            span,
            help=f"choose another name, such as '{tok[1]}_'; the keywords are: {', '.join(RESERVED)}",
        )

    message = f"expected {_expected_words(expected)}, found {found}"
    labels: tuple[Label, ...] = ()
    help_ = None
    if kind in ("LOSS", "WEIGHT", "METRICS") and stmt[0][0] == "NAME":
        message = f"'{tok[1]}' belongs to an output statement"
        help_ = f"to train on this tensor, declare it as an output: output {stmt[0][1]} = ..."
    elif "_ARROW" in expected and kind in ("NAME", "LPAR"):
        message = f"expected '->' before {found}"
        help_ = "the steps of a chain are joined with '->', as in: x -> Dense(64) -> Dense(1)"
        span = Span(tok[2], tok[3])
    elif "RPAR" in expected or "RSQB" in expected:
        opener = _unclosed(stmt, tok[2] if kind != "$END" else stmt[-1][3])
        if opener is not None and (kind == "$END" or kind not in expected):
            close = ")" if opener[0] == "LPAR" else "]"
            if kind == "$END" or not _same_line(text, tok[2], opener[2]):
                message = f"expected '{close}', found {found}"
                labels = (Label(Span(opener[2], opener[3]), f"this '{opener[1]}' is never closed"),)
                help_ = f"add '{close}' to close the '{opener[1]}'"
            elif kind in ("NAME", "NUMBER", "STRING") and "_COMMA" in expected:
                message = f"expected ',' or '{close}' before {found}"
                help_ = "separate arguments with ','"
    elif kind == "_EQUAL" and "_COLON" in expected:
        help_ = "an input is declared as: input NAME: DTYPE[DIM, ...], e.g. input posts: int32[?]"
    elif expected == {"NAME"} and len(stmt) > 2 and stmt[1][0] == "_EQUAL" and tok is stmt[2]:
        help_ = (
            "a chain begins with the name of a tensor or a merge such as concat(a, b); "
            f"to name a constant, write: param {stmt[0][1]} = ..."
        )
    elif "_EQUAL" in expected and kind == "NAME":
        help_ = "a statement is 'NAME = chain', or begins with a keyword: " + ", ".join(
            k for k in RESERVED if k not in ("loss", "weight", "metrics")
        )
    return Diagnostic("GD0003", Severity.ERROR, message, span, labels=labels, help=help_)


def _unclosed(stmt: list[Token], before: int) -> Token | None:
    stack = []
    for tok in stmt:
        if tok[2] >= before:
            break
        if tok[0] in ("LPAR", "LSQB"):
            stack.append(tok)
        elif tok[0] in ("RPAR", "RSQB") and stack:
            stack.pop()
    return stack[-1] if stack else None


def _same_line(text: str, a: int, b: int) -> bool:
    return "\n" not in text[min(a, b) : max(a, b)]


# ---- entry point -----------------------------------------------------------------------------


def parse_program(source: SourceFile) -> tuple[ir.Program, list[Diagnostic]]:
    """Parse a whole file. Returns the IR (with `ir.Broken` for statements that did not parse)
    and the syntax diagnostics. Never raises for any text."""
    text = source.text
    diags: list[Diagnostic] = []
    comments: list[ir.Comment] = []
    tokens = _lex(text, diags, comments)
    tab = tables()
    builder = _Builder(diags)
    reducers = _make_reducers(tab, builder)
    statements: list[ir.Statement] = []
    chunks = _split(tokens, text)
    for index, stmt in enumerate(chunks):
        if _too_deep(stmt, diags):
            statements.append(_broken(stmt))
            continue
        if any(len(tok) > 4 and tok[4] == "unclosed" for tok in stmt):
            statements.append(_broken(stmt))  # already reported; its value would be a guess
            continue
        builder.depth.clear()
        try:
            try:
                statements.append(_drive(stmt, tab, reducers, "statement"))
            except _Retry:
                builder.depth.clear()
                errors_before = len(diags)
                try:
                    _drive(stmt, tab, reducers, "statement", diagnose=True)
                finally:
                    del diags[errors_before:]  # the first pass reported what its callbacks found
                raise AssertionError("the diagnosing pass accepted what the fast pass refused") from None  # pragma: no cover
        except _Abort:
            statements.append(_broken(stmt))
        except _SyntaxError as err:
            diags.append(_syntax_diagnostic(err, stmt, index == len(chunks) - 1, text))
            statements.append(_broken(stmt))
    program = ir.Program(tuple(statements), tuple(comments), span=Span(0, len(text)))
    return program, diags


def _too_deep(stmt: list[Token], diags: list[Diagnostic]) -> bool:
    depth = 0
    for tok in stmt:
        if tok[0] in ("LPAR", "LSQB"):
            depth += 1
            if depth > MAX_NESTING:
                diags.append(
                    Diagnostic("GD0004", Severity.ERROR, f"brackets nested more than {MAX_NESTING} deep",
                               Span(tok[2], tok[3]), help="split the expression into params")
                )
                return True
        elif tok[0] in ("RPAR", "RSQB"):
            depth = max(0, depth - 1)
    return False


def _broken(stmt: list[Token]) -> ir.Broken:
    name = None
    first = stmt[0]
    if first[0] == "NAME" and len(stmt) > 1 and stmt[1][0] == "_EQUAL":
        name = _ident(first)
    elif first[0] in _NAMING_KEYWORDS and len(stmt) > 1 and stmt[1][0] == "NAME":
        name = _ident(stmt[1])
    names = tuple(tok[1] for tok in stmt if tok[0] == "NAME")
    return ir.Broken(name, span=Span(first[2], stmt[-1][3]), names=names)
