"""Training histories as files: CSV and JSON tables and the loss-curve SVG."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET

from graphdsl.history import history_csv, history_json, loss_svg, paths_beside

SVG = "{http://www.w3.org/2000/svg}"
HISTORY = {
    "val_loss": [1.3, 1.0, 0.9],
    "loss": [1.2, 0.9, 0.7],
    "income_loss": [0.8, 0.6, 0.5],
    "val_income_loss": [0.9, 0.7, 0.6],
    "income_accuracy": [0.1, 0.2, 0.3],
    "val_income_accuracy": [0.1, 0.25, 0.3],
}


def test_files_go_beside_the_model():
    assert paths_beside("out/news.keras") == {
        "csv": "out/news.history.csv", "json": "out/news.history.json", "svg": "out/news.loss.svg"}


def test_csv_has_loss_first_then_training_then_validation_columns():
    lines = history_csv(HISTORY).splitlines()
    assert lines[0] == "epoch,loss,income_accuracy,income_loss,val_loss,val_income_accuracy,val_income_loss"
    assert lines[1] == "1,1.2,0.1,0.8,1.3,0.1,0.9"
    assert len(lines) == 4
    assert history_csv({"loss": [0.5]}, first_epoch=4).splitlines()[1] == "4,0.5"


def test_json_is_valid_even_with_nan_and_carries_facts():
    doc = json.loads(history_json({"loss": [1.0, math.nan, math.inf]}, model="news", samples=10))
    assert doc == {"model": "news", "samples": 10, "epoch": [1, 2, 3], "loss": [1.0, None, None]}
    assert "nan" in history_csv({"loss": [math.nan]})


def test_the_curve_draws_every_loss_with_validation_dashed():
    root = ET.fromstring(loss_svg(HISTORY, "news: loss"))
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 4  # loss, income_loss and their val_ twins; not the accuracy
    dashed = [line for line in lines if line.get("stroke-dasharray")]
    assert len(dashed) == 2
    assert all(len(line.get("points").split()) == 3 for line in lines)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "news: loss" in texts and "val_income_loss" in texts and "epoch" in texts


def test_one_epoch_and_no_finite_loss_still_make_a_picture():
    root = ET.fromstring(loss_svg({"loss": [0.7]}))
    assert len(root.findall(f"{SVG}circle")) == 1
    root = ET.fromstring(loss_svg({"loss": [math.nan]}, "x <&> y"))
    assert "no finite loss" in "".join(t.text or "" for t in root.iter(f"{SVG}text"))
