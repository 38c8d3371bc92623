"""Version-2 programs for `graphdsl.testing.programs(version=2)`: blocks, repeat, layers on
several tensors, several outputs, tensor arithmetic, params in input shapes.

A program is built as a small symbolic structure (values that may name a block's constant
parameter, steps, heads, statements, blocks) and typed by `_Eval`, which re-runs the catalog's own
rules (`LayerSpec.outputs`, `MERGES`, `arith_type`) on it. Typing is symbolic, so a block is typed
per call: a call that passes other constants than the defaults is re-typed with them, and kept
only if every layer still takes its input (otherwise the call passes the values the body was drawn
with). The same structure renders two texts: the program with its blocks (`render`), and the same
model with every block call and repeat written out by hand (`render(expanded=True)`), for the
property "a block means what its expansion means".

What is drawn (each validated by the evaluator before it is kept):

- params, some written in input shapes (`input in1: float32[n1, 4]`, `2 * n1`);
- `block NAME(x[, y], k1, k2 = 3, ...)`: one or two tensor parameters and up to three constant
  parameters (those the body's layers ended up using; some without a default), several return
  values, calls of earlier blocks, `repeat` and top-level `layer` declarations in the body;
- block calls as chain steps (`x -> b(8, k2=3)`, `x -> b`) and as heads (`b(h1, in2)`); a block
  returning several tensors ends its chain and is unpacked;
- `repeat(N, STEP)` of a layer, a declaration or a block call, N a literal, a param expression or
  a block's constant parameter;
- Keras's double call: `MultiHeadAttention(num_heads=2, key_dim=4)(q, v)` (also declared once and
  shared: `layer att = MultiHeadAttention(...)` then `att(q, v)`), `Attention()([q, v])`,
  `AdditiveAttention()([q, v])`, and `LSTM(4)(x, initial_state=[h, c])` / `GRU(4)(x,
  initial_state=[h])` on states unpacked earlier;
- several outputs unpacked, `_` discarding: `s, h, c = x -> LSTM(4, return_sequences=True,
  return_state=True)`, `_, h = x -> GRU(4, return_state=True)`;
- tensor arithmetic heads: `h1 + in2`, `h1 * 0.5`, `-h1`, `h1 / 2.0`.

Everything drawn is used (no GD0303-GD0307 warning); the text is in the formatter's canonical
style. This module imports neither Keras nor TensorFlow.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from hypothesis import strategies as st

from .catalog import LAYERS, MERGES, LayerValue, ShapeError, TensorType
from .catalog.arith import arith_type
from .catalog.types import FLOAT_DTYPES, fmt_value

MAX_DIM = 256  # as version 1: no axis grows beyond this, Keras builds stay fast
MAX_COST = 40  # layers and ops the whole program makes once blocks are expanded
MAX_BLOCK_COST = 14  # layers and ops one block call makes
MAX_BLOCKS = 4
_WIDTH = 80
_STEPS_ON_ONE_LINE = 3


class _Bad(Exception):
    """A drawn piece does not type (or grows too big): it is not used."""


class _Reject(Exception):
    """The whole draw went nowhere; hypothesis draws again."""


# ---- values -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lit:
    """A constant as the program spells it; `uses` are the program params the text names."""

    text: str
    value: object
    uses: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ref:
    """A block's constant parameter, whose value each call gives (`scale * name + plus`)."""

    name: str
    scale: int = 1
    plus: int = 0

    @property
    def text(self) -> str:
        text = self.name if self.scale == 1 else f"{self.scale} * {self.name}"
        return text if not self.plus else f"{text} + {self.plus}"


def _value(v: Lit | Ref, env: dict) -> object:
    if isinstance(v, Ref):
        value = env[v.name]
        return value if (v.scale, v.plus) == (1, 0) else value * v.scale + v.plus
    return v.value


@dataclass
class Arg:
    name: str
    val: Lit | Ref
    keyword: bool = False


# ---- steps, heads, statements --------------------------------------------------------------


@dataclass
class LayerStep:
    callee: str
    args: list[Arg]


@dataclass
class DeclStep:
    decl: str


@dataclass
class CallArg:
    param: str
    val: Lit | Ref | str  # a constant, or the name of a tensor
    keyword: bool = False


@dataclass
class CallStep:
    """A block call as a step: the chain's tensor fills the block's first parameter."""

    block: str
    args: list[CallArg]


@dataclass
class RepeatStep:
    n: Lit | Ref
    step: LayerStep | DeclStep | CallStep


@dataclass
class NameHead:
    name: str


@dataclass
class MergeHead:
    merge: str
    names: list[str]
    kwargs: list[Arg] = field(default_factory=list)


@dataclass
class CallHead:
    block: str
    args: list[CallArg]  # every tensor parameter given, first ones by position


@dataclass
class DoubleHead:
    """`Layer(args)(call)` or, with `decl`, a declaration applied to tensors: `att(q, v)`."""

    callee: str
    args: list[Arg]
    call: list[tuple[str, bool, object]]  # (call parameter, by keyword, tensor name | [names] | constant)
    decl: str | None = None


@dataclass
class ArithHead:
    op: str  # + - * / or "neg"
    left: str | Lit
    right: str | Lit | None


Step = LayerStep | DeclStep | CallStep | RepeatStep
Head = NameHead | MergeHead | CallHead | DoubleHead | ArithHead


@dataclass
class Stmt:
    targets: list[str]  # one name, or several (`_` discards)
    head: Head
    steps: list[Step]
    output: bool = False
    clauses: str = ""


@dataclass
class BlockParam:
    name: str
    tensor: bool
    default: Lit | None = None  # constants only; None: every call passes it
    draw: Callable | None = None  # another value for a call: draw -> Lit
    gen_value: object = None  # the value the body was drawn with


@dataclass
class Block:
    name: str
    params: list[BlockParam]
    body: list[Stmt]
    ret: list[tuple[Head, list[Step]]]
    decls: list[Decl] = field(default_factory=list)  # one layer per call, shared within it

    @property
    def tensors(self) -> list[BlockParam]:
        return [p for p in self.params if p.tensor]

    @property
    def consts(self) -> list[BlockParam]:
        return [p for p in self.params if not p.tensor]


@dataclass
class Decl:
    name: str
    callee: str
    args: list[Arg]
    types: tuple  # the input type(s) it was built on: every use must give the same
    outs: tuple[TensorType, ...]
    several: bool = False  # applied as a head to tensors (`att(q, v)`), not as a step


@dataclass
class Program:
    model: str | None = None
    params: list[tuple[str, str]] = field(default_factory=list)
    inputs: list[tuple[str, str, tuple]] = field(default_factory=list)  # name, dtype, dims (Lit)
    decls: dict[str, Decl] = field(default_factory=dict)
    blocks: dict[str, Block] = field(default_factory=dict)
    body: list[Stmt] = field(default_factory=list)
    optimizer: str | None = None


# ---- typing: the catalog's rules on the symbolic program --------------------------------------


class _Marked(TensorType):
    """A tensor Keras 3 marks sparse (`x * 0.5`, see `graphdsl/passes/sparse.py`): LayerScale and
    CustomScaleLayer cannot take it, and Identity, Flatten, Permute and Reshape pass the mark on."""

    __slots__ = ()


_PASS_ON = frozenset({"Identity", "Flatten", "Permute", "Reshape", "LayerScale"})
_NO_SPARSE = frozenset({"LayerScale", "CustomScaleLayer"})


