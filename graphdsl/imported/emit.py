"""An imported graph -> graphdsl IR -> canonical text (through the formatter, `printer.py`).

How the graph becomes statements:

- A tensor gets a name when the text must refer to it: a model input or output, a tensor used
  more than once (or not at all), one that feeds a merge, and one made by a node that is not a
  chain step. Every other tensor lives inside a chain.
- A tensor also gets a name where the layers' names say a statement ends: graphdsl names a layer
  after its statement and class (``features_conv1d``), so a model graphdsl built comes back with
  its own statements and names.
- Each named tensor is one statement: walking back from it through chain steps (layers on the
  one tensor before them) to a named tensor (the head, ``x -> ...``) or to a merge
  (``add(a, b) -> ...``). It is named after the Keras layer that makes it (``conv2_block1_out``),
  an output after the model's output name.
- Statements come in the order a depth-first walk from the outputs (in order) needs them, so
  every name is defined before it is used and the outputs keep their order. An output whose
  tensor an earlier output needs is first bound by the layer's name, then given as
  ``output NAME = tensor``.
- A layer called at several places (shared weights) is a ``layer`` declaration, just before
  its first use; each use is a step naming it.
- Names are the Keras names made into identifiers (other characters become ``_``, a keyword
  gets a ``_`` appended), unique in the program's one namespace (``_2``, ``_3`` in order).

The text is printed by `printer.format_program`, so it is in the canonical style.
"""

from __future__ import annotations

import math
import re

from .. import ir
from ..catalog.types import LayerValue, ObjectValue
from ..parser import RESERVED
from ..passes.chains import snake as _snake
from ..printer import format_program
from .model import ImportedModel, ImportRefused, Node, TRef, node_inputs

__all__ = ["KEYWORDS", "CallStep", "Namer", "Scope", "Writer", "expr", "hint", "stem", "to_program", "to_text",
           "written_by_position"]

KEYWORDS = frozenset(RESERVED) | {"block", "repeat", "return", "_"}
"""Words a name may not be (version 2's keywords included, so the text stays valid there)."""
AVOIDED = KEYWORDS | {"concat", "add", "subtract", "multiply", "average", "maximum", "minimum", "dot"}
"""... nor, for reading's sake, a merge's name (``multiply = ...`` then ``multiply(x, multiply)``)."""
_MERGED = {"add": "sum", "concat": "joined", "concatenate": "joined", "multiply": "product",
           "subtract": "difference", "average": "mean", "maximum": "largest", "minimum": "smallest",
           "dot": "similarity"}
"""What a tensor named after a merge layer (Keras's ``add``, ``add_3``) is called instead."""


