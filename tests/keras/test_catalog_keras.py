"""The catalog's rules against Keras itself.

Every descriptor's example cases (``graphdsl/catalog/layers/``): build ``keras.Input``s and call
the Keras layer on them (several tensors and call constants too: ``MultiHeadAttention(...)(q, v,
return_attention_scores=True)``, ``LSTM(...)(x, initial_state=[h, c])``), then compare each
symbolic output's shape and dtype and the built layer's ``count_params()`` with the catalog's
answers. Where the catalog raises ShapeError Keras must fail too, unless the case is a deliberate
refusal (``refuse=True``: Keras builds it symbolically but its kernels would fail, or its symbolic
shapes would be wrong). And because Keras's symbolic shapes accept inputs its kernels refuse,
every accepted case also runs: the layer on a tiny batch of the declared dtype, eagerly, for
inference and for training (shapes and dtypes checked again), and one case per layer through
``Model.predict``. Merges likewise. Also: the committed ``_signatures.py`` (and the generated
layer lists of the docs) match what ``scripts/gen_catalog.py`` makes now; the object classes of
the catalog are Keras's; models with the keras.applications layers and with Keras objects as
arguments load with ``safe_mode=True``.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import itertools
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import graphdsl  # noqa: E402
from graphdsl.backend import lower  # noqa: E402
from graphdsl.catalog import (  # noqa: E402
    LayerValue,
    ObjectValue,
    ShapeError,
    TensorType,
    all_descriptors,
    get_layer,
    get_merge,
)
from graphdsl.catalog.objects import FAMILIES as OBJECT_FAMILIES  # noqa: E402
from graphdsl.catalog.objects import KINDS as OBJECT_KINDS  # noqa: E402
from graphdsl.catalog.types import FLOAT_DTYPES  # noqa: E402

pytestmark = pytest.mark.keras

ROOT = Path(__file__).resolve().parents[2]
F = "float32"
UNKNOWN_SIZE = 8  # a `?` axis runs with this size
RNG = np.random.default_rng(0)


def T(*shape, dtype=F):  # noqa: N802 - reads like the type it builds
    return TensorType(tuple(shape), dtype)


# ---------------------------------------------------------------- from the catalog to Keras


def to_keras(value):
    """A LayerValue or ObjectValue becomes the Keras object; tuples stay tuples."""
    if isinstance(value, (LayerValue, ObjectValue)):
        cls = getattr(importlib.import_module(value.spec.module), value.spec.name)
        return cls(**{k: to_keras(v) for k, v in value.spec.keras_kwargs(value.args).items()})
    if isinstance(value, tuple):
        return tuple(to_keras(v) for v in value)
    return value


def keras_layer(spec, args):
    cls = getattr(importlib.import_module(spec.module), spec.name)
    return cls(**{k: to_keras(v) for k, v in spec.keras_kwargs(args).items()})


def symbolic(t: TensorType):
    return keras.Input(t.shape, dtype=t.dtype)


def data(t: TensorType, batch: int = 2):
    shape = (batch, *(UNKNOWN_SIZE if d is None else d for d in t.shape))
    if t.dtype == "bool":
        return RNG.integers(0, 2, shape).astype(bool)
    if t.dtype in ("int32", "int64", "uint8"):
        return RNG.integers(0, 2, shape).astype(t.dtype)
    return RNG.uniform(0.1, 1.0, shape).astype(t.dtype if t.dtype != "bfloat16" else "float32")


def call_args(spec, call, make):
    """Keras's positional first tensor and keyword rest, with each tensor made by `make`."""

    def conv(v):
        if isinstance(v, TensorType):
            return make(v)
        if isinstance(v, tuple) and v and all(isinstance(t, TensorType) for t in v):
            return [make(t) for t in v]
        return v

    first = spec.tensor_param.name
    return conv(call[first]), {k: conv(v) for k, v in call.items() if k != first}


def as_tuple(out):
    return tuple(out) if isinstance(out, (list, tuple)) else (out,)


