"""Keras 3 marks `x * NUMBER` as a sparse tensor, and LayerScale / CustomScaleLayer then lose their
shape: `check` refuses them on such a tensor, where Keras would (`graphdsl/passes/sparse.py`; the
Keras tier measures the mark in tests/keras/test_properties_v2_keras.py). Found by the version-2
property (check's shapes equal Keras's)."""

from __future__ import annotations

import pytest

import graphdsl


def program(body: str) -> str:
    return f"input x: float32[6, 4]\ninput v: float32[1, 4]\n{body}\noutput y = h -> Flatten() -> Dense(1)\n    loss mse\n"


def _codes(body: str) -> list[tuple[str, int]]:
    return [(d.code, d.line) for d in graphdsl.check(program(body)).errors]


REFUSED = [
    "h = x * 0.5 -> LayerScale(1e-6, 4)",
    "h = 0.5 * x -> LayerScale(1e-6, 4)",
    "h = x * 2 -> Identity() -> Reshape((24,)) -> Reshape((6, 4)) -> LayerScale(1e-6, 4)",
    "a = x * 0.5\nb = -a\nh = b / 2.0 -> Permute((1, 2)) -> LayerScale(1e-6, 4)",
    "a = x * 0.5\nb = a * x\nh = b -> LayerScale(1e-6, 4)",
    "a = x * 0.5\nb = x * 3.0\nh = add(a, b) -> LayerScale(1e-6, 4)",
    "a = x * 0.5\nh = CustomScaleLayer(0.2)([a, x])",
]
ACCEPTED = [
    "h = x + 0.5 -> LayerScale(1e-6, 4)",
    "h = x * v -> LayerScale(1e-6, 4)",
    "h = x * 0.5 -> Dense(4) -> LayerScale(1e-6, 4)",
    "h = x * 0.5 -> Rescaling(2.0) -> LayerScale(1e-6, 4)",
    "a = x * 0.5\nb = a + x\nh = b -> LayerScale(1e-6, 4)",
    "a = x * 0.5\nh = concat(a, x, axis=1) -> LayerScale(1e-6, 4)",
    "a = x * 0.5\nb = x / a\nh = b -> LayerScale(1e-6, 4)",
    "h = x -> Rescaling(0.5) -> LayerScale(1e-6, 4)",
]


@pytest.mark.parametrize("body", REFUSED)
def test_a_layer_keras_traces_is_refused_on_a_product_by_a_number(body: str) -> None:
    codes = _codes(body)
    assert [c for c, _ in codes] == ["GD0201"], codes


@pytest.mark.parametrize("body", ACCEPTED)
def test_a_dense_tensor_is_accepted(body: str) -> None:
    assert _codes(body) == []


def test_the_refusal_points_at_the_product_and_the_calls() -> None:
    text = ("input x: float32[4]\n"
            "block scale(t, s) {\n    return t * s\n}\n"
            "h = x -> scale(0.5) -> LayerScale(1e-6, 4)\n"
            "output y = h -> Dense(1) loss mse\n")
    [d] = graphdsl.check(text).errors
    assert (d.code, d.line) == ("GD0201", 5)
    assert [label.message for label in d.labels] == ["Keras 3 marks this product by a number as a sparse tensor"]
    assert d.labels[0].line == 3