def _plain(t):
    if type(t) is _Marked:
        return TensorType(t.shape, t.dtype)
    if isinstance(t, tuple):
        return tuple(_plain(x) for x in t)
    return t


def _fits(t: TensorType) -> TensorType:
    if not t.shape or any(d is not None and not 0 < d <= MAX_DIM for d in t.shape):
        raise _Bad
    return t


def _names(call: list) -> list[str]:
    """The tensors a double call names."""
    out: list[str] = []
    for _p, _k, x in call:
        out += x if isinstance(x, list) else [x] if isinstance(x, str) else []
    return out


class _Eval:
    """Types heads, steps and block calls; counts the layers and ops they make (`cost`)."""

    def __init__(self, program: Program):
        self.p = program
        self.cost = 0

    def layer(self, callee: str, args: dict, call: dict) -> tuple[TensorType, ...]:
        spec = LAYERS[callee]
        first = call[spec.tensor_param.name]
        marked = any(type(t) is _Marked for t in (first if isinstance(first, tuple) else (first,)))
        if marked and callee in _NO_SPARSE:
            raise _Bad
        try:
            outs = spec.outputs(args, {k: _plain(v) for k, v in call.items()})
        except ShapeError as e:
            raise _Bad from e
        except Exception as e:  # a rule that cannot take this input at all
            raise _Bad from e
        self.cost += 1
        outs = tuple(_fits(_plain(t)) for t in outs)
        if marked and callee in _PASS_ON:
            outs = (_Marked(outs[0].shape, outs[0].dtype), *outs[1:])
        return outs

    def step(self, s: Step, t: TensorType, env: dict) -> tuple[TensorType, ...]:
        if isinstance(s, LayerStep):
            spec = LAYERS[s.callee]
            return self.layer(s.callee, {a.name: _value(a.val, env) for a in s.args}, {spec.tensor_param.name: t})
        if isinstance(s, DeclStep):
            local = env.get("@decl:" + s.decl)
            if local is not None:  # a body's declaration: built by its first use in this call
                if "@type:" + s.decl not in env:
                    spec = LAYERS[local.callee]
                    outs = self.layer(local.callee, {a.name: _value(a.val, env) for a in local.args},
                                      {spec.tensor_param.name: t})
                    env["@type:" + s.decl] = ((t,), outs)
                    return outs
                types, outs = env["@type:" + s.decl]
            else:
                d = self.p.decls[s.decl]
                types, outs = d.types, d.outs
            if types != (t,):
                raise _Bad
            self.cost += 1
            return outs
        if isinstance(s, CallStep):
            return self.call(self.p.blocks[s.block], [t], s.args, env)
        n = _value(s.n, env)
        if not isinstance(n, int) or n < 1:
            raise _Bad
        outs = (t,)
        for _ in range(n):
            if len(outs) != 1:
                raise _Bad
            outs = self.step(s.step, outs[0], env)
        return outs

    def call(self, block: Block, given: list[TensorType], args: list[CallArg], env: dict) -> tuple[TensorType, ...]:
        inner: dict = {}
        tensors = list(given)
        for a in args:
            if isinstance(a.val, str):
                tensors.append(self.tensor(a.val, env))
            else:
                inner[a.param] = _value(a.val, env)
        for p, t in zip(block.tensors, tensors, strict=True):
            inner[p.name] = t
        for d in block.decls:
            inner["@decl:" + d.name] = d
        for p in block.consts:
            if p.name not in inner:
                if p.default is None:
                    raise _Bad
                inner[p.name] = p.default.value
        for stmt in block.body:
            self.bind(stmt, inner)
        outs = []
        for head, steps in block.ret:
            got = self.chain(head, steps, inner)
            if len(got) != 1:
                raise _Bad
            outs.append(got[0])
        return tuple(outs)

    def operand(self, x: str | Lit, env: dict) -> TensorType | int | float:
        """An operand of arithmetic: a tensor, a number, or a block's parameter holding either."""
        if isinstance(x, Lit):
            return x.value
        v = env.get(x)
        if isinstance(v, TensorType) or (isinstance(v, (int, float)) and not isinstance(v, bool)):
            return v
        raise _Bad

    def tensor(self, name: str, env: dict) -> TensorType:
        t = env.get(name)
        if not isinstance(t, TensorType):
            raise _Bad
        return t

    def head(self, h: Head, env: dict) -> tuple[TensorType, ...]:
        if isinstance(h, NameHead):
            return (self.tensor(h.name, env),)
        if isinstance(h, MergeHead):
            ins = [self.tensor(n, env) for n in h.names]
            try:
                out = _plain(MERGES[h.merge].infer({a.name: _value(a.val, env) for a in h.kwargs}, list(_plain(tuple(ins)))))
            except Exception as e:
                raise _Bad from e
            self.cost += 1
            if all(type(t) is _Marked for t in ins):
                out = _Marked(out.shape, out.dtype)
            return (_fits(out),)
        if isinstance(h, CallHead):
            return self.call(self.p.blocks[h.block], [], h.args, env)
        if isinstance(h, DoubleHead):
            call = {}
            for param, _kw, v in h.call:
                if isinstance(v, list):
                    call[param] = tuple(self.tensor(n, env) for n in v)
                elif isinstance(v, str):
                    call[param] = self.tensor(v, env)
                else:
                    call[param] = v
            if h.decl is not None:
                d = self.p.decls[h.decl]
                if d.types != tuple(call.items()):
                    raise _Bad
                self.cost += 1
                return d.outs
            return self.layer(h.callee, {a.name: _value(a.val, env) for a in h.args}, call)
        left = self.operand(h.left, env)
        right = None if h.right is None else self.operand(h.right, env)
        try:
            out = _plain(arith_type(h.op, _plain(left), _plain(right)))
        except Exception as e:
            raise _Bad from e
        self.cost += 1
        lm, rm = type(left) is _Marked, type(right) is _Marked
        number = not isinstance(left, TensorType) or (right is not None and not isinstance(right, TensorType))
        if (h.op == "*" and (number or lm or rm)) or (h.op == "/" and lm and not rm) or \
                (h.op == "neg" and lm) or (h.op in "+-" and lm and rm):
            out = _Marked(out.shape, out.dtype)
        return (_fits(out),)

    def chain(self, head: Head, steps: list[Step], env: dict) -> tuple[TensorType, ...]:
        outs = self.head(head, env)
        for s in steps:
            if len(outs) != 1:
                raise _Bad
            outs = self.step(s, outs[0], env)
        return outs

    def bind(self, stmt: Stmt, env: dict) -> tuple[TensorType, ...]:
        outs = self.chain(stmt.head, stmt.steps, env)
        if len(outs) != len(stmt.targets):
            raise _Bad
        for name, t in zip(stmt.targets, outs, strict=True):
            if name != "_":
                env[name] = t
        return outs


# ---- drawing ---------------------------------------------------------------------------------


@dataclass
class _Scope:
    """Where statements are drawn: the program's top level or a block's body."""

    env: dict  # name -> TensorType (tensors) or value (a block's constants)
    order: list[str] = field(default_factory=list)  # tensors in definition order
    open: list[str] = field(default_factory=list)  # tensors nothing uses yet
    block: _BlockDraft | None = None
    depth: int = 0  # blocks nested around this scope

    def add(self, name: str, t: TensorType) -> None:
        self.env[name] = t
        self.order.append(name)
        self.open.append(name)

    def use(self, *names: str) -> None:
        for n in names:
            if n in self.open:
                self.open.remove(n)

    def tensors(self, pred: Callable[[TensorType], bool] = lambda t: True) -> list[str]:
        return [n for n in self.order if pred(self.env[n])]


