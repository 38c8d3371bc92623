"""`graphdsl train` and `graphdsl.train` with Keras: outputs, validation, metrics per output,
TensorBoard, atomic writes, resuming after SIGKILL, two workers on localhost, seeds, and the
README's examples as written.

Whole processes are few (each imports TensorFlow): one killed and resumed training, and two
workers. Everything else runs in this process on tiny models and data.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import graphdsl  # noqa: E402
from graphdsl.backend import lower  # noqa: E402
from graphdsl.backend import train as backend_train  # noqa: E402
from graphdsl.cli import main  # noqa: E402

pytestmark = pytest.mark.keras

ROOT = Path(__file__).resolve().parents[2]

# Two inputs (one with a ? dimension), two outputs with metrics: small enough to train in a blink.
TINY = """model tiny

input x: float32[8]
input t: int32[?]

h = t -> Embedding(20, 4) -> GlobalAveragePooling1D()
z = concat(x, h) -> Dense(16, activation="relu")

output y = z -> Dense(1)
    loss mse metrics [mae]
output c = z -> Dense(3, activation="softmax")
    loss sparse_categorical_crossentropy metrics [accuracy]
"""


def tiny_data(n: int = 64, seed: int = 0, steps: int = 6) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"x": rng.random((n, 8), dtype=np.float32), "t": rng.integers(0, 20, (n, steps)),
            "y": rng.random((n, 1)), "c": rng.integers(0, 3, n)}


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# ---- in this process ------------------------------------------------------------------------------


def test_train_writes_the_model_its_history_curve_and_tensorboard_logs(tmp_path):
    out = tmp_path / "tiny.keras"
    result = graphdsl.train(TINY, tiny_data(), validation_data=tiny_data(16, seed=1), epochs=3, batch_size=16,
                            output=out, log_dir=tmp_path / "logs", verbose=0)
    assert result.initial_epoch == 0 and result.chief
    history = result.history
    # validation metrics for every output, every epoch
    for key in ("loss", "y_loss", "c_loss", "c_accuracy", "y_mean_absolute_error",
                "val_loss", "val_y_loss", "val_c_loss", "val_c_accuracy", "val_y_mean_absolute_error"):
        assert len(history[key]) == 3, key
    assert result.written == [str(out), str(tmp_path / "tiny.history.csv"), str(tmp_path / "tiny.history.json"),
                              str(tmp_path / "tiny.loss.svg")]
    loaded = keras.models.load_model(out, safe_mode=True)
    for a, b in zip(loaded.get_weights(), result.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    rows = (tmp_path / "tiny.history.csv").read_text().splitlines()
    assert rows[0].startswith("epoch,loss,") and [r.split(",")[0] for r in rows[1:]] == ["1", "2", "3"]
    assert float(rows[3].split(",")[1]) == pytest.approx(history["loss"][2])
    doc = json.loads((tmp_path / "tiny.history.json").read_text())
    assert doc["epoch"] == [1, 2, 3] and doc["val_c_accuracy"] == history["val_c_accuracy"]
    assert doc["model"] == "tiny" and doc["samples"] == 64
    svg = ET.parse(tmp_path / "tiny.loss.svg").getroot()
    assert len(svg.findall("{http://www.w3.org/2000/svg}polyline")) == 6  # loss, y_loss, c_loss and val_ twins
    assert (tmp_path / "logs" / "train").is_dir() and (tmp_path / "logs" / "validation").is_dir()
    assert any((tmp_path / "logs" / "train").iterdir())
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_a_validation_split_and_an_output_without_a_loss(tmp_path):
    text = TINY + "output features = z\n"
    result = graphdsl.train(text, tiny_data(40), validation_split=0.25, epochs=1, batch_size=8, verbose=0)
    assert set(result.history) >= {"loss", "val_loss", "val_c_accuracy"}
    assert not any(k.startswith("features") for k in result.history)  # not trained, no loss of its own
    assert result.written == []  # no output path: nothing written


def test_a_failed_training_leaves_the_earlier_outputs_untouched(tmp_path):
    out = tmp_path / "tiny.keras"
    out.write_bytes(b"the previous model")
    (tmp_path / "tiny.history.csv").write_text("the previous history\n")

    class Crash(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise RuntimeError("the machine fell over")

    with pytest.raises(RuntimeError, match="fell over"):
        graphdsl.train(TINY, tiny_data(), epochs=3, output=out, checkpoint_dir=tmp_path / "ck", verbose=0,
                       callbacks=[Crash()])
    assert out.read_bytes() == b"the previous model"
    assert (tmp_path / "tiny.history.csv").read_text() == "the previous history\n"
    state = json.loads((tmp_path / "ck" / "graphdsl-state.json").read_text())
    assert state["epoch"] == 2 and len(state["history"]["loss"]) == 2  # the finished epochs are kept
    assert listing(tmp_path) == ["ck", "ck/epoch-0001.weights.h5", "ck/epoch-0002.weights.h5",
                                 "ck/graphdsl-state.json", "tiny.history.csv", "tiny.keras"]
    # Workers that disagree (one got an epoch further before the kill) resume from the older one.
    report, graph = graphdsl.analyze(TINY)
    model = lower.build_model(graph)
    checkpoint = backend_train._Checkpoint(str(tmp_path / "ck"), backend_train.fingerprint(graph))
    epoch, history = checkpoint.restore(model, agree=lambda mine: mine - 1)
    assert epoch == 1 and history["loss"] == state["history"]["loss"][:1]
    first = keras.models.clone_model(model)
    first.load_weights(tmp_path / "ck" / "epoch-0001.weights.h5")
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), first.get_weights(), strict=True))
    # The same call resumes (from the API too), writes everything and then forgets the checkpoint.
    result = graphdsl.train(TINY, tiny_data(), epochs=3, output=out, checkpoint_dir=tmp_path / "ck", verbose=0)
    assert result.initial_epoch == 2 and len(result.history["loss"]) == 3
    assert result.history["loss"][:2] == state["history"]["loss"]
    assert listing(tmp_path) == ["tiny.history.csv", "tiny.history.json", "tiny.keras", "tiny.loss.svg"]


def test_a_checkpoint_of_another_model_is_refused(tmp_path, capsys, monkeypatch):
    ck = tmp_path / "ck"
    ck.mkdir()
    (ck / "graphdsl-state.json").write_text(json.dumps({"fingerprint": "another", "epoch": 1, "weights": "w",
                                                        "history": {}}))
    prog = tmp_path / "tiny.gd"
    prog.write_text(TINY)
    np.savez(tmp_path / "d.npz", **tiny_data())
    code = main(["train", str(prog), "--data", str(tmp_path / "d.npz"), "--checkpoint-dir", str(ck)])
    assert code == 2
    assert "holds the checkpoint of another model" in capsys.readouterr().err
    assert not (tmp_path / "tiny.keras").exists()


def test_the_same_seed_gives_the_same_weights_and_another_seed_does_not():
    def weights(seed: int) -> list[np.ndarray]:
        keras.backend.clear_session()
        result = graphdsl.train(TINY + "\noutput d = z -> Dropout(0.5) -> Dense(1) loss mse\n",
                                {**tiny_data(), "d": np.ones((64, 1))}, epochs=2, batch_size=8, seed=seed,
                                verbose=0)
        return result.model.get_weights()

    first, again, other = weights(7), weights(7), weights(8)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other, strict=True))


# ---- whole processes --------------------------------------------------------------------------------


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}


def test_training_killed_with_sigkill_resumes_from_the_last_finished_epoch(tmp_path):
    (tmp_path / "tiny.gd").write_text(TINY)
    np.savez(tmp_path / "d.npz", **tiny_data(4000))
    command = [sys.executable, "-m", "graphdsl", "train", "tiny.gd", "--data", "d.npz", "--epochs", "6",
               "--batch-size", "16", "--checkpoint-dir", "ck", "-o", "tiny.keras"]
    state_path = tmp_path / "ck" / "graphdsl-state.json"
    first = subprocess.Popen(command, cwd=tmp_path, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 240
        while not state_path.exists() and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert first.poll() is None, first.communicate()  # still training when the first epoch is saved
        first.send_signal(signal.SIGKILL)
    finally:
        first.kill()
        first.communicate()
    assert first.returncode == -signal.SIGKILL
    state = json.loads(state_path.read_text())
    done = state["epoch"]
    assert 1 <= done < 6
    assert not (tmp_path / "tiny.keras").exists()  # no model, no half a model
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]

    second = subprocess.run(command, cwd=tmp_path, env=_env(), capture_output=True, text=True, check=False,
                            timeout=300)
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith(f"resuming from the checkpoint in ck: {done} of 6 epochs are done, "
                                    f"training from epoch {done + 1}\n")
    assert f"Epoch {done + 1}/6" in second.stdout and f"Epoch {done}/6" not in second.stdout
    rows = (tmp_path / "tiny.history.csv").read_text().splitlines()[1:]
    assert [r.split(",")[0] for r in rows] == ["1", "2", "3", "4", "5", "6"]
    assert [float(r.split(",")[1]) for r in rows[:done]] == state["history"]["loss"]
    keras.models.load_model(tmp_path / "tiny.keras", safe_mode=True)
    assert not (tmp_path / "ck").exists()


def _free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("localhost", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def test_two_workers_on_localhost_train_together_and_only_the_chief_writes(tmp_path):
    (tmp_path / "tiny.gd").write_text(TINY)
    np.savez(tmp_path / "d.npz", **tiny_data(256))
    workers = [f"localhost:{port}" for port in _free_ports(2)]
    procs = []
    for index in range(2):
        config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "graphdsl", "train", "tiny.gd", "--data", "d.npz", "--epochs", "2",
             "--batch-size", "32", "--validation-split", "0.25", "--distribute", "multiworker",
             "--checkpoint-dir", "ck", "--log-dir", "logs", "-o", "out/tiny.keras", "--seed", "3"],
            cwd=tmp_path, env={**_env(), "TF_CONFIG": json.dumps(config)}, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True))
    (tmp_path / "out").mkdir()
    results = []
    for proc in procs:
        try:
            stdout, stderr = proc.communicate(timeout=300)
        finally:
            proc.kill()
        results.append((proc.returncode, stdout, stderr))
    (chief_code, chief_out, chief_err), (worker_code, worker_out, worker_err) = results
    assert chief_code == 0, chief_err
    assert worker_code == 0, worker_err
    assert "wrote out/tiny.keras, out/tiny.history.csv" in chief_out
    assert "Epoch 2/2" in chief_out and "Epoch" not in worker_out
    assert worker_out.strip() == "worker done: tiny trained; the chief writes the model and the logs"
    # Each step ran on both workers: 192 training samples in global batches of 32.
    assert re.search(r"^6/6 ", chief_out, re.MULTILINE), chief_out
    assert listing(tmp_path / "out") == ["tiny.history.csv", "tiny.history.json", "tiny.keras", "tiny.loss.svg"]
    assert sorted(p.name for p in (tmp_path / "logs").iterdir()) == ["train", "validation"]
    assert not (tmp_path / "ck" / "graphdsl-state.json").exists()
    assert not list((tmp_path / "ck").rglob("*.h5")) if (tmp_path / "ck").exists() else True
    history = json.loads((tmp_path / "out" / "tiny.history.json").read_text())
    assert len(history["val_c_accuracy"]) == 2
    keras.models.load_model(tmp_path / "out" / "tiny.keras", safe_mode=True)


# ---- the README ------------------------------------------------------------------------------------


def _section(readme: str, heading: str) -> str:
    start = readme.index(f"\n{heading}\n")
    end = readme.find("\n#", start + len(heading) + 2)
    return readme[start : end if end != -1 else len(readme)]


def _blocks(section: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in re.finditer(r"```(\w*)\n(.*?)```", section, re.DOTALL)]


def test_the_readme_examples_run_as_written(tmp_path, monkeypatch, capsys):
    readme = (ROOT / "README.md").read_text()
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    # "Loading and training a built model" loads the output of `graphdsl build examples/social.gd`.
    assert main(["build", "examples/social.gd"]) == 0
    (language, code), *_ = _blocks(_section(readme, "### Loading and training a built model"))
    assert language == "python"
    exec(compile(code, "README: Loading and training a built model", "exec"), {})
    # "A complete example": make data with numpy, train news.gd on the command line, load the result.
    blocks = _blocks(_section(readme, "### A complete example"))
    make, load = [code for language, code in blocks if language == "python"]
    command = next(code for _language, code in blocks if code.startswith("graphdsl train"))
    exec(compile(make, "README: make data", "exec"), {})
    argv = shlex.split(command.strip())
    assert argv[0] == "graphdsl"
    capsys.readouterr()
    assert main(argv[1:]) == 0
    out = capsys.readouterr().out
    assert "wrote news.keras, news.history.csv, news.history.json, news.loss.svg" in out
    exec(compile(load, "README: load the result", "exec"), {})
    assert "(4, 1)" in capsys.readouterr().out
