"""The pieces of who is covered and of the follow-up between conversations: the overview (who met in the
period, their conversations and check-ins, :func:`overview_piece`), cadence compliance (:func:`cadence_piece`),
each coach's follow-through (:func:`coach_piece`), both from :func:`cadence_rows`, and the action items' states
(:func:`action_items_piece`, from :func:`item_rows`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from careerconv.records import leavers, schema
from careerconv.records.schema import COACH_ID, DATE, EMPLOYEE_ID, LEFT_ON, STATUS
from careerconv.rules import cadence
from careerconv.rules import followup
from ..constants import DEPARTMENT
from ..levels import Piece, contributions, level_piece
from ..scope import ReportScope
from .codes import DepartmentOf, departments, positions
from .measures import CADENCE, COACH, ITEMS, OVERVIEW


def overview_piece(roster: pd.DataFrame, completed: pd.DataFrame, checkins: pd.DataFrame, scope: ReportScope,
                   department_of: pd.Series | DepartmentOf, *, sizes_only: bool = False) -> Piece:
    """Who is covered: everyone on ``roster`` (those here on some day of the period), whether they met in the
    period, their conversations and check-ins.

    The people are counted as whole numbers (each id hashed once; a missing id is nobody's). With ``sizes_only``
    only the people are counted, per department (see
    :attr:`~careerconv.analytics.record_tables.context.Context.sizes_only`; their records are not read).
    """
    if sizes_only:
        return level_piece(roster.loc[:, [EMPLOYEE_ID, DEPARTMENT]], [], {}, scope)
    conv_ids = completed[EMPLOYEE_ID][(completed[DATE] >= scope.start).to_numpy()]
    conv_dates = completed[DATE][(completed[DATE] >= scope.start).to_numpy()]
    ci_dates = pd.to_datetime(checkins[DATE]).dt.normalize()
    in_period = ((ci_dates >= scope.start) & (ci_dates < scope.end)).to_numpy()
    ci_ids, ci_dates = checkins[EMPLOYEE_ID][in_period], ci_dates[in_period]
    person, ids = _person_numbers(roster[EMPLOYEE_ID], conv_ids, ci_ids)
    conv_person, ci_person = person[len(roster):len(roster) + len(conv_ids)], person[len(roster) + len(conv_ids):]
    on_roster = person[:len(roster)]
    per_emp = pd.DataFrame({EMPLOYEE_ID: pd.array(np.where(on_roster >= 0, on_roster, 0), dtype="Int64"),
                            DEPARTMENT: roster[DEPARTMENT].to_numpy()}, index=roster.index)
    per_emp.loc[on_roster < 0, EMPLOYEE_ID] = pd.NA
    conversations = _counts_of(conv_person, on_roster, len(ids))
    per_emp["met"] = conversations > 0
    per_emp["n_conv"] = _as_mapped(conversations, roster[EMPLOYEE_ID], completed.loc[:, [EMPLOYEE_ID]])
    per_emp["n_ci"] = _as_mapped(_counts_of(ci_person, on_roster, len(ids)), roster[EMPLOYEE_ID],
                                 checkins.loc[:, [EMPLOYEE_ID]])
    event_person = np.concatenate([conv_person, ci_person])
    department = departments(pd.Series(ids), department_of).array
    event_department = department.take(np.where(event_person >= 0, event_person, -1), allow_fill=True)
    kept = np.flatnonzero(~np.asarray(event_department.isna(), dtype=bool))
    events = pd.DataFrame({EMPLOYEE_ID: event_person[kept],
                           DATE: np.concatenate([conv_dates.to_numpy(), ci_dates.to_numpy()])[kept],
                           DEPARTMENT: event_department.take(kept)})
    return level_piece(per_emp, [], OVERVIEW, scope, contributions(events, []))


def _person_numbers(*ids: pd.Series) -> tuple[np.ndarray, Any]:
    """Each id of the columns (one after the other) as a whole number from 0 (-1: missing), and the ids numbered."""
    if all(isinstance(column.dtype, pd.StringDtype) for column in ids):
        joined = pd.concat([column.astype(ids[0].dtype) for column in ids], ignore_index=True)
    else:
        joined = pd.Series(np.concatenate([column.to_numpy(dtype=object) for column in ids]), dtype=object)
    codes, uniques = pd.factorize(joined, use_na_sentinel=True)
    return codes.astype(np.int64), uniques


def _counts_of(person: np.ndarray, of: np.ndarray, size: int) -> np.ndarray:
    """How many rows of ``person`` each number of ``of`` has (0 for -1: missing ids count for nobody)."""
    counts = np.append(np.bincount(person[person >= 0], minlength=size), 0)
    return counts[of]


def _as_mapped(counts: np.ndarray, ids: pd.Series, rows: pd.DataFrame) -> Any:
    """Counts per id of ``ids`` in the type ``ids.map(rows.groupby(EMPLOYEE_ID).size()).fillna(0)`` gives them (it
    depends on the types of the ids and sizes, and on whether an id had no rows): that map is made on one id."""
    size = rows.iloc[:0].groupby(EMPLOYEE_ID).size()
    known = np.flatnonzero(ids.notna().to_numpy())
    if not len(counts) or not len(known):
        return counts.astype(np.float64)
    probe = ids.iloc[known[:1]].reset_index(drop=True)
    sizes = pd.Series([1], index=pd.Index(probe.to_numpy()), dtype=size.dtype)
    if not (counts > 0).all():
        probe = probe.reindex([0, 1])  # a second id, missing: not in the sizes
    kind = probe.map(sizes).fillna(0).dtype
    return pd.array(counts, dtype=kind) if isinstance(kind, pd.api.extensions.ExtensionDtype) else counts.astype(kind)


def cadence_piece(rows: tuple[pd.DataFrame, pd.DataFrame], scope: ReportScope) -> Piece:
    """Who is overdue for a conversation or a check-in on the as-of day (from :func:`cadence_rows`)."""
    per_emp, changes = rows
    return level_piece(per_emp, [], CADENCE, scope, contributions(changes, []))


def cadence_rows(frames: Mapping[str, pd.DataFrame], roster: pd.DataFrame, scope: ReportScope,
                 item_states: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per employee on the as-of day (:func:`careerconv.rules.cadence.due_list`): overdue or not, and their latest
    change.

    ``item_states`` is :func:`careerconv.rules.cadence.action_item_states` of these frames on the as-of day, if
    already worked out.

    Returns
    -------
    (per_emp, changes)
        ``employee_id, department, coach_id`` with ``conversation_overdue``, ``never_met``,
        ``checkin_overdue``, ``any_overdue``; and ``employee_id, department, coach_id, date``: each person's
        latest change on or before the as-of day, what a later as-of date would differ by. The employees are whole
        numbers (NA: a missing id; they are only counted, and numbers are faster to count than text ids).
    """
    day = scope.as_of_day
    due_tables = {
        # Names are free text; the due list only sorts by them, so it gets the id instead.
        "roster": roster.assign(name=roster[EMPLOYEE_ID]),
        **{name: frames[name] for name in ("conversations", "checkins", "action_items", "checkin_updates")},
    }
    due = cadence.due_list(due_tables, day, item_states=item_states)
    person = pd.factorize(due[EMPLOYEE_ID], use_na_sentinel=True)[0]
    per_emp = pd.DataFrame({EMPLOYEE_ID: pd.array(np.where(person >= 0, person, 0), dtype="Int64"),
                            DEPARTMENT: due[DEPARTMENT]})
    per_emp.loc[person < 0, EMPLOYEE_ID] = pd.NA
    per_emp[COACH_ID] = due[COACH_ID].astype(object).to_numpy()  # the roster's, as the due list carries it
    per_emp["conversation_overdue"] = due["conversation_status"].eq(cadence.OVERDUE).to_numpy()
    per_emp["never_met"] = due["conversation_status"].eq(cadence.NEVER_MET).to_numpy()
    # A follow-up missed counts also where the conversation is overdue too (the due list then names only that).
    per_emp["checkin_overdue"] = cadence.followup_overdue(due, day)
    per_emp["any_overdue"] = (per_emp["conversation_overdue"] | per_emp["checkin_overdue"]).to_numpy()
    events = due.loc[:, ["last_conversation", "last_checkin", "next_conversation_due", "next_checkin_due"]]
    events = events.apply(lambda col: col.where(col <= day))
    changes = pd.DataFrame({EMPLOYEE_ID: per_emp[EMPLOYEE_ID], DEPARTMENT: due[DEPARTMENT],
                            COACH_ID: per_emp[COACH_ID].to_numpy(), DATE: events.max(axis=1)})
    return per_emp, changes


def coach_piece(rows: tuple[pd.DataFrame, pd.DataFrame], scope: ReportScope) -> Piece:
    """Each coach's team on the as-of day: who is on time for a conversation and for a follow-up.

    The team is everyone on the roster with that coach; the figures are those of :func:`cadence_rows`.
    """
    per_emp, changes = (frame[frame[COACH_ID].notna()] for frame in rows)
    per_emp = per_emp.assign(conversation_on_time=~(per_emp["conversation_overdue"] | per_emp["never_met"]),
                             checkin_on_time=~per_emp["checkin_overdue"] & ~per_emp["never_met"])
    return level_piece(per_emp, [COACH_ID], COACH, scope, contributions(changes, [COACH_ID]))


def item_rows(states: pd.DataFrame, department_of: pd.Series | DepartmentOf,
              roster: pd.DataFrame | None = None) -> pd.DataFrame:
    """The action items' states as :func:`action_items_piece` reads them: ``employee_id, department,
    conversation_date, status, due, status_date, left_on``.

    ``left_on`` is the day the person left, from ``roster``'s ``left_on`` (NaT: still here, or no roster or
    column given): an item of someone who has left is past due only if it fell due while they were here. Left out
    are the items of someone without a department. The employees are whole numbers from 0 in the order of their
    ids (they are only grouped and counted, and numbers are faster to compare than text ids); each id is hashed
    once, and each distinct one looked up once.
    """
    codes, ids = pd.factorize(states[EMPLOYEE_ID], sort=True)
    department = departments(pd.Series(ids), department_of)
    known = department.notna().to_numpy()
    number = np.append(np.where(known, np.cumsum(known) - 1, -1), -1)[codes]  # -1: no department (or no id)
    kept = np.flatnonzero(number >= 0)
    rows = states.loc[:, [EMPLOYEE_ID, "conversation_date", STATUS, "due", "status_date"]].take(kept)
    return rows.assign(department=department.array.take(np.append(np.flatnonzero(known), -1)[number[kept]]),
                       **{EMPLOYEE_ID: number[kept], LEFT_ON: _left_on_of(ids, roster)[codes[kept]]})


def _left_on_of(ids: Any, roster: pd.DataFrame | None) -> np.ndarray:
    """The leaving day of each of ``ids`` (NaT: still here), and NaT last (for a missing id, code -1); only the
    leavers are looked up."""
    left = np.full(len(ids) + 1, np.datetime64("NaT"), dtype="datetime64[ns]")
    if roster is None or LEFT_ON not in roster.columns or not len(ids):
        return left
    days = pd.to_datetime(roster[LEFT_ON]).astype("datetime64[ns]")
    gone = days.notna().to_numpy()
    found = positions(pd.Series(ids), roster[EMPLOYEE_ID][gone].reset_index(drop=True))
    left[:-1] = np.append(days[gone].to_numpy(), np.datetime64("NaT"))[found]
    return left


def action_items_piece(states: pd.DataFrame | None, scope: ReportScope, department_of: pd.Series | DepartmentOf,
                       rows: pd.DataFrame | None = None, *, sizes_only: bool = False) -> Piece:
    """The share of each person's action items in each status, and of those open past their due date (for
    someone who has left, a due date that came while they were here: :func:`careerconv.records.leavers.here_until`).

    ``states`` is :func:`careerconv.rules.cadence.action_item_states` of the part on the as-of day; ``rows`` its
    :func:`item_rows`, if already worked out (the reports sharing an as-of day share them). With ``sizes_only``
    only the people with items are counted (see
    :attr:`~careerconv.analytics.record_tables.context.Context.sizes_only`; their states are not read).
    """
    if rows is None:
        rows = item_rows(states, department_of)
    inside = np.flatnonzero((rows["conversation_date"] >= scope.start).to_numpy())
    # Per person first, so someone with many items weighs as one (each person has one department).
    employee = rows[EMPLOYEE_ID].to_numpy()[inside]
    person, first = _people(employee)
    per_emp = pd.DataFrame({EMPLOYEE_ID: employee[first], DEPARTMENT: rows[DEPARTMENT].array.take(inside[first])})
    items = np.bincount(person, minlength=len(first))
    if sizes_only:  # the people as the figures group them
        return level_piece(per_emp.assign(size=items), [], {}, scope)
    states = rows.take(inside)
    status_code, statuses = pd.factorize(states[STATUS], use_na_sentinel=True)
    labels = np.append(np.asarray(statuses, dtype=object), None)
    # An item of someone who has left is past due only if it fell due while they were here.
    until = leavers.here_until(scope.as_of_day, states[LEFT_ON])
    past_due = np.isin(labels, followup.OPEN_STATUSES)[status_code] & (states["due"] < until).to_numpy()
    for s in schema.ITEM_STATUSES:
        per_emp[f"is_{s}"] = np.bincount(person, weights=(labels == s)[status_code], minlength=len(first)) / items
    per_emp["past_due"] = np.bincount(person, weights=past_due, minlength=len(first)) / items
    per_emp["items"] = items.astype(np.int64)
    events = pd.concat([states.loc[:, [EMPLOYEE_ID, DEPARTMENT, "conversation_date"]]
                        .rename(columns={"conversation_date": DATE}),
                        states.loc[:, [EMPLOYEE_ID, DEPARTMENT, "status_date"]]
                        .rename(columns={"status_date": DATE}).dropna(subset=[DATE])])
    return level_piece(per_emp, [], ITEMS, scope, contributions(events, []))


def _people(employees: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's person as a number from 0 in the order of ``employees`` (whole numbers from 0), and the first row
    of each person."""
    if len(employees) and (employees[1:] >= employees[:-1]).all():  # in order (as item_rows gives them)
        first = np.flatnonzero(np.r_[True, employees[1:] != employees[:-1]])
        return np.cumsum(np.r_[True, employees[1:] != employees[:-1]]) - 1, first
    distinct, first, person = np.unique(employees, return_index=True, return_inverse=True)
    return person.reshape(-1), first
