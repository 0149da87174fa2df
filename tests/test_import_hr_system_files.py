"""Roster and history files as HR systems write them, which a hostile test found refused or misread: Workday's
"Active Status" of Yes/No, dates with the month's name or as YYYYMMDD, errors naming careerconv's own column keys
instead of the file's headers, an Excel day count in a CSV date column, ratings with a decimal comma, and a
history's "Manager" column. Each file is built here as the system writes it (its headers, quoting, encoding and
line ends), and every refusal leaves the data folder byte for byte as it was."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest

from careerconv.cli import main
from careerconv.records.importers import import_history, import_roster
from careerconv.records.store import Store
from test_history_exports import csv_bytes, snapshot, store_with_roster

IMPORT_DAY = dt.date(2026, 6, 1)
# The forms of a date the importers read, as every refused date lists them.
DATE_FORMS = "expected YYYY-MM-DD (also DD.MM.YYYY, DD/MM/YYYY, MM/DD/YYYY, 31-Dec-2025, 31 Dec 2025, " \
             "'Dec 31, 2025' or YYYYMMDD)"
ROSTER = [["employee_id", "name", "coach_id", "department", "role"],
          ["E001", "Anna Schmidt", "C01", "Vertrieb", "Leiterin"],
          ["E002", "Jürgen Müller", "E001", "Vertrieb", "Verkäufer"],
          ["E003", "Chloé Martin", "E001", "Vertrieb", "Verkäuferin"]]


def left_on(store: Store) -> dict[str, str]:
    """Each employee's leaving day as ISO text ("" for still here)."""
    return {r["employee_id"]: "" if r["left_on"] is None or r["left_on"] != r["left_on"]
            else r["left_on"].date().isoformat() for r in store.roster().to_dict("records")}


def conversations(store: Store, eid: str) -> list[tuple]:
    """``eid``'s conversations as (date, coach, [(skill, rating, coach's rating, targets)])."""
    return [(c["date"], c["coach_id"], [(s["skill"], s["self_rating"], s["coach_rating"], s["targets"])
                                        for s in c["skills"]]) for c in store.conversations(eid)]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return store_with_roster(tmp_path, ROSTER)


def refused(store: Store, tmp_path: Path, capsys, kind: str, path: Path) -> str:
    """Import ``path`` on the command line, which must refuse it and leave the data folder as it was; its stderr."""
    before = snapshot(store.root)
    assert main(["--data", str(store.root), "import", kind, str(path)]) == 1
    assert snapshot(store.root) == before
    return capsys.readouterr().err


# ------------------------------------------------------------------ 1. Workday's Active Status: Yes / No

WORKDAY_HEADER = ["Employee ID", "Legal Name", "Manager ID", "Supervisory Organization", "Business Title",
                  "Active Status", "Termination Date"]


@pytest.mark.parametrize("here, gone", [("Yes", "No"), ("1", "0"), ("TRUE", "FALSE"), ("Y", "N"), ("yes", "no")])
def test_a_workday_active_status_of_yes_and_no_says_who_is_here_and_who_has_left(store: Store, tmp_path: Path,
                                                                                here: str, gone: str):
    """Workday's worker report has an 'Active Status' column of Yes/No (1/0 from its web services, TRUE/FALSE or
    Y/N from other tools): every row was refused ("'Yes' is not an employment status"). A yes is here, a no has
    left: on the termination date beside it, else on the day of the import."""
    path = tmp_path / "Workday Worker Report.csv"
    path.write_bytes(csv_bytes([WORKDAY_HEADER,
                                ["E001", "Anna Schmidt", "C01", "Vertrieb", "Leiterin", here, ""],
                                ["E002", "Jürgen Müller", "E001", "Vertrieb", "Verkäufer", gone, "2026-03-31"],
                                ["E003", "Chloé Martin", "E001", "Vertrieb", "Verkäuferin", gone, ""]]))
    result = import_roster(store, path, today=IMPORT_DAY)
    assert left_on(store) == {"E001": "", "E002": "2026-03-31", "E003": "2026-06-01"}
    assert "'Active Status' as employment_status" in result.summary()


