"""Erase everything held about one employee, everywhere, and say what was done.

:func:`erase_employee` works in three passes:

1. **What is theirs** goes whole: their roster row (through the store), their
   conversation and check-in folders (records, summaries, leftover temp files),
   their reports folder ``<reports>/<employee_id>/``, and any file or folder
   whose name carries their id.
2. **Mentions elsewhere** are cleaned: every other file under the data and
   reports folders is searched for the id (as a whole word, so ``E001`` does
   not match ``E0010``), their full name and their email (both ignoring case).
   Records of *other* employees get each mention in free text replaced by
   ``[removed]`` (and ``coach_id`` set to ``erased`` where they were the coach),
   validated and saved through the store; CSV and Parquet files lose the rows
   that mention them; other JSON loses the keys and text that mention them;
   generated pages (HTML, notebooks, PDFs, images) that mention them are
   deleted and listed to be regenerated; leftover temp files are deleted.
   The derived tables are then brought up to date, which drops their rows and
   their entry in the manifest.
3. **A check**: every file under both folders is read again (Parquet by its
   values, since its pages are compressed) and any that still mentions them is
   listed in the receipt as needing a person to look at it.

Someone who is still the coach of employees on the roster cannot be erased:
those employees need a new coach first (import a roster that says so).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import schema as S
from .importers import decode_text
from .store import NotFound, Store, atomic_write_bytes

REMOVED = "[removed]"
ERASED_COACH_ID = "erased"
GENERATED_SUFFIXES = {".html", ".htm", ".ipynb", ".pdf", ".png", ".svg", ".jpg", ".jpeg", ".gif", ".webp"}
TEXT_SUFFIXES = {".txt", ".md", ".log"}
# Fields of a record that hold ids, dates and codes rather than text a person wrote.
_STRUCTURAL_KEYS = {"schema_version", "kind", "conversation_id", "checkin_id", "employee_id", "item_id",
                    "question_set", "question_set_version", "status", "date", "due", "next_due", "completed_at",
                    "mode", "every_weeks", "rank", "dream_rank", "self_rating", "coach_rating", "chosen",
                    "cadence_months", "sections"}


class Mentions:
    """Finds the ways a file can mention one person: id, full name, email.

    The id matches as a whole word (letters, digits and ``_`` on either side
    make it part of another word). Name and email match ignoring case and, for
    the name, with any run of spaces between its parts, in NFC or NFD form.
    """

    def __init__(self, employee_id: str, name: str | None = None, email: str | None = None,
                 other_ids: Iterable[str] = ()):
        self.employee_id = employee_id
        self.name = (name or "").strip() or None
        self.email = (email or "").strip() or None
        parts = [rf"(?<![A-Za-z0-9_]){re.escape(employee_id)}(?![A-Za-z0-9_])"]
        if self.name and len(self.name) >= 2:
            forms = {unicodedata.normalize(f, self.name) for f in ("NFC", "NFD")}
            for form in forms:
                words = [re.escape(w) for w in form.split()]
                parts.append(r"(?<!\w)(?i:" + r"\s+".join(words) + r")(?!\w)")
        if self.email:
            parts.append(r"(?i:" + re.escape(self.email) + ")")
        self.pattern = re.compile("|".join(parts))
        # Other people's ids that contain this one as a word (E001-2 holds E001): never a mention.
        id_alone = re.compile(parts[0])
        longer = sorted({o for o in other_ids if o != employee_id and id_alone.search(o)}, key=len, reverse=True)
        self.protected = re.compile(r"(?<![A-Za-z0-9_])(?:" + "|".join(map(re.escape, longer)) + r")(?![A-Za-z0-9_])") \
            if longer else None

    def _matches(self, text: str) -> list[re.Match]:
        found = list(self.pattern.finditer(text))
        if found and self.protected is not None:
            spans = [m.span() for m in self.protected.finditer(text)]
            found = [m for m in found if not any(a <= m.start() and m.end() <= b for a, b in spans)]
        return found

    def search(self, text: str) -> bool:
        """True when ``text`` mentions the person."""
        if self.protected is None:
            return self.pattern.search(text) is not None
        return bool(self._matches(text))

    def fullmatch(self, text: str) -> bool:
        """True when ``text`` is nothing but a mention (an id, the name or the email)."""
        return any(m.span() == (0, len(text)) for m in self._matches(text))

    def replace(self, text: str) -> tuple[str, int]:
        """``text`` with each mention replaced by ``[removed]``, and how many there were."""
        found = self._matches(text)
        if not found:
            return text, 0
        pieces, last = [], 0
        for m in found:
            pieces += [text[last:m.start()], REMOVED]
            last = m.end()
        pieces.append(text[last:])
        return "".join(pieces), len(found)

    def in_bytes(self, data: bytes) -> bool:
        """True when file bytes mention the person (read as UTF-8, else as Windows-1252/Latin-1)."""
        text = data.decode("utf-8", errors="replace")
        if self.search(text):
            return True
        return any(ord(ch) > 127 for ch in text) and self.search(data.decode("latin-1"))


@dataclass
class ReceiptLine:
    """One file or folder that was removed or changed."""

    path: Path
    action: str
    detail: str = ""


@dataclass
class Receipt:
    """What :func:`erase_employee` removed and changed; print it with ``str()``."""

    employee_id: str
    data_dir: Path
    reports_dir: Path
    searched_for: list[str]
    lines: list[ReceiptLine] = field(default_factory=list)
    regenerate: list[Path] = field(default_factory=list)
    leftovers: list[ReceiptLine] = field(default_factory=list)
    files_checked: int = 0

    @property
    def complete(self) -> bool:
        """True when the final check found no file that still mentions the person."""
        return not self.leftovers

    def show(self, path: Path) -> str:
        for label, root in (("data", self.data_dir), ("reports", self.reports_dir)):
            try:
                rel = path.relative_to(root)
            except ValueError:
                continue
            return f"{label}/{rel.as_posix()}" + ("/" if path.suffix == "" and not path.is_file() else "")
        return str(path)

    def add(self, path: Path, action: str, detail: str = "") -> None:
        self.lines.append(ReceiptLine(path, action, detail))

    def __str__(self) -> str:
        out = [f"Erased employee {self.employee_id}.",
               f"  data folder:    {self.data_dir}",
               f"  reports folder: {self.reports_dir}",
               f"  searched for:   {', '.join(self.searched_for)}", ""]
        width = max([len(self.show(line.path)) for line in self.lines] + [10])
        for line in self.lines:
            detail = f" ({line.detail})" if line.detail else ""
            out.append(f"  {self.show(line.path):<{width}}  {line.action}{detail}")
        if not self.lines:
            out.append("  nothing held about them was found")
        if self.regenerate:
            out += ["", "Deleted because they mentioned the employee; regenerate them:"]
            out += [f"  {self.show(p)}" for p in self.regenerate]
        out.append("")
        if self.leftovers:
            out.append(f"Checked {self.files_checked} files: {len(self.leftovers)} still mention the employee "
                       "and need a person to look at them:")
            out += [f"  {self.show(item.path)}: {item.detail}" for item in self.leftovers]
        else:
            out.append(f"Checked {self.files_checked} files under both folders: none mentions the employee.")
        return "\n".join(out)


@dataclass
class ErasurePlan:
    """What is held about one employee, found before anything is removed."""

    employee_id: str
    name: str | None
    email: str | None
    on_roster: bool
    conversations: int
    checkins: int
    report_files: int

    def describe(self) -> str:
        """One line for the confirmation prompt."""
        held = [f"roster row{' (' + self.name + ')' if self.name else ''}" if self.on_roster else "no roster row",
                f"{self.conversations} conversation file(s)", f"{self.checkins} check-in file(s)",
                f"{self.report_files} report file(s)"]
        return f"{self.employee_id}: " + ", ".join(held)


def _count_files(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0


def plan_erasure(store: Store, reports_dir: str | os.PathLike, employee_id: str) -> ErasurePlan:
    """Find what is held about ``employee_id`` without changing anything.

    Parameters
    ----------
    store
        The data folder.
    reports_dir
        The reports folder.
    employee_id
        Who would be erased.

    Returns
    -------
    ErasurePlan
        Their name and email (searched for too) and what files they have.

    Raises
    ------
    ValueError
        A malformed id, or the employee is still the coach of someone on the
        roster (the message lists them).
    NotFound
        Nothing at all is held about the id.
    """
    employee_id = S.parse_identifier(employee_id, what="employee id")
    roster = store.roster()
    row = roster[roster["employee_id"] == employee_id]
    coached = roster[(roster["coach_id"] == employee_id) & (roster["employee_id"] != employee_id)]
    if len(coached):
        ids = ", ".join(coached["employee_id"].head(10)) + (" ..." if len(coached) > 10 else "")
        raise ValueError(f"{employee_id} is still the coach of {len(coached)} employee(s) on the roster ({ids}); "
                         "import a roster that gives them another coach, then erase")
    name = email = None
    if len(row):
        name = row.iloc[0]["name"]
        email = row.iloc[0]["email"] if not pd.isna(row.iloc[0]["email"]) else None
    conv_dir = store.employee_dir("conversation", employee_id)
    ci_dir = store.employee_dir("checkin", employee_id)
    plan = ErasurePlan(employee_id, name, email or None, bool(len(row)), _count_files(conv_dir),
                       _count_files(ci_dir), _count_files(Path(reports_dir) / employee_id))
    if not plan.on_roster and not conv_dir.exists() and not ci_dir.exists() and not plan.report_files \
            and not (Path(reports_dir) / employee_id).exists():
        raise NotFound(f"employee {employee_id!r} is not on the roster and nothing is held about them; "
                       "nothing was erased")
    return plan


def erase_employee(store: Store, reports_dir: str | os.PathLike, employee_id: str) -> Receipt:
    """Remove one employee from every file, derived table, cache and report.

    Parameters
    ----------
    store
        The data folder.
    reports_dir
        The reports folder.
    employee_id
        Who to erase.

    Returns
    -------
    Receipt
        Every file removed or changed, pages to regenerate, and any file the
        final check still found mentioning them (``receipt.complete`` is
        False then).

    Raises
    ------
    ValueError
        A malformed id, or they are still someone's coach (nothing is changed).
    NotFound
        Nothing is held about the id (nothing is changed).
    """
    reports = Path(reports_dir).resolve()
    plan = plan_erasure(store, reports, employee_id)
    eid = plan.employee_id
    roster = store.roster()
    known_ids = {*roster["employee_id"], *roster["coach_id"], *store.employees_with_records()}
    mentions = Mentions(eid, plan.name, plan.email, other_ids=known_ids)
    searched = ["the id"] + (["their name"] if plan.name else []) + (["their email"] if plan.email else [])
    receipt = Receipt(eid, store.root, reports, searched)
    handled: set[Path] = set()

    # 1. what is theirs
    with store._lock(f"employee:{eid}"):  # no autosave of theirs lands between reading and removing
        if plan.on_roster:
            _remove_roster_row(store, eid, receipt)
        for kind in ("conversation", "checkin"):
            folder = store.employee_dir(kind, eid)
            if folder.exists():
                n = _count_files(folder)
                shutil.rmtree(folder)
                receipt.add(folder, "deleted", f"{n} file(s)")
    handled.add(store.roster_path)
    own_reports = reports / eid
    if own_reports.exists():
        n = _count_files(own_reports)
        shutil.rmtree(own_reports)
        receipt.add(own_reports, "deleted", f"{n} file(s)")

    # 2. mentions in other employees' records, through the store
    for kind, sub in (("conversation", "conversations"), ("checkin", "checkins")):
        base = store.root / sub
        if not base.is_dir():
            continue
        for emp_dir in sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")):
            for path in sorted(emp_dir.glob("*.json")):
                if path.name.startswith("."):
                    continue
                handled.add(path)
                _scrub_record(store, kind, emp_dir.name, path, mentions, receipt)

    # 3. everything else under both folders
    for root in _roots(store.root, reports):
        _remove_named_folders(root, mentions, receipt)
    for root in _roots(store.root, reports):
        for path in _walk(root):
            if path in handled or _is_derived(store, path) or not path.exists():
                continue
            _sweep_file(store, reports, path, mentions, receipt)

    if store.derived_dir.is_dir():
        report = store.refresh()
        receipt.add(store.derived_dir, "derived tables brought up to date",
                    f"{report.employees_changed} employee(s) re-read, {report.buckets_rewritten} part(s) rewritten; "
                    "their rows and manifest entry are gone")
    _final_check(store, reports, mentions, receipt)
    return receipt


# ---------------------------------------------------------------------------- helpers


def _roots(data: Path, reports: Path) -> list[Path]:
    roots = [data]
    if reports.is_dir() and data not in reports.parents and reports != data and reports not in data.parents:
        roots.append(reports)
    elif reports.is_dir() and data in reports.parents:
        pass  # inside the data folder: walked with it
    elif reports.is_dir() and reports in data.parents:
        roots = [reports]
    return [r for r in roots if r.is_dir()]


def _walk(root: Path):
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if not path.is_symlink():
                yield path


def _is_derived(store: Store, path: Path) -> bool:
    return store.derived_dir in path.parents


def _in_reports(reports: Path, path: Path) -> bool:
    return reports in path.parents


def _remove_roster_row(store: Store, eid: str, receipt: Receipt) -> None:
    roster = store.roster()
    kept = roster[roster["employee_id"] != eid]
    store.save_roster(kept, source=str(store.roster_path))
    receipt.add(store.roster_path, "removed their row", f"{len(roster) - len(kept)} row(s)")


def _scrub_value(value: Any, mentions: Mentions, counts: dict[str, int]) -> Any:
    """A record with mentions in its text replaced; ``counts`` tallies ``text`` and ``coach``."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in _STRUCTURAL_KEYS:
                out[k] = v
            elif k == "coach_id":
                out[k] = v
                if v == mentions.employee_id:
                    out[k] = ERASED_COACH_ID
                    counts["coach"] += 1
            else:
                out[k] = _scrub_value(v, mentions, counts)
        return out
    if isinstance(value, list):
        return [_scrub_value(v, mentions, counts) for v in value]
    if isinstance(value, str):
        text, n = mentions.replace(value)
        counts["text"] += n
        return text
    return value


