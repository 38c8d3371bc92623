"""Keras -> an `ImportedModel` (`graphdsl.imported`): the Keras half of `graphdsl import`.

What is read is the model's serialized architecture, the very thing Keras saves and rebuilds a
model from: ``config.json`` inside a ``.keras`` file (read from the zip; no weights are loaded and
no object is deserialized, so nothing in the file can run), or ``serialize_keras_object(model)``
of a live model. The graph is walked from the outputs (depth first, without recursion), nested
models (a ``Sequential`` stem, a functional backbone) are inlined, and every call becomes a
`Node`:

- a layer of the catalog (by class and module: a user's class that happens to be called
  ``Dense`` is not Keras's), a merge (``Add`` -> ``add``), or an op of tensor arithmetic;
- anything else is refused, naming the layer and why (`ImportRefused`): a ``Lambda`` (its
  function is Python), a custom class, a layer graphdsl does not support, a call argument such
  as ``training=False``, a dtype policy, a config value no argument can set.

**Arguments.** A layer's arguments are the values of its config that differ from the config of
the same class built with only the required arguments (so ``kernel_initializer=GlorotUniform()``,
Keras's default, is left out even though the signature says ``"glorot_uniform"``); then each
remaining argument is dropped if the config stays the same without it (``strides`` equal to
``pool_size``), and a tuple of equal sizes is shortened (``(3, 3)`` -> ``3``) if the config
stays the same. Finally the layer is built from exactly the arguments the program will hold and
its config compared with the original's, names aside: any difference is a refusal, never an
approximate program. Results are kept per distinct config, so a model of a thousand layers
builds a few dozen layers to describe them.

The training set-up (optimizer, losses, loss weights, metrics) comes from the compile config,
with the same rule for arguments; settings of how Keras runs (``jit_compile``, ``run_eagerly``,
``steps_per_execution``) are not part of the model and are not carried.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Mapping
from typing import Any

from ..catalog import MERGE_BY_KERAS_CLASS, LayerValue, ObjectValue, get_layer, get_merge
from ..catalog.names import registry
from ..catalog.objects import FAMILIES as OBJECT_MODULES
from ..catalog.objects import get_object
from ..catalog.types import ShapeError, TensorType
from ..imported.model import (
    ImportedModel,
    ImportRefused,
    ModelInput,
    ModelOutput,
    Named,
    Node,
    TRef,
    tensors_of,
)

__all__ = ["config_of_file", "config_of_model", "load_source", "read", "read_model"]

_MISSING = object()
_OBJECT_FAMILY = {module: family for family, module in OBJECT_MODULES.items()}
_OPS = {"Add": "+", "Subtract": "-", "Multiply": "*", "Divide": "/", "TrueDivide": "/"}
_MODEL_CLASSES = ("Functional", "Sequential", "Model")
# optional first arguments written by position, as Keras's examples and applications write them
_FIRST_BY_POSITION = frozenset({"pool_size", "padding", "cropping", "size", "max_value", "dims", "target_shape", "n",
                                "rate", "stddev"})
_INPUT_DTYPES = ("float16", "bfloat16", "float32", "float64", "int32", "int64", "uint8", "bool")


# ---- sources ------------------------------------------------------------------------------------


def config_of_file(path: str | os.PathLike[str]) -> dict:
    """The serialized model inside a ``.keras`` file (its ``config.json``), read without loading
    weights or deserializing anything."""
    path = os.fspath(path)
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "config.json" not in names:
                raise ImportRefused(None, f"{path} is not a Keras 3 .keras file (it has no config.json)")
            data = archive.read("config.json")
    except zipfile.BadZipFile:
        hint = " (an HDF5 file from Keras 2? load it in Keras and save it as .keras)" if path.endswith(".h5") else ""
        raise ImportRefused(None, f"{path} is not a .keras file{hint}") from None
    try:
        config = json.loads(data)
    except ValueError as err:
        raise ImportRefused(None, f"{path}: its config.json is not valid JSON ({err})") from None
    if not isinstance(config, dict):
        raise ImportRefused(None, f"{path}: its config.json does not describe a model")
    return config


def config_of_model(model: Any) -> dict:
    """The serialized architecture (and compile config) of a live Keras model."""
    import keras

    if not isinstance(model, keras.Model):
        raise ImportRefused(None, f"a {type(model).__name__} is not a Keras model")
    if not isinstance(model, (keras.Sequential, _functional_class())) or type(model).__module__.split(".")[0] != "keras":
        raise ImportRefused(
            getattr(model, "name", None),
            f"a subclassed model ({type(model).__name__}): its call is Python code, which graphdsl cannot read",
            help="build the model with the functional API or as a Sequential; graphdsl reads only their graphs",
        )
    if not model.built or not model.inputs:
        raise ImportRefused(model.name, "the model is not built: it has no inputs yet",
                            help="give it a keras.Input (or call build()) before importing it")
    return keras.saving.serialize_keras_object(model)


def _functional_class() -> type:
    from keras.src.models.functional import Functional

    return Functional


def config_of_application(name: str) -> dict:
    """The architecture of ``keras.applications.NAME`` (built with ``weights=None``)."""
    import keras

    short = name.removeprefix("keras.applications.")
    fn = getattr(keras.applications, short, None)
    if not callable(fn) or isinstance(fn, type) or short.startswith("_") or not short[:1].isupper():
        apps = sorted(n for n in dir(keras.applications) if n[:1].isupper())
        from ..suggest import suggest

        hint = suggest(short, apps)
        raise ImportRefused(None, f"keras.applications has no model {short!r}",
                            help=f"did you mean 'keras.applications.{hint}'?" if hint else None)
    keras.backend.clear_session()
    return config_of_model(fn(weights=None))


def load_source(source: str, *, compile: bool = True) -> ImportedModel:
    """A ``.keras`` file or ``keras.applications.NAME`` as an imported graph."""
    if source.startswith("keras.applications."):
        return read(config_of_application(source), compile=compile, source=source)
    config = config_of_file(source)
    try:
        return read(config, compile=compile, source=os.path.basename(source))
    except (KeyError, TypeError, AttributeError, IndexError, ValueError) as err:
        # a config.json that is not as Keras writes them (edited by hand, damaged)
        raise ImportRefused(None, f"{source}: its config.json is not a model as Keras saves one "
                            f"({type(err).__name__}: {err})") from None


def read_model(model: Any, *, compile: bool = True, source: str = "") -> ImportedModel:
    """A live Keras model as an imported graph."""
    return read(config_of_model(model), compile=compile, source=source)


# ---- config values ------------------------------------------------------------------------------


def _plain(value: object) -> object:
    """A config value with lists as tuples and Keras's serialized tuples unwrapped."""
    if isinstance(value, (list, tuple)):
        return tuple(_plain(v) for v in value)
    if isinstance(value, dict):
        if value.get("class_name") == "__tuple__" and isinstance(value.get("config"), dict):
            return tuple(_plain(v) for v in value["config"].get("value", ()))
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "item") and hasattr(value, "dtype"):  # a numpy scalar or array
        return _plain(value.tolist())
    return value


