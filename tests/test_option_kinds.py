"""The keyword classifier that turns an option's free text into a kind (never the text itself)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from careerconv.rules.option_kinds import KINDS, OTHER, PRIORITY, classify_option, classify_options


@pytest.mark.parametrize("text, kind", [
    ("Take an online course on negotiation (six weeks)", "course"),
    ("Join the two-day classroom training run by our partner", "course"),
    ("Do the in-house academy module on budgeting", "course"),
    ("Sign up for a Coursera specialisation", "course"),
    ("Find a mentor who is strong in SQL and meet once a month", "mentoring"),
    ("Ask a senior colleague to mentor me for a quarter", "mentoring"),
    ("Join the internal mentoring programme", "mentoring"),
    ("Take on a stretch project with my coach as a safety net", "stretch project"),
    ("Lead a small internal project where this is the main challenge", "stretch project"),
    ("Volunteer for the next cross-team initiative", "stretch project"),
    ("A six-month secondment to the data team", "stretch project"),
    ("Practise deliberately for two hours a week and ask for feedback", "practice"),
    ("Set up a weekly routine using real examples from my work", "practice"),
    ("Rehearse the pitch in low-stakes team meetings", "practice"),
    ("Read one well-regarded book and share a summary", "reading"),
    ("Work through a reading list: one book and a handful of articles", "reading"),
    ("Listen to a podcast series on the topic", "reading"),
    ("Shadow someone who is excellent at it for three sessions", "shadowing"),
    ("Spend a day job shadowing in another team", "shadowing"),
    ("Attend an industry conference and bring back three ideas", "conference"),
    ("Go to a local meetup every month", "conference"),
    ("Prepare for and pass a recognised certification", "certification"),
    ("Study for the exam with a study group", "certification"),
    ("Qualify as a chartered accountant", "certification"),
    ("Ask for a raise", OTHER),
    ("Book time with my coach", OTHER),
])
def test_typical_wordings_get_their_kind(text, kind):
    assert classify_option(text) == kind


@pytest.mark.parametrize("text, skill, kind", [
    # The skill's own words do not decide the kind.
    ("Read a good book on Coaching others", "Coaching others", "reading"),
    ("Practise Project management on a small team budget", "Project management", "practice"),
    ("Shadow the lead of Designing training", "Designing training", "shadowing"),
    ("Take an online course on Event management", "Event management", "course"),
])
def test_the_skill_name_is_ignored(text, skill, kind):
    assert classify_option(text, skill) == kind


def test_the_most_specific_kind_wins():
    # A certification course is a certification; a conference with workshops is a conference.
    assert classify_option("Take the certification course") == "certification"
    assert classify_option("Attend the conference workshops") == "conference"
    assert PRIORITY[0] == "certification" and set(PRIORITY) | {OTHER} == set(KINDS)


def test_matching_is_case_and_space_insensitive():
    assert classify_option("  FIND   A  MENTOR ") == "mentoring"


@pytest.mark.parametrize("value", [None, "", "   ", float("nan"), 42, pd.NA])
def test_missing_or_non_text_is_other(value):
    assert classify_option(value) == OTHER


def test_words_that_only_start_like_a_keyword_do_not_match():
    assert classify_option("Get ready for the quarterly review") == OTHER  # not "read"
    assert classify_option("Use the classic template") == OTHER  # not "class"


def test_many_at_once_match_one_at_a_time():
    texts = pd.Series(["Read a book on SQL", None, "Find a mentor", "Read a book on SQL", "Ask for a raise"],
                      index=[10, 11, 12, 13, 14])
    skills = pd.Series(["SQL", "x", None, "SQL", "SQL"], index=texts.index)
    kinds = classify_options(texts, skills)
    assert list(kinds.index) == list(texts.index)
    assert list(kinds.cat.categories) == list(KINDS)
    assert list(kinds) == [classify_option(t, s) for t, s in zip(texts, skills)]
    assert list(classify_options(texts)) == [classify_option(t) for t in texts]


def test_empty_input_gives_an_empty_categorical():
    kinds = classify_options(pd.Series([], dtype=object))
    assert len(kinds) == 0 and list(kinds.cat.categories) == list(KINDS)


def test_lengths_must_match():
    with pytest.raises(ValueError, match="same length"):
        classify_options(pd.Series(["a", "b"]), pd.Series(["x"]))


@settings(max_examples=300)
@given(st.text(max_size=200), st.one_of(st.none(), st.text(max_size=30)))
def test_the_result_is_always_a_kind_never_the_text(text, skill):
    kind = classify_option(text, skill)
    assert kind in KINDS
    assert classify_options(pd.Series([text], dtype=object), pd.Series([skill], dtype=object)).iloc[0] == kind


def test_the_kinds_are_categories_not_text_for_a_large_batch():
    rng = np.random.default_rng(3)
    words = np.array(["read", "mentor", "course", "shadow", "secret diary entry", "practise", "exam"], dtype=object)
    texts = pd.Series(words[rng.integers(0, len(words), 5000)])
    kinds = classify_options(texts)
    assert set(kinds.unique()) <= set(KINDS)
    assert "secret diary entry" not in set(kinds.astype(str))
