"""What the language server knows about one version of a document, and its answers, without LSP
types: hover text, completions, definitions, references, rename edits, symbols.

One `Analysis` per document version: `graphdsl.api.analyze` (parse and check, no TensorFlow),
the `Index` of names, and the facts of the checked graph keyed by source position. Everything
here is plain Python, so it is tested directly as well as through the server.
"""

from __future__ import annotations

import gc
import re

from .. import api, ir
from .. import vocabulary as vocab
from ..catalog import LOSSES, METRICS, OPTIMIZERS, REQUIRED, fmt_value, get_layer, get_merge
from ..graph import op_outputs
from ..parser import KEYWORDS
from ..passes.evaluate import UNKNOWN, evaluate
from ..records import Record, record
from ..render.model import call_text, shape_text
from ..source import Span
from .index import DEF, KWARG, LAYER_CALL, MERGE_CALL, REF, SPEC, TOP, Index

_REGISTRY = {"loss": LOSSES, "metric": METRICS, "optimizer": OPTIMIZERS}
_NAME_RE = re.compile(r"[^\W\d]\w*\Z")


@record
class Item(Record):
    """A completion: `insert` is a snippet when `snippet` is true (``Dense(${1:units})``)."""

    label: str
    kind: str  # keyword | layer | merge | variable | param | field | constant | type | value
    insert: str
    detail: str = ""
    snippet: bool = False


@record
class Symbol(Record):
    name: str
    kind: str  # model | param | input | tensor | output | layer | optimizer
    span: Span  # the whole statement
    selection: Span  # the name
    detail: str


