"""The same people in the next export, found by a hostile tester importing real HR systems' exports month after
month: a roster first imported from a workbook (Excel stores ``Employee #`` as the numbers 1, 2) was doubled by
the next CSV of the same system (00001, 00002), and ``validate`` said all good; Excel's "CSV" (not UTF-8) wrote
``?`` for ``Ł`` and the roster's name was "updated" to ``?ukasz Nowak``; a rehire under a new id, with the
email of the one who left, was added without a word. Files are built as the HR system writes them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from careerconv.cli import main
from careerconv.records import schema
from careerconv.records.erasure import erase_employee
from careerconv.records.id_spelling import KnownIds
from careerconv.records.importers import import_roster
from careerconv.records.store import Store
from test_history_exports import csv_bytes, snapshot
from test_import_id_checks import workbook  # an .xlsx as Excel saves it: ids of digits as numbers

HEADER = ["Employee #", "Name", "Supervisor EID", "Department", "Job Title"]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "data")


def names(store: Store) -> dict[str, str]:
    return dict(zip(store.roster()["employee_id"], store.roster()["name"]))


# ------------------------------------------------------------------ 3. ids with leading zeros, either way


def test_a_roster_first_imported_from_a_workbook_is_matched_by_the_next_csv_with_leading_zeros(store: Store,
                                                                                               tmp_path: Path):
    """f1.xlsx (1, 2) then f1.csv (00001, 00002) of the same system: "added 2", everyone twice. The rule read
    123 as 00123 (CSV first, then a workbook) but not the other way round; now it is one rule, and the roster's
    id keeps its spelling."""
    import_roster(store, workbook(tmp_path / "f1.xlsx", [HEADER, [1, "Ann Lee", None, "Exec", "CEO"],
                                                         [2, "Bo Kim", 1, "Eng", "Dev"]]))
    path = tmp_path / "f1.csv"
    path.write_bytes(csv_bytes([HEADER, ["00001", "Ann Lee", "", "Exec", "CEO"], ["00002", "Bo Kim", "00001", "Eng",
                                                                                "Dev"],
                                ["00003", "Cy Doe", "00002", "Eng", "Dev"]]))
    result = import_roster(store, path)
    assert (result.added, result.updated, result.unchanged) == (1, 0, 2)
    roster = store.roster()
    assert list(roster["employee_id"]) == ["1", "2", "00003"]
    assert list(roster["coach_id"]) == ["", "1", "2"]
    assert "(extra leading zeros: 00001 as 1, 00002 as 2)" in result.summary()
    assert import_roster(store, path).unchanged == 3


def test_leading_zeros_are_one_rule_both_ways():
    """The id a value of digits is read as, whichever of the two has the zeros."""
    assert KnownIds({"1"}).match("00001").id == "1"
    assert KnownIds({"00001"}).match("1").id == "00001"
    assert KnownIds({"001"}).match("00001").id == "001"


def test_a_new_hire_whose_id_is_a_roster_id_with_zeros_in_front_is_not_merged_into_that_person(store: Store,
                                                                                                tmp_path: Path):
    """00003 "Cy Doe" beside 3 "Ann Lee" is someone else: refused, saying whose id it would be, and nothing is
    written."""
    import_roster(store, workbook(tmp_path / "r.xlsx", [HEADER, [3, "Ann Lee", None, "Ops", "Lead"]]))
    before = snapshot(store.root)
    path = tmp_path / "hire.csv"
    path.write_bytes(csv_bytes([HEADER, ["00003", "Cy Doe", "", "Ops", "Eng"]]))
    with pytest.raises(schema.ValidationError) as refused:
        import_roster(store, path)
    message = str(refused.value)
    assert ("reads as '3' once the leading zeros the roster's id lacks are left out, but 3 on the roster is "
            "'Ann Lee', not 'Cy Doe'") in message
    assert "give them an id of their own, not 3 with zeros in front" in message
    assert snapshot(store.root) == before


# ------------------------------------------------------------------ 3 and 9. people who share an email


def test_two_people_with_one_email_get_a_note_from_the_import_and_from_validate(store: Store, tmp_path: Path,
                                                                                 capsys):
    """One person under two ids: the import added them silently and validate said all good."""
    header = [*HEADER, "Work Email"]
    first = tmp_path / "a.csv"
    first.write_bytes(csv_bytes([header, ["A1", "Ann Lee", "", "Ops", "Lead", "ann.lee@example.org"]]))
    import_roster(store, first)
    second = tmp_path / "b.csv"
    second.write_bytes(csv_bytes([header, ["B7", "Ann Lee", "", "Ops", "Lead", "Ann.Lee@example.org"]]))
    result = import_roster(store, second)
    assert result.added == 1
    assert ("1 email address(es) belong to more than one person on the roster, most likely one person under two ids"
            in result.summary())
    assert "ann.lee@example.org: A1 (Ann Lee), B7 (Ann Lee)" in result.summary()
    capsys.readouterr()
    assert main(["--data", str(store.root), "validate"]) == 0
    out = capsys.readouterr().out
    assert "no problems, but see the note(s) below (2 employees, 0 records)" in out
    assert "Note: 1 email address(es) belong to more than one person" in out
    assert "ann.lee@example.org: A1 (Ann Lee), B7 (Ann Lee)" in out


def test_a_rehire_under_a_new_id_with_the_email_of_one_who_left_gets_a_note_naming_both(store: Store,
                                                                                        tmp_path: Path):
    """BambooHR: E0005 Olivia Thompson left; months later E0061 Olivia Thompson, the same email, was added without
    a word, her history left under E0005."""
    header = ["Employee #", "First Name", "Last Name", "Supervisor EID", "Department", "Job Title", "Work Email",
              "Termination Date"]
    first = tmp_path / "m1.csv"
    first.write_bytes(csv_bytes([header, ["E0005", "Olivia", "Thompson", "", "CS", "Specialist",
                                          "olivia.thompson@example.org", "2026-05-01"]]))
    import_roster(store, first, today=dt.date(2026, 6, 1))
    later = tmp_path / "m3.csv"
    later.write_bytes(csv_bytes([header, ["E0061", "Olivia", "Thompson", "", "CS", "Specialist",
                                          "olivia.thompson@example.org", ""]]))
    result = import_roster(store, later, today=dt.date(2027, 4, 1))
    assert result.added == 1
    assert ("E0061 (Olivia Thompson), new on the roster, has the email of E0005 (Olivia Thompson, left on "
            "2026-05-01): if they are E0005 back under a new id, their earlier conversations, check-ins and reports "
            "stay under E0005 (kept, as a leaver's) and E0061 starts without them; careerconv has no command that "
            "moves records from one id to another") in result.summary()
    assert "belong to more than one person" not in result.summary()


# ------------------------------------------------------------------ 4. Excel's "CSV" (not UTF-8): '?' for letters

UTF8 = "Employee #,Name,Supervisor EID,Department,Job Title\n1,Łukasz Nowak,,Exec,CEO\n2,Dana Cohen 🌟,1,Eng,Dev\n"
ANSI = "Employee #;Name;Supervisor EID;Department;Job Title\r\n1;?ukasz Nowak;;Exec;CEO\r\n2;Dana Cohen ?;1;Eng;Dev\r\n"


def test_names_with_question_marks_from_excels_ansi_csv_keep_the_rosters_names(store: Store, tmp_path: Path):
    """utf8.csv then ansi.csv: "updated", and the roster read '?ukasz Nowak'."""
    (tmp_path / "utf8.csv").write_bytes(UTF8.encode("utf-8"))
    import_roster(store, tmp_path / "utf8.csv")
    (tmp_path / "ansi.csv").write_bytes(ANSI.encode("cp1252"))
    result = import_roster(store, tmp_path / "ansi.csv")
    assert (result.added, result.updated, result.unchanged) == (0, 0, 2)
    assert names(store) == {"1": "Łukasz Nowak", "2": "Dana Cohen 🌟"}
    assert ("2 name(s) in the file have '?' where letters were (row 2: '?ukasz Nowak' for 'Łukasz Nowak', row 3: "
            "'Dana Cohen ?' for 'Dana Cohen 🌟'): the roster's names were kept; to change a name from this file, "
            'save the file from Excel as "CSV UTF-8 (Comma delimited)"') in result.summary()


def test_a_name_with_question_marks_for_letters_is_refused_for_someone_new(store: Store, tmp_path: Path, capsys):
    """Into an empty roster there is no name to keep: the row is refused, saying how to save the file."""
    (tmp_path / "ansi.csv").write_bytes(ANSI.encode("cp1252"))
    assert main(["--data", str(store.root), "import", "roster", str(tmp_path / "ansi.csv")]) == 1
    err = capsys.readouterr().err
    assert ("row 2, column 'Name', value '?ukasz Nowak': the name has '?' where letters were, and there is no name "
            'on the roster to keep instead: save the file from Excel as "CSV UTF-8 (Comma delimited)" instead of '
            "\"CSV\"") in err
    assert store.roster().empty


def test_an_ansi_csv_whose_ids_excel_stored_as_numbers_is_still_the_same_person(store: Store, tmp_path: Path):
    """Opened in Excel and saved as "CSV": 00001 became 1 and Łukasz ?ukasz. The id read otherwise needs the
    person's name beside it, and the name with '?' for letters is theirs."""
    (tmp_path / "utf8.csv").write_bytes(UTF8.replace("\n1,", "\n00001,").replace(",1,Eng", ",00001,Eng")
                                        .encode("utf-8"))
    import_roster(store, tmp_path / "utf8.csv")
    (tmp_path / "ansi.csv").write_bytes(ANSI.encode("cp1252"))
    result = import_roster(store, tmp_path / "ansi.csv")
    assert (result.added, result.unchanged) == (0, 2)
    assert names(store) == {"00001": "Łukasz Nowak", "2": "Dana Cohen 🌟"}


def test_erasing_the_doubles_of_a_doubled_roster_leaves_the_others_importable(store: Store, tmp_path: Path):
    """A roster doubled before this was mended (1 and 00001, the same person): 00001 erased, every later import of
    the 1 still on the roster was refused as "the number of an id erased", in the workbook and in the CSV."""
    doubled = tmp_path / "doubled.csv"
    doubled.write_bytes(csv_bytes([HEADER, ["1", "Ann Lee", "", "Exec", "CEO"],
                                   ["00001", "Ann Lee", "", "Exec", "CEO"]]))
    import_roster(store, doubled)
    assert erase_employee(store, tmp_path / "reports", "00001").complete
    book = workbook(tmp_path / "f1.xlsx", [HEADER, [1, "Ann Lee", None, "Exec", "CEO"]])
    assert import_roster(store, book).unchanged == 1
    (tmp_path / "f1.csv").write_bytes(csv_bytes([HEADER, ["00001", "Ann Lee", "", "Exec", "CEO"]]))
    assert import_roster(store, tmp_path / "f1.csv").unchanged == 1
    assert list(store.roster()["employee_id"]) == ["1"]
