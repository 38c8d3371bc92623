"""The smallest size a model accepts for each `?` dimension of its inputs (and shape inference
with concrete sizes, which the data checks use).

`check` infers shapes with unknown sizes left unknown: a `Conv1D(128, 5)` on ``int32[?]`` steps is
fine as far as the graph goes. Real data has real sizes, and every valid convolution or pooling
takes a few steps away, so a model accepts only sequences of some minimum length (social.gd's
`posts`: 269 steps). This module finds that length from the catalog's own shape rules, with no
table of per-layer minimums: it puts a concrete size in place of the `?`, re-runs the rules of
the ops downstream of that input, and searches for the smallest size no rule refuses.

What the search assumes, and where it holds:

- **One input at a time.** The other inputs' `?` dimensions stay unknown, as they are in `check`
  (a merge of a known and an unknown size is accepted). Each `?` dimension of an input is searched
  with the input's other `?` dimensions unknown, so each answer is that axis's own minimum
  (the rules of the catalog treat axes independently).
- **Monotonicity**: if a size is accepted, every larger size is. Every size rule in the catalog is
  a threshold ("at least `kernel_size` steps") on sizes that grow with the input's (valid and same
  convolutions and poolings, padding, strides), so this holds for all of them except rules that
  compare sizes or want one exact size: a `Reshape` to a fixed shape, a merge with an input of
  known size, or a merge of two paths that change the size differently (no length at all fits
  ``concat(x, x -> ZeroPadding1D(1))``, and `add` fits only length 1, which broadcasts). For
  those the search may report a size that is not the smallest, or none at all (`size=None`;
  when no power of two is accepted, sizes up to `SCAN` are tried one by one, which finds small
  exact sizes); the data checks are exact anyway, because they run the data's own sizes through the rules
  (`infer_with`).

The search doubles the size until it is accepted, then bisects: about 2·log2(answer) runs of the
rules downstream of the input, so linear in the program's size. It is run on demand
(`check --shapes`, `Report.min_sizes`, the data checks), never on `check`'s own path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from ..catalog import MERGE_BY_KERAS_CLASS, get_layer, get_merge
from ..catalog.arith import arith_type
from ..catalog.types import ShapeError, TensorType
from ..graph import ApplyOp, Graph, MathOp, op_outputs
from ..records import Record, record

__all__ = ["LIMIT", "SCAN", "MinSize", "Refusal", "apply_op", "downstream", "infer_with", "min_sizes"]

LIMIT = 2**31 - 1  # the largest size searched: beyond any real sequence, and int32 indexing's limit
SCAN = 4096  # sizes tried one by one when no power of two is accepted (a rule wanting one exact size)


@record
class MinSize(Record):
    """The smallest size input `input` accepts on Keras axis `axis` (the batch axis is 0);
    `size` is None when no size up to `LIMIT` is accepted (a rule that wants one exact size)."""

    input: str
    axis: int
    size: int | None


@record
class Refusal(Record):
    """A shape rule that cannot take the sizes it was given: the op, and the rule's message."""

    op: ApplyOp | MathOp
    message: str


def downstream(graph: Graph, inputs: Iterable[str]) -> tuple[ApplyOp | MathOp, ...]:
    """The ops whose result depends on any of `inputs`, in the graph's order."""
    reached = set(inputs)
    ops = []
    for op in graph.ops:
        if any(i in reached for i in op.inputs):
            reached.update(t for t, _ty in op_outputs(op))
            ops.append(op)
    return tuple(ops)