def _is_layer_dict(value: object) -> bool:
    return isinstance(value, dict) and "class_name" in value and isinstance(value.get("config"), dict) and (
        str(value.get("module", "")).startswith(("keras.layers", "keras.src.layers")))


def _norm(value: object, top: bool = True) -> object:
    """A layer config made comparable: lists as tuples, layer names and build state dropped."""
    if isinstance(value, dict):
        # shared_object_id: Keras marks an object several layers share (their dtype policy) when it saves
        drop = {"name", "build_config", "compile_config", "shared_object_id"} if top else {
            "build_config", "compile_config", "shared_object_id"}
        out = {}
        for k, v in value.items():
            if k in drop:
                continue
            if _is_layer_dict(v):  # a layer given as an argument: its own name does not matter either
                out[k] = {**{kk: _norm(vv, top=False) for kk, vv in v.items() if kk not in ("config", "build_config")},
                          "config": _norm(v["config"], top=True)}
            else:
                out[k] = _norm(v, top=False)
        return out
    if isinstance(value, (list, tuple)):
        return tuple(_norm(v, top=False) for v in value)
    return value


def _same(key: str, a: object, b: object) -> bool:
    """Config values that build the same layer. One equivalence besides equality: a single
    ``axis`` as ``a`` or ``(a,)`` (Keras's normalization layers turn the first into the second
    when they are built, so a built layer's config says ``[-1]`` where its constructor said -1)."""
    if a == b:
        return True
    if key == "axis":
        return (isinstance(a, tuple) and len(a) == 1 and a[0] == b) or (isinstance(b, tuple) and len(b) == 1
                                                                        and b[0] == a)
    return False


def _differences(a: Mapping | None, b: Mapping) -> list[str]:
    if a is None:
        return sorted(b)
    keys = sorted(set(a) | set(b))
    return [k for k in keys if not _same(k, a.get(k, _MISSING), b.get(k, _MISSING))]