def test_an_active_flag_of_true_false_and_1_0_cells_in_a_workbook_is_read(store: Store, tmp_path: Path):
    """An .xlsx export holds the flag as boolean cells (TRUE/FALSE) or numbers (1/0), not as text."""
    book = openpyxl.Workbook()
    book.active.append(["Employee ID", "Name", "Manager ID", "Department", "Job Title", "Is Active",
                        "Termination Date"])
    book.active.append(["E001", "Anna Schmidt", "C01", "Vertrieb", "Leiterin", True, None])
    book.active.append(["E002", "Jürgen Müller", "E001", "Vertrieb", "Verkäufer", False, dt.datetime(2026, 3, 31)])
    book.active.append(["E003", "Chloé Martin", "E001", "Vertrieb", "Verkäuferin", 0, None])
    book.save(tmp_path / "staff.xlsx")
    import_roster(store, tmp_path / "staff.xlsx", today=IMPORT_DAY)
    assert left_on(store) == {"E001": "", "E002": "2026-03-31", "E003": "2026-06-01"}


def test_yes_and_no_are_read_only_in_a_column_named_as_an_active_flag(store: Store, tmp_path: Path, capsys):
    """A column named just 'Status' whose values are Yes/No answers some other question: it is still ignored,
    with a note, and brings no one back nor sends anyone away; an 'Employee Status' of Yes is still refused,
    naming the column as the file does and the values read."""
    (tmp_path / "leaver.csv").write_bytes(csv_bytes([WORKDAY_HEADER[:5] + ["Termination Date"],
                                                     ["E003", "Chloé Martin", "E001", "Vertrieb", "Verkäuferin",
                                                      "2026-03-31"]]))
    import_roster(store, tmp_path / "leaver.csv")
    generic = tmp_path / "generic.csv"
    generic.write_bytes(csv_bytes([WORKDAY_HEADER[:5] + ["Status"],
                                   ["E001", "Anna Schmidt", "C01", "Vertrieb", "Leiterin", "No"],
                                   ["E003", "Chloé Martin", "E001", "Vertrieb", "Verkäuferin", "Yes"]]))
    result = import_roster(store, generic, today=IMPORT_DAY)
    assert left_on(store) == {"E001": "", "E002": "", "E003": "2026-03-31"}
    assert "ignored the column 'Status': its values (No, Yes) are not employment statuses" in result.summary()
    status = tmp_path / "status.csv"
    status.write_bytes(csv_bytes([WORKDAY_HEADER[:5] + ["Employee Status"],
                                  ["E001", "Anna Schmidt", "C01", "Vertrieb", "Leiterin", "Yes"]]))
    err = refused(store, tmp_path, capsys, "roster", status)
    assert "row 2, column 'Employee Status', value 'Yes': is not an employment status careerconv knows" in err


# ------------------------------------------------------------------ 2. dates as HR systems write them


@pytest.mark.parametrize("written", ["31-Dec-2025", "31 Dec 2025", "Dec 31, 2025", "20251231"])
def test_leaving_days_and_conversation_dates_as_hr_systems_write_them_are_read(store: Store, tmp_path: Path,
                                                                              written: str):
    """Excel's 'd-mmm-yyyy' format, Workday's and SuccessFactors' '31 Dec 2025' and 'Dec 31, 2025', and SAP's
    20251231 were refused in a termination date and a review date ("is not a date"); one parser reads them for
    both importers."""
    roster = tmp_path / "terminations.csv"
    roster.write_bytes(csv_bytes([WORKDAY_HEADER[:5] + ["Termination Date"],
                                  ["E002", "Jürgen Müller", "E001", "Vertrieb", "Verkäufer", written]]))
    import_roster(store, roster)
    assert left_on(store)["E002"] == "2025-12-31"
    history = tmp_path / "ratings.csv"
    history.write_bytes(csv_bytes([["Employee ID", "Review Date", "Competency", "Score"],
                                   ["E001", written, "Negotiation", "6"]]))
    assert import_history(store, history).added == 1
    assert conversations(store, "E001") == [("2025-12-31", "C01", [("Negotiation", 6, None,
                                                                    {"6": None, "12": None, "18": None})])]


