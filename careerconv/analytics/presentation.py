"""Presentation.

A table's columns with readable headers and formatted cells (:func:`present`), and the ``about`` table's items as
a page says them (:func:`about_items`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from careerconv.records.dates import NO_BREAK, human_date
from careerconv.records.schema import COACH_ID, HORIZON_MONTHS, SKILL
from careerconv.records.numbers import one_decimal, percent, rating_text, whole_percents
from careerconv.rules import privacy
from .constants import DEPARTMENT, N
from .quarters import period_label, quarter_label


# Per table column: (header, format). Formats: text, int, pct, num (one decimal), signed, quarter, months.
_COLUMNS: dict[str, dict[str, tuple[str, str]]] = {
    "overview": {DEPARTMENT: ("Department", "text"), N: ("Employees", "int"),
                 "share_met": ("Had a conversation in the period", "pct"),
                 "conversations": ("Conversations", "int"), "checkins": ("Check-ins", "int")},
    "skill_trends": {"quarter": ("Quarter", "quarter"), SKILL: ("Skill", "text"), N: ("Employees rated", "int"),
                     "median": ("Median rating", "num"), "mean": ("Mean rating", "num")},
    "department_trends": {"quarter": ("Quarter", "quarter"), SKILL: ("Skill", "text"),
                          DEPARTMENT: ("Department", "text"), N: ("Employees rated", "int"),
                          "median": ("Median rating", "num"), "mean": ("Mean rating", "num")},
    "rating_periods": {"grain": ("Grouped by", "text"), "bucket": ("From", "quarter"), "until": ("Until", "until"),
                       SKILL: ("Skill", "skill"), DEPARTMENT: ("Department", "text"),
                       N: ("Employees rated", "int"), "median": ("Median rating", "num"),
                       "mean": ("Mean rating", "num")},
    "rating_distribution": {SKILL: ("Skill", "text"), DEPARTMENT: ("Department", "text"),
                            "band": ("Ratings", "band"), N: ("Employees", "int"), "share": ("Share", "pct"),
                            "median": ("Median rating", "num"), "mean": ("Mean rating", "num")},
    "skill_growth": {SKILL: ("Skill", "skill"), HORIZON_MONTHS: ("After", "months"),
                     DEPARTMENT: ("Department", "text"), N: ("Employees measured", "int"),
                     "mean_growth": ("Mean change (points)", "signed"),
                     "median_growth": ("Median change (points)", "signed"),
                     "share_improved": ("Improved", "pct")},
    "target_attainment": {HORIZON_MONTHS: ("Target at", "months"), DEPARTMENT: ("Department", "text"),
                          N: ("Employees", "int"), "targets_due": ("Targets due", "int"),
                          "targets_measured": ("Measured", "int"), "targets_attained": ("Reached", "int"),
                          "targets_window_open": ("Not measured yet", "int"),
                          "share_reached": ("Reached (of due)", "pct"),
                          "share_not_reached": ("Not reached (of due)", "pct"),
                          "share_window_open": ("Not measured yet (of due)", "pct"),
                          "share_not_measured": ("Not measured (of due)", "pct"),
                          "attainment_rate": ("Reached (of measured)", "pct"),
                          "share_measured": ("Measured (of due)", "pct")},
    "most_wanted_skills": {SKILL: ("Skill", "any_skill"), DEPARTMENT: ("Department", "text"),
                           N: ("Employees working on it", "int"),
                           "share_of_people_met": ("Share of people who had a conversation", "pct"),
                           "skills_per_person": ("Skills chosen per person (mean)", "num")},
    "rating_gaps": {SKILL: ("Skill", "person_skills"), DEPARTMENT: ("Department", "text"),
                    N: ("Employees with both ratings", "int"),
                    "mean_gap": ("Self minus coach (points)", "signed"),
                    "share_self_higher": ("Rate themselves higher", "pct"),
                    "share_self_lower": ("Rate themselves lower", "pct")},
    "cadence_compliance": {DEPARTMENT: ("Department", "text"), N: ("Employees", "int"),
                           "share_conversation_overdue": ("Overdue for a conversation", "pct"),
                           "share_checkin_overdue": ("Overdue for a follow-up", "pct"),
                           "share_any_overdue": ("Overdue for either", "pct"),
                           "share_never_met": ("Never had a conversation", "pct")},
    "coach_follow_through": {COACH_ID: ("Coach", "coach"), N: ("Employees in the team", "int"),
                             "share_conversation_on_time": ("Conversation on time", "pct"),
                             "share_checkin_on_time": ("Follow-up on time", "pct"),
                             "share_never_met": ("Never had a conversation", "pct")},
    "action_items": {DEPARTMENT: ("Department", "text"), N: ("Employees with action items", "int"),
                     "items": ("Action items", "int"), "share_done": ("Done", "pct"),
                     "share_in_progress": ("In progress", "pct"), "share_open": ("Open", "pct"),
                     "share_dropped": ("Dropped", "pct"), "share_open_past_due": ("Not done, past due date", "pct")},
    "option_kinds": {"kind": ("Kind of action chosen", "text"), HORIZON_MONTHS: ("After", "months"),
                     N: ("Employees measured", "int"), "plans": ("Plans", "int"),
                     "mean_gain": ("Mean gain (points)", "signed"), "median_gain": ("Median gain (points)", "signed")},
}

# The self-versus-coach row over all skills counts each person once, by the mean of their gaps, so its shares of
# "higher" and "lower" are not those of any one skill (90% beside 62-66% per skill): its name says so, in the
# tables, the files and the chart.
ALL_SKILLS_BY_PERSON = "All skills, each person's mean"

# Per table, the share columns that are the parts of one whole (every action item of a person; every target due):
# printed together by whole_percents, so that each row's parts add up to 100% wherever a page prints them (its
# tables, readings and charts). Parts that are rows of a table: WHOLES_IN_ROWS.
SHARES_OF_A_WHOLE: dict[str, tuple[str, ...]] = {
    "action_items": ("share_done", "share_in_progress", "share_open", "share_dropped"),
    "target_attainment": ("share_reached", "share_not_reached", "share_window_open", "share_not_measured"),
}


# Per table whose parts of one whole are rows: (the columns naming the whole, the column naming the part, the share).
# A skill's rating bands are the parts of its ratings; a hidden band is left out, so those shown add up to less.
WHOLES_IN_ROWS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "rating_distribution": ((SKILL, DEPARTMENT), "band", "share"),
}


def _row_share_texts(name: str, data: pd.DataFrame) -> list[str | None]:
    """Per row of ``data`` (by position), its share as the page prints it when it is a shown part of a whole of
    :data:`WHOLES_IN_ROWS` (rounded with the other parts shown: :func:`whole_percents`); None for any other row."""
    texts: list[str | None] = [None] * len(data)
    if name not in WHOLES_IN_ROWS or data.empty:
        return texts
    keys, part, share = WHOLES_IN_ROWS[name]
    parts = data.reset_index(drop=True)
    parts = parts[parts[part].notna() & privacy.shown(parts).to_numpy()]
    for _, whole in parts.groupby([parts[key].fillna("") for key in keys], sort=False):
        for position, text in zip(whole.index, whole_percents(whole[share].tolist())):
            texts[position] = text
    return texts


def whole_share_texts(name: str, row: Any) -> dict[str, str]:
    """The parts of one whole of a row of table ``name`` (:data:`SHARES_OF_A_WHOLE`) as the page prints them,
    column -> "59%", adding up to 100%; {} for a table without such parts."""
    columns = SHARES_OF_A_WHOLE.get(name, ())
    return dict(zip(columns, whole_percents([row[column] for column in columns])))


# On the page a run of quarters is one cell named as the charts name it (period_label: "2024 Q4", "2025 H1",
# "2025"), not "from 2024 Q4 until 2024 Q4"; the files (CSV, workbook, the service's JSON) keep their two columns.
# Per table: (column of the first quarter, column of the first day after, header of the one cell).
_PAGE_PERIODS: dict[str, tuple[str, str, str]] = {"rating_periods": ("bucket", "until", "Period")}


# The items of the ``about`` table that are days: ISO (2026-09-30) in its files, "30 Sep 2026" on a page.
_ABOUT_DAYS = ("as of", "report date", "first data")


def _readable_about(about: pd.DataFrame) -> pd.DataFrame:
    """A new ``about`` table whose days read as the reports write them: ``30 Sep 2026`` (``human_date``, with
    no-break spaces, so that a day never wraps on a page)."""
    values = about["value"].astype(object)
    days = about["item"].isin(_ABOUT_DAYS) & values.astype(str).str.fullmatch(r"\d{4}-\d{2}-\d{2}")
    return about.assign(value=values.where(~days, values[days].map(lambda day: human_date(day, space=NO_BREAK))))


def about_items(about: pd.DataFrame) -> dict[str, str]:
    """The ``about`` table of :func:`hr_aggregates` as item -> value, its days as a page writes them
    (``"as of": "30 Sep 2026"``, no-break spaces between the parts)."""
    readable = _readable_about(about)
    return dict(zip(readable["item"], readable["value"]))


def _columns(name: str, formatted: bool) -> dict[str, tuple[str, str]]:
    """The columns ``present`` makes of table ``name``: on the page (``formatted``) a period in one column."""
    if not formatted or name not in _PAGE_PERIODS:
        return _COLUMNS[name]
    start, until, header = _PAGE_PERIODS[name]
    return {column: (header, "period") if column == start else spec
            for column, spec in _COLUMNS[name].items() if column != until}


def present(name: str, frame: pd.DataFrame, *, formatted: bool = True, total_label: str = "All departments",
            rows: str = "all") -> pd.DataFrame:
    """A protected table as people read it: plain headers, hidden counts as "fewer than k".

    Parameters
    ----------
    name
        The table's name (a key of :data:`TABLE_TITLES`) or ``"about"``.
    frame
        The table as :func:`hr_aggregates` returns it.
    formatted
        True: every cell as text (percentages, one decimal) for the notebook, a run of quarters named in one
        cell ("Period": "2024 Q4", "2025 H1"); False: numbers stay numbers (rounded), a run of quarters its
        first and last quarter ("From", "Until"), for CSV files.
    total_label
        What the row for all (selected) departments is called.
    rows
        ``"all"``, ``"total"`` (only the all-departments rows) or
        ``"departments"`` (only department rows).

    Returns
    -------
    pandas.DataFrame
        A new frame with readable column names; a hidden row shows its
        privacy label in the employee column and blanks elsewhere.

    Raises
    ------
    ValueError
        For an unknown table name or ``rows`` value.
    """
    if name == "about":  # on a page its days read "30 Sep 2026"; its files keep them ISO
        return _readable_about(frame).rename(columns={"item": "", "value": ""}) if formatted else frame.copy()
    if name not in _COLUMNS:
        raise ValueError(f"unknown table {name!r}; tables are: {', '.join(_COLUMNS)}")
    if rows not in ("all", "total", "departments"):
        raise ValueError(f"rows must be 'all', 'total' or 'departments', got {rows!r}")
    data = frame
    if DEPARTMENT in data.columns and rows != "all":
        mask = data[DEPARTMENT].isna()
        data = data[mask if rows == "total" else ~mask]
    visible = privacy.shown(data).to_numpy()
    wholes = [whole_share_texts(name, row) for _, row in data.iterrows()] if formatted else []
    row_parts = _row_share_texts(name, data) if formatted else []
    out = pd.DataFrame(index=range(len(data)))
    for column, (header, kind) in _columns(name, formatted).items():
        if column not in data.columns or (rows == "total" and column == DEPARTMENT):
            continue
        values = data[column].reset_index(drop=True)
        if kind == "period":
            out[header] = [period_label(start, until) for start, until in zip(values, data[_PAGE_PERIODS[name][1]])]
            continue
        if column == N:
            out[header] = privacy.display_count(data.reset_index(drop=True))
            if formatted:
                out[header] = out[header].map(lambda v: f"{v:,}" if isinstance(v, (int, np.integer)) else v)
            continue
        if column == DEPARTMENT:
            out[header] = values.astype(object).where(values.notna(), total_label)
            continue
        cells = [_cell(v, kind, formatted)
                 if (ok or kind in ("text", "quarter", "until", "months", "skill", "person_skills", "band", "coach",
                                    "any_skill"))
                 else ("" if formatted else None) for v, ok in zip(values, visible)]
        if formatted and column in SHARES_OF_A_WHOLE.get(name, ()):
            cells = [whole[column] if ok else cell for cell, whole, ok in zip(cells, wholes, visible)]
        if formatted and column == WHOLES_IN_ROWS.get(name, ((), "", ""))[2]:
            cells = [cell if part is None else part for cell, part in zip(cells, row_parts)]
        # Counts stay whole numbers beside the blanks of hidden rows (a column of numbers and None is read as
        # floats: a CSV said 1495.0 targets).
        out[header] = pd.array(cells, dtype="Int64") if kind == "int" and not formatted else cells
    return out


def _cell(value: Any, kind: str, formatted: bool) -> Any:
    missing = value is None or (not isinstance(value, str) and pd.isna(value))
    if kind == "skill":
        return "All skills" if missing else str(value)
    if kind == "person_skills":
        return ALL_SKILLS_BY_PERSON if missing else str(value)
    if kind == "any_skill":  # a person naming several skills counts once
        return "Any skill" if missing else str(value)
    if kind == "band":
        return "All" if missing else str(value)
    if kind == "coach":
        return "All coaches" if missing else str(value)
    if missing:
        return "" if formatted else None
    if kind == "quarter":
        return quarter_label(value)
    if kind == "until":  # the first day after a run of quarters: name its last quarter
        return quarter_label(pd.Timestamp(value) - pd.Timedelta(days=1))
    if kind == "months":
        return f"{int(value)} months"
    if kind == "text":
        return str(value)
    number = float(value)
    if not formatted:
        return int(round(number)) if kind == "int" else round(number, 4)
    if kind == "int":
        return f"{int(round(number)):,}"
    if kind == "pct":
        return percent(number)
    return one_decimal(number, signed=True) if kind == "signed" else rating_text(number)
