"""Due-date rules of careerconv.rules.cadence, checked against dates computed by hand.

Every test freezes the clock by passing ``as_of``. Organisations are built as
real records (schema.new_conversation / check-ins) saved through the Store, and
read back the way ``careerconv due`` reads them.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from careerconv.rules import cadence
from careerconv.rules import progress
from careerconv.records import schema
from careerconv.records import tables
from careerconv.surfaces.commands.due_list import load_due_tables
from careerconv.records.store import Store

D = dt.date


# ---------------------------------------------------------------------------
# builders


def person(eid: str, name: str | None = None, coach: str = "C1", department: str = "Eng",
           cadence_months: int = 6) -> dict:
    return {"employee_id": eid, "name": name or f"Person {eid}", "coach_id": coach, "department": department,
            "cadence_months": str(cadence_months)}


def conversation(eid: str, date: dt.date, *, cadence_months: int | None = 6, every_weeks: int | None = None,
                 status: str = "completed", next_due: str | None = None, items: int = 2,
                 coach: str = "C1", cid: str | None = None) -> dict:
    """A conversation holding everything the method asks for (so it may be completed)."""
    rec = schema.new_conversation(eid, coach, date, "career-conversation", "1", conversation_id=cid)
    rec["dreams"] = [{"rank": i, "text": f"dream {i}"} for i in (1, 2, 3)]
    skill = schema.new_skill("Public speaking")
    skill.update(self_rating=5, ten_looks_like="keynote", approach="toastmasters",
                 options=[{"text": f"option {i}", "pros": "", "cons": "", "chosen": i == 1} for i in (1, 2, 3)],
                 targets={"6": 6, "12": 7, "18": 8})
    rec["skills"] = [skill]
    rec["action_items"] = [{"item_id": f"a{i}", "text": f"step {i}"} for i in range(1, items + 1)]
    rec["follow_up"] = {"mode": "one-on-one", "every_weeks": every_weeks, "note": "private note"}
    rec["cadence_months"] = cadence_months
    rec["next_due"] = next_due
    rec["status"] = status
    if status == "completed":
        rec["completed_at"] = f"{date.isoformat()}T12:00:00"
    return rec


def imported(eid: str, date: dt.date) -> dict:
    """A history record imported from a spreadsheet: no cadence, no follow-up, no action items."""
    rec = schema.new_conversation(eid, "C1", date, "career-conversation", "1")
    rec.update(status="completed", source="import:history.xlsx")
    return rec


def checkin(eid: str, date: dt.date, conversation_id: str, updates: dict[str, str] | None = None,
            cid: str | None = None) -> dict:
    ups = [{"item_id": item, "status": status, "reason": "no longer relevant" if status == "dropped" else ""}
           for item, status in (updates or {}).items()]
    return {"checkin_id": cid or f"{eid}-ci-{date:%Y%m%d}", "employee_id": eid, "coach_id": "C1",
            "date": date.isoformat(), "conversation_id": conversation_id, "updates": ups}


def org(tmp_path, people: list[dict], records: list[dict]) -> dict[str, pd.DataFrame]:
    """Save a small organisation through the Store and read the tables `careerconv due` reads."""
    store = Store(tmp_path / "data")
    store.save_roster(pd.DataFrame(people))
    for rec in records:
        if "checkin_id" in rec:
            store.save_checkin(rec)
        else:
            store.save_conversation(rec)
    return load_due_tables(store)


def pure_org(people: list[dict], records: list[dict]) -> dict[str, pd.DataFrame]:
    """The same tables built in memory (no disk), for the many small rule tests."""
    roster = schema.validate_roster_frame(pd.DataFrame(people), "roster")
    clean = [schema.validate_checkin(r) if "checkin_id" in r else schema.validate_conversation(r) for r in records]
    return {"roster": roster, **tables.frames_from_records(clean, cadence.DUE_TABLES[1:])}


def row(due: pd.DataFrame, eid: str) -> dict:
    hit = due[due["employee_id"] == eid]
    assert len(hit) == 1, f"{eid} not in the due list"
    return hit.iloc[0].to_dict()


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


# ---------------------------------------------------------------------------
# cadence 6 and 12, month ends


def test_cadence_six_months_due_soon_scheduled_and_overdue(tmp_path):
    frames = org(tmp_path, [person("E1", cadence_months=12)], [conversation("E1", D(2024, 3, 15), cadence_months=6)])
    # agreed 6 months in the conversation; the roster's 12 is only a fallback
    later = cadence.due_list(frames, D(2024, 7, 1))
    r = row(later, "E1")
    assert r["last_conversation"] == ts("2024-03-15")
    assert r["cadence_months"] == 6
    assert r["next_conversation_due"] == ts("2024-09-15")
    assert r["status"] == cadence.SCHEDULED and r["days_overdue"] == 0

    r = row(cadence.due_list(frames, D(2024, 9, 1)), "E1")  # 14 days before: due soon
    assert r["status"] == cadence.DUE_SOON and r["due_for"] == cadence.CONVERSATION

    r = row(cadence.due_list(frames, D(2024, 9, 20)), "E1")  # 5 days late
    assert r["status"] == cadence.OVERDUE and r["days_overdue"] == 5
    assert r["conversation_status"] == cadence.OVERDUE


def test_cadence_twelve_months(tmp_path):
    frames = org(tmp_path, [person("E2", cadence_months=6)], [conversation("E2", D(2023, 6, 30), cadence_months=12)])
    r = row(cadence.due_list(frames, D(2024, 7, 2)), "E2")
    assert r["next_conversation_due"] == ts("2024-06-30")
    assert r["days_overdue"] == 2
    assert r["status"] == cadence.OVERDUE


@pytest.mark.parametrize("held, months, due", [
    (D(2024, 8, 31), 6, "2025-02-28"),   # no 31 Feb: clipped to the end of February
    (D(2023, 8, 31), 6, "2024-02-29"),   # leap year
    (D(2024, 3, 31), 6, "2024-09-30"),   # 30-day month
    (D(2024, 2, 29), 12, "2025-02-28"),  # leap day, next year has none
    (D(2024, 1, 31), 12, "2025-01-31"),
])
def test_month_end_dates(held, months, due):
    frames = pure_org([person("E1")], [conversation("E1", held, cadence_months=months)])
    r = row(cadence.due_list(frames, held), "E1")
    assert r["next_conversation_due"] == ts(due)
    # one rule for months in the whole product
    assert progress.horizon_date(held, months) == ts(due)


def test_next_due_by_cadence_is_progress_horizon_date_for_every_row():
    held = [D(2024, 8, 31), D(2023, 8, 31), D(2024, 3, 31), D(2024, 2, 29), D(2024, 1, 31), D(2024, 8, 31)]
    people = [person(f"E{i}", cadence_months=12 if i % 2 else 6) for i in range(len(held))]
    records = [imported(f"E{i}", day) for i, day in enumerate(held)]  # no cadence recorded: the roster's
    due = cadence.due_list(pure_org(people, records), D(2026, 1, 1)).set_index("employee_id")
    for i, day in enumerate(held):
        months = 12 if i % 2 else 6
        assert due.loc[f"E{i}", "next_conversation_due"] == progress.horizon_date(day, months)
    assert not hasattr(cadence, "add_months")  # one month rule in the product: progress owns it


def test_the_status_of_a_column_of_people_is_combine_of_each_person():
    # The due list works out a person's status once per distinct pair of statuses; every pair, repeated and
    # in mixed order, must come out as the per-person rule gives it.
    conv = [None, cadence.OVERDUE, cadence.DUE_SOON, cadence.SCHEDULED, cadence.NEVER_MET]
    checkin = [None, cadence.OVERDUE, cadence.DUE_SOON, cadence.SCHEDULED]
    pairs = [(a, b) for a in conv for b in checkin]
    pairs = pairs + pairs[::-1] + pairs[::3]
    status, due_for = cadence._combine_columns(pd.Series([a for a, _ in pairs], dtype=object),
                                               pd.Series([b for _, b in pairs], dtype=object))
    assert list(zip(status, due_for)) == [cadence._combine(a, b) for a, b in pairs]
    assert (cadence.OVERDUE, f"{cadence.CONVERSATION}, {cadence.CHECKIN}") in set(zip(status, due_for))
    empty = cadence._combine_columns(pd.Series([], dtype=object), pd.Series([], dtype=object))
    assert [len(column) for column in empty] == [0, 0]


def test_a_negative_cadence_in_a_hand_made_frame_is_refused():
    frames = pure_org([person("E1")], [imported("E1", D(2024, 1, 10))])
    frames["roster"] = frames["roster"].assign(cadence_months=pd.array([-1], dtype="Int64"))
    with pytest.raises(ValueError, match="months must be a whole number of months >= 0"):
        cadence.due_list(frames, D(2024, 6, 1))


def test_roster_cadence_is_the_fallback_for_imported_history():
    frames = pure_org([person("E1", cadence_months=12)], [imported("E1", D(2023, 5, 10))])
    r = row(cadence.due_list(frames, D(2024, 1, 1)), "E1")
    assert r["cadence_months"] == 12
    assert r["next_conversation_due"] == ts("2024-05-10")
    assert pd.isna(r["next_checkin_due"])  # no follow-up interval agreed


def test_an_explicit_next_due_date_wins_over_the_cadence():
    frames = pure_org([person("E1")], [conversation("E1", D(2024, 1, 10), cadence_months=6, next_due="2024-06-01")])
    r = row(cadence.due_list(frames, D(2024, 6, 5)), "E1")
    assert r["next_conversation_due"] == ts("2024-06-01")
    assert r["days_overdue"] == 4


def test_the_latest_completed_conversation_decides():
    frames = pure_org([person("E1")], [
        conversation("E1", D(2023, 1, 10), cadence_months=12),
        conversation("E1", D(2023, 11, 20), cadence_months=6),
    ])
    r = row(cadence.due_list(frames, D(2024, 1, 1)), "E1")
    assert r["last_conversation"] == ts("2023-11-20")
    assert r["next_conversation_due"] == ts("2024-05-20")


# ---------------------------------------------------------------------------
# never met, drafts, the frozen clock


def test_a_person_never_met_is_due_now(tmp_path):
    frames = org(tmp_path, [person("E1"), person("E9", name="New Hire", cadence_months=12)],
                 [conversation("E1", D(2024, 1, 10))])
    r = row(cadence.due_list(frames, D(2024, 2, 1)), "E9")
    assert r["status"] == cadence.NEVER_MET
    assert r["conversation_status"] == cadence.NEVER_MET
    assert r["due_for"] == cadence.CONVERSATION
    assert pd.isna(r["last_conversation"]) and pd.isna(r["next_conversation_due"])
    assert pd.isna(r["days_overdue"])  # we do not know since when
    assert pd.isna(r["next_checkin_due"])
    assert r["open_action_items"] == 0
    assert r["cadence_months"] == 12  # the roster's preference, for when they meet


def test_a_draft_does_not_count_as_held_but_is_shown(tmp_path):
    frames = org(tmp_path, [person("E1"), person("E2")], [
        conversation("E1", D(2023, 1, 10), cadence_months=12),
        conversation("E1", D(2024, 1, 5), status="draft", items=3),
        conversation("E2", D(2024, 1, 20), status="draft"),
    ])
    due = cadence.due_list(frames, D(2024, 2, 1))
    r1 = row(due, "E1")
    assert r1["last_conversation"] == ts("2023-01-10")          # the draft is not a conversation held
    assert r1["next_conversation_due"] == ts("2024-01-10")
    assert r1["status"] == cadence.OVERDUE and r1["days_overdue"] == 22
    assert r1["draft_in_progress"] == ts("2024-01-05")
    assert r1["open_action_items"] == 2                          # the draft's 3 items are not agreed yet
    r2 = row(due, "E2")
    assert r2["status"] == cadence.NEVER_MET
    assert r2["draft_in_progress"] == ts("2024-01-20")


def test_a_draft_older_than_the_last_conversation_is_not_in_progress():
    frames = pure_org([person("E1")], [
        conversation("E1", D(2023, 5, 1), status="draft", cid="E1-old-draft"),
        conversation("E1", D(2023, 6, 1)),
    ])
    assert pd.isna(row(cadence.due_list(frames, D(2023, 7, 1)), "E1")["draft_in_progress"])


def test_records_after_as_of_do_not_exist_yet():
    frames = pure_org([person("E1")], [
        conversation("E1", D(2024, 1, 10), every_weeks=2),
        checkin("E1", D(2024, 1, 20), "E1-20240110"),
    ])
    before = row(cadence.due_list(frames, D(2024, 1, 9)), "E1")
    assert before["status"] == cadence.NEVER_MET
    middle = row(cadence.due_list(frames, D(2024, 1, 15)), "E1")
    assert pd.isna(middle["last_checkin"])
    assert middle["next_checkin_due"] == ts("2024-01-24")


# ---------------------------------------------------------------------------
# follow-up check-ins


def test_follow_up_every_two_weeks(tmp_path):
    frames = org(tmp_path, [person("E1")], [conversation("E1", D(2024, 3, 1), every_weeks=2)])
    r = row(cadence.due_list(frames, D(2024, 3, 10)), "E1")
    assert r["follow_up_every_weeks"] == 2 and r["follow_up_mode"] == "one-on-one"
    assert r["next_checkin_due"] == ts("2024-03-15")             # 1 Mar + 14 days
    assert r["checkin_status"] == cadence.DUE_SOON
    assert r["status"] == cadence.DUE_SOON and r["due_for"] == cadence.CHECKIN

    r = row(cadence.due_list(frames, D(2024, 3, 20)), "E1")
    assert r["checkin_status"] == cadence.OVERDUE and r["days_overdue"] == 5
    assert r["conversation_status"] == cadence.SCHEDULED               # due 1 Sep
    assert r["status"] == cadence.OVERDUE and r["due_for"] == cadence.CHECKIN


def test_a_checkin_restarts_the_follow_up_clock(tmp_path):
    frames = org(tmp_path, [person("E1")], [
        conversation("E1", D(2024, 3, 1), every_weeks=2),
        checkin("E1", D(2024, 3, 14), "E1-20240301"),
    ])
    r = row(cadence.due_list(frames, D(2024, 3, 20)), "E1")
    assert r["last_checkin"] == ts("2024-03-14")
    assert r["next_checkin_due"] == ts("2024-03-28")             # 14 Mar + 14 days
    assert r["checkin_status"] == cadence.DUE_SOON
    assert r["days_overdue"] == 0


def test_a_checkin_before_the_last_conversation_does_not_move_the_clock():
    frames = pure_org([person("E1")], [
        conversation("E1", D(2023, 9, 1), every_weeks=4),
        checkin("E1", D(2024, 2, 20), "E1-20230901"),
        conversation("E1", D(2024, 3, 1), every_weeks=3),
    ])
    r = row(cadence.due_list(frames, D(2024, 3, 5)), "E1")
    assert r["last_checkin"] == ts("2024-02-20")                 # shown as it is
    assert r["next_checkin_due"] == ts("2024-03-22")             # but the clock runs from 1 Mar: + 21 days


def test_a_checkin_due_after_the_next_conversation_is_left_to_that_conversation():
    # 26 weeks after 1 Jan 2024 is 1 Jul 2024, the day the 6-month conversation is due
    frames = pure_org([person("E1")], [conversation("E1", D(2024, 1, 1), every_weeks=26)])
    r = row(cadence.due_list(frames, D(2024, 2, 1)), "E1")
    assert r["next_conversation_due"] == ts("2024-07-01")
    assert pd.isna(r["next_checkin_due"]) and r["checkin_status"] is None


def test_an_overdue_conversation_absorbs_the_checkins_before_it():
    frames = pure_org([person("E1")], [conversation("E1", D(2023, 1, 1), cadence_months=12, every_weeks=20)])
    # check-in due 21 May 2023 (1 Jan + 140 days), conversation due 1 Jan 2024
    before = row(cadence.due_list(frames, D(2023, 12, 20)), "E1")
    assert before["next_checkin_due"] == ts("2023-05-21")
    assert before["checkin_status"] == cadence.OVERDUE and before["days_overdue"] == 213
    # once the conversation is late, it is what is due: the skipped check-in no longer counts
    after = row(cadence.due_list(frames, D(2024, 1, 11)), "E1")
    assert pd.isna(after["next_checkin_due"])
    assert after["status"] == cadence.OVERDUE and after["due_for"] == cadence.CONVERSATION
    assert after["days_overdue"] == 10


def test_both_due_soon_are_named_together():
    frames = pure_org([person("E1")], [
        conversation("E1", D(2024, 1, 1), every_weeks=4),
        checkin("E1", D(2024, 6, 1), "E1-20240101"),
    ])
    # check-in due 29 Jun, conversation due 1 Jul; on 20 Jun both are within 30 days
    r = row(cadence.due_list(frames, D(2024, 6, 20)), "E1")
    assert (r["next_checkin_due"], r["next_conversation_due"]) == (ts("2024-06-29"), ts("2024-07-01"))
    assert r["status"] == cadence.DUE_SOON
    assert r["due_for"] == f"{cadence.CONVERSATION}, {cadence.CHECKIN}"
    assert r["days_overdue"] == 0


# ---------------------------------------------------------------------------
# statuses, filters, sort order


@pytest.mark.parametrize("due, expected", [
    ("2024-05-31", cadence.OVERDUE),
    ("2024-06-01", cadence.DUE_SOON),      # due today
    ("2024-07-01", cadence.DUE_SOON),      # exactly 30 days ahead
    ("2024-07-02", cadence.SCHEDULED),
    (None, None),
])
def test_due_status_boundaries(due, expected):
    assert cadence.due_status(due, "2024-06-01") == expected


def test_due_status_rejects_bad_input():
    with pytest.raises(ValueError, match="whole number of days"):
        cadence.due_status("2024-01-01", "2024-01-01", soon_days=-1)
    with pytest.raises(ValueError, match="as_of"):
        cadence.due_status("2024-01-01", "01/02/2024")  # ambiguous day/month order


def _team() -> dict[str, pd.DataFrame]:
    people = [
        person("A", "Zoe Late", coach="C1"),        # conversation overdue by 39 days
        person("B", "Yan Later", coach="C1"),       # check-in overdue by 5 days
        person("C", "Xia New", coach="C2"),         # never met
        person("D", "Wim Soon", coach="C2"),        # due in 10 days
        person("E", "Val Sooner", coach="C1"),      # due in 2 days
        person("F", "Uma Far", coach="C1"),         # due in 120 days
        person("G", "Aaron New", coach="C1"),       # never met, sorts by name before Xia
    ]
    as_of = D(2024, 6, 1)
    records = [
        conversation("A", D(2023, 10, 23)),                     # + 6 months = 23 Apr 2024
        conversation("B", D(2024, 4, 1), every_weeks=8),        # check-in 27 May 2024
        conversation("D", D(2023, 12, 11)),                     # 11 Jun 2024
        conversation("E", D(2023, 12, 3)),                      # 3 Jun 2024
        conversation("F", D(2024, 3, 29)),                      # 29 Sep 2024
    ]
    assert (as_of - D(2024, 4, 23)).days == 39
    return pure_org(people, records)


AS_OF = D(2024, 6, 1)


def test_sort_order_most_urgent_first():
    due = cadence.due_list(_team(), AS_OF)
    assert list(due["employee_id"]) == ["A", "B", "G", "C", "E", "D", "F"]
    assert list(due["status"]) == [cadence.OVERDUE, cadence.OVERDUE, cadence.NEVER_MET, cadence.NEVER_MET,
                                   cadence.DUE_SOON, cadence.DUE_SOON,
                                   cadence.SCHEDULED]
    assert list(due["days_overdue"][:2]) == [39, 5]
    assert list(due.columns) == list(cadence.DUE_COLUMNS)


def test_coach_filter():
    due = cadence.due_list(_team(), AS_OF, coach="C2")
    assert list(due["employee_id"]) == ["C", "D"]
    assert set(due["coach_id"]) == {"C2"}


def test_unknown_coach_lists_the_coaches():
    with pytest.raises(ValueError, match=r"coach 'C3' has no reports.*coaches are: C1, C2"):
        cadence.due_list(_team(), AS_OF, coach="C3")


def test_within_filter_keeps_overdue_never_met_and_due_within():
    due = cadence.due_list(_team(), AS_OF, within_days=5)
    assert list(due["employee_id"]) == ["A", "B", "G", "C", "E"]    # D is 10 days away, F 120
    assert list(cadence.due_list(_team(), AS_OF, within_days=10)["employee_id"]) == ["A", "B", "G", "C", "E", "D"]


def test_soon_days_changes_what_is_due_soon():
    due = cadence.due_list(_team(), AS_OF, soon_days=5)
    assert row(due, "E")["status"] == cadence.DUE_SOON
    assert row(due, "D")["status"] == cadence.SCHEDULED


def test_people_off_the_roster_are_not_listed_and_inputs_are_not_changed():
    frames = _team()
    extra = conversation("Z", D(2024, 1, 1))
    frames["conversations"] = pd.concat(
        [frames["conversations"], tables.frames_from_records([schema.validate_conversation(extra)],
                                                             ["conversations"])["conversations"]],
        ignore_index=True)
    copies = {k: v.copy() for k, v in frames.items()}
    due = cadence.due_list(frames, AS_OF)
    assert "Z" not in set(due["employee_id"])
    for name, frame in frames.items():
        pd.testing.assert_frame_equal(frame, copies[name])


def test_empty_organisation_and_bad_arguments():
    frames = pure_org([person("E1")], [])
    frames["roster"] = frames["roster"].iloc[0:0]
    due = cadence.due_list(frames, AS_OF)
    assert due.empty and list(due.columns) == list(cadence.DUE_COLUMNS)
    with pytest.raises(ValueError, match="within_days"):
        cadence.due_list(_team(), AS_OF, within_days=-1)
    with pytest.raises(ValueError, match="as_of"):
        cadence.due_list(_team(), "not a date")
    with pytest.raises(ValueError, match="table 'checkins' is missing"):
        cadence.due_list({k: v for k, v in _team().items() if k != "checkins"}, AS_OF)


# ---------------------------------------------------------------------------
# open action items and carry-over


def test_open_action_items_carry_over_across_checkins_and_a_new_conversation(tmp_path):
    frames = org(tmp_path, [person("E1")], [
        conversation("E1", D(2024, 1, 10), items=3, every_weeks=2),
        checkin("E1", D(2024, 1, 24), "E1-20240110", {"a1": "in_progress", "a2": "done"}),
        checkin("E1", D(2024, 2, 7), "E1-20240110", {"a3": "dropped"}),
        conversation("E1", D(2024, 7, 10), items=1, every_weeks=2),
        checkin("E1", D(2024, 7, 24), "E1-20240710", {"a1": "done"}),
    ])
    # after the first check-in: a1 in progress, a3 untouched -> 2 open
    assert row(cadence.due_list(frames, D(2024, 1, 30)), "E1")["open_action_items"] == 2
    # a1 was not mentioned again: it stays open across the second check-in
    assert row(cadence.due_list(frames, D(2024, 2, 8)), "E1")["open_action_items"] == 1
    # a new conversation adds its own item; the old a1 still carries over
    assert row(cadence.due_list(frames, D(2024, 7, 11)), "E1")["open_action_items"] == 2

    states = cadence.action_item_states(frames, D(2024, 7, 11)).set_index(["conversation_id", "item_id"])
    assert states.loc[("E1-20240110", "a1"), "status"] == "in_progress"
    assert states.loc[("E1-20240110", "a1"), "status_date"] == ts("2024-01-24")
    assert states.loc[("E1-20240110", "a2"), "status"] == "done"
    assert states.loc[("E1-20240110", "a2"), "status_date"] == ts("2024-01-24")   # when it was completed
    assert states.loc[("E1-20240110", "a3"), "status"] == "dropped"
    assert states.loc[("E1-20240710", "a1"), "status"] == "open"
    assert pd.isna(states.loc[("E1-20240710", "a1"), "status_date"])
    assert row(cadence.due_list(frames, D(2024, 7, 25)), "E1")["open_action_items"] == 1


def test_later_checkin_on_the_same_day_wins():
    frames = pure_org([person("E1")], [
        conversation("E1", D(2024, 1, 10), items=1),
        checkin("E1", D(2024, 2, 1), "E1-20240110", {"a1": "done"}, cid="E1-ci-20240201"),
        checkin("E1", D(2024, 2, 1), "E1-20240110", {"a1": "in_progress"}, cid="E1-ci-20240201-2"),
    ])
    states = cadence.action_item_states(frames, D(2024, 2, 2))
    assert list(states["status"]) == ["in_progress"]
    assert list(states["checkin_id"]) == ["E1-ci-20240201-2"]


def test_items_of_an_earlier_plan_no_checkin_mentioned_are_replaced_by_the_new_plan():
    frames = pure_org([person("E1")], [
        conversation("E1", D(2024, 1, 10), items=3),
        conversation("E1", D(2024, 7, 10), items=1),
    ])
    assert row(cadence.due_list(frames, D(2024, 7, 9)), "E1")["open_action_items"] == 3
    assert row(cadence.due_list(frames, D(2024, 7, 10)), "E1")["open_action_items"] == 1
    states = cadence.action_item_states(frames, D(2024, 7, 10))
    assert list(states["current"]) == [False, False, False, True]
    assert not states["carried_over"].any()


def test_checkins_on_one_day_are_ordered_naturally():
    frames = pure_org([person("E1")], [
        conversation("E1", D(2024, 1, 10), items=1),
        checkin("E1", D(2024, 2, 1), "E1-20240110", {"a1": "done"}, cid="E1-ci-20240201-10"),
        checkin("E1", D(2024, 2, 1), "E1-20240110", {"a1": "in_progress"}, cid="E1-ci-20240201-9"),
    ])
    # -10 was saved after -9 (Store.new_record_id counts up), so its "done" is the latest word
    assert list(cadence.action_item_states(frames, D(2024, 2, 2))["status"]) == ["done"]


def test_the_items_known_on_an_earlier_day_are_those_agreed_by_it_among_a_later_days(tmp_path):
    """cadence.agreed_by: the items of action_item_states on a day are the rows of a later day's states whose
    conversation is dated on or before it (what the HR report's neighbouring periods count), on a demo
    organisation with drafts, check-ins and items in every state, on every kind of day (a conversation's own day,
    the day before it, a day without records)."""
    from careerconv import analytics
    from careerconv.demo.bulk import generate_bulk

    generate_bulk(tmp_path / "org", 40, seed=3, years=2.0)
    frames = analytics.load_hr_tables(tmp_path / "org")
    later = pd.Timestamp("2026-10-01")
    states = cadence.action_item_states(frames, later)
    assert states["status"].nunique() > 2 and len(states) > 100
    dates = sorted(set(frames["conversations"]["date"].dt.normalize()))
    third = dates[len(dates) // 3]
    days = [dates[0] - pd.Timedelta(days=1), dates[0], third - pd.Timedelta(days=1), third, dates[-1], later]
    keys = ["conversation_id", "item_id"]
    for day in days:
        expected = cadence.action_item_states(frames, day).loc[:, keys]
        found = states.loc[cadence.agreed_by(states, day), keys]
        assert sorted(map(tuple, found.to_numpy())) == sorted(map(tuple, expected.to_numpy())), day
    assert not cadence.agreed_by(states, days[0]).any() and cadence.agreed_by(states, later).all()


def test_a_follow_up_missed_before_the_conversation_fell_overdue_is_still_missed():
    """The due list names only the conversation once it is overdue (it replaces the check-in), but a follow-up
    that fell due before it and was never held was missed all the same: the HR page counted such people as on
    time for their follow-up (a tester: E0052, last check-in 2025-02-10 every 2 weeks, conversation due
    2026-07-22, 'on time' on 2026-09-30)."""
    people = [person(e) for e in ("E1", "E2", "E3", "E4", "E5")]
    records = [
        # E1: every 2 weeks since a check-in in February 2025; the conversation fell due in July 2026.
        conversation("E1", D(2025, 1, 22), cadence_months=12, next_due="2026-07-22", every_weeks=2),
        checkin("E1", D(2025, 2, 10), "E1-20250122"),
        # E2: the same interval, but the check-ins kept up until the conversation fell due.
        conversation("E2", D(2025, 1, 22), cadence_months=6, every_weeks=2),
        checkin("E2", D(2025, 7, 15), "E2-20250122"),
        # E3: a follow-up due after the next conversation is left to that conversation (overdue now).
        conversation("E3", D(2025, 12, 1), cadence_months=6, every_weeks=26),
        # E4: a follow-up late while the conversation is not due yet (the due list says so too).
        conversation("E4", D(2026, 6, 1), cadence_months=12, every_weeks=4),
        # E5: no follow-up agreed.
        conversation("E5", D(2026, 6, 1), cadence_months=12),
    ]
    day = D(2026, 9, 30)
    due = cadence.due_list(pure_org(people, records), day).set_index("employee_id", drop=False)
    assert due.loc["E1", "conversation_status"] == cadence.OVERDUE and due.loc["E1", "checkin_status"] is None
    assert due.loc["E4", "checkin_status"] == cadence.OVERDUE
    missed = dict(zip(due["employee_id"], cadence.followup_overdue(due, day)))
    assert missed == {"E1": True, "E2": False, "E3": False, "E4": True, "E5": False}
