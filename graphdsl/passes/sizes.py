"""What shapes with unknown sizes hide: a `?` dimension no size fits, and layers whose shapes differ
when the model predicts. Runs after `infer`, on the checked graph, with the catalog's own shape
rules and concrete sizes (`minlen.infer_with`).

- **A `?` dimension no size fits** (GD0208). `check` infers with unknown sizes left unknown, and a
  merge of two unknown sizes is accepted; but ``y = concat(x, p)`` with ``p = x -> ZeroPadding1D(1)``
  joins ``n`` steps with ``n + 2``, which no data can do. Every `?` dimension of every input is given
  one large size at once and the rules run again: when they accept, a size fits each (one run of
  the rules, so linear in the program). Only when they refuse is each `?` dimension searched on
  its own for its smallest size (`minlen`), and one no size fits is reported, with the op that
  refuses it.
- **Shapes that differ when predicting** (GD0201). A layer whose descriptor has an ``inference``
  rule makes another shape when predicting than while training (Keras's RandomCrop crops only while
  training). The rules downstream of it run again with its inference shapes: a layer that cannot
  take them, or an output that would be another shape, is reported at the layer. Only programs
  with such a layer pay for it.
"""

from __future__ import annotations

from ..catalog import get_layer
from ..catalog.types import ShapeError, TensorType, fmt_shape
from ..diagnostics import Diagnostic, Label, Severity
from ..graph import ApplyOp, Graph, MathOp, op_outputs
from . import minlen

__all__ = ["check_sizes"]

_LARGE = 2**16  # a size far beyond any kernel or pool, below any limit


def check_sizes(graph: Graph) -> list[Diagnostic]:
    """GD0208 for each `?` dimension no size fits; GD0201 for shapes that differ when predicting."""
    return _unfit(graph) + _inference(graph)


def _unfit(graph: Graph) -> list[Diagnostic]:
    unknown = [inp for inp in graph.inputs if None in inp.type.shape]
    if not unknown:
        return []
    large = {inp.name: tuple(_LARGE if d is None else d for d in inp.type.shape) for inp in unknown}
    if minlen.infer_with(graph, large)[1] is None:
        return []
    diags = []
    for found in minlen.min_sizes(graph):
        if found.size is not None:
            continue
        inp = next(i for i in graph.inputs if i.name == found.input)
        ops = minlen.downstream(graph, [inp.name])
        labels: tuple[Label, ...] = ()
        for n in (64, 4096, _LARGE):  # show the refusal at a size a person would try
            dims = list(inp.type.shape)
            dims[found.axis - 1] = n
            _types, refusal = minlen.infer_with(graph, {inp.name: tuple(dims)}, ops)
            if refusal is not None:
                labels = (Label(refusal.op.span, f"with size {n}: {refusal.message}"),)
                break
        diags.append(Diagnostic(
            "GD0208", Severity.ERROR,
            f"no size of the ? dimension of input '{inp.name}' (axis {found.axis}) fits the model", inp.span, labels,
            help="the tensors that meet there change that size differently, so they never agree (every size up to "
                 f"{minlen.SCAN:,} and every power of two up to 2^31 was tried); pad or crop one of them to match"))
    return diags


def _inference(graph: Graph) -> list[Diagnostic]:
    classes = {layer.class_name for layer in graph.layers.values()}
    if not any(getattr(get_layer(c), "inference_rule", None) is not None for c in classes):
        return []
    changing = [op for op in graph.ops if _inference_rule(graph, op) is not None]
    if not changing:
        return []
    types, refusal = _predicting(graph)
    first = changing[0]
    layer = graph.layers[first.layer]
    what = (f"{layer.class_name} crops only while training: when the model predicts, Keras passes the images "
            "through at their own size")
    help_ = ("follow it with layers that take any size (convolutions, pooling, global pooling), or use "
             "CenterCrop, which crops when predicting too")
    if refusal is not None:
        return [Diagnostic("GD0201", Severity.ERROR, f"{what}, and a layer after it cannot take them", first.span,
                           (Label(refusal.op.span, refusal.message),), help_)]
    for out in graph.outputs:
        predicted = types.get(out.tensor, out.type)
        if predicted.shape != out.type.shape:
            return [Diagnostic(
                "GD0201", Severity.ERROR, f"{what}, so output '{out.name}' would be {fmt_shape(predicted)} when "
                f"predicting but {fmt_shape(out.type)} when training", first.span,
                (Label(out.span, f"output '{out.name}'"),), help_)]
    return []


def _inference_rule(graph: Graph, op: ApplyOp | MathOp):
    """The inference shape rule of a chain step's layer, if it has one (RandomCrop's)."""
    if type(op) is MathOp or op.merge or op.call:
        return None
    spec = get_layer(graph.layers[op.layer].class_name)
    return spec.inference_rule if spec is not None else None


def _predicting(graph: Graph) -> tuple[dict[str, TensorType], minlen.Refusal | None]:
    """Every tensor's type when the model predicts, and the first op that cannot take it: a rule
    that refuses, or a layer whose weights (built while training) would not fit its input then."""
    types: dict[str, TensorType] = {}

    def type_of(tensor: str) -> TensorType:
        return types.get(tensor) or graph.tensors[tensor]

    for op in graph.ops:
        affected = any(i in types for i in op.inputs)
        if type(op) is MathOp or op.merge or op.call or op.more:  # no inference rule of their own
            if affected:
                try:
                    for (tensor_id, _t), t in zip(op_outputs(op), minlen.apply_op(graph, op, type_of, inference=True),
                                                  strict=True):
                        types[tensor_id] = t
                except ShapeError as err:
                    return types, minlen.Refusal(op, err.message)
            continue
        if not affected and _inference_rule(graph, op) is None:
            continue
        layer = graph.layers[op.layer]
        spec = get_layer(layer.class_name)
        inp = type_of(op.inputs[0])
        try:
            out = spec.infer_at_inference(layer.args, inp)
            if layer.params and inp != graph.tensors[op.inputs[0]] and spec.count_params(layer.args, inp) != layer.params:
                raise ShapeError(f"{layer.class_name} built its weights for {fmt_shape(graph.tensors[op.inputs[0]])} "
                                 f"while training, and would get {fmt_shape(inp)} when predicting")
        except ShapeError as err:
            return types, minlen.Refusal(op, err.message)
        if out != op.type:
            types[op.tensor] = out
    return types, None