@pytest.mark.parametrize("written, why", [("Dec 32, 2025", "is not a real calendar date"),
                                          ("31-Dex-2025", "'Dex' is not a month"),
                                          ("20251331", "is not a real calendar date when read as YYYYMMDD"),
                                          ("31-Dec-25", "has a two-digit year"),
                                          ("end of year", "is not a date")])
def test_a_date_still_refused_lists_the_forms_that_are_read(store: Store, tmp_path: Path, capsys, written: str,
                                                           why: str):
    path = tmp_path / "ratings.csv"
    path.write_bytes(csv_bytes([["Employee ID", "Review Date", "Competency", "Score"],
                                ["E001", "2025-12-31", "Negotiation", "6"], ["E002", written, "Negotiation", "5"]]))
    err = refused(store, tmp_path, capsys, "history", path)
    assert f"row 3, column 'Review Date', value {written!r}: {why}" in err
    assert DATE_FORMS in err


# ------------------------------------------------------------------ 3. errors name the file's own headers


def test_every_import_error_names_the_files_header_and_the_row_a_spreadsheet_shows(store: Store, tmp_path: Path,
                                                                                   capsys):
    """A German export (Windows-1252, semicolons) with a report title above its header: the errors named
    'employment_status' and 'left_on', columns the file does not have. They name 'Employee Status' and
    'Austrittsdatum', on the rows a spreadsheet shows (the header is row 3, under a title and a blank line), on
    the command line and in the rejected rows' reasons."""
    path = tmp_path / "Mitarbeiter.csv"
    path.write_bytes(csv_bytes([["Mitarbeiterliste Stand 01.06.2026", "", "", "", "", "", ""],
                                [""] * 7,
                                ["Personalnummer", "Name", "Führungskraft", "Abteilung", "Stelle",
                                 "Employee Status", "Austrittsdatum"],
                                ["E001", "Anna Schmidt", "", "Vertrieb", "Leiterin", "Aktiv", ""],
                                ["E 2", "Jürgen Müller", "E001", "Vertrieb", "Verkäufer", "Aktiv", ""],
                                ["E003", "Chloé Martin", "E001", "Vertrieb", "Verkäuferin", "Vielleicht",
                                 "bald"]], "cp1252", ";"))
    err = refused(store, tmp_path, capsys, "roster", path)
    assert "row 5, column 'Personalnummer', value 'E 2': employee id may only use letters" in err
    assert "row 6, column 'Employee Status', value 'Vielleicht': is not an employment status" in err
    assert "row 6, column 'Austrittsdatum', value 'bald': is not a date" in err
    assert not any(key in err for key in ("'employment_status'", "'left_on'", "'employee_id'"))
    rejected = tmp_path / "rejected.csv"
    assert main(["--data", str(store.root), "import", "roster", str(path), "--skip-invalid",
                 "--rejected", str(rejected)]) == 1
    reasons = [row["reason"] for row in csv.DictReader(io.StringIO(rejected.read_text("utf-8-sig")))]
    assert reasons[0].startswith("row 5: Personalnummer 'E 2': employee id may only use letters")
    assert reasons[1].startswith("row 6: Employee Status 'Vielleicht': is not an employment status")
    assert "; Austrittsdatum 'bald': is not a date" in reasons[1]


def test_a_history_error_names_the_files_header(store: Store, tmp_path: Path, capsys):
    path = tmp_path / "Bewertungen.csv"
    path.write_bytes(csv_bytes([["Personalnummer", "Datum", "Kompetenz", "Bewertung", "Bewertung Führungskraft"],
                                ["E001", "31.12.2025", "Führung", "11", "6"],
                                ["E002", "31.12.2025", "Führung", "5", "null"]], "cp1252", ";"))
    err = refused(store, tmp_path, capsys, "history", path)
    assert "row 2, column 'Bewertung', value '11': rating 11 is out of range" in err
    assert "row 3, column 'Bewertung Führungskraft', value 'null': rating must be a whole number" in err
    assert "'rating'" not in err and "'coach_rating'" not in err


# ------------------------------------------------------------------ 4. an Excel day count in a CSV date column


