"""Inputs.

The store's derived Parquet tables and the roster, read lazily (:class:`ParquetTable`,
:class:`RosterFile`, :func:`load_hr_tables`), and those tables one part of the employees
at a time (:class:`EmployeeParts`); the computed tables handed from ``careerconv hr-report`` to its
notebook (:func:`save_aggregates`, :func:`load_aggregates`).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from careerconv.records import schema
from careerconv.records.schema import CONVERSATION_ID, DATE, EMPLOYEE_ID, HORIZON_MONTHS, ITEM_ID, SKILL, STATUS
from careerconv.records.store import N_BUCKETS, Store, buckets_of, part_name
from careerconv.rules import progress
from .allocators import release_memory
from .constants import DEPARTMENT, HR_COLUMNS, LEFT_OUT


@dataclass(frozen=True)
class ParquetTable:
    """A derived table left on disk: its Parquet parts, read lazily.

    The store splits rows into parts by employee (:func:`careerconv.records.store.bucket_of`),
    so no employee spans two parts; :func:`rating_partials` relies on that to
    aggregate part by part.

    Attributes
    ----------
    name
        The table's name in :data:`careerconv.records.schema.DERIVED_TABLES`.
    paths
        Its part files.
    """

    name: str
    paths: tuple[Path, ...]

    def to_pandas(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Read the whole table into pandas (only ``columns`` if given)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        tbl = schema.table(self.name)
        wanted = list(columns) if columns is not None else tbl.names
        if not self.paths:
            return tbl.empty().loc[:, wanted]
        return pa.concat_tables([pq.read_table(p, columns=wanted) for p in self.paths]).to_pandas()

    def part(self, bucket: int, columns: Sequence[str] | None = None, filters: Any = None,
             repeated: Sequence[str] = (), categories: Sequence[str] = ()) -> pd.DataFrame:
        """The rows of one part (``part-NN.parquet``; none if the part has no file), as pandas.

        ``filters`` are passed to :func:`pyarrow.parquet.read_table` (rows left out while reading).
        ``repeated`` names text columns whose values repeat many times: they are read as the file keeps
        them (each distinct value of a row group once, and a number per row) and only then written out as
        text, after ``filters``; the frame is the same, only less text is decoded (targets' ids and
        skills: about half the time). Those of them in ``categories`` are not written out: they come as pandas
        categoricals (the distinct values once, in no particular order, and a number per row).

        Each text column comes as one Arrow array, not one per row group: Arrow takes rows of a text column in
        pieces by first copying the pieces into one, on every take (apache/arrow#39565), and pandas takes rows
        of text that way in every ``.loc[mask]`` (a benchmark part: ~0.2 CPU s and ~100 MiB at its peak less).
        """
        return self.part_groups(bucket, 1, columns, filters, repeated, categories)[0]

    def part_groups(self, bucket: int, ways: int, columns: Sequence[str] | None = None, filters: Any = None,
                    repeated: Sequence[str] = (), categories: Sequence[str] = ()) -> list[pd.DataFrame]:
        """The rows of one part in ``ways`` groups of its employees (:func:`employee_groups`), each as
        :meth:`part` gives the whole part, its rows in the order of the file.

        The groups are cut before any text is written out, so the part's text is decoded once, in pieces.
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        tbl = schema.table(self.name)
        wanted = list(columns) if columns is not None else tbl.names
        path = self._path(bucket)
        if path is None:
            return [tbl.empty().loc[:, wanted] for _ in range(ways)]
        coded = [c for c in repeated if c in wanted]
        # The employee of each row decides its group; read only to cut the part if the part does not keep it.
        only_to_cut = [EMPLOYEE_ID] if ways > 1 and EMPLOYEE_ID not in wanted else []
        read = pq.read_table(path, columns=wanted + only_to_cut, filters=filters,
                             read_dictionary=(coded + only_to_cut) or None)
        groups = [read]
        if ways > 1:
            group = _groups_of_rows(read.column(EMPLOYEE_ID), ways)
            groups = [read.filter(pa.array(group == number)).select(wanted) for number in range(ways)]
            del read
        return [_as_pandas(g, coded, categories) for g in groups]

    def rows_in(self, bucket: int) -> int:
        """How many rows part ``bucket`` holds (from the file's metadata, before any ``filters``)."""
        import pyarrow.parquet as pq

        path = self._path(bucket)
        return 0 if path is None else pq.ParquetFile(path).metadata.num_rows

    def _path(self, bucket: int) -> Path | None:
        name = part_name(bucket)
        return next((p for p in self.paths if p.name == name), None)

    def __len__(self) -> int:
        import pyarrow.parquet as pq

        return sum(pq.ParquetFile(p).metadata.num_rows for p in self.paths)


def _as_pandas(read: Any, coded: Sequence[str], categories: Sequence[str]) -> pd.DataFrame:
    """An Arrow table of a part as pandas: each text column one array (those read through the file's dictionaries
    written out as text unless in ``categories``, which become categoricals of the values they use)."""
    for i, field in enumerate(read.schema):
        if field.name in coded or _is_text(field.type):
            whole = _one_text_array(read.column(i), as_text=field.name not in categories)
            read = read.set_column(i, field.with_type(whole.type), whole)
    frame = read.to_pandas()
    for column in categories:
        if column in frame.columns and isinstance(frame[column].dtype, pd.CategoricalDtype) and not len(frame):
            # Without a row, Arrow's dictionary comes as categories of objects: those of text, as with rows.
            frame[column] = frame[column].astype(pd.CategoricalDtype(pd.Index([], dtype=str)))
    return frame


def employee_groups(employee_ids: Any, ways: int) -> Any:
    """Which of ``ways`` groups each employee id is in (0 to ``ways - 1``; an int array in their order).

    The same id is always in the same group, whatever table it is read from and on every machine (a SipHash of
    its text with pandas' fixed key, :func:`pandas.util.hash_array`), and the groups are about equal; a missing id
    is in group 0.
    """
    import numpy as np

    ids = pd.Series(np.asarray(employee_ids, dtype=object), dtype=object)
    missing = ids.isna().to_numpy()
    hashed = pd.util.hash_array(ids.fillna("").to_numpy(dtype=object), categorize=False)
    group = (hashed % np.uint64(ways)).astype(np.intp)
    group[missing] = 0
    return group


def _groups_of_rows(column: Any, ways: int) -> Any:
    """:func:`employee_groups` of each row of an Arrow column of employee ids (text, or read through a dictionary):
    each distinct id is looked up once."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    whole = column.combine_chunks()
    if not pa.types.is_dictionary(whole.type):
        whole = pc.dictionary_encode(whole)
    of_id = np.append(employee_groups(whole.dictionary.to_numpy(zero_copy_only=False), ways), 0)
    codes = pc.fill_null(whole.indices, len(whole.dictionary)).to_numpy(zero_copy_only=False)
    return of_id[codes]


def _is_text(kind: Any) -> bool:
    import pyarrow as pa

    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def _one_text_array(column: Any, as_text: bool = True) -> Any:
    """A text column of a Parquet read, or one read through the file's dictionaries and written out as text, as one
    array of pandas' Arrow text type (large strings: pandas would convert other text to them); one read through
    the dictionaries and not ``as_text``, as one dictionary array (pandas makes a categorical of it)."""
    import pyarrow as pa

    if pa.types.is_dictionary(column.type):
        # The row groups' dictionaries unified and their numbers put together (the text is not copied), then
        # the text written out once.
        whole = column.combine_chunks()
        whole = whole.cast(pa.large_string()) if as_text else _used_values(whole)
    else:
        whole = column.cast(pa.large_string()).combine_chunks()
    return pa.chunked_array([whole], type=whole.type)


def _used_values(array: Any) -> Any:
    """A dictionary array with only the values its rows use, in the dictionary's order (a group of a part uses about
    half of the part's): pandas then makes a categorical of those alone - what ``remove_unused_categories`` gives,
    without first writing out the others' text as Python strings (a benchmark part's targets: ~0.1 s less)."""
    import numpy as np
    import pyarrow as pa

    codes = array.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    used = np.zeros(len(array.dictionary) + 1, dtype=bool)
    used[codes] = True  # a missing value (-1) marks the last place, no value's
    used = used[:-1]
    if used.all():
        return array
    renumbered = (np.cumsum(used, dtype=np.int32) - 1)[codes]
    indices = pa.array(renumbered, type=array.indices.type, mask=codes < 0 if array.null_count else None)
    return pa.DictionaryArray.from_arrays(indices, array.dictionary.filter(pa.array(used)))


@dataclass(frozen=True)
class RosterFile:
    """The roster file as the store wrote it, read only as far as a computation needs.

    :func:`skill_rating_tables` needs just each employee's id and department;
    given a ``RosterFile``, the rating engine reads those two columns
    straight into Arrow instead of holding the whole roster as a pandas
    frame. The file is taken as the store wrote it (the store validated it
    when it saved it); :meth:`careerconv.records.store.Store.roster` is the validated
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

            wanted = [EMPLOYEE_ID, DEPARTMENT]
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
        return pd.read_csv(self.path, usecols=[EMPLOYEE_ID, DEPARTMENT], dtype=str, keep_default_na=False,
                           encoding="utf-8-sig")

    def departments(self) -> list[str]:
        """The department names on the roster, sorted."""
        import pyarrow.compute as pc

        return sorted(str(v) for v in pc.unique(self.table().column(DEPARTMENT)).to_pylist() if v)


