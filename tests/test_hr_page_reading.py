"""The HR page read as an HR analyst reads it (found reading `careerconv demo`'s page at 1280 and 400 px): what a
section says about its chart is what the chart and the page's own counts show."""
from __future__ import annotations

import datetime as dt
import html
import re

import pandas as pd
import pytest

from careerconv import analytics
from careerconv.demo.organisation import write_demo_organisation
from careerconv.surfaces.report import hr_page


def section_text(page: str, title: str) -> str:
    """The words a reader sees in one section of the page, from its heading to the next one."""
    start = re.search(r"<h2[^>]*>\s*" + re.escape(title), page).start()
    end = page.find("<h2", start + 1)
    return " ".join(html.unescape(re.sub(r"<style.*?</style>|<[^>]+>", " ", page[start:end], flags=re.S)).split())


def test_the_kinds_of_development_actions_say_what_stands_in_place_of_a_hidden_bar(tmp_path):
    """`careerconv demo` (60 people, seed 7) on 1 Oct 2026: 13 of the 14 kinds-by-horizon figures are hidden, none
    because it concerns fewer than 5 people, and each reads "not shown" where its bar
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
    assert ('a kind whose figure is hidden (fewer employees than the minimum group size, or hidden so that comparing '
            'figures or reports cannot single out a few people) reads "not shown" in place of its bar') in kinds


@pytest.fixture(scope="module")
def page_with_a_leaver(tmp_path_factory) -> str:
    """The page of `careerconv demo` (60 people, seed 7) on 1 Oct 2026 where E0042 left on 10 Sep 2026, in the
    period's last quarter (the HR analyst's data folder)."""
    data = tmp_path_factory.mktemp("leaver") / "data"
    write_demo_organisation(data, 60, 7, dt.date(2026, 10, 1))
    tables = analytics.load_hr_tables(data, lazy=True)
    roster = tables["roster"]
    tables["roster"] = roster.assign(left_on=roster["left_on"].mask(roster["employee_id"] == "E0042",
                                                                    pd.Timestamp("2026-09-10")))
    hr = analytics.hr_aggregates(tables, "2026-10-01", k=5)
    parameters = {"data_dir": "unused", "period_start": "", "period_end": "", "departments": [],
                  "min_group_size": 5, "as_of": "2026-10-01"}
    return hr_page.render_html(parameters, hr)


def test_the_on_time_section_says_why_it_counts_fewer_people_than_who_is_covered(page_with_a_leaver):
    """The cadence chart said n=59 and "Who is covered" 60, and nothing on the page said why: covered counts
    everyone here during the period, the on-time figures those still here on the as-of day."""
    assert "60 employees are covered" in section_text(page_with_a_leaver, "Who is covered")
    on_time = section_text(page_with_a_leaver, "Conversations and follow-ups on time")
    assert "All departments 59 12%" in on_time  # its table
    assert ('These figures count the 59 employees still here on 30 Sep 2026; "Who is covered" counts 60, everyone '
            'here on some day of the period, 1 of whom had left by then.') in on_time


def test_the_page_writes_its_days_as_the_reports_do(page_with_a_leaver):
    """The page said "as of 2026-09-30, the period's last day (the report is dated 2026-10-01)" where the reports
    write 1 Oct 2026; its text and its charts' text alternatives now write every day that way."""
    covers = section_text(page_with_a_leaver, "What this report covers")
    assert "as of 30 Sep 2026, the period's last day (the report is dated 1 Oct 2026)." in covers
    words = re.sub(r'\ssrc(set)?="[^"]*"', " ", page_with_a_leaver)  # the pictures' bytes are not words
    words = html.unescape(re.sub(r"<style.*?</style>", " ", words, flags=re.S))
    assert re.findall(r"\d{4}-\d{2}-\d{2}", words) == []  # in the text, the captions and the alt texts alike


def _covered_and_due(covered: int | None, due: int | None) -> dict:
    """The three tables `describe_on_time` reads: totals of `covered` and `due` people (None: hidden)."""
    def total(n, **shares):
        return pd.DataFrame([{"department": None, "n_employees": pd.NA if n is None else n,
                              "privacy": "not shown" if n is None else "", **shares}])
    shares = {"share_conversation_overdue": 0.1, "share_checkin_overdue": 0.2, "share_any_overdue": 0.25,
              "share_never_met": 0.05}
    about = pd.DataFrame({"item": ["as of"], "value": ["2026-09-30"]})
    return {"about": about, "overview": total(covered, share_met=0.9), "cadence_compliance": total(due, **shares)}


@pytest.mark.parametrize("covered, due", [(60, 60), (None, 59), (60, None)])
def test_the_on_time_section_says_nothing_of_who_is_covered_where_the_totals_agree_or_one_is_hidden(covered, due):
    """Both numbers are on the page whenever the sentence is: it never tells a total the page hides."""
    reading = analytics.describe_on_time(_covered_and_due(covered, due))
    assert "Who is covered" not in reading
    assert reading == analytics.describe("cadence_compliance", _covered_and_due(covered, due)["cadence_compliance"])


def test_the_on_time_section_counts_everyone_who_left_in_the_period():
    reading = analytics.describe_on_time(_covered_and_due(64, 61)).replace("\N{NO-BREAK SPACE}", " ")
    assert reading.endswith('These figures count the 61 employees still here on 30 Sep 2026; "Who is covered" '
                            "counts 64, everyone here on some day of the period, 3 of whom had left by then.")
