"""Arguments, shapes, dtypes, parameter counts, losses: the IR becomes a checked `Graph`.

Walks the statements in order (resolution has made sure every name is defined above its uses).
Each layer call is bound to its Keras signature from the catalog (missing, surplus, unknown and
duplicate arguments; each value against its accepted kind), then its shape and dtype rule is
applied to its input. Whatever fails becomes unknown (None) so that one mistake is reported once:
every later step of that chain, and every chain that uses its result, stays quiet.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .. import catalog, ir
from ..catalog.types import LayerValue, ObjectValue, ShapeError, TensorType, fmt_shape
from ..diagnostics import Diagnostic, Label, Severity
from ..graph import ApplyOp, Graph, InputOp, Layer, LossSpec, OutputSpec
from ..source import Span
from ..suggest import suggest
from .evaluate import UNKNOWN, evaluate, is_unknown
from .resolve import Symbols

DEFAULT_MAX_PARAMS = 2_000_000_000


class _Shared:
    """A `layer` declaration: one object, validated once, built by its first use."""

    __slots__ = ("spec", "args", "span", "first_input", "first_span", "params")

    def __init__(self, spec: catalog.LayerSpec, args: Mapping[str, object], span: Span):
        self.spec = spec
        self.args = args
        self.span = span
        self.first_input: TensorType | None = None
        self.first_span: Span | None = None
        self.params = 0


class _State:
    """What inference has found so far (mutable, private to one run of `infer`)."""

    __slots__ = ("symbols", "diags", "params", "types", "shared", "layers", "ops", "used_names", "next_suffix",
                 "final_activation", "ok", "type_pool")

    def __init__(self, symbols: Symbols, diags: list[Diagnostic]):
        self.symbols = symbols
        self.diags = diags
        self.params: dict[str, object] = {}
        self.types: dict[str, TensorType | None] = {}
        self.shared: dict[str, _Shared | None] = {}
        self.layers: dict[str, Layer] = {}
        self.ops: list[ApplyOp] = []
        self.used_names: set[str] = set()
        self.next_suffix: dict[str, int] = {}  # base -> the suffix to try next
        self.final_activation: dict[str, str | None] = {}
        self.ok = True
        self.type_pool: dict[tuple, TensorType] = {}  # (shape, dtype) -> the one TensorType

    def error(self, code: str, message: str, span: Span, labels=(), help: str | None = None) -> None:
        self.diags.append(Diagnostic(code, Severity.ERROR, message, span, tuple(labels), help))
        self.ok = False

    def unique(self, base: str) -> str:
        """`base`, or `base_2`, `base_3`, ...: the first not used yet. Each base remembers where it
        got to, so a chain of 10,000 Dense layers costs 10,000 tries, not 50 million."""
        n = self.next_suffix.get(base)
        if n is None:
            if base not in self.used_names:
                self.used_names.add(base)
                self.next_suffix[base] = 2
                return base
            n = 2
        name = f"{base}_{n}"
        while name in self.used_names:
            n += 1
            name = f"{base}_{n}"
        self.used_names.add(name)
        self.next_suffix[base] = n + 1
        return name


_SNAKE: dict[str, str] = {}


def _snake(class_name: str) -> str:
    """`Conv1D` -> `conv1d`, `GlobalMaxPooling1D` -> `global_max_pooling1d` (remembered: a program
    names few layer classes, many times)."""
    snake = _SNAKE.get(class_name)
    if snake is None:
        s = re.sub(r"(?<=[a-z])([A-Z])", r"_\1", class_name)
        s = re.sub(r"(?<=[A-Z])([A-Z][a-z])", r"_\1", s)
        snake = _SNAKE[class_name] = s.lower()
    return snake


def infer(
    program: ir.Program,
    symbols: Symbols,
    overrides: Mapping[str, object] | None = None,
    max_params: int = DEFAULT_MAX_PARAMS,
) -> tuple[Graph | None, dict[str, TensorType | None], list[Diagnostic]]:
    """Returns the graph (None if there were errors here or the program is incomplete), the
    inferred type of every named tensor (None where unknown), and the diagnostics."""
    st = _State(symbols, [])
    st.used_names.update(symbols.defs)
    origins = getattr(overrides, "origins", None) or {}
    overrides = dict(overrides or {})
    _check_overrides(st, program, overrides, origins)

    inputs: list[InputOp] = []
    outputs: list[OutputSpec] = []
    named: list[str] = []
    optimizer = LossSpec("rmsprop", "rmsprop", {})
    for stmt in program.statements:
        if isinstance(stmt, ir.ParamDecl):
            name = stmt.name.name
            if name in overrides:
                st.params[name] = overrides[name]
            else:
                st.params[name] = evaluate(stmt.value, st.params, st.diags, None)
        elif isinstance(stmt, ir.InputDecl):
            op = _input(st, stmt)
            if op is not None:
                inputs.append(op)
                named.append(op.tensor)
        elif isinstance(stmt, ir.LayerDecl):
            _layer_decl(st, stmt)
        elif isinstance(stmt, ir.Assign):
            st.types[stmt.name.name] = _chain(st, stmt.name.name, stmt.chain, output=False)
            named.append(stmt.name.name)
        elif isinstance(stmt, ir.OutputDecl):
            out = _output(st, stmt)
            named.append(stmt.name.name)
            if out is not None:
                outputs.append(out)
        elif isinstance(stmt, ir.OptimizerDecl):
            spec = _spec(st, stmt.spec, catalog.OPTIMIZERS, "GD0113", "optimizer")
            if spec is not None:
                optimizer = spec
        elif isinstance(stmt, ir.Broken):
            st.ok = False
            if stmt.name is not None:
                st.types[stmt.name.name] = None

    for name, shared in st.shared.items():
        if shared is not None and shared.first_input is not None:
            st.layers[name] = Layer(name, shared.spec.name, shared.args, shared.span, shared.params, declared=True)

    total = sum(layer.params for layer in st.layers.values())
    if total > max_params and st.layers:
        biggest = max(st.layers.values(), key=lambda layer: layer.params)
        st.error(
            "GD0204",
            f"the model has {total:,} parameters, more than the budget of {max_params:,}",
            biggest.span,
            help="shrink the largest layers, or raise the budget (--max-params / max_params=)",
            labels=(Label(biggest.span, f"the largest layer: {biggest.params:,} parameters"),),
        )

    tensors = {name: st.types.get(name) for name in named}
    if not st.ok or not inputs or not outputs:
        return None, tensors, st.diags
    # Keras lists layers in creation order: make the dict order follow first use (layers no op
    # uses, if any, last, in their own order)
    all_layers = st.layers
    layers: dict[str, Layer] = {}
    for op in st.ops:
        if op.layer not in layers:
            layers[op.layer] = all_layers[op.layer]
    for name, layer in all_layers.items():
        layers.setdefault(name, layer)
    all_types = {op.tensor: op.type for op in inputs}
    all_types.update({op.tensor: op.type for op in st.ops})
    graph = Graph(
        model_name=symbols.model_name or "model",
        inputs=tuple(inputs),
        layers=layers,
        ops=tuple(st.ops),
        outputs=tuple(outputs),
        optimizer=optimizer,
        tensors=all_types,
        named=tuple(named),
        param_count=total,
        params=dict(st.params),
    )
    return graph, tensors, st.diags


def _check_overrides(st: _State, program: ir.Program, overrides: dict, origins: Mapping) -> None:
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


def _input(st: _State, stmt: ir.InputDecl) -> InputOp | None:
    name = stmt.name.name
    st.types[name] = None
    dtype = stmt.dtype.name
    ok = True
    if dtype not in catalog.DTYPES:
        hint = suggest(dtype, catalog.DTYPES)
        st.error("GD0117", f"unknown dtype '{dtype}'", stmt.dtype.span,
                 help=f"did you mean '{hint}'?" if hint else "dtypes: " + ", ".join(catalog.DTYPES))
        ok = False
    for dim in stmt.dims:
        if dim.size is not None and dim.size < 1:
            st.error("GD0205", f"an input dimension must be at least 1, not {dim.size}", dim.span,
                     help="write ? for a size known only at run time")
            ok = False
    if not ok:
        return None
    t = TensorType(tuple(d.size for d in stmt.dims), dtype)
    st.types[name] = t
    return InputOp(name, name, t, stmt.span)


# ---- layers ------------------------------------------------------------------------------------


def _bind(st: _State, spec, call: ir.Call, keyword_only_all: bool = False) -> dict | None:
    """Bind a call's arguments to the spec's parameters and check each value.
    Returns the arguments by parameter name, or None when something was wrong (reported)."""
    bound: dict[str, object] = {}
    where: dict[str, Span] = {}
    ok = True
    positional, by_name, required = _signature(spec)
    if keyword_only_all:
        positional = ()
    index = 0
    for arg in call.args:
        if arg.name is None:
            if index >= len(positional):
                names = ", ".join(p.name for p in positional) or "none"
                st.error(
                    "GD0107",
                    f"{spec.name} takes {len(positional)} positional argument{'s' if len(positional) != 1 else ''}"
                    f", but more are given",
                    arg.span,
                    help=f"its positional parameters are: {names}; give the others by keyword"
                    if positional else "give arguments by keyword, e.g. axis=-1",
                )
                ok = False
                break
            param = positional[index]
            index += 1
        else:
            param = by_name.get(arg.name.name)
            if param is None:
                names = [p.name for p in spec.params]
                hint = suggest(arg.name.name, names)
                old = catalog.old_argument(arg.name.name, frozenset(names))
                if arg.name.name == "name":
                    help_ = "Keras layer names come from the program (the output's name, the declared layer's name)"
                elif old is not None:
                    help_ = old
                else:
                    help_ = f"did you mean '{hint}'?" if hint else f"{spec.name} takes: {', '.join(names)}"
                st.error("GD0105", f"{spec.name} has no argument '{arg.name.name}'", arg.name.span, help=help_)
                ok = False
                continue
        if param.name in bound or param.name in where:
            st.error("GD0108", f"argument '{param.name}' of {spec.name} is given twice", arg.span,
                     labels=(Label(where[param.name], "first given here"),))
            ok = False
            continue
        where[param.name] = arg.span
        value = evaluate(arg.value, st.params, st.diags, lambda c, p=param: _call_value(st, c, p))
        if is_unknown(value):
            ok = False
            bound[param.name] = UNKNOWN
            continue
        # Keras's own default is always acceptable, even for a parameter graphdsl otherwise refuses
        is_default = value == param.default and type(value) is type(param.default)
        message = None if is_default else param.kind.check(value)
        if message is not None:
            hint = _did_you_mean(message)
            if hint:
                message = message[: message.rindex("; did you mean")]
            if message.startswith("unknown activation"):
                st.error("GD0110", message, arg.value.span, help=hint)
            else:
                st.error("GD0109", f"{spec.name}({param.name}=...): {message}", arg.value.span, help=hint)
            ok = False
            continue
        bound[param.name] = value
    for name in required:
        if name not in where:
            st.error("GD0106", f"{spec.name} is missing its required argument '{name}'", call.span,
                     help=f"add it, e.g. {spec.name}({name}=...)")
            ok = False
    if ok and isinstance(spec, catalog.LayerSpec):
        advice = spec.advice(bound)
        if advice is not None:
            st.diags.append(Diagnostic("GD0129", Severity.WARNING, advice[0], call.span, help=advice[1]))
    return bound if ok else None


_SIGNATURES: dict[int, tuple] = {}


def _signature(spec) -> tuple[tuple, dict, tuple[str, ...]]:
    """A layer's or merge's parameters arranged for binding: the positional ones, all by name, and
    the names of the required ones; worked out once per spec, not once per call."""
    cached = _SIGNATURES.get(id(spec))
    if cached is None or cached[0] is not spec:  # (a spec is kept in its entry: its id stays its own)
        if len(_SIGNATURES) > 4096:  # a catalog that makes specs afresh must not grow this forever
            _SIGNATURES.clear()
        params = spec.params
        cached = _SIGNATURES[id(spec)] = (
            spec,
            tuple(p for p in params if not getattr(p, "keyword_only", False)),
            {p.name: p for p in reversed(params)},  # the first of a name wins, as a scan would find it
            tuple(p.name for p in params if p.required),
        )
    return cached[1:]


def _did_you_mean(message: str) -> str | None:
    m = re.search(r"; (did you mean .*\?)$", message)
    return m.group(1) if m else None


def _lookup_layer(st: _State, callee: ir.Ident):
    spec = catalog.get_layer(callee.name)
    if spec is not None:
        return spec
    name = callee.name
    aliases = catalog.LAYER_ALIASES
    if name in aliases:
        st.error("GD0103", f"unknown layer '{name}'", callee.span,
                 help=f"graphdsl spells Keras's alias {name} as '{aliases[name]}'")
    elif name == "Lambda" or name in catalog.KNOWN_UNSUPPORTED:
        st.error("GD0104", f"{name} is a Keras layer that graphdsl does not support", callee.span,
                 help="graphdsl builds only layers it can check (and never runs code); "
                 "see the README's list of supported layers")
    elif catalog.get_merge(name) is not None:
        st.error("GD0115", f"'{name}' is a merge; a merge begins a chain", callee.span,
                 help=f"write: t = {name}(a, b) -> ...")
    else:
        hint = suggest(name, list(catalog.LAYERS))
        st.error("GD0103", f"unknown layer '{name}'", callee.span,
                 help=f"did you mean '{hint}'?" if hint else None)
    return None


def _call_value(st: _State, call: ir.Call, param):
    """An argument written as a call: a layer (``Bidirectional(LSTM(8))``) or a Keras object
    (``kernel_regularizer=L2(1e-4)``), as the parameter's kind expects."""
    from ..catalog.objects import find_object, get_object, object_names  # noqa: PLC0415 - few programs need them

    family = param.kind.family
    name = call.callee.name
    if family in ("initializer", "regularizer", "constraint"):
        spec = get_object(family, name)
        if spec is None:
            other = find_object(name)
            if other is not None:
                st.error("GD0109", f"{name} is {_article(other.family)} {other.family}, but '{param.name}' takes "
                         f"{_article(family)} {family}", call.callee.span,
                         help="classes: " + ", ".join(object_names(family)))
            elif catalog.get_layer(name) is not None:
                st.error("GD0109", f"{name} is a layer, but '{param.name}' takes {_article(family)} {family}",
                         call.callee.span, help="classes: " + ", ".join(object_names(family)))
            else:
                hint = suggest(name, object_names(family))
                st.error("GD0122", f"unknown {family} class '{name}'", call.callee.span,
                         help=f"did you mean '{hint}'?" if hint else "classes: " + ", ".join(object_names(family)))
            return UNKNOWN
        args = _bind(st, spec, call)
        return UNKNOWN if args is None else ObjectValue(spec, args)
    if family is None and catalog.get_layer(name) is None:
        spec = find_object(name)
        if spec is not None:  # the kind check then says what was expected instead
            args = _bind(st, spec, call)
            return UNKNOWN if args is None else ObjectValue(spec, args)
    spec = _lookup_layer(st, call.callee)
    if spec is None:
        return UNKNOWN
    args = _bind(st, spec, call)
    if args is None:
        return UNKNOWN
    return LayerValue(spec, args)


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def _layer_decl(st: _State, stmt: ir.LayerDecl) -> None:
    name = stmt.name.name
    st.shared[name] = None
    spec = _lookup_layer(st, stmt.call.callee)
    if spec is None:
        return
    args = _bind(st, spec, stmt.call)
    if args is None:
        return
    st.shared[name] = _Shared(spec, args, stmt.call.span)