@dataclass
class _BlockDraft:
    consts: list[BlockParam] = field(default_factory=list)
    decls: list[Decl] = field(default_factory=list)  # `layer` declarations of the body


def _float(t: TensorType) -> bool:
    return t.dtype in FLOAT_DTYPES


def _seq(t: TensorType) -> bool:
    return t.rank == 2 and _float(t)


class _Gen:
    """One draw of a program: the hypothesis `draw`, the knobs, and what has been made so far.
    Pieces that are drawn and then not used (a layer that does not fit, a block whose call does
    not type) may leave params, declarations and blocks behind; the writer leaves out whatever the
    program does not name."""

    def __init__(self, draw, knobs: dict):
        self.draw = draw
        self.k = knobs
        self.p = Program()
        self.int_params: dict[str, int] = {}
        self.float_params: dict[str, float] = {}
        self.counter = 0
        self.cost = 0
        self.top_names: list[str] = []  # the program's tensors so far

    # -- small draws
    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def name(self, scope: _Scope | None) -> str:
        """A new tensor's name; now and then one that looks like a Keras name graphdsl makes
        (`h3_blk5`, `h3_dense`), or, in a block's body, the name of a program tensor it hides."""
        if scope is not None and scope.block is not None:
            hidden = [n for n in self.top_names if n not in scope.env]
            if hidden and self.bool_(6):
                return self.pick(hidden)
        elif self.top_names and self.bool_(6):
            base = self.pick(self.top_names)
            blocks = list(self.p.blocks)
            name = f"{base}_{self.pick([*blocks, *(b + '_dense' for b in blocks), 'dense', 'identity', 'conv2d'])}"
            if name not in self.top_names:
                self.top_names.append(name)
                return name
        name = self.fresh("h")
        if scope is None or scope.block is None:
            self.top_names.append(name)
        return name

    def int_(self, lo: int, hi: int) -> int:
        return self.draw(st.integers(lo, hi))

    def bool_(self, one_in: int = 2) -> bool:
        return self.draw(st.integers(1, one_in)) == 1

    def pick(self, xs: Sequence):
        return self.draw(st.sampled_from(list(xs)))

    def ev(self) -> _Eval:
        return _Eval(self.p)

    # -- values: literals, program params, a block's constant parameters
    def int_lit(self, value: int) -> Lit:
        """`value` as a literal or a program param (perhaps with arithmetic)."""
        if not self.k["params"] or not self.bool_():
            return Lit(str(value), value)
        for name, v in self.int_params.items():
            if v == value:
                return Lit(name, value, (name,))
            if v * 2 == value:
                return Lit(f"2 * {name}", value, (name,))
            if v + 1 == value:
                return Lit(f"{name} + 1", value, (name,))
            if v > 1 and v // 2 == value:
                return Lit(f"{name} // 2", value, (name,))
        if len(self.p.params) >= 4:
            return Lit(str(value), value)
        name = self.fresh("n")
        self.int_params[name] = value
        self.p.params.append((name, str(value)))
        return Lit(name, value, (name,))

    def size(self, lo: int, hi: int, scope: _Scope | None) -> Lit | Ref:
        value = self.int_(lo, hi)
        draft = scope.block if scope is not None else None
        if draft is not None and len(draft.consts) < 3 and self.bool_(3):
            name = self.fresh("k")
            draft.consts.append(BlockParam(name, False, self.int_lit(value),
                                           lambda: (v := self.int_(lo, hi), Lit(str(v), v))[1], value))
            scope.env[name] = value
            return Ref(name)
        return self.int_lit(value)

    def rate(self, scope: _Scope | None) -> Lit | Ref:
        rates = [0.1, 0.25, 0.5, 0.0]
        value = self.pick(rates)
        draft = scope.block if scope is not None else None
        if draft is not None and len(draft.consts) < 3 and self.bool_(3):
            name = self.fresh("k")
            draft.consts.append(BlockParam(name, False, Lit(fmt_value(value), value),
                                           lambda: (v := self.pick(rates), Lit(fmt_value(v), v))[1], value))
            scope.env[name] = value
            return Ref(name)
        if self.k["params"] and self.bool_():
            for name, v in self.float_params.items():
                if v == value:
                    return Lit(name, value, (name,))
            if len(self.p.params) < 4:
                name = self.fresh("rate")
                self.float_params[name] = value
                self.p.params.append((name, fmt_value(value)))
                return Lit(name, value, (name,))
        return Lit(fmt_value(value), value)

    # -- layers, drawn by the catalog's descriptors
    def layer_args(self, callee: str, t: TensorType, scope: _Scope | None) -> list[Arg] | None:
        drawer = LAYERS[callee].draw
        return None if drawer is None else drawer(_DrawContext(self, scope), t)

    def layer_step(self, t: TensorType, scope: _Scope) -> tuple[Step, TensorType] | None:
        saved = (len(self.p.params), dict(self.int_params), dict(self.float_params),
                 len(scope.block.consts) if scope.block else 0)
        for _ in range(6):
            callee = self.pick(self.k["layers"])
            top = self.k["shared_layers"] and self.bool_(6)  # a top-level `layer` declaration
            own = not top and scope.block is not None and self.bool_(6)  # one in the block's body
            args = self.layer_args(callee, t, None if top else scope)
            if args is not None:
                try:
                    outs = self.ev().step(LayerStep(callee, args), t, scope.env)
                except _Bad:
                    outs = None
                if outs is not None and len(outs) == 1:
                    if top:
                        name = self.fresh("shared")
                        self.p.decls[name] = Decl(name, callee, args, (t,), outs)
                        return DeclStep(name), outs[0]
                    if own:
                        name = self.fresh("own")
                        decl = Decl(name, callee, args, (t,), outs)
                        scope.block.decls.append(decl)
                        scope.env["@decl:" + name] = decl
                        scope.env["@type:" + name] = ((t,), outs)
                        return DeclStep(name), outs[0]
                    return LayerStep(callee, args), outs[0]
            # take back the params and block constants drawn for a layer not used
            del self.p.params[saved[0]:]
            self.int_params, self.float_params = dict(saved[1]), dict(saved[2])
            if scope.block:
                del scope.block.consts[saved[3]:]
        return None

    def call_args(self, block: Block, scope: _Scope, tensors: list[str], first_given: bool) -> list[CallArg]:
        """Arguments of a call of `block`: `tensors` for its tensor parameters (after the first
        when the chain gives it), constants for some of its constant parameters."""
        args = []
        params = block.tensors[1:] if first_given else block.tensors
        for p, name in zip(params, tensors, strict=True):
            args.append(CallArg(p.name, name, keyword=bool(args) and self.bool_(4)))
        positional = all(not a.keyword for a in args)
        for p in block.consts:
            if p.default is not None and self.bool_(2):
                positional = False  # the default: the constants after it go by keyword
                continue
            if scope.block is not None and self.bool_(3):
                outer = [c for c in scope.block.consts if type(c.gen_value) is type(p.gen_value)]
                if outer and isinstance(p.gen_value, int) and not isinstance(p.gen_value, bool):
                    val = Ref(self.pick(outer).name, *self.pick([(1, 0), (1, 0), (2, 0), (1, 1)]))
                else:
                    val = Ref(outer[0].name) if outer else p.draw()
            else:
                val = p.draw() if self.bool_() else Lit(p.default.text if p.default else str(p.gen_value), p.gen_value)
            keyword = not positional or self.bool_(3)
            positional = positional and not keyword
            args.append(CallArg(p.name, val, keyword))
        return args

    def try_call(self, block: Block, given: list[TensorType], scope: _Scope, tensors: list[str],
                 first_given: bool) -> tuple[list[CallArg], tuple[TensorType, ...]] | None:
        """Arguments for a call that types (constants drawn, else the body's own values)."""
        args = self.call_args(block, scope, tensors, first_given)
        for attempt in (args, self.gen_args(block, tensors, first_given)):
            try:
                ev = self.ev()
                outs = ev.call(block, given, attempt, scope.env)
            except _Bad:
                continue
            if ev.cost <= MAX_BLOCK_COST * (1 + scope.depth):
                return attempt, outs
        return None

    def gen_args(self, block: Block, tensors: list[str], first_given: bool) -> list[CallArg]:
        """The arguments that give the body the values it was drawn with (required ones only)."""
        params = block.tensors[1:] if first_given else block.tensors
        args = [CallArg(p.name, n) for p, n in zip(params, tensors, strict=True)]
        return args + [CallArg(p.name, Lit(fmt_value(p.gen_value), p.gen_value))
                       for p in block.consts if p.default is None]

    def block_step(self, t: TensorType, scope: _Scope, several: bool) -> tuple[CallStep, tuple] | None:
        """A call of a block on one tensor (an existing one, or a new one drawn for `t`)."""
        blocks = [b for b in self.p.blocks.values() if len(b.tensors) == 1 and (several or len(b.ret) == 1)]
        order = []
        if blocks and self.bool_(3) is False:
            order.append(self.pick(blocks))
        if scope.depth < 2 and len(self.p.blocks) < MAX_BLOCKS:
            order.append(None)
        for block in order:
            if block is None:
                block = self.new_block([t], scope.depth + 1, several)
                if block is None:
                    continue
            made = self.try_call(block, [t], scope, [], True)
            if made is not None and (several or len(made[1]) == 1):
                return CallStep(block.name, made[0]), made[1]
        return None

    def step(self, t: TensorType, scope: _Scope) -> tuple[Step, TensorType] | None:
        kind = self.pick(["layer"] * 6 + ["block", "block", "repeat", "decl"])
        if kind == "decl":
            decls = [(d.name, d.outs) for d in self.p.decls.values() if not d.several and d.types == (t,)]
            if scope.block is not None:
                decls += [(d.name, scope.env["@type:" + d.name][1]) for d in scope.block.decls
                          if scope.env["@type:" + d.name][0] == (t,)]
            if decls:
                name, outs = self.pick(decls)
                return DeclStep(name), outs[0]
            kind = "layer"
        if kind == "block":
            made = self.block_step(t, scope, several=False)
            if made is not None:
                return made[0], made[1][0]
            kind = "layer"
        if kind == "repeat":
            inner = self.step(t, scope)
            if inner is None or isinstance(inner[0], RepeatStep):
                return inner
            if scope.block is not None and self.bool_(3) and len(scope.block.consts) < 3:
                n = self.size(1, 3, scope)
            else:
                n = self.int_lit(self.int_(1, 3))
            rep = RepeatStep(n, inner[0])
            try:
                ev = self.ev()
                outs = ev.step(rep, t, scope.env)
            except _Bad:
                return inner
            if ev.cost > MAX_BLOCK_COST:
                return inner
            return rep, outs[0]
        return self.layer_step(t, scope)

    def chain_steps(self, t: TensorType, scope: _Scope, lo: int, hi: int) -> tuple[list[Step], TensorType]:
        steps = []
        for _ in range(self.int_(lo, max(lo, hi))):
            made = self.step(t, scope)
            if made is None:
                break
            steps.append(made[0])
            t = made[1]
        return steps, t

    def several_step(self, t: TensorType, scope: _Scope) -> tuple[Step, tuple] | None:
        """A last step with several outputs: an RNN with its states, or a block returning several."""
        if self.bool_() and _seq(t):
            callee = self.pick(["LSTM", "GRU"])
            units = self.size(1, 8, scope)
            args = [Arg("units", units)]
            if self.bool_():
                args.append(Arg("return_sequences", Lit("True", True), True))
            args.append(Arg("return_state", Lit("True", True), True))
            try:
                outs = self.ev().step(LayerStep(callee, args), t, scope.env)
            except _Bad:
                return None
            return LayerStep(callee, args), outs
        made = self.block_step(t, scope, several=True)
        if made is not None and len(made[1]) > 1:
            return made
        return None

    # -- heads
    def head(self, scope: _Scope) -> tuple[Head, tuple, list[str]] | None:
        """A chain's head: (head, its types, the tensors it uses)."""
        kind = self.pick(["name"] * 4 + ["merge", "arith", "arith", "double", "double", "call", "state"])
        ev = self.ev()
        try:
            if kind == "merge":
                floats = scope.tensors(_float)
                if len(floats) >= 2:
                    merge = self.pick(["concat", "add", "multiply", "average", "subtract"])
                    names = self.draw(st.lists(st.sampled_from(floats), min_size=2, max_size=2, unique=True))
                    h = MergeHead(merge, names)
                    return h, ev.head(h, scope.env), names
            if kind == "arith":
                return self.arith_head(scope)
            if kind == "double":
                return self.double_head(scope)
            if kind == "state":
                return self.state_head(scope)
            if kind == "call" and scope.depth < 2:
                return self.call_head(scope)
        except _Bad:
            pass
        name = self.pick(scope.open) if scope.open and self.bool_(4) is False else self.pick(scope.order)
        return NameHead(name), (scope.env[name],), [name]

    def arith_head(self, scope: _Scope):
        names = scope.tensors(lambda t: t.dtype != "bool")
        a = self.pick(names)
        form = self.pick(["pair", "number", "number", "neg"])
        ev = self.ev()
        if form == "pair":
            partners = [b for b in names if b != a]
            if partners:
                b = self.pick(partners)
                h = ArithHead(self.pick(["+", "-", "*"]), a, b)
                return h, ev.head(h, scope.env), [a, b]
        if form == "neg":
            h = ArithHead("neg", a, None)
            return h, ev.head(h, scope.env), [a]
        op, number = self.pick([("*", Lit("0.5", 0.5)), ("+", Lit("3.0", 3.0)), ("/", Lit("2.0", 2.0)),
                                ("*", Lit("2", 2)), ("-", Lit("1", 1))])
        h = ArithHead(op, number, a) if op in "+*" and self.bool_(3) else ArithHead(op, a, number)
        return h, ev.head(h, scope.env), [a]

    def double_head(self, scope: _Scope):
        """Keras's double call on sequences: attention (or a shared attention declaration)."""
        seqs = scope.tensors(_seq)
        if not seqs:
            raise _Bad
        for d in self.p.decls.values():  # apply a declaration again, on tensors of the same types
            if d.several and self.bool_():
                call = [(param, param not in ("query", "value", "inputs"), self.match(scope, t)) for param, t in d.types]
                if all(x is not None for _p, _k, x in call):
                    h = DoubleHead(d.callee, [], call, decl=d.name)
                    return h, self.ev().head(h, scope.env), _names(call)
        q, v = self.pick(seqs), self.pick(seqs)
        callee = self.pick(["MultiHeadAttention", "MultiHeadAttention", "Attention", "AdditiveAttention"])
        if callee == "MultiHeadAttention":
            args = [Arg("num_heads", self.size(1, 3, scope), True), Arg("key_dim", self.size(2, 8, scope), True)]
            call: list = [("query", False, q), ("value", False, v)]
            keys = [k for k in seqs if scope.env[k].shape[0] == scope.env[v].shape[0]]
            if self.bool_(4):
                call.append(("key", True, self.pick(keys)))
            if self.bool_(4):
                call.append(("use_causal_mask", True, True))
            if self.bool_(4):
                call.append(("return_attention_scores", True, True))
        else:
            args = [Arg("use_scale", Lit("True", True), True)] if callee == "Attention" and self.bool_(3) else []
            call = [("inputs", False, [q, v])]
        h = DoubleHead(callee, args, call)
        outs = self.ev().head(h, scope.env)
        top_args = not any(isinstance(a.val, Ref) for a in args)
        if self.k["shared_layers"] and top_args and self.bool_(3):
            name = self.fresh("att")
            types = tuple((p, tuple(scope.env[n] for n in x) if isinstance(x, list) else
                           scope.env[x] if isinstance(x, str) else x) for p, _k, x in call)
            self.p.decls[name] = Decl(name, callee, args, types, outs, several=True)
            h = DoubleHead(callee, [], call, decl=name)
        return h, outs, _names(call)

    def match(self, scope: _Scope, t):
        """Tensors of the scope of type `t` (a name, or names for a tuple of types); a constant as is."""
        if isinstance(t, tuple):
            names = [self.match(scope, x) for x in t]
            return None if None in names else names
        if not isinstance(t, TensorType):
            return t
        fits = scope.tensors(lambda u: u == t)
        return self.pick(fits) if fits else None

    def state_head(self, scope: _Scope):
        """`LSTM(u)(x, initial_state=[h, c])` / `GRU(u)(x, initial_state=[h])` on states in scope."""
        seqs = scope.tensors(_seq)
        states = scope.tensors(lambda t: t.rank == 1 and _float(t) and t.shape[0] is not None)
        if not seqs or not states:
            raise _Bad
        x = self.pick(seqs)
        h = self.pick(states)
        units = scope.env[h].shape[0]
        if self.bool_():
            callee, state = "LSTM", [h, self.pick([s for s in states if scope.env[s] == scope.env[h]])]
        else:
            callee, state = "GRU", [h]
        args = [Arg("units", self.int_lit(units))]
        if self.bool_():
            args.append(Arg("return_sequences", Lit("True", True), True))
        head = DoubleHead(callee, args, [("sequences", False, x), ("initial_state", True, state)])
        return head, self.ev().head(head, scope.env), [x, *state]

    def call_head(self, scope: _Scope):
        """A block with two tensor parameters called with tensors of the scope."""
        names = scope.tensors()
        a, b = self.pick(names), self.pick(names)
        given = [scope.env[a], scope.env[b]]
        blocks = [blk for blk in self.p.blocks.values() if len(blk.tensors) == 2]
        block = self.pick(blocks) if blocks and self.bool_() else None
        if block is None and len(self.p.blocks) < MAX_BLOCKS:
            block = self.new_block(given, scope.depth + 1, several=False)
        if block is None:
            raise _Bad
        made = self.try_call(block, [], scope, [a, b], False)
        if made is None:
            raise _Bad
        return CallHead(block.name, made[0]), made[1], [a, b]

    # -- statements
    def statement(self, scope: _Scope) -> Stmt | None:
        made = self.head(scope)
        if made is None:
            return None
        head, outs, used = made
        steps: list[Step] = []
        if len(outs) == 1:
            steps, t = self.chain_steps(outs[0], scope, 0 if not isinstance(head, NameHead) else 1,
                                        self.k["max_depth"])
            outs = (t,)
            if self.bool_(4):
                last = self.several_step(t, scope)
                if last is not None:
                    steps.append(last[0])
                    outs = last[1]
        if isinstance(head, NameHead) and not steps:
            return None
        targets = [self.name(scope) for _ in outs]
        if len(outs) > 1:  # discard some
            for i in range(len(targets)):
                if self.bool_(3):
                    targets[i] = "_"
            if all(n == "_" for n in targets):
                targets[0] = self.fresh("h")
        named = [n for n in targets if n != "_"]
        if len(set(named)) != len(named):
            targets = [n if n == "_" else self.fresh("h") for n in targets]
        stmt = Stmt(targets, head, steps)
        ev = self.ev()
        try:
            ev.bind(stmt, dict(scope.env))
        except _Bad:
            return None
        if scope.block is None:
            if self.cost + ev.cost > MAX_COST:
                return None
            self.cost += ev.cost
        scope.use(*used)
        for n, t in zip(targets, outs, strict=True):
            if n != "_":
                scope.add(n, t)
        return stmt

    # -- blocks
    def new_block(self, given: list[TensorType], depth: int, several: bool) -> Block | None:
        """A block drawn for tensors of types `given` (its tensor parameters `x`, `y`)."""
        names = ["x", "y"][: len(given)]
        draft = _BlockDraft()
        scope = _Scope({}, block=draft, depth=depth)
        for n, t in zip(names, given, strict=True):
            scope.add(n, t)
        body: list[Stmt] = []
        if len(given) == 2:  # use both at once: a merge, arithmetic or attention
            for _ in range(4):
                made = self.head(scope)
                if made is not None and set(made[2]) == {"x", "y"}:
                    head, outs, used = made
                    targets = [self.fresh("a") for _ in outs]
                    body.append(Stmt(targets, head, []))
                    scope.use(*used)
                    for n, t in zip(targets, outs, strict=True):
                        scope.add(n, t)
                    break
        for _ in range(self.int_(1, 2)):
            stmt = self.statement(scope)
            if stmt is not None:
                body.append(stmt)
        ret: list[tuple[Head, list[Step]]] = []
        if len(scope.open) == 1 or (len(scope.open) > 1 and not several):
            # one result: the open tensors merged (if they can be), then a few steps
            head: Head = NameHead(scope.open[0])
            if len(scope.open) > 1:
                head = MergeHead("concat", list(scope.open))
                try:
                    self.ev().head(head, scope.env)
                except _Bad:
                    head = None
            if head is not None:
                try:
                    t = self.ev().head(head, scope.env)[0]
                    steps, _ = self.chain_steps(t, scope, 0, 2)
                    ret = [(head, steps)]
                except _Bad:
                    ret = []
        elif len(scope.open) > 1:
            ret = [(NameHead(n), []) for n in scope.open[:3]]
            if len(scope.open) > 3:
                ret = []
        if not ret or (ret == [(NameHead(names[0]), [])] and len(given) == 1):
            return None  # params and blocks drawn for it are left out of the text (see `_render`)
        if len(ret) == 1 and len(given) == 1 and len(draft.consts) < 3 and self.bool_(4):
            # `return a * s`: a parameter only arithmetic uses takes a number (or a tensor)
            head, steps = ret[0]
            if isinstance(head, NameHead) and not steps:
                base = head.name
            else:
                base = self.fresh("a")
                body.append(Stmt([base], head, steps))
            numbers = [0.5, 2.0, 3.0]
            value = self.pick(numbers)
            name = self.fresh("s")
            draft.consts.append(BlockParam(name, False, None, lambda: Lit(fmt_value(v := self.pick(numbers)), v),
                                           value))
            ret = [(ArithHead(self.pick(["*", "+", "-"]), base, name), [])]
        block = Block(self.fresh("blk"), [], body, ret)
        used = _refs(block, draft.decls)
        block.decls = [d for d in draft.decls if d.name in used]
        consts = [c for c in draft.consts if c.name in used]
        for c in consts:
            if self.bool_(3):
                c.default = None
        consts.sort(key=lambda c: c.default is not None)
        block.params = [BlockParam(n, True) for n in names] + consts
        self.p.blocks[block.name] = block
        return block


