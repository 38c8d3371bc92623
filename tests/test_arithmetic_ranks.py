"""Tensor arithmetic between tensors of different ranks: the shorter one's batch axis lines up
with an axis of the longer one. Keras's symbolic shapes accept it whatever that axis's size (an
unknown batch takes it), and the model fails when data flows, unless that axis has size 1: `check`
refuses the rest (GD0202). Found by running the version-2 property's programs on data; the
Keras tier compares the rule with Keras (tests/keras/test_blocks_keras.py)."""

from __future__ import annotations

import pytest

import graphdsl
from graphdsl.catalog.arith import arith_type
from graphdsl.catalog.types import ShapeError, TensorType


def _check(a: str, b: str, op: str = "+") -> list[str]:
    text = f"input a: float32[{a}]\ninput b: float32[{b}]\nh = a {op} b\noutput o = h -> Dense(1) loss mse\n"
    return [d.code for d in graphdsl.check(text).diagnostics]


@pytest.mark.parametrize(("a", "b"), [("1", "3, 3, 1"), ("4", "3, 4"), ("4", "?, 4"), ("3, 4", "2, 3, 4")])
@pytest.mark.parametrize("op", ["+", "-", "*", "/"])
def test_a_batch_axis_lined_up_with_a_size_is_refused(a: str, b: str, op: str) -> None:
    assert _check(a, b, op) == ["GD0202"]
    assert _check(b, a, op) == ["GD0202"]


@pytest.mark.parametrize(("a", "b"), [("4", "1, 4"), ("3, 4", "1, 3, 4"), ("4", "4"), ("?, 4", "3, 4")])
def test_a_batch_axis_lined_up_with_size_1_or_the_other_batch_is_accepted(a: str, b: str) -> None:
    assert _check(a, b) == []


def test_the_message_names_the_axis() -> None:
    with pytest.raises(ShapeError, match=r"batch axis of \(None, 1\) float32 with axis 2 of \(None, 3, 3, 1\)"):
        arith_type("+", TensorType((1,), "float32"), TensorType((3, 3, 1), "float32"))
