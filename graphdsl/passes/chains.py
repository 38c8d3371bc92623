"""Chains, and the blocks they call: how inference turns a chain into layers and ops.

A chain's head gives its first tensors (a name, a merge, a block call or a `layer` declaration with
its tensors, Keras's double call, or tensor arithmetic); each step takes one tensor and gives the
next (a layer call, a `layer` declaration, a block call, `repeat`). Whatever fails becomes unknown
(None), so that one mistake is reported once.

**Blocks are expanded**, call by call: the body's statements run in an environment (`Env`) where
the parameters are bound to the call's tensors and constants, every layer call makes a new layer
(named from the call's path: ``stage1_residual_1_conv_bn_2_conv2d``), and a `layer` declared in the
body is one object for that call. Each call is a frame (`graph.BlockCall`) that the layers and ops
it makes carry, outermost first. A diagnostic found while expanding points into the body and
gets a label at each call frame, innermost first ("in this call of 'residual'"); the same place
reports the same code once, with the first call's frames.

A block's body is also run once when the block is defined, with every parameter unknown (`dry`):
what goes wrong there does not depend on any call (an unknown layer or argument, a constant where
a tensor belongs), so it is reported even for a block nobody calls, once, without frames.

Expansion is linear in the size of the expanded graph, and bounded: more than `MAX_EXPANDED`
layers, ops and block calls made by block calls and repeats is refused (GD0209) as soon as it is
reached (a block call counts, so that a block making nothing cannot be repeated forever).
"""

from __future__ import annotations

import re

from .. import catalog, ir
from ..catalog.types import ShapeError, TensorType, fmt_shape
from ..diagnostics import Diagnostic, Label, Severity
from ..graph import ApplyOp, BlockCall, Layer, MathOp
from ..records import replace
from ..source import Span
from ..suggest import suggest
from .binding import bind, lookup_layer
from .evaluate import UNKNOWN, evaluate, is_unknown
from .resolve import EITHER, BlockInfo, Symbols

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from .blocks import BlockDef

MAX_EXPANDED = 50_000  # layers, ops and block calls made by expanding block calls and repeats, in all
MAX_DEPTH = 64  # block calls and repeats nested in each other (expansion recurses once per level)

_NOTHING: tuple = (None, None)  # an unknown tensor: (id, type)


class Shared:
    """A `layer` declaration: one object, validated once, built by its first use."""

    __slots__ = ("spec", "args", "span", "name", "first_input", "first_span", "params", "calls")

    def __init__(self, spec, args, span: Span, name: str, calls: tuple = ()):
        self.spec = spec
        self.args = args
        self.span = span
        self.name = name  # its Keras layer name
        self.first_input: TensorType | None = None
        self.first_span: Span | None = None
        self.params = 0
        self.calls = calls


class Diags(list):
    """The diagnostics of inference. While a block call or a repeat is expanded, a diagnostic gets
    a label at each call frame, and a place reports a code once."""

    __slots__ = ("st", "seen")

    def append(self, d: Diagnostic) -> None:
        st = self.st
        if st.expanding or st.dry:
            key = (d.code, d.span.start, d.span.end)
            if key in self.seen:
                return
            self.seen.add(key)
            if st.frames:
                d = replace(d, labels=d.labels + tuple(
                    Label(f.span, f"in this call of '{f.block}'") for f in reversed(st.frames)))
        list.append(self, d)


