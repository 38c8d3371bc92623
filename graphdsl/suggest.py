"""Suggestions for mistyped names ("did you mean ...?")."""

from __future__ import annotations

from collections.abc import Iterable


def suggest(name: str, candidates: Iterable[str]) -> str | None:
    """Return the candidate a person most probably meant by `name`, or None.

    A candidate equal to `name` ignoring case (``conv1d`` for ``Conv1D``) wins outright;
    otherwise the closest by difflib's ratio above 0.6, ties broken by the candidate's spelling
    so the answer never depends on the order of `candidates`.
    """
    if not name or len(name) > 64:  # nobody mistypes a 5 MB name; difflib on one would take minutes
        return None
    pool = sorted(set(candidates))
    if not pool:
        return None
    folded = name.casefold()
    for cand in pool:
        if cand.casefold() == folded and cand != name:
            return cand
    norm = folded.replace("_", "")
    for cand in pool:
        if cand.casefold().replace("_", "") == norm and cand != name:
            return cand
    import difflib  # noqa: PLC0415 - only a program with a mistake pays for it

    best: tuple[float, str] | None = None
    for cand in pool:
        if cand == name:
            continue
        ratio = difflib.SequenceMatcher(None, folded, cand.casefold()).ratio()
        if ratio >= 0.6 and (best is None or ratio > best[0]):
            best = (ratio, cand)
    return best[1] if best else None
