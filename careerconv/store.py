"""The store: the only module that reads and writes records on disk.

Layout of a data folder::

    roster.csv                                   the employees (UTF-8 CSV)
    conversations/<employee_id>/<conversation_id>.json   one file per conversation
    conversations/<employee_id>/<conversation_id>.summary.html  the employee's summary
    checkins/<employee_id>/<checkin_id>.json     one file per check-in
    question_sets/*.yaml                         the organisation's own question sets
    derived/<table>/part-NN.parquet              read-optimised tables (rebuildable)
    derived/manifest.json                        what the derived tables were built from
    .locks/                                      lock files (named by a hash, never an id)

Every write validates the record (:mod:`careerconv.schema`), writes the whole
file to a temp file in the same folder, fsyncs it and ``os.replace``-s it into
place under a per-employee lock. A killed process therefore leaves the old or
the new file; temp files start with ``.`` and are never read as data.

The derived tables are built from the record files and brought up to date
incrementally: an employee's folder changes its modification time whenever a
record in it is replaced, so only changed employees are re-read, and only the
buckets (parts) holding them are rewritten.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from filelock import FileLock

from . import schema as S
from . import tables as T

N_BUCKETS = 16
MANIFEST_VERSION = 1
ROSTER_FILE = "roster.csv"
_RECORD_DIRS = {"conversation": "conversations", "checkin": "checkins"}


class NotFound(KeyError):
    """A record or employee that is not in the store."""

    def __str__(self) -> str:  # KeyError quotes its message; a user should not see quotes
        return str(self.args[0]) if self.args else "not found"


@dataclass
class History:
    """Everything held about one employee, oldest first."""

    employee: dict | None
    conversations: list[dict] = field(default_factory=list)
    checkins: list[dict] = field(default_factory=list)

    @property
    def last_completed(self) -> dict | None:
        done = [c for c in self.conversations if c["status"] == "completed"]
        return done[-1] if done else None

    @property
    def drafts(self) -> list[dict]:
        return [c for c in self.conversations if c["status"] == "draft"]

    def frames(self, tables: Iterable[str] | None = None) -> dict[str, pd.DataFrame]:
        """This employee's derived tables, built straight from the records."""
        return T.frames_from_records([*self.conversations, *self.checkins], tables)


@dataclass
class RefreshReport:
    employees_changed: int
    buckets_rewritten: int
    seconds: float


