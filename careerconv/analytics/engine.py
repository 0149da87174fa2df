"""The rating engine: PyArrow reads the skill ratings, NumPy counts them.

:func:`rating_partials` (and :func:`catalogue_and_partials`, which also finds
every skill spelling in the same pass) summarise the skill ratings into
:class:`~careerconv.analytics.partials.RatingPartials`. It is the one engine
of the HR report, chosen on measurement (``benchmarks/bench_hr.py``): on the
500,000-employee benchmark organisation it takes about a fifth of the CPU time
and a quarter of the memory of the same computation as one DuckDB SQL query.
:mod:`careerconv.analytics.pandas_reference` is the plain pandas version the
tests and the benchmark compare it with.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from careerconv.records import schema
from careerconv.records.schema import (
    COACH_RATING, CONVERSATION_ID, DATE, EMPLOYEE_ID, RECORD_ID, SELF_RATING, SKILL, STATUS,
)
from careerconv.rules.followup import last_recorded
from .constants import HR_COLUMNS, with_optional_columns
from .inputs import ParquetTable
from .partials import CellLayout, RatingPartials, RosterCodes, empty_partials, first_date_of, typed_partials
from .scope import ReportScope
from .skills import skill_catalogue


# code = day * 20 + 10 if the rating was recorded last that day (careerconv.rules.followup.recorded_order)
# + (rating - 1): the latest day, then the rating recorded last, then the higher rating.
_DAY_SPAN = 20
_CELL_CAP = 1 << 23  # cells (employees x skills x quarters) of one block's dense arrays
_TIE_MASK = (1 << 20) - 1
_CHUNK = 1 << 17  # rows counted at once (whole employees)
_DICTIONARY_COLUMNS = (EMPLOYEE_ID, SKILL, "source")
_MAIN_COLUMNS = (EMPLOYEE_ID, DATE, SKILL, SELF_RATING, COACH_RATING, "source")


class Drafts:
    """Draft conversations: the ratings given in them are left out of every figure.

    A rating belongs to a draft when its source is not ``checkin`` and its
    ``record_id`` is the draft's id. Given the conversations table, the engine
    finds those ratings without reading a single record id: the store
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
        drafts = source[STATUS].astype(object).fillna("") != "completed"  # no status: not completed either
        return source.loc[drafts.to_numpy(dtype=bool), CONVERSATION_ID].astype(str).tolist()
    table = pq.read_table(source, columns=[CONVERSATION_ID, STATUS], use_threads=False)
    return table.filter(pc.fill_null(pc.not_equal(table.column(STATUS), "completed"), True)) \
        .column(CONVERSATION_ID).to_pylist()


