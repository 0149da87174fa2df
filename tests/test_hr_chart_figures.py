"""Under each chart of the HR page, the figures it draws as a table; every table of the page named by a caption.

An accessibility tester read the HR page as a screen-reader user: seven charts ("Skill ratings over time",
"By department", the distribution, most-wanted skills, self versus coach, action items, kinds of actions) gave
only a one-sentence alt text, their figures only in ``--csv``, and no table had a caption (a screen reader
said "table" and no name). The page is rendered here as ``careerconv hr-report`` renders it (the notebook
executed and exported), from the demo organisation's tables with a hostile skill and department name.
"""

from __future__ import annotations

import datetime as dt
import html
import re

import pandas as pd
import pytest

from careerconv import analytics
from careerconv.demo.organisation import write_demo_organisation
from careerconv.rules import privacy

K = 3
AS_OF = "2026-10-01"
HOSTILE_SKILL = '<script>alert("skill")</script> ניהול'
HOSTILE_DEPARTMENT = "<img src=x onerror=alert(1)> מכירות"
SUMMARY = "The figures of this chart, as a table"
# The columns of a presented table that name a row rather than give a figure of it.
NAMING = {"Period", "Skill", "Department", "Ratings", "After", "Kind of action chosen", "Target at", "Coach",
          "Table", "Grouped by"}


def _renamed(hr: dict, column: str, old: str, new: str) -> dict:
    out = {}
    for name, frame in hr.items():
        if column in frame.columns:
            frame = frame.copy()
            frame[column] = frame[column].replace({old: new})
        out[name] = frame
    return out


@pytest.fixture(scope="module")
def hr(tmp_path_factory) -> dict:
    data = tmp_path_factory.mktemp("figures") / "data"
    write_demo_organisation(data, 60, 7, dt.date(2026, 10, 1))
    tables = analytics.hr_aggregates(analytics.load_hr_tables(data, lazy=True), AS_OF, k=K)
    wanted = tables["most_wanted_skills"]
    top = wanted[wanted["department"].isna() & privacy.shown(wanted) & wanted["skill"].notna()]
    most_wanted = top.sort_values("n_employees", ascending=False)["skill"].iloc[0]
    tables = _renamed(tables, "skill", most_wanted, HOSTILE_SKILL)
    return _renamed(tables, "department", "Sales", HOSTILE_DEPARTMENT)


@pytest.fixture(scope="module")
def page(hr) -> str:
    from careerconv.surfaces.report import hr_page

    parameters = {"data_dir": "unused", "period_start": "", "period_end": "", "departments": [],
                  "min_group_size": K, "as_of": AS_OF}
    return hr_page.render_html(parameters, hr)


