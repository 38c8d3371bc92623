"""The zoo on CI: the keras.applications models whose layers cover the most classes for the least
time, each through `scripts/zoo.py`'s round trip (import, check, rebuild, configs compared layer
by layer, parameters, predictions with the original weights). The whole zoo is the script.

NASNetMobile brings SeparableConv2D, Cropping2D, Concatenate, AveragePooling2D, MaxPooling2D,
ZeroPadding2D, Add, BatchNormalization, Conv2D, Dense and a graph whose cells read the two cells
before them.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytestmark = pytest.mark.keras

ROOT = Path(__file__).resolve().parents[2]
CI_MODELS = ["NASNetMobile"]


def _zoo():
    spec = importlib.util.spec_from_file_location("zoo", ROOT / "scripts" / "zoo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", CI_MODELS)
def test_a_zoo_model_round_trips_exactly(name: str):
    zoo = _zoo()
    row = zoo.round_trip(name)
    assert "error" not in row, row.get("error")
    assert row["rebuilt_params"] == row["params"]
    assert row["max_diff"] <= zoo.TOLERANCE
