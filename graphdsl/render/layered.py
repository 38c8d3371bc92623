"""A layered (Sugiyama-style) layout in pure Python, for drawing without the Graphviz binary.

Top to bottom, each step linear or n log n in the size of the graph:

1. Cycles (a shared layer applied after a layer that follows it) are broken by reversing the
   back edges of a depth-first search; the reversed edges are drawn in their true direction.
2. Layers by longest path from the sources; then each source moves down to just above its first
   consumer, so a side input sits next to where it is used, not at the top of a long picture.
3. Edges longer than one layer get a chain of small dummy nodes, so they route around boxes.
4. Order inside each layer: barycenter sweeps, down and up; a block call's members stay together.
5. Horizontal positions: each sweep pulls every box towards the mean of its neighbours, then
   solves "as close as possible without overlapping, order kept" exactly by isotonic regression
   (pool adjacent violators), so boxes never overlap, whatever their widths.
6. Clusters are the boxes around their members, and nothing else is let inside them.

Why not grandalf: its last release is from January 2023, it lays out each connected component
separately, knows no clusters, and spaces layers by a fixed distance instead of by box sizes.
This module is small, deterministic, and tested for the properties the pictures need.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..records import Record, record

GAP_X = 28.0  # between neighbouring boxes in a layer
GAP_Y = 46.0  # between layers
DUMMY_W = 12.0  # the width an edge takes where it passes through a layer
CLUSTER_PAD = 12.0
CLUSTER_TITLE = 18.0
_SWEEPS = 8


@record
class Box(Record):
    """A placed node: its centre and size."""

    x: float
    y: float
    w: float
    h: float

    @property
    def left(self) -> float:
        return self.x - self.w / 2

    @property
    def right(self) -> float:
        return self.x + self.w / 2

    @property
    def top(self) -> float:
        return self.y - self.h / 2

    @property
    def bottom(self) -> float:
        return self.y + self.h / 2


@record
class Layout(Record):
    width: float
    height: float
    boxes: Mapping[str, Box]  # node id -> box
    routes: tuple[tuple[tuple[float, float], ...], ...]  # per edge (same order): points, tail to head
    clusters: Mapping[str, tuple[float, float, float, float]]  # cluster id -> (x0, y0, x1, y1)
    engine: str  # "layered" or "graphviz"


def layered(
    node_ids: Sequence[str],
    sizes: Mapping[str, tuple[float, float]],
    edges: Sequence[tuple[str, str]],
    cluster_of: Mapping[str, tuple[str, ...]],
    margin: float = 16.0,
) -> Layout:
    """Lay out a directed graph top to bottom. `cluster_of` maps a node to its nested clusters."""
    index = {v: i for i, v in enumerate(node_ids)}
    succ: dict[str, list[str]] = {v: [] for v in node_ids}
    for a, b in edges:
        if a != b:
            succ[a].append(b)
    forward = _break_cycles(node_ids, succ)

    # 2. layers
    order = _topological(node_ids, forward)
    rank: dict[str, int] = {}
    preds: dict[str, list[str]] = {v: [] for v in node_ids}
    for a, b in forward:
        preds[b].append(a)
    fsucc: dict[str, list[str]] = {v: [] for v in node_ids}
    for a, b in forward:
        fsucc[a].append(b)
    for v in order:
        rank[v] = max((rank[p] + 1 for p in preds[v]), default=0)
    for v in order:
        if not preds[v] and fsucc[v]:
            rank[v] = min(rank[s] for s in fsucc[v]) - 1

    # 3. dummies: every edge becomes a chain of unit-length segments
    chains: list[list[str]] = []
    path_of: dict[str, tuple[str, ...]] = dict(cluster_of)
    size = dict(sizes)
    layer_nodes: dict[int, list[str]] = {}
    for v in sorted(node_ids, key=lambda v: (rank[v], index[v])):
        layer_nodes.setdefault(rank[v], []).append(v)
    up: dict[str, list[str]] = {v: [] for v in node_ids}
    down: dict[str, list[str]] = {v: [] for v in node_ids}
    reversed_edge: list[bool] = []
    fset = set(forward)
    for k, (a, b) in enumerate(edges):
        rev = (a, b) not in fset and a != b
        s, t = (b, a) if rev else (a, b)
        reversed_edge.append(rev)
        chain = [s]
        common = _common(path_of.get(s, ()), path_of.get(t, ()))
        for r in range(rank[s] + 1, rank[t]):
            d = f"\0{k}:{r}"
            size[d] = (DUMMY_W, 0.0)
            path_of[d] = common
            rank[d] = r
            layer_nodes[r].append(d)
            up[d], down[d] = [], []
            chain.append(d)
        chain.append(t)
        for u, w in zip(chain, chain[1:], strict=False):
            if u != w:
                down[u].append(w)
                up[w].append(u)
        chains.append(chain)

    ranks = sorted(layer_nodes)
    layers = [layer_nodes[r] for r in ranks]

    # 4. order
    pos = {v: i for layer in layers for i, v in enumerate(layer)}
    for sweep in range(_SWEEPS):
        seq = range(1, len(layers)) if sweep % 2 == 0 else range(len(layers) - 2, -1, -1)
        for li in seq:
            nb = up if sweep % 2 == 0 else down
            layer = layers[li]
            bary = {}
            for v in layer:
                ns = nb[v]
                bary[v] = sum(pos[n] for n in ns) / len(ns) if ns else pos[v]
            layers[li] = _grouped(layer, bary, path_of)
            for i, v in enumerate(layers[li]):
                pos[v] = i

    # 5. x positions
    x: dict[str, float] = {}
    for layer in layers:
        cur = 0.0
        for i, v in enumerate(layer):
            if i:
                cur += _sep(layer[i - 1], v, size, path_of)
            x[v] = cur
    for _ in range(_SWEEPS):
        for direction in ("down", "up"):
            nb = up if direction == "down" else down
            seq = layers if direction == "down" else layers[::-1]
            for layer in seq:
                want, weight = [], []
                for v in layer:
                    ns = nb[v]
                    if ns:
                        want.append(sum(x[n] for n in ns) / len(ns))
                        # long edges (dummies) should run straight: pull them harder
                        weight.append(4.0 if v.startswith("\0") else 1.0 + len(ns) / 4)
                    else:
                        want.append(x[v])
                        weight.append(0.2)
                seps = [_sep(layer[i - 1], layer[i], size, path_of) for i in range(1, len(layer))]
                for v, xv in zip(layer, _place(want, weight, seps), strict=True):
                    x[v] = xv
    _clear_clusters(layers, x, size, path_of)

    # y positions
    y: dict[str, float] = {}
    top = margin
    depth = max((len(p) for p in path_of.values()), default=0)
    gap = GAP_Y + depth * (CLUSTER_PAD + CLUSTER_TITLE) * (1 if depth else 0)
    for layer in layers:
        h = max(size[v][1] for v in layer)
        for v in layer:  # boxes of a layer share their top; a passing edge crosses at mid-height
            y[v] = top + (h / 2 if v.startswith("\0") else size[v][1] / 2)
        top += h + gap

    left = min(x[v] - size[v][0] / 2 for v in x) if x else 0.0
    shift = margin - left + depth * CLUSTER_PAD
    boxes = {v: Box(x[v] + shift, y[v], *size[v]) for v in node_ids}
    clusters = _cluster_boxes(x, y, size, path_of, shift)
    routes = []
    for chain, rev in zip(chains, reversed_edge, strict=True):
        pts = [(x[v] + shift, y[v]) for v in chain]
        routes.append(tuple(reversed(pts)) if rev else tuple(pts))
    right = max((b.right for b in boxes.values()), default=0.0)
    right = max([right] + [c[2] for c in clusters.values()])
    bottom = max((b.bottom for b in boxes.values()), default=0.0)
    bottom = max([bottom] + [c[3] for c in clusters.values()])
    return Layout(right + margin, bottom + margin, boxes, tuple(routes), clusters, "layered")


def _common(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    n = 0
    while n < len(a) and n < len(b) and a[n] == b[n]:
        n += 1
    return a[:n]


def _break_cycles(node_ids: Sequence[str], succ: Mapping[str, list[str]]) -> list[tuple[str, str]]:
    """The edges with every back edge of an iterative depth-first search reversed."""
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    out: list[tuple[str, str]] = []
    for root in node_ids:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(succ[root]))]
        while stack:
            v, it = stack[-1]
            for w in it:
                s = state.get(w)
                if s == 1:
                    out.append((w, v))  # a back edge: drawn upwards, laid out downwards
                else:
                    out.append((v, w))
                    if s is None:
                        state[w] = 1
                        stack.append((w, iter(succ[w])))
                        break
            else:
                state[v] = 2
                stack.pop()
    return out


def _topological(node_ids: Sequence[str], edges: Sequence[tuple[str, str]]) -> list[str]:
    indeg = {v: 0 for v in node_ids}
    succ: dict[str, list[str]] = {v: [] for v in node_ids}
    for a, b in edges:
        succ[a].append(b)
        indeg[b] += 1
    ready = [v for v in reversed(node_ids) if indeg[v] == 0]
    out = []
    while ready:
        v = ready.pop()
        out.append(v)
        for w in reversed(succ[v]):
            indeg[w] -= 1
            if indeg[w] == 0:
                ready.append(w)
    return out


def _grouped(layer: list[str], bary: Mapping[str, float], path_of: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Sort a layer by barycenter, keeping the members of each cluster next to each other: a
    cluster sorts at the mean barycenter of its members in this layer."""
    if not any(path_of.get(v) for v in layer):
        return sorted(layer, key=lambda v: bary[v])
    sums: dict[tuple[str, ...], list[float]] = {}
    for v in layer:
        p = path_of.get(v, ())
        for i in range(1, len(p) + 1):
            acc = sums.setdefault(p[:i], [0.0, 0])
            acc[0] += bary[v]
            acc[1] += 1

    def key(v: str) -> tuple:
        p = path_of.get(v, ())
        parts = [(sums[p[:i]][0] / sums[p[:i]][1], p[i - 1]) for i in range(1, len(p) + 1)]
        return (*parts, (bary[v], ""))

    return sorted(layer, key=key)


