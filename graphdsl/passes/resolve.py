"""Name resolution: one namespace, each name defined once, every use defined before it; and the
call-independent checks of blocks.

Pure: IR -> (Symbols, diagnostics). An unknown name is reported once, at its first use; later
uses of it are silent (the name is then treated as unknown, not as a second error).

Scopes. The program's names share one namespace (params, inputs, tensors, layers, outputs and
blocks). A block's body has a scope of its own: its parameters and the names it binds, then the
program's params, `layer` declarations and blocks defined above the block -- never the program's
tensors, which a block is given as parameters. A body's names may hide program names.

What resolution decides about a block, once per definition (even if it is never called): where
each statement may stand (a body holds tensor bindings and `layer` declarations and ends with one
`return`), whether each parameter is a tensor or a constant (by how the body uses it: a chain's
head, a merge's or a call's tensor argument makes a tensor; an argument expression a constant;
an operand of tensor arithmetic either), and how many tensors the block returns (`BlockInfo`).
"""

from __future__ import annotations

from .. import ir
from ..catalog.merges import get_merge
from ..diagnostics import Diagnostic, Label, Severity
from ..records import Record, record
from ..source import Span
from ..suggest import NamePool

KIND_WORDS = {
    "param": "a param",
    "input": "an input",
    "tensor": "a tensor",
    "output": "an output",
    "layer": "a layer declaration",
    "block": "a block",
    "broken": "a statement with errors",
    "tparam": "a tensor parameter",
    "cparam": "a constant parameter",
    "eparam": "a parameter",
}

DISCARD = ir.DISCARD
# what a block parameter is, decided by its uses
TENSOR, CONSTANT, EITHER = "tensor", "constant", "either"


@record(slots=True)
class Definition(Record):
    name: str
    kind: str  # param | input | tensor | output | layer | block | broken (and in a body: eparam)
    index: int  # statement index (in a body: the body's statement index; -1 for a parameter)
    span: Span  # the defining identifier


class BlockInfo:
    """What resolution found about one block definition (see the module docstring)."""

    __slots__ = ("decl", "index", "kinds", "defs", "uses", "returns", "ok", "layers", "suggested")

    def __init__(self, decl: ir.BlockDecl, index: int):
        self.decl = decl
        self.index = index  # the block's statement index in the program
        self.kinds: dict[str, str] = {}  # parameter -> TENSOR | CONSTANT | EITHER
        self.defs: dict[str, Definition] = {}  # the body's names, parameters included
        self.uses: dict[str, int] = {}  # body name -> number of uses (for the unused-name lint)
        self.returns: int | None = None  # how many tensors it returns (None: no valid return)
        self.ok = True  # no call-independent error in the block
        self.layers: frozenset[str] = frozenset()  # the body's `layer` declarations
        self.suggested: set[str] = set()

    @property
    def name(self) -> str:
        return self.decl.name.name

    def param_kind(self, name: str) -> str:
        return self.kinds.get(name, EITHER)


@record(slots=True)
class Symbols(Record):
    defs: dict[str, Definition]  # first definition of each name
    model_name: str | None
    undefined: frozenset[str]  # names used but never defined (reported once)
    uses: dict[str, int]  # name -> number of uses (for the unused-name lint)
    suggested: frozenset[str] = frozenset()  # names offered as "did you mean": not unused, misspelt
    has_output: bool = True
    blocks: dict[str, BlockInfo] | None = None  # by name (the first definition of each)


_KIND_OF = {
    ir.ParamDecl: "param",
    ir.InputDecl: "input",
    ir.Assign: "tensor",
    ir.Unpack: "tensor",
    ir.OutputDecl: "output",
    ir.LayerDecl: "layer",
    ir.BlockDecl: "block",
    ir.Broken: "broken",
}


def _kind(stmt: ir.Statement) -> str:
    return _KIND_OF[type(stmt)]


_LEAVES = frozenset({ir.Number, ir.String, ir.Bool, ir.NoneLit})


