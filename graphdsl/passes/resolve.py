"""Name resolution: one namespace, each name defined once, every use defined before it.

Pure: IR -> (Symbols, diagnostics). An unknown name is reported once, at its first use; later
uses of it are silent (the name is then treated as unknown, not as a second error).
"""

from __future__ import annotations

from .. import ir
from ..catalog.merges import get_merge
from ..diagnostics import Diagnostic, Label, Severity
from ..records import Record, record
from ..source import Span
from ..suggest import NamePool

KIND_WORDS = {
    "param": "a param",
    "input": "an input",
    "tensor": "a tensor",
    "output": "an output",
    "layer": "a layer declaration",
    "broken": "a statement with errors",
}


@record(slots=True)
class Definition(Record):
    name: str
    kind: str  # param | input | tensor | output | layer | broken
    index: int  # statement index
    span: Span  # the defining identifier


@record(slots=True)
class Symbols(Record):
    defs: dict[str, Definition]  # first definition of each name
    model_name: str | None
    undefined: frozenset[str]  # names used but never defined (reported once)
    uses: dict[str, int]  # name -> number of uses (for the unused-name lint)
    suggested: frozenset[str] = frozenset()  # names offered as "did you mean": not unused, misspelt
    has_output: bool = True


def _kind(stmt: ir.Statement) -> str:
    return {
        ir.ParamDecl: "param",
        ir.InputDecl: "input",
        ir.Assign: "tensor",
        ir.OutputDecl: "output",
        ir.LayerDecl: "layer",
        ir.Broken: "broken",
    }[type(stmt)]


_LEAVES = frozenset({ir.Number, ir.String, ir.Bool, ir.NoneLit})


def expr_refs(expr) -> list[ir.Ref]:
    """The names an argument expression uses (params, or layers given as arguments)."""
    kind = type(expr)
    if kind in _LEAVES:  # most arguments: a literal
        return []
    if kind is ir.Ref:
        return [expr]
    out: list[ir.Ref] = []
    stack = [expr]
    while stack:
        e = stack.pop()
        kind = type(e)
        if kind is ir.Ref:
            out.append(e)
        elif kind is ir.TupleLit or kind is ir.ListLit:
            stack.extend(reversed(e.items))
        elif kind is ir.BinOp:
            stack += [e.right, e.left]
        elif kind is ir.Neg:
            stack.append(e.operand)
        elif kind is ir.Call:
            stack.extend(reversed([a.value for a in e.args]))
    return out


def _args(out: list, arguments) -> None:
    for a in arguments or ():
        for r in expr_refs(a.value):
            out.append((r, "value"))


def _chain_uses(out: list, c: ir.Chain) -> None:
    head = c.head
    if type(head) is ir.Ref:
        out.append((head, "tensor"))
    else:
        for a in head.args:
            if a.name is None and type(a.value) is ir.Ref:
                out.append((a.value, "tensor"))
            else:
                for r in expr_refs(a.value):
                    out.append((r, "value"))
    for step in c.steps:
        if type(step) is ir.Ref:
            out.append((step, "layer"))
        elif get_merge(step.callee.name) is not None:  # a merge misplaced as a step (GD0115)
            out.extend((a.value, "tensor") for a in step.args if type(a.value) is ir.Ref)
        else:
            _args(out, step.args)


def _uses(stmt: ir.Statement) -> list[tuple[ir.Ref, str]]:
    """(reference, the kind of thing expected there) in source order."""
    out: list[tuple[ir.Ref, str]] = []
    kind = type(stmt)
    if kind is ir.Assign or kind is ir.OutputDecl:
        _chain_uses(out, stmt.chain)
        if kind is ir.OutputDecl:
            if stmt.loss is not None:
                _args(out, stmt.loss.args)
            if stmt.weight is not None:
                out.extend((r, "value") for r in expr_refs(stmt.weight))
            for m in stmt.metrics or ():
                _args(out, m.args)
    elif kind is ir.ParamDecl:
        out.extend((r, "value") for r in expr_refs(stmt.value))
    elif kind is ir.Broken:
        defined = stmt.name.name if stmt.name else None
        out.extend((ir.Ref(n), "any") for n in stmt.names if n != defined)
    elif kind is ir.LayerDecl:
        _args(out, stmt.call.args)
    elif kind is ir.OptimizerDecl:
        _args(out, stmt.spec.args)
    return out


_FITS = {
    "tensor": {"input", "tensor", "output", "broken"},
    "layer": {"layer", "broken"},
    "value": {"param", "broken"},
}
_EXPECTED_WORDS = {
    "tensor": "a tensor (an input, a chain's result or an output)",
    "layer": "a layer (a call such as Dense(8), or a `layer` declaration)",
    "value": "a value (a number, string or param)",
}


_ONCE = {ir.ModelDecl: "model", ir.OptimizerDecl: "optimizer"}


