"""A training history as files: CSV and JSON tables, and a loss-curve picture (SVG).

A history is what Keras's `fit` returns in ``History.history``, one list per logged quantity
(``loss``, ``val_loss``, ``income_accuracy``, ...), one entry per epoch; `graphdsl train` writes it
beside the trained model. The picture is plain SVG written here (no plotting library): the total
loss and each output's loss, training solid and validation dashed, against the epoch.

Nothing here imports TensorFlow; everything returns text for `graphdsl.fileio.write_atomic`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from html import escape

__all__ = ["history_csv", "history_json", "loss_svg", "paths_beside"]

History = Mapping[str, Sequence[float]]


def paths_beside(model_path: str) -> dict[str, str]:
    """Where the history files of a model go: ``news.keras`` -> ``news.history.csv``, ..."""
    stem = model_path[: -len(".keras")] if model_path.endswith(".keras") else model_path
    return {"csv": f"{stem}.history.csv", "json": f"{stem}.history.json", "svg": f"{stem}.loss.svg"}


def _columns(history: History) -> list[str]:
    """``loss`` first, then the other training quantities, then their ``val_`` twins, each sorted."""
    keys = sorted(history)
    train = [k for k in keys if not k.startswith("val_")]
    train.sort(key=lambda k: (k != "loss", k))
    val = [f"val_{k}" for k in train if f"val_{k}" in history]
    return train + val + [k for k in keys if k.startswith("val_") and k not in val]


def _epochs(history: History, first_epoch: int) -> list[int]:
    n = max((len(v) for v in history.values()), default=0)
    return list(range(first_epoch, first_epoch + n))


def _number(v: float) -> str:
    return repr(float(v)) if math.isfinite(v) else ("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf"))


def history_csv(history: History, first_epoch: int = 1) -> str:
    """One row per epoch (numbered from `first_epoch`): ``epoch,loss,...,val_loss,...``."""
    cols = _columns(history)
    lines = [",".join(["epoch", *cols])]
    for i, epoch in enumerate(_epochs(history, first_epoch)):
        row = [str(epoch)] + [_number(history[c][i]) if i < len(history[c]) else "" for c in cols]
        lines.append(",".join(row))
    return "\n".join(lines) + "\n"


def history_json(history: History, first_epoch: int = 1, **about: object) -> str:
    """``{"epoch": [1, 2, ...], "loss": [...], ...}`` plus any facts in `about` (model, samples...).
    NaN and infinities are written as null (JSON has no such numbers)."""
    out: dict[str, object] = dict(about)
    out["epoch"] = _epochs(history, first_epoch)
    for c in _columns(history):
        out[c] = [float(v) if math.isfinite(v) else None for v in history[c]]
    return json.dumps(out, indent=2) + "\n"


# ---- the picture ---------------------------------------------------------------------------------

_W, _H = 720, 420
_LEFT, _RIGHT, _TOP, _BOTTOM = 70, 190, 40, 50
_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About `n` round values spanning [lo, hi]."""
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / n
    step = 10 ** math.floor(math.log10(raw))
    step *= next(m for m in (1, 2, 2.5, 5, 10) if raw <= step * m)
    start = math.ceil(lo / step) * step
    return [start + i * step for i in range(int((hi - start) / step + 1e-9) + 1)]


def _fmt(v: float) -> str:
    return f"{v:.4g}"


def loss_svg(history: History, title: str = "loss", first_epoch: int = 1) -> str:
    """The loss curves: ``loss`` and every ``*_loss`` (one colour each), validation dashed."""
    keys = [k for k in _columns(history) if k.removeprefix("val_") == "loss" or k.endswith("_loss")]
    series = {k: [(first_epoch + i, float(v)) for i, v in enumerate(history[k]) if math.isfinite(v)] for k in keys}
    series = {k: pts for k, pts in series.items() if pts}
    epochs = _epochs(history, first_epoch)
    values = [v for pts in series.values() for _, v in pts]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{_H}" viewBox="0 0 {_W} {_H}" '
        'font-family="sans-serif" font-size="12">',
        f'<rect width="{_W}" height="{_H}" fill="white"/>',
        f'<text x="{_LEFT}" y="24" font-size="15">{escape(title)}</text>',
    ]
    if not values:
        out.append(f'<text x="{_LEFT}" y="{_H // 2}">no finite loss was recorded</text></svg>')
        return "\n".join(out) + "\n"
    lo, hi = min(values), max(values)
    if hi == lo:
        lo, hi = lo - 0.5, hi + 0.5
    pad = (hi - lo) * 0.05
    lo, hi = lo - pad, hi + pad
    e0, e1 = epochs[0], max(epochs[-1], epochs[0] + 1)
    pw, ph = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM

    def x(e: float) -> float:
        return _LEFT + (e - e0) / (e1 - e0) * pw

    def y(v: float) -> float:
        return _TOP + (hi - v) / (hi - lo) * ph

    out.append(f'<rect x="{_LEFT}" y="{_TOP}" width="{pw}" height="{ph}" fill="none" stroke="#999"/>')
    for t in _ticks(lo, hi):
        out.append(f'<line x1="{_LEFT}" x2="{_LEFT + pw}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="#eee"/>')
        out.append(f'<text x="{_LEFT - 6}" y="{y(t) + 4:.1f}" text-anchor="end">{_fmt(t)}</text>')
    for t in _ticks(e0, e1, min(10, e1 - e0)):
        if float(t).is_integer():
            out.append(f'<text x="{x(t):.1f}" y="{_TOP + ph + 18}" text-anchor="middle">{int(t)}</text>')
    out.append(f'<text x="{_LEFT + pw / 2:.1f}" y="{_H - 12}" text-anchor="middle">epoch</text>')
    base_names = sorted({k.removeprefix("val_") for k in series}, key=lambda k: (k != "loss", k))
    color = {k: _COLORS[i % len(_COLORS)] for i, k in enumerate(base_names)}
    legend_y = _TOP + 8
    for k, pts in series.items():
        base = k.removeprefix("val_")
        dash = ' stroke-dasharray="6 4"' if k.startswith("val_") else ""
        coords = " ".join(f"{x(e):.1f},{y(v):.1f}" for e, v in pts)
        out.append(f'<polyline fill="none" stroke="{color[base]}" stroke-width="2"{dash} points="{coords}"/>')
        for e, v in pts if len(pts) == 1 else ():
            out.append(f'<circle cx="{x(e):.1f}" cy="{y(v):.1f}" r="3" fill="{color[base]}"/>')
        lx = _LEFT + pw + 14
        out.append(f'<line x1="{lx}" x2="{lx + 24}" y1="{legend_y}" y2="{legend_y}" stroke="{color[base]}" '
                   f'stroke-width="2"{dash}/>')
        out.append(f'<text x="{lx + 30}" y="{legend_y + 4}">{escape(k)}</text>')
        legend_y += 18
    out.append("</svg>")
    return "\n".join(out) + "\n"