def expr_refs(expr) -> list[ir.Ref]:
    """The names an argument expression uses (params, or layers given as arguments)."""
    kind = type(expr)
    if kind in _LEAVES:  # most arguments: a literal
        return []
    if kind is ir.Ref:
        return [expr]
    out: list[ir.Ref] = []
    stack = [expr]
    while stack:
        e = stack.pop()
        kind = type(e)
        if kind is ir.Ref:
            out.append(e)
        elif kind is ir.TupleLit or kind is ir.ListLit:
            stack.extend(reversed(e.items))
        elif kind is ir.BinOp:
            stack += [e.right, e.left]
        elif kind is ir.Neg:
            stack.append(e.operand)
        elif kind is ir.Call:
            stack.extend(reversed([a.value for a in e.args]))
        elif kind is ir.DoubleCall:
            stack.extend(reversed([a.value for a in e.args]))
            stack.append(e.call)
    return out


# ---- what each use expects ----------------------------------------------------------------------
#
# A use is (node, expected): node is a Ref (a name used as a value) or an Ident (a callee that may
# be a block or a `layer` declaration); expected is one of:
#   tensor  -- a tensor;  value -- a constant;  either -- a tensor or a constant (arithmetic);
#   step    -- a chain step named by a name (a `layer` declaration, or a block);
#   callee  -- the name of a block or a `layer` declaration called with arguments;
#   any     -- a name in a statement that did not parse (counts as a use, never an error).

_FITS = {
    "tensor": {"input", "tensor", "output", "broken"},
    "value": {"param", "broken"},
    "either": {"input", "tensor", "output", "param", "broken"},
    "step": {"layer", "block", "broken"},
    "callee": {"layer", "block", "broken"},
}
_EXPECTED_WORDS = {
    "tensor": "a tensor (an input, a chain's result or an output)",
    "value": "a value (a number, string or param)",
    "either": "a tensor or a value",
    "step": "a layer (a call such as Dense(8), a `layer` declaration or a block)",
}
# in a body, a parameter fits every expectation but `step`; its kind is decided by its uses
_PARAM_USE = {"tensor": TENSOR, "value": CONSTANT, "either": EITHER}


