"""`graphdsl.from_keras` against Keras: round trips, weights, nested models, training set-up,
and honest refusals. Tiny models; the zoo's subset is in test_import_zoo_keras.py."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from keras import layers  # noqa: E402

import graphdsl  # noqa: E402
from graphdsl.backend import importer, weights  # noqa: E402
from graphdsl.catalog import get_layer, get_merge  # noqa: E402
from graphdsl.graph import MathOp, op_outputs  # noqa: E402
from graphdsl.testing import programs  # noqa: E402

pytestmark = pytest.mark.keras

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.gd"))


def _spec(layer):
    return get_layer(layer.class_name) or get_merge(
        next(n for n in ("concat", "add", "subtract", "multiply", "average", "maximum", "minimum", "dot")
             if get_merge(n).keras_class == layer.class_name))


_KERAS = importer._Describer()


def _meaning(layer) -> tuple:
    """A layer as Keras makes it from its arguments: its class and config, its name aside (so
    ``ZeroPadding2D(3)`` and ``ZeroPadding2D(((3, 3), (3, 3)))``, "swish" and "silu", a default
    written out or left out, are the same layer)."""
    config = _KERAS.config_of(_spec(layer), dict(layer.args))
    assert config is not None, layer
    return layer.class_name, {k: v for k, v in config.items() if k != "name"}


def _without_defaults(layer) -> tuple:
    spec = _spec(layer)
    kept = {}
    for name, value in layer.args.items():
        p = spec.param(name) if hasattr(spec, "param") else next(q for q in spec.params if q.name == name)
        if not _is_default(value, p.default):
            kept[name] = value
    return layer.class_name, kept


def _is_default(value: object, default: object) -> bool:
    """`value` is Keras's default: equal and of the same type, or a size written once for a
    tuple of equal sizes (``strides=1`` for ``(1, 1)``)."""
    if isinstance(default, tuple) and isinstance(value, int) and not isinstance(value, bool):
        return len(set(default)) == 1 and value == default[0]
    return value == default and type(value) is type(default)


def _optimizer(spec) -> tuple:
    cls = graphdsl.catalog.OPTIMIZERS.keras_class(spec.name)
    default = getattr(keras.optimizers, cls)().get_config()

    def same(a, b) -> bool:  # Keras keeps a learning rate as a float32 variable
        return a == b or (isinstance(a, float) and isinstance(b, float) and np.float32(a) == np.float32(b))

    return spec.name, {k: v for k, v in spec.kwargs.items() if not same(default.get(k), v)}


def _ops(g) -> list:
    """The graph's ops, each tensor known by the layer that makes it (names of tensors aside)."""
    made = {}
    for op in g.ops:
        for k, (tensor, _type) in enumerate(op_outputs(op)):
            made[tensor] = f"{op.layer}:{k}"
    return sorted((op.layer, tuple(made.get(t, t) for t in op.inputs)) for op in g.ops)


def _facts(text: str) -> dict:
    """What a program means, spelling aside: the checked graph with Keras's defaults left out and
    losses, metrics and optimizers by their canonical names."""
    report = graphdsl.check(text)
    assert report.ok, report.render()
    g = report.graph
    return {
        "model": g.model_name,
        "inputs": [(i.name, i.type) for i in g.inputs],
        "layers": {name: _without_defaults(layer) for name, layer in g.layers.items()},
        "ops": _ops(g),
        "outputs": [(o.name, o.loss and o.loss.name, o.loss and dict(o.loss.kwargs), o.weight,
                     [m.name if graphdsl.catalog.METRICS.canonical(m.name) is None else
                      graphdsl.catalog.METRICS.canonical(m.name) for m in o.metrics]) for o in g.outputs],
        "optimizer": _optimizer(g.optimizer),
        "params": g.param_count,
    }


