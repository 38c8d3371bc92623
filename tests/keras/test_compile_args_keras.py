"""Every loss, metric and optimizer, with arguments drawn from what `catalog.compile_args` accepts,
builds, trains, predicts, saves and loads back the same — and costs the memory the budget says.

One tiny model per registry entry (its canonical name): the program is written as a person would
write it, checked by `graphdsl.check` (arguments the rules refuse are drawn again), built, trained
one step on data suited to the entry, used to predict (shapes and dtypes as check inferred), saved
and loaded with ``safe_mode=True`` without a warning. The loaded model's compile config equals the
built one's, and each loss, metric and optimizer rebuilt from the loaded file has the state it was
built with (an argument Keras does not save would show here). The optimizer's slots and the metric's
state are what `passes.budget` estimated, to the byte (Adafactor and Muon: at most the estimate).

``GRAPHDSL_COMPILE_EXAMPLES`` (default 1) sets the examples per entry; the long local run used 20.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import graphdsl  # noqa: E402
from graphdsl.backend import lower  # noqa: E402
from graphdsl.catalog import LOSSES, METRICS, OPTIMIZERS  # noqa: E402
from graphdsl.catalog import compile_args as ca  # noqa: E402
from graphdsl.escape import quote  # noqa: E402
from graphdsl.passes import budget  # noqa: E402

pytestmark = pytest.mark.keras

EXAMPLES = int(os.environ.get("GRAPHDSL_COMPILE_EXAMPLES", "1"))
N = 8  # samples: one batch, one step

# ---- what each entry judges: an output and targets that suit it --------------------------------

# recipe -> (input declaration, the output's chain, loss suited to it)
OUTPUTS = {
    "binary": ("float32[4]", 'Dense(1, activation="sigmoid")', "binary_crossentropy"),
    "multilabel": ("float32[4]", 'Dense(3, activation="sigmoid")', "binary_crossentropy"),
    "categorical": ("float32[4]", 'Dense(3, activation="softmax")', "categorical_crossentropy"),
    "sparse": ("float32[4]", 'Dense(3, activation="softmax")', "sparse_categorical_crossentropy"),
    "regression": ("float32[4]", "Dense(3)", "mse"),
    "positive": ("float32[4]", 'Dense(3, activation="softplus")', "poisson"),
    "embedding": ("float32[4]", "Dense(4)", "mse"),
    "sequence": ("float32[6, 4]", 'Dense(5, activation="softmax")', "mse"),
}


def targets(recipe: str, rng: np.random.Generator) -> np.ndarray:
    if recipe == "binary":
        return rng.integers(0, 2, (N, 1)).astype("float32")
    if recipe == "multilabel":
        return rng.integers(0, 2, (N, 3)).astype("float32")
    if recipe == "categorical":
        return np.eye(3, dtype="float32")[rng.integers(0, 3, N)]
    if recipe == "sparse":
        return rng.integers(0, 3, (N, 1)).astype("int32")
    if recipe == "positive":
        return rng.uniform(0.1, 2, (N, 3)).astype("float32")
    if recipe == "embedding":  # Circle: a class label per sample
        return rng.integers(0, 3, (N,)).astype("int32")
    if recipe == "sequence":  # CTC: 2 labels per sample, 0 is padding
        return rng.integers(1, 5, (N, 2)).astype("int32")
    return rng.normal(size=(N, 3)).astype("float32")


LOSS_RECIPE = {
    "binary_crossentropy": "binary", "binary_focal_crossentropy": "binary", "hinge": "binary",
    "squared_hinge": "binary", "categorical_crossentropy": "categorical", "categorical_focal_crossentropy":
    "categorical", "categorical_hinge": "categorical", "kl_divergence": "categorical",
    "sparse_categorical_crossentropy": "sparse", "poisson": "positive", "dice": "multilabel", "tversky": "multilabel",
    "circle": "embedding", "ctc": "sequence", "crossentropy": "categorical",
}


def metric_recipe(name: str, args: dict) -> str:
    if name in ("io_u", "mean_io_u"):
        return "sparse" if args.get("sparse_y_true", True) else "categorical"
    if name in ("one_hot_io_u", "one_hot_mean_io_u", "categorical_accuracy", "top_k_categorical_accuracy",
                "categorical_crossentropy", "crossentropy", "categorical_hinge", "kl_divergence"):
        return "categorical"
    if name in ("sparse_categorical_accuracy", "sparse_top_k_categorical_accuracy", "sparse_categorical_crossentropy"):
        return "sparse"
    if name == "auc":
        return "multilabel" if args.get("multi_label") else "binary"
    if name in ("precision", "recall", "true_positives", "true_negatives", "false_positives", "false_negatives",
                "precision_at_recall", "recall_at_precision", "sensitivity_at_specificity",
                "specificity_at_sensitivity", "f1_score", "f_beta_score"):
        return "multilabel"
    if name in ("accuracy", "binary_accuracy", "binary_crossentropy", "binary_io_u", "hinge", "squared_hinge"):
        return "binary"
    if name == "poisson":
        return "positive"
    return "regression"


# ---- drawing arguments from the kinds ----------------------------------------------------------


def _floats(kind: ca.Real) -> st.SearchStrategy:
    low = kind.low if kind.low is not None else -5.0
    high = kind.high if kind.high is not None else low + 5.0 if kind.low is not None else 5.0
    high = min(high, low + 5.0)
    floats = st.floats(low, high, exclude_min=kind.low_open, exclude_max=kind.high_open,
                       allow_nan=False, allow_infinity=False, allow_subnormal=False)
    ints = st.integers(int(np.ceil(low)), int(np.floor(high))).filter(lambda v: kind.check(v) is None)
    return floats | ints  # an integer where a float is meant is taken as that float


def values(kind: ca.ArgKind, out: ca.Output) -> st.SearchStrategy:
    if isinstance(kind, ca.Real):
        return _floats(kind)
    if isinstance(kind, ca.Integer):
        low = kind.low if kind.low is not None else -3
        return st.integers(low, kind.high if kind.high is not None else low + 8)
    if isinstance(kind, ca.Flag):
        return st.booleans()
    if isinstance(kind, ca.OneOf):
        return st.sampled_from(kind.choices)
    if isinstance(kind, ca.Maybe):
        return st.none() | values(kind.kind, out)
    if isinstance(kind, ca.Several):
        several = st.lists(values(kind.item, out), min_size=1, max_size=3, unique=kind.unique).map(tuple)
        return several | values(kind.item, out) if kind.single else several
    if isinstance(kind, ca.Text):
        return st.sampled_from(["dense", "no_layer_has_this_name"])
    if isinstance(kind, ca.Axis):
        rank = out.rank or 2
        axis = st.integers(-rank, rank - 1)
        strategy = axis
        if kind.several:
            strategy = strategy | st.lists(axis, min_size=1, max_size=rank, unique_by=lambda a: a % rank).map(tuple)
        return st.none() | strategy if kind.optional else strategy
    if isinstance(kind, ca.Kept):
        return st.just(kind.default)
    raise AssertionError(f"no strategy for {kind!r}")


def spelled(value: object) -> str:
    """A value as graphdsl spells it."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, tuple):
        inner = ", ".join(spelled(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value)


@st.composite
def arguments(draw, family: str, keras_class: str | None, out: ca.Output) -> dict:
    spec = ca.compile_spec(family, keras_class)
    if spec is None:
        return {}
    args = {}
    for p in spec.params:
        if p.required or draw(st.booleans()):
            args[p.name] = draw(values(p.kind, out))
    return args


def call(name: str, args: dict) -> str:
    return name if not args else f"{name}(" + ", ".join(f"{k}={spelled(v)}" for k, v in args.items()) + ")"


def output_type(recipe: str) -> ca.Output:
    from graphdsl.catalog.types import TensorType

    shapes = {"binary": (1,), "sequence": (6, 5), "embedding": (4,)}
    return ca.Output(TensorType(shapes.get(recipe, (3,)), "float32"))


# ---- the sequence --------------------------------------------------------------------------------


def fingerprint(obj) -> dict:
    """What an object was built with: its plain attributes (and a wrapped function's arguments)."""
    out = {}
    for key, value in vars(obj).items():
        if key in ("name", "_name") or key.startswith("_tracker") or "variable" in key or key == "_path":
            continue
        if isinstance(value, (bool, int, float, str, type(None), tuple, list, dict)):
            out[key] = json.dumps(value, default=str, sort_keys=True)
        elif hasattr(value, "value") and isinstance(value.value, str):  # enums (AUC's curve)
            out[key] = value.value
        elif isinstance(value, np.ndarray):
            out[key] = repr(value.tolist())
    return out


def run_sequence(program: str, recipe: str, tmp: Path) -> tuple[keras.Model, graphdsl.Report]:
    report, graph = graphdsl.analyze(program)
    assume(report.ok)  # arguments a rule refuses (class ids beyond num_classes, ...) are drawn again
    keras.backend.clear_session()
    with lower.quiet_tensorflow():
        model = lower.build_model(graph, source=report.source)
    rng = np.random.default_rng(0)
    shape = (N, 6, 4) if recipe == "sequence" else (N, 4)
    x = {"x": rng.normal(size=shape).astype("float32")}
    y = {"y": targets(recipe, rng)}
    model.fit(x, y, batch_size=N, epochs=1, verbose=0)
    predicted = model.predict(x, verbose=0)["y"]
    shape, dtype = report.tensors["y"]
    assert predicted.shape[1:] == shape[1:] and str(predicted.dtype) == dtype
    path = tmp / "model.keras"
    lower.save_atomic(model, path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loaded = keras.models.load_model(path, safe_mode=True)
    assert [str(w.message) for w in caught if "optimizer" in str(w.message).lower()] == []
    assert loaded.get_compile_config() == model.get_compile_config()
    np.testing.assert_allclose(loaded.predict(x, verbose=0)["y"], predicted, rtol=1e-5, atol=1e-6)
    return loaded, report


def _reloaded(config: object, module) -> object:
    return keras.saving.deserialize_keras_object(config, module_objects=vars(module), safe_mode=True) \
        if isinstance(config, dict) else config


_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=os.environ.get("HYPOTHESIS_PROFILE") == "ci",
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                            HealthCheck.function_scoped_fixture])