def _refs(block: Block, decls: list[Decl]) -> set[str]:
    """The block's constant parameters and declarations its body names."""
    found: set[str] = set()
    local = {d.name: d for d in decls}

    def val(v):
        if isinstance(v, Ref):
            found.add(v.name)

    def steps(ss):
        for s in ss:
            if isinstance(s, DeclStep) and s.decl in local and s.decl not in found:
                found.add(s.decl)
                for a in local[s.decl].args:
                    val(a.val)
            if isinstance(s, LayerStep):
                for a in s.args:
                    val(a.val)
            elif isinstance(s, CallStep):
                for a in s.args:
                    val(a.val)
            elif isinstance(s, RepeatStep):
                val(s.n)
                steps([s.step])

    def head(h):
        if isinstance(h, (DoubleHead, MergeHead)):
            for a in (h.args if isinstance(h, DoubleHead) else h.kwargs):
                val(a.val)
        elif isinstance(h, CallHead):
            for a in h.args:
                val(a.val)
        elif isinstance(h, ArithHead):
            for x in (h.left, h.right):
                if isinstance(x, str):
                    found.add(x)

    for stmt in block.body:
        head(stmt.head)
        steps(stmt.steps)
    for h, ss in block.ret:
        head(h)
        steps(ss)
    return found


