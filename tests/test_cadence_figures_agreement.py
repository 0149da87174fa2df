"""cadence.due_list and the HR report's action-item and "who is covered" figures (record_tables.item_rows,
action_items_piece and overview_piece), which work on whole-number codes of the ids, agree with the versions that
looked every id up as text, on seeded random organisations: ids whose text order differs from their natural
order (E2, E10), people with no conversation, several conversations and drafts of one day, check-ins after the
day, missing cadences and follow-up intervals, duplicate rows, records without an employee id, and frames in
memory (objects) as well as Arrow-backed text.

Some people have left (the roster's left_on), before, among or after the items' due dates.

The references below are those earlier versions, kept as the definition.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from careerconv.analytics import record_tables
from careerconv.analytics.levels import contributions, level_piece
from careerconv.analytics.scope import ReportScope
from careerconv.records import schema
from careerconv.records.schema import (
    CADENCE_MONTHS, CHECKIN_ID, COACH_ID, CONVERSATION_ID, DATE, DEPARTMENT, EMPLOYEE_ID, ITEM_ID, LEFT_ON, STATUS,
)
from careerconv.rules import cadence, followup


def _lookup(keys, values):
    return values.reindex(keys.to_numpy()).set_axis(keys.index)


def _reference_open_items(states):
    return states[states["is_open"]].groupby(EMPLOYEE_ID).size().astype("int64")


def _reference_due_list(tables, as_of, coach=None, within_days=None, *, soon_days=cadence.DUE_SOON_DAYS):
    # (The checks of the arguments and tables are cadence.due_list's own; only valid ones are given here.)
    day, soon = cadence._as_day(as_of, "as_of"), soon_days
    within = within_days
    roster = tables["roster"].loc[:, list(cadence._NEEDED["roster"])].copy()
    if coach is not None:
        roster = roster[roster[COACH_ID] == coach]
    frame = roster.rename(columns={CADENCE_MONTHS: "roster_cadence"}).reset_index(drop=True)

    # Conversations held (completed) and drafts, as known on as_of.
    known = cadence._known_by(tables["conversations"], day)
    last = known[known[STATUS] == "completed"].drop_duplicates(EMPLOYEE_ID, keep="last").set_index(EMPLOYEE_ID)
    frame["last_conversation"] = _lookup(frame[EMPLOYEE_ID], last[DATE]).astype(cadence._DATE)
    frame["conv_cadence"] = _lookup(frame[EMPLOYEE_ID], last[CADENCE_MONTHS])
    frame["agreed_next_due"] = _lookup(frame[EMPLOYEE_ID], pd.to_datetime(last["next_due"]).astype(cadence._DATE))
    frame["follow_up_mode"] = _lookup(frame[EMPLOYEE_ID], last["follow_up_mode"]).astype(object)
    frame["follow_up_every_weeks"] = pd.array(_lookup(frame[EMPLOYEE_ID], last["follow_up_every_weeks"]),
                                              dtype="Int64")
    drafts = known[known[STATUS] == "draft"].drop_duplicates(EMPLOYEE_ID, keep="last").set_index(EMPLOYEE_ID)
    draft_date = _lookup(frame[EMPLOYEE_ID], drafts[DATE]).astype(cadence._DATE)
    frame["draft_in_progress"] = draft_date.where(
        frame["last_conversation"].isna() | (draft_date >= frame["last_conversation"]))

    months = pd.array(frame["conv_cadence"], dtype="Int64")
    months = months.fillna(pd.array(frame["roster_cadence"], dtype="Int64"))
    frame[CADENCE_MONTHS] = months
    by_cadence = cadence._next_by_cadence(frame["last_conversation"], frame[CADENCE_MONTHS])
    frame["next_conversation_due"] = frame["agreed_next_due"].where(frame["agreed_next_due"].notna(), by_cadence)

    # Check-ins: the latest one, and the follow-up clock.
    checkins = tables["checkins"]
    ci_dates = cadence._dates(checkins, DATE, "checkins")
    ci = checkins.loc[(ci_dates <= day).to_numpy(), [EMPLOYEE_ID]].assign(date=ci_dates[ci_dates <= day])
    latest_ci = ci.groupby(EMPLOYEE_ID)[DATE].max()
    frame["last_checkin"] = _lookup(frame[EMPLOYEE_ID], latest_ci).astype(cadence._DATE)
    next_ci = cadence._followup_due(frame)
    conv_due = frame["next_conversation_due"]
    superseded = cadence._left_to_the_conversation(next_ci, conv_due) | (next_ci.notna() & conv_due.notna()
                                                                          & (conv_due < day))
    frame["next_checkin_due"] = next_ci.where(~superseded)

    never = frame["last_conversation"].isna()
    frame["conversation_status"] = cadence._statuses(frame["next_conversation_due"], day, soon) \
        .mask(never, cadence.NEVER_MET)
    frame["checkin_status"] = cadence._statuses(frame["next_checkin_due"], day, soon)

    late_conv = (day - frame["next_conversation_due"]).dt.days.clip(lower=0)
    late_ci = (day - frame["next_checkin_due"]).dt.days.clip(lower=0)
    late = pd.concat([late_conv, late_ci], axis=1).max(axis=1).fillna(0)
    frame["days_overdue"] = pd.array(late.where(~never), dtype="Int64")

    frame[STATUS], frame["due_for"] = cadence._combine_columns(frame["conversation_status"], frame["checkin_status"])

    counts = _reference_open_items(cadence.action_item_states(tables, day))
    frame["open_action_items"] = _lookup(frame[EMPLOYEE_ID], counts).fillna(0).astype("int64")

    next_any = frame[["next_conversation_due", "next_checkin_due"]].min(axis=1)
    if within is not None:
        horizon = day + pd.Timedelta(days=within)
        keep = frame[STATUS].isin([cadence.OVERDUE, cadence.NEVER_MET]) | (next_any <= horizon)
        frame, next_any = frame[keep], next_any[keep]

    order = pd.DataFrame({
        "rank": frame[STATUS].map(cadence._RANK),
        "late": -frame["days_overdue"].fillna(0).astype("int64"),
        "next": next_any,
        "name": frame["name"].astype(str).str.casefold(),
        "id": frame[EMPLOYEE_ID],
    }, index=frame.index).sort_values(["rank", "late", "next", "name", "id"], kind="stable", na_position="last")
    out = frame.loc[order.index].reset_index(drop=True)
    for column in ("last_conversation", "next_conversation_due", "last_checkin", "next_checkin_due",
                   "draft_in_progress"):
        out[column] = pd.to_datetime(out[column]).astype(cadence._DATE)
    for column in ("conversation_status", "checkin_status", "follow_up_mode"):
        out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out.loc[:, list(cadence.DUE_COLUMNS)]


def _reference_item_rows(states, department_of, roster):
    rows = states.loc[:, [EMPLOYEE_ID, "conversation_date", STATUS, "due", "status_date"]]
    rows = rows.assign(department=record_tables.departments(rows[EMPLOYEE_ID], department_of)) \
        .dropna(subset=[DEPARTMENT])
    rows[LEFT_ON] = rows[EMPLOYEE_ID].map(roster.set_index(EMPLOYEE_ID)[LEFT_ON]).astype("datetime64[ns]")
    return rows.assign(**{EMPLOYEE_ID: record_tables.sort_codes(rows[EMPLOYEE_ID])})


def _reference_items_piece(rows, scope, sizes_only):
    states = rows[rows["conversation_date"] >= scope.start]
    if sizes_only:
        return level_piece(states.groupby([EMPLOYEE_ID, DEPARTMENT], as_index=False).size(), [], {}, scope)
    per_item = states.assign(**{f"is_{s}": states[STATUS].eq(s) for s in schema.ITEM_STATUSES})
    # fell due before the as-of day, and while the person was here
    per_item["past_due"] = (per_item[STATUS].isin(followup.OPEN_STATUSES) & (per_item["due"] < scope.as_of_day)
                            & (per_item[LEFT_ON].isna() | (per_item["due"] < per_item[LEFT_ON])))
    cols = [f"is_{s}" for s in schema.ITEM_STATUSES] + ["past_due"]
    per_emp = per_item.groupby([EMPLOYEE_ID, DEPARTMENT], as_index=False)[cols].mean()
    per_emp["items"] = per_emp[EMPLOYEE_ID].map(per_item.groupby(EMPLOYEE_ID).size())
    events = pd.concat([states.loc[:, [EMPLOYEE_ID, DEPARTMENT, "conversation_date"]]
                        .rename(columns={"conversation_date": DATE}),
                        states.loc[:, [EMPLOYEE_ID, DEPARTMENT, "status_date"]]
                        .rename(columns={"status_date": DATE}).dropna(subset=[DATE])])
    return level_piece(per_emp, [], record_tables.ITEMS, scope, contributions(events, []))


def _organisation(rng: np.random.Generator, kind: str) -> dict[str, pd.DataFrame]:
    """A random roster and derived tables (text as ``kind``: "str" for Arrow-backed text, "object" in memory)."""
    people = [f"E{i}" for i in (1, 2, 10, 11, 3, 20)][:int(rng.integers(1, 7))]
    days = pd.date_range("2023-06-01", periods=12, freq="29D")
    roster = pd.DataFrame({EMPLOYEE_ID: people, "name": [rng.choice(["Ann", "bob", "Ann", None]) for _ in people],
                           COACH_ID: [rng.choice(["C1", "C2", None]) for _ in people],
                           DEPARTMENT: [rng.choice(["Eng", "Ops"]) for _ in people],
                           CADENCE_MONTHS: pd.array([rng.choice([6, 12]) for _ in people], dtype="Int64"),
                           # some have left: before, among or after the items' due dates, or after the as-of day
                           LEFT_ON: pd.to_datetime([rng.choice([None, None, "2023-08-15", "2024-02-10", "2024-05-01",
                                                                "2024-12-31"]) for _ in people])})
    convs, items, updates, checkins = [], [], [], []
    for n in range(int(rng.integers(0, 16))):
        emp, day = str(rng.choice(people + ["E99"])), pd.Timestamp(rng.choice(days))
        conv = f"{emp}-{day:%Y%m%d}{rng.choice(['', '-2', '-10'])}"
        convs.append((conv, emp, day, str(rng.choice(["completed", "completed", "draft"])),
                      rng.choice([6, 12, None]), rng.choice([None, day + pd.Timedelta(days=200)]),
                      rng.choice(["one-on-one", None]), rng.choice([2, 4, None])))
        for item in rng.choice(["A1", "A2", "A10"], int(rng.integers(0, 3)), replace=False):
            items.append((conv, emp, str(item), rng.choice([None, day + pd.Timedelta(days=30)])))
    convs = list({c[0]: c for c in convs}.values())
    for n in range(int(rng.integers(0, 12))):
        emp, day = str(rng.choice(people + ["E99"])), pd.Timestamp(rng.choice(days))
        ci = f"{emp}-ci-{day:%Y%m%d}{rng.choice(['', '-2', '-10'])}"
        checkins.append((ci, emp, day))
        for conv, owner, item, _ in items:
            if owner == emp and rng.random() < 0.6:
                updates.append((ci, emp, day, conv, item, str(rng.choice(["open", "in_progress", "done", "dropped"]))))
    if checkins and rng.random() < 0.3:
        checkins.append(checkins[0])  # a duplicate row
    if rng.random() < 0.3:  # records of nobody (a missing id), in memory
        checkins.append(("x-ci", None, days[3]))
        convs.append(("x-conv", None, days[2], "completed", 6, None, None, 2))
    frames = {
        "roster": roster,
        "conversations": pd.DataFrame(convs, columns=[CONVERSATION_ID, EMPLOYEE_ID, DATE, STATUS, CADENCE_MONTHS,
                                                      "next_due", "follow_up_mode", "follow_up_every_weeks"]),
        "checkins": pd.DataFrame(checkins, columns=[CHECKIN_ID, EMPLOYEE_ID, DATE]),
        "action_items": pd.DataFrame(items, columns=[CONVERSATION_ID, EMPLOYEE_ID, ITEM_ID, "due"]),
        "checkin_updates": pd.DataFrame(updates, columns=[CHECKIN_ID, EMPLOYEE_ID, DATE, CONVERSATION_ID, ITEM_ID,
                                                          STATUS]),
    }
    for name, frame in frames.items():
        for column in frame.columns:
            if column in (DATE, "due", "next_due"):
                frame[column] = pd.to_datetime(frame[column])
            elif column in (CADENCE_MONTHS, "follow_up_every_weeks"):
                frame[column] = pd.array(frame[column].tolist(), dtype="Int64")
            elif column != DEPARTMENT or name != "roster":
                frame[column] = frame[column].astype("str" if kind == "str" else object)
    return frames


@pytest.mark.parametrize("kind", ["str", "object"])
@pytest.mark.parametrize("seed", range(25))
def test_due_list_agrees_with_the_reference(seed, kind):
    rng = np.random.default_rng(seed)
    tables = _organisation(rng, kind)
    for day in (pd.Timestamp("2024-01-15"), pd.Timestamp("2024-06-30")):
        pd.testing.assert_frame_equal(cadence.due_list(tables, day), _reference_due_list(tables, day))
        pd.testing.assert_frame_equal(cadence.due_list(tables, day, within_days=20, soon_days=10),
                                      _reference_due_list(tables, day, within_days=20, soon_days=10))
    if (tables["roster"][COACH_ID] == "C1").any():
        pd.testing.assert_frame_equal(cadence.due_list(tables, day, coach="C1"),
                                      _reference_due_list(tables, day, coach="C1"))


def _reference_overview(roster, completed, checkins, scope, department_of):
    convs = completed[completed[DATE] >= scope.start]
    ci_dates = pd.to_datetime(checkins[DATE]).dt.normalize()
    checkins = checkins[(ci_dates >= scope.start) & (ci_dates < scope.end)].assign(date=ci_dates)
    per_emp = roster.loc[:, [EMPLOYEE_ID, DEPARTMENT]].copy()
    per_emp["met"] = record_tables.isin(per_emp[EMPLOYEE_ID], convs[EMPLOYEE_ID])
    per_emp["n_conv"] = per_emp[EMPLOYEE_ID].map(convs.groupby(EMPLOYEE_ID).size()).fillna(0)
    per_emp["n_ci"] = per_emp[EMPLOYEE_ID].map(checkins.groupby(EMPLOYEE_ID).size()).fillna(0)
    events = pd.concat([convs.loc[:, [EMPLOYEE_ID, DATE]], checkins.loc[:, [EMPLOYEE_ID, DATE]]])
    events = events.assign(department=record_tables.departments(events[EMPLOYEE_ID], department_of)) \
        .dropna(subset=[DEPARTMENT])
    return level_piece(per_emp, [], record_tables.OVERVIEW, scope, contributions(events, []))


def _same_piece(got, want):
    assert got.by == want.by
    for field in ("sums", "values", "contrib"):
        a, b = getattr(got, field), getattr(want, field)
        if a.empty and b.empty:
            continue
        key = list(a.columns)
        pd.testing.assert_frame_equal(a.sort_values(key, ignore_index=True), b.sort_values(key, ignore_index=True))


@pytest.mark.parametrize("kind", ["str", "object"])
@pytest.mark.parametrize("seed", range(25))
def test_action_item_figures_agree_with_the_reference(seed, kind):
    rng = np.random.default_rng(seed)
    tables = _organisation(rng, kind)
    # E99 has records but is on no roster: their items count for no department.
    department_of = tables["roster"].set_index(EMPLOYEE_ID)[DEPARTMENT].astype(object)
    day = pd.Timestamp("2024-06-30")
    states = cadence.action_item_states(tables, day)
    rows = record_tables.item_rows(states, department_of, tables["roster"])
    pd.testing.assert_frame_equal(rows, _reference_item_rows(states, department_of, tables["roster"]))
    scope = ReportScope(start=pd.Timestamp("2024-01-01"), end=day + pd.Timedelta(days=1), departments=None,
                        all_departments=("Eng", "Ops"), k=3, as_of=day.date())
    for sizes_only in (False, True):
        _same_piece(record_tables.action_items_piece(states, scope, department_of, rows, sizes_only=sizes_only),
                    _reference_items_piece(rows, scope, sizes_only))
    roster = tables["roster"].loc[:, [EMPLOYEE_ID, DEPARTMENT]].astype({DEPARTMENT: object})
    completed = tables["conversations"][(tables["conversations"][STATUS] == "completed").to_numpy()]
    _same_piece(record_tables.overview_piece(roster, completed, tables["checkins"], scope, department_of),
                _reference_overview(roster, completed, tables["checkins"], scope, department_of))
