"""The HR page's headlines say what the figure beside them draws, and its printed figures add up.

From a hostile analyst's reading of the page as pictures: a department headline that ranged over every skill
while its heat map drew one, a trend read across a quarter the chart breaks its line at, action-item shares adding
up to 101%, skills called widest and narrowest while both print +0.5, and 90% "higher" over all skills beside
63-66% in each skill with no word on why.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from careerconv import analytics  # noqa: E402
from careerconv.records.numbers import percent, whole_percents  # noqa: E402
from careerconv.rules import privacy  # noqa: E402
from careerconv.views import hr_plots  # noqa: E402

Q = pd.Timestamp


def _row(start: str, skill: str | None, department: str | None, n: int | None, median: float | None) -> dict:
    return {"grain": "quarter", "bucket": Q(start), "until": Q(start) + pd.DateOffset(months=3), "skill": skill,
            "department": department, privacy.COUNT: n if n is not None else pd.NA, "median": median,
            "mean": median, privacy.PRIVACY: "" if n is not None else "fewer than 5"}


def _grouping(rows: list[dict]) -> analytics.Grouping:
    figures = pd.DataFrame(rows)
    figures[privacy.COUNT] = figures[privacy.COUNT].astype("Int64")
    return analytics.Grouping("quarter", True, figures, "")


# --------------------------------------------------------------------------- 3: the department headline


def _departments() -> analytics.Grouping:
    """The 5,000-person organisation's last quarter in small: the heat map draws Stakeholder management (rated by
    the most); SQL in Operations is 8 and other skills are 5."""
    rows = []
    for start in ("2026-04-01", "2026-07-01"):
        rows += [_row(start, "Stakeholder management", "Operations", 170, 6.0),
                 _row(start, "Stakeholder management", "Legal", 30, 7.5),
                 _row(start, "Stakeholder management", "Marketing", 40, 6.5),
                 _row(start, "SQL", "Operations", 37, 8.0),
                 _row(start, "Negotiation", "Marketing", 20, 5.0),
                 _row(start, "Negotiation", "Operations", 22, 5.0)]
    return _grouping(rows)


def test_the_department_headline_describes_the_skill_its_heat_map_draws():
    grouping = _departments()
    reading = analytics.describe_grouping(grouping)
    # Was: "ranged from 5 in Marketing and Operations to 8 in Operations (n=37)", over three skills.
    assert reading == ("In 2026 Q3 the median Stakeholder management rating ranged from 6 in Operations (n=170) to "
                       "7.5 in Legal (n=30).")
    fig, ax = hr_plots.new_figure(9, 3.8)
    hr_plots.department_chart(ax, grouping)
    assert ax.get_title(loc="left") == "Median Stakeholder management rating by department and quarter"
    cells = {t.get_text() for t in ax.texts}
    assert any(text.startswith("6") and "170" in text for text in cells), cells  # the 6 (n=170) it names is drawn


def test_the_department_headline_over_all_skills_says_so():
    rows = [_row("2026-07-01", None, "Operations", 40, 6.0), _row("2026-07-01", None, "Legal", 12, 7.0)]
    grouping = analytics.Grouping("quarter", False, _grouping(rows).figures, "")
    assert analytics.describe_grouping(grouping) == ("In 2026 Q3 the median rating over all skills ranged from 6 in "
                                                     "Operations (n=40) to 7 in Legal (n=12).")


# --------------------------------------------------------------------------- 7: a move across a hidden quarter


def test_a_move_read_across_a_hidden_quarter_says_the_line_breaks_there():
    # Engineering on the demo: Technical writing shown in 2025 Q2 and Q4, hidden in Q3 (the chart breaks the line).
    grouping = _grouping([_row("2025-04-01", "Technical writing", None, 5, 6.0),
                          _row("2025-07-01", "Technical writing", None, None, None),
                          _row("2025-10-01", "Technical writing", None, 5, 8.0)])
    assert analytics.describe_grouping(grouping) == (
        "The median rating of Technical writing rose from 6 in 2025 Q2 (n=5) to 8 in 2025 Q4 (n=5); 2025 Q3 between "
        "them is not shown, so the line breaks there.")


def test_a_line_broken_twice_names_both_breaks_and_an_unbroken_line_none():
    quarters = pd.date_range("2025-01-01", periods=5, freq="QS").strftime("%Y-%m-%d")
    sql = [_row(start, "SQL", None, 30, 4.0 + i) for i, start in enumerate(quarters)]
    # Python: hidden in 2025 Q2, nobody rated it in 2025 Q4 (no row; the chart keeps the quarter's place).
    python = [_row(quarters[0], "Python", None, 9, 5.0), _row(quarters[1], "Python", None, None, None),
              _row(quarters[2], "Python", None, 9, 6.0), _row(quarters[4], "Python", None, 9, 7.0)]
    both = analytics.describe_grouping(_grouping(sql + python))
    assert both.endswith("the largest move: SQL, from 4 in 2025 Q1 (n=30) to 8 in 2026 Q1 (n=30).")
    assert analytics.describe_grouping(_grouping(python)) == (
        "The median rating of Python rose from 5 in 2025 Q1 (n=9) to 7 in 2026 Q1 (n=9); 2025 Q2 and 2025 Q4 "
        "between them are not shown, so the line breaks at each.")


# --------------------------------------------------------------------------- 9: figures that add up


def test_shares_of_one_whole_add_up_to_100_by_the_largest_remainder():
    assert whole_percents([0.587806, 0.095103, 0.210167, 0.106923]) == ["59%", "9%", "21%", "11%"]
    assert [percent(s) for s in (0.587806, 0.095103, 0.210167, 0.106923)] == ["59%", "10%", "21%", "11%"]  # 101
    assert whole_percents([1 / 3, 1 / 3, 1 / 3]) == ["34%", "33%", "33%"]
    assert whole_percents([0.5, None, 0.5]) == ["50%", "", "50%"]
    with pytest.raises(ValueError, match="0 to 1"):
        whole_percents([1.2, -0.2])


def _action_items() -> pd.DataFrame:
    """The demo's action items: Engineering's four shares read 59 + 10 + 21 + 11 = 101% rounded one by one."""
    return pd.DataFrame({
        "department": [None, "Engineering", "Operations"], privacy.COUNT: pd.array([57, 19, pd.NA], dtype="Int64"),
        "share_open": [0.263467, 0.210167, None], "share_in_progress": [0.112701, 0.095103, None],
        "share_done": [0.468769, 0.587806, None], "share_dropped": [0.155064, 0.106923, None],
        "share_open_past_due": [0.279659, 0.255009, None], "items": pd.array([422, 146, pd.NA], dtype="Int64"),
        privacy.PRIVACY: ["", "", privacy.HIDDEN]})


def _added(texts) -> int:
    return sum(int(text.rstrip("%")) for text in texts)


def test_action_item_shares_add_up_to_100_in_the_table_the_chart_and_the_reading():
    items = _action_items()
    table = analytics.present("action_items", items)
    parts = ["Done", "In progress", "Open", "Dropped"]
    assert table.loc[1, parts].tolist() == ["59%", "9%", "21%", "11%"]
    assert [_added(table.loc[i, parts]) for i in (0, 1)] == [100, 100]
    assert table.loc[2, parts].tolist() == ["", "", "", ""]  # hidden stays blank
    fig, ax = hr_plots.new_figure(9, 3)
    hr_plots.action_items_chart(ax, items)
    drawn = [c for c in ax.get_children() if isinstance(c, Text) and c.get_text().endswith("%")
             and abs(c.get_position()[1] - 1) < 0.01]  # the Engineering bar's segments
    assert sorted(c.get_text() for c in drawn) == sorted(["59%", "9%", "21%", "11%"])
    reading = analytics.describe("action_items", items)
    assert "47% done, 11% in progress, 26% open and 16% dropped" in reading  # 100 (46.9 + 11.3 + 26.3 + 15.5)


def test_target_parts_add_up_to_100_in_the_reading():
    due = pd.DataFrame({"horizon_months": [6], "department": [None], privacy.COUNT: pd.array([40], dtype="Int64"),
                        "targets_due": [200], "targets_measured": [150], "targets_attained": [91],
                        "targets_window_open": [10], "share_reached": [0.455], "share_not_reached": [0.295],
                        "share_window_open": [0.05], "share_not_measured": [0.2], "attainment_rate": [0.6],
                        "share_measured": [0.75], privacy.PRIVACY: [""]})
    reading = analytics.describe("target_attainment", due)
    # One by one: 46 + 30 + 5 + 20 = 101.
    assert reading.startswith("46% of the 200 6-month targets due were reached, 29% were not, 5% are not measured "
                              "yet and 20% were not measured"), reading


def _gaps(per_skill: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """The organisation's self-versus-coach rows: over all skills (each person's mean gap), then per skill."""
    skills = [None, *per_skill]
    gaps = [0.4546, *(gap for gap, _ in per_skill.values())]
    higher = [0.905, *(share for _, share in per_skill.values())]
    return pd.DataFrame({"skill": skills, "department": None,
                         privacy.COUNT: pd.array([4744] + [900] * len(per_skill), dtype="Int64"),
                         "mean_gap": gaps, "share_self_higher": higher, "share_self_lower": 0.05,
                         privacy.PRIVACY: ""})


def test_skills_whose_gaps_print_alike_are_not_called_widest_and_narrowest():
    alike = analytics.describe("rating_gaps", _gaps({"Coaching others": (0.518, 0.63), "Leadership": (0.456, 0.62),
                                                     "SQL": (0.452, 0.66)}))
    assert "widest" not in alike and "narrowest" not in alike
    assert alike.endswith("; the mean gap is +0.5 in each of the 3 skills.")
    apart = analytics.describe("rating_gaps", _gaps({"Coaching others": (0.518, 0.63), "Leadership": (0.456, 0.62),
                                                     "Python": (0.4196, 0.616)}))
    assert apart.endswith("; per skill the mean gap runs from +0.4 in Python to +0.5 in Coaching others and "
                          "Leadership.")


def test_the_share_higher_over_all_skills_says_it_counts_each_persons_mean():
    table = _gaps({"Coaching others": (0.518, 0.632), "Python": (0.4196, 0.6166), "SQL": (0.4567, 0.6641)})
    reading = analytics.describe("rating_gaps", table)
    assert ("taking each person's mean over their skills, 91% rate themselves higher and 5% lower (in any one "
            "skill, 62% to 66% rate themselves higher)") in reading
    fig, ax = hr_plots.new_figure(9, 4.5)
    hr_plots.gaps_chart(ax, table)
    label = ax.get_yticklabels()[0].get_text().replace("\n", " ")
    assert label == "All skills, each person's mean (n=4,744, mean +0.5)"


def test_a_skills_rating_bands_add_up_to_100_in_the_distribution_table():
    bands = ["1–3", "4–6", "7–8", "9–10"]
    rows = pd.DataFrame({
        "skill": ["SQL"] * 5 + ["Python"] * 5, "department": None, "band": [None, *bands] * 2,
        privacy.COUNT: pd.array([200, 25, 25, 49, 101, 40, 8, pd.NA, 16, 16], dtype="Int64"),
        "share": [1.0, 0.125, 0.125, 0.245, 0.505, 1.0, 0.2, None, 0.4, 0.4],
        "median": [7.0, None, None, None, None, 6.0, None, None, None, None], "mean": None,
        privacy.PRIVACY: ["", "", "", "", "", "", "", "fewer than 5", "", ""]})
    table = analytics.present("rating_distribution", rows)
    # One by one: 13 + 13 + 25 + 51 = 102.
    assert table["Share"].tolist() == ["100%", "13%", "13%", "24%", "50%", "100%", "20%", "", "40%", "40%"]


def test_the_tables_name_the_all_skills_gap_row_as_the_chart_does():
    table = _gaps({"SQL": (0.4567, 0.6641)})
    assert analytics.present("rating_gaps", table)["Skill"].tolist() == ["All skills, each person's mean", "SQL"]
    assert analytics.present("rating_gaps", table, formatted=False)["Skill"].tolist()[0] == \
        "All skills, each person's mean"  # the CSV file too
