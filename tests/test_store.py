"""The store: one file per record, written atomically, and derived tables that
always agree with those files.

What a user notices: what was saved comes back exactly; a completed
conversation cannot be changed by accident; analytics tables match the records
after any mix of adds, edits and deletes; a damaged file is named by
``validate`` while everything else keeps working.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from careerconv.rules import followup
from careerconv.records import schema
from careerconv.records import tables
from careerconv.records.store import (
    LOCK_STRIPES, N_BUCKETS, Conflict, NotFound, NotOnRoster, Store, atomic_write_bytes, bucket_of, buckets_of,
)

FREE_TEXTS = [
    '=HYPERLINK("http://x","y")',
    "<img src=x onerror=alert(1)>",
    "Growth 🌱🚀 and 👩🏽‍💻",
    "أريد أن أصبح مديرة فريق",
    "x" * 50_000,
]


def conversation(employee_id: str = "E1", date: dt.date = dt.date(2024, 3, 1), *, conversation_id: str | None = None,
                 completed: bool = False, rating: int = 5, skills: tuple[str, ...] = ("Public speaking",)) -> dict:
    """A conversation record; whole (every answer the method asks for) when ``completed``."""
    record = schema.new_conversation(employee_id, "C1", date, "career-conversation", "1", conversation_id)
    record["dreams"] = [{"rank": i, "text": f"dream {i} of {employee_id}"} for i in (1, 2, 3)]
    record["skills"] = []
    for n, name in enumerate(skills):
        skill = schema.new_skill(name)
        skill.update({
            "self_rating": min(10, rating + n), "coach_rating": min(10, rating + n + 1),
            "ten_looks_like": f"a 10 in {name}",
            "options": [{"text": f"option {k} for {name}", "pros": "p", "cons": "c", "chosen": k == 1}
                        for k in (1, 2, 3)],
            "approach": "option 1",
            "targets": {"6": min(10, rating + 1), "12": min(10, rating + 2), "18": min(10, rating + 3)},
        })
        record["skills"].append(skill)
    record["action_items"] = [{"item_id": "a1", "text": f"first step of {employee_id}", "due": "2024-04-01",
                               "owner": employee_id}]
    record["answers"] = {"want_more": "mentoring", "start_now": "read a book"}
    record["cadence_months"] = 6
    record["follow_up"] = {"mode": "one-on-one", "every_weeks": 2, "note": ""}
    if completed:
        record["status"] = "completed"
    return record


def checkin(employee_id: str, conversation_id: str, date: dt.date, *, checkin_id: str | None = None,
            rating: int = 6) -> dict:
    return {"checkin_id": checkin_id or f"{employee_id}-ci-{date:%Y%m%d}", "employee_id": employee_id,
            "coach_id": "C1", "date": date.isoformat(), "conversation_id": conversation_id,
            "updates": [{"item_id": "a1", "status": "in_progress", "note": "started"}],
            "ratings": [{"skill": "Public speaking", "self_rating": rating}]}


def roster_frame(ids) -> pd.DataFrame:
    ids = list(ids)
    return pd.DataFrame({"employee_id": ids, "name": [f"Person {i}" for i in ids], "coach_id": ["C1"] * len(ids),
                         "department": ["Sales"] * len(ids), "role": ["Analyst"] * len(ids),
                         "cadence_months": ["6"] * len(ids)})


def normalised(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    tbl = schema.DERIVED_TABLES[name]
    frame = schema.coerce_frame(frame, tbl)
    for col in tbl.columns:
        if col.dtype == "date":  # the unit (s/ms/ns) follows the data; the instants are what count
            frame[col.name] = frame[col.name].astype("datetime64[ns]")
    return frame.sort_values(list(tbl.key), kind="stable").reset_index(drop=True)


def cached_table(store: Store, name: str) -> pd.DataFrame:
    """One derived table as the cache holds it: every part file, read one by one."""
    parts = [pq.read_table(p).to_pandas() for p in sorted((store.derived_dir / name).glob("part-*.parquet"))]
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else schema.DERIVED_TABLES[name].empty()


def assert_derived_match_records(store: Store, via_read_table: bool = False) -> None:
    """Every derived table in the cache equals the table built from every record file.

    The cache is brought up to date first (as ``read_table`` does). With
    ``via_read_table`` the tables are read the way analytics read them.
    """
    store.refresh()
    naive = tables.frames_from_records(store.iter_records())
    for name in schema.DERIVED_TABLES:
        held = store.read_table(name) if via_read_table else cached_table(store, name)
        pd.testing.assert_frame_equal(normalised(held, name), normalised(naive[name], name), check_dtype=True,
                                      obj=f"derived table {name!r}")


# Everyone the tests below write for: nothing is saved for a person who is not on the roster.
ROSTERED = ["E1", "E2", "E3", "E9", "E0001", "NEW1", "Kim-7", "Jane.Doe", "emp_0042",
            *(f"E{n:03d}" for n in range(100)), *(f"E{n}" for n in range(0, 100) if n not in (1, 2, 3, 9))]


@pytest.fixture
def store(tmp_path) -> Store:
    store = Store(tmp_path / "data", actor="tester")
    store.save_roster(roster_frame(ROSTERED))
    return store


# --------------------------------------------------------------------------
# round trips


def test_conversation_round_trip(store):
    saved = store.save_conversation(conversation(completed=True))
    loaded = store.load_conversation("E1", "E1-20240301")
    assert loaded == saved
    on_disk = json.loads((store.root / "conversations" / "E1" / "E1-20240301.json").read_text("utf-8"))
    assert on_disk == saved
    assert saved["question_set"] == "career-conversation" and saved["question_set_version"] == "1"


def test_free_text_round_trips_verbatim_through_file_and_tables(store):
    record = conversation()
    record["answers"] = {f"q{i}": text for i, text in enumerate(FREE_TEXTS)}
    record["dreams"] = [{"rank": i + 1, "text": text} for i, text in enumerate(FREE_TEXTS)]
    store.save_conversation(record)
    loaded = store.load_conversation("E1", "E1-20240301")
    assert loaded["answers"] == record["answers"]
    assert [d["text"] for d in loaded["dreams"]] == FREE_TEXTS
    answers = store.read_table("answers")
    assert sorted(answers.loc[answers["question_id"].str.startswith("q"), "text"]) == sorted(FREE_TEXTS)
    assert sorted(store.read_table("dreams")["text"]) == sorted(FREE_TEXTS)


def test_a_record_stored_with_spaces_around_its_text_still_loads_trimmed_and_is_not_rewritten(store):
    """Records saved before typed text lost the whitespace at its ends load as they would be saved now; the
    file stays as it is until the record is saved again."""
    record = store.save_conversation(conversation())
    path = store.root / "conversations" / "E1" / "E1-20240301.json"
    raw = json.loads(path.read_text("utf-8"))
    raw["dreams"][0]["text"] = "  Lead a team  "
    raw["answers"]["start_now"] = "   "
    path.write_text(json.dumps(raw), "utf-8")
    before = path.read_bytes()
    loaded = store.load_conversation("E1", "E1-20240301")
    assert loaded["dreams"][0]["text"] == "Lead a team" and loaded["answers"]["start_now"] == ""
    assert path.read_bytes() == before
    saved = store.save_conversation(loaded)
    assert saved["revision"] == record["revision"] + 1
    assert json.loads(path.read_text("utf-8"))["dreams"][0]["text"] == "Lead a team"


def test_checkin_round_trip(store):
    store.save_conversation(conversation())
    saved = store.save_checkin(checkin("E1", "E1-20240301", dt.date(2024, 4, 2)))
    assert store.load_checkin("E1", "E1-ci-20240402") == saved
    assert store.checkins("E1") == [saved]


def test_record_files_are_one_employees_conversations_and_checkins_without_temp_files(store):
    store.save_conversation(conversation())
    store.save_checkin(checkin("E1", "E1-20240301", dt.date(2024, 4, 2)))
    store.save_conversation(conversation("E2"))
    (store.root / "conversations" / "E1" / ".E1-20240301.json.tmp-123").write_text("{", "utf-8")
    names = [f"{p.parent.parent.name}/{p.name}" for p in store.record_files("E1")]
    assert names == ["checkins/E1-ci-20240402.json", "conversations/E1-20240301.json"]
    assert store.record_files("E3") == []  # on the roster, no records yet
    with pytest.raises(ValueError, match="employee id"):
        store.record_files("../E1")


def test_roster_round_trip_and_upsert(store):
    store.save_roster(roster_frame(["E1", "E2"]))
    assert list(store.roster()["employee_id"]) == ["E1", "E2"]
    assert store.employee("E2")["name"] == "Person E2"
    assert store.employee("E2")["cadence_months"] == 6
    changed = roster_frame(["E2", "E3"])
    changed.loc[0, "role"] = "Lead"
    assert store.upsert_employees(changed) == (1, 1, 0)
    assert store.upsert_employees(changed) == (0, 0, 2), "re-importing the same rows changes nothing"
    roster = store.roster().set_index("employee_id")
    assert list(roster.index) == ["E1", "E2", "E3"] and roster.loc["E2", "role"] == "Lead"


def test_upsert_refuses_ids_differing_only_in_case(store):
    store.save_roster(roster_frame(["E1"]))
    before = store.roster_path.read_bytes()
    with pytest.raises(schema.ValidationError, match="differs only in case"):
        store.upsert_employees(roster_frame(["e1", "E9"]))
    assert store.roster_path.read_bytes() == before


def test_unknown_employee_and_record_raise_not_found(store):
    with pytest.raises(NotFound, match="not on the roster"):
        store.employee("E404")
    with pytest.raises(NotFound):
        store.load_conversation("E404", "E404-20240101")
    assert store.history("E404").conversations == []


def test_an_invalid_record_writes_nothing(store):
    good = store.save_conversation(conversation())
    path = store.record_path("conversation", "E1", "E1-20240301")
    before = path.read_bytes()
    bad = conversation()
    bad["skills"][0]["self_rating"] = 11
    bad["dreams"][0]["rank"] = "first"
    with pytest.raises(schema.ValidationError) as info:
        store.save_conversation(bad)
    assert len(info.value.problems) == 2
    assert path.read_bytes() == before
    assert store.load_conversation("E1", "E1-20240301") == good
    with pytest.raises(schema.ValidationError):
        store.save_conversation(conversation(employee_id="../evil"))
    assert not (store.root.parent / "evil").exists()
    assert sorted(p.name for p in store.root.rglob("*.json")) == ["E1-20240301.json"]


def test_save_many_is_all_or_nothing(store):
    bad = conversation("E2")
    bad["date"] = "2024-02-30"
    with pytest.raises(schema.ValidationError, match="nothing was written"):
        store.save_many([conversation("E1"), bad])
    assert list(store.iter_records()) == []
    assert store.save_many([conversation("E1"), checkin("E1", "E1-20240301", dt.date(2024, 4, 1))]) == 2
    assert len(list(store.iter_records())) == 2


# --------------------------------------------------------------------------
# history, locking, updates, ids


def test_history_is_oldest_first(store):
    for date in (dt.date(2025, 3, 1), dt.date(2023, 3, 1), dt.date(2024, 3, 1)):
        store.save_conversation(conversation(date=date, completed=True))
    for date in (dt.date(2024, 6, 1), dt.date(2023, 6, 1)):
        store.save_checkin(checkin("E1", "E1-20230301", date))
    store.save_conversation(conversation(date=dt.date(2025, 9, 1)))
    store.save_roster(roster_frame(["E1"]))
    history = store.history("E1")
    assert history.employee["employee_id"] == "E1"
    assert [c["date"] for c in history.conversations] == ["2023-03-01", "2024-03-01", "2025-03-01", "2025-09-01"]
    assert [c["date"] for c in history.checkins] == ["2023-06-01", "2024-06-01"]
    assert followup.last_completed(history.conversations)["date"] == "2025-03-01"
    assert [d["date"] for d in history.drafts] == ["2025-09-01"]
    frames = history.frames()
    assert len(frames["conversations"]) == 4 and len(frames["checkins"]) == 2


def test_same_day_records_are_ordered_by_id(store):
    for cid in ("E1-20240301-3", "E1-20240301", "E1-20240301-2"):
        store.save_conversation(conversation(conversation_id=cid))
    assert [c["conversation_id"] for c in store.conversations("E1")] == [
        "E1-20240301", "E1-20240301-2", "E1-20240301-3"]


def test_a_completed_conversation_is_locked(store):
    saved = store.save_conversation(conversation(completed=True))
    assert store.save_conversation(saved) == saved, "saving it again unchanged is allowed"
    edited = json.loads(json.dumps(saved))
    edited["answers"]["want_more"] = "something else"
    with pytest.raises(PermissionError, match="completed and locked"):
        store.save_conversation(edited)
    with pytest.raises(PermissionError, match="completed and locked"):
        store.save_conversation({**edited, "status": "draft"})
    with pytest.raises(PermissionError, match="only drafts"):
        store.delete_draft("E1", "E1-20240301")
    assert store.load_conversation("E1", "E1-20240301") == saved


def test_a_draft_can_be_completed_once(store):
    draft = store.save_conversation(conversation())
    done = store.save_conversation({**draft, "status": "completed"})
    assert store.load_conversation("E1", draft["conversation_id"])["status"] == "completed"
    with pytest.raises(PermissionError):
        store.save_conversation({**done, "status": "draft"})


def test_a_draft_that_is_not_whole_cannot_be_completed(store):
    draft = store.save_conversation({**conversation(), "dreams": conversation()["dreams"][:1]})
    with pytest.raises(schema.ValidationError, match="must be whole"):
        store.save_conversation({**draft, "status": "completed"})
    assert store.load_conversation("E1", "E1-20240301")["status"] == "draft"


def test_every_save_moves_the_revision_on_and_says_who_saved_it(store):
    created = store.save_conversation(conversation())
    assert (created["revision"], created["saved_by"]) == (1, "tester")
    assert created["saved_at"].endswith("+00:00")
    second = store.save_conversation({**created, "answers": {"want_more": "second"}})
    third = store.save_conversation({**second, "answers": {"want_more": "third"}})
    assert [second["revision"], third["revision"]] == [2, 3]
    assert store.load_conversation("E1", "E1-20240301") == third


def test_a_save_based_on_an_old_revision_is_a_conflict_and_writes_nothing(store):
    opened = store.save_conversation(conversation())  # two tabs open revision 1
    tab_a = store.save_conversation({**opened, "answers": {"want_more": "tab A's answer"}})
    with pytest.raises(Conflict) as info:
        store.save_conversation({**opened, "dreams": [{"rank": 1, "text": "tab B's dream"}]})
    assert "changed elsewhere" in str(info.value) and "revision 2, saved by tester" in str(info.value)
    assert info.value.current == tab_a
    assert info.value.attempted["dreams"] == [{"rank": 1, "text": "tab B's dream"}]
    assert store.load_conversation("E1", "E1-20240301") == tab_a


def test_creating_never_overwrites_an_existing_record(store):
    first = store.save_conversation(conversation())
    with pytest.raises(Conflict, match="already exists"):
        store.save_conversation({**conversation(), "answers": {"want_more": "would overwrite"}})
    with pytest.raises(Conflict, match="differ only in case"):
        store.save_conversation(conversation(conversation_id="e1-20240301"))
    assert store.conversations("E1") == [first]


def test_a_record_deleted_elsewhere_is_a_conflict_not_a_recreation(store):
    draft = store.save_conversation(conversation())
    store.delete_draft("E1", draft["conversation_id"])
    with pytest.raises(Conflict, match="deleted or discarded") as info:
        store.save_conversation({**draft, "answers": {"want_more": "typed after the discard"}})
    assert info.value.current is None
    assert store.conversations("E1") == []


def test_discarding_a_draft_that_changed_elsewhere_is_refused(store):
    draft = store.save_conversation(conversation())
    store.save_conversation({**draft, "answers": {"want_more": "newer"}})
    with pytest.raises(Conflict):
        store.delete_draft("E1", draft["conversation_id"], revision=draft["revision"])
    assert len(store.conversations("E1")) == 1


def test_records_written_before_revisions_load_as_revision_0_and_save_as_1(store):
    path = store.record_path("conversation", "E1", "E1-20240301")
    path.parent.mkdir(parents=True)
    legacy = {k: v for k, v in conversation().items() if k not in schema.SAVE_STAMP}
    path.write_text(json.dumps(legacy), "utf-8")
    loaded = store.load_conversation("E1", "E1-20240301")
    assert (loaded["revision"], loaded["saved_by"]) == (0, None)
    assert store.save_conversation(loaded)["revision"] == 1


def test_nothing_is_saved_for_someone_not_on_the_roster(store):
    with pytest.raises(NotOnRoster, match="'E404' is not on the roster"):
        store.save_conversation(conversation("E404"))
    with pytest.raises(NotOnRoster, match="the roster has 'E1'"):
        store.save_checkin(checkin("e1", "E1-20240301", dt.date(2024, 4, 1)))
    with pytest.raises(schema.ValidationError, match="not on the roster"):
        store.save_many([conversation("E1"), conversation("E404")])
    assert list(store.iter_records()) == []
    assert not (store.root / "conversations" / "E404").exists()


def test_an_erased_persons_open_draft_is_not_recreated(store):
    draft = store.save_conversation(conversation())
    store.remove_employees(["E1"])
    shutil.rmtree(store.employee_dir("conversation", "E1"))
    with pytest.raises(NotOnRoster):
        store.save_conversation({**draft, "answers": {"want_more": "autosave after the erase"}})
    assert not store.employee_dir("conversation", "E1").exists()


def test_delete_draft(store):
    store.save_conversation(conversation())
    store.delete_draft("E1", "E1-20240301")
    assert store.conversations("E1") == []
    with pytest.raises(NotFound):
        store.delete_draft("E1", "E1-20240301")


def test_new_records_get_free_ids_allocated_under_the_lock(store):
    day = conversation()
    made = [store.save_conversation({**day, "conversation_id": None}) for _ in range(3)]
    assert [c["conversation_id"] for c in made] == ["E1-20240301", "E1-20240301-2", "E1-20240301-3"]
    first = store.save_checkin({**checkin("E1", "E1-20240301", dt.date(2024, 3, 1)), "checkin_id": None})
    second = store.save_checkin({**checkin("E1", "E1-20240301", dt.date(2024, 3, 1)), "checkin_id": None})
    assert [first["checkin_id"], second["checkin_id"]] == ["E1-ci-20240301", "E1-ci-20240301-2"]
    with pytest.raises(schema.ValidationError):
        store.save_conversation({**day, "employee_id": "../E1", "conversation_id": None})


def test_check_in_drafts_are_kept_apart_from_completed_check_ins(store):
    store.save_conversation(conversation())
    done = store.save_checkin(checkin("E1", "E1-20240301", dt.date(2024, 4, 2)))
    draft = store.save_checkin({**checkin("E1", "E1-20240301", dt.date(2024, 5, 2)), "status": "draft"})
    assert done["status"] == "completed"
    assert store.checkins("E1") == [done] and store.checkins("E1", drafts=True) == [draft]
    assert store.history("E1").checkin_drafts == [draft]
    ratings = store.read_table("skill_ratings")
    assert "E1-ci-20240502" not in set(ratings["record_id"]), "a draft is not a fact yet"


def test_lock_files_are_a_fixed_set_of_stripes_that_never_name_anyone(store, tmp_path):
    ids = ["Kim-7", "Jane.Doe", "emp_0042"]
    for eid in ids:
        saved = store.save_conversation(conversation(eid))
        store.save_checkin(checkin(eid, f"{eid}-20240301", dt.date(2024, 4, 1)))
        store.save_conversation(saved)
    store.refresh()
    other = Store(tmp_path / "other")
    other.save_roster(roster_frame(["Z9"]))
    other.save_conversation(conversation("Z9"))
    other.refresh()
    names = sorted(p.name for p in (store.root / ".locks").iterdir())
    assert names == sorted(p.name for p in (other.root / ".locks").iterdir()), \
        "which lock files exist does not depend on who was written"
    assert len([n for n in names if n.startswith("employee-")]) == LOCK_STRIPES


# --------------------------------------------------------------------------
# derived tables


# Hostile ids: plain, empty, accented (composed and decomposed: different bytes, different buckets),
# outside the basic plane, 100,000 characters, non-Latin, a NUL, spaces kept, natural-order lookalikes.
HOSTILE_IDS = ["E001", "", "\u00e9", "e\u0301", "\U0001f600", "a" * 100_000, "\u4e2d\u6587-ID", "a\x00b", " E001 ",
               "E1", "E10"]


def test_buckets_are_those_of_this_layout():
    """Fixed literals: a change of the bucket rule would move every employee's rows to another part."""
    assert [bucket_of(e) for e in HOSTILE_IDS] == [5, 5, 2, 12, 15, 7, 4, 3, 0, 13, 7]
    assert [bucket_of(e, 7) for e in HOSTILE_IDS] == [6, 3, 4, 1, 4, 5, 6, 4, 3, 2, 0]


