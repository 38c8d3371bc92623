"""MultiHeadAttention's scores with a causal mask: Keras 3.15 attaches the mask to the scores, and
the layers after them that take a mask fail when data flows, so `check` refuses the combination
(GD0201 at `return_attention_scores`). Found by the version-2 Keras property (which runs programs
on data); tests/keras/test_properties_v2_keras.py shows Keras failing."""

from __future__ import annotations

import graphdsl

BASE = "input x: float32[5, 4]\n{line}\noutput o = s -> Flatten() -> Dense(1) loss mse\n"


def test_scores_with_a_causal_mask_are_refused() -> None:
    line = "_, s = MultiHeadAttention(num_heads=2, key_dim=2)(x, x, use_causal_mask=True, return_attention_scores=True)"
    [d] = graphdsl.check(BASE.format(line=line)).errors
    assert d.code == "GD0201"
    assert "causal mask" in d.message
    assert d.column == line.index("return_attention_scores") + 1


def test_scores_without_a_causal_mask_and_a_causal_output_are_accepted() -> None:
    line = ("_, s = MultiHeadAttention(num_heads=2, key_dim=2)(x, x, return_attention_scores=True)\n"
            "c = MultiHeadAttention(num_heads=2, key_dim=2)(x, x, use_causal_mask=True)\n"
            "output p = c -> Flatten() -> Dense(1) loss mse")
    assert graphdsl.check(BASE.format(line=line)).diagnostics == []
