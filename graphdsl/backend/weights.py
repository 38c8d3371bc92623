"""Carrying weights from one Keras model to another of the same structure, and comparing them.

`graphdsl build --weights FROM.keras` and `graphdsl.transfer_weights` pair each layer of the
source with its counterpart in the model a program built (`graphdsl.imported.match`: by the
structure of the two graphs, since graphdsl names layers after the program's statements), then
copy every weight, trainable or not (a BatchNormalization's moving mean too), after checking
that the shapes agree. A source file is loaded with ``safe_mode=True`` and nothing else: a file
that would need unsafe loading is refused.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import Any

from ..imported.match import Mismatch, match
from ..imported.model import ImportRefused
from .importer import _norm, _plain, config_of_model, read

__all__ = ["ImportRefused", "Mismatch", "config_differences", "layer_at", "load_safely", "pair_layers", "transfer_weights"]


def load_safely(path: str | os.PathLike[str]) -> Any:
    """``keras.models.load_model(path, safe_mode=True, compile=False)``; a file that needs unsafe
    loading (a Lambda's Python code, a class Keras does not know) is refused, never loaded unsafely."""
    import keras

    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(path)
    try:
        return keras.models.load_model(path, safe_mode=True, compile=False)
    except Exception as err:  # Keras says why in its message; we say what it means
        text = str(err).split("\n")[0]
        if "safe_mode" in str(err) or "lambda" in str(err).lower():
            reason = f"it holds Python code that only unsafe loading would run ({text})"
        elif "Could not locate" in str(err) or "Unknown" in str(err):
            reason = f"it needs a class Keras does not know without its Python code ({text})"
        else:
            reason = f"Keras cannot load it safely: {type(err).__name__}: {text}"
        raise ImportRefused(None, f"{path}: {reason}; graphdsl loads files with safe_mode=True only") from None


def layer_at(model: Any, key: str) -> Any:
    """The layer of `model` at `key` (``"stem/conv"`` is the layer ``conv`` of the nested model ``stem``)."""
    layer = model
    for part in key.split("/"):
        layer = layer.get_layer(part)
    return layer


def _weighted(model: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    import keras

    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _weighted(layer, f"{prefix}{layer.name}/")
        elif layer.weights:
            yield f"{prefix}{layer.name}", layer


def pair_layers(source: Any, target: Any) -> dict[str, str]:
    """Source layer key -> target layer key, by the structure of the two graphs (`match`)."""
    a = read(config_of_model(source), compile=False, structure_only=True)
    b = read(config_of_model(target), compile=False, structure_only=True)
    return match(a, b)


def transfer_weights(source: Any, target: Any) -> dict[str, str]:
    """Copy every weight of `source` (a Keras model) onto `target`, layer by paired layer.

    Returns the pairing (source layer key -> target layer name). Raises `Mismatch` if the graphs
    differ, a layer with weights has no counterpart, or the shapes of paired weights differ;
    `target` is changed only when everything fits.
    """
    pairs = pair_layers(source, target)
    plan = []
    for key, layer in _weighted(source):
        if key not in pairs:
            raise Mismatch(f"layer '{key}' of the source has weights but no counterpart in the target")
        other = layer_at(target, pairs[key])
        values = layer.get_weights()
        shapes = [tuple(w.shape) for w in other.weights]
        if [tuple(v.shape) for v in values] != shapes:
            raise Mismatch(f"layer '{key}' has weights of shapes {[tuple(v.shape) for v in values]}, its "
                           f"counterpart '{pairs[key]}' {shapes}")
        plan.append((other, values))
    for other, values in plan:
        other.set_weights(values)
    return pairs


def config_differences(source: Any, target: Any, pairs: Mapping[str, str]) -> list[str]:
    """Paired layers whose configs differ (names aside), and layers of either model left unpaired
    (the Identity layers graphdsl adds to name an output excepted); empty when the models agree."""
    import keras

    problems = []
    for key, other in pairs.items():
        a = _norm(_plain(layer_at(source, key).get_config()))
        b = _norm(_plain(layer_at(target, other).get_config()))
        if a != b:
            keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
            problems.append(f"{key} / {other}: {keys}")

    def keys(model: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
        for layer in model.layers:
            if isinstance(layer, keras.Model):
                yield from keys(layer, f"{prefix}{layer.name}/")
            elif type(layer).__name__ not in ("InputLayer", "Identity"):
                yield f"{prefix}{layer.name}", layer

    paired_targets = set(pairs.values())
    problems += [f"{k}: not paired in the target" for k, _ in keys(source) if k not in pairs]
    problems += [f"{k}: not paired in the source" for k, _ in keys(target) if k not in paired_targets]
    return problems
