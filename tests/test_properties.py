"""Properties over generated texts (no Keras): the formatter's promises, generated programs check
clean, `check` never raises on any text and keeps its diagnostics inside the text, and a planted
mistake is reported at its place."""

from __future__ import annotations

import re

import lark
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

import graphdsl
from graphdsl.parser import KEYWORDS, grammar_text, parse_program
from graphdsl.printer import format_text
from graphdsl.source import SourceFile, unix_newlines
from graphdsl.testing import Mistake, mutated_texts, programs, programs_with_mistake


def parsed(text: str):
    """The IR as graphdsl reads `text` (a lone CR ends a line, as the API makes sure)."""
    program, diags = parse_program(SourceFile("t", unix_newlines(text)))
    return program, diags


def comment_texts(text: str) -> list[str]:
    return [c.text.rstrip() for c in parsed(text)[0].comments]


def assert_diagnostics_inside(text: str, report) -> None:
    lines = re.split(r"\r\n?|\n", text)  # as SourceFile counts lines
    for d in report.diagnostics:
        assert d.code != "GD0999", (d.message, text)
        if d.line is None:  # about the whole program
            assert d.code in ("GD0301", "GD0302"), (d, text)
            continue
        assert 1 <= d.line <= len(lines), (d, text)
        assert 1 <= d.column <= len(lines[d.line - 1]) + 1, (d, text)
        assert d.line <= d.end_line <= len(lines), (d, text)
        assert 1 <= d.end_column <= len(lines[d.end_line - 1]) + 1, (d, text)
        assert (d.line, d.column) <= (d.end_line, d.end_column), (d, text)


def assert_formatting_promises(text: str) -> None:
    """If `text` formats, the result is a fixed point with the same IR and comments."""
    out, diags = format_text(text)
    assert all(d.code != "GD0999" for d in diags), (diags, text)
    if out is None:
        assert any(d.is_error for d in diags)
        return
    again, _ = format_text(out)
    assert again == out, (text, out)
    before, _ = parsed(text)
    after, after_diags = parsed(out)
    assert not after_diags, (text, out)
    assert after == before
    assert comment_texts(out) == comment_texts(text)
    assert out.endswith("\n") or out == ""
    assert all(line == line.rstrip() for line in out.split("\n"))


# ---- generated programs ----------------------------------------------------------------------


@given(programs())
def test_generated_programs_check_clean(text: str) -> None:
    report = graphdsl.check(text)
    assert report.ok, report.render()
    assert report.diagnostics == [], report.render()
    assert report.param_count is not None


@given(programs(max_inputs=1, max_outputs=1, max_depth=2, shared_layers=False, params=False))
def test_small_programs_check_clean(text: str) -> None:
    assert graphdsl.check(text).diagnostics == []


@given(programs(layers=["Embedding", "LSTM", "Conv1D", "GlobalMaxPooling1D"], min_inputs=2, min_outputs=2))
def test_a_layer_subset_checks_clean(text: str) -> None:
    assert graphdsl.check(text).diagnostics == []


@given(programs())
def test_generated_programs_are_in_canonical_style(text: str) -> None:
    assert format_text(text)[0] == text
    graphdsl.parse(text)


_SMALL = programs(max_inputs=2, max_outputs=2)


@st.composite
def commented(draw) -> str:
    """A generated program with comments after some lines and on lines of their own."""
    lines = draw(_SMALL).split("\n")
    out = []
    for i, line in enumerate(lines):
        if draw(st.integers(0, 3)) == 0:
            indent = draw(st.sampled_from(["", "    ", "  "]))
            out.append(f"{indent}# own {i}")
        if line.strip() and draw(st.integers(0, 2)) == 0:
            line += " " * draw(st.integers(0, 30)) + f"# after {i}"
        if draw(st.integers(0, 6)) == 0:
            out.append("")
        out.append(line)
    return "\n".join(out)


@given(commented())
def test_format_keeps_comments_and_meaning(text: str) -> None:
    assert_formatting_promises(text)
    assert format_text(text)[0] is not None


@given(mutated_texts())
def test_format_of_damaged_texts_keeps_its_promises(text: str) -> None:
    assert_formatting_promises(text)


# ---- check never raises ----------------------------------------------------------------------


@given(mutated_texts())
def test_check_never_raises_on_damaged_programs(text: str) -> None:
    assert_diagnostics_inside(text, graphdsl.check(text))


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_check_never_raises_on_any_text(text: str) -> None:
    assert_diagnostics_inside(text, graphdsl.check(text))


_GRAMMAR = lark.Lark(grammar_text(), start="start")
_WORD = {term: word for word, term in KEYWORDS.items()}
# Padded terminals, so that keywords and names don't run together: texts closer to programs.
_PADDED = {
    **{term: st.just(word + " ") for term, word in _WORD.items()},
    "NAME": st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_]{0,8}\Z").map(lambda s: s + " "),
    "NUMBER": st.from_regex(r"\A(\d{1,4}|\d{0,3}\.\d{1,3})([eE][+-]?\d{1,2})?\Z").map(lambda s: s + " "),
}


@given(from_lark(_GRAMMAR))
def test_check_never_raises_on_texts_of_the_grammar(text: str) -> None:
    assert_diagnostics_inside(text, graphdsl.check(text))


@given(from_lark(_GRAMMAR, explicit=_PADDED))
def test_check_never_raises_on_spaced_texts_of_the_grammar(text: str) -> None:
    assert_diagnostics_inside(text, graphdsl.check(text))
    assert_formatting_promises(text)


# ---- planted mistakes ------------------------------------------------------------------------


@given(programs_with_mistake())
def test_a_planted_mistake_is_reported_at_its_place(case: tuple[str, Mistake]) -> None:
    text, mistake = case
    report = graphdsl.check(text)
    assert_diagnostics_inside(text, report)
    found = [(d.code, d.line, d.column) for d in report.diagnostics]
    assert (mistake.code, mistake.line, mistake.column) in found, (mistake, report.render())
    errors = [d for d in report.errors if (d.code, d.line, d.column) != (mistake.code, mistake.line, mistake.column)]
    assert errors == [], (mistake, report.render())
    assert report.ok == (mistake.code == "GD0303")


@settings(max_examples=10)
@given(st.data())
def test_every_mistake_code_can_be_planted(data) -> None:
    from graphdsl.testing import MISTAKE_CODES  # noqa: PLC0415

    for code in MISTAKE_CODES:
        text, mistake = data.draw(programs_with_mistake(codes=[code], max_inputs=1, max_outputs=1))
        assert mistake.code == code
        assert (code, mistake.line, mistake.column) in [(d.code, d.line, d.column) for d in graphdsl.check(text).diagnostics]
