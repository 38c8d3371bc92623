"""The catalog without Keras: kinds, registries, shape-error messages, contract totals.

The rules themselves are checked against Keras in tests/keras/test_catalog_keras.py;
here we check what a user sees, and that the contract programs add up.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from graphdsl.catalog import (
    ACTIVATIONS,
    KNOWN_UNSUPPORTED,
    LAYER_ALIASES,
    LAYERS,
    LOSSES,
    MERGES,
    METRICS,
    OPTIMIZERS,
    REQUIRED,
    LayerValue,
    ObjectValue,
    ShapeError,
    TensorType,
    check_loss_fits,
    fmt_shape,
    get_layer,
    get_merge,
    get_object,
)
from graphdsl.catalog import _signatures as sig
from graphdsl.catalog import kinds as k
from graphdsl.catalog.layers import FAMILIES, all_descriptors
from graphdsl.catalog.objects import KINDS as OBJECT_KINDS
from graphdsl.catalog.reference import update_docs

ROOT = Path(__file__).resolve().parents[1]


def T(*shape, dtype="float32"):  # noqa: N802
    return TensorType(tuple(shape), dtype)


# ---------------------------------------------------------------- types


def test_tensor_type_prints_language_and_keras_spellings():
    t = T(None, 128, dtype="int32")
    assert str(t) == "int32[?, 128]"
    assert t.keras_shape() == (None, None, 128)
    assert fmt_shape(t) == "(None, None, 128)"
    assert fmt_shape(T()) == "(None,)"


@pytest.mark.parametrize(
    ("kind", "good", "bad"),
    [
        (k.PosInt, [1, 64], [0, -3, 1.5, True, "3", None]),
        (k.NonNegInt, [0, 5], [-1, False, 2.0]),
        (k.Int, [-2, 0, 7], [1.0, True]),
        (k.Number, [1, 0.5, -2], [True, "1", None]),
        (k.Rate, [0, 0.5, 0.99], [1, 1.0, -0.1, True]),
        (k.Bool, [True, False], [0, 1, "True", None]),
        (k.Choice("valid", "same"), ["valid", "same"], ["Valid", 1, None]),
        (k.Activation, ["relu", "softmax", "linear", None], ["reul", 3]),
        (k.IntOrTuple(2), [3, (3, 3), (1, 2)], [0, (3,), (3, 0), (3, 3, 3), 2.0]),
        (k.IntOrTuple(1), [3, (3,)], [(3, 3), 0]),
        (k.Axis, [-1, 1], [1.0, None]),
        (k.Axes, [-1, (1, 2)], [(), (1.0,)]),
        (k.Initializer, ["glorot_uniform", "zeros", "he_normal", ObjectValue(get_object("initializer", "HeNormal"), {})],
         [None, "glorot", 1, ObjectValue(get_object("regularizer", "L2"), {})]),
        (k.Regularizer, ["l2", "l1", None, ObjectValue(get_object("regularizer", "L1L2"), {"l1": 0.1})],
         ["l3", ObjectValue(get_object("constraint", "MaxNorm"), {})]),
        (k.Constraint, ["max_norm", "non_neg", None, ObjectValue(get_object("constraint", "MaxNorm"), {})],
         ["maxnorm3"]),
        (k.NoiseShape, [(None, 1, 1, 1), (1, 3), (None,)], [(), (0, 1), (None, -1), [None]]),
        (k.Numbers, [1, 0.5, (1.0, 2.0)], [(), "1", (1, "2")]),
        (k.Padding(2), [1, (1, 2), ((0, 1), (0, 1))], [-1, (1, 2, 3), ((0, 1), 1)]),
        (k.Padding(3), [1, (1, 2, 3), ((0, 1), (0, 1), (1, 1))], [(1, 2), ((0, 1), (0, 1))]),
        (k.Optional(k.PosInt), [None, 2], [0]),
        (k.ShapeTuple, [(3,), (2, -1), (4, 5)], [(), (-1, -1), (0, 2), 3]),
        (k.Permutation, [(1,), (2, 1), (3, 1, 2)], [(0, 1), (1, 1), (2, 3)]),
        (k.LayerKind(("LSTM",)), [LayerValue(LAYERS["LSTM"], {"units": 3})],
         [LayerValue(LAYERS["Dense"], {"units": 3}), "LSTM"]),
    ],
)
def test_kind_accepts_and_refuses(kind, good, bad):
    for v in good:
        assert kind.check(v) is None, (kind.name, v)
    for v in bad:
        msg = kind.check(v)
        assert isinstance(msg, str) and msg, (kind.name, v)


def test_kind_messages_name_the_value_and_suggest():
    assert k.PosInt.check(-3) == "expected a positive integer, got -3"
    assert "did you mean \"relu\"" in k.Activation.check("reul")
    assert "did you mean \"same\"" in k.Choice("valid", "same").check("Same")
    assert k.Bool.check(1) == "expected True or False, got 1"


def test_refused_parameters_explain_themselves():
    lstm = get_layer("LSTM")
    assert lstm.param("return_state").kind.check(True) is None
    assert "fixed batch size" in lstm.param("stateful").kind.check(True)
    assert get_layer("Dense").param("lora_rank").kind.check(4)
    assert get_layer("Bidirectional").param("merge_mode").kind.check(None) is None
    assert get_layer("Bidirectional").param("merge_mode").kind.check("max")
    assert get_layer("Conv1D").param("data_format").kind.check("channels_first")
    assert "training=" in get_layer("Dropout").call_params[1].kind.reason


# ---------------------------------------------------------------- catalog structure


def test_every_generated_parameter_has_a_kind():
    for spec in all_descriptors():
        assert [p.name for p in spec.params][:-1] == [e[0] for e in sig.LAYER_SIGNATURES[spec.name]]
        for p in spec.params:
            assert isinstance(p.kind, k.Kind), f"{spec.name}.{p.name}"
    for family, classes in OBJECT_KINDS.items():
        for name in classes:
            assert [p.name for p in get_object(family, name).params] == [
                e[0] for e in sig.OBJECT_SIGNATURES[family][name]]


def test_descriptor_kinds_name_real_parameters():
    """A kind given for a parameter Keras does not have is a typo that would silently do nothing."""
    for spec in all_descriptors():
        names = {e[0] for e in sig.LAYER_SIGNATURES[spec.name]}
        assert set(spec.kinds) <= names, (spec.name, set(spec.kinds) - names)
        calls = {e[0] for e in sig.CALL_SIGNATURES[spec.name]}
        assert set(spec.call_kinds) <= calls, (spec.name, set(spec.call_kinds) - calls)
    for family, classes in OBJECT_KINDS.items():
        for name, kinds in classes.items():
            assert set(kinds) <= {e[0] for e in sig.OBJECT_SIGNATURES[family][name]}, name


def test_one_descriptor_per_layer_in_its_family_module():
    specs = all_descriptors()
    assert len({s.name for s in specs}) == len(specs) == len(LAYERS) == len(sig.LAYER_FAMILIES)
    for spec in specs:
        assert sig.LAYER_FAMILIES[spec.name] == spec.family and spec.family in FAMILIES
        assert get_layer(spec.name) is spec and LAYERS[spec.name] is spec
        assert spec.doc and not spec.doc.endswith("."), spec.name
        assert spec.module.startswith("keras."), spec.name


def test_every_layer_has_keras_cases_that_use_its_own_arguments():
    for spec in all_descriptors():
        cases = list(spec.examples())
        assert len(cases) >= 3, spec.name
        accepted = 0
        for case in cases:
            assert {a for a in case.args} <= {p.name for p in spec.params}, (spec.name, case.args)
            call = case.call if case.call is not None else {spec.tensor_param.name: case.inp}
            try:
                spec.outputs(case.args, call)
                accepted += 1
            except ShapeError:
                pass
        assert accepted >= 2, spec.name


def test_specs_follow_keras_constructor_order_and_defaults():
    conv = get_layer("Conv1D")
    names = [p.name for p in conv.params]
    assert names[:4] == ["filters", "kernel_size", "strides", "padding"]
    assert conv.param("filters").default is REQUIRED
    assert conv.param("padding").default == "valid"
    assert "name" not in names
    assert conv.params[-1].name == "trainable" and conv.params[-1].keyword_only
    assert get_layer("MaxPooling1D").arg({}, "pool_size") == 2
    assert [p.name for p in get_merge("dot").params] == ["axes", "normalize"]
    assert get_merge("dot").params[0].default is REQUIRED
    assert get_merge("concat").keras_class == "Concatenate"


def test_unsupported_and_unknown_layers():
    assert get_layer("Lambda") is None
    assert "Lambda" in KNOWN_UNSUPPORTED
    assert "Conv1D" not in KNOWN_UNSUPPORTED and "Concatenate" not in KNOWN_UNSUPPORTED
    assert "MaxPool2D" not in KNOWN_UNSUPPORTED and LAYER_ALIASES["MaxPool2D"] == "MaxPooling2D"
    assert get_layer("Conv1d") is None
    assert len(MERGES) == 8 and list(MERGES)[0] == "add"


def test_keras_kwargs_are_what_the_program_wrote():
    inner = LayerValue(get_layer("LSTM"), {"units": 3})
    kw = get_layer("Bidirectional").keras_kwargs({"layer": inner, "merge_mode": "sum"})
    assert kw == {"layer": inner, "merge_mode": "sum"}


def _run(code: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=env, capture_output=True, text=True)
    return done.stdout


def test_catalog_does_not_import_keras():
    code = ("import sys, graphdsl.catalog as c; [c.LAYERS[n] for n in c.LAYERS]; "
            "print(any(m in sys.modules for m in ('keras', 'tensorflow', 'hypothesis')))")
    assert _run(code).strip() == "False"


def test_a_check_loads_only_what_its_program_uses():
    code = (
        "import sys, graphdsl\n"
        "before = sorted(m for m in sys.modules if m.startswith('graphdsl.catalog.layers.'))\n"
        "graphdsl.check(open('examples/social.gd').read())\n"
        "from graphdsl.catalog import names\n"
        "after = sorted(m.rsplit('.', 1)[1] for m in sys.modules if m.startswith('graphdsl.catalog.layers.'))\n"
        "print(before, after, sorted(names._built), 'graphdsl.catalog.objects' in sys.modules)\n"
    )
    assert _run(code).strip() == (
        "[] ['conv', 'core', 'pooling'] ['activation', 'loss', 'metric', 'optimizer'] False"
    )


def test_readme_and_language_reference_list_the_catalog():
    for path in (ROOT / "README.md", ROOT / "docs" / "LANGUAGE.md"):
        text = path.read_text()
        assert update_docs(path.name, text) == text, f"run scripts/gen_catalog.py to update {path.name}"
    readme = (ROOT / "README.md").read_text()
    for spec in all_descriptors():
        assert f"`{spec.name}`" in readme


# ---------------------------------------------------------------- registries


def test_registries_canonicalize_aliases():
    assert LOSSES.canonical("mse") == "mean_squared_error"
    assert LOSSES.canonical("categorical_crossentropy") == "categorical_crossentropy"
    assert LOSSES.canonical("nope") is None
    assert METRICS.canonical("acc") == "accuracy"
    assert {"accuracy", "auc", "precision", "recall", "mse", "mae", "binary_accuracy"} <= METRICS.names
    assert {"rmsprop", "adam", "sgd", "adamw", "adagrad", "adadelta", "adamax", "nadam", "ftrl", "lion"} <= (
        OPTIMIZERS.names
    )
    assert {"relu", "sigmoid", "softmax", "tanh", "linear", "gelu", "swish"} <= ACTIVATIONS.names
    assert {"huber", "sparse_categorical_crossentropy", "binary_crossentropy", "mae"} <= LOSSES.names


def test_registries_suggest():
    assert LOSSES.suggest("categorical_crossentropi") == "categorical_crossentropy"
    assert ACTIVATIONS.suggest("Relu") == "relu"
    assert ACTIVATIONS.suggest("reul") == "relu"
    assert OPTIMIZERS.suggest("Adam") == "adam"
    assert METRICS.suggest("acuracy") == "accuracy"


def test_registries_know_keyword_arguments():
    assert "label_smoothing" in LOSSES.keyword_args("categorical_crossentropy")
    assert "learning_rate" in OPTIMIZERS.keyword_args("adam")
    assert LOSSES.keras_class("mse") == "MeanSquaredError"
    assert OPTIMIZERS.keras_class("rmsprop") == "RMSprop"
    assert LOSSES.keyword_args("nope") is None


@pytest.mark.parametrize(
    ("loss", "out", "act", "words"),
    [
        ("categorical_crossentropy", T(1), "sigmoid", "one unit per class"),
        ("sparse_categorical_crossentropy", T(1), None, "one unit per class"),
        ("binary_crossentropy", T(10), "softmax", "categorical_crossentropy"),
        ("bce", T(3, dtype="int32"), None, "floating-point"),
    ],
)
def test_loss_that_does_not_fit_is_reported(loss, out, act, words):
    msg = check_loss_fits(loss, out, act)
    assert msg and words in msg


@pytest.mark.parametrize(
    ("loss", "out", "act"),
    [
        ("categorical_crossentropy", T(10), "softmax"),
        ("binary_crossentropy", T(1), "sigmoid"),
        ("binary_crossentropy", T(5), "sigmoid"),
        ("sparse_categorical_crossentropy", T(10), None),
        ("mse", T(1), None),
        ("categorical_crossentropy", T(None), "softmax"),
    ],
)
def test_loss_that_fits_is_accepted(loss, out, act):
    assert check_loss_fits(loss, out, act) is None


# ---------------------------------------------------------------- shape errors users make


def _err(layer, args, inp):
    with pytest.raises(ShapeError) as e:
        get_layer(layer).infer(args, inp)
    return e.value


def test_convolution_that_leaves_no_steps():
    e = _err("Conv1D", {"filters": 8, "kernel_size": 5}, T(3, 64))
    assert str(e) == "Conv1D(kernel_size=5) needs at least 5 steps, but its input (None, 3, 64) has 3"
    assert e.arg == "kernel_size"
    e = _err("MaxPooling1D", {"pool_size": 4}, T(3, 2))
    assert "needs at least 4 steps" in str(e) and e.arg == "pool_size"


def test_wrong_rank_quotes_the_input():
    e = _err("LSTM", {"units": 4}, T(32))
    assert str(e) == "LSTM expects a 3-D input (batch, steps, features), got (None, 32)"
    assert "expects a 4-D input" in str(_err("Conv2D", {"filters": 1, "kernel_size": 3}, T(5, 3)))


def test_unknown_size_where_weights_need_it():
    assert "unknown size" in str(_err("Dense", {"units": 3}, T(4, None)))
    assert "unknown size" in str(_err("LSTM", {"units": 3}, T(4, None)))


def test_dtype_mistakes():
    assert str(_err("Embedding", {"input_dim": 5, "output_dim": 2}, T(4))).startswith(
        "Embedding expects integer ids, got float32"
    )
    assert "bool" in str(_err("Dense", {"units": 2}, T(3, dtype="bool")))
    assert get_layer("Flatten").infer({}, T(2, 3, dtype="int32")).dtype == "int32"
    assert get_layer("Dense").infer({"units": 2}, T(3, dtype="float64")).dtype == "float32"


def test_reshape_and_permute_mistakes():
    assert "needs 5 values" in str(_err("Reshape", {"target_shape": (5,)}, T(2, 3)))
    assert get_layer("Reshape").infer({"target_shape": (-1, 2)}, T(2, 3)).shape == (3, 2)
    assert "Permute" in str(_err("Permute", {"dims": (2, 1)}, T(2, 3, 4)))


def test_merge_mismatches_quote_both_shapes():
    with pytest.raises(ShapeError) as e:
        get_merge("concat").infer({}, [T(3, 4), T(2, 5)])
    assert "(None, 3, 4)" in str(e.value) and "(None, 2, 5)" in str(e.value)
    with pytest.raises(ShapeError):
        get_merge("add").infer({}, [T(3), T(4)])
    with pytest.raises(ShapeError):
        get_merge("subtract").infer({}, [T(3), T(3), T(3)])
    assert get_merge("concat").infer({}, [T(None, 4), T(None, 2)]) == T(None, 6)
    assert get_merge("dot").infer({"axes": 1}, [T(4), T(4)]) == T(1)


def test_wrappers():
    lstm = LayerValue(get_layer("LSTM"), {"units": 32, "return_sequences": True})
    bi = get_layer("Bidirectional")
    assert bi.infer({"layer": lstm}, T(None, 8)) == T(None, 64)
    assert bi.count_params({"layer": lstm}, T(None, 8)) == 2 * 4 * 32 * (8 + 32 + 1)
    dense = LayerValue(get_layer("Dense"), {"units": 3})
    assert get_layer("TimeDistributed").infer({"layer": dense}, T(5, 4)) == T(5, 3)


# ---------------------------------------------------------------- the contract programs


def _chain(steps, t):
    total = 0
    shapes = []
    for name, args in steps:
        spec = get_layer(name)
        total += spec.count_params(args, t)
        t = spec.infer(args, t)
        shapes.append(t.keras_shape())
    return t, total, shapes


def test_social_gd_totals_and_shapes():
    conv = "Conv1D"
    relu = {"activation": "relu"}
    steps = [
        ("Embedding", {"input_dim": 50000, "output_dim": 256}),
        (conv, {"filters": 128, "kernel_size": 5, **relu}),
        ("MaxPooling1D", {"pool_size": 5}),
        (conv, {"filters": 256, "kernel_size": 5, **relu}),
        (conv, {"filters": 256, "kernel_size": 5, **relu}),
        ("MaxPooling1D", {"pool_size": 5}),
        (conv, {"filters": 256, "kernel_size": 5, **relu}),
        (conv, {"filters": 256, "kernel_size": 5, **relu}),
        ("GlobalMaxPooling1D", {}),
        ("Dense", {"units": 128, **relu}),
    ]
    features, total, shapes = _chain(steps, T(None, dtype="int32"))
    assert shapes == [(None, None, 256), (None, None, 128), (None, None, 128), (None, None, 256),
                      (None, None, 256), (None, None, 256), (None, None, 256), (None, None, 256),
                      (None, 256), (None, 128)]
    heads = [{"units": 1}, {"units": 10, "activation": "softmax"}, {"units": 1, "activation": "sigmoid"}]
    for args in heads:
        total += get_layer("Dense").count_params(args, features)
    assert total == 14_146_316


def test_news_gd_totals_and_shapes():
    lstm_out, total, shapes = _chain(
        [("Embedding", {"input_dim": 10000, "output_dim": 512}), ("LSTM", {"units": 32})], T(100, dtype="int32")
    )
    assert shapes == [(None, 100, 512), (None, 32)]
    dense = get_layer("Dense")
    total += dense.count_params({"units": 1}, lstm_out)
    x = get_merge("concat").infer({}, [lstm_out, T(5)])
    assert x.keras_shape() == (None, 37)
    for units in (64, 64, 64, 1):
        total += dense.count_params({"units": units}, x)
        x = dense.infer({"units": units}, x)
    assert x.keras_shape() == (None, 1)
    assert total == 5_200_610


# ---------------------------------------------------------------- layers on several tensors


def test_call_signatures_name_the_tensors_in_kerass_order():
    lstm = get_layer("LSTM")
    assert [(p.name, p.kind.what) for p in lstm.call_params] == [
        ("sequences", "tensor"), ("initial_state", "tensors"), ("mask", "tensor"), ("training", "refused")]
    assert lstm.call_params[0].required and not lstm.call_params[1].required
    assert (lstm.call_params[1].kind.low, lstm.call_params[1].kind.high) == (2, 2)
    assert get_layer("GRU").call_params[1].kind.high == 1
    mha = get_layer("MultiHeadAttention")
    names = [p.name for p in mha.call_params]
    assert names[:3] == ["query", "value", "key"] and mha.call_params[1].required and not mha.call_params[2].required
    assert mha.call_params[names.index("return_attention_scores")].kind.what == "constant"
    assert mha.call_params[names.index("value_mask")].kind.what == "refused"
    attention = get_layer("Attention").tensor_param
    assert (attention.name, attention.kind.what, attention.kind.low, attention.kind.high) == ("inputs", "tensors", 2, 3)
    assert get_layer("CustomScaleLayer").tensor_param.kind.low == 2
    dense = get_layer("Dense")
    assert dense.tensor_param.name == "inputs" and not dense.several


def test_a_layer_on_one_tensor_answers_the_call_interface_too():
    dense = get_layer("Dense")
    assert dense.outputs({"units": 3}, {"inputs": T(5)}) == (T(3),)
    assert dense.count({"units": 3}, {"inputs": T(5)}) == dense.count_params({"units": 3}, T(5))


def test_several_outputs_are_typed_in_kerass_order():
    x = T(None, 3)
    assert get_layer("LSTM").outputs({"units": 8, "return_state": True}, {"sequences": x}) == (T(8), T(8), T(8))
    assert len(get_layer("GRU").outputs({"units": 8, "return_state": True}, {"sequences": x})) == 2
    bi = LayerValue(get_layer("LSTM"), {"units": 4, "return_state": True, "return_sequences": True})
    outs = get_layer("Bidirectional").outputs({"layer": bi}, {"sequences": T(5, 3)})
    assert outs == (T(5, 8), T(4), T(4), T(4), T(4))
    assert len(get_layer("Bidirectional").outputs({"layer": bi, "merge_mode": None}, {"sequences": x})) == 6
    mha = get_layer("MultiHeadAttention")
    q = T(7, 16)
    out, scores = mha.outputs({"num_heads": 4, "key_dim": 8}, {"query": q, "value": q,
                                                                 "return_attention_scores": True})
    assert (out, scores) == (q, T(4, 7, 7))


def test_call_mistakes_blame_the_call_argument():
    lstm = get_layer("LSTM")
    with pytest.raises(ShapeError) as e:
        lstm.outputs({"units": 8}, {"sequences": T(5, 3), "initial_state": (T(8),)})
    assert e.value.call_arg == "initial_state" and "list of 2 tensors" in str(e.value)
    with pytest.raises(ShapeError) as e:
        lstm.outputs({"units": 8}, {"sequences": T(5, 3), "initial_state": (T(4), T(4))})
    assert e.value.call_arg == "initial_state" and "(batch, 8)" in str(e.value)
    with pytest.raises(ShapeError) as e:
        lstm.outputs({"units": 8}, {"sequences": T(5, 3), "training": True})
    assert e.value.call_arg == "training" and "fit" in str(e.value)
    mha = get_layer("MultiHeadAttention")
    with pytest.raises(ShapeError) as e:
        mha.outputs({"num_heads": 2, "key_dim": 4}, {"query": T(5, 6)})
    assert e.value.call_arg == "value"
    with pytest.raises(ShapeError) as e:
        mha.outputs({"num_heads": 2, "key_dim": 4}, {"query": T(5, 6), "value": T(7, 6),
                                                      "attention_mask": T(7, 5, dtype="bool")})
    assert e.value.call_arg == "attention_mask" and "(None, 5, 7)" in str(e.value)
    with pytest.raises(ShapeError) as e:
        mha.outputs({"num_heads": 2, "key_dim": 4}, {"query": T(5, 6), "value": T(5, 6),
                                                      "use_causal_mask": "yes"})
    assert e.value.call_arg == "use_causal_mask"


def test_a_chain_step_that_needs_several_tensors_says_how_to_call_it():
    with pytest.raises(ShapeError, match=r"MultiHeadAttention\(\.\.\.\)\(query, value\)"):
        get_layer("MultiHeadAttention").infer({"num_heads": 2, "key_dim": 4}, T(5, 6))
    with pytest.raises(ShapeError, match=r"as one list"):
        get_layer("Attention").infer({}, T(5, 6))
    with pytest.raises(ShapeError, match="returns 3 tensors"):
        get_layer("LSTM").infer({"units": 4, "return_state": True}, T(5, 6))


# ---------------------------------------------------------------- Keras objects as arguments


def test_object_classes_are_looked_up_by_family():
    assert get_object("initializer", "VarianceScaling").module == "keras.initializers"
    assert get_object("regularizer", "VarianceScaling") is None
    assert get_object("initializer", "Identity") is not get_layer("Identity")
    assert [p.name for p in get_object("regularizer", "L1L2").params] == ["l1", "l2"]
    assert get_object("constraint", "MaxNorm").param("max_value").kind.check(0)


def _check(text):
    import graphdsl

    return graphdsl.analyze(text)


def test_objects_given_by_class_reach_the_graph():
    report, graph = _check(
        "input x: float32[4]\n"
        "output y = x -> Dense(3, kernel_regularizer=L2(1e-4), "
        'kernel_initializer=VarianceScaling(2.0, "fan_out"), kernel_constraint=MaxNorm(3)) loss mse\n'
    )
    assert report.ok, report.render()
    args = graph.layers["y"].args
    assert isinstance(args["kernel_regularizer"], ObjectValue)
    assert args["kernel_regularizer"].args == {"l2": 1e-4}
    assert args["kernel_initializer"].args == {"scale": 2.0, "mode": "fan_out"}
    assert args["kernel_constraint"].spec.family == "constraint"


def test_string_names_keep_working_beside_classes():
    report, _ = _check('input x: float32[4]\noutput y = x -> Dense(3, kernel_initializer="he_normal", '
                       'kernel_regularizer="l2", bias_constraint="non_neg") loss mse\n')
    assert report.ok, report.render()


def test_a_layer_where_an_object_belongs_and_an_object_as_a_number():
    report, _ = _check("input x: float32[4]\noutput y = x -> Dense(3, kernel_initializer=Dense(2)) loss mse\n")
    assert [(d.code, d.message) for d in report.errors] == [
        ("GD0109", "Dense is a layer, but 'kernel_initializer' takes an initializer")]
    report, _ = _check("input x: float32[4]\noutput y = x -> Dense(L2(3)) loss mse\n")
    assert [d.code for d in report.errors] == ["GD0109"] and "got L2(...)" in report.errors[0].message
