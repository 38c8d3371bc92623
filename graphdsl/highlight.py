"""A Pygments lexer for graphdsl, so `pygmentize -l graphdsl`, Sphinx and MkDocs highlight programs.

Registered through the ``pygments.lexers`` entry point under the alias ``graphdsl``. It claims no
file extension: ``*.gd`` is GDScript's in Pygments, so name the language in a code block
(```` ```graphdsl ````) or pass ``-l graphdsl``. Keywords, dtypes, layers, merges and the names of
losses, metrics, optimizers and activations come from the parser and the catalog, the lists the
checker itself uses; the TextMate grammar in ``editors/`` is generated from the same lists
(``scripts/gen_textmate.py``). Tokens follow the parser's lexer: anything it refuses (a stray
character, an unclosed string) is an ``Error`` token here too.
"""

from __future__ import annotations

from pygments.lexer import RegexLexer, bygroups, words
from pygments.token import (
    Comment,
    Error,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Whitespace,
)

from . import vocabulary as vocab

__all__ = ["GraphdslLexer"]

_NAME = r"[^\W\d]\w*"


class GraphdslLexer(RegexLexer):
    """graphdsl (`.gd` programs describing Keras functional models)."""

    name = "graphdsl"
    aliases = ["graphdsl"]
    filenames: list[str] = []  # *.gd belongs to GDScript
    mimetypes = ["text/x-graphdsl"]
    url = "https://pypi.org/project/graphdsl/"

    tokens = {
        "root": [
            (r"[ \t\f\r\n]+", Whitespace),
            (r"#[^\n]*", Comment.Single),
            (r'"(?:[^"\\\n]|\\[^\n])*"', String.Double),
            (r"'(?:[^'\\\n]|\\[^\n])*'", String.Single),
            (r"[\"'][^\n]*", Error),  # an unclosed string (GD0002)
            (rf"(model|param|input|layer|output|block)(\s+)({_NAME})",
             bygroups(Keyword.Declaration, Whitespace, Name.Variable)),
            (words(vocab.STATEMENT_KEYWORDS, suffix=r"\b"), Keyword.Declaration),
            (words(vocab.CLAUSE_KEYWORDS, suffix=r"\b"), Keyword),
            (words(vocab.STEP_KEYWORDS, suffix=r"\b"), Keyword),
            (words(vocab.CONSTANTS, suffix=r"\b"), Keyword.Constant),
            (words(vocab.DTYPES, prefix=r"(?<![\w.])", suffix=r"(?=\s*\[)"), Keyword.Type),
            (words(vocab.LAYERS, prefix=r"\b", suffix=r"\b"), Name.Class),
            (words(vocab.MERGES, prefix=r"\b", suffix=r"(?=\s*\()"), Name.Builtin),
            (words(vocab.REGISTRY_NAMES, prefix=r"\b", suffix=r"\b"), Name.Constant),
            (_NAME, Name),
            (r"(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+", Number.Float),
            (r"[0-9]+", Number.Integer),
            (r"->", Operator),
            (r"//|[+\-*/=?]", Operator),
            (r"[()\[\]{},:]", Punctuation),
            (r".", Error),  # anything the parser refuses (GD0001)
        ]
    }
