"""Golden tests: `graphdsl check FILE` on every tests/golden/*.gd prints exactly FILE.out.

Each .gd holds one realistic mistake (or one warning). Its leading comment lines may carry:
- ``# args: ...``  extra command-line arguments for `check` (e.g. ``--max-params 1000``);
- ``# xfail: ...`` a known bug: the .out holds the output graphdsl *should* print (written by
  hand), and the case is an expected failure until the bug is fixed;
- ``# exit: N`` the exit code when it is not 1 for errors / 0 for warnings (2: a wrong command
  line, e.g. a file that cannot be read).

``UPDATE_GOLDEN=1 pytest tests/test_golden.py`` rewrites the .out files (except xfail cases)
from the current output: read every changed one before committing it.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest

from graphdsl.cli import main
from graphdsl.codes import CODES

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
CASES = sorted(GOLDEN.glob("*.gd"))
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
_NAME = re.compile(r"^(GD\d{4})_[a-z0-9_]+\.gd$")


def _header(path: Path) -> tuple[list[str], str | None]:
    """The `# args:` and `# xfail:` lines among the file's leading comments."""
    args: list[str] = []
    xfail = None
    for line in path.read_bytes().decode("latin-1").splitlines():
        if not line.startswith("#"):
            break
        if line.startswith("# args:"):
            args = shlex.split(line[len("# args:") :])
        elif line.startswith("# xfail:"):
            xfail = line[len("# xfail:") :].strip()
    return args, xfail


def _exit_code(path: Path, expected: str) -> int:
    for line in path.read_bytes().decode("latin-1").splitlines():
        if not line.startswith("#"):
            break
        if line.startswith("# exit:"):
            return int(line[len("# exit:") :])
    return 1 if "error[" in expected else 0


def _params():
    for path in CASES:
        _args, xfail = _header(path)
        marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
        yield pytest.param(path, id=path.stem, marks=marks)


@pytest.fixture
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


@pytest.mark.parametrize("path", list(_params()))
def test_golden(path: Path, at_root, capsys):
    args, xfail = _header(path)
    rel = path.relative_to(ROOT).as_posix()
    code = main(["check", *args, rel])
    captured = capsys.readouterr()
    out_path = path.with_suffix(".out")
    if UPDATE and not xfail:
        out_path.write_text(captured.err, encoding="utf-8", newline="")
    expected = out_path.read_text(encoding="utf-8")
    assert captured.err == expected
    assert captured.out == ""
    assert code == _exit_code(path, expected)


def test_every_code_has_a_golden_case():
    # the data diagnostics (GD04xx) have theirs in tests/golden_data (tests/test_data_golden.py)
    cases = CASES + sorted((ROOT / "tests" / "golden_data").glob("*.gd"))
    covered = {_NAME.match(p.name).group(1) for p in cases if _NAME.match(p.name)}
    missing = sorted(set(CODES) - covered - {"GD0999"})
    assert not missing, f"codes without a golden case: {missing}"


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_golden_case_is_well_formed(path: Path):
    m = _NAME.match(path.name)
    assert m, f"{path.name}: golden files are named GDxxxx_short_name.gd"
    assert m.group(1) in CODES
    out_path = path.with_suffix(".out")
    assert out_path.is_file(), f"{out_path.name} is missing (run with UPDATE_GOLDEN=1)"
    out = out_path.read_text(encoding="utf-8")
    assert f"[{m.group(1)}]" in out
    # located in the program, or about a whole file (the program, or one named beside it), or on
    # the command line (-D)
    assert re.search(r" --> (tests/golden/[\w.]+\.gd(:\d+:\d+)?$|<command line>:)", out, re.MULTILINE)
    assert "Traceback" not in out and "GD0999" not in out


def test_no_stray_outputs():
    stems = {p.stem for p in CASES}
    assert sorted(p.name for p in GOLDEN.glob("*.out") if p.stem not in stems) == []