def test_an_excel_day_count_in_a_csv_date_column_is_refused_naming_the_row_and_the_forms(store: Store,
                                                                                       tmp_path: Path, capsys):
    """A date column that lost its date format is saved to CSV as Excel's count of days: 45657 was read as
    31 Dec 2024 in a history and a roster, though in a CSV such a number is far more often a mistake (an id or
    an amount in the wrong column). It is refused, naming the row, the day Excel would mean, and the forms read."""
    history = tmp_path / "ratings.csv"
    history.write_bytes(csv_bytes([["Employee ID", "Review Date", "Competency", "Score"],
                                   ["E001", "2025-12-31", "Negotiation", "6"], ["E002", "45657", "Negotiation", "5"]]))
    err = refused(store, tmp_path, capsys, "history", history)
    assert "row 3, column 'Review Date', value '45657': is a number, not a date: it looks like Excel's count of " \
           "days (45657 is 2024-12-31 in it)" in err
    assert DATE_FORMS in err
    roster = tmp_path / "terminations.csv"
    roster.write_bytes(csv_bytes([WORKDAY_HEADER[:5] + ["Termination Date"],
                                  ["E002", "Jürgen Müller", "E001", "Vertrieb", "Verkäufer", "45657"]]))
    err = refused(store, tmp_path, capsys, "roster", roster)
    assert "row 2, column 'Termination Date', value '45657': is a number, not a date" in err


def test_excels_count_of_days_in_a_workbooks_text_cell_is_told_as_such(store: Store, tmp_path: Path, capsys):
    """Found by a hostile test: '45657' in a workbook's text cell was refused in words about a CSV file."""
    book = openpyxl.Workbook()
    book.active.append(["Employee ID", "Review Date", "Competency", "Score"])
    book.active.append(["E001", "45657", "Negotiation", 6])
    book.active["B2"].number_format = "@"  # a cell kept as text
    book.save(tmp_path / "ratings.xlsx")
    err = refused(store, tmp_path, capsys, "history", tmp_path / "ratings.xlsx")
    assert "value '45657': is a number, not a date: it looks like Excel's count of days (45657 is 2024-12-31 in " \
           "it), which a spreadsheet writes into a CSV file, or into a cell kept as text, when the column" in err


def test_a_time_cell_of_a_workbook_is_named_as_the_time_it_shows(store: Store, tmp_path: Path, capsys):
    """Found by a hostile test: a time where the day should be was refused naming it ``datetime.time(12, 0)``."""
    book = openpyxl.Workbook()
    book.active.append(["Employee ID", "Review Date", "Competency", "Score"])
    book.active.append(["E001", dt.time(12, 0), "Negotiation", 6])
    book.save(tmp_path / "ratings.xlsx")
    err = refused(store, tmp_path, capsys, "history", tmp_path / "ratings.xlsx")
    assert "row 2, column 'Review Date', value 12:00:00:" in err and "datetime" not in err


def test_a_date_cell_of_a_workbook_is_still_read_as_the_day_it_shows(store: Store, tmp_path: Path):
    book = openpyxl.Workbook()
    book.active.append(["Employee ID", "Review Date", "Competency", "Score"])
    book.active.append(["E001", dt.datetime(2024, 12, 31), "Negotiation", 6])
    book.active["B2"].number_format = "DD.MM.YYYY"
    book.save(tmp_path / "ratings.xlsx")
    assert import_history(store, tmp_path / "ratings.xlsx").added == 1
    assert [c[0] for c in conversations(store, "E001")] == ["2024-12-31"]


# ------------------------------------------------------------------ 5. ratings with a decimal comma


def test_ratings_written_with_a_decimal_comma_or_point_and_zeros_are_whole_numbers(store: Store, tmp_path: Path):
    """A German or French export of rating cells formatted with one decimal writes '7,0' (and an English one
    '7.0'): each row was refused ("rating must be a whole number from 1 to 10 (digits only)")."""
    path = tmp_path / "Bewertungen.csv"
    path.write_bytes(csv_bytes([["Personalnummer", "Datum", "Kompetenz", "Bewertung", "Bewertung Führungskraft",
                                 "Ziel 6 Monate", "Ziel 12 Monate", "Ziel 18 Monate"],
                                ["E001", "31.12.2025", "Führung", "7,0", "6,0", "8,0", "9,00", ""],
                                ["E002", "31.12.2025", "Führung", "7.0", "", "10.0", "", ""]], "cp1252", ";"))
    assert import_history(store, path).added == 2
    assert conversations(store, "E001") == [("2025-12-31", "C01", [("Führung", 7, 6,
                                                                    {"6": 8, "12": 9, "18": None})])]
    assert conversations(store, "E002") == [("2025-12-31", "E001", [("Führung", 7, None,
                                                                     {"6": 10, "12": None, "18": None})])]


