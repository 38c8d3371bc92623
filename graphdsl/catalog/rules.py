"""Small pure helpers the descriptors' rules share: axis arithmetic, rank checks, dtype rules.

Shapes exclude the batch axis; Keras axis numbers (``axis=-1``, ``Permute((2, 1))``) count it,
as in Keras. `None` is an unknown size. Every refusal is a `ShapeError` quoting the input shape.
"""

from __future__ import annotations

from graphdsl.catalog.types import FLOAT_DTYPES, ShapeError, TensorType, fmt_shape, fmt_value

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable, Mapping

    from graphdsl.catalog.spec import LayerSpec

    Args = Mapping[str, object]


def keras_version() -> str:
    """The Keras version the catalog was generated from (for messages about Keras's own quirks)."""
    from graphdsl.catalog._signatures import KERAS_VERSION  # noqa: PLC0415

    return KERAS_VERSION


def prod(values: Iterable[int]) -> int:
    """The product of `values` (1 for none); `math` is not worth its import here."""
    out = 1
    for v in values:
        out *= v
    return out


def as_tuple(v: object, n: int) -> tuple:
    """An int or an n-tuple as an n-tuple."""
    if isinstance(v, tuple):
        return tuple(v) * (n if len(v) == 1 and n > 1 else 1)
    return (v,) * n


SPATIAL = {1: "(batch, steps, channels)", 2: "(batch, rows, cols, channels)", 3: "(batch, dim1, dim2, dim3, channels)"}


def need_rank(spec: LayerSpec, inp: TensorType, rank: int, what: str) -> None:
    """Refuse an input whose rank (batch excluded) is not `rank`."""
    if inp.rank != rank:
        raise ShapeError(f"{spec.name} expects a {rank + 1}-D input {what}, got {fmt_shape(inp)}")


def need_spatial(spec: LayerSpec, inp: TensorType, n: int) -> None:
    """Refuse an input that is not (batch, n spatial axes, channels)."""
    need_rank(spec, inp, n + 1, SPATIAL[n])


def need_known(spec: LayerSpec, inp: TensorType, axis: int, what: str) -> int:
    """The size on `axis` (an index into the shape), refusing an unknown one."""
    size = inp.shape[axis]
    if size is None:
        raise ShapeError(
            f"{spec.name} needs a known {what} to create its weights, but its input "
            f"{fmt_shape(inp)} has an unknown size there"
        )
    return size


def keras_axis(spec: LayerSpec, inp: TensorType, axis: int, arg: str = "axis") -> int:
    """Normalize a Keras axis (batch = 0) to an index into `inp.shape`; refuse the batch axis."""
    full = inp.rank + 1
    if not -full <= axis < full:
        raise ShapeError(f"{spec.name}({arg}={axis}) is out of range for input {fmt_shape(inp)}", arg)
    a = axis % full
    if a == 0:
        raise ShapeError(f"{spec.name}({arg}={axis}) names the batch axis of {fmt_shape(inp)}", arg)
    return a - 1


def keras_axes(spec: LayerSpec, inp: TensorType, axis: object, arg: str = "axis") -> list[int]:
    """`keras_axis` for an axis or a tuple of axes."""
    axes = list(axis) if isinstance(axis, tuple) else [axis]
    return [keras_axis(spec, inp, a, arg) for a in axes]  # type: ignore[arg-type]


def show(spec: LayerSpec, args: Args, name: str) -> str:
    """``Conv1D(kernel_size=5)``: an argument as the program has it, for messages."""
    return f"{spec.name}({name}={fmt_value(spec.arg(args, name))})"


def too_short(spec: LayerSpec, args: Args, inp: TensorType, arg: str, n: int, i: int, need: int, has: int) -> None:
    """Refuse a window (kernel, pool, crop) larger than its input along spatial axis `i`."""
    what = "steps" if n == 1 else ("rows" if i == 0 else "columns") if n == 2 else f"values on axis {i + 1}"
    raise ShapeError(
        f"{show(spec, args, arg)} needs at least {need} {what}, but its input {fmt_shape(inp)} has {has}", arg
    )


def broadcast(spec_name: str, a: tuple, b: tuple, shapes: str) -> tuple:
    """Keras's broadcasting of two shapes aligned from the right: an unknown size stays unknown,
    a 1 stretches, other sizes must agree. `shapes` describes the operands for the message."""
    if len(a) < len(b):
        a, b = b, a
    out = list(a[: len(a) - len(b)])
    for i, j in zip(a[len(a) - len(b):], b, strict=True):
        if i is None or j is None:
            out.append(None if (i is None and j is None) or (i == 1 or j == 1) else (i if j is None else j))
        elif i == 1:
            out.append(j)
        elif j == 1 or i == j:
            out.append(i)
        else:
            raise ShapeError(f"{spec_name} needs shapes that broadcast together, got {shapes}")
    return tuple(out)


# ---------------------------------------------------------------- shape and count rules


def same(spec: LayerSpec, args: Args, inp: TensorType) -> tuple:
    """The output has the input's shape."""
    return inp.shape


def zero(spec: LayerSpec, args: Args, inp: object) -> int:
    """No weights."""
    return 0


# ---------------------------------------------------------------- dtype rules
# Keras (default float32 policy) casts every floating input of a computing layer to float32, and
# most layers compute in float32 whatever they get. Layers that move or pick values (reshapers,
# padding, cropping, max pooling, ...) keep integer and bool dtypes when data flows -- even where
# Keras's symbolic dtype says float32 (a layer with its own compute_output_shape declares its
# compute dtype): the rules say what the model computes, and lowering's cross-check knows that
# Keras's symbolic tensors say float32 there.


def dtype_float(spec: LayerSpec, args: Args, inp: TensorType) -> str:
    """float32 whatever the input."""
    return "float32"


def dtype_weighted(spec: LayerSpec, args: Args, inp: TensorType) -> str:
    """float32; booleans refused (Keras would cast them to 0.0/1.0 silently: feeding booleans to
    weights is a mistake)."""
    if inp.dtype == "bool":
        raise ShapeError(f"{spec.name} expects numbers, got bool {fmt_shape(inp)}")
    return "float32"


def dtype_keep(spec: LayerSpec, args: Args, inp: TensorType) -> str:
    """Floats become float32; integers and bools are kept (reshapers, which move values only)."""
    return "float32" if inp.dtype in FLOAT_DTYPES else inp.dtype


def dtype_keep_numbers(spec: LayerSpec, args: Args, inp: TensorType) -> str:
    """As `dtype_keep`, with booleans refused (a layer that computes on numbers: ReLU, Masking)."""
    if inp.dtype == "bool":
        raise ShapeError(f"{spec.name} expects numbers, got bool {fmt_shape(inp)}")
    return dtype_keep(spec, args, inp)


def dtype_floats_only(spec: LayerSpec, args: Args, inp: TensorType) -> str:
    """float32; integer and bool inputs refused (a layer whose kernels want floats)."""
    if inp.dtype not in FLOAT_DTYPES:
        raise ShapeError(f"{spec.name} expects floating-point values, got {inp.dtype} {fmt_shape(inp)}")
    return "float32"