def _activation_of(spec, args: Mapping[str, object]) -> str | None:
    """The activation a layer ends with (`Activation("softmax")` and `Dense(..., activation=...)`
    alike, as its descriptor says), for the loss-suits-output check."""
    return spec.activation(args) if spec.activation is not None else None


_MAX_AXIS = 2**31 - 1  # TensorFlow's kernels index an axis with int32


def _apply(st: _State, spec, args, inp: TensorType, step_span: Span) -> tuple[TensorType, int] | None:
    try:
        out = spec.infer(args, inp)
        count = spec.count_params(args, inp)
    except ShapeError as err:
        st.error("GD0201", err.message, step_span,
                 help=f"its input is {fmt_shape(inp)} {inp.dtype}")
        return None
    except Exception as err:  # a bug in a catalog rule must not become a traceback
        st.error("GD0999", f"internal error in the {spec.name} rule: {type(err).__name__}: {err}", step_span)
        return None
    if any(d is not None and d > _MAX_AXIS for d in out.shape):
        st.error("GD0201", f"{spec.name} makes {fmt_shape(out)}: an axis longer than Keras can index "
                 f"({_MAX_AXIS:,})", step_span, help=f"its input is {fmt_shape(inp)} {inp.dtype}")
        return None
    # one object per distinct type: a program's tensors have few types, and the graph keeps them all
    key = (out.shape, out.dtype)
    return st.type_pool.setdefault(key, out), count


