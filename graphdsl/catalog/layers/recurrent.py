"""Recurrent layers and wrappers: LSTM, GRU, SimpleRNN, Bidirectional, TimeDistributed.

The RNNs are layers on several tensors: ``sequences``, and optionally ``initial_state`` (a list of
the states: ``[h, c]`` for an LSTM, ``[h]`` for a GRU or SimpleRNN) and ``mask`` (a bool tensor of
shape (batch, steps)); with ``return_state=True`` they return the output and then the final states.
In a chain (one tensor in, one out) they take ``sequences`` only.
"""

from __future__ import annotations

from itertools import product

from graphdsl.catalog import kinds as K
from graphdsl.catalog import rules as R
from graphdsl.catalog.spec import TENSOR, Example, LayerSpec, Tensors
from graphdsl.catalog.types import DTYPES, FLOAT_DTYPES, LayerValue, ShapeError, TensorType, fmt_shape

F = "float32"
RNNS = ("LSTM", "GRU", "SimpleRNN")
_STATES = {"LSTM": ("h", "c"), "GRU": ("h",), "SimpleRNN": ("h",)}
_GATES = {"SimpleRNN": 1, "GRU": 3, "LSTM": 4}


def T(*shape, dtype=F):  # noqa: N802
    return TensorType(tuple(shape), dtype)


def L(name, **args):  # noqa: N802 - a layer given as an argument, as the checker binds it
    from graphdsl.catalog.layers import get_layer  # noqa: PLC0415

    return LayerValue(get_layer(name), args)


def _check_sequences(spec, args, seq: TensorType) -> None:
    if seq.rank != 2:
        raise ShapeError(f"{spec.name} expects a 3-D input (batch, steps, features), got {fmt_shape(seq)}",
                         call_arg="sequences")
    R.need_known(spec, seq, -1, "feature axis")
    if seq.dtype == "bool":
        raise ShapeError(f"{spec.name} expects numbers, got bool {fmt_shape(seq)}", call_arg="sequences")


def _check_state(spec, name: str, states: tuple, units: int, count: int) -> None:
    if len(states) != count:
        raise ShapeError(
            f"{spec.name}: initial_state is a list of {count} tensor{'s' if count > 1 else ''} "
            f"({', '.join(_STATES[name] if count == len(_STATES[name]) else ['...'])}), got {len(states)}",
            call_arg="initial_state")
    for s in states:
        if s.rank != 1 or s.shape[0] != units or s.dtype not in FLOAT_DTYPES:
            raise ShapeError(
                f"{spec.name}({units}): each initial state is a float tensor (batch, {units}), got "
                f"{s.dtype} {fmt_shape(s)}", call_arg="initial_state")


def _check_mask(spec, seq: TensorType, mask: TensorType | None) -> None:
    if mask is None:
        return
    if mask.rank != 1 or (mask.shape[0] is not None and seq.shape[0] is not None and mask.shape[0] != seq.shape[0]):
        raise ShapeError(
            f"{spec.name}: mask is a bool tensor (batch, steps) matching its input {fmt_shape(seq)}, got "
            f"{fmt_shape(mask)}", call_arg="mask")
    if mask.dtype != "bool":
        raise ShapeError(f"{spec.name}: mask is a bool tensor, got {mask.dtype} {fmt_shape(mask)}", call_arg="mask")


def _rnn_outputs(spec, args, call):
    seq = call["sequences"]
    _check_sequences(spec, args, seq)
    units = spec.arg(args, "units")
    state = call.get("initial_state")
    if state is not None:
        _check_state(spec, spec.name, state, units, len(_STATES[spec.name]))
    _check_mask(spec, seq, call.get("mask"))
    out = T(seq.shape[0], units) if spec.arg(args, "return_sequences") else T(units)
    if spec.arg(args, "return_state"):
        return (out, *(T(units) for _ in _STATES[spec.name]))
    return (out,)


def _rnn_count(spec, args, call):
    units = spec.arg(args, "units")
    gates = _GATES[spec.name]
    n = gates * units * (call["sequences"].shape[-1] + units)
    if spec.arg(args, "use_bias"):
        # GRU with reset_after keeps separate input and recurrent biases: two rows.
        rows = 2 if spec.name == "GRU" and spec.arg(args, "reset_after") else 1
        n += rows * gates * units
    return n


def _draw_rnn(ctx, t):
    if t.rank != 2:
        return None
    args = [ctx.pos("units", ctx.size(1, 8))]
    if ctx.boolean():
        args.append(ctx.kw("return_sequences", True))
    return args


