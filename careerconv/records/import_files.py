"""Reading a CSV file or a sheet of an ``.xlsx`` workbook into raw cells (:func:`read_table_file`):
its encoding and separator, its header row below a report's title (or SAP SuccessFactors' keys row above its
labels), a report's footer, stray quotes, hidden rows and
formulas without values; nothing is checked against the importer's rules here."""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from . import schema
from .import_asking import COMMAND_LINE, Asking, FileRejected
from .import_columns import SF_KEYS, ColumnSpec, column_key
from .spreadsheet import decode_text

_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls
# Files people rename to .csv by mistake. Checked before decoding: Windows-1252 reads almost any bytes as
# *some* text, so without this an image is reported as a badly encoded CSV.
_BINARY_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\x1f\x8b", "a gzip-compressed file"),
)
# Excel's separator hint: a first line ``sep=;`` names the separator, and Excel does not show it as a row.
_SEPARATOR_HINT = re.compile(r"sep=(.*)", re.IGNORECASE)
_SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}

_ACCEPTED_FILES = "accepted are CSV files saved as UTF-8, UTF-16 or Windows-1252 (cp1252) text, and .xlsx workbooks"


@dataclass(frozen=True)
class RawRow:
    """One non-blank data row: its row number as seen in the file and its cells in header order."""

    row: int
    cells: tuple[Any, ...]


@dataclass
class RawTable:
    """A CSV file or worksheet read into cells, before any checking."""

    source: str
    path: Path
    file_format: str  # "CSV" or "Excel workbook"
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    header: list[str]
    header_row: int
    rows: list[RawRow]
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """One line on how the file was read, e.g. ``CSV, UTF-8 with BOM, comma-separated, 12 rows``."""
        parts = [self.file_format]
        if self.encoding:
            parts.append(self.encoding)
        if self.delimiter:
            parts.append(_SEPARATOR_NAMES.get(self.delimiter, repr(self.delimiter)) + "-separated")
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        parts.append(f"{len(self.rows)} data row{'s' if len(self.rows) != 1 else ''}")
        return ", ".join(parts)


def _file_problem(source: str, message: str, row: int | None = None) -> "FileRejected":
    return FileRejected([schema.Problem(source, message, row)],
                        f"{source}: cannot import this file; nothing was written",
                        hint="")


def _binary_kind(data: bytes) -> str | None:
    """What a file that is not text looks like (``"a PNG image"``); None when it may be text."""
    for magic, kind in _BINARY_MAGIC:
        if data.startswith(magic):
            return kind
    if b"\x00" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "a binary file (it contains NUL bytes; UTF-16 text needs a byte-order mark)"
    return None


