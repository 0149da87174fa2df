"""Who is due: the career-conversation cadence and the follow-up check-ins.

The due-date rules live here and only here; ``careerconv due``, the calendar
file and the coach's views call these functions. The action-item rules are
those of :mod:`careerconv.rules.followup` (one implementation, which the coach's
app applies to one person's records), applied here to the whole
organisation's derived tables. Every function is
pure (frames in, a new frame out, inputs never modified) and takes the day it
is evaluated on, ``as_of``, as a parameter, so a frozen clock gives the same
answer every time.

Rules
-----
*Records after as_of do not exist yet.* Conversations and check-ins dated after
``as_of`` are ignored, so an earlier ``as_of`` shows the picture as it was then.

*Only a completed conversation counts as held.* A draft is shown ("draft in
progress", its date in ``draft_in_progress``) when it is the latest
conversation on file, but it does not move any due date.

*Next career conversation.* The last completed conversation on or before
``as_of`` (the latest date; on one day, the last ``conversation_id`` in
natural order) decides it:

1. the explicit ``next_due`` date agreed in that conversation, if it holds one;
2. otherwise its date plus the cadence agreed in it (``cadence_months``), or,
   when it did not record one (imported history), the roster's cadence.

Months are calendar months with the day clipped to the end of a shorter month,
the rule of :func:`careerconv.rules.progress.horizon_date` (31 Aug + 6 months =
28 Feb, 29 Feb in a leap year).

*Never met.* A person on the roster without a completed conversation is due
now: status ``never met``, no due date and no days overdue (we do not know
since when). They rank right after everyone overdue by date and before
everyone merely due soon: a person already late on an agreed date has waited
longest on a promise, but a first conversation is more pressing than one that
is not yet late.

*Follow-up check-ins.* When the last conversation agreed an interval
(``follow_up_every_weeks``), the next check-in is due that many weeks
(7 days each) after the later of the last conversation and the last check-in
on or before ``as_of``: every check-in restarts the clock. Without an agreed
interval there is no check-in due date. A check-in is not listed when it
would fall due on or after the next career conversation, nor once that
conversation is overdue: the conversation follows up on the plan itself, and a
check-in skipped a year ago should not drown out the conversation that is
late now.

*Status.* Per due date: ``overdue`` when it is before ``as_of``; ``due soon``
when it is ``as_of`` or within ``soon_days`` after it; ``scheduled`` later.
A person's status is the most urgent of their two (``never met`` when no
conversation was held), and ``days_overdue`` the larger lateness of the two.

*Open action items.* The rules of :mod:`careerconv.rules.followup`, which the
coach's app follows up with, applied to the derived tables as known on
``as_of``: an item's status is that of the latest check-in update that
mentions it (``open`` if none does); open means ``open`` or ``in_progress``.
A person's open items are the open items of their last completed
conversation plus the *carried-over* ones: items of an earlier conversation
that a check-in kept alive (its latest update is ``open`` or
``in_progress``). Items of an earlier conversation that no check-in ever
mentioned were replaced by the newer plan. Drafts agree nothing.

Sort order, most urgent first: overdue (most days overdue first), never met,
due soon, scheduled (earliest due date first); then name and employee id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from careerconv.records import defaults
from . import followup, progress
from careerconv.records import schema
from careerconv.records.schema import (
    CADENCE_MONTHS, CHECKIN_ID, COACH_ID, CONVERSATION_ID, DATE, DEPARTMENT, EMPLOYEE_ID, ITEM_ID, STATUS,
)

__all__ = [
    "OVERDUE",
    "DUE_SOON",
    "SCHEDULED",
    "NEVER_MET",
    "STATUSES",
    "CONVERSATION",
    "CHECKIN",
    "DUE_SOON_DAYS",
    "DUE_TABLES",
    "DUE_COLUMNS",
    "ITEM_STATE_COLUMNS",
    "due_status",
    "action_item_states",
    "open_action_items",
    "due_list",
]

OVERDUE = "overdue"
DUE_SOON = "due soon"
SCHEDULED = "scheduled"
NEVER_MET = "never met"
STATUSES: tuple[str, ...] = (OVERDUE, NEVER_MET, DUE_SOON, SCHEDULED)  # most urgent first
_RANK = {status: rank for rank, status in enumerate(STATUSES)}

CONVERSATION = "career conversation"
CHECKIN = "check-in"

DUE_SOON_DAYS = defaults.DUE_SOON_DAYS

# The tables due_list reads: the roster and four derived tables of the store.
DUE_TABLES: tuple[str, ...] = ("roster", "conversations", "checkins", "action_items", "checkin_updates")

DUE_COLUMNS: tuple[str, ...] = (
    EMPLOYEE_ID,
    "name",
    COACH_ID,
    DEPARTMENT,
    STATUS,
    "due_for",
    "days_overdue",
    "last_conversation",
    CADENCE_MONTHS,
    "next_conversation_due",
    "conversation_status",
    "follow_up_mode",
    "follow_up_every_weeks",
    "last_checkin",
    "next_checkin_due",
    "checkin_status",
    "open_action_items",
    "draft_in_progress",
)

# The columns of careerconv.rules.followup.action_item_states the due list keeps: no words (notes, reasons) and
# no run start.
ITEM_STATE_COLUMNS: tuple[str, ...] = tuple(
    c for c in followup.ITEM_STATE_COLUMNS if c not in ("status_since", "note", "reason"))

_DATE = "datetime64[ns]"
_NEEDED = {
    "roster": (EMPLOYEE_ID, "name", COACH_ID, DEPARTMENT, CADENCE_MONTHS),
    "conversations": (CONVERSATION_ID, EMPLOYEE_ID, DATE, STATUS, CADENCE_MONTHS, "next_due",
                      "follow_up_mode", "follow_up_every_weeks"),
    "checkins": (CHECKIN_ID, EMPLOYEE_ID, DATE),
    "action_items": (CONVERSATION_ID, EMPLOYEE_ID, ITEM_ID, "due"),
    "checkin_updates": (CHECKIN_ID, EMPLOYEE_ID, DATE, CONVERSATION_ID, ITEM_ID, STATUS),
}


# ---------------------------------------------------------------------------
# Scalar rules
# ---------------------------------------------------------------------------


def _next_by_cadence(dates: pd.Series, months: pd.Series) -> pd.Series:
    """Each date plus its cadence in calendar months, by :func:`careerconv.rules.progress.horizon_dates`.

    ``progress.horizon_date`` owns the month rule for the whole product (``horizon_dates`` is its form for
    whole columns). A missing date or cadence gives NaT.

    Raises
    ------
    ValueError
        If a cadence is negative (from :func:`~careerconv.rules.progress.horizon_dates`).
    """
    return progress.horizon_dates(pd.Series(dates, dtype=_DATE), pd.array(months, dtype="Int64"))


def due_status(due: Any, as_of: Any, soon_days: int = DUE_SOON_DAYS) -> str | None:
    """Classify one due date on the day ``as_of``.

    Parameters
    ----------
    due : date-like or None
        The due date; missing means nothing is due.
    as_of : date-like
        The day of evaluation.
    soon_days : int, default 30
        How many days ahead counts as "due soon".

    Returns
    -------
    str or None
        :data:`OVERDUE` (due before ``as_of``), :data:`DUE_SOON` (due on
        ``as_of`` or within ``soon_days`` after), :data:`SCHEDULED` (later), or
        None when ``due`` is missing.

    Raises
    ------
    ValueError
        If a date cannot be read or ``soon_days`` is not a whole number >= 0.
    """
    day = _as_day(as_of, "as_of")
    soon = _check_days(soon_days, "soon_days")
    if due is None or (not isinstance(due, str) and pd.isna(due)):
        return None
    when = _as_day(due, "due")
    if when < day:
        return OVERDUE
    if when <= day + pd.Timedelta(days=soon):
        return DUE_SOON
    return SCHEDULED


# ---------------------------------------------------------------------------
# Action items
# ---------------------------------------------------------------------------


def action_item_states(tables: Mapping[str, pd.DataFrame], as_of: Any) -> pd.DataFrame:
    """The state of every action item agreed in a completed conversation, on ``as_of``.

    The rules of :func:`careerconv.rules.followup.action_item_states` (the one
    implementation, which the coach's app also follows), applied to the
    derived tables as known on ``as_of``: an item's status is that of its
    latest update in a check-in on or before ``as_of`` (latest date; on one
    day, the check-in id in natural order, so ``-ci-20240201-10`` comes after
    ``-ci-20240201-2``), or ``open`` when no check-in has mentioned it. Items
    of drafts and of conversations after ``as_of`` are left out.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        At least ``conversations``, ``action_items`` and ``checkin_updates`` as
        the store's derived tables (:data:`careerconv.records.schema.DERIVED_TABLES`).
    as_of : date-like
        The day of evaluation.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ITEM_STATE_COLUMNS`, one row per item, sorted by
        employee, conversation date, conversation and item (natural order).
        ``status_date`` is the day of the item's latest update (NaT if never
        updated) and ``checkin_id`` the check-in that made it; when a check-in
        repeats the status it had, that is the repeat (the progress report
        shows it as the last check-in update; the app's follow-up view says
        since when the item has had its status). ``current`` marks items of
        the employee's last completed conversation; ``carried_over`` items of
        an earlier one that a check-in kept open; ``is_open`` the items still
        to follow up (open current items and carried-over ones).

    Raises
    ------
    ValueError
        If a table or a column is missing or a date cannot be read.
    """
    day = _as_day(as_of, "as_of")
    for name in ("conversations", "action_items", "checkin_updates"):
        _require(tables, name)
    # item_state_columns orders the conversations itself: only those known count, and only the columns it reads.
    conversations = tables["conversations"]
    conv_dates = _dates(conversations, DATE, "conversations")
    known = conversations.loc[(conv_dates <= day).to_numpy(), [CONVERSATION_ID, EMPLOYEE_ID, STATUS]] \
        .assign(date=conv_dates[conv_dates <= day])
    updates = tables["checkin_updates"]
    upd_dates = _dates(updates, DATE, "checkin_updates")
    upd = updates.loc[(upd_dates <= day).to_numpy(), [CONVERSATION_ID, ITEM_ID, STATUS, CHECKIN_ID]] \
        .assign(date=upd_dates[upd_dates <= day])
    # The columns themselves (not followup.action_item_states' frame, whose dates are objects for the app).
    columns = followup.item_state_columns(known, tables["action_items"], upd)
    checkin = columns[CHECKIN_ID]  # objects, None where missing (not inferred as text)
    checkin[pd.isna(checkin)] = None
    out = pd.DataFrame({name: pd.Series(checkin, dtype=object) if name == CHECKIN_ID else columns[name]
                        for name in ITEM_STATE_COLUMNS})
    for column in ("conversation_date", "due", "status_date"):
        out[column] = pd.to_datetime(out[column]).astype(_DATE)
    for column in ("current", "carried_over", "is_open"):
        out[column] = out[column].astype(bool)
    out = followup.sort_natural(out, [EMPLOYEE_ID, "conversation_date", CONVERSATION_ID], ITEM_ID)
    return out.reset_index(drop=True).loc[:, list(ITEM_STATE_COLUMNS)]


def agreed_by(states: pd.DataFrame, day: Any) -> np.ndarray:
    """Which items of :func:`action_item_states` on a later day (or the same) it has on ``day`` too.

    The items known on a day are those of the conversations dated on or before it, so the items of an
    earlier day are the rows of a later day's states whose ``conversation_date`` is on or before it (their
    states are those of the later day: what was known on ``day`` is not).

    Parameters
    ----------
    states : pandas.DataFrame
        Rows of :func:`action_item_states` (at least ``conversation_date``) on a day on or after ``day``.
    day : date-like
        The earlier day.

    Returns
    -------
    numpy.ndarray
        One bool per row.
    """
    return (states["conversation_date"] <= _as_day(day, "day")).to_numpy(dtype=bool)


def open_action_items(tables: Mapping[str, pd.DataFrame], as_of: Any, *,
                      states: pd.DataFrame | None = None) -> pd.Series:
    """How many action items each employee still has open on ``as_of``.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        As for :func:`action_item_states`.
    as_of : date-like
        The day of evaluation.
    states : pandas.DataFrame, optional
        ``action_item_states(tables, as_of)`` when the caller has it already (it is not worked out again).

    Returns
    -------
    pandas.Series
        int64 counts indexed by ``employee_id`` (employees with none open are
        absent).

    Raises
    ------
    ValueError
        As :func:`action_item_states`.
    """
    if states is None:
        states = action_item_states(tables, as_of)
    ids = states[EMPLOYEE_ID][states["is_open"].to_numpy(dtype=bool)]
    codes, uniques = pd.factorize(ids, sort=True)  # as groupby sorts them (a missing id counts for nobody)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques)).astype("int64")
    return pd.Series(counts, index=pd.Index(uniques, name=EMPLOYEE_ID))


# ---------------------------------------------------------------------------
# The due list
# ---------------------------------------------------------------------------


def due_list(
    tables: Mapping[str, pd.DataFrame],
    as_of: Any,
    coach: str | None = None,
    within_days: int | None = None,
    *,
    soon_days: int = DUE_SOON_DAYS,
    item_states: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Who is due for a career conversation or a check-in, most urgent first.

    See the module docstring for every rule.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        The tables of :data:`DUE_TABLES`: the roster and the store's derived
        ``conversations``, ``checkins``, ``action_items`` and
        ``checkin_updates`` tables (as :meth:`careerconv.records.store.Store.read_table`
        returns them).
    as_of : date-like
        The day of evaluation ("today").
    coach : str, optional
        Only this coach's reports (by the roster's ``coach_id``).
    within_days : int, optional
        Only people overdue, never met, or with a conversation or check-in due
        within this many days after ``as_of``.
    soon_days : int, default 30
        How many days ahead counts as "due soon".
    item_states : pandas.DataFrame, optional
        :func:`action_item_states` of the same tables on the same day, when the caller has it already.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`DUE_COLUMNS`, one row per employee on the roster (after
        the filters), most urgent first. Dates are datetime64 (NaT when there is
        none); ``days_overdue`` is 0 when nothing is late and NA for people
        never met; ``due_for`` names what the status is about
        ("career conversation", "check-in", or both joined by ", ").

    Raises
    ------
    ValueError
        If a table or column is missing, a value cannot be read, a number of
        days is negative, or ``coach`` has no reports on the roster (the
        message lists the coaches there are).
    """
    day = _as_day(as_of, "as_of")
    soon = _check_days(soon_days, "soon_days")
    within = None if within_days is None else _check_days(within_days, "within_days")
    for name in DUE_TABLES:
        _require(tables, name)

    roster = tables["roster"].loc[:, list(_NEEDED["roster"])].copy()
    if coach is not None:
        coaches = sorted(set(roster[COACH_ID].dropna().astype(str)) - {""})
        if coach not in coaches:
            listed = ", ".join(coaches[:30]) if coaches else "none (the roster is empty)"
            if len(coaches) > 30:
                listed += f" ... and {len(coaches) - 30} more"
            raise ValueError(f"coach {coach!r} has no reports on the roster; coaches are: {listed}")
        roster = roster[roster[COACH_ID] == coach]
    frame = roster.rename(columns={CADENCE_MONTHS: "roster_cadence"}).reset_index(drop=True)

    # Conversations held (completed) and drafts, as known on as_of; check-ins on or before it. The people are
    # numbered once for all three (a missing id finds the conversations of a missing id, as a lookup would, but no
    # check-ins, which are counted by person).
    known = _known_by(tables["conversations"], day)
    checkins = tables["checkins"]
    ci_dates = _dates(checkins, DATE, "checkins")
    ci_ids = checkins[EMPLOYEE_ID][(ci_dates <= day).to_numpy()]
    counts = open_action_items(tables, day, states=item_states)
    person, of_known, of_ci, of_counts = _person_codes(frame[EMPLOYEE_ID], known[EMPLOYEE_ID], ci_ids,
                                                       counts.index.to_series())
    last = _last_rows(of_known, (known[STATUS] == "completed").to_numpy(dtype=bool), person)
    frame["last_conversation"] = _taken(known[DATE], last, frame.index).astype(_DATE)
    frame["conv_cadence"] = _taken(known[CADENCE_MONTHS], last, frame.index)
    frame["agreed_next_due"] = _taken(pd.to_datetime(known["next_due"]).astype(_DATE), last, frame.index)
    frame["follow_up_mode"] = _taken(known["follow_up_mode"], last, frame.index).astype(object)
    frame["follow_up_every_weeks"] = pd.array(_taken(known["follow_up_every_weeks"], last, frame.index),
                                              dtype="Int64")
    draft = _last_rows(of_known, (known[STATUS] == "draft").to_numpy(dtype=bool), person)
    draft_date = _taken(known[DATE], draft, frame.index).astype(_DATE)
    frame["draft_in_progress"] = draft_date.where(
        frame["last_conversation"].isna() | (draft_date >= frame["last_conversation"]))

    cadence = pd.array(frame["conv_cadence"], dtype="Int64")
    cadence = cadence.fillna(pd.array(frame["roster_cadence"], dtype="Int64"))
    frame[CADENCE_MONTHS] = cadence
    by_cadence = _next_by_cadence(frame["last_conversation"], frame[CADENCE_MONTHS])
    frame["next_conversation_due"] = frame["agreed_next_due"].where(frame["agreed_next_due"].notna(), by_cadence)

    # Check-ins: the latest one, and the follow-up clock.
    frame["last_checkin"] = _latest(ci_dates[ci_dates <= day], np.where(ci_ids.isna().to_numpy(), -1, of_ci), person,
                                    frame.index)
    next_ci = _followup_due(frame)
    conv_due = frame["next_conversation_due"]
    superseded = _left_to_the_conversation(next_ci, conv_due) | (next_ci.notna() & conv_due.notna() & (conv_due < day))
    frame["next_checkin_due"] = next_ci.where(~superseded)

    never = frame["last_conversation"].isna()
    frame["conversation_status"] = _statuses(frame["next_conversation_due"], day, soon).mask(never, NEVER_MET)
    frame["checkin_status"] = _statuses(frame["next_checkin_due"], day, soon)

    late_conv = (day - frame["next_conversation_due"]).dt.days.clip(lower=0)
    late_ci = (day - frame["next_checkin_due"]).dt.days.clip(lower=0)
    late = pd.concat([late_conv, late_ci], axis=1).max(axis=1).fillna(0)
    frame["days_overdue"] = pd.array(late.where(~never), dtype="Int64")

    frame[STATUS], frame["due_for"] = _combine_columns(frame["conversation_status"], frame["checkin_status"])

    open_of = np.zeros(len(person) + len(of_known) + len(of_ci) + len(of_counts), dtype=np.int64)
    open_of[of_counts] = counts.to_numpy()  # each person once (no missing id)
    frame["open_action_items"] = open_of[person]

    next_any = frame[["next_conversation_due", "next_checkin_due"]].min(axis=1)
    if within is not None:
        horizon = day + pd.Timedelta(days=within)
        keep = frame[STATUS].isin([OVERDUE, NEVER_MET]) | (next_any <= horizon)
        frame, next_any = frame[keep], next_any[keep]

    order = np.lexsort([_sort_key(key) for key in (
        frame[EMPLOYEE_ID], frame["name"].astype(str).str.casefold(), next_any,
        -frame["days_overdue"].fillna(0).astype("int64"), frame[STATUS].map(_RANK))])
    out = frame.loc[:, list(DUE_COLUMNS)].take(order).reset_index(drop=True)
    for column in ("last_conversation", "next_conversation_due", "last_checkin", "next_checkin_due",
                   "draft_in_progress"):
        out[column] = pd.to_datetime(out[column]).astype(_DATE)
    for column in ("conversation_status", "checkin_status", "follow_up_mode"):
        values = out[column].to_numpy(dtype=object, copy=True)
        values[pd.isna(values)] = None
        out[column] = pd.Series(values, dtype=object)
    return out


def _sort_key(values: pd.Series) -> np.ndarray:
    """Whole numbers in the order ``sort_values`` puts ``values`` (missing values last)."""
    codes = pd.factorize(values, sort=True)[0].astype(np.int64)
    return np.where(codes < 0, len(codes), codes)


def followup_overdue(due: pd.DataFrame, as_of: Any) -> np.ndarray:
    """Whether each person of a due list missed a follow-up: one fell due before their next conversation and
    no check-in or conversation was held by ``as_of`` - also when that conversation is overdue too.

    The due list then names only the conversation (what is due now; the check-in is superseded), so its
    ``checkin_status`` says nothing of the follow-up; counting who kept up the agreed follow-up reads this.
    A follow-up falling due on or after the next conversation is left to that conversation, as in the due list.

    Parameters
    ----------
    due : pandas.DataFrame
        :func:`due_list` on ``as_of`` (at least ``last_conversation``, ``last_checkin``,
        ``follow_up_every_weeks`` and ``next_conversation_due``).
    as_of : date-like
        The day of the due list.

    Returns
    -------
    numpy.ndarray
        One bool per row.
    """
    day = _as_day(as_of, "as_of")
    next_ci = _followup_due(due)
    late = next_ci.notna() & (next_ci < day) & ~_left_to_the_conversation(next_ci, due["next_conversation_due"])
    return late.to_numpy(dtype=bool)


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _followup_due(frame: pd.DataFrame) -> pd.Series:
    """When each person's next follow-up falls due by the agreed interval: that many weeks after the later of
    their last conversation and last check-in (NaT: never met, or no interval agreed)."""
    clock = frame[["last_conversation", "last_checkin"]].max(axis=1).where(frame["last_conversation"].notna())
    weeks = frame["follow_up_every_weeks"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    step = pd.to_timedelta(weeks * 7, unit="D")
    return (clock.astype(_DATE) + step).astype(_DATE)


def _left_to_the_conversation(next_ci: pd.Series, conv_due: pd.Series) -> pd.Series:
    """Whether a follow-up falls due on or after the next conversation (which then replaces it)."""
    return next_ci.notna() & conv_due.notna() & (next_ci >= conv_due)


def _statuses(dues: pd.Series, day: pd.Timestamp, soon: int) -> pd.Series:
    """:func:`due_status` for a column of dates at once (None where there is no date)."""
    values = pd.to_datetime(dues).astype(_DATE).to_numpy()
    missing = np.isnat(values)
    limit = np.datetime64(day + pd.Timedelta(days=soon), "ns")
    labels = np.select([missing, values < np.datetime64(day, "ns"), values <= limit],
                       [None, OVERDUE, DUE_SOON], default=SCHEDULED)
    return pd.Series(labels.astype(object), index=dues.index, dtype=object)


def _combine(conv_status: str, checkin_status: str | None) -> tuple[str, str]:
    """A person's status from their two statuses, and what it is about."""
    if conv_status == NEVER_MET:
        return NEVER_MET, CONVERSATION
    pairs = [(s, what) for s, what in ((conv_status, CONVERSATION), (checkin_status, CHECKIN)) if s is not None]
    if not pairs:  # a completed conversation always gives a date; defensive for hand-made frames
        return SCHEDULED, CONVERSATION
    best = min(_RANK[s] for s, _ in pairs)
    status = STATUSES[best]
    return status, ", ".join(what for s, what in pairs if _RANK[s] == best)


def _combine_columns(conv_status: pd.Series, checkin_status: pd.Series) -> tuple[pd.Series, pd.Series]:
    """:func:`_combine` of every row's two statuses (None where missing), worked out once per distinct pair
    (there are a handful) instead of once per person."""
    conv_codes, conv_values = pd.factorize(conv_status.astype(object), use_na_sentinel=True)
    ci_codes, ci_values = pd.factorize(checkin_status.astype(object), use_na_sentinel=True)
    width = len(ci_values) + 1
    pairs, row_pair = np.unique((conv_codes + 1) * width + (ci_codes + 1), return_inverse=True)
    conv_of = [None, *conv_values]  # code + 1 -> status (0: missing)
    ci_of = [None, *ci_values]
    combined = [_combine(conv_of[p // width], ci_of[p % width]) for p in pairs.tolist()]
    status = np.array([s for s, _ in combined] + [None], dtype=object)[row_pair.reshape(-1)]
    due_for = np.array([w for _, w in combined] + [None], dtype=object)[row_pair.reshape(-1)]
    return (pd.Series(status, index=conv_status.index, dtype=object),
            pd.Series(due_for, index=conv_status.index, dtype=object))


def _known_by(conversations: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """Conversations dated on or before ``day``, oldest first (date, then id in natural order)."""
    dates = _dates(conversations, DATE, "conversations")
    known = conversations.loc[(dates <= day).to_numpy()].assign(date=dates[dates <= day])
    return followup.sort_natural(known, [EMPLOYEE_ID, DATE], CONVERSATION_ID)


def _person_codes(*ids: pd.Series) -> list[np.ndarray]:
    """Whole numbers from 0, equal where the ids of the columns are (a missing id is a number of its own), split by
    column. Text is hashed as it is (not as Python strings)."""
    if all(isinstance(column.dtype, pd.StringDtype) for column in ids):
        joined = pd.concat([column.astype(ids[0].dtype) for column in ids], ignore_index=True)
    else:
        joined = pd.Series(np.concatenate([column.to_numpy(dtype=object) for column in ids]), dtype=object)
    codes = pd.factorize(joined, use_na_sentinel=False)[0].astype(np.int64)
    return np.split(codes, np.cumsum([len(column) for column in ids])[:-1])


def _last_rows(codes: np.ndarray, chosen: np.ndarray, of: np.ndarray) -> np.ndarray:
    """For each code of ``of``, the last row of ``codes`` among the ``chosen`` rows with that code (-1: none)."""
    last = np.full(int(max(codes.max(initial=-1), of.max(initial=-1))) + 1, -1, dtype=np.int64)
    np.maximum.at(last, codes[chosen], np.flatnonzero(chosen))
    return last[of]


def _latest(dates: pd.Series, codes: np.ndarray, of: np.ndarray, index: pd.Index) -> pd.Series:
    """For each code of ``of``, the latest of the ``dates`` (none missing) with that code (NaT: none; rows with the
    code -1 count for nobody)."""
    days = dates.to_numpy(dtype=_DATE).view(np.int64)
    latest = np.full(int(max(codes.max(initial=-1), of.max(initial=-1))) + 2, np.iinfo(np.int64).min)
    np.maximum.at(latest, np.where(codes >= 0, codes, len(latest) - 1), days)
    return pd.Series(latest[of].view(_DATE), index=index)


def _taken(values: pd.Series, rows: np.ndarray, index: pd.Index) -> pd.Series:
    """``values`` at the positions ``rows`` (-1: missing, in the type ``Series.reindex`` would fill it with), on
    ``index``."""
    found = values.array.take(rows, allow_fill=True) if isinstance(values.dtype, pd.api.extensions.ExtensionDtype) \
        else pd.api.extensions.take(values.to_numpy(), rows, allow_fill=True)
    return pd.Series(found, index=index, name=values.name, copy=False)


def _as_day(value: Any, name: str) -> pd.Timestamp:
    if isinstance(value, str):
        try:
            value = schema.parse_date(value)
        except ValueError as exc:
            raise ValueError(f"{name} {value!r} {exc}") from None
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a date (YYYY-MM-DD), got {value!r}") from None
    if pd.isna(stamp):
        raise ValueError(f"{name} must be a date (YYYY-MM-DD), got {value!r}")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return stamp.as_unit("ns").normalize()


def _check_days(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{name} must be a whole number of days >= 0, got {value!r}")
    return int(value)


def _require(tables: Mapping[str, pd.DataFrame], name: str) -> None:
    if name not in tables:
        raise ValueError(f"table {name!r} is missing; due_list needs: {', '.join(DUE_TABLES)}")
    frame = tables[name]
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"table {name!r} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in _NEEDED[name] if c not in frame.columns]
    if missing:
        raise ValueError(f"table {name!r} is missing column(s): {', '.join(missing)}")


def _dates(frame: pd.DataFrame, column: str, name: str) -> pd.Series:
    """A date column as calendar days (time of day dropped)."""
    try:
        dates = pd.to_datetime(frame[column], errors="raise")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"table {name!r}, column {column!r}: not a date ({exc})") from None
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    return dates.astype(_DATE).dt.normalize()