def _structure(text: str) -> tuple:
    """A program's graph up to naming: every op as what it computes (the Keras layer its
    arguments make, which layer object it applies, or the arithmetic) and
    where its operands come from, numbered by a walk back from the outputs in order, operands in
    order; inputs and outputs by their names and types. Two programs with the same structure
    build the same model whatever their blocks, statements and layer names."""
    report = graphdsl.check(text)
    assert report.ok, report.render()
    g = report.graph
    made = {tensor: (op, k) for op in g.ops for k, (tensor, _type) in enumerate(op_outputs(op))}
    inputs = {i.tensor: (i.name, i.type) for i in g.inputs}
    number: dict[int, int] = {}
    objects: dict[str, int] = {}
    rows: list[tuple] = []

    def ref(tensor):
        if not isinstance(tensor, str):
            return tensor  # a number in tensor arithmetic
        if tensor in inputs:
            return ("input", inputs[tensor])
        op, k = made[tensor]
        if id(op) not in number:
            operands = tuple(ref(t) for t in op.inputs)
            if isinstance(op, MathOp):
                what = ("math", op.op, ref(op.left), ref(op.right) if op.right is not None else None)
            else:
                layer = g.layers[op.layer]
                what = (objects.setdefault(op.layer, len(objects)), _meaning(layer), op.merge,
                        tuple((c.param, c.positional, len(c.tensors), c.listed, c.value) for c in op.call))
            number[id(op)] = len(rows)
            rows.append((what, operands, tuple(t for _id, t in op_outputs(op))))
        return number[id(op)], k

    outputs = [(o.name, ref(o.tensor), o.type) for o in g.outputs]
    return tuple(rows), tuple(outputs), tuple(inputs.values()), g.param_count


def _training(model) -> dict:
    config = model.get_compile_config()
    return {k: config.get(k) for k in ("loss", "loss_weights", "metrics")}


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_an_example_comes_back_as_itself_up_to_spelling(path: Path):
    """The contract programs and examples: built, then imported, they are the same program.
    Without blocks: the same statements and names (so the same layers and ops) and the same
    training set-up. With blocks (the outliner finds its own): the same graph up to naming
    (`_structure`: every op, operand and layer object, blocks expanded), the same configurations
    and training set-up."""
    text = path.read_text()
    keras.backend.clear_session()
    original = graphdsl.build(text)
    imported = graphdsl.from_keras(original)
    assert graphdsl.format(imported) == imported
    rebuilt = graphdsl.build(imported)
    assert weights.config_differences(original, rebuilt, weights.pair_layers(original, rebuilt)) == []
    assert rebuilt.count_params() == original.count_params()
    assert _training(rebuilt) == _training(original)
    assert _structure(imported) == _structure(text)
    if "block " not in text:
        assert _facts(imported) == _facts(text)


def _predict_equal(a, b, x) -> float:
    pa, pb = a.predict(x, verbose=0), b.predict(x, verbose=0)
    pa = list(pa.values()) if isinstance(pa, dict) else (pa if isinstance(pa, list) else [pa])
    pb = list(pb.values()) if isinstance(pb, dict) else (pb if isinstance(pb, list) else [pb])
    return max(float(np.max(np.abs(np.asarray(u) - np.asarray(v)))) for u, v in zip(pa, pb, strict=True))


def _round_trip(model, x):
    text = graphdsl.from_keras(model)
    rebuilt = graphdsl.build(text, compile=False)
    pairs = graphdsl.transfer_weights(model, rebuilt)
    assert weights.config_differences(model, rebuilt, pairs) == []
    assert rebuilt.count_params() == model.count_params()
    assert _predict_equal(model, rebuilt, x) == 0.0
    return text


def test_nested_models_are_inlined_and_a_nested_model_called_twice_shares_its_layers():
    keras.backend.clear_session()
    stem = keras.Sequential([layers.Conv2D(4, 3, name="conv"), layers.BatchNormalization(name="bn")], name="stem")
    i = keras.Input((6, 6, 4), name="a")
    tower = keras.Model(i, layers.GlobalAveragePooling2D(name="pool")(layers.Dense(5, name="proj")(i)), name="tower")
    x = keras.Input((8, 8, 3), name="image")
    y = keras.Input((8, 8, 3), name="other")
    merged = layers.Concatenate(name="both")([tower(stem(x)), tower(stem(y))])
    model = keras.Model([x, y], layers.Dense(2, name="head")(merged), name="siamese")
    rng = np.random.default_rng(1)
    text = _round_trip(model, [rng.normal(size=(3, 8, 8, 3)), rng.normal(size=(3, 8, 8, 3))])
    for name in ("conv", "bn", "proj", "pool"):
        assert f"layer {name} = " in text  # one object each, applied to both inputs


