"""The model families of examples/ (ResNet50 ... Siamese): each checks clean, with exactly the
parameter count its opening comment documents, at its own size and at the small size the Keras
tier builds it at; and each is in the formatter's canonical style.

That the documented counts are Keras's own (keras.applications, or the hand-written Keras of
``tests/keras/families.py``) is ``tests/keras/test_families_keras.py``'s to show.
"""

from __future__ import annotations

import importlib.util
import re
import sys
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


def _readme_section() -> str:
    readme = (EXAMPLES.parent / "README.md").read_text()
    start = readme.index("## Model families")
    return readme[start : readme.index("\n## ", start + 1)]


def test_the_readme_table_gives_each_family_its_count_and_line_counts():
    sys.path.insert(0, str(EXAMPLES.parent / "scripts"))
    import family_lines  # noqa: PLC0415 - a script, reads Keras's source as text (no import)

    rows = {}
    for line in _readme_section().splitlines():
        found = re.match(r"\| `examples/(\w+)\.gd` \|[^|]*\| ([\d,]+) \| (\d+) \| (\d+) \| (\d+) \|$", line)
        if found:
            rows[found.group(1)] = tuple(int(g.replace(",", "")) for g in found.groups()[1:])
    assert set(rows) == set(FAMILIES)
    applications = family_lines.APPLICATIONS
    keras_dir = Path(importlib.util.find_spec("keras").submodule_search_locations[0]) / "src" / "applications"
    for name, (count, lines, keras, architecture) in rows.items():
        assert family_lines.graphdsl_lines(name) == (lines, count), name
        if name in applications:
            file, names, models = applications[name]
            assert family_lines.keras_lines(keras_dir / file, names, models) == (keras, architecture), name
        else:
            assert family_lines.keras_lines(family_lines.REFERENCES, {name}) == (keras, architecture), name


def test_the_readme_excerpt_is_the_example_as_written():
    section = _readme_section()
    excerpt = section[section.index("```\n") + 4 : section.index("```", section.index("```\n") + 4)]
    assert excerpt in (EXAMPLES / "resnet50.gd").read_text()


def test_the_readme_names_every_example():
    readme = (EXAMPLES.parent / "README.md").read_text()
    for path in EXAMPLES.glob("*.gd"):
        assert f"{path.name}`" in readme, path.name