class _Walker:
    """Lists the uses of names in statements, in source order. `callable_kind(name)` says what a
    called name is where the walk happens ("block", "layer", or None: a catalog layer or merge),
    and `block(name)` gives a visible block's `BlockInfo`."""

    def __init__(self, callable_kind, block, callables):
        self.callable_kind = callable_kind
        self.block = block
        self.callables = callables  # every name that may be a block or `layer` declaration (a fast "no")
        self.out: list[tuple[object, str]] = []

    def statement(self, stmt: ir.Statement) -> list[tuple[object, str]]:
        self.out = out = []
        kind = type(stmt)
        if kind is ir.Assign or kind is ir.OutputDecl or kind is ir.Unpack:
            self.chain(stmt.chain)
            if kind is ir.OutputDecl:
                if stmt.loss is not None:
                    self.args(stmt.loss.args)
                if stmt.weight is not None:
                    self.value(stmt.weight)
                for m in stmt.metrics or ():
                    self.args(m.args)
        elif kind is ir.ParamDecl:
            self.value(stmt.value)
        elif kind is ir.InputDecl:
            for dim in stmt.dims:
                if dim.expr is not None:
                    self.value(dim.expr)
        elif kind is ir.Broken:
            defined = {stmt.name.name} if stmt.name else set()
            defined.update(n.name for n in stmt.more)
            out.extend((ir.Ref(n), "any") for n in stmt.names if n not in defined)
        elif kind is ir.LayerDecl:
            self.args(stmt.call.args)
        elif kind is ir.OptimizerDecl:
            self.args(stmt.spec.args)
        elif kind is ir.Return:
            for chain in stmt.values:
                self.chain(chain)
        return out

    def value(self, expr) -> None:
        self.out.extend((r, "value") for r in expr_refs(expr))

    def args(self, arguments) -> None:
        out = self.out
        for a in arguments or ():
            v = a.value
            kind = type(v)
            if kind in _LEAVES:  # most arguments: a literal
                continue
            if kind is ir.Ref:
                out.append((v, "value"))
            else:
                out.extend((r, "value") for r in expr_refs(v))

    def chain(self, c: ir.Chain) -> None:
        self.head(c.head)
        for step in c.steps:
            self.step(step)

    def head(self, head) -> None:
        kind = type(head)
        if kind is ir.Ref:
            self.out.append((head, "tensor"))
        elif kind is ir.Call:
            self.head_call(head)
        elif kind is ir.DoubleCall:
            self.double_call(head)
        elif kind is ir.BinOp or kind is ir.Neg:
            self.arithmetic(head)
        else:  # a literal: not a tensor (inference says so); its names are values
            self.value(head)

    def arithmetic(self, expr) -> None:
        stack = [expr]
        while stack:
            e = stack.pop()
            kind = type(e)
            if kind is ir.BinOp:
                stack += [e.right, e.left]
            elif kind is ir.Neg:
                stack.append(e.operand)
            elif kind is ir.Ref:
                self.out.append((e, "either"))
            elif kind is ir.Call:
                self.head_call(e)
            elif kind is ir.DoubleCall:
                self.double_call(e)
            else:
                self.value(e)

    def head_call(self, call: ir.Call) -> None:
        name = call.callee.name
        what = self.callable_kind(name) if name in self.callables else None
        if what == "block":
            self.out.append((call.callee, "callee"))
            self.block_args(self.block(name), call.args, 0)
        elif what == "layer":
            self.out.append((call.callee, "callee"))
            self.tensor_args(self.callable_kind.layer_class(name), call.args)  # type: ignore[attr-defined]
        elif get_merge(name) is not None:
            for a in call.args:
                if a.name is None and type(a.value) is ir.Ref:
                    self.out.append((a.value, "tensor"))
                else:
                    self.value(a.value)
        else:  # a catalog layer without its input, or an unknown name (inference says so)
            for a in call.args:
                if a.name is None and type(a.value) is ir.Ref:
                    self.out.append((a.value, "tensor"))
                else:
                    self.value(a.value)

    def double_call(self, dc: ir.DoubleCall) -> None:
        self.args(dc.call.args)
        self.tensor_args(dc.call.callee.name, dc.args)

    def tensor_args(self, class_name: str | None, arguments) -> None:
        """The arguments of a layer's call: tensors (or lists of them) where its call takes them."""
        from ..catalog import get_layer  # noqa: PLC0415 - the catalog loads layers on demand

        spec = get_layer(class_name) if class_name else None
        params = spec.call_params if spec is not None else ()
        by_name = {p.name: p for p in params}
        for i, a in enumerate(arguments):
            p = by_name.get(a.name.name) if a.name is not None else (params[i] if i < len(params) else None)
            takes_tensors = p.is_tensor if p is not None else a.name is None
            value = a.value
            if takes_tensors and type(value) is ir.Ref:
                self.out.append((value, "tensor"))
            elif takes_tensors and type(value) is ir.ListLit and all(type(v) is ir.Ref for v in value.items):
                self.out.extend((v, "tensor") for v in value.items)
            else:
                self.value(value)

    def block_args(self, info: BlockInfo | None, arguments, skip: int) -> None:
        """A block call's arguments, each as the parameter it fills is (a call as a step has its
        first parameter filled by the chain: `skip` 1)."""
        params = info.decl.params if info is not None else ()
        names = [p.name.name for p in params]
        position = skip
        for a in arguments:
            if a.name is None:
                pname = names[position] if position < len(names) else None
                position += 1
            else:
                pname = a.name.name if a.name.name in names else None
            kind = info.param_kind(pname) if info is not None and pname is not None else EITHER
            value = a.value
            if kind == TENSOR and type(value) is ir.Ref:
                self.out.append((value, "tensor"))
            elif kind == EITHER and type(value) is ir.Ref:
                self.out.append((value, "either"))
            else:
                self.value(value)

    def step(self, step) -> None:
        kind = type(step)
        if kind is ir.Ref:
            self.out.append((step, "step"))
        elif kind is ir.Repeat:
            self.value(step.count)
            self.step(step.step)
        elif kind is ir.Call:
            name = step.callee.name
            what = self.callable_kind(name) if name in self.callables else None
            if what == "block":
                self.out.append((step.callee, "callee"))
                self.block_args(self.block(name), step.args, 1)
            elif what == "layer":
                self.out.append((step.callee, "callee"))
                self.args(step.args)
            elif get_merge(name) is not None:  # a merge misplaced as a step (GD0115)
                self.out.extend((a.value, "tensor") for a in step.args if type(a.value) is ir.Ref)
            else:
                self.args(step.args)


_ONCE = {ir.ModelDecl: "model", ir.OptimizerDecl: "optimizer"}
_TOP_ONLY = {
    ir.ModelDecl: "'model'",
    ir.ParamDecl: "a 'param'",
    ir.InputDecl: "an 'input'",
    ir.OutputDecl: "an 'output'",
    ir.OptimizerDecl: "the 'optimizer'",
    ir.BlockDecl: "a 'block'",
}


