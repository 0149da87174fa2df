"""The store: the only module that reads and writes records on disk.

Layout of a data folder::

    roster.csv                                   the employees (UTF-8 CSV)
    conversations/<employee_id>/<conversation_id>.json   one file per conversation
    conversations/<employee_id>/<conversation_id>.summary.html  the employee's summary
    checkins/<employee_id>/<checkin_id>.json     one file per check-in
    question_sets/*.yaml                         the organisation's own question sets
    derived/<table>/part-NN.parquet              read-optimised tables (rebuildable)
    derived/manifest.json                        what the derived tables were built from
    .locks/                                      lock files: a fixed set of stripes, never named after anyone
    .staging/<batch>/                            a batch of records being imported (see below)
    erased.json                                  who was erased, as salted hashes of ids (see ErasedIds)
    access-logs.json                             the records service's access logs (see kept_elsewhere)
    reports-folders.json                         reports folders besides the one beside it (see kept_elsewhere)
    hub-logs.json, hub-states.json               the hub's own log and state folders (see kept_elsewhere)

Every write validates the record (:mod:`careerconv.records.schema`), writes the whole
file to a temp file in the same folder, fsyncs it and ``os.replace``-s it into
place under a per-employee lock. A killed process therefore leaves the old or
the new file; temp files start with ``.`` and are never read as data, and the
next refresh, ``validate`` or erase removes them.

Every save is a compare-and-swap on the record's ``revision``: a record loaded
at revision 3 saves as revision 4 only if the file still holds revision 3,
otherwise :class:`Conflict` says who changed it and when, and nothing is
written. A record without a revision is new: its id is allocated under the
lock, and creating never overwrites a record that exists. Nothing is saved for
an employee who is not on the roster, so an erased person cannot come back;
and the roster does not take an erased id back (:class:`ErasedIds`) unless
asked to on purpose.

A batch of records (an import) is all or nothing even when the process is
killed: it is staged in ``.staging/<batch>/``, a ``COMMITTED`` marker is
written, then the files are moved into place. Opening the store finishes a
committed batch that was interrupted, and removes one that was not committed.

The derived tables are built from the record files and brought up to date
incrementally: an employee's folder changes its modification time whenever a
record in it is replaced, so only changed employees are re-read, and only the
buckets (parts) holding them are rewritten. A part that cannot be read, or has
other columns, types or dtypes than the current schema's (written by another
version of careerconv; the versions of pandas and PyArrow that wrote it do not
count), is rebuilt from the records; tables written straight in, with no record
behind them (:meth:`Store.bulk_write_derived`), are never rebuilt: the refresh
says so (:class:`NotRebuildable`) and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import errno
import functools
import getpass
import hashlib
import hmac
import contextlib
import io
import json
import os
import re
import shutil
import socket
import stat
import tempfile
import time
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from filelock import FileLock

from . import leavers
from . import schema
from . import tables
from .erased_names import kept_hashes
from .looked_at import with_kept_since
from .id_spelling import looked_up_as, number_forms
from .questions import QuestionSet, available_question_sets
from .schema import CADENCE_MONTHS, COACH_ID, DATE, EMPLOYEE_ID, LEFT_ON, RECORD_ID_KEYS, STARTED_ON, STATUS

N_BUCKETS = 16
MANIFEST_VERSION = 1
ROSTER_FILE = "roster.csv"
# The kinds of record file and the folder of each (``<folder>/<employee_id>/<record_id>.json``).
RECORD_KINDS = ("conversation", "checkin")
_RECORD_DIRS = {"conversation": "conversations", "checkin": "checkins"}
DERIVED_DIR = "derived"
MANIFEST_FILE = "manifest.json"
# The manifest's running sum of its employees' facts terms (see facts_state_of), and what it is taken modulo.
FACTS_SUM = "facts_sum"
_FACTS_MODULUS = 1 << 128
_PART_NAME = re.compile(r"part-\d+\.parquet")
_PART_GLOB = "part-*.parquet"  # also parts of an older layout, which refresh removes
# Employees share a fixed set of lock files: a lock file never tells who was written (or erased).
LOCK_STRIPES = 64
LOCK_TIMEOUT = 60.0
# The data folder's locks besides the employees' stripes: the roster, the derived tables, an import's batch, and
# erasures (one at a time: each rewrites files other people's erasures rewrite too).
NAMED_LOCKS = ("roster", "derived", "batch", "erasure")
# Every lock file of a data folder, all made together (Store.lock): which are there tells nothing.
LOCK_FILES = (*(f"employee-{stripe:02d}.lock" for stripe in range(LOCK_STRIPES)), *(f"{n}.lock" for n in NAMED_LOCKS))
STAGING_DIR = ".staging"
ERASED_FILE = "erased.json"
COMMITTED_MARKER = "COMMITTED"


class NotFound(KeyError):
    """A record or employee that is not in the store."""

    def __str__(self) -> str:  # KeyError quotes its message; a user should not see quotes
        return str(self.args[0]) if self.args else "not found"


class Conflict(Exception):
    """A save that would overwrite a change made elsewhere; nothing was written.

    Attributes
    ----------
    kind, record_id
        Which record.
    current
        The record as it is stored now (None when it was deleted or discarded, or its file is damaged).
    attempted
        The record that was not saved.
    damaged
        Why the stored file cannot be read (cut short, not UTF-8: something else wrote it), or "" when it can.
    """

    def __init__(self, kind: str, record_id: str, current: dict | None, attempted: dict, message: str,
                 damaged: str = ""):
        super().__init__(message)
        self.kind, self.record_id, self.current, self.attempted = kind, record_id, current, attempted
        self.damaged = damaged

    @property
    def changed_by(self) -> str:
        """Who saved the stored version and when, in words."""
        return describe_save(self.current)


class NotOnRoster(PermissionError):
    """A save for an employee who is not on the roster (never added, or erased); nothing was written."""


class MovedAway(PermissionError):
    """A save by a coach for a person who has moved to another coach's team since (a roster import gave them to
    someone else); nothing was written, and nothing ever will be for this coach: the record is the new coach's
    to read now.

    Attributes
    ----------
    coach_name
        The new coach's name ("" when not known).
    moved_on
        The day the roster that moved them was written, ``YYYY-MM-DD`` ("" when not known).
    coach_of_nobody
        Whether the coach who saved coaches nobody on the roster now (an import gave their whole team away).
    """

    def __init__(self, message: str, coach_name: str = "", moved_on: str = "", coach_of_nobody: bool = False):
        super().__init__(message)
        self.coach_name, self.moved_on, self.coach_of_nobody = coach_name, moved_on, coach_of_nobody


def refused_for_good(exc: BaseException) -> bool:
    """Whether a save refused with ``exc`` would be refused again however often it is tried: the person is not
    (or no longer) the caller's, the record is read-only to them, or it is gone (a 403 or 404 of the records
    service), as opposed to a storage that may mend (:func:`disk_refused`) or a change made elsewhere
    (:class:`Conflict`, which the coach resolves)."""
    return isinstance(exc, (PermissionError, NotFound)) and not disk_refused(exc)


@dataclass(frozen=True)
class ErasedIds:
    """The ids erased from a data folder, each kept as a salted hash with the day it was erased.

    No id is kept in clear text: a hash is HMAC-SHA256 of the id keyed with a random salt made once per data
    folder (stored in the same file), so the file cannot be matched against another folder's or a precomputed
    table. Anyone who can read the folder can still test a guessed id, as :meth:`erased_on` does.

    Until an erasure of someone finds nothing of them left, it keeps hashes of their name and email too
    (:attr:`known_as`, :mod:`careerconv.records.erased_names`), keyed the same way: running it again, once their roster
    row is gone, finds what names them by name or email alone (a coachee's report saying "Your coach: <name>" in a
    reports folder that was not there the first time). A reader of the folder can test a guessed name against them, as
    a guessed id; they go when the erasure is complete.

    It keeps hashes of each erased id's number too (:attr:`numbers`, of
    :func:`~careerconv.records.id_spelling.number_forms`), for as long as the id's: an import knows ``61``, ``0061``
    or ``e61`` for an erased ``E0061`` by them (:meth:`number_erased_on`) when no one is left on the roster to learn
    from how ids are written. A reader of the folder can test a guessed number, as a guessed id.
    """

    salt: str = ""
    days: dict[str, str] = field(default_factory=dict)  # hash -> the day of erasure (YYYY-MM-DD)
    unfinished: frozenset[str] = frozenset()  # hashes of erasures that started and did not finish (yet)
    # hash of the id -> hashes of what else named them: {"name": ..., "name_words": n, "name_length": characters,
    # "name_capitals": [bool, ...], "email": ...}
    known_as: dict[str, dict] = field(default_factory=dict)
    # hash of the id -> hashes of its number forms; folders erased from before have none for their ids
    numbers: dict[str, list[str]] = field(default_factory=dict)
    # hash of the id -> the possible mentions of them the last erasure listed, and those a person looked at
    # (:mod:`careerconv.records.looked_at`); kept while the hashes of the name are
    possible_mentions: dict[str, dict] = field(default_factory=dict)

    def hash_of(self, employee_id: str) -> str:
        """The hash an id is kept as in this folder: of the id case-folded, since ids that differ only in case
        name one person (found: ``e0060`` added as someone new after ``E0060`` was erased)."""
        return self._hash(employee_id.casefold())

    def hashes_of(self, employee_id: str) -> set[str]:
        """Every hash ``employee_id`` may be kept as: :meth:`hash_of`, and the hash of the id as typed, which
        folders erased from before kept."""
        return {self.hash_of(employee_id), self._hash(employee_id)}

    def _hash(self, text: str) -> str:
        return hmac.new(bytes.fromhex(self.salt), text.encode("utf-8"), hashlib.sha256).hexdigest()

    def erased_on(self, employee_id: str) -> str | None:
        """The day ``employee_id`` (or an id that differs from it only in case) was erased (YYYY-MM-DD), or None
        when it was not (or was added again since)."""
        if not self.days or not isinstance(employee_id, str):
            return None
        return next((self.days[h] for h in self.hashes_of(employee_id) if h in self.days), None)

    def number_hashes(self, employee_id: str) -> list[str]:
        """The hashes an id's number is kept as (:attr:`numbers`), sorted; none for an id without one."""
        return sorted(self.text_hash("number", form) for form in number_forms(employee_id))

    def number_erased_on(self, value: str) -> str | None:
        """The day an id was erased whose number ``value`` writes otherwise (``61``, ``0061``, ``e61`` or ``E061``
        for ``E0061``: :func:`~careerconv.records.id_spelling.looked_up_as`), or None when it names no erased id's
        number; which id that was is not kept."""
        form = looked_up_as(value) if self.numbers and isinstance(value, str) else None
        if form is None:
            return None
        hashed = self.text_hash("number", form)
        return next((self.days[h] for h, kept in self.numbers.items() if hashed in kept and h in self.days), None)

    def text_hash(self, kind: str, text: str) -> str:
        """The hash a name or an email (``kind``), already put in one form
        (:mod:`careerconv.records.erased_names`), is kept as in this folder."""
        return self._hash(f"{kind}:{text}")

    def known_as_of(self, employee_id: str) -> dict:
        """The hashes of ``employee_id``'s name and email kept until their erasure is complete (none: ``{}``)."""
        return next((self.known_as[h] for h in self.hashes_of(employee_id) if h in self.known_as), {}) \
            if self.known_as else {}

    def possible_mentions_of(self, employee_id: str) -> dict:
        """The possible mentions of ``employee_id`` their last erasure listed, and those looked at
        (:mod:`careerconv.records.looked_at`; none: ``{}``)."""
        return next((self.possible_mentions[h] for h in self.hashes_of(employee_id) if h in self.possible_mentions),
                    {}) if self.possible_mentions else {}

    def is_unfinished(self, employee_id: str) -> bool:
        """Whether an erasure of ``employee_id`` started and did not finish (a full disk, a kill): running it
        again finishes it."""
        return bool(self.unfinished) and bool(self.hashes_of(employee_id) & self.unfinished)


def describe_save(record: dict | None) -> str:
    """'revision 4, saved by … at …' for a stored record (or 'deleted' for None)."""
    if record is None:
        return "deleted or discarded"
    who = record.get("saved_by") or "an earlier version of careerconv"
    when = record.get("saved_at")
    return f"revision {record.get('revision', 0)}, saved by {who}" + (f" at {when}" if when else "")


def default_actor() -> str:
    """Who is writing, as stored in ``saved_by``: the login and the machine."""
    try:
        user = getpass.getuser()
    except Exception:  # no login name (a container without one)
        user = f"uid {os.getuid()}"
    return f"{user} on {socket.gethostname()}"


@dataclass
class History:
    """Everything held about one employee, oldest first.

    ``checkins`` are the completed ones (facts); ``checkin_drafts`` are check-ins
    the coach has started and not finished.
    """

    employee: dict | None
    conversations: list[dict] = field(default_factory=list)
    checkins: list[dict] = field(default_factory=list)
    checkin_drafts: list[dict] = field(default_factory=list)

    @property
    def drafts(self) -> list[dict]:
        return [c for c in self.conversations if c[STATUS] == "draft"]

    def frames(self, names: Iterable[str] | None = None) -> dict[str, pd.DataFrame]:
        """This employee's derived tables, built straight from the records."""
        return tables.frames_from_records([*self.conversations, *self.checkins], names)


