"""Time against size: every phase of the front end on pathological inputs and on normal programs.

Run:  .venv/bin/python benchmarks/bench_scaling.py [--quick] [--only NAME ...]

For each kind of input, texts of growing size go through each phase: lex, parse (lex included),
resolve, infer, lint, render (the diagnostics as text) and fmt (parse and print). It prints the
median time per phase and, per doubling of the size, the ratio of times: about 2 means linear,
about 4 quadratic. Every phase must stay linear (or n log n) on every input.

The inputs are the ones that once took from 30 s to minutes on a few hundred KB: a list and a
keyword-argument list of tens of thousands of items, one chain of 10,000 steps, a thousand
unknown names beside a thousand definitions, 15,000 chain steps each with a comment, 120,000 junk
characters on one line; then more that stress recovery and rendering, normal programs, and
version 2's block expansion (a block repeated n times, n blocks each called once).
Times are process CPU time (the machine is shared), median of a few runs.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_check import generated_program  # noqa: E402

from graphdsl.diagnostics import render_text  # noqa: E402
from graphdsl.passes.infer import infer  # noqa: E402
from graphdsl.passes.lint import lint  # noqa: E402
from graphdsl.passes.resolve import resolve  # noqa: E402
from graphdsl.printer import format_text  # noqa: E402
from graphdsl.source import SourceFile  # noqa: E402
from graphdsl.syntax import parse_program  # noqa: E402
from graphdsl.syntax.lalr import automaton  # noqa: E402
from graphdsl.syntax.lexer import Lexer  # noqa: E402

HEAD = "input x: float32[8]\n"
TAIL = "output z = x -> Dense(1) loss mse\n"

INPUTS = {
    "list": lambda n: f"param p = [{', '.join(str(i) for i in range(n))}]\n" + HEAD + TAIL,
    "kwargs": lambda n: HEAD + "output y = x -> Dense(1, " + ", ".join(f"a{i}=1" for i in range(n)) + ") loss mse\n",
    "chain": lambda n: HEAD + "y = x" + "".join("\n    -> Dense(4)" for _ in range(n)) + "\n" + TAIL,
    "unknown names": lambda n: HEAD + "".join(f"d{i} = x -> Dense(1)\n" for i in range(n // 2))
    + "".join(f"u{i} = q{i} -> Dense(1)\n" for i in range(n // 2)) + TAIL,
    "commented steps": lambda n: HEAD + "y = x" + "".join(f"\n    -> Dense(4)  # step {i}" for i in range(n)) + "\n"
    + TAIL,
    "junk on one line": lambda n: HEAD + "@ " * (n // 2) + "\n" + TAIL,
    "broken statements": lambda n: HEAD + "".join(f"a{i} = x -> Dense(4 4)\n" for i in range(n)) + TAIL,
    "names without =": lambda n: HEAD + "".join(f"a{i} = x b\n" for i in range(n)) + TAIL,
    "one line": lambda n: HEAD.strip() + " " + " ".join(f"a{i} = x -> Dense(1)" for i in range(n)) + " " + TAIL,
    "unclosed brackets": lambda n: HEAD + "".join(f"a{i} = x -> Dense(4,\n  units=4\n" for i in range(n)) + TAIL,
    "wide concat": lambda n: HEAD + "".join(f"a{i} = x -> Dense(1)\n" for i in range(n))
    + "output z = concat(" + ", ".join(f"a{i}" for i in range(n)) + ") -> Dense(1) loss mse\n",
    "normal program": lambda n: generated_program(max(n // 4, 3)),
    # language version 2: expansion is linear in the size of the expanded graph
    "repeated block": lambda n: HEAD + "block unit(x, k) {\n    a = x -> Dense(k) -> Dense(8)\n    return add(x, a)\n}\n"
    + f"output z = x -> repeat({max(n // 4, 1)}, unit(4)) loss mse\n",
    "many blocks": lambda n: HEAD + "".join(f"block b{i}(x) {{\n    return x -> Dense(8)\n}}\n" for i in range(n // 4))
    + "y = x" + "".join(f" -> b{i}()" for i in range(n // 4)) + "\n" + TAIL.replace("x ->", "y ->"),
}


def _median_cpu(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return statistics.median(times)


def phases(text: str, runs: int) -> dict[str, float]:
    source = SourceFile("bench.gd", text)
    auto = automaton()
    program, diags = parse_program(source)
    symbols, more = resolve(program)
    _graph, _tensors, inferred = infer(program, symbols)
    every = diags + more + inferred + lint(program, symbols)
    return {
        "lex": _median_cpu(lambda: sum(1 for _ in Lexer(auto.scanner, text, [], []).tokens()), runs),
        "parse": _median_cpu(lambda: parse_program(source), runs),
        "resolve": _median_cpu(lambda: resolve(program), runs),
        "infer": _median_cpu(lambda: infer(program, symbols), runs),
        "lint": _median_cpu(lambda: lint(program, symbols), runs),
        "render": _median_cpu(lambda: render_text(every, source), runs),
        "fmt": _median_cpu(lambda: format_text(text), runs),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes, one run each")
    ap.add_argument("--only", nargs="*", help="only these inputs (names as printed)")
    args = ap.parse_args()
    sizes = [2_000, 4_000, 8_000] if args.quick else [4_000, 8_000, 16_000, 32_000]
    runs = 1 if args.quick else 3
    gc.disable()  # as graphdsl.check runs
    worst = 0.0
    for name, make in INPUTS.items():
        if args.only and name not in args.only:
            continue
        rows = [(n, len(make(n)), phases(make(n), runs)) for n in sizes]
        print(f"\n{name}  (time in ms; x = ratio to the size before, 2 is linear)")
        print(f"  {'n':>7} {'KB':>7} " + " ".join(f"{p:>14}" for p in rows[0][2]))
        for k, (n, size, times) in enumerate(rows):
            cells = []
            for phase, t in times.items():
                if k:
                    before = rows[k - 1][2][phase]
                    ratio = t / before if before > 2e-4 else float("nan")
                    if before > 2e-3:
                        worst = max(worst, ratio)
                    cells.append(f"{t * 1e3:8.1f} x{ratio:4.1f}")
                else:
                    cells.append(f"{t * 1e3:8.1f}      ")
            print(f"  {n:>7} {size / 1e3:7.0f} " + " ".join(f"{c:>14}" for c in cells))
    print(f"\nlargest ratio per doubling (phases over 2 ms): x{worst:.1f}")


if __name__ == "__main__":
    main()
