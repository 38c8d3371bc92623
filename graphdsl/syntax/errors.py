"""Syntax errors as a person reads them: "expected ',' or ')' before 'activation'", never a terminal's name.

Both engines describe a syntax error with `syntax_diagnostic`: the token that could not be taken,
the terminals that could have been (the statement's own continuations, and "$END" when the
statement could have ended there), and the statement's tokens up to the error. Imported only
when a text has an error.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from ..diagnostics import Diagnostic, Label, Severity
from ..source import Span
from . import RESERVED
from .lexer import CLOSERS, MAX_NESTING, OPENERS, Token

_STATEMENT_STARTS = frozenset({"MODEL", "PARAM", "INPUT", "LAYER", "OUTPUT", "OPTIMIZER", "BLOCK", "RETURN"})
_CLAUSES = frozenset({"LOSS", "WEIGHT", "METRICS"})

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
    "LBRACE": "'{'",
    "RBRACE": "'}'",
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
for _word in (*RESERVED, "True", "False", "None"):
    _DISPLAY[_word.upper()] = f"'{_word}'"
_VALUE_STARTS = frozenset({"NAME", "NUMBER", "STRING", "LPAR", "LSQB", "MINUS", "PLUS", "TRUE", "FALSE", "NONE"})
_OPERATORS = frozenset({"PLUS", "MINUS", "STAR", "SLASH", "DSLASH"})
_ORDER = [
    "RPAR", "RSQB", "RBRACE", "_COMMA", "_ARROW", "_EQUAL", "_COLON", "LPAR", "LSQB", "NAME", "NUMBER", "QMARK",
    "LOSS", "WEIGHT", "METRICS", "$END",
]


def clip(text: str, limit: int = 40) -> str:
    """Shorten what a message quotes: a 5 MB name must not become a 5 MB message."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def bad_characters(run: str, start: int, end: int) -> Diagnostic:
    """GD0001 for a run of characters that no terminal matches."""
    ch = run[0]
    if len(run) > 1:
        shown = f"characters {clip(run)!r}" if run.isprintable() else f"{len(run)} unexpected characters"
    else:
        shown = "character " + (repr(ch) if ch.isprintable() and ch != "'" else f"U+{ord(ch):04X}")
    help_ = None
    if len(run) == 1:
        if ch == ";":
            help_ = "statements need no separator: start the next one on a new line"
        elif ch == ">":
            help_ = "chain steps are joined with '->'"
    return Diagnostic("GD0001", Severity.ERROR, f"unexpected {shown}", Span(start, end), help=help_)


def too_deep(tok: Token) -> Diagnostic:
    return Diagnostic("GD0004", Severity.ERROR, f"brackets nested more than {MAX_NESTING} deep",
                      Span(tok[2], tok[3]), help="split the expression into params")


def _describe(tok: Token, at_file_end: bool) -> str:
    kind = tok[0]
    if kind == "$END":
        return "the end of the file" if at_file_end else "the end of the statement"
    if kind in _STATEMENT_STARTS or kind in _CLAUSES:
        return f"the keyword '{tok[1]}'"
    if kind == "STRING":
        return "a string"
    return f"'{clip(tok[1], 30)}'"