def _scrub_record(store: Store, kind: str, owner: str, path: Path, mentions: Mentions, receipt: Receipt) -> None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        receipt.leftovers.append(ReceiptLine(path, "unreadable", f"could not be read: {exc}"))
        return
    if not mentions.in_bytes(data):
        return
    try:
        record = store.load_checkin(owner, path.stem) if kind == "checkin" else \
            store.load_conversation(owner, path.stem)
    except (S.ValidationError, NotFound, ValueError) as exc:
        receipt.leftovers.append(ReceiptLine(path, "damaged", f"a damaged record that mentions them; fix or "
                                                              f"delete it by hand ({str(exc).splitlines()[0]})"))
        return
    counts = {"text": 0, "coach": 0}
    cleaned = _scrub_value(record, mentions, counts)
    if not counts["text"] and not counts["coach"]:
        return
    try:
        with store._lock(f"employee:{owner}"):
            store.save_many([cleaned])  # validates; completed records may be rewritten this way
    except S.ValidationError as exc:
        receipt.leftovers.append(ReceiptLine(path, "not changed", "removing the mentions would make the record "
                                                                  f"invalid: {exc.problems[0].message}"))
        return
    done = []
    if counts["text"]:
        done.append(f"replaced {counts['text']} mention(s) in its text with {REMOVED}")
    if counts["coach"]:
        done.append(f"coach id set to {ERASED_COACH_ID!r}")
    receipt.add(path, "; ".join(done))


