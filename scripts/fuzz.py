"""Fuzz `graphdsl.check` (and the formatter) for a given time or number of inputs.

The property: no text makes `check` or `format_text` raise or report an internal error
(GD0999), and every diagnostic lies inside the text. First a corpus is checked: the
example programs, programs from `graphdsl.testing.programs()`, texts generated from the grammar
itself (`hypothesis.extra.lark.from_lark`) and arbitrary Unicode text; then, until the time or
count runs out, random damage (`graphdsl.testing.mutate`: deleted, inserted and duplicated
characters, tokens and snippets) to texts of the corpus. With
``--atheris`` (if atheris is installed) it runs a coverage-guided atheris loop instead.

    python scripts/fuzz.py --seconds 120
    python scripts/fuzz.py --examples 5000 --out fuzz-failures

Prints how many inputs were tried and how many failed; each failing input is saved to a file
in ``--out`` (default ``fuzz-failures/``), named by a hash of its text.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import graphdsl  # noqa: E402
from graphdsl.printer import format_text  # noqa: E402


def problems(text: str) -> list[str]:
    """What is wrong with how graphdsl handles `text` (empty when all is well)."""
    found = []
    try:
        report = graphdsl.check(text)
    except Exception:  # noqa: BLE001 - that is what we are looking for
        return ["check raised:\n" + traceback.format_exc()]
    lines = text.split("\n")
    for d in report.diagnostics:
        if d.code == "GD0999":
            found.append(f"check: {d.message}")
        elif not (
            1 <= d.line <= d.end_line <= len(lines)
            and 1 <= d.column <= len(lines[d.line - 1]) + 1
            and 1 <= d.end_column <= len(lines[d.end_line - 1]) + 1
        ):
            found.append(f"diagnostic outside the text: {d.code} {d.line}:{d.column}-{d.end_line}:{d.end_column}")
    try:
        out, diags = format_text(text)
        found += [f"format: {d.message}" for d in diags if d.code == "GD0999"]
        if out is not None and format_text(out)[0] != out:
            found.append("format is not idempotent")
    except Exception:  # noqa: BLE001
        found.append("format_text raised:\n" + traceback.format_exc())
    return found


def _draw_many(strategy, n: int) -> list[str]:
    """`n` examples of a hypothesis strategy, drawn in one run (much faster than .example())."""
    from hypothesis import HealthCheck, given, settings  # noqa: PLC0415

    found: list[str] = []

    @settings(max_examples=n, database=None, deadline=None, suppress_health_check=list(HealthCheck),
              phases=["generate"])
    @given(strategy)
    def collect(text: str) -> None:
        found.append(text)

    collect()
    return found


def corpus(seed_size: int) -> tuple[list[str], list[str]]:
    """Valid programs (the examples and generated ones) and texts generated from the grammar."""
    import lark  # noqa: PLC0415
    from hypothesis import strategies as st  # noqa: PLC0415
    from hypothesis.extra.lark import from_lark  # noqa: PLC0415

    from graphdsl.parser import grammar_text  # noqa: PLC0415
    from graphdsl.testing import programs  # noqa: PLC0415

    examples = [p.read_text() for p in sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.gd"))]
    valid = examples + _draw_many(programs(), seed_size)
    grammar = _draw_many(from_lark(lark.Lark(grammar_text(), start="start")), seed_size // 2)
    grammar += _draw_many(st.text(max_size=300), seed_size // 4)
    return valid, grammar


def run_random(deadline: float, max_examples: int, out_dir: Path, seed: int, seed_size: int) -> tuple[int, int]:
    """Check every corpus text, then random mutations of corpus texts until time or count runs out."""
    from graphdsl.testing import mutate  # noqa: PLC0415

    rng = random.Random(seed)
    valid, grammar = corpus(seed_size)
    print(f"corpus: {len(valid)} programs, {len(grammar)} grammar/arbitrary texts", flush=True)
    tried = failures = 0
    seen: set[str] = set()
    queue = iter(valid + grammar)
    next_report = time.monotonic() + 10
    while tried < max_examples and time.monotonic() < deadline:
        text = next(queue, None)
        if text is None:
            text = mutate(rng.choice(valid if rng.random() < 0.8 else grammar), rng)
        tried += 1
        found = problems(text)
        if found:
            signature = found[0].splitlines()[-1]
            key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
            out_dir.mkdir(parents=True, exist_ok=True)
            path = out_dir / f"{key}.gd"
            path.write_text(text, encoding="utf-8", errors="surrogatepass")
            failures += 1
            if signature not in seen:  # print each kind of failure once
                seen.add(signature)
                print(f"FAIL {path}: {signature}", flush=True)
        if time.monotonic() > next_report:
            print(f"  {tried} inputs, {failures} failing", flush=True)
            next_report += 10
    return tried, failures


def run_atheris(seconds: float, max_examples: int, out_dir: Path) -> None:  # pragma: no cover
    import atheris  # noqa: PLC0415

    count = 0
    failures = 0
    deadline = 0.0

    def test_one(data: bytes) -> None:
        nonlocal count, failures, deadline
        if not count:  # the clock starts with the first input, after the set-up
            deadline = time.monotonic() + seconds
        count += 1
        if count > max_examples or time.monotonic() > deadline:
            print(f"{count - 1} inputs tried (atheris), {failures} failing", flush=True)
            os._exit(1 if failures else 0)  # libFuzzer takes any exception, SystemExit too, for a crash
        text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data))
        found = problems(text)
        if found:
            failures += 1
            out_dir.mkdir(parents=True, exist_ok=True)
            path = out_dir / f"atheris-{hashlib.sha256(data).hexdigest()[:16]}.gd"
            path.write_text(text, encoding="utf-8")
            print(f"FAIL {path}: {found[0].splitlines()[-1]}", flush=True)

    seeds = Path(tempfile.mkdtemp(prefix="graphdsl-fuzz-"))  # libFuzzer grows this corpus
    for i, text in enumerate(corpus(20)[0]):
        (seeds / f"seed{i}.gd").write_text(text, encoding="utf-8")
    atheris.instrument_all()  # coverage feedback from graphdsl (already imported)
    atheris.Setup([sys.argv[0], str(seeds)], test_one)
    atheris.Fuzz()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="stop after this long (default 60)")
    parser.add_argument("--examples", type=int, default=10**9, help="stop after this many inputs")
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"), help="where failing inputs go")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the mutations")
    parser.add_argument("--corpus", type=int, default=200, help="generated programs to mutate (default 200)")
    parser.add_argument("--atheris", action="store_true", help="use atheris (coverage-guided) if installed")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    start = time.monotonic()
    deadline = start + args.seconds
    if args.atheris:
        try:
            import atheris  # noqa: F401, PLC0415
        except ImportError:
            print("atheris is not installed; using hypothesis", file=sys.stderr)
        else:
            run_atheris(args.seconds, args.examples, args.out)
            return 0
    tried, failures = run_random(deadline, args.examples, args.out, args.seed, args.corpus)
    elapsed = time.monotonic() - start
    print(f"{tried} inputs tried in {elapsed:.0f} s, {failures} failing"
          + (f" (saved in {args.out}/)" if failures else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
