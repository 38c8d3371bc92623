"""Regularization: Dropout (with `noise_shape`), SpatialDropout1D/2D/3D, AlphaDropout, GaussianNoise,
GaussianDropout, ActivityRegularization. None of them has weights or changes a shape."""

from __future__ import annotations

from itertools import product

from graphdsl.catalog import kinds as K
from graphdsl.catalog import rules as R
from graphdsl.catalog.spec import Example, LayerSpec
from graphdsl.catalog.types import DTYPES, FLOAT_DTYPES, ShapeError, TensorType, fmt_shape, fmt_value

F = "float32"


def T(*shape, dtype=F):  # noqa: N802
    return TensorType(tuple(shape), dtype)


def _draw_rate(ctx, t):
    return [ctx.pos("rate", ctx.rate())]


def _noise_shape_ok(spec, args, inp):
    noise = spec.arg(args, "noise_shape")
    if noise is None:
        return inp.shape
    full = inp.keras_shape()
    if len(noise) != len(full):
        raise ShapeError(
            f"{spec.name}(noise_shape={fmt_value(noise)}) needs one entry per axis of its input {fmt_shape(inp)}, "
            "the batch axis first", "noise_shape")
    if noise[0] not in (None, 1):
        raise ShapeError(
            f"{spec.name}(noise_shape={fmt_value(noise)}): the batch entry must be None or 1, since the batch "
            "size is not known", "noise_shape")
    for d, size in zip(noise[1:], inp.shape, strict=True):
        if d is not None and d != 1 and d != size:
            raise ShapeError(
                f"{spec.name}(noise_shape={fmt_value(noise)}) must have None, 1 or the input's size on each axis, "
                f"but its input is {fmt_shape(inp)}", "noise_shape")
    return inp.shape


def _dropout_examples():
    for shp in [(3,), (None, 4), (2, 3, 4)]:
        yield Example(dict(rate=0.3), T(*shp))
    yield Example(dict(rate=0.2, seed=7), T(3))
    # as 15 keras.applications models write it: one mask per feature map
    yield Example(dict(rate=0.2, noise_shape=(None, 1, 1, 1)), T(4, 4, 3))
    yield Example(dict(rate=0.2, noise_shape=(None, 1, 1, 3)), T(4, 4, 3))
    yield Example(dict(rate=0.2, noise_shape=(1, None, 3)), T(None, 3))
    yield Example(dict(rate=0.2, noise_shape=(None, 1)), T(5))
    yield Example(dict(rate=0.2, noise_shape=(None, 2)), T(5), refuse=True)
    yield Example(dict(rate=0.2, noise_shape=(None, 1, 1)), T(4, 4, 3), refuse=True)
    yield Example(dict(rate=0.2, noise_shape=(4, 1)), T(5), refuse=True)
    for dt in DTYPES:  # dropout scales its input while training: floats only
        yield Example(dict(rate=0.1), T(2, 3, dtype=dt), refuse=dt not in FLOAT_DTYPES)


Dropout = LayerSpec(
    "Dropout", family="regularization", doc="zeroes a fraction `rate` of values while training",
    kinds={"noise_shape": K.Optional(K.NoiseShape)},
    shape=_noise_shape_ok, dtype=R.dtype_floats_only, count=R.zero,
    draw=lambda ctx, t: _draw_rate(ctx, t) if t.dtype in FLOAT_DTYPES else None, examples=_dropout_examples,
)


def _spatial_shape(n):
    def rule(spec, args, inp):
        R.need_spatial(spec, inp, n)
        return inp.shape

    return rule


def _spatial_examples(n):
    def make():
        for shp in {1: [(None, 3), (4, 3)], 2: [(None, 4, 3), (2, 2, 1)], 3: [(2, 2, 2, 3)]}[n]:
            yield Example(dict(rate=0.2), T(*shp))
        yield Example(dict(rate=0.2), T(*([3] * n)))
        for dt in DTYPES:
            yield Example(dict(rate=0.5), T(*([2] * n), 3, dtype=dt), refuse=dt not in FLOAT_DTYPES)

    return make


def _draw_spatial(n):
    def draw(ctx, t):
        return [ctx.pos("rate", ctx.rate())] if t.rank == n + 1 and t.dtype in FLOAT_DTYPES else None

    return draw


