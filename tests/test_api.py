"""The public Python API as documented: parse, check (Report), params, CompileError, no TensorFlow."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import graphdsl
from graphdsl import ir

ROOT = Path(__file__).resolve().parent.parent
SOCIAL = (ROOT / "examples" / "social.gd").read_text(encoding="utf-8")
NEWS = (ROOT / "examples" / "news.gd").read_text(encoding="utf-8")
VALID = "input x: float32[8]\noutput y = x -> Dense(1) loss mse\n"


# ---- parse -----------------------------------------------------------------------------------


def test_parse_returns_the_ir():
    program = graphdsl.parse(NEWS)
    assert isinstance(program, ir.Program)
    assert len(program.statements) == 7
    assert program == graphdsl.parse(NEWS, filename="other.gd")


def test_parse_does_not_check_names():
    program = graphdsl.parse("output y = nowhere -> NoSuchLayer(1) loss nothing\n")
    assert isinstance(program.statements[0], ir.OutputDecl)


def test_parse_raises_compile_error_with_diagnostics():
    with pytest.raises(graphdsl.CompileError) as info:
        graphdsl.parse("input x: float32[8]\ny = x -> Dense(1 2)\n", filename="bad.gd")
    err = info.value
    (d,) = err.diagnostics
    assert (d.file, d.line, d.column, d.end_line, d.end_column) == ("bad.gd", 2, 18, 2, 19)
    assert d.severity == "error" and d.code == "GD0003"
    assert d.message == "expected ',' or ')' before '2'"
    assert d.help == "separate arguments with ','"
    assert "error[GD0003]" in str(err) and "bad.gd:2:18" in str(err)


def test_compile_error_is_an_exception():
    assert issubclass(graphdsl.CompileError, Exception)


# ---- check -----------------------------------------------------------------------------------


def test_check_social():
    report = graphdsl.check(SOCIAL, "social.gd")
    assert report.ok
    assert report.diagnostics == [] and report.errors == [] and report.warnings == []
    assert report.param_count == 14_146_316
    assert report.tensors["features"] == ((None, 128), "float32")
    assert report.tensors["posts"] == ((None, None), "int32")
    assert report.tensors["age"] == ((None, 1), "float32")
    assert report.tensors["income"] == ((None, 10), "float32")
    assert report.tensors["gender"] == ((None, 1), "float32")
    assert report.render() == ""


def test_check_news():
    report = graphdsl.check(NEWS)
    assert report.ok
    assert report.param_count == 5_200_610
    assert report.tensors == {
        "main_input": ((None, 100), "int32"),
        "aux_input": ((None, 5), "float32"),
        "lstm_out": ((None, 32), "float32"),
        "aux_output": ((None, 1), "float32"),
        "main_output": ((None, 1), "float32"),
    }


def test_docstring_example():
    report = graphdsl.check("input x: float32[8]\noutput y = x -> Dense(1) loss mse\n")
    assert (report.ok, report.param_count, report.tensors["y"]) == (True, 9, ((None, 1), "float32"))


def test_report_diagnostic_fields():
    text = (
        "input x: float32[8]\n"
        "input spare: float32[2]\n"
        "output y = x -> Dense(4, activation=\"rleu\") -> Dense(1) loss mse\n"
    )
    report = graphdsl.check(text, "model.gd")
    assert not report.ok
    assert report.param_count is None
    warning, error = report.diagnostics  # in source order
    assert (warning.severity, warning.code) == ("warning", "GD0303")
    assert (warning.line, warning.column, warning.end_line, warning.end_column) == (2, 7, 2, 12)
    assert (error.severity, error.code) == ("error", "GD0110")
    assert error.file == "model.gd"
    assert (error.line, error.column, error.end_line, error.end_column) == (3, 37, 3, 43)
    assert error.message == 'unknown activation "rleu"'
    assert error.help == 'did you mean "relu"?'
    assert report.errors == [error] and report.warnings == [warning]
    assert report.tensors["x"] == ((None, 8), "float32")
    rendered = report.render()
    assert "error[GD0110]" in rendered and "model.gd:3:37" in rendered


def test_warnings_only_is_ok():
    report = graphdsl.check("input x: float32[8]\ninput z: int32[1]\noutput y = x -> Dense(1) loss mse\n")
    assert report.ok
    assert [d.code for d in report.warnings] == ["GD0303"]
    assert report.param_count == 9


def test_multiline_diagnostic_span():
    text = "input x: float32[8]\noutput y = x -> Dense(\n    units=0) loss mse\n"
    (d,) = graphdsl.check(text).diagnostics
    assert (d.code, d.line, d.column) == ("GD0109", 3, 11)


# ---- params ---------------------------------------------------------------------------------


def test_params_override_changes_the_count_predictably():
    base = graphdsl.check(SOCIAL).param_count
    # only Embedding(vocab, 256) depends on vocab: vocab * 256 weights
    report = graphdsl.check(SOCIAL, params={"vocab": 1000})
    assert report.ok
    assert report.param_count == base - (50_000 - 1000) * 256 == 1_602_316
    # Dense(income_groups) after Dense(128): (128 + 1) weights per group
    report = graphdsl.check(SOCIAL, params={"income_groups": 3})
    assert report.param_count == base - (10 - 3) * 129
    assert report.tensors["income"] == ((None, 3), "float32")


def test_params_override_with_bad_values_is_reported():
    for value in (0, -3, 2.5, "abc", None, True, float("inf"), float("nan"), (1, 2)):
        report = graphdsl.check(SOCIAL, params={"vocab": value})
        assert not report.ok, value
        assert [d.code for d in report.errors] == ["GD0109"], value
    report = graphdsl.check(SOCIAL, params={"vocab": object()})
    assert [d.code for d in report.errors] == ["GD0119"]


def test_unknown_override_is_gd0119_with_did_you_mean():
    report = graphdsl.check(SOCIAL, params={"vocabb": 10})
    assert not report.ok
    (d,) = report.diagnostics
    assert d.code == "GD0119" and d.severity == "error"
    assert d.message == "there is no param 'vocabb' to override"
    assert d.help == "did you mean 'vocab'?"
    (d,) = graphdsl.check(NEWS, params={"vocab": 10}).diagnostics
    assert d.code == "GD0119" and d.help == "the program declares no params"


def test_max_params_budget():
    assert graphdsl.check(NEWS, max_params=5_200_610).ok
    report = graphdsl.check(NEWS, max_params=5_200_609)
    assert [d.code for d in report.errors] == ["GD0204"]


def test_params_mapping_is_not_modified():
    params = {"vocab": 10, "nope": 1}
    graphdsl.check(SOCIAL, params=params)
    assert params == {"vocab": 10, "nope": 1}


# ---- no TensorFlow -------------------------------------------------------------------------------


def test_check_does_not_import_tensorflow():
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "graphdsl", "check", "examples/social.gd"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    imports = [line for line in result.stderr.splitlines() if line.startswith("import time:")]
    assert len(imports) > 20  # -X importtime did report
    for banned in ("tensorflow", "keras", "jax", "torch"):
        hits = [line for line in imports if banned in line.lower()]
        assert not hits, hits[:5]
    # the cached LALR tables match the grammar, so Lark is not needed either
    assert not [line for line in imports if "lark" in line.split("|")[-1]]


def test_check_in_process_leaves_tensorflow_unimported():
    graphdsl.check(SOCIAL)
    assert "graphdsl.backend.lower" not in sys.modules or "tensorflow" in sys.modules  # lower only via build


def test_each_mistake_is_reported_once():
    text = (
        "input words: int32[40]\n"
        "a = wrods -> Embedding(100, 8) -> GlobalAveragePooling1D()\n"
        "b = wrods -> Dense(4)\n"
        "output y = concat(a, b, wrods, words) -> Dense(1) loss mse\n"
    )
    report = graphdsl.check(text)
    assert [(d.code, d.line) for d in report.diagnostics] == [("GD0101", 2)]


# ---- programs given as paths -----------------------------------------------------------------


def test_a_one_line_str_ending_in_gd_is_a_path(monkeypatch):
    monkeypatch.chdir(ROOT)
    report = graphdsl.check("examples/news.gd")
    assert report.ok and report.param_count == 5_200_610
    assert report.source.name == "examples/news.gd"  # diagnostics name the file
    assert graphdsl.check("examples/news.gd", filename="news").source.name == "news"


def test_a_pathlike_is_always_a_path(tmp_path):
    path = tmp_path / "model.txt"  # any name: a Path is a path
    path.write_text(NEWS)
    assert graphdsl.check(path).param_count == 5_200_610
    assert graphdsl.check(os.fspath(path)).source.name == "<string>"  # a str not ending in .gd is text


def test_a_missing_path_is_an_error_never_text(tmp_path):
    with pytest.raises(FileNotFoundError):
        graphdsl.check(str(tmp_path / "modle.gd"))
    with pytest.raises(FileNotFoundError):
        graphdsl.check(tmp_path / "missing.gd")


def test_text_is_never_taken_for_a_path():
    text = "input x: float32[8]\noutput y = x -> Dense(1) loss mse  # from model.gd\n"
    assert graphdsl.check(text).ok
    assert graphdsl.check(text.rstrip("\n")).ok  # several lines: text
    assert not graphdsl.check("input x: float32[8] output y = x -> Dense(1) # m.gd\n").errors


def test_a_path_that_is_not_utf8_is_a_report_not_an_exception(tmp_path):
    path = tmp_path / "latin1.gd"
    path.write_bytes(b"# caf\xe9\n" + VALID.encode())
    (d,) = graphdsl.check(path).diagnostics
    assert (d.code, d.file, d.line, d.column) == ("GD0008", str(path), 1, 6)


# ---- a report in a notebook ------------------------------------------------------------------


def test_a_report_shows_itself_as_a_short_summary():
    assert repr(graphdsl.check(NEWS, filename="news.gd")) == "<Report news.gd: ok, 5,200,610 parameters>"
    bad = graphdsl.check("input x: float32[8]\ninput z: float32[2]\noutput y = x -> Dense(0) loss mse\n",
                         filename="bad.gd")
    assert repr(bad) == ("<Report bad.gd: 1 error, 1 warning; first: 3:23 GD0109 "
                         "Dense(units=...): expected a positive integer, got 0>")
    assert len(repr(graphdsl.check("x" * 10_000))) < 200


def test_a_report_in_jupyter_is_a_table_of_its_diagnostics():
    bad = graphdsl.check("input x: float32[8]\noutput y = x -> Dense(0, activation=\"<b>\") loss mse\n",
                         filename="bad.gd")
    markdown = bad._repr_markdown_()
    assert markdown.startswith("**graphdsl** `bad.gd`: 2 errors\n")
    assert "| error | GD0110 | 2:37 | unknown activation \"\\<b\\>\" |" in markdown
    html = bad._repr_html_()
    assert "<b>graphdsl</b> <code>bad.gd</code>: 2 errors" in html
    assert "&lt;b&gt;" in html and '"<b>"' not in html  # the program's text is escaped
    assert graphdsl.check(NEWS)._repr_html_() == "<div><b>graphdsl</b> <code>&lt;string&gt;</code>: ok, 5,200,610 parameters</div>"
    many = graphdsl.check("".join(f"input x{i}: float32[1]\n" for i in range(50)))
    assert many._repr_markdown_().count("\n| ") == 2 + 20 and "... and" in many._repr_markdown_()


# ---- misuse of the API is a TypeError/ValueError, never GD0999 -----------------------------------


@pytest.mark.parametrize("params", [{1: 2}, {("vocab",): 1}, [("vocab", 1)], "vocab=1"])
def test_params_of_the_wrong_shape_are_a_type_error(params):
    with pytest.raises(TypeError, match="params"):
        graphdsl.check(SOCIAL, params=params)


@pytest.mark.parametrize(("max_params", "error"), [("7", TypeError), (1.5, TypeError), (None, TypeError),
                                                   (True, TypeError), (-1, ValueError)])
def test_a_budget_of_the_wrong_type_or_sign_is_refused(max_params, error):
    with pytest.raises(error, match="max_params"):
        graphdsl.check("", max_params=max_params)
    with pytest.raises(error, match="max_params"):
        graphdsl.check(SOCIAL, max_params=max_params)


def test_an_empty_model_with_a_zero_budget_is_only_empty():
    assert [d.code for d in graphdsl.check("", max_params=0).diagnostics] == ["GD0301", "GD0302"]
    assert [d.code for d in graphdsl.check("input x: float32[3]\n", max_params=0).errors] == ["GD0302"]


def test_python_values_with_a_plain_meaning_are_constants():
    import numpy as np

    assert graphdsl.check(SOCIAL, params={"vocab": np.int64(1000)}).param_count == 1_602_316
    assert graphdsl.check(SOCIAL, params={"vocab": np.float64(2.5)}).errors[0].code == "GD0109"


@pytest.mark.parametrize("value", [object(), b"bytes", {"a": 1}, 10**5000, (1, 10**40)],
                         ids=["object", "bytes", "dict", "5000 digits", "40 digits in a tuple"])
def test_a_value_that_is_no_constant_is_reported_about_the_whole_program(value):
    (d,) = graphdsl.check(SOCIAL, params={"vocab": value}).diagnostics
    assert d.code == "GD0119" and d.line is None