class _Resolver:
    def __init__(self, program: ir.Program):
        self.program = program
        self.diags: list[Diagnostic] = []
        self.defs: dict[str, Definition] = {}
        self.blocks: dict[str, BlockInfo] = {}
        self.undefined: set[str] = set()
        self.suggested: set[str] = set()
        self.reported: set = set()
        self.uses: dict[str, int] = {}
        self.pool: NamePool | None = None
        self.ordered: list[Definition] = []
        self.errors = 0  # errors reported so far
        self.callables: frozenset[str] = frozenset()  # the program's blocks and layer declarations

    def error(self, code: str, message: str, span: Span, labels=(), help: str | None = None) -> None:
        self.diags.append(Diagnostic(code, Severity.ERROR, message, span, tuple(labels), help))
        self.errors += 1

    # ---- definitions -------------------------------------------------------------------------

    def define(self, defs: dict[str, Definition], ident: ir.Ident, kind: str, index: int, stmt=None) -> bool:
        first = defs.get(ident.name)
        if first is not None:
            self.error("GD0102", f"'{ident.name}' is defined twice", ident.span,
                       labels=(Label(first.span, "first defined here"),),
                       help=_rebinding(stmt, ident.name) or "each name is bound once; give the second one another name")
            return False
        defs[ident.name] = Definition(ident.name, kind, index, ident.span)
        return True

    def top_definitions(self) -> dict[str, ir.ModelDecl | ir.OptimizerDecl]:
        once: dict[str, ir.ModelDecl | ir.OptimizerDecl] = {}  # statements a program has at most one of
        for index, stmt in enumerate(self.program.statements):
            word = _ONCE.get(type(stmt))
            if word is not None:
                if word in once:
                    self.diags.append(_twice(word, stmt, once[word]))
                else:
                    once[word] = stmt
                continue
            if type(stmt) is ir.Return:
                self.error("GD0124", "'return' belongs at the end of a block's body", stmt.span,
                           help="a block gives back tensors with return; the program names its results with "
                           "output NAME = ...")
                continue
            for ident in ir.defined_names(stmt):
                self.define(self.defs, ident, _kind(stmt), index, stmt)
        return once

    # ---- uses --------------------------------------------------------------------------------

    def resolve(self) -> Symbols:
        once = self.top_definitions()
        self.ordered = list(self.defs.values())
        # "did you mean" looks at the names defined above the use; all of them together at most a
        # few times each (the pool's budget), however many names are unknown
        self.pool = NamePool(((d.name, d.kind) for d in self.ordered), budget=20_000 + 8 * len(self.ordered))
        before = 0  # how many of `ordered` are defined above the statement at hand
        ordered = self.ordered
        self.callables = frozenset(d.name for d in ordered if d.kind in ("block", "layer"))
        walker = _Walker(_TopCallables(self, 0), self.blocks.get, self.callables)
        top_use = self.top_use
        for index, stmt in enumerate(self.program.statements):
            while before < len(ordered) and ordered[before].index < index:
                before += 1
            if type(stmt) is ir.BlockDecl:
                self.block(stmt, index, before)
                continue
            for node, expected in walker.statement(stmt):
                top_use(node, expected, index, before)

        kinds = [d.kind for d in self.defs.values()]
        has_broken = any(isinstance(stmt, ir.Broken) for stmt in self.program.statements)
        if "input" not in kinds and not has_broken:
            self.error("GD0301", "the program declares no input: there is no model to build", None,
                       help="declare one, e.g.: input x: float32[16]")
        if "output" not in kinds and not has_broken:
            self.error("GD0302", "the program declares no output: there is no model to build", None,
                       help="declare one, e.g.: output y = x -> Dense(1) loss mse")
        model_decl = once.get("model")
        return Symbols(
            self.defs,
            model_decl.name.name if model_decl else None,
            frozenset(self.undefined),
            self.uses,
            frozenset(self.suggested),
            has_output="output" in kinds or has_broken,
            blocks=self.blocks,
        )

    def discard_used(self, node) -> bool:
        """`_` used as a value: reported (once per place), and nothing else is said about it."""
        if node.name != DISCARD:
            return False
        self.error("GD0128", "'_' discards a value; it cannot be used", node.span,
                   help="give the value a name to use it: a, b = ... instead of a, _ = ...")
        return True

    def top_use(self, node, expected: str, index: int, before: int) -> None:
        name = node.name
        d = self.defs.get(name)
        if expected == "any":
            if d is not None:
                self.uses[name] = self.uses.get(name, 0) + 1
            return
        if expected == "callee":  # a block or layer declaration (see _TopCallables)
            self.uses[name] = self.uses.get(name, 0) + 1
            if d.index >= index:
                self.late(node, d, index)
            return
        if self.discard_used(node):
            return
        if d is None:
            self.unknown(node, expected, lambda: self.pool.suggest(name, before, _FITS[expected])
                         or self.pool.suggest(name, before))
            return
        self.uses[name] = self.uses.get(name, 0) + 1
        if d.index >= index:
            self.late(node, d, index)
            return
        if d.kind not in _FITS[expected]:
            self.wrong_kind(node, d.kind, expected, d.span)

    def unknown(self, node, expected: str, hint_of) -> None:
        name = node.name
        self.undefined.add(name)
        if name in self.reported:
            return
        self.reported.add(name)
        hint = hint_of()
        if hint:
            self.suggested.add(hint)
        self.error("GD0101", f"'{name}' is not defined", node.span, help=_unknown_help(name, expected, hint))

    def late(self, node, d: Definition, index: int) -> None:
        if (node.name, "late", d.span) in self.reported:
            return
        self.reported.add((node.name, "late", d.span))
        what = "itself" if d.index == index else "later"
        self.error(
            "GD0114",
            f"'{node.name}' is used before it is defined" if d.index > index
            else f"'{node.name}' is defined in terms of itself",
            node.span,
            labels=(Label(d.span, f"defined {what} here"),),
            help="define a name above the statements that use it" + (
                " (a block cannot call itself)" if d.kind == "block" and d.index == index else ""),
        )

    def wrong_kind(self, node, kind: str, expected: str, where: Span) -> None:
        self.error(
            "GD0116",
            f"'{node.name}' is {KIND_WORDS[kind]}, but {_EXPECTED_WORDS[expected]} belongs here",
            node.span,
            labels=(Label(where, f"'{node.name}' is defined here"),),
            help=_kind_help(kind, expected, node.name),
        )

    # ---- blocks ------------------------------------------------------------------------------

    def block(self, decl: ir.BlockDecl, index: int, before: int) -> None:
        info = BlockInfo(decl, index)
        if decl.name.name not in self.blocks and self.defs.get(decl.name.name, None) is not None \
                and self.defs[decl.name.name].index == index:
            self.blocks[decl.name.name] = info
        errors_before = self.errors
        local = info.defs
        param_uses: dict[str, list[tuple[str, Span]]] = {}
        for p in decl.params:
            if self.define(local, p.name, "eparam", -1):
                param_uses[p.name.name] = []
            if p.default is not None:
                walker = _Walker(_TopCallables(self, index), self.blocks.get, self.callables)
                walker.out = []
                walker.value(p.default)
                for node, expected in walker.out:
                    self.top_use(node, expected, index, before)
        body = decl.body
        returns = [k for k, s in enumerate(body) if type(s) is ir.Return]
        for k, stmt in enumerate(body):
            where = _TOP_ONLY.get(type(stmt))
            if where is not None:
                self.error("GD0124", f"{where} belongs at the top level of the program, not in a block",
                           _keyword_span(stmt),
                           help="a block's body holds tensor bindings (NAME = ...), `layer` declarations and "
                           "ends with return ...")
                continue
            if type(stmt) is not ir.Return:
                for ident in ir.defined_names(stmt):
                    self.define(local, ident, _kind(stmt), k, stmt)
        if not returns:
            self.error("GD0125", f"block '{decl.name.name}' returns nothing", decl.close if decl.close.end else decl.span,
                       help="end its body with the tensors it gives back: return TENSOR, ...")
        elif returns[0] != len(body) - 1:
            after = body[returns[0] + 1]
            self.error("GD0125", "nothing may follow 'return' in a block's body", after.span,
                       labels=(Label(body[returns[0]].span, "the block returns here"),),
                       help="'return' is the body's last statement; move this above it")
        else:
            info.returns = len(body[returns[0]].values)
        info.layers = frozenset(n for n, d in local.items() if d.kind == "layer")

        # the body's uses, in order
        pool = NamePool(((d.name, d.kind) for d in local.values()), budget=20_000 + 8 * len(local))
        for k, stmt in enumerate(body):
            if type(stmt) in _TOP_ONLY:
                continue
            walker = _Walker(_BodyCallables(self, info, k), self.blocks.get, self.callables | info.layers)
            for node, expected in walker.statement(stmt):
                self.body_use(info, node, expected, k, before, pool, param_uses)

        for p in decl.params:
            uses = param_uses.get(p.name.name)
            if uses is None:
                continue
            info.kinds[p.name.name] = self.param_kind(decl, p, uses)
        info.ok = self.errors == errors_before

    def param_kind(self, decl: ir.BlockDecl, p: ir.BlockParam, uses: list[tuple[str, Span]]) -> str:
        """A parameter is a tensor or a constant by its uses (see the module docstring)."""
        name = p.name.name
        first = {TENSOR: None, CONSTANT: None}
        for kind, span in uses:
            if kind in first:
                if first[kind] is None:
                    first[kind] = span
                other = CONSTANT if kind == TENSOR else TENSOR
                if first[other] is not None:
                    self.error(
                        "GD0126",
                        f"parameter '{name}' of block '{decl.name.name}' is used as a "
                        f"{'tensor' if kind == TENSOR else 'constant'} here, but as a "
                        f"{'constant' if kind == TENSOR else 'tensor'} before",
                        span,
                        labels=(Label(first[other], f"used as a {'constant' if kind == TENSOR else 'tensor'} here"),),
                        help="a parameter is either a tensor (chains flow from it) or a constant (arguments use it); "
                        "use two parameters",
                    )
                    return EITHER  # reported: calls take it either way
        if first[TENSOR] is not None:
            if p.default is not None:
                self.error(
                    "GD0126",
                    f"parameter '{name}' of block '{decl.name.name}' is a tensor, so it cannot have a default",
                    p.default.span,
                    labels=(Label(first[TENSOR], "used as a tensor here"),),
                    help="only constant parameters have defaults; a tensor is always given by the call",
                )
            return TENSOR
        if first[CONSTANT] is not None or p.default is not None:
            return CONSTANT
        return EITHER

    def body_use(self, info: BlockInfo, node, expected: str, k: int, before: int, pool: NamePool,
                 param_uses: dict[str, list[tuple[str, Span]]]) -> None:
        name = node.name
        local = info.defs
        if expected == "any":
            if name in local:
                info.uses[name] = info.uses.get(name, 0) + 1
            elif name in self.defs:
                self.uses[name] = self.uses.get(name, 0) + 1
            return
        if expected == "callee":  # see _BodyCallables
            d = local.get(name)
            if d is not None:
                info.uses[name] = info.uses.get(name, 0) + 1
                if d.index >= k:
                    self.late(node, d, k)
            else:
                d = self.defs[name]
                self.uses[name] = self.uses.get(name, 0) + 1
                if d.index >= info.index:
                    self.late(node, d, info.index)
            return
        if self.discard_used(node):
            return
        d = local.get(name)
        if d is not None:
            info.uses[name] = info.uses.get(name, 0) + 1
            if d.kind == "eparam":
                if expected == "step":
                    self.wrong_kind(node, "eparam", expected, d.span)
                else:
                    param_uses[name].append((_PARAM_USE[expected], node.span))
                return
            if d.index >= k:
                self.late(node, d, k)
                return
            if d.kind not in _FITS[expected]:
                self.wrong_kind(node, d.kind, expected, d.span)
            return
        d = self.defs.get(name)
        if d is not None and d.kind in ("param", "layer", "block", "broken"):
            self.uses[name] = self.uses.get(name, 0) + 1
            if d.index >= info.index:
                self.late(node, d, info.index)
            elif d.kind not in _FITS[expected]:
                self.wrong_kind(node, d.kind, expected, d.span)
            return
        if d is not None:  # a tensor of the program: not visible in a block
            self.uses[name] = self.uses.get(name, 0) + 1
            if (name, "hidden", info.name) in self.reported:
                return
            self.reported.add((name, "hidden", info.name))
            self.error(
                "GD0101",
                f"'{name}' is not defined in block '{info.name}'",
                node.span,
                labels=(Label(d.span, f"'{name}' is {KIND_WORDS[d.kind]} of the program"),),
                help=f"a block sees only its parameters, its own names and the program's params, layers and "
                f"blocks; pass '{name}' in as a parameter: block {info.name}(..., {name})",
            )
            return
        key = (name, "body", info.name)
        self.undefined.add(name)
        if key in self.reported:
            return
        self.reported.add(key)
        hint = pool.suggest(name, len(local)) or self.pool.suggest(
            name, before, {"param", "layer", "block"} & _FITS.get(expected, {"param", "layer", "block"}))
        if hint:
            info.suggested.add(hint)
            self.suggested.add(hint)
        self.error("GD0101", f"'{name}' is not defined", node.span, help=_unknown_help(name, expected, hint))


