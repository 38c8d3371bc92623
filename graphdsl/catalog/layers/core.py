"""Core layers: Dense, EinsumDense, Embedding, Identity, Masking."""

from __future__ import annotations

from itertools import product

from graphdsl.catalog import kinds as K
from graphdsl.catalog import rules as R
from graphdsl.catalog.spec import Example, LayerSpec
from graphdsl.catalog.types import DTYPES, FLOAT_DTYPES, ShapeError, TensorType, fmt_shape, fmt_value

F = "float32"
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear", "gelu", "softmax")


def T(*shape, dtype=F):  # noqa: N802 - reads like the type it builds
    return TensorType(tuple(shape), dtype)


def _act(args):
    act = args.get("activation")
    return act if isinstance(act, str) else None


# ---------------------------------------------------------------- Dense


def _dense_shape(spec, args, inp):
    if inp.rank < 1:
        raise ShapeError(f"Dense expects an input of rank 2 or more (batch, ..., features), got {fmt_shape(inp)}")
    R.need_known(spec, inp, -1, "last axis (features)")
    return (*inp.shape[:-1], spec.arg(args, "units"))


def _dense_count(spec, args, inp):
    units = spec.arg(args, "units")
    return inp.shape[-1] * units + (units if spec.arg(args, "use_bias") else 0)


def _draw_dense(ctx, t):
    args = [ctx.pos("units", ctx.size(1, 16))]
    if ctx.boolean():
        args.append(ctx.kw("activation", ctx.activation(ACTIVATIONS)))
    return args


def _dense_examples():
    for units, bias, shp in product([1, 5], [True, False], [(3,), (4, 3), (None, 2, 6)]):
        yield Example(dict(units=units, use_bias=bias), T(*shp))
    yield Example(dict(units=2), T(None))
    yield Example(dict(units=2), T(4, None))
    yield Example(dict(units=2), T())
    yield Example(dict(units=2, activation="softmax", trainable=False), T(3))
    yield Example(dict(units=3, kernel_initializer="he_normal", bias_initializer="ones",
                       kernel_regularizer="l2", kernel_constraint="max_norm"), T(4))
    for dt in DTYPES:
        yield Example(dict(units=2), T(3, dtype=dt), refuse=dt == "bool")


Dense = LayerSpec(
    "Dense", family="core", doc="fully connected: the last axis becomes `units`",
    shape=_dense_shape, dtype=R.dtype_weighted, count=_dense_count,
    draw=_draw_dense, examples=_dense_examples, activation=_act,
)


# ---------------------------------------------------------------- EinsumDense


def _einsum_parts(spec, args, inp):
    """Keras's `_analyze_einsum_string`: (kernel shape, bias shape or None, output shape without batch)."""
    import re  # noqa: PLC0415

    equation = spec.arg(args, "equation")
    bias_axes = spec.arg(args, "bias_axes")
    partial = spec.arg(args, "output_shape")
    text = equation.replace("...", "0")
    left = False
    m = re.fullmatch(r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)", text)
    if m is None:
        m = re.fullmatch(r"0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)", text)
        left = m is not None
    if m is None:
        m = re.fullmatch(r"([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0", text)
    if m is None:
        raise ShapeError(
            f"EinsumDense(equation={fmt_value(equation)}) is not of the form 'ab,bc->ac', '...b,bc->...c' "
            "or 'ab...,bc->ac...'", "equation")
    in_spec, w_spec, out_spec = m.groups()
    full = (None, *inp.shape)
    elided = len(full) - len(in_spec)
    if elided < 0 or (elided > 0 and "0" not in text):
        raise ShapeError(
            f"EinsumDense(equation={fmt_value(equation)}) names {len(in_spec)} input axes (batch included), but "
            f"its input {fmt_shape(inp)} has {len(full)}", "equation")
    out = [partial] if isinstance(partial, int) else list(partial)
    out.insert(0, None)
    if elided > 0 and left:
        middle = list(full[1:elided])
        if middle != middle[::-1]:
            # Keras inserts these axes one by one at position 1, reversing them in its symbolic shape
            raise ShapeError(
                f"EinsumDense(equation={fmt_value(equation)}) elides the axes {fmt_value(tuple(middle))} of its "
                f"input {fmt_shape(inp)}; Keras {R.keras_version()} gives them in the wrong order in its output shape "
                "(name the axes in the equation instead)", "equation")
        out[1:1] = middle
    elif elided > 0:
        out.extend(full[len(full) - elided:])
    if left:
        in_map = {d: (i + elided) - len(full) for i, d in enumerate(in_spec)}
        out_map = {d: i + elided for i, d in enumerate(out_spec)}
    else:
        in_map = {d: i for i, d in enumerate(in_spec)}
        out_map = {d: i for i, d in enumerate(out_spec)}
    if len(out) != len(out_spec) + elided:
        raise ShapeError(
            f"EinsumDense(output_shape={fmt_value(partial)}) must give the sizes of the output axes after the "
            f"batch ('{out_spec}' in the equation)", "output_shape")
    for d in in_spec:
        if d in out_map:
            want, has = out[out_map[d]], full[in_map[d]]
            if want is not None and want != has:
                raise ShapeError(
                    f"EinsumDense: axis '{d}' is {has} in the input {fmt_shape(inp)} but {want} in "
                    f"output_shape={fmt_value(partial)}", "output_shape")
    for d in out_spec:
        if d not in in_spec and d not in w_spec:
            raise ShapeError(f"EinsumDense: output axis '{d}' is neither an input nor a weight axis", "equation")
    kernel = []
    for d in w_spec:
        if d in out_map:
            kernel.append(out[out_map[d]])
        elif d in in_map:
            kernel.append(full[in_map[d]])
        else:
            raise ShapeError(f"EinsumDense: weight axis '{d}' is neither an input nor an output axis", "equation")
    if any(k is None for k in kernel):
        raise ShapeError(
            f"EinsumDense needs known sizes on the weight axes '{w_spec}' to create its weights; its input is "
            f"{fmt_shape(inp)}")
    bias = None
    if bias_axes is not None:
        for c in bias_axes:
            if c not in out_spec:
                raise ShapeError(f"EinsumDense(bias_axes={fmt_value(bias_axes)}): '{c}' is not an output axis",
                                 "bias_axes")
        lead = elided if left else 0
        idx = {c: out[i + lead] for i, c in enumerate(out_spec)}
        first = min(out_spec.find(c) for c in bias_axes)
        bias = [idx[c] if c in bias_axes else 1 for c in out_spec[first:]]
        if any(b is None for b in bias):
            raise ShapeError(f"EinsumDense needs known sizes on the bias axes to create its weights; its input is "
                             f"{fmt_shape(inp)}", "bias_axes")
    return kernel, bias, tuple(out[1:])


