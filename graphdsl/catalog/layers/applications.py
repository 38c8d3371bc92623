"""The two layers of keras.applications that its models need and keras.layers lacks.

- ``LayerScale(init_values, projection_dim)`` (ConvNeXt): multiplies by a learned vector of
  `projection_dim` values, initialized to `init_values`.
- ``CustomScaleLayer(scale)`` (InceptionResNetV2): on a list of two tensors ``[a, b]``, computes
  ``a + b * scale`` (the scaled residual): ``CustomScaleLayer(scale=0.17)([a, b])``.

Both are Keras classes, taken from their modules (``module=``) and saved and loaded with
``safe_mode=True``; nothing in a program is Python.
"""

from __future__ import annotations

from itertools import product

from graphdsl.catalog import kinds as K
from graphdsl.catalog import rules as R
from graphdsl.catalog.spec import Example, LayerSpec, Tensors
from graphdsl.catalog.types import DTYPES, FLOAT_DTYPES, ShapeError, TensorType, fmt_shape

F = "float32"


def T(*shape, dtype=F):  # noqa: N802
    return TensorType(tuple(shape), dtype)


def _scale_shape(spec, args, inp):
    dim = spec.arg(args, "projection_dim")
    # the weights broadcast against the last axis, which must be dim (or 1) when data flows
    R.need_known(spec, inp, -1, "last axis")
    return R.broadcast("LayerScale", inp.shape, (dim,), f"{fmt_shape(inp)} and ({dim},) (projection_dim)")


def _layer_scale_examples():
    for dim, shp in product([4], [(4,), (3, 4), (2, 2, 4), (3, 1)]):
        yield Example(dict(init_values=1e-6, projection_dim=dim), T(*shp))
    yield Example(dict(init_values=1e-6, projection_dim=4), T(3, None), refuse=True)
    yield Example(dict(init_values=0.5, projection_dim=3), T(3, 4))
    yield Example(dict(init_values=0.5, projection_dim=1), T(3, 4))
    for dt in DTYPES:
        yield Example(dict(init_values=0.1, projection_dim=3), T(2, 3, dtype=dt), refuse=dt == "bool")


LayerScale = LayerSpec(
    "LayerScale", family="applications", module="keras.src.applications.convnext",
    doc="ConvNeXt's learned per-channel scale (`init_values`, `projection_dim`)",
    kinds={"init_values": K.Number, "projection_dim": K.PosInt},
    shape=_scale_shape, dtype=R.dtype_weighted,
    count=lambda spec, args, inp: spec.arg(args, "projection_dim"),
    draw=lambda ctx, t: [ctx.pos("init_values", 1e-6), ctx.pos("projection_dim", t.shape[-1])]
    if t.shape and t.shape[-1] is not None else None,
    examples=_layer_scale_examples,
)


def _custom_scale_outputs(spec, args, call):
    a, b = call["inputs"]
    for t in (a, b):
        if t.dtype not in FLOAT_DTYPES:  # Keras can't multiply integers by a float scale
            raise ShapeError(f"CustomScaleLayer expects floating-point values, got {t.dtype} {fmt_shape(t)}",
                             call_arg="inputs")
    if a.rank != b.rank:
        # the batch axis would line up with another axis of the longer one
        raise ShapeError(f"CustomScaleLayer needs tensors of the same rank, got {fmt_shape(a)} and {fmt_shape(b)}",
                         call_arg="inputs")
    shape = R.broadcast("CustomScaleLayer", a.shape, b.shape, f"{fmt_shape(a)} and {fmt_shape(b)}")
    return (T(*shape),)


def _custom_scale_examples():
    for a, b in [((4, 4, 8), (4, 4, 8)), ((None, 8), (None, 8)), ((3, 8), (1, 8)), ((3, 8), (3, 5))]:
        yield Example(dict(scale=0.17), call={"inputs": (T(*a), T(*b))})
    yield Example(dict(scale=0.17), call={"inputs": (T(8), T(3, 8))}, refuse=True)
    yield Example(dict(scale=1.0), call={"inputs": (T(3), T(3, dtype="int32"))})
    for dt in DTYPES:
        yield Example(dict(scale=0.5), call={"inputs": (T(3, dtype=dt), T(3, dtype=dt))},
                      refuse=dt not in FLOAT_DTYPES)


CustomScaleLayer = LayerSpec(
    "CustomScaleLayer", family="applications", module="keras.src.applications.inception_resnet_v2",
    doc="InceptionResNetV2's scaled residual: `CustomScaleLayer(scale)([a, b])` is a + b * scale",
    kinds={"scale": K.Number},
    call={"inputs": Tensors(2)},
    outputs=_custom_scale_outputs, count=R.zero, examples=_custom_scale_examples,
)

DESCRIPTORS = (LayerScale, CustomScaleLayer)
