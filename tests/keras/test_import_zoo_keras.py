"""The zoo on CI: the keras.applications models whose layers cover the most classes for the least
time, each through `scripts/zoo.py`'s round trip (import, check, rebuild, configs compared layer
by layer, parameters, predictions with the original weights). The whole zoo is the script.

Together they cover every class the 40 models use but two (InceptionResNetV2's CustomScaleLayer
and EfficientNet's Reshape, which a small model below takes instead of a 56-million-parameter one):

- NASNetMobile: SeparableConv2D, Cropping2D, Concatenate, AveragePooling2D, MaxPooling2D,
  ZeroPadding2D, Add, BatchNormalization, Conv2D, Dense, and cells that read the two cells
  before them (the outliner's limit);
- ConvNeXtTiny: nested Sequential models (inlined), LayerNormalization, Dense on images,
  LayerScale, Normalization, and the residual ``+`` as tensor arithmetic;
- MobileNetV3Small: Rescaling, DepthwiseConv2D, ReLU, Multiply, Dropout, Flatten, and the
  hard-swish's ``x + 3.0`` and ``* (1 / 6)`` as tensor arithmetic.

ResNet50 and ResNet152 are imported (not rebuilt) for the outliner's line counts.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytestmark = pytest.mark.keras

ROOT = Path(__file__).resolve().parents[2]
CI_MODELS = ["NASNetMobile", "ConvNeXtTiny", "MobileNetV3Small"]


def _zoo():
    spec = importlib.util.spec_from_file_location("zoo", ROOT / "scripts" / "zoo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", CI_MODELS)
def test_a_zoo_model_round_trips_exactly(name: str):
    zoo = _zoo()
    row = zoo.round_trip(name)
    assert "error" not in row, row.get("error")
    assert row["rebuilt_params"] == row["params"]
    assert row["max_diff"] <= zoo.TOLERANCE


def test_inception_resnet_s_scaled_residual_and_a_reshape_round_trip():
    import keras
    import numpy as np
    from keras import layers
    from keras.src.applications.inception_resnet_v2 import CustomScaleLayer

    import graphdsl
    from graphdsl.backend import weights

    keras.backend.clear_session()
    x = keras.Input((6, 6, 4), name="image")
    branch = layers.Conv2D(4, 1, name="branch")(x)
    mixed = CustomScaleLayer(scale=0.17, name="scaled")([x, branch])
    squeezed = layers.Reshape((1, 1, 4), name="squeeze")(layers.GlobalAveragePooling2D(name="pool")(mixed))
    model = keras.Model(x, layers.Multiply(name="gate")([mixed, squeezed]), name="tiny_irv2")
    text = graphdsl.from_keras(model)
    assert "CustomScaleLayer(0.17)([image, branch])" in text
    rebuilt = graphdsl.build(text, compile=False)
    pairs = graphdsl.transfer_weights(model, rebuilt)
    assert weights.config_differences(model, rebuilt, pairs) == []
    data = np.random.default_rng(0).normal(size=(2, 6, 6, 4)).astype("float32")
    expected = np.asarray(model({"image": data}))
    got = rebuilt({"image": data})
    assert np.array_equal(expected, np.asarray(next(iter(got.values())) if isinstance(got, dict) else got))


def test_resnet50_imports_to_under_80_lines_and_resnet152_to_barely_more():
    import keras

    import graphdsl

    zoo = _zoo()
    lines = {}
    for name in ("ResNet50", "ResNet152"):
        keras.backend.clear_session()
        lines[name] = zoo.code_lines(graphdsl.from_keras(getattr(keras.applications, name)(weights=None)))
    assert lines["ResNet50"] <= 80
    assert lines["ResNet152"] <= lines["ResNet50"] + 2
