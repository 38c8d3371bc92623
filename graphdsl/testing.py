"""Hypothesis strategies for graphdsl programs, for graphdsl's own tests and for yours.

- `programs(...)`: texts of valid programs, built by construction. Every tensor's type is
  tracked with the catalog's own shape rules, so a layer is drawn only where it can take its
  input; every input, tensor, param and shared layer is used; every output ends in a layer
  that suits its loss. A generated program checks clean (no errors, no warnings) and is
  already in the formatter's canonical style. Examples shrink toward one input, one output
  and short chains.
- `programs_with_mistake(...)`: a valid program with exactly one planted mistake, and a
  `Mistake` saying which diagnostic code `check` must report, and where (line and column).
- `mutated_texts(...)`: programs damaged by deleting, inserting and duplicating characters and
  tokens, for "never raises" properties.

Example, a property of your own::

    from hypothesis import given
    import graphdsl
    from graphdsl.testing import programs

    @given(programs(max_inputs=2, layers=["Dense", "Dropout", "LSTM", "Embedding"]))
    def test_my_models_check_clean(text):
        assert graphdsl.check(text).ok

This module imports neither Keras nor TensorFlow.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from hypothesis import strategies as st

from .catalog import LAYERS, LOSSES, MERGES, METRICS, OPTIMIZERS, LayerValue, ShapeError, TensorType
from .catalog.layers import all_descriptors
from .catalog.types import FLOAT_DTYPES, fmt_value
from .parser import RESERVED
from .printer import MAX_ONE_LINE_STEPS, MAX_WIDTH

__all__ = ["ALL", "MISTAKE_CODES", "SUPPORTED_LAYERS", "Mistake", "compile_arguments", "mutate", "mutated_texts",
           "programs", "programs_with_mistake"]

MAX_DIM = 256  # no intermediate tensor grows beyond this along any axis: Keras builds stay fast
_MARK = "\x00"  # marks the place of a planted mistake while a program is printed


@dataclass(frozen=True)
class Mistake:
    """A planted mistake: the code `check` must report, at this 1-based line and column."""

    code: str
    line: int
    column: int
    description: str


# ---- the program being built ----------------------------------------------------------------


@dataclass
class _Arg:
    name: str  # the catalog's parameter name
    text: str
    value: object
    keyword: bool = False

    def show(self) -> str:
        return f"{self.name}={self.text}" if self.keyword else self.text


@dataclass
class _Step:
    """A chain step: a layer call (`callee` + `args`) or a shared layer's name (`ref`)."""

    callee: str | None = None
    args: list[_Arg] = field(default_factory=list)
    ref: str | None = None
    mark: str = ""  # where the planted mistake sits: "" (none), "callee", or an argument index

    def show(self) -> str:
        if self.ref is not None:
            return self.ref
        args = []
        for i, a in enumerate(self.args):
            text = a.show()
            if self.mark == f"arg{i}":
                text = _MARK + text
            elif self.mark == f"value{i}":
                text = (f"{a.name}=" if a.keyword else "") + _MARK + a.text
            args.append(text)
        callee = (_MARK if self.mark == "callee" else "") + str(self.callee)
        return f"{callee}({', '.join(args)})"


@dataclass
class _Stmt:
    """`name = head -> steps` or `output name = head -> steps` with clauses."""

    name: str
    head: str
    steps: list[_Step]
    head_type: TensorType | None = None
    output: bool = False
    loss: str | None = None
    weight: str | None = None
    metrics: list[str] | None = None
    mark: str = ""  # "head", "loss", "metric0", "arrow0" (the step whose '->' is missing)

    def lines(self) -> list[str]:
        head = (_MARK if self.mark == "head" else "") + self.head
        first = ("output " if self.output else "") + f"{self.name} = {head}"
        parts = []
        for i, s in enumerate(self.steps):
            text = s.show()
            parts.append((_MARK + text) if self.mark == f"arrow{i}" else "-> " + text)
        one = " ".join([first, *parts])
        if len(self.steps) <= MAX_ONE_LINE_STEPS and len(one.replace(_MARK, "")) <= MAX_WIDTH:
            out = [one]
        else:
            out = [first] + ["    " + p for p in parts]
        clauses = []
        if self.loss is not None:
            clauses.append("loss " + (_MARK if self.mark == "loss" else "") + self.loss)
        if self.weight is not None:
            clauses.append(f"weight {self.weight}")
        if self.metrics is not None:
            ms = [(_MARK if self.mark == f"metric{i}" else "") + m for i, m in enumerate(self.metrics)]
            clauses.append("metrics [" + ", ".join(ms) + "]")
        if clauses:
            out.append("    " + " ".join(clauses))
        return out


@dataclass
class _Program:
    model: str | None = None
    params: list[tuple[str, str]] = field(default_factory=list)  # name, value text
    inputs: list[tuple[str, str]] = field(default_factory=list)  # name, type text
    layers: list[tuple[str, _Step]] = field(default_factory=list)
    body: list[_Stmt] = field(default_factory=list)
    optimizer: str | None = None
    extra: list[str] = field(default_factory=list)  # statements added at the end (mistakes)

    def render(self) -> str:
        sections = []
        if self.model is not None:
            sections.append([f"model {self.model}"])
        if self.params:
            sections.append([f"param {n} = {v}" for n, v in self.params])
        if self.inputs:
            sections.append([f"input {n}: {t}" for n, t in self.inputs])
        body = [f"layer {n} = {s.show()}" for n, s in self.layers]
        for stmt in self.body:
            body += stmt.lines()
        if body:
            sections.append(body)
        if self.optimizer is not None:
            sections.append([f"optimizer {self.optimizer}"])
        if self.extra:
            sections.append(list(self.extra))
        return "\n\n".join("\n".join(s) for s in sections) + "\n"


def _locate(marked: str) -> tuple[str, int, int]:
    """Remove the mark from `marked`; return the text and the mark's 1-based line and column."""
    pos = marked.index(_MARK)
    text = marked.replace(_MARK, "")
    line = marked.count("\n", 0, pos) + 1
    column = pos - (marked.rfind("\n", 0, pos) + 1) + 1
    return text, line, column


# ---- values (literals or params) ------------------------------------------------------------


@dataclass(frozen=True)
class _Knobs:
    """The knobs of `programs()` beyond the sizes (see its docstring)."""

    dtypes: tuple[str, ...] | None = None
    unknown_sizes: bool = False
    activations: tuple[str, ...] | None = None
    objects: bool = False
    losses: tuple[str, ...] | None = None
    metrics: tuple[str, ...] | None = None
    optimizers: tuple[str, ...] | None = None
    compile_arguments: bool = False
    suited_outputs: bool = True

    @property
    def usual_outputs(self) -> bool:
        """Outputs drawn as before the knobs existed: three kinds of output, a few losses and metrics."""
        return self.losses is None and self.metrics is None and not self.compile_arguments and self.suited_outputs


