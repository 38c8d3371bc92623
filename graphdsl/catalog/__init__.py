"""What Keras offers, usable without importing Keras: one descriptor per layer.

Layout::

    catalog/
      types.py        TensorType, ShapeError, LayerValue / ObjectValue (layers and Keras objects as values)
      kinds.py        what an argument accepts (Kind), and the kinds shared by parameter name
      spec.py         LayerSpec (the descriptor), CallParam / CallKind (call signatures), Example
      rules.py        shared helpers of the shape, dtype and count rules
      layers/         the descriptors, one module per family (core, conv, pooling, recurrent, ...)
      objects.py      initializer, regularizer and constraint classes (``L2(1e-4)``)
      merges.py       concat, add, ..., dot
      names.py        losses, metrics, optimizers, activations and object names, with aliases
      _signatures.py  generated from Keras by scripts/gen_catalog.py: constructor and call
                      signatures, the family of each layer, Keras's aliases, the registries

Everything is loaded on demand: importing the catalog costs next to nothing, and a check builds
only the descriptors and registries its program uses. ``LAYERS`` is a lazy mapping; ``MERGES``,
``LOSSES``, ``METRICS``, ... are made on first access.

**A layer on one tensor** (the common case) is described by three rules on its input type::

    Dense = LayerSpec(
        "Dense", family="core", doc="fully connected: the last axis becomes `units`",
        kinds={"units": PosInt},                 # arguments the shared kinds don't cover
        shape=dense_shape,                       # (spec, args, inp: TensorType) -> shape tuple
        dtype=dtype_weighted,                    # (spec, args, inp) -> dtype
        count=dense_count,                       # (spec, args, inp) -> number of weights
        draw=draw_dense,                         # how graphdsl.testing draws it (see below)
        examples=dense_examples,                 # () -> Example cases the Keras tier compares
    )

and checked as a chain step with ``spec.infer(args, inp) -> TensorType`` and
``spec.count_params(args, inp) -> int`` (``args``: the bound constructor arguments by name).

**A layer on several tensors, or with several outputs** (Keras's double call
``MultiHeadAttention(num_heads=4, key_dim=16)(q, v)``, ``LSTM(64)(emb, initial_state=[h, c])``,
``seq, h, c = x -> LSTM(64, return_sequences=True, return_state=True)``) has a call signature
and one rule for all its outputs. For the language:

- ``spec.call_params``: the call's parameters in Keras's order (generated from Keras's ``call``),
  each a `CallParam` with ``name``, ``default`` (``REQUIRED`` if the call needs it),
  ``keyword_only`` and ``kind.what``: ``"tensor"``, ``"tensors"`` (a list of ``kind.low`` to
  ``kind.high`` tensors, written as a list as in Keras: ``initial_state=[h, c]``,
  ``Attention()([q, v])``), ``"constant"`` (checked by ``kind.kind``, a `Kind`), or ``"refused"``
  (``kind.reason`` is the message). Any parameter may be given by position or keyword.
  ``spec.tensor_param`` is the first one: the parameter a chain's tensor fills.
- ``spec.outputs(args, call) -> tuple[TensorType, ...]``: `call` maps call parameter names to a
  TensorType, a tuple of TensorTypes or a constant (omitted: the default). Raises `ShapeError`
  whose ``call_arg`` names the call argument to blame (or ``arg`` a constructor argument).
- ``spec.count(args, call) -> int``: the weights once built by that call.
- ``spec.several``: True for descriptors written this way (``outputs=`` and ``count=`` rules on
  the call mapping, and ``call=`` kinds for the call parameters). A single-tensor layer answers
  ``outputs``/``count`` too (one output), so the language may treat every layer alike.

Example::

    from graphdsl.catalog import get_layer, TensorType as T

    mha = get_layer("MultiHeadAttention")
    q = T((128, 64), "float32")
    args = {"num_heads": 4, "key_dim": 16}
    mha.outputs(args, {"query": q, "value": q})           # (T((128, 64), 'float32'),)
    mha.outputs(args, {"query": q, "value": q, "return_attention_scores": True})
    #                                                        + scores T((4, 128, 128), 'float32')
    mha.count(args, {"query": q, "value": q})             # 16,640
    lstm = get_layer("LSTM")
    lstm.outputs({"units": 8, "return_state": True}, {"sequences": T((None, 3), "float32")})
    #   (T((8,)), T((8,)), T((8,)))  -- output, h, c

**Arguments written as calls**: a `Kind` with ``family`` ``"layer"`` takes a layer
(`LayerValue`: ``Bidirectional(LSTM(8))``); ``"initializer"``, ``"regularizer"`` or
``"constraint"`` takes a Keras object (`ObjectValue`, see `get_object`: ``L2(1e-4)``).

**Drawing** (`graphdsl.testing`): ``draw(ctx, t)`` returns the constructor arguments for the
layer on input type `t`, or None if it would not draw it there; the catalog has the last word
(``infer``). The context offers ``ctx.integer(lo, hi)`` (a literal), ``ctx.size(lo, hi)`` (an int
the program may spell with a param), ``ctx.rate()``, ``ctx.choice(options)``, ``ctx.boolean()``, ``ctx.activation(usual)`` (an
activation name: one of `usual`, or any Keras activation when the generator is asked for all),
``ctx.pos(name, value)`` / ``ctx.kw(name, value)`` (a positional / keyword argument) and
``ctx.layer(name, *args)`` (a layer given as an argument). The catalog never imports hypothesis.
"""