class State:
    """What inference has found so far (mutable, private to one run of `infer`)."""

    __slots__ = ("symbols", "diags", "params", "shared", "layers", "ops", "used_names", "next_suffix",
                 "final_activation", "ok", "type_pool", "blocks", "frames", "dry", "expanding", "expanded",
                 "halted", "declared", "site", "calls", "callables")

    def __init__(self, symbols: Symbols):
        self.symbols = symbols
        self.diags = Diags()
        self.diags.st = self
        self.diags.seen = set()
        self.params: dict[str, object] = {}
        self.shared: dict[str, Shared | None] = {}  # the program's `layer` declarations
        self.layers: dict[str, Layer] = {}
        self.ops: list[ApplyOp | MathOp] = []
        self.used_names: set[str] = set()
        self.next_suffix: dict[str, int] = {}  # base -> the suffix to try next
        self.final_activation: dict[str, str | None] = {}
        self.ok = True
        self.type_pool: dict[tuple, TensorType] = {}  # (shape, dtype) -> the one TensorType
        self.blocks: dict[str, BlockDef] = {}  # the blocks defined so far
        self.frames: list[BlockCall] = []  # the block calls being expanded, outermost first
        self.calls: tuple[BlockCall, ...] = ()  # the same, as the tuple layers and ops carry
        # the program's blocks and `layer` declarations, wherever defined
        self.callables = frozenset(n for n, d in symbols.defs.items() if d.kind in ("block", "layer"))
        self.dry = False  # checking a block's definition (no call)
        self.expanding = 0  # depth of block calls and repeats being expanded
        self.expanded = 0  # layers and ops they made
        self.halted = False  # the expansion bound was reached: expand nothing more
        self.declared: list[Shared] = []  # every `layer` declaration made (the program's and the calls')
        self.site: Span | None = None  # the outermost call or repeat being expanded

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

    def pooled(self, t: TensorType) -> TensorType:
        """One object per distinct type: a program's tensors have few types, and the graph keeps them all."""
        return self.type_pool.setdefault((t.shape, t.dtype), t)

    def made(self) -> bool:
        """Count a layer or op made by an expansion; False once the bound is passed (reported once)."""
        if not self.expanding:
            return True
        self.expanded += 1
        if self.expanded <= MAX_EXPANDED:
            return True
        if not self.halted:
            self.halted = True
            self.ok = False
            list.append(self.diags, Diagnostic(
                "GD0209", Severity.ERROR,
                f"the program expands to more than {MAX_EXPANDED:,} layers, ops and block calls",
                self.site or Span(0, 0),
                help="block calls and repeats make this many; check the repeat counts, and blocks that call "
                "a block several times at every level"))
        return False

    def too_deep(self, span: Span) -> bool:
        """Block calls and repeats nested more than MAX_DEPTH deep (expansion recurses once per
        level): refused once, and nothing more is expanded."""
        if self.expanding < MAX_DEPTH:
            return False
        if not self.halted:
            self.halted = True
            self.ok = False
            list.append(self.diags, Diagnostic(
                "GD0209", Severity.ERROR, f"block calls and repeats nested more than {MAX_DEPTH} deep",
                self.site or span,
                help="a block calls a block that calls a block ...; so deep a nesting is no model's structure"))
        return True

    def add_op(self, op) -> bool:
        if not self.made():
            return False
        self.ops.append(op)
        return True


class Consts:
    """The constants visible in a block's body: its constant parameters (and the names it binds,
    which hide the program's params), then the program's params."""

    __slots__ = ("local", "hidden", "outer")

    def __init__(self, local: dict[str, object], hidden, outer: dict[str, object]):
        self.local = local
        self.hidden = hidden
        self.outer = outer

    def get(self, name: str, default=None):
        value = self.local.get(name, UNKNOWN)
        if value is not UNKNOWN or name in self.local:
            return value
        if name in self.hidden:
            return default
        return self.outer.get(name, default)


