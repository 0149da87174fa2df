"""The text a person or a program would read from a file, whatever its format.

Searching a file's raw bytes for a name finds nothing in a compressed format
(Parquet pages, PDF content streams, the XML inside an ``.xlsx``) nor in
escaped text (``&#69;0001`` in HTML). :func:`decoded_text` reads a file the way
its readers do and returns that text, so a check such as "does any file still
mention this person?" means what it says:

=========  ===================================================================
Parquet    every text value of every column (nested values flattened; not numbers,
           dates or booleans), the column names and the file's key/value metadata
JSON       every key and every string (not numbers); strings holding HTML are
           also read as HTML. ``.ipynb`` notebooks and JSON lines too
HTML       the text a browser shows (tags removed, entities such as ``&#69;``
           decoded) plus every attribute value, comments, scripts, and
           ``data:`` URIs of a text type (SVG and XML too)
PDF        the text a PDF reader (PDFium, Chromium's) extracts from every page, the
           document information, XMP metadata, annotations, bookmarks and attachments
workbook   every cell of every sheet (shared strings, inline strings,
           formulas), sheet names, comments and document properties of an
           ``.xlsx``/``.xlsm``/``.ods``: every XML part of the package
text       CSV, TXT, YAML and other text, decoded from UTF-8, UTF-16 (with or
           without a byte-order mark) or Windows-1252; iCalendar lines unfolded
archive    each member of a ZIP (``.docx`` and other office files) or gzip
           file, read by its own kind
other      any other kind: the raw bytes read as UTF-8, UTF-16 (both byte
           orders and alignments) and Latin-1, and the text chunks of a PNG
           (pixels are not read)
=========  ===================================================================

The kind is decided by the content where a format has a signature (``PAR1``,
``%PDF``, ``PK``), else by the file name; a temp file ``.<name>.<random>.tmp``
is named by the ``<name>`` it was going to replace. A file that has a kind but
cannot be decoded (a truncated Parquet, a damaged PDF) comes back with
``complete=False`` and whatever raw text could be read: what it holds is not
known, and a caller must not treat it as clean.

Invisible format characters (soft hyphens, zero-width spaces and joiners) are
removed, as a reader does not see them.
"""

from __future__ import annotations

import base64
import binascii
import functools
import gzip
import html
import io
import json
import os
import re
import sys
import threading
import unicodedata
import urllib.parse
import zipfile
import zlib
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Iterable, Iterator
from xml.etree import ElementTree

from .spreadsheet import decode_plain_text

__all__ = ["KINDS", "READ_AS", "DecodedText", "decoded_text", "decode_bytes", "temp_target_name",
           "value_pieces"]

KINDS = ("Parquet", "JSON", "HTML", "PDF", "workbook", "text", "archive", "empty", "other")
# How each kind is read, in words for a receipt.
READ_AS = {
    "Parquet": "every text value of every column",
    "JSON": "every key and string",
    "HTML": "the text shown, every attribute, entities decoded",
    "PDF": "the text a PDF reader extracts, and the metadata",
    "workbook": "every cell of every sheet",
    "text": "decoded from UTF-8, UTF-16 or Windows-1252",
    "archive": "each member by its kind",
    "empty": "nothing to read",
    "other": "raw bytes read as UTF-8, UTF-16 and Latin-1",
}
# Pieces of text are joined with this: neither a word character nor a space,
# so a pattern matching a word or a name never spans two cells.
SEPARATOR = "\x00"

_JSON_SUFFIXES = {".json", ".ipynb", ".geojson", ".webmanifest"}
_JSON_LINES_SUFFIXES = {".jsonl", ".ndjson"}
_HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".svg", ".xml", ".rels", ".vml", ".xsl"}
_TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ".text", ".md", ".rst", ".log", ".yaml", ".yml", ".ini", ".cfg",
                  ".toml", ".ics", ".py", ".tex", ".sql", ".conf", ".properties", ".env", ".r", ".sh"}
_WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm", ".ods"}
_MAX_DEPTH = 3  # archives inside archives
# Elements whose text runs make one piece: a shared or inline string of a
# workbook, a paragraph of a word-processing, presentation or ODF document.
_RUN_CONTAINERS = {"si", "is", "p", "h"}
# The parts of an .xlsx holding cells, and the kinds of cell (its ``t``) whose value is text: a formula's text
# result, an error such as #N/A, an inline string. Numbers, booleans, dates and shared strings' numbers are not.
_WORKSHEET = re.compile(r"xl/worksheets/[^/]+\.xml", re.IGNORECASE)
_TEXT_CELLS = {"str", "e", "inlineStr"}
_INLINE_HTML = {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "kbd", "mark",
                "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "tspan", "u", "var", "wbr"}
_JS_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})")
_DATA_URI = re.compile(r"^data:([\w.+-]+/[\w.+-]+)?((?:;[^,;]*)*?)(;base64)?,(.*)$", re.DOTALL | re.IGNORECASE)
# PDFium is not to be called from two threads at once (an erasure in each of two threads of one process).
_PDFIUM = threading.Lock()


@dataclass(frozen=True)
class DecodedText:
    """What a reader gets from one file.

    Attributes
    ----------
    kind
        One of :data:`KINDS`.
    pieces
        The text, in pieces (a cell, a string, a page); a name or an id is
        whole inside one piece.
    how
        How it was read, in words (``"the text a PDF reader extracts, and the metadata (2 page(s))"``).
    complete
        False when the file has a kind whose content could not be decoded (a
        damaged Parquet or PDF): then ``pieces`` holds only what its raw bytes
        show, and the file may hold more.
    problem
        Why it could not be decoded, when ``complete`` is False.
    """

    kind: str
    pieces: tuple[str, ...]
    how: str
    complete: bool = True
    problem: str = ""

    @property
    def text(self) -> str:
        """Every piece, joined by :data:`SEPARATOR` (no word or name spans two pieces)."""
        return SEPARATOR.join(self.pieces)

    @property
    def raw(self) -> bool:
        """True when what was read is the raw bytes (an unknown kind, or one that could not be decoded)."""
        return self.kind == "other" or not self.complete


def decoded_text(path: str | os.PathLike) -> DecodedText:
    """Read one file as its readers would.

    Parameters
    ----------
    path
        Any file.

    Returns
    -------
    DecodedText
        Its kind, its text in pieces, and how it was read.

    Raises
    ------
    OSError
        The file cannot be opened.
    """
    path = Path(path)
    return decode_bytes(path.name, path.read_bytes())


def temp_target_name(name: str) -> str:
    """The file a temp file ``.<name>.<random>.tmp`` was going to replace (``name`` itself otherwise)."""
    if name.startswith(".") and name.endswith(".tmp") and len(name) > 5:
        inner = name[1:-4]
        return inner.rsplit(".", 1)[0] if "." in inner else inner
    return name


def decode_bytes(name: str, data: bytes, _depth: int = 0) -> DecodedText:
    """Like :func:`decoded_text`, for bytes that a file called ``name`` held."""
    target = temp_target_name(name)
    suffix = Path(target).suffix.lower()
    if not data:
        return DecodedText("empty", (), READ_AS["empty"])
    if data[:4] == b"PAR1" or (suffix == ".parquet" and not data.startswith(b"PK")):
        return _parquet(data)
    if data.lstrip(b"\xef\xbb\xbf \t\r\n\x00")[:5] == b"%PDF-" or (suffix == ".pdf" and b"%PDF-" in data[:1024]):
        return _pdf(data)
    if data[:4] == b"PK\x03\x04" or (suffix in _WORKBOOK_SUFFIXES and data[:2] == b"PK"):
        return _zip(data, _depth)
    if data[:2] == b"\x1f\x8b":
        return _gzip(target, data, _depth)
    if suffix in _WORKBOOK_SUFFIXES:
        return _undecoded("workbook", data, "is not a ZIP package as a workbook is")
    if suffix in _JSON_SUFFIXES or suffix in _JSON_LINES_SUFFIXES:
        return _json(data, lines=suffix in _JSON_LINES_SUFFIXES)
    if suffix in _HTML_SUFFIXES or _looks_like_html(data):
        return _html(data)
    if suffix in _TEXT_SUFFIXES:
        text, encoding = decode_plain_text(data)
        if suffix == ".ics":
            text = _unfold_icalendar(text)
        # Neither UTF-8 nor marked: it may be UTF-16 without a mark (Chinese has no NUL bytes to tell).
        unsure = _raw_readings(data)[2:] if encoding in ("cp1252", "latin-1") else []
        return DecodedText("text", (_visible(text), *unsure),
                           f"{READ_AS['text']} (as {encoding}{', and as UTF-16' if unsure else ''})")
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return _raw(data, extra=_png_text(data), note="a PNG image: its text chunks and raw bytes; pixels not read")
    if data.lstrip()[:1] in (b"{", b"["):
        try:
            return _json(data, lines=False, strict=True)
        except ValueError:
            pass
    return _raw(data)