def _sep(a: str, b: str, size: Mapping[str, tuple[float, float]], path_of) -> float:
    """The least distance between the centres of neighbours `a` and `b` in a layer."""
    pa, pb = path_of.get(a, ()), path_of.get(b, ())
    # each cluster boundary between them needs room for its padding
    crossings = len(pa) + len(pb) - 2 * len(_common(pa, pb))
    gap = GAP_X if not (a.startswith("\0") or b.startswith("\0")) else GAP_X / 2
    return size[a][0] / 2 + size[b][0] / 2 + gap + crossings * CLUSTER_PAD


def _place(want: list[float], weight: list[float], seps: list[float]) -> list[float]:
    """Positions closest (weighted least squares) to `want`, in the same order, with at least
    `seps[i]` between neighbours i and i+1: isotonic regression by pool adjacent violators."""
    offset = [0.0]
    for s in seps:
        offset.append(offset[-1] + s)
    blocks: list[list[float]] = []  # [weighted sum, weight, count]
    for w, o, wt in zip(want, offset, weight, strict=True):
        blocks.append([(w - o) * wt, wt, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            s, wt2, n = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += wt2
            blocks[-1][2] += n
    out = []
    i = 0
    for s, wt, n in blocks:
        level = s / wt
        for _ in range(n):
            out.append(level + offset[i])
            i += 1
    return out


def _clear_clusters(layers: list[list[str]], x: dict[str, float], size, path_of) -> None:
    """Push boxes out of clusters they are not in: in each layer a cluster spans, whatever lies
    right of its members moves right, and whatever lies left moves left, until it clears the box."""
    spans: dict[str, tuple[int, int]] = {}
    for li, layer in enumerate(layers):
        for v in layer:
            for c in path_of.get(v, ()):
                lo, hi = spans.get(c, (li, li))
                spans[c] = (min(lo, li), max(hi, li))
    depth = {c: min(p.index(c) for p in path_of.values() if c in p) for c in spans}
    for _ in range(3):  # a push can widen another cluster; a few rounds settle it
        moved = False
        for c in sorted(spans, key=lambda c: -depth[c]):  # innermost first
            lo, hi = spans[c]
            inside = [v for li in range(lo, hi + 1) for v in layers[li] if c in path_of.get(v, ())]
            pad = CLUSTER_PAD * (1 + max(len(path_of[v]) - path_of[v].index(c) - 1 for v in inside))
            x0 = min(x[v] - size[v][0] / 2 for v in inside) - pad
            x1 = max(x[v] + size[v][0] / 2 for v in inside) + pad
            mid = (x0 + x1) / 2
            for li in range(lo, hi + 1):
                layer = layers[li]
                members = [i for i, v in enumerate(layer) if c in path_of.get(v, ())]
                if members:
                    after, before = members[-1] + 1, members[0] - 1
                else:
                    after = next((i for i, v in enumerate(layer) if x[v] >= mid), len(layer))
                    before = after - 1
                if after < len(layer):
                    v = layer[after]
                    need = x1 + GAP_X / 2 - (x[v] - size[v][0] / 2)
                    if need > 1e-6:
                        for w in layer[after:]:
                            x[w] += need
                        moved = True
                if before >= 0:
                    v = layer[before]
                    need = (x[v] + size[v][0] / 2) - (x0 - GAP_X / 2)
                    if need > 1e-6:
                        for w in layer[: before + 1]:
                            x[w] -= need
                        moved = True
        if not moved:
            break


def _cluster_boxes(x, y, size, path_of, shift) -> dict[str, tuple[float, float, float, float]]:
    boxes: dict[str, list[float]] = {}
    for v, p in path_of.items():
        if v not in x:
            continue
        for depth, c in enumerate(p):
            inner = len(p) - depth - 1  # clusters nested inside c around v
            pad = CLUSTER_PAD * (1 + inner)
            title = CLUSTER_TITLE * (1 + inner)
            w, h = size[v]
            x0, x1 = x[v] + shift - w / 2 - pad, x[v] + shift + w / 2 + pad
            y0, y1 = y[v] - h / 2 - pad - title, y[v] + h / 2 + pad
            b = boxes.get(c)
            if b is None:
                boxes[c] = [x0, y0, x1, y1]
            else:
                b[0], b[1], b[2], b[3] = min(b[0], x0), min(b[1], y0), max(b[2], x1), max(b[3], y1)
    return {c: (b[0], b[1], b[2], b[3]) for c, b in boxes.items()}
