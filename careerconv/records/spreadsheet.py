"""Spreadsheet-safe text: decoding text files, neutralising formulas, CSV bytes.

Where text meets a spreadsheet, in both directions, the rules live here:

* **decoding** bytes of a text file: :func:`decode_text` for a file to import
  (UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252; anything
  else, and Mac Roman text, which Windows-1252 would read into wrong letters,
  is refused with a message saying how to save it), and
  :func:`decode_plain_text` for reading any file as its reader would (never
  refuses: Latin-1 reads anything);
* **formula neutralising** as OWASP recommends: a text cell that begins with
  ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``
  so a spreadsheet shows it as text instead of running it
  (:func:`neutralise_formula`); text that already begins with quotes followed
  by one of those gets one more quote, so :func:`restore_formula` (used by the
  importers) gives back exactly the original text;
* **CSV bytes** (:func:`frame_to_csv_bytes`): UTF-8 with a BOM (so Excel
  detects the encoding), text cells neutralised, numbers as numbers, CRLF line
  ends; and the cell limit Excel keeps (:data:`EXCEL_CELL_LIMIT`).

Used by the exporters, the importers, the workbook writer and erasure.
"""

from __future__ import annotations

import codecs
import io
import re

import pandas as pd

EXCEL_CELL_LIMIT = 32_767
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Any number of quotes, then a trigger: see the module docstring for why the quotes count.
_NEEDS_QUOTE = re.compile(r"^'*[=+\-@\t\r]")


def neutralise_formula(text: str) -> str:
    """Make one text cell safe to open in a spreadsheet (OWASP CSV injection rule).

    Parameters
    ----------
    text
        The cell's text.

    Returns
    -------
    str
        ``text`` with a leading ``'`` when it begins with ``=``, ``+``, ``-``,
        ``@``, tab or CR (after any quotes already there); otherwise ``text``.
    """
    return "'" + text if _NEEDS_QUOTE.match(text) else text


def restore_formula(text: str) -> str:
    """Undo :func:`neutralise_formula` (used by the importers).

    ``restore_formula(neutralise_formula(t)) == t`` for every text ``t``.
    """
    return text[1:] if text.startswith("'") and _NEEDS_QUOTE.match(text) else text


def is_text_column(series: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(series.dtype) or series.dtype == object


def frame_to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """Spreadsheet-safe CSV bytes of ``frame`` (UTF-8 with BOM, formulas neutralised).

    Text columns are neutralised cell by cell; numeric, boolean and date
    columns are written as values (dates as ``YYYY-MM-DD``). Missing values are
    empty cells. Lines end with CRLF (RFC 4180).
    """
    safe = frame.copy()
    for name in safe.columns:
        col = safe[name]
        if is_text_column(col):
            safe[name] = col.map(lambda v: neutralise_formula(v) if isinstance(v, str) else v)
    buf = io.StringIO()
    safe.to_csv(buf, index=False, date_format="%Y-%m-%d", lineterminator="\r\n")
    return buf.getvalue().encode("utf-8-sig")


def long_cell_warnings(frame: pd.DataFrame) -> list[str]:
    """Per text column of ``frame`` with cells longer than Excel keeps, a sentence saying so (CSV exports)."""
    warnings = []
    for name in frame.columns:
        col = frame[name]
        if not is_text_column(col):
            continue
        lengths = col.map(lambda v: len(v) if isinstance(v, str) else 0)
        n = int((lengths > EXCEL_CELL_LIMIT).sum())
        if n:
            warnings.append(f"{n} cell(s) in column {name!r} are longer than {EXCEL_CELL_LIMIT:,} characters "
                            "(Excel's limit): the CSV holds the whole text, but Excel will cut it; use "
                            "--format parquet or another tool to read it in full")
    return warnings


# Ids Excel changes when it opens a CSV file (it reads every cell as a number or a date when it can, and a file
# saved from it keeps what it made): digits with leading zeros (00123 -> 123), long or scientific numbers
# (123456789012 -> 1.23457E+11, 1E5 -> 100000), decimals ending in 0 (1.50 -> 1.5) and dates (1-2 -> 2 Jan,
# 2024-01-02, 1/2/2024, 3-Mar, Mar-24).
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
_EXCEL_CHANGES = re.compile(
    r"0\d+|\d{12,}|\d+(?:\.\d+)?e-?\d+|\d+\.\d*0"
    r"|\d{1,4}[-/]\d{1,2}(?:[-/]\d{1,4})?|\d{1,2}\.\d{1,2}\.\d{2,4}"
    rf"|\d{{1,2}}-{_MONTH}(?:-\d{{2,4}})?|{_MONTH}-\d{{1,4}}",
    re.IGNORECASE)


def excel_changes(text: str) -> bool:
    """Whether Excel, opening a CSV file, reads ``text`` as a number or a date and so changes it
    (``"00123"``, ``"1-2"``, ``"2024-01-02"``, ``"1E5"``); ids such as ``"E0042"`` or ``"12345"`` it keeps."""
    return _EXCEL_CHANGES.fullmatch(text) is not None


def changed_id_warnings(frame: pd.DataFrame, columns, instead: str) -> list[str]:
    """Per id column of ``frame`` holding ids Excel changes on opening a CSV file, a sentence saying so.

    Parameters
    ----------
    frame
        The table written as CSV.
    columns
        The names of its id columns (others are not looked at).
    instead
        What to do instead, ending the sentence (such as "export it with --format xlsx, which keeps ids as text").
    """
    warnings = []
    for name in columns:
        if name not in frame.columns:
            continue
        ids = frame[name].dropna().astype(str).unique()
        changed = sorted(text for text in ids if excel_changes(text))
        if changed:
            shown = ", ".join(repr(text) for text in changed[:3]) + (", ..." if len(changed) > 3 else "")
            warnings.append(f"{len(changed)} id(s) in column {name!r} ({shown}) look like numbers or dates, which "
                            f"Excel changes when it opens a CSV file (00123 becomes 123, 1-2 a date); {instead}")
    return warnings


# ---------------------------------------------------------------------------- decoding


def decode_text(data: bytes, source: str = "file") -> tuple[str, str]:
    """Decode CSV bytes; return ``(text, encoding name)``.

    Tries UTF-8 (with or without BOM) and UTF-16 with BOM, then Windows-1252.

    Raises
    ------
    ValueError
        Bytes that are neither, or UTF-8 mixed with another encoding.
    """
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8):].decode("utf-8"), "UTF-8 with BOM"
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            raise ValueError(f"{source}: starts with a UTF-8 marker but line {line} is not UTF-8; save it again "
                             "as CSV UTF-8") from None
    for bom, name in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(name), "UTF-16"
            except UnicodeDecodeError:
                raise ValueError(f"{source}: starts with a UTF-16 marker but is not UTF-16 text; save it as "
                                 "CSV UTF-8") from None
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    partly = data.decode("utf-8", errors="replace")
    if any(ord(ch) > 127 and ch != "\ufffd" for ch in partly):
        line = data[:first_bad].count(b"\n") + 1
        raise ValueError(f"{source}: mixes UTF-8 with another encoding (line {line} is not UTF-8); save it again "
                         "as CSV UTF-8")
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise ValueError(f"{source}: is neither UTF-8 nor Windows-1252 text; save it as CSV UTF-8 or .xlsx") \
            from None
    odd = _mac_roman_sign(text)
    if odd:
        raise ValueError(f"{source}: looks like Mac Roman text (Excel for Mac's 'Comma Separated Values' format): "
                         f"read as Windows-1252 it has {odd}; save it as CSV UTF-8 or .xlsx")
    return text, "Windows-1252 (cp1252)"


