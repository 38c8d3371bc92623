"""The catalog as documentation: the README's layer list and docs/LANGUAGE.md's tables, made from
the descriptors (``scripts/gen_catalog.py`` writes them; a test checks the committed files match).

Each generated block sits between ``<!-- catalog:NAME -->`` and ``<!-- /catalog:NAME -->``.
"""

from __future__ import annotations

from graphdsl.catalog.layers import FAMILIES, family_descriptors
from graphdsl.catalog.objects import KINDS

_FAMILY_WORDS = {
    "core": "core",
    "conv": "convolution",
    "pooling": "pooling",
    "recurrent": "recurrent",
    "normalization": "normalization",
    "regularization": "regularization",
    "reshaping": "reshaping",
    "activations": "activations",
    "attention": "attention",
    "preprocessing": "preprocessing",
    "augmentation": "image augmentation",
    "applications": "keras.applications",
}


def readme_layers() -> str:
    """One line per family: its layers, by name."""
    lines = []
    for family in FAMILIES:
        names = ", ".join(f"`{name}`" for name in family_descriptors(family))
        lines.append(f"- {_FAMILY_WORDS[family]}: {names}")
    return "\n".join(lines)


def language_layers() -> str:
    """A table: family, layer, what it does."""
    lines = ["| family | layer | what it does |", "| --- | --- | --- |"]
    for family in FAMILIES:
        for name, spec in family_descriptors(family).items():
            several = " (several tensors)" if spec.several and spec.call_kinds else ""
            lines.append(f"| {_FAMILY_WORDS[family]} | `{name}`{several} | {spec.doc} |")
    return "\n".join(lines)


def language_objects() -> str:
    """The Keras object classes an argument may be written as, by family."""
    lines = []
    for family, classes in KINDS.items():
        lines.append(f"- {family}s: " + ", ".join(f"`{name}`" for name in classes))
    return "\n".join(lines)


BLOCKS = {
    "README.md": {"layers": readme_layers},
    "LANGUAGE.md": {"layers": language_layers, "objects": language_objects},
}


def update_docs(filename: str, text: str) -> str:
    """`text` (the README or LANGUAGE.md) with its generated blocks made current."""
    for name, make in BLOCKS.get(filename, {}).items():
        start, end = f"<!-- catalog:{name} -->", f"<!-- /catalog:{name} -->"
        i, j = text.find(start), text.find(end)
        if i < 0 or j < i:
            raise ValueError(f"{filename} has no {start} ... {end} block")
        text = text[: i + len(start)] + "\n" + make() + "\n" + text[j:]
    return text
