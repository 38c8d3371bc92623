"""IR -> canonical text: the formatter behind ``graphdsl fmt``.

The style, in full:

- **Order.** Statements keep their order; nothing is moved or sorted.
- **One statement per line,** starting at column 1. ``model NAME``, ``param NAME = EXPR``,
  ``input NAME: DTYPE[DIM, ...]``, ``layer NAME = Call(...)``, ``optimizer SPEC``.
- **Chains** (``NAME = ...`` and ``output NAME = ...``) stay on one line when they have at most
  two steps and the line fits in 100 columns; otherwise the head stays on the first line and
  each step goes on its own line, indented 4 spaces, as ``    -> Step(...)``. A comment inside
  a chain (other than after its last step) also puts one step per line, so it keeps its place.
- **Output clauses** go on one line after the chain, indented 4 spaces, always in the order
  ``loss SPEC weight NUMBER metrics [A, B]``.
- **Blank lines.** Blank lines inside a statement are removed. Between statements and
  comments, one or more blank lines become exactly one. Between two statements of different
  sections (model / param / input / body = assignments, layers and outputs / optimizer) there
  is always at least one blank line: if the source had none, one is added right after the
  first statement. No blank line at the start or end of the file.
- **Spacing.** One space after commas, around ``=`` and ``->`` in statements and around the
  arithmetic operators; none around ``=`` in keyword arguments (``Dense(64, activation="relu")``),
  none inside brackets. No trailing spaces; the file ends with one newline.
- **Literals.** Strings use double quotes (``\\\\ \\" \\n \\r \\t \\0`` escaped). Integers print
  their value (``50000``); floats print Python's shortest round-tripping spelling (``1e-3`` ->
  ``0.001``, ``1.0`` stays ``1.0``, ``1e20`` -> ``1e+20``), so a float stays a float and its value
  never changes. Tuples print as ``(3, 3)``, ``(1,)`` and ``()``; lists as ``[1, 2]``.
  Arithmetic gets only the parentheses its precedence needs (``(a + 1) * 2``, ``a - (b - c)``).
- **Comments** keep their text (trailing whitespace removed) and their order. A comment on a
  line of its own stays on a line of its own, before the statement or chain step it preceded
  (indented like that step). A comment after code stays after the same code; it keeps its
  column when that leaves at least two spaces after the code, else it follows two spaces after
  the code. When two comments would end up after the same printed line, they are printed on
  lines of their own just before it instead. Comments at the end of the file stay at the end.

`format_text` refuses (returns None) any text with a syntax error: a file with errors is never
rewritten. Properties (tested): `format_text` is idempotent, the formatted text parses to the
same IR (spans aside), and every comment survives in order.
"""

from __future__ import annotations

import bisect

from . import ir
from .diagnostics import Diagnostic, internal_error
from .escape import quote
from .source import SourceFile, unix_newlines
from .syntax import parse_program

MAX_WIDTH = 100
INDENT = "    "
MAX_ONE_LINE_STEPS = 2

__all__ = ["MAX_WIDTH", "format_expr", "format_program", "format_text"]


# ---- expressions -----------------------------------------------------------------------------

_PREC = {"+": 1, "-": 1, "*": 2, "/": 2, "//": 2}
_UNARY = 3
_ATOM = 4


def _prec(e: ir.Expr) -> int:
    if isinstance(e, ir.BinOp):
        return _PREC[e.op]
    if isinstance(e, ir.Neg):
        return _UNARY
    return _ATOM


def _number(value: int | float) -> str:
    if isinstance(value, float):
        return repr(value)
    return str(value)


def format_expr(e: ir.Expr) -> str:
    """One expression (an argument value, a param's value, a weight) in the canonical style."""
    if isinstance(e, ir.Number):
        return _number(e.value)
    if isinstance(e, ir.String):
        return quote(e.value)
    if isinstance(e, ir.Bool):
        return "True" if e.value else "False"
    if isinstance(e, ir.NoneLit):
        return "None"
    if isinstance(e, ir.Ref):
        return e.name
    if isinstance(e, ir.TupleLit):
        if len(e.items) == 1:
            return f"({format_expr(e.items[0])},)"
        return "(" + ", ".join(format_expr(x) for x in e.items) + ")"
    if isinstance(e, ir.ListLit):
        return "[" + ", ".join(format_expr(x) for x in e.items) + "]"
    if isinstance(e, ir.BinOp):
        p = _PREC[e.op]
        left = format_expr(e.left)
        right = format_expr(e.right)
        if _prec(e.left) < p:
            left = f"({left})"
        if _prec(e.right) <= p:  # the operators are left-associative
            right = f"({right})"
        return f"{left} {e.op} {right}"
    if isinstance(e, ir.Neg):
        inner = format_expr(e.operand)
        if _prec(e.operand) < _UNARY:
            inner = f"({inner})"
        return "-" + inner
    if isinstance(e, ir.Call):
        return _call(e)
    raise TypeError(f"not an expression: {e!r}")


