"""Benchmark of the front end: the speed targets of `graphdsl check`, each printed as a median and a ratio.

Run:  .venv/bin/python benchmarks/bench_check.py [--quick]

1. **Start-up.** Whole-process `graphdsl check` on each example beside `python -c pass` (the floor
   no Python tool can beat), run interleaved in one loop, with bytecode caches written and warm
   (PYTHONDONTWRITEBYTECODE unset). Target: social.gd at most 2x `python -c pass`. Also: how much
   of the start-up is importing the catalog (`-X importtime`), measured in the same run.
2. **Latency in process.** `graphdsl.check` of social.gd, again and again. Target: 1,000 checks/s.
3. **Throughput.** Parse, and parse+check, of generated programs of 1k, 10k and 100k statements,
   in MB/s, beside CPython's `ast.parse` on Python source of the same size (as a user calls it:
   with the cyclic collector on), measured in the same run. Target: parse+check at least half of
   `ast.parse`'s throughput at every size, and linear.
4. **Memory.** Peak memory of checking the 100k-statement program in a fresh process (maximum
   resident set, and the peak of Python's allocations).

Speed targets live here, not in the unit tests (shared machines are noisy).
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
from graphdsl.source import SourceFile  # noqa: E402
from graphdsl.syntax import parse_program  # noqa: E402


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


def _env() -> dict:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure as a user runs it: with bytecode caches
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def startup(runs: int) -> None:
    env = _env()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "graphdsl")], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    commands = {"python -c pass": [sys.executable, "-c", "pass"]}
    for example in sorted((ROOT / "examples").glob("*.gd")):
        commands[f"graphdsl check {example.relative_to(ROOT)}"] = [sys.executable, "-m", "graphdsl", "check",
                                                                    str(example)]
    results: dict[str, list[float]] = {name: [] for name in commands}
    for k in range(runs + 1):  # interleaved, so drift on a shared machine hits every command alike
        for name, cmd in commands.items():
            t = time.perf_counter()
            subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            if k:  # the first round only warms the caches
                results[name].append(time.perf_counter() - t)
    floor = statistics.median(results["python -c pass"])
    print(f"1. start-up: whole process, median of {runs} interleaved runs")
    for name, times in results.items():
        med = statistics.median(times)
        print(f"  {name:45s} {med * 1000:7.1f} ms   {med / floor:5.2f}x")
    social = statistics.median(results["graphdsl check examples/social.gd"])
    print(f"  target: social.gd at most 2.00x python -c pass: {social / floor:.2f}x "
          f"({'met' if social / floor <= 2 else 'NOT met'})")
    catalog = _catalog_import_ms(env, max(5, runs // 2))
    print(f"  of which importing the catalog's modules (-X importtime, median): {catalog:.1f} ms "
          f"({catalog / 1000 / floor:.2f}x of python -c pass)")


def _catalog_import_ms(env: dict, runs: int) -> float:
    """The time `graphdsl check examples/social.gd` spends importing the catalog: the cumulative
    times of the catalog's modules that no other catalog module imported (the catalog loads its
    parts on demand, from several places), median of `runs` runs."""
    times = []
    for _ in range(runs):
        proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "graphdsl", "check", "examples/social.gd"],
                              env=env, cwd=ROOT, capture_output=True, text=True, check=False)
        roots: list[tuple[int, str, int, list]] = []  # -X importtime prints children before parents
        for line in proc.stderr.splitlines():
            parts = line.split("|")
            if len(parts) != 3 or not parts[1].strip().isdigit():
                continue
            name = parts[2].rstrip()
            depth = len(name) - len(name.lstrip())
            children = []
            while roots and roots[-1][0] > depth:
                children.append(roots.pop())
            roots.append((depth, name.strip(), int(parts[1]), children))

        def catalog_us(node) -> int:
            _depth, name, cumulative, children = node
            if name == "graphdsl.catalog" or name.startswith("graphdsl.catalog."):
                return cumulative
            return sum(catalog_us(child) for child in children)

        times.append(sum(catalog_us(node) for node in roots) / 1000)
    return statistics.median(times) if times else float("nan")


def latency(seconds: float) -> None:
    text = (ROOT / "examples" / "social.gd").read_text(encoding="utf-8")
    graphdsl.check(text, "social.gd")
    rounds = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(rounds) < 5:
        t = time.perf_counter()
        for _ in range(100):
            graphdsl.check(text, "social.gd")
        rounds.append((time.perf_counter() - t) / 100)
    per = statistics.median(rounds)
    print(f"\n2. in-process graphdsl.check of social.gd, median of {len(rounds)} rounds of 100")
    print(f"  {per * 1e6:7.0f} us per check = {1 / per:6.0f} checks/s   target 1,000/s: {1 / per / 1000:.2f}x "
          f"({'met' if per <= 1e-3 else 'NOT met'})")


def throughput(sizes: list[int]) -> None:
    print("\n3. throughput, median of repeated runs (MB/s of source text)")
    print(
        f"  {'statements':>10} {'MB':>7} {'parse':>9} {'parse+check':>12} {'ast.parse':>10} "
        f"{'parse/ast':>10} {'check/ast':>10}"
    )
    worst = float("inf")
    for n in sizes:
        text = generated_program(n)
        py = python_source(len(text))
        mb = len(text.encode()) / 1e6
        repeat = 7 if n <= 10_000 else 3
        source = SourceFile("bench.gd", text)
        report = graphdsl.check(text, "bench.gd")
        assert report.ok, report.render()[:2000]
        t_parse = median_time(lambda source=source: parse_program(source), repeat)
        t_check = median_time(lambda text=text: graphdsl.check(text, "bench.gd"), repeat)
        t_ast = median_time(lambda py=py: ast.parse(py), repeat)
        mb_py = len(py.encode()) / 1e6
        r_parse, r_check, r_ast = mb / t_parse, mb / t_check, mb_py / t_ast
        worst = min(worst, r_check / r_ast)
        print(
            f"  {n:>10,} {mb:7.2f} {r_parse:9.2f} {r_check:12.2f} {r_ast:10.2f} "
            f"{r_parse / r_ast:10.2f} {r_check / r_ast:10.2f}"
        )
    print(f"  target: parse+check at least 0.50x ast.parse at every size: lowest {worst:.2f}x "
          f"({'met' if worst >= 0.5 else 'NOT met'})")


_MEMORY = """
import sys, tracemalloc
sys.path.insert(0, {root!r}); sys.path.insert(0, {bench!r})
from bench_check import generated_program
import graphdsl

