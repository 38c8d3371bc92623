"""Text -> IR: one grammar, two engines. Syntax errors become diagnostics; no text raises.

`grammar/graphdsl.lark` is the definition of the language, and both engines parse exactly it:

- **fast** (the default): Lark computes the LALR(1) tables and the lexer's terminals from the
  grammar once (`tables.py`, cached in `_tables.py`); at run time a scanner built from those
  terminals (`lexer.py`) feeds a small driver (`lalr.py`) that runs the automaton over the whole
  token stream and builds the IR at each reduction (`builder.py`). No Lark import, no parse tree,
  no recursion: about twice as fast as Lark's own runtime, and `graphdsl check` does not pay
  Lark's import.
- **lark**: Lark's own LALR parser and basic lexer on the grammar file (`lark_engine.py`), with
  the same callbacks, so it builds the same IR with the same spans. It is the reference: a
  differential test (`tests/test_engines.py`) holds the fast engine to it on every golden file,
  example, generated program and thousands of damaged texts.

Because the automaton runs over the whole text, the grammar alone decides what is accepted and
where a statement ends. Statements are cut apart only to recover from an error, and there too
the automaton decides: the statement being parsed is found on the parse stack (above the topmost
state with a goto on a statement), and parsing restarts where the statement level takes the next
tokens (`recovery.py`). So one syntax error costs one statement, and every independent error is
reported. A block's body (`{ }`) holds statements of the same nonterminal, so recovery in a body
works as at the top level, and a body's `}` is where a broken statement in it ends at the latest.

Module by module: `tables.py` (the grammar file, Lark's tables), `lexer.py` (tokens),
`lalr.py` (the fast driver), `builder.py` (IR callbacks), `recovery.py` (after an error),
`errors.py` (messages), `lark_engine.py` (Lark's parser).
"""

from __future__ import annotations

from ..diagnostics import Diagnostic
from ..ir import Program
from ..source import SourceFile

ENGINES = ("fast", "lark")
RESERVED = (
    "model", "param", "input", "layer", "output", "loss", "weight", "metrics", "optimizer", "block", "repeat", "return",
)


def parse_program(source: SourceFile, engine: str = "fast") -> tuple[Program, list[Diagnostic]]:
    """Parse a whole file with `engine` ("fast" or "lark"). Returns the IR (with `ir.Broken` for
    statements that did not parse) and the syntax diagnostics. Never raises for any text."""
    if engine == "fast":
        from .lalr import parse_program as run  # noqa: PLC0415
    elif engine == "lark":
        from .lark_engine import parse_program as run  # noqa: PLC0415 - Lark is imported only for this engine
    else:
        raise ValueError(f"engine must be one of {', '.join(map(repr, ENGINES))}, not {engine!r}")
    return run(source)


def keywords() -> dict[str, str]:
    """Each keyword and its terminal, as the grammar declares them: ``{"model": "MODEL", ...}``."""
    from .tables import tables  # noqa: PLC0415

    return {word: kind for table in tables()["keywords"].values() for word, kind in table.items()}
