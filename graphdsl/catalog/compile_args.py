"""Keyword arguments of losses, metrics and optimizers: what each accepts, checked without Keras.

``loss huber(delta=2.0)``, ``metrics [auc(num_thresholds=50)]``, ``optimizer adam(learning_rate=1e-3)``:
the names and defaults of each Keras class's arguments are generated from Keras
(`_compile_signatures.py`, by ``scripts/gen_catalog.py``); what each argument accepts — its kind — is
written here by hand, one `CompileSpec` per class, with the rules that tie arguments together
(``num_labels`` needs ``multi_label=True``) or to the output they judge (a ``class_id`` below the
number of units, an ``axis`` the output has, no axis twice).

Every accepted argument is one Keras keeps and trains with. Some are refused because Keras would
silently change them or fail, found by building, training, saving and reloading each with
``safe_mode=True`` (``tests/keras/test_compile_args_keras.py`` holds that to the installed Keras):

- ``huber(delta=...)``: `Huber.get_config` drops ``delta``; the model reloads with ``delta=1.0``.
- ``cosine_similarity(axis=...)`` (the loss and the metric) and
  ``sparse_categorical_crossentropy(axis=...)`` (the loss): ``axis`` is not saved; it reloads as -1.
- ``auc(label_weights=...)``: saved as a tensor that ``load_model`` cannot turn back into one (the
  file does not load at all).
- ``r2_score(num_regressors=...)`` other than 0: the adjusted score tests a tensor in a Python
  ``if``, which fails inside a compiled ``fit``.
- ``mean`` and ``sum``: metrics of values, not of (targets, predictions): compile cannot use them.
- the IoU metrics: ``sparse_y_pred`` must be False (a graphdsl output holds scores, not class ids),
  ``axis`` must be -1, ``num_classes`` at least the output's units.
- a loss's or metric's ``axis`` may not be the batch axis (the cross-entropies fail across it).

Each spec also says what its object costs in memory, for the budget (`passes/budget.py`): a metric's
state (AUC keeps four counters per threshold; an IoU a confusion matrix of ``num_classes`` squared)
and an optimizer's slots per trainable weight (Adam two, SGD with momentum one, ...).

Values arrive as program constants (lists as tuples). `keras_kwargs` turns them into what Keras
takes: an integer where a float is meant becomes a float (Keras refuses ``learning_rate=1``), a
tuple where Keras wants a list becomes a list (``thresholds=(0.3, 0.7)``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from graphdsl.catalog._compile_signatures import SIGNATURES
from graphdsl.catalog.types import REQUIRED, TensorType, fmt_value

__all__ = ["CompileParam", "CompileSpec", "Output", "compile_spec", "specs"]


# ---- kinds ---------------------------------------------------------------------------------------


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


class ArgKind:
    """What one argument accepts. `check` returns None or the reason for refusing; `to_keras` makes
    an accepted value what Keras takes. Kinds describe themselves well enough (ranges, choices)
    for a test to draw valid values from them."""

    name = "a value"

    def check(self, value: object) -> str | None:
        return None

    def to_keras(self, value: object) -> object:
        return value

    def expected(self, value: object) -> str:
        return f"expected {self.name}, got {fmt_value(value)}"


class Real(ArgKind):
    """A number in a range; an integer is taken as the float it means (Keras wants floats)."""

    def __init__(self, low: float | None = None, high: float | None = None, *, low_open: bool = False,
                 high_open: bool = False):
        self.low, self.high, self.low_open, self.high_open = low, high, low_open, high_open
        if low is None and high is None:
            self.name = "a number"
        elif high is None:
            self.name = f"a number {'>' if low_open else '>='} {low:g}"
        elif low is None:
            self.name = f"a number {'<' if high_open else '<='} {high:g}"
        else:
            self.name = f"a number in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"

    def check(self, value: object) -> str | None:
        if not _is_num(value):
            return self.expected(value)
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            return self.expected(value)
        if self.high is not None and (value > self.high or (self.high_open and value == self.high)):
            return self.expected(value)
        return None

    def to_keras(self, value: object) -> object:
        return float(value)  # type: ignore[arg-type]


class Integer(ArgKind):
    def __init__(self, low: int | None = None, high: int | None = None):
        self.low, self.high = low, high
        self.name = ("an integer" if low is None else f"an integer >= {low}") if high is None \
            else f"an integer in [{low}, {high}]"

    def check(self, value: object) -> str | None:
        if not _is_int(value):
            return self.expected(value)
        if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
            return self.expected(value)
        return None


class Flag(ArgKind):
    name = "True or False"

    def check(self, value: object) -> str | None:
        return None if isinstance(value, bool) else self.expected(value)


class OneOf(ArgKind):
    def __init__(self, *choices: str):
        self.choices = choices
        self.name = "one of " + ", ".join(fmt_value(c) for c in choices)

    def check(self, value: object) -> str | None:
        return None if isinstance(value, str) and value in self.choices else self.expected(value)


class Maybe(ArgKind):
    """`kind`, or None (Keras's "not given")."""

    def __init__(self, kind: ArgKind):
        self.kind = kind
        self.name = f"{kind.name} or None"

    def check(self, value: object) -> str | None:
        if value is None:
            return None
        return None if self.kind.check(value) is None else self.expected(value)

    def to_keras(self, value: object) -> object:
        return None if value is None else self.kind.to_keras(value)


class Several(ArgKind):
    """A non-empty tuple of `item`s (Keras wants a list), optionally without repeats; with
    `single`, one item alone is accepted too (``thresholds=0.5``)."""

    def __init__(self, item: ArgKind, *, unique: bool = False, single: bool = False):
        self.item, self.unique, self.single = item, unique, single
        self.name = (f"{item.name} or " if single else "") + f"a tuple of {'distinct ' if unique else ''}" \
            + item.name.replace("a number", "numbers").replace("an integer", "integers").replace("a string", "strings")

    def check(self, value: object) -> str | None:
        if self.single and not isinstance(value, tuple):
            return None if self.item.check(value) is None else self.expected(value)
        if not isinstance(value, tuple) or not value or any(self.item.check(v) is not None for v in value):
            return self.expected(value)
        if self.unique and len(set(value)) != len(value):
            return f"expected {self.name}, got {fmt_value(value)} (a repeated value)"
        return None

    def to_keras(self, value: object) -> object:
        if not isinstance(value, tuple):
            return self.item.to_keras(value)
        return [self.item.to_keras(v) for v in value]


class Text(ArgKind):
    name = "a string"

    def check(self, value: object) -> str | None:
        return None if isinstance(value, str) and value else self.expected(value)


class Axis(ArgKind):
    """An axis of the output (the batch axis is 0), or with `several` a tuple of distinct axes;
    with `optional`, None (all axes)."""

    def __init__(self, *, several: bool = False, optional: bool = False):
        self.several, self.optional = several, optional
        self.name = "an axis (an integer)" + (" or a tuple of axes" if several else "") + (" or None" if optional else "")

    def check(self, value: object) -> str | None:
        if value is None and self.optional:
            return None
        if _is_int(value):
            return None
        if self.several and isinstance(value, tuple) and value and all(_is_int(a) for a in value):
            return None
        return self.expected(value)

    def to_keras(self, value: object) -> object:
        return list(value) if isinstance(value, tuple) else value


class Kept(ArgKind):
    """An argument whose only working value is Keras's default: Keras does not keep any other in
    a saved model (it would reload differently), or cannot train with it; `reason` says which."""

    def __init__(self, default: object, reason: str):
        self.default, self.reason = default, reason
        self.name = f"{fmt_value(default)} only"

    def check(self, value: object) -> str | None:
        return None if value == self.default and type(value) is type(self.default) else self.reason


# ---- specs ---------------------------------------------------------------------------------------


class Output:
    """What a loss or metric judges: the output's type (None for an optimizer)."""

    __slots__ = ("type",)

    def __init__(self, type: TensorType | None = None):  # noqa: A002 - the output's type
        self.type = type

    @property
    def rank(self) -> int | None:
        """Axes including the batch axis."""
        return None if self.type is None else len(self.type.shape) + 1

    @property
    def units(self) -> int | None:
        """The size of the last axis, if known."""
        if self.type is None or not self.type.shape:
            return None
        return self.type.shape[-1]


class CompileParam:
    """One argument: its name, Keras's default (or REQUIRED) and what it accepts."""

    __slots__ = ("default", "kind", "name")

    def __init__(self, name: str, default: object, kind: ArgKind):
        self.name, self.default, self.kind = name, default, kind

    def __repr__(self) -> str:
        return f"CompileParam({self.name!r}, {self.default!r}, {self.kind.name!r})"

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


# A rule reads the arguments (given ones, with defaults filled in) and the output; it returns None
# or (the argument to blame, the message).
Rule = Callable[[Mapping[str, object], Output], "tuple[str, str] | None"]
Cost = Callable[[Mapping[str, object], Output], int]


class CompileSpec:
    """A Keras loss, metric or optimizer class: its arguments, rules and memory cost.

    `state_bytes` (metrics): the bytes of state for given arguments and output; `slots`
    (optimizers): the copies of each trainable weight it keeps.
    """

    __slots__ = ("family", "keras_class", "params", "rules", "slots", "state_bytes")

    def __init__(self, family: str, keras_class: str, params: tuple[CompileParam, ...], rules: tuple[Rule, ...] = (),
                 *, state_bytes: Cost | None = None, slots: Cost | None = None):
        self.family, self.keras_class, self.params, self.rules = family, keras_class, params, rules
        self.state_bytes, self.slots = state_bytes, slots

    def __repr__(self) -> str:
        return f"CompileSpec({self.family!r}, {self.keras_class!r})"

    def param(self, name: str) -> CompileParam | None:
        for p in self.params:
            if p.name == name:
                return p
        return None

    def with_defaults(self, args: Mapping[str, object]) -> dict[str, object]:
        return {p.name: args.get(p.name, p.default) for p in self.params}

    def check(self, args: Mapping[str, object], output: Output) -> list[tuple[str, str]]:
        """(argument, message) for each value the class cannot take; [] if all are fine."""
        problems = []
        for name, value in args.items():
            p = self.param(name)
            if p is not None and not (value == p.default and type(value) is type(p.default)):
                message = p.kind.check(value)
                if message is not None:
                    problems.append((name, message))
        if problems:
            return problems
        full = self.with_defaults(args)
        for rule in self.rules:
            found = rule(full, output)
            if found is not None and found[0] not in {name for name, _ in problems}:  # one per argument
                problems.append(found)
        return problems

    def keras_kwargs(self, args: Mapping[str, object]) -> dict[str, object]:
        """The arguments as the Keras constructor takes them (floats, lists)."""
        out = {}
        for name, value in args.items():
            p = self.param(name)
            out[name] = p.kind.to_keras(value) if p is not None else value
        return out


# ---- rules ---------------------------------------------------------------------------------------


def _axes_fit(name: str) -> Rule:
    """Each axis is one the output has, not the batch axis (a loss or metric is computed per
    sample; Keras's cross-entropies fail across the batch), and none is given twice."""

    def rule(args: Mapping[str, object], out: Output) -> tuple[str, str] | None:
        value = args.get(name)
        if value is None or out.rank is None:
            return None
        axes = value if isinstance(value, tuple) else (value,)
        rank = out.rank
        for a in axes:
            if not -rank <= a < rank:  # type: ignore[operator]
                return name, (f"axis {a} is not an axis of the output {_shape(out)}: "
                              f"it has {rank} (batch included), so axes run from {-rank} to {rank - 1}")
            if a % rank == 0:  # type: ignore[operator]
                return name, (f"axis {a} is the batch axis of the output {_shape(out)}: a loss or metric is computed "
                              f"per sample, over its other axes")
        normal = [a % rank for a in axes]  # type: ignore[operator]
        if len(set(normal)) != len(normal):
            return name, f"the axes {fmt_value(value)} name an axis twice (of {rank} axes, batch included)"
        return None

    return rule


def _below_units(name: str, what: str) -> Rule:
    def rule(args: Mapping[str, object], out: Output) -> tuple[str, str] | None:
        value = args.get(name)
        if value is None or out.units is None or value < out.units:  # type: ignore[operator]
            return None
        return name, f"{what} {value} is not among the {out.units} units of the output {_shape(out)}"

    return rule


def _at_most_units(name: str, what: str) -> Rule:
    def rule(args: Mapping[str, object], out: Output) -> tuple[str, str] | None:
        value = args.get(name)
        if value is None or out.units is None or value <= out.units:  # type: ignore[operator]
            return None
        return name, f"{what} {value} is more than the {out.units} units of the output {_shape(out)}"

    return rule


def _ids_below(name: str, limit: str) -> Rule:
    def rule(args: Mapping[str, object], out: Output) -> tuple[str, str] | None:
        ids, n = args.get(name), args.get(limit)
        if not isinstance(ids, tuple) or not _is_int(n) or all(i < n for i in ids):  # type: ignore[operator]
            return None
        return name, f"class ids {fmt_value(ids)} must be below {limit}={n}"

    return rule


def _only_with(name: str, flag: str) -> Rule:
    def rule(args: Mapping[str, object], out: Output) -> tuple[str, str] | None:
        if args.get(name) is not None and not args.get(flag):
            return name, f"'{name}' is given only with {flag}=True"
        return None

    return rule


def _sparse_predictions(args: Mapping[str, object], out: Output) -> tuple[str, str] | None:
    """sparse_y_pred=True (IoU's and MeanIoU's default) reads the output as class ids; a graphdsl
    output is scores (floats), so the ids would be the scores cut to integers."""
    if args.get("sparse_y_pred"):
        return "sparse_y_pred", ("sparse_y_pred=True (the default here) reads the output as class ids, but the "
                                 "output holds scores: write sparse_y_pred=False")
    return None


def _class_axis_last(args: Mapping[str, object], out: Output) -> tuple[str, str] | None:
    """The IoU metrics take the class with the highest score along `axis`, and Keras's code only
    works with it written -1 (axis=1 on a rank-2 output fails in a reduction)."""
    axis = args.get("axis")
    if axis == -1 or axis is None:
        return None
    return "axis", f"the IoU metrics find the classes on the output's last axis, written -1 (not {axis})"


def _classes_cover_units(args: Mapping[str, object], out: Output) -> tuple[str, str] | None:
    n = args.get("num_classes")
    if not _is_int(n) or out.units is None or n >= out.units:  # type: ignore[operator]
        return None
    return "num_classes", (f"num_classes={n} is fewer than the {out.units} units of the output {_shape(out)}: "
                           f"its predictions can be any of {out.units} classes")


def _equals_units(name: str) -> Rule:
    def rule(args: Mapping[str, object], out: Output) -> tuple[str, str] | None:
        value = args.get(name)
        if value is None or out.units is None or value == out.units:
            return None
        return name, f"{name}={value}, but the output {_shape(out)} has {out.units} labels (its units)"

    return rule


def _one_clip(args: Mapping[str, object], out: Output) -> tuple[str, str] | None:
    given = [n for n in ("clipnorm", "clipvalue", "global_clipnorm") if args.get(n) is not None]
    if len(given) > 1:
        return given[1], f"only one of clipnorm, clipvalue and global_clipnorm can be given, not {' and '.join(given)}"
    return None


def _shape(out: Output) -> str:
    from graphdsl.catalog.types import fmt_shape  # noqa: PLC0415

    return fmt_shape(out.type) if out.type is not None else "?"


# ---- memory costs --------------------------------------------------------------------------------

F32, I64 = 4, 8


def _scalars(n: int) -> Cost:
    return lambda args, out: n * F32


def _mean_state(args: Mapping[str, object], out: Output) -> int:
    return 2 * F32  # total and count


def _thresholds(args: Mapping[str, object]) -> int:
    t = args.get("thresholds")
    if t is None:
        return 1
    return len(t) if isinstance(t, tuple) else 1


def _confusion(args: Mapping[str, object], out: Output) -> int:
    n = args["num_classes"]
    return int(n) * int(n) * I64  # type: ignore[call-overload]


def _auc_state(args: Mapping[str, object], out: Output) -> int:
    t = args.get("thresholds")
    n = len(t) + 2 if isinstance(t, tuple) else int(args["num_thresholds"])  # type: ignore[call-overload]
    labels = 1
    if args.get("multi_label"):
        labels = args.get("num_labels") or out.units or 1
    return 4 * n * int(labels) * F32  # type: ignore[call-overload]


def _f_score_state(args: Mapping[str, object], out: Output) -> int:
    """Four counters per unit, or four scalars when averaged over all units at once (micro)."""
    per = 1 if args.get("average") == "micro" else (out.units or 1)
    return 4 * per * F32


def _at_threshold_state(args: Mapping[str, object], out: Output) -> int:
    return 4 * int(args["num_thresholds"]) * F32  # type: ignore[call-overload]


def _r2_state(args: Mapping[str, object], out: Output) -> int:
    return F32 + 4 * (out.units or 1) * F32


# optimizer slots: copies of each trainable weight the optimizer keeps
def _base_slots(args: Mapping[str, object]) -> int:
    return (1 if args.get("use_ema") else 0) + (1 if args.get("gradient_accumulation_steps") else 0)


def _slots(n: int | Callable[[Mapping[str, object]], int]) -> Cost:
    def cost(args: Mapping[str, object], out: Output) -> int:
        own = n(args) if callable(n) else n
        return own + _base_slots(args)

    return cost


# ---- the classes ---------------------------------------------------------------------------------

_PROB = Real(0, 1)
_THRESHOLDS = Maybe(Several(_PROB, single=True))
_CLASS_ID = Maybe(Integer(0))
_POS = Real(0, low_open=True)
_NONNEG = Real(0)

_KINDS: dict[str, dict[str, dict[str, ArgKind]]] = {
    "loss": {
        "BinaryCrossentropy": {"from_logits": Flag(), "label_smoothing": _PROB, "axis": Axis()},
        "BinaryFocalCrossentropy": {"apply_class_balancing": Flag(), "alpha": _PROB, "gamma": _NONNEG,
                                    "from_logits": Flag(), "label_smoothing": _PROB, "axis": Axis()},
        "CTC": {},
        "CategoricalCrossentropy": {"from_logits": Flag(), "label_smoothing": _PROB, "axis": Axis()},
        "CategoricalFocalCrossentropy": {"alpha": _PROB, "gamma": _NONNEG, "from_logits": Flag(),
                                         "label_smoothing": _PROB, "axis": Axis()},
        "CategoricalHinge": {},
        "Circle": {"gamma": _POS, "margin": Real(), "remove_diagonal": Flag()},
        "CosineSimilarity": {"axis": Kept(-1, "Keras does not save the axis of a cosine_similarity loss: the "
                                          "saved model would reload with axis=-1")},
        "Dice": {"axis": Axis(several=True, optional=True)},
        "Hinge": {},
        "Huber": {"delta": Kept(1.0, "Keras does not save Huber's delta: the saved model would reload with "
                                "delta=1.0")},
        "KLDivergence": {},
        "LogCosh": {},
        "MeanAbsoluteError": {},
        "MeanAbsolutePercentageError": {},
        "MeanSquaredError": {},
        "MeanSquaredLogarithmicError": {},
        "Poisson": {},
        "SparseCategoricalCrossentropy": {
            "from_logits": Flag(), "ignore_class": Maybe(Integer()),
            "axis": Kept(-1, "Keras does not save the axis of a sparse_categorical_crossentropy loss: the saved "
                         "model would reload with axis=-1"),
        },
        "SquaredHinge": {},
        "Tversky": {"alpha": _NONNEG, "beta": _NONNEG, "axis": Axis(several=True, optional=True)},
    },
    "metric": {
        "AUC": {"num_thresholds": Integer(2), "curve": OneOf("ROC", "PR", "PRGAIN", "roc", "pr", "prgain"),
                "summation_method": OneOf("interpolation", "majoring", "minoring",
                                          "Interpolation", "Majoring", "Minoring"),
                "thresholds": Maybe(Several(_PROB)), "multi_label": Flag(), "num_labels": Maybe(Integer(1)),
                "label_weights": Kept(None, "Keras saves label_weights in a form load_model cannot read back: "
                                      "the saved model would not load"),
                "from_logits": Flag()},
        "BinaryAccuracy": {"threshold": _PROB},
        "BinaryCrossentropy": {"from_logits": Flag(), "label_smoothing": _PROB},
        "BinaryIoU": {"target_class_ids": Several(Integer(0, 1), unique=True), "threshold": _PROB},
        "CategoricalAccuracy": {},
        "CategoricalCrossentropy": {"from_logits": Flag(), "label_smoothing": _PROB, "axis": Axis()},
        "CategoricalHinge": {},
        "ConcordanceCorrelation": {"axis": Axis()},
        "CosineSimilarity": {"axis": Kept(-1, "Keras does not save the axis of a cosine_similarity metric: "
                                          "the saved model would reload with axis=-1")},
        "F1Score": {"average": Maybe(OneOf("micro", "macro", "weighted")), "threshold": Maybe(Real(0, 1, low_open=True))},
        "FBetaScore": {"average": Maybe(OneOf("micro", "macro", "weighted")), "beta": _POS,
                       "threshold": Maybe(Real(0, 1, low_open=True))},
        "FalseNegatives": {"thresholds": _THRESHOLDS},
        "FalsePositives": {"thresholds": _THRESHOLDS},
        "Hinge": {},
        "IoU": {"num_classes": Integer(1), "target_class_ids": Several(Integer(0), unique=True),
                "ignore_class": Maybe(Integer()), "sparse_y_true": Flag(), "sparse_y_pred": Flag(), "axis": Axis()},
        "KLDivergence": {},
        "LogCoshError": {},
        "Mean": {},
        "MeanAbsoluteError": {},
        "MeanAbsolutePercentageError": {},
        "MeanIoU": {"num_classes": Integer(1), "ignore_class": Maybe(Integer()), "sparse_y_true": Flag(),
                    "sparse_y_pred": Flag(), "axis": Axis()},
        "MeanSquaredError": {},
        "MeanSquaredLogarithmicError": {},
        "OneHotIoU": {"num_classes": Integer(1), "target_class_ids": Several(Integer(0), unique=True),
                      "ignore_class": Maybe(Integer()), "sparse_y_pred": Flag(), "axis": Axis()},
        "OneHotMeanIoU": {"num_classes": Integer(1), "ignore_class": Maybe(Integer()), "sparse_y_pred": Flag(),
                          "axis": Axis()},
        "PearsonCorrelation": {"axis": Axis()},
        "Poisson": {},
        "Precision": {"thresholds": _THRESHOLDS, "top_k": Maybe(Integer(1)), "class_id": _CLASS_ID},
        "PrecisionAtRecall": {"recall": _PROB, "num_thresholds": Integer(1), "class_id": _CLASS_ID},
        "R2Score": {"class_aggregation": Maybe(OneOf("uniform_average", "variance_weighted_average")),
                    "num_regressors": Kept(0, "Keras's R2Score cannot compute the adjusted score inside a compiled "
                                           "model (it tests a tensor in a Python if): fit would fail")},
        "Recall": {"thresholds": _THRESHOLDS, "top_k": Maybe(Integer(1)), "class_id": _CLASS_ID},
        "RecallAtPrecision": {"precision": _PROB, "num_thresholds": Integer(1), "class_id": _CLASS_ID},
        "RootMeanSquaredError": {},
        "SensitivityAtSpecificity": {"specificity": _PROB, "num_thresholds": Integer(1), "class_id": _CLASS_ID},
        "SparseCategoricalAccuracy": {},
        "SparseCategoricalCrossentropy": {"from_logits": Flag(), "ignore_class": Maybe(Integer()), "axis": Axis()},
        "SparseTopKCategoricalAccuracy": {"k": Integer(1), "from_sorted_ids": Flag()},
        "SpecificityAtSensitivity": {"sensitivity": _PROB, "num_thresholds": Integer(1), "class_id": _CLASS_ID},
        "SquaredHinge": {},
        "Sum": {},
        "TopKCategoricalAccuracy": {"k": Integer(1)},
        "TrueNegatives": {"thresholds": _THRESHOLDS},
        "TruePositives": {"thresholds": _THRESHOLDS},
    },
}

# Every optimizer takes these (keras.optimizers.Optimizer's own arguments).
_OPTIMIZER_BASE: dict[str, ArgKind] = {
    "learning_rate": _POS,
    "weight_decay": Maybe(_NONNEG),
    "clipnorm": Maybe(_POS),
    "clipvalue": Maybe(_POS),
    "global_clipnorm": Maybe(_POS),
    "use_ema": Flag(),
    "ema_momentum": _PROB,
    "ema_overwrite_frequency": Maybe(Integer(1)),
    "loss_scale_factor": Maybe(_POS),
    "gradient_accumulation_steps": Maybe(Integer(2)),
}
_BETA = Real(0, 1, high_open=True)
_KINDS["optimizer"] = {
    "Adadelta": {"rho": _PROB, "epsilon": _POS},
    "Adafactor": {"beta_2_decay": Real(high=0), "epsilon_1": _POS, "epsilon_2": _POS, "clip_threshold": _POS,
                  "relative_step": Flag()},
    "Adagrad": {"initial_accumulator_value": _NONNEG, "epsilon": _POS},
    "Adam": {"beta_1": _BETA, "beta_2": _BETA, "epsilon": _POS, "amsgrad": Flag()},
    "AdamW": {"weight_decay": _NONNEG, "beta_1": _BETA, "beta_2": _BETA, "epsilon": _POS, "amsgrad": Flag()},
    "Adamax": {"beta_1": _BETA, "beta_2": _BETA, "epsilon": _POS},
    "Ftrl": {"learning_rate_power": Real(high=0), "initial_accumulator_value": _NONNEG,
             "l1_regularization_strength": _NONNEG, "l2_regularization_strength": _NONNEG,
             "l2_shrinkage_regularization_strength": _NONNEG, "beta": _NONNEG},
    "Lion": {"beta_1": Real(0, 1, low_open=True), "beta_2": _BETA},
    "Muon": {"adam_beta_1": _BETA, "adam_beta_2": _BETA, "adam_weight_decay": _NONNEG, "epsilon": _POS,
             "weight_decay": _NONNEG, "exclude_layers": Maybe(Several(Text())), "exclude_embeddings": Flag(),
             "muon_a": Real(), "muon_b": Real(), "muon_c": Real(), "adam_lr_ratio": _POS, "momentum": _BETA,
             "ns_steps": Integer(1), "nesterov": Flag(), "rms_rate": Maybe(_POS)},
    "Nadam": {"beta_1": _BETA, "beta_2": _BETA, "epsilon": _POS},
    "RMSprop": {"rho": _BETA, "momentum": _BETA, "epsilon": _POS, "centered": Flag()},
    "SGD": {"momentum": _PROB, "nesterov": Flag()},
    "ScheduleFreeAdamW": {"beta_1": _BETA, "beta_2": _BETA, "epsilon": _POS, "warmup_steps": Integer(0)},
}

_RULES: dict[str, tuple[Rule, ...]] = {
    "loss.BinaryCrossentropy": (_axes_fit("axis"),),
    "loss.BinaryFocalCrossentropy": (_axes_fit("axis"),),
    "loss.CategoricalCrossentropy": (_axes_fit("axis"),),
    "loss.CategoricalFocalCrossentropy": (_axes_fit("axis"),),
    "loss.Dice": (_axes_fit("axis"),),
    "loss.Tversky": (_axes_fit("axis"),),
    "metric.AUC": (_only_with("num_labels", "multi_label"), _equals_units("num_labels")),
    "metric.CategoricalCrossentropy": (_axes_fit("axis"),),
    "metric.ConcordanceCorrelation": (_axes_fit("axis"),),
    "metric.PearsonCorrelation": (_axes_fit("axis"),),
    "metric.SparseCategoricalCrossentropy": (_axes_fit("axis"),),
    "metric.IoU": (_ids_below("target_class_ids", "num_classes"), _axes_fit("axis"), _sparse_predictions,
                   _class_axis_last, _classes_cover_units),
    "metric.MeanIoU": (_axes_fit("axis"), _sparse_predictions, _class_axis_last, _classes_cover_units),
    "metric.OneHotIoU": (_ids_below("target_class_ids", "num_classes"), _axes_fit("axis"), _sparse_predictions,
                         _class_axis_last, _classes_cover_units),
    "metric.OneHotMeanIoU": (_axes_fit("axis"), _sparse_predictions, _class_axis_last, _classes_cover_units),
    "metric.Precision": (_below_units("class_id", "class_id"), _at_most_units("top_k", "top_k")),
    "metric.Recall": (_below_units("class_id", "class_id"), _at_most_units("top_k", "top_k")),
    "metric.PrecisionAtRecall": (_below_units("class_id", "class_id"),),
    "metric.RecallAtPrecision": (_below_units("class_id", "class_id"),),
    "metric.SensitivityAtSpecificity": (_below_units("class_id", "class_id"),),
    "metric.SpecificityAtSensitivity": (_below_units("class_id", "class_id"),),
}
for _cls in _KINDS["optimizer"]:
    _RULES[f"optimizer.{_cls}"] = (_one_clip,)

_STATE: dict[str, Cost] = {
    "AUC": _auc_state,
    "BinaryIoU": lambda args, out: 2 * 2 * I64,
    "F1Score": _f_score_state,
    "FBetaScore": _f_score_state,
    "FalseNegatives": lambda args, out: _thresholds(args) * F32,
    "FalsePositives": lambda args, out: _thresholds(args) * F32,
    "TrueNegatives": lambda args, out: _thresholds(args) * F32,
    "TruePositives": lambda args, out: _thresholds(args) * F32,
    "Precision": lambda args, out: 2 * _thresholds(args) * F32,
    "Recall": lambda args, out: 2 * _thresholds(args) * F32,
    "IoU": _confusion,
    "MeanIoU": _confusion,
    "OneHotIoU": _confusion,
    "OneHotMeanIoU": _confusion,
    "PrecisionAtRecall": _at_threshold_state,
    "RecallAtPrecision": _at_threshold_state,
    "SensitivityAtSpecificity": _at_threshold_state,
    "SpecificityAtSensitivity": _at_threshold_state,
    "R2Score": _r2_state,
    "Sum": _scalars(1),
}

# Slots per trainable weight. Adafactor keeps one full slot and two factored ones (a row and a
# column per matrix: at most one more weight's worth); Muon keeps a momentum for every weight and
# a second moment for those Adam updates (at most all). Both are counted at their upper bound.
_SLOTS: dict[str, Cost] = {
    "Adadelta": _slots(2),
    "Adafactor": _slots(2),
    "Adagrad": _slots(1),
    "Adam": _slots(lambda a: 3 if a.get("amsgrad") else 2),
    "AdamW": _slots(lambda a: 3 if a.get("amsgrad") else 2),
    "Adamax": _slots(2),
    "Ftrl": _slots(2),
    "Lion": _slots(1),
    "Muon": _slots(2),
    "Nadam": _slots(2),
    "RMSprop": _slots(lambda a: 1 + (1 if a.get("momentum") else 0) + (1 if a.get("centered") else 0)),
    "SGD": _slots(lambda a: 1 if a.get("momentum") else 0),
    "ScheduleFreeAdamW": _slots(2),
}


# Classes in Keras's registries that model.compile cannot use, and why.
_UNUSABLE = {
    ("metric", "Mean"): "Keras calls a model's metrics with (targets, predictions), but mean takes "
                        "(values, sample_weight): compiling it fails",
    ("metric", "Sum"): "Keras calls a model's metrics with (targets, predictions), but sum takes "
                       "(values, sample_weight): compiling it fails",
}


def unusable(family: str, keras_class: str | None) -> str | None:
    """Why a class of Keras's registry cannot be compiled into a model, or None."""
    return _UNUSABLE.get((family, keras_class)) if keras_class is not None else None


def _build() -> dict[tuple[str, str], CompileSpec]:
    out = {}
    for family, classes in SIGNATURES.items():
        for cls, signature in classes.items():
            kinds = dict(_OPTIMIZER_BASE) if family == "optimizer" else {}
            kinds.update(_KINDS[family].get(cls, {}))
            params = []
            for entry in signature:
                name, default = entry[0], (entry[1] if len(entry) > 1 else REQUIRED)
                kind = kinds.get(name)
                if kind is None:  # a new Keras argument nobody has judged yet: refuse it until someone does
                    kind = Kept(default, f"graphdsl does not check {name} yet, so only Keras's default is accepted")
                params.append(CompileParam(name, default, kind))
            state = _STATE.get(cls, _mean_state) if family == "metric" else None
            slots = _SLOTS.get(cls, _slots(2)) if family == "optimizer" else None
            out[(family, cls)] = CompileSpec(family, cls, tuple(params), _RULES.get(f"{family}.{cls}", ()),
                                             state_bytes=state, slots=slots)
    return out


_SPECS: dict[tuple[str, str], CompileSpec] | None = None


def specs() -> dict[tuple[str, str], CompileSpec]:
    """Every spec, keyed by (family, Keras class); built on first use."""
    global _SPECS
    if _SPECS is None:
        _SPECS = _build()
    return _SPECS


def compile_spec(family: str, keras_class: str | None) -> CompileSpec | None:
    """The spec of a Keras class of `family` ("loss", "metric", "optimizer"); None for names
    without a class (``accuracy``, a loss function without arguments)."""
    if keras_class is None:
        return None
    return specs().get((family, keras_class))


def judged_kinds() -> dict[str, dict[str, dict[str, ArgKind]]]:
    """The hand-written kinds (for the test that every generated argument has one)."""
    out = {family: {cls: dict(kinds) for cls, kinds in classes.items()} for family, classes in _KINDS.items()}
    for cls in out["optimizer"]:
        out["optimizer"][cls] = {**_OPTIMIZER_BASE, **out["optimizer"][cls]}
    return out
