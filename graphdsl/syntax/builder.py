"""The IR-building callbacks both engines run at each reduction: grammar rules in, IR nodes out.

`Builder` has one method per rule or alias of the grammar that makes a value (`call`, `binop`,
`output_stmt`, ...). A method receives the rule's kept children, as Lark shapes them: tokens as
tuples ``(kind, text, start, end)`` (punctuation starting with `_` dropped, `?rule`s with one child
inlined, `x*` repetitions spliced in) and the values of nonterminals. The fast engine calls them
from its driver; the Lark engine calls them from Lark's own parser (converting Lark's tokens to
tuples), so both build the same IR with the same spans.

A callback that finds a mistake the grammar cannot express (a number too large, a dimension that
is not whole, an expression nested too deep) reports it and raises `Abort`: the statement is then
broken, as after a syntax error.
"""

from __future__ import annotations

from .. import ir
from ..diagnostics import Diagnostic, Label, Severity
from ..records import replace
from ..source import Span

MAX_EXPR_DEPTH = 100  # operators deep in one expression; later passes walk expressions recursively


class Abort(Exception):
    """Raised by a callback that has reported why its statement cannot be kept."""


class Clause(tuple):
    """An output clause ``(kind, keyword token, value, end offset)``, gathered by `output_stmt`; a
    tuple subclass so that it is never mistaken for a token."""


