"""The picture as Graphviz DOT: `graphdsl graph --format dot`, and the input of Graphviz's layout.

Nodes carry HTML-like labels (a bold title, then one line per fact); block calls are nested
`cluster_` subgraphs; the edges of a shared layer carry the number of the use at that end.
"""

from __future__ import annotations

from collections.abc import Mapping

from .model import BLOCK, Picture
from .style import FONT_NAME, SHARED_STYLE, style_of

_PX_PER_INCH = 72.0


def quote(text: str) -> str:
    """A DOT double-quoted string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def to_dot(picture: Picture, sizes: Mapping[str, tuple[float, float]] | None = None) -> str:
    """DOT text. With `sizes` (pixels), every box gets exactly that size (for the layout)."""
    out = [f"digraph {quote(picture.name)} {{",
           f'  graph [rankdir=TB, nodesep=0.35, ranksep=0.5, fontname={quote(FONT_NAME)}, '
           f'label={quote(f"{picture.name}: {picture.param_count:,} parameters")}, labelloc=t];',
           f"  node [shape=box, style=\"rounded,filled\", fontname={quote(FONT_NAME)}, fontsize=11, margin=\"0.12,0.06\"];",
           f"  edge [color=\"#78909c\", arrowsize=0.7, fontname={quote(FONT_NAME)}, fontsize=9];"]
    children: dict[str | None, list[str]] = {}
    for c in picture.clusters:
        children.setdefault(c.parent, []).append(c.id)
    clusters = {c.id: c for c in picture.clusters}
    in_cluster: dict[str, list[str]] = {}
    for node in picture.nodes:
        if node.cluster:
            in_cluster.setdefault(node.cluster[-1], []).append(_node(node, sizes))

    def emit_cluster(cid: str, indent: str) -> None:
        c = clusters[cid]
        out.append(f"{indent}subgraph {quote('cluster_' + cid)} {{")
        out.append(f'{indent}  label={quote(f"{c.block} ({cid})")}; style="dashed,rounded"; color="#90a4ae"; '
                   f'fontcolor="#455a64"; fontsize=10;')
        for line in in_cluster.get(cid, []):
            out.append(f"{indent}  {line}")
        for child in children.get(cid, []):
            emit_cluster(child, indent + "  ")
        out.append(f"{indent}}}")

    for node in picture.nodes:
        if not node.cluster:
            out.append("  " + _node(node, sizes))
    for cid in children.get(None, []):
        emit_cluster(cid, "  ")
    for e in picture.edges:
        attrs = []
        if sizes is None:
            if e.src_use:
                attrs.append(f"taillabel={quote(f'#{e.src_use}')}")
            if e.dst_use:
                attrs.append(f"headlabel={quote(f'#{e.dst_use}')}")
            shape = picture.shapes.get(e.tensor, "")
            attrs.append(f"tooltip={quote(f'{e.tensor}: {shape}')}")
        out.append(f"  {quote(e.src)} -> {quote(e.dst)}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    out.append("}")
    return "\n".join(out) + "\n"


def _node(node, sizes) -> str:
    st = style_of(node)
    rows = [f"<b>{_html(node.title)}</b>"] + [_html(line) for line in node.lines]
    label = "<" + "<br/>".join(rows) + ">"
    attrs = [f"label={label}", f"fillcolor={quote(st.fill)}", f"color={quote(st.stroke)}",
             f"tooltip={quote(node.tooltip)}"]
    styles = ["filled", "rounded"]
    if st is SHARED_STYLE:
        styles.append("dashed")
    if node.output or node.kind == BLOCK:
        attrs.append("penwidth=2")
    attrs.append(f"style={quote(','.join(styles))}")
    if sizes is not None:
        w, h = sizes[node.id]
        attrs.append(f"width={w / _PX_PER_INCH:.4f}, height={h / _PX_PER_INCH:.4f}, fixedsize=true")
    return f"{quote(node.id)} [{', '.join(attrs)}];"
