"""A realistic, deterministic demo organisation for trying, testing and benchmarking.

:func:`generate_organisation` builds an organisation in memory — departments,
coaches (who are on the roster themselves), roles, names — and yields, one
employee at a time, years of career conversations and the check-ins between
them. :func:`write_demo_organisation` writes it into a data folder through the
store. The same ``seed``, ``as_of`` and ``years`` always give byte-identical
files: every random draw comes from a NumPy generator seeded by ``seed`` (one
stream for the organisation, one per employee), and every timestamp in a record
is derived from the conversation's date, never from the clock.

What the organisation looks like
--------------------------------
* **Departments**: 4–8 of Engineering, Sales, Customer Success, Operations,
  People, Finance, Marketing and Design (more for larger organisations), sized
  like a software company (Engineering largest).
* **Coaches**: about one per 6–9 employees. Each department has a head; larger
  departments have a tree of managers, each coaching a mix of managers and
  individual contributors. The head of Operations is the chief executive and
  coaches the other heads; the chief executive's own career conversations are
  held with the head of People (or, without a People department, the head of
  Engineering). About one in ten people changed coach during their history, so
  their older records carry their former coach.
* **Names** are drawn from a built-in list of names from many cultures
  (including non-ASCII names such as "Zoë Šimić", "José Álvarez" and "Nguyễn
  Thị Lan"). Every full name is unique, and no full name is contained in
  another (so erasing one person by name never touches another); records hold
  no names at all, only ids.
* **Conversations** every 6 or 12 months per each person's agreed cadence, with
  up to three weeks of slack either way, over ``years`` (2–4 by default) before
  ``as_of``. A few people (about 5%) have never had one; about 12% are overdue
  (their last conversation's ``next_due`` is before ``as_of``); one or two have
  a draft conversation in progress on ``as_of``.
* **Skills** (2–3 per conversation, from a per-department catalogue plus common
  and leadership skills) with a 1–10 self rating, sometimes a coach rating,
  "what a 10 looks like", 3–5 options from typed kinds (course, mentoring,
  stretch project, practice, reading, shadowing, conference, certification —
  the kind is visible in the option's words) with pros and cons, one chosen,
  and targets at 6, 12 and 18 months.
* **Progress**: each person has a growth trait spread evenly from 0.25 to 1.6:
  ratings drift along the plan line at that speed (times a small effect of the
  chosen kind of option: mentoring and stretch projects help most), so some
  people end up ahead of their targets and some behind.
* **Check-ins** follow each person's agreed follow-up (every 2–6 weeks). For
  the plan in force on ``as_of`` most people keep most of their follow-ups
  (how many depends on a per-person discipline trait), so some are overdue for
  a check-in and most are not; for earlier plans the follow-up starts well and
  then lapses, as it often does (this keeps 10,000 people at about 100,000
  records). A mid-year review for people on a 12-month cadence and a catch-up
  before the next conversation are common. Check-ins update the status of
  action items (open, in progress, done, dropped with a reason; items not done
  carry over to the next plan, and are dropped as superseded if they linger
  past it) and half of them record interim self ratings, some a coach rating.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import math
import os
import shutil
import time
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache
from glob import escape as glob_escape
from importlib import resources
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np
import pandas as pd

from careerconv.records import schema
from careerconv.records.questions import load_question_set
from careerconv.records.schema import (
    CADENCE_MONTHS, CHECKIN_ID, COACH_ID, COACH_RATING, CONVERSATION_ID, DATE, DEPARTMENT, EMPLOYEE_ID, ITEM_ID,
    SELF_RATING, SKILL, STATUS,
)
from careerconv.records.store import RECORD_KINDS, Store
from .limits import DEFAULT_YEARS, MAX_EMPLOYEES, MIN_EMPLOYEES, parse_years

__all__ = [
    "DEPARTMENT_NAMES",
    "OPTION_KINDS",
    "MIN_EMPLOYEES",
    "MAX_EMPLOYEES",
    "DemoOrganisation",
    "DemoSummary",
    "generate_organisation",
    "write_demo_organisation",
    "parse_years",
    "holds_organisation",
]

QUESTION_SET = "career-conversation"
ALTERNATIVE_SET = "career-conversation-alternative"
SOURCE = "demo"
EMAIL_DOMAIN = "example.org"
# Shares of the organisation that are never met / overdue (at least one each).
NEVER_MET_SHARE = 0.05
OVERDUE_SHARE = 0.12
MAX_SLACK_DAYS = 21
_BATCH_EMPLOYEES = 250
_WORDS = "words"  # the folder of word lists (JSON) beside this module

# --------------------------------------------------------------------------
# catalogues: departments, roles, skills, dreams, options and the words people use


@dataclass(frozen=True)
class _Department:
    name: str
    weight: float
    head_role: str
    senior_coach_role: str
    coach_role: str
    roles: tuple[tuple[str, int, float], ...]  # (title, seniority 0 junior / 1 mid / 2 senior, weight)
    skills: tuple[str, ...]
    dreams: tuple[str, ...]
    want_more: tuple[str, ...]


def _tuples(value):
    """A JSON value with every list turned into a tuple (the catalogues are read-only)."""
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    if isinstance(value, dict):
        return {k: _tuples(v) for k, v in value.items()}
    return value


def _words(name: str) -> dict:
    """One word list of :data:`_WORDS` (a JSON object; its ``about`` says what it holds), lists as tuples."""
    text = resources.files(__package__).joinpath(_WORDS, name).read_text(encoding="utf-8")
    return _tuples(json.loads(text))


_DEPARTMENTS: tuple[_Department, ...] = tuple(_Department(**d) for d in _words("departments.json")["departments"])
DEPARTMENT_NAMES: tuple[str, ...] = tuple(d.name for d in _DEPARTMENTS)
_DEPARTMENT = {d.name: d for d in _DEPARTMENTS}

_SKILLS = _words("skills.json")
COMMON_SKILLS: tuple[str, ...] = _SKILLS["common"]
LEADERSHIP_SKILLS: tuple[str, ...] = _SKILLS["leadership"]
# What a 10 looks like, per skill, in the words an employee might use.
_TEN_LOOKS_LIKE: dict[str, str] = _SKILLS["ten_looks_like"]
# Skills with a recognised certification (the only ones offered the certification kind of option).
_CERTIFIABLE = frozenset(_SKILLS["certifiable"])
# Words that keep their capital letter inside a sentence.
_PROPER_WORDS = frozenset(_SKILLS["proper_words"])


@dataclass(frozen=True)
class _OptionKind:
    templates: tuple[str, ...]
    pros: tuple[str, ...]
    cons: tuple[str, ...]
    action: str
    reason: str
    label: str
    growth: float  # multiplier on the speed of progress when this kind is chosen
    preference: float  # how often people choose it


_OPTION_KINDS: dict[str, _OptionKind] = {k: _OptionKind(**v) for k, v in _words("options.json")["kinds"].items()}
OPTION_KINDS: tuple[str, ...] = tuple(_OPTION_KINDS)

_PLANS = _words("plans.json")
_COMMON_DREAMS: tuple[str, ...] = _PLANS["common_dreams"]
_LEADER_DREAMS: tuple[str, ...] = _PLANS["leader_dreams"]
_COMMON_WANT_MORE: tuple[str, ...] = _PLANS["common_want_more"]
_START_NOW: tuple[str, ...] = _PLANS["start_now"]
_GENERAL_ITEMS: tuple[tuple[str, str], ...] = _PLANS["general_items"]  # (text, owner)
_FOLLOW_UP_MODES = _PLANS["follow_up_modes"]  # (mode, share, cadences in weeks, their weights)
_FOLLOW_UP_NOTES: dict[str, str] = _PLANS["follow_up_notes"]
_CHECKIN_NOTES: tuple[str, ...] = _PLANS["checkin_notes"]
_REVIEW_NOTE: str = _PLANS["review_note"]
_ITEM_NOTES: dict[str, tuple[str, ...]] = _PLANS["item_notes"]
_DROP_REASONS: tuple[str, ...] = _PLANS["drop_reasons"]
_SUPERSEDED: str = _PLANS["superseded"]
_ALT_ANSWERS: dict[str, tuple[str, ...]] = _PLANS["alt_answers"]
_ALT_REALISTIC: tuple[str, ...] = _PLANS["alt_realistic"]
_CHECKIN_SKIP = 0.15  # chance that an agreed follow-up slot is skipped while the person keeps it up

# Names per culture: (given names, family names), written given name first. The showcase names are in
# every organisation, so non-ASCII names are always there to be tested.
_NAMES = _words("names.json")
_NAME_CULTURES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = tuple(
    (c["given"], c["family"]) for c in _NAMES["cultures"])
# Vietnamese names are written family name, middle name, given name.
_VI_FAMILY: tuple[str, ...] = _NAMES["vietnamese"]["family"]
_VI_FEMALE: tuple[tuple[str, ...], tuple[str, ...]] = _NAMES["vietnamese"]["female"]  # (middle names, given names)
_VI_MALE: tuple[tuple[str, ...], tuple[str, ...]] = _NAMES["vietnamese"]["male"]
_SHOWCASE_NAMES: tuple[str, ...] = _NAMES["showcase"]
_CULTURE_WEIGHTS = np.array([c["weight"] for c in _NAMES["cultures"]]
                            + [_NAMES["vietnamese"]["weight"]])  # the last weight is for the Vietnamese names
_INITIALS = tuple(f"{c}." for c in _NAMES["initials"])


# --------------------------------------------------------------------------
# small deterministic helpers


class _Draw:
    """Fast scalar draws from one NumPy generator (buffered: scalar NumPy calls are slow)."""

    __slots__ = ("_gen", "_u", "_ui", "_n", "_ni")

    def __init__(self, seed_sequence: np.random.SeedSequence):
        self._gen = np.random.Generator(np.random.PCG64(seed_sequence))
        self._u: list[float] = []
        self._ui = 0
        self._n: list[float] = []
        self._ni = 0

    def u(self) -> float:
        """A uniform float in [0, 1)."""
        if self._ui >= len(self._u):
            self._u = self._gen.random(512).tolist()
            self._ui = 0
        value = self._u[self._ui]
        self._ui += 1
        return value

    def normal(self, mean: float = 0.0, sd: float = 1.0) -> float:
        if self._ni >= len(self._n):
            self._n = self._gen.standard_normal(256).tolist()
            self._ni = 0
        value = self._n[self._ni]
        self._ni += 1
        return mean + sd * value

    def below(self, n: int) -> int:
        return min(int(self.u() * n), n - 1)

    def between(self, low: int, high: int) -> int:
        """An integer from ``low`` to ``high``, both included."""
        return low + self.below(high - low + 1)

    def uniform(self, low: float, high: float) -> float:
        return low + (high - low) * self.u()

    def chance(self, p: float) -> bool:
        return self.u() < p

    def pick(self, seq: Sequence):
        return seq[self.below(len(seq))]

    def weighted(self, seq: Sequence, weights: Sequence[float]):
        total = sum(weights)
        x = self.u() * total
        for item, w in zip(seq, weights):
            x -= w
            if x < 0:
                return item
        return seq[-1]

    def sample(self, seq: Sequence, k: int) -> list:
        """``k`` distinct items of ``seq`` in random order."""
        pool = list(seq)
        out = []
        for _ in range(min(k, len(pool))):
            out.append(pool.pop(self.below(len(pool))))
        return out

    def shuffled(self, seq: Sequence) -> list:
        return self.sample(seq, len(seq))


def _add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later (or earlier), the day clipped to the end of a shorter month."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def _weekday(day: dt.date, latest: dt.date | None = None) -> dt.date:
    """Move a Saturday to Friday and a Sunday to Monday (or Friday if Monday is after ``latest``)."""
    wd = day.weekday()
    if wd == 5:
        return day - dt.timedelta(days=1)
    if wd == 6:
        monday = day + dt.timedelta(days=1)
        if latest is not None and monday > latest:
            return day - dt.timedelta(days=2)
        return monday
    return day


def _at(day: dt.date, seconds_after_midnight: int) -> str:
    moment = dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc) + dt.timedelta(
        seconds=seconds_after_midnight)
    return moment.isoformat()


def _phrase(skill: str) -> str:
    """A skill name as it reads inside a sentence ("system design", but "SQL", "IFRS reporting")."""
    first, _, rest = skill.partition(" ")
    if first in _PROPER_WORDS:
        return skill
    return first[:1].lower() + first[1:] + (" " + rest if rest else "")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _ascii_fold(text: str) -> str:
    special = {"ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "ß": "ss", "ı": "i", "'": ""}
    text = "".join(special.get(ch, ch) for ch in text)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


# --------------------------------------------------------------------------
# unique names, none contained in another


@lru_cache(maxsize=1)
def _name_vocabulary() -> tuple[dict[str, tuple[str, ...]], ...]:
    """For each name token, the tokens it is a suffix/prefix of, and those that are its suffix/prefix."""
    tokens: set[str] = set(_INITIALS)
    for given, family in _NAME_CULTURES:
        for name in (*given, *family):
            tokens.update(_nfc(name).split(" "))
    tokens.update(_nfc(t) for t in _VI_FAMILY)
    for middles, givens in (_VI_FEMALE, _VI_MALE):
        tokens.update(_nfc(t) for t in (*middles, *givens))
    for name in _SHOWCASE_NAMES:
        tokens.update(_nfc(name).split(" "))
    # Compared case-insensitively: a search for "Ann Lee" also finds "JOANN LEEDS".
    ordered = sorted(tokens)
    folded = [(t, t.casefold()) for t in ordered]
    ends_with = {t: tuple(o for o, of in folded if of.endswith(tf)) for t, tf in folded}  # o has suffix t
    starts_with = {t: tuple(o for o, of in folded if of.startswith(tf)) for t, tf in folded}  # o has prefix t
    suffixes_of = {t: tuple(o for o, of in folded if tf.endswith(of)) for t, tf in folded}  # o is a suffix of t
    prefixes_of = {t: tuple(o for o, of in folded if tf.startswith(of)) for t, tf in folded}  # o is a prefix of t
    return ends_with, starts_with, suffixes_of, prefixes_of


class _NameRegistry:
    """Full names accepted so far; refuses one that equals, contains or is contained in another.

    A name is a sequence of tokens separated by single spaces. One name can
    occur inside another only if its first token is a suffix of a token of the
    other, its last token a prefix of a later token and the tokens between are
    equal, so checking the (small) suffix/prefix families of the end tokens
    against every run of tokens of the names taken is exact.
    """

    def __init__(self) -> None:
        self.names: set[tuple[str, ...]] = set()
        self.runs: set[tuple[str, ...]] = set()
        self.ends_with, self.starts_with, self.suffixes_of, self.prefixes_of = _name_vocabulary()

    def conflicts(self, tokens: tuple[str, ...]) -> bool:
        first, last, middle = tokens[0], tokens[-1], tokens[1:-1]
        for a in self.ends_with.get(first, (first,)):
            for b in self.starts_with.get(last, (last,)):
                if (a, *middle, b) in self.runs:
                    return True
        k = len(tokens)
        for i in range(k):
            for j in range(i + 1, k):
                inner = tokens[i + 1:j]
                for a in self.suffixes_of.get(tokens[i], (tokens[i],)):
                    for b in self.prefixes_of.get(tokens[j], (tokens[j],)):
                        if (a, *inner, b) in self.names:
                            return True
        return False

    def add(self, tokens: tuple[str, ...]) -> None:
        self.names.add(tokens)
        for i in range(len(tokens)):
            for j in range(i + 2, len(tokens) + 1):
                self.runs.add(tokens[i:j])


def _draw_name(draw: _Draw, registry: _NameRegistry) -> str:
    cultures = len(_NAME_CULTURES) + 1
    weights = _CULTURE_WEIGHTS.tolist()
    for attempt in range(40):
        culture = draw.weighted(range(cultures), weights)
        if culture == len(_NAME_CULTURES):
            middles, givens = _VI_FEMALE if draw.chance(0.5) else _VI_MALE
            tokens = (draw.pick(_VI_FAMILY), draw.pick(middles), draw.pick(givens))
        else:
            given_pool, family_pool = _NAME_CULTURES[culture]
            if draw.chance(0.12):  # families mix: a given name from one culture, a family name from another
                family_pool = _NAME_CULTURES[draw.below(len(_NAME_CULTURES))][1]
            given, family = draw.pick(given_pool), draw.pick(family_pool)
            tokens = (*given.split(" "), *family.split(" "))
            if attempt >= 6:  # common combinations are taken: add middle initials, as HR systems do
                initials = tuple(draw.pick(_INITIALS) for _ in range(1 + (attempt >= 20)))
                tokens = (*given.split(" "), *initials, *family.split(" "))
        tokens = tuple(_nfc(t) for t in tokens)
        if not registry.conflicts(tokens):
            registry.add(tokens)
            return " ".join(tokens)
    raise RuntimeError("could not draw a unique name; the name lists are too small for this organisation")


def _email(name: str, taken: set[str]) -> str:
    parts = [p for p in _ascii_fold(name).lower().replace("-", "").split(" ") if p and not p.endswith(".")]
    stem = ".".join(parts) if parts else "employee"
    candidate, n = stem, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}{n}"
    taken.add(candidate)
    return f"{candidate}@{EMAIL_DOMAIN}"


# --------------------------------------------------------------------------
# the organisation


@dataclass
class _Person:
    index: int
    employee_id: str = ""
    name: str = ""
    department: str = ""
    role: str = ""
    seniority: int = 1
    kind: str = "ic"  # "ic", "coach", "head"
    coach_index: int = -1
    former_coach_index: int = -1
    switch_fraction: float = 0.0
    cadence: int = 12
    cadence_switch: bool = False
    years: float = 3.0
    never_met: bool = False
    overdue_days: int = 0
    draft: bool = False
    growth: float = 1.0
    ambition: float = 1.0
    self_bias: float = 0.0
    discipline: float = 0.5
    coach_bias: float = 0.0
    kind_taste: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`write_demo_organisation` wrote."""

    root: Path
    seed: int
    as_of: dt.date
    employees: int
    coaches: int
    departments: dict[str, int]
    conversations: int
    drafts: int
    checkins: int
    never_met: int
    overdue: int
    files: int
    seconds: float