def load_hr_tables(data_dir: str | Path, *, refresh: bool = True,
                   lazy: bool = False) -> dict[str, pd.DataFrame | ParquetTable]:
    """Read what HR analytics needs from a data folder (the only I/O in this module).

    Parameters
    ----------
    data_dir
        The data folder.
    refresh
        Bring the derived tables up to date with the record files first
        (:meth:`careerconv.records.store.Store.refresh`).
    lazy
        Leave the derived tables on disk as :class:`ParquetTable` (for large
        histories: :func:`hr_aggregates` then reads them one part of the
        employees at a time, see :class:`EmployeeParts`).

    Returns
    -------
    dict
        ``roster`` and the derived tables of :data:`HR_COLUMNS`, with only
        those columns, and :data:`LEFT_OUT`: the record files those tables
        leave out because they cannot be read (a ``problem`` per row).

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
        "roster": store.roster().loc[:, list(HR_COLUMNS["roster"])],
        LEFT_OUT: pd.DataFrame({"problem": pd.Series(store.records_left_out(), dtype=object)})}
    for name, columns in HR_COLUMNS.items():
        if name == "roster":
            continue
        if lazy:
            tables[name] = ParquetTable(name, tuple(store.part_paths(name)))
        else:
            tables[name] = store.read_table(name, columns=list(columns), refresh=False)
    return tables


# Rows read from each table: the options only when chosen (their texts are most of the table).
_READ_FILTERS: dict[str, Any] = {"options": [("chosen", "==", True)]}
# Columns of HR_COLUMNS that the tables built part by part never read, left on disk.
_NOT_READ: dict[str, tuple[str, ...]] = {"skills": (STATUS,), "options": (EMPLOYEE_ID, DATE, "option_no"),
                                         "action_items": (DATE,)}
# Text columns of few distinct values per part (ids of employees, skills, kinds), read through the files'
# dictionaries (ParquetTable.part); a column of ids that differ row by row is decoded faster as plain text.
_REPEATED: dict[str, tuple[str, ...]] = {
    "conversations": (STATUS, "follow_up_mode"), "skills": (EMPLOYEE_ID, SKILL),
    "skill_ratings": (EMPLOYEE_ID, SKILL, "source"), "targets": (EMPLOYEE_ID, CONVERSATION_ID, SKILL),
    "options": (CONVERSATION_ID, SKILL, "text"), "action_items": (ITEM_ID,),
    "checkin_updates": (EMPLOYEE_ID, ITEM_ID, STATUS)}
# Those of them left as pandas categoricals, not written out as text: cheaper to take rows of and to number (and
# fewer strings held). The only code reading them (careerconv.analytics.record_tables._measured and the rule it
# applies, careerconv.rules.progress.progress_at_horizons) orders and looks them up by their text, as it does text.
_CATEGORIES: dict[str, tuple[str, ...]] = {"targets": (EMPLOYEE_ID, CONVERSATION_ID, SKILL)}


# Tables of a part read at a time (EmployeeParts.__getitem__).
_READING_THREADS = 2


# The groups of its employees a part on disk of at least GROUP_ROWS rows (of all tables together) is cut into and
# computed in at the same time, on as many threads as there are cores (EmployeeParts.fold): with two on two cores
# a benchmark part (~4 million rows) takes ~1.5x less time in about the same memory (much of the work is
# pandas' and holds Python's lock); a smaller part is computed whole, as the threads would cost more than they
# give. Fixed numbers, not the machine's cores, so that the figures (sums of fractions, added group by group)
# are the same to the last bit everywhere.
PART_GROUPS = 2
GROUP_ROWS = 500_000
_CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)

# Rows (of all tables together) that one part of the employees may hold: about 1 GiB of working memory
# while its tables are computed. Smaller data is one part, which is also the fastest way through it.
PART_ROWS = 5_000_000


class EmployeeParts:
    """The roster and some derived tables, split into parts of disjoint employees.

    Every employee's rows of every table come in the same part, and no
    employee is in two parts, so figures that add up over employees can be
    computed part by part. A part is one or more of the store's buckets
    (:func:`careerconv.records.store.bucket_of`), as many as fit in ``part_rows``
    rows; tables on disk (:class:`ParquetTable`) are read a part at a time.
    The store keeps every row of an employee in their bucket (a record found
    in another employee's folder is left out, see
    :meth:`careerconv.records.store.Store.conversations`), and in-memory tables are
    split by each row's ``employee_id``. A part is never smaller than one
    bucket, a sixteenth of the employees: beyond about 16 x ``part_rows``
    rows (some 1.5 million employees) the parts grow with the data. When
    every table is in memory there is a single part, the tables themselves.
    A large part is computed in groups of its employees at the same time (:meth:`fold`).

    Parameters
    ----------
    tables
        ``roster`` (a DataFrame) and the tables ``names``.
    names
        The derived tables each part holds.
    part_rows
        The most rows of all tables together in one part (a bucket with more
        is a part of its own).
    days
        Per table on disk, ``(first day, day after the last)``: only its rows dated in these days (by their
        ``date``, from the first day's midnight up to the last's, not including it; None on either side: no
        limit) are read, those a computation reads (see
        :func:`careerconv.analytics.record_tables.days_read`). Tables in memory are taken whole.
    due_by
        A day: of the ``targets`` on disk, those of the store's horizons
        (:data:`careerconv.records.schema.HORIZONS`) not yet due on that day
        (:func:`careerconv.rules.progress.first_day_not_due`) are not read; targets of any other horizon, or of
        none, or without a date are (the rule says what is wrong with them). None: every target.
    """

    def __init__(self, tables: Mapping[str, pd.DataFrame | ParquetTable], names: Sequence[str],
                 part_rows: int = PART_ROWS, days: Mapping[str, tuple[Any, Any]] | None = None,
                 due_by: Any = None):
        if isinstance(part_rows, bool) or not isinstance(part_rows, int) or part_rows < 1:
            raise ValueError(f"part_rows must be a whole number of rows, at least 1; got {part_rows!r}")
        self._tables = {name: tables[name] for name in ("roster", *names)}
        self._filters = {name: list(rows) for name, rows in _READ_FILTERS.items()}
        for name, within in (days or {}).items():
            self._filters[name] = [*self._filters.get(name, ()), *_days_filter(name, within)]
        if due_by is not None:
            self._filters["targets"] = _due_filter(self._filters.get("targets", []), due_by)
        self._buckets: dict[str, Any] = {}
        if not any(isinstance(t, ParquetTable) for t in self._tables.values()):
            self._part_buckets: list[list[int]] | None = None
            self._rows: list[int] = []
            return
        import numpy as np

        rows = np.zeros(N_BUCKETS, dtype=np.int64)
        for name, table in self._tables.items():
            if isinstance(table, ParquetTable):
                rows += [table.rows_in(b) for b in range(N_BUCKETS)]
            else:
                self._buckets[name] = _buckets(table[EMPLOYEE_ID])
                known = self._buckets[name][self._buckets[name] >= 0]
                rows += np.bincount(known, minlength=N_BUCKETS)[:N_BUCKETS]
        self._part_buckets = []
        for bucket in np.flatnonzero(rows):
            if not self._part_buckets or sum(rows[self._part_buckets[-1]]) + rows[bucket] > part_rows:
                self._part_buckets.append([])
            self._part_buckets[-1].append(int(bucket))
        if not self._part_buckets:
            self._part_buckets = [[0]]  # nothing anywhere: one empty part
        self._rows = [int(sum(rows[b])) for b in self._part_buckets]

    def __len__(self) -> int:
        return 1 if self._part_buckets is None else len(self._part_buckets)

    def __getitem__(self, number: int) -> dict[str, pd.DataFrame]:
        """The rows of part ``number`` of every table (only the columns of :data:`HR_COLUMNS`; of a table on
        disk, not those the tables built part by part never read)."""
        return self.read(number)[0]

    def read(self, number: int, ways: int = 1) -> list[dict[str, pd.DataFrame]]:
        """The rows of part ``number`` of every table, in ``ways`` groups of its employees, each as
        :meth:`__getitem__` gives the whole part.

        No employee is in two groups (:func:`employee_groups`), so figures that add up over employees can be
        computed group by group, at the same time, in about the memory of the part. When every table is in
        memory there is one group whatever ``ways`` is: the tables themselves.
        """
        if isinstance(number, bool) or not isinstance(number, int):
            raise TypeError(f"a part is chosen by its number (0 to {len(self) - 1}), not {number!r}")
        if not 0 <= number < len(self):
            raise IndexError(f"part {number} does not exist; parts are 0 to {len(self) - 1}")
        if isinstance(ways, bool) or not isinstance(ways, int) or ways < 1:
            raise ValueError(f"a part is read in a whole number of groups, at least 1; got {ways!r}")
        if self._part_buckets is None:
            return [dict(self._tables)]
        buckets = self._part_buckets[number]

        def read(name: str) -> list[pd.DataFrame]:
            table = self._tables[name]
            if isinstance(table, ParquetTable):
                columns = [c for c in HR_COLUMNS[name] if c not in _NOT_READ.get(name, ())]
                categories = _CATEGORIES.get(name, ())
                found = [table.part_groups(b, ways, columns, self._filters.get(name), _REPEATED.get(name, ()),
                                           categories) for b in buckets]
                return [_put_together([of_bucket[g] for of_bucket in found], categories) for g in range(ways)]
            rows = table[pd.Series(self._buckets[name], index=table.index).isin(buckets).to_numpy()]
            if ways == 1:
                return [rows]
            group = employee_groups(rows[EMPLOYEE_ID], ways)
            return [rows[group == g] for g in range(ways)]

        # Two tables at a time: Arrow decodes without Python's lock, and a table's few columns leave its own
        # threads idle part of the time (a benchmark part ~0.41 -> ~0.29 s).
        with ThreadPoolExecutor(max_workers=_READING_THREADS) as pool:
            read_tables = dict(zip(self._tables, pool.map(read, self._tables)))
        return [{name: groups[g] for name, groups in read_tables.items()} for g in range(ways)]

    def fold(self, function: Callable[[dict[str, pd.DataFrame]], Any], combine: Callable[[list], Any],
             groups: int | None = None) -> Any:
        """``function`` of every part, the results combined at once, in order:
        ``combine([f(part 0), f(part 1), ...])`` (one result is itself: ``combine`` is not called).

        Each part is read in ``groups`` groups of its employees (:meth:`read`; by default :data:`PART_GROUPS` for
        a part of at least :data:`GROUP_ROWS` rows, else one), computed at the same time on as many threads as
        there are cores (at most ``groups``), their results in the groups' order: ``function`` must add up over
        employees and be safe to run on two threads at once. The memory a part frees is kept for the next and
        handed back at the end (:mod:`careerconv.analytics.allocators`). Every result is kept until the end (so
        ``function`` should return figures much smaller than a part); combined once, they are not added again
        for every part. The results do not depend on the machine.
        """
        results = []
        try:
            for number in range(len(self)):
                results.extend(self.computed(number, function, groups))
        finally:
            release_memory()
        return results[0] if len(results) == 1 else combine(results)

    def computed(self, number: int, function: Callable[[dict[str, pd.DataFrame]], Any],
                 groups: int | None = None) -> list:
        """``function`` of each group of part ``number``, as :meth:`fold` computes them (at the same time; the
        memory they free is kept by the allocators, for the next part)."""
        read = self.read(number, groups if groups is not None else self.groups_of(number))
        if len(read) == 1:
            return [function(read[0])]
        with ThreadPoolExecutor(max_workers=min(len(read), _CORES)) as pool, _pandas_warnings_on_threads():
            return list(pool.map(function, read))

    def groups_of(self, number: int) -> int:
        """The groups of its employees part ``number`` is computed in by default (:meth:`fold`)."""
        return PART_GROUPS if self._part_buckets is not None and self._rows[number] >= GROUP_ROWS else 1

    def map(self, function: Callable[[dict[str, pd.DataFrame]], Any]) -> list:
        """``function`` of every whole part, one after the other, in order (every result kept; :meth:`fold` cuts a
        large part into groups computed at the same time). The memory kept is handed back at the end, as by
        :meth:`fold`."""
        try:
            return [result for number in range(len(self)) for result in self.computed(number, function, 1)]
        finally:
            release_memory()


def _days_filter(name: str, within: tuple[Any, Any]) -> list[tuple[str, str, Any]]:
    """The filter of a Parquet read that keeps the rows of table ``name`` dated ``within`` (see
    :class:`EmployeeParts`)."""
    first, after = (None if day is None else pd.Timestamp(day).to_pydatetime() for day in within)
    if first is not None and after is not None and not first < after:
        raise ValueError(f"the days of the {name} read must be (first day, day after the last) with the first "
                         f"before the last; got {within!r}")
    rows = [(DATE, ">=", first)] if first is not None else []
    return rows + ([(DATE, "<", after)] if after is not None else [])


def _due_filter(rows: list[tuple[str, str, Any]], due_by: Any) -> Any:
    """The filter of a Parquet read of targets that keeps the ``rows`` of targets that may be due on the day
    ``due_by`` (see :class:`EmployeeParts`), as an Arrow expression."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    horizon, date = pc.field(HORIZON_MONTHS), pc.field(DATE)
    may_be_due = horizon.is_null() | ~horizon.isin(list(schema.HORIZONS)) | date.is_null()
    for months in schema.HORIZONS:
        first = progress.first_day_not_due(due_by, months).to_pydatetime()
        may_be_due |= (horizon == months) & (date < pc.scalar(first))
    return may_be_due if not rows else pq.filters_to_expression(rows) & may_be_due


