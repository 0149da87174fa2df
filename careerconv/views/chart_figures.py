"""The figures each chart of the HR page draws, as a table to put under it.

A chart of the HR page is described by one sentence (its alt text). A reader who cannot see it, or an analyst
who wants its numbers, gets the figures it draws as a table under it, collapsed in a ``<details>``
(:func:`figures_html`), presented as the page's other tables are. "The figures it draws" are the rows of the
grouping the chart actually plots, in the chart's order: the periods and skills of a coarsened trend
(:class:`careerconv.analytics.Grouping`), the skills a chart picks (the most-rated ones), the row over all
skills where no skill can be shown on its own (:func:`careerconv.analytics.skill_view`). A row the chart
marks in place as hidden (a grey cell, a broken line, a bar's label) is a row of the table reading "fewer than
k" or "not shown", with no figure; rows the chart only counts in a note ("3 not shown") are counted the same
way under the table. Where the chart draws only some of a table's rows, a line under the table says which
file of the CSV export holds them all.

The pickers here (which skills a trend chart draws, the order of a chart's bars) are the ones the charts of
:mod:`careerconv.views.hr_plots` call, so a table and its chart cannot pick differently.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

from careerconv.analytics import (BANDS, DEPARTMENT, N, TREND_LINES, Grouping, distribution_skills, skill_view)
from careerconv.analytics import department_chart_skill as heatmap_skill  # the skill its reading names too
from careerconv.records.schema import HORIZON_MONTHS, SKILL
from careerconv.records.text_direction import isolated
from careerconv.rules import privacy
from .stacked_tables import page_table

__all__ = ["ALL_SKILLS", "SUMMARY", "ChartFigures", "trend_line_skills", "heatmap_skill", "bar_order", "gap_rows",
           "any_skill_rows", "option_kind_rows", "trends_figures", "department_figures", "distribution_figures",
           "growth_figures", "most_wanted_figures", "gaps_figures", "action_items_figures", "option_kinds_figures",
           "figures_html"]

ALL_SKILLS = "All skills"  # how a chart names its line or bar over all skills
SUMMARY = "The figures of this chart, as a table"
MAX_ROWS = 60  # a longer table of figures shows its first rows and says which CSV file holds the rest


@dataclass(frozen=True)
class ChartFigures:
    """The rows a chart draws, and how the page presents them.

    Attributes
    ----------
    name
        The table of :func:`careerconv.analytics.present` whose columns (and labels) the rows have.
    rows
        The rows, in the chart's order.
    caption
        What the table holds, as its screen readers read its name.
    level
        ``rows`` of :func:`careerconv.analytics.present`: ``"total"`` (organisation rows, no department column),
        ``"departments"`` or ``"all"``.
    total_label
        What the row for all (selected) departments is called.
    source
        The table of the CSV export holding every row of the grouping (``<source>.csv``).
    left_out
        One sentence on what the chart (and so the table) leaves out and where it is; "" when nothing.
    """

    name: str
    rows: pd.DataFrame
    caption: str
    level: str = "total"
    total_label: str = "All departments"
    source: str = ""
    left_out: str = ""


# --------------------------------------------------------------------------- pickers the charts share


def trend_line_skills(org: pd.DataFrame, top: int) -> list[str]:
    """The skills a trend chart draws a line for: of the shown rows, the ``top`` rated by the most employees
    (summed over the periods), most first, in ties by their first appearance.

    ``org`` holds organisation rows of a Grouping's figures whose missing skill reads :data:`ALL_SKILLS`.
    """
    data = org[privacy.shown(org)]
    return list(data.groupby(SKILL)[N].sum().sort_values(ascending=False, kind="stable").index[:top])


def bar_order(frame: pd.DataFrame, label: str, value: str) -> pd.DataFrame:
    """A bar chart's rows as it draws them: shown rows first, by ``value`` (largest first), then ``label``."""
    keys = pd.DataFrame({"shown": privacy.shown(frame).to_numpy(),
                         "value": pd.to_numeric(frame[value], errors="coerce").to_numpy(),
                         "label": frame[label].to_numpy()})
    order = keys.sort_values(["shown", "value", "label"], ascending=[False, False, True], kind="stable").index
    return frame.iloc[order]


def gap_rows(org: pd.DataFrame) -> pd.DataFrame:
    """The self-versus-coach chart's shown organisation rows as it draws them: all skills first, then by mean
    gap (widest first), then skill."""
    rows = org[privacy.shown(org)].assign(_all=lambda f: f[SKILL].isna())
    return rows.sort_values(["_all", "mean_gap", SKILL], ascending=[False, False, True],
                            kind="stable").drop(columns="_all")