def _chain(st: _State, stmt_name: str, chain: ir.Chain, output: bool) -> TensorType | None:
    """Infer a chain; emit its layers and ops. The last tensor's id is the statement's name; for
    an output, the last layer is named after the output (an Identity is added where needed)."""
    current_id, current = _head(st, stmt_name, chain, output)
    steps = chain.steps
    last_activation: str | None = None
    for i, step in enumerate(steps):
        is_last = i == len(steps) - 1
        tensor_id = stmt_name if is_last else f"{stmt_name}/{i + 1}"
        if isinstance(step, ir.Ref):
            shared = st.shared.get(step.name)
            if shared is None or current is None:
                current = None
                continue
            result = _apply(st, shared.spec, shared.args, current, step.span)
            if result is None:
                current = None
                continue
            out, count = result
            if shared.first_input is None:
                shared.first_input, shared.first_span, shared.params = current, step.span, count
            elif count != shared.params:
                st.error(
                    "GD0201",
                    f"layer '{step.name}' was built for input {fmt_shape(shared.first_input)}, "
                    f"and cannot also take {fmt_shape(current)}",
                    step.span,
                    labels=(Label(shared.first_span, "first used here"),),
                    help="a shared layer keeps one set of weights, so every input must fit them",
                )
                current = None
                continue
            if output and is_last:
                st.ops.append(ApplyOp(f"{tensor_id}/shared", step.name, (current_id,), out, step.span))
                current_id = f"{tensor_id}/shared"
            else:
                st.ops.append(ApplyOp(tensor_id, step.name, (current_id,), out, step.span))
                current_id = tensor_id
            current = out
            last_activation = _activation_of(shared.spec, shared.args)
            continue
        spec = _lookup_layer(st, step.callee)
        args = _bind(st, spec, step) if spec is not None else None
        if spec is None or args is None or current is None:
            current = None
            continue
        result = _apply(st, spec, args, current, step.span)
        if result is None:
            current = None
            continue
        out, count = result
        # an output's last layer is named after the output (the name is the output's own)
        layer_name = stmt_name if (output and is_last) else st.unique(f"{stmt_name}_{_snake(spec.name)}")
        st.layers[layer_name] = Layer(layer_name, spec.name, args, step.span, count)
        st.ops.append(ApplyOp(tensor_id, layer_name, (current_id,), out, step.span))
        current_id, current = tensor_id, out
        last_activation = _activation_of(spec, args)
    if current is not None and current_id != stmt_name:
        current = catalog.get_layer("Identity").infer({}, current)  # Keras's Identity makes floats float32
    if current is not None and output and current_id != stmt_name:
        # the output's tensor must come from a layer named after the output: add an Identity
        st.layers[stmt_name] = Layer(stmt_name, "Identity", {}, chain.span, 0)
        st.ops.append(ApplyOp(stmt_name, stmt_name, (current_id,), current, chain.span))
    elif current is not None and not output and current_id != stmt_name:
        st.types[stmt_name] = current  # `y = x`: another name for the same tensor
        _alias(st, stmt_name, current_id, chain.span)
    st.final_activation[stmt_name] = last_activation
    return current