class _DrawContext:
    """The catalog's drawing interface (see `graphdsl.catalog`), on a v2 draw."""

    def __init__(self, gen: _Gen, scope: _Scope | None):
        self._g = gen
        self._scope = scope

    def integer(self, lo: int, hi: int) -> int:
        return self._g.int_(lo, hi)

    def size(self, lo: int, hi: int) -> Lit | Ref:
        return self._g.size(lo, hi, self._scope)

    def rate(self) -> Lit | Ref:
        return self._g.rate(self._scope)

    def choice(self, options: Sequence) -> object:
        return self._g.pick(options)

    def boolean(self) -> bool:
        return self._g.draw(st.booleans())

    def activation(self, usual: Sequence[str]) -> str:
        return self._g.pick(list(usual))

    def pos(self, name: str, value: object) -> Arg:
        return Arg(name, value if isinstance(value, (Lit, Ref)) else Lit(fmt_value(value), value))

    def kw(self, name: str, value: object) -> Arg:
        arg = self.pos(name, value)
        arg.keyword = True
        return arg

    def layer(self, name: str, *args: Arg) -> Lit:
        # a layer given as an argument is spelled with literals (and program params) only
        env = self._scope.env if self._scope is not None else {}
        plain = [Arg(a.name, Lit(fmt_value(env[a.val.name]), env[a.val.name]) if isinstance(a.val, Ref) else a.val,
                     a.keyword) for a in args]
        text = f"{name}({', '.join(_arg_text(a, set()) for a in plain)})"
        uses = tuple(u for a in plain for u in a.val.uses)
        return Lit(text, LayerValue(LAYERS[name], {a.name: a.val.value for a in plain}), uses)


