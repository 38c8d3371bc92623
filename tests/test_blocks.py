"""Language version 2 in the front end: blocks, repeat, unpacking, layers on several tensors, tensor
arithmetic and params in input shapes -- what they parse to, what check infers and reports (with
call frames), and what the formatter, the shapes table, the pictures, the data checks and the
language server make of them. The Keras tier (tests/keras/test_blocks_keras.py) builds them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import graphdsl
from graphdsl import ir
from graphdsl.cli import main
from graphdsl.graph import MathOp
from graphdsl.lsp.analysis import Analysis
from graphdsl.printer import format_text
from graphdsl.render.model import build_picture

ROOT = Path(__file__).resolve().parent.parent
TINY = (ROOT / "examples" / "tiny_resnet.gd").read_text()
ENCODER = (ROOT / "examples" / "encoder.gd").read_text()
TRANSLATOR = (ROOT / "examples" / "translator.gd").read_text()


def check(text: str, **kw) -> graphdsl.Report:
    return graphdsl.check(text, "t.gd", **kw)


def ok(text: str, **kw) -> graphdsl.Report:
    report = check(text, **kw)
    assert report.ok, report.render()
    return report


def codes(text: str) -> list[tuple[str, int]]:
    return [(d.code, d.line) for d in check(text).diagnostics]


# ---- syntax -------------------------------------------------------------------------------------


def test_a_block_parses_to_its_parameters_body_and_return():
    program = graphdsl.parse(TINY)
    conv_bn = program.statements[4]
    assert isinstance(conv_bn, ir.BlockDecl) and conv_bn.name.name == "conv_bn"
    assert [(p.name.name, p.default) for p in conv_bn.params] == [
        ("x", None), ("filters", None), ("kernel", ir.Number(3)), ("strides", ir.Number(1))]
    assert [type(s) for s in conv_bn.body] == [ir.Assign, ir.Return]
    assert TINY[conv_bn.close.start : conv_bn.close.end] == "}"
    stage1 = program.statements[8]
    assert stage1.chain.steps == (ir.Repeat(ir.Number(2), ir.Call(ir.Ident("residual"),
                                                                 (ir.Arg(None, ir.Ref("width")),))),)


def test_unpacking_double_calls_arithmetic_and_dimension_expressions_parse():
    program = graphdsl.parse(
        "param n = 4\ninput x: float32[2 * n, ?]\n_, h, c = x -> LSTM(8, return_state=True)\n"
        "d = LSTM(8)(x, initial_state=[h, c])\ny = -x * 0.5 + d\n")
    inp, unpack, dec, arith = program.statements[1:]
    assert inp.dims == (ir.Dim(None, expr=ir.BinOp("*", ir.Number(2), ir.Ref("n"))), ir.Dim(None))
    assert [n.name for n in unpack.names] == ["_", "h", "c"]
    head = dec.chain.head
    assert isinstance(head, ir.DoubleCall) and head.call.callee.name == "LSTM"
    assert head.args[1] == ir.Arg(ir.Ident("initial_state"), ir.ListLit((ir.Ref("h"), ir.Ref("c"))))
    assert arith.chain.head == ir.BinOp("+", ir.BinOp("*", ir.Neg(ir.Ref("x")), ir.Number(0.5)), ir.Ref("d"))


def test_a_syntax_error_in_a_body_breaks_one_statement_and_the_rest_parses():
    text = "input x: float32[4]\nblock f(x) {\n    y = x -> Dense(\n    return x\n}\noutput o = x -> f() loss mse\n"
    program, diags = graphdsl.parser.parse_program(graphdsl.source.SourceFile("t", text))
    assert [d.code for d in diags] == ["GD0003"]
    block = program.statements[1]
    assert [type(s) for s in block.body] == [ir.Broken, ir.Return]
    assert isinstance(program.statements[2], ir.OutputDecl)


def test_an_unclosed_block_is_one_error_at_the_end_of_the_file():
    report = check("input x: float32[4]\nblock f(x) {\n    return x\noutput o = x -> f() loss mse\n")
    (d,) = report.diagnostics
    assert (d.code, d.line) == ("GD0003", 4) and d.message == "expected '}', found the end of the file"
    assert d.diagnostic.labels[0].message == "this '{' is never closed"
    broken = check("input x: float32[4]\nblock f(x) {\n    y = x -> -> Dense(1)\n")  # and a broken statement in it
    assert [(d.code, d.line) for d in broken.diagnostics] == [("GD0003", 3), ("GD0003", 3)]
    assert "never closed" in broken.diagnostics[1].diagnostic.labels[0].message


# ---- blocks: scopes, kinds, calls ------------------------------------------------------------------


def test_the_contract_programs_check_clean_with_their_counts():
    for text, count in ((TINY, 698_858), (ENCODER, 1_355_266), (TRANSLATOR, 7_202_624)):
        report = ok(text)
        assert report.diagnostics == [] and report.param_count == count


def test_parameters_are_tensors_or_constants_by_use():
    from graphdsl.passes.resolve import resolve

    program = graphdsl.parse(
        "block f(x, units, s, unused, rate = 0.1) {\n    y = x -> Dense(units) -> Dropout(rate)\n"
        "    return y * s\n}\n")
    info = resolve(program)[0].blocks["f"]
    assert info.kinds == {"x": "tensor", "units": "constant", "s": "either", "unused": "either",
                          "rate": "constant"}


def test_an_either_parameter_takes_a_tensor_or_a_constant_per_call():
    report = ok("input x: float32[8]\nblock scale(x, s) {\n    return x * s\n}\n"
                "a = x -> scale(0.5)\nb = scale(x, a)\noutput o = b -> Dense(1) loss mse\n")
    kinds = [(op.op, op.left, op.right) for op in report.graph.ops if type(op) is MathOp]
    assert kinds == [("*", "x", 0.5), ("*", "x", "a_scale/return")]


def test_a_block_sees_the_programs_params_and_layers_not_its_tensors_and_may_hide_names():
    ok("param width = 4\ninput x: float32[8]\nlayer proj = Dense(width)\n"
       "block f(x) {\n    width = x -> proj\n    return width -> Dense(2)\n}\noutput o = x -> f() loss mse\n")
    report = check("input x: float32[8]\ninput side: float32[8]\nblock f(x) {\n    return add(x, side)\n}\n"
                   "output o = x -> f() -> Dense(1) loss mse\n")
    (d,) = report.errors
    assert d.code == "GD0101" and d.message == "'side' is not defined in block 'f'"
    assert "pass 'side' in as a parameter" in d.help


def test_names_in_a_body_are_defined_before_use_and_once():
    assert codes("input x: float32[8]\nblock f(x) {\n    a = b -> Dense(1)\n    b = x -> Dense(1)\n    return a\n}\n"
                 "output o = x -> f() loss mse\n") == [("GD0114", 3)]
    assert codes("input x: float32[8]\nblock f(x) {\n    x = x -> Dense(1)\n    return x\n}\n"
                 "output o = x -> f() loss mse\n") == [("GD0102", 3)]


def test_call_dependent_mistakes_point_into_the_body_with_the_calls_innermost_first():
    report = check((ROOT / "tests" / "golden" / "GD0201_shape_in_a_block_call.gd").read_text())
    (d,) = report.errors
    assert (d.code, d.line) == ("GD0201", 5)
    assert [(lb.message, report.source.location(lb.span.start).line) for lb in d.diagnostic.labels] == [
        ("in this call of 'conv'", 10), ("in this call of 'stage'", 13)]


def test_the_same_mistake_in_a_body_is_reported_once_with_the_first_calls_frames():
    text = ("input x: float32[8]\nblock f(x, k) {\n    return x -> Reshape((k, 3))\n}\n"
            "a = x -> f(2)\nb = x -> f(5)\noutput o = concat(a, b) -> Flatten() -> Dense(1) loss mse\n")
    (d,) = check(text).errors
    assert d.line == 3 and check(text).source.location(d.diagnostic.labels[0].span.start).line == 5


def test_call_independent_mistakes_are_reported_once_even_for_a_block_nobody_calls():
    text = ("input x: float32[8]\nblock f(x) {\n    return x -> Dense(4, activation=\"relux\") -> Dens(2)\n}\n"
            "a = x -> f()\nb = x -> f()\noutput o = x -> Dense(1) loss mse\n")
    assert sorted(codes(text)) == [("GD0103", 3), ("GD0110", 3), ("GD0304", 5), ("GD0304", 6)]
    uncalled = "input x: float32[8]\nblock f(x) {\n    return x -> Dens(2)\n}\noutput o = x -> Dense(1) loss mse\n"
    report = check(uncalled)
    assert [(d.code, d.line) for d in report.diagnostics] == [("GD0307", 2), ("GD0103", 3)]
    assert report.errors[0].diagnostic.labels == ()  # no call: no frames
    assert report.errors[0].help == "did you mean 'Dense'?"


def test_every_call_makes_new_layers_and_declarations_are_shared_as_declared():
    text = ("input x: float32[8]\nlayer proj = Dense(8)\nblock twice(x) {\n    layer d = Dense(8)\n"
            "    a = x -> d -> proj\n    return a -> d\n}\ny = x -> twice() -> twice()\n"
            "z = x -> repeat(3, proj)\nw = x -> repeat(3, Dense(8))\n"
            "output o = concat(y, z, w) -> Dense(1) loss mse\n")
    graph = ok(text).graph
    uses: dict[str, int] = {}
    for op in graph.ops:
        uses[op.layer] = uses.get(op.layer, 0) + 1
    assert uses["proj"] == 5 and uses["y_twice_1_d"] == uses["y_twice_2_d"] == 2
    assert [name for name in graph.layers if name.startswith("w_dense")] == ["w_dense", "w_dense_2", "w_dense_3"]
    assert graph.layers["y_twice_1_d"].declared and [c.id for c in graph.layers["y_twice_1_d"].calls] == ["y_twice_1"]


def test_layer_names_show_the_block_path_and_are_deterministic():
    graph = ok(TINY).graph
    names = list(graph.layers)
    assert names[:2] == ["stem_conv_bn_conv2d", "stem_conv_bn_batch_normalization"]
    assert "stage1_residual_1_conv_bn_1_conv2d" in names and "stage1_residual_2_re_lu_2" in names
    assert "stage2_downsample_conv_bn_3_conv2d" in names  # the skip connection, third conv_bn of the body
    assert names == list(ok(TINY).graph.layers)
    layer = graph.layers["stage1_residual_2_conv_bn_1_conv2d"]
    assert [(c.id, c.block) for c in layer.calls] == [("stage1_residual_2", "residual"),
                                                      ("stage1_residual_2_conv_bn_1", "conv_bn")]


def test_several_outputs_are_unpacked_and_must_match():
    report = ok(TRANSLATOR)
    assert report.tensors["h"] == report.tensors["c"] == ((None, 256), "float32")
    assert codes("input t: int32[?]\nseq, h = t -> Embedding(10, 4) -> LSTM(4, return_state=True)\n"
                 "output o = seq -> Dense(1) loss mse\n")[-1] == ("GD0127", 2)
    mid = codes("input t: int32[?]\nh = t -> Embedding(10, 4) -> LSTM(4, return_state=True) -> Dense(1)\n"
                "output o = h loss mse\n")
    assert ("GD0127", 2) in mid


def test_discarded_values_are_never_used_and_what_leads_nowhere_is_not_in_the_model():
    report = ok("input x: float32[8]\n_ = x -> Dense(100)\n_ = x -> Dense(100)\noutput o = x -> Dense(1) loss mse\n")
    assert report.param_count == 9 and list(report.graph.layers) == ["o"]
    assert codes("input x: float32[8]\n_ = x -> Dense(2)\noutput o = _ -> Dense(1) loss mse\n") == [("GD0128", 3)]


def test_repeat_takes_a_constant_count_of_at_least_one():
    report = ok("param depth = 3\ninput x: float32[8]\noutput o = x -> repeat(depth, Dense(8)) -> Dense(1) loss mse\n")
    assert report.param_count == 3 * 72 + 9
    assert ok("param depth = 3\ninput x: float32[8]\noutput o = x -> repeat(depth, Dense(8)) -> Dense(1) loss mse\n",
              params={"depth": 1}).param_count == 72 + 9
    assert codes("input x: float32[8]\noutput o = x -> repeat(1.5, Dense(8)) loss mse\n") == [("GD0109", 2)]


def test_a_keras_object_held_by_a_param_or_given_to_a_block_is_refused_where_it_is_written():
    # its kind comes from the layer argument it is given to; held elsewhere it checked clean with no output
    body = "block d(x, init = 1) {\n    return x -> Dense(2, kernel_initializer=init)\n}\ninput x: float32[4]\n"
    assert codes(body + "output y = x -> d(init=VarianceScaling(2.0)) loss mse\n") == [("GD0109", 5)]
    assert codes(body.replace("init = 1", "init = HeNormal()") + "output y = x -> d loss mse\n") == [("GD0109", 1)]
    assert sorted(codes("param p = L2(1e-4)\ninput x: float32[4]\noutput y = x -> Dense(1) loss mse\n")) == [
        ("GD0109", 1), ("GD0306", 1)]
    assert check("param p = (Dense(1),)\ninput x: float32[4]\noutput y = x -> Dense(1) loss mse\n").errors
    assert main(["check", "-D", "width=Dense(3)", str(ROOT / "examples" / "residual_mlp.gd")]) == 2


def test_params_size_inputs_and_overrides_resize_them():
    report = ok(ENCODER, params={"length": 256})
    assert report.tensors["tokens"] == ((None, 256), "int32")
    assert report.param_count == 1_355_266 + 128 * 64  # the position table grows with the length
    assert codes("param n = 0\ninput x: float32[n]\noutput o = x -> Dense(1) loss mse\n") == [("GD0205", 2)]


def test_tensor_arithmetic_folds_constants_and_promotes_like_keras():
    report = ok("input x: int32[4]\ninput f: float16[4]\na = x + 1\nb = x * (1 / 4)\nc = f * 2 - f\nd = -f\n"
                "output o = concat(a, b, c, d) -> Dense(1) loss mse\n")
    assert [report.tensors[n][1] for n in "abcd"] == ["int32", "float32", "float16", "float16"]
    (mul,) = [op for op in report.graph.ops if type(op) is MathOp and op.tensor == "b"]
    assert mul.right == 0.25  # one float, as Python folds 1 / 4
    assert codes("input x: float32[4]\ny = x // 2\noutput o = y -> Dense(1) loss mse\n") == [("GD0120", 2)]
    assert ("GD0115", 3) in codes("param k = 3\ninput x: float32[4]\ny = k * 2\noutput o = x -> Dense(1) loss mse\n")


def test_a_doubling_expansion_is_refused_at_its_bound():
    report = check((ROOT / "tests" / "golden" / "GD0209_doubling_blocks.gd").read_text())
    assert [d.code for d in report.diagnostics] == ["GD0209"]


def test_expansion_is_linear_in_the_expanded_graph():
    from test_linear_time import assert_linear  # noqa: PLC0415

    def make(n: int) -> str:
        return ("input x: float32[4]\nblock unit(x, k) {\n    a = x -> Dense(k)\n    return add(x, a -> Dense(4))\n}\n"
                f"output y = x -> repeat({n}, unit(3)) loss mse\n")

    assert_linear(make, 400, lambda text: graphdsl.check(text))


def test_many_blocks_with_mistakes_check_in_linear_time():
    from test_linear_time import assert_linear  # noqa: PLC0415

    def make(n: int) -> str:
        blocks = "".join(f"block b{i}(x) {{\n    return x -> Dense(undefined_{i})\n}}\n" for i in range(n))
        calls = "".join(f"t{i} = x -> b{i}()\n" for i in range(n))
        return "input x: float32[4]\n" + blocks + calls + "output y = x -> Dense(1) loss mse\n"

    assert_linear(make, 300, lambda text: graphdsl.check(text))


# ---- downstream ----------------------------------------------------------------------------------


def test_the_formatter_lays_out_blocks_keeps_their_comments_and_is_idempotent():
    text = ("input x: float32[8]\nblock  f( a ,n=2*3 ){ # after brace\n  # before y\n  y = a->Dense(n) # after y\n\n"
            "  return y   # after return\n  # before close\n} # after close\noutput o=x->f()->Dense(1) loss mse\n")
    out, diags = format_text(text)
    assert out == ("input x: float32[8]\n\nblock f(a, n = 2 * 3) {  # after brace\n    # before y\n"
                   "    y = a -> Dense(n)  # after y\n\n    return y  # after return\n    # before close\n"
                   "}  # after close\n\noutput o = x -> f() -> Dense(1)\n    loss mse\n")
    assert format_text(out)[0] == out
    assert graphdsl.parse(out) == graphdsl.parse(text)


def test_the_shapes_table_groups_a_block_calls_layers(capsys):
    main(["check", "--shapes", str(ROOT / "examples" / "tiny_resnet.gd")])
    out = capsys.readouterr().out
    assert re.search(r"^stage1_residual_1: block residual \(\d+:\d+\)$", out, re.M)
    assert re.search(r"^  stage1_residual_1_conv_bn_1: block conv_bn \(\d+:\d+\)$", out, re.M)
    assert re.search(r"^    stage1_residual_1_conv_bn_1/y/1 .* Conv2D 'stage1_residual_1_conv_bn_1_conv2d'", out, re.M)
    assert re.search(r"^  stage1 = stage1_residual_2/return ", out, re.M)
    assert "Total params: 698,858" in out


def test_pictures_draw_block_calls_as_nested_clusters_and_arithmetic_as_nodes():
    picture = build_picture(ok(TINY).graph)
    clusters = {c.id: c.parent for c in picture.clusters}
    assert clusters["stage1_residual_1_conv_bn_1"] == "stage1_residual_1" and clusters["stage1_residual_1"] is None
    arith = build_picture(ok("input x: float32[4]\ny = x + 3.0 -> ReLU(6.0)\noutput o = y -> Dense(1) loss mse\n").graph)
    assert [n.title for n in arith.nodes if n.id.startswith("op:")] == ["+ 3.0"]


def test_minimum_sizes_follow_layers_on_several_tensors():
    report = ok("input t: int32[?]\nemb = t -> Embedding(10, 4)\nconv = emb -> Conv1D(4, 5)\n"
                "seq, h, c = emb -> LSTM(4, return_sequences=True, return_state=True)\n"
                "d = LSTM(4)(conv, initial_state=[h, c])\noutput o = d -> Dense(1) loss mse\n")
    assert report.min_sizes == {"t": {1: 5}}


def test_the_language_server_knows_block_scopes():
    text = ("input x: float32[8]\nblock f(x, n) {\n    y = x -> Dense(n)\n    return y\n}\n"
            "y = x -> f(4)\noutput o = y -> Dense(1) loss mse\n")
    a = Analysis(text)
    body_y = text.index("y = x -> Dense")
    top_y = text.index("y = x -> f")
    assert a.definition(text.index("return y") + 7).start == body_y
    assert [s.start for s in a.references(body_y)] == [body_y, text.index("return y") + 7]
    assert [s.start for s in a.references(top_y)] == [top_y, text.index("o = y") + 4]
    assert a.definition(text.index("f(4)")).start == text.index("f(x, n)")
    assert len(a.rename(text.index("Dense(n)") + 6, "units")) == 2
    with pytest.raises(ValueError, match="already defined"):
        a.rename(text.index("Dense(n)") + 6, "y")
    assert a.hover(text.index("Dense(n)") + 6)[0] == "parameter **n** of block `f`: a constant"
    assert any(s.name == "f" and s.kind == "block" for s in a.symbols())
