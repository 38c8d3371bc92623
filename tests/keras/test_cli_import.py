"""`graphdsl import` and `graphdsl build --weights` as a user runs them: whole processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from keras import layers  # noqa: E402

pytestmark = pytest.mark.keras

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "graphdsl", *args], cwd=ROOT, capture_output=True, text=True,
                          check=False, env=env)


def _saved(tmp_path: Path) -> tuple[Path, keras.Model]:
    keras.backend.clear_session()
    x = keras.Input((6,), name="features")
    h = layers.Dense(8, activation="relu", name="hidden")(x)
    model = keras.Model(x, layers.Dense(3, activation="softmax", name="label")(layers.Dropout(0.2)(h)),
                        name="classifier")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    path = tmp_path / "classifier.keras"
    model.save(path)
    return path, model


def test_import_prints_the_program_then_build_takes_the_weights_back(tmp_path: Path):
    path, model = _saved(tmp_path)
    printed = _run("import", str(path))
    assert printed.returncode == 0, printed.stderr
    assert printed.stderr == ""
    assert "output label = features\n    -> Dense(8, activation=\"relu\")\n    -> Dropout(0.2)\n" in printed.stdout
    assert "loss sparse_categorical_crossentropy metrics [accuracy]" in printed.stdout
    program = tmp_path / "classifier.gd"
    program.write_text(printed.stdout)
    rebuilt_path = tmp_path / "rebuilt.keras"
    built = _run("build", str(program), "--weights", str(path), "-o", str(rebuilt_path))
    assert built.returncode == 0, built.stderr
    assert f"weights from {path}" in built.stdout
    rebuilt = keras.models.load_model(rebuilt_path, safe_mode=True)
    x = np.random.default_rng(0).normal(size=(4, 6)).astype("float32")
    expected = model.predict(x, verbose=0)
    got = rebuilt.predict(x, verbose=0)
    got = got["label"] if isinstance(got, dict) else got
    assert np.array_equal(expected, got)
    other = tmp_path / "other.gd"
    other.write_text(printed.stdout.replace("Dense(8,", "Dense(9,"))
    mismatched = _run("build", str(other), "--weights", str(path), "-o", str(tmp_path / "other.keras"))
    assert mismatched.returncode == 1
    assert "cannot take the weights" in mismatched.stderr and "Traceback" not in mismatched.stderr
    assert not (tmp_path / "other.keras").exists()


def test_import_writes_atomically_and_refuses_a_lambda_leaving_no_file(tmp_path: Path):
    keras.backend.clear_session()
    x = keras.Input((3,))
    lam = tmp_path / "lambda.keras"
    keras.Model(x, layers.Lambda(lambda t: t * 2.0, name="double")(x)).save(lam)
    out = tmp_path / "out.gd"
    refused = _run("import", str(lam), "-o", str(out))
    assert refused.returncode == 1
    assert "layer 'double'" in refused.stderr and "Lambda" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lambda.keras"]  # no temporary file left


def test_a_wrong_source_is_a_usage_error_and_an_unknown_application_a_suggestion(tmp_path: Path):
    missing = _run("import", str(tmp_path / "nothing.keras"))
    assert missing.returncode == 2
    assert "no such file" in missing.stderr
    unknown = _run("import", "keras.applications.ResNet5O")
    assert unknown.returncode == 1
    assert "did you mean 'keras.applications.ResNet50'" in unknown.stderr
    folder = _run("import", "keras.applications.ResNet50", "-o", str(tmp_path))
    assert folder.returncode == 2
    assert "is a folder" in folder.stderr


def test_a_damaged_file_is_an_error_not_a_traceback(tmp_path: Path):
    import json
    import zipfile

    not_zip = tmp_path / "text.keras"
    not_zip.write_text("not a model")
    damaged = tmp_path / "damaged.keras"
    with zipfile.ZipFile(damaged, "w") as archive:
        archive.writestr("config.json", json.dumps({"class_name": "Functional", "config": {"layers": [1, 2]}}))
    for path in (not_zip, damaged):
        proc = _run("import", str(path))
        assert proc.returncode == 1, proc.stderr
        assert proc.stderr.startswith("error: cannot import"), proc.stderr
        assert "Traceback" not in proc.stderr