class DemoOrganisation:
    """A generated organisation: its roster, and its records produced on demand.

    Build it with :func:`generate_organisation`. The roster is computed at once;
    the records of each employee are generated when :meth:`records` or
    :meth:`records_of` is called, always the same for the same employee.

    Attributes
    ----------
    seed, as_of, years
        What it was generated from.
    question_set_version
        Version of the built-in ``career-conversation`` set its records use.
    """

    def __init__(self, seed: int, as_of: dt.date, years: tuple[float, float], people: list[_Person],
                 question_set_version: str):
        self.seed = seed
        self.as_of = as_of
        self.years = years
        self.question_set_version = question_set_version
        self._people = people
        self._by_id = {p.employee_id: p for p in people}
        taken: set[str] = set()
        rows = []
        for p in people:  # e-mail addresses are handed out in the order people were made
            rows.append({EMPLOYEE_ID: p.employee_id, "name": p.name,
                         COACH_ID: people[p.coach_index].employee_id, DEPARTMENT: p.department,
                         "role": p.role, CADENCE_MONTHS: p.cadence, "email": _email(p.name, taken)})
        rows.sort(key=lambda r: r[EMPLOYEE_ID])
        self._roster = schema.coerce_frame(pd.DataFrame(rows, columns=schema.ROSTER.names), schema.ROSTER)

    @property
    def roster(self) -> pd.DataFrame:
        """The roster (a new frame each time) with the columns of :data:`careerconv.records.schema.ROSTER`, by id."""
        return self._roster.copy()

    @property
    def employee_ids(self) -> list[str]:
        """Every employee id, sorted."""
        return sorted(self._by_id)

    @property
    def departments(self) -> dict[str, int]:
        """Department name -> number of people, in the catalogue's order."""
        counts: dict[str, int] = {}
        for p in self._people:
            counts[p.department] = counts.get(p.department, 0) + 1
        return {name: counts[name] for name in DEPARTMENT_NAMES if name in counts}

    @property
    def coach_ids(self) -> list[str]:
        """Ids of everyone who coaches someone on the roster, sorted."""
        return sorted({self._people[p.coach_index].employee_id for p in self._people})

    def records_of(self, employee_id: str) -> list[dict]:
        """Every conversation and check-in of one employee, oldest first (unvalidated dicts).

        Raises
        ------
        KeyError
            If ``employee_id`` is not in this organisation.
        """
        try:
            person = self._by_id[employee_id]
        except KeyError:
            raise KeyError(f"employee {employee_id!r} is not in the demo organisation") from None
        return _History(self, person).build()

    def records(self) -> Iterator[tuple[str, list[dict]]]:
        """``(employee_id, records)`` for every employee, in id order."""
        for eid in self.employee_ids:
            yield eid, self.records_of(eid)

    def _coach_on(self, person: _Person, day: dt.date, first: dt.date, last: dt.date) -> _Person:
        """The coach a person had on ``day`` (the former coach before the switch)."""
        if person.former_coach_index >= 0:
            switch = first + dt.timedelta(days=int((last - first).days * person.switch_fraction))
            if day < switch:
                return self._people[person.former_coach_index]
        return self._people[person.coach_index]


