"""Normalization: BatchNormalization, LayerNormalization, GroupNormalization, UnitNormalization."""

from __future__ import annotations

from itertools import product

from graphdsl.catalog import kinds as K
from graphdsl.catalog import rules as R
from graphdsl.catalog.spec import Example, LayerSpec
from graphdsl.catalog.types import DTYPES, FLOAT_DTYPES, ShapeError, TensorType, fmt_shape

F = "float32"


def T(*shape, dtype=F):  # noqa: N802
    return TensorType(tuple(shape), dtype)


# ---------------------------------------------------------------- BatchNormalization


def _bn_shape(spec, args, inp):
    axis = R.keras_axis(spec, inp, spec.arg(args, "axis"))
    R.need_known(spec, inp, axis, f"size on axis {axis + 1}")
    return inp.shape


def _bn_count(spec, args, inp):
    size = inp.shape[R.keras_axis(spec, inp, spec.arg(args, "axis"))]
    per = 2 + bool(spec.arg(args, "center")) + bool(spec.arg(args, "scale"))  # moving mean/var always
    return per * size


def _bn_examples():
    for axis, c, s, shp in product([-1, 1], [True, False], [True, False], [(5,), (4, 3)]):
        yield Example(dict(axis=axis, center=c, scale=s), T(*shp))
    yield Example({}, T(3, None))
    yield Example(dict(axis=0), T(3))
    yield Example(dict(axis=3), T(3, 2))
    # as keras.applications writes it (ResNet, DenseNet)
    yield Example(dict(axis=3, epsilon=1.001e-5), T(4, 4, 6))
    yield Example(dict(momentum=0.9, beta_initializer="ones", gamma_regularizer="l2"), T(4))
    for dt in DTYPES:
        yield Example({}, T(3, dtype=dt), refuse=dt == "bool")


def _bn_weights(spec, args, params):
    """The moving mean and variance (one each per channel) are never trained."""
    center, scale = spec.arg(args, "center") is not False, spec.arg(args, "scale") is not False
    per_channel = 2 + center + scale
    return params * (center + scale) // per_channel, 4 * params


BatchNormalization = LayerSpec(
    "BatchNormalization", family="normalization", doc="normalizes each feature over the batch",
    kinds={
        "renorm": K.Const(False, "renorm=True is not supported by graphdsl"),
        "renorm_momentum": K.Number,
        "renorm_clipping": K.Refused(f"renorm_clipping= {K.NOT_IN_GRAPHDSL}"),
        "synchronized": K.Bool,
    },
    shape=_bn_shape, dtype=R.dtype_weighted, count=_bn_count, weights=_bn_weights,
    draw=lambda ctx, t: [] if t.shape and t.shape[-1] is not None else None, examples=_bn_examples,
)


# ---------------------------------------------------------------- LayerNormalization


def _ln_shape(spec, args, inp):
    for a in R.keras_axes(spec, inp, spec.arg(args, "axis")):
        R.need_known(spec, inp, a, f"size on axis {a + 1}")
    return inp.shape


def _ln_count(spec, args, inp):
    size = R.prod(inp.shape[a] for a in R.keras_axes(spec, inp, spec.arg(args, "axis")))
    return size * (bool(spec.arg(args, "center")) + bool(spec.arg(args, "scale")))


def _trained_on_floats(spec, args, inp):
    """float32; integers and booleans refused: Keras normalizes them, but the gradients of its
    scale and offset are None then, so they never train."""
    if inp.dtype not in FLOAT_DTYPES:
        raise ShapeError(f"{spec.name} expects floating-point values, got {inp.dtype} {fmt_shape(inp)}: on "
                         "integers Keras never trains its scale and offset (their gradients are None)")
    return "float32"


