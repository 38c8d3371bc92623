"""The picture model: what a drawing of a checked `Graph` shows, before any format is chosen.

One node per Keras layer object (a shared `layer` declaration is one node however often it is
applied; the edges into and out of it carry the number of the use), one per input, and the
output's own layer drawn as the output (with its loss, weight and metrics). `Identity` layers that
only rename a tensor (`y = x`) are not drawn: their edges pass through. Tensor arithmetic (a
`MathOp`, Keras's op node) is drawn like a merge, titled with its operation (``+ 3.0``). Block
calls (`Layer.calls`, `MathOp.calls`) become nested clusters; `collapse_blocks` turns each
outermost call into one node.

Every emitter (DOT, Mermaid, SVG, HTML) reads this model and nothing else, so the formats agree.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..catalog import MERGE_BY_KERAS_CLASS, LayerValue, fmt_shape, fmt_value, get_layer
from ..graph import Graph, MathOp, op_outputs
from ..records import Record, record, replace

INPUT, LAYER, MERGE, OUTPUT, BLOCK = "input", "layer", "merge", "output", "block"
_MAX_TITLE = 48  # characters; longer calls are cut with an ellipsis (the tooltip has everything)
_MAX_VALUE = 24


@record
class Node(Record):
    """One box. `title` is its first line (bold); `lines` the rest; `tooltip` the full story."""

    id: str
    kind: str  # input | layer | merge | output | block
    title: str
    lines: tuple[str, ...]
    tooltip: str
    cluster: tuple[str, ...] = ()  # the block calls it sits in, outermost first
    params: int = 0
    uses: int = 1  # how many times the layer is applied (a shared layer: more than one)
    output: bool = False  # the layer is a model output


@record
class Edge(Record):
    """A tensor flowing from one node to another. `src_use`/`dst_use` number the use of a
    shared layer that made or takes the tensor (0: the node is not shared)."""

    src: str
    dst: str
    tensor: str
    src_use: int = 0
    dst_use: int = 0


@record
class Cluster(Record):
    id: str  # the BlockCall id
    block: str  # the block's name
    parent: str | None


@record
class Picture(Record):
    name: str
    nodes: tuple[Node, ...]  # in an order where every edge goes forward
    edges: tuple[Edge, ...]
    clusters: tuple[Cluster, ...]  # parents before children
    param_count: int
    shapes: Mapping[str, str]  # tensor id -> Keras-style shape text (with the dtype if not float32)


def shape_text(t) -> str:
    """A tensor type as the pictures print it: Keras's shape, and the dtype unless float32."""
    return fmt_shape(t) + ("" if t.dtype == "float32" else f" {t.dtype}")


def _value(v: object) -> str:
    if isinstance(v, LayerValue):
        return call_text(v.spec.name, v.args)
    text = fmt_value(v)
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"


def call_text(class_name: str, args: Mapping[str, object], limit: int | None = None) -> str:
    """`Conv1D(128, 5, activation="relu")`: required arguments by position, the rest by keyword,
    in the catalog's parameter order (the key arguments come first)."""
    spec = get_layer(class_name)
    parts = []
    if spec is not None:
        for p in spec.params:
            if p.name in args:
                parts.append(_value(args[p.name]) if p.required else f"{p.name}={_value(args[p.name])}")
    else:
        parts = [f"{k}={_value(v)}" for k, v in args.items()]
    text = f"{class_name}({', '.join(parts)})"
    if limit is not None and len(text) > limit:
        text = text[: limit - 2] + "…)"
    return text


def _merge_text(class_name: str, args: Mapping[str, object]) -> str:
    name = MERGE_BY_KERAS_CLASS.get(class_name, class_name)
    inner = ", ".join(f"{k}={_value(v)}" for k, v in args.items())
    return f"{name}({inner})" if inner else name