class Analysis:
    """Parse, check and index one text."""

    def __init__(self, text: str, filename: str = "<string>"):
        # like the check itself: many small acyclic objects, nothing for the cyclic collector to find
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._analyze(text, filename)
        finally:
            if collecting:
                gc.enable()

    def _analyze(self, text: str, filename: str) -> None:
        self.text = text
        self.report, self.graph, program = api.analyze_program(text, filename)
        self.program = program if program is not None else ir.Program(())
        self.index = Index(self.program)
        self.params = self._params()
        self.ops_at: dict[int, object] = {}
        self.op_of: dict[str, object] = {}
        self.blocks = None
        if self.graph is not None:
            for op in self.graph.ops:
                self.ops_at.setdefault(op.span.start, op)
                for tensor_id, _t in op_outputs(op):
                    self.op_of[tensor_id] = op
        if program is not None:
            from ..passes.resolve import resolve  # noqa: PLC0415 - the kinds of blocks' parameters

            self.blocks = resolve(program)[0].blocks

    def _params(self) -> dict[str, object]:
        values: dict[str, object] = {}
        for stmt in self.program.statements:
            if isinstance(stmt, ir.ParamDecl):
                values[stmt.name.name] = evaluate(stmt.value, values, [], None)
        return values

    # ---- navigation ------------------------------------------------------------------------

    def _definition_at(self, offset: int):
        o = self.index.at(offset)
        if o is None or o.kind not in (DEF, REF):
            return None, None
        return o, self.index.definition(o)

    def definition(self, offset: int) -> Span | None:
        _o, d = self._definition_at(offset)
        return d.span if d is not None else None

    def references(self, offset: int, include_declaration: bool = True) -> list[Span]:
        _o, d = self._definition_at(offset)
        if d is None:
            return []
        return [s for s in self.index.references(d) if include_declaration or s != d.span]

    def rename_target(self, offset: int) -> Span | None:
        o, d = self._definition_at(offset)
        return o.span if d is not None else None

    def rename(self, offset: int, new_name: str) -> list[Span]:
        """The spans to replace by `new_name`; ValueError (with a message for the person) if the
        new name is not a name, is a keyword, or is taken (in a block's body: by the body)."""
        o, d = self._definition_at(offset)
        if d is None:
            raise ValueError("only a name defined in this program can be renamed")
        if not _NAME_RE.match(new_name):
            raise ValueError(f"'{new_name}' is not a name")
        if new_name in KEYWORDS:
            raise ValueError(f"'{new_name}' is a keyword")
        taken = self.index.locals.get(d.scope, {}) if d.scope != TOP else self.index.defs
        if new_name in taken:
            raise ValueError(f"'{new_name}' is already defined")
        return self.references(offset)

    # ---- hover -----------------------------------------------------------------------------

    def hover(self, offset: int) -> tuple[str, Span] | None:
        """Markdown about what is under `offset`, and the span it is about."""
        o = self.index.at(offset)
        if o is None:
            return None
        text = None
        if o.kind in (DEF, REF):
            d = self.index.definition(o)
            text = self._hover_local(d) if d is not None and d.scope != TOP else self._hover_name(o.name)
        elif o.kind == LAYER_CALL:
            text = self._hover_layer(o.name, o.call)
        elif o.kind == MERGE_CALL:
            text = self._hover_merge(o.name, o.call)
        elif o.kind == SPEC:
            text = self._hover_spec(o.name, o.info)
        elif o.kind == KWARG:
            text = self._hover_kwarg(o.name, o.info)
        return (text, o.span) if text else None

    def _hover_local(self, d) -> str:
        """A name of a block's body: its kind (its shapes depend on the call)."""
        block = self.program.statements[d.statement].name.name
        info = (self.blocks or {}).get(block)
        if d.kind == "parameter":
            kind = info.param_kind(d.name) if info is not None else "either"
            what = {"tensor": "a tensor", "constant": "a constant", "either": "a tensor or a constant"}[kind]
            return f"parameter **{d.name}** of block `{block}`: {what}"
        what = {"tensor": "tensor", "layer": "layer"}.get(d.kind, "name")
        return f"{what} **{d.name}** in block `{block}` (its shape depends on the call)"

    def _hover_name(self, name: str) -> str | None:
        d = self.index.defs.get(name)
        if d is None:
            return f"`{name}` is not defined"
        if d.kind == "block":
            stmt = self.program.statements[d.statement]
            params = ", ".join(p.name.name if p.default is None else f"{p.name.name} = ..." for p in stmt.params)
            calls = [layer for layer in self.graph.layers.values() if layer.calls] if self.graph is not None else []
            made = {c.id for layer in calls for c in layer.calls if c.block == name}
            text = f"block **{name}**({params})"
            if self.graph is not None:
                text += f"\n\ncalled {len(made)} time{'s' if len(made) != 1 else ''}"
            return text
        if d.kind == "param":
            value = self.params.get(name, UNKNOWN)
            shown = "unknown (it has errors)" if value is UNKNOWN else fmt_value(value)
            return f"param **{name}** = `{shown}`"
        if d.kind == "layer":
            return self._hover_declared_layer(name)
        known = self.report.tensors.get(name)
        what = {"input": "input", "tensor": "tensor", "output": "output", "broken": "name"}[d.kind]
        if known is None:
            return f"{what} **{name}**: type unknown (the program has errors here)"
        shape, dtype = known
        lines = [f"{what} **{name}**: `{_shape(shape)}` {dtype}"]
        if self.graph is not None:
            op = self.op_of.get(self.graph.named.get(name, name))
            if op is not None and getattr(op, "layer", None) is not None:
                layer = self.graph.layers[op.layer]
                lines.append(f"made by {layer.class_name} `{layer.name}`")
            elif op is not None:
                lines.append(f"made by tensor arithmetic ({op.op})")
            out = next((o for o in self.graph.outputs if o.name == name), None)
            if out is not None:
                loss = out.loss.written if out.loss else "none (predicted only)"
                lines.append(f"loss {loss}, weight {out.weight:g}" + (
                    f", metrics {', '.join(m.written for m in out.metrics)}" if out.metrics else ""))
        return "\n\n".join(lines)

    def _hover_declared_layer(self, name: str) -> str:
        stmt = self.program.statements[self.index.defs[name].statement]
        lines = [f"layer **{name}**"]
        if isinstance(stmt, ir.LayerDecl):
            spec = get_layer(stmt.call.callee.name)
            layer = self.graph.layers.get(name) if self.graph is not None else None
            if layer is not None:
                lines[0] += f" = `{call_text(layer.class_name, layer.args)}`"
                uses = [op for op in self.graph.ops if op.layer == name]
                lines.append(f"{layer.params:,} parameters, shared by {len(uses)} use{'s' if len(uses) != 1 else ''}")
                lines += [f"- use {i}: `{shape_text(op.type)}`" for i, op in enumerate(uses, 1)]
            if spec is not None:
                lines.append(_signature_block(spec))
        return "\n\n".join(lines)

    def _hover_layer(self, name: str, call: ir.Call | None) -> str | None:
        spec = get_layer(name)
        if spec is None:
            return f"`{name}` is not a layer graphdsl knows"
        lines = [f"**{name}** (keras.layers.{name})"]
        op = self.ops_at.get(call.span.start) if call is not None else None
        if op is not None and self.graph is not None:
            layer = self.graph.layers[op.layer]
            lines.append(f"output `{shape_text(op.type)}` · {layer.params:,} parameters · Keras name `{layer.name}`")
        elif self.graph is None:
            lines.append("shape and parameters: fix the program's errors to see them")
        lines.append(_signature_block(spec))
        return "\n\n".join(lines)

    def _hover_merge(self, name: str, call: ir.Call | None) -> str | None:
        spec = get_merge(name)
        if spec is None:
            return None
        params = ", ".join(f"{p.name}={fmt_value(p.default)}" if p.default is not REQUIRED else p.name
                           for p in spec.params)
        lines = [f"merge **{name}** (keras.layers.{spec.keras_class})"]
        op = self.ops_at.get(call.span.start) if call is not None else None
        if op is not None:
            lines.append(f"output `{shape_text(op.type)}`")
        lines.append(f"```\n{name}(tensor, tensor, ...{', ' + params if params else ''})\n```")
        return "\n\n".join(lines)

    def _hover_spec(self, name: str, what: str) -> str | None:
        registry = _REGISTRY[what]
        canonical = registry.canonical(name)
        if canonical is None:
            return f"unknown {what} `{name}`"
        text = f"{what} **{name}**" + (f" (= `{canonical}`)" if canonical != name else "")
        kwargs = registry.keyword_args(name)
        if kwargs:
            text += "\n\nkeyword arguments: " + ", ".join(f"`{k}`" for k in kwargs)
        return text

    def _hover_kwarg(self, name: str, callee: str) -> str | None:
        spec = get_layer(callee) or get_merge(callee)
        if spec is None:
            return None
        p = next((p for p in spec.params if p.name == name), None)
        if p is None:
            return f"{callee} has no argument `{name}`"
        default = "required" if p.required else f"default `{fmt_value(p.default)}`"
        return f"`{name}` of {callee}: {p.kind.name} ({default})"

    def formatted(self) -> str | None:
        """The text in `graphdsl fmt`'s style, or None if it has syntax errors (as `fmt` refuses)."""
        from ..printer import format_program  # noqa: PLC0415

        syntax = any(d.code < "GD0100" and d.severity == "error" for d in self.report.diagnostics)
        if syntax or any(isinstance(s, ir.Broken) for s in self.program.statements) or not self.program.statements:
            from ..printer import format_text  # noqa: PLC0415 - the formatter's own verdict on odd texts

            return format_text(self.text)[0]
        return format_program(self.program, self.text)

    # ---- symbols ---------------------------------------------------------------------------

    def symbols(self) -> list[Symbol]:
        out = []
        for stmt in self.program.statements:
            if isinstance(stmt, ir.ModelDecl):
                out.append(Symbol(stmt.name.name, "model", stmt.span, stmt.name.span, "model"))
            elif isinstance(stmt, ir.OptimizerDecl):
                out.append(Symbol(stmt.spec.name.name, "optimizer", stmt.span, stmt.spec.name.span, "optimizer"))
            else:
                for ident in ir.defined_names(stmt):
                    if ident.span.end <= ident.span.start:
                        continue
                    kind = self.index.defs[ident.name].kind if ident.name in self.index.defs else "broken"
                    detail = kind
                    known = self.report.tensors.get(ident.name)
                    if known is not None:
                        detail = f"{kind} {_shape(known[0])} {known[1]}"
                    elif isinstance(stmt, ir.LayerDecl):
                        detail = f"layer {stmt.call.callee.name}"
                    elif isinstance(stmt, ir.ParamDecl):
                        value = self.params.get(ident.name, UNKNOWN)
                        detail = f"param = {fmt_value(value)}" if value is not UNKNOWN else "param"
                    elif isinstance(stmt, ir.BlockDecl):
                        detail = "block(" + ", ".join(p.name.name for p in stmt.params) + ")"
                    out.append(Symbol(ident.name, kind, stmt.span, ident.span, detail))
        return out

    # ---- completion ------------------------------------------------------------------------

    def completion(self, offset: int) -> list[Item]:
        return complete(self.text, offset, self.index)