class Env:
    """The names a chain sees: at the top level of the program, or in one call of a block.

    - `tensors`: name -> (tensor id, type) (type None: unknown);
    - `consts`: the constants, a mapping with `get`;
    - `layers`: the `layer` declarations of this scope (a body's; the program's are `st.shared`);
    - `info`: the block being expanded (None at the top level);
    - `prefix`: what a layer's Keras name begins with ("" at the top level, "<call id>_" in a call);
      `tprefix`: what a tensor id begins with ("<call id>/" in a call);
    - `sites`/`seen`: how often each block is called in this scope / has been so far (numbering)."""

    __slots__ = ("tensors", "consts", "layers", "info", "prefix", "tprefix", "sites", "seen", "callables")

    def __init__(self, tensors, consts, layers, info: BlockInfo | None, prefix: str, tprefix: str,
                 sites: dict[str, int]):
        self.tensors = tensors
        self.consts = consts
        self.layers = layers
        self.info = info
        self.prefix = prefix
        self.tprefix = tprefix
        self.sites = sites
        self.seen: dict[str, int] = {}
        # every name a call here may mean as a block or `layer` declaration (wherever defined): a
        # call of any other name is the catalog's
        self.callables: frozenset[str] = frozenset()

    def layer(self, name: str, st: State) -> Shared | None | bool:
        """The `layer` declaration `name` visible here (None: declared, with errors); False if none."""
        if self.info is not None:
            if name in self.layers:
                return self.layers[name]
            if name in self.info.defs:
                return False  # a body name that is not a layer (or a layer declared below)
        return st.shared.get(name, False) if name in st.shared else False

    def block(self, name: str, st: State) -> BlockDef | None:
        if self.info is not None and name in self.info.defs:
            return None
        return st.blocks.get(name)

    def user_name(self, name: str, st: State) -> bool:
        """Whether `name` names a block or `layer` declaration of the program (or of this body),
        wherever it is defined: a call of it is never a catalog layer."""
        if self.info is not None:
            d = self.info.defs.get(name)
            if d is not None:
                return d.kind == "layer"
        d = st.symbols.defs.get(name)
        return d is not None and d.kind in ("block", "layer")

    def visible_callables(self, st: State) -> tuple[str, ...]:
        """The blocks and `layer` declarations a call here may name (for "did you mean")."""
        names = [*st.blocks, *st.shared]
        if self.info is not None:
            names += list(self.layers)
        return tuple(names)


_SNAKE: dict[str, str] = {}


def snake(class_name: str) -> str:
    """`Conv1D` -> `conv1d`, `GlobalMaxPooling1D` -> `global_max_pooling1d` (remembered: a program
    names few layer classes, many times)."""
    s = _SNAKE.get(class_name)
    if s is None:
        t = re.sub(r"(?<=[a-z])([A-Z])", r"_\1", class_name)
        t = re.sub(r"(?<=[A-Z])([A-Z][a-z])", r"_\1", t)
        s = _SNAKE[class_name] = t.lower()
    return s


def layer_base(env: Env, base: str) -> str:
    return env.prefix + base if env.info is None else env.prefix[:-1]


# ---- chains ------------------------------------------------------------------------------------


def chain(st: State, env: Env, base: str, c: ir.Chain, finals: list[str], output: bool = False):
    """Infer a chain; make its layers and ops. `base` names its layers and intermediate tensors
    (the statement's name); the tensors it ends with get the ids `finals` where an op makes them
    here. Returns [(tensor id, type)] as many as `finals` (a failed or unknown one: type None).
    For an output, the last layer is named after the output."""
    want = len(finals)
    steps = c.steps
    n = len(steps)
    tbase = env.tprefix + base
    values = head(st, env, base, tbase, c.head, finals if n == 0 and not output else None, want if n == 0 else 1)
    activation = None
    what = c.head
    for i, step in enumerate(steps):
        is_last = i == n - 1
        if values is not None and len(values) != 1:
            several(st, values, what, one=True)
            values = None
        current = values[0] if values is not None else _NOTHING
        ids = finals if is_last else [f"{tbase}/{i + 1}"]
        if type(step) is ir.Call and step.callee.name not in env.callables:  # a catalog layer: the hot path
            values, activation = _layer_step(st, env, base, step, current, ids, is_last and output,
                                             want if is_last else 1)
        else:
            values, activation = apply_step(st, env, base, tbase, step, current, ids, is_last and output,
                                            want if is_last else 1, i + 1)
        what = step
    if values is None:
        return [(f, None) for f in finals]
    if len(values) != want:
        several(st, values, what, one=want == 1, names=want)
        return [(f, None) for f in finals]
    if output or env.info is None:
        st.final_activation[base] = activation
    return values


def _describe(node) -> str:
    """What made some tensors, in a message: the layer's or block's name."""
    if type(node) is ir.Call:
        return node.callee.name
    if type(node) is ir.DoubleCall:
        return node.call.callee.name
    if type(node) is ir.Repeat:
        return "repeat(...)"
    if type(node) is ir.Ref:
        return node.name
    return "this"