def _einsum_shape(spec, args, inp):
    return _einsum_parts(spec, args, inp)[2]


def _einsum_count(spec, args, inp):
    kernel, bias, _ = _einsum_parts(spec, args, inp)
    return R.prod(kernel) + (R.prod(bias) if bias is not None else 0)


def _draw_einsum(ctx, t):
    if t.rank == 2 and t.shape[-1] is not None:
        units = ctx.integer(1, 8)
        return [ctx.pos("equation", "abc,cd->abd"), ctx.pos("output_shape", (t.shape[0], units)),
                ctx.kw("bias_axes", "d")]
    if t.rank == 1 and t.shape[-1] is not None:
        return [ctx.pos("equation", "ab,bc->ac"), ctx.pos("output_shape", ctx.integer(1, 8))]
    return None


def _einsum_examples():
    yield Example(dict(equation="ab,bc->ac", output_shape=4), T(3))
    yield Example(dict(equation="ab,bc->ac", output_shape=4, bias_axes="c"), T(3))
    yield Example(dict(equation="abc,cd->abd", output_shape=(5, 4), bias_axes="d"), T(5, 3))
    yield Example(dict(equation="abc,cd->abd", output_shape=(None, 4), bias_axes="d"), T(None, 3))
    yield Example(dict(equation="abc,cde->abde", output_shape=(None, 2, 4), bias_axes="de"), T(6, 3))
    yield Example(dict(equation="abc,cde->abde", output_shape=(None, 2, 4), bias_axes="e"), T(6, 3))
    yield Example(dict(equation="...b,bc->...c", output_shape=4, bias_axes="c"), T(2, 5, 3), refuse=True)
    yield Example(dict(equation="...b,bc->...c", output_shape=4), T(3))
    yield Example(dict(equation="ab...,bc->ac...", output_shape=4), T(3, 2))
    yield Example(dict(equation="abc,cd->abd", output_shape=(6, 4)), T(5, 3))
    yield Example(dict(equation="abc,cd->abd", output_shape=(5, 4)), T(5, None))
    yield Example(dict(equation="abc,cd->abd", output_shape=(5, 4), bias_axes="x"), T(5, 3))
    yield Example(dict(equation="ab,bc->ac", output_shape=4, activation="relu"), T(3, dtype="int32"))
    yield Example(dict(equation="abc,cd->abd", output_shape=(5, 4)), T(3))
    yield Example(dict(equation="...b,bc->...c", output_shape=4), T(2, 5, 3), refuse=True)
    yield Example(dict(equation="...b,bc->...c", output_shape=4), T(5, 5, 3))