@pytest.mark.parametrize("rating", ["7,5", "7.5"])
def test_a_rating_with_a_fraction_is_still_refused_saying_ratings_are_whole(store: Store, tmp_path: Path, capsys,
                                                                           rating: str):
    path = tmp_path / "Bewertungen.csv"
    path.write_bytes(csv_bytes([["Personalnummer", "Datum", "Kompetenz", "Bewertung"],
                                ["E001", "31.12.2025", "Führung", rating]], "cp1252", ";"))
    err = refused(store, tmp_path, capsys, "history", path)
    assert f"row 2, column 'Bewertung', value {rating!r}: rating must be a whole number from 1 to 10, and " \
           f"{rating} has a fraction: ratings are whole numbers (7, 7.0 or 7,0)" in err


@pytest.mark.parametrize("rating", ["7,", "7."])
def test_a_rating_ending_with_its_separator_is_refused_saying_so(store: Store, tmp_path: Path, capsys,
                                                                 rating: str):
    """Found by a hostile test: '7,' (a spreadsheet's number format with no decimals left the comma) was refused
    as "digits, as in 7, 7.0 or 7,0", which it seems to be."""
    path = tmp_path / "Bewertungen.csv"
    path.write_bytes(csv_bytes([["Personalnummer", "Datum", "Kompetenz", "Bewertung"],
                                ["E001", "31.12.2025", "Führung", rating]], "cp1252", ";"))
    err = refused(store, tmp_path, capsys, "history", path)
    mark = "point" if rating.endswith(".") else "comma"
    assert f"row 2, column 'Bewertung', value {rating!r}: rating must be a whole number from 1 to 10, and " \
           f"{rating} ends with a decimal {mark} and no digit after it: write 7 (or {rating}0)" in err


# ------------------------------------------------------------------ 6. a history's Manager column


@pytest.mark.parametrize("header", ["Manager", "Vorgesetzter", "Responsable", "Manager ID"])
def test_a_history_manager_column_of_employee_ids_is_each_conversations_coach(store: Store, tmp_path: Path,
                                                                              header: str):
    """A history exported with the manager's id under 'Manager' (or 'Vorgesetzter', 'Responsable') was refused
    as an unknown column. It names the coach of each conversation, as the same column does on a roster, when
    each of its values is an employee id on the roster."""
    path = tmp_path / "ratings.csv"
    path.write_bytes(csv_bytes([["Employee ID", "Review Date", "Competency", "Score", header],
                                ["E002", "2025-12-31", "Negotiation", "6", "E003"]]))
    result = import_history(store, path)
    assert conversations(store, "E002") == [("2025-12-31", "E003", [("Negotiation", 6, None,
                                                                     {"6": None, "12": None, "18": None})])]
    assert f"{header!r} as coach_id" in result.summary()


def test_a_history_manager_column_of_names_is_left_out_with_a_note(store: Store, tmp_path: Path):
    """A 'Manager' column of names (as most exports write it) is no reason to refuse a history, whose coach is
    optional: it is left out, saying which value is not an id and that the roster's coach is taken; beside a
    'Manager ID' column it is left out too, and the coach read from 'Manager ID'."""
    names = tmp_path / "ratings.csv"
    names.write_bytes(csv_bytes([["Employee ID", "Review Date", "Competency", "Score", "Vorgesetzter"],
                                 ["E002", "2025-12-31", "Negotiation", "6", "Anna Schmidt"]]))
    result = import_history(store, names)
    assert conversations(store, "E002")[0][1] == "E001"  # the roster's coach
    assert "Note: ignored 'Vorgesetzter' ('Anna Schmidt' on row 2 is not the employee id of anyone on the " \
           "roster): each conversation's coach is the one the roster gives" in result.summary()
    both = tmp_path / "ratings-both.csv"
    both.write_bytes(csv_bytes([["Employee ID", "Review Date", "Competency", "Score", "Manager ID", "Manager"],
                                ["E003", "2025-12-31", "Negotiation", "6", "E002", "Jürgen Müller"]]))
    result = import_history(store, both)
    assert conversations(store, "E003")[0][1] == "E002"
    assert "Note: ignored 'Manager' (it names the manager, perhaps by name): each conversation's coach is read " \
           "from 'Manager ID'" in result.summary()