class NotRebuildable(ValueError):
    """A refresh that would rebuild from the records derived tables no record stands behind (written straight in:
    :meth:`Store.bulk_write_derived`): they would come back empty, so no table was changed."""

    def __init__(self, store: "Store", source: str, mismatched: Mapping[Path, str], layout: str | None = None):
        self.parts = dict(mismatched)
        if layout:
            what = f"they are in {_another_layout(layout)}, which it can neither read nor rebuild"
        elif mismatched:
            shown = "; ".join(f"{path.relative_to(store.root)} {why}" for path, why in list(mismatched.items())[:3])
            more = f" (and {len(mismatched) - 3} more)" if len(mismatched) > 3 else ""
            what = f"{len(mismatched)} part(s) would have to be rebuilt: {shown}{more}"
        else:
            what = "a full rebuild was asked for"
        super().__init__(
            f"cannot rebuild the derived tables in {store.derived_dir}: {what}. {_written_straight_in(source)}, so a "
            f"rebuild from the records would leave them empty; no table was changed. Write them again "
            f"{_with_what_made_them(store)}")

    def then(self, words: str) -> "NotRebuildable":
        """The same refusal (of the same class, with the same parts), its words followed by ``words``: what the
        caller says comes next."""
        followed = type(self).__new__(type(self))
        followed.__dict__.update(self.__dict__)
        ValueError.__init__(followed, f"{self}. {words}")
        return followed


class RowsNotRemoved(NotRebuildable):
    """An employee's rows could not be removed from derived tables written straight in
    (:meth:`Store.remove_written_rows`): a part of theirs cannot be read, and no record stands behind it to
    rebuild it from. No table was changed."""

    def __init__(self, store: "Store", source: str, employee_id: str, unreadable: list[Path]):
        self.parts = {path: "cannot be read" for path in unreadable}
        shown = ", ".join(str(path.relative_to(store.root)) for path in unreadable)
        ValueError.__init__(
            self, f"cannot remove the rows of {employee_id} from the derived tables in {store.derived_dir}: "
            f"{shown} cannot be read (damaged or truncated), so no table was changed. "
            f"{_written_straight_in(source)}, so {'it' if len(unreadable) == 1 else 'they'} cannot be rebuilt "
            f"from the records. Put back {'a copy' if len(unreadable) == 1 else 'copies'} from a backup, or write the "
            f"tables again {_with_what_made_them(store)}")


def _written_straight_in(source: str) -> str:
    """Where derived tables no record stands behind came from (:class:`NotRebuildable`)."""
    return f"They were written straight in by {source!r}, with no record file behind them"


def _with_what_made_them(store: "Store") -> str:
    """How derived tables written straight in are written again (:class:`NotRebuildable`)."""
    return f"with what made them (the benchmark organisation: `python benchmarks/make_hr_bench_data.py --data " \
           f"{store.root} --force`)"


@dataclass
class RefreshReport:
    employees_changed: int
    buckets_rewritten: int
    seconds: float


def bucket_of(employee_id: str, n: int = N_BUCKETS) -> int:
    """Stable bucket number of an employee (same on every machine and run), 0 to ``n - 1``."""
    return int(buckets_of([employee_id], n)[0])


def buckets_of(employee_ids: Iterable[str], n: int = N_BUCKETS) -> "np.ndarray":
    """:func:`bucket_of` of many employees at once (an int64 array, in their order).

    The bucket is the first four bytes of the BLAKE2b digest of the id's UTF-8 bytes, read as a big-endian
    number, modulo ``n``: the digests are joined and read as one array instead of one number at a time.
    """
    import numpy as np

    digest = hashlib.blake2b
    joined = b"".join([digest(e.encode(), digest_size=4).digest() for e in employee_ids])
    return (np.frombuffer(joined, dtype=">u4").astype(np.int64) % n) if joined else np.zeros(0, dtype=np.int64)


def part_name(bucket: int) -> str:
    """The file name of a derived table's part ``bucket`` (``part-NN.parquet``): the one place it is spelled."""
    return f"part-{bucket:02d}.parquet"


def is_part_name(name: str) -> bool:
    """Whether a file name is that of a derived table's part (of this layout or one with other buckets)."""
    return _PART_NAME.fullmatch(name) is not None


def _layout_of(manifest: Mapping) -> str:
    """A manifest's layout in words: its version and number of parts per table."""
    return f"manifest version {manifest.get('version')!r}, {manifest.get('n_buckets')!r} parts per table"


def _another_layout(layout: str) -> str:
    """Tables of ``layout`` (:func:`_layout_of`) beside the one this careerconv reads, in words."""
    return f"another layout ({layout}; this careerconv reads {_layout_of(new_manifest())})"


def new_manifest(**extra) -> dict:
    """An empty manifest of the derived tables (no employee read yet) in the current version and layout."""
    return {"version": MANIFEST_VERSION, "n_buckets": N_BUCKETS, "employees": {}, **extra}


def _facts_term(employee_id: str, digest: str | None, left_out: list[str] | None) -> int:
    """One employee's term in a manifest's facts sum: a 128-bit number drawn from their facts digest and their
    record files left out, 0 when they have neither (only drafts, or no record)."""
    if digest is None and not left_out:
        return 0
    part = json.dumps([employee_id, digest, left_out or []], ensure_ascii=False).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(part, digest_size=16).digest(), "big")


def facts_sum(manifest: dict) -> str:
    """The sum (modulo 2**128, as 32 hex digits) of the facts terms of every employee in ``manifest``: the one
    :meth:`Store.refresh` keeps under :data:`FACTS_SUM`, else (a manifest of an older careerconv) counted here."""
    if FACTS_SUM in manifest:
        return manifest[FACTS_SUM]
    facts, left_out = manifest.get("facts", {}), manifest.get("left_out", {})
    total = sum(_facts_term(e, facts.get(e), left_out.get(e)) for e in facts.keys() | left_out.keys())
    return f"{total % _FACTS_MODULUS:032x}"


def updated_facts_sum(manifest: dict, employees: Iterable[str], facts: dict[str, str],
                      left_out: dict[str, list[str]]) -> str:
    """:func:`facts_sum` of ``manifest`` once ``employees`` have the ``facts`` digests and ``left_out`` files
    given (where an employee has none, their entry is gone), counting only those employees' terms again."""
    old_facts, old_left_out = manifest.get("facts", {}), manifest.get("left_out", {})
    total = int(facts_sum(manifest), 16)
    for e in employees:
        total += _facts_term(e, facts.get(e), left_out.get(e)) - _facts_term(e, old_facts.get(e), old_left_out.get(e))
    return f"{total % _FACTS_MODULUS:032x}"


def facts_state_of(manifest: dict) -> str:
    """What :meth:`Store.facts_state` says of ``manifest``: a fingerprint of every part of it but the record folders'
    times (``employees``), its employees' facts digests and files left out entering through their sum."""
    kept = {name: value for name, value in manifest.items() if name not in ("employees", "facts", "left_out")}
    kept[FACTS_SUM] = facts_sum(manifest)
    return hashlib.blake2b(json.dumps(kept, sort_keys=True).encode("utf-8"), digest_size=16).hexdigest()


def file_version(st: os.stat_result) -> tuple[int, int, int]:
    """Which version of a file ``st`` describes. careerconv replaces its files whole (a new file renamed over the old
    one), so a different version means the file may have changed; the same, that it did not."""
    return st.st_mtime_ns, st.st_size, st.st_ino


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# Read once: os.umask can only be read by setting it, which is not safe while other threads create files.
_UMASK = _read_umask()


