"""Records behave as frozen dataclasses do: fields, defaults, equality, immutability, replace."""

import dataclasses

import pytest

from graphdsl import ir
from graphdsl.records import Record, record, replace
from graphdsl.source import Span


@record
class _Point(Record):
    x: int
    y: int = 0
    tags: tuple = dataclasses.field(default_factory=tuple)
    note: str = dataclasses.field(default="", compare=False, kw_only=True)


def test_init_defaults_and_keywords():
    p = _Point(1, note="n")
    assert (p.x, p.y, p.tags, p.note) == (1, 0, (), "n")
    assert _Point(x=1, y=2) == _Point(1, 2)
    with pytest.raises(TypeError):
        _Point()
    with pytest.raises(TypeError):
        _Point(1, 2, (), "too many")
    with pytest.raises(TypeError):
        _Point(1, z=3)


def test_frozen():
    p = _Point(1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.x = 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        del p.x


def test_equality_and_hash_ignore_compare_false_fields():
    assert _Point(1, note="a") == _Point(1, note="b")
    assert hash(_Point(1, note="a")) == hash(_Point(1, note="b"))
    assert _Point(1) != _Point(2)
    assert ir.Ref("x", span=Span(0, 1)) == ir.Ref("x", span=Span(5, 6))
    assert ir.Number(1) != ir.Number(1.0)


def test_repr_shows_fields():
    assert repr(_Point(1, 2)) == "_Point(x=1, y=2, tags=(), note='')"


def test_replace_and_dataclasses_functions():
    p = _Point(1, 2)
    assert replace(p, y=5) == _Point(1, 5)
    assert dataclasses.replace(p, y=5) == _Point(1, 5)
    assert dataclasses.is_dataclass(p)
    assert [f.name for f in dataclasses.fields(p)] == ["x", "y", "tags", "note"]
    assert dataclasses.asdict(ir.Ident("a", span=Span(0, 1))) == {"name": "a", "span": {"start": 0, "end": 1}}


@record(slots=True)
class _Slotted(Record):
    a: int
    b: list = dataclasses.field(default_factory=list)
    c: str = dataclasses.field(default="c", kw_only=True)

    def __post_init__(self) -> None:
        if self.a < 0:
            raise ValueError("a must not be negative")


@record(slots=True)
class _SameShape(Record):
    x: int
    y: tuple = dataclasses.field(default_factory=tuple)
    z: str = dataclasses.field(default="z", kw_only=True)


def test_slotted_records_share_compiled_code_but_keep_their_own_signatures():
    import inspect

    s = _Slotted(1, c="k")
    t = _SameShape(x=2, y=(3,))
    assert (s.a, s.b, s.c) == (1, [], "k") and (t.x, t.y, t.z) == (2, (3,), "z")
    assert str(inspect.signature(_Slotted.__init__)) == "(self, a, b=MISSING, *, c='c')"
    assert str(inspect.signature(_SameShape.__init__)) == "(self, x, y=MISSING, *, z='z')"
    assert _Slotted(1).b is not _Slotted(1).b  # a fresh default each time
    assert not hasattr(s, "__dict__")
    with pytest.raises(ValueError):
        _Slotted(-1)
    with pytest.raises(TypeError):
        _SameShape(a=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.x = 5
    assert replace(t, z="w") == _SameShape(2, (3,), z="w") and replace(t, z="w").z == "w"