class _TopCallables:
    """What a called name is at the top level ("block", "layer" or None); a name defined below
    counts too (its use is then reported as too early)."""

    def __init__(self, resolver: _Resolver, index: int):
        self.r = resolver
        self.index = index

    def __call__(self, name: str) -> str | None:
        d = self.r.defs.get(name)
        return d.kind if d is not None and d.kind in ("block", "layer") else None

    def layer_class(self, name: str) -> str | None:
        stmt = self.r.program.statements[self.r.defs[name].index]
        return stmt.call.callee.name if type(stmt) is ir.LayerDecl else None


class _BodyCallables:
    """What a called name is in a block's body: a `layer` declared in the body, or the program's
    block or `layer` declaration."""

    def __init__(self, resolver: _Resolver, info: BlockInfo, k: int):
        self.r = resolver
        self.info = info
        self.k = k

    def __call__(self, name: str) -> str | None:
        d = self.info.defs.get(name)
        if d is not None:
            return "layer" if d.kind == "layer" else None
        d = self.r.defs.get(name)
        return d.kind if d is not None and d.kind in ("block", "layer") else None

    def layer_class(self, name: str) -> str | None:
        d = self.info.defs.get(name)
        if d is not None:
            stmt = self.info.decl.body[d.index]
        else:
            stmt = self.r.program.statements[self.r.defs[name].index]
        return stmt.call.callee.name if type(stmt) is ir.LayerDecl else None


