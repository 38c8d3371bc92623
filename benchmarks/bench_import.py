"""Import-time benchmark: `graphdsl import` of a ~100 MB ``.keras`` file against Keras's own
``keras.models.load_model`` of the same file (target: the import takes no longer than the load).

The file is ResNet50 with its (random) weights saved by Keras: 103 MB. Two measurements, each the
median of N runs, alternating the two sides so drift in machine load falls on both:

1. In-process (Keras already imported): ``graphdsl.from_keras(path)`` (reads the architecture
   from the file's config.json, describes every layer, checks the text) against
   ``keras.models.load_model(path, safe_mode=True)``.
2. Whole processes: ``python -m graphdsl import FILE -o OUT.gd`` against ``python -c "...;
   keras.models.load_model(FILE)"`` (both pay TensorFlow's start-up).

Run from the repository root: ``.venv/bin/python benchmarks/bench_import.py [--runs N] [--skip-process]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _median_line(label: str, times: list[float]) -> str:
    return f"  {label:<28}{statistics.median(times):7.2f} s   runs: {', '.join(f'{t:.2f}' for t in times)}"


def in_process(path: str, runs: int) -> None:
    import keras

    import graphdsl
    from graphdsl.backend import lower

    with lower.quiet_tensorflow():
        keras.models.load_model(path, safe_mode=True)  # warm the file-system cache and Keras's imports
        graphdsl.from_keras(path)
        ours, theirs = [], []
        for i in range(runs):
            pair = [(lambda: graphdsl.from_keras(path), ours),
                    (lambda: keras.models.load_model(path, safe_mode=True), theirs)]
            for fn, times in pair if i % 2 == 0 else reversed(pair):
                keras.backend.clear_session()
                start = time.perf_counter()
                fn()
                times.append(time.perf_counter() - start)
    print(f"in-process, {os.path.getsize(path) / 1e6:.0f} MB ResNet50 .keras, N={runs} each (median)")
    print(_median_line("graphdsl.from_keras", ours))
    print(_median_line("keras.models.load_model", theirs))
    print(f"  ratio                     {statistics.median(ours) / statistics.median(theirs):7.3f}   (target <= 1)")


def _run(cmd: list[str]) -> float:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}")
    return elapsed


def whole_process(path: str, out: str, runs: int) -> None:
    ours_cmd = [sys.executable, "-m", "graphdsl", "import", path, "-o", out]
    load = f"import keras; keras.models.load_model({path!r}, safe_mode=True)"
    theirs_cmd = [sys.executable, "-c", load]
    ours, theirs = [], []
    for i in range(runs):
        pair = [(ours_cmd, ours), (theirs_cmd, theirs)]
        for cmd, times in pair if i % 2 == 0 else reversed(pair):
            times.append(_run(cmd))
    print(f"whole process, N={runs} each (median)")
    print(_median_line("graphdsl import", ours))
    print(_median_line("load_model in python -c", theirs))
    print(f"  ratio                     {statistics.median(ours) / statistics.median(theirs):7.3f}   (target <= 1)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-process", action="store_true", help="only the in-process measurement")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "resnet50.keras")
        import keras

        from graphdsl.backend import lower

        with lower.quiet_tensorflow():
            keras.applications.ResNet50(weights=None).save(path)
        in_process(path, args.runs)
        if not args.skip_process:
            whole_process(path, os.path.join(tmp, "resnet50.gd"), max(3, args.runs // 2))


if __name__ == "__main__":
    main()
