"""What a refused HR export says: one problem per thing to fix, the real problem first, in the words of the file.

Found by importing real exports: a manager column of names gave one problem and then the same "coach id may
only use letters ..." for each of its 299 rows; a column of the manager's e-mail addresses was said to name the
manager; a file without a coach column listed the columns careerconv ignores first, as problems.
"""

from __future__ import annotations

from pathlib import Path

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
        "'Manager ID' or 'Supervisor EID' to the HR report (or name it coach_id)"]


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
        "id: add a column such as 'Manager ID' or 'Supervisor EID' to the HR report (or name it coach_id)"]
    assert "Note: ignored 2 column(s) careerconv does not use: 'Eintrittsdatum', 'Site'." in str(exc)
    assert "unknown column" not in str(exc)
