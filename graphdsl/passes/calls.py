"""Layers on several tensors: Keras's double call ``MultiHeadAttention(num_heads=4, key_dim=16)(x, x)``,
``LSTM(64)(emb, initial_state=[h, c])``, and a `layer` declaration called with its tensors.

The call's arguments are bound to the layer's call signature (the catalog's `call_params`): tensors
by position or keyword, lists of tensors as lists, constants checked by their kind, refused
parameters (``training=``) refused; then the catalog's rule gives every output's type and the
weights. The `ApplyOp` keeps the arguments as written (`CallArg`), so lowering makes the very call
a Keras user writes. Imported only by programs that call layers this way.
"""

from __future__ import annotations

from .. import catalog, ir
from ..catalog.types import ShapeError, TensorType, fmt_shape
from ..diagnostics import Label
from ..graph import ApplyOp, CallArg, Layer
from ..source import Span
from ..suggest import suggest
from .binding import bind, lookup_layer
from .chains import Env, Shared, State, layer_base, shared_count, snake
from .evaluate import UNKNOWN, evaluate, is_unknown


def double_call(st: State, env: Env, base: str, tbase: str, dc: ir.DoubleCall, finals):
    callee = dc.call.callee
    name = callee.name
    if env.layer(name, st) is not False or env.block(name, st) is not None:
        what = "a layer declaration" if env.layer(name, st) is not False else "a block"
        st.error("GD0115", f"'{name}' is {what}: call it once, with its tensors", dc.span,
                 help=f"write: {name}(a, b, ...)")
        return None
    if env.user_name(name, st):
        return None
    if catalog.get_merge(name) is not None and catalog.get_layer(name) is None:
        st.error("GD0115", f"'{name}' is a merge: it takes its tensors in one call", dc.span,
                 help=f"write: {name}(a, b)")
        return None
    spec = lookup_layer(st, callee, env.visible_callables)
    args = bind(st, spec, dc.call, env.consts) if spec is not None else None
    if spec is None:
        return None
    return apply_call(st, env, base, tbase, spec, args, dc.args, dc.span, finals)


def apply_call(st: State, env: Env, base: str, tbase: str, spec, args, call_args, span: Span, finals,
               shared: Shared | None = None, decl: str = ""):
    """A layer applied to the tensors (and call constants) of `call_args`, bound to its call
    signature: a double call, or a `layer` declaration called with its tensors."""
    bound = bind_call(st, env, spec, call_args, span)
    if bound is None or args is None or st.halted:
        return None
    mapping, written, inputs, first = bound
    try:
        outs = spec.outputs(args, mapping)
        count = spec.count(args, mapping)
    except ShapeError as err:
        where = next((a.span for a in call_args if a.name is not None and a.name.name == err.call_arg), span)
        first_shape = f"{fmt_shape(first)} {first.dtype}" if first is not None else ""
        st.error("GD0201", err.message, where, help=f"its first input is {first_shape}" if first_shape else None)
        return None
    except Exception as err:  # a bug in a catalog rule must not become a traceback
        st.error("GD0999", f"internal error in the {spec.name} rule: {type(err).__name__}: {err}", span)
        return None
    outs = tuple(st.pooled(t) for t in outs)
    if finals is not None and len(finals) == len(outs):
        ids = list(finals)
    elif len(outs) == 1:
        ids = [finals[0] if finals is not None else f"{tbase}/0"]
    else:
        ids = [f"{tbase}/0.{k}" for k in range(len(outs))]
    frames = st.calls
    if shared is not None:
        if not shared_count(st, shared, count, first, decl, span):
            return None
        layer_name = shared.name
    else:
        layer_name = st.unique(f"{layer_base(env, base)}_{snake(spec.name)}")
    more = tuple(zip(ids[1:], outs[1:], strict=True))
    if not st.add_op(ApplyOp(ids[0], layer_name, inputs, outs[0], span, calls=frames, call=written, more=more)):
        return None
    if shared is None:
        st.layers[layer_name] = Layer(layer_name, spec.name, args, span, count, calls=frames)
    return list(zip(ids, outs, strict=True))


