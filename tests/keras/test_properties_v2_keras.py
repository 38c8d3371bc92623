"""The proof that check and Keras agree, over version 2: for generated programs with blocks,
repeat, layers on several tensors, several outputs and tensor arithmetic, the shapes, dtypes and
parameter counts (in total and per layer) that `check` infers are those of the model Keras builds,
and every layer a block call makes carries the call's path in its Keras name.

`lower.build_model` itself compares every tensor and layer with the checked graph; this test also
compares the outputs, inputs, totals and each layer directly. Sized by ``GRAPHDSL_KERAS_V2_EXAMPLES``
(default 60, as the ``ci`` profile: under a minute on the 2-core CI machine, derandomized there).
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402

import graphdsl  # noqa: E402
from graphdsl.backend import lower  # noqa: E402
from graphdsl.testing import programs  # noqa: E402

pytestmark = pytest.mark.keras


def as_list(x) -> list:
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _keras_shape(t) -> tuple:
    return tuple(None if d is None else int(d) for d in t.shape)


@settings(
    max_examples=int(os.environ.get("GRAPHDSL_KERAS_V2_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(programs(version=2, max_inputs=2, max_outputs=2, max_depth=3))
def test_check_infers_what_keras_builds_for_version_2_programs(text: str) -> None:
    report, graph = graphdsl.analyze(text)
    assert report.ok, report.render()
    keras.backend.clear_session()
    model = lower.build_model(graph, compile=False, source=report.source)  # raises on any mismatch
    assert model.count_params() == report.param_count, text
    outputs = model.outputs if isinstance(model.outputs, list) else list(model.outputs)
    for out, tensor in zip(graph.outputs, outputs, strict=True):
        shape, dtype = report.tensors[out.name]
        assert (_keras_shape(tensor), str(tensor.dtype)) == (shape, dtype), (out.name, text)
    for inp, tensor in zip(graph.inputs, model.inputs, strict=True):
        assert (_keras_shape(tensor), str(tensor.dtype)) == report.tensors[inp.name], (inp.name, text)
    # sizes known: it also runs on data (but Keras's RandomCrop crops only while training, as
    # docs/LANGUAGE.md says: at inference it passes images through at their own size)
    if all(None not in inp.type.shape for inp in graph.inputs) and \
            all(layer.class_name != "RandomCrop" for layer in graph.layers.values()):
        data = [np.ones((2, *inp.type.shape), inp.type.dtype) for inp in graph.inputs]
        got = model(data, training=False)
        got = [got[o.name] for o in graph.outputs] if isinstance(got, dict) else list(as_list(got))
        for out, tensor in zip(graph.outputs, got, strict=True):
            assert tuple(tensor.shape)[1:] == out.type.shape, (out.name, text)
    built = {layer.name: layer for layer in model.layers}
    for name, layer in graph.layers.items():
        assert name in built, (name, sorted(built), text)
        assert built[name].count_params() == layer.params, (name, text)
        assert type(built[name]).__name__ == layer.class_name, (name, text)
        if layer.calls and not layer.declared:  # made by a block call: named after its path
            assert name.startswith(layer.calls[-1].id + "_"), (name, layer.calls, text)
            assert layer.calls[-1].id.endswith("_" + layer.calls[-1].block) or \
                layer.calls[-1].id.rstrip("0123456789").endswith(layer.calls[-1].block + "_"), (layer.calls, text)


def test_keras_marks_a_product_by_a_number_sparse_as_check_assumes() -> None:
    """The table of `graphdsl/passes/sparse.py`, measured: which tensors Keras marks sparse, and
    that LayerScale loses its shape and CustomScaleLayer fails on one (so `check` refuses them).
    When a Keras release fixes the mark, this fails: drop the rule."""
    from keras import layers as L  # noqa: PLC0415
    from keras.src.applications.convnext import LayerScale  # noqa: PLC0415
    from keras.src.applications.inception_resnet_v2 import CustomScaleLayer  # noqa: PLC0415

    x, y = keras.Input((6, 4)), keras.Input((6, 4))
    s = x * 0.5
    marked = {
        "x * 0.5": s, "0.5 * x": 0.5 * x, "x * 2": x * 2, "s * y": s * y, "-s": -s, "s / 2.0": s / 2.0,
        "s / y": s / y, "s + s": s + s, "s - s": s - s, "add(s, s)": L.Add()([s, s]),
        "concat(s, s)": L.Concatenate()([s, s]), "Identity": L.Identity()(s), "Flatten": L.Flatten()(s),
        "Permute": L.Permute((1, 2))(s), "Reshape": L.Reshape((24,))(s),
    }
    dense = {
        "x * y": x * y, "s + 1.0": s + 1.0, "s + y": s + y, "s - 1": s - 1, "y / s": y / s,
        "add(s, y)": L.Add()([s, y]), "concat(s, y)": L.Concatenate()([s, y]), "Dense": L.Dense(3)(s),
        "Dropout": L.Dropout(0.1)(s), "Rescaling": L.Rescaling(2.0)(s), "x + 0.5": x + 0.5,
        "x / 2.0": x / 2.0, "-x": -x,
    }
    assert [k for k, t in marked.items() if not t.sparse] == []
    assert [k for k, t in dense.items() if t.sparse] == []
    assert tuple(LayerScale(1e-6, 4)(s).shape) != (None, 6, 4)
    assert tuple(LayerScale(1e-6, 4)(dense["s + 1.0"]).shape) == (None, 6, 4)
    with pytest.raises(Exception):  # noqa: B017 - whatever Keras raises
        CustomScaleLayer(0.2)([s, y])


def test_what_check_accepts_after_a_product_by_a_number_builds() -> None:
    from test_sparse_mark import ACCEPTED, program  # noqa: PLC0415

    for body in ACCEPTED:
        report, graph = graphdsl.analyze(program(body))
        assert report.ok, report.render()
        keras.backend.clear_session()
        lower.build_model(graph, compile=False, source=report.source)  # raises on any mismatch


def test_keras_attaches_the_causal_mask_to_attention_scores_as_check_assumes() -> None:
    """Why `check` refuses `use_causal_mask=True` with `return_attention_scores=True`: the layers
    after the scores fail when data flows. When a Keras release fixes it, this fails: drop the rule."""
    from keras import layers as L  # noqa: PLC0415

    x = keras.Input((5, 4))
    data = np.ones((2, 5, 4), "float32")
    for causal in (False, True):
        _, scores = L.MultiHeadAttention(num_heads=2, key_dim=2)(
            x, x, use_causal_mask=causal, return_attention_scores=True)
        model = keras.Model(x, L.BatchNormalization()(scores))
        if causal:
            with pytest.raises(ValueError, match="mask"):
                model(data, training=False)
        else:
            assert tuple(model(data, training=False).shape) == (2, 2, 5, 5)
