"""The catalog against keras.applications: every layer of five models whose layers cover every
class the 40-model zoo uses (ConvNeXtTiny, EfficientNetB0, InceptionResNetV2, MobileNetV3Small,
NASNetMobile).

For each layer: its class has a descriptor (or is a merge), every argument its config holds is
accepted by the catalog's kinds, and the catalog's output types and parameter count for the
layer's actual inputs are Keras's. (All 40 models pass the same check; five keep the tier short.)
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import pytest  # noqa: E402

from graphdsl.catalog import (  # noqa: E402
    MERGE_BY_KERAS_CLASS,
    ObjectValue,
    TensorType,
    get_layer,
    get_merge,
    get_object,
)

pytestmark = pytest.mark.keras

MODELS = ["ConvNeXtTiny", "EfficientNetB0", "InceptionResNetV2", "MobileNetV3Small", "NASNetMobile"]
_OBJECT_MODULES = {"keras.initializers": "initializer", "keras.regularizers": "regularizer",
                   "keras.constraints": "constraint"}


def _value(v):
    """A config value as graphdsl's evaluator would hand it to a kind (lists are tuples)."""
    if isinstance(v, (list, tuple)):
        return tuple(_value(x) for x in v)
    if isinstance(v, dict) and v.get("module") in _OBJECT_MODULES:
        spec = get_object(_OBJECT_MODULES[v["module"]], v["class_name"])
        assert spec is not None, f"no object class {v['class_name']}"
        return ObjectValue(spec, {k: _value(x) for k, x in v["config"].items()})
    return v


def _layers(model):
    for layer in model.layers:
        if isinstance(layer, keras.Sequential):  # ConvNeXt's stem and downsampling blocks
            yield from layer.layers
        elif type(layer).__name__ != "InputLayer":
            yield layer


def _args(spec, layer) -> dict:
    signature = {p.name for p in spec.params}
    args = {}
    for key, raw in layer.get_config().items():
        if key in ("name", "trainable", "dtype") or key not in signature:
            continue  # config-only keys (e.g. LayerNormalization's rms_scaling) are not arguments
        value = _value(raw)
        param = next(p for p in spec.params if p.name == key)
        if value == param.default and type(value) is type(param.default):
            continue
        message = param.kind.check(value)
        assert message is None, f"{type(layer).__name__}({key}={value!r}): {message}"
        args[key] = value
    return args


@pytest.mark.parametrize("app", MODELS)
def test_every_layer_of_the_model_checks_as_keras_builds_it(app):
    keras.backend.clear_session()
    model = getattr(keras.applications, app)(weights=None)
    total = 0
    for layer in _layers(model):
        cls = type(layer).__name__
        merge = MERGE_BY_KERAS_CLASS.get(cls)
        spec = get_merge(merge) if merge else get_layer(cls)
        assert spec is not None, f"{app}: no descriptor for {cls}"
        args = _args(spec, layer)
        inputs = layer.input if isinstance(layer.input, list) else [layer.input]
        types = [TensorType(tuple(x.shape)[1:], x.dtype) for x in inputs]
        if merge:
            ours, count = (spec.infer(args, types),), 0
        elif spec.several:
            first = spec.tensor_param
            call = {first.name: tuple(types) if first.kind.what == "tensors" else types[0]}
            ours, count = spec.outputs(args, call), spec.count(args, call)
        else:
            ours, count = (spec.infer(args, types[0]),), spec.count_params(args, types[0])
        outs = layer.output if isinstance(layer.output, (list, tuple)) else [layer.output]
        assert [(t.shape, t.dtype) for t in ours] == [(tuple(o.shape)[1:], o.dtype) for o in outs], (app, layer.name)
        assert count == layer.count_params(), (app, layer.name)
        total += count
    assert total == model.count_params()
