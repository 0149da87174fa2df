"""Roster exports read as the HR system that wrote them means them, found misread by a hostile test of an HR
operator: Rippling's "End date" (the end of the worker's employment, not of a contract), a "Status" column of
approvals, a "?" standing alone in a new person's name, and a column of the manager's e-mail. Each file is written as
the system exports it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from careerconv.records.importers import FileRejected, import_roster
from careerconv.records.store import Store
from test_history_exports import csv_bytes

IMPORT_DAY = dt.date(2026, 12, 6)


def imported(tmp_path: Path, name: str, rows: list[list[str]], encoding: str = "utf-8-sig"):
    """A new data folder and the result of importing ``rows`` (a header and rows) as the CSV file ``name``."""
    store = Store(tmp_path / "data")
    path = tmp_path / name
    path.write_bytes(csv_bytes(rows, encoding=encoding))
    return store, import_roster(store, path, today=IMPORT_DAY)


def left_on(store: Store) -> dict[str, str]:
    """Each employee's leaving day as ISO text ("" for still here)."""
    return {r["employee_id"]: "" if r["left_on"] is None or r["left_on"] != r["left_on"]
            else r["left_on"].date().isoformat() for r in store.roster().to_dict("records")}


# ------------------------------------------------------------------ Rippling's End date

RIPPLING = ["Employee number", "Employee name", "Work email", "Department", "Title", "Manager employee number",
            "Employment status", "Employment type", "Start date", "End date"]


def test_ripplings_end_date_is_the_day_the_employment_ends(tmp_path: Path):
    """Rippling writes a worker's employment as Start date and End date (its Worker's startDate and endDate; a
    contract's end is its own 'Contract end date'). Its End date was read as a contract end: someone Active whose
    termination is scheduled for 31 Jan stayed with no leaving day."""
    store, result = imported(tmp_path, "rippling.csv", [
        RIPPLING,
        ["1", "Mary Berg", "mary@example.com", "Exec", "CEO", "", "Active", "Salaried, full-time", "03/15/2018", ""],
        ["2", "Olga Rossi", "olga@example.com", "Eng", "Dev", "1", "Active", "Salaried, full-time", "04/01/2021",
         "01/31/2027"],
        ["3", "Cy Park", "cy@example.com", "Eng", "Dev", "1", "Terminated", "Hourly, part-time", "02/01/2022",
         "11/13/2026"]])
    assert left_on(store) == {"1": "", "2": "2027-01-31", "3": "2026-11-13"}
    summary = result.summary()
    assert ("'End date' as left_on (beside 'Start date', the end of employment as Rippling writes it, not of a "
            "contract)") in summary
    assert "is the end of a contract" not in summary



def test_ripplings_end_date_beside_its_contract_end_date_is_still_the_leaving_day(tmp_path: Path):
    """Rippling's own layout has both End date and Contract end date: the first was left unread ("another name for
    contract_end") and Olga, whose employment ends on 31 Jan, stayed here for ever."""
    store, result = imported(tmp_path, "rippling.csv", [
        [*RIPPLING, "Contract end date"],
        ["1", "Mary Berg", "mary@example.com", "Exec", "CEO", "", "Active", "Salaried, full-time", "03/15/2018", "",
         ""],
        ["2", "Olga Rossi", "olga@example.com", "Eng", "Dev", "1", "Active", "Contractor", "04/01/2021",
         "01/31/2027", "12/31/2027"]])
    assert left_on(store) == {"1": "", "2": "2027-01-31"}
    summary = result.summary()
    assert ("'End date' as left_on (beside 'Start date', the end of employment as Rippling writes it, not of a "
            "contract)") in summary
    assert "'Contract end date' is the end of a contract, not a leaving day" in summary
    assert "did not read 'End date'" not in summary

def test_an_end_date_without_a_start_date_is_still_a_contracts_end(tmp_path: Path):
    """SAP's and Workday's 'End Date' alone (a record's validity, a fixed-term contract) stays what it was."""
    store, result = imported(tmp_path, "sap.csv", [
        ["Employee ID", "Name", "Department", "Job Title", "Manager ID", "Employee Status", "End Date"],
        ["1", "Mary Berg", "Exec", "CEO", "", "Active", "31.12.9999"],
        ["2", "Olga Rossi", "Eng", "Dev", "1", "Active", "31.01.2027"]])
    assert left_on(store) == {"1": "", "2": ""}
    assert "'End Date' is the end of a contract, not a leaving day" in result.summary()


# ------------------------------------------------------------------ a Status column of approvals

@pytest.mark.parametrize("statuses, left, said", [
    (("Accepted", "Rejected", "Pending"), ("", "", ""),
     "ignored the column 'Status': its values (Accepted, Pending, Rejected) are not employment statuses (Active, "
     "Terminated, On leave ...), so it is not read as whether people left"),
    (("Active", "Accepted", "Terminated"), ("", "", IMPORT_DAY.isoformat()),
     "1 employee(s) have not started yet by their 'Status' (Accepted)"),
])
def test_a_status_column_is_read_only_when_its_values_are_employment_statuses(tmp_path: Path, statuses, left, said):
    """A roster kept in Google Sheets whose 'Status' says whether a training request was approved: Accepted and
    Pending were read as hires not started yet, and Rejected refused the whole file. Beside Active or Terminated,
    Accepted is a hire not started yet."""
    store, result = imported(tmp_path, "team-sheet.csv", [
        ["Employee ID", "Name", "Manager ID", "Department", "Role", "Status"],
        *([eid, name, coach, department, role, status] for (eid, name, coach, department, role), status in zip(
            (("E1", "Mary Berg", "", "Exec", "CEO"), ("E2", "Olga Rossi", "E1", "Eng", "Dev"),
             ("E3", "Cy Park", "E1", "Eng", "Dev")), statuses))], encoding="utf-8")
    assert left_on(store) == dict(zip(("E1", "E2", "E3"), left))
    assert said in result.summary()


