"""Generate ``graphdsl/catalog/_signatures.py`` from the installed Keras.

The catalog must answer ``graphdsl check`` without importing Keras, so what Keras
offers — constructor signatures of the supported layers and merges, the names of
losses, metrics, optimizers, activations, initializers, regularizers and
constraints, and their aliases — is read from Keras once, here, and written as a
plain Python literal module. The output is deterministic (sorted) so that a test
can compare the committed file with what this script would write now.

Usage::

    .venv/bin/python scripts/gen_catalog.py            # rewrite the module
    .venv/bin/python scripts/gen_catalog.py --check    # exit 1 if it is stale
"""

from __future__ import annotations

import inspect
import os
import pprint
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "graphdsl" / "catalog" / "_signatures.py"

SUPPORTED_LAYERS = ["Dense", "Embedding", "Conv1D", "Conv2D", "MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalAveragePooling1D", "GlobalAveragePooling2D", "LSTM", "GRU", "SimpleRNN", "Bidirectional", "TimeDistributed", "Dropout", "SpatialDropout1D", "BatchNormalization", "LayerNormalization", "Flatten", "Reshape", "Permute", "RepeatVector", "Activation", "ReLU", "Softmax", "ZeroPadding1D", "ZeroPadding2D"]

# language name -> Keras class
MERGES = {
    "concat": "Concatenate",
    "add": "Add",
    "subtract": "Subtract",
    "multiply": "Multiply",
    "average": "Average",
    "maximum": "Maximum",
    "minimum": "Minimum",
    "dot": "Dot",
}

# Constructor parameters no program may spell: layer names come from the program,
# and **kwargs is the base-layer catch-all.
_DROPPED_PARAMS = {"self", "name", "kwargs"}
# Registry entries that are abstract bases or wrappers needing Python objects.
_SKIP_OPTIMIZERS = {"optimizer", "multioptimizer", "optimizermap", "lossscaleoptimizer"}
_SKIP_LOSSES = {"Loss", "LossFunctionWrapper"}
_SKIP_METRICS = {"Metric", "MeanMetricWrapper", "Reduce"}


def _keras():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras

    return keras


def _signature(cls) -> tuple:
    """(name,) for a required parameter, (name, default) otherwise, in constructor order."""
    out = []
    for p in inspect.signature(cls.__init__).parameters.values():
        if p.name in _DROPPED_PARAMS or p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
            continue
        out.append((p.name,) if p.default is inspect.Parameter.empty else (p.name, p.default))
    return tuple(out)


def _kwarg_names(fn) -> tuple[str, ...]:
    names = []
    for p in inspect.signature(fn).parameters.values():
        if p.name in _DROPPED_PARAMS or p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
            continue
        names.append(p.name)
    return tuple(names)


def _spelling_ok(key: str) -> bool:
    # snake_case names and the upper-case aliases Keras registers (MSE, BCE);
    # CamelCase class names are left to "did you mean".
    return key[:1].islower() or key.isupper()


def _snake(name: str) -> str:
    from keras.src.utils.naming import to_snake_case

    return to_snake_case(name)


def _losses(keras) -> dict:
    from keras.src import losses as mod

    classes = {
        _snake(c.__name__): c
        for c in mod.ALL_OBJECTS
        if inspect.isclass(c) and c.__name__ not in _SKIP_LOSSES
    }
    out = {}
    for key, obj in mod.ALL_OBJECTS_DICT.items():
        if inspect.isclass(obj) or not _spelling_ok(key):
            continue
        canonical = obj.__name__
        cls = classes.get(canonical)
        kwargs = tuple(k for k in _kwarg_names(cls.__init__) if k not in {"reduction", "dtype"}) if cls else ()
        out[key] = (canonical, cls.__name__ if cls else None, kwargs)
    # ... and these spellings of a loss (a metric named "crossentropy" it does not know).
    for key in ("crossentropy", "ce"):
        out[key] = ("crossentropy", None, ())
    return out


def _metrics(keras) -> dict:
    from keras.src import metrics as mod

    out = {}
    for key, obj in mod.ALL_OBJECTS_DICT.items():
        if not _spelling_ok(key) or not inspect.isclass(obj) or obj.__name__ in _SKIP_METRICS:
            continue
        kwargs = tuple(k for k in _kwarg_names(obj.__init__) if k != "dtype")
        out[key] = (_snake(obj.__name__), obj.__name__, kwargs)
    # model.compile special-cases these spellings of a metric: it picks the binary, categorical
    # or sparse variant from the output and target shapes (keras/src/trainers/compile_utils.py).
    for key in ("accuracy", "acc"):
        out[key] = ("accuracy", None, ())
    return out


def _optimizers(keras) -> dict:
    from keras.src import optimizers as mod

    out = {}
    for key, cls in mod.ALL_OBJECTS_DICT.items():
        if key in _SKIP_OPTIMIZERS:
            continue
        out[key] = (key, cls.__name__, _kwarg_names(cls.__init__))
    return out