def atomic_write_bytes(path: Path, data: bytes, durable: bool = True, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` so that readers see the old or the new file, never a mix
    (:func:`atomic_writer` with one write)."""
    with atomic_writer(path, durable, mode) as stream:
        stream.write(data)


@contextlib.contextmanager
def atomic_writer(path: Path, durable: bool = True, mode: int | None = None) -> Iterator[BinaryIO]:
    """A file to write ``path``'s new content into, piece by piece; when the ``with`` block ends, it replaces
    ``path`` whole, so readers see the old or the new file, never a mix. An exception in the block leaves ``path``
    as it was (the temp file is removed).

    The temp file lives in the same folder (``os.replace`` is atomic only within
    one file system) and starts with ``.`` so no reader mistakes it for data.
    ``durable=False`` skips the fsyncs (still atomic, not crash-durable): only
    for bulk writes that can be redone, such as generating a demo organisation.
    A file that replaces another keeps the owner, group and mode of the one it replaces (a file of the records
    service's account, rewritten by root, stays the service's to write) as far as this account may give them: only
    root gives a file to another account, so a file of another account rewritten by an account sharing its folder
    becomes the writer's, in the group and mode it had (the write is never refused for it: nothing is lost). A new
    file's mode follows the umask, like any file a program creates. ``mode``, when given, is the mode either way (a
    private file, such as the hub's access log, keeps 0600 from the start).

    Raises
    ------
    OSError
        The disk refused (:func:`cannot_write`: names ``path``, says why and that it is as it was).
    """
    path = Path(path)
    try:
        replaced = os.stat(path)
    except OSError:
        replaced = None  # a new file (or one that cannot be reached: the steps below say why)
    if replaced is not None and not stat.S_ISREG(replaced.st_mode):
        replaced = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise cannot_write(path, exc) from None
    try:
        # mkstemp makes the file 0600; the finished file gets the mode of the file it replaces, else the mode any
        # new file gets (the umask rules), so a shared reports folder stays shared. The data folder itself is
        # private (see Store).
        with os.fdopen(fd, "wb") as fh:
            if replaced is not None:
                _give_owner(fh.fileno(), replaced)
            if mode is None:
                mode = stat.S_IMODE(replaced.st_mode) if replaced is not None else 0o666 & ~_UMASK
            os.fchmod(fh.fileno(), mode)  # after the owner: a change of owner clears the set-id bits
            yield fh
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:  # gone already, or the file system refuses even that (read-only): it starts with "."
            pass
        if isinstance(exc, OSError):  # the disk refused (full, read-only, failing): name the file, not the temp
            raise cannot_write(path, exc) from exc
        raise
    if durable:
        _fsync_dir(path.parent)


def _give_owner(fd: int, replaced: os.stat_result) -> None:
    """Give the new file (``fd``) the owner and group of the file it replaces, or as much of them as this account
    may: its group (an account may give its file to a group it is in), else neither."""
    uid = replaced.st_uid if replaced.st_uid != os.geteuid() else -1
    gid = replaced.st_gid if replaced.st_gid != os.getegid() else -1
    for owner in ((uid, gid), (-1, gid)):
        if owner == (-1, -1):
            return
        try:
            os.fchown(fd, *owner)
            return
        except PermissionError:
            continue


def write_output_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write a file a person asked for (``-o FILE``, ``--ics FILE``): atomically, through links, into devices.

    A regular file is replaced atomically (:func:`atomic_write_bytes`), so a
    reader or a killed run sees the old file or the new. A link is followed
    and the file it points to is replaced; the link stays. Anything else that
    is not a folder (``/dev/null``, ``/dev/stdout``, a named pipe, the
    ``/dev/fd/63`` of ``-o >(gzip > f.gz)``) is written into as it is:
    replacing it would put a regular file in its place, which for ``/dev/null``
    run as root broke every program on the machine.

    Returns
    -------
    Path
        The path as given (``~`` expanded).

    Raises
    ------
    OSError
        When it cannot be written (the message names the file and why).
    """
    target = Path(path).expanduser()
    try:
        mode = os.stat(target).st_mode  # of what a link points to
    except OSError:
        mode = None  # not there yet (or not reachable: atomic_write_bytes says why)
    if mode is not None and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        try:
            with open(target, "wb") as stream:  # /dev/stdout is a link to a pipe that has no path of its own
                stream.write(data)
        except OSError as exc:
            raise cannot_write(target, exc) from None
    else:
        atomic_write_bytes(target.resolve() if mode is not None else target, data)
    return target


# What to do when the disk refuses a write, by errno; the error says which file and that it was not changed.
_DISK_ADVICE = {
    errno.ENOSPC: "free some space on that disk, then try again",
    errno.EDQUOT: "the disk quota there is used up: free some space or ask for a larger quota, then try again",
    errno.EROFS: "that file system is mounted read-only: make it writable (or use a folder on a writable disk), "
                 "then try again",
    errno.EIO: "the disk reported an input/output error: check the disk, and copy the folder to a sound one, "
               "before trying again",
    errno.EFBIG: "the file is larger than that file system (or a limit on this process) allows",
}


# The errors of a data folder this process may read but not write: its permissions, or a read-only mount.
_NOT_WRITABLE = (errno.EACCES, errno.EPERM, errno.EROFS)


def cannot_write(path: Path, exc: OSError) -> OSError:
    """``exc`` worded for the file that was to be written, not for a folder or temp file on the way to it: which
    file, why, that the file as it was is still there (or that nothing was written), and what to do.

    The error keeps the class and ``errno`` of ``exc`` (``disk_refused`` tells it from a refusal of the data).
    """
    for folder in path.parents:
        if folder.exists():
            if not folder.is_dir():
                error: OSError = NotADirectoryError(f"cannot write {path}: {folder} is a file, not a folder")
                error.errno = errno.ENOTDIR
                return error
            break
    reason = getattr(exc, "reason", None) or (exc.strerror or str(exc)).lower()  # worded once, not twice
    kept = "it is as it was before" if path.exists() else "nothing was written"
    advice = _DISK_ADVICE.get(exc.errno)
    error = type(exc)(f"cannot write {path}: {reason} (in {path.parent}); {kept}" + (f"; {advice}" if advice else ""))
    error.errno, error.reason = exc.errno, reason
    return error


def disk_refused(exc: BaseException) -> bool:
    """Whether ``exc`` is the storage refusing a read or write (a disk full, read-only, failing, no permission; or
    the records service holding the data unreachable), as opposed to the data or a record's state being
    refused: trying again may work once the storage is mended."""
    return isinstance(exc, OSError) and exc.errno is not None


RESTORE = "restore it from a backup"


def why_unreadable(data: bytes, exc: Exception) -> str:
    """Why a file careerconv wrote cannot be read back, in words (``data``: its bytes, ``exc``: the error reading
    them), and what to do: every file is written whole, so an empty or cut-short one was cut by something else."""
    cut = "something other than careerconv (a sync tool, a copy to a full disk) cut it short; " + RESTORE
    if not data:
        return f"the file is empty (0 bytes): {cut}"
    if isinstance(exc, UnicodeDecodeError):
        return (f"it is not UTF-8 text (byte 0x{data[exc.start]:02x} at position {exc.start}): something other than "
                f"careerconv wrote it; {RESTORE}")
    if isinstance(exc, json.JSONDecodeError) and (exc.msg.startswith("Unterminated") or
                                                  exc.pos >= len(data.rstrip())):
        return f"it stops in the middle, after {len(data)} bytes: {cut}"
    return f"{exc}; {RESTORE}"


def _json_bytes(record: dict) -> bytes:
    # compact: the C encoder is used only without indent (3x faster autosaves)
    return json.dumps(record, ensure_ascii=False).encode("utf-8")


def someone_elses_id(record_id: str, employee_id: str, folded_ids: Mapping[str, str]) -> str | None:
    """The id of another person that ``record_id`` (a record of ``employee_id``) begins with, before a dash and in
    any case (``E0003-20261206`` kept for E0012 names E0003), or None; ``folded_ids`` maps each roster id, casefolded,
    to itself.

    Such a record would be taken for theirs: it holds a clear id their erasure looks for, and the id the store gives
    their own record of that day.
    """
    if record_id.casefold().startswith(f"{employee_id.casefold()}-"):
        return None
    heads = (record_id[:i].casefold() for i, letter in enumerate(record_id) if letter == "-")
    return next((folded_ids[h] for h in heads if folded_ids.get(h, employee_id) != employee_id), None)


def is_data_file(name: str) -> bool:
    return not name.startswith(".") and name.endswith(".json")


def is_temp_file(name: str) -> bool:
    """A temp file of :func:`atomic_write_bytes` (left behind only by a killed process)."""
    return name.startswith(".") and name.endswith(".tmp")


class _Lock(FileLock):
    """A lock file of the data folder; taking it opens the file for writing, so a read-only data folder (or a
    full one, where the file is missing) refuses it: the error names the lock file and says why (a reader who may
    not write finds up-to-date derived tables without it, see :meth:`Store.refresh`)."""

    def acquire(self, *args, **kwargs):
        try:
            return super().acquire(*args, **kwargs)
        except OSError as exc:
            if isinstance(exc, TimeoutError):  # filelock.Timeout: another process holds it
                raise
            raise cannot_write(Path(self.lock_file), exc) from exc


# pandas' words when the source it reads raised while it read and it dropped the exception: from the roster's bytes in
# memory only a stop can raise, and pandas drops a Ctrl-C that Python's own handler raised on Python 3.11 (the error is
# still a bare type there; from 3.12 on pandas lets it through as it came, as it does a stop raised by a handler written
# in Python). Found: Ctrl-C in a batch's first seconds said "roster.csv: the file is damaged ... restore it from a
# backup", advice that would lose the changes since the backup.
_SOURCE_FAILED = "Calling read(nbytes) on source failed"


def _stopped_reading(path: Path, stop: KeyboardInterrupt | None = None) -> KeyboardInterrupt:
    """The stop (Ctrl-C, SIGTERM) that came while ``path`` was read, saying so: its own kind (so a command still says
    how it was stopped) and words if it has any; ``None``: the stop pandas dropped (Ctrl-C, on Python 3.11)."""
    if stop is not None and stop.args:
        return stop
    return (KeyboardInterrupt if stop is None else type(stop))(f"stopped while {path} was read")


class Store:
    """A data folder of open files; every record read and write goes through here.

    Parameters
    ----------
    root
        The data folder. Created on first write.
    """

    def __init__(self, root: str | os.PathLike, actor: str | None = None, recover: bool = True):
        self.root = Path(root).resolve()
        self.actor = actor or default_actor()
        self.problems: list[schema.Problem] = []
        self._roster_cache: tuple[tuple, pd.DataFrame, dict[str, int] | None] | None = None
        self._temp_seen: set[str] = set()  # employees whose folders held temp files when last read
        # The facts state of the manifest this store last read or wrote, with that file's version (None: no file).
        self._facts_seen: tuple[tuple | None, str] | None = None
        self.swept: list[Path] = []  # temp files the last validate removed
        self.unswept: list[Path] = []  # and those it found but could not remove (the folder cannot be written)
        if recover and (self.root / STAGING_DIR).is_dir():
            self.recover_batches()

    @classmethod
    def existing(cls, root: str | os.PathLike) -> "Store":
        """A store on a data folder that must already exist (for commands that only read or change it).

        Raises
        ------
        FileNotFoundError
            Saying how to create one.
        """
        store = cls(root)
        if not store.root.is_dir():
            raise FileNotFoundError(f"data folder {store.root} does not exist (run `careerconv demo` or "
                                    "`careerconv import roster FILE` first)")
        return store

    # ------------------------------------------------------------------ paths and locks
    @property
    def derived_dir(self) -> Path:
        return self.root / DERIVED_DIR

    @property
    def manifest_path(self) -> Path:
        """``derived/manifest.json``: what the derived tables were built from."""
        return self.derived_dir / MANIFEST_FILE

    def records_dir(self, kind: str) -> Path:
        """The folder holding every employee's records of ``kind`` (one of :data:`RECORD_KINDS`)."""
        try:
            return self.root / _RECORD_DIRS[kind]
        except KeyError:
            raise ValueError(f"unknown record kind {kind!r}; the kinds are {', '.join(RECORD_KINDS)}") from None

    def holds_records(self) -> bool:
        """Whether any record folder (conversations, check-ins) has content."""
        return any(folder.is_dir() and any(folder.iterdir()) for folder in map(self.records_dir, RECORD_KINDS))

    def part_path(self, table: str, bucket: int) -> Path:
        """The file of part ``bucket`` of derived table ``table`` (it may not exist)."""
        return self.derived_dir / table / part_name(bucket)

    def part_paths(self, table: str, existing: bool = True) -> list[Path]:
        """The parts of a derived table in bucket order; only those with a file unless ``existing=False``."""
        paths = [self.part_path(table, b) for b in range(N_BUCKETS)]
        return [p for p in paths if p.exists()] if existing else paths

    def sweep_lock(self, path: str | os.PathLike) -> FileLock | None:
        """The lock under which :meth:`sweep_temp_files` removes the temp files left in ``path``'s folder (None: it
        removes none there): the derived tables', the roster's for the data folder's own top level, the employee's
        for their record folders. Whatever else writes a file there through a temp file (an erasure rewriting
        mentions in a file someone put there) holds it while it writes, so that a sweep meanwhile (a refresh, an
        import) does not take its temp file for one a killed process left (found by a hostile tester)."""
        folder = Path(path).parent
        if folder == self.derived_dir or self.derived_dir in folder.parents:
            return self.lock("derived")
        if folder == self.root:
            return self.lock("roster")
        if folder.parent in {self.records_dir(kind) for kind in RECORD_KINDS}:
            return self.lock(f"employee:{folder.name}")
        return None

    def is_derived_file(self, path: str | os.PathLike) -> bool:
        """A part of a derived table or their manifest: :meth:`refresh` rewrites them from the records."""
        path = Path(path)
        if path == self.manifest_path:
            return True
        return path.parent.parent == self.derived_dir and path.parent.name in schema.DERIVED_TABLES \
            and is_part_name(path.name)

    def has_derived_layout(self, names: Iterable[str]) -> bool:
        """Whether the manifest is of the current layout and every part of the tables ``names`` has a file."""
        try:
            manifest = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        if not isinstance(manifest, dict) or manifest.get("version") != MANIFEST_VERSION \
                or manifest.get("n_buckets") != N_BUCKETS:
            return False
        return all(len(self.part_paths(t)) == N_BUCKETS for t in names)

    @property
    def roster_path(self) -> Path:
        return self.root / ROSTER_FILE

    @property
    def locks_dir(self) -> Path:
        return self.root / ".locks"

    def lock(self, name: str) -> FileLock:
        """The inter-process lock ``"employee:<id>"``, or one of :data:`NAMED_LOCKS` (``"roster"``, ...).

        Employees share :data:`LOCK_STRIPES` lock files chosen by a hash of the
        id, all created together with the named ones (:data:`LOCK_FILES`), so
        the lock folder says nothing about who was ever written, or what was
        ever done. The lock is re-entrant within a thread (one object per
        file per process) and excludes other threads and processes.
        """
        if name.startswith("employee:"):
            file = f"employee-{bucket_of(name[9:], LOCK_STRIPES):02d}.lock"
        elif name in NAMED_LOCKS:
            file = f"{name}.lock"
        else:
            raise ValueError(f"unknown lock {name!r}")
        folder = self.locks_dir
        if not (folder / file).exists():
            try:
                if not self.root.exists():
                    # A new data folder is private to its owner: what is inside is shared only by choice.
                    self.root.parent.mkdir(parents=True, exist_ok=True)
                    self.root.mkdir(mode=0o700, exist_ok=True)
                folder.mkdir(parents=True, exist_ok=True)
                for lock_file in LOCK_FILES:
                    (folder / lock_file).touch(exist_ok=True)
            except OSError as exc:
                raise cannot_write(folder / file, exc) from exc
        return _Lock(str(folder / file), timeout=LOCK_TIMEOUT, poll_interval=0.005, is_singleton=True)

    def employee_dir(self, kind: str, employee_id: str) -> Path:
        schema.parse_identifier(employee_id, what="employee id")
        return self.records_dir(kind) / employee_id

    def record_path(self, kind: str, employee_id: str, record_id: str) -> Path:
        schema.parse_identifier(record_id, what=f"{kind} id", max_length=schema.MAX_RECORD_ID)
        return self.employee_dir(kind, employee_id) / f"{record_id}.json"

    def record_files(self, employee_id: str) -> list[Path]:
        """The record files of one employee (every kind of :data:`RECORD_KINDS`), sorted.

        Temp files of interrupted saves (names starting with ``.``) are not data and are left out.

        Raises
        ------
        ValueError
            If ``employee_id`` is not a valid id.
        """
        return sorted(Path(e.path) for kind in RECORD_KINDS for e in listing(self.employee_dir(kind, employee_id))
                      if not e.name.startswith(".") and e.is_file())

    # ------------------------------------------------------------------ question sets
    def question_sets(self) -> dict[str, QuestionSet]:
        """The question sets a conversation here can use, by id: the built-in ones, then the data folder's
        own (``question_sets/*.yaml``, which win).

        Raises
        ------
        careerconv.records.schema.ValidationError
            If a set file in the data folder is malformed (naming it).
        """
        return available_question_sets(self.root)

    # ------------------------------------------------------------------ roster
    def roster(self) -> pd.DataFrame:
        """The roster as a typed frame (empty with the right columns if none yet).

        Raises
        ------
        ValidationError
            If ``roster.csv`` was edited by hand into something invalid.
        """
        return self._roster_frame().copy()

    def roster_version(self) -> tuple[int, int, int] | None:
        """Which version of ``roster.csv`` the folder holds (None: no roster yet; see :func:`file_version`)."""
        try:
            return file_version(self.roster_path.stat())
        except FileNotFoundError:
            return None

    def _roster_index(self) -> tuple[pd.DataFrame, dict[str, int]]:
        """The validated roster and each employee's row in it."""
        typed = self._roster_frame()
        cache = self._roster_cache
        if cache is None:
            return typed, {}
        if cache[2] is None:  # built on first use: reading the roster for a report needs no lookups
            positions = dict(zip(typed[EMPLOYEE_ID].tolist(), range(len(typed))))
            cache = self._roster_cache = (cache[0], cache[1], positions)
        return typed, cache[2]

    def _roster_frame(self) -> pd.DataFrame:
        # Validated once per version of the file: every replace gives a new inode.
        key = self.roster_version()
        if key is None:
            self._roster_cache = None
            return schema.ROSTER.empty()
        if self._roster_cache is None or self._roster_cache[0] != key:
            try:
                data = self.roster_path.read_bytes()
                frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig")
            except KeyboardInterrupt as stop:
                raise _stopped_reading(self.roster_path, stop) from None
            except ValueError as exc:  # empty, not UTF-8, not CSV: not as careerconv writes it
                if _SOURCE_FAILED in str(exc):
                    raise _stopped_reading(self.roster_path) from None
                raise schema.ValidationError(
                    [schema.Problem(str(self.roster_path), f"cannot read the roster: {why_unreadable(data, exc)}; "
                                    "or remove it and import the roster again (careerconv import roster FILE)")],
                    f"{self.roster_path}: the file is damaged") from None
            try:
                typed = schema.validate_roster_frame(frame, str(self.roster_path))
            except schema.ValidationError as exc:
                if not data.endswith((b"\n", b"\r")):  # careerconv ends every roster with a line break
                    raise schema.ValidationError([*exc.problems, schema.Problem(
                        str(self.roster_path), f"the file ends in the middle of a line, after {len(data)} bytes: "
                        "if it was cut short (a sync tool, a copy to a full disk), " + RESTORE)],
                        str(exc).split(":\n")[0]) from None
                raise
            self._roster_cache = (key, typed, None)
        return self._roster_cache[1]

    def employee(self, employee_id: str) -> dict:
        """One roster row as a dict.

        Raises
        ------
        NotFound
            If the employee is not on the roster.
        """
        typed, positions = self._roster_index()
        if employee_id not in positions:
            raise NotFound(f"employee {employee_id!r} is not on the roster{self.case_hint(employee_id)}")
        row = typed.iloc[positions[employee_id]].to_dict()
        return {k: (None if pd.isna(v) else (int(v) if k == CADENCE_MONTHS else v)) for k, v in row.items()}

    def save_roster(self, frame: pd.DataFrame, source: str = "roster") -> pd.DataFrame:
        """Replace the whole roster with ``frame`` after validating all of it (a new organisation).

        Changing some rows of a roster that others may be changing at the same
        time goes through :meth:`upsert_employees` or :meth:`remove_employees`.

        Raises
        ------
        ValidationError
            Nothing is written if any row is invalid.
        """
        typed = schema.validate_roster_frame(frame, source)
        with self.lock("roster"):
            self._write_roster(typed)
        return typed

    def _write_roster(self, typed: pd.DataFrame) -> None:
        buf = io.StringIO()
        # CRLF: a lone CR in a cell gets quoted
        schema.roster_as_written(typed).to_csv(buf, index=False, lineterminator="\r\n")
        atomic_write_bytes(self.roster_path, buf.getvalue().encode("utf-8"))

    def upsert_employees(self, frame: pd.DataFrame, source: str = "roster",
                         allow_erased: bool = False) -> tuple[int, int, int]:
        """Add or update employees by id, keeping everyone else (read-modify-write under the roster lock).

        An employee or coach id that was erased (:meth:`erased_ids`) is refused unless ``allow_erased``; with it,
        the ids are added and taken off the erased list, under the same lock.

        Returns
        -------
        (added, updated, unchanged)

        Raises
        ------
        ValidationError
            Nothing is written if a row is invalid, or names an erased id without ``allow_erased``.
        """
        incoming = schema.validate_roster_frame(frame, source)
        with self.lock("roster"):
            erased = self.erased_ids()
            again = []
            if erased.days:  # nothing erased: no id to look up
                named = {(column, value) for column in (EMPLOYEE_ID, COACH_ID) for value in incoming[column]
                         if isinstance(value, str) and value}
                again = sorted((column, value, day) for column, value in named
                               if (day := erased.erased_on(value)) is not None)
            if again and not allow_erased:
                raise schema.ValidationError(
                    [schema.Problem(source, f"{value} was erased on {day}", None, column, value)
                     for column, value, day in again],
                    f"{source}: the roster was not changed (add erased people again only on purpose)")
            current = self.roster().reset_index(drop=True)
            incoming = incoming.reset_index(drop=True)
            # Both hold each id once, and no two ids that differ only in case (validate_roster_frame).
            ids, current_ids = incoming[EMPLOYEE_ID].astype(object), current[EMPLOYEE_ID].astype(object)
            twin = pd.Series(current_ids.to_numpy(), index=current_ids.str.casefold()) \
                .reindex(ids.str.casefold()).to_numpy()
            clash = pd.notna(twin) & (twin != ids.to_numpy())
            if clash.any():
                raise schema.ValidationError(
                    [schema.Problem(source, f"differs only in case from the existing employee {twin[pos]!r}",
                                    int(pos) + 2, EMPLOYEE_ID, ids[pos]) for pos in np.flatnonzero(clash)],
                    f"{source}: the roster was not changed")
            at = pd.Index(current_ids).get_indexer(ids)  # each incoming row's row on the roster (-1: new)
            known = at >= 0
            same = _same_rows(current.iloc[at[known]], incoming[known])
            added, unchanged = int((~known).sum()), int(same.sum())
            updated = len(incoming) - added - unchanged
            if added or updated:
                # Everyone on the roster where they are (with the incoming values where they came again), then
                # the new people in the order they came.
                from_incoming = np.full(len(current), -1)
                from_incoming[at[known]] = np.flatnonzero(known)
                rows = np.where(from_incoming >= 0, len(current) + from_incoming, np.arange(len(current)))
                both = pd.concat([current, incoming], ignore_index=True)
                merged = both.take(np.concatenate([rows, len(current) + np.flatnonzero(~known)]))
                self._write_roster(schema.coerce_frame(merged.reset_index(drop=True).loc[:, schema.ROSTER.names],
                                                       schema.ROSTER))
            if again:  # added again on purpose: a person again
                self.forget_erased(value for _, value, _ in again)
        return added, updated, unchanged

    # ------------------------------------------------------------------ erased ids
    @property
    def erased_path(self) -> Path:
        return self.root / ERASED_FILE

    def erased_ids(self) -> ErasedIds:
        """The ids erased from this folder and not added again since (none when nothing was erased).

        Raises
        ------
        ValidationError
            If the file was damaged or edited into something else.
        """
        try:
            raw = json.loads(self.erased_path.read_bytes())
        except FileNotFoundError:
            return ErasedIds()
        except (OSError, ValueError) as exc:
            raise schema.ValidationError([schema.Problem(str(self.erased_path), f"cannot read the erased ids: {exc}")],
                                         f"{self.erased_path}: the file is damaged") from None
        salt, days = raw.get("salt") if isinstance(raw, dict) else None, raw.get("erased") if isinstance(raw, dict) \
            else None
        unfinished = raw.get("unfinished", []) if isinstance(raw, dict) else None
        known_as = raw.get("known_as", {}) if isinstance(raw, dict) else None
        numbers = raw.get("numbers", {}) if isinstance(raw, dict) else None
        possible = raw.get("possible_mentions", {}) if isinstance(raw, dict) else None
        if not isinstance(salt, str) or not re.fullmatch(r"(?:[0-9a-f]{2})+", salt) or not isinstance(days, dict) \
                or not isinstance(unfinished, list) or not isinstance(known_as, dict) \
                or not all(isinstance(v, dict) for v in known_as.values()) or not isinstance(numbers, dict) \
                or not all(isinstance(v, list) for v in numbers.values()) or not isinstance(possible, dict) \
                or not all(isinstance(v, dict) for v in possible.values()):
            raise schema.ValidationError([schema.Problem(str(self.erased_path), "not a list of erased ids as "
                                                         "careerconv writes it (salt and erased)")],
                                         f"{self.erased_path}: the file is damaged")
        return ErasedIds(salt, {str(h): str(day) for h, day in days.items()}, frozenset(map(str, unfinished)),
                         {str(h): dict(v) for h, v in known_as.items()},
                         {str(h): [str(n) for n in v] for h, v in numbers.items()},
                         {str(h): dict(v) for h, v in possible.items()})

    def mark_erased(self, employee_id: str, day: dt.date | None = None, name: str | None = None,
                    email: str | None = None) -> None:
        """Record that ``employee_id`` was erased on ``day`` (default today), as a salted hash (:class:`ErasedIds`),
        and that the erasure is not finished until :meth:`finish_erasure` says it is; with their ``name`` and
        ``email``, hashes of those too (:attr:`ErasedIds.known_as`: an erasure run again finds them by these), else
        the hashes kept before stay. The hashes of its number are kept beside it (:attr:`ErasedIds.numbers`).

        The salt is made the first time, at random. Written atomically under the roster lock, so an import adding
        employees sees the list before or after, never half.
        """
        day = day or dt.date.today()
        with self.lock("roster"):
            erased = self.erased_ids()
            if not erased.salt:
                erased = ErasedIds(os.urandom(16).hex())
            hashed = erased.hash_of(employee_id)
            known_as = dict(erased.known_as)
            if kept := kept_hashes(erased, name, email):
                known_as[hashed] = kept
            numbers = {**erased.numbers, hashed: erased.number_hashes(employee_id)} \
                if number_forms(employee_id) else erased.numbers
            self._write_erased(replace(erased, days={**erased.days, hashed: day.isoformat()},
                                       unfinished=erased.unfinished | {hashed}, known_as=known_as, numbers=numbers))

    def finish_erasure(self, employee_id: str, complete: bool = True, possible_mentions: dict | None = None,
                       read_before: dict | None = None) -> None:
        """Record that the erasure of ``employee_id`` (:meth:`mark_erased`) went to its end; ``complete``: it found
        nothing of them left, so the hashes of their name and email go too (else they stay for the next one), and
        so does what it kept of possible mentions; else ``possible_mentions``, the ones it listed and those looked
        at (:mod:`careerconv.records.looked_at`), replace those kept before. ``read_before``: what was kept of
        them when the erasure began (:meth:`ErasedIds.possible_mentions_of`); what another erasure of theirs kept
        since stays beside ``possible_mentions`` (:func:`~careerconv.records.looked_at.with_kept_since`), read and
        written under the roster lock (found by a helper: of two erasures of one person at once, the later list
        replaced the earlier, and a place said looked at in the earlier was listed again)."""
        with self.lock("roster"):
            erased = self.erased_ids()
            hashes = erased.hashes_of(employee_id)
            possible = {h: v for h, v in erased.possible_mentions.items() if h not in hashes}
            kept = possible_mentions or {}
            if read_before is not None:
                kept = with_kept_since(kept, read_before, erased.possible_mentions_of(employee_id))
            if kept and not complete:
                possible[erased.hash_of(employee_id)] = kept
            if erased.is_unfinished(employee_id) or (complete and hashes & set(erased.known_as)) \
                    or possible != erased.possible_mentions:
                known_as = {h: v for h, v in erased.known_as.items() if not (complete and h in hashes)}
                self._write_erased(replace(erased, unfinished=erased.unfinished - hashes, known_as=known_as,
                                           possible_mentions=possible))

    def forget_erased(self, employee_ids: Iterable[str]) -> None:
        """Take ids off the erased list (they were added again on purpose), under the roster lock."""
        with self.lock("roster"):
            erased = self.erased_ids()
            back = {h for e in employee_ids for h in erased.hashes_of(e)} if erased.days else set()
            if back & set(erased.days):
                self._write_erased(replace(erased, days={h: d for h, d in erased.days.items() if h not in back},
                                           unfinished=erased.unfinished - back,
                                           known_as={h: v for h, v in erased.known_as.items() if h not in back},
                                           numbers={h: v for h, v in erased.numbers.items() if h not in back},
                                           possible_mentions={h: v for h, v in erased.possible_mentions.items()
                                                              if h not in back}))

    def _write_erased(self, erased: ErasedIds) -> None:
        data = {"version": 1, "salt": erased.salt, "erased": dict(sorted(erased.days.items()))}
        if erased.unfinished:
            data["unfinished"] = sorted(erased.unfinished)
        if erased.known_as:
            data["known_as"] = dict(sorted(erased.known_as.items()))
        if erased.numbers:
            data["numbers"] = dict(sorted(erased.numbers.items()))
        if erased.possible_mentions:
            data["possible_mentions"] = dict(sorted(erased.possible_mentions.items()))
        atomic_write_bytes(self.erased_path, json.dumps(data, indent=1).encode("utf-8"))

    def remove_employees(self, employee_ids: Iterable[str]) -> int:
        """Remove roster rows by id (read-modify-write under the roster lock); return how many went."""
        gone = set(employee_ids)
        with self.lock("roster"):
            current = self.roster()
            kept = current[~current[EMPLOYEE_ID].isin(gone)]
            if len(kept) != len(current):
                self._write_roster(kept.reset_index(drop=True))
        return len(current) - len(kept)

    # ------------------------------------------------------------------ records
    def _read_record(self, path: Path, kind: str) -> dict:
        data = b""
        try:
            data = path.read_bytes()
            raw = json.loads(data.decode("utf-8"))
        except FileNotFoundError:
            raise NotFound(f"no {kind} at {path}") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise schema.ValidationError([schema.Problem(str(path), f"cannot read the {kind} record: "
                                                                    f"{why_unreadable(data, exc)}")],
                                         f"{path}: the file is damaged") from None
        validator = schema.validate_checkin if kind == "checkin" else schema.validate_conversation
        return validator(raw, str(path))

    @staticmethod
    def _peek(path: Path) -> dict | None:
        """A stored record as raw JSON (None if there is none); a damaged file reads as revision -1."""
        try:
            raw = json.loads(path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return {"revision": -1}
        return raw if isinstance(raw, dict) else {"revision": -1}

    def _validate(self, kind: str, record: dict, source: str | None = None) -> dict:
        validator = schema.validate_checkin if kind == "checkin" else schema.validate_conversation
        return validator(record, source or f"{kind} {record.get(RECORD_ID_KEYS[kind])!r}")

    def case_hint(self, employee_id: str) -> str:
        """`` (the roster has 'E0045': ids are case-sensitive)`` when an id on the roster differs from
        ``employee_id`` only in case; else empty."""
        _, positions = self._roster_index()
        folded = str(employee_id).casefold()
        twin = next((e for e in positions if e != employee_id and e.casefold() == folded), None)
        return f" (the roster has {twin!r}: ids are case-sensitive)" if twin else ""

    def _require_on_roster(self, employee_id: str) -> None:
        _, positions = self._roster_index()
        if employee_id in positions:
            return
        hint = self.case_hint(employee_id) or " (they were never imported, or they were erased); nothing was saved"
        raise NotOnRoster(f"employee {employee_id!r} is not on the roster{hint}")

    def _case_twin(self, kind: str, employee_id: str, record_id: str) -> str | None:
        """An existing record id of this employee that differs from ``record_id`` only in case."""
        names = [e.name[:-5] for e in listing(self.employee_dir(kind, employee_id)) if is_data_file(e.name)]
        folded = record_id.casefold()
        return next((n for n in names if n != record_id and n.casefold() == folded), None)

    def _save(self, kind: str, record: dict) -> dict:
        """Create or compare-and-swap one record under its employee's lock; return what was stored."""
        if not isinstance(record, dict):
            return self._validate(kind, record)  # raises the schema's error for a non-object
        key = RECORD_ID_KEYS[kind]
        base = record.get("revision")
        # Validated once, before the lock, with a stand-in id: a bad record is reported whole.
        checked = self._validate(kind, {**record, key: record.get(key) or "new", "revision": base or 0})
        eid = record[EMPLOYEE_ID]
        with self.lock(f"employee:{eid}"):
            self._require_on_roster(eid)
            if base is None:  # a new record: never overwrites one that exists
                given = record.get(key)  # an id the caller chose (the store's own begin with the employee's)
                rid = given or self._free_record_id(kind, eid, schema.parse_date(record[DATE]))
                other = given and someone_elses_id(rid, eid, {e.casefold(): e for e in self._roster_index()[1]})
                if other:
                    raise schema.ValidationError([schema.Problem(
                        kind, f"a new {schema.KIND_WORDS[kind]} of {eid} cannot have the id {rid!r}, which begins "
                        f"with {other}'s id; leave {key} out and the store gives one", column=key, value=rid)])
                path = self.record_path(kind, eid, rid)
                twin = self._case_twin(kind, eid, rid)
                if path.exists() or twin:
                    current = self._read_record(self.record_path(kind, eid, twin or rid), kind)
                    raise Conflict(kind, rid, current, record,
                                   f"{kind} {rid!r} already exists" + (f" as {twin!r} (ids differ only in case)"
                                                                       if twin else "")
                                   + f" ({describe_save(current)}); nothing was overwritten")
                revision = 1
            else:
                rid = record[key]
                path = self.record_path(kind, eid, rid)
                stored = self._peek(path)  # only its revision and status: the full check is for a conflict
                if stored is None or (stored.get("revision") or 0) != base:
                    try:
                        current = None if stored is None else self._read_record(path, kind)
                    except schema.ValidationError as exc:  # never overwritten: it may be all that is left
                        why = exc.problems[0].message if exc.problems else str(exc)
                        raise Conflict(kind, rid, None, record, f"{kind} {rid!r} was not saved: its file {path} is "
                                       f"damaged ({why}); nothing was overwritten", damaged=why) from None
                    raise Conflict(kind, rid, current, record,
                                   f"{kind} {rid!r} was changed elsewhere since it was opened at revision {base} "
                                   f"(now {describe_save(current)}); nothing was overwritten")
                if kind == "conversation" and stored.get(STATUS) == "completed":
                    current = self._read_record(path, kind)
                    if schema.record_content(current) == schema.record_content({**checked, key: rid}):
                        return current  # saving a completed conversation again unchanged
                    raise PermissionError(f"conversation {rid!r} is completed and locked")
                revision = base + 1
            clean = {**checked, key: rid, "revision": revision,  # rid was checked by record_path
                     "saved_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"),
                     "saved_by": self.actor}
            atomic_write_bytes(path, _json_bytes(clean))
            return clean

    def save_conversation(self, record: dict) -> dict:
        """Create or update one conversation; return the stored record (with its new revision).

        A record without ``revision`` is created: its ``conversation_id`` is
        allocated under the lock when missing, and an existing record is never
        overwritten. A record with ``revision`` (as loaded) is saved only if
        the stored one still has that revision.

        A completed conversation is locked: saving over it raises, except to
        save it again unchanged.

        Raises
        ------
        ValidationError
            For an invalid record (nothing is written).
        Conflict
            The record exists already (create), or changed since it was loaded (update).
        NotOnRoster
            The employee is not on the roster.
        PermissionError
            When the stored conversation is completed.
        """
        return self._save("conversation", record)

    def save_checkin(self, record: dict) -> dict:
        """Create or update one check-in, exactly as :meth:`save_conversation` does."""
        return self._save("checkin", record)

    def rewrite_record(self, kind: str, employee_id: str, record_id: str,
                       change: Callable[[dict], dict]) -> dict:
        """Read-modify-write one record under its lock, completed ones included, as the next revision.

        For changes that are not a person's edit (erasure replacing mentions of
        someone else); an open app session that saved the older revision gets a
        :class:`Conflict` on its next save.

        Raises
        ------
        NotFound, ValidationError
        """
        with self.lock(f"employee:{employee_id}"):
            path = self.record_path(kind, employee_id, record_id)
            current = self._read_record(path, kind)
            changed = change(dict(current))
            stamped = {**changed, "revision": current["revision"] + 1,
                       "saved_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"),
                       "saved_by": self.actor}
            clean = self._validate(kind, stamped)
            atomic_write_bytes(path, _json_bytes(clean))
            return clean

    def load_conversation(self, employee_id: str, conversation_id: str) -> dict:
        """One conversation record.

        Raises
        ------
        NotFound, ValidationError
        """
        return self._read_record(self.record_path("conversation", employee_id, conversation_id), "conversation")

    def load_checkin(self, employee_id: str, checkin_id: str) -> dict:
        return self._read_record(self.record_path("checkin", employee_id, checkin_id), "checkin")

    def delete_draft(self, employee_id: str, conversation_id: str, revision: int | None = None,
                     kind: str = "conversation") -> None:
        """Discard a draft conversation or check-in (completed ones are never deleted this way).

        With ``revision``, only if the draft is still at that revision (else :class:`Conflict`).
        """
        with self.lock(f"employee:{employee_id}"):
            record = self._read_record(self.record_path(kind, employee_id, conversation_id), kind)
            if record[STATUS] != "draft":
                raise PermissionError(f"{kind} {conversation_id!r} is completed; only drafts can be discarded")
            if revision is not None and record["revision"] != revision:
                raise Conflict(kind, conversation_id, record, {},
                               f"{kind} {conversation_id!r} was changed elsewhere ({describe_save(record)}); "
                               "it was not discarded")
            self.record_path(kind, employee_id, conversation_id).unlink()

    def save_many(self, records: Iterable[dict], durable: bool = True, saved_at: str | None = None) -> int:
        """Write many conversation/check-in records as one batch: all of them or none (imports, demo data).

        Every record is validated, and every employee must be on the roster,
        before anything is written. The batch is staged, marked committed and
        then moved into place, so a process killed at any moment leaves the
        folder as before or, once the store is next opened, as after. A record
        that replaces a stored one gets the next revision. ``durable=False``
        skips the flush to disk (see :func:`atomic_write_bytes`). ``saved_at``
        stamps every record with that time instead of now (demo data that is
        the same on every run).

        Returns
        -------
        int
            The number of records written.

        Raises
        ------
        ValidationError
            Listing every invalid record or employee not on the roster; nothing is written.
        """
        checked: list[tuple[str, dict]] = []
        problems: list[schema.Problem] = []
        _, positions = self._roster_index()
        for rec in records:
            kind = schema.record_kind(rec)
            try:
                clean = self._validate(kind, rec)
            except schema.ValidationError as exc:
                problems.extend(exc.problems)
                continue
            if clean[EMPLOYEE_ID] not in positions:
                problems.append(schema.Problem(f"{kind} {clean[RECORD_ID_KEYS[kind]]!r}",
                                               "employee is not on the roster", column=EMPLOYEE_ID,
                                               value=clean[EMPLOYEE_ID]))
                continue
            checked.append((kind, clean))
        if problems:
            raise schema.ValidationError(problems, "records not valid; nothing was written")
        if not checked:
            return 0
        with self.lock("batch"):
            batch = self.root / STAGING_DIR / f"{dt.datetime.now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
            try:
                self._stage(batch, checked, saved_at or dt.datetime.now(dt.timezone.utc).isoformat(
                    timespec="milliseconds"), durable)
            except OSError as exc:  # the disk refused (full): the batch was not committed, so none of it counts
                shutil.rmtree(batch, ignore_errors=True)
                with contextlib.suppress(OSError):
                    batch.parent.rmdir()  # .staging/ goes when no other batch is in it
                raise cannot_write(exc.target, exc) from exc
            moved = self._commit_batch(batch)
        if self.batch_skipped:
            shown = ", ".join(p.stem for p in self.batch_skipped[:5]) + (" …" if len(self.batch_skipped) > 5 else "")
            raise Conflict("batch", batch.name, None, {},
                           f"{len(self.batch_skipped)} record(s) were changed by someone else while this batch was "
                           f"written and were not overwritten ({shown}); the other {moved} were written. Run the "
                           "import again to bring those in on top of the changes")
        return moved

    def _stage(self, batch: Path, checked: list[tuple[str, dict]], stamp: str, durable: bool) -> None:
        """Write a batch's records into ``batch`` and mark it committed (see :meth:`save_many`).

        Raises
        ------
        OSError
            From the disk; its ``target`` is the record file that was being staged (the data folder for the
            marker).
        """
        made: set[Path] = set()
        for kind, clean in checked:
            target = self.record_path(kind, clean[EMPLOYEE_ID], clean[RECORD_ID_KEYS[kind]])
            try:
                old_revision = json.loads(target.read_bytes()).get("revision") or 0
            except (OSError, ValueError):
                old_revision = 0
            staged = batch / target.relative_to(self.root)
            try:
                if staged.parent not in made:
                    staged.parent.mkdir(parents=True, exist_ok=True)
                    made.add(staged.parent)
                staged.write_bytes(_json_bytes({**clean, "revision": old_revision + 1, "saved_at": stamp,
                                                "saved_by": self.actor}))
            except OSError as exc:
                exc.target = target
                raise
        if durable:
            os.sync()  # one flush for the whole batch instead of an fsync per file
        try:
            atomic_write_bytes(batch / COMMITTED_MARKER, b"", durable=durable)
        except OSError as exc:
            exc.target = self.root
            raise

    def recover_batches(self) -> list[str]:
        """Finish committed batches that a killed process left half-moved; drop uncommitted ones.

        Skipped while another process is writing a batch. Returns a line per batch handled.
        """
        done: list[str] = []
        staging = self.root / STAGING_DIR
        lock = self.lock("batch")
        try:
            lock.acquire(timeout=0)
        except Exception:  # filelock.Timeout: a batch is being written right now
            return done
        try:
            for batch in sorted(p for p in staging.iterdir() if p.is_dir()) if staging.is_dir() else []:
                if (batch / COMMITTED_MARKER).exists():
                    n = self._commit_batch(batch)
                    done.append(f"finished an interrupted import ({n} record file(s) moved into place)")
                else:
                    shutil.rmtree(batch, ignore_errors=True)
                    done.append("removed an import that was interrupted before it was committed (nothing of it "
                                "had been written)")
            if staging.is_dir() and not any(staging.iterdir()):
                staging.rmdir()
        finally:
            lock.release()
        return done

    def _commit_batch(self, batch: Path) -> int:
        """Move a committed batch's files into place, employee by employee; idempotent.

        Each move is a compare-and-swap too: a staged record of revision r
        replaces only revision r - 1 (or nothing, for r = 1). One changed since
        it was staged (a coach's save, an erasure's scrub) is kept, and its
        staged copy dropped and listed in ``self.batch_skipped``.
        """
        moved = 0
        self.batch_skipped: list[Path] = []
        by_employee: dict[tuple[str, str], list[Path]] = {}
        for kind, sub in _RECORD_DIRS.items():
            base = batch / sub
            if not base.is_dir():
                continue
            for emp_dir in base.iterdir():
                by_employee[(kind, emp_dir.name)] = [p for p in emp_dir.iterdir() if is_data_file(p.name)]
        for (kind, eid), files in sorted(by_employee.items()):
            with self.lock(f"employee:{eid}"):
                _, positions = self._roster_index()
                if eid not in positions:
                    continue  # erased while the batch was on its way: the erasure wins
                target_dir = self.employee_dir(kind, eid)
                target_dir.mkdir(parents=True, exist_ok=True)
                for staged in files:
                    target = target_dir / staged.name
                    stored_revision = (self._peek(target) or {}).get("revision") or 0
                    staged_revision = (self._peek(staged) or {}).get("revision") or 1
                    if stored_revision != staged_revision - 1:
                        self.batch_skipped.append(target)
                        staged.unlink()
                        continue
                    os.replace(staged, target)
                    moved += 1
                _fsync_dir(target_dir)
        shutil.rmtree(batch, ignore_errors=True)
        try:
            batch.parent.rmdir()  # .staging/ goes when no other batch is in it
        except OSError:
            pass
        return moved

    def save_summary(self, employee_id: str, conversation_id: str, html: str) -> Path:
        """Write the employee's one-page summary next to the conversation.

        Raises
        ------
        NotFound
            When they are not on the roster, or have no such conversation (a summary is only ever of one).
        """
        with self.lock(f"employee:{employee_id}"):
            self._require_on_roster(employee_id)
            record = self.record_path("conversation", employee_id, conversation_id)
            if not record.is_file():
                raise NotFound(f"employee {employee_id!r} has no conversation {conversation_id!r}: a summary is "
                               "kept beside the conversation it sums up")
            path = record.with_suffix(".summary.html")
            atomic_write_bytes(path, html.encode("utf-8"))
        return path

    def _records_in(self, folder: Path, kind: str, strict: bool = False) -> list[dict]:
        out = []
        try:
            entries = list(os.scandir(folder))
        except FileNotFoundError:
            return out
        except NotADirectoryError:  # a sync tool's conflict copy, or a hand, put a file where the folder was
            problem = schema.Problem(str(folder), f"is a file, not a folder: the {kind} records of {folder.name!r} "
                                     "belong in a folder of that name, so none of them is read; move the file "
                                     "away and put the folder back (from a backup)")
            if strict:
                raise schema.ValidationError([problem], f"{folder}: a file where a folder belongs") from None
            self.problems.append(problem)
            return out
        for entry in entries:
            if not is_data_file(entry.name):
                if is_temp_file(entry.name):
                    self._temp_seen.add(folder.name)
                continue
            try:
                record = self._read_record(Path(entry.path), kind)
                if record[EMPLOYEE_ID] != folder.name:
                    # Never read as this folder's employee's, nor as the other's: each employee's rows must
                    # stay together (in their history and in one part of the derived tables).
                    raise schema.ValidationError(
                        [schema.Problem(entry.path,
                                        f"holds a record of employee {record['employee_id']!r} in the folder "
                                        f"of {folder.name!r}; it is left out until it is moved to "
                                        f"{kind}s/{record['employee_id']}/")],
                        f"{entry.path}: a record in another employee's folder")
                rid = record[RECORD_ID_KEYS[kind]]
                if entry.name != f"{rid}.json":
                    # A copy: every record is written as <its id>.json, so this one would be read twice.
                    raise schema.ValidationError(
                        [schema.Problem(entry.path,
                                        f"holds {kind} {rid!r}, whose file is {rid}.json: a copy (a sync tool's "
                                        "conflict copy, or one made by hand) is left out, so that the record is "
                                        f"not counted twice; compare it with {rid}.json, keep the right one under "
                                        "that name and remove the other")],
                        f"{entry.path}: a copy of a record")
                out.append(record)
            except (schema.ValidationError, NotFound) as exc:
                if strict:
                    raise
                problems = getattr(exc, "problems", None) or [schema.Problem(entry.path, str(exc))]
                self.problems.extend(problems)
        key = RECORD_ID_KEYS[kind]
        out.sort(key=lambda r: (r[DATE], r[key]))
        return out

    def conversations(self, employee_id: str) -> list[dict]:
        """All conversations of one employee, oldest first (damaged files skipped, see ``problems``)."""
        return self._records_in(self.employee_dir("conversation", employee_id), "conversation")

    def checkins(self, employee_id: str, drafts: bool = False) -> list[dict]:
        """The completed check-ins of one employee, oldest first (with ``drafts=True``, the drafts only)."""
        wanted = "draft" if drafts else "completed"
        return [r for r in self._records_in(self.employee_dir("checkin", employee_id), "checkin")
                if r[STATUS] == wanted]

    def history(self, employee_id: str) -> History:
        """Everything held about one employee (roster row, conversations, check-ins and their drafts)."""
        try:
            employee = self.employee(employee_id)
        except NotFound:
            employee = None
        every = self._records_in(self.employee_dir("checkin", employee_id), "checkin")
        return History(employee, self.conversations(employee_id), [r for r in every if r[STATUS] == "completed"],
                       [r for r in every if r[STATUS] == "draft"])

    def employees_with_records(self) -> list[str]:
        ids: set[str] = set()
        for kind in _RECORD_DIRS.values():
            folder = self.root / kind
            if folder.is_dir():
                ids.update(e.name for e in os.scandir(folder) if e.is_dir() and not e.name.startswith("."))
        return sorted(ids)

    def iter_records(self) -> Iterator[dict]:
        """Every record in the folder, reading each file (the naive, uncached way)."""
        for eid in self.employees_with_records():
            yield from self.conversations(eid)
            yield from self.checkins(eid)

    def _free_record_id(self, kind: str, employee_id: str, date: dt.date) -> str:
        """A fresh id like ``E0001-20250314`` (``E0001-ci-20250314`` for check-ins), suffixed if taken.

        Only free while the employee's lock is held: :meth:`save_conversation`
        allocates it there for a new record without an id.
        """
        stem = f"{employee_id}-{date:%Y%m%d}" if kind == "conversation" else f"{employee_id}-ci-{date:%Y%m%d}"
        folder = self.employee_dir(kind, employee_id)
        candidate, n = stem, 1
        while (folder / f"{candidate}.json").exists():
            n += 1
            candidate = f"{stem}-{n}"
        return candidate

    # ------------------------------------------------------------------ leftovers of killed processes
    def sweep_temp_files(self, employee_ids: Iterable[str] | None = None) -> list[Path]:
        """Remove the temp files that killed processes left behind; return the paths removed.

        Each folder is swept under the lock of the one who writes there (:meth:`sweep_lock`), so a
        save in progress keeps its temp file. ``employee_ids`` limits the
        record folders swept (default: every employee's). Lock files of older
        versions (named by a hash of an id) go too.
        """
        removed: list[Path] = []
        with self.lock("derived"):
            removed += self._sweep_derived_temp()
        with self.lock("roster"):
            removed += _unlink_all(p for p in self.root.glob(".*.tmp"))
        ids = self.employees_with_records() if employee_ids is None else sorted(set(employee_ids))
        for eid in ids:
            folders = [self.root / sub / eid for sub in _RECORD_DIRS.values()]
            if not any(is_temp_file(e.name) for f in folders for e in listing(f)):
                continue
            with self.lock(f"employee:{eid}"):
                removed += _unlink_all(Path(e.path) for f in folders for e in listing(f) if is_temp_file(e.name))
            self._temp_seen.discard(eid)
        if self.locks_dir.is_dir():
            removed += _unlink_all(p for p in self.locks_dir.iterdir() if p.name not in LOCK_FILES and p.is_file())
        return removed

    def temp_files(self) -> list[Path]:
        """The temp files killed processes left behind, where :meth:`sweep_temp_files` removes them (the derived
        tables, the data folder itself, each employee's record folders), sorted."""
        found = [*(self.derived_dir.rglob(".*.tmp") if self.derived_dir.is_dir() else ()), *self.root.glob(".*.tmp"),
                 *(Path(e.path) for sub in _RECORD_DIRS.values() for folder in listing(self.root / sub)
                   if folder.is_dir() for e in listing(Path(folder.path)) if is_temp_file(e.name))]
        return sorted(p for p in found if p.is_file())

    def _sweep_derived_temp(self) -> list[Path]:
        # Only ever called with the derived lock held: nobody else is writing there.
        if not self.derived_dir.is_dir():
            return []
        return _unlink_all(p for p in self.derived_dir.rglob(".*.tmp"))

    # ------------------------------------------------------------------ derived tables
    def derived_holds(self, employee_id: str) -> bool:
        """True when the derived tables still hold rows of ``employee_id`` (read by the last refresh, or written
        straight in: :meth:`bulk_write_derived`), whether or not their record files are still there - an erase
        killed before its refresh leaves such rows."""
        manifest = self._load_manifest()
        if employee_id in manifest["employees"]:
            return True
        if manifest.get("source") is None or manifest.get("other_layout"):
            return False
        bucket = bucket_of(employee_id)
        for name in schema.DERIVED_TABLES:
            path = self.part_path(name, bucket)
            try:
                ids = pq.read_table(path, columns=[EMPLOYEE_ID]).column(EMPLOYEE_ID)
            except Exception:  # no file, or damaged (validate and a refresh say so): looked at by the erasure
                continue
            if pc.any(pc.equal(ids, employee_id)).as_py():
                return True
        return False

    def records_left_out(self) -> list[str]:
        """The record files the derived tables leave out because they cannot be read (damaged, or a record in
        the wrong place), each as its problem, as the last :meth:`refresh` found them: they stay listed until
        they are mended or removed, whoever reads the tables."""
        left_out = self._load_manifest().get("left_out", {})
        return [problem for employee in sorted(left_out) for problem in left_out[employee]]

    def facts_state(self) -> str:
        """A fingerprint of what the derived tables hold apart from drafts, as the last :meth:`refresh` left them:
        it changes when a record that is not a draft is saved, completed, discarded or erased, when the record
        files left out change (:meth:`records_left_out`) or the tables are written anew (:meth:`bulk_write_derived`),
        and not when a draft is saved (a coach's app saves one on every change): what no HR figure counts
        (:func:`careerconv.records.tables.is_draft`) gives no new state. Every part of the manifest but the record
        folders' times, which change with every save (:func:`facts_state_of`).

        As cheap as a look at the manifest's file version while the manifest is the one this store last read or
        wrote (a :meth:`refresh` reads it): the manifest itself is read, whole, only after someone else wrote it."""
        seen = self._facts_seen
        if seen is not None and seen[0] == self._manifest_version():
            return seen[1]
        self._load_manifest()
        return self._facts_seen[1]

    def _manifest_version(self) -> tuple | None:
        try:
            return file_version(self.manifest_path.stat())
        except FileNotFoundError:
            return None

    def _load_manifest(self) -> dict:
        """The manifest of the derived tables (an empty one where there is none of the current layout); its facts
        state is remembered with the version of the file read (see :meth:`facts_state`)."""
        manifest, version = new_manifest(), None
        try:
            with open(self.manifest_path, "rb") as f:
                version = file_version(os.fstat(f.fileno()))
                read = json.loads(f.read().decode("utf-8"))
            if not isinstance(read, dict):
                read = {}
            if read.get("version") == MANIFEST_VERSION and read.get("n_buckets") == N_BUCKETS:
                manifest = read
            elif read.get("source") is not None:
                # Tables written straight in, in another layout: what wrote them is kept, so that no refresh takes
                # the folder for one of records and rebuilds (empties) or removes their parts (NotRebuildable).
                manifest = new_manifest(source=str(read["source"]), other_layout=_layout_of(read))
        except (OSError, ValueError):
            pass
        self._facts_seen = (version, facts_state_of(manifest))
        return manifest

    def _write_manifest(self, manifest: dict) -> None:
        """Replace the manifest with ``manifest``, whole; called with the derived lock held, so the file is this
        write's until the lock is released, and its version is remembered with its facts state."""
        atomic_write_bytes(self.manifest_path, json.dumps(manifest).encode("utf-8"))
        self._facts_seen = (self._manifest_version(), facts_state_of(manifest))

    def _signatures(self) -> dict[str, list[int]]:
        """Per employee, the modification times of their record folders."""
        sig: dict[str, list[int]] = {}
        for slot, kind in enumerate(RECORD_KINDS):
            for entry in listing(self.records_dir(kind)):
                if entry.name.startswith(".") or not entry.is_dir():
                    continue
                try:
                    mtime = entry.stat().st_mtime_ns
                except FileNotFoundError:  # removed since it was listed (an erasure)
                    continue
                sig.setdefault(entry.name, [0, 0])[slot] = mtime
        return sig

    def _stale_parts(self) -> list[Path]:
        """Derived files that are not part of the current layout (e.g. written with more buckets)."""
        wanted = {self.part_path(t, b) for t in schema.DERIVED_TABLES for b in range(N_BUCKETS)}
        return sorted(p for p in self.derived_dir.glob(f"*/{_PART_GLOB}") if p not in wanted)

    def _read_part_arrow(self, table: str, bucket: int) -> pa.Table | None:
        """One part as Arrow; None if it is damaged (it is then rebuilt from the records)."""
        path = self.part_path(table, bucket)
        if not path.exists():
            return arrow_schema(schema.DERIVED_TABLES[table]).empty_table()
        try:
            return pq.read_table(path).cast(arrow_schema(schema.DERIVED_TABLES[table]))
        except Exception:
            return None

    def _write_part(self, table: str, bucket: int, arrow: pa.Table, durable: bool = False) -> None:
        """Replace a part with ``arrow``, atomically (no reader sees half a file). Parts rebuilt from the records
        whenever they are lost need no fsync; ``durable``: one no record stands behind (written straight in), which
        a crash must not take back."""
        buf = io.BytesIO()
        # The pandas metadata makes pd.read_parquet give the store's dtypes (Int64, string), not float and object.
        arrow = arrow.replace_schema_metadata(pandas_metadata(schema.DERIVED_TABLES[table]))
        pq.write_table(arrow, buf, compression="zstd")
        atomic_write_bytes(self.part_path(table, bucket), buf.getvalue(), durable=durable)

    def refresh(self, full: bool = False,
                progress: Callable[[int, int], None] | None = None) -> RefreshReport:
        """Bring the derived tables up to date with the record files.

        Only employees whose record folders changed since the last refresh are
        re-read; only the parts holding them are rewritten. ``full=True``
        rebuilds everything from the record files. ``progress(done, total)``,
        if given, is called after each part is rewritten.

        A data folder this process may read but not write (its permissions, a read-only mount: the derived lock
        cannot be taken) is left as it is: with tables up to date with the records, there is nothing to do and
        they are read as they are; otherwise the error (:class:`PermissionError`, or :class:`OSError` with
        ``errno.EROFS``) says what is behind and who can bring it up to date.
        """
        started = time.perf_counter()
        try:
            lock = self.lock("derived")
            lock.acquire()
        except OSError as exc:
            if exc.errno not in _NOT_WRITABLE:
                raise
            return self._read_only_refresh(exc, full, started)
        try:
            written = self._load_manifest()
            manifest = new_manifest() if full else written
            current, changed, damaged = self._behind(manifest, full, written)
            # Per employee, the record files the tables leave out (they could not be read): every reader of
            # the tables can say so (records_left_out), not only the refresh that met them.
            left_out: dict[str, list[str]] = {e: p for e, p in manifest.get("left_out", {}).items() if e in current}
            # Per employee, a fingerprint of their records that are not drafts (see facts_state).
            facts: dict[str, str] = {e: d for e, d in manifest.get("facts", {}).items() if e in current}
            # Whose facts terms may change: the employees read again, and those whose record folders are all gone.
            dropped = (manifest.get("facts", {}).keys() | manifest.get("left_out", {}).keys()) - current.keys()
            by_bucket: dict[int, set[str]] = {}
            for e in changed:
                by_bucket.setdefault(bucket_of(e), set()).add(e)
            for bucket in damaged:  # rebuilt even when no employee is left in it
                by_bucket.setdefault(bucket, set())
            for done, (bucket, employees) in enumerate(sorted(by_bucket.items())):
                if progress is not None:
                    progress(done, len(by_bucket))
                # A damaged bucket was widened above to all its employees, so
                # nothing of its old parts is kept.
                records = []
                for e in sorted(employees):
                    left_out.pop(e, None)
                    facts.pop(e, None)
                    if e in current:
                        found = len(self.problems)
                        theirs = [*self.conversations(e), *self.checkins(e)]
                        records += theirs
                        if len(self.problems) > found:  # files of theirs that cannot be read are left out
                            left_out[e] = [str(problem) for problem in self.problems[found:]]
                        if (digest := tables.facts_digest(theirs)) is not None:
                            facts[e] = digest
                rows: dict[str, list[dict]] = {name: [] for name in schema.DERIVED_TABLES}
                for rec in records:
                    for name, part in tables.record_rows(rec).items():
                        rows[name].extend(part)
                gone = pa.array(sorted(employees), type=pa.string())
                for name, tbl in schema.DERIVED_TABLES.items():
                    fresh = rows_to_arrow(rows[name], tbl)
                    old = None if bucket in damaged else self._read_part_arrow(name, bucket)
                    if old is not None and old.num_rows:
                        keep = old.filter(pc.invert(pc.is_in(old[EMPLOYEE_ID], value_set=gone)))
                        fresh = pa.concat_tables([keep, fresh]) if fresh.num_rows else keep
                    # Durable where rows no record stands behind are kept in it (written straight in).
                    self._write_part(name, bucket, fresh, durable=written.get("source") is not None)
            if progress is not None:
                progress(len(by_bucket), len(by_bucket))
            stale = self._stale_parts()
            for path in stale:  # parts of a layout with more buckets would be silently ignored
                path.unlink()
            self._sweep_derived_temp()
            # A manifest of an older careerconv holding facts gets their sum, so that it is not counted again.
            unsummed = FACTS_SUM not in manifest and bool(facts or left_out)
            if changed or stale or by_bucket or unsummed or not self.manifest_path.exists():
                manifest[FACTS_SUM] = updated_facts_sum(manifest, changed | dropped, facts, left_out)
                manifest["employees"] = current
                manifest["left_out"] = left_out
                manifest["facts"] = facts
                self._write_manifest(manifest)
        finally:
            lock.release()
        if self._temp_seen:  # a killed save's temp file changed its folder, so it was read just now
            self.sweep_temp_files(set(self._temp_seen))
        return RefreshReport(len(changed), len(by_bucket), time.perf_counter() - started)

    def _behind(self, manifest: dict, full: bool, written: Mapping) -> tuple[dict[str, list[int]], set[str], set[int]]:
        """What a refresh has to read again, by ``manifest`` (the last refresh's): the signatures of the record
        folders now, the employees whose records changed since (or are gone) and the parts to rebuild whole
        (every part if ``full``).

        ``written``: the manifest as read (:meth:`_load_manifest`: ``manifest`` itself, unless a full refresh
        starts from an empty one), for its ``source``: what wrote the tables straight in, with no record behind
        them (:meth:`bulk_write_derived`; none: the records). Such tables cannot be rebuilt from the records (they
        would come back empty): a part to rebuild, or tables of another layout, then raise :class:`NotRebuildable`
        and nothing is changed."""
        source, layout = written.get("source"), written.get("other_layout")
        known: dict[str, list[int]] = manifest["employees"]
        # Signatures are taken before reading files: a write racing with us
        # changes the folder time again and is picked up next time.
        current = self._signatures()
        changed = {e for e, s in current.items() if known.get(e) != s} | (set(known) - set(current))
        # A part that cannot be read, or was written with another schema
        # (an older version of careerconv), is rebuilt from the records.
        mismatched: dict[Path, str] = {}
        damaged: set[int] = set()
        for name, tbl in schema.DERIVED_TABLES.items():
            for bucket in range(N_BUCKETS):
                path = self.part_path(name, bucket)
                if path.exists() and (why := _part_mismatch(path, tbl)):
                    mismatched[path] = why
                    damaged.add(bucket)
        if source is not None and (mismatched or full or layout):
            raise NotRebuildable(self, source, mismatched, layout)
        if full:
            damaged = set(range(N_BUCKETS))
        if damaged:
            changed |= {e for e in current if bucket_of(e) in damaged}
        return current, changed, damaged

    def _read_only_refresh(self, refused: OSError, full: bool, started: float) -> RefreshReport:
        """:meth:`refresh` where this process may read the data folder but not write it (``refused``: the derived
        lock could not be taken): nothing to do when the tables are up to date with the records (they are read as
        they are, without the lock: a refresh by someone else may replace parts meanwhile), else an error of the
        same kind saying what is behind and who can bring it up to date."""
        manifest = self._load_manifest()
        _, changed, damaged = self._behind(manifest, full, manifest)
        stale = self._stale_parts()
        if not (full or changed or damaged or stale):
            return RefreshReport(0, 0, time.perf_counter() - started)
        counts = ((len(changed), "employee(s) whose records changed since the last refresh"),
                  (len(damaged), "damaged part(s)"), (len(stale), "part(s) of an older layout"))
        why = "a full rebuild was asked for" if full else \
            "they are behind the records: " + ", ".join(f"{n} {what}" for n, what in counts if n)
        reason = getattr(refused, "reason", None) or (refused.strerror or str(refused)).lower()
        advice = _DISK_ADVICE.get(refused.errno)
        error = type(refused)(
            f"cannot bring the derived tables in {self.derived_dir} up to date: {why}; and the data folder cannot be "
            f"written here ({reason}: {self.locks_dir / 'derived.lock'}); nothing was changed. Someone who may write "
            f"it runs `careerconv --data {self.root} refresh` (then the tables are read here as they are)"
            + (f"; or: {advice}" if advice else ""))
        error.errno, error.reason = refused.errno, reason
        raise error

    @contextlib.contextmanager
    def bulk_write_derived(self, source: str) -> Iterator["BulkDerivedWriter"]:
        """Replace every derived table with rows written straight in (no record file stands behind them).

        For organisations too large for one file per record (:mod:`careerconv.demo.bulk`). Under the
        derived lock, the old tables are removed; the writer yielded adds rows to the parts; on leaving,
        every part of every table has a file (empty where nothing was written) and the manifest says that
        no employee's records were read (``source`` says what wrote them), so a later :meth:`refresh`
        keeps the tables. If the block raises, the parts written so far are removed and no manifest is left.
        """
        with self.lock("derived"):
            if self.derived_dir.exists():
                shutil.rmtree(self.derived_dir)
            writer = BulkDerivedWriter(self)
            try:
                yield writer
                writer.close()
            except BaseException:
                writer.abort()
                raise
            # a write of its own (see facts_state): another bulk write from the same source holds other rows
            self._write_manifest(new_manifest(source=source, written=uuid.uuid4().hex))

    def remove_written_rows(self, employee_id: str) -> int:
        """Remove ``employee_id``'s rows from derived tables written straight in (:meth:`bulk_write_derived`), for
        an erasure: no record stands behind those rows, so no refresh would ever remove them. Under the derived
        lock, every part of the employee's bucket is read first, then those holding rows of theirs are written
        again without them; the manifest gets a write of its own before and after (the tables change:
        :meth:`facts_state`). Returns how many rows were removed (none, and nothing written, in a folder of
        records: a refresh removes the rows of records erased).

        Raises
        ------
        NotRebuildable
            For tables of another layout, and (:class:`RowsNotRemoved`) when a part of the bucket cannot be
            read; no table is changed.
        """
        with self.lock("derived"):
            manifest = self._load_manifest()
            if manifest.get("source") is None:
                return 0
            if manifest.get("other_layout"):
                raise NotRebuildable(self, manifest["source"], {}, manifest["other_layout"])
            bucket = bucket_of(employee_id)
            parts = {name: self._read_part_arrow(name, bucket) for name in schema.DERIVED_TABLES}
            unreadable = [self.part_path(name, bucket) for name, part in parts.items() if part is None]
            if unreadable:
                raise RowsNotRemoved(self, manifest["source"], employee_id, unreadable)
            theirs = {name: pc.fill_null(pc.equal(part[EMPLOYEE_ID], employee_id), False)
                      for name, part in parts.items()}
            found = {name: pc.sum(rows).as_py() or 0 for name, rows in theirs.items()}
            if not any(found.values()):
                return 0
            # Before: a facts state read meanwhile is not that of the tables being written (nor of those before).
            self._write_manifest({**manifest, "written": uuid.uuid4().hex})
            for name, rows in theirs.items():
                if found[name]:
                    # Durable: a crash must not bring back a part with the rows of someone erased.
                    self._write_part(name, bucket, parts[name].filter(pc.invert(rows)), durable=True)
            self._write_manifest({**manifest, "written": uuid.uuid4().hex})
            return sum(found.values())

    def read_table(self, name: str, columns: list[str] | None = None, refresh: bool = True) -> pd.DataFrame:
        """One derived table (or the roster) for analytics, from the cache.

        Parameters
        ----------
        name
            A table of :data:`careerconv.records.schema.TABLES`.
        columns
            Read only these columns (faster).
        refresh
            Bring the cache up to date first (cheap when nothing changed).
        """
        tbl = schema.table(name)
        if name == "roster":
            frame = self.roster()
            return frame[columns] if columns else frame
        if refresh:
            self.refresh()
        paths = self.part_paths(name)
        if not paths:
            empty = tbl.empty()
            return empty[columns] if columns else empty
        table_schema = arrow_schema(tbl)
        if columns:
            table_schema = pa.schema([table_schema.field(c) for c in columns])
        arrow = pa.concat_tables([pq.read_table(p, columns=columns).cast(table_schema) for p in paths])
        return _to_pandas(arrow)

    # ------------------------------------------------------------------ checks
    def _day_order_problems(self, roster: pd.DataFrame) -> list[schema.Problem]:
        """A problem for each roster row whose ``left_on`` is on or before its ``started_on``
        (:func:`careerconv.records.leavers.left_before_start_mask`), naming both days and what is allowed."""
        problems = []
        for i in np.flatnonzero(leavers.left_before_start_mask(roster)):
            row = roster.iloc[i]
            problems.append(schema.Problem(
                str(self.roster_path), f"the leaving day is on or before the start day ({STARTED_ON} "
                f"{row[STARTED_ON].date().isoformat()}), so {row[EMPLOYEE_ID]} is here on no day, yet counted in a "
                "period spanning both; a leaving day comes after the start day: correct one of them (for a re-hire, "
                f"here from the new start day, empty {LEFT_ON})", int(i) + 2, LEFT_ON, row[LEFT_ON].date()))
        return problems

    def validate(self, progress: Callable[[int, int], None] | None = None) -> list[schema.Problem]:
        """Check the whole folder and return every problem (an empty list when all is well).

        Each problem that a command fixes says which. Temp files left by killed
        processes are not reported but removed (they are never data); the
        paths removed are in ``self.swept`` (where the folder cannot be written,
        nothing is removed: those left are in ``self.unswept``). ``progress(done, total)``, if
        given, is called as the employees' record folders are read.
        """
        problems: list[schema.Problem] = []
        roster_ids: set[str] = set()
        try:
            roster = self.roster()
            roster_ids = set(roster[EMPLOYEE_ID])
            problems.extend(self._day_order_problems(roster))
        except schema.ValidationError as exc:
            problems.extend(exc.problems)
        except Exception as exc:  # unreadable CSV
            problems.append(schema.Problem(str(self.roster_path), f"cannot read the roster: {exc}"))
        folded_roster = {e.casefold(): e for e in roster_ids}
        erased = ErasedIds()
        try:
            erased = self.erased_ids()
        except schema.ValidationError as exc:
            problems.extend(exc.problems)
        try:
            self.question_sets()
        except schema.ValidationError as exc:
            problems.extend(exc.problems or [schema.Problem(str(self.root / "question_sets"), str(exc))])
        staging = self.root / STAGING_DIR
        for batch in sorted(p for p in staging.iterdir() if p.is_dir()) if staging.is_dir() else []:
            problems.append(schema.Problem(str(batch), "an import is still running, or was interrupted while another "
                                           "command held the import lock; once no import is running, any "
                                           "careerconv command (e.g. `careerconv validate`) finishes it "
                                           "if it was committed and removes it if not"))
        self.swept, self.unswept = [], []
        try:
            self.swept = self.sweep_temp_files()
        except OSError as exc:
            if exc.errno not in _NOT_WRITABLE:
                raise
            self.unswept = self.temp_files()  # checked, not removed: the folder cannot be written here
        self.problems = []
        # An employee's folder that became a file (on the roster, so it is no stray file) is read as one, to
        # be named.
        folders = {kind: sorted(p for p in (self.root / folder).iterdir() if p.is_dir() or p.name in roster_ids)
                   if (self.root / folder).is_dir() else [] for kind, folder in _RECORD_DIRS.items()}
        total, done = sum(len(f) for f in folders.values()), 0
        for kind, folder in _RECORD_DIRS.items():
            for emp_dir in folders[kind]:
                if progress is not None:
                    progress(done, total)
                done += 1
                try:
                    schema.parse_identifier(emp_dir.name, what="employee folder name")
                except ValueError as exc:
                    problems.append(schema.Problem(str(emp_dir), str(exc)))
                    continue
                records = self._records_in(emp_dir, kind)  # damaged and misplaced records go to self.problems
                what = schema.KIND_WORDS[kind]
                if records and roster_ids and emp_dir.name not in roster_ids:
                    twin = folded_roster.get(emp_dir.name.casefold())
                    if twin:
                        why = (f"{len(records)} {what} record(s) of {emp_dir.name!r}, which differs only in case from "
                               f"{twin!r} on the roster; ids are case-sensitive, so they belong to nobody: move them "
                               f"to {folder}/{twin}/ (and fix employee_id inside), or remove them with "
                               f"`careerconv erase --employee {emp_dir.name} --yes`")
                    elif erased.erased_on(emp_dir.name):
                        why = (f"{len(records)} {what} record(s) of {emp_dir.name!r}, who is not on the roster: "
                               f"erased on {erased.erased_on(emp_dir.name)}, and these were left; `careerconv erase "
                               f"--employee {emp_dir.name} --yes` removes them")
                    else:  # never erased: the roster may have lost them (cut short by a sync tool)
                        why = (f"{len(records)} {what} record(s) of {emp_dir.name!r}, who is not on the roster and "
                               "was never erased here: import a roster that lists them (if roster.csv was cut short "
                               "or replaced, by a sync tool or by hand, restore it from a backup), or remove them "
                               f"with `careerconv erase --employee {emp_dir.name} --yes`")
                    problems.append(schema.Problem(str(emp_dir), why))
                seen: dict[str, str] = {}
                for rec in records:
                    rid = rec[RECORD_ID_KEYS[kind]]
                    other = someone_elses_id(rid, emp_dir.name, folded_roster)
                    if other:
                        problems.append(schema.Problem(str(emp_dir / f"{rid}.json"),
                                                       f"{what} id {rid!r} of {emp_dir.name} begins with {other}'s "
                                                       f"id: {other}'s erasure stops at it and their own {what} of "
                                                       f"that day may get the same id; rename it (file name and "
                                                       f"{RECORD_ID_KEYS[kind]} inside) to begin with "
                                                       f"{emp_dir.name}-"))
                    other = seen.setdefault(rid.casefold(), rid)
                    if other != rid:
                        problems.append(schema.Problem(str(emp_dir / f"{rid}.json"),
                                                       f"{what} id {rid!r} differs only in case from {other!r}: the "
                                                       "two files collide on Windows and macOS; rename one (file name "
                                                       f"and {RECORD_ID_KEYS[kind]} inside)"))
        if progress is not None:
            progress(total, total)
        problems.extend(self.problems)
        manifest = self._load_manifest()
        source, layout = manifest.get("source"), manifest.get("other_layout")
        if source is not None and layout:
            problems.append(schema.Problem(str(self.manifest_path), (
                f"derived tables written straight in by {source!r} in {_another_layout(layout)}, with no record "
                "behind them: they can be neither read nor rebuilt; write the tables again with what made them")))
        else:
            for path in self._stale_parts():
                problems.append(schema.Problem(str(path), "derived part from an older layout; it is ignored and "
                                               "removed on the next refresh (`careerconv refresh`)"))
        rebuilt = "rebuilt automatically on the next read, or by `careerconv refresh`" if source is None else \
            (f"written straight in by {source!r} with no record behind it, so it cannot be rebuilt: write the tables "
             "again with what made them")
        for path in sorted(self.root.rglob("*.parquet")):
            if not _parquet_ok(path):
                where = f"derived table part ({rebuilt})" if self.derived_dir in path.parents else "Parquet file"
                problems.append(schema.Problem(str(path), f"damaged or truncated {where}"))
        return problems


