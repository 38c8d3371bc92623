"""Pictures of the graph: `graphdsl graph` as SVG (parsed), DOT, Mermaid and HTML, clusters of
block calls, and the command's exit codes. Nothing here imports TensorFlow."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import graphdsl
from graphdsl.cli import main
from graphdsl.graph import MathOp
from graphdsl.render import render
from graphdsl.render.model import build_picture, collapse_blocks

sys.path.insert(0, str(Path(__file__).resolve().parent / "pictures"))
from blocks import graph_with_blocks  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.gd"))
PICTURES = ROOT / "tests" / "pictures"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
SVG = "{http://www.w3.org/2000/svg}"
ENGINES = ["layered"] + (["graphviz"] if shutil.which("dot") else [])
GLYPH = 0.602  # DejaVu Sans Mono's advance in ems, measured independently of the renderer's constant


def _graph(path: Path):
    report, graph = graphdsl.api.analyze(path.read_text(), path.name)
    assert graph is not None, report.render()
    return graph


def _boxes(root) -> dict[str, tuple[float, float, float, float, list]]:
    out = {}
    for g in root.iter(f"{SVG}g"):
        if "node" not in g.get("class", "").split():
            continue
        rect = g.find(f"{SVG}rect")
        x, y, w, h = (float(rect.get(k)) for k in ("x", "y", "width", "height"))
        out[g.get("data-id")] = (x, y, x + w, y + h, g.findall(f"{SVG}text"))
    return out


def _overlap(a, b, slack: float = 0.5) -> bool:
    return a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack


def _drawn_layers(graph) -> set[str]:
    """What the picture draws as boxes: layers (an Identity only as an output) and tensor arithmetic."""
    outputs = {o.name for o in graph.outputs}
    layers = {name for name, layer in graph.layers.items() if layer.class_name != "Identity" or name in outputs}
    return layers | {f"op:{op.tensor}" for op in graph.ops if isinstance(op, MathOp)}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_svg_of_every_example_shows_every_layer_in_boxes_that_do_not_overlap(path, engine):
    graph = _graph(path)
    root = ET.fromstring(render(graph, "svg", engine=engine))
    assert root.get("data-layout") == engine
    boxes = _boxes(root)
    assert set(boxes) == _drawn_layers(graph) | {f"input:{i.name}" for i in graph.inputs}
    ids = sorted(boxes)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            assert not _overlap(boxes[a], boxes[b]), f"{a} overlaps {b}"
    width, height = float(root.get("width")), float(root.get("height"))
    for nid, (x0, y0, x1, y1, texts) in boxes.items():
        assert 0 <= x0 and x1 <= width and 0 <= y0 and y1 <= height - 26, f"{nid} is outside the picture"
        assert texts, nid
        for t in texts:
            size = float(t.get("font-size"))
            est = len(t.text) * size * GLYPH
            cx, ty = float(t.get("x")), float(t.get("y"))
            assert x0 + 4 <= cx - est / 2 and cx + est / 2 <= x1 - 4, f"{t.text!r} does not fit its box"
            assert y0 + size * 0.7 <= ty <= y1 - 2, f"{t.text!r} is outside its box vertically"
    edges = [p for p in root.iter(f"{SVG}path") if p.get("class") == "edge"]
    picture = build_picture(graph)
    assert len(edges) == len(picture.edges)
    assert all(p.get("data-src") in boxes and p.get("data-dst") in boxes for p in edges)


def test_node_labels_carry_class_arguments_shape_params_and_output_loss():
    picture = build_picture(_graph(ROOT / "examples" / "social.gd"))
    by_id = {n.id: n for n in picture.nodes}
    conv = by_id["features_conv1d"]
    assert conv.title == 'Conv1D(128, 5, activation="relu")'
    assert conv.lines == ("(None, None, 128)", "163,968 params")
    age = by_id["age"]
    assert age.output and age.title == "output age"
    assert "loss mse, weight 0.25" in age.lines
    assert by_id["income"].lines[-1] == "metrics accuracy"
    assert by_id["input:posts"].lines == ("(None, None) int32",)


def test_a_shared_layer_is_drawn_once_with_each_use_numbered():
    graph = _graph(ROOT / "examples" / "two_tower.gd")
    picture = build_picture(graph)
    embed = [n for n in picture.nodes if n.id == "embed"]
    assert len(embed) == 1 and embed[0].uses == 2
    assert embed[0].lines[1:3] == ("#1 (None, 12, 64)", "#2 (None, 200, 64)")
    into = sorted((e.src, e.dst_use) for e in picture.edges if e.dst == "embed")
    assert into == [("input:document", 2), ("input:query", 1)]
    out_of = sorted((e.dst, e.src_use) for e in picture.edges if e.src == "embed")
    assert out_of == [("d_spatial_dropout1d", 2), ("encode", 1)]


def test_renaming_identity_is_not_drawn_and_its_edges_pass_through():
    text = "input x: float32[4]\ny = x\noutput z = y -> Dense(2) loss mse\n"
    picture = build_picture(graphdsl.api.analyze(text)[1])
    assert [n.id for n in picture.nodes] == ["input:x", "z"]
    assert [(e.src, e.dst) for e in picture.edges] == [("input:x", "z")]


def test_an_output_ending_in_a_shared_layer_is_its_own_node():
    text = ("input a: float32[4]\ninput b: float32[4]\nlayer s = Dense(3)\n"
            "u = a -> s\noutput v = b -> s loss mse\noutput w = u -> Dense(1) loss mse\n")
    picture = build_picture(graphdsl.api.analyze(text)[1])
    v = next(n for n in picture.nodes if n.id == "v")
    assert v.output and v.title == "output v" and v.lines[0] == "(None, 3)"
    assert ("s", "v") in {(e.src, e.dst) for e in picture.edges}


@pytest.mark.parametrize("fmt,suffix", [("dot", ".dot"), ("mermaid", ".mmd")])
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_dot_and_mermaid_of_the_examples_match_their_golden_files(path, fmt, suffix):
    text = render(_graph(path), fmt)
    golden = PICTURES / f"{path.stem}{suffix}"
    if UPDATE:
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_graphviz_reads_our_dot(path):
    proc = subprocess.run(["dot", "-Tsvg"], input=render(_graph(path), "dot"), capture_output=True, text=True)
    assert proc.returncode == 0 and not proc.stderr, proc.stderr


def test_mermaid_quotes_every_label_and_declares_every_edge():
    picture = build_picture(_graph(ROOT / "examples" / "news.gd"))
    text = render(_graph(ROOT / "examples" / "news.gd"), "mermaid")
    lines = text.splitlines()
    assert lines[3] == "flowchart TB"
    assert sum(" --> " in line or " -->|" in line for line in lines) == len(picture.edges)
    assert 'activation=#quot;sigmoid#quot;' in text and 'activation="' not in text


# ---- block calls ----------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_block_calls_are_clusters_around_their_layers_and_nothing_else(engine):
    graph = graph_with_blocks()
    root = ET.fromstring(render(graph, "svg", engine=engine))
    boxes = _boxes(root)
    picture = build_picture(graph)
    members = {c.id: {n.id for n in picture.nodes if c.id in n.cluster} for c in picture.clusters}
    clusters = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "cluster":
            r = g.find(f"{SVG}rect")
            x, y, w, h = (float(r.get(k)) for k in ("x", "y", "width", "height"))
            clusters[g.get("data-id")] = (x, y, x + w, y + h)
    assert set(clusters) == {"residual_1", "stage2", "stage2_residual_1"}
    for cid, box in clusters.items():
        for nid, nb in boxes.items():
            if nid in members[cid]:
                assert box[0] <= nb[0] and nb[2] <= box[2] and box[1] <= nb[1] and nb[3] <= box[3], (cid, nid)
            else:
                assert not _overlap(box, nb), f"{nid} is inside cluster {cid}"
    assert all(not _overlap(boxes[a], boxes[b]) for a in boxes for b in boxes if a < b)
    inner, outer = clusters["stage2_residual_1"], clusters["stage2"]
    assert outer[0] < inner[0] and inner[2] < outer[2] and outer[1] < inner[1]


def test_block_calls_are_subgraphs_in_dot_and_mermaid():
    graph = graph_with_blocks()
    dot = render(graph, "dot")
    assert 'subgraph "cluster_stage2" {' in dot and 'subgraph "cluster_stage2_residual_1" {' in dot
    assert dot.index('"cluster_stage2" {') < dot.index('"cluster_stage2_residual_1" {') < dot.index('"r2_add"')
    mermaid = render(graph, "mermaid")
    assert 'subgraph c1 ["stage (stage2)"]' in mermaid and '["residual (stage2_residual_1)"]' in mermaid


def test_collapsed_block_call_is_one_node_with_its_block_inputs_and_outputs():
    picture = collapse_blocks(build_picture(graph_with_blocks()))
    blocks = [n for n in picture.nodes if n.kind == "block"]
    assert [n.title for n in blocks] == ["residual (residual_1)", "stage (stage2)"]
    first = blocks[0]
    assert first.lines == ("in  (None, 64)", "out (None, 64)", "5 layers, 8,448 params")
    assert first.params == 8448
    pairs = [(e.src, e.dst) for e in picture.edges]
    assert pairs == [("input:features", "h0_dense"), ("h0_dense", "block:residual_1"), ("block:residual_1", "block:stage2"),
                     ("block:stage2", "price")]
    assert picture.clusters == ()


def test_graph_command_collapses_blocks_on_request(tmp_path):
    graph = graph_with_blocks()
    full = ET.fromstring(render(graph, "svg", collapse_blocks=False))
    small = ET.fromstring(render(graph, "svg", collapse_blocks=True))
    assert len(_boxes(small)) == 5 < len(_boxes(full))


# ---- the command ---------------------------------------------------------------------------


def test_graph_writes_the_format_its_output_file_names(tmp_path, capsys):
    for name, first in (("m.svg", "<?xml"), ("m.dot", "digraph"), ("m.mmd", "---"), ("m.html", "<!DOCTYPE html>")):
        out = tmp_path / name
        assert main(["graph", str(ROOT / "examples" / "news.gd"), "-o", str(out)]) == 0
        assert out.read_text().startswith(first)
    assert capsys.readouterr().out == ""
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_graph_o_dash_is_standard_output_not_a_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["graph", str(ROOT / "examples" / "news.gd"), "--format", "mermaid", "-o", "-"]) == 0
    assert capsys.readouterr().out.startswith("---\ntitle:")
    assert list(tmp_path.iterdir()) == []


def test_graph_prints_to_standard_output_without_o(capsys):
    assert main(["graph", str(ROOT / "examples" / "news.gd"), "--format", "mermaid"]) == 0
    assert capsys.readouterr().out.splitlines()[3] == "flowchart TB"


def test_graph_of_a_program_with_errors_exits_1_with_diagnostics_and_writes_nothing(tmp_path, capsys):
    src = tmp_path / "bad.gd"
    src.write_text("input x: float32[4]\noutput y = x -> Dense(0) loss mse\n")
    out = tmp_path / "bad.svg"
    out.write_text("keep me")
    assert main(["graph", str(src), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "error[GD0109]" in err
    assert out.read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.gd", "bad.svg"]


@pytest.mark.parametrize("argv", [
    ["graph", "examples/news.gd", "--format", "png"],
    ["graph", "examples/news.gd", "--bogus"],
    ["graph", "no/such/file.gd"],
    ["graph", "examples/news.gd", "-o", "no/such/folder/out.svg"],
    ["graph", "examples/news.gd", "-o", "examples"],
    ["graph", "examples/news.gd", "-D", "nope"],
])
def test_graph_with_a_wrong_command_line_exits_2(argv, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    assert main(argv) == 2
    assert "error" in capsys.readouterr().err


def test_html_page_is_self_contained():
    page = render(_graph(ROOT / "examples" / "two_tower.gd"), "html")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "</html>" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page and "<script" not in page
    assert "embed" in page and "1,280,000" in page


def test_layered_layout_breaks_cycles_made_by_a_shared_layer():
    text = "input x: float32[8]\nlayer s = Dense(8)\noutput y = x -> s -> Dense(8) -> s loss mse\n"
    graph = graphdsl.api.analyze(text)[1]
    root = ET.fromstring(render(graph, "svg", engine="layered"))
    boxes = _boxes(root)
    assert len(boxes) == 4  # input, s, Dense, and the output
    assert all(not _overlap(boxes[a], boxes[b]) for a in boxes for b in boxes if a < b)


def test_graph_never_imports_tensorflow(tmp_path):
    code = (
        "import sys\nfrom graphdsl.cli import main\n"
        f"assert main(['graph', {str(ROOT / 'examples' / 'social.gd')!r}, '-o', {str(tmp_path / 'x.html')!r}]) == 0\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')]\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