from __future__ import annotations

# name -> (module, attribute): loaded on first access (PEP 562), so that importing the catalog
# (which the IR's graph does, for TensorType) costs nothing.
_LAZY = {
    "TensorType": ("types", "TensorType"),
    "ShapeError": ("types", "ShapeError"),
    "LayerValue": ("types", "LayerValue"),
    "ObjectValue": ("types", "ObjectValue"),
    "REQUIRED": ("types", "REQUIRED"),
    "DTYPES": ("types", "DTYPES"),
    "fmt_shape": ("types", "fmt_shape"),
    "fmt_value": ("types", "fmt_value"),
    "Kind": ("kinds", "Kind"),
    "Param": ("spec", "Param"),
    "CallParam": ("spec", "CallParam"),
    "CallKind": ("spec", "CallKind"),
    "Example": ("spec", "Example"),
    "LayerSpec": ("spec", "LayerSpec"),
    "ObjectSpec": ("spec", "ObjectSpec"),
    "LAYERS": ("layers", "LAYERS"),
    "FAMILIES": ("layers", "FAMILIES"),
    "get_layer": ("layers", "get_layer"),
    "all_descriptors": ("layers", "all_descriptors"),
    "get_object": ("objects", "get_object"),
    "MergeSpec": ("merges", "MergeSpec"),
    "MERGES": ("merges", "MERGES"),
    "MERGE_BY_KERAS_CLASS": ("merges", "MERGE_BY_KERAS_CLASS"),
    "get_merge": ("merges", "get_merge"),
    "Registry": ("names", "Registry"),
    "registry": ("names", "registry"),
    "check_loss_fits": ("names", "check_loss_fits"),
    "check_metric_fits": ("names", "check_metric_fits"),
    "LOSSES": ("names", "LOSSES"),
    "METRICS": ("names", "METRICS"),
    "OPTIMIZERS": ("names", "OPTIMIZERS"),
    "ACTIVATIONS": ("names", "ACTIVATIONS"),
    "INITIALIZERS": ("names", "INITIALIZERS"),
    "REGULARIZERS": ("names", "REGULARIZERS"),
    "CONSTRAINTS": ("names", "CONSTRAINTS"),
    "REGISTRIES": ("names", "REGISTRIES"),
    "KERAS_VERSION": ("_signatures", "KERAS_VERSION"),
    "old_argument": ("keras2", "old_argument"),
}
_CALLED = {
    "KNOWN_UNSUPPORTED": ("layers", "known_unsupported"),
    "LAYER_ALIASES": ("layers", "layer_aliases"),
}

__all__ = sorted([*_LAZY, *_CALLED])


def __getattr__(name: str) -> object:
    # __import__ (not importlib.import_module) so that `python -X importtime` sees the import
    if name in _LAZY:
        module, attr = _LAZY[name]
        value = getattr(__import__(f"graphdsl.catalog.{module}", fromlist=[attr]), attr)
    elif name in _CALLED:
        module, attr = _CALLED[name]
        value = getattr(__import__(f"graphdsl.catalog.{module}", fromlist=[attr]), attr)()
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