def _sweep_file(store: Store, reports: Path, path: Path, mentions: Mentions, receipt: Receipt) -> None:
    rel_name = path.name
    if rel_name.startswith(".") and rel_name.endswith(".tmp"):
        if mentions.in_bytes(path.read_bytes()) or mentions.search(rel_name):
            path.unlink()
            receipt.add(path, "deleted leftover temp file")
        return
    if store.root / ".locks" in path.parents:
        return  # lock files are empty and named by a hash
    suffix = path.suffix.lower()
    if mentions.search(str(path.relative_to(store.root if store.root in path.parents else reports))):
        path.unlink()
        receipt.add(path, "deleted", "its name carries the id")
        if suffix in GENERATED_SUFFIXES:
            receipt.regenerate.append(path)
        return
    if suffix == ".parquet":
        _sweep_parquet(path, mentions, receipt)
        return
    try:
        data = path.read_bytes()
    except OSError as exc:
        receipt.leftovers.append(ReceiptLine(path, "unreadable", f"could not be read: {exc}"))
        return
    if not mentions.in_bytes(data) and not (suffix == ".json" and _json_mentions(data, mentions)):
        return
    if suffix in GENERATED_SUFFIXES or (_in_reports(reports, path) and suffix not in {".csv", ".json"}
                                        | TEXT_SUFFIXES):
        path.unlink()
        receipt.add(path, "deleted", "generated; regenerate it")
        receipt.regenerate.append(path)
    elif suffix == ".csv":
        _sweep_csv(path, data, mentions, receipt)
    elif suffix == ".json":
        _sweep_json(path, data, mentions, receipt)
    elif suffix in TEXT_SUFFIXES:
        text, encoding = _decode(data)
        cleaned, n = mentions.replace(text)
        atomic_write_bytes(path, cleaned.encode(encoding))
        receipt.add(path, f"replaced {n} mention(s) with {REMOVED}")
    else:
        receipt.leftovers.append(ReceiptLine(path, "not changed", "mentions them, but careerconv does not know "
                                                                  "how to edit this kind of file; edit it by hand"))