class BulkDerivedWriter:
    """Adds rows to the parts of the derived tables, one Parquet writer per table and part.

    Made by :meth:`Store.bulk_write_derived`. Each :meth:`append` adds a row group to each part it has
    rows for; parts are written to temp files and moved into place on :meth:`close`.
    """

    def __init__(self, store: Store):
        self.store = store
        self.open: dict[tuple[str, int], tuple[pq.ParquetWriter, Path, Path]] = {}
        self.placed: list[Path] = []  # parts moved into place by close (removed again if it fails)

    def append(self, name: str, table: pa.Table, buckets: pa.Array) -> int:
        """Add the rows of ``table`` (the store's schema for derived table ``name``) to their parts.

        ``buckets`` is each row's part (:func:`bucket_of` its employee). Rows are sorted by the table's key
        within each part. Returns how many rows were added.
        """
        tbl = schema.DERIVED_TABLES[name]
        if table.num_rows != len(buckets):
            raise ValueError(f"{name}: {table.num_rows} rows but {len(buckets)} bucket numbers")
        for b in range(N_BUCKETS):
            part = table.filter(pc.equal(buckets, b))
            if part.num_rows:
                if tbl.key:
                    part = part.sort_by([(k, "ascending") for k in tbl.key])
                # With the store's pandas metadata, or the next refresh takes the part for damaged and
                # rebuilds it from the (absent) records: empty.
                self._writer(name, b, table.schema.with_metadata(pandas_metadata(tbl))).write_table(part)
        return table.num_rows

    def _writer(self, name: str, bucket: int, table_schema: pa.Schema) -> pq.ParquetWriter:
        key = (name, bucket)
        if key not in self.open:
            final = self.store.part_path(name, bucket)
            final.parent.mkdir(parents=True, exist_ok=True)
            tmp = final.with_name(f".{final.name}.tmp")
            self.open[key] = (pq.ParquetWriter(tmp, table_schema, compression="zstd"), tmp, final)
        return self.open[key][0]

    def close(self) -> None:
        """Move the written parts into place and give every other part an empty file.

        The parts are flushed to the disk before they are moved, and their folders after: no record stands behind
        them, so the manifest the bulk write ends with (:meth:`Store.bulk_write_derived`) must never stand, after a
        crash, over a part that is empty or half-written."""
        for writer, tmp, _ in self.open.values():
            writer.close()
            with open(tmp, "rb+") as written:
                os.fsync(written.fileno())
        for _, tmp, final in self.open.values():
            tmp.replace(final)
            self.placed.append(final)
        for folder in {final.parent for _, _, final in self.open.values()}:
            _fsync_dir(folder)
        self.open = {}
        for name, tbl in schema.DERIVED_TABLES.items():
            for path in self.store.part_paths(name, existing=False):
                if not path.exists():
                    path.parent.mkdir(parents=True, exist_ok=True)
                    sink = pa.BufferOutputStream()
                    empty = arrow_schema(tbl).empty_table().replace_schema_metadata(pandas_metadata(tbl))
                    pq.write_table(empty, sink, compression="zstd")
                    atomic_write_bytes(path, sink.getvalue().to_pybytes())
                    self.placed.append(path)

    def abort(self) -> None:
        """Drop what was written: close the writers, remove their temp files and the parts :meth:`close` had moved
        into place (the bulk write then leaves no table)."""
        for writer, tmp, _ in self.open.values():
            with contextlib.suppress(Exception):
                writer.close()
            tmp.unlink(missing_ok=True)
        for path in self.placed:
            path.unlink(missing_ok=True)
        self.open, self.placed = {}, []


