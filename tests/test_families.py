"""The model families of examples/ (ResNet50 ... Siamese): each checks clean, with exactly the
parameter count its opening comment documents, at its own size and at the small size the Keras
tier builds it at; and each is in the formatter's canonical style.

That the documented counts are Keras's own (keras.applications, or the hand-written Keras of
``tests/keras/families.py``) is ``tests/keras/test_families_keras.py``'s to show.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import graphdsl

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# each family and the params the Keras tier builds it with (a small image, where there is one)
FAMILIES = {
    "resnet50": {"size": 32},
    "mobilenet_v2": {"size": 32},
    "efficientnet_b0": {"size": 32},
    "densenet121": {"size": 32},
    "xception": {"size": 71},
    "unet": {"size": 32},
    "transformer_classifier": {},
    "seq2seq": {},
    "wide_deep": {},
    "siamese": {},
}


def documented_count(text: str) -> int:
    """The parameter count the example's opening comment states."""
    head = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    found = re.search(r"([\d,]+) parameters", head)
    assert found, "the opening comment states no parameter count"
    return int(found.group(1).replace(",", ""))


@pytest.mark.parametrize("name", list(FAMILIES))
def test_the_family_checks_clean_with_its_documented_count(name):
    text = (EXAMPLES / f"{name}.gd").read_text()
    for params in ({}, FAMILIES[name]):
        report = graphdsl.check(text, f"{name}.gd", params=params)
        assert report.ok and report.diagnostics == [], report.render()
        assert report.param_count == documented_count(text)


@pytest.mark.parametrize("name", list(FAMILIES))
def test_the_family_is_in_canonical_format(name):
    text = (EXAMPLES / f"{name}.gd").read_text()
    assert graphdsl.format(text) == text


@pytest.mark.parametrize("name", list(FAMILIES))
def test_the_family_opens_with_what_it_is(name):
    first = (EXAMPLES / f"{name}.gd").read_text().splitlines()[0]
    assert first.startswith("# ") and len(first) > 20
