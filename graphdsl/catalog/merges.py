"""The merges a chain may start with: concat, add, subtract, multiply, average,
maximum, minimum and dot — their Keras classes, keyword parameters and shape rules.

Keras merge layers compute in the float32 policy, so every merge yields float32
whatever its inputs' dtypes (checked against Keras) -- except that a merge of integer tensors only
declares float32 and computes integers: refused.
"""

from __future__ import annotations

from collections.abc import Mapping

from graphdsl.catalog import _signatures as sig
from graphdsl.catalog.kinds import Axis, Bool, Kind, is_int, predicate
from graphdsl.catalog.spec import Param
from graphdsl.catalog.types import FLOAT_DTYPES, REQUIRED, ShapeError, TensorType, fmt_shape

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Sequence

    Args = Mapping[str, object]

_DotAxes = predicate(
    "an axis or a pair of axes",
    lambda v: is_int(v) or (isinstance(v, tuple) and len(v) == 2 and all(is_int(a) for a in v)),
)

_KINDS: dict[str, Kind] = {"axis": Axis, "axes": _DotAxes, "normalize": Bool}


class MergeSpec:
    """A merge (concat, add, ..., dot): its Keras class, keyword params and shape rule."""

    def __init__(self, name: str, keras_class: str, params: tuple[Param, ...], min_inputs: int,
                 rule: Callable, max_inputs: int | None = None):
        self.name = name
        self.keras_class = keras_class
        self.params = params
        self.min_inputs = min_inputs
        self.rule = rule
        self.max_inputs = max_inputs
        self.module = "keras.layers"

    def __repr__(self) -> str:
        return f"MergeSpec({self.name!r})"

    def arg(self, args: Args, name: str) -> object:
        """The value the user gave for `name`, else its default."""
        if name in args:
            return args[name]
        for p in self.params:
            if p.name == name:
                return p.default
        raise KeyError(f"{self.name} has no parameter {name!r}")

    def infer(self, args: Args, inputs: Sequence[TensorType]) -> TensorType:
        """The output type of merging `inputs`; raises ShapeError quoting the shapes."""
        if len(inputs) < self.min_inputs:
            raise ShapeError(f"{self.name} needs at least {self.min_inputs} inputs, got {len(inputs)}")
        if self.max_inputs is not None and len(inputs) > self.max_inputs:
            raise ShapeError(f"{self.name} takes exactly {self.max_inputs} inputs, got {len(inputs)}")
        return self.rule(self, args, inputs)

    def count_params(self, args: Args, inputs: Sequence[TensorType]) -> int:
        """Merges have no weights."""
        return 0

    def keras_kwargs(self, args: Args) -> dict:
        """Keyword arguments for the Keras constructor: exactly what the program wrote."""
        return {p.name: args[p.name] for p in self.params if p.name in args}


def _shapes(inputs: Sequence[TensorType]) -> str:
    return ", ".join(fmt_shape(t) for t in inputs)


def _refuse_bool(spec: MergeSpec, inputs: Sequence[TensorType]) -> None:
    for t in inputs:
        if t.dtype == "bool":
            raise ShapeError(f"{spec.name} expects numbers, got bool {fmt_shape(t)}")
    if all(t.dtype not in FLOAT_DTYPES for t in inputs):
        # Keras declares float32, but merges integers as integers when data flows (int64 for an
        # int64 and an int32, float64 for an average): the model would not compute what check says
        raise ShapeError(f"{spec.name} of integer tensors ({_shapes(inputs)}): Keras declares float32 but merges "
                         "them as integers when data flows; merge floats (or integers with a float)")


def _elementwise(spec: MergeSpec, args: Args, inputs: Sequence[TensorType]) -> TensorType:
    # Keras's rule (Merge._compute_elemwise_op_output_shape): shapes align from the
    # right; an unknown size stays unknown, a 1 broadcasts, other sizes must agree.
    _refuse_bool(spec, inputs)
    out: tuple = inputs[0].shape
    for t in inputs[1:]:
        a, b = (out, t.shape) if len(out) >= len(t.shape) else (t.shape, out)
        if not b:
            out = a
            continue
        merged = list(a[: len(a) - len(b)])
        for i, j in zip(a[len(a) - len(b):], b, strict=True):
            if i is None or j is None:
                merged.append(None)
            elif i == 1:
                merged.append(j)
            elif j == 1 or i == j:
                merged.append(i)
            else:
                raise ShapeError(f"{spec.name} needs inputs of the same shape, got {_shapes(inputs)}")
        out = tuple(merged)
    return TensorType(tuple(out), "float32")


