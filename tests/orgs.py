"""Small hand-built organisations for the tests, and the records they are made of.

A plain helper module (``from orgs import make_small_org``): the tests folder
is on ``sys.path`` under pytest. The records are built as the app would save
them, so a test can read every figure it asserts from here.

The small organisation (:func:`make_small_org`): Grace Hopper (C01) coaches
Ada Lovelace (E001), Alan Turing (E002) and Katherine Johnson (E003); C02
coaches Edsger Dijkstra (E004) and Barbara Liskov (E005). Only Ada has
records: a completed career conversation on 2 Mar 2026
(:func:`ada_conversation`: three dreams, "Public speaking" rated 4 with
targets 5/6/7, action items a1 and a2, next conversation due 2 Sep 2026,
check-ins every 2 weeks) and a check-in on 15 Apr 2026 (:func:`ada_checkin`:
a1 done, a2 in progress, "Public speaking" now 5).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from careerconv.records import config
from careerconv.records import schema
from careerconv.records.store import Store

# employee_id, name, coach_id, department, role, cadence_months
SMALL_ORG_PEOPLE = (
    ("C01", "Grace Hopper", "C00", "Engineering", "Head of engineering", 12),
    ("E001", "Ada Lovelace", "C01", "Engineering", "Engineer", 6),
    ("E002", "Alan Turing", "C01", "Engineering", "Engineer", 12),
    ("E003", "Katherine Johnson", "C01", "Research", "Analyst", 6),
    ("E004", "Edsger Dijkstra", "C02", "Research", "Researcher", 12),
    ("E005", "Barbara Liskov", "C02", "Research", "Researcher", 6),
)


def roster(people: Iterable[tuple[str, str, str, str, str, int]]) -> pd.DataFrame:
    """A roster frame from ``(employee_id, name, coach_id, department, role, cadence_months)`` rows (no emails)."""
    return pd.DataFrame([{"employee_id": e, "name": n, "coach_id": c, "department": d, "role": r,
                          "cadence_months": m, "email": ""} for e, n, c, d, r, m in people])


def roster_of(ids: Iterable[str], coach: str = "C01") -> pd.DataFrame:
    """A roster of placeholder people with these ids (records are saved only for people on the roster)."""
    return roster((eid, f"Person {eid}", coach, "Engineering", "Engineer", 6) for eid in ids)


def conversation(eid: str, date: str, *, coach: str = "C01", cid: str | None = None, status: str = "completed",
                 cadence: int | None = 6, next_due: str | None = None, every_weeks: int | None = None,
                 skills: Iterable[tuple[str, int, tuple[int, int, int]]] = (),
                 items: Iterable[tuple[str, str, str | None]] = ()) -> dict:
    """A career conversation with three placeholder dreams, completed at noon on ``date`` unless a draft.

    ``skills`` are ``(name, self_rating, (target_6, target_12, target_18))``,
    each with three options (the first chosen); ``items`` are
    ``(item_id, text, due)`` action items.
    """
    rec = schema.new_conversation(eid, coach, dt.date.fromisoformat(date), "career-conversation", "1",
                                  cid or f"{eid}-{date.replace('-', '')}")
    rec.update(
        status=status, cadence_months=cadence, next_due=next_due,
        follow_up={"mode": "one-on-one", "every_weeks": every_weeks, "note": ""},
        dreams=[{"rank": i, "text": f"dream {i}"} for i in (1, 2, 3)],
        skills=[{**schema.new_skill(name), "self_rating": rating, "ten_looks_like": "a ten",
                 "options": [{"text": f"option {i}", "pros": "", "cons": "", "chosen": i == 1} for i in (1, 2, 3)],
                 "approach": "practice", "targets": {"6": t6, "12": t12, "18": t18}}
                for name, rating, (t6, t12, t18) in skills],
        action_items=[{"item_id": iid, "text": txt, "due": due, "owner": "", "skill": ""} for iid, txt, due in items])
    if status == "completed":
        rec["completed_at"] = f"{date}T12:00:00+00:00"
    return rec


def checkin(eid: str, date: str, conversation_id: str, *, coach: str = "C01",
            updates: Iterable[tuple[str, str, str]] = (), ratings: Iterable[tuple[str, int]] = ()) -> dict:
    """A check-in on the items of one conversation.

    ``updates`` are ``(item_id, status, note)``; ``ratings`` are
    ``(skill, self_rating)`` interim ratings.
    """
    return {"checkin_id": f"{eid}-ci-{date.replace('-', '')}", "employee_id": eid, "coach_id": coach, "date": date,
            "conversation_id": conversation_id, "note": "",
            "updates": [{"conversation_id": conversation_id, "item_id": item_id, "status": status, "note": note}
                        for item_id, status, note in updates],
            "ratings": [{"skill": skill, "self_rating": rating} for skill, rating in ratings]}


def ada_conversation() -> dict:
    """Ada's completed career conversation of 2 Mar 2026 (``E001-20260302``)."""
    rec = schema.new_conversation("E001", "C01", dt.date(2026, 3, 2), "career-conversation", "1", "E001-20260302")
    rec.update(
        status="completed", completed_at="2026-03-02T11:00:00+00:00", cadence_months=6, next_due="2026-09-02",
        follow_up={"mode": "one-on-one", "every_weeks": 2, "note": ""},
        dreams=[{"rank": 1, "text": "Lead the platform team"}, {"rank": 2, "text": "Speak at a conference"},
                {"rank": 3, "text": "Mentor juniors"}],
        skills=[{**schema.new_skill("Public speaking"), "self_rating": 4, "ten_looks_like": "A keynote",
                 "options": [{"text": "Toastmasters", "pros": "weekly", "cons": "evenings", "chosen": True},
                             {"text": "Team demos", "pros": "", "cons": "", "chosen": False},
                             {"text": "Meetup talk", "pros": "", "cons": "", "chosen": False}],
                 "approach": "weekly practice", "targets": {"6": 5, "12": 6, "18": 7}, "dream_rank": 2}],
        action_items=[{"item_id": "a1", "text": "Join Toastmasters", "due": "2026-04-01", "owner": "Ada",
                       "skill": "Public speaking"},
                      {"item_id": "a2", "text": "Give a team demo", "due": "2026-05-01", "owner": "Ada",
                       "skill": ""}])
    return rec


