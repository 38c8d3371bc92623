"""Attention: MultiHeadAttention, Attention, AdditiveAttention (layers on several tensors).

MultiHeadAttention is called on ``query, value[, key]`` (``attention_mask``, ``use_causal_mask`` and
``return_attention_scores`` by keyword); Attention and AdditiveAttention take their tensors as
one list ``[query, value(, key)]``, as in Keras. Masks of the inputs themselves come from the
tensors (``Embedding(mask_zero=True)``, ``Masking``), so the explicit ``*_mask`` arguments are refused.
"""

from __future__ import annotations

from itertools import product

from graphdsl.catalog import kinds as K
from graphdsl.catalog import rules as R
from graphdsl.catalog.spec import TENSOR, CallConstant, CallRefused, Example, LayerSpec, Tensors
from graphdsl.catalog.types import DTYPES, FLOAT_DTYPES, INT_DTYPES, ShapeError, TensorType, fmt_shape, fmt_value

F = "float32"
_FROM_TENSORS = "masks come from the tensors themselves (Embedding(mask_zero=True), Masking)"


def T(*shape, dtype=F):  # noqa: N802
    return TensorType(tuple(shape), dtype)


def _numbers(spec, name: str, t: TensorType) -> None:
    if t.dtype == "bool":
        raise ShapeError(f"{spec.name} expects numbers, got bool {fmt_shape(t)} as {name}", call_arg=name)


# ---------------------------------------------------------------- MultiHeadAttention


def _mha_tensors(spec, call):
    q, v = call["query"], call["value"]
    k = call.get("key") or v
    for name, t in (("query", q), ("value", v), ("key", k)):
        _numbers(spec, name, t)
        if t.rank < 2:
            raise ShapeError(
                f"MultiHeadAttention expects 3-D or higher inputs (batch, steps, features), got {fmt_shape(t)} "
                f"as {name}", call_arg=name)
        R.need_known(spec, t, -1, f"feature axis of its {name}")
    if not (q.rank == v.rank == k.rank):
        raise ShapeError(
            f"MultiHeadAttention needs query, value and key of the same rank, got {fmt_shape(q)}, "
            f"{fmt_shape(v)} and {fmt_shape(k)}", call_arg="value")
    if v.shape[:-1] != k.shape[:-1]:
        raise ShapeError(
            f"MultiHeadAttention needs value and key of the same shape but for the last axis, got "
            f"{fmt_shape(v)} and {fmt_shape(k)}", call_arg="key")
    return q, v, k


def _mha_output_shape(spec, args, q: TensorType) -> tuple:
    out = spec.arg(args, "output_shape")
    if out is None:
        return q.shape
    return (*q.shape[:-1], *(out if isinstance(out, tuple) else (out,)))


