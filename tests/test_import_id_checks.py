"""What a hostile tester found in the imports' reading of ids written otherwise than the roster writes them.

1. A history file names no one: its ``10`` or ``0010`` was read as the roster's ``E0010`` with nothing to tell that
   it is them, so a typo or another system's number put ratings on someone else's page. A history's id written
   with other zeros or without the prefix is now read as the roster's only beside that person's name (a name column
   in the file), or, for a coach, when it is the employee's coach on the roster; else the row is refused, saying
   which roster id it looks like and to write that id.
2. An erased ``E0061`` came back as ``61``, ``0061`` or ``e61`` once no one was left on the roster to learn from
   how ids are written (everyone erased, or the first import after erasing): the erased list now keeps, as salted
   hashes, the number of each erased id, and the imports ask it.

Each file is built as an HR system writes it: CSV with a BOM and semicolons, or a workbook; every refusal leaves the
data folder byte for byte as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import openpyxl
import pytest

from careerconv.records.erasure import erase_employee
from careerconv.records.importers import import_history, import_roster
from careerconv.records.store import Store
from test_history_exports import csv_bytes, store_with_roster
from test_import_ids_and_leaving_days import ROSTER
from test_import_takeover_and_leavers import refused


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return store_with_roster(tmp_path, ROSTER)


def workbook(path: Path, rows: list[list]) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


# ------------------------------------------------------------------ 1. a history's ids written otherwise


@pytest.mark.parametrize("written", ["10", "0010"])
def test_a_historys_number_alone_is_not_put_on_the_roster_id_it_looks_like(store: Store, tmp_path: Path, capsys,
                                                                           written: str):
    """A SuccessFactors export (semicolons, a BOM) with the employee as 10: its ratings became E0010's."""
    path = tmp_path / "bewertungen.csv"
    path.write_bytes(csv_bytes([["Personalnummer", "Datum", "Kompetenz", "Bewertung"],
                                ["E0011", "14.03.2024", "Verhandlung", "6"],
                                [written, "15.03.2024", "Führung", "7"]], "utf-8-sig", ";"))
    err = refused(store, capsys, "history", str(path))
    assert (f"row 3, column 'Personalnummer', value '{written}': reads as 'E0010' once the roster's prefix is put "
            "in front, but a history file has no name beside it to tell that it is E0010 ('Jürgen Müller') and not "
            "a typo or another system's number: if this is E0010, write E0010 as the roster does (or add a column "
            "with the employee's name)") in err
    assert store.conversations("E0010") == [] and store.conversations("E0011") == []


def test_a_workbooks_number_alone_is_read_as_the_roster_id_beside_that_persons_name(store: Store, tmp_path: Path):
    """Excel stored the ids as numbers (11 for E0011); the file's 'Employee Name' says it is Chloé Martin."""
    path = workbook(tmp_path / "reviews.xlsx",
                    [["Employee ID", "Employee Name", "Review Date", "Competency", "Score"],
                     [11, "Martin, Chloé", dt.datetime(2024, 3, 14), "Negotiation", 6],
                     ["E0010", "Jürgen Müller", dt.datetime(2024, 3, 15), "Leadership", 7]])
    result = import_history(store, path)
    assert [c["conversation_id"] for c in store.conversations("E0011")] == ["E0011-h20240314"]
    assert "(prefix: 11 as E0011)" in result.summary()


def test_a_workbooks_number_alone_beside_another_name_is_refused_naming_whose_id_it_would_be(
        store: Store, tmp_path: Path, capsys):
    path = workbook(tmp_path / "reviews.xlsx",
                    [["Employee ID", "First Name", "Last Name", "Review Date", "Competency", "Score"],
                     [10, "Noah", "Berg", dt.datetime(2024, 3, 14), "Negotiation", 6]])
    err = refused(store, capsys, "history", str(path))
    assert ("row 2, column 'Employee ID', value '10': reads as 'E0010' once the roster's prefix is put in front, but "
            "E0010 on the roster is 'Jürgen Müller', not 'Noah Berg'") in err
    assert "if it is someone else, add them to the roster with an id of their own" in err


