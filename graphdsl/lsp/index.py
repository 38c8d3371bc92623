"""Where every name is in a program: definitions, uses, layer calls, argument names, losses.

Built by one walk over the IR (linear in its size), so the language server can answer "what is
under the cursor" with a binary search and "where is this name used" with a dictionary lookup,
on every keystroke. The resolver keeps definitions and use counts; this keeps the spans.

Scopes: a block's body has names of its own (its parameters and what it binds), which may hide
the program's. Every occurrence records its scope (`scope`: the block statement's index, -1 at
the top level), and `definition(occurrence)` finds the definition a use means there: the body's
own, else the program's. References and renames follow the definition, so renaming a block's
`x` never touches the program's `x`.
"""

from __future__ import annotations

import bisect

from .. import ir
from ..catalog import get_merge
from ..records import Record, record
from ..source import Span

# kinds of occurrence
DEF, REF, LAYER_CALL, MERGE_CALL, SPEC, KWARG = "def", "ref", "layer_call", "merge_call", "spec", "kwarg"
TOP = -1  # the scope of the program's own names

_KIND = {
    ir.ParamDecl: "param",
    ir.InputDecl: "input",
    ir.Assign: "tensor",
    ir.Unpack: "tensor",
    ir.OutputDecl: "output",
    ir.LayerDecl: "layer",
    ir.BlockDecl: "block",
    ir.Broken: "broken",
}


@record
class Occurrence(Record):
    """One token that means something: `name` is the word, `span` where it is written.

    - def: `name` is defined here (`info` = param | input | tensor | output | layer | block |
      parameter (of a block) | broken)
    - ref: a use of the name `name` (a called block or `layer` declaration too)
    - layer_call / merge_call: the class or merge called (`call` = the whole call)
    - spec: a loss, metric or optimizer name (`info` = loss | metric | optimizer)
    - kwarg: a keyword argument's name (`info` = the callee's name, `call` = the call)

    `scope` is the index of the block statement whose body it is in (TOP at the top level)."""

    kind: str
    name: str
    span: Span
    info: str = ""
    call: ir.Call | None = None
    statement: int = -1
    scope: int = TOP


@record
class Definition(Record):
    name: str
    kind: str
    span: Span  # the defining identifier
    statement: int  # the top-level statement (for a body's name: the block's)
    scope: int = TOP


class Index:
    """Occurrences sorted by position, definitions and uses by name (and by scope)."""

    def __init__(self, program: ir.Program):
        self.program = program
        occ: list[Occurrence] = []
        defs: dict[str, Definition] = {}
        self.locals: dict[int, dict[str, Definition]] = {}  # block statement -> its body's names
        for i, stmt in enumerate(program.statements):
            for ident in ir.defined_names(stmt):
                if ident.name not in defs and ident.span.end > ident.span.start:
                    defs[ident.name] = Definition(ident.name, _KIND[type(stmt)], ident.span, i)
        self.defs = defs
        for i, stmt in enumerate(program.statements):
            if isinstance(stmt, ir.BlockDecl):
                self._block(stmt, i, occ)
            else:
                _Walk(self, i, TOP, occ).statement(stmt)
        occ.sort(key=lambda o: o.span.start)
        uses: dict[str, list[Span]] = {}
        scoped: dict[tuple[int, str], list[Span]] = {}
        for o in occ:
            if o.kind in (DEF, REF):
                d = self.definition(o)
                if d is None:
                    if o.scope == TOP:
                        uses.setdefault(o.name, []).append(o.span)
                    continue
                scoped.setdefault((d.scope, d.name), []).append(o.span)
                if d.scope == TOP:
                    uses.setdefault(o.name, []).append(o.span)
        self.occurrences = occ
        self._starts = [o.span.start for o in occ]
        self.uses = uses  # the program's own names -> every span written (definition included)
        self.scoped = scoped  # (scope, name) -> spans

    def _block(self, stmt: ir.BlockDecl, i: int, occ: list[Occurrence]) -> None:
        local: dict[str, Definition] = {}
        self.locals[i] = local
        ident = stmt.name
        if ident.span.end > ident.span.start:
            occ.append(Occurrence(DEF, ident.name, ident.span, "block", statement=i))
        for p in stmt.params:
            if p.name.name not in local:
                local[p.name.name] = Definition(p.name.name, "parameter", p.name.span, i, i)
            occ.append(Occurrence(DEF, p.name.name, p.name.span, "parameter", statement=i, scope=i))
            if p.default is not None:
                _Walk(self, i, TOP, occ).expr(p.default)
        for body_stmt in stmt.body:
            for name in ir.defined_names(body_stmt):
                if name.name not in local and name.span.end > name.span.start:
                    local[name.name] = Definition(name.name, _KIND.get(type(body_stmt), "broken"), name.span, i, i)
        walk = _Walk(self, i, i, occ)
        for body_stmt in stmt.body:
            walk.statement(body_stmt)

    def definition(self, o: Occurrence) -> Definition | None:
        """The definition the name of occurrence `o` means where it is."""
        if o.scope != TOP:
            d = self.locals.get(o.scope, {}).get(o.name)
            if d is not None:
                return d
        return self.defs.get(o.name)

    def references(self, d: Definition) -> list[Span]:
        """Every place the name of `d` is written meaning `d` (its definition included)."""
        return self.scoped.get((d.scope, d.name), [])

    def callable(self, name: str, scope: int) -> bool:
        """Whether a call of `name` in `scope` calls a block or `layer` declaration of the program."""
        if scope != TOP:
            d = self.locals.get(scope, {}).get(name)
            if d is not None:
                return d.kind == "layer"
        d = self.defs.get(name)
        return d is not None and d.kind in ("block", "layer")

    def at(self, offset: int) -> Occurrence | None:
        """The occurrence under `offset` (a cursor just after a word counts as on it)."""
        i = bisect.bisect_right(self._starts, offset) - 1
        if i >= 0 and self.occurrences[i].span.start <= offset <= self.occurrences[i].span.end:
            return self.occurrences[i]
        return None

    def defined_before(self, offset: int) -> list[Definition]:
        """The names in scope at `offset`: those defined by earlier statements (and, inside a
        block's body, its parameters and the body's names defined above)."""
        out = [d for d in self.defs.values() if d.span.end <= offset and self._statement_end(d) <= offset]
        for i, local in self.locals.items():
            stmt = self.program.statements[i]
            if stmt.span.start < offset <= stmt.span.end:
                hidden = set(local)
                out = [d for d in out if d.name not in hidden] + [d for d in local.values() if d.span.end <= offset]
        return out

    def _statement_end(self, d: Definition) -> int:
        return self.program.statements[d.statement].span.end


