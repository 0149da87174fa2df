"""HR analytics: aggregate figures about skills, targets and follow-up, never about a person.

Every public function here is pure (frames in, new frames out) except the one
I/O helper, :func:`load_hr_tables`, which only *reads* the store's derived
Parquet tables. The single entry point is :func:`hr_aggregates`; it returns
the tables the HR notebook shows and ``careerconv hr-report --csv`` writes,
each already protected by :func:`careerconv.privacy.protect` (groups of fewer
than ``k`` distinct employees read "fewer than k"; see that module for the
differencing and complementary rules). Each table has a ``describe_*``
function that turns its numbers into one sentence.

What goes in
------------
The roster (only ``employee_id``, ``coach_id``, ``department``,
``cadence_months``) and the derived tables ``conversations``, ``skills``,
``skill_ratings``, ``targets``, ``options``, ``action_items``, ``checkins``
and ``checkin_updates`` — never a free-text column, with one exception:
option texts are read by :func:`careerconv.option_kinds.classify_options` and
replaced by their kind before anything is counted. Only completed
conversations count; ratings given in a draft are left out. People no longer
on the roster are left out (their department is unknown).

Periods and dates
-----------------
Everything is cut in calendar quarters (see :func:`resolve_scope`): the
period starts on the first day of the quarter holding ``period_start`` (by
default two years before its end) and ends at the end of the quarter holding
``period_end``, and never after the last complete quarter before ``as_of``. Figures "as of" a day (who is overdue, the
status of action items, progress against targets) are taken on the last day of
the period.

Skills
------
Skill names are compared like :func:`careerconv.schema.skill_key` ("sql" and
"SQL " are one skill) and shown in their most common spelling. A skill name
is typed by people, so it is shown only when at least ``k`` employees of the
whole organisation (all departments, all time up to the report) rated that
skill in one quarter; the others still count in "all skills" figures and the
number of unlisted skills is reported.

How ratings are summarised
--------------------------
Per employee, skill and quarter the *latest* self rating counts (on one day a
conversation rating wins over a check-in, which wins over an import; then the
higher rating). Because ratings are whole numbers 1–10, the rating figures
are built from additive histograms (employees per rating value), which lets
the ten-million-rating case run part by part in bounded memory
(:func:`rating_partials`): DuckDB reads each Parquet part and joins it,
NumPy reduces it; a plain pandas version of the same computation (engine
``"pandas"``) is kept for comparison (``benchmarks/bench_hr.py``) and tests.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import cadence as C
from . import privacy as P
from . import progress as PR
from . import schema as S
from .option_kinds import KINDS, classify_options
from .store import N_BUCKETS, Store

__all__ = [
    "ENGINES",
    "DEFAULT_QUARTERS",
    "BANDS",
    "HR_COLUMNS",
    "TABLE_TITLES",
    "ParquetTable",
    "ReportScope",
    "RatingPartials",
    "load_hr_tables",
    "resolve_scope",
    "quarter_label",
    "skill_catalogue",
    "rating_partials",
    "SkillRatings",
    "skill_rating_tables",
    "hr_aggregates",
    "present",
    "describe",
    "describe_overview",
    "describe_skill_trends",
    "describe_department_trends",
    "describe_rating_distribution",
    "describe_skill_growth",
    "describe_target_attainment",
    "describe_most_wanted_skills",
    "describe_rating_gaps",
    "describe_cadence_compliance",
    "describe_action_items",
    "describe_option_kinds",
    "suppression_summary",
    "describe_suppression",
    "suppression_html",
    "describe_about",
    "reading_html",
    "present_html",
    "top_skills",
]

ENGINES = ("duckdb", "pandas")
DEFAULT_QUARTERS = 8  # the default period: two years up to the as-of date
DEPARTMENT = "department"
N = P.COUNT
# Rating bands of the distribution chart: (label, lowest, highest).
BANDS: tuple[tuple[str, int, int], ...] = (("1–3", 1, 3), ("4–6", 4, 6), ("7–8", 7, 8), ("9–10", 9, 10))
_SOURCE_PRIORITY = {"conversation": 2, "checkin": 1}  # anything else (import) is 0
_GROWTH_HORIZONS = S.HORIZONS
_GAIN_HORIZONS = (6, 12)

# The only columns analytics ever reads (never a free-text column but the option text, see above).
HR_COLUMNS: dict[str, tuple[str, ...]] = {
    "roster": ("employee_id", "coach_id", "department", "cadence_months"),
    "conversations": ("conversation_id", "employee_id", "date", "status", "cadence_months", "next_due",
                      "follow_up_mode", "follow_up_every_weeks"),
    "skills": ("conversation_id", "employee_id", "date", "skill", "status"),
    "skill_ratings": ("employee_id", "date", "skill", "self_rating", "coach_rating", "source", "record_id"),
    "targets": ("employee_id", "conversation_id", "date", "skill", "baseline", "horizon_months", "target"),
    "options": ("conversation_id", "employee_id", "date", "skill", "option_no", "text", "chosen"),
    "action_items": ("conversation_id", "employee_id", "date", "item_id", "due"),
    "checkins": ("checkin_id", "employee_id", "date"),
    "checkin_updates": ("checkin_id", "employee_id", "date", "conversation_id", "item_id", "status"),
}

TABLE_TITLES: dict[str, str] = {
    "overview": "Who is covered",
    "skill_trends": "Skill ratings by quarter",
    "department_trends": "Skill ratings by quarter and department",
    "rating_distribution": "Distribution of current ratings per skill",
    "skill_growth": "Growth per skill after 6, 12 and 18 months",
    "target_attainment": "Targets reached at each horizon",
    "most_wanted_skills": "Most-wanted skills",
    "rating_gaps": "Self rating versus coach rating",
    "cadence_compliance": "Conversations and follow-ups on time",
    "action_items": "Action items",
    "option_kinds": "Which kinds of development actions go with larger gains",
}


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class ParquetTable:
    """A derived table left on disk: its Parquet parts, read lazily.

    The store splits rows into parts by employee (:func:`careerconv.store.bucket_of`),
    so no employee spans two parts; :func:`rating_partials` relies on that to
    aggregate part by part.

    Attributes
    ----------
    name
        The table's name in :data:`careerconv.schema.DERIVED_TABLES`.
    paths
        Its part files.
    """

    name: str
    paths: tuple[Path, ...]

    def to_pandas(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Read the whole table into pandas (only ``columns`` if given)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        tbl = S.table(self.name)
        wanted = list(columns) if columns is not None else tbl.names
        if not self.paths:
            return tbl.empty().loc[:, wanted]
        return pa.concat_tables([pq.read_table(p, columns=wanted) for p in self.paths]).to_pandas()

    def __len__(self) -> int:
        import pyarrow.parquet as pq

        return sum(pq.ParquetFile(p).metadata.num_rows for p in self.paths)


def load_hr_tables(data_dir: str | Path, *, refresh: bool = True,
                   lazy_ratings: bool = False) -> dict[str, pd.DataFrame | ParquetTable]:
    """Read what HR analytics needs from a data folder (the only I/O in this module).

    Parameters
    ----------
    data_dir
        The data folder.
    refresh
        Bring the derived tables up to date with the record files first
        (:meth:`careerconv.store.Store.refresh`).
    lazy_ratings
        Leave ``skill_ratings`` on disk as a :class:`ParquetTable` (for very
        large histories; the DuckDB engine reads the parts directly).

    Returns
    -------
    dict
        ``roster`` and the derived tables of :data:`HR_COLUMNS`, with only
        those columns.

    Raises
    ------
    FileNotFoundError
        If the folder or its roster does not exist.
    ValidationError
        If the roster is not valid.
    """
    store = Store(data_dir)
    if not store.root.is_dir():
        raise FileNotFoundError(f"data folder {store.root} does not exist (run `careerconv demo` first)")
    if not store.roster_path.exists():
        raise FileNotFoundError(f"{store.roster_path} does not exist: HR analytics needs the roster "
                                "(run `careerconv import roster FILE` or `careerconv demo`)")
    if refresh:
        store.refresh()
    tables: dict[str, pd.DataFrame | ParquetTable] = {
        "roster": store.roster().loc[:, list(HR_COLUMNS["roster"])]}
    for name, columns in HR_COLUMNS.items():
        if name == "roster":
            continue
        if name == "skill_ratings" and lazy_ratings:
            parts = [store.derived_dir / name / f"part-{b:02d}.parquet" for b in range(N_BUCKETS)]
            tables[name] = ParquetTable(name, tuple(p for p in parts if p.exists()))
        else:
            tables[name] = store.read_table(name, columns=list(columns), refresh=False)
    return tables


# --------------------------------------------------------------------------- scope


def _quarter_start(day: pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_label(quarter: Any) -> str:
    """``"2025 Q3"`` for any day of that quarter."""
    day = pd.Timestamp(quarter)
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class ReportScope:
    """What one HR report covers, resolved from the notebook's parameters.

    Attributes
    ----------
    start, end
        First day of the first quarter; first day after the last quarter.
    departments
        The departments the report is filtered to, or None for all.
    all_departments
        Every department on the roster.
    k
        Minimum group size.
    as_of
        The as-of date as requested.
    """

    start: pd.Timestamp
    end: pd.Timestamp
    departments: tuple[str, ...] | None
    all_departments: tuple[str, ...]
    k: int
    as_of: dt.date

    @property
    def as_of_day(self) -> pd.Timestamp:
        """The day figures are "as of": the last day of the period."""
        return self.end - pd.Timedelta(days=1)

    @property
    def selected(self) -> tuple[str, ...]:
        """The departments in the report."""
        return self.departments if self.departments is not None else self.all_departments

    @property
    def quarters(self) -> list[pd.Timestamp]:
        """First days of the quarters of the period, in order."""
        return list(pd.date_range(self.start, self.end - pd.Timedelta(days=1), freq="QS"))

    @property
    def window(self) -> P.Window:
        return P.Window(self.start, self.end, self.departments)

    def describe(self) -> str:
        """One sentence saying what the report covers."""
        first, last = quarter_label(self.start), quarter_label(self.as_of_day)
        span = first if first == last else f"{first} to {last}"
        who = "all departments" if self.departments is None else \
            ("the " + _join(self.departments) + (" department" if len(self.departments) == 1 else " departments"))
        return (f"Covers {span} for {who}, as of {self.as_of_day:%d %B %Y}; groups of fewer than {self.k} "
                "employees are not shown.")


def resolve_scope(roster: pd.DataFrame, as_of: Any, period_start: Any = None, period_end: Any = None,
                  departments: Iterable[str] = (), k: int = P.DEFAULT_K,
                  first_date: Any = None) -> ReportScope:
    """Turn the notebook's parameters into whole quarters and checked departments.

    Parameters
    ----------
    roster
        The roster (for the department names).
    as_of
        The report date (``YYYY-MM-DD`` or a date). The period ends with the
        last complete quarter on or before it (as of 2026-10-01: up to
        30 September 2026).
    period_start, period_end
        Optional dates, rounded out to whole quarters. Empty start: the
        :data:`DEFAULT_QUARTERS` quarters before the end (or from the first
        data, if later); empty end: up to ``as_of``.
    departments
        Department names to report on; empty means all.
    k
        Minimum group size (at least 3).
    first_date
        The earliest date in the data (the default period start).

    Returns
    -------
    ReportScope

    Raises
    ------
    ValueError
        For an unreadable date, a period without a complete quarter before
        ``as_of``, a department not on the roster (the message lists the
        departments there are), or ``k`` below 3.
    """
    k = P.check_k(k)
    as_of_date = _parse_day(as_of, "as_of")
    end = _quarter_start(pd.Timestamp(as_of_date) + pd.Timedelta(days=1))
    if not _blank(period_end):
        last = pd.Timestamp(_parse_day(period_end, "period_end"))
        end = min(end, _quarter_start(last) + pd.DateOffset(months=3))
    if not _blank(period_start):
        start = _quarter_start(pd.Timestamp(_parse_day(period_start, "period_start")))
    else:
        # Two years by default: long enough for trends, and its first quarter is a busy one, not the
        # thin start of the history (figures whose first quarter has few people must be hidden).
        start = end - pd.DateOffset(months=3 * DEFAULT_QUARTERS)
        if first_date is not None and not pd.isna(first_date):
            start = max(start, min(_quarter_start(pd.Timestamp(first_date)), end - pd.DateOffset(months=3)))
    if start >= end:
        raise ValueError(
            f"the period has no complete quarter: it starts {quarter_label(start)} but the last complete quarter "
            f"before as_of {as_of_date} (and period_end) is {quarter_label(end - pd.Timedelta(days=1))}")
    known = sorted({str(d) for d in roster["department"].dropna()}) if len(roster) else []
    chosen: list[str] = []
    for name in [departments] if isinstance(departments, str) else list(departments or ()):
        if _blank(name):
            continue
        text = str(name).strip()
        match = [d for d in known if d == text] or [d for d in known if d.casefold() == text.casefold()]
        if not match:
            raise ValueError(f"department {text!r} is not on the roster; departments are: "
                             f"{', '.join(known) if known else 'none (the roster is empty)'}")
        chosen.append(match[0])
    selected = tuple(sorted(set(chosen)))
    filtered = selected if selected and set(selected) != set(known) else None
    return ReportScope(pd.Timestamp(start), pd.Timestamp(end), filtered, tuple(known), k, as_of_date)


def _parse_day(value: Any, what: str) -> dt.date:
    try:
        return S.parse_date(value)
    except ValueError as exc:
        raise ValueError(f"{what} {value!r}: {exc}") from None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or \
        (not isinstance(value, (str, list, tuple)) and pd.isna(value))


# --------------------------------------------------------------------------- skills


def skill_catalogue(raw_names: pd.Series, employees_per_skill: pd.DataFrame | None = None) -> pd.DataFrame:
    """Map every spelling of a skill to one skill and its display label.

    Parameters
    ----------
    raw_names
        Skill names as written (duplicates allowed).
    employees_per_skill
        Optional frame ``raw``, ``n`` (how many people used each spelling) to
        pick the most common spelling as the label; otherwise the first
        spelling in sorted order.

    Returns
    -------
    pandas.DataFrame
        Columns ``raw`` (each distinct spelling), ``skill_id`` (0..m-1, one per
        skill) and ``label``.
    """
    raw = pd.Series(pd.unique(pd.Series(raw_names, dtype=object).dropna()), dtype=object)
    keys = raw.map(S.skill_key)
    frame = pd.DataFrame({"raw": raw, "key": keys})
    frame = frame[frame["key"] != ""]
    if employees_per_skill is not None and len(employees_per_skill):
        weight = employees_per_skill.groupby("raw")["n"].sum()
        frame["weight"] = frame["raw"].map(weight).fillna(0)
    else:
        frame["weight"] = 0
    frame["clean"] = frame["raw"].map(lambda s: " ".join(str(s).split()))
    best = frame.sort_values(["key", "weight", "clean"], ascending=[True, False, True], kind="stable") \
        .drop_duplicates("key")
    ids = {key: i for i, key in enumerate(sorted(best["key"]))}
    label = dict(zip(best["key"], best["clean"]))
    return pd.DataFrame({"raw": frame["raw"].to_numpy(dtype=object),
                         "skill_id": frame["key"].map(ids).to_numpy(dtype=np.int64),
                         "label": frame["key"].map(label).to_numpy(dtype=object)}).reset_index(drop=True)


# --------------------------------------------------------------------------- the rating engine


@dataclass
class RatingPartials:
    """Additive summaries of the skill ratings; everything else is computed from these.

    Attributes
    ----------
    trend_hist
        ``skill_id, dept, qi, v, n``: employees whose latest self rating of the
        skill in quarter ``qi`` was ``v`` (all departments, every quarter up to
        the end of the period).
    dist_hist
        ``skill_id, dept, v, n``: employees whose latest self rating of the
        skill in the period was ``v`` (selected departments).
    gaps
        ``skill_id, dept, n, gap_sum, n_higher, n_lower``: per skill and
        department, employees with a self and a coach rating of the skill in
        the period, the sum of their mean (self - coach) gaps and how many rate
        themselves higher / lower (selected departments).
    gaps_all
        The same over all skills (``skill_id`` = -1).
    gap_contrib
        ``skill_id, dept, qi, n``: employees with a self and coach rating pair
        of the skill per quarter (all departments, every quarter).
    """

    trend_hist: pd.DataFrame
    dist_hist: pd.DataFrame
    gaps: pd.DataFrame
    gaps_all: pd.DataFrame
    gap_contrib: pd.DataFrame

    def __add__(self, other: "RatingPartials") -> "RatingPartials":
        """The summaries of two disjoint sets of employees together."""
        return _sum_partials([self, other])


def _qi(dates: pd.Series | np.ndarray) -> np.ndarray:
    """Quarter index (year * 4 + quarter - 1) of each date."""
    months = np.asarray(dates, dtype="datetime64[M]").astype(np.int64)  # months since 1970-01
    return (months // 3 + 1970 * 4).astype(np.int64)


def _qi_start(qi: Any) -> pd.Timestamp:
    qi = int(qi)
    return pd.Timestamp(qi // 4, 3 * (qi % 4) + 1, 1)


def _qi_of(day: pd.Timestamp) -> int:
    return int(day.year * 4 + (day.month - 1) // 3)


def rating_partials(ratings: pd.DataFrame | ParquetTable, roster_codes: pd.DataFrame, catalogue: pd.DataFrame,
                    drafts: Iterable[str], scope: ReportScope, engine: str = "duckdb") -> RatingPartials:
    """Summarise the skill ratings into :class:`RatingPartials` (the heavy step).

    Engines (chosen on measurement, see ``benchmarks/bench_hr.py``):

    ``"duckdb"``
        Part by part (the store's Parquet parts hold disjoint employees, so
        partial results add up; a frame in memory is one part), DuckDB reads
        the columns, joins the roster and the skill catalogue and turns each
        rating into three integers: a key for (employee, skill, quarter), an
        ordering code and a packed self-minus-coach gap. NumPy then sorts the
        keys (they arrive nearly sorted, employee by employee) and reduces the
        runs: per employee, skill and quarter, then per employee and skill.
        Grouping the same way inside DuckDB took about twice the CPU (hash
        tables with millions of groups), and memory stays at one part.
    ``"pandas"``
        The plain pandas version of the same computation on the whole table.

    Parameters
    ----------
    ratings
        The ``skill_ratings`` table, in memory or as Parquet parts.
    roster_codes
        ``employee_id, emp, dept, department``: a number per employee
        (0..n-1) and per department (0..m-1).
    catalogue
        :func:`skill_catalogue` of the rated skills.
    drafts
        Ids of draft conversations (their ratings are left out).
    scope
        The report's period and departments.
    engine
        ``"duckdb"`` or ``"pandas"``.

    Returns
    -------
    RatingPartials

    Raises
    ------
    ValueError
        For an unknown engine.
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    selected_codes = _selected_codes(roster_codes, scope)
    drafts = sorted({str(d) for d in drafts})
    if engine == "pandas":
        frame = ratings.to_pandas(list(HR_COLUMNS["skill_ratings"])) if isinstance(ratings, ParquetTable) \
            else ratings
        return _partials_pandas(frame, roster_codes, catalogue, set(drafts), scope, selected_codes)
    first = _first_rating_date(ratings)
    if first is None or not len(roster_codes) or not len(catalogue):
        return _empty_partials()
    layout = _KeyLayout(skills=int(catalogue["skill_id"].max()) + 1, q0=min(_qi_of(first), _qi_of(scope.start)),
                        q_end=_qi_of(scope.end), employees=int(roster_codes["emp"].max()) + 1,
                        departments=int(roster_codes["dept"].max()) + 1)
    dept_of_emp = np.zeros(layout.employees, dtype=np.int64)
    dept_of_emp[roster_codes["emp"].to_numpy(dtype=np.int64)] = roster_codes["dept"].to_numpy(dtype=np.int64)
    selected = np.zeros(layout.departments, dtype=bool)
    selected[list(selected_codes)] = True
    import duckdb

    # Employee ids -> numbers: one hash index of the roster, then each part looks up only its own
    # employees (joining the whole roster in every part's query would rebuild a hash table of everyone
    # sixteen times).
    first_day = int((_qi_start(layout.q0) - pd.Timestamp(0)).days)
    every_day = pd.date_range(_qi_start(layout.q0), scope.end, freq="D", inclusive="left")
    quarter_of_day = (_qi(every_day.to_numpy()) - layout.q0).astype(np.int64)
    roster_index = pd.Index(roster_codes["employee_id"].astype(object).to_numpy())
    roster_emp = roster_codes["emp"].to_numpy(dtype=np.int64)
    # One DuckDB thread per query and two parts at a time measured best on two cores (DuckDB runs a
    # one-file query on one thread anyway; two threads per query only contended with the other part).
    con = duckdb.connect(config={"threads": 1})
    try:
        for name, frame in {"skill_map": catalogue.loc[:, ["raw", "skill_id"]],
                            "drafts": pd.DataFrame({"conversation_id": pd.Series(drafts, dtype=object)})}.items():
            con.register(f"{name}_frame", frame)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_frame")
            con.unregister(f"{name}_frame")
        sql = _RATING_SQL.format(ns=layout.skills, end=scope.end.strftime("%Y-%m-%d"),
                                 # an anti-join costs a fifth of "NOT IN (subquery)" here (measured)
                                 drafts="ANTI JOIN drafts d ON r.record_id = d.conversation_id" if drafts else "")

        def one_part(source: pd.DataFrame | Path) -> RatingPartials:
            cursor = con.cursor()
            try:
                ids = _part_employee_ids(source)
                emp = roster_index.get_indexer(ids)
                known = emp >= 0
                cursor.register("part_roster", pd.DataFrame({"employee_id": ids[known],
                                                             "emp": roster_emp[emp[known]]}))
                if isinstance(source, pd.DataFrame):
                    cursor.register("part_ratings", source.loc[:, list(HR_COLUMNS["skill_ratings"])])
                    relation = "part_ratings"
                else:
                    relation = f"read_parquet({_sql_string(str(source))})"
                columns = cursor.execute(sql.replace("{source}", relation)).fetchnumpy()
            finally:
                cursor.close()
            days = np.asarray(columns["day"], dtype=np.int64)
            key = np.asarray(columns["ek"], dtype=np.int64) * layout.quarters + quarter_of_day[days - first_day]
            return _reduce_ratings(key, np.asarray(columns["code"], dtype=np.int64),
                                   np.asarray(columns["gp"], dtype=np.int64), layout, scope, dept_of_emp, selected)

        sources = list(ratings.paths) if isinstance(ratings, ParquetTable) else [ratings]
        # Two parts at a time (two cores): DuckDB and NumPy release the GIL while they work.
        with ThreadPoolExecutor(max_workers=min(2, len(sources)) or 1) as pool:
            parts = list(pool.map(one_part, sources))
        return _sum_partials(parts)
    finally:
        con.close()


