"""Benchmark of the catalog's share of `graphdsl check` start-up.

Run:  .venv/bin/python benchmarks/bench_catalog.py [--runs N]

1. ``python -X importtime -m graphdsl check examples/social.gd`` (bytecode caches warm,
   ``PYTHONDONTWRITEBYTECODE`` unset): the time spent importing catalog modules — every
   ``graphdsl.catalog*`` entry that no other catalog entry contains, with everything it imported —
   beside the whole import time of the process. Median over runs.
2. Whole-process latency of that check beside ``python -c pass`` (target: at most 2x).
3. In a fresh process that has imported graphdsl: looking up the layers social.gd uses (what a
   check builds), then every other layer of the catalog (what a check must *not* pay for).

Prints medians; the targets live here, not in unit tests.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "social.gd"
_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")

_IN_PROCESS = r"""
import time
import graphdsl
import graphdsl.catalog as c
t1 = time.perf_counter()
for name in ("Embedding", "Conv1D", "MaxPooling1D", "GlobalMaxPooling1D", "Dense"):
    spec = c.get_layer(name)
    spec.params
t2 = time.perf_counter()
for name in list(c.LAYERS):
    c.LAYERS[name].params
t3 = time.perf_counter()
print(t2 - t1, t3 - t2, len(c.LAYERS))
"""


def _env() -> dict:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure as a user runs it: with bytecode caches
    env["PYTHONPATH"] = str(ROOT)
    return env


def catalog_import_share(env: dict) -> tuple[float, float]:
    """(catalog import time, whole import time) in ms for one check of social.gd."""
    cmd = [sys.executable, "-X", "importtime", "-m", "graphdsl", "check", str(EXAMPLE)]
    err = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False).stderr
    rows = []
    for line in err.splitlines():
        m = _LINE.match(line)
        if m:
            rows.append((int(m.group(1)), int(m.group(2)), len(m.group(3)) // 2, m.group(4)))
    # importtime prints children before their parent; a catalog entry counts (with its children)
    # unless an enclosing entry is itself a catalog module.
    total = sum(r[0] for r in rows)
    catalog = 0
    for i, (_self_us, cum_us, depth, name) in enumerate(rows):
        if not name.startswith("graphdsl.catalog"):
            continue
        d = depth
        inside_catalog = False
        for _s, _c, pdepth, pname in rows[i + 1:]:
            if pdepth < d:
                d = pdepth
                if pname.startswith("graphdsl.catalog"):
                    inside_catalog = True
                    break
                if pdepth == 0:
                    break
        if not inside_catalog:
            catalog += cum_us
    return catalog / 1000, total / 1000


def latency(env: dict, runs: int) -> dict[str, float]:
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "graphdsl check examples/social.gd": [sys.executable, "-m", "graphdsl", "check", str(EXAMPLE)],
    }
    results: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):  # interleaved, so drift on a shared machine hits both alike
        for name, cmd in commands.items():
            t = time.perf_counter()
            subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            results[name].append(time.perf_counter() - t)
    return {name: statistics.median(ts) * 1000 for name, ts in results.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    env = _env()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "graphdsl")], env=env, check=True)
    for _ in range(2):  # warm the caches
        subprocess.run([sys.executable, "-m", "graphdsl", "check", str(EXAMPLE)], env=env, cwd=ROOT,
                       capture_output=True, check=False)

    shares = [catalog_import_share(env) for _ in range(args.runs)]
    cat = statistics.median(s[0] for s in shares)
    whole = statistics.median(s[1] for s in shares)
    print(f"-X importtime of `graphdsl check examples/social.gd`, median of {args.runs} runs:")
    print(f"  catalog modules (with what they import)   {cat:7.2f} ms")
    print(f"  every import of the process               {whole:7.2f} ms   (catalog: {100 * cat / whole:.0f}%)")

    lat = latency(env, args.runs)
    print(f"\nwhole-process latency, median of {args.runs} runs:")
    for name, ms in lat.items():
        print(f"  {name:42s} {ms:7.1f} ms")
    ratio = lat["graphdsl check examples/social.gd"] / lat["python -c pass"]
    print(f"  ratio (target <= 2.0)                      {ratio:7.2f}")

    runs = []
    for _ in range(args.runs):
        out = subprocess.run([sys.executable, "-c", _IN_PROCESS], env=env, cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout.split()
        runs.append([float(x) * 1000 for x in out[:2]] + [int(out[2])])
    print(f"\nin a fresh process, median of {args.runs} runs:")
    print(f"  the 5 layers social.gd uses                {statistics.median(r[0] for r in runs):7.2f} ms")
    print(f"  every other layer ({runs[0][2]} in all)              {statistics.median(r[1] for r in runs):7.2f} ms")


if __name__ == "__main__":
    main()
