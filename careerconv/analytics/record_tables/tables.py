"""The protected tables from the pieces of every part, added up: one ``*_table`` function per table, and
:func:`record_tables`, which runs them all."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from careerconv.records.schema import COACH_ID, HORIZON_MONTHS, SKILL
from careerconv.rules import privacy
from careerconv.rules.option_kinds import KINDS
from ..constants import DEPARTMENT, N
from ..levels import Piece, levels, no_contributions, sort_departments
from ..scope import ReportScope
from .context import Context
from .measures import (ALL_SKILLS, ATTAINMENT, ATTAINMENT_SHARES, CADENCE, COACH, GRAINS, GROWTH, ITEMS, OPTIONS,
                       OVERVIEW, PEOPLE_MET, PERIODS, RATING_TABLES, TABLES, WANTED)


def record_tables(pieces: Iterable[Mapping[str, Piece]], ctx: Context,
                  members: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The protected tables from the pieces of every part, and the pieces of :data:`RATING_TABLES`.

    The latter (one :class:`Piece` each, holding only ``neighbours``) go to the rating step's protection.

    ``members`` are the distinct employees per department on the roster who were still there during the
    period (``department, n``; :mod:`careerconv.records.leavers`): each is a member of the overview, with or
    without data.

    "Who is covered" counts the people here during the period, cadence compliance and the per-coach table those
    here on the as-of day (the due list). The two as-of tables are protected first, together
    (:func:`as_of_tables`), from what every report with this as-of day and these departments shares
    (:func:`careerconv.rules.privacy.as_of_hidden`): a period figure never decides what they hide, so two reports
    with the same end and different starts hide the same as-of cells and their union gives none of them away.
    "Who is covered" then hides every department cadence compliance hides (and whatever its own period needs).
    """
    pieces = list(pieces)
    total = {name: Piece.combine(p[name] for p in pieces) for name in (*TABLES, PEOPLE_MET, *RATING_TABLES)}
    cadence_compliance, coach_follow_through = as_of_tables(total["cadence_compliance"],
                                                            total["coach_follow_through"], ctx.scope)
    as_of_hidden = privacy.as_of_hidden(cadence_compliance, DEPARTMENT)
    overview = overview_table(total["overview"], ctx.scope, members, hide_departments=as_of_hidden)
    return {
        **{name: total[name] for name in RATING_TABLES},
        "overview": overview,
        "rating_periods": rating_periods_table(total["rating_periods"], ctx),
        "skill_growth": growth_table(total["skill_growth"], ctx),
        "target_attainment": attainment_table(total["target_attainment"], ctx.scope),
        "most_wanted_skills": most_wanted_table(total["most_wanted_skills"], total[PEOPLE_MET], ctx),
        "cadence_compliance": cadence_compliance,
        "action_items": action_items_table(total["action_items"], ctx.scope),
        "option_kinds": option_kinds_table(total["option_kinds"], ctx.scope),
        "coach_follow_through": coach_follow_through,
    }


def neighbours_of(piece: Piece) -> pd.DataFrame | None:
    """The piece's group sizes in the neighbouring reports, or None when there are none (nobody in any)."""
    return None if piece.neighbours.empty else piece.neighbours


def _contrib(piece: Piece, by: list[str]) -> pd.DataFrame:
    return no_contributions(by) if piece.contrib.empty else piece.contrib


def overview_table(piece: Piece, scope: ReportScope, members: pd.DataFrame,
                   hide_departments: frozenset = frozenset()) -> pd.DataFrame:
    """The protected "who is covered" table, hiding at least the departments in ``hide_departments`` (None: the
    organisation row), those an as-of table about the same people hides.

    Its rows count everyone here on some day of the period, so a report starting a quarter later leaves out who
    left in between (and one ending a quarter later takes in who started): the rows are compared with the reports
    sharing one edge of the period (rule 2c, the piece's ``neighbours``)."""
    cells = levels(piece, OVERVIEW, scope)
    contrib = pd.concat([_contrib(piece, []), members.assign(quarter=pd.NaT)], ignore_index=True)
    department = [None if pd.isna(d) else d for d in cells[DEPARTMENT]]
    protected = privacy.protect(cells, k=scope.k, keys=[DEPARTMENT], measures=list(OVERVIEW),
                                contributions=contrib, window=scope.window, neighbours=neighbours_of(piece),
                                also_hide=[d in hide_departments for d in department])
    return sort_departments(protected, [])


