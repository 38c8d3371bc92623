"""The IR: a program as frozen records (see records.py).

Every node carries the `Span` of the text it came from; spans never take part in equality, so
two programs that differ only in layout or comments compare equal. Nothing here knows about
Lark (the parser builds these nodes) or Keras (the lowering reads them).
"""

from __future__ import annotations

from .records import Record, field, record
from .source import NO_SPAN, Span


def _span() -> Span:
    return field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


@record(slots=True)
class Ident(Record):
    """A name as written, e.g. the `features` of `features = ...`."""

    name: str
    span: Span = _span()


# ---- expressions (constant arguments) -------------------------------------------------------


@record(slots=True)
class Number(Record):
    value: int | float
    span: Span = _span()

    def __eq__(self, other: object) -> bool:  # 1 and 1.0 are different spellings of different types
        return (
            isinstance(other, Number)
            and type(self.value) is type(other.value)
            and self.value == other.value
        )

    def __hash__(self) -> int:
        return hash((Number, type(self.value), self.value))


@record(slots=True)
class String(Record):
    value: str
    span: Span = _span()


@record(slots=True)
class Bool(Record):
    value: bool
    span: Span = _span()


@record(slots=True)
class NoneLit(Record):
    span: Span = _span()


@record(slots=True)
class Ref(Record):
    """A use of a name: a param inside an expression, a tensor at a chain's head, a layer step."""

    name: str
    span: Span = _span()


@record(slots=True)
class TupleLit(Record):
    items: tuple[Expr, ...]
    span: Span = _span()


@record(slots=True)
class ListLit(Record):
    items: tuple[Expr, ...]
    span: Span = _span()


@record(slots=True)
class BinOp(Record):
    op: str  # one of + - * / //
    left: Expr
    right: Expr
    span: Span = _span()


@record(slots=True)
class Neg(Record):
    """Unary minus (unary plus is dropped by the parser)."""

    operand: Expr
    span: Span = _span()


@record(slots=True)
class Arg(Record):
    """One argument of a call: positional when `name` is None."""

    name: Ident | None
    value: Expr
    span: Span = _span()


@record(slots=True)
class Call(Record):
    """`Name(args...)`: a layer call in a chain or an argument, a merge at a chain's head,
    or a called loss/metric/optimizer."""

    callee: Ident
    args: tuple[Arg, ...]
    span: Span = _span()


@record(slots=True)
class DoubleCall(Record):
    """Keras's double call, `Layer(args...)(tensors...)`: a layer made by `call` and applied at once
    to the tensors (and call constants) of `args`, e.g.
    ``MultiHeadAttention(num_heads=4, key_dim=16)(x, x)``. Only a chain's head (or an operand of
    tensor arithmetic there) may be one."""

    call: Call
    args: tuple[Arg, ...]
    span: Span = _span()


Expr = Number | String | Bool | NoneLit | Ref | TupleLit | ListLit | BinOp | Neg | Call | DoubleCall


# ---- chains ---------------------------------------------------------------------------------


@record(slots=True)
class Repeat(Record):
    """`repeat(N, STEP)`: a chain step applied `count` times (a constant expression)."""

    count: Expr
    step: Call | Ref | Repeat
    span: Span = _span()


@record(slots=True)
class Chain(Record):
    """`head -> step -> step`.

    The head is an expression: a `Ref` (a tensor), a `Call` (a merge, a block call with its
    tensors, a `layer` declaration applied to tensors), a `DoubleCall`, or tensor arithmetic
    (`BinOp`/`Neg` over tensors and constants). Each step is a `Call` (a layer made here, or a block
    call whose first parameter the chain's tensor fills), a `Ref` (a `layer` declaration, or a
    block) or a `Repeat`. What a head or step names is decided by the passes."""

    head: Expr
    steps: tuple[Call | Ref | Repeat, ...]
    span: Span = _span()


@record(slots=True)
class Spec(Record):
    """A loss, metric or optimizer: a Keras identifier, optionally called with keyword arguments."""

    name: Ident
    args: tuple[Arg, ...] | None  # None when not called
    span: Span = _span()


# ---- statements -----------------------------------------------------------------------------


@record(slots=True)
class ModelDecl(Record):
    name: Ident
    span: Span = _span()


@record(slots=True)
class ParamDecl(Record):
    name: Ident
    value: Expr
    span: Span = _span()


