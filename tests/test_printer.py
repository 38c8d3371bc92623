"""The formatter's style, example by example, and its promises on the example programs."""

from pathlib import Path

import pytest

from graphdsl.parser import parse_program
from graphdsl.printer import format_text
from graphdsl.source import SourceFile

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.gd"))


def fmt(text: str) -> str:
    out, diags = format_text(text)
    assert out is not None, diags
    return out


def program(text: str):
    prog, diags = parse_program(SourceFile("t", text))
    assert not diags
    return prog


def comments(text: str) -> list[str]:
    return [c.text.rstrip() for c in parse_program(SourceFile("t", text))[0].comments]


GOLDEN = [
    pytest.param(
        "input   x :float32 [ 8,? ]\noutput y=x->Dense( 1 )loss mse\n",
        "input x: float32[8, ?]\n\noutput y = x -> Dense(1)\n    loss mse\n",
        id="spacing-and-sections",
    ),
    pytest.param(
        "input x: float32[8]\nh = x -> Dense(64, activation = 'relu') -> Dropout(0.5) -> Dense(8) -> Dense(4)\n"
        "output y = h -> Dense(1) loss mse\n",
        'input x: float32[8]\n\nh = x\n    -> Dense(64, activation="relu")\n    -> Dropout(0.5)\n    -> Dense(8)\n'
        "    -> Dense(4)\noutput y = h -> Dense(1)\n    loss mse\n",
        id="four-steps-break",
    ),
    pytest.param(
        "h = x\n  -> Dense(64, activation = 'relu')\n  -> Dropout(0.5)\n  -> Dense(8)\n",
        'h = x -> Dense(64, activation="relu") -> Dropout(0.5) -> Dense(8)\n',
        id="three-steps-join",
    ),
    pytest.param(
        "h = x -> Embedding(input_dim=10000, output_dim=64, mask_zero=True) -> Dense(units=8)\n",
        "h = x\n    -> Embedding(input_dim=10000, output_dim=64, mask_zero=True)\n    -> Dense(units=8)\n",
        id="wider-than-80-breaks",
    ),
    pytest.param(
        "h = x\n  -> Dense(1)\n  -> Dense(2)\n",
        "h = x -> Dense(1) -> Dense(2)\n",
        id="two-steps-join",
    ),
    pytest.param(
        "h = x -> Dense(1234567890123456789012345678) -> Conv1D(filters=1234567890123456789012, kernel_size=3333333)\n",
        "h = x\n    -> Dense(1234567890123456789012345678)\n"
        "    -> Conv1D(filters=1234567890123456789012, kernel_size=3333333)\n",
        id="too-wide-breaks",
    ),
    pytest.param(
        "output y = x -> Dense(1) metrics [ accuracy ,mae, ] weight 2 loss mse(reduction='sum')\n",
        'output y = x -> Dense(1)\n    loss mse(reduction="sum") weight 2 metrics [accuracy, mae]\n',
        id="clauses-canonical-order",
    ),
    pytest.param(
        "param a = 1e-3\nparam b = 1E3\nparam c = .5\nparam d = 007\nparam e = 1e20\nparam f = 2.\n"
        "param g = 1e-6\nparam h = 2.5E-07\n",
        "param a = 0.001\nparam b = 1000.0\nparam c = 0.5\nparam d = 7\nparam e = 1e+20\nparam f = 2.0\n"
        "param g = 1e-6\nparam h = 2.5e-7\n",
        id="numbers",
    ),
    pytest.param(
        "param a = (1 + 2) * 3\nparam b = 1 + (2 * 3)\nparam c = 1 - (2 - 3)\nparam d = (1 - 2) - 3\n"
        "param e = -(1 + 2)\nparam f = --1\nparam g = +1\nparam h = 8 // (2 // 2)\nparam i = -a * b\n",
        "param a = (1 + 2) * 3\nparam b = 1 + 2 * 3\nparam c = 1 - (2 - 3)\nparam d = 1 - 2 - 3\n"
        "param e = -(1 + 2)\nparam f = --1\nparam g = 1\nparam h = 8 // (2 // 2)\nparam i = -a * b\n",
        id="minimal-parentheses",
    ),
    pytest.param(
        "h = x -> Reshape(( 3 , )) -> Foo([1,2,], (3,4), (), [], None, True, False)\n",
        "h = x -> Reshape((3,)) -> Foo([1, 2], (3, 4), (), [], None, True, False)\n",
        id="tuples-and-lists",
    ),
    pytest.param(
        r"""h = x -> A('it\'s', "say \"hi\"", 'back\\slash', 'tab\t', '\q')""" + "\n",
        r"""h = x -> A("it's", "say \"hi\"", "back\\slash", "tab\t", "\\q")""" + "\n",
        id="strings",
    ),
    pytest.param(
        "model m\n\n\n\nparam a = 1\nparam b = 2\n\n\nparam c = 3\ninput x: float32[1]\noptimizer adam\n\n\n",
        "model m\n\nparam a = 1\nparam b = 2\n\nparam c = 3\n\ninput x: float32[1]\n\noptimizer adam\n",
        id="blank-lines",
    ),
    pytest.param(
        "layer d = Dense(4)\nh = x -> d\noutput y = h -> d loss mse\noptimizer adam(learning_rate=1e-3)\n",
        "layer d = Dense(4)\nh = x -> d\noutput y = h -> d\n    loss mse\n\noptimizer adam(learning_rate=0.001)\n",
        id="body-is-one-section",
    ),
    pytest.param(
        "output y = concat(a, b, axis=-1) loss mse weight 0.5\n",
        "output y = concat(a, b, axis=-1)\n    loss mse weight 0.5\n",
        id="merge-head",
    ),
]


