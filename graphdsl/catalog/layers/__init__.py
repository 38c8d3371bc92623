"""The layer descriptors, one module per family, loaded on demand.

`FAMILIES` lists the modules; each defines ``DESCRIPTORS``, a tuple of `LayerSpec`. Which family a
layer lives in is generated into ``_signatures.LAYER_FAMILIES`` (by ``scripts/gen_catalog.py``,
which reads the descriptors), so `get_layer` imports only the family it needs and builds only the
descriptors a program names. `LAYERS` is a read-only mapping over every supported layer that
loads descriptors as they are looked up (iterating it lists names without loading anything).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from graphdsl.catalog.spec import LayerSpec

FAMILIES = (
    "core",
    "conv",
    "pooling",
    "recurrent",
    "normalization",
    "regularization",
    "reshaping",
    "activations",
    "attention",
    "preprocessing",
    "augmentation",
    "applications",
)
"""The family modules of ``graphdsl.catalog.layers``, in the order the documentation lists them."""

_loaded: dict[str, dict[str, LayerSpec]] = {}


def family_descriptors(family: str) -> dict[str, LayerSpec]:
    """The descriptors of one family module, by layer name (imports the module on first use)."""
    found = _loaded.get(family)
    if found is None:
        if family not in FAMILIES:
            raise KeyError(f"no layer family {family!r}")
        # __import__ (not importlib.import_module) so that `python -X importtime` sees the import
        module = __import__(f"graphdsl.catalog.layers.{family}", fromlist=["DESCRIPTORS"])
        found = {spec.name: spec for spec in module.DESCRIPTORS}
        _loaded[family] = found
    return found


def all_descriptors() -> list[LayerSpec]:
    """Every descriptor of every family, in documentation order (loads them all: for tools and
    tests, never for a check)."""
    return [spec for family in FAMILIES for spec in family_descriptors(family).values()]


def _index() -> Mapping[str, str]:
    from graphdsl.catalog._signatures import LAYER_FAMILIES  # noqa: PLC0415

    return LAYER_FAMILIES


def get_layer(name: str) -> LayerSpec | None:
    """The descriptor of the supported Keras layer `name` (exact class name), or None."""
    family = _index().get(name)
    if family is None:
        return None
    return family_descriptors(family).get(name)


class _Layers(Mapping):
    """Every supported layer by name; looking one up loads its family's descriptors."""

    def __getitem__(self, name: str) -> LayerSpec:
        spec = get_layer(name)
        if spec is None:
            raise KeyError(name)
        return spec

    def __contains__(self, name: object) -> bool:
        return name in _index()

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(_index()))

    def __len__(self) -> int:
        return len(_index())

    def __repr__(self) -> str:
        return f"<the {len(self)} layers of the graphdsl catalog>"


LAYERS: Mapping[str, LayerSpec] = _Layers()


def known_unsupported() -> frozenset[str]:
    """The keras.layers classes graphdsl does not support (``Lambda``, ...): a distinct diagnostic."""
    from graphdsl.catalog._signatures import UNSUPPORTED_LAYERS  # noqa: PLC0415

    return frozenset(UNSUPPORTED_LAYERS)


def layer_aliases() -> Mapping[str, str]:
    """Keras's second names of supported layers (``MaxPool2D``) -> graphdsl's spelling (``MaxPooling2D``)."""
    from graphdsl.catalog._signatures import LAYER_ALIASES  # noqa: PLC0415

    return LAYER_ALIASES
