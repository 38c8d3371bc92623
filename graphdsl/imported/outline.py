"""The outliner: repeated structure in an imported graph becomes blocks, and runs of identical
calls become ``repeat``.

What it does, in four steps, each linear in the size of the graph (times a small constant):

1. **Cut the graph into segments.** A tensor is a *cut* when everything made before it is used
   only before it: the graph passes through that one tensor (a residual block's output, a
   Transformer layer's output, every tensor of a plain chain). The nodes between two cuts are a
   segment with one tensor in and one out: a layer, or a piece with branches (a bottleneck with
   its shortcut, a dense layer with its concatenation, an inception module).
2. **Give each segment a form**: its structure with every constant left out (layer classes,
   how the nodes connect, which operand is the segment's input). Two segments of the same form
   differ only in constants.
3. **Outline.** First runs of segments around a segment with branches that occur at least
   twice become blocks (a bottleneck, a dense layer, an inverted residual with its skip, a
   Transformer layer's two halves). Then runs of single layers that occur at least twice become
   blocks too (DenseNet's transition, an inverted residual without skip, a stem repeated per
   input). Each pass takes the run that saves the most lines first, greedily. A run is outlined only if it saves at least two lines: a
   block costs its body plus three lines, each group of adjacent calls one (they become one
   ``repeat``); ties go to the run whose Keras layer names share the longest prefix (the unit
   the model's own code made).
4. **Parameters.** For each constant of a block's body (a layer argument, an arithmetic
   constant, a constant passed to an inner block), the values across the block's occurrences
   decide: one value for all -> written in the body (or left out if it is Keras's default);
   different values -> a parameter, one per distinct pattern of values (``filters``,
   ``strides``); a pattern that is a whole multiple of another parameter's is written as
   ``4 * filters``. Consecutive calls with the same values become ``repeat(n, block(...))``.

Where it stops: only single-tensor pieces are outlined (a segment has one tensor in and one out),
so a graph whose repeated cells take two tensors (NASNet's cells read the two previous cells)
has no cuts inside the cells and stays flat there; a repeated piece inside a larger unique
segment is not outlined; calls of blocks are not outlined again (no block made of blocks);
the choice is greedy, so a longer run that saves more at once wins over the model's own
unit (ResNet50V2: four bottlenecks across each stage boundary become one block, and the program
is longer than ResNet101V2's); ``repeat`` counts are constants of the call site, never parameters.
`expand` turns an outline back into the nodes it stands for, and the tests check that this
gives back the graph, node for node and value for value.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from .model import ImportedModel, Node, TRef, node_inputs

__all__ = ["Block", "Call", "Item", "Outline", "Param", "Scaled", "Segment", "expand", "flat", "outline", "segments"]

BLOCK_OVERHEAD = 3  # lines a block costs besides its body: the header, the return, the brace
MAX_RUN = 24  # the longest run of items considered for a block
MAX_FACTOR = 8  # the largest k of a parameter written as k * another
MIN_SAVING = 2  # a block must save at least this many lines (two small look-alikes stay written out)


@dataclass(eq=False)
class Segment:
    """Nodes between two cuts: `nodes` in model order, `local` in the canonical order of `form`."""

    nodes: tuple[int, ...]
    inputs: tuple[int, ...]
    output: int | None  # the cut it ends with (None: the tail after the last cut)
    form: object
    local: tuple[int, ...]
    consts: tuple[int, ...] = ()  # for each local node, how many constant operands it has


@dataclass(eq=False)
class Param:
    """A constant parameter of a block: its name and its value at each occurrence."""

    name: str
    values: tuple[object, ...]


@dataclass(eq=False)
class Scaled:
    """A constant written as ``factor * param``."""

    param: int
    factor: int


@dataclass(eq=False)
class Block:
    """A block: the items of its body (those of its first occurrence), and how each constant of
    the body is written: a value (`Literal`), a parameter, or a multiple of one."""

    name: str
    items: list[Item]
    params: list[Param]
    slots: dict[tuple, object]  # slot -> ("value", v) | ("omit",) | ("param", i) | Scaled
    calls: int = 0


@dataclass(eq=False)
class Call:
    """A call of a block on the tensor `input`, giving `output`; `values` per block parameter."""

    block: Block
    values: tuple[object, ...]
    input: int
    output: int


@dataclass(eq=False)
class Item:
    """An element of a sequence of the outline: a segment of the graph or a call of a block."""

    form: object
    cost: int
    segment: Segment | None = None
    call: Call | None = None

    @property
    def output(self) -> int | None:
        return self.segment.output if self.segment is not None else self.call.output

    @property
    def inputs(self) -> tuple[int, ...]:
        return self.segment.inputs if self.segment is not None else (self.call.input,)


@dataclass(eq=False)
class Outline:
    model: ImportedModel
    blocks: list[Block] = field(default_factory=list)  # each after the blocks it calls
    items: list[Item] = field(default_factory=list)  # the main sequence


# ---- 1. segments ----------------------------------------------------------------------------


def _cuts(model: ImportedModel) -> list[int]:
    """Positions of the nodes whose (one) output is a cut."""
    n = len(model.nodes)
    last: dict[int, int] = {}
    for i, node in enumerate(model.nodes):
        for t in node_inputs(node):
            last[t] = i
    for out in model.outputs:
        last[out.tensor] = n
    live = max((last.get(inp.tensor, -1) for inp in model.inputs), default=-1)
    cuts = []
    for i, node in enumerate(model.nodes):
        if len(node.outputs) == 1 and live <= i and last.get(node.outputs[0], -1) > i:
            cuts.append(i)
        for t in node.outputs:
            live = max(live, last.get(t, -1))
    return cuts


def _operand_form(value: object, local: dict[int, tuple[int, int]], inputs: dict[int, int]) -> object:
    if isinstance(value, TRef):
        if value.id in local:
            return ("t", *local[value.id])
        return ("in", inputs[value.id])
    if isinstance(value, tuple):
        return tuple(_operand_form(v, local, inputs) for v in value)
    return ("c",)


def _segment(model: ImportedModel, nodes: tuple[int, ...], output: int | None,
             producer: dict[int, int], shared: set[str]) -> Segment:
    members = set(nodes)
    inside = {t for i in nodes for t in model.nodes[i].outputs}
    inputs: list[int] = []
    for i in nodes:
        for t in node_inputs(model.nodes[i]):
            if t not in inside and t not in inputs:
                inputs.append(t)
    # canonical order: depth first from the output through operands in order (post-order)
    order: list[int] = []
    if output is not None:
        seen: set[int] = set()
        stack = [(producer[output], False)]
        while stack:
            i, ready = stack.pop()
            if ready:
                order.append(i)
                continue
            if i in seen:
                continue
            seen.add(i)
            stack.append((i, True))
            deps = [producer[t] for t in node_inputs(model.nodes[i]) if t in inside]
            stack.extend((d, False) for d in reversed(deps) if d not in seen)
    if len(order) != len(nodes):  # the tail, or nodes the output does not reach: model order
        order = list(nodes)
    local: dict[int, tuple[int, int]] = {}
    input_index = {t: k for k, t in enumerate(inputs)}
    forms = []
    consts = []
    for k, i in enumerate(order):
        node = model.nodes[i]
        operands = tuple(_operand_form(v, local, input_index) for v in node.operands)
        kwargs = tuple((name, _operand_form(v, local, input_index)) for name, v in node.call_kwargs)
        key = node.layer if node.layer in shared else None
        forms.append((node.kind, node.op, operands, kwargs, len(node.outputs), key))
        consts.append(sum(1 for v in node.operands if not isinstance(v, (TRef, tuple))))
        for j, t in enumerate(node.outputs):
            local[t] = (k, j)
    out_form = local.get(output) if output is not None else None
    form = (tuple(forms), len(inputs), out_form) if members else ()
    return Segment(tuple(nodes), tuple(inputs), output, form, tuple(order), tuple(consts))


def segments(model: ImportedModel) -> list[Segment]:
    """The model cut at every cut tensor, in order (the last one may be a tail without a cut)."""
    producer = {t: i for i, node in enumerate(model.nodes) for t in node.outputs}
    uses: dict[str, int] = defaultdict(int)
    for node in model.nodes:
        if node.kind == "layer" and node.layer:
            uses[node.layer] += 1
    shared = {k for k, n in uses.items() if n > 1}
    out = []
    start = 0
    for c in _cuts(model):
        out.append(_segment(model, tuple(range(start, c + 1)), model.nodes[c].outputs[0], producer, shared))
        start = c + 1
    if start < len(model.nodes):
        out.append(_segment(model, tuple(range(start, len(model.nodes))), None, producer, shared))
    return out


# ---- 2./3. outlining ------------------------------------------------------------------------


def _item(seg: Segment) -> Item:
    # a segment that does not take exactly one tensor, or is the tail, matches nothing else
    form = ("segment", seg.form) if len(seg.inputs) == 1 and seg.output is not None else ("fixed", id(seg))
    return Item(form, len(seg.nodes), segment=seg)


def _occurrences(length: int, starts: list[int]) -> list[int]:
    """Non-overlapping starts, left to right."""
    chosen = []
    end = -1
    for s in starts:
        if s > end:
            chosen.append(s)
            end = s + length - 1
    return chosen


def _savings(starts: list[int], length: int, cost: int) -> int:
    """Lines saved by a block for these occurrences: each costs `cost` lines written out, the
    block costs its body and its overhead, and the calls cost a line per group of adjacent ones
    (adjacent calls become one ``repeat`` step when their values agree)."""
    groups = sum(1 for k, s in enumerate(starts) if k == 0 or starts[k - 1] + length != s)
    return len(starts) * cost - (cost + BLOCK_OVERHEAD + groups)


def _cohesion(model: ImportedModel, run: list[Item]) -> int:
    """How much the Keras names of a run's layers share (their common prefix): Keras code names
    the layers of one block alike (conv2_block1_...), so a run that is a unit of the model's own
    code is more cohesive than the same run shifted by a layer."""
    names = [model.nodes[i].name for it in run if it.segment is not None for i in it.segment.nodes]
    return len(_common_prefix(names)) if len(names) > 1 else 0


def _unit(run: list[Item]) -> bool:
    """Pass 1: segments with branches and the single layers around them (a residual block and
    the activation after its add; a Transformer layer's attention and feed-forward parts)."""
    if any(it.segment is None for it in run):
        return False
    return any(len(it.segment.nodes) > 1 for it in run)


def _chain(run: list[Item]) -> bool:
    """Pass 2: runs of at least two single layers (DenseNet's transition, an inverted residual
    without its skip)."""
    return len(run) >= 2 and all(it.segment is not None and len(it.segment.nodes) == 1 for it in run)


def _best_run(model: ImportedModel, items: list[Item], accept) -> tuple[int, int, list[int]] | None:
    """The run of items whose outlining saves the most lines: (first start, length, starts)."""
    best: tuple[int, int, list[int]] | None = None
    best_score = (MIN_SAVING - 1, 0)
    for length in range(1, MAX_RUN + 1):
        found: dict[tuple, list[int]] = defaultdict(list)
        for i in range(len(items) - length + 1):
            run = items[i:i + length]
            if any(it.form[0] == "fixed" for it in run) or not accept(run):
                continue
            if not all(run[k + 1].inputs == (run[k].output,) for k in range(length - 1)):
                continue  # a run is a chain: each item takes the one before it
            found[tuple(it.form for it in run)].append(i)
        for starts in found.values():
            if len(starts) < 2:
                continue
            chosen = _occurrences(length, starts)
            cost = sum(items[starts[0] + k].cost for k in range(length))
            score = (_savings(chosen, length, cost), _cohesion(model, items[chosen[0]:chosen[0] + length]))
            if score > best_score:
                best, best_score = (starts[0], length, chosen), score
    return best


class _Outliner:
    def __init__(self, model: ImportedModel):
        self.model = model
        self.out = Outline(model)
        self.items = [_item(s) for s in segments(model)]

    def run(self) -> Outline:
        # segments with branches first (one segment each: the natural units), then runs
        for accept in (_unit, _chain):
            while True:
                found = _best_run(self.model, self.items, accept)
                if found is None:
                    break
                self._outline(*found)
        self.out.items = self.items
        return self.out

    def _outline(self, first: int, length: int, starts: list[int]) -> None:
        occurrences = [self.items[s:s + length] for s in starts]
        block = _make_block(self.model, occurrences, len(self.out.blocks))
        block.calls = len(occurrences)
        self.out.blocks.append(block)
        form = ("call", id(block))
        replaced: list[Item] = []
        cursor = 0
        for n, (s, occ) in enumerate(zip(starts, occurrences, strict=True)):
            replaced.extend(self.items[cursor:s])
            values = tuple(p.values[n] for p in block.params)
            replaced.append(Item(form, 1, call=Call(block, values, occ[0].inputs[0], occ[-1].output)))
            cursor = s + length
        replaced.extend(self.items[cursor:])
        self.items = replaced


# ---- 4. parameters --------------------------------------------------------------------------


def _default(node: Node, name: str) -> object:
    from ..catalog import get_layer, get_merge  # noqa: PLC0415 - the catalog loads on demand

    spec = get_layer(node.op) if node.kind == "layer" else get_merge(node.op) if node.kind == "merge" else None
    if spec is None:
        return _NO_DEFAULT
    for p in spec.params:
        if p.name == name:
            return p.default
    return _NO_DEFAULT


_NO_DEFAULT = object()


def _slots(model: ImportedModel, items: list[Item]) -> dict[tuple, object]:
    """The constants of a sequence of items, by slot: (item, local node, argument name),
    (item, local node, ("const", k)) or (item, ("param", p))."""
    out: dict[tuple, object] = {}
    for k, item in enumerate(items):
        if item.call is not None:
            for p, value in enumerate(item.call.values):
                out[(k, ("param", p))] = value
            continue
        for j, i in enumerate(item.segment.local):
            node = model.nodes[i]
            for name, value in node.args:
                out[(k, j, name)] = value
            c = 0
            for v in node.operands:
                if not isinstance(v, (TRef, tuple)):
                    out[(k, j, ("const", c))] = v
                    c += 1
    return out


def _same(a: object, b: object) -> bool:
    return a == b and type(a) is type(b)


def _param_name(items: list[Item], model: ImportedModel, slot: tuple) -> str:
    if len(slot) == 2:
        call = items[slot[0]].call
        return call.block.params[slot[1][1]].name
    name = slot[2]
    return "value" if isinstance(name, tuple) else name


# arguments Keras standardizes to a tuple of sizes: (2, 2) and 2 build the same layer
_TUPLE_SIZES = frozenset({"kernel_size", "strides", "pool_size", "dilation_rate", "size"})


def _sizes(name: object, value: object) -> object:
    if name in _TUPLE_SIZES and isinstance(value, tuple) and value and all(
            type(v) is int and v == value[0] for v in value):
        return value[0]
    return value


def _pattern(vector: tuple) -> tuple:
    return tuple((type(x).__name__, repr(x)) for x in vector)


def _make_block(model: ImportedModel, occurrences: list[list[Item]], index: int) -> Block:
    first = occurrences[0]
    values = [_slots(model, occ) for occ in occurrences]
    keys: list[tuple] = []
    seen: set[tuple] = set()
    for v in values:
        for key in v:
            if key not in seen:
                seen.add(key)
                keys.append(key)
    slots: dict[tuple, object] = {}
    params: list[Param] = []
    patterns: dict[tuple, int] = {}
    later: list[tuple[tuple, tuple]] = []
    for key in keys:
        node = model.nodes[first[key[0]].segment.local[key[1]]] if len(key) == 3 else None
        name = key[2] if node is not None else None
        default = _default(node, name) if isinstance(name, str) else _NO_DEFAULT
        vector = []
        for v in values:
            if key in v:
                vector.append(_sizes(name, v[key]))
            elif default is not _NO_DEFAULT:
                vector.append(_sizes(name, default))
            else:  # only a required argument has no default, and a required argument is always given
                raise ValueError(f"slot {key} has no value in an occurrence")
        vector_t = tuple(vector)
        if all(_same(x, vector[0]) for x in vector):
            omit = default is not _NO_DEFAULT and _same(vector[0], _sizes(name, default))
            slots[key] = ("omit",) if omit else ("value", vector[0])
        elif all(isinstance(x, tuple) and len(x) == len(vector[0]) for x in vector):
            later.append((key, vector_t))  # maybe (1, 1, filters): after the other parameters
        else:
            slots[key] = _parameter(params, patterns, vector_t, _param_name(first, model, key))
    for key, vector_t in later:
        parts = []
        for e in range(len(vector_t[0])):
            column = tuple(x[e] for x in vector_t)
            if all(_same(c, column[0]) for c in column):
                parts.append(("value", column[0]))
                continue
            found = patterns.get(_pattern(column))
            if found is None:
                found = next((Scaled(i, f) for i, p in enumerate(params) if (f := _factor(p.values, column))), None)
            if found is None:
                break
            parts.append(("param", found) if isinstance(found, int) else found)
        if len(parts) == len(vector_t[0]):
            slots[key] = ("tuple", tuple(parts))
        else:
            slots[key] = _parameter(params, patterns, vector_t, _param_name(first, model, key))
    _scale(params, slots)
    _in_order_of_use(params, slots)
    _unique_names(params)
    return Block(_block_name(model, occurrences, index), first, params, slots)


def _parameter(params: list[Param], patterns: dict[tuple, int], vector: tuple, name: str) -> tuple:
    """The parameter whose values are `vector` (one per distinct pattern of values)."""
    pattern = _pattern(vector)
    if pattern not in patterns:
        patterns[pattern] = len(params)
        params.append(Param(name, vector))
    return ("param", patterns[pattern])


def _scale(params: list[Param], slots: dict[tuple, object]) -> None:
    """A parameter that is a whole multiple of another is written as one: 4 * filters (the
    smaller one stays a parameter)."""
    order = sorted(range(len(params)), key=lambda i: max(
        (abs(v) for v in params[i].values if type(v) is int), default=0))
    scaled: dict[int, Scaled] = {}
    for i in reversed(order):
        for j in order:
            if j != i and j not in scaled and i not in {s.param for s in scaled.values()}:
                factor = _factor(params[j].values, params[i].values)
                if factor is not None:
                    scaled[i] = Scaled(j, factor)
                    break
    keep = [i for i in range(len(params)) if i not in scaled]
    renumber = {old: new for new, old in enumerate(keep)}

    def fix(how: object) -> object:
        if isinstance(how, Scaled):
            return Scaled(renumber[how.param], how.factor)
        if how[0] == "param":
            if how[1] in scaled:
                return Scaled(renumber[scaled[how[1]].param], scaled[how[1]].factor)
            return ("param", renumber[how[1]])
        if how[0] == "tuple":
            return ("tuple", tuple(fix(h) for h in how[1]))
        return how

    for key, how in list(slots.items()):
        slots[key] = fix(how)
    params[:] = [params[i] for i in keep]


def _refs(how: object) -> list[int]:
    if isinstance(how, Scaled):
        return [how.param]
    if how[0] == "param":
        return [how[1]]
    if how[0] == "tuple":
        return [i for h in how[1] for i in _refs(h)]
    return []


def _renumbered(how: object, new: dict[int, int]) -> object:
    if isinstance(how, Scaled):
        return Scaled(new[how.param], how.factor)
    if how[0] == "param":
        return ("param", new[how[1]])
    if how[0] == "tuple":
        return ("tuple", tuple(_renumbered(h, new) for h in how[1]))
    return how


def _in_order_of_use(params: list[Param], slots: dict[tuple, object]) -> None:
    """Parameters in the order the body first uses them."""
    order: list[int] = []
    for how in slots.values():
        for i in _refs(how):
            if i not in order:
                order.append(i)
    new = {old: n for n, old in enumerate(order)}
    for key, how in list(slots.items()):
        slots[key] = _renumbered(how, new)
    params[:] = [params[i] for i in order]
    for p in params:
        p.name = re.sub(r"_\d+$", "", p.name) if p.name else p.name


def _factor(base: tuple, other: tuple) -> int | None:
    """k if other == k * base (whole numbers, 2 <= k <= 8: a bottleneck's expansion, not a
    coincidence of two ratios), else None."""
    if not all(type(x) is int and type(y) is int for x, y in zip(base, other, strict=True)) or 0 in base:
        return None
    k, rest = divmod(other[0], base[0])
    if rest or not 2 <= k <= MAX_FACTOR:
        return None
    return k if all(y == k * x for x, y in zip(base, other, strict=True)) else None


def _unique_names(params: list[Param]) -> None:
    used = {"x"}
    for p in params:
        base = p.name or "value"
        name, n = base, 2
        while name in used:
            name = f"{base}_{n}"
            n += 1
        used.add(name)
        p.name = name


def _block_name(model: ImportedModel, occurrences: list[list[Item]], index: int) -> str:
    names = [model.nodes[i].name for item in occurrences[0] if item.segment is not None for i in item.segment.nodes]
    prefix = _common_prefix(names) if len(names) > 1 else ""
    base = re.sub(r"\d+[a-z]?(?=_|$)", "", prefix)
    base = re.sub(r"\d+", "", base)
    base = re.sub(r"_+", "_", base).strip("_")
    return base or f"block{index + 1}"


def _common_prefix(names: list[str]) -> str:
    if not names:
        return ""
    lo, hi = min(names), max(names)
    n = 0
    while n < min(len(lo), len(hi)) and lo[n] == hi[n]:
        n += 1
    prefix = lo[:n]
    cut = prefix.rfind("_")
    return prefix[:cut + 1] if cut >= 0 else ""


def outline(model: ImportedModel, enabled: bool = True) -> Outline:
    """Find the blocks of `model` (see the module docstring); not `enabled`: none, the segments
    as they are."""
    if not enabled:
        return Outline(model, [], [_item(seg) for seg in segments(model)])
    return _Outliner(model).run()


# ---- writing a block's body ---------------------------------------------------------------------


def _how_expr(how: object, params: list[Param], what: str):
    from .. import ir  # noqa: PLC0415
    from .emit import expr  # noqa: PLC0415

    if isinstance(how, Scaled):
        return ir.BinOp("*", ir.Number(how.factor), ir.Ref(params[how.param].name))
    if how[0] == "param":
        return ir.Ref(params[how[1]].name)
    if how[0] == "value":
        return expr(how[1], what)
    if how[0] == "tuple":
        return ir.TupleLit(tuple(_how_expr(h, params, what) for h in how[1]))
    raise ValueError(f"nothing to write for {how!r}")


def block_writer(model: ImportedModel, block: Block, stems: bool):
    """How a block's body writes its constants: (a `Writer` for its nodes, a function giving the
    arguments of an inner call and what makes two such calls the same, the names of its tensors)."""
    from ..catalog import get_layer  # noqa: PLC0415
    from .emit import Writer, hint, written_by_position  # noqa: PLC0415

    where: dict[int, tuple[int, int]] = {}
    for k, item in enumerate(block.items):
        if item.segment is not None:
            for j, i in enumerate(item.segment.local):
                where[i] = (k, j)
    position = {id(node): i for i, node in enumerate(model.nodes)}
    names_at: dict[tuple[int, int], list[str]] = defaultdict(list)
    for key in block.slots:
        if len(key) == 3 and isinstance(key[2], str):
            names_at[key[:2]].append(key[2])
    prefix = _common_prefix([model.nodes[i].name for item in block.items if item.segment is not None
                             for i in item.segment.nodes])

    class BodyWriter(Writer):
        def args(self, node: Node):
            k, j = where[position[id(node)]]
            spec = get_layer(node.op) if node.kind == "layer" else None
            given = names_at[(k, j)]
            order = [p.name for p in spec.params] if spec is not None else []
            given = sorted(given, key=lambda n: order.index(n) if n in order else len(order))
            pairs = [(name, _how_expr(block.slots[(k, j, name)], block.params, f"{node.op}({name}=...)"))
                     for name in given if block.slots[(k, j, name)] != ("omit",)]
            positional = written_by_position(spec.params, [n for n, _ in pairs]) if spec is not None else 0
            return pairs, positional

        def const(self, node: Node, index: int, value: object):
            k, j = where[position[id(node)]]
            return _how_expr(block.slots[(k, j, ("const", index))], block.params, f"a constant of {node.name}")

    def call_args(k: int, call: Call):
        hows = [block.slots[(k, ("param", p))] for p in range(len(call.values))]
        args = tuple(_how_expr(h, block.params, f"an argument of {call.block.name}") for h in hows)
        return args, (call.block.name, tuple(repr(h) for h in hows))

    def local_hint(node) -> str:
        """The name of a tensor in the body: its layer's name less what the occurrence's names
        share (``conv2_block1_``), digits first moved last (``0_bn`` -> ``bn0``); in a model
        graphdsl named, what remains is the class (``multi_head_attention``)."""
        name = getattr(node, "made_by", node).name
        if prefix and name.startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix):]
        elif stems:
            name = hint(node)
        found = re.fullmatch(r"(\d+)_(.+)", name)
        return f"{found.group(2)}{found.group(1)}" if found else name

    return BodyWriter(), call_args, local_hint


