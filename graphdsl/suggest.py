"""Suggestions for mistyped names ("did you mean ...?").

`suggest(name, candidates)` answers one question against a small pool (a layer's arguments, the
catalog's layers). `NamePool` answers many against the names of a program, which may be a hundred
thousand: spellings equal but for case or underscores are found through an index, and the
closest-spelling search (difflib) shares a budget proportional to the program's size, so a
thousand unknown names next to a thousand definitions cost linear time, not a million
comparisons. Both give the same answer as long as the budget lasts (every real program).
"""

from __future__ import annotations

from collections.abc import Iterable

MAX_NAME = 64  # nobody mistypes a 5 MB name; difflib on one would take minutes


def suggest(name: str, candidates: Iterable[str]) -> str | None:
    """Return the candidate a person most probably meant by `name`, or None.

    A candidate equal to `name` ignoring case (``conv1d`` for ``Conv1D``) wins outright, then one
    equal ignoring case and underscores; otherwise the closest by difflib's ratio above 0.6, ties
    broken by the candidate's spelling so the answer never depends on the order of `candidates`.
    """
    if not name or len(name) > MAX_NAME:
        return None
    pool = sorted(set(candidates))
    folded = name.casefold()
    for cand in pool:
        if cand.casefold() == folded and cand != name:
            return cand
    norm = folded.replace("_", "")
    for cand in pool:
        if cand.casefold().replace("_", "") == norm and cand != name:
            return cand
    return _closest(name, pool)


def _closest(name: str, pool: Iterable[str]) -> str | None:
    """The candidate with the best difflib ratio (>= 0.6), the first spelling among equals."""
    import difflib  # noqa: PLC0415 - only a program with a mistake pays for it

    matcher = difflib.SequenceMatcher(None, name.casefold(), "")
    best: tuple[float, str] | None = None
    for cand in pool:
        if cand == name:
            continue
        matcher.set_seq2(cand.casefold())
        if matcher.real_quick_ratio() < 0.6 or matcher.quick_ratio() < 0.6:
            continue  # upper bounds of ratio(): it cannot reach 0.6
        ratio = matcher.ratio()
        if ratio >= 0.6 and (best is None or ratio > best[0] or (ratio == best[0] and cand < best[1])):
            best = (ratio, cand)
    return best[1] if best else None


class NamePool:
    """The names of a program, in definition order, each with a tag (its kind); `suggest` looks
    only at the first `limit` of them (those defined before the use) with a fitting tag."""

    def __init__(self, names: Iterable[tuple[str, str]], budget: int):
        self.names = list(names)
        self.budget = budget  # names the searches may still look at, for all questions together
        self._folded: dict[str, list[int]] = {}
        self._norm: dict[str, list[int]] = {}
        for i, (name, _tag) in enumerate(self.names):
            folded = name.casefold()
            self._folded.setdefault(folded, []).append(i)
            self._norm.setdefault(folded.replace("_", ""), []).append(i)

    def suggest(self, name: str, limit: int, tags: Iterable[str] | None = None) -> str | None:
        """As `suggest(name, pool)`, the pool being the first `limit` names whose tag is in `tags`
        (any tag if None)."""
        if not name or len(name) > MAX_NAME:
            return None
        tags = None if tags is None else frozenset(tags)
        names = self.names

        def fits(i: int) -> bool:
            return i < limit and (tags is None or names[i][1] in tags) and names[i][0] != name

        folded = name.casefold()
        for index, key in ((self._folded, folded), (self._norm, folded.replace("_", ""))):
            same = index.get(key, ())[: max(self.budget, 0)]
            self.budget -= len(same)
            found = [names[i][0] for i in same if fits(i)]
            if found:
                return min(found)
        return _closest(name, self._spend(limit, tags))

    def _spend(self, limit: int, tags: frozenset[str] | None):
        """The first `limit` names with a fitting tag, each one looked at spending the budget."""
        for cand, tag in self.names[: max(min(limit, self.budget), 0)]:
            self.budget -= 1
            if tags is None or tag in tags:
                yield cand
