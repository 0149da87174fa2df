"""The follow-up rules (careerconv.rules.followup): one implementation for the app, the due list, progress and HR."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from careerconv.records import schema
from careerconv.rules import followup
from careerconv.rules.followup import item_status_label


def conversation(cid: str, date: str, *, status: str = "completed", items=(), skills=(), cadence=6,
                 next_due=None, dreams=()) -> dict:
    rec = schema.new_conversation("E1", "C1", dt.date.fromisoformat(date), "career-conversation", "1", cid)
    rec.update(status=status, cadence_months=cadence, next_due=next_due,
               action_items=[{"item_id": i, "text": t, "due": None, "owner": "", "skill": ""} for i, t in items],
               skills=[{**schema.new_skill(n), "self_rating": r, "targets": {"6": r + 1, "12": r + 2, "18": r + 3}}
                       for n, r in skills],
               dreams=[{"rank": n, "text": t} for n, t in enumerate(dreams, start=1)])
    return rec


def checkin(cid: str, date: str, updates=(), ratings=(), created_at=None, conversation_id=None) -> dict:
    return {"checkin_id": cid, "employee_id": "E1", "coach_id": "C1", "date": date, "created_at": created_at,
            "conversation_id": conversation_id,
            "updates": [{"conversation_id": c, "item_id": i, "status": s, "note": n, "reason": ""}
                        for c, i, s, n in updates],
            "ratings": [{"skill": k, "self_rating": r, "coach_rating": None} for k, r in ratings]}


def test_drafts_are_never_the_previous_plan():
    convs = [conversation("c1", "2026-01-10", items=[("a1", "old")]),
             conversation("c2", "2026-06-10", status="draft", items=[("a1", "draft item")])]
    assert followup.last_completed(convs)["conversation_id"] == "c1"
    plan = followup.previous_plan(convs, [])
    assert plan.conversation_id == "c1" and [i.text for i in plan.items] == ["old"]


def test_item_status_comes_from_the_latest_checkin():
    convs = [conversation("c1", "2026-01-10", items=[("a1", "learn"), ("a2", "teach"), ("a3", "write")])]
    cis = [checkin("ci-b", "2026-02-01", [("c1", "a1", "done", "finished")], created_at="2026-02-01T15:00:00"),
           checkin("ci-a", "2026-02-01", [("c1", "a1", "in_progress", "started")], created_at="2026-02-01T09:00:00"),
           checkin("ci-0", "2026-01-20", [("c1", "a2", "dropped", "no time")])]
    states = {s.item_id: s for s in followup.item_states(convs, cis)}
    assert states["a1"].status == "done" and states["a1"].note == "finished" and states["a1"].checkin_id == "ci-b"
    assert states["a2"].status == "dropped" and states["a2"].updated_on == "2026-01-20"
    assert states["a3"].status == "open" and states["a3"].updated_on is None
    assert [s.item_id for s in followup.open_items(convs, cis)] == ["a3"]


def test_a_completed_item_records_the_day_it_was_done_and_a_dropped_one_keeps_its_reason():
    convs = [conversation("c1", "2026-01-10", items=[("a1", "learn"), ("a2", "teach"), ("a3", "write")])]

    def ci(cid, date, *updates):
        rec = checkin(cid, date)
        rec["updates"] = [{"conversation_id": "c1", "item_id": i, "status": s, "note": "", "reason": r}
                          for i, s, r in updates]
        return rec

    cis = [ci("ci1", "2026-02-01", ("a1", "in_progress", ""), ("a2", "dropped", "no class to teach"),
              ("a3", "done", "")),
           ci("ci2", "2026-03-01", ("a1", "done", ""), ("a2", "dropped", ""), ("a3", "in_progress", "")),
           ci("ci3", "2026-04-01", ("a1", "done", ""), ("a3", "done", ""))]
    states = {s.item_id: s for s in followup.item_states(convs, cis)}
    # a1: done on 1 Mar; the check-in of 1 Apr repeating "done" does not move the date
    assert (states["a1"].completed_on, states["a1"].updated_on, states["a1"].status_since) == (
        "2026-03-01", "2026-04-01", "2026-03-01")
    # a2: dropped on 1 Feb with a reason; mentioned again without one, the reason stays
    assert (states["a2"].dropped_on, states["a2"].reason, states["a2"].completed_on) == (
        "2026-02-01", "no class to teach", None)
    # a3: done, reopened, done again: completed when it was last marked done
    assert states["a3"].completed_on == "2026-04-01"
    assert followup.item_states(convs, cis[:1])[0].status_since == "2026-02-01"  # in progress since
    assert followup.item_states(convs, [])[0].status_since is None and followup.item_states(convs,
                                                                                            [])[0].completed_on is None
    assert states["a1"].checkin_id == "ci3"


def test_same_day_checkins_without_times_sort_by_natural_id():
    convs = [conversation("c1", "2026-01-10", items=[("a1", "x")])]
    cis = [checkin("E1-ci-20260201-10", "2026-02-01", [("c1", "a1", "done", "")]),
           checkin("E1-ci-20260201-2", "2026-02-01", [("c1", "a1", "open", "")])]
    assert followup.item_states(convs, cis)[0].status == "done"  # -10 was saved after -2


def test_items_carried_over_only_when_a_checkin_kept_them_alive():
    convs = [conversation("c1", "2025-06-01", items=[("a1", "kept alive"), ("a2", "forgotten"), ("a3", "done")]),
             conversation("c2", "2026-01-10", items=[("a1", "new plan item")])]
    cis = [checkin("ci1", "2025-09-01", [("c1", "a1", "in_progress", "halfway"), ("c1", "a3", "done", "")])]
    items = followup.open_items(convs, cis)
    assert [(i.conversation_id, i.item_id, i.carried_over) for i in items] == [
        ("c2", "a1", False), ("c1", "a1", True)]
    plan = followup.previous_plan(convs, cis)
    assert [i.text for i in plan.carried_over] == ["kept alive"]
    assert [i.text for i in plan.open_items] == ["new plan item", "kept alive"]


def test_no_completed_conversation_means_nothing_to_follow_up():
    convs = [conversation("c1", "2026-01-10", status="draft", items=[("a1", "x")])]
    assert followup.open_items(convs, []) == [] and followup.previous_plan(convs, []).conversation is None
    assert followup.previous_plan([], []).open_items == ()


def test_latest_ratings_prefer_the_conversation_on_the_same_day_and_ignore_case():
    convs = [conversation("c1", "2026-01-10", skills=[("Public Speaking", 4)]),
             conversation("c2", "2026-06-01", skills=[("public speaking", 6)])]
    cis = [checkin("ci1", "2026-03-01", ratings=[("PUBLIC SPEAKING", 5)]),
           checkin("ci2", "2026-06-01", ratings=[("public  speaking", 9)])]
    latest = followup.latest_ratings(convs, cis)
    point = latest[schema.skill_key("Public speaking")]
    assert (point.self_rating, point.source, point.date) == (6, "conversation", "2026-06-01")
    assert followup.latest_ratings(convs, cis, since="2026-07-01") == {}
    points = followup.rating_points(convs, cis)
    assert [p.self_rating for p in points] == [4, 5, 9, 6]


def test_previous_plan_shows_skills_with_targets_and_the_latest_rating_since():
    convs = [conversation("c1", "2026-01-10", skills=[("Writing", 3), ("Drawing", 5)], next_due="2026-07-10",
                          dreams=("b", "a"))]
    cis = [checkin("ci1", "2025-12-01", ratings=[("Writing", 2)]),  # before the conversation: ignored
           checkin("ci2", "2026-03-01", ratings=[("Writing", 4)])]
    plan = followup.previous_plan(convs, cis)
    writing, drawing = plan.skills
    assert writing.baseline == 3 and writing.targets == {6: 4, 12: 5, 18: 6}
    assert writing.latest.self_rating == 4 and writing.latest.source == "checkin"
    assert drawing.latest.source == "conversation" and drawing.latest.self_rating == 5
    assert plan.checkins_since == 1 and plan.last_checkin_date == "2026-03-01"
    assert plan.next_due == "2026-07-10" and [d["text"] for d in plan.dreams] == ["b", "a"]


def test_previous_plan_before_a_date_skips_todays_conversation():
    convs = [conversation("c1", "2026-01-10", items=[("a1", "old")]),
             conversation("c2", "2026-10-01", items=[("a1", "today")])]
    assert followup.previous_plan(convs, [], before="2026-10-01").conversation_id == "c1"
    assert followup.previous_plan(convs, [], before=dt.date(2026, 10, 2)).conversation_id == "c2"
    with pytest.raises(ValueError):
        followup.previous_plan(convs, [], before="01/02/2026x")


def test_item_state_helpers():
    item = followup.ItemState("c1", "2026-01-01", "a1", "x", "2026-02-01", "", "", status="in_progress")
    assert item.is_open and item_status_label(item.status) == "In progress"
    assert item.is_overdue(dt.date(2026, 2, 2)) and not item.is_overdue(dt.date(2026, 2, 1))
    done = followup.ItemState("c1", "2026-01-01", "a1", "x", "2026-02-01", "", "", status="done")
    assert not done.is_open and not done.is_overdue(dt.date(2030, 1, 1))


# --------------------------------------------------------------------------- the one rule, tried


def test_natural_id_order_is_one_function():
    ids = ["E1-ci-20260201-10", "E1-ci-20260201-2", "E1-ci-20260201", "E1-ci-20260201-9"]
    assert sorted(ids, key=followup.natural_key) == ["E1-ci-20260201", "E1-ci-20260201-2", "E1-ci-20260201-9",
                                                     "E1-ci-20260201-10"]
    assert followup.natural_rank(pd.Series(ids + ["E1-ci-20260201-2"])).tolist() == [3, 1, 0, 2, 1]
    frame = pd.DataFrame({"day": ["b", "a", "a", "a"], "id": ["x-1", "x-10", "x-9", "x-2"]})
    assert followup.sort_natural(frame, ["day"], "id")["id"].tolist() == ["x-2", "x-9", "x-10", "x-1"]
    assert followup.natural_key(None) == followup.natural_key("")


def test_the_last_completed_conversation_of_a_day_is_the_last_in_natural_order_everywhere():
    convs = [conversation(cid, "2026-01-10") for cid in ("E1-20260110", "E1-20260110-10", "E1-20260110-2")]
    stored = sorted(convs, key=lambda c: (c["date"], c["conversation_id"]))  # the store's order: plain text
    assert followup.last_completed(convs)["conversation_id"] == "E1-20260110-10"
    assert followup.last_completed(stored)["conversation_id"] == "E1-20260110-10"
    assert followup.previous_plan(stored, []).conversation_id == "E1-20260110-10"


def _frames(convs, items, updates):
    conversations = pd.DataFrame(convs, columns=["conversation_id", "employee_id", "date", "status"])
    action_items = pd.DataFrame(items, columns=["conversation_id", "item_id", "due"])
    checkin_updates = pd.DataFrame(updates, columns=["checkin_id", "date", "conversation_id", "item_id", "status"])
    return conversations, action_items, checkin_updates


def test_action_item_states_on_frames():
    convs, items, updates = _frames(
        [("c1", "E1", "2026-01-10", "completed"), ("c2", "E1", "2026-06-10", "completed"),
         ("c3", "E1", "2026-07-10", "draft"), ("d1", "E2", "2026-02-01", "completed")],
        [("c1", "a1", None), ("c1", "a2", "2026-03-01"), ("c1", "a3", None), ("c2", "a1", None),
         ("c3", "a1", None), ("d1", "a1", None)],
        [("ci-9", "2026-02-01", "c1", "a1", "done"), ("ci-10", "2026-02-01", "c1", "a1", "in_progress"),
         ("ci-11", "2026-03-01", "c1", "a2", "done"), ("ci-12", "2026-04-01", "c1", "a2", "done"),
         ("ci-13", "2026-05-01", "d1", "a1", "dropped")])
    states = followup.action_item_states(convs, items, updates)
    assert list(states.columns) == list(followup.ITEM_STATE_COLUMNS)
    by = states.set_index(["conversation_id", "item_id"])
    assert ("c3", "a1") not in by.index  # a draft agrees nothing
    # one day: -10 after -9 (natural order), so in progress, and carried over into the plan of June
    assert by.loc[("c1", "a1"), ["status", "checkin_id", "carried_over", "is_open"]].tolist() == [
        "in_progress", "ci-10", True, True]
    # done since the first check-in that said so; the repeat is the latest word
    assert by.loc[("c1", "a2"), ["status", "status_since", "status_date", "checkin_id"]].tolist() == [
        "done", "2026-03-01", "2026-04-01", "ci-12"]
    # never mentioned: replaced by the newer plan, not carried over
    assert by.loc[("c1", "a3"), ["status", "carried_over", "is_open", "status_date"]].tolist() == [
        "open", False, False, None]
    assert by.loc[("c2", "a1"), ["current", "is_open"]].tolist() == [True, True]
    assert by.loc[("d1", "a1"), ["status", "current", "is_open", "note", "reason"]].tolist() == [
        "dropped", True, False, "", ""]
    assert states["employee_id"].tolist() == ["E1", "E1", "E1", "E1", "E2"]
    empty = followup.action_item_states(convs, items, updates.iloc[0:0])
    assert set(empty["status"]) == {"open"} and not empty["carried_over"].any()


def _rated(day, skill, value, source, record, saved_at):
    if source == "checkin":
        rec = checkin(record, day, ratings=[(skill, value)])
    else:
        rec = conversation(record, day, skills=[(skill, value)])
        if source == "import":
            rec["source"] = "import:history.xlsx"
    rec["saved_at"] = saved_at
    return rec


def test_a_checkin_saved_after_the_conversation_of_the_same_day_corrects_its_rating():
    conv = _rated("2026-03-02", "Python", 6, "conversation", "c1", "2026-03-02T09:00:00.000+00:00")
    later = _rated("2026-03-02", "Python", 7, "checkin", "ci1", "2026-03-02T16:30:00.000+00:00")
    assert followup.latest_ratings([conv], [later])[schema.skill_key("python")].self_rating == 7
    earlier = _rated("2026-03-02", "Python", 7, "checkin", "ci1", "2026-03-02T08:00:00.000+00:00")
    assert followup.latest_ratings([conv], [earlier])[schema.skill_key("python")].self_rating == 6
    unknown = _rated("2026-03-02", "Python", 7, "checkin", "ci1", None)
    conv["saved_at"] = None
    assert followup.latest_ratings([conv], [unknown])[schema.skill_key("python")].self_rating == 6  # the source decides


_saved = st.one_of(st.none(), st.just("not a time"),
                   st.integers(0, 23).map(lambda h: f"2026-03-02T{h:02d}:00:00.000+00:00"),
                   st.integers(0, 23).map(lambda h: f"2026-03-02T{h:02d}:30:00+02:00"))


@settings(max_examples=60)
@given(st.lists(st.tuples(st.integers(1, 10), st.sampled_from(["conversation", "checkin", "import"]), _saved),
                min_size=1, max_size=6))
def test_the_app_progress_and_hr_take_the_same_rating_of_a_day(ratings):
    """One rule: the app's latest rating, progress.latest_ratings and last_recorded agree on any same-day mix."""
    from careerconv.rules import progress

    records = [_rated("2026-03-02", "SQL", value, source, f"r{i}", saved)
               for i, (value, source, saved) in enumerate(ratings)]
    convs = [r for r in records if "conversation_id" in r]
    cis = [r for r in records if "checkin_id" in r]
    app = followup.latest_ratings(convs, cis)[schema.skill_key("SQL")].self_rating
    frame = pd.DataFrame([{"employee_id": "E1", "date": "2026-03-02", "skill": "SQL", "self_rating": value,
                           "coach_rating": None, "source": source, "record_id": f"r{i}", "saved_at": saved}
                          for i, (value, source, saved) in enumerate(ratings)])
    measured = progress.latest_ratings(frame, "2026-03-03").loc[0, "rating"]
    last = followup.last_recorded(frame, ["employee_id", "skill", "date"])
    assert last.sum() == 1  # distinct record ids: exactly one rating is the day's last
    assert app == measured == frame.loc[last, "self_rating"].item()
