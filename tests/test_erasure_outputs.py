"""Erasure reaches every output: PDF and HTML reports, workbooks, temp files left by killed processes, lock files.

Reports are made with careerconv's own report code (PDF drawn by matplotlib, so
its text is compressed and glyph-encoded); workbooks with pandas and openpyxl.
What is left after an erase is read with independent readers
(:mod:`erasure_readers`: pypdf, openpyxl, pyarrow), never with the decoder
erasure itself uses, and never as raw bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from careerconv.records import erasure
from careerconv.records import schema
from careerconv.records.erasure import erase_employee
from careerconv.surfaces.report import content
from careerconv.surfaces.report import render
from careerconv.surfaces.report.pdf import write_pdf
from careerconv.surfaces.report.source import load_history
from careerconv.records.store import Store
from erasure_readers import Person, files_naming, readable

AS_OF = "2025-10-01"
COLUMNS = ["employee_id", "name", "coach_id", "department", "role", "cadence_months", "email"]
ZOE = "Zoë Ñúñez"
_REPORTS: dict[tuple[str, str], tuple[bytes, str]] = {}
# DejaVu Sans has no CJK glyphs: the PDF shows boxes, and still carries the text (as a PDF reader extracts it).
pytestmark = pytest.mark.filterwarnings("ignore:Glyph .* missing from font:UserWarning")


def people(coach_name: str) -> list[tuple]:
    """C0009 (``coach_name``) coaches E0001 and E0002; C0008 (Dee Roy) coaches E0003."""
    return [
        ("E0001", "Ana Silva", "C0009", "Eng", "Dev", 6, "ana.silva@example.org"),
        ("E0002", "李小龍", "C0009", "Eng", "Dev", 6, ""),
        ("E0003", "Bo Chen", "C0008", "Sales", "AM", 6, ""),
        ("C0009", coach_name, "C0000", "Eng", "Lead", 12, ""),
        ("C0008", "Dee Roy", "C0000", "Sales", "Lead", 12, ""),
    ]


def completed_conversation(store: Store, eid: str, coach: str, day: dt.date, dream: str) -> dict:
    """A whole conversation: three dreams, one skill with targets, one action item."""
    record = schema.new_conversation(eid, coach, day, "career-conversation", "1")
    skill = schema.new_skill("Negotiation")
    skill.update(self_rating=4, ten_looks_like="Closes hard deals", approach="Shadow a senior",
                 targets={"6": 5, "12": 6, "18": 7},
                 options=[{"text": f"Option {i}", "pros": "", "cons": "", "chosen": i == 1} for i in (1, 2, 3)])
    record.update(status="completed", cadence_months=6, next_due=(day + dt.timedelta(days=182)).isoformat(),
                  follow_up={"mode": "one-on-one", "every_weeks": 4, "note": ""}, skills=[skill],
                  dreams=[{"rank": i, "text": f"{dream} {i}"} for i in (1, 2, 3)],
                  action_items=[{"item_id": "a1", "text": "Role-play a deal", "due": "2025-06-01", "owner": "me",
                                 "skill": "Negotiation"}])
    return store.save_conversation(record)


def zstd_parquet(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), buf, compression="zstd")
    return buf.getvalue()


def make_org(root: Path, coach_name: str = ZOE) -> tuple[Store, Path]:
    """A data folder and a reports folder holding every kind of output careerconv and its users make."""
    store = Store(root / "data")
    reports = root / "reports"
    store.save_roster(pd.DataFrame(people(coach_name), columns=COLUMNS))
    completed_conversation(store, "E0001", "C0009", dt.date(2025, 3, 3), "Lead the Lisbon office")
    store.refresh()
    # Progress reports as the batch writes them: a PDF and an HTML page per employee.
    for eid in ("E0001", "E0002", "E0003"):
        key = (coach_name, eid)
        if key not in _REPORTS:  # the same data gives the same report: drawn once per test run
            report_content = content.build_content(load_history(store.root, eid), AS_OF)
            pdf = write_pdf(report_content, reports / eid / f"progress-{AS_OF}.pdf").read_bytes()
            page = "".join(str(part) for part in (render.header(report_content), render.dreams(report_content),
                                                  render.action_plan(report_content)))
            _REPORTS[key] = (pdf, f"<html><body>{page}</body></html>")
        pdf, page = _REPORTS[key]
        (reports / eid).mkdir(parents=True, exist_ok=True)
        (reports / eid / f"progress-{AS_OF}.pdf").write_bytes(pdf)
        (reports / eid / f"progress-{AS_OF}.html").write_text(page, encoding="utf-8")
    # An index that writes ids as character references, as some HTML writers do.
    (reports / "index.html").write_text("<ul><li>&#69;0001 Ana&nbsp;Silva</li><li>E0003 Bo Chen</li></ul>")
    # An HR workbook (pandas) naming coaches, and a roster export in the data folder (openpyxl).
    (reports / "hr").mkdir()
    pd.DataFrame({"coach": [coach_name, "Dee Roy"], "coachees": [2, 1]}).to_excel(
        reports / "hr" / "coaches.xlsx", index=False)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "roster"
    sheet.append(COLUMNS)
    for row in people(coach_name):
        sheet.append(list(row))
    (store.root / "exports").mkdir()
    book.save(store.root / "exports" / "roster-2025.xlsx")
    # A refresh killed just before os.replace of a part: E0001's dreams in a zstd-compressed temp file.
    dreams = store.read_table("dreams")
    (store.derived_dir / "dreams" / ".part-03.parquet.k2x9q1.tmp").write_bytes(
        zstd_parquet(dreams[dreams["employee_id"] == "E0001"]))
    # A lock file of an older version: named by a hash of the id anyone can recompute.
    store.locks_dir.mkdir(exist_ok=True)
    for eid, *_ in people(coach_name):
        (store.locks_dir / f"{hashlib.sha256(f'employee:{eid}'.encode()).hexdigest()[:20]}.lock").touch()
    return store, reports


def reassign(store: Store, coachees: list[str], coach: str) -> None:
    roster = store.roster()
    moved = roster[roster["employee_id"].isin(coachees)].assign(coach_id=coach)
    store.upsert_employees(moved)


@pytest.mark.parametrize("coach_name", [ZOE, "王芳"])
def test_erasing_a_coach_removes_the_reports_that_name_them(tmp_path: Path, coach_name: str):
    store, reports = make_org(tmp_path, coach_name)
    coach = Person("C0009", coach_name)
    pdf = reports / "E0001" / f"progress-{AS_OF}.pdf"
    assert coach_name.encode() not in pdf.read_bytes()  # compressed: raw bytes never show it
    assert f"Your coach:  {coach_name}" in readable(pdf)  # a PDF reader does
    assert f"Your coach:  {coach_name}" in readable(reports / "E0002" / f"progress-{AS_OF}.pdf")
    assert coach_name in readable(reports / "hr" / "coaches.xlsx")
    reassign(store, ["E0001", "E0002"], "C0008")

    receipt = erase_employee(store, reports, "C0009")

    assert receipt.complete, str(receipt)
    assert files_naming(coach, store.root, reports) == []
    for eid in ("E0001", "E0002"):
        for suffix in ("pdf", "html"):
            assert reports / eid / f"progress-{AS_OF}.{suffix}" in receipt.regenerate
            assert not (reports / eid / f"progress-{AS_OF}.{suffix}").exists()
    assert reports / "hr" / "coaches.xlsx" in receipt.regenerate
    # what does not name them is kept, and still reads as it did
    assert "Your coach:  Dee Roy" in readable(reports / "E0003" / f"progress-{AS_OF}.pdf")
    assert "Your coach" in readable(reports / "E0003" / f"progress-{AS_OF}.html")
    kept = openpyxl.load_workbook(store.root / "exports" / "roster-2025.xlsx")["roster"]
    assert [row[0] for row in kept.iter_rows(values_only=True)] == ["employee_id", "E0003", "C0008"]
    assert store.load_conversation("E0001", "E0001-20250303")["coach_id"] == erasure.ERASED_COACH_ID
    text = str(receipt)
    assert "data/exports/roster-2025.xlsx" in text and "removed rows (3 row(s))" in text
    # left: E0003's PDF, HTML, the roster export; index.html (no mention of the coach)
    assert "1 PDF, 1 workbook, " in text and "2 HTML" in text


def test_erasing_an_employee_removes_every_output_that_names_them(tmp_path: Path):
    store, reports = make_org(tmp_path)
    ana = Person("E0001", "Ana Silva", "ana.silva@example.org")
    assert ana.named_in(readable(reports / "index.html"))  # only as &#69;0001 in the file
    assert b"E0001" not in (reports / "index.html").read_bytes()
    assert "Ana Silva" in readable(reports / "E0001" / f"progress-{AS_OF}.pdf")
    # temp files in the reports folder: a workbook naming her, killed mid-write; someone else's page being written
    buf = io.BytesIO()
    pd.DataFrame({"name": ["Ana Silva", "Bo Chen"]}).to_excel(buf, index=False)
    (reports / "hr" / ".cohort.xlsx.x7k2p0.tmp").write_bytes(buf.getvalue())
    others = reports / "E0003" / f".progress-{AS_OF}.html.w1e2r3.tmp"
    others.write_text("<p>Bo Chen</p>")

    receipt = erase_employee(store, reports, "E0001")

    assert receipt.complete, str(receipt)
    assert files_naming(ana, store.root, reports) == []
    assert not (reports / "E0001").exists()
    assert reports / "index.html" in receipt.regenerate
    assert not (reports / "hr" / ".cohort.xlsx.x7k2p0.tmp").exists() and others.exists()
    kept = openpyxl.load_workbook(store.root / "exports" / "roster-2025.xlsx")["roster"]
    assert [row[0] for row in kept.iter_rows(values_only=True)] == \
        ["employee_id", "E0002", "E0003", "C0009", "C0008"]
    # the coach's report of another coachee still names the coach: it is not about Ana
    assert f"Your coach:  {ZOE}" in readable(reports / "E0002" / f"progress-{AS_OF}.pdf")


def test_a_derived_temp_part_holding_their_answers_is_removed_and_the_receipt_says_so(tmp_path: Path):
    store, reports = make_org(tmp_path)
    temp = store.derived_dir / "dreams" / ".part-03.parquet.k2x9q1.tmp"
    assert "Lead the Lisbon office 1" in readable(temp) and "E0001" in readable(temp)

    receipt = erase_employee(store, reports, "E0001")

    assert not temp.exists()
    assert not list(store.root.rglob("*.tmp"))
    text = str(receipt)
    assert "data/derived/dreams/.part-03.parquet.k2x9q1.tmp  deleted leftover temp file" in \
        re.sub(r" {2,}", "  ", text)
    assert receipt.complete and "Of these, none mentions the employee." in text


def test_the_final_check_reads_values_not_bytes(tmp_path: Path, monkeypatch):
    """With the sweep switched off, the check alone must see a compressed temp part, a PDF and a workbook."""
    store, reports = make_org(tmp_path)
    monkeypatch.setattr(erasure, "_sweep_file", lambda *a, **k: None)
    dreams = store.read_table("dreams")
    (reports / "hr" / ".cohort.parquet.q81xz0.tmp").write_bytes(zstd_parquet(dreams[dreams["employee_id"] == "E0001"]))
    (reports / "archive").mkdir()
    (reports / "archive" / "old-report.pdf").write_bytes((reports / "E0001" / f"progress-{AS_OF}.pdf").read_bytes())
    (reports / "hr" / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Length 999 >> stream\nx\x9c\x03")

    receipt = erase_employee(store, reports, "E0001")

    assert not receipt.complete
    left = {receipt.show(item.path): item.detail for item in receipt.leftovers}
    assert "read as Parquet" in left["reports/hr/.cohort.parquet.q81xz0.tmp"]
    assert "read as PDF" in left["reports/archive/old-report.pdf"]
    assert "read as workbook" in left["data/exports/roster-2025.xlsx"]
    assert "read as HTML" in left["reports/index.html"]
    assert "may mention them" in left["reports/hr/broken.pdf"]  # cannot be decoded: never passed as clean
    assert "need a person to look at them" in str(receipt)


def test_the_receipt_counts_each_kind_of_file_checked(tmp_path: Path):
    store = Store(tmp_path / "data")
    reports = tmp_path / "reports"
    store.save_roster(pd.DataFrame(people(ZOE), columns=COLUMNS))
    reports.mkdir()
    (reports / "a.json").write_text('{"x": 1}')
    (reports / "b.html").write_text("<p>hi</p>")
    (reports / "c.csv").write_text("a,b\n1,2\n")
    (reports / "d.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    pd.DataFrame({"x": [1]}).to_excel(reports / "e.xlsx", index=False)
    (reports / "f.parquet").write_bytes(zstd_parquet(pd.DataFrame({"x": [1]})))

    receipt = erase_employee(store, reports, "E0003")

    # roster.csv and c.csv are text; the lock files are empty; erased.json (the erased list) and a.json are JSON
    line = next(l for l in str(receipt).splitlines() if l.startswith("Checked"))
    locks = len(list(store.locks_dir.iterdir()))
    assert line == (f"Checked {8 + locks} files under the data and reports folders: 1 Parquet, 2 JSON, 1 HTML, 0 PDF, "
                    f"1 workbook, 2 text, {locks} empty, 1 other (read as raw text: 1 .png).")


def test_no_lock_file_names_or_hashes_the_erased_id(tmp_path: Path):
    stores = {}
    for folder, eid in (("a", "E0001"), ("b", "E0003")):
        store, reports = make_org(tmp_path / folder)
        erase_employee(store, reports, eid)
        stores[eid] = store
    listings = {eid: sorted(p.name for p in s.locks_dir.iterdir()) for eid, s in stores.items()}
    # which employee was erased cannot be told from the lock folder
    assert listings["E0001"] == listings["E0003"]
    assert all(re.fullmatch(r"employee-\d\d\.lock|roster\.lock|derived\.lock|batch\.lock|erasure\.lock", n)
               for n in listings["E0001"])
    for eid, store in stores.items():
        hashes = {getattr(hashlib, algo)(f"{prefix}{eid}".encode()).hexdigest()[:8]
                  for algo in ("sha256", "sha1", "md5", "blake2b") for prefix in ("", "employee:")}
        for path in store.root.rglob("*"):
            assert not any(h in path.name for h in hashes), path
