"""Keras's "sparse" mark on `x * NUMBER`: what `check` must refuse because of it.

Keras 3 (3.15) marks the product of a tensor and a Python number as a sparse tensor:
``Multiply.compute_output_spec`` reads the missing ``sparse`` attribute of a number as True. The
mark is harmless for most layers (their output shape is computed, and their output is dense), but
a layer whose output shape Keras finds by tracing its call on a placeholder of the same kind is
traced on a *sparse* placeholder: `LayerScale` then loses every size (``(None, 4)`` becomes
``(None, None)``, and the next layer with weights cannot be built) and `CustomScaleLayer` fails.
A hand-written Keras model has the same problem, and so does loading a saved one, so there is no
lowering around it: `check` refuses the layer where it is written (GD0201), pointing at the
product, and says how to write it instead.

Which tensors carry the mark, as Keras 3.15 computes it (measured, `tests/keras`):
``a * b`` if either is a number or carries it; ``a / b`` if `a` carries it and `b` does not;
``a + b`` and ``a - b`` if both carry it (a number does not); ``-a`` if `a` does; a merge layer if
all its inputs do; `Identity`, `Flatten`, `Permute`, `Reshape` (and `LayerScale`) pass it on; every
other layer makes a dense tensor. Linear in the number of ops, and nothing to do without a product
by a number.
"""

from __future__ import annotations

from ..diagnostics import Label
from ..graph import ApplyOp, Layer, MathOp

_PASS_ON = frozenset({"Identity", "Flatten", "Permute", "Reshape", "LayerScale"})
_REFUSE = frozenset({"LayerScale", "CustomScaleLayer"})


def refuse_sparse_inputs(st, ops: list, layers: dict[str, Layer]) -> None:
    """Report (GD0201) each LayerScale / CustomScaleLayer in `ops` whose input Keras marks sparse."""
    if not any(type(op) is MathOp and op.op == "*" for op in ops):
        return
    marked: dict[str, MathOp] = {}  # tensor id -> the product by a number it comes from
    for op in ops:
        if type(op) is MathOp:
            left = marked.get(op.left) if isinstance(op.left, str) else None
            right = marked.get(op.right) if isinstance(op.right, str) else None
            if op.op == "*":
                number = not isinstance(op.left, str) or not isinstance(op.right, str)
                origin = op if number else left or right
            elif op.op == "/":
                origin = left if right is None else None
            elif op.op == "neg":
                origin = left
            else:
                origin = left if left is not None and right is not None else None
            if origin is not None:
                marked[op.tensor] = origin
            continue
        origins = [marked.get(t) for t in op.inputs]
        if not any(origins):
            continue
        cls = layers[op.layer].class_name
        if cls in _REFUSE:
            origin = next(o for o in origins if o is not None)
            labels = [Label(origin.span, "Keras 3 marks this product by a number as a sparse tensor")]
            labels += [Label(f.span, f"in this call of '{f.block}'") for f in reversed(op.calls)]
            st.error(
                "GD0201",
                f"{cls} cannot take a tensor multiplied by a number: Keras 3 marks such a tensor as sparse, "
                f"and {cls} then loses its shape",
                op.span, labels=labels,
                help="scale with a layer instead (`-> Rescaling(0.5)` for `* 0.5`), or put a layer such as "
                "Dense or Activation between the product and this layer")
            continue
        keeps = all(origins) if (type(op) is ApplyOp and op.merge) else cls in _PASS_ON
        if keeps:
            marked[op.tensor] = next(o for o in origins if o is not None)
