"""Benchmark of `graphdsl lsp`: response times on a 1,000-statement program, over stdio.

Run:  .venv/bin/python benchmarks/bench_lsp.py [--statements N] [--repeat R]

A real client (pygls) starts `python -m graphdsl lsp`, opens a generated program of N statements
(default 1,000: params, an input, ~1,000 three-step chains, an output), then measures, R times
each (default 25): a keystroke (an incremental change) until its diagnostics arrive; hover on a
tensor and on a layer; completion after `->`; go to definition; find references; rename;
document symbols; formatting. Prints the median and the 90th percentile of each, in milliseconds.
A keystroke costs one full check of the file (the front end's throughput); requests are index lookups.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

from lsprotocol import types as T
from pygls.lsp.client import LanguageClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.bench_check import generated_program  # noqa: E402

URI = "file:///bench/program.gd"


def _pos(text: str, offset: int) -> T.Position:
    line = text.count("\n", 0, offset)
    return T.Position(line=line, character=offset - (text.rfind("\n", 0, offset) + 1))


async def run(statements: int, repeat: int) -> dict[str, list[float]]:
    text = generated_program(statements)
    client = LanguageClient("bench", "1")
    diagnostics = asyncio.Queue()

    @client.feature(T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def _diags(params: T.PublishDiagnosticsParams) -> None:
        diagnostics.put_nowait(params)

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    await client.start_io(sys.executable, "-m", "graphdsl", "lsp", env=env)
    await client.initialize_async(T.InitializeParams(capabilities=T.ClientCapabilities()))
    client.initialized(T.InitializedParams())
    client.text_document_did_open(T.DidOpenTextDocumentParams(
        text_document=T.TextDocumentItem(uri=URI, language_id="graphdsl", version=1, text=text)))
    await diagnostics.get()
    doc = T.TextDocumentIdentifier(uri=URI)
    mid = text.index(f"t{statements // 2} = ")
    tensor = _pos(text, mid + 1)
    layer = _pos(text, text.index("Dense", mid) + 1)
    arrow = _pos(text, text.index("-> ", mid) + 3)
    times: dict[str, list[float]] = {k: [] for k in (
        "keystroke -> diagnostics", "hover (tensor)", "hover (layer)", "completion after ->", "definition",
        "references", "rename", "document symbols", "formatting")}
    version = 1
    comment_at = _pos(text, text.index("# step 0") + len("# step 0"))
    for i in range(repeat):
        version += 1
        start = time.perf_counter()
        ch = T.Position(line=comment_at.line, character=comment_at.character + i)
        client.text_document_did_change(T.DidChangeTextDocumentParams(
            text_document=T.VersionedTextDocumentIdentifier(uri=URI, version=version),
            content_changes=[T.TextDocumentContentChangePartial(range=T.Range(start=ch, end=ch), text="x")]))
        while (await diagnostics.get()).version != version:
            pass
        times["keystroke -> diagnostics"].append(time.perf_counter() - start)
        requests = (
            ("hover (tensor)", client.text_document_hover_async(T.HoverParams(text_document=doc, position=tensor))),
            ("hover (layer)", client.text_document_hover_async(T.HoverParams(text_document=doc, position=layer))),
            ("completion after ->", client.text_document_completion_async(
                T.CompletionParams(text_document=doc, position=arrow))),
            ("definition", client.text_document_definition_async(T.DefinitionParams(text_document=doc,
                                                                                  position=tensor))),
            ("references", client.text_document_references_async(T.ReferenceParams(
                text_document=doc, position=tensor, context=T.ReferenceContext(include_declaration=True)))),
            ("rename", client.text_document_rename_async(T.RenameParams(text_document=doc, position=tensor,
                                                                        new_name="renamed"))),
            ("document symbols", client.text_document_document_symbol_async(
                T.DocumentSymbolParams(text_document=doc))),
            ("formatting", client.text_document_formatting_async(T.DocumentFormattingParams(
                text_document=doc, options=T.FormattingOptions(tab_size=4, insert_spaces=True)))),
        )
        for name, coro in requests:
            start = time.perf_counter()
            await coro
            times[name].append(time.perf_counter() - start)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--statements", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=25)
    args = ap.parse_args()
    times = asyncio.run(run(args.statements, args.repeat))
    text = generated_program(args.statements)
    print(f"graphdsl lsp on a {args.statements:,}-statement program ({len(text):,} characters, "
          f"{text.count(chr(10)):,} lines), {args.repeat} runs each")
    print(f"{'request':<28}{'median ms':>10}{'p90 ms':>10}")
    for name, values in times.items():
        values = sorted(values)
        p90 = values[min(len(values) - 1, int(len(values) * 0.9))]
        print(f"{name:<28}{statistics.median(values) * 1000:>10.1f}{p90 * 1000:>10.1f}")


if __name__ == "__main__":
    main()
