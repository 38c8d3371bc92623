"""The language server's answers as plain Python (no client): the index, hover, completion and
rename on programs with and without errors, and that it imports no TensorFlow."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from graphdsl.lsp.analysis import Analysis

ROOT = Path(__file__).resolve().parent.parent


def test_index_records_every_use_of_a_name_in_source_order():
    text = (ROOT / "examples" / "two_tower.gd").read_text()
    a = Analysis(text)
    spans = a.index.uses["embed"]
    assert [text[s.start : s.end] for s in spans] == ["embed"] * 3
    assert spans == sorted(spans, key=lambda s: s.start)
    assert a.index.defs["dim"].kind == "param"
    assert [text[s.start : s.end] for s in a.index.uses["dim"]] == ["dim"] * 5


def test_hover_works_on_a_program_with_errors():
    text = "param n = 4\ninput x: float32[8]\nh = x -> Dense(n)\noutput y = h -> Dense(0) loss mse\n"
    a = Analysis(text)
    assert a.graph is None
    assert a.hover(text.index("h =") + 1)[0] == "tensor **h**: `(None, 4)` float32"
    assert a.hover(text.index("n)") + 1)[0] == "param **n** = `4`"
    assert "fix the program's errors" in a.hover(text.index("Dense(0)") + 1)[0]


def test_completion_inside_a_layer_call_offers_its_arguments_first():
    text = "input x: float32[8]\ny = x -> Conv1D(\n"
    items = Analysis(text).completion(len(text) - 1)
    assert [i.label for i in items[:2]] == ["filters=", "kernel_size="]


def test_rename_refuses_bad_names():
    text = "input x: float32[8]\noutput y = x -> Dense(1) loss mse\n"
    a = Analysis(text)
    for bad, why in (("y", "already defined"), ("input", "keyword"), ("a b", "not a name")):
        try:
            a.rename(text.index("x ->"), bad)
        except ValueError as err:
            assert why in str(err)
        else:
            raise AssertionError(bad)
    assert len(a.rename(text.index("x ->"), "z")) == 2


def test_language_server_imports_no_tensorflow():
    code = ("import sys\nimport graphdsl.lsp.server\nfrom graphdsl.lsp.analysis import Analysis\n"
            f"Analysis(open({str(ROOT / 'examples' / 'social.gd')!r}).read()).hover(200)\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')]\nassert not bad, bad\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr


def test_formatting_from_the_analysis_equals_fmt():
    import graphdsl
    from graphdsl.printer import format_text

    for path in sorted((ROOT / "examples").glob("*.gd")) + sorted((ROOT / "tests" / "golden").glob("*.gd")):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        messy = text.replace(" = ", "=").replace(", ", ",")
        assert Analysis(messy).formatted() == format_text(messy)[0], path.name
    assert Analysis("input x: float32[4]\noutput y=x->Dense(1) loss mse\n").formatted() == graphdsl.format(
        "input x: float32[4]\noutput y=x->Dense(1) loss mse\n")
