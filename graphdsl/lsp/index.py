"""Where every name is in a program: definitions, uses, layer calls, argument names, losses.

Built by one walk over the IR (linear in its size), so the language server can answer "what is
under the cursor" with a binary search and "where is this name used" with a dictionary lookup,
on every keystroke. The resolver keeps definitions and use counts; this keeps the spans.
"""

from __future__ import annotations

import bisect

from .. import ir
from ..catalog import get_merge
from ..records import Record, record
from ..source import Span

# kinds of occurrence
DEF, REF, LAYER_CALL, MERGE_CALL, SPEC, KWARG = "def", "ref", "layer_call", "merge_call", "spec", "kwarg"

_KIND = {
    ir.ParamDecl: "param",
    ir.InputDecl: "input",
    ir.Assign: "tensor",
    ir.OutputDecl: "output",
    ir.LayerDecl: "layer",
    ir.Broken: "broken",
}


@record
class Occurrence(Record):
    """One token that means something: `name` is the word, `span` where it is written.

    - def: `name` is defined here (`info` = param | input | tensor | output | layer | broken)
    - ref: a use of the name `name`
    - layer_call / merge_call: the class or merge called (`call` = the whole call)
    - spec: a loss, metric or optimizer name (`info` = loss | metric | optimizer)
    - kwarg: a keyword argument's name (`info` = the callee's name, `call` = the call)
    """

    kind: str
    name: str
    span: Span
    info: str = ""
    call: ir.Call | None = None
    statement: int = -1


@record
class Definition(Record):
    name: str
    kind: str
    span: Span  # the defining identifier
    statement: int


class Index:
    """Occurrences sorted by position, definitions and uses by name."""

    def __init__(self, program: ir.Program):
        self.program = program
        occ: list[Occurrence] = []
        defs: dict[str, Definition] = {}
        uses: dict[str, list[Span]] = {}
        for i, stmt in enumerate(program.statements):
            _statement(stmt, i, occ)
            ident = ir.defined_name(stmt)
            if ident is not None and ident.name not in defs and ident.span.end > ident.span.start:
                defs[ident.name] = Definition(ident.name, _KIND[type(stmt)], ident.span, i)
        occ.sort(key=lambda o: o.span.start)
        for o in occ:
            if o.kind in (DEF, REF):
                uses.setdefault(o.name, []).append(o.span)
        self.occurrences = occ
        self._starts = [o.span.start for o in occ]
        self.defs = defs
        self.uses = uses

    def at(self, offset: int) -> Occurrence | None:
        """The occurrence under `offset` (a cursor just after a word counts as on it)."""
        i = bisect.bisect_right(self._starts, offset) - 1
        if i >= 0 and self.occurrences[i].span.start <= offset <= self.occurrences[i].span.end:
            return self.occurrences[i]
        return None

    def defined_before(self, offset: int) -> list[Definition]:
        """The names in scope at `offset`: those defined by earlier statements."""
        return [d for d in self.defs.values() if d.span.end <= offset and self._statement_end(d) <= offset]

    def _statement_end(self, d: Definition) -> int:
        return self.program.statements[d.statement].span.end


def _statement(stmt: ir.Statement, i: int, occ: list[Occurrence]) -> None:
    ident = ir.defined_name(stmt)
    if ident is not None and ident.span.end > ident.span.start:
        occ.append(Occurrence(DEF, ident.name, ident.span, _KIND[type(stmt)], statement=i))
    if isinstance(stmt, ir.ParamDecl):
        _expr(stmt.value, i, occ)
    elif isinstance(stmt, (ir.Assign, ir.OutputDecl)):
        _chain(stmt.chain, i, occ)
        if isinstance(stmt, ir.OutputDecl):
            if stmt.loss is not None:
                _spec(stmt.loss, "loss", i, occ)
            if stmt.weight is not None:
                _expr(stmt.weight, i, occ)
            for m in stmt.metrics or ():
                _spec(m, "metric", i, occ)
    elif isinstance(stmt, ir.LayerDecl):
        _call(stmt.call, i, occ)
    elif isinstance(stmt, ir.OptimizerDecl):
        _spec(stmt.spec, "optimizer", i, occ)


def _chain(chain: ir.Chain, i: int, occ: list[Occurrence]) -> None:
    head = chain.head
    if isinstance(head, ir.Ref):
        occ.append(Occurrence(REF, head.name, head.span, statement=i))
    else:
        _call(head, i, occ)
    for step in chain.steps:
        if isinstance(step, ir.Ref):
            occ.append(Occurrence(REF, step.name, step.span, statement=i))
        else:
            _call(step, i, occ)


def _call(call: ir.Call, i: int, occ: list[Occurrence]) -> None:
    """A layer or merge call (and any layers given as its arguments), without recursion."""
    stack = [call]
    while stack:
        c = stack.pop()
        kind = MERGE_CALL if get_merge(c.callee.name) is not None else LAYER_CALL
        occ.append(Occurrence(kind, c.callee.name, c.callee.span, call=c, statement=i))
        for a in c.args:
            if a.name is not None:
                occ.append(Occurrence(KWARG, a.name.name, a.name.span, c.callee.name, call=c, statement=i))
            if isinstance(a.value, ir.Call):
                stack.append(a.value)
            else:
                _expr(a.value, i, occ)


def _spec(spec: ir.Spec, what: str, i: int, occ: list[Occurrence]) -> None:
    occ.append(Occurrence(SPEC, spec.name.name, spec.name.span, what, statement=i))
    for a in spec.args or ():
        if a.name is not None:
            occ.append(Occurrence(KWARG, a.name.name, a.name.span, spec.name.name, statement=i))
        _expr(a.value, i, occ)


def _expr(expr: ir.Expr, i: int, occ: list[Occurrence]) -> None:
    stack = [expr]
    while stack:
        e = stack.pop()
        if isinstance(e, ir.Ref):
            occ.append(Occurrence(REF, e.name, e.span, statement=i))
        elif isinstance(e, (ir.TupleLit, ir.ListLit)):
            stack.extend(e.items)
        elif isinstance(e, ir.BinOp):
            stack += [e.left, e.right]
        elif isinstance(e, ir.Neg):
            stack.append(e.operand)
        elif isinstance(e, ir.Call):
            _call(e, i, occ)