def _rnn_examples(name):
    def make():
        n_states = len(_STATES[name])
        for rs, bias, shp in product([False, True], [True, False], [(None, 3), (5, 3)]):
            yield Example(dict(units=4, return_sequences=rs, use_bias=bias), T(*shp))
        yield Example(dict(units=3), T(4))
        yield Example(dict(units=3), T(4, 2, 2))
        yield Example(dict(units=3), T(4, None))
        yield Example(dict(units=3, unroll=True), T(4, 2))
        yield Example(dict(units=3, unroll=True), T(None, 2))
        yield Example(dict(units=2, dropout=0.2, recurrent_dropout=0.1, go_backwards=True), T(3, 2))
        yield Example(dict(units=2, kernel_initializer="he_normal", recurrent_regularizer="l2"), T(3, 2))
        if name == "GRU":
            yield Example(dict(units=3, reset_after=False), T(4, 2))
            yield Example(dict(units=3, reset_after=False, use_bias=False), T(4, 2))
        for dt in DTYPES:
            yield Example(dict(units=2), T(4, 3, dtype=dt), refuse=dt == "bool")
        # several tensors: states in, states out, an explicit mask
        for rs, shp in product([False, True], [(None, 3), (5, 3)]):
            yield Example(dict(units=4, return_sequences=rs, return_state=True), call={"sequences": T(*shp)})
        states = tuple(T(4) for _ in range(n_states))
        yield Example(dict(units=4, return_sequences=True), call={"sequences": T(5, 3), "initial_state": states})
        yield Example(dict(units=4, return_state=True), call={"sequences": T(None, 3), "initial_state": states})
        # states of the wrong size, a mask of the wrong length: Keras builds them; its kernels fail
        yield Example(dict(units=4), call={"sequences": T(5, 3), "initial_state": tuple(T(3) for _ in states)},
                      refuse=True)
        yield Example(dict(units=4), call={"sequences": T(5, 3), "mask": T(5, dtype="bool")})
        yield Example(dict(units=4, return_sequences=True),
                      call={"sequences": T(None, 3), "mask": T(None, dtype="bool"), "initial_state": states})
        yield Example(dict(units=4), call={"sequences": T(5, 3), "mask": T(4, dtype="bool")}, refuse=True)

    return make


def _rnn(name: str, doc: str) -> LayerSpec:
    return LayerSpec(
        name, family="recurrent", doc=doc,
        call={"sequences": TENSOR, "initial_state": Tensors(len(_STATES[name])), "mask": TENSOR},
        outputs=_rnn_outputs, count=_rnn_count, draw=_draw_rnn, examples=_rnn_examples(name),
        activation=lambda args: None,
    )


LSTM = _rnn("LSTM", "long short-term memory over steps; `return_state=True` also returns h and c")
GRU = _rnn("GRU", "gated recurrent unit over steps; `return_state=True` also returns h")
SimpleRNN = _rnn("SimpleRNN", "a fully connected recurrence over steps; `return_state=True` also returns h")


# ---------------------------------------------------------------- Bidirectional


def _inner(spec, args) -> LayerValue:
    inner = spec.arg(args, "layer")
    if not isinstance(inner, LayerValue):
        raise ShapeError(f"{spec.name} needs a layer argument", "layer")
    return inner


def _bidi_outputs(spec, args, call):
    inner = _inner(spec, args)
    name = inner.spec.name
    state = call.get("initial_state")
    forward = {"sequences": call["sequences"]}
    if call.get("mask") is not None:
        forward["mask"] = call["mask"]
    if state is not None:
        per = len(_STATES[name])
        if len(state) != 2 * per:
            raise ShapeError(
                f"Bidirectional({name}): initial_state lists the forward then the backward states, "
                f"{2 * per} tensors, got {len(state)}", call_arg="initial_state")
        forward["initial_state"] = state[:per]
        inner.spec.outputs(inner.args, {**forward, "initial_state": state[per:]})
    outs = inner.spec.outputs(inner.args, forward)
    y, states = outs[0], outs[1:]
    mode = spec.arg(args, "merge_mode")
    if mode == "concat":
        ys: tuple = (TensorType((*y.shape[:-1], y.shape[-1] * 2), y.dtype),)
    elif mode is None:
        ys = (y, y)
    else:
        ys = (y,)
    return (*ys, *states, *states)


def _bidi_count(spec, args, call):
    inner = _inner(spec, args)
    return 2 * inner.spec.count(inner.args, {"sequences": call["sequences"]})


def _draw_bidi(ctx, t):
    if t.rank != 2:
        return None
    inner = ctx.choice(RNNS)
    return [ctx.pos("layer", ctx.layer(inner, ctx.pos("units", ctx.integer(1, 8))))]


