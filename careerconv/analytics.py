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
(:func:`rating_partials`). Three engines compute them and give the same
tables: ``"arrow"`` (the default, chosen on measurement: PyArrow reads the
Parquet parts, NumPy counts them), ``"duckdb"`` (one SQL query) and
``"pandas"`` (plain pandas); ``benchmarks/bench_hr.py`` compares them on ten
million ratings.
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
    "RosterFile",
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

ENGINES = ("arrow", "duckdb", "pandas")
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


@dataclass(frozen=True)
class RosterFile:
    """The roster file as the store wrote it, read only as far as a computation needs.

    :func:`skill_rating_tables` needs just each employee's id and department;
    given a ``RosterFile``, the arrow and duckdb engines read those two columns
    straight into Arrow instead of holding the whole roster as a pandas
    frame. The file is taken as the store wrote it (the store validated it
    when it saved it); :meth:`careerconv.store.Store.roster` is the validated
    way to read a roster edited by hand.

    Attributes
    ----------
    path
        The roster CSV (``roster.csv`` in a data folder).
    """

    path: Path

    @classmethod
    def of(cls, data_dir: str | Path) -> "RosterFile":
        """The roster file of a data folder.

        Raises
        ------
        FileNotFoundError
            If the folder has no roster.
        """
        path = Store(data_dir).roster_path
        if not path.exists():
            raise FileNotFoundError(f"{path} does not exist: HR analytics needs the roster "
                                    "(run `careerconv import roster FILE` or `careerconv demo`)")
        return cls(path)

    def table(self) -> Any:
        """``employee_id`` and ``department`` as a PyArrow table of strings (read once, then kept)."""
        cached = self.__dict__.get("_table")
        if cached is None:
            import pyarrow as pa
            import pyarrow.csv as pcsv

            wanted = ["employee_id", DEPARTMENT]
            # One reading thread, and its buffers handed back: the threaded reader's buffers are three
            # times the table, and the allocator would keep them.
            cached = pcsv.read_csv(self.path, read_options=pcsv.ReadOptions(use_threads=False),
                                   convert_options=pcsv.ConvertOptions(
                                       include_columns=wanted, column_types={c: pa.string() for c in wanted},
                                       strings_can_be_null=False))
            pa.default_memory_pool().release_unused()
            self.__dict__["_table"] = cached  # a cache, not state: the dataclass stays frozen for users
        return cached

    def to_pandas(self) -> pd.DataFrame:
        """``employee_id`` and ``department`` as pandas reads them (every value a string)."""
        return pd.read_csv(self.path, usecols=["employee_id", DEPARTMENT], dtype=str, keep_default_na=False,
                           encoding="utf-8-sig")

    def departments(self) -> list[str]:
        """The department names on the roster, sorted."""
        import pyarrow.compute as pc

        return sorted(str(v) for v in pc.unique(self.table().column(DEPARTMENT)).to_pylist() if v)


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
        large histories; the arrow and duckdb engines read the parts directly).

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


