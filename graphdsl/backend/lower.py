"""Lowering: a checked `Graph` -> a (compiled) Keras 3 functional model, and saving it safely.

This is the only module of graphdsl that touches Keras or TensorFlow. It imports them on first use
rather than at module load, for one reason: TensorFlow writes C++ start-up noise to stderr while it
is imported, and `quiet_tensorflow()` (which lives here, beside the import it quiets) must be able
to run before that import. Nothing else in graphdsl imports this module at import time.

Everything is built from the graph's facts and nothing else: one ``keras.Input`` per input, one
``keras.layers`` object per `Layer` (a `layer` declaration is one object applied at every place it
is named), the ops in the graph's order, and the outputs in declaration order. A layer on several
tensors is called as the program wrote it (``layer(q, v)``, ``layer(emb, initial_state=[h, c])``),
a layer with several outputs gives each its tensor, and tensor arithmetic (`MathOp`) is the same
Python operator on Keras tensors, so Keras makes the op node a hand-written model has. Layer classes are
taken by name from the module their catalog descriptor names (``keras.layers``, or for the two
keras.applications layers their Keras module), initializers, regularizers and constraints given by
class from ``keras.initializers`` / ``regularizers`` / ``constraints``; no Python is evaluated, no
``Lambda``, no custom objects: every model loads with ``safe_mode=True``.
After building, `cross_check` compares what Keras made with what check inferred; a difference is
a graphdsl bug and raises `InternalError`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import warnings
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ..catalog import MERGE_BY_KERAS_CLASS, LayerValue, ObjectValue, get_layer, get_merge
from ..catalog.names import LOSSES, METRICS, OPTIMIZERS, Registry
from ..catalog.types import FLOAT_DTYPES
from ..fileio import replacing
from ..graph import ApplyOp, Graph, Layer, LossSpec, MathOp, op_outputs

if TYPE_CHECKING:  # pragma: no cover - typing only
    import keras

    from ..source import SourceFile

__all__ = [
    "InternalError",
    "build_model",
    "compile_model",
    "cross_check",
    "quiet_tensorflow",
    "save_atomic",
    "strategy_from_name",
]

STRATEGIES = ("mirrored",)


class InternalError(Exception):
    """Keras disagrees with what graphdsl inferred: a bug in graphdsl, never in the user's program."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            "internal error: the built Keras model differs from what graphdsl checked "
            f"(this is a bug in graphdsl, please report it):\n{lines}"
        )


# --- TensorFlow start-up -------------------------------------------------------------------------


@contextlib.contextmanager
def _stderr_muted() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null: TensorFlow's C++ logging bypasses Python's sys.stderr."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real stderr (embedded interpreter): nothing to mute
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


class quiet_tensorflow:  # noqa: N801 - used like a function: ``with quiet_tensorflow(): ...``
    """Keep TensorFlow's start-up and logging noise off the terminal (unless `enabled` is False).

    Creating it does the set-up, so call it before anything imports TensorFlow (the CLI does,
    unless ``--verbose``): sets ``TF_CPP_MIN_LOG_LEVEL=3``, imports TensorFlow and Keras with
    stderr muted (absl's C++ logger prints "Could not find cuda drivers" even at level 3), and
    lowers the Python loggers of TensorFlow and absl to errors. Used as a context manager it also
    ignores Python warnings (Keras's UserWarnings) inside the block.
    """

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self._warnings: Any = None
        if enabled:
            _quiet_setup()

    def __enter__(self) -> quiet_tensorflow:
        if self.enabled:
            self._warnings = warnings.catch_warnings()
            self._warnings.__enter__()
            warnings.simplefilter("ignore")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._warnings is not None:
            self._warnings.__exit__(*exc)
            self._warnings = None


def _quiet_setup() -> None:
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    if "tensorflow" not in sys.modules:
        with _stderr_muted():
            import keras  # noqa: F401
            import tensorflow  # noqa: F401
    import tensorflow as tf

    tf.get_logger().setLevel(logging.ERROR)
    tf.autograph.set_verbosity(0)
    logging.getLogger("absl").setLevel(logging.ERROR)
    with contextlib.suppress(ImportError):
        from absl import logging as absl_logging

        absl_logging.set_verbosity(absl_logging.ERROR)


