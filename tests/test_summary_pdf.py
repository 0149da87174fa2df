"""The employee's summary as a PDF: one A4 page for three full skills, every answer in it, text as text."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from careerconv.surfaces.app.summary import render_summary_pdf
from careerconv.surfaces.report.pdf import document_pdf_bytes
from orgs import make_small_org
from summary_records import completed_with_three_skills

pytestmark = pytest.mark.slow


def _text(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


def test_three_full_skills_make_one_a4_page_with_every_answer(tmp_path):
    root = tmp_path / "data"
    make_small_org(root)
    h = completed_with_three_skills(root)
    record = h.stored()
    assert len(record["skills"]) == 3
    pdf = h.app.summary_pdf()
    pages, text = _text(pdf)
    (tmp_path / "summary.pdf").write_bytes(pdf)
    assert pages == 1, f"three skills take {pages} A4 pages"
    for skill in record["skills"]:
        assert skill["skill"] in text
    assert "Publish a paper on distributed consensus" in text
    assert "Book the writing course" in text and "1 Dec 2026" in text
    assert "One post a week for a quarter" in text
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points


def test_a_hostile_name_and_cjk_text_are_drawn_as_text():
    record = {"employee_id": "E1", "conversation_id": "E1-2026-01-05", "date": "2026-01-05", "status": "completed",
              "coach_id": "C1", "dreams": [{"rank": 1, "text": "带领团队 $\\frac{1}{2}$ <b>bold</b>"}],
              "skills": [], "answers": {}, "action_items": []}
    pdf = render_summary_pdf(record, employee={"name": "Zoë $x^2$ 山田"})
    pages, text = _text(pdf)
    assert pages == 1
    assert "$\\frac{1}{2}$" in text and "<b>bold</b>" in text and "Zoë $x^2$" in text


def test_the_scale_is_checked():
    with pytest.raises(ValueError, match="scale must be between 0.5 and 2.0"):
        document_pdf_bytes("<p>x</p>", title="t", footer="f", scale=0)