def _zip_kind(data: bytes) -> str | None:
    """What a ZIP file is when it is not an Excel workbook; None for a workbook or a damaged ZIP."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if any(name.startswith("xl/") for name in names):
                return None
            if "mimetype" in names and archive.read("mimetype").startswith(b"application/vnd.oasis.opendocument"):
                return "an OpenDocument file (.ods or .odt)"
            return "a ZIP archive"
    except zipfile.BadZipFile:
        return None  # _read_xlsx reports a damaged workbook


# How far down a report's title and parameters may push the header row (rows that are not blank).
HEADER_SEARCH_ROWS = 20


def _choose_delimiter(text: str, known: Iterable[str]) -> str:
    """The separator that makes some early line (the header, which a title or report parameters may precede)
    name the most known columns; a comma when none names any."""
    lines = [line for line in text.splitlines()[:4 * HEADER_SEARCH_ROWS] if line.strip()][:HEADER_SEARCH_ROWS]
    known = set(known)
    best, best_score = ",", 0
    for line in lines:
        for delim in (",", ";", "\t"):
            try:
                cells = next(csv.reader([line], delimiter=delim), [])
            except csv.Error:  # a cell beyond the field size limit: not the header; the reader names the row
                continue
            score = sum(column_key(c) in known for c in cells)
            if score > best_score:
                best, best_score = delim, score
    return best


def _header_position(rows: list[tuple[int, tuple[Any, ...]]], spec: ColumnSpec) -> int:
    """Which of a table's non-blank rows ``(row number, cells)`` is its header: the first that names the
    importer's required columns among the first :data:`HEADER_SEARCH_ROWS` (HR reports put a title, a run
    date or their parameters above it), or the keys row of a SAP SuccessFactors user data file
    (:func:`_labels_follow`), else the first row (whose missing columns are then reported)."""
    if spec.required:
        for position, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
            if _labels_follow(rows, position) or spec.looks_like(c for c in cells if not schema.is_missing(c)):
                return position
    return 0


def _labels_follow(rows: list[tuple[int, tuple[Any, ...]]], position: int) -> bool:
    """Whether ``rows[position]`` holds the system keys of a SAP SuccessFactors user data file and the row after it
    their labels: the keys row names :data:`SF_KEYS`, and the labels row repeats them in the same columns, as SAP
    requires (``STATUS,USERID,USERNAME,...`` above ``STATUS,USERID,Username,...``). The keys are the header."""
    if position + 1 >= len(rows):
        return False
    keys = [column_key(c) for c in rows[position][1]]
    labels = [column_key(c) for c in rows[position + 1][1]]
    return all(key in keys and keys.index(key) < len(labels) and labels[keys.index(key)] == key for key in SF_KEYS)


def _table_start(rows: list[tuple[int, tuple[Any, ...]]], spec: ColumnSpec) -> tuple[int, int, list[str]]:
    """Where a table's header is among its non-blank rows (:func:`_header_position`), where its data begins (the row
    after it, or after SAP SuccessFactors' labels row), and the notes on the rows not read above the data."""
    at = _header_position(rows, spec)
    notes = _above_header_note(rows, at)
    if not _labels_follow(rows, at):
        return at, at + 1, notes
    notes.append(f"row {rows[at + 1][0]} holds the labels of the system keys in row {rows[at][0]}, as a SAP "
                 f"SuccessFactors user data file has them: the keys of row {rows[at][0]} are read as the header "
                 f"(USERID as the employee id, the id MANAGER names), and row {rows[at + 1][0]} is not read")
    return at, at + 2, notes


def _footer_start(rows: list[tuple[int, tuple[Any, ...]]]) -> int:
    """Where a report's footer begins among the data rows ``(row number, cells)``: the rows after the last row
    with two values or more that each hold one text that is not an id (``Total: 60 employees``,
    ``Confidential``); ``len(rows)`` when there is none. A row of one id is a row to report, not a footer."""
    start = len(rows)
    while start:
        values = [c for c in rows[start - 1][1] if not schema.is_missing(c)]
        if len(values) != 1 or not isinstance(values[0], str):
            break
        try:
            schema.parse_identifier(values[0].strip())
            break
        except ValueError:
            start -= 1
    return start


def footer_note(rows: list[tuple[int, tuple[Any, ...]]], start: int,
                 holding: str = "one text that is not an id") -> list[str]:
    """The note on footer rows that were not read (:func:`_footer_start`; ``holding`` says what each holds)."""
    if start == len(rows):
        return []
    shown = "; ".join(repr(next(c for c in cells if not schema.is_missing(c)))[:60] for _, cells in rows[start:][:3])
    if start == len(rows) - 1:
        where, each, were = f"row {rows[start][0]}", holding, "was"
    else:
        where, each, were = f"rows {rows[start][0]}-{rows[-1][0]}", f"each {holding}", "were"
    return [f"{where} below the table, {each} ({shown}), {were} taken for the report's footer and not read"]


def _above_header_note(rows: list[tuple[int, tuple[Any, ...]]], position: int) -> list[str]:
    """The note on rows skipped above the header row (none when the header is the first non-blank row)."""
    if not position:
        return []
    first, header = rows[0][0], rows[position][0]
    shown = f"row {first} above it was" if position == 1 else f"the {position} rows above it were"
    return [f"the header row is row {header}; {shown} not read (a title or the report's parameters, not "
            "employees)"]


def blank(cells: Iterable[Any]) -> bool:
    return all(schema.is_missing(c) for c in cells)