@pytest.mark.parametrize("n", [N_BUCKETS, LOCK_STRIPES, 7, 1])
def test_buckets_of_many_ids_are_each_ids_bucket(n):
    import hashlib

    ids = HOSTILE_IDS + [f"E{i:06d}" for i in range(2_000)]
    # The rule as written down: the first four bytes of the BLAKE2b digest of the UTF-8 id, big-endian, modulo n.
    expected = [int.from_bytes(hashlib.blake2b(e.encode("utf-8"), digest_size=4).digest(), "big") % n for e in ids]
    found = buckets_of(ids, n)
    assert found.dtype == np.int64 and found.tolist() == expected
    assert [bucket_of(e, n) for e in ids] == expected
    assert buckets_of([], n).tolist() == [] and buckets_of(iter(ids), n).tolist() == expected


def test_an_id_that_is_not_valid_unicode_text_is_refused_by_both():
    for find in (bucket_of, lambda e: buckets_of([e])):
        with pytest.raises(UnicodeEncodeError):
            find("E\ud800")  # a lone surrogate has no UTF-8 bytes


def test_reading_the_roster_needs_no_lookup_table_and_lookups_still_work(store):
    store.save_roster(roster_frame(["E2", "E10", "E1"]))
    fresh = Store(store.root)
    assert fresh.roster()["employee_id"].tolist() == ["E2", "E10", "E1"]
    assert fresh._roster_cache[2] is None, "the per-employee lookup is built only when a lookup needs it"
    assert fresh.employee("E10")["employee_id"] == "E10"
    with pytest.raises(NotFound):
        fresh.employee("E3")
    fresh.save_roster(roster_frame(["E3"]))
    assert fresh.employee("E3")["employee_id"] == "E3", "a new roster file is read again"
    with pytest.raises(NotFound):
        fresh.employee("E10")


