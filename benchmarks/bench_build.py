"""Build-time benchmark.

1. Whole processes, side by side: ``graphdsl build examples/social.gd -o OUT.keras`` against
   ``benchmarks/handwritten_social.py`` (the same model by hand: build, compile, save), run
   alternately N times each; prints the medians and their ratio (target <= 1.05).
2. In-process: ``graphdsl.build`` on generated programs of 100 and 1,000 layers (a chain of
   Dense layers with a few concat branches), and how much of it is `check`.

Run from the repository root: ``.venv/bin/python benchmarks/bench_build.py [--runs N] [--skip-process]``.
Needs the ``graphdsl`` command (``pip install -e .``). Runs one TensorFlow process at a time.
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

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(cmd: list[str]) -> float:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}")
    return elapsed


def whole_process(runs: int) -> None:
    graphdsl = BIN / "graphdsl"
    if not graphdsl.exists():
        raise SystemExit(f"{graphdsl} not found: install the package first (pip install -e .)")
    with tempfile.TemporaryDirectory() as tmp:
        ours_cmd = [str(graphdsl), "build", "examples/social.gd", "-o", f"{tmp}/gd.keras"]
        hand_cmd = [sys.executable, "benchmarks/handwritten_social.py", f"{tmp}/hand.keras"]
        _run(hand_cmd)  # warm the file-system cache for both sides
        _run(ours_cmd)
        ours, hand = [], []
        for i in range(runs):
            # Alternate which goes first, so drift in machine load falls on both sides.
            pair = [(ours_cmd, ours), (hand_cmd, hand)]
            for cmd, times in pair if i % 2 == 0 else reversed(pair):
                times.append(_run(cmd))
    m_ours, m_hand = statistics.median(ours), statistics.median(hand)
    print(f"whole process, social.gd, N={runs} each (median)")
    print(f"  graphdsl build          {m_ours:7.2f} s   runs: {', '.join(f'{t:.2f}' for t in ours)}")
    print(f"  hand-written Keras      {m_hand:7.2f} s   runs: {', '.join(f'{t:.2f}' for t in hand)}")
    print(f"  ratio                   {m_ours / m_hand:7.3f}   (target <= 1.05)")


def generated_program(n_layers: int) -> str:
    """An input, a chain of Dense layers, and a concat branch every 50 layers; one output."""
    lines = ["model generated", "input x: float32[16]"]
    prev = "x"
    made = 0
    block = 0
    while made < n_layers:
        name = f"h{block}"
        steps = min(50, n_layers - made)
        if block > 0 and steps >= 3:
            # A branch: two short Dense chains from the same tensor, concatenated.
            lines.append(f'{name}a = {prev} -> Dense(8, activation="relu")')
            lines.append(f'{name}b = {prev} -> Dense(8, activation="tanh")')
            chain = " -> ".join(['Dense(16, activation="relu")'] * (steps - 3))
            lines.append(f"{name} = concat({name}a, {name}b)" + (f" -> {chain}" if chain else ""))
        else:
            chain = " -> ".join(['Dense(16, activation="relu")'] * steps)
            lines.append(f"{name} = {prev} -> {chain}")
        made += steps
        prev = name
        block += 1
    lines.append(f"output y = {prev} -> Dense(1) loss mse")
    return "\n".join(lines) + "\n"


def in_process(sizes: tuple[int, ...] = (100, 1000)) -> None:
    sys.path.insert(0, str(ROOT))
    from graphdsl import api, lower

    lower.quiet_tensorflow()
    api.build("input x: float32[4]\noutput y = x -> Dense(1) loss mse\n")  # import TensorFlow first
    print("in-process graphdsl.build (TensorFlow already imported)")
    for n in sizes:
        text = generated_program(n)
        start = time.perf_counter()
        report, _ = api.analyze(text, f"generated{n}.gd")
        checked = time.perf_counter() - start
        assert report.ok, report.render()
        start = time.perf_counter()
        model = api.build(text, f"generated{n}.gd")
        built = time.perf_counter() - start
        print(
            f"  {len(model.layers) - 1:5d} layers: build {built:6.2f} s (of which check {checked:5.2f} s), "
            f"{model.count_params():,} parameters"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-process", action="store_true", help="only the in-process timings")
    args = parser.parse_args()
    if not args.skip_process:
        whole_process(args.runs)
    in_process()


if __name__ == "__main__":
    main()
