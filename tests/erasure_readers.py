"""Read files the way their users do, for the erasure tests, without careerconv's own decoder.

Each format is read with the library a person or program would use to open
it: pyarrow for Parquet, pypdf (and poppler's ``pdftotext`` when installed)
for PDF, openpyxl for workbooks, the standard library for JSON and HTML. The
erasure tests check what is left with these, never with
:mod:`careerconv.records.decoded_text`, which is what they test.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pyarrow.parquet as pq


def _pdf_text(path: Path) -> str:
    import pypdf

    reader = pypdf.PdfReader(path)
    parts = [str(v) for v in (reader.metadata or {}).values()]
    parts += [page.extract_text() or "" for page in reader.pages]
    if shutil.which("pdftotext"):  # a second, unrelated reader where the machine has one
        parts.append(subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                                    check=True).stdout.decode("utf-8"))
    return "\n".join(parts)


def _workbook_text(path: Path) -> str:
    import openpyxl

    book = openpyxl.load_workbook(path)  # not read-only: comments are loaded too
    parts = [book.properties.creator or "", book.properties.title or "", book.properties.lastModifiedBy or ""]
    for sheet in book.worksheets:
        parts.append(sheet.title)
        for row in sheet.iter_rows():
            for cell in row:
                parts.append("" if cell.value is None else str(cell.value))
                if cell.comment is not None:
                    parts += [cell.comment.text, cell.comment.author or ""]
    return "\n".join(parts)


def _json_text(value) -> str:
    if isinstance(value, dict):
        return "\n".join(f"{k}\n{_json_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "\n".join(_json_text(v) for v in value)
    return "" if value is None else str(value)


def _text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def readable(path: Path) -> str:
    """What a user of ``path``'s format reads in it (every Parquet value, PDF text, workbook cell…)."""
    data = path.read_bytes()
    name = path.name
    if name.startswith(".") and name.endswith(".tmp"):  # .<target>.<random>.tmp
        name = name[1:-4].rsplit(".", 1)[0]
    suffix = Path(name).suffix.lower()
    if data[:4] == b"PAR1":
        table = pq.read_table(path)
        return "\n".join([*table.column_names, *(str(v) for c in table.columns for v in c.to_pylist())])
    if data[:5] == b"%PDF-":
        return _pdf_text(path)
    if data[:2] == b"PK" and suffix in (".xlsx", ".xlsm"):
        return _workbook_text(path)
    if suffix in (".json", ".ipynb"):
        try:
            return _json_text(json.loads(data))
        except ValueError:
            return _text(data)
    if suffix in (".html", ".htm"):
        text = _text(data)
        attributes = re.findall(r"""=\s*["']([^"']*)["']""", text)
        return html.unescape(re.sub(r"<[^>]*>", "\n", text)) + "\n" + html.unescape("\n".join(attributes))
    return _text(data)


class Person:
    """Regular expressions for one person's id (a whole word), name and email."""

    def __init__(self, employee_id: str, name: str, email: str | None = None):
        self.id_re = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(employee_id)}(?![A-Za-z0-9_])")
        words = unicodedata.normalize("NFC", name).split()
        self.name_re = re.compile(r"\s+".join(map(re.escape, words)), re.IGNORECASE)
        self.email = email.casefold() if email else None

    def named_in(self, text: str) -> bool:
        text = unicodedata.normalize("NFC", text)
        return bool(self.id_re.search(text) or self.name_re.search(text)
                    or (self.email and self.email in text.casefold()))


def files_naming(person: Person, *folders: Path) -> list[str]:
    """Every file under ``folders`` whose path or readable content names ``person``."""
    found = []
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder).as_posix()
            if person.id_re.search(rel):
                found.append(f"path {rel}")
            if path.is_file() and person.named_in(readable(path)):
                found.append(str(path))
    return found