def strategy_from_name(name: str) -> Any:
    """The `tf.distribute` strategy for a command-line name; only ``mirrored`` for now."""
    import tensorflow as tf

    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    raise ValueError(f"unknown distribution strategy {name!r}; expected one of: {', '.join(STRATEGIES)}")


# --- building ------------------------------------------------------------------------------------


def _keras_class(module: str, name: str) -> type:
    """The Keras class `name` of `module` (a catalog descriptor's)."""
    import importlib

    cls = getattr(importlib.import_module(module), name, None)
    if not isinstance(cls, type):
        raise InternalError([f"{module}.{name} is not a Keras class"])
    return cls


def _keras_value(value: object) -> object:
    """A checked argument value as Keras takes it: a layer or a Keras object given as an argument
    (``Bidirectional(LSTM(8))``, ``kernel_regularizer=L2(1e-4)``) becomes that object."""
    if isinstance(value, (LayerValue, ObjectValue)):
        return _keras_class(value.spec.module, value.spec.name)(**_kwargs_of(value.spec, value.args))
    if isinstance(value, tuple):
        return tuple(_keras_value(v) for v in value)
    return value


def _kwargs_of(spec: Any, args: Mapping[str, object]) -> dict:
    kwargs = spec.keras_kwargs(args) if spec is not None else dict(args)
    return {k: _keras_value(v) for k, v in kwargs.items()}


def _make_layer(layer: Layer) -> keras.layers.Layer:
    import keras

    spec: Any = get_layer(layer.class_name)
    if spec is None and layer.class_name in MERGE_BY_KERAS_CLASS:
        spec = get_merge(MERGE_BY_KERAS_CLASS[layer.class_name])
    if spec is None:
        raise InternalError([f"layer {layer.name!r}: {layer.class_name!r} is not in the catalog"])
    cls = _keras_class(spec.module, layer.class_name)
    if not issubclass(cls, keras.layers.Layer):
        raise InternalError([f"layer {layer.name!r}: {layer.class_name!r} is not a Keras layer"])
    return cls(**_kwargs_of(spec, layer.args), name=layer.name)


def _make_named(registry: Registry, spec: LossSpec, module: Any) -> object:
    """A loss, metric or optimizer: its canonical name, or its class called with the keyword
    arguments as Keras takes them (floats where floats are meant, lists where lists are)."""
    from ..catalog.compile_args import compile_spec

    cls_name = registry.keras_class(spec.name) or registry.keras_class(spec.written)
    cspec = compile_spec(registry.kind, cls_name)
    if not spec.kwargs and (cspec is None or not any(p.required for p in cspec.params)):
        return spec.name
    if cls_name is None or cspec is None:
        raise InternalError([f"{registry.kind} {spec.written!r} takes no arguments in Keras"])
    return getattr(module, cls_name)(**cspec.keras_kwargs(spec.kwargs))


def compile_model(graph: Graph, model: keras.Model) -> None:
    """Compile `model` as the program says: optimizer, and per-output loss, weight and metrics.

    Keras 3 wants every output in the loss and loss-weight dicts, so an output without a loss
    gets ``None`` in both (its targets must still be given to `fit`, as Keras requires).
    """
    import keras

    optimizer = _make_named(OPTIMIZERS, graph.optimizer, keras.optimizers)
    if isinstance(optimizer, str):
        optimizer = keras.optimizers.get(optimizer)
    loss = {}
    weights = {}
    metrics = {}
    for out in graph.outputs:
        loss[out.name] = None if out.loss is None else _make_named(LOSSES, out.loss, keras.losses)
        weights[out.name] = None if out.loss is None else float(out.weight)
        if out.metrics:
            metrics[out.name] = [_make_named(METRICS, m, keras.metrics) for m in out.metrics]
    model.compile(optimizer=optimizer, loss=loss, loss_weights=weights, metrics=metrics or None)
    # Build the optimizer's slots now. Keras builds them when it loads a compiled model; had we
    # saved an unbuilt optimizer (2 variables), loading would warn "Skipping variable loading for
    # optimizer ..., because it has N variables whereas the saved optimizer has 2 variables".
    model.optimizer.build(model.trainable_variables)


