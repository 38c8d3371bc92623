"""The catalog's rules against Keras itself.

For every supported layer and merge, many (arguments, input type) cases: build
``keras.Input`` and call the Keras layer, then compare the symbolic output's shape and
dtype and the built layer's ``count_params()`` with the catalog's answers. Where the
catalog raises ShapeError Keras must fail too, unless the case is one of the few
deliberate refusals (marked ``refuse=True`` below). Also checks that the committed
``_signatures.py`` matches what ``scripts/gen_catalog.py`` generates now.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import pytest  # noqa: E402

from graphdsl.catalog import (  # noqa: E402
    DTYPES,
    LayerValue,
    ShapeError,
    TensorType,
    get_layer,
    get_merge,
)

pytestmark = pytest.mark.keras

ROOT = Path(__file__).resolve().parents[2]
F = "float32"


def T(*shape, dtype=F):  # noqa: N802 - reads like the type it builds
    return TensorType(tuple(shape), dtype)


def L(name, **args):  # noqa: N802
    """A LayerValue argument, as the checker would bind it."""
    return LayerValue(get_layer(name), args)


# ---------------------------------------------------------------- the case tables

LAYER_CASES: list[tuple[str, dict, TensorType, bool]] = []  # (layer, args, input, deliberate refusal)


def add(layer, args, inp, refuse=False):
    LAYER_CASES.append((layer, dict(args), inp, refuse))


for k, s, p, d, n in itertools.product([1, 3, (2,)], [1, 2], ["valid", "same", "causal"], [1, 2], [None, 2, 7]):
    add("Conv1D", dict(filters=2, kernel_size=k, strides=s, padding=p, dilation_rate=d), T(n, 3))
for s, p, d, g, b, shp in itertools.product(
    [1, (2, 1)], ["valid", "same"], [1, 2], [1, 2], [True, False], [(5, 6, 4), (None, 3, 4)]
):
    add("Conv2D", dict(filters=4, kernel_size=(2, 3), strides=s, padding=p, dilation_rate=d, groups=g, use_bias=b),
        T(*shp))
for layer, ps, s, p, n in itertools.product(
    ["MaxPooling1D", "AveragePooling1D"], [2, 3], [None, 1, 2], ["valid", "same"], [None, 2, 7]
):
    add(layer, dict(pool_size=ps, strides=s, padding=p), T(n, 3))
for layer, ps, s, p, shp in itertools.product(
    ["MaxPooling2D", "AveragePooling2D"], [2, (2, 3)], [None, 1], ["valid", "same"], [(5, 6, 2), (None, 4, 2), (1, 5, 2)]
):
    add(layer, dict(pool_size=ps, strides=s, padding=p), T(*shp))
add("MaxPooling1D", {}, T(9, 2))
add("MaxPooling2D", {}, T(9, 5, 2))
for layer, kd in itertools.product(["GlobalMaxPooling1D", "GlobalAveragePooling1D"], [False, True]):
    add(layer, dict(keepdims=kd), T(None, 3))
    add(layer, dict(keepdims=kd), T(4, 3))
for layer, kd in itertools.product(["GlobalMaxPooling2D", "GlobalAveragePooling2D"], [False, True]):
    add(layer, dict(keepdims=kd), T(None, 4, 3))
add("GlobalMaxPooling1D", {}, T(3))
for units, bias, shp in itertools.product([1, 5], [True, False], [(3,), (4, 3), (None, 2, 6)]):
    add("Dense", dict(units=units, use_bias=bias), T(*shp))
add("Dense", dict(units=2), T(None))
add("Dense", dict(units=2), T(4, None))
for shp, dt in itertools.product([(), (7,), (None,), (3, 4)], ["int32", "int64", "uint8"]):
    add("Embedding", dict(input_dim=11, output_dim=4), T(*shp, dtype=dt))
for layer, rs, bias, shp in itertools.product(["LSTM", "GRU", "SimpleRNN"], [False, True], [True, False],
                                              [(None, 3), (5, 3)]):
    add(layer, dict(units=4, return_sequences=rs, use_bias=bias), T(*shp))
add("GRU", dict(units=3, reset_after=False), T(4, 2))
add("GRU", dict(units=3, reset_after=False, use_bias=False), T(4, 2))
add("LSTM", dict(units=3, unroll=True), T(4, 2))
add("LSTM", dict(units=3), T(4))
add("LSTM", dict(units=3), T(4, 2, 2))
add("LSTM", dict(units=3), T(4, None))
for inner, mm, rs in itertools.product(["LSTM", "GRU", "SimpleRNN"], ["concat", "sum", "mul", "ave"], [False, True]):
    add("Bidirectional", dict(layer=L(inner, units=3, return_sequences=rs), merge_mode=mm), T(None, 2))
add("Bidirectional", dict(layer=L("LSTM", units=3)), T(2))
for inner, shp in [
    (L("Dense", units=3), (None, 4)),
    (L("Dense", units=3), (5, 2, 4)),
    (L("Conv1D", filters=2, kernel_size=2), (3, 6, 4)),
    (L("Flatten"), (3, 2, 4)),
    (L("Dropout", rate=0.5), (3, 4)),
    (L("Embedding", input_dim=5, output_dim=2), (3, 4)),
]:
    add("TimeDistributed", dict(layer=inner), T(*shp, dtype="int32" if inner.spec.name == "Embedding" else F))
add("TimeDistributed", dict(layer=L("Dense", units=3)), T(4))
for shp in [(3,), (None, 4), (2, 3, 4)]:
    add("Dropout", dict(rate=0.3), T(*shp))
    add("Activation", dict(activation="tanh"), T(*shp))
    add("ReLU", dict(max_value=6.0), T(*shp))
    add("Softmax", {}, T(*shp))
    add("Flatten", {}, T(*shp))
add("Softmax", dict(axis=1), T(3, 4))
add("SpatialDropout1D", dict(rate=0.2), T(None, 3))
add("SpatialDropout1D", dict(rate=0.2), T(3))
for axis, c, s, shp in itertools.product([-1, 1], [True, False], [True, False], [(5,), (4, 3)]):
    add("BatchNormalization", dict(axis=axis, center=c, scale=s), T(*shp))
add("BatchNormalization", {}, T(3, None))
for axis, c, shp in itertools.product([-1, 1, (1, 2), (-2, -1)], [True, False], [(4, 3), (2, 4, 3)]):
    add("LayerNormalization", dict(axis=axis, center=c), T(*shp))
add("LayerNormalization", {}, T(3, None))
for shp in [(None, 3), (2, None), (), (2, 3, 4)]:
    add("Flatten", {}, T(*shp))
for target, shp in itertools.product([(6,), (-1,), (2, -1), (3, 2), (-1, 3), (4, -1), (5,)], [(2, 3), (None, 3), (6,)]):
    add("Reshape", dict(target_shape=target), T(*shp))
for dims, shp in [((2, 1), (3, 4)), ((1, 2), (None, 4)), ((3, 1, 2), (2, 3, 4)), ((2, 1), (2, 3, 4)),
                  ((1,), (5,))]:
    add("Permute", dict(dims=dims), T(*shp))
for n, shp in [(3, (4,)), (1, (None,)), (2, (3, 4))]:
    add("RepeatVector", dict(n=n), T(*shp))
for pad, shp in itertools.product([1, 0, (2, 3)], [(None, 3), (4, 3)]):
    add("ZeroPadding1D", dict(padding=pad), T(*shp))
add("ZeroPadding1D", {}, T(4))
for pad, shp in itertools.product([1, (2, 3), ((1, 2), (3, 4))], [(None, 5, 3), (4, 5, 3)]):
    add("ZeroPadding2D", dict(padding=pad), T(*shp))

# Hand cases: ranks Keras may or may not take, masks, odd but legal arguments.
add("Conv1D", dict(filters=2, kernel_size=2), T(4, 3, 2))
add("Conv2D", dict(filters=2, kernel_size=2), T(4, 3))
add("Dense", dict(units=2), T())
add("Embedding", dict(input_dim=5, output_dim=2, mask_zero=True), T(None, dtype="int32"))
add("LSTM", dict(units=2, dropout=0.2, recurrent_dropout=0.1, go_backwards=True), T(3, 2))
add("Conv1D", dict(filters=2, kernel_size=3, padding="causal", dilation_rate=4), T(2, 3))
add("MaxPooling1D", dict(pool_size=3, padding="same", strides=2), T(1, 3))
add("Reshape", dict(target_shape=(2, 3)), T(None, 3))
add("BatchNormalization", dict(axis=0), T(3))
add("BatchNormalization", dict(axis=3), T(3, 2))
# Keras builds this symbolically and fails only when data flows; we refuse it up front.
add("Softmax", dict(axis=3), T(3, 2), refuse=True)
add("Dense", dict(units=2, activation="softmax", trainable=False), T(3))

# Dtypes: what each family yields for every input dtype.
for dt in DTYPES:
    weighted_bool = dt == "bool"
    add("Dense", dict(units=2), T(3, dtype=dt), refuse=weighted_bool)
    add("Conv1D", dict(filters=2, kernel_size=2), T(4, 3, dtype=dt), refuse=weighted_bool)
    add("LSTM", dict(units=2), T(4, 3, dtype=dt), refuse=weighted_bool)
    add("BatchNormalization", {}, T(3, dtype=dt), refuse=weighted_bool)
    add("Embedding", dict(input_dim=5, output_dim=2), T(3, dtype=dt),
        refuse=dt not in ("int32", "int64", "uint8"))
    add("TimeDistributed", dict(layer=L("Dense", units=2)), T(3, 4, dtype=dt), refuse=weighted_bool)
    for layer, args in [("Dropout", dict(rate=0.1)), ("Flatten", {}), ("Reshape", dict(target_shape=(6,))),
                        ("Permute", dict(dims=(2, 1))), ("MaxPooling1D", {}), ("GlobalAveragePooling1D", {}),
                        ("Activation", dict(activation="relu")), ("Softmax", {}), ("ZeroPadding1D", {}),
                        ("TimeDistributed", dict(layer=L("Flatten")))]:
        add(layer, args, T(2, 3, dtype=dt))
    add("RepeatVector", dict(n=2), T(3, dtype=dt))


MERGE_CASES: list[tuple[str, dict, list[TensorType], bool]] = []


def addm(merge, args, inputs, refuse=False):
    MERGE_CASES.append((merge, dict(args), list(inputs), refuse))


for axis, (a, b) in itertools.product(
    [-1, 1, 2],
    [((3, 4), (3, 5)), ((3, 4), (2, 4)), ((None, 4), (3, 4)), ((None, 4), (None, 2)), ((3, 4), (3, 4, 1))],
):
    addm("concat", dict(axis=axis), [T(*a), T(*b)])
addm("concat", {}, [T(3), T(5), T(2)])
addm("concat", {}, [T(3, dtype="int32"), T(5, dtype="float64")])
addm("concat", dict(axis=0), [T(3), T(3)], refuse=True)
for merge, (a, b) in itertools.product(
    ["add", "subtract", "multiply", "average", "maximum", "minimum"],
    [((3, 4), (3, 4)), ((3, 4), (1, 4)), ((None, 4), (3, 4)), ((3, 4), (3, 5)), ((4,), (3, 4))],
):
    addm(merge, {}, [T(*a), T(*b)])
addm("add", {}, [T(3), T(3), T(3)])
addm("add", {}, [T(3, dtype="int32"), T(3, dtype="int64")])
addm("add", {}, [T(3, dtype="bool"), T(3, dtype="bool")], refuse=True)
for axes, (a, b) in itertools.product(
    [1, -1, (1, 1), (2, 1)], [((4,), (4,)), ((3, 4), (3, 4)), ((3, 4), (4, 3)), ((3,), (4,)), ((None, 4), (None, 4))]
):
    addm("dot", dict(axes=axes), [T(*a), T(*b)])
addm("dot", dict(axes=1, normalize=True), [T(4), T(4)])


# ---------------------------------------------------------------- running them


def to_keras(value):
    """A LayerValue becomes a Keras layer; everything else passes through."""
    if isinstance(value, LayerValue):
        kwargs = {k: to_keras(v) for k, v in value.spec.keras_kwargs(value.args).items()}
        return getattr(keras.layers, value.spec.name)(**kwargs)
    return value


def keras_layer(spec, args):
    return getattr(keras.layers, spec.name)(**{k: to_keras(v) for k, v in spec.keras_kwargs(args).items()})


def _id(case):
    name, args, inp, _ = case
    shown = ",".join(f"{k}={getattr(v, 'spec', None) and v.spec.name or v}" for k, v in args.items())
    inps = inp if isinstance(inp, list) else [inp]
    return f"{name}({shown})@{'+'.join(str(t) for t in inps)}"


def test_there_are_enough_cases():
    assert len(LAYER_CASES) + len(MERGE_CASES) >= 150
    covered = {c[0] for c in LAYER_CASES}
    from graphdsl.catalog import LAYERS, MERGES

    assert covered == set(LAYERS)
    assert {c[0] for c in MERGE_CASES} == set(MERGES)


@pytest.mark.parametrize("case", LAYER_CASES, ids=[_id(c) for c in LAYER_CASES])
def test_layer_rule_matches_keras(case):
    name, args, inp, refuse = case
    spec = get_layer(name)
    try:
        ours = spec.infer(args, inp)
        ours_error = None
    except ShapeError as e:
        ours, ours_error = None, e
    try:
        layer = keras_layer(spec, args)
        out = layer(keras.Input(inp.shape, dtype=inp.dtype))
        keras_error = None
    except Exception as e:  # noqa: BLE001 - any Keras failure counts as "refused"
        out, keras_error = None, e
    if ours_error is not None:
        if refuse:
            return
        assert keras_error is not None, f"we refuse ({ours_error}) but Keras gives {out.shape} {out.dtype}"
        return
    assert not refuse, "case marked as a deliberate refusal, but the catalog accepted it"
    assert keras_error is None, f"we infer {ours}, but Keras fails: {keras_error}"
    assert ours.shape == tuple(out.shape)[1:], f"shape: ours {ours}, keras {out.shape}"
    assert ours.dtype == out.dtype, f"dtype: ours {ours.dtype}, keras {out.dtype}"
    assert spec.count_params(args, inp) == layer.count_params()


@pytest.mark.parametrize("case", MERGE_CASES, ids=[_id(c) for c in MERGE_CASES])
def test_merge_rule_matches_keras(case):
    name, args, inputs, refuse = case
    spec = get_merge(name)
    try:
        ours = spec.infer(args, inputs)
        ours_error = None
    except ShapeError as e:
        ours, ours_error = None, e
    try:
        layer = getattr(keras.layers, spec.keras_class)(**spec.keras_kwargs(args))
        out = layer([keras.Input(t.shape, dtype=t.dtype) for t in inputs])
        keras_error = None
    except Exception as e:  # noqa: BLE001
        out, keras_error = None, e
    if ours_error is not None:
        if refuse:
            return
        assert keras_error is not None, f"we refuse ({ours_error}) but Keras gives {out.shape} {out.dtype}"
        return
    assert not refuse
    assert keras_error is None, f"we infer {ours}, but Keras fails: {keras_error}"
    assert ours.shape == tuple(out.shape)[1:], f"shape: ours {ours}, keras {out.shape}"
    assert ours.dtype == out.dtype
    assert layer.count_params() == 0


def test_contract_models_match_keras_totals():
    """social.gd and news.gd, built by hand in Keras, have the totals the pure test chains to."""
    posts = keras.Input((None,), dtype="int32")
    x = keras.layers.Embedding(50000, 256)(posts)
    x = keras.layers.Conv1D(128, 5, activation="relu")(x)
    x = keras.layers.MaxPooling1D(5)(x)
    x = keras.layers.Conv1D(256, 5, activation="relu")(x)
    x = keras.layers.Conv1D(256, 5, activation="relu")(x)
    x = keras.layers.MaxPooling1D(5)(x)
    x = keras.layers.Conv1D(256, 5, activation="relu")(x)
    x = keras.layers.Conv1D(256, 5, activation="relu")(x)
    x = keras.layers.GlobalMaxPooling1D()(x)
    x = keras.layers.Dense(128, activation="relu")(x)
    outs = [keras.layers.Dense(1)(x), keras.layers.Dense(10, activation="softmax")(x),
            keras.layers.Dense(1, activation="sigmoid")(x)]
    assert keras.Model(posts, outs).count_params() == 14_146_316


def test_news_model_matches_keras_total():
    main = keras.Input((100,), dtype="int32")
    aux = keras.Input((5,), dtype="float32")
    lstm_out = keras.layers.LSTM(32)(keras.layers.Embedding(10000, 512)(main))
    aux_out = keras.layers.Dense(1, activation="sigmoid")(lstm_out)
    x = keras.layers.Concatenate()([lstm_out, aux])
    for units in (64, 64, 64):
        x = keras.layers.Dense(units, activation="relu")(x)
    main_out = keras.layers.Dense(1, activation="sigmoid")(x)
    assert keras.Model([main, aux], [aux_out, main_out]).count_params() == 5_200_610


def test_generated_signatures_are_current():
    path = ROOT / "scripts" / "gen_catalog.py"
    spec = importlib.util.spec_from_file_location("gen_catalog", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    committed = (ROOT / "graphdsl" / "catalog" / "_signatures.py").read_text()
    assert committed == mod.generate(), "run scripts/gen_catalog.py to regenerate _signatures.py"
