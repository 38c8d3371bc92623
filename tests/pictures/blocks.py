"""A checked graph with block calls set by hand (no program can make them before language
version 2): residual_mlp.gd's two residual blocks, each a call of `residual`, the second nested
in a call of `stage`."""

from __future__ import annotations

from pathlib import Path

import graphdsl
from graphdsl.graph import BlockCall
from graphdsl.records import replace
from graphdsl.source import Span

EXAMPLE = Path(__file__).resolve().parent.parent.parent / "examples" / "residual_mlp.gd"


def graph_with_blocks():
    _, graph = graphdsl.api.analyze(EXAMPLE.read_text())
    first = BlockCall("residual_1", "residual", Span(0, 1))
    stage = BlockCall("stage2", "stage", Span(0, 1))
    second = BlockCall("stage2_residual_1", "residual", Span(0, 1))
    frames = {}
    for op in graph.ops:
        stmt = op.tensor.split("/")[0]
        if stmt in ("b1", "r1"):
            frames[op.layer] = (first,)
        elif stmt in ("b2", "r2"):
            frames[op.layer] = (stage, second)
    layers = {name: replace(layer, calls=frames.get(name, ())) for name, layer in graph.layers.items()}
    ops = tuple(replace(op, calls=frames.get(op.layer, ())) for op in graph.ops)
    return replace(graph, layers=layers, ops=ops)