def _arg(a: ir.Arg) -> str:
    value = format_expr(a.value)
    return value if a.name is None else f"{a.name.name}={value}"


def _call(c: ir.Call) -> str:
    return c.callee.name + "(" + ", ".join(_arg(a) for a in c.args) + ")"


def _spec(s: ir.Spec) -> str:
    if s.args is None:
        return s.name.name
    return s.name.name + "(" + ", ".join(_arg(a) for a in s.args) + ")"


def _head_or_step(x: ir.Ref | ir.Call) -> str:
    return x.name if isinstance(x, ir.Ref) else _call(x)


# ---- statements as printed segments ------------------------------------------------------------


class _Seg:
    """One printed line of a statement; `anchor` is where it begins in the source."""

    __slots__ = ("text", "anchor", "indent", "leading", "trailing")

    def __init__(self, text: str, anchor: int, indent: str = "", leading: list[ir.Comment] | None = None,
                 trailing: list[ir.Comment] | None = None):
        self.text = text
        self.anchor = anchor
        self.indent = indent
        self.leading: list[ir.Comment] = [] if leading is None else leading
        self.trailing: list[ir.Comment] = [] if trailing is None else trailing


def _segments(stmt: ir.Statement) -> tuple[list[_Seg], int]:
    """The statement's printed lines in their broken form, and how many of them are the chain."""
    start = stmt.span.start
    if isinstance(stmt, ir.ModelDecl):
        return [_Seg(f"model {stmt.name.name}", start)], 0
    if isinstance(stmt, ir.ParamDecl):
        return [_Seg(f"param {stmt.name.name} = {format_expr(stmt.value)}", start)], 0
    if isinstance(stmt, ir.InputDecl):
        dims = ", ".join("?" if d.size is None else str(d.size) for d in stmt.dims)
        return [_Seg(f"input {stmt.name.name}: {stmt.dtype.name}[{dims}]", start)], 0
    if isinstance(stmt, ir.LayerDecl):
        return [_Seg(f"layer {stmt.name.name} = {_call(stmt.call)}", start)], 0
    if isinstance(stmt, ir.OptimizerDecl):
        return [_Seg(f"optimizer {_spec(stmt.spec)}", start)], 0
    if isinstance(stmt, (ir.Assign, ir.OutputDecl)):
        prefix = "output " if isinstance(stmt, ir.OutputDecl) else ""
        chain = stmt.chain
        segs = [_Seg(f"{prefix}{stmt.name.name} = {_head_or_step(chain.head)}", start)]
        segs += [_Seg(f"-> {_head_or_step(s)}", s.span.start, INDENT) for s in chain.steps]
        n_chain = len(segs)
        if isinstance(stmt, ir.OutputDecl):
            clauses = []
            anchors = [kw_span.start for _kind, kw_span in stmt.clause_spans]
            if stmt.loss is not None:
                clauses.append(f"loss {_spec(stmt.loss)}")
                anchors.append(stmt.loss.span.start)
            if stmt.weight is not None:
                clauses.append(f"weight {format_expr(stmt.weight)}")
                anchors.append(stmt.weight.span.start)
            if stmt.metrics is not None:
                clauses.append("metrics [" + ", ".join(_spec(m) for m in stmt.metrics) + "]")
                anchors.append(min((m.span.start for m in stmt.metrics), default=chain.span.end))
            if clauses:
                anchor = max(min(anchors), chain.span.end)
                segs.append(_Seg(" ".join(clauses), anchor, INDENT))
        return segs, n_chain
    raise TypeError(f"cannot format {type(stmt).__name__}")


_SECTION = {
    ir.ModelDecl: 0,
    ir.ParamDecl: 1,
    ir.InputDecl: 2,
    ir.Assign: 3,
    ir.LayerDecl: 3,
    ir.OutputDecl: 3,
    ir.OptimizerDecl: 4,
}


# ---- comments --------------------------------------------------------------------------------


class _Text:
    """Questions about the source text that place comments."""

    def __init__(self, text: str):
        self.text = text

    def line_start(self, pos: int) -> int:
        return self.text.rfind("\n", 0, pos) + 1

    def own_line(self, c: ir.Comment) -> bool:
        start = c.span.start
        return not self.text[self.line_start(start) : start].strip()

    def column(self, c: ir.Comment) -> int:
        return c.span.start - self.line_start(c.span.start)


def _comment(c: ir.Comment) -> str:
    return "#" + c.text.rstrip()


def _with_trailing(line: str, c: ir.Comment, src: _Text) -> str:
    col = max(len(line) + 2, src.column(c))
    return line + " " * (col - len(line)) + _comment(c)