def several(st: State, values, node, one: bool, names: int = 1) -> None:
    n = len(values)
    shapes = ", ".join(fmt_shape(t) if t is not None else "?" for _id, t in values)
    what = _describe(node)
    if one and names == 1:
        st.error("GD0127", f"{what} returns {n} tensors ({shapes}), but one is wanted here", node.span,
                 help="unpack them: " + ", ".join(f"t{k}" for k in range(1, n + 1)) + " = ... (a chain step takes "
                 "one tensor; continue a chain from one of them)")
    else:
        st.error("GD0127", f"{what} returns {n} tensor{'s' if n != 1 else ''} ({shapes}), but {names} names are given",
                 node.span, help=f"give {n} name{'s' if n != 1 else ''} ('_' for a tensor you do not need)")


# ---- heads ---------------------------------------------------------------------------------------


def head(st: State, env: Env, base: str, tbase: str, node, finals: list[str] | None, want: int):
    """The tensors a chain begins with, [(id, type)], or None (failed or unknown). `finals`: the
    ids to give them (a chain without steps), else they are ``<base>/0``."""
    kind = type(node)
    if kind is ir.Ref:
        value = env.tensors.get(node.name)
        if value is None:
            if env.info is not None and env.info.param_kind(node.name) == EITHER and \
                    env.consts.get(node.name, UNKNOWN) is not UNKNOWN:  # an either-parameter given a constant
                st.error("GD0115", f"'{node.name}' is a constant here ({_const(env, node.name)}); a chain begins "
                         "with a tensor", node.span, help="pass a tensor to this parameter")
            return None
        if value[1] is None:
            return None
        if finals is not None and env.info is None:  # `y = x`: an Identity gives y a tensor of its own
            return [_alias_identity(st, env, base, finals[0], value, node.span)]
        return [value]
    if kind is ir.Call:
        return head_call(st, env, base, tbase, node, finals, want)
    if kind is ir.DoubleCall:
        from .calls import double_call  # noqa: PLC0415 - only programs with double calls pay for it

        return double_call(st, env, base, tbase, node, finals)
    if kind is ir.BinOp or kind is ir.Neg:
        from .arithmetic import arithmetic  # noqa: PLC0415 - only programs with arithmetic pay for it

        value = arithmetic(st, env, base, tbase, node, finals[0] if finals is not None and want == 1 else None)
        if value is None:
            return None
        if value[0] is None:  # a constant after all
            st.error("GD0115", f"a chain begins with a tensor, not a constant ({value[1]!r})", node.span,
                     help="tensor arithmetic needs a tensor operand; to name a constant, write: param NAME = ...")
            return None
        return [value]
    st.error("GD0115", "a chain begins with a tensor, not a constant", node.span,
             help="a chain begins with a tensor's name, a merge such as concat(a, b), a block call or a layer "
             "applied to tensors; to name a constant, write: param NAME = ...")
    return None


def _const(env: Env, name: str) -> str:
    from ..catalog.types import fmt_value  # noqa: PLC0415

    return fmt_value(env.consts.get(name, UNKNOWN))


def _alias_identity(st: State, env: Env, base: str, tensor_id: str, value, span: Span):
    """`y = x` (no steps) at the top level names an existing tensor: an Identity gives `y` its own
    tensor id (version 1's rule, kept)."""
    t = catalog.get_layer("Identity").infer({}, value[1])  # Keras's Identity makes floats float32
    t = st.pooled(t)
    layer_name = st.unique(f"{base}_identity")
    st.layers[layer_name] = Layer(layer_name, "Identity", {}, span, 0, calls=st.calls)
    st.add_op(ApplyOp(tensor_id, layer_name, (value[0],), t, span, calls=st.calls))
    return (tensor_id, t)


def head_call(st: State, env: Env, base: str, tbase: str, call: ir.Call, finals, want: int):
    """`name(...)` at a chain's head: a block call, a `layer` declaration applied to its tensors,
    or a merge."""
    name = call.callee.name
    shared = env.layer(name, st)
    if shared is not False:
        if shared is None:
            return None
        from .calls import apply_call  # noqa: PLC0415

        return apply_call(st, env, base, tbase, shared.spec, shared.args, call.args, call.span, finals,
                          shared=shared, decl=name)
    block = env.block(name, st)
    if block is not None:
        from .blocks import block_call  # noqa: PLC0415 - only programs with blocks pay for it

        return block_call(st, env, base, call, call.args, None)
    if env.user_name(name, st):
        return None  # a block or layer defined below, or with errors (reported)
    spec = catalog.get_merge(name)
    if spec is None:
        if catalog.get_layer(name) is not None:
            st.error("GD0115", f"{name} needs an input: a chain begins with a tensor, a merge or a call on tensors",
                     call.callee.span, help=f"write: x -> {name}(...), or {name}(...)(x)")
        else:
            visible = env.visible_callables(st)  # a mistake: the list is made only now
            hint = suggest(name, [*catalog.MERGES, *visible])
            what = "merge or block" if st.blocks else "merge"
            st.error("GD0115", f"unknown {what} '{name}'", call.callee.span,
                     help=f"did you mean '{hint}'?" if hint else "merges: " + ", ".join(catalog.MERGES))
        return None
    return merge(st, env, base, tbase, spec, call, finals)


