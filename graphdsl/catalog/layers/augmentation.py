"""Image augmentation (active while training, the identity at inference): RandomFlip, RandomRotation,
RandomZoom, RandomTranslation, RandomContrast, RandomBrightness, RandomCrop."""

from __future__ import annotations

from itertools import product

from graphdsl.catalog import kinds as K
from graphdsl.catalog import rules as R
from graphdsl.catalog.spec import Example, LayerSpec
from graphdsl.catalog.types import DTYPES, FLOAT_DTYPES, ShapeError, TensorType, fmt_shape

F = "float32"
IMAGE = "(batch, height, width, channels)"


def T(*shape, dtype=F):  # noqa: N802
    return TensorType(tuple(shape), dtype)


def Factor(lo: float, hi: float, lo_open: bool = False) -> K.Kind:  # noqa: N802
    """A number in [lo, hi] (or (lo, hi]), or a (low, high) pair of such numbers."""

    def inside(v: object) -> bool:
        return K.is_num(v) and (lo < v if lo_open else lo <= v) and v <= hi

    left = "(" if lo_open else "["
    return K.predicate(f"a number in {left}{lo}, {hi}] or a pair of them",
                       lambda v: inside(v) or (isinstance(v, tuple) and len(v) == 2 and all(inside(x) for x in v)))


ValueRange = K.predicate("a (low, high) pair of numbers",
                         lambda v: isinstance(v, tuple) and len(v) == 2 and all(K.is_num(x) for x in v))
FillMode = K.Choice("reflect", "wrap", "constant", "nearest")
Interpolation = K.Choice("bilinear", "nearest")


def _image_shape(spec, args, inp):
    R.need_rank(spec, inp, 3, IMAGE)
    return inp.shape


def _image_dtype(spec, args, inp):
    if inp.dtype == "bool":
        raise ShapeError(f"{spec.name} expects an image of numbers, got bool {fmt_shape(inp)}")
    return "float32"


def _float_image_dtype(spec, args, inp):
    if inp.dtype not in FLOAT_DTYPES:  # its kernels mix the image with float factors while training
        raise ShapeError(f"{spec.name} expects an image of floating-point values, got {inp.dtype} {fmt_shape(inp)}")
    return "float32"


def _examples(arg_sets, floats_only=False):
    def make():
        for args, shp in product(arg_sets, [(5, 6, 3), (None, None, 1)]):
            yield Example(dict(args, seed=1), T(*shp))
        # Keras takes it for one unbatched image: the batch axis would disappear
        yield Example(arg_sets[0], T(5, 3), refuse="policy")
        for dt in DTYPES:
            yield Example(arg_sets[0], T(4, 4, 2, dtype=dt),
                          refuse=dt == "bool" or (floats_only and dt not in FLOAT_DTYPES))

    return make


def _draw(*args):
    def draw(ctx, t):
        if t.rank != 3:
            return None
        return [ctx.pos(name, value) for name, value in args]

    return draw