# Read as Windows-1252, Mac Roman's accented letters (bytes 0x80-0x9F) come out as these: punctuation, or
# capitals. Between two letters they are not what anyone typed ('J\u0178rgen M\u0178ller' was 'J\u00fcrgen
# M\u00fcller', 'g\u017dn\u017drale' 'g\u00e9n\u00e9rale'). Left out: the apostrophes (0x91, 0x92: 'O\u2019Brien'),
# the dashes ('M\u00fcller\u2013\u00d8rsted') and the small letters \u0161, \u017e, \u0153 ('Bla\u017eek',
# 's\u0153ur'), which Windows-1252 words hold.
_MAC_ROMAN_IN_CP1252 = re.compile(
    "(?<=[^\\W\\d_])[\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d\u201c\u201d"
    "\u2022\u02dc\u2122\u203a\u0178](?=[^\\W\\d_])")


def _mac_roman_sign(text: str) -> str:
    """Where Windows-1252 text reads as Mac Roman bytes would (``'J\u0178rgen' on line 2``); "" when nowhere."""
    found = _MAC_ROMAN_IN_CP1252.search(text)
    if not found:
        return ""
    before, after = text[:found.start()], text[found.start():]
    word = re.search(r"[^\s,;]*$", before).group() + re.match(r"[^\s,;]*", after).group()
    line = len(re.split(r"\r\n|\r|\n", before))
    return f"{word!r} on line {line}"


def decode_plain_text(data: bytes) -> tuple[str, str]:
    """Decode text bytes; return ``(text, encoding)``.

    A byte-order mark decides; else NUL bytes at every other position mean
    UTF-16; else UTF-8, else Windows-1252, else Latin-1 (which reads anything).
    """
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"),
                          (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                continue  # FF FE 00 00 is also UTF-16 text starting with a NUL
    sample = data[:4096]
    if len(sample) >= 4:
        # UTF-16 text of mostly Latin letters has a NUL in nearly every other byte.
        even, odd = sample[0::2].count(0) / len(sample[0::2]), sample[1::2].count(0) / len(sample[1::2])
        encoding = "utf-16-be" if even >= 0.7 and odd < 0.3 else "utf-16-le" if odd >= 0.7 and even < 0.3 else None
        if encoding:
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                pass
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"