def _arg_text(a: Arg, used: set[str], env: dict | None = None) -> str:
    return (f"{a.name}=" if a.keyword else "") + _val_text(a.val, used, env)


def _val_text(v: Lit | Ref, used: set[str], env: dict | None = None) -> str:
    """A constant's spelling; with `env` (a call being written out by hand), a block's constant
    parameter is spelled as the value the call gives it."""
    if isinstance(v, Ref):
        if env is not None:
            return fmt_value(_value(v, env))
        used.add(v.name)
        return v.text
    used.update(v.uses)
    return v.text


# ---- inputs and outputs ---------------------------------------------------------------------

_FLOATS = ("float32", "float32", "float32", "float64", "float16")
_INTS = ("int32", "int64")


def _input_type(g: _Gen) -> TensorType:
    kind = g.pick(["vector", "sequence", "sequence", "tokens", "image", "volume"])
    if kind == "vector":
        return TensorType((g.int_(1, 16),), g.pick(_FLOATS))
    if kind == "sequence":
        steps = g.draw(st.one_of(st.integers(2, 12), st.none()))
        return TensorType((steps, g.int_(1, 8)), g.pick(_FLOATS))
    if kind == "tokens":
        steps = g.draw(st.one_of(st.integers(2, 12), st.none()))
        return TensorType((steps,), g.pick(_INTS))
    if kind == "volume":
        return TensorType((*(g.int_(2, 4) for _ in range(3)), g.int_(1, 2)), g.pick(_FLOATS))
    return TensorType((g.int_(3, 8), g.int_(3, 8), g.int_(1, 3)), g.pick(_FLOATS))


def _reduce(g: _Gen, t: TensorType, scope: _Scope) -> tuple[list[Step], TensorType]:
    """Steps that turn `t` into a float vector (rank 1)."""
    steps: list[Step] = []
    for _ in range(4):
        if t.rank == 1 and _float(t):
            return steps, t
        if not _float(t):
            order = ["Embedding"]
        else:
            order = {2: ["GlobalAveragePooling1D", "Flatten"], 3: ["GlobalMaxPooling2D", "Flatten"],
                     4: ["GlobalAveragePooling3D", "Flatten"]}.get(t.rank, ["Flatten"])
        for callee in order:
            args = g.layer_args(callee, t, None)
            if args is None:
                continue
            try:
                outs = g.ev().step(LayerStep(callee, args), t, scope.env)
            except _Bad:
                continue
            steps.append(LayerStep(callee, args))
            t = outs[0]
            break
        else:
            break
    if t.rank == 1 and _float(t):
        return steps, t
    raise _Reject


