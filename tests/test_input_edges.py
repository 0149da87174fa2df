"""Input edges: date-times whose time is not real, exact export -> import of text, files that are not tables."""

from __future__ import annotations

import codecs
import datetime as dt
import gzip
import io
import tempfile
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from careerconv.records import schema
from careerconv.cli import main
from careerconv.views.exporting import export_table
from careerconv.records.spreadsheet import frame_to_csv_bytes, restore_formula
from careerconv.records.importers import FileRejected, import_history, import_roster, read_table_file
from careerconv.records.lost_letters import lost_letters
from careerconv.records.store import Store
from test_exporting import TRIGGERS, read_csv
from test_importers import (ROSTER_HEADER, ROSTER_ROWS, ZS_SPACES, assert_rejected_and_unchanged,  # noqa: F401
                            roster_store, roster_workbook, store, write)

ACCEPTED = "accepted are CSV files saved as UTF-8, UTF-16 or Windows-1252 (cp1252) text, and .xlsx workbooks"


# --------------------------------------------------------------------------- dates with a time part


def test_date_time_with_impossible_time_is_rejected_naming_the_value():
    with pytest.raises(ValueError) as info:
        schema.parse_date("2024-01-05T99:99")
    assert str(info.value) == ("'2024-01-05T99:99' has a time part ('99:99') that is not a real time; "
                               "expected YYYY-MM-DD or an ISO date-time like 2024-01-05T14:30")


@pytest.mark.parametrize("bad", ["2024-01-05T24:00", "2024-01-05T10:60", "2024-01-05T10:30:61", "2024-01-05T",
                                 "2024-01-05T10:30+25:00", "2024-01-05 lunch", "2024-01-05T10:3",
                                 "2024-01-05TT10:30", "2024-01-05T10:30 +02:00"])
def test_date_times_whose_time_is_not_a_time_are_rejected(bad: str):
    with pytest.raises(ValueError, match="is not a real time; expected YYYY-MM-DD or an ISO date-time like"):
        schema.parse_date(bad)


@pytest.mark.parametrize("text", ["2024-01-05T14:30", "2024-01-05T14:30:05", "2024-01-05T14:30:05.123456",
                                  "2024-01-05T14:30:05,5", "2024-01-05T14:30Z", "2024-01-05T23:59:59Z",
                                  "2024-01-05T14:30:05+02:00", "2024-01-05T14:30-0530", "2024-01-05T00:00+14:00",
                                  "2024-01-05 14:30:00", " 2024-01-05T14:30 ", "2024-01-05T1430Z"])
def test_real_iso_date_times_keep_their_date(text: str):
    assert schema.parse_date(text) == dt.date(2024, 1, 5)


OFFSETS = st.one_of(st.none(), st.just(dt.timezone.utc),
                    st.integers(-14 * 60, 14 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m))))


@given(st.datetimes(min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2099, 12, 31, 23, 59, 59)), OFFSETS,
       st.sampled_from(["T", " "]), st.sampled_from(["minutes", "seconds", "milliseconds", "microseconds"]))
def test_property_every_iso_date_time_reads_as_its_date(moment, zone, sep, timespec):
    text = moment.replace(tzinfo=zone).isoformat(sep=sep, timespec=timespec)
    assert schema.parse_date(text) == moment.date()
    if zone is dt.timezone.utc:
        assert schema.parse_date(text.replace("+00:00", "Z")) == moment.date()


def test_history_row_with_impossible_time_is_rejected_with_its_row(roster_store: Store, tmp_path: Path):
    path = write(tmp_path / "h.csv", "employee_id,date,skill,rating\nE001,2023-03-01T10:00,Python,5\n"
                                     "E002,2023-03-01T99:99,Python,6\n")
    problems = assert_rejected_and_unchanged(roster_store, lambda: import_history(roster_store, path),
                                             "row 3, column 'date', value '2023-03-01T99:99'",
                                             "ISO date-time like 2024-01-05T14:30")
    assert [p.row for p in problems] == [3]


# --------------------------------------------------------------------------- export -> import keeps text exactly


def _roster_frame(names: list[str], roles: list[str] | None = None) -> pd.DataFrame:
    return pd.DataFrame({"employee_id": [f"E{i:03d}" for i in range(len(names))], "name": names,
                         "coach_id": "C1", "department": "Eng", "role": roles or [""] * len(names),
                         "cadence_months": 6, "email": ""})


