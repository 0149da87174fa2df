"""Coarsening: the finest grouping of the rating trends that the minimum group size leaves readable.

On a small organisation most figures by quarter and skill concern fewer than
``k`` people and are hidden; a chart of them is mostly gaps. The page then
shows the same ratings grouped more coarsely, and says so: by half-year, by
year, and over all skills (each employee once, with the mean of their latest
ratings). :func:`readable_grouping` tries the groupings from the finest and
keeps the first that shows at least half of its figures (else the one that
shows the largest share). The figures come from ``skill_trends`` /
``department_trends`` (quarters by skill) and ``rating_periods`` (the
rest), all protected already.

The tables by skill (growth, most-wanted skills, self versus coach) have no
time axis to coarsen; where none of their skills can be shown on its own,
:func:`skill_view` shows their row over all skills (for the most-wanted skills:
anyone who chose any skill) and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from careerconv.records.schema import HORIZON_MONTHS, SKILL
from careerconv.records.numbers import percent
from careerconv.rules import privacy
from .constants import DEPARTMENT, N

# The groupings tried, finest first: (grain, per skill).
GROUPINGS = (("quarter", True), ("half-year", True), ("year", True),
             ("quarter", False), ("half-year", False), ("year", False))
READABLE_SHARE = 0.5  # a grouping is readable when it shows at least this share of its figures
_COLUMNS = ["grain", "bucket", "until", SKILL, DEPARTMENT, N, "median", "mean", privacy.PRIVACY]


@dataclass(frozen=True)
class Grouping:
    """The rating figures of one grouping, and what the page says about choosing it.

    Attributes
    ----------
    grain
        ``"quarter"``, ``"half-year"`` or ``"year"``.
    per_skill
        True: one line per skill; False: all skills together.
    figures
        ``grain, bucket, until, skill, department, n_employees, median, mean, privacy`` (``skill`` missing
        over all skills; ``until`` is the first day after the bucket).
    note
        One sentence saying how the figures are grouped and why ("" for quarters by skill when readable).
    """

    grain: str
    per_skill: bool
    figures: pd.DataFrame
    note: str

    @property
    def shown_share(self) -> float:
        """The share of the figures shown (0 when there are none)."""
        return float(privacy.shown(self.figures).mean()) if len(self.figures) else 0.0


def readable_grouping(fine: pd.DataFrame, periods: pd.DataFrame, *, departments: bool) -> Grouping:
    """The finest grouping of the rating trends that shows at least half of its figures.

    Parameters
    ----------
    fine
        ``skill_trends`` (organisation rows) or ``department_trends`` (department rows).
    periods
        ``rating_periods``.
    departments
        False: the organisation's rows; True: the departments' rows.

    Returns
    -------
    Grouping
    """
    candidates = [_grouping(grain, per_skill, fine, periods, departments) for grain, per_skill in GROUPINGS]
    chosen = next((c for c in candidates if c.figures.shape[0] and c.shown_share >= READABLE_SHARE), None)
    if chosen is None:
        chosen = max(candidates, key=lambda c: (c.shown_share, -candidates.index(c)))
    first = candidates[0]
    if chosen is first:
        return first
    hidden = int((~privacy.shown(first.figures)).sum())
    why = (f"by quarter and skill, {hidden:,} of {len(first.figures):,} figures would be hidden (groups of fewer "
           "than the minimum group size)") if len(first.figures) else "by quarter and skill there is nothing to show"
    how = f"by {chosen.grain}" + ("" if chosen.per_skill else ", over all skills")
    # The share is of the grouping shown (said so: "these figures" read as the hidden ones just counted).
    shown = f"by {chosen.grain}" + (" and skill" if chosen.per_skill else " over all skills")
    return Grouping(chosen.grain, chosen.per_skill, chosen.figures,
                    f"Shown {how}: {why}; {shown}, {percent(chosen.shown_share)} of the figures can be shown.")


def _grouping(grain: str, per_skill: bool, fine: pd.DataFrame, periods: pd.DataFrame, departments: bool) -> Grouping:
    if grain == "quarter" and per_skill:
        frame = fine.rename(columns={"quarter": "bucket"}).assign(grain="quarter")
        frame["until"] = pd.to_datetime(frame["bucket"]) + pd.DateOffset(months=3)
    else:
        frame = periods[(periods["grain"] == grain) & (periods[SKILL].notna() == per_skill)]
    frame = frame[frame[DEPARTMENT].notna() == departments]
    return Grouping(grain, per_skill, frame.loc[:, _COLUMNS].reset_index(drop=True), "")


# The tables by skill that have a row over all skills (for the most-wanted skills: anyone who chose any skill).
_ALL_SKILLS = ("skill_growth", "rating_gaps", "most_wanted_skills")


@dataclass(frozen=True)
class SkillView:
    """The organisation's figures of a table by skill that its chart draws, and what the page says about them.

    Attributes
    ----------
    per_skill
        True: one bar per skill (at least one skill can be shown); False: only the row over all skills.
    figures
        The organisation rows drawn: per skill (with the all-skills row), or the all-skills row(s) alone.
    note
        One sentence saying the figures are shown over all skills and why ("" when per skill).
    """

    per_skill: bool
    figures: pd.DataFrame
    note: str


def skill_view(name: str, table: pd.DataFrame, *, horizon: int | None = None) -> SkillView:
    """Per skill where any skill can be shown, else over all skills, saying so.

    Parameters
    ----------
    name
        ``"skill_growth"``, ``"rating_gaps"`` or ``"most_wanted_skills"``.
    table
        That protected table (organisation and department rows).
    horizon
        For ``skill_growth``: the horizon (months) of the per-skill chart; over all skills every horizon is drawn.

    Returns
    -------
    SkillView

    Raises
    ------
    ValueError
        For a table that has no row over all skills.
    """
    if name not in _ALL_SKILLS:
        raise ValueError(f"{name!r} has no row over all skills; allowed: {', '.join(_ALL_SKILLS)}")
    org = table[table[DEPARTMENT].isna()]
    every = org[org[SKILL].isna()]
    per_skill = org[org[SKILL].notna()]
    if horizon is not None:
        per_skill = per_skill[per_skill[HORIZON_MONTHS] == horizon]
    if privacy.shown(per_skill).any() or per_skill.empty:
        at = org if horizon is None else org[org[HORIZON_MONTHS] == horizon]
        return SkillView(True, at.reset_index(drop=True), "")
    k = int(table.attrs.get("k", privacy.DEFAULT_K))
    what = f"{horizon} months on, " if horizon is not None else ""
    why = privacy.why_hidden(per_skill[privacy.PRIVACY], k)
    # "would be hidden so that ...", not "would be hidden (hidden so that ...)"; a small group is said in brackets
    why = why if why.startswith("hidden ") else f"hidden ({why})"
    note = f"Shown over all skills together: {what}all {len(per_skill):,} figures by skill would be {why}."
    return SkillView(False, every.reset_index(drop=True), note)
