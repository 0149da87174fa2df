"""Roster and history import: every bad input gets a clear error and changes nothing."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from careerconv.records import schema
from careerconv.records.importers import (
    FileRejected, decide_date_order, import_history, import_roster, legacy_conversation_id, read_table_file,
)
from careerconv.records.lost_letters import lost_letters
from careerconv.records.store import Store

ROSTER_HEADER = "employee_id,name,coach_id,department,role,cadence_months,email"
ROSTER_ROWS = [
    "E001,Ana Silva,C01,Engineering,Developer,6,ana@example.org",
    "E002,Bo Chen,C01,Engineering,Tester,12,",
    "E003,Chidi Okafor,C02,Sales,Account manager,6,",
]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes (to prove nothing changed)."""
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "data")


@pytest.fixture
def roster_store(store: Store, tmp_path: Path) -> Store:
    import_roster(store, write(tmp_path / "roster.csv", "\n".join([ROSTER_HEADER, *ROSTER_ROWS]) + "\n"))
    return store


def rejected(exc: pytest.ExceptionInfo) -> list[schema.Problem]:
    assert isinstance(exc.value, FileRejected)
    return exc.value.problems


def assert_rejected_and_unchanged(store: Store, call, *fragments: str) -> list[schema.Problem]:
    """Run an import that must fail; check the message and that no file changed."""
    before = snapshot(store.root)
    with pytest.raises(FileRejected) as exc:
        call()
    assert snapshot(store.root) == before
    text = str(exc.value)
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in:\n{text}"
    assert "nothing was written" in text
    return exc.value.problems


# --------------------------------------------------------------------------- roster


def test_roster_import_adds_then_is_idempotent(store: Store, tmp_path: Path):
    path = write(tmp_path / "roster.csv", "\n".join([ROSTER_HEADER, *ROSTER_ROWS]) + "\n")
    first = import_roster(store, path)
    assert (first.added, first.updated, first.unchanged) == (3, 0, 0)
    assert store.employee("E001")["name"] == "Ana Silva"
    assert store.employee("E002")["cadence_months"] == 12
    before = snapshot(store.root)
    again = import_roster(store, path)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    assert snapshot(store.root) == before


def test_a_file_without_email_or_cadence_keeps_what_the_roster_holds(store: Store, tmp_path: Path):
    """An HR export without an email column (or a cadence column) updates names and roles and leaves the
    stored emails and cadences alone - before, every email of the people in the file was wiped silently."""
    import_roster(store, write(tmp_path / "full.csv", f"{ROSTER_HEADER}\nE1,Ana,C1,Sales,Rep,6,ana@example.org\n"))
    result = import_roster(store, write(tmp_path / "hr.csv", "employee_id,name,coach_id,department,role\n"
                                                             "E1,Ana Silva,C1,Sales,Lead\nE2,Bo,C1,Sales,Rep\n"))
    assert (result.added, result.updated) == (1, 1)
    assert any("no email column" in note and "keep their email" in note for note in result.notes), result.notes
    ana, bo = store.employee("E1"), store.employee("E2")
    assert (ana["name"], ana["role"], ana["email"], ana["cadence_months"]) \
        == ("Ana Silva", "Lead", "ana@example.org", 6)
    assert (bo["email"], bo["cadence_months"]) == ("", 12)
    # a file with the column still sets it, an empty cell included
    import_roster(store, write(tmp_path / "new.csv", f"{ROSTER_HEADER}\nE1,Ana Silva,C1,Sales,Lead,6,\n"))
    assert store.employee("E1")["email"] == ""


def test_roster_update_keeps_employees_not_in_file(roster_store: Store, tmp_path: Path):
    path = write(tmp_path / "change.csv", f"{ROSTER_HEADER}\nE002,Bo Chen,C02,Engineering,Lead,6,\n")
    result = import_roster(roster_store, path)
    assert (result.added, result.updated, result.unchanged) == (0, 1, 0)
    assert roster_store.employee("E002")["coach_id"] == "C02"
    assert len(roster_store.roster()) == 3
    assert "kept" in result.summary()


def test_roster_email_is_optional_and_headers_are_forgiving(store: Store, tmp_path: Path):
    path = write(tmp_path / "r.csv", " Employee ID ,Name,Coach-ID,DEPARTMENT,role,Cadence Months\nE9,Zoe,C1,Ops,,12\n")
    assert import_roster(store, path).added == 1
    assert store.employee("E9")["email"] in ("", None)


def test_bom_header_is_read(store: Store, tmp_path: Path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + ("\n".join([ROSTER_HEADER, *ROSTER_ROWS])).encode())
    result = import_roster(store, path)
    assert result.added == 3
    assert "UTF-8 with BOM" in result.how_read


def test_cp1252_file_is_read_and_says_so(store: Store, tmp_path: Path):
    row = "E010,José Müller–Ørsted,C01,Façades,Rôle,6,"
    path = write(tmp_path / "win.csv", f"{ROSTER_HEADER}\n{row}\n", "cp1252")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    result = import_roster(store, path)
    assert "Windows-1252" in result.how_read
    assert store.employee("E010")["name"] == "José Müller–Ørsted"


def test_utf8_mixed_with_cp1252_is_rejected(store: Store, tmp_path: Path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(f"{ROSTER_HEADER}\nE1,José,C1,D,R,6,\n".encode() + "E2,Zoë,C1,D,R,6,\n".encode("cp1252"))
    assert_rejected_and_unchanged(store, lambda: import_roster(store, path), "mixes UTF-8", "line 3")


def test_semicolon_separated_file(store: Store, tmp_path: Path):
    path = write(tmp_path / "semi.csv", ROSTER_HEADER.replace(",", ";") + "\nE1;Ana, Jr.;C1;Eng;Dev;6;\n")
    result = import_roster(store, path)
    assert result.added == 1 and "semicolon" in result.how_read
    assert store.employee("E1")["name"] == "Ana, Jr."


@pytest.mark.parametrize("hint, separator", [("sep=;", ";"), ("SEP=|", "|"), ("sep=\t", "\t"), ("sep=;;;;;;", ";")])
def test_excels_separator_hint_names_the_separator_and_is_not_a_row(store: Store, tmp_path: Path, hint: str,
                                                                     separator: str):
    """Excel reads (and some tools write) a first line 'sep=;'; it was read as the header, so the file was
    refused for missing every column. Rows are numbered as Excel shows the file, which hides the hint."""
    lines = [hint, ROSTER_HEADER.replace(",", separator), *(row.replace(",", separator) for row in ROSTER_ROWS)]
    path = tmp_path / "excel.csv"
    path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))
    result = import_roster(store, path)
    assert result.added == 3 and store.employee("E003")["role"] == "Account manager"
    assert f"the first line {hint!r} names the separator" in result.summary()
    bad = [hint, ROSTER_HEADER.replace(",", separator), "E1,A,C1,D,R,7,".replace(",", separator)]
    problems = assert_rejected_and_unchanged(store, lambda: import_roster(store, write(path, "\n".join(bad))))
    assert [(p.row, p.column, p.value) for p in problems] == [(2, "cadence_months", "7")]


@pytest.mark.parametrize("hint", ["sep=", "sep=ab", "sep=x", "sep=\""])
def test_a_separator_hint_that_names_no_separator_is_refused(store: Store, tmp_path: Path, hint: str):
    path = write(tmp_path / "hint.csv", "\n".join([hint, ROSTER_HEADER, *ROSTER_ROWS]))
    assert_rejected_and_unchanged(store, lambda: import_roster(store, path), f"first line {hint!r} is Excel's "
                                  "separator hint but does not name one separator character")


@pytest.mark.parametrize("content", ["", "\n\n  \n", "\ufeff", ",,,\n"])
def test_empty_file(store: Store, tmp_path: Path, content: str):
    path = write(tmp_path / "empty.csv", content)
    assert_rejected_and_unchanged(store, lambda: import_roster(store, path), "empty")


def test_header_only_file(store: Store, tmp_path: Path):
    path = write(tmp_path / "header.csv", ROSTER_HEADER + "\n")
    assert_rejected_and_unchanged(store, lambda: import_roster(store, path), "no data rows")


