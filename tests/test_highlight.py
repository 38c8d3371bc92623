"""Highlighting: the Pygments lexer (through its entry point) and the generated TextMate grammar
agree with the parser's and the catalog's word lists, and tokenize every program cleanly."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pygments.lexers import get_lexer_for_filename
from pygments.token import Error

from graphdsl import catalog, parser, vocabulary
from graphdsl.highlight import GraphdslLexer

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.gd"))
GOLDEN = sorted((ROOT / "tests" / "golden").glob("*.gd"))
# golden programs whose mistake is lexical: the lexer must flag it, as the parser does. GD0008 (not
# UTF-8) is a file that is not text at all: highlighters never see it, so it is in neither list.
LEXICAL = ("GD0001_", "GD0002_")
NOT_TEXT = ("GD0008_",)
GRAMMAR = ROOT / "editors" / "vscode" / "syntaxes" / "graphdsl.tmLanguage.json"


def _errors(text: str) -> list[str]:
    return [value for token, value in GraphdslLexer().get_tokens(text) if token in Error]


@pytest.mark.parametrize("path", EXAMPLES + [p for p in GOLDEN if not p.name.startswith(LEXICAL + NOT_TEXT)],
                         ids=lambda p: p.stem)
def test_every_example_and_golden_program_tokenizes_without_error_tokens(path):
    assert _errors(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", [p for p in GOLDEN if p.name.startswith(LEXICAL)], ids=lambda p: p.stem)
def test_lexical_mistakes_are_error_tokens(path):
    assert _errors(path.read_text(encoding="utf-8")) != []


def test_lexer_is_declared_as_the_graphdsl_pygments_plugin_and_claims_no_file_extension():
    # an installed copy finds it through the entry point: tests/test_packaging.py
    import tomllib

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert meta["project"]["entry-points"]["pygments.lexers"] == {"graphdsl": "graphdsl.highlight:GraphdslLexer"}
    assert GraphdslLexer.aliases == ["graphdsl"] and GraphdslLexer.filenames == []
    assert get_lexer_for_filename("scene.gd").name == "GDScript"


def test_lexer_kinds_of_tokens():
    tokens = [(str(t), v) for t, v in GraphdslLexer().get_tokens('input x: int32[?]\ny = concat(x, x) -> Dense(4)  # c\n')
              if v.strip()]
    assert ("Token.Keyword.Declaration", "input") in tokens and ("Token.Name.Variable", "x") in tokens
    assert ("Token.Keyword.Type", "int32") in tokens and ("Token.Name.Builtin", "concat") in tokens
    assert ("Token.Name.Class", "Dense") in tokens and ("Token.Comment.Single", "# c") in tokens


def test_vocabulary_is_the_parsers_and_the_catalogs():
    assert set(vocabulary.STATEMENT_KEYWORDS) | set(vocabulary.CLAUSE_KEYWORDS) | set(vocabulary.STEP_KEYWORDS) == set(
        parser.RESERVED)
    assert set(vocabulary.CONSTANTS) == set(parser.KEYWORDS) - set(parser.RESERVED)
    assert set(vocabulary.LAYERS) == set(catalog.LAYERS)
    assert set(vocabulary.MERGES) == set(catalog.MERGES)
    assert set(vocabulary.DTYPES) == set(catalog.DTYPES)
    assert set(vocabulary.REGISTRY_NAMES) == catalog.LOSSES.names | catalog.METRICS.names | catalog.OPTIMIZERS.names


def _words(pattern: str) -> set[str]:
    m = re.search(r"\\b\(\?:([^)]*)\)\\b", pattern)
    assert m, pattern
    return set(m.group(1).split("|"))


def test_textmate_grammar_lists_equal_the_catalogs():
    repo = json.loads(GRAMMAR.read_text(encoding="utf-8"))["repository"]
    assert _words(repo["layer"]["match"]) == set(catalog.LAYERS)
    assert _words(repo["merge"]["match"]) == set(catalog.MERGES)
    assert _words(repo["dtype"]["match"]) == set(catalog.DTYPES)
    assert _words(repo["registry"]["match"]) == (
        catalog.LOSSES.names | catalog.METRICS.names | catalog.OPTIMIZERS.names)
    keywords = set()
    for p in repo["keyword"]["patterns"]:
        keywords |= _words(p["match"])
    assert keywords == set(parser.KEYWORDS)


def test_textmate_grammar_is_fresh():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_textmate.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_textmate_patterns_compile_and_match_like_the_lexer():
    repo = json.loads(GRAMMAR.read_text(encoding="utf-8"))["repository"]
    line = 'layer enc = Bidirectional(GRU(8))  # x'
    assert re.search(repo["declaration"]["match"], line).groups() == ("layer", "enc")
    assert re.search(repo["layer"]["match"], line).group() == "Bidirectional"
    assert re.search(repo["comment"]["match"], line).group() == "# x"
    vscode = json.loads((ROOT / "editors" / "vscode" / "package.json").read_text())
    assert vscode["contributes"]["grammars"][0]["scopeName"] == "source.graphdsl"