def _ln_examples():
    for axis, c, shp in product([-1, 1, (1, 2), (-2, -1)], [True, False], [(4, 3), (2, 4, 3)]):
        yield Example(dict(axis=axis, center=c), T(*shp))
    yield Example({}, T(3, None))
    yield Example(dict(epsilon=1e-6), T(5, 4))
    for dt in DTYPES:  # Keras runs it on integers, but its weights get no gradient: graphdsl refuses
        yield Example({}, T(3, dtype=dt), refuse="policy" if dt not in FLOAT_DTYPES else False)


LayerNormalization = LayerSpec(
    "LayerNormalization", family="normalization", doc="normalizes each sample over its last axis (or `axis`)",
    kinds={"axis": K.Axes},
    shape=_ln_shape, dtype=_trained_on_floats, count=_ln_count,
    draw=lambda ctx, t: [] if t.shape and t.shape[-1] is not None else None, examples=_ln_examples,
)


# ---------------------------------------------------------------- GroupNormalization


def _gn_size(spec, args, inp) -> int:
    axis = R.keras_axis(spec, inp, spec.arg(args, "axis"))
    size = R.need_known(spec, inp, axis, f"size on axis {axis + 1}")
    groups = spec.arg(args, "groups")
    if groups != -1:
        if size < groups or size % groups:
            raise ShapeError(
                f"GroupNormalization(groups={groups}) must divide the {size} channels of its input "
                f"{fmt_shape(inp)}", "groups")
    return size


def _gn_shape(spec, args, inp):
    _gn_size(spec, args, inp)
    return inp.shape


def _gn_count(spec, args, inp):
    return _gn_size(spec, args, inp) * (bool(spec.arg(args, "center")) + bool(spec.arg(args, "scale")))


def _draw_gn(ctx, t):
    if not t.shape or t.shape[-1] is None:
        return None
    c = t.shape[-1]
    return [ctx.kw("groups", ctx.choice([g for g in (1, 2, 4, c) if c % g == 0]))]


def _gn_examples():
    for groups, c, s, shp in product([1, 2, 4, -1], [True, False], [True, False], [(5, 8), (3, 3, 4)]):
        yield Example(dict(groups=groups, center=c, scale=s), T(*shp))
    yield Example({}, T(3, 64))
    yield Example({}, T(3, 16))
    yield Example(dict(groups=3), T(3, 4))
    yield Example(dict(groups=2, axis=1), T(4, 3))
    yield Example(dict(groups=2), T(4, None))
    yield Example(dict(groups=2), T(4, 2, dtype="int32"), refuse="policy")  # no gradient for its weights


GroupNormalization = LayerSpec(
    "GroupNormalization", family="normalization", doc="normalizes groups of channels per sample",
    kinds={"groups": K.predicate("a positive integer or -1", lambda v: K.is_int(v) and (v >= 1 or v == -1))},
    shape=_gn_shape, dtype=_trained_on_floats, count=_gn_count, draw=_draw_gn, examples=_gn_examples,
)


# ---------------------------------------------------------------- UnitNormalization


def _un_shape(spec, args, inp):
    R.keras_axes(spec, inp, spec.arg(args, "axis"))
    return inp.shape


def _un_examples():
    for axis, shp in product([-1, 1, (1, 2)], [(4, 3), (2, 4, 3)]):
        yield Example(dict(axis=axis), T(*shp))
    yield Example({}, T(None, 3))
    yield Example(dict(axis=3), T(4, 3))
    for dt in DTYPES:
        yield Example({}, T(3, dtype=dt), refuse=dt not in FLOAT_DTYPES)


UnitNormalization = LayerSpec(
    "UnitNormalization", family="normalization", doc="scales each sample to unit L2 norm along `axis`",
    kinds={"axis": K.Axes},
    shape=_un_shape, dtype=R.dtype_floats_only, count=R.zero,
    draw=lambda ctx, t: [] if t.shape else None, examples=_un_examples,
)

DESCRIPTORS = (BatchNormalization, LayerNormalization, GroupNormalization, UnitNormalization)