def math_text(op: MathOp) -> str:
    """A `MathOp` as a node's title: its operator, with a constant operand shown (``+ 3.0``,
    ``3.0 - x`` as ``3.0 -``, ``neg``)."""
    if op.op == "neg":
        return "-x"
    if isinstance(op.right, (int, float)) and not isinstance(op.right, str):
        return f"{op.op} {fmt_value(op.right)}"
    if isinstance(op.left, (int, float)) and not isinstance(op.left, str):
        return f"{fmt_value(op.left)} {op.op}"
    return op.op


def _params(n: int) -> str:
    return f"{n:,} param{'s' if n != 1 else ''}"


def build_picture(graph: Graph) -> Picture:
    """The picture of a checked graph (linear in its size)."""
    shapes = {t: shape_text(ty) for t, ty in graph.tensors.items()}
    outputs = {o.name: o for o in graph.outputs}
    producer: dict[str, tuple[str, int]] = {}  # tensor -> (node id, use number)
    nodes: dict[str, Node] = {}
    edges: list[Edge] = []
    clusters: dict[str, Cluster] = {}

    for inp in graph.inputs:
        nid = f"input:{inp.name}"
        nodes[nid] = Node(nid, INPUT, f"input {inp.name}", (shapes[inp.tensor],),
                          f"input {inp.name}: {inp.type}", ())
        producer[inp.tensor] = (nid, 0)

    uses: dict[str, int] = {}
    for op in graph.ops:
        if type(op) is not MathOp:
            uses[op.layer] = uses.get(op.layer, 0) + 1
    seen: dict[str, int] = {}
    out_shapes: dict[str, list[str]] = {}
    maths: dict[str, MathOp] = {}
    for op in graph.ops:
        if type(op) is MathOp:
            nid = f"op:{op.tensor}"
            for t in op.inputs:
                src, src_use = producer[t]
                edges.append(Edge(src, nid, t, src_use, 0))
            producer[op.tensor] = (nid, 0)
            out_shapes[nid] = [shapes[op.tensor]]
            path = tuple(c.id for c in op.calls)
            for i, call in enumerate(op.calls):
                clusters.setdefault(call.id, Cluster(call.id, call.block, path[i - 1] if i else None))
            nodes[nid] = Node(nid, MERGE, "", (), "", path)
            maths[nid] = op
            continue
        layer = graph.layers[op.layer]
        if layer.class_name == "Identity" and op.layer not in outputs:
            producer[op.tensor] = producer[op.inputs[0]]  # `y = x`: a new name, nothing to draw
            continue
        n = seen[op.layer] = seen.get(op.layer, 0) + 1
        shared = uses[op.layer] > 1
        nid = op.layer
        for t in op.inputs:
            src, src_use = producer[t]
            edges.append(Edge(src, nid, t, src_use, n if shared else 0))
        for tensor_id, _t in op_outputs(op):
            producer[tensor_id] = (nid, n if shared else 0)
        out_shapes.setdefault(nid, []).append(", ".join(shapes[t] for t, _ty in op_outputs(op)))
        if nid in nodes:
            continue
        path = tuple(c.id for c in (layer.calls or op.calls))
        for i, call in enumerate(layer.calls or op.calls):
            clusters.setdefault(call.id, Cluster(call.id, call.block, path[i - 1] if i else None))
        nodes[nid] = Node(nid, MERGE if op.merge else LAYER, "", (), "", path, layer.params, uses[op.layer],
                          op.layer in outputs)

    for nid, node in list(nodes.items()):
        if node.kind == INPUT:
            continue
        if nid in maths:
            op = maths[nid]
            title = math_text(op)
            nodes[nid] = replace(node, title=title, lines=tuple(out_shapes[nid]),
                                 tooltip=f"{title}: tensor arithmetic (a Keras op node)\noutput shape {out_shapes[nid][0]}")
            continue
        layer = graph.layers[nid]
        full = (_merge_text(layer.class_name, layer.args) if node.kind == MERGE
                else call_text(layer.class_name, layer.args))
        what = full if len(full) <= _MAX_TITLE else (
            _merge_text(layer.class_name, layer.args)[: _MAX_TITLE - 1] + "…" if node.kind == MERGE
            else call_text(layer.class_name, layer.args, _MAX_TITLE))
        lines: list[str] = []
        shp = out_shapes[nid]
        if node.uses > 1:
            lines += [f"#{i} {s}" for i, s in enumerate(shp, 1)]
        else:
            lines.append(shp[0])
        if node.params:
            lines.append(_params(node.params))
        tip = [f"{layer.name}: {full}"]
        if node.output:
            out = outputs[nid]
            title = f"output {nid}"
            if layer.class_name != "Identity":
                lines.insert(0, what)
            lines += _output_lines(out)
            tip.append(f"model output '{nid}'")
        elif layer.declared:
            title = f"{nid} = {what}"
            lines.insert(0, f"shared layer, {node.uses} uses" if node.uses > 1 else "layer declaration")
        else:
            title = what
        if node.uses > 1:
            tip.append(f"applied {node.uses} times (one set of weights)")
        tip += [f"output shape {s}" for s in shp]
        tip.append(_params(node.params))
        nodes[nid] = replace(node, title=title, lines=tuple(lines), tooltip="\n".join(tip))

    return Picture(graph.model_name, tuple(nodes.values()), tuple(edges), tuple(clusters.values()),
                   graph.param_count, shapes)


