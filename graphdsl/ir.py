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


Expr = Number | String | Bool | NoneLit | Ref | TupleLit | ListLit | BinOp | Neg | Call


# ---- chains ---------------------------------------------------------------------------------


@record(slots=True)
class Chain(Record):
    """`head -> step -> step`: the head is a `Ref` (a tensor) or a `Call` (a merge); each step is
    a `Call` (a layer made here) or a `Ref` (a `layer` declaration)."""

    head: Ref | Call
    steps: tuple[Call | Ref, ...]
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
    size: int | None  # None for `?`
    span: Span = _span()


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
class Broken(Record):
    """A statement that did not parse. It keeps the name it was defining (if that much was
    readable) so later passes treat the name as defined-but-unknown instead of reporting every
    use of it as undefined."""

    name: Ident | None
    span: Span = _span()
    # every name written in it, so the names it uses do not look unused
    names: tuple[str, ...] = field(default=(), compare=False, repr=False)


Statement = ModelDecl | ParamDecl | InputDecl | Assign | LayerDecl | OutputDecl | OptimizerDecl | Broken


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
    """The name a statement binds, if any (`model` names the Keras model, not a value)."""
    if isinstance(stmt, (ParamDecl, InputDecl, Assign, LayerDecl, OutputDecl, Broken)):
        return stmt.name
    return None
