"""The smallest size of a `?` dimension, against Keras itself: for generated programs, Keras's
own shape rules accept data of the reported size and refuse data one shorter, and the model runs on
the reported size.

Keras's verdict is its symbolic pass with concrete sizes (`compute_output_spec`), because running
the model is no verdict: on CPU, a valid convolution whose input is shorter than its kernel does
not always raise, it may return a tensor of garbage (social.gd on 264 steps gives 4 steps of
values near 1e19 where Keras's shape rule says "Computed output size would be zero or negative").
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, assume, event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import graphdsl  # noqa: E402
from graphdsl.backend import lower  # noqa: E402
from graphdsl.passes.minlen import downstream, min_sizes  # noqa: E402

pytestmark = pytest.mark.keras



@st.composite
def size_programs(draw) -> str:
    """A sequence (int32[?] ids) or an image (float32[?, ?, 2]) through the layers whose shape
    rules take steps away or add them, with drawn kernels, strides, dilations and paddings."""
    image = draw(st.booleans())
    n = 2 if image else 1
    lines = [f"input x: {'float32[?, ?, 2]' if image else 'int32[?]'}", "output y = x"]
    if not image:
        lines.append("    -> Embedding(10, 3)")

    def size() -> str:
        sizes = [draw(st.integers(1, 4)) for _ in range(n)]
        return str(sizes[0]) if n == 1 or sizes[0] == sizes[1] else f"({sizes[0]}, {sizes[1]})"

    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["Conv", "MaxPooling", "AveragePooling", "ZeroPadding"]))
        if kind == "Conv":
            padding = draw(st.sampled_from(["valid", "valid", "same"]))
            extra = draw(st.sampled_from(["", ", strides=2", ", dilation_rate=2"]))
            lines.append(f"    -> Conv{n}D(2, {size()}{extra}, padding=\"{padding}\")")
        elif kind == "ZeroPadding":
            lines.append(f"    -> ZeroPadding{n}D({draw(st.integers(1, 2))})")
        else:
            padding = draw(st.sampled_from(["valid", "valid", "same"]))
            strides = draw(st.sampled_from(["", ", strides=1", ", strides=3"]))
            lines.append(f"    -> {kind}{n}D({size()}{strides}, padding=\"{padding}\")")
    lines += [f"    -> GlobalMaxPooling{n}D()", "    -> Dense(1)", "    loss mse"]
    return "\n".join(lines) + "\n"


def _batch(dtype: str, shape: tuple) -> np.ndarray:
    return np.zeros((2, *shape), dtype=dtype) if dtype.startswith(("int", "uint")) else np.ones((2, *shape), dtype)


def _keras_takes(model: keras.Model, dtype: str, shape: tuple) -> bool:
    """Keras's shape rules with concrete sizes: no layer refuses, and no result is empty."""
    try:
        specs = model.compute_output_spec(keras.KerasTensor((2, *shape), dtype=dtype))
    except ValueError:
        return False
    specs = specs.values() if isinstance(specs, dict) else specs if isinstance(specs, (list, tuple)) else [specs]
    return all(0 not in tuple(s.shape) for s in specs)


def _runs(model: keras.Model, dtype: str, shape: tuple) -> bool:
    outputs = model(_batch(dtype, shape))
    outputs = outputs.values() if isinstance(outputs, dict) else outputs if isinstance(outputs, list) else [outputs]
    return all(np.isfinite(np.asarray(o)).all() and 0 not in tuple(o.shape) for o in outputs)


def test_social_takes_269_steps_and_not_268():
    text = (Path(__file__).resolve().parents[2] / "examples" / "social.gd").read_text()
    report, graph = graphdsl.analyze(text, params={"vocab": 100})
    model = lower.build_model(graph, compile=False)
    assert report.min_sizes == {"posts": {1: 269}}
    assert _keras_takes(model, "int32", (269,)) and _runs(model, "int32", (269,))
    assert not _keras_takes(model, "int32", (268,))


@settings(max_examples=int(os.environ.get("GRAPHDSL_KERAS_EXAMPLES", "25")) // 2, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
@given(size_programs())
def test_keras_takes_the_minimum_size_and_refuses_one_less(text: str) -> None:
    report, graph = graphdsl.analyze(text)
    assert report.ok, report.render()
    mins = min_sizes(graph)
    assume(mins and all(m.size is not None for m in mins))
    inp = graph.inputs[0]
    dtype = inp.type.dtype
    event("a minimum above 1" if any(m.size > 1 for m in mins) else "every minimum is 1")
    keras.backend.clear_session()
    model = lower.build_model(graph, compile=False)
    exact = any(op.merge or graph.layers[op.layer].class_name == "Reshape" for op in downstream(graph, [inp.name]))
    smallest = {m.axis: m.size for m in mins}
    base = [smallest.get(i + 1, d) for i, d in enumerate(inp.type.shape)]  # every ? at its minimum
    assert _keras_takes(model, dtype, tuple(base)) and _runs(model, dtype, tuple(base)), (text, mins)
    for m in mins:
        if m.size > 1:
            shorter = list(base)
            shorter[m.axis - 1] = m.size - 1
            assert not _keras_takes(model, dtype, tuple(shorter)), (text, m)
        if not exact:
            longer = list(base)
            longer[m.axis - 1] = m.size + 5
            assert _keras_takes(model, dtype, tuple(longer)), (text, m)
