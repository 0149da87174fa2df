"""Figures that add up across parts of the employees.

The store keeps all rows of one employee in one Parquet part, so two parts
never share an employee. Every table built from per-employee rows is
therefore computed from pieces that simply add up: per group and department,
the number of distinct employees, the sums and counts behind each mean, the
sums, and how many employees have each value (so that medians stay exact),
plus the distinct employees per quarter that the privacy rules need
(:func:`contributions`). :func:`level_piece` builds one part's piece
from its employees' rows (:func:`summed_piece` from figures already summed),
:meth:`Piece.combine` adds the parts up and :func:`levels` turns the sums into
the organisation row and the department rows. With everything in memory there
is just one part.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from careerconv.records.schema import DATE, EMPLOYEE_ID
from .constants import DEPARTMENT, N
from .quarters import month_starts, quarter_months
from .scope import ReportScope

MEAN, SUM, MEDIAN = "mean", "sum", "median"
Stats = Mapping[str, tuple[str, str]]  # output name -> (column, MEAN | SUM | MEDIAN)


@dataclass
class Piece:
    """One table's additive figures for a set of employees.

    Attributes
    ----------
    by
        The table's grouping columns (besides the department).
    sums
        ``by..., department, n_employees`` and per statistic ``<name>|sum``
        (and ``<name>|count`` for a mean): one row per group and department.
    values
        ``by..., department, stat, value, count``: employees per value, for medians.
    contrib
        ``keys..., department, quarter, n``: distinct employees per quarter
        (see :func:`careerconv.rules.privacy.protect`).
    neighbours
        ``by..., department, edge, quarter, n``: distinct employees of each
        group in the reports that share one edge of this one's period
        (rule 2c of :func:`careerconv.rules.privacy.protect`; see :func:`neighbour_counts`).
    """

    by: list[str]
    sums: pd.DataFrame
    values: pd.DataFrame = field(default_factory=pd.DataFrame)
    contrib: pd.DataFrame = field(default_factory=pd.DataFrame)
    neighbours: pd.DataFrame = field(default_factory=pd.DataFrame)

    @classmethod
    def combine(cls, pieces: Iterable["Piece"], *, disjoint: bool = False) -> "Piece":
        """Pieces of one table added up: of disjoint sets of employees, or of disjoint groups.

        ``disjoint``: no group (of the sums, values, contributions or neighbours) is in two pieces, so adding up
        is putting the rows one after the other (as grouping them would order them), without grouping them.

        Raises
        ------
        ValueError
            For no pieces, or pieces of tables grouped differently.
        """
        pieces = list(pieces)
        if not pieces:
            raise ValueError("no pieces to combine: a table has at least one part")
        by = pieces[0].by
        if any(p.by != by for p in pieces):
            raise ValueError(f"pieces grouped by {sorted({tuple(p.by) for p in pieces})} cannot be combined")
        return cls(by, _add([p.sums for p in pieces], [*by, DEPARTMENT], disjoint),
                   _add([p.values for p in pieces], [*by, DEPARTMENT, "stat", "value"], disjoint),
                   _add([p.contrib for p in pieces], None, disjoint),
                   _add([p.neighbours for p in pieces], [*by, DEPARTMENT, "edge", "quarter"], disjoint))


def _add(frames: list[pd.DataFrame], keys: list[str] | None, disjoint: bool = False) -> pd.DataFrame:
    """Rows of several parts with the same keys summed (``keys`` None: every column but ``n``); of parts that share
    no keys (``disjoint``), the rows one after the other, the keys first (as grouping them orders them)."""
    frames = [f for f in frames if len(f.columns)]
    if not frames:
        return pd.DataFrame()
    if len(frames) == 1:
        return frames[0]
    both = pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)
    if keys is None:
        keys = [c for c in both.columns if c != "n"]
    if both.empty:
        return both
    if disjoint:
        return both.loc[:, [*keys, *(c for c in both.columns if c not in keys)]]
    return both.groupby(keys, dropna=False, as_index=False, sort=False).sum()


def level_piece(per_emp: pd.DataFrame, by: list[str], stats: Stats, scope: ReportScope,
                contrib: pd.DataFrame | None = None, codes: Mapping[str, np.ndarray] | None = None) -> Piece:
    """The additive figures of rows of one part (``employee_id``, ``department``, ``by``..., value columns).

    Only the selected departments count; ``contrib`` is kept as it is (see :func:`contributions`). ``codes``
    holds whole numbers for some of the columns, if already worked out (see :func:`column_codes`).

    The figures are those of pandas' ``groupby(by + [department], dropna=False, sort=False)``: the groups in the
    order they first occur, distinct employees counted as ``nunique`` counts them (a missing id is nobody),
    pandas' own sums. They are worked out on whole numbers, each column numbered once (see :func:`key_frame`).
    """
    _check_stats(stats)
    keys = [*by, DEPARTMENT]
    known = dict(codes or {})
    if DEPARTMENT not in known:  # numbered once: to find the selected departments, then to group them
        known[DEPARTMENT] = column_codes(per_emp[DEPARTMENT])
    inside = _in_selected(per_emp[DEPARTMENT], known[DEPARTMENT], scope.selected)
    rows = np.arange(len(per_emp)) if inside.all() else np.flatnonzero(inside)

    def numbers(name: str, lowest: int = -1) -> np.ndarray:
        found = known[name] if name in known else column_codes(per_emp[name], lowest)
        return found if len(rows) == len(found) else found[rows]

    key_codes = [numbers(c) for c in keys]
    cell, first = _cells(key_codes)
    if not len(first):
        sums = pd.DataFrame({c: [] for c in [*keys, N, *_sum_names(stats)]})
    else:
        sums = key_frame(per_emp, keys, [c[first] for c in key_codes], rows[first])
        sums[N] = distinct_counts(cell, numbers(EMPLOYEE_ID, lowest=0), len(first))
        for name, (column, how) in stats.items():
            if how in (MEAN, SUM):
                values = per_emp[column] if len(rows) == len(per_emp) else per_emp[column].iloc[rows]
                sums[f"{name}|sum"] = _group_sums(values, cell, len(first))
            if how == MEAN:
                values = per_emp[column] if len(rows) == len(per_emp) else per_emp[column].iloc[rows]
                sums[f"{name}|count"] = _group_counts(values, cell, len(first))
    values = [_value_counts(per_emp, keys, key_codes, cell, rows, numbers(column), name, column)
              for name, (column, how) in stats.items() if how == MEDIAN]
    value_frame = pd.concat(values, ignore_index=True) if values else pd.DataFrame()
    return Piece(list(by), sums, value_frame, contrib if contrib is not None else pd.DataFrame())


def _in_selected(department: pd.Series, code: np.ndarray, selected: tuple[str, ...]) -> np.ndarray:
    """``department.isin(selected)``, each distinct department (``code``: equal where they are, -1 or more)
    looked up once."""
    cell, _, first = groups_in_order(code + 1)
    return department.iloc[first].isin(selected).to_numpy()[cell]


def _sum_names(stats: Stats) -> list[str]:
    """The columns of :attr:`Piece.sums` behind ``stats`` (besides the groups and ``n_employees``)."""
    return [f"{name}|{part}" for name, (_, how) in stats.items()
            for part in {MEAN: ("sum", "count"), SUM: ("sum",), MEDIAN: ()}[how]]


def _cells(codes: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Each row's group (rows with equal codes), the groups numbered in the order they first occur, and the
    first row of each group."""
    if not len(codes[0]):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    cell, _, first = groups_in_order(combined_codes(codes))
    return cell, first


