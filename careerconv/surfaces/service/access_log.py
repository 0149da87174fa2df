"""The access log: one JSON line per read or write of a person's records, append-only.

Each line says who (hub login), when (UTC), what they did (``read``,
``create``, ``save``, ``discard``, ``summary``, ``erase``, ``import roster`` …), to which person
and record, and whether it was ``allowed`` or ``refused`` (with the HTTP
status). It never holds a record's content: no answers, names or notes.

The file is opened with ``O_APPEND`` and a request's lines are written
together under a lock, so lines from concurrent requests never interleave
and nothing already logged is rewritten. The operator reads it
through the service (``GET /api/access-log``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from pathlib import Path
from typing import Iterable, Iterator

from careerconv.records.schema import EMPLOYEE_ID

ALLOWED, REFUSED = "allowed", "refused"
FIELDS = ("at", "user", "action", EMPLOYEE_ID, "record", "outcome", "status")


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
        entries = [{"at": at, "user": user, "action": action, EMPLOYEE_ID: employee_id, "record": record,
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
