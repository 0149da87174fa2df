"""Which kind of development action an option is: a small keyword classifier.

HR analytics asks which kinds of chosen options go with larger rating gains.
An option is free text written in a conversation ("Find a mentor who is strong
in SQL and meet once a month"); analytics may never show that text, only the
*kind* it belongs to, one of :data:`KINDS`:

course, mentoring, stretch project, practice, reading, shadowing, conference,
certification, other

How it decides
--------------
The text is lower-cased, the skill's own name is removed when it is known (so
an option for the skill "Coaching others" or "Project management" is not
mistaken for mentoring or a stretch project because of the skill's words), and
the first kind in :data:`PRIORITY` with a matching keyword wins. The order puts
the most specific kinds first: "Study for the SQL certification exam" is a
certification, not a course; "Attend a conference with a negotiation track"
is a conference, not practice. Keywords match at word starts ("mentor"
matches "mentoring", "mentors"), and a text that matches nothing is
``"other"``. The result is always one of :data:`KINDS`, never the text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["KINDS", "OTHER", "PRIORITY", "KEYWORDS", "classify_option", "classify_options"]

OTHER = "other"
PRIORITY: tuple[str, ...] = (
    "certification", "conference", "shadowing", "mentoring", "stretch project", "course", "reading", "practice",
)
KINDS: tuple[str, ...] = ("course", "mentoring", "stretch project", "practice", "reading", "shadowing", "conference",
                          "certification", OTHER)

# Word-start patterns per kind; a leading \b is added, the end is left open so stems match.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "certification": (r"certif", r"accredit", r"exams?\b", r"qualification", r"qualify as"),
    "conference": (r"conference", r"summit", r"meetup", r"meet-up", r"trade show", r"convention",
                   r"industry event", r"symposium"),
    "shadowing": (r"shadow", r"sit in on", r"sit with", r"job swap", r"observe ", r"observing"),
    "mentoring": (r"mentor", r"mentee", r"buddy", r"coaching sessions?", r"an? (?:external )?coach\b",
                  r"learn from (?:a|an|my) (?:senior|experienced)"),
    "stretch project": (r"stretch", r"secondment", r"rotation",
                        r"lead (?:a|an|the) (?:\w+ ){0,3}(?:project|initiative)",
                        r"take on (?:a|an|the) (?:\w+ ){0,3}(?:project|initiative|assignment)",
                        r"volunteer (?:for|to lead)", r"own (?:a|an|the) (?:\w+ ){0,3}project", r"pilot project"),
    "course": (r"course", r"class(?:es|room)?\b", r"training", r"workshop", r"bootcamp", r"boot camp", r"academy",
               r"e-learning", r"online learning", r"lesson", r"tutorial", r"webinar", r"mooc", r"module",
               r"curriculum", r"enrol", r"udemy", r"coursera"),
    "reading": (r"read(?:ing|s)?\b", r"re-?read", r"books\b", r"(?:a|an|the|one|two|this|that) (?:[\w'-]+ ){0,3}book\b",
                r"audiobook", r"articles?\b", r"blogs?\b", r"podcasts?\b", r"papers\b", r"case stud",
                r"newsletter"),
    "practice": (r"practi[cs]", r"exercise", r"side project", r"habit", r"routine", r"drill", r"rehears",
                 r"kata", r"try (?:it|this|out)", r"apply it", r"hands-on", r"each week", r"every week",
                 r"weekly", r"daily"),
}
_PATTERNS: dict[str, re.Pattern] = {
    kind: re.compile(r"\b(?:" + "|".join(KEYWORDS[kind]) + ")") for kind in PRIORITY
}
_SPACES = re.compile(r"\s+")


def classify_option(text: Any, skill: Any = None) -> str:
    """Return the kind of one option.

    Parameters
    ----------
    text
        The option as written. Anything that is not a non-empty string
        (None, NaN, a number) is ``"other"``.
    skill
        The skill the option is for; its words are ignored when classifying.

    Returns
    -------
    str
        One of :data:`KINDS`.
    """
    if not isinstance(text, str) or not text.strip():
        return OTHER
    return _classify(text, skill if isinstance(skill, str) else "")


@lru_cache(maxsize=65536)
def _classify(text: str, skill: str) -> str:
    folded = _SPACES.sub(" ", text.casefold())
    name = _SPACES.sub(" ", skill.casefold()).strip()
    if name:
        folded = folded.replace(name, " ")
    for kind in PRIORITY:
        if _PATTERNS[kind].search(folded):
            return kind
    return OTHER


def classify_options(texts: pd.Series, skills: pd.Series | None = None) -> pd.Series:
    """Classify many options at once (each distinct text/skill pair is classified once).

    Parameters
    ----------
    texts
        Option texts.
    skills
        The skill of each option, aligned with ``texts`` (optional).

    Returns
    -------
    pandas.Series
        Categorical with categories :data:`KINDS`, same index as ``texts``.

    Raises
    ------
    ValueError
        If ``skills`` is given and its length differs from ``texts``.
    """
    if skills is not None and len(skills) != len(texts):
        raise ValueError(f"texts and skills must have the same length ({len(texts)} != {len(skills)})")
    text_codes, text_values = _distinct(texts)
    if skills is None:
        skill_codes, skill_values = np.full(len(text_codes), -1), np.array([], dtype=object)
    else:
        skill_codes, skill_values = _distinct(skills)
    width = len(skill_values) + 1
    pair_codes, pairs = pd.factorize(text_codes.astype(np.int64) * width + (skill_codes + 1))
    kind_of_pair = np.array([
        KINDS.index(classify_option(text_values[p // width] if p >= 0 else None,
                                    skill_values[p % width - 1] if p % width else None))
        for p in (int(v) for v in pairs)], dtype=np.int64)
    codes = kind_of_pair[pair_codes] if len(pair_codes) else np.zeros(0, dtype=np.int64)
    return pd.Series(pd.Categorical.from_codes(codes, categories=list(KINDS)), index=texts.index, name="kind")


def _distinct(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each value's number and the distinct values (as objects; -1: missing). Text typed as Arrow text is
    numbered in Arrow, without making a Python string of every row first."""
    column = pd.Series(values)
    if column.dtype == object or not pd.api.types.is_string_dtype(column.dtype):
        column = column.astype(object)
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object)