def any_skill_rows(most_wanted_skills: pd.DataFrame) -> pd.DataFrame:
    """The rows of anyone who chose any skill (organisation and departments), as the most-wanted chart draws
    them where no skill can be shown on its own."""
    return most_wanted_skills[most_wanted_skills[SKILL].isna()]


def option_kind_rows(option_kinds: pd.DataFrame) -> pd.DataFrame:
    """The option-kinds chart's organisation rows as it draws them: horizon by horizon, shown kinds by mean gain
    (largest first), then kinds too small to show, each group by kind."""
    rows = option_kinds[option_kinds[DEPARTMENT].isna()].assign(
        _shown=lambda f: privacy.shown(f), _gain=lambda f: pd.to_numeric(f["mean_gain"], errors="coerce"))
    rows = rows.sort_values([HORIZON_MONTHS, "_shown", "_gain", "kind"], ascending=[True, False, False, True],
                            kind="stable")
    return rows.drop(columns=["_shown", "_gain"])


# --------------------------------------------------------------------------- the figures of each chart


def trends_figures(grouping: Grouping, top: int = TREND_LINES) -> ChartFigures:
    """The figures of :func:`careerconv.views.hr_plots.trends_chart`: per period, the lines it draws."""
    org = grouping.figures[grouping.figures[DEPARTMENT].isna()].assign(
        skill=lambda f: f[SKILL].fillna(ALL_SKILLS))
    skills = trend_line_skills(org, top)
    rank = {skill: i for i, skill in enumerate(skills)}
    rows = org[org[SKILL].isin(skills)]
    rows = rows.assign(_line=rows[SKILL].map(rank)).sort_values(["_line", "bucket"], kind="stable")
    source = _trend_source(grouping, "skill_trends")
    every = int(org[SKILL].nunique())
    left_out = "" if every <= len(skills) else (
        f"The chart draws the {len(skills)} skills rated by the most employees; the figures of all {every} are in "
        f"{_csv(source)}.")
    what = f"the {len(skills)} skills rated by the most employees" if grouping.per_skill else "all skills together"
    return ChartFigures("rating_periods", rows.drop(columns=["_line", "grain"]),
                        f"Median self rating per {grouping.grain}, {what}", source=source, left_out=left_out)


def department_figures(grouping: Grouping) -> ChartFigures:
    """The figures of :func:`careerconv.views.hr_plots.department_chart`: per department and period, the skill
    it draws (or all skills)."""
    figures = grouping.figures[grouping.figures[DEPARTMENT].notna()]
    skill = heatmap_skill(figures, grouping.per_skill)
    if grouping.per_skill and skill is None:
        rows = figures.iloc[:0]
    else:
        rows = figures[figures[SKILL].isna()] if skill is None else figures[figures[SKILL] == skill]
    rows = rows.sort_values([DEPARTMENT, "bucket"], kind="stable").drop(columns="grain")
    what = f"{isolated(skill)} rating" if skill else "rating over all skills"
    return ChartFigures("rating_periods", rows, f"Median {what} by department and {grouping.grain}",
                        level="departments", source=_trend_source(grouping, "department_trends"))


def distribution_figures(rating_distribution: pd.DataFrame) -> ChartFigures:
    """The figures of :func:`careerconv.views.hr_plots.distribution_chart`: per skill it draws, all its ratings
    and each band."""
    org = rating_distribution[rating_distribution[DEPARTMENT].isna()]
    drawn = distribution_skills(rating_distribution)
    skills = list(drawn[SKILL])
    band = {label: i + 1 for i, (label, _, _) in enumerate(BANDS)}
    rows = org[org[SKILL].isin(skills)]
    rows = rows.assign(_skill=rows[SKILL].map({s: i for i, s in enumerate(skills)}),
                       _band=rows["band"].map(band).fillna(0)).sort_values(["_skill", "_band"], kind="stable")
    totals = org[org["band"].isna() & privacy.shown(org) & org[SKILL].notna()]
    left_out = "" if len(totals) <= len(skills) else (
        f"The chart draws the {len(skills)} skills rated by the most employees, of {len(totals)} shown; all are in "
        f"{_csv('rating_distribution')}.")
    return ChartFigures("rating_distribution", rows.drop(columns=["_skill", "_band"]),
                        f"Latest self ratings by band, for the {len(skills)} skills rated by the most employees",
                        source="rating_distribution", left_out=left_out)


