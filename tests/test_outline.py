"""The outliner on imported graphs built by hand (no Keras): cuts, blocks, parameters, and the
promise that an outline expands back to the graph it came from."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from graphdsl.imported.model import ImportedModel, ModelInput, ModelOutput, Node, TRef
from graphdsl.imported.outline import Scaled, expand, flat, outline, segments


class Graph:
    """A little builder of imported graphs: layers on one tensor, merges, in model order."""

    def __init__(self):
        self.nodes: list[Node] = []
        self.next = 1
        self.names: dict[str, int] = {}

    def _name(self, base: str) -> str:
        n = self.names.get(base, 0)
        self.names[base] = n + 1
        return base if n == 0 else f"{base}_{n}"

    def layer(self, op: str, x: int, name: str, **args) -> int:
        out = self.next
        self.next += 1
        positional = 1 if op in ("Dense", "Conv2D") else 0
        name = self._name(name)
        self.nodes.append(Node("layer", op, tuple(args.items()), positional, (TRef(x),), (out,), name, name))
        return out

    def merge(self, op: str, xs: tuple[int, ...], name: str) -> int:
        out = self.next
        self.next += 1
        name = self._name(name)
        self.nodes.append(Node("merge", op, (), 0, tuple(TRef(x) for x in xs), (out,), name, name))
        return out

    def model(self, y: int) -> ImportedModel:
        return ImportedModel("m", (ModelInput(0, "x", "float32", (8, 8, 3)),), tuple(self.nodes),
                             (ModelOutput("y", y),))


def bottleneck(g: Graph, x: int, stage: int, block: int, filters: int, project: bool, strides: int = 1) -> int:
    p = f"conv{stage}_block{block}_"
    if project:
        s = g.layer("Conv2D", x, p + "0_conv", filters=4 * filters, kernel_size=1, strides=strides)
        s = g.layer("BatchNormalization", s, p + "0_bn", epsilon=1.001e-05)
    else:
        s = x
    y = g.layer("Conv2D", x, p + "1_conv", filters=filters, kernel_size=1, strides=strides)
    y = g.layer("BatchNormalization", y, p + "1_bn", epsilon=1.001e-05)
    y = g.layer("Activation", y, p + "1_relu", activation="relu")
    y = g.layer("Conv2D", y, p + "2_conv", filters=filters, kernel_size=3, padding="same")
    y = g.layer("BatchNormalization", y, p + "2_bn", epsilon=1.001e-05)
    y = g.layer("Activation", y, p + "2_relu", activation="relu")
    y = g.layer("Conv2D", y, p + "3_conv", filters=4 * filters, kernel_size=1)
    y = g.layer("BatchNormalization", y, p + "3_bn", epsilon=1.001e-05)
    y = g.merge("add", (s, y), p + "add")
    return g.layer("Activation", y, p + "out", activation="relu")


def resnet(blocks: tuple[int, ...]) -> ImportedModel:
    g = Graph()
    x = g.layer("Conv2D", 0, "conv1_conv", filters=64, kernel_size=7, strides=2)
    x = g.layer("Activation", x, "conv1_relu", activation="relu")
    for stage, (n, filters) in enumerate(zip(blocks, (64, 128, 256, 512), strict=False), start=2):
        for b in range(1, n + 1):
            x = bottleneck(g, x, stage, b, filters, project=b == 1, strides=1 if stage == 2 or b > 1 else 2)
    x = g.layer("GlobalAveragePooling2D", x, "avg_pool")
    return g.model(g.layer("Dense", x, "predictions", units=10, activation="softmax"))


def test_a_residual_block_is_one_segment_between_two_cuts():
    g = Graph()
    y = bottleneck(g, g.layer("Conv2D", 0, "stem", filters=8, kernel_size=3), 2, 1, 8, project=True)
    sizes = [len(s.nodes) for s in segments(g.model(y))]
    assert sizes == [1, 11, 1]  # the stem, the block up to its add, the activation after it


def test_bottlenecks_become_two_blocks_with_their_constants_as_parameters():
    m = resnet((3, 4, 6, 3))
    out = outline(m)
    assert [b.calls for b in out.blocks] == [12, 4]  # identity blocks, projection blocks
    identity, projection = out.blocks
    assert [p.name for p in identity.params] == ["filters"]
    assert [p.name for p in projection.params] == ["filters", "strides"]
    assert projection.params[1].values == (1, 2, 2, 2)
    # the last convolution's 4 * filters is written from the parameter, not as a second one
    assert any(isinstance(how, Scaled) and how.factor == 4 for how in identity.slots.values())
    calls = [it.call for it in out.items if it.call is not None]
    assert [c.values for c in calls if c.block is identity][:3] == [(64,), (64,), (128,)]
    assert len(out.items) == 2 + 16 + 2  # stem, the calls, the head
    assert expand(out) == flat(m)


def test_a_deeper_resnet_outlines_to_the_same_blocks():
    shallow, deep = outline(resnet((3, 4, 6, 3))), outline(resnet((3, 8, 36, 3)))
    assert [len(b.items) for b in deep.blocks] == [len(b.items) for b in shallow.blocks]
    assert [b.calls for b in deep.blocks] == [46, 4]


def test_a_run_of_single_layers_that_repeats_is_a_block_too():
    g = Graph()
    x = g.layer("Conv2D", 0, "stem", filters=8, kernel_size=3)
    for i, filters in enumerate((16, 32, 64)):
        p = f"pool{i}_"
        x = g.layer("BatchNormalization", x, p + "bn")
        x = g.layer("Activation", x, p + "relu", activation="relu")
        x = g.layer("Conv2D", x, p + "conv", filters=filters, kernel_size=1)
        x = g.layer("AveragePooling2D", x, p + "pool", pool_size=2)
    m = g.model(x)
    out = outline(m)
    assert [(b.name, b.calls, len(b.items), [p.name for p in b.params]) for b in out.blocks] == [
        ("pool", 3, 4, ["filters"])]
    assert expand(out) == flat(m)


def test_a_piece_that_occurs_once_is_not_outlined():
    g = Graph()
    y = bottleneck(g, g.layer("Conv2D", 0, "stem", filters=8, kernel_size=3), 2, 1, 8, project=True)
    assert outline(g.model(y)).blocks == []


@given(st.lists(st.tuples(st.sampled_from(["identity", "projection", "dense"]), st.sampled_from([8, 16, 32])),
                min_size=1, max_size=12))
def test_an_outline_expands_back_to_its_graph(units):
    g = Graph()
    x = g.layer("Conv2D", 0, "stem", filters=8, kernel_size=3)
    for i, (kind, filters) in enumerate(units):
        if kind == "dense":
            x = g.layer("Dense", x, f"d{i}", units=filters)
        else:
            x = bottleneck(g, x, 2, i, filters, project=kind == "projection", strides=1 + (filters == 32))
    m = g.model(x)
    out = outline(m)
    assert expand(out) == flat(m)
    assert all(b.calls >= 2 for b in out.blocks)
