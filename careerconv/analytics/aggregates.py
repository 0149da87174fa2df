"""The tables.

The skill-rating step (:func:`skill_rating_tables`), the entry point (:func:`hr_aggregates`) and the
builders of every table, with the helpers they share.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import cadence as C
from .. import privacy as P
from .. import progress as PR
from .. import schema as S
from ..option_kinds import KINDS, classify_options
from .constants import BANDS, DEPARTMENT, HR_COLUMNS, N, _GAIN_HORIZONS
from .engine import _check_engine, _rating_partials
from .engine_arrow import _Drafts, _arrow_skill_partials, _dictionary
from .inputs import ParquetTable, RosterFile
from .partials import RatingPartials, _Roster, _first_rating_date, _qi_of, _quarter_starts
from .scope import ReportScope, quarter_label, resolve_scope
from .skills import skill_catalogue


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


# --------------------------------------------------------------------------- helpers for the tables


def _to_quarter(dates: pd.Series) -> pd.Series:
    days = pd.to_datetime(dates).to_numpy(dtype="datetime64[M]")
    months = days.astype(np.int64)
    start = (months - months % 3).astype("datetime64[M]").astype("datetime64[ns]")
    out = pd.Series(start, index=dates.index)
    return out.where(pd.to_datetime(dates).notna().to_numpy())


def _contributions(events: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Distinct employees per (by..., department, quarter) from rows ``by..., employee_id, department, date``."""
    if events.empty:
        return pd.DataFrame({**{c: [] for c in by}, DEPARTMENT: [], "quarter": [], "n": []})
    frame = events.assign(quarter=_to_quarter(events["date"]))
    keys = [*by, DEPARTMENT, "quarter"]
    out = frame.groupby(keys, dropna=False, as_index=False)["employee_id"].nunique()
    return out.rename(columns={"employee_id": "n"})


def _levels(per_emp: pd.DataFrame, by: list[str], stats: dict[str, tuple[str, str]],
            scope: ReportScope, departments: bool = True) -> pd.DataFrame:
    """Aggregate one-row-per-employee data to the organisation row and department rows.

    ``per_emp`` has ``employee_id``, ``department``, the ``by`` columns and the
    value columns named in ``stats`` (output name -> (column, function)). The
    organisation row (department missing) covers the selected departments.
    """
    inside = per_emp[per_emp[DEPARTMENT].isin(scope.selected)]
    spec = {N: ("employee_id", "nunique"), **stats}
    parts = []
    if len(inside):
        if by:
            org = inside.groupby(by, as_index=False, dropna=False).agg(**spec)
        else:
            org = pd.DataFrame([{name: _apply(inside[col], fn) for name, (col, fn) in spec.items()}])
        org[DEPARTMENT] = None
        parts.append(org)
        if departments:
            dept = inside.groupby([*by, DEPARTMENT], as_index=False, dropna=False).agg(**spec)
            parts.append(dept)
    columns = [*by, DEPARTMENT, *spec]
    if not parts:
        return pd.DataFrame({c: [] for c in columns})
    out = pd.concat(parts, ignore_index=True).loc[:, columns]
    out[DEPARTMENT] = out[DEPARTMENT].astype(object).where(out[DEPARTMENT].notna(), None)
    return out


def _apply(values: pd.Series, fn: str) -> Any:
    return values.nunique() if fn == "nunique" else getattr(values, fn)()


