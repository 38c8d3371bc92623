"""`graphdsl lsp`: the language server, on standard input and output (pygls; no TensorFlow)."""

from __future__ import annotations

NAME = "lsp"


def add_parser(sub) -> None:
    p = sub.add_parser("lsp", help="run the language server on standard input/output (for editors)")
    p.add_argument("--stdio", action="store_true", help="accepted for editors that pass it; stdio is the default")


def run(args) -> int:
    from ..lsp.server import serve  # noqa: PLC0415 - pygls is imported only by this command

    serve()
    return 0
