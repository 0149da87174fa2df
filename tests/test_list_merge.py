"""Three versions of a list merged element by element (careerconv.surfaces.app.list_merge), tried on every kind
of pair of changes: a merge never loses what either side added, and never invents what neither wrote."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from careerconv.surfaces.app.list_merge import combined, rank_map

WORDS = st.sampled_from(["Lead", "Write", "Travel", "Teach", "Run", "Paint"])
LISTS = st.lists(WORDS, max_size=5)


def test_the_changes_of_two_sides_in_different_places_are_all_kept():
    base = ["Lead", "Write", "Travel"]
    assert combined(base, ["Lead a team", "Write", "Travel"], ["Lead", "Write", "Travel", "Teach"]) == \
        ["Lead a team", "Write", "Travel", "Teach"]
    assert combined(base, ["Lead", "Travel"], ["Lead", "Write", "Travel far"]) == ["Lead", "Travel far"]
    assert combined(base, ["Write", "Lead", "Travel"], base) == ["Write", "Lead", "Travel"]  # mine reordered


def test_the_same_element_changed_or_removed_differently_cannot_be_combined():
    base = ["Lead", "Write", "Travel"]
    assert combined(base, ["Lead", "Write a book", "Travel"], ["Lead", "Write poems", "Travel"]) is None
    assert combined(base, ["Lead", "Travel"], ["Lead", "Write poems", "Travel"]) is None  # removed vs reworded
    assert combined(base, base + ["Teach"], base + ["Run"], limit=4) is None  # five would be too many


@settings(max_examples=300)
@given(base=LISTS, mine=LISTS, theirs=LISTS)
def test_a_combination_keeps_each_sides_changes(base, mine, theirs):
    result = combined(base, mine, theirs)
    if mine == base:
        assert result == theirs
    if theirs == base or mine == theirs:
        assert result == mine
    if result is None:
        return
    written = Counter(base) | Counter(mine) | Counter(theirs)
    assert not Counter(result) - written  # nothing nobody wrote
    for side in (mine, theirs):
        added = Counter(side) - Counter(base)
        assert not added - Counter(result), (side, result)  # nothing either side added is lost


@settings(max_examples=200)
@given(old=LISTS, new=LISTS)
def test_a_rank_follows_its_element_or_is_dropped(old, new):
    ranks = rank_map(old, new)
    assert list(ranks) == sorted(ranks) and list(ranks.values()) == sorted(ranks.values())  # order kept
    assert all(1 <= r <= len(old) and 1 <= ranks[r] <= len(new) for r in ranks)
    if old == new:
        assert ranks == {r: r for r in range(1, len(old) + 1)}