def _shape(shape: tuple) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _signature(spec) -> str:
    parts = [p.name if p.required else f"{p.name}={fmt_value(p.default)}" for p in spec.params]
    return f"{spec.name}({', '.join(parts)})"


def _signature_block(spec) -> str:
    return f"```python\n{_signature(spec)}\n```"


def _layer_snippet(spec) -> str:
    required = [p.name for p in spec.params if p.required]
    inner = ", ".join(f"${{{i}:{name}}}" for i, name in enumerate(required, 1))
    return f"{spec.name}({inner})$0"


# what the text just before the cursor looks like
_WORD_BEFORE = re.compile(r"[^\W\d]?\w*\Z")
_AFTER_ACTIVATION = re.compile(r"activation\s*=\s*[\"'](\w*)\Z")
_AFTER_LOSS = re.compile(r"\bloss\s+\w*\Z")
_AFTER_OPTIMIZER = re.compile(r"^\s*optimizer\s+\w*\Z", re.M)
_IN_METRICS = re.compile(r"\bmetrics\s*\[[^\]\n]*\Z")
_AFTER_ARROW = re.compile(r"->\s*\w*\Z")
_AFTER_LAYER_DECL = re.compile(r"^\s*layer\s+\w+\s*=\s*\w*\Z", re.M)
_AFTER_ASSIGN = re.compile(r"^\s*(?:output\s+)?\w+\s*=\s*\w*\Z", re.M)
_AFTER_DTYPE = re.compile(r"^\s*input\s+\w+\s*:\s*\w*\Z", re.M)
_LINE_START = re.compile(r"(?:^|\n)[ \t]*\w*\Z")
_CALL_OPEN = re.compile(r"([^\W\d]\w*)\s*\(\Z")


