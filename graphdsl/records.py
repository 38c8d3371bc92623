"""`record`: immutable value classes that cost nothing to define, and little to make.

`@dataclass(frozen=True)` compiles half a dozen methods per class with `exec` (and importing
`dataclasses` brings `inspect`); with some fifty classes on the path of `graphdsl check`, that was
a quarter of the command's start-up. A `record` is declared the same way -- annotated fields,
defaults, ``field(...)`` with `default_factory`, `compare=False`, `repr=False`, `kw_only=True`,
`init=False`, and an optional `__post_init__` -- but its `__init__`, equality, hash and `repr` are
shared methods of `Record` that read a field table built once per class. Each class compiles its
own `__init__` on first use, so only the classes a run makes pay for it. Instances are frozen
(assignment raises `dataclasses.FrozenInstanceError`); `replace(obj, **changes)` makes a changed
copy; `dataclasses.fields`, `dataclasses.replace` and `dataclasses.asdict` work on records too
(their field table is made on first use).

``field`` is this module's (``dataclasses.field`` is accepted too). With ``@record(slots=True)``
a record keeps its fields in slots instead of a dictionary: a third of the memory, and made as
fast -- for the IR and the graph, of which a large program makes millions.

This module does not import `dataclasses`; only the functions above, or an error, do.
"""

from __future__ import annotations

import sys


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()


class _Field:
    """A field's options, as `dataclasses.field` takes them."""

    __slots__ = ("default", "default_factory", "init", "repr", "compare", "kw_only")

    def __init__(self, default, default_factory, init, repr, compare, kw_only):  # noqa: A002 - dataclasses' names
        self.default = default
        self.default_factory = default_factory
        self.init = init
        self.repr = repr
        self.compare = compare
        self.kw_only = kw_only


def field(*, default=MISSING, default_factory=MISSING, init: bool = True, repr: bool = True,  # noqa: A002
          compare: bool = True, kw_only: bool = False) -> object:
    """A field with options, for a record's class body (as `dataclasses.field`)."""
    return _Field(default, default_factory, init, repr, compare, kw_only)


def _options(value: object) -> _Field | None:
    """The options of a field declared with `field(...)` (ours or dataclasses'), else None."""
    if type(value) is _Field:
        return value
    dataclasses = sys.modules.get("dataclasses")
    if dataclasses is not None and isinstance(value, dataclasses.Field):
        def ours(v):
            return MISSING if v is dataclasses.MISSING else v

        kw_only = value.kw_only is True
        return _Field(ours(value.default), ours(value.default_factory), value.init, value.repr, value.compare, kw_only)
    return None


class _DataclassFields:
    """`__dataclass_fields__`, made on first use, so that `dataclasses` functions work on records."""

    def __get__(self, obj, cls):
        table = cls.__dict__.get("_record_dataclass_fields")
        if table is None:
            import dataclasses  # noqa: PLC0415

            table = {}
            for name, options, annotation in cls._record_specs:
                kwargs = dict(init=options.init, repr=options.repr, compare=options.compare,
                              kw_only=options.kw_only)
                if options.default is not MISSING:
                    kwargs["default"] = options.default
                if options.default_factory is not MISSING:
                    kwargs["default_factory"] = options.default_factory
                spec = dataclasses.field(**kwargs)
                spec.name = name
                spec.type = annotation
                spec._field_type = dataclasses._FIELD  # type: ignore[attr-defined] # the marker of a plain field
                table[name] = spec
            type.__setattr__(cls, "_record_dataclass_fields", table)
        return table


class Record:
    """Base of every `record`: keyword/positional `__init__`, field-wise equality, hash and repr."""

    __slots__ = ()
    # per class, set by `record`: every field (name, options, annotation); positional names; all
    # init names in order; (name, default, factory) for fields with defaults; names compared;
    # names shown; whether __post_init__ exists
    _record_specs: tuple = ()
    _record_pos: tuple[str, ...] = ()
    _record_init: frozenset[str] = frozenset()
    _record_init_order: tuple[str, ...] = ()
    _record_defaults: tuple[tuple[str, object, object], ...] = ()
    _record_compare: tuple[str, ...] = ()
    _record_repr: tuple[str, ...] = ()
    _record_post: bool = False
    __dataclass_fields__ = _DataclassFields()

    def __init__(self, *args: object, **kwargs: object) -> None:
        # The first instance of a class compiles that class's own __init__ (a real signature that
        # stores straight into the fields); only the classes a run actually makes pay for it.
        cls = self.__class__
        type.__setattr__(cls, "__init__", _compile_init(cls))
        cls.__init__(self, *args, **kwargs)

    def __setattr__(self, name: str, value: object) -> None:
        from dataclasses import FrozenInstanceError  # noqa: PLC0415 - only a bug pays for it

        raise FrozenInstanceError(f"cannot assign to field '{name}'")

    def __delattr__(self, name: str) -> None:
        from dataclasses import FrozenInstanceError  # noqa: PLC0415

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
        return _make(c, slots)

    return wrap if cls is None else wrap(cls)