def test_a_historys_coach_written_as_a_number_is_read_only_as_the_employees_coach_on_the_roster(
        store: Store, tmp_path: Path, capsys):
    """'3' as Chloé's manager was stored as E0003, though her coach is E0010: a typo of 10, or another system's 3."""
    path = tmp_path / "ratings.csv"
    path.write_bytes(csv_bytes([["Employee ID", "Rating date", "Competency", "Score", "Manager ID"],
                                ["E0011", "2024-03-14", "Negotiation", "6", "3"]], "utf-8-sig", ";"))
    err = refused(store, capsys, "history", str(path))
    assert ("row 2, column 'Manager ID', value '3': reads as 'E0003' once the roster's prefix is put in front, but "
            "E0011's coach on the roster is E0010, and a history file has no name beside a coach's id to tell "
            "that it is E0003: if this is E0003, write E0003 as the roster does (or leave the coach column out: "
            "the roster's coach is taken)") in err
    path.write_bytes(csv_bytes([["Employee ID", "Rating date", "Competency", "Score", "Manager ID"],
                                ["E0011", "2024-03-14", "Negotiation", "6", "0010"]], "utf-8-sig", ";"))
    import_history(store, path)
    assert [c["coach_id"] for c in store.conversations("E0011")] == ["E0010"]


# ------------------------------------------------------------------ 2. an erased id with no one left to learn from


@pytest.fixture
def emptied(tmp_path: Path) -> Store:
    """A folder whose only employee, E0061 Will May, was erased: the roster is empty."""
    store = store_with_roster(tmp_path, [ROSTER[0], ["E0061", "Will May", "", "People", "Recruiter"]])
    assert erase_employee(store, tmp_path / "reports", "E0061").complete
    assert store.roster().empty
    return store


@pytest.mark.parametrize("written", ["61", "0061", "e61", "E061"])
def test_an_erased_id_written_otherwise_is_refused_with_no_one_left_on_the_roster(emptied: Store, tmp_path: Path,
                                                                                 capsys, written: str):
    """The first roster after erasing everyone (a BOM, semicolons) added E0061 back as '61' silently."""
    path = tmp_path / "staff.csv"
    path.write_bytes(csv_bytes([["Personalnummer", "Name", "Vorgesetzter", "Abteilung", "Stelle"],
                                ["E0062", "Ada Berg", "", "People", "Recruiter"],
                                [written, "Will May", "E0062", "People", "Recruiter"]], "utf-8-sig", ";"))
    today = dt.date.today().isoformat()
    err = refused(emptied, capsys, "roster", str(path))
    assert (f"row 3, column 'Personalnummer', value '{written}': employee {written!r} is the number of an id erased "
            f"on {today} (careerconv erase), written otherwise than it was") in err
    if not written.isdigit():  # an id with a prefix is one of its own, added as written (and E0062 with it)
        assert import_roster(emptied, path, allow_erased=True).added == 2
    else:
        err = refused(emptied, capsys, "roster", str(path), "--allow-erased")
        assert ("which id that was is not kept: to add them again on purpose, write their id as it was and import "
                "the file again with --allow-erased; if it is someone new, give them an id of their own "
                f"({written!r} reads as the erased id without its prefix or leading zeros, even where erased people "
                "may be added again)") in err


def test_an_erased_coach_id_written_otherwise_is_refused_with_no_one_left_on_the_roster(emptied: Store,
                                                                                       tmp_path: Path, capsys):
    path = workbook(tmp_path / "staff.xlsx", [["Employee ID", "Name", "Manager ID", "Department", "Job Title"],
                                              [62, "Ada Berg", 61, "People", "Recruiter"]])
    assert "value '61': coach '61' is the number of an id erased on" in refused(emptied, capsys, "roster",
                                                                               str(path))


def test_the_erased_list_keeps_the_number_as_a_hash_only(emptied: Store):
    """What is kept of E0061's number is hashes with the folder's salt, under the hash of the id, as the id is."""
    text = emptied.erased_path.read_text(encoding="utf-8")
    kept = json.loads(text)
    assert set(kept["numbers"]) == set(kept["erased"])
    assert all(re.fullmatch("[0-9a-f]{64}", h) for hashes in kept["numbers"].values() for h in hashes)


def test_the_erased_id_as_it_was_still_comes_back_with_allow_erased(emptied: Store, tmp_path: Path):
    path = tmp_path / "staff.csv"
    path.write_bytes(csv_bytes([["Personalnummer", "Name", "Vorgesetzter", "Abteilung", "Stelle"],
                                ["E0061", "Will May", "", "People", "Recruiter"]], "utf-8-sig", ";"))
    assert import_roster(emptied, path, allow_erased=True).added == 1
    assert emptied.erased_ids().erased_on("E0061") is None and not emptied.erased_ids().numbers
    path.write_bytes(csv_bytes([["Personalnummer", "Name", "Vorgesetzter", "Abteilung", "Stelle"],
                                ["E0061", "Will May", "", "People", "Recruiter"],
                                ["62", "Ada Berg", "", "People", "Recruiter"]], "utf-8-sig", ";"))
    assert import_roster(emptied, path).added == 1