def resolve_scope(roster: pd.DataFrame | RosterFile, as_of: Any, period_start: Any = None, period_end: Any = None,
                  departments: Iterable[str] = (), k: int = P.DEFAULT_K,
                  first_date: Any = None) -> ReportScope:
    """Turn the notebook's parameters into whole quarters and checked departments.

    Parameters
    ----------
    roster
        The roster, or the roster file (for the department names).
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
    if isinstance(roster, RosterFile):
        known = roster.departments()
    else:
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


def _quarter_starts(qi: pd.Series) -> pd.Series:
    """First day of each quarter index (year * 4 + quarter - 1), for a whole column at once."""
    starts = {q: _qi_start(q) for q in pd.unique(qi)}
    return qi.map(starts).astype("datetime64[ns]")


def _qi_of(day: pd.Timestamp) -> int:
    return int(day.year * 4 + (day.month - 1) // 3)


def rating_partials(ratings: pd.DataFrame | ParquetTable, roster_codes: pd.DataFrame, catalogue: pd.DataFrame,
                    drafts: Iterable[str], scope: ReportScope, engine: str = "arrow") -> RatingPartials:
    """Summarise the skill ratings into :class:`RatingPartials` (the heavy step).

    Engines (chosen on measurement, see ``benchmarks/bench_hr.py``; all three
    give the same partials):

    ``"arrow"`` (the default)
        Part by part, two parts at a time: PyArrow reads the needed columns,
        string columns as dictionaries, so an employee id, a skill name or a
        source is looked up once per part rather than once per rating; NumPy
        turns each rating into small integers and reduces them with
        scatter-max into dense per-part arrays of (employee, skill, quarter)
        cells, which finds each person's latest rating without sorting or
        hashing millions of groups. The store's parts hold disjoint employees
        (:class:`ParquetTable`), so the per-part counts add up; each part is
        read a few columns at a time and counted a run of employees at a time,
        so memory stays at a fraction of two parts.
    ``"duckdb"``
        One SQL query over all parts (GROUP BY employee, skill and quarter,
        then by employee and skill). Plain to read, but grouping ten million
        ratings into nine million groups in a hash table costs several times
        the CPU of the arrow engine.
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
        Ids of draft conversations: ratings given in them (any source but
        ``checkin``, with the draft's ``record_id``) are left out.
    scope
        The report's period and departments.
    engine
        ``"arrow"``, ``"duckdb"`` or ``"pandas"``.

    Returns
    -------
    RatingPartials

    Raises
    ------
    ValueError
        For an unknown engine.
    """
    _check_engine(engine)
    return _rating_partials(ratings, _Roster.from_codes(roster_codes), catalogue, _Drafts(drafts), scope, engine)


def _check_engine(engine: str) -> None:
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")


def _rating_partials(ratings: pd.DataFrame | ParquetTable, roster: "_Roster", catalogue: pd.DataFrame,
                     drafts: "_Drafts", scope: ReportScope, engine: str) -> RatingPartials:
    if engine == "pandas":
        frame = ratings.to_pandas(list(HR_COLUMNS["skill_ratings"])) if isinstance(ratings, ParquetTable) \
            else ratings
        codes = roster.codes_frame()
        return _partials_pandas(frame, codes, catalogue, set(drafts.ids), scope, _selected_codes(codes, scope))
    first = _first_rating_date(ratings)
    if first is None or not len(roster.dept) or not len(catalogue):
        return _empty_partials()
    layout = _Layout.of(roster, scope, first)
    if engine == "duckdb":
        return _partials_duckdb(ratings, roster, catalogue, list(drafts.ids), layout)
    return _partials_arrow(ratings, roster, catalogue, drafts, layout)


@dataclass(frozen=True)
class _Roster:
    """Employee ids with a department code each, as the rating engines use them.

    Attributes
    ----------
    ids
        Employee ids (a PyArrow string array, roster order).
    dept
        Department code per roster row (index into ``names``; -1: none).
    names
        Department names, sorted; a department's code is its position.
    """

    ids: Any
    dept: np.ndarray
    names: tuple[str, ...]

    @classmethod
    def from_frame(cls, roster: pd.DataFrame) -> "_Roster":
        """From a frame with ``employee_id`` and ``department``."""
        import pyarrow as pa

        departments = roster[DEPARTMENT].astype(object)
        names = tuple(sorted({str(d) for d in departments.dropna()}))
        code = {name: i for i, name in enumerate(names)}
        dept = departments.map(code).fillna(-1).to_numpy(dtype=np.int64)
        ids = pa.array(roster["employee_id"].astype(object).to_numpy(), type=pa.string(), from_pandas=True)
        return cls(ids, dept, names)

    @classmethod
    def from_codes(cls, codes: pd.DataFrame) -> "_Roster":
        """From :func:`rating_partials`' ``roster_codes`` (keeping its department codes)."""
        import pyarrow as pa

        pairs = codes.loc[:, ["dept", DEPARTMENT]].drop_duplicates("dept").sort_values("dept")
        size = int(pairs["dept"].max()) + 1 if len(pairs) else 0
        names = [""] * size
        for code, name in zip(pairs["dept"], pairs[DEPARTMENT]):
            names[int(code)] = str(name)
        ids = pa.array(codes["employee_id"].astype(object).to_numpy(), type=pa.string(), from_pandas=True)
        return cls(ids, codes["dept"].to_numpy(dtype=np.int64), tuple(names))

    @classmethod
    def from_arrow(cls, table: Any) -> "_Roster":
        """From a PyArrow table with string columns ``employee_id`` and ``department``."""
        import pyarrow as pa
        import pyarrow.compute as pc

        encoded = pc.dictionary_encode(table.column(DEPARTMENT).combine_chunks())
        found = [str(v) for v in encoded.dictionary.to_pylist()]
        names = tuple(sorted(set(found)))
        rank = np.array([names.index(v) for v in found] + [-1], dtype=np.int64)
        indices = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        ids = table.column("employee_id").combine_chunks().cast(pa.string())
        return cls(ids, rank[indices], names)

    def codes_frame(self) -> pd.DataFrame:
        """``employee_id, emp, dept, department`` (the pandas engine's input)."""
        names = np.array([*self.names, None], dtype=object)
        return pd.DataFrame({"employee_id": self.ids.to_numpy(zero_copy_only=False).astype(object),
                             "emp": np.arange(len(self.dept), dtype=np.int64), "dept": self.dept,
                             DEPARTMENT: names[self.dept]})


@dataclass(frozen=True)
class _Layout:
    """The numbers every rating is mapped to.

    ``qi`` counts quarters (year * 4 + quarter - 1); cells run over the quarters
    ``q0 .. q0 + nq - 1``, the first one holding the earliest rating or the
    period's start, the last one the period's end. Days are counted from
    1970-01-01.
    """

    nd: int  # departments
    q0: int
    nq: int
    w0: int  # the period's first quarter, as an offset from q0
    first_day: int  # first day of quarter q0
    end_day: int  # the period's end (exclusive)
    selected: np.ndarray  # bool per department code: in the report

    @classmethod
    def of(cls, roster: "_Roster", scope: ReportScope, first: pd.Timestamp) -> "_Layout":
        q0 = min(_qi_of(pd.Timestamp(first)), _qi_of(scope.start))
        wanted = set(scope.selected)
        selected = np.array([name in wanted for name in roster.names], dtype=bool)
        return cls(nd=len(roster.names), q0=q0,
                   nq=max(_qi_of(scope.end) - q0, 1), w0=_qi_of(scope.start) - q0,
                   first_day=_epoch_day(_qi_start(q0)), end_day=_epoch_day(scope.end), selected=selected)

    def quarter_tables(self) -> tuple[np.ndarray, np.ndarray]:
        """Per day from ``first_day`` to ``end_day``: its quarter offset and its day within the quarter (int16)."""
        days = pd.date_range(_qi_start(self.q0), periods=self.end_day - self.first_day, freq="D")
        quarter = (_qi(days.to_numpy()) - self.q0).astype(np.int32)
        starts = np.array([_epoch_day(_qi_start(self.q0 + q)) for q in range(self.nq)], dtype=np.int64)
        within = (np.arange(self.first_day, self.end_day) - starts[quarter]).astype(np.int16)
        return quarter, within


def _epoch_day(day: pd.Timestamp) -> int:
    return int((pd.Timestamp(day) - pd.Timestamp(0)).days)


# --------------------------------------------------------------------------- the arrow engine

_PRIORITY_SPAN = 30  # code = day * 30 + source priority * 10 + (rating - 1): latest day, then source, then rating
_CELL_CAP = 1 << 23  # cells (employees x skills x quarters) of one block's dense arrays
_TIE_MASK = (1 << 20) - 1
_CHUNK = 1 << 17  # rows counted at once (whole employees)
_DICTIONARY_COLUMNS = ("employee_id", "skill", "source")
_MAIN_COLUMNS = ("employee_id", "date", "skill", "self_rating", "coach_rating", "source")
_CHECKIN = _SOURCE_PRIORITY["checkin"]


class _Drafts:
    """Draft conversations: the ratings given in them are left out of every figure.

    A rating belongs to a draft when its source is not ``checkin`` and its
    ``record_id`` is the draft's id. Given the conversations table, the arrow
    engine finds those ratings without reading a single record id: the store
    derives a conversation's ratings with the conversation's employee and
    date, so a non-check-in rating of an employee on the day of one of their
    drafts is that draft's, unless another conversation of theirs has the
    same day (``shared``); only then are record ids compared. The store keeps
    a person's conversations and ratings in parts with the same number, so
    with both tables as Parquet parts each ratings part reads just its own
    part of the conversations.
    """

    def __init__(self, ids: Iterable[str] = (), conversations: pd.DataFrame | ParquetTable | None = None,
                 by_day: bool = False):
        """Draft ``ids`` and those of ``conversations`` (``conversation_id, employee_id, date, status``).

        With ``by_day`` (and no separate ``ids``) the drafts' employees and
        days are used, and their ids read only when needed.
        """
        import threading

        self._ids = sorted({str(d) for d in ids})
        self._conversations = conversations
        self._lock = threading.Lock()
        self._loaded = conversations is None
        self.by_day = conversations is not None and by_day and not self._ids
        self._everyone: tuple | None = None  # (employees, days, shared) of all drafts, when built

    @property
    def ids(self) -> tuple[str, ...]:
        """The draft conversation ids (read from the conversations table on first use)."""
        with self._lock:
            if not self._loaded:
                found = {str(v) for part in _map_parts(_draft_ids_of_part, self._conversations) for v in part}
                self._ids = sorted(found | set(self._ids))
                self._loaded = True
        return tuple(self._ids)

    def by_day_for(self, ratings_part: Any) -> tuple | None:
        """(employees, days, shared) of the drafts that can hold ratings of this ratings part; None: none."""
        conversations = self._conversations
        if isinstance(conversations, ParquetTable) and isinstance(ratings_part, Path):
            mine = [p for p in conversations.paths if p.name == ratings_part.name]
            if len(conversations.paths) == len({p.name for p in conversations.paths}) and mine:
                return _draft_days_of_part(mine[0])
        with self._lock:
            if self._everyone is None:
                parts = [p for p in _map_parts(_draft_days_of_part, conversations) if p is not None]
                if parts:
                    import pyarrow as pa

                    self._everyone = (pa.concat_arrays([p[0] for p in parts]), np.concatenate([p[1] for p in parts]),
                                      np.concatenate([p[2] for p in parts]))
                else:
                    self._everyone = ()
        return self._everyone or None


def _map_parts(function, table: pd.DataFrame | ParquetTable) -> list:
    """``function`` on each Parquet part of ``table`` (two at a time), or on the in-memory table."""
    if isinstance(table, ParquetTable):
        with ThreadPoolExecutor(max_workers=2) as pool:
            return list(pool.map(function, table.paths))
    return [function(table)]


def _draft_ids_of_part(source: Path | pd.DataFrame) -> list[str]:
    """The ids of the draft conversations in one part of the conversations table."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    if isinstance(source, pd.DataFrame):
        drafts = source["status"].astype(object).fillna("") != "completed"  # no status: not completed either
        return source.loc[drafts.to_numpy(dtype=bool), "conversation_id"].astype(str).tolist()
    table = pq.read_table(source, columns=["conversation_id", "status"], use_threads=False)
    return table.filter(pc.fill_null(pc.not_equal(table.column("status"), "completed"), True)) \
        .column("conversation_id").to_pylist()


def _draft_days_of_part(source: Path | pd.DataFrame) -> tuple | None:
    """One part of the conversations table: its drafts' employees and days, and whether the day is shared."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    if isinstance(source, Path):
        table = pq.read_table(source, columns=["employee_id", "date", "status"],
                              read_dictionary=["employee_id", "status"], use_threads=False)
    else:
        table = _arrow_frame(source, ["employee_id", "date", "status"])
        table = pa.table({"employee_id": pc.dictionary_encode(table.column("employee_id")),
                          "date": table.column("date"), "status": pc.dictionary_encode(table.column("status"))})
    if not table.num_rows:
        return None
    status_values, status = _dictionary(table.column("status"))
    is_draft = _lookup([v != "completed" for v in status_values.to_pylist()], status, bool, missing=True)
    draft = np.flatnonzero(is_draft)
    if not len(draft):
        return None
    emp_values, emp = _dictionary(table.column("employee_id"), distinct=True)
    day = _epoch_days(table.column("date"), 0, np.iinfo(np.int32).max).astype(np.int64)  # -1: unknown
    # A draft's day shared with another conversation of the same employee: only record ids tell them apart.
    holder = np.zeros(len(emp_values) + 1, dtype=bool)
    holder[emp[draft]] = True
    others = np.flatnonzero(~is_draft & holder[emp])
    key = emp.astype(np.int64) * (1 << 32) + day
    shared = np.isin(key[draft], key[others]) | (day[draft] < 0)
    found = emp_values.cast(pa.string()).take(pa.array(emp[draft])), day[draft], shared
    del table, emp_values
    pa.default_memory_pool().release_unused()
    return found


def _arrow_frame(frame: pd.DataFrame, columns: list[str]) -> Any:
    """Columns of an in-memory table as PyArrow (dates as timestamps, ratings as int64, the rest as strings)."""
    import pyarrow as pa

    arrays = {}
    for name in columns:
        values = frame[name]
        if name in ("date",):
            arrays[name] = pa.array(pd.to_datetime(values).to_numpy(dtype="datetime64[ns]"),
                                    mask=values.isna().to_numpy(), type=pa.timestamp("ns"))
        elif name in ("self_rating", "coach_rating"):
            arrays[name] = pa.array(values.astype("Int64"), type=pa.int64(), from_pandas=True)
        else:
            arrays[name] = pa.array(values.astype(object).to_numpy(), type=pa.string(), from_pandas=True)
    return pa.table(arrays)


class _Sums:
    """The additive counts behind :class:`RatingPartials`, as dense arrays (skill first)."""

    def __init__(self, ns: int, nd: int, nq: int):
        self.trend = np.zeros((ns, nd, nq, 10), dtype=np.int64)  # people by latest rating per quarter
        self.contrib = np.zeros((ns, nd, nq), dtype=np.int64)  # people with a self/coach pair per quarter
        self.dist = np.zeros((ns, nd, 10), dtype=np.int64)  # people by latest rating in the period
        self.gaps = np.zeros((ns, nd, 4))  # people, sum of their mean gaps, how many higher, lower
        self.gaps_all = np.zeros((nd, 4))  # the same over all skills

    def add(self, part: "_Sums", skills: np.ndarray) -> None:
        """Add a part's counts; the part's skill ``i`` is skill ``skills[i]`` here."""
        for name in ("trend", "contrib", "dist", "gaps"):
            np.add.at(getattr(self, name), skills, getattr(part, name))
        self.gaps_all += part.gaps_all

    def partials(self, q0: int) -> RatingPartials:
        """As :class:`RatingPartials` (quarter offsets counted from quarter index ``q0``)."""
        ns, nd, nq = self.contrib.shape
        idx = np.flatnonzero(self.trend)
        out = {"trend_hist": pd.DataFrame({"skill_id": idx // (10 * nq * nd), "dept": idx // (10 * nq) % nd,
                                           "qi": idx // 10 % nq + q0, "v": idx % 10 + 1,
                                           "n": self.trend.reshape(-1)[idx]})}
        idx = np.flatnonzero(self.contrib)
        out["gap_contrib"] = pd.DataFrame({"skill_id": idx // (nq * nd), "dept": idx // nq % nd, "qi": idx % nq + q0,
                                           "n": self.contrib.reshape(-1)[idx]})
        idx = np.flatnonzero(self.dist)
        out["dist_hist"] = pd.DataFrame({"skill_id": idx // (10 * nd), "dept": idx // 10 % nd, "v": idx % 10 + 1,
                                         "n": self.dist.reshape(-1)[idx]})
        for name, sums in (("gaps", self.gaps.reshape(ns * nd, 4)), ("gaps_all", self.gaps_all)):
            idx = np.flatnonzero(sums[:, 0])
            out[name] = pd.DataFrame({"skill_id": idx // nd if name == "gaps" else np.full(len(idx), -1),
                                      "dept": idx % nd, "n": sums[idx, 0], "gap_sum": sums[idx, 1],
                                      "n_higher": sums[idx, 2], "n_lower": sums[idx, 3]})
        return _typed_partials(out)


@dataclass
class _PartResult:
    """What one part gives: its counts over its own skills, and the skill spellings it uses."""

    sums: _Sums
    skills: list  # per skill of ``sums``: its global id, or its key (skill_key) when discovering
    spellings: list[str]
    uses: np.ndarray  # rows per spelling (every row, counted or not)


def _arrow_pass(ratings: pd.DataFrame | ParquetTable, roster: _Roster, drafts: _Drafts, layout: _Layout,
                skill_of: Mapping[str, int] | None) -> list[_PartResult]:
    """Run the arrow engine over every part (see :func:`rating_partials`).

    With ``skill_of`` (spelling -> skill id) skills are numbered by it and
    spellings it lacks are left out; without it each part numbers the skill
    keys it finds (:func:`careerconv.schema.skill_key`) and the caller maps
    them to ids once every spelling is known.
    """
    import threading

    import pyarrow as pa

    quarter, within = layout.quarter_tables()
    if skill_of is not None:
        key_of = skill_of.get
    else:
        cache: dict[str, str | None] = {}

        def key_of(spelling: str) -> str | None:
            if spelling not in cache:
                cache[spelling] = S.skill_key(spelling) or None
            return cache[spelling]

    context = {"roster": roster, "layout": layout, "quarter": quarter, "key_of": key_of, "drafts": drafts,
               "within30": within.astype(np.int32) * _PRIORITY_SPAN, "in_period": quarter >= layout.w0,
               "buffers": threading.local()}
    sources = list(ratings.paths) if isinstance(ratings, ParquetTable) else \
        [_arrow_frame(ratings, list(HR_COLUMNS["skill_ratings"]))]
    if len(sources) <= 1:
        return [_part_sums(source, context) for source in sources]
    # Two parts at a time (two cores): Parquet decoding and most NumPy work release the GIL.
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda source: _part_sums(source, context), sources))