def _keyword_span(stmt) -> Span:
    """The statement's first word (its keyword), to point at."""
    start = stmt.span.start
    words = {ir.ModelDecl: 5, ir.ParamDecl: 5, ir.InputDecl: 5, ir.OutputDecl: 6, ir.OptimizerDecl: 9,
             ir.BlockDecl: 5}
    return Span(start, start + words.get(type(stmt), 0)) if type(stmt) in words else stmt.span


def resolve(program: ir.Program) -> tuple[Symbols, list[Diagnostic]]:
    resolver = _Resolver(program)
    symbols = resolver.resolve()
    return symbols, resolver.diags


def _kind_help(kind: str, expected: str, name: str) -> str | None:
    if expected == "step" and kind in ("input", "tensor", "output"):
        return "a chain's steps are layers; to combine two tensors use a merge: concat(a, b) -> ..."
    if expected == "value" and kind in ("input", "tensor", "output"):
        return "arguments are constants; tensors flow through chains (x -> Dense(8))"
    if expected in ("tensor", "either") and kind == "layer":
        return f"a layer is applied inside a chain: x -> {name}"
    if expected in ("tensor", "either") and kind == "block":
        return f"a block is called: x -> {name}(...), or {name}(tensors, ...) at a chain's head"
    if expected == "step" and kind == "eparam":
        return "a parameter is a tensor or a constant, not a layer; declare shared layers at the top level"
    return None


def _twice(what: str, stmt, first) -> Diagnostic:
    return Diagnostic(
        "GD0118",
        Severity.ERROR,
        f"'{what}' is declared twice",
        stmt.span,
        labels=(Label(first.span, "first declared here"),),
        help=f"keep one '{what}' statement",
    )


def _unknown_help(name: str, expected: str, hint: str | None) -> str | None:
    """"did you mean", or for a layer named without () -- Keras's habit: the class, not a call --
    the call."""
    if expected == "step":
        from ..catalog import get_layer  # noqa: PLC0415 - only an undefined name pays for the catalog

        if get_layer(name) is not None:
            return f"did you mean '{name}()'? a layer step is a call, even with no arguments"
    return f"did you mean '{hint}'?" if hint else None


def _rebinding(stmt, name: str) -> str | None:
    """The help for ``x = x -> ...``: a Keras habit (reassigning a Python variable)."""
    chain = getattr(stmt, "chain", None)
    head = getattr(chain, "head", None)
    if not (isinstance(head, ir.Ref) and head.name == name):
        return None
    return (f"a name is bound once, not reassigned as in Python: give the new tensor its own name "
            f"(e.g. {name}_2 = {name} -> ...) and use that name below")
