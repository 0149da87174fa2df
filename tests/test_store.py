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

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from careerconv import schema as S
from careerconv import tables as T
from careerconv.store import N_BUCKETS, NotFound, Store, atomic_write_bytes, bucket_of

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
    record = S.new_conversation(employee_id, "C1", date, "career-conversation", "1", conversation_id)
    record["dreams"] = [{"rank": i, "text": f"dream {i} of {employee_id}"} for i in (1, 2, 3)]
    record["skills"] = []
    for n, name in enumerate(skills):
        skill = S.new_skill(name)
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
    tbl = S.DERIVED_TABLES[name]
    frame = S.coerce_frame(frame, tbl)
    for col in tbl.columns:
        if col.dtype == "date":  # the unit (s/ms/ns) follows the data; the instants are what count
            frame[col.name] = frame[col.name].astype("datetime64[ns]")
    return frame.sort_values(list(tbl.key), kind="stable").reset_index(drop=True)


def cached_table(store: Store, name: str) -> pd.DataFrame:
    """One derived table as the cache holds it: every part file, read one by one."""
    parts = [pq.read_table(p).to_pandas() for p in sorted((store.derived_dir / name).glob("part-*.parquet"))]
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else S.DERIVED_TABLES[name].empty()


def assert_derived_match_records(store: Store, via_read_table: bool = False) -> None:
    """Every derived table in the cache equals the table built from every record file.

    The cache is brought up to date first (as ``read_table`` does). With
    ``via_read_table`` the tables are read the way analytics read them.
    """
    store.refresh()
    naive = T.frames_from_records(store.iter_records())
    for name in S.DERIVED_TABLES:
        held = store.read_table(name) if via_read_table else cached_table(store, name)
        pd.testing.assert_frame_equal(normalised(held, name), normalised(naive[name], name), check_dtype=True,
                                      obj=f"derived table {name!r}")


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "data")


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


def test_checkin_round_trip(store):
    store.save_conversation(conversation())
    saved = store.save_checkin(checkin("E1", "E1-20240301", dt.date(2024, 4, 2)))
    assert store.load_checkin("E1", "E1-ci-20240402") == saved
    assert store.checkins("E1") == [saved]


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
    with pytest.raises(S.ValidationError, match="differs only in case"):
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
    with pytest.raises(S.ValidationError) as info:
        store.save_conversation(bad)
    assert len(info.value.problems) == 2
    assert path.read_bytes() == before
    assert store.load_conversation("E1", "E1-20240301") == good
    with pytest.raises(S.ValidationError):
        store.save_conversation(conversation(employee_id="../evil"))
    assert not (store.root.parent / "evil").exists()
    assert sorted(p.name for p in store.root.rglob("*.json")) == ["E1-20240301.json"]


def test_save_many_is_all_or_nothing(store):
    bad = conversation("E2")
    bad["date"] = "2024-02-30"
    with pytest.raises(S.ValidationError, match="nothing was written"):
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
    assert history.last_completed["date"] == "2025-03-01"
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
    with pytest.raises(PermissionError):
        store.update_conversation("E1", "E1-20240301", lambda r: r["answers"].update(want_more="x"))
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
    draft = conversation()
    draft["dreams"] = draft["dreams"][:1]
    store.save_conversation(draft)
    with pytest.raises(S.ValidationError, match="must be whole"):
        store.save_conversation({**draft, "status": "completed"})
    assert store.load_conversation("E1", "E1-20240301")["status"] == "draft"


def test_update_conversation_reads_changes_and_writes(store):
    store.save_conversation(conversation())

    def add_item(record):
        record["action_items"].append({"item_id": "a2", "text": "second step"})

    updated = store.update_conversation("E1", "E1-20240301", add_item)
    assert [i["item_id"] for i in updated["action_items"]] == ["a1", "a2"]
    assert store.load_conversation("E1", "E1-20240301") == updated
    replaced = store.update_conversation("E1", "E1-20240301", lambda r: {**r, "answers": {"want_more": "new"}})
    assert store.load_conversation("E1", "E1-20240301")["answers"] == {"want_more": "new"} == replaced["answers"]
    with pytest.raises(S.ValidationError):
        store.update_conversation("E1", "E1-20240301", lambda r: r.update(date="not a date"))
    assert store.load_conversation("E1", "E1-20240301") == replaced
    with pytest.raises(NotFound):
        store.update_conversation("E1", "E1-20990101", add_item)


def test_delete_draft(store):
    store.save_conversation(conversation())
    store.delete_draft("E1", "E1-20240301")
    assert store.conversations("E1") == []
    with pytest.raises(NotFound):
        store.delete_draft("E1", "E1-20240301")


def test_new_record_id_is_suffixed_when_taken(store):
    day = dt.date(2024, 3, 1)
    assert store.new_record_id("conversation", "E1", day) == "E1-20240301"
    for expected in ("E1-20240301", "E1-20240301-2", "E1-20240301-3"):
        cid = store.new_record_id("conversation", "E1", day)
        assert cid == expected
        store.save_conversation(conversation(conversation_id=cid))
    assert store.new_record_id("checkin", "E1", day) == "E1-ci-20240301"
    store.save_checkin(checkin("E1", "E1-20240301", day))
    assert store.new_record_id("checkin", "E1", day) == "E1-ci-20240301-2"
    with pytest.raises(ValueError):
        store.new_record_id("conversation", "../E1", day)


def test_lock_files_never_carry_an_employee_id(store):
    ids = ["Kim-7", "Jane.Doe", "emp_0042"]  # each has a character no hex digest holds
    for eid in ids:
        store.save_conversation(conversation(eid))
        store.save_checkin(checkin(eid, f"{eid}-20240301", dt.date(2024, 4, 1)))
        store.update_conversation(eid, f"{eid}-20240301", lambda r: None)
    store.save_roster(roster_frame(ids))
    store.refresh()
    locks = [p.name for p in (store.root / ".locks").iterdir()]
    assert locks, "saves take a lock file"
    for name in locks:
        assert not any(eid.lower() in name.lower() for eid in ids), name


# --------------------------------------------------------------------------
# derived tables


def test_empty_store_has_empty_typed_tables(store):
    for name, tbl in S.DERIVED_TABLES.items():
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
    store.update_conversation("E005", "E005-20240101",
                              lambda r: r["skills"][0].update(self_rating=9, ten_looks_like="edited"))
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
    return store.derived_dir / table / f"part-{bucket_of(employee_id):02d}.parquet"


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
    expected = T.frames_from_records(store.iter_records(), ["skill_ratings"])["skill_ratings"]
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
    with pytest.raises(S.ValidationError, match="damaged"):
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
    named = {p.source for p in store.validate()}
    assert str(folder / ".x.json.123.tmp") in named and str(folder / ".E1-20240301.json.a1b2.tmp") in named


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

    monkeypatch.setattr("careerconv.store.os.replace", fail)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["file.json"]


def test_buckets_are_stable_and_in_range():
    assert bucket_of("E0001") == bucket_of("E0001")
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