def _bidi_examples():
    for inner, mm, rs in product(RNNS, ["concat", "sum", "mul", "ave", None], [False, True]):
        yield Example(dict(layer=L(inner, units=3, return_sequences=rs), merge_mode=mm), T(None, 2),
                      refuse=False)
    yield Example(dict(layer=L("LSTM", units=3)), T(2))
    yield Example(dict(layer=L("LSTM", units=3)), T(2, 3, dtype="bool"), refuse=True)
    for inner, mm in product(RNNS, ["concat", None]):
        n = len(_STATES[inner])
        yield Example(dict(layer=L(inner, units=3, return_state=True, return_sequences=True), merge_mode=mm),
                      call={"sequences": T(4, 2)})
        yield Example(dict(layer=L(inner, units=3)),
                      call={"sequences": T(None, 2), "initial_state": tuple(T(3) for _ in range(2 * n))})
    yield Example(dict(layer=L("LSTM", units=3)), call={"sequences": T(4, 2), "initial_state": (T(3), T(3))},
                  refuse=True)
    yield Example(dict(layer=L("GRU", units=3), merge_mode="sum"),
                  call={"sequences": T(4, 2), "mask": T(4, dtype="bool")})


Bidirectional = LayerSpec(
    "Bidirectional", family="recurrent", doc="runs an RNN forwards and backwards and merges the two",
    kinds={
        "layer": K.LayerKind(RNNS),
        "merge_mode": K.Optional(K.Choice("concat", "sum", "mul", "ave")),
        "backward_layer": K.Refused(f"backward_layer= {K.NOT_IN_GRAPHDSL}"),
    },
    call={"sequences": TENSOR, "initial_state": Tensors(2, 4), "mask": TENSOR},
    outputs=_bidi_outputs, count=_bidi_count, draw=_draw_bidi, examples=_bidi_examples,
    weights=lambda spec, args, params: tuple(2 * n for n in _inner(spec, args).spec.weights(
        _inner(spec, args).args, params // 2)),
)


# ---------------------------------------------------------------- TimeDistributed


def _td_split(spec, inp: TensorType) -> TensorType:
    if inp.rank < 2:
        raise ShapeError(
            f"TimeDistributed expects an input of rank 3 or more (batch, steps, ...), got {fmt_shape(inp)}")
    return TensorType(inp.shape[1:], inp.dtype)


def _td_shape(spec, args, inp):
    inner = _inner(spec, args)
    out = inner.spec.infer(inner.args, _td_split(spec, inp))
    return (inp.shape[0], *out.shape)


def _td_dtype(spec, args, inp):
    # What the inner layer yields (Keras's symbolic dtype says float32, but TimeDistributed(Flatten())
    # on int32 gives int32 when data flows); the inner rule refuses what it can't take.
    inner = _inner(spec, args)
    return inner.spec.infer(inner.args, _td_split(spec, inp)).dtype


def _td_count(spec, args, inp):
    inner = _inner(spec, args)
    return inner.spec.count_params(inner.args, _td_split(spec, inp))


def _draw_td(ctx, t):
    if t.rank < 2:
        return None
    return [ctx.pos("layer", ctx.layer("Dense", ctx.pos("units", ctx.integer(1, 8))))]


def _td_examples():
    for inner, shp in [
        (L("Dense", units=3), (None, 4)),
        (L("Dense", units=3), (5, 2, 4)),
        (L("Conv1D", filters=2, kernel_size=2), (3, 6, 4)),
        (L("Flatten"), (3, 2, 4)),
        (L("Dropout", rate=0.5), (3, 4)),
        (L("Embedding", input_dim=5, output_dim=2), (3, 4)),
        (L("LSTM", units=2), (3, 4, 2)),
    ]:
        yield Example(dict(layer=inner), T(*shp, dtype="int32" if inner.spec.name == "Embedding" else F))
    yield Example(dict(layer=L("Dense", units=3)), T(4))
    for dt in DTYPES:
        yield Example(dict(layer=L("Dense", units=2)), T(3, 4, dtype=dt), refuse=dt == "bool")
        yield Example(dict(layer=L("Flatten")), T(2, 3, dtype=dt))


TimeDistributed = LayerSpec(
    "TimeDistributed", family="recurrent", doc="applies a layer to every step of a sequence",
    kinds={"layer": K.Layer},
    shape=_td_shape, dtype=_td_dtype, count=_td_count, draw=_draw_td, examples=_td_examples,
    weights=lambda spec, args, params: _inner(spec, args).spec.weights(_inner(spec, args).args, params),
)

DESCRIPTORS = (LSTM, GRU, SimpleRNN, Bidirectional, TimeDistributed)