RandomFlip = LayerSpec(
    "RandomFlip", family="augmentation", doc="flips images at random while training",
    kinds={"mode": K.Choice("horizontal", "vertical", "horizontal_and_vertical")},
    shape=_image_shape, dtype=_image_dtype, count=R.zero, draw=_draw(("mode", "horizontal")),
    examples=_examples([dict(mode="horizontal"), {}, dict(mode="vertical")]),
)
RandomRotation = LayerSpec(
    "RandomRotation", family="augmentation", doc="rotates images by up to `factor` x 2pi while training",
    kinds={"factor": Factor(-1, 1), "fill_mode": FillMode, "interpolation": Interpolation, "fill_value": K.Number},
    shape=_image_shape, dtype=_image_dtype, count=R.zero, draw=_draw(("factor", 0.1)),
    examples=_examples([dict(factor=0.1), dict(factor=(-0.2, 0.3), fill_mode="constant",
                                                                  interpolation="nearest", fill_value=1.0)]),
)
RandomZoom = LayerSpec(
    "RandomZoom", family="augmentation", doc="zooms images in or out by up to `height_factor` while training",
    kinds={"height_factor": Factor(-1, 1, lo_open=True), "width_factor": K.Optional(Factor(-1, 1, lo_open=True)),
           "fill_mode": FillMode, "interpolation": Interpolation, "fill_value": K.Number},
    shape=_image_shape, dtype=_image_dtype, count=R.zero, draw=_draw(("height_factor", 0.2)),
    examples=_examples([dict(height_factor=0.2), dict(height_factor=(-0.3, 0.1), width_factor=0.1,
                                                                     fill_mode="nearest")]),
)
RandomTranslation = LayerSpec(
    "RandomTranslation", family="augmentation", doc="shifts images by up to a fraction of their size while training",
    kinds={"height_factor": Factor(-1, 1), "width_factor": Factor(-1, 1), "fill_mode": FillMode,
           "interpolation": Interpolation, "fill_value": K.Number},
    shape=_image_shape, dtype=_image_dtype, count=R.zero, draw=_draw(("height_factor", 0.1), ("width_factor", 0.1)),
    examples=_examples([dict(height_factor=0.1, width_factor=0.2),
                                             dict(height_factor=(-0.2, 0.1), width_factor=0.0, fill_mode="wrap")]),
)
RandomContrast = LayerSpec(
    "RandomContrast", family="augmentation", doc="changes image contrast by up to `factor` while training",
    kinds={"factor": Factor(0, 1), "value_range": ValueRange},
    shape=_image_shape, dtype=_float_image_dtype, count=R.zero, draw=_draw(("factor", 0.2)),
    examples=_examples([dict(factor=0.2), dict(factor=(0.1, 0.5), value_range=(0, 1))], floats_only=True),
)
RandomBrightness = LayerSpec(
    "RandomBrightness", family="augmentation", doc="shifts image brightness by up to `factor` while training",
    kinds={"factor": Factor(-1, 1), "value_range": ValueRange},
    shape=_image_shape, dtype=_image_dtype, count=R.zero, draw=_draw(("factor", 0.2)),
    examples=_examples([dict(factor=0.2), dict(factor=(-0.1, 0.3), value_range=(0, 1))]),
)


def _crop_shape(spec, args, inp):
    R.need_rank(spec, inp, 3, IMAGE)
    return (spec.arg(args, "height"), spec.arg(args, "width"), inp.shape[-1])


def _crop_examples():
    # Keras (3.15) crops while training only: at inference its RandomCrop passes images through
    training = ("training",)
    for h, w, shp in product([2, 4], [3], [(4, 6, 3), (None, None, 1)]):
        yield Example(dict(height=h, width=w, seed=1), T(*shp), runs=training)
    yield Example(dict(height=6, width=6), T(4, 4, 1), runs=training)
    yield Example(dict(height=2, width=2), T(4, 3), refuse="policy")
    for dt in DTYPES:
        yield Example(dict(height=2, width=2), T(3, 3, 2, dtype=dt), refuse=dt == "bool", runs=training)


RandomCrop = LayerSpec(
    "RandomCrop", family="augmentation", doc="crops a random `height` x `width` window while training "
    "(Keras passes images through uncropped at inference: follow it with layers that take any size, "
    "which check makes sure of)",
    kinds={"height": K.PosInt, "width": K.PosInt},
    shape=_crop_shape, dtype=_image_dtype, count=R.zero, inference=_image_shape,
    draw=lambda ctx, t: [ctx.pos("height", ctx.integer(1, 3)), ctx.pos("width", ctx.integer(1, 3))]
    if t.rank == 3 else None,
    examples=_crop_examples,
)

DESCRIPTORS = (RandomFlip, RandomRotation, RandomZoom, RandomTranslation, RandomContrast, RandomBrightness,
               RandomCrop)
