"""Open a data folder's tables in other tools (pandas, DuckDB), for ``notebooks/explore.ipynb``.

The derived tables are a plain Parquet dataset (``derived/<table>/part-NN.parquet``)
and the roster a CSV file; any tool reads them as they are once ``derived/`` is
up to date (``careerconv refresh``, or :func:`prepare`). Exploring should not
change the folder being explored when that is not wanted (the committed sample
organisation, a colleague's folder): :func:`prepare` can work on a private
temporary copy of the records instead, removed when the Python process ends
(or, if it was killed, by the next :func:`prepare`).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from . import schema
from .store import Store

# What a copy needs to rebuild every table: the roster, the records and the organisation's question sets.
_COPIED = ("roster.csv", "conversations", "checkins", "question_sets")
# A copy is named after the process that made it, so the next one can tell a copy whose kernel was killed.
_COPY_PREFIX = "careerconv-explore-"


def prepare(data_dir: str | os.PathLike, *, work_on_copy: bool = True) -> Path:
    """The folder to explore, with ``derived/`` brought up to date.

    Parameters
    ----------
    data_dir
        A careerconv data folder (with a ``roster.csv``).
    work_on_copy
        Copy the roster and records into a private temporary folder (removed
        when this process exits) and build the tables there, so that
        ``data_dir`` is only read. With False, ``data_dir/derived`` itself is
        brought up to date, as ``careerconv refresh`` does.

    Returns
    -------
    pathlib.Path
        The folder whose ``derived/`` and ``roster.csv`` to read.

    Raises
    ------
    FileNotFoundError
        If ``data_dir`` is not a folder holding a roster (the message says how to make one).
    """
    source = Path(data_dir).expanduser().resolve()
    if not (source / "roster.csv").is_file():
        raise FileNotFoundError(f"{source} is not a careerconv data folder (it has no roster.csv); give the folder "
                                "`careerconv demo` or `careerconv import roster FILE` wrote")
    folder = _private_copy(source) if work_on_copy else source
    Store(folder).refresh()
    return folder


def _private_copy(source: Path) -> Path:
    _remove_orphaned_copies()
    target = Path(tempfile.mkdtemp(prefix=f"{_COPY_PREFIX}{os.getpid()}-"))  # 0700: private to this user
    atexit.register(shutil.rmtree, target, ignore_errors=True)
    for name in _COPIED:
        path = source / name
        if path.is_dir():
            shutil.copytree(path, target / name, ignore=shutil.ignore_patterns(".*"))
        elif path.is_file():
            shutil.copy2(path, target / name)
    return target


DERIVED_TABLE_NAMES: tuple[str, ...] = tuple(schema.DERIVED_TABLES)


def _remove_orphaned_copies() -> list[Path]:
    """Remove this user's copies whose process has ended without removing them (a kernel that was killed).

    Returns
    -------
    list of pathlib.Path
        The folders removed.
    """
    removed = []
    for folder in Path(tempfile.gettempdir()).glob(f"{_COPY_PREFIX}*-*"):
        pid = folder.name[len(_COPY_PREFIX):].split("-", 1)[0]
        try:
            if not pid.isdigit() or folder.is_symlink() or folder.stat().st_uid != os.getuid():
                continue
        except OSError:
            continue
        if _process_alive(int(pid)):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def table_path(folder: str | os.PathLike, name: str) -> Path:
    """Where a table lives: ``roster.csv``, or the folder of a derived table's Parquet parts.

    ``pd.read_parquet(table_path(folder, "skill_ratings"))`` reads the whole table.

    Raises
    ------
    ValueError
        An unknown table (the message lists the tables there are).
    """
    schema.table(name)
    folder = Path(folder)
    return folder / "roster.csv" if name == "roster" else folder / "derived" / name


def duckdb():
    """The duckdb module, or a ValueError saying how to install it (DuckDB is an optional extra)."""
    try:
        import duckdb as module
    except ImportError:
        raise ValueError("reading the tables with SQL needs DuckDB, which is not installed: "
                         "pip install 'careerconv[duckdb]'") from None
    return module


def duckdb_source(folder: str | os.PathLike, name: str) -> str:
    """A DuckDB table expression for one table: ``read_parquet('…/*.parquet')`` or ``read_csv('…roster.csv')``.

    The roster is read with every column as text, as careerconv reads it (ids
    such as ``007`` keep their zeros).

    Raises
    ------
    ValueError
        An unknown table.
    """
    path = table_path(folder, name)
    if name == "roster":
        return f"read_csv({_sql_text(path)}, all_varchar = true, header = true)"
    return f"read_parquet({_sql_text(path / '*.parquet')})"


def _sql_text(path: Path) -> str:
    """A path as an SQL string literal (a quote in a folder name is doubled)."""
    return "'" + str(path).replace("'", "''") + "'"
