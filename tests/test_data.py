"""Training data, without TensorFlow: loading (memory-mapped), the checks against the program,
`graphdsl.check_data`, and `graphdsl train` up to the point where TensorFlow would start.

Every data diagnostic also has a golden case (tests/golden_data, tests/test_data_golden.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import graphdsl
from graphdsl import data as gdata
from graphdsl.cli import main
from graphdsl.testing import ALL, programs

ROOT = Path(__file__).resolve().parent.parent
NEWS = (ROOT / "examples" / "news.gd").read_text()
SOCIAL = (ROOT / "examples" / "social.gd").read_text()
rng = np.random.default_rng(0)


def news_data(n: int = 16) -> dict[str, np.ndarray]:
    return {
        "main_input": rng.integers(0, 10000, (n, 100)).astype(np.int32),
        "aux_input": rng.random((n, 5), dtype=np.float32),
        "main_output": rng.integers(0, 2, (n, 1)),
        "aux_output": rng.integers(0, 2, (n, 1)),
    }


def codes(report: graphdsl.Report) -> list[str]:
    return [d.code for d in report.diagnostics]


def graph_of(text: str):
    report = graphdsl.check(text)
    assert report.ok, report.render()
    return report.graph


# ---- loading -------------------------------------------------------------------------------------


def test_an_uncompressed_npz_is_memory_mapped_and_a_compressed_one_is_read(tmp_path):
    arrays = {"a": np.arange(12, dtype=np.int32).reshape(3, 4), "b": np.asfortranarray(rng.random((5, 3))),
              "empty": np.zeros((0, 4), np.float32)}
    np.savez(tmp_path / "plain.npz", **arrays)
    np.savez_compressed(tmp_path / "small.npz", **arrays)
    plain = gdata.load(tmp_path / "plain.npz")
    small = gdata.load(tmp_path / "small.npz")
    assert isinstance(plain.arrays["a"], np.memmap) and isinstance(plain.arrays["b"], np.memmap)
    assert plain.compressed == [] and sorted(small.compressed) == ["a", "b", "empty"]
    for ds in (plain, small):
        assert sorted(ds.arrays) == ["a", "b", "empty"]
        for name, want in arrays.items():
            assert ds.arrays[name].dtype == want.dtype and np.array_equal(ds.arrays[name], want)
    assert not isinstance(small.arrays["a"], np.memmap)


def test_a_folder_of_npy_files_is_memory_mapped_and_other_files_are_ignored(tmp_path):
    np.save(tmp_path / "x.npy", np.ones((4, 3), np.float32))
    np.save(tmp_path / "y.npy", np.zeros((4, 1)))
    (tmp_path / "README.txt").write_text("not data")
    ds = gdata.load(tmp_path)
    assert sorted(ds.arrays) == ["x", "y"] and ds.name == str(tmp_path)
    assert all(isinstance(a, np.memmap) for a in ds.arrays.values())


def test_arrays_of_python_objects_are_never_unpickled(tmp_path):
    objects = np.array([{"a": 1}, None], dtype=object)
    np.savez(tmp_path / "o.npz", x=objects)
    np.save(tmp_path / "x.npy", objects, allow_pickle=True)
    for ds in (gdata.load(tmp_path / "o.npz"), gdata.load(tmp_path)):
        assert "x" not in ds.arrays and "Python objects" in ds.unreadable["x"]


def test_what_cannot_be_read_at_all_is_a_data_error(tmp_path):
    (tmp_path / "notes.npz").write_text("hello")
    with pytest.raises(graphdsl.DataError, match="not an .npz"):
        gdata.load(tmp_path / "notes.npz")
    with pytest.raises(graphdsl.DataError, match="no such file"):
        gdata.load(tmp_path / "missing.npz")
    with zipfile.ZipFile(tmp_path / "junk.npz", "w") as z:
        z.writestr("x.npy", b"not an npy header")
    with pytest.raises(graphdsl.DataError, match="cannot read"):
        gdata.load(tmp_path / "junk.npz")


def test_checking_a_large_memory_mapped_array_does_not_copy_it(tmp_path):
    ids = np.lib.format.open_memmap(tmp_path / "words.npy", mode="w+", dtype=np.int32, shape=(400_000, 100))
    ids[:] = 7  # 160 MB of ids, all in range
    ids.flush()
    del ids
    np.save(tmp_path / "topic.npy", np.zeros(400_000, np.int64))
    graph = graph_of("input words: int32[100]\noutput topic = words -> Embedding(10, 2) -> Flatten()"
                     " -> Dense(3, activation=\"softmax\") loss sparse_categorical_crossentropy\n")
    ds = gdata.load(tmp_path)
    tracemalloc.start()
    try:
        assert gdata.check_data(graph, ds) == []
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20, f"checking 160 MB of mapped ids allocated {peak / 2**20:.0f} MB"


# ---- checks --------------------------------------------------------------------------------------


def test_data_that_fits_has_no_diagnostics_and_an_output_without_loss_needs_no_array():
    assert codes(graphdsl.check_data(NEWS, news_data())) == []
    text = ("input x: float32[?, 3]\nh = x -> LSTM(4, return_sequences=True)\n"
            "output y = h -> GlobalMaxPooling1D() -> Dense(1) loss mse\noutput states = h\n")
    data = {"x": rng.random((6, 7, 3)), "y": rng.random((6,))}
    assert codes(graphdsl.check_data(text, data)) == []
    x, y = gdata.fit_arrays(graph_of(text), gdata.from_arrays(data))
    assert y["states"].shape == (6, 7, 4) and not y["states"].any()  # zeros of the data's own length


def test_social_data_must_be_at_least_269_steps_long():
    def data(steps: int) -> dict:
        n = 4
        return {"posts": rng.integers(0, 50000, (n, steps)), "age": rng.random((n, 1)),
                "income": np.eye(10)[rng.integers(0, 10, n)], "gender": rng.integers(0, 2, (n, 1))}

    assert codes(graphdsl.check_data(SOCIAL, data(269))) == []
    report = graphdsl.check_data(SOCIAL, data(268))
    assert codes(report) == ["GD0406"]
    assert "needs at least 269" in report.diagnostics[0].message
    assert report.diagnostics[0].line == 7  # input posts: int32[?]


def test_targets_of_each_loss():
    text = ("input x: float32[3]\n"
            "output s = x -> Dense(4, activation=\"softmax\") loss sparse_categorical_crossentropy\n"
            "output c = x -> Dense(4, activation=\"softmax\") loss categorical_crossentropy\n"
            "output b = x -> Dense(1, activation=\"sigmoid\") loss binary_crossentropy\n"
            "output r = x -> Dense(1) loss mse\n")
    n = 5
    good = {"x": rng.random((n, 3)), "s": np.array([0, 3, 1, 2, 0.0]), "c": np.eye(4)[[0, 1, 2, 3, 0]],
            "b": rng.random((n,)), "r": rng.normal(size=(n, 1)) * 100}
    assert codes(graphdsl.check_data(text, good)) == []
    assert codes(graphdsl.check_data(text, {**good, "s": good["s"].reshape(n, 1).astype(np.int64)})) == []
    for bad, code in [({"s": np.array([0, 1, 1.5, 2, 0])}, "GD0409"), ({"s": np.array([0, -1, 1, 2, 0])}, "GD0409"),
                      ({"c": np.eye(4)[[0, 1, 2, 3, 0]] * 2}, "GD0409"), ({"b": np.full(n, 1.01)}, "GD0409"),
                      ({"c": np.zeros((n, 5))}, "GD0404"), ({"r": np.zeros((n, 2))}, "GD0404"),
                      ({"s": np.zeros((n, 4))}, "GD0404"), ({"b": np.array(["yes"] * n)}, "GD0405"),
                      ({"r": np.array([0, np.inf, 0, 0, 0.0])}, "GD0410")]:
        report = graphdsl.check_data(text, {**good, **bad})
        assert codes(report) == [code], (bad, report.render())


def test_ctc_takes_label_sequences_and_circle_a_class_per_sample():
    text = ("input audio: float32[12, 3]\n"
            "output text = audio -> Dense(5, activation=\"softmax\") loss ctc\n"
            "output emb = audio -> Flatten() -> Dense(4) loss circle\n")
    n = 4
    good = {"audio": rng.random((n, 12, 3)), "text": rng.integers(1, 5, (n, 6)), "emb": np.array([0, 1, 1, 2])}
    assert codes(graphdsl.check_data(text, good)) == []
    assert codes(graphdsl.check_data(text, {**good, "emb": good["emb"].reshape(n, 1)})) == []
    for bad, code in [({"text": np.full((n, 6), 5)}, "GD0409"), ({"text": np.full((n, 6), 1.5)}, "GD0409"),
                      ({"emb": np.array([0, 1, 1.5, 2])}, "GD0409"), ({"emb": np.zeros((n, 4))}, "GD0404")]:
        report = graphdsl.check_data(text, {**good, **bad})
        assert codes(report) == [code], (bad, report.render())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(text=programs(max_inputs=2, max_outputs=2, max_depth=3, dtypes=ALL, unknown_sizes=True, losses=ALL,
                     metrics=ALL, compile_arguments=True))
def test_example_arrays_are_data_check_data_accepts(text):
    graph = graph_of(text)
    sizes = gdata.example_sizes(graph)
    assert sizes is not None
    for inp in graph.inputs:  # every ? dimension at least the smallest size the model accepts
        assert all(d is None or s == d for s, d in zip(sizes[inp.name], inp.type.shape, strict=True))
    # where the rules leave an output's size unknown (as Keras's do), any size is data check_data takes
    concrete = gdata.infer_with(graph, sizes)[0]
    shapes = {out.name: tuple(1 if d is None else d for d in concrete.get(out.tensor, out.type).shape)
              for out in graph.outputs}
    arrays = gdata.example_arrays(graph, 3, seed=1, output_shapes=shapes)
    assert codes(graphdsl.check_data(text, arrays)) == []


def test_ids_are_checked_against_every_embedding_that_looks_them_up():
    text = ("input a: int64[2, 3]\ninput b: int32[4, 2]\nlayer embed = Embedding(50, 2)\n"
            "ea = a -> Reshape((6,)) -> embed -> Flatten()\n"
            "eb = b -> TimeDistributed(Embedding(20, 2)) -> Flatten()\n"
            "output y = concat(ea, eb) -> Dense(1) loss mse\n")
    n = 40
    good = {"a": rng.integers(0, 50, (n, 2, 3)), "b": rng.integers(0, 20, (n, 4, 2)).astype(np.uint8),
            "y": rng.random((n, 1))}
    assert codes(graphdsl.check_data(text, good)) == []
    a = good["a"].copy()
    a[37, 1, 2] = 50
    report = graphdsl.check_data(text, {**good, "a": a})
    assert codes(report) == ["GD0408"]
    assert "sample 37" in report.diagnostics[0].message
    b = good["b"].copy()
    b[3, 0, 1] = 20
    assert codes(graphdsl.check_data(text, {**good, "b": b})) == ["GD0408"]
    big = good["a"].copy()
    big[0, 0, 0] = 2**40  # int64 data for an int64 input: the Embedding still refuses it
    assert codes(graphdsl.check_data(text, {**good, "a": big})) == ["GD0408"]


def test_values_beyond_the_declared_integer_dtype_are_refused():
    text = "input x: int32[2]\noutput y = x -> Dense(1) loss mse\n"
    ok = {"x": np.array([[1, 2], [3, 4]], np.int64), "y": np.zeros((2, 1))}
    assert codes(graphdsl.check_data(text, ok)) == []
    report = graphdsl.check_data(text, {**ok, "x": np.array([[1, 2], [3, 2**33]], np.int64)})
    assert codes(report) == ["GD0405"] and "int32" in report.diagnostics[0].message


def test_the_first_bad_sample_is_found_across_chunks(monkeypatch):
    monkeypatch.setattr(gdata, "_CHUNK_BYTES", 64)  # a few rows per chunk
    text = "input w: int32[4]\noutput y = w -> Embedding(10, 2) -> Flatten() -> Dense(1) loss mse\n"
    w = rng.integers(0, 10, (100, 4))
    w[77, 3] = 10
    x = rng.random((100, 4))
    x[55, 1] = np.nan
    report = graphdsl.check_data(text, {"w": w, "y": x[:, :1]})
    assert codes(report) == ["GD0408"] and "sample 77" in report.diagnostics[0].message
    report = graphdsl.check_data(text, {"w": w % 10, "y": x[:, 1:2]})
    assert codes(report) == ["GD0410"] and "sample 55" in report.diagnostics[0].message


def test_a_program_with_errors_is_reported_without_checking_the_data():
    report = graphdsl.check_data("input x: float32[3]\noutput y = x -> Dense(0) loss mse\n", {"q": np.zeros(3)})
    assert codes(report) == ["GD0109"] and not report.ok


def test_validation_arguments_are_checked():
    with pytest.raises(ValueError, match="not both"):
        graphdsl.check_data(NEWS, news_data(), validation_data=news_data(), validation_split=0.5)
    with pytest.raises(ValueError, match="between 0 and 1"):
        graphdsl.check_data(NEWS, news_data(), validation_split=1.5)
    with pytest.raises(ValueError, match="leaves 0 to train on and 1 to validate on"):
        graphdsl.check_data(NEWS, news_data(1), validation_split=0.5)
    assert gdata.split_sizes(10, 0.25) == (7, 3)  # Keras's rule: floor(n * (1 - split)) to train on
    report = graphdsl.check_data(NEWS, news_data(), validation_data={**news_data(4), "aux_output": np.full((4, 1), 3)})
    assert codes(report) == ["GD0409"] and "the validation data" in report.diagnostics[0].message


# ---- the command, up to TensorFlow ---------------------------------------------------------------


def _imports(stderr: str) -> list[str]:
    return [line.rsplit("|", 1)[-1].strip() for line in stderr.splitlines() if line.startswith("import time:")]


def test_bad_data_exits_1_and_good_data_with_check_exits_0_neither_importing_tensorflow(tmp_path):
    np.savez(tmp_path / "good.npz", **news_data())
    np.savez(tmp_path / "bad.npz", **{**news_data(), "main_input": news_data()["main_input"] + 9000})
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [subprocess.run([sys.executable, "-X", "importtime", "-m", "graphdsl", "train", "examples/news.gd",
                            "--data", str(tmp_path / name), *extra], cwd=ROOT, env=env, capture_output=True,
                           text=True, check=False)
            for name, extra in (("bad.npz", []), ("good.npz", ["--check"]))]
    bad, good = runs
    assert bad.returncode == 1 and "error[GD0408]" in bad.stderr and "Traceback" not in bad.stderr
    assert good.returncode == 0 and "fit together" in good.stdout, good.stderr
    for proc in runs:
        assert not [m for m in _imports(proc.stderr) if m.split(".")[0] in ("tensorflow", "keras")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.npz", "good.npz"]  # nothing written


def test_the_api_refuses_bad_data_before_importing_tensorflow():
    code = (
        "import sys, numpy as np, graphdsl\n"
        "try:\n"
        "    graphdsl.train('input x: float32[3]\\noutput y = x -> Dense(1) loss mse\\n',"
        " {'x': np.zeros((4, 3)), 'y': np.zeros((5, 1))})\n"
        "except graphdsl.CompileError as err:\n"
        "    print(err.diagnostics[0].code)\n"
        "print(any(m.split('.')[0] in ('tensorflow', 'keras') for m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, check=False)
    assert proc.stdout.split() == ["GD0407", "False"], proc.stderr


@pytest.mark.parametrize("extra, message", [
    (["--data", "missing.npz"], "no such file"),
    (["--data", "DATA", "--validation-split", "1.5"], "between 0 and 1"),
    (["--data", "DATA", "--validation-split", "0.5", "--validation-data", "DATA"], "not allowed with"),
    (["--data", "DATA", "-o", "model.h5"], "ending in .keras"),
    (["--data", "DATA", "-o", "no/such/folder/m.keras"], "does not exist"),
    (["--data", "DATA", "--epochs", "0"], "positive integer"),
    (["--data", "DATA", "--distribute", "multiworker"], "TF_CONFIG"),
    (["--data", "DATA", "--checkpoint-dir", "DATA"], "is a file"),
])
def test_wrong_command_lines_exit_2_before_anything_runs(extra, message, tmp_path, monkeypatch, capsys):
    np.savez(tmp_path / "d.npz", **news_data())
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("TF_CONFIG", raising=False)
    args = [str(tmp_path / "d.npz") if a == "DATA" else a for a in extra]
    assert main(["train", "examples/news.gd", *args]) == 2
    assert message in capsys.readouterr().err


def test_a_malformed_tf_config_is_a_wrong_command_line(tmp_path, monkeypatch, capsys):
    np.savez(tmp_path / "d.npz", **news_data())
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("TF_CONFIG", '{"cluster": {}}')
    assert main(["train", "examples/news.gd", "--data", str(tmp_path / "d.npz"), "--distribute", "multiworker"]) == 2
    assert "not a cluster description" in capsys.readouterr().err


def test_a_compressed_npz_gets_a_note(tmp_path, monkeypatch, capsys):
    np.savez_compressed(tmp_path / "d.npz", **news_data())
    monkeypatch.chdir(ROOT)
    assert main(["train", "examples/news.gd", "--data", str(tmp_path / "d.npz"), "--check"]) == 0
    assert "np.savez (uncompressed) lets graphdsl map them" in capsys.readouterr().err