def _make(cls, slots: bool):
    specs: dict[str, tuple[str, _Field, object]] = {}
    for klass in reversed(cls.__mro__):
        for name, annotation in klass.__dict__.get("__annotations__", {}).items():
            if name.startswith("_record_"):
                continue
            value = klass.__dict__.get(name, MISSING)
            options = _options(value)
            if options is None:
                options = _Field(value, MISSING, True, True, True, False)
            specs[name] = (name, options, annotation)
    own = [name for name in cls.__dict__.get("__annotations__", {}) if name in specs]
    if slots:
        inherited = {s for klass in cls.__mro__[1:] for s in klass.__dict__.get("__slots__", ())}
        namespace = {k: v for k, v in cls.__dict__.items() if k not in own and k not in ("__dict__", "__weakref__")}
        namespace["__slots__"] = tuple(name for name in own if name not in inherited)
        qualname = cls.__qualname__
        cls = type(cls)(cls.__name__, cls.__bases__, namespace)
        cls.__qualname__ = qualname
    else:
        for name in own:  # leave a plain class attribute (or none) behind, as dataclass does
            _name, options, _annotation = specs[name]
            if name in cls.__dict__ and type(cls.__dict__[name]) is not _Field and _options(cls.__dict__[name]) is None:
                continue
            if options.default is MISSING:
                if name in cls.__dict__:
                    delattr(cls, name)
            else:
                setattr(cls, name, options.default)
    pos, init, defaults = [], [], []
    for name, options, _annotation in specs.values():
        if not options.init:
            continue
        init.append(name)
        if not options.kw_only:
            pos.append(name)
        if options.default is not MISSING or options.default_factory is not MISSING:
            defaults.append((name, options.default, options.default_factory))
    cls._record_specs = tuple(specs.values())
    cls._record_pos = tuple(pos)
    cls._record_init = frozenset(init)
    cls._record_init_order = tuple(init)
    cls._record_defaults = tuple(defaults)
    cls._record_compare = tuple(name for name, options, _a in specs.values() if options.compare)
    cls._record_repr = tuple(name for name, options, _a in specs.values() if options.repr)
    cls._record_post = hasattr(cls, "__post_init__")
    return cls


_TEMPLATES: dict[tuple, object] = {}  # an __init__'s shape -> its code, compiled once


def _compile_init(cls) -> object:
    """The class's own `__init__`: a real signature that stores straight into the fields.

    Its code is compiled once per *shape* (how many positional and keyword-only fields, which
    have a default factory, which live in slots, whether there is a `__post_init__`) with
    placeholder names, and each class with that shape gets a copy whose parameters are renamed
    to its fields (`CodeType.replace`): most records share a handful of shapes, and compiling is
    what start-up would otherwise pay for each class."""
    from types import FunctionType  # noqa: PLC0415 - already imported by the interpreter

    defaults = {name: (default, factory) for name, default, factory in cls._record_defaults}
    env: dict[str, object] = {"MISSING": MISSING}
    names, shape, positional_defaults, kw_defaults = [], [], [], {}
    for i, name in enumerate(cls._record_init_order):
        positional = name in cls._record_pos
        member = getattr(cls, name, None)  # a slot's descriptor, or a plain field's default
        slot = type(member).__name__ == "member_descriptor"
        env[f"_s{i}" if slot else f"_n{i}"] = member.__set__ if slot else name
        factory = False
        if name in defaults:
            default, made_by = defaults[name]
            if made_by is not MISSING:
                env[f"_f{i}"] = made_by
                factory, default = True, MISSING
            if positional:
                positional_defaults.append(default)
            else:
                kw_defaults[name] = default
        elif positional and positional_defaults:
            raise TypeError(f"{cls.__name__}: field {name!r} without a default follows one with a default")
        names.append(name)
        shape.append((positional, slot, factory))
    key = (tuple(shape), cls._record_post)
    code = _TEMPLATES.get(key)
    if code is None:
        code = _TEMPLATES[key] = _template(*key)
    renamed = {f"a{i}": name for i, name in enumerate(names)}
    code = code.replace(co_varnames=tuple(renamed.get(v, v) for v in code.co_varnames), co_name="__init__",
                        co_qualname=f"{cls.__qualname__}.__init__")
    init = FunctionType(code, env, "__init__")
    init.__defaults__ = tuple(positional_defaults) or None
    init.__kwdefaults__ = kw_defaults or None
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def _template(shape: tuple, post: bool):
    """The code of an `__init__` of this shape, with parameters a0, a1, ... (see _compile_init)."""
    params = [f"a{i}" for i, (positional, _slot, _factory) in enumerate(shape) if positional]
    kw_params = [f"a{i}" for i, (positional, _slot, _factory) in enumerate(shape) if not positional]
    body = []
    if any(not slot for _positional, slot, _factory in shape):
        body.append("__d = self.__dict__")
    for i, (_positional, slot, factory) in enumerate(shape):
        value = f"_f{i}() if a{i} is MISSING else a{i}" if factory else f"a{i}"
        body.append(f"_s{i}(self, {value})" if slot else f"__d[_n{i}] = {value}")
    if post:
        body.append("self.__post_init__()")
    signature = ", ".join(["self", *params, *(["*", *kw_params] if kw_params else [])])
    source = "\n    ".join([f"def __init__({signature}):", *(body or ["pass"])])
    env: dict[str, object] = {}
    exec(source, env)  # noqa: S102 - our own generated code, as dataclasses does
    return env["__init__"].__code__


def replace(obj: Record, **changes: object) -> Record:
    """A copy of record `obj` with some fields changed (like `dataclasses.replace`)."""
    cls = obj.__class__
    values = {n: getattr(obj, n) for n in cls._record_init}
    values.update(changes)
    return cls(**values)