def bucket_of(employee_id: str) -> int:
    """Stable bucket number of an employee (same on every machine and run)."""
    return int.from_bytes(hashlib.blake2b(employee_id.encode(), digest_size=4).digest(), "big") % N_BUCKETS


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes, durable: bool = True) -> None:
    """Write ``data`` to ``path`` so that readers see the old or the new file, never a mix.

    The temp file lives in the same folder (``os.replace`` is atomic only within
    one file system) and starts with ``.`` so no reader mistakes it for data.
    ``durable=False`` skips the fsyncs (still atomic, not crash-durable): only
    for bulk writes that can be redone, such as generating a demo organisation.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    if durable:
        _fsync_dir(path.parent)


def _json_bytes(record: dict) -> bytes:
    # compact: the C encoder is used only without indent (3x faster autosaves)
    return json.dumps(record, ensure_ascii=False).encode("utf-8")


def _is_data_file(name: str) -> bool:
    return not name.startswith(".") and name.endswith(".json")


class Store:
    """A data folder of open files; every record read and write goes through here.

    Parameters
    ----------
    root
        The data folder. Created on first write.
    """

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root).resolve()
        self.problems: list[S.Problem] = []
        self._roster_cache: tuple[tuple, pd.DataFrame, dict[str, int]] | None = None

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
        return self.root / "derived"

    @property
    def roster_path(self) -> Path:
        return self.root / ROSTER_FILE

    def _lock(self, name: str) -> FileLock:
        # A hash, so a lock file never carries an employee id (erasure leaves none behind).
        digest = hashlib.sha256(name.encode()).hexdigest()[:20]
        folder = self.root / ".locks"
        folder.mkdir(parents=True, exist_ok=True)
        return FileLock(str(folder / f"{digest}.lock"), timeout=60, poll_interval=0.005)

    def employee_dir(self, kind: str, employee_id: str) -> Path:
        S.parse_identifier(employee_id, what="employee id")
        return self.root / _RECORD_DIRS[kind] / employee_id

    def record_path(self, kind: str, employee_id: str, record_id: str) -> Path:
        S.parse_identifier(record_id, what=f"{kind} id", max_length=S.MAX_RECORD_ID)
        return self.employee_dir(kind, employee_id) / f"{record_id}.json"

    # ------------------------------------------------------------------ roster
    def roster(self) -> pd.DataFrame:
        """The roster as a typed frame (empty with the right columns if none yet).

        Raises
        ------
        ValidationError
            If ``roster.csv`` was edited by hand into something invalid.
        """
        typed, _ = self._roster_index()
        return typed.copy()

    def _roster_index(self) -> tuple[pd.DataFrame, dict[str, int]]:
        # Validated once per version of the file: every replace gives a new inode.
        try:
            st = self.roster_path.stat()
        except FileNotFoundError:
            self._roster_cache = None
            return S.ROSTER.empty(), {}
        key = (st.st_mtime_ns, st.st_size, st.st_ino)
        if self._roster_cache is None or self._roster_cache[0] != key:
            frame = pd.read_csv(self.roster_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
            typed = S.validate_roster_frame(frame, str(self.roster_path))
            positions = {eid: i for i, eid in enumerate(typed["employee_id"])}
            self._roster_cache = (key, typed, positions)
        return self._roster_cache[1], self._roster_cache[2]

    def employee(self, employee_id: str) -> dict:
        """One roster row as a dict.

        Raises
        ------
        NotFound
            If the employee is not on the roster.
        """
        typed, positions = self._roster_index()
        if employee_id not in positions:
            raise NotFound(f"employee {employee_id!r} is not on the roster")
        row = typed.iloc[positions[employee_id]].to_dict()
        return {k: (None if pd.isna(v) else (int(v) if k == "cadence_months" else v)) for k, v in row.items()}

    def save_roster(self, frame: pd.DataFrame, source: str = "roster") -> pd.DataFrame:
        """Replace the roster with ``frame`` after validating all of it.

        Raises
        ------
        ValidationError
            Nothing is written if any row is invalid.
        """
        typed = S.validate_roster_frame(frame, source)
        buf = io.StringIO()
        typed.to_csv(buf, index=False, lineterminator="\r\n")  # CRLF: a lone CR in a cell gets quoted
        with self._lock("roster"):
            atomic_write_bytes(self.roster_path, buf.getvalue().encode("utf-8"))
        return typed

    def upsert_employees(self, frame: pd.DataFrame, source: str = "roster") -> tuple[int, int, int]:
        """Add or update employees by id, keeping everyone else.

        Returns
        -------
        (added, updated, unchanged)
        """
        incoming = S.validate_roster_frame(frame, source)
        with self._lock("roster"):
            current = self.roster()
            merged = {r["employee_id"]: r for r in current.to_dict("records")}
            folded = {k.casefold(): k for k in merged}
            added = updated = unchanged = 0
            problems = []
            for pos, row in enumerate(incoming.to_dict("records")):
                eid = row["employee_id"]
                existing_key = folded.get(eid.casefold())
                if existing_key is not None and existing_key != eid:
                    problems.append(S.Problem(source, f"differs only in case from the existing employee "
                                                      f"{existing_key!r}", pos + 2, "employee_id", eid))
                    continue
                if eid not in merged:
                    added += 1
                elif _same_row(merged[eid], row):
                    unchanged += 1
                else:
                    updated += 1
                merged[eid] = row
                folded[eid.casefold()] = eid
            if problems:
                raise S.ValidationError(problems, f"{source}: the roster was not changed")
            if added or updated:
                frame_out = S.coerce_frame(pd.DataFrame(list(merged.values()), columns=S.ROSTER.names), S.ROSTER)
                buf = io.StringIO()
                frame_out.to_csv(buf, index=False, lineterminator="\r\n")  # CRLF: a lone CR in a cell gets quoted
                atomic_write_bytes(self.roster_path, buf.getvalue().encode("utf-8"))
        return added, updated, unchanged

    # ------------------------------------------------------------------ records
    def _read_record(self, path: Path, kind: str) -> dict:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise NotFound(f"no {kind} at {path}") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise S.ValidationError([S.Problem(str(path), f"cannot read the {kind} record: {exc}")],
                                    f"{path}: the file is damaged") from None
        validator = S.validate_checkin if kind == "checkin" else S.validate_conversation
        return validator(raw, str(path))

    def _write_record(self, kind: str, record: dict) -> dict:
        validator = S.validate_checkin if kind == "checkin" else S.validate_conversation
        key = "checkin_id" if kind == "checkin" else "conversation_id"
        clean = validator(record, f"{kind} {record.get(key)!r}" if isinstance(record, dict) else kind)
        path = self.record_path(kind, clean["employee_id"], clean[key])
        atomic_write_bytes(path, _json_bytes(clean))
        return clean

    def save_conversation(self, record: dict) -> dict:
        """Validate and atomically write one conversation; return the stored record.

        A completed conversation is locked: saving over it raises, except to
        save it again unchanged.

        Raises
        ------
        ValidationError
            For an invalid record (nothing is written).
        PermissionError
            When the stored conversation is completed.
        """
        with self._lock(f"employee:{record.get('employee_id')}"):
            self._refuse_if_completed(record)
            return self._write_record("conversation", record)

    def _refuse_if_completed(self, record: dict) -> None:
        try:
            path = self.record_path("conversation", record["employee_id"], record["conversation_id"])
        except (KeyError, ValueError):
            return  # the validator reports these
        if path.exists():
            try:
                old = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return
            if old.get("status") == "completed" and old != record and not str(record.get("source", "")).startswith("import"):
                raise PermissionError(f"conversation {record['conversation_id']!r} is completed and locked")

    def update_conversation(self, employee_id: str, conversation_id: str,
                            change: Callable[[dict], dict | None]) -> dict:
        """Read-modify-write one conversation under its lock (safe with other processes).

        ``change`` receives the stored record and returns the new one (or edits
        it in place and returns None).
        """
        with self._lock(f"employee:{employee_id}"):
            current = self.load_conversation(employee_id, conversation_id)
            if current["status"] == "completed":
                raise PermissionError(f"conversation {conversation_id!r} is completed and locked")
            changed = change(current)
            return self._write_record("conversation", changed if changed is not None else current)

    def load_conversation(self, employee_id: str, conversation_id: str) -> dict:
        """One conversation record.

        Raises
        ------
        NotFound, ValidationError
        """
        return self._read_record(self.record_path("conversation", employee_id, conversation_id), "conversation")

    def delete_draft(self, employee_id: str, conversation_id: str) -> None:
        """Discard a draft conversation (completed ones are never deleted this way)."""
        with self._lock(f"employee:{employee_id}"):
            record = self.load_conversation(employee_id, conversation_id)
            if record["status"] != "draft":
                raise PermissionError(f"conversation {conversation_id!r} is completed; only drafts can be discarded")
            self.record_path("conversation", employee_id, conversation_id).unlink()

    def save_checkin(self, record: dict) -> dict:
        """Validate and atomically write one check-in; return the stored record."""
        with self._lock(f"employee:{record.get('employee_id')}"):
            return self._write_record("checkin", record)

    def save_many(self, records: Iterable[dict], durable: bool = True) -> int:
        """Validate and write many conversation/check-in records (bulk import, demo data).

        Every record is validated before anything is written, so an invalid one
        leaves the folder unchanged. ``durable=False`` skips fsync (see
        :func:`atomic_write_bytes`).

        Returns
        -------
        int
            The number of records written.
        """
        checked = []
        problems: list[S.Problem] = []
        for rec in records:
            kind = "checkin" if rec.get("kind") == "checkin" or "checkin_id" in rec else "conversation"
            key = "checkin_id" if kind == "checkin" else "conversation_id"
            validator = S.validate_checkin if kind == "checkin" else S.validate_conversation
            try:
                clean = validator(rec, f"{kind} {rec.get(key)!r}")
            except S.ValidationError as exc:
                problems.extend(exc.problems)
                continue
            checked.append((self.record_path(kind, clean["employee_id"], clean[key]), clean))
        if problems:
            raise S.ValidationError(problems, "records not valid; nothing was written")
        made: set[Path] = set()
        for path, clean in checked:
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            atomic_write_bytes(path, _json_bytes(clean), durable=durable)
        return len(checked)

    def load_checkin(self, employee_id: str, checkin_id: str) -> dict:
        return self._read_record(self.record_path("checkin", employee_id, checkin_id), "checkin")

    def save_summary(self, employee_id: str, conversation_id: str, html: str) -> Path:
        """Write the employee's one-page summary next to the conversation."""
        path = self.record_path("conversation", employee_id, conversation_id).with_suffix(".summary.html")
        atomic_write_bytes(path, html.encode("utf-8"))
        return path

    def _records_in(self, folder: Path, kind: str, strict: bool = False) -> list[dict]:
        out = []
        try:
            entries = list(os.scandir(folder))
        except FileNotFoundError:
            return out
        for entry in entries:
            if not _is_data_file(entry.name):
                continue
            try:
                record = self._read_record(Path(entry.path), kind)
                if record["employee_id"] != folder.name:
                    # Never read as this folder's employee's, nor as the other's: each employee's rows must
                    # stay together (in their history and in one part of the derived tables).
                    raise S.ValidationError(
                        [S.Problem(entry.path, f"holds a record of employee {record['employee_id']!r} in the folder "
                                               f"of {folder.name!r}; it is left out until it is moved to "
                                               f"{kind}s/{record['employee_id']}/")],
                        f"{entry.path}: a record in another employee's folder")
                out.append(record)
            except (S.ValidationError, NotFound) as exc:
                if strict:
                    raise
                problems = getattr(exc, "problems", None) or [S.Problem(entry.path, str(exc))]
                self.problems.extend(problems)
        key = "checkin_id" if kind == "checkin" else "conversation_id"
        out.sort(key=lambda r: (r["date"], r[key]))
        return out

    def conversations(self, employee_id: str) -> list[dict]:
        """All conversations of one employee, oldest first (damaged files skipped, see ``problems``)."""
        return self._records_in(self.employee_dir("conversation", employee_id), "conversation")

    def checkins(self, employee_id: str) -> list[dict]:
        """All check-ins of one employee, oldest first."""
        return self._records_in(self.employee_dir("checkin", employee_id), "checkin")

    def history(self, employee_id: str) -> History:
        """Everything held about one employee (roster row, conversations, check-ins)."""
        try:
            employee = self.employee(employee_id)
        except NotFound:
            employee = None
        return History(employee, self.conversations(employee_id), self.checkins(employee_id))

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

    def new_record_id(self, kind: str, employee_id: str, date: dt.date) -> str:
        """A fresh id like ``E0001-20250314`` (``E0001-ci-20250314`` for check-ins), suffixed if taken."""
        stem = f"{employee_id}-{date:%Y%m%d}" if kind == "conversation" else f"{employee_id}-ci-{date:%Y%m%d}"
        folder = self.employee_dir(kind, employee_id)
        candidate, n = stem, 1
        while (folder / f"{candidate}.json").exists():
            n += 1
            candidate = f"{stem}-{n}"
        return candidate

    # ------------------------------------------------------------------ derived tables
    def _manifest_path(self) -> Path:
        return self.derived_dir / "manifest.json"

    def _load_manifest(self) -> dict:
        try:
            manifest = json.loads(self._manifest_path().read_text(encoding="utf-8"))
            if manifest.get("version") == MANIFEST_VERSION and manifest.get("n_buckets") == N_BUCKETS:
                return manifest
        except (OSError, ValueError):
            pass
        return {"version": MANIFEST_VERSION, "n_buckets": N_BUCKETS, "employees": {}}

    def _signatures(self) -> dict[str, list[int]]:
        """Per employee, the modification times of their record folders."""
        sig: dict[str, list[int]] = {}
        for slot, kind in enumerate(("conversations", "checkins")):
            folder = self.root / kind
            if not folder.is_dir():
                continue
            for entry in os.scandir(folder):
                if entry.name.startswith(".") or not entry.is_dir():
                    continue
                sig.setdefault(entry.name, [0, 0])[slot] = entry.stat().st_mtime_ns
        return sig

    def _part_path(self, table: str, bucket: int) -> Path:
        return self.derived_dir / table / f"part-{bucket:02d}.parquet"

    def _stale_parts(self) -> list[Path]:
        """Derived files that are not part of the current layout (e.g. written with more buckets)."""
        wanted = {self._part_path(t, b) for t in S.DERIVED_TABLES for b in range(N_BUCKETS)}
        return sorted(p for p in self.derived_dir.glob("*/part-*.parquet") if p not in wanted)

    def _read_part_arrow(self, table: str, bucket: int) -> pa.Table | None:
        """One part as Arrow; None if it is damaged (it is then rebuilt from the records)."""
        path = self._part_path(table, bucket)
        if not path.exists():
            return arrow_schema(S.DERIVED_TABLES[table]).empty_table()
        try:
            return pq.read_table(path).cast(arrow_schema(S.DERIVED_TABLES[table]))
        except Exception:
            return None

    def _write_part(self, table: str, bucket: int, arrow: pa.Table) -> None:
        buf = io.BytesIO()
        pq.write_table(arrow, buf, compression="zstd")
        # Derived parts are rebuilt from the records whenever they are lost, so
        # they need atomicity (no reader sees half a file) but not fsync.
        atomic_write_bytes(self._part_path(table, bucket), buf.getvalue(), durable=False)

    def refresh(self, full: bool = False) -> RefreshReport:
        """Bring the derived tables up to date with the record files.

        Only employees whose record folders changed since the last refresh are
        re-read; only the parts holding them are rewritten. ``full=True``
        rebuilds everything from the record files.
        """
        started = time.perf_counter()
        with self._lock("derived"):
            manifest = {"version": MANIFEST_VERSION, "n_buckets": N_BUCKETS, "employees": {}} if full \
                else self._load_manifest()
            known: dict[str, list[int]] = manifest["employees"]
            # Signatures are taken before reading files: a write racing with us
            # changes the folder time again and is picked up next time.
            current = self._signatures()
            changed = {e for e, s in current.items() if known.get(e) != s} | (set(known) - set(current))
            # A part that cannot be read, or was written with another schema
            # (an older version of careerconv), is rebuilt from the records.
            damaged = {b for b in range(N_BUCKETS) for t, tbl in S.DERIVED_TABLES.items()
                       if self._part_path(t, b).exists() and not _part_matches(self._part_path(t, b), tbl)}
            if full:
                damaged = set(range(N_BUCKETS))
            if damaged:
                changed |= {e for e in current if bucket_of(e) in damaged}
            by_bucket: dict[int, set[str]] = {}
            for e in changed:
                by_bucket.setdefault(bucket_of(e), set()).add(e)
            for bucket in damaged:  # rebuilt even when no employee is left in it
                by_bucket.setdefault(bucket, set())
            for bucket, employees in sorted(by_bucket.items()):
                # A damaged bucket was widened above to all its employees, so
                # nothing of its old parts is kept.
                records = [r for e in sorted(employees) if e in current
                           for r in (*self.conversations(e), *self.checkins(e))]
                rows: dict[str, list[dict]] = {name: [] for name in S.DERIVED_TABLES}
                for rec in records:
                    for name, part in T.record_rows(rec).items():
                        rows[name].extend(part)
                gone = pa.array(sorted(employees), type=pa.string())
                for name, tbl in S.DERIVED_TABLES.items():
                    fresh = rows_to_arrow(rows[name], tbl)
                    old = None if bucket in damaged else self._read_part_arrow(name, bucket)
                    if old is not None and old.num_rows:
                        keep = old.filter(pc.invert(pc.is_in(old["employee_id"], value_set=gone)))
                        fresh = pa.concat_tables([keep, fresh]) if fresh.num_rows else keep
                    self._write_part(name, bucket, fresh)
            stale = self._stale_parts()
            for path in stale:  # parts of a layout with more buckets would be silently ignored
                path.unlink()
            if changed or stale or by_bucket or not self._manifest_path().exists():
                manifest["employees"] = current
                atomic_write_bytes(self._manifest_path(), json.dumps(manifest).encode("utf-8"))
        return RefreshReport(len(changed), len(by_bucket), time.perf_counter() - started)

    def read_table(self, name: str, columns: list[str] | None = None, refresh: bool = True) -> pd.DataFrame:
        """One derived table (or the roster) for analytics, from the cache.

        Parameters
        ----------
        name
            A table of :data:`careerconv.schema.TABLES`.
        columns
            Read only these columns (faster).
        refresh
            Bring the cache up to date first (cheap when nothing changed).
        """
        tbl = S.table(name)
        if name == "roster":
            frame = self.roster()
            return frame[columns] if columns else frame
        if refresh:
            self.refresh()
        paths = [self._part_path(name, b) for b in range(N_BUCKETS)]
        paths = [p for p in paths if p.exists()]
        if not paths:
            empty = tbl.empty()
            return empty[columns] if columns else empty
        schema = arrow_schema(tbl)
        if columns:
            schema = pa.schema([schema.field(c) for c in columns])
        arrow = pa.concat_tables([pq.read_table(p, columns=columns).cast(schema) for p in paths])
        return _to_pandas(arrow)

    # ------------------------------------------------------------------ checks
    def validate(self) -> list[S.Problem]:
        """Check the whole folder and return every problem (an empty list when all is well)."""
        problems: list[S.Problem] = []
        try:
            self.roster()
        except S.ValidationError as exc:
            problems.extend(exc.problems)
        except Exception as exc:  # unreadable CSV
            problems.append(S.Problem(str(self.roster_path), f"cannot read the roster: {exc}"))
        from .questions import available_question_sets
        try:
            available_question_sets(self.root)
        except S.ValidationError as exc:
            problems.extend(exc.problems or [S.Problem(str(self.root / "question_sets"), str(exc))])
        self.problems = []
        for kind, folder in _RECORD_DIRS.items():
            base = self.root / folder
            if not base.is_dir():
                continue
            for emp_dir in sorted(p for p in base.iterdir() if p.is_dir()):
                try:
                    S.parse_identifier(emp_dir.name, what="employee folder name")
                except ValueError as exc:
                    problems.append(S.Problem(str(emp_dir), str(exc)))
                    continue
                self._records_in(emp_dir, kind)  # damaged and misplaced records go to self.problems
                for leftover in emp_dir.glob(".*.tmp"):
                    problems.append(S.Problem(str(leftover), "leftover temp file from an interrupted save "
                                                             "(never read as data; safe to delete)"))
        problems.extend(self.problems)
        for path in self._stale_parts():
            problems.append(S.Problem(str(path), "derived part from an older layout; it is ignored and removed on "
                                                 "the next refresh"))
        for path in sorted(self.root.rglob("*.parquet")):
            if not _parquet_ok(path):
                where = "derived table part (rebuilt automatically on the next read)" \
                    if self.derived_dir in path.parents else "Parquet file"
                problems.append(S.Problem(str(path), f"damaged or truncated {where}"))
        return problems


