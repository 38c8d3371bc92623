"""The smallest size each `?` dimension accepts, found from the catalog's shape rules.

The answers are checked against the rules themselves (the size is accepted, one less is refused,
larger sizes are accepted); `tests/keras/test_train.py` checks them against Keras's own layers.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given

import graphdsl
from graphdsl.cli import main
from graphdsl.passes.minlen import MinSize, downstream, infer_with, min_sizes
from graphdsl.testing import programs

ROOT = Path(__file__).resolve().parent.parent
SOCIAL = (ROOT / "examples" / "social.gd").read_text()


def graph_of(text: str):
    report = graphdsl.check(text)
    assert report.ok, report.render()
    return report.graph


def sized(shape: tuple, axis: int, n: int) -> tuple:
    dims = list(shape)
    dims[axis - 1] = n
    return tuple(dims)


def test_social_posts_need_269_steps_and_268_are_refused_at_the_last_convolution():
    graph = graph_of(SOCIAL)
    assert min_sizes(graph) == (MinSize("posts", 1, 269),)
    types, refusal = infer_with(graph, {"posts": (269,)})
    assert refusal is None
    assert types["features/8"].shape == (1, 256)  # one step left after the last convolution
    _types, refusal = infer_with(graph, {"posts": (268,)})
    assert refusal is not None
    assert refusal.op.tensor == "features/8"
    assert "Conv1D(kernel_size=5) needs at least 5 steps" in refusal.message


def test_each_unknown_axis_has_its_own_minimum():
    graph = graph_of(
        "input image: float32[?, ?, 3]\n"
        "h = image -> Conv2D(4, (3, 5)) -> MaxPooling2D((2, 3)) -> GlobalMaxPooling2D()\n"
        "output y = h -> Dense(1) loss mse\n"
    )
    assert min_sizes(graph) == (MinSize("image", 1, 4), MinSize("image", 2, 7))
    assert infer_with(graph, {"image": (4, 7, 3)})[1] is None
    assert infer_with(graph, {"image": (3, 7, 3)})[1] is not None
    assert infer_with(graph, {"image": (4, 6, 3)})[1] is not None


def test_inputs_without_unknown_sizes_or_layers_that_need_none_report_nothing_or_one():
    assert min_sizes(graph_of("input x: float32[8]\noutput y = x -> Dense(1) loss mse\n")) == ()
    graph = graph_of("input t: int32[?]\noutput y = t -> Embedding(10, 4) -> GlobalMaxPooling1D() -> Dense(1) loss mse\n")
    assert min_sizes(graph) == (MinSize("t", 1, 1),)


def test_a_same_padded_convolution_takes_any_length_but_a_valid_one_does_not():
    same = graph_of("input t: int32[?]\noutput y = t -> Embedding(9, 2) -> Conv1D(2, 7, padding=\"same\")"
                    " -> GlobalMaxPooling1D() -> Dense(1) loss mse\n")
    valid = graph_of("input t: int32[?]\noutput y = t -> Embedding(9, 2) -> Conv1D(2, 7, dilation_rate=3)"
                     " -> GlobalMaxPooling1D() -> Dense(1) loss mse\n")
    assert min_sizes(same) == (MinSize("t", 1, 1),)
    assert min_sizes(valid) == (MinSize("t", 1, 19),)  # 3 * (7 - 1) + 1


def test_a_rule_that_wants_one_exact_size_is_found_by_the_scan():
    graph = graph_of("input x: float32[?, 4]\noutput y = x -> Reshape((5, 4)) -> Flatten() -> Dense(1) loss mse\n")
    assert min_sizes(graph) == (MinSize("x", 1, 5),)
    assert infer_with(graph, {"x": (6, 4)})[1] is not None  # not monotone: 6 is refused


def test_the_other_inputs_stay_unknown_while_one_is_searched():
    graph = graph_of(
        "input a: int32[?]\ninput b: int32[?]\n"
        "ea = a -> Embedding(9, 4) -> Conv1D(4, 3)\n"
        "eb = b -> Embedding(9, 4) -> Conv1D(4, 5)\n"
        "output y = concat(ea, eb, axis=1) -> GlobalMaxPooling1D() -> Dense(1) loss mse\n"
    )
    assert min_sizes(graph) == (MinSize("a", 1, 3), MinSize("b", 1, 5))
    assert [op.tensor for op in downstream(graph, ["a"])][:2] == ["ea/1", "ea"]


def test_the_report_and_check_shapes_give_the_minimum(capsys, monkeypatch):
    report = graphdsl.check(SOCIAL)
    assert report.min_sizes == {"posts": {1: 269}}
    assert graphdsl.check("input x: float32[?]\n").min_sizes == {}  # no graph: nothing to say
    monkeypatch.chdir(ROOT)
    assert main(["check", "--shapes", "examples/social.gd"]) == 0
    out = capsys.readouterr().out
    assert "Total params: 14,146,316\n" in out
    assert out.endswith("\nMinimum size of each ? dimension:\n  posts (axis 1): 269\n\n")
    assert main(["check", "--shapes", "examples/news.gd"]) == 0
    assert "Minimum size" not in capsys.readouterr().out


@given(programs(max_inputs=2, max_outputs=2, max_depth=5))
def test_every_minimum_is_accepted_and_one_less_is_refused(text):
    graph = graph_of(text)
    for m in min_sizes(graph):
        inp = next(i for i in graph.inputs if i.name == m.input)

        def accepts(n: int, m: MinSize = m, shape: tuple = inp.type.shape) -> bool:
            return infer_with(graph, {m.input: sized(shape, m.axis, n)})[1] is None

        if m.size is None:  # e.g. concat(x, ZeroPadding1D(1)(x)): no length fits both
            assert not any(accepts(n) for n in (1, 2, 3, 5, 64, 269, 1000)), (text, m)
            continue
        assert accepts(m.size), (text, m)
        assert m.size == 1 or not accepts(m.size - 1), (text, m)
        # Monotone unless a rule compares sizes (a merge) or wants one exact size (Reshape).
        exact = any(op.merge or graph.layers[op.layer].class_name == "Reshape"
                    for op in downstream(graph, [m.input]))
        if not exact:
            assert all(accepts(n) for n in (m.size + 1, m.size + 7, 2 * m.size + 3)), (text, m)