@dataclass
class _Ctx:
    draw: Callable
    use_params: bool
    program: _Program
    knobs: _Knobs = field(default_factory=_Knobs)
    int_params: dict[str, int] = field(default_factory=dict)
    float_params: dict[str, float] = field(default_factory=dict)
    counter: int = 0
    shared: list[tuple[str, TensorType, TensorType]] = field(default_factory=list)  # name, in, out

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def int_value(self, lo: int, hi: int) -> tuple[str, int]:
        """An integer in [lo, hi], written as a literal, a param or arithmetic on a param."""
        draw = self.draw
        value = draw(st.integers(lo, hi))
        if not self.use_params or not draw(st.booleans()):
            return str(value), value
        for name, v in self.int_params.items():
            if v == value:
                return name, value
            if v * 2 == value:
                return f"{name} * 2", value
            if v + 1 == value:
                return f"{name} + 1", value
            if v > 1 and v // 2 == value:
                return f"{name} // 2", value
        if len(self.int_params) + len(self.float_params) >= 3:
            return str(value), value
        name = self.fresh("n")
        self.int_params[name] = value
        self.program.params.append((name, str(value)))
        return name, value

    def rate(self) -> tuple[str, float]:
        """A dropout rate, written as a literal or a param."""
        draw = self.draw
        value = draw(st.sampled_from([0.1, 0.25, 0.5, 0.0]))
        if not self.use_params or not draw(st.booleans()):
            return fmt_value(value), value
        for name, v in self.float_params.items():
            if v == value:
                return name, value
        if len(self.int_params) + len(self.float_params) >= 3:
            return fmt_value(value), value
        name = self.fresh("rate")
        self.float_params[name] = value
        self.program.params.append((name, fmt_value(value)))
        return name, value


def _pos(name: str, text: str, value: object) -> _Arg:
    return _Arg(name, text, value)


def _kw(name: str, text: str, value: object) -> _Arg:
    return _Arg(name, text, value, keyword=True)


def _str(value: str) -> str:
    return '"' + value + '"'


# ---- layers: the catalog's descriptors draw their own arguments ------------------------------
# Each descriptor's `draw(ctx, t)` returns the arguments for the layer on input `t` (or None when
# it would not draw it there), written against the small context below; the catalog's `infer`
# has the last word on whether the layer takes `t`.


@dataclass(frozen=True)
class _Drawn:
    """A drawn value and how the program spells it (a literal, a param, arithmetic, a layer)."""

    text: str
    value: object


class _DrawContext:
    """What a descriptor's drawer may ask for (see `graphdsl.catalog`'s docstring)."""

    def __init__(self, ctx: _Ctx):
        self._ctx = ctx

    def integer(self, lo: int, hi: int) -> int:
        return self._ctx.draw(st.integers(lo, hi))

    def size(self, lo: int, hi: int) -> _Drawn:
        return _Drawn(*self._ctx.int_value(lo, hi))

    def rate(self) -> _Drawn:
        return _Drawn(*self._ctx.rate())

    def choice(self, options: Sequence) -> object:
        return self._ctx.draw(st.sampled_from(list(options)))

    def boolean(self) -> bool:
        return self._ctx.draw(st.booleans())

    def activation(self, usual: Sequence[str]) -> str:
        """An activation name: one of `usual`, or of those the generator was asked for."""
        return self._ctx.draw(st.sampled_from(list(self._ctx.knobs.activations or usual)))

    def pos(self, name: str, value: object) -> _Arg:
        text, value = (value.text, value.value) if isinstance(value, _Drawn) else (fmt_value(value), value)
        return _Arg(name, text, value)

    def kw(self, name: str, value: object) -> _Arg:
        arg = self.pos(name, value)
        arg.keyword = True
        return arg

    def layer(self, name: str, *args: _Arg) -> _Drawn:
        text = f"{name}({', '.join(a.show() for a in args)})"
        return _Drawn(text, LayerValue(LAYERS[name], {a.name: a.value for a in args}))


def _drawers() -> dict[str, Callable]:
    return {spec.name: spec.draw for spec in all_descriptors() if spec.draw is not None}


_DRAWERS: dict[str, Callable] = _drawers()
SUPPORTED_LAYERS: tuple[str, ...] = tuple(_DRAWERS)
"""The layers `programs()` can draw (pass a subset as ``layers=``): every catalog layer with a drawer."""


def _infer(callee: str, args: list[_Arg], t: TensorType) -> TensorType | None:
    spec = LAYERS.get(callee)
    if spec is None:
        return None
    try:
        out = spec.infer({a.name: a.value for a in args}, t)
    except ShapeError:
        return None
    except Exception:  # a catalog rule that can't take this input at all: don't draw it here
        return None
    if not out.shape or any(d is not None and not 0 < d <= MAX_DIM for d in out.shape):
        return None
    return out


def _try_layer(ctx: _Ctx, name: str, t: TensorType) -> tuple[_Step, TensorType] | None:
    # params declared while drawing arguments are taken back if the layer is not used
    saved = (len(ctx.program.params), dict(ctx.int_params), dict(ctx.float_params))
    args = _DRAWERS[name](_DrawContext(ctx), t)
    if args is None and ctx.knobs.dtypes is not None and t.dtype not in FLOAT_DTYPES and ctx.draw(st.booleans()):
        # a drawer that would not take these integers or booleans: draw its arguments as for floats,
        # and let the catalog decide whether the layer takes them (it must refuse what cannot run)
        args = _DRAWERS[name](_DrawContext(ctx), TensorType(t.shape, "float32"))
    if args is not None:
        args = args + _extras(ctx, name, args)
    out = None if args is None else _infer(name, args, t)
    if out is None:
        del ctx.program.params[saved[0]:]
        ctx.int_params, ctx.float_params = saved[1], saved[2]
        return None
    return _Step(callee=name, args=args), out


def _draw_step(ctx: _Ctx, layers: Sequence[str], t: TensorType, shared: bool) -> tuple[_Step, TensorType] | None:
    draw = ctx.draw
    if shared:
        fits = [(n, out) for n, tin, out in ctx.shared if tin == t]
        if fits and draw(st.integers(0, 3)) == 0:
            name, out = draw(st.sampled_from(fits))
            return _Step(ref=name), out
    for _attempt in range(6):
        name = draw(st.sampled_from(layers))
        made = _try_layer(ctx, name, t)
        if made is None:
            continue
        step, out = made
        if shared and draw(st.integers(0, 4)) == 0:
            lname = ctx.fresh("shared")
            ctx.program.layers.append((lname, step))
            ctx.shared.append((lname, t, out))
            return _Step(ref=lname), out
        return step, out
    return None


def _draw_chain(ctx: _Ctx, layers, t: TensorType, lo: int, hi: int, shared: bool):
    steps: list[_Step] = []
    n = ctx.draw(st.integers(lo, max(lo, hi)))
    for _ in range(n):
        made = _draw_step(ctx, layers, t, shared)
        if made is None:
            break
        step, t = made
        steps.append(step)
    return steps, t