def _part_employee_ids(source: pd.DataFrame | Path) -> np.ndarray:
    """The distinct employee ids of one part (from the Parquet dictionaries: no string is hashed twice)."""
    if isinstance(source, pd.DataFrame):
        return pd.unique(source["employee_id"].astype(object).dropna().to_numpy())
    import pyarrow.parquet as pq

    column = pq.read_table(source, columns=["employee_id"], read_dictionary=["employee_id"])["employee_id"]
    values = [chunk.dictionary.to_numpy(zero_copy_only=False) for chunk in column.chunks]
    return pd.unique(np.concatenate(values)) if values else np.array([], dtype=object)


# One row per rating: ek = emp * skills + skill_id; day (days since 1970); code orders a person's ratings of
# a skill (day, then source: conversation > check-in > import, then the rating itself, which is
# code % 10 + 1; -1 without a self rating); gp packs a self-coach pair as 2^20 + (self - coach) + 9 so one
# sum carries both the number of pairs and the sum of gaps (0 without a pair). The calendar quarter is
# looked up from the day in NumPy (cheaper than DuckDB's date functions per row).
_RATING_SQL = """
    SELECT ro.emp * {ns} + sm.skill_id AS ek,
           CAST(epoch_us(r.date) // 86400000000 AS BIGINT) AS day,
           COALESCE((epoch_us(r.date) // 86400000000) * 100
                    + (CASE r.source WHEN 'conversation' THEN 2 WHEN 'checkin' THEN 1 ELSE 0 END) * 10
                    + r.self_rating - 1, -1) AS code,
           COALESCE(CAST(1048576 + r.self_rating - r.coach_rating + 9 AS BIGINT), 0) AS gp
    FROM {{source}} r
    JOIN part_roster ro ON r.employee_id = ro.employee_id
    JOIN skill_map sm ON r.skill = sm.raw
    {drafts}
    WHERE r.date < TIMESTAMP '{end}'
"""
_PAIR = 1 << 20


