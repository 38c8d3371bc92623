"""The imported graph -> text (without Keras): chains, merges, shared layers, outputs, names,
the canonical style; and the pairing of two graphs by structure."""

from __future__ import annotations

import pytest

import graphdsl
from graphdsl.catalog import ObjectValue, get_object
from graphdsl.imported.emit import Namer, hint, to_text
from graphdsl.imported.match import Mismatch, match
from graphdsl.imported.model import ImportedModel, ImportRefused, ModelInput, ModelOutput, Named, Node, TRef


def L(op, inp, out, name, args=(), positional=0, key=None):  # noqa: N802 - reads like the layer it makes
    return Node("layer", op, tuple(args), positional, (TRef(inp),), (out,), key or name, name)


def M(op, inputs, out, name, args=()):  # noqa: N802
    return Node("merge", op, tuple(args), 0, tuple(TRef(i) for i in inputs), (out,), name, name)


X = ModelInput(0, "x", "float32", (8,))


def model(nodes, outputs, inputs=(X,), optimizer=None, name="m"):
    return ImportedModel(name, tuple(inputs), tuple(nodes), tuple(outputs), optimizer, "test")


def body(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def test_a_chain_of_single_use_tensors_is_one_statement_in_canonical_style():
    m = model([L("Dense", 0, 1, "hidden", [("units", 16), ("activation", "relu")], 1),
               L("Dropout", 1, 2, "drop", [("rate", 0.5)], 1),
               L("Dense", 2, 3, "more", [("units", 16)], 1),
               L("Dense", 3, 4, "y", [("units", 1)], 1)],
              [ModelOutput("y", 4, Named("mse"))])
    text = to_text(m)
    assert body(text) == [
        "model m", "input x: float32[8]", "output y = x",
        '    -> Dense(16, activation="relu")', "    -> Dropout(0.5)", "    -> Dense(16)", "    -> Dense(1)",
        "    loss mse"]
    assert graphdsl.format(text) == text
    assert graphdsl.check(text).ok


def test_a_tensor_used_twice_or_feeding_a_merge_is_named_after_its_layer():
    m = model([L("Dense", 0, 1, "trunk", [("units", 8)], 1),
               L("Dense", 1, 2, "left", [("units", 8)], 1),
               L("Dense", 1, 3, "right", [("units", 8)], 1),
               M("add", (2, 3), 4, "sum"),
               L("Dense", 4, 5, "out", [("units", 1)], 1)],
              [ModelOutput("out", 5)])
    assert body(to_text(m))[2:] == [
        "trunk = x -> Dense(8)", "left = trunk -> Dense(8)", "right = trunk -> Dense(8)",
        "output out = add(left, right) -> Dense(1)"]


def test_merge_arguments_are_keywords_and_a_merge_can_end_an_output():
    m = model([L("Dense", 0, 1, "a", [("units", 4)], 1), L("Dense", 0, 2, "b", [("units", 4)], 1),
               M("concat", (1, 2), 3, "joined", [("axis", 1)])],
              [ModelOutput("joined", 3)])
    text = to_text(m)
    assert "output joined = concat(a, b, axis=1)" in text
    assert graphdsl.check(text).ok


def test_a_layer_called_twice_is_declared_once_before_its_first_use():
    shared = [("units", 4)]
    m = model([L("Dense", 0, 1, "shared", shared, 1), L("Dense", 0, 2, "shared", shared, 1),
               M("multiply", (1, 2), 3, "prod")],
              [ModelOutput("prod", 3)])
    lines = body(to_text(m))
    assert lines[2] == "layer shared = Dense(4)"
    assert lines[3:5] == ["shared_2 = x -> shared", "shared_3 = x -> shared"]
    report = graphdsl.check(to_text(m))
    assert report.ok and report.param_count == 8 * 4 + 4  # one set of weights


def test_outputs_keep_their_order_even_when_an_earlier_one_reads_a_later_one():
    m = model([L("Dense", 0, 1, "second", [("units", 4)], 1), L("Dense", 1, 2, "first", [("units", 2)], 1)],
              [ModelOutput("first", 2), ModelOutput("second", 1)])
    lines = body(to_text(m))
    assert lines[2:] == ["second_2 = x -> Dense(4)", "output first = second_2 -> Dense(2)",
                         "output second = second_2"]
    report = graphdsl.check(to_text(m))
    assert [o.name for o in report.graph.outputs] == ["first", "second"]


def test_names_become_identifiers_never_keywords_and_stay_unique():
    namer = Namer()
    assert [namer.take(n) for n in ("input", "block", "a-b", "1x", "a-b", "_")] == [
        "input_", "block_", "a_b", "t1x", "a_b_2", "__"]


def test_a_layer_named_by_graphdsl_gives_back_the_statement_name():
    assert hint(L("Conv2D", 0, 1, "features_conv2d_3")) == "features"
    assert hint(M("add", (0, 0), 1, "y_add")) == "y"
    assert hint(L("Conv2D", 0, 1, "conv1_conv")) == "conv1_conv"
    assert hint(L("Dense", 0, 1, "dense")) == "dense"


def test_losses_weights_metrics_optimizer_and_objects_are_written():
    init = ObjectValue(get_object("initializer", "VarianceScaling"), {"scale": 2.0, "mode": "fan_out"})
    reg = ObjectValue(get_object("regularizer", "L2"), {"l2": 1e-4})
    m = model([L("Dense", 0, 1, "y", [("units", 3), ("kernel_initializer", init), ("kernel_regularizer", reg)], 1)],
              [ModelOutput("y", 1, Named("categorical_crossentropy", (("label_smoothing", 0.1),)), 0.5,
                           (Named("accuracy"),))],
              optimizer=Named("adam", (("learning_rate", 0.0001),)))
    text = to_text(m)
    assert 'kernel_initializer=VarianceScaling(scale=2.0, mode="fan_out"), kernel_regularizer=L2(0.0001)' in text
    assert "loss categorical_crossentropy(label_smoothing=0.1) weight 0.5 metrics [accuracy]" in text
    assert "optimizer adam(learning_rate=0.0001)" in text
    assert graphdsl.check(text).ok


def test_negative_numbers_and_values_a_program_cannot_write():
    m = model([L("Dense", 0, 1, "y", [("units", 3)], 1), L("Permute", 1, 2, "p", [("dims", (1,))], 1)],
              [ModelOutput("p", 2)])
    assert graphdsl.check(to_text(m)).ok
    bad = model([L("ReLU", 0, 1, "y", [("max_value", float("inf"))])], [ModelOutput("y", 1)])
    with pytest.raises(ImportRefused, match="inf"):
        to_text(bad)


def test_tensor_arithmetic_is_a_chain_head_and_nests():
    ops = [Node("op", "+", (), 0, (TRef(0), 3.0), (1,), "", "plus"),
           L("ReLU", 1, 2, "relu6", [("max_value", 6.0)], 1),
           Node("op", "*", (), 0, (TRef(2), 0.5), (3,), "", "times"),
           Node("op", "-", (), 0, (1.0, TRef(3)), (4,), "", "minus")]
    text = to_text(model(ops, [ModelOutput("y", 4)]))
    assert body(text)[2:] == ["relu6 = x + 3.0 -> ReLU(6.0)", "output y = 1.0 - relu6 * 0.5"]
    assert graphdsl.check(text).ok


def test_several_outputs_are_unpacked_and_a_double_call_is_a_head():
    lstm = Node("layer", "LSTM", (("units", 8), ("return_state", True)), 1, (TRef(0),), (1, 2, 3), "enc", "enc")
    dec = Node("layer", "LSTM", (("units", 8), ("return_sequences", True)), 1, (TRef(0),), (4,), "dec", "dec",
               (("initial_state", (TRef(2), TRef(3))),))
    text = to_text(model([lstm, dec], [ModelOutput("y", 4)], inputs=(ModelInput(0, "x", "float32", (5, 3)),)))
    assert body(text)[2:] == ["_, enc, enc_2 = x -> LSTM(8, return_state=True)",
                              "output y = LSTM(8, return_sequences=True)(x, initial_state=[enc, enc_2])"]
    assert graphdsl.check(text).ok


def test_a_tensor_is_never_named_like_a_merge_but_for_what_the_merge_made():
    m = model([L("Dense", 0, 1, "multiply", [("units", 4)], 1), L("Dense", 0, 2, "other", [("units", 4)], 1),
               M("multiply", (1, 2), 3, "y")], [ModelOutput("y", 3)])
    assert "output y = multiply(product, other)" in to_text(m)


# ---- matching ---------------------------------------------------------------------------------


def _two_branches(names: dict[str, str], swap: bool = False):
    a = L("Dense", 0, 1, names["a"], [("units", 8)], 1)
    b = L("Dense", 0, 2, names["b"], [("units", 8)], 1)
    rest = [M("add", (1, 2), 3, names["c"]), L("Dense", 3, 4, names["d"], [("units", 1)], 1)]
    return model([b, a, *rest] if swap else [a, b, *rest], [ModelOutput("y", 4)])


def test_layers_are_paired_by_structure_not_by_name_or_order():
    a = _two_branches({"a": "a", "b": "b", "c": "c", "d": "d"})
    b = _two_branches({"a": "p", "b": "q", "c": "r", "d": "s"}, swap=True)
    assert match(a, b) == {"a": "p", "b": "q", "c": "r", "d": "s"}


def test_an_identity_that_names_an_output_is_stepped_over():
    a = _two_branches({"a": "a", "b": "b", "c": "c", "d": "d"})
    b = model([*a.nodes, L("Identity", 4, 5, "y")], [ModelOutput("y", 5)])
    assert match(a, b) == {"a": "a", "b": "b", "c": "c", "d": "d"}


def test_a_different_layer_or_sharing_is_a_mismatch_that_says_where():
    a = _two_branches({"a": "a", "b": "b", "c": "c", "d": "d"})
    other = model([L("Dense", 0, 1, "a", [("units", 8)], 1), L("Conv1D", 0, 2, "b"), M("add", (1, 2), 3, "c"),
                   L("Dense", 3, 4, "d", [("units", 1)], 1)], [ModelOutput("y", 4)])
    with pytest.raises(Mismatch, match="Conv1D"):
        match(a, other)
    shared = model([L("Dense", 0, 1, "a", [("units", 8)], 1), L("Dense", 0, 2, "a", [("units", 8)], 1),
                    M("add", (1, 2), 3, "c"), L("Dense", 3, 4, "d", [("units", 1)], 1)], [ModelOutput("y", 4)])
    with pytest.raises(Mismatch, match="shared"):
        match(a, shared)