# ------------------------------------------------------------------ found by the hostile test of these readers


@pytest.mark.parametrize("status", ["Not Active", "Nicht aktiv", "Non actif", "No activo", "Niet actief",
                                    "No longer employed", "Nicht mehr aktiv"])
def test_a_negated_active_status_has_left(store: Store, tmp_path: Path, status: str):
    """"Not Active" held the word "active" and was read as still here: the person stayed on every due list."""
    path = tmp_path / "staff.csv"
    path.write_bytes(csv_bytes([WORKDAY_HEADER[:5] + ["Employee Status"],
                                ["E001", "Anna Schmidt", "C01", "Vertrieb", "Leiterin", "Active - Non-Exempt"],
                                ["E003", "Chloé Martin", "E001", "Vertrieb", "Verkäuferin", status]]))
    import_roster(store, path, today=IMPORT_DAY)
    assert left_on(store) == {"E001": "", "E002": "", "E003": "2026-06-01"}


def test_a_negated_word_of_leaving_is_not_guessed(store: Store, tmp_path: Path, capsys):
    path = tmp_path / "staff.csv"
    path.write_bytes(csv_bytes([WORKDAY_HEADER[:5] + ["Employee Status"],
                                ["E003", "Chloé Martin", "E001", "Vertrieb", "Verkäuferin", "Not terminated"]]))
    err = refused(store, tmp_path, capsys, "roster", path)
    assert "column 'Employee Status', value 'Not terminated': is not an employment status careerconv knows" in err


def test_two_status_columns_that_disagree_on_a_row_are_not_guessed_between(store: Store, tmp_path: Path, capsys):
    """A 'Status' beside an 'Active Status': the first was read, the note called the second a column careerconv
    does not use, and a row where they disagreed (Active, No) kept the person here without a word."""
    header = WORKDAY_HEADER[:5] + ["Active Status", "Status"]
    agree = tmp_path / "agree.csv"
    agree.write_bytes(csv_bytes([header, ["E001", "Anna Schmidt", "C01", "Vertrieb", "Leiterin", "Yes", "Active"],
                                 ["E003", "Chloé Martin", "E001", "Vertrieb", "Verkäuferin", "No", "Terminated"]]))
    result = import_roster(store, agree, today=IMPORT_DAY)
    assert left_on(store)["E003"] == "2026-06-01"
    notes = result.summary()
    assert "careerconv does not use" not in notes
    assert ("'Status' is another name for employment_status, which is read from 'Active Status': 'Status' is read "
            "where 'Active Status' is empty or holds a kind of contract (Full-Time, Part-Time ...), and a row where "
            "the two disagree is read by its leaving day, and refused without one") in notes
    disagree = tmp_path / "disagree.csv"
    disagree.write_bytes(csv_bytes([header, ["E001", "Anna Schmidt", "C01", "Vertrieb", "Leiterin", "No", "Active"]]))
    err = refused(store, tmp_path, capsys, "roster", disagree)
    assert "row 2, column 'Active Status', value 'No': 'Active Status' says has left (No) and 'Status' says still " \
           "here (Active): which one is right is not guessed" in err