def key_frame(frame: pd.DataFrame, keys: list[str], codes: list[np.ndarray], rows: np.ndarray) -> pd.DataFrame:
    """The ``keys`` of the rows ``rows`` of ``frame`` (one row per group; ``codes``: their codes, as
    :func:`column_codes` numbers them), as pandas' ``groupby(keys, dropna=False, as_index=False)`` shows the
    groups' values (its types, its missing values): each distinct value of each key is grouped by pandas once,
    alone, and put where it occurs."""
    if not len(rows):
        return frame.iloc[:0].groupby(keys, dropna=False, sort=False, as_index=False).size().drop(columns="size")
    columns = {}
    for key, code in zip(keys, codes):
        column = frame[key]
        if column.dtype != object and not isinstance(column.dtype, pd.CategoricalDtype) and code.min() >= 0:
            columns[key] = column.array.take(rows)  # pandas keeps these types as they are
            continue
        _, first, inverse = np.unique(code, return_index=True, return_inverse=True)
        distinct = column.iloc[rows[first]].to_frame()
        shown = distinct.groupby(key, dropna=False, sort=False, as_index=False).size()[key]
        columns[key] = shown.array.take(inverse.reshape(-1))
    # The columns are new (taken from the arrays behind the Series, of their types, without the Series' index
    # to drop: much quicker for the few rows of a group): not copied again.
    return pd.DataFrame(columns, copy=False)


