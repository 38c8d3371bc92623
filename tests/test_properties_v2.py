"""Properties over generated version-2 programs (no Keras): `programs(version=2)` draws blocks,
repeat, layers on several tensors, several outputs, tensor arithmetic and params in input shapes;
every drawn program checks clean, is in canonical style, formats to a fixed point with the same IR,
parses to the same IR with both engines, and means what the same model written out by hand (every
block call and repeat expanded) means: the same outputs, the same layers, the same counts."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from test_engines import engines_agree
from test_properties import assert_formatting_promises

import graphdsl
from graphdsl import _testing_v2
from graphdsl.graph import ApplyOp
from graphdsl.printer import format_text
from graphdsl.testing import programs

V2 = programs(version=2)


@given(V2)
def test_version_2_programs_check_clean(text: str) -> None:
    report = graphdsl.check(text)
    assert report.diagnostics == [], report.render() + "\n" + text
    assert report.param_count is not None


@given(V2)
def test_version_2_programs_are_in_canonical_style_and_format_keeps_their_meaning(text: str) -> None:
    assert format_text(text)[0] == text
    assert_formatting_promises(text)


@given(V2)
def test_both_parser_engines_agree_on_version_2_programs(text: str) -> None:
    assert engines_agree(text), text


def _layers(graph) -> Counter:
    return Counter((layer.class_name, layer.params) for layer in graph.layers.values())


def _applications(graph) -> Counter:
    return Counter(graph.layers[op.layer].class_name for op in graph.ops if isinstance(op, ApplyOp))


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(_testing_v2.programs_and_expansions(**_testing_v2.knobs()))
def test_blocks_and_repeat_mean_what_they_expand_to(pair: tuple[str, str]) -> None:
    """Checking a program with blocks gives what checking it written out by hand gives."""
    text, flat = pair
    report, graph = graphdsl.analyze(text)
    assert report.diagnostics == [], report.render()
    flat_report, flat_graph = graphdsl.analyze(flat)
    # a block's result discarded with `_` is a tensor nothing uses once written out
    assert {d.code for d in flat_report.diagnostics} <= {"GD0304"}, flat_report.render() + "\n" + flat
    assert flat_report.param_count == report.param_count, flat
    assert [(o.name, o.type) for o in flat_graph.outputs] == [(o.name, o.type) for o in graph.outputs], flat
    assert _layers(flat_graph) == _layers(graph), flat
    assert _applications(flat_graph) == _applications(graph), flat
    assert len(flat_graph.ops) == len(graph.ops), flat


def test_the_version_2_knobs_are_checked() -> None:
    with pytest.raises(ValueError, match="layers"):
        programs(version=2, layers=["NoSuchLayer"])
    with pytest.raises(ValueError, match="min_inputs"):
        programs(version=2, min_inputs=0)
    with pytest.raises(ValueError, match="version"):
        programs(version=3)


FEATURES = {
    "a block": "\nblock ",
    "a block calling a block": None,
    "a block returning several tensors": None,
    "a block call at a chain's head": None,
    "a block constant without a default": None,
    "repeat": "repeat(",
    "repeat of a block": None,
    "a param in an input shape": None,
    "a shared layer": "\nlayer ",
    "a shared layer in a block": None,
    "MultiHeadAttention": "MultiHeadAttention(",
    "Attention on a list": "Attention()([",
    "an initial state": "initial_state=[",
    "several outputs unpacked": "_, ",
    "tensor arithmetic between tensors": None,
    "tensor arithmetic with a number": " * 0.5",
}


def _has(feature: str, text: str) -> bool:
    import re  # noqa: PLC0415

    blocks = re.findall(r"block (\w+)\(([^)]*)\) \{(.*?)\n\}", text, re.S)
    names = [b[0] for b in blocks]
    if feature == "a block calling a block":
        return any(re.search(rf"\b{n}\b", body) for _b, _p, body in blocks for n in names)
    if feature == "a block returning several tensors":
        return bool(re.search(r"return \w+, \w+", text))
    if feature == "a block call at a chain's head":
        return any(re.search(rf"(= |return ){n}\(", text) for n in names)
    if feature == "a block constant without a default":
        return any(re.search(r", k\d+(,|$)", params) for _b, params, _body in blocks)
    if feature == "repeat of a block":
        return any(re.search(rf"repeat\([^,]+, {n}\b", text) for n in names)
    if feature == "a param in an input shape":
        return bool(re.search(r"input \w+: \w+\[[^\]]*[a-z]", text))
    if feature == "a shared layer in a block":
        shared = re.findall(r"^layer (\w+)", text, re.M)
        return any(re.search(rf"-> {s}\b", body) for _b, _p, body in blocks for s in shared)
    if feature == "tensor arithmetic between tensors":
        return bool(re.search(r"= [a-z]+\d+ [-+*] [a-z]+\d+\b(?! *\()", text))
    return FEATURES[feature] in text


@pytest.mark.parametrize("feature", list(FEATURES))
def test_the_strategy_draws(feature: str) -> None:
    """Each feature of version 2 turns up within a few hundred drawn programs."""
    found = find(V2, lambda text: _has(feature, text),
                 settings=settings(max_examples=400, phases=[Phase.generate], database=None, deadline=None,
                                   suppress_health_check=list(HealthCheck)))
    assert graphdsl.check(found).diagnostics == []