def _expected_words(expected: Collection[str]) -> str:
    exp = set(expected)
    words = []
    if len(exp & _VALUE_STARTS) >= 5:
        exp -= _VALUE_STARTS
        words.append("a value")
    if exp - _OPERATORS:
        exp -= _OPERATORS
    ordered = sorted(exp, key=lambda k: (_ORDER.index(k) if k in _ORDER else len(_ORDER), k))
    words += [_DISPLAY.get(k, k) for k in ordered]
    words = list(dict.fromkeys(words))[:5]
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def syntax_diagnostic(tok: Token, expected: Collection[str], stmt: Sequence[Token], at_file_end: bool,
                      text: str) -> Diagnostic:
    """The diagnostic for `tok`, which the statement `stmt` (its tokens before `tok`) could not take.

    `tok` is ``$END`` at the end of the file (`at_file_end`) or where the statement was found to end
    early (a forgotten closing bracket before the next statement)."""
    kind = tok[0]
    if kind == "$DEEP":
        return too_deep(tok)
    last = stmt[-1] if stmt else tok
    span = Span(tok[2], tok[3]) if kind != "$END" else Span(last[2], last[3])
    found = _describe(tok, at_file_end)

    if kind not in ("NAME", "STRING") and tok[1] in RESERVED and "NAME" in expected:
        return Diagnostic(
            "GD0006",
            Severity.ERROR,
            f"'{tok[1]}' is a keyword and cannot be used as a name",
            span,
            help=f"choose another name, such as '{tok[1]}_'; the keywords are: {', '.join(RESERVED)}",
        )

    habit = keras_habit(tok, expected, stmt, text)
    if habit is not None:
        return Diagnostic("GD0003", Severity.ERROR, habit[0], habit[2] or span, help=habit[1])
    message = f"expected {_expected_words(expected)}, found {found}"
    labels: tuple[Label, ...] = ()
    help_ = None
    if kind == "RBRACE" and not _unclosed_brace(stmt) and "RBRACE" not in expected:
        return Diagnostic("GD0003", Severity.ERROR, "unexpected '}': no block is open here", span,
                          help="'}' ends a block's body: block NAME(PARAMS) { ... return ... }")
    if kind in _CLAUSES and stmt and stmt[0][0] == "NAME":
        message = f"'{tok[1]}' belongs to an output statement"
        help_ = f"to train on this tensor, declare it as an output: output {stmt[0][1]} = ..."
    elif "_ARROW" in expected and kind in ("NAME", "LPAR"):
        message = f"expected '->' before {found}"
        help_ = "the steps of a chain are joined with '->', as in: x -> Dense(64) -> Dense(1)"
    elif "RPAR" in expected or "RSQB" in expected or "RBRACE" in expected:
        opener = _unclosed(stmt)
        if opener is not None and (kind == "$END" or kind not in expected):
            close = _CLOSE[opener[0]]
            if kind == "$END" or "\n" in text[opener[2] : tok[2]]:
                message = f"expected '{close}', found {found}"
                labels = (Label(Span(opener[2], opener[3]), f"this '{opener[1]}' is never closed"),)
                help_ = f"add '{close}' to close the '{opener[1]}'" if close != "}" else "add '}' to end the block's body"
            elif kind in ("NAME", "NUMBER", "STRING") and "_COMMA" in expected:
                message = f"expected ',' or '{close}' before {found}"
                help_ = "separate arguments with ','"
    elif kind == "_EQUAL" and "_COLON" in expected:
        help_ = "an input is declared as: input NAME: DTYPE[DIM, ...], e.g. input posts: int32[?]"
    elif set(expected) == {"NAME"} and kind != "$END" and len(stmt) == 2 and stmt[1][0] == "_EQUAL":
        help_ = (
            "a chain begins with the name of a tensor or a merge such as concat(a, b); "
            f"to name a constant, write: param {stmt[0][1]} = ..."
        )
    elif "_EQUAL" in expected and kind == "NAME":
        help_ = "a statement is 'NAME = chain', or begins with a keyword: " + ", ".join(
            k for k in RESERVED if k not in ("loss", "weight", "metrics", "repeat")
        )
    return Diagnostic("GD0003", Severity.ERROR, message, span, labels=labels, help=help_)


_CLOSE = {"LPAR": ")", "LSQB": "]", "LBRACE": "}"}


def _unclosed_brace(stmt: Sequence[Token]) -> bool:
    return any(tok[0] == "LBRACE" for tok in stmt)


def _unclosed(stmt: Sequence[Token]) -> Token | None:
    """The innermost bracket of `stmt` left open."""
    stack = []
    for tok in stmt:
        if tok[0] in OPENERS:
            stack.append(tok)
        elif tok[0] in CLOSERS and stack:
            stack.pop()
    return stack[-1] if stack else None


# ---- Keras habits: what a person who writes Keras meant -------------------------------------------

# Output clauses as Keras's compile() spells them, and near misses of the clause keywords.
_CLAUSE_SPELLINGS = {"loss_weight": "weight", "loss_weights": "weight", "metric": "metrics", "losses": "loss",
                     "weights": "weight"}