def _group_sums(values: pd.Series, cell: np.ndarray, cells: int) -> pd.Series | np.ndarray:
    """The sum of ``values`` in each of ``cells`` groups, as pandas' ``groupby(...).sum()`` adds them up (whole
    numbers and booleans counted exactly; other numbers added by pandas, in its own way)."""
    if values.dtype == bool:
        return np.bincount(cell[values.to_numpy()], minlength=cells).astype(np.int64)
    return values.groupby(cell, sort=True).sum().reset_index(drop=True)


def _group_counts(values: pd.Series, cell: np.ndarray, cells: int) -> pd.Series | np.ndarray:
    """How many of ``values`` are present in each of ``cells`` groups, as pandas' ``groupby(...).count()`` counts
    them (of its type: pandas counts a nullable column into a nullable one)."""
    if isinstance(values.dtype, np.dtype):
        return np.bincount(cell[values.notna().to_numpy()], minlength=cells).astype(np.int64)
    return values.groupby(cell, sort=True).count().reset_index(drop=True)


def distinct_counts(cell: np.ndarray, member: np.ndarray, cells: int) -> np.ndarray:
    """How many distinct members (codes from 0; -1: nobody) each of ``cells`` groups has (``cell``: each row's
    group, -1: none)."""
    known = (member >= 0) & (cell >= 0)
    group, _ = distinct_pairs(cell[known], cells, member[known])
    return np.bincount(group, minlength=cells).astype(np.int64)