def _check_arguments(employees: int, seed: int, as_of: dt.date) -> None:
    if isinstance(employees, bool) or not isinstance(employees, (int, np.integer)):
        raise ValueError(f"employees must be a whole number, got {employees!r}")
    if not MIN_EMPLOYEES <= employees <= MAX_EMPLOYEES:
        raise ValueError(f"employees must be from {MIN_EMPLOYEES} to {MAX_EMPLOYEES:,} (got {employees}); "
                         f"a smaller organisation cannot have four departments with a coach each")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
    if not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime):
        raise ValueError(f"as_of must be a date, got {as_of!r}")


def _department_count(employees: int) -> int:
    for limit, count in ((40, 4), (80, 5), (150, 6), (300, 7)):
        if employees < limit:
            return count
    return 8


def _split(total: int, weights: Sequence[float], minimum: int) -> list[int]:
    """Split ``total`` into parts proportional to ``weights`` (largest remainder), each >= ``minimum``."""
    n = len(weights)
    spare = total - minimum * n
    shares = np.asarray(weights, dtype=float) / float(sum(weights)) * spare
    parts = np.floor(shares).astype(int)
    for i in np.argsort(-(shares - parts), kind="stable")[: spare - int(parts.sum())]:
        parts[i] += 1
    return [int(p) + minimum for p in parts]


