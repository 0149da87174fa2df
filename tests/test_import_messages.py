"""What a refused HR export says: one problem per thing to fix, the real problem first, in the words of the file.

Found by importing real exports: a manager column of names gave one problem and then the same "coach id may
only use letters ..." for each of its 299 rows; a column of the manager's e-mail addresses was said to name the
manager; a file without a coach column listed the columns careerconv ignores first, as problems.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from careerconv.records.importers import FileRejected, import_roster
from careerconv.records.store import Store

MANAGERS = ["Mary Van der Berg", "Olga Rossi", "Ben Okafor"]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "data")


def refusal(store: Store, path: Path) -> FileRejected:
    with pytest.raises(FileRejected) as exc:
        import_roster(store, path)
    assert not store.roster_path.exists()
    return exc.value


def roster_with_manager_column(path: Path, header: str, managers: list[str], people: int = 40) -> Path:
    """A BambooHR-like roster whose manager column holds ``managers`` in turn (the head of it has none)."""
    lines = [f"Employee ID,First Name,Last Name,Department,Job Title,{header}", "1,Mary,Van der Berg,Board,CEO,"]
    lines += [f"{n},Person,Number{n},Sales,Rep,{managers[n % len(managers)]}" for n in range(2, people + 1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_manager_column_of_names_is_one_problem_with_examples_and_a_count(store: Store, tmp_path: Path):
    exc = refusal(store, roster_with_manager_column(tmp_path / "bamboo.csv", "Reports To", MANAGERS))
    assert [p.message for p in exc.problems] == [
        "column 'Reports To' names the manager (39 rows, such as 'Ben Okafor' on row 3, 'Mary Van der Berg' on row "
        "4 and 'Olga Rossi' on row 5), but careerconv needs the manager's employee id: add a column such as "
        "'Manager ID' or 'Supervisor EID' to the HR report (or name it coach_id)"]
    assert "coach id may only use" not in str(exc)


def test_a_manager_column_of_email_addresses_says_it_holds_email_addresses(store: Store, tmp_path: Path):
    emails = ["mary@acme.example", "olga@acme.example"]
    exc = refusal(store, roster_with_manager_column(tmp_path / "export.csv", "Manager", emails))
    assert [p.message for p in exc.problems] == [
        "column 'Manager' holds the manager's e-mail address (39 rows, such as 'mary@acme.example' on row 3 and "
        "'olga@acme.example' on row 4), but careerconv needs the manager's employee id: add a column such as "
        "'Manager ID' or 'Supervisor EID' to the HR report (or name it coach_id), or the people's own e-mail column "
        "(such as 'Work Email'), through which each manager's e-mail is read as their id"]


def test_a_missing_coach_column_comes_first_and_the_columns_not_read_are_a_note(store: Store, tmp_path: Path):
    """A HiBob export with the manager's e-mail but not their id: the columns careerconv ignores (as the
    refusal's note says) are not problems, and the e-mail column is named in the problem that says what to add."""
    path = tmp_path / "hibob.csv"
    path.write_text("Employee ID,Display name,Department,Job title,Manager email,Eintrittsdatum,Site\n"
                    "1,Mary Van der Berg,Board,CEO,,13.04.2019,London\n"
                    "2,Olga Rossi,Sales,Rep,mary@acme.example,02.06.2017,London\n", encoding="utf-8")
    exc = refusal(store, path)
    messages = [p.message for p in exc.problems]
    assert messages[0].startswith("required column 'coach_id' is missing; the header row must name: employee_id, "
                                  "name, coach_id, department, role")
    assert messages[1:] == [
        "column 'Manager email' holds the manager's e-mail address, but careerconv needs the manager's employee "
        "id: add a column such as 'Manager ID' or 'Supervisor EID' to the HR report (or name it coach_id), or the "
        "people's own e-mail column (such as 'Work Email'), through which each manager's e-mail is read as their "
        "id"]
    assert "Note: ignored 1 column(s) careerconv does not use: 'Site'." in str(exc)  # Eintrittsdatum is the start
    assert "unknown column" not in str(exc)


