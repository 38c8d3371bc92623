"""Registries of Keras names: losses, metrics, optimizers, activations, initializers,
regularizers and constraints — every accepted spelling, aliases, and keyword arguments.

The names come from `_signatures.py` (generated from Keras); this module adds lookup,
"did you mean", and the facts the checker needs about which loss suits which output. Each
registry is built the first time it is used (`LOSSES`, ... are module attributes made on demand),
so a check pays only for the registries its program needs.
"""

from __future__ import annotations

from graphdsl.catalog import _signatures as sig
from graphdsl.catalog.types import FLOAT_DTYPES, TensorType, fmt_shape
from graphdsl.suggest import suggest as _suggest

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping


class Registry:
    """One family of Keras names (e.g. losses), keyed by every accepted spelling."""

    def __init__(self, kind: str, canonical: Mapping[str, str], classes: Mapping[str, str | None] | None = None,
                 kwargs: Mapping[str, tuple[str, ...]] | None = None):
        self.kind = kind
        self._canonical = canonical
        self._classes = classes or {}
        self._kwargs = kwargs or {}

    def __repr__(self) -> str:
        return f"Registry({self.kind!r})"

    @property
    def names(self) -> frozenset[str]:
        """Every accepted spelling, aliases included."""
        return frozenset(self._canonical)

    def __contains__(self, name: object) -> bool:
        return name in self._canonical

    def canonical(self, name: str) -> str | None:
        """Alias -> canonical Keras name (``mse`` -> ``mean_squared_error``); None if unknown."""
        return self._canonical.get(name)

    def suggest(self, name: str) -> str | None:
        """The spelling a person most probably meant by `name`, or None."""
        return _suggest(name, self._canonical)

    def keyword_args(self, name: str) -> tuple[str, ...] | None:
        """Keyword arguments accepted when `name` is called, e.g. ``label_smoothing``; None if unknown."""
        if name not in self._canonical:
            return None
        return self._kwargs.get(name, ())

    def keras_class(self, name: str) -> str | None:
        """The Keras class to instantiate when `name` is called with arguments, or None."""
        return self._classes.get(name)


def _from_triples(kind: str, table: Mapping[str, tuple]) -> Registry:
    return Registry(
        kind,
        {k: v[0] for k, v in table.items()},
        {k: v[1] for k, v in table.items()},
        {k: tuple(v[2]) for k, v in table.items()},
    )


_MAKERS = {
    "loss": lambda: _from_triples("loss", sig.LOSSES),
    "metric": lambda: _from_triples("metric", sig.METRICS),
    "optimizer": lambda: _from_triples("optimizer", sig.OPTIMIZERS),
    "activation": lambda: Registry("activation", sig.ACTIVATIONS),
    "initializer": lambda: Registry("initializer", sig.INITIALIZERS),
    "regularizer": lambda: Registry("regularizer", sig.REGULARIZERS),
    "constraint": lambda: Registry("constraint", sig.CONSTRAINTS),
}
_ATTRS = {"LOSSES": "loss", "METRICS": "metric", "OPTIMIZERS": "optimizer", "ACTIVATIONS": "activation",
          "INITIALIZERS": "initializer", "REGULARIZERS": "regularizer", "CONSTRAINTS": "constraint"}
_built: dict[str, Registry] = {}


def registry(kind: str) -> Registry:
    """The registry of `kind` (``"loss"``, ``"metric"``, ``"optimizer"``, ``"activation"``,
    ``"initializer"``, ``"regularizer"``, ``"constraint"``), built on first use."""
    reg = _built.get(kind)
    if reg is None:
        reg = _built[kind] = _MAKERS[kind]()
    return reg


def __getattr__(name: str) -> object:
    """``LOSSES``, ``METRICS``, ... and ``REGISTRIES`` (kind -> registry), made on first access."""
    if name in _ATTRS:
        value: object = registry(_ATTRS[name])
    elif name == "REGISTRIES":
        value = {kind: registry(kind) for kind in _MAKERS}
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value

_CROSSENTROPIES = frozenset(
    {
        "binary_crossentropy",
        "binary_focal_crossentropy",
        "categorical_crossentropy",
        "categorical_focal_crossentropy",
        "sparse_categorical_crossentropy",
    }
)
_CATEGORICAL = frozenset({"categorical_crossentropy", "categorical_focal_crossentropy"})
_BINARY = frozenset({"binary_crossentropy", "binary_focal_crossentropy"})