def _show(value: object) -> str:
    text = json.dumps(value, default=repr) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class _Describer:
    """Layer, merge and object arguments from configs, checked by rebuilding (results kept per config)."""

    def __init__(self) -> None:
        import keras

        self.keras = keras
        self._configs: dict[str, dict | None] = {}
        self._errors: dict[str, str] = {}
        self._described: dict[str, tuple] = {}

    # -- building and comparing

    def _cls(self, module: str, name: str) -> type:
        from .lower import _keras_class

        return _keras_class(module, name)

    def config_of(self, spec: Any, args: Mapping[str, object], layer: str | None = None) -> dict | None:
        """The normalized config of `spec`'s class built with `args` (catalog values); None if
        Keras refuses them (a refusal naming `layer` when `layer` is given)."""
        from .lower import _kwargs_of

        cls_name = getattr(spec, "keras_class", spec.name)
        key = repr((spec.module, cls_name, sorted(args.items(), key=lambda kv: kv[0])))
        if key not in self._configs:
            try:
                cls = self._cls(spec.module, cls_name)
                self._configs[key] = _norm(_plain(cls(**_kwargs_of(spec, args)).get_config()))
            except Exception as err:  # Keras refuses these arguments (e.g. a mean without its variance)
                self._configs[key] = None
                self._errors[key] = f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"
        found = self._configs[key]
        if found is None and layer is not None:
            raise ImportRefused(layer, f"Keras refuses to build {cls_name} from graphdsl's arguments "
                                f"({self._errors[key]})")
        return found

    # -- values

    def value(self, raw: object, layer: str, what: str) -> object:
        """A config value as a catalog value (an argument the program can write)."""
        if raw is None or isinstance(raw, (bool, int, float, str)):
            return raw
        if isinstance(raw, tuple):
            return tuple(self.value(v, layer, what) for v in raw)
        if isinstance(raw, dict):
            module = str(raw.get("module", ""))
            cls = raw.get("class_name")
            config = raw.get("config")
            if module in _OBJECT_FAMILY and isinstance(cls, str) and isinstance(config, dict):
                family = _OBJECT_FAMILY[module]
                spec = get_object(family, cls)
                if spec is None or raw.get("registered_name") not in (None, cls):
                    raise ImportRefused(layer, f"{what} is the {family} {cls}, which graphdsl does not support")
                args = {}
                for p in spec.params:
                    if p.name in config:
                        v = self.value(config[p.name], layer, what)
                        if not (v == p.default and type(v) is type(p.default)):
                            args[p.name] = v
                extra = set(config) - {p.name for p in spec.params}
                if extra:
                    raise ImportRefused(layer, f"{what}: {cls} has settings graphdsl cannot write: {sorted(extra)}")
                return ObjectValue(spec, args)
            if _is_layer_dict(raw):
                spec = self.layer_spec(raw, layer)
                args, _positional = self.layer_args(spec, raw["config"], layer, verify=False)
                return LayerValue(spec, dict(args))
            if module.startswith("keras.src.optimizers.schedules") or module == "keras.optimizers.schedules":
                raise ImportRefused(layer, f"{what} is a learning-rate schedule ({cls}), which graphdsl cannot write",
                                    help="import with compile=False (--no-compile) to leave the training set-up out")
        raise ImportRefused(layer, f"{what} is {_show(raw)}, which graphdsl cannot write")

    # -- layers

    def layer_spec(self, entry: Mapping, layer: str) -> Any:
        """The catalog descriptor of a serialized layer, or a refusal saying why there is none."""
        cls = entry.get("class_name")
        module = str(entry.get("module", ""))
        registered = entry.get("registered_name")
        if cls == "Lambda":
            raise ImportRefused(layer, "a Lambda layer: its function is Python code, and nothing in a graphdsl "
                                "program is Python", help="replace it with Keras layers (or ops) that compute the same")
        spec = get_layer(cls) if isinstance(cls, str) else None
        from ..catalog import KNOWN_UNSUPPORTED

        keras_module = module.startswith(("keras.layers", "keras.src.layers")) or (
            spec is not None and module == spec.module)
        if spec is not None and keras_module and registered in (None, cls):
            return spec
        if keras_module and cls in KNOWN_UNSUPPORTED and registered in (None, cls):
            raise ImportRefused(layer, f"{cls} is a Keras layer that graphdsl does not support")
        where = f" from {module}" if module else ""
        raise ImportRefused(layer, f"a custom layer ({cls}{where}): its code is Python, which graphdsl cannot "
                            "read; graphdsl knows the Keras layers of its catalog")

    def layer_args(self, spec: Any, config: Mapping, layer: str, verify: bool = True
                   ) -> tuple[tuple[tuple[str, object], ...], int]:
        """(arguments in signature order, how many are written by position)."""
        cfg = _norm(_plain(dict(config)))
        key = repr((spec.name, verify, sorted(cfg.items(), key=lambda kv: kv[0])))
        found = self._described.get(key)
        if found is not None:
            return found
        what = spec.name
        params = spec.params
        args: dict[str, object] = {}
        for p in params:
            if p.required:
                if p.name not in cfg:
                    raise ImportRefused(layer, f"its config has no value for {what}'s argument {p.name!r}")
                args[p.name] = self.value(cfg[p.name], layer, f"{what}({p.name}=...)")
        base = self.config_of(spec, args)
        names = {p.name for p in params}
        for p in params:
            if p.required or p.name not in cfg or (base is not None and _same(p.name, cfg[p.name],
                                                                                base.get(p.name, _MISSING))):
                continue  # (Keras refusing the required arguments alone, CategoryEncoding(): take all)
            args[p.name] = self.value(cfg[p.name], layer, f"{what}({p.name}=...)")
        for k, v in cfg.items():
            if k in names or base is None or _same(k, v, base.get(k, _MISSING)):
                continue
            if k == "dtype":
                policy = v.get("config", {}).get("name") if isinstance(v, dict) else v
                raise ImportRefused(layer, f"its dtype policy is {policy}; graphdsl builds every layer in Keras's "
                                    "default policy (float32)")
            raise ImportRefused(layer, f"its config has {k}={_show(v)}, which no argument of {what} in graphdsl sets")
        if verify:
            # arguments are not independent (MaxPooling2D's strides default to its pool_size): give
            # every argument whose value the rebuilt config gets wrong, then leave out what it can do without
            for _ in range(len(names)):
                rebuilt = self.config_of(spec, args)
                if rebuilt is None:
                    break
                missing = [k for k in _differences(rebuilt, cfg) if k in names and k not in args]
                if not missing:
                    break
                for k in missing:
                    args[k] = self.value(cfg[k], layer, f"{what}({k}=...)")
            args = self._simplify(spec, args, cfg)
            built = self.config_of(spec, args, layer)
            diff = _differences(built, cfg)
            if diff:
                detail = ", ".join(f"{k}: {_show(cfg.get(k))} in the model, {_show(built.get(k))} rebuilt"
                                   for k in diff[:3])
                raise ImportRefused(layer, f"{what} rebuilt from graphdsl's arguments differs from the model's: {detail}")
        for name, value in args.items():
            message = spec.param(name).kind.check(value)
            if message is not None:
                raise ImportRefused(layer, f"{what}({name}=...): graphdsl does not accept {_show(_raw(value))}: "
                                    f"{message}")
        ordered = tuple((p.name, args[p.name]) for p in params if p.name in args)
        positional = 0
        for p in params:
            if not p.required or positional >= len(ordered) or ordered[positional][0] != p.name:
                break
            positional += 1
        if positional == 0 and ordered and ordered[0][0] == params[0].name and params[0].name in _FIRST_BY_POSITION:
            positional = 1  # MaxPooling1D(5), ZeroPadding2D(3), ReLU(6.0): as Keras's own code writes them
        found = self._described[key] = (ordered, positional)
        return found

    def _simplify(self, spec: Any, args: dict, cfg: Mapping) -> dict:
        """Leave out every argument the config does not need; shorten tuples of equal sizes."""
        out = dict(args)
        for name in list(out):
            if spec.param(name).required:
                continue
            trial = {k: v for k, v in out.items() if k != name}
            if not _differences(self.config_of(spec, trial), cfg):
                out = trial
        for name, value in list(out.items()):
            short = _shorter(value)
            if short is not None and spec.param(name).kind.check(short) is None:
                trial = {**out, name: short}
                if not _differences(self.config_of(spec, trial), cfg):
                    out = trial
        return out

    def merge_args(self, merge: Any, config: Mapping, layer: str) -> tuple[tuple[str, object], ...]:
        cfg = _norm(_plain(dict(config)))
        base = self.config_of(merge, {}, layer) if not any(p.required for p in merge.params) else {}
        args = {}
        for p in merge.params:
            if p.name in cfg and (p.required or cfg[p.name] != base.get(p.name, _MISSING)):
                args[p.name] = self.value(cfg[p.name], layer, f"{merge.name}({p.name}=...)")
        built = self.config_of(merge, args, layer)
        diff = _differences(built, cfg)
        if diff:
            raise ImportRefused(layer, f"its config has {', '.join(diff)}, which {merge.name} in graphdsl cannot set")
        return tuple((p.name, args[p.name]) for p in merge.params if p.name in args)

    # -- training

    def named(self, kind: str, raw: object, what: str) -> Named:
        """A loss, metric or optimizer from the compile config as graphdsl spells it."""
        reg = registry(kind)
        if isinstance(raw, str):
            if reg.canonical(raw) is None:
                raise ImportRefused(None, f"the {what} {raw!r} is not a {kind} graphdsl knows")
            return Named(raw)
        if not (isinstance(raw, dict) and isinstance(raw.get("class_name"), str)):
            raise ImportRefused(None, f"the {what} {_show(raw)} is not a Keras {kind} graphdsl can write")
        cls = raw["class_name"]
        module = str(raw.get("module", ""))
        spelling = next((n for n in sorted(reg.names) if reg.keras_class(n) == cls and reg.canonical(n) == n), None)
        if spelling is None or not module.startswith(("keras.", "keras")) or raw.get("registered_name") not in (None, cls):
            raise ImportRefused(None, f"the {what} {cls} is not a Keras {kind} graphdsl supports")
        keras_module = {"loss": self.keras.losses, "metric": self.keras.metrics,
                        "optimizer": self.keras.optimizers}[kind]
        config = _plain(raw.get("config") or {})
        default = _plain(getattr(keras_module, cls)().get_config())
        allowed = reg.keyword_args(spelling) or ()
        kwargs = {}
        for k, v in config.items():
            if k == "name" or v == default.get(k, _MISSING):
                continue
            if k not in allowed:
                raise ImportRefused(None, f"the {what} {cls} has {k}={_show(v)}, which graphdsl cannot write",
                                    help="import with compile=False (--no-compile) to leave the training set-up out")
            kwargs[k] = _float32_short(self.value(v, None, f"{cls}({k}=...)")) if kind == "optimizer" else self.value(
                v, None, f"{cls}({k}=...)")
        rebuilt = _plain(getattr(keras_module, cls)(**kwargs).get_config())
        diff = [k for k in _differences(rebuilt, config) if k != "name"]
        if diff:
            raise ImportRefused(None, f"the {what} {cls} rebuilt from graphdsl's arguments differs in {diff}")
        return Named(spelling, tuple(kwargs.items()))


