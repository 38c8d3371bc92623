"""Preprocessing inside the model: Rescaling, Normalization, CategoryEncoding, Resizing, CenterCrop."""

from __future__ import annotations

from itertools import product

from graphdsl.catalog import kinds as K
from graphdsl.catalog import rules as R
from graphdsl.catalog.spec import Example, LayerSpec
from graphdsl.catalog.types import DTYPES, FLOAT_DTYPES, ShapeError, TensorType, fmt_shape, fmt_value

F = "float32"


def T(*shape, dtype=F):  # noqa: N802
    return TensorType(tuple(shape), dtype)


IMAGE = "(batch, height, width, channels)"


# ---------------------------------------------------------------- Rescaling


def _per_channel(spec, args, inp, name: str) -> None:
    value = spec.arg(args, name)
    if not isinstance(value, tuple) or len(value) == 1:
        return
    last = inp.shape[-1] if inp.shape else 1
    if last != len(value):
        raise ShapeError(
            f"{spec.name}({name}={fmt_value(value)}) gives one value per channel, so the last axis of its input "
            f"must have {len(value)} channels; it is {fmt_shape(inp)}", name)


def _rescaling_shape(spec, args, inp):
    _per_channel(spec, args, inp, "scale")
    _per_channel(spec, args, inp, "offset")
    return inp.shape


def _rescaling_examples():
    for scale, offset, shp in product([1 / 255, (0.5, 2.0, 1.0)], [0.0, -1.0, (1.0, 0.0, -1.0)],
                                      [(4, 4, 3), (None, None, 3)]):
        yield Example(dict(scale=scale, offset=offset), T(*shp))
    yield Example(dict(scale=(2.0,)), T(3, 5))
    # Keras builds these symbolically; broadcasting fails on the data
    yield Example(dict(scale=(0.5, 2.0)), T(4, 3), refuse=True)
    yield Example(dict(scale=(0.5, 2.0)), T(4, None), refuse=True)
    for dt in DTYPES:
        yield Example(dict(scale=1 / 255), T(2, 2, 3, dtype=dt))


Rescaling = LayerSpec(
    "Rescaling", family="preprocessing", doc="x * `scale` + `offset` (numbers, or one per channel)",
    kinds={"scale": K.Numbers, "offset": K.Numbers},
    shape=_rescaling_shape, dtype=R.dtype_float, count=R.zero,
    draw=lambda ctx, t: [ctx.pos("scale", ctx.choice([1 / 255, 0.5, 2.0]))], examples=_rescaling_examples,
)


# ---------------------------------------------------------------- Normalization


def _norm_kept(spec, args, inp) -> list[int]:
    """The kept axes (indices into the shape, batch excluded), refusing the batch axis and unknown sizes."""
    axis = spec.arg(args, "axis")
    axes = () if axis is None else (axis if isinstance(axis, tuple) else (axis,))
    kept = sorted({R.keras_axis(spec, inp, a) for a in axes})
    for a in kept:
        R.need_known(spec, inp, a, f"size on axis {a + 1}")
    return kept


def _norm_shape(spec, args, inp):
    kept = _norm_kept(spec, args, inp)
    mean, variance = spec.arg(args, "mean"), spec.arg(args, "variance")
    if (mean is None) != (variance is None):
        raise ShapeError("Normalization takes both mean= and variance=, or neither (then it is adapted to data)",
                         "mean" if mean is None else "variance")
    for name, value in (("mean", mean), ("variance", variance)):
        if isinstance(value, tuple) and len(value) > 1:
            size = inp.shape[kept[-1]] if kept else None
            if size != len(value):
                raise ShapeError(
                    f"Normalization({name}=...) gives {len(value)} values, but the last kept axis of its input "
                    f"{fmt_shape(inp)} has {size if size is not None else 'no'} values to match", name)
    return inp.shape


def _norm_count(spec, args, inp):
    if spec.arg(args, "mean") is not None:
        return 0
    return 2 * R.prod(inp.shape[a] for a in _norm_kept(spec, args, inp)) + 1  # mean, variance, count


def _norm_examples():
    for axis, shp in product([-1, None, 1, (1, 2)], [(4, 3), (2, 4, 3)]):
        yield Example(dict(axis=axis), T(*shp))
    # as keras.applications writes it: adapted (EfficientNet), or with ImageNet's statistics (ConvNeXt)
    yield Example(dict(axis=3), T(4, 4, 3))
    yield Example(dict(mean=(0.485 * 255, 0.456 * 255, 0.406 * 255),
                       variance=((0.229 * 255) ** 2, (0.224 * 255) ** 2, (0.225 * 255) ** 2)), T(4, 4, 3))
    yield Example(dict(mean=0.5, variance=0.25), T(4, 3))
    yield Example(dict(mean=0.5, variance=0.25, axis=None), T(4, 3))
    yield Example(dict(mean=(1.0, 2.0), variance=(1.0, 4.0), invert=True), T(2))
    yield Example(dict(mean=(1.0, 2.0), variance=(1.0, 4.0)), T(3))
    yield Example(dict(mean=0.5), T(4, 3))
    yield Example({}, T(4, None))
    yield Example(dict(axis=0), T(4))
    for dt in DTYPES:
        yield Example({}, T(2, 3, dtype=dt), refuse=dt == "bool")


Normalization = LayerSpec(
    "Normalization", family="preprocessing",
    doc="(x - mean) / sqrt(variance): given statistics, or adapted weights to load",
    kinds={"axis": K.Optional(K.Axes), "mean": K.Optional(K.Numbers), "variance": K.Optional(K.Numbers),
           "invert": K.Bool},
    shape=_norm_shape, dtype=R.dtype_weighted, count=_norm_count,
    draw=lambda ctx, t: [] if t.shape and t.shape[-1] is not None else None, examples=_norm_examples,
    weights=lambda spec, args, params: (0, 4 * (params - 1) + 8 if params else 0),  # mean, variance; int64 count
)


