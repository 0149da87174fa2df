"""The employee's summary prints on one A4 page for up to three skills (Chromium's PDF of the page, counted), and
the page opened in a new tab holds long words in its width."""

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


def test_long_unbroken_words_wrap_inside_the_summary_page(browser, tmp_path, output_dir):
    """Found by a coach trying the app: a dream of 270 letters with no space and a "pros" of 120 made the summary
    opened in a new tab (and its saved file) 2,267 px wide in a 1,280 px window, 2,068 px in a 400 px one; the
    summary in the app wrapped them."""
    root = tmp_path / "data"
    make_small_org(root)
    h = completed_with_three_skills(root)
    record = h.stored()
    record["dreams"][0]["text"] = "Lead" + "x" * 266
    record["skills"][0]["options"][0]["pros"] = "y" * 120
    page_html = h.app.summary_page(record)
    page = browser.new_page()
    for width in (400, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.set_content(page_html)
        page.screenshot(path=str(output_dir / f"summary-long-words-{width}.png"), full_page=True)
        wide = page.evaluate("() => document.scrollingElement.scrollWidth")
        assert wide <= width, f"the summary page is {wide} px wide in a {width} px window"
        assert page.locator("text=Lead" + "x" * 20).first.is_visible()
    page.close()