def bamboohr_statuses(path: Path, rows: list[list], termination_dates: list | None) -> Path:
    """A BambooHR report saved as .xlsx with both its 'Status' (Active / Inactive: whether the record is active)
    and its 'Employment Status' (Full-Time ..., Terminated once the end of employment is entered), and with
    'Termination Date' as date cells unless ``termination_dates`` is None."""
    book = openpyxl.Workbook()
    book.active.append(["Employee #", "First Name", "Last Name", "Supervisor EID", "Department", "Job Title",
                        "Status", "Employment Status", *(["Termination Date"] if termination_dates else [])])
    for row, day in zip(rows, termination_dates or [None] * len(rows)):
        book.active.append([*row, *([day] if termination_dates else [])])
    book.save(path)
    return path


BAMBOOHR_LEAVING = [["E001", "Anna", "Schmidt", "C01", "Vertrieb", "Leiterin", "Active", "Full-Time"],
                    ["E002", "Jürgen", "Müller", "E001", "Vertrieb", "Verkäufer", "Active", "Terminated"],
                    ["E003", "Chloé", "Martin", "E001", "Vertrieb", "Verkäuferin", "Active", "Terminated"]]


def test_bamboohrs_active_beside_terminated_is_read_by_the_termination_date(store: Store, tmp_path: Path):
    """BambooHR keeps someone whose end of employment is entered Active in 'Status' (until the effective day, or
    until HR makes them Inactive) while 'Employment Status' says Terminated: every such row was refused as a
    contradiction. The termination date says when they leave or left: Jürgen left on 30 April, Chloé is here until
    31 July."""
    path = bamboohr_statuses(tmp_path / "employees.xlsx", BAMBOOHR_LEAVING,
                             [None, dt.datetime(2026, 4, 30), dt.datetime(2026, 7, 31)])
    result = import_roster(store, path, today=IMPORT_DAY)
    assert left_on(store) == {"E001": "", "E002": "2026-04-30", "E003": "2026-07-31"}
    assert ("2 row(s) where 'Employment Status' and 'Status' disagree, one saying still here and the other has left "
            "(row(s) 3, 4), were read by their leaving day: someone whose end of employment is entered leaves on it "
            "(a day to come keeps them here until then)") in result.summary()


def test_bamboohrs_active_beside_terminated_without_a_termination_date_is_refused_saying_what_to_add(
        store: Store, tmp_path: Path, capsys):
    path = bamboohr_statuses(tmp_path / "employees.xlsx", BAMBOOHR_LEAVING[:2], None)
    err = refused(store, tmp_path, capsys, "roster", path)
    assert ("row 3, column 'Employment Status', value 'Terminated': 'Employment Status' says has left (Terminated) "
            "and 'Status' says still here (Active): which one is right is not guessed without the day they leave or "
            "left (BambooHR, for one, keeps someone whose end of employment is entered Terminated in 'Employment "
            "Status' and Active in 'Status' until that day): add the leaving day to the export (a column such as "
            "'Termination Date'), which then decides; or correct the row, or leave the column that is wrong out of "
            "the file") in err


def test_an_active_flag_that_would_send_a_third_away_without_a_day_is_refused(tmp_path: Path, capsys):
    """A Yes/No column headed 'Active' that answers another question marked 8 of 16 people as left today; a flag
    with leaving days beside it, or sending a few away, is read as before."""
    rows = [["employee_id", "name", "coach_id", "department", "role"]] + [
        [f"E{i:03d}", f"Person {i}", "C01", "Vertrieb", "Verkäufer"] for i in range(1, 10)]
    store = store_with_roster(tmp_path, rows)
    header = ["Employee ID", "Name", "Manager ID", "Department", "Job Title", "Active"]
    flagged = tmp_path / "flagged.csv"
    flagged.write_bytes(csv_bytes([header] + [[*row[:5], "No" if i % 2 else "Yes"]
                                              for i, row in enumerate(rows[1:])]))
    err = refused(store, tmp_path, capsys, "roster", flagged)
    assert "column 'Active' is read as whether each person still works here, and it would mark 4 of the 9 " \
           "people here as left, with no leaving day beside it" in err
    assert "rename it in the file so that it is not read" in err
    few = tmp_path / "few.csv"
    few.write_bytes(csv_bytes([header] + [[*row[:5], "No" if i < 2 else "Yes"] for i, row in enumerate(rows[1:])]))
    import_roster(store, few, today=IMPORT_DAY)
    assert sum(1 for day in left_on(store).values() if day) == 2