def merge(st: State, env: Env, base: str, tbase: str, spec, call: ir.Call, finals):
    name = spec.name
    inputs: list[tuple[str | None, TensorType | None, ir.Arg]] = []
    kw_call = ir.Call(call.callee, tuple(a for a in call.args if a.name is not None), span=call.span)
    for arg in call.args:
        if arg.name is None:
            if type(arg.value) is ir.Ref:
                value = env.tensors.get(arg.value.name, _NOTHING)
                inputs.append((value[0], value[1], arg))
            else:
                st.error("GD0115", f"the inputs of {name} are tensor names", arg.span,
                         help=f"give settings by keyword, e.g. {name}(a, b, axis=-1)")
                return None
    args = bind(st, spec, kw_call, env.consts, keyword_only_all=True)
    if args is None or any(t is None for _, t, _ in inputs):
        return None
    types = [t for _, t, _ in inputs]
    try:
        out = spec.infer(args, types)
    except ShapeError as err:
        labels = tuple(Label(a.span, f"{fmt_shape(t)} {t.dtype}") for _, t, a in inputs)
        st.error("GD0202", err.message, call.callee.span, labels=labels)
        return None
    except Exception as err:
        st.error("GD0999", f"internal error in the {name} rule: {type(err).__name__}: {err}", call.span)
        return None
    if st.halted:
        return None
    layer_name = st.unique(f"{layer_base(env, base)}_{name}")
    tensor_id = finals[0] if finals is not None else f"{tbase}/0"
    frames = st.calls
    out = st.pooled(out)
    if not st.add_op(ApplyOp(tensor_id, layer_name, tuple(n for n, _, _ in inputs), out, call.span, merge=True,
                             calls=frames)):
        return None
    st.layers[layer_name] = Layer(layer_name, spec.keras_class, args, call.span, 0, calls=frames)
    return [(tensor_id, out)]


# ---- layers --------------------------------------------------------------------------------------


_MAX_AXIS = 2**31 - 1  # TensorFlow's kernels index an axis with int32


def _apply_one(st: State, spec, args, inp: TensorType, span: Span, want: int):
    """A layer on one tensor (a chain step): its outputs' types and its parameter count, or None."""
    try:
        if spec.outputs_rule is None:
            outs = (spec.infer(args, inp),)
            count = spec.count_params(args, inp)
        else:
            outs = spec.step_outputs(args, inp)
            count = spec.count(args, {spec.tensor_param.name: inp})
    except ShapeError as err:
        st.error("GD0201", err.message, span, help=f"its input is {fmt_shape(inp)} {inp.dtype}")
        return None
    except Exception as err:  # a bug in a catalog rule must not become a traceback
        st.error("GD0999", f"internal error in the {spec.name} rule: {type(err).__name__}: {err}", span)
        return None
    long = next((t for t in outs if any(d is not None and d > _MAX_AXIS for d in t.shape)), None)
    if long is not None:
        st.error("GD0201", f"{spec.name} makes {fmt_shape(long)}: an axis longer than Keras can index ({_MAX_AXIS:,})",
                 span, help=f"its input is {fmt_shape(inp)} {inp.dtype}")
        return None
    if want > 1 and len(outs) != want:
        st.error("GD0127", f"{spec.name} returns {len(outs)} tensor{'s' if len(outs) != 1 else ''} here "
                 f"({', '.join(fmt_shape(t) for t in outs)}), but {want} names are given", span,
                 help=f"give {len(outs)} name{'s' if len(outs) != 1 else ''} ('_' for a tensor you do not need)"
                 if len(outs) > 1 else "unpack only what returns several tensors")
        return None
    if len(outs) > 1 and want == 1:
        st.error("GD0127", f"{spec.name} returns {len(outs)} tensors here ({', '.join(fmt_shape(t) for t in outs)}), "
                 "but one is wanted", span,
                 help="unpack them: " + ", ".join(f"t{k}" for k in range(1, len(outs) + 1)) + " = ... (a chain step "
                 "takes one tensor)")
        return None
    if len(outs) == 1:
        out = outs[0]
        return (st.type_pool.setdefault((out.shape, out.dtype), out),), count
    return tuple(st.pooled(t) for t in outs), count