def _sort_departments(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Organisation row first, then departments alphabetically, within each ``by`` group."""
    order = frame[DEPARTMENT].isna().map({True: 0, False: 1})
    return frame.assign(_o=order, _d=frame[DEPARTMENT].fillna("")).sort_values(
        [*by, "_o", "_d"], kind="stable").drop(columns=["_o", "_d"]).reset_index(drop=True)


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

    def skill_ids(self, names: pd.Series) -> pd.Series:
        """The skill id of each name (compared like :func:`careerconv.schema.skill_key`); NA if unknown."""
        by_key = dict(zip(self.catalogue["raw"].map(S.skill_key), self.catalogue["skill_id"]))
        codes, uniques = pd.factorize(pd.Series(names, dtype=object), use_na_sentinel=True)
        ids = np.array([by_key.get(S.skill_key(u), -1) for u in uniques] + [-1], dtype=np.int64)
        out = pd.Series(ids[codes], index=names.index, dtype="Int64")
        return out.mask(out < 0)


def skill_rating_tables(ratings: pd.DataFrame | ParquetTable, roster: pd.DataFrame | RosterFile,
                        scope: ReportScope, *, drafts: Iterable[str] = (),
                        conversations: pd.DataFrame | ParquetTable | None = None,
                        other_skill_names: pd.Series | None = None, engine: str = "arrow") -> SkillRatings:
    """The notebook's aggregation over the skill-rating history (the step the benchmark times).

    Parameters
    ----------
    ratings
        The ``skill_ratings`` table (in memory or as Parquet parts).
    roster
        ``employee_id`` and ``department`` of everyone on the roster, or the
        roster file itself (:class:`RosterFile`: read by the engine, never
        held as a pandas frame by the arrow and duckdb engines).
    scope
        The report (:func:`resolve_scope`).
    drafts
        Ids of draft conversations: the ratings given in them are left out.
    conversations
        The conversations table (``conversation_id``, ``employee_id``,
        ``date``, ``status``; in memory or as Parquet parts): the ratings
        given in its drafts are left out too. Passing the table rather than
        the ids lets the arrow engine find those ratings by employee and day
        without reading the ratings' record ids (see :class:`_Drafts`).
    other_skill_names
        Skill names from other tables (targets, skills, options), so one
        catalogue covers them all.
    engine
        ``"arrow"``, ``"duckdb"`` or ``"pandas"`` (see :func:`rating_partials`).

    Returns
    -------
    SkillRatings

    Raises
    ------
    ValueError
        For an unknown engine.
    """
    _check_engine(engine)
    if isinstance(roster, RosterFile):
        codes = _Roster.from_frame(roster.to_pandas()) if engine == "pandas" else _Roster.from_arrow(roster.table())
    else:
        codes = _Roster.from_frame(roster)
    drafts = _Drafts(drafts, conversations, by_day=engine == "arrow")
    if engine == "arrow":
        catalogue, partials = _arrow_skill_partials(ratings, codes, drafts, scope, other_skill_names)
    else:
        raw_skills = _raw_skill_names(ratings, other_skill_names)
        catalogue = skill_catalogue(raw_skills["raw"], raw_skills)
        partials = _rating_partials(ratings, codes, catalogue, drafts, scope, engine)
    labels = catalogue.drop_duplicates("skill_id").set_index("skill_id")["label"]
    public = _public_skills(partials, scope.k)
    dept_of_code = pd.Series(codes.names, index=range(len(codes.names)), dtype=object)
    trends, dept_trends = _trends(partials, scope, labels, public, dept_of_code)
    tables = {"skill_trends": trends, "department_trends": dept_trends,
              "rating_distribution": _distribution(partials, scope, labels, public, dept_of_code),
              "rating_gaps": _gaps(partials, scope, labels, public, dept_of_code)}
    return SkillRatings(tables, catalogue, labels, public)


# --------------------------------------------------------------------------- the entry point


def hr_aggregates(tables: Mapping[str, pd.DataFrame | ParquetTable], as_of: Any,
                  period: tuple[Any, Any] | None = None, departments: Iterable[str] = (),
                  k: int = P.DEFAULT_K, *, engine: str = "arrow") -> dict[str, pd.DataFrame]:
    """Every HR table, privacy-protected, for one report.

    Parameters
    ----------
    tables
        ``roster`` and the derived tables of :data:`HR_COLUMNS` (DataFrames,
        or a :class:`ParquetTable` for ``skill_ratings``), as
        :func:`load_hr_tables` returns them.
    as_of
        Report date; the period ends with the last complete quarter on or
        before it.
    period
        ``(period_start, period_end)``; either may be None or "".
    departments
        Department names to report on (empty: all).
    k
        Minimum group size (at least 3).
    engine
        ``"arrow"``, ``"duckdb"`` or ``"pandas"`` for the skill-rating step
        (see :func:`rating_partials`).

    Returns
    -------
    dict of str to pandas.DataFrame
        ``about`` (what the report covers and what was left out), then the
        tables named in :data:`TABLE_TITLES`. Every table has a
        ``department`` column (missing on the row for all selected
        departments), an ``n_employees`` column of distinct employees and a
        ``privacy`` column (see :func:`careerconv.privacy.protect`).

    Raises
    ------
    ValueError
        For a missing table or column, a bad date, period or department, or
        ``k`` below 3.
    """
    _check_tables(tables)
    roster = tables["roster"]
    ratings = tables["skill_ratings"]
    first = _first_date(tables)
    start, end = (period or (None, None))
    scope = resolve_scope(roster, as_of, start, end, departments, k, first_date=first)

    roster = roster.loc[:, ["employee_id", DEPARTMENT, "coach_id", "cadence_months"]].copy()
    roster[DEPARTMENT] = roster[DEPARTMENT].astype(object)
    department_of = roster.set_index("employee_id")[DEPARTMENT]

    convs = _frame(tables["conversations"])
    convs = convs.assign(date=pd.to_datetime(convs["date"]).dt.normalize())
    completed = convs[(convs["status"] == "completed") & (convs["date"] < scope.end)]
    drafts = convs.loc[convs["status"] != "completed", "conversation_id"].astype(str)
    in_period = completed[(completed["date"] >= scope.start)]
    period_ids = set(in_period["conversation_id"].astype(str))

    # Each spelling once (these tables hold a row per target, skill and option: tens of millions at scale).
    other_names = pd.Series(pd.unique(np.concatenate(
        [pd.unique(_frame(tables[name])["skill"].dropna()).astype(object) for name in ("targets", "skills", "options")])),
        dtype=object)
    rated = skill_rating_tables(ratings, roster, scope, conversations=convs, other_skill_names=other_names,
                                engine=engine)
    skill_label, public = rated.labels, rated.public

    out: dict[str, pd.DataFrame] = {}
    out["overview"] = _overview(roster, completed, tables, scope, department_of)
    out.update({name: rated.tables[name] for name in ("skill_trends", "department_trends", "rating_distribution")})

    ratings_frame = _ratings_for_progress(ratings, tables, in_period, drafts)
    targets = _frame(tables["targets"])
    targets = targets[targets["conversation_id"].astype(str).isin(period_ids)]
    progress = PR.progress_at_horizons(targets, ratings_frame, scope.as_of_day) if len(targets) else \
        pd.DataFrame({c: [] for c in PR.PROGRESS_COLUMNS})
    progress = progress.assign(department=progress["employee_id"].map(department_of),
                               skill_id=rated.skill_ids(progress["skill"]))
    out["skill_growth"] = _growth(progress, scope, skill_label, public)
    out["target_attainment"] = _attainment(progress, scope)
    out["most_wanted_skills"] = _most_wanted(tables, in_period, scope, department_of, rated, skill_label, public)
    out["rating_gaps"] = rated.tables["rating_gaps"]
    out["cadence_compliance"] = _cadence(tables, roster, scope)
    out["action_items"] = _action_items(tables, scope, department_of)
    out["option_kinds"] = _option_kinds(tables, progress, period_ids, scope, department_of)
    n_unlisted = int(len(set(skill_label.index) - public))
    out = {"about": _about(scope, n_unlisted, first), **out}
    for frame in out.values():
        frame.attrs["k"] = scope.k
    return out


def _check_tables(tables: Mapping[str, Any]) -> None:
    for name, columns in HR_COLUMNS.items():
        if name not in tables:
            raise ValueError(f"table {name!r} is missing; HR analytics needs: {', '.join(HR_COLUMNS)}")
        frame = tables[name]
        if isinstance(frame, ParquetTable):
            continue
        if not isinstance(frame, pd.DataFrame):
            raise ValueError(f"table {name!r} must be a DataFrame, got {type(frame).__name__}")
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise ValueError(f"table {name!r} is missing column(s): {', '.join(missing)}")


def _frame(value: pd.DataFrame | ParquetTable) -> pd.DataFrame:
    return value.to_pandas() if isinstance(value, ParquetTable) else value


def _first_date(tables: Mapping[str, Any]) -> pd.Timestamp | None:
    """The earliest date of the conversations and ratings (the default start of the period)."""
    dates = []
    convs = _frame(tables["conversations"])
    if len(convs):
        dates.append(pd.to_datetime(convs["date"]).min())
    first_rating = _first_rating_date(tables["skill_ratings"])
    if first_rating is not None:
        dates.append(first_rating)
    dates = [d for d in dates if not pd.isna(d)]
    return min(dates) if dates else None


def _raw_skill_names(ratings: pd.DataFrame | ParquetTable, other: pd.Series | None) -> pd.DataFrame:
    """Distinct spellings with how many ratings use them (for the label), from the ratings and ``other``."""
    if isinstance(ratings, ParquetTable):
        # Dictionary-encoded reads: each distinct spelling is decoded once per row group, counted per part.
        with ThreadPoolExecutor(max_workers=2) as pool:
            found = list(pool.map(_spelling_counts, ratings.paths))
        counts = pd.DataFrame({"raw": [s for names, _ in found for s in names],
                               "n": np.concatenate([n for _, n in found]) if found else np.zeros(0, np.int64)})
    else:
        counts = ratings["skill"].astype(object).value_counts().rename_axis("raw").reset_index(name="n")
    parts = [counts]
    if other is not None and len(other):
        parts.append(pd.DataFrame({"raw": pd.unique(pd.Series(other, dtype=object).dropna()), "n": 0}))
    both = pd.concat(parts, ignore_index=True)
    both = both[both["raw"].notna()]
    return both.groupby("raw", as_index=False)["n"].sum()


def _spelling_counts(path: Path) -> tuple[list[str], np.ndarray]:
    """The skill spellings of one Parquet part and how many rows use each."""
    import pyarrow.parquet as pq

    column = pq.read_table(path, columns=["skill"], read_dictionary=["skill"], use_threads=False)["skill"]
    if not len(column):
        return [], np.zeros(0, dtype=np.int64)
    values, positions = _dictionary(column)
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


def _ratings_for_progress(ratings: pd.DataFrame | ParquetTable, tables: Mapping[str, Any],
                          in_period: pd.DataFrame, drafts: pd.Series) -> pd.DataFrame:
    """The ratings progress needs: those of people with a conversation in the period, drafts left out."""
    people = set(in_period["employee_id"].astype(str))
    if isinstance(ratings, ParquetTable):
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        wanted = pa.array(sorted(people), type=pa.large_string())
        parts = []
        for path in ratings.paths:
            tbl = pq.read_table(path, columns=list(HR_COLUMNS["skill_ratings"]))
            parts.append(tbl.filter(pc.is_in(tbl["employee_id"], value_set=wanted)))
        frame = pa.concat_tables(parts).to_pandas() if parts else S.SKILL_RATINGS.empty()
    else:
        frame = ratings[ratings["employee_id"].astype(str).isin(people)]
    if len(drafts):  # given in a draft conversation (as in the rating engines)
        frame = frame[~(frame["record_id"].astype(str).isin(set(drafts))
                        & (frame["source"].astype(object).fillna("") != "checkin"))]
    return frame


# --------------------------------------------------------------------------- the tables


def _overview(roster: pd.DataFrame, completed: pd.DataFrame, tables: Mapping[str, Any], scope: ReportScope,
              department_of: pd.Series) -> pd.DataFrame:
    convs = completed[completed["date"] >= scope.start]
    checkins = _frame(tables["checkins"])
    ci_dates = pd.to_datetime(checkins["date"]).dt.normalize()
    checkins = checkins[(ci_dates >= scope.start) & (ci_dates < scope.end)].assign(date=ci_dates)
    per_emp = roster.loc[:, ["employee_id", DEPARTMENT]].copy()
    per_emp["met"] = per_emp["employee_id"].isin(set(convs["employee_id"]))
    per_emp["n_conv"] = per_emp["employee_id"].map(convs.groupby("employee_id").size()).fillna(0)
    per_emp["n_ci"] = per_emp["employee_id"].map(checkins.groupby("employee_id").size()).fillna(0)
    cells = _levels(per_emp, [], {"share_met": ("met", "mean"), "conversations": ("n_conv", "sum"),
                                  "checkins": ("n_ci", "sum")}, scope)
    events = pd.concat([convs.loc[:, ["employee_id", "date"]], checkins.loc[:, ["employee_id", "date"]]])
    events = events.assign(department=events["employee_id"].map(department_of)).dropna(subset=[DEPARTMENT])
    # Everyone on the roster is a member of these figures, with or without data.
    members = roster.groupby(DEPARTMENT, as_index=False)["employee_id"].nunique().rename(columns={"employee_id": "n"})
    contrib = pd.concat([_contributions(events, []), members.assign(quarter=pd.NaT)], ignore_index=True)
    protected = P.protect(cells, k=scope.k, keys=[DEPARTMENT], measures=["share_met", "conversations", "checkins"],
                          contributions=contrib, window=scope.window)
    return _sort_departments(protected, [])


def _trends(partials: RatingPartials, scope: ReportScope, labels: pd.Series, public: set,
            dept_names: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    hist = partials.trend_hist[partials.trend_hist["skill_id"].isin(public)].copy()
    hist["quarter"] = _quarter_starts(hist["qi"])
    hist[DEPARTMENT] = hist["dept"].map(dept_names)
    contrib = hist.groupby(["quarter", "skill_id", DEPARTMENT], as_index=False)["n"].sum()
    q0, q1 = _qi_of(scope.start), _qi_of(scope.end)
    window = hist[(hist["qi"] >= q0) & (hist["qi"] < q1) & hist[DEPARTMENT].isin(scope.selected)]
    org = _hist_stats(window, ["quarter", "skill_id"]).assign(**{DEPARTMENT: None})
    dept = _hist_stats(window, ["quarter", "skill_id", DEPARTMENT])
    cells = pd.concat([org, dept], ignore_index=True)
    protected = P.protect(cells, k=scope.k, keys=["quarter", "skill_id", DEPARTMENT], measures=["mean", "median"],
                          contributions=contrib, window=scope.window)
    protected.insert(1, "skill", protected["skill_id"].map(labels))
    protected = _sort_departments(protected, ["skill", "quarter"]).drop(columns="skill_id")
    trends = protected[protected[DEPARTMENT].isna()].reset_index(drop=True)
    dept_trends = protected[protected[DEPARTMENT].notna()].reset_index(drop=True)
    return trends, dept_trends


def _distribution(partials: RatingPartials, scope: ReportScope, labels: pd.Series, public: set,
                  dept_names: pd.Series) -> pd.DataFrame:
    hist = partials.dist_hist[partials.dist_hist["skill_id"].isin(public)].copy()
    hist[DEPARTMENT] = hist["dept"].map(dept_names)
    band_of = np.zeros(11, dtype=object)
    for label, low, high in BANDS:
        band_of[low:high + 1] = label
    hist["band"] = band_of[hist["v"].to_numpy(dtype=np.int64)]
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
    contrib = contrib.assign(quarter=_quarter_starts(contrib["qi"]), department=contrib["dept"].map(dept_names))
    contrib = pd.concat([contrib.assign(band=None)] + [contrib.assign(band=label) for label, _, _ in BANDS],
                        ignore_index=True)
    protected = P.protect(cells, k=scope.k, keys=["skill_id", "band", DEPARTMENT],
                          measures=["share", "mean", "median"], partitions=[DEPARTMENT, "band"],
                          contributions=contrib.loc[:, ["skill_id", "band", DEPARTMENT, "quarter", "n"]],
                          window=scope.window)
    protected.insert(0, "skill", protected["skill_id"].map(labels))
    order = {label: i for i, (label, _, _) in enumerate(BANDS)}
    protected["_b"] = protected["band"].map(order).fillna(-1)
    protected = protected.assign(_o=protected[DEPARTMENT].notna(), _d=protected[DEPARTMENT].fillna("")) \
        .sort_values(["skill", "_o", "_d", "_b"], kind="stable").drop(columns=["_b", "_o", "_d", "skill_id"])
    return protected.loc[:, ["skill", DEPARTMENT, "band", N, "share", "median", "mean", P.PRIVACY]] \
        .reset_index(drop=True)


def _growth(progress: pd.DataFrame, scope: ReportScope, labels: pd.Series, public: set) -> pd.DataFrame:
    measured = progress[progress["measured_rating"].notna() & progress["baseline"].notna()
                        & progress[DEPARTMENT].notna()].copy()
    measured["growth"] = measured["measured_rating"].astype(float) - measured["baseline"].astype(float)
    measured["skill_id"] = measured["skill_id"].where(measured["skill_id"].isin(public), -2)
    rows = []
    for skill_filter in ("each", "all"):
        part = measured if skill_filter == "each" else measured.assign(skill_id=-1)
        if skill_filter == "each":
            part = part[part["skill_id"] >= 0]
        per_emp = part.groupby(["employee_id", DEPARTMENT, "skill_id", "horizon_months"], as_index=False)[
            "growth"].mean()
        per_emp["improved"] = per_emp["growth"] > 0
        rows.append(_levels(per_emp, ["skill_id", "horizon_months"],
                            {"mean_growth": ("growth", "mean"), "median_growth": ("growth", "median"),
                             "share_improved": ("improved", "mean")}, scope))
        events = pd.concat([part.loc[:, ["employee_id", DEPARTMENT, "skill_id", "horizon_months", "t0"]]
                            .rename(columns={"t0": "date"}),
                            part.loc[:, ["employee_id", DEPARTMENT, "skill_id", "horizon_months", "measured_date"]]
                            .rename(columns={"measured_date": "date"})])
        rows.append(_contributions(events, ["skill_id", "horizon_months"]).assign(_contrib=True))
    cells = pd.concat([r for r in rows if "_contrib" not in r.columns], ignore_index=True)
    contrib = pd.concat([r for r in rows if "_contrib" in r.columns], ignore_index=True).drop(columns="_contrib")
    protected = P.protect(cells, k=scope.k, keys=["skill_id", "horizon_months", DEPARTMENT],
                          measures=["mean_growth", "median_growth", "share_improved"],
                          contributions=contrib, window=scope.window)
    protected.insert(0, "skill", protected["skill_id"].map(lambda i: None if i == -1 else labels.get(i)))
    protected = protected.assign(_all=protected["skill_id"].ne(-1))
    protected = _sort_departments(protected, ["_all", "skill", "horizon_months"]).drop(columns=["_all", "skill_id"])
    return protected.loc[:, ["skill", "horizon_months", DEPARTMENT, N, "mean_growth", "median_growth",
                             "share_improved", P.PRIVACY]]


def _attainment(progress: pd.DataFrame, scope: ReportScope) -> pd.DataFrame:
    due = progress[progress["horizon_reached"].fillna(False).astype(bool) & progress[DEPARTMENT].notna()]
    inside = due[due[DEPARTMENT].isin(scope.selected)]
    rows = []
    groups = [(None, inside)] + [(d, part) for d, part in inside.groupby(DEPARTMENT, sort=True)]
    for dept, part in groups:
        rates = PR.attainment_rate(part)
        people = part.groupby("horizon_months")["employee_id"].nunique()
        rates[N] = rates["horizon_months"].map(people).astype("int64")
        rates[DEPARTMENT] = dept
        rows.append(rates)
    columns = ["horizon_months", DEPARTMENT, N, "targets_due", "targets_measured", "targets_attained",
               "attainment_rate", "share_measured"]
    if rows:
        cells = pd.concat(rows, ignore_index=True)
        cells["share_measured"] = cells["targets_measured"] / cells["targets_due"].where(cells["targets_due"] > 0)
        cells = cells.loc[:, columns]
    else:
        cells = pd.DataFrame({c: [] for c in columns})
    events = pd.concat([due.loc[:, ["employee_id", DEPARTMENT, "horizon_months", "t0"]].rename(columns={"t0": "date"}),
                        due.loc[:, ["employee_id", DEPARTMENT, "horizon_months", "measured_date"]]
                        .rename(columns={"measured_date": "date"}).dropna(subset=["date"])])
    contrib = _contributions(events, ["horizon_months"])
    protected = P.protect(cells, k=scope.k, keys=["horizon_months", DEPARTMENT],
                          measures=["targets_due", "targets_measured", "targets_attained", "attainment_rate",
                                    "share_measured"], contributions=contrib, window=scope.window)
    return _sort_departments(protected, ["horizon_months"])


def _most_wanted(tables: Mapping[str, Any], in_period: pd.DataFrame, scope: ReportScope, department_of: pd.Series,
                 rated: "SkillRatings", labels: pd.Series, public: set) -> pd.DataFrame:
    skills = _frame(tables["skills"])
    skills = skills[skills["conversation_id"].astype(str).isin(set(in_period["conversation_id"].astype(str)))]
    skills = skills.assign(date=pd.to_datetime(skills["date"]).dt.normalize(),
                           department=skills["employee_id"].map(department_of),
                           skill_id=rated.skill_ids(skills["skill"]))
    skills = skills[skills[DEPARTMENT].notna() & skills["skill_id"].isin(public)]
    per_emp = skills.drop_duplicates(["employee_id", "skill_id"]).loc[:, ["employee_id", DEPARTMENT, "skill_id"]]
    cells = _levels(per_emp, ["skill_id"], {}, scope)
    met = in_period.assign(department=in_period["employee_id"].map(department_of))
    met = met[met[DEPARTMENT].isin(scope.selected)]
    base = {None: met["employee_id"].nunique(), **met.groupby(DEPARTMENT)["employee_id"].nunique().to_dict()}
    cells["share_of_people_met"] = cells[N] / cells[DEPARTMENT].map(lambda d: base.get(d, np.nan)).astype(float)
    contrib = _contributions(skills.loc[:, ["employee_id", DEPARTMENT, "skill_id", "date"]], ["skill_id"])
    protected = P.protect(cells, k=scope.k, keys=["skill_id", DEPARTMENT], measures=["share_of_people_met"],
                          contributions=contrib, window=scope.window)
    protected.insert(0, "skill", protected["skill_id"].map(labels))
    protected["_n"] = protected[N].astype("Float64").fillna(-1)
    org_rank = protected[protected[DEPARTMENT].isna()].set_index("skill_id")["_n"]
    protected["_rank"] = -protected["skill_id"].map(org_rank).fillna(-1)
    protected = protected.assign(_o=protected[DEPARTMENT].notna(), _d=protected[DEPARTMENT].fillna("")) \
        .sort_values(["_rank", "skill", "_o", "_d"], kind="stable")
    return protected.drop(columns=["_n", "_rank", "_o", "_d", "skill_id"]).reset_index(drop=True)


def _gaps(partials: RatingPartials, scope: ReportScope, labels: pd.Series, public: set,
          dept_names: pd.Series) -> pd.DataFrame:
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
    contrib = contrib.assign(quarter=_quarter_starts(contrib["qi"]), department=contrib["dept"].map(dept_names))
    protected = P.protect(cells, k=scope.k, keys=["skill_id", DEPARTMENT],
                          measures=["mean_gap", "share_self_higher", "share_self_lower"],
                          contributions=contrib.loc[:, ["skill_id", DEPARTMENT, "quarter", "n"]], window=scope.window)
    protected.insert(0, "skill", protected["skill_id"].map(lambda i: None if i == -1 else labels.get(i)))
    protected = protected.assign(_all=protected["skill_id"].ne(-1))
    return _sort_departments(protected, ["_all", "skill"]).drop(columns=["_all", "skill_id"])


def _cadence(tables: Mapping[str, Any], roster: pd.DataFrame, scope: ReportScope) -> pd.DataFrame:
    day = scope.as_of_day
    due_tables = {
        # Names are free text; the due list only sorts by them, so it gets the id instead.
        "roster": roster.assign(name=roster["employee_id"]),
        "conversations": _frame(tables["conversations"]),
        "checkins": _frame(tables["checkins"]),
        "action_items": _frame(tables["action_items"]),
        "checkin_updates": _frame(tables["checkin_updates"]),
    }
    due = C.due_list(due_tables, day)
    per_emp = due.loc[:, ["employee_id", DEPARTMENT]].copy()
    per_emp["conversation_overdue"] = due["conversation_status"].eq(C.OVERDUE).to_numpy()
    per_emp["never_met"] = due["conversation_status"].eq(C.NEVER_MET).to_numpy()
    per_emp["checkin_overdue"] = due["checkin_status"].eq(C.OVERDUE).to_numpy()
    per_emp["any_overdue"] = (per_emp["conversation_overdue"] | per_emp["checkin_overdue"]).to_numpy()
    stats = {name: (name, "mean") for name in ("conversation_overdue", "checkin_overdue", "any_overdue", "never_met")}
    cells = _levels(per_emp, [], stats, scope).rename(columns={name: f"share_{name}" for name in stats})
    # Each person's latest change on or before the as-of day: what a later as-of date would differ by.
    events = due.loc[:, ["last_conversation", "last_checkin", "next_conversation_due", "next_checkin_due"]]
    events = events.apply(lambda col: col.where(col <= day))
    latest = events.max(axis=1)
    contrib = _contributions(pd.DataFrame({"employee_id": due["employee_id"], DEPARTMENT: due[DEPARTMENT],
                                           "date": latest}), [])
    protected = P.protect(cells, k=scope.k, keys=[DEPARTMENT], measures=[f"share_{name}" for name in stats],
                          contributions=contrib, window=scope.window, scope=P.AS_OF)
    return _sort_departments(protected, [])


def _action_items(tables: Mapping[str, Any], scope: ReportScope, department_of: pd.Series) -> pd.DataFrame:
    states = C.action_item_states({name: _frame(tables[name]) for name in
                                   ("conversations", "action_items", "checkin_updates")}, scope.as_of_day)
    states = states[states["conversation_date"] >= scope.start]
    states = states.assign(department=states["employee_id"].map(department_of)).dropna(subset=[DEPARTMENT])
    per_item = states.assign(**{f"is_{s}": states["status"].eq(s) for s in S.ITEM_STATUSES})
    per_item["past_due"] = per_item["status"].isin(C.OPEN_ITEM_STATUSES) & (per_item["due"] < scope.as_of_day)
    # Per person first, so someone with many items weighs as one.
    cols = [f"is_{s}" for s in S.ITEM_STATUSES] + ["past_due"]
    per_emp = per_item.groupby(["employee_id", DEPARTMENT], as_index=False)[cols].mean()
    per_emp["items"] = per_emp["employee_id"].map(per_item.groupby("employee_id").size())
    stats = {f"share_{s}": (f"is_{s}", "mean") for s in S.ITEM_STATUSES}
    stats["share_open_past_due"] = ("past_due", "mean")
    stats["items"] = ("items", "sum")
    cells = _levels(per_emp, [], stats, scope)
    events = pd.concat([states.loc[:, ["employee_id", DEPARTMENT, "conversation_date"]]
                        .rename(columns={"conversation_date": "date"}),
                        states.loc[:, ["employee_id", DEPARTMENT, "status_date"]]
                        .rename(columns={"status_date": "date"}).dropna(subset=["date"])])
    contrib = _contributions(events, [])
    protected = P.protect(cells, k=scope.k, keys=[DEPARTMENT], measures=list(stats), contributions=contrib,
                          window=scope.window)
    return _sort_departments(protected, [])


def _option_kinds(tables: Mapping[str, Any], progress: pd.DataFrame, period_ids: set[str], scope: ReportScope,
                  department_of: pd.Series) -> pd.DataFrame:
    options = _frame(tables["options"])
    chosen = options[options["chosen"].fillna(False).astype(bool)
                     & options["conversation_id"].astype(str).isin(period_ids)]
    plans = pd.DataFrame({"conversation_id": chosen["conversation_id"].astype(str).to_numpy(),
                          "key": chosen["skill"].astype(object).map(S.skill_key).to_numpy(),
                          "kind": classify_options(chosen["text"], chosen["skill"]).astype(object).to_numpy()})
    del chosen  # the option texts go no further than the classifier
    plans = plans.drop_duplicates(["conversation_id", "key"])
    gains = progress[progress["horizon_months"].isin(_GAIN_HORIZONS) & progress["measured_rating"].notna()
                     & progress["baseline"].notna() & progress[DEPARTMENT].notna()].copy()
    gains["key"] = gains["skill"].astype(object).map(S.skill_key)
    gains["conversation_id"] = gains["conversation_id"].astype(str)
    gains = gains.merge(plans, on=["conversation_id", "key"], how="inner")
    gains["gain"] = gains["measured_rating"].astype(float) - gains["baseline"].astype(float)
    per_emp = gains.groupby(["employee_id", DEPARTMENT, "kind", "horizon_months"], as_index=False).agg(
        gain=("gain", "mean"), plans=("gain", "size"))
    cells = _levels(per_emp, ["kind", "horizon_months"], {"mean_gain": ("gain", "mean"),
                                                          "median_gain": ("gain", "median"),
                                                          "plans": ("plans", "sum")}, scope, departments=False)
    events = pd.concat([gains.loc[:, ["employee_id", DEPARTMENT, "kind", "horizon_months", "t0"]]
                        .rename(columns={"t0": "date"}),
                        gains.loc[:, ["employee_id", DEPARTMENT, "kind", "horizon_months", "measured_date"]]
                        .rename(columns={"measured_date": "date"})])
    contrib = _contributions(events, ["kind", "horizon_months"])
    protected = P.protect(cells, k=scope.k, keys=["kind", "horizon_months", DEPARTMENT],
                          measures=["mean_gain", "median_gain", "plans"], contributions=contrib, window=scope.window)
    order = {kind: i for i, kind in enumerate(KINDS)}
    protected = protected.assign(_k=protected["kind"].map(order)).sort_values(["horizon_months", "_k"], kind="stable")
    return protected.drop(columns="_k").reset_index(drop=True)


def _about(scope: ReportScope, unlisted_skills: int, first: pd.Timestamp | None) -> pd.DataFrame:
    rows = [
        ("as of", f"{scope.as_of_day:%Y-%m-%d}"),
        ("period", f"{quarter_label(scope.start)} to {quarter_label(scope.as_of_day)}"),
        ("departments", "all" if scope.departments is None else ", ".join(scope.departments)),
        ("minimum group size", str(scope.k)),
        ("skills not listed (fewer than the minimum group size rated them)", str(unlisted_skills)),
        ("first data", "none" if first is None else f"{pd.Timestamp(first):%Y-%m-%d}"),
    ]
    return pd.DataFrame(rows, columns=["item", "value"])
