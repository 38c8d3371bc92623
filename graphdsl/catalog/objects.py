"""Keras objects a program may give as arguments by class: initializers, regularizers, constraints.

``kernel_initializer=VarianceScaling(scale=2.0, mode="fan_out")``, ``kernel_regularizer=L2(1e-4)``,
``kernel_constraint=MaxNorm(3)``: named as Keras names the classes, with their arguments checked
like a layer's (the signatures are generated from Keras into ``_signatures.OBJECT_SIGNATURES``;
this module says what each argument accepts). String names (``"he_normal"``, ``"l2"``) are the
registries of ``names.py``.
"""

from __future__ import annotations

from graphdsl.catalog import kinds as K
from graphdsl.catalog.spec import ObjectSpec

FAMILIES = {"initializer": "keras.initializers", "regularizer": "keras.regularizers",
            "constraint": "keras.constraints"}
"""Each family of objects and the Keras module its classes come from."""

_Fans = K.predicate("a tuple of axes", lambda v: isinstance(v, tuple) and all(K.is_int(a) for a in v))
_FAN_AXES = {"input_axes": K.Optional(_Fans), "output_axes": K.Optional(_Fans)}
_Axis = K.predicate("an axis or a tuple of axes",
                    lambda v: K.is_int(v) or (isinstance(v, tuple) and bool(v) and all(K.is_int(a) for a in v)))

KINDS: dict[str, dict[str, dict[str, K.Kind]]] = {
    "initializer": {
        "Constant": {"value": K.Numbers},
        "Zeros": {},
        "Ones": {},
        "Identity": {"gain": K.Number},
        "Orthogonal": {"gain": K.Number},
        "RandomNormal": {"mean": K.Number, "stddev": K.NonNegNumber},
        "RandomUniform": {"minval": K.Number, "maxval": K.Number},
        "TruncatedNormal": {"mean": K.Number, "stddev": K.NonNegNumber},
        "VarianceScaling": {
            "scale": K.PosNumber,
            "mode": K.Choice("fan_in", "fan_out", "fan_avg"),
            "distribution": K.Choice("truncated_normal", "untruncated_normal", "uniform"),
            **_FAN_AXES,
        },
        "GlorotNormal": _FAN_AXES,
        "GlorotUniform": _FAN_AXES,
        "HeNormal": _FAN_AXES,
        "HeUniform": _FAN_AXES,
        "LecunNormal": _FAN_AXES,
        "LecunUniform": _FAN_AXES,
    },
    "regularizer": {
        "L1": {"l1": K.NonNegNumber},
        "L2": {"l2": K.NonNegNumber},
        "L1L2": {"l1": K.NonNegNumber, "l2": K.NonNegNumber},
        "OrthogonalRegularizer": {"factor": K.NonNegNumber, "mode": K.Choice("rows", "columns")},
    },
    "constraint": {
        "MaxNorm": {"max_value": K.PosNumber, "axis": _Axis},
        "MinMaxNorm": {"min_value": K.NonNegNumber, "max_value": K.NonNegNumber, "rate": K.NonNegNumber,
                       "axis": _Axis},
        "NonNeg": {},
        "UnitNorm": {"axis": _Axis},
    },
}
"""family -> class -> argument -> accepted kind (``seed`` takes the shared kind). Keras's STFT
initializer is left out: it needs scipy, which graphdsl does not install."""

_built: dict[tuple[str, str], ObjectSpec] = {}


def get_object(family: str, name: str) -> ObjectSpec | None:
    """The class `name` of `family` (``"initializer"``, ``"regularizer"``, ``"constraint"``), or None."""
    spec = _built.get((family, name))
    if spec is None:
        kinds = KINDS.get(family, {}).get(name)
        if kinds is None:
            return None
        spec = _built[(family, name)] = ObjectSpec(name, family, FAMILIES[family], kinds)
    return spec


def object_names(family: str) -> tuple[str, ...]:
    """The classes of `family` a program may call, for "did you mean"."""
    return tuple(KINDS.get(family, {}))


def find_object(name: str) -> ObjectSpec | None:
    """The object class called `name` in any family (first found), or None."""
    for family in FAMILIES:
        spec = get_object(family, name)
        if spec is not None:
            return spec
    return None


# Objects that work on weights of some ranks only: (fewest axes, most axes or None). Keras fails
# when it builds the layer (the initializers) or at the first training step (the regularizer).
_RANKS = {
    ("initializer", "identity"): (2, 2), ("initializer", "Identity"): (2, 2),
    ("initializer", "orthogonal"): (2, None), ("initializer", "Orthogonal"): (2, None),
    ("regularizer", "orthogonal_regularizer"): (2, 2), ("regularizer", "OrthogonalRegularizer"): (2, 2),
}


def rank_problem(family: str, value: object, rank: int, weight: str) -> str | None:
    """Why object `value` (a name or an ObjectValue of `family`) cannot work on `weight`, a tensor
    of `rank` axes; None if it can. Also a constraint's `axis` beyond the weight's axes."""
    from graphdsl.catalog.types import ObjectValue, fmt_value  # noqa: PLC0415

    name = value.spec.name if isinstance(value, ObjectValue) else value
    if not isinstance(name, str):
        return None
    limits = _RANKS.get((family, name))
    if limits is not None:
        low, high = limits
        if rank < low or (high is not None and rank > high):
            axes = f"{low}" if low == high else f"{low} or more"
            shown = name if isinstance(value, ObjectValue) else fmt_value(name)
            return f"the {family} {shown} works on weights of {axes} axes, but {weight} has {rank} axes"
    if isinstance(value, ObjectValue) and family == "constraint":
        axis = value.args.get("axis", 0)
        for a in axis if isinstance(axis, tuple) else (axis,):
            if not -rank <= a < rank:  # type: ignore[operator]
                return (f"{value.spec.name}(axis={fmt_value(axis)}) names axis {a}, but {weight} has {rank} axes "
                        f"(from {-rank} to {rank - 1})")
    return None