EinsumDense = LayerSpec(
    "EinsumDense", family="core", doc="a dense layer written as an einsum equation (`\"abc,cd->abd\"`)",
    kinds={
        "equation": K.predicate("an einsum equation such as \"ab,bc->ac\"",
                                lambda v: isinstance(v, str) and "," in v and "->" in v),
        "output_shape": K.predicate(
            "a size or a tuple of sizes (None: the input's)",
            lambda v: (K.is_int(v) and v >= 1)
            or (isinstance(v, tuple) and all(d is None or (K.is_int(d) and d >= 1) for d in v))),
        "bias_axes": K.Optional(K.predicate("a string of output axis letters", lambda v: isinstance(v, str) and v)),
        "gptq_unpacked_column_size": K.Refused(f"gptq_unpacked_column_size= {K.NOT_IN_GRAPHDSL}"),
    },
    shape=_einsum_shape, dtype=R.dtype_weighted, count=_einsum_count,
    draw=_draw_einsum, examples=_einsum_examples, activation=_act,
    weight_ranks=lambda spec, args, inp: {"kernel": len(_einsum_parts(spec, args, inp)[0])},
)


# ---------------------------------------------------------------- Embedding


def _embedding_shape(spec, args, inp):
    return (*inp.shape, spec.arg(args, "output_dim"))


def _embedding_dtype(spec, args, inp):
    if inp.dtype in FLOAT_DTYPES or inp.dtype == "bool":
        raise ShapeError(f"Embedding expects integer ids, got {inp.dtype} {fmt_shape(inp)}")
    return "float32"


def _embedding_count(spec, args, inp):
    return spec.arg(args, "input_dim") * spec.arg(args, "output_dim")


def _draw_embedding(ctx, t):
    if t.dtype in FLOAT_DTYPES:
        return None
    args = [ctx.pos("input_dim", ctx.size(2, 50)), ctx.pos("output_dim", ctx.size(1, 8))]
    if ctx.boolean():
        args.append(ctx.kw("mask_zero", False))
    return args


def _embedding_examples():
    for shp, dt in product([(), (7,), (None,), (3, 4)], ["int32", "int64", "uint8"]):
        yield Example(dict(input_dim=11, output_dim=4), T(*shp, dtype=dt))
    yield Example(dict(input_dim=5, output_dim=2, mask_zero=True), T(None, dtype="int32"))
    yield Example(dict(input_dim=5, output_dim=2, embeddings_initializer="glorot_uniform"), T(3, dtype="int32"))
    for dt in DTYPES:
        yield Example(dict(input_dim=5, output_dim=2), T(3, dtype=dt),
                      refuse="policy" if dt not in ("int32", "int64", "uint8") else False)


def _embedding_advice(spec, args):
    """Embedding(256, 50000) is a vocabulary of 256 ids, each a vector of 50,000: the arguments in
    the order people say them ("a 256-wide embedding of 50,000 words"), not Keras's."""
    ids, width = args.get("input_dim"), args.get("output_dim")
    if not (isinstance(ids, int) and isinstance(width, int)) or width < _WIDE or width < _SWAPPED_RATIO * ids:
        return None
    return (f"Embedding(input_dim={ids:,}, output_dim={width:,}) gives each of {ids:,} ids a vector of {width:,} "
            f"values: Keras's order is Embedding(input_dim, output_dim), the number of ids first",
            f"if {width:,} is the vocabulary, write Embedding({width}, {ids})")


_WIDE = 1024  # an embedding this wide is rare (wider than most language models')
_SWAPPED_RATIO = 8  # ... and far wider than the vocabulary is large: the arguments look swapped


Embedding = LayerSpec(
    "Embedding", family="core", doc="integer ids -> vectors of `output_dim`",
    kinds={"input_dim": K.PosInt, "output_dim": K.PosInt, "embeddings_initializer": K.Initializer},
    shape=_embedding_shape, dtype=_embedding_dtype, count=_embedding_count,
    draw=_draw_embedding, examples=_embedding_examples, advice=_embedding_advice,
)


# ---------------------------------------------------------------- Identity, Masking


def _identity_examples():
    for dt in DTYPES:
        yield Example({}, T(2, 3, dtype=dt))
    yield Example({}, T())


Identity = LayerSpec(
    "Identity", family="core", doc="passes its input through unchanged",
    shape=R.same, dtype=R.dtype_keep, count=R.zero,
    draw=lambda ctx, t: [], examples=_identity_examples,
)


def _masking_examples():
    for shp, mv in product([(4, 3), (None, 2), (2, 3, 4)], [0.0, -1.0]):
        yield Example(dict(mask_value=mv), T(*shp))
    for dt in DTYPES:
        yield Example({}, T(3, 2, dtype=dt), refuse=dt == "bool")


Masking = LayerSpec(
    "Masking", family="core", doc="masks the time steps whose features all equal `mask_value`",
    kinds={"mask_value": K.Number},
    shape=R.same, dtype=R.dtype_keep_numbers, count=R.zero,
    draw=lambda ctx, t: [] if t.rank == 2 and t.dtype in FLOAT_DTYPES else None, examples=_masking_examples,
)

DESCRIPTORS = (Dense, EinsumDense, Embedding, Identity, Masking)
