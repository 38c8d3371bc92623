"""Fidelity of the Keras lowering: built models are the models a person would write by hand.

Both contract programs build with their documented parameter counts and, given the same
weights, predict exactly what the hand-written Keras models (``handwritten.py``) predict. The
compiled model trains on dict data keyed by name with the right weighted total loss; ``.keras``
files are safe to load and written atomically; a MirroredStrategy over two logical CPUs works.
Models are shrunk with ``params`` wherever the exact size is not the point.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import zipfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from graphdsl.api import analyze  # noqa: E402
from graphdsl.backend import lower  # noqa: E402
from graphdsl.source import SourceFile  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
import handwritten  # noqa: E402

pytestmark = pytest.mark.keras

ROOT = Path(__file__).resolve().parents[2]
SOCIAL = (ROOT / "examples" / "social.gd").read_text()
NEWS = (ROOT / "examples" / "news.gd").read_text()

# Two logical CPUs for MirroredStrategy; only possible before TensorFlow initializes its devices
# (if another test module in this process already did, the strategy test is skipped).
try:
    _cpus = tf.config.list_physical_devices("CPU")
    tf.config.set_logical_device_configuration(
        _cpus[0], [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()]
    )
except (RuntimeError, ValueError, IndexError):
    pass

# The layer classes a graphdsl artifact may contain (checked in the saved config.json).
ALLOWED_CLASSES = {
    "Functional", "InputLayer", "Embedding", "Conv1D", "MaxPooling1D", "GlobalMaxPooling1D", "Dense",
    "LSTM", "LSTMCell", "Concatenate", "Identity", "Add", "Dropout",
}  # fmt: skip


def graph_of(text: str, params: dict | None = None, filename: str = "<test>"):
    """The checked graph of a program (fails the test on diagnostics)."""
    report, graph = analyze(text, filename, params=params)
    assert graph is not None, report.render()
    return graph


def build(text: str, params: dict | None = None, **kw) -> keras.Model:
    return lower.build_model(graph_of(text, params), source=SourceFile("<test>", text), **kw)


def copy_weights(source: keras.Model, target: keras.Model) -> None:
    """Copy weights layer by layer, in topological order (the designs are the same)."""
    src = [layer for layer in source.layers if layer.weights]
    dst = [layer for layer in target.layers if layer.weights]
    assert [type(a).__name__ for a in src] == [type(b).__name__ for b in dst]
    for a, b in zip(src, dst, strict=True):
        b.set_weights(a.get_weights())


def social_data(n: int = 4, vocab: int = 100, length: int = 300, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = {"posts": rng.integers(0, vocab, (n, length)).astype("int32")}
    y = {
        "age": rng.random((n, 1)).astype("float32"),
        "income": np.eye(10, dtype="float32")[rng.integers(0, 10, n)],
        "gender": rng.integers(0, 2, (n, 1)).astype("float32"),
    }
    return x, y


def news_data(n: int = 4, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = {
        "main_input": rng.integers(0, 10000, (n, 100)).astype("int32"),
        "aux_input": rng.random((n, 5)).astype("float32"),
    }
    y = {"aux_output": rng.integers(0, 2, (n, 1)).astype("float32"),
         "main_output": rng.integers(0, 2, (n, 1)).astype("float32")}  # fmt: skip
    return x, y


# --- the contract programs -----------------------------------------------------------------------


def test_contract_programs_build_with_the_documented_parameter_counts():
    social = build(SOCIAL, compile=False)
    news = build(NEWS, compile=False)
    assert social.count_params() == 14_146_316 == handwritten.social(compile=False).count_params()
    assert news.count_params() == 5_200_610 == handwritten.news(compile=False).count_params()
    assert [t.name for t in social.inputs] == ["posts"]
    assert [t.name for t in news.inputs] == ["main_input", "aux_input"]
    assert social.output_names == ["age", "income", "gender"]
    assert news.output_names == ["aux_output", "main_output"]
    assert social.name == "social" and news.name == "news"


def test_layer_names_are_deterministic_and_unique():
    first = [layer.name for layer in build(NEWS, compile=False).layers]
    second = [layer.name for layer in build(NEWS, compile=False).layers]
    assert first == second
    assert len(set(first)) == len(first)


def test_social_predicts_what_the_handwritten_model_predicts():
    model = build(SOCIAL, {"vocab": 100})
    reference = handwritten.social(vocab=100)
    copy_weights(model, reference)
    x, _ = social_data()
    ours = model.predict(x, verbose=0)
    theirs = reference.predict(x["posts"], verbose=0)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


def test_news_predicts_what_the_handwritten_model_predicts():
    model = build(NEWS)
    reference = handwritten.news()
    copy_weights(model, reference)
    x, _ = news_data()
    ours = model.predict(x, verbose=0)
    theirs = reference.predict([x["main_input"], x["aux_input"]], verbose=0)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


def test_compiled_losses_weights_and_metrics_are_keyed_by_output_name():
    model = build(SOCIAL, {"vocab": 100})
    assert isinstance(model.optimizer, keras.optimizers.RMSprop)
    x, y = social_data()
    logs = model.evaluate(x, y, return_dict=True, verbose=0)
    assert {"loss", "age_loss", "income_loss", "gender_loss", "income_accuracy", "gender_accuracy"} <= set(logs)
    weighted = 0.25 * logs["age_loss"] + 1.0 * logs["income_loss"] + 10.0 * logs["gender_loss"]
    assert logs["loss"] == pytest.approx(weighted, rel=1e-5)


def test_one_fit_step_on_dict_data_matches_the_handwritten_model():
    model = build(SOCIAL, {"vocab": 100})
    reference = handwritten.social(vocab=100)
    copy_weights(model, reference)
    x, y = social_data()
    ours = model.fit(x, y, batch_size=4, epochs=1, verbose=0, shuffle=False).history
    theirs = reference.fit(x["posts"], y, batch_size=4, epochs=1, verbose=0, shuffle=False).history
    assert ours["loss"][0] == pytest.approx(theirs["loss"][0], rel=1e-5)


def test_params_overrides_change_the_model():
    model = build(SOCIAL, {"vocab": 1000}, compile=False)
    embedding = next(layer for layer in model.layers if isinstance(layer, keras.layers.Embedding))
    assert embedding.input_dim == 1000
    assert model.count_params() == 14_146_316 - (50_000 - 1000) * 256
    income = model.get_layer("income")
    assert income.units == 10
    assert build(SOCIAL, {"vocab": 1000, "income_groups": 3}, compile=False).get_layer("income").units == 3


# --- other programs ------------------------------------------------------------------------------

SHARED = """
model shared
input a: float32[8]
input b: float32[8]
layer encode = Dense(4, activation="tanh")
ea = a -> encode
eb = b -> encode
output same = concat(ea, eb) -> Dense(1, activation="sigmoid") loss binary_crossentropy
output code = ea
optimizer adam(learning_rate=0.01)
"""


def test_a_declared_layer_is_one_shared_object_and_an_output_without_loss_gets_none():
    graph = graph_of(SHARED)
    model = lower.build_model(graph, source=SourceFile("<test>", SHARED))
    encode = model.get_layer("encode")
    assert len(encode._inbound_nodes) == 2
    assert model.count_params() == 8 * 4 + 4 + 8 + 1
    assert model.output_names == ["same", "code"]
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01)
    rng = np.random.default_rng(0)
    x = {"a": rng.random((4, 8)), "b": rng.random((4, 8))}
    # Keras 3 wants a target for every output, even one without a loss.
    y = {"same": rng.integers(0, 2, (4, 1)).astype("float32"), "code": np.zeros((4, 4), "float32")}
    logs = model.train_on_batch(x, y, return_dict=True)
    assert np.isfinite(logs["loss"])
    assert lower.cross_check(graph, model, SourceFile("<test>", SHARED)) == []


SINGLE = """
input x: float32[3]
output y = x -> Dense(2, activation="softmax") loss categorical_crossentropy(label_smoothing=0.1) metrics [accuracy]
"""


def test_a_single_output_model_trains_on_targets_keyed_by_name():
    model = build(SINGLE)
    rng = np.random.default_rng(0)
    x = {"x": rng.random((4, 3)).astype("float32")}
    y = {"y": np.eye(2, dtype="float32")[rng.integers(0, 2, 4)]}
    logs = model.train_on_batch(x, y, return_dict=True)
    assert np.isfinite(logs["loss"])
    assert model.predict(x, verbose=0)["y"].shape == (4, 2)
    assert isinstance(model.optimizer, keras.optimizers.RMSprop)  # the default


def test_an_integer_where_a_keras_object_wants_a_float_trains():
    # OrthogonalRegularizer keeps factor=1 as an int32 tensor, then cannot multiply it by 0.5
    model = build("input x: float32[3]\noutput y = x -> Dense(4, kernel_regularizer=OrthogonalRegularizer("
                  "factor=1)) -> Dense(1) loss mse\n")
    rng = np.random.default_rng(0)
    logs = model.train_on_batch({"x": rng.random((4, 3)).astype("float32")}, {"y": rng.random((4, 1))},
                                return_dict=True)
    assert np.isfinite(logs["loss"])


def test_a_disagreement_with_keras_is_an_internal_error_naming_the_layer_and_place():
    graph = graph_of(NEWS, filename="news.gd")
    bad = dict(graph.layers)
    bad["lstm_out_lstm"] = dataclasses.replace(bad["lstm_out_lstm"], params=1)
    graph = dataclasses.replace(graph, layers=bad)
    with pytest.raises(lower.InternalError) as err:
        lower.build_model(graph, compile=False, source=SourceFile("news.gd", NEWS))
    message = str(err.value)
    assert "lstm_out_lstm" in message and "news.gd:7:51" in message and "69,760" in message


# --- saving --------------------------------------------------------------------------------------


def test_a_saved_model_loads_safely_and_holds_only_allow_listed_layers(tmp_path):
    model = build(NEWS)
    path = tmp_path / "news.keras"
    lower.save_atomic(model, path)
    assert [p.name for p in tmp_path.iterdir()] == ["news.keras"]
    loaded = keras.models.load_model(path, safe_mode=True)
    assert loaded.count_params() == 5_200_610
    with zipfile.ZipFile(path) as z:
        config = z.read("config.json").decode()
    classes = set()

    def walk(node):
        if isinstance(node, dict):
            if "class_name" in node and "config" in node and node.get("module", "").startswith("keras.layers"):
                classes.add(node["class_name"])
            if node.get("module") == "keras.src.models.functional" or node.get("class_name") == "Functional":
                classes.add("Functional")
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(json.loads(config))
    assert classes and classes <= ALLOWED_CLASSES, classes - ALLOWED_CLASSES
    # How Keras stores Python code (a Lambda's function, a custom object's module) never appears.
    for code_marker in ('"__lambda__"', '"function":', '"function_type"', '"Lambda"', '"code":', "__main__"):
        assert code_marker not in config


def test_a_failed_save_leaves_the_existing_file_byte_identical(tmp_path, monkeypatch):
    model = build(SINGLE)
    path = tmp_path / "model.keras"
    path.write_bytes(b"the previous artifact")

    real_save = keras.Model.save

    def broken_save(self, filepath, *args, **kwargs):
        real_save(self, filepath, *args, **kwargs)  # a partial file is on disk...
        raise OSError("disk full")  # ...and then the save fails

    monkeypatch.setattr(keras.Model, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        lower.save_atomic(model, path)
    assert path.read_bytes() == b"the previous artifact"
    assert [p.name for p in tmp_path.iterdir()] == ["model.keras"]


# --- distribution --------------------------------------------------------------------------------


def test_a_mirrored_strategy_over_two_cpus_builds_and_fits_one_step():
    if len(tf.config.list_logical_devices("CPU")) < 2:
        pytest.skip("TensorFlow initialized its devices before this module could split the CPU")
    strategy = lower.strategy_from_name("mirrored")
    assert strategy.num_replicas_in_sync == 2
    model = build(NEWS, strategy=strategy)
    assert model.distribute_strategy is strategy
    x, y = news_data(n=8)
    history = model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_an_unknown_strategy_name_is_refused():
    with pytest.raises(ValueError, match="mirrored"):
        lower.strategy_from_name("tpu")


def test_build_takes_a_path_as_check_does(tmp_path):
    import graphdsl

    path = tmp_path / "tiny.gd"
    path.write_text("input x: float32[4]\noutput y = x -> Dense(2) loss mse\n")
    assert graphdsl.build(path).count_params() == 10
    assert graphdsl.build(str(path)).count_params() == 10
    with pytest.raises(FileNotFoundError):
        graphdsl.build(str(tmp_path / "missing.gd"))