def _finish_output(g: _Gen, stmt: Stmt, t: TensorType, scope: _Scope) -> TensorType:
    """End an output's chain with a Dense layer suiting a drawn loss, and its clauses."""
    if not _float(t):
        steps, t = _reduce(g, t, scope)
        stmt.steps += steps
    kind = g.pick(["regression", "binary", "categorical"])
    if kind == "regression":
        units = g.int_(1, 4)
        dense = LayerStep("Dense", [Arg("units", Lit(str(units), units))])
        clauses = "loss " + g.pick(["mse", "mae"])
        metrics = ["mae", "mse"]
    elif kind == "binary":
        dense = LayerStep("Dense", [Arg("units", Lit("1", 1)), Arg("activation", Lit('"sigmoid"', "sigmoid"), True)])
        clauses = "loss binary_crossentropy"
        metrics = ["accuracy"]
    else:
        units = g.int_(2, 6)
        dense = LayerStep("Dense", [Arg("units", Lit(str(units), units)),
                                    Arg("activation", Lit('"softmax"', "softmax"), True)])
        clauses = "loss " + g.pick(["categorical_crossentropy", "sparse_categorical_crossentropy"])
        metrics = ["accuracy"]
    last: Step = dense
    how = g.pick(["call"] * 8 + ["declared", "block"])
    if how == "declared" and g.k["shared_layers"]:  # the output then gets an Identity named after it
        name = g.fresh("head")
        g.p.decls[name] = Decl(name, "Dense", dense.args, (t,), ())
        last = DeclStep(name)
    elif how == "block" and len(g.p.blocks) < MAX_BLOCKS:  # its Dense is the block's
        name = g.fresh("blk")
        g.p.blocks[name] = Block(name, [BlockParam("x", True)], [], [(NameHead("x"), [dense])])
        last = CallStep(name, [])
    try:
        out = g.ev().step(dense, t, scope.env)[0]
    except _Bad as e:
        raise _Reject from e
    if isinstance(last, DeclStep):
        g.p.decls[last.decl].outs = (out,)
    stmt.steps.append(last)
    if g.bool_(3):
        clauses += " weight " + g.pick(["0.5", "2.0"])
    if g.bool_():
        clauses += f" metrics [{g.pick(metrics)}]"
    stmt.clauses = clauses
    return out


def _build(draw, knobs: dict) -> Program:
    g = _Gen(draw, knobs)
    p = g.p
    if g.bool_():
        p.model = g.pick(["net", "m2", "blocks"])
    top = _Scope({})
    for _ in range(g.int_(knobs["min_inputs"], knobs["max_inputs"])):
        t = _input_type(g)
        dims = tuple(Lit("?", None) if d is None else g.int_lit(d) if g.bool_(3) else Lit(str(d), d) for d in t.shape)
        name = g.fresh("in")
        p.inputs.append((name, t.dtype, dims))
        top.add(name, t)
    for _ in range(g.int_(1, knobs["max_statements"])):
        stmt = g.statement(top)
        if stmt is not None:
            p.body.append(stmt)

    n_out = g.int_(knobs["min_outputs"], knobs["max_outputs"])
    for i in range(n_out):
        last = i == n_out - 1
        name = g.name(None) if g.bool_(3) else g.fresh("out")
        if last and len(top.open) > 1:
            vectors = []
            for leftover in list(top.open):
                steps, t = _reduce(g, top.env[leftover], top)
                if steps:
                    vname = g.fresh("v")
                    p.body.append(Stmt([vname], NameHead(leftover), steps))
                    top.env[vname] = t
                    vectors.append(vname)
                else:
                    vectors.append(leftover)
            head: Head = MergeHead("concat", vectors)
            t = g.ev().head(head, top.env)[0]
            steps = []
        else:
            leftover = top.open[0] if last and top.open else g.pick(top.order)
            head, t = NameHead(leftover), top.env[leftover]
            steps, t = g.chain_steps(t, top, 0, 2)
        top.open.clear() if last else top.use(leftover)
        stmt = Stmt([name], head, steps, output=True)
        out = _finish_output(g, stmt, t, top)
        p.body.append(stmt)
        top.env[name] = out
        top.order.append(name)
    if g.bool_():
        p.optimizer = g.pick(["adam", "rmsprop", "sgd"])
    return p


# ---- writing the text -----------------------------------------------------------------------