@contextmanager
def _pandas_warnings_on_threads() -> Iterator[None]:
    """While parts of the employees are computed on several threads: the RuntimeWarnings pandas silences itself
    are silent, and Python's warning filters are as they were afterwards.

    pandas silences the warnings of some of its numpy calls (a cast of the numbers a missing value hides:
    "invalid value encountered in cast") with :class:`warnings.catch_warnings`, which changes the filters of
    the whole process and is not safe on two threads (Python's documentation says so): one thread's silence can
    end while the other's cast runs, and the warning reaches the person running the report, or one thread
    puts back filters the other had changed, and they stay changed. Only RuntimeWarnings raised inside pandas
    are silenced (those of the rules' own code are not).
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"pandas\.")
        yield


def _put_together(frames: list[pd.DataFrame], categories: Sequence[str]) -> pd.DataFrame:
    """The frames of a part's buckets, one after the other; the columns ``categories`` stay categoricals, of the
    values of every frame (pandas writes categoricals of different values out as objects when it puts them
    together)."""
    if len(frames) == 1:
        return frames[0]
    for column in [c for c in categories if c in frames[0].columns]:
        found = [f[column] for f in frames if isinstance(f[column].dtype, pd.CategoricalDtype)]
        if found:  # a bucket without a file is an empty frame of text
            # A bucket whose rows were all left out by the read's filter has no categories, of another type
            # (objects) than those of text; they add nothing, and unioned with the others they are refused.
            kind = pd.CategoricalDtype(pd.api.types.union_categoricals(
                [c for c in found if len(c.cat.categories)] or found[:1]).categories)
            frames = [f.assign(**{column: f[column].astype(kind)}) for f in frames]
    return pd.concat(frames, ignore_index=True)


def _buckets(employee_ids: pd.Series) -> Any:
    """The store bucket of each row's employee (-1 for a row without one: it is in no part)."""
    import numpy as np

    codes, uniques = pd.factorize(pd.Series(employee_ids, dtype=object), use_na_sentinel=True)
    found = np.append(buckets_of([str(u) for u in uniques]), -1)
    return found[codes]