def ada_checkin() -> dict:
    """Ada's check-in of 15 Apr 2026 on the conversation of 2 Mar: a1 done, a2 in progress, speaking 5."""
    return checkin("E001", "2026-04-15", "E001-20260302",
                   updates=[("a1", "done", "joined"), ("a2", "in_progress", "booked a slot")],
                   ratings=[("Public speaking", 5)])


def make_small_org(root: Path) -> Store:
    """Write the small organisation (see the module's docstring) into ``root``, derived tables included."""
    store = Store(root)
    store.save_roster(roster(SMALL_ORG_PEOPLE))
    store.save_conversation(ada_conversation())
    store.save_checkin(ada_checkin())
    store.refresh()  # the analytics cache, as the import and report commands keep it
    return store


def import_renames_and_a_leaver(data: Path) -> None:
    """Import into the small organisation, as an HR system exports it, a roster that renames Grace Hopper (C01) to
    Grace Brewster Hopper and Alan Turing (E002) to Alan Mathison Turing, and says that Katherine Johnson (E003)
    left on 1 Sep 2026 (the file is written beside the data folder)."""
    from careerconv.records.importers import import_roster

    export = data.parent / "renames-and-a-leaver.csv"
    export.write_text("Employee ID,Name,Manager ID,Department,Job Title,Termination Date\n"
                      "C01,Grace Brewster Hopper,C00,Engineering,Head of engineering,\n"
                      "E002,Alan Mathison Turing,C01,Engineering,Engineer,\n"
                      "E003,Katherine Johnson,C01,Research,Analyst,2026-09-01\n", encoding="utf-8")
    import_roster(Store(data), export)


def custom_question_set(data: Path) -> str:
    """Put an organisation's own question set into a data folder; returns its id."""
    text = (config.BUILTIN_QUESTION_SETS_DIR / "career-conversation.yaml").read_text(encoding="utf-8")
    text = text.replace("id: career-conversation\n", "id: team-lead-conversation\n", 1).replace(
        "title: Career conversation\n", "title: Team lead conversation\n", 1)
    (data / "question_sets").mkdir(exist_ok=True)
    (data / "question_sets" / "team-lead.yaml").write_text(text, encoding="utf-8")
    return "team-lead-conversation"