def _text(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", markup)).split())


def _rows(table: str) -> list[dict[str, str]]:
    """A table's body rows as {header: cell text}."""
    head = [_text(c) for c in re.findall(r"<th[^>]*>(.*?)</th>", table.split("</thead>")[0], re.S)]
    body = table.split("<tbody>", 1)[1]
    return [dict(zip(head, (_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S))))
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def _sections(page: str) -> dict[str, str]:
    parts = re.split(r"<h[23][^>]*>", page)[1:]
    return {_text(part.split("</h", 1)[0]).rstrip("¶"): part for part in parts}


def _figures(section: str) -> list[dict[str, str]]:
    """The rows of the figures under the section's chart: a closed <details> right after the chart's frame."""
    found = re.search(r'class="hr-chart-frame".*?</div>\s*(<details class="hr-figures">.*?</details>)', section, re.S)
    assert found, "no figures after the chart"
    details = found.group(1)
    assert " open" not in details.split(">", 1)[0]  # collapsed until opened
    summary = _text(re.search(r"<summary>(.*?)</summary>", details, re.S).group(1))
    rows = _rows(re.search(r"<table.*?</table>", details, re.S).group(0))
    assert summary == f"{SUMMARY} ({len(rows)} row{'s' if len(rows) != 1 else ''})"
    return rows


SEVEN = ["Skill ratings over time", "By department", "Distribution of ratings per skill", "Most-wanted skills",
         "Self rating versus coach rating", "Action items", "Which kinds of development actions go with larger gains"]


def test_each_of_the_seven_charts_is_followed_by_its_figures(page):
    sections = _sections(page)
    for title in SEVEN:
        assert '<img class="hr-chart"' in sections[title], title
        assert _figures(sections[title]), title


def test_the_trend_figures_are_the_grouping_the_chart_draws(page, hr):
    """On 60 people at k=3 the trend chart draws quarters over all skills (each employee once): so does its
    table, figure for figure, from the rows of rating_periods over all skills."""
    rows = _figures(_sections(page)["Skill ratings over time"])
    periods = hr["rating_periods"]
    org = periods[(periods["grain"] == "quarter") & periods["skill"].isna() & periods["department"].isna()]
    expected = [{"Period": analytics.quarter_label(q), "Skill": "All skills", "Employees rated": f"{int(n)}",
                 "Median rating": f"{m:.1f}".removesuffix(".0")}
                for q, n, m in zip(org["bucket"], org["n_employees"], org["median"])]
    assert [{key: row[key] for key in expected[0]} for row in rows] == expected
    assert len(rows) == 8  # the 8 quarters of the default period
    assert "Until" not in page and "From" not in rows[0]  # a quarter was "From 2024 Q4, Until 2024 Q4"


def _periods() -> pd.DataFrame:
    """Rows of rating_periods: a quarter, a half-year, a year, and a year cut to its last three quarters (the
    first bucket of a period starting in April)."""
    starts = pd.to_datetime(["2024-10-01", "2025-01-01", "2025-01-01", "2024-04-01"])
    until = pd.to_datetime(["2025-01-01", "2025-07-01", "2026-01-01", "2025-01-01"])
    return pd.DataFrame({"grain": ["quarter", "half-year", "year", "year"], "bucket": starts, "until": until,
                         "skill": None, "department": None, privacy.COUNT: [23, 30, 41, 12],
                         "median": [5.5, 6.0, 6.5, 5.0], "mean": [5.4, 6.1, 6.4, 5.1], privacy.PRIVACY: ""})


def test_a_row_of_the_page_names_its_period_once_and_a_quarter_as_that_quarter():
    """Before: a quarter's row read "From 2024 Q4, Until 2024 Q4"; now one cell, as the charts name periods."""
    shown = analytics.present("rating_periods", _periods())
    assert list(shown.columns[:3]) == ["Grouped by", "Period", "Skill"]
    assert shown["Period"].tolist() == ["2024 Q4", "2025 H1", "2025", "2024 Q2–Q4"]


def test_the_files_keep_a_period_in_its_from_and_until_columns():
    """A reader's spreadsheet may read the CSV's columns: they stay as they were, a quarter's two cells alike."""
    written = analytics.present("rating_periods", _periods(), formatted=False)
    assert list(written.columns[:4]) == ["Grouped by", "From", "Until", "Skill"]
    assert written["From"].tolist() == ["2024 Q4", "2025 Q1", "2025 Q1", "2024 Q2"]
    assert written["Until"].tolist() == ["2024 Q4", "2025 Q2", "2025 Q4", "2024 Q4"]


def test_the_distribution_figures_are_the_skills_the_chart_draws(page, hr):
    rows = _figures(_sections(page)["Distribution of ratings per skill"])
    dist = hr["rating_distribution"]
    totals = dist[dist["department"].isna() & dist["band"].isna() & privacy.shown(dist) & dist["skill"].notna()]
    drawn = list(totals.sort_values(["n_employees", "skill"], ascending=[False, True])["skill"].head(12))
    assert list(dict.fromkeys(row["Skill"] for row in rows)) == drawn
    assert {row["Ratings"] for row in rows} <= {"All", "1–3", "4–6", "7–8", "9–10"}


def test_the_department_figures_name_every_department_and_escape_a_hostile_one(page, hr):
    section = _sections(page)["By department"]
    rows = _figures(section)
    assert {row["Department"] for row in rows} == set(hr["department_trends"]["department"].dropna())
    assert HOSTILE_DEPARTMENT in {row["Department"] for row in rows}  # read back as typed...
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt; מכירות" in section  # ...shown as text


def test_a_hostile_skill_name_stays_text_and_reads_in_its_own_direction(page):
    rows = _figures(_sections(page)["Most-wanted skills"])
    assert rows[0]["Skill"] == HOSTILE_SKILL  # the most-wanted skill, first as the chart draws it
    assert "<script>" not in page
    cell = '<td dir="auto" data-label="Skill">&lt;script&gt;alert("skill")&lt;/script&gt; ניהול</td>'
    assert cell in page, "the hostile skill's cell, escaped and with its own direction"


def test_nothing_hidden_shows_a_figure(page):
    checked = 0
    for title in SEVEN:
        for row in _figures(_sections(page)[title]):
            labels = [v for v in row.values() if v.startswith("fewer than") or v == privacy.HIDDEN]
            if not labels:
                continue
            checked += 1
            figures = {key: value for key, value in row.items() if key not in NAMING and value not in labels}
            assert all(value == "" for value in figures.values()), (title, row)
    assert checked  # the demo at k=3 hides some of what the charts mark as hidden


def test_what_a_chart_only_counts_is_counted_under_its_table(page, hr):
    """The self-versus-coach chart draws all skills together and the skills it can show, and counts those it
    cannot; its table holds the rows drawn, all skills first, and says how many more are not shown."""
    section = _sections(page)["Self rating versus coach rating"]
    rows = _figures(section)
    gaps = hr["rating_gaps"]
    org = gaps[gaps["department"].isna()]
    hidden = int((~privacy.shown(org)).sum())
    shown = org[privacy.shown(org)]
    assert hidden and rows[0]["Skill"] == "All skills, each person's mean"  # as the chart names its bar
    assert sorted(row["Skill"] for row in rows[1:]) == sorted(shown["skill"].dropna())
    assert f"{hidden} more skills not shown" in _text(section.split("<details", 1)[1])


def test_every_table_of_the_page_is_named_by_a_caption(page):
    tables = re.findall(r"<table\b[^>]*>(.*?)</table>", page, re.S)
    assert len(tables) >= 14
    for table in tables:
        caption = re.match(r'\s*<caption class="hr-caption">(.+?)</caption>', table, re.S)
        assert caption and _text(caption.group(1)), table[:200]
    assert '<caption class="hr-caption">Who is covered</caption>' in page
    assert "caption.hr-caption {" in page  # kept for screen readers, off the screen


def test_the_page_still_loads_nothing_from_outside(page):
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and "@font-face" not in page


def test_an_unknown_chart_is_refused_by_name():
    from careerconv.views import hr_plots

    with pytest.raises(ValueError, match="no table of figures for the chart 'cadence_chart'; charts with figures: "
                                         "trends_chart"):
        hr_plots.chart_with_figures_html(hr_plots.cadence_chart, None, alt="x")


def test_a_caption_is_escaped_and_a_long_table_names_its_csv_file(hr):
    out = analytics.present_html("rating_periods", hr["rating_periods"], max_rows=5, caption="<b>x",
                                 source="skill_trends")
    assert '<caption class="hr-caption">&lt;b&gt;x</caption>' in out
    assert f"… and {len(hr['rating_periods']) - 5:,} more rows, in skill_trends.csv of the CSV export." in out
