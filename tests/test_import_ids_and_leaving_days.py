"""What a hostile tester found in imports of files as HR systems export them: coach ids stored as the file wrote
them (``e0010`` where the roster has ``E0010``, ``0003`` where it has ``E0003``: a coach unknown to the app and the
HR page), check-ins after a leaving day not pointed out (conversations were), a contract's ``End Date`` read as a
leaving day, and which column the leaving day came from not said. Each file is built as the HR system writes it
(a BOM, semicolons, an .xlsx written by openpyxl), and every refusal leaves the data folder byte for byte as it
was."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from careerconv.cli import main
from careerconv.records.importers import import_history, import_roster
from careerconv.records.store import Store
from test_history_exports import csv_bytes, snapshot, store_with_roster

IMPORT_DAY = dt.date(2026, 6, 1)
ROSTER = [["employee_id", "name", "coach_id", "department", "role"],
          ["E0003", "Anna Schmidt", "", "Vertrieb", "Leiterin"],
          ["E0010", "Jürgen Müller", "E0003", "Vertrieb", "Teamleiter"],
          ["E0011", "Chloé Martin", "E0010", "Vertrieb", "Verkäuferin"],
          ["E0012", "Ravi Patel", "E0010", "Vertrieb", "Verkäufer"]]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return store_with_roster(tmp_path, ROSTER)


def coaches(store: Store, eid: str) -> list[str]:
    """The coach of each of ``eid``'s conversations, oldest first."""
    return [c["coach_id"] for c in store.conversations(eid)]


def left_on(store: Store) -> dict[str, str]:
    """Each employee's leaving day as ISO text ("" for still here)."""
    return {r["employee_id"]: "" if r["left_on"] is None or r["left_on"] != r["left_on"]
            else r["left_on"].date().isoformat() for r in store.roster().to_dict("records")}


# ------------------------------------------------------------------ 1. ids written otherwise than the roster's


def test_a_historys_coach_ids_in_another_case_or_without_their_prefix_are_stored_as_the_roster_writes_them(
        store: Store, tmp_path: Path):
    """An SAP SuccessFactors export in German (semicolons, a BOM) wrote the manager as e0010 and 0003: stored so,
    the coach was no one the app or the HR page knew."""
    path = tmp_path / "bewertungen.csv"
    path.write_bytes(csv_bytes([["Personalnummer", "Datum", "Kompetenz", "Bewertung", "Manager ID"],
                                ["E0011", "14.03.2024", "Verhandlung", "6", "e0010"],
                                ["E0012", "15.03.2024", "Verhandlung", "5", "e0010"],
                                ["E0010", "20.03.2024", "Führung", "7", "0003"]], "utf-8-sig", ";"))
    result = import_history(store, path)
    assert (coaches(store, "E0011"), coaches(store, "E0012"), coaches(store, "E0010")) == \
        (["E0010"], ["E0010"], ["E0003"])
    assert ("'Manager ID': read 2 value(s) as the one employee id each matches but for case, leading zeros (Excel "
            "stores ids of digits as numbers) or a prefix, and stored that id as the roster writes it "
            "(case: e0010 as E0010; prefix: 0003 as E0003)") in result.summary()
    assert "not on the roster themselves" not in result.summary()
    assert import_history(store, path).unchanged == 3


def test_a_historys_employee_ids_follow_the_same_rule_as_its_coach_ids(store: Store, tmp_path: Path):
    """A workbook whose Employee ID column Excel stored as numbers without the prefix (11 for E0011) and in
    another case (e0012): the rows were refused as people not on the roster, while the same values as coach ids
    were stored as written. (A number alone is the roster's id beside the person's name, and a coach's when it is
    their coach on the roster: tests/test_import_id_checks.py.)"""
    book = openpyxl.Workbook()
    book.active.append(["Employee ID", "Employee Name", "Review Date", "Competency", "Score", "Manager ID"])
    book.active.append([11, "Chloé Martin", dt.datetime(2024, 3, 14), "Negotiation", 6, 10])
    book.active.append(["e0012", None, dt.datetime(2024, 3, 15), "Negotiation", 5, "E0010"])
    book.save(tmp_path / "reviews.xlsx")
    result = import_history(store, tmp_path / "reviews.xlsx")
    assert (coaches(store, "E0011"), coaches(store, "E0012")) == (["E0010"], ["E0010"])
    assert [c["conversation_id"] for c in store.conversations("E0011")] == ["E0011-h20240314"]
    text = result.summary()
    assert "'Employee ID': read 2 value(s)" in text and "(prefix: 11 as E0011; case: e0012 as E0012)" in text
    assert "'Manager ID': read 1 value(s)" in text and "(prefix: 10 as E0010)" in text