@record(slots=True)
class Dim(Record):
    """One dimension of an input: an integer (`size`), `?` (both None), or a constant expression
    of params (`expr`, e.g. ``2 * length``; `size` is then None)."""

    size: int | None  # None for `?` or an expression
    span: Span = _span()
    expr: Expr | None = None


@record(slots=True)
class InputDecl(Record):
    name: Ident
    dtype: Ident
    dims: tuple[Dim, ...]
    span: Span = _span()


@record(slots=True)
class Assign(Record):
    name: Ident
    chain: Chain
    span: Span = _span()


@record(slots=True)
class Unpack(Record):
    """`a, b, _ = CHAIN`: the several tensors a chain ends with (a layer with several outputs, or a
    block returning several), bound in order; `_` discards one."""

    names: tuple[Ident, ...]
    chain: Chain
    span: Span = _span()


@record(slots=True)
class LayerDecl(Record):
    name: Ident
    call: Call
    span: Span = _span()


@record(slots=True)
class OutputDecl(Record):
    name: Ident
    chain: Chain
    loss: Spec | None = None
    weight: Expr | None = None
    metrics: tuple[Spec, ...] | None = None
    span: Span = _span()
    # where each clause's keyword stood, for "given twice" diagnostics
    clause_spans: tuple[tuple[str, Span], ...] = field(default=(), compare=False, repr=False)


@record(slots=True)
class OptimizerDecl(Record):
    spec: Spec
    span: Span = _span()


@record(slots=True)
class BlockParam(Record):
    """A block's parameter: a tensor or a constant (decided by its uses); only constants have a
    `default`."""

    name: Ident
    default: Expr | None = None
    span: Span = _span()


@record(slots=True)
class Return(Record):
    """`return CHAIN, ...`: what a block gives back (its body's last statement)."""

    values: tuple[Chain, ...]
    span: Span = _span()


@record(slots=True)
class BlockDecl(Record):
    """`block NAME(PARAMS) { BODY }`: a reusable, parameterised piece of graph. The body is kept as
    written (any statement parses there); the passes check that it holds tensor bindings and
    `layer` declarations and ends with one `Return`."""

    name: Ident
    params: tuple[BlockParam, ...]
    body: tuple[Statement, ...]
    span: Span = _span()
    close: Span = field(default=NO_SPAN, compare=False, repr=False)  # the closing brace


@record(slots=True)
class Broken(Record):
    """A statement that did not parse. It keeps the name it was defining (if that much was
    readable) so later passes treat the name as defined-but-unknown instead of reporting every
    use of it as undefined."""

    name: Ident | None
    span: Span = _span()
    # every name written in it, so the names it uses do not look unused
    names: tuple[str, ...] = field(default=(), compare=False, repr=False)
    # the further names a broken `a, b, c = ...` was defining (`name` is the first)
    more: tuple[Ident, ...] = field(default=(), compare=False, repr=False)


Statement = (
    ModelDecl | ParamDecl | InputDecl | Assign | Unpack | LayerDecl | OutputDecl | OptimizerDecl | BlockDecl
    | Return | Broken
)


@record(slots=True)
class Comment(Record):
    """`# text` (the text excludes the `#`); kept for the formatter."""

    text: str
    span: Span = _span()


@record(slots=True)
class Program(Record):
    statements: tuple[Statement, ...]
    comments: tuple[Comment, ...] = field(default=(), compare=False)
    span: Span = _span()


def defined_name(stmt: Statement) -> Ident | None:
    """The name a statement binds, if any (`model` names the Keras model, not a value); for an
    `Unpack`, its first name other than `_` (see `defined_names`)."""
    if isinstance(stmt, (ParamDecl, InputDecl, Assign, LayerDecl, OutputDecl, BlockDecl, Broken)):
        return stmt.name
    if isinstance(stmt, Unpack):
        return next((n for n in stmt.names if n.name != DISCARD), None)
    return None


def defined_names(stmt: Statement) -> tuple[Ident, ...]:
    """Every name a statement binds (an `Unpack` binds several; `_` is never bound)."""
    if isinstance(stmt, Unpack):
        return tuple(n for n in stmt.names if n.name != DISCARD)
    if isinstance(stmt, Broken) and stmt.more:
        return (stmt.name, *stmt.more) if stmt.name is not None else stmt.more
    ident = defined_name(stmt)
    return () if ident is None or ident.name == DISCARD else (ident,)


DISCARD = "_"  # the name that discards a value