def _decode(data: bytes) -> tuple[str, str]:
    text, name = decode_text(data)
    encoding = {"UTF-8 with BOM": "utf-8-sig", "UTF-8": "utf-8", "UTF-16": "utf-16"}.get(name, "cp1252")
    return text, encoding


def _sweep_csv(path: Path, data: bytes, mentions: Mentions, receipt: Receipt) -> None:
    try:
        text, encoding = _decode(data)
    except ValueError:
        receipt.leftovers.append(ReceiptLine(path, "not changed", "mentions them but its encoding is unknown"))
        return
    first = text.splitlines()[0] if text else ""
    delimiter = max((",", ";", "\t"), key=first.count)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if not rows:
        return
    header, body = rows[0], rows[1:]
    if any(mentions.search(c) for c in header):
        receipt.leftovers.append(ReceiptLine(path, "not changed", "its header row mentions them; edit it by hand"))
        return
    kept = [r for r in body if not any(mentions.search(c) for c in r)]
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n" if "\r\n" in text else "\n")
    writer.writerows([header, *kept])
    atomic_write_bytes(path, buf.getvalue().encode(encoding))
    receipt.add(path, "removed rows", f"{len(body) - len(kept)} row(s)")


def _json_strings(value: Any):
    if isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _json_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _json_strings(v)
    elif isinstance(value, str):
        yield value


