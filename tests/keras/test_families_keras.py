"""The model families of examples/ against the Keras code they are written from.

Five examples are keras.applications models (ResNet50, MobileNetV2, EfficientNetB0, DenseNet121,
Xception), five are compared with the hand-written Keras of ``families.py`` (U-Net, Transformer
classifier, LSTM seq2seq, Wide&Deep, Siamese). For each: graphdsl builds the example (at a tiny
image size through ``-D size=...``, where the architecture allows it) and Keras builds its own;
then the total and trainable parameter counts are equal, and equal to the count the example's
first comment documents; the saved configs list the same node classes in the same order (layers,
Keras's op nodes and inputs); every layer's config, without its name, is the same, layer by layer;
the hand-written models are compiled with the same optimizer (and its settings) and losses;
``predict`` gives the output shape Keras's model has; and, given the same weights, Keras's model
computes what ours predicted (so the tensors are wired the same way, not only the layers alike).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from graphdsl.api import analyze  # noqa: E402
from graphdsl.backend import lower  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
import families  # noqa: E402

pytestmark = pytest.mark.keras

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _application(name: str, size: int):
    return lambda: getattr(keras.applications, name)(weights=None, input_shape=(size, size, 3))


# example, its Keras twin, the params graphdsl is given (the same model, at a small size)
FAMILIES = {
    "resnet50": (_application("ResNet50", 32), {"size": 32}),
    "mobilenet_v2": (_application("MobileNetV2", 32), {"size": 32}),
    "efficientnet_b0": (_application("EfficientNetB0", 32), {"size": 32}),
    "densenet121": (_application("DenseNet121", 32), {"size": 32}),
    "xception": (_application("Xception", 71), {"size": 71}),  # Keras's smallest Xception input
    "unet": (lambda: families.unet(size=32), {"size": 32}),
    "transformer_classifier": (families.transformer_classifier, {}),
    "seq2seq": (families.seq2seq, {}),
    "wide_deep": (families.wide_deep, {}),
    "siamese": (families.siamese, {}),
}


def documented_count(text: str) -> int:
    """The parameter count the example's opening comment states."""
    head = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    return int(re.search(r"([\d,]+) parameters", head).group(1).replace(",", ""))


def trainable(model: keras.Model) -> int:
    return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


def node_classes(model: keras.Model) -> list[tuple[str | None, str]]:
    """The saved config's nodes in order: layers, Keras's op nodes (x + y) and inputs."""
    return [(node.get("module"), node["class_name"]) for node in model.get_config()["layers"]]


def layer_configs(model: keras.Model) -> list[tuple[str, dict]]:
    """Each layer's class and config, without what names it (name) or is the same everywhere."""
    out = []
    for layer in model.layers:
        config = {k: v for k, v in layer.get_config().items() if k not in ("name", "trainable", "dtype")}
        out.append((type(layer).__name__, config))
    return out


def _compiled(model: keras.Model) -> tuple:
    """The optimizer's class and config (without its name) and the loss of each output."""
    config = {k: v for k, v in model.optimizer.get_config().items() if k != "name"}
    losses = list(model.loss.values()) if isinstance(model.loss, dict) else [model.loss]
    return type(model.optimizer).__name__, config, losses


def _inputs(model: keras.Model) -> list[np.ndarray]:
    """Two samples per input, a sequence's unknown length 3: random floats, and ids 0 or 1 (valid
    for every embedding and encoding)."""
    rng = np.random.default_rng(0)
    out = []
    for x in model.inputs:
        shape = (2, *(d or 3 for d in x.shape[1:]))
        values = rng.integers(0, 2, shape) if "int" in str(x.dtype) else rng.normal(size=shape)
        out.append(values.astype(x.dtype))
    return out


@pytest.mark.parametrize("name", list(FAMILIES))
def test_the_example_builds_the_same_model_as_its_keras_code(name):
    reference, params = FAMILIES[name]
    text = (EXAMPLES / f"{name}.gd").read_text()
    keras.backend.clear_session()
    report, graph = analyze(text, f"{name}.gd", params=params)
    assert graph is not None, report.render()
    theirs = reference()
    ours = lower.build_model(graph, compile=theirs.compiled, source=report.source)

    assert ours.count_params() == theirs.count_params() == documented_count(text) == report.param_count
    assert trainable(ours) == trainable(theirs)
    assert node_classes(ours) == node_classes(theirs)
    for (cls, mine), (_, keras_config) in zip(layer_configs(ours), layer_configs(theirs), strict=True):
        assert mine == keras_config, cls
    if theirs.compiled:  # the hand-written models are compiled as the examples say
        assert _compiled(ours) == _compiled(theirs)
    inputs = _inputs(ours)
    inputs = inputs if len(inputs) > 1 else inputs[0]  # as each model's inputs are structured
    predicted = ours.predict(inputs, verbose=0)
    if isinstance(predicted, dict):  # graphdsl names its outputs
        (predicted,) = predicted.values()
    expected = (2, *theirs.output.shape[1:])  # a None (a sequence's length) is the length given: 3
    assert predicted.shape == tuple(3 if d is None else d for d in expected)
    # wired the same: given our weights, Keras's model computes what ours predicted
    for mine, keras_layer in zip(ours.layers, theirs.layers, strict=True):
        keras_layer.set_weights(mine.get_weights())
    np.testing.assert_allclose(theirs(inputs, training=False), predicted, rtol=1e-4, atol=1e-5)