def _cases():
    for spec in all_descriptors():
        for i, case in enumerate(spec.examples()):
            call = case.call if case.call is not None else {spec.tensor_param.name: case.inp}
            shown = ",".join(f"{k}={getattr(v, 'spec', None) and v.spec.name or v}" for k, v in case.args.items())
            tensors = "+".join(
                str(v) if isinstance(v, TensorType) else "[" + "+".join(map(str, v)) + "]"
                for v in call.values() if isinstance(v, (TensorType, tuple)) and v
                and all(isinstance(t, TensorType) for t in (v if isinstance(v, tuple) else (v,)))
            )
            yield pytest.param(spec.name, case.args, call, case.refuse, case.runs,
                               id=f"{spec.name}-{i}({shown})@{tensors}")


CASES = list(_cases())
_predicted: set[str] = set()  # one Model.predict per layer is enough to exercise the graph path


def _kind_refusal(spec, args) -> str | None:
    """What binding the program's arguments would refuse (the kinds), as the checker does."""
    for name, value in args.items():
        p = spec.param(name)
        if value == p.default and type(value) is type(p.default):
            continue
        message = p.kind.check(value)
        if message is not None:
            return f"{name}: {message}"
    return None


def _first_dtype(spec, call) -> str:
    first = call[spec.tensor_param.name]
    return (first[0] if isinstance(first, tuple) else first).dtype


def _run(spec, args, call, expected, modes, predict: bool) -> list[str]:
    """Run the layer on data in each mode (eagerly; and through Model.predict if `predict`) and
    say where its outputs differ from `expected` (known sizes, dtypes) or where it fails."""
    problems = []
    layer = keras_layer(spec, args)
    first, rest = call_args(spec, call, symbolic)
    layer(first, **rest)  # build as the functional model does
    in_dtype = _first_dtype(spec, call)

    def compare(mode, got_all):
        if len(got_all) != len(expected):
            problems.append(f"{mode}: {len(got_all)} outputs, {len(expected)} expected")
            return
        for want, got in zip(expected, got_all, strict=True):
            shape = tuple(got.shape)[1:]
            if len(shape) != len(want.shape) or any(
                    w is not None and w != g for w, g in zip(want.shape, shape, strict=True)):
                problems.append(f"{mode}: ran to shape {tuple(got.shape)}, expected {want}")
            dtype = keras.backend.standardize_dtype(got.dtype)
            # Keras declares float32 for layers that pass integers (and bools) through unchanged
            if dtype != want.dtype and not (dtype == in_dtype and in_dtype not in FLOAT_DTYPES):
                problems.append(f"{mode}: ran to dtype {dtype}, expected {want.dtype}")

    first, rest = call_args(spec, call, data)
    for mode in modes:
        try:
            compare(mode, as_tuple(layer(first, **rest, training=mode == "training")))
        except Exception as e:  # noqa: BLE001
            problems.append(f"{mode}: {type(e).__name__}: {str(e)[:300]}")
    if "inference" in modes and predict:
        inputs = {}

        def named_input(t):
            key = f"in{len(inputs)}"
            inputs[key] = (symbolic(t), data(t))
            return inputs[key][0]

        try:
            model_first, model_rest = call_args(spec, call, named_input)
            model = keras.Model([v[0] for v in inputs.values()], keras_layer(spec, args)(model_first, **model_rest))
            compare("predict", as_tuple(model.predict([v[1] for v in inputs.values()], verbose=0, batch_size=2)))
        except Exception as e:  # noqa: BLE001
            problems.append(f"predict: {type(e).__name__}: {str(e)[:300]}")
    return problems


_calls = [0]