_CLAUSE_EXAMPLE = {"loss": "loss mse", "weight": "weight 0.5", "metrics": "metrics [accuracy]"}


def keras_habit(tok: Token, expected: Collection[str], stmt: Sequence[Token],
                text: str) -> tuple[str, str, Span | None] | None:
    """(message, help, span if not the token's) when the token the statement could not take is a
    Keras habit: a misspelled output clause (``losss``, ``loss_weight``, ``metric``), a quoted
    loss, metric or optimizer name, a space inside a keyword argument (``a ctivation="relu"``).
    None otherwise."""
    kind = tok[0]
    clause_expected = bool(_CLAUSES & set(expected))
    if kind == "NAME" and stmt and stmt[0][0] == "OUTPUT" and (clause_expected or "_ARROW" in expected):
        from ..suggest import suggest  # noqa: PLC0415

        word = tok[1]
        meant = _CLAUSE_SPELLINGS.get(word) or suggest(word, _CLAUSE_EXAMPLE)
        if meant is not None and _at_clause(stmt):
            keras = " (Keras's compile() argument)" if word in _CLAUSE_SPELLINGS else ""
            return (f"unknown output clause '{clip(word)}'{keras}; did you mean '{meant}'?",
                    f"an output's clauses are: loss NAME, weight NUMBER, metrics [NAME, ...], e.g. "
                    f"{_CLAUSE_EXAMPLE[meant]}", None)
    if kind == "STRING" and stmt and "NAME" in expected:
        owner = _named_by(stmt)
        if owner is not None:
            name = tok[1][1:-1]
            return (f"{'an' if owner == 'optimizer' else 'a'} {owner} is named without quotes",
                    f"write {name} instead of {tok[1]}" if name.isidentifier() else
                    f"{owner} names are written bare, e.g. {_BARE[owner]}", None)
    if (kind == "NAME" and stmt and stmt[-1][0] == "NAME" and "_COMMA" in expected
            and text[stmt[-1][3]:tok[2]].strip(" \t") == "" and _followed_by_equals(text, tok[3])):
        joined = stmt[-1][1] + tok[1]
        if joined in _keywords_of(stmt):
            return (f"a space inside the keyword '{stmt[-1][1]} {tok[1]}'",
                    f"did you mean '{joined}='? a keyword argument is one name", Span(stmt[-1][2], tok[3]))
    return None


def _keywords_of(stmt: Sequence[Token]) -> tuple[str, ...]:
    """The argument names of the layer whose call is open at the end of the statement."""
    from ..catalog import get_layer  # noqa: PLC0415

    opener = _unclosed(stmt)
    if opener is None or opener[0] != "LPAR":
        return ()
    at = next(i for i in range(len(stmt) - 1, -1, -1) if stmt[i] is opener)
    spec = get_layer(stmt[at - 1][1]) if at and stmt[at - 1][0] == "NAME" else None
    return tuple(p.name for p in spec.params) if spec is not None else ()


_BARE = {"loss": "loss mse", "metric": "metrics [accuracy]", "optimizer": "optimizer adam"}


def _at_clause(stmt: Sequence[Token]) -> bool:
    """The output statement is past its '=' and outside brackets (a clause may begin here)."""
    return any(t[0] == "_EQUAL" for t in stmt) and _unclosed(stmt) is None


def _named_by(stmt: Sequence[Token]) -> str | None:
    """'loss', 'metric' or 'optimizer' when the statement's next token names one."""
    last = stmt[-1]
    if last[0] == "LOSS":
        return "loss"
    if stmt[0][0] == "OPTIMIZER" and len(stmt) == 1:
        return "optimizer"
    opener = _unclosed(stmt)
    if opener is not None and opener[0] == "LSQB":
        at = next(i for i in range(len(stmt) - 1, -1, -1) if stmt[i] is opener)
        if at and stmt[at - 1][0] == "METRICS" and last[0] in ("LSQB", "_COMMA"):
            return "metric"
    return None


def _followed_by_equals(text: str, end: int) -> bool:
    rest = text[end:end + 64].lstrip(" \t")
    return rest.startswith("=") and not rest.startswith("==")
