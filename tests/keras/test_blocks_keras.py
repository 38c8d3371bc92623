"""Language version 2 against Keras: blocks, repeat, layers on several tensors, several outputs and
tensor arithmetic build exactly what check inferred, and what a Keras user writes by hand.

- The three version 2 contract programs check and build to their documented parameter counts and,
  given the same weights, predict exactly what their hand-written twins (``handwritten.py``)
  predict.
- MobileNetV3's hard-swish and ConvNeXt's residual, written with tensor arithmetic, build the very
  op nodes Keras builds (the saved config's classes), predict the same and load with
  ``safe_mode=True``.
- The arithmetic rules (shapes, dtypes) are Keras's, compared with Keras itself.
- Calls on several tensors, several outputs, shared layers across and within block calls, and the
  block path in layer names, each built (every build is cross-checked tensor by tensor).
"""

from __future__ import annotations

import itertools
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

from graphdsl.api import analyze  # noqa: E402
from graphdsl.backend import lower  # noqa: E402
from graphdsl.catalog.arith import arith_type, promote  # noqa: E402
from graphdsl.catalog.types import DTYPES, ShapeError, TensorType  # noqa: E402
from graphdsl.source import SourceFile  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
import handwritten  # noqa: E402

pytestmark = pytest.mark.keras

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def graph_of(text: str, params: dict | None = None):
    report, graph = analyze(text, "<test>", params=params)
    assert graph is not None, report.render()
    return graph


def build(text: str, params: dict | None = None) -> keras.Model:
    """Built and cross-checked against the graph (shapes, dtypes and counts of every tensor and layer)."""
    return lower.build_model(graph_of(text, params), compile=False, source=SourceFile("<test>", text))


def copy_weights(source: keras.Model, target: keras.Model) -> None:
    """Copy weights layer by layer, in Keras's order (the designs are the same)."""
    src = [layer for layer in source.layers if layer.weights]
    dst = [layer for layer in target.layers if layer.weights]
    assert [type(a).__name__ for a in src] == [type(b).__name__ for b in dst]
    for a, b in zip(src, dst, strict=True):
        b.set_weights(a.get_weights())


def node_classes(model: keras.Model) -> list[tuple[str, str]]:
    """The saved config's nodes, (module, class) in order: layers and op nodes alike."""
    return [(node.get("module"), node["class_name"]) for node in model.get_config()["layers"]]


# ---- the contract programs ------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "count"), [("tiny_resnet", 698_858), ("encoder", 1_355_266),
                                             ("translator", 7_202_624)])
def test_version_2_contract_programs_build_with_their_documented_counts(name, count):
    text = (EXAMPLES / f"{name}.gd").read_text()
    report, graph = analyze(text, f"{name}.gd")
    assert report.ok and report.diagnostics == [], report.render()
    assert graph.param_count == count
    model = lower.build_model(graph, source=report.source)
    assert model.count_params() == count
    reference = getattr(handwritten, name)(compile=False)
    assert reference.count_params() == count


def _same_predictions(ours: keras.Model, theirs: keras.Model, x: dict) -> None:
    copy_weights(theirs, ours)
    a = ours.predict(x, verbose=0)
    b = theirs.predict(x, verbose=0)
    a = a[next(iter(a))] if isinstance(a, dict) else a
    np.testing.assert_array_equal(a, b)


def test_tiny_resnet_predicts_what_the_handwritten_model_predicts():
    text = (EXAMPLES / "tiny_resnet.gd").read_text()
    ours = build(text, {"width": 8, "classes": 3})
    theirs = handwritten.tiny_resnet(classes=3, width=8, compile=False)
    x = {"image": np.random.default_rng(0).normal(size=(2, 32, 32, 3)).astype("float32")}
    _same_predictions(ours, theirs, x)


def test_encoder_predicts_what_the_handwritten_model_predicts():
    text = (EXAMPLES / "encoder.gd").read_text()
    params = {"vocab": 50, "length": 12, "dim": 8, "heads": 2, "depth": 2}
    ours = build(text, params)
    theirs = handwritten.encoder(**params, compile=False)
    rng = np.random.default_rng(1)
    x = {"tokens": rng.integers(0, 50, (3, 12)).astype("int32"),
         "positions": np.tile(np.arange(12, dtype="int32"), (3, 1))}
    _same_predictions(ours, theirs, x)


def test_translator_predicts_what_the_handwritten_model_predicts():
    text = (EXAMPLES / "translator.gd").read_text()
    params = {"src_vocab": 30, "tgt_vocab": 20, "dim": 8}
    ours = build(text, params)
    theirs = handwritten.translator(**params, compile=False)
    rng = np.random.default_rng(2)
    x = {"source": rng.integers(1, 30, (3, 7)).astype("int32"), "target": rng.integers(1, 20, (3, 5)).astype("int32")}
    x["source"][0, 5:] = 0  # masked steps, as mask_zero makes them
    _same_predictions(ours, theirs, x)


# ---- tensor arithmetic: the keras.applications spellings --------------------------------------------

HARD_SWISH = """\
input image: float32[8, 8, 3]

block hard_swish(x) {
    h = x + 3.0 -> ReLU(6.0)
    s = h * (1 / 6)
    return multiply(x, s)
}

output y = image -> Conv2D(16, 3, padding="same") -> hard_swish() -> GlobalAveragePooling2D() -> Dense(2)
"""