def test_a_sequential_model_and_the_arguments_left_out():
    keras.backend.clear_session()
    model = keras.Sequential([
        keras.Input((32, 32, 3), name="image"),
        layers.Conv2D(8, (3, 3), padding="same", kernel_initializer="glorot_uniform", name="c1"),
        layers.MaxPooling2D((2, 2), strides=(2, 2), name="p1"),
        layers.Conv2D(8, 3, kernel_initializer=keras.initializers.VarianceScaling(2.0, "fan_out"),
                      kernel_regularizer=keras.regularizers.L2(1e-4), name="c2"),
        layers.LayerNormalization(name="ln"),
        layers.Flatten(name="flat"),
        layers.Dense(3, activation="softmax", name="probs"),
    ], name="small")
    text = _round_trip(model, np.random.default_rng(2).normal(size=(2, 32, 32, 3)))
    assert 'Conv2D(8, 3, padding="same")' in text  # Keras's default initializer and (3, 3) as 3
    assert "MaxPooling2D()" in text  # pool_size and strides are Keras's defaults
    assert 'kernel_initializer=VarianceScaling(scale=2.0, mode="fan_out"), kernel_regularizer=L2(0.0001)' in text
    assert "LayerNormalization()" in text
    assert "output probs = " in text


def test_the_training_set_up_comes_across():
    keras.backend.clear_session()
    x = keras.Input((4,), name="x")
    h = layers.Dense(8, activation="relu", name="h")(x)
    kind = layers.Dense(3, activation="softmax", name="kind")(h)
    size = layers.Dense(1, name="size")(h)
    model = keras.Model(x, [kind, size], name="two_heads")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-4, beta_1=0.8),
                  loss={"kind": keras.losses.CategoricalCrossentropy(label_smoothing=0.1), "size": "mse"},
                  loss_weights={"kind": 1.0, "size": 0.5},
                  metrics={"kind": ["accuracy"], "size": [keras.metrics.MeanAbsoluteError()]})
    text = graphdsl.from_keras(model)
    assert "loss categorical_crossentropy(label_smoothing=0.1) metrics [accuracy]" in text
    assert "loss mse weight 0.5 metrics [mean_absolute_error]" in text
    assert "optimizer adam(learning_rate=0.0001, beta_1=0.8)" in text
    rebuilt = graphdsl.build(text)
    config = rebuilt.get_compile_config()
    assert config["optimizer"]["config"]["learning_rate"] == model.get_compile_config()["optimizer"]["config"][
        "learning_rate"]
    assert config["loss_weights"] == {"kind": 1.0, "size": 0.5}
    assert "optimizer" not in graphdsl.from_keras(model, compile=False)


def test_a_saved_file_imports_without_loading_its_weights_and_weights_carry_over(tmp_path: Path, monkeypatch):
    keras.backend.clear_session()
    x = keras.Input((10,), name="x")
    model = keras.Model(x, layers.Dense(2, name="out")(layers.Dense(6, activation="tanh", name="h")(x)), name="m")
    path = tmp_path / "m.keras"
    model.save(path)
    calls = []
    monkeypatch.setattr(keras.models, "load_model", lambda *a, **k: calls.append(k) or pytest.fail("loaded"))
    text = graphdsl.from_keras(str(path))
    monkeypatch.undo()
    assert calls == []
    rebuilt = graphdsl.build(text, compile=False)
    graphdsl.transfer_weights(str(path), rebuilt)
    assert _predict_equal(model, rebuilt, np.ones((2, 10))) == 0.0


class _Custom(layers.Layer):
    def call(self, x):
        return x * 2