def apply_op(graph: Graph, op: ApplyOp | MathOp, types: Callable[[str], TensorType],
             inference: bool = False) -> tuple[TensorType, ...]:
    """The output types of one op from its inputs' types: the catalog's rule for its layer (or
    for tensor arithmetic); when `inference`, the shapes the layer makes when predicting."""
    if type(op) is MathOp:
        def operand(v):
            return types(v) if isinstance(v, str) else v

        return (arith_type(op.op, operand(op.left), None if op.right is None else operand(op.right)),)
    layer = graph.layers[op.layer]
    if op.merge:
        merge = get_merge(MERGE_BY_KERAS_CLASS[layer.class_name])
        assert merge is not None, layer.class_name
        return (merge.infer(layer.args, [types(i) for i in op.inputs]),)
    spec = get_layer(layer.class_name)
    assert spec is not None, layer.class_name
    if op.call:  # a call on several tensors
        mapping = {}
        for a in op.call:
            if a.tensors:
                ts = tuple(types(t) for t in a.tensors)
                mapping[a.param] = ts if a.listed else ts[0]
            else:
                mapping[a.param] = a.value
        return spec.outputs(layer.args, mapping)
    if op.more:
        return spec.step_outputs(layer.args, types(op.inputs[0]))
    if inference:
        return (spec.infer_at_inference(layer.args, types(op.inputs[0])),)
    return (spec.infer(layer.args, types(op.inputs[0])),)


def infer_with(
    graph: Graph,
    sizes: Mapping[str, tuple[int | None, ...]],
    ops: tuple[ApplyOp, ...] | None = None,
    inference: bool = False,
) -> tuple[dict[str, TensorType], Refusal | None]:
    """Re-run the shape rules with the inputs in `sizes` given those shapes (batch axis excluded).

    Returns the new type of every op's tensor that was re-inferred, and the first refusal (the
    types then hold the tensors inferred before it). `ops` defaults to everything downstream of
    the inputs in `sizes` (pass `downstream(...)` to reuse it across many calls). With
    `inference`, the shapes the layers make when predicting (RandomCrop does not crop then).
    """
    changed: dict[str, TensorType] = {}
    for inp in graph.inputs:
        if inp.name in sizes:
            changed[inp.tensor] = TensorType(tuple(sizes[inp.name]), inp.type.dtype)

    def types(tensor: str) -> TensorType:
        t = changed.get(tensor)
        return t if t is not None else graph.tensors[tensor]

    for op in ops if ops is not None else downstream(graph, sizes):
        try:
            for (tensor_id, _old), t in zip(op_outputs(op), apply_op(graph, op, types, inference), strict=True):
                changed[tensor_id] = t
        except ShapeError as err:
            return changed, Refusal(op, err.message)
    return changed, None


def _smallest(accepts: Callable[[int], bool]) -> int | None:
    """The smallest n in 1..LIMIT with accepts(n), assuming accepts is monotone; None if none."""
    if accepts(1):
        return 1
    refused, hi = 1, 2
    while not accepts(hi):
        if hi == LIMIT:
            # Not monotone: a rule that wants one exact size. Small exact sizes are found by a
            # bounded scan (a constant factor, and only for such programs).
            return next((n for n in range(3, SCAN + 1) if accepts(n)), None)
        refused, hi = hi, min(2 * hi, LIMIT)
    while hi - refused > 1:
        mid = (refused + hi) // 2
        if accepts(mid):
            hi = mid
        else:
            refused = mid
    return hi


def min_sizes(graph: Graph) -> tuple[MinSize, ...]:
    """For every `?` dimension of every input, in declaration order, the smallest size accepted."""
    out = []
    for inp in graph.inputs:
        unknown = [i for i, d in enumerate(inp.type.shape) if d is None]
        if unknown:
            ops = downstream(graph, [inp.name])
            out += [MinSize(inp.name, i + 1, _smallest(_prober(graph, inp.name, inp.type.shape, i, ops)))
                    for i in unknown]
    return tuple(out)


def _prober(graph: Graph, name: str, shape: tuple, axis: int, ops: tuple[ApplyOp, ...]) -> Callable[[int], bool]:
    """accepts(n): do the rules take input `name` with size n on `axis` (its other `?` unknown)?"""

    def accepts(n: int) -> bool:
        dims = list(shape)
        dims[axis] = n
        return infer_with(graph, {name: tuple(dims)}, ops)[1] is None

    return accepts
