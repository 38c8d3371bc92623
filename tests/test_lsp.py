"""The language server end to end: a real LSP client (pytest-lsp) talks to `graphdsl lsp` over
standard input/output. Diagnostics as you type, hover, definition, references, rename,
completion, formatting and document symbols; and no TensorFlow in the server process."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as T
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

ROOT = Path(__file__).resolve().parent.parent
URI = "file:///work/model.gd"
PROGRAM = """\
model demo
param width = 2 * 16

input x: float32[8]
input ids: int32[?]

layer shared = Dense(width, activation="relu")
h = x -> shared -> Dropout(0.1)
e = ids -> Embedding(1000, 8) -> GlobalMaxPooling1D()
both = concat(h, e)

output y = both -> Dense(1, activation="sigmoid")
    loss binary_crossentropy weight 0.5 metrics [accuracy]
"""


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "graphdsl", "lsp"],
        server_env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
)
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(
        T.InitializeParams(capabilities=client_capabilities("visual-studio-code"), root_uri="file:///work"))
    yield
    await lsp_client.shutdown_session()


def _pos(text: str, needle: str, nth: int = 0, delta: int = 0) -> T.Position:
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    at += delta
    line = text.count("\n", 0, at)
    return T.Position(line=line, character=at - (text.rfind("\n", 0, at) + 1))


async def _open(client: LanguageClient, text: str = PROGRAM, uri: str = URI) -> None:
    client.text_document_did_open(T.DidOpenTextDocumentParams(text_document=T.TextDocumentItem(uri=uri, language_id="graphdsl", version=1, text=text)))
    await client.wait_for_notification(T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)


@pytest.mark.asyncio
async def test_a_clean_program_has_no_diagnostics(client: LanguageClient):
    await _open(client)
    assert list(client.diagnostics[URI]) == []


@pytest.mark.asyncio
async def test_diagnostics_follow_each_change_with_codes_ranges_severities_and_related_labels(client):
    await _open(client)
    broken = PROGRAM.replace("both = concat(h, e)", "both = concat(h, e)\nh = x -> Dense(4)\nunused = x -> Dense(2)")
    client.text_document_did_change(T.DidChangeTextDocumentParams(
        text_document=T.VersionedTextDocumentIdentifier(uri=URI, version=2),
        content_changes=[T.TextDocumentContentChangeWholeDocument(text=broken)]))
    await client.wait_for_notification(T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    diags = {d.code: d for d in client.diagnostics[URI]}
    twice = diags["GD0102"]
    assert twice.severity == T.DiagnosticSeverity.Error and twice.source == "graphdsl"
    assert twice.range.start == _pos(broken, "h = x -> Dense(4)")
    assert twice.range.end == _pos(broken, "h = x -> Dense(4)", delta=1)
    (related,) = twice.related_information
    assert related.message == "first defined here" and related.location.range.start == _pos(broken, "h = x")
    unused = diags["GD0304"]
    assert unused.severity == T.DiagnosticSeverity.Warning and list(unused.tags) == [T.DiagnosticTag.Unnecessary]
    # an incremental edit that fixes it: rename the second h
    start = _pos(broken, "h = x -> Dense(4)")
    client.text_document_did_change(T.DidChangeTextDocumentParams(
        text_document=T.VersionedTextDocumentIdentifier(uri=URI, version=3),
        content_changes=[T.TextDocumentContentChangePartial(
            range=T.Range(start=start, end=T.Position(line=start.line, character=start.character + 1)), text="g")]))
    await client.wait_for_notification(T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert sorted(d.code for d in client.diagnostics[URI]) == ["GD0304", "GD0304"]


@pytest.mark.asyncio
async def test_hover_shows_shapes_layers_signatures_and_param_values(client):
    await _open(client)
    on = lambda needle, nth=0, delta=1: T.HoverParams(text_document=T.TextDocumentIdentifier(uri=URI), position=_pos(PROGRAM, needle, nth, delta))  # noqa: E731
    tensor = await client.text_document_hover_async(on("both", 1))
    assert "tensor **both**: `(None, 40)` float32" in tensor.contents.value
    assert "Concatenate" in tensor.contents.value
    emb = await client.text_document_hover_async(on("Embedding"))
    assert "output `(None, None, 8)`" in emb.contents.value and "8,000 parameters" in emb.contents.value
    assert "Embedding(input_dim, output_dim, " in emb.contents.value
    assert emb.range.start == _pos(PROGRAM, "Embedding")
    param = await client.text_document_hover_async(on("width", 1))
    assert param.contents.value == "param **width** = `32`"
    shared = await client.text_document_hover_async(on("shared", 1))
    assert 'layer **shared** = `Dense(32, activation="relu")`' in shared.contents.value
    assert "288 parameters, shared by 1 use" in shared.contents.value
    out = await client.text_document_hover_async(on("y = both"))
    assert "loss binary_crossentropy, weight 0.5, metrics accuracy" in out.contents.value
    kwarg = await client.text_document_hover_async(on("activation", 0))
    assert kwarg.contents.value.startswith("`activation` of Dense: an activation name or None")
    assert await client.text_document_hover_async(on("\n\ninput", 0, 0)) is None


@pytest.mark.asyncio
async def test_definition_and_references_of_names_and_layer_declarations(client):
    await _open(client)
    doc = T.TextDocumentIdentifier(uri=URI)
    where = await client.text_document_definition_async(T.DefinitionParams(text_document=doc, position=_pos(PROGRAM, "shared", 1)))
    assert where.range.start == _pos(PROGRAM, "shared")
    refs = await client.text_document_references_async(
        T.ReferenceParams(text_document=doc, position=_pos(PROGRAM, "h = x"),
                          context=T.ReferenceContext(include_declaration=True)))
    assert [r.range.start for r in refs] == [_pos(PROGRAM, "h = x"), _pos(PROGRAM, "(h, e)", delta=1)]
    width = await client.text_document_references_async(
        T.ReferenceParams(text_document=doc, position=_pos(PROGRAM, "width"),
                          context=T.ReferenceContext(include_declaration=False)))
    assert [r.range.start for r in width] == [_pos(PROGRAM, "width", 1)]


@pytest.mark.asyncio
async def test_rename_edits_every_use_and_refuses_keywords_and_taken_names(client):
    await _open(client)
    doc = T.TextDocumentIdentifier(uri=URI)
    prep = await client.text_document_prepare_rename_async(T.PrepareRenameParams(text_document=doc, position=_pos(PROGRAM, "e)")))
    assert prep.start == _pos(PROGRAM, "e)")
    edit = await client.text_document_rename_async(T.RenameParams(text_document=doc, position=_pos(PROGRAM, "e)"), new_name="emb"))
    starts = sorted((e.range.start.line, e.range.start.character) for e in edit.changes[URI])
    assert starts == [(8, 0), (9, 17)] and {e.new_text for e in edit.changes[URI]} == {"emb"}
    for bad in ("loss", "x", "9lives"):
        with pytest.raises(Exception, match="keyword|already defined|not a name"):
            await client.text_document_rename_async(T.RenameParams(text_document=doc, position=_pos(PROGRAM, "e)"), new_name=bad))


@pytest.mark.asyncio
async def test_completion_offers_layers_names_in_scope_and_registry_names(client):
    text = PROGRAM + "z = both -> \noutput w = z -> Dense(1)\n    loss \n"
    await _open(client, text)
    doc = T.TextDocumentIdentifier(uri=URI)

    async def labels(needle: str, delta: int) -> dict[str, T.CompletionItem]:
        got = await client.text_document_completion_async(T.CompletionParams(text_document=doc, position=_pos(text, needle, delta=delta)))
        return {i.label: i for i in got.items}

    steps = await labels("both -> \n", 8)
    assert steps["Conv1D"].insert_text == "Conv1D(${1:filters}, ${2:kernel_size})$0"
    assert steps["Conv1D"].insert_text_format == T.InsertTextFormat.Snippet
    assert "shared" in steps and "h" not in steps
    losses = await labels("    loss \n", 9)
    assert {"mse", "binary_crossentropy", "categorical_crossentropy"} <= set(losses)
    args = await labels("Dense(1)\n", 6)
    assert {"units=", "activation=", "width"} <= set(args)
    heads = await labels("z = ", 4)
    assert {"x", "ids", "h", "e", "both", "concat"} <= set(heads) and "z" not in heads


@pytest.mark.asyncio
async def test_completion_after_activation_metrics_and_optimizer(client):
    text = 'input x: float32[4]\noutput y = x -> Dense(1, activation="\n    loss mse metrics [\noptimizer \n'
    await _open(client, text)
    doc = T.TextDocumentIdentifier(uri=URI)
    for needle, delta, expected in (('activation="', 12, "sigmoid"), ("metrics [", 9, "accuracy"),
                                    ("optimizer ", 10, "adam")):
        got = await client.text_document_completion_async(T.CompletionParams(text_document=doc, position=_pos(text, needle, delta=delta)))
        assert expected in {i.label for i in got.items}, needle


@pytest.mark.asyncio
async def test_formatting_gives_fmt_style_and_nothing_for_a_broken_file(client):
    text = "input x:float32[8]\noutput y=x->Dense(1,activation='sigmoid') loss mse\n"
    await _open(client, text)
    edits = await client.text_document_formatting_async(
        T.DocumentFormattingParams(text_document=T.TextDocumentIdentifier(uri=URI),
                                   options=T.FormattingOptions(tab_size=4, insert_spaces=True)))
    import graphdsl

    assert len(edits) == 1 and edits[0].new_text == graphdsl.format(text)
    await _open(client, "input x: float32[8\n", "file:///work/broken.gd")
    none = await client.text_document_formatting_async(
        T.DocumentFormattingParams(text_document=T.TextDocumentIdentifier(uri="file:///work/broken.gd"),
                                   options=T.FormattingOptions(tab_size=4, insert_spaces=True)))
    assert not none


@pytest.mark.asyncio
async def test_document_symbols_list_every_statement_with_its_shape(client):
    await _open(client)
    symbols = await client.text_document_document_symbol_async(
        T.DocumentSymbolParams(text_document=T.TextDocumentIdentifier(uri=URI)))
    assert [(s.name, s.kind) for s in symbols] == [
        ("demo", T.SymbolKind.Module), ("width", T.SymbolKind.Constant), ("x", T.SymbolKind.Variable),
        ("ids", T.SymbolKind.Variable), ("shared", T.SymbolKind.Class), ("h", T.SymbolKind.Variable),
        ("e", T.SymbolKind.Variable), ("both", T.SymbolKind.Variable), ("y", T.SymbolKind.Event)]
    assert symbols[5].detail == "tensor (None, 32) float32"


@pytest.mark.asyncio
async def test_positions_count_utf16_units_after_wide_characters(client):
    text = "input 𝑥: float32[4]  # 𝑥 is wide\noutput y = 𝑥 -> Dense(1) loss mse\nbad = y -> Dense(0)\n"
    await _open(client, text)
    (d,) = [d for d in client.diagnostics[URI] if d.code == "GD0109"]
    assert d.range.start == T.Position(line=2, character=17)
    hover = await client.text_document_hover_async(
        T.HoverParams(text_document=T.TextDocumentIdentifier(uri=URI), position=T.Position(line=1, character=18)))  # on Dense, after 𝑥 (2 units)
    assert hover.contents.value.startswith("**Dense**")