def _raw(value: object) -> object:
    if isinstance(value, (LayerValue, ObjectValue)):
        return f"{value.spec.name}(...)"
    return value


def _shorter(value: object) -> object | None:
    """``(3, 3)`` -> ``3``, ``(5,)`` -> ``5`` and ``((1, 1), (1, 1))`` -> ``1``: a tuple of equal
    sizes as one size."""
    if not isinstance(value, tuple) or not value:
        return None
    flat: list[object] = []
    for v in value:
        if isinstance(v, tuple):
            inner = _shorter(v)
            if inner is None:
                return None
            flat.append(inner)
        else:
            flat.append(v)
    first = flat[0]
    if isinstance(first, bool) or not isinstance(first, int) or any(v != first or type(v) is not int for v in flat):
        return None
    return first


def _float32_short(value: object) -> object:
    """A float Keras stored as float32 (a learning rate) by its shortest float32 spelling: 1e-4 for
    9.999999747378752e-05, so the text says what the user wrote."""
    if not isinstance(value, float) or isinstance(value, bool):
        return value
    import numpy as np

    single = np.float32(value)
    if float(single) != value:
        return value
    short = float(str(single))
    return short if np.float32(short) == single else value


# ---- the graph ----------------------------------------------------------------------------------


def _is_history(value: object) -> bool:
    return isinstance(value, tuple) and len(value) == 3 and isinstance(value[0], str) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in value[1:])


