"""The employee's summary prints on one A4 page for up to three skills (Chromium's PDF of the page, counted)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from orgs import make_small_org
from summary_records import completed_with_three_skills

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]


def test_three_skills_print_on_one_a4_page(browser, tmp_path, output_dir):
    root = tmp_path / "data"
    make_small_org(root)
    h = completed_with_three_skills(root)
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
