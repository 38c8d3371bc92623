"""`record`: immutable value classes that cost nothing to define.

`@dataclass(frozen=True)` compiles half a dozen methods per class with `exec`; with some fifty
classes on the path of `graphdsl check`, that was a quarter of the command's start-up. A `record`
is declared the same way -- annotated fields, defaults, `dataclasses.field(...)` with
`default_factory`, `compare=False`, `repr=False`, `kw_only=True`, `init=False`, and an optional
`__post_init__` -- but its `__init__`, equality, hash and `repr` are shared methods of `Record`
that read a field table built once per class. Instances are frozen (assignment raises
`dataclasses.FrozenInstanceError`); `replace(obj, **changes)` makes a changed copy, and
`dataclasses.fields`, `dataclasses.replace` and `dataclasses.asdict` work on records too.

Records with `slots=True` (`Span`, made a hundred thousand times a file) stay real dataclasses.
"""

from __future__ import annotations

import dataclasses
from dataclasses import MISSING, Field, FrozenInstanceError, dataclass, field


class Record:
    """Base of every `record`: keyword/positional `__init__`, field-wise equality, hash and repr."""

    __slots__ = ()
    # per class, set by `record`: positional names, all init names, (name, default, factory)
    # for fields with defaults, names compared, names shown, whether __post_init__ exists
    _record_pos: tuple[str, ...] = ()
    _record_init: frozenset[str] = frozenset()
    _record_init_order: tuple[str, ...] = ()
    _record_defaults: tuple[tuple[str, object, object], ...] = ()
    _record_compare: tuple[str, ...] = ()
    _record_repr: tuple[str, ...] = ()
    _record_post: bool = False

    def __init__(self, *args: object, **kwargs: object) -> None:
        # The first instance of a class compiles that class's own __init__ (a real signature that
        # stores straight into __dict__); only the classes a run actually makes pay for it.
        cls = self.__class__
        cls.__init__ = _compile_init(cls)
        cls.__init__(self, *args, **kwargs)

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field '{name}'")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field '{name}'")

    def _key(self) -> tuple:
        return tuple([getattr(self, n) for n in self.__class__._record_compare])

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
        shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__class__._record_repr)
        return f"{self.__class__.__qualname__}({shown})"


def record(cls=None, /, *, slots: bool = False):
    """Make `cls` (a subclass of `Record`) a record; see the module docstring."""

    def wrap(c):
        if slots:  # a real dataclass: slots need the class rebuilt, which dataclass does
            c = dataclass(c, frozen=True, eq=False, repr=False, slots=True)
            fields = c.__dataclass_fields__.values()
            c._record_compare = tuple(f.name for f in fields if f.compare)
            c._record_repr = tuple(f.name for f in fields if f.repr)
            return c
        return _make(c)

    return wrap if cls is None else wrap(cls)


def _make(cls):
    pos, init, defaults, compare, shown = [], [], [], [], []
    fields: dict[str, Field] = {}
    for klass in reversed(cls.__mro__):
        for name, annotation in klass.__dict__.get("__annotations__", {}).items():
            if name.startswith("_record_"):
                continue
            value = klass.__dict__.get(name, MISSING)
            spec = value if isinstance(value, Field) else None
            fields[name] = _described(spec if spec is not None else field(default=value), name, annotation)
            default = spec.default if spec else value
            factory = spec.default_factory if spec else MISSING
            if spec is not None:  # leave a plain class attribute (or none) behind, as dataclass does
                if default is MISSING:
                    delattr(klass, name)
                else:
                    setattr(klass, name, default)
            takes_init = spec.init if spec else True
            if name in init:
                continue
            if takes_init:
                init.append(name)
                kw_only = spec is not None and spec.kw_only is True
                if not kw_only:
                    pos.append(name)
                if default is not MISSING or factory is not MISSING:
                    defaults.append((name, default, factory))
            if spec is None or spec.compare:
                compare.append(name)
            if spec is None or spec.repr:
                shown.append(name)
    cls._record_pos = tuple(pos)
    cls._record_init = frozenset(init)
    cls._record_init_order = tuple(init)
    cls._record_defaults = tuple(defaults)
    cls._record_compare = tuple(compare)
    cls._record_repr = tuple(shown)
    cls._record_post = hasattr(cls, "__post_init__")
    if _FIELD is not None:  # so dataclasses.fields, replace and asdict work on records too
        cls.__dataclass_fields__ = fields
    return cls


# The marker dataclasses puts on an ordinary field (a private name, stable since Python 3.7);
# without it records still work, only dataclasses' functions do not recognise them.
_FIELD = getattr(dataclasses, "_FIELD", None)


def _described(spec: Field, name: str, annotation: object) -> Field:
    spec.name = name
    spec.type = annotation
    spec._field_type = _FIELD  # type: ignore[attr-defined]
    return spec


def _compile_init(cls) -> object:
    defaults = {name: (default, factory) for name, default, factory in cls._record_defaults}
    env: dict[str, object] = {"MISSING": MISSING}
    params, kw_params, body = [], [], []
    for name in cls._record_init_order:
        if name in defaults:
            default, factory = defaults[name]
            if factory is not MISSING:
                env[f"_factory_{name}"] = factory
                spec = f"{name}=MISSING"
                body.append(f"d[{name!r}] = _factory_{name}() if {name} is MISSING else {name}")
            else:
                env[f"_default_{name}"] = default
                spec = f"{name}=_default_{name}"
                body.append(f"d[{name!r}] = {name}")
        else:
            spec = name
            body.append(f"d[{name!r}] = {name}")
        (params if name in cls._record_pos else kw_params).append(spec)
    signature = ", ".join(["self", *params, *(["*", *kw_params] if kw_params else [])])
    lines = [f"def __init__({signature}):", "    d = self.__dict__", *("    " + b for b in body)]
    if cls._record_post:
        lines.append("    self.__post_init__()")
    exec("\n".join(lines), env)  # noqa: S102 - our own generated code, as dataclasses does
    init = env["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def replace(obj: Record, **changes: object) -> Record:
    """A copy of record `obj` with some fields changed (like `dataclasses.replace`)."""
    cls = obj.__class__
    values = {n: getattr(obj, n) for n in cls._record_init}
    values.update(changes)
    return cls(**values)
