"""`graphdsl build` as a user runs it: a whole process, quiet, atomic, and TensorFlow-free on errors."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.keras

ROOT = Path(__file__).resolve().parents[2]
BAD = "input x: float32[4]\noutput y = x -> Dense(0) loss mse\n"
GOOD = "input x: float32[4]\noutput y = x -> Dense(2) loss mse\n"


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
    assert sorted(p.name for p in tmp_path.iterdir()) == ["news.keras"]  # no temporary left


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


# ---- files are never hurt ---------------------------------------------------------------------


def _imported_tensorflow(stderr: str) -> bool:
    imported = [line.rsplit("|", 1)[-1].strip() for line in stderr.splitlines() if line.startswith("import time:")]
    return any(m.split(".")[0] in ("tensorflow", "keras") for m in imported)


@pytest.mark.parametrize("case", ["folder", "no folder", "not .keras", "its own source"])
def test_an_output_that_cannot_be_written_is_exit_2_before_tensorflow(case: str, tmp_path: Path) -> None:
    src = tmp_path / "model.gd"
    src.write_text(GOOD)
    out = {"folder": tmp_path, "no folder": tmp_path / "nowhere" / "m.keras", "not .keras": tmp_path / "m.h5",
           "its own source": src}[case]
    if case == "its own source":  # a program named .keras: the default output would be itself
        src = tmp_path / "model.keras"
        src.write_text(GOOD)
        out = None
    before = sorted(p.name for p in tmp_path.iterdir())
    args = ["-X", "importtime", "-m", "graphdsl", "build", str(src)] + (["-o", str(out)] if out else [])
    proc = _run(*args)
    assert proc.returncode == 2, proc.stderr
    assert "error[GD0009]: cannot write" in proc.stderr and "Traceback" not in proc.stderr
    assert not _imported_tensorflow(proc.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    if case == "its own source":
        assert src.read_text() == GOOD


def test_build_reads_standard_input_and_needs_o(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "graphdsl", "build", "-"], input=GOOD, cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert "error[GD0009]: reading the program from standard input, build needs -o OUT.keras" in proc.stderr
    out = tmp_path / "from_stdin.keras"
    proc = subprocess.run([sys.executable, "-m", "graphdsl", "build", "-", "-o", str(out)], input=GOOD, cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert zipfile.is_zipfile(out)


def test_build_follows_a_symlink_and_keeps_the_mode(tmp_path: Path) -> None:
    real = tmp_path / "models" / "real.keras"
    real.parent.mkdir()
    real.write_bytes(b"an earlier model")
    real.chmod(0o640)
    link = tmp_path / "latest.keras"
    link.symlink_to(real)
    src = tmp_path / "m.gd"
    src.write_text(GOOD)
    proc = _run("-m", "graphdsl", "build", str(src), "-o", str(link))
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink() and zipfile.is_zipfile(real)
    assert real.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in real.parent.iterdir()) == ["real.keras"]


def test_build_json_is_one_document_whatever_happens(tmp_path: Path) -> None:
    src = tmp_path / "m.gd"
    src.write_text(GOOD.replace("input x", "input unused: float32[2]\ninput x"))
    out = tmp_path / "m.keras"
    proc = _run("-m", "graphdsl", "build", str(src), "-o", str(out), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    (warning,) = json.loads(proc.stdout)
    assert warning["code"] == "GD0303"
    assert f"wrote {out}" in proc.stderr  # what was done goes beside the document, not into it
    for args in (["build", str(tmp_path / "missing.gd")], ["build", str(src), "-o", str(tmp_path)],
                 ["build", str(src), "-D", "x=1/0"]):
        proc = _run("-m", "graphdsl", *args, "--format", "json")
        assert proc.returncode == 2
        (item,) = json.loads(proc.stdout)
        assert item["code"] in ("GD0009", "GD0120")


_INTERRUPTED = """
import os, signal, sys
from pathlib import Path
import graphdsl
from graphdsl.backend import lower
model = graphdsl.build(open(sys.argv[1]).read())
real_save = model.save
def save(path, **kw):
    real_save(path, **kw)  # the temporary is complete, the rename not done
    print("saved", Path(path).name, flush=True)
    if sys.argv[3] == "sigterm":
        os.kill(os.getpid(), signal.SIGTERM)
    raise KeyboardInterrupt
model.save = save
lower.save_atomic(model, sys.argv[2])
"""


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_an_interrupted_save_leaves_no_temporary_and_the_old_model(how: str, tmp_path: Path) -> None:
    src = tmp_path / "m.gd"
    src.write_text(GOOD)
    out = tmp_path / "m.keras"
    out.write_bytes(b"an earlier model")
    proc = _run("-c", _INTERRUPTED, str(src), str(out), how)
    assert proc.stdout.startswith("saved .m.keras.")
    assert proc.returncode == (-15 if how == "sigterm" else -2)  # Python ends by SIGINT on an uncaught Ctrl-C
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.gd", "m.keras"]
    assert out.read_bytes() == b"an earlier model"


def test_a_built_model_loads_without_an_optimizer_warning(tmp_path: Path) -> None:
    out = tmp_path / "news.keras"
    code = ("import warnings, keras, sys\n"
            "with warnings.catch_warnings(record=True) as w:\n"
            "    warnings.simplefilter('always')\n"
            "    keras.models.load_model(sys.argv[1], safe_mode=True)\n"
            "print(len(w)); [print(x.message) for x in w]\n")
    assert _run("-m", "graphdsl", "build", "examples/news.gd", "-o", str(out)).returncode == 0
    proc = _run("-c", code, str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "0\n"
    assert "Skipping variable loading" not in proc.stderr
