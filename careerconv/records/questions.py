"""Question sets: the conversation's questions as data, not code.

Built-in sets live in ``careerconv/records/question_sets/*.yaml``; an organisation adds
or adapts sets as YAML files in ``<data>/question_sets/``. A set in the data
folder with the same id as a built-in one replaces it (give it a new version).

Each question has a *kind*, which tells the app how to ask it and where the
answer is stored in a conversation record:

=================  ==============================================================
kind               stored as
=================  ==============================================================
text               ``answers[question_id]`` (free text)
list               ``answers[question_id]`` (ranked list, ``min_items``/``max_items``)
choice             ``answers[question_id]`` (one of ``choices``)
date               ``answers[question_id]`` (ISO date)
dreams             ``dreams`` (ranked, ``min_items``–``max_items``, 3–5 by default)
skills             ``skills[].skill``
skill_rating       ``skills[].self_rating`` / ``coach_rating`` (``min``–``max``, 1–10)
skill_ten          ``skills[].ten_looks_like``
skill_options      ``skills[].options`` (at least ``min_items``, with pros and cons)
skill_approach     ``skills[].approach`` and the chosen option
skill_targets      ``skills[].targets`` at ``horizons`` months (6, 12, 18)
action_items       ``action_items`` (text, due date, owner)
follow_up          ``follow_up`` (mode from ``choices``, every N weeks)
cadence            ``cadence_months`` (from ``choices``: 6 or 12)
=================  ==============================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import config
from .schema import Collector, ValidationError, parse_identifier

# libyaml's safe loader when PyYAML was built with it (several times faster; the same documents), else PyYAML's
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
GENERIC_KINDS = ("text", "list", "choice", "date")
STRUCTURED_KINDS = ("dreams", "skills", "skill_rating", "skill_ten", "skill_options", "skill_approach",
                    "skill_targets", "action_items", "follow_up", "cadence")
KINDS = GENERIC_KINDS + STRUCTURED_KINDS
SKILL_KINDS = tuple(k for k in STRUCTURED_KINDS if k.startswith("skill_"))
_QUESTION_KEYS = {"id", "prompt", "kind", "help", "min_items", "max_items", "min", "max", "choices", "horizons",
                  "required"}
_SECTION_KEYS = {"id", "title", "minutes", "questions"}
_SET_KEYS = {"id", "version", "title", "description", "sections", "alternative"}


@dataclass(frozen=True)
class Question:
    id: str
    prompt: str
    kind: str
    help: str = ""
    min_items: int | None = None
    max_items: int | None = None
    min: int | None = None
    max: int | None = None
    choices: tuple = ()
    horizons: tuple[int, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    minutes: int
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class QuestionSet:
    id: str
    version: str
    title: str
    description: str
    sections: tuple[Section, ...]
    alternative: str | None = None
    path: str = field(default="", compare=False)

    def section(self, section_id: str) -> Section:
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(f"question set {self.id!r} has no section {section_id!r}; "
                       f"sections are: {', '.join(s.id for s in self.sections)}")

    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]

    def question(self, question_id: str) -> Question:
        for q in self.questions():
            if q.id == question_id:
                return q
        raise KeyError(f"question set {self.id!r} has no question {question_id!r}")

    def by_kind(self, kind: str) -> Question | None:
        for q in self.questions():
            if q.kind == kind:
                return q
        return None

    @property
    def total_minutes(self) -> int:
        return sum(s.minutes for s in self.sections)


def _int_field(c: Collector, raw: dict, key: str, where: str, low: int, high: int) -> int | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        c.add(f"{key} must be a whole number from {low} to {high}", column=f"{where}.{key}", value=value)
        return None
    return value


def parse_question_set(raw: Any, source: str) -> QuestionSet:
    """Build a :class:`QuestionSet` from parsed YAML, checking every field.

    Raises
    ------
    ValidationError
        Naming the file, the question and the field of every problem.
    """
    c = Collector(source)
    if not isinstance(raw, dict):
        c.add("a question set must be a mapping with id, version, title and sections")
        c.raise_if_any()
    for key in sorted(set(raw) - _SET_KEYS):
        c.add(f"unknown field; allowed: {', '.join(sorted(_SET_KEYS))}", column=key)
    set_id = c.check(parse_identifier, raw.get("id"), column="id", what="question set id")
    version = raw.get("version")
    if version is None or str(version).strip() == "":
        c.add("version is required (e.g. \"1\"); stored conversations record it", column="version")
    title = raw.get("title") or set_id or ""
    sections_raw = raw.get("sections")
    sections: list[Section] = []
    if not isinstance(sections_raw, list) or not sections_raw:
        c.add("sections must be a non-empty list", column="sections")
        sections_raw = []
    seen_q: set[str] = set()
    seen_s: set[str] = set()
    kinds_seen: dict[str, str] = {}
    for si, sraw in enumerate(sections_raw):
        swhere = f"sections[{si}]"
        if not isinstance(sraw, dict):
            c.add("a section must be a mapping with id, title, minutes and questions", column=swhere)
            continue
        for key in sorted(set(sraw) - _SECTION_KEYS):
            c.add(f"unknown field; allowed: {', '.join(sorted(_SECTION_KEYS))}", column=f"{swhere}.{key}")
        sid = c.check(parse_identifier, sraw.get("id"), column=f"{swhere}.id", what="section id")
        if sid in seen_s:
            c.add("two sections share an id", column=f"{swhere}.id", value=sid)
        seen_s.add(sid)
        swhere = f"section {sid or si}"
        minutes = _int_field(c, sraw, "minutes", swhere, 1, 240) or 20
        questions: list[Question] = []
        qs_raw = sraw.get("questions")
        if not isinstance(qs_raw, list) or not qs_raw:
            c.add("questions must be a non-empty list", column=f"{swhere}.questions")
            qs_raw = []
        for qi, qraw in enumerate(qs_raw):
            qwhere = f"{swhere}, question {qi + 1}"
            if not isinstance(qraw, dict):
                c.add("a question must be a mapping with id, prompt and kind", column=qwhere)
                continue
            qid = c.check(parse_identifier, qraw.get("id"), column=f"{qwhere}.id", what="question id")
            if qid:
                qwhere = f"{swhere}, question {qid!r}"
            if qid in seen_q:
                c.add("two questions share an id", column=f"{qwhere}.id", value=qid)
            seen_q.add(qid)
            for key in sorted(set(qraw) - _QUESTION_KEYS):
                c.add(f"unknown field; allowed: {', '.join(sorted(_QUESTION_KEYS))}", column=f"{qwhere}.{key}")
            prompt = qraw.get("prompt")
            if not isinstance(prompt, str) or not prompt.strip():
                c.add("prompt is required text", column=f"{qwhere}.prompt", value=prompt)
            kind = qraw.get("kind")
            if kind not in KINDS:
                c.add(f"unknown kind; allowed: {', '.join(KINDS)}", column=f"{qwhere}.kind", value=kind)
            elif kind in STRUCTURED_KINDS:
                if kind in kinds_seen:
                    c.add(f"kind {kind!r} may appear once per set (already used by {kinds_seen[kind]!r})",
                          column=f"{qwhere}.kind")
                kinds_seen[kind] = qid or str(qi)
            min_items = _int_field(c, qraw, "min_items", qwhere, 0, 50)
            max_items = _int_field(c, qraw, "max_items", qwhere, 1, 50)
            if kind == "dreams":
                min_items = 3 if min_items is None else min_items
                max_items = 5 if max_items is None else max_items
            if kind == "skill_options" and min_items is None:
                min_items = 3
            if min_items is not None and max_items is not None and min_items > max_items:
                c.add("min_items is larger than max_items", column=f"{qwhere}.min_items", value=min_items)
            low = _int_field(c, qraw, "min", qwhere, 1, 10)
            high = _int_field(c, qraw, "max", qwhere, 1, 10)
            if kind == "skill_rating" and (low or 1, high or 10) != (1, 10):
                c.add("skill ratings are on the 1–10 scale; min must be 1 and max 10", column=f"{qwhere}.min")
            choices = qraw.get("choices") or ()
            if kind in ("choice", "follow_up", "cadence") and not choices:
                c.add("a choice question needs a non-empty list of choices", column=f"{qwhere}.choices")
            if not isinstance(choices, (list, tuple)):
                c.add("choices must be a list", column=f"{qwhere}.choices", value=choices)
                choices = ()
            if kind == "cadence" and set(choices) - {6, 12}:
                c.add("cadence choices are months between conversations: 6 and/or 12",
                      column=f"{qwhere}.choices", value=choices)
            horizons = qraw.get("horizons") or ((6, 12, 18) if kind == "skill_targets" else ())
            if kind == "skill_targets" and tuple(horizons) != (6, 12, 18):
                c.add("targets are set at 6, 12 and 18 months", column=f"{qwhere}.horizons", value=horizons)
            questions.append(Question(
                id=qid or "", prompt=prompt if isinstance(prompt, str) else "", kind=kind or "",
                help=str(qraw.get("help") or ""), min_items=min_items, max_items=max_items,
                min=low, max=high, choices=tuple(choices), horizons=tuple(horizons),
                required=bool(qraw.get("required", False))))
        sections.append(Section(id=sid or "", title=str(sraw.get("title") or sid or ""), minutes=minutes,
                                questions=tuple(questions)))
    skill_parts = [k for k in SKILL_KINDS if k in kinds_seen]
    if skill_parts and "skills" not in kinds_seen:
        c.add(f"per-skill questions ({', '.join(skill_parts)}) need a question of kind 'skills' to list the skills")
    c.raise_if_any(f"{source}: the question set is not valid")
    return QuestionSet(id=set_id, version=str(version), title=str(title),
                       description=str(raw.get("description") or "").strip(), sections=tuple(sections),
                       alternative=raw.get("alternative"), path=source)


def load_question_set_file(path: Path) -> QuestionSet:
    """Read and check one YAML question set file.

    Raises
    ------
    ValidationError
        Unreadable YAML or an invalid set; the message names the file.
    """
    try:
        raw = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ValidationError([], f"{path}: cannot read the question set ({exc})") from None
    return parse_question_set(raw, str(path))


QUESTION_SETS_FOLDER = "question_sets"  # inside a data folder


def question_set_files(folder: Path) -> list[Path]:
    """The question set files of one folder (``*.yaml`` / ``*.yml``), in the order they are read (later wins)."""
    folder = Path(folder)
    return sorted(folder.glob("*.y*ml")) if folder.is_dir() else []


def available_question_sets(data_dir: Path | None = None) -> dict[str, QuestionSet]:
    """All question sets by id: built-ins, then the data folder's (which win).

    Raises
    ------
    ValidationError
        If any set file in the data folder is malformed (naming it).
    """
    sets: dict[str, QuestionSet] = {}
    folders = [config.BUILTIN_QUESTION_SETS_DIR]
    if data_dir is not None:
        folders.append(Path(data_dir) / QUESTION_SETS_FOLDER)
    for folder in folders:
        for path in question_set_files(folder):
            qs = load_question_set_file(path)
            sets[qs.id] = qs
    return sets


def load_question_set(set_id: str = "career-conversation", data_dir: Path | None = None) -> QuestionSet:
    """One question set by id.

    Raises
    ------
    KeyError
        Naming the sets there are, if ``set_id`` is unknown.
    """
    sets = available_question_sets(data_dir)
    if set_id not in sets:
        raise KeyError(f"no question set {set_id!r}; available: {', '.join(sorted(sets))}")
    return sets[set_id]
