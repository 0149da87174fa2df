"""Unfinished conversations (drafts): what one holds, and which one to offer (pure).

The start screen offers one draft to resume. :func:`draft_to_offer` never
offers an empty draft (one opened and left without a word) over one that holds
answers: of the drafts that hold something, the one saved last; only when all
are empty, the newest. :func:`draft_holds` says in a few words what a draft
holds, so "Start a new conversation" can show what would be left behind
(:func:`checkin_holds`: what a draft check-in holds).
:func:`written_by_another_coach` tells a former coach's draft (read-only to
the coach signed in under the hub) from one they may resume or discard;
:func:`written_by_other_than` finds the coach to name when the local app offers
a draft another coach wrote.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from careerconv.records.schema import (CADENCE_MONTHS, COACH_ID, CONVERSATION_ID, DATE, ITEM_ID, ITEM_STATUSES, SKILL,
                                       STATUS)
from careerconv.rules.followup import item_status_label


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def draft_holds(record: dict) -> list[str]:
    """What a draft holds, in a few words each (empty list: nothing was entered).

    Parameters
    ----------
    record
        A conversation record.

    Returns
    -------
    list of str
        E.g. ``["3 dreams", "2 skills: Negotiation, Writing", "1 action item", "2 other answers"]``.
    """
    parts = []
    dreams = [d for d in record.get("dreams") or [] if str(d.get("text") or "").strip()]
    if dreams:
        parts.append(_plural(len(dreams), "dream"))
    skills = [str(s.get(SKILL) or "").strip() for s in record.get("skills") or []]
    skills = [s for s in skills if s]
    if skills:
        parts.append(f"{_plural(len(skills), 'skill')}: {', '.join(skills)}")
    items = [a for a in record.get("action_items") or [] if str(a.get("text") or "").strip()]
    if items:
        parts.append(_plural(len(items), "action item"))
    answers = [v for v in (record.get("answers") or {}).values() if _has_value(v)]
    if answers:
        parts.append(_plural(len(answers), "other answer"))
    follow = record.get("follow_up") or {}
    if follow.get("mode") or str(follow.get("note") or "").strip():
        parts.append("how to follow up")
    if record.get(CADENCE_MONTHS):
        parts.append(f"next conversation in {record['cadence_months']} months")
    return parts


def checkin_holds(record: dict, statuses_before: Mapping[tuple[str, str], str]) -> list[str]:
    """What a draft check-in holds, in a few words each (empty list: nothing was entered or changed).

    Parameters
    ----------
    record
        A check-in record (it holds a line for every action item it follows up, changed or not).
    statuses_before
        ``(conversation id, item id) -> status`` of the action items before this check-in (an item not in it was
        open): only a status the check-in changes counts.

    Returns
    -------
    list of str
        E.g. ``["a note", "1 action item marked done", "notes on 2 action items", "1 rating"]``.
    """
    parts = ["a note"] if str(record.get("note") or "").strip() else []
    updates = record.get("updates") or []
    changed = [u.get(STATUS) for u in updates
               if u.get(STATUS) != statuses_before.get((u.get(CONVERSATION_ID), u.get(ITEM_ID)), "open")]
    for status in ITEM_STATUSES:
        if changed.count(status):
            parts.append(f"{_plural(changed.count(status), 'action item')} marked {item_status_label(status).lower()}")
    noted = sum(1 for u in updates if str(u.get("note") or "").strip() or str(u.get("reason") or "").strip())
    if noted:
        parts.append(f"notes on {_plural(noted, 'action item')}")
    if record.get("ratings"):
        parts.append(_plural(len(record["ratings"]), "rating"))
    return parts


def _has_value(value) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, tuple, dict)):
        return any(_has_value(v) for v in (value.values() if isinstance(value, dict) else value))
    return value is not None


def _saved_at(record: dict) -> str:
    return str(record.get("updated_at") or record.get("created_at") or record.get(DATE) or "")


def draft_to_offer(drafts: Sequence[dict]) -> dict | None:
    """The draft to offer for resuming: the last saved of those holding something, else the newest.

    Parameters
    ----------
    drafts
        The employee's draft conversations (any order).

    Returns
    -------
    dict or None
        None when there is no draft.
    """
    if not drafts:
        return None
    filled = [d for d in drafts if draft_holds(d)]
    return max(filled or list(drafts), key=_saved_order)


def newest_first(drafts: Sequence[dict]) -> list[dict]:
    """The drafts, the last saved first (the order :func:`draft_to_offer` compares them in)."""
    return sorted(drafts, key=_saved_order, reverse=True)


def _saved_order(record: dict) -> tuple[str, str]:
    return _saved_at(record), str(record.get(CONVERSATION_ID) or "")


def written_by_another_coach(draft: dict, signed_in: str | None) -> bool:
    """Whether ``draft`` was written by a coach other than ``signed_in``, the coach signed in under the hub (None
    for the local app, where anyone may continue any draft): the person moved to them with it, and the records
    service lets only the coach who wrote it change or discard it (a draft naming no coach is anyone's)."""
    written_by = draft.get(COACH_ID)
    return signed_in is not None and written_by is not None and written_by != signed_in


def written_by_other_than(draft: dict, coach: str) -> str | None:
    """The coach who wrote ``draft`` when it is not ``coach``, the coach meeting its person now (the coach chosen,
    else the person's coach; ""), for its offer to say whose it is; None when ``coach`` wrote it or it names no
    coach. The local app lets anyone continue any draft: a coach picking up another's should know it first."""
    written_by = draft.get(COACH_ID)
    return written_by if written_by and written_by != coach else None


def split_drafts(drafts: Sequence[dict], signed_in: str | None) -> tuple[list[dict], list[dict]]:
    """``(own, others)``: the drafts the coach signed in may resume or discard, and those another coach wrote
    (:func:`written_by_another_coach`), each in the order given."""
    others = [d for d in drafts if written_by_another_coach(d, signed_in)]
    return [d for d in drafts if not written_by_another_coach(d, signed_in)], others
