"""Inputs.

The store's derived Parquet tables and the roster, read lazily (:class:`ParquetTable`,
:class:`RosterFile`, :func:`load_hr_tables`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .. import schema as S
from ..store import N_BUCKETS, Store
from .constants import DEPARTMENT, HR_COLUMNS


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
