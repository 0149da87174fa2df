"""The employee's summary prints on one A4 page for up to three skills (Chromium's PDF of the page, counted)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from app_harness import Harness
from orgs import make_small_org
from test_app import fill_whole_conversation

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]


def _completed_with_three_skills(root: Path) -> Harness:
    h = Harness(root)
    app = h.app
    app.select_employee("E002")
    app.start_conversation()
    fill_whole_conversation(h, dreams=("Lead the platform team and grow three engineers into leads",
                                       "Publish a paper on distributed consensus at a good venue",
                                       "Teach a university course on systems design"))
    app.editor("want_more").area.value = ("More time on architecture and mentoring, less on status meetings; "
                                          "more writing, and speaking at one conference a year. ") * 2
    skills = app.editor("skills")
    skills.input.value = "Technical writing"
    skills.add_button.click()
    card = skills.card("Technical writing")
    card.self_rating.value = 4
    card.ten.value = "Writes design documents others quote; reviews are short because the text is clear. " * 2
    for i, row in enumerate(card.options):
        row.text.value = f"Writing option {i + 1}: a course, a mentor, or a weekly post on the team blog"
        row.pros.value = "cheap, fits the week, visible to the team"
        row.cons.value = "needs evenings at first; feedback takes time"
    card.options[2].choose.value = True
    card.approach.value = "One post a week for a quarter, reviewed by the tech lead"
    for horizon, value in zip((6, 12, 18), (5, 6, 8)):
        card.target_boxes[horizon].value = value
    items = app.editor("action_items")
    items.add_button.click()
    items.rows[1].text.value = "Book the writing course"
    items.rows[1].owner.value = "Alan Turing"
    import datetime as dt
    items.rows[1].due.value = dt.date(2026, 12, 1)
    assert app.complete() == []
    return h


def test_three_skills_print_on_one_a4_page(browser, tmp_path, output_dir):
    root = tmp_path / "data"
    make_small_org(root)
    h = _completed_with_three_skills(root)
    page_html = h.app.summary_page()
    assert len(h.stored()["skills"]) == 3
    page = browser.new_page()
    page.set_content(page_html)
    pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    (output_dir / "summary-3-skills.pdf").write_bytes(pdf)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.screenshot(path=str(output_dir / "summary-3-skills-print.png"), full_page=True)
    page.close()
    assert pages == 1, f"the summary of three skills prints on {pages} A4 pages"