@dataclass(frozen=True)
class _KeyLayout:
    """How (employee, skill, quarter) is packed into one integer."""

    skills: int
    q0: int  # the first quarter index in the data
    q_end: int  # the period's end (exclusive)
    employees: int
    departments: int

    @property
    def quarters(self) -> int:
        return max(self.q_end - self.q0, 1)


def _first_rating_date(ratings: pd.DataFrame | ParquetTable) -> pd.Timestamp | None:
    if isinstance(ratings, ParquetTable):
        dates = _parquet_min_dates(ratings.paths)
        return min(dates) if dates else None
    if not len(ratings):
        return None
    first = pd.to_datetime(ratings["date"]).min()
    return None if pd.isna(first) else pd.Timestamp(first)


def _parquet_min_dates(paths: Sequence[Path]) -> list[pd.Timestamp]:
    """The smallest ``date`` of every row group, from the Parquet statistics (no data is read)."""
    import pyarrow.parquet as pq

    dates = []
    for path in paths:
        meta = pq.ParquetFile(path).metadata
        if "date" not in meta.schema.names:
            continue
        column = meta.schema.names.index("date")
        for g in range(meta.num_row_groups):
            stats = meta.row_group(g).column(column).statistics
            if stats is not None and stats.has_min_max:
                dates.append(pd.Timestamp(stats.min))
    return dates


