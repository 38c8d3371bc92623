"""The parser: text -> IR, spans, recovery, friendly syntax errors, and the committed tables."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

import graphdsl
from graphdsl import ir
from graphdsl.parser import parse_program
from graphdsl.source import SourceFile

ROOT = Path(__file__).resolve().parent.parent
SOCIAL = (ROOT / "examples" / "social.gd").read_text(encoding="utf-8")
NEWS = (ROOT / "examples" / "news.gd").read_text(encoding="utf-8")


def _parse(text: str):
    return parse_program(SourceFile("<test>", text))


def _n(v):
    return ir.Number(v)


def _pos(v):
    return ir.Arg(None, v)


def _kw(name, v):
    return ir.Arg(ir.Ident(name), v)


def _call(name, *args):
    return ir.Call(ir.Ident(name), tuple(args))


def _expr(text: str):
    """The IR of an expression, as the value of a param."""
    (stmt,) = graphdsl.parse(f"param p = {text}\n").statements
    assert isinstance(stmt, ir.ParamDecl)
    return stmt.value


# ---- the contract programs --------------------------------------------------------------------


def test_news_parses_to_the_expected_statements():
    program = graphdsl.parse(NEWS)
    relu = _kw("activation", ir.String("relu"))
    sigmoid = _kw("activation", ir.String("sigmoid"))
    bce = ir.Spec(ir.Ident("binary_crossentropy"), None)
    expected = (
        ir.ModelDecl(ir.Ident("news")),
        ir.InputDecl(ir.Ident("main_input"), ir.Ident("int32"), (ir.Dim(100),)),
        ir.InputDecl(ir.Ident("aux_input"), ir.Ident("float32"), (ir.Dim(5),)),
        ir.Assign(
            ir.Ident("lstm_out"),
            ir.Chain(
                ir.Ref("main_input"),
                (_call("Embedding", _pos(_n(10000)), _pos(_n(512))), _call("LSTM", _pos(_n(32)))),
            ),
        ),
        ir.OutputDecl(
            ir.Ident("aux_output"),
            ir.Chain(ir.Ref("lstm_out"), (_call("Dense", _pos(_n(1)), sigmoid),)),
            loss=bce,
            weight=_n(0.2),
        ),
        ir.OutputDecl(
            ir.Ident("main_output"),
            ir.Chain(
                _call("concat", _pos(ir.Ref("lstm_out")), _pos(ir.Ref("aux_input"))),
                (
                    _call("Dense", _pos(_n(64)), relu),
                    _call("Dense", _pos(_n(64)), relu),
                    _call("Dense", _pos(_n(64)), relu),
                    _call("Dense", _pos(_n(1)), sigmoid),
                ),
            ),
            loss=bce,
            weight=_n(1.0),
        ),
        ir.OptimizerDecl(ir.Spec(ir.Ident("rmsprop"), None)),
    )
    assert program.statements == expected


def test_social_parses_to_the_expected_statements():
    program = graphdsl.parse(SOCIAL)
    kinds = [type(s).__name__ for s in program.statements]
    assert kinds == [
        "ModelDecl", "ParamDecl", "ParamDecl", "InputDecl", "Assign",
        "OutputDecl", "OutputDecl", "OutputDecl", "OptimizerDecl",
    ]
    model, vocab, groups, posts, features, age, income, gender, opt = program.statements
    assert model == ir.ModelDecl(ir.Ident("social"))
    assert vocab == ir.ParamDecl(ir.Ident("vocab"), _n(50000))
    assert groups == ir.ParamDecl(ir.Ident("income_groups"), _n(10))
    assert posts == ir.InputDecl(ir.Ident("posts"), ir.Ident("int32"), (ir.Dim(None),))
    assert features.chain.head == ir.Ref("posts")
    assert [s.callee.name for s in features.chain.steps] == [
        "Embedding", "Conv1D", "MaxPooling1D", "Conv1D", "Conv1D", "MaxPooling1D",
        "Conv1D", "Conv1D", "GlobalMaxPooling1D", "Dense",
    ]
    assert features.chain.steps[0] == _call("Embedding", _pos(ir.Ref("vocab")), _pos(_n(256)))
    assert age.loss == ir.Spec(ir.Ident("mse"), None) and age.weight == _n(0.25) and age.metrics is None
    assert income.chain.steps == (
        _call("Dense", _pos(ir.Ref("income_groups")), _kw("activation", ir.String("softmax"))),
    )
    assert income.metrics == (ir.Spec(ir.Ident("accuracy"), None),)
    assert gender.weight == _n(10.0)
    assert opt == ir.OptimizerDecl(ir.Spec(ir.Ident("rmsprop"), None))
    assert [c.text for c in program.comments][0] == " Predict a user's age, income group and gender from their posts."


def test_contract_programs_have_no_syntax_errors():
    for text in (SOCIAL, NEWS):
        _program, diags = _parse(text)
        assert diags == []


def test_called_specs_and_layer_declarations():
    program = graphdsl.parse(
        "layer shared = Dense(8)\n"
        "output y = x -> shared loss categorical_crossentropy(label_smoothing=0.1) metrics [accuracy, top_k(k=3),]\n"
        "optimizer adam(learning_rate=1e-3)\n"
    )
    layer, out, opt = program.statements
    assert layer == ir.LayerDecl(ir.Ident("shared"), _call("Dense", _pos(_n(8))))
    assert out.chain == ir.Chain(ir.Ref("x"), (ir.Ref("shared"),))
    assert out.loss == ir.Spec(ir.Ident("categorical_crossentropy"), (_kw("label_smoothing", _n(0.1)),))
    assert out.metrics == (ir.Spec(ir.Ident("accuracy"), None), ir.Spec(ir.Ident("top_k"), (_kw("k", _n(3)),)))
    assert opt == ir.OptimizerDecl(ir.Spec(ir.Ident("adam"), (_kw("learning_rate", _n(1e-3)),)))


# ---- spans -----------------------------------------------------------------------------------


def test_spans_point_at_their_text():
    text = "input x: float32[8, ?]\n\nout = x\n    -> Dense(1)\n    -> Dropout(rate=0.5)\n"
    program = graphdsl.parse(text)
    inp, assign = program.statements

    def at(node):
        return text[node.span.start : node.span.end]

    assert at(inp) == "input x: float32[8, ?]"
    assert at(inp.name) == "x"
    assert at(inp.dtype) == "float32"
    assert [at(d) for d in inp.dims] == ["8", "?"]
    assert at(assign.name) == "out"
    assert at(assign.chain.head) == "x"
    dense, dropout = assign.chain.steps
    assert at(dense) == "Dense(1)"
    assert at(dense.callee) == "Dense"
    assert at(dense.args[0]) == "1"
    assert at(dropout.args[0]) == "rate=0.5"
    assert at(dropout.args[0].name) == "rate"
    assert at(dropout.args[0].value) == "0.5"
    assert at(assign.chain) == "x\n    -> Dense(1)\n    -> Dropout(rate=0.5)"
    assert at(assign) == text[text.index("out") : text.rindex(")") + 1]


def test_output_spans_cover_their_clauses():
    text = "output y = x -> Dense(1)\n    loss mse weight 0.5 metrics [mae]\n# after\n"
    (out,) = graphdsl.parse(text).statements
    assert text[out.span.start : out.span.end] == text[: text.index("]") + 1]
    assert text[out.loss.span.start : out.loss.span.end] == "mse"
    assert text[out.weight.span.start : out.weight.span.end] == "0.5"


def test_expression_spans():
    text = "param p = (a + 2) * -b\n"
    (stmt,) = graphdsl.parse(text).statements
    e = stmt.value
    assert text[e.span.start : e.span.end] == "(a + 2) * -b"
    assert text[e.right.span.start : e.right.span.end] == "-b"
    assert text[e.left.span.start : e.left.span.end] == "(a + 2)"  # a parenthesised operand keeps its brackets


# ---- equality ignores layout -----------------------------------------------------------------


def test_ir_equality_ignores_spans_and_comments():
    compact = "input x: float32[8]\noutput y = x -> Dense(4, activation=\"relu\") -> Dense(1) loss mse weight 0.5\n"
    spread = (
        "# a comment\n\n  input   x :float32[ 8 ]  # another\n\n"
        "output y =\n  x\n      -> Dense( 4 ,activation = 'relu' , )\n\n -> Dense(1)\n"
        "        loss mse\n   weight 0.5\n"
    )
    assert graphdsl.parse(compact) == graphdsl.parse(spread)
    assert graphdsl.parse(compact) != graphdsl.parse(compact.replace("Dense(1)", "Dense(2)"))
    assert hash(_expr("1")) == hash(_expr("(1)"))


# ---- literals ---------------------------------------------------------------------------------


def test_numbers_int_versus_float():
    assert _expr("3") == _n(3) and type(_expr("3").value) is int
    for text, value in (("3.0", 3.0), ("3.", 3.0), (".5", 0.5), ("1e-3", 1e-3), ("2E+2", 200.0), ("1e3", 1000.0)):
        got = _expr(text)
        assert type(got.value) is float, text
        assert got == _n(value), text
    assert _expr("1") != _expr("1.0")


def test_strings_both_quotes_and_escapes():
    assert _expr('"relu"') == ir.String("relu")
    assert _expr("'relu'") == ir.String("relu")
    assert _expr(r'"a\"b"') == ir.String('a"b')
    assert _expr(r"'it\'s'") == ir.String("it's")
    assert _expr("\"it's\"") == ir.String("it's")
    assert _expr("'say \"hi\"'") == ir.String('say "hi"')
    assert _expr(r'"tab\there\nnew"') == ir.String("tab\there\nnew")
    assert _expr(r'"back\\slash"') == ir.String("back\\slash")
    assert _expr('""') == ir.String("")


def test_constants_tuples_and_lists():
    assert _expr("True") == ir.Bool(True)
    assert _expr("False") == ir.Bool(False)
    assert _expr("None") == ir.NoneLit()
    assert _expr("()") == ir.TupleLit(())
    assert _expr("(3,)") == ir.TupleLit((_n(3),))
    assert _expr("(3)") == _n(3)
    assert _expr("(3, 3)") == ir.TupleLit((_n(3), _n(3)))
    assert _expr("(3, 3,)") == ir.TupleLit((_n(3), _n(3)))
    assert _expr("[]") == ir.ListLit(())
    assert _expr("[1, 2]") == ir.ListLit((_n(1), _n(2)))
    assert _expr("[1, 2,]") == ir.ListLit((_n(1), _n(2)))
    assert _expr("((1, 2), [3])") == ir.TupleLit((ir.TupleLit((_n(1), _n(2))), ir.ListLit((_n(3),))))


def test_arithmetic_precedence_and_associativity():
    a, b, c = ir.Ref("a"), ir.Ref("b"), ir.Ref("c")
    assert _expr("a + b * c") == ir.BinOp("+", a, ir.BinOp("*", b, c))
    assert _expr("a * b + c") == ir.BinOp("+", ir.BinOp("*", a, b), c)
    assert _expr("(a + b) * c") == ir.BinOp("*", ir.BinOp("+", a, b), c)
    assert _expr("a - b - c") == ir.BinOp("-", ir.BinOp("-", a, b), c)
    assert _expr("a // b / c") == ir.BinOp("/", ir.BinOp("//", a, b), c)
    assert _expr("-a * b") == ir.BinOp("*", ir.Neg(a), b)
    assert _expr("a - -b") == ir.BinOp("-", a, ir.Neg(b))
    assert _expr("+a") == a
    assert _expr("--a") == ir.Neg(ir.Neg(a))
    assert _expr("vocab // 2 + 1") == ir.BinOp("+", ir.BinOp("//", ir.Ref("vocab"), _n(2)), _n(1))


# ---- recovery -----------------------------------------------------------------------------------


def test_broken_statement_and_the_rest_parses():
    text = (
        "input x: float32[8]\n"
        "h = x -> Dense(4 4)\n"
        "output y = h -> Dense(1) loss mse\n"
    )
    program, diags = _parse(text)
    assert [type(s).__name__ for s in program.statements] == ["InputDecl", "Broken", "OutputDecl"]
    assert program.statements[1].name == ir.Ident("h")
    assert len(diags) == 1 and diags[0].code == "GD0003"
    assert program.statements[2].chain.steps == (_call("Dense", _pos(_n(1))),)


def test_one_syntax_error_per_statement_and_all_lines_reported():
    text = (
        "input x: float32[8]\n"          # 1
        "a = x -> Dense(4 4 4 4)\n"      # 2: several problems, one error
        "b = x -> Dense(4) Dense(2)\n"   # 3
        "c = x -> Dense(4,, 2)\n"        # 4
        "output y = x -> Dense(1) loss mse\n"
        "output z = x -> ) loss mse\n"   # 6
    )
    program, diags = _parse(text)
    source = SourceFile("<test>", text)
    lines = [source.location(d.span.start).line for d in diags]
    assert lines == [2, 3, 4, 6]
    assert all(d.code == "GD0003" for d in diags)
    kinds = [type(s).__name__ for s in program.statements]
    assert kinds == ["InputDecl", "Broken", "Broken", "Broken", "OutputDecl", "Broken"]


def test_parse_api_raises_with_every_error():
    with pytest.raises(graphdsl.CompileError) as info:
        graphdsl.parse("a = x -> Dense(1 2)\nb = x -> Dense(4) Dense(2)\nc = x -> Dense(1)\nparam = 3\n")
    diags = info.value.diagnostics
    assert [d.line for d in diags] == [1, 2, 4]
    assert {d.code for d in diags} == {"GD0003"}


def test_unclosed_paren_does_not_swallow_the_next_statement():
    text = "input x: float32[8]\nb = x -> Dense(\nc = x -> Dense(1)\noutput y = c -> Dense(1) loss mse\n"
    program, diags = _parse(text)
    assert [type(s).__name__ for s in program.statements] == ["InputDecl", "Broken", "Assign", "OutputDecl"]
    assert [d.code for d in graphdsl.check(text).diagnostics] == ["GD0003"]


def test_assignment_cut_short_at_the_end():
    _program, diags = _parse("x = ")
    assert [d.code for d in diags] == ["GD0003"]


def test_unfinished_assignment_before_a_statement_keyword():
    text = "input x: float32[8]\ny =\noutput z = x -> Dense(1) loss mse\n"
    program, diags = _parse(text)
    assert [type(s).__name__ for s in program.statements] == ["InputDecl", "Broken", "OutputDecl"]
    assert [d.code for d in diags] == ["GD0003"]


def test_keyword_as_name_and_unclosed_string():
    _program, diags = _parse("input loss: float32[8]\n")
    assert [d.code for d in diags] == ["GD0006"]
    _program, diags = _parse("param act = 'relu\ninput x: float32[8]\n")
    assert [d.code for d in diags] == ["GD0002"]


def test_missing_paren_hint_names_the_opener():
    text = "input x: float32[8]\nh = x\n  -> Dense(4\n  -> Dense(1)\n"
    _program, diags = _parse(text)
    (d,) = diags
    assert d.message == "expected ')', found '->'"
    assert d.labels and text[d.labels[0].span.start : d.labels[0].span.end] == "("
    assert d.help == "add ')' to close the '('"


def test_missing_arrow_hint():
    (d,) = _parse("h = x -> Dense(4) Dense(1)\n")[1]
    assert d.message == "expected '->' before 'Dense'"


def test_a_keyword_argument_on_its_own_line_is_an_argument_not_a_statement():
    text = "input x: float32[8]\nz = x -> Dense(4,\n    activation=\"relu\") -> Dense(2)\n"
    program, diags = _parse(text)
    assert diags == []
    (_inp, z) = program.statements
    assert [s.callee.name for s in z.chain.steps] == ["Dense", "Dense"]


def test_after_an_error_inside_brackets_an_argument_line_is_skipped():
    text = "input x: float32[8]\ny = x -> Dense(4 4,\n    units=x\n)\nz = y -> Dense(1)\n"
    program, diags = _parse(text)
    assert [type(s).__name__ for s in program.statements] == ["InputDecl", "Broken", "Assign"]
    assert [(d.code, d.message) for d in diags] == [("GD0003", "expected ',' or ')' before '4'")]


def test_after_an_unclosed_bracket_the_next_statement_reports_its_own_error():
    text = "input x: float32[8]\na = x -> Dense(4 4\nb = x -> Dense(4) Dense(2)\nc = x -> Dense(1)\n"
    program, diags = _parse(text)
    assert [type(s).__name__ for s in program.statements] == ["InputDecl", "Broken", "Broken", "Assign"]
    assert [d.message for d in diags] == ["expected ',' or ')' before '4'", "expected '->' before 'Dense'"]


def test_a_name_that_begins_no_statement_is_reported_in_the_statement_before():
    text = "input x: float32[8]\nh = x -> Dense(4)\nfoo bar\nout = h -> Dense(1)\n"
    program, diags = _parse(text)
    assert [type(s).__name__ for s in program.statements] == ["InputDecl", "Broken", "Assign"]
    assert program.statements[1].name == ir.Ident("h")
    assert [d.message for d in diags] == ["expected '->' before 'foo'"]


# ---- friendly words in every syntax error ------------------------------------------------------

BROKEN_INPUTS = [
    "x = a -> Dense(",
    "x = a -> Dense(1",
    "x = a -> Dense(1 2)",
    "x = a -> Dense(1,, 2)",
    "x = a -> Dense(1))",
    "x = a -> Dense[1]",
    "x = a -> Dense(units=)",
    "x = a -> Dense(=1)",
    "x = a -> -> Dense(1)",
    "x = a ->",
    "x = = a",
    "x = a Dense(1)",
    "x = a -> Dense(1) loss mse",
    "input x float32[8]",
    "input x: float32[8",
    "input x: float32(8)",
    "input x: float32[8,,]",
    "input x = float32[8]",
    "input x: [8]",
    "input: float32[8]",
    "param = 3",
    "param p 3",
    "param p = ",
    "param p = (1, 2",
    "param p = [1, 2",
    "param p = 1 +",
    "param p = * 2",
    "param p = 1 2",
    "layer = Dense(1)",
    "layer l = x",
    "layer l = Dense(1) -> Dense(2)",
    "output y = x -> Dense(1) loss",
    "output y = x -> Dense(1) loss mse weight",
    "output y = x -> Dense(1) metrics accuracy",
    "output y = x -> Dense(1) metrics [accuracy",
    "output y = x -> Dense(1) metrics [,]",
    "output y = x -> Dense(1) loss mse(0.1",
    "output y",
    "output",
    "optimizer",
    "optimizer adam(",
    "optimizer adam(lr 0.1)",
    "model",
    "model 3",
    "x",
    "Dense(1)",
    ") ] ,",
    "x = a -> Dense(1) ]",
    "x = concat(a, b -> Dense(1)",
    "x = a -> Dense(((1)",
    "x = a -> Dense([1, (2])",
    "x = a -> Dense(1, activation=\"relu\" use_bias=True)",
    "x = a -> Dense(1)\n  -> Dropout(0.5\ny = x -> Dense(1)",
    # version 2
    "block f(x) {",
    "block f(x { return x }",
    "block (x) { return x }",
    "block f(x = ) { return x }",
    "block f(x) { y = x -> Dense(\n return y }",
    "block f(x) { return x",
    "}",
    "x = a -> Dense(1) }",
    "a, = x",
    "a, b = ",
    "a, 3 = x",
    "x = a -> repeat(2)",
    "x = a -> repeat(, Dense(1))",
    "x = a -> repeat(2, 3)",
    "x = Dense(1)(a",
    "x = a -> Dense(1)(b)",
    "input x: float32[2 *]",
    "return",
    "return a,",
]


def test_no_internal_terminal_names_in_messages():
    internal = re.compile(r"\b(RPAR|LPAR|RSQB|LSQB|_COMMA|_ARROW|_EQUAL|_COLON|QMARK|DSLASH|NAME|NUMBER|STRING|"
                          r"MINUS|PLUS|STAR|SLASH|\$END|TRUE|FALSE|NONE|MODEL|PARAM|INPUT|LAYER|OUTPUT|LOSS|"
                          r"WEIGHT|METRICS|OPTIMIZER|LBRACE|RBRACE|BLOCK|REPEAT|RETURN)\b")
    seen = 0
    for text in BROKEN_INPUTS:
        _program, diags = _parse(text + "\n")
        assert diags, f"no syntax error for {text!r}"
        for d in diags:
            seen += 1
            for part in (d.message, *(label.message for label in d.labels)):
                assert not internal.search(part), f"{text!r}: {part!r}"
            # help may show a statement's template ("input NAME: DTYPE[DIM, ...]"), never a terminal
            help_words = set(internal.findall(d.help or "")) - {"NAME"}
            assert not help_words, f"{text!r}: {d.help!r}"
    assert seen >= len(BROKEN_INPUTS)


def test_expected_words_read_well():
    (d,) = _parse("input x float32[8]\n")[1]
    assert d.message == "expected ':', found 'float32'"
    (d,) = _parse("param p = \n")[1]
    assert d.message.startswith("expected a value")
    (d,) = _parse("output y = x -> Dense(1) loss\n")[1]
    assert d.message == "expected a name, found the end of the file"


# ---- the committed tables ------------------------------------------------------------------------


def test_committed_tables_match_the_grammar():
    script = ROOT / "scripts" / "gen_parser.py"
    spec = importlib.util.spec_from_file_location("gen_parser_under_test", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    committed = (ROOT / "graphdsl" / "syntax" / "_tables.py").read_text(encoding="utf-8")
    assert module.generate() == committed, "run: python scripts/gen_parser.py"
