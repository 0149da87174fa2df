"""Rosters as HR people export them from Workday, SAP SuccessFactors, BambooHR, Personio and Excel, built here in
code the way those systems write them: a report title and parameters above the header row, first and last name
beside an often empty preferred name, ids Excel stored as numbers. Each imports as it is."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from careerconv.records import schema
from careerconv.cli import main
from careerconv.records.importers import import_history, import_roster
from careerconv.records.store import Store

WORKDAY_HEADER = ["Employee ID", "Legal Name", "Preferred Name", "Manager ID", "Supervisory Organization",
                  "Business Title", "Work Email", "Hire Date"]
WORKERS = [
    ["W1", "Grace Hopper", "Grace Hopper", "", "Executive", "CEO", "grace@example.org", "2001-02-03"],
    ["W2", "Jürgen Müller", "Jürgen Müller", "W1", "Engineering", "Engineer", "juergen@example.org", "2019-03-04"],
    ["W3", "Íñigo Núñez", "Íñigo Núñez", "W2", "Engineering", "Engineer", "inigo@example.org", "2020-05-06"],
]


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8-sig", delimiter: str = ",") -> bytes:
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode(encoding)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "data")


def test_a_report_title_and_parameters_above_the_header_row_are_not_read(store: Store, tmp_path: Path):
    """Workday and SAP reports start with the report's name, its run date and its prompts, then a blank line,
    then the header row (before, the title was taken for the header: 'unknown column "Workday Report: Active
    Workers"' and every row 'has 8 cells but the header row names 1 columns'). A German Excel's semicolons and
    Windows-1252 text are found under the title too."""
    title = [["Workday Report: Active Workers"], ["Run Date", "2026-11-30"], ["Effective as of", "2026-11-30"], []]
    path = tmp_path / "Active_Workers.csv"
    path.write_bytes(csv_bytes(title + [WORKDAY_HEADER] + WORKERS, "cp1252", ";"))
    result = import_roster(store, path)
    assert (result.added, result.rejected) == (3, [])
    assert "semicolon-separated" in result.how_read and "3 data rows" in result.how_read
    assert "the header row is row 5; the 3 rows above it were not read" in result.summary()
    roster = store.roster().set_index("employee_id")
    assert roster.loc["W2", "name"] == "Jürgen Müller" and roster.loc["W3", "coach_id"] == "W2"


def test_a_merged_title_row_above_the_header_of_the_second_sheet(store: Store, tmp_path: Path):
    """A workbook whose first sheet is a summary and whose roster sheet has a merged title row: the roster
    sheet is read from its header row (before, no sheet's first row named the columns, so the summary sheet
    was read and refused)."""
    book = openpyxl.Workbook()
    book.active.title = "Summary"
    book.active.append(["Headcount", 3])
    sheet = book.create_sheet("Workers")
    sheet.append(["Active workers as of 30 November 2026"])
    sheet.merge_cells("A1:H1")
    sheet.append(WORKDAY_HEADER)
    for row in WORKERS:
        sheet.append(row)
    book.save(tmp_path / "workers.xlsx")
    result = import_roster(store, tmp_path / "workers.xlsx")
    assert (result.added, result.rejected) == (3, [])
    assert "sheet 'Workers'" in result.how_read
    assert "the header row is row 2; row 1 above it was not read" in result.summary()
    assert list(store.roster()["employee_id"]) == ["W1", "W2", "W3"]


def test_a_file_that_is_not_a_roster_is_still_refused_at_its_first_row(store: Store, tmp_path: Path):
    """Looking below the first row for the header does not make an invoice a roster."""
    path = tmp_path / "invoice.csv"
    path.write_bytes(csv_bytes([["Invoice"], ["Invoice No", "Customer", "Amount"], ["INV-1", "ACME", "12.50"]]))
    with pytest.raises(Exception) as exc:
        import_roster(store, path)
    assert "row 1: required columns 'employee_id', 'name', 'coach_id', 'department', 'role' are missing" \
        in str(exc.value)
    assert not (store.root / "roster.csv").exists()


def test_an_empty_preferred_name_is_filled_from_first_and_last_name(store: Store, tmp_path: Path):
    """BambooHR exports Preferred Name beside First Name and Last Name, and it is empty for most people: every
    such row was refused with 'name is required'. The name is now the preferred name where there is one, and
    first and last name where not, as the HR system itself shows people."""
    header = ["Employee #", "First Name", "Last Name", "Preferred Name", "Department", "Job Title",
              "Supervisor EID", "Work Email"]
    rows = [["101", "Margaret", "Hamilton", "Maggie", "Engineering", "Director", "", "mh@example.org"],
            ["102", "Zoë", "Dvořák", "", "Engineering", "Engineer", "101", "zd@example.org"],
            ["103", "Íñigo", "Núñez", "", "Sales", "Rep", "101", "in@example.org"]]
    path = tmp_path / "bamboohr.csv"
    path.write_bytes(csv_bytes([header] + rows))
    result = import_roster(store, path)
    assert (result.added, result.rejected) == (3, [])
    assert dict(zip(store.roster()["employee_id"], store.roster()["name"])) == {
        "101": "Maggie", "102": "Zoë Dvořák", "103": "Íñigo Núñez"}
    assert "2 employee(s) with an empty 'Preferred Name' were named from 'First Name' and 'Last Name'" \
        in result.summary()
    assert import_roster(store, path).unchanged == 3


def test_a_workday_preferred_name_falls_back_to_the_legal_name(store: Store, tmp_path: Path):
    rows = [row[:] for row in WORKERS]
    rows[1][2] = ""
    path = tmp_path / "workers.csv"
    path.write_bytes(csv_bytes([WORKDAY_HEADER] + rows))
    result = import_roster(store, path)
    assert store.roster().set_index("employee_id").loc["W2", "name"] == "Jürgen Müller"
    assert "'Legal Name' as name where 'Preferred Name' is empty" in result.summary()


def test_ids_that_excel_stored_as_numbers_keep_their_leading_zeros(store: Store, tmp_path: Path):
    """A roster of ids 00123, 00124 was imported from CSV; HR then exports the next one to Excel, which stores
    the id columns as numbers (123, 124). Before, those were two new employees '123' and '124' (the coach of one
    of them '123'), beside the same two people with their real ids: everyone twice, records left behind. Now
    such an id is read as the one id on the roster that has its number with leading zeros."""
    first = tmp_path / "roster.csv"
    first.write_bytes(csv_bytes([["employee_id", "name", "coach_id", "department", "role"],
                                 ["00123", "Ann Lee", "", "Ops", "Lead"], ["00124", "Bo Kim", "00123", "Ops", "Eng"]]))
    import_roster(store, first)
    book = openpyxl.Workbook()
    book.active.append(["Employee ID", "Name", "Manager ID", "Department", "Job Title"])
    book.active.append([123, "Ann Lee", None, "Ops", "Lead"])
    book.active.append([124, "Bo Kim", 123, "Operations", "Eng"])
    book.active.append([125, "Cy Doe", 124, "Ops", "Eng"])
    book.save(tmp_path / "roster.xlsx")
    result = import_roster(store, tmp_path / "roster.xlsx")
    assert (result.added, result.updated, result.unchanged) == (1, 1, 1)
    roster = store.roster()
    assert list(roster["employee_id"]) == ["00123", "00124", "125"]
    assert list(roster["coach_id"]) == ["", "00123", "00124"]
    assert list(roster["department"]) == ["Ops", "Operations", "Ops"]
    assert "123 as 00123, 124 as 00124" in result.summary()
    assert import_roster(store, tmp_path / "roster.xlsx").unchanged == 3


def test_an_id_that_lost_its_zeros_keeps_the_email_and_cadence_the_file_leaves_out(store: Store,
                                                                                    tmp_path: Path):
    """Found by a hostile import: 007 imported with cadence 6 and an email, then the same person from an Excel export
    without those columns (7): "updated 1", and the roster row had the email wiped and the cadence put back to 12.
    The file said the others keep theirs; the lookup used the id as typed (7), not as read (007)."""
    first = tmp_path / "roster.csv"
    header = ["employee_id", "name", "coach_id", "department", "role", "cadence_months", "email"]
    first.write_bytes(csv_bytes([header, ["007", "Jim Bond", "", "MI6", "Agent", "6", "jim@example.org"]]))
    import_roster(store, first)
    again = tmp_path / "export.csv"
    again.write_bytes(csv_bytes([["employee_id", "name", "coach_id", "department", "role"],
                                 ["7", "Jim Bond", "", "MI6", "Agent"]]))
    result = import_roster(store, again)
    assert (result.added, result.updated, result.unchanged) == (0, 0, 1)
    row = store.roster().iloc[0]
    assert (row["employee_id"], row["cadence_months"], row["email"]) == ("007", 6, "jim@example.org")


def test_a_new_hire_whose_id_is_a_roster_id_without_its_zeros_is_not_merged_into_that_person(store: Store,
                                                                                                tmp_path: Path):
    """Found by a hostile import: with 0125 (Ann Lee) on the roster, a new hire 125 (Cy Doe) was read as 0125 and
    renamed Ann, who then had Cy's name beside her records. A bare number is read as the roster's id with its
    zeros only beside that person's name (the same words, in any order): a word in common is not enough, so a
    married name is taken under the id as the roster writes it."""
    first = tmp_path / "roster.csv"
    header = ["employee_id", "name", "coach_id", "department", "role"]
    first.write_bytes(csv_bytes([header, ["0125", "Ann Lee", "", "Ops", "Lead"], ["0126", "Bo Kim", "", "Ops", "Eng"]]))
    import_roster(store, first)
    before = store.roster_path.read_bytes()
    hire = tmp_path / "hire.csv"
    hire.write_bytes(csv_bytes([header, ["125", "Cy Doe", "", "Ops", "Eng"]]))
    with pytest.raises(schema.ValidationError) as refused:
        import_roster(store, hire)
    message = str(refused.value)
    assert "reads as '0125' once the leading zeros Excel drops are put back, but 0125 on the roster is 'Ann Lee'" \
        in message and "write the id with its zeros" in message
    assert store.roster_path.read_bytes() == before
    married = tmp_path / "married.csv"
    married.write_bytes(csv_bytes([header, ["126", "Bo Park-Kim", "", "Ops", "Eng"]]))
    with pytest.raises(schema.ValidationError, match="0126 on the roster is 'Bo Kim', not 'Bo Park-Kim'"):
        import_roster(store, married)
    assert store.roster_path.read_bytes() == before
    married.write_bytes(csv_bytes([header, ["0126", "Bo Park-Kim", "", "Ops", "Eng"]]))
    assert import_roster(store, married).updated == 1
    assert dict(zip(store.roster()["employee_id"], store.roster()["name"])) == {"0125": "Ann Lee",
                                                                               "0126": "Bo Park-Kim"}


def test_a_cell_beyond_the_csv_field_limit_in_the_first_lines_is_named_not_a_traceback(tmp_path: Path, capsys):
    """Found by a hostile import: a cell of 200,000 characters on the first data line ended the import with
    "_csv.Error: field larger than field limit (131072)" from the separator guess, before the reader's own
    check. (The limit is the process's: a fresh command starts at Python's default.)"""
    before = csv.field_size_limit(131_072)
    data = tmp_path / "data"
    Store(data)
    history = tmp_path / "history.csv"
    history.write_text("employee_id,date,skill,rating\nE0001,2019-01-10," + "S" * 200_000 + ",5\n", encoding="utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_text("employee_id,name,coach_id,department,role\nE1," + "X" * 300_000 + ",,Ops,Eng\n",
                      encoding="utf-8")
    for kind, path, column in (("history", history, "skill"), ("roster", roster, "name")):
        assert main(["--data", str(data), "import", kind, str(path)]) != 0
        err = capsys.readouterr().err
        assert "Traceback" not in err and "row 2, column " + repr(column) in err and "at most 100000" in err
    csv.field_size_limit(before)


def test_an_id_without_zeros_is_not_guessed_when_two_ids_have_its_number(store: Store, tmp_path: Path):
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes([["employee_id", "name", "coach_id", "department", "role"],
                                ["0123", "Ann Lee", "", "Ops", "Lead"], ["00123", "Bo Kim", "", "Ops", "Eng"],
                                ["7", "Cy Doe", "123", "Ops", "Eng"]]))
    with pytest.raises(schema.ValidationError) as refused:
        import_roster(store, path)
    assert "column 'coach_id', value '123': could be any of 00123, 0123" in str(refused.value)
    assert store.roster().empty


def import_export(store: Store, tmp_path: Path, header: list[str], rows: list[list[str]]):
    """Import a roster as a European HR system exports it: Windows-1252 text, separated by semicolons."""
    path = tmp_path / "export.csv"
    path.write_bytes(csv_bytes([header] + rows, "cp1252", ";"))
    return import_roster(store, path)


@pytest.mark.parametrize("header", [
    # SAP SuccessFactors: the manager is named by their user id.
    ["User ID", "First Name", "Last Name", "Manager User ID", "Department", "Title", "Email"],
    # SAP HCM in German, with the cost center as the only unit.
    ["Personalnummer", "First Name", "Last Name", "Supervisor Employee ID", "Cost Center", "Job Title", "E-Mail"],
    # A Workday report with Cost Center and no department.
    ["Employee ID", "First Name", "Last Name", "Manager ID", "Cost Center", "Business Title", "Work Email"],
])
def test_sap_and_cost_center_exports_name_their_columns_as_the_hr_system_does(store: Store, tmp_path: Path,
                                                                              header: list[str]):
    """These were refused with 'required column ... is missing' ('Manager User ID', 'Personalnummer' and
    'Cost Center' were unknown)."""
    result = import_export(store, tmp_path, header,
                           [["101", "Ann", "Lee", "", "Finance", "CFO", "a@example.org"],
                            ["102", "Bo", "Kim", "101", "Finance", "Analyst", "b@example.org"]])
    assert (result.added, result.rejected) == (2, [])
    assert store.roster()[["employee_id", "coach_id", "department"]].values.tolist() == [
        ["101", "", "Finance"], ["102", "101", "Finance"]]


@pytest.mark.parametrize("header", [
    # Personio in German, the supervisor's employee id under 'Vorgesetzte(r)'.
    ["Personalnummer", "Vorname", "Nachname", "E-Mail", "Abteilung", "Vorgesetzte(r)", "Position"],
    # SAP SuccessFactors in German.
    ["Personalnummer", "Vorname", "Nachname", "E-Mail-Adresse", "Abteilung", "Führungskraft", "Stelle"],
    ["Mitarbeiter-ID", "Vorname", "Nachname", "E-Mail", "Abteilung", "Vorgesetzter", "Stellenbezeichnung"],
    # French, with and without the accents.
    ["Matricule", "Prénom", "Nom", "Adresse e-mail", "Département", "Responsable hiérarchique", "Poste"],
    ["Matricule", "Prenom", "Nom", "E-mail", "Service", "Manager", "Intitule du poste"],
    # Spanish and Dutch.
    ["Número de empleado", "Nombre", "Apellidos", "Correo electrónico", "Departamento", "Responsable", "Puesto"],
    ["Personeelsnummer", "Voornaam", "Achternaam", "E-mailadres", "Afdeling", "Leidinggevende", "Functie"],
])
def test_german_french_spanish_and_dutch_exports_name_their_columns_in_their_language(
        store: Store, tmp_path: Path, header: list[str]):
    """A Personio or SAP SuccessFactors export in German was refused: "unknown column 'Vorname'; did you mean
    'name'?", and 'Abteilung' and 'Vorgesetzte(r)' unknown, so 'name', 'coach_id' and 'department' were missing.
    The same columns in French, Spanish and Dutch are read too, and the import says which it read as what."""
    result = import_export(store, tmp_path, header,
                           [["101", "Anna", "Schmidt", "anna@example.org", "Vertrieb", "", "Leiterin Vertrieb"],
                            ["102", "Jürgen", "Müller", "juergen@example.org", "Vertrieb", "101", "Account Manager"]])
    assert (result.added, result.rejected) == (2, [])
    assert f"{header[1]!r} and {header[2]!r} together as name" in result.summary()
    assert store.roster()[["employee_id", "name", "coach_id", "department", "role", "email"]].values.tolist() == [
        ["101", "Anna Schmidt", "", "Vertrieb", "Leiterin Vertrieb", "anna@example.org"],
        ["102", "Jürgen Müller", "101", "Vertrieb", "Account Manager", "juergen@example.org"]]


def test_a_german_supervisor_column_of_names_is_refused_asking_for_the_id(store: Store, tmp_path: Path, capsys):
    """'Vorgesetzte(r)' holds the supervisor's name in some exports: it is read as the coach's id only when every
    value is an employee id, as 'Supervisor' is; a missing column's problem names what is allowed."""
    header = ["Personalnummer", "Vorname", "Nachname", "Abteilung", "Vorgesetzte(r)", "Stelle"]
    path = tmp_path / "export.csv"
    path.write_bytes(csv_bytes([header, ["101", "Anna", "Schmidt", "Vertrieb", "", "Leiterin"],
                                ["102", "Jürgen", "Müller", "Vertrieb", "Anna Schmidt", "Verkäufer"]],
                               delimiter=";"))
    with pytest.raises(Exception) as exc:
        import_roster(store, path)
    assert "column 'Vorgesetzte(r)' names the manager ('Anna Schmidt' on row 3)" in str(exc.value)
    path.write_bytes(csv_bytes([["Personalnummer", "Vorname", "Nachname", "Bereich", "Stelle"],
                                ["101", "Anna", "Schmidt", "Vertrieb", "Leiterin"]], delimiter=";"))
    assert main(["--data", str(store.root), "import", "roster", str(path)]) == 1
    err = capsys.readouterr().err
    assert "required columns 'coach_id', 'department' are missing; the header row must name: employee_id, name, " \
        "coach_id, department, role (optional: cadence_months, email" in err
    assert "Note: ignored 1 column(s) careerconv does not use: 'Bereich'." in err
    assert not (store.root / "roster.csv").exists()


def test_a_totals_row_and_a_confidentiality_line_below_the_table_are_not_read(store: Store, tmp_path: Path):
    """Reports end with 'Total: 3 employees' and a classification line; in a CSV the first was a row of one
    cell ('has 1 cell but the header row names 8 columns'), in a workbook an employee id 'Total: 3 employees'
    with no name: the whole file was refused. A last row holding only an id is still an invalid row."""
    path = tmp_path / "workers.csv"
    path.write_bytes(csv_bytes([WORKDAY_HEADER] + WORKERS + [[], ["Total: 3 employees"], ["Classification: Confidential"]]))
    result = import_roster(store, path)
    assert (result.added, result.rejected) == (3, [])
    assert "rows 6-7 below the table, each one text that is not an id ('Total: 3 employees'; 'Classification: Confidential')" \
        in result.summary()
    book = openpyxl.Workbook()
    book.active.append(WORKDAY_HEADER)
    for row in WORKERS:
        book.active.append(row)
    book.active.append(["Total: 3 employees"])
    book.save(tmp_path / "workers.xlsx")
    result = import_roster(store, tmp_path / "workers.xlsx")
    assert (result.unchanged, result.rejected) == (3, [])
    assert "row 5 below the table, one text that is not an id ('Total: 3 employees'), was taken" in result.summary()
    path.write_bytes(csv_bytes([WORKDAY_HEADER] + WORKERS + [["W4"]]))
    with pytest.raises(Exception, match="row 5: has 1 cell but the header row names 8 columns"):
        import_roster(store, path)


def test_the_head_of_the_organisation_as_their_own_manager_has_no_coach(store: Store, tmp_path: Path):
    """SAP and Workday mark the top of the organisation by making them their own manager. Before, they were
    stored as their own coach, so they would coach their own career conversation."""
    rows = [row[:] for row in WORKERS]
    rows[0][3] = "W1"
    path = tmp_path / "workers.csv"
    path.write_bytes(csv_bytes([WORKDAY_HEADER] + rows))
    result = import_roster(store, path)
    assert list(store.roster()["coach_id"]) == ["", "W1", "W2"]
    assert "1 employee(s) are their own manager in the file (W1)" in result.summary()
    assert import_roster(store, path).unchanged == 3


def test_rows_ending_with_a_separator_the_header_lacks_are_refused_saying_so(store: Store, tmp_path: Path):
    """An export that ends each data row with a separator, and the header row not, was refused on every row
    with 'a value holding the separator must be in double quotes', pointing at quotes that were not the
    matter. The refusal stays (a row with an unquoted separator and an empty last cell looks the same) but
    says what it may be and how to mend it."""
    text = ",".join(WORKDAY_HEADER) + "\r\n" + "".join(",".join(row) + ",\r\n" for row in WORKERS)
    path = tmp_path / "workers.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(Exception) as exc:
        import_roster(store, path)
    assert "row 2: has 9 cells but the header row names 8 columns (its last 1 cell(s) are empty: if the export " \
        "ends each row with a separator and the header row not, open the file in a spreadsheet and save it again" \
        in str(exc.value)
    assert not (store.root / "roster.csv").exists()
    # What the spreadsheet writes back: the header row padded as wide as the rows.
    path.write_text(",".join(WORKDAY_HEADER) + ",\r\n" + "".join(",".join(row) + ",\r\n" for row in WORKERS),
                    encoding="utf-8")
    assert import_roster(store, path).added == 3


@pytest.mark.parametrize("target", ["roster.csv", "erased.json", "notes/rejected.csv"])
def test_rejected_rows_are_never_written_into_the_data_folder(store: Store, tmp_path: Path, capsys, target: str):
    """`--skip-invalid --rejected DATA/roster.csv` wrote the one rejected row over the roster: sixty employees
    gone, and the folder no longer valid. The data folder's files are careerconv's; the import now refuses such
    a target before it reads anything into the store, and the roster is as it was."""
    path = tmp_path / "workers.csv"
    path.write_bytes(csv_bytes([WORKDAY_HEADER] + WORKERS))
    import_roster(store, path)
    before = (store.root / "roster.csv").read_bytes()
    bad = tmp_path / "more.csv"
    bad.write_bytes(csv_bytes([WORKDAY_HEADER, ["W4", "Ann Lee", "W1", "", "x", "", ""]] + WORKERS))
    code = main(["--data", str(store.root), "import", "roster", str(bad), "--skip-invalid",
                 "--rejected", str(store.root / target)])
    err = capsys.readouterr().err
    assert code != 0 and "cannot be written into the data folder" in err
    assert (store.root / "roster.csv").read_bytes() == before
    assert not (store.root / target).exists() or target == "roster.csv"
    with pytest.raises(ValueError, match="into the data folder"):
        import_history(store, bad, skip_invalid=True, rejected_path=store.root / target)


def test_a_mac_roman_csv_is_refused_rather_than_read_into_wrong_letters(store: Store, tmp_path: Path):
    """Excel for Mac saves 'Comma Separated Values' as Mac Roman text with CR line ends. Its bytes read as
    Windows-1252 without an error, so 'J\u00fcrgen M\u00fcller' was stored as 'J\u0178rgen M\u0178ller' and
    'g\u00e9n\u00e9rale' as 'g\u017dn\u017drale', silently. Such a file is now refused, naming the word."""
    text = ("employee_id,name,coach_id,department,role\rM1,J\u00fcrgen M\u00fcller,,Entwicklung,Ingenieur\r"
            "M2,Zo\u00eb N\u00fa\u00f1ez,M1,Ventes,Directrice g\u00e9n\u00e9rale\r")
    path = tmp_path / "roster.csv"
    path.write_bytes(text.encode("mac_roman"))
    with pytest.raises(Exception) as exc:
        import_roster(store, path)
    assert "looks like Mac Roman text (Excel for Mac's 'Comma Separated Values' format): read as Windows-1252 " \
        "it has 'J\u0178rgen' on line 2; save it as CSV UTF-8 or .xlsx" in str(exc.value)
    assert not (store.root / "roster.csv").exists()


def test_windows_1252_names_that_look_odd_are_still_read(store: Store, tmp_path: Path):
    """What Windows-1252 words do hold: apostrophes and dashes between words, \u0161, \u017e and \u0153 in them."""
    names = ["Se\u00e1n O\u2019Brien", "Petra Bla\u017eek", "Ir\u00e8ne S\u0153ur", "Jan Ko\u0161ek\u2013Nov\u00e1k"]
    rows = "".join(f"M{i},{name},,Ventes,R\u00f4le\r\n" for i, name in enumerate(names))
    path = tmp_path / "roster.csv"
    path.write_bytes(("employee_id,name,coach_id,department,role\r\n" + rows).encode("cp1252"))
    result = import_roster(store, path)
    assert "Windows-1252" in result.how_read and list(store.roster()["name"]) == names


TITLE_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters=',;"\t\u2028\u2029\x85'),
                     min_size=1, max_size=40).filter(lambda t: t.strip() and not t.lower().startswith("sep="))


@settings(max_examples=40,
          suppress_health_check=[*settings.default.suppress_health_check, HealthCheck.function_scoped_fixture])
@given(title=st.lists(st.lists(TITLE_TEXT, min_size=1, max_size=3), max_size=6),
       delimiter=st.sampled_from([",", ";", "\t"]), blank_after=st.booleans())
def test_any_title_block_above_the_header_gives_the_same_roster(tmp_path_factory, title, delimiter, blank_after):
    folder = tmp_path_factory.mktemp("title")
    path = folder / "export.csv"
    path.write_bytes(csv_bytes(title + ([[]] if blank_after else []) + [WORKDAY_HEADER] + WORKERS, "utf-8-sig",
                               delimiter))
    store = Store(folder / "data")
    result = import_roster(store, path)
    assert (result.added, result.rejected) == (3, [])
    assert store.roster()[["employee_id", "name", "coach_id"]].values.tolist() == [
        ["W1", "Grace Hopper", ""], ["W2", "Jürgen Müller", "W1"], ["W3", "Íñigo Núñez", "W2"]]
