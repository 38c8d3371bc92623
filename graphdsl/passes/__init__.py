"""The passes, in order. Each is a pure function of the IR (and the facts before it):

1. `resolve`  -- one namespace; every name defined once, before its uses, and of the right kind.
2. `infer`    -- arguments, shapes, dtypes, parameter counts, losses; builds the `Graph`.
3. `sizes`    -- what unknown sizes hide: a `?` dimension no size fits, shapes that differ when predicting.
4. `training` -- an optimizer argument the model's layers cannot train with.
5. `lint`     -- warnings about names nothing uses.
6. `budget`   -- what training the model holds in memory, against the machine's memory (or a budget).
"""

from __future__ import annotations

from collections.abc import Mapping

from .. import ir
from ..catalog.types import TensorType
from ..diagnostics import Diagnostic
from ..graph import Graph
from .budget import MemoryEstimate, check_memory
from .infer import DEFAULT_MAX_PARAMS, infer
from .lint import lint
from .resolve import resolve
from .sizes import check_sizes
from .training import check_training

__all__ = ["DEFAULT_MAX_PARAMS", "run_passes"]


def run_passes(
    program: ir.Program,
    params: Mapping[str, object] | None = None,
    max_params: int = DEFAULT_MAX_PARAMS,
    max_memory: int | None = None,
) -> tuple[Graph | None, dict[str, TensorType | None], list[Diagnostic], MemoryEstimate | None]:
    """The graph (None if there are errors), every named tensor's type, the diagnostics, and the
    memory estimate of the graph. `max_memory` is the memory budget in bytes; None means the
    machine's memory."""
    symbols, diags = resolve(program)
    graph, tensors, more = infer(program, symbols, params, max_params)
    diags += more
    if graph is not None and not any(d.is_error for d in diags):
        diags += check_sizes(graph)
        diags += check_training(graph)
    diags += lint(program, symbols)
    memory = None
    if graph is not None and not any(d.is_error for d in diags):
        memory, over = check_memory(graph, max_memory)
        diags += over
    if any(d.is_error for d in diags):
        graph = memory = None
    return graph, tensors, diags, memory
