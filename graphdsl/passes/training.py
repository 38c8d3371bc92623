"""What only the whole model shows about training: an optimizer argument that cannot work with the
model's layers. Runs after `infer`, on the checked graph.

- **loss_scale_factor with sparse gradients** (GD0109). Keras's optimizers divide every gradient by
  ``loss_scale_factor``, but an Embedding's gradient is a sparse ``IndexedSlices``, which Keras
  cannot divide: the first training step fails. The optimizer's argument is reported, with the
  Embedding that makes the sparse gradient.
"""

from __future__ import annotations

from ..catalog.types import LayerValue
from ..diagnostics import Diagnostic, Label, Severity
from ..graph import Graph, Layer

__all__ = ["check_training"]


def check_training(graph: Graph) -> list[Diagnostic]:
    """GD0109 for an optimizer argument the model's layers cannot train with."""
    opt = graph.optimizer
    if opt.kwargs.get("loss_scale_factor") is None or opt.span is None:
        return []
    sparse = next((layer for layer in graph.layers.values() if _sparse_gradients(layer)), None)
    if sparse is None or sparse.args.get("trainable") is False:
        return []
    return [Diagnostic(
        "GD0109", Severity.ERROR,
        f"{opt.written}(loss_scale_factor=...): Keras cannot scale the sparse gradients of an Embedding "
        "(it fails at the first training step)", opt.span,
        (Label(sparse.span, "this Embedding's gradients are sparse"),),
        help="drop loss_scale_factor (it is for mixed precision, which graphdsl does not use)")]


def _sparse_gradients(layer: Layer) -> bool:
    if layer.class_name == "Embedding":
        return True
    inner = layer.args.get("layer")  # TimeDistributed(Embedding(...))
    return isinstance(inner, LayerValue) and inner.spec.name == "Embedding"