# ---------------------------------------------------------------------------- text


@functools.cache
def _format_characters() -> dict[int, None]:
    """A ``str.translate`` table deleting every format character (Unicode category Cf)."""
    return {cp: None for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp)) == "Cf"}


def _visible(text: str) -> str:
    """``text`` without the invisible format characters a reader does not see."""
    if text.isascii():
        return text
    return text.translate(_format_characters())


def _unfold_icalendar(text: str) -> str:
    text = re.sub(r"\r?\n[ \t]", "", text)
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), text)


def _raw_readings(data: bytes) -> list[str]:
    out = [data.decode("utf-8", errors="replace"), data.decode("latin-1")]
    for encoding in ("utf-16-le", "utf-16-be"):
        for start in (0, 1):
            chunk = data[start:]
            out.append(chunk[:len(chunk) // 2 * 2].decode(encoding, errors="replace"))
    return [_visible(t) for t in out]


def _raw(data: bytes, extra: Iterable[str] = (), note: str = "") -> DecodedText:
    how = READ_AS["other"] + (f" ({note})" if note else "")
    return DecodedText("other", (*extra, *_raw_readings(data)), how)


def _undecoded(kind: str, data: bytes, problem: str) -> DecodedText:
    return DecodedText(kind, tuple(_raw_readings(data)), f"could not be read as {kind} ({problem}); "
                                                         "its raw bytes were read", complete=False, problem=problem)


def _png_text(data: bytes) -> list[str]:
    """The tEXt, zTXt and iTXt chunks of a PNG."""
    out, pos = [], 8
    while pos + 8 <= len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        pos += 12 + length
        try:
            if kind == b"tEXt":
                out.append(body.decode("latin-1"))
            elif kind == b"zTXt":
                key, _, rest = body.partition(b"\x00")
                out.append(key.decode("latin-1") + " " + zlib.decompress(rest[1:]).decode("latin-1"))
            elif kind == b"iTXt":
                key, _, rest = body.partition(b"\x00")
                compressed, rest = rest[0], rest[2:]
                _lang, _, rest = rest.partition(b"\x00")
                _translated, _, text = rest.partition(b"\x00")
                text = zlib.decompress(text) if compressed else text
                out.append(key.decode("latin-1") + " " + text.decode("utf-8", errors="replace"))
        except (zlib.error, IndexError):
            out.append(body.decode("latin-1"))
    return out


# ---------------------------------------------------------------------------- JSON


def _json_pieces(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _json_pieces(v)
    elif isinstance(value, list):
        for v in value:
            yield from _json_pieces(v)
    elif isinstance(value, str):
        yield _visible(value)
        if ("<" in value and ">" in value) or ("&" in value and ";" in value):
            yield from _html_pieces(value)
    # A number is not text: careerconv writes every id as text (a rating of 5 is not employee 5).


def _json(data: bytes, lines: bool, strict: bool = False) -> DecodedText:
    try:
        if lines:
            text, _ = decode_plain_text(data)
            values = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            values = [json.loads(data)]
    except (ValueError, UnicodeDecodeError) as exc:
        if strict:
            raise ValueError(str(exc)) from None
        # Not valid JSON (cut short by a killed process, say): what it holds is its text.
        text, encoding = decode_plain_text(data)
        return DecodedText("JSON", (_visible(text),), f"not valid JSON ({exc}); read as text ({encoding})")
    return DecodedText("JSON", tuple(p for v in values for p in _json_pieces(v)), READ_AS["JSON"])


# ---------------------------------------------------------------------------- HTML and XML


class _Readable(HTMLParser):
    """Collects what a browser shows, block by block, and every attribute value."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.extra: list[str] = []
        self.in_code = False  # inside <script> or <style>: not shown, but may hold text (JSON, strings)

    def _break(self) -> None:
        if self.current:
            self.blocks.append("".join(self.current))
            self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag.lower() not in _INLINE_HTML:
            self._break()
        self.in_code = tag.lower() in ("script", "style")
        for _name, value in attrs:
            if value:
                self.extra.append(value)
                self.extra.extend(_data_uri_text(value))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag.lower() not in _INLINE_HTML:
            self._break()
        self.in_code = False

    def handle_data(self, data: str) -> None:
        (self.extra if self.in_code else self.current).append(data)

    def handle_comment(self, data: str) -> None:
        self.extra.append(data)

    def unknown_decl(self, data: str) -> None:  # <![CDATA[...]]>
        self.extra.append(data)


def _data_uri_text(value: str) -> list[str]:
    """The text inside a ``data:`` URI of a text type (SVG, HTML, JSON, plain text)."""
    m = _DATA_URI.match(value.strip())
    if not m:
        return []
    mime = (m.group(1) or "text/plain").lower()
    if not (mime.startswith("text/") or mime.endswith(("+xml", "/xml", "/json", "+json"))):
        return []
    try:
        body = base64.b64decode(m.group(4), validate=False) if m.group(3) else \
            urllib.parse.unquote_to_bytes(m.group(4))
    except (binascii.Error, ValueError):
        return []
    return list(_html_pieces(decode_plain_text(body)[0]))


def _html_pieces(text: str) -> list[str]:
    parser = _Readable()
    try:
        parser.feed(text)
        parser.close()
    except Exception:  # HTMLParser is lenient; anything it still rejects is read as text
        return [_visible(html.unescape(text))]
    parser._break()
    # Blocks joined by line breaks, as a browser lays them out: a name split by <br> still reads as one.
    pieces = [_visible("\n".join(b for b in parser.blocks if b.strip()))]
    for value in parser.extra:
        pieces.append(_visible(value))
        if "\\u" in value or "\\x" in value:  # a JavaScript string: "Zo\\u00eb"
            pieces.append(_visible(_JS_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), value)))
        try:
            pieces.extend(p for p in _json_pieces(json.loads(value)) if p)  # JSON in a <script> or attribute
        except (ValueError, RecursionError):
            pass
    return pieces


def _looks_like_html(data: bytes) -> bool:
    head = data[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<svg"))


def _html(data: bytes) -> DecodedText:
    text, encoding = decode_plain_text(data)
    return DecodedText("HTML", tuple(_html_pieces(text)), f"{READ_AS['HTML']} (as {encoding})")


def _xml_pieces(data: bytes, worksheet: bool = False) -> list[str]:
    """Text and attribute values of an XML document; a string made of runs is one piece.

    In a ``worksheet`` (``xl/worksheets/*.xml`` of an ``.xlsx``) the cells are read as a spreadsheet shows them:
    text values, inline strings and formulas, not numbers, booleans or dates (nor the number of a shared string,
    whose text is read from ``sharedStrings.xml``), and not the rows' and cells' own attributes (their
    references and styles, such as ``r="5"``).
    """
    root = ElementTree.fromstring(data)
    pieces: list[str] = []

    def cell(element: ElementTree.Element) -> None:
        kind = element.attrib.get("t", "n")
        for child in element:
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "v":
                if kind in _TEXT_CELLS and child.text and child.text.strip():
                    pieces.append(child.text)
            elif tag == "f":
                if child.text and child.text.strip():
                    pieces.append(child.text)
            else:
                walk(child)

    def walk(element: ElementTree.Element) -> None:
        tag = element.tag.rsplit("}", 1)[-1]
        if worksheet and tag in ("row", "c"):
            if tag == "c":
                cell(element)
            else:
                for child in element:
                    walk(child)
            return
        pieces.extend(v for v in element.attrib.values() if v.strip())
        if tag in _RUN_CONTAINERS:
            pieces.append("".join(element.itertext()))
            for child in element.iter():
                if child is not element:
                    pieces.extend(v for v in child.attrib.values() if v.strip())
        else:
            if element.text and element.text.strip():
                pieces.append(element.text)
            for child in element:
                walk(child)
        if element.tail and element.tail.strip():
            pieces.append(element.tail)

    walk(root)
    return [_visible(p) for p in pieces]


# ---------------------------------------------------------------------------- Parquet


def value_pieces(value: Any) -> Iterator[str]:
    """The text a reader sees in one value of a table cell (nested lists and maps flattened)."""
    if value is None:
        return
    if isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from value_pieces(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from value_pieces(v)
    elif isinstance(value, (bytes, bytearray)):
        yield from _raw_readings(bytes(value))[:2]
    elif isinstance(value, str):
        yield _visible(value)
    # A number, a date or a boolean is not text: careerconv writes every id as text (a rating of 5 is not employee 5).


def _parquet(data: bytes) -> DecodedText:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    try:
        # Read from a copy Arrow owns, on this thread: a reader over the Python bytes themselves can be dropped
        # by one of Arrow's threads after read_table returns, and when that happens as the interpreter exits the
        # thread cannot take the GIL to release the bytes: the process aborts ("terminate called without an
        # active exception"). Arrow's own memory needs no GIL.
        owned = pa.BufferOutputStream()
        owned.write(data)
        table = pq.read_table(pa.BufferReader(owned.getvalue()), use_threads=False, pre_buffer=False)
    except Exception as exc:  # pyarrow raises several kinds for a damaged file
        return _undecoded("Parquet", data, f"cannot be read as Parquet: {exc}")
    pieces: list[str] = list(table.column_names)
    for key, value in (table.schema.metadata or {}).items():
        pieces.append(key.decode("utf-8", errors="replace"))
        pieces.append(value.decode("utf-8", errors="replace"))
    for column in table.columns:
        try:  # ids and codes repeat: each distinct value is read once
            distinct = pc.unique(column)
        except (pa.ArrowNotImplementedError, pa.ArrowInvalid):  # nested types
            distinct = column
        if pa.types.is_string(distinct.type) or pa.types.is_large_string(distinct.type):
            pieces.extend(_visible(v) for v in distinct.to_pylist() if v is not None)
        else:
            pieces.extend(p for v in distinct.to_pylist() for p in value_pieces(v))
    return DecodedText("Parquet", tuple(pieces),
                       f"{READ_AS['Parquet']} ({table.num_rows} row(s), {table.num_columns} column(s))")


# ---------------------------------------------------------------------------- PDF


def _pdf(data: bytes) -> DecodedText:
    import logging

    import pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # damaged-but-readable files warn on every object
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            return _undecoded("PDF", data, "it is encrypted with a password")
        pieces: list[str] = []
        for value in (reader.metadata or {}).values():
            pieces.append(str(value))
        xmp = reader.trailer["/Root"].get("/Metadata")
        if xmp is not None:
            try:
                pieces.extend(_xml_pieces(xmp.get_object().get_data()))
            except ElementTree.ParseError:
                pieces.append(xmp.get_object().get_data().decode("utf-8", errors="replace"))
        pieces.extend(_pages_text(data, reader))
        for page in reader.pages:
            for annotation in page.get("/Annots") or []:
                annotation = annotation.get_object()
                for key in ("/Contents", "/T", "/TU", "/RC"):
                    if key in annotation:
                        pieces.append(str(annotation[key]))
                action = annotation.get("/A")
                if action is not None and "/URI" in action.get_object():
                    pieces.append(str(action.get_object()["/URI"]))
        pieces.extend(_outline_titles(reader.outline))
        for field_name, value in (reader.get_fields() or {}).items():
            pieces += [str(field_name), str(value.get("/V", ""))]
        attached = []
        for attachment_name, contents in reader.attachments.items():
            pieces.append(attachment_name)
            for content in contents:
                inner = decode_bytes(attachment_name, content, 1)
                pieces.extend(inner.pieces)
                attached.append(inner)
    except Exception as exc:  # pypdf raises many kinds for a damaged file
        return _undecoded("PDF", data, f"cannot be read as PDF: {exc}")
    complete = all(a.complete for a in attached)
    return DecodedText("PDF", tuple(_visible(p) for p in pieces),
                       f"{READ_AS['PDF']} ({len(reader.pages)} page(s))", complete=complete,
                       problem="" if complete else "an attachment could not be decoded")


def _pages_text(data: bytes, reader: Any) -> list[str]:
    """The text of each page of the PDF ``data`` (open in ``reader``, a ``pypdf.PdfReader``) as PDFium, Chromium's
    PDF reader, extracts it: every character of the page, its forms' included, each line ended by a line break.
    PDFium does it in a tenth of the time pypdf's own extraction takes (an erasure reads every report's PDF:
    ``benchmarks/bench_erasure_pdf.py``). A PDF that PDFium cannot open, or whose pages it counts otherwise than
    pypdf, is read by pypdf's extraction."""
    import pypdfium2

    with _PDFIUM:
        try:
            document = pypdfium2.PdfDocument(data)
            try:
                if len(document) == len(reader.pages):
                    return [_page_text(document, number) for number in range(len(document))]
            finally:
                document.close()
        except pypdfium2.PdfiumError:  # a PDF PDFium cannot read
            pass
    return [page.extract_text() or "" for page in reader.pages]


def _page_text(document: Any, number: int) -> str:
    """The text of page ``number`` of a ``pypdfium2.PdfDocument`` (all of it, also what lies outside the page's
    box)."""
    page = document[number]
    try:
        text_page = page.get_textpage()
        try:
            return text_page.get_text_range()
        finally:
            text_page.close()
    finally:
        page.close()


def _outline_titles(outline: Any) -> Iterator[str]:
    for item in outline or []:
        if isinstance(item, list):
            yield from _outline_titles(item)
        else:
            yield str(getattr(item, "title", "") or "")


# ---------------------------------------------------------------------------- ZIP packages and gzip


def _zip(data: bytes, depth: int) -> DecodedText:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
        spreadsheet = b"application/vnd.oasis.opendocument.spreadsheet"
        workbook = "xl/workbook.xml" in names or ("mimetype" in names and archive.read("mimetype") == spreadsheet)
        kind = "workbook" if workbook else "archive"
        if depth >= _MAX_DEPTH:
            return _undecoded(kind, data, "an archive nested too deep")
        pieces: list[str] = []
        problems: list[str] = []
        for info in archive.infolist():
            if info.is_dir():
                continue
            pieces.append(info.filename)
            member = archive.read(info)
            if Path(info.filename).suffix.lower() in {".xml", ".rels", ".vml"} or member.lstrip()[:5] == b"<?xml":
                try:
                    pieces.extend(_xml_pieces(member, worksheet=_WORKSHEET.fullmatch(info.filename) is not None))
                    continue
                except ElementTree.ParseError as exc:
                    problems.append(f"{info.filename}: {exc}")
            inner = decode_bytes(Path(info.filename).name, member, depth + 1)
            pieces.extend(inner.pieces)
            if not inner.complete:
                problems.append(f"{info.filename}: {inner.problem}")
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, zlib.error, EOFError) as exc:
        # RuntimeError: an encrypted member; NotImplementedError: an unknown compression method
        return _undecoded("archive", data, f"cannot be read as a ZIP package: {exc}")
    how = READ_AS[kind] + f" ({len(names)} part(s) of the package, XML parts with tags removed)"
    return DecodedText(kind, tuple(pieces), how, complete=not problems, problem="; ".join(problems))


def _gzip(name: str, data: bytes, depth: int) -> DecodedText:
    try:
        inner_data = gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        return _undecoded("archive", data, f"cannot be read as gzip: {exc}")
    inner_name = name[:-3] if name.lower().endswith(".gz") else name
    inner = decode_bytes(inner_name, inner_data, depth + 1) if depth < _MAX_DEPTH else \
        _undecoded("archive", data, "an archive nested too deep")
    return DecodedText("archive", inner.pieces, f"gzip-compressed {inner.kind}: {inner.how}", inner.complete,
                       inner.problem)