def _concat(spec: MergeSpec, args: Args, inputs: Sequence[TensorType]) -> TensorType:
    _refuse_bool(spec, inputs)
    ranks = {t.rank for t in inputs}
    if len(ranks) != 1:
        raise ShapeError(f"concat needs inputs of the same rank, got {_shapes(inputs)}")
    rank = ranks.pop()
    axis = spec.arg(args, "axis")
    full = rank + 1
    if not -full <= axis < full:  # type: ignore[operator]
        raise ShapeError(f"concat(axis={axis}) is out of range for {_shapes(inputs)}", "axis")
    ax = axis % full  # type: ignore[operator]
    if ax == 0:
        raise ShapeError(f"concat(axis={axis}) would join along the batch axis", "axis")
    ax -= 1
    for i in range(rank):
        known = {t.shape[i] for t in inputs} - {None}
        if i != ax and len(known) > 1:
            raise ShapeError(f"concat needs inputs whose shapes match except on axis {axis}, got {_shapes(inputs)}")
    # Keras keeps the first input's size, even when it is unknown and a later one is known.
    out = list(inputs[0].shape)
    sizes = [t.shape[ax] for t in inputs]
    out[ax] = None if any(s is None for s in sizes) else sum(sizes)  # type: ignore[arg-type]
    return TensorType(tuple(out), "float32")


def _dot(spec: MergeSpec, args: Args, inputs: Sequence[TensorType]) -> TensorType:
    _refuse_bool(spec, inputs)
    a, b = inputs
    full_a, full_b = a.keras_shape(), b.keras_shape()
    axes = spec.arg(args, "axes")
    pair = tuple(axes) if isinstance(axes, tuple) else (axes, axes)
    norm = []
    for ax, full in zip(pair, (full_a, full_b), strict=True):
        if not -len(full) <= ax < len(full):  # type: ignore[operator]
            raise ShapeError(f"dot(axes={axes}) is out of range for {_shapes(inputs)}", "axes")
        n = ax % len(full)  # type: ignore[operator]
        if n == 0:
            raise ShapeError(f"dot(axes={axes}) names the batch axis", "axes")
        norm.append(n)
    if full_a[norm[0]] != full_b[norm[1]]:
        raise ShapeError(
            f"dot(axes={axes}) multiplies sizes that differ: {full_a[norm[0]]} in {fmt_shape(a)} "
            f"and {full_b[norm[1]]} in {fmt_shape(b)}",
            "axes",
        )
    left = [d for i, d in enumerate(full_a) if i != norm[0]]
    right = [d for i, d in enumerate(full_b) if i != norm[1]][1:]
    out = left + right
    if len(out) == 1:
        out.append(1)
    return TensorType(tuple(out[1:]), "float32")


_RULES = {
    "concat": _concat,
    "add": _elementwise,
    "subtract": _elementwise,
    "multiply": _elementwise,
    "average": _elementwise,
    "maximum": _elementwise,
    "minimum": _elementwise,
    "dot": _dot,
}
_ARITY = {"subtract": (2, 2), "dot": (2, 2)}


def _make(name: str) -> MergeSpec:
    keras_class, signature = sig.MERGE_SIGNATURES[name]
    params = tuple(
        Param(entry[0], entry[1] if len(entry) == 2 else REQUIRED, _KINDS[entry[0]]) for entry in signature
    )
    lo, hi = _ARITY.get(name, (2, None))
    return MergeSpec(name, keras_class, params, lo, rule=_RULES[name], max_inputs=hi)


_built: dict[str, MergeSpec] = {}


def get_merge(name: str) -> MergeSpec | None:
    """The merge called `name` in the language (``concat``, ``dot``...), or None (built on first use)."""
    spec = _built.get(name)
    if spec is None:
        if name not in sig.MERGE_SIGNATURES:
            return None
        spec = _built[name] = _make(name)
    return spec


class _Merges(Mapping):
    """Every merge by name, built as it is looked up."""

    def __getitem__(self, name: str) -> MergeSpec:
        spec = get_merge(name)
        if spec is None:
            raise KeyError(name)
        return spec

    def __contains__(self, name: object) -> bool:
        return name in sig.MERGE_SIGNATURES

    def __iter__(self):
        return iter(sorted(sig.MERGE_SIGNATURES))

    def __len__(self) -> int:
        return len(sig.MERGE_SIGNATURES)


MERGES: Mapping[str, MergeSpec] = _Merges()
MERGE_BY_KERAS_CLASS: Mapping[str, str] = {cls: name for name, (cls, _sig) in sig.MERGE_SIGNATURES.items()}
