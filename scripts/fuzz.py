"""Fuzz `graphdsl.check` (and the formatter) for a given time or number of inputs.

The property: no text makes `check` or `format_text` raise or report an internal error
(GD0999), and every diagnostic lies inside the text. Inputs come from three sources in turn:
programs from `graphdsl.testing.programs()` damaged by `mutated_texts()`, texts generated from
the grammar itself (`hypothesis.extra.lark.from_lark`), and arbitrary Unicode text. With
``--atheris`` (if atheris is installed) it runs a coverage-guided atheris loop instead.

    python scripts/fuzz.py --seconds 120
    python scripts/fuzz.py --examples 5000 --out fuzz-failures

Prints how many inputs were tried and how many failed; each failing input is saved to a file
in ``--out`` (default ``fuzz-failures/``), named by a hash of its text.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
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


def sources():
    """Endless generators of texts: damaged programs, grammar texts, arbitrary text."""
    import lark  # noqa: PLC0415
    from hypothesis import HealthCheck, given, settings  # noqa: PLC0415
    from hypothesis import strategies as st  # noqa: PLC0415
    from hypothesis.extra.lark import from_lark  # noqa: PLC0415

    from graphdsl.parser import grammar_text  # noqa: PLC0415
    from graphdsl.testing import mutated_texts  # noqa: PLC0415

    grammar = lark.Lark(grammar_text(), start="start")
    return {
        "mutated": mutated_texts(),
        "grammar": from_lark(grammar),
        "text": st.text(max_size=300),
    }, given, settings, HealthCheck


def run_hypothesis(deadline: float, max_examples: int, out_dir: Path) -> tuple[int, int]:
    strategies, given, settings, health = sources()
    tried = 0
    failures = 0
    seen: set[str] = set()

    def one(text: str) -> None:
        nonlocal tried, failures
        tried += 1
        found = problems(text)
        if found:
            key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
            signature = found[0].splitlines()[-1]
            if key not in seen:
                seen.add(key)
                failures += 1
                out_dir.mkdir(parents=True, exist_ok=True)
                path = out_dir / f"{key}.gd"
                path.write_text(text, encoding="utf-8", errors="surrogatepass")
                print(f"FAIL {path}: {signature}", flush=True)

    batch = 200
    while tried < max_examples and time.monotonic() < deadline:
        for name, strategy in strategies.items():
            if tried >= max_examples or time.monotonic() >= deadline:
                break

            @settings(max_examples=min(batch, max_examples - tried), database=None, deadline=None,
                      suppress_health_check=list(health), phases=["generate"])
            @given(strategy)
            def case(text: str) -> None:
                if time.monotonic() < deadline:
                    one(text)

            case()
            print(f"  {tried} inputs ({name}), {failures} failing", flush=True)
    return tried, failures


def run_atheris(deadline: float, max_examples: int, out_dir: Path) -> None:  # pragma: no cover
    import atheris  # noqa: PLC0415

    count = 0

    def test_one(data: bytes) -> None:
        nonlocal count
        count += 1
        if count > max_examples or time.monotonic() > deadline:
            print(f"{count - 1} inputs tried", flush=True)
            raise SystemExit(0)
        text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data))
        found = problems(text)
        if found:
            out_dir.mkdir(parents=True, exist_ok=True)
            (out_dir / f"atheris-{hashlib.sha256(data).hexdigest()[:16]}.gd").write_text(text, encoding="utf-8")
            raise RuntimeError(found[0])

    atheris.Setup([sys.argv[0]], test_one)
    atheris.Fuzz()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="stop after this long (default 60)")
    parser.add_argument("--examples", type=int, default=10**9, help="stop after this many inputs")
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"), help="where failing inputs go")
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
            run_atheris(deadline, args.examples, args.out)
            return 0
    tried, failures = run_hypothesis(deadline, args.examples, args.out)
    elapsed = time.monotonic() - start
    print(f"{tried} inputs tried in {elapsed:.0f} s, {failures} failing" + (f" (saved in {args.out}/)" if failures else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
