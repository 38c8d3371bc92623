"""Checking a program written with blocks stays fast: ResNet-152 checks in-process in under 50 ms,
and expanding blocks is linear in the size of the expanded graph.

Run:  .venv/bin/python benchmarks/bench_blocks.py [--quick]

The program is `examples/resnet50.gd`'s architecture with its stage depths as params (ResNet-152:
3, 8, 36 and 3 bottlenecks; 516 layers and merges, 60,419,944 parameters), written with blocks
and `repeat`. It prints:

1. **ResNet-152.** `graphdsl.check` of the text, in process, after a warm-up: the median (and
   the quartiles) of many runs, wall-clock and process CPU time. Target: median < 50 ms.
2. **Linearity.** The same program at 1x, 2x and 4x the depth (each stage's repeat count
   multiplied, through params, as `-D` would): the time per expanded layer (layers plus tensor ops
   the block calls and repeats made) at each size, and the ratio of times per doubling (about 2
   means linear). Also where the time goes, by phase (parse, resolve, infer, lint, budget), at 4x.

Speed targets live here, not in the unit tests (shared machines are noisy).
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

import graphdsl  # noqa: E402
from graphdsl.passes.budget import check_memory  # noqa: E402
from graphdsl.passes.infer import infer  # noqa: E402
from graphdsl.passes.lint import lint  # noqa: E402
from graphdsl.passes.resolve import resolve  # noqa: E402
from graphdsl.source import SourceFile  # noqa: E402
from graphdsl.syntax import parse_program  # noqa: E402

RESNET152 = {"b1": 3, "b2": 8, "b3": 36, "b4": 3}
RESNET152_PARAMS = 60_419_944  # keras.applications.ResNet152(weights=None).count_params()

PROGRAM = """\
# ResNet, its depth given by params: 3, 8, 36, 3 bottlenecks per stage is ResNet-152.
model resnet

param size = 224
param classes = 1000
param b1 = 3
param b2 = 4
param b3 = 6
param b4 = 3

input image: float32[size, size, 3]

block conv_bn(x, filters, kernel = 1, strides = 1, padding = "valid") {
    return x
        -> Conv2D(filters, kernel, strides=strides, padding=padding)
        -> BatchNormalization(axis=3, epsilon=1.001e-5)
}

block bottleneck(x, filters, strides = 1) {
    return x
        -> conv_bn(filters, strides=strides)
        -> Activation("relu")
        -> conv_bn(filters, 3, padding="same")
        -> Activation("relu")
        -> conv_bn(4 * filters)
}

block project(x, filters, strides = 2) {
    shortcut = x -> conv_bn(4 * filters, strides=strides)
    y = x -> bottleneck(filters, strides)
    return add(shortcut, y) -> Activation("relu")
}

block identity(x, filters) {
    y = x -> bottleneck(filters)
    return add(x, y) -> Activation("relu")
}

block stage(x, filters, blocks, strides = 2) {
    return x
        -> project(filters, strides)
        -> repeat(blocks - 1, identity(filters))
}

features = image
    -> ZeroPadding2D(((3, 3), (3, 3)))
    -> conv_bn(64, 7, strides=2)
    -> Activation("relu")
    -> ZeroPadding2D(((1, 1), (1, 1)))
    -> MaxPooling2D(3, strides=2)
    -> stage(64, b1, strides=1)
    -> stage(128, b2)
    -> stage(256, b3)
    -> stage(512, b4)

output predictions = features
    -> GlobalAveragePooling2D()
    -> Dense(classes, activation="softmax")
"""


def depth(scale: int) -> dict[str, int]:
    return {name: n * scale for name, n in RESNET152.items()}


def timed(fn, runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and process CPU times of `runs` calls of fn, in seconds."""
    walls, cpus = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        fn()
        cpus.append(time.process_time() - c)
        walls.append(time.perf_counter() - w)
    return walls, cpus


def quartiles(xs: list[float]) -> str:
    q1, q2, q3 = statistics.quantiles(xs, n=4)
    return f"{q2 * 1e3:6.1f} ms  (quartiles {q1 * 1e3:.1f} - {q3 * 1e3:.1f})"


def expanded(params: dict) -> int:
    """The nodes of the checked graph (layers applied, merges, tensor ops): what the block calls
    and repeats expanded to."""
    report = graphdsl.check(PROGRAM, "resnet.gd", params=params)
    assert report.ok, report.render()
    return len(report.graph.ops)


def phases(params: dict, runs: int) -> dict[str, float]:
    """The median process CPU time of each phase, in ms."""
    source = SourceFile("resnet.gd", PROGRAM)
    program, _ = parse_program(source)
    symbols, _ = resolve(program)
    graph, _, _ = infer(program, symbols, params)
    steps = {
        "parse": lambda: parse_program(source),
        "resolve": lambda: resolve(program),
        "infer": lambda: infer(program, symbols, params),
        "lint": lambda: lint(program, symbols),
        "budget": lambda: check_memory(graph, None),
    }
    out = {}
    gc.disable()
    try:
        for name, fn in steps.items():
            fn()
            out[name] = statistics.median(timed(fn, runs)[1]) * 1e3
    finally:
        gc.enable()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer runs")
    args = ap.parse_args()
    runs = 20 if args.quick else 100

    report = graphdsl.check(PROGRAM, "resnet.gd", params=RESNET152)
    assert report.ok and report.param_count == RESNET152_PARAMS, (report.param_count, report.render())
    print(f"ResNet-152 written with blocks: {len(PROGRAM.splitlines())} lines, "
          f"{expanded(RESNET152)} layers and merges, {report.param_count:,} parameters")

    check = lambda: graphdsl.check(PROGRAM, "resnet.gd", params=RESNET152)  # noqa: E731
    for _ in range(5):  # warm-up: the catalog's families and registries load on first use
        check()
    walls, cpus = timed(check, runs)
    median = statistics.median(walls)
    print(f"\n1. graphdsl.check of ResNet-152, in process, {runs} runs after a warm-up")
    print(f"   wall: {quartiles(walls)}")
    print(f"   cpu:  {quartiles(cpus)}")
    print(f"   target < 50 ms: {'met' if median < 0.050 else 'MISSED'} ({median * 1e3:.1f} ms)")

    print("\n2. expansion is linear: the same program at 1x, 2x, 4x the depth (median cpu time)")
    print(f"   {'depth':>5} {'nodes':>10} {'check':>9} {'per layer':>10} {'ratio':>6}")
    previous = None
    for scale in (1, 2, 4):
        params = depth(scale)
        n = expanded(params)
        for _ in range(3):
            graphdsl.check(PROGRAM, "resnet.gd", params=params)
        t = statistics.median(timed(lambda p=params: graphdsl.check(PROGRAM, "resnet.gd", params=p),
                                    max(runs // (2 * scale), 5))[1])
        ratio = f"{t / previous:6.2f}" if previous else "     -"
        print(f"   {scale:>4}x {n:>10,} {t * 1e3:7.1f} ms {t / n * 1e6:7.1f} us {ratio}")
        previous = t
    print("   (the expanded graph doubles with each depth: a ratio of about 2 is linear)")

    print("\n   by phase at 4x (median cpu ms): " + ", ".join(
        f"{name} {ms:.1f}" for name, ms in phases(depth(4), max(runs // 10, 3)).items()))


if __name__ == "__main__":
    main()
