"""Block calls: binding a call's arguments to the block's parameters, and expanding the call.

A call runs the block's body in an `Env` of its own: tensor parameters bound to the call's tensors,
constant parameters to its constants (or their defaults), every layer call a new layer whose name
begins with the call's id (``stage1_residual_1_...``), and a frame (`graph.BlockCall`) on everything
it makes and on every diagnostic found inside. See `chains.py` for the whole story. Imported only
by programs with blocks.
"""

from __future__ import annotations

from .. import ir
from ..graph import BlockCall
from ..source import Span
from .binding import bind_positions
from .chains import Consts, Env, State, bind_statement, chain, layer_decl
from .evaluate import UNKNOWN, evaluate, is_unknown
from .resolve import CONSTANT, EITHER, TENSOR, BlockInfo


class BlockDef:
    """A block ready to be called: what resolution found, its defaults' values, and how often each
    block is called in its body (calls of a block called more than once are numbered)."""

    __slots__ = ("info", "defaults", "sites", "callables")

    def __init__(self, info: BlockInfo, defaults: dict[str, object], sites: dict[str, int], callables: frozenset):
        self.info = info
        self.defaults = defaults
        self.sites = sites
        self.callables = callables  # the names its body may call as blocks or `layer` declarations


def block_call(st: State, env: Env, base: str, node, call_args, chain_input):
    """A call of a block: a chain step (`chain_input` fills its first parameter) or a head. Returns
    the tensors it returns, [(id, type)], or None."""
    name = node.callee.name if type(node) is ir.Call else node.name
    block = env.block(name, st)
    info = block.info
    params = info.decl.params
    names = [p.name.name for p in params]
    skip = 1 if chain_input is not None else 0
    if skip and not names:
        st.error("GD0107", f"block '{name}' takes no parameters, so it cannot take the chain's tensor", node.span,
                 help=f"call it at a chain's head: {name}()")
        return None
    if skip and info.param_kind(names[0]) == CONSTANT:
        st.error("GD0109", f"block '{name}' cannot take the chain's tensor: its first parameter "
                 f"'{names[0]}' is a constant", node.span,
                 help=f"give it as an argument: {name}(...) at a chain's head")
        return None
    given = bind_positions(st, f"block '{name}'", names, call_args, skip)
    if given is None:
        st.ok = False
        return None
    bound: dict[str, tuple] = {}  # parameter -> ("tensor", (id, type)) | ("const", value)
    ok = True
    unknown = False
    if skip:
        if chain_input[1] is None:
            unknown = True
        bound[names[0]] = ("tensor", chain_input)
    for p in params[skip:]:
        pname = p.name.name
        kind = info.param_kind(pname)
        arg = given.get(pname)
        if arg is None:
            if pname in block.defaults:
                value = block.defaults[pname]
                if is_unknown(value):
                    unknown = True
                bound[pname] = ("const", value)
                continue
            st.error("GD0106", f"block '{name}' is missing its argument '{pname}'", node.span,
                     help=f"add it, e.g. {name}(..., {pname}=...)")
            ok = False
            continue
        value = arg.value
        tensor = env.tensors.get(value.name) if type(value) is ir.Ref else None
        if kind == TENSOR or (kind == EITHER and tensor is not None):
            if tensor is None:
                if type(value) is ir.Ref and env.consts.get(value.name, UNKNOWN) is UNKNOWN:
                    unknown = True  # unknown name (reported), or a tensor with errors
                    continue
                st.error("GD0109", f"parameter '{pname}' of block '{name}' is a tensor, but a constant is given",
                         arg.span, help="give a tensor's name")
                ok = False
                continue
            if tensor[1] is None:
                unknown = True
            bound[pname] = ("tensor", tensor)
        else:
            if tensor is not None:  # reported by resolution (a tensor where a value belongs)
                ok = False
                continue
            c = evaluate(value, env.consts, st.diags)
            if is_unknown(c):
                unknown = True
            bound[pname] = ("const", c)
    if not ok:
        st.ok = False
        return None
    if unknown or st.dry or st.halted or info.returns is None or not info.ok:
        return None  # (a block with errors of its own, reported, is not expanded)
    if st.too_deep(node.span):
        return None
    return expand(st, env, base, block, bound, node.span)


def _call_id(st: State, env: Env, base: str, block: str) -> str:
    scope_base = f"{base}_{block}" if env.info is None else f"{env.prefix}{block}"
    if env.sites.get(block, 0) > 1:
        k = env.seen[block] = env.seen.get(block, 0) + 1
        scope_base = f"{scope_base}_{k}"
    return st.unique(scope_base)


def expand(st: State, env: Env, base: str, block: BlockDef, bound: dict[str, tuple], span: Span):
    """Run one call of a block: its body's statements with its parameters bound."""
    info = block.info
    outer = not st.expanding
    if outer:
        st.site = span
    st.expanding += 1
    try:
        if not st.made():  # a call counts: a block that makes nothing cannot be repeated forever
            return None
        call_id = _call_id(st, env, base, info.name)
        tensors = {}
        local_consts = {}
        for pname, (what, value) in bound.items():
            if what == "tensor":
                tensors[pname] = value
            else:
                local_consts[pname] = value
        inner = Env(tensors, Consts(local_consts, info.defs, st.params), {}, info, f"{call_id}_", f"{call_id}/",
                    block.sites)
        inner.callables = block.callables
        st.frames.append(BlockCall(call_id, info.name, span))
        st.calls = tuple(st.frames)
        try:
            results = None
            for stmt in info.decl.body:
                if st.halted:
                    return None
                kind = type(stmt)
                if kind is ir.Assign or kind is ir.Unpack:
                    bind_statement(st, inner, stmt)
                elif kind is ir.LayerDecl:
                    layer_decl(st, inner, stmt)
                elif kind is ir.Return:
                    results = returned(st, inner, stmt)
                elif kind is ir.Broken:
                    st.ok = False
            return results
        finally:
            st.frames.pop()
            st.calls = tuple(st.frames)
    finally:
        st.expanding -= 1
        if outer:
            st.site = None


def returned(st: State, env: Env, stmt: ir.Return):
    values = stmt.values
    out = []
    for k, c in enumerate(values):
        part = "return" if len(values) == 1 else f"return{k + 1}"
        (value,) = chain(st, env, part, c, [f"{env.tprefix}{part}"])
        if value[1] is None:
            return None
        out.append(value)
    return out


def call_sites(statements, is_block) -> dict[str, int]:
    """How many times each block is called in `statements` (a repeat counts as many)."""
    sites: dict[str, int] = {}

    def count(name: str, n: int = 1) -> None:
        if is_block(name):
            sites[name] = sites.get(name, 0) + n

    def in_head(e) -> None:
        stack = [e]
        while stack:
            x = stack.pop()
            kind = type(x)
            if kind is ir.Call:
                count(x.callee.name)
            elif kind is ir.BinOp:
                stack += [x.left, x.right]
            elif kind is ir.Neg:
                stack.append(x.operand)

    def in_step(s, n: int) -> None:
        kind = type(s)
        if kind is ir.Call:
            count(s.callee.name, n)
        elif kind is ir.Ref:
            count(s.name, n)
        elif kind is ir.Repeat:
            in_step(s.step, 2)

    for stmt in statements:
        kind = type(stmt)
        chains = ()
        if kind is ir.Assign or kind is ir.Unpack or kind is ir.OutputDecl:
            chains = (stmt.chain,)
        elif kind is ir.Return:
            chains = stmt.values
        for c in chains:
            in_head(c.head)
            for s in c.steps:
                in_step(s, 1)
    return sites
