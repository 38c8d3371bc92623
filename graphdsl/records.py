"""`record`: a frozen dataclass that is cheap to define.

`@dataclass(frozen=True)` compiles four methods per class with `exec`; with some fifty classes on
the path of `graphdsl check`, that was a third of the command's start-up. A `record` lets the
dataclass machinery write only `__init__` (and the frozen `__setattr__`), and takes equality,
hashing and `repr` from `Record`, which reads the same field list (`compare=False` and
`repr=False` fields are honoured). Everything else -- `dataclasses.fields`, `replace`,
immutability -- is the standard library's.
"""

from __future__ import annotations

from dataclasses import dataclass


class Record:
    """Base of every `record`: field-wise equality, hash and repr."""

    __slots__ = ()

    def _key(self) -> tuple:
        cls = self.__class__
        names = cls.__dict__.get("_record_compare")
        if names is None:
            names = tuple(f.name for f in cls.__dataclass_fields__.values() if f.compare)
            cls._record_compare = names
        return tuple([getattr(self, n) for n in names])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()  # type: ignore[attr-defined]

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self) -> int:
        return hash((self.__class__.__name__, self._key()))

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{f.name}={getattr(self, f.name)!r}" for f in self.__dataclass_fields__.values() if f.repr
        )
        return f"{self.__class__.__qualname__}({shown})"


def record(cls=None, /, **options):
    """Like ``@dataclass(frozen=True)``; the class must derive from `Record`."""

    def wrap(c):
        return dataclass(c, frozen=True, eq=False, repr=False, **options)

    return wrap if cls is None else wrap(cls)