def resolve(program: ir.Program) -> tuple[Symbols, list[Diagnostic]]:
    diags: list[Diagnostic] = []
    defs: dict[str, Definition] = {}
    once: dict[str, ir.ModelDecl | ir.OptimizerDecl] = {}  # statements a program has at most one of
    for index, stmt in enumerate(program.statements):
        word = _ONCE.get(type(stmt))
        if word is not None:
            if word in once:
                diags.append(_twice(word, stmt, once[word]))
            else:
                once[word] = stmt
            continue
        ident = ir.defined_name(stmt)
        if ident is None:
            continue
        first = defs.get(ident.name)
        if first is not None:
            diags.append(
                Diagnostic(
                    "GD0102",
                    Severity.ERROR,
                    f"'{ident.name}' is defined twice",
                    ident.span,
                    labels=(Label(first.span, "first defined here"),),
                    help=_rebinding(stmt, ident.name) or "each name is bound once; give the second one another name",
                )
            )
            continue
        defs[ident.name] = Definition(ident.name, _kind(stmt), index, ident.span)

    # "did you mean" looks at the names defined above the use; all of them together at most a
    # few times each (the pool's budget), however many names are unknown
    ordered = list(defs.values())
    pool = NamePool(((d.name, d.kind) for d in ordered), budget=20_000 + 8 * len(ordered))
    before = 0  # how many of `ordered` are defined above the statement at hand
    undefined: set[str] = set()
    suggested: set[str] = set()
    reported: set[str] = set()
    uses: dict[str, int] = {}
    for index, stmt in enumerate(program.statements):
        while before < len(ordered) and ordered[before].index < index:
            before += 1
        for ref, expected in _uses(stmt):
            d = defs.get(ref.name)
            if expected == "any":
                if d is not None:
                    uses[ref.name] = uses.get(ref.name, 0) + 1
                continue
            if d is None:
                undefined.add(ref.name)
                if ref.name in reported:
                    continue
                reported.add(ref.name)
                hint = pool.suggest(ref.name, before, _FITS[expected]) or pool.suggest(ref.name, before)
                if hint:
                    suggested.add(hint)
                help_ = f"did you mean '{hint}'?" if hint else None
                if expected == "layer" and _is_layer_class(ref.name):  # Keras's habit: a class, not a call
                    help_ = f"did you mean '{ref.name}()'? a layer step is a call, even with no arguments"
                diags.append(Diagnostic("GD0101", Severity.ERROR, f"'{ref.name}' is not defined", ref.span, help=help_))
                continue
            uses[ref.name] = uses.get(ref.name, 0) + 1
            if d.index >= index:
                if (ref.name, "late") in reported:
                    continue
                reported.add((ref.name, "late"))  # type: ignore[arg-type]
                what = "itself" if d.index == index else "later"
                diags.append(
                    Diagnostic(
                        "GD0114",
                        Severity.ERROR,
                        f"'{ref.name}' is used before it is defined" if d.index > index
                        else f"'{ref.name}' is defined in terms of itself",
                        ref.span,
                        labels=(Label(d.span, f"defined {what} here"),),
                        help="define a name above the statements that use it",
                    )
                )
                continue
            if d.kind not in _FITS[expected]:
                diags.append(
                    Diagnostic(
                        "GD0116",
                        Severity.ERROR,
                        f"'{ref.name}' is {KIND_WORDS[d.kind]}, but {_EXPECTED_WORDS[expected]} belongs here",
                        ref.span,
                        labels=(Label(d.span, f"'{ref.name}' is defined here"),),
                        help=_kind_help(d.kind, expected, ref.name),
                    )
                )

    kinds = [d.kind for d in defs.values()]
    has_broken = any(isinstance(stmt, ir.Broken) for stmt in program.statements)
    if "input" not in kinds and not has_broken:
        diags.append(
            Diagnostic("GD0301", Severity.ERROR, "the program declares no input: there is no model to build",
                       None, help="declare one, e.g.: input x: float32[16]")
        )
    if "output" not in kinds and not has_broken:
        diags.append(
            Diagnostic("GD0302", Severity.ERROR, "the program declares no output: there is no model to build",
                       None, help="declare one, e.g.: output y = x -> Dense(1) loss mse")
        )
    model_decl = once.get("model")
    symbols = Symbols(
        defs,
        model_decl.name.name if model_decl else None,
        frozenset(undefined),
        uses,
        frozenset(suggested),
        has_output="output" in kinds or has_broken,
    )
    return symbols, diags


def _kind_help(kind: str, expected: str, name: str) -> str | None:
    if expected == "layer" and kind in ("input", "tensor", "output"):
        return "a chain's steps are layers; to combine two tensors use a merge: concat(a, b) -> ..."
    if expected == "value" and kind in ("input", "tensor", "output"):
        return "arguments are constants; tensors flow through chains (x -> Dense(8))"
    if expected == "tensor" and kind == "layer":
        return f"a layer is applied inside a chain: x -> {name}"
    return None


def _twice(what: str, stmt, first) -> Diagnostic:
    return Diagnostic(
        "GD0118",
        Severity.ERROR,
        f"'{what}' is declared twice",
        stmt.span,
        labels=(Label(first.span, "first declared here"),),
        help=f"keep one '{what}' statement",
    )


def _rebinding(stmt: ir.Statement, name: str) -> str | None:
    """The help for ``x = x -> ...``: a Keras habit (reassigning a Python variable)."""
    chain = getattr(stmt, "chain", None)
    if chain is None or not any(ref.name == name for ref, _ in _uses(stmt)):
        return None
    return (f"a name is bound once, not reassigned as in Python: give the new tensor its own name "
            f"(e.g. {name}_2 = {name} -> ...) and use that name below")


def _is_layer_class(name: str) -> bool:
    from ..catalog import get_layer  # noqa: PLC0415 - only an undefined name pays for the catalog

    return get_layer(name) is not None