_ARROW_TYPES = {"string": pa.string(), "Int64": pa.int64(), "date": pa.timestamp("ns"), "bool": pa.bool_(),
                "float64": pa.float64()}
_PANDAS_TYPES = {pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype(), pa.int64(): pd.Int64Dtype()}


def arrow_schema(tbl: schema.Table) -> pa.Schema:
    """The Parquet schema of a derived table: fixed, so every part has the same types."""
    return pa.schema([pa.field(c.name, _ARROW_TYPES[c.dtype], nullable=c.nullable) for c in tbl.columns])


@functools.lru_cache(maxsize=None)
def pandas_metadata(tbl: schema.Table) -> dict[bytes, bytes]:
    """The Parquet key-value metadata that tells pandas a derived table's dtypes.

    With it, ``pd.read_parquet`` (of one part or of the table's folder) gives
    the dtypes :meth:`Store.read_table` gives: Int64 for ratings and counts
    (not float64 with NaN), string for text, datetime64[ns] for dates, and a
    plain RangeIndex. The same in every process, whatever string storage it has set for its own frames (a report
    kernel sets ``mode.string_storage`` to "python"): made once per process and kept, metadata made under such a
    setting gave every part the process wrote later other bytes, and pandas other string dtypes.
    """
    # pandas' own default ("auto", pandas 2.3 on, as TEXT_DTYPE's na_value needs): in a process that has not set
    # another, nothing changes, for no moment (other threads read and write frames meanwhile)
    with pd.option_context("mode.string_storage", "auto"):
        return dict(pa.Schema.from_pandas(tbl.empty(), preserve_index=False).metadata)


