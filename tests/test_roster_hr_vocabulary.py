"""Roster exports of HiBob, Personio, Rippling and SAP SuccessFactors read as these systems mean them, which a hostile
test found misread or refused: their status values (Personio's "Auszeit", HiBob's "Hired", Rippling's "Accepted"),
HiBob's "Lifecycle status", Personio's "End of employment" and gender-neutral manager headers, and the two header
rows of a SuccessFactors user data file. Each file is written here as the system exports it (the repro files,
small)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from careerconv.cli import main
from careerconv.records.importers import import_roster
from careerconv.records.store import Store
from test_history_exports import csv_bytes, snapshot

IMPORT_DAY = dt.date(2026, 6, 1)


def roster(store: Store) -> dict[str, tuple[str, str, str]]:
    """Each employee as (name, coach id, leaving day as ISO text, "" for still here)."""
    return {r["employee_id"]: (r["name"], r["coach_id"],
                               "" if r["left_on"] is None or r["left_on"] != r["left_on"]
                               else r["left_on"].date().isoformat())
            for r in store.roster().to_dict("records")}


def imported(tmp_path: Path, name: str, rows: list[list[str]], today: dt.date = IMPORT_DAY):
    """A new data folder and the result of importing ``rows`` (a header and rows) as the CSV file ``name`` on
    ``today``."""
    store = Store(tmp_path / "data")
    path = tmp_path / name
    path.write_bytes(csv_bytes(rows, encoding="utf-8"))
    return store, import_roster(store, path, today=today)


# ------------------------------------------------------------------ 7. status values of real HR systems

@pytest.mark.parametrize("status, left", [
    ("Employed", ""), ("Terminated", "2026-06-01"),  # HiBob
    ("Garden leave", ""), ("Leave", ""), ("Parental leave", ""),  # HiBob: on leave, still employed
    ("Auszeit", ""), ("Inaktiv", "2026-06-01"),  # Personio in German: on leave, left
    ("Hired", ""), ("Accepted", ""), ("Onboarding", ""),  # HiBob, Rippling, Personio: not started yet
])
def test_each_status_of_hibob_personio_and_rippling_reads_as_its_documented_meaning(tmp_path: Path, status: str,
                                                                                   left: str):
    """Personio's Auszeit, HiBob's Hired and Rippling's Accepted refused the whole file (exit 1). Someone on leave
    is still in the team; someone hired who has not started yet is here from the import on (the file gives no start
    day: tests/test_roster_starters.py), as Onboarding and Pending already were."""
    store, _ = imported(tmp_path, "export.csv", [
        ["Employee ID", "Display name", "Department", "Job title", "Manager ID", "Status"],
        ["1", "Ana Lima", "Exec", "CEO", "", "Employed"],
        ["2", "Ben Ode", "Eng", "Dev", "1", status]])
    assert roster(store)["2"] == ("Ben Ode", "1", left)


def test_future_starters_are_here_and_the_summary_names_them(tmp_path: Path):
    """The repro of HiBob's "Hired" in a column named Status, and Rippling's "Accepted": read as here, and said."""
    store, result = imported(tmp_path, "rippling.csv", [
        ["Employee number", "Employee name", "Department", "Title", "Manager employee number", "Employment status"],
        ["1", "Mary Berg", "Exec", "CEO", "", "Active"],
        ["2", "Olga Rossi", "Eng", "Dev", "1", "Accepted"],
        ["3", "Cy Park", "Eng", "Dev", "1", "Hired"],
        ["4", "Di Roe", "Eng", "Dev", "1", "On leave"]])
    assert roster(store) == {"1": ("Mary Berg", "", ""), "2": ("Olga Rossi", "1", ""), "3": ("Cy Park", "1", ""),
                             "4": ("Di Roe", "1", "")}
    assert ("Note: 2 employee(s) have not started yet by their 'Employment status' (Accepted, Hired) and the file "
            "has no start-date column, so they are here from this import on, on their coach's team and in HR figures "
            "like everyone active (2, 3); to count them from their first day, export it beside them (a column such "
            "as 'Start date' or 'Hire Date')") in result.summary()


def test_a_status_still_refused_names_the_future_starters_and_leave_among_the_values_read(tmp_path: Path, capsys):
    store = Store(tmp_path / "data")
    path = tmp_path / "export.csv"
    path.write_bytes(csv_bytes([["Employee ID", "Name", "Department", "Role", "Manager ID", "Status"],
                                ["1", "Ana Lima", "Exec", "CEO", "", "Employed"],
                                ["2", "Ben Ode", "Eng", "Dev", "1", "Offer sent"]]))
    before = snapshot(store.root)
    assert main(["--data", str(store.root), "import", "roster", str(path)]) == 1
    assert snapshot(store.root) == before
    err = capsys.readouterr().err
    assert ("row 3, column 'Status', value 'Offer sent': is not an employment status careerconv knows; still here: "
            "Active, Aktiv, Actif, Activo, Actief, Employed, On leave, Auszeit, Garden leave, and a future starter "
            "(Hired, Accepted, Onboarding: here from their start date, else from the import on); left: Terminated"
            ) in err


# ------------------------------------------------------------------ 2. HiBob's Lifecycle status

def test_hibobs_lifecycle_status_says_who_has_left(tmp_path: Path):
    """HiBob's export names the employment status 'Lifecycle status': it was left out with a note, so a
    Terminated person stayed here."""
    store, result = imported(tmp_path, "hibob.csv", [
        ["Employee ID", "Display name", "Department", "Job title", "Manager ID", "Lifecycle status",
         "Termination date"],
        ["1", "Ana Lima", "Exec", "CEO", "", "Employed", ""],
        ["2", "Ben Ode", "Eng", "Dev", "1", "Terminated", ""],
        ["3", "Cy Park", "Eng", "Dev", "1", "Hired", ""],
        ["4", "Di Roe", "Eng", "Dev", "1", "Terminated", "15/03/2026"],
        ["5", "Ed Sol", "Eng", "Dev", "1", "Garden leave", "31/07/2026"]])
    assert roster(store) == {"1": ("Ana Lima", "", ""), "2": ("Ben Ode", "1", "2026-06-01"),
                             "3": ("Cy Park", "1", ""), "4": ("Di Roe", "1", "2026-03-15"),
                             "5": ("Ed Sol", "1", "2026-07-31")}
    summary = result.summary()
    assert "'Lifecycle status' as employment_status" in summary
    assert "ignored" not in summary


# ------------------------------------------------------------------ 6. Personio's end of employment and manager

PERSONIO_EN = [["ID", "First name", "Last name", "Email", "Status", "Position", "Department", "Supervisor ID",
                "Hire date", "End of employment", "Contract end date"],
               ["1", "Ana", "Lima", "a@x.example", "Active", "CEO", "Exec", "", "01/02/2020", "", ""],
               ["2", "Ben", "Ode", "b@x.example", "Leave", "Dev", "Eng", "1", "01/02/2020", "", ""],
               ["3", "Cy", "Park", "c@x.example", "Inactive", "Dev", "Eng", "1", "01/02/2020", "31/10/2026", ""],
               ["4", "Di", "Roe", "d@x.example", "Active", "Dev", "Eng", "1", "01/02/2020", "31/01/2027", ""]]


@pytest.mark.parametrize("header", ["End of employment", "Ende des Arbeitsverhältnisses"])
def test_personios_end_of_employment_is_the_leaving_day(tmp_path: Path, header: str):
    """Personio's 'End of employment' was not read: an Inactive person who left on 31 Oct was stored as left on the
    day of the import, and an Active one leaving on 31 Jan got no leaving day; one still to come keeps them here
    until then, as the roster's left_on does."""
    rows = [[header if cell == "End of employment" else cell for cell in PERSONIO_EN[0]], *PERSONIO_EN[1:]]
    store, result = imported(tmp_path, "personio.csv", rows, today=dt.date(2026, 12, 6))
    assert roster(store) == {"1": ("Ana Lima", "", ""), "2": ("Ben Ode", "1", ""), "3": ("Cy Park", "1", "2026-10-31"),
                             "4": ("Di Roe", "1", "2027-01-31")}
    summary = result.summary()
    assert f"read the leaving days from '{header}' (the day someone left) and 'Status'" in summary
    assert "1 employee(s) in the file have a leaving date still to come: they are here until then (4)" in summary


