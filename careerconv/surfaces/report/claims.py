"""Which reports a batch is making right now, so that two batches on one reports folder make each report once.

A batch claims an employee's report before its kernel runs it and lets go once the report's files are
written (:func:`claim`). Two batches started at once on the same folders (a scheduled run and one by hand, or one
on each of two machines sharing the folders) then split the work: a report claimed by the other batch is left for
later, and by then it is current, so it is not made again (found: both batches made every report).

Claims are locks of the operating system on :data:`STRIPES` files in ``<reports>/.making/``, chosen by a hash of the
employee's id and all made together, so the folder says nothing about whose reports were ever made (as the data
folder's locks: :meth:`careerconv.records.store.Store.lock`). A lock ends with the process that holds it, so a batch
that is killed leaves no claim behind. Two employees may share a stripe: one report then waits for the other.
"""

from __future__ import annotations

import os
from pathlib import Path

from filelock import FileLock, Timeout

from careerconv.records.store import bucket_of

__all__ = ["STRIPES", "Claim", "claim"]

STRIPES = 64
FOLDER = ".making"


class Claim:
    """A batch's claim on one report, held until :meth:`release` (also at the end of a ``with`` block)."""

    def __init__(self, lock: FileLock | None):
        self._lock = lock

    def release(self) -> None:
        """Let go of the report (again: nothing happens)."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> "Claim":
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def claim(reports_dir: str | os.PathLike, employee_id: str, *, wait: bool) -> Claim | None:
    """Claim the report of ``employee_id`` in ``reports_dir`` for this batch (a batch makes one day's).

    With ``wait`` it waits while another batch (another process, or another thread of this one) holds it; without,
    it returns None at once then. Where no claim can be made (a folder that cannot be written), the claim holds
    nothing: the report's own files cannot be written there either, and writing them says why.
    """
    folder = Path(reports_dir) / FOLDER
    path = folder / f"report-{bucket_of(employee_id, STRIPES):02d}.lock"
    try:
        if not path.exists():
            folder.mkdir(parents=True, exist_ok=True)
            for stripe in range(STRIPES):
                (folder / f"report-{stripe:02d}.lock").touch(exist_ok=True)
        # A lock object of its own (not shared within the process, not re-entrant): two threads of one batch,
        # or two claims of one thread, exclude each other like two processes.
        lock = FileLock(str(path), is_singleton=False, thread_local=False, preserve_lock_file=True)
        lock.acquire(blocking=wait, poll_interval=0.05)
    except Timeout:
        return None
    except OSError:
        return Claim(None)
    return Claim(lock)
