"""The command line behaves like a good Unix tool: a closed pipe or a full disk is one line, JSON is
always one valid document, folders are checked file by file, counts read the way people write
them, and `fmt` never hurts a file (symlinks followed, modes kept, read-only files refused)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from graphdsl.cli import main

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
VALID = "input x: float32[8]\noutput y = x -> Dense(1) loss mse\n"


@pytest.fixture
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def _big_program(tmp_path: Path, n: int = 2000) -> Path:
    """A program whose --shapes table is far larger than a pipe's buffer (64 KB)."""
    lines = ["input x: float32[8]"]
    lines += [f"h{i} = {'x' if i == 0 else f'h{i - 1}'} -> Dense(8)" for i in range(n)]
    lines.append(f"output y = h{n - 1} -> Dense(1) loss mse")
    path = tmp_path / "big.gd"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_closed_pipe_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    big = _big_program(tmp_path)
    proc = subprocess.run(["bash", "-c", f"{sys.executable} -m graphdsl check --shapes {big} | head -1"],
                          capture_output=True, text=True, env=ENV, timeout=120, check=False)
    assert proc.stdout == f"{big}\n"
    assert proc.stderr == "graphdsl: error: cannot write to standard output: the pipe was closed\n"


def test_a_pipe_closed_before_anything_is_written(tmp_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-m", "graphdsl", "check", "--format", "json", str(ROOT / "examples")],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    child.stdout.close()
    err = child.stderr.read().decode()
    assert child.wait(timeout=120) == 1
    assert err == "graphdsl: error: cannot write to standard output: the pipe was closed\n"


def test_a_full_disk_on_standard_output_is_one_line(tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "graphdsl", "check", "--shapes", str(ROOT / "examples/social.gd")],
                              stdout=full, stderr=subprocess.PIPE, text=True, env=ENV, timeout=120, check=False)
    assert proc.returncode == 1
    assert proc.stderr == "graphdsl: error: cannot write to standard output: No space left on device\n"


def test_a_folder_is_its_gd_files_recursively_sorted_hidden_folders_skipped(tmp_path: Path, capsys) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "a.gd").write_text(VALID.replace("Dense(1)", "Dense(0)"))
    (tmp_path / "b" / "c.gd").write_text(VALID.replace("Dense(1)", "Dense(-1)"))
    (tmp_path / "b" / "notes.txt").write_text("not a program")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "d.gd").write_text("junk")
    assert main(["check", "--format", "json", str(tmp_path)]) == 1
    files = [item["file"] for item in json.loads(capsys.readouterr().out)]
    assert files == [str(tmp_path / "a.gd"), str(tmp_path / "b" / "c.gd")]