def _simple(mod, skip: set[str]) -> dict:
    out = {}
    for key, obj in mod.ALL_OBJECTS_DICT.items():
        if not _spelling_ok(key) or obj.__name__ in skip:
            continue
        out[key] = _snake(obj.__name__) if inspect.isclass(obj) else obj.__name__
    return out


def collect() -> dict:
    """Everything the catalog needs from Keras, as plain literals."""
    keras = _keras()
    from keras.src import activations, constraints, initializers, regularizers

    layers = {name: _signature(getattr(keras.layers, name)) for name in SUPPORTED_LAYERS}
    merges = {lang: (cls, _signature(getattr(keras.layers, cls))) for lang, cls in MERGES.items()}
    known = set(SUPPORTED_LAYERS) | set(MERGES.values())
    unsupported = sorted(
        n
        for n, obj in vars(keras.layers).items()
        if inspect.isclass(obj) and issubclass(obj, keras.layers.Layer) and n not in known
        and not n.startswith("_")
    )
    return {
        "KERAS_VERSION": keras.__version__,
        "LAYER_SIGNATURES": layers,
        "MERGE_SIGNATURES": merges,
        "UNSUPPORTED_LAYERS": tuple(unsupported),
        "LOSSES": _losses(keras),
        "METRICS": _metrics(keras),
        "OPTIMIZERS": _optimizers(keras),
        "ACTIVATIONS": {k: v.__name__ for k, v in activations.ALL_OBJECTS_DICT.items()},
        "INITIALIZERS": _simple(initializers, {"Initializer"}),
        "REGULARIZERS": _simple(regularizers, {"Regularizer"}),
        "CONSTRAINTS": _simple(constraints, {"Constraint"}),
    }


def generate() -> str:
    """The text of ``_signatures.py`` for the installed Keras."""
    data = collect()
    lines = [
        (
            '"""Keras signatures and names — generated by scripts/gen_catalog.py from keras '
            f'{data["KERAS_VERSION"]} — do not edit.'
        ),
        "",
        "A required parameter is spelled (name,); one with a default (name, default).",
        "LOSSES/METRICS/OPTIMIZERS map each spelling to (canonical, keras class or None,",
        "constructor keyword names); the other registries map a spelling to its canonical name.",
        '"""',
        "",
    ]
    for key, value in data.items():
        text = pprint.pformat(value, width=100, sort_dicts=True)
        lines.append(f"{key} = {text}")
        lines.append("")
    return "\n".join(lines)


# ---- the arguments of losses, metrics and optimizers ---------------------------------------------

COMPILE_OUT = OUT.parent / "_compile_signatures.py"
# Constructor arguments a program never gives: the name comes from Keras, the dtype is the model's,
# a loss's reduction is Keras's default (graphdsl sums weighted per-output losses as Keras does).
_NOT_ARGUMENTS = {"self", "name", "dtype", "reduction", "kwargs"}


def _compile_signature(cls) -> tuple:
    """(name,) for a required argument, (name, default) otherwise, in constructor order."""
    out = []
    for p in inspect.signature(cls.__init__).parameters.values():
        if p.name in _NOT_ARGUMENTS or p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
            continue
        out.append((p.name,) if p.default is inspect.Parameter.empty else (p.name, p.default))
    return tuple(out)


def collect_compile() -> dict:
    """family -> Keras class -> constructor signature, for every class the registries name."""
    keras = _keras()
    tables = {"loss": (_losses(keras), keras.losses), "metric": (_metrics(keras), keras.metrics),
              "optimizer": (_optimizers(keras), keras.optimizers)}
    out = {}
    for family, (table, module) in tables.items():
        classes = sorted({entry[1] for entry in table.values() if entry[1] is not None})
        out[family] = {name: _compile_signature(getattr(module, name)) for name in classes}
    return {"KERAS_VERSION": keras.__version__, "SIGNATURES": out}


def generate_compile() -> str:
    """The text of ``_compile_signatures.py`` for the installed Keras."""
    data = collect_compile()
    lines = [
        '"""Constructor signatures of the Keras losses, metrics and optimizers the registries name —',
        f'generated by scripts/gen_catalog.py from keras {data["KERAS_VERSION"]} — do not edit.',
        "",
        "SIGNATURES[family][class]: a required argument is spelled (name,), one with a default",
        "(name, default); name, dtype and a loss's reduction are left out (no program gives them).",
        "What each argument accepts is written by hand in compile_args.py.",
        '"""',
        "",
    ]
    for key, value in data.items():
        lines.append(f"{key} = {pprint.pformat(value, width=100, sort_dicts=True)}")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    stale = False
    for path, text in ((OUT, generate()), (COMPILE_OUT, generate_compile())):
        if "--check" in argv:
            if path.read_text() != text:
                print(f"{path} is stale; run scripts/gen_catalog.py", file=sys.stderr)
                stale = True
            continue
        path.write_text(text)
        print(f"wrote {path}")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
