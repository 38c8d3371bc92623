"""The graphdsl language server (pygls), on standard input and output: `graphdsl lsp`.

Every change of a document is checked at once (parse, names, shapes; never TensorFlow) and its
diagnostics published; the `Analysis` of the latest version answers hover, definition,
references, rename, completion, formatting and document symbols. Offsets are converted to the
client's position encoding (UTF-16 unless it asks for another) by pygls's codec.
"""

from __future__ import annotations

import asyncio

from lsprotocol import types as T
from pygls.exceptions import JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer

from .. import __version__
from ..source import Span
from .analysis import Analysis

_SEVERITY = {
    "error": T.DiagnosticSeverity.Error,
    "warning": T.DiagnosticSeverity.Warning,
    "note": T.DiagnosticSeverity.Information,
}
_UNUSED = frozenset({"GD0303", "GD0304", "GD0305", "GD0306", "GD0307"})
_ITEM_KIND = {
    "keyword": T.CompletionItemKind.Keyword,
    "layer": T.CompletionItemKind.Class,
    "merge": T.CompletionItemKind.Function,
    "variable": T.CompletionItemKind.Variable,
    "param": T.CompletionItemKind.Constant,
    "field": T.CompletionItemKind.Field,
    "constant": T.CompletionItemKind.Constant,
    "type": T.CompletionItemKind.TypeParameter,
    "value": T.CompletionItemKind.Value,
}
_SYMBOL_KIND = {
    "model": T.SymbolKind.Module,
    "param": T.SymbolKind.Constant,
    "input": T.SymbolKind.Variable,
    "tensor": T.SymbolKind.Variable,
    "output": T.SymbolKind.Event,
    "layer": T.SymbolKind.Class,
    "block": T.SymbolKind.Function,
    "optimizer": T.SymbolKind.Property,
    "broken": T.SymbolKind.Null,
}


class GraphdslServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("graphdsl", __version__)
        self.analyses: dict[str, tuple[int | None, str, Analysis]] = {}

    def analysis(self, uri: str) -> tuple[Analysis, object]:
        """The analysis of the document's current text (computed once per version)."""
        doc = self.workspace.get_text_document(uri)
        cached = self.analyses.get(uri)
        if cached is None or cached[0] != doc.version or cached[1] is not doc.source:
            text = doc.source
            cached = (doc.version, text, Analysis(text, uri.rsplit("/", 1)[-1]))
            self.analyses[uri] = cached
        return cached[2], doc


server = GraphdslServer()


# ---- positions ------------------------------------------------------------------------------


def _at(a: Analysis, doc, line: int | None, column: int | None) -> T.Position:
    """A located diagnostic's 1-based line and column (code points) as an LSP position."""
    if line is None or column is None:  # about the whole file: its first character
        return T.Position(line=0, character=0)
    source = a.report.source
    text = source.line_text(line) if line <= source.line_count else ""
    before = text[: column - 1]
    units = doc.position_codec.client_num_units(before) if hasattr(doc.position_codec, "client_num_units") \
        else len(before.encode("utf-16-le")) // 2
    return T.Position(line=line - 1, character=units)


def _position(a: Analysis, doc, offset: int) -> T.Position:
    loc = a.report.source.location(offset)
    return _at(a, doc, loc.line, loc.column)


def _range(a: Analysis, doc, span: Span) -> T.Range:
    return T.Range(start=_position(a, doc, span.start), end=_position(a, doc, span.end))


def _offset(a: Analysis, doc, pos: T.Position) -> int:
    return doc.offset_at_position(pos)


# ---- diagnostics ----------------------------------------------------------------------------


def diagnostics(a: Analysis, doc, uri: str) -> list[T.Diagnostic]:
    """The LSP emitter: the same located diagnostics the text and JSON emitters print."""
    out = []
    for d in a.report.diagnostics:
        message = d.message + (f"\nhelp: {d.help}" if d.help else "")
        related = [
            T.DiagnosticRelatedInformation(
                T.Location(uri, T.Range(start=_at(a, doc, lb.line, lb.column), end=_at(a, doc, lb.end_line, lb.end_column))),
                lb.message)
            for lb in d.labels
        ]
        out.append(T.Diagnostic(
            range=T.Range(start=_at(a, doc, d.line, d.column), end=_at(a, doc, d.end_line, d.end_column)),
            message=message,
            severity=_SEVERITY.get(d.severity, T.DiagnosticSeverity.Error),
            code=d.code,
            source="graphdsl",
            related_information=related or None,
            tags=[T.DiagnosticTag.Unnecessary] if d.code in _UNUSED else None,
        ))
    return out


def _publish(ls: GraphdslServer, uri: str) -> None:
    a, doc = ls.analysis(uri)
    ls.text_document_publish_diagnostics(
        T.PublishDiagnosticsParams(uri=uri, version=doc.version, diagnostics=diagnostics(a, doc, uri)))


