"""`graphdsl build` as a user runs it: a whole process, quiet, atomic, and TensorFlow-free on errors."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.keras

ROOT = Path(__file__).resolve().parents[2]
BAD = "input x: float32[4]\noutput y = x -> Dense(0) loss mse\n"


def _run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, check=False)


def test_build_writes_a_loadable_model_and_says_so_quietly(tmp_path: Path) -> None:
    out = tmp_path / "news.keras"
    proc = _run("-m", "graphdsl", "build", "examples/news.gd", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # no TensorFlow start-up noise without --verbose
    assert "5,200,610 parameters" in proc.stdout
    assert f"wrote {out}" in proc.stdout
    assert zipfile.is_zipfile(out)
    assert "config.json" in zipfile.ZipFile(out).namelist()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left


def test_a_program_with_errors_exits_1_imports_no_tensorflow_and_leaves_files_alone(tmp_path: Path) -> None:
    src = tmp_path / "bad.gd"
    src.write_text(BAD)
    existing = tmp_path / "bad.keras"
    existing.write_bytes(b"an earlier model")
    proc = _run("-X", "importtime", "-m", "graphdsl", "build", str(src))
    assert proc.returncode == 1
    assert "error[GD0109]" in proc.stderr
    assert "Traceback" not in proc.stderr
    imported = [line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")]
    assert not [m for m in imported if m.split(".")[0] in ("tensorflow", "keras")]
    assert existing.read_bytes() == b"an earlier model"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.gd", "bad.keras"]


def test_wrong_command_lines_exit_2(tmp_path: Path) -> None:
    assert _run("-m", "graphdsl", "build").returncode == 2
    assert _run("-m", "graphdsl", "build", "examples/news.gd", "-o", str(tmp_path / "x.h5")).returncode == 2
    proc = _run("-m", "graphdsl", "build", str(tmp_path / "missing.gd"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