def read_table_file(path: str | Path, columns: ColumnSpec | Iterable[str] = (), *,
                    sheet: str | None = None, asking: Asking = COMMAND_LINE) -> RawTable:
    """Read a CSV file or one sheet of an ``.xlsx`` workbook into raw cells.

    Parameters
    ----------
    path
        The file. Its content decides the format (an ``.xlsx`` saved with a
        ``.csv`` name is still read as a workbook).
    columns
        The importer's columns, or column names expected: they tell comma,
        semicolon and tab apart, and which sheet of a workbook is the table
        (the only one whose header row names every required column; with
        several, the file is refused; with none, the first is read).
    sheet
        The sheet of a workbook to read, whatever its header row names.
    asking
        How the person importing names the file and a sheet where they are (:class:`Asking`), for the messages;
        the web service's upload is read from a temporary file whose path means nothing to the person who sent it.

    Returns
    -------
    RawTable
        Header and non-blank rows, with row numbers as a spreadsheet shows them; a workbook's block of cells
        merged down one column holds its value in each of its rows, as Excel shows it (with a note).

    Raises
    ------
    FileNotFoundError
        No such file.
    ValidationError
        An empty file, a file with no header, an unreadable workbook, text in
        an unknown encoding, or a file that is not a table at all (an image, a
        PDF, a ZIP archive, an ``.xlsx`` name on a CSV file); a workbook with
        several sheets that look like the table, or without ``sheet``; a
        ``sheet`` asked of a CSV file; merged cells in the header row or across
        the columns of a data row.
    """
    spec = columns if isinstance(columns, ColumnSpec) else ColumnSpec("table", (), tuple(columns))
    path = Path(path)
    source = asking.file_name or str(path)
    if path.is_dir():
        raise _file_problem(source, "is a folder, not a file")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"{source}: no such file") from None
    if data.startswith(_OLE_MAGIC):
        raise _file_problem(source, "is an old Excel .xls workbook; save it as .xlsx or CSV UTF-8 and import that")
    if data.startswith(_XLSX_MAGIC):
        kind = _zip_kind(data)
        if kind:
            raise _file_problem(source, f"is {kind}, not a CSV file or an Excel workbook; {_ACCEPTED_FILES}")
        table = _read_xlsx(path, source, spec, sheet, asking.sheet)
        if path.suffix.lower() not in (".xlsx", ".xlsm"):
            table.notes.append(f"read as an Excel workbook, which it is, although it is named {path.name!r}")
        return table
    kind = _binary_kind(data)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        what = f"it looks like {kind}; {_ACCEPTED_FILES}" if kind else (
            "it holds text, so it is probably a CSV file renamed .xlsx; rename it to .csv and import that, or "
            "open it in Excel and save it as an Excel workbook (.xlsx)")
        raise _file_problem(source, f"is named {path.suffix} but is not an Excel workbook: {what}")
    if kind:
        raise _file_problem(source, f"is not a text file: it looks like {kind}; {_ACCEPTED_FILES}")
    if sheet is not None:
        raise _file_problem(source, f"is a CSV file, which has no sheets; sheet {sheet!r} was asked for, and "
                                    "only an .xlsx workbook has sheets")
    try:
        text, encoding = decode_text(data, source)
    except ValueError as exc:
        raise _file_problem(source, str(exc).removeprefix(f"{source}: ")) from None
    if "\x00" in text:
        raise _file_problem(source, "contains NUL characters, so it is not a text CSV file; save it as CSV UTF-8 "
                                    "or .xlsx")
    known = list(spec.known_keys)
    first_line, _, rest = text.partition("\n")
    first_line = first_line.removesuffix("\r")
    hint = _SEPARATOR_HINT.fullmatch(first_line)
    notes = []
    if hint:
        delimiter, text = _hinted_separator(source, first_line, hint.group(1)), rest
        notes.append(f"the first line {first_line!r} names the separator, as Excel reads it; rows are "
                     "numbered from the line after it, as Excel shows the file")
    else:
        delimiter = _choose_delimiter(text, known)
    csv.field_size_limit(max(csv.field_size_limit(), 16 * schema.MAX_TEXT))
    try:
        records = _csv_records(source, text, delimiter, strict=True)
    except FileRejected:
        stray = _stray_quote(text, delimiter, first_line=2 if hint else 1)
        if stray:
            raise _file_problem(source, stray) from None
        # Not a stray quote: read as before, where a quoted value with text after its closing quote ('"a"b') is
        # one value ('ab'), and any other error is named.
        records = _csv_records(source, text, delimiter, strict=False)
    if not records:
        raise _file_problem(source, "is empty; the first row must name the columns" + _wanted_columns(spec))
    at, first, start_notes = _table_start(records, spec)
    notes += start_notes
    header_row, header = records[at][0], list(records[at][1])
    end = _footer_start(records[first:]) + first if len(header) > 1 else len(records)
    notes += footer_note(records[first:], end - first)
    rows = [RawRow(n, cells) for n, cells in records[first:end]]
    return RawTable(source, path, "CSV", encoding, delimiter, None, header, header_row, rows, notes)