def rows_to_arrow(rows: list[dict], tbl: schema.Table) -> pa.Table:
    """Row dicts (as :mod:`careerconv.records.tables` makes them) to an Arrow table of ``tbl``'s schema.

    Built column by column in Arrow: much cheaper than a pandas frame per part.
    """
    table_schema = arrow_schema(tbl)
    if not rows:
        return table_schema.empty_table()
    arrays = []
    for col in tbl.columns:
        values = [r.get(col.name) for r in rows]
        if col.dtype == "date":
            days = [None if v is None else dt.date.fromisoformat(str(v)[:10]) for v in values]
            arrays.append(pa.array(days, type=pa.date32()).cast(pa.timestamp("ns")))
        else:
            arrays.append(pa.array(values, type=_ARROW_TYPES[col.dtype]))
    table = pa.Table.from_arrays(arrays, schema=table_schema)
    return table.sort_by([(k, "ascending") for k in tbl.key]) if tbl.key else table


def _to_pandas(arrow: pa.Table) -> pd.DataFrame:
    """Arrow to pandas with the schema's nullable dtypes (Int64 stays Int64 when it has gaps)."""
    return arrow.to_pandas(types_mapper=_PANDAS_TYPES.get)


def dtypes_metadata(metadata: Mapping[bytes, bytes] | None) -> dict | None:
    """What a part's pandas metadata (``metadata``: its schema's key-value metadata) says of the dtypes, less the
    versions of the libraries that wrote it; None where it has none.

    Found: pandas 3.1.2 came out, the same tables' metadata then differed by ``pandas_version``, and every part
    written under 3.1.1 was taken for one of another schema and rebuilt from the records (in a folder whose tables
    no record stands behind, :meth:`Store.bulk_write_derived`, rebuilt empty)."""
    raw = (metadata or {}).get(b"pandas")
    if raw is None:
        return None
    pandas = json.loads(raw)
    pandas.pop("pandas_version", None)
    if isinstance(pandas.get("creator"), dict):
        pandas["creator"].pop("version", None)
    return pandas