@pytest.mark.parametrize(("name", "args", "call", "refuse", "runs"), CASES)
def test_layer_rule_matches_keras(name, args, call, refuse, runs):
    _calls[0] += 1
    if _calls[0] % 200 == 0:  # Keras's global state grows with every layer made; keep it small
        keras.backend.clear_session()
    spec = get_layer(name)
    try:
        refused = _kind_refusal(spec, args)
        if refused is not None:
            raise ShapeError(refused)
        ours = spec.outputs(args, call)
        count = spec.count(args, call)
        ours_error = None
    except ShapeError as e:
        ours, ours_error = None, e
    try:
        layer = keras_layer(spec, args)
        first, rest = call_args(spec, call, symbolic)
        outs = as_tuple(layer(first, **rest))
        keras_error = None
    except Exception as e:  # noqa: BLE001 - any Keras failure counts as "refused"
        outs, keras_error = None, e
    if ours_error is not None:
        if keras_error is not None:
            return
        assert refuse, f"we refuse ({ours_error}) but Keras gives {outs}"
        # A deliberate refusal is justified: Keras's kernels fail on it, or its symbolic shapes are
        # wrong -- or it is graphdsl's policy: booleans are not numbers, floats are not ids.
        if refuse == "policy" or any(isinstance(v, TensorType) and v.dtype == "bool" or isinstance(v, tuple) and any(
                isinstance(t, TensorType) and t.dtype == "bool" for t in v) for v in call.values()):
            return
        keras_types = tuple(TensorType(tuple(o.shape)[1:], o.dtype) for o in outs)
        assert _run(spec, args, call, keras_types, ("inference", "training"), predict=True), (
            f"we refuse ({ours_error}), but Keras builds and runs it as {keras_types}")
        return
    assert not refuse, "case marked as a deliberate refusal, but the catalog accepted it"
    assert keras_error is None, f"we infer {ours}, but Keras fails: {keras_error}"
    assert len(ours) == len(outs), f"{len(ours)} outputs inferred, Keras makes {len(outs)}"
    for mine, theirs in zip(ours, outs, strict=True):
        assert mine.shape == tuple(theirs.shape)[1:], f"shape: ours {mine}, keras {theirs.shape}"
        # Keras declares float32 for some layers that pass integers through: the run below checks ours
        assert mine.dtype == theirs.dtype or lower.symbolic_float(theirs.dtype, mine.dtype, _first_dtype(spec, call)), (
            f"dtype: ours {mine.dtype}, keras {theirs.dtype}")
    assert count == layer.count_params()
    # "check ok" means it runs: Keras's kernels on a tiny batch of the declared dtype
    problems = _run(spec, args, call, ours, runs, predict=name not in _predicted)
    assert not problems, "\n".join(problems)
    if "inference" in runs:
        _predicted.add(name)


# ---------------------------------------------------------------- merges

MERGE_CASES: list = []


def addm(merge, args, inputs, refuse=False):
    MERGE_CASES.append(pytest.param(merge, dict(args), list(inputs), refuse, id=f"{merge}{args}@{inputs}"))


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
addm("add", {}, [T(3, dtype="int32"), T(3, dtype="int64")], refuse=True)  # Keras says float32, computes int64
addm("add", {}, [T(3, dtype="bool"), T(3, dtype="bool")], refuse=True)
addm("multiply", {}, [T(4, 4, 8), T(1, 1, 8)])  # squeeze-and-excitation
for axes, (a, b) in itertools.product(
    [1, -1, (1, 1), (2, 1)], [((4,), (4,)), ((3, 4), (3, 4)), ((3, 4), (4, 3)), ((3,), (4,)), ((None, 4), (None, 4))]
):
    addm("dot", dict(axes=axes), [T(*a), T(*b)])
addm("dot", dict(axes=1, normalize=True), [T(4), T(4)])


@pytest.mark.parametrize(("name", "args", "inputs", "refuse"), MERGE_CASES)
def test_merge_rule_matches_keras(name, args, inputs, refuse):
    spec = get_merge(name)
    try:
        ours = spec.infer(args, inputs)
        ours_error = None
    except ShapeError as e:
        ours, ours_error = None, e
    try:
        layer = getattr(keras.layers, spec.keras_class)(**spec.keras_kwargs(args))
        out = layer([symbolic(t) for t in inputs])
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


# ---------------------------------------------------------------- the contract programs


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