def _csv_records(source: str, text: str, delimiter: str, *, strict: bool) -> list[tuple[int, tuple[Any, ...]]]:
    """The non-blank records of a CSV text with their row numbers as a spreadsheet shows them; ``strict`` refuses
    a quoted value the file ends in and text after a closing quote (see :func:`_stray_quote`)."""
    number = 0
    records: list[tuple[int, tuple[Any, ...]]] = []
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=strict)
        for number, record in enumerate(reader, start=1):
            if not blank(record):
                records.append((number, tuple(record)))
    except csv.Error as exc:
        raise _file_problem(source, f"is not valid CSV near row {number + 1}: {exc}") from None
    return records


LINE_BREAK = re.compile(r"\r\n|\r|\n")
_QUOTED_VALUE = re.compile(r'"[^"]*(?:""[^"]*)*"')


def _stray_quote(text: str, delimiter: str, first_line: int = 1) -> str | None:
    """What is wrong, and what to do, when a double quote that opens a value is not closed where the value ends
    (a name typed ``"Smith, Ann``): the quote runs on to the end of the file, or over line breaks to a later
    quote that is followed by more text, so the rows after it would be read as part of one value. None when
    every quoted value is closed (a value on one line with text after its closing quote, ``"a"b``, is not a
    stray quote). ``first_line`` is the line number of the text's first line in the file.

    It walks the values as :mod:`csv` reads them: a double quote opens a value only as its first character,
    and two double quotes inside a quoted value stand for one.
    """
    unquoted = re.compile(f"[^{re.escape(delimiter)}\r\n]*")
    position, end = 0, len(text)
    while position < end:
        if text[position] == '"':
            quoted = _QUOTED_VALUE.match(text, position)
            after = unquoted.match(text, quoted.end()).end() if quoted else end
            if not quoted or (after > quoted.end() and LINE_BREAK.search(quoted.group())):
                return _stray_quote_problem(text, position, quoted.end() - 1 if quoted else None, first_line)
            position = after
        else:
            position = unquoted.match(text, position).end()
        position += 2 if text.startswith("\r\n", position) else 1
    return None


def _stray_quote_problem(text: str, opened: int, closed: int | None, first_line: int) -> str:
    """The refusal of a double quote at ``opened`` that is closed only at ``closed`` (None: never)."""
    def line(position: int) -> int:
        return first_line + len(LINE_BREAK.findall(text, 0, position))

    start = LINE_BREAK.split(text[opened:opened + 200], maxsplit=1)[0]
    shown = start if len(start) <= 40 else start[:40] + "..."
    where = f"line {line(opened)}: the double quote opened there ({shown})"
    if closed is None:
        what = (f"{where} is never closed, so everything after it to the end of the file (line "
                f"{line(len(text.rstrip()))}) would be read as one value")
    else:
        what = (f"{where} is not closed where its value ends: the next double quote is on line {line(closed)}, "
                f"inside a value, so lines {line(opened)}-{line(closed)} would be read as one value")
    return f"{what}; close it with a second double quote where the value ends, or remove it, then import again"


def _wanted_columns(spec: ColumnSpec) -> str:
    """The columns a file must and may name, for a refusal: `` (required: a, b; optional: c)`` (the aliases HR
    systems use are read too, but not listed: there are dozens)."""
    parts = [f"{kind}: {', '.join(names)}" for kind, names in (("required", spec.required), ("optional", spec.optional))
             if names]
    return f" ({'; '.join(parts)})" if parts else ""


def _hinted_separator(source: str, line: str, separator: str) -> str:
    """The separator an Excel hint line ``sep=;`` names (its text after ``sep=``).

    A hint typed into a spreadsheet's first cell comes back padded with the separator (``sep=;;;;``).
    """
    if separator and separator == separator[0] * len(separator):
        separator = separator[0]
    if len(separator) != 1 or separator.isalnum() or separator in "\"' ":
        raise _file_problem(source, f"its first line {line!r} is Excel's separator hint but does not name one "
                                    "separator character (a comma, semicolon, tab or another mark that is not a "
                                    "letter, digit, space or double quote), as in 'sep=;'", 1)
    return separator