def _output_lines(out) -> list[str]:
    lines = []
    if out.loss is not None:
        loss = out.loss.written + (
            "(" + ", ".join(f"{k}={fmt_value(v)}" for k, v in out.loss.kwargs.items()) + ")" if out.loss.kwargs else "")
        lines.append(f"loss {loss}, weight {out.weight:g}")
    else:
        lines.append("no loss (predicted only)")
    if out.metrics:
        lines.append("metrics " + ", ".join(m.written for m in out.metrics))
    return lines


def collapse_blocks(picture: Picture) -> Picture:
    """Each outermost block call becomes one node: its block's name, the shapes that enter it and
    the shapes that leave it, and the parameters of everything inside."""
    owner: dict[str, str] = {}
    members: dict[str, list[Node]] = {}
    for node in picture.nodes:
        if node.cluster:
            owner[node.id] = f"block:{node.cluster[0]}"
            members.setdefault(node.cluster[0], []).append(node)
    if not owner:
        return picture
    blocks = {c.id: c for c in picture.clusters}
    ins: dict[str, list[str]] = {}
    outs: dict[str, list[str]] = {}
    edges: list[Edge] = []
    seen_edges: set[tuple[str, str, str]] = set()
    for e in picture.edges:
        src, dst = owner.get(e.src, e.src), owner.get(e.dst, e.dst)
        if src == dst:
            continue
        if src != e.src:
            outs.setdefault(src, [])
            if e.tensor not in outs[src]:
                outs[src].append(e.tensor)
        if dst != e.dst:
            ins.setdefault(dst, [])
            if e.tensor not in ins[dst]:
                ins[dst].append(e.tensor)
        key = (src, dst, e.tensor)
        if key in seen_edges:
            continue
        seen_edges.add(key)
        edges.append(Edge(src, dst, e.tensor, 0 if src != e.src else e.src_use, 0 if dst != e.dst else e.dst_use))
    nodes: list[Node] = []
    done: set[str] = set()
    for node in picture.nodes:
        nid = owner.get(node.id)
        if nid is None:
            nodes.append(node)
            continue
        if nid in done:
            continue
        done.add(nid)
        call_id = node.cluster[0]
        inside = members[call_id]
        params = sum(n.params for n in inside)
        lines = [f"in  {picture.shapes[t]}" for t in ins.get(nid, [])]
        lines += [f"out {picture.shapes[t]}" for t in outs.get(nid, [])]
        lines.append(f"{len(inside)} layers" + (f", {_params(params)}" if params else ""))
        block = blocks[call_id].block
        tip = f"block call {call_id} ({block}): " + ", ".join(n.id for n in inside)
        nodes.append(Node(nid, BLOCK, f"{block} ({call_id})", tuple(lines), tip, (), params))
    return Picture(picture.name, tuple(nodes), tuple(edges), (), picture.param_count, picture.shapes)