SpatialDropout1D, SpatialDropout2D, SpatialDropout3D = (
    LayerSpec(
        f"SpatialDropout{n}D", family="regularization",
        doc=f"drops whole channels ({'steps' if n == 1 else 'feature maps'}) while training",
        shape=_spatial_shape(n), dtype=R.dtype_floats_only, count=R.zero,
        draw=_draw_spatial(n), examples=_spatial_examples(n),
    )
    for n in (1, 2, 3)
)


def _noise_dtype(spec, args, inp):
    # the noise is drawn in floats: an integer input would be added to (or scaled by) float noise
    if inp.dtype not in FLOAT_DTYPES:
        raise ShapeError(f"{spec.name} expects floating-point values, got {inp.dtype} {fmt_shape(inp)}")
    return "float32"


def _noise_examples(arg, values):
    def make():
        for v, shp in product(values, [(3,), (None, 4), (2, 3, 4)]):
            yield Example({arg: v, "seed": 1}, T(*shp))
        for dt in DTYPES:
            yield Example({arg: values[0]}, T(2, 3, dtype=dt), refuse=dt not in FLOAT_DTYPES)

    return make


GaussianNoise = LayerSpec(
    "GaussianNoise", family="regularization", doc="adds N(0, `stddev`) noise while training",
    kinds={"stddev": K.NonNegNumber},
    shape=R.same, dtype=_noise_dtype, count=R.zero,
    draw=lambda ctx, t: [ctx.pos("stddev", ctx.choice([0.1, 0.5, 1.0]))] if t.dtype in FLOAT_DTYPES else None,
    examples=_noise_examples("stddev", [0.1, 1.0]),
)
GaussianDropout = LayerSpec(
    "GaussianDropout", family="regularization", doc="multiplies by N(1, rate/(1-rate)) noise while training",
    shape=R.same, dtype=_noise_dtype, count=R.zero,
    draw=lambda ctx, t: _draw_rate(ctx, t) if t.dtype in FLOAT_DTYPES else None,
    examples=_noise_examples("rate", [0.2, 0.5]),
)
AlphaDropout = LayerSpec(
    "AlphaDropout", family="regularization", doc="dropout that keeps the mean and variance (for SELU networks)",
    kinds={"noise_shape": K.Optional(K.NoiseShape)},
    shape=_noise_shape_ok, dtype=_noise_dtype, count=R.zero,
    draw=lambda ctx, t: _draw_rate(ctx, t) if t.dtype in FLOAT_DTYPES else None,
    examples=lambda: [*_noise_examples("rate", [0.2])(),
                      Example(dict(rate=0.2, noise_shape=(None, 1, 3)), T(4, 3))],
)


def _activity_examples():
    for l1, l2, shp in product([0.0, 0.01], [0.0, 0.1], [(3,), (None, 4)]):
        yield Example(dict(l1=l1, l2=l2), T(*shp))
    for dt in DTYPES:  # the penalty's arithmetic has no kernels for bool and uint8
        yield Example(dict(l2=0.1), T(2, 3, dtype=dt), refuse=dt in ("bool", "uint8"))


def _activity_dtype(spec, args, inp):
    if inp.dtype in ("bool", "uint8"):
        raise ShapeError(f"ActivityRegularization expects numbers it can square and sum, got {inp.dtype} "
                         f"{fmt_shape(inp)}")
    return R.dtype_keep(spec, args, inp)  # it passes its input on unchanged


ActivityRegularization = LayerSpec(
    "ActivityRegularization", family="regularization", doc="adds an L1/L2 penalty on its input to the loss",
    kinds={"l1": K.NonNegNumber, "l2": K.NonNegNumber},
    shape=R.same, dtype=_activity_dtype, count=R.zero,
    draw=lambda ctx, t: [ctx.kw("l2", 0.01)] if t.dtype in FLOAT_DTYPES else None, examples=_activity_examples,
)

DESCRIPTORS = (Dropout, SpatialDropout1D, SpatialDropout2D, SpatialDropout3D, AlphaDropout, GaussianNoise,
               GaussianDropout, ActivityRegularization)
