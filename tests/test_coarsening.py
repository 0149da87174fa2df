"""Coarsening: the page groups ratings more coarsely where the minimum group size would hide most of them."""

from __future__ import annotations

import pandas as pd

from careerconv import analytics
from careerconv.rules import privacy

Q = pd.Timestamp


def _fine(shown: list[bool]) -> pd.DataFrame:
    quarters = pd.date_range("2025-01-01", periods=len(shown), freq="QS")
    return pd.DataFrame({"quarter": quarters, "skill": "SQL", privacy.COUNT: [6 if ok else pd.NA for ok in shown],
                         "mean": 5.0, "median": 5.0, "department": None,
                         privacy.PRIVACY: ["" if ok else "fewer than 5" for ok in shown]})


def _periods() -> pd.DataFrame:
    rows = []
    for grain, starts, ok in [("half-year", ["2025-01-01", "2025-07-01"], [True, False]),
                              ("year", ["2025-01-01"], [True])]:
        for start, shown in zip(starts, ok):
            months = 6 if grain == "half-year" else 12
            rows.append({"grain": grain, "bucket": Q(start), "until": Q(start) + pd.DateOffset(months=months),
                         "skill": "SQL", "department": None, privacy.COUNT: 9 if shown else pd.NA, "median": 6.0,
                         "mean": 6.0, privacy.PRIVACY: "" if shown else "fewer than 5"})
    return pd.DataFrame(rows)


def test_quarters_by_skill_stay_when_at_least_half_are_shown():
    chosen = analytics.readable_grouping(_fine([True, True, False, True]), _periods(), departments=False)
    assert (chosen.grain, chosen.per_skill, chosen.note) == ("quarter", True, "")


def test_mostly_hidden_quarters_are_grouped_by_half_year_and_the_page_says_why():
    # 3 of 4 quarters hidden; half-years show 1 of 2 (half): the first grouping that is readable.
    chosen = analytics.readable_grouping(_fine([True, False, False, False]), _periods(), departments=False)
    assert (chosen.grain, chosen.per_skill) == ("half-year", True)
    assert chosen.note == ("Shown by half-year: by quarter and skill, 3 of 4 figures would be hidden (groups of "
                           "fewer than the minimum group size); by half-year and skill, 50% of the figures can be "
                           "shown.")
    assert analytics.describe_grouping(chosen).startswith(chosen.note)


def test_period_labels_name_whole_halves_and_years_and_cut_runs():
    assert analytics.period_label("2025-01-01", "2026-01-01") == "2025"
    assert analytics.period_label("2025-07-01", "2026-01-01") == "2025 H2"
    assert analytics.period_label("2024-10-01", "2025-01-01") == "2024 Q4"
    assert analytics.period_label("2025-04-01", "2025-10-01") == "2025 Q2–Q3"
    assert analytics.period_label("2024-10-01", "2025-04-01") == "2024 Q4–2025 Q1"


def test_two_tables_about_the_same_people_hide_the_same_departments():
    overview = pd.DataFrame({"department": [None, "Ops", "People", "Sales"], privacy.COUNT: [30, 7, 8, 15],
                             "share_met": [0.9, None, None, 0.8],
                             privacy.PRIVACY: ["", privacy.HIDDEN, privacy.HIDDEN, ""]})
    cadence = pd.DataFrame({"department": [None, "Ops", "People", "Sales"], privacy.COUNT: [30, 7, 8, 15],
                            "share_any_overdue": [0.5, 0.4, 0.3, 0.6], privacy.PRIVACY: ["", "", "", ""]})
    overview2, cadence2 = privacy.hide_together([overview, cadence], ["department"],
                                                [["share_met"], ["share_any_overdue"]])
    assert list(cadence2[privacy.PRIVACY]) == ["", privacy.HIDDEN, privacy.HIDDEN, ""]
    assert cadence2[privacy.COUNT].isna().tolist() == [False, True, True, False]
    assert cadence2["share_any_overdue"].isna().tolist() == [False, True, True, False]
    assert overview2.equals(overview)
    assert list(cadence[privacy.PRIVACY]) == ["", "", "", ""]  # the input is not changed


def test_the_trend_reading_names_the_largest_move_among_the_lines_the_chart_draws():
    """"The largest move: Hiring" was read over a chart that draws only the 6 most-rated skills, Hiring not among
    them: the count is of every skill, the largest move of the lines drawn, and the reading says so."""
    rows = []
    for i in range(8):  # skill 0 rated by the most; skill 7 (the fewest) moves the most
        skill, start, end = f"Skill {i}", 5.0, 5.0 + (3 if i == 7 else 1 if i == 2 else 0)
        for bucket, median in ((Q("2025-01-01"), start), (Q("2025-04-01"), end)):
            rows.append({"grain": "quarter", "bucket": bucket, "until": bucket + pd.DateOffset(months=3),
                         "skill": skill, "department": None, privacy.COUNT: 30 - i, "median": median,
                         "mean": median, privacy.PRIVACY: ""})
    grouping = analytics.Grouping("quarter", True, pd.DataFrame(rows), "")
    reading = analytics.describe_grouping(grouping)
    assert analytics.TREND_LINES == 6
    assert ("the median rose for 2 and fell for 0 of 8 skills; of the 6 drawn (those rated by the most employees), "
            "the largest move: Skill 2, from 5") in reading, reading
    few = analytics.Grouping("quarter", True, pd.DataFrame(rows[:8]), "")  # 4 skills, all drawn
    assert "of 4 skills; the largest move: Skill 2" in analytics.describe_grouping(few)