def test_empty_store_has_empty_typed_tables(store):
    for name, tbl in schema.DERIVED_TABLES.items():
        frame = store.read_table(name)
        assert list(frame.columns) == tbl.names and frame.empty


def test_derived_tables_follow_adds_edits_and_deletes(store):
    employees = [f"E{n:03d}" for n in range(24)]
    assert len({bucket_of(e) for e in employees}) >= 10, "the employees spread over many buckets"
    for n, eid in enumerate(employees):
        store.save_conversation(conversation(eid, dt.date(2023, 1 + n % 12, 1), completed=True, rating=1 + n % 7,
                                             skills=("SQL", "Negotiation")[: 1 + n % 2]))
    assert store.refresh().employees_changed == 24
    assert_derived_match_records(store)

    nothing = store.refresh()
    assert (nothing.employees_changed, nothing.buckets_rewritten) == (0, 0)

    # adds: a new conversation and a check-in for one, a brand-new employee
    store.save_conversation(conversation("E005", dt.date(2024, 1, 1)))
    store.save_checkin(checkin("E005", "E005-20240101", dt.date(2024, 2, 1)))
    store.save_conversation(conversation("NEW1", dt.date(2024, 5, 5), completed=True))
    report = store.refresh()
    assert report.employees_changed == 2 and report.buckets_rewritten == len({bucket_of("E005"), bucket_of("NEW1")})
    assert_derived_match_records(store)

    # edits of a draft, then deletes: a draft, and an employee's every record (as erasure does)
    edited = store.load_conversation("E005", "E005-20240101")
    edited["skills"][0].update(self_rating=9, ten_looks_like="edited")
    store.save_conversation(edited)
    store.save_conversation(conversation("E010", dt.date(2024, 6, 1)))
    store.delete_draft("E010", "E010-20240601")
    shutil.rmtree(store.root / "conversations" / "E020")
    assert_derived_match_records(store)
    skills = store.read_table("skills")
    assert skills.loc[skills["conversation_id"] == "E005-20240101", "self_rating"].tolist() == [9]
    assert "E020" not in set(store.read_table("conversations")["employee_id"])
    assert "E010-20240601" not in set(store.read_table("conversations")["conversation_id"])

    # a full rebuild gives the same tables
    store.refresh(full=True)
    assert_derived_match_records(store)


