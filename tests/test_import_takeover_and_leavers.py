"""What a hostile tester found in the imports' reading of ids written otherwise than the roster's and of leavers:
a new hire ``46`` "José Pérez" took over ``E0046`` "José Álvarez" (name, email and conversations) for the first name
they share; ``61`` or ``0061`` was added as someone new after ``E0061`` was erased; a history's conversations after
a leaving day were attached without a word; SAP's Ausgetreten beside the open end 31.12.9999 and a "Befristet bis"
next year was read as here until then; BambooHR's "Full-Time" in 'Employment Status' was read as a status that
contradicted 'Status: Inactive'. Each file is built as the HR system writes it (a BOM and CRLF, semicolons)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from careerconv.cli import main
from careerconv.records.erasure import erase_employee
from careerconv.records.importers import import_history, import_roster
from careerconv.records.store import Store
from test_history_exports import csv_bytes, snapshot, store_with_roster

IMPORT_DAY = dt.date(2026, 12, 6)
HEADER = ["employee_id", "name", "coach_id", "department", "role", "cadence_months", "email"]
ROSTER = [HEADER,
          ["E0004", "Zeynep Kaya", "", "People", "Chief People Officer", "12", "zeynep.kaya@example.org"],
          ["E0010", "Inès Laurent", "E0004", "Operations", "Procurement Specialist", "12",
           "ines.laurent@example.org"],
          ["E0044", "Tomás Álvarez", "E0004", "Sales", "Sales Development Representative", "6",
           "tomas.alvarez@example.org"],
          ["E0046", "José Álvarez", "E0004", "People", "Recruiter", "6", "jose.alvarez@example.org"],
          ["E0050", "José Vargas", "E0004", "Engineering", "Software Engineer", "12", "jose.vargas@example.org"]]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = store_with_roster(tmp_path, ROSTER)
    history = tmp_path / "history.csv"
    history.write_bytes(csv_bytes([["employee_id", "date", "skill", "rating"],
                                   ["E0046", "2025-03-01", "Interviewing", "6"],
                                   ["E0046", "2025-09-01", "Interviewing", "7"]]))
    assert import_history(store, history).added == 2
    return store


def names(store: Store) -> dict[str, str]:
    return dict(zip(store.roster()["employee_id"], store.roster()["name"]))


def refused(store: Store, capsys, *command: str) -> str:
    """What ``careerconv import …`` says on stderr when it refuses the file, having changed nothing."""
    before = snapshot(store.root)
    assert main(["--data", str(store.root), "import", *command]) == 1
    assert snapshot(store.root) == before
    return capsys.readouterr().err


@pytest.fixture
def erased(store: Store, tmp_path: Path) -> Store:
    """The store after E0061 Will May was added and erased."""
    first = tmp_path / "hire.csv"
    first.write_bytes(csv_bytes([HEADER, ["E0061", "Will May", "E0004", "People", "Recruiter", "12", ""]]))
    import_roster(store, first)
    assert erase_employee(store, tmp_path / "reports", "E0061").complete
    return store


# ------------------------------------------------------------------ 1. a new hire's id without its prefix


@pytest.mark.parametrize("options", [[], ["--missing-have-left"], ["--dry-run"]])
def test_a_new_hire_whose_id_is_a_roster_id_without_its_prefix_does_not_take_over_who_shares_a_first_name(
        store: Store, tmp_path: Path, capsys, options: list[str]):
    """José Pérez, hired with the id 46 (an HR system that shows the number alone), was read as E0046 José Álvarez
    in an export that no longer lists José Álvarez: "updated 1", his name and email replaced, his two conversations
    now José Pérez's."""
    path = tmp_path / "staff.csv"
    path.write_bytes(csv_bytes([HEADER, *[row for row in ROSTER[1:] if row[0] != "E0046"],
                                ["46", "José Pérez", "E0004", "People", "Recruiter", "6", "jose.perez@example.org"]]))
    err = refused(store, capsys, "roster", str(path), *options)
    assert ("row 6, column 'employee_id', value '46': reads as 'E0046' once the roster's prefix is put in front, "
            "but E0046 on the roster is 'José Álvarez', not 'José Pérez'") in err
    assert "if this is E0046, write the id with its prefix; if it is someone else, give them an id of their own" in err
    assert names(store)["E0046"] == "José Álvarez" and len(store.conversations("E0046")) == 2


