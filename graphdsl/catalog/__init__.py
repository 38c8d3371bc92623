"""What Keras offers, usable without importing Keras.

For each supported layer: constructor parameters (order, names, defaults, accepted
kinds), shape rule, dtype rule and parameter count; the merges; and the registries of
losses, metrics, optimizers, activations, initializers, regularizers and constraints.
Signatures and names are generated from Keras by ``scripts/gen_catalog.py`` into
``_signatures.py``; everything else is written by hand and tested against Keras.
"""

from graphdsl.catalog._signatures import KERAS_VERSION
from graphdsl.catalog.layers import KNOWN_UNSUPPORTED, LAYERS, get_layer
from graphdsl.catalog.merges import MERGE_BY_KERAS_CLASS, MERGES, get_merge
from graphdsl.catalog.names import (
    ACTIVATIONS,
    CONSTRAINTS,
    INITIALIZERS,
    LOSSES,
    METRICS,
    OPTIMIZERS,
    REGISTRIES,
    REGULARIZERS,
    Registry,
    check_loss_fits,
)
from graphdsl.catalog.types import (
    DTYPES,
    REQUIRED,
    Kind,
    LayerSpec,
    LayerValue,
    MergeSpec,
    Param,
    ShapeError,
    TensorType,
    fmt_shape,
    fmt_value,
)

__all__ = [
    "ACTIVATIONS",
    "CONSTRAINTS",
    "DTYPES",
    "INITIALIZERS",
    "KERAS_VERSION",
    "KNOWN_UNSUPPORTED",
    "LAYERS",
    "LOSSES",
    "MERGES",
    "MERGE_BY_KERAS_CLASS",
    "METRICS",
    "OPTIMIZERS",
    "REGISTRIES",
    "REGULARIZERS",
    "REQUIRED",
    "Kind",
    "LayerSpec",
    "LayerValue",
    "MergeSpec",
    "Param",
    "Registry",
    "ShapeError",
    "TensorType",
    "check_loss_fits",
    "fmt_shape",
    "fmt_value",
    "get_layer",
    "get_merge",
]