def test_missing_columns_are_the_problem_and_the_columns_not_read_a_note(store: Store, tmp_path: Path):
    """A roster's columns careerconv does not read are ignored, so they are no problem when a required column is
    missing either (they were listed first, as problems, before the real one); one close to a missing column's
    name is named with it."""
    path = write(tmp_path / "cols.csv", "employee_id,name,coach,department,cadence_months,salary\nE1,A,C1,D,6,100\n")
    problems = assert_rejected_and_unchanged(
        store, lambda: import_roster(store, path),
        "required columns 'coach_id', 'role' are missing; the header row must name: employee_id, name, coach_id, "
        "department, role (optional: cadence_months, email,", "; if 'coach' is coach_id, rename it coach_id\n",
        "Note: ignored 2 column(s) careerconv does not use: 'coach' (did you mean 'coach_id'?), 'salary'.")
    assert len(problems) == 1 and problems[0].row == 1


def test_file_given_to_the_wrong_importer(roster_store: Store, tmp_path: Path):
    history = write(tmp_path / "h.csv", "employee_id,date,skill,rating\nE001,2023-01-01,SQL,5\n")
    problems = assert_rejected_and_unchanged(roster_store, lambda: import_roster(roster_store, history),
                                             "looks like a history file", "careerconv import history")
    assert len(problems) == 1
    roster = write(tmp_path / "r.csv", "\n".join([ROSTER_HEADER, *ROSTER_ROWS]))
    assert_rejected_and_unchanged(roster_store, lambda: import_history(roster_store, roster),
                                  "looks like a roster file")


def test_duplicate_column(store: Store, tmp_path: Path):
    path = write(tmp_path / "dup.csv", ROSTER_HEADER + ",Name\n" + ROSTER_ROWS[0] + ",x\n")
    assert_rejected_and_unchanged(store, lambda: import_roster(store, path), "appears twice")


@pytest.mark.parametrize("bad_id, message", [
    ("../../etc/passwd", "may only use letters"),
    ("", "employee id is empty"),
    (" E005", "leading or trailing whitespace"),
    ("E005 ", "leading or trailing whitespace"),
    ("CON", "reserved device name"),
    ("nul.txt", "reserved device name"),
])
def test_bad_employee_ids(store: Store, tmp_path: Path, bad_id: str, message: str):
    path = write(tmp_path / "ids.csv", f'{ROSTER_HEADER}\n{ROSTER_ROWS[0]}\n"{bad_id}",X,C1,D,R,6,\n')
    problems = assert_rejected_and_unchanged(store, lambda: import_roster(store, path), message)
    assert [(p.row, p.column) for p in problems] == [(3, "employee_id")]


def test_ids_differing_only_in_case_within_file(store: Store, tmp_path: Path):
    path = write(tmp_path / "case.csv", f"{ROSTER_HEADER}\nE001,A,C1,D,R,6,\ne001,B,C1,D,R,6,\n")
    problems = assert_rejected_and_unchanged(store, lambda: import_roster(store, path), "differs only in case")
    assert {p.row for p in problems} == {2, 3}  # neither is guessed to be the right one


def test_id_differing_only_in_case_from_roster(roster_store: Store, tmp_path: Path):
    """An id in another case is the roster's id when the names can be one person's, and is refused when not."""
    path = write(tmp_path / "case.csv", f"{ROSTER_HEADER}\ne001,A,C1,D,R,6,\n")
    assert_rejected_and_unchanged(roster_store, lambda: import_roster(roster_store, path),
                                  "reads as 'E001' once its case is the roster's, but E001 on the roster is "
                                  "'Ana Silva', not 'A'")
    path = write(tmp_path / "case.csv", f"{ROSTER_HEADER}\ne001,Ana Silva,C01,Engineering,Lead,6,\n")
    assert import_roster(roster_store, path).updated == 1
    assert list(roster_store.roster()["employee_id"]) == ["E001", "E002", "E003"]


def test_duplicated_rows(store: Store, tmp_path: Path):
    path = write(tmp_path / "dups.csv", "\n".join([ROSTER_HEADER, ROSTER_ROWS[0], ROSTER_ROWS[1], ROSTER_ROWS[0]]))
    problems = assert_rejected_and_unchanged(store, lambda: import_roster(store, path), "row 4", "duplicate of row 2")
    assert [p.row for p in problems] == [4]


def test_same_id_with_different_values_rejects_both(store: Store, tmp_path: Path):
    path = write(tmp_path / "conf.csv", f"{ROSTER_HEADER}\nE1,A,C1,D,R,6,\nE1,A,C1,D,R,12,\n")
    problems = assert_rejected_and_unchanged(store, lambda: import_roster(store, path), "not guessed")
    assert {p.row for p in problems} == {2, 3}


@pytest.mark.parametrize("cadence", ["0", "7", "6.5", "twelve", ""])
def test_bad_cadence(store: Store, tmp_path: Path, cadence: str):
    path = write(tmp_path / "cad.csv", f"{ROSTER_HEADER}\nE1,A,C1,D,R,{cadence},\n")
    assert_rejected_and_unchanged(store, lambda: import_roster(store, path), "cadence", "6 or 12")


def test_bad_email(store: Store, tmp_path: Path):
    path = write(tmp_path / "mail.csv", f"{ROSTER_HEADER}\nE1,A,C1,D,R,6,not an email\n")
    assert_rejected_and_unchanged(store, lambda: import_roster(store, path), "column 'email'", "name@example.org")


def test_row_with_too_many_cells(store: Store, tmp_path: Path):
    path = write(tmp_path / "ragged.csv", f"{ROSTER_HEADER}\nE1,Smith, Ana,C1,D,R,6,\n")
    assert_rejected_and_unchanged(store, lambda: import_roster(store, path), "double quotes")


