"""The memory budget: what training the model will hold in memory, against what the machine has.

`estimate` reads the checked graph and the registries (the layers' parameter counts, the
optimizer's and metrics' specs in `catalog.compile_args`) and adds up, before anything is
allocated:

- **weights**: every parameter, 4 bytes (Keras's float32), except what a layer's descriptor says
  otherwise (a Normalization's int64 count);
- **gradients**: one float per trainable weight, alive during each training step;
- **optimizer slots**: the copies of each trainable weight the optimizer keeps (Adam 2, AMSGrad 3,
  RMSprop 1 and one more for momentum and for ``centered``, SGD 1 with momentum and 0 without,
  Adagrad 1, ...; one more with ``use_ema`` and with ``gradient_accumulation_steps``), and its
  scalars (the iteration count, the learning rate);
- **metric state**: AUC keeps four float counters per threshold (and per label with
  ``multi_label``), an IoU a ``num_classes`` x ``num_classes`` int64 confusion matrix, F1 four
  floats per unit, a mean two floats;
- **initialization**: an ``orthogonal`` initializer makes a random matrix and its QR factors
  beside the weight it fills, for one weight at a time: the largest such workspace is counted
  (at most twice the layer's weights).

Weights, slots and metric state are what Keras allocates, to the byte, for every optimizer and
metric but two (Adafactor and Muon, counted at an upper bound: at most one weight's worth more
than they keep); ``tests/keras/test_compile_args_keras.py`` holds the estimate to Keras. What it
cannot know is the memory of activations, which grows with the batch: the estimate is the part
that no batch size can shrink, so a model over the budget cannot train on this machine at all.

`check_memory` compares the total with the budget: by default the machine's memory (`machine_memory`:
``os.sysconf``, else ``/proc/meminfo``, lowered to a container's cgroup limit), or ``max_memory``.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping

from .. import catalog
from ..catalog.compile_args import Output, compile_spec
from ..diagnostics import Diagnostic, Label, Severity
from ..graph import Graph, Layer
from ..records import Record, record

FLOAT_BYTES = 4  # Keras's default dtype, float32, for gradients and slots (weights: as each descriptor says)
_OPTIMIZER_SCALARS = 8 + 4  # the iteration count (int64) and the learning rate (float32)


@record(slots=True)
class MemoryEstimate(Record):
    """Bytes a model holds while it trains (activations aside): see the module's docstring."""

    weights: int
    gradients: int
    optimizer: int
    metrics: int
    initializer: int
    params: int
    trainable_params: int
    optimizer_name: str
    slots: int  # optimizer slots per trainable weight

    @property
    def total(self) -> int:
        return self.weights + self.gradients + self.optimizer + self.metrics + self.initializer

    def parts(self) -> list[tuple[str, int]]:
        """(what, bytes) for each part, in the order they are listed."""
        return [
            ("weights", self.weights),
            ("gradients", self.gradients),
            (f"{self.optimizer_name}'s slots", self.optimizer),
            ("metric state", self.metrics),
            ("initialization", self.initializer),
        ]

    def summary(self) -> str:
        """One line: the total and its non-zero parts."""
        parts = ", ".join(f"{what} {human(n)}" for what, n in self.parts() if n)
        return f"about {human(self.total)} to train ({parts})"