def shared_count(st: State, shared: Shared, count: int, inp: TensorType, name: str, span: Span) -> bool:
    """A `layer` declaration keeps one set of weights: every use must build the same."""
    if shared.first_input is None:
        shared.first_input, shared.first_span, shared.params = inp, span, count
        return True
    if count == shared.params:
        return True
    st.error(
        "GD0201",
        f"layer '{name}' was built for input {fmt_shape(shared.first_input)}, and cannot also take {fmt_shape(inp)}",
        span,
        labels=(Label(shared.first_span, "first used here"),),
        help="a shared layer keeps one set of weights, so every input must fit them",
    )
    return False


def apply_step(st: State, env: Env, base: str, tbase: str, step, current, ids: list[str], output_last: bool,
               want: int, index: int):
    """Apply one chain step to `current` (id, type); returns ([(id, type)] or None, the activation
    the step ends with). `ids`: the ids to give its tensors."""
    kind = type(step)
    if kind is ir.Call:
        name = step.callee.name
        if name not in env.callables:  # a catalog layer (the common case: no lookups of the program's names)
            return _layer_step(st, env, base, step, current, ids, output_last, want)
        shared = env.layer(name, st)
        if shared is not False:
            st.error("GD0115", f"'{name}' is a layer declaration; it is applied by its name, without arguments",
                     step.callee.span, help=f"write: x -> {name}, or {name}(a, b) at a chain's head for a layer on "
                     "several tensors")
            return None, None
        block = env.block(name, st)
        if block is not None:
            from .blocks import block_call  # noqa: PLC0415

            return block_call(st, env, base, step, step.args, current), None
        if env.user_name(name, st):
            return None, None
        return _layer_step(st, env, base, step, current, ids, output_last, want)
    if kind is ir.Ref:
        name = step.name
        shared = env.layer(name, st)
        if shared is not False:
            if shared is None or current[1] is None or st.halted:
                return None, None
            result = _apply_one(st, shared.spec, shared.args, current[1], step.span, want)
            if result is None:
                return None, None
            outs, count = result
            if not shared_count(st, shared, count, current[1], name, step.span):
                return None, None
            tensor_id = f"{ids[0]}/shared" if output_last else ids[0]
            more = tuple(zip(ids[1:], outs[1:], strict=True)) if len(outs) > 1 else ()
            if not st.add_op(ApplyOp(tensor_id, shared.name, (current[0],), outs[0], step.span,
                                     calls=st.calls, more=more)):
                return None, None
            return [(tensor_id, outs[0]), *more], _activation(shared.spec, shared.args)
        block = env.block(name, st)
        if block is not None:  # a block called without arguments: x -> name
            from .blocks import block_call  # noqa: PLC0415

            return block_call(st, env, base, step, (), current), None
        return None, None
    if kind is ir.Repeat:
        return repeat(st, env, base, tbase, step, current, ids, output_last, want, index)
    return None, None  # pragma: no cover - the grammar makes no other step


