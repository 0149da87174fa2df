"""The access log: one JSON line per read or write of a person's records, append-only.

Each line says who (hub login), when (UTC), what they did (``read``,
``create``, ``save``, ``discard``, ``summary``, ``erase``, ``import roster`` …), to which person
and record, and whether it was ``allowed`` or ``refused`` (with the HTTP
status). It never holds a record's content: no answers, names or notes. A
person or record is written only as an id (:func:`careerconv.records.schema.parse_identifier`):
whatever else a request named there (a record's text sent as its id, a
megabyte of anything) is written as :data:`NOT_AN_ID`.

The file is opened with ``O_APPEND`` and a request's lines are written
together under a lock, so lines from concurrent requests never interleave
and nothing already logged is rewritten, with one exception: erasing a
person (:meth:`AccessLog.forget`) replaces their id, in every line about
them, with the pseudonym the data folder's list of erased people keeps
(``erased:`` and a keyed hash), so the log still says what was done when
without naming them. The operator reads it through the service
(``GET /api/access-log``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import threading
from pathlib import Path
from typing import Iterable, Iterator

from careerconv.records.schema import EMPLOYEE_ID, parse_identifier
from careerconv.records.store import atomic_write_bytes

ALLOWED, REFUSED = "allowed", "refused"
FIELDS = ("at", "user", "action", EMPLOYEE_ID, "record", "outcome", "status")
NOT_AN_ID = "(not an id)"
ERASED = "erased:"
_RECORD_KINDS = ("conversation", "checkin")
_WHOLE_RECORDS = ("roster",)  # what a line names that is not one person's record
_PSEUDONYM = re.compile(ERASED + "[0-9a-f]{16,64}")


def logged_id(value: str | None) -> str | None:
    """``value`` as the log writes a person's id: itself when it is an id, else :data:`NOT_AN_ID`."""
    if value is None:
        return None
    if isinstance(value, str) and _PSEUDONYM.fullmatch(value):
        return value
    try:
        return parse_identifier(value) if isinstance(value, str) else NOT_AN_ID
    except ValueError:
        return NOT_AN_ID


def logged_record(value: str | None) -> str | None:
    """A record as the log writes it, ``kind/id`` (``kind/new`` before the store gave it one; ``roster``), the
    id part :data:`NOT_AN_ID` when it is not an id."""
    if value is None or value in _WHOLE_RECORDS:
        return value
    kind, _, rid = str(value).partition("/")
    if kind not in _RECORD_KINDS:
        return NOT_AN_ID
    return f"{kind}/{rid if rid == 'new' else logged_id(rid)}"


class AccessLog:
    """An append-only JSON-lines file.

    Parameters
    ----------
    path
        The log file (created, mode 0600, with its folder when missing).
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._lock = threading.Lock()

    def append(self, user: str, action: str, employee_id: str | None, outcome: str, status: int,
               record: str | None = None) -> dict:
        """Add one line and return it as a dict (see the module docstring for the fields)."""
        return self.append_each(user, action, [employee_id], outcome, status, record)[0]

    def append_each(self, user: str, action: str, employee_ids: Iterable[str | None], outcome: str, status: int,
                    record: str | None = None) -> list[dict]:
        """Add one line per person, all at one time (a roster import that changed many people), and return them."""
        at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")
        record = logged_record(record)
        entries = [{"at": at, "user": user, "action": action, EMPLOYEE_ID: logged_id(employee_id), "record": record,
                    "outcome": outcome, "status": status} for employee_id in employee_ids]
        lines = memoryview("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries).encode("utf-8"))
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                while lines:  # one write for a line; a very long batch may take several, still under the lock
                    lines = lines[os.write(fd, lines):]
            finally:
                os.close(fd)
        return entries

    def forget(self, employee_id: str, pseudonym: str) -> int:
        """Replace ``employee_id`` (in any case) with :data:`ERASED` + ``pseudonym`` in every line about them, and
        their record ids (which start with their id) with ``kind/erased``; the file is replaced whole, atomically.
        Returns the lines changed."""
        folded, named = employee_id.casefold(), ERASED + pseudonym
        changed = 0
        with self._lock:
            try:
                lines = self.path.read_text(encoding="utf-8").splitlines(keepends=True)
            except FileNotFoundError:
                return 0
            out = []
            for line in lines:
                entry = json.loads(line) if line.endswith("\n") else None
                if entry is None or str(entry.get(EMPLOYEE_ID) or "").casefold() != folded:
                    out.append(line)
                    continue
                entry[EMPLOYEE_ID] = named
                if entry.get("record"):
                    entry["record"] = entry["record"].partition("/")[0] + "/erased"
                out.append(json.dumps(entry, ensure_ascii=False) + "\n")
                changed += 1
            if changed:
                atomic_write_bytes(self.path, "".join(out).encode("utf-8"), mode=0o600)
        return changed

    def entries(self, employee_id: str | None = None, user: str | None = None) -> Iterator[dict]:
        """The logged lines, oldest first, optionally only those about one person or by one user."""
        try:
            handle = self.path.open(encoding="utf-8")
        except FileNotFoundError:
            return
        with handle:
            for line in handle:
                if not line.endswith("\n"):
                    continue  # a line being written right now
                entry = json.loads(line)
                if employee_id is not None and entry.get(EMPLOYEE_ID) != employee_id:
                    continue
                if user is not None and entry.get("user") != user:
                    continue
                yield entry