def save_aggregates(hr: Mapping[str, pd.DataFrame], path: str | Path) -> None:
    """Write the tables of :func:`hr_aggregates` (already protected) for :func:`load_aggregates`.

    ``careerconv hr-report`` computes the tables once, writes the CSV files
    from them and hands this file to the notebook, which would otherwise
    compute them again.
    """
    import pickle

    with open(path, "wb") as fh:
        pickle.dump({name: frame for name, frame in hr.items()}, fh, protocol=5)


def load_aggregates(path: str | Path) -> dict[str, pd.DataFrame]:
    """The tables :func:`save_aggregates` wrote.

    Only for a file this program wrote itself: reading a pickle runs what it
    holds, so never pass a file from elsewhere.

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    ValueError
        If the file does not hold the tables of :func:`hr_aggregates`.
    """
    import pickle

    from .constants import TABLE_TITLES

    with open(path, "rb") as fh:
        try:
            hr = pickle.load(fh)
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError, TypeError) as exc:
            raise ValueError(f"{path} does not hold HR analytics tables (it cannot be read: {exc})") from None
    if not isinstance(hr, dict) or not all(isinstance(v, pd.DataFrame) for v in hr.values()):
        raise ValueError(f"{path} does not hold HR analytics tables")
    missing = [name for name in ("about", *TABLE_TITLES) if name not in hr]
    if missing:
        raise ValueError(f"{path} does not hold HR analytics tables: {', '.join(missing)} missing")
    return hr