def high_water_kb():  # this process's peak resident set (ru_maxrss would count the parent's, on Linux)
    with open("/proc/self/status") as fh:
        return int(next(line for line in fh if line.startswith("VmHWM")).split()[1])

text = generated_program({n})
graphdsl.check("input x: float32[8]\\n")
before = high_water_kb()
if {traced}:
    tracemalloc.start()
report = graphdsl.check(text, "bench.gd")
peak = tracemalloc.get_traced_memory()[1] if {traced} else 0
assert report.ok
print(high_water_kb(), before, peak, len(text))
"""


def memory(n: int) -> None:
    def run(traced: bool) -> list[int]:
        code = _MEMORY.format(root=str(ROOT), bench=str(ROOT / "benchmarks"), n=n, traced=traced)
        out = subprocess.run([sys.executable, "-c", code], env=_env(), capture_output=True, text=True, check=True)
        return [int(x) for x in out.stdout.split()]

    rss_kb, before_kb, _peak, size = run(False)
    peak = run(True)[2]
    print(f"\n4. memory of checking {n:,} statements ({size / 1e6:.1f} MB of text), in a fresh process")
    print(f"  peak resident set {rss_kb / 1024:7.0f} MB (before the check: {before_kb / 1024:.0f} MB)")
    print(f"  peak of Python's allocations during the check (tracemalloc, another process) {peak / 2**20:7.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer runs, no 100k program")
    args = ap.parse_args()
    startup(7 if args.quick else 21)
    latency(2.0 if args.quick else 5.0)
    throughput([1_000, 10_000] if args.quick else [1_000, 10_000, 100_000])
    memory(10_000 if args.quick else 100_000)


if __name__ == "__main__":
    main()
