"""The rating engine's shared types.

:class:`RatingPartials`, the roster and cell layout the engines map ratings to, quarter indices and
the helpers every engine uses to build, add up and type the partials.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from careerconv.records.schema import DATE, EMPLOYEE_ID
from .constants import DEPARTMENT
from .inputs import ParquetTable
from .quarters import index_start, quarter_index, quarter_index_of
from .scope import ReportScope


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


@dataclass(frozen=True)
class RosterCodes:
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
    def from_frame(cls, roster: pd.DataFrame) -> "RosterCodes":
        """From a frame with ``employee_id`` and ``department``."""
        import pyarrow as pa

        departments = roster[DEPARTMENT].astype(object)
        names = tuple(sorted({str(d) for d in departments.dropna()}))
        code = {name: i for i, name in enumerate(names)}
        dept = departments.map(code).fillna(-1).to_numpy(dtype=np.int64)
        ids = pa.array(roster[EMPLOYEE_ID].astype(object).to_numpy(), type=pa.string(), from_pandas=True)
        return cls(ids, dept, names)

    @classmethod
    def from_codes(cls, codes: pd.DataFrame) -> "RosterCodes":
        """From :func:`rating_partials`' ``roster_codes`` (keeping its department codes)."""
        import pyarrow as pa

        pairs = codes.loc[:, ["dept", DEPARTMENT]].drop_duplicates("dept").sort_values("dept")
        size = int(pairs["dept"].max()) + 1 if len(pairs) else 0
        names = [""] * size
        for code, name in zip(pairs["dept"], pairs[DEPARTMENT]):
            names[int(code)] = str(name)
        ids = pa.array(codes[EMPLOYEE_ID].astype(object).to_numpy(), type=pa.string(), from_pandas=True)
        return cls(ids, codes["dept"].to_numpy(dtype=np.int64), tuple(names))

    @classmethod
    def from_arrow(cls, table: Any) -> "RosterCodes":
        """From a PyArrow table with string columns ``employee_id`` and ``department``."""
        import pyarrow as pa
        import pyarrow.compute as pc

        encoded = pc.dictionary_encode(table.column(DEPARTMENT).combine_chunks())
        found = [str(v) for v in encoded.dictionary.to_pylist()]
        names = tuple(sorted(set(found)))
        rank = np.array([names.index(v) for v in found] + [-1], dtype=np.int64)
        indices = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        ids = table.column(EMPLOYEE_ID).combine_chunks().cast(pa.string())
        return cls(ids, rank[indices], names)

    def codes_frame(self) -> pd.DataFrame:
        """``employee_id, emp, dept, department`` (the pandas engine's input)."""
        names = np.array([*self.names, None], dtype=object)
        return pd.DataFrame({EMPLOYEE_ID: self.ids.to_numpy(zero_copy_only=False).astype(object),
                             "emp": np.arange(len(self.dept), dtype=np.int64), "dept": self.dept,
                             DEPARTMENT: names[self.dept]})


@dataclass(frozen=True)
class CellLayout:
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
    def of(cls, roster: "RosterCodes", scope: ReportScope, first: pd.Timestamp) -> "CellLayout":
        q0 = min(quarter_index_of(pd.Timestamp(first)), quarter_index_of(scope.start))
        wanted = set(scope.selected)
        selected = np.array([name in wanted for name in roster.names], dtype=bool)
        return cls(nd=len(roster.names), q0=q0,
                   nq=max(quarter_index_of(scope.end) - q0, 1), w0=quarter_index_of(scope.start) - q0,
                   first_day=_epoch_day(index_start(q0)), end_day=_epoch_day(scope.end), selected=selected)

    def quarter_tables(self) -> tuple[np.ndarray, np.ndarray]:
        """Per day from ``first_day`` to ``end_day``: its quarter offset and its day within the quarter (int16)."""
        days = pd.date_range(index_start(self.q0), periods=self.end_day - self.first_day, freq="D")
        quarter = (quarter_index(days.to_numpy()) - self.q0).astype(np.int32)
        starts = np.array([_epoch_day(index_start(self.q0 + q)) for q in range(self.nq)], dtype=np.int64)
        within = (np.arange(self.first_day, self.end_day) - starts[quarter]).astype(np.int16)
        return quarter, within