def rating_periods_table(piece: Piece, ctx: Context) -> pd.DataFrame:
    """The protected ratings by quarter, half-year and year (``grain``, ``bucket``: its first day, ``until``)."""
    scope, labels = ctx.scope, ctx.labels
    by = ["grain", "bucket", "skill_id"]
    cells = levels(piece, PERIODS, scope)
    protected = privacy.protect(cells, k=scope.k, keys=[*by, DEPARTMENT], measures=list(PERIODS),
                                contributions=_contrib(piece, by), window=scope.window, neighbours=neighbours_of(piece))
    months = dict(GRAINS)
    ends = [min(pd.Timestamp(b) + pd.DateOffset(months=months[g] - (pd.Timestamp(b).month - 1) % months[g]),
                scope.end) for g, b in zip(protected["grain"], protected["bucket"])]
    protected.insert(2, "until", pd.to_datetime(pd.Series(ends, dtype="datetime64[ns]")))
    protected.insert(3, SKILL, protected["skill_id"].map(lambda i: None if i == ALL_SKILLS else labels.get(i)))
    protected = protected.assign(_g=protected["grain"].map({g: i for i, (g, _) in enumerate(GRAINS)}),
                                 _all=protected["skill_id"].ne(ALL_SKILLS))
    protected = sort_departments(protected, ["_g", "_all", SKILL, "bucket"])
    return protected.drop(columns=["_g", "_all", "skill_id"]).reset_index(drop=True)


def growth_table(piece: Piece, ctx: Context) -> pd.DataFrame:
    """The protected growth table, all skills first."""
    scope, labels = ctx.scope, ctx.labels
    cells = levels(piece, GROWTH, scope)
    protected = privacy.protect(cells, k=scope.k, keys=["skill_id", HORIZON_MONTHS, DEPARTMENT],
                                measures=list(GROWTH), contributions=_contrib(piece, ["skill_id", HORIZON_MONTHS]),
                                window=scope.window, neighbours=neighbours_of(piece))
    protected.insert(0, SKILL, protected["skill_id"].map(lambda i: None if i == -1 else labels.get(i)))
    protected = protected.assign(_all=protected["skill_id"].ne(-1))
    protected = sort_departments(protected, ["_all", SKILL, HORIZON_MONTHS]).drop(columns=["_all", "skill_id"])
    return protected.loc[:, [SKILL, HORIZON_MONTHS, DEPARTMENT, N, *GROWTH, privacy.PRIVACY]]


def attainment_table(piece: Piece, scope: ReportScope) -> pd.DataFrame:
    """The protected target-attainment table, its rates worked out from the summed counts."""
    cells = levels(piece, ATTAINMENT, scope)
    measured = cells["targets_measured"].astype(float)
    cells["attainment_rate"] = cells["targets_attained"].astype(float) / measured.where(measured > 0)
    due = cells["targets_due"].astype(float).where(lambda d: d > 0)
    cells["share_measured"] = measured / due
    # Against every target due, so an unmeasured target is never left out of the picture.
    cells["share_reached"] = cells["targets_attained"].astype(float) / due
    cells["share_not_reached"] = (measured - cells["targets_attained"].astype(float)) / due
    window_open = cells["targets_window_open"].astype(float)
    cells["share_window_open"] = window_open / due
    cells["share_not_measured"] = (due - measured - window_open) / due
    for name in ATTAINMENT:
        cells[name] = cells[name].astype("int64")
    protected = privacy.protect(cells, k=scope.k, keys=[HORIZON_MONTHS, DEPARTMENT],
                                measures=[*ATTAINMENT, *ATTAINMENT_SHARES, "attainment_rate", "share_measured"],
                                contributions=_contrib(piece, [HORIZON_MONTHS]), window=scope.window,
                                neighbours=neighbours_of(piece))
    return sort_departments(protected, [HORIZON_MONTHS])


