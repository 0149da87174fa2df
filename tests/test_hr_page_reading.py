"""The HR page read as an HR analyst reads it (found reading `careerconv demo`'s page at 1280 and 400 px): what a
section says about its chart is what the chart and the page's own counts show."""
from __future__ import annotations

import datetime as dt
import html
import re

from careerconv import analytics
from careerconv.demo.organisation import write_demo_organisation
from careerconv.surfaces.report import hr_page


def section_text(page: str, title: str) -> str:
    """The words a reader sees in one section of the page, from its heading to the next one."""
    start = re.search(r"<h2[^>]*>\s*" + re.escape(title), page).start()
    end = page.find("<h2", start + 1)
    return " ".join(html.unescape(re.sub(r"<style.*?</style>|<[^>]+>", " ", page[start:end], flags=re.S)).split())


def test_the_kinds_of_development_actions_say_what_stands_in_place_of_a_hidden_bar(tmp_path):
    """`careerconv demo` (60 people, seed 7) on 1 Oct 2026: 13 of the 14 kinds-by-horizon figures are hidden, every
    one to protect a smaller group (none concerns fewer than 5 people), and each reads "not shown" where its bar
    would be. The section said "a kind with too few employees says so in place of its bar"."""
    data = tmp_path / "data"
    write_demo_organisation(data, 60, 7, dt.date(2026, 10, 1))
    hr = analytics.hr_aggregates(analytics.load_hr_tables(data, lazy=True), "2026-10-01", k=5)
    parameters = {"data_dir": "unused", "period_start": "", "period_end": "", "departments": [],
                  "min_group_size": 5, "as_of": "2026-10-01"}
    page = hr_page.render_html(parameters, hr)
    covers = section_text(page, "What this report covers")
    assert "Which kinds of development actions go with larger gains 14 1 0 13" in covers  # shown, < 5, protected
    kinds = section_text(page, "Which kinds of development actions go with larger gains")
    assert "too few employees says so" not in kinds
    assert ('a kind whose figure is hidden (fewer employees than the minimum group size, or hidden so that a smaller '
            'group cannot be worked out) reads "not shown" in place of its bar') in kinds
