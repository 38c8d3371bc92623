"""Training-throughput benchmark: `graphdsl.train` (what `graphdsl train` runs) against the same
`model.fit` written by hand, on the same data.

Both sides train examples/news.gd (the graphdsl side from the program; the hand-written side is
the fidelity tests' `tests/keras/handwritten.py`) on the same `.npz` file (graphdsl maps it from
disk; the hand-written side loads it with `np.load`, as a user's script would), with the same batch
size and epochs. A callback times every epoch; the first epoch of each run (tracing) is left out.
Rounds alternate which side goes first. Prints the median samples per second of each side and
their ratio (the target is 1.0 within noise: it is the same `fit`), and how long the data checks
took (they run before TensorFlow, once per command).

Run from the repository root: ``.venv/bin/python benchmarks/bench_train.py [--samples N]
[--epochs E] [--rounds R]``. One process, one TensorFlow import.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "keras"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def make_data(path: Path, n: int) -> None:
    import numpy as np

    rng = np.random.default_rng(0)
    np.savez(
        path,
        main_input=rng.integers(0, 10000, (n, 100), dtype=np.int32),
        aux_input=rng.random((n, 5), dtype=np.float32),
        aux_output=rng.integers(0, 2, (n, 1)).astype(np.float32),
        main_output=rng.integers(0, 2, (n, 1)).astype(np.float32),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=512)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()

    import graphdsl
    from graphdsl.backend import lower

    lower.quiet_tensorflow()
    import keras
    import numpy as np
    from handwritten import news

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.times: list[float] = []

        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.times.append(time.perf_counter() - self.start)

    text = (ROOT / "examples" / "news.gd").read_text()
    n, epochs, batch = args.samples, args.epochs, args.batch_size
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "news.npz"
        make_data(data, n)
        start = time.perf_counter()
        report = graphdsl.check_data(text, data, filename="news.gd")
        checked = time.perf_counter() - start
        assert report.ok, report.render()

        def ours() -> list[float]:
            timer = EpochTimer()
            with lower.quiet_tensorflow():
                graphdsl.train(text, data, filename="news.gd", epochs=epochs, batch_size=batch, verbose=0,
                               callbacks=[timer])
            return timer.times[1:]

        def by_hand() -> list[float]:
            timer = EpochTimer()
            arrays = np.load(data)
            x = {"main_input": arrays["main_input"], "aux_input": arrays["aux_input"]}
            y = {"aux_output": arrays["aux_output"], "main_output": arrays["main_output"]}
            model = news()
            with lower.quiet_tensorflow():
                model.fit(x, y, epochs=epochs, batch_size=batch, verbose=0, callbacks=[timer])
            return timer.times[1:]

        rates: dict[str, list[float]] = {"graphdsl train": [], "model.fit by hand": []}
        for r in range(args.rounds):
            sides = [("graphdsl train", ours), ("model.fit by hand", by_hand)]
            for name, run in sides if r % 2 == 0 else reversed(sides):
                keras.backend.clear_session()
                rates[name] += [n / t for t in run()]

    print(f"news.gd, {n:,} samples, batch {batch}, {epochs} epochs x {args.rounds} rounds "
          f"(first epoch of each run left out); median samples/s")
    for name, values in rates.items():
        print(f"  {name:18s} {statistics.median(values):9.0f}   epochs: {', '.join(f'{v:.0f}' for v in values)}")
    ratio = statistics.median(rates["graphdsl train"]) / statistics.median(rates["model.fit by hand"])
    print(f"  ratio              {ratio:9.3f}   (target 1.0 within noise)")
    print(f"  data checks before TensorFlow: {checked * 1000:.0f} ms for {n:,} samples")


if __name__ == "__main__":
    main()