def most_wanted_table(piece: Piece, people_met: Piece, ctx: Context) -> pd.DataFrame:
    """The protected most-wanted skills: any skill first (``skill`` missing), then the skills, most named first,
    each with the share of the people met."""
    scope, labels = ctx.scope, ctx.labels
    cells = levels(piece, WANTED, scope)
    met = levels(people_met, {}, scope)
    base = dict(zip(met[DEPARTMENT], met[N]))
    cells["share_of_people_met"] = cells[N] / cells[DEPARTMENT].map(lambda d: base.get(d, np.nan)).astype(float)
    protected = privacy.protect(cells, k=scope.k, keys=["skill_id", DEPARTMENT],
                                measures=["share_of_people_met", *WANTED],
                                contributions=_contrib(piece, ["skill_id"]), window=scope.window,
                                neighbours=neighbours_of(piece))
    protected = _any_skill_only_as_fallback(protected)
    protected.insert(0, SKILL, protected["skill_id"].map(lambda i: None if i == ALL_SKILLS else labels.get(i)))
    protected["_n"] = protected[N].astype("Float64").fillna(-1)
    org_rank = protected[protected[DEPARTMENT].isna()].set_index("skill_id")["_n"]
    protected["_rank"] = -protected["skill_id"].map(org_rank).fillna(-1)
    protected = protected.assign(_all=protected["skill_id"].ne(ALL_SKILLS), _o=protected[DEPARTMENT].notna(),
                                 _d=protected[DEPARTMENT].fillna("")) \
        .sort_values(["_all", "_rank", SKILL, "_o", "_d"], kind="stable")
    return protected.drop(columns=["_all", "_n", "_rank", "_o", "_d", "skill_id"]).reset_index(drop=True)


def _any_skill_only_as_fallback(protected: pd.DataFrame) -> pd.DataFrame:
    """Hide a unit's "any skill" row where one of its listed skills is shown.

    People may name several skills, so "any skill" is not the sum of the skill rows; but with one skill
    shown, "any skill" minus that skill is the number who named only other skills, a group that may be
    smaller than k. The row is the page's fallback for a unit whose every skill is hidden, and only that.
    """
    is_any = protected["skill_id"].eq(ALL_SKILLS)
    unit = protected[DEPARTMENT].fillna("\0")  # the organisation's own rows have no department
    with_a_skill = set(unit[~is_any & privacy.shown(protected)])
    hide = (is_any & unit.isin(with_a_skill) & privacy.shown(protected)).to_numpy()
    if not hide.any():
        return protected
    out = protected.copy()
    for column in [c for c in out.columns if c not in ("skill_id", DEPARTMENT, privacy.PRIVACY)]:
        if column == N:
            out[column] = out[column].astype("Int64").mask(pd.Series(hide, index=out.index))
        elif pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].astype("float64").mask(pd.Series(hide, index=out.index))
    out.loc[hide, privacy.PRIVACY] = privacy.HIDDEN
    return out


