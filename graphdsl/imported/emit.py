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
from ..passes.infer import _snake
from ..printer import format_program
from .model import ImportedModel, ImportRefused, Node, node_inputs

__all__ = ["KEYWORDS", "Namer", "expr", "hint", "stem", "to_program", "to_text"]

KEYWORDS = frozenset(RESERVED) | {"block", "repeat", "return", "_"}
"""Words a name may not be (version 2's keywords included, so the text stays valid there)."""


class Namer:
    """Readable, unique names in the program's one namespace."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self._next: dict[str, int] = {}

    @staticmethod
    def clean(hint: str) -> str:
        name = re.sub(r"[^A-Za-z0-9_]", "_", hint) or "t"
        if name[0].isdigit():
            name = "t" + name
        if name in KEYWORDS:
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


def _spec(named) -> ir.Spec:
    args = tuple(ir.Arg(ir.Ident(k), expr(v, f"{named.name}({k}=...)")) for k, v in named.kwargs)
    return ir.Spec(ir.Ident(named.name), args if args else None)


# ---- the graph as statements -------------------------------------------------------------------


class _Plan:
    """Which tensors are named, what makes them, and who reads them."""

    def __init__(self, model: ImportedModel):
        self.model = model
        self.nodes = model.nodes
        self.producer: dict[int, int] = {}
        self.consumers: dict[int, list[int]] = {}
        for i, node in enumerate(self.nodes):
            for t in node.outputs:
                self.producer[t] = i
            for t in node_inputs(node):
                self.consumers.setdefault(t, []).append(i)
        self.inputs = {inp.tensor for inp in model.inputs}
        self.outputs = {out.tensor for out in model.outputs}
        self.uses: dict[str, int] = {}  # layer key -> number of simple calls
        for node in self.nodes:
            if node.kind == "layer" and node.layer:
                self.uses[node.layer] = self.uses.get(node.layer, 0) + 1

    def named(self, t: int) -> bool:
        if t in self.inputs or t in self.outputs:
            return True
        producer = self.nodes[self.producer[t]]
        if len(producer.outputs) > 1:
            return True
        readers = self.consumers.get(t, ())
        if len(readers) != 1 or not self.nodes[readers[0]].simple:
            return True
        # the layer names say the statement ends here (features_dense, then age): keep its name
        # (a shared layer is named after its declaration, and says nothing of statements)
        made_in = stem(producer)
        reader = self.nodes[readers[0]]
        return made_in is not None and not self.shared(reader) and made_in != (stem(reader) or reader.name)

    def shared(self, node: Node) -> bool:
        return node.kind == "layer" and self.uses.get(node.layer, 0) > 1

    def chain(self, t: int) -> tuple[int | None, int | None, list[int]]:
        """For named tensor `t`: (head tensor or None, head node or None, step nodes)."""
        steps: list[int] = []
        current = t
        while True:
            n = self.producer[current]
            node = self.nodes[n]
            if not node.simple:
                steps.reverse()
                return None, n, steps
            steps.append(n)
            current = node.operands[0].id
            if self.named(current):
                steps.reverse()
                return current, None, steps

    def needs(self, t: int) -> list[int]:
        """The named tensors the statement of `t` reads."""
        head_t, head_n, _steps = self.chain(t)
        if head_t is not None:
            return [head_t]
        return node_inputs(self.nodes[head_n])


def stem(node: Node) -> str | None:
    """The statement a layer's name says it was made in: ``features`` for ``features_conv1d_2``
    (graphdsl names a layer after its statement and class), else None."""
    suffix = "_" + (node.op if node.kind != "layer" else _snake(node.op))
    found = re.fullmatch(rf"(.+?){re.escape(suffix)}(?:_\d+)?", node.name)
    return found.group(1) if found else None


def hint(node: Node) -> str:
    """The name a node's tensor is given: its layer's name, or the statement that name says it
    was made in, so that a model graphdsl built comes back with its own names."""
    return stem(node) or node.name


def to_program(model: ImportedModel) -> ir.Program:
    """The model as a flat graphdsl program (IR without source spans)."""
    plan = _Plan(model)
    namer = Namer()
    names: dict[int, str] = {}
    out_names = [namer.take(out.name) for out in model.outputs]
    statements: list[ir.Statement] = [ir.ModelDecl(ir.Ident(namer.clean(model.name)))]
    for inp in model.inputs:
        names[inp.tensor] = namer.take(inp.name)
        dims = tuple(ir.Dim(d) for d in inp.shape)
        statements.append(ir.InputDecl(ir.Ident(names[inp.tensor]), ir.Ident(inp.dtype), dims))

    declared: dict[str, str] = {}  # shared layer key -> its declaration's name

    def step(n: int) -> ir.Call | ir.Ref:
        node = plan.nodes[n]
        if plan.shared(node):
            if node.layer not in declared:
                declared[node.layer] = namer.take(node.name)
                statements.append(ir.LayerDecl(ir.Ident(declared[node.layer]), node_call(node)))
            return ir.Ref(declared[node.layer])
        return node_call(node)

    def head(head_t: int | None, head_n: int | None) -> ir.Ref | ir.Call:
        if head_t is not None:
            return ir.Ref(names[head_t])
        node = plan.nodes[head_n]
        if node.kind == "merge":
            refs = tuple(ir.Arg(None, ir.Ref(names[t])) for t in node_inputs(node))
            kw = tuple(ir.Arg(ir.Ident(k), expr(v, f"{node.op}({k}=...)")) for k, v in node.args)
            return ir.Call(ir.Ident(node.op), refs + kw)
        if node.kind == "op":
            raise ImportRefused(node.name, f"tensor arithmetic ({node.op} between tensors and numbers, a keras.ops "
                                "node) cannot be written in graphdsl yet")
        raise ImportRefused(node.name, f"{node.op} called on several tensors, or returning several, cannot be "
                            "written in graphdsl yet")

    def chain_of(t: int) -> ir.Chain:
        head_t, head_n, steps = plan.chain(t)
        # the declarations a chain's steps need come before the statement that uses them
        step_irs = [step(n) for n in steps]
        return ir.Chain(head(head_t, head_n), tuple(step_irs))

    def define(t: int) -> None:
        """Emit the statements `t` needs, then `t`'s own (depth first, without recursion)."""
        stack = [(t, False)]
        while stack:
            current, ready = stack.pop()
            if current in names:
                continue
            if not ready:
                stack.append((current, True))
                stack.extend((d, False) for d in reversed(plan.needs(current)) if d not in names)
                continue
            chain = chain_of(current)
            names[current] = namer.take(hint(plan.nodes[plan.producer[current]]))
            statements.append(ir.Assign(ir.Ident(names[current]), chain))

    for out, name in zip(model.outputs, out_names, strict=True):
        t = out.tensor
        if t in names:
            chain = ir.Chain(ir.Ref(names[t]), ())
        else:
            for d in plan.needs(t):
                define(d)
            chain = chain_of(t)
            names[t] = name
        weight = None if out.weight is None or out.weight == 1.0 else _number(float(out.weight), "a loss weight")
        metrics = tuple(_spec(m) for m in out.metrics) or None
        loss = _spec(out.loss) if out.loss is not None else None
        statements.append(ir.OutputDecl(ir.Ident(name), chain, loss, weight, metrics))
    if model.optimizer is not None:
        statements.append(ir.OptimizerDecl(_spec(model.optimizer)))
    return ir.Program(tuple(statements))


def header(model: ImportedModel) -> str:
    """The comment the imported text starts with."""
    source = f" from {model.source}" if model.source else ""
    return f"# Imported{source} by graphdsl import.\n\n"


def to_text(model: ImportedModel) -> str:
    """The model as graphdsl text in the canonical style."""
    return header(model) + format_program(to_program(model), "")
