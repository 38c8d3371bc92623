"""Benchmark of the front end: `graphdsl check` latency and parse+check throughput.

Run:  .venv/bin/python benchmarks/bench_check.py [--quick]

1. Whole-process latency of `graphdsl check` on each example (what a person waits for), beside
   `python -c pass` (the floor no Python tool can beat). Target: social.gd in 0.15 s.
2. Throughput of parse and of parse+check on generated programs of 1k, 10k and 100k statements,
   in MB/s, beside CPython's `ast.parse` on Python source of the same size, measured in the same
   run. Target: at least half of ast.parse's throughput, growing linearly.
Prints medians; speed targets live here, not in the unit tests (shared machines are noisy).
"""

from __future__ import annotations

import argparse
import ast
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import graphdsl  # noqa: E402
from graphdsl.parser import parse_program  # noqa: E402
from graphdsl.source import SourceFile  # noqa: E402


def generated_program(statements: int) -> str:
    """A valid program of about `statements` statements: inputs, params and long chains."""
    lines = ["# generated for the benchmark", "model bench", "param width = 16", "input x: float32[16]"]
    prev = "x"
    n = 0
    while n < statements - 2:
        name = f"t{n}"
        lines.append(
            f'{name} = {prev}\n    -> Dense(width, activation="relu")\n    -> Dropout(0.1)\n'
            f"    -> Dense(16, use_bias=False)  # step {n}"
        )
        prev = name
        n += 1
    lines.append(f'output y = {prev} -> Dense(1, activation="sigmoid")\n    loss binary_crossentropy weight 1.0')
    return "\n".join(lines) + "\n"


def python_source(size: int) -> str:
    """Python of about `size` characters shaped like the same model written in Keras."""
    lines = ["import keras", "x = keras.Input(shape=(16,))"]
    prev = "x"
    n = 0
    total = 40
    while total < size:
        line = (
            f"t{n} = keras.layers.Dense(16, use_bias=False)(keras.layers.Dropout(0.1)("
            f"keras.layers.Dense(width, activation='relu')({prev})))  # step {n}"
        )
        lines.append(line)
        total += len(line) + 1
        prev = f"t{n}"
        n += 1
    return "\n".join(lines) + "\n"


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def latency(runs: int) -> None:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure as a user runs it: with bytecode caches
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "graphdsl")], env=env, check=True)
    commands = {"python -c pass": [sys.executable, "-c", "pass"]}
    for example in sorted((ROOT / "examples").glob("*.gd")):
        commands[f"graphdsl check {example.relative_to(ROOT)}"] = [
            sys.executable,
            "-m",
            "graphdsl",
            "check",
            str(example),
        ]
    results = {name: [] for name in commands}
    for _ in range(runs):  # interleaved, so drift on a shared machine hits every command alike
        for name, cmd in commands.items():
            t = time.perf_counter()
            subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            results[name].append(time.perf_counter() - t)
    print(f"whole-process latency, median of {runs} runs:")
    for name, times in results.items():
        print(f"  {name:45s} {statistics.median(times) * 1000:7.1f} ms")


def throughput(sizes: list[int]) -> None:
    print("\nthroughput, median of repeated runs (MB/s of source text):")
    print(
        f"  {'statements':>10} {'MB':>7} {'parse':>9} {'parse+check':>12} {'ast.parse':>10} "
        f"{'parse/ast':>10} {'check/ast':>10}"
    )
    for n in sizes:
        text = generated_program(n)
        py = python_source(len(text))
        mb = len(text.encode()) / 1e6
        repeat = 5 if n <= 10_000 else 3
        source = SourceFile("bench.gd", text)
        t_parse = median_time(lambda source=source: parse_program(source), repeat)
        report = graphdsl.check(text, "bench.gd")
        assert report.ok, report.render()[:2000]
        t_check = median_time(lambda text=text: graphdsl.check(text, "bench.gd"), repeat)
        t_ast = median_time(lambda py=py: ast.parse(py), repeat)
        mb_py = len(py.encode()) / 1e6
        r_parse, r_check, r_ast = mb / t_parse, mb / t_check, mb_py / t_ast
        print(
            f"  {n:>10,} {mb:7.2f} {r_parse:9.2f} {r_check:12.2f} {r_ast:10.2f} "
            f"{r_parse / r_ast:10.2f} {r_check / r_ast:10.2f}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer runs and no 100k program")
    args = ap.parse_args()
    latency(5 if args.quick else 15)
    throughput([1_000, 10_000] if args.quick else [1_000, 10_000, 100_000])


if __name__ == "__main__":
    main()
