"""Two versions of one record, field by field: what differs, and the merge the coach chose (pure).

When a save is refused because the record changed elsewhere, the app holds
three versions: *base* (the one the coach's editing started from, as the store
last returned it), *mine* (what is on the coach's screen) and *theirs* (what
the store holds now). :func:`differences` lists every field in which mine and
theirs differ, each with a label a coach understands, both values as plain
text and a suggestion: a field only one side changed since the base suggests
that side, a field both changed suggests mine, except the dreams and the action
items when each side changed other elements (added, removed or reworded): then
both sides' changes can be kept together (:data:`BOTH`, :mod:`.list_merge`), and
that is the suggestion (an action item both sides added under one id keeps theirs,
and mine takes the next free id).
:func:`merge` builds the record to save from theirs plus the fields the coach
chose from mine, so it can be saved on top of their revision; each skill then
points at the dream it served on the side it came from, wherever that dream now
stands.

A field is one thing a coach would decide about on its own:

* conversation: each answer (by question), the dreams (one list: skills point
  at them by rank), each skill (by name, case and spacing ignored), the action
  items (one list: their ids are numbered), the follow-up, the cadence with its
  next due date;
* check-in: the note, each action item's update (by conversation and item id),
  each interim rating (by skill);
* any other top-level field that differs (say the coach), by its name.

Section timings are not asked about: each section keeps the longer time spent,
and the alternative questions asked on either side stay asked. The save stamp
(revision, saved_at, saved_by), ids, status and creation time come from
theirs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from careerconv.records import schema
from careerconv.records.schema import (
    CADENCE_MONTHS, CHECKIN_ID, COACH_ID, COACH_RATING, CONVERSATION_ID, DATE, EMPLOYEE_ID, ITEM_ID, KIND_WORDS,
    RECORD_ID_KEYS, SKILL, STATUS, record_kind,
)
from careerconv.records.questions import QuestionSet
from careerconv.rules.followup import ItemState, item_status_label
from .list_merge import combined, rank_map

MINE, THEIRS, BOTH = "mine", "theirs", "both"
# Keyed lists: one field per element, found by the key function.
_KEYED = {
    "skills": lambda e: schema.skill_key(e.get(SKILL) or ""),
    "updates": lambda e: update_key(e.get(CONVERSATION_ID), e.get(ITEM_ID)).removeprefix("updates."),
    "ratings": lambda e: schema.skill_key(e.get(SKILL) or ""),
}
# Never asked about: the store's stamp, identity, lifecycle and bookkeeping (taken from theirs).
_NOT_FIELDS = {*schema.SAVE_STAMP, "schema_version", "kind", CONVERSATION_ID, CHECKIN_ID, EMPLOYEE_ID, STATUS,
               "completed_at", "created_at", "updated_at", "source", "sections"}
_CONVERSATION_FIELDS = ("answers", "dreams", "skills", "action_items", "follow_up", CADENCE_MONTHS, "next_due")
_CHECKIN_FIELDS = ("note", "updates", "ratings")
_EMPTY_FOLLOW_UP = {"mode": None, "every_weeks": None, "note": ""}
NOTHING = "(nothing)"


@dataclass(frozen=True)
class FieldDiff:
    """One field in which the coach's version and the stored one differ.

    Attributes
    ----------
    key
        Stable id of the field: ``"answers.want_more"``, ``"dreams"``,
        ``"skills.public speaking"``, ``"action_items"``, ``"follow_up"``,
        ``"cadence"``, ``"note"``, ``"updates.E001-20260302/a2"``,
        ``"ratings.public speaking"`` or a top-level field name.
    label
        What the coach reads ("Skill “Public speaking”").
    mine, theirs
        The field's value on each side (None where that side does not have it).
    mine_changed, theirs_changed
        Whether each side changed the field since the base (both True when the
        base is unknown).
    both
        The field with both sides' changes kept together (:data:`BOTH`), when
        it can be: the dreams or the action items, changed on both sides since
        a known base, in different elements
        (:func:`careerconv.surfaces.app.list_merge.combined`); else None.
    """

    key: str
    label: str
    mine: Any
    theirs: Any
    mine_changed: bool = True
    theirs_changed: bool = True
    both: Any = None

    @property
    def suggested(self) -> str:
        """:data:`THEIRS` when only they changed the field, :data:`BOTH` when both did and their changes can be
        kept together, else :data:`MINE`."""
        if self.theirs_changed and not self.mine_changed:
            return THEIRS
        return BOTH if self.both is not None else MINE

    @property
    def choices(self) -> tuple[str, ...]:
        """What the coach may choose for this field."""
        return (MINE, THEIRS, BOTH) if self.both is not None else (MINE, THEIRS)

    @property
    def both_changed(self) -> bool:
        return self.mine_changed and self.theirs_changed

    @property
    def mine_text(self) -> str:
        return value_text(self.key, self.mine)

    @property
    def theirs_text(self) -> str:
        return value_text(self.key, self.theirs)

    @property
    def both_text(self) -> str:
        return value_text(self.key, self.both)


def normalised(record: Mapping) -> dict:
    """The record as the store would hold it (so an editor's snapshot compares equal to a stored copy).

    A snapshot the schema refuses (it could not have been saved) is compared as it is.
    """
    kind = record_kind(record)
    validator = schema.validate_checkin if kind == "checkin" else schema.validate_conversation
    stand_in = {**record, RECORD_ID_KEYS[kind]: record.get(RECORD_ID_KEYS[kind]) or "new", "revision": 0}
    if kind == "conversation":
        stand_in[STATUS] = "draft"  # compared as content; completion is checked by the store
    try:
        return validator(stand_in)
    except (schema.ValidationError, ValueError, TypeError, KeyError):
        return dict(record)


def fields(record: Mapping) -> dict[str, Any]:
    """Every field of a record a coach decides about, ``key -> value`` (see the module docstring)."""
    kind = record_kind(record)
    out: dict[str, Any] = {}
    if kind == "conversation":
        for qid, answer in (record.get("answers") or {}).items():
            out[f"answers.{qid}"] = answer
        out["dreams"] = [d.get("text") or "" for d in sorted(record.get("dreams") or [],
                                                             key=lambda d: d.get("rank") or 0)]
        for skill in record.get("skills") or []:
            out[f"skills.{_KEYED['skills'](skill)}"] = skill
        out["action_items"] = list(record.get("action_items") or [])
        out["follow_up"] = {**_EMPTY_FOLLOW_UP, **(record.get("follow_up") or {})}
        out["cadence"] = {CADENCE_MONTHS: record.get(CADENCE_MONTHS), "next_due": record.get("next_due")}
        handled = _CONVERSATION_FIELDS
    else:
        out["note"] = record.get("note") or ""
        for part in ("updates", "ratings"):
            for element in record.get(part) or []:
                out[f"{part}.{_KEYED[part](element)}"] = element
        handled = _CHECKIN_FIELDS
    for key, value in record.items():
        if key not in _NOT_FIELDS and key not in handled:
            out[key] = value
    return out


def _blank(value: Any) -> Any:
    """Nothing written reads the same however it is stored ("" / [] / None / an empty follow-up)."""
    if value in (None, "", [], {}) or value == _EMPTY_FOLLOW_UP:
        return None
    if isinstance(value, dict) and set(value) == {CADENCE_MONTHS, "next_due"} and not any(value.values()):
        return None
    if isinstance(value, list) and all(v in (None, "") for v in value):
        return None
    return value


def differences(mine: Mapping, theirs: Mapping, base: Mapping | None = None,
                labels: Mapping[str, str] | None = None) -> list[FieldDiff]:
    """The fields in which ``mine`` and ``theirs`` differ, in the record's order.

    Parameters
    ----------
    mine
        The coach's version (an editor snapshot or a stored record).
    theirs
        The version the store holds now.
    base
        The version both started from (the last one the coach's app saved or
        loaded), for the suggestion; None when unknown.
    labels
        ``field key -> label`` for fields the record alone cannot name well
        (a question's wording, an action item's text).

    Returns
    -------
    list of FieldDiff
        Empty when the two say the same.

    Raises
    ------
    ValueError
        If the two are not the same kind of record.
    """
    if record_kind(mine) != record_kind(theirs):
        raise ValueError(f"cannot compare a {KIND_WORDS[record_kind(mine)]} with a {KIND_WORDS[record_kind(theirs)]}")
    mine_f, theirs_f = fields(normalised(mine)), fields(normalised(theirs))
    base_f = fields(normalised(base)) if base is not None else None
    out = []
    for key in _field_order(_ordered_keys(theirs_f, mine_f), labels):
        a, b = _blank(mine_f.get(key)), _blank(theirs_f.get(key))
        if a == b:
            continue
        both = None
        if base_f is None:
            mine_changed = theirs_changed = True
        else:
            before = _blank(base_f.get(key))
            mine_changed, theirs_changed = a != before, b != before
            if key in _LISTS and mine_changed and theirs_changed:
                both = _LISTS[key](before or [], a or [], b or [])
        out.append(FieldDiff(key, field_label(key, a if a is not None else b, labels), a, b,
                             mine_changed, theirs_changed, both))
    return out


_CATEGORIES = ("answers", "dreams", "skills", "action_items", "follow_up", "cadence", "note", "updates", "ratings")


def _combined_items(base: list[dict], mine: list[dict], theirs: list[dict]) -> list[dict] | None:
    """The action items with both sides' changes (:func:`combined`, an item compared whole); an item of mine that
    took an id theirs gave another item (both added one) gets the next free id."""
    def texts(items: list[dict]) -> list[str]:
        return [json.dumps(item, sort_keys=True, ensure_ascii=False) for item in items]

    together = combined(texts(base), texts(mine), texts(theirs))
    if together is None:
        return None
    items = [json.loads(text) for text in together]
    numbers = [int(i[ITEM_ID][1:]) for i in items if re.fullmatch(r"a\d+", str(i.get(ITEM_ID) or ""))]
    following, seen = max(numbers, default=0) + 1, set()
    for item in items:
        if item.get(ITEM_ID) in seen:
            item[ITEM_ID] = f"a{following}"
            following += 1
        seen.add(item.get(ITEM_ID))
    return items


# The list fields whose two sides' changes may be kept together (FieldDiff.both).
_LISTS = {"dreams": lambda base, mine, theirs: combined(base, mine, theirs, limit=schema.MAX_DREAMS),
          "action_items": _combined_items}


def _field_order(keys: list[str], labels: Mapping[str, str] | None) -> list[str]:
    """Answers first (in the order of ``labels``: the question set's), then the record's parts, then the rest."""
    by_label = {key: i for i, key in enumerate(labels or {})}

    def rank(key: str) -> tuple[int, int]:
        prefix = key.partition(".")[0]
        category = _CATEGORIES.index(prefix) if prefix in _CATEGORIES else len(_CATEGORIES)
        return category, by_label.get(key, len(by_label))
    return sorted(keys, key=rank)  # stable: same rank keeps the record's order


def _ordered_keys(*sides: Mapping[str, Any]) -> list[str]:
    seen: dict[str, None] = {}
    for side in sides:
        for key in side:
            seen.setdefault(key, None)
    return list(seen)


def merge(mine: Mapping, theirs: Mapping, choices: Mapping[str, str], base: Mapping | None = None) -> dict:
    """The record to save on top of ``theirs``: theirs, with the fields chosen from mine.

    Parameters
    ----------
    mine, theirs, base
        As for :func:`differences`.
    choices
        ``field key -> MINE, THEIRS`` or, for a field that can keep both sides'
        changes (:attr:`FieldDiff.both`), ``BOTH``; a differing field not in
        ``choices`` takes its suggestion (so a field that only differs since the
        choices were made is never silently lost: the side that changed it wins).

    Returns
    -------
    dict
        Theirs' id and revision (ready for a compare-and-swap on their
        revision) with the chosen content.

    Raises
    ------
    ValueError
        For a choice other than ``"mine"``, ``"theirs"`` or ``"both"``, ``"both"``
        for a field whose two sides cannot be kept together, or two kinds of record.
    """
    bad = {k: v for k, v in choices.items() if v not in (MINE, THEIRS, BOTH)}
    if bad:
        raise ValueError(f"a choice must be {MINE!r}, {THEIRS!r} or {BOTH!r}, got {bad}")
    m, t = normalised(mine), normalised(theirs)
    mine_fields = fields(m)
    result = _deep_copy(dict(theirs))
    chosen = {}
    for diff in differences(mine, theirs, base):
        choice = chosen[diff.key] = choices.get(diff.key, diff.suggested)
        if choice not in diff.choices:
            raise ValueError(f"{diff.label} cannot keep both versions (only {MINE!r} or {THEIRS!r}): "
                             "both sides changed the same part of it")
        if choice == MINE:
            _put(result, diff.key, _deep_copy(mine_fields.get(diff.key)), m)
        elif choice == BOTH:
            _put(result, diff.key, _deep_copy(diff.both), m)
    if record_kind(t) == "conversation":
        _follow_dreams(result, {MINE: m, THEIRS: t}, chosen)
        result["sections"] = merge_sections(m.get("sections") or {}, t.get("sections") or {})
        if "updated_at" in m:
            result["updated_at"] = max(str(m.get("updated_at") or ""), str(t.get("updated_at") or "")) or None
    return result


def _follow_dreams(result: dict, sides: Mapping[str, Mapping], chosen: Mapping[str, str]) -> None:
    """Point each skill of ``result`` at the dream it served on the side it was taken from (``chosen``: its
    skill field from mine, else theirs), wherever that dream now stands; at none when that dream is gone."""
    def ranked(record: Mapping) -> tuple[list[Any], list[str]]:
        dreams = sorted(record.get("dreams") or [], key=lambda d: d.get("rank") or 0)
        return [d.get("rank") for d in dreams], [d.get("text") or "" for d in dreams]

    now_ranks, now = ranked(result)
    maps = {}
    for side, record in sides.items():
        ranks, texts = ranked(record)
        maps[side] = {ranks[i - 1]: now_ranks[j - 1] for i, j in rank_map(texts, now).items()}
    for skill in result.get("skills") or []:
        side = MINE if chosen.get(f"skills.{_KEYED['skills'](skill)}") == MINE else THEIRS
        if skill.get("dream_rank") is not None:
            skill["dream_rank"] = maps[side].get(skill["dream_rank"])


def merge_sections(mine: Mapping[str, dict], theirs: Mapping[str, dict]) -> dict:
    """Section timings of two versions: per section the longer time spent; alternative questions asked on either
    side."""
    out = {}
    for sid in _ordered_keys(theirs, mine):
        a, b = dict(mine.get(sid) or {}), dict(theirs.get(sid) or {})
        kept = a if (a.get("seconds") or 0) > (b.get("seconds") or 0) else b
        merged = {**(b if kept is a else a), **kept}
        asked = list(b.get("alternative_questions") or [])
        asked += [q for q in a.get("alternative_questions") or [] if q not in asked]
        if "alternative_questions" in a or "alternative_questions" in b:
            merged["alternative_questions"] = asked
        out[sid] = merged
    return out


def _put(record: dict, key: str, value: Any, source: Mapping) -> None:
    """Set one field of ``record`` to ``value`` (None: remove it), as :func:`fields` reads it."""
    prefix, _, sub = key.partition(".")
    if prefix == "answers" and sub:
        answers = dict(record.get("answers") or {})
        if value is None:
            answers.pop(sub, None)
        else:
            answers[sub] = value
        record["answers"] = answers
    elif prefix in _KEYED and sub:
        key_of = _KEYED[prefix]
        elements = [e for e in record.get(prefix) or []]
        at = next((i for i, e in enumerate(elements) if key_of(e) == sub), None)
        if value is None:
            if at is not None:
                del elements[at]
        elif at is not None:
            elements[at] = value
        else:
            elements.insert(_position(elements, sub, source.get(prefix) or [], key_of), value)
        record[prefix] = elements
    elif key == "dreams":
        record["dreams"] = [{"rank": i, "text": text} for i, text in enumerate(value or [], start=1)]
    elif key == "action_items":
        record["action_items"] = list(value or [])
    elif key == "follow_up":
        record["follow_up"] = dict(value or _EMPTY_FOLLOW_UP)
    elif key == "cadence":
        value = value or {}
        record[CADENCE_MONTHS], record["next_due"] = value.get(CADENCE_MONTHS), value.get("next_due")
    elif key == "note":
        record["note"] = value or ""
    elif value is None:
        record.pop(key, None)
    else:
        record[key] = value


def _position(elements: list, sub: str, source: list, key_of) -> int:
    """Where an element that only mine has goes: after the element it follows in mine, else at the end."""
    order = [key_of(e) for e in source]
    if sub in order:
        for before in reversed(order[:order.index(sub)]):
            at = next((i for i, e in enumerate(elements) if key_of(e) == before), None)
            if at is not None:
                return at + 1
        return 0 if order.index(sub) == 0 else len(elements)
    return len(elements)


def _deep_copy(value: Any) -> Any:
    return json.loads(json.dumps(value)) if value is not None else None


def as_new_copy(record: Mapping) -> dict:
    """The coach's version as a new draft: no id, no revision, no save stamp (the store gives them)."""
    kind = record_kind(record)
    copy = schema.as_new_record(_deep_copy(dict(record)), kind)
    copy[STATUS] = "draft"
    if kind == "conversation":
        copy["completed_at"] = None
    return copy


# --------------------------------------------------------------------------- words


def field_label(key: str, value: Any = None, labels: Mapping[str, str] | None = None) -> str:
    """What the coach reads for a field key (``labels`` first)."""
    if labels and key in labels:
        return labels[key]
    prefix, _, sub = key.partition(".")
    if prefix == "answers" and sub:
        return f"Answer to “{sub}”"
    if prefix in ("skills", "ratings") and sub:
        name = (value or {}).get(SKILL) if isinstance(value, dict) else None
        return f"{'Skill' if prefix == 'skills' else 'Rating of'} “{name or sub}”"
    if prefix == "updates" and sub:
        return f"Action item {sub.split('/')[-1]}"
    return {"dreams": "Dreams", "action_items": "Action items", "follow_up": "Follow-up",
            "cadence": "Next career conversation", "note": "Note", COACH_ID: "Coach",
            DATE: "Date", CONVERSATION_ID: "Plan followed up"}.get(key, key.replace("_", " ").capitalize())


def value_text(key: str, value: Any) -> str:
    """A field's value as plain text for a coach (several lines for lists); :data:`NOTHING` when empty."""
    value = _blank(value)
    if value is None:
        return NOTHING
    prefix = key.partition(".")[0]
    if prefix == "skills" and isinstance(value, dict):
        return _skill_text(value)
    if prefix == "updates" and isinstance(value, dict):
        status = item_status_label(str(value.get(STATUS)))
        if value.get(STATUS) == "dropped" and value.get("reason"):
            status += f" ({value['reason']})"
        return status + (f" — {value['note']}" if value.get("note") else "")
    if prefix == "ratings" and isinstance(value, dict):
        return (f"their rating {_rating(value.get('self_rating'))} · "
                f"coach's view {_rating(value.get('coach_rating'))}")
    if key == "dreams":
        return "\n".join(f"{i}. {text or '(empty)'}" for i, text in enumerate(value, start=1))
    if key == "action_items":
        return "\n".join(_item_text(i) for i in value)
    if key == "follow_up":
        mode = value.get("mode")
        parts = [schema.FOLLOW_UP_WORDS.get(mode, "not agreed yet") if mode else "not agreed yet"]
        if value.get("every_weeks"):
            parts.append(f"every {value['every_weeks']} weeks")
        text = "Follow up " + ", ".join(parts)
        return text + (f"\n{value['note']}" if value.get("note") else "")
    if key == "cadence":
        months = value.get(CADENCE_MONTHS)
        text = f"Every {months} months" if months else "How often: not agreed yet"
        return text + (f", next due {value['next_due']}" if value.get("next_due") else "")
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "\n".join(f"• {v}" for v in value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _rating(value: Any) -> str:
    return "–" if value is None else str(value)


def _item_text(item: Mapping) -> str:
    facts = [f"due {item['due']}" if item.get("due") else "", f"owner {item['owner']}" if item.get("owner") else "",
             f"skill {item['skill']}" if item.get(SKILL) else ""]
    facts = [f for f in facts if f]
    return f"• {item.get('text') or '(no text)'}" + (f" ({', '.join(facts)})" if facts else "")


def _skill_text(skill: Mapping) -> str:
    lines = [f"{skill.get('skill')}: rated {_rating(skill.get('self_rating'))}"
             + (f", coach {skill['coach_rating']}" if skill.get(COACH_RATING) is not None else "")]
    if skill.get("ten_looks_like"):
        lines.append(f"A 10 looks like: {skill['ten_looks_like']}")
    for option in skill.get("options") or []:
        text = option.get("text") or "(no text)"
        extra = "; ".join(p for p in (f"+ {option['pros']}" if option.get("pros") else "",
                                      f"− {option['cons']}" if option.get("cons") else "") if p)
        lines.append(f"• {text}" + (" ✓ chosen" if option.get("chosen") else "") + (f" ({extra})" if extra else ""))
    if skill.get("approach"):
        lines.append(f"Approach: {skill['approach']}")
    targets = skill.get("targets") or {}
    if any(v is not None for v in targets.values()):
        lines.append("Targets: " + " · ".join(f"{h} months {_rating(targets.get(str(h)))}" for h in schema.HORIZONS))
    if skill.get("dream_rank"):
        lines.append(f"Serves dream {skill['dream_rank']}")
    return "\n".join(lines)


def answer_labels(question_sets: Iterable[QuestionSet | None]) -> dict[str, str]:
    """Labels of the answers of these question sets, ``"answers.<id>" -> "Goals: <the question>"``."""
    return {f"answers.{q.id}": f"{s.title}: {q.prompt}" for qs in question_sets if qs is not None
            for s in qs.sections for q in s.questions}


def update_key(conversation_id: str | None, item_id: str | None) -> str:
    """The field of a check-in's update of one action item: ``"updates.<conversation id>/<item id>"``."""
    return f"updates.{conversation_id or ''}/{item_id or ''}"


def action_item_labels(items: Iterable[ItemState]) -> dict[str, str]:
    """Labels of a check-in's updates of these action items, :func:`update_key` -> ``'Action item “<its text>”'``
    (without them an update is named by its item's id)."""
    return {update_key(i.conversation_id, i.item_id): f"Action item “{i.text}”" for i in items}


def record_text(record: Mapping, labels: Mapping[str, str] | None = None) -> str:
    """Everything a person wrote in a record as plain text, field by field (to copy somewhere safe)."""
    blocks = []
    for key, value in fields(normalised(record)).items():
        if _blank(value) is None:
            continue
        blocks.append(f"{field_label(key, value, labels)}:\n{value_text(key, value)}")
    return "\n\n".join(blocks)


def changed_fields(diffs: Iterable[FieldDiff]) -> list[str]:
    """The labels of the fields in which both sides changed (what the coach really has to decide)."""
    return [d.label for d in diffs if d.both_changed]