def _reduce(ctx: _Ctx, t: TensorType) -> tuple[list[_Step], TensorType]:
    """Steps that turn `t` into a float vector (rank 1), for concatenating leftovers."""
    steps: list[_Step] = []
    for _ in range(4):
        if t.rank == 1 and t.dtype in FLOAT_DTYPES:
            return steps, t
        if t.dtype == "bool":
            order = ["Activation"]  # the layer that takes booleans as numbers
        elif t.dtype not in FLOAT_DTYPES:
            order = ["Embedding"]
        elif t.rank == 2:
            order = ["GlobalAveragePooling1D", "GlobalMaxPooling1D", "Flatten"]
        elif t.rank == 3:
            order = ["GlobalAveragePooling2D", "GlobalMaxPooling2D", "Flatten"]
        elif t.rank == 4:
            order = ["GlobalAveragePooling3D", "GlobalMaxPooling3D", "Flatten"]
        else:
            order = ["Flatten"]
        for name in order:
            made = _try_layer(ctx, name, t)
            if made is not None:
                step, t = made
                steps.append(step)
                break
        else:
            break
    if t.rank == 1 and t.dtype in FLOAT_DTYPES:
        return steps, t
    raise _Reject

# ---- arguments every layer shares by name: activations, initializers, regularizers, constraints ----

# Values tried for an argument of a Keras object class (``VarianceScaling(scale=...)``): the kind
# of the argument keeps those it accepts (and a Choice adds its own strings).
_CANDIDATES = (None, True, False, 0, 1, 2, 3, -1, -2, 0.0, 0.1, 0.5, 1.5, -0.5, 2.5, (0,), (1,), (-1,), (0, 1),
               (1, 2), (0.5, 1.5))


def _kind_value(ctx: _Ctx, kind) -> object:
    """A value `kind` (a catalog Kind) accepts, from `_CANDIDATES` and its own choices; None-able
    kinds may give None. Raises `_NoValue` when none fits."""
    pool = [v for v in (*_CANDIDATES, *(kind.choices or ())) if kind.check(v) is None]
    if not pool:
        raise _NoValue
    return ctx.draw(st.sampled_from(pool))


class _NoValue(Exception):
    """No candidate value fits a kind."""


def _object(ctx: _Ctx, family: str) -> _Drawn:
    """An initializer, regularizer or constraint: by name, or as a class called with arguments."""
    from .catalog import REGISTRIES, get_object  # noqa: PLC0415
    from .catalog.objects import object_names  # noqa: PLC0415
    from .catalog.types import ObjectValue  # noqa: PLC0415
    from .escape import quote  # noqa: PLC0415

    draw = ctx.draw
    if draw(st.booleans()):
        name = draw(st.sampled_from(sorted(REGISTRIES[family].names)))
        return _Drawn(quote(name), name)
    cls = draw(st.sampled_from(object_names(family)))
    spec = get_object(family, cls)
    args: dict[str, object] = {}
    for p in spec.params:
        if not p.required and draw(st.integers(0, 2)):
            continue
        try:
            args[p.name] = _kind_value(ctx, p.kind)
        except _NoValue:
            if p.required:
                raise _Reject from None
    text = f"{cls}(" + ", ".join(f"{k}={fmt_value(v)}" for k, v in args.items()) + ")"
    return _Drawn(text, ObjectValue(spec, args))


_FAMILY_SUFFIXES = (("_initializer", "initializer"), ("_regularizer", "regularizer"), ("_constraint", "constraint"))


def _extras(ctx: _Ctx, name: str, given: list[_Arg]) -> list[_Arg]:
    """Keyword arguments the drawer left out that every layer shares by name: an activation (when
    `activations` are asked for) and initializers, regularizers and constraints (when `objects`)."""
    knobs = ctx.knobs
    if knobs.activations is None and not knobs.objects:
        return []
    draw = ctx.draw
    taken = {a.name for a in given}
    out = []
    for p in LAYERS[name].params:
        if p.name in taken or p.kind.family is None and p.name not in ("activation", "recurrent_activation"):
            continue
        if draw(st.integers(0, 3)):
            continue
        if p.name in ("activation", "recurrent_activation"):
            if knobs.activations is not None:
                value = draw(st.sampled_from(list(knobs.activations)))
                out.append(_Arg(p.name, fmt_value(value), value, keyword=True))
            continue
        family = next((f for suffix, f in _FAMILY_SUFFIXES if p.name.endswith(suffix)), None)
        if family is None or not knobs.objects or p.kind.family != family:
            continue
        drawn = _object(ctx, family)
        if p.kind.check(drawn.value) is None:
            out.append(_Arg(p.name, drawn.text, drawn.value, keyword=True))
        if len(out) >= 3:
            break
    return out


class _Reject(Exception):
    """This draw went nowhere (no layer fits); hypothesis draws again."""


# ---- inputs ---------------------------------------------------------------------------------

_FLOATS = ("float32", "float32", "float32", "float64", "float16")
_INTS = ("int32", "int64")


@st.composite
def _input_type(draw, knobs: _Knobs = _Knobs()) -> TensorType:
    kind = draw(st.sampled_from(["vector", "sequence", "tokens", "image", "image", "volume"]))
    floats = draw(st.sampled_from(list(knobs.dtypes))) if knobs.dtypes else None
    ints = floats if floats is not None else None

    def side(lo: int, hi: int) -> int | None:
        if knobs.unknown_sizes and draw(st.integers(0, 3)) == 0:
            return None
        return draw(st.integers(lo, hi))

    if kind == "vector":
        return TensorType((draw(st.integers(1, 16)),), floats or draw(st.sampled_from(_FLOATS)))
    if kind == "sequence":
        steps = draw(st.one_of(st.integers(2, 16), st.none()))
        return TensorType((steps, draw(st.integers(1, 8))), floats or draw(st.sampled_from(_FLOATS)))
    if kind == "tokens":
        steps = draw(st.one_of(st.integers(2, 16), st.none()))
        return TensorType((steps,), ints or draw(st.sampled_from(_INTS)))
    if kind == "volume":  # for the 3D layers: small, so Keras builds stay fast
        dims = tuple(side(2, 5) for _ in range(3))
        return TensorType((*dims, draw(st.integers(1, 2))), floats or draw(st.sampled_from(_FLOATS)))
    return TensorType((side(3, 8), side(3, 8), draw(st.integers(1, 3))), floats or draw(st.sampled_from(_FLOATS)))


def _type_text(t: TensorType) -> str:
    return str(t)


# ---- outputs --------------------------------------------------------------------------------

def _known(names: Sequence[str], registry) -> list[str]:
    return [n for n in names if n in registry]


