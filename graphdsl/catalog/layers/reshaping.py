"""Reshaping: Flatten, Reshape, Permute, RepeatVector, ZeroPadding1D/2D/3D, UpSampling1D/2D/3D,
Cropping1D/2D/3D."""

from __future__ import annotations

from itertools import product

from graphdsl.catalog import kinds as K
from graphdsl.catalog import rules as R
from graphdsl.catalog.spec import Example, LayerSpec
from graphdsl.catalog.types import DTYPES, ShapeError, TensorType, fmt_shape, fmt_value

F = "float32"


def T(*shape, dtype=F):  # noqa: N802
    return TensorType(tuple(shape), dtype)


# ---------------------------------------------------------------- Flatten, Reshape, Permute, RepeatVector


def _flatten_shape(spec, args, inp):
    if not inp.shape:
        return (1,)
    if any(d is None for d in inp.shape):
        return (None,)
    return (R.prod(inp.shape),)


def _flatten_examples():
    for shp in [(3,), (None, 4), (2, 3, 4), (None, 3), (2, None), ()]:
        yield Example({}, T(*shp))
    for dt in DTYPES:
        yield Example({}, T(2, 3, dtype=dt))


Flatten = LayerSpec(
    "Flatten", family="reshaping", doc="all non-batch axes into one",
    shape=_flatten_shape, dtype=R.dtype_keep, count=R.zero,
    draw=lambda ctx, t: [] if t.rank >= 2 else None, examples=_flatten_examples,
)