def _layer_step(st: State, env: Env, base: str, step: ir.Call, current, ids: list[str], output_last: bool, want: int):
    """A catalog layer as a chain step: a new layer applied to the chain's tensor (the hot path
    of every check: a program is mostly this)."""
    spec = lookup_layer(st, step.callee, env.visible_callables)
    args = bind(st, spec, step, env.consts) if spec is not None else None
    if spec is None or args is None or current[1] is None or st.halted:
        return None, None
    result = _apply_one(st, spec, args, current[1], step.span, want)
    if result is None:
        return None, None
    outs, count = result
    # an output's last layer is named after the output (the name is the output's own)
    layer_name = ids[0] if output_last else st.unique(
        f"{base if env.info is None else env.prefix[:-1]}_{snake(spec.name)}")
    frames = st.calls
    if frames or len(outs) > 1:
        more = tuple(zip(ids[1:], outs[1:], strict=True))
        op = ApplyOp(ids[0], layer_name, (current[0],), outs[0], step.span, False, frames, (), more)
        if not st.add_op(op):
            return None, None
        st.layers[layer_name] = Layer(layer_name, spec.name, args, step.span, count, False, frames)
        values = [(ids[0], outs[0]), *more]
    else:
        st.ops.append(ApplyOp(ids[0], layer_name, (current[0],), outs[0], step.span))
        st.layers[layer_name] = Layer(layer_name, spec.name, args, step.span, count)
        values = [(ids[0], outs[0])]
    return values, spec.activation(args) if spec.activation is not None else None


def _activation(spec, args) -> str | None:
    """The activation a layer ends with (`Activation("softmax")` and `Dense(..., activation=...)`
    alike, as its descriptor says), for the loss-suits-output check."""
    return spec.activation(args) if spec.activation is not None else None


def repeat(st: State, env: Env, base: str, tbase: str, step: ir.Repeat, current, ids, output_last: bool, want: int,
           index: int):
    """`repeat(N, STEP)`: the step applied N times, each a new layer or block call (a `layer` name
    is the same layer every time)."""
    count = evaluate(step.count, env.consts, st.diags)
    if is_unknown(count):
        return None, None
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        st.error("GD0109", f"repeat(N, ...) takes a whole number of times, at least 1, not {count!r}",
                 step.count.span, help="N is a constant expression of params, e.g. repeat(depth, ...)")
        return None, None
    if current[1] is None or st.dry:
        # nothing to apply it to: check its arguments once
        apply_step(st, env, base, tbase, step.step, _NOTHING, ids, output_last, 1, index)
        return None, None
    if st.too_deep(step.span):
        return None, None
    outer = not st.expanding
    if outer:
        st.site = step.span
    st.expanding += 1
    try:
        activation = None
        values = [current]
        for k in range(count):
            if values is None or st.halted:
                return None, None
            if len(values) != 1:
                several(st, values, step.step, one=True)
                return None, None
            last = k == count - 1
            step_ids = ids if last else [f"{tbase}/{index}.{k + 1}"]
            values, activation = apply_step(st, env, base, tbase, step.step, values[0], step_ids,
                                            output_last and last, want if last else 1, index)
        return values, activation
    finally:
        st.expanding -= 1
        if outer:
            st.site = None


def bind_statement(st: State, env: Env, stmt) -> None:
    """`NAME = CHAIN` or `A, B = CHAIN` (at the top level, or in a block's body)."""
    if type(stmt) is ir.Assign:
        name = stmt.name.name
        if name == ir.DISCARD:  # built, then left out of the graph (nothing can use it)
            base = st.unique("_")
            chain(st, env, base, stmt.chain, [env.tprefix + base])
            return
        (value,) = chain(st, env, name, stmt.chain, [env.tprefix + name])
        env.tensors[name] = value
        return
    names = [n.name for n in stmt.names]
    base = next((n for n in names if n != ir.DISCARD), None) or st.unique("_")
    finals = [env.tprefix + n if n != ir.DISCARD else f"{env.tprefix}{base}/_{k}" for k, n in enumerate(names)]
    values = chain(st, env, base, stmt.chain, finals)
    for n, value in zip(names, values, strict=True):
        if n != ir.DISCARD:
            env.tensors[n] = value


def layer_decl(st: State, env: Env, stmt: ir.LayerDecl) -> None:
    """`layer NAME = Call(...)`: one layer object (for a body's declaration: one per call)."""
    name = stmt.name.name
    table = env.layers if env.info is not None else st.shared
    table[name] = None
    spec = lookup_layer(st, stmt.call.callee)
    if spec is None:
        return
    args = bind(st, spec, stmt.call, env.consts)
    if args is None or st.dry:
        return
    keras_name = name if env.info is None else st.unique(f"{env.prefix}{name}")
    shared = Shared(spec, args, stmt.call.span, keras_name, st.calls)
    table[name] = shared
    st.declared.append(shared)
