"""Convolutions: Conv1D/2D/3D, DepthwiseConv1D/2D, SeparableConv1D/2D, Conv1D/2D/3DTranspose."""

from __future__ import annotations

from itertools import product

from graphdsl.catalog import kinds as K
from graphdsl.catalog import rules as R
from graphdsl.catalog.spec import Example, LayerSpec
from graphdsl.catalog.types import DTYPES, FLOAT_DTYPES, ShapeError, TensorType, fmt_shape

F = "float32"
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear", "gelu", "softmax")


def T(*shape, dtype=F):  # noqa: N802
    return TensorType(tuple(shape), dtype)


def _act(args):
    act = args.get("activation")
    return act if isinstance(act, str) else None


def _window_kinds(n: int, causal: bool = False) -> dict:
    padding = K.Choice("valid", "same", "causal") if causal else K.Choice("valid", "same")
    return {
        "kernel_size": K.IntOrTuple(n),
        "strides": K.IntOrTuple(n),
        "dilation_rate": K.IntOrTuple(n),
        "padding": padding,
    }


def _spatial(spec, args, inp, n: int, channels_out: int) -> tuple:
    """The output shape of a (depthwise, separable or plain) convolution over `n` axes."""
    R.need_spatial(spec, inp, n)
    kernel = R.as_tuple(spec.arg(args, "kernel_size"), n)
    strides = R.as_tuple(spec.arg(args, "strides"), n)
    dilation = R.as_tuple(spec.arg(args, "dilation_rate"), n)
    padding = spec.arg(args, "padding")
    if max(strides) > 1 and max(dilation) > 1:
        raise ShapeError(f"{spec.name} can't combine strides > 1 with dilation_rate > 1", "strides")
    out = []
    for i in range(n):
        size = inp.shape[i]
        eff = dilation[i] * (kernel[i] - 1) + 1
        if size is None:
            out.append(None)
        elif padding == "valid":
            if size < eff:
                R.too_short(spec, args, inp, "kernel_size", n, i, eff, size)
            out.append((size - eff) // strides[i] + 1)
        else:  # same, causal
            out.append((size + strides[i] - 1) // strides[i])
    return (*out, channels_out)


# ---------------------------------------------------------------- plain convolutions


def _conv_shape(n):
    def rule(spec, args, inp):
        R.need_spatial(spec, inp, n)
        channels = R.need_known(spec, inp, -1, "channel axis")
        groups = spec.arg(args, "groups")
        filters = spec.arg(args, "filters")
        if filters % groups:
            raise ShapeError(f"{spec.name}(filters={filters}) is not divisible by groups={groups}", "groups")
        if channels % groups:
            raise ShapeError(
                f"{spec.name}(groups={groups}) must divide the input channels, but its input "
                f"{fmt_shape(inp)} has {channels}", "groups")
        return _spatial(spec, args, inp, n, filters)

    return rule


def _conv_count(n):
    def rule(spec, args, inp):
        kernel = R.as_tuple(spec.arg(args, "kernel_size"), n)
        filters = spec.arg(args, "filters")
        weights = R.prod(kernel) * (inp.shape[-1] // spec.arg(args, "groups")) * filters
        return weights + (filters if spec.arg(args, "use_bias") else 0)

    return rule


def _draw_conv(n):
    def draw(ctx, t):
        if t.rank != n + 1:
            return None
        k = ctx.integer(1, 3)
        kernel = k if n == 1 or ctx.boolean() else (k,) * n
        args = [ctx.pos("filters", ctx.size(1, 8)), ctx.pos("kernel_size", kernel)]
        if ctx.boolean():
            args.append(ctx.kw("padding", ctx.choice(["same", "valid"])))
        if ctx.boolean():
            args.append(ctx.kw("activation", ctx.activation(ACTIVATIONS)))
        return args

    return draw


def _conv1d_examples():
    for k, s, p, d, n in product([1, 3], [1, 2], ["valid", "same", "causal"], [1, 2], [None, 7]):
        yield Example(dict(filters=2, kernel_size=k, strides=s, padding=p, dilation_rate=d), T(n, 3))
    yield Example(dict(filters=2, kernel_size=(2,)), T(2, 3))
    yield Example(dict(filters=2, kernel_size=3), T(2, 3))
    yield Example(dict(filters=2, kernel_size=2), T(4, 3, 2))
    yield Example(dict(filters=2, kernel_size=3, padding="causal", dilation_rate=4), T(2, 3))
    yield Example(dict(filters=4, kernel_size=3, groups=2), T(6, 4))
    yield Example(dict(filters=3, kernel_size=3, groups=2), T(6, 4))
    for dt in DTYPES:
        # TensorFlow's convolution kernels take floats only (Keras's symbolic call accepts integers)
        yield Example(dict(filters=2, kernel_size=2), T(4, 3, dtype=dt), refuse=dt not in FLOAT_DTYPES)


def _conv2d_examples():
    for s, p, d, g, b, shp in product([1, (2, 1)], ["valid", "same"], [1, 2], [1, 2], [True, False],
                                      [(5, 6, 4), (None, 3, 4)]):
        yield Example(dict(filters=4, kernel_size=(2, 3), strides=s, padding=p, dilation_rate=d, groups=g,
                           use_bias=b), T(*shp))
    yield Example(dict(filters=2, kernel_size=2), T(4, 3))
    # ConvNeXt's depthwise convolution, as keras.applications writes it
    yield Example(dict(filters=8, kernel_size=7, padding="same", groups=8), T(9, 9, 8))
    yield Example(dict(filters=4, kernel_size=1, kernel_initializer="he_normal", kernel_regularizer="l2"),
                  T(3, 3, 2))
    yield Example(dict(filters=2, kernel_size=3, groups=2), T(5, 5, 3))


def _conv3d_examples():
    for s, p, d, shp in product([1, (2, 1, 2)], ["valid", "same"], [1, 2], [(5, 6, 4, 2), (None, 4, 3, 2)]):
        yield Example(dict(filters=3, kernel_size=(2, 3, 1), strides=s, padding=p, dilation_rate=d), T(*shp))
    yield Example(dict(filters=4, kernel_size=2, groups=2), T(3, 3, 3, 4))
    yield Example(dict(filters=2, kernel_size=4), T(3, 5, 5, 1))
    yield Example(dict(filters=2, kernel_size=2), T(3, 5, 1))


def _kernels(n):
    """A convolution's kernels have the window's n axes, then input and output channels."""
    ranks = {"kernel": n + 2, "depthwise": n + 2, "pointwise": n + 2}
    return lambda spec, args, inp: ranks


Conv1D = LayerSpec(
    "Conv1D", family="conv", doc="convolution over steps", kinds=_window_kinds(1, causal=True),
    shape=_conv_shape(1), dtype=R.dtype_floats_only, count=_conv_count(1),
    draw=_draw_conv(1), examples=_conv1d_examples, activation=_act,
    weight_ranks=_kernels(1),
)
Conv2D = LayerSpec(
    "Conv2D", family="conv", doc="convolution over rows and columns (`groups=` for grouped/depthwise)",
    kinds=_window_kinds(2), shape=_conv_shape(2), dtype=R.dtype_floats_only, count=_conv_count(2),
    draw=_draw_conv(2), examples=_conv2d_examples, activation=_act,
    weight_ranks=_kernels(2),
)
Conv3D = LayerSpec(
    "Conv3D", family="conv", doc="convolution over three spatial axes", kinds=_window_kinds(3),
    shape=_conv_shape(3), dtype=R.dtype_floats_only, count=_conv_count(3),
    draw=_draw_conv(3), examples=_conv3d_examples, activation=_act,
    weight_ranks=_kernels(3),
)


# ---------------------------------------------------------------- depthwise and separable


def _depthwise_shape(n):
    def rule(spec, args, inp):
        R.need_spatial(spec, inp, n)
        channels = R.need_known(spec, inp, -1, "channel axis")
        return _spatial(spec, args, inp, n, channels * spec.arg(args, "depth_multiplier"))

    return rule


def _depthwise_count(n):
    def rule(spec, args, inp):
        kernel = R.as_tuple(spec.arg(args, "kernel_size"), n)
        out = inp.shape[-1] * spec.arg(args, "depth_multiplier")
        return R.prod(kernel) * out + (out if spec.arg(args, "use_bias") else 0)

    return rule


def _separable_shape(n):
    def rule(spec, args, inp):
        R.need_spatial(spec, inp, n)
        R.need_known(spec, inp, -1, "channel axis")
        return _spatial(spec, args, inp, n, spec.arg(args, "filters"))

    return rule


def _separable_count(n):
    def rule(spec, args, inp):
        kernel = R.as_tuple(spec.arg(args, "kernel_size"), n)
        mid = inp.shape[-1] * spec.arg(args, "depth_multiplier")
        filters = spec.arg(args, "filters")
        return R.prod(kernel) * mid + mid * filters + (filters if spec.arg(args, "use_bias") else 0)

    return rule


def _draw_depthwise(n, separable: bool):
    def draw(ctx, t):
        if t.rank != n + 1:
            return None
        args = [ctx.pos("filters", ctx.size(1, 8))] if separable else []
        args.append(ctx.pos("kernel_size", ctx.integer(1, 3)))
        if ctx.boolean():
            args.append(ctx.kw("padding", "same"))
        if ctx.boolean():
            args.append(ctx.kw("depth_multiplier", ctx.integer(1, 2)))
        return args

    return draw


def _depthwise_examples(n):
    def make():
        shapes = [(7, 3), (None, 2)] if n == 1 else [(6, 7, 3), (None, 5, 2)]
        for k, s, p, dm, shp in product([1, 3], [1, 2], ["valid", "same"], [1, 2], shapes):
            yield Example(dict(kernel_size=k, strides=s, padding=p, depth_multiplier=dm), T(*shp))
        yield Example(dict(kernel_size=2, use_bias=False, depth_multiplier=3), shapes[0])
        yield Example(dict(kernel_size=2, dilation_rate=2), T(*([6] * n), 3))
        yield Example(dict(kernel_size=5), T(*([3] * n), 3))
        if n == 1:
            yield Example(dict(kernel_size=2, padding="causal"), T(4, 2))
        else:  # as the keras.applications MobileNets and EfficientNets write it
            yield Example(dict(kernel_size=3, strides=2, depth_multiplier=1, padding="same", use_bias=False),
                          T(9, 9, 4))
            yield Example(dict(kernel_size=3, depthwise_initializer="he_normal",
                               depthwise_regularizer="l2"), T(5, 5, 2))
        for dt in ("bool", "int32", "uint8"):
            yield Example(dict(kernel_size=2), T(*([4] * n), 3, dtype=dt), refuse=True)
        yield Example(dict(kernel_size=2), T(*([4] * n), 3, dtype="float16"))

    return make


def _separable_examples(n):
    def make():
        shapes = [(7, 3), (None, 2)] if n == 1 else [(6, 7, 3), (None, 5, 2)]
        for k, s, p, dm, shp in product([1, 3], [1, 2], ["valid", "same"], [1, 2], shapes):
            yield Example(dict(filters=4, kernel_size=k, strides=s, padding=p, depth_multiplier=dm), T(*shp))
        yield Example(dict(filters=3, kernel_size=2, use_bias=False, depth_multiplier=2), shapes[0])
        yield Example(dict(filters=2, kernel_size=2, dilation_rate=2), T(*([6] * n), 3))
        yield Example(dict(filters=2, kernel_size=5), T(*([3] * n), 3))
        if n == 1:
            yield Example(dict(filters=2, kernel_size=2, padding="causal"), T(4, 2))
        yield Example(dict(filters=2, kernel_size=2, pointwise_initializer="he_normal",
                           pointwise_regularizer="l1"), T(*([4] * n), 3))
        for dt in ("bool", "int32", "float64"):
            yield Example(dict(filters=2, kernel_size=2), T(*([4] * n), 3, dtype=dt), refuse=dt != "float64")

    return make


def _depthwise_kinds(n):
    return {**_window_kinds(n), "depth_multiplier": K.PosInt}


DepthwiseConv1D = LayerSpec(
    "DepthwiseConv1D", family="conv", doc="one convolution per channel, over steps",
    kinds=_depthwise_kinds(1), shape=_depthwise_shape(1), dtype=R.dtype_floats_only, count=_depthwise_count(1),
    draw=_draw_depthwise(1, False), examples=_depthwise_examples(1), activation=_act,
    weight_ranks=_kernels(1),
)
DepthwiseConv2D = LayerSpec(
    "DepthwiseConv2D", family="conv", doc="one convolution per channel, over rows and columns",
    kinds=_depthwise_kinds(2), shape=_depthwise_shape(2), dtype=R.dtype_floats_only, count=_depthwise_count(2),
    draw=_draw_depthwise(2, False), examples=_depthwise_examples(2), activation=_act,
    weight_ranks=_kernels(2),
)
SeparableConv1D = LayerSpec(
    "SeparableConv1D", family="conv", doc="depthwise then pointwise convolution, over steps",
    kinds=_depthwise_kinds(1), shape=_separable_shape(1), dtype=R.dtype_floats_only, count=_separable_count(1),
    draw=_draw_depthwise(1, True), examples=_separable_examples(1), activation=_act,
    weight_ranks=_kernels(1),
)
SeparableConv2D = LayerSpec(
    "SeparableConv2D", family="conv", doc="depthwise then pointwise convolution, over rows and columns",
    kinds=_depthwise_kinds(2), shape=_separable_shape(2), dtype=R.dtype_floats_only, count=_separable_count(2),
    draw=_draw_depthwise(2, True), examples=_separable_examples(2), activation=_act,
    weight_ranks=_kernels(2),
)


# ---------------------------------------------------------------- transposed convolutions


def _transpose_shape(n):
    def rule(spec, args, inp):
        R.need_spatial(spec, inp, n)
        R.need_known(spec, inp, -1, "channel axis")
        kernel = R.as_tuple(spec.arg(args, "kernel_size"), n)
        strides = R.as_tuple(spec.arg(args, "strides"), n)
        dilation = R.as_tuple(spec.arg(args, "dilation_rate"), n)
        padding = spec.arg(args, "padding")
        op_arg = spec.arg(args, "output_padding")
        out_pad = None if op_arg is None else R.as_tuple(op_arg, n)
        if max(strides) > 1 and max(dilation) > 1:
            raise ShapeError(f"{spec.name} can't combine strides > 1 with dilation_rate > 1", "strides")
        if out_pad is not None:
            for p, s in zip(out_pad, strides, strict=True):
                if p >= s:
                    raise ShapeError(
                        f"{R.show(spec, args, 'output_padding')} must be smaller than the strides "
                        f"{R.show(spec, args, 'strides')}", "output_padding")
        out = []
        for i in range(n):
            size = inp.shape[i]
            eff = (kernel[i] - 1) * dilation[i] + 1
            if size is None:
                out.append(None)
            elif padding == "valid":
                pad = max(eff, strides[i]) - eff if out_pad is None else out_pad[i]
                out.append((size - 1) * strides[i] + eff + pad)
            elif out_pad is None:
                out.append(size * strides[i])
            else:
                out.append((size - 1) * strides[i] + eff % 2 + out_pad[i])
        return (*out, spec.arg(args, "filters"))

    return rule


def _transpose_count(n):
    def rule(spec, args, inp):
        kernel = R.as_tuple(spec.arg(args, "kernel_size"), n)
        filters = spec.arg(args, "filters")
        return R.prod(kernel) * inp.shape[-1] * filters + (filters if spec.arg(args, "use_bias") else 0)

    return rule


def _draw_transpose(n):
    def draw(ctx, t):
        if t.rank != n + 1:
            return None
        args = [ctx.pos("filters", ctx.size(1, 8)), ctx.pos("kernel_size", ctx.integer(1, 3))]
        if ctx.boolean():
            args.append(ctx.kw("strides", 2))
        if ctx.boolean():
            args.append(ctx.kw("padding", "same"))
        return args

    return draw


def _transpose_examples(n):
    def make():
        shapes = {1: [(5, 3), (None, 2)], 2: [(4, 5, 3), (None, 3, 2)], 3: [(3, 4, 2, 2)]}[n]
        for k, s, p, op, shp in product([1, 3], [1, 2], ["valid", "same"], [None, 0, 1], shapes):
            yield Example(dict(filters=2, kernel_size=k, strides=s, padding=p, output_padding=op), T(*shp))
        yield Example(dict(filters=2, kernel_size=3, dilation_rate=2), T(*([4] * n), 3))
        yield Example(dict(filters=2, kernel_size=2, strides=3, output_padding=2), T(*([3] * n), 1))
        yield Example(dict(filters=2, kernel_size=2, use_bias=False), T(*([3] * n), 2))
        if n == 2:  # a U-Net's up-convolution
            yield Example(dict(filters=8, kernel_size=(2, 2), strides=(2, 2), padding="same"), T(4, 4, 16))
        for dt in ("bool", "int32", "float16"):
            yield Example(dict(filters=2, kernel_size=2), T(*([3] * n), 2, dtype=dt), refuse=dt != "float16")

    return make


def _transpose_kinds(n):
    return {**_window_kinds(n), "output_padding": K.Optional(K.IntOrTuple(n, minimum=0))}


Conv1DTranspose = LayerSpec(
    "Conv1DTranspose", family="conv", doc="transposed convolution over steps (upsamples with strides)",
    kinds=_transpose_kinds(1), shape=_transpose_shape(1), dtype=R.dtype_floats_only, count=_transpose_count(1),
    draw=_draw_transpose(1), examples=_transpose_examples(1), activation=_act,
    weight_ranks=_kernels(1),
)
Conv2DTranspose = LayerSpec(
    "Conv2DTranspose", family="conv", doc="transposed convolution over rows and columns (U-Net up-convolution)",
    kinds=_transpose_kinds(2), shape=_transpose_shape(2), dtype=R.dtype_floats_only, count=_transpose_count(2),
    draw=_draw_transpose(2), examples=_transpose_examples(2), activation=_act,
    weight_ranks=_kernels(2),
)
Conv3DTranspose = LayerSpec(
    "Conv3DTranspose", family="conv", doc="transposed convolution over three spatial axes",
    kinds=_transpose_kinds(3), shape=_transpose_shape(3), dtype=R.dtype_floats_only, count=_transpose_count(3),
    draw=_draw_transpose(3), examples=_transpose_examples(3), activation=_act,
    weight_ranks=_kernels(3),
)

DESCRIPTORS = (Conv1D, Conv2D, Conv3D, DepthwiseConv1D, DepthwiseConv2D, SeparableConv1D, SeparableConv2D,
               Conv1DTranspose, Conv2DTranspose, Conv3DTranspose)