def _partials_arrow(ratings: pd.DataFrame | ParquetTable, roster: _Roster, catalogue: pd.DataFrame,
                    drafts: _Drafts, layout: _Layout) -> RatingPartials:
    """The arrow engine with a given skill catalogue."""
    skill_of = dict(zip(catalogue["raw"], catalogue["skill_id"].astype(int)))
    parts = _arrow_pass(ratings, roster, drafts, layout, skill_of)
    return _assemble(parts, layout, int(catalogue["skill_id"].max()) + 1, lambda skill: skill)


def _assemble(parts: list[_PartResult], layout: _Layout, ns: int, id_of) -> RatingPartials:
    """Add up the parts' counts over the catalogue's skills."""
    total = _Sums(ns, layout.nd, layout.nq)
    for part in parts:
        if part.skills:
            total.add(part.sums, np.array([id_of(s) for s in part.skills], dtype=np.int64))
    return total.partials(layout.q0)


def _arrow_skill_partials(ratings: pd.DataFrame | ParquetTable, roster: _Roster, drafts: _Drafts,
                          scope: ReportScope, other: pd.Series | None) -> tuple[pd.DataFrame, RatingPartials]:
    """The skill catalogue and the partials in one pass over the ratings (the arrow engine)."""
    first = _first_rating_date(ratings)
    parts: list[_PartResult] = []
    if first is not None and len(roster.dept):
        layout = _Layout.of(roster, scope, first)
        parts = _arrow_pass(ratings, roster, drafts, layout, None)
    counts = pd.DataFrame({"raw": [s for p in parts for s in p.spellings],
                           "n": np.concatenate([p.uses for p in parts]) if parts else np.zeros(0, dtype=np.int64)})
    if not parts and isinstance(ratings, pd.DataFrame) and len(ratings):
        counts = ratings["skill"].astype(object).value_counts().rename_axis("raw").reset_index(name="n")
    if other is not None and len(other):
        counts = pd.concat([counts, pd.DataFrame({"raw": pd.unique(pd.Series(other, dtype=object).dropna()),
                                                  "n": 0})], ignore_index=True)
    counts = counts[counts["raw"].notna()].groupby("raw", as_index=False)["n"].sum()
    catalogue = skill_catalogue(counts["raw"], counts)
    if not parts or not len(catalogue):
        return catalogue, _empty_partials()
    id_of_key = dict(zip(catalogue["raw"].map(S.skill_key), catalogue["skill_id"].astype(int)))
    return catalogue, _assemble(parts, layout, int(catalogue["skill_id"].max()) + 1, id_of_key.__getitem__)