def merged_workbook(path: Path, rows: list[list], merges: list[str]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    book.save(path)
    return path


def test_a_department_merged_down_its_block_is_read_into_each_row(store: Store, tmp_path: Path):
    """Spreadsheets kept by hand merge a department over its people: only the block's first cell holds the value,
    and each other row was refused as 'department is required'. Excel shows the value on each row, so it is
    read so, with a note naming the blocks."""
    path = merged_workbook(tmp_path / "team.xlsx", [
        ["Employee ID", "Name", "Manager ID", "Department", "Job Title"],
        ["E1", "Ana Silva", None, "Sales", "Head of Sales"],
        ["E2", "Bo Chen", "E1", None, "Rep"],
        ["E3", "Cy Diaz", "E1", None, "Rep"],
        ["E4", "Di Evans", "E1", "Marketing", "Writer"],
        ["E5", "Ed Fox", "E4", None, "Designer"],
    ], ["D2:D4", "D5:D6"])
    result = import_roster(store, path)
    assert store.roster()[["employee_id", "department"]].values.tolist() == [
        ["E1", "Sales"], ["E2", "Sales"], ["E3", "Sales"], ["E4", "Marketing"], ["E5", "Marketing"]]
    assert "cells D2:D4, D5:D6 are merged (2 block(s) in 'Department'): the value of each block was read into " \
           "each of its rows, as Excel shows it" in result.summary()


def test_a_header_of_two_rows_with_merged_cells_is_refused_once_saying_what_to_write(store: Store, tmp_path: Path):
    """'Manager' merged over 'Name' and 'ID' (and the other headings merged down over both rows) gave 304
    problems, starting with "column 6 has values but no name"."""
    path = merged_workbook(tmp_path / "two_rows.xlsx", [
        ["Employee ID", "Worker", "Department", "Business Title", "Manager", None],
        [None, None, None, None, "Name", "ID"],
        [1, "Mary Van der Berg", "Executive", "CEO", None, None],
        [2, "Olga Rossi", "Engineering", "Head of Engineering", "Mary Van der Berg", 1],
    ], ["A1:A2", "B1:B2", "C1:C2", "D1:D2", "E1:F1"])
    exc = refusal(store, path)
    assert [(p.row, p.message) for p in exc.problems] == [(1, (
        "cells A1:A2, B1:B2, C1:C2, D1:D2, E1:F1 of the header row (row 1) are merged: careerconv reads one header "
        "row with one name for each column. Unmerge them and name each column in row 1 (for 'Manager' over 'Name' "
        "and 'ID' in row 2, name the columns 'Manager Name' and 'Manager ID'), delete any row of names below it, "
        "then import again"))]


def test_cells_merged_across_the_columns_of_a_data_row_are_refused_naming_them(store: Store, tmp_path: Path):
    path = merged_workbook(tmp_path / "across.xlsx", [
        ["Employee ID", "Name", "Manager ID", "Department", "Job Title"],
        ["E1", "Ana Silva", None, "Sales", "Head of Sales"],
        ["E2", "Bo Chen", "E1", "Sales and Marketing", None],
    ], ["D3:E3"])
    exc = refusal(store, path)
    assert [(p.row, p.message) for p in exc.problems] == [(3, (
        "cells D3:E3 are merged across columns, so which column their value is in cannot be told: unmerge them "
        "and put each value in its own column, then import again"))]


def test_a_workday_supervisory_organization_is_read_without_its_managers_name(store: Store, tmp_path: Path):
    """Workday writes a supervisory organization with its manager after it: read as the department, each
    manager's team was a department of its own, labelled with a person's name. A name in parentheses that is no
    one's in the file is part of the organization's name, and stays."""
    path = tmp_path / "workday.csv"
    path.write_text(
        "Employee ID,Worker,Manager ID,Manager,Supervisory Organization,Business Title\n"
        "1,Mary Van der Berg,,,Acme (Mary Van der Berg),CEO\n"
        "2,Olga Rossi,1,Mary Van der Berg,Acme (Mary Van der Berg),Head of Engineering\n"
        "3,Ben Okafor,2,Olga Rossi,Engineering (Olga Rossi),Team Lead\n"
        "4,Ann Lee,2,Olga Rossi,Engineering (Olga Rossi),Engineer\n"
        "5,Cy Diaz,3,Ben Okafor,Engineering (Ben Okafor),Engineer\n"
        "6,Di Evans,1,Mary Van der Berg,Research (Berlin),Scientist\n", encoding="utf-8")
    result = import_roster(store, path)
    assert store.roster()["department"].tolist() == [
        "Acme", "Acme", "Engineering", "Engineering", "Engineering", "Research (Berlin)"]
    assert "Note: read 'Supervisory Organization' without the manager's name Workday writes after each organization " \
           "('Acme (Mary Van der Berg)' as 'Acme': 3 organization(s) of 5 row(s) as 2 department(s)), so that a " \
           "department is the same for everyone in it, whoever their manager" in result.summary()


def test_a_manager_column_of_ids_no_one_has_is_one_problem_counting_them(store: Store, tmp_path: Path):
    exc = refusal(store, roster_with_manager_column(tmp_path / "ids.csv", "Manager", ["X7", "X8", "X9", "X10"]))
    assert [p.message for p in exc.problems] == [
        "column 'Manager' is read as the coach's employee id only when each value is the employee id of someone in "
        "this file or on the roster, and the values of 39 rows are not (such as 'X9' on row 3, 'X10' on row 4 and "
        "'X7' on row 5): correct them, or, for a coach who is not an employee, name the column coach_id (a coach_id "
        "need not be on the roster)"]
