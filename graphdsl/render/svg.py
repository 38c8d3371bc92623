"""The picture as SVG, laid out by Graphviz's `dot` when it is on PATH, else by `layered`.

Either way the boxes have the sizes `style.node_size` gives (Graphviz is told them exactly), and
the drawing is ours: one look whatever did the layout. Each node is a ``<g class="node">`` with
its id in ``data-id``, a ``<rect>`` and one ``<text>`` per line; each edge a ``<path>``; each
block call a ``<g class="cluster">``. Hovering a node shows its tooltip (``<title>``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from html import escape

from .layered import Box, Layout, layered
from .model import Picture
from .style import (
    FONT_FAMILY,
    LINE_HEIGHT,
    LINE_SIZE,
    PAD_Y,
    TITLE_HEIGHT,
    TITLE_SIZE,
    node_size,
    style_of,
    text_width,
)

EDGE_COLOR = "#78909c"
_ENGINE_ENV = "GRAPHDSL_LAYOUT"  # "layered" forces the pure-Python layout, "graphviz" requires dot


def layout(picture: Picture, engine: str | None = None) -> Layout:
    """Lay the picture out: `engine` "graphviz", "layered", or None for Graphviz when available."""
    engine = engine or os.environ.get(_ENGINE_ENV) or ("graphviz" if shutil.which("dot") else "layered")
    sizes = {n.id: node_size(n) for n in picture.nodes}
    if engine == "graphviz":
        result = graphviz_layout(picture, sizes)
        if result is not None:
            return result
    cluster_of = {n.id: n.cluster for n in picture.nodes}
    return layered([n.id for n in picture.nodes], sizes, [(e.src, e.dst) for e in picture.edges], cluster_of)


def graphviz_layout(picture: Picture, sizes) -> Layout | None:
    """Positions from `dot -Tjson` (None if dot is missing or fails: the caller falls back)."""
    import json  # noqa: PLC0415

    from .dot import to_dot  # noqa: PLC0415

    exe = shutil.which("dot")
    if exe is None:
        return None
    try:
        proc = subprocess.run([exe, "-Tjson"], input=to_dot(picture, sizes), capture_output=True, text=True,
                              timeout=60, check=False)
        data = json.loads(proc.stdout) if proc.returncode == 0 else None
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    if not data or "bb" not in data:
        return None
    _, _, width, height = (float(v) for v in data["bb"].split(","))
    margin = 16.0

    def pt(x: float, y: float) -> tuple[float, float]:
        return x + margin, height - y + margin

    boxes: dict[str, Box] = {}
    clusters: dict[str, tuple[float, float, float, float]] = {}
    names: dict[int, str] = {}
    for obj in data.get("objects", []):
        name = obj.get("name", "")
        if "nodes" in obj or name.startswith("cluster_"):  # a cluster (subgraph)
            if name.startswith("cluster_") and "bb" in obj:
                x0, y0, x1, y1 = (float(v) for v in obj["bb"].split(","))
                (ax, ay), (bx, by) = pt(x0, y1), pt(x1, y0)
                clusters[name[len("cluster_"):]] = (ax, ay, bx, by)
            continue
        if "pos" not in obj:
            continue
        x, y = (float(v) for v in obj["pos"].split(","))
        cx, cy = pt(x, y)
        names[obj["_gvid"]] = name
        w, h = sizes[name]
        boxes[name] = Box(cx, cy, w, h)
    routes = []
    by_pair: dict[tuple[str, str], list[tuple]] = {}
    for edge in data.get("edges", []):
        tail, head = names.get(edge["tail"]), names.get(edge["head"])
        pos = edge.get("pos", "")
        end = None
        pts = []
        for item in pos.split():
            parts = item.split(",")
            if parts[0] == "e":
                end = pt(float(parts[1]), float(parts[2]))
            elif parts[0] != "s":
                pts.append(pt(float(parts[0]), float(parts[1])))
        if end is not None:
            pts.append(end)
        by_pair.setdefault((tail, head), []).append(tuple(pts))
    for e in picture.edges:
        got = by_pair.get((e.src, e.dst))
        routes.append(got.pop(0) if got else ())
    if len(boxes) != len(picture.nodes):
        return None
    return Layout(width + 2 * margin, height + 2 * margin, boxes, tuple(routes), clusters, "graphviz")


def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _path(route: tuple, engine: str, src: Box, dst: Box) -> str:
    if engine == "graphviz" and len(route) >= 4 and (len(route) - 2) % 3 == 0:
        # a B-spline (1 + 3n points) and the arrow's tip after it
        spline, tip = route[:-1], route[-1]
        d = f"M{_num(spline[0][0])},{_num(spline[0][1])}"
        for i in range(1, len(spline), 3):
            (a, b), (c, dd), (e, f) = spline[i : i + 3]
            d += f" C{_num(a)},{_num(b)} {_num(c)},{_num(dd)} {_num(e)},{_num(f)}"
        return d + f" L{_num(tip[0])},{_num(tip[1])}"
    pts = list(route)
    if len(pts) < 2:
        pts = [(src.x, src.y), (dst.x, dst.y)]
    # leave the tail's box at its bottom and enter the head's box at its top (or the reverse
    # for an edge drawn upwards, a shared layer's back edge)
    down = pts[-1][1] >= pts[0][1]
    pts[0] = (pts[0][0], src.bottom if down else src.top)
    pts[-1] = (pts[-1][0], (dst.top - 2) if down else (dst.bottom + 2))
    d = f"M{_num(pts[0][0])},{_num(pts[0][1])}"
    for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False):
        my = (y0 + y1) / 2
        d += f" C{_num(x0)},{_num(my)} {_num(x1)},{_num(my)} {_num(x1)},{_num(y1)}"
    return d


def _spread(picture: Picture, lay: Layout) -> list[tuple]:
    """Routes whose ends are spread along their boxes' edges (several edges into one box arrive
    side by side, ordered by where they come from), for the layered engine."""
    routes = [list(r) for r in lay.routes]
    if lay.engine != "layered":
        return [tuple(r) for r in routes]
    ends: dict[tuple[str, str], list[tuple[float, int, int]]] = {}
    for k, (e, r) in enumerate(zip(picture.edges, routes, strict=True)):
        if len(r) < 2:
            continue
        ends.setdefault((e.dst, "in"), []).append((r[-2][0], k, -1))
        ends.setdefault((e.src, "out"), []).append((r[1][0], k, 0))
    for (nid, _), items in ends.items():
        if len(items) < 2:
            continue
        box = lay.boxes[nid]
        items.sort()
        span = min(box.w * 0.7, 26.0 * (len(items) - 1))
        for i, (_, k, at) in enumerate(items):
            x = box.x - span / 2 + span * i / (len(items) - 1)
            routes[k][at] = (x, routes[k][at][1])
    return [tuple(r) for r in routes]


def to_svg(picture: Picture, engine: str | None = None, lay: Layout | None = None) -> str:
    """A standalone SVG document."""
    lay = lay or layout(picture, engine)
    title_h = 26.0
    heading = f"{picture.name} · {picture.param_count:,} parameters"
    w, h = max(lay.width, 32 + text_width(heading, 13)), lay.height + title_h
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_num(w)}" height="{_num(h)}" '
        f'viewBox="0 0 {_num(w)} {_num(h)}" font-family="{escape(FONT_FAMILY)}" '
        f'data-layout="{lay.engine}">',
        f"<title>{escape(picture.name)}</title>",
        "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" "
        f"markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{EDGE_COLOR}\"/>"
        "</marker></defs>",
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        f'<text x="16" y="18" font-size="13" font-weight="bold" fill="#263238" xml:space="preserve">'
        f'{escape(picture.name)}<tspan font-weight="normal" fill="#607d8b"> · {picture.param_count:,} parameters'
        "</tspan></text>",
        f'<g transform="translate(0,{_num(title_h)})">',
    ]
    depth = {c.id: 0 for c in picture.clusters}
    for c in picture.clusters:
        depth[c.id] = depth[c.parent] + 1 if c.parent else 0
    for c in sorted(picture.clusters, key=lambda c: depth[c.id]):
        if c.id not in lay.clusters:
            continue
        x0, y0, x1, y1 = lay.clusters[c.id]
        out.append(
            f'<g class="cluster" data-id="{escape(c.id)}"><title>block {escape(c.block)}, call {escape(c.id)}</title>'
            f'<rect x="{_num(x0)}" y="{_num(y0)}" width="{_num(x1 - x0)}" height="{_num(y1 - y0)}" rx="8" '
            f'fill="#eceff1" fill-opacity="0.45" stroke="#90a4ae" stroke-dasharray="5 3"/>'
            f'<text x="{_num(x0 + 8)}" y="{_num(y0 + 14)}" font-size="10" fill="#455a64">'
            f"{escape(c.block)} ({escape(c.id)})</text></g>"
        )
    routes = _spread(picture, lay)
    labels = []
    for e, r in zip(picture.edges, routes, strict=True):
        src, dst = lay.boxes[e.src], lay.boxes[e.dst]
        tip = escape(f"{e.tensor}: {picture.shapes.get(e.tensor, '')}")
        d = _path(r, lay.engine, src, dst)
        out.append(f'<path class="edge" data-src="{escape(e.src)}" data-dst="{escape(e.dst)}" d="{d}" fill="none" '
                   f'stroke="{EDGE_COLOR}" stroke-width="1.3" marker-end="url(#arrow)"><title>{tip}</title></path>')
        for use, box, at_tail in ((e.src_use, src, True), (e.dst_use, dst, False)):
            if use:
                end = r[0] if at_tail and r else (r[-1] if r else (box.x, box.y))
                x = end[0] + 4
                y = box.bottom + 11 if at_tail else box.top - 5
                labels.append(f'<text class="use" x="{_num(x)}" y="{_num(y)}" font-size="9" fill="#8e24aa">#{use}</text>')
    for node in picture.nodes:
        box = lay.boxes[node.id]
        st = style_of(node)
        dash = ' stroke-dasharray="5 3"' if st.fill == "#f3e5f5" and not node.output else ""
        width = 2.0 if node.output or node.kind == "block" else 1.2
        out.append(f'<g class="node {node.kind}" data-id="{escape(node.id)}"><title>{escape(node.tooltip)}</title>')
        out.append(f'<rect x="{_num(box.left)}" y="{_num(box.top)}" width="{_num(box.w)}" height="{_num(box.h)}" '
                   f'rx="{_num(st.radius)}" fill="{st.fill}" stroke="{st.stroke}" stroke-width="{width}"{dash}/>')
        y = box.top + PAD_Y + TITLE_HEIGHT - 4
        out.append(f'<text x="{_num(box.x)}" y="{_num(y)}" font-size="{_num(TITLE_SIZE)}" font-weight="bold" '
                   f'text-anchor="middle" fill="#263238">{escape(node.title)}</text>')
        for line in node.lines:
            y += LINE_HEIGHT
            out.append(f'<text x="{_num(box.x)}" y="{_num(y)}" font-size="{_num(LINE_SIZE)}" text-anchor="middle" '
                       f'fill="#455a64" xml:space="preserve">{escape(line)}</text>')
        out.append("</g>")
    out += labels
    out.append("</g></svg>")
    return "\n".join(out) + "\n"