def _canonical(registry) -> list[str]:
    return sorted({registry.canonical(name) for name in registry.names})


@pytest.mark.parametrize("name", _canonical(LOSSES))
@_SETTINGS
@given(data=st.data())
def test_every_loss_builds_trains_saves_and_reloads_the_same(name: str, data, tmp_path: Path) -> None:
    recipe = LOSS_RECIPE.get(name, "regression")
    cls = LOSSES.keras_class(name)
    args = data.draw(arguments("loss", cls, output_type(recipe)), label="arguments")
    dtype, chain, _ = OUTPUTS[recipe]
    program = f"input x: {dtype}\noutput y = x -> {chain}\n    loss {call(name, args)}\noptimizer sgd\n"
    loaded, _ = run_sequence(program, recipe, tmp_path)
    if args:
        built = getattr(keras.losses, cls)(**ca.compile_spec("loss", cls).keras_kwargs(args))
        again = _reloaded(loaded.get_compile_config()["loss"]["y"], keras.losses)
        assert fingerprint(again) == fingerprint(built), program


@pytest.mark.parametrize("name", _canonical(METRICS))
@_SETTINGS
@given(data=st.data())
def test_every_metric_builds_trains_saves_reloads_the_same_and_costs_its_estimate(name, data, tmp_path) -> None:
    cls = METRICS.keras_class(name)
    if ca.unusable("metric", cls):  # mean, sum: Keras's compile cannot take them, and check says so
        report = graphdsl.check(f"input x: float32[4]\noutput y = x -> Dense(1) loss mse metrics [{name}]\n")
        assert [d.code for d in report.errors] == ["GD0123"]
        return
    args = data.draw(arguments("metric", cls, output_type("multilabel")), label="arguments")
    recipe = metric_recipe(name, args)
    dtype, chain, loss = OUTPUTS[recipe]
    program = f"input x: {dtype}\noutput y = x -> {chain}\n    loss {loss}\n    metrics [{call(name, args)}]\n"
    loaded, report = run_sequence(program, recipe, tmp_path)
    if args:
        built = getattr(keras.metrics, cls)(**ca.compile_spec("metric", cls).keras_kwargs(args))
        again = _reloaded(loaded.get_compile_config()["metrics"]["y"][0], keras.metrics)
        assert fingerprint(again) == fingerprint(built), program
    # the state Keras allocated (after a step: some metrics build on their first batch)
    rng = np.random.default_rng(1)
    shape = (N, 6, 4) if recipe == "sequence" else (N, 4)
    loaded.fit({"x": rng.normal(size=shape).astype("float32")}, {"y": targets(recipe, rng)}, epochs=1, verbose=0)
    (metric,) = loaded.metrics[-1].metrics
    actual = sum(int(np.prod(v.shape)) * np.dtype(v.dtype).itemsize for v in metric.variables)
    assert report.memory.metrics == actual, (program, [(v.path, v.shape, v.dtype) for v in metric.variables])


