"""A log file appended to by one program and rewritten whole by an erasure, without a line lost or half-written.

Appends and the rewrite share one lock, an exclusive ``flock`` of the file: an append writes its line(s) under it
(:class:`LockedAppender`), and the rewrite (:func:`rewrite_whole`) copies the log line by line into a temp file
beside it, takes the lock to copy what was appended meanwhile, and replaces the log with the copy, atomically
(``os.replace``: a reader, or a kill at any moment, finds the old file or the new one, whole). An append that waited
for the lock then finds the path names a new file and writes there. The copy is locked by its rewrite for as long as it
lives, so a copy left by a rewrite that was killed (which may hold the lines as they were, an erased person's id in
clear) is told from one under way: the next rewrite removes it before it starts (:func:`remove_leftover_copies`), and a
completed or failed rewrite leaves none. Used by the access log
(:mod:`careerconv.surfaces.service.access_log`) and the hub's log (:mod:`careerconv.surfaces.service.hub_log`).
"""

from __future__ import annotations

import fcntl
import glob
import os
from pathlib import Path
from typing import BinaryIO, Callable

from careerconv.records.store import atomic_writer, cannot_write

Rewrite = Callable[[bytes], bytes]  # a line (with its end) -> itself, the very object, or the line rewritten
Check = Callable[[Path, int, bool], None]  # (path, fd, settled): raises when the file is not one to rewrite


class LockedAppender:
    """Appends to the log at ``path`` (created with ``mode`` and its folder when missing), each write under the
    log's lock, always to the file the path names (after a rewrite, the new one)."""

    def __init__(self, path: str | os.PathLike, mode: int = 0o600):
        self.path = Path(path)
        self.mode = mode

    def append(self, make: Callable[[int], bytes]) -> bytes:
        """Write what ``make(size)`` returns, called under the lock with the size of the file (what it reads there,
        such as who is erased, cannot change before the write lands in the file an erasure rewrites), in one piece;
        return it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, self.mode)
            try:
                # Once the lock is ours, the path still names the file we opened, or a rewrite replaced it and we
                # open the new one.
                fcntl.flock(fd, fcntl.LOCK_EX)
                if names(self.path, fd):
                    data = make(os.fstat(fd).st_size)
                    rest = memoryview(data)
                    while rest:  # one write for a line; a very long batch may take several, still under the lock
                        rest = rest[os.write(fd, rest):]
                    return data
            finally:
                os.close(fd)  # and with it the lock


class NotThatLog(ValueError):
    """A file named as a log of some kind that does not read as one: it is left as it is."""


class _Replaced(Exception):
    """The log was replaced by another rewrite while it was read."""


class _Unchanged(Exception):
    """No line changed: the log is left as it is."""


def rewrite_whole(path: Path, rewrite: Rewrite, check: Check | None = None) -> int:
    """Pass every line of the log at ``path`` through ``rewrite`` and replace the log with the result; return the
    lines changed (0: the log is left as it is, not replaced).

    The copy is a temp file beside the log, its owner, group and mode those of the log
    (:func:`careerconv.records.store.atomic_writer`: a log of a service's account rewritten by root stays the
    service's to append to), locked while it is written; copies that killed rewrites left beside the log are removed
    first (:func:`remove_leftover_copies`). ``check(path, fd, settled)`` is called before the copy (``settled``
    False) and again under the lock (True), and may refuse the file by raising.

    Raises
    ------
    FileNotFoundError
        There is no file at ``path``.
    OSError
        It cannot be read or replaced (the message names the file and why; the log is as it was).
    """
    while True:
        remove_leftover_copies(path)
        try:
            src = path.open("r+b")  # for writing too: a lock on a network file system needs it
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise cannot_write(path, exc) from None
        with src:
            if check is not None:
                check(path, src.fileno(), False)
            held = None  # the copy's lock, until it has replaced the log (the file itself closes before that)
            try:
                with atomic_writer(path) as out:  # its owner, group and mode those of the log
                    held = os.dup(out.fileno())
                    fcntl.flock(held, fcntl.LOCK_EX)  # ours while we live (remove_leftover_copies)
                    if os.fstat(held).st_nlink == 0:
                        raise _Replaced  # taken for a leftover before we locked it: start again
                    pending, changed = _copy(src, out, rewrite)
                    fcntl.flock(src.fileno(), fcntl.LOCK_EX)  # appends wait from here until src is closed
                    if not names(path, src.fileno()):
                        raise _Replaced  # another rewrite replaced it while we read: read the new one
                    if check is not None:
                        check(path, src.fileno(), True)
                    pending, more = _copy(src, out, rewrite, pending)
                    if pending:  # a line cut short by a killed writer (under the lock, no one is mid-line)
                        last = rewrite(pending)
                        out.write(last)
                        more += last is not pending
                    if not changed + more:
                        raise _Unchanged
                return changed + more
            except _Replaced:
                continue
            except _Unchanged:
                return 0
            finally:
                if held is not None:
                    os.close(held)


def remove_leftover_copies(path: Path) -> list[Path]:
    """Remove the copies of the log at ``path`` that rewrites killed midway left beside it (temp files of
    :func:`careerconv.records.store.atomic_writer`, which may hold its lines as they were); return those removed.
    A copy a rewrite under way still writes is locked by it, and kept."""
    removed = []
    for copy in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        try:
            fd = os.open(copy, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:  # gone meanwhile (its rewrite finished), a link, or not ours to read
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if names(copy, fd):
                os.unlink(copy)
                removed.append(copy)
        except OSError:  # locked: a rewrite under way; or it cannot be removed here (the next rewrite tries again)
            continue
        finally:
            os.close(fd)
    return removed


def names(path: Path, fd: int) -> bool:
    """Whether ``path`` is still the file open as ``fd`` (a rewrite replaces it with a new one)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    opened = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (opened.st_dev, opened.st_ino)


def _copy(src: BinaryIO, out: BinaryIO, rewrite: Rewrite, pending: bytes = b"") -> tuple[bytes, int]:
    """Copy ``src``'s lines from where it is to its end into ``out``, each through ``rewrite``; return what is left of a
    line without its end yet (an append under way, or cut short), to be read on, and how many lines changed."""
    changed = 0
    for line in src:
        if pending:
            line, pending = pending + line, b""
        if not line.endswith(b"\n"):
            pending = line  # only the last line can be without its end
            continue
        new = rewrite(line)
        changed += new is not line
        out.write(new)
    return pending, changed
