"""Arguments, shapes, dtypes, parameter counts, losses: the IR becomes a checked `Graph`.

Walks the statements in order (resolution has made sure every name is defined above its uses).
Each layer call is bound to its Keras signature from the catalog (missing, surplus, unknown and
duplicate arguments; each value against its accepted kind), then its shape and dtype rule is
applied to its input. Whatever fails becomes unknown (None) so that one mistake is reported once:
every later step of that chain, and every chain that uses its result, stays quiet.

Chains, block calls (expanded call by call), layers on several tensors and tensor arithmetic are
`chains.py`; argument binding is `binding.py`. This module runs the statements, checks inputs,
outputs and losses, and assembles the graph: only what the outputs need (a tensor nothing leads
from to an output is not part of the Keras model, so neither are its layers or their weights).
"""

from __future__ import annotations

from collections.abc import Mapping

from .. import catalog, ir
from ..catalog.types import TensorType, fmt_shape
from ..diagnostics import Diagnostic, Label, Severity
from ..graph import ApplyOp, Graph, InputOp, Layer, LossSpec, OutputSpec, op_outputs
from ..source import Span
from ..suggest import suggest
from .chains import MAX_EXPANDED, Consts, Env, State, bind_statement, chain, layer_decl
from .evaluate import UNKNOWN, evaluate, is_unknown
from .resolve import CONSTANT, Symbols
from .sparse import refuse_sparse_inputs

DEFAULT_MAX_PARAMS = 2_000_000_000

__all__ = ["DEFAULT_MAX_PARAMS", "MAX_EXPANDED", "infer"]


def infer(
    program: ir.Program,
    symbols: Symbols,
    overrides: Mapping[str, object] | None = None,
    max_params: int = DEFAULT_MAX_PARAMS,
) -> tuple[Graph | None, dict[str, TensorType | None], list[Diagnostic]]:
    """Returns the graph (None if there were errors here or the program is incomplete), the
    inferred type of every named tensor (None where unknown), and the diagnostics."""
    st = State(symbols)
    st.used_names.update(symbols.defs)
    origins = getattr(overrides, "origins", None) or {}
    overrides = dict(overrides or {})
    _check_overrides(st, program, overrides, origins)

    inputs: list[InputOp] = []
    outputs: list[OutputSpec] = []
    named: list[str] = []
    optimizer = LossSpec("rmsprop", "rmsprop", {})
    env = Env({}, st.params, st.shared, None, "", "", {})
    env.callables = st.callables
    blocks = symbols.blocks or {}
    for stmt in program.statements:
        kind = type(stmt)
        if kind is ir.Assign or kind is ir.Unpack:
            if st.blocks:
                _sites(env, stmt, st)
            bind_statement(st, env, stmt)
            named.extend(n.name for n in ir.defined_names(stmt))
        elif kind is ir.ParamDecl:
            name = stmt.name.name
            if name in overrides:
                st.params[name] = overrides[name]
            else:
                st.params[name] = evaluate(stmt.value, st.params, st.diags, None)
        elif kind is ir.InputDecl:
            op = _input(st, env, stmt)
            if op is not None:
                inputs.append(op)
            named.append(stmt.name.name)
        elif kind is ir.LayerDecl:
            layer_decl(st, env, stmt)
        elif kind is ir.OutputDecl:
            if st.blocks:
                _sites(env, stmt, st)
            out = _output(st, env, stmt)
            named.append(stmt.name.name)
            if out is not None:
                outputs.append(out)
        elif kind is ir.OptimizerDecl:
            spec = _spec(st, stmt.spec, catalog.OPTIMIZERS, "GD0113", "optimizer")
            if spec is not None:
                optimizer = spec
        elif kind is ir.BlockDecl:
            info = blocks.get(stmt.name.name)
            if info is not None and info.decl is stmt:
                _block_decl(st, info)
        elif kind is ir.Broken:
            st.ok = False
            for ident in ir.defined_names(stmt):
                env.tensors[ident.name] = (ident.name, None)

    graph_ops, layers = _needed(st, outputs)
    refuse_sparse_inputs(st, graph_ops, layers)  # Keras's sparse mark on `x * 0.5` (see sparse.py)
    total = sum(layer.params for layer in layers.values())
    if total > max_params and layers:
        biggest = max(layers.values(), key=lambda layer: layer.params)
        st.error(
            "GD0204",
            f"the model has {total:,} parameters, more than the budget of {max_params:,}",
            biggest.span,
            help="shrink the largest layers, or raise the budget (--max-params / max_params=)",
            labels=(Label(biggest.span, f"the largest layer: {biggest.params:,} parameters"),),
        )

    tensors = {name: env.tensors.get(name, (None, None))[1] for name in named}
    if not st.ok or not inputs or not outputs:
        return None, tensors, list(st.diags)
    all_types = {op.tensor: op.type for op in inputs}
    for op in graph_ops:
        for tensor_id, t in op_outputs(op):
            all_types[tensor_id] = t
    graph = Graph(
        model_name=symbols.model_name or "model",
        inputs=tuple(inputs),
        layers=layers,
        ops=tuple(graph_ops),
        outputs=tuple(outputs),
        optimizer=optimizer,
        tensors=all_types,
        named={name: env.tensors[name][0] for name in named if env.tensors.get(name, (None, None))[1] is not None},
        param_count=total,
        params=dict(st.params),
    )
    return graph, tensors, list(st.diags)