def _build(graph: Graph, compile: bool) -> tuple[keras.Model, dict[str, Any]]:
    import keras

    tensors: dict[str, Any] = {}
    inputs = []
    for inp in graph.inputs:
        t = keras.Input(shape=inp.type.shape, dtype=inp.type.dtype, name=inp.name)
        tensors[inp.tensor] = t
        inputs.append(t)
    layers = {name: _make_layer(layer) for name, layer in graph.layers.items()}
    for op in graph.ops:
        if type(op) is MathOp:
            tensors[op.tensor] = _arithmetic(op, tensors)
            continue
        if op.call:  # a call on several tensors, as written
            args, kwargs = [], {}
            for a in op.call:
                if a.tensors:
                    value = [tensors[t] for t in a.tensors] if a.listed else tensors[a.tensors[0]]
                else:
                    value = a.value
                if a.positional:
                    args.append(value)
                else:
                    kwargs[a.param] = value
            result = layers[op.layer](*args, **kwargs)
        else:
            ins = [tensors[i] for i in op.inputs]
            result = layers[op.layer](ins if op.merge else ins[0])
        if op.more:
            for (tensor_id, _t), tensor in zip(op_outputs(op), result, strict=True):
                tensors[tensor_id] = tensor
        else:
            tensors[op.tensor] = result
    outputs: Any = [tensors[out.tensor] for out in graph.outputs]
    if len(outputs) == 1:
        # Keras 3 cannot match targets keyed by name to a single list (or bare) output: it tries
        # to convert the dict itself. A one-entry dict output keeps `fit(x, {"name": y})` working.
        # (Several outputs stay a list: a dict would be flattened in sorted order, not ours.)
        outputs = {graph.outputs[0].name: outputs[0]}
    model = keras.Model(inputs=inputs, outputs=outputs, name=graph.model_name)
    if compile:
        compile_model(graph, model)
    return model, tensors


def _arithmetic(op: MathOp, tensors: Mapping[str, Any]) -> Any:
    """The same Python operator on Keras tensors (and numbers) as the program wrote."""
    left = tensors[op.left] if isinstance(op.left, str) else op.left
    if op.op == "neg":
        return -left
    right = tensors[op.right] if isinstance(op.right, str) else op.right
    if op.op == "+":
        return left + right
    if op.op == "-":
        return left - right
    if op.op == "*":
        return left * right
    if op.op == "/":
        return left / right
    raise InternalError([f"unknown arithmetic operator {op.op!r}"])


def build_model(
    graph: Graph, *, compile: bool = True, strategy: Any = None, source: SourceFile | None = None
) -> keras.Model:
    """Build (and by default compile) the Keras functional model of a checked graph.

    With a `tf.distribute` strategy, every input, layer, the model and the compile are created
    inside ``strategy.scope()``. The result is cross-checked against the graph: a difference raises
    `InternalError` (with source locations when `source` is given).
    """
    scope = strategy.scope() if strategy is not None else contextlib.nullcontext()
    with scope:
        model, tensors = _build(graph, compile)
    problems = _cross_check(graph, model, tensors, source)
    if problems:
        raise InternalError(problems)
    return model


# --- cross-check ---------------------------------------------------------------------------------


def _where(source: SourceFile | None, span: Any) -> str:
    if source is None:
        return f"at offset {span.start}"
    loc = source.location(span.start)
    return f"at {source.name}:{loc.line}:{loc.column}"


def _shape_str(shape: tuple) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + (",)" if len(shape) == 1 else ")")


def symbolic_float(keras_dtype: str, inferred: str, passed: str | None) -> bool:
    """True where Keras's symbolic tensor says float32 but the layer passes its integer or bool
    input through when data flows (padding, cropping, max pooling, relu, ...): Keras declares its
    compute dtype for a layer with its own ``compute_output_spec``; the catalog says what the model
    computes, which is what `predict` returns."""
    return keras_dtype == "float32" and inferred == passed and inferred not in FLOAT_DTYPES