class _Subclassed(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(2)

    def call(self, x):
        return self.dense(x)


def _model(*body, dtype="float32"):
    x = keras.Input((4,), name="x", dtype=dtype)
    y = x
    for layer in body:
        y = layer(y)
    return keras.Model(x, y)


@pytest.mark.parametrize(("make", "layer", "words"), [
    (lambda: _model(layers.Lambda(lambda t: t + 1, name="plus_one")), "plus_one", "Python"),
    (lambda: _model(_Custom(name="twice")), "twice", "custom layer"),
    (lambda: _model(layers.Discretization(bin_boundaries=[0.5], name="bins")), "bins", "does not support"),
    (lambda: _model(layers.Dense(2, dtype="mixed_float16", name="half")), "half", "dtype policy"),
    (lambda: _model(layers.Dense(2, name="d"), layers.Dropout(0.5, name="mc")), None, None),
])
def test_what_graphdsl_cannot_write_is_refused_naming_the_layer(make, layer, words):
    keras.backend.clear_session()
    model = make()
    if layer is None:  # a control: the same shape of model is accepted
        assert graphdsl.check(graphdsl.from_keras(model)).ok
        return
    with pytest.raises(graphdsl.ImportRefused, match=words) as info:
        graphdsl.from_keras(model)
    assert info.value.layer.split("/")[-1] == layer


def test_a_call_with_training_true_and_a_subclassed_model_are_refused():
    keras.backend.clear_session()
    x = keras.Input((4,))
    model = keras.Model(x, layers.Dropout(0.5, name="mc_dropout")(x, training=True))
    with pytest.raises(graphdsl.ImportRefused, match="training=True"):
        graphdsl.from_keras(model)
    sub = _Subclassed()
    sub(np.zeros((1, 4)))
    with pytest.raises(graphdsl.ImportRefused, match="subclassed"):
        graphdsl.from_keras(sub)


def test_a_file_that_needs_unsafe_loading_is_refused_not_loaded(tmp_path: Path):
    keras.backend.clear_session()
    path = tmp_path / "lambda.keras"
    _model(layers.Lambda(lambda t: t * 3.0, name="times_three")).save(path)
    with pytest.raises(graphdsl.ImportRefused, match="times_three"):
        graphdsl.from_keras(str(path))
    with pytest.raises(graphdsl.ImportRefused, match="safe_mode"):
        weights.load_safely(path)


@settings(max_examples=int(os.environ.get("GRAPHDSL_KERAS_EXAMPLES", "12")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(programs(max_inputs=2, max_outputs=2, max_depth=4))
def test_a_generated_program_built_and_imported_checks_clean_with_the_same_shapes_and_counts(text: str):
    keras.backend.clear_session()
    before = graphdsl.check(text)
    model = graphdsl.build(text, compile=False)
    after = graphdsl.check(graphdsl.from_keras(model))
    assert after.ok, after.render()
    assert after.param_count == before.param_count
    assert [(i.name, i.type) for i in after.graph.inputs] == [(i.name, i.type) for i in before.graph.inputs]
    assert [(o.name, o.type) for o in after.graph.outputs] == [(o.name, o.type) for o in before.graph.outputs]


def test_structure_only_reading_needs_no_catalog():
    keras.backend.clear_session()
    model = _model(_Custom(name="twice"), layers.Dense(2, name="d"))
    structure = importer.read(importer.config_of_model(model), structure_only=True)
    assert [n.op for n in structure.nodes] == ["_Custom", "Dense"]


def test_an_explicit_mask_is_written_and_the_mask_of_mask_zero_is_the_embedding_s_own():
    keras.backend.clear_session()
    ids = keras.Input((5,), dtype="int32", name="ids")
    emb = layers.Embedding(50, 4, mask_zero=True, name="emb")(ids)
    derived = graphdsl.from_keras(keras.Model(ids, layers.LSTM(3, name="rnn")(emb)))
    assert "output rnn = ids -> Embedding(50, 4, mask_zero=True) -> LSTM(3)" in derived
    x = keras.Input((5, 4), name="x")
    m = keras.Input((5,), dtype="bool", name="m")
    explicit = graphdsl.from_keras(keras.Model([x, m], layers.LSTM(3, name="rnn")(x, mask=m)))
    assert "output rnn = LSTM(3)(x, mask=m)" in explicit
    assert graphdsl.check(explicit).ok
