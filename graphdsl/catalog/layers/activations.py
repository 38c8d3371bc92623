"""Activation layers: Activation, ReLU, Softmax, LeakyReLU, PReLU, ELU."""

from __future__ import annotations

from itertools import product

from graphdsl.catalog import kinds as K
from graphdsl.catalog import rules as R
from graphdsl.catalog.spec import Example, LayerSpec
from graphdsl.catalog.types import DTYPES, FLOAT_DTYPES, ShapeError, TensorType, fmt_shape, fmt_value

F = "float32"
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear", "gelu", "softmax", "swish")
_SHAPES = [(3,), (None, 4), (2, 3, 4)]


def T(*shape, dtype=F):  # noqa: N802
    return TensorType(tuple(shape), dtype)


def _examples(args_list, refuses=lambda dtype: False):
    def make():
        for args, shp in product(args_list, _SHAPES):
            yield Example(args, T(*shp))
        for dt in DTYPES:
            yield Example(args_list[0], T(2, 3, dtype=dt), refuse=refuses(dt))

    return make


def _no_bool(dtype):
    return dtype == "bool"


def _floats_only(dtype):
    return dtype not in FLOAT_DTYPES


# What Keras's activations do with integers and booleans (an Activation layer casts only floats
# to its float32 policy): most have no integer kernel; these cast first, or return them as they are.
_CAST_FIRST = {"tanh": "ib", "exponential": "ib", "leaky_relu": "i"}  # -> float32; i: integers, b: booleans
_KEEP = {"linear": "ib", "relu": "i", "relu6": "i"}  # -> the input's own dtype


def _activation_dtype(spec, args, inp):
    if inp.dtype in FLOAT_DTYPES:
        return "float32"
    from graphdsl.catalog import ACTIVATIONS  # noqa: PLC0415

    name = ACTIVATIONS.canonical(args["activation"]) or args["activation"]
    kind = "b" if inp.dtype == "bool" else "i"
    if kind in _CAST_FIRST.get(name, ""):
        return "float32"
    if kind in _KEEP.get(name, ""):
        return inp.dtype
    what = "booleans" if kind == "b" else "integers"
    takes = sorted(n for n, k in {**_CAST_FIRST, **_KEEP}.items() if kind in k)
    raise ShapeError(
        f"Activation({fmt_value(args['activation'])}) expects floating-point values, got {inp.dtype} {fmt_shape(inp)}: "
        f"Keras has no kernel for it on {what} (those that take them: {', '.join(takes)})", "activation")


def _activation_layer_examples():
    yield from _examples([dict(activation="tanh"), dict(activation="swish"), dict(activation="softmax")])()
    yield Example(dict(activation="softmax"), T(2, 2, 2, 2, 3), refuse=True)  # more axes than TF's softmax takes
    for name, dt in product(["linear", "relu", "relu6", "leaky_relu", "exponential", "tanh", "gelu", "sigmoid",
                             "hard_silu", "squareplus", "softmax", "glu"], ["int32", "uint8", "bool"]):
        yield Example(dict(activation=name), T(2, 4, dtype=dt), refuse=_refused(name, dt))
    # glu halves the last axis, but Keras's Activation declares its input's shape: refused
    for shp in [(4,), (3, 6), (3,)]:
        yield Example(dict(activation="glu"), T(*shp), refuse=True)


def _refused(name: str, dtype: str) -> bool:
    kind = "b" if dtype == "bool" else "i"
    return kind not in _CAST_FIRST.get(name, "") + _KEEP.get(name, "")


Activation = LayerSpec(
    "Activation", family="activations", doc="applies a named activation (`\"relu\"`, `\"swish\"`, ...)",
    shape=R.same, dtype=_activation_dtype, count=R.zero,
    draw=lambda ctx, t: [ctx.pos("activation", ctx.activation(ACTIVATIONS))],
    examples=_activation_layer_examples,
    activation=lambda args: args.get("activation") if isinstance(args.get("activation"), str) else None,
)

ReLU = LayerSpec(
    "ReLU", family="activations", doc="max(x, 0), with an optional cap, slope and threshold",
    kinds={"max_value": K.Optional(K.NonNegNumber), "negative_slope": K.NonNegNumber, "threshold": K.Number},
    shape=R.same, dtype=R.dtype_keep_numbers, count=R.zero,
    draw=lambda ctx, t: [ctx.kw("max_value", 6.0)] if ctx.boolean() else [],
    examples=_examples([dict(max_value=6.0), {}, dict(negative_slope=0.1, threshold=0.5)], _no_bool),
)