CONVNEXT = """\
input image: float32[8, 8, 16]

block convnext(x, dim) {
    y = x
        -> Conv2D(dim, 7, padding="same", groups=dim)
        -> LayerNormalization(epsilon=1e-6)
        -> Dense(4 * dim)
        -> Activation("gelu")
        -> Dense(dim)
        -> LayerScale(1e-6, dim)
        -> Activation("linear")
    return x + y
}

output y = image -> convnext(16) -> GlobalAveragePooling2D() -> Dense(2)
"""


@pytest.mark.parametrize(("text", "twin", "channels"), [(HARD_SWISH, handwritten.hard_swish, 3),
                                                        (CONVNEXT, handwritten.convnext_block, 16)],
                         ids=["mobilenet_v3_hard_swish", "convnext_residual"])
def test_tensor_arithmetic_builds_the_op_nodes_keras_builds(text, twin, channels, tmp_path):
    ours = build(text)
    theirs = twin()
    assert node_classes(ours) == node_classes(theirs)
    assert ("keras.src.ops.numpy", "Add") in node_classes(ours)
    x = {"image": np.random.default_rng(3).normal(size=(2, 8, 8, channels)).astype("float32")}
    _same_predictions(ours, theirs, x)
    path = tmp_path / "model.keras"
    ours.save(path)
    with zipfile.ZipFile(path) as zf:
        config = json.loads(zf.read("config.json"))
    assert "Lambda" not in json.dumps(config)
    loaded = keras.models.load_model(path, safe_mode=True)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0)["y"], ours.predict(x, verbose=0)["y"])


def test_arithmetic_dtypes_follow_keras_type_promotion():
    for a, b in itertools.product(DTYPES, DTYPES):
        x, y = keras.Input((4,), dtype=a), keras.Input((4,), dtype=b)
        assert str((x + y).dtype) == promote(a, b), (a, b)
    for dtype in DTYPES:
        if dtype == "bool":
            continue
        x = keras.Input((4,), dtype=dtype)
        t = TensorType((4,), dtype)
        for number in (3, 3.0):
            for op, f in (("+", lambda p, q: p + q), ("-", lambda p, q: p - q), ("*", lambda p, q: p * q),
                          ("/", lambda p, q: p / q)):
                assert str(f(x, number).dtype) == arith_type(op, t, number).dtype, (dtype, op, number)
                assert str(f(number, x).dtype) == arith_type(op, number, t).dtype, (dtype, op, number)
        assert str((x / x).dtype) == arith_type("/", t, t).dtype
        assert str((-x).dtype) == arith_type("neg", t, None).dtype


def test_arithmetic_shapes_broadcast_as_keras():
    shapes = [(4,), (1,), (None,), (3, 4), (3, 1), (1, 4), (None, 4), (2, 3, 4), (2, 1, 4), (5,), (3, None)]
    for a, b in itertools.product(shapes, shapes):
        x, y = keras.Input(a), keras.Input(b)
        try:
            want = tuple((x * y).shape)[1:]
        except ValueError:
            want = None
        try:
            got = arith_type("*", TensorType(a, "float32"), TensorType(b, "float32")).shape
        except ShapeError:
            got = None
        assert got == want, (a, b)


# ---- layers on several tensors, several outputs ----------------------------------------------------

SEVERAL = """\
input q: float32[6, 8]
input v: float32[5, 8]
input s: float32[3]

layer attend = MultiHeadAttention(num_heads=2, key_dim=4)

a1 = attend(q, v)
a2 = attend(q, q)
out, scores = MultiHeadAttention(num_heads=2, key_dim=4)(q, q, return_attention_scores=True)
dot = Attention()([q, v])
seq, h = q -> GRU(3, return_sequences=True, return_state=True)
g = GRU(3)(v, initial_state=[h])
gs = s -> Dense(3)
g2 = GRU(3)(v, initial_state=[gs])
merged = concat(a1, a2, out, dot, seq, axis=-1) -> GlobalAveragePooling1D()
flat = scores -> Flatten()

output y = concat(merged, g, g2, flat) -> Dense(1)
    loss mse
"""


def test_calls_on_several_tensors_and_several_outputs_build_as_checked():
    model = build(SEVERAL)  # cross-checks every tensor of the graph
    attend = model.get_layer("attend")
    assert len(attend._inbound_nodes) == 2
    assert isinstance(model.get_layer("out_multi_head_attention"), keras.layers.MultiHeadAttention)


SHARING = """\
input x: float32[8]

layer proj = Dense(8)

block twice(x) {
    layer d = Dense(8)
    a = x -> d -> proj
    return a -> d
}

y = x -> twice() -> twice()
_ = x -> Dense(100)

output z = y -> Dense(1)
    loss mse
"""


def test_layers_declared_in_a_block_are_shared_within_a_call_and_the_programs_across_calls():
    graph = graph_of(SHARING)
    model = build(SHARING)
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    uses = sorted((layer.name, len(layer._inbound_nodes)) for layer in dense)
    assert uses == [("proj", 2), ("y_twice_1_d", 2), ("y_twice_2_d", 2), ("z", 1)]
    assert graph.param_count == model.count_params() == 3 * 72 + 9  # the discarded Dense(100) is not built


def test_layer_names_show_the_block_path():
    text = (EXAMPLES / "tiny_resnet.gd").read_text()
    model = build(text, {"width": 8})
    names = [layer.name for layer in model.layers]
    for name in ("stem_conv_bn_conv2d", "stage1_residual_1_conv_bn_1_conv2d", "stage1_residual_2_conv_bn_2_conv2d",
                 "stage2_downsample_conv_bn_3_conv2d", "stage3_residual_add", "label"):
        assert name in names
    assert len(names) == len(set(names))
    assert names == [layer.name for layer in build(text, {"width": 8}).layers]  # deterministic
