"""The arguments of losses, metrics and optimizers: every argument Keras has is judged by hand,
values are checked against their kind and the output they judge, and lowering gives Keras the
types it insists on. (That each accepted value builds, trains and reloads is tests/keras'.)"""

from __future__ import annotations

import pytest

import graphdsl
from graphdsl.catalog import LOSSES, METRICS, OPTIMIZERS
from graphdsl.catalog import compile_args as ca
from graphdsl.catalog._compile_signatures import SIGNATURES


def test_every_argument_keras_has_is_judged_by_hand_and_nothing_else():
    judged = ca.judged_kinds()
    for family, classes in SIGNATURES.items():
        assert set(judged[family]) == set(classes), family
        for cls, signature in classes.items():
            assert set(judged[family][cls]) == {entry[0] for entry in signature}, (family, cls)


def test_every_registry_class_has_a_spec():
    for registry in (LOSSES, METRICS, OPTIMIZERS):
        for name in registry.names:
            cls = registry.keras_class(name)
            assert cls is None or ca.compile_spec(registry.kind, cls) is not None, (registry.kind, name)


def test_the_allowed_argument_names_are_the_registries():
    for registry in (LOSSES, METRICS, OPTIMIZERS):
        for name in registry.names:
            spec = ca.compile_spec(registry.kind, registry.keras_class(name))
            names = tuple(p.name for p in spec.params) if spec else ()
            assert set(names) == set(registry.keyword_args(name)), (registry.kind, name)


def _errors(loss: str = "mse", metrics: str = "", optimizer: str = "rmsprop", units: int = 3) -> list[tuple]:
    text = (f"input x: float32[8]\noutput y = x -> Dense({units}, activation=\"sigmoid\")\n    loss {loss}\n"
            + (f"    metrics [{metrics}]\n" if metrics else "") + f"optimizer {optimizer}\n")
    return [(d.code, d.message) for d in graphdsl.check(text).errors]


@pytest.mark.parametrize("optimizer", ["adam(learning_rate=1)", "sgd(learning_rate=1, momentum=1)",
                                       "adam(beta_1=0, epsilon=1)", "ftrl(learning_rate_power=0)"])
def test_an_integer_where_keras_wants_a_float_is_accepted(optimizer):
    assert _errors(optimizer=optimizer) == []


def test_lowering_turns_integers_into_floats_and_tuples_into_lists():
    spec = ca.compile_spec("optimizer", "Adam")
    assert spec.keras_kwargs({"learning_rate": 1, "amsgrad": True}) == {"learning_rate": 1.0, "amsgrad": True}
    assert type(spec.keras_kwargs({"learning_rate": 1})["learning_rate"]) is float
    precision = ca.compile_spec("metric", "Precision")
    assert precision.keras_kwargs({"thresholds": (0.3, 0.7)}) == {"thresholds": [0.3, 0.7]}
    assert precision.keras_kwargs({"thresholds": 1}) == {"thresholds": 1.0}
    assert ca.compile_spec("loss", "Dice").keras_kwargs({"axis": (1,)}) == {"axis": [1]}


@pytest.mark.parametrize(("kwargs", "expected"), [
    ("optimizer=adam(learning_rate=-1)", "expected a number > 0, got -1"),
    ("optimizer=adam(learning_rate=\"fast\")", 'expected a number > 0, got "fast"'),
    ("optimizer=adam(amsgrad=1)", "expected True or False, got 1"),
    ("optimizer=sgd(momentum=(0.9,))", "expected a number in [0, 1], got (0.9,)"),
    ("optimizer=adam(gradient_accumulation_steps=1)", "expected an integer >= 2 or None, got 1"),
    ("optimizer=rmsprop(clipnorm=1, global_clipnorm=1)", "only one of clipnorm, clipvalue and global_clipnorm"),
    ("loss=binary_crossentropy(label_smoothing=2)", "expected a number in [0, 1], got 2"),
    ("loss=categorical_crossentropy(axis=2)", "axis 2 is not an axis of the output (None, 3)"),
    ("loss=tversky(axis=(1, -1))", "the axes (1, -1) name an axis twice"),
    ("loss=binary_crossentropy(axis=0)", "axis 0 is the batch axis of the output (None, 3)"),
    ("metrics=r2_score(num_regressors=2)", "Keras's R2Score cannot compute the adjusted score"),
    ("loss=tversky(axis=(0.5,))", "expected an axis (an integer) or a tuple of axes or None"),
    ("loss=cosine_similarity(axis=1)", "Keras does not save the axis of a cosine_similarity loss"),
    ("loss=sparse_categorical_crossentropy(axis=0)", "Keras does not save the axis"),
    ("metrics=auc(num_labels=3)", "'num_labels' is given only with multi_label=True"),
    ("metrics=auc(multi_label=True, num_labels=2)", "num_labels=2, but the output (None, 3) has 3 labels"),
    ("metrics=auc(curve=\"roc curve\")", 'expected one of "ROC", "PR", "PRGAIN"'),
    ("metrics=precision(top_k=4)", "top_k 4 is more than the 3 units of the output (None, 3)"),
    ("metrics=io_u(num_classes=3, target_class_ids=(1, 3), sparse_y_pred=False)",
     "class ids (1, 3) must be below num_classes=3"),
    ("metrics=one_hot_mean_io_u(num_classes=2)", "num_classes=2 is fewer than the 3 units"),
    ("metrics=one_hot_io_u(num_classes=3, target_class_ids=(0, 0))", "(a repeated value)"),
    ("metrics=one_hot_mean_io_u(num_classes=3, axis=1)", "the IoU metrics find the classes on the output's last axis"),
    ("metrics=f1_score(threshold=0)", "expected a number in (0, 1] or None, got 0"),
    ("metrics=cosine_similarity(axis=0)", "Keras does not save the axis of a cosine_similarity metric"),
])
def test_values_keras_would_refuse_or_change_are_refused(kwargs, expected):
    where, _, value = kwargs.partition("=")
    errors = _errors(**{where: value})
    assert len(errors) == 1 and errors[0][0] == "GD0109" and expected in errors[0][1], errors


def test_keras_defaults_are_always_accepted():
    assert _errors(metrics="auc(num_thresholds=200, curve=\"ROC\"), binary_io_u(target_class_ids=(0, 1))",
                   optimizer="adamw(weight_decay=0.004)") == []


def test_names_keras_compile_cannot_take():
    assert [c for c, _ in _errors(metrics="sum")] == ["GD0123"]
    assert [c for c, _ in _errors(metrics="crossentropy")] == ["GD0112"]  # a loss, not a metric, in Keras 3
    assert _errors(loss="crossentropy") == []