def _epoch_day(day: pd.Timestamp) -> int:
    return int((pd.Timestamp(day) - pd.Timestamp(0)).days)


def first_date_of(table: pd.DataFrame | ParquetTable) -> pd.Timestamp | None:
    """The earliest ``date`` of a table (from the Parquet statistics where the parts have them)."""
    if isinstance(table, ParquetTable):
        dates = [d for d in (_parquet_min_date(p) for p in table.paths) if d is not None]
        return min(dates) if dates else None
    if not len(table):
        return None
    first = pd.to_datetime(table[DATE]).min()
    return None if pd.isna(first) else pd.Timestamp(first)


def _parquet_min_date(path: Path) -> pd.Timestamp | None:
    """The smallest ``date`` of one part: from its row-group statistics, else by reading the column."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(path).metadata
    if DATE not in meta.schema.names or not meta.num_rows:
        return None
    column = meta.schema.names.index(DATE)
    dates = []
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        if not group.num_rows:
            continue
        stats = group.column(column).statistics
        if stats is None or not stats.has_min_max:
            first = pc.min(pq.read_table(path, columns=[DATE])[DATE]).as_py()
            return None if first is None else pd.Timestamp(first)
        dates.append(pd.Timestamp(stats.min))
    return min(dates) if dates else None


def _sum_partials(parts: list[RatingPartials]) -> RatingPartials:
    """Add up partial summaries of disjoint sets of employees."""
    if not parts:
        return empty_partials()
    if len(parts) == 1:
        return parts[0]
    merged = {}
    for name, columns in _PARTIAL_COLUMNS.items():
        both = pd.concat([getattr(p, name) for p in parts], ignore_index=True)
        keys = [c for c in columns if c in ("skill_id", "dept", "qi", "v")]
        merged[name] = both.groupby(keys, as_index=False, sort=True).sum()
    return typed_partials(merged)


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def selected_codes(roster_codes: pd.DataFrame, scope: ReportScope) -> set[int]:
    """The department codes (``dept`` of :meth:`RosterCodes.codes_frame`) of the departments the report selects."""
    wanted = set(scope.selected)
    names = roster_codes.drop_duplicates("dept").set_index("dept")[DEPARTMENT]
    return {int(code) for code, name in names.items() if name in wanted}


_PARTIAL_COLUMNS = {
    "trend_hist": ["skill_id", "dept", "qi", "v", "n"], "dist_hist": ["skill_id", "dept", "v", "n"],
    "gaps": ["skill_id", "dept", "n", "gap_sum", "n_higher", "n_lower"],
    "gaps_all": ["skill_id", "dept", "n", "gap_sum", "n_higher", "n_lower"],
    "gap_contrib": ["skill_id", "dept", "qi", "n"],
}


def typed_partials(frames: Mapping[str, pd.DataFrame | Mapping[str, np.ndarray]],
                   in_key_order: bool = False) -> RatingPartials:
    """:class:`RatingPartials` of ``frames`` (one per field, a frame or its columns as arrays): only their columns,
    typed and sorted by their keys, so that the engines' partials compare equal.

    A column already of its type is kept as it is (not converted again); with ``in_key_order`` (the caller made
    each frame's rows in the order of their keys) the rows are not sorted again.
    """
    out = {}
    for name, columns in _PARTIAL_COLUMNS.items():
        given = frames[name]
        frame = pd.DataFrame({column: _typed(given[column], column) for column in columns})
        if not in_key_order:
            frame = frame.sort_values([c for c in columns if c in ("skill_id", "dept", "qi", "v")],
                                      ignore_index=True)
        out[name] = frame
    return RatingPartials(**out)


def _typed(values: pd.Series | np.ndarray, column: str) -> pd.Series | np.ndarray:
    """``values`` as the column ``column`` of :class:`RatingPartials` holds them (as they are if already so)."""
    wanted = np.dtype(np.float64 if column == "gap_sum" else np.int64)
    return values if values.dtype == wanted else values.astype(wanted)


def empty_partials() -> RatingPartials:
    """:class:`RatingPartials` without a row."""
    return typed_partials({name: pd.DataFrame({c: [] for c in cols}) for name, cols in _PARTIAL_COLUMNS.items()})
