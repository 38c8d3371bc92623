"""The picture as a Mermaid flowchart (GitHub, GitLab and many wikis draw it from a code block).

Node ids are `n0, n1, ...` (Mermaid ids cannot hold every graphdsl name); labels are quoted, with
`"` written as Mermaid's `#quot;` entity. Block calls are nested `subgraph`s.
"""

from __future__ import annotations

from .model import BLOCK, INPUT, MERGE, Picture
from .style import KIND_STYLE, SHARED_STYLE, style_of

_SHAPES = {INPUT: ('(["', '"])'), MERGE: ('{{"', '"}}'), BLOCK: ('[["', '"]]')}


def label(text: str) -> str:
    """Text safe inside a quoted Mermaid label."""
    return (text.replace("#", "#35;").replace("&", "#amp;").replace('"', "#quot;")
            .replace("<", "#lt;").replace(">", "#gt;"))


def to_mermaid(picture: Picture) -> str:
    ids = {n.id: f"n{i}" for i, n in enumerate(picture.nodes)}
    out = ["---", f"title: {label(picture.name)} ({picture.param_count:,} parameters)", "---", "flowchart TB"]
    children: dict[str | None, list[str]] = {}
    for c in picture.clusters:
        children.setdefault(c.parent, []).append(c.id)
    clusters = {c.id: c for c in picture.clusters}
    inside: dict[str, list[str]] = {}
    for n in picture.nodes:
        if n.cluster:
            inside.setdefault(n.cluster[-1], []).append(_node(n, ids))
    cids = {c.id: f"c{i}" for i, c in enumerate(picture.clusters)}

    def emit(cid: str, indent: str) -> None:
        c = clusters[cid]
        out.append(f'{indent}subgraph {cids[cid]} ["{label(f"{c.block} ({cid})")}"]')
        out.extend(f"{indent}  {line}" for line in inside.get(cid, []))
        for child in children.get(cid, []):
            emit(child, indent + "  ")
        out.append(f"{indent}end")

    out.extend("  " + _node(n, ids) for n in picture.nodes if not n.cluster)
    for cid in children.get(None, []):
        emit(cid, "  ")
    for e in picture.edges:
        uses = " → ".join(f"use {u}" for u in (e.src_use, e.dst_use) if u)
        arrow = f' -->|"{label(uses)}"| ' if uses else " --> "
        out.append(f"  {ids[e.src]}{arrow}{ids[e.dst]}")
    styles = dict(KIND_STYLE, shared=SHARED_STYLE)
    for name, st in styles.items():
        width = "2px" if name in ("output", "block") else "1px"
        dash = ",stroke-dasharray:5 3" if name == "shared" else ""
        out.append(f"  classDef {name} fill:{st.fill},stroke:{st.stroke},stroke-width:{width}{dash}")
    by_class: dict[str, list[str]] = {}
    for n in picture.nodes:
        st = style_of(n)
        cls = "output" if n.output else ("shared" if st is SHARED_STYLE else n.kind)
        by_class.setdefault(cls, []).append(ids[n.id])
    for cls, members in by_class.items():
        out.append(f"  class {','.join(members)} {cls}")
    return "\n".join(out) + "\n"


def _node(n, ids) -> str:
    opening, closing = _SHAPES.get(n.kind, ('["', '"]'))
    text = "<br/>".join([f"<b>{label(n.title)}</b>"] + [label(line) for line in n.lines])
    return f"{ids[n.id]}{opening}{text}{closing}"