def test_a_table_with_rows_in_one_bucket_and_none_in_another_reads(store):
    store.save_conversation(conversation("E1", completed=True))
    store.save_conversation(conversation("E2", completed=True))
    assert bucket_of("E1") != bucket_of("E2")
    store.save_checkin(checkin("E1", "E1-20240301", dt.date(2024, 4, 1)))
    assert list(store.read_table("checkins")["employee_id"]) == ["E1"]


def test_a_record_in_another_employees_folder_is_left_out_and_reported(store):
    """Each employee's rows stay together: in their history and in one part of the derived tables."""
    store.save_conversation(conversation("E1", completed=True))
    store.save_conversation(conversation("E2", dt.date(2024, 5, 1), completed=True))
    assert bucket_of("E1") != bucket_of("E2")
    misplaced = store.root / "conversations" / "E1" / "E2-20240501.json"
    shutil.copy(store.root / "conversations" / "E2" / "E2-20240501.json", misplaced)
    assert [c["conversation_id"] for c in store.conversations("E1")] == ["E1-20240301"]
    assert [c["employee_id"] for c in store.iter_records()] == ["E1", "E2"]
    store.refresh()
    held = store.read_table("conversations")
    assert sorted(held["conversation_id"]) == ["E1-20240301", "E2-20240501"]
    problems = [p.message for p in store.validate()]
    assert any("holds a record of employee 'E2' in the folder of 'E1'" in m and "conversations/E2/" in m
               for m in problems), problems


