"""The wheel ships the grammar and the parser tables, and an installed copy finds and uses them."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        capture_output=True, text=True, check=False,
    )
    if proc.returncode != 0:
        pytest.fail(f"building the wheel failed:\n{proc.stdout}\n{proc.stderr}")
    wheels = list(out.glob("graphdsl-*.whl"))
    assert len(wheels) == 1
    return wheels[0]


def test_wheel_contains_grammar_and_tables(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "graphdsl/grammar/graphdsl.lark" in names
    assert "graphdsl/syntax/_tables.py" in names
    assert "graphdsl/catalog/_signatures.py" in names
    shipped = zipfile.ZipFile(wheel).read("graphdsl/grammar/graphdsl.lark").decode()
    assert shipped == (ROOT / "grammar" / "graphdsl.lark").read_text()


def test_installed_copy_finds_its_grammar_and_checks(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True, capture_output=True,
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(target)
    code = (
        "import graphdsl, graphdsl.parser as p, sys\n"
        "print(p.grammar_path())\n"
        "r = graphdsl.check(open(sys.argv[1]).read())\n"
        "print(r.ok, r.param_count)\n"
        "from pygments.lexers import get_lexer_by_name\n"  # the lexer, found through its entry point
        "print(type(get_lexer_by_name('graphdsl')).__module__)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(target)!r})\n" + code,
         str(ROOT / "examples" / "news.gd")],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    grammar_line, result_line, lexer_line = proc.stdout.strip().splitlines()
    assert lexer_line == "graphdsl.highlight"
    assert Path(grammar_line).is_relative_to(target)
    assert result_line == "True 5200610"


def test_the_strategies_need_nothing_beyond_a_plain_install(wheel: Path) -> None:
    """`graphdsl.testing` is public API, so what it imports is a dependency, not a dev extra."""
    metadata = next(n for n in zipfile.ZipFile(wheel).namelist() if n.endswith(".dist-info/METADATA"))
    requires = [line.split(":", 1)[1].strip() for line in zipfile.ZipFile(wheel).read(metadata).decode().splitlines()
                if line.startswith("Requires-Dist:")]
    plain = {r.split(">")[0].split("=")[0].split("<")[0].strip() for r in requires if "extra ==" not in r}
    assert "hypothesis" in plain
    imported = {line.split()[1].split(".")[0] for line in (ROOT / "graphdsl" / "testing.py").read_text().splitlines()
                if line.startswith(("import ", "from ")) and not line.startswith("from __future__")}
    assert imported - {"", "graphdsl", "hypothesis"} <= set(sys.stdlib_module_names)  # "": relative imports
