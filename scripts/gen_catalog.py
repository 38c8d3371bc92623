"""Generate ``graphdsl/catalog/_signatures.py`` from the installed Keras, and the layer lists of
the README and docs/LANGUAGE.md from the catalog's descriptors.

The catalog must answer ``graphdsl check`` without importing Keras, so what Keras offers is read
from Keras once, here, and written as a plain Python literal module: the constructor and call
signatures of the layers the descriptors describe (the list of layers is the descriptors', in
``graphdsl/catalog/layers/``), the family module of each layer, Keras's second names for them,
the signatures of the initializer/regularizer/constraint classes of ``catalog/objects.py``, the
merges, and the names of losses, metrics, optimizers, activations, initializers, regularizers and
constraints with their aliases. The output is deterministic (sorted) so that a test can compare
the committed file with what this script would write now.

Adding a layer: write its descriptor in the family module, then run this script.

Usage::

    .venv/bin/python scripts/gen_catalog.py            # rewrite the module and the layer lists
    .venv/bin/python scripts/gen_catalog.py --check    # exit 1 if any of them is stale
"""

from __future__ import annotations

import importlib
import inspect
import os
import pprint
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "graphdsl" / "catalog" / "_signatures.py"
DOCS = (ROOT / "README.md", ROOT / "docs" / "LANGUAGE.md")
sys.path.insert(0, str(ROOT))

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
# Keras objects graphdsl leaves out: the STFT initializer needs scipy, which graphdsl does not install.
SKIPPED_OBJECTS = {"STFT"}
# Registry entries that are abstract bases or wrappers needing Python objects.
_SKIP_OPTIMIZERS = {"optimizer", "multioptimizer", "optimizermap", "lossscaleoptimizer"}
_SKIP_LOSSES = {"Loss", "LossFunctionWrapper"}
_SKIP_METRICS = {"Metric", "MeanMetricWrapper", "Reduce"}


def _keras():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras

    return keras


def _signature(fn) -> tuple:
    """(name,) for a required parameter, (name, default) otherwise, in the order of `fn`'s
    parameters; (name, default, "keyword") for a keyword-only one."""
    out = []
    for p in inspect.signature(fn).parameters.values():
        if p.name in _DROPPED_PARAMS or p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
            continue
        entry = (p.name,) if p.default is inspect.Parameter.empty else (p.name, p.default)
        if p.kind == p.KEYWORD_ONLY:
            entry = (p.name, None if p.default is inspect.Parameter.empty else p.default, "keyword")
        out.append(entry)
    return tuple(out)


def _layer_class(spec):
    return getattr(importlib.import_module(spec.module), spec.name)


def _objects() -> dict:
    """family -> class -> constructor signature, for the classes `catalog/objects.py` describes."""
    from graphdsl.catalog.objects import FAMILIES, KINDS

    return {
        family: {name: _signature(getattr(importlib.import_module(FAMILIES[family]), name).__init__)
                 for name in KINDS[family]}
        for family in KINDS
    }


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

    from graphdsl.catalog.layers import all_descriptors

    specs = all_descriptors()
    classes = {spec.name: _layer_class(spec) for spec in specs}
    layers = {name: _signature(cls.__init__) for name, cls in classes.items()}
    calls = {name: _signature(cls.call) for name, cls in classes.items()}
    families = {spec.name: spec.family for spec in specs}
    merges = {lang: (cls, _signature(getattr(keras.layers, cls).__init__)) for lang, cls in MERGES.items()}
    by_class = {cls: name for name, cls in classes.items()}
    aliases = {
        n: by_class[obj] for n, obj in vars(keras.layers).items()
        if inspect.isclass(obj) and obj in by_class and n != by_class[obj]
    }
    known = set(classes) | set(MERGES.values()) | set(aliases)
    unsupported = sorted(
        n
        for n, obj in vars(keras.layers).items()
        if inspect.isclass(obj) and issubclass(obj, keras.layers.Layer) and n not in known
        and not n.startswith("_")
    )
    return {
        "KERAS_VERSION": keras.__version__,
        "LAYER_FAMILIES": families,
        "LAYER_SIGNATURES": layers,
        "CALL_SIGNATURES": calls,
        "LAYER_ALIASES": aliases,
        "MERGE_SIGNATURES": merges,
        "UNSUPPORTED_LAYERS": tuple(unsupported),
        "OBJECT_SIGNATURES": _objects(),
        "LOSSES": _losses(keras),
        "METRICS": _metrics(keras),
        "OPTIMIZERS": _optimizers(keras),
        "ACTIVATIONS": {k: v.__name__ for k, v in activations.ALL_OBJECTS_DICT.items()},
        "INITIALIZERS": _simple(initializers, {"Initializer", *SKIPPED_OBJECTS}),
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
        "A required parameter is spelled (name,); one with a default (name, default); a keyword-only",
        "one (name, default, 'keyword'). LAYER_FAMILIES names the module of catalog/layers/ that",
        "describes each layer; CALL_SIGNATURES are the parameters of each layer's `call`.",
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
    from graphdsl.catalog.reference import update_docs

    outputs = {OUT: generate(), COMPILE_OUT: generate_compile()}
    for path in DOCS:
        outputs[path] = update_docs(path.name, path.read_text())
    stale = [path for path, text in outputs.items() if not path.exists() or path.read_text() != text]
    if "--check" in argv:
        for path in stale:
            print(f"{path} is stale; run scripts/gen_catalog.py", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.write_text(outputs[path])
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