def check_loss_fits(loss: str, out: TensorType, final_activation: str | None) -> str | None:
    """A message if loss `loss` (any spelling) surely does not suit output `out`, else None.

    `final_activation` is the canonical activation of the layer producing `out`, if known
    (``"softmax"``, ``"sigmoid"``, ``None`` for linear/unknown). Only sure mistakes are reported.
    """
    name = registry("loss").canonical(loss) or loss
    if name == "ctc" and (len(out.shape) != 2 or out.shape[-1] is not None and out.shape[-1] < 2):
        return (f"ctc reads an output of shape (batch, steps, classes) with at least 2 classes (class 0 is "
                f"CTC's blank), but the output is {fmt_shape(out)}")
    if name == "circle" and len(out.shape) != 1:
        return (f"circle compares one embedding per sample, an output of shape (batch, features), but the "
                f"output is {fmt_shape(out)}")
    if name not in _CROSSENTROPIES:
        return None
    if out.dtype not in FLOAT_DTYPES:
        return (
            f"{name} needs a floating-point output (probabilities or logits), "
            f"but the output is {out.dtype}"
        )
    if not out.shape:
        return None
    units = out.shape[-1]
    act = registry("activation").canonical(final_activation) if final_activation else None
    if name in _CATEGORICAL and units == 1:
        return (
            f"{name.replace('_', ' ').replace('crossentropy', 'cross-entropy')} needs one unit per "
            f"class, but the output {fmt_shape(out)} has 1 unit; use binary_crossentropy"
        )
    if name == "sparse_categorical_crossentropy" and units == 1:
        return (
            f"sparse categorical cross-entropy needs one unit per class, but the output "
            f"{fmt_shape(out)} has 1 unit; use binary_crossentropy"
        )
    if name in _BINARY and act == "softmax" and units is not None and units > 1:
        return (
            f"{name} treats each of the {units} units as its own yes/no, but the output is a "
            f"softmax over {units} classes; use categorical_crossentropy "
            f"(or sparse_categorical_crossentropy for integer labels)"
        )
    if name in _BINARY and act == "softmax" and units == 1:
        return "a softmax over 1 unit is always 1.0; use activation=\"sigmoid\" with binary_crossentropy"
    return None


# What a loss reads as its targets, which the output's metrics then read too: class ids (one fewer
# axis than the output), label sequences (CTC), or targets shaped like the output.
_IDS_LOSSES = frozenset({"sparse_categorical_crossentropy", "circle"})
_IDS_METRICS = frozenset({"sparse_categorical_accuracy", "sparse_top_k_categorical_accuracy",
                          "sparse_categorical_crossentropy"})
_SPARSE_TRUE_METRICS = frozenset({"io_u", "mean_io_u"})  # class ids unless sparse_y_true=False
_ANY_TARGETS = frozenset({"accuracy"})  # Keras picks the accuracy that suits the loss's targets


def targets_of_loss(loss: str | None) -> str:
    """What loss `loss` (any spelling; None: no loss) trains on: ``"ids"`` (class ids),
    ``"sequences"`` (CTC's label sequences) or ``"like output"``."""
    name = registry("loss").canonical(loss) or loss if loss is not None else None
    if name in _IDS_LOSSES:
        return "ids"
    if name == "ctc":
        return "sequences"
    return "like output"


def targets_of_metric(metric: str, kwargs: Mapping[str, object]) -> str | None:
    """What metric `metric` (any spelling) reads: ``"ids"`` or ``"like output"``; None when it
    takes either (``accuracy``)."""
    name = registry("metric").canonical(metric) or metric
    if name in _ANY_TARGETS:
        return None
    if name in _IDS_METRICS or (name in _SPARSE_TRUE_METRICS and kwargs.get("sparse_y_true", True) is not False):
        return "ids"
    return "like output"


_VECTOR_METRICS = frozenset({"f1_score", "f_beta_score", "r2_score"})  # Keras: "expects 2D inputs"
_WORDS = {"ids": "class ids", "sequences": "label sequences", "like output": "targets shaped like the output"}


def check_metric_fits(metric: str, kwargs: Mapping[str, object], loss: str | None,
                      out: TensorType) -> tuple[str, str, bool] | None:
    """(message, help, whether the loss is to blame too) if metric `metric` cannot judge the
    output: it takes outputs of another rank, or cannot read the targets the output's loss trains
    on (a metric reads the same targets as the loss: Keras fails, or compares unlike things)."""
    name = registry("metric").canonical(metric) or metric
    if name in _VECTOR_METRICS and len(out.shape) != 1:
        return (f"metric {metric} reads outputs of shape (batch, features), but the output is {fmt_shape(out)}",
                "Keras's F1Score, FBetaScore and R2Score take 2-D outputs only; flatten the output, or drop the "
                "metric", False)
    if loss is None:
        return None  # no loss: the targets are whatever fit is given
    wants = targets_of_metric(metric, kwargs)
    has = targets_of_loss(loss)
    if has == "sequences":
        return (f"metric {metric} cannot read the label sequences loss {loss} trains on",
                "Keras's metrics compare targets with predictions value by value; drop the metric", True)
    if wants is None or wants == has:
        return None
    message = f"metric {metric} reads {_WORDS[wants]}, but loss {loss} trains on {_WORDS[has]}"
    twin = _TWINS.get(name) if has == "ids" else next((k for k, v in _TWINS.items() if v == name), None)
    help_ = f"a metric reads the loss's targets; the output is {fmt_shape(out)}"
    if name in _SPARSE_TRUE_METRICS and has == "like output":
        help_ += f"; for one-hot targets write {metric}(..., sparse_y_true=False)"
    elif twin:
        help_ += f"; use {twin}"
    elif has == "ids":
        help_ += "; use accuracy, or a loss that trains on targets shaped like the output"
    return message, help_, True


_TWINS = {"categorical_accuracy": "sparse_categorical_accuracy",
          "top_k_categorical_accuracy": "sparse_top_k_categorical_accuracy",
          "categorical_crossentropy": "sparse_categorical_crossentropy"}
