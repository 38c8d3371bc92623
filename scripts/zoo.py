"""The keras.applications zoo as a test of `graphdsl import`: every model, imported and rebuilt.

For each model (``weights=None``): build it in Keras, import it (`graphdsl.from_keras`), check the
text, build it back with graphdsl, pair the layers by structure and compare their configs
(names aside), compare the parameter counts, carry the original weights onto the rebuilt model
and compare predictions on the same random batch. Prints a Markdown table (model, Keras layers,
lines of graphdsl without comments and blank lines, parameters, the largest difference between
the two models' predictions, seconds to import, seconds for the whole round trip) and the totals.

    python scripts/zoo.py                       # all 40 models (about ten minutes on 2 cores)
    python scripts/zoo.py ResNet50 DenseNet121  # some of them
    python scripts/zoo.py --json zoo.json       # also write the rows as JSON
    python scripts/zoo.py --save-text out/      # also write each model's program (NAME.gd)

A model that is refused, fails to check, differs in a config or a count, or predicts beyond the
tolerance (1e-4) is reported in its row; the exit code is 1 if any model fails.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TOLERANCE = 1e-4

MODELS = [
    "ConvNeXtBase", "ConvNeXtLarge", "ConvNeXtSmall", "ConvNeXtTiny", "ConvNeXtXLarge",
    "DenseNet121", "DenseNet169", "DenseNet201",
    "EfficientNetB0", "EfficientNetB1", "EfficientNetB2", "EfficientNetB3", "EfficientNetB4",
    "EfficientNetB5", "EfficientNetB6", "EfficientNetB7",
    "EfficientNetV2B0", "EfficientNetV2B1", "EfficientNetV2B2", "EfficientNetV2B3",
    "EfficientNetV2L", "EfficientNetV2M", "EfficientNetV2S",
    "InceptionResNetV2", "InceptionV3",
    "MobileNet", "MobileNetV2", "MobileNetV3Large", "MobileNetV3Small",
    "NASNetLarge", "NASNetMobile",
    "ResNet101", "ResNet101V2", "ResNet152", "ResNet152V2", "ResNet50", "ResNet50V2",
    "VGG16", "VGG19", "Xception",
]


def code_lines(text: str) -> int:
    """Lines of a program that hold code (not blank, not only a comment)."""
    return sum(1 for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))


def keras_layers(model) -> int:
    """The model's layers, nested models inlined, inputs not counted."""
    import keras

    n = 0
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            n += keras_layers(layer)
        elif type(layer).__name__ != "InputLayer":
            n += 1
    return n


def round_trip(name: str, save_text: str | None = None) -> dict:
    """One model through import, check, rebuild, weights and predictions."""
    import keras
    import numpy as np

    import graphdsl
    from graphdsl.backend import weights

    keras.backend.clear_session()
    row: dict = {"model": name}
    original = getattr(keras.applications, name)(weights=None)
    row["layers"] = keras_layers(original)
    row["params"] = original.count_params()
    started = time.perf_counter()
    try:
        text = graphdsl.from_keras(original)
    except graphdsl.ImportRefused as err:
        row["error"] = f"refused: {err}"
        return row
    row["import_s"] = time.perf_counter() - started
    row["lines"] = code_lines(text)
    if save_text:
        with open(os.path.join(save_text, f"{name}.gd"), "w", encoding="utf-8") as fh:
            fh.write(text)
    report = graphdsl.check(text)
    if not report.ok:
        row["error"] = "check: " + report.render()[:500]
        return row
    rebuilt = graphdsl.build(text, compile=False)
    row["rebuilt_params"] = rebuilt.count_params()
    pairs = graphdsl.transfer_weights(original, rebuilt)
    differences = weights.config_differences(original, rebuilt, pairs)
    if differences:
        row["error"] = "configs differ: " + "; ".join(differences[:3])
    shape = tuple(224 if d is None else d for d in original.input_shape[1:])  # MobileNetV3 takes any size
    x = np.random.default_rng(0).uniform(0.0, 255.0, (2, *shape)).astype("float32")
    # called eagerly, as predict would in inference mode (predict's tracing costs seconds per model)
    with warnings.catch_warnings():  # Keras warns that a lone array is not the list of one input it expects
        warnings.simplefilter("ignore")
        a = np.asarray(original(x, training=False))
        b = rebuilt(x, training=False)
    b = np.asarray(next(iter(b.values())) if isinstance(b, dict) else b)
    row["max_diff"] = float(np.max(np.abs(a - b)))
    row["round_trip_s"] = time.perf_counter() - started
    if row["rebuilt_params"] != row["params"]:
        row["error"] = f"parameters: {row['params']:,} in Keras, {row['rebuilt_params']:,} rebuilt"
    elif row["max_diff"] > TOLERANCE:
        row.setdefault("error", f"predictions differ by {row['max_diff']:.3g}")
    return row


def table(rows: list[dict]) -> str:
    out = ["| model | layers | lines | params | max diff | import s | round trip s |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        if "error" in r and "max_diff" not in r:
            out.append(f"| {r['model']} | {r.get('layers', '')} | | {r.get('params', 0):,} | "
                       f"**{r['error'][:120]}** | | |")
            continue
        diff = f"{r['max_diff']:.1e}" if r["max_diff"] else "0"
        note = f" **{r['error'][:80]}**" if "error" in r else ""
        out.append(f"| {r['model']} | {r['layers']:,} | {r['lines']:,} | {r['params']:,} | {diff}{note} | "
                   f"{r['import_s']:.2f} | {r['round_trip_s']:.1f} |")
    ok = [r for r in rows if "error" not in r]
    done = [r for r in rows if "max_diff" in r]
    if done:
        out.append(
            f"| **{len(ok)} of {len(rows)} exact** | {sum(r['layers'] for r in done):,} | "
            f"{sum(r['lines'] for r in done):,} | {sum(r['params'] for r in done):,} | "
            f"{max(r['max_diff'] for r in done):.1e} | {sum(r['import_s'] for r in done):.1f} | "
            f"{sum(r['round_trip_s'] for r in done):.0f} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("models", nargs="*", help="models to run (default: all 40)")
    parser.add_argument("--json", metavar="FILE", help="also write the rows as JSON")
    parser.add_argument("--save-text", metavar="DIR", help="also write each model's program as DIR/NAME.gd")
    args = parser.parse_args(argv)
    names = args.models or MODELS
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        parser.error(f"not a keras.applications model: {', '.join(unknown)}")
    if args.save_text:
        os.makedirs(args.save_text, exist_ok=True)
    from graphdsl.backend import lower

    rows = []
    with lower.quiet_tensorflow():
        for name in names:
            row = round_trip(name, args.save_text)
            rows.append(row)
            print(f"{name}: {row.get('error') or 'exact'}", file=sys.stderr, flush=True)
    print(table(rows))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(rows, fh, indent=1)
    return 0 if all("error" not in r for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