def growth_figures(skill_growth: pd.DataFrame, horizon: int = 12) -> ChartFigures:
    """The figures of :func:`careerconv.views.hr_plots.growth_chart`: per skill at ``horizon`` (all skills
    first), or over all skills at every horizon where no skill can be shown on its own."""
    view = skill_view("skill_growth", skill_growth, horizon=horizon)
    if not view.per_skill:
        return ChartFigures("skill_growth", view.figures.sort_values(HORIZON_MONTHS, kind="stable"),
                            "Mean change in rating since the conversation, all skills together, at each horizon",
                            source="skill_growth")
    org = view.figures
    per_skill = org[org[SKILL].notna()]
    rows = pd.concat([org[org[SKILL].isna()], bar_order(per_skill, SKILL, "mean_growth")])
    return ChartFigures("skill_growth", rows[privacy.shown(rows)], f"Mean change in rating {horizon} months after "
                        "the conversation, per skill", source="skill_growth", left_out=_not_shown(per_skill))


def most_wanted_figures(most_wanted_skills: pd.DataFrame, total_label: str = "All departments") -> ChartFigures:
    """The figures of :func:`careerconv.views.hr_plots.most_wanted_chart`: employees per skill, or, where no
    skill can be shown on its own, anyone who chose any skill, per department."""
    if most_wanted_skills.empty:
        return ChartFigures("most_wanted_skills", most_wanted_skills, "Most-wanted skills")
    view = skill_view("most_wanted_skills", most_wanted_skills)
    if not view.per_skill:
        return ChartFigures("most_wanted_skills", any_skill_rows(most_wanted_skills),
                            "Employees who chose to work on any skill, per department", level="all",
                            total_label=total_label, source="most_wanted_skills")
    per_skill = view.figures[view.figures[SKILL].notna()]
    return ChartFigures("most_wanted_skills", bar_order(per_skill[privacy.shown(per_skill)], SKILL, N),
                        "Employees who chose to work on each skill", source="most_wanted_skills",
                        left_out=_not_shown(per_skill))


def gaps_figures(rating_gaps: pd.DataFrame) -> ChartFigures:
    """The figures of :func:`careerconv.views.hr_plots.gaps_chart`: all skills, then each skill by its gap (the
    skills it counts as not shown are counted under the table)."""
    org = rating_gaps[rating_gaps[DEPARTMENT].isna()]
    return ChartFigures("rating_gaps", gap_rows(org), "Self rating versus coach rating, all skills and per skill",
                        source="rating_gaps", left_out=_not_shown(org))


def action_items_figures(action_items: pd.DataFrame, total_label: str = "All departments") -> ChartFigures:
    """The figures of :func:`careerconv.views.hr_plots.action_items_chart`: the status of the action items, all
    departments and each department."""
    return ChartFigures("action_items", action_items, "Status of the action items, per department", level="all",
                        total_label=total_label, source="action_items")


def option_kinds_figures(option_kinds: pd.DataFrame) -> ChartFigures:
    """The figures of :func:`careerconv.views.hr_plots.option_kinds_chart`: the gain per kind of chosen option,
    horizon by horizon."""
    rows = option_kind_rows(option_kinds) if len(option_kinds) else option_kinds
    return ChartFigures("option_kinds", rows, "Mean gain in rating per kind of development action, at each horizon",
                        source="option_kinds")


def _trend_source(grouping: Grouping, by_quarter_and_skill: str) -> str:
    """The CSV table holding a grouping's figures: by quarter and skill its own table, else ``rating_periods``."""
    return by_quarter_and_skill if grouping.grain == "quarter" and grouping.per_skill else "rating_periods"


def _not_shown(rows: pd.DataFrame) -> str:
    """What a chart's note says of its skills not shown (and so the table too): how many, and why; "" for none."""
    hidden = int((~privacy.shown(rows)).sum())
    if not hidden:
        return ""
    return (f"{hidden:,} more skills not shown (fewer employees than the minimum group size, or "
            f"{privacy.hidden_so_that()}).")


def _csv(source: str) -> str:
    return f"{source}.csv of the CSV export"


# --------------------------------------------------------------------------- HTML


def figures_html(figures: ChartFigures, *, max_rows: int = MAX_ROWS) -> str:
    """The figures as a table of the page (:func:`careerconv.views.stacked_tables.page_table`, captioned,
    every cell escaped) in a ``<details>`` that is closed until opened, whose ``<summary>`` says what it holds
    and how many rows; "" when there are no rows.

    Parameters
    ----------
    figures
        What one chart draws.
    max_rows
        Show at most this many rows; the line under the table names the CSV file holding the rest.
    """
    if figures.rows.empty:
        return ""
    count = len(figures.rows)
    table = page_table(figures.name, figures.rows, caption=figures.caption, total_label=figures.total_label,
                       rows=figures.level, max_rows=max_rows, source=figures.source or None)
    note = f'<p class="hr-more">{html.escape(figures.left_out)}</p>' if figures.left_out else ""
    rows = "1 row" if count == 1 else f"{count:,} rows"
    return (f'<details class="hr-figures"><summary>{html.escape(SUMMARY)} ({rows})</summary>'
            f"{table}{note}</details>")