@pytest.mark.parametrize("header", ["Vorgesetzte:r", "Vorgesetzte*r", "Vorgesetzte/r", "Vorgesetzte_r"])
def test_a_gender_neutral_german_manager_column_of_ids_is_the_coach(tmp_path: Path, header: str):
    """Personio in German writes the manager's column gender-neutrally: it was an unknown column, and the file was
    refused for a missing coach_id."""
    store, _ = imported(tmp_path, "personio.csv", [
        ["ID", "Vorname", "Nachname", "Abteilung", "Position", header],
        ["1", "Mary", "Berg", "Executive", "CEO", ""],
        ["2", "Olga", "Rossi", "Engineering", "Dev", "1"]])
    assert roster(store) == {"1": ("Mary Berg", "", ""), "2": ("Olga Rossi", "1", "")}


# ------------------------------------------------------------------ 5. SAP SuccessFactors' user data file

SF_UDF = [["STATUS", "USERID", "USERNAME", "FIRSTNAME", "LASTNAME", "EMAIL", "MANAGER", "HR", "DEPARTMENT", "EMPID",
           "TITLE"],
          ["STATUS", "USERID", "Username", "First Name", "Last Name", "Email", "Manager", "Human Resource",
           "Department", "Employee Id", "Title"],
          ["active", "u1", "ann", "Ann", "Lee", "ann@x.example", "NO_MANAGER", "NO_HR", "Exec", "00000001", "CEO"],
          ["active", "u2", "bo", "Bo", "Kim", "bo@x.example", "u1", "NO_HR", "Eng", "00000002", "Dev"],
          ["inactive", "u3", "cy", "Cy", "Park", "cy@x.example", "u1", "NO_HR", "Eng", "00000003", "Dev"]]
