"""The graph of an imported Keras model, as plain values: what the emitter and the matcher read.

A model is its inputs, its nodes in an order where every tensor is made before it is used, and
its outputs. A `Node` is one call: of a layer (``Conv2D``), of a merge (``add``), or of an op
(tensor arithmetic such as ``x + 3.0``). Tensors are small integers; a node's operands are
`TRef` (a tensor), a tuple of `TRef` (a list of tensors, as Keras takes ``[a, b]``) or a
constant. Arguments are catalog values (numbers, strings, tuples, `LayerValue`, `ObjectValue`),
already reduced to the ones that differ from Keras's defaults.

A layer applied at several places (shared weights) is several nodes with the same `layer` key;
nested models are inlined, so a key is a path (``"stem/conv"``) when the layer lived inside one.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..records import Record, record

__all__ = ["ImportRefused", "ImportedModel", "ModelInput", "ModelOutput", "Named", "Node", "TRef", "tensors_of"]


class ImportRefused(Exception):
    """The model cannot be written in graphdsl faithfully. `layer` names the culprit (its Keras
    name, or None for the model as a whole), `reason` says why, `help` what to do instead."""

    def __init__(self, layer: str | None, reason: str, help: str | None = None):
        self.layer = layer
        self.reason = reason
        self.help = help
        where = f"layer '{layer}': " if layer else ""
        super().__init__(f"cannot import {where}{reason}" + (f"\n  help: {help}" if help else ""))


@record
class TRef(Record):
    """A tensor given to a call (as opposed to a constant)."""

    id: int


@record
class Node(Record):
    """One call in the graph.

    - ``kind``: ``"layer"``, ``"merge"`` or ``"op"``;
    - ``op``: the catalog's layer name (``"Conv2D"``), the merge's name (``"add"``), or the
      operator of an op (``"+"``, ``"-"``, ``"*"``, ``"/"``);
    - ``args``: constructor arguments ``(name, value)`` in signature order, of which the first
      ``positional`` are written by position;
    - ``operands``: the call's positional operands (`TRef`, tuple of `TRef`, or constants);
      ``call_kwargs``: its keyword operands (``initial_state=[h, c]``);
    - ``outputs``: the tensors it makes; ``layer``: the original layer's key (``""`` for an op);
      ``name``: the original's name, a hint for readable names.
    """

    kind: str
    op: str
    args: tuple[tuple[str, object], ...]
    positional: int
    operands: tuple[object, ...]
    outputs: tuple[int, ...]
    layer: str = ""
    name: str = ""
    call_kwargs: tuple[tuple[str, object], ...] = ()

    @property
    def simple(self) -> bool:
        """A chain step: a layer on the one tensor before it, with one output."""
        return (self.kind == "layer" and len(self.operands) == 1 and isinstance(self.operands[0], TRef)
                and not self.call_kwargs and len(self.outputs) == 1)


def tensors_of(value: object) -> Iterator[int]:
    """The tensor ids in an operand (a `TRef`, a tuple of them, or a constant), in order."""
    if isinstance(value, TRef):
        yield value.id
    elif isinstance(value, tuple):
        for v in value:
            yield from tensors_of(v)


def node_inputs(node: Node) -> list[int]:
    """Every tensor a node reads, in order (operands, then keyword operands)."""
    out = [t for v in node.operands for t in tensors_of(v)]
    out += [t for _k, v in node.call_kwargs for t in tensors_of(v)]
    return out


@record
class ModelInput(Record):
    tensor: int
    name: str
    dtype: str
    shape: tuple[int | None, ...]  # without the batch axis


@record
class Named(Record):
    """A loss, metric or optimizer as graphdsl spells it, with its keyword arguments."""

    name: str
    kwargs: tuple[tuple[str, object], ...] = ()


@record
class ModelOutput(Record):
    name: str
    tensor: int
    loss: Named | None = None
    weight: float | None = None  # None: Keras's default (1.0)
    metrics: tuple[Named, ...] = ()


@record
class ImportedModel(Record):
    name: str
    inputs: tuple[ModelInput, ...]
    nodes: tuple[Node, ...]  # every tensor is made before it is used
    outputs: tuple[ModelOutput, ...]
    optimizer: Named | None = None  # None: not compiled (graphdsl's default, rmsprop, applies)
    source: str = ""  # where the model came from, for the header comment