def _export_then_import(frame: pd.DataFrame, tmp: Path) -> tuple[Store, Store]:
    """Import ``frame`` into one store, export its roster as CSV, import that into a second store."""
    source, target = Store(tmp / "a"), Store(tmp / "b")
    frame.to_csv(tmp / "in.csv", index=False, lineterminator="\r\n")  # CRLF: a lone CR in a cell is quoted
    import_roster(source, tmp / "in.csv")
    export_table(source, "roster", tmp / "roster.csv", "csv")
    import_roster(target, tmp / "roster.csv")
    return source, target


def test_roster_round_trip_keeps_a_leading_tab_and_cr(tmp_path: Path):
    source, target = _export_then_import(
        _roster_frame(["\tAda", "\rBo", "\r\nCy", "=1+1", "-Dee", "a\tb\rc"], ["\r", "\tLead", "", "@x", "+", "'"]),
        tmp_path)
    exported = (tmp_path / "roster.csv").read_bytes().decode("utf-8-sig")
    assert "E000,'\tAda," in exported and "E001,\"'\rBo\"," in exported  # guarded, so a spreadsheet shows text
    for store in (source, target):
        people = store.roster().set_index("employee_id")
        assert people["name"].tolist() == ["\tAda", "\rBo", "\r\nCy", "=1+1", "-Dee", "a\tb\rc"]
        assert people["role"].fillna("").tolist() == ["", "\tLead", "", "@x", "+", "'"]  # "\r" alone is blank


def test_text_that_already_starts_with_a_guard_quote_survives_the_round_trip(tmp_path: Path):
    source = Store(tmp_path / "a")
    source.upsert_employees(_roster_frame(["'=x", "''\tAda", "'plain"]), source="test")
    export_table(source, "roster", tmp_path / "roster.csv", "csv")
    target = Store(tmp_path / "b")
    import_roster(target, tmp_path / "roster.csv")
    assert target.roster()["name"].tolist() == ["'=x", "''\tAda", "'plain"]


LEADING = st.text(st.sampled_from(TRIGGERS), min_size=1, max_size=3)
# Without the invisible characters the roster import removes (zero-width spaces, joiners ...: see test_importers),
# and guarded text without the spaces at the end it removes too.
REST = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\u200b\u200c\u200d\u2060\ufeff"),
               max_size=12)
GUARDED_TEXT = st.builds(lambda lead, rest: (lead + rest).rstrip(ZS_SPACES), LEADING, REST).filter(
    lambda s: s.strip() != "")


@settings(max_examples=40)
@given(st.lists(st.tuples(GUARDED_TEXT.filter(lambda s: not lost_letters(s)),
                          GUARDED_TEXT.filter(lambda s: not lost_letters(s))), min_size=1, max_size=5))
def test_property_roster_round_trip_keeps_text_with_leading_formula_characters(rows):
    names, roles = [n for n, _ in rows], [r for _, r in rows]
    with tempfile.TemporaryDirectory() as tmp:
        source, target = _export_then_import(_roster_frame(names, roles), Path(tmp))
        for store in (source, target):
            people = store.roster()
            assert people["name"].tolist() == names
            assert people["role"].tolist() == roles
        assert not read_csv(Path(tmp) / "roster.csv")["name"].str.startswith(TRIGGERS).any()


@settings(max_examples=60)
@given(st.lists(st.one_of(GUARDED_TEXT, REST, st.builds(lambda t: "'" + t, GUARDED_TEXT)), min_size=1, max_size=6))
def test_property_free_text_round_trips_through_the_csv_export_and_the_import_reader(texts):
    """Any free-text column: the export's CSV bytes, read as the importers read them, give the text back."""
    frame = pd.DataFrame({"id": [f"r{i}" for i in range(len(texts))], "text": texts})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "free.csv"
        path.write_bytes(frame_to_csv_bytes(frame))
        raw = read_table_file(path, ["id", "text"])
    assert [restore_formula(row.cells[1]) for row in raw.rows] == texts


def test_rejected_rows_file_imports_back_to_the_same_text(store: Store, tmp_path: Path):
    """An exported (guarded) row that is rejected, fixed in the rejected file and imported again keeps its text."""
    path = write(tmp_path / "staff.csv", "\ufeffemployee_id,name,coach_id,department,role,cadence_months,email\r\n"
                                         "E1,'\tAda,C1,\"'\rEng\",'=Lead,7,\r\n")
    result = import_roster(store, path, skip_invalid=True)
    assert result.rejected_path == tmp_path / "staff.rejected.csv"
    fixed = read_csv(result.rejected_path).drop(columns="reason").assign(cadence_months="6")
    fixed.to_csv(tmp_path / "fixed.csv", index=False, lineterminator="\r\n")  # as edited, quotes and all
    import_roster(store, tmp_path / "fixed.csv")
    assert (store.employee("E1")["name"], store.employee("E1")["department"], store.employee("E1")["role"]) == \
        ("\tAda", "\rEng", "=Lead")