def test_a_history_row_naming_the_employee_as_their_own_manager_has_no_coach_from_the_file(store: Store,
                                                                                           tmp_path: Path):
    """HR systems make the head of the organisation their own manager: the roster import reads that as no coach,
    the history import stored them as the coach of their own conversation (found by a hostile test)."""
    path = tmp_path / "ratings.csv"
    path.write_bytes(csv_bytes([["Employee ID", "Review Date", "Competency", "Score", "Manager"],
                                ["E001", "2025-12-31", "Leadership", "7", "E001"],
                                ["E002", "2025-12-31", "Negotiation", "6", "E003"]]))
    result = import_history(store, path)
    assert conversations(store, "E001")[0][1] == "C01"  # the roster's coach, not E001 herself
    assert conversations(store, "E002")[0][1] == "E003"
    assert "1 row(s) name the employee as their own manager (rows 2), as HR systems mark the head of the " \
           "organisation: no coach is read from the file for that conversation (the roster's coach is taken)" in \
        result.summary()


def test_a_dotted_date_is_day_first_and_says_nothing_of_the_files_slash_dates(store: Store, tmp_path: Path,
                                                                              capsys):
    """31.12.2024 decided that the same file's 03/04/2024 was day first, and a file of dotted dates that all read
    both ways (03.04.2025) needed --date-order: dates with dots are day first wherever they are written so
    (found by a hostile test)."""
    dotted = tmp_path / "bewertungen.csv"
    dotted.write_bytes(csv_bytes([["Personalnummer", "Datum", "Kompetenz", "Bewertung"],
                                  ["E002", "03.04.2025", "Verhandlung", "6"]]))
    import_history(store, dotted)
    assert conversations(store, "E002")[0][0] == "2025-04-03"
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(csv_bytes([["Employee ID", "Date", "Skill", "Rating"],
                                 ["E003", "31.12.2024", "Negotiation", "6"],
                                 ["E003", "03/04/2024", "Negotiation", "5"]]))
    err = refused(store, tmp_path, capsys, "history", mixed)
    assert "day and month order is ambiguous" in err


@pytest.mark.parametrize("status", ["Not currently active", "Active: No", "Employed - No", "No longer actively employed"])
def test_a_no_elsewhere_in_a_status_of_being_here_is_not_guessed_at(store: Store, tmp_path: Path, capsys,
                                                                    status: str):
    """Found by a second hostile test: these were read as still here (only "Not Active" was read as left)."""
    path = tmp_path / "staff.csv"
    path.write_bytes(csv_bytes([WORKDAY_HEADER[:5] + ["Employee Status"],
                                ["E003", "Chloé Martin", "E001", "Vertrieb", "Verkäuferin", status]]))
    err = refused(store, tmp_path, capsys, "roster", path)
    assert "is not an employment status careerconv knows" in err


def test_a_second_status_column_is_read_where_the_first_is_empty(store: Store, tmp_path: Path):
    """Found by a second hostile test: 'Employment Status' empty and 'Status' Terminated kept the person here."""
    path = tmp_path / "staff.csv"
    path.write_bytes(csv_bytes([WORKDAY_HEADER[:5] + ["Employment Status", "Status"],
                                ["E001", "Anna Schmidt", "C01", "Vertrieb", "Leiterin", "Active", ""],
                                ["E003", "Chloé Martin", "E001", "Vertrieb", "Verkäuferin", "", "Terminated"]]))
    import_roster(store, path, today=IMPORT_DAY)
    assert left_on(store) == {"E001": "", "E002": "", "E003": "2026-06-01"}


def test_a_dry_run_of_the_roster_as_it_is_says_every_row_is_unchanged(store: Store, tmp_path: Path):
    """Found by a second hostile test: a dry run of an unchanged roster said "updated 3, unchanged 0" where the
    import then said "unchanged 3" (a leaving day of none, NaT, read as a day)."""
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes(ROSTER))
    dry = import_roster(store, path, dry_run=True)
    real = import_roster(store, path)
    assert (dry.added, dry.updated, dry.unchanged) == (real.added, real.updated, real.unchanged) == (0, 0, 3)