def _cross_check(graph: Graph, model: Any, tensors: Mapping[str, Any], source: SourceFile | None) -> list[str]:
    problems: list[str] = []
    by_name = {layer.name: layer for layer in model.layers}

    def compare(what: str, span: Any, t: Any, expected: Any, passed: str | None = None) -> None:
        shape = tuple(t.shape)
        want = expected.keras_shape()
        if shape != want:
            problems.append(
                f"{what} {_where(source, span)}: Keras made shape {_shape_str(shape)}, check inferred {_shape_str(want)}"
            )
        if str(t.dtype) != expected.dtype and not symbolic_float(str(t.dtype), expected.dtype, passed):
            problems.append(
                f"{what} {_where(source, span)}: Keras made dtype {t.dtype}, check inferred {expected.dtype}"
            )

    for inp in graph.inputs:
        compare(f"input {inp.name!r}", inp.span, tensors[inp.tensor], inp.type)
    for op in graph.ops:
        what = f"layer {op.layer!r}" if type(op) is ApplyOp else f"arithmetic {op.op!r}"
        passed = graph.tensors[op.inputs[0]].dtype if type(op) is ApplyOp and op.inputs else None
        for tensor_id, t in op_outputs(op):
            compare(f"{what} (tensor {tensor_id!r})", op.span, tensors[tensor_id], t, passed)
    for name, layer in graph.layers.items():
        keras_layer = by_name.get(name)
        if keras_layer is None:  # a layer never applied is not part of the Keras model
            problems.append(f"layer {name!r} {_where(source, layer.span)}: not in the Keras model")
            continue
        got = keras_layer.count_params()
        if got != layer.params:
            problems.append(
                f"layer {name!r} {_where(source, layer.span)}: Keras counts {got:,} parameters, check inferred {layer.params:,}"
            )
    total = model.count_params()
    if total != graph.param_count:
        problems.append(
            f"model {graph.model_name!r}: Keras counts {total:,} parameters, check inferred {graph.param_count:,}"
        )
    return problems


def cross_check(graph: Graph, model: keras.Model, source: SourceFile | None = None) -> list[str]:
    """Compare a built model with the graph: every tensor's shape and dtype, every layer's parameters.

    Returns one message per difference, naming the layer and its source location; empty if they agree.
    """
    from ..catalog.arith import KERAS_OPS

    by_name = {layer.name: layer for layer in model.layers}
    tensors: dict[str, Any] = {}
    for inp in graph.inputs:
        tensors[inp.tensor] = by_name[inp.name].output
    # the op nodes of tensor arithmetic have no names of ours: found by their inputs and class
    nodes: dict[tuple, list] = {}
    for operation in model.operations:
        if operation.name in by_name:
            continue
        for node in operation._inbound_nodes:
            key = (type(operation).__name__, tuple(id(t) for t in node.input_tensors))
            nodes.setdefault(key, []).append(node)
    applied: dict[str, int] = {}
    for op in graph.ops:
        if type(op) is MathOp:
            key = (KERAS_OPS[op.op], tuple(id(tensors[t]) for t in op.inputs))
            candidates = nodes.get(key)
            if not candidates:
                return [f"arithmetic {op.op!r} (tensor {op.tensor!r}) {_where(source, op.span)}: not in the Keras model"]
            tensors[op.tensor] = candidates.pop(0).output_tensors[0]
            continue
        # A shared layer has one node per application, in the order the ops apply it.
        index = applied.get(op.layer, 0)
        applied[op.layer] = index + 1
        outputs = by_name[op.layer]._inbound_nodes[index].output_tensors
        for (tensor_id, _t), tensor in zip(op_outputs(op), outputs, strict=False):
            tensors[tensor_id] = tensor
    return _cross_check(graph, model, tensors, source)


# --- saving ------------------------------------------------------------------------------------


def save_atomic(model: keras.Model, path: str | os.PathLike[str]) -> None:
    """Save `model` as a ``.keras`` file at `path`, atomically (`graphdsl.fileio.replacing`).

    Keras writes a temporary file in the target folder (its name ends in ``.keras``, as Keras
    insists), which is then renamed over `path`. On any failure, Ctrl-C or SIGTERM the temporary
    file is removed and an existing file at `path` is left byte-identical.
    """
    with replacing(path, suffix=".keras") as tmp:
        model.save(tmp, overwrite=True)