def as_of_tables(cadence: Piece, coaches: Piece, scope: ReportScope) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The protected cadence-compliance and per-coach tables (figures as of a day), hiding alike what they share.

    Both count the people here on the as-of day: cadence compliance by department, the per-coach table by team. A
    department's row minus the teams shown within it would give back the teams hidden there, so the teams are
    also split by department (:func:`coach_table`: rows protected, not shown) and complementary suppression runs
    along each department's teams; a department whose coached people the per-coach table hides is hidden in
    cadence compliance too, and the reverse, until the two tables agree.

    A report filtered to some departments hides what the whole organisation's report hides (both pieces hold
    every department: :func:`_whole_organisation_hidden`), or the union of the two reports would give back what
    either hides; the figures of a team or a department as of a day are the same in both.
    """
    whole = None if scope.departments is None else _as_of_protected(cadence, coaches, scope.whole())
    cadence_hide, coach_hide = _whole_organisation_hidden(whole, scope)
    cadence_compliance, per_coach = _as_of_protected(cadence, coaches, scope, cadence_hide, coach_hide)
    return cadence_compliance, per_coach[per_coach[DEPARTMENT].isna()].reset_index(drop=True)


def _as_of_protected(cadence: Piece, coaches: Piece, scope: ReportScope, cadence_hide: frozenset = frozenset(),
                     coach_hide: frozenset = frozenset()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cadence compliance and the per-coach table with its rows by department (see :func:`as_of_tables`), hiding
    at least the departments ``cadence_hide`` and the rows ``coach_hide`` (``(coach_id, department)``, None for
    all)."""
    hide = frozenset(cadence_hide)
    while True:
        cadence_compliance = cadence_table(cadence, scope, hide_departments=hide)
        hidden = privacy.as_of_hidden(cadence_compliance, DEPARTMENT)
        per_coach = coach_table(coaches, scope, hide_departments=hidden, hide_rows=coach_hide, by_department=True)
        totals = per_coach[per_coach[COACH_ID].isna()]
        more = privacy.as_of_hidden(totals, DEPARTMENT) - hidden
        if not more:
            return cadence_compliance, per_coach
        hide = hidden | more


def _whole_organisation_hidden(whole: tuple[pd.DataFrame, pd.DataFrame] | None,
                               scope: ReportScope) -> tuple[frozenset, frozenset]:
    """What a filtered report hides because the whole organisation's report (``whole``: its two as-of tables, None
    for an unfiltered report) hides it: cadence compliance's departments, and its total unless that gives back
    none of the departments the whole organisation hides -- all of them (which its own total already gives away)
    or none; the per-coach table's rows (``(coach_id, department)``): the teams hidden, and their parts and the
    departments' totals in the report's departments. The per-coach table's "All coaches" row is hidden with
    cadence compliance's total (:func:`coach_table`)."""
    if whole is None:
        return frozenset(), frozenset()
    cadence_whole, coach_whole = whole
    selected = set(scope.selected)
    departments = privacy.as_of_hidden(cadence_whole, DEPARTMENT)
    inside = departments & selected
    if inside and (inside != departments - {None} or None in departments):
        inside = inside | {None}
    rows = set(_row_keys(coach_whole[~privacy.shown(coach_whole)]))
    teams = {coach for coach, department in rows if coach is not None and department is None}
    return frozenset(inside), frozenset(row for row in rows if row[0] in teams or row[1] in selected)


def cadence_table(piece: Piece, scope: ReportScope, hide_departments: frozenset = frozenset()) -> pd.DataFrame:
    """The protected cadence-compliance table (figures as of a day), hiding at least the departments in
    ``hide_departments`` (None: the organisation row)."""
    cells = levels(piece, CADENCE, scope)
    department = [None if pd.isna(d) else d for d in cells[DEPARTMENT]]
    protected = privacy.protect(cells, k=scope.k, keys=[DEPARTMENT], measures=list(CADENCE),
                                contributions=_contrib(piece, []), window=scope.window, scope=privacy.AS_OF,
                                also_hide=[d in hide_departments for d in department])
    return sort_departments(protected, [])


def action_items_table(piece: Piece, scope: ReportScope) -> pd.DataFrame:
    """The protected action-items table."""
    cells = levels(piece, ITEMS, scope)
    protected = privacy.protect(cells, k=scope.k, keys=[DEPARTMENT], measures=list(ITEMS),
                                contributions=_contrib(piece, []), window=scope.window, neighbours=neighbours_of(piece))
    return sort_departments(protected, [])