class _Walk:
    """The occurrences of one statement (at the top level, or in a block's body)."""

    def __init__(self, index: Index, statement: int, scope: int, occ: list[Occurrence]):
        self.index = index
        self.i = statement
        self.scope = scope
        self.occ = occ

    def add(self, kind: str, name: str, span: Span, info: str = "", call: ir.Call | None = None) -> None:
        self.occ.append(Occurrence(kind, name, span, info, call, self.i, self.scope))

    def statement(self, stmt: ir.Statement) -> None:
        kind = _KIND.get(type(stmt))
        for ident in ir.defined_names(stmt):
            if ident.span.end > ident.span.start:
                self.add(DEF, ident.name, ident.span, kind or "")
        if isinstance(stmt, ir.ParamDecl):
            self.expr(stmt.value)
        elif isinstance(stmt, ir.InputDecl):
            for dim in stmt.dims:
                if dim.expr is not None:
                    self.expr(dim.expr)
        elif isinstance(stmt, (ir.Assign, ir.Unpack, ir.OutputDecl)):
            self.chain(stmt.chain)
            if isinstance(stmt, ir.OutputDecl):
                if stmt.loss is not None:
                    self.spec(stmt.loss, "loss")
                if stmt.weight is not None:
                    self.expr(stmt.weight)
                for m in stmt.metrics or ():
                    self.spec(m, "metric")
        elif isinstance(stmt, ir.Return):
            for c in stmt.values:
                self.chain(c)
        elif isinstance(stmt, ir.LayerDecl):
            self.call(stmt.call)
        elif isinstance(stmt, ir.OptimizerDecl):
            self.spec(stmt.spec, "optimizer")

    def chain(self, chain: ir.Chain) -> None:
        self.expr(chain.head)
        for step in chain.steps:
            self.step(step)

    def step(self, step) -> None:
        if isinstance(step, ir.Ref):
            self.add(REF, step.name, step.span)
        elif isinstance(step, ir.Repeat):
            self.expr(step.count)
            self.step(step.step)
        else:
            self.call(step)

    def call(self, call: ir.Call) -> None:
        """A layer, merge or block call (and any layers given as its arguments), without recursion."""
        stack = [call]
        while stack:
            c = stack.pop()
            name = c.callee.name
            if self.index.callable(name, self.scope):
                self.add(REF, name, c.callee.span, call=c)
            else:
                kind = MERGE_CALL if get_merge(name) is not None else LAYER_CALL
                self.add(kind, name, c.callee.span, call=c)
            for a in c.args:
                if a.name is not None:
                    self.add(KWARG, a.name.name, a.name.span, name, call=c)
                if isinstance(a.value, ir.Call):
                    stack.append(a.value)
                else:
                    self.expr(a.value)

    def spec(self, spec: ir.Spec, what: str) -> None:
        self.add(SPEC, spec.name.name, spec.name.span, what)
        for a in spec.args or ():
            if a.name is not None:
                self.add(KWARG, a.name.name, a.name.span, spec.name.name)
            self.expr(a.value)

    def expr(self, expr) -> None:
        stack = [expr]
        while stack:
            e = stack.pop()
            if isinstance(e, ir.Ref):
                self.add(REF, e.name, e.span)
            elif isinstance(e, (ir.TupleLit, ir.ListLit)):
                stack.extend(e.items)
            elif isinstance(e, ir.BinOp):
                stack += [e.left, e.right]
            elif isinstance(e, ir.Neg):
                stack.append(e.operand)
            elif isinstance(e, ir.Call):
                self.call(e)
            elif isinstance(e, ir.DoubleCall):
                self.call(e.call)
                for a in e.args:
                    if a.name is not None:
                        self.add(KWARG, a.name.name, a.name.span, e.call.callee.name)
                    stack.append(a.value)