_REGRESSION_LOSSES = _known(["mse", "mae", "mean_squared_error", "huber"], LOSSES)
_REGRESSION_METRICS = _known(["mae", "mse"], METRICS)
_BINARY_METRICS = _known(["accuracy", "binary_accuracy"], METRICS)
_CATEGORICAL_METRICS = _known(["accuracy", "categorical_accuracy"], METRICS)
_SPARSE_METRICS = _known(["accuracy", "sparse_categorical_accuracy"], METRICS)
_OPTIMIZERS = _known(["rmsprop", "adam", "sgd"], OPTIMIZERS)


def _finish_output(ctx: _Ctx, stmt: _Stmt, t: TensorType) -> TensorType:
    """End `stmt` with a Dense layer that suits a drawn loss, and draw its clauses; the output type."""
    if not ctx.knobs.usual_outputs:
        return _finish_any_output(ctx, stmt, t)
    draw = ctx.draw
    if t.dtype not in FLOAT_DTYPES:
        steps, t = _reduce(ctx, t)
        stmt.steps += steps
    kind = draw(st.sampled_from(["regression", "binary", "categorical"]))
    if kind == "regression":
        units = draw(st.integers(1, 4))
        stmt.steps.append(_Step("Dense", [_pos("units", str(units), units)]))
        stmt.loss = draw(st.sampled_from(_REGRESSION_LOSSES))
        metrics = _REGRESSION_METRICS
    elif kind == "binary":
        stmt.steps.append(_Step("Dense", [_pos("units", "1", 1), _kw("activation", _str("sigmoid"), "sigmoid")]))
        stmt.loss = "binary_crossentropy"
        metrics = _BINARY_METRICS
    else:
        units = draw(st.integers(2, 8))
        stmt.steps.append(_Step("Dense", [_pos("units", str(units), units), _kw("activation", _str("softmax"), "softmax")]))
        stmt.loss = draw(st.sampled_from(["categorical_crossentropy", "sparse_categorical_crossentropy"]))
        metrics = _SPARSE_METRICS if stmt.loss.startswith("sparse") else _CATEGORICAL_METRICS
    out = _infer("Dense", stmt.steps[-1].args, t)
    if out is None:
        raise _Reject
    if draw(st.booleans()):
        stmt.weight = draw(st.sampled_from(["1.0", "0.5", "0.25", "2.0", "10.0", "1"]))
    if metrics and draw(st.booleans()):
        stmt.metrics = draw(st.lists(st.sampled_from(metrics), min_size=1, max_size=2, unique=True))
    return out


# ---- outputs with every loss, metric and optimizer -------------------------------------------

# The layer that ends an output a loss judges well: (fewest units, most units, activation).
_LOSS_ENDS = {
    "binary_crossentropy": (1, 4, "sigmoid"), "binary_focal_crossentropy": (1, 4, "sigmoid"),
    "categorical_crossentropy": (2, 6, "softmax"), "categorical_focal_crossentropy": (2, 6, "softmax"),
    "sparse_categorical_crossentropy": (2, 6, "softmax"), "crossentropy": (2, 6, "softmax"),
    "kl_divergence": (2, 6, "softmax"), "categorical_hinge": (2, 6, "softmax"), "ctc": (2, 6, "softmax"),
    "hinge": (1, 4, "tanh"), "squared_hinge": (1, 4, "tanh"), "dice": (1, 4, "sigmoid"),
    "tversky": (1, 4, "sigmoid"), "poisson": (1, 4, "softplus"), "mean_squared_logarithmic_error": (1, 4, "softplus"),
}
_USUAL_LOSSES = ("mse", "mae", "huber", "binary_crossentropy", "categorical_crossentropy",
                 "sparse_categorical_crossentropy")