def _render_statement(segs: list[_Seg], n_chain: int, src: _Text) -> list[str]:
    """The printed lines of one statement with its comments attached."""
    lines: list[str] = []

    def own_lines(comments: list[ir.Comment], indent: str) -> None:
        lines.extend(indent + _comment(c) for c in comments)

    def emit(seg: _Seg, text: str) -> None:
        own_lines(seg.leading, seg.indent)
        if len(seg.trailing) > 1:
            own_lines(seg.trailing, seg.indent)
            lines.append(seg.indent + text)
        elif seg.trailing:
            lines.append(_with_trailing(seg.indent + text, seg.trailing[0], src))
        else:
            lines.append(seg.indent + text)

    chain, rest = segs[:n_chain], segs[n_chain:]
    if n_chain > 1:
        one_line = " ".join(s.text for s in chain)
        split = (
            n_chain - 1 > MAX_ONE_LINE_STEPS
            or len(one_line) > MAX_WIDTH
            or len(chain[0].trailing) == 1
            or any(s.leading or s.trailing for s in chain[1:-1])
            or chain[-1].leading
        )
        if split:
            for seg in chain:
                emit(seg, seg.text)
        else:
            merged = _Seg(one_line, chain[0].anchor, "", [], chain[0].trailing + chain[-1].trailing)
            if len(chain[0].trailing) > 1 and len(chain[-1].trailing) == 1:
                own_lines(chain[0].trailing, "")
                merged.trailing = chain[-1].trailing
            emit(merged, one_line)
    else:
        rest = segs
    for seg in rest:
        emit(seg, seg.text)
    return lines


# ---- the program -----------------------------------------------------------------------------


def format_program(program: ir.Program, source_text: str) -> str:
    """The canonical text of `program`, with the comments of `source_text` kept in place.

    `program` must come from parsing `source_text` without errors (no `ir.Broken`): the
    statements' and comments' spans are used to put each comment back where it was.
    """
    src = _Text(source_text)
    stmts = [s for s in program.statements if not isinstance(s, ir.Broken)]
    if len(stmts) != len(program.statements):
        raise ValueError("cannot format a program with statements that did not parse")
    rendered = [_segments(s) for s in stmts]
    starts = [s.span.start for s in stmts]
    block_end = [s.span.end for s in stmts]
    free: list[ir.Comment] = []
    anchors: dict[int, list[int]] = {}

    for c in sorted(program.comments, key=lambda c: c.span.start):
        i = bisect.bisect_right(starts, c.span.start) - 1
        own = src.own_line(c)
        if i < 0 or (own and c.span.start >= stmts[i].span.end):
            free.append(c)
            continue
        segs = rendered[i][0]
        block_end[i] = max(block_end[i], c.span.end)
        # the segments' anchors ascend: find the comment's place by bisection, not by a scan
        # (15,000 commented chain steps would otherwise cost 100 million comparisons)
        if i not in anchors:
            anchors[i] = [s.anchor for s in segs]
        k = bisect.bisect_right(anchors[i], c.span.start)  # segs[:k] begin at or before the comment
        if own and k < len(segs):
            segs[k].leading.append(c)
            continue
        segs[max(k - 1, 0)].trailing.append(c)

    # blocks: (start, end, lines, section or None for a free comment)
    blocks: list[tuple[int, int, list[str], int | None]] = []
    for c in free:
        blocks.append((c.span.start, c.span.end, [_comment(c)], None))
    for stmt, (segs, n_chain), end in zip(stmts, rendered, block_end, strict=True):
        blocks.append((stmt.span.start, end, _render_statement(segs, n_chain, src), _SECTION[type(stmt)]))
    blocks.sort(key=lambda b: b[0])

    blank_after = [
        source_text.count("\n", blocks[k][1], blocks[k + 1][0]) >= 2 for k in range(len(blocks) - 1)
    ]
    last_stmt: int | None = None  # index of the previous statement block
    for k, block in enumerate(blocks):
        if block[3] is None:
            continue
        if last_stmt is not None and blocks[last_stmt][3] != block[3] and not any(blank_after[last_stmt:k]):
            blank_after[last_stmt] = True
        last_stmt = k

    out: list[str] = []
    for k, block in enumerate(blocks):
        out.extend(block[2])
        if k < len(blank_after) and blank_after[k]:
            out.append("")
    if not out:
        return ""
    return "\n".join(line.rstrip() for line in out) + "\n"


def format_text(text: str, filename: str = "<string>") -> tuple[str | None, list[Diagnostic]]:
    """Parse and format `text`.

    Returns ``(formatted, diagnostics)``; `formatted` is None when the text has any syntax
    error (a file with errors is never rewritten), and the diagnostics say why.
    """
    try:
        text = unix_newlines(text)  # lines ending in a lone CR: the same offsets, lines the lexer sees
        program, diags = parse_program(SourceFile(filename, text))
    except Exception as err:  # a bug in the parser: never rewrite the file, say so
        return None, [internal_error(err)]
    if any(d.is_error for d in diags) or any(isinstance(s, ir.Broken) for s in program.statements):
        return None, diags
    return format_program(program, text), diags