def _mha_outputs(spec, args, call):
    q, v, k = _mha_tensors(spec, call)
    axes = spec.arg(args, "attention_axes")
    if axes is not None:
        rank = q.rank + 2  # the projected rank, batch and heads included, as Keras counts
        for a in axes if isinstance(axes, tuple) else (axes,):
            n = a if a >= 0 else (rank - 1) + a
            if not 1 <= n <= q.rank - 1:
                raise ShapeError(
                    f"MultiHeadAttention(attention_axes={fmt_value(axes)}) must name axes between the batch and "
                    f"the features of its query {fmt_shape(q)}", "attention_axes")
    plain = q.rank == 2 and axes in (None, 1, (1,), -2, (-2,))
    for name in ("attention_mask", "use_causal_mask", "return_attention_scores"):
        if call.get(name) and not plain:
            raise ShapeError(
                f"MultiHeadAttention: {name} needs a query of shape (batch, steps, features) attended over its "
                f"steps, got {fmt_shape(q)}", call_arg=name)
    if spec.arg(args, "sliding_window") is not None and not plain:
        raise ShapeError("MultiHeadAttention(sliding_window=...) needs a query of shape (batch, steps, features)",
                         "sliding_window")
    mask = call.get("attention_mask")
    if mask is not None:
        if mask.dtype != "bool" and mask.dtype not in INT_DTYPES:
            raise ShapeError(f"MultiHeadAttention: attention_mask is bool (or 0/1 integers), got {mask.dtype}",
                             call_arg="attention_mask")
        want = (q.shape[0], v.shape[0])
        if mask.rank != 2 or any(m is not None and w is not None and m not in (1, w) for m, w in zip(
                mask.shape, want, strict=True)):
            raise ShapeError(
                f"MultiHeadAttention: attention_mask has the shape (batch, query steps, value steps) = "
                f"{fmt_shape(want)}, got {fmt_shape(mask)}", call_arg="attention_mask")
    out = T(*_mha_output_shape(spec, args, q))
    if not call.get("return_attention_scores"):
        return (out,)
    if call.get("use_causal_mask"):
        # Keras (3.15) attaches the causal mask, shaped (1, 1, Tq, Tv), to the scores as their Keras
        # mask: every layer after them that takes a mask (BatchNormalization, TimeDistributed, ...)
        # fails when data flows (found by the version-2 property; tests/keras/test_properties_v2_keras.py)
        raise ShapeError(
            f"MultiHeadAttention(...)(use_causal_mask=True, return_attention_scores=True): Keras "
            f"{R.keras_version()} attaches the causal mask to the scores, and the layers after them fail when "
            "data flows; call it twice, once for the output with the causal mask and once for the scores "
            "without", call_arg="return_attention_scores")
    tq, tv = q.shape[0], v.shape[0]
    if tq is not None and tq != tv:
        # Keras (3.15) gives the scores the shape (batch, heads, Tq, Tq) whatever the value's length
        raise ShapeError(
            f"MultiHeadAttention(...)(return_attention_scores=True) needs query and value of the same length "
            f"(Keras {R.keras_version()} gives the scores the query's length on both axes), got {fmt_shape(q)} "
            f"and {fmt_shape(v)}", call_arg="return_attention_scores")
    return (out, T(spec.arg(args, "num_heads"), tq, tq))


def _mha_count(spec, args, call):
    q, v, k = _mha_tensors(spec, call)
    heads = spec.arg(args, "num_heads")
    kd = spec.arg(args, "key_dim")
    vd = spec.arg(args, "value_dim") or kd
    bias = bool(spec.arg(args, "use_bias"))
    out = R.prod(_mha_output_shape(spec, args, q)[q.rank - 1:])
    n = (q.shape[-1] + k.shape[-1]) * heads * kd + bias * 2 * heads * kd
    n += v.shape[-1] * heads * vd + bias * heads * vd
    if spec.arg(args, "use_gate"):
        n += q.shape[-1] * heads * vd + bias * heads * vd
    return n + heads * vd * out + bias * out


