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
layers, ops and block calls made by block calls and repeats is refused (GD0207) as soon as it is
reached (a block call counts, so that a block making nothing cannot be repeated forever).
"""

from __future__ import annotations

import re

from .. import catalog, ir
from ..catalog.arith import arith_type
from ..catalog.types import ShapeError, TensorType, fmt_shape
from ..diagnostics import Diagnostic, Label, Severity
from ..graph import ApplyOp, BlockCall, CallArg, Layer, MathOp
from ..records import replace
from ..source import Span
from ..suggest import suggest
from .binding import bind, bind_positions, lookup_layer
from .evaluate import UNKNOWN, evaluate, is_unknown
from .resolve import CONSTANT, EITHER, TENSOR, BlockInfo, Symbols

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


class BlockDef:
    """A block ready to be called: what resolution found, its defaults' values, and how often each
    block is called in its body (calls of a block called more than once are numbered)."""

    __slots__ = ("info", "defaults", "sites")

    def __init__(self, info: BlockInfo, defaults: dict[str, object], sites: dict[str, int]):
        self.info = info
        self.defaults = defaults
        self.sites = sites


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
                 "halted", "declared", "site")

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
                "GD0207", Severity.ERROR,
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
                "GD0207", Severity.ERROR, f"block calls and repeats nested more than {MAX_DEPTH} deep",
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

    __slots__ = ("tensors", "consts", "layers", "info", "prefix", "tprefix", "sites", "seen", "stmt")

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
        self.stmt = ""  # the statement at hand (names block calls at the top level)

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


def _layer_base(env: Env, base: str) -> str:
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
            _several(st, values, what, one=True)
            values = None
        current = values[0] if values is not None else _NOTHING
        ids = finals if is_last else [f"{tbase}/{i + 1}"]
        values, activation = apply_step(st, env, base, tbase, step, current, ids, is_last and output,
                                        want if is_last else 1, i + 1)
        what = step
    if values is None:
        return [(f, None) for f in finals]
    if len(values) != want:
        _several(st, values, what, one=want == 1, names=want)
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


def _several(st: State, values, node, one: bool, names: int = 1) -> None:
    n = len(values)
    shapes = ", ".join(fmt_shape(t) if t is not None else "?" for _id, t in values)
    what = _describe(node)
    if one and names == 1:
        st.error("GD0126", f"{what} returns {n} tensors ({shapes}), but one is wanted here", node.span,
                 help="unpack them: " + ", ".join(f"t{k}" for k in range(1, n + 1)) + " = ... (a chain step takes "
                 "one tensor; continue a chain from one of them)")
    else:
        st.error("GD0126", f"{what} returns {n} tensor{'s' if n != 1 else ''} ({shapes}), but {names} names are given",
                 node.span, help=f"give {n} name{'s' if n != 1 else ''} ('_' for a tensor you do not need)")


def _operand_type(value) -> TensorType | None:
    return value[1] if value is not None else None


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
        return double_call(st, env, base, tbase, node, finals)
    if kind is ir.BinOp or kind is ir.Neg:
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
    st.layers[layer_name] = Layer(layer_name, "Identity", {}, span, 0, calls=tuple(st.frames))
    st.add_op(ApplyOp(tensor_id, layer_name, (value[0],), t, span, calls=tuple(st.frames)))
    return (tensor_id, t)


def head_call(st: State, env: Env, base: str, tbase: str, call: ir.Call, finals, want: int):
    """`name(...)` at a chain's head: a block call, a `layer` declaration applied to its tensors,
    or a merge."""
    name = call.callee.name
    shared = env.layer(name, st)
    if shared is not False:
        if shared is None:
            return None
        return apply_call(st, env, base, tbase, shared.spec, shared.args, call.args, call.span, finals,
                          shared=shared, decl=name)
    block = env.block(name, st)
    if block is not None:
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
    layer_name = st.unique(f"{_layer_base(env, base)}_{name}")
    tensor_id = finals[0] if finals is not None else f"{tbase}/0"
    frames = tuple(st.frames)
    out = st.pooled(out)
    if not st.add_op(ApplyOp(tensor_id, layer_name, tuple(n for n, _, _ in inputs), out, call.span, merge=True,
                             calls=frames)):
        return None
    st.layers[layer_name] = Layer(layer_name, spec.keras_class, args, call.span, 0, calls=frames)
    return [(tensor_id, out)]


# ---- tensor arithmetic ---------------------------------------------------------------------------


def arithmetic(st: State, env: Env, base: str, tbase: str, node, final: str | None):
    """Tensor arithmetic: (tensor id, type) of the result, or (None, number) for a constant
    sub-expression (folded: ``x * (1 / 6)`` multiplies by one float), or None (failed)."""
    counter = [0]

    def tensor_id() -> str:
        counter[0] += 1
        return f"{tbase}/op{counter[0]}"

    def walk(e, top: bool):
        kind = type(e)
        if kind is ir.Number:
            return (None, e.value)
        if kind is ir.Ref:
            value = env.tensors.get(e.name)
            if value is not None:
                return value if value[1] is not None else None
            c = env.consts.get(e.name, UNKNOWN)
            if c is UNKNOWN:
                return None
            if isinstance(c, bool) or not isinstance(c, (int, float)):
                st.error("GD0120", f"tensor arithmetic works on tensors and numbers, not on {_words(c)}", e.span)
                return None
            return (None, c)
        if kind is ir.Call or kind is ir.DoubleCall:
            values = head(st, env, base, tbase, e, None, 1)
            if values is None:
                return None
            if len(values) != 1:
                _several(st, values, e, one=True)
                return None
            return values[0]
        if kind is ir.Neg:
            if _constant(e, env):
                return _fold(st, env, e)
            inner = walk(e.operand, False)
            if inner is None:
                return None
            return _math(st, env, "neg", inner, None, e, final if top else tensor_id())
        if kind is ir.BinOp:
            if _constant(e, env):
                return _fold(st, env, e)
            left = walk(e.left, False)
            right = walk(e.right, False)
            if left is None or right is None:
                return None
            if e.op == "//":
                st.error("GD0120", "'//' works on numbers, not on tensors", e.span,
                         help="tensor arithmetic is + - * / (and unary -)")
                return None
            return _math(st, env, e.op, left, right, e, final if top else tensor_id())
        st.error("GD0120", f"tensor arithmetic works on tensors and numbers, not on {_node_words(e)}", e.span)
        return None

    return walk(node, True)


def _words(value: object) -> str:
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "True/False"
    if value is None:
        return "None"
    if isinstance(value, tuple):
        return "a tuple"
    return "a layer"


def _node_words(e) -> str:
    return {ir.String: "a string", ir.Bool: "True/False", ir.NoneLit: "None", ir.TupleLit: "a tuple",
            ir.ListLit: "a list"}.get(type(e), "this")


def _constant(e, env: Env) -> bool:
    """Whether an arithmetic expression has no tensor in it (it is folded as one constant)."""
    stack = [e]
    while stack:
        x = stack.pop()
        kind = type(x)
        if kind is ir.BinOp:
            stack += [x.left, x.right]
        elif kind is ir.Neg:
            stack.append(x.operand)
        elif kind is ir.Ref:
            if x.name in env.tensors:
                return False
        elif kind is ir.Call or kind is ir.DoubleCall:
            return False
    return True


def _fold(st: State, env: Env, e):
    value = evaluate(e, env.consts, st.diags)
    if is_unknown(value):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        st.error("GD0120", f"tensor arithmetic works on tensors and numbers, not on {_words(value)}", e.span)
        return None
    return (None, value)


def _math(st: State, env: Env, op: str, left, right, e, tensor_id: str | None):
    if right is not None and left[0] is None and right[0] is None:  # two constants (one side folded)
        return _fold(st, env, e)
    operands = [left[1]] if op == "neg" else [left[1], right[1]]
    try:
        out = arith_type(op, operands[0], operands[1] if op != "neg" else None)
    except ShapeError as err:
        parts = (e.operand,) if op == "neg" else (e.left, e.right)
        labels = tuple(Label(p.span, f"{fmt_shape(v)} {v.dtype}") for p, v in zip(parts, operands, strict=True)
                       if isinstance(v, TensorType))
        st.error("GD0202", err.message, e.span, labels=labels)
        return None
    if st.halted:
        return None
    out = st.pooled(out)
    tid = tensor_id if tensor_id is not None else f"{env.tprefix}{st.unique('op')}"
    inputs = tuple(v[0] for v in ((left,) if op == "neg" else (left, right)) if v[0] is not None)
    lhs = left[0] if left[0] is not None else left[1]
    rhs = None if op == "neg" else (right[0] if right[0] is not None else right[1])
    if not st.add_op(MathOp(tid, op, lhs, rhs, inputs, out, e.span, calls=tuple(st.frames))):
        return None
    return (tid, out)


# ---- layers --------------------------------------------------------------------------------------


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
    if want > 1 and len(outs) != want:
        st.error("GD0126", f"{spec.name} returns {len(outs)} tensor{'s' if len(outs) != 1 else ''} here "
                 f"({', '.join(fmt_shape(t) for t in outs)}), but {want} names are given", span,
                 help=f"give {len(outs)} name{'s' if len(outs) != 1 else ''} ('_' for a tensor you do not need)"
                 if len(outs) > 1 else "unpack only what returns several tensors")
        return None
    if len(outs) > 1 and want == 1:
        st.error("GD0126", f"{spec.name} returns {len(outs)} tensors here ({', '.join(fmt_shape(t) for t in outs)}), "
                 "but one is wanted", span,
                 help="unpack them: " + ", ".join(f"t{k}" for k in range(1, len(outs) + 1)) + " = ... (a chain step "
                 "takes one tensor)")
        return None
    return tuple(st.pooled(t) for t in outs), count


def _shared_count(st: State, shared: Shared, count: int, inp: TensorType, name: str, span: Span) -> bool:
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
        shared = env.layer(name, st)
        if shared is not False:
            st.error("GD0115", f"'{name}' is a layer declaration; it is applied by its name, without arguments",
                     step.callee.span, help=f"write: x -> {name}, or {name}(a, b) at a chain's head for a layer on "
                     "several tensors")
            return None, None
        block = env.block(name, st)
        if block is not None:
            return block_call(st, env, base, step, step.args, current), None
        if env.user_name(name, st):
            return None, None
        spec = lookup_layer(st, step.callee, env.visible_callables)
        args = bind(st, spec, step, env.consts) if spec is not None else None
        if spec is None or args is None or current[1] is None or st.halted:
            return None, None
        result = _apply_one(st, spec, args, current[1], step.span, want)
        if result is None:
            return None, None
        outs, count = result
        # an output's last layer is named after the output (the name is the output's own)
        layer_name = ids[0] if output_last else st.unique(f"{_layer_base(env, base)}_{snake(spec.name)}")
        frames = tuple(st.frames)
        more = tuple(zip(ids[1:], outs[1:], strict=True)) if len(outs) > 1 else ()
        if not st.add_op(ApplyOp(ids[0], layer_name, (current[0],), outs[0], step.span, calls=frames, more=more)):
            return None, None
        st.layers[layer_name] = Layer(layer_name, spec.name, args, step.span, count, calls=frames)
        return [(ids[0], outs[0]), *more], _activation(spec, args)
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
            if not _shared_count(st, shared, count, current[1], name, step.span):
                return None, None
            tensor_id = f"{ids[0]}/shared" if output_last else ids[0]
            more = tuple(zip(ids[1:], outs[1:], strict=True)) if len(outs) > 1 else ()
            if not st.add_op(ApplyOp(tensor_id, shared.name, (current[0],), outs[0], step.span,
                                     calls=tuple(st.frames), more=more)):
                return None, None
            return [(tensor_id, outs[0]), *more], _activation(shared.spec, shared.args)
        block = env.block(name, st)
        if block is not None:  # a block called without arguments: x -> name
            return block_call(st, env, base, step, (), current), None
        return None, None
    if kind is ir.Repeat:
        return repeat(st, env, base, tbase, step, current, ids, output_last, want, index)
    return None, None  # pragma: no cover - the grammar makes no other step


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
        values, activation = apply_step(st, env, base, tbase, step.step, _NOTHING, ids, output_last, 1, index)
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
                _several(st, values, step.step, one=True)
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


# ---- layers on several tensors (Keras's double call) ---------------------------------------------


def double_call(st: State, env: Env, base: str, tbase: str, dc: ir.DoubleCall, finals):
    callee = dc.call.callee
    name = callee.name
    if env.layer(name, st) is not False or env.block(name, st) is not None:
        what = "a layer declaration" if env.layer(name, st) is not False else "a block"
        st.error("GD0115", f"'{name}' is {what}: call it once, with its tensors", dc.span,
                 help=f"write: {name}(a, b, ...)")
        return None
    if env.user_name(name, st):
        return None
    if catalog.get_merge(name) is not None and catalog.get_layer(name) is None:
        st.error("GD0115", f"'{name}' is a merge: it takes its tensors in one call", dc.span,
                 help=f"write: {name}(a, b)")
        return None
    spec = lookup_layer(st, callee, env.visible_callables)
    args = bind(st, spec, dc.call, env.consts) if spec is not None else None
    if spec is None:
        return None
    return apply_call(st, env, base, tbase, spec, args, dc.args, dc.span, finals)


def apply_call(st: State, env: Env, base: str, tbase: str, spec, args, call_args, span: Span, finals,
               shared: Shared | None = None, decl: str = ""):
    """A layer applied to the tensors (and call constants) of `call_args`, bound to its call
    signature: a double call, or a `layer` declaration called with its tensors."""
    bound = bind_call(st, env, spec, call_args, span)
    if bound is None or args is None or st.halted:
        return None
    mapping, written, inputs, first = bound
    try:
        outs = spec.outputs(args, mapping)
        count = spec.count(args, mapping)
    except ShapeError as err:
        where = next((a.span for a in call_args if a.name is not None and a.name.name == err.call_arg), span)
        first_shape = f"{fmt_shape(first)} {first.dtype}" if first is not None else ""
        st.error("GD0201", err.message, where, help=f"its first input is {first_shape}" if first_shape else None)
        return None
    except Exception as err:  # a bug in a catalog rule must not become a traceback
        st.error("GD0999", f"internal error in the {spec.name} rule: {type(err).__name__}: {err}", span)
        return None
    outs = tuple(st.pooled(t) for t in outs)
    if finals is not None and len(finals) == len(outs):
        ids = list(finals)
    elif len(outs) == 1:
        ids = [finals[0] if finals is not None else f"{tbase}/0"]
    else:
        ids = [f"{tbase}/0.{k}" for k in range(len(outs))]
    frames = tuple(st.frames)
    if shared is not None:
        if not _shared_count(st, shared, count, first, decl, span):
            return None
        layer_name = shared.name
    else:
        layer_name = st.unique(f"{_layer_base(env, base)}_{snake(spec.name)}")
    more = tuple(zip(ids[1:], outs[1:], strict=True))
    if not st.add_op(ApplyOp(ids[0], layer_name, inputs, outs[0], span, calls=frames, call=written, more=more)):
        return None
    if shared is None:
        st.layers[layer_name] = Layer(layer_name, spec.name, args, span, count, calls=frames)
    return list(zip(ids, outs, strict=True))


def bind_call(st: State, env: Env, spec, call_args, span: Span):
    """Bind the tensors and constants of a layer's call (``(q, v)``, ``(emb, initial_state=[h, c])``)
    to its call signature. Returns (mapping for the catalog's rules, the `CallArg`s as written,
    the input tensor ids in order, the first input's type), or None (reported, or unknown)."""
    params = spec.call_params
    by_name = {p.name: p for p in params}
    mapping: dict[str, object] = {}
    written: list[CallArg] = []
    inputs: list[str] = []
    where: dict[str, Span] = {}
    ok = True
    unknown = False
    position = 0
    for arg in call_args:
        if arg.name is None:
            if position >= len(params):
                st.error("GD0107", f"{spec.name}(...) takes {len(params)} call argument{'s' if len(params) != 1 else ''}"
                         ", but more are given", arg.span,
                         help="its call takes: " + ", ".join(p.name for p in params))
                return None
            p = params[position]
            position += 1
        else:
            p = by_name.get(arg.name.name)
            if p is None:
                hint = suggest(arg.name.name, list(by_name))
                st.error("GD0105", f"{spec.name}(...) has no call argument '{arg.name.name}'", arg.name.span,
                         help=f"did you mean '{hint}'?" if hint else "its call takes: " + ", ".join(by_name))
                ok = False
                continue
        if p.name in where:
            st.error("GD0108", f"call argument '{p.name}' of {spec.name} is given twice", arg.span,
                     labels=(Label(where[p.name], "first given here"),))
            ok = False
            continue
        where[p.name] = arg.span
        what = p.kind.what
        value = arg.value
        if what == "refused":
            st.error("GD0109", p.kind.reason, arg.span)
            ok = False
        elif what == "tensor":
            t = _tensor_arg(st, env, spec, p.name, value, arg.span)
            if t is False:
                ok = False
            elif t is None:
                unknown = True
            else:
                mapping[p.name] = t[1]
                inputs.append(t[0])
                written.append(CallArg(p.name, arg.name is None, (t[0],)))
        elif what == "tensors":
            if type(value) is not ir.ListLit:
                st.error("GD0109", f"{spec.name}(...)({p.name}=...) is a list of tensors, e.g. [h, c]", value.span)
                ok = False
                continue
            ts = [_tensor_arg(st, env, spec, p.name, v, v.span) for v in value.items]
            if any(t is False for t in ts):
                ok = False
                continue
            if any(t is None for t in ts):
                unknown = True
                continue
            low, high = p.kind.low, p.kind.high
            if not low <= len(ts) <= high:
                want = str(low) if low == high else f"{low} to {high}"
                st.error("GD0109", f"{spec.name}(...)({p.name}=...) is a list of {want} tensors, not {len(ts)}",
                         value.span)
                ok = False
                continue
            mapping[p.name] = tuple(t[1] for t in ts)
            inputs.extend(t[0] for t in ts)
            written.append(CallArg(p.name, arg.name is None, tuple(t[0] for t in ts), listed=True))
        else:  # a constant of the call
            c = evaluate(value, env.consts, st.diags)
            if is_unknown(c):
                unknown = True
                continue
            message = p.kind.kind.check(c) if p.kind.kind is not None else None
            if message is not None:
                st.error("GD0109", f"{spec.name}(...)({p.name}=...): {message}", value.span)
                ok = False
                continue
            mapping[p.name] = c
            written.append(CallArg(p.name, arg.name is None, value=c))
    for p in params:
        if p.required and p.name not in where:
            st.error("GD0106", f"{spec.name}(...) is missing its call argument '{p.name}'", span,
                     help=f"its call takes: {', '.join(q.name for q in params if q.kind.what != 'refused')}")
            ok = False
    if not ok:
        st.ok = False
        return None
    if unknown:
        return None
    first = next((mapping[p.name] for p in params if isinstance(mapping.get(p.name), TensorType)), None)
    if first is None:
        first = next((mapping[p.name][0] for p in params if isinstance(mapping.get(p.name), tuple)
                      and mapping[p.name] and isinstance(mapping[p.name][0], TensorType)), None)
    return mapping, tuple(written), tuple(inputs), first


def _tensor_arg(st: State, env: Env, spec, pname: str, value, span: Span):
    """A tensor argument: (id, type), None (unknown) or False (not a tensor: reported)."""
    if type(value) is ir.Ref:
        t = env.tensors.get(value.name)
        if t is not None:
            return t if t[1] is not None else None
        if env.consts.get(value.name, UNKNOWN) is not UNKNOWN:
            st.error("GD0109", f"{spec.name}(...)({pname}=...) is a tensor, but '{value.name}' is a constant here",
                     span)
            return False
        return None
    st.error("GD0109", f"{spec.name}(...)({pname}=...) is a tensor: give a tensor's name", span)
    return False


# ---- blocks --------------------------------------------------------------------------------------


def block_call(st: State, env: Env, base: str, node, call_args, chain_input):
    """A call of a block: a chain step (`chain_input` fills its first parameter) or a head. Returns
    the tensors it returns, [(id, type)], or None."""
    name = node.callee.name if type(node) is ir.Call else node.name
    block = env.block(name, st)
    info = block.info
    params = info.decl.params
    names = [p.name.name for p in params]
    skip = 1 if chain_input is not None else 0
    if skip and not names:
        st.error("GD0107", f"block '{name}' takes no parameters, so it cannot take the chain's tensor", node.span,
                 help=f"call it at a chain's head: {name}()")
        return None
    if skip and info.param_kind(names[0]) == CONSTANT:
        st.error("GD0109", f"block '{name}' cannot take the chain's tensor: its first parameter "
                 f"'{names[0]}' is a constant", node.span,
                 help=f"give it as an argument: {name}(...) at a chain's head")
        return None
    given = bind_positions(st, f"block '{name}'", names, call_args, skip, "")
    if given is None:
        st.ok = False
        return None
    bound: dict[str, tuple] = {}  # parameter -> ("tensor", (id, type)) | ("const", value)
    ok = True
    unknown = False
    if skip:
        if chain_input[1] is None:
            unknown = True
        bound[names[0]] = ("tensor", chain_input)
    for p in params[skip:]:
        pname = p.name.name
        kind = info.param_kind(pname)
        arg = given.get(pname)
        if arg is None:
            if pname in block.defaults:
                value = block.defaults[pname]
                if is_unknown(value):
                    unknown = True
                bound[pname] = ("const", value)
                continue
            st.error("GD0106", f"block '{name}' is missing its argument '{pname}'", node.span,
                     help=f"add it, e.g. {name}(..., {pname}=...)")
            ok = False
            continue
        value = arg.value
        tensor = env.tensors.get(value.name) if type(value) is ir.Ref else None
        if kind == TENSOR or (kind == EITHER and tensor is not None):
            if tensor is None:
                if type(value) is ir.Ref and env.consts.get(value.name, UNKNOWN) is UNKNOWN:
                    unknown = True  # unknown name (reported), or a tensor with errors
                    continue
                st.error("GD0109", f"parameter '{pname}' of block '{name}' is a tensor, but a constant is given",
                         arg.span, help="give a tensor's name")
                ok = False
                continue
            if tensor[1] is None:
                unknown = True
            bound[pname] = ("tensor", tensor)
        else:
            if tensor is not None:  # reported by resolution (a tensor where a value belongs)
                ok = False
                continue
            c = evaluate(value, env.consts, st.diags)
            if is_unknown(c):
                unknown = True
            bound[pname] = ("const", c)
    if not ok:
        st.ok = False
        return None
    if unknown or st.dry or st.halted or info.returns is None or not info.ok:
        return None  # (a block with errors of its own, reported, is not expanded)
    if st.too_deep(node.span):
        return None
    return expand(st, env, base, block, bound, node.span)


def _call_id(st: State, env: Env, base: str, block: str) -> str:
    scope_base = f"{base}_{block}" if env.info is None else f"{env.prefix}{block}"
    if env.sites.get(block, 0) > 1:
        k = env.seen[block] = env.seen.get(block, 0) + 1
        scope_base = f"{scope_base}_{k}"
    return st.unique(scope_base)


def expand(st: State, env: Env, base: str, block: BlockDef, bound: dict[str, tuple], span: Span):
    """Run one call of a block: its body's statements with its parameters bound."""
    info = block.info
    outer = not st.expanding
    if outer:
        st.site = span
    st.expanding += 1
    try:
        if not st.made():  # a call counts: a block that makes nothing cannot be repeated forever
            return None
        call_id = _call_id(st, env, base, info.name)
        tensors = {}
        local_consts = {}
        for pname, (what, value) in bound.items():
            if what == "tensor":
                tensors[pname] = value
            else:
                local_consts[pname] = value
        inner = Env(tensors, Consts(local_consts, info.defs, st.params), {}, info, f"{call_id}_", f"{call_id}/",
                    block.sites)
        st.frames.append(BlockCall(call_id, info.name, span))
        try:
            results = None
            for stmt in info.decl.body:
                if st.halted:
                    return None
                kind = type(stmt)
                if kind is ir.Assign or kind is ir.Unpack:
                    bind_statement(st, inner, stmt)
                elif kind is ir.LayerDecl:
                    layer_decl(st, inner, stmt)
                elif kind is ir.Return:
                    results = returned(st, inner, stmt)
                elif kind is ir.Broken:
                    st.ok = False
            return results
        finally:
            st.frames.pop()
    finally:
        st.expanding -= 1
        if outer:
            st.site = None


def returned(st: State, env: Env, stmt: ir.Return):
    values = stmt.values
    out = []
    for k, c in enumerate(values):
        part = "return" if len(values) == 1 else f"return{k + 1}"
        (value,) = chain(st, env, part, c, [f"{env.tprefix}{part}"])
        if value[1] is None:
            return None
        out.append(value)
    return out


def bind_statement(st: State, env: Env, stmt) -> None:
    """`NAME = CHAIN` or `A, B = CHAIN` (at the top level, or in a block's body)."""
    if type(stmt) is ir.Assign:
        name = stmt.name.name
        env.stmt = name
        if name == ir.DISCARD:
            ident = f"{env.tprefix}_{len(st.ops)}"
            chain(st, env, "_", stmt.chain, [ident])
            return
        (value,) = chain(st, env, name, stmt.chain, [env.tprefix + name])
        env.tensors[name] = value
        return
    names = [n.name for n in stmt.names]
    base = next((n for n in names if n != ir.DISCARD), ir.DISCARD)
    env.stmt = base
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
    shared = Shared(spec, args, stmt.call.span, keras_name, tuple(st.frames))
    table[name] = shared
    st.declared.append(shared)


def call_sites(statements, is_block) -> dict[str, int]:
    """How many times each block is called in `statements` (a repeat counts as many)."""
    sites: dict[str, int] = {}

    def count(name: str, n: int = 1) -> None:
        if is_block(name):
            sites[name] = sites.get(name, 0) + n

    def in_head(e) -> None:
        stack = [e]
        while stack:
            x = stack.pop()
            kind = type(x)
            if kind is ir.Call:
                count(x.callee.name)
            elif kind is ir.BinOp:
                stack += [x.left, x.right]
            elif kind is ir.Neg:
                stack.append(x.operand)

    def in_step(s, n: int) -> None:
        kind = type(s)
        if kind is ir.Call:
            count(s.callee.name, n)
        elif kind is ir.Ref:
            count(s.name, n)
        elif kind is ir.Repeat:
            in_step(s.step, 2)

    for stmt in statements:
        kind = type(stmt)
        chains = ()
        if kind is ir.Assign or kind is ir.Unpack or kind is ir.OutputDecl:
            chains = (stmt.chain,)
        elif kind is ir.Return:
            chains = stmt.values
        for c in chains:
            in_head(c.head)
            for s in c.steps:
                in_step(s, 1)
    return sites
