"""IR -> canonical text: the formatter behind ``graphdsl fmt``.

The style, in full:

- **Order.** Statements keep their order; nothing is moved or sorted.
- **One statement per line,** starting at column 1. ``model NAME``, ``param NAME = EXPR``,
  ``input NAME: DTYPE[DIM, ...]``, ``layer NAME = Call(...)``, ``optimizer SPEC``.
- **Chains** (``NAME = ...``, ``A, B = ...``, ``output NAME = ...``, ``return ...``) stay on one
  line when they have at most three steps and the line, indentation included, fits in 80
  columns; otherwise the head stays on the first line and each step goes on its own line,
  indented 4 spaces more than the statement, as ``    -> Step(...)``. A comment inside a chain
  (other than after its last step) also puts one step per line, so it keeps its place.
- **Blocks**: ``block NAME(PARAM, PARAM = DEFAULT) {`` (spaces around a default's ``=``), the
  body's statements indented 4 spaces, each laid out as above, and ``}`` alone at column 1. A
  blank line in the body is kept (one at most), none after ``{`` or before ``}``. A block always
  has a blank line before and after it. ``return A, B`` with its chains inline.
- **Output clauses** go on one line after the chain, indented 4 spaces, always in the order
  ``loss SPEC weight NUMBER metrics [A, B]``.
- **Blank lines.** Blank lines inside a statement are removed (a block's body keeps one between
  its statements). Between statements and comments, one or more blank lines become exactly one.
  Between two statements of different sections (model / param / input / block / body =
  assignments, layers and outputs / optimizer) there is always at least one blank line: if the
  source had none, one is added right after the first statement. No blank line at the start or
  end of the file.
- **Spacing.** One space after commas, around ``=`` and ``->`` in statements and around the
  arithmetic operators; none around ``=`` in keyword arguments (``Dense(64, activation="relu")``),
  none inside brackets. No trailing spaces; the file ends with one newline.
- **Literals.** Strings use double quotes (``\\\\ \\" \\n \\r \\t \\0`` escaped). Integers print
  their value (``50000``); floats print Python's shortest round-tripping spelling, with the
  exponent's leading zeros dropped (``1e-3`` -> ``0.001``, ``1.0`` stays ``1.0``, ``1e-6`` stays
  ``1e-6``, ``1e20`` -> ``1e+20``), so a float stays a float and its value never changes. Tuples print as ``(3, 3)``, ``(1,)`` and ``()``; lists as ``[1, 2]``.
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
from .catalog.types import fmt_number
from .diagnostics import Diagnostic, internal_error
from .escape import quote
from .source import SourceFile, unix_newlines
from .syntax import parse_program

MAX_WIDTH = 80  # a chain is joined on one line only if that line fits
INDENT = "    "
MAX_ONE_LINE_STEPS = 3

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


_number = fmt_number


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
    if isinstance(e, ir.DoubleCall):
        return _call(e.call) + "(" + ", ".join(_arg(a) for a in e.args) + ")"
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


def _step(x: ir.Ref | ir.Call | ir.Repeat) -> str:
    if isinstance(x, ir.Ref):
        return x.name
    if isinstance(x, ir.Repeat):
        return f"repeat({format_expr(x.count)}, {_step(x.step)})"
    return _call(x)


def _inline_chain(c: ir.Chain) -> str:
    return " -> ".join([format_expr(c.head), *(_step(s) for s in c.steps)])


def _param(p: ir.BlockParam) -> str:
    return p.name.name if p.default is None else f"{p.name.name} = {format_expr(p.default)}"


# ---- statements as printed segments ------------------------------------------------------------


class _Seg:
    """One printed line of a statement; `anchor` is where it begins in the source. Its own-line
    comments (`leading`) are indented by `lead` (the line's own indent, unless a block's '}' says
    otherwise)."""

    __slots__ = ("text", "anchor", "indent", "leading", "trailing", "lead")

    def __init__(self, text: str, anchor: int, indent: str = "", leading: list[ir.Comment] | None = None,
                 trailing: list[ir.Comment] | None = None, lead: str | None = None):
        self.text = text
        self.anchor = anchor
        self.indent = indent
        self.leading: list[ir.Comment] = [] if leading is None else leading
        self.trailing: list[ir.Comment] = [] if trailing is None else trailing
        self.lead = indent if lead is None else lead


class _Unit:
    """The printed lines of one statement (a block: of its header, of each body statement, of its
    '}'): the segments, how many of them are a chain that may be joined on one line, and the
    statement (None for a block's header and '}')."""

    __slots__ = ("segs", "n_chain", "stmt")

    def __init__(self, segs: list[_Seg], n_chain: int = 0, stmt: ir.Statement | None = None):
        self.segs = segs
        self.n_chain = n_chain
        self.stmt = stmt


def _chain_segs(prefix: str, chain: ir.Chain, start: int, indent: str) -> list[_Seg]:
    segs = [_Seg(f"{prefix}{format_expr(chain.head)}", start, indent)]
    segs += [_Seg(f"-> {_step(s)}", s.span.start, indent + INDENT) for s in chain.steps]
    return segs