def test_a_coach_id_that_could_be_two_roster_ids_is_refused_naming_them(tmp_path: Path, capsys):
    """0003 beside E0003 and C0003 on the roster: which one is meant is not guessed (it was stored as 0003)."""
    store = store_with_roster(tmp_path, [*ROSTER, ["C0003", "Ola Nordmann", "", "Coaching", "Coach"]])
    path = tmp_path / "history.csv"
    path.write_bytes(csv_bytes([["Employee ID", "Rating date", "Competency", "Score", "Manager ID"],
                                ["E0011", "2024-03-14", "Negotiation", "6", "0003"]]))
    before = snapshot(store.root)
    assert main(["--data", str(store.root), "import", "history", str(path)]) == 1
    assert snapshot(store.root) == before
    err = capsys.readouterr().err
    assert ("row 2, column 'Manager ID', value '0003': could be any of C0003, E0003, which it matches but for case, "
            "leading zeros or a prefix: which one is meant is not guessed; write the id as the roster does") in err


def test_a_rosters_manager_ids_written_otherwise_are_stored_as_the_roster_writes_them(store: Store, tmp_path: Path):
    """A Workday export (CSV UTF-8 with a BOM) named the managers e0010 and 0003: the roster stored them so, and the
    team of E0010 in the app lost Chloé and a new hire. (A number without the prefix is read so beside the
    manager's name, here Workday's 'Manager': tests/test_roster_coach_ids.py.)"""
    path = tmp_path / "workday.csv"
    path.write_bytes(csv_bytes([["Employee ID", "Legal Name", "Manager ID", "Manager", "Supervisory Organization",
                                 "Business Title"],
                                ["E0003", "Anna Schmidt", "", "", "Vertrieb", "Leiterin"],
                                ["E0010", "Jürgen Müller", "0003", "Anna Schmidt", "Vertrieb", "Teamleiter"],
                                ["E0011", "Chloé Martin", "e0010", "Jürgen Müller", "Vertrieb", "Verkäuferin"],
                                ["E0020", "Noah Berg", "e0020x", "", "Vertrieb", "Verkäufer"],
                                ["E0021", "Mia Wolf", "e0020", "", "Vertrieb", "Verkäuferin"]]))
    result = import_roster(store, path)
    coach_of = dict(zip(store.roster()["employee_id"], store.roster()["coach_id"]))
    assert (coach_of["E0010"], coach_of["E0011"], coach_of["E0021"], coach_of["E0020"]) == \
        ("E0003", "E0010", "E0020", "e0020x")
    text = result.summary()
    assert "(prefix: 0003 as E0003; case: e0010 as E0010, e0020 as E0020)" in text
    assert "1 coach(es) are not on the roster themselves (e0020x)" in text
    assert import_roster(store, path).unchanged == 5


def test_a_rosters_line_manager_column_of_ids_in_another_case_is_read_as_the_coach(store: Store, tmp_path: Path):
    """A BambooHR export's 'Reports To' held e0010: not an employee id as written, so the whole file was refused
    as a column of names."""
    path = tmp_path / "bamboohr.csv"
    path.write_bytes(csv_bytes([["Employee #", "First Name", "Last Name", "Reports To", "Department", "Job Title"],
                                ["E0011", "Chloé", "Martin", "e0010", "Vertrieb", "Verkäuferin"]]))
    import_roster(store, path)
    assert dict(zip(store.roster()["employee_id"], store.roster()["coach_id"]))["E0011"] == "E0010"


# ------------------------------------------------------------------ 2. check-ins after the leaving day


def test_a_check_in_after_the_leaving_day_is_pointed_out_as_a_conversation_is(small_org: Path, tmp_path: Path,
                                                                              capsys):
    """Ada's conversation is of 2 Mar 2026 and her check-in of 15 Apr 2026: a leaving day of 1 Apr 2026 passed
    without a word in the summary and the dry run (one of 1 Jan was pointed out, for the conversation)."""
    path = tmp_path / "leaver.csv"
    path.write_bytes(csv_bytes([["Employee ID", "Name", "Manager ID", "Department", "Job Title", "Termination Date"],
                                ["E001", "Ada Lovelace", "C01", "Engineering", "Engineer", "01.04.2026"]],
                               "utf-8-sig", ";"))
    said = ("1 employee(s) have a check-in on or after the leaving day in the file; check those days (E001: left "
            "on 2026-04-01, a check-in on 2026-04-15)")
    assert main(["--data", str(small_org), "import", "roster", str(path), "--dry-run"]) == 0
    assert said in capsys.readouterr().out
    assert main(["--data", str(small_org), "import", "roster", str(path)]) == 0
    out = capsys.readouterr().out
    assert said in out and "Note: " + said in out.splitlines()


# ------------------------------------------------------------------ 3. a contract's end is not a leaving day