def generate_organisation(employees: int, seed: int, as_of: dt.date,
                          years: tuple[float, float] | str = DEFAULT_YEARS) -> DemoOrganisation:
    """Build a demo organisation (roster now, records on demand).

    Parameters
    ----------
    employees
        Number of people on the roster, coaches included (8 to 2,000,000).
    seed
        Seed of every random draw; the same seed gives the same organisation.
    as_of
        The day the data is as of: no record is dated after it.
    years
        Range of years of history per person, e.g. ``(2, 4)`` or ``"2-4"``.

    Returns
    -------
    DemoOrganisation

    Raises
    ------
    ValueError
        For an out-of-range number of employees, a negative seed, a bad date or
        bad years.
    """
    _check_arguments(employees, seed, as_of)
    years = parse_years(years)
    draw = _Draw(np.random.SeedSequence(int(seed), spawn_key=(0,)))
    n_depts = _department_count(employees)
    departments = _DEPARTMENTS[:n_depts]
    # The sizes vary a little around the typical shares of a software company.
    weights = [d.weight * math.exp(draw.normal(0, 0.15)) for d in departments]
    sizes = _split(employees, weights, 2)
    people: list[_Person] = []
    heads: dict[str, int] = {}
    for dept, size in zip(departments, sizes):
        members = [_Person(index=len(people) + i, department=dept.name) for i in range(size)]
        people.extend(members)
        _build_department(draw, dept, members)
        heads[dept.name] = members[0].index
    ceo = people[heads["Operations"]]
    for name, idx in heads.items():
        if name != "Operations":
            people[idx].coach_index = ceo.index
    ceo.coach_index = heads.get("People", heads["Engineering"])
    _assign_traits(draw, people, years)
    _assign_names_and_ids(draw, people)
    version = load_question_set(QUESTION_SET).version
    return DemoOrganisation(int(seed), as_of, years, people, version)


