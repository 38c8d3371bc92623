"""Every phase takes time proportional to its input, on the inputs that once took minutes.

Each test runs a phase on an input of size n and of size 8n and compares the two (process CPU
time, the better of two runs): a linear phase takes about 8 times as long, a quadratic one 64
times. The bound, 24, leaves room for a noisy shared machine and for n log n. Where the old cost
was in counted operations (difflib comparisons), the count is compared instead. No wall-clock
limits: speed targets live in benchmarks/ (bench_scaling.py prints time against size).
"""

from __future__ import annotations

import difflib
import gc
import time

import pytest

import graphdsl
from graphdsl.printer import format_text

HEAD = "input x: float32[8]\n"
TAIL = "output z = x -> Dense(1) loss mse\n"
FACTOR = 8
BOUND = 24  # linear: about 8; quadratic: about 64


def _cpu(fn) -> float:
    best = float("inf")
    for _ in range(2):
        t = time.process_time()
        fn()
        best = min(best, time.process_time() - t)
    return best


def assert_linear(make, n: int, phase) -> None:
    small, big = make(n), make(FACTOR * n)
    collecting = gc.isenabled()
    gc.disable()
    try:
        phase(small)  # warm: first uses compile record classes and regular expressions
        t_small = max(_cpu(lambda: phase(small)), 1e-3)
        t_big = _cpu(lambda: phase(big))
    finally:
        if collecting:
            gc.enable()
    assert t_big / t_small < BOUND, f"{len(small):,} chars: {t_small:.3f}s; {len(big):,} chars: {t_big:.3f}s"


def _check(text: str) -> None:
    graphdsl.check(text)


class _Render:
    """The rendering of a text's diagnostics, checked beforehand (not timed)."""

    def __init__(self):
        self.reports = {}

    def __call__(self, text: str) -> None:
        if text not in self.reports:
            self.reports[text] = graphdsl.check(text)
        self.reports[text].render()


def _check_and_render(text: str) -> None:
    graphdsl.check(text).render()


def _fmt(text: str) -> None:
    format_text(text)


def test_a_long_list_is_linear():
    assert_linear(lambda n: f"param p = [{', '.join(str(i) for i in range(n))}]\n" + HEAD + TAIL, 2_000, _check)


def test_a_long_keyword_argument_list_is_linear():
    def make(n):
        return HEAD + "output y = x -> Dense(1, " + ", ".join(f"a{i}=1" for i in range(n)) + ") loss mse\n"

    assert_linear(make, 300, _check)
    assert_linear(make, 1_000, _Render())


def test_a_chain_of_many_steps_is_linear():
    def make(n):
        return HEAD + "y = x" + "".join("\n    -> Dense(4)" for _ in range(n)) + "\n" + TAIL

    assert_linear(make, 400, _check)
    assert_linear(make, 400, _fmt)


def test_many_commented_steps_format_in_linear_time():
    def make(n):
        return HEAD + "y = x" + "".join(f"\n    -> Dense(4)  # step {i}" for i in range(n)) + "\n" + TAIL

    assert_linear(make, 400, _fmt)


def test_junk_on_one_line_is_linear():
    assert_linear(lambda n: HEAD + "@ " * n + "\n" + TAIL, 1_000, _check)
    assert_linear(lambda n: HEAD + "@ " * n + "\n" + TAIL, 2_000, _Render())
    assert_linear(lambda n: HEAD + "@ " * n + "\n" + TAIL, 1_000, _fmt)


def test_many_broken_statements_are_linear():
    assert_linear(lambda n: HEAD + "".join(f"a{i} = x -> Dense(4 4)\n" for i in range(n)) + TAIL, 150,
                  _check_and_render)
    assert_linear(lambda n: HEAD + "".join(f"a{i} = x -> Dense(4,\n  units=4\n" for i in range(n)) + TAIL, 150,
                  _check_and_render)
    assert_linear(lambda n: HEAD + "".join(f"a{i} = x b\n" for i in range(n)) + TAIL, 150, _check_and_render)


def test_many_statements_on_one_line_are_linear():
    def make(n):
        return HEAD.strip() + " " + " ".join(f"a{i} = x -> Dense(1)" for i in range(n)) + " " + TAIL

    assert_linear(make, 200, _check)
    assert_linear(make, 600, _Render())


def test_unknown_names_beside_definitions_are_linear():
    def make(n):
        return (HEAD + "".join(f"d{i} = x -> Dense(1)\n" for i in range(n))
                + "".join(f"u{i} = q{i} -> Dense(1)\n" for i in range(n)) + TAIL)

    assert_linear(make, 150, _check_and_render)


def test_did_you_mean_compares_a_bounded_number_of_names(monkeypatch):
    """A thousand unknown names next to a thousand definitions: the closest-spelling search
    makes at most a budget of comparisons proportional to the program, not one per pair."""
    calls = [0]
    ratio = difflib.SequenceMatcher.ratio

    def counted(self):
        calls[0] += 1
        return ratio(self)

    monkeypatch.setattr(difflib.SequenceMatcher, "ratio", counted)

    def comparisons(n: int) -> int:
        calls[0] = 0
        text = (HEAD + "".join(f"defined_{i} = x -> Dense(1)\n" for i in range(n))
                + "".join(f"u{i} = defined_{i}x -> Dense(1)\n" for i in range(n)) + TAIL)
        report = graphdsl.check(text)
        assert sum(d.code == "GD0101" for d in report.diagnostics) == n
        return calls[0]

    small, big = comparisons(1_000), comparisons(2_000)
    assert big <= 2.5 * small
    assert big < 100_000  # a pair-by-pair search would make millions


@pytest.mark.parametrize("n", [10_000])
def test_layer_names_of_a_long_chain_are_unique_and_found_directly(n):
    text = HEAD + "y = x" + "".join("\n    -> Dense(4)" for _ in range(n)) + "\noutput z = y -> Dense(1) loss mse\n"
    report = graphdsl.check(text)
    assert report.ok
    names = list(report.graph.layers)
    assert len(names) == len(set(names)) == n + 1
    assert names[:3] == ["y_dense", "y_dense_2", "y_dense_3"] and names[n - 1] == f"y_dense_{n}"