@server.feature(T.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: GraphdslServer, params: T.DidOpenTextDocumentParams) -> None:
    _publish(ls, params.text_document.uri)


@server.feature(T.TEXT_DOCUMENT_DID_CHANGE)
async def did_change(ls: GraphdslServer, params: T.DidChangeTextDocumentParams) -> None:
    # Let the changes already waiting be applied first: a burst of keystrokes is checked once,
    # at its last version, and a request that arrives meanwhile is answered on that version.
    uri = params.text_document.uri
    await asyncio.sleep(0)
    if ls.workspace.get_text_document(uri).version == params.text_document.version:
        _publish(ls, uri)


@server.feature(T.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: GraphdslServer, params: T.DidCloseTextDocumentParams) -> None:
    ls.analyses.pop(params.text_document.uri, None)
    ls.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))


# ---- requests -------------------------------------------------------------------------------


@server.feature(T.TEXT_DOCUMENT_HOVER)
def hover(ls: GraphdslServer, params: T.HoverParams) -> T.Hover | None:
    a, doc = ls.analysis(params.text_document.uri)
    found = a.hover(_offset(a, doc, params.position))
    if found is None:
        return None
    text, span = found
    return T.Hover(contents=T.MarkupContent(kind=T.MarkupKind.Markdown, value=text), range=_range(a, doc, span))


@server.feature(T.TEXT_DOCUMENT_DEFINITION)
def definition(ls: GraphdslServer, params: T.DefinitionParams) -> T.Location | None:
    a, doc = ls.analysis(params.text_document.uri)
    span = a.definition(_offset(a, doc, params.position))
    return T.Location(params.text_document.uri, _range(a, doc, span)) if span is not None else None


@server.feature(T.TEXT_DOCUMENT_REFERENCES)
def references(ls: GraphdslServer, params: T.ReferenceParams) -> list[T.Location]:
    a, doc = ls.analysis(params.text_document.uri)
    spans = a.references(_offset(a, doc, params.position), params.context.include_declaration)
    return [T.Location(params.text_document.uri, _range(a, doc, s)) for s in spans]


@server.feature(T.TEXT_DOCUMENT_PREPARE_RENAME)
def prepare_rename(ls: GraphdslServer, params: T.PrepareRenameParams) -> T.Range | None:
    a, doc = ls.analysis(params.text_document.uri)
    span = a.rename_target(_offset(a, doc, params.position))
    return _range(a, doc, span) if span is not None else None


@server.feature(T.TEXT_DOCUMENT_RENAME, T.RenameOptions(prepare_provider=True))
def rename(ls: GraphdslServer, params: T.RenameParams) -> T.WorkspaceEdit:
    a, doc = ls.analysis(params.text_document.uri)
    try:
        spans = a.rename(_offset(a, doc, params.position), params.new_name)
    except ValueError as err:
        raise JsonRpcInvalidParams(str(err)) from None
    edits = [T.TextEdit(_range(a, doc, s), params.new_name) for s in spans]
    return T.WorkspaceEdit(changes={params.text_document.uri: edits})


@server.feature(T.TEXT_DOCUMENT_COMPLETION, T.CompletionOptions(trigger_characters=[">", "(", "[", ",", '"', " "]))
def completion(ls: GraphdslServer, params: T.CompletionParams) -> T.CompletionList:
    a, doc = ls.analysis(params.text_document.uri)
    items = [
        T.CompletionItem(
            label=it.label,
            kind=_ITEM_KIND.get(it.kind),
            detail=it.detail or None,
            insert_text=it.insert,
            insert_text_format=T.InsertTextFormat.Snippet if it.snippet else T.InsertTextFormat.PlainText,
        )
        for it in a.completion(_offset(a, doc, params.position))
    ]
    return T.CompletionList(is_incomplete=False, items=items)


@server.feature(T.TEXT_DOCUMENT_FORMATTING)
def formatting(ls: GraphdslServer, params: T.DocumentFormattingParams) -> list[T.TextEdit] | None:
    a, doc = ls.analysis(params.text_document.uri)
    result = a.formatted()
    if result is None or result == a.text:
        return None if result is None else []
    return [T.TextEdit(_range(a, doc, Span(0, len(a.text))), result)]


@server.feature(T.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def document_symbols(ls: GraphdslServer, params: T.DocumentSymbolParams) -> list[T.DocumentSymbol]:
    a, doc = ls.analysis(params.text_document.uri)
    return [
        T.DocumentSymbol(name=s.name, kind=_SYMBOL_KIND[s.kind], range=_range(a, doc, s.span),
                         selection_range=_range(a, doc, s.selection), detail=s.detail)
        for s in a.symbols()
    ]


def serve() -> None:
    """Run on standard input/output until the client says exit."""
    server.start_io()