# ---------------------------------------------------------------- generated files, Keras's classes


def _generator():
    spec = importlib.util.spec_from_file_location("gen_catalog", ROOT / "scripts" / "gen_catalog.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_generated_signatures_are_current():
    committed = (ROOT / "graphdsl" / "catalog" / "_signatures.py").read_text()
    assert committed == _generator().generate(), "run scripts/gen_catalog.py to regenerate _signatures.py"


def test_object_classes_are_kerass():
    """Every initializer, regularizer and constraint class Keras exports is in the catalog, and no
    other (but STFT, which needs scipy)."""
    for family, module in OBJECT_FAMILIES.items():
        exported = {
            name for name, obj in vars(importlib.import_module(module)).items()
            if inspect.isclass(obj) and obj.__name__ == name
            and name not in ("Initializer", "Regularizer", "Constraint", *_generator().SKIPPED_OBJECTS)
        }
        assert exported == set(OBJECT_KINDS[family]), family


# ---------------------------------------------------------------- safe loading


@pytest.fixture
def fresh_keras():
    keras.backend.clear_session()


def _roundtrip(model, tmp_path):
    path = tmp_path / "m.keras"
    lower.save_atomic(model, path)
    return keras.models.load_model(path, safe_mode=True)


def test_keras_objects_as_arguments_build_and_load_safely(tmp_path, fresh_keras):
    """Every object class, as graphdsl writes it, lowers to the Keras object and survives safe loading."""
    steps = []
    for name in OBJECT_KINDS["initializer"]:
        steps.append(f"Dense(4, kernel_initializer={name}())")
    for name in OBJECT_KINDS["regularizer"]:
        steps.append(f"Dense(4, kernel_regularizer={name}())")
    for name in OBJECT_KINDS["constraint"]:
        steps.append(f"Dense(4, kernel_constraint={name}())")
    steps += [
        'Dense(4, kernel_initializer=VarianceScaling(scale=2.0, mode="fan_out", distribution="truncated_normal"))',
        "Dense(4, bias_initializer=Constant(0.5), kernel_initializer=HeNormal(seed=1))",
        "Dense(4, kernel_regularizer=L2(1e-4), bias_regularizer=L1L2(l1=0.01, l2=0.01), kernel_constraint=MaxNorm(3))",
    ]
    text = "input x: float32[4]\noutput y = x\n" + "".join(f"    -> {s}\n" for s in steps) + "    loss mse\n"
    report = graphdsl.check(text)
    assert report.ok, report.render()
    model = graphdsl.build(text, compile=False)
    dense = model.layers[-1]
    assert type(dense.kernel_regularizer).__name__ == "L2" and dense.kernel_regularizer.l2 == pytest.approx(1e-4)
    assert type(dense.kernel_constraint).__name__ == "MaxNorm"
    loaded = _roundtrip(model, tmp_path)
    x = data(T(4))
    np.testing.assert_allclose(loaded.predict(x, verbose=0)["y"], model.predict(x, verbose=0)["y"], rtol=1e-6)


def test_application_layers_load_safely(tmp_path, fresh_keras):
    """LayerScale (a chain step) through graphdsl, CustomScaleLayer (a list of two) by hand: both load
    with safe_mode=True, from their keras.applications modules."""
    model = graphdsl.build("input x: float32[3, 8]\noutput y = x -> Dense(8) -> LayerScale(1e-6, 8) loss mse\n")
    assert [type(layer).__name__ for layer in _roundtrip(model, tmp_path).layers][-1] == "LayerScale"
    spec = get_layer("CustomScaleLayer")
    a, b = keras.Input((4,)), keras.Input((4,))
    scaled = keras.Model([a, b], keras_layer(spec, {"scale": 0.17})([a, b]))
    loaded = _roundtrip(scaled, tmp_path)
    xa, xb = data(T(4)), data(T(4))
    np.testing.assert_allclose(loaded.predict([xa, xb], verbose=0), xa + 0.17 * xb, rtol=1e-5)
