"""Rating histories as HR people export them from appraisal systems in English, German, French, Spanish and Dutch,
built here in code the way those systems and Excel write them, and imported again under another name."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import openpyxl
import pytest

from careerconv.cli import main
from careerconv.records.importers import FileRejected, import_history, import_roster
from careerconv.records.store import Store

ROSTER = [["employee_id", "name", "coach_id", "department", "role"],
          ["E001", "Anna Schmidt", "C01", "Vertrieb", "Leiterin"],
          ["E002", "Jürgen Müller", "C01", "Vertrieb", "Verkäufer"]]
# employee, date (31 December 2025), skill, rating, coach's rating, targets at 6, 12 and 18 months, coach
RATINGS = [["E001", "31.12.2025", "Führung", "5", "6", "6", "7", "8", "C07"],
           ["E001", "31.12.2025", "Präsentieren", "7", "", "8", "", "", "C07"],
           ["E002", "31.12.2025", "Führung", "4", "", "5", "6", "7", ""]]
STORED = {  # what the rows above are stored as, written out by hand: (skill, rating, coach's rating, targets)
    "E001": ("C07", [("Führung", 5, 6, {"6": 6, "12": 7, "18": 8}), ("Präsentieren", 7, None,
                                                                      {"6": 8, "12": None, "18": None})]),
    "E002": ("C01", [("Führung", 4, None, {"6": 5, "12": 6, "18": 7})]),
}


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8-sig", delimiter: str = ",") -> bytes:
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode(encoding)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def stored(store: Store) -> dict[str, tuple]:
    """Each employee's one imported conversation as (coach, [(skill, rating, coach's rating, targets)])."""
    out = {}
    for eid in ("E001", "E002"):
        [record] = store.conversations(eid)
        out[eid] = (record["coach_id"], [(s["skill"], s["self_rating"], s["coach_rating"], s["targets"])
                                         for s in record["skills"]])
    return out


def store_with_roster(tmp_path: Path, roster: list[list[str]]) -> Store:
    """A data folder under ``tmp_path`` holding ``roster`` (a header and rows), imported from a CSV file."""
    store = Store(tmp_path / "data")
    (tmp_path / "roster.csv").write_bytes(csv_bytes(roster))
    import_roster(store, tmp_path / "roster.csv")
    return store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return store_with_roster(tmp_path, ROSTER)


@pytest.mark.parametrize("header", [
    # SAP SuccessFactors or Personio in German.
    ["Personalnummer", "Datum", "Kompetenz", "Bewertung", "Bewertung Führungskraft", "Ziel 6 Monate",
     "Ziel 12 Monate", "Ziel 18 Monate", "Manager ID"],
    # French, with and without the accents.
    ["Matricule", "Date d'évaluation", "Compétence", "Note", "Note du manager", "Objectif à 6 mois",
     "Objectif à 12 mois", "Objectif à 18 mois", "Manager ID"],
    ["Matricule", "Date", "Competence", "Auto-evaluation", "Evaluation manager", "Objectif 6 mois",
     "Objectif 12 mois", "Objectif 18 mois", "Supervisor ID"],
    # Spanish and Dutch.
    ["Número de empleado", "Fecha", "Competencia", "Puntuación", "Valoración del responsable",
     "Objetivo a 6 meses", "Objetivo a 12 meses", "Objetivo a 18 meses", "Manager ID"],
    ["Personeelsnummer", "Datum", "Competentie", "Beoordeling", "Beoordeling leidinggevende", "Doel 6 maanden",
     "Doel 12 maanden", "Doel 18 maanden", "Manager ID"],
    # English, as Workday and spreadsheets kept by hand name them.
    ["Employee ID", "Rating date", "Competency", "Score", "Manager rating", "Target 6 months",
     "Target 12 months", "Target 18 months", "Manager ID"],
    ["Employee Number", "Review Date", "Skill Name", "Self Rating", "Manager Score", "6-Month Target",
     "12-Month Target", "18-Month Target", "Supervisor Employee ID"],
])
def test_histories_exported_in_german_french_spanish_dutch_and_english_name_their_columns_so(
        store: Store, tmp_path: Path, header: list[str]):
    """A history exported by a German HR system ('Personalnummer;Datum;Kompetenz;Bewertung') was refused:
    the header was not recognised, so not even its semicolons were found ("unknown column
    'Personalnummer;Datum;Kompetenz;Bewertung'"), and 'Employee ID', 'Competency' and 'Score' were unknown
    columns. Each is read as the roster's columns are, semicolon-separated Windows-1252 with Windows line ends
    as a German Excel saves it, and the import says which column it read as what."""
    path = tmp_path / "Bewertungen.csv"
    path.write_bytes(csv_bytes([header] + RATINGS, "cp1252", ";"))
    result = import_history(store, path)
    assert (result.added, result.updated, result.unchanged, result.rejected) == (2, 0, 0, [])
    assert stored(store) == STORED
    read_as = next(line for line in result.summary().splitlines() if line.startswith("Note: read "))
    assert all(f"{name!r} as {column}" in read_as for name, column in zip(header, (
        "employee_id", "date", "skill", "rating", "coach_rating", "target_6m", "target_12m", "target_18m",
        "coach_id")) if name.casefold().replace(" ", "_") != column)


def test_an_unknown_history_column_is_still_named_with_the_columns_allowed(store: Store, tmp_path: Path, capsys):
    """With the names HR systems use read too, a column the history has no place for is still refused, naming it
    and what is allowed; a column that may hold the manager's name is not taken for the coach's id, nor refused
    (tests/test_import_hr_system_files.py)."""
    path = tmp_path / "Bewertungen.csv"
    path.write_bytes(csv_bytes([["Personalnummer", "Datum", "Kompetenz", "Bewertung", "Bemerkung",
                                 "Vorgesetzte(r)"], RATINGS[0][:4] + ["gut", "Anna Schmidt"]], "cp1252", ";"))
    before = snapshot(store.root)
    assert main(["--data", str(store.root), "import", "history", str(path)]) == 1
    err = capsys.readouterr().err
    allowed = "allowed columns are: employee_id, date, skill, rating, coach_rating, target_6m, target_12m, " \
              "target_18m, coach_id"
    assert f"row 1: unknown column 'Bemerkung'; {allowed}" in err
    assert "unknown column 'Vorgesetzte(r)'" not in err
    assert snapshot(store.root) == before


def test_a_german_roster_given_to_the_history_import_is_named_a_roster(store: Store, tmp_path: Path):
    """A Personio roster given to 'import history' was refused column by column ('unknown column 'Vorname''...),
    as if it were a broken history; a roster named in English was already told apart."""
    path = tmp_path / "Mitarbeiter.csv"
    path.write_bytes(csv_bytes([["Personalnummer", "Vorname", "Nachname", "Abteilung", "Vorgesetzte(r)", "Stelle"],
                                ["E001", "Anna", "Schmidt", "Vertrieb", "", "Leiterin"]], "cp1252", ";"))
    with pytest.raises(FileRejected, match="this looks like a roster file"):
        import_history(store, path)


def _reordered_bom_crlf(original: Path, copy: Path) -> None:
    header, *rows = list(csv.reader(io.StringIO(original.read_text("utf-8"))))
    copy.write_bytes(csv_bytes([header] + rows[::-1], "utf-8-sig"))


def _workbook(original: Path, copy: Path) -> None:
    book = openpyxl.Workbook()
    for row in csv.reader(io.StringIO(original.read_text("utf-8"))):
        book.active.append(row)
    book.save(copy)


@pytest.mark.parametrize("copy_name, make_copy", [
    ("history-2026.csv", shutil.copyfile),
    ("Export (2).csv", _reordered_bom_crlf),
    ("history.xlsx", _workbook),
])
def test_the_same_history_imported_again_under_another_name_is_unchanged(
        store: Store, tmp_path: Path, copy_name: str, make_copy):
    """history.csv copied to history-2026.csv and imported again said 'Conversations: added 0, updated 2':
    nothing was duplicated, but every conversation was saved again, with a new revision, to record the new
    file's name, so the operator saw a change where there was none. The same rows under another name, in
    another order with a BOM and Windows line ends, or as a workbook, are unchanged, nothing is written, and
    each conversation still names the file it was imported from."""
    path = tmp_path / "history.csv"
    path.write_text("employee_id,date,skill,rating,coach_rating,target_6m,target_12m,target_18m,coach_id\n"
                    + "".join(",".join(row) + "\n" for row in RATINGS), "utf-8")
    assert import_history(store, path).added == 2
    before = snapshot(store.root)
    copy = tmp_path / copy_name
    make_copy(path, copy)
    result = import_history(store, copy)
    assert (result.added, result.updated, result.unchanged) == (0, 0, 2)
    assert "Conversations: added 0, updated 0, unchanged 2 (from 3 row(s))." in result.summary()
    assert snapshot(store.root) == before
    assert [(r["conversation_id"], r["source"], r["revision"]) for eid in ("E001", "E002")
            for r in store.conversations(eid)] == [("E001-h20251231", "import:history.csv", 1),
                                                   ("E002-h20251231", "import:history.csv", 1)]


def test_a_history_without_coaches_imported_again_after_a_coach_change_keeps_the_coach(store: Store,
                                                                                      tmp_path: Path):
    """A history file without a coach column gives each conversation the roster's coach. When the roster then
    gave E002 a new coach, importing the same history again 'updated' E002's past conversation to the new coach,
    who never held it; it is unchanged, and keeps the coach it was imported with."""
    path = tmp_path / "history.csv"
    path.write_bytes(csv_bytes([["employee_id", "date", "skill", "rating"], ["E002", "2025-06-30", "SQL", "4"]]))
    import_history(store, path)
    (tmp_path / "roster.csv").write_bytes(csv_bytes(ROSTER[:2] + [ROSTER[2][:2] + ["C02"] + ROSTER[2][3:]]))
    assert import_roster(store, tmp_path / "roster.csv").updated == 1
    before = snapshot(store.root / "conversations")
    result = import_history(store, path)
    assert (result.added, result.updated, result.unchanged) == (0, 0, 1)
    assert snapshot(store.root / "conversations") == before
    assert store.load_conversation("E002", "E002-h20250630")["coach_id"] == "C01"


def test_a_german_export_with_empty_rows_and_a_totals_row_below_the_table_imports(store: Store, tmp_path: Path):
    """A German Excel's export of an appraisal report: semicolons, Windows-1252, dates as 31.12.2025, Windows line
    ends, empty rows and then the report's totals ('Gesamt' with the ratings' sum, 'Durchschnitt' with their mean,
    written with a decimal comma). The totals were read as employees 'Gesamt' and 'Durchschnitt' that are not on
    the roster, with no date and no skill, and the whole file was refused."""
    header = ["Personalnummer", "Datum", "Kompetenz", "Bewertung", "Bewertung Führungskraft", "Ziel 6 Monate",
              "Ziel 12 Monate", "Ziel 18 Monate", "Manager ID"]
    totals = [[""] * 9, [""] * 9, ["Gesamt", "", "", "16", "6", "19", "13", "15", ""],
              ["Durchschnitt", "", "", "5,3", "6", "6,3", "6,5", "7,5", ""]]
    path = tmp_path / "Bewertungen.csv"
    path.write_bytes(csv_bytes([header] + RATINGS + totals, "cp1252", ";"))
    result = import_history(store, path)
    assert (result.added, result.rows_read, result.rejected) == (2, 3, [])
    assert stored(store) == STORED
    assert "Note: rows 7-8 below the table, each with no date and no skill ('Gesamt'; 'Durchschnitt'), were taken " \
           "for the report's footer and not read" in result.summary()


def test_a_row_with_no_date_and_no_skill_above_the_last_row_or_naming_an_employee_is_refused(
        store: Store, tmp_path: Path):
    """Only the rows below the table are a report's totals: a row inside it, or a last row naming an employee,
    with no date and no skill is an invalid row, refused by its row number, and nothing is written."""
    header = ["employee_id", "date", "skill", "rating"]
    for rows, row in (([["Total", "", "", "16"], ["E001", "2025-12-31", "SQL", "5"]], 2),
                      ([["E001", "2025-12-31", "SQL", "5"], ["E002", "", "", "16"]], 3)):
        path = tmp_path / "history.csv"
        path.write_bytes(csv_bytes([header] + rows))
        before = snapshot(store.root)
        with pytest.raises(FileRejected) as exc:
            import_history(store, path)
        assert {p.row for p in exc.value.problems} == {row}
        assert "nothing was written" in str(exc.value)
        assert snapshot(store.root) == before


@pytest.mark.parametrize("date, delimiter", [("31.12.2025 00:00", ";"), ("12/31/2025 12:00:00 AM", ","),
                                             ("12/31/2025 0:00", ",")])
def test_dates_a_spreadsheet_wrote_from_date_time_cells_are_read(store: Store, tmp_path: Path, date: str,
                                                                 delimiter: str):
    """Excel writes a date-time cell to CSV with its time: '31.12.2025 00:00' in German, '12/31/2025 0:00' in
    the US. Each row was refused ('is not a date; expected YYYY-MM-DD'), though the same date without its
    time was read; the time is left out, as it is of an ISO date-time."""
    path = tmp_path / "ratings.csv"
    path.write_bytes(csv_bytes([["Employee ID", "Rating date", "Competency", "Score"],
                                ["E001", date, "SQL", "5"], ["E002", date, "SQL", "6"]], "cp1252", delimiter))
    assert import_history(store, path).added == 2
    assert [r["date"] for eid in ("E001", "E002") for r in store.conversations(eid)] == ["2025-12-31"] * 2


def test_a_date_whose_time_is_not_a_time_is_refused_naming_the_row(store: Store, tmp_path: Path):
    path = tmp_path / "ratings.csv"
    path.write_bytes(csv_bytes([["employee_id", "date", "skill", "rating"], ["E001", "31.12.2025", "SQL", "5"],
                                ["E002", "31.12.2025 25:00", "SQL", "6"]]))
    before = snapshot(store.root)
    with pytest.raises(FileRejected) as exc:
        import_history(store, path)
    assert "row 3, column 'date', value '31.12.2025 25:00': '31.12.2025 25:00' has a time part ('25:00') that is " \
           "not a real time" in str(exc.value)
    assert snapshot(store.root) == before


def test_a_history_naming_a_column_twice_in_two_languages_says_which(store: Store, tmp_path: Path):
    """An export with both 'Employee ID' and 'Personalnummer' was refused with "unknown column 'Personalnummer'",
    a name the import reads; it says the column is named twice, and still lists what is allowed."""
    path = tmp_path / "ratings.csv"
    path.write_bytes(csv_bytes([["Employee ID", "Personalnummer", "Datum", "Kompetenz", "Bewertung"],
                                ["E001", "E001", "31.12.2025", "SQL", "5"]], "cp1252", ";"))
    with pytest.raises(FileRejected) as exc:
        import_history(store, path)
    assert "row 1: unknown column 'Personalnummer'; it is another name for employee_id, which is read from " \
           "'Employee ID': keep one of the two; allowed columns are: employee_id, date, skill, rating" \
           in str(exc.value)