def _mha_examples():
    for heads, kd, vd, bias, shp in product([1, 2], [3], [None, 5], [True, False], [(4, 6), (None, 6)]):
        yield Example(dict(num_heads=heads, key_dim=kd, value_dim=vd, use_bias=bias),
                      call={"query": T(*shp), "value": T(*shp)})
    yield Example(dict(num_heads=2, key_dim=4), call={"query": T(4, 6), "value": T(7, 3)})
    yield Example(dict(num_heads=2, key_dim=4), call={"query": T(4, 6), "value": T(7, 3), "key": T(7, 5)})
    yield Example(dict(num_heads=2, key_dim=4), call={"query": T(4, 6), "value": T(7, 3), "key": T(6, 3)})
    yield Example(dict(num_heads=2, key_dim=4, output_shape=8), call={"query": T(4, 6), "value": T(4, 6)})
    yield Example(dict(num_heads=2, key_dim=4, output_shape=(2, 3)), call={"query": T(4, 6), "value": T(4, 6)})
    yield Example(dict(num_heads=2, key_dim=4, use_gate=True), call={"query": T(4, 6), "value": T(5, 3)})
    yield Example(dict(num_heads=2, key_dim=4, dropout=0.1, seed=1, kernel_initializer="he_normal"),
                  call={"query": T(4, 6), "value": T(4, 6)})
    yield Example(dict(num_heads=2, key_dim=2), call={"query": T(3, 4, 6), "value": T(3, 4, 6)})
    yield Example(dict(num_heads=2, key_dim=2, attention_axes=(1, 2)), call={"query": T(3, 4, 6),
                                                                            "value": T(3, 4, 6)})
    yield Example(dict(num_heads=2, key_dim=2, attention_axes=2), call={"query": T(3, 4, 6), "value": T(3, 4, 6)})
    yield Example(dict(num_heads=2, key_dim=2), call={"query": T(6), "value": T(6)}, refuse=True)
    yield Example(dict(num_heads=2, key_dim=2), call={"query": T(4, None), "value": T(4, 6)})
    yield Example(dict(num_heads=2, key_dim=2), call={"query": T(4, 6, dtype="bool"), "value": T(4, 6)},
                  refuse=True)
    # the calls a Transformer makes
    for shp in [(5, 6), (None, 6)]:
        yield Example(dict(num_heads=2, key_dim=3), call={"query": T(*shp), "value": T(*shp),
                                                          "use_causal_mask": True})
        yield Example(dict(num_heads=2, key_dim=3), call={"query": T(*shp), "value": T(*shp),
                                                          "return_attention_scores": True})
    yield Example(dict(num_heads=2, key_dim=3), call={"query": T(5, 6), "value": T(7, 6),
                                                      "return_attention_scores": True}, refuse=True)
    yield Example(dict(num_heads=2, key_dim=3), call={"query": T(None, 6), "value": T(7, 6),
                                                      "return_attention_scores": True})
    yield Example(dict(num_heads=2, key_dim=3), call={"query": T(5, 6), "value": T(None, 6),
                                                      "return_attention_scores": True}, refuse=True)
    for dt in ("bool", "int32"):
        yield Example(dict(num_heads=2, key_dim=3), call={"query": T(5, 6), "value": T(7, 6),
                                                          "attention_mask": T(5, 7, dtype=dt)})
    yield Example(dict(num_heads=2, key_dim=3), call={"query": T(5, 6), "value": T(7, 6),
                                                      "attention_mask": T(1, 7, dtype="bool")})
    yield Example(dict(num_heads=2, key_dim=3), call={"query": T(5, 6), "value": T(7, 6),
                                                      "attention_mask": T(7, 5, dtype="bool")}, refuse=True)
    yield Example(dict(num_heads=2, key_dim=3, sliding_window=2), call={"query": T(5, 6), "value": T(5, 6)})
    for dt in DTYPES:
        yield Example(dict(num_heads=1, key_dim=2), call={"query": T(3, 4, dtype=dt), "value": T(3, 4, dtype=dt)},
                      refuse=dt == "bool")


MultiHeadAttention = LayerSpec(
    "MultiHeadAttention", family="attention",
    doc="multi-head attention of `query` over `value` (and `key`): `MultiHeadAttention(...)(q, v)`",
    kinds={
        "num_heads": K.PosInt,
        "key_dim": K.PosInt,
        "value_dim": K.Optional(K.PosInt),
        "output_shape": K.Optional(K.predicate(
            "a size or a tuple of sizes",
            lambda v: (K.is_int(v) and v >= 1) or (isinstance(v, tuple) and bool(v)
                                                   and all(K.is_int(d) and d >= 1 for d in v)))),
        "attention_axes": K.Optional(K.Axes),
        "sliding_window": K.Optional(K.PosInt),
        "flash_attention": K.Optional(K.Const(False, "flash_attention=True needs a GPU kernel; graphdsl "
                                                    "models run anywhere")),
        "use_gate": K.Bool,
    },
    call={
        "query": TENSOR, "value": TENSOR, "key": TENSOR, "attention_mask": TENSOR,
        "query_mask": CallRefused(f"query_mask= is not given: {_FROM_TENSORS}"),
        "value_mask": CallRefused(f"value_mask= is not given: {_FROM_TENSORS}"),
        "key_mask": CallRefused(f"key_mask= is not given: {_FROM_TENSORS}"),
        "return_attention_scores": CallConstant(K.Bool),
        "use_causal_mask": CallConstant(K.Bool),
    },
    outputs=_mha_outputs, count=_mha_count, examples=_mha_examples,
)


# ---------------------------------------------------------------- Attention, AdditiveAttention