def test_a_row_with_fewer_cells_than_the_header_is_refused_like_one_with_more(store: Store, tmp_path: Path):
    """A line break inside an unquoted name cuts a row in two: both halves are refused, naming the row and the
    counts (before, the short halves read as rows with empty cells, and 'Chen' became an employee with the name
    'C1', the coach 'Sales' and the department 'Rep'). A row Excel writes with its empty last cells (padded
    with separators) is a whole row."""
    header = "employee_id,name,coach_id,department,role"
    path = write(tmp_path / "broken.csv", f"{header}\nE1,Ana,C1,Sales,Rep\nE2,Bo\nChen,C1,Sales,Rep\nE3,Cy,,Sales,\n")
    problems = assert_rejected_and_unchanged(
        store, lambda: import_roster(store, path), "row 3: has 2 cells but the header row names 5 columns "
        "(a line break inside a value must be in double quotes)", "row 4: has 4 cells but the header row names 5")
    assert [p.row for p in problems] == [3, 4]
    result = import_roster(store, path, skip_invalid=True)
    assert sorted(store.roster()["employee_id"]) == ["E1", "E3"]
    back = pd.read_csv(result.rejected_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(back["employee_id"]) == ["E2", "Chen"] and list(back["name"]) == ["Bo", "C1"]
    assert back["reason"][0] == "row 3: has 2 cells but the header row names 5 columns (a line break inside a " \
                                "value must be in double quotes)"


def test_a_name_whose_double_quote_is_never_closed_is_refused_naming_its_line(roster_store: Store, tmp_path: Path,
                                                                               capsys):
    """An HR export with a name typed '"Smith, Ann' (no closing quote): the quote took the rest of the file
    into one cell, the refusal spoke of a line break ('row 3: has 2 cells ... a line break inside a value must
    be in double quotes'), and --skip-invalid imported the row above it, put the rows below it into the
    rejected file as one cell and exited 0. Now the file is refused, naming the line the quote opens on and
    what to do, and nothing is written, with --skip-invalid too."""
    from careerconv.cli import main

    lines = [ROSTER_HEADER, "E010,Filip Wojcik,C01,Sales,Sales manager,6,",
             'E011,"Smith, Ann,C01,Sales,Account executive,12,ann@example.org',
             "E012,Hao Zhou,C01,Sales,Account executive,6,", "E013,Zeynep Kaya,C01,Sales,Account executive,12,"]
    path = write(tmp_path / "export.csv", "\r\n".join(lines) + "\r\n")
    for skip in (False, True):
        problems = assert_rejected_and_unchanged(
            roster_store, lambda: import_roster(roster_store, path, skip_invalid=skip),
            'line 3: the double quote opened there ("Smith, Ann,C01,Sales,Account executive,...) is never closed, '
            "so everything after it to the end of the file (line 5) would be read as one value; close it with a "
            "second double quote where the value ends, or remove it, then import again")
        assert len(problems) == 1 and "line break" not in str(problems[0])
    before = snapshot(roster_store.root)
    assert main(["--data", str(roster_store.root), "import", "roster", str(path), "--skip-invalid"]) == 1
    assert "line 3: the double quote opened there" in capsys.readouterr().err
    assert snapshot(roster_store.root) == before and not (tmp_path / "export.rejected.csv").exists()
    # Closed, the same name imports.
    lines[2] = 'E011,"Smith, Ann",C01,Sales,Account executive,12,ann@example.org'
    write(path, "\r\n".join(lines) + "\r\n")
    assert import_roster(roster_store, path).added == 4
    assert roster_store.roster().set_index("employee_id").loc["E011", "name"] == "Smith, Ann"


def test_a_stray_quote_ended_by_a_later_quote_is_refused_as_a_stray_quote(roster_store: Store, tmp_path: Path):
    """A stray quote that a later quoted value ends reads the lines between as one value: with text after
    the closing quote the file is refused naming both lines; without, the row it makes is refused as the
    file's problem (not a row --skip-invalid may skip: it holds other rows). A history file is read the same
    way, and a quoted value over several lines is still read."""
    header = "employee_id,name,coach_id,department,role"
    later = write(tmp_path / "later.csv", "\n".join([
        header, "E010,Filip,C01,Sales,Rep", 'E011,"Smith, Ann,C01,Sales,Rep', "E012,Hao,C01,Sales,Rep",
        'E013,"Kaya, Zeynep",C01,Sales,Rep', "E014,Bo,C01,Sales,Rep"]) + "\n")
    assert_rejected_and_unchanged(
        roster_store, lambda: import_roster(roster_store, later, skip_invalid=True),
        'line 3: the double quote opened there ("Smith, Ann,C01,Sales,Rep) is not closed where its value ends: '
        "the next double quote is on line 5, inside a value, so lines 3-5 would be read as one value")
    at_end = write(tmp_path / "at_end.csv", "\n".join([
        header, "E010,Filip,C01,Sales,Rep", 'E011,"Smith, Ann,C01,Sales,Rep', 'E012,Hao,C01,Sales,Rep"',
        "E014,Bo,C01,Sales,Rep"]) + "\n")
    problems = assert_rejected_and_unchanged(
        roster_store, lambda: import_roster(roster_store, at_end, skip_invalid=True),
        "row 3: has 2 cells but the header row names 5 columns, and a value on it runs over several lines, from "
        "a double quote to the next one", "close it with a second double quote where the value ends, or remove it")
    assert [p.row for p in problems] == [3]
    history = write(tmp_path / "history.csv", 'employee_id,date,skill,rating\nE001,2024-01-10,"Python,7\n'
                                              "E002,2024-01-10,SQL,5\n")
    assert_rejected_and_unchanged(roster_store, lambda: import_history(roster_store, history),
                                  'line 2: the double quote opened there ("Python,7) is never closed')
    lines = write(tmp_path / "lines.csv",
                  f'{header}\nE010,"Ann\nLee",C01,Sales,Rep\nE011,"Bo ""B"" Kim",C01,Sales,Rep\n')
    assert import_roster(roster_store, lines).added == 2
    assert list(roster_store.roster()["name"])[-2:] == ["Ann\nLee", 'Bo "B" Kim']


@settings(max_examples=60)
@given(st.lists(st.lists(st.text(alphabet='ab ,;"\r\n\t', max_size=8), min_size=3, max_size=3), min_size=1,
                max_size=5), st.sampled_from([",", ";", "\t"]))
def test_property_quoted_cells_as_a_spreadsheet_writes_them_are_never_a_stray_quote(cells, delimiter):
    """Whatever quotes, separators and line breaks the cells hold, a file written as spreadsheets write CSV
    reads back cell for cell: the check for a stray quote never refuses it."""
    import csv
    import io

    from careerconv.records.import_files import _stray_quote

    rows = [["employee_id", "name", "role"]] + [[f"E{i}", *row[1:]] for i, row in enumerate(cells)]
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    assert _stray_quote(buffer.getvalue(), delimiter) is None
    with tempfile.TemporaryDirectory() as tmp:
        path = write(Path(tmp) / "t.csv", buffer.getvalue())
        table = read_table_file(path, ["employee_id", "name", "role"])
    assert [list(r.cells) for r in table.rows] == rows[1:]


def test_free_text_stored_verbatim(store: Store, tmp_path: Path):
    names = {
        "E1": '=HYPERLINK("http://x","y")',
        "E2": "<img src=x onerror=alert(1)>",
        "E3": "Zoë 🚀👩🏽‍💻",
        "E4": "مريم العلي",
        "E5": "+44 line\nbreak",
        "E6": "long " * 9_999 + "long",  # 49,999 characters (a space at an end is removed)
    }
    frame = pd.DataFrame({"employee_id": list(names), "name": list(names.values()), "coach_id": "C1",
                          "department": "D", "role": "R", "cadence_months": 6})
    path = tmp_path / "text.csv"
    frame.to_csv(path, index=False)
    assert import_roster(store, path).added == 6
    for eid, name in names.items():
        assert store.employee(eid)["name"] == name


def test_characters_a_spreadsheet_does_not_show_are_removed_from_roster_text_with_a_note(store: Store,
                                                                                           tmp_path: Path):
    """'Sales' followed by a zero-width space (pasted from a web page) was a second department that looks like
    'Sales' - in the HR figures, two groups where a person sees one. Such characters are removed from names,
    departments and roles; a zero-width non-joiner between letters is part of the spelling (Persian) and is
    kept. Control characters are kept, with a note (the CSV export gives them back; Excel cannot store them)."""
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647"
    rows = ["E1,Ana\u200b Silva,C1,Sales\u200b,Rep,6,", "E2,Bo Chen,C1,Sales,Rep\u2060,6,",
            f"E3,{persian},C1,Sales,Rep,6,", "E4,\ufeffDi,C1,\u200dSales,Rep,6,", "E5,Ed\x0bFu,C1,Sales,Rep,6,"]
    path = write(tmp_path / "pasted.csv", "\n".join([ROSTER_HEADER, *rows]))
    result = import_roster(store, path)
    roster = store.roster().set_index("employee_id")
    assert set(roster["department"]) == {"Sales"} and set(roster["role"]) == {"Rep"}
    assert dict(roster["name"]) == {"E1": "Ana Silva", "E2": "Bo Chen", "E3": persian, "E4": "Di", "E5": "Ed\x0bFu"}
    assert "cleaned 5 cell(s) (name 2, department 2, role 1): removed zero-width spaces" in result.summary()
    assert "1 cell(s) hold control characters other than tab and line break (the first: name on row 6), kept as " \
           "they are" in result.summary()
    assert import_roster(store, path).unchanged == 5


def test_a_direction_override_in_a_name_is_removed_so_it_shows_as_it_reads(store: Store, tmp_path: Path):
    """Found by a hostile test of the report batches: a name holding U+202E (RIGHT-TO-LEFT OVERRIDE) showed
    reversed on the report index ("\u202eevil Desai" read "live Desai"); overrides, embeddings and isolates are
    removed from names, departments and roles, as zero-width spaces are. Marks (U+200F) stay: they reorder
    nothing."""
    rows = ["E1,\u202eevil Desai,C1,Sales,Rep,6,", "E2,\u2067Ana\u2069 Silva,C1,\u202aSales\u202c,Rep,6,",
            "E3,\u05d3\u05e0\u05d4\u200f,C1,Sales,Rep,6,"]
    path = write(tmp_path / "bidi.csv", "\n".join([ROSTER_HEADER, *rows]))
    result = import_roster(store, path)
    roster = store.roster().set_index("employee_id")
    assert dict(roster["name"]) == {"E1": "evil Desai", "E2": "Ana Silva", "E3": "\u05d3\u05e0\u05d4\u200f"}
    assert set(roster["department"]) == {"Sales"}
    assert "cleaned 3 cell(s) (name 2, department 1)" in result.summary()


# Every character of Unicode category Zs (the spaces), and whitespace that is not one.
ZS_SPACES = " \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
NOT_SPACES = "\t\x0b\x0c\x85\u2028\u2029\u180e"


def test_the_spaces_list_is_unicode_category_zs():
    import sys
    import unicodedata
    assert set(ZS_SPACES) == {chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Zs"}
    assert not set(NOT_SPACES) & set(ZS_SPACES)


def test_spaces_at_either_end_of_roster_text_are_removed_with_one_note(store: Store, tmp_path: Path):
    """An HR export with 'Sales ' (or 'Sales' and a no-break space) on some rows and 'Sales' on others gave two
    departments that look the same on the HR page, each smaller (so privacy hid more). Spaces - every character
    of Unicode category Zs - at either end of a name, department or role are removed, counted in the one note
    of the cleaning; other whitespace (tab, line and paragraph separators ...) is kept as it is."""
    rows = [f"E{i},Ana{space},C1,{space}Sales{space if i % 2 else ''},Rep,6," for i, space in enumerate(ZS_SPACES)]
    rows += ['X1,Bo,C1,Sales,"\u00a0Rep\u200b\u3000",6,', "X2,Di,C1,Sales,Rep,6,"]
    rows += [f'Y{i},Ed,C1,"Ops{other}",Rep,6,' for i, other in enumerate(NOT_SPACES)]
    path = write(tmp_path / "hr export.csv", "\n".join([ROSTER_HEADER, *rows]) + "\n")
    result = import_roster(store, path)
    roster = store.roster().set_index("employee_id")
    n = len(ZS_SPACES)
    assert set(roster.loc[[f"E{i}" for i in range(n)] + ["X1", "X2"], "department"]) == {"Sales"}
    assert set(roster["name"].iloc[:n]) == {"Ana"} and set(roster["role"]) == {"Rep"}
    assert [roster.loc[f"Y{i}", "department"] for i in range(len(NOT_SPACES))] == [f"Ops{c}" for c in NOT_SPACES]
    notes = [note for note in result.notes if note.startswith("cleaned")]
    assert notes == [f"cleaned {2 * n + 1} cell(s) (name {n}, department {n}, role 1): removed zero-width spaces, "
                     "word joiners, byte-order marks and direction overrides, and spaces (such as no-break spaces) "
                     "and zero-width joiners "
                     "at either end - characters a spreadsheet does not show, which would make a department (or a "
                     "name) that looks the same differ"]
    assert import_roster(store, path).unchanged == len(rows)


@pytest.mark.parametrize("cell, column", [("E1\u00a0,A,C1,D,R,6,", "employee_id"),
                                          ("E1,A,\u3000C1,D,R,6,", "coach_id")])
def test_ids_with_spaces_at_an_end_are_refused_not_trimmed(store: Store, tmp_path: Path, cell: str, column: str):
    """Ids are typed to match, so an id with a space at an end - a no-break space too - is refused as before
    (names, departments and roles are trimmed instead)."""
    path = write(tmp_path / "spaced.csv", "\n".join([ROSTER_HEADER, ROSTER_ROWS[1], cell]))
    problems = assert_rejected_and_unchanged(store, lambda: import_roster(store, path),
                                             "has leading or trailing whitespace")
    assert [(p.row, p.column) for p in problems] == [(3, column)]


@pytest.mark.parametrize("cell, column, message", [
    ("E1\u200b,A,C1,D,R,6,", "employee_id", "employee id contains an invisible character, U+200B (ZERO WIDTH "
                                              "SPACE) at position 3, which a spreadsheet does not show: retype it"),
    ("E1,A,\ufeffC1,D,R,6,", "coach_id", "coach id contains an invisible character, U+FEFF (ZERO WIDTH NO-BREAK "
                                          "SPACE) at position 1"),
    ("E1,A,C1,D,R,6,ana\u200d@example.org", "email", "email contains an invisible character, U+200D (ZERO WIDTH "
                                                      "JOINER) at position 4"),
    ("E1,A,C1,\u200b,R,6,", "department", "department is required; the cell holds only characters a spreadsheet "
                                          "does not show"),
])
def test_ids_and_emails_with_invisible_characters_are_refused_naming_the_character(
        store: Store, tmp_path: Path, cell: str, column: str, message: str):
    """An id or an email is typed to match: one holding a character nobody sees is refused, naming it (before,
    an id was refused for using other characters than letters and digits, which it seems not to, and an email
    passed), as one with surrounding spaces is."""
    path = write(tmp_path / "hidden.csv", "\n".join([ROSTER_HEADER, ROSTER_ROWS[1], cell]))
    problems = assert_rejected_and_unchanged(store, lambda: import_roster(store, path), message)
    assert [(p.row, p.column) for p in problems] == [(3, column)]
    result = import_roster(store, path, skip_invalid=True)
    assert list(store.roster()["employee_id"]) == ["E002"] and message in result.rejected[0].reason


def test_rows_are_numbered_as_in_the_file(store: Store, tmp_path: Path):
    # a blank line and a quoted cell spanning two lines: row numbers follow the spreadsheet
    text = f'{ROSTER_HEADER}\nE1,"two\nlines",C1,D,R,6,\n\nE2,B,C1,D,R,9,\n'
    problems = assert_rejected_and_unchanged(store, lambda: import_roster(store, write(tmp_path / "n.csv", text)))
    assert [(p.row, p.column, p.value) for p in problems] == [(4, "cadence_months", "9")]


def test_skip_invalid_writes_rejected_rows_with_reason(store: Store, tmp_path: Path):
    path = write(tmp_path / "staff.csv", f"{ROSTER_HEADER}\nE1,A,C1,D,R,6,\nCON,B,C1,D,R,6,\nE3,C,C1,D,R,7,\n")
    result = import_roster(store, path, skip_invalid=True)
    assert (result.added, len(result.rejected)) == (1, 2)
    out = tmp_path / "staff.rejected.csv"
    assert result.rejected_path == out
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(back.columns) == [*ROSTER_HEADER.split(","), "reason"]
    assert list(back["employee_id"]) == ["CON", "E3"]
    assert back["reason"][0].startswith("row 3:") and "reserved" in back["reason"][0]
    assert "6 or 12" in back["reason"][1]
    assert list(store.roster()["employee_id"]) == ["E1"]


def test_rejected_file_can_be_fixed_and_imported(store: Store, tmp_path: Path):
    path = write(tmp_path / "staff.csv", f'{ROSTER_HEADER}\nE1,A,C1,D,R,6,\nE2,"=SUM(A1)",C1,D,R,7,\n')
    import_roster(store, path, skip_invalid=True, rejected_path=tmp_path / "fix.csv")
    fixed = pd.read_csv(tmp_path / "fix.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert fixed["name"][0] == "'=SUM(A1)"  # neutralised for the spreadsheet ...
    fixed = fixed.drop(columns="reason").assign(cadence_months="12")
    fixed.to_csv(tmp_path / "fixed.csv", index=False)
    assert import_roster(store, tmp_path / "fixed.csv").added == 1
    assert store.employee("E2")["name"] == "=SUM(A1)"  # ... and read back as it was typed


def test_rejected_rows_cannot_overwrite_the_input(store: Store, tmp_path: Path):
    path = write(tmp_path / "staff.csv", f"{ROSTER_HEADER}\nCON,B,C1,D,R,6,\n")
    with pytest.raises(ValueError, match="cannot be written over"):
        import_roster(store, path, skip_invalid=True, rejected_path=path)


def test_dry_run_writes_nothing(store: Store, tmp_path: Path):
    path = write(tmp_path / "staff.csv", f"{ROSTER_HEADER}\nE1,A,C1,D,R,6,\nCON,B,C1,D,R,6,\n")
    result = import_roster(store, path, skip_invalid=True, dry_run=True)
    assert (result.added, len(result.rejected), result.dry_run) == (1, 1, True)
    assert not store.root.exists()
    assert not (tmp_path / "staff.rejected.csv").exists()
    assert "Dry run" in result.summary()


def test_missing_file(store: Store, tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        import_roster(store, tmp_path / "nope.csv")


def test_old_xls_and_fake_xlsx(store: Store, tmp_path: Path):
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert_rejected_and_unchanged(store, lambda: import_roster(store, old), "old Excel .xls")
    fake = write(tmp_path / "fake.xlsx", ROSTER_HEADER)
    assert_rejected_and_unchanged(store, lambda: import_roster(store, fake), "not an Excel workbook")


def roster_workbook(path: Path, *rows: list, other_sheet: str | None = None) -> Path:
    """An .xlsx roster as openpyxl writes it (formulas without saved results), the header first."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(ROSTER_HEADER.split(","))
    for row in rows:
        sheet.append(row)
    if other_sheet:
        book.create_sheet(other_sheet)
    book.save(path)
    return path


def test_xlsx_roster(store: Store, tmp_path: Path):
    roster_workbook(tmp_path / "staff.xlsx", ["E1", "Ana", "C1", "Eng", "Dev", 12.0, None], [None] * 7,
                    [1001, "Numeric id", "C1", "Eng", None, 6, "n@example.org"], other_sheet="ignored")
    result = import_roster(store, tmp_path / "staff.xlsx")
    assert result.added == 2
    assert store.employee("E1")["cadence_months"] == 12
    assert store.employee("1001")["name"] == "Numeric id"
    assert "read sheet 'Sheet' (the only one whose header row names the roster columns) and ignored the other " \
           "1: 'ignored'" in result.notes


def hr_workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    """A workbook of several sheets, each given as its rows."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


SUMMARY_SHEET = [["Headcount report"], ["As of", "2026-09-30"], ["Employees", 3]]
ROSTER_SHEET = [ROSTER_HEADER.split(","), *(row.split(",") for row in ROSTER_ROWS)]


def test_the_sheet_that_looks_like_a_roster_is_read_and_the_others_are_named(store: Store, tmp_path: Path):
    """An HR workbook with a summary first: only the first sheet was read, so it was refused for missing every
    column (or, had the first sheet been another table, that table was imported)."""
    path = hr_workbook(tmp_path / "hr.xlsx", {"Summary": SUMMARY_SHEET, "Employees": ROSTER_SHEET,
                                              "Lookups": [["department"], ["Engineering"], ["Sales"]]})
    result = import_roster(store, path)
    assert result.added == 3 and "sheet 'Employees'" in result.how_read
    assert result.notes[0] == "read sheet 'Employees' (the only one whose header row names the roster columns) " \
                              "and ignored the other 2: 'Summary', 'Lookups'"


def test_rows_a_workbook_hides_are_imported_with_a_note_naming_them(store: Store, tmp_path: Path):
    """HR filtered leavers out of an export in Excel (a filter only hides rows) and imported it: the leavers
    came onto the roster without a word. They are still read (the file holds them), and the note names the
    rows and says how to leave them out."""
    rows = [*ROSTER_SHEET, "E004,Filtered Out,C01,Sales,Rep,12,".split(","), "E005,Hidden,C01,Sales,Rep,12,".split(",")]
    path = hr_workbook(tmp_path / "hr.xlsx", {"Summary": SUMMARY_SHEET, "Employees": rows})
    book = openpyxl.load_workbook(path)
    sheet = book["Employees"]
    sheet.auto_filter.ref = f"A1:G{len(rows)}"
    for number in (len(rows) - 1, len(rows)):  # the two rows below the three of ROSTER_ROWS
        sheet.row_dimensions[number].hidden = True
    book["Summary"].row_dimensions[2].hidden = True  # another sheet's hidden row is not this one's
    book.save(path)
    result = import_roster(store, path)
    assert result.added == 5
    assert "2 rows (5, 6) are hidden in the workbook, by a filter or by hand, and were read like the others; if " \
           "they should not be imported, delete them from the sheet (a filter does not take rows out of the " \
           "file) and import it again" in result.notes
    shown = roster_workbook(tmp_path / "plain.xlsx", ["E9", "Ana", "C01", "Eng", "Dev", 12, None])
    assert not [n for n in import_roster(store, shown).notes if "hidden" in n]


def test_a_workbook_with_two_roster_sheets_needs_the_sheet_named(store: Store, tmp_path: Path):
    leavers = [ROSTER_HEADER.split(","), "E009,Old Hand,C01,Sales,Rep,12,".split(",")]
    path = hr_workbook(tmp_path / "hr.xlsx", {"Summary": SUMMARY_SHEET, "Active": ROSTER_SHEET, "Leavers": leavers})
    assert_rejected_and_unchanged(store, lambda: import_roster(store, path), "has 2 sheets that look like a roster "
                                  "file ('Active', 'Leavers': their header rows name employee_id, name, coach_id, "
                                  "department, role); say which to import with --sheet NAME, or save that sheet")
    assert_rejected_and_unchanged(store, lambda: import_roster(store, path, sheet="active"),
                                  "has no sheet 'active'; its sheets are 'Summary', 'Active', 'Leavers'")
    result = import_roster(store, path, sheet="Leavers")
    assert list(store.roster()["employee_id"]) == ["E009"]
    assert "read sheet 'Leavers' (as asked) and ignored the other 2: 'Summary', 'Active'" in result.notes
    csv_path = write(tmp_path / "r.csv", "\n".join([ROSTER_HEADER, *ROSTER_ROWS]))
    assert_rejected_and_unchanged(store, lambda: import_roster(store, csv_path, sheet="Active"),
                                  "is a CSV file, which has no sheets; sheet 'Active' was asked for")


def test_a_workbook_without_a_roster_sheet_says_which_sheet_was_read(store: Store, tmp_path: Path):
    path = hr_workbook(tmp_path / "hr.xlsx", {"Summary": SUMMARY_SHEET, "Data": [["Employee ID", "Name"], ["E1", "A"]]})
    assert_rejected_and_unchanged(store, lambda: import_roster(store, path), "Note: read sheet 'Summary' (the "
                                  "first; no sheet's header row names all of employee_id, name, coach_id, "
                                  "department, role) and ignored the other 1: 'Data'.")


# --------------------------------------------------------------------------- history

HISTORY_HEADER = "employee_id,date,skill,rating,coach_rating,target_6m,target_12m,target_18m,coach_id"


def history_file(tmp_path: Path, *rows: str, name: str = "history.csv") -> Path:
    return write(tmp_path / name, "\n".join([HISTORY_HEADER, *rows]) + "\n")


def test_history_import_builds_one_conversation_per_employee_and_date(roster_store: Store, tmp_path: Path):
    path = history_file(tmp_path,
                        "E001,2023-03-01,Python,5,6,6,7,8,",
                        "E001,2023-03-01,Public speaking, 7 ,,8,,,C09",
                        "E001,2024-03-01,Python,6,,,,,",
                        "E002,2023-06-15,SQL,4,,5,6,7,")
    result = import_history(roster_store, path)
    assert (result.added, result.updated, result.unchanged) == (3, 0, 0)
    record = roster_store.load_conversation("E001", "E001-h20230301")
    assert record["status"] == "completed"
    assert record["source"] == "import:history.csv"
    assert record["question_set"] == "legacy-import"
    assert record["coach_id"] == "C09"  # from the file; else the roster's coach
    assert roster_store.load_conversation("E001", "E001-h20240301")["coach_id"] == "C01"
    skills = {s["skill"]: s for s in record["skills"]}
    assert skills["Public speaking"]["self_rating"] == 7  # " 7 " is trimmed
    assert skills["Python"]["targets"] == {"6": 6, "12": 7, "18": 8}
    assert skills["Python"]["coach_rating"] == 6
    ratings = roster_store.read_table("skill_ratings")
    assert len(ratings) == 4 and set(ratings["source"]) == {"import"}


def test_history_skills_lose_characters_a_spreadsheet_does_not_show_with_a_note(roster_store: Store,
                                                                                  tmp_path: Path):
    """A skill 'Python' with a zero-width space (pasted from a web page) was another skill than 'Python' that
    looks the same: its ratings and targets split in two. The history's skills are cleaned as the roster's text
    is, with a note counting them; a zero-width non-joiner between letters (Persian) is kept."""
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647"
    path = history_file(tmp_path, "E001,2023-03-01,Python\u200b,5,,,,,", "E001,2024-03-01,Python,6,,,,,",
                        "E002,2023-06-15,\ufeffSQL\u2060,4,,,,,", "E002,2023-06-15,\u200dPublic speaking\u00a0,4,,,,,",
                        f"E003,2023-06-15,{persian},4,,,,,", "E003,2023-06-15,Go ,4,,,,,")
    result = import_history(roster_store, path)
    ratings = roster_store.read_table("skill_ratings")
    assert sorted(set(ratings["skill"])) == sorted({"Python", "SQL", "Public speaking", persian, "Go"})
    assert ratings[ratings["skill"] == "Python"]["employee_id"].tolist() == ["E001", "E001"]
    notes = [note for note in result.notes if note.startswith("cleaned")]
    assert notes == ["cleaned 3 cell(s) (skill 3): removed zero-width spaces, word joiners, byte-order marks and "
                     "direction overrides, and spaces (such as no-break spaces) and zero-width joiners at either end "
                     "- characters a spreadsheet does not show, which would make a skill that looks the same differ"]
    assert import_history(roster_store, path).unchanged == 4


@pytest.mark.parametrize("rows, column, message", [
    (["E001\u200b,2023-03-01,Python,5,,,,,"], "employee_id",
     "employee id contains an invisible character, U+200B (ZERO WIDTH SPACE) at position 5, which a spreadsheet "
     "does not show: retype it"),
    (["E001,2023-03-01,Python,5,,,,,C0\u20609"], "coach_id",
     "coach id contains an invisible character, U+2060 (WORD JOINER) at position 3"),
    (["E001,2023-03-01,\u200b\u00a0,5,,,,,"], "skill",
     "skill is required; the cell holds only characters a spreadsheet does not show"),
    (["E001,2023-03-01,Python,5,,,,,", "E001,2023-03-01,Python\u200b,5,,,,,"], "skill", "duplicate of row 3"),
])
def test_history_ids_and_skills_with_invisible_characters_are_refused(
        roster_store: Store, tmp_path: Path, rows: list[str], column: str, message: str):
    """An id holding a character nobody sees is refused, naming it and its position, as the roster's are; a skill
    of such characters alone is empty, and one that differs from another only by them is that skill again."""
    path = history_file(tmp_path, "E002,2023-03-01,SQL,5,,,,,", *rows)
    problems = assert_rejected_and_unchanged(roster_store, lambda: import_history(roster_store, path), message)
    assert [(p.row, p.column) for p in problems] == [(len(rows) + 2, column)]


def test_history_reimport_changes_nothing(roster_store: Store, tmp_path: Path):
    path = history_file(tmp_path, "E001,2023-03-01,Python,5,,,,,", "E001,2023-03-01,SQL,5,,,,,")
    import_history(roster_store, path)
    before = snapshot(roster_store.root)
    mtimes = {p: p.stat().st_mtime_ns for p in roster_store.root.rglob("*.json")}
    # the same rows in another order are the same records
    reordered = history_file(tmp_path, "E001,2023-03-01,SQL,5,,,,,", "E001,2023-03-01,Python,5,,,,,")
    result = import_history(roster_store, reordered)
    assert (result.added, result.updated, result.unchanged) == (0, 0, 1)
    assert snapshot(roster_store.root) == before
    assert {p: p.stat().st_mtime_ns for p in roster_store.root.rglob("*.json")} == mtimes


def test_history_corrected_file_updates(roster_store: Store, tmp_path: Path):
    import_history(roster_store, history_file(tmp_path, "E001,2023-03-01,Python,5,,,,,"))
    result = import_history(roster_store, history_file(tmp_path, "E001,2023-03-01,Python,6,,,,,", name="v2.csv"))
    assert (result.added, result.updated, result.unchanged) == (0, 1, 0)
    record = roster_store.load_conversation("E001", "E001-h20230301")
    assert record["skills"][0]["self_rating"] == 6 and record["source"] == "import:v2.csv"


@pytest.mark.parametrize("rating, message", [
    ("0", "out of range"), ("11", "out of range"), ("7.5", "whole number"), ("ten", "whole number"),
    ("", "rating is missing"), ("NaN", "whole number"), ("1e1", "whole number"), ("-3", "whole number"),
])
def test_bad_ratings(roster_store: Store, tmp_path: Path, rating: str, message: str):
    path = history_file(tmp_path, "E001,2023-03-01,Python,5,,,,,", f'E002,2023-03-01,Python,"{rating}",,,,,')
    problems = assert_rejected_and_unchanged(roster_store, lambda: import_history(roster_store, path), message)
    assert [(p.row, p.column, p.value) for p in problems] == [(3, "rating", rating)]


@pytest.mark.parametrize("column", ["coach_rating", "target_6m", "target_12m", "target_18m"])
def test_bad_optional_ratings(roster_store: Store, tmp_path: Path, column: str):
    frame = pd.DataFrame([{"employee_id": "E001", "date": "2023-03-01", "skill": "Python", "rating": 5, column: "11"}])
    frame.to_csv(tmp_path / "h.csv", index=False)
    problems = assert_rejected_and_unchanged(roster_store, lambda: import_history(roster_store, tmp_path / "h.csv"),
                                             "out of range")
    assert problems[0].column == column


def test_history_for_employee_not_on_roster(roster_store: Store, tmp_path: Path):
    path = history_file(tmp_path, "E404,2023-03-01,Python,5,,,,,", "e001,2023-03-01,Python,5,,,,,")
    problems = assert_rejected_and_unchanged(roster_store, lambda: import_history(roster_store, path),
                                             "'E404' is not on the roster, written as it is nor otherwise",
                                             "import the roster first")
    assert [p.row for p in problems] == [2]  # e001 is E001


def test_history_with_empty_roster(store: Store, tmp_path: Path):
    path = history_file(tmp_path, "E001,2023-03-01,Python,5,,,,,")
    assert_rejected_and_unchanged(store, lambda: import_history(store, path), "the roster is empty")


def test_history_dates_in_several_forms_mixed(roster_store: Store, tmp_path: Path):
    path = history_file(tmp_path, "E001,15-Mar-2023,Python,5,,,,,", "E002,2023/03/15,Python,5,,,,,",
                        "E003,2023-03-16T09:30:00,Python,5,,,,,")
    assert import_history(roster_store, path).added == 3
    assert roster_store.load_conversation("E001", "E001-h20230315")["date"] == "2023-03-15"


def test_history_bad_dates(roster_store: Store, tmp_path: Path):
    path = history_file(tmp_path, "E001,Marhc 3 2023,Python,5,,,,,", "E001,2023-02-30,SQL,5,,,,,",
                        "E002,99999,Python,5,,,,,", "E003,2999-01-01,Python,5,,,,,", "E003,1900-01-01,SQL,5,,,,,")
    problems = assert_rejected_and_unchanged(roster_store, lambda: import_history(roster_store, path),
                                             "'Marhc' is not a month", "not a real calendar date",
                                             "is a number, not a date", "in the future", "before 1950")
    assert {p.row for p in problems if p.column == "date"} == {2, 3, 4, 5, 6}


def test_ambiguous_dates_are_rejected_unless_order_given(roster_store: Store, tmp_path: Path):
    path = history_file(tmp_path, "E001,03/04/2023,Python,5,,,,,", "E002,05/06/2023,Python,5,,,,,")
    problems = assert_rejected_and_unchanged(roster_store, lambda: import_history(roster_store, path),
                                             "ambiguous", "--date-order")
    assert len(problems) == 2
    result = import_history(roster_store, path, date_order="dmy")
    assert result.added == 2 and any("--date-order dmy" in n for n in result.notes)
    assert roster_store.load_conversation("E001", "E001-h20230403")["date"] == "2023-04-03"


def test_one_unambiguous_date_decides_the_whole_file(roster_store: Store, tmp_path: Path):
    path = history_file(tmp_path, "E001,03/04/2023,Python,5,,,,,", "E002,04/25/2023,Python,5,,,,,")
    result = import_history(roster_store, path)
    assert any("MM/DD/YYYY" in n and "row 3" in n for n in result.notes)
    assert roster_store.load_conversation("E001", "E001-h20230304")  # March 4th, not April 3rd


def test_file_mixing_day_month_orders_is_rejected(roster_store: Store, tmp_path: Path):
    path = history_file(tmp_path, "E001,25/03/2023,Python,5,,,,,", "E002,03/25/2023,Python,5,,,,,",
                        "E003,2023-01-01,Python,5,,,,,")
    problems = assert_rejected_and_unchanged(roster_store, lambda: import_history(roster_store, path),
                                             "mixes DD/MM/YYYY dates (row 2) and MM/DD/YYYY dates (row 3)")
    assert {p.row for p in problems} == {2, 3}
    # stating the order does not make the wrong row right
    problems = assert_rejected_and_unchanged(
        roster_store, lambda: import_history(roster_store, path, date_order="dmy"), "read as DMY")
    assert {p.row for p in problems} == {3}


def test_decide_date_order_rejects_unknown_order():
    with pytest.raises(ValueError, match="dmy, mdy"):
        decide_date_order([], "ymd")


def test_history_duplicates(roster_store: Store, tmp_path: Path):
    path = history_file(tmp_path, "E001,2023-03-01,Python,5,,,,,", "E001,2023-03-01,Python,5,,,,,",
                        "E002,2023-03-01,SQL,5,,,,,", "E002,2023-03-01, sql ,6,,,,,")
    problems = assert_rejected_and_unchanged(roster_store, lambda: import_history(roster_store, path),
                                             "duplicate of row 2", "rates this skill already on row 4",
                                             "rates this skill again on row 5")
    assert {p.row for p in problems} == {3, 4, 5}


def test_one_skill_spelled_with_a_hyphen_and_with_a_space_is_one_skill(roster_store: Store, tmp_path: Path):
    """"public speaking" and "Public-Speaking" rated in one conversation were imported as two skills, and a
    target of one was measured against the other's ratings only; they are one skill rated twice, refused."""
    path = history_file(tmp_path, "E001,2023-03-01,public speaking,8,,,,,", "E001,2023-03-01,Public-Speaking,6,,,,,")
    problems = assert_rejected_and_unchanged(roster_store, lambda: import_history(roster_store, path),
                                             "rates this skill again on row 3")
    assert {p.row for p in problems} == {2, 3}


def test_history_coach_must_be_consistent_within_a_conversation(roster_store: Store, tmp_path: Path):
    path = history_file(tmp_path, "E001,2023-03-01,Python,5,,,,,C1", "E001,2023-03-01,SQL,5,,,,,C2")
    assert_rejected_and_unchanged(roster_store, lambda: import_history(roster_store, path),
                                  "coach differs from row 2")


def test_history_skip_invalid_rejects_whole_conversations(roster_store: Store, tmp_path: Path):
    path = history_file(tmp_path, "E001,2023-03-01,Python,5,,,,,", "E001,2023-03-01,SQL,11,,,,,",
                        "E002,2023-03-01,SQL,4,,,,,", "../x,2023-03-01,SQL,4,,,,,")
    result = import_history(roster_store, path, skip_invalid=True)
    assert (result.added, result.rows_imported) == (1, 1)
    assert [r.row for r in result.rejected] == [2, 3, 5]
    assert "row 3 of the same conversation" in result.rejected[0].reason
    assert roster_store.conversations("E001") == []
    back = pd.read_csv(result.rejected_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(back["rating"]) == ["5", "11", "4"]


def test_history_refuses_to_double_an_app_conversation(roster_store: Store, tmp_path: Path):
    app = schema.new_conversation("E001", "C01", dt.date(2023, 3, 1), "career-conversation", "1")
    roster_store.save_conversation({**app, "conversation_id": None})
    path = history_file(tmp_path, "E001,2023-03-01,Python,5,,,,,")
    assert_rejected_and_unchanged(roster_store, lambda: import_history(roster_store, path),
                                  "already has a conversation on 2023-03-01", "E001-20230301")


def test_every_history_problem_is_listed_at_once(roster_store: Store, tmp_path: Path):
    app = schema.new_conversation("E001", "C01", dt.date(2023, 3, 1), "career-conversation", "1",
                                  conversation_id="E001-20230301")
    roster_store.save_conversation(app)
    path = history_file(tmp_path, "E001,2023-03-01,Python,5,,,,,", "E002,2023-03-01,Python,0,,,,,")
    problems = assert_rejected_and_unchanged(roster_store, lambda: import_history(roster_store, path),
                                             "count that day twice", "out of range")
    assert {p.row for p in problems} == {2, 3}


def test_legacy_ids_never_collide_with_app_ids(roster_store: Store):
    date = dt.date(2023, 3, 1)
    app = schema.new_conversation("E001", "C01", date, "career-conversation", "1")
    app_id = roster_store.save_conversation({**app, "conversation_id": None})["conversation_id"]
    assert legacy_conversation_id("E001", date) != app_id
    long_id = "E" * 64
    legacy = legacy_conversation_id(long_id, date)
    assert schema.parse_identifier(legacy) == legacy and len(legacy) <= 64
    assert legacy != legacy_conversation_id("E" * 63 + "F", date)


def test_history_from_xlsx_with_date_cells_and_float_ratings(roster_store: Store, tmp_path: Path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HISTORY_HEADER.split(","))
    sheet.append(["E001", dt.datetime(2023, 3, 1), "Python", 7.0, 6.0, 8, 9, 10, None])
    sheet.append(["E002", 45000, "Python", 5, None, None, None, None, None])
    sheet.append(["E003", dt.date(2023, 5, 2), "Python", 7.5, None, None, None, None, None])
    sheet["D2"].number_format = "0.0"
    book.save(tmp_path / "h.xlsx")
    problems = assert_rejected_and_unchanged(roster_store, lambda: import_history(roster_store, tmp_path / "h.xlsx"))
    assert [(p.row, p.column, p.value) for p in problems] == [(4, "rating", 7.5)]
    sheet.delete_rows(4)
    book.save(tmp_path / "h.xlsx")
    result = import_history(roster_store, tmp_path / "h.xlsx")
    assert result.added == 2 and "Excel workbook" in result.how_read
    skill = roster_store.load_conversation("E001", "E001-h20230301")["skills"][0]
    assert (skill["self_rating"], skill["coach_rating"], skill["targets"]["18"]) == (7, 6, 10)


def test_read_table_file_reports_encoding_and_rows(tmp_path: Path):
    path = tmp_path / "r.csv"
    path.write_bytes(b"\xef\xbb\xbf\r\nemployee_id;name\r\nE1;A\r\n\r\nE2;B\r\n")
    raw = read_table_file(path, ["employee_id", "name"])
    assert (raw.encoding, raw.delimiter, raw.header_row) == ("UTF-8 with BOM", ";", 2)
    assert [r.row for r in raw.rows] == [3, 5]


# --------------------------------------------------------------------------- properties

VALID_RATINGS = st.sampled_from(["1", "5", "10", " 7 ", "9"])
INVALID_RATINGS = st.sampled_from(["0", "11", "7.5", "ten", "", "NaN", "1e1", "-1", "٣", "7 7"])
VALID_IDS = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,10}", fullmatch=True).filter(
    lambda s: s.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL"} and not s.upper().startswith(("COM", "LPT")))
INVALID_IDS = st.sampled_from(["../../etc/passwd", "", " E1", "E1 ", "CON", "a/b", "-x", "é", "x" * 65])
# Text stored verbatim: without the invisible characters and the spaces at an end the import removes (tested
# apart).
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r\u200b\u200c\u200d\u2060\ufeff"),
               min_size=1, max_size=30).map(lambda s: s.strip(ZS_SPACES)).filter(lambda s: s.strip() != "")


# A name, department or role: any such text but one with '?' beside a letter or standing alone, which Excel's plain
# "CSV" writes for letters it lacks and the import refuses for someone new (tests/test_roster_matching.py,
# tests/test_roster_export_meanings.py).
NAME = TEXT.filter(lambda s: not lost_letters(s))


@st.composite
def roster_rows(draw):
    """Rows with each cell drawn from a valid or an invalid pool; returns (rows, valid flags)."""
    n = draw(st.integers(1, 6))
    rows, valid = [], []
    for i in range(n):
        good_id, good_cad, good_name = draw(st.booleans()), draw(st.booleans()), draw(st.booleans())
        eid = f"{draw(VALID_IDS)}-{i}" if good_id else draw(INVALID_IDS)
        rows.append({"employee_id": eid, "name": draw(NAME) if good_name else draw(st.sampled_from(["", "  "])),
                     "coach_id": "C1", "department": draw(NAME), "role": draw(st.one_of(st.just(""), NAME)),
                     "cadence_months": draw(st.sampled_from(["6", "12", " 6 "])) if good_cad else
                     draw(st.sampled_from(["0", "7", "", "six", "6.5"]))})
        valid.append(good_id and good_cad and good_name)
    return rows, valid


@settings(max_examples=30)
@given(roster_rows(), st.booleans())
def test_property_roster_import_accepts_exactly_the_valid_rows(drawn, skip_invalid):
    rows, valid = drawn
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        store = Store(tmp / "data")
        path = tmp / "roster.csv"
        pd.DataFrame(rows).to_csv(path, index=False, lineterminator="\r\n")
        if all(valid) or skip_invalid:
            result = import_roster(store, path, skip_invalid=skip_invalid)
            assert result.added == sum(valid)
            assert sorted(r.row for r in result.rejected) == [i + 2 for i, ok in enumerate(valid) if not ok]
            stored = set(store.roster()["employee_id"])
            assert stored == {r["employee_id"] for r, ok in zip(rows, valid) if ok}
            for r, ok in zip(rows, valid):
                if ok:
                    assert store.employee(r["employee_id"])["name"] == r["name"]
        else:
            with pytest.raises(FileRejected) as exc:
                import_roster(store, path)
            assert {p.row for p in exc.value.problems} == {i + 2 for i, ok in enumerate(valid) if not ok}
            assert not store.root.exists()


@st.composite
def history_rows(draw):
    n = draw(st.integers(1, 8))
    rows, valid = [], []
    for i in range(n):
        good_rating, good_target, good_date = draw(st.booleans()), draw(st.booleans()), draw(st.booleans())
        date = draw(st.dates(dt.date(1990, 1, 1), dt.date(2025, 12, 31))).isoformat() if good_date else \
            draw(st.sampled_from(["31/31/2020", "2020-13-01", "yesterday", "", "3000-01-01"]))
        rows.append({"employee_id": draw(st.sampled_from(["E001", "E002", "E003"])), "date": date,
                     "skill": f"skill {i}", "rating": draw(VALID_RATINGS) if good_rating else draw(INVALID_RATINGS),
                     "target_12m": draw(st.sampled_from(["", "8"])) if good_target else draw(INVALID_RATINGS.filter(
                         lambda s: s != ""))})
        valid.append(good_rating and good_target and good_date)
    return rows, valid


@settings(max_examples=40)
@given(history_rows())
def test_property_history_import_is_all_or_nothing_and_per_conversation(drawn):
    rows, valid = drawn
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        store = Store(tmp / "data")
        write(tmp / "roster.csv", "\n".join([ROSTER_HEADER, *ROSTER_ROWS]) + "\n")
        import_roster(store, tmp / "roster.csv")
        path = tmp / "history.csv"
        pd.DataFrame(rows).to_csv(path, index=False)
        before = snapshot(store.root)
        if not all(valid):
            with pytest.raises(FileRejected):
                import_history(store, path)
            assert snapshot(store.root) == before
        result = import_history(store, path, skip_invalid=True)
        # a conversation (employee x date) goes in whole or not at all
        groups: dict[tuple, list[bool]] = {}
        for r, ok in zip(rows, valid):
            groups.setdefault((r["employee_id"], r["date"]), []).append(ok)
        expected = {key for key, oks in groups.items() if all(oks)}
        stored = {(r["employee_id"], r["date"]) for e in ("E001", "E002", "E003") for r in store.conversations(e)}
        assert stored == expected
        assert result.added == len(expected)
        assert len(result.rejected) == sum(len(oks) for key, oks in groups.items() if key not in expected)
        again = import_history(store, path, skip_invalid=True)
        assert (again.added, again.updated, again.unchanged) == (0, 0, len(expected))


def test_roster_text_with_a_carriage_return_is_stored_verbatim(store: Store, tmp_path: Path):
    path = tmp_path / "cr.csv"
    pd.DataFrame([{"employee_id": "E1", "name": "Ana\rSilva", "coach_id": "C1", "department": "D", "role": "",
                   "cadence_months": 6}]).to_csv(path, index=False, lineterminator="\r\n")
    import_roster(store, path)
    assert store.employee("E1")["name"] == "Ana\rSilva"
    assert list(store.roster()["employee_id"]) == ["E1"]

def test_xlsx_formulas_without_saved_values_are_named(store: Store, tmp_path: Path):
    """A workbook written by a program holds formulas without results; they must not read as empty cells."""
    roster_workbook(tmp_path / "generated.xlsx", ["E1", '=CONCAT("A","na")', "C1", "Eng", "Dev", "=3*4", None])
    assert_rejected_and_unchanged(store, lambda: import_roster(store, tmp_path / "generated.xlsx"),
                                  "formulas with no saved value (cells B2, F2)")


def test_xlsx_formulas_with_saved_values_import_their_values(store: Store, tmp_path: Path):
    """The same workbook once a spreadsheet saved it: each formula carries its result, which is imported."""
    import zipfile

    roster_workbook(tmp_path / "plain.xlsx", ["E1", "Ana", "C1", "Eng", "Dev", "=3*4", None])
    # Add the saved result (<v>12</v>) beside the formula, as Excel and LibreOffice write it.
    saved = tmp_path / "saved.xlsx"
    with zipfile.ZipFile(tmp_path / "plain.xlsx") as src, zipfile.ZipFile(saved, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<f>3*4</f><v />", b"<f>3*4</f><v>12</v>")
                assert b"<v>12</v>" in data
            dst.writestr(item, data)
    assert import_roster(store, saved).added == 1
    assert store.employee("E1")["cadence_months"] == 12


def test_the_service_roster_upload_is_told_how_to_add_an_erased_person_again(tmp_path: Path):
    """The records service erases people too (DELETE api/people/ID), so its roster upload refuses them as the
    command line does, worded for the request: allow_erased=1 in its address, not an option it cannot pass."""
    from careerconv.records.erasure import erase_employee
    from careerconv.surfaces.service.server import ROSTER_UPLOAD

    store = Store(tmp_path / "data")
    roster = write(tmp_path / "roster.csv", "\n".join([ROSTER_HEADER, *ROSTER_ROWS]) + "\n")
    import_roster(store, roster, asking=ROSTER_UPLOAD)
    erase_employee(store, tmp_path / "reports", "E002")
    before = snapshot(store.root)
    with pytest.raises(FileRejected) as refusal:
        import_roster(store, roster, asking=ROSTER_UPLOAD)
    assert refusal.value.problems[0].message.endswith(
        "to add them again on purpose, send the file again with allow_erased=1 in the request's address "
        "(PUT api/roster?allow_erased=1)")
    assert "--allow-erased" not in str(refusal.value)
    assert snapshot(store.root) == before
    assert import_roster(store, roster, asking=ROSTER_UPLOAD, allow_erased=True).added == 1


def test_a_history_row_with_a_target_below_its_rating_is_imported_and_pointed_out(roster_store, tmp_path):
    """Found by a hostile import: a target below the rating (a 6-month target of 4 for a rating of 7, columns
    swapped) was imported without a word, though the app completes no conversation with one. It is imported as
    written (an exported history must import again) and the summary names the rows."""
    path = tmp_path / "history.csv"
    path.write_text("employee_id,date,skill,rating,target_6m,target_12m\n"
                    "E001,2024-01-10,Negotiation,7,4,8\nE001,2024-01-10,Writing,5,6,7\n", encoding="utf-8")
    result = import_history(roster_store, path)
    assert result.added == 1
    assert "1 row(s) have a target below their rating (rows 2): imported as written" in result.summary()