def bind_call(st: State, env: Env, spec, call_args, span: Span):
    """Bind the tensors and constants of a layer's call (``(q, v)``, ``(emb, initial_state=[h, c])``)
    to its call signature. Returns (mapping for the catalog's rules, the `CallArg`s as written,
    the input tensor ids in order, the first input's type), or None (reported, or unknown)."""
    params = spec.call_params
    by_name = {p.name: p for p in params}
    mapping: dict[str, object] = {}
    written: list[CallArg] = []
    inputs: list[str] = []
    where: dict[str, Span] = {}
    ok = True
    unknown = False
    position = 0
    for arg in call_args:
        if arg.name is None:
            if position >= len(params):
                st.error("GD0107", f"{spec.name}(...) takes {len(params)} call argument{'s' if len(params) != 1 else ''}"
                         ", but more are given", arg.span,
                         help="its call takes: " + ", ".join(p.name for p in params))
                return None
            p = params[position]
            position += 1
        else:
            p = by_name.get(arg.name.name)
            if p is None:
                hint = suggest(arg.name.name, list(by_name))
                st.error("GD0105", f"{spec.name}(...) has no call argument '{arg.name.name}'", arg.name.span,
                         help=f"did you mean '{hint}'?" if hint else "its call takes: " + ", ".join(by_name))
                ok = False
                continue
        if p.name in where:
            st.error("GD0108", f"call argument '{p.name}' of {spec.name} is given twice", arg.span,
                     labels=(Label(where[p.name], "first given here"),))
            ok = False
            continue
        where[p.name] = arg.span
        what = p.kind.what
        value = arg.value
        if what == "refused":
            st.error("GD0109", p.kind.reason, arg.span)
            ok = False
        elif what == "tensor":
            t = _tensor_arg(st, env, spec, p.name, value, arg.span)
            if t is False:
                ok = False
            elif t is None:
                unknown = True
            else:
                mapping[p.name] = t[1]
                inputs.append(t[0])
                written.append(CallArg(p.name, arg.name is None, (t[0],)))
        elif what == "tensors":
            if type(value) is not ir.ListLit:
                st.error("GD0109", f"{spec.name}(...)({p.name}=...) is a list of tensors, e.g. [h, c]", value.span)
                ok = False
                continue
            ts = [_tensor_arg(st, env, spec, p.name, v, v.span) for v in value.items]
            if any(t is False for t in ts):
                ok = False
                continue
            if any(t is None for t in ts):
                unknown = True
                continue
            low, high = p.kind.low, p.kind.high
            if not low <= len(ts) <= high:
                want = str(low) if low == high else f"{low} to {high}"
                st.error("GD0109", f"{spec.name}(...)({p.name}=...) is a list of {want} tensors, not {len(ts)}",
                         value.span)
                ok = False
                continue
            mapping[p.name] = tuple(t[1] for t in ts)
            inputs.extend(t[0] for t in ts)
            written.append(CallArg(p.name, arg.name is None, tuple(t[0] for t in ts), listed=True))
        else:  # a constant of the call
            c = evaluate(value, env.consts, st.diags)
            if is_unknown(c):
                unknown = True
                continue
            message = p.kind.kind.check(c) if p.kind.kind is not None else None
            if message is not None:
                st.error("GD0109", f"{spec.name}(...)({p.name}=...): {message}", value.span)
                ok = False
                continue
            mapping[p.name] = c
            written.append(CallArg(p.name, arg.name is None, value=c))
    for p in params:
        if p.required and p.name not in where:
            st.error("GD0106", f"{spec.name}(...) is missing its call argument '{p.name}'", span,
                     help=f"its call takes: {', '.join(q.name for q in params if q.kind.what != 'refused')}")
            ok = False
    if not ok:
        st.ok = False
        return None
    if unknown:
        return None
    first = next((mapping[p.name] for p in params if isinstance(mapping.get(p.name), TensorType)), None)
    if first is None:
        first = next((mapping[p.name][0] for p in params if isinstance(mapping.get(p.name), tuple)
                      and mapping[p.name] and isinstance(mapping[p.name][0], TensorType)), None)
    return mapping, tuple(written), tuple(inputs), first


def _tensor_arg(st: State, env: Env, spec, pname: str, value, span: Span):
    """A tensor argument: (id, type), None (unknown) or False (not a tensor: reported)."""
    if type(value) is ir.Ref:
        t = env.tensors.get(value.name)
        if t is not None:
            return t if t[1] is not None else None
        if env.consts.get(value.name, UNKNOWN) is not UNKNOWN:
            st.error("GD0109", f"{spec.name}(...)({pname}=...) is a tensor, but '{value.name}' is a constant here",
                     span)
            return False
        return None
    st.error("GD0109", f"{spec.name}(...)({pname}=...) is a tensor: give a tensor's name", span)
    return False