_ARROW_TYPES = {"string": pa.string(), "Int64": pa.int64(), "date": pa.timestamp("ns"), "bool": pa.bool_(),
                "float64": pa.float64()}
_PANDAS_TYPES = {pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype(), pa.int64(): pd.Int64Dtype()}


def arrow_schema(tbl: S.Table) -> pa.Schema:
    """The Parquet schema of a derived table: fixed, so every part has the same types."""
    return pa.schema([pa.field(c.name, _ARROW_TYPES[c.dtype], nullable=c.nullable) for c in tbl.columns])


def rows_to_arrow(rows: list[dict], tbl: S.Table) -> pa.Table:
    """Row dicts (as :mod:`careerconv.tables` makes them) to an Arrow table of ``tbl``'s schema.

    Built column by column in Arrow: much cheaper than a pandas frame per part.
    """
    schema = arrow_schema(tbl)
    if not rows:
        return schema.empty_table()
    arrays = []
    for col in tbl.columns:
        values = [r.get(col.name) for r in rows]
        if col.dtype == "date":
            days = [None if v is None else dt.date.fromisoformat(str(v)[:10]) for v in values]
            arrays.append(pa.array(days, type=pa.date32()).cast(pa.timestamp("ns")))
        else:
            arrays.append(pa.array(values, type=_ARROW_TYPES[col.dtype]))
    table = pa.Table.from_arrays(arrays, schema=schema)
    return table.sort_by([(k, "ascending") for k in tbl.key]) if tbl.key else table


def _to_pandas(arrow: pa.Table) -> pd.DataFrame:
    """Arrow to pandas with the schema's nullable dtypes (Int64 stays Int64 when it has gaps)."""
    return arrow.to_pandas(types_mapper=_PANDAS_TYPES.get)


def _part_matches(path: Path, tbl: S.Table) -> bool:
    """True if a derived part is readable Parquet with exactly the table's schema."""
    try:
        found = pq.ParquetFile(path).schema_arrow
    except Exception:
        return False
    wanted = arrow_schema(tbl)
    return found.names == wanted.names and found.types == wanted.types


def _parquet_ok(path: Path) -> bool:
    try:
        pq.ParquetFile(path).metadata
        return True
    except Exception:
        return False


def _same_row(a: dict, b: dict) -> bool:
    def norm(v):
        return None if v is None or (not isinstance(v, str) and pd.isna(v)) or v == "" else str(v)
    return all(norm(a.get(k)) == norm(b.get(k)) for k in S.ROSTER.names)