def _leaves(structure: object) -> list[tuple]:
    """The (layer, node, tensor) triples of an input_layers / output_layers structure, in order."""
    if _is_history(structure):
        return [structure]
    if isinstance(structure, dict):
        return [leaf for v in structure.values() for leaf in _leaves(v)]
    if isinstance(structure, tuple):
        return [leaf for v in structure for leaf in _leaves(v)]
    return []


def _is_tensor(value: object) -> bool:
    return isinstance(value, dict) and value.get("class_name") == "__keras_tensor__"


def _histories(value: object) -> list[tuple]:
    """The keras_history of every tensor in a node's arguments."""
    if _is_tensor(value):
        return [tuple(value["config"]["keras_history"])]
    if isinstance(value, dict):
        return [h for v in value.values() for h in _histories(v)]
    if isinstance(value, tuple):
        return [h for v in value for h in _histories(v)]
    return []


def _training_default(entry: Mapping) -> object:
    """The default of `training` in the call of a catalog layer (None if it has none)."""
    spec = get_layer(entry.get("class_name")) if isinstance(entry.get("class_name"), str) else None
    for p in spec.call_params if spec is not None else ():
        if p.name == "training":
            return p.default
    return None


def _is_model(entry: Mapping) -> bool:
    config = entry.get("config")
    return entry.get("class_name") in _MODEL_CLASSES and isinstance(config, dict) and "layers" in config