@functools.cache
def _wanted_dtypes(tbl: schema.Table) -> dict | None:
    """:func:`dtypes_metadata` of the parts this process writes of ``tbl`` (read once: every refresh looks at every
    part)."""
    return dtypes_metadata(pandas_metadata(tbl))


def _part_mismatch(path: Path, tbl: schema.Table) -> str | None:
    """Why a derived part is not one of the table's (None when it is: readable Parquet with exactly the table's
    columns and types and the pandas metadata of its dtypes, whichever pandas and PyArrow wrote it).

    A part written before the metadata was added is rebuilt by the next refresh.
    """
    try:
        found = pq.ParquetFile(path).schema_arrow
    except Exception as exc:
        return f"cannot be read as Parquet ({exc})"
    wanted = arrow_schema(tbl)
    if found.names != wanted.names or found.types != wanted.types:
        return "has other columns or types (written by another version of careerconv)"
    try:
        same = dtypes_metadata(found.metadata) == _wanted_dtypes(tbl)
    except ValueError:  # JSON that cannot be read
        same = False
    return None if same else "has other pandas metadata (written by another version of careerconv)"


def _parquet_ok(path: Path) -> bool:
    try:
        pq.ParquetFile(path).metadata
        return True
    except Exception:
        return False


def listing(folder: Path) -> list[os.DirEntry]:
    """What is in ``folder`` now; nothing if it is not there, never made or removed by another process (an
    erasure of its owner) between being seen and being listed."""
    try:
        with os.scandir(folder) as entries:
            return list(entries)
    except (FileNotFoundError, NotADirectoryError):
        return []


def _unlink_all(paths: Iterable[Path]) -> list[Path]:
    gone = []
    for path in paths:
        try:
            path.unlink()
            gone.append(path)
        except FileNotFoundError:
            pass
    return gone


def _same_rows(a: pd.DataFrame, b: pd.DataFrame) -> np.ndarray:
    """Whether each row of ``a`` holds what the same row of ``b`` holds in every roster column, as text (a
    missing value and an empty text alike)."""
    same = np.ones(len(a), dtype=bool)
    for column in schema.ROSTER.names:
        x, y = (_roster_text(frame[column]) for frame in (a, b))
        same &= ((x == y).fillna(False) | (x.isna() & y.isna())).to_numpy(dtype=bool)
    return same


def _roster_text(column: pd.Series) -> pd.Series:
    """A roster column's values as text, missing for a missing value or an empty text (positions as index)."""
    text = column.astype("string").reset_index(drop=True)
    return text.mask(text == "")