def coach_table(piece: Piece, scope: ReportScope, *, hide_departments: frozenset = frozenset(),
                hide_rows: frozenset = frozenset(), by_department: bool = False) -> pd.DataFrame:
    """The protected per-coach table (figures as of a day): all coaches first, then each coach's team.

    A team of fewer than k is "fewer than k"; hiding one team hides at least one more (complementary
    suppression along the coaches, whose teams split everyone who has a coach). The teams are protected split by
    department as well (rows with a department, kept only ``by_department``): along each department's teams too,
    so that a department's row of cadence compliance (the same people, with anyone without a coach) minus the
    teams shown there gives back no team hidden. Where cadence compliance hides a department (``hide_departments``;
    None: its organisation row) the teams' total there is hidden too, with enough teams that the shown ones do not
    add up to it; ``hide_rows`` are further rows to hide (``(coach_id, department)``, None for all).
    """
    cells = pd.concat([_all_coaches(piece, scope), levels(piece, COACH, scope)], ignore_index=True)
    in_department = cells[DEPARTMENT].notna().to_numpy()
    cells = pd.concat([cells[in_department], cells[~in_department]], ignore_index=True)
    in_department = np.arange(len(cells)) < in_department.sum()  # the rows by department, now first
    contrib = _contrib(piece, [COACH_ID])
    contrib = pd.concat([contrib, contrib.groupby([DEPARTMENT, "quarter"], as_index=False, dropna=False)["n"].sum()
                         .assign(**{COACH_ID: None})], ignore_index=True)
    hide = np.array([key in hide_rows or (key[0] is None and key[1] in hide_departments) for key in _row_keys(cells)],
                    dtype=bool)
    rules = dict(k=scope.k, keys=[COACH_ID, DEPARTMENT], measures=list(COACH), contributions=contrib,
                 scope=privacy.AS_OF)
    # Each department's teams first: a team hidden there is covered by another team of its department, which then
    # covers it among all coaches too (rather than a team elsewhere, whose department would need it covered). A
    # department's rows are the same in every report with this as-of day: a filter changes only what the whole
    # organisation's report hides there (``hide_rows``, from as_of_tables).
    departments = privacy.protect(cells[in_department], partitions=[COACH_ID], also_hide=hide[in_department],
                                  window=scope.whole().window, **rules)
    hide[in_department] |= ~privacy.shown(departments).to_numpy()
    protected = privacy.protect(cells, partitions=[DEPARTMENT, COACH_ID], also_hide=hide, window=scope.window,
                                **rules)
    if not by_department:
        protected = protected[protected[DEPARTMENT].isna()]
    protected = protected.assign(_o=protected[COACH_ID].notna(), _c=protected[COACH_ID].fillna(""),
                                 _d=protected[DEPARTMENT].fillna(""))
    return protected.sort_values(["_o", "_c", "_d"], kind="stable").drop(columns=["_o", "_c", "_d"]) \
        .reset_index(drop=True)


def _row_keys(frame: pd.DataFrame) -> list[tuple]:
    """Each row's ``(coach_id, department)``, None where missing (all coaches, all departments)."""
    return [tuple(None if pd.isna(v) else v for v in row)
            for row in frame.loc[:, [COACH_ID, DEPARTMENT]].itertuples(index=False)]


def _all_coaches(piece: Piece, scope: ReportScope) -> pd.DataFrame:
    """The rows for everyone who has a coach, in all and by department: the teams (disjoint) added up."""
    sums = piece.sums
    if not sums.empty:
        sums = sums.drop(columns=COACH_ID).groupby(DEPARTMENT, as_index=False, sort=False).sum()
    rows = levels(Piece([], sums), COACH, scope)
    return rows.assign(**{COACH_ID: None}).loc[:, [COACH_ID, *rows.columns]]


def option_kinds_table(piece: Piece, scope: ReportScope) -> pd.DataFrame:
    """The protected option-kinds table (organisation only), in the order of the kinds."""
    cells = levels(piece, OPTIONS, scope, departments=False)
    protected = privacy.protect(cells, k=scope.k, keys=["kind", HORIZON_MONTHS, DEPARTMENT], measures=list(OPTIONS),
                                contributions=_contrib(piece, ["kind", HORIZON_MONTHS]), window=scope.window,
                                neighbours=neighbours_of(piece))
    order = {kind: i for i, kind in enumerate(KINDS)}
    protected = protected.assign(_k=protected["kind"].map(order)).sort_values([HORIZON_MONTHS, "_k"], kind="stable")
    return protected.drop(columns="_k").reset_index(drop=True)
