"""What a hostile tester found in a roster's coach column: a manager id written as a number alone (``3``, or
``0003``, where the roster writes ``E0003``) was read as E0003 with nothing to tell that it was her, so a typo or
another system's number silently made someone the coach of a team. A roster's coach id written with other zeros or
without the prefix is now read as the roster's only beside that person's name, in the export's manager-name column
(Workday's 'Manager', BambooHR's 'Reports To' beside 'Supervisor EID', a 'Manager Name'); else the row is refused,
saying which id it looks like, whose it is, and what to write. Ids written as the roster writes them, and ids in
another case, need no name.

Each file is built as the HR system writes it (a BOM, CRLF, semicolons, a workbook with ids stored as numbers), and
every refusal leaves the data folder byte for byte as it was.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from careerconv.records.importers import import_roster
from careerconv.records.store import Store
from test_history_exports import csv_bytes, store_with_roster
from test_import_ids_and_leaving_days import ROSTER
from test_import_takeover_and_leavers import refused

WORKDAY = ["Employee ID", "Legal Name", "Manager ID", "Supervisory Organization", "Business Title"]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return store_with_roster(tmp_path, ROSTER)


def coach_of(store: Store) -> dict[str, str]:
    return dict(zip(store.roster()["employee_id"], store.roster()["coach_id"]))


def bamboohr(path: Path, rows: list[list]) -> Path:
    """A BambooHR custom report saved as .xlsx: Supervisor EID (Excel keeps a number), Reports To (a name)."""
    book = openpyxl.Workbook()
    book.active.append(["Employee #", "First Name", "Last Name", "Job Title", "Department", "Reports To",
                        "Supervisor EID"])
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


@pytest.mark.parametrize("written", ["3", "0003"])
def test_a_managers_number_alone_without_a_name_is_refused_naming_whose_id_it_looks_like(
        store: Store, tmp_path: Path, capsys, written: str):
    """A Workday report without the manager's name: Ravi's manager '3' made E0003 Anna Schmidt his coach."""
    path = tmp_path / "workday.csv"
    path.write_bytes(csv_bytes([WORKDAY, ["E0012", "Ravi Patel", written, "Vertrieb", "Verkäufer"]]))
    err = refused(store, capsys, "roster", str(path))
    assert (f"row 2, column 'Manager ID', value '{written}': reads as 'E0003' once the roster's prefix is put in "
            "front, but the file has no column of the manager's name (such as 'Manager Name', or 'Reports To' "
            "beside 'Manager ID') to tell that it is E0003 ('Anna Schmidt', on the roster) and not a typo or "
            "another system's number: if the coach is E0003, write E0003 as the roster does (or add such a "
            "column); if it is someone else, write their id") in err
    assert coach_of(store)["E0012"] == "E0010"


def test_a_managers_number_beside_their_name_is_read_as_their_id(store: Store, tmp_path: Path):
    """BambooHR: 'Supervisor EID' is 3 (a number cell), 'Reports To' names her as 'Last, First'."""
    path = bamboohr(tmp_path / "employees.xlsx", [["E0012", "Ravi", "Patel", "Verkäufer", "Vertrieb",
                                                   "Schmidt, Anna", 3]])
    result = import_roster(store, path)
    assert coach_of(store)["E0012"] == "E0003"
    text = result.summary()
    assert "'Reports To' as coach_name" in text and "(prefix: 3 as E0003)" in text


def test_a_managers_number_beside_someone_elses_name_is_refused_saying_whose_it_is(store: Store, tmp_path: Path,
                                                                                  capsys):
    """'Supervisor EID' 3 beside 'Reports To' Jürgen Müller (E0010): a typo of 10, or another system's 3."""
    path = bamboohr(tmp_path / "employees.xlsx", [["E0012", "Ravi", "Patel", "Verkäufer", "Vertrieb",
                                                   "Jürgen Müller", 3]])
    err = refused(store, capsys, "roster", str(path))
    assert ("row 2, column 'Supervisor EID', value '3': reads as 'E0003' once the roster's prefix is put in front, "
            "but E0003 on the roster is 'Anna Schmidt', not 'Jürgen Müller' (the manager's name in 'Reports To'): "
            "if the coach is E0003, write E0003 as the roster does; if it is someone else, write their id") in err


def test_a_managers_number_beside_an_empty_name_is_refused(store: Store, tmp_path: Path, capsys):
    path = tmp_path / "workday.csv"
    path.write_bytes(csv_bytes([[*WORKDAY, "Manager Name"],
                                ["E0012", "Ravi Patel", "0003", "Vertrieb", "Verkäufer", ""]], "utf-8-sig", ";"))
    err = refused(store, capsys, "roster", str(path))
    assert ("value '0003': reads as 'E0003' once the roster's prefix is put in front, but 'Manager Name' is empty on "
            "this row, so nothing tells that it is E0003 ('Anna Schmidt', on the roster) and not a typo or another "
            "system's number: if the coach is E0003, write E0003 as the roster does (or their name in 'Manager "
            "Name')") in err


def test_a_new_managers_number_is_read_beside_the_name_the_file_gives_them(store: Store, tmp_path: Path):
    """A Personio export (semicolons) hires E0050 and writes her as Ravi's 'Supervisor ID' as 50, beside her name
    in 'Supervisor': the name the file gives her tells that it is her."""
    path = tmp_path / "personio.csv"
    path.write_bytes(csv_bytes([["Personalnummer", "Vorname", "Nachname", "Supervisor ID", "Supervisor",
                                 "Abteilung", "Position"],
                                ["E0050", "Lea", "Kaya", "E0003", "Anna Schmidt", "Vertrieb", "Teamleiterin"],
                                ["E0012", "Ravi", "Patel", "50", "Lea Kaya", "Vertrieb", "Verkäufer"]],
                               "utf-8-sig", ";"))
    import_roster(store, path)
    assert coach_of(store)["E0012"] == "E0050"


def test_ids_as_the_roster_writes_them_and_in_another_case_need_no_name(store: Store, tmp_path: Path):
    """The manager's name is read only for an id written without the roster's prefix or zeros: an exact id is
    taken whatever name is beside it (a preferred name, a name changed since), as before."""
    path = tmp_path / "workday.csv"
    path.write_bytes(csv_bytes([[*WORKDAY, "Manager"],
                                ["E0011", "Chloé Martin", "E0003", "Vertrieb", "Verkäuferin", "Annie Schmidt-Berg"],
                                ["E0012", "Ravi Patel", "e0003", "Vertrieb", "Verkäufer", ""]]))
    import_roster(store, path)
    assert (coach_of(store)["E0011"], coach_of(store)["E0012"]) == ("E0003", "E0003")