# --------------------------------------------------------------------------- files that are not tables

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize("content, kind", [
    (PNG, "a PNG image"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "a PDF document"),
    (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!", "a GIF image"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01", "a JPEG image"),
    (gzip.compress(b"employee_id,name\n", mtime=0), "a gzip-compressed file"),
    (_zip({"notes.txt": b"hello"}), "a ZIP archive"),
    (_zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}),
     "an OpenDocument file"),
    (b"employee_id,name\x00\x00\x01\x02binary", "a binary file (it contains NUL bytes"),
])
def test_binary_file_named_csv_is_refused_as_not_a_text_file(store: Store, tmp_path: Path, content: bytes, kind: str):
    path = tmp_path / "staff.csv"
    path.write_bytes(content)
    with pytest.raises(FileRejected) as info:
        read_table_file(path)
    assert "mixes UTF-8" not in str(info.value)
    problems = assert_rejected_and_unchanged(store, lambda: import_roster(store, path), kind, ACCEPTED)
    assert str(problems[0]).startswith(f"{path}: is ")


def test_png_named_csv_from_the_command_line(tmp_path: Path, capsys):
    (tmp_path / "photo.csv").write_bytes(PNG)
    code = main(["--data", str(tmp_path / "data"), "import", "roster", str(tmp_path / "photo.csv")])
    err = capsys.readouterr().err
    assert code == 1
    assert f"{tmp_path / 'photo.csv'}: is not a text file: it looks like a PNG image; {ACCEPTED}" in err
    assert "Traceback" not in err and not (tmp_path / "data").exists()


@pytest.mark.parametrize("bom, codec", [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")])
def test_utf16_csv_with_its_marker_still_imports(store: Store, tmp_path: Path, bom: bytes, codec: str):
    text = "\t".join(ROSTER_HEADER.split(",")) + "\r\nE1\tJosé Ørsted\tC1\tEng\tDev\t6\t\r\n"  # Excel "Unicode Text"
    path = tmp_path / "unicode.csv"
    path.write_bytes(bom + text.encode(codec))
    result = import_roster(store, path)
    assert result.added == 1 and "UTF-16" in result.how_read
    assert store.employee("E1")["name"] == "José Ørsted"


def test_workbook_named_csv_is_read_as_the_workbook_it_is(store: Store, tmp_path: Path):
    roster_workbook(tmp_path / "book.xlsx", ["E1", "Ana", "C1", "Eng", "Dev", 6, None])
    path = tmp_path / "staff.csv"
    path.write_bytes((tmp_path / "book.xlsx").read_bytes())
    result = import_roster(store, path)
    assert result.added == 1 and store.employee("E1")["name"] == "Ana"
    assert "read as an Excel workbook, which it is, although it is named 'staff.csv'" in result.notes


def test_csv_named_xlsx_gets_a_clear_error(store: Store, tmp_path: Path):
    path = write(tmp_path / "staff.xlsx", "\n".join([ROSTER_HEADER, *ROSTER_ROWS]) + "\n")
    problems = assert_rejected_and_unchanged(store, lambda: import_roster(store, path))
    assert str(problems[0]) == (f"{path}: is named .xlsx but is not an Excel workbook: it holds text, so it is "
                                "probably a CSV file renamed .xlsx; rename it to .csv and import that, or open it "
                                "in Excel and save it as an Excel workbook (.xlsx)")


def test_image_named_xlsx_says_what_it_is(store: Store, tmp_path: Path):
    path = tmp_path / "staff.xlsx"
    path.write_bytes(PNG)
    assert_rejected_and_unchanged(store, lambda: import_roster(store, path),
                                  "is named .xlsx but is not an Excel workbook: it looks like a PNG image", ACCEPTED)


@settings(max_examples=200,
          suppress_health_check=[*settings.default.suppress_health_check, HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300))
def test_property_any_bytes_are_read_or_refused_with_a_file_error(tmp_path: Path, data: bytes):
    path = tmp_path / "any.csv"
    path.write_bytes(data)
    binary = b"\x00" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    try:
        read_table_file(path, ["employee_id", "name"])
    except FileRejected as exc:
        assert str(exc).startswith(f"{path}: cannot import this file; nothing was written")
        assert "mixes UTF-8" not in str(exc) or not binary
    else:
        assert not binary, "a file with NUL bytes (and no UTF-16 marker) was read as text"