def _json_mentions(data: bytes, mentions: Mentions) -> bool:
    try:
        return any(mentions.search(s) for s in _json_strings(json.loads(data)))
    except (ValueError, UnicodeDecodeError):
        return False


def _scrub_json(value: Any, mentions: Mentions) -> tuple[Any, int]:
    if isinstance(value, dict):
        total, out = 0, {}
        for k, v in value.items():
            if mentions.search(str(k)):
                total += 1
                continue
            out[k], n = _scrub_json(v, mentions)
            total += n
        return out, total
    if isinstance(value, list):
        total, out = 0, []
        for v in value:
            if isinstance(v, str) and mentions.fullmatch(v):
                total += 1
                continue
            nv, n = _scrub_json(v, mentions)
            out.append(nv)
            total += n
        return out, total
    if isinstance(value, str):
        return mentions.replace(value)
    return value, 0


def _sweep_json(path: Path, data: bytes, mentions: Mentions, receipt: Receipt) -> None:
    try:
        value = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        receipt.leftovers.append(ReceiptLine(path, "not changed", "mentions them but is not valid JSON"))
        return
    cleaned, n = _scrub_json(value, mentions)
    atomic_write_bytes(path, json.dumps(cleaned, ensure_ascii=False, indent=1).encode("utf-8"))
    receipt.add(path, "removed mentions", f"{n} key(s)/text(s)")