def test_read_table_gives_what_the_records_hold(store):
    for n in range(12):
        store.save_conversation(conversation(f"E{n}", completed=True))
        if n % 3 == 0:
            store.save_checkin(checkin(f"E{n}", f"E{n}-20240301", dt.date(2024, 4, 1)))
    assert_derived_match_records(store, via_read_table=True)


def test_read_table_reads_only_the_asked_columns(store):
    store.save_conversation(conversation(completed=True))
    frame = store.read_table("skill_ratings", columns=["employee_id", "self_rating"])
    assert list(frame.columns) == ["employee_id", "self_rating"]
    assert frame.to_dict("records") == [{"employee_id": "E1", "self_rating": 5}]
    assert list(store.read_table("roster", columns=["employee_id"]).columns) == ["employee_id"]


def _bucket_part(store: Store, table: str, employee_id: str) -> Path:
    return store.part_path(table, bucket_of(employee_id))


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_a_damaged_derived_part_is_rebuilt_automatically(store, damage):
    for eid in ("E1", "E2", "E3"):
        store.save_conversation(conversation(eid, completed=True))
    store.refresh()
    part = _bucket_part(store, "skill_ratings", "E2")
    data = part.read_bytes()
    part.write_bytes({"truncate": data[: len(data) // 2], "garbage": b"PAR1 not really", "empty": b""}[damage])
    problems = store.validate()
    assert [p.source for p in problems] == [str(part)]
    assert "rebuilt automatically" in problems[0].message
    ratings = store.read_table("skill_ratings")  # reading rebuilds the damaged part
    expected = tables.frames_from_records(store.iter_records(), ["skill_ratings"])["skill_ratings"]
    pd.testing.assert_frame_equal(normalised(ratings, "skill_ratings"), normalised(expected, "skill_ratings"))
    assert store.validate() == []
    assert_derived_match_records(store)


def test_a_damaged_part_of_a_bucket_with_no_employee_left_is_rebuilt(store):
    store.save_conversation(conversation("E1", completed=True))
    store.refresh()
    shutil.rmtree(store.root / "conversations" / "E1")
    store.refresh()
    part = _bucket_part(store, "conversations", "E1")
    assert part.exists()
    part.write_bytes(part.read_bytes()[:20])
    assert store.read_table("conversations").empty
    assert store.validate() == []


def test_a_truncated_parquet_anywhere_is_named_and_the_store_keeps_serving(store):
    for eid in ("E1", "E2"):
        store.save_conversation(conversation(eid, completed=True))
    store.save_checkin(checkin("E1", "E1-20240301", dt.date(2024, 4, 1)))
    store.refresh()
    elsewhere = store.root / "exports" / "old_skill_ratings.parquet"
    elsewhere.parent.mkdir()
    buf = pa.BufferOutputStream()
    pq.write_table(pa.table({"employee_id": ["E1"] * 100, "rating": list(range(100))}), buf)
    whole = buf.getvalue().to_pybytes()
    elsewhere.write_bytes(whole[: len(whole) - 10])
    problems = store.validate()
    assert len(problems) == 1
    assert problems[0].source == str(elsewhere) and "truncated" in problems[0].message
    assert_derived_match_records(store)
    assert len(store.history("E1").conversations) == 1
    assert len(store.read_table("skill_ratings")) == 3
    assert sorted(store.read_table("conversations")["employee_id"]) == ["E1", "E2"]


@pytest.mark.parametrize("how", [
    "ctrl-c",  # Python's own handler, as in a terminal
    "sigterm",  # careerconv report's, as a scheduler stops a batch
])
def test_a_stop_while_the_roster_is_read_stops_as_sent_and_never_calls_the_roster_damaged(tmp_path, monkeypatch, how):
    """Found stopping a report batch in its first seconds: pandas turns a Ctrl-C that lands while it reads into a
    parser error (on Python 3.11; from 3.12 on it lets it through), and the store said "roster.csv: the file is
    damaged ... restore it from a backup" (which would lose every change since that backup). The stop stops, naming
    the file it stopped reading on every Python; a SIGTERM stays one (the command says "stopped by SIGTERM" and ends
    with 143, not as a Ctrl-C); the roster is read whole the next time."""
    import contextlib
    import io
    import signal

    from careerconv.surfaces.signals import how_stopped, stopped_once

    Store(tmp_path / "data", actor="tester").save_roster(roster_frame(ROSTERED))
    read_csv = pd.read_csv
    signum = signal.SIGTERM if how == "sigterm" else signal.SIGINT

    class StopOnTheWay(io.BytesIO):
        def read1(self, *size):  # as pandas' text wrapper reads the roster's bytes
            signal.raise_signal(signum)  # as a terminal or a scheduler sends it, while pandas reads
            return super().read1(*size)

    monkeypatch.setattr(pd, "read_csv", lambda source, *args, **kwargs: read_csv(
        StopOnTheWay(source.getvalue()) if isinstance(source, io.BytesIO) else source, *args, **kwargs))
    terminal = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal
    try:
        with pytest.raises(KeyboardInterrupt, match="stopped while .*roster.csv was read") as stopped:
            with stopped_once() if how == "sigterm" else contextlib.nullcontext():
                Store(tmp_path / "data").roster()
    finally:
        signal.signal(signal.SIGINT, terminal)
    assert how_stopped(stopped.value) == ("stopped by SIGTERM" if how == "sigterm" else "interrupted", 128 + signum)
    monkeypatch.setattr(pd, "read_csv", read_csv)
    assert sorted(Store(tmp_path / "data").roster()["employee_id"]) == sorted(ROSTERED)


def test_a_damaged_json_record_is_named_and_skipped(store):
    store.save_conversation(conversation("E1", completed=True))
    folder = store.root / "conversations" / "E1"
    (folder / "E1-20240401.json").write_text('{"conversation_id": "E1-20240401", "employee_', "utf-8")
    invalid = conversation("E1", dt.date(2024, 5, 1))
    invalid["skills"][0]["self_rating"] = 0
    (folder / "E1-20240501.json").write_text(json.dumps(invalid), "utf-8")
    conversations = store.conversations("E1")
    assert [c["conversation_id"] for c in conversations] == ["E1-20240301"]
    assert {p.source for p in store.problems} >= {str(folder / "E1-20240401.json")}
    problems = store.validate()
    sources = {p.source for p in problems}
    assert str(folder / "E1-20240401.json") in sources
    assert any(p.column == "skills[0].self_rating" and "E1-20240501.json" in p.source for p in problems)
    with pytest.raises(schema.ValidationError, match="damaged"):
        store.load_conversation("E1", "E1-20240401")
    assert_derived_match_records(store)
    assert len(store.read_table("conversations")) == 1


def test_a_record_in_another_employee_s_folder_is_reported(store):
    store.save_conversation(conversation("E1"))
    stray = store.root / "conversations" / "E2" / "E1-20240301.json"
    stray.parent.mkdir(parents=True)
    shutil.copy(store.root / "conversations" / "E1" / "E1-20240301.json", stray)
    assert any(p.source == str(stray) and "'E1'" in p.message for p in store.validate())


def test_temp_files_are_never_read_as_data(store):
    store.save_conversation(conversation("E1"))
    folder = store.root / "conversations" / "E1"
    ghost = conversation("E1", dt.date(2030, 1, 1), conversation_id="GHOST-1")
    leftovers = [folder / ".x.json.123.tmp", folder / ".E1-20240301.json.a1b2.tmp", folder / ".GHOST-1.json"]
    for path in leftovers:
        path.write_text(json.dumps(ghost), "utf-8")
    ci_folder = store.root / "checkins" / "E1"
    ci_folder.mkdir(parents=True)
    (ci_folder / ".E1-ci.json.9.tmp").write_text(json.dumps(checkin("E1", "E1-20240301", dt.date(2030, 1, 1))))
    assert [c["conversation_id"] for c in store.conversations("E1")] == ["E1-20240301"]
    assert store.checkins("E1") == []
    assert [r.get("conversation_id") for r in store.iter_records()] == ["E1-20240301"]
    assert "GHOST-1" not in set(store.read_table("conversations")["conversation_id"])
    assert store.read_table("checkins").empty
    assert store.load_conversation("E1", "E1-20240301")["date"] == "2024-03-01"
    assert not any(p.exists() for p in [*leftovers[:2], ci_folder / ".E1-ci.json.9.tmp"]), \
        "the refresh that read the folder removed the temp files a killed save left"
    (folder / ".late.json.7.tmp").write_text(json.dumps(ghost), "utf-8")
    assert store.validate() == [] and store.swept == [folder / ".late.json.7.tmp"]


def test_atomic_write_leaves_no_temp_file_and_replaces_whole(tmp_path):
    target = tmp_path / "sub" / "file.bin"
    atomic_write_bytes(target, b"old")
    atomic_write_bytes(target, b"new content")
    assert target.read_bytes() == b"new content"
    assert [p.name for p in target.parent.iterdir()] == ["file.bin"]


def test_a_failed_atomic_write_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "file.json"
    atomic_write_bytes(target, b"old")

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("careerconv.records.store.os.replace", fail)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["file.json"]


def test_buckets_are_stable_and_in_range():
    # Written down once, never recomputed here: a version that put people in other buckets would leave every
    # derived part of an existing folder holding the wrong employees.
    assert {e: bucket_of(e) for e in ("E0001", "E002", "E1", "E2", "Zoë", "a-very-long-employee-id-1234567890")} \
        == {"E0001": 5, "E002": 2, "E1": 13, "E2": 12, "Zoë": 10, "a-very-long-employee-id-1234567890": 15}
    assert N_BUCKETS == 16
    assert all(0 <= bucket_of(f"E{n}") < N_BUCKETS for n in range(500))
    assert len({bucket_of(f"E{n}") for n in range(500)}) == N_BUCKETS


def test_validate_is_clean_on_a_healthy_folder(store):
    store.save_roster(roster_frame(["E1", "E2"]))
    store.save_conversation(conversation("E1", completed=True))
    store.save_checkin(checkin("E1", "E1-20240301", dt.date(2024, 4, 1)))
    store.refresh()
    assert store.validate() == []


def test_validate_names_a_hand_broken_roster(store):
    store.save_roster(roster_frame(["E1"]))
    store.roster_path.write_text(store.roster_path.read_text("utf-8") + "E1,Dup,C1,Sales,,6,\n", "utf-8")
    problems = store.validate()
    assert any(p.row == 3 and p.column == "employee_id" for p in problems)


# --------------------------------------------------------------------------
# what validate names, with the command that fixes it


def test_validate_names_records_of_people_not_on_the_roster_and_how_to_fix_them(store):
    store.save_conversation(conversation("E2"))
    store.remove_employees(["E2"])  # an erase that was interrupted, or a hand-edited roster
    twin = store.root / "checkins" / "e1"
    twin.mkdir(parents=True)
    (twin / "e1-ci-20240401.json").write_text(json.dumps(checkin("e1", "E1-20240301", dt.date(2024, 4, 1),
                                                                 checkin_id="e1-ci-20240401")), "utf-8")
    messages = {Path(p.source).name: p.message for p in store.validate()}
    assert "who is not on the roster" in messages["E2"] and "careerconv erase --employee E2 --yes" in messages["E2"]
    assert "differs only in case from 'E1'" in messages["e1"] and "checkins/E1/" in messages["e1"]


def test_validate_names_record_ids_that_differ_only_in_case(store):
    store.save_conversation(conversation())
    clash = store.record_path("conversation", "E1", "e1-20240301")
    clash.write_text(json.dumps({**conversation(), "conversation_id": "e1-20240301"}), "utf-8")
    problems = [p for p in store.validate() if "differs only in case" in p.message]
    assert len(problems) == 1 and "collide on Windows and macOS" in problems[0].message


# --------------------------------------------------------------------------
# a batch (an import) is all or nothing


def test_an_import_killed_before_its_commit_leaves_nothing(store):
    batch = store.root / ".staging" / "20240101T000000-deadbeef" / "conversations" / "E1"
    batch.mkdir(parents=True)
    (batch / "E1-20240301.json").write_text(json.dumps(conversation()), "utf-8")
    reopened = Store(store.root)
    assert reopened.conversations("E1") == []
    assert not (store.root / ".staging").exists()


def test_an_import_killed_during_its_commit_is_finished_by_the_next_command(store):
    store.save_many([conversation("E1"), conversation("E2")])
    staged = store.root / ".staging" / "20240101T000000-cafe0001"
    for eid in ("E3", "E9"):
        folder = staged / "conversations" / eid
        folder.mkdir(parents=True)
        (folder / f"{eid}-20240301.json").write_text(json.dumps({**conversation(eid), "revision": 1}), "utf-8")
    (staged / "COMMITTED").write_bytes(b"")
    # the kill came after E3's file was moved into place: only E9's is still staged
    (store.root / "conversations" / "E3").mkdir()
    (staged / "conversations" / "E3" / "E3-20240301.json").rename(store.root / "conversations/E3/E3-20240301.json")
    reopened = Store(store.root)
    assert sorted(reopened.employees_with_records()) == ["E1", "E2", "E3", "E9"]
    assert reopened.load_conversation("E9", "E9-20240301")["revision"] == 1
    assert not (store.root / ".staging").exists() and reopened.validate() == []


def test_an_import_under_way_elsewhere_is_left_alone(store):
    import threading
    staged = store.root / ".staging" / "20240101T000000-0000beef" / "conversations" / "E1"
    staged.mkdir(parents=True)
    holding, done = threading.Event(), threading.Event()

    def importer():  # another writer in the middle of staging its batch
        with store.lock("batch"):
            holding.set()
            done.wait(10)

    thread = threading.Thread(target=importer)
    thread.start()
    try:
        holding.wait(10)
        assert Store(store.root).recover_batches() == []
        assert staged.exists()
    finally:
        done.set()
        thread.join()
    assert Store(store.root).conversations("E1") == [] and not staged.exists()


def test_a_re_import_of_the_same_records_moves_the_revision_on(store):
    store.save_many([conversation("E1")])
    store.save_many([conversation("E1")])
    assert store.load_conversation("E1", "E1-20240301")["revision"] == 2


def test_a_new_data_folder_is_private_and_files_follow_the_umask(tmp_path):
    import subprocess
    import sys
    store = Store(tmp_path / "fresh" / "data")
    store.save_roster(roster_frame(["E1"]))
    assert oct(store.root.stat().st_mode & 0o777) == "0o700"
    write = ("import sys; from pathlib import Path; from careerconv.records.store import atomic_write_bytes; "
             "atomic_write_bytes(Path(sys.argv[1]), b'<p>ok</p>')")
    modes = {}
    for umask in ("002", "077"):  # a team that shares its reports folder; someone who shares nothing
        target = tmp_path / f"shared-{umask}" / "report.html"
        subprocess.run(["sh", "-c", f'umask {umask}; exec "$0" -c "$1" "$2"', sys.executable, write, str(target)],
                       check=True, cwd=Path(__file__).resolve().parent.parent)
        modes[umask] = oct(target.stat().st_mode & 0o777)
    assert modes == {"002": "0o664", "077": "0o600"}


def test_a_list_answer_makes_one_row_of_its_items_and_none_when_every_item_is_empty(store):
    """A list answer whose items were all left empty made an answers row of a bare line break, which an export
    showed as an answer; empty items between others made blank lines."""
    record = conversation()
    record["answers"] = {"blank": ["", "   "], "some": ["First", "", "Second"], "start_now": "Ask for a mentor"}
    store.save_conversation(record)
    answers = store.read_table("answers").set_index("question_id")["text"]
    assert "blank" not in answers.index
    assert answers["some"] == "First\nSecond" and answers["start_now"] == "Ask for a mentor"


def test_a_new_record_with_an_id_of_another_person_is_refused_and_validate_names_one_on_disk(store):
    """E1's record kept as ``E2-...`` would be found by E2's erasure and take the id of E2's own record that day."""
    with pytest.raises(schema.ValidationError, match="begins with E2's id") as refused:
        store.save_conversation(conversation("E1", conversation_id="e2-20240301"))
    assert refused.value.problems[0].column == "conversation_id"
    assert not list(store.root.glob("conversations/*/e2-*"))
    # their own ids, with or without a dash in the employee's id, and ids of an older system stay allowed
    assert store.save_conversation(conversation("Kim-7", conversation_id="Kim-7-20240301"))["revision"] == 1
    assert store.save_conversation(conversation("E1", conversation_id="legacy-4411"))["revision"] == 1

    planted = {**conversation("E1", conversation_id="E2-20240301"), "revision": 1}
    (store.root / "conversations" / "E1" / "E2-20240301.json").write_text(json.dumps(planted), encoding="utf-8")
    problems = [p for p in store.validate() if "E2-20240301" in p.source]
    assert len(problems) == 1 and "begins with E2's id" in problems[0].message


def test_the_derived_parts_say_the_same_dtypes_whatever_string_storage_the_process_has_set(tmp_path):
    """Found looking into a CI failure (whose cause was another: a pandas release). The pandas metadata
    of the derived parts is made once per process and kept; made while the process had pandas' string storage set to
    "python" (as a report kernel has), every part written later said so, and pandas read their text in other dtypes:
    the metadata is the same in every process."""
    from careerconv.records import store as store_module

    table = schema.DERIVED_TABLES["skill_ratings"]
    store_module.pandas_metadata.cache_clear()
    try:
        with pd.option_context("mode.string_storage", "python"):
            in_a_kernel = store_module.pandas_metadata(table)
        store_module.pandas_metadata.cache_clear()
        assert in_a_kernel == store_module.pandas_metadata(table)
    finally:
        store_module.pandas_metadata.cache_clear()