def _build_department(draw: _Draw, dept: _Department, members: list[_Person]) -> None:
    """Make a coaching tree: the head, managers coaching a mix of managers and individual contributors."""
    n = len(members)
    n_coaches = max(1, min(n - 1, round(n / 7.5)))
    coaches = members[:n_coaches]
    for i, c in enumerate(coaches):
        c.kind = "head" if i == 0 else "coach"
        if i > 0:
            c.coach_index = coaches[(i - 1) // 4].index  # each manager coaches up to four managers
    loads = _split(n - 1, [1.0] * n_coaches, 0)
    order = draw.shuffled(range(n_coaches))
    capacity = {coaches[i].index: loads[k] for k, i in enumerate(order)}
    for c in coaches[1:]:
        capacity[c.coach_index] -= 1
    # A manager with more managers under them than their share coaches fewer individual contributors.
    slots: list[int] = []
    for c in coaches:
        slots.extend([c.index] * max(0, capacity[c.index]))
    ics = members[n_coaches:]
    while len(slots) < len(ics):
        slots.append(coaches[len(slots) % n_coaches].index)
    slots = draw.shuffled(slots)
    for person, coach in zip(ics, slots):
        person.coach_index = coach
    coach_reports = {c.index: 0 for c in coaches}
    for c in coaches[1:]:
        coach_reports[c.coach_index] += 1
    titles, seniorities, role_weights = zip(*dept.roles)
    for c in coaches:
        if c.kind == "head":
            c.role, c.seniority = dept.head_role, 2
        else:
            c.role = dept.senior_coach_role if coach_reports[c.index] else dept.coach_role
            c.seniority = 2
    for p in ics:
        k = draw.weighted(range(len(titles)), role_weights)
        p.role, p.seniority = titles[k], seniorities[k]


def _stratified(draw: _Draw, n: int, low: float, high: float) -> list[float]:
    """``n`` values spread evenly over [low, high] (one per stratum), in random order."""
    values = [low + (high - low) * (k + draw.u()) / n for k in range(n)]
    return draw.shuffled(values)


def _assign_traits(draw: _Draw, people: list[_Person], years: tuple[float, float]) -> None:
    n = len(people)
    growth = _stratified(draw, n, 0.25, 1.6)
    coaches_by_department: dict[str, list[int]] = {}
    for p in people:
        if p.kind != "ic":
            coaches_by_department.setdefault(p.department, []).append(p.index)
    for p, g in zip(people, growth):
        p.growth = g
        p.ambition = draw.uniform(0.6, 1.4)
        p.self_bias = draw.normal(0.2, 0.35)
        p.discipline = min(0.98, max(0.05, draw.normal(0.55, 0.22)))
        p.coach_bias = draw.normal(-0.2, 0.35)
        p.years = draw.uniform(*years)
        aspiring = p.seniority == 0 or p.ambition > 1.2
        p.cadence = 6 if draw.chance(0.6 if aspiring else 0.3) else 12
        p.cadence_switch = draw.chance(0.08)
        p.kind_taste = {k: kind.preference * math.exp(draw.normal(0, 0.5)) for k, kind in _OPTION_KINDS.items()}
        if p.kind != "head" and draw.chance(0.1):
            same = coaches_by_department[p.department]
            for _ in range(4):
                candidate = draw.pick(same)
                if candidate not in (p.index, p.coach_index):
                    p.former_coach_index = candidate
                    p.switch_fraction = draw.uniform(0.2, 0.8)
                    break
    order = draw.shuffled(range(n))
    never = max(1, round(NEVER_MET_SHARE * n))
    ics = [i for i in order if people[i].kind == "ic"]
    for i in ics[:never]:
        people[i].never_met = True
    rest = [i for i in order if not people[i].never_met]
    n_drafts = 2 if n >= 10 else 1
    n_overdue = max(1, round(OVERDUE_SHARE * n))
    for i in rest[:n_drafts]:
        people[i].draft = True
    for i in rest[n_drafts:n_drafts + n_overdue]:
        people[i].overdue_days = draw.between(10, 150)


def _assign_names_and_ids(draw: _Draw, people: list[_Person]) -> None:
    n = len(people)
    width = max(4, len(str(n)))
    numbers = draw.shuffled(range(1, n + 1))
    for p, number in zip(people, numbers):
        p.employee_id = f"E{number:0{width}d}"
    registry = _NameRegistry()
    showcase = [_nfc(s) for s in _SHOWCASE_NAMES][: n]
    for name in showcase:
        registry.add(tuple(name.split(" ")))
    slots = draw.sample(range(n), len(showcase))
    for idx, name in zip(slots, showcase):
        people[idx].name = name
    for p in people:
        if not p.name:
            p.name = _draw_name(draw, registry)


# --------------------------------------------------------------------------
# one person's history


@dataclass
class _SkillPlan:
    """A skill's latent level follows the plan line of the last conversation at the person's speed."""

    t0: dt.date
    base: float
    steps: tuple[float, float, float]  # target minus baseline at 6, 12, 18 months
    speed: float

    def level(self, day: dt.date) -> float:
        months = max(0.0, (day - self.t0).days / 30.4375)
        s6, s12, s18 = self.steps
        if months <= 6:
            f = s6 * months / 6
        elif months <= 12:
            f = s6 + (s12 - s6) * (months - 6) / 6
        elif months <= 18:
            f = s12 + (s18 - s12) * (months - 12) / 6
        else:
            f = s18 + 0.1 * (months - 18) / 6
        # The last points towards 10 come slowest.
        damping = min(1.0, max(0.15, (10.3 - self.base) / 4))
        return min(10.4, self.base + self.speed * damping * f)


@dataclass
class _Item:
    conversation_id: str
    item_id: str
    start: dt.date | None
    end: dt.date | None
    fate: str  # "done", "dropped" or "linger"
    reason: str
    carried: int = 0


class _History:
    """Generates one employee's conversations and check-ins, oldest first."""

    def __init__(self, org: DemoOrganisation, person: _Person):
        self.org = org
        self.p = person
        self.draw = _Draw(np.random.SeedSequence(org.seed, spawn_key=(1, person.index)))
        self.dept = _DEPARTMENT[person.department]
        self.plans: dict[str, _SkillPlan] = {}
        self.dreams: list[str] = []
        self.items: list[_Item] = []
        self.current_skills: list[str] = []
        self.checkin_ids: set[str] = set()
        self.mode: tuple | None = None

    # ---- schedule
    def schedule(self) -> list[tuple[dt.date, int]]:
        """Conversation dates and the cadence agreed at each, built backwards from the latest."""
        p, d, as_of = self.p, self.draw, self.org.as_of
        earliest = as_of - dt.timedelta(days=round(p.years * 365.25))
        cadence = p.cadence
        if p.overdue_days:
            last = _add_months(as_of, -cadence) - dt.timedelta(days=p.overdue_days)
        elif p.draft:
            last = _add_months(as_of, -cadence) + dt.timedelta(days=d.between(-20, 10))
        else:
            span = (as_of - _add_months(as_of, -cadence)).days
            last = as_of - dt.timedelta(days=d.below(span))
        last = _weekday(last, as_of)
        dates = [(last, cadence)]
        switch_at = d.between(1, 4) if p.cadence_switch else -1
        while True:
            if len(dates) == switch_at:
                cadence = 18 - cadence  # 6 <-> 12: they changed their mind about the rhythm
            # +-19 days, then at most a day to a weekday and a day of month-end clipping: within +-3 weeks
            slack = max(2 - MAX_SLACK_DAYS, min(MAX_SLACK_DAYS - 2, round(d.normal(0, 8))))
            prev = _weekday(_add_months(dates[-1][0], -cadence) + dt.timedelta(days=slack))
            if prev < earliest:
                break
            dates.append((prev, cadence))
        dates.reverse()
        return dates

    def build(self) -> list[dict]:
        if self.p.never_met:
            return []
        sched = self.schedule()
        first, last = sched[0][0], sched[-1][0]
        records: list[dict] = []
        for k, (day, cadence) in enumerate(sched):
            coach = self.org._coach_on(self.p, day, first, last)
            conv = self.conversation(day, cadence, coach, k == 0)
            records.append(conv)
            bound = sched[k + 1][0] if k + 1 < len(sched) else None
            records.extend(self.checkins(conv, day, cadence, bound, first, last))
        if self.p.draft:
            day = _weekday(self.org.as_of - dt.timedelta(days=self.draw.between(0, 2)), self.org.as_of)
            if day <= last:
                day = self.org.as_of
            coach = self.org._coach_on(self.p, day, first, last)
            records.append(self.draft(day, coach))
        return records

    # ---- one conversation
    def _rating(self, level: float, bias: float, sd: float) -> int:
        return max(schema.RATING_MIN, min(schema.RATING_MAX, round(level + bias + self.draw.normal(0, sd))))

    def _initial_level(self, skill: str) -> float:
        mean = (3.6, 5.0, 6.2)[self.p.seniority]
        if skill in LEADERSHIP_SKILLS and self.p.kind == "ic":
            mean -= 1.0
        return max(1.5, min(8.5, self.draw.normal(mean, 1.0)))

    def _skill_pool(self) -> list[str]:
        pool = list(self.dept.skills) + list(COMMON_SKILLS)
        if self.p.kind != "ic":
            pool += list(LEADERSHIP_SKILLS) * 2
        elif self.p.seniority == 2:
            pool += ["Coaching others", "Delegation", "Hiring"]
        return pool

    def _choose_skills(self, day: dt.date, first: bool) -> list[str]:
        d = self.draw
        n = d.weighted((1, 2, 3, 4), (0.05, 0.5, 0.38, 0.07))
        # A skill stays on the plan for a while; one that is nearly mastered makes way for a new one.
        keep = [] if first else [s for s in self.current_skills
                                 if d.chance(0.3 if self.plans[s].level(day) >= 8.5 else 0.75)]
        if not first and not keep and self.current_skills:
            keep = [d.pick(self.current_skills)]
        skills = keep[:n]
        pool = self._skill_pool()
        while len(skills) < max(n, 1):
            s = d.pick(pool)
            if s not in skills:
                skills.append(s)
        return skills

    def _dreams(self, first: bool) -> list[str]:
        d = self.draw
        pool = list(self.dept.dreams) + list(_COMMON_DREAMS) + (list(_LEADER_DREAMS) if self.p.kind != "ic" else [])
        if first:
            self.dreams = d.sample(pool, d.weighted((3, 4, 5), (0.35, 0.4, 0.25)))
            return list(self.dreams)
        dreams = list(self.dreams)
        if d.chance(0.3):
            fresh = [x for x in pool if x not in dreams]
            dreams[d.below(len(dreams))] = d.pick(fresh)
        if d.chance(0.3) and len(dreams) > 1:
            i = d.below(len(dreams) - 1)
            dreams[i], dreams[i + 1] = dreams[i + 1], dreams[i]
        if len(dreams) < 5 and d.chance(0.1):
            dreams.append(d.pick([x for x in pool if x not in dreams]))
        self.dreams = dreams
        return list(dreams)

    def _targets(self, baseline: int) -> tuple[int, int, int]:
        d = self.draw
        a = self.p.ambition * min(1.0, (schema.RATING_MAX + 0.5 - baseline) / 4)  # people near 10 aim lower
        room = schema.RATING_MAX - baseline
        s6 = max(0, min(2, round(d.normal(0.8 * a, 0.45))))
        s12 = s6 + max(0, min(2, round(d.normal(0.7 * a, 0.45))))
        s18 = s12 + max(0, min(2, round(d.normal(0.5 * a, 0.45))))
        s18 = max(s18, 1)
        return tuple(baseline + min(room, s) for s in (s6, s12, s18))  # type: ignore[return-value]

    def _options(self, skill: str) -> tuple[list[dict], str]:
        d = self.draw
        kinds = [k for k in OPTION_KINDS if k != "certification" or skill in _CERTIFIABLE]
        n = d.weighted((3, 4, 5), (0.6, 0.3, 0.1))
        chosen_kind = d.weighted(kinds, [self.p.kind_taste[k] for k in kinds])
        others = d.sample([k for k in kinds if k != chosen_kind], n - 1)
        picked = d.shuffled([chosen_kind, *others])
        phrase = _phrase(skill)
        options = []
        for kind_name in picked:
            kind = _OPTION_KINDS[kind_name]
            options.append({
                "text": d.pick(kind.templates).format(s=phrase),
                "pros": "; ".join(d.sample(kind.pros, d.between(1, 2))),
                "cons": "; ".join(d.sample(kind.cons, d.between(1, 2))),
                "chosen": kind_name == chosen_kind,
            })
        return options, chosen_kind

    def _sections(self, day: dt.date, full: bool = True) -> tuple[dict, str | None]:
        d = self.draw
        clock = d.pick((9, 10, 11, 13, 14, 15, 16)) * 3600 + d.pick((0, 15, 30)) * 60
        sections: dict[str, dict] = {}
        for name, mean, sd in (("goals", 19, 5), ("action_plan", 23, 6), ("next_steps", 14, 4)):
            seconds = max(240, round(d.normal(mean, sd) * 60))
            if not full and name == "action_plan":
                sections[name] = {"started_at": _at(day, clock), "ended_at": None, "seconds": None}
                return sections, None
            sections[name] = {"started_at": _at(day, clock), "ended_at": _at(day, clock + seconds),
                              "seconds": seconds}
            clock += seconds + d.between(0, 60)
        return sections, _at(day, clock + d.between(30, 180))

    def conversation(self, day: dt.date, cadence: int, coach: _Person, first: bool) -> dict:
        d, p = self.draw, self.p
        rec = schema.new_conversation(p.employee_id, coach.employee_id, day, QUESTION_SET,
                                      self.org.question_set_version)
        rec["source"] = SOURCE
        rec[STATUS] = "completed"
        rec["sections"], rec["completed_at"] = self._sections(day)
        dreams = self._dreams(first)
        rec["dreams"] = [{"rank": i + 1, "text": text} for i, text in enumerate(dreams)]
        rec["answers"] = {
            "want_more": d.pick(self.dept.want_more + _COMMON_WANT_MORE),
            "start_now": "; ".join(d.sample(_START_NOW, d.between(1, 2))),
        }
        if d.chance(0.25):  # the coach pulled in a question or two from the alternative bank
            for qid in d.sample(tuple(_ALT_ANSWERS), d.between(1, 2)):
                rec["answers"][qid] = d.pick(_ALT_ANSWERS[qid])
            if d.chance(0.5):
                rec["answers"]["alt_realistic"] = d.weighted(_ALT_REALISTIC, (0.25, 0.45, 0.25, 0.05))
        skills = self._choose_skills(day, first)
        speed = max(0.1, p.growth * math.exp(d.normal(0, 0.12)))
        records_skills, items = [], []
        for name in skills:
            plan = self.plans.get(name)
            level = plan.level(day) if plan else self._initial_level(name)
            baseline = self._rating(level, p.self_bias, 0.3)
            t6, t12, t18 = self._targets(baseline)
            options, chosen_kind = self._options(name)
            kind = _OPTION_KINDS[chosen_kind]
            skill = schema.new_skill(name)
            skill.update({
                SELF_RATING: baseline,
                COACH_RATING: self._rating(level, coach.coach_bias, 0.4) if d.chance(0.45) else None,
                "ten_looks_like": _TEN_LOOKS_LIKE[name],
                "options": options,
                "approach": f"{kind.label}: {kind.reason}.",
                "targets": {"6": t6, "12": t12, "18": t18},
                "dream_rank": d.between(1, len(dreams)),
            })
            records_skills.append(skill)
            self.plans[name] = _SkillPlan(day, level, (t6 - baseline, t12 - baseline, t18 - baseline),
                                          speed * kind.growth)
            if not items or d.chance(0.8):
                items.append((kind.action.format(s=_phrase(name)), "employee", name))
        for text, owner in d.sample(_GENERAL_ITEMS, d.weighted((0, 1, 2), (0.4, 0.45, 0.15))):
            items.append((text, owner, ""))
        rec["skills"] = records_skills
        horizon = min(150, int(cadence * 30.4 * 0.8))
        action_items = []
        for i, (text, owner, skill_name) in enumerate(items, start=1):
            due = _weekday(day + dt.timedelta(days=d.between(21, horizon)))
            action_items.append({ITEM_ID: f"a{i}", "text": text, "due": due.isoformat(), "owner": owner,
                                 SKILL: skill_name})
            self._track(rec[CONVERSATION_ID], f"a{i}", day, due)
        rec["action_items"] = action_items
        mode, _, weeks, week_weights = self._follow_up_mode()
        every = d.weighted(weeks, week_weights)
        rec["follow_up"] = {"mode": mode, "every_weeks": every, "note": _FOLLOW_UP_NOTES[mode].format(n=every)}
        rec[CADENCE_MONTHS] = cadence
        rec["next_due"] = _add_months(day, cadence).isoformat()
        self.current_skills = skills
        for item in self.items:  # items of earlier plans carry over to this one
            if item.conversation_id != rec[CONVERSATION_ID]:
                item.carried += 1
                if item.fate == "linger" and item.carried == 1 and d.chance(0.5):
                    # talked through in the conversation, it gets done after all
                    item.fate = "done"
                    item.start = item.start or day
                    item.end = day + dt.timedelta(days=d.between(14, 90))
        return rec

    def _follow_up_mode(self) -> tuple:
        """The way of following up: mostly the same from one conversation to the next."""
        if self.mode is None or self.draw.chance(0.1):
            self.mode = self.draw.weighted(_FOLLOW_UP_MODES, [m[1] for m in _FOLLOW_UP_MODES])
        return self.mode

    def _track(self, conversation_id: str, item_id: str, day: dt.date, due: dt.date) -> None:
        d, p = self.draw, self.p
        span = max(7, (due - day).days)
        x = d.u()
        p_done = 0.5 + 0.45 * p.discipline
        if x < p_done:
            start = day + dt.timedelta(days=max(3, round(span * d.uniform(0.05, 0.5))))
            end = max(start + dt.timedelta(days=5), due + dt.timedelta(days=round(d.normal(0, 18))))
            self.items.append(_Item(conversation_id, item_id, start, end, "done", ""))
        elif x < p_done + 0.08:
            start = day + dt.timedelta(days=max(3, round(span * d.uniform(0.05, 0.4)))) if d.chance(0.5) else None
            end = day + dt.timedelta(days=max(10, round(span * d.uniform(0.3, 1.3))))
            self.items.append(_Item(conversation_id, item_id, start, end, "dropped", d.pick(_DROP_REASONS)))
        else:
            start = day + dt.timedelta(days=max(3, round(span * d.uniform(0.1, 0.8)))) if d.chance(0.6) else None
            self.items.append(_Item(conversation_id, item_id, start, None, "linger", ""))

    # ---- check-ins
    def checkins(self, conv: dict, day: dt.date, cadence: int, bound: dt.date | None,
                 first: dt.date, last: dt.date) -> list[dict]:
        d, p, as_of = self.draw, self.p, self.org.as_of
        every = conv["follow_up"]["every_weeks"]
        limit = min(as_of, bound - dt.timedelta(days=7)) if bound else as_of
        planned: dict[dt.date, bool] = {}  # date -> is a review with ratings of every skill
        if bound is None and not p.overdue_days:
            # The current plan: since the app came in, people keep up their follow-ups, some better than others.
            keep_up = 0.35 + 0.6 * p.discipline
            slots = range(1, 1 + (limit - day).days // (7 * every))
        else:
            # Earlier plans (and people who let it slide): the follow-up starts well, then lapses.
            keep_up = 1.0 - _CHECKIN_SKIP
            slots = range(1, 1 + int(-math.log(1.0 - d.u()) * (0.2 + 1.5 * p.discipline)))
        for k in slots:
            slot = day + dt.timedelta(days=7 * every * k + d.between(-3, 3))
            if slot > limit:
                break
            if d.chance(keep_up):
                planned[_weekday(slot, limit)] = False
        if cadence == 12 and d.chance(0.3 + 0.4 * p.discipline):
            review = _weekday(_add_months(day, 6) + dt.timedelta(days=d.between(-14, 14)), limit)
            if review <= limit:
                planned[review] = True
        if bound is not None and not p.overdue_days and d.chance(0.2 + 0.3 * p.discipline):
            catch_up = _weekday(bound - dt.timedelta(days=d.between(14, 35)), limit)
            if day + dt.timedelta(days=14) < catch_up <= limit:
                planned.setdefault(catch_up, False)
        out = []
        previous: dt.date | None = None
        for when in sorted(planned):
            if when <= day or (previous is not None and (when - previous).days < 7):
                continue
            previous = when
            out.append(self.checkin(conv, when, planned[when], first, last))
        return out

    def checkin(self, conv: dict, day: dt.date, review: bool, first: dt.date, last: dt.date) -> dict:
        d, p = self.draw, self.p
        coach = self.org._coach_on(p, day, first, last)
        checkin_id = f"{p.employee_id}-ci-{day:%Y%m%d}"
        n = 1
        while checkin_id in self.checkin_ids:
            n += 1
            checkin_id = f"{p.employee_id}-ci-{day:%Y%m%d}-{n}"
        self.checkin_ids.add(checkin_id)
        updates = []
        remaining = []
        for item in self.items:
            status, note, reason = self._status(item, day)
            updates.append({CONVERSATION_ID: item.conversation_id, ITEM_ID: item.item_id, STATUS: status,
                            "note": note, "reason": reason})
            if status not in ("done", "dropped"):
                remaining.append(item)
        self.items = remaining
        ratings = []
        if review or not updates or d.chance(0.35):
            skills = self.current_skills if review else d.sample(self.current_skills,
                                                                 d.between(1, len(self.current_skills)))
            for name in skills:
                level = self.plans[name].level(day)
                ratings.append({SKILL: name, SELF_RATING: self._rating(level, p.self_bias, 0.35),
                                COACH_RATING: self._rating(level, coach.coach_bias, 0.4)
                                if d.chance(0.15 if not review else 0.5) else None})
        return {
            CHECKIN_ID: checkin_id,
            EMPLOYEE_ID: p.employee_id,
            COACH_ID: coach.employee_id,
            DATE: day.isoformat(),
            CONVERSATION_ID: conv[CONVERSATION_ID],
            "source": SOURCE,
            "note": _REVIEW_NOTE if review else (d.pick(_CHECKIN_NOTES) if d.chance(0.5) else ""),
            "updates": updates,
            "ratings": ratings,
        }

    def _status(self, item: _Item, day: dt.date) -> tuple[str, str, str]:
        d = self.draw
        if item.carried >= 2 or (item.carried == 1 and item.fate == "linger"):
            return "dropped", "", _SUPERSEDED
        if item.end is not None and day >= item.end:
            if item.fate == "done":
                return "done", d.pick(_ITEM_NOTES["done"]), ""
            return "dropped", "", item.reason
        if item.start is not None and day >= item.start:
            return "in_progress", d.pick(_ITEM_NOTES["in_progress"]), ""
        return "open", d.pick(_ITEM_NOTES["open"]) if d.chance(0.5) else "", ""

    # ---- a draft in progress on as_of
    def draft(self, day: dt.date, coach: _Person) -> dict:
        d, p = self.draw, self.p
        rec = schema.new_conversation(p.employee_id, coach.employee_id, day, QUESTION_SET,
                                      self.org.question_set_version)
        rec["source"] = SOURCE
        rec["sections"], _ = self._sections(day, full=False)
        rec["dreams"] = [{"rank": i + 1, "text": t} for i, t in enumerate(self._dreams(False)[:3])]
        rec["answers"] = {"want_more": d.pick(self.dept.want_more + _COMMON_WANT_MORE)}
        skills = []
        for i, name in enumerate(self._choose_skills(day, False)[:2]):
            plan = self.plans.get(name)
            level = plan.level(day) if plan else self._initial_level(name)
            skill = schema.new_skill(name)
            skill[SELF_RATING] = self._rating(level, p.self_bias, 0.3)
            if i == 0:  # the coach is in the middle of this one
                skill["ten_looks_like"] = _TEN_LOOKS_LIKE[name]
                options, _ = self._options(name)
                skill["options"] = [{**o, "chosen": False} for o in options[:2]]
            skills.append(skill)
        rec["skills"] = skills
        return rec


# --------------------------------------------------------------------------
# writing it into a data folder


def holds_organisation(data_dir: str | Path) -> bool:
    """True when ``data_dir`` already has a roster or any conversation or check-in folder with content."""
    store = Store(data_dir, recover=False)  # a look, not a write: an interrupted import is left for the next write
    return store.roster_path.exists() or store.holds_records()


def _clear(root: Path) -> None:
    """Remove the roster, the records and the derived tables (nothing else) before writing anew."""
    store = Store(root, recover=False)
    store.roster_path.unlink(missing_ok=True)
    for folder in (*map(store.records_dir, RECORD_KINDS), store.derived_dir):
        if folder.is_dir():
            shutil.rmtree(folder)


def write_demo_organisation(data_dir: str | Path, employees: int, seed: int, as_of: dt.date,
                            years: tuple[float, float] | str = DEFAULT_YEARS, force: bool = False,
                            progress: Callable[[int], None] | None = None) -> DemoSummary:
    """Generate a demo organisation and write it into a data folder through the store.

    Parameters
    ----------
    data_dir
        The data folder (created if missing).
    employees, seed, as_of, years
        As for :func:`generate_organisation`.
    force
        Replace an organisation already in the folder: its roster, conversations,
        check-ins and derived tables are deleted first (question sets and any
        other files are kept). Without it, such a folder is refused.
    progress
        Called with the number of employees written so far, after each batch.

    Returns
    -------
    DemoSummary
        Counts of what was written and the seconds it took (derived tables are
        not built here: call :meth:`careerconv.records.store.Store.refresh`).

    Raises
    ------
    FileExistsError
        If the folder already holds an organisation and ``force`` is false.
    ValueError
        For bad arguments (see :func:`generate_organisation`).
    """
    started = time.perf_counter()
    root = Path(data_dir).expanduser().resolve()
    org = generate_organisation(employees, seed, as_of, years)
    _sweep_partial(root)
    if holds_organisation(root):
        if not force:
            raise FileExistsError(
                f"{root} already holds an organisation (a roster or records); nothing was written. "
                "Choose another folder with --data, or pass --force to delete its roster, conversations, "
                "check-ins and derived tables and write the demo organisation instead")
        _clear(root)
    if root.exists() and any(root.iterdir()):  # settings or question sets of the user's: written among them
        return _write(root, org, seed, as_of, started, progress)
    # A new folder is written whole or not at all: beside it first, then renamed into place, so a demo stopped
    # part-way leaves no organisation with a fraction of its records (that a second demo would refuse).
    partial = root.parent / f".{root.name}.demo-{os.getpid()}{_PARTIAL}"
    root.parent.mkdir(parents=True, exist_ok=True)
    try:
        summary = _write(partial, org, seed, as_of, started, progress)
        if root.exists():
            root.rmdir()  # empty (checked above)
        partial.rename(root)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return replace(summary, root=root)


_PARTIAL = "-partial"  # the end of the name of a folder a demo is being written into


def _sweep_partial(root: Path) -> None:
    """Remove the folders beside ``root`` that demos stopped part-way were writing (their process is gone)."""
    if not root.parent.is_dir():
        return
    for folder in root.parent.glob(f".{glob_escape(root.name)}.demo-*{_PARTIAL}"):
        pid = folder.name[len(f".{root.name}.demo-"):-len(_PARTIAL)]
        if pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _write(root: Path, org: DemoOrganisation, seed: int, as_of: dt.date, started: float,
           progress: Callable[[int], None] | None) -> DemoSummary:
    """Write ``org`` into the folder ``root`` through the store."""
    store = Store(root, actor="careerconv demo")
    stamp = f"{as_of.isoformat()}T00:00:00.000+00:00"  # the same files on every run and machine
    roster = org.roster
    store.save_roster(roster, source="demo organisation")
    conversations = drafts = checkins = never = overdue = 0
    batch: list[dict] = []
    done = 0
    for k, (eid, records) in enumerate(org.records()):
        last_due = None
        if not records:
            never += 1
        for rec in records:
            if CHECKIN_ID in rec:
                checkins += 1
            elif rec[STATUS] == "draft":
                drafts += 1
            else:
                conversations += 1
                last_due = rec["next_due"]
        if last_due is not None and last_due < as_of.isoformat():
            overdue += 1
        batch.extend(records)
        if (k + 1) % _BATCH_EMPLOYEES == 0:
            store.save_many(batch, durable=False, saved_at=stamp)
            batch = []
            done = k + 1
            if progress:
                progress(done)
    if batch:
        store.save_many(batch, durable=False, saved_at=stamp)
    if progress:
        progress(len(roster))
    return DemoSummary(root=root, seed=int(seed), as_of=as_of, employees=len(roster),
                       coaches=len(org.coach_ids), departments=org.departments, conversations=conversations,
                       drafts=drafts, checkins=checkins, never_met=never, overdue=overdue,
                       files=1 + conversations + drafts + checkins, seconds=time.perf_counter() - started)
