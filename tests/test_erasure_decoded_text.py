"""careerconv.records.decoded_text: every kind of file reads as the text its readers see, never as raw bytes.

The files are made with the tools that make them in real life (pyarrow,
openpyxl, pandas, matplotlib's PDF backend through careerconv's report code is
covered in test_erasure_outputs.py); expected texts are written out by hand.
"""

from __future__ import annotations

import gzip
import io
import zipfile
import zlib

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from careerconv.records.decoded_text import decode_bytes, decoded_text, temp_target_name
from careerconv.records.spreadsheet import decode_plain_text


def parquet_bytes(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    return buf.getvalue()


def test_parquet_every_text_of_every_column_of_every_row_even_in_a_temp_file():
    table = pa.table({"employee_id": ["E0001", "E0002"], "ratings": [[4, 5], None],
                      "extra": [{"note": "ask Zoë"}, None], "day": pd.to_datetime(["2024-03-01", "2024-03-02"])})
    read = decode_bytes(".part-03.parquet.k2x9q1.tmp", parquet_bytes(table))
    assert (read.kind, read.complete) == ("Parquet", True)
    assert set(read.pieces) >= {"employee_id", "ratings", "extra", "day", "E0001", "E0002", "note", "ask Zoë"}
    # Numbers and dates are not text (careerconv writes every id as text): a rating of 5 is not employee 5.
    assert not {"4", "5", "2024-03-01 00:00:00", "2024-03-01"} & set(read.pieces)
    assert "2 row(s), 4 column(s)" in read.how


def test_a_parquet_file_cut_short_is_not_passed_as_read():
    data = parquet_bytes(pa.table({"x": ["E0001"] * 100}))
    read = decode_bytes(".part-01.parquet.abc.tmp", data[: len(data) // 2])
    assert read.kind == "Parquet" and not read.complete and read.raw
    assert "could not be read as Parquet" in read.how


def test_json_keys_strings_and_html_inside_strings():
    read = decode_bytes("batch.json", b'{"E0001": {"html": "<b>Ana&#32;Silva</b>", "n": 3}, "done": ["E0002"]}')
    assert read.kind == "JSON"
    assert {"E0001", "html", "<b>Ana&#32;Silva</b>", "Ana Silva", "n", "done", "E0002"} <= set(read.pieces)
    assert "3" not in read.pieces  # a number is not text: careerconv writes every id as text


def test_a_json_file_cut_short_is_read_as_text():
    read = decode_bytes(".E0001-20230301.json.x1.tmp", b'{"half": "E0001"')
    assert read.kind == "JSON" and read.complete and read.pieces == ('{"half": "E0001"',)


def test_html_shows_text_with_entities_decoded_and_attributes():
    page = ('<html><head><script type="application/json">{"who": "Zo\\u00eb"}</script></head><body>'
            '<p>&#69;0001 Ana&nbsp;<b>Sil</b>va&shy;</p><img alt="Bo Chen" src="data:text/plain;base64,RTAwMDM=">'
            '<!-- by E0004 --></body></html>')
    read = decode_bytes("index.html", page.encode("utf-8"))
    assert read.kind == "HTML"
    assert read.pieces[0] == "E0001 Ana\xa0Silva"  # the soft hyphen is invisible
    assert {"Bo Chen", "E0003", " by E0004 ", "Zoë"} <= set(read.pieces)


def test_text_in_utf8_utf16_and_cp1252():
    assert decode_bytes("a.csv", "id,name\nE1,Zoë\n".encode("utf-16")).pieces == ("id,name\nE1,Zoë\n",)
    assert decode_bytes("a.csv", "id,name\nE1,Zoë\n".encode("utf-16-be")).pieces == ("id,name\nE1,Zoë\n",)
    assert decode_bytes("a.txt", "Zoë Ñúñez".encode("cp1252")).pieces[0] == "Zoë Ñúñez"
    assert decode_bytes("a.txt", "\ufeffZoë".encode("utf-8")).pieces == ("Zoë",)
    assert "王芳" in decode_bytes("a.txt", "王芳".encode("utf-16-le")).text  # no mark, no NUL to tell


def test_icalendar_lines_are_unfolded():
    ics = b"BEGIN:VEVENT\r\nSUMMARY:Career conversation with Ana Si\r\n lva\\, Eng\r\nEND:VEVENT\r\n"
    assert "Career conversation with Ana Silva, Eng" in decode_bytes("due.ics", ics).text


def test_workbook_every_cell_sheet_name_comment_and_property(tmp_path):
    import openpyxl
    from openpyxl.comments import Comment

    book = openpyxl.Workbook()
    book.active.title = "Coaches of E0009"
    book.active.append(["coach", "coachees"])
    book.active.append(["王芳", 2])
    book.active["C1"] = "=\"E\"&\"0001\""
    book.active["A2"].comment = Comment("ask Dee Roy", "Bo Chen")
    book.properties.creator = "Ana Silva"
    book.save(tmp_path / "hr.xlsx")
    read = decoded_text(tmp_path / "hr.xlsx")
    assert read.kind == "workbook" and read.complete
    assert {"Coaches of E0009", "coach", "coachees", "王芳", "2", "\"E\"&\"0001\"", "ask Dee Roy", "Bo Chen",
            "Ana Silva"} <= set(read.pieces)
    pd.DataFrame({"name": ["Zoë Ñúñez"]}).to_excel(tmp_path / "p.xlsx", index=False)
    assert "Zoë Ñúñez" in decoded_text(tmp_path / "p.xlsx").pieces


def test_archives_are_read_member_by_member():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", '<w:document xmlns:w="w"><w:p><w:r><w:t>Ana </w:t></w:r>'
                                              '<w:r><w:t>Silva</w:t></w:r></w:p></w:document>')
        archive.writestr("tables/dreams.parquet", parquet_bytes(pa.table({"e": ["E0001"]})))
    read = decode_bytes("letter.docx", buf.getvalue())
    assert read.kind == "archive" and {"Ana Silva", "E0001"} <= set(read.pieces)
    zipped = decode_bytes("notes.txt.gz", gzip.compress("Zoë".encode("utf-8")))
    assert zipped.kind == "archive" and zipped.pieces == ("Zoë",)


def test_unknown_kinds_are_read_raw_and_say_so():
    png = b"\x89PNG\r\n\x1a\n"
    body = b"Comment\x00\x00" + zlib.compress(b"made for E0001")
    png += len(body).to_bytes(4, "big") + b"zTXt" + body + b"\x00\x00\x00\x00"
    read = decode_bytes("chart.png", png)
    assert read.kind == "other" and read.raw and "Comment made for E0001" in read.pieces
    assert "pixels not read" in read.how
    blob = decode_bytes("data.bin", "x Zoë y".encode("utf-16-le"))
    assert blob.kind == "other" and "Zoë" in blob.text
    assert decode_bytes("empty.lock", b"").kind == "empty"


@pytest.mark.parametrize("name, target", [(".part-03.parquet.k2x9q1.tmp", "part-03.parquet"),
                                          (".roster.csv.abc.tmp", "roster.csv"), ("roster.csv", "roster.csv")])
def test_temp_files_are_named_by_what_they_would_replace(name, target):
    assert temp_target_name(name) == target


@given(st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=40))
def test_html_character_references_always_decode(text):
    page = "<p>" + "".join(f"&#{ord(c)};" if i % 2 else f"&#x{ord(c):x};" for i, c in enumerate(text)) + "</p>"
    assert decode_bytes("p.html", page.encode("ascii")).pieces == (text,)


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=60),
       st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32"]))
def test_text_with_an_encoding_mark_or_in_utf8_decodes_exactly(text, encoding):
    assume(not text.startswith("\ufeff"))  # read as a mark, as every editor does
    assume(not (encoding == "utf-16" and text.startswith("\x00")))  # FF FE 00 00: the UTF-32 mark
    assert decode_plain_text(text.encode(encoding))[0] == text



def test_reading_parquet_leaves_nothing_of_the_file_to_arrows_threads():
    """When decode_bytes returns, no Arrow pool thread still holds the bytes it read.

    A pool thread that drops the last reference to them needs the GIL; if that happens as the interpreter
    exits, the process aborts ("terminate called without an active exception", exit code 134) after erase has
    printed its whole receipt. Before the fix the bytes were still held after about 4 reads in 10.
    """
    import sys

    sink = pa.BufferOutputStream()
    pq.write_table(pa.table({f"c{i}": [f"v{j}" for j in range(6)] for i in range(6)}), sink, row_group_size=1)
    data = sink.getvalue().to_pybytes()
    alone = sys.getrefcount(data)
    still_held = 0
    for _ in range(200):
        assert decode_bytes("part-00.parquet", data).kind == "Parquet"
        still_held += sys.getrefcount(data) > alone
    assert still_held == 0