def human(n: int) -> str:
    """Bytes in binary units, 3 significant digits: 512 B, 1.50 KiB, 9.31 GiB."""
    if n < 1024:
        return f"{n} B"
    value = float(n)
    for unit in ("KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
        value /= 1024
        if value < 1024 or unit == "EiB":
            return f"{value:.3g} {unit}" if value < 1000 else f"{value:,.0f} {unit}"
    raise AssertionError("unreachable")


# ---- the parts -------------------------------------------------------------------------------


def layer_weights(layer: Layer) -> tuple[int, int]:
    """(parameters the optimizer updates, bytes of all the weights) of one layer, as its catalog
    descriptor says (a BatchNormalization's moving statistics are not trained, a Normalization
    keeps an int64 count, a layer built with trainable=False trains nothing)."""
    if not layer.params:
        return 0, 0
    spec = catalog.get_layer(layer.class_name)
    if spec is None:  # pragma: no cover - merges have no weights; every other layer has a descriptor
        return layer.params, FLOAT_BYTES * layer.params
    return spec.weights(layer.args, layer.params)


def trainable(layer: Layer) -> int:
    """Parameters the optimizer updates (see `layer_weights`)."""
    return layer_weights(layer)[0]


@functools.cache
def _initializer_params(spec_name: str) -> tuple[tuple[str, object], ...]:
    """(name, default) of a layer's initializer arguments."""
    spec = catalog.get_layer(spec_name)
    return tuple((p.name, p.default) for p in spec.params if p.name.endswith("_initializer")) if spec else ()


def _is_orthogonal(value: object) -> bool:
    """An orthogonal initializer, by name (Keras's only spelling of it) or as a class
    (``Orthogonal(gain=2.0)``); deciding this loads no registry, so a check stays lazy."""
    if isinstance(value, str):
        return value == "orthogonal"
    return isinstance(value, catalog.ObjectValue) and value.spec.name in ("Orthogonal", "OrthogonalInitializer")


def _orthogonal_args(spec_name: str, args: Mapping[str, object]) -> bool:
    """Does a layer (or a layer given to it, like Bidirectional's) initialize with orthogonal?"""
    for name, default in _initializer_params(spec_name):
        value = args.get(name, default)
        if _is_orthogonal(value):
            return True
    return any(isinstance(v, catalog.LayerValue) and _orthogonal_args(v.spec.name, v.args) for v in args.values())


def _initializer_workspace(graph: Graph) -> int:
    """The largest orthogonal initialization: a random matrix and its Q factor beside the
    weight, at most the layer's own size each."""
    largest = 0
    for layer in graph.layers.values():
        if layer.params and _orthogonal_args(layer.class_name, layer.args):
            largest = max(largest, 2 * layer.params * FLOAT_BYTES)
    return largest


def _metric_state(graph: Graph) -> tuple[int, list[tuple[int, object]]]:
    """Bytes of every metric's state, and (bytes, span) of each, largest first."""
    total = 0
    each = []
    for out in graph.outputs:
        for m in out.metrics:
            cls = catalog.METRICS.keras_class(m.name) or catalog.METRICS.keras_class(m.written)
            spec = compile_spec("metric", cls)
            if spec is None:  # accuracy, crossentropy: a mean (a total and a count)
                n = 2 * FLOAT_BYTES
            else:
                n = spec.state_bytes(spec.with_defaults(m.kwargs), Output(out.type))
            total += n
            each.append((n, m.span or out.span, m.written))
    each.sort(key=lambda item: -item[0])
    return total, each


def optimizer_slots(graph: Graph) -> tuple[int, int]:
    """(slots per trainable weight, fixed bytes) of the graph's optimizer."""
    opt = graph.optimizer
    spec = compile_spec("optimizer", catalog.OPTIMIZERS.keras_class(opt.name))
    if spec is None or spec.slots is None:  # pragma: no cover - every optimizer has a spec
        return 2, _OPTIMIZER_SCALARS
    fixed = _OPTIMIZER_SCALARS + (FLOAT_BYTES if spec.keras_class == "Nadam" else 0)  # Nadam's u_product
    return spec.slots(spec.with_defaults(opt.kwargs), Output()), fixed


def estimate(graph: Graph) -> MemoryEstimate:
    """What training `graph`'s model holds in memory, before any of it is allocated."""
    params = graph.param_count
    each = [layer_weights(layer) for layer in graph.layers.values()]
    train = sum(t for t, _ in each)
    slots, fixed = optimizer_slots(graph)
    metrics, _ = _metric_state(graph)
    return MemoryEstimate(
        weights=sum(n for _, n in each),
        gradients=train * FLOAT_BYTES,
        optimizer=slots * train * FLOAT_BYTES + fixed,
        metrics=metrics,
        initializer=_initializer_workspace(graph),
        params=params,
        trainable_params=train,
        optimizer_name=graph.optimizer.written,
        slots=slots,
    )


# ---- the machine -----------------------------------------------------------------------------


def _read_int(path: str) -> int | None:
    try:
        with open(path, encoding="ascii") as fh:
            text = fh.read().strip()
    except (OSError, ValueError):
        return None
    return int(text) if text.isdigit() else None  # "max" (no limit) is not a number


@functools.lru_cache(maxsize=1)
def machine_memory() -> int | None:
    """This machine's memory in bytes (a container's limit, if lower); None if it can't be read."""
    total = None
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        pass
    if not total:
        try:
            with open("/proc/meminfo", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("MemTotal:"):
                        total = int(line.split()[1]) * 1024
                        break
        except (OSError, ValueError, IndexError):
            total = None
    for limit_file in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        limit = _read_int(limit_file)
        if limit is not None and (total is None or limit < total):
            total = limit
    return total or None


def check_memory(graph: Graph, max_memory: int | None) -> tuple[MemoryEstimate, list[Diagnostic]]:
    """The estimate, and GD0207 when it exceeds `max_memory` (None: the machine's memory)."""
    est = estimate(graph)
    budget, whose = max_memory, "the budget"
    if budget is None:
        budget, whose = machine_memory(), "this machine's memory"
    if budget is None or est.total <= budget:
        return est, []
    parts = ", ".join(f"{what} {human(n)}" for what, n in est.parts() if n)
    labels = []
    span = None
    layers = sorted(graph.layers.values(), key=lambda layer: -layer.params)
    _, metrics = _metric_state(graph)
    # blame what to shrink: a metric whose state is the largest part, an optimizer whose slots
    # outweigh the weights and their gradients, else the largest layer (weights drive both)
    if metrics and metrics[0][0] >= max(n for _, n in est.parts()):
        n, span, written = metrics[0]
        labels.append(Label(span, f"{written} keeps {human(n)} of state"))
    elif est.slots * est.trainable_params > est.params + est.trainable_params and graph.optimizer.span is not None:
        span = graph.optimizer.span
        labels.append(Label(span, f"{est.slots} slot{'s' if est.slots != 1 else ''} per weight: {human(est.optimizer)}"))
    elif layers and layers[0].params:
        span = layers[0].span
        labels.append(Label(span, f"the largest layer: {layers[0].params:,} parameters, "
                                  f"{human(layers[0].params * FLOAT_BYTES)}"))
    message = (f"training this model needs about {human(est.total)} ({parts}), more than {whose} "
               f"of {human(budget)}")
    diag = Diagnostic("GD0207", Severity.ERROR, message, span, tuple(labels),
                      help="shrink the largest part, or set the budget (--max-memory / max_memory=)")
    return est, [diag]
