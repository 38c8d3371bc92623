"""The picture as one self-contained HTML page: the SVG inline, and the shapes table beside it.

No script, stylesheet or font is fetched from anywhere: the file can be mailed or archived.
"""

from __future__ import annotations

from html import escape

from .model import Picture


def to_html(picture: Picture, svg: str, rows: list[tuple[str, str, str, str]]) -> str:
    """A page with the drawing and a table of (tensor, shape, made by, params) rows."""
    body = "\n".join(
        f"<tr><td>{escape(t)}</td><td>{escape(s)}</td><td>{escape(m)}</td><td class=n>{escape(p)}</td></tr>"
        for t, s, m, p in rows
    )
    name = escape(picture.name)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="graphdsl graph">
<title>{name}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1.5rem; color: #263238; }}
h1 {{ font-size: 1.3rem; }}
.picture {{ overflow: auto; border: 1px solid #cfd8dc; border-radius: 6px; padding: .5rem; }}
.picture svg {{ max-width: 100%; height: auto; }}
table {{ border-collapse: collapse; margin-top: 1.5rem; font-family: 'DejaVu Sans Mono', Menlo, Consolas, monospace;
        font-size: .85rem; }}
td, th {{ border-bottom: 1px solid #eceff1; padding: .2rem .8rem; text-align: left; }}
td.n {{ text-align: right; }}
</style>
</head>
<body>
<h1>{name} <small>({picture.param_count:,} parameters)</small></h1>
<div class="picture">
{svg}</div>
<table>
<thead><tr><th>tensor</th><th>shape</th><th>made by</th><th>params</th></tr></thead>
<tbody>
{body}
</tbody>
</table>
</body>
</html>
"""