@pytest.mark.parametrize("written", ["Álvarez José", "JOSE ALVAREZ", "josé  álvarez"])
def test_an_id_without_its_prefix_is_still_read_as_the_roster_id_beside_the_same_persons_name(
        store: Store, tmp_path: Path, written: str):
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes([HEADER, ["46", written, "E0004", "People", "Senior Recruiter", "6",
                                         "jose.alvarez@example.org"]]))
    result = import_roster(store, path, today=IMPORT_DAY)
    assert (result.added, result.updated) == (0, 1)
    assert set(names(store)) == {"E0004", "E0010", "E0044", "E0046", "E0050"}
    assert store.roster().set_index("employee_id").loc["E0046", "role"] == "Senior Recruiter"


def test_a_rename_under_the_roster_id_as_the_roster_writes_it_still_updates(store: Store, tmp_path: Path):
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes([HEADER, ["E0046", "José Álvarez-Pérez", "E0004", "People", "Recruiter", "6",
                                         "jose.alvarez@example.org"]]))
    assert import_roster(store, path, today=IMPORT_DAY).updated == 1
    assert names(store)["E0046"] == "José Álvarez-Pérez" and len(store.conversations("E0046")) == 2


# ------------------------------------------------------------------ 2. an erased id written otherwise


@pytest.mark.parametrize("written", ["61", "0061"])
def test_an_erased_id_written_without_its_prefix_or_zeros_is_refused_as_erased(erased: Store, tmp_path: Path,
                                                                               capsys, written: str):
    """After E0061 was erased, a roster row '61,Will May' or '0061,Will May' was "added 1" silently."""
    path = tmp_path / "again.csv"
    path.write_bytes(csv_bytes([HEADER, [written, "Will May", "E0004", "People", "Recruiter", "12", ""]]))
    today = dt.date.today().isoformat()
    assert (f"value '{written}': employee E0061 (written '{written}') was erased on {today} (careerconv erase); to "
            "add them again on purpose, import the file again with --allow-erased") in \
        refused(erased, capsys, "roster", str(path))
    assert main(["--data", str(erased.root), "import", "roster", str(path), "--allow-erased"]) == 0
    assert names(erased)["E0061"] == "Will May" and erased.erased_ids().erased_on("E0061") is None


def test_a_historys_coach_id_that_is_an_erased_id_without_its_prefix_is_refused_as_erased(erased: Store,
                                                                                           tmp_path: Path, capsys):
    path = tmp_path / "ratings.csv"
    path.write_bytes(csv_bytes([["Employee ID", "Date", "Skill", "Rating", "Manager ID"],
                                ["E0010", "2026-03-01", "Budgeting", "6", "61"]]))
    assert "value '61': coach E0061 (written '61') was erased on" in refused(erased, capsys, "history", str(path))


# ------------------------------------------------------------------ 3. a history after a leaving day


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_historys_conversation_after_the_employees_leaving_day_is_pointed_out(store: Store, tmp_path: Path,
                                                                                dry_run: bool):
    """'10,2026-09-01' for E0010, who left on 2026-06-01, was attached without a word."""
    leaver = tmp_path / "leaver.csv"
    leaver.write_bytes(csv_bytes([[*HEADER, "left_on"], [*ROSTER[2], "2026-06-01"]]))
    import_roster(store, leaver, today=IMPORT_DAY)
    path = tmp_path / "bewertungen.csv"
    path.write_bytes(csv_bytes([["Personalnummer", "Name", "Datum", "Kompetenz", "Bewertung"],
                                ["10", "Inès Laurent", "01.09.2026", "Projektmanagement", "6"],
                                ["10", "Inès Laurent", "01.03.2026", "Projektmanagement", "5"],
                                ["e0046", "", "10.01.2026", "Interviewing", "7"]], "utf-8-sig", ";"))
    result = import_history(store, path, dry_run=dry_run)
    assert ("1 employee(s) have a conversation on or after the leaving day on the roster; check those days (E0010: "
            "left on 2026-06-01, a conversation on 2026-09-01)") in result.summary()
    assert result.added == 3