class _Reader:
    def __init__(self, describer: _Describer | None):
        self.describe = describer
        self.inputs: list[ModelInput] = []
        self.nodes: list[Node] = []
        self.types: dict[int, TensorType] = {}  # what the config says of the tensors it passes
        self.next_tensor = 0

    def tensor(self) -> int:
        self.next_tensor += 1
        return self.next_tensor - 1

    # -- one call

    def operand(self, value: object, tensors: Mapping[tuple, int]) -> object:
        if _is_tensor(value):
            config = value["config"]
            t = tensors[tuple(config["keras_history"])]
            if t not in self.types and isinstance(config.get("shape"), tuple) and isinstance(config.get("dtype"), str):
                self.types[t] = TensorType(tuple(config["shape"][1:]), config["dtype"])
            return TRef(t)
        if isinstance(value, tuple):
            return tuple(self.operand(v, tensors) for v in value)
        if isinstance(value, dict):
            raise ImportRefused(None, f"a call argument {_show(value)} graphdsl cannot write")
        return value

    def call(self, entry: Mapping, path: str, args: tuple, kwargs: Mapping, tensors: Mapping[tuple, int],
             width: int = 1) -> tuple[int, ...]:
        """Add the node(s) of one call of `entry` on `args`; return its output tensors (`width`: how
        many of them the graph reads, for reading the structure only)."""
        name = entry.get("name") or entry.get("config", {}).get("name") or "layer"
        key = f"{path}{name}"
        # Keras records training= for every symbolic call of a layer whose call takes it: False, or
        # the call's own default (True for the augmentation layers); fit and predict override it.
        # Anything else was written by hand.
        kwargs = {k: v for k, v in kwargs.items()
                  if v is not None and not (k == "training" and (v is False or v == _training_default(entry)))}
        if "training" in kwargs:
            raise ImportRefused(key, f"it is called with training={kwargs['training']!r}; graphdsl leaves training "
                                "mode to fit (training) and predict (inference)",
                                help="rebuild the model without the training= argument before importing it")
        if _is_model(entry):
            if kwargs:
                raise ImportRefused(key, f"the nested model is called with {sorted(kwargs)}, which graphdsl cannot "
                                    "write")
            flat = [t for a in args for t in (tensors_of(self.operand(a, tensors)))]
            return self.model(entry, f"{key}/", flat)
        module = str(entry.get("module", ""))
        cls = entry.get("class_name")
        operands = tuple(self.operand(a, tensors) for a in args)
        call_kwargs = tuple((k, self.operand(v, tensors)) for k, v in kwargs.items())
        if module.startswith("keras.src.ops") or module.startswith("keras.ops"):
            op = _OPS.get(cls)
            if op is None or len(operands) != 2 or call_kwargs:
                raise ImportRefused(key, f"keras.ops.{cls} is an operation graphdsl cannot write (it writes + - * / "
                                    "between tensors and numbers)")
            if not any(isinstance(o, TRef) for o in operands) or any(
                    not isinstance(o, (TRef, int, float)) or isinstance(o, bool) for o in operands):
                raise ImportRefused(key, f"keras.ops.{cls} on {_show(args)}: graphdsl's arithmetic takes tensors "
                                    "and numbers")
            out = self.tensor()
            self.nodes.append(Node("op", op, (), 0, operands, (out,), "", name))
            return (out,)
        if self.describe is None:  # the structure only (for matching): classes and operands
            merge_name = MERGE_BY_KERAS_CLASS.get(cls)
            if merge_name is not None and len(operands) == 1 and isinstance(operands[0], tuple):
                operands = operands[0]
            outs = tuple(self.tensor() for _ in range(width))
            self.nodes.append(Node("merge" if merge_name else "layer", merge_name or str(cls), (), 0, operands, outs,
                                   key, name, call_kwargs))
            return outs
        config = entry.get("config") or {}
        merge_name = MERGE_BY_KERAS_CLASS.get(cls) if module.startswith(("keras.layers", "keras.src.layers")) else None
        if merge_name is not None and entry.get("registered_name") in (None, cls):
            merge = get_merge(merge_name)
            margs = self.describe.merge_args(merge, config, key)
            if len(operands) != 1 or not isinstance(operands[0], tuple) or call_kwargs:
                raise ImportRefused(key, f"a {cls} merge is called on a list of tensors")
            out = self.tensor()
            self.nodes.append(Node("merge", merge_name, margs, 0, operands[0], (out,), key, name))
            return (out,)
        spec = self.describe.layer_spec(entry, key)
        largs, positional = self.describe.layer_args(spec, config, key)
        largs = self._unbuilt(spec, largs, operands)
        params = {p.name: p for p in spec.call_params}
        given = [(p.name, v) for p, v in zip(spec.call_params, operands, strict=False)] + list(call_kwargs)
        if len(operands) > len(spec.call_params):
            raise ImportRefused(key, f"{spec.name} is called on {len(operands)} arguments; its call takes "
                                f"{len(spec.call_params)}")
        for pname, _value in given:
            p = params.get(pname)
            if p is None or p.kind.what == "refused":
                reason = p.kind.reason if p is not None else f"{spec.name}'s call takes no argument {pname!r}"
                raise ImportRefused(key, f"its call gives {pname}=, which graphdsl cannot write: {reason}")
        n_out = self.outputs_count(spec, dict(largs), operands, call_kwargs, key)
        outs = tuple(self.tensor() for _ in range(n_out))
        self.nodes.append(Node("layer", spec.name, largs, positional, operands, outs, key, name, call_kwargs))
        return outs

    def _unbuilt(self, spec: Any, args: tuple, operands: tuple) -> tuple:
        """Leave out what Keras writes into a layer's config when it is built on its inputs and
        the same layer, unbuilt, would compute from them: a MultiHeadAttention's `attention_axes`
        (None means every axis between the batch and the features: ``(1,)`` on a sequence)."""
        if spec.name != "MultiHeadAttention" or not operands or not isinstance(operands[0], TRef):
            return args
        query = self.types.get(operands[0].id)
        axes = dict(args).get("attention_axes")
        if query is None or axes is None:
            return args
        axes = tuple(axes) if isinstance(axes, tuple) else (axes,)
        if axes != tuple(range(1, len(query.shape))):
            return args
        return tuple((k, v) for k, v in args if k != "attention_axes")

    def outputs_count(self, spec: Any, args: Mapping, operands: tuple, call_kwargs: tuple, layer: str) -> int:
        """How many tensors the call returns (several: a recurrent layer's states, attention scores),
        by the catalog's own rule on the types the config gives."""
        if not spec.several:
            return 1

        def typed(value: object) -> object:
            if isinstance(value, TRef):
                t = self.types.get(value.id)
                if t is None:
                    raise ImportRefused(layer, "the config does not give the type of a tensor it takes")
                return t
            if isinstance(value, tuple):
                return tuple(typed(v) for v in value)
            return value

        call = {k: typed(v) for k, v in call_kwargs}
        for p, value in zip(spec.call_params, operands, strict=False):
            call.setdefault(p.name, typed(value))
        try:
            return len(spec.outputs(args, call))
        except ShapeError as err:
            raise ImportRefused(layer, f"graphdsl's catalog refuses this call: {err.message}") from None

    # -- models

    def model(self, entry: Mapping, path: str, inputs: list[int] | None) -> tuple[int, ...]:
        """Inline a nested (or the top) model; `inputs` are the tensors it is called on (None at the top)."""
        cls = entry.get("class_name")
        config = entry["config"]
        if cls == "Sequential":
            return self.sequential(config, path, inputs)
        if entry.get("module") not in ("keras.src.models.functional", "keras.models", "keras", "keras.src.models.model"):
            raise ImportRefused(config.get("name"), f"a subclassed model ({cls}): its call is Python code")
        return self.functional(config, path, inputs)

    def sequential(self, config: Mapping, path: str, inputs: list[int] | None) -> tuple[int, ...]:
        layers = list(config.get("layers") or ())
        if layers and layers[0].get("class_name") == "InputLayer":
            first, layers = layers[0], layers[1:]
            if inputs is None:
                inputs = [self.input(first)]
        elif inputs is None:
            shape = config.get("build_input_shape")
            if shape is None:
                raise ImportRefused(config.get("name"), "the Sequential model is not built: it has no input shape",
                                    help="give it a keras.Input(...) first")
            inputs = [self.input({"config": {"name": "input", "batch_shape": shape, "dtype": "float32"}})]
        if len(inputs) != 1:
            raise ImportRefused(config.get("name"), f"a Sequential model called on {len(inputs)} tensors")
        current = (inputs[0],)
        for layer in layers:
            if len(current) != 1:
                raise ImportRefused(layer.get("config", {}).get("name"), "a layer in a Sequential after a layer with "
                                    "several outputs")
            hist = ("__seq__", 0, 0)
            current = self.call(layer, path, (_tensor_dict(hist),), {}, {hist: current[0]})
        return current

    def input(self, entry: Mapping) -> int:
        config = entry.get("config") or {}
        name = config.get("name") or entry.get("name") or "input"
        shape = config.get("batch_shape", config.get("batch_input_shape"))
        dtype = config.get("dtype", "float32")
        if isinstance(dtype, dict):
            dtype = dtype.get("config", {}).get("name", "float32")
        for flag in ("sparse", "ragged", "optional"):
            if config.get(flag):
                raise ImportRefused(name, f"a {flag} input; graphdsl inputs are dense tensors")
        if shape is None:
            raise ImportRefused(name, "the input has no shape")
        shape = tuple(shape)
        if shape[0] is not None:
            raise ImportRefused(name, f"the input has a fixed batch size ({shape[0]}); graphdsl leaves the batch free")
        if dtype not in _INPUT_DTYPES:
            raise ImportRefused(name, f"the input's dtype {dtype} is not one graphdsl declares "
                                f"({', '.join(_INPUT_DTYPES)})")
        if any(d is not None and (not isinstance(d, int) or d < 1) for d in shape[1:]):
            raise ImportRefused(name, f"the input's shape {shape} has a size graphdsl cannot declare")
        t = self.tensor()
        self.types[t] = TensorType(shape[1:], dtype)
        self.inputs.append(ModelInput(t, name, dtype, shape[1:]))
        return t

    def functional(self, config: Mapping, path: str, inputs: list[int] | None) -> tuple[int, ...]:
        entries = {e["name"]: e for e in config["layers"]}
        tensors: dict[tuple, int] = {}
        in_leaves = _leaves(config.get("input_layers"))
        if inputs is not None and len(inputs) != len(in_leaves):
            raise ImportRefused(config.get("name"), f"the nested model takes {len(in_leaves)} inputs, and is called "
                                f"on {len(inputs)}")
        for i, leaf in enumerate(in_leaves):
            entry = entries.get(leaf[0])
            if entry is None or entry.get("class_name") != "InputLayer":
                raise ImportRefused(config.get("name"), f"its input {leaf[0]!r} is not an InputLayer")
            tensors[(leaf[0], 0, 0)] = self.input(entry) if inputs is None else inputs[i]
        done: dict[tuple[str, int], tuple[int, ...]] = {}

        # The tensors an Embedding(mask_zero=True) reads: Keras saves the mask it derives from
        # them (ops.not_equal(ids, 0)) as an explicit mask= of the layers after it, which the
        # rebuilt Embedding gives them again by itself.
        embedded = {tuple(data["args"][0]["config"]["keras_history"]) for e in config["layers"]
                    if e.get("class_name") == "Embedding" and (e.get("config") or {}).get("mask_zero")
                    for data in e.get("inbound_nodes") or () if isinstance(data, dict) and data.get("args")
                    and _is_tensor(data["args"][0])}

        def auto_mask(value: object) -> bool:
            if not _is_tensor(value):
                return False
            h = tuple(value["config"]["keras_history"])
            entry = entries.get(h[0], {})
            if entry.get("class_name") != "NotEqual" or not str(entry.get("module", "")).startswith("keras.src.ops"):
                return False
            made = (entry.get("inbound_nodes") or ())[h[1]] if h[1] < len(entry.get("inbound_nodes") or ()) else {}
            args = made.get("args", ()) if isinstance(made, dict) else ()
            return (len(args) == 2 and _is_tensor(args[0]) and args[1] == 0
                    and tuple(args[0]["config"]["keras_history"]) in embedded)

        def node_data(layer: str, index: int) -> Mapping:
            entry = entries.get(layer)
            if entry is None:
                raise ImportRefused(config.get("name"), f"its graph names a layer {layer!r} it does not have")
            nodes = entry.get("inbound_nodes") or ()
            if not 0 <= index < len(nodes) or not isinstance(nodes[index], dict):
                raise ImportRefused(layer, "its graph is in a format graphdsl does not read (Keras 2?)")
            data = nodes[index]
            kwargs = data.get("kwargs") or {}
            if auto_mask(kwargs.get("mask")):
                data = {**data, "kwargs": {k: v for k, v in kwargs.items() if k != "mask"}}
            return data

        def deps(layer: str, index: int) -> list[tuple[str, int]]:
            data = node_data(layer, index)
            out = []
            for h in _histories(data.get("args", ())) + _histories(data.get("kwargs", {})):
                if (h[0], h[1], h[2]) not in tensors and (h[0], h[1]) not in done:
                    out.append((h[0], h[1]))
            return out

        # A nested functional model starts with a node of its own, which output_layers count and
        # the nodes' arguments do not (Keras's get_config and serialize_node index differently).
        outputs = [(name, i - 1 if entries.get(name, {}).get("class_name") == "Functional" else i, t)
                   for name, i, t in _leaves(config.get("output_layers"))]
        width: dict[tuple[str, int], int] = {}  # how many outputs of each call the graph reads
        for h in [*outputs, *(h for e in config["layers"] for k in range(len(e.get("inbound_nodes") or ()))
                              for data in (node_data(e["name"], k),) for h in _histories(data.get("args", ()))
                              + _histories(data.get("kwargs", {})))]:
            width[(h[0], h[1])] = max(width.get((h[0], h[1]), 1), h[2] + 1)
        for leaf in outputs:
            if (leaf[0], leaf[1], leaf[2]) in tensors:
                continue
            stack = [(leaf[0], leaf[1], False)]
            while stack:
                layer, index, ready = stack.pop()
                if (layer, index) in done:
                    continue
                if not ready:
                    stack.append((layer, index, True))
                    stack.extend((d[0], d[1], False) for d in reversed(deps(layer, index)))
                    continue
                data = node_data(layer, index)
                args = data.get("args", ())
                kwargs = data.get("kwargs", {})
                for h in _histories(args) + _histories(kwargs):
                    if h not in tensors:
                        made = done.get((h[0], h[1]))
                        if made is None or h[2] >= len(made):
                            raise ImportRefused(layer, "its graph refers to a tensor that no layer makes")
                        tensors[h] = made[h[2]]
                done[(layer, index)] = self.call(entries[layer], path, args, kwargs, tensors,
                                                 width.get((layer, index), 1))
        result = []
        for leaf in outputs:
            if leaf not in tensors:
                made = done[(leaf[0], leaf[1])]
                tensors[leaf] = made[leaf[2]]
            result.append(tensors[leaf])
        return tuple(result)


