"""`graphdsl.check` returns a report for any text, and the CLI fails politely."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

import graphdsl
from graphdsl.cli import main

ROOT = Path(__file__).resolve().parent.parent
VALID = "input x: float32[8]\noutput y = x -> Dense(1) loss mse\n"


# diagnostics about the program as a whole have no location
WHOLE_PROGRAM = {"GD0301", "GD0302", "GD0119"}


def _check(text: str, **kw) -> graphdsl.Report:
    report = graphdsl.check(text, **kw)
    assert isinstance(report, graphdsl.Report)
    lines = re.split(r"\r\n?|\n", text)  # as SourceFile counts lines
    for d in report.diagnostics:
        assert d.code != "GD0999", f"internal error: {d.message}"
        if d.line is None:
            assert d.code in WHOLE_PROGRAM and d.column is d.end_line is d.end_column is None, d
            continue
        assert 1 <= d.line <= d.end_line <= len(lines), d
        assert 1 <= d.column <= len(lines[d.line - 1]) + 1, d
        assert 1 <= d.end_column <= len(lines[d.end_line - 1]) + 1, d
        if d.line == d.end_line:
            assert d.column <= d.end_column, d
        assert d.severity in ("error", "warning")
        assert d.message
    assert report.ok == (not report.errors)
    report.render()  # rendering never raises either
    json.loads(report.to_json())
    return report


@pytest.mark.parametrize("text", ["", "\n", "   \n\t\n  ", "\r\n\r\n", "# only a comment", "# one\n# two\n\n# three\n"],
                         ids=["empty", "newline", "whitespace", "crlf", "comment", "comments"])
def test_empty_programs(text):
    report = _check(text)
    assert not report.ok
    assert sorted(d.code for d in report.diagnostics) == ["GD0301", "GD0302"]
    assert report.param_count is None


def test_binary_junk():
    rng = random.Random(1234)
    for _ in range(5):
        junk = bytes(rng.randrange(256) for _ in range(3000)).decode("latin-1")
        report = _check(junk)
        assert not report.ok
    _check("\0" * 1000)
    _check(VALID.replace("\n", "\0\n"))
    _check("input x\0: float32[8]\n")


def test_junk_between_valid_statements_keeps_the_program():
    report = _check("input x: float32[8]\n\x01\x02\x7f\noutput y = x -> Dense(1) loss mse\n")
    assert {d.code for d in report.diagnostics} == {"GD0001"}
    assert report.tensors["y"] == ((None, 1), "float32")


@pytest.mark.parametrize("opener", ["(", "["])
def test_3000_nested_brackets(opener):
    report = _check("input a: float32[8]\nx = a -> Dense(" + opener * 3000 + "\noutput y = a -> Dense(1) loss mse\n")
    assert "GD0004" in {d.code for d in report.diagnostics}
    report = _check("input a: float32[8]\nx = a -> Dense(" + opener * 3000)
    assert "GD0004" in {d.code for d in report.diagnostics}


def test_balanced_deep_nesting_is_refused_not_crashed():
    _check("param p = " + "(" * 3000 + "1" + ")" * 3000 + "\n" + VALID)
    _check("param p = " + "[" * 3000 + "1" + "]" * 3000 + "\n" + VALID)


def test_5mb_program_of_many_statements():
    pad = "# " + "padding " * 200
    lines = ["# a generated program", "input x: float32[8]", "h0 = x -> Dense(4)"]
    n = size = 0
    while size < 5_000_000:
        n += 1
        lines.append(f"h{n} = h{n - 1} -> Dense(4, activation=\"relu\")  {pad}")
        size += len(lines[-1]) + 1
    lines.append(f"output y = h{n} -> Dense(1) loss mse")
    text = "\n".join(lines) + "\n"
    assert len(text) >= 5_000_000
    report = graphdsl.check(text)
    assert report.ok, report.diagnostics[:3]
    assert report.diagnostics == []
    assert report.param_count == 8 * 4 + 4 + n * (4 * 4 + 4) + 4 + 1


def test_5mb_single_line():
    big = "x" * 2_500_000
    text = f'input x: float32[8] param note = "{big}" output y = x -> Dense(1) loss mse # {big}'
    report = _check(text)
    assert report.ok
    assert [d.code for d in report.diagnostics] == ["GD0306"]


def test_very_long_names():
    long = "n" * 100_000
    report = _check(f"input {long}: float32[8]\noutput y = {long} -> Dense(1) loss mse\n")
    assert report.ok and report.diagnostics == []
    report = _check(f"input x: float32[8]\noutput y = x{long} -> Dense(1) loss mse\n")
    assert [d.code for d in report.errors] == ["GD0101"]


@pytest.mark.parametrize(
    "arg",
    [
        "99999999999999999999999999999999999999",
        "9" * 5000,
        "1e999",
        "1.0e309",
        "-1e999",
        "10 ** 2",
        "1 / 0",
        "1 // 0",
        "1.5 // 0.0",
        "(1 - 1) / (1 - 1)",
        "99999999999999999999999999999 * 99999999999999999999999999999 * 99999999999999999999999999999",
        "1e300 * 1e300",
        "-5",
        "0.5",
        "True",
        "None",
        "'relu'",
        "(1, 2)",
        "[]",
        "Dense(3)",
        "x",
    ],
)
def test_strange_numbers_and_arguments(arg):
    report = _check(f"input x: float32[8]\noutput y = x -> Dense({arg}) loss mse\n")
    assert not report.ok


_HUGE = "99999999999999999999999999999"
_STEP = "input x: float32[?, 4]\noutput y = x -> {} -> Flatten() -> Dense(1) loss mse\n"


@pytest.mark.parametrize("text", [
    f"input x: float32[{_HUGE}]\noutput y = x -> Dense(1) loss mse\n",
    f"input x: float32[4]\noutput y = x -> RepeatVector({_HUGE}) -> GlobalMaxPooling1D() -> Dense(1) loss mse\n",
    f"input x: float32[4, 4, 1]\noutput y = x -> UpSampling2D({_HUGE}) -> GlobalMaxPooling2D() -> Dense(1) loss mse\n",
    f"input x: float32[4, 4, 1]\noutput y = x -> Resizing({_HUGE}, 2) -> GlobalMaxPooling2D() -> Dense(1) loss mse\n",
    _STEP.format(f"Conv1D(2, 3, strides={_HUGE})"),
    _STEP.format(f"ZeroPadding1D({_HUGE})"),
    _STEP.format(f"MaxPooling1D({_HUGE})"),
    _STEP.format(f"LSTM({_HUGE})"),
    _STEP.format(f"Reshape(({_HUGE}, -1))"),
    _STEP.format("Dense(4, kernel_initializer=VarianceScaling(scale=1e308 * 10))"),
    _STEP.format(f"Dense(4, kernel_regularizer=L2({_HUGE}))"),
    _STEP.format("Dropout(1e-400)"),
    _STEP.format("Rescaling(" + "9" * 400 + ".0)"),
    f"input x: int32[4]\noutput y = x -> Embedding({_HUGE}, 2) -> Flatten() -> Dense(1) loss mse\n",
    f"input x: float32[4]\noutput y = x -> Dense(1) loss mse weight {_HUGE}\n",
    "input x: float32[4]\noutput y = x -> Dense(1) loss huber(delta=1e308 * 10)\n",
    f"input x: float32[4]\noutput y = x -> Dense(1) loss mse metrics [auc(num_thresholds={_HUGE})]\n",
    f"input x: float32[4]\noutput y = x -> Dense(1) loss mse\noptimizer sgd(momentum={_HUGE})\n",
    "input x: float32[4]\noutput y = x -> Dense(1) loss mse\noptimizer adam(learning_rate=" + "9" * 5000 + ")\n",
    "param n = " + "9" * 5000 + "\n" + VALID,
    f"param n = {_HUGE} * {_HUGE} * {_HUGE} * {_HUGE}\n" + VALID.replace("Dense(1)", "Dense(n)"),
])
def test_numbers_too_large_anywhere_are_located_never_internal(text):
    _check(text)  # no GD0999, every diagnostic located (or about the whole program)


def test_an_axis_longer_than_keras_can_index_is_refused():
    report = _check(f"input x: float32[4]\noutput y = x -> RepeatVector({_HUGE}) -> GlobalMaxPooling1D() -> Dense(1) "
                    "loss mse\n")
    assert [d.code for d in report.errors] == ["GD0201"] and "longer than Keras can index" in report.errors[0].message


def test_division_by_zero_in_params():
    report = _check("param a = 0\nparam b = 4 // a\n" + VALID.replace("Dense(1)", "Dense(b)"))
    assert [d.code for d in report.errors] == ["GD0120"]
    report = _check("param a = 1 / 0\n" + VALID.replace("Dense(1)", "Dense(a)"))
    assert [d.code for d in report.errors] == ["GD0120"]


def test_unicode_names_and_text():
    report = _check("input données: float32[8]\noutput y = données -> Dense(1) loss mse\n")
    assert not report.ok
    assert "GD0001" in {d.code for d in report.errors}
    _check("# Ünïcödé comment ✓ 🙂\n" + VALID)
    report = _check("input x: float32[8]\noutput y = x -> Dense(1, activation=\"rélu\") loss mse\n")
    assert [d.code for d in report.errors] == ["GD0110"]
    _check("input x: float32[8]\noutput 🙂 = x -> Dense(1) loss mse\n")
    _check("\ufeff" + VALID)


def test_non_ascii_name_is_one_error_per_use():
    report = _check("input données: float32[8]\noutput y = données -> Dense(1) loss mse\n")
    assert len(report.errors) <= 2


def test_check_rejects_non_text():
    with pytest.raises(TypeError):
        graphdsl.check(b"input x: float32[8]")  # type: ignore[arg-type]


def test_long_flat_arithmetic_is_refused_with_a_diagnostic():
    report = _check("input x: float32[8]\noutput y = x -> Dense(" + "1 + " * 1500 + "1) loss mse\n")
    assert [d.code for d in report.errors] == ["GD0004"]
    assert _check("input x: float32[8]\noutput y = x -> Dense(" + "1 + " * 90 + "1) loss mse\n").ok


def test_a_run_of_junk_is_reported_once():
    report = _check(VALID + "@" * 2000 + "\n")
    assert len(report.diagnostics) <= 10


# ---- the command line ---------------------------------------------------------------------------


@pytest.fixture
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def test_cli_missing_file_is_a_diagnostic_about_the_file_and_exit_2(at_root, capsys):
    assert main(["check", "no/such/file.gd"]) == 2
    err = capsys.readouterr().err
    assert err == ("error[GD0009]: cannot read no/such/file.gd: no such file\n --> no/such/file.gd\n"
                   "no/such/file.gd: 1 error\n\n")


def test_cli_a_folder_without_programs_is_exit_2(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("not a program")
    assert main(["check", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error[GD0009]: no .gd files in the folder {tmp_path}\n") and "Traceback" not in err


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--bogus", "examples/social.gd"],
        ["check"],
        ["frobnicate", "examples/social.gd"],
        [],
        ["check", "--format", "xml", "examples/social.gd"],
        ["check", "--max-params", "lots", "examples/social.gd"],
    ],
)
def test_cli_wrong_options(argv, at_root, capsys):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert "error:" in captured.err


@pytest.mark.parametrize("define", ["vocab", "vocab=", "vocab=abc", "vocab=(1,", "vocab=1 2", "=3", "3x=1",
                                    "vocab=1/0", "vocab=input"])
def test_cli_bad_define_is_shown_in_the_argument_itself(define, at_root, capsys):
    assert main(["check", "-D", define, "examples/social.gd"]) == 2
    err = capsys.readouterr().err
    assert re.match(r"error\[GD01(19|20)\]: ", err), err
    assert " --> <command line>:1:" in err and f"1 | -D {define}\n" in err
    assert "Traceback" not in err and "social.gd" not in err


def test_cli_good_define(at_root, capsys):
    assert main(["check", "-D", "vocab=1000", "-D", "income_groups=3", "examples/social.gd"]) == 0
    assert capsys.readouterr().err == ""


def test_cli_json(at_root, capsys, tmp_path):
    bad = tmp_path / "bad.gd"
    bad.write_text("input x: float32[8]\ninput unused: float32[2]\noutput y = x -> Dense(0) loss mse\n")
    assert main(["check", "--format", "json", "examples/news.gd", str(bad)]) == 1
    captured = capsys.readouterr()
    assert captured.err == ""
    items = json.loads(captured.out)
    assert isinstance(items, list) and len(items) == 2
    keys = {"file", "line", "column", "end_line", "end_column", "severity", "code", "message", "help"}
    for item in items:
        assert keys <= set(item)
        assert item["file"] == str(bad)
    by_code = {item["code"]: item for item in items}
    assert by_code["GD0109"]["severity"] == "error"
    assert (by_code["GD0109"]["line"], by_code["GD0109"]["column"]) == (3, 23)
    assert (by_code["GD0109"]["end_line"], by_code["GD0109"]["end_column"]) == (3, 24)
    assert by_code["GD0303"]["severity"] == "warning"


def test_cli_json_clean(at_root, capsys):
    assert main(["check", "--format", "json", "examples/social.gd"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def _latin1_file(tmp_path) -> Path:
    path = tmp_path / "latin1.gd"
    path.write_bytes(b"# caf\xe9\ninput x: float32[8]\noutput y = x -> Dense(1) loss mse\n")
    return path


def test_cli_not_utf8(tmp_path, capsys):
    path = _latin1_file(tmp_path)
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error[GD0008]: the file is not UTF-8 text (byte 5 is 0xe9)")
    assert f"{path}:1:6" in err
    assert main(["check", "--format", "json", str(path)]) == 1
    (item,) = json.loads(capsys.readouterr().out)
    assert item["code"] == "GD0008" and item["severity"] == "error"


def test_cli_not_utf8_json_points_at_the_byte(tmp_path, capsys):
    path = _latin1_file(tmp_path)
    main(["check", "--format", "json", str(path)])
    (item,) = json.loads(capsys.readouterr().out)
    assert (item["line"], item["column"]) == (1, 6)


def test_cli_utf8_bom_is_accepted(tmp_path, capsys):
    path = tmp_path / "bom.gd"
    path.write_bytes(b"\xef\xbb\xbf" + VALID.encode())
    assert main(["check", str(path)]) == 0
    assert capsys.readouterr().err == ""


def test_cli_shapes(at_root, capsys):
    assert main(["check", "--shapes", "examples/social.gd"]) == 0
    out = capsys.readouterr().out
    assert "Total params: 14,146,316" in out
    assert "features" in out and "(None, 128)" in out
    assert main(["check", "--shapes", "examples/news.gd"]) == 0
    assert "Total params: 5,200,610" in capsys.readouterr().out


def test_cli_several_files_keep_going(at_root, capsys, tmp_path):
    bad = tmp_path / "bad.gd"
    bad.write_text("input x: float32[8]\noutput y = x -> Dense(0) loss mse\n")
    assert main(["check", str(bad), "no_such.gd"]) == 2
    capsys.readouterr()
    assert main(["check", str(bad), "examples/social.gd"]) == 1
    err = capsys.readouterr().err
    assert "GD0109" in err and "social.gd" not in err