# ------------------------------------------------------------------ 3. an id with a prefix beside an erased id


@pytest.fixture
def erased_61(tmp_path: Path) -> Store:
    """The roster of E0003 ... E0012 after E0061 Will May was erased."""
    store = store_with_roster(tmp_path, [*ROSTER, ["E0061", "Will May", "E0003", "People", "Recruiter"]])
    assert erase_employee(store, tmp_path / "reports", "E0061").complete
    return store


def test_an_id_with_a_prefix_beside_an_erased_ids_number_is_added_as_written_with_allow_erased(
        erased_61: Store, tmp_path: Path, capsys):
    """A new hire E61 (a Personio export, semicolons) was refused as the erased E0061 even with --allow-erased, and
    with nothing the message said that would import her: an id with a prefix is an id of its own (E61 is not
    E0061, as beside E0061 on the roster), so --allow-erased adds her as E61, and E0061 stays erased."""
    path = tmp_path / "personio.csv"
    path.write_bytes(csv_bytes([["ID", "First name", "Last name", "Supervisor ID", "Department", "Position"],
                                ["E61", "Nia", "Obi", "E0003", "People", "Recruiter"]], "utf-8-sig", ";"))
    today = dt.date.today().isoformat()
    err = refused(erased_61, capsys, "roster", str(path))
    assert (f"row 2, column 'ID', value 'E61': employee 'E61' is the number of an id erased on {today} (careerconv "
            "erase), written otherwise than it was; which id that was is not kept: to add them again on purpose, "
            "write their id as it was and import the file again with --allow-erased; if 'E61' is someone new, "
            "import the file again with --allow-erased: an id with a prefix is an id of its own, so it is added as "
            "it is written, and the erased id stays erased") in err
    result = import_roster(erased_61, path, allow_erased=True)
    assert result.added == 1 and "E61" in list(erased_61.roster()["employee_id"])
    assert ("1 id(s) that write the number of an erased id otherwise were added as they are written (allowed): E61; "
            "an id with a prefix is an id of its own, and the erased id stays erased") in result.summary()
    assert erased_61.erased_ids().erased_on("E0061") == today
    # She is on the roster now: the next export lists her and is imported without the option.
    assert import_roster(erased_61, path).unchanged == 1


def test_someone_on_the_roster_is_never_refused_as_an_erased_ids_number(tmp_path: Path):
    """E61 and E0061 were both on the roster; once E0061 was erased, every export listing E61 was refused."""
    store = store_with_roster(tmp_path, [*ROSTER, ["E0061", "Will May", "E0003", "People", "Recruiter"],
                                         ["E61", "Nia Obi", "E0003", "People", "Recruiter"]])
    assert erase_employee(store, tmp_path / "reports", "E0061").complete
    path = workbook(tmp_path / "staff.xlsx", [["Employee ID", "Name", "Manager ID", "Department", "Job Title"],
                                              ["E61", "Nia Obi", "E0003", "People", "Recruiter"],
                                              ["E0012", "Ravi Patel", "E61", "Vertrieb", "Verkäufer"]])
    result = import_roster(store, path)
    assert (result.updated, result.unchanged) == (1, 1)
    assert dict(zip(store.roster()["employee_id"], store.roster()["coach_id"]))["E0012"] == "E61"


def test_a_historys_coach_with_a_prefix_beside_an_erased_ids_number_is_taken_as_written_with_allow_erased(
        erased_61: Store, tmp_path: Path, capsys):
    """An external coach E61 in a history (semicolons, a BOM) beside the erased E0061: refused, saying what to do,
    and taken as written with --allow-erased."""
    path = tmp_path / "ratings.csv"
    path.write_bytes(csv_bytes([["Employee ID", "Rating date", "Competency", "Score", "Manager ID"],
                                ["E0011", "2024-03-14", "Negotiation", "6", "E61"]], "utf-8-sig", ";"))
    err = refused(erased_61, capsys, "history", str(path))
    assert "value 'E61': coach 'E61' is the number of an id erased on" in err
    assert "if 'E61' is someone new, import the file again with --allow-erased" in err
    result = import_history(erased_61, path, allow_erased=True)
    assert [c["coach_id"] for c in erased_61.conversations("E0011")] == ["E61"]
    assert "were added as they are written (allowed): E61" in result.summary()
    assert erased_61.erased_ids().erased_on("E0061") is not None