def test_a_contract_end_date_is_not_a_leaving_day_and_the_summary_says_so(store: Store, tmp_path: Path):
    """A BambooHR export's 'Contract End Date' (a fixed-term contract, one still to come, one renewed since) made
    E0011 and E0012 leavers."""
    path = tmp_path / "bamboohr.csv"
    path.write_bytes(csv_bytes([["Employee #", "First Name", "Last Name", "Reports To", "Department", "Job Title",
                                 "Contract End Date"],
                                ["E0011", "Chloé", "Martin", "E0010", "Vertrieb", "Verkäuferin", "2026-09-30"],
                                ["E0012", "Ravi", "Patel", "E0010", "Vertrieb", "Verkäufer", "2026-03-31"]]))
    result = import_roster(store, path, today=IMPORT_DAY)
    assert left_on(store) == {"E0003": "", "E0010": "", "E0011": "", "E0012": ""}
    text = result.summary()
    assert ("'Contract End Date' is the end of a contract, not a leaving day (contracts are renewed and people "
            "stay), and is not read as one") in text
    assert ("1 employee(s) have a 'Contract End Date' that has passed and nothing in the file says they left: they "
            "are here (E0012)") in text


def test_an_sap_end_date_is_a_leaving_day_only_where_the_status_says_the_person_left(store: Store, tmp_path: Path):
    """An SAP export as a workbook: 'End Date' holds the open end 31.12.9999, a fixed-term contract's end, or the
    end of the employment of someone withdrawn; only the last is a leaving day, and the summary says which
    column each leaving day came from."""
    book = openpyxl.Workbook()
    book.active.append(["Personalnummer", "Vorname", "Nachname", "Vorgesetzte(r)", "Abteilung", "Stelle",
                        "Mitarbeiterstatus", "End Date"])
    book.active.append(["E0003", "Anna", "Schmidt", None, "Vertrieb", "Leiterin", "Aktiv", "31.12.9999"])
    book.active.append(["E0010", "Jürgen", "Müller", "E0003", "Vertrieb", "Teamleiter", "Aktiv",
                        dt.datetime(2026, 3, 31)])
    book.active.append(["E0011", "Chloé", "Martin", "E0010", "Vertrieb", "Verkäuferin", "Ausgetreten",
                        dt.datetime(2026, 4, 30)])
    book.active.append(["E0012", "Ravi", "Patel", "E0010", "Vertrieb", "Verkäufer", "Aktiv",
                        dt.datetime(2027, 1, 31)])
    book.save(tmp_path / "sap.xlsx")
    result = import_roster(store, tmp_path / "sap.xlsx", today=IMPORT_DAY)
    assert left_on(store) == {"E0003": "", "E0010": "", "E0011": "2026-04-30", "E0012": ""}
    text = result.summary()
    assert "read the leaving days from 'Mitarbeiterstatus' (whether someone left)" in text
    assert ("'End Date' is the end of a contract, not a leaving day (contracts are renewed and people stay): it is "
            "read as the leaving day only of someone whose 'Mitarbeiterstatus' says they left, who has no leaving "
            "day in the file and whose contract has ended: 1 employee(s) (E0011)") in text
    assert "still to come" not in text  # E0012's contract end is no leaving day to come


def test_a_termination_date_is_still_the_leaving_day_and_the_summary_names_its_column(store: Store, tmp_path: Path):
    path = tmp_path / "workday.csv"
    path.write_bytes(csv_bytes([["Employee ID", "Legal Name", "Manager ID", "Supervisory Organization",
                                 "Business Title", "Worker Status", "Termination Date", "Contract End Date"],
                                ["E0011", "Chloé Martin", "E0010", "Vertrieb", "Verkäuferin", "Terminated",
                                 "2026-04-15", "2026-12-31"],
                                ["E0012", "Ravi Patel", "E0010", "Vertrieb", "Verkäufer", "Active", "",
                                 "2026-05-31"]]))
    result = import_roster(store, path, today=IMPORT_DAY)
    assert left_on(store)["E0011"] == "2026-04-15" and left_on(store)["E0012"] == ""
    assert ("read the leaving days from 'Termination Date' (the day someone left) and 'Worker Status' (whether "
            "someone left)") in result.summary()


# ------------------------------------------------------------------ 4. statuses of leavers eligible for rehire


@pytest.mark.parametrize("status", ["Terminated - eligible for rehire", "Terminated - Not Eligible for Rehire",
                                    "Terminated (Eligible for Rehire)"])
def test_terminated_and_eligible_for_rehire_has_left(store: Store, tmp_path: Path, status: str):
    """Workday's and BambooHR's 'Terminated - eligible for rehire' says the person left (the word 'rehire' is a
    status of being here on its own)."""
    path = tmp_path / "workday.csv"
    path.write_bytes(csv_bytes([["Employee ID", "Legal Name", "Manager ID", "Supervisory Organization",
                                 "Business Title", "Employment Status", "Termination Date"],
                                ["E0012", "Ravi Patel", "E0010", "Vertrieb", "Verkäufer", status, "2026-04-15"]]))
    import_roster(store, path, today=IMPORT_DAY)
    assert left_on(store)["E0012"] == "2026-04-15"
