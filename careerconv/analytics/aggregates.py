"""The skill-rating tables and the entry point.

The skill-rating step (:func:`skill_rating_tables`) and the tables built from its partials (trends,
distribution, self versus coach gaps); the entry point (:func:`hr_aggregates`), which adds the tables
built part by part from the conversation records (``record_tables``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from careerconv.records import leavers
from careerconv.records.schema import CADENCE_MONTHS, COACH_ID, DATE, EMPLOYEE_ID, LEFT_ON, SKILL, STARTED_ON
from careerconv.rules import privacy
from . import record_tables
from .constants import (AS_OF_ITEM, BANDS, DEPARTMENT, HR_COLUMNS, LEFT_OUT, LEFT_OUT_ITEM, DATED_ITEM, N,
                        OPTIONAL_COLUMNS, band_labels, with_optional_columns)
from . import engine
from .engine import Drafts, dictionary
from .inputs import PART_ROWS, EmployeeParts, ParquetTable, RosterFile
from .levels import sort_departments
from .partials import RatingPartials, RosterCodes, first_date_of
from .quarters import quarter_index_of, quarter_label, quarter_starts
from .scope import ReportScope, resolve_scope
from .skills import distinct_names, skill_keys


def _hist_stats(hist: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """n, mean and median per group of a histogram (``v``, ``n``) of whole-number ratings 1-10.

    The median is the usual one (the mean of the two middle values when the
    count is even), read off cumulative counts.
    """
    columns = [*by, N, "mean", "median"]
    if hist.empty:
        return pd.DataFrame({c: [] for c in columns})
    groups = hist.groupby(by, sort=True, dropna=False).ngroup().to_numpy()
    first = hist.assign(_g=groups).drop_duplicates("_g").sort_values("_g")
    size = int(groups.max()) + 1
    counts = np.bincount(groups * 10 + hist["v"].to_numpy(dtype=np.int64) - 1,
                         weights=hist["n"].to_numpy(dtype=float), minlength=size * 10).reshape(size, 10)
    total = counts.sum(axis=1)
    values = np.arange(1, 11, dtype=float)
    cum = np.cumsum(counts, axis=1)
    lower = values[np.argmax(cum >= ((total - 1) // 2 + 1)[:, None], axis=1)]
    upper = values[np.argmax(cum >= (total // 2 + 1)[:, None], axis=1)]
    out = first.loc[:, by].reset_index(drop=True)
    out[N] = total.astype(np.int64)
    out["mean"] = (counts @ values) / np.where(total > 0, total, 1)
    out["median"] = (lower + upper) / 2
    return out.loc[out[N] > 0, columns].reset_index(drop=True)


# --------------------------------------------------------------------------- the skill-rating step


@dataclass
class SkillRatings:
    """The tables built from the skill ratings, and the skill catalogue the other tables share.

    Attributes
    ----------
    tables
        ``skill_trends``, ``department_trends``, ``rating_distribution`` and
        ``rating_gaps``, protected.
    catalogue
        :func:`skill_catalogue` of every spelling seen.
    labels
        Display label per skill id.
    public
        Ids of the skills whose names may be shown.
    """

    tables: dict[str, pd.DataFrame]
    catalogue: pd.DataFrame
    labels: pd.Series
    public: set[int]
    partials: RatingPartials | None = None
    scope: ReportScope | None = None
    departments: pd.Series | None = None  # department name per department code of the partials

    def with_neighbours(self, neighbours: Mapping[str, pd.DataFrame | None]) -> "SkillRatings":
        """The same tables with ``rating_distribution`` and ``rating_gaps`` protected by rule 2c too.

        ``neighbours`` holds, per table, its group sizes in the neighbouring reports (see
        :func:`careerconv.rules.privacy.protect`); the figures come from the partials already computed.
        """
        args = (self.partials, self.scope, self.labels, self.public, self.departments)
        tables = {**self.tables,
                  "rating_distribution": _distribution(*args, neighbours=neighbours.get("rating_distribution")),
                  "rating_gaps": _gaps(*args, neighbours=neighbours.get("rating_gaps"))}
        return replace(self, tables=tables)

    def skill_ids(self, names: pd.Series) -> pd.Series:
        """The skill id of each name (compared like :func:`careerconv.records.schema.skill_key`); NA if unknown."""
        by_key = self.__dict__.get("_by_key")
        if by_key is None:  # built once; the parts of the employees look names up on two threads
            by_key = self.__dict__["_by_key"] = dict(zip(skill_keys(self.catalogue["raw"]),
                                                         self.catalogue["skill_id"]))
        codes, uniques = distinct_names(names)
        ids = np.array([by_key.get(key, -1) for key in skill_keys(pd.Series(uniques, dtype=object))] + [-1],
                       dtype=np.int64)
        out = pd.Series(ids[codes], index=names.index, dtype="Int64")
        return out.mask(out < 0)


def skill_rating_tables(ratings: pd.DataFrame | ParquetTable, roster: pd.DataFrame | RosterFile,
                        scope: ReportScope, *, drafts: Iterable[str] = (),
                        conversations: pd.DataFrame | ParquetTable | None = None,
                        other_skill_names: pd.Series | None = None) -> SkillRatings:
    """The notebook's aggregation over the skill-rating history (the step the benchmark times).

    Parameters
    ----------
    ratings
        The ``skill_ratings`` table (in memory or as Parquet parts).
    roster
        ``employee_id`` and ``department`` of everyone on the roster, or the
        roster file itself (:class:`RosterFile`: read by the engine, never
        held as a pandas frame).
    scope
        The report (:func:`resolve_scope`).
    drafts
        Ids of draft conversations: the ratings given in them are left out.
    conversations
        The conversations table (``conversation_id``, ``employee_id``,
        ``date``, ``status``; in memory or as Parquet parts): the ratings
        given in its drafts are left out too. Passing the table rather than
        the ids lets the engine find those ratings by employee and day
        without reading the ratings' record ids (see :class:`~careerconv.analytics.engine.Drafts`).
    other_skill_names
        Skill names from other tables (targets, skills, options), so one
        catalogue covers them all.
    Returns
    -------
    SkillRatings
    """
    if isinstance(ratings, pd.DataFrame):
        ratings = with_optional_columns("skill_ratings", ratings)
    codes = RosterCodes.from_arrow(roster.table()) if isinstance(roster, RosterFile) else RosterCodes.from_frame(roster)
    drafts = Drafts(drafts, conversations, by_day=True)
    # Looked up at call time, so the benchmark can time the plain pandas reference in its place.
    catalogue, partials = engine.catalogue_and_partials(ratings, codes, drafts, scope, other_skill_names)
    labels = catalogue.drop_duplicates("skill_id").set_index("skill_id")["label"]
    public = _public_skills(partials, scope.k)
    dept_of_code = pd.Series(codes.names, index=range(len(codes.names)), dtype=object)
    trends, dept_trends = _trends(partials, scope, labels, public, dept_of_code)
    tables = {"skill_trends": trends, "department_trends": dept_trends,
              "rating_distribution": _distribution(partials, scope, labels, public, dept_of_code),
              "rating_gaps": _gaps(partials, scope, labels, public, dept_of_code)}
    return SkillRatings(tables, catalogue, labels, public, partials, scope, dept_of_code)


# --------------------------------------------------------------------------- the entry point

# The tables each part of the employees is read from, for the tables of record_tables.
_RECORD_TABLES = ("conversations", "skills", "skill_ratings", "targets", "options", "action_items", "checkins",
                  "checkin_updates")



def hr_aggregates(tables: Mapping[str, pd.DataFrame | ParquetTable], as_of: Any,
                  period: tuple[Any, Any] | None = None, departments: Iterable[str] = (),
                  k: int = privacy.DEFAULT_K, *, part_rows: int = PART_ROWS,
                  part_groups: int | None = None) -> dict[str, pd.DataFrame]:
    """Every HR table, privacy-protected, for one report.

    Parameters
    ----------
    tables
        ``roster`` (a DataFrame) and the derived tables of
        :data:`HR_COLUMNS`, each a DataFrame or a :class:`ParquetTable` left
        on disk, as :func:`load_hr_tables` returns them. Tables on disk are
        read one part of the employees at a time (:class:`EmployeeParts`).
    as_of
        Report date; the period ends with the last complete quarter on or
        before it.
    period
        ``(period_start, period_end)``; either may be None or "".
    departments
        Department names to report on (empty: all).
    k
        Minimum group size (at least 3).
    part_rows
        The most rows one part of the employees may hold when the tables are
        on disk (:class:`EmployeeParts`); the default keeps the working
        memory of a part (one at a time) to about 1 GiB, up to about 1.5
        million employees (a part is never less than a sixteenth of them).
    part_groups
        How many groups of its employees each part on disk is cut into and computed in at the same time, on as
        many threads as there are cores (:meth:`EmployeeParts.fold`; by default two for a large part, else
        one). The figures do not depend on the cores; with other groups (or parts) they may differ in their
        last bits (fractions added in another order).

    Returns
    -------
    dict of str to pandas.DataFrame
        ``about`` (what the report covers and what was left out), then the
        tables named in :data:`TABLE_TITLES`. Every table has a
        ``department`` column (missing on the row for all selected
        departments), an ``n_employees`` column of distinct employees and a
        ``privacy`` column (see :func:`careerconv.rules.privacy.protect`).

    Raises
    ------
    ValueError
        For a missing table or column, a bad date, period or department, or
        ``k`` below 3.
    """
    _check_tables(tables)
    tables = {name: with_optional_columns(name, table) if isinstance(table, pd.DataFrame) else table
              for name, table in tables.items()}
    roster = tables["roster"]
    ratings = tables["skill_ratings"]
    first = _first_date(tables)
    start, end = (period or (None, None))
    scope = resolve_scope(roster, as_of, start, end, departments, k, first_date=first)

    roster = roster.loc[:, [EMPLOYEE_ID, DEPARTMENT, COACH_ID, CADENCE_MONTHS, LEFT_ON, STARTED_ON]].copy()
    roster[DEPARTMENT] = roster[DEPARTMENT].astype(object)
    convs = tables["conversations"]
    if isinstance(convs, pd.DataFrame):
        convs = convs.assign(date=pd.to_datetime(convs[DATE]).dt.normalize())

    # The skill-rating tables and the catalogue of every skill spelling, which the other tables share.
    # Everyone on the roster, leavers too: their ratings count in their department's quarters.
    rated = skill_rating_tables(ratings, roster.drop(columns=[LEFT_ON, STARTED_ON]), scope, conversations=convs,
                                other_skill_names=_other_skill_names(tables))
    ctx = record_tables.Context(scope, rated.labels, rated.public, rated.skill_ids, rated.catalogue)
    parts = EmployeeParts({**tables, "roster": roster}, _RECORD_TABLES, part_rows, record_tables.days_read(scope),
                          record_tables.due_by(scope))
    summed = parts.fold(lambda part: record_tables.part_pieces(part, ctx), record_tables.add_pieces, part_groups)
    # The members of "who is covered": everyone here on some day of the period (not left by its first day, started
    # by its last).
    here = leavers.here_during_mask(roster, scope.start.date(), scope.as_of_day.date())
    members = roster.loc[here].groupby(DEPARTMENT, as_index=False)[EMPLOYEE_ID] \
        .nunique().rename(columns={EMPLOYEE_ID: "n"})
    records = record_tables.record_tables([summed], ctx, members)
    rated = rated.with_neighbours({name: record_tables.neighbours_of(records[name])
                                   for name in record_tables.RATING_TABLES})

    out: dict[str, pd.DataFrame] = {"overview": records["overview"]}
    out.update({name: rated.tables[name] for name in ("skill_trends", "department_trends")})
    out["rating_periods"] = records["rating_periods"]
    out["rating_distribution"] = rated.tables["rating_distribution"]
    out.update({name: records[name] for name in ("skill_growth", "target_attainment", "most_wanted_skills")})
    out["rating_gaps"] = rated.tables["rating_gaps"]
    out.update({name: records[name] for name in ("cadence_compliance", "coach_follow_through", "action_items",
                                                 "option_kinds")})
    n_unlisted = int(len(set(rated.labels.index) - rated.public))
    out = {"about": _about(scope, n_unlisted, first, len(tables.get(LEFT_OUT, ()))), **out}
    for frame in out.values():
        frame.attrs["k"] = scope.k
    return out


def _other_skill_names(tables: Mapping[str, pd.DataFrame | ParquetTable]) -> pd.Series:
    """Every spelling of a skill in the targets, skills and options (each once, in the order they come in the
    tables and their parts).

    The parts on disk are read two at a time (Arrow reads them without Python's lock).
    """
    found = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for name in ("targets", "skills", "options"):
            table = tables[name]
            if isinstance(table, ParquetTable):
                found.extend(np.asarray(names, dtype=object) for names, _ in pool.map(_spelling_counts, table.paths))
            else:
                found.append(pd.unique(table[SKILL].dropna()).astype(object))
    if not found:
        return pd.Series([], dtype=object)
    return pd.Series(pd.unique(np.concatenate(found)), dtype=object)


def _check_tables(tables: Mapping[str, Any]) -> None:
    for name, columns in HR_COLUMNS.items():
        if name not in tables:
            raise ValueError(f"table {name!r} is missing; HR analytics needs: {', '.join(HR_COLUMNS)}")
        frame = tables[name]
        if isinstance(frame, ParquetTable):
            continue
        if not isinstance(frame, pd.DataFrame):
            raise ValueError(f"table {name!r} must be a DataFrame, got {type(frame).__name__}")
        missing = [c for c in columns if c not in frame.columns and c not in OPTIONAL_COLUMNS.get(name, ())]
        if missing:
            raise ValueError(f"table {name!r} is missing column(s): {', '.join(missing)}")


def _first_date(tables: Mapping[str, Any]) -> pd.Timestamp | None:
    """The earliest date of the conversations and ratings (the default start of the period)."""
    dates = [d for d in (first_date_of(tables[name]) for name in ("conversations", "skill_ratings")) if d is not None]
    return min(dates) if dates else None


def _spelling_counts(path: Path) -> tuple[list[str], np.ndarray]:
    """The skill spellings of one Parquet part and how many rows use each."""
    import pyarrow.parquet as pq

    column = pq.read_table(path, columns=[SKILL], read_dictionary=[SKILL], use_threads=False)[SKILL]
    if not len(column):
        return [], np.zeros(0, dtype=np.int64)
    values, positions = dictionary(column)
    uses = np.bincount(positions[positions >= 0], minlength=len(values))
    return [str(v) for v in values.to_pylist()], uses.astype(np.int64)


def _public_skills(partials: RatingPartials, k: int) -> set[int]:
    """Skills whose name may be shown: self-rated by at least k employees of the organisation in one quarter.

    (A quarter's count is of distinct people; across quarters people would be counted twice, so a skill
    rated by k different people only over several quarters stays unlisted: the safe side.)
    """
    per_quarter = partials.trend_hist.groupby(["skill_id", "qi"])["n"].sum()
    if per_quarter.empty:
        return set()
    best = per_quarter.groupby(level="skill_id").max()
    return set(int(i) for i in best[best >= k].index)


# --------------------------------------------------------------------------- the tables


def _trends(partials: RatingPartials, scope: ReportScope, labels: pd.Series, public: set,
            dept_names: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    hist = partials.trend_hist[partials.trend_hist["skill_id"].isin(public)].copy()
    hist["quarter"] = quarter_starts(hist["qi"])
    hist[DEPARTMENT] = hist["dept"].map(dept_names)
    contrib = hist.groupby(["quarter", "skill_id", DEPARTMENT], as_index=False)["n"].sum()
    q0, q1 = quarter_index_of(scope.start), quarter_index_of(scope.end)
    window = hist[(hist["qi"] >= q0) & (hist["qi"] < q1) & hist[DEPARTMENT].isin(scope.selected)]
    org = _hist_stats(window, ["quarter", "skill_id"]).assign(**{DEPARTMENT: None})
    dept = _hist_stats(window, ["quarter", "skill_id", DEPARTMENT])
    cells = pd.concat([org, dept], ignore_index=True)
    protected = privacy.protect(cells, k=scope.k, keys=["quarter", "skill_id", DEPARTMENT], measures=["mean", "median"],
                                contributions=contrib, window=scope.window)
    protected.insert(1, SKILL, protected["skill_id"].map(labels))
    protected = sort_departments(protected, [SKILL, "quarter"]).drop(columns="skill_id")
    trends = protected[protected[DEPARTMENT].isna()].reset_index(drop=True)
    dept_trends = protected[protected[DEPARTMENT].notna()].reset_index(drop=True)
    return trends, dept_trends


def _distribution(partials: RatingPartials, scope: ReportScope, labels: pd.Series, public: set,
                  dept_names: pd.Series, neighbours: pd.DataFrame | None = None) -> pd.DataFrame:
    hist = partials.dist_hist[partials.dist_hist["skill_id"].isin(public)].copy()
    hist[DEPARTMENT] = hist["dept"].map(dept_names)
    hist["band"] = band_labels(hist["v"])
    total = _hist_stats(hist, ["skill_id"]).assign(**{DEPARTMENT: None, "band": None})
    by_dept = _hist_stats(hist, ["skill_id", DEPARTMENT]).assign(band=None)
    bands = hist.groupby(["skill_id", "band"], as_index=False)["n"].sum().rename(columns={"n": N})
    bands = bands.merge(total.loc[:, ["skill_id", N]].rename(columns={N: "_total"}), on="skill_id")
    bands["share"] = bands[N] / bands["_total"]
    bands = bands.drop(columns="_total").assign(**{DEPARTMENT: None, "mean": np.nan, "median": np.nan})
    cells = pd.concat([total.assign(share=1.0), by_dept.assign(share=np.nan), bands], ignore_index=True)
    # Contributions: who rated the skill in each quarter (the candidates for any band).
    trend = partials.trend_hist[partials.trend_hist["skill_id"].isin(public)]
    contrib = trend.groupby(["skill_id", "dept", "qi"], as_index=False)["n"].sum()
    contrib = contrib.assign(quarter=quarter_starts(contrib["qi"]), department=contrib["dept"].map(dept_names))
    contrib = pd.concat([contrib.assign(band=None)] + [contrib.assign(band=label) for label, _, _ in BANDS],
                        ignore_index=True)
    protected = privacy.protect(cells, k=scope.k, keys=["skill_id", "band", DEPARTMENT],
                                measures=["share", "mean", "median"], partitions=[DEPARTMENT, "band"],
                                contributions=contrib.loc[:, ["skill_id", "band", DEPARTMENT, "quarter", "n"]],
                                window=scope.window, neighbours=neighbours)
    protected.insert(0, SKILL, protected["skill_id"].map(labels))
    order = {label: i for i, (label, _, _) in enumerate(BANDS)}
    protected["_b"] = protected["band"].map(order).fillna(-1)
    protected = protected.assign(_o=protected[DEPARTMENT].notna(), _d=protected[DEPARTMENT].fillna("")) \
        .sort_values([SKILL, "_o", "_d", "_b"], kind="stable").drop(columns=["_b", "_o", "_d", "skill_id"])
    return protected.loc[:, [SKILL, DEPARTMENT, "band", N, "share", "median", "mean", privacy.PRIVACY]] \
        .reset_index(drop=True)


def _gaps(partials: RatingPartials, scope: ReportScope, labels: pd.Series, public: set,
          dept_names: pd.Series, neighbours: pd.DataFrame | None = None) -> pd.DataFrame:
    sums = pd.concat([partials.gaps[partials.gaps["skill_id"].isin(public)], partials.gaps_all], ignore_index=True)
    sums[DEPARTMENT] = sums["dept"].map(dept_names)
    org = sums.groupby("skill_id", as_index=False)[["n", "gap_sum", "n_higher", "n_lower"]].sum() \
        .assign(**{DEPARTMENT: None})
    cells = pd.concat([org, sums.drop(columns="dept")], ignore_index=True).rename(columns={"n": N})
    cells["mean_gap"] = cells["gap_sum"] / cells[N]
    cells["share_self_higher"] = cells["n_higher"] / cells[N]
    cells["share_self_lower"] = cells["n_lower"] / cells[N]
    cells = cells.loc[:, ["skill_id", DEPARTMENT, N, "mean_gap", "share_self_higher", "share_self_lower"]]
    per_skill = partials.gap_contrib
    # For "all skills" the busiest skill's count is a lower bound of the distinct people with a pair in
    # that quarter: it is 0 only when nobody had one and reaches k only when at least k did, so the
    # differencing rules stay safe with it (at worst they hide a figure that could have been shown).
    all_skills = per_skill.groupby(["dept", "qi"], as_index=False)["n"].max().assign(skill_id=-1)
    contrib = pd.concat([per_skill[per_skill["skill_id"].isin(public)], all_skills], ignore_index=True)
    contrib = contrib.assign(quarter=quarter_starts(contrib["qi"]), department=contrib["dept"].map(dept_names))
    protected = privacy.protect(cells, k=scope.k, keys=["skill_id", DEPARTMENT],
                                measures=["mean_gap", "share_self_higher", "share_self_lower"],
                                contributions=contrib.loc[:, ["skill_id", DEPARTMENT, "quarter", "n"]],
                                window=scope.window, neighbours=neighbours)
    protected.insert(0, SKILL, protected["skill_id"].map(lambda i: None if i == -1 else labels.get(i)))
    protected = protected.assign(_all=protected["skill_id"].ne(-1))
    return sort_departments(protected, ["_all", SKILL]).drop(columns=["_all", "skill_id"])


def _about(scope: ReportScope, unlisted_skills: int, first: pd.Timestamp | None, left_out: int = 0) -> pd.DataFrame:
    rows = [
        (AS_OF_ITEM, f"{scope.as_of_day:%Y-%m-%d}"),
        (DATED_ITEM, f"{pd.Timestamp(scope.as_of):%Y-%m-%d}"),  # as asked; the figures are as of the period's end
        ("period", _quarters_from_to(scope.start, scope.as_of_day)),
        ("departments", "all" if scope.departments is None else ", ".join(scope.departments)),
        ("minimum group size", str(scope.k)),
        ("skills not listed (fewer than the minimum group size rated them)", str(unlisted_skills)),
        ("first data", "none" if first is None else f"{pd.Timestamp(first):%Y-%m-%d}"),
    ]
    if left_out:
        rows.append((LEFT_OUT_ITEM, str(left_out)))
    return pd.DataFrame(rows, columns=["item", "value"])


def _quarters_from_to(start: Any, end: Any) -> str:
    """"2025 Q2 to 2026 Q1"; one quarter is named once ("2026 Q3", not "2026 Q3 to 2026 Q3")."""
    first, last = quarter_label(start), quarter_label(end)
    return first if first == last else f"{first} to {last}"