def _reshape_shape(spec, args, inp):
    target = tuple(spec.arg(args, "target_shape"))
    if any(d is None for d in inp.shape):
        return tuple(None if d == -1 else d for d in target)
    size = R.prod(inp.shape)
    known = R.prod(d for d in target if d != -1)
    if -1 not in target:
        if known != size:
            raise ShapeError(
                f"Reshape(target_shape={fmt_value(target)}) needs {known} values per sample, but its "
                f"input {fmt_shape(inp)} has {size}", "target_shape")
        return target
    if size % known:
        raise ShapeError(
            f"Reshape(target_shape={fmt_value(target)}): the input {fmt_shape(inp)} has {size} values "
            f"per sample, which is not a multiple of {known}", "target_shape")
    return tuple(size // known if d == -1 else d for d in target)


def _draw_reshape(ctx, t):
    if None in t.shape or not t.shape:
        return None
    size = R.prod(t.shape)
    return [ctx.pos("target_shape", (size, 1) if t.rank == 1 else (size,))]


def _reshape_examples():
    for target, shp in product([(6,), (-1,), (2, -1), (3, 2), (-1, 3), (4, -1), (5,)], [(2, 3), (None, 3), (6,)]):
        # a fixed target for a `?` axis runs only when the data has the right size
        yield Example(dict(target_shape=target), T(*shp), runs=() if None in shp and -1 not in target else
                      ("inference", "training"))
    yield Example(dict(target_shape=(2, 3)), T(None, 3), runs=())
    yield Example(dict(target_shape=(1, 1, 4)), T(4))  # squeeze-and-excitation, as EfficientNet writes it
    for dt in DTYPES:
        yield Example(dict(target_shape=(6,)), T(2, 3, dtype=dt))


Reshape = LayerSpec(
    "Reshape", family="reshaping", doc="to `target_shape` (one size may be -1)",
    kinds={"target_shape": K.ShapeTuple},
    shape=_reshape_shape, dtype=R.dtype_keep, count=R.zero, draw=_draw_reshape, examples=_reshape_examples,
)


def _permute_shape(spec, args, inp):
    dims = spec.arg(args, "dims")
    if len(dims) != inp.rank:
        raise ShapeError(
            f"Permute(dims={fmt_value(dims)}) must list each of the {inp.rank} non-batch axes of "
            f"{fmt_shape(inp)} once", "dims")
    return tuple(inp.shape[d - 1] for d in dims)


def _permute_examples():
    for dims, shp in [((2, 1), (3, 4)), ((1, 2), (None, 4)), ((3, 1, 2), (2, 3, 4)), ((2, 1), (2, 3, 4)),
                      ((1,), (5,))]:
        yield Example(dict(dims=dims), T(*shp))
    for dt in DTYPES:
        yield Example(dict(dims=(2, 1)), T(2, 3, dtype=dt))


Permute = LayerSpec(
    "Permute", family="reshaping", doc="reorders the non-batch axes (`dims` counts from 1)",
    kinds={"dims": K.Permutation},
    shape=_permute_shape, dtype=R.dtype_keep, count=R.zero,
    draw=lambda ctx, t: [ctx.pos("dims", (2, 1))] if t.rank == 2 else None, examples=_permute_examples,
)


def _repeat_shape(spec, args, inp):
    R.need_rank(spec, inp, 1, "(batch, features)")
    return (spec.arg(args, "n"), inp.shape[0])


def _repeat_examples():
    for n, shp in [(3, (4,)), (1, (None,)), (2, (3, 4))]:
        yield Example(dict(n=n), T(*shp))
    for dt in DTYPES:
        yield Example(dict(n=2), T(3, dtype=dt))


RepeatVector = LayerSpec(
    "RepeatVector", family="reshaping", doc="a vector repeated `n` times: (batch, n, features)",
    kinds={"n": K.PosInt},
    shape=_repeat_shape, dtype=R.dtype_keep, count=R.zero,
    draw=lambda ctx, t: [ctx.pos("n", ctx.integer(1, 4))] if t.rank == 1 else None, examples=_repeat_examples,
)


# ---------------------------------------------------------------- padding and cropping


def _pairs(value: object, n: int) -> list[tuple[int, int]]:
    """(before, after) per spatial axis from an int, one int per axis, or one pair per axis."""
    if not isinstance(value, tuple):
        return [(value, value)] * n
    if n == 1:
        return [value]
    if isinstance(value[0], tuple):
        return [tuple(p) for p in value]
    return [(v, v) for v in value]


def _pad_shape(n):
    def rule(spec, args, inp):
        R.need_spatial(spec, inp, n)
        pairs = _pairs(spec.arg(args, "padding"), n)
        out = [None if inp.shape[i] is None else inp.shape[i] + a + b for i, (a, b) in enumerate(pairs)]
        return (*out, inp.shape[-1])

    return rule


def _crop_shape(n):
    def rule(spec, args, inp):
        R.need_spatial(spec, inp, n)
        pairs = _pairs(spec.arg(args, "cropping"), n)
        out = []
        for i, (a, b) in enumerate(pairs):
            size = inp.shape[i]
            if size is not None and a + b >= size:
                raise ShapeError(
                    f"{R.show(spec, args, 'cropping')} removes {a + b} of the {size} values on axis {i + 1} of "
                    f"its input {fmt_shape(inp)}, leaving none", "cropping")
            out.append(None if size is None else size - a - b)
        return (*out, inp.shape[-1])

    return rule


def _draw_window(n, arg, lo):
    def draw(ctx, t):
        if t.rank != n + 1:
            return None
        return [ctx.pos(arg, ctx.integer(lo, 2))]

    return draw


def _pad_examples(n):
    def make():
        values = {1: [1, 0, (2, 3)], 2: [1, (2, 3), ((1, 2), (3, 4)), ((0, 1), (0, 1))],
                  3: [1, (1, 2, 0), ((1, 0), (0, 2), (1, 1))]}[n]
        shapes = {1: [(None, 3), (4, 3)], 2: [(None, 5, 3), (4, 5, 3)], 3: [(2, None, 3, 1), (2, 2, 2, 3)]}[n]
        for pad, shp in product(values, shapes):
            yield Example(dict(padding=pad), T(*shp))
        yield Example({}, T(*([4] * n)))
        for dt in DTYPES:
            yield Example({}, T(*([2] * n), 3, dtype=dt))

    return make


def _crop_examples(n):
    def make():
        values = {1: [1, 0, (2, 1)], 2: [1, (2, 0), ((1, 2), (0, 1))], 3: [1, (1, 0, 0), ((1, 0), (0, 1), (1, 1))]}[n]
        shapes = {1: [(None, 3), (6, 3)], 2: [(None, 6, 3), (5, 6, 2)], 3: [(4, None, 5, 1), (3, 3, 4, 2)]}[n]
        for crop, shp in product(values, shapes):
            yield Example(dict(cropping=crop), T(*shp))
        yield Example(dict(cropping=2), T(*([4] * n), 1))
        yield Example({}, T(*([5] * n), 2))
        for dt in DTYPES:
            yield Example(dict(cropping=1), T(*([3] * n), 2, dtype=dt))

    return make


def _upsample_shape(n):
    def rule(spec, args, inp):
        R.need_spatial(spec, inp, n)
        size = R.as_tuple(spec.arg(args, "size"), n)
        return (*(None if d is None else d * s for d, s in zip(inp.shape[:-1], size, strict=True)), inp.shape[-1])

    return rule


def _upsample_examples(n):
    def make():
        values = {1: [1, 2, 3], 2: [2, (1, 3)], 3: [2, (1, 2, 3)]}[n]
        shapes = {1: [(None, 3), (4, 3)], 2: [(None, 5, 3), (4, 5, 3)], 3: [(2, None, 3, 1)]}[n]
        for size, shp in product(values, shapes):
            yield Example(dict(size=size), T(*shp))
        if n == 2:
            for interp in ("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5", "area"):
                yield Example(dict(size=2, interpolation=interp), T(3, 3, 2))
        yield Example({}, T(*([4] * n)))
        for dt in DTYPES:
            yield Example({}, T(*([2] * n), 3, dtype=dt))

    return make


_INTERPOLATION = K.Choice("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5", "area")
_SPATIAL = {1: "steps", 2: "rows and columns", 3: "three spatial axes"}
ZeroPadding1D, ZeroPadding2D, ZeroPadding3D = (
    LayerSpec(
        f"ZeroPadding{n}D", family="reshaping", doc=f"adds zeros around the {_SPATIAL[n]}",
        kinds={"padding": K.Padding(n)},
        shape=_pad_shape(n), dtype=R.dtype_keep, count=R.zero,
        draw=_draw_window(n, "padding", 1), examples=_pad_examples(n),
    )
    for n in (1, 2, 3)
)
Cropping1D, Cropping2D, Cropping3D = (
    LayerSpec(
        f"Cropping{n}D", family="reshaping", doc=f"removes values at the edges of the {_SPATIAL[n]}",
        kinds={"cropping": K.Padding(n)},
        shape=_crop_shape(n), dtype=R.dtype_keep, count=R.zero,
        draw=_draw_window(n, "cropping", 0), examples=_crop_examples(n),
    )
    for n in (1, 2, 3)
)
UpSampling1D, UpSampling2D, UpSampling3D = (
    LayerSpec(
        f"UpSampling{n}D", family="reshaping", doc=f"repeats the {_SPATIAL[n]} `size` times",
        kinds={"size": K.IntOrTuple(n), **({"interpolation": _INTERPOLATION} if n == 2 else {})},
        shape=_upsample_shape(n), dtype=R.dtype_keep, count=R.zero,
        draw=_draw_window(n, "size", 1), examples=_upsample_examples(n),
    )
    for n in (1, 2, 3)
)

DESCRIPTORS = (Flatten, Reshape, Permute, RepeatVector, ZeroPadding1D, ZeroPadding2D, ZeroPadding3D,
               Cropping1D, Cropping2D, Cropping3D, UpSampling1D, UpSampling2D, UpSampling3D)