def _read_xlsx(path: Path, source: str, spec: ColumnSpec, sheet: str | None, sheet_asked_by: str) -> RawTable:
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
        grids = pd.read_excel(book, sheet_name=None, header=None, dtype=object, keep_default_na=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError) as exc:
        raise _file_problem(source, f"cannot be read as an Excel workbook ({exc}); save it again as .xlsx "
                                    "or CSV UTF-8") from None
    tables = {name: _sheet_rows(grid, spec) for name, grid in grids.items()}
    chosen, notes = _choose_sheet(source, spec, tables, sheet, sheet_asked_by)
    unsaved = _formulas_without_values(path, chosen)
    if unsaved:
        shown = ", ".join(unsaved[:5]) + (f" and {len(unsaved) - 5} more" if len(unsaved) > 5 else "")
        cells = "cells" if len(unsaved) > 1 else "cell"
        raise _file_problem(source, f"sheet {chosen!r} has formulas with no saved value ({cells} {shown}): "
                                    "the workbook was written by a program, not saved by a spreadsheet, so their "
                                    "results are unknown. Open it in Excel or LibreOffice and save it, or "
                                    "replace the formulas by their values, then import it again")
    header, header_row, rows, above = tables[chosen]
    sheet_xml = _sheet_xml(path, chosen)
    notes += above + _hidden_rows_note(_hidden_rows(sheet_xml), rows)
    if header is None:
        raise _file_problem(source, f"sheet {chosen!r} is empty; the first row must name the columns"
                            + _wanted_columns(spec))
    rows, merged_notes = _fill_merged_blocks(source, header, header_row, rows, _merged_ranges(sheet_xml))
    notes += merged_notes
    return RawTable(source, path, "Excel workbook", None, None, chosen, header, header_row, rows, notes)


def _sheet_rows(grid: pd.DataFrame, spec: ColumnSpec) -> tuple[list[str] | None, int, list[RawRow], list[str]]:
    """A sheet's header (None for an empty sheet), the header's row number, the non-blank rows below it,
    numbered as Excel shows them, and the notes on the rows above them (:func:`_table_start`)."""
    records: list[tuple[int, tuple[Any, ...]]] = []
    for position, values in enumerate(grid.itertuples(index=False, name=None)):
        number = position + 1  # pandas keeps leading blank rows, so this is Excel's row number
        cells = tuple(None if isinstance(v, str) and v == "" else v for v in values)
        if not blank(cells):
            records.append((number, cells))
    if not records:
        return None, 0, [], []
    at, first, start_notes = _table_start(records, spec)
    header = ["" if schema.is_missing(c) else str(c) for c in records[at][1]]
    end = _footer_start(records[first:]) + first if sum(bool(h) for h in header) > 1 else len(records)
    return header, records[at][0], [RawRow(n, cells) for n, cells in records[first:end]], \
        start_notes + footer_note(records[first:], end - first)


def _choose_sheet(source: str, spec: ColumnSpec, tables: dict[str, tuple], sheet: str | None,
                  sheet_asked_by: str) -> tuple[str, list]:
    """The sheet to read and a note on the others: ``sheet`` when given, else the one sheet whose header row
    looks like ``spec``'s (the first sheet when none does; with several, the refusal says to name one by
    ``sheet_asked_by``)."""
    names = list(tables)
    if sheet is not None:
        if sheet not in tables:
            raise _file_problem(source, f"has no sheet {sheet!r}; its sheets are {quoted(names)}")
        chosen, why = sheet, "as asked"
    else:
        fitting = [name for name in names if tables[name][0] is not None and spec.looks_like(tables[name][0])]
        if len(fitting) > 1:
            raise _file_problem(source, f"has {len(fitting)} sheets that look like a {spec.kind} file ("
                                        f"{quoted(fitting)}: their header rows name {', '.join(spec.required)}); "
                                        f"say which to import with {sheet_asked_by}, or save that sheet alone "
                                        "as a workbook and import that")
        chosen = fitting[0] if fitting else names[0]
        why = f"the only one whose header row names the {spec.kind} columns" if fitting else \
            f"the first; no sheet's header row names all of {', '.join(spec.required)}"
    others = [name for name in names if name != chosen]
    return chosen, [f"read sheet {chosen!r} ({why}) and ignored the other {len(others)}: {quoted(others)}"] \
        if others else []


