"""How the pictures look: colours per kind of node, the font, and how big a box its text needs.

Labels use a monospace font, so a line's width is its length times the font's advance; the sizes
here are what the layout reserves and what the SVG test checks the text against.
"""

from __future__ import annotations

from ..records import Record, record

FONT_NAME = "DejaVu Sans Mono"
FONT_FAMILY = "'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', monospace"
TITLE_SIZE = 12.0
LINE_SIZE = 11.0
ADVANCE = 0.61  # a monospace glyph's advance, in ems (DejaVu Sans Mono: 0.602, bold alike)
PAD_X = 12.0
PAD_Y = 7.0
TITLE_HEIGHT = 16.0
LINE_HEIGHT = 14.0


@record
class NodeStyle(Record):
    fill: str
    stroke: str
    radius: float


KIND_STYLE = {
    "input": NodeStyle("#e3f2fd", "#1e88e5", 14.0),
    "layer": NodeStyle("#ffffff", "#78909c", 4.0),
    "merge": NodeStyle("#fff8e1", "#f9a825", 12.0),
    "output": NodeStyle("#e8f5e9", "#43a047", 4.0),
    "block": NodeStyle("#eceff1", "#455a64", 4.0),
}
SHARED_STYLE = NodeStyle("#f3e5f5", "#8e24aa", 4.0)


def style_of(node) -> NodeStyle:
    if node.output:
        return KIND_STYLE["output"]
    if node.uses > 1 or node.title.startswith(f"{node.id} = "):
        return SHARED_STYLE
    return KIND_STYLE[node.kind]


def text_width(text: str, size: float) -> float:
    """The width of `text` at font size `size` in the monospace label font."""
    return len(text) * size * ADVANCE


def node_size(node) -> tuple[float, float]:
    """The box a node's label needs: its widest line plus padding, its lines plus padding."""
    width = max([text_width(node.title, TITLE_SIZE)] + [text_width(line, LINE_SIZE) for line in node.lines])
    height = TITLE_HEIGHT + LINE_HEIGHT * len(node.lines)
    return round(width + 2 * PAD_X, 1), round(height + 2 * PAD_Y, 1)
