"""The previous plan and where it stands: pure functions over stored records.

A coach opens an employee and wants to know, before the first question, what
was agreed last time and what became of it. This module answers that from the
records the store returns (conversation and check-in dicts, as validated by
:mod:`careerconv.schema`) without touching the disk, so the facilitation app,
the due list and a team view can all share one set of rules:

* **the previous plan** is the last *completed* conversation (drafts are work in
  progress, never a plan), optionally the last one before a date;
* **an action item's status** is the status given by the latest check-in that
  mentions it (check-ins ordered by date, then by when they were saved, then by
  id); an item no check-in mentions is ``open``;
* **carried-over items** are items of an *earlier* completed conversation that a
  check-in kept alive: their latest status is ``open`` or ``in_progress``. Items
  of an earlier conversation that no check-in ever mentioned are considered
  replaced by the newer plan and are not carried over;
* **when a status was set**: an item's ``status_since`` is the date of the
  check-in that gave it its current status (the first of the latest run of
  check-ins saying so), so a completed item records the day it was done
  (``completed_on``) and a dropped one keeps the reason given when it was
  dropped;
* **the latest rating** of a skill is the most recent self (or coach) rating from
  a completed conversation or a check-in; on the same day a conversation wins
  over a check-in.

Skill names are compared with :func:`careerconv.schema.skill_key` (case and
spacing do not matter).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from .. import schema as S
from ..progress import horizon_date

OPEN_STATUSES = ("open", "in_progress")
STATUS_LABELS = {"open": "Open", "in_progress": "In progress", "done": "Done", "dropped": "Dropped"}


@dataclass(frozen=True)
class ItemState:
    """One action item of a completed conversation and its latest status.

    Attributes
    ----------
    conversation_id, conversation_date
        The conversation the item was agreed in (``conversation_date`` ISO).
    item_id, text, due, owner, skill
        As stored in the conversation (``due`` ISO date or None).
    status
        ``open``, ``in_progress``, ``done`` or ``dropped``.
    note
        From the latest check-in that mentioned the item ("" if none).
    reason
        Why a dropped item was dropped: the latest reason given since it was
        dropped ("" for any other status), so a later check-in that mentions
        the item again without a reason does not lose it.
    updated_on
        ISO date of the latest check-in that mentioned the item, or None.
    checkin_id
        Id of that check-in, or None.
    carried_over
        True for an item of an earlier conversation that is still being worked on.
    status_since
        ISO date of the check-in that set the current status: the first of the
        latest run of check-ins giving this status (for ``done``, the day it was
        completed; a later check-in repeating "done" does not move it). None for
        an item no check-in mentioned.
    """

    conversation_id: str
    conversation_date: str
    item_id: str
    text: str
    due: str | None
    owner: str
    skill: str
    status: str = "open"
    note: str = ""
    reason: str = ""
    updated_on: str | None = None
    checkin_id: str | None = None
    carried_over: bool = False
    status_since: str | None = None

    @property
    def is_open(self) -> bool:
        """True while the item still needs work (open or in progress)."""
        return self.status in OPEN_STATUSES

    @property
    def completed_on(self) -> str | None:
        """ISO date of the check-in that marked the item done, or None while it is not done."""
        return self.status_since if self.status == "done" else None

    @property
    def dropped_on(self) -> str | None:
        """ISO date of the check-in that dropped the item, or None while it is not dropped."""
        return self.status_since if self.status == "dropped" else None

    @property
    def status_label(self) -> str:
        """The status as a person reads it ("In progress")."""
        return STATUS_LABELS.get(self.status, self.status)

    def is_overdue(self, as_of: dt.date) -> bool:
        """True if the item is open and its due date is before ``as_of``."""
        return self.is_open and self.due is not None and dt.date.fromisoformat(self.due) < as_of


@dataclass(frozen=True)
class RatingPoint:
    """A skill rating at a date, from a conversation or a check-in."""

    skill: str
    date: str
    self_rating: int | None
    coach_rating: int | None
    source: str  # "conversation" or "checkin"
    record_id: str


@dataclass(frozen=True)
class SkillState:
    """A skill of the previous plan with its targets and the latest rating since.

    Attributes
    ----------
    skill
        The name as written in the conversation.
    baseline, coach_baseline
        Self and coach rating given in the conversation.
    targets
        ``{6: int|None, 12: ..., 18: ...}`` months after the conversation.
    latest
        The latest rating of this skill on or after the conversation (may be the
        conversation's own rating), or None.
    ten_looks_like, approach, chosen_option, dream_rank
        As agreed in the conversation.
    """

    skill: str
    baseline: int | None
    coach_baseline: int | None
    targets: dict[int, int | None]
    latest: RatingPoint | None
    ten_looks_like: str = ""
    approach: str = ""
    chosen_option: str = ""
    dream_rank: int | None = None


@dataclass(frozen=True)
class PreviousPlan:
    """The last completed conversation and what became of its plan.

    ``conversation`` is None when the employee never completed one; every list
    is then empty.
    """

    conversation: dict | None
    dreams: tuple[dict, ...] = ()
    skills: tuple[SkillState, ...] = ()
    items: tuple[ItemState, ...] = ()
    carried_over: tuple[ItemState, ...] = ()
    checkins_since: int = 0
    last_checkin_date: str | None = None
    next_due: str | None = None
    answers: dict = field(default_factory=dict)

    @property
    def date(self) -> str | None:
        """ISO date of the previous conversation, or None."""
        return self.conversation["date"] if self.conversation else None

    @property
    def conversation_id(self) -> str | None:
        """Id of the previous conversation, or None."""
        return self.conversation["conversation_id"] if self.conversation else None

    @property
    def open_items(self) -> tuple[ItemState, ...]:
        """Items still to follow up: the plan's open ones, then the carried-over ones."""
        return tuple(i for i in self.items if i.is_open) + self.carried_over


# --------------------------------------------------------------------------- helpers


_NUM_RE = re.compile(r"(\d+)")


def _natural(text: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in _NUM_RE.split(text or ""))


def _checkin_order(record: dict) -> tuple:
    return (record.get("date") or "", record.get("created_at") or "", _natural(record.get("checkin_id") or ""))


def completed_conversations(conversations: Iterable[dict], *, before: dt.date | str | None = None) -> list[dict]:
    """Completed conversations, oldest first, optionally only those dated before ``before``.

    Parameters
    ----------
    conversations
        Conversation records of one employee (any order; drafts are skipped).
    before
        A date (or ISO text); conversations on or after it are left out.

    Returns
    -------
    list of dict
        Sorted by date, then by id.
    """
    cutoff = S.iso(S.parse_date(before)) if before is not None else None
    done = [c for c in conversations if c.get("status") == "completed"]
    if cutoff is not None:
        done = [c for c in done if c["date"] < cutoff]
    return sorted(done, key=lambda c: (c["date"], _natural(c["conversation_id"])))


def last_completed(conversations: Iterable[dict], *, before: dt.date | str | None = None) -> dict | None:
    """The latest completed conversation (before ``before`` if given), or None."""
    done = completed_conversations(conversations, before=before)
    return done[-1] if done else None


def latest_updates(checkins: Iterable[dict]) -> dict[tuple[str, str], tuple[dict, dict]]:
    """The latest check-in update of every action item.

    Parameters
    ----------
    checkins
        Check-in records (any order).

    Returns
    -------
    dict
        ``(conversation_id, item_id) -> (update, checkin)`` for every item any
        check-in mentions; a later check-in replaces an earlier one.
    """
    return {key: history[-1] for key, history in status_histories(checkins).items()}


def status_histories(checkins: Iterable[dict]) -> dict[tuple[str, str], list[tuple[dict, dict]]]:
    """Every check-in update of every action item, oldest first.

    Parameters
    ----------
    checkins
        Check-in records (any order).

    Returns
    -------
    dict
        ``(conversation_id, item_id) -> [(update, checkin), ...]`` in the order
        the check-ins were held (date, then when saved, then id); the last pair
        is the item's latest word (as :func:`latest_updates` gives it).
    """
    out: dict[tuple[str, str], list[tuple[dict, dict]]] = {}
    for ci in sorted(checkins, key=_checkin_order):
        for upd in ci.get("updates") or []:
            conv = upd.get("conversation_id") or ci.get("conversation_id")
            if conv and upd.get("item_id"):
                out.setdefault((conv, upd["item_id"]), []).append((upd, ci))
    return out


def _current_run(history: list[tuple[dict, dict]]) -> tuple[str, str]:
    """(status_since, reason) of the latest run of updates that gave an item its current status."""
    status = history[-1][0]["status"]
    since, reason = history[-1][1]["date"], ""
    for upd, ci in reversed(history):
        if upd["status"] != status:
            break
        since = ci["date"]
        if not reason and status == "dropped":
            reason = (upd.get("reason") or "").strip()
    return since, reason


def item_states(conversations: Iterable[dict], checkins: Iterable[dict]) -> list[ItemState]:
    """Every action item of every completed conversation with its latest status.

    Parameters
    ----------
    conversations
        Conversation records of one employee (drafts are ignored).
    checkins
        That employee's check-in records.

    Returns
    -------
    list of ItemState
        Oldest conversation first, items in the order they were agreed.
        ``carried_over`` is set for open items of all but the last conversation
        that a check-in mentioned (see the module docstring); ``status_since``
        (and so ``completed_on``) is the day of the check-in that set the status.
    """
    done = completed_conversations(conversations)
    histories = status_histories(checkins)
    last_id = done[-1]["conversation_id"] if done else None
    out: list[ItemState] = []
    for conv in done:
        for item in conv.get("action_items") or []:
            history = histories.get((conv["conversation_id"], item["item_id"]))
            upd, ci = history[-1] if history else ({}, None)
            status = upd.get("status") or "open"
            since, reason = _current_run(history) if history else (None, "")
            carried = conv["conversation_id"] != last_id and ci is not None and status in OPEN_STATUSES
            out.append(ItemState(
                conversation_id=conv["conversation_id"], conversation_date=conv["date"],
                item_id=item["item_id"], text=item.get("text") or "", due=item.get("due"),
                owner=item.get("owner") or "", skill=item.get("skill") or "", status=status,
                note=upd.get("note") or "", reason=reason,
                updated_on=ci["date"] if ci else None, checkin_id=ci["checkin_id"] if ci else None,
                carried_over=carried, status_since=since))
    return out


def open_items(conversations: Iterable[dict], checkins: Iterable[dict]) -> list[ItemState]:
    """What a check-in follows up: open items of the last plan, then carried-over items.

    Parameters
    ----------
    conversations, checkins
        One employee's records.

    Returns
    -------
    list of ItemState
        Items of the last completed conversation that are open or in progress,
        followed by carried-over items of earlier conversations (oldest first).
        Empty if the employee has no completed conversation.
    """
    conversations = list(conversations)
    states = item_states(conversations, checkins)
    last = last_completed(conversations)
    if last is None:
        return []
    current = [s for s in states if s.conversation_id == last["conversation_id"] and s.is_open]
    carried = [s for s in states if s.carried_over]
    return current + carried


def rating_points(conversations: Iterable[dict], checkins: Iterable[dict]) -> list[RatingPoint]:
    """Every skill rating from completed conversations and check-ins, oldest first.

    On one day a conversation rating sorts after a check-in rating, so the
    conversation wins when "latest" is taken.
    """
    points: list[tuple[tuple, RatingPoint]] = []
    for conv in completed_conversations(conversations):
        for s in conv.get("skills") or []:
            if s.get("self_rating") is None and s.get("coach_rating") is None:
                continue
            points.append(((conv["date"], 1, _natural(conv["conversation_id"])), RatingPoint(
                s["skill"], conv["date"], s.get("self_rating"), s.get("coach_rating"), "conversation",
                conv["conversation_id"])))
    for ci in checkins:
        for r in ci.get("ratings") or []:
            if r.get("self_rating") is None and r.get("coach_rating") is None:
                continue
            points.append(((ci["date"], 0, _checkin_order(ci)), RatingPoint(
                r["skill"], ci["date"], r.get("self_rating"), r.get("coach_rating"), "checkin", ci["checkin_id"])))
    points.sort(key=lambda p: p[0])
    return [p for _, p in points]


def latest_ratings(conversations: Iterable[dict], checkins: Iterable[dict], *,
                   since: dt.date | str | None = None) -> dict[str, RatingPoint]:
    """The latest rating of each skill.

    Parameters
    ----------
    conversations, checkins
        One employee's records.
    since
        Ignore ratings dated before this day (ISO text or date).

    Returns
    -------
    dict
        ``skill_key(name) -> RatingPoint``. A point keeps the self rating and
        coach rating given together; a later point with only one of them still
        replaces the earlier point.
    """
    cutoff = S.iso(S.parse_date(since)) if since is not None else None
    out: dict[str, RatingPoint] = {}
    for p in rating_points(conversations, checkins):
        if cutoff is not None and p.date < cutoff:
            continue
        out[S.skill_key(p.skill)] = p
    return out


def previous_plan(conversations: Sequence[dict], checkins: Sequence[dict], *,
                  before: dt.date | str | None = None) -> PreviousPlan:
    """The last completed conversation and what became of its plan.

    Parameters
    ----------
    conversations, checkins
        One employee's records, as the store returns them.
    before
        Look only at conversations dated before this day (e.g. the date of the
        conversation being held, so a conversation completed earlier today is
        not its own "previous" one). Check-ins are never cut off.

    Returns
    -------
    PreviousPlan
        Empty (``conversation`` None) if there is no completed conversation.
    """
    convs = list(conversations)
    if before is not None:
        convs = completed_conversations(convs, before=before)
    last = last_completed(convs)
    if last is None:
        return PreviousPlan(conversation=None)
    cis = list(checkins)
    states = item_states(convs, cis)
    own = tuple(s for s in states if s.conversation_id == last["conversation_id"])
    carried = tuple(s for s in states if s.carried_over)
    latest = latest_ratings(convs, cis, since=last["date"])
    skills = []
    for s in last.get("skills") or []:
        chosen = next((o.get("text") or "" for o in s.get("options") or [] if o.get("chosen")), "")
        targets = {h: (s.get("targets") or {}).get(str(h)) for h in S.HORIZONS}
        skills.append(SkillState(
            skill=s["skill"], baseline=s.get("self_rating"), coach_baseline=s.get("coach_rating"),
            targets=targets, latest=latest.get(S.skill_key(s["skill"])),
            ten_looks_like=s.get("ten_looks_like") or "", approach=s.get("approach") or "",
            chosen_option=chosen, dream_rank=s.get("dream_rank")))
    since = [c for c in cis if c["date"] >= last["date"]]
    last_ci = max(since, key=_checkin_order)["date"] if since else None
    dreams = tuple(sorted((dict(d) for d in last.get("dreams") or []), key=lambda d: d.get("rank") or 0))
    return PreviousPlan(conversation=last, dreams=dreams, skills=tuple(skills), items=own, carried_over=carried,
                        checkins_since=len(since), last_checkin_date=last_ci, next_due=last.get("next_due"),
                        answers=dict(last.get("answers") or {}))


def next_conversation_due(conversations: Iterable[dict]) -> dt.date | None:
    """When the next career conversation is due: the last completed one's ``next_due``.

    Falls back to its date plus its cadence if ``next_due`` is not stored.
    Returns None if there is no completed conversation or no cadence.
    """
    last = last_completed(conversations)
    if last is None:
        return None
    if last.get("next_due"):
        return dt.date.fromisoformat(last["next_due"])
    if last.get("cadence_months"):
        return horizon_date(last["date"], int(last["cadence_months"])).date()
    return None
