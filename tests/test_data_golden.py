"""Golden tests of the data diagnostics: `graphdsl train FILE --data train.npz --check` on every
tests/golden_data/*.gd prints exactly FILE.out.

Each .gd holds one program and, in its leading comments, the data that goes with it:
- ``# data: NAME = EXPR`` an array of the training data (``train.npz``), EXPR a numpy expression
  (``np`` and a seeded generator ``rng`` are in scope);
- ``# val: NAME = EXPR`` an array of the validation data (``val.npz``, passed with --validation-data);
- ``# args: ...`` more command-line arguments.

The data is written with ``np.savez`` into a temporary folder, whose path is shown as nothing in
the .out files (``train.npz``). ``UPDATE_GOLDEN=1 pytest tests/test_data_golden.py`` rewrites the
.out files: read every changed one before committing it.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import numpy as np
import pytest

from graphdsl.cli import main
from graphdsl.codes import CODES

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden_data"
CASES = sorted(GOLDEN.glob("*.gd"))
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
_NAME = re.compile(r"^(GD04\d{2})_[a-z0-9_]+\.gd$")
_ARRAY = re.compile(r"^# (data|val): (\w+) = (.+)$")


def _header(path: Path) -> tuple[dict[str, dict[str, str]], list[str]]:
    arrays: dict[str, dict[str, str]] = {"data": {}, "val": {}}
    args: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        m = _ARRAY.match(line)
        if m:
            arrays[m.group(1)][m.group(2)] = m.group(3)
        elif line.startswith("# args:"):
            args = shlex.split(line[len("# args:") :])
    return arrays, args


def _write(folder: Path, name: str, exprs: dict[str, str]) -> Path:
    rng = np.random.default_rng(0)
    arrays = {key: eval(expr, {"np": np, "rng": rng}) for key, expr in exprs.items()}  # test data, our own text
    path = folder / name
    np.savez(path, **arrays)
    return path


def run_case(path: Path, tmp_path: Path, capsys) -> tuple[int, str]:
    arrays, args = _header(path)
    data = _write(tmp_path, "train.npz", arrays["data"])
    if arrays["val"]:
        args += ["--validation-data", str(_write(tmp_path, "val.npz", arrays["val"]))]
    code = main(["train", path.relative_to(ROOT).as_posix(), "--data", str(data), "--check", *args])
    captured = capsys.readouterr()
    return code, captured.err.replace(str(tmp_path) + os.sep, "")


@pytest.fixture
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_data_golden(path: Path, at_root, tmp_path, capsys):
    code, err = run_case(path, tmp_path, capsys)
    out_path = path.with_suffix(".out")
    if UPDATE:
        out_path.write_text(err, encoding="utf-8", newline="")
    expected = out_path.read_text(encoding="utf-8")
    assert err == expected
    assert code == (1 if "error[" in expected else 0)


def test_every_data_code_has_a_golden_case():
    covered = {_NAME.match(p.name).group(1) for p in CASES if _NAME.match(p.name)}
    assert sorted(c for c in CODES if c.startswith("GD04") and c not in covered) == []


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_data_golden_case_is_well_formed(path: Path):
    m = _NAME.match(path.name)
    assert m, f"{path.name}: data golden files are named GD04xx_short_name.gd"
    out = path.with_suffix(".out").read_text(encoding="utf-8")
    assert f"[{m.group(1)}]" in out
    assert f" --> tests/golden_data/{path.name}:" in out
    assert "Traceback" not in out and "GD0999" not in out