def quoted(names: list[str]) -> str:
    return ", ".join(repr(name) for name in names)


_SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _sheet_xml(path: Path, sheet: str) -> bytes:
    """The XML part of ``sheet`` in the workbook at ``path``; empty when the workbook's parts cannot be followed
    (the sheet was read by then, so nothing is known of its hidden rows or merged cells)."""
    import posixpath
    import xml.etree.ElementTree as ET

    try:
        with zipfile.ZipFile(path) as archive:
            book = ET.fromstring(archive.read("xl/workbook.xml"))
            rel_id = next((e.get(f"{_REL_NS}id") for e in book.iter(f"{_SHEET_NS}sheet") if e.get("name") == sheet),
                          None)
            rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
            target = next((e.get("Target") for e in rels.iter(f"{_PACKAGE_REL_NS}Relationship")
                           if e.get("Id") == rel_id), None)
            if rel_id is None or not target:
                return b""
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            return archive.read(part)
    except (KeyError, ET.ParseError, zipfile.BadZipFile, OSError):
        return b""


def _hidden_rows(sheet_xml: bytes) -> set[int]:
    """The numbers of the rows of a sheet (its XML part: :func:`_sheet_xml`) that the workbook hides: hidden by
    hand, or left out by a filter (Excel saves both as ``<row hidden="1">``)."""
    import xml.etree.ElementTree as ET

    if b"hidden=" not in sheet_xml:  # the usual sheet: nothing hidden, no need to parse it (0.8 s at 50,000 rows)
        return set()
    hidden = set()
    try:
        for _, element in ET.iterparse(io.BytesIO(sheet_xml)):
            if element.tag == f"{_SHEET_NS}row":
                if element.get("hidden") in ("1", "true") and (element.get("r") or "").isdigit():
                    hidden.add(int(element.get("r")))
                element.clear()
    except ET.ParseError:
        return set()
    return hidden


def _hidden_rows_note(hidden: set[int], rows: list[RawRow]) -> list[str]:
    """The note on data rows the workbook hides, which are read like the others (none hidden: no note)."""
    found = [row.row for row in rows if row.row in hidden]
    if not found:
        return []
    shown = ", ".join(map(str, found[:5])) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
    one = len(found) == 1
    return [f"{len(found)} {'row' if one else 'rows'} ({shown}) {'is' if one else 'are'} hidden in the workbook, by a "
            f"filter or by hand, and {'was' if one else 'were'} read like the others; if {'it' if one else 'they'} "
            f"should not be imported, delete {'it' if one else 'them'} from the sheet (a filter does not take rows "
            "out of the file) and import it again"]


# A merged range as a sheet's XML part names it: <mergeCell ref="D2:D42"/> (with or without a namespace prefix).
_MERGE_CELL = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')


@dataclass(frozen=True)
class MergedRange:
    """Cells a sheet shows as one (Excel's merged cells): only the first holds the value; rows and columns are
    numbered from 1, as Excel does (column 1 is A)."""

    ref: str
    first_column: int
    first_row: int
    last_column: int
    last_row: int


def _merged_ranges(sheet_xml: bytes) -> list[MergedRange]:
    """The merged cells of a sheet (its XML part: :func:`_sheet_xml`), top to bottom."""
    from openpyxl.utils.cell import range_boundaries

    found = [MergedRange(ref.decode(), *range_boundaries(ref.decode())) for ref in _MERGE_CELL.findall(sheet_xml)]
    return sorted(found, key=lambda m: (m.first_row, m.first_column))


