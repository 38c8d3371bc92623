"""The fast engine parses exactly the language of the grammar: it agrees with Lark's own parser.

For every text, both engines accept it or both reject it (a syntax diagnostic or a broken
statement), and for accepted texts the IR is equal node for node, spans and comments included.
The texts: every golden file and example, the parser tests' broken inputs, generated programs,
damaged programs, texts generated from the grammar itself, and programs re-wrapped across lines
(the class of bug where a statement splitter cut valid programs in two).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import lark
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

import graphdsl
from graphdsl import ir
from graphdsl.parser import KEYWORDS, grammar_text, parse_program
from graphdsl.records import Record
from graphdsl.source import SourceFile
from graphdsl.testing import mutated_texts, programs

ROOT = Path(__file__).resolve().parent.parent
CORPUS = sorted((ROOT / "tests" / "golden").glob("*.gd")) + sorted((ROOT / "examples").glob("*.gd"))
MANY = max(settings.default.max_examples, 200)  # per property; the CI profile runs 60 elsewhere


def assert_same(a, b, path: str = "program") -> None:
    """`a` and `b` are the same IR: same types, same values, same spans, field by field."""
    assert type(a) is type(b), (path, a, b)
    if isinstance(a, Record):
        for f in dataclasses.fields(a):
            assert_same(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}")
    elif isinstance(a, (tuple, list)):
        assert len(a) == len(b), (path, a, b)
        for k, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{path}[{k}]")
    else:
        assert a == b, (path, a, b)


def accepted(program: ir.Program, diags) -> bool:
    return not diags and not any(isinstance(s, ir.Broken) for s in program.statements)


def engines_agree(text: str) -> bool:
    """Both engines accept `text` or both reject it; if they accept, the IRs are the same.
    Returns whether it was accepted."""
    fast = parse_program(SourceFile("t", text))
    slow = parse_program(SourceFile("t", text), engine="lark")
    assert accepted(*fast) == accepted(*slow), (text, fast[1][:3], slow[1][:3])
    if accepted(*fast):
        assert_same(fast[0], slow[0])
        assert_same(fast[0].comments, slow[0].comments, "comments")
    return accepted(*fast)


# ---- the test corpus ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", CORPUS, ids=[f"{p.parent.name}/{p.stem}" for p in CORPUS])
def test_engines_agree_on_every_golden_file_and_example(path: Path) -> None:
    engines_agree(path.read_bytes().decode("utf-8", errors="replace"))


def test_engines_agree_on_the_parser_tests_broken_inputs() -> None:
    from test_parser import BROKEN_INPUTS  # noqa: PLC0415

    for text in BROKEN_INPUTS:
        assert not engines_agree(text + "\n"), text


def test_the_examples_are_accepted_by_both_engines() -> None:
    for path in sorted((ROOT / "examples").glob("*.gd")):
        assert engines_agree(path.read_text(encoding="utf-8")), path


# ---- generated texts -----------------------------------------------------------------------------


@settings(max_examples=MANY)
@given(programs(max_inputs=3, max_outputs=3))
def test_engines_agree_on_generated_programs(text: str) -> None:
    assert engines_agree(text)


@settings(max_examples=MANY * 2)
@given(mutated_texts())
def test_engines_agree_on_damaged_programs(text: str) -> None:
    engines_agree(text)


@settings(max_examples=MANY)
@given(st.text(alphabet="ab1_ =->()[],:?+*/\"'#\n.eE\\\t", max_size=80))
def test_engines_agree_on_short_texts_of_program_characters(text: str) -> None:
    engines_agree(text)


_GRAMMAR = lark.Lark(grammar_text(), start="start")
_WORD = {term: word for word, term in KEYWORDS.items()}
_PADDED = {
    **{term: st.just(word + " ") for term, word in _WORD.items()},
    "NAME": st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_]{0,8}\Z").map(lambda s: s + " "),
    "NUMBER": st.from_regex(r"\A(\d{1,4}|\d{0,3}\.\d{1,3})([eE][+-]?\d{1,2})?\Z").map(lambda s: s + " "),
}


@given(from_lark(_GRAMMAR, explicit=_PADDED))
def test_engines_agree_on_texts_of_the_grammar(text: str) -> None:
    engines_agree(text)


# ---- the statement-splitter class of bug -----------------------------------------------------------

_TOKEN = re.compile(r"->|//|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|\w+|\"[^\"\n]*\"|'[^'\n]*'|\S")


@st.composite
def rewrapped(draw) -> tuple[str, str]:
    """A generated program and the same program with line breaks (and indentation) added between
    some of its tokens: after '(' and ',', before '->' and keyword arguments, anywhere."""
    text = draw(programs(max_inputs=2, max_outputs=2, max_depth=4))
    tokens = [m.group() for m in _TOKEN.finditer(text)]
    out = []
    for k, tok in enumerate(tokens):
        out.append(tok)
        nxt = tokens[k + 1] if k + 1 < len(tokens) else ""
        if nxt and draw(st.integers(0, 3)) == 0:
            out.append("\n" + " " * draw(st.integers(0, 8)))
        elif nxt:
            out.append(" ")
    return text, "".join(out) + "\n"


@settings(max_examples=MANY)
@given(rewrapped())
def test_line_breaks_between_tokens_change_nothing(case: tuple[str, str]) -> None:
    original, wrapped = case
    assert engines_agree(wrapped), wrapped
    assert graphdsl.parse(wrapped) == graphdsl.parse(original)


SPLITTER_CASES = [
    # the program: a keyword argument begins a line that later has a '->'
    'input x: float32[8]\nz = x -> Dense(4,\n    activation="relu") -> Dense(2)\noutput y = z -> Dense(1) loss mse\n',
    'input x: float32[8]\nz = x -> Dense(\n    4, activation="relu") -> Dense(2)\noutput y = z -> Dense(1) loss mse\n',
    'input x: float32[8]\nz = x -> Dense(4,\n    activation="relu",\n    use_bias=False) -> Dense(2)\n'
    "output y = z -> Dense(1) loss mse\n",
    'input x: float32[8]\nz = x -> Dense(\nunits=4) -> Dense(\nunits=2)\noutput y = z -> Dense(1) loss mse\n',
    "input x: float32[8, 4]\nz = x -> Bidirectional(LSTM(\n    units=4)) -> Dense(2)\noutput y = z -> Dense(1) loss mse\n",
    'input x: float32[8]\noutput y = x -> Dense(3, activation="softmax") loss categorical_crossentropy(\n'
    "    label_smoothing=0.1)"
    " metrics [\n  accuracy]\n",
    "input x: float32[8]\noutput y = x -> Dense(1) loss mse\noptimizer adam(\nlearning_rate=0.1)\n",
    "param p = (\n1,\n2)\ninput x: float32[8]\noutput y = x -> Dense(1) loss mse\n",
    "input x: float32[8]\nlayer d = Dense(\n    units=1)\noutput y = x -> d loss mse\n",
    "input a: float32[8]\ninput b: float32[8]\nz = concat(a,\n    b,\n    axis=-1) -> Dense(2)\n"
    "output y = z -> Dense(1) loss mse\n",
]


@pytest.mark.parametrize("text", SPLITTER_CASES)
def test_keyword_arguments_on_their_own_lines_are_arguments(text: str) -> None:
    assert engines_agree(text), text
    report = graphdsl.check(text)
    assert report.ok, report.render()


# ---- language version 2 -------------------------------------------------------------------------------

V2_CASES = [
    "input x: float32[8]\nblock f(x,\n    n = 2) {\n    y = x\n        -> Dense(n)\n    return y,\n        x\n}\n"
    "a, b = x -> f(\n    n=3)\noutput y = concat(a, b) -> Dense(1) loss mse\n",
    "input x: float32[8]\nblock f(x) { return x -> Dense(2) }\nblock g(x) { y = x -> f() return y }\n"
    "output y = x -> g() -> repeat(\n2,\nf()) loss mse\n",
    "input q: float32[4, 8]\nattn = MultiHeadAttention(num_heads=2,\n    key_dim=4)(q,\n    q)\n"
    "output y = attn -> Flatten() -> Dense(1) loss mse\n",
    "input x: float32[8]\nh = x +\n    3.0 -> ReLU(6.0)\nk = h * (1 /\n    6)\noutput y = -k\n    -> Dense(1) loss mse\n",
    "param n = 4\ninput x: float32[2 *\n    n]\noutput y = x -> Dense(1) loss mse\n",
    "input t: int32[?]\n_,\n    h,\n    c = t -> Embedding(10, 4) -> LSTM(4, return_state=True)\n"
    "output y = concat(h, c) -> Dense(1) loss mse\n",
]


@pytest.mark.parametrize("text", V2_CASES)
def test_version_2_texts_broken_across_lines_parse_alike_and_check(text: str) -> None:
    assert engines_agree(text), text
    report = graphdsl.check(text)
    assert report.ok, report.render()


V2_EXAMPLES = [(ROOT / "examples" / f"{name}.gd").read_text() for name in ("tiny_resnet", "encoder", "translator")]


@settings(max_examples=MANY)
@given(st.sampled_from(V2_EXAMPLES), st.randoms(use_true_random=False))
def test_line_breaks_between_the_tokens_of_version_2_programs_change_nothing(text: str, rnd) -> None:
    code = "\n".join(line.split("#")[0] for line in text.split("\n"))
    tokens = [m.group() for m in _TOKEN.finditer(code)]
    wrapped = "".join(tok + ("\n" + " " * rnd.randint(0, 6) if rnd.random() < 0.3 else " ") for tok in tokens)
    assert engines_agree(wrapped), wrapped
    assert graphdsl.parse(wrapped) == graphdsl.parse(text)


# ---- the Lark engine through the API ----------------------------------------------------------------


def test_parse_and_check_take_an_engine() -> None:
    text = (ROOT / "examples" / "social.gd").read_text(encoding="utf-8")
    assert graphdsl.parse(text, engine="lark") == graphdsl.parse(text)
    report = graphdsl.check(text, engine="lark")
    assert report.ok and report.param_count == 14_146_316
    with pytest.raises(ValueError, match="engine"):
        graphdsl.check(text, engine="earley")


def test_the_lark_engine_reports_syntax_errors_as_diagnostics() -> None:
    text = "input x: float32[8]\nh = x -> Dense(4 4)\noutput y = h -> Dense(1) loss mse\n"
    with pytest.raises(graphdsl.CompileError) as info:
        graphdsl.parse(text, engine="lark")
    (d,) = info.value.diagnostics
    assert (d.code, d.line, d.column) == ("GD0003", 2, 18)
    assert d.message == "expected ',' or ')' before '4'"
    report = graphdsl.check(text, engine="lark")
    assert [(d.code, d.line) for d in report.diagnostics] == [("GD0003", 2)]


@settings(max_examples=MANY)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=120))
def test_the_lark_engine_never_raises(text: str) -> None:
    report = graphdsl.check(text, engine="lark")
    lines = re.split(r"\r\n?|\n", text)  # a line ends at LF, CRLF or a lone CR
    for d in report.diagnostics:
        assert d.code != "GD0999", d.message
        if d.line is not None:  # None: about the whole program (no input, no output)
            assert 1 <= d.line <= d.end_line <= len(lines)