# ---------------------------------------------------------------- CategoryEncoding


def _encoding_shape(spec, args, inp):
    tokens = spec.arg(args, "num_tokens")
    mode = spec.arg(args, "output_mode")
    if tokens is None:
        raise ShapeError("CategoryEncoding needs num_tokens, the number of categories", "num_tokens")
    if inp.rank > 1:
        raise ShapeError(f"CategoryEncoding expects ids of shape (batch,) or (batch, ids), got {fmt_shape(inp)}")
    if not inp.shape:
        if mode != "one_hot":
            # Keras encodes (batch,) ids as one sample's ids: the batch axis would disappear
            raise ShapeError(
                f"CategoryEncoding(output_mode={fmt_value(mode)}) on ids of shape (batch,) would encode the whole "
                "batch as one sample; give one id per sample as (batch, 1)", "output_mode")
        return (tokens,)
    if spec.arg(args, "output_mode") == "one_hot" and inp.shape[-1] != 1:
        return (*inp.shape, tokens)
    return (*inp.shape[:-1], tokens)


def _encoding_dtype(spec, args, inp):
    if inp.dtype not in ("int32", "int64"):  # TensorFlow's bincount kernel takes these only
        raise ShapeError(f"CategoryEncoding expects int32 or int64 ids, got {inp.dtype} {fmt_shape(inp)}")
    return "float32"


def _encoding_examples():
    for mode, shp in product(["multi_hot", "count", "one_hot"], [(), (1,), (3,), (None,)]):
        yield Example(dict(num_tokens=5, output_mode=mode), T(*shp, dtype="int32"),
                      refuse="policy" if not shp and mode != "one_hot" else False)
    yield Example(dict(num_tokens=4), T(2, 3, dtype="int32"), refuse=True)
    yield Example({}, T(3, dtype="int32"))
    for dt in DTYPES:
        yield Example(dict(num_tokens=3), T(2, dtype=dt), refuse="policy" if dt in FLOAT_DTYPES else
                      dt not in ("int32", "int64"))


CategoryEncoding = LayerSpec(
    "CategoryEncoding", family="preprocessing", doc="integer ids -> one-hot, multi-hot or count vectors",
    kinds={"num_tokens": K.Optional(K.PosInt), "output_mode": K.Choice("multi_hot", "one_hot", "count"),
           "sparse": K.Const(False, "sparse=True makes sparse tensors, which graphdsl does not model")},
    shape=_encoding_shape, dtype=_encoding_dtype, count=R.zero,
    draw=lambda ctx, t: [ctx.kw("num_tokens", 50)] if t.dtype in ("int32", "int64") and t.rank == 1 else None,
    examples=_encoding_examples,
)


# ---------------------------------------------------------------- Resizing, CenterCrop


def _image(spec, inp) -> None:
    R.need_rank(spec, inp, 3, IMAGE)


def _to_size(spec, args, inp):
    _image(spec, inp)
    return (spec.arg(args, "height"), spec.arg(args, "width"), inp.shape[-1])


def _draw_size(ctx, t):
    if t.rank != 3:
        return None
    return [ctx.pos("height", ctx.integer(1, 8)), ctx.pos("width", ctx.integer(1, 8))]


def _size_examples(name):
    def make():
        for h, w, shp in product([2, 5], [3], [(4, 6, 3), (None, None, 1)]):
            yield Example(dict(height=h, width=w), T(*shp))
        if name == "Resizing":
            for interp in ("nearest", "bilinear", "bicubic", "area", "lanczos3", "lanczos5"):
                yield Example(dict(height=3, width=2, interpolation=interp), T(5, 4, 2))
            yield Example(dict(height=3, width=3, crop_to_aspect_ratio=True), T(5, 4, 2))
            yield Example(dict(height=3, width=3, pad_to_aspect_ratio=True, fill_value=1.0), T(5, 4, 2))
            yield Example(dict(height=3, width=3, antialias=True), T(6, 6, 1))
        # Keras takes it for one unbatched image: the batch axis would disappear
        yield Example(dict(height=2, width=2), T(4, 3), refuse="policy")
        for dt in DTYPES:
            yield Example(dict(height=2, width=2), T(3, 3, 2, dtype=dt), refuse=dt == "bool")

    return make


def _image_dtype(spec, args, inp):
    if inp.dtype == "bool":
        raise ShapeError(f"{spec.name} expects an image of numbers, got bool {fmt_shape(inp)}")
    return "float32"


Resizing = LayerSpec(
    "Resizing", family="preprocessing", doc="resizes images to `height` x `width`",
    kinds={"height": K.PosInt, "width": K.PosInt,
           "interpolation": K.Choice("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5"),
           "crop_to_aspect_ratio": K.Bool, "pad_to_aspect_ratio": K.Bool,
           "fill_mode": K.Choice("constant"), "fill_value": K.Number, "antialias": K.Bool},
    shape=_to_size, dtype=_image_dtype, count=R.zero, draw=_draw_size, examples=_size_examples("Resizing"),
)
CenterCrop = LayerSpec(
    "CenterCrop", family="preprocessing", doc="crops the centre `height` x `width` of images (resizes smaller ones)",
    kinds={"height": K.PosInt, "width": K.PosInt},
    shape=_to_size, dtype=_image_dtype, count=R.zero, draw=_draw_size, examples=_size_examples("CenterCrop"),
)

DESCRIPTORS = (Rescaling, Normalization, CategoryEncoding, Resizing, CenterCrop)