def _part_sums(source: Any, context: dict) -> _PartResult:
    """Read one part (a Parquet file or an Arrow table) and count it (see :func:`rating_partials`)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    layout: _Layout = context["layout"]
    roster: _Roster = context["roster"]
    # Column by column, each turned at once into small integers: the decoded columns are several times
    # larger, and two parts are in work at a time.
    if isinstance(source, Path):
        file = pq.ParquetFile(source, read_dictionary=list(_DICTIONARY_COLUMNS))
        groups = {"skill": ("skill", "employee_id", "source"), "date": ("date", "self_rating", "coach_rating")}
        read: dict[str, Any] = {}

        def column(name: str) -> Any:
            # Two reads of three columns, asked for in this order: fewer calls than one per column, and
            # half the memory of one read.
            if name in groups:
                read.clear()
                table = file.read(columns=list(groups[name]), use_threads=False)
                read.update({c: table.column(c) for c in groups[name]})
            return read.pop(name)
    else:
        def column(name: str) -> Any:
            values = source.column(name)
            return pc.dictionary_encode(values) if name in _DICTIONARY_COLUMNS else values

    # Skills: the part's own numbers for the skills (or catalogue ids) its spellings stand for.
    spelling_values, spelling = _dictionary(column("skill"))
    spellings = [str(v) for v in spelling_values.to_pylist()]
    uses = np.bincount(spelling[spelling >= 0], minlength=len(spellings)).astype(np.int64)
    keys = [context["key_of"](s) for s in spellings]
    skills = list(dict.fromkeys(k for k in keys if k is not None))
    number = {k: i for i, k in enumerate(skills)}
    ns = len(skills)
    sums = _Sums(ns, layout.nd, layout.nq)
    result = _PartResult(sums, skills, spellings, uses)
    if not len(spelling) or not ns:
        return result
    part = {"skill_of": np.array([number.get(k, -1) if k is not None else -1 for k in keys] + [-1], dtype=np.int32),
            "spelling": spelling.astype(np.int8 if len(spellings) < 127 else np.int32)}
    del spelling
    # Employees: the part's own numbers (positions in its dictionary of ids); the roster is probed once
    # per part for their departments.
    emp_values, emp = _dictionary(column("employee_id"), distinct=True)
    ne = len(emp_values)
    emp = np.where(emp >= 0, emp, np.int32(ne))  # a missing id: the extra last slot of dept_of (a new array, so
    #                                               the decoded column can go)
    where = pc.index_in(roster.ids, value_set=emp_values.cast(roster.ids.type))
    dept_of = np.full(ne + 1, -1, dtype=np.int32)  # -1: not on the roster (the last slot: a missing id)
    dept_of[where.drop_null().to_numpy().astype(np.int64)] = roster.dept[where.is_valid().to_numpy(zero_copy_only=False)]
    source_values, source_pos = _dictionary(column("source"))
    part["source"] = source_pos.astype(np.int8 if len(source_values) < 127 else np.int32)
    part["priority"] = np.array([_SOURCE_PRIORITY.get(s, 0) * 10 for s in source_values.to_pylist()] + [0],
                                dtype=np.int32)
    date, per_day = _timestamps(column("date"))
    part["day"] = _day_numbers(date, per_day, layout)
    del date
    part["self"] = _ratings(column("self_rating"))
    part["coach"] = _ratings(column("coach_rating"))
    part["drafts"] = _part_drafts(source, context, emp_values)
    pa.default_memory_pool().release_unused()  # hand the decoded columns' memory back (mimalloc keeps it otherwise)
    # Count in chunks of about _CHUNK rows, each a run of whole employees (the store writes a person's rows
    # together; rows of an in-memory frame are put in that order first), so the work arrays stay small.
    order = None
    if len(emp) > 1 and (emp[1:] < emp[:-1]).any():
        order = np.argsort(emp, kind="stable")
        emp = emp[order]
    most = max(1, _CELL_CAP // (ns * layout.nq))  # employees per chunk, for the dense arrays
    start = 0
    while start < len(emp):
        first_emp = emp[start]
        stop = min(start + _CHUNK, len(emp), int(np.searchsorted(emp, first_emp + most)))
        if stop < len(emp):  # end on a change of employee
            back = int(np.searchsorted(emp, emp[stop], side="left"))
            stop = back if back > start else int(np.searchsorted(emp, emp[stop], side="right"))
        rows = slice(start, stop) if order is None else order[start:stop]
        last_emp = int(emp[stop - 1])
        _count_chunk(part, rows, emp[start:stop], first_emp, dept_of[first_emp:last_emp + 1], ns, context, sums)
        start = stop
    return result


def _count_chunk(part: dict, rows: Any, emp: np.ndarray, first_emp: int, dept_of: np.ndarray, ns: int,
                 context: dict, sums: _Sums) -> None:
    """Count one run of whole employees of a part (``rows`` of the part's arrays; ``emp`` their employees)."""
    layout: _Layout = context["layout"]
    skill = part["skill_of"][part["spelling"][rows]]
    self_r = part["self"][rows]
    day = part["day"][rows]
    emp = emp - first_emp
    dept = dept_of[emp]
    keep = (dept >= 0) & (skill >= 0) & (day >= 0) & (self_r > 0)
    src = part["source"][rows]
    if part["drafts"] is not None:
        keep &= ~_draft_rows(part["drafts"], emp + first_emp, day, part["priority"][src] == _CHECKIN * 10, rows,
                             context)
    kept = np.flatnonzero(keep)
    if not len(kept):
        return
    if len(kept) < len(keep):
        emp, day, skill, dept, self_r, src = emp[kept], day[kept], skill[kept], dept[kept], self_r[kept], src[kept]
        rows = np.arange(rows.start, rows.stop)[kept] if isinstance(rows, slice) else rows[kept]
    coach_r = part["coach"][rows]
    quarter = context["quarter"][day]
    nq, nd = layout.nq, layout.nd
    emp_skill = emp * np.int32(ns) + skill
    chunk = _Rows(emp=emp, emp_skill=emp_skill, quarter=quarter, cell=emp_skill * np.int32(nq) + quarter,
                  # on one day: conversation > check-in > import, then the higher rating
                  code=context["within30"][day] + part["priority"][src] + (self_r - 1),
                  hist=((skill * np.int32(nd) + dept) * np.int32(nq) + quarter) * np.int32(10) + (self_r - 1),
                  inside=context["in_period"][day] & layout.selected[dept], pair=coach_r > 0, gap=self_r - coach_r)
    _count_block(chunk, dept_of, ns, layout, context["buffers"], sums)


def _part_drafts(source: Any, context: dict, emp_values: Any) -> dict | None:
    """What one ratings part needs to leave out draft ratings (see :class:`_Drafts`); None: no draft there."""
    import pyarrow.compute as pc

    drafts: _Drafts = context["drafts"]
    if not drafts.by_day:
        if not drafts.ids:
            return None
        return {"source": source, "is_draft": _record_is_draft(source, context)}
    found_drafts = drafts.by_day_for(source)
    if found_drafts is None:
        return None
    employees, days, shared = found_drafts
    where = pc.index_in(employees, value_set=emp_values.cast(employees.type))
    found = where.is_valid().to_numpy(zero_copy_only=False)
    layout: _Layout = context["layout"]
    span = np.int64(layout.end_day - layout.first_day)
    draft_emp = where.drop_null().to_numpy().astype(np.int64)
    draft_day = days[found] - layout.first_day
    inside = (draft_day >= 0) & (draft_day < span)
    if not inside.any():
        return None
    draft_emp, draft_day, shared = draft_emp[inside], draft_day[inside], shared[found][inside]
    has_draft = np.zeros(len(emp_values) + 1, dtype=bool)  # the last slot: a missing id
    has_draft[draft_emp] = True
    key = draft_emp * span + draft_day
    return {"source": source, "span": span, "has_draft": has_draft, "key": np.sort(key), "shared": np.sort(key[shared])}


def _draft_rows(drafts: dict, emp: np.ndarray, day: np.ndarray, is_checkin: np.ndarray, rows: Any,
                context: dict) -> np.ndarray:
    """Per row of a chunk (``rows`` of its part; ``emp`` positions in the part): given in a draft?"""
    if "is_draft" in drafts:
        return drafts["is_draft"][rows] & ~is_checkin
    out = np.zeros(len(emp), dtype=bool)
    candidate = np.flatnonzero(drafts["has_draft"][emp] & ~is_checkin & (day >= 0))
    if not len(candidate):
        return out
    key = emp[candidate].astype(np.int64) * drafts["span"] + day[candidate]
    hit = np.isin(key, drafts["key"])
    shared = hit & np.isin(key, drafts["shared"])
    if shared.any():  # a draft and another conversation on one day: the record ids decide
        if "record" not in drafts:
            drafts["record"] = _record_is_draft(drafts["source"], context)
        picked = np.arange(rows.start, rows.stop)[candidate] if isinstance(rows, slice) else rows[candidate]
        hit[shared] = drafts["record"][picked[shared]]
    out[candidate[hit]] = True
    return out


def _day_numbers(values: np.ndarray, per_day: int, layout: _Layout) -> np.ndarray:
    """Days from the layout's first day, as int32; -1 for days before it or from its end on."""
    day = values // per_day - layout.first_day
    return np.where((day >= 0) & (day < layout.end_day - layout.first_day), day, -1).astype(np.int32)


def _timestamps(column: Any) -> tuple[np.ndarray, int]:
    """A timestamp column as int64 (missing: far in the future, so left out) and its units per day."""
    import pyarrow as pa
    import pyarrow.compute as pc

    per_day = {"s": 86_400, "ms": 86_400_000, "us": 86_400_000_000, "ns": 86_400_000_000_000}[column.type.unit]
    values = column.cast(pa.int64())
    if values.null_count:
        values = pc.fill_null(values, np.iinfo(np.int64).max)
    return values.to_numpy(), per_day


def _record_is_draft(source: Any, context: dict) -> np.ndarray:
    """Per row of a part: is its record id a draft conversation's id."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    if isinstance(source, Path):
        record_ids = pq.read_table(source, columns=["record_id"], use_threads=False).column("record_id")
    else:
        record_ids = source.column("record_id")
    draft_ids = pa.array(context["drafts"].ids, type=pa.string())
    return pc.fill_null(pc.is_in(record_ids, value_set=draft_ids), False).to_numpy(zero_copy_only=False)


def _lookup(values: list[int], positions: np.ndarray, dtype: Any, missing: int = -1) -> np.ndarray:
    """``values[position]`` per row as ``dtype`` (``missing`` where the position is -1)."""
    return np.array([*values, missing], dtype=dtype)[positions]


def _dictionary(column: Any, distinct: bool = False) -> tuple[Any, np.ndarray]:
    """A dictionary-encoded column as (its values, the position of each row's value; -1: missing).

    With ``distinct``, no value appears twice in the dictionary (a row's
    position then identifies its value).
    """
    import pyarrow.compute as pc

    unified = column.num_chunks > 1
    merged = column.unify_dictionaries().combine_chunks() if unified else column.chunk(0)
    values, indices = merged.dictionary, merged.indices
    positions = (indices.fill_null(-1) if indices.null_count else indices).to_numpy(zero_copy_only=False)
    if distinct and not unified:  # a unified dictionary holds each value once; a single chunk's may not
        unique = pc.unique(values)
        if len(unique) != len(values):
            remap = np.append(pc.index_in(values, value_set=unique).to_numpy(zero_copy_only=False), -1)
            values, positions = unique, remap[positions]
    return values, positions.astype(np.int32, copy=False)


def _epoch_days(column: Any, first_day: int, end_day: int) -> np.ndarray:
    """Days from ``first_day`` of a timestamp column as int32; -1 for missing days and days outside."""
    import pyarrow as pa

    per_day = {"s": 86_400, "ms": 86_400_000, "us": 86_400_000_000, "ns": 86_400_000_000_000}[column.type.unit]
    values = column.cast(pa.int64()).to_numpy(zero_copy_only=False)
    if column.null_count:
        values = np.where(column.is_valid().to_numpy(zero_copy_only=False), values, np.iinfo(np.int64).max)
    day = values // per_day - first_day
    return np.where((day >= 0) & (day < end_day - first_day), day, -1).astype(np.int32)


def _ratings(column: Any) -> np.ndarray:
    """A rating column as int8, 0 where missing.

    Raises
    ------
    ValueError
        For a rating outside 1-10 (validation never lets one in).
    """
    import pyarrow.compute as pc

    low, high = pc.min_max(column).values()
    if low.is_valid and (low.as_py() < S.RATING_MIN or high.as_py() > S.RATING_MAX):
        raise ValueError(f"skill_ratings holds a rating outside {S.RATING_MIN}-{S.RATING_MAX} "
                         f"(from {low.as_py()} to {high.as_py()}); run `careerconv validate`")
    return (column.fill_null(0) if column.null_count else column).to_numpy().astype(np.int8)


@dataclass
class _Rows:
    """One part's self ratings as small integers, each employee's rows together.

    Employees and skills are numbered within the part; a *cell* is one
    (employee, skill, quarter).
    """

    emp: np.ndarray
    emp_skill: np.ndarray  # employee * skills + skill
    quarter: np.ndarray  # quarters since the first one
    cell: np.ndarray  # emp_skill * quarters + quarter
    code: np.ndarray  # orders a person's ratings in a cell: day in the quarter, source, rating
    hist: np.ndarray  # ((skill * departments + department) * quarters + quarter) * 10 + rating - 1
    inside: np.ndarray  # in the period and a selected department
    pair: np.ndarray  # there is a coach rating too
    gap: np.ndarray  # self - coach

    def take(self, index: Any) -> "_Rows":
        return _Rows(**{name: value[index] for name, value in vars(self).items()})


def _scratch(buffers: Any, name: str, size: int, dtype: Any, fill: int) -> np.ndarray:
    """A reusable array of this thread, every element ``fill`` (allocating and first touching tens of MB per
    part is slow); callers put back ``fill`` where they wrote."""
    array = getattr(buffers, name, None)
    if array is None or len(array) < size:
        array = np.full(size + size // 8, fill, dtype=dtype)  # room to spare: the next part may be larger
        setattr(buffers, name, array)
    return array


def _count_block(rows: _Rows, dept_of: np.ndarray, ns: int, layout: _Layout, buffers: Any, sums: _Sums) -> None:
    """Add one block of employees' self ratings to ``sums``.

    ``rows`` hold employees 0..len(dept_of)-1, each employee's rows
    together; ``dept_of`` gives their departments. Each person's latest
    rating per skill and quarter is found by scatter-max into a dense array
    of cells; a row's position among its employee's rows breaks ties, so
    exactly one row wins each cell.
    """
    nd, nq = layout.nd, layout.nq
    n, n_emp = len(rows.emp), len(dept_of)
    n_cells, n_skills = n_emp * ns * nq, n_emp * ns
    # Ties (the same rating twice on one day) are broken by the row's position: rows of one employee are
    # together, so 20 bits of it tell apart the rows of anyone with fewer than a million ratings.
    if n > _TIE_MASK and int(np.diff(np.flatnonzero(np.diff(rows.emp, prepend=-1, append=n_emp))).max()) > _TIE_MASK:
        raise ValueError("an employee has more than a million ratings in one part of skill_ratings")
    tie = _scratch(buffers, "tie", n, np.uint32, 0)
    if getattr(buffers, "tie_ready", 0) < n:  # row positions (20 bits), made once per thread
        np.bitwise_and(np.arange(len(tie), dtype=np.uint32), np.uint32(_TIE_MASK), out=tie)
        buffers.tie_ready = len(tie)
    packed = (rows.code.astype(np.uint32) << np.uint32(20)) | tie[:n]
    # Per employee, skill and quarter: the latest self rating, and whether any rating there has a coach pair.
    best = _scratch(buffers, "best", n_cells, np.uint32, 0)
    np.maximum.at(best, rows.cell, packed)
    win = np.flatnonzero(best[rows.cell] == packed)
    del packed
    cells = rows.cell[win]
    best[cells] = 0
    with_pair = _scratch(buffers, "with_pair", n_cells, np.uint8, 0)
    np.maximum.at(with_pair, rows.cell, rows.pair.view(np.uint8))
    paired = with_pair[cells].view(bool)
    with_pair[cells] = 0
    hist = rows.hist[win]
    trend = sums.trend.reshape(-1)
    trend += np.bincount(hist, minlength=trend.size)
    contrib = sums.contrib.reshape(-1)
    contrib += np.bincount(hist[paired] // np.int32(10), minlength=contrib.size)
    del cells, paired, hist
    # Per employee and skill over the period (selected departments): the latest of the quarters' winners.
    win = win[rows.inside[win]]
    emp_skill = rows.emp_skill[win]
    order = rows.quarter[win] * np.int32(4096) + rows.code[win]  # quarter, then code: no ties
    latest = _scratch(buffers, "latest", n_skills, np.int32, -1)
    np.maximum.at(latest, emp_skill, order)
    hist = rows.hist[win[latest[emp_skill] == order]]
    latest[emp_skill] = -1
    dist = sums.dist.reshape(-1)
    dist += np.bincount(hist // np.int32(10 * nq) * np.int32(10) + hist % np.int32(10), minlength=dist.size)
    del win, emp_skill, order, hist
    # Self minus coach per employee and skill over the period, then per employee over all skills. One
    # weighted count carries both: each pair adds 2**20 + gap, exact while a person has fewer than 58,000
    # pairs for one skill (|sum of gaps| <= 9 * pairs < 2**19); past that, two counts.
    paired = np.flatnonzero(rows.pair & rows.inside)
    emp_skill = rows.emp_skill[paired]
    both = np.bincount(emp_skill, weights=rows.gap[paired] + float(1 << 20), minlength=n_skills)
    count = np.floor((both + (1 << 19)) / (1 << 20))
    if len(count) and count.max() >= 58_000:
        count = np.bincount(emp_skill, minlength=n_skills).astype(float)
    total = both - count * (1 << 20)
    some = np.flatnonzero(count)
    _add_gaps(sums.gaps.reshape(-1, 4), (some % ns) * nd + dept_of[some // ns], total[some], count[some])
    count, total = count.reshape(n_emp, ns).sum(axis=1), total.reshape(n_emp, ns).sum(axis=1)
    some = np.flatnonzero(count)
    _add_gaps(sums.gaps_all, dept_of[some], total[some], count[some])


def _add_gaps(into: np.ndarray, group: np.ndarray, total: np.ndarray, count: np.ndarray) -> None:
    """Per group (row of ``into``): people, the sum of their mean gaps, how many rate themselves higher, lower."""
    size = len(into)
    into[:, 0] += np.bincount(group, minlength=size)
    into[:, 1] += np.bincount(group, weights=total / count, minlength=size)
    into[:, 2] += np.bincount(group[total > 0], minlength=size)
    into[:, 3] += np.bincount(group[total < 0], minlength=size)


# --------------------------------------------------------------------------- the duckdb engine


def _partials_duckdb(ratings: pd.DataFrame | ParquetTable, roster: _Roster, catalogue: pd.DataFrame,
                     drafts: list[str], layout: _Layout) -> RatingPartials:
    """The DuckDB engine: the whole computation as one SQL query (see :func:`rating_partials`)."""
    import duckdb
    import pyarrow as pa

    con = duckdb.connect(config={"threads": 2, "preserve_insertion_order": False})
    try:
        con.register("roster_t", pa.table({"employee_id": roster.ids, "emp": pa.array(np.arange(len(roster.dept))),
                                           "dept": pa.array(roster.dept)}))
        con.register("skill_map", pa.table({"raw": pa.array(catalogue["raw"].astype(str).tolist(), type=pa.string()),
                                            "skill_id": pa.array(catalogue["skill_id"].to_numpy(dtype=np.int64))}))
        con.register("drafts", pa.table({"conversation_id": pa.array(drafts, type=pa.string())}))
        con.register("selected", pa.table({"dept": pa.array(np.flatnonzero(layout.selected).astype(np.int64))}))
        if isinstance(ratings, ParquetTable):
            if not ratings.paths:
                return _empty_partials()
            source = "read_parquet([" + ", ".join(_sql_string(str(p)) for p in ratings.paths) + "])"
        else:
            con.register("ratings_frame", _arrow_frame(ratings, list(HR_COLUMNS["skill_ratings"])))
            source = "ratings_frame"
        end = pd.Timestamp(0) + pd.Timedelta(days=layout.end_day)
        sql = _DUCKDB_SQL.format(source=source, end=_sql_string(f"{end:%Y-%m-%d}"), w0=layout.q0 + layout.w0,
                                 first_day=layout.first_day, span=_PRIORITY_SPAN)
        result = con.execute(sql).df()
    finally:
        con.close()
    out = {}
    for name, columns in _PARTIAL_COLUMNS.items():
        part = result[result["part"] == name]
        out[name] = part.loc[:, columns].reset_index(drop=True)
    return _typed_partials(out)


# One query: ratings -> (employee, skill, quarter) -> (employee, skill) over the period -> the partials, as rows of
# one result told apart by ``part``. code orders a person's ratings of a skill (day, source, rating; see _PRIORITY_SPAN).
_DUCKDB_SQL = """
WITH r AS (
    SELECT ro.emp, ro.dept, sm.skill_id,
           year(r.date) * 4 + quarter(r.date) - 1 AS qi,
           CASE WHEN r.self_rating BETWEEN 1 AND 10 THEN
                (epoch_us(r.date) // 86400000000 - {first_day}) * {span}
                + (CASE r.source WHEN 'conversation' THEN 2 WHEN 'checkin' THEN 1 ELSE 0 END) * 10
                + r.self_rating - 1 END AS code,
           r.self_rating BETWEEN 1 AND 10 AND r.coach_rating BETWEEN 1 AND 10 AS pair,
           r.self_rating - r.coach_rating AS gap
    FROM {source} r
    JOIN roster_t ro ON r.employee_id = ro.employee_id
    JOIN skill_map sm ON r.skill = sm.raw
    ANTI JOIN drafts d ON r.record_id = d.conversation_id AND coalesce(r.source, '') <> 'checkin'
    WHERE r.date < TIMESTAMP {end} AND ro.dept >= 0
),
cell AS MATERIALIZED (
    SELECT emp, dept, skill_id, qi, max(code) AS code, count(*) FILTER (WHERE pair) AS n_pairs,
           sum(gap) FILTER (WHERE pair) AS gap_total
    FROM r GROUP BY emp, dept, skill_id, qi
),
person AS MATERIALIZED (
    SELECT emp, dept, skill_id, max(code) AS code, sum(n_pairs) AS n_pairs, sum(gap_total) AS gap_total
    FROM cell WHERE qi >= {w0} AND dept IN (SELECT dept FROM selected) GROUP BY emp, dept, skill_id
),
person_all AS (
    SELECT emp, dept, sum(n_pairs) AS n_pairs, sum(gap_total) AS gap_total
    FROM person WHERE n_pairs > 0 GROUP BY emp, dept
)
SELECT 'trend_hist' AS part, skill_id, dept, qi, code % 10 + 1 AS v, count(*) AS n,
       NULL::DOUBLE AS gap_sum, NULL::BIGINT AS n_higher, NULL::BIGINT AS n_lower
FROM cell WHERE code IS NOT NULL GROUP BY ALL
UNION ALL
SELECT 'gap_contrib', skill_id, dept, qi, NULL, count(*), NULL, NULL, NULL FROM cell WHERE n_pairs > 0 GROUP BY ALL
UNION ALL
SELECT 'dist_hist', skill_id, dept, NULL, code % 10 + 1, count(*), NULL, NULL, NULL
FROM person WHERE code IS NOT NULL GROUP BY ALL
UNION ALL
SELECT 'gaps', skill_id, dept, NULL, NULL, count(*), sum(gap_total / n_pairs),
       count(*) FILTER (WHERE gap_total > 0), count(*) FILTER (WHERE gap_total < 0)
FROM person WHERE n_pairs > 0 GROUP BY ALL
UNION ALL
SELECT 'gaps_all', -1, dept, NULL, NULL, count(*), sum(gap_total / n_pairs),
       count(*) FILTER (WHERE gap_total > 0), count(*) FILTER (WHERE gap_total < 0)
FROM person_all GROUP BY ALL
"""

def _first_rating_date(ratings: pd.DataFrame | ParquetTable) -> pd.Timestamp | None:
    """The earliest rating date (from the Parquet statistics where the parts have them)."""
    if isinstance(ratings, ParquetTable):
        dates = [d for d in (_parquet_min_date(p) for p in ratings.paths) if d is not None]
        return min(dates) if dates else None
    if not len(ratings):
        return None
    first = pd.to_datetime(ratings["date"]).min()
    return None if pd.isna(first) else pd.Timestamp(first)


def _parquet_min_date(path: Path) -> pd.Timestamp | None:
    """The smallest ``date`` of one part: from its row-group statistics, else by reading the column."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(path).metadata
    if "date" not in meta.schema.names or not meta.num_rows:
        return None
    column = meta.schema.names.index("date")
    dates = []
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        if not group.num_rows:
            continue
        stats = group.column(column).statistics
        if stats is None or not stats.has_min_max:
            first = pc.min(pq.read_table(path, columns=["date"])["date"]).as_py()
            return None if first is None else pd.Timestamp(first)
        dates.append(pd.Timestamp(stats.min))
    return min(dates) if dates else None


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
    if drafts:  # given in a draft conversation: its record id, any source but a check-in
        keep &= ~(r["record_id"].isin(drafts).to_numpy()
                  & (r["source"].astype(object).fillna("") != "checkin").to_numpy())
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
    # The same order as the other engines: day, then source, then the rating (code % 10 + 1).
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