def _units(stmt: ir.Statement, indent: str = "") -> list[_Unit]:
    """The statement's printed lines in their broken form."""
    start = stmt.span.start
    if isinstance(stmt, ir.ModelDecl):
        return [_Unit([_Seg(f"model {stmt.name.name}", start, indent)], 0, stmt)]
    if isinstance(stmt, ir.ParamDecl):
        return [_Unit([_Seg(f"param {stmt.name.name} = {format_expr(stmt.value)}", start, indent)], 0, stmt)]
    if isinstance(stmt, ir.InputDecl):
        dims = ", ".join("?" if d.size is None and d.expr is None else format_expr(d.expr) if d.expr is not None
                         else str(d.size) for d in stmt.dims)
        return [_Unit([_Seg(f"input {stmt.name.name}: {stmt.dtype.name}[{dims}]", start, indent)], 0, stmt)]
    if isinstance(stmt, ir.LayerDecl):
        return [_Unit([_Seg(f"layer {stmt.name.name} = {_call(stmt.call)}", start, indent)], 0, stmt)]
    if isinstance(stmt, ir.OptimizerDecl):
        return [_Unit([_Seg(f"optimizer {_spec(stmt.spec)}", start, indent)], 0, stmt)]
    if isinstance(stmt, ir.Return):
        if len(stmt.values) == 1:
            segs = _chain_segs("return ", stmt.values[0], start, indent)
            return [_Unit(segs, len(segs), stmt)]
        text = "return " + ", ".join(_inline_chain(c) for c in stmt.values)
        return [_Unit([_Seg(text, start, indent)], 0, stmt)]
    if isinstance(stmt, ir.BlockDecl):
        header = _Seg(f"block {stmt.name.name}(" + ", ".join(_param(p) for p in stmt.params) + ") {", start, indent)
        units = [_Unit([header])]
        for body_stmt in stmt.body:
            units += _units(body_stmt, indent + INDENT)
        close = stmt.close.start if stmt.close.end else stmt.span.end - 1
        units.append(_Unit([_Seg("}", close, indent, lead=indent + INDENT)]))
        return units
    if isinstance(stmt, (ir.Assign, ir.Unpack, ir.OutputDecl)):
        if isinstance(stmt, ir.Unpack):
            prefix = ", ".join(n.name for n in stmt.names) + " = "
        else:
            prefix = ("output " if isinstance(stmt, ir.OutputDecl) else "") + f"{stmt.name.name} = "
        chain = stmt.chain
        segs = _chain_segs(prefix, chain, start, indent)
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
                segs.append(_Seg(" ".join(clauses), anchor, indent + INDENT))
        return [_Unit(segs, n_chain, stmt)]
    raise TypeError(f"cannot format {type(stmt).__name__}")


_SECTION = {
    ir.ModelDecl: 0,
    ir.ParamDecl: 1,
    ir.InputDecl: 2,
    ir.BlockDecl: 3,
    ir.Assign: 4,
    ir.Unpack: 4,
    ir.LayerDecl: 4,
    ir.OutputDecl: 4,
    ir.Return: 4,
    ir.OptimizerDecl: 5,
}


_BLOCK = _SECTION[ir.BlockDecl]  # a block always has a blank line before and after it


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


def _render_unit(unit: _Unit, src: _Text) -> list[str]:
    """The printed lines of one statement (or part of a block) with its comments attached."""
    segs, n_chain = unit.segs, unit.n_chain
    lines: list[str] = []

    def own_lines(comments: list[ir.Comment], indent: str) -> None:
        lines.extend(indent + _comment(c) for c in comments)

    def emit(seg: _Seg, text: str) -> None:
        own_lines(seg.leading, seg.lead)
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
            or len(chain[0].indent) + len(one_line) > MAX_WIDTH
            or len(chain[0].trailing) == 1
            or any(s.leading or s.trailing for s in chain[1:-1])
            or chain[-1].leading
        )
        if split:
            for seg in chain:
                emit(seg, seg.text)
        else:
            merged = _Seg(one_line, chain[0].anchor, chain[0].indent, chain[0].leading,
                          chain[0].trailing + chain[-1].trailing)
            if len(chain[0].trailing) > 1 and len(chain[-1].trailing) == 1:
                own_lines(chain[0].trailing, chain[0].indent)
                merged.trailing = chain[-1].trailing
            emit(merged, one_line)
    else:
        rest = segs
    for seg in rest:
        emit(seg, seg.text)
    return lines


def _render_statement(units: list[_Unit], src: _Text) -> list[str]:
    """The printed lines of a statement: its units, with a blank line kept between two statements
    of a block's body that the source separated by one."""
    lines: list[str] = []
    previous: ir.Statement | None = None
    for unit in units:
        if previous is not None and unit.stmt is not None:
            first = unit.segs[0]
            start = first.leading[0].span.start if first.leading else unit.stmt.span.start
            if src.text.count("\n", previous.span.end, start) >= 2:
                lines.append("")
        lines += _render_unit(unit, src)
        previous = unit.stmt
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
    rendered = [_units(s) for s in stmts]
    flat = [[seg for unit in units for seg in unit.segs] for units in rendered]
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
        segs = flat[i]
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
    for stmt, units, end in zip(stmts, rendered, block_end, strict=True):
        blocks.append((stmt.span.start, end, _render_statement(units, src), _SECTION[type(stmt)]))
    blocks.sort(key=lambda b: b[0])

    blank_after = [
        source_text.count("\n", blocks[k][1], blocks[k + 1][0]) >= 2 for k in range(len(blocks) - 1)
    ]
    last_stmt: int | None = None  # index of the previous statement block
    for k, block in enumerate(blocks):
        if block[3] is None:
            continue
        if last_stmt is not None and (blocks[last_stmt][3] != block[3] or block[3] == _BLOCK) \
                and not any(blank_after[last_stmt:k]):
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