def _row_mask(table: pa.Table, test: Callable[[str], bool]) -> list[bool]:
    mask = [False] * table.num_rows
    for column in table.columns:
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            continue
        for i, value in enumerate(column.to_pylist()):
            if value is not None and not mask[i] and test(value):
                mask[i] = True
    return mask


def _sweep_parquet(path: Path, mentions: Mentions, receipt: Receipt) -> None:
    try:
        table = pq.read_table(path)
    except Exception:  # damaged: its bytes are all we can check
        if mentions.in_bytes(path.read_bytes()):
            receipt.leftovers.append(ReceiptLine(path, "not changed", "a damaged Parquet file that mentions them"))
        return
    mask = _row_mask(table, mentions.search)
    if any(mentions.search(name) for name in table.column_names):
        receipt.leftovers.append(ReceiptLine(path, "not changed", "a column name mentions them; edit it by hand"))
        return
    n = sum(mask)
    if not n:
        return
    kept = table.filter(pa.array([not m for m in mask]))
    buf = io.BytesIO()
    pq.write_table(kept, buf, compression="zstd")
    atomic_write_bytes(path, buf.getvalue())
    receipt.add(path, "removed rows", f"{n} row(s)")


def _remove_named_folders(root: Path, mentions: Mentions, receipt: Receipt) -> None:
    for folder, dirs, _files in os.walk(root, topdown=True):
        for name in list(dirs):
            if mentions.search(name):
                path = Path(folder) / name
                n = _count_files(path)
                shutil.rmtree(path)
                receipt.add(path, "deleted", f"folder named with the id, {n} file(s)")
                dirs.remove(name)


def _final_check(store: Store, reports: Path, mentions: Mentions, receipt: Receipt) -> None:
    flagged = {item.path for item in receipt.leftovers}
    checked = 0
    for root in _roots(store.root, reports):
        for path in _walk(root):
            checked += 1
            if path in flagged:
                continue
            why = None
            if mentions.search(path.relative_to(root).as_posix()):
                why = "its path carries the id"
            elif path.suffix == ".parquet":
                try:
                    table = pq.read_table(path)
                    if any(_row_mask(table, mentions.search)):
                        why = "holds rows that mention them"
                except Exception:
                    if mentions.in_bytes(path.read_bytes()):
                        why = "damaged Parquet file that mentions them"
            else:
                data = path.read_bytes()
                if mentions.in_bytes(data) or (path.suffix == ".json" and _json_mentions(data, mentions)):
                    why = "still mentions them"
                    if path == store.roster_path:
                        why += " (another employee with the same name, or them as a coach?)"
            if why:
                receipt.leftovers.append(ReceiptLine(path, "still there", why))
    receipt.files_checked = checked
