"""Arguments of Keras 1 and 2 layers that Keras 3 no longer takes, and what to write instead.

A person who learned Keras from older tutorials writes ``Embedding(1000, 64, input_length=100)``
or ``Conv2D(32, 3, border_mode="same")``; check answers the unknown argument (GD0105) with what
Keras 3, and graphdsl, spell it. One table for every layer: these names were renamed or removed
everywhere at once.
"""

from __future__ import annotations

_SHAPE = "the input's declared shape gives it (input x: float32[...])"

# old name -> (the Keras version that had it, the Keras 3 argument, or None when there is none, and why)
OLD_ARGUMENTS: dict[str, tuple[str, str | None, str]] = {
    "input_length": ("2", None, "Embedding(input_length=...) is gone in Keras 3: the input's declared shape gives "
                                "the length (input tokens: int32[100])"),
    "input_shape": ("2", None, f"a layer's input_shape= belongs to Keras 2's Sequential models: {_SHAPE}"),
    "batch_input_shape": ("2", None, f"batch_input_shape= belongs to Keras 2's Sequential models: {_SHAPE}"),
    "input_dim": ("2", None, f"input_dim= belongs to Keras 2's Sequential models: {_SHAPE}"),
    "output_dim": ("1", "units", "Keras 1's output_dim= is units="),
    "init": ("1", "kernel_initializer", "Keras 1's init= is kernel_initializer="),
    "inner_init": ("1", "recurrent_initializer", "Keras 1's inner_init= is recurrent_initializer="),
    "inner_activation": ("1", "recurrent_activation", "Keras 1's inner_activation= is recurrent_activation="),
    "W_regularizer": ("1", "kernel_regularizer", "Keras 1's W_regularizer= is kernel_regularizer="),
    "b_regularizer": ("1", "bias_regularizer", "Keras 1's b_regularizer= is bias_regularizer="),
    "W_constraint": ("1", "kernel_constraint", "Keras 1's W_constraint= is kernel_constraint="),
    "b_constraint": ("1", "bias_constraint", "Keras 1's b_constraint= is bias_constraint="),
    "nb_filter": ("1", "filters", "Keras 1's nb_filter= is filters="),
    "filter_length": ("1", "kernel_size", "Keras 1's filter_length= is kernel_size="),
    "border_mode": ("1", "padding", "Keras 1's border_mode= is padding="),
    "subsample": ("1", "strides", "Keras 1's subsample= is strides="),
    "subsample_length": ("1", "strides", "Keras 1's subsample_length= is strides="),
    "dim_ordering": ("1", "data_format", "Keras 1's dim_ordering= is data_format= (\"channels_last\")"),
    "dropout_W": ("1", "dropout", "Keras 1's dropout_W= is dropout="),
    "dropout_U": ("1", "recurrent_dropout", "Keras 1's dropout_U= is recurrent_dropout="),
    "pool_length": ("1", "pool_size", "Keras 1's pool_length= is pool_size="),
    "stride": ("1", "strides", "Keras 1's stride= is strides="),
}


def old_argument(name: str, takes: frozenset[str] | set[str]) -> str | None:
    """What to write instead of argument `name`, an argument of an older Keras, for a layer that
    takes the arguments `takes`; None if `name` is not one."""
    found = OLD_ARGUMENTS.get(name)
    if found is None:
        return None
    _version, new, why = found
    if new is not None and new not in takes:
        return None  # renamed to an argument this layer does not have: no useful advice
    return why