def test_checking_the_examples_folder(at_root, capsys) -> None:
    assert main(["check", "examples"]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("written", ["1e6", "1_000_000", "1,000,000", "1000000", "1.0e6"])
def test_max_params_reads_the_way_people_write_counts(written: str, at_root, capsys) -> None:
    assert main(["check", "--max-params", written, "examples/news.gd"]) == 1
    assert "more than the budget of 1,000,000" in capsys.readouterr().err


@pytest.mark.parametrize("written", ["lots", "1.5", "-3", "inf", "nan", ""])
def test_max_params_refuses_what_is_not_a_count(written: str, at_root, capsys) -> None:
    assert main(["check", "--max-params", written, "examples/news.gd"]) == 2
    err = capsys.readouterr().err
    assert "--max-params" in err and "Traceback" not in err


def test_json_with_a_missing_file_checks_the_others_and_lists_the_missing_one(at_root, capsys) -> None:
    code = main(["check", "--format", "json", "examples/news.gd", "no/such.gd", "tests/golden/GD0301_no_input.gd"])
    assert code == 2  # a file that cannot be read is a wrong command line
    items = json.loads(capsys.readouterr().out)
    assert [(i["file"], i["code"]) for i in items] == [
        ("no/such.gd", "GD0009"),
        ("tests/golden/GD0301_no_input.gd", "GD0301"),
        ("tests/golden/GD0301_no_input.gd", "GD0101"),
    ]
    missing, whole, located = items
    assert missing["line"] is missing["column"] is missing["end_line"] is missing["end_column"] is None
    assert whole["line"] is None and whole["help"].startswith("declare one")
    assert (located["line"], located["column"]) == (4, 12)


def test_json_carries_the_labels(tmp_path: Path, capsys) -> None:
    path = tmp_path / "twice.gd"
    path.write_text("input x: float32[8]\nh = x -> Dense(2)\nh = x -> Dense(3)\noutput y = h -> Dense(1) loss mse\n")
    assert main(["check", "--format", "json", str(path)]) == 1
    (item,) = [i for i in json.loads(capsys.readouterr().out) if i["code"] == "GD0102"]
    assert item["labels"] == [{"line": 2, "column": 1, "end_line": 2, "end_column": 2,
                               "message": "first defined here"}]


def test_json_for_a_bad_define_is_still_one_document(at_root, capsys) -> None:
    assert main(["check", "--format", "json", "-D", "vocab=1/0", "examples/social.gd"]) == 2
    (item,) = json.loads(capsys.readouterr().out)
    assert (item["file"], item["code"], item["line"], item["column"]) == ("<command line>", "GD0120", 1, 10)


def test_shapes_as_json(at_root, capsys) -> None:
    assert main(["check", "--shapes", "--format", "json", "examples/news.gd"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["diagnostics"] == []
    (model,) = document["models"]
    assert model["file"] == "examples/news.gd" and model["params"] == 5_200_610
    rows = {row["tensor"]: row for row in model["tensors"]}
    assert rows["main_input"] == {"tensor": "main_input", "shape": [None, 100], "dtype": "int32", "class": "Input",
                                  "layer": "main_input", "line": 4, "column": 1, "params": 0,
                                  "name": None, "calls": []}
    assert sum(row["params"] for row in model["tensors"]) == 5_200_610
    assert all(set(row) == {"tensor", "shape", "dtype", "class", "layer", "line", "column", "params", "name", "calls"}
               for row in model["tensors"])


def test_shapes_as_json_name_the_block_calls(at_root, capsys) -> None:
    assert main(["check", "--shapes", "--format", "json", "examples/tiny_resnet.gd"]) == 0
    (model,) = json.loads(capsys.readouterr().out)["models"]
    inside = [row for row in model["tensors"] if row["calls"]]
    assert inside, "the residual blocks' layers carry their calls"
    call = inside[0]["calls"][0]
    assert set(call) == {"id", "block", "line", "column"} and call["block"] in {"conv_bn", "residual", "downsample"}
    assert sum(row["params"] for row in model["tensors"]) == model["params"]


def test_fmt_writes_through_a_symlink_and_keeps_the_mode(tmp_path: Path, capsys) -> None:
    real = tmp_path / "real.gd"
    real.write_text("input x: float32[8]\noutput y = x->Dense(1) loss mse\n")
    real.chmod(0o604)
    link = tmp_path / "link.gd"
    link.symlink_to(real)
    assert main(["fmt", str(link)]) == 0
    assert link.is_symlink() and real.read_text() == "input x: float32[8]\n\noutput y = x -> Dense(1)\n    loss mse\n"
    assert stat.S_IMODE(real.stat().st_mode) == 0o604
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.gd", "real.gd"]


def test_fmt_of_a_file_it_cannot_replace_changes_nothing(tmp_path: Path, capsys, monkeypatch) -> None:
    path = tmp_path / "ugly.gd"
    path.write_text("input x: float32[8]\noutput y = x->Dense(1) loss mse\n")
    before = path.read_bytes()
    monkeypatch.setattr("graphdsl.fileio.problem_writing", lambda p: f"{p} is read-only")
    assert main(["fmt", str(path), "no_such.gd"]) == 2
    err = capsys.readouterr().err
    assert f"error[GD0009]: cannot write {path}: {path} is read-only" in err
    assert "error[GD0009]: cannot read no_such.gd: no such file" in err
    assert path.read_bytes() == before


def test_fmt_of_a_file_with_lines_ending_in_cr(tmp_path: Path, capsys) -> None:
    path = tmp_path / "mac.gd"
    path.write_bytes(b"# old Mac\rinput x: float32[8]\routput y = x -> Dense(1) loss mse\r")
    assert main(["check", str(path)]) == 0
    assert main(["fmt", str(path)]) == 0
    assert path.read_bytes() == b"# old Mac\ninput x: float32[8]\n\noutput y = x -> Dense(1)\n    loss mse\n"
