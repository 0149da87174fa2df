"""The HR page's words for its days and its empty sections, read as a hostile HR analyst read `careerconv demo`'s
page dated 6 Dec 2026 (figures as of 30 Sep 2026), and its report of one quarter."""
from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from careerconv import analytics
from careerconv.demo.organisation import write_demo_organisation
from careerconv.surfaces.commands.hr_report import hr_table_frames
from careerconv.surfaces.report import hr_page

DATED = "2026-12-06"
COUNTING_DUE = "Counting the targets due by 30 Sep 2026, the day this report is as of."


def section_text(page: str, title: str) -> str:
    """The words a reader sees in one section or subsection of the page, from its heading to the next one."""
    start = re.search(r"<h[1-3][^>]*>\s*" + re.escape(title), page).start()
    end = re.compile(r"<h[1-3]").search(page, start + 1)
    section = page[start:end.start() if end else len(page)]
    return " ".join(html.unescape(re.sub(r"<style.*?</style>|<[^>]+>", " ", section, flags=re.S)).split())


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """`careerconv demo`'s data (60 people, seed 7), dated 6 Dec 2026."""
    data = tmp_path_factory.mktemp("demo") / "data"
    write_demo_organisation(data, 60, 7, dt.date.fromisoformat(DATED))
    return analytics.load_hr_tables(data, lazy=True)


def _page(tables, period: tuple[str, str] = ("", "")) -> tuple[dict, str]:
    hr = analytics.hr_aggregates(tables, DATED, period, k=5)
    parameters = {"data_dir": "unused", "period_start": period[0], "period_end": period[1], "departments": [],
                  "min_group_size": 5, "as_of": DATED}
    return hr, hr_page.render_html(parameters, hr)


@pytest.fixture(scope="module")
def default_page(demo):
    return _page(demo)


@pytest.fixture(scope="module")
def quarter_page(demo):
    """`--period-start 2026-07-01 --period-end 2026-09-30`: no target of its conversations is due yet."""
    return _page(demo, ("2026-07-01", "2026-09-30"))


def test_the_page_and_its_tables_give_each_of_the_two_days_one_name(default_page):
    """The top said "as of 30 Sep 2026 ... (the report is dated 6 Dec 2026)" and about.csv `report date,2026-12-06`,
    while growth and targets counted targets due "by the report's date (the day it is 'as of')": 30 Sep."""
    hr, page = default_page
    about = hr_table_frames(hr)["about"]
    assert dict(zip(about["item"], about["value"]))["as of"] == "2026-09-30"
    assert dict(zip(about["item"], about["value"]))["report date"] == "2026-12-06"
    assert "made on" not in set(about["item"])  # the report date is the day asked for, not when it was made
    covers = section_text(page, "What this report covers")
    assert "as of 30 Sep 2026, the period's last day (the report is dated 6 Dec 2026)." in covers
    words = " ".join(html.unescape(re.sub(r"<style.*?</style>|<[^>]+>", " ", page, flags=re.S)).split())
    assert "report's date" not in words  # the words that meant the as-of day
    assert words.count("is dated") == 1 and words.count("6 Dec 2026") == 1  # the report date, said once, at the top


@pytest.mark.parametrize("title, said", [
    ("Growth per skill after 6, 12 and 18 months", COUNTING_DUE),
    ("Targets reached at each horizon", COUNTING_DUE),
    ("Which kinds of development actions go with larger gains", COUNTING_DUE),
    ("Conversations and follow-ups on time", "Counting who is overdue on 30 Sep 2026, the day this report is as of."),
    ("Follow-through per coach", "Counting each coach's team on 30 Sep 2026, the day this report is as of."),
])
def test_each_section_counted_on_the_as_of_day_names_that_day(default_page, title, said):
    """The follow-ups section never said its snapshot day; growth and targets said only "the report's date"."""
    assert said in section_text(default_page[1], title)


@pytest.mark.parametrize("title, why", [
    ("Growth per skill after 6, 12 and 18 months", "Nothing to show for growth per skill: no target set in this "
     "period's conversations has come to its date by the day this report is as of"),
    ("Targets reached at each horizon", "Nothing to show for target attainment: no target set in this period's "
     "conversations has come to its date by the day this report is as of."),
])
def test_a_section_with_nothing_to_show_says_why_in_words_with_no_empty_table(quarter_page, title, why):
    """A quarter's report printed the growth and targets tables as a header with no rows."""
    hr, page = quarter_page
    assert hr["skill_growth"].empty and hr["target_attainment"].empty
    start = re.search(r"<h2[^>]*>\s*" + re.escape(title), page).start()
    assert "<table" not in page[start:page.find("<h2", start + 1)]
    assert why in section_text(page, title)
    assert COUNTING_DUE in section_text(page, title)


def test_most_wanted_skills_says_plainly_when_no_skill_can_be_named(default_page):
    """The section named no skill at all, only "3.8 different skills each on average"."""
    hr, page = default_page
    shown = hr["most_wanted_skills"][hr["most_wanted_skills"]["skill"].notna()]
    assert not (shown["privacy"] == "").any()  # every skill hidden: the demo the analyst read
    assert ("all 6 figures by skill would be hidden so that no one can single out "
            "fewer than 5 people from the totals or by comparing reports of other periods or departments. No skill "
            "can be named as most wanted; 57 employees chose at least one skill") \
        in section_text(page, "Most-wanted skills")