class Builder:
    """Callbacks run at each LALR reduction; they return IR nodes."""

    def __init__(self, diags: list[Diagnostic]):
        self.diags = diags
        # id(expression node) -> operator depth, for composite expressions of the statement being
        # built (a statement's callback clears it: nodes of finished statements are never children)
        self.depth: dict[int, int] = {}

    def _deep(self, node, children):
        depth = self.depth
        d = 1 + max([depth.get(id(c), 0) for c in children], default=0)
        if d > MAX_EXPR_DEPTH:
            self.diags.append(
                Diagnostic("GD0004", Severity.ERROR, f"expression nested more than {MAX_EXPR_DEPTH} operators deep",
                           node.span, help="split it into params")
            )
            raise Abort
        depth[id(node)] = d
        return node

    # the program
    def start(self, c):
        return c

    # statements
    def model_stmt(self, c):
        return ir.ModelDecl(_ident(c[1]), span=Span(c[0][2], c[1][3]))

    def param_stmt(self, c):
        self.depth.clear()
        return ir.ParamDecl(_ident(c[1]), c[2], span=Span(c[0][2], c[2].span.end))

    def input_stmt(self, c):
        self.depth.clear()
        return ir.InputDecl(_ident(c[1]), _ident(c[2]), tuple(c[4:-1]), span=Span(c[0][2], c[-1][3]))

    def dim(self, c):
        value = c[0]
        if type(value) is tuple:  # `?`
            return ir.Dim(None, span=Span(value[2], value[3]))
        if type(value) is ir.Number:
            if type(value.value) is not int:
                from .errors import clip  # noqa: PLC0415

                self.diags.append(
                    Diagnostic("GD0005", Severity.ERROR, "a dimension must be a whole number, not "
                               f"{clip(repr(value.value))}", value.span,
                               help="write a positive integer, ? for a size known only at run time, or an "
                               "expression of params")
                )
                raise Abort
            return ir.Dim(value.value, span=value.span)
        return ir.Dim(None, span=value.span, expr=value)  # a constant expression of params

    def assign_stmt(self, c):
        self.depth.clear()
        name = c[0]
        return ir.Assign(Ident(name[1], span=Span(name[2], name[3])), c[1], span=Span(name[2], c[1].span.end))

    def unpack_stmt(self, c):
        self.depth.clear()
        chain = c[-1]
        return ir.Unpack(tuple(_ident(tok) for tok in c[:-1]), chain, span=Span(c[0][2], chain.span.end))

    def block_stmt(self, c):
        self.depth.clear()
        close = c[-1]
        i = 3
        while type(c[i]) is not tuple:  # the parameters, up to ')'
            i += 1
        return ir.BlockDecl(_ident(c[1]), tuple(c[3:i]), tuple(c[i + 2 : -1]), span=Span(c[0][2], close[3]),
                            close=Span(close[2], close[3]))

    def block_param(self, c):
        name = c[0]
        if len(c) == 1:
            return ir.BlockParam(_ident(name), span=Span(name[2], name[3]))
        return ir.BlockParam(_ident(name), c[1], span=Span(name[2], c[1].span.end))

    def return_stmt(self, c):
        self.depth.clear()
        return ir.Return(tuple(c[1:]), span=Span(c[0][2], c[-1].span.end))

    def layer_stmt(self, c):
        self.depth.clear()
        return ir.LayerDecl(_ident(c[1]), c[2], span=Span(c[0][2], c[2].span.end))

    def output_stmt(self, c):
        self.depth.clear()
        fields: dict[str, object] = {}
        clause_spans = []
        for kind, kw, value, _end_pos in c[3:]:
            kw_span = Span(kw[2], kw[3])
            if kind in fields:
                first = dict(clause_spans)[kind]
                self.diags.append(
                    Diagnostic("GD0007", Severity.ERROR, f"'{kind}' is given twice for output '{c[1][1]}'", kw_span,
                               labels=(Label(first, "first given here"),), help=f"keep one '{kind}' clause")
                )
                continue
            fields[kind] = value
            clause_spans.append((kind, kw_span))
        end = c[-1][3] if len(c) > 3 else c[2].span.end
        return ir.OutputDecl(
            _ident(c[1]),
            c[2],
            loss=fields.get("loss"),
            weight=fields.get("weight"),
            metrics=fields.get("metrics"),
            span=Span(c[0][2], end),
            clause_spans=tuple(clause_spans),
        )

    def optimizer_stmt(self, c):
        self.depth.clear()
        return ir.OptimizerDecl(c[1], span=Span(c[0][2], c[1].span.end))

    # output clauses, gathered by output_stmt
    def loss_clause(self, c):
        return Clause(("loss", c[0], c[1], c[1].span.end))

    def weight_clause(self, c):
        return Clause(("weight", c[0], c[1], c[1].span.end))

    def metrics_clause(self, c):
        return Clause(("metrics", c[0], tuple(c[2:-1]), c[-1][3]))

    def spec(self, c):
        tok = c[0]
        return ir.Spec(_ident(tok), None, span=Span(tok[2], tok[3]))

    def called_spec(self, c):
        return ir.Spec(_ident(c[0]), tuple(c[2:-1]), span=Span(c[0][2], c[-1][3]))

    def chain(self, c):
        return ir.Chain(c[0], tuple(c[1:]), span=Span(c[0].span.start, c[-1].span.end))

    def repeat(self, c):
        return ir.Repeat(c[2], c[3], span=Span(c[0][2], c[-1][3]))

    def double_call(self, c):
        first = c[0]
        args = [arg if type(arg) is Arg else Arg(None, arg, span=arg.span) for arg in c[2:-1]]
        node = ir.DoubleCall(first, tuple(args), span=Span(first.span.start, c[-1][3]))
        return self._deep(node, [first, *(arg.value for arg in args)])

    def call(self, c):
        depth = self.depth
        args = []
        deepest = 0
        for arg in c[2:-1]:
            if type(arg) is not Arg:
                arg = Arg(None, arg, span=arg.span)
            args.append(arg)
            d = depth.get(id(arg.value))  # only composite values have a depth
            if d is not None and d > deepest:
                deepest = d
        name = c[0]
        node = Call(Ident(name[1], span=Span(name[2], name[3])), tuple(args), span=Span(name[2], c[-1][3]))
        if deepest >= MAX_EXPR_DEPTH:
            return self._deep(node, [arg.value for arg in args])  # reports it
        depth[id(node)] = deepest + 1
        return node

    def kwarg(self, c):
        name = c[0]
        return Arg(Ident(name[1], span=Span(name[2], name[3])), c[1], span=Span(name[2], c[1].span.end))

    # expressions
    def binop(self, c):
        left, right = c[0], c[2]
        return self._deep(ir.BinOp(c[1][1], left, right, span=Span(left.span.start, right.span.end)), (left, right))

    def neg(self, c):
        return self._deep(ir.Neg(c[1], span=Span(c[0][2], c[1].span.end)), (c[1],))

    def pos(self, c):
        return c[1]

    def number(self, c):
        tok = c[0]
        text = tok[1]
        span = Span(tok[2], tok[3])
        if text.isdigit():
            if len(text) <= 30:
                return Number(int(text), span=span)
            return Number(self._int(text, span), span=span)
        if "." in text or "e" in text or "E" in text:
            value = float(text)
            if value == float("inf"):
                from .errors import clip  # noqa: PLC0415

                self.diags.append(Diagnostic("GD0005", Severity.ERROR, f"number {clip(text)} is too large", span,
                                             help="the largest float is about 1.8e308"))
                raise Abort
            return ir.Number(value, span=span)
        return ir.Number(self._int(text, span), span=span)

    def _int(self, text: str, span: Span) -> int:
        if len(text) > 30:  # int() of a 5,000-digit string raises; no real size is that long
            self.diags.append(Diagnostic("GD0005", Severity.ERROR, "integer literal is too large", span,
                                         help="integers have at most 30 digits here; no layer is that large"))
            raise Abort
        return int(text)

    def string(self, c):
        tok = c[0]
        return ir.String(_unescape(tok[1][1:-1]), span=Span(tok[2], tok[3]))

    def true(self, c):
        return ir.Bool(True, span=Span(c[0][2], c[0][3]))

    def false(self, c):
        return ir.Bool(False, span=Span(c[0][2], c[0][3]))

    def none(self, c):
        return ir.NoneLit(span=Span(c[0][2], c[0][3]))

    def ref(self, c):
        tok = c[0]
        return Ref(tok[1], span=Span(tok[2], tok[3]))

    def paren(self, c):
        # the same expression, located at its parentheses (so `(a + 1) // 0` is underlined whole)
        inner = c[1]
        located = replace(inner, span=Span(c[0][2], c[2][3]))
        d = self.depth.pop(id(inner), 0)  # popped: `inner` is dropped, and its id may be reused
        if d:
            self.depth[id(located)] = d
        return located

    def tuple(self, c):
        return self._deep(ir.TupleLit(tuple(c[1:-1]), span=Span(c[0][2], c[-1][3])), c[1:-1])

    def list(self, c):
        return self._deep(ir.ListLit(tuple(c[1:-1]), span=Span(c[0][2], c[-1][3])), c[1:-1])


CALLBACKS = tuple(name for name in vars(Builder) if not name.startswith("_"))
Arg, Call, Ident, Number, Ref = ir.Arg, ir.Call, ir.Ident, ir.Number, ir.Ref


def _ident(tok) -> ir.Ident:
    return ir.Ident(tok[1], span=Span(tok[2], tok[3]))


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"', "0": "\0"}


def _unescape(body: str) -> str:
    if "\\" not in body:
        return body
    out = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append(_ESCAPES.get(nxt, "\\" + nxt))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)