def _draft_days_of_part(source: Path | pd.DataFrame) -> tuple | None:
    """One part of the conversations table: its drafts' employees and days, and whether the day is shared."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    if isinstance(source, Path):
        table = pq.read_table(source, columns=[EMPLOYEE_ID, DATE, STATUS],
                              read_dictionary=[EMPLOYEE_ID, STATUS], use_threads=False)
    else:
        table = _arrow_frame(source, [EMPLOYEE_ID, DATE, STATUS])
        table = pa.table({EMPLOYEE_ID: pc.dictionary_encode(table.column(EMPLOYEE_ID)),
                          DATE: table.column(DATE), STATUS: pc.dictionary_encode(table.column(STATUS))})
    if not table.num_rows:
        return None
    status_values, status = dictionary(table.column(STATUS))
    is_draft = _lookup([v != "completed" for v in status_values.to_pylist()], status, bool, missing=True)
    draft = np.flatnonzero(is_draft)
    if not len(draft):
        return None
    emp_values, emp = dictionary(table.column(EMPLOYEE_ID), distinct=True)
    day = _epoch_days(table.column(DATE), 0, np.iinfo(np.int32).max).astype(np.int64)  # -1: unknown
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
        if name in (DATE,):
            arrays[name] = pa.array(pd.to_datetime(values).to_numpy(dtype="datetime64[ns]"),
                                    mask=values.isna().to_numpy(), type=pa.timestamp("ns"))
        elif name in (SELF_RATING, COACH_RATING):
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
        out = {"trend_hist": {"skill_id": idx // (10 * nq * nd), "dept": idx // (10 * nq) % nd,
                              "qi": idx // 10 % nq + q0, "v": idx % 10 + 1, "n": self.trend.reshape(-1)[idx]}}
        idx = np.flatnonzero(self.contrib)
        out["gap_contrib"] = {"skill_id": idx // (nq * nd), "dept": idx // nq % nd, "qi": idx % nq + q0,
                              "n": self.contrib.reshape(-1)[idx]}
        idx = np.flatnonzero(self.dist)
        out["dist_hist"] = {"skill_id": idx // (10 * nd), "dept": idx // 10 % nd, "v": idx % 10 + 1,
                            "n": self.dist.reshape(-1)[idx]}
        for name, sums in (("gaps", self.gaps.reshape(ns * nd, 4)), ("gaps_all", self.gaps_all)):
            idx = np.flatnonzero(sums[:, 0])
            out[name] = {"skill_id": idx // nd if name == "gaps" else np.full(len(idx), -1),
                         "dept": idx % nd, "n": sums[idx, 0], "gap_sum": sums[idx, 1],
                         "n_higher": sums[idx, 2], "n_lower": sums[idx, 3]}
        # np.flatnonzero gives the cells in the order of the arrays, whose axes are the keys in their order
        # (skill, department, quarter, value): the rows are made in key order. The counts of people kept with the
        # gaps' (float) sums are whole numbers, made whole numbers by typed_partials.
        return typed_partials(out, in_key_order=True)


@dataclass
class _PartResult:
    """What one part gives: its counts over its own skills, and the skill spellings it uses."""

    sums: _Sums
    skills: list  # per skill of ``sums``: its global id, or its key (skill_key) when discovering
    spellings: list[str]
    uses: np.ndarray  # rows per spelling (every row, counted or not)


def _arrow_pass(ratings: pd.DataFrame | ParquetTable, roster: RosterCodes, drafts: Drafts, layout: CellLayout,
                skill_of: Mapping[str, int] | None) -> list[_PartResult]:
    """Count every part (see :func:`rating_partials`).

    With ``skill_of`` (spelling -> skill id) skills are numbered by it and
    spellings it lacks are left out; without it each part numbers the skill
    keys it finds (:func:`careerconv.records.schema.skill_key`) and the caller maps
    them to ids once every spelling is known.
    """
    import threading

    quarter, within = layout.quarter_tables()
    if skill_of is not None:
        key_of = skill_of.get
    else:
        cache: dict[str, str | None] = {}

        def key_of(spelling: str) -> str | None:
            if spelling not in cache:
                cache[spelling] = schema.skill_key(spelling) or None
            return cache[spelling]

    context = {"roster": roster, "layout": layout, "quarter": quarter, "key_of": key_of, "drafts": drafts,
               "within": within.astype(np.int32) * _DAY_SPAN,
               "days": np.int64(layout.end_day - layout.first_day), "in_period": quarter >= layout.w0,
               "buffers": threading.local()}
    if isinstance(ratings, ParquetTable):
        sources = list(ratings.paths)
    else:  # a frame, or one already converted (ratings_table)
        sources = [_arrow_frame(ratings, list(HR_COLUMNS["skill_ratings"])) if isinstance(ratings, pd.DataFrame)
                   else ratings]
    if len(sources) <= 1:
        return [_part_sums(source, context) for source in sources]
    # Two parts at a time (two cores): Parquet decoding and most NumPy work release the GIL.
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda source: _part_sums(source, context), sources))


def ratings_table(ratings: pd.DataFrame) -> Any:
    """The ``skill_ratings`` frame as the engine counts it: a PyArrow table, the employee ids, skills, sources and
    record ids dictionary-encoded (see :func:`_arrow_frame`). :func:`rating_partials` takes it in place of the frame, so
    several counts over one frame (other periods) convert it once."""
    import pyarrow as pa
    import pyarrow.compute as pc

    table = _arrow_frame(with_optional_columns("skill_ratings", ratings), list(HR_COLUMNS["skill_ratings"]))
    # The record ids too: a conversation's ratings share one, and the table is held for the other counts.
    return pa.table({name: pc.dictionary_encode(table.column(name)) if name in (*_DICTIONARY_COLUMNS, RECORD_ID)
                     else table.column(name) for name in table.column_names})


def _first_arrow_date(table: Any) -> pd.Timestamp | None:
    """The earliest ``date`` of a PyArrow table (:func:`ratings_table`), None if it has none."""
    import pyarrow as pa
    import pyarrow.compute as pc

    first = pc.min(table.column(DATE).cast(pa.int64())).as_py()
    return None if first is None else pd.Timestamp(first, unit=table.column(DATE).type.unit)


def _partials_of(ratings: pd.DataFrame | ParquetTable, roster: RosterCodes, catalogue: pd.DataFrame,
                 drafts: Drafts, layout: CellLayout) -> RatingPartials:
    """The partials with a given skill catalogue."""
    skill_of = dict(zip(catalogue["raw"], catalogue["skill_id"].astype(int)))
    parts = _arrow_pass(ratings, roster, drafts, layout, skill_of)
    return _assemble(parts, layout, int(catalogue["skill_id"].max()) + 1, lambda skill: skill)


def _assemble(parts: list[_PartResult], layout: CellLayout, ns: int, id_of) -> RatingPartials:
    """Add up the parts' counts over the catalogue's skills."""
    total = _Sums(ns, layout.nd, layout.nq)
    for part in parts:
        if part.skills:
            total.add(part.sums, np.array([id_of(s) for s in part.skills], dtype=np.int64))
    return total.partials(layout.q0)


def rating_partials(ratings: Any, roster_codes: pd.DataFrame, catalogue: pd.DataFrame,
                    drafts: Iterable[str], scope: ReportScope) -> RatingPartials:
    """Summarise the skill ratings into :class:`RatingPartials` (the heavy step).

    Part by part, two parts at a time: PyArrow reads the needed columns,
    string columns as dictionaries, so an employee id, a skill name or a
    source is looked up once per part rather than once per rating; NumPy
    turns each rating into small integers and reduces them with scatter-max
    into dense per-part arrays of (employee, skill, quarter) cells, which
    finds each person's latest rating without sorting or hashing millions of
    groups. The store's parts hold disjoint employees (:class:`ParquetTable`),
    so the per-part counts add up; each part is read a few columns at a time
    and counted a run of employees at a time, so memory stays at a fraction
    of two parts. A table in memory is counted as one part.

    Parameters
    ----------
    ratings
        The ``skill_ratings`` table, in memory (a frame, or :func:`ratings_table` of one) or as Parquet parts.
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

    Returns
    -------
    RatingPartials
    """
    if isinstance(ratings, pd.DataFrame):
        ratings = with_optional_columns("skill_ratings", ratings)
    roster = RosterCodes.from_codes(roster_codes)
    first = first_date_of(ratings) if isinstance(ratings, (pd.DataFrame, ParquetTable)) else _first_arrow_date(ratings)
    if first is None or not len(roster.dept) or not len(catalogue):
        return empty_partials()
    return _partials_of(ratings, roster, catalogue, Drafts(drafts), CellLayout.of(roster, scope, first))


def catalogue_and_partials(ratings: pd.DataFrame | ParquetTable, roster: RosterCodes, drafts: Drafts,
                           scope: ReportScope, other: pd.Series | None) -> tuple[pd.DataFrame, RatingPartials]:
    """The skill catalogue of every spelling (the ratings' and ``other``) and the partials, in one pass
    over the ratings (see :func:`rating_partials`)."""
    first = first_date_of(ratings)
    parts: list[_PartResult] = []
    if first is not None and len(roster.dept):
        layout = CellLayout.of(roster, scope, first)
        parts = _arrow_pass(ratings, roster, drafts, layout, None)
    counts = pd.DataFrame({"raw": [s for p in parts for s in p.spellings],
                           "n": np.concatenate([p.uses for p in parts]) if parts else np.zeros(0, dtype=np.int64)})
    if not parts and isinstance(ratings, pd.DataFrame) and len(ratings):
        counts = ratings[SKILL].astype(object).value_counts().rename_axis("raw").reset_index(name="n")
    if other is not None and len(other):
        counts = pd.concat([counts, pd.DataFrame({"raw": pd.unique(pd.Series(other, dtype=object).dropna()),
                                                  "n": 0})], ignore_index=True)
    counts = counts[counts["raw"].notna()].groupby("raw", as_index=False)["n"].sum()
    catalogue = skill_catalogue(counts["raw"], counts)
    if not parts or not len(catalogue):
        return catalogue, empty_partials()
    id_of_key = dict(zip(catalogue["raw"].map(schema.skill_key), catalogue["skill_id"].astype(int)))
    return catalogue, _assemble(parts, layout, int(catalogue["skill_id"].max()) + 1, id_of_key.__getitem__)


def _part_sums(source: Any, context: dict) -> _PartResult:
    """Read one part (a Parquet file or an Arrow table) and count it (see :func:`rating_partials`)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    layout: CellLayout = context["layout"]
    roster: RosterCodes = context["roster"]
    # Column by column, each turned at once into small integers: the decoded columns are several times
    # larger, and two parts are in work at a time.
    if isinstance(source, Path):
        file = pq.ParquetFile(source, read_dictionary=list(_DICTIONARY_COLUMNS))
        groups = {SKILL: (SKILL, EMPLOYEE_ID, "source"), DATE: (DATE, SELF_RATING, COACH_RATING)}
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
            if name in _DICTIONARY_COLUMNS and not pa.types.is_dictionary(values.type):
                values = pc.dictionary_encode(values)
            return values

    # Skills: the part's own numbers for the skills (or catalogue ids) its spellings stand for.
    spelling_values, spelling = dictionary(column(SKILL))
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
    emp_values, emp = dictionary(column(EMPLOYEE_ID), distinct=True)
    ne = len(emp_values)
    emp = np.where(emp >= 0, emp, np.int32(ne))  # a missing id: the extra last slot of dept_of (a new array, so
    #                                               the decoded column can go)
    where = pc.index_in(roster.ids, value_set=emp_values.cast(roster.ids.type))
    dept_of = np.full(ne + 1, -1, dtype=np.int32)  # -1: not on the roster (the last slot: a missing id)
    dept_of[where.drop_null().to_numpy().astype(np.int64)] = \
        roster.dept[where.is_valid().to_numpy(zero_copy_only=False)]
    source_values, source_pos = dictionary(column("source"))
    part["source"] = source_pos.astype(np.int8 if len(source_values) < 127 else np.int32)
    part["file"] = source
    part["source_names"] = np.array([*source_values.to_pylist(), None], dtype=object)  # the last: missing
    part["is_checkin"] = part["source_names"] == "checkin"
    date, per_day = _timestamps(column(DATE))
    part["day"] = _day_numbers(date, per_day, layout)
    del date
    part["self"] = _ratings(column(SELF_RATING))
    part["coach"] = _ratings(column(COACH_RATING))
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
    layout: CellLayout = context["layout"]
    skill = part["skill_of"][part["spelling"][rows]]
    self_r = part["self"][rows]
    day = part["day"][rows]
    emp = emp - first_emp
    dept = dept_of[emp]
    keep = (dept >= 0) & (skill >= 0) & (day >= 0) & (self_r > 0)
    src = part["source"][rows]
    if part["drafts"] is not None:
        keep &= ~_draft_rows(part["drafts"], emp + first_emp, day, part["is_checkin"][src], rows,
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
                  code=context["within"][day] + _last_of_day(part, rows, emp_skill, day, src, context) * 10
                  + (self_r - 1),
                  hist=((skill * np.int32(nd) + dept) * np.int32(nq) + quarter) * np.int32(10) + (self_r - 1),
                  inside=context["in_period"][day] & layout.selected[dept], pair=coach_r > 0, gap=self_r - coach_r)
    _count_block(chunk, dept_of, ns, layout, context["buffers"], sums)


def _last_of_day(part: dict, rows: Any, emp_skill: np.ndarray, day: np.ndarray, src: np.ndarray,
                 context: dict) -> np.ndarray:
    """Per row of a chunk: 1 if it is the self rating recorded last of its employee's ratings of that skill
    on that day (:func:`careerconv.rules.followup.last_recorded`), else 0.

    Several ratings of one skill on one day are rare: only those rows are ordered, and the part's record ids
    and save times are read only when it has some.
    """
    key = emp_skill.astype(np.int64) * context["days"] + day
    out = np.ones(len(key), dtype=np.int32)
    # Found by hashing (a sort of every chunk's keys costs several times more, for ties that are rare).
    tied = np.flatnonzero(pd.Series(key).duplicated(keep=False).to_numpy())
    if not len(tied):
        return out
    if "recorded" not in part:
        part["recorded"] = _recorded_columns(part["file"])
    record_ids, saved_at = part["recorded"]
    positions = (np.arange(rows.start, rows.stop) if isinstance(rows, slice) else np.asarray(rows))[tied]
    same_day = pd.DataFrame({"key": key[tied], "source": part["source_names"][src[tied]],
                             RECORD_ID: record_ids[positions], "saved_at": saved_at[positions]})
    out[tied] = last_recorded(same_day, ["key"])
    return out


def _recorded_columns(source: Any) -> tuple[np.ndarray, np.ndarray]:
    """A part's ``record_id`` and ``saved_at`` columns as object arrays (what orders ratings of one day)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(source, columns=[RECORD_ID, "saved_at"], use_threads=False) \
        if isinstance(source, Path) else source.select([RECORD_ID, "saved_at"])
    columns = [table.column(name) for name in (RECORD_ID, "saved_at")]
    # A dictionary-encoded column (ratings_table) is decoded first: its to_numpy does not keep missing values.
    return tuple((column.cast(column.type.value_type) if pa.types.is_dictionary(column.type) else column)
                 .to_numpy(zero_copy_only=False).astype(object) for column in columns)


def _part_drafts(source: Any, context: dict, emp_values: Any) -> dict | None:
    """What one ratings part needs to leave out draft ratings (see :class:`Drafts`); None: no draft there."""
    import pyarrow.compute as pc

    drafts: Drafts = context["drafts"]
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
    layout: CellLayout = context["layout"]
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


def _day_numbers(values: np.ndarray, per_day: int, layout: CellLayout) -> np.ndarray:
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
        record_ids = pq.read_table(source, columns=[RECORD_ID], use_threads=False).column(RECORD_ID)
    else:
        record_ids = source.column(RECORD_ID)
    draft_ids = pa.array(context["drafts"].ids, type=pa.string())
    return pc.fill_null(pc.is_in(record_ids, value_set=draft_ids), False).to_numpy(zero_copy_only=False)


def _lookup(values: list[int], positions: np.ndarray, dtype: Any, missing: int = -1) -> np.ndarray:
    """``values[position]`` per row as ``dtype`` (``missing`` where the position is -1)."""
    return np.array([*values, missing], dtype=dtype)[positions]


def dictionary(column: Any, distinct: bool = False) -> tuple[Any, np.ndarray]:
    """A dictionary-encoded column as (its values, the position of each row's value; -1: missing).

    With ``distinct``, no value appears twice in the dictionary (a row's
    position then identifies its value).
    """
    import pyarrow.compute as pc

    unified = column.num_chunks != 1  # several chunks, or none (a part whose rows were all erased)
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
    if low.is_valid and (low.as_py() < schema.RATING_MIN or high.as_py() > schema.RATING_MAX):
        raise ValueError(f"skill_ratings holds a rating outside {schema.RATING_MIN}-{schema.RATING_MAX} "
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
    code: np.ndarray  # orders a person's ratings in a cell: day in the quarter, recorded last that day, rating
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


def _count_block(rows: _Rows, dept_of: np.ndarray, ns: int, layout: CellLayout, buffers: Any, sums: _Sums) -> None:
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
