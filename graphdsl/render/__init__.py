"""Pictures of a checked graph: DOT, Mermaid, SVG and a self-contained HTML page.

`model` turns a `Graph` into a picture (nodes, edges, block-call clusters); one module per format
draws it (`dot`, `mermaid`, `svg`, `html`); `layered` is the pure-Python layout the SVG uses when
Graphviz's `dot` is not installed. Nothing here imports TensorFlow.
"""

from __future__ import annotations

from ..graph import Graph

FORMATS = ("svg", "dot", "mermaid", "html")

__all__ = ["FORMATS", "render"]


def render(graph: Graph, fmt: str = "svg", collapse_blocks: bool = False, engine: str | None = None) -> str:
    """The picture of `graph` in format `fmt` (one of `FORMATS`)."""
    from .model import build_picture  # noqa: PLC0415
    from .model import collapse_blocks as collapse

    picture = build_picture(graph)
    if collapse_blocks:
        picture = collapse(picture)
    if fmt == "dot":
        from .dot import to_dot  # noqa: PLC0415

        return to_dot(picture)
    if fmt == "mermaid":
        from .mermaid import to_mermaid  # noqa: PLC0415

        return to_mermaid(picture)
    from .svg import to_svg  # noqa: PLC0415

    svg = to_svg(picture, engine)
    if fmt == "svg":
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + svg
    if fmt == "html":
        from .html import to_html  # noqa: PLC0415

        return to_html(picture, svg, _rows(graph))
    raise ValueError(f"unknown picture format {fmt!r}; formats: {', '.join(FORMATS)}")


def _rows(graph: Graph) -> list[tuple[str, str, str, str]]:
    from .model import shape_text  # noqa: PLC0415

    rows = [(i.name, shape_text(i.type), "Input", "0") for i in graph.inputs]
    counted: set[str] = set()
    from ..graph import MathOp, op_outputs  # noqa: PLC0415
    from .model import math_text  # noqa: PLC0415

    for op in graph.ops:
        if type(op) is MathOp:
            rows.append((op.tensor, shape_text(op.type), f"tensor arithmetic '{math_text(op)}'", "0"))
            continue
        layer = graph.layers[op.layer]
        n = 0 if op.layer in counted else layer.params
        counted.add(op.layer)
        for k, (tensor_id, t) in enumerate(op_outputs(op)):
            rows.append((tensor_id, shape_text(t), f"{layer.class_name} '{layer.name}'", f"{n:,}" if k == 0 else "0"))
    return rows