def _needed(st, outputs: list[OutputSpec]) -> tuple[list, dict[str, Layer]]:
    """The ops the outputs need, in order, and their layers in the order Keras lists them (first
    use). A tensor nothing leads from to an output is left out, as Keras leaves it out of the
    model (and `check` counts only the weights the model has)."""
    needed = {o.tensor for o in outputs}
    kept = []
    for op in reversed(st.ops):
        if op.tensor in needed or any(t in needed for t, _ty in getattr(op, "more", ())):
            kept.append(op)
            needed.update(op.inputs)
    kept.reverse()
    for shared in st.declared:
        if shared.first_input is not None:
            st.layers[shared.name] = Layer(shared.name, shared.spec.name, shared.args, shared.span, shared.params,
                                           declared=True, calls=shared.calls)
    all_layers = st.layers
    layers: dict[str, Layer] = {}
    for op in kept:
        name = getattr(op, "layer", None)
        if name is not None and name not in layers:
            layers[name] = all_layers[name]
    return kept, layers


def _sites(env: Env, stmt, st: State) -> None:
    """How often the statement calls each block (the calls of a block called more than once are
    numbered in layer names)."""
    from .blocks import call_sites  # noqa: PLC0415

    env.sites = call_sites((stmt,), st.blocks.__contains__)
    env.seen = {}


def _block_decl(st: State, info) -> None:
    """A block's definition: its defaults' values, and its body checked once with every parameter
    unknown (what goes wrong there does not depend on any call; see chains.py)."""
    from .blocks import BlockDef, call_sites  # noqa: PLC0415 - only programs with blocks pay for it

    decl = info.decl
    defaults = {}
    for p in decl.params:
        if p.default is not None:
            defaults[p.name.name] = evaluate(p.default, st.params, st.diags)
    sites = call_sites(decl.body, st.blocks.__contains__)
    block = BlockDef(info, defaults, sites, st.callables | info.layers)
    tensors = {p.name.name: (None, None) for p in decl.params if info.param_kind(p.name.name) != CONSTANT}
    consts = Consts({}, info.defs, st.params)
    env = Env(tensors, consts, {}, info, "", "", sites)
    env.callables = st.callables | info.layers
    st.dry = True
    try:
        for stmt in decl.body:
            kind = type(stmt)
            if kind is ir.Assign or kind is ir.Unpack:
                bind_statement(st, env, stmt)
            elif kind is ir.LayerDecl:
                layer_decl(st, env, stmt)
            elif kind is ir.Return:
                for c in stmt.values:
                    chain(st, env, "return", c, ["return"])
            elif kind is ir.Broken:
                st.ok = False
    finally:
        st.dry = False
    st.blocks[info.name] = block


def _check_overrides(st: State, program: ir.Program, overrides: dict, origins: Mapping) -> None:
    """Every override names a declared param and is a constant. A mistake is shown where the
    override was written (a -D argument), or without a location when it came from Python."""
    declared = [s.name.name for s in program.statements if isinstance(s, ir.ParamDecl)]
    for name in list(overrides):
        origin = origins.get(name)
        if name not in declared:
            hint = suggest(name, declared)
            st.diags.append(Diagnostic(
                "GD0119", Severity.ERROR, f"there is no param '{name}' to override",
                origin.name if origin else None,
                help=f"did you mean '{hint}'?" if hint else (
                    "the program declares no params" if not declared else "params: " + ", ".join(declared)
                ),
                source=origin.source if origin else None,
            ))
            st.ok = False
            del overrides[name]
            continue
        value = overrides[name]
        if _too_large(value):
            st.diags.append(Diagnostic(
                "GD0119", Severity.ERROR, f"the override of param '{name}' is too large",
                origin.value if origin else None,
                help="integers have at most 30 digits, as in a program; no layer is that large",
                source=origin.source if origin else None,
            ))
            st.ok = False
            del overrides[name]
            continue
        if not _is_constant(value):
            st.diags.append(Diagnostic(
                "GD0119", Severity.ERROR, f"the override of param '{name}' is not a constant: {_describe(value)}",
                origin.value if origin else None,
                help="a param is a number, string, True/False/None, or a tuple of those",
                source=origin.source if origin else None,
            ))
            st.ok = False
            del overrides[name]