def _tensor_dict(history: tuple) -> dict:
    return {"class_name": "__keras_tensor__", "config": {"keras_history": history}}


def _output_names(entry: Mapping) -> list[str]:
    config = entry["config"]
    if entry.get("class_name") == "Sequential":
        layers = [e for e in config.get("layers") or () if e.get("class_name") != "InputLayer"]
        return [layers[-1].get("config", {}).get("name", "output")] if layers else ["output"]
    structure = config.get("output_layers")
    if isinstance(structure, dict):
        return [str(k) for k in structure]
    return [leaf[0] for leaf in _leaves(structure)]


def read(serialized: Mapping, *, compile: bool = True, source: str = "", structure_only: bool = False
         ) -> ImportedModel:
    """A serialized Keras model (``serialize_keras_object`` / a ``.keras`` file's config.json).

    With `structure_only`, nodes carry Keras class names and operands but no arguments, and
    nothing is checked against the catalog: enough to pair the layers of two models (`match`)."""
    entry = _plain(dict(serialized))
    cls = entry.get("class_name")
    if not isinstance(entry.get("config"), dict) or cls not in _MODEL_CLASSES or "layers" not in entry["config"]:
        what = f"a subclassed model ({cls})" if isinstance(cls, str) else "not a model"
        raise ImportRefused(entry.get("config", {}).get("name") if isinstance(entry.get("config"), dict) else None,
                            f"{what}: graphdsl reads functional and Sequential models, whose graphs are data",
                            help="build the model with the functional API or as a Sequential")
    reader = _Reader(None if structure_only else _Describer())
    outs = reader.model(entry, "", None)
    names = _output_names(entry)
    if len(names) != len(outs):
        names = [f"output_{i + 1}" for i in range(len(outs))]
    outputs = [ModelOutput(n, t) for n, t in zip(names, outs, strict=True)]
    optimizer = None
    training = entry.get("compile_config") if compile and not structure_only else None
    if training:
        outputs, optimizer = _training(reader.describe, training, outputs)
    name = entry["config"].get("name") or "model"
    return ImportedModel(name, tuple(reader.inputs), tuple(reader.nodes), tuple(outputs), optimizer, source)