def distinct_pairs(first: np.ndarray, firsts: int, second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each distinct pair of whole numbers ``first`` (0 to ``firsts`` - 1) and ``second`` (from 0) once: its
    ``first`` and its ``second``."""
    seconds = int(second.max()) + 1 if len(second) else 1
    key = first.astype(np.int64) * seconds + second
    if firsts * seconds <= 8 * len(key) + (1 << 20):  # few possible pairs: marked in a table of them all
        seen = np.zeros(firsts * seconds, dtype=bool)
        seen[key] = True
        key = np.flatnonzero(seen)
    else:
        key = pd.unique(key)
    return key // seconds, key % seconds


def _value_counts(frame: pd.DataFrame, keys: list[str], key_codes: list[np.ndarray], cell: np.ndarray,
                  rows: np.ndarray, value: np.ndarray, name: str, column: str) -> pd.DataFrame:
    """``keys..., value, count, stat``: the rows ``rows`` of ``frame`` that have a value (their keys' codes
    ``key_codes``, their groups ``cell``, the codes of their values ``value``) counted per group and value, as
    pandas' ``groupby([*keys, column], dropna=False, sort=False).size()`` counts them."""
    present = np.flatnonzero(value >= 0)
    pair, first = _cells([cell[present], value[present]])
    at = present[first]
    found = key_frame(frame, [*keys, column], [c[at] for c in [*key_codes, value]], rows[at])
    found["size"] = np.bincount(pair, minlength=len(first)).astype(np.int64)
    return found.rename(columns={column: "value", "size": "count"}).assign(stat=name)


def summed_piece(sums: pd.DataFrame, by: list[str], stats: Stats, contrib: pd.DataFrame | None = None) -> Piece:
    """A piece from figures already summed per group and department (only ``SUM`` statistics).

    ``sums`` has ``by..., department, n_employees`` and a column per statistic.
    """
    _check_stats(stats)
    if any(how != SUM for _, how in stats.values()):
        raise ValueError("only sums can be given already summed; give the employees' rows to level_piece")
    renamed = sums.rename(columns={name: f"{name}|sum" for name in stats})
    return Piece(list(by), renamed.loc[:, [*by, DEPARTMENT, N, *(f"{name}|sum" for name in stats)]],
                 pd.DataFrame(), contrib if contrib is not None else pd.DataFrame())


def _check_stats(stats: Stats) -> None:
    for name, (_, how) in stats.items():
        if how not in (MEAN, SUM, MEDIAN):
            raise ValueError(f"unknown statistic {how!r} for {name!r}; allowed: {MEAN}, {SUM}, {MEDIAN}")


def levels(piece: Piece, stats: Stats, scope: ReportScope, departments: bool = True) -> pd.DataFrame:
    """The organisation row (department missing; all selected departments) and the department rows.

    Returns
    -------
    pandas.DataFrame
        ``by..., department, n_employees`` and one column per statistic.
    """
    _check_stats(stats)
    by = piece.by
    columns = [*by, DEPARTMENT, N, *stats]
    sums = piece.sums
    if sums.empty:
        return pd.DataFrame({c: [] for c in columns})
    sums = sums[sums[DEPARTMENT].isin(scope.selected)]
    if sums.empty:
        return pd.DataFrame({c: [] for c in columns})
    summed = [c for c in sums.columns if c not in (*by, DEPARTMENT)]
    if by:
        org = sums.groupby(by, dropna=False, as_index=False, sort=True)[summed].sum()
    else:
        org = sums[summed].sum().to_frame().T.astype(sums[summed].dtypes.to_dict())
    org[DEPARTMENT] = None
    parts = [org]
    values = piece.values
    org_values = None
    if len(values):
        values = values[values[DEPARTMENT].isin(scope.selected)]
        org_values = values.groupby([*by, "stat", "value"], dropna=False, as_index=False, sort=False)["count"].sum()
        org_values[DEPARTMENT] = None
    if departments:
        parts.append(sums.sort_values([*by, DEPARTMENT], kind="stable"))
    out = pd.concat(parts, ignore_index=True)
    out[DEPARTMENT] = out[DEPARTMENT].astype(object).where(out[DEPARTMENT].notna(), None)
    for name, (_, how) in stats.items():
        if how == MEAN:
            count = out[f"{name}|count"].astype(float)
            out[name] = out[f"{name}|sum"].astype(float) / count.where(count > 0)
        elif how == SUM:
            out[name] = out[f"{name}|sum"]
        else:
            both = [org_values] + ([values] if departments and values is not None and len(values) else [])
            both = [v for v in both if v is not None]
            found = pd.concat(both, ignore_index=True) if both else pd.DataFrame()
            out[name] = _medians(out, found[found["stat"] == name] if len(found) else found, [*by, DEPARTMENT])
    return out.loc[:, columns].reset_index(drop=True)


def sort_departments(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Organisation row first, then departments alphabetically, within each ``by`` group."""
    order = frame[DEPARTMENT].isna().map({True: 0, False: 1})
    return frame.assign(_o=order, _d=frame[DEPARTMENT].fillna("")).sort_values(
        [*by, "_o", "_d"], kind="stable").drop(columns=["_o", "_d"]).reset_index(drop=True)


def _medians(cells: pd.DataFrame, values: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """The median of each cell from its value counts (the mean of the two middle values for an even count)."""
    result = np.full(len(cells), np.nan)
    if values.empty:
        return result
    values = values.sort_values("value", kind="stable")
    index = {_key(row): i for i, row in enumerate(cells.loc[:, keys].itertuples(index=False, name=None))}
    for key, group in values.groupby(keys, dropna=False, sort=False):
        position = index.get(_key(key if isinstance(key, tuple) else (key,)))
        if position is None:
            continue
        counts = group["count"].to_numpy(dtype=np.int64)
        total = int(counts.sum())
        if total == 0:
            continue
        cum = np.cumsum(counts)
        vals = group["value"].to_numpy(dtype=float)
        lower = vals[np.searchsorted(cum, (total - 1) // 2 + 1)]
        upper = vals[np.searchsorted(cum, total // 2 + 1)]
        result[position] = (lower + upper) / 2
    return result


def _key(values: tuple) -> tuple:
    return tuple(None if (v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA) else v
                 for v in values)


def neighbour_counts(pieces: Mapping[tuple[str, pd.Timestamp], "Piece"]) -> pd.DataFrame:
    """The group sizes of one table in the neighbouring reports, as :attr:`Piece.neighbours` holds them.

    Parameters
    ----------
    pieces
        Per cut (``("start" | "end", quarter)``, see :func:`careerconv.rules.privacy.protect`) the table's
        piece for the same employees computed over the shortened period.

    Returns
    -------
    pandas.DataFrame
        ``by..., department, edge, quarter, n``.
    """
    found = {cut: piece for cut, piece in pieces.items() if not piece.sums.empty}
    if not found:
        return pd.DataFrame()
    by = next(iter(found.values())).by  # one table: the same groups in every cut
    # Put together once, not piece by piece (~20 small frames): each piece's rows, then its cut on each of them,
    # typed as pandas types them (the edges as text, the quarters at the finest resolution among them).
    rows = pd.concat([piece.sums for piece in found.values()], ignore_index=True).loc[:, [*by, DEPARTMENT, N]]
    sizes = [len(piece.sums) for piece in found.values()]
    edges = np.repeat(np.array([edge for edge, _ in found], dtype=object), sizes)
    quarters = np.repeat(np.array([pd.Timestamp(quarter).to_datetime64() for _, quarter in found]), sizes)
    return rows.assign(edge=edges, quarter=quarters).rename(columns={N: "n"})


def no_contributions(by: list[str]) -> pd.DataFrame:
    """The empty frame of :func:`contributions`."""
    return pd.DataFrame({**{c: [] for c in by}, DEPARTMENT: [], "quarter": [], "n": []})


def contributions(events: pd.DataFrame, by: list[str], codes: Mapping[str, np.ndarray] | None = None, *,
                  rows: np.ndarray | None = None, dates: np.ndarray | None = None) -> pd.DataFrame:
    """Distinct employees per (by..., department, quarter) from rows ``by..., employee_id, department, date``.

    An employee counts once per group (``by``, quarter), in the department of their first row there; a
    missing id counts as nobody (as ``nunique`` counts it). ``codes`` holds whole numbers for some of the
    columns, if already worked out (see :func:`column_codes`), one per event.

    ``rows`` and ``dates`` (given together): the events are the rows ``rows`` of ``events`` (a row may be listed
    more than once, in any order) on the days ``dates`` (one per entry of ``rows``), instead of every row of
    ``events`` on its ``date``; the same figures as for the frame of those rows, without copying it.
    """
    if (rows is None) != (dates is None):
        raise ValueError("contributions: give both rows and dates, or neither")
    if rows is None:
        if events.empty:
            return no_contributions(by)
        rows, dates = np.arange(len(events)), events[DATE]
    elif not len(rows):
        return no_contributions(by)
    keys = [*by, DEPARTMENT, "quarter"]
    quarter = quarter_months(dates)
    # Everything is counted on whole numbers (grouping text ids and departments row by row is slow); only one
    # row per cell is carried to the last step, which puts the cells' values back as pandas groups them.
    nat = quarter == np.iinfo(np.int64).min
    quarter_code = np.where(nat, -1, (quarter - (quarter[~nat].min() if (~nat).any() else 0)) // 3)
    known = codes or {}

    def numbers(name: str, lowest: int = -1) -> np.ndarray:
        return known[name] if name in known else column_codes(events[name], lowest)[rows]

    group = combined_codes([*(numbers(c) for c in by), quarter_code])
    employee = numbers(EMPLOYEE_ID, lowest=0)  # -1 would be a missing id
    kept = np.flatnonzero(first_occurrences(combined_codes([dense_codes(group), employee])))
    cell, _, first = groups_in_order(combined_codes([group[kept], numbers(DEPARTMENT)[kept]]))
    first = kept[first]  # the first row of each cell, in the order of the cells
    n = np.bincount(cell, weights=employee[kept] >= 0).astype(np.int64)
    frame = events.iloc[rows[first], [events.columns.get_loc(c) for c in [*by, DEPARTMENT]]] \
        .assign(quarter=month_starts(quarter[first]))
    return _summed_in_order(frame, keys, n)


def sort_codes(values: pd.Series) -> np.ndarray:
    """Whole numbers in the sort order of ``values`` (equal values share one; a missing value: -1)."""
    return pd.factorize(values, sort=True, use_na_sentinel=True)[0]


def _summed_in_order(frame: pd.DataFrame, keys: list[str], n: np.ndarray) -> pd.DataFrame:
    """``frame.assign(n=n).groupby(keys, dropna=False, as_index=False)["n"].sum()`` for a frame of few rows: the
    groups sorted by their keys' values (missing ones last) on whole numbers, and shown as pandas shows them
    (:func:`key_frame`); pandas' own grouping of a few thousand rows costs some milliseconds, holding Python's
    lock."""
    codes = [sort_codes(frame[key]) for key in keys]  # -1: missing
    last = [np.where(code < 0, code.max(initial=-1) + 1, code) for code in codes]  # missing after every value
    group, first, inverse = np.unique(combined_codes(last), return_index=True, return_inverse=True)
    out = key_frame(frame, keys, [c[first] for c in codes], first)
    out["n"] = np.bincount(inverse.reshape(-1), weights=n, minlength=len(group)).astype(np.int64)
    return out


def combined_codes(codes: list[np.ndarray]) -> np.ndarray:
    """One whole number per distinct combination of the codes (each ``-1`` (missing) or more)."""
    combined = codes[0].astype(np.int64) + 1
    size = int(combined.max()) + 1 if len(combined) else 1
    for column in codes[1:]:
        width = int(column.max()) + 2 if len(column) else 1
        if size * width >= 2 ** 62:  # made dense again before the product could overflow
            combined, uniques = pd.factorize(combined)
            size = len(uniques)
        combined *= width
        combined += column
        combined += 1
        size *= width
    return combined


def column_codes(column: pd.Series, lowest: int = -1) -> np.ndarray:
    """Whole numbers from -1 that are equal where the values are (-1: missing): the values themselves if they are
    whole numbers from ``lowest`` to below 2**31 (as the employees' and skills' codes are), else as pandas factorizes
    them."""
    if column.dtype.kind == "i" and not column.hasnans:
        values = column.to_numpy(dtype=np.int64)
        if not len(values) or (values.min() >= lowest and values.max() < 2 ** 31):
            return values
    return pd.factorize(column)[0]


def first_of_codes(codes: np.ndarray) -> np.ndarray:
    """The position of the first occurrence of each code, for codes numbered in the order they first occur
    (as :func:`pandas.factorize` numbers them): where the highest code so far grows."""
    if not len(codes):
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.diff(np.maximum.accumulate(codes), prepend=-1) > 0)


def duplicated(values: np.ndarray) -> np.ndarray:
    """Whether each value occurred in an earlier position."""
    return pd.Series(values, copy=False).duplicated().to_numpy()


def _few_possible(key: np.ndarray) -> bool:
    """Whether the whole numbers ``key`` (from 0) span few enough values to be counted in a table of them all
    (faster than hashing them)."""
    return int(key.max()) + 1 <= 4 * len(key) + 1024


def first_occurrences(key: np.ndarray) -> np.ndarray:
    """Whether each of the whole numbers ``key`` (from 0) occurs there for the first time (not :func:`duplicated`)."""
    if not len(key) or not _few_possible(key):
        return ~duplicated(key)
    position = np.arange(len(key))
    first = np.full(int(key.max()) + 1, len(key))
    np.minimum.at(first, key, position)
    return first[key] == position


def dense_codes(key: np.ndarray) -> np.ndarray:
    """The whole numbers ``key`` (from 0) numbered again from 0 in their order, without the numbers unused (a
    smaller range: what :func:`combined_codes` multiplies); as they are if they span too many."""
    if not len(key) or not _few_possible(key):
        return key
    used = np.zeros(int(key.max()) + 1, dtype=bool)
    used[key] = True
    return (np.cumsum(used) - 1)[key]


def groups_in_order(key: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The groups of the whole numbers ``key`` (from 0) in the order they first occur, as :func:`pandas.factorize`
    numbers them: each row's group, each group's key and its first row."""
    if len(key) and not _few_possible(key):  # far apart: hashed
        cell, cells = pd.factorize(key)
        return cell, cells, first_of_codes(cell)
    size = int(key.max()) + 1 if len(key) else 0
    first = np.full(size, len(key))
    np.minimum.at(first, key, np.arange(len(key)))
    cells = np.flatnonzero(first < len(key))
    cells = cells[np.argsort(first[cells], kind="stable")]
    number = np.zeros(size, dtype=np.int64)
    number[cells] = np.arange(len(cells))
    return number[key], cells, first[cells]
