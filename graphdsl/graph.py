"""The checked model graph: what the passes conclude about a program, ready to be built.

The passes turn the IR into a `Graph`: every tensor with its inferred type, every layer object with
its validated arguments and readable, unique Keras name, and the ops that connect them, in source
order. The lowering to Keras walks this graph and nothing else, so what `check` reports (shapes,
dtypes, parameter counts) is by construction what the build is asked to make; the build then
compares Keras's answers with these facts.

Tensor ids: a named tensor's id is its name; an intermediate tensor of a chain is
``"<statement name>/<step index>"`` (e.g. ``features/3``). A tensor made in a block call is
``"<call id>/<name>"`` (``stage1_residual_1/a``, ``stage1_residual_1/a/2``, the returned
``stage1_residual_1/return``), and a name bound to a tensor made elsewhere (a block's result, a
discarded output) is an alias: `Graph.named` maps every name the program binds to its tensor id.

Ops come in two kinds: `ApplyOp` (a Keras layer applied to tensors, perhaps with several outputs)
and `MathOp` (tensor arithmetic such as ``x + 3.0``, which Keras builds as an op node, not a layer).
`op_outputs(op)` lists the tensors any op makes.
"""

from __future__ import annotations

from collections.abc import Mapping

from .catalog.types import TensorType
from .records import Record, field, record
from .source import Span


@record(slots=True)
class BlockCall(Record):
    """One call of a `block` (language version 2): a frame of the "macro backtrace" that made a
    layer or an op. Layers and ops made outside any block have no frames."""

    id: str  # unique and readable, the prefix of the names of the layers it made: "stage2_residual_1"
    block: str  # the block's name, e.g. "residual"
    span: Span  # the call in the source


@record(slots=True)
class InputOp(Record):
    """`input NAME: DTYPE[DIMS]` -> ``keras.Input(shape=type.shape, dtype=type.dtype, name=name)``."""

    tensor: str  # == name
    name: str
    type: TensorType
    span: Span


@record(slots=True)
class Layer(Record):
    """One Keras layer object. A `layer` declaration is one Layer applied at several places."""

    name: str  # the Keras layer name: unique, deterministic, readable
    class_name: str  # a keras.layers class, e.g. "Conv1D", or "Identity" (see OutputSpec)
    args: Mapping[str, object]  # validated constructor arguments as the user wrote them
    # (LayerValue for a layer given as argument, e.g. Bidirectional(LSTM(32)))
    span: Span
    params: int  # parameter count (of the one object, however often it is applied)
    declared: bool = False  # from a `layer NAME = ...` declaration
    calls: tuple[BlockCall, ...] = ()  # the block calls that made it, outermost first


@record(slots=True)
class CallArg(Record):
    """One argument of a layer's call on several tensors (Keras's double call), as written: the
    call parameter it fills, whether it was given by position, and its value: tensor ids
    (`tensors`, written as a list when `listed`, e.g. ``initial_state=[h, c]``) or a constant."""

    param: str
    positional: bool
    tensors: tuple[str, ...] = ()
    listed: bool = False
    value: object = None


@record(slots=True)
class ApplyOp(Record):
    """``tensor = layers[layer](inputs[0])``; a merge applies its layer to all its inputs; a call on
    several tensors (`call` non-empty) is ``layers[layer](*positional, **by keyword)`` as `call`
    writes it. `inputs` lists every input tensor in the order given."""

    tensor: str  # the (first) output
    layer: str  # key into Graph.layers
    inputs: tuple[str, ...]
    type: TensorType  # of the first output
    span: Span
    merge: bool = False  # a merge layer (Concatenate, Add, ...) takes a list of inputs
    calls: tuple[BlockCall, ...] = ()  # the block calls that made it, outermost first
    call: tuple[CallArg, ...] = ()  # the arguments of a double call, in the order written
    more: tuple[tuple[str, TensorType], ...] = ()  # the further outputs of a layer with several


@record(slots=True)
class MathOp(Record):
    """Tensor arithmetic in a chain's head: ``tensor = left OP right`` (or ``-left`` for `op`
    "neg"), lowered with the same Python operator on Keras tensors, so Keras makes the op node a
    hand-written model has (``keras.src.ops.numpy.Add``...). An operand is a tensor id (a str) or
    a number."""

    tensor: str
    op: str  # "+" "-" "*" "/" or "neg"
    left: str | int | float
    right: str | int | float | None
    inputs: tuple[str, ...]  # the tensor operands' ids
    type: TensorType
    span: Span
    calls: tuple[BlockCall, ...] = ()


def op_outputs(op: ApplyOp | MathOp) -> tuple[tuple[str, TensorType], ...]:
    """Every tensor an op makes, (id, type), in Keras's order."""
    more = getattr(op, "more", ())
    return ((op.tensor, op.type), *more) if more else ((op.tensor, op.type),)


@record(slots=True)
class LossSpec(Record):
    """A loss, metric or optimizer as Keras wants it: canonical name and keyword arguments."""

    name: str  # canonical Keras name (aliases resolved), e.g. "mean_squared_error"
    written: str  # as the user wrote it, e.g. "mse"
    kwargs: Mapping[str, object] = field(default_factory=dict)
    span: Span | None = field(default=None, compare=False)  # where it is written (None: the default optimizer)


@record(slots=True)
class OutputSpec(Record):
    name: str
    tensor: str  # the tensor whose producing layer is named `name`
    type: TensorType
    loss: LossSpec | None
    weight: float
    metrics: tuple[LossSpec, ...]
    span: Span


@record(slots=True)
class Graph(Record):
    model_name: str
    inputs: tuple[InputOp, ...]
    layers: Mapping[str, Layer]  # by Keras layer name, in creation order
    ops: tuple[ApplyOp | MathOp, ...]  # in an order where every input is made before it is used
    outputs: tuple[OutputSpec, ...]  # in declaration order
    optimizer: LossSpec
    tensors: Mapping[str, TensorType]  # every tensor id -> type (inputs, named and intermediate)
    named: Mapping[str, str]  # every top-level name the program binds to a tensor -> its tensor id, in order
    param_count: int
    params: Mapping[str, object]  # evaluated `param` values (after overrides)
