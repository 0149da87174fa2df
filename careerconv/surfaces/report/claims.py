"""Which reports a batch is making right now, so that two batches on one reports folder make each report once.

A batch claims an employee's report before its kernel runs it and lets go once the report's files are written
(:func:`claim`). Two batches started at once on the same folders (a scheduled run and one by hand, or one on each
of two machines sharing the folders) then split the work: a report claimed by the other batch is left for later,
and by then it is current, so it is not made again (found: both batches made every report).

Claims are locks of the operating system (``flock``) on :data:`STRIPES` files in ``<reports>/.making/``, chosen by a
hash of the employee's id and all made together, so the folder says nothing about whose reports were ever made (as
the data folder's locks: :meth:`careerconv.records.store.Store.lock`). A lock ends with the process that holds it
(its file is never handed to a kernel the batch starts), so a batch that is killed leaves no claim behind. Each
claim opens its own file: two claims exclude each other whether they are made by two processes, two threads or one
thread (a thread whose earlier claim is still being written by another thread waits for that thread, never for
itself). Two employees may share a stripe: one report then waits for the other.

The index pages of the folder are written under one more lock of the same kind, ``<reports>/.making/index.lock``
(:func:`claim_index`): a batch reads the folder for its index and writes the page while no other batch does, so
the page written last was read last (found: a batch that read the folder, then wrote its page after the batch
beside it had written its own, left off the report that batch had made meanwhile).
"""

from __future__ import annotations

import os
from pathlib import Path

from careerconv.records.store import bucket_of

try:
    import fcntl
except ImportError:  # Windows: no claims (two batches at once there both make every report)
    fcntl = None

__all__ = ["FOLDER", "STRIPES", "Claim", "claim", "claim_index", "cannot_claim"]

STRIPES = 64
FOLDER = ".making"


class Claim:
    """A batch's claim on one report, held until :meth:`release` (also at the end of a ``with`` block).

    ``why_none`` says why the claim holds nothing (claims cannot be made in that folder); empty for a real one.
    """

    def __init__(self, fd: int | None, why_none: str = ""):
        self._fd = fd
        self.why_none = why_none

    def release(self) -> None:
        """Let go of the report (again: nothing happens)."""
        if self._fd is not None:
            os.close(self._fd)  # closing the file ends its lock
            self._fd = None

    def __enter__(self) -> "Claim":
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def claim(reports_dir: str | os.PathLike, employee_id: str, *, wait: bool) -> Claim | None:
    """Claim the report of ``employee_id`` in ``reports_dir`` for this batch (a batch makes one day's).

    With ``wait`` it waits while another claim holds it; without, it returns None at once then. Where no claim can
    be made (a folder that cannot be written, a file system without locks) the claim holds nothing and says why
    (:attr:`Claim.why_none`): the batch goes on, and the report's own files say what is wrong with the folder.
    """
    return _lock(Path(reports_dir) / FOLDER, f"report-{bucket_of(employee_id, STRIPES):02d}.lock", wait)


def claim_index(reports_dir: str | os.PathLike) -> Claim:
    """Hold the writing of the index pages of ``reports_dir`` (waits while another batch holds it), until
    :meth:`Claim.release` or the end of a ``with`` block. Where no lock can be made, it holds nothing and says why,
    as :func:`claim`."""
    held = _lock(Path(reports_dir) / FOLDER, "index.lock", wait=True)
    assert held is not None  # a claim that waits always comes back with one
    return held


def _lock(folder: Path, name: str, wait: bool) -> Claim | None:
    """Lock the file ``name`` of ``folder`` (made, with every stripe's file, the first time)."""
    if fcntl is None:
        return Claim(None, "this system has no file locks careerconv uses (flock)")
    path = folder / name
    try:
        if not path.exists():
            folder.mkdir(parents=True, exist_ok=True)
            for stripe in range(STRIPES):
                (folder / f"report-{stripe:02d}.lock").touch(exist_ok=True)
            path.touch(exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    except OSError as exc:
        return Claim(None, f"cannot make its lock files in {folder}: {exc.strerror or exc}")
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        os.close(fd)
        return None
    except OSError as exc:  # a file system without flock
        os.close(fd)
        return Claim(None, f"cannot lock files in {folder}: {exc.strerror or exc}")
    return Claim(fd)


def cannot_claim(reports_dir: str | os.PathLike) -> str:
    """Why no report of ``reports_dir`` can be claimed ("" when claims work there): said once by a batch, since
    then a batch started beside it makes the same reports again (found: silently)."""
    held = claim(reports_dir, "", wait=False)
    if held is None:
        return ""  # held by another batch right now: claims work
    held.release()
    return held.why_none