def _describe(value: object) -> str:
    """A Python value in a message: its type, and a short repr."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def _too_large(value: object) -> bool:
    """An integer longer than a program may write (30 digits): beyond it, even printing the
    number in a message fails (Python's limit on int-to-str conversion)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return abs(value) >= 10**30
    return isinstance(value, tuple) and any(_too_large(v) for v in value)


def _is_constant(value: object) -> bool:
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    return isinstance(value, tuple) and all(_is_constant(v) for v in value)


# ---- inputs ------------------------------------------------------------------------------------


def _input(st: State, env: Env, stmt: ir.InputDecl) -> InputOp | None:
    name = stmt.name.name
    env.tensors[name] = (name, None)
    dtype = stmt.dtype.name
    ok = True
    if dtype not in catalog.DTYPES:
        hint = suggest(dtype, catalog.DTYPES)
        st.error("GD0117", f"unknown dtype '{dtype}'", stmt.dtype.span,
                 help=f"did you mean '{hint}'?" if hint else "dtypes: " + ", ".join(catalog.DTYPES))
        ok = False
    dims = []
    for dim in stmt.dims:
        size = dim.size
        if dim.expr is not None:
            size = evaluate(dim.expr, st.params, st.diags)
            if is_unknown(size):
                ok = False
                continue
            if isinstance(size, bool) or not isinstance(size, int):
                st.error("GD0205", f"an input dimension must be a whole number, not {size!r}", dim.span,
                         help="a dimension is a positive integer, ? (known only at run time) or an expression of "
                         "params that gives one")
                ok = False
                continue
        if size is not None and size < 1:
            st.error("GD0205", f"an input dimension must be at least 1, not {size}", dim.span,
                     help="write ? for a size known only at run time")
            ok = False
        dims.append(size)
    if not ok:
        return None
    t = TensorType(tuple(dims), dtype)
    env.tensors[name] = (name, t)
    return InputOp(name, name, t, stmt.span)


# ---- outputs -----------------------------------------------------------------------------------


def _output(st: State, env: Env, stmt: ir.OutputDecl) -> OutputSpec | None:
    name = stmt.name.name
    ok_before = st.ok
    st.ok = True
    (value,) = chain(st, env, name, stmt.chain, [name], output=True)
    t = value[1]
    if t is not None and value[0] != name:
        # the output's tensor must come from a layer named after the output: add an Identity
        t = st.pooled(catalog.get_layer("Identity").infer({}, t))  # Keras's Identity makes floats float32
        st.layers[name] = Layer(name, "Identity", {}, stmt.chain.span, 0)
        st.add_op(ApplyOp(name, name, (value[0],), t, stmt.chain.span))
    env.tensors[name] = (name, t)
    loss = None
    if stmt.loss is not None:
        loss = _spec(st, stmt.loss, catalog.LOSSES, "GD0111", "loss", t)
        if loss is not None and t is not None:
            message = catalog.check_loss_fits(loss.name, t, st.final_activation.get(name))
            if message:
                st.error("GD0203", message, stmt.loss.span,
                         labels=(Label(stmt.chain.steps[-1].span if stmt.chain.steps else stmt.chain.span,
                                       f"the output is {fmt_shape(t)} {t.dtype}"),))
    weight = 1.0
    if stmt.weight is not None:
        w = evaluate(stmt.weight, st.params, st.diags)
        if w is UNKNOWN:
            st.ok = False
        elif isinstance(w, bool) or not isinstance(w, (int, float)) or w < 0:
            st.error("GD0206", f"a loss weight is a non-negative number, not {w!r}", stmt.weight.span)
        else:
            weight = float(w)
            if stmt.loss is None:
                st.diags.append(Diagnostic("GD0206", Severity.WARNING,
                                           f"output '{name}' has a weight but no loss; the weight does nothing",
                                           stmt.weight.span, help="add a loss, e.g. loss mse"))
    metrics = []
    for m in stmt.metrics or ():
        spec = _spec(st, m, catalog.METRICS, "GD0112", "metric", t)
        if spec is not None:
            metrics.append(spec)
    for spec in (loss, *metrics):
        _logits_of_probabilities(st, spec, st.final_activation.get(name))
    if t is not None and (loss is not None or stmt.loss is None):
        for spec in metrics:
            found = catalog.check_metric_fits(spec.written, spec.kwargs, loss.written if loss else None, t)
            if found and spec.span is not None:
                st.error("GD0203", found[0], spec.span, help=found[1],
                         labels=(Label(loss.span, "the loss, whose targets the metric reads"),)
                         if found[2] and loss is not None and loss.span else ())
    ok = st.ok and t is not None
    st.ok = ok_before and st.ok
    if not ok:
        return None
    return OutputSpec(name, name, t, loss, weight, tuple(metrics), stmt.span)


def _logits_of_probabilities(st: State, spec: LossSpec | None, activation: str | None) -> None:
    """from_logits=True on an output that ends in a softmax or sigmoid applies it twice: Keras
    only warns at training time; say it here, where it was written."""
    if spec is None or spec.kwargs.get("from_logits") is not True:
        return
    act = catalog.ACTIVATIONS.canonical(activation) if activation else None
    if act in ("softmax", "sigmoid") and spec.span is not None:
        st.diags.append(Diagnostic(
            "GD0203", Severity.WARNING,
            f"{spec.written}(from_logits=True) reads the output as logits, but it ends in a {act}: "
            f"the {act} is applied twice", spec.span,
            help=f"drop from_logits=True, or end the output without activation=\"{act}\""))


def _spec(st: State, spec: ir.Spec, registry, code: str, what: str, output: TensorType | None = None
          ) -> LossSpec | None:
    """A loss, metric or optimizer: its name, and each keyword argument's value checked against
    the Keras class it makes (`catalog.compile_args`), and against the output it judges."""
    from ..catalog.compile_args import Output, compile_spec, unusable  # noqa: PLC0415 - only programs with outputs

    written = spec.name.name
    canonical = registry.canonical(written)
    if canonical is None:
        hint = registry.suggest(written)
        st.error(code, f"unknown {what} '{written}'", spec.name.span,
                 help=f"did you mean '{hint}'?" if hint else None)
        return None
    cls = registry.keras_class(written) or registry.keras_class(canonical)
    why = unusable(registry.kind, cls)
    if why is not None:
        st.error("GD0123", f"{what} '{written}' cannot be compiled into a model", spec.name.span, help=why)
        return None
    cspec = compile_spec(registry.kind, cls)
    allowed = [p.name for p in cspec.params] if cspec is not None else []
    kwargs: dict[str, object] = {}
    where: dict[str, Span] = {}  # argument -> its value, where a wrong value is shown
    given: dict[str, Span] = {}  # argument -> the whole `name=value`, for "first given here"
    ok = True
    for arg in spec.args or ():
        if arg.name is None:
            st.error("GD0121", f"arguments of a {what} are given by keyword", arg.span,
                     help=f"e.g. {written}({allowed[0]}=...)" if allowed else None)
            return None
        key = arg.name.name
        if key not in allowed:
            hint = suggest(key, allowed)
            st.error("GD0121", f"{what} '{written}' has no argument '{key}'", arg.name.span,
                     help=f"did you mean '{hint}'?" if hint else (
                         f"it takes: {', '.join(allowed)}" if allowed else "it takes no arguments"))
            return None
        if key in given:
            st.error("GD0108", f"argument '{key}' of {what} '{written}' is given twice", arg.span,
                     labels=(Label(given[key], "first given here"),))
            ok = False
            continue
        where[key], given[key] = arg.value.span, arg.span
        value = evaluate(arg.value, st.params, st.diags, lambda c, k=key: _no_call(st, c, written, k))
        if is_unknown(value):
            st.ok = False
            ok = False
            continue
        kwargs[key] = value
    if not ok:
        return None
    if cspec is not None:
        for p in cspec.params:
            if p.required and p.name not in kwargs:
                st.error("GD0106", f"{what} '{written}' is missing its required argument '{p.name}'", spec.span,
                         help=f"Keras has no default for it: write {written}({p.name}=...)")
                ok = False
        if ok:
            for name, message in cspec.check(kwargs, Output(output)):
                st.error("GD0109", f"{written}({name}=...): {message}", where.get(name, spec.span))
                ok = False
    return LossSpec(canonical, written, kwargs, spec.span) if ok else None


def _no_call(st: State, call: ir.Call, written: str, key: str):
    """A call given to a loss, metric or optimizer argument: graphdsl passes them constants only
    (without this, the argument was silently unknown and the program passed as checked)."""
    st.error("GD0109", f"{written}({key}=...): expected a constant, got {call.callee.name}(...)", call.span,
             help="losses, metrics and optimizers take numbers, strings and True/False/None as arguments")
    return UNKNOWN