UPPER_BOUNDS = {"adafactor", "muon"}  # their slots depend on each weight's shape: estimated from above


@pytest.mark.parametrize("name", _canonical(OPTIMIZERS))
@_SETTINGS
@given(data=st.data())
def test_every_optimizer_builds_trains_saves_reloads_the_same_and_costs_its_estimate(name, data, tmp_path) -> None:
    cls = OPTIMIZERS.keras_class(name)
    args = data.draw(arguments("optimizer", cls, ca.Output()), label="arguments")
    program = f"input x: float32[4]\nh = x -> Dense(5)\noutput y = h -> Dense(3)\n    loss mse\noptimizer {call(name, args)}\n"
    loaded, report = run_sequence(program, "regression", tmp_path)
    built = getattr(keras.optimizers, cls)(**ca.compile_spec("optimizer", cls).keras_kwargs(args))
    again = _reloaded(loaded.get_compile_config()["optimizer"], keras.optimizers)
    assert again.get_config() == {**built.get_config(), "name": again.name}, program
    actual = sum(int(np.prod(v.shape)) * np.dtype(v.dtype).itemsize for v in loaded.optimizer.variables)
    estimated = report.memory.optimizer
    if name in UPPER_BOUNDS:
        assert actual <= estimated <= actual + report.memory.weights + 64 * len(loaded.trainable_variables), program
    else:
        assert estimated == actual, (program, [(v.path, v.shape, v.dtype) for v in loaded.optimizer.variables])


def test_the_weights_and_gradients_are_the_models_own() -> None:
    """Weights: every variable of the model; gradients: one per trainable variable (BatchNormalization's
    moving statistics and trainable=False layers have none)."""
    program = ("input x: float32[6]\nh = x -> Dense(8) -> BatchNormalization() -> Dense(4, trainable=False)\n"
               "output y = h -> Dense(2) loss mse\noptimizer adam\n")
    report, graph = graphdsl.analyze(program)
    keras.backend.clear_session()
    model = lower.build_model(graph, source=report.source)
    nbytes = lambda vs: sum(int(np.prod(v.shape)) * 4 for v in vs)  # noqa: E731
    assert report.memory.weights == nbytes(model.weights)
    assert report.memory.gradients == nbytes(model.trainable_weights)
    assert report.memory.trainable_params == sum(int(np.prod(v.shape)) for v in model.trainable_weights)
    assert report.memory == budget.estimate(graph)
