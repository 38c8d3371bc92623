"""Pooling: Max/AveragePooling1D/2D/3D and their global forms."""

from __future__ import annotations

from itertools import product

from graphdsl.catalog import kinds as K
from graphdsl.catalog import rules as R
from graphdsl.catalog.spec import Example, LayerSpec
from graphdsl.catalog.types import DTYPES, FLOAT_DTYPES, ShapeError, TensorType, fmt_shape

F = "float32"


def T(*shape, dtype=F):  # noqa: N802
    return TensorType(tuple(shape), dtype)


def _pool_shape(n):
    def rule(spec, args, inp):
        R.need_spatial(spec, inp, n)
        pool = R.as_tuple(spec.arg(args, "pool_size"), n)
        strides_arg = spec.arg(args, "strides")
        strides = pool if strides_arg is None else R.as_tuple(strides_arg, n)
        padding = spec.arg(args, "padding")
        out = []
        for i in range(n):
            size = inp.shape[i]
            if size is None:
                out.append(None)
            elif padding == "valid":
                if size < pool[i]:
                    R.too_short(spec, args, inp, "pool_size", n, i, pool[i], size)
                out.append((size - pool[i]) // strides[i] + 1)
            else:
                out.append((size - 1) // strides[i] + 1)
        return (*out, inp.shape[-1])

    return rule


def _draw_pool(n):
    def draw(ctx, t):
        if t.rank != n + 1:
            return None
        p = ctx.integer(1, 3 if n == 1 else 2)
        return [ctx.pos("pool_size", p if n == 1 else (p,) * n)]

    return draw


def _pool_examples(n, name):
    def make():
        shapes = {1: [(None, 3), (2, 3), (7, 3)], 2: [(5, 6, 2), (None, 4, 2), (1, 5, 2)],
                  3: [(4, 5, 6, 2), (None, 3, 4, 1)]}[n]
        sizes = {1: [2, 3], 2: [2, (2, 3)], 3: [2, (1, 2, 3)]}[n]
        for ps, s, p, shp in product(sizes, [None, 1, 2], ["valid", "same"], shapes):
            yield Example(dict(pool_size=ps, strides=s, padding=p), T(*shp))
        if n == 1:
            yield Example(dict(pool_size=3, padding="same", strides=2), T(1, 3))
        if name.startswith("Max"):
            yield Example({}, T(*([9] * n), 2))
        for dt in DTYPES:
            yield Example(dict(pool_size=2), T(*([2] * n), 3, dtype=dt), refuse=_pool_refuses(name, n, dt))

    return make


def _pool_refuses(kind: str, n: int, dtype: str) -> bool:
    """What TensorFlow's pooling kernels refuse (Keras's symbolic call accepts every dtype)."""
    if kind == "Max" and n < 3:
        return dtype == "bool"
    return dtype not in FLOAT_DTYPES


def _pool_dtype(kind: str, n: int):
    def rule(spec, args, inp):
        if _pool_refuses(kind, n, inp.dtype):
            what = "numbers" if kind == "Max" and n < 3 else "floating-point values"
            raise ShapeError(f"{spec.name} expects {what}, got {inp.dtype} {fmt_shape(inp)}")
        return R.dtype_keep(spec, args, inp)  # max pooling keeps integers: it picks values

    return rule


def _pool_kinds(n):
    return {"pool_size": K.IntOrTuple(n), "strides": K.Optional(K.IntOrTuple(n)), "padding": K.Choice("valid", "same")}


def _global_shape(n):
    def rule(spec, args, inp):
        R.need_spatial(spec, inp, n)
        if spec.arg(args, "keepdims"):
            return (*([1] * n), inp.shape[-1])
        return (inp.shape[-1],)

    return rule


def _global_examples(n):
    def make():
        shapes = {1: [(None, 3), (4, 3)], 2: [(None, 4, 3), (2, 2, 1)], 3: [(None, 2, 3, 4), (2, 2, 2, 1)]}[n]
        for kd, shp in product([False, True], shapes):
            yield Example(dict(keepdims=kd), T(*shp))
        yield Example({}, T(*([3] * (n - 1)), 2) if n > 1 else T(3))
        for dt in DTYPES:
            yield Example({}, T(*([2] * n), 3, dtype=dt))

    return make


def _draw_rank(rank):
    return lambda ctx, t: [] if t.rank == rank else None


_DOC = {1: "steps", 2: "rows and columns", 3: "three spatial axes"}
DESCRIPTORS = tuple(
    LayerSpec(
        f"{kind}Pooling{n}D", family="pooling", doc=f"{word} over windows of {_DOC[n]}",
        kinds=_pool_kinds(n), shape=_pool_shape(n), dtype=_pool_dtype(kind, n), count=R.zero,
        draw=_draw_pool(n), examples=_pool_examples(n, kind),
    )
    for kind, word in (("Max", "maximum"), ("Average", "average")) for n in (1, 2, 3)
) + tuple(
    LayerSpec(
        f"Global{kind}Pooling{n}D", family="pooling", doc=f"{word} over all {_DOC[n]}",
        shape=_global_shape(n), dtype=R.dtype_keep if kind == "Max" else R.dtype_float, count=R.zero,
        draw=_draw_rank(n + 1), examples=_global_examples(n),
    )
    for kind, word in (("Max", "maximum"), ("Average", "average")) for n in (1, 2, 3)
)