def _per_output(value: object, names: list[str], what: str) -> list[object]:
    """A compile argument given once, as a list (one per output) or as a dict (by output name)."""
    n = len(names)
    if value is None:
        return [None] * n
    if isinstance(value, dict) and "class_name" not in value:
        unknown = set(value) - set(names)
        if unknown:
            raise ImportRefused(None, f"the compile config gives {what} for outputs the model lacks: {sorted(unknown)}")
        return [value.get(name) for name in names]
    if isinstance(value, tuple):
        if n == 1 and what == "metrics":
            return [value]
        if len(value) != n:
            raise ImportRefused(None, f"the compile config gives {len(value)} {what} for {n} outputs")
        return list(value)
    return [value] * n


def _training(describe: _Describer, cc: Mapping, outputs: list[ModelOutput]) -> tuple[list[ModelOutput], Named]:
    from ..records import replace

    names = [o.name for o in outputs]
    if cc.get("weighted_metrics"):
        raise ImportRefused(None, "the model is compiled with weighted_metrics, which graphdsl cannot write",
                            help="import with compile=False (--no-compile) to leave the training set-up out")
    losses = _per_output(cc.get("loss"), names, "losses")
    weights = _per_output(cc.get("loss_weights"), names, "loss weights")
    metrics = _per_output(cc.get("metrics"), names, "metrics")
    out = []
    for o, loss, weight, ms in zip(outputs, losses, weights, metrics, strict=True):
        named_loss = describe.named("loss", loss, f"loss of output '{o.name}'") if loss is not None else None
        if weight is not None and (isinstance(weight, bool) or not isinstance(weight, (int, float))):
            raise ImportRefused(None, f"the loss weight of output '{o.name}' is {_show(weight)}, not a number")
        ms = ms if isinstance(ms, tuple) else (() if ms is None else (ms,))
        named_metrics = tuple(describe.named("metric", m, f"metric of output '{o.name}'") for m in ms)
        out.append(replace(o, loss=named_loss, weight=None if weight is None else float(weight),
                           metrics=named_metrics))
    raw = cc.get("optimizer")
    optimizer = describe.named("optimizer", raw, "optimizer") if raw is not None else None
    return out, optimizer
