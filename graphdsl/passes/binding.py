"""Binding the arguments of calls: a layer's constructor, a layer's call on several tensors (Keras's
double call) and a block's parameters. Each by position then keyword, as Python binds them, with
the same diagnostics: too many positional arguments (GD0107), an unknown name (GD0105, with "did
you mean"), one given twice (GD0108), one missing (GD0106), a value of the wrong kind (GD0109,
GD0110 for an activation).

The functions report through `reporter.error(code, message, span, labels, help)` and read
constants through `consts.get(name, UNKNOWN)`: the caller decides where diagnostics go (with the
frames of the block calls being expanded) and which names are visible.
"""

from __future__ import annotations

import re

from .. import catalog, ir
from ..catalog.types import LayerValue, ObjectValue
from ..diagnostics import Diagnostic, Label, Severity
from ..source import Span
from ..suggest import suggest
from .evaluate import UNKNOWN, evaluate, is_unknown

_SIGNATURES: dict[int, tuple] = {}


def signature(spec) -> tuple[tuple, dict, tuple[str, ...]]:
    """A layer's or merge's parameters arranged for binding: the positional ones, all by name, and
    the names of the required ones; worked out once per spec, not once per call."""
    cached = _SIGNATURES.get(id(spec))
    if cached is None or cached[0] is not spec:  # (a spec is kept in its entry: its id stays its own)
        if len(_SIGNATURES) > 4096:  # a catalog that makes specs afresh must not grow this forever
            _SIGNATURES.clear()
        params = spec.params
        cached = _SIGNATURES[id(spec)] = (
            spec,
            tuple(p for p in params if not getattr(p, "keyword_only", False)),
            {p.name: p for p in reversed(params)},  # the first of a name wins, as a scan would find it
            tuple(p.name for p in params if p.required),
        )
    return cached[1:]


def bind(st, spec, call: ir.Call, consts, keyword_only_all: bool = False) -> dict | None:
    """Bind a call's arguments to the spec's parameters and check each value.
    Returns the arguments by parameter name, or None when something was wrong (reported)."""
    bound: dict[str, object] = {}
    where: dict[str, Span] = {}
    ok = True
    positional, by_name, required = signature(spec)
    if keyword_only_all:
        positional = ()
    index = 0
    for arg in call.args:
        if arg.name is None:
            if index >= len(positional):
                names = ", ".join(p.name for p in positional) or "none"
                st.error(
                    "GD0107",
                    f"{spec.name} takes {len(positional)} positional argument{'s' if len(positional) != 1 else ''}"
                    f", but more are given",
                    arg.span,
                    help=f"its positional parameters are: {names}; give the others by keyword"
                    if positional else "give arguments by keyword, e.g. axis=-1",
                )
                ok = False
                break
            param = positional[index]
            index += 1
        else:
            param = by_name.get(arg.name.name)
            if param is None:
                names = [p.name for p in spec.params]
                hint = suggest(arg.name.name, names)
                old = catalog.old_argument(arg.name.name, frozenset(names))
                if arg.name.name == "name":
                    help_ = "Keras layer names come from the program (the output's name, the declared layer's name)"
                elif old is not None:
                    help_ = old
                else:
                    help_ = f"did you mean '{hint}'?" if hint else f"{spec.name} takes: {', '.join(names)}"
                st.error("GD0105", f"{spec.name} has no argument '{arg.name.name}'", arg.name.span, help=help_)
                ok = False
                continue
        if param.name in bound or param.name in where:
            st.error("GD0108", f"argument '{param.name}' of {spec.name} is given twice", arg.span,
                     labels=(Label(where[param.name], "first given here"),))
            ok = False
            continue
        where[param.name] = arg.span
        value = evaluate(arg.value, consts, st.diags, lambda c, p=param: call_value(st, c, p, consts))
        if is_unknown(value):
            ok = False
            bound[param.name] = UNKNOWN
            continue
        # Keras's own default is always acceptable, even for a parameter graphdsl otherwise refuses
        is_default = value == param.default and type(value) is type(param.default)
        message = None if is_default else param.kind.check(value)
        if message is not None:
            hint = _did_you_mean(message)
            if hint:
                message = message[: message.rindex("; did you mean")]
            if message.startswith("unknown activation"):
                st.error("GD0110", message, arg.value.span, help=hint)
            else:
                st.error("GD0109", f"{spec.name}({param.name}=...): {message}", arg.value.span, help=hint)
            ok = False
            continue
        bound[param.name] = value
    for name in required:
        if name not in where:
            st.error("GD0106", f"{spec.name} is missing its required argument '{name}'", call.span,
                     help=f"add it, e.g. {spec.name}({name}=...)")
            ok = False
    if ok and isinstance(spec, catalog.LayerSpec):
        advice = spec.advice(bound)
        if advice is not None:  # valid, but looks like a mistake (GD0129, a warning)
            st.diags.append(Diagnostic("GD0129", Severity.WARNING, advice[0], call.span, help=advice[1]))
    return bound if ok else None


def _did_you_mean(message: str) -> str | None:
    m = re.search(r"; (did you mean .*\?)$", message)
    return m.group(1) if m else None


