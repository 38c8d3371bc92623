"""The proof that check and Keras agree: for generated programs, the shapes, dtypes and parameter
counts that `check` infers are those of the model Keras builds.

`lower.build_model` compares every tensor's shape and dtype and every layer's parameter count
with the checked graph and raises `InternalError` on any difference; this test also compares the
named tensors and totals directly, so a silent cross-check would not hide a mismatch.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402

import graphdsl  # noqa: E402
from graphdsl.backend import lower  # noqa: E402
from graphdsl.testing import programs  # noqa: E402

pytestmark = pytest.mark.keras


def _keras_shape(t) -> tuple:
    return tuple(None if d is None else int(d) for d in t.shape)


@settings(
    max_examples=int(os.environ.get("GRAPHDSL_KERAS_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(programs(max_inputs=2, max_outputs=2, max_depth=4))
def test_check_infers_what_keras_builds(text: str) -> None:
    report, graph = graphdsl.analyze(text)
    assert report.ok, report.render()
    keras.backend.clear_session()
    model = lower.build_model(graph, compile=False, source=report.source)  # raises on any mismatch
    assert model.count_params() == report.param_count
    outputs = model.outputs if isinstance(model.outputs, list) else list(model.outputs)
    for out, tensor in zip(graph.outputs, outputs, strict=True):
        shape, dtype = report.tensors[out.name]
        assert _keras_shape(tensor) == shape, (out.name, text)
        assert str(tensor.dtype) == dtype, (out.name, text)
    for inp, tensor in zip(graph.inputs, model.inputs, strict=True):
        assert _keras_shape(tensor) == report.tensors[inp.name][0]
        assert str(tensor.dtype) == report.tensors[inp.name][1]


def test_a_mismatch_is_reported_not_accepted() -> None:
    """The cross-check is not a formality: tamper with one inferred count and the build refuses."""
    from graphdsl.records import replace

    report, graph = graphdsl.analyze("input x: float32[4]\noutput y = x -> Dense(3) loss mse\n")
    layer = graph.layers["y"]
    bad = replace(graph, layers={**graph.layers, "y": replace(layer, params=1)})
    with pytest.raises(lower.InternalError, match="'y'"):
        lower.build_model(bad, compile=False, source=report.source)