def _open_call(before: str) -> str | None:
    """The callee of the innermost unclosed '(' on the current statement's text, if any."""
    depth = 0
    for i in range(len(before) - 1, max(-1, len(before) - 2000), -1):
        ch = before[i]
        if ch == ")":
            depth += 1
        elif ch == "(":
            if depth == 0:
                m = _CALL_OPEN.search(before[: i + 1])
                return m.group(1) if m else None
            depth -= 1
        elif ch == "\n" and before[i + 1 : i + 2] not in (" ", "\t", "-", ")", "") and depth == 0:
            return None  # a new statement began
    return None


def complete(text: str, offset: int, index: Index) -> list[Item]:
    """Completions at `offset`, from the text before it (it may not parse yet)."""
    before = text[max(0, offset - 4000) : offset]
    in_scope = index.defined_before(offset)
    names = lambda kinds, what: [  # noqa: E731
        Item(d.name, what, d.name, d.kind) for d in in_scope if d.kind in kinds]
    if _AFTER_ACTIVATION.search(before):
        return [Item(a, "value", a, "activation") for a in vocab.ACTIVATION_NAMES]
    if _AFTER_LOSS.search(before):
        return [Item(n, "value", n, "loss") for n in vocab.LOSS_NAMES]
    if _IN_METRICS.search(before):
        return [Item(n, "value", n, "metric") for n in vocab.METRIC_NAMES]
    if _AFTER_OPTIMIZER.search(before):
        return [Item(n, "value", n, "optimizer") for n in vocab.OPTIMIZER_NAMES]
    if _AFTER_DTYPE.search(before):
        return [Item(t, "type", t + "[${1}]$0", "dtype", snippet=True) for t in vocab.DTYPES]
    callee = _open_call(before)
    if callee is not None:
        spec = get_layer(callee)
        if spec is not None:
            items = [Item(f"{p.name}=", "field", f"{p.name}=", f"{p.kind.name}" + (
                "" if p.required else f", default {fmt_value(p.default)}")) for p in spec.params]
            return items + names({"param", "parameter"}, "param") + _layers()
        merge = get_merge(callee)
        if merge is not None:
            return names({"input", "tensor", "output", "parameter"}, "variable") + [
                Item(f"{p.name}=", "field", f"{p.name}=", p.kind.name) for p in merge.params]
        if callee in LOSSES or callee in METRICS or callee in OPTIMIZERS:
            registry = next(r for r in (LOSSES, METRICS, OPTIMIZERS) if callee in r)
            return [Item(f"{k}=", "field", f"{k}=", registry.kind) for k in registry.keyword_args(callee) or ()]
        return names({"param", "parameter"}, "param")
    if _AFTER_ARROW.search(before) or _AFTER_LAYER_DECL.search(before):
        declared = [] if _AFTER_LAYER_DECL.search(before) else names({"layer", "block"}, "variable")
        return declared + _layers()
    if _AFTER_ASSIGN.search(before):
        return names({"input", "tensor", "output", "parameter", "block"}, "variable") + [
            Item(m, "merge", f"{m}(${{1:a}}, ${{2:b}})$0", "merge", snippet=True) for m in vocab.MERGES]
    if _LINE_START.search(before):
        words = vocab.STATEMENT_KEYWORDS + vocab.CLAUSE_KEYWORDS
        return [Item(k, "keyword", k, "keyword") for k in words]
    return names({"param", "input", "tensor", "output", "layer", "block", "parameter"}, "variable")


_LAYER_ITEMS: list[Item] = []


def _layers() -> list[Item]:
    if not _LAYER_ITEMS:
        for name in vocab.LAYERS:
            spec = get_layer(name)
            _LAYER_ITEMS.append(Item(name, "layer", _layer_snippet(spec), _signature(spec), snippet=True))
    return _LAYER_ITEMS
