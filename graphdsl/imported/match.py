"""Which layer of one model plays the part of which layer of another: pairing by structure.

To carry weights from a Keras model onto the model a graphdsl program builds, each layer of one
must be paired with its counterpart in the other. Names cannot do it (graphdsl names layers after
the program's statements), and neither can creation order (a program may define branches in
another order). Structure can: walk both graphs backwards from their outputs, in order, pairing
the tensors each output is made from, then the nodes that make them, then their operands in
order. A node's operands are ordered, so the walk is deterministic and each node is reached once
(linear in the size of the graphs). Layers without weights that only pass a tensor on
(``Identity``, which graphdsl adds to name an output) are stepped over on either side.

The pairing fails, saying where, when the two graphs differ: another layer class, another
operator, another number of operands, a shared layer on one side and two layers on the other.
"""

from __future__ import annotations

from .model import ImportedModel, Node, node_inputs

__all__ = ["Mismatch", "match"]


class Mismatch(ValueError):
    """The two graphs differ; the message says where."""


def _describe(node: Node | None, model: ImportedModel, t: int) -> str:
    if node is None:
        names = [i.name for i in model.inputs if i.tensor == t]
        return f"input '{names[0]}'" if names else "an input"
    kind = {"layer": "", "merge": "merge ", "op": "op "}[node.kind]
    return f"{kind}{node.op} ('{node.name}')"


class _Side:
    def __init__(self, model: ImportedModel):
        self.model = model
        self.producer: dict[int, tuple[int, int]] = {}
        for i, node in enumerate(model.nodes):
            for k, t in enumerate(node.outputs):
                self.producer[t] = (i, k)
        self.inputs = {inp.tensor: n for n, inp in enumerate(model.inputs)}

    def through(self, t: int) -> int:
        """Step over pass-through Identity layers."""
        while t in self.producer:
            node = self.model.nodes[self.producer[t][0]]
            if node.kind == "layer" and node.op == "Identity" and node.simple:
                t = node.operands[0].id
            else:
                break
        return t

    def node(self, t: int) -> tuple[int | None, int]:
        found = self.producer.get(t)
        return (None, 0) if found is None else found


def match(source: ImportedModel, target: ImportedModel) -> dict[str, str]:
    """Pair the layers of `source` with those of `target` by the structure of their graphs.

    Returns source layer key -> target layer key for every layer and merge both graphs reach
    from their outputs. Raises `Mismatch` naming the first place where the graphs differ.
    """
    if len(source.outputs) != len(target.outputs):
        raise Mismatch(f"the models have {len(source.outputs)} and {len(target.outputs)} outputs")
    if len(source.inputs) != len(target.inputs):
        raise Mismatch(f"the models have {len(source.inputs)} and {len(target.inputs)} inputs")
    a, b = _Side(source), _Side(target)
    pairs: dict[str, str] = {}
    back: dict[str, str] = {}
    seen: set[tuple[int, int]] = set()
    stack = [(o.tensor, p.tensor, f"output '{o.name}'") for o, p in zip(source.outputs, target.outputs, strict=True)]
    stack.reverse()
    while stack:
        ts, tt, why = stack.pop()
        ts, tt = a.through(ts), b.through(tt)
        (ns, ks), (nt, kt) = a.node(ts), b.node(tt)
        node_s = source.nodes[ns] if ns is not None else None
        node_t = target.nodes[nt] if nt is not None else None
        if node_s is None or node_t is None:
            if node_s is None and node_t is None and a.inputs.get(ts) == b.inputs.get(tt) is not None:
                continue
            raise Mismatch(f"{why}: {_describe(node_s, source, ts)} in one model, "
                           f"{_describe(node_t, target, tt)} in the other")
        if (ns, nt) in seen:
            continue
        seen.add((ns, nt))
        ins_s, ins_t = node_inputs(node_s), node_inputs(node_t)
        if (node_s.kind, node_s.op, ks) != (node_t.kind, node_t.op, kt) or len(ins_s) != len(ins_t):
            raise Mismatch(f"{why}: {_describe(node_s, source, ts)} in one model, "
                           f"{_describe(node_t, target, tt)} in the other")
        if node_s.layer and node_t.layer:
            if pairs.setdefault(node_s.layer, node_t.layer) != node_t.layer or \
                    back.setdefault(node_t.layer, node_s.layer) != node_s.layer:
                raise Mismatch(f"{why}: layer '{node_s.name}' is shared in one model and not in the other")
        where = f"the input of {_describe(node_s, source, ts)}"
        stack.extend((x, y, where) for x, y in reversed(list(zip(ins_s, ins_t, strict=True))))
    return pairs