def _alias(st: _State, name: str, target: str, span: Span) -> None:
    """`y = x` (no steps) names an existing tensor: an Identity gives `y` its own tensor id."""
    layer_name = st.unique(f"{name}_identity")
    st.layers[layer_name] = Layer(layer_name, "Identity", {}, span, 0)
    st.ops.append(ApplyOp(name, layer_name, (target,), st.types[name], span))


def _head(st: _State, stmt_name: str, chain: ir.Chain, output: bool) -> tuple[str, TensorType | None]:
    head = chain.head
    if isinstance(head, ir.Ref):
        return head.name, st.types.get(head.name)
    # a merge
    name = head.callee.name
    spec = catalog.get_merge(name)
    if spec is None:
        if catalog.get_layer(name) is not None:
            st.error("GD0115", f"{name} needs an input: a chain begins with a tensor or a merge", head.callee.span,
                     help=f"write: x -> {name}(...)")
        else:
            hint = suggest(name, list(catalog.MERGES))
            st.error("GD0115", f"unknown merge '{name}'", head.callee.span,
                     help=f"did you mean '{hint}'?" if hint else "merges: " + ", ".join(catalog.MERGES))
        return f"{stmt_name}/0", None
    inputs: list[tuple[str, TensorType | None, ir.Arg]] = []
    kw_call = ir.Call(head.callee, tuple(a for a in head.args if a.name is not None), span=head.span)
    for arg in head.args:
        if arg.name is None:
            if isinstance(arg.value, ir.Ref):
                inputs.append((arg.value.name, st.types.get(arg.value.name), arg))
            else:
                st.error("GD0115", f"the inputs of {name} are tensor names", arg.span,
                         help=f"give settings by keyword, e.g. {name}(a, b, axis=-1)")
                return f"{stmt_name}/0", None
    args = _bind(st, spec, kw_call, keyword_only_all=True)
    if args is None or any(t is None for _, t, _ in inputs):
        return f"{stmt_name}/0", None
    types = [t for _, t, _ in inputs]
    try:
        out = spec.infer(args, types)
    except ShapeError as err:
        labels = tuple(Label(a.span, f"{fmt_shape(t)} {t.dtype}") for _, t, a in inputs)
        st.error("GD0202", err.message, head.callee.span, labels=labels)
        return f"{stmt_name}/0", None
    except Exception as err:
        st.error("GD0999", f"internal error in the {name} rule: {type(err).__name__}: {err}", head.span)
        return f"{stmt_name}/0", None
    layer_name = st.unique(f"{stmt_name}_{name}")
    tensor_id = stmt_name if not (chain.steps or output) else f"{stmt_name}/0"
    st.layers[layer_name] = Layer(layer_name, spec.keras_class, args, head.span, 0)
    st.ops.append(ApplyOp(tensor_id, layer_name, tuple(n for n, _, _ in inputs), out, head.span, merge=True))
    return tensor_id, out


# ---- outputs -----------------------------------------------------------------------------------


def _output(st: _State, stmt: ir.OutputDecl) -> OutputSpec | None:
    name = stmt.name.name
    ok_before = st.ok
    st.ok = True
    t = _chain(st, name, stmt.chain, output=True)
    st.types[name] = t
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


def _logits_of_probabilities(st: _State, spec: LossSpec | None, activation: str | None) -> None:
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


def _spec(st: _State, spec: ir.Spec, registry, code: str, what: str, output: TensorType | None = None
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


def _no_call(st: _State, call: ir.Call, written: str, key: str):
    """A call given to a loss, metric or optimizer argument: graphdsl passes them constants only
    (without this, the argument was silently unknown and the program passed as checked)."""
    st.error("GD0109", f"{written}({key}=...): expected a constant, got {call.callee.name}(...)", call.span,
             help="losses, metrics and optimizers take numbers, strings and True/False/None as arguments")
    return UNKNOWN
