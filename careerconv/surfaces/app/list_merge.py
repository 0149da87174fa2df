"""Three versions of one list, element by element: both sides' changes kept together when they do not touch (pure).

A coach's list of dreams is one field of a conversation (skills point at a
dream by its rank), but two people editing it at once rarely change the same
dream: one adds a dream while the other rewords another. :func:`combined`
keeps both sides' changes, found against the version both started from, when
no element was changed differently on the two sides; :func:`rank_map` then
says where each element of one version went in the result, so whatever
pointed at it by rank can follow.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from difflib import SequenceMatcher


def _changes(base: Sequence[str], side: Sequence[str]) -> list[tuple[int, int, tuple[str, ...]]]:
    """What ``side`` did to ``base``: ``(first, after, new elements)`` replacing ``base[first:after]``, in order."""
    matcher = SequenceMatcher(None, list(base), list(side), autojunk=False)
    return [(i1, i2, tuple(side[j1:j2])) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def _took(counts: Counter, element: str) -> bool:
    """Whether ``element`` is one of ``counts`` not yet matched (it is then matched)."""
    if counts[element] > 0:
        counts[element] -= 1
        return True
    return False


def _touch(a: tuple[int, int, tuple], b: tuple[int, int, tuple]) -> bool:
    """Whether two changes reach the same elements of the base (two insertions at one place do not: both go in)."""
    (a1, a2, _), (b1, b2, _) = a, b
    if a1 == a2 and b1 == b2:
        return False
    if a1 == a2:
        return b1 < a1 < b2
    if b1 == b2:
        return a1 < b1 < a2
    return max(a1, b1) < min(a2, b2)


def combined(base: Sequence[str], mine: Sequence[str], theirs: Sequence[str],
             limit: int | None = None) -> list[str] | None:
    """``base`` with the changes of both ``theirs`` and ``mine``; None when they cannot be kept together.

    They cannot when both changed or removed the same element differently (the coach has to choose), when
    the result would hold an element more often than either side does (one side reworded an element into
    what the other added next to it), or more than ``limit`` elements. The same change made on both sides counts
    once; elements both sides added at the same place are all kept, theirs first (they are stored already,
    so the elements they point at keep their ranks), an element both added once.

    >>> combined(["Lead"], ["Lead", "Write"], ["Lead", "Run"])
    ['Lead', 'Run', 'Write']
    >>> combined(["Lead", "Write"], ["Lead a team", "Write"], ["Lead", "Write a book"])
    ['Lead a team', 'Write a book']
    >>> combined(["Lead"], ["Lead a team"], ["Lead people"]) is None
    True
    """
    theirs_changes = _changes(base, theirs)
    edits = list(theirs_changes)
    for change in _changes(base, mine):
        first, after, new = change
        if change in theirs_changes:
            continue
        together = next((i for i, (f, a, _) in enumerate(edits) if f == a == first == after), None)
        if together is not None:  # both added elements here: theirs, then those of mine they did not add
            added, already = edits[together][2], Counter(edits[together][2])
            edits[together] = (first, after, added + tuple(e for e in new if not _took(already, e)))
            continue
        if any(_touch(change, other) for other in theirs_changes):
            return None
        edits.append(change)
    # An insertion goes before a change that starts where it goes.
    edits.sort(key=lambda e: (e[0], e[1] > e[0]))
    out: list[str] = []
    at = 0
    for first, after, new in edits:
        out.extend(base[at:first])
        out.extend(new)
        at = max(at, after)
    out.extend(base[at:])
    if limit is not None and len(out) > limit:
        return None
    most = Counter(mine) | Counter(theirs)
    if Counter(out) - most:  # one side's new text next to the other's: the same element twice
        return None
    return out


def rank_map(old: Sequence[str], new: Sequence[str]) -> dict[int, int]:
    """``{rank in old: rank in new}`` (ranks from 1) of the elements of ``old`` that are still in ``new``: kept
    as they were, or reworded in place (a run of elements replaced by as many); removed ones are left out."""
    out = {}
    matcher = SequenceMatcher(None, list(old), list(new), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            out.update({i + 1: j + 1 for i, j in zip(range(i1, i2), range(j1, j2))})
    return out