def _runs(sorted_keys: np.ndarray) -> np.ndarray:
    """Start of each run of equal values in a sorted array."""
    if not len(sorted_keys):
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])


def _counts(index: np.ndarray, size: int, weights: np.ndarray | None = None) -> np.ndarray:
    return np.bincount(index, weights=weights, minlength=size) if len(index) else np.zeros(size)


def _reduce_ratings(key: np.ndarray, code: np.ndarray, gp: np.ndarray, layout: _KeyLayout, scope: ReportScope,
                    dept_of_emp: np.ndarray, selected: np.ndarray) -> RatingPartials:
    """The partial summaries of one part's ratings (see :func:`rating_partials`)."""
    nq, ns, nd = layout.quarters, layout.skills, layout.departments
    # Keep the period's end: a rating dated after it would carry a quarter offset >= nq.
    order = np.argsort(key, kind="stable")
    k = key[order]
    starts = _runs(k)
    gk = k[starts]  # one per employee, skill and quarter
    best = np.maximum.reduceat(code[order], starts) if len(starts) else np.zeros(0, dtype=np.int64)
    pairs = np.add.reduceat(gp[order], starts) if len(starts) else np.zeros(0, dtype=np.int64)
    emp, skill, qoff = gk // (nq * ns), (gk // nq) % ns, gk % nq
    dept = dept_of_emp[emp]
    rated = best >= 0
    value = best % 10  # rating - 1
    out = {}
    cell = ((skill * nd + dept) * nq + qoff)
    hist = _counts((cell * 10 + value)[rated], ns * nd * nq * 10)
    idx = np.flatnonzero(hist)
    out["trend_hist"] = pd.DataFrame({"skill_id": idx // 10 // nq // nd, "dept": idx // 10 // nq % nd,
                                      "qi": idx // 10 % nq + layout.q0, "v": idx % 10 + 1, "n": hist[idx]})
    with_pairs = pairs > 0
    hist = _counts(cell[with_pairs], ns * nd * nq)
    idx = np.flatnonzero(hist)
    out["gap_contrib"] = pd.DataFrame({"skill_id": idx // nq // nd, "dept": idx // nq % nd, "qi": idx % nq + layout.q0,
                                       "n": hist[idx]})
    # Per employee and skill within the period and the selected departments (keys stay sorted).
    w0, w1 = _qi_of(scope.start) - layout.q0, _qi_of(scope.end) - layout.q0
    inside = (qoff >= w0) & (qoff < w1) & selected[dept]
    ek = gk[inside] // nq
    e_starts = _runs(ek)
    e_key = ek[e_starts]
    e_best = np.maximum.reduceat(best[inside], e_starts) if len(e_starts) else np.zeros(0, dtype=np.int64)
    e_pairs = np.add.reduceat(pairs[inside], e_starts) if len(e_starts) else np.zeros(0, dtype=np.int64)
    e_emp, e_skill = e_key // ns, e_key % ns
    e_dept = dept_of_emp[e_emp]
    has = e_best >= 0
    hist = _counts(((e_skill * nd + e_dept) * 10 + e_best % 10)[has], ns * nd * 10)
    idx = np.flatnonzero(hist)
    out["dist_hist"] = pd.DataFrame({"skill_id": idx // 10 // nd, "dept": idx // 10 % nd, "v": idx % 10 + 1,
                                     "n": hist[idx]})
    n_pairs = e_pairs // _PAIR
    gap_total = e_pairs % _PAIR - 9 * n_pairs
    some = n_pairs > 0
    group = (e_skill * nd + e_dept)[some]
    out["gaps"] = _gap_frame(group, gap_total[some], n_pairs[some], ns * nd, nd, skill_of=lambda i: i // nd)
    # Per employee over all skills (keys sorted by employee first).
    p_emp = e_emp[some]
    p_starts = _runs(p_emp)
    emp_total = np.add.reduceat(gap_total[some], p_starts) if len(p_starts) else np.zeros(0, dtype=np.int64)
    emp_pairs = np.add.reduceat(n_pairs[some], p_starts) if len(p_starts) else np.zeros(0, dtype=np.int64)
    out["gaps_all"] = _gap_frame(dept_of_emp[p_emp[p_starts]], emp_total, emp_pairs, nd, nd, skill_of=lambda i: -1)
    return _typed_partials(out)


def _gap_frame(group: np.ndarray, total: np.ndarray, pairs: np.ndarray, size: int, nd: int, skill_of) -> pd.DataFrame:
    mean = total / np.maximum(pairs, 1)
    n = _counts(group, size)
    idx = np.flatnonzero(n)
    return pd.DataFrame({"skill_id": skill_of(idx), "dept": idx % nd, "n": n[idx],
                         "gap_sum": _counts(group, size, mean)[idx],
                         "n_higher": _counts(group[total > 0], size)[idx],
                         "n_lower": _counts(group[total < 0], size)[idx]})


def _sum_partials(parts: list[RatingPartials]) -> RatingPartials:
    """Add up partial summaries of disjoint sets of employees."""
    if not parts:
        return _empty_partials()
    if len(parts) == 1:
        return parts[0]
    merged = {}
    for name, columns in _PARTIAL_COLUMNS.items():
        both = pd.concat([getattr(p, name) for p in parts], ignore_index=True)
        keys = [c for c in columns if c in ("skill_id", "dept", "qi", "v")]
        merged[name] = both.groupby(keys, as_index=False, sort=True).sum()
    return _typed_partials(merged)


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _selected_codes(roster_codes: pd.DataFrame, scope: ReportScope) -> set[int]:
    wanted = set(scope.selected)
    names = roster_codes.drop_duplicates("dept").set_index("dept")[DEPARTMENT]
    return {int(code) for code, name in names.items() if name in wanted}


_PARTIAL_COLUMNS = {
    "trend_hist": ["skill_id", "dept", "qi", "v", "n"], "dist_hist": ["skill_id", "dept", "v", "n"],
    "gaps": ["skill_id", "dept", "n", "gap_sum", "n_higher", "n_lower"],
    "gaps_all": ["skill_id", "dept", "n", "gap_sum", "n_higher", "n_lower"],
    "gap_contrib": ["skill_id", "dept", "qi", "n"],
}


def _typed_partials(frames: dict[str, pd.DataFrame]) -> RatingPartials:
    out = {}
    for name, columns in _PARTIAL_COLUMNS.items():
        frame = frames[name].loc[:, columns].copy()
        for column in columns:
            frame[column] = frame[column].astype("float64" if column == "gap_sum" else "int64")
        keys = [c for c in columns if c in ("skill_id", "dept", "qi", "v")]
        out[name] = frame.sort_values(keys).reset_index(drop=True)
    return RatingPartials(**out)


def _empty_partials() -> RatingPartials:
    return _typed_partials({name: pd.DataFrame({c: [] for c in cols}) for name, cols in _PARTIAL_COLUMNS.items()})


def _partials_pandas(ratings: pd.DataFrame, roster_codes: pd.DataFrame, catalogue: pd.DataFrame,
                     drafts: set[str], scope: ReportScope, selected: set[int]) -> RatingPartials:
    r = ratings.loc[:, ["employee_id", "date", "skill", "self_rating", "coach_rating", "source", "record_id"]]
    dates = pd.to_datetime(r["date"])
    keep = (dates < scope.end).to_numpy() & (r["self_rating"].notna() | r["coach_rating"].notna()).to_numpy()
    if drafts:
        keep &= ~r["record_id"].isin(drafts).to_numpy()
    r = r.loc[keep]
    dates = dates[keep]
    codes = roster_codes.set_index("employee_id")
    skill_ids = catalogue.set_index("raw")["skill_id"]
    x = pd.DataFrame({
        "emp": r["employee_id"].map(codes["emp"]), "dept": r["employee_id"].map(codes["dept"]),
        "skill_id": r["skill"].astype(object).map(skill_ids),
        "s": r["self_rating"].astype("Float64").to_numpy(dtype=float, na_value=np.nan),
        "c": r["coach_rating"].astype("Float64").to_numpy(dtype=float, na_value=np.nan),
        "prio": r["source"].astype(object).map(_SOURCE_PRIORITY).fillna(0).to_numpy(dtype=np.int64),
    })
    x = x[x["emp"].notna() & x["skill_id"].notna()]
    dates = dates.loc[x.index]
    x = x.astype({"emp": np.int64, "dept": np.int64, "skill_id": np.int64})
    days = dates.to_numpy(dtype="datetime64[D]")
    x["qi"] = _qi(days)
    # The same ordering code as the DuckDB engine: day, then source, then the rating (code % 10 + 1).
    x["code"] = np.where(np.isnan(x["s"]), np.nan, days.astype(np.int64) * 100 + x["prio"] * 10 + x["s"] - 1)
    both = ~np.isnan(x["s"]) & ~np.isnan(x["c"])
    x["gsum"] = np.where(both, x["s"] - x["c"], 0.0)
    x["gn"] = both.astype(np.int64)
    pq = x.groupby(["emp", "dept", "skill_id", "qi"], as_index=False, sort=False).agg(
        code=("code", "max"), gsum=("gsum", "sum"), gn=("gn", "sum"))
    rated = pq[pq["code"].notna()].copy()
    rated["v"] = (rated["code"].astype(np.int64) % 10 + 1)
    out = {}
    out["trend_hist"] = rated.groupby(["skill_id", "dept", "qi", "v"], as_index=False).size().rename(
        columns={"size": "n"})
    q_start, q_end = _qi_of(scope.start), _qi_of(scope.end)
    in_period = (pq["qi"] >= q_start) & (pq["qi"] < q_end) & pq["dept"].isin(selected)
    w = rated[in_period.loc[rated.index]]
    latest = w.groupby(["emp", "dept", "skill_id"], as_index=False)["code"].max()
    latest["v"] = latest["code"].astype(np.int64) % 10 + 1
    out["dist_hist"] = latest.groupby(["skill_id", "dept", "v"], as_index=False).size().rename(columns={"size": "n"})
    pairs = pq[in_period & (pq["gn"] > 0)]
    per_skill = pairs.groupby(["emp", "dept", "skill_id"], as_index=False)[["gsum", "gn"]].sum()
    per_skill["g"] = per_skill["gsum"] / per_skill["gn"]
    out["gaps"] = _gap_sums(per_skill, ["skill_id", "dept"])
    per_emp = pairs.groupby(["emp", "dept"], as_index=False)[["gsum", "gn"]].sum()
    per_emp["g"] = per_emp["gsum"] / per_emp["gn"]
    per_emp["skill_id"] = -1
    out["gaps_all"] = _gap_sums(per_emp, ["skill_id", "dept"])
    any_pairs = pq[pq["gn"] > 0]
    out["gap_contrib"] = any_pairs.groupby(["skill_id", "dept", "qi"], as_index=False).size().rename(
        columns={"size": "n"})
    return _typed_partials(out)


def _gap_sums(per: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    per = per.assign(higher=(per["g"] > 0).astype(np.int64), lower=(per["g"] < 0).astype(np.int64))
    return per.groupby(by, as_index=False).agg(n=("g", "size"), gap_sum=("g", "sum"), n_higher=("higher", "sum"),
                                               n_lower=("lower", "sum"))


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


def skill_rating_tables(ratings: pd.DataFrame | ParquetTable, roster: pd.DataFrame, scope: ReportScope, *,
                        drafts: Iterable[str] = (), other_skill_names: pd.Series | None = None,
                        engine: str = "duckdb") -> SkillRatings:
    """The notebook's aggregation over the skill-rating history (the step the benchmark times).

    Parameters
    ----------
    ratings
        The ``skill_ratings`` table (in memory or as Parquet parts).
    roster
        ``employee_id`` and ``department`` of everyone on the roster.
    scope
        The report (:func:`resolve_scope`).
    drafts
        Ids of draft conversations (their ratings are left out).
    other_skill_names
        Skill names from other tables (targets, skills, options), so one
        catalogue covers them all.
    engine
        ``"duckdb"`` or ``"pandas"`` (see :func:`rating_partials`).

    Returns
    -------
    SkillRatings

    Raises
    ------
    ValueError
        For an unknown engine.
    """
    departments = roster[DEPARTMENT].astype(object)
    dept_names = sorted(departments.dropna().unique())
    dept_code = {name: i for i, name in enumerate(dept_names)}
    roster_codes = pd.DataFrame({"employee_id": roster["employee_id"].astype(object).to_numpy(),
                                 "emp": np.arange(len(roster), dtype=np.int64),
                                 "dept": departments.map(dept_code).to_numpy(dtype=np.int64),
                                 DEPARTMENT: departments.to_numpy(dtype=object)})
    raw_skills = _raw_skill_names(ratings, other_skill_names)
    catalogue = skill_catalogue(raw_skills["raw"], raw_skills)
    partials = rating_partials(ratings, roster_codes, catalogue, drafts, scope, engine=engine)
    labels = catalogue.drop_duplicates("skill_id").set_index("skill_id")["label"]
    public = _public_skills(partials, scope.k)
    dept_of_code = pd.Series(dept_names, index=range(len(dept_names)), dtype=object)
    trends, dept_trends = _trends(partials, scope, labels, public, dept_of_code)
    tables = {"skill_trends": trends, "department_trends": dept_trends,
              "rating_distribution": _distribution(partials, scope, labels, public, dept_of_code),
              "rating_gaps": _gaps(partials, scope, labels, public, dept_of_code)}
    return SkillRatings(tables, catalogue, labels, public)


# --------------------------------------------------------------------------- the entry point


def hr_aggregates(tables: Mapping[str, pd.DataFrame | ParquetTable], as_of: Any,
                  period: tuple[Any, Any] | None = None, departments: Iterable[str] = (),
                  k: int = P.DEFAULT_K, *, engine: str = "duckdb") -> dict[str, pd.DataFrame]:
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
        ``"duckdb"`` or ``"pandas"`` for the skill-rating step.

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

    other_names = pd.concat([_frame(tables[name])["skill"].astype(object) for name in ("targets", "skills", "options")],
                            ignore_index=True)
    rated = skill_rating_tables(ratings, roster, scope, drafts=drafts, other_skill_names=other_names, engine=engine)
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
        import pyarrow.parquet as pq

        # Dictionary-encoded reads: each distinct spelling is decoded once per row group.
        frames = []
        for path in ratings.paths:
            column = pq.read_table(path, columns=["skill"], read_dictionary=["skill"])["skill"]
            for chunk in column.chunks:
                uses = np.bincount(chunk.indices.to_numpy(zero_copy_only=False), minlength=len(chunk.dictionary))
                frames.append(pd.DataFrame({"raw": chunk.dictionary.to_numpy(zero_copy_only=False), "n": uses}))
        counts = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame({"raw": [], "n": []})
    else:
        counts = ratings["skill"].astype(object).value_counts().rename_axis("raw").reset_index(name="n")
    parts = [counts]
    if other is not None and len(other):
        parts.append(pd.DataFrame({"raw": pd.unique(pd.Series(other, dtype=object).dropna()), "n": 0}))
    both = pd.concat(parts, ignore_index=True)
    return both.groupby("raw", as_index=False)["n"].sum()


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
    if len(drafts):
        frame = frame[~frame["record_id"].astype(str).isin(set(drafts))]
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
    hist["quarter"] = hist["qi"].map(_qi_start)
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
    contrib = contrib.assign(quarter=contrib["qi"].map(_qi_start), department=contrib["dept"].map(dept_names))
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
    contrib = contrib.assign(quarter=contrib["qi"].map(_qi_start), department=contrib["dept"].map(dept_names))
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


# --------------------------------------------------------------------------- presentation

# Per table column: (header, format). Formats: text, int, pct, num (one decimal), signed, quarter, months.
_COLUMNS: dict[str, dict[str, tuple[str, str]]] = {
    "overview": {DEPARTMENT: ("Department", "text"), N: ("Employees", "int"),
                 "share_met": ("Had a conversation in the period", "pct"),
                 "conversations": ("Conversations", "int"), "checkins": ("Check-ins", "int")},
    "skill_trends": {"quarter": ("Quarter", "quarter"), "skill": ("Skill", "text"), N: ("Employees rated", "int"),
                     "median": ("Median rating", "num"), "mean": ("Mean rating", "num")},
    "department_trends": {"quarter": ("Quarter", "quarter"), "skill": ("Skill", "text"),
                          DEPARTMENT: ("Department", "text"), N: ("Employees rated", "int"),
                          "median": ("Median rating", "num"), "mean": ("Mean rating", "num")},
    "rating_distribution": {"skill": ("Skill", "text"), DEPARTMENT: ("Department", "text"),
                            "band": ("Ratings", "band"), N: ("Employees", "int"), "share": ("Share", "pct"),
                            "median": ("Median rating", "num"), "mean": ("Mean rating", "num")},
    "skill_growth": {"skill": ("Skill", "skill"), "horizon_months": ("After", "months"),
                     DEPARTMENT: ("Department", "text"), N: ("Employees measured", "int"),
                     "mean_growth": ("Mean change (points)", "signed"),
                     "median_growth": ("Median change (points)", "signed"),
                     "share_improved": ("Improved", "pct")},
    "target_attainment": {"horizon_months": ("Target at", "months"), DEPARTMENT: ("Department", "text"),
                          N: ("Employees", "int"), "targets_due": ("Targets due", "int"),
                          "targets_measured": ("Measured", "int"), "targets_attained": ("Reached", "int"),
                          "attainment_rate": ("Reached (of measured)", "pct"),
                          "share_measured": ("Measured (of due)", "pct")},
    "most_wanted_skills": {"skill": ("Skill", "text"), DEPARTMENT: ("Department", "text"),
                           N: ("Employees working on it", "int"),
                           "share_of_people_met": ("Share of people who had a conversation", "pct")},
    "rating_gaps": {"skill": ("Skill", "skill"), DEPARTMENT: ("Department", "text"),
                    N: ("Employees with both ratings", "int"),
                    "mean_gap": ("Self minus coach (points)", "signed"),
                    "share_self_higher": ("Rate themselves higher", "pct"),
                    "share_self_lower": ("Rate themselves lower", "pct")},
    "cadence_compliance": {DEPARTMENT: ("Department", "text"), N: ("Employees", "int"),
                           "share_conversation_overdue": ("Overdue for a conversation", "pct"),
                           "share_checkin_overdue": ("Overdue for a follow-up", "pct"),
                           "share_any_overdue": ("Overdue for either", "pct"),
                           "share_never_met": ("Never had a conversation", "pct")},
    "action_items": {DEPARTMENT: ("Department", "text"), N: ("Employees with action items", "int"),
                     "items": ("Action items", "int"), "share_done": ("Done", "pct"),
                     "share_in_progress": ("In progress", "pct"), "share_open": ("Open", "pct"),
                     "share_dropped": ("Dropped", "pct"), "share_open_past_due": ("Open past due date", "pct")},
    "option_kinds": {"kind": ("Kind of action chosen", "text"), "horizon_months": ("After", "months"),
                     N: ("Employees measured", "int"), "plans": ("Plans", "int"),
                     "mean_gain": ("Mean gain (points)", "signed"), "median_gain": ("Median gain (points)", "signed")},
}


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
        True: every cell as text (percentages, one decimal) for the notebook;
        False: numbers stay numbers (rounded), for CSV files.
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
    if name == "about":
        return frame.rename(columns={"item": "", "value": ""}) if formatted else frame.copy()
    if name not in _COLUMNS:
        raise ValueError(f"unknown table {name!r}; tables are: {', '.join(_COLUMNS)}")
    if rows not in ("all", "total", "departments"):
        raise ValueError(f"rows must be 'all', 'total' or 'departments', got {rows!r}")
    data = frame
    if DEPARTMENT in data.columns and rows != "all":
        mask = data[DEPARTMENT].isna()
        data = data[mask if rows == "total" else ~mask]
    visible = P.shown(data).to_numpy()
    out = pd.DataFrame(index=range(len(data)))
    for column, (header, kind) in _COLUMNS[name].items():
        if column not in data.columns or (rows == "total" and column == DEPARTMENT):
            continue
        values = data[column].reset_index(drop=True)
        if column == N:
            out[header] = P.display_count(data.reset_index(drop=True))
            if formatted:
                out[header] = out[header].map(lambda v: f"{v:,}" if isinstance(v, (int, np.integer)) else v)
            continue
        if column == DEPARTMENT:
            out[header] = values.astype(object).where(values.notna(), total_label)
            continue
        out[header] = [_cell(v, kind, formatted) if (ok or kind in ("text", "quarter", "months", "skill", "band"))
                       else ("" if formatted else None) for v, ok in zip(values, visible)]
    return out


def _cell(value: Any, kind: str, formatted: bool) -> Any:
    missing = value is None or (not isinstance(value, str) and pd.isna(value))
    if kind == "skill":
        return "All skills" if missing else str(value)
    if kind == "band":
        return "All" if missing else str(value)
    if missing:
        return "" if formatted else None
    if kind == "quarter":
        return quarter_label(value)
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
        return f"{number:.0%}"
    if kind == "signed":
        return f"{number:+.1f}"
    return f"{number:.1f}".rstrip("0").rstrip(".") if number == round(number) else f"{number:.1f}"


# --------------------------------------------------------------------------- one-line readings


def _visible(frame: pd.DataFrame, total: bool | None = None) -> pd.DataFrame:
    data = frame[P.shown(frame)]
    if total is not None and DEPARTMENT in data.columns:
        data = data[data[DEPARTMENT].isna() == total]
    return data


def _nothing(frame: pd.DataFrame, what: str) -> str:
    k = _k_of(frame)
    if frame.empty and "skill" in frame.columns:
        return (f"Nothing to show for {what}: no skill was rated by at least {k} employees in this period and "
                "selection (skills named by fewer people are never listed).")
    if frame.empty:
        return f"No data for {what} in this period and selection."
    return (f"Nothing can be shown for {what}: every group has fewer than {k} employees or is hidden so that a "
            "smaller group cannot be worked out.")


def _k_of(frame: pd.DataFrame) -> int:
    if "k" in frame.attrs:
        return int(frame.attrs["k"])
    labels = frame[P.PRIVACY].astype(str) if P.PRIVACY in frame.columns else pd.Series([], dtype=str)
    found = labels.str.extract(r"fewer than (\d+)")[0].dropna()
    return int(found.iloc[0]) if len(found) else P.DEFAULT_K


def _fmt(value: float, decimals: int = 1) -> str:
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _pct(value: float) -> str:
    return f"{value:.0%}"


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def describe_overview(table: pd.DataFrame) -> str:
    """One sentence on who the report covers."""
    org = _visible(table, total=True)
    if org.empty:
        return _nothing(table, "the people covered")
    row = org.iloc[0]
    return (f"{int(row[N]):,} employees are covered; {_pct(row['share_met'])} of them had a career conversation in "
            f"the period ({int(row['conversations']):,} conversations and {int(row['checkins']):,} check-ins).")


def describe_skill_trends(table: pd.DataFrame) -> str:
    """One sentence on how the median ratings moved from the first to the last quarter shown."""
    data = _visible(table, total=True)
    if data.empty:
        return _nothing(table, "skill rating trends")
    first_q, last_q = data["quarter"].min(), data["quarter"].max()
    if first_q == last_q:
        top = data.sort_values([N, "skill"], ascending=[False, True]).iloc[0]
        return (f"In {quarter_label(first_q)} the median {top['skill']} rating was {_fmt(top['median'])} "
                f"({int(top[N]):,} employees rated it); one quarter shows no trend yet.")
    start = data[data["quarter"] == first_q].set_index("skill")["median"]
    end = data[data["quarter"] == last_q].set_index("skill")["median"]
    both = pd.DataFrame({"start": start, "end": end}).dropna()
    span = f"between {quarter_label(first_q)} and {quarter_label(last_q)}"
    if both.empty:
        top = data.sort_values([N, "skill"], ascending=[False, True]).iloc[0]
        return f"Most rated: {top['skill']}; no skill is shown in both {quarter_label(first_q)} and {quarter_label(last_q)}."
    change = (both["end"] - both["start"]).sort_values(kind="stable")
    rose, fell = int((change > 0).sum()), int((change < 0).sum())
    best = change.index[-1]
    text = f"The median rating rose for {rose} of {len(both)} skills {span}"
    if change.iloc[-1] > 0:
        text += (f", most for {best} (from {_fmt(both.loc[best, 'start'])} to {_fmt(both.loc[best, 'end'])})")
    if fell:
        worst = change.index[0]
        text += (f"; it fell for {fell}, most for {worst} (from {_fmt(both.loc[worst, 'start'])} to "
                 f"{_fmt(both.loc[worst, 'end'])})")
    return text + "."


def describe_department_trends(table: pd.DataFrame) -> str:
    """One sentence comparing departments on the most-rated skill in the latest quarter shown."""
    data = _visible(table, total=False)
    if data.empty:
        return _nothing(table, "department trends")
    last_q = data["quarter"].max()
    latest = data[data["quarter"] == last_q]
    skill = latest.groupby("skill")[N].sum().sort_values(ascending=False, kind="stable").index[0]
    rows = latest[latest["skill"] == skill].sort_values(["median", DEPARTMENT], ascending=[False, True])
    hidden = int((~P.shown(table)).sum())
    tail = f" {hidden:,} of {len(table):,} department figures are hidden to protect small groups." if hidden else ""
    if len(rows) == 1:
        r = rows.iloc[0]
        return (f"In {quarter_label(last_q)} only {r[DEPARTMENT]} can be shown for {skill}: median "
                f"{_fmt(r['median'])}.{tail}")
    top, low = rows.iloc[0], rows.iloc[-1]
    return (f"In {quarter_label(last_q)} the median {skill} rating ranged from {_fmt(low['median'])} in "
            f"{low[DEPARTMENT]} to {_fmt(top['median'])} in {top[DEPARTMENT]}.{tail}")


def describe_rating_distribution(table: pd.DataFrame) -> str:
    """One sentence on where current ratings sit."""
    totals = _visible(table, total=True)
    totals = totals[totals["band"].isna()]
    if totals.empty:
        return _nothing(table, "the rating distribution")
    ranked = totals.sort_values(["median", "skill"], ascending=[False, True])
    top, low = ranked.iloc[0], ranked.iloc[-1]
    high_band = _visible(table, total=True)
    high_band = high_band[high_band["band"] == BANDS[-1][0]]
    text = f"Current ratings are highest for {top['skill']} (median {_fmt(top['median'])})"
    if len(ranked) > 1:
        text += f" and lowest for {low['skill']} (median {_fmt(low['median'])})"
    if len(high_band):
        share = float(high_band[N].sum()) / float(totals.set_index("skill").loc[high_band["skill"], N].sum())
        text += f"; {_pct(share)} of the ratings shown are {BANDS[-1][0]}"
    return text + "."


def describe_skill_growth(table: pd.DataFrame) -> str:
    """One sentence on how much ratings rose after 6, 12 and 18 months."""
    data = _visible(table, total=True)
    data = data[data["skill"].isna()].sort_values("horizon_months")
    if data.empty:
        return _nothing(table, "growth per skill")
    parts = [f"{r['mean_growth']:.1f} points after {int(r['horizon_months'])} months" for _, r in data.iterrows()]
    first = data.iloc[0]
    text = (f"On average ratings rose by {_join(parts)} ({_pct(first['share_improved'])} of the employees measured "
            f"at {int(first['horizon_months'])} months improved)")
    per_skill = _visible(table, total=True)
    per_skill = per_skill[per_skill["skill"].notna() & (per_skill["horizon_months"] == first["horizon_months"])]
    if len(per_skill) > 1:
        best = per_skill.sort_values(["mean_growth", "skill"], ascending=[False, True]).iloc[0]
        text += f"; fastest growth at {int(first['horizon_months'])} months: {best['skill']} ({best['mean_growth']:+.1f})"
    return text + "."


def describe_target_attainment(table: pd.DataFrame) -> str:
    """One sentence on the share of targets reached at each horizon."""
    data = _visible(table, total=True).sort_values("horizon_months")
    data = data[data["attainment_rate"].notna()]
    if data.empty:
        return _nothing(table, "target attainment")
    parts = [f"{_pct(r['attainment_rate'])} of {int(r['horizon_months'])}-month targets" for _, r in data.iterrows()]
    return f"Of the targets measured at their date, {_join(parts)} were reached."


def describe_most_wanted_skills(table: pd.DataFrame) -> str:
    """One sentence naming the most-wanted skills."""
    data = _visible(table, total=True)
    if data.empty:
        return _nothing(table, "most-wanted skills")
    ranked = data.sort_values([N, "skill"], ascending=[False, True])
    top = ranked.iloc[0]
    text = (f"The most-wanted skill is {top['skill']}, worked on by {int(top[N]):,} employees "
            f"({_pct(top['share_of_people_met'])} of those who had a conversation)")
    if len(ranked) > 1:
        others = [f"{r['skill']} ({int(r[N]):,})" for _, r in ranked.iloc[1:3].iterrows()]
        text += f", followed by {_join(others)}"
    return text + "."


def describe_rating_gaps(table: pd.DataFrame) -> str:
    """One sentence on how self ratings compare with coach ratings."""
    data = _visible(table, total=True)
    overall = data[data["skill"].isna()]
    if overall.empty:
        return _nothing(table, "self versus coach ratings")
    row = overall.iloc[0]
    side = "above" if row["mean_gap"] >= 0 else "below"
    text = (f"On average employees rate themselves {abs(row['mean_gap']):.1f} points {side} their coach; "
            f"{_pct(row['share_self_higher'])} rate themselves higher, {_pct(row['share_self_lower'])} lower")
    per_skill = data[data["skill"].notna()].sort_values(["mean_gap", "skill"], ascending=[False, True])
    if len(per_skill) > 1:
        wide, narrow = per_skill.iloc[0], per_skill.iloc[-1]
        text += (f"; the widest gap is in {wide['skill']} ({wide['mean_gap']:+.1f}), the narrowest in "
                 f"{narrow['skill']} ({narrow['mean_gap']:+.1f})")
    return text + "."


def describe_cadence_compliance(table: pd.DataFrame) -> str:
    """One sentence on how many people are overdue for a conversation or a follow-up."""
    org = _visible(table, total=True)
    if org.empty:
        return _nothing(table, "cadence compliance")
    row = org.iloc[0]
    text = (f"{_pct(row['share_any_overdue'])} of employees are overdue for a career conversation or a follow-up "
            f"({_pct(row['share_conversation_overdue'])} for a conversation, {_pct(row['share_checkin_overdue'])} "
            f"for a follow-up; {_pct(row['share_never_met'])} never had one)")
    depts = _visible(table, total=False).sort_values(["share_any_overdue", DEPARTMENT], ascending=[False, True])
    if len(depts) > 1:
        text += f"; most in {depts.iloc[0][DEPARTMENT]} ({_pct(depts.iloc[0]['share_any_overdue'])})"
    return text + "."


def describe_action_items(table: pd.DataFrame) -> str:
    """One sentence on the state of the action items agreed in the period."""
    org = _visible(table, total=True)
    if org.empty:
        return _nothing(table, "action items")
    row = org.iloc[0]
    return (f"Of the {int(row['items']):,} action items agreed in the period, the typical person has "
            f"{_pct(row['share_done'])} done, {_pct(row['share_in_progress'])} in progress, "
            f"{_pct(row['share_open'])} open and {_pct(row['share_dropped'])} dropped; "
            f"{_pct(row['share_open_past_due'])} are still open after their due date.")


def describe_option_kinds(table: pd.DataFrame) -> str:
    """One sentence on which kinds of chosen options went with the largest gains."""
    data = _visible(table, total=True)
    if data.empty:
        return _nothing(table, "kinds of development actions")
    horizon = 12 if (data["horizon_months"] == 12).any() else int(data["horizon_months"].min())
    at = data[data["horizon_months"] == horizon].sort_values(["mean_gain", "kind"], ascending=[False, True])
    best = at.iloc[0]
    text = (f"{horizon} months on, plans built on {_KIND_WORDS.get(best['kind'], best['kind'])} gained the most "
            f"({best['mean_gain']:+.1f} points on average")
    if len(at) > 1:
        low = at.iloc[-1]
        text += f"), those built on {_KIND_WORDS.get(low['kind'], low['kind'])} the least ({low['mean_gain']:+.1f}"
    return text + "); this shows association, not cause."


_KIND_WORDS = {"course": "courses", "stretch project": "stretch projects", "conference": "conferences",
               "certification": "certifications", "other": "other actions"}

_DESCRIBERS = {
    "overview": describe_overview, "skill_trends": describe_skill_trends,
    "department_trends": describe_department_trends, "rating_distribution": describe_rating_distribution,
    "skill_growth": describe_skill_growth, "target_attainment": describe_target_attainment,
    "most_wanted_skills": describe_most_wanted_skills, "rating_gaps": describe_rating_gaps,
    "cadence_compliance": describe_cadence_compliance, "action_items": describe_action_items,
    "option_kinds": describe_option_kinds,
}


def describe(name: str, table: pd.DataFrame) -> str:
    """The one-line reading of any table of :func:`hr_aggregates` by name.

    Raises
    ------
    ValueError
        For an unknown table name.
    """
    if name not in _DESCRIBERS:
        raise ValueError(f"unknown table {name!r}; tables are: {', '.join(_DESCRIBERS)}")
    return _DESCRIBERS[name](table)


def suppression_summary(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """How many figures each table shows and hides.

    Returns
    -------
    pandas.DataFrame
        Columns ``table``, ``figures``, ``shown``, ``fewer_than_k``,
        ``not_shown`` (hidden to protect a smaller group or a filter
        difference), one row per table of :data:`TABLE_TITLES`.
    """
    rows = []
    for name, title in TABLE_TITLES.items():
        frame = tables.get(name)
        if frame is None:
            continue
        labels = frame[P.PRIVACY].astype(str)
        rows.append({"table": title, "figures": len(frame), "shown": int((labels == "").sum()),
                     "fewer_than_k": int(labels.str.startswith("fewer than").sum()),
                     "not_shown": int((labels == P.HIDDEN).sum())})
    return pd.DataFrame(rows, columns=["table", "figures", "shown", "fewer_than_k", "not_shown"])


def suppression_html(summary: pd.DataFrame, k: int) -> str:
    """The :func:`suppression_summary` table as HTML with plain headers (every cell escaped)."""
    shown = summary.rename(columns={"table": "Table", "figures": "Figures", "shown": "Shown",
                                    "fewer_than_k": f"Fewer than {k} employees",
                                    "not_shown": "Hidden to protect a smaller group"})
    return shown.to_html(index=False, escape=True, border=0, classes="hr-table")


def describe_suppression(summary: pd.DataFrame, k: int) -> str:
    """One sentence on what privacy suppression hid in the whole report."""
    figures, shown_n = int(summary["figures"].sum()), int(summary["shown"].sum())
    small, other = int(summary["fewer_than_k"].sum()), int(summary["not_shown"].sum())
    if figures == 0:
        return "There is no data to show for this period and selection."
    if shown_n == figures:
        return f"All {figures:,} figures concern at least {k} employees, so none had to be hidden."
    return (f"{shown_n:,} of {figures:,} figures are shown; {small:,} concern fewer than {k} employees and "
            f"{other:,} more are hidden so that those cannot be worked out from totals or by comparing reports.")


def describe_about(about: pd.DataFrame) -> str:
    """One sentence saying what the report covers (from the ``about`` table)."""
    items = dict(zip(about["item"], about["value"]))
    departments = items.get("departments", "all")
    who = "all departments" if departments == "all" else f"these departments: {departments}"
    return (f"This report covers {items.get('period', '?')} for {who}, as of {items.get('as of', '?')}. Groups of "
            f"fewer than {items.get('minimum group size', P.DEFAULT_K)} employees are not shown.")


def reading_html(text: str) -> str:
    """A one-line reading as an HTML paragraph, every character of it escaped."""
    import html

    return f'<p class="hr-reading" style="font-size:1.05em;margin:0.4em 0 0.6em 0"><b>{html.escape(text)}</b></p>'


def present_html(name: str, frame: pd.DataFrame, *, total_label: str = "All departments", rows: str = "all",
                 max_rows: int | None = None) -> str:
    """A protected table as an HTML table (every cell escaped) for the notebook.

    Parameters
    ----------
    name, frame, total_label, rows
        As for :func:`present`.
    max_rows
        Show at most this many rows (the CSV export has them all).

    Returns
    -------
    str
        HTML.
    """
    shown_frame = present(name, frame, total_label=total_label, rows=rows)
    more = 0
    if max_rows is not None and len(shown_frame) > max_rows:
        more = len(shown_frame) - max_rows
        shown_frame = shown_frame.head(max_rows)
    table = shown_frame.to_html(index=False, escape=True, border=0, classes="hr-table", na_rep="")
    if more:
        table += f'<p class="hr-more">… and {more:,} more rows (see the CSV export).</p>'
    return table


def top_skills(table: pd.DataFrame, n: int = 1) -> list[str]:
    """The skills with the most employees in a table with ``skill`` and ``n_employees`` (shown rows only)."""
    data = table[P.shown(table) & table["skill"].notna()]
    if data.empty:
        return []
    return list(data.groupby("skill")[N].sum().sort_values(ascending=False, kind="stable").index[:n])
