"""Excel workbooks (.xlsx) of tables: one sheet per table, safe to open and easy to read.

The same spreadsheet rules as the CSV export (:mod:`careerconv.views.exporting`):

* **formula-neutralised**: a text cell beginning with ``=``, ``+``, ``-``,
  ``@``, tab or CR gets a leading ``'`` (:func:`careerconv.records.spreadsheet.neutralise_formula`),
  so it is stored and shown as text, never run, and ``careerconv import``
  reads the original text back;
* numbers stay numbers, dates are date cells (``yyyy-mm-dd``), booleans are
  TRUE/FALSE, missing values are empty cells.

And what a workbook adds: the header row is bold and frozen, with a filter;
each column is as wide as its longest value (within limits). What Excel
cannot hold is refused or cut with a warning, never written so that Excel
has to "repair" the file: more than 1,048,575 rows is an error; a text longer
than 32,767 characters is cut to that; characters XML cannot carry (control
characters other than tab, line feed and CR) are dropped.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .spreadsheet import EXCEL_CELL_LIMIT, neutralise_formula

EXCEL_MAX_ROWS = 1_048_576
SHEET_NAME_LIMIT = 31
MIN_WIDTH, MAX_WIDTH = 6, 60
# How many rows decide a column's width: a long tail of rows never shows on one screen anyway.
WIDTH_SAMPLE = 2_000
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass
class Workbook:
    """An .xlsx file's bytes and what had to change to fit Excel."""

    data: bytes
    sheets: list[str]
    warnings: list[str] = field(default_factory=list)


def sheet_name(name: str, taken: set[str] = frozenset()) -> str:
    """A valid, unused Excel sheet name for ``name``: no ``[]:*?/\\``, at most 31 characters.

    Parameters
    ----------
    name
        The table's name.
    taken
        Sheet names already used in the workbook (compared ignoring case, as Excel does).
    """
    base = _SHEET_FORBIDDEN.sub("_", name).strip("'") or "Sheet"
    candidate, n = base[:SHEET_NAME_LIMIT], 1
    folded = {t.casefold() for t in taken}
    while candidate.casefold() in folded:
        n += 1
        suffix = f" ({n})"
        candidate = base[:SHEET_NAME_LIMIT - len(suffix)] + suffix
    return candidate


def _text_cell(value: str, column: str, counts: dict[tuple[str, str], int]) -> str:
    if _ILLEGAL_XML.search(value):
        value = _ILLEGAL_XML.sub("", value)
        counts[("control", column)] = counts.get(("control", column), 0) + 1
    value = neutralise_formula(value)
    if len(value) > EXCEL_CELL_LIMIT:
        value = value[:EXCEL_CELL_LIMIT]
        counts[("long", column)] = counts.get(("long", column), 0) + 1
    return value


def _cell(value: Any, column: str, counts: dict[tuple[str, str], int]) -> Any:
    """One value as openpyxl should store it (None for a missing value)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        return _text_cell(value, column, counts)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if isinstance(value, pd.Timestamp):
        return value.date() if value == value.normalize() else value.to_pydatetime().replace(tzinfo=None)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, (dt.datetime, dt.date)):
        return value
    return _text_cell(str(value), column, counts)


def _column_cells(series: pd.Series, column: str, counts: dict[tuple[str, str], int]) -> list:
    """A column's values as openpyxl stores them, converted once per column rather than cell by cell.

    A date (a timestamp at midnight) becomes a ``datetime.date``, which
    openpyxl writes as a date cell formatted ``yyyy-mm-dd``.
    """
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        stamps = series.dt.tz_localize(None) if series.dt.tz is not None else series
        midnight = bool((stamps.dropna() == stamps.dropna().dt.normalize()).all())
        values = stamps.dt.date if midnight else stamps.dt.to_pydatetime()
        return [None if pd.isna(v) else v for v in values]
    if pd.api.types.is_bool_dtype(series.dtype) and not isinstance(series.dtype, pd.BooleanDtype):
        return [bool(v) for v in series]
    if pd.api.types.is_integer_dtype(series.dtype):
        return [None if v is pd.NA else int(v) for v in series.astype(object)]
    return [_cell(v, column, counts) for v in series.astype(object)]


def _width(frame: pd.DataFrame, column: str) -> float:
    """Characters wide enough for the header and the longest of the first rows' values."""
    sample = frame[column].iloc[:WIDTH_SAMPLE]
    if pd.api.types.is_datetime64_any_dtype(sample.dtype):
        longest = 10
    else:
        texts = sample.dropna().astype(str)
        longest = int(texts.str.len().max()) if len(texts) else 0
    return float(min(MAX_WIDTH, max(MIN_WIDTH, len(str(column)), longest) + 2))


def frames_to_xlsx(sheets: Mapping[str, pd.DataFrame]) -> Workbook:
    """Write tables to one workbook, one sheet each, in the order given.

    Parameters
    ----------
    sheets
        Sheet title -> table. Titles are made valid sheet names (:func:`sheet_name`).

    Returns
    -------
    Workbook
        The bytes, the sheet names used, and warnings (cells cut or cleaned).

    Raises
    ------
    ValueError
        A table with more rows than an Excel sheet holds (the message suggests
        CSV or Parquet), or no table at all.
    """
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    if not sheets:
        raise ValueError("a workbook needs at least one table")
    for title, frame in sheets.items():
        if len(frame) + 1 > EXCEL_MAX_ROWS:
            raise ValueError(f"{title} has {len(frame):,} rows, more than an Excel sheet holds "
                             f"({EXCEL_MAX_ROWS - 1:,} below the header); export it as CSV or Parquet instead")
    book = openpyxl.Workbook(write_only=True)
    used: list[str] = []
    warnings: list[str] = []
    bold = Font(bold=True)
    for title, frame in sheets.items():
        name = sheet_name(title, set(used))
        used.append(name)
        sheet = book.create_sheet(name)
        columns = [str(c) for c in frame.columns]
        for i, column in enumerate(frame.columns, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = _width(frame, column)
        sheet.freeze_panes = "A2"
        if columns:
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(frame) + 1}"
        header = []
        for column in columns:
            cell = openpyxl.cell.WriteOnlyCell(sheet, value=_text_cell(column, column, {}))
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        counts: dict[tuple[str, str], int] = {}
        cells = [_column_cells(frame.iloc[:, i], columns[i], counts) for i in range(len(columns))]
        for row in zip(*cells):
            sheet.append(row)
        for (kind, column), n in sorted(counts.items()):
            if kind == "long":
                warnings.append(f"{name}: {n} cell(s) in column {column!r} are longer than {EXCEL_CELL_LIMIT:,} "
                                "characters, Excel's limit, and were cut; the CSV and Parquet exports hold the "
                                "whole text")
            else:
                warnings.append(f"{name}: {n} cell(s) in column {column!r} held control characters that Excel "
                                "cannot store; they were left out")
    buffer = io.BytesIO()
    book.save(buffer)
    return Workbook(buffer.getvalue(), used, warnings)