SF_ROSTER = {"u1": ("Ann Lee", "", ""), "u2": ("Bo Kim", "u1", ""), "u3": ("Cy Park", "u1", "2026-06-01")}


def test_a_successfactors_user_data_file_is_read_by_its_system_keys(tmp_path: Path):
    """Its labels row (row 2) was taken for the header, so EMPID ('Employee Id') became the id, and the MANAGER
    column, which names USERIDs, was refused for its NO_MANAGER."""
    store, result = imported(tmp_path, "sf.csv", SF_UDF)
    assert roster(store) == SF_ROSTER
    summary = result.summary()
    assert ("row 2 holds the labels of the system keys in row 1, as a SAP SuccessFactors user data file has them: "
            "the keys of row 1 are read as the header (USERID as the employee id, the id MANAGER names), and row 2 "
            "is not read") in summary
    assert ("read 'NO_MANAGER' in 'MANAGER' as no coach, as SAP SuccessFactors marks someone without a manager "
            "(1 row(s))") in summary


def test_a_successfactors_user_data_workbook_is_read_by_its_system_keys(tmp_path: Path):
    store = Store(tmp_path / "data")
    book = openpyxl.Workbook()
    for row in SF_UDF:
        book.active.append(row)
    book.save(tmp_path / "sf.xlsx")
    import_roster(store, tmp_path / "sf.xlsx", today=IMPORT_DAY)
    assert roster(store) == SF_ROSTER


@pytest.mark.parametrize("header", ["coach_id", "Manager ID", "MANAGER"])
@pytest.mark.parametrize("mark", ["NO_MANAGER", "NO_MGR", "no_mgr"])
def test_no_manager_is_no_coach_and_never_a_coach_of_that_name(tmp_path: Path, header: str, mark: str):
    """After renaming the column coach_id, as the refusal advised, NO_MANAGER became an external coach of that
    name."""
    store, result = imported(tmp_path, "roster.csv", [
        ["Employee ID", "Name", header, "Department", "Title"],
        ["u1", "Ann Lee", mark, "Exec", "CEO"],
        ["u2", "Bo Kim", "u1", "Eng", "Dev"]])
    assert roster(store) == {"u1": ("Ann Lee", "", ""), "u2": ("Bo Kim", "u1", "")}
    assert "are not on the roster themselves" not in result.summary()
