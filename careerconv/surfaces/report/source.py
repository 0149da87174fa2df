"""Reading one employee's data for a report, strictly, through the store.

The store skips a damaged record file and notes it in ``Store.problems`` (the
coach's app keeps working). A report must not: a progress report built from
part of someone's data would tell them something false, so here any damaged
file of the employee is an error naming the file.

The roster is the one org-wide file every report reads. Reading and
validating it costs as much as the rest of a report for a large organisation,
so it is kept between reports of a warm kernel, keyed by the file's identity
(inode, size, modification time): a changed roster is read again. Only the
roster is kept; no conversation or check-in outlives the report that read it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from careerconv.records import schema
from careerconv.records.schema import CADENCE_MONTHS, COACH_ID, EMPLOYEE_ID, LEFT_ON, STARTED_ON
from careerconv.records.store import History, NotFound, Store

__all__ = ["load_history", "record_files", "data_fingerprint"]

# data folder -> (roster file identity, employee_id -> roster row)
_ROSTER_CACHE: dict[Path, tuple[tuple[int, int, int], dict[str, dict]]] = {}


def _roster_rows(store: Store) -> dict[str, dict]:
    path = store.roster_path
    try:
        st = path.stat()
    except FileNotFoundError:
        _ROSTER_CACHE.pop(store.root, None)
        return {}
    identity = (st.st_ino, st.st_size, st.st_mtime_ns)
    cached = _ROSTER_CACHE.get(store.root)
    if cached is not None and cached[0] == identity:
        return cached[1]
    rows = {}
    for row in store.roster().to_dict("records"):
        rows[row[EMPLOYEE_ID]] = {
            k: (None if pd.isna(v) else (int(v) if k == CADENCE_MONTHS else v)) for k, v in row.items()
        }
    _ROSTER_CACHE.clear()  # one data folder at a time is plenty
    _ROSTER_CACHE[store.root] = (identity, rows)
    return rows


def load_history(data_dir: str | os.PathLike, employee_id: str) -> History:
    """Everything held about one employee, refusing damaged files.

    Parameters
    ----------
    data_dir
        The data folder.
    employee_id
        The employee.

    Returns
    -------
    careerconv.records.store.History
        Roster row (None if not on the roster) with one extra key,
        ``coach_name`` (the coach's name when the coach is on the roster, else
        None), conversations and check-ins.

    Raises
    ------
    FileNotFoundError
        If the data folder does not exist.
    ValueError
        If ``employee_id`` is not a valid id.
    NotFound
        If the employee is neither on the roster nor has any record.
    careerconv.records.schema.ValidationError
        If one of the employee's record files (or the roster) is damaged or
        invalid; the message names the file and what is wrong.
    """
    root = Path(data_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"data folder {root} does not exist")
    schema.parse_identifier(employee_id, what="employee id")
    store = Store(root)
    rows = _roster_rows(store)
    employee = rows.get(employee_id)
    if employee is not None:
        employee = with_coach_name(employee, rows)
    history = History(employee, store.conversations(employee_id), store.checkins(employee_id))
    if store.problems:
        raise schema.ValidationError(store.problems, f"{len(store.problems)} damaged record file(s) of employee "
                                     f"{employee_id}; the report was not made")
    if employee is None and not history.conversations and not history.checkins:
        raise NotFound(f"employee {employee_id!r} is not on the roster of {store.root} and has no records")
    return history


def record_files(data_dir: str | os.PathLike, employee_id: str) -> list[Path]:
    """The record files of one employee in ``data_dir`` (:meth:`careerconv.records.store.Store.record_files`).

    Raises
    ------
    ValueError
        If ``employee_id`` is not a valid id.
    """
    return Store(data_dir, recover=False).record_files(employee_id)


def with_coach_name(employee: Mapping[str, Any], rows: Mapping[str, Mapping[str, Any]]) -> dict:
    """The employee's roster row as the report shows it: with ``coach_name``, their coach's name on the roster
    (``rows``, by id; None when the coach is not on it). The report's fingerprint holds it too, so renaming a
    coach remakes their people's reports (found: they kept the old name and were listed as unchanged)."""
    coach = rows.get(employee.get(COACH_ID) or "")
    return {**employee, "coach_name": coach["name"] if coach else None}


def data_fingerprint(data_dir: str | os.PathLike, employee_id: str, roster_row: dict | None) -> str:
    """A digest of everything in the data folder one employee's report is made from.

    The bytes of each record file (with its name) and the employee's roster
    row. Two calls give the same digest exactly when the report's input is the
    same.

    Returns
    -------
    str
        Hex digest.
    """
    digest = hashlib.blake2b(digest_size=20)
    # A row without a leaving or start day digests as it did before rosters had one, so reports made then stay
    # unchanged.
    row = {k: v for k, v in (roster_row or {}).items() if not (k in (LEFT_ON, STARTED_ON) and v is None)}
    digest.update(repr(sorted(row.items())).encode("utf-8"))
    for path in record_files(data_dir, employee_id):
        name = f"{path.parent.parent.name}/{path.name}".encode("utf-8")
        try:
            data = path.read_bytes()
        except OSError as exc:  # unreadable now: the report run will name the problem
            data = f"<unreadable: {exc}>".encode("utf-8")
        digest.update(len(name).to_bytes(4, "big") + name + len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()
