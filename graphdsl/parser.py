"""The parser's public names (the parser itself is the package `graphdsl.syntax`).

`parse_program(source, engine="fast")` parses a `SourceFile` into the IR and its syntax
diagnostics, with the fast engine or with Lark's own parser (`engine="lark"`); `RESERVED` lists the
keywords no name may be; `KEYWORDS` maps each keyword to its terminal; `grammar_path()` and
`grammar_text()` find the grammar; `build_tables` computes the fast engine's tables with Lark.
"""

from __future__ import annotations

from .syntax import ENGINES, RESERVED, keywords, parse_program
from .syntax.builder import MAX_EXPR_DEPTH
from .syntax.lexer import MAX_NESTING
from .syntax.tables import build_tables, grammar_path, grammar_text

__all__ = [
    "ENGINES", "KEYWORDS", "MAX_EXPR_DEPTH", "MAX_NESTING", "RESERVED", "build_tables", "grammar_path",
    "grammar_text", "parse_program",
]


KEYWORDS = keywords()