# ------------------------------------------------------------------ 4. SAP: Ausgetreten beside an open end


def test_an_sap_leaver_with_the_open_end_and_a_contract_end_to_come_left_without_a_date(store: Store,
                                                                                         tmp_path: Path):
    """Ausgetreten with Austrittsdatum 31.12.9999 (SAP's "no end") and 'Befristet bis' 31.12.2026 read as "a leaving
    date still to come: here until then" although the status says they left."""
    path = tmp_path / "sap.csv"
    path.write_bytes(csv_bytes([["Personalnummer", "Name", "Vorgesetzter", "Abteilung", "Stelle", "Befristet bis",
                                 "Austrittsdatum", "Mitarbeiterstatus"],
                                ["E0044", "Tomás Álvarez", "E0004", "Sales", "Sales Development Representative",
                                 "31.12.2026", "31.12.9999", "Ausgetreten"],
                                ["E0050", "José Vargas", "E0004", "Engineering", "Software Engineer", "30.06.2026",
                                 "31.12.9999", "Ausgetreten"]], "utf-8-sig", ";"))
    result = import_roster(store, path, today=IMPORT_DAY)
    left = dict(zip(store.roster()["employee_id"], store.roster()["left_on"]))
    assert (left["E0044"].date(), left["E0050"].date()) == (dt.date(2026, 12, 6), dt.date(2026, 6, 30))
    text = result.summary()
    assert "still to come" not in text
    assert ("1 employee(s) left by their employment status without a leaving date: left on 2026-12-06, the day of "
            "this import (E0044)") in text


# ------------------------------------------------------------------ 5. BambooHR: a kind of contract is no status


def test_a_bamboohr_employment_status_of_full_time_is_no_status_beside_status_inactive(store: Store,
                                                                                       tmp_path: Path):
    """Status 'Inactive' beside 'Employment Status: Full-Time' and a Termination Date was refused as a contradiction:
    Full-Time is a kind of contract, not a statement of being here."""
    path = tmp_path / "bamboohr.csv"
    path.write_bytes(csv_bytes([["Employee #", "First Name", "Last Name", "Status", "Employment Status",
                                 "Termination Date", "Contract End Date", "Supervisor ID", "Department", "Job Title"],
                                ["E0044", "Tomás", "Álvarez", "Inactive", "Full-Time", "2026-05-01", "", "E0004",
                                 "Sales", "Sales Development Representative"],
                                ["E0046", "José", "Álvarez", "Active", "Part-Time", "", "", "E0004", "People",
                                 "Recruiter"],
                                ["E0050", "José", "Vargas", "Inactive", "Contractor", "", "2026-02-28", "E0004",
                                 "Engineering", "Software Engineer"]]))
    result = import_roster(store, path, today=IMPORT_DAY)
    left = {eid: day.date().isoformat() if day == day else ""
            for eid, day in zip(store.roster()["employee_id"], store.roster()["left_on"])}
    assert (left["E0044"], left["E0046"], left["E0050"]) == ("2026-05-01", "", "2026-02-28")
    assert ("'Status' is read where 'Employment Status' is empty or holds a kind of contract (Full-Time, Part-Time "
            "...)") in result.summary()


def test_oracles_end_of_time_is_no_leaving_day_either(store: Store, tmp_path: Path):
    """Oracle HRMS writes an open end as 31-DEC-4712, as SAP writes 31.12.9999: it was refused as a typo in the
    year, and beside a status of having left it is no day they left on."""
    path = tmp_path / "oracle.csv"
    path.write_bytes(csv_bytes([["Employee ID", "Full Name", "Manager ID", "Department", "Job", "Employee Status",
                                 "Termination Date"],
                                ["E0044", "Tomás Álvarez", "E0004", "Sales", "Sales Development Representative",
                                 "Active", "31-DEC-4712"],
                                ["E0050", "José Vargas", "E0004", "Engineering", "Software Engineer", "Inactive",
                                 "31-DEC-4712"]]))
    import_roster(store, path, today=IMPORT_DAY)
    left = {eid: day.date().isoformat() if day == day else ""
            for eid, day in zip(store.roster()["employee_id"], store.roster()["left_on"])}
    assert (left["E0044"], left["E0050"]) == ("", "2026-12-06")