@pytest.mark.parametrize(("source", "expected"), GOLDEN)
def test_style(source: str, expected: str) -> None:
    assert fmt(source) == expected
    assert fmt(expected) == expected


COMMENTED = """\
# header comment

# about the model
model m   # trailing, keeps its column
input x: float32[8]  # two spaces
h = x  # after the head
    -> Dense(4)
    # before the second step
    -> Dense(2)  # after the second step
output y = h -> Dense(1)   # after the chain
    loss mse  # after the clauses
# own line between statements
optimizer adam
# at the end
"""

COMMENTED_FORMATTED = """\
# header comment

# about the model
model m   # trailing, keeps its column

input x: float32[8]  # two spaces

h = x  # after the head
    -> Dense(4)
    # before the second step
    -> Dense(2)  # after the second step
output y = h -> Dense(1)   # after the chain
    loss mse  # after the clauses

# own line between statements
optimizer adam
# at the end
"""


def test_comments_stay_in_place() -> None:
    assert fmt(COMMENTED) == COMMENTED_FORMATTED
    assert fmt(COMMENTED_FORMATTED) == COMMENTED_FORMATTED


def test_two_comments_after_one_line_move_above_it() -> None:
    source = "h = concat(a,  # first\n  b)  # second\n"
    assert fmt(source) == "# first\n# second\nh = concat(a, b)\n"
    assert comments(fmt(source)) == comments(source)


def test_comment_inside_a_chain_breaks_it() -> None:
    source = "h = x -> Dense(1,  # units\n  'relu') -> Dense(2)\n"
    assert fmt(source) == 'h = x\n    -> Dense(1, "relu")  # units\n    -> Dense(2)\n'


def test_comment_only_file() -> None:
    assert fmt("  # only a comment   \n\n\n# and another") == "# only a comment\n\n# and another\n"


def test_empty_file() -> None:
    assert fmt("") == ""
    assert fmt("\n\n  \n") == ""


def test_long_code_keeps_a_trailing_comment_two_spaces_away() -> None:
    assert fmt("input    x: float32[8]    # c\n") == "input x: float32[8]       # c\n"
    assert fmt("input x:float32[8]# c\n") == "input x: float32[8]  # c\n"


@pytest.mark.parametrize(
    "source",
    [
        "input x: float32[8\noutput y = x -> Dense(1)\n",
        "output y = x Dense(1)\n",
        "h = x -> Dense('unclosed)\n",
        "h = x -> Dense(1) $\n",
        "output y = x -> Dense(1) loss mse loss mae\n",
        "param input = 3\n",
    ],
)
def test_a_file_with_syntax_errors_is_not_formatted(source: str) -> None:
    out, diags = format_text(source)
    assert out is None
    assert any(d.is_error for d in diags)


CONTRACT = [p for p in EXAMPLES if p.name in ("news.gd", "social.gd", "tiny_resnet.gd", "encoder.gd", "translator.gd")]


@pytest.mark.parametrize("path", CONTRACT, ids=lambda p: p.name)
def test_contract_programs_are_already_canonical(path: Path) -> None:
    text = path.read_text()
    assert fmt(text) == text


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_format_round_trip_even_when_messed_up(path: Path) -> None:
    text = path.read_text()
    assert program(fmt(text)) == program(text)
    assert comments(fmt(text)) == comments(text)
    assert fmt(fmt(text)) == fmt(text)
    messy = "\n\n" + text.replace("\n", "\n\n").replace(" -> ", "->").replace(", ", " ,  ")
    assert program(fmt(messy)) == program(text)
    assert comments(fmt(messy)) == comments(messy)
    assert fmt(fmt(messy)) == fmt(messy)