def _softmax_shape(spec, args, inp):
    axis = spec.arg(args, "axis")
    full = inp.rank + 1
    if not -full <= axis < full:
        raise ShapeError(f"Softmax(axis={axis}) is out of range for input {fmt_shape(inp)}", "axis")
    return inp.shape


def _softmax_examples():
    yield from _examples([{}], _floats_only)()
    yield Example(dict(axis=1), T(3, 4))
    # Keras builds this symbolically and fails only when data flows; we refuse it up front.
    yield Example(dict(axis=3), T(3, 2), refuse=True)
    # TensorFlow's softmax kernel takes at most 5 axes, the batch's included
    yield Example({}, T(2, 2, 2, 3))
    yield Example({}, T(2, 2, 2, 2, 3), refuse=True)


Softmax = LayerSpec(
    "Softmax", family="activations", doc="softmax along `axis`",
    shape=_softmax_shape, dtype=R.dtype_floats_only, count=R.zero,
    draw=lambda ctx, t: [], examples=_softmax_examples, activation=lambda args: "softmax",
)

LeakyReLU = LayerSpec(
    "LeakyReLU", family="activations", doc="x, or `negative_slope` * x below 0",
    kinds={"negative_slope": K.NonNegNumber},
    shape=R.same, dtype=R.dtype_weighted, count=R.zero,
    draw=lambda ctx, t: [ctx.kw("negative_slope", ctx.choice([0.1, 0.2, 0.3]))],
    examples=_examples([{}, dict(negative_slope=0.2)], _no_bool),
)

ELU = LayerSpec(
    "ELU", family="activations", doc="exponential linear unit",
    kinds={"alpha": K.Number},
    shape=R.same, dtype=R.dtype_floats_only, count=R.zero,
    draw=lambda ctx, t: [], examples=_examples([{}, dict(alpha=0.5)], _floats_only),
)


def _prelu_weights(spec, args, inp) -> tuple:
    shared = spec.arg(args, "shared_axes")
    axes = [] if shared is None else (list(shared) if isinstance(shared, tuple) else [shared])
    shape = list(inp.shape)
    for a in axes:
        if not 1 <= a <= inp.rank:
            raise ShapeError(
                f"PReLU(shared_axes={fmt_value(shared)}): axis {a} is not a non-batch axis of its input "
                f"{fmt_shape(inp)}", "shared_axes")
        shape[a - 1] = 1
    if any(d is None for d in shape):
        raise ShapeError(
            f"PReLU needs known sizes to create one weight per value, but its input {fmt_shape(inp)} has an "
            "unknown size; share the weights along that axis with shared_axes=", "shared_axes")
    return tuple(shape)


def _prelu_shape(spec, args, inp):
    _prelu_weights(spec, args, inp)
    return inp.shape


def _prelu_examples():
    for shared, shp in product([None, 1, (1, 2)], [(3, 4), (2, 3, 4), (None, 4)]):
        yield Example(dict(shared_axes=shared), T(*shp))
    yield Example(dict(shared_axes=3), T(3, 4))
    yield Example(dict(alpha_initializer="ones"), T(3))
    for dt in DTYPES:
        yield Example({}, T(2, 3, dtype=dt), refuse=dt not in FLOAT_DTYPES)


PReLU = LayerSpec(
    "PReLU", family="activations", doc="leaky ReLU with a learned slope per value (or per `shared_axes`)",
    kinds={"shared_axes": K.Optional(K.predicate(
        "an axis or a tuple of axes (1 is the first after the batch)",
        lambda v: (K.is_int(v) and v >= 1) or (isinstance(v, tuple) and bool(v) and all(K.is_int(a) and a >= 1
                                                                                        for a in v))))},
    shape=_prelu_shape, dtype=R.dtype_floats_only,
    count=lambda spec, args, inp: R.prod(_prelu_weights(spec, args, inp)),
    weight_ranks=lambda spec, args, inp: {"alpha": inp.rank},
    draw=lambda ctx, t: [] if t.shape and None not in t.shape else None, examples=_prelu_examples,
)

DESCRIPTORS = (Activation, ReLU, Softmax, LeakyReLU, PReLU, ELU)