# ------------------------------------------------------------------ '?' standing alone: Excel's plain "CSV"

def _excel_csv(tmp_path: Path, name: str, rows: list[list[str]]) -> Path:
    """``rows`` as Excel's plain "CSV" saves them: Windows-1252, '?' for every character it lacks, CRLF."""
    path = tmp_path / name
    path.write_bytes(csv_bytes(rows, encoding="cp1252"))
    return path


HEADER = ["Employee ID", "Name", "Manager ID", "Department", "Job Title"]


def test_a_lone_question_mark_in_a_new_persons_name_is_refused(tmp_path: Path):
    """'Dana Cohen 🌟' saved as Excel's plain CSV reads 'Dana Cohen ?': a '?' beside no letter was accepted, and the
    name stored with it."""
    store = Store(tmp_path / "data")
    path = _excel_csv(tmp_path, "staff.csv", [HEADER, ["E1", "Mary Berg", "", "Exec", "CEO"],
                                              ["E2", "Dana Cohen ?", "E1", "Eng", "Dev"]])
    with pytest.raises(FileRejected) as refused:
        import_roster(store, path, today=IMPORT_DAY)
    problem = refused.value.problems[0]
    assert (problem.row, problem.column, problem.value) == (3, "Name", "Dana Cohen ?")
    assert problem.message.startswith("the name has '?' where letters were, and there is no name on the roster to "
                                      'keep instead: save the file from Excel as "CSV UTF-8')
    assert not (store.root / "roster.csv").exists()


def test_a_department_and_a_role_that_lost_letters_keep_the_rosters_or_are_refused(tmp_path: Path):
    store = Store(tmp_path / "data")
    first = tmp_path / "first.csv"
    first.write_bytes(csv_bytes([HEADER, ["E1", "Mary Berg", "", "Ürün Geliştirme", "Yönetici"]]))
    import_roster(store, first, today=IMPORT_DAY)
    path = _excel_csv(tmp_path, "staff.csv", [HEADER, ["E1", "Mary Berg", "", "Ürün Geli?tirme", "Yönetici"],
                                              ["E2", "Ali Kaya", "E1", "Ürün Geli?tirme", "Yaz?l?mc?"]])
    with pytest.raises(FileRejected) as refused:
        import_roster(store, path, today=IMPORT_DAY)
    problems = [(p.row, p.column, p.value, p.message.split(":")[0]) for p in refused.value.problems]
    assert problems == [(3, "Job Title", "Yaz?l?mc?", "the role has '?' where letters were, and no role on the "
                                                       "roster is written so, to keep instead")]
    path = _excel_csv(tmp_path, "staff.csv", [HEADER, ["E2", "Ali Kaya", "E1", "Ürün Geli?tirme", "Developer"]])
    result = import_roster(store, path, today=IMPORT_DAY)
    assert store.roster().set_index("employee_id").loc["E2", "department"] == "Ürün Geliştirme"
    assert ("1 department(s) in the file have '?' where letters were (row 2: 'Ürün Geli?tirme' for 'Ürün "
            "Geliştirme'): the roster's departments were kept") in result.summary()


# ------------------------------------------------------------------ the manager's e-mail

HIBOB = ["Employee ID", "Display name", "Email", "Department", "Job title", "Reports to", "Manager email"]


def test_a_manager_email_column_is_read_through_the_files_own_email_column(tmp_path: Path):
    """HiBob exports the manager as 'Reports to' (their name) and 'Manager email': the file was refused for having
    no manager id, though each manager's e-mail is in the file's own 'Email' column."""
    store, result = imported(tmp_path, "hibob.csv", [
        HIBOB,
        ["101", "Ana Lima", "ana.lima@example.com", "Exec", "CEO", "", ""],
        ["102", "Ben Ode", "ben.ode@example.com", "Eng", "Dev lead", "Ana Lima", "ana.lima@example.com"],
        ["103", "Cy Park", "cy.park@example.com", "Eng", "Dev", "Ben Ode", "Ben.Ode@Example.com"]])
    coaches = {r["employee_id"]: r["coach_id"] for r in store.roster().to_dict("records")}
    assert coaches == {"101": "", "102": "101", "103": "102"}
    assert "'Manager email' as coach_id (each manager found by their e-mail in 'Email')" in result.summary()


def test_a_manager_email_that_is_nobodys_is_refused_naming_the_row(tmp_path: Path):
    with pytest.raises(FileRejected) as refused:
        imported(tmp_path, "hibob.csv", [
            HIBOB,
            ["101", "Ana Lima", "ana.lima@example.com", "Exec", "CEO", "", ""],
            ["102", "Ben Ode", "ben.ode@example.com", "Eng", "Dev", "Ana Lima", "ana@example.com"]])
    problem = refused.value.problems[0]
    assert (problem.row, problem.column, problem.value) == (3, "Manager email", "ana@example.com")
    assert problem.message.startswith("is nobody's e-mail in 'Email' or on the roster; a manager's e-mail is read as "
                                      "the id of the one person who has it")