# ---- expansion (for the tests, and for what the text must build) -------------------------------


def _value_of(how: object, values: tuple, default: object) -> object:
    if isinstance(how, Scaled):
        return how.factor * values[how.param]
    if how[0] == "param":
        return values[how[1]]
    if how[0] == "value":
        return how[1]
    if how[0] == "tuple":
        return tuple(_value_of(h, values, None) for h in how[1])
    return default


def _fact(node: Node, args: dict, consts: list) -> tuple:
    return node.kind, node.op, tuple(sorted((k, repr(_sizes(k, v))) for k, v in args.items())), tuple(consts)


def expand(out: Outline) -> list[tuple]:
    """The nodes the outline stands for, in order, as (kind, op, arguments that differ from
    Keras's defaults, constants): what `outline` promises to keep."""
    model = out.model
    result: list[tuple] = []

    def body(items: list[Item], resolve, keys) -> None:
        for k, item in enumerate(items):
            if item.call is not None:
                call = item.call
                values = tuple(resolve((k, ("param", p)), v) for p, v in enumerate(call.values))
                block = call.block
                body(block.items, lambda key, v, b=block, vs=values: _value_of(b.slots[key], vs, v), block.slots)
                continue
            for j, i in enumerate(item.segment.local):
                node = model.nodes[i]
                present = dict(node.args)
                names = list(present) + [key[2] for key in keys if key[:2] == (k, j) and isinstance(key[2], str)
                                         and key[2] not in present]
                args = {}
                for name in names:
                    default = _default(node, name)
                    got = resolve((k, j, name), present.get(name, default))
                    if not _same(_sizes(name, got), _sizes(name, default)):
                        args[name] = got
                consts = []
                for v in node.operands:
                    if not isinstance(v, (TRef, tuple)):
                        consts.append(resolve((k, j, ("const", len(consts))), v))
                result.append(_fact(node, args, consts))

    body(out.items, lambda key, v: v, {})
    return result


def flat(model: ImportedModel) -> list[tuple]:
    """The model's nodes as `expand` writes them, for comparing."""
    return [_fact(node, {k: v for k, v in node.args if not _same(_sizes(k, v), _sizes(k, _default(node, k)))},
                  [v for v in node.operands if not isinstance(v, (TRef, tuple))]) for node in model.nodes]
