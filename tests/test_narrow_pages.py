"""At 400 px (a phone) the progress report and the HR page fit the screen and their charts stay readable.

The pages come from real runs on a copy of the sample organisation: the
report of E0015 (four skills, five earlier plans) and the HR page. Chromium
opens each at 400 and 1280 px; at both widths nothing may reach past the
right edge of the screen (no sideways scrolling, no table cut off), and the
smallest text of every chart, at the size the browser draws the chart, must
be at least 10 px. For the report's SVG charts that size is read from the
SVG itself (its smallest font size times the drawn width over the viewBox
width); for the HR page's PNG charts it is the smallest font the HR charts
use (7.5 pt at the figures' 110 dpi) times the drawn width over the PNG's own.
Full-page screenshots go to ``tests/output/narrow/``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from careerconv.records import config
from careerconv.records.store import Store
from careerconv.cli import main as cli_main

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.timeout(600)]

PROJECT = Path(__file__).resolve().parent.parent
OUTPUT = PROJECT / "tests" / "output" / "narrow"
AS_OF = "2026-10-02"
EMPLOYEE = "E0015"
MIN_PX = 10.0
HR_SMALLEST_POINTS = 7.5  # the smallest fontsize careerconv.views.hr_plots draws with (cell labels of the heatmap)
HR_DPI = 110  # careerconv.views.hr_plots.new_figure

# What reaches past the screen's right edge, and every chart's drawn size and smallest text.
_MEASURE = """() => {
  const vw = document.documentElement.clientWidth;
  const past = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > vw + 1) past.push(`${el.tagName.toLowerCase()}.${el.className} ends at ${Math.round(r.right)}`);
  }
  const charts = [...document.images].map(img => {
    const drawn = img.getBoundingClientRect().width;
    const src = img.currentSrc;
    let smallest = null;
    if (src.startsWith('data:image/svg+xml;base64,')) {
      const svg = new DOMParser().parseFromString(atob(src.split(',')[1]), 'image/svg+xml').documentElement;
      const viewBox = svg.getAttribute('viewBox').split(/\\s+/).map(Number);
      const sizes = [...svg.querySelectorAll('text')].map(t => parseFloat(/font-size:\\s*([\\d.]+)px/.exec(t.getAttribute('style'))[1]));
      smallest = Math.min(...sizes) * drawn / viewBox[2];
    }
    return {drawn, natural: img.naturalWidth, svg: src.startsWith('data:image/svg'), smallest, alt: img.alt.slice(0, 60)};
  });
  // Text wider than its own box (a long word) is cut off or spills over the next element.
  const clipped = [...document.querySelectorAll('h1, h2, h3, p, li, td, th')]
    .filter(el => el.scrollWidth > el.clientWidth + 1)
    .map(el => `${el.tagName.toLowerCase()}: ${el.textContent.trim().slice(0, 40)}`);
  return {vw, scrollWidth: document.documentElement.scrollWidth, past, charts, clipped};
}"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("narrow")
    data = root / "data"
    shutil.copytree(config.SAMPLE_DATA_DIR, data, ignore=shutil.ignore_patterns("derived", ".locks"))
    # A long name with no space to break at (it ran off a phone's screen)
    store = Store(data)
    roster = store.roster()
    roster.loc[roster["employee_id"] == EMPLOYEE, "name"] = "Maximilian-Alexander " + "Wolfeschlegelsteinhausen" * 4
    store.save_roster(roster)
    reports, hr = root / "reports", root / "hr.html"
    assert cli_main(["--data", str(data), "report", EMPLOYEE, "--as-of", AS_OF, "-o", str(reports), "-q"]) == 0
    assert cli_main(["--data", str(data), "hr-report", "--as-of", AS_OF, "-o", str(hr), "-q"]) == 0
    return {"report": reports / EMPLOYEE / f"progress-{AS_OF}.html", "hr": hr,
            "index": reports / f"index-{AS_OF}.html"}


@pytest.mark.parametrize("width", [400, 1280])
@pytest.mark.parametrize("label", ["report", "hr"])
def test_page_fits_the_screen_and_its_charts_stay_readable(pages, browser, label, width):
    OUTPUT.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.goto(pages[label].as_uri(), wait_until="load")
        page.wait_for_timeout(200)
        found = page.evaluate(_MEASURE)
        page.screenshot(path=str(OUTPUT / f"{label}-{width}.png"), full_page=True)
    finally:
        context.close()
    assert found["scrollWidth"] <= found["vw"], f"{label} scrolls sideways at {width} px"
    assert found["past"] == [], f"{label} at {width} px: {found['past'][:5]}"
    assert found["clipped"] == [], f"{label} at {width} px, text wider than its box: {found['clipped'][:5]}"
    charts = found["charts"]
    assert len(charts) >= (4 if label == "report" else 5), f"{label}: charts missing ({len(charts)})"
    for chart in charts:
        if chart["svg"]:
            smallest = chart["smallest"]
        else:
            smallest = HR_SMALLEST_POINTS * HR_DPI / 72 * chart["drawn"] / chart["natural"]
        assert smallest >= MIN_PX, (f"{label} at {width} px: text of {smallest:.1f} px in the chart "
                                    f"{chart['alt']!r} (drawn {chart['drawn']:.0f} of {chart['natural']} px)")
    if width == 400:  # the phone drawings were picked: narrower than the desktop ones
        assert all(chart["natural"] <= 440 for chart in charts), [c["natural"] for c in charts]


# The lines each cell's words take: an id or a status word split over two lines was cut mid-word.
_WORD_LINES = """() => [...document.querySelectorAll('#reports td')].flatMap(td => {
  const words = [];
  const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const m of node.textContent.matchAll(/\\S+/g)) {
      if (m[0].length > 30) continue;  // a word longer than a phone's line may break: the name above
      const range = document.createRange();
      range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
      const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      if (lines.size > 1) words.push(m[0]);
    }
  }
  return words;
})"""


@pytest.mark.parametrize("width", [400, 1280])
def test_the_index_of_a_batch_fits_the_screen_without_cutting_words(pages, browser, width):
    """Found by a hostile test of the report batches: at 400 px the index cut ids and words ("E00/01",
    "Victori/a", "re/po/rt") and was wider than the screen; a long name squeezed every other column."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.goto(pages["index"].as_uri(), wait_until="load")
        found = page.evaluate(_MEASURE)
        cut = page.evaluate(_WORD_LINES)
        page.screenshot(path=str(OUTPUT / f"index-{width}.png"), full_page=True)
    finally:
        context.close()
    assert found["scrollWidth"] <= found["vw"] and found["past"] == [], found["past"][:5]
    assert cut == [], f"words cut over two lines at {width} px: {cut[:8]}"