def _compile_values(kind, out: TensorType | None) -> st.SearchStrategy:
    """Values an argument of a loss, metric or optimizer accepts, drawn from its kind
    (`catalog.compile_args`); rules across arguments and against the output are checked after."""
    from .catalog import compile_args as ca  # noqa: PLC0415

    if isinstance(kind, ca.Real):
        low = kind.low if kind.low is not None else -5.0
        high = kind.high if kind.high is not None else low + 5.0 if kind.low is not None else 5.0
        high = min(high, low + 5.0)
        floats = st.floats(low, high, exclude_min=kind.low_open, exclude_max=kind.high_open,
                           allow_nan=False, allow_infinity=False, allow_subnormal=False)
        floats = floats.map(lambda v: float(f"{v:.3g}")).filter(lambda v: kind.check(v) is None)
        ints = st.integers(int(-(-low // 1)), int(high // 1)).filter(lambda v: kind.check(v) is None)
        return floats | ints  # an integer where a float is meant is taken as that float
    if isinstance(kind, ca.Integer):
        low = kind.low if kind.low is not None else -3
        return st.integers(low, kind.high if kind.high is not None else low + 8)
    if isinstance(kind, ca.Flag):
        return st.booleans()
    if isinstance(kind, ca.OneOf):
        return st.sampled_from(kind.choices)
    if isinstance(kind, ca.Maybe):
        return st.none() | _compile_values(kind.kind, out)
    if isinstance(kind, ca.Several):
        several = st.lists(_compile_values(kind.item, out), min_size=1, max_size=3, unique=kind.unique).map(tuple)
        return several | _compile_values(kind.item, out) if kind.single else several
    if isinstance(kind, ca.Text):
        return st.sampled_from(["dense", "no_layer_has_this_name"])
    if isinstance(kind, ca.Axis):
        rank = (out.rank + 1) if out is not None else 2
        axis = st.integers(-rank, rank - 1)
        strategy = axis
        if kind.several:
            strategy = strategy | st.lists(axis, min_size=1, max_size=rank, unique_by=lambda a: a % rank).map(tuple)
        return st.none() | strategy if kind.optional else strategy
    if isinstance(kind, ca.Kept):
        return st.just(kind.default)
    raise TypeError(f"no values for {kind!r}")  # pragma: no cover - every kind is above


def compile_arguments(family: str, name: str, output: TensorType | None = None) -> st.SearchStrategy[dict]:
    """Keyword arguments for the loss, metric or optimizer `name` (any spelling of Keras's
    registries) of `family` (``"loss"``, ``"metric"``, ``"optimizer"``), valid for an output of
    type `output`: required arguments always, others sometimes, each drawn from what the argument
    accepts, and the whole checked by the rules `check` applies (an argument they refuse is
    left out). ``{}`` for names without arguments."""
    from .catalog.compile_args import Output, compile_spec  # noqa: PLC0415

    registry = {"loss": LOSSES, "metric": METRICS, "optimizer": OPTIMIZERS}[family]
    spec = compile_spec(family, registry.keras_class(name) or registry.keras_class(registry.canonical(name) or name))
    if spec is None:
        return st.just({})

    @st.composite
    def strategy(draw) -> dict:
        for _ in range(6):
            args = {p.name: draw(_compile_values(p.kind, output)) for p in spec.params
                    if p.required or draw(st.integers(0, 2)) == 0}
            for _ in range(len(args) + 1):
                problems = spec.check(args, Output(output))
                if not problems:
                    break
                for arg, _message in problems:
                    args.pop(arg, None)
            if all(p.name in args for p in spec.params if p.required) and not spec.check(args, Output(output)):
                return args
        from hypothesis import reject  # noqa: PLC0415

        reject()

    return strategy()


def _spelled(value: object) -> str:
    """A constant as the formatter spells it."""
    from .escape import quote  # noqa: PLC0415

    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, tuple):
        inner = ", ".join(_spelled(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value)


def _compile_call(ctx: _Ctx, family: str, name: str, out: TensorType | None,
                  activation: str | None = None) -> tuple[str, dict]:
    """(`name` or `name(k=v, ...)`, the arguments): a loss, metric or optimizer with drawn
    arguments (always its required ones; others when `compile_arguments` is on)."""
    from .catalog.compile_args import compile_spec  # noqa: PLC0415

    registry = {"loss": LOSSES, "metric": METRICS, "optimizer": OPTIMIZERS}[family]
    spec = compile_spec(family, registry.keras_class(name) or registry.keras_class(registry.canonical(name) or name))
    needs = spec is not None and any(p.required for p in spec.params)
    if not needs and not (ctx.knobs.compile_arguments and ctx.draw(st.booleans())):
        return name, {}
    args = ctx.draw(compile_arguments(family, name, out))
    if args.get("from_logits") is True and _canonical_activation(activation) in ("softmax", "sigmoid"):
        del args["from_logits"]  # logits of probabilities: check warns (GD0203)
    if not args:
        return name, {}
    return f"{name}(" + ", ".join(f"{k}={_spelled(v)}" for k, v in args.items()) + ")", args


def _canonical_activation(name: str | None) -> str | None:
    from .catalog import ACTIVATIONS  # noqa: PLC0415

    return ACTIVATIONS.canonical(name) if name else None


def _last_activation(ctx: _Ctx, stmt: _Stmt) -> str | None:
    """The activation the statement's chain ends with, as check reads it (its last layer's)."""
    if not stmt.steps:
        return None
    step = stmt.steps[-1]
    if step.ref is not None:
        step = next(s for n, s in ctx.program.layers if n == step.ref)
    spec = LAYERS[step.callee]
    return spec.activation({a.name: a.value for a in step.args}) if spec.activation is not None else None


def _finish_any_output(ctx: _Ctx, stmt: _Stmt, t: TensorType) -> TensorType:
    """An output judged by any of the asked-for losses: ended (or, without `suited_outputs`,
    sometimes not) by a Dense that suits the loss, with drawn metrics and arguments. The loss must
    fit the output as check judges it (`catalog.check_loss_fits`)."""
    from .catalog import check_loss_fits, check_metric_fits  # noqa: PLC0415
    from .catalog.compile_args import unusable  # noqa: PLC0415

    draw, knobs = ctx.draw, ctx.knobs
    if t.dtype not in FLOAT_DTYPES:
        steps, t = _reduce(ctx, t)
        stmt.steps += steps
    losses = list(knobs.losses or _USUAL_LOSSES)
    for _attempt in range(6):
        loss = draw(st.sampled_from(losses))
        canonical = LOSSES.canonical(loss) or loss
        lo, hi, act = _LOSS_ENDS.get(canonical, (1, 4, None))
        end = knobs.suited_outputs or draw(st.booleans())
        if end:
            units = draw(st.integers(lo, hi))
            args = [_pos("units", str(units), units)]
            if act is not None:
                args.append(_kw("activation", _str(act), act))
            out = _infer("Dense", args, t)
            final = act
        else:
            out, final = t, _last_activation(ctx, stmt)
        if out is None or out.dtype not in FLOAT_DTYPES or check_loss_fits(canonical, out, final) is not None:
            continue
        break
    else:
        raise _Reject
    if end:
        stmt.steps.append(_Step("Dense", args))
    stmt.loss = _compile_call(ctx, "loss", loss, out, final)[0]
    if draw(st.booleans()):
        stmt.weight = draw(st.sampled_from(["1.0", "0.5", "2.0", "1"]))
    pool = [m for m in (knobs.metrics or _REGRESSION_METRICS)
            if not unusable("metric", METRICS.keras_class(m) or METRICS.keras_class(METRICS.canonical(m) or m))]
    if pool and draw(st.booleans()):
        chosen = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=2, unique=True))
        metrics = []
        for m in chosen:
            text, args = _compile_call(ctx, "metric", m, out, final)
            if check_metric_fits(m, args, loss, out) is None:  # a metric reads the loss's targets
                metrics.append(text)
        stmt.metrics = metrics or None
    return out


# ---- programs -------------------------------------------------------------------------------


def _check_knobs(min_inputs, max_inputs, min_outputs, max_outputs, max_depth, layers):
    if not 1 <= min_inputs <= max_inputs:
        raise ValueError("need 1 <= min_inputs <= max_inputs")
    if not 1 <= min_outputs <= max_outputs:
        raise ValueError("need 1 <= min_outputs <= max_outputs")
    if max_depth < 1:
        raise ValueError("max_depth must be at least 1")
    chosen = list(SUPPORTED_LAYERS if layers is None else layers)
    unknown = [n for n in chosen if n not in _DRAWERS or n not in LAYERS]
    if unknown or not chosen:
        raise ValueError(f"layers must be a non-empty subset of {list(SUPPORTED_LAYERS)}; got {unknown or chosen}")
    return chosen


@st.composite
def _built(draw, min_inputs, max_inputs, min_outputs, max_outputs, max_depth, layers, shared_layers, params,
           knobs=_Knobs()):
    program = _Program()
    ctx = _Ctx(draw, params, program, knobs)
    if draw(st.booleans()):
        program.model = draw(st.sampled_from(["net", "model_a", "m", "classifier"]))

    scope: list[tuple[str, TensorType]] = []  # every tensor, in definition order
    open_: list[str] = []  # tensors nothing uses yet
    types: dict[str, TensorType] = {}
    for _ in range(draw(st.integers(min_inputs, max_inputs))):
        name = ctx.fresh("in")
        t = draw(_input_type(knobs))
        program.inputs.append((name, _type_text(t)))
        scope.append((name, t))
        types[name] = t
        open_.append(name)

    def pick_head() -> str:
        pool = open_ if open_ and draw(st.integers(0, 3)) else [n for n, _ in scope]
        return draw(st.sampled_from(pool))

    def use(name: str) -> None:
        if name in open_:
            open_.remove(name)

    def try_merge() -> tuple[str, TensorType, list[str]] | None:
        # with dtypes asked for, merges of any tensors (the catalog refuses what Keras cannot merge)
        floats = [n for n, t in scope if t.dtype in FLOAT_DTYPES or knobs.dtypes is not None]
        if len(floats) < 2:
            return None
        merge = draw(st.sampled_from(["concat", "add", "multiply", "average", "maximum", "minimum", "subtract", "dot"]))
        arity = 2 if merge in ("subtract", "dot") else draw(st.integers(2, min(3, len(floats))))
        names = draw(st.lists(st.sampled_from(floats), min_size=arity, max_size=arity, unique=True))
        kwargs: dict[str, object] = {}
        extra = ""
        if merge == "dot":
            kwargs["axes"] = -1
            extra = ", axes=-1"
        elif merge == "concat" and draw(st.booleans()):
            kwargs["axis"] = -1
            extra = ", axis=-1"
        try:
            out = MERGES[merge].infer(kwargs, [types[n] for n in names])
        except ShapeError:
            return None
        except Exception:
            return None
        if not out.shape or any(d is not None and not 0 < d <= MAX_DIM for d in out.shape):
            return None
        return f"{merge}({', '.join(names)}{extra})", out, names

    for _ in range(draw(st.integers(0, 3))):
        merged = try_merge() if draw(st.integers(0, 2)) == 0 else None
        if merged is not None:
            head, t, used = merged
            steps, t = _draw_chain(ctx, layers, t, 0, max_depth, shared_layers)
        else:
            head = pick_head()
            used = [head]
            steps, t = _draw_chain(ctx, layers, types[head], 1, max_depth, shared_layers)
            if not steps:
                continue
        name = ctx.fresh("h")
        program.body.append(_Stmt(name, head, steps, head_type=types.get(head)))
        for u in used:
            use(u)
        scope.append((name, t))
        types[name] = t
        open_.append(name)

    n_out = draw(st.integers(min_outputs, max_outputs))
    for i in range(n_out):
        last = i == n_out - 1
        name = ctx.fresh("out")
        if last and len(open_) > 1:
            vectors = []
            for leftover in list(open_):
                steps, t = _reduce(ctx, types[leftover])
                if steps:
                    vname = ctx.fresh("v")
                    program.body.append(_Stmt(vname, leftover, steps, head_type=types[leftover]))
                    types[vname] = t
                    vectors.append(vname)
                else:
                    vectors.append(leftover)
                use(leftover)
            head = f"concat({', '.join(vectors)})"
            t = MERGES["concat"].infer({}, [types[v] for v in vectors])
            stmt = _Stmt(name, head, [], output=True)
        else:
            head = open_[0] if last and open_ else pick_head()
            use(head)
            t = types[head]
            steps, t = _draw_chain(ctx, layers, t, 0, max_depth, shared_layers)
            stmt = _Stmt(name, head, steps, head_type=types[head], output=True)
        out_t = _finish_output(ctx, stmt, t)
        program.body.append(stmt)
        scope.append((name, out_t))
        types[name] = out_t

    if knobs.optimizers is not None or knobs.compile_arguments:
        if draw(st.integers(0, 3)):
            name = draw(st.sampled_from(list(knobs.optimizers or _OPTIMIZERS)))
            program.optimizer = _compile_call(ctx, "optimizer", name, None)[0]
    elif draw(st.booleans()):
        opt = draw(st.sampled_from(_OPTIMIZERS))
        if opt == "adam" and draw(st.booleans()):
            opt = "adam(learning_rate=0.001)"
        program.optimizer = opt
    return program


ALL = "all"
"""Pass as ``dtypes=``, ``activations=``, ``losses=``, ``metrics=`` or ``optimizers=`` of `programs()`
for every value Keras offers."""

_SIZE_KNOBS = ("min_inputs", "max_inputs", "min_outputs", "max_outputs", "max_depth", "layers", "shared_layers",
               "params")


def _names(knob: str, value: object, universe: Sequence[str]) -> tuple[str, ...] | None:
    """A knob naming values of a registry: None (the usual few), ALL, or a subset of `universe`."""
    if value is None:
        return None
    if value == ALL:
        return tuple(sorted(universe))
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ValueError(f"{knob} must be None, {ALL!r} or a list of names")
    chosen = tuple(value)
    unknown = [n for n in chosen if n not in universe]
    if unknown or not chosen:
        raise ValueError(f"{knob} must name some of {sorted(universe)}; got {unknown or list(chosen)}")
    return chosen


def _make_knobs(dtypes=None, unknown_sizes=False, activations=None, objects=False, losses=None, metrics=None,
                optimizers=None, compile_arguments=False, suited_outputs=True) -> _Knobs:
    from .catalog import ACTIVATIONS, DTYPES  # noqa: PLC0415
    from .catalog.compile_args import unusable  # noqa: PLC0415

    usable_metrics = [m for m in METRICS.names if not unusable("metric", METRICS.keras_class(m))]
    return _Knobs(
        dtypes=_names("dtypes", dtypes, DTYPES),
        unknown_sizes=bool(unknown_sizes),
        activations=_names("activations", activations, ACTIVATIONS.names),
        objects=bool(objects),
        losses=_names("losses", losses, LOSSES.names),
        metrics=_names("metrics", metrics, usable_metrics if metrics == ALL else METRICS.names),
        optimizers=_names("optimizers", optimizers, OPTIMIZERS.names),
        compile_arguments=bool(compile_arguments),
        suited_outputs=bool(suited_outputs),
    )


def _programs(**knobs) -> st.SearchStrategy[_Program]:
    layers = _check_knobs(
        knobs["min_inputs"], knobs["max_inputs"], knobs["min_outputs"], knobs["max_outputs"],
        knobs["max_depth"], knobs["layers"],
    )
    sizes = {k: knobs[k] for k in _SIZE_KNOBS}
    sizes["layers"] = layers
    extended = _make_knobs(**{k: v for k, v in knobs.items() if k not in _SIZE_KNOBS})

    @st.composite
    def strategy(draw):
        from .api import check  # noqa: PLC0415

        for _ in range(5):
            try:
                program = draw(_built(**sizes, knobs=extended))
            except _Reject:
                continue
            # The layers and clauses were drawn valid one by one; what only the whole graph shows
            # (a `?` size no data fits, a RandomCrop whose cropped size matters when predicting)
            # is left to check itself.
            if not check(program.render()).diagnostics:
                return program
        from hypothesis import reject  # noqa: PLC0415

        reject()

    return strategy()


def programs(
    *,
    min_inputs: int = 1,
    max_inputs: int = 3,
    min_outputs: int = 1,
    max_outputs: int = 3,
    max_depth: int = 6,
    layers: Sequence[str] | None = None,
    shared_layers: bool = True,
    params: bool = True,
    dtypes: Sequence[str] | str | None = None,
    unknown_sizes: bool = False,
    activations: Sequence[str] | str | None = None,
    objects: bool = False,
    losses: Sequence[str] | str | None = None,
    metrics: Sequence[str] | str | None = None,
    optimizers: Sequence[str] | str | None = None,
    compile_arguments: bool = False,
    suited_outputs: bool = True,
    version: int = 1,
) -> st.SearchStrategy[str]:
    """Texts of valid graphdsl programs that `check` passes without any diagnostic.

    The shape of the program:

    - `min_inputs`/`max_inputs`, `min_outputs`/`max_outputs`: how many of each (at least 1).
    - `max_depth`: the most layers drawn in one chain (an output's chain also gets the final
      Dense that fits its loss).
    - `layers`: the layer names to draw in chains, a subset of `SUPPORTED_LAYERS` (default all).
      A few more are used where a program needs them to be valid: Dense at the end of each
      output, Embedding and global pooling to turn leftover tensors into vectors (an Activation
      for booleans).
    - `shared_layers`: also draw `layer NAME = ...` declarations, used in chains where the
      tensor's type matches the one the layer was first used on.
    - `params`: also draw `param` declarations, used (sometimes with arithmetic) in arguments.

    What it draws from (each knob's default is the small usual set; ``ALL`` means everything
    Keras offers):

    - `dtypes`: the inputs' dtypes (default: float32, float64 and float16 for vectors, sequences
      and images, int32 and int64 for token ids). Given, every kind of input takes any of them,
      integer and boolean tensors are offered to every layer and merge (drawn with the arguments
      it would take on floats), and the catalog decides which take them.
    - `unknown_sizes`: also `?` for the sides of images and volumes (sequences' steps are
      sometimes `?` anyway).
    - `activations`: the names drawn for `activation=` (and `Activation(...)`); given, layers
      that take an activation or a recurrent activation also get one drawn now and then.
    - `objects`: also draw initializers, regularizers and constraints for the layers' arguments
      that take them (``kernel_initializer=``, ...), by name (every spelling of Keras's
      registries) or as a class with drawn arguments (``VarianceScaling(scale=0.5)``).
    - `losses`, `metrics`, `optimizers`: the names (any spelling) outputs and the optimizer are
      drawn from (default: mse, mae, huber and the cross-entropies; mae and mse; rmsprop, adam,
      sgd). Each output ends in a Dense that suits its loss (sigmoid units for a binary
      cross-entropy, softmax for a categorical one, softplus for poisson, ...), and a loss is
      drawn only where check judges it fits the output.
    - `compile_arguments`: also draw keyword arguments for losses, metrics and optimizers, valid
      by what each argument accepts and by the rules check applies (`compile_arguments()`);
      required arguments are always drawn.
    - `suited_outputs`: False lets an output end in whatever its chain made, when check accepts
      the loss there (to find what check accepts that Keras cannot train).

    - `version`: 2 also draws the language's version 2 (blocks, repeat, layers on several
      tensors, several outputs, tensor arithmetic, params in input shapes; see "Version 2"
      at the end of this module). The knobs of what it draws from (below `params`) are
      version 1's.

    Inputs are small (dims <= 16, units <= 16, vocabularies <= 50), so Keras builds are fast.
    The text is in the formatter's canonical style. `data.example_arrays` makes data that fits.
    """
    if version not in (1, 2):
        raise ValueError(f"version must be 1 or 2, not {version!r}")
    if version == 2:
        return _programs_v2(min_inputs=min_inputs, max_inputs=max_inputs, min_outputs=min_outputs,
                            max_outputs=max_outputs, max_depth=max_depth, layers=layers,
                            shared_layers=shared_layers, params=params)
    return _programs(
        min_inputs=min_inputs, max_inputs=max_inputs, min_outputs=min_outputs, max_outputs=max_outputs,
        max_depth=max_depth, layers=layers, shared_layers=shared_layers, params=params, dtypes=dtypes,
        unknown_sizes=unknown_sizes, activations=activations, objects=objects, losses=losses, metrics=metrics,
        optimizers=optimizers, compile_arguments=compile_arguments, suited_outputs=suited_outputs,
    ).map(_Program.render)


# ---- planted mistakes -----------------------------------------------------------------------

MISTAKE_CODES = (
    "GD0003", "GD0006", "GD0101", "GD0102", "GD0103", "GD0105", "GD0106", "GD0109",
    "GD0110", "GD0111", "GD0112", "GD0113", "GD0201", "GD0303",
)
"""The diagnostic codes `programs_with_mistake` can plant."""


def _misspell(name: str, known) -> str:
    for candidate in (name[:-1], name + name[-1], name + "x", name + "_typo"):
        if candidate and candidate not in known and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", candidate):
            return candidate
    return name + "_typo"


def _call_steps(program: _Program) -> list[tuple[_Stmt, int]]:
    return [(s, i) for s in program.body for i, step in enumerate(s.steps) if step.callee is not None]


def _plant(draw, program: _Program, code: str) -> str | None:
    """Plant a mistake with `code` into `program` (changing it); its description, or None."""
    body = program.body
    if code == "GD0103":
        steps = _call_steps(program)
        stmt, i = draw(st.sampled_from(steps))
        step = stmt.steps[i]
        wrong = step.callee.lower() if step.callee.lower() not in LAYERS else _misspell(step.callee, LAYERS)
        stmt.steps[i] = replace(step, callee=wrong, mark="callee")
        return f"unknown layer {wrong!r} (misspelled {step.callee!r})"
    if code == "GD0101":
        heads = [s for s in body if re.fullmatch(r"\w+", s.head)]
        if not heads:
            return None
        stmt = draw(st.sampled_from(heads))
        stmt.head, stmt.mark = "undefined_" + stmt.head, "head"
        return f"undefined name {stmt.head!r}"
    if code == "GD0102":
        name = draw(st.sampled_from([n for n, _ in program.inputs] + [s.name for s in body]))
        program.extra.append(f"param {_MARK}{name} = 1")
        return f"{name!r} defined twice"
    if code == "GD0105":
        stmt, i = draw(st.sampled_from(_call_steps(program)))
        step = stmt.steps[i]
        stmt.steps[i] = replace(step, args=[*step.args, _kw("not_an_argument", "1", 1)], mark=f"arg{len(step.args)}")
        return f"unknown argument 'not_an_argument' of {step.callee}"
    if code == "GD0106":
        dense = [(s, i) for s, i in _call_steps(program) if s.steps[i].callee == "Dense"]
        stmt, i = draw(st.sampled_from(dense))
        stmt.steps[i] = replace(stmt.steps[i], args=[], mark="callee")
        return "Dense() without its required units"
    if code == "GD0109":
        floats = [s for s in body if s.head_type is not None and s.head_type.dtype in FLOAT_DTYPES]
        if not floats:
            return None
        stmt = draw(st.sampled_from(floats))
        stmt.steps.insert(0, _Step("Dropout", [_pos("rate", "1.5", 1.5)], mark="value0"))
        return "a dropout rate of 1.5"
    if code == "GD0201":
        vectors = [s for s in body if s.head_type is not None and s.head_type.rank == 1
                   and s.head_type.dtype in FLOAT_DTYPES]
        if not vectors:
            return None
        stmt = draw(st.sampled_from(vectors))
        stmt.steps.insert(0, _Step("LSTM", [_pos("units", "4", 4)], mark="callee"))
        return "an LSTM on a rank-1 tensor"
    if code == "GD0110":
        dense = [(s, i) for s, i in _call_steps(program) if s.steps[i].callee == "Dense"]
        stmt, i = draw(st.sampled_from(dense))
        step = stmt.steps[i]
        args = [a for a in step.args if a.name != "activation"]
        args.append(_kw("activation", _str("relux"), "relux"))
        stmt.steps[i] = replace(step, args=args, mark=f"value{len(args) - 1}")
        return 'unknown activation "relux"'
    if code == "GD0111":
        outs = [s for s in body if s.loss is not None]
        stmt = draw(st.sampled_from(outs))
        stmt.loss, stmt.mark = _misspell(stmt.loss, LOSSES), "loss"
        return f"unknown loss {stmt.loss!r}"
    if code == "GD0112":
        outs = [s for s in body if s.loss is not None]
        stmt = draw(st.sampled_from(outs))
        metric = _misspell(stmt.metrics[0] if stmt.metrics else "accuracy", METRICS)
        stmt.metrics = [metric, *(stmt.metrics or [])[1:]]
        stmt.mark = "metric0"
        return f"unknown metric {metric!r}"
    if code == "GD0113":
        wrong = _misspell(draw(st.sampled_from(_OPTIMIZERS)), OPTIMIZERS)
        program.optimizer = _MARK + wrong
        return f"unknown optimizer {wrong!r}"
    if code == "GD0003":
        chains = [s for s in body if s.steps]
        stmt = draw(st.sampled_from(chains))
        stmt.mark = "arrow0"
        return f"missing '->' before the first step of {stmt.name!r}"
    if code == "GD0006":
        word = draw(st.sampled_from(RESERVED))
        program.extra.append(f"param {_MARK}{word} = 1")
        return f"the keyword {word!r} used as a name"
    if code == "GD0303":
        program.inputs.append((_MARK + "unused_input", "float32[4]"))
        return "an input nothing uses"
    raise ValueError(f"cannot plant {code}")


def programs_with_mistake(
    *, codes: Sequence[str] | None = None, **knobs
) -> st.SearchStrategy[tuple[str, Mistake]]:
    """A valid program with exactly one planted mistake, and the `Mistake` (code, place).

    `codes` limits the mistakes to some of `MISTAKE_CODES`; `knobs` are those of `programs()`.
    `check` must report a diagnostic with the mistake's code at its line and column (GD0303 is
    a warning; the others are errors).
    """
    chosen = list(MISTAKE_CODES if codes is None else codes)
    bad = [c for c in chosen if c not in MISTAKE_CODES]
    if bad or not chosen:
        raise ValueError(f"codes must be a non-empty subset of {MISTAKE_CODES}")
    defaults = dict(min_inputs=1, max_inputs=3, min_outputs=1, max_outputs=3, max_depth=6, layers=None,
                    shared_layers=True, params=True)
    base = _programs(**{**defaults, **knobs})

    @st.composite
    def strategy(draw):
        program = draw(base)
        for _ in range(4):
            code = draw(st.sampled_from(chosen))
            description = _plant(draw, program, code)
            if description is not None:
                text, line, column = _locate(program.render())
                return text, Mistake(code, line, column, description)
        from hypothesis import reject  # noqa: PLC0415

        reject()

    return strategy()


# ---- mutations ------------------------------------------------------------------------------

_TOKEN = re.compile(r"->|//|\w+|\"[^\"\n]*\"|'[^'\n]*'|#[^\n]*|\S")
_ALPHABET = "()[]{},=-+*/>:?#\"'\\.\n\t ;0123456789eE_aZ\u00e9\u2028\x00"
_SNIPPETS = ("->", "=", "(", ")", "[", "]", ",", "input", "output", "param", "layer", "loss", "weight",
             "metrics", "model", "optimizer", "Dense(", "concat(", "None", "True", "?", "1e999", "9" * 40,
             "'", '"', "#", "\n", "x =", "(((((", ")))))", "Dense(-1)", "Embedding(0, 0)")


def _mutate_with(text: str, integer: Callable[[int, int], int], choice: Callable[[Sequence], object]) -> str:
    for _ in range(integer(1, 4)):
        op = choice(["delete", "insert", "duplicate", "token_delete", "token_duplicate", "token_swap", "snippet"])
        n = len(text)
        if op in ("delete", "duplicate") and n:
            i = integer(0, n - 1)
            j = integer(i + 1, min(n, i + 12))
            text = text[:i] + text[j:] if op == "delete" else text[:j] + text[i:j] + text[j:]
        elif op == "insert" or (op in ("delete", "duplicate") and not n):
            i = integer(0, n)
            text = text[:i] + str(choice(_ALPHABET)) + text[i:]
        elif op == "snippet":
            i = integer(0, n)
            text = text[:i] + str(choice(_SNIPPETS)) + text[i:]
        else:
            tokens = list(_TOKEN.finditer(text))
            if not tokens:
                continue
            tok = tokens[integer(0, len(tokens) - 1)]
            if op == "token_delete":
                text = text[: tok.start()] + text[tok.end():]
            elif op == "token_duplicate":
                text = text[: tok.end()] + " " + tok.group() + text[tok.end():]
            else:
                other = tokens[integer(0, len(tokens) - 1)]
                a, b = sorted([tok, other], key=lambda m: m.start())
                if a.start() != b.start():
                    text = text[: a.start()] + b.group() + text[a.end(): b.start()] + a.group() + text[b.end():]
    return text


def mutate(text: str, rng: random.Random) -> str:
    """`text` damaged by 1-4 random edits (as `mutated_texts`), driven by `rng`: for fuzzers."""
    return _mutate_with(text, rng.randint, rng.choice)


@st.composite
def _mutate(draw, text: str) -> str:
    return _mutate_with(text, lambda lo, hi: draw(st.integers(lo, hi)), lambda xs: draw(st.sampled_from(xs)))


def mutated_texts(base: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[str]:
    """Texts made by damaging programs from `base` (default: `programs()`): 1-4 deletions,
    insertions and duplications of characters, tokens and snippets. Most are invalid programs:
    they are for checking that nothing ever raises."""
    base = programs(max_inputs=2, max_outputs=2, max_depth=3) if base is None else base
    return base.flatmap(lambda text: _mutate(text))


# ---- version 2 ------------------------------------------------------------------------------
# `programs(version=2)`: blocks, repeat, layers on several tensors, several outputs unpacked,
# tensor arithmetic, params in input shapes. The drawing lives in `graphdsl._testing_v2` (built on
# a symbolic program typed by the catalog's rules, so a block is typed per call), loaded when asked.


def _programs_v2(**knobs) -> st.SearchStrategy[str]:
    from . import _testing_v2  # noqa: PLC0415 - version 1 users never load it

    return _testing_v2.programs_v2(**_testing_v2.knobs(**knobs))