class Namer:
    """Readable, unique names in the program's one namespace."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self._next: dict[str, int] = {}

    @staticmethod
    def clean(hint: str) -> str:
        name = re.sub(r"[^A-Za-z0-9_]", "_", hint) or "t"
        merged = re.fullmatch(r"([a-z]+)(_\d+)?", name)
        if merged and merged.group(1) in _MERGED:
            name = _MERGED[merged.group(1)] + (merged.group(2) or "")
        if name[0].isdigit():
            name = "t" + name
        if name in AVOIDED:
            name += "_"
        return name

    def take(self, hint: str) -> str:
        base = self.clean(hint)
        name = base
        n = self._next.get(base, 2)
        while name in self.used:
            name = f"{base}_{n}"
            n += 1
        self._next[base] = n
        self.used.add(name)
        return name


# ---- values ----------------------------------------------------------------------------------


def _number(value: int | float, what: str) -> ir.Expr:
    if isinstance(value, float) and not math.isfinite(value):
        raise ImportRefused(None, f"{what} is {value!r}, which a graphdsl program cannot write")
    if value < 0 or (isinstance(value, float) and math.copysign(1.0, value) < 0):
        return ir.Neg(ir.Number(-value))
    return ir.Number(value)


def expr(value: object, what: str = "a value") -> ir.Expr:
    """The graphdsl expression of a catalog value (an argument, a loss's keyword, a constant)."""
    if isinstance(value, bool):
        return ir.Bool(value)
    if value is None:
        return ir.NoneLit()
    if isinstance(value, (int, float)):
        return _number(value, what)
    if isinstance(value, str):
        return ir.String(value)
    if isinstance(value, tuple):
        return ir.TupleLit(tuple(expr(v, what) for v in value))
    if isinstance(value, LayerValue):
        params = [p for p in value.spec.params if p.name in value.args]
        positional = _leading_required(params, value.spec.params)
        return _call(value.spec.name, [(p.name, value.args[p.name]) for p in params], positional)
    if isinstance(value, ObjectValue):
        items = [(p.name, value.args[p.name]) for p in value.spec.params if p.name in value.args]
        first = value.spec.params[0].name if value.spec.params else None
        positional = 1 if len(items) == 1 and items[0][0] == first else 0
        return _call(value.spec.name, items, positional)
    raise ImportRefused(None, f"{what} is a {type(value).__name__}, which a graphdsl program cannot write")


def _leading_required(given: list, params: tuple) -> int:
    """How many of the given arguments can be written by position: the leading required ones."""
    n = 0
    for p in params:
        if not p.required or n >= len(given) or given[n].name != p.name:
            break
        n += 1
    return n


def _call(callee: str, items: list[tuple[str, object]], positional: int) -> ir.Call:
    args = tuple(
        ir.Arg(None if i < positional else ir.Ident(name), expr(value, f"{callee}({name}=...)"))
        for i, (name, value) in enumerate(items)
    )
    return ir.Call(ir.Ident(callee), args)


def node_call(node: Node) -> ir.Call:
    """A layer node as the call that makes its layer: ``Conv2D(64, 3, padding="same")``."""
    return _call(node.op, list(node.args), node.positional)


# optional first arguments written by position, as Keras's examples and applications write them
FIRST_BY_POSITION = frozenset({"pool_size", "padding", "cropping", "size", "max_value", "dims", "target_shape", "n",
                               "rate", "stddev"})


def written_by_position(params: tuple, names: list[str]) -> int:
    """How many of the arguments `names` (in signature order) a layer call writes by position:
    the leading required ones, or a lone optional first one such as MaxPooling1D's pool_size."""
    n = 0
    for p in params:
        if not p.required or n >= len(names) or names[n] != p.name:
            break
        n += 1
    if n == 0 and names and params and names[0] == params[0].name and params[0].name in FIRST_BY_POSITION:
        n = 1
    return n


def _spec(named) -> ir.Spec:
    args = tuple(ir.Arg(ir.Ident(k), expr(v, f"{named.name}({k}=...)")) for k, v in named.kwargs)
    return ir.Spec(ir.Ident(named.name), args if args else None)


# ---- the graph as statements -------------------------------------------------------------------


def stem(node) -> str | None:
    """The statement a layer's name says it was made in: ``features`` for ``features_conv1d_2``
    (graphdsl names a layer after its statement and class), else None."""
    if not isinstance(node, Node) or node.kind == "op":
        return None
    suffix = "_" + (node.op if node.kind != "layer" else _snake(node.op))
    found = re.fullmatch(rf"(.+?){re.escape(suffix)}(?:_\d+)?", node.name)
    return found.group(1) if found else None


def hint(node) -> str:
    """The name a node's tensor is given: its layer's name, or the statement that name says it
    was made in, so that a model graphdsl built comes back with its own names."""
    if isinstance(node, CallStep):
        node = node.made_by
    return stem(node) or node.name


def named_by_graphdsl(model: ImportedModel) -> bool:
    """Whether most layer names are as graphdsl makes them (statement and class: ``h0_dense``);
    only then do names say where statements end (Keras code may name one layer ``block1_add``)."""
    # a shared layer is named after its declaration, an output's layer after the output
    uses: dict[str, int] = {}
    for n in model.nodes:
        uses[n.layer] = uses.get(n.layer, 0) + 1
    outputs = {o.tensor for o in model.outputs}
    nodes = [n for n in model.nodes if n.kind != "op" and uses[n.layer] == 1 and not set(n.outputs) & outputs]
    return bool(nodes) and 2 * sum(1 for n in nodes if stem(n) is not None) > len(nodes)


def _plain_name(node) -> str:
    return node.name


class CallStep:
    """A block call in a scope, or `count` identical ones in a row (``repeat``): a chain step."""

    kind = "call"
    op = ""
    layer = ""
    call_kwargs = ()
    simple = True

    def __init__(self, block: str, args: tuple[ir.Expr, ...], count: int, input: int, output: int, made_by: Node,
                 key: object):
        self.block = block
        self.args = args
        self.count = count
        self.operands = (TRef(input),)
        self.outputs = (output,)
        self.made_by = made_by  # the layer that makes the call's result, whose name the result takes
        self.name = made_by.name
        self.key = key  # what makes two calls the same (the block and its values)


class Writer:
    """How a scope writes a node's constants: its arguments, as (name, expression) pairs and the
    number written by position, and its constant operands (arithmetic)."""

    def args(self, node: Node) -> tuple[list[tuple[str, ir.Expr]], int]:
        pairs = [(k, expr(v, f"{node.op}({k}=...)")) for k, v in node.args]
        return pairs, node.positional

    def const(self, node: Node, index: int, value: object) -> ir.Expr:
        return expr(value, f"a constant of {node.name}")


def _step_like(node) -> bool:
    """A chain step: one tensor in (the chain's), nothing else given to the call."""
    return (node.kind in ("layer", "call") and len(node.operands) == 1 and isinstance(node.operands[0], TRef)
            and not node.call_kwargs)


class Scope:
    """The statements of one scope (the program, or a block's body) from its nodes.

    `nodes` are in an order where every tensor is made before it is used; `inputs` names the
    tensors the scope starts from; `finals` are the tensors it ends with, each an output
    (``("output", ModelOutput, name)``) or the block's result (``("return",)``).
    """

    def __init__(self, nodes: list, inputs: dict[int, str], namer: Namer, writer: Writer, shared: dict[str, int],
                 declared: dict[str, str], local_hint=hint, breaks: bool = False, stems: bool = True):
        self.nodes = nodes
        self.names = dict(inputs)
        self.inputs = set(inputs)
        self.namer = namer
        self.writer = writer
        self.shared_uses = shared
        self.declared = declared
        self.local_hint = local_hint
        self.statements: list[ir.Statement] = []
        self.producer: dict[int, int] = {}
        self.consumers: dict[int, list[int]] = {}
        for i, node in enumerate(nodes):
            for t in node.outputs:
                self.producer[t] = i
            for t in node_inputs(node):
                self.consumers.setdefault(t, []).append(i)
        self.finals: set[int] = set()
        self.forced = self._breaks() if breaks else set()
        self.stems = stems

    # -- which tensors are named

    def _breaks(self) -> set[int]:
        """Where the program's chains are cut for reading: where a block called in the chain is
        called again (a new stage), and around runs of two layers or more between calls (a stem,
        a head, a transition), so that each stage is a statement of its own."""
        runs: list[list] = []  # runs of chain steps, each taking the tensor the one before it made
        for node in self.nodes:
            if not _step_like(node):
                continue
            t = node.operands[0].id
            if runs and self.producer.get(t) is not None and self.nodes[self.producer[t]] is runs[-1][-1]:
                runs[-1].append(node)
            else:
                runs.append([node])
        forced: set[int] = set()
        for run in runs:
            # lengths of the runs of layers (not calls) each step belongs to
            spans: list[int] = []
            k = 0
            while k < len(run):
                j = k
                while j < len(run) and (run[j].kind == "call") == (run[k].kind == "call"):
                    j += 1
                spans += [j - k] * (j - k)
                k = j
            blocks: set[str] = set()
            for k in range(1, len(run)):
                node, previous = run[k], run[k - 1]
                cut = False
                if node.kind == "call":
                    cut = node.block in blocks or (previous.kind != "call" and spans[k - 1] >= 2)
                elif previous.kind == "call":
                    cut = spans[k] >= 2
                if cut:
                    forced.add(node.operands[0].id)
                    blocks = set()
                if node.kind == "call":
                    blocks.add(node.block)
        return forced

    def shared(self, node) -> bool:
        return node.kind == "layer" and self.shared_uses.get(node.layer, 0) > 1

    def named(self, t: int) -> bool:
        if t in self.inputs or t in self.finals or t in self.forced:
            return True
        producer = self.nodes[self.producer[t]]
        if len(producer.outputs) > 1:
            return True
        readers = self.consumers.get(t, ())
        if len(readers) != 1:
            return True
        reader = self.nodes[readers[0]]
        if producer.kind == "op" and reader.kind == "op":
            return False  # (x + 3.0) * 2.0: one expression
        if not _step_like(reader):
            return True
        # the layer names say the statement ends here (features_dense, then age): keep its name
        # (a shared layer is named after its declaration, and says nothing of statements)
        made_in = stem(producer) if self.stems else None
        return (made_in is not None and isinstance(reader, Node) and not self.shared(reader)
                and made_in != (stem(reader) or reader.name))

    def chain(self, t: int) -> tuple[int | None, int | None, list[int]]:
        """For named tensor `t`: (head tensor or None, head node or None, step nodes)."""
        steps: list[int] = []
        n = self.producer[t]
        while True:
            node = self.nodes[n]
            if not _step_like(node) or (steps and len(node.outputs) > 1):
                steps.reverse()
                return None, n, steps
            steps.append(n)
            source = node.operands[0].id
            if self.named(source):
                steps.reverse()
                return source, None, steps
            n = self.producer[source]

    def needs(self, t: int) -> list[int]:
        """The named tensors the statement of `t` reads."""
        head_t, head_n, _steps = self.chain(t)
        if head_t is not None:
            return [head_t]
        out: list[int] = []
        stack = [head_n]
        while stack:  # arithmetic nests the op nodes it reads
            node = self.nodes[stack.pop()]
            for x in node_inputs(node):
                if self.named(x):
                    out.append(x)
                else:
                    stack.append(self.producer[x])
        return out

    # -- writing

    def ref(self, t: int) -> ir.Expr:
        if t in self.names:
            return ir.Ref(self.names[t])
        node = self.nodes[self.producer[t]]
        if node.kind == "op":
            return self.arithmetic(node)
        raise ImportRefused(node.name, "a tensor without a name (a bug in graphdsl's importer)")

    def arithmetic(self, node: Node) -> ir.Expr:
        operands = []
        c = 0
        for v in node.operands:
            if isinstance(v, TRef):
                operands.append(self.ref(v.id))
            else:
                operands.append(self.writer.const(node, c, v))
                c += 1
        if len(operands) == 1:
            return ir.Neg(operands[0])
        return ir.BinOp(node.op, operands[0], operands[1])

    def operand(self, v: object, node) -> ir.Expr:
        if isinstance(v, TRef):
            return self.ref(v.id)
        if isinstance(v, tuple) and v and all(isinstance(x, TRef) for x in v):
            return ir.ListLit(tuple(self.ref(x.id) for x in v))
        return expr(v, f"an argument of the call of {node.name}")

    def call_of(self, node: Node) -> ir.Call:
        pairs, positional = self.writer.args(node)
        args = tuple(ir.Arg(None if i < positional else ir.Ident(k), e) for i, (k, e) in enumerate(pairs))
        return ir.Call(ir.Ident(node.op), args)

    def declare(self, node: Node) -> str:
        if node.layer not in self.declared:
            self.declared[node.layer] = self.namer.take(node.name)
            self.statements.append(ir.LayerDecl(ir.Ident(self.declared[node.layer]), self.call_of(node)))
        return self.declared[node.layer]

    def step(self, n: int) -> ir.Call | ir.Ref | ir.Repeat:
        node = self.nodes[n]
        if node.kind == "call":
            call = ir.Call(ir.Ident(node.block), tuple(ir.Arg(None, a) for a in node.args))
            return call if node.count == 1 else ir.Repeat(ir.Number(node.count), call)
        if self.shared(node):
            return ir.Ref(self.declare(node))
        return self.call_of(node)

    def head(self, head_t: int | None, head_n: int | None) -> ir.Expr:
        if head_t is not None:
            return ir.Ref(self.names[head_t])
        node = self.nodes[head_n]
        if node.kind == "merge":
            refs = tuple(ir.Arg(None, self.ref(t)) for t in node_inputs(node))
            pairs, _ = self.writer.args(node)
            return ir.Call(ir.Ident(node.op), refs + tuple(ir.Arg(ir.Ident(k), e) for k, e in pairs))
        if node.kind == "op":
            return self.arithmetic(node)
        args = tuple(ir.Arg(None, self.operand(v, node)) for v in node.operands)
        args += tuple(ir.Arg(ir.Ident(k), self.operand(v, node)) for k, v in node.call_kwargs)
        if self.shared(node):
            return ir.Call(ir.Ident(self.declare(node)), args)
        return ir.DoubleCall(self.call_of(node), args)

    def chain_of(self, t: int) -> ir.Chain:
        head_t, head_n, steps = self.chain(t)
        step_irs = [self.step(n) for n in steps]  # declarations come before the statement using them
        return ir.Chain(self.head(head_t, head_n), tuple(step_irs))

    def define(self, t: int) -> None:
        """Emit the statements `t` needs, then `t`'s own (depth first, without recursion)."""
        stack = [(t, False)]
        while stack:
            current, ready = stack.pop()
            if current in self.names:
                continue
            if not ready:
                stack.append((current, True))
                stack.extend((d, False) for d in reversed(self.needs(current)) if d not in self.names)
                continue
            node = self.nodes[self.producer[current]]
            if len(node.outputs) > 1:
                self.unpack(node)
                continue
            chain = self.chain_of(current)
            self.names[current] = self.namer.take(self.local_hint(node))
            self.statements.append(ir.Assign(ir.Ident(self.names[current]), chain))

    def unpack(self, node) -> None:
        """``a, _, c = ...``: a node with several outputs, its unused ones discarded."""
        chain = self.chain_of(node.outputs[0])
        base = self.local_hint(node)
        idents = []
        for t in node.outputs:
            if t in self.consumers or t in self.finals:
                self.names[t] = self.namer.take(base)
                idents.append(ir.Ident(self.names[t]))
            else:
                self.names[t] = "_"
                idents.append(ir.Ident("_"))
        self.statements.append(ir.Unpack(tuple(idents), chain))

    def finish(self, t: int) -> ir.Chain:
        """The chain that makes final tensor `t` (an output, the block's result), after what it needs."""
        if t in self.names:
            return ir.Chain(ir.Ref(self.names[t]), ())
        node = self.nodes[self.producer[t]]
        if len(node.outputs) > 1:
            self.define(t)
            return ir.Chain(ir.Ref(self.names[t]), ())
        for d in self.needs(t):
            self.define(d)
        return self.chain_of(t)


def _scope_nodes(model: ImportedModel, items: list, writer_for_call) -> list:
    """The nodes of a sequence of outline items: a segment's nodes, a call (or a run of identical
    calls, as one repeat) as a `CallStep`."""
    producer = {t: node for node in model.nodes for t in node.outputs}
    out: list = []
    for k, item in enumerate(items):
        if item.segment is not None:
            out.extend(model.nodes[i] for i in item.segment.nodes)
            continue
        call = item.call
        args, key = writer_for_call(k, call)
        last = out[-1] if out else None
        if isinstance(last, CallStep) and last.key == key and last.outputs[0] == call.input:
            last.count += 1
            last.outputs = (call.output,)
            last.made_by = producer[call.output]
            last.name = last.made_by.name
            continue
        out.append(CallStep(call.block.name, args, 1, call.input, call.output, producer[call.output], key))
    return out


def to_program(model: ImportedModel, blocks: bool = True) -> ir.Program:
    """The model as a graphdsl program (IR without source spans); with `blocks`, repeated
    structure is outlined into blocks (`outline.py`)."""
    from .outline import outline as find_blocks  # noqa: PLC0415

    found = find_blocks(model, enabled=blocks)
    namer = Namer()
    out_names = [namer.take(out.name) for out in model.outputs]
    statements: list[ir.Statement] = [ir.ModelDecl(ir.Ident(namer.clean(model.name)))]
    names: dict[int, str] = {}
    for inp in model.inputs:
        names[inp.tensor] = namer.take(inp.name)
        dims = tuple(ir.Dim(d) for d in inp.shape)
        statements.append(ir.InputDecl(ir.Ident(names[inp.tensor]), ir.Ident(inp.dtype), dims))
    uses: dict[str, int] = {}
    for node in model.nodes:
        if node.kind == "layer" and node.layer:
            uses[node.layer] = uses.get(node.layer, 0) + 1
    declared: dict[str, str] = {}
    stems = named_by_graphdsl(model)
    local_hint = hint if stems else _plain_name
    for block in _in_order_of_use(found):
        block.name = namer.take(block.name)
        statements.extend(_block_decl(model, block, namer, uses, declared, stems))
    main = Scope(_scope_nodes(model, found.items, lambda k, call: (
        tuple(expr(v, f"an argument of {call.block.name}") for v in call.values),
        (call.block.name, tuple((type(v).__name__, repr(v)) for v in call.values)))),
        names, namer, Writer(), uses, declared, local_hint, breaks=bool(found.blocks), stems=stems)
    main.finals = {out.tensor for out in model.outputs}
    for out, name in zip(model.outputs, out_names, strict=True):
        chain = main.finish(out.tensor)
        main.names.setdefault(out.tensor, name)
        weight = None if out.weight is None or out.weight == 1.0 else _number(float(out.weight), "a loss weight")
        metrics = tuple(_spec(m) for m in out.metrics) or None
        loss = _spec(out.loss) if out.loss is not None else None
        main.statements.append(ir.OutputDecl(ir.Ident(name), chain, loss, weight, metrics))
    statements.extend(main.statements)
    if model.optimizer is not None:
        statements.append(ir.OptimizerDecl(_spec(model.optimizer)))
    return ir.Program(tuple(statements))


def _in_order_of_use(found) -> list:
    """The blocks in the order the program first calls them, each after the blocks it calls."""
    order: list = []
    seen: set[int] = set()

    def visit(items) -> None:
        for item in items:
            if item.call is not None and id(item.call.block) not in seen:
                seen.add(id(item.call.block))
                visit(item.call.block.items)
                order.append(item.call.block)

    visit(found.items)
    return order


def _block_decl(model: ImportedModel, block, namer: Namer, uses: dict[str, int], declared: dict[str, str],
                stems: bool) -> list[ir.Statement]:
    """A block's declaration (and the top-level declarations of shared layers it uses, first)."""
    from .outline import block_writer  # noqa: PLC0415

    local = Namer()
    local.used |= {p for p in ("x",)}
    params = [ir.BlockParam(ir.Ident("x"))]
    for p in block.params:
        p.name = local.take(p.name)
        params.append(ir.BlockParam(ir.Ident(p.name)))
    writer, call_args, local_hint = block_writer(model, block, stems)
    first = block.items
    nodes = _scope_nodes(model, first, call_args)
    before: list[ir.Statement] = []
    outer = Scope(nodes, {}, namer, writer, uses, declared)
    for node in nodes:  # a shared layer used in a body is declared at the top level, above the block
        if outer.shared(node):
            outer.declare(node)
    before = outer.statements
    scope = Scope(nodes, {first[0].inputs[0]: "x"}, local, writer, uses, declared, local_hint, stems=stems)
    result = first[-1].output
    scope.finals = {result}
    chain = scope.finish(result)
    body = tuple(scope.statements) + (ir.Return((chain,)),)
    return [*before, ir.BlockDecl(ir.Ident(block.name), tuple(params), body)]


def header(model: ImportedModel) -> str:
    """The comment the imported text starts with."""
    source = f" from {model.source}" if model.source else ""
    return f"# Imported{source} by graphdsl import.\n\n"


def to_text(model: ImportedModel, blocks: bool = True) -> str:
    """The model as graphdsl text in the canonical style (repeated structure as blocks)."""
    return header(model) + format_program(to_program(model, blocks), "")