def _fill_merged_blocks(source: str, header: list[str], header_row: int, rows: list[RawRow],
                        merged: list[MergedRange]) -> tuple[list[RawRow], list[str]]:
    """The data rows with each block of cells merged down one column (a department merged over its people, as
    spreadsheets kept by hand have it) read as its value in each of its rows, as Excel shows it, and the note
    naming the blocks; cells merged above the header row (a report's title) are not read anyway.

    Raises
    ------
    FileRejected
        When cells of the header row are merged (a header of two rows: 'Manager' over 'Name' and 'ID'), or
        cells of a data row are merged across columns: which column holds the value cannot be told.
    """
    header_merged = [m for m in merged if m.first_row <= header_row <= m.last_row]
    if header_merged:
        raise _file_problem(source, _merged_header_problem(header, header_row, rows, header_merged), header_row)
    below = [m for m in merged if m.first_row > header_row]
    across = [m for m in below if m.last_column > m.first_column]
    if across:
        raise _file_problem(source, f"cells {_refs(across)} are merged across columns, so which column their "
                                    "value is in cannot be told: unmerge them and put each value in its own "
                                    "column, then import again", across[0].first_row)
    down = [m for m in below if m.last_row > m.first_row]
    if not down:
        return rows, []
    by_number = {row.row: row for row in rows}
    filled: dict[int, list[Any]] = {}
    for block in down:
        column = block.first_column - 1
        top = by_number.get(block.first_row)
        value = top.cells[column] if top is not None and column < len(top.cells) else None
        for number in range(block.first_row + 1, block.last_row + 1):
            if number in by_number and column < len(by_number[number].cells):
                filled.setdefault(number, list(by_number[number].cells))[column] = value
    rows = [RawRow(row.row, tuple(filled[row.row])) if row.row in filled else row for row in rows]
    columns = sorted({m.first_column - 1 for m in down})
    named = quoted([header[c] if c < len(header) and header[c] else f"column {c + 1}" for c in columns])
    return rows, [f"cells {_refs(down)} are merged ({len(down)} block(s) in {named}): the value of each block "
                  "was read into each of its rows, as Excel shows it"]


def _merged_header_problem(header: list[str], header_row: int, rows: list[RawRow], merged: list[MergedRange]) -> str:
    """The refusal of a header row with merged cells, with what to write instead when a heading is merged over
    the names of the row below it (``'Manager' over 'Name' and 'ID'``: ``'Manager Name'`` and ``'Manager ID'``)."""
    below = rows[0].cells if rows and rows[0].row == header_row + 1 else ()
    example = ""
    for block in merged:
        heading = header[block.first_column - 1] if block.first_column <= len(header) else ""
        names = [str(below[c]).strip() for c in range(block.first_column - 1, block.last_column)
                 if c < len(below) and not schema.is_missing(below[c])]
        if block.last_column > block.first_column and heading and names:
            example = (f" (for {heading!r} over {_listed(names)} in row {header_row + 1}, name the columns "
                       f"{_listed([f'{heading} {name}' for name in names])})")
            break
    return (f"cells {_refs(merged)} of the header row (row {header_row}) are merged: careerconv reads one header "
            f"row with one name for each column. Unmerge them and name each column in row {header_row}{example}, "
            f"delete any row of names below it, then import again")


def _listed(names: list[str]) -> str:
    """``'a', 'b' and 'c'``."""
    shown = [repr(name) for name in names]
    return ", ".join(shown[:-1]) + f" and {shown[-1]}" if len(shown) > 1 else shown[0]


def _refs(merged: list[MergedRange], shown: int = 5) -> str:
    """Merged ranges for a message: ``D2:D42, D43:D83`` and how many more."""
    refs = [m.ref for m in merged]
    return ", ".join(refs[:shown]) + (f" and {len(refs) - shown} more" if len(refs) > shown else "")


def _formulas_without_values(path: Path, sheet: str) -> list[str]:
    """Cells of ``sheet`` holding a formula whose result was never saved (they read as empty).

    A spreadsheet program saves each formula's last result beside it; a
    workbook written by a program often has the formula only. Only
    workbooks with a formula in some sheet are opened a second time.
    """
    with zipfile.ZipFile(path) as archive:
        if not any(name.startswith("xl/worksheets/") and b"<f" in archive.read(name)
                   for name in archive.namelist()):
            return []
    import openpyxl

    found = []
    formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    values = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for with_formula, with_value in zip(formulas[sheet].iter_rows(), values[sheet].iter_rows()):
            for cell, saved in zip(with_formula, with_value):
                if getattr(cell, "data_type", None) == "f" and saved.value is None:
                    found.append(cell.coordinate)
    finally:
        formulas.close()
        values.close()
    return found