def lookup_layer(st, callee: ir.Ident, also=None):
    """The catalog's layer called `callee`, or None (reported). `also(st)`: the program's blocks
    and `layer` declarations visible there, for "did you mean" (asked only for a mistake)."""
    spec = catalog.get_layer(callee.name)
    if spec is not None:
        return spec
    name = callee.name
    aliases = catalog.LAYER_ALIASES
    if name in aliases:
        st.error("GD0103", f"unknown layer '{name}'", callee.span,
                 help=f"graphdsl spells Keras's alias {name} as '{aliases[name]}'")
    elif name == "Lambda" or name in catalog.KNOWN_UNSUPPORTED:
        st.error("GD0104", f"{name} is a Keras layer that graphdsl does not support", callee.span,
                 help="graphdsl builds only layers it can check (and never runs code); "
                 "see the README's list of supported layers")
    elif catalog.get_merge(name) is not None:
        st.error("GD0115", f"'{name}' is a merge; a merge begins a chain", callee.span,
                 help=f"write: t = {name}(a, b) -> ...")
    elif name in catalog.MERGE_BY_KERAS_CLASS:  # Keras's habit: Concatenate()([a, b])
        merge = catalog.MERGE_BY_KERAS_CLASS[name]
        example = f"{merge}(a, b, axis=-1)" if merge == "concat" else f"{merge}(a, b)"
        st.error("GD0103", f"unknown layer '{name}': Keras's merge layer is written as a function in graphdsl",
                 callee.span, help=f"write {example}, naming the tensors it merges, at the head of a chain")
    else:
        user = also(st) if also is not None else ()
        hint = suggest(name, [*catalog.LAYERS, *user])
        st.error("GD0103", f"unknown layer '{name}'" if not user else f"unknown layer or block '{name}'",
                 callee.span, help=f"did you mean '{hint}'?" if hint else None)
    return None


def call_value(st, call: ir.Call, param, consts):
    """An argument written as a call: a layer (``Bidirectional(LSTM(8))``) or a Keras object
    (``kernel_regularizer=L2(1e-4)``), as the parameter's kind expects."""
    from ..catalog.objects import find_object, get_object, object_names  # noqa: PLC0415 - few programs need them

    family = param.kind.family
    name = call.callee.name
    if family in ("initializer", "regularizer", "constraint"):
        spec = get_object(family, name)
        if spec is None:
            other = find_object(name)
            if other is not None:
                st.error("GD0109", f"{name} is {_article(other.family)} {other.family}, but '{param.name}' takes "
                         f"{_article(family)} {family}", call.callee.span,
                         help="classes: " + ", ".join(object_names(family)))
            elif catalog.get_layer(name) is not None:
                st.error("GD0109", f"{name} is a layer, but '{param.name}' takes {_article(family)} {family}",
                         call.callee.span, help="classes: " + ", ".join(object_names(family)))
            else:
                hint = suggest(name, object_names(family))
                st.error("GD0122", f"unknown {family} class '{name}'", call.callee.span,
                         help=f"did you mean '{hint}'?" if hint else "classes: " + ", ".join(object_names(family)))
            return UNKNOWN
        args = bind(st, spec, call, consts)
        return UNKNOWN if args is None else ObjectValue(spec, args)
    if family is None and catalog.get_layer(name) is None:
        spec = find_object(name)
        if spec is not None:  # the kind check then says what was expected instead
            args = bind(st, spec, call, consts)
            return UNKNOWN if args is None else ObjectValue(spec, args)
    spec = lookup_layer(st, call.callee)
    if spec is None:
        return UNKNOWN
    args = bind(st, spec, call, consts)
    if args is None:
        return UNKNOWN
    return LayerValue(spec, args)


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def bind_positions(st, what: str, names: list[str], args, skip: int) -> dict | None:
    """Match arguments to parameter names by position (after `skip` filled ones) then keyword:
    {name: Arg}, or None when a mistake was reported. `what` names the callee in messages."""
    given: dict[str, ir.Arg] = {}
    ok = True
    position = skip
    for arg in args:
        if arg.name is None:
            if position >= len(names):
                free = names[skip:]
                which = "its parameters after the chain's tensor" if skip else "its parameters"
                st.error("GD0107", f"{what} takes {len(free)} argument{'s' if len(free) != 1 else ''} here, "
                         "but more are given", arg.span, help=f"{which}: {', '.join(free) or 'none'}")
                ok = False
                break
            pname = names[position]
            position += 1
        else:
            pname = arg.name.name
            if pname not in names:
                hint = suggest(pname, names)
                st.error("GD0105", f"{what} has no parameter '{pname}'", arg.name.span,
                         help=f"did you mean '{hint}'?" if hint else f"its parameters: {', '.join(names)}")
                ok = False
                continue
            if names.index(pname) < skip:
                st.error("GD0108", f"parameter '{pname}' of {what} is given twice", arg.span,
                         help="a chain's tensor fills the first parameter: x -> f(...) is f(x, ...)")
                ok = False
                continue
        if pname in given:
            st.error("GD0108", f"parameter '{pname}' of {what} is given twice", arg.span,
                     labels=(Label(given[pname].span, "first given here"),))
            ok = False
            continue
        given[pname] = arg
    return given if ok else None
