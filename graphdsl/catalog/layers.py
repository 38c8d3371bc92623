"""The supported Keras layers: accepted kinds per parameter, shape, dtype and count rules.

Parameter names, order and defaults come from `_signatures.py` (generated from Keras);
this module says, by hand, what each parameter accepts and how each layer transforms
a `TensorType`. Shapes exclude the batch axis; Keras axis numbers (``axis=-1``,
``Permute((2, 1))``) count it, as in Keras. The rules were checked against Keras's
symbolic outputs by ``tests/keras/test_catalog_keras.py``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from graphdsl.catalog import _signatures as sig
from graphdsl.catalog.types import (
    FLOAT_DTYPES,
    REQUIRED,
    Activation,
    Axes,
    Axis,
    Bool,
    Choice,
    Const,
    Constraint,
    Initializer,
    IntOrTuple,
    Kind,
    LayerKind,
    LayerSpec,
    LayerValue,
    NonNegInt,
    NonNegNumber,
    Number,
    Optional,
    Param,
    Permutation,
    PosInt,
    PosNumber,
    Rate,
    Refused,
    Regularizer,
    ShapeError,
    ShapeTuple,
    TensorType,
    fmt_shape,
    fmt_value,
    predicate,
)

Args = Mapping[str, object]

# ---------------------------------------------------------------- kinds per parameter

_CHANNELS_LAST = Optional(Choice("channels_last"))  # channels_first: TF on CPU can't run it
_RNNS = ("LSTM", "GRU", "SimpleRNN")


def _pad_pair_ok(v: object) -> bool:
    return isinstance(v, tuple) and len(v) == 2 and all(NonNegInt.check(x) is None for x in v)


_Pad1D = predicate(
    "a non-negative integer or a (left, right) pair",
    lambda v: NonNegInt.check(v) is None or _pad_pair_ok(v),
)
_Pad2D = predicate(
    "a non-negative integer, a (rows, cols) pair, or ((top, bottom), (left, right))",
    lambda v: NonNegInt.check(v) is None
    or _pad_pair_ok(v)
    or (isinstance(v, tuple) and len(v) == 2 and all(_pad_pair_ok(p) for p in v)),
)

_NOT_IN_GRAPHDSL = "is not supported by graphdsl"

# By parameter name, for every layer that has it; _OVERRIDES wins for one layer.
_COMMON: dict[str, Kind] = {
    "units": PosInt,
    "filters": PosInt,
    "activation": Activation,
    "recurrent_activation": Activation,
    "use_bias": Bool,
    "groups": PosInt,
    "data_format": _CHANNELS_LAST,
    "input_dim": PosInt,
    "output_dim": PosInt,
    "mask_zero": Bool,
    "keepdims": Bool,
    "unit_forget_bias": Bool,
    "dropout": Rate,
    "recurrent_dropout": Rate,
    "seed": Optional(NonNegInt),
    "return_sequences": Bool,
    "return_state": Const(False, "return_state=True returns several tensors; graphdsl needs one"),
    "go_backwards": Bool,
    "unroll": Bool,
    "reset_after": Bool,
    "use_cudnn": Choice("auto"),
    "stateful": Const(False, "stateful=True needs a fixed batch size, which graphdsl does not declare"),
    "layer": LayerKind(),
    "merge_mode": Choice("concat", "sum", "mul", "ave"),
    "rate": Rate,
    "momentum": Number,
    "epsilon": PosNumber,
    "center": Bool,
    "scale": Bool,
    "renorm": Const(False, "renorm=True is not supported by graphdsl"),
    "renorm_momentum": Number,
    "synchronized": Bool,
    "target_shape": ShapeTuple,
    "dims": Permutation,
    "n": PosInt,
    "max_value": Optional(NonNegNumber),
    "negative_slope": NonNegNumber,
    "threshold": Number,
    "axis": Axis,
    "trainable": Bool,
    # Parameters that take Python objects or change the layer's structure.
    "weights": Refused(f"weights= {_NOT_IN_GRAPHDSL}: weights are loaded after building"),
    "backward_layer": Refused(f"backward_layer= {_NOT_IN_GRAPHDSL}"),
    "lora_rank": Refused(f"lora_rank= {_NOT_IN_GRAPHDSL}"),
    "lora_alpha": Refused(f"lora_alpha= {_NOT_IN_GRAPHDSL}"),
    "quantization_config": Refused(f"quantization_config= {_NOT_IN_GRAPHDSL}"),
    "renorm_clipping": Refused(f"renorm_clipping= {_NOT_IN_GRAPHDSL}"),
    "noise_shape": Refused(f"noise_shape= {_NOT_IN_GRAPHDSL}"),
    "dtype": Refused(f"dtype= {_NOT_IN_GRAPHDSL}: declare the input's dtype instead"),
}

_OVERRIDES: dict[str, dict[str, Kind]] = {
    "Conv1D": {
        "kernel_size": IntOrTuple(1),
        "strides": IntOrTuple(1),
        "dilation_rate": IntOrTuple(1),
        "padding": Choice("valid", "same", "causal"),
    },
    "Conv2D": {
        "kernel_size": IntOrTuple(2),
        "strides": IntOrTuple(2),
        "dilation_rate": IntOrTuple(2),
        "padding": Choice("valid", "same"),
    },
    "Bidirectional": {"layer": LayerKind(_RNNS)},
    "LayerNormalization": {"axis": Axes},
    "ZeroPadding1D": {"padding": _Pad1D},
    "ZeroPadding2D": {"padding": _Pad2D},
}
for _n in (1, 2):
    for _p in ("MaxPooling", "AveragePooling"):
        _OVERRIDES[f"{_p}{_n}D"] = {
            "pool_size": IntOrTuple(_n),
            "strides": Optional(IntOrTuple(_n)),
            "padding": Choice("valid", "same"),
        }

# Base-layer keywords Keras takes through **kwargs; they change no shape, dtype or count.
_BASE_KEYWORDS = (Param("trainable", True, Bool, keyword_only=True),)


def kind_for(layer: str, param: str) -> Kind | None:
    """The kind assigned to `param` of `layer`, or None if none is (a catalog bug)."""
    over = _OVERRIDES.get(layer, {})
    if param in over:
        return over[param]
    if param in _COMMON:
        return _COMMON[param]
    for suffix, kind in (("_initializer", Initializer), ("_regularizer", Regularizer),
                         ("_constraint", Constraint)):
        if param.endswith(suffix):
            return kind
    return None


def build_params(layer: str, signature: tuple) -> tuple[Param, ...]:
    """Params from a generated signature ((name,) or (name, default) entries)."""
    out = []
    for entry in signature:
        name = entry[0]
        default = entry[1] if len(entry) == 2 else REQUIRED
        kind = kind_for(layer, name)
        if kind is None:
            raise RuntimeError(f"catalog: no kind for {layer}.{name}; add one in layers.py")
        out.append(Param(name, default, kind))
    return tuple(out)


# ---------------------------------------------------------------- helpers


def _tuple(v: object, n: int) -> tuple[int, ...]:
    if isinstance(v, tuple):
        return tuple(v) * (n if len(v) == 1 and n > 1 else 1)
    return (v,) * n  # type: ignore[return-value]


def _need_rank(spec: LayerSpec, inp: TensorType, rank: int, what: str) -> None:
    if inp.rank != rank:
        raise ShapeError(f"{spec.name} expects a {rank + 1}-D input {what}, got {fmt_shape(inp)}")


def _need_known(spec: LayerSpec, inp: TensorType, axis: int, what: str) -> int:
    size = inp.shape[axis]
    if size is None:
        raise ShapeError(
            f"{spec.name} needs a known {what} to create its weights, but its input "
            f"{fmt_shape(inp)} has an unknown size there"
        )
    return size


def _keras_axis(spec: LayerSpec, inp: TensorType, axis: int, arg: str = "axis") -> int:
    """Normalize a Keras axis (batch = 0) to an index into `inp.shape`; refuse the batch axis."""
    full = inp.rank + 1
    if not -full <= axis < full:
        raise ShapeError(f"{spec.name}({arg}={axis}) is out of range for input {fmt_shape(inp)}", arg)
    a = axis % full
    if a == 0:
        raise ShapeError(f"{spec.name}({arg}={axis}) names the batch axis of {fmt_shape(inp)}", arg)
    return a - 1


def _show(spec: LayerSpec, args: Args, name: str) -> str:
    return f"{spec.name}({name}={fmt_value(spec.arg(args, name))})"


# ---------------------------------------------------------------- dtype rules
# Keras (default float32 policy) autocasts every input of a computing layer to
# float32, integers and bools included; pure reshapers keep integer/bool dtypes.


def _dtype_float(spec: LayerSpec, args: Args, inp: TensorType) -> str:
    return "float32"


def _dtype_weighted(spec: LayerSpec, args: Args, inp: TensorType) -> str:
    # Keras would cast bool to 0.0/1.0 silently; feeding booleans to weights is a mistake.
    if inp.dtype == "bool":
        raise ShapeError(f"{spec.name} expects numbers, got bool {fmt_shape(inp)}")
    return "float32"


def _dtype_reshape(spec: LayerSpec, args: Args, inp: TensorType) -> str:
    return "float32" if inp.dtype in FLOAT_DTYPES else inp.dtype


def _dtype_embedding(spec: LayerSpec, args: Args, inp: TensorType) -> str:
    if inp.dtype in FLOAT_DTYPES or inp.dtype == "bool":
        raise ShapeError(f"Embedding expects integer ids, got {inp.dtype} {fmt_shape(inp)}")
    return "float32"


def _dtype_wrapped(spec: LayerSpec, args: Args, inp: TensorType) -> str:
    # The wrapper itself computes in float32 whatever the inner layer yields
    # (TimeDistributed(Flatten()) on int32 gives float32); the inner rule still refuses.
    inner = _inner(spec, args)
    inner.spec.dtype_rule(inner.spec, inner.args, inp)
    return "float32"


# ---------------------------------------------------------------- shape and count rules


def _same(spec: LayerSpec, args: Args, inp: TensorType) -> tuple:
    return inp.shape


def _zero(spec: LayerSpec, args: Args, inp: TensorType) -> int:
    return 0


def _dense_shape(spec: LayerSpec, args: Args, inp: TensorType) -> tuple:
    if inp.rank < 1:
        raise ShapeError(f"Dense expects an input of rank 2 or more (batch, ..., features), got {fmt_shape(inp)}")
    _need_known(spec, inp, -1, "last axis (features)")
    return (*inp.shape[:-1], spec.arg(args, "units"))


def _dense_count(spec: LayerSpec, args: Args, inp: TensorType) -> int:
    units = spec.arg(args, "units")
    return inp.shape[-1] * units + (units if spec.arg(args, "use_bias") else 0)  # type: ignore[operator]


def _embedding_shape(spec: LayerSpec, args: Args, inp: TensorType) -> tuple:
    return (*inp.shape, spec.arg(args, "output_dim"))


def _embedding_count(spec: LayerSpec, args: Args, inp: TensorType) -> int:
    return spec.arg(args, "input_dim") * spec.arg(args, "output_dim")  # type: ignore[operator]


def _conv_shape(n: int) -> Callable[[LayerSpec, Args, TensorType], tuple]:
    def rule(spec: LayerSpec, args: Args, inp: TensorType) -> tuple:
        what = "(batch, steps, channels)" if n == 1 else "(batch, rows, cols, channels)"
        _need_rank(spec, inp, n + 1, what)
        channels = _need_known(spec, inp, -1, "channel axis")
        kernel = _tuple(spec.arg(args, "kernel_size"), n)
        strides = _tuple(spec.arg(args, "strides"), n)
        dilation = _tuple(spec.arg(args, "dilation_rate"), n)
        padding = spec.arg(args, "padding")
        groups = spec.arg(args, "groups")
        filters = spec.arg(args, "filters")
        if max(strides) > 1 and max(dilation) > 1:
            raise ShapeError(f"{spec.name} can't combine strides > 1 with dilation_rate > 1", "strides")
        if filters % groups:  # type: ignore[operator]
            raise ShapeError(f"{spec.name}(filters={filters}) is not divisible by groups={groups}", "groups")
        if channels % groups:  # type: ignore[operator]
            raise ShapeError(
                f"{spec.name}(groups={groups}) must divide the input channels, but its input "
                f"{fmt_shape(inp)} has {channels}",
                "groups",
            )
        out = []
        for i in range(n):
            size = inp.shape[i]
            eff = dilation[i] * (kernel[i] - 1) + 1
            if size is None:
                out.append(None)
            elif padding == "valid":
                if size < eff:
                    _too_short(spec, args, inp, "kernel_size", n, i, eff, size)
                out.append((size - eff) // strides[i] + 1)
            else:  # same, causal
                out.append((size + strides[i] - 1) // strides[i])
        return (*out, filters)

    return rule


def _too_short(spec: LayerSpec, args: Args, inp: TensorType, arg: str, n: int, i: int,
               need: int, has: int) -> None:
    what = "steps" if n == 1 else ("rows" if i == 0 else "columns")
    raise ShapeError(
        f"{_show(spec, args, arg)} needs at least {need} {what}, but its input {fmt_shape(inp)} has {has}",
        arg,
    )


def _conv_count(n: int) -> Callable[[LayerSpec, Args, TensorType], int]:
    def rule(spec: LayerSpec, args: Args, inp: TensorType) -> int:
        kernel = _tuple(spec.arg(args, "kernel_size"), n)
        filters = spec.arg(args, "filters")
        groups = spec.arg(args, "groups")
        weights = math.prod(kernel) * (inp.shape[-1] // groups) * filters  # type: ignore[operator]
        return weights + (filters if spec.arg(args, "use_bias") else 0)  # type: ignore[operator]

    return rule


def _pool_shape(n: int) -> Callable[[LayerSpec, Args, TensorType], tuple]:
    def rule(spec: LayerSpec, args: Args, inp: TensorType) -> tuple:
        what = "(batch, steps, channels)" if n == 1 else "(batch, rows, cols, channels)"
        _need_rank(spec, inp, n + 1, what)
        pool = _tuple(spec.arg(args, "pool_size"), n)
        strides_arg = spec.arg(args, "strides")
        strides = pool if strides_arg is None else _tuple(strides_arg, n)
        padding = spec.arg(args, "padding")
        out = []
        for i in range(n):
            size = inp.shape[i]
            if size is None:
                out.append(None)
            elif padding == "valid":
                if size < pool[i]:
                    _too_short(spec, args, inp, "pool_size", n, i, pool[i], size)
                out.append((size - pool[i]) // strides[i] + 1)
            else:
                out.append((size - 1) // strides[i] + 1)
        return (*out, inp.shape[-1])

    return rule


def _global_pool_shape(n: int) -> Callable[[LayerSpec, Args, TensorType], tuple]:
    def rule(spec: LayerSpec, args: Args, inp: TensorType) -> tuple:
        what = "(batch, steps, channels)" if n == 1 else "(batch, rows, cols, channels)"
        _need_rank(spec, inp, n + 1, what)
        if spec.arg(args, "keepdims"):
            return (*([1] * n), inp.shape[-1])
        return (inp.shape[-1],)

    return rule


def _rnn_shape(spec: LayerSpec, args: Args, inp: TensorType) -> tuple:
    _need_rank(spec, inp, 2, "(batch, steps, features)")
    _need_known(spec, inp, -1, "feature axis")
    if spec.arg(args, "unroll") and inp.shape[0] is None:
        raise ShapeError(
            f"{spec.name}(unroll=True) needs a known number of steps, but its input {fmt_shape(inp)} has none",
            "unroll",
        )
    units = spec.arg(args, "units")
    return (inp.shape[0], units) if spec.arg(args, "return_sequences") else (units,)


_GATES = {"SimpleRNN": 1, "GRU": 3, "LSTM": 4}


def _rnn_count(spec: LayerSpec, args: Args, inp: TensorType) -> int:
    units = spec.arg(args, "units")
    gates = _GATES[spec.name]
    n = gates * units * (inp.shape[-1] + units)  # type: ignore[operator]
    if spec.arg(args, "use_bias"):
        # GRU with reset_after keeps separate input and recurrent biases: two rows.
        rows = 2 if spec.name == "GRU" and spec.arg(args, "reset_after") else 1
        n += rows * gates * units  # type: ignore[operator]
    return n


def _inner(spec: LayerSpec, args: Args) -> LayerValue:
    inner = spec.arg(args, "layer")
    if not isinstance(inner, LayerValue):
        raise ShapeError(f"{spec.name} needs a layer argument", "layer")
    return inner


def _bidi_shape(spec: LayerSpec, args: Args, inp: TensorType) -> tuple:
    inner = _inner(spec, args)
    out = inner.spec.shape_rule(inner.spec, inner.args, inp)
    if spec.arg(args, "merge_mode") == "concat":
        return (*out[:-1], out[-1] * 2)
    return out


def _bidi_count(spec: LayerSpec, args: Args, inp: TensorType) -> int:
    inner = _inner(spec, args)
    return 2 * inner.spec.count_params(inner.args, inp)


def _td_split(spec: LayerSpec, inp: TensorType) -> TensorType:
    if inp.rank < 2:
        raise ShapeError(
            f"TimeDistributed expects an input of rank 3 or more (batch, steps, ...), got {fmt_shape(inp)}"
        )
    return TensorType(inp.shape[1:], inp.dtype)


def _td_shape(spec: LayerSpec, args: Args, inp: TensorType) -> tuple:
    inner = _inner(spec, args)
    out = inner.spec.shape_rule(inner.spec, inner.args, _td_split(spec, inp))
    return (inp.shape[0], *out)


def _td_count(spec: LayerSpec, args: Args, inp: TensorType) -> int:
    inner = _inner(spec, args)
    return inner.spec.count_params(inner.args, _td_split(spec, inp))


def _spatial_dropout_shape(spec: LayerSpec, args: Args, inp: TensorType) -> tuple:
    _need_rank(spec, inp, 2, "(batch, steps, channels)")
    return inp.shape


def _bn_shape(spec: LayerSpec, args: Args, inp: TensorType) -> tuple:
    axis = _keras_axis(spec, inp, spec.arg(args, "axis"))  # type: ignore[arg-type]
    _need_known(spec, inp, axis, f"size on axis {axis + 1}")
    return inp.shape


def _bn_count(spec: LayerSpec, args: Args, inp: TensorType) -> int:
    size = inp.shape[_keras_axis(spec, inp, spec.arg(args, "axis"))]  # type: ignore[arg-type]
    per = 2 + bool(spec.arg(args, "center")) + bool(spec.arg(args, "scale"))  # moving mean/var always
    return per * size  # type: ignore[operator]


def _ln_axes(spec: LayerSpec, args: Args, inp: TensorType) -> list[int]:
    axis = spec.arg(args, "axis")
    axes = list(axis) if isinstance(axis, tuple) else [axis]
    return [_keras_axis(spec, inp, a) for a in axes]  # type: ignore[arg-type]


def _ln_shape(spec: LayerSpec, args: Args, inp: TensorType) -> tuple:
    for a in _ln_axes(spec, args, inp):
        _need_known(spec, inp, a, f"size on axis {a + 1}")
    return inp.shape


def _ln_count(spec: LayerSpec, args: Args, inp: TensorType) -> int:
    size = math.prod(inp.shape[a] for a in _ln_axes(spec, args, inp))  # type: ignore[misc]
    return size * (bool(spec.arg(args, "center")) + bool(spec.arg(args, "scale")))


def _flatten_shape(spec: LayerSpec, args: Args, inp: TensorType) -> tuple:
    if not inp.shape:
        return (1,)
    if any(d is None for d in inp.shape):
        return (None,)
    return (math.prod(inp.shape),)  # type: ignore[arg-type]


def _reshape_shape(spec: LayerSpec, args: Args, inp: TensorType) -> tuple:
    target = tuple(spec.arg(args, "target_shape"))  # type: ignore[arg-type]
    if any(d is None for d in inp.shape):
        return tuple(None if d == -1 else d for d in target)
    size = math.prod(inp.shape)  # type: ignore[arg-type]
    known = math.prod(d for d in target if d != -1)
    if -1 not in target:
        if known != size:
            raise ShapeError(
                f"Reshape(target_shape={fmt_value(target)}) needs {known} values per sample, but its "
                f"input {fmt_shape(inp)} has {size}",
                "target_shape",
            )
        return target
    if size % known:
        raise ShapeError(
            f"Reshape(target_shape={fmt_value(target)}): the input {fmt_shape(inp)} has {size} values "
            f"per sample, which is not a multiple of {known}",
            "target_shape",
        )
    return tuple(size // known if d == -1 else d for d in target)


def _permute_shape(spec: LayerSpec, args: Args, inp: TensorType) -> tuple:
    dims = spec.arg(args, "dims")
    if len(dims) != inp.rank:  # type: ignore[arg-type]
        raise ShapeError(
            f"Permute(dims={fmt_value(dims)}) must list each of the {inp.rank} non-batch axes of "
            f"{fmt_shape(inp)} once",
            "dims",
        )
    return tuple(inp.shape[d - 1] for d in dims)  # type: ignore[union-attr]


def _repeat_shape(spec: LayerSpec, args: Args, inp: TensorType) -> tuple:
    _need_rank(spec, inp, 1, "(batch, features)")
    return (spec.arg(args, "n"), inp.shape[0])


def _softmax_shape(spec: LayerSpec, args: Args, inp: TensorType) -> tuple:
    axis = spec.arg(args, "axis")
    full = inp.rank + 1
    if not -full <= axis < full:  # type: ignore[operator]
        raise ShapeError(f"Softmax(axis={axis}) is out of range for input {fmt_shape(inp)}", "axis")
    return inp.shape


def _zero_pad_shape(n: int) -> Callable[[LayerSpec, Args, TensorType], tuple]:
    def rule(spec: LayerSpec, args: Args, inp: TensorType) -> tuple:
        what = "(batch, steps, channels)" if n == 1 else "(batch, rows, cols, channels)"
        _need_rank(spec, inp, n + 1, what)
        pad = spec.arg(args, "padding")
        if n == 1:
            pairs = [pad if isinstance(pad, tuple) else (pad, pad)]
        elif isinstance(pad, tuple) and isinstance(pad[0], tuple):
            pairs = list(pad)
        else:
            pairs = [(p, p) for p in _tuple(pad, 2)]
        out = [None if inp.shape[i] is None else inp.shape[i] + a + b for i, (a, b) in enumerate(pairs)]
        return (*out, inp.shape[-1])

    return rule


# ---------------------------------------------------------------- the table

_RULES: dict[str, tuple] = {
    # name: (shape rule, dtype rule, count rule)
    "Dense": (_dense_shape, _dtype_weighted, _dense_count),
    "Embedding": (_embedding_shape, _dtype_embedding, _embedding_count),
    "Conv1D": (_conv_shape(1), _dtype_weighted, _conv_count(1)),
    "Conv2D": (_conv_shape(2), _dtype_weighted, _conv_count(2)),
    "MaxPooling1D": (_pool_shape(1), _dtype_float, _zero),
    "MaxPooling2D": (_pool_shape(2), _dtype_float, _zero),
    "AveragePooling1D": (_pool_shape(1), _dtype_float, _zero),
    "AveragePooling2D": (_pool_shape(2), _dtype_float, _zero),
    "GlobalMaxPooling1D": (_global_pool_shape(1), _dtype_float, _zero),
    "GlobalMaxPooling2D": (_global_pool_shape(2), _dtype_float, _zero),
    "GlobalAveragePooling1D": (_global_pool_shape(1), _dtype_float, _zero),
    "GlobalAveragePooling2D": (_global_pool_shape(2), _dtype_float, _zero),
    "LSTM": (_rnn_shape, _dtype_weighted, _rnn_count),
    "GRU": (_rnn_shape, _dtype_weighted, _rnn_count),
    "SimpleRNN": (_rnn_shape, _dtype_weighted, _rnn_count),
    "Bidirectional": (_bidi_shape, _dtype_wrapped, _bidi_count),
    "TimeDistributed": (_td_shape, _dtype_wrapped, _td_count),
    "Dropout": (_same, _dtype_float, _zero),
    "SpatialDropout1D": (_spatial_dropout_shape, _dtype_float, _zero),
    "BatchNormalization": (_bn_shape, _dtype_weighted, _bn_count),
    "LayerNormalization": (_ln_shape, _dtype_weighted, _ln_count),
    "Flatten": (_flatten_shape, _dtype_reshape, _zero),
    "Reshape": (_reshape_shape, _dtype_reshape, _zero),
    "Permute": (_permute_shape, _dtype_reshape, _zero),
    "RepeatVector": (_repeat_shape, _dtype_float, _zero),
    "Activation": (_same, _dtype_float, _zero),
    "ReLU": (_same, _dtype_float, _zero),
    "Softmax": (_softmax_shape, _dtype_float, _zero),
    "ZeroPadding1D": (_zero_pad_shape(1), _dtype_float, _zero),
    "ZeroPadding2D": (_zero_pad_shape(2), _dtype_float, _zero),
}


def _make(name: str) -> LayerSpec:
    shape, dtype, count = _RULES[name]
    params = build_params(name, sig.LAYER_SIGNATURES[name]) + _BASE_KEYWORDS
    return LayerSpec(name, params, shape_rule=shape, dtype_rule=dtype, count_rule=count)


LAYERS: Mapping[str, LayerSpec] = {name: _make(name) for name in sorted(sig.LAYER_SIGNATURES)}
KNOWN_UNSUPPORTED: frozenset[str] = frozenset(sig.UNSUPPORTED_LAYERS)


def get_layer(name: str) -> LayerSpec | None:
    """The spec of supported Keras layer `name` (exact class name), or None."""
    return LAYERS.get(name)