def _qvk(spec, call):
    inputs = call["inputs"]
    q, v = inputs[0], inputs[1]
    k = inputs[2] if len(inputs) > 2 else v
    for name, t in (("query", q), ("value", v), ("key", k)):
        _numbers(spec, name, t)
        if t.rank != 2:
            raise ShapeError(f"{spec.name} expects 3-D inputs (batch, steps, features), got {fmt_shape(t)} as "
                             f"{name} (on 2-D inputs Keras attends across the samples of a batch)", call_arg="inputs")
    if q.shape[-1] is not None and k.shape[-1] is not None and q.shape[-1] != k.shape[-1]:
        raise ShapeError(
            f"{spec.name} compares query and key feature by feature, so they need the same number of features, "
            f"got {fmt_shape(q)} and {fmt_shape(k)}", call_arg="inputs")
    if v.shape[0] is not None and k.shape[0] is not None and v.shape[0] != k.shape[0]:
        raise ShapeError(f"{spec.name} needs value and key of the same length, got {fmt_shape(v)} and "
                         f"{fmt_shape(k)}", call_arg="inputs")
    return q, v, k


def _attention_outputs(spec, args, call):
    q, v, k = _qvk(spec, call)
    if spec.name == "Attention":
        for name, t in (("query", q), ("value", v), ("key", k)):
            if t.dtype not in FLOAT_DTYPES:  # its softmax kernel takes floats only
                raise ShapeError(f"Attention expects floating-point values, got {t.dtype} {fmt_shape(t)} as {name}",
                                 call_arg="inputs")
    if spec.name == "AdditiveAttention" and spec.arg(args, "use_scale"):
        R.need_known(spec, q, -1, "query feature axis")
    out = T(q.shape[0], v.shape[-1])
    if call.get("return_attention_scores"):
        return (out, T(q.shape[0], k.shape[0]))
    return (out,)


def _attention_count(spec, args, call):
    q, _v, _k = _qvk(spec, call)
    if spec.name == "AdditiveAttention":
        return q.shape[-1] if spec.arg(args, "use_scale") else 0
    return bool(spec.arg(args, "use_scale")) + (spec.arg(args, "score_mode") == "concat")


def _attention_examples(name):
    def make():
        modes = ["dot", "concat"] if name == "Attention" else [None]
        for scale, mode, shp in product([False, True], modes, [(4, 6), (None, 6)]):
            args = dict(use_scale=scale) | ({"score_mode": mode} if mode else {})
            yield Example(args, call={"inputs": (T(*shp), T(5, 6))})
            yield Example(args, call={"inputs": (T(*shp), T(5, 3), T(5, 6))})
        # Keras builds these symbolically; its kernels fail on them
        yield Example({}, call={"inputs": (T(4, 6), T(5, 3))}, refuse=True)
        yield Example({}, call={"inputs": (T(4, 6), T(5, 3), T(4, 6))}, refuse=True)
        yield Example({}, call={"inputs": (T(4, 6), T(None, 6)), "return_attention_scores": True})
        yield Example({}, call={"inputs": (T(4, 6), T(5, 6)), "use_causal_mask": True})
        # Keras runs it, attending across the samples of the batch: graphdsl wants steps
        yield Example({}, call={"inputs": (T(6), T(6))}, refuse="policy")
        yield Example({}, call={"inputs": (T(4, 6, dtype="bool"), T(5, 6))}, refuse=True)
        yield Example(dict(dropout=0.1), call={"inputs": (T(4, 6), T(5, 6))})
        for dt in DTYPES:
            refused = dt == "bool" or (name == "Attention" and dt not in FLOAT_DTYPES)
            yield Example({}, call={"inputs": (T(3, 4, dtype=dt), T(3, 4, dtype=dt))}, refuse=refused)

    return make


_ATTENTION_CALL = {
    "inputs": Tensors(2, 3),
    "mask": CallRefused(f"mask= is not given: {_FROM_TENSORS}"),
    "return_attention_scores": CallConstant(K.Bool),
    "use_causal_mask": CallConstant(K.Bool),
}

Attention = LayerSpec(
    "Attention", family="attention", doc="dot-product attention: `Attention()([query, value])`",
    kinds={"use_scale": K.Bool, "score_mode": K.Choice("dot", "concat")},
    call=_ATTENTION_CALL, outputs=_attention_outputs, count=_attention_count,
    examples=_attention_examples("Attention"),
)
AdditiveAttention = LayerSpec(
    "AdditiveAttention", family="attention", doc="Bahdanau-style attention: `AdditiveAttention()([query, value])`",
    kinds={"use_scale": K.Bool},
    call=_ATTENTION_CALL, outputs=_attention_outputs, count=_attention_count,
    examples=_attention_examples("AdditiveAttention"),
)

DESCRIPTORS = (MultiHeadAttention, Attention, AdditiveAttention)
