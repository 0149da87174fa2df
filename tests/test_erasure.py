"""Erasure: after `erase`, no file under data/ or reports/ holds the person's id or name."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from careerconv.records import schema
from careerconv.records.erasure import ERASED_COACH_ID, REMOVED, Mentions, erase_employee, plan_erasure
from careerconv.records.importers import import_history, import_roster
from careerconv.records.store import NotFound, Store
from erasure_readers import Person, files_naming

ANA = Person("E001", "Ana Silva", "ana.silva@example.org")


def snapshot(*folders: Path) -> dict[str, bytes]:
    out = {}
    for folder in folders:
        if folder.exists():
            out.update({str(p): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()})
    return out


def conversation(store: Store, eid: str, date: dt.date, *, coach: str = "C01", dreams=("Lead a team",),
                 owner: str = "me", note: str = "") -> dict:
    record = schema.new_conversation(eid, coach, date, "career-conversation", "1")
    record["dreams"] = [{"rank": i + 1, "text": t} for i, t in enumerate([*dreams, "Write a book", "Teach"][:3])]
    skill = schema.new_skill("Python")
    skill.update(self_rating=5, ten_looks_like="Fluent", targets={"6": 6, "12": 7, "18": 8},
                 options=[{"text": f"option {i}", "pros": "p", "cons": "c", "chosen": i == 0} for i in range(3)])
    record["skills"] = [skill]
    record["action_items"] = [{"item_id": "a1", "text": "Pair weekly", "due": "2024-09-01", "owner": owner}]
    record.update(cadence_months=6, status="completed", follow_up={"mode": "one-on-one", "every_weeks": 4,
                                                                   "note": note})
    return store.save_conversation(record)


@pytest.fixture
def org(tmp_path: Path) -> tuple[Store, Path]:
    """A data folder and reports folder where E001 (Ana Silva) is held and mentioned in many places."""
    store = Store(tmp_path / "data")
    reports = tmp_path / "reports"
    pd.DataFrame([
        ("E001", "Ana Silva", "C01", "Eng", "Dev", 6, "ana.silva@example.org"),
        ("E0010", "Bo Chen", "C01", "Eng", "Dev", 12, ""),
        ("E002", "Chidi Okafor", "C02", "Sales", "AM", 6, ""),
    ], columns=["employee_id", "name", "coach_id", "department", "role", "cadence_months", "email"]
    ).to_csv(tmp_path / "roster.csv", index=False)
    import_roster(store, tmp_path / "roster.csv")
    (tmp_path / "history.csv").write_text("employee_id,date,skill,rating\n"
                                          "E001,2021-03-01,SQL,4\nE002,2021-03-01,SQL,6\n")
    import_history(store, tmp_path / "history.csv")
    first = conversation(store, "E001", dt.date(2023, 3, 1))
    conversation(store, "E001", dt.date(2024, 3, 1))
    store.save_summary("E001", first["conversation_id"], "<h1>Ana Silva</h1>")
    store.save_checkin({"checkin_id": "E001-ci-20230601", "employee_id": "E001", "coach_id": "C01",
                        "date": "2023-06-01", "conversation_id": first["conversation_id"], "note": "going well",
                        "updates": [{"item_id": "a1", "status": "in_progress"}]})
    # other people mention her
    conversation(store, "E002", dt.date(2023, 4, 1), coach="E001",
                 dreams=("Work with Ana Silva on pricing", "Be like ANA  SILVA (E001)."), owner="E001",
                 note="ask ana.silva@example.org")
    store.save_summary("E002", "E002-20230401", "<p>with Ana Silva</p>")
    store.save_checkin({"checkin_id": "E002-ci-20230701", "employee_id": "E002", "coach_id": "C02",
                        "date": "2023-07-01", "note": "E001 helped; E0010 too", "updates": []})
    e0010 = conversation(store, "E0010", dt.date(2023, 5, 1), dreams=("Mentor E0010s peers",))
    store.refresh()
    # a save of hers killed before its rename
    (store.employee_dir("conversation", "E001") / ".E001-20230301.json.x1.tmp").write_text('{"half": "E001"')
    # generated reports and files nobody told careerconv about
    (reports / "E001").mkdir(parents=True)
    (reports / "E001" / "progress.html").write_text("<h1>Ana Silva</h1>")
    (reports / "E0010").mkdir()
    (reports / "E0010" / "progress.html").write_text("<h1>Bo Chen</h1>")
    (reports / "index.html").write_text("<li>E001 Ana Silva</li><li>E0010 Bo Chen</li>")
    (reports / "hr").mkdir()
    (reports / "hr" / "cohort.csv").write_bytes("\ufeffemployee_id,name\r\nE001,Ana Silva\r\nE002,Chidi\r\n"
                                                .encode("utf-8"))
    (reports / "batch.json").write_text(json.dumps({"E001": {"ok": True}, "E002": {"ok": True},
                                                    "done": ["E001", "E002"]}))
    (store.root / "notes.txt").write_text("Call Ana Silva about E001's plan.\nE0010 is fine.\n")
    (store.root / ".roster.csv.abc.tmp").write_text("E001,Ana Silva,C01")
    (store.root / "exports").mkdir()
    pd.DataFrame({"employee_id": ["E001", "E002"], "x": [1, 2]}).to_parquet(store.root / "exports" / "old.parquet")
    assert e0010["conversation_id"] == "E0010-20230501"
    return store, reports


def mentions_in(folder: Path) -> list[str]:
    """Files under ``folder`` that name Ana Silva, read as their users read them (not as raw bytes)."""
    return files_naming(ANA, folder)


def test_after_erase_no_file_mentions_the_person(org):
    store, reports = org
    assert mentions_in(store.root) and mentions_in(reports)  # the fixture really does mention her
    e0010_file = store.record_path("conversation", "E0010", "E0010-20230501")
    e0010_bytes = e0010_file.read_bytes()
    receipt = erase_employee(store, reports, "E001")
    assert mentions_in(store.root) == []
    assert mentions_in(reports) == []
    assert receipt.complete, str(receipt)
    # everyone else is intact and valid
    assert list(store.roster()["employee_id"]) == ["E0010", "E002"]
    assert e0010_file.read_bytes() == e0010_bytes
    assert (reports / "E0010" / "progress.html").exists()
    other = store.load_conversation("E002", "E002-20230401")
    assert other["coach_id"] == ERASED_COACH_ID
    assert [d["text"] for d in other["dreams"][:2]] == [f"Work with {REMOVED} on pricing", f"Be like {REMOVED} "
                                                                                          f"({REMOVED})."]
    assert other["action_items"][0]["owner"] == REMOVED
    assert other["follow_up"]["note"] == f"ask {REMOVED}"
    assert store.load_checkin("E002", "E002-ci-20230701")["note"] == f"{REMOVED} helped; E0010 too"
    assert store.validate() == []
    # derived tables and their manifest
    for table in schema.DERIVED_TABLES:
        assert "E001" not in set(store.read_table(table)["employee_id"]), table
    manifest = json.loads((store.derived_dir / "manifest.json").read_text())
    assert "E001" not in manifest["employees"] and "E0010" in manifest["employees"]
    assert len(store.read_table("conversations")) == 3
    # other files: rows removed, text replaced, generated pages listed for regeneration
    assert (reports / "hr" / "cohort.csv").read_bytes() == "\ufeffemployee_id,name\r\nE002,Chidi\r\n".encode()
    assert json.loads((reports / "batch.json").read_text()) == {"E002": {"ok": True}, "done": ["E002"]}
    assert (store.root / "notes.txt").read_text() == f"Call {REMOVED} about {REMOVED}'s plan.\nE0010 is fine.\n"
    assert pd.read_parquet(store.root / "exports" / "old.parquet")["employee_id"].tolist() == ["E002"]
    assert not (store.root / ".roster.csv.abc.tmp").exists()
    assert reports / "index.html" in receipt.regenerate
    assert store.root / "conversations" / "E002" / "E002-20230401.summary.html" in receipt.regenerate


def test_receipt_lists_every_change(org):
    store, reports = org
    text = str(erase_employee(store, reports, "E001"))
    for line in ("data/roster.csv", "removed their row (1 row(s))",
                 "data/conversations/E001/.E001-20230301.json.x1.tmp", "data/conversations/E001/",
                 "deleted (4 file(s))",  # 3 records, 1 summary
                 "data/checkins/E001/", "reports/E001/",
                 "data/conversations/E002/E002-20230401.json", "coach id set to 'erased'",
                 "data/checkins/E002/E002-ci-20230701.json", "replaced 1 mention(s)",
                 "reports/hr/cohort.csv", "removed rows (1 row(s))", "data/notes.txt",
                 "data/.roster.csv.abc.tmp", "deleted leftover temp file", "data/derived/",
                 "regenerate them:", "reports/index.html", "Of these, none mentions the employee."):
        assert line in text, f"{line!r} not in receipt:\n{text}"
    assert "E0010" not in text


def test_the_receipt_an_operator_reads_counts_other_peoples_files_without_naming_them(org):
    """An operator of the hub reads no one's records; the receipt named the check-in of E002 that had mentioned the
    erased person (found by a hostile test of the hub). Their own files are still named."""
    store, reports = org
    receipt = erase_employee(store, reports, "E001")
    full, shown = str(receipt), str(receipt.without_others())
    assert "data/checkins/E002/E002-ci-20230701.json" in full and "E002" not in shown
    assert "data/conversations/E001/" in shown and "data/roster.csv" in shown and "reports/E001/" in shown
    assert "changed or deleted 3 file(s) of other people that mentioned them" in shown  # 2 records, a summary
    assert "1 page(s) of other people (their conversation summaries or progress reports)" in shown
    assert "reports/hr/cohort.csv" in shown  # a table of the reports folder is no one's record
    assert "Of these, none mentions the employee." in shown and receipt.without_others().complete


def test_erase_is_not_fooled_by_longer_ids(tmp_path: Path):
    store = Store(tmp_path / "data")
    pd.DataFrame([("E001", "Ana Silva", "C1", "D", "", 6), ("E001-2", "Other Person", "C1", "D", "", 6)],
                 columns=["employee_id", "name", "coach_id", "department", "role", "cadence_months"]
                 ).to_csv(tmp_path / "r.csv", index=False)
    import_roster(store, tmp_path / "r.csv")
    conversation(store, "E001", dt.date(2023, 1, 2))
    kept = conversation(store, "E001-2", dt.date(2023, 1, 2), dreams=("I am E001-2, not E001",))
    receipt = erase_employee(store, tmp_path / "reports", "E001")
    assert store.load_conversation("E001-2", kept["conversation_id"])["dreams"][0]["text"] == \
        f"I am E001-2, not {REMOVED}"
    assert list(store.roster()["employee_id"]) == ["E001-2"]
    assert not store.employee_dir("conversation", "E001").exists()
    assert receipt.complete, str(receipt)


def test_mentions_matcher():
    m = Mentions("E001", "José  Ana Silva", "a@b.org", other_ids=["E001-2", "E0010"])
    assert m.search("talk to E001.") and m.search("JOSÉ Ana  SILVA") and m.search("A@B.ORG")
    # the name in other capitals than the roster's may be words: not a mention, but found as a possible one
    assert not m.search("josé ana SILVA") and m.possible("josé ana SILVA") == 1
    assert not m.search("E0010") and not m.search("XE001") and not m.search("E001_x") and not m.search("E001-2")
    assert m.search("E001-20240101")  # her own conversation id
    assert m.replace("E001 and E001-2 and José Ana\nSilva") == (f"{REMOVED} and E001-2 and {REMOVED}", 2)
    # written without spaces, names have no word boundary: 和王芳一起 is "with Wang Fang"
    assert Mentions("E9", "王芳").search("和王芳一起") and Mentions("E9", "김민수").search("김민수님께")
    assert Mentions("E9", "Zoë Ñúñez").search(unicodedata.normalize("NFD", "ZoË ÑÚÑEZ"))
    # the hash older versions named lock files by gives the id back to anyone who hashes candidates
    assert Mentions("E001").search("2f1c.lock " + hashlib.sha256(b"employee:E001").hexdigest()[:20])


def test_unknown_id_is_an_error_and_changes_nothing(org):
    store, reports = org
    before = snapshot(store.root, reports)
    with pytest.raises(NotFound, match="'E999' is not on the roster and nothing is held about them"):
        erase_employee(store, reports, "E999")
    with pytest.raises(ValueError, match="may only use"):
        erase_employee(store, reports, "../../etc/passwd")
    with pytest.raises(ValueError, match="employee id is empty"):
        erase_employee(store, reports, "")
    assert snapshot(store.root, reports) == before


def test_a_current_coach_cannot_be_erased(org, tmp_path: Path):
    store, reports = org
    pd.DataFrame([("E002", "Chidi Okafor", "E0010", "Sales", "AM", 6)],
                 columns=["employee_id", "name", "coach_id", "department", "role", "cadence_months"]
                 ).to_csv(tmp_path / "coach.csv", index=False)
    import_roster(store, tmp_path / "coach.csv")
    before = snapshot(store.root, reports)
    with pytest.raises(ValueError, match=r"E0010 is still the coach of 1 employee\(s\) on the roster \(E002\)"):
        erase_employee(store, reports, "E0010")
    assert snapshot(store.root, reports) == before


def test_records_without_roster_row_are_erased(tmp_path: Path):
    store = Store(tmp_path / "data")
    pd.DataFrame([("E7", "Gus", "C1", "D", "", 6), ("E8", "Hal", "C1", "D", "", 6)],
                 columns=["employee_id", "name", "coach_id", "department", "role", "cadence_months"]
                 ).to_csv(tmp_path / "r.csv", index=False)
    import_roster(store, tmp_path / "r.csv")
    conversation(store, "E8", dt.date(2023, 1, 2))
    store.remove_employees(["E8"])  # someone who left the roster
    plan = plan_erasure(store, tmp_path / "reports", "E8")
    assert (plan.on_roster, plan.conversations) == (False, 1)
    receipt = erase_employee(store, tmp_path / "reports", "E8")
    assert not store.employee_dir("conversation", "E8").exists()
    assert receipt.searched_for == ["the id", "the hash of the id older lock files were named by"]
    assert list(store.roster()["employee_id"]) == ["E7"]


def test_files_it_cannot_edit_are_reported(org):
    store, reports = org
    (store.root / "question_sets").mkdir()
    (store.root / "question_sets" / "ours.yaml").write_text("id: ours\n# written with Ana Silva\n")
    receipt = erase_employee(store, reports, "E001")
    assert not receipt.complete
    assert [r.path.name for r in receipt.leftovers] == ["ours.yaml"]
    assert "need a person to look at them" in str(receipt) and "edit it by hand" in str(receipt)


def test_erasing_someone_from_the_sample_organisation(sample_data: Path, tmp_path: Path):
    store = Store(sample_data)
    roster = store.roster()
    coaches = set(roster["coach_id"])
    with_records = set(store.employees_with_records())
    candidates = [r for r in roster.to_dict("records") if r["employee_id"] not in coaches
                  and r["employee_id"] in with_records]
    person = candidates[0]
    eid, name = person["employee_id"], person["name"]
    reports = tmp_path / "reports"
    (reports / eid).mkdir(parents=True)
    (reports / eid / "progress.html").write_text(f"<h1>{name}</h1>", encoding="utf-8")
    store.refresh()
    receipt = erase_employee(store, reports, eid)
    assert receipt.complete, str(receipt)
    assert files_naming(Person(eid, name), sample_data, reports) == []
    assert eid not in set(store.read_table("skill_ratings")["employee_id"])
    assert len(store.roster()) == len(roster) - 1
    assert store.validate() == []


def test_the_hr_report_runs_after_the_last_person_of_a_part_is_erased(sample_data: Path, tmp_path: Path):
    """Erasing the only person of a Parquet part leaves that part with no rows in every derived table; the
    HR report read it as a column without chunks and stopped on an IndexError (found by a hostile tester)."""
    import pyarrow.parquet as pq

    from careerconv import cli

    store = Store(sample_data)
    store.refresh()
    coaches = set(store.roster()["coach_id"])
    alone = None
    for path in store.part_paths("conversations"):
        ids = set(pq.read_table(path, columns=["employee_id"]).column(0).to_pylist())
        if len(ids) == 1 and not ids & coaches:
            alone = ids.pop()
            break
    assert alone, "the sample has no part holding one person (pick another org for this test)"
    assert erase_employee(store, tmp_path / "reports", alone).complete
    emptied = [p for p in store.part_paths("conversations") if pq.read_metadata(p).num_rows == 0]
    assert emptied  # the situation under test
    out = tmp_path / "hr.html"
    assert cli.main(["--data", str(sample_data), "hr-report", "--as-of", "2026-10-01", "-o", str(out)]) == 0
    assert out.stat().st_size > 0


def test_erasing_someone_leaves_a_colleague_with_the_same_name_alone(tmp_path: Path):
    """Two people called José Álvarez: erasing E046 removes E046's rows and report, and none of E047's - the
    name names neither of them, so it is not searched for, and the receipt says so (found by a hostile
    tester: E047's rows in an export and their progress report were deleted with E046's)."""
    store, reports = Store(tmp_path / "data"), tmp_path / "reports"
    pd.DataFrame([("E046", "José Álvarez", "C01", "Eng", "Dev", 6, "jose.a@example.org"),
                  ("E047", "José  ÁLVAREZ", "C01", "Eng", "Dev", 6, "jose.b@example.org"),
                  ("E048", "Ana Silva", "C01", "Eng", "Dev", 6, "")],
                 columns=["employee_id", "name", "coach_id", "department", "role", "cadence_months", "email"]
                 ).to_csv(tmp_path / "roster.csv", index=False)
    import_roster(store, tmp_path / "roster.csv")
    conversation(store, "E046", dt.date(2024, 3, 1))
    conversation(store, "E047", dt.date(2024, 3, 1))
    (store.root / "due.csv").write_text("employee_id,name\nE046,José Álvarez\nE047,José  ÁLVAREZ\nE048,Ana Silva\n",
                                        encoding="utf-8")
    for eid in ("E046", "E047"):
        (reports / eid).mkdir(parents=True)
        (reports / eid / "progress.html").write_text(f"<h1>José Álvarez</h1><p>{eid}</p>", encoding="utf-8")
    store.refresh()
    receipt = erase_employee(store, reports, "E046")
    assert (store.root / "due.csv").read_text(encoding="utf-8") \
        == "employee_id,name\nE047,José  ÁLVAREZ\nE048,Ana Silva\n"
    assert (reports / "E047" / "progress.html").exists() and not (reports / "E046").exists()
    assert set(store.roster()["employee_id"]) == {"E047", "E048"} and store.conversations("E047")
    assert "not their name (E047 on the roster has the same name" in str(receipt)
    assert receipt.complete, str(receipt)


def test_an_erase_killed_before_its_refresh_is_finished_by_the_next_one(org, monkeypatch):
    """Killed after the roster row and record files went but before the derived tables were rewritten: the
    derived tables still hold the person, so a second erase must not answer "nothing is held about them"
    (found by a hostile tester with SIGKILL) - it finishes the job and gives a receipt."""
    store, reports = org
    real_refresh = Store.refresh

    def killed(self, *args, **kwargs):
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(Store, "refresh", killed)
    with pytest.raises(KeyboardInterrupt):
        erase_employee(store, reports, "E001")
    monkeypatch.setattr(Store, "refresh", real_refresh)
    assert "E001" not in set(store.roster()["employee_id"]) and store.derived_holds("E001")
    receipt = erase_employee(store, reports, "E001")
    assert receipt.complete, str(receipt)
    assert not store.derived_holds("E001")
    assert "E001" not in set(store.read_table("skill_ratings")["employee_id"])
    again = erase_employee(store, reports, "E001")  # and now nothing is left: an erasure again finds nothing
    assert again.complete and str(again).startswith(f"E001 was erased from {store.root} on ")
    assert [line.action for line in again.lines] == ["derived tables brought up to date"], str(again)


def test_a_numbered_persons_id_is_not_cut_out_of_other_peoples_text(tmp_path: Path):
    # Erasing employee '5' of a roster numbered 1-7 (as BambooHR numbers people) rewrote the action item
    # "Read 5 books, 2 talks, ship v5 by 2025-05-05" of five other people to "Read [removed] books, ...": an id
    # without a letter cannot be told from a number in text. Their name is still cut out; the number is left,
    # and the record is listed for a person to look at.
    from orgs import conversation as org_conversation, roster

    store = Store(tmp_path / "data")
    store.save_roster(roster([(str(i), f"Person Number{chr(64 + i)}", "1" if i != 1 else "", "Eng", "Dev", 6)
                              for i in range(1, 5)] + [("5", "Fay Fifth", "1", "Eng", "Dev", 6)]))
    text = "Read 5 books with Fay Fifth, ship v5 by 2025-05-05"
    for i in range(2, 6):
        store.save_conversation(org_conversation(str(i), "2025-06-01", coach="1", skills=[("Python", 5, (6, 7, 8))],
                                                 items=[("a1", text, None)]))
    receipt = erase_employee(store, tmp_path / "reports", "5")
    kept = store.load_conversation("2", "2-20250601")["action_items"][0]["text"]
    assert kept == f"Read 5 books with {REMOVED}, ship v5 by 2025-05-05"
    assert not (store.root / "conversations" / "5").exists()
    assert any(line.path == store.record_path("conversation", "2", "2-20250601") for line in receipt.leftovers)
    assert Mentions("5").replace("5") == (REMOVED, 1)  # a whole text that is the id is still replaced
    assert Mentions("E5").replace("Read E5 books") == (f"Read {REMOVED} books", 1)


def _org_with(tmp_path: Path, data: Path, people: list[tuple[str, str]]) -> Store:
    store = Store(data)
    rows = [(eid, name, "C01", "Sales", "Rep", 12, "") for eid, name in [("C01", "Cleo Coach"), *people]]
    pd.DataFrame(rows, columns=["employee_id", "name", "coach_id", "department", "role", "cadence_months", "email"]
                 ).to_csv(tmp_path / "roster.csv", index=False)
    import_roster(store, tmp_path / "roster.csv")
    for eid, _ in people:
        conversation(store, eid, dt.date(2024, 3, 1))
    return store


def test_erasing_an_id_that_names_the_data_folder_leaves_the_data_folder(tmp_path: Path):
    """Found by a hostile test of the report batches: with the data folder at X/data and the reports in X,
    erasing employee 'data' deleted X/data whole (468 files: the roster, every record, the derived tables), as
    'their report folder' and as 'a folder named with the id'. Only what is theirs goes."""
    store = _org_with(tmp_path, tmp_path / "org" / "data", [("data", "Dana Ta"), ("E0002", "Eli Wu")])
    (store.root / "progress-2026-12-04.html").write_text("<h1>Dana Ta</h1>")  # `report data -o X` writes here
    # X itself is refused as the reports folder (found by a later hostile test: the folder holding the data folder
    # was cleaned whole as careerconv's own); nothing is erased then.
    with pytest.raises(ValueError, match="holds the data folder"):
        erase_employee(store, tmp_path / "org", "data")
    assert list(store.roster()["employee_id"]) == ["C01", "data", "E0002"]
    receipt = erase_employee(store, tmp_path / "org" / "reports", "data")
    assert list(store.roster()["employee_id"]) == ["C01", "E0002"]
    assert store.load_conversation("E0002", "E0002-20240301")["employee_id"] == "E0002"
    assert not (store.root / "conversations" / "data").exists()
    assert not (store.root / "progress-2026-12-04.html").exists()  # their report, by what it says
    assert not [line for line in receipt.lines if line.path.resolve() == store.root.resolve()
                and line.action.startswith("deleted")]


def test_a_folder_named_with_an_id_of_digits_is_not_deleted_whole(tmp_path: Path):
    """Erasing employee 2025 deleted the operator's own reports/2025/ archive (a year's board pack): an id
    without a letter cannot be told from a year in a path. Their report files go; the rest is listed for a
    person to look at, and the receipt says the erasure is not complete."""
    store = _org_with(tmp_path, tmp_path / "data", [("2025", "Nia Park"), ("E0002", "Eli Wu")])
    reports = tmp_path / "reports"
    (reports / "2025").mkdir(parents=True)
    (reports / "2025" / "progress-2026-12-04.html").write_text("<h1>Nia Park</h1>")
    (reports / "2025" / ".progress-2026-12-04.fingerprint").write_text("x")
    (reports / "2025" / "board-pack.txt").write_text("last year's board pack")
    (reports / "archive" / "2025").mkdir(parents=True)
    (reports / "archive" / "2025" / "q1.txt").write_text("revenue")
    receipt = erase_employee(store, reports, "2025")
    assert (reports / "2025" / "board-pack.txt").read_text() == "last year's board pack"
    assert (reports / "archive" / "2025" / "q1.txt").read_text() == "revenue"
    assert sorted(p.name for p in (reports / "2025").iterdir()) == ["board-pack.txt"]
    assert not receipt.complete
    assert {p.name for p in (line.path for line in receipt.leftovers)} == {"board-pack.txt", "q1.txt"}