class _Writer:
    """Renders a `Program`: as written (blocks, repeat), or with every call written out by hand."""

    def __init__(self, p: Program, expanded: bool):
        self.p = p
        self.expanded = expanded
        self.used: set[str] = set()  # params, blocks and declarations the text names
        self.counter = 0
        self.lines: list[str] = []  # the expanded statements

    # -- pieces
    def step(self, s: Step, env: dict | None = None) -> str:
        if isinstance(s, LayerStep):
            return f"{s.callee}({', '.join(_arg_text(a, self.used, env) for a in s.args)})"
        if isinstance(s, DeclStep):
            self.used.add(s.decl)
            return s.decl
        if isinstance(s, CallStep):
            self.used.add(s.block)
            return s.block + (f"({self.call_args(s.args)})" if s.args else "")
        return f"repeat({_val_text(s.n, self.used)}, {self.step(s.step)})"

    def call_args(self, args: list[CallArg], rename: dict | None = None, env: dict | None = None) -> str:
        out = []
        for a in args:
            text = (rename or {}).get(a.val, a.val) if isinstance(a.val, str) else _val_text(a.val, self.used, env)
            out.append(f"{a.param}={text}" if a.keyword else text)
        return ", ".join(out)

    def head(self, h: Head, rename: dict | None = None, env: dict | None = None) -> str:
        def n(name: str) -> str:
            return (rename or {}).get(name, name)

        if isinstance(h, NameHead):
            return n(h.name)
        if isinstance(h, MergeHead):
            return f"{h.merge}({', '.join([n(x) for x in h.names] + [_arg_text(a, self.used, env) for a in h.kwargs])})"
        if isinstance(h, CallHead):
            self.used.add(h.block)
            return f"{h.block}({self.call_args(h.args, rename, env)})"
        if isinstance(h, DoubleHead):
            call = []
            for param, keyword, v in h.call:
                text = (f"[{', '.join(n(x) for x in v)}]" if isinstance(v, list) else n(v) if isinstance(v, str)
                        else fmt_value(v))
                call.append(f"{param}={text}" if keyword else text)
            if h.decl is not None:
                self.used.add(h.decl)
                return f"{h.decl}({', '.join(call)})"
            return f"{h.callee}({', '.join(_arg_text(a, self.used, env) for a in h.args)})({', '.join(call)})"

        def operand(x) -> str:
            return n(x) if isinstance(x, str) else _val_text(x, self.used)

        if h.op == "neg":
            return "-" + operand(h.left)
        return f"{operand(h.left)} {h.op} {operand(h.right)}"

    def chain(self, prefix: str, head: str, steps: list[str], indent: str, clauses: str = "") -> list[str]:
        one = indent + prefix + " -> ".join([head, *steps])
        if len(steps) <= _STEPS_ON_ONE_LINE and len(one) <= _WIDTH:
            lines = [one]
        else:
            lines = [indent + prefix + head] + [f"{indent}    -> {s}" for s in steps]
        if clauses:
            lines.append(f"{indent}    {clauses}")
        return lines

    def stmt(self, s: Stmt, indent: str = "") -> list[str]:
        prefix = ("output " if s.output else "") + ", ".join(s.targets) + " = "
        return self.chain(prefix, self.head(s.head), [self.step(x) for x in s.steps], indent, s.clauses)

    def block(self, b: Block) -> list[str]:
        params = ", ".join(p.name if p.default is None else f"{p.name} = {_val_text(p.default, self.used)}"
                           for p in b.params)
        lines = [f"block {b.name}({params}) {{"]
        lines += [f"    layer {d.name} = {self.decl(d)}" for d in b.decls]
        for s in b.body:
            lines += self.stmt(s, "    ")
        if len(b.ret) == 1:
            head, steps = b.ret[0]
            lines += self.chain("return ", self.head(head), [self.step(x) for x in steps], "    ")
        else:
            lines.append("    return " + ", ".join(self.head(h) for h, _ in b.ret))
        return [*lines, "}"]

    def decl(self, d: Decl, env: dict | None = None) -> str:
        return f"{d.callee}({', '.join(_arg_text(a, self.used, env) for a in d.args)})"

    # -- written out by hand
    def fresh(self) -> str:
        self.counter += 1
        return f"e{self.counter}"

    def flat_chain(self, head: Head, steps: list[Step], rename: dict, env: dict | None) -> tuple[str, list[str]]:
        """The chain with its calls and repeats written out: statements are appended for the
        calls; returns the last head and steps, still to be bound."""
        if isinstance(head, CallHead):
            block = self.p.blocks[head.block]
            outs = self.inline(block, [], head.args, rename, env)
            text, pending = (outs[0] if len(outs) == 1 else ", ".join(outs)), []
        else:
            text, pending = self.head(head, rename, env), []
        for s in steps:
            expanded = self.flat_step(s, env)
            for piece in expanded:
                if isinstance(piece, str):
                    pending.append(piece)
                    continue
                call, args = piece
                name = text if not pending and text.isidentifier() else self.emit(text, pending)
                outs = self.inline(self.p.blocks[call], [name], args, rename, env)
                text, pending = ", ".join(outs), []
        return text, pending

    def flat_step(self, s: Step, env: dict | None) -> list:
        """A step as layer texts and (block, args) calls to write out."""
        if isinstance(s, CallStep):
            return [(s.block, s.args)]
        if isinstance(s, RepeatStep):
            n = _value(s.n, env)
            return [piece for _ in range(n) for piece in self.flat_step(s.step, env)]
        if isinstance(s, DeclStep) and env is not None and "@decl:" + s.decl in env:
            if "@flat:" + s.decl not in env:  # the call's own layer: declared where first used
                env["@flat:" + s.decl] = name = self.fresh()
                self.lines.append(f"layer {name} = {self.decl(env['@decl:' + s.decl], env)}")
            return [env["@flat:" + s.decl]]
        return [self.step(s, env)]

    def emit(self, head: str, steps: list[str], targets: str | None = None) -> str:
        name = targets or self.fresh()
        self.lines += self.chain(f"{name} = ", head, steps, "")
        return name

    def inline(self, block: Block, given: list[str], args: list[CallArg], rename: dict,
               env: dict | None) -> list[str]:
        """The statements of one call of `block`; the names of its results."""
        inner_rename: dict = {}
        inner_env: dict = {}
        tensors = list(given)
        for a in args:
            if isinstance(a.val, str):
                tensors.append(rename.get(a.val, a.val))
            else:
                inner_env[a.param] = _value(a.val, env)
        for p, t in zip(block.tensors, tensors, strict=True):
            inner_rename[p.name] = t
        for p in block.consts:
            inner_env.setdefault(p.name, p.default.value if p.default is not None else None)
            inner_rename[p.name] = fmt_value(inner_env[p.name])  # an operand of arithmetic
        for d in block.decls:
            inner_env["@decl:" + d.name] = d
        for s in block.body:
            self.flat_stmt(s, inner_rename, inner_env)
        outs = []
        for head, steps in block.ret:
            text, pending = self.flat_chain(head, steps, inner_rename, inner_env)
            outs.append(text if not pending and text.isidentifier() else self.emit(text, pending))
        return outs

    def flat_stmt(self, s: Stmt, rename: dict, env: dict | None) -> None:
        text, pending = self.flat_chain(s.head, s.steps, rename, env)
        targets = [t if t == "_" else (self.fresh() if env is not None else t) for t in s.targets]
        if not pending and text.replace(", ", "").replace("_", "a").isidentifier() and not s.output:
            for old, new in zip(s.targets, text.split(", "), strict=True):  # a call's results: new names
                rename[old] = new
            return
        for old, new in zip(s.targets, targets, strict=True):
            rename[old] = new
        prefix = ("output " if s.output else "") + ", ".join(targets) + " = "
        self.lines += self.chain(prefix, text, pending, "", s.clauses)

    # -- the whole text
    def render(self) -> str:
        p = self.p
        if self.expanded:
            rename: dict = {}
            for s in p.body:
                self.flat_stmt(s, rename, None)
            body, blocks = self.lines, []
        else:
            body = [line for s in p.body for line in self.stmt(s)]
            blocks = []
            for b in reversed(list(p.blocks.values())):  # a block calls only earlier blocks
                if b.name in self.used:
                    blocks.insert(0, self.block(b))
        decls = [f"layer {d.name} = {self.decl(d)}" for d in p.decls.values() if d.name in self.used]
        inputs = [f"input {n}: {dtype}[{', '.join(_val_text(d, self.used) for d in dims)}]"
                  for n, dtype, dims in p.inputs]
        params = [f"param {n} = {v}" for n, v in p.params if n in self.used]
        sections = [[f"model {p.model}"]] if p.model else []
        sections += [s for s in (params, inputs, decls) if s]
        sections += blocks
        sections.append(body)
        if p.optimizer:
            sections.append([f"optimizer {p.optimizer}"])
        return "\n\n".join("\n".join(s) for s in sections) + "\n"


def _render(p: Program, expanded: bool = False) -> str:
    return _Writer(p, expanded).render()


def _strategy(knobs: dict) -> st.SearchStrategy[Program]:
    @st.composite
    def strategy(draw):
        from .api import check  # noqa: PLC0415

        for _ in range(5):
            try:
                program = _build(draw, knobs)
            except (_Reject, _Bad):
                continue
            # what only the whole graph shows (a RandomCrop whose cropped size matters when the
            # model predicts, a `?` size no data fits) is left to check itself, as version 1 does
            if not check(_render(program)).diagnostics:
                return program
        from hypothesis import reject  # noqa: PLC0415

        reject()

    return strategy()


def programs_v2(**knobs) -> st.SearchStrategy[str]:
    """`programs(version=2, ...)`: texts of valid version-2 programs (see the module's docstring)."""
    return _strategy(knobs).map(_render)


def programs_and_expansions(**knobs) -> st.SearchStrategy[tuple[str, str]]:
    """Pairs (program, the same model with every block call and repeat written out by hand)."""
    return _strategy(knobs).map(lambda p: (_render(p), _render(p, expanded=True)))


def knobs(*, min_inputs: int = 1, max_inputs: int = 3, min_outputs: int = 1, max_outputs: int = 2,
          max_depth: int = 4, layers: Sequence[str] | None = None, shared_layers: bool = True,
          params: bool = True, max_statements: int = 4) -> dict:
    """`programs()`'s knobs, checked, as the drawing reads them."""
    if not 1 <= min_inputs <= max_inputs or not 1 <= min_outputs <= max_outputs or max_depth < 1:
        raise ValueError("need 1 <= min_inputs <= max_inputs, 1 <= min_outputs <= max_outputs, max_depth >= 1")
    from .catalog.layers import all_descriptors  # noqa: PLC0415

    drawable = [s.name for s in all_descriptors() if s.draw is not None]
    chosen = list(drawable if layers is None else layers)
    unknown = [n for n in chosen if n not in drawable]
    if unknown or not chosen:
        raise ValueError(f"layers must be a non-empty subset of {drawable}; got {unknown or chosen}")
    return dict(min_inputs=min_inputs, max_inputs=max_inputs, min_outputs=min_outputs, max_outputs=max_outputs,
                max_depth=max_depth, layers=chosen, shared_layers=shared_layers, params=params,
                max_statements=max_statements)
