"""The roster gate: a person's access check and the record I/O it allows happen on one version of the roster.

A coach's save is checked against the roster ("is this person mine now?")
and then written. If the operator's roster import moved the person to
another coach between the check and the write, the old coach's save would
land after they lost the person. The service therefore runs every check of
a person's coach together with the read or write it allows as a *reader*
of this gate, and every change of the roster it makes (an import, an
erasure) as its *writer*: the check and the I/O see the same roster, and a
move waits for the requests under way and is seen by every later one.

Readers share the gate (coaches' saves run side by side); a writer has it
alone and is served before readers that arrive after it (an import is not
starved by a steady stream of autosaves). One gate per service process: the
service is the only program that changes a hub's data folder.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator


class RosterGate:
    """A writer-preferring readers-writer lock for threads."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._writers_waiting = 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Hold the roster still: no roster change starts until this block ends."""
        with self._cond:
            while self._writing or self._writers_waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextmanager
    def changing(self) -> Iterator[None]:
        """Change the roster alone: wait for the reads and writes under way, hold back new ones."""
        with self._cond:
            self._writers_waiting += 1
            try:
                while self._writing or self._readers:
                    self._cond.wait()
            finally:
                self._writers_waiting -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()
