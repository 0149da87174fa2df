"""Export tables and everything held about one person, in open formats.

CSV exports are meant to be opened in a spreadsheet, so they are made safe for
one:

* written as UTF-8 **with a BOM**, so Excel detects the encoding (without it
  Excel reads UTF-8 as the local code page and mangles names such as "José");
* **formula-neutralised** as OWASP recommends: a text cell that begins with
  ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``
  so a spreadsheet shows it as text instead of running it
  (``=HYPERLINK("http://x","y")`` is exported as ``'=HYPERLINK("http://x","y")``).
  Only text cells are touched: numeric columns (ratings, counts) hold numbers,
  and a negative number is a number, not a formula, so it is written as is.
  The rule is reversible: the importer gives back the original text
  (:mod:`careerconv.records.spreadsheet` holds both directions).

Excel exports (``xlsx``) follow the same rules, in a workbook with the header
frozen and columns sized (:mod:`careerconv.records.workbook`). Parquet exports are
written as they are (typed columns, no neutralisation: no spreadsheet runs
Parquet cells).

Besides the tables of :data:`careerconv.records.schema.TABLES` there are two views:
``history``, every rated skill of every completed conversation in the shape
``careerconv import history`` reads, so history moves between data folders;
and ``target_status``, every 6/12/18-month target measured as of today by
:mod:`careerconv.rules.progress` (the statuses the progress reports show).
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import io
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa

from careerconv import __version__
from careerconv.rules import progress
from careerconv.records import config, schema
from careerconv.records import tables
from careerconv.records.schema import (
    COACH_ID, COACH_RATING, CONVERSATION_ID, DATE, EMPLOYEE_ID, HORIZON_MONTHS, SELF_RATING, SKILL, STATUS,
)
from careerconv.records.spreadsheet import changed_id_warnings, frame_to_csv_bytes, long_cell_warnings
from careerconv.records.store import NotFound, Store, cannot_write, write_output_bytes
from .export_names import EXPORT_TABLES, FORMATS, HISTORY_VIEW, TARGET_STATUS_VIEW

HISTORY_COLUMNS = (EMPLOYEE_ID, DATE, SKILL, "rating", COACH_RATING, "target_6m", "target_12m",
                   "target_18m", COACH_ID)


def history_view(conversations: pd.DataFrame, skills: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """Rated skills of completed conversations in the ``import history`` shape.

    Parameters
    ----------
    conversations, skills, targets
        The derived tables of the same name (whole, or one employee's rows).

    Returns
    -------
    DataFrame
        Columns :data:`HISTORY_COLUMNS`, one row per employee x date x skill,
        sorted by employee, date and skill. ``rating`` is the self rating.
    """
    done = skills[(skills[STATUS] == "completed") & skills[SELF_RATING].notna()]
    out = done[[CONVERSATION_ID, EMPLOYEE_ID, DATE, SKILL, SELF_RATING, COACH_RATING]].rename(
        columns={SELF_RATING: "rating"})
    if len(targets):
        wide = targets.pivot_table(index=[CONVERSATION_ID, SKILL], columns=HORIZON_MONTHS, values="target",
                                   aggfunc="first")
        wide = wide.rename(columns={h: f"target_{h}m" for h in schema.HORIZONS}).reset_index()
        out = out.merge(wide, on=[CONVERSATION_ID, SKILL], how="left")
    coaches = conversations[[CONVERSATION_ID, COACH_ID]]
    out = out.merge(coaches, on=CONVERSATION_ID, how="left")
    for name in HISTORY_COLUMNS:
        if name not in out.columns:
            out[name] = pd.NA
    out = out[list(HISTORY_COLUMNS)].copy()
    for name in ("rating", COACH_RATING, "target_6m", "target_12m", "target_18m"):
        out[name] = pd.array(out[name], dtype="Int64")
    out[DATE] = pd.to_datetime(out[DATE])
    return out.sort_values([EMPLOYEE_ID, DATE, SKILL], kind="stable").reset_index(drop=True)


def target_status_view(conversations: pd.DataFrame, targets: pd.DataFrame, ratings: pd.DataFrame,
                       as_of: dt.date) -> pd.DataFrame:
    """Every agreed target with its measurement and status on ``as_of``.

    Parameters
    ----------
    conversations, targets, ratings
        The derived tables ``conversations``, ``targets`` and ``skill_ratings``.
    as_of
        The day the targets are measured on.

    Returns
    -------
    DataFrame
        Columns :data:`careerconv.rules.progress.TARGET_STATUS_COLUMNS` (see
        :func:`careerconv.rules.progress.target_status`).
    """
    agreed, counted = progress.agreed_only(conversations, targets, ratings)
    return progress.target_status(progress.progress_at_horizons(agreed, counted, as_of))


def _read_table(store: Store, name: str, columns: list[str] | None = None) -> pd.DataFrame:
    try:
        return store.read_table(name, columns=columns)
    except pa.ArrowInvalid:
        # A cache written by an older version can mix timestamp units between parts, which Arrow
        # will not concatenate; the record files are the source of truth, so read the table from them.
        frame = tables.frames_from_records(store.iter_records(), [name])[name]
        return frame[columns] if columns else frame


def table_frame(store: Store, name: str) -> pd.DataFrame:
    """The frame ``export_table`` writes for ``name`` (a table or the ``history`` view).

    Raises
    ------
    ValueError
        For an unknown table name (the message lists the ones there are).
    """
    if name == HISTORY_VIEW:
        return history_view(_read_table(store, "conversations"), _read_table(store, "skills"),
                            _read_table(store, "targets"))
    if name == TARGET_STATUS_VIEW:
        return target_status_view(_read_table(store, "conversations"), _read_table(store, "targets"),
                                  _read_table(store, "skill_ratings"), dt.date.today())
    if name not in schema.TABLES:
        raise ValueError(f"unknown table {name!r}; tables are: {', '.join(EXPORT_TABLES)}")
    if name == "roster":
        return schema.roster_as_written(_read_table(store, name))
    return _read_table(store, name)


@dataclass
class ExportResult:
    """What :func:`export_table` wrote."""

    path: Path
    table: str
    fmt: str
    rows: int
    columns: list[str]
    warnings: list[str] = field(default_factory=list)


def export_table(store: Store, name: str, path: str | os.PathLike, fmt: str = "csv") -> ExportResult:
    """Write one table (or the ``history`` view) to a CSV or Parquet file.

    Parameters
    ----------
    store
        The data folder to read.
    name
        One of :data:`EXPORT_TABLES`.
    path
        The file to write (replaced atomically if it exists).
    fmt
        ``"csv"`` (UTF-8 with BOM, formula-neutralised), ``"xlsx"`` (one
        sheet, formula-neutralised, header frozen, columns sized; see
        :mod:`careerconv.records.workbook`) or ``"parquet"``.

    Returns
    -------
    ExportResult
        Rows and columns written, and warnings (cells too long for Excel, or cut to fit it).

    Raises
    ------
    ValueError
        Unknown table or format, ``path`` is a folder or inside the data folder, or (xlsx) more rows than an
        Excel sheet holds.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; formats are: {', '.join(FORMATS)}")
    path = config.output_outside_data(path, store.root, "-o/--output")
    if path.is_dir():
        raise ValueError(f"{path} is a folder; give a file name such as {path / f'{name}.{fmt}'}")
    frame = table_frame(store, name)
    warnings: list[str] = []
    if fmt == "csv":
        data = frame_to_csv_bytes(frame)
        warnings = long_cell_warnings(frame) + changed_id_warnings(
            frame, schema.ID_COLUMNS, "to keep them, export with --format xlsx, which stores ids as text, or "
                                      "open the CSV with Excel's Data > From Text/CSV and make the column Text")
    elif fmt == "xlsx":
        from careerconv.records.workbook import frames_to_xlsx  # openpyxl is loaded only for workbooks

        book = frames_to_xlsx({name: frame})
        data, warnings = book.data, book.warnings
    else:
        buf = io.BytesIO()
        frame.to_parquet(buf, index=False)
        data = buf.getvalue()
    write_output_bytes(path, data)
    return ExportResult(path, name, fmt, len(frame), list(frame.columns), warnings)


# --------------------------------------------------------------------------
# everything about one person


@dataclass
class EmployeeExport:
    """What :func:`export_employee` wrote: ``files`` maps a relative path to what it holds."""

    employee_id: str
    folder: Path
    files: dict[str, str]
    warnings: list[str] = field(default_factory=list)


def export_employee(store: Store, reports_dir: str | os.PathLike, employee_id: str,
                    out_dir: str | os.PathLike) -> EmployeeExport:
    """Write everything held about one employee into ``out_dir``, in open formats.

    The folder gets: ``README.txt`` (what is where), ``manifest.json`` (every
    file with its size and SHA-256), ``employee.csv`` (the roster row),
    ``conversations/`` and ``checkins/`` (the record files exactly as stored,
    JSON, plus the conversation summaries), ``tables/<table>.csv`` (their rows
    of every derived table, and ``history.csv`` in the import format) and
    ``reports/`` (a copy of ``reports_dir/<employee_id>/``). The folder is built
    beside ``out_dir`` and moved into place at the end, so a failed export
    leaves nothing half-written; what a killed one left beside ``out_dir`` is
    removed by the next export to it.

    Parameters
    ----------
    store
        The data folder.
    reports_dir
        The reports folder (reports of this employee are in ``<employee_id>/``).
    employee_id
        Whose data to export.
    out_dir
        A folder that does not exist yet or is empty, outside the data folder and the reports folder.

    Returns
    -------
    EmployeeExport

    Raises
    ------
    ValueError
        Bad employee id, ``out_dir`` not empty, or inside the data folder or the reports folder.
    NotFound
        Nothing is held about ``employee_id``.
    """
    employee_id = schema.parse_identifier(employee_id, what="employee id")
    out = Path(out_dir).resolve()
    reports = Path(reports_dir).resolve()
    if config.is_inside(out, store.root):
        raise ValueError(f"{out} is inside the data folder {store.root}; export to a folder outside it")
    if config.is_inside(out, reports):
        # The reports folder is copied into exports and swept by erase: an export kept there became part of
        # the next export (its own half-built copy included), of this person or of another.
        raise ValueError(f"{out} is inside the reports folder {reports}, whose reports exports copy; export to a "
                         f"folder outside it, such as {reports.parent / out.name}")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ValueError(f"{out} already exists and is not an empty folder; choose a new folder")
    history = store.history(employee_id)
    report_dir = reports / employee_id
    record_dirs = {kind: store.employee_dir(kind, employee_id) for kind in ("conversation", "checkin")}
    if history.employee is None and not history.conversations and not history.checkins \
            and not report_dir.is_dir() and not any(d.is_dir() for d in record_dirs.values()):
        erased = store.erased_ids().erased_on(employee_id)
        why = f" (erased on {erased})" if erased else store.case_hint(employee_id)
        raise NotFound(f"nothing is held about employee {employee_id!r}: not on the roster, no records, "
                       f"no reports{why}")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        _remove_abandoned_exports(out)
        staging = Path(tempfile.mkdtemp(prefix=f"{_partial_prefix(out)}{os.getpid()}-", dir=out.parent))
    except OSError as exc:
        raise cannot_write(out, exc) from None
    try:
        files = _write_employee_export(store, history, employee_id, record_dirs, report_dir, staging, out)
        if out.exists():
            out.rmdir()  # empty, checked above; os.replace cannot replace a folder on every platform
        os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    warnings = [f"{len(store.problems)} damaged record file(s) could not be read and are copied as they are"] \
        if store.problems else []
    return EmployeeExport(employee_id, out, files, warnings)


def _partial_prefix(out: Path) -> str:
    """The name an export to ``out`` is built under (beside it) begins with; the process id and a random part
    follow."""
    return f".{out.name}.partial-"


def _remove_abandoned_exports(out: Path) -> None:
    """Remove the half-built exports to ``out`` of processes that are gone.

    A killed export (SIGKILL, or SIGTERM, which Python does not turn into an
    exception) leaves its folder, which holds the person's records, beside
    ``out``, hidden, where neither a later export nor ``erase`` would look.
    """
    prefix = _partial_prefix(out)
    for folder in out.parent.glob(f"{glob.escape(prefix)}*"):
        pid = folder.name[len(prefix):].split("-", 1)[0]
        if folder.is_dir() and not _running(pid):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: str) -> bool:
    """Whether ``pid`` (text, as in a folder's name) is a process that is still running."""
    if not pid.isdigit():
        return False  # named by an older version, without a process id: nobody is building it now
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _write_employee_export(store: Store, history, employee_id: str, record_dirs: dict[str, Path],
                           report_dir: Path, out: Path, final: Path) -> dict[str, str]:
    """Write the export into ``out`` (a staging folder that becomes ``final``); return what each file is."""
    files: dict[str, str] = {}

    def put(rel: str, data: bytes | Path, what: str) -> None:
        """Write ``data`` (or copy the file ``data``) as ``rel`` of the export; a refusal of the disk names the
        file where the export was going, not its staging folder (which is removed)."""
        target = out / rel
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, Path):
                shutil.copy2(data, target)
            else:
                target.write_bytes(data)
        except OSError as exc:
            raise cannot_write(final / rel, exc) from exc
        files[rel] = what

    if history.employee is not None:
        row = pd.DataFrame([history.employee], columns=schema.ROSTER.names)
        put("employee.csv", frame_to_csv_bytes(schema.roster_as_written(schema.coerce_frame(row, schema.ROSTER))),
            "the roster row (CSV)")
    for kind, folder in record_dirs.items():
        sub = "conversations" if kind == "conversation" else "checkins"
        if not folder.is_dir():
            continue
        for entry in sorted(folder.iterdir()):
            if entry.name.startswith(".") or not entry.is_file():
                continue  # temp files of interrupted saves are not data
            if entry.name.endswith(".summary.html"):
                what = "the conversation summary (HTML)"
            elif entry.suffix == ".json":
                what = f"a {kind} record, exactly as stored (JSON)"
            else:
                what = "a file kept with the records"
            put(f"{sub}/{entry.name}", entry.read_bytes(), what)
    frames = history.frames()
    for name, frame in frames.items():
        put(f"tables/{name}.csv", frame_to_csv_bytes(frame), f"{len(frame)} row(s) of the {name} table (CSV)")
    hist = history_view(frames["conversations"], frames["skills"], frames["targets"])
    put("tables/history.csv", frame_to_csv_bytes(hist),
        f"{len(hist)} rated skill(s) in the `careerconv import history` format (CSV)")
    if report_dir.is_dir():
        for path in sorted(p for p in report_dir.rglob("*") if p.is_file()):
            put(f"reports/{path.relative_to(report_dir).as_posix()}", path, "a generated report")
    coaches = _read_table(store, "conversations", columns=[EMPLOYEE_ID, COACH_ID])
    coached = int(((coaches[COACH_ID] == employee_id) & (coaches[EMPLOYEE_ID] != employee_id)).sum())
    readme = _readme(employee_id, history, files, coached)
    put("README.txt", readme.encode("utf-8"), "this description")
    manifest = {
        EMPLOYEE_ID: employee_id,
        "exported_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "exported_by": f"careerconv {__version__}",
        "files": [{"path": rel, "contents": what, "bytes": (out / rel).stat().st_size,
                   "sha256": hashlib.sha256((out / rel).read_bytes()).hexdigest()}
                  for rel, what in sorted(files.items())],
    }
    put("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"),
        "the list of files with sizes and SHA-256 checksums (JSON)")
    return files


def _readme(employee_id: str, history, files: dict[str, str], coached: int) -> str:
    lines = [
        f"Everything careerconv holds about employee {employee_id}",
        "=" * 60,
        "",
        f"Exported {dt.date.today().isoformat()} by careerconv {__version__}.",
        "",
        "Open formats only: JSON (the records exactly as stored), CSV (UTF-8 with BOM, opens in",
        "Excel and any other tool) and HTML. In the CSV files a text cell that begins with = + - @,",
        "a tab or a carriage return starts with an extra ' so a spreadsheet does not run it as a",
        "formula; the JSON records hold the exact text.",
        "",
        f"Roster row: {'employee.csv' if history.employee is not None else 'not on the roster'}",
        f"Conversations: {len(history.conversations)}    Check-ins: {len(history.checkins)}",
        f"Reports: {sum(1 for f in files if f.startswith('reports/'))} file(s)",
    ]
    if coached:
        lines += ["", f"This person is also named as the coach in {coached} conversation(s) of other "
                      "employees; those records are about other people and are not included."]
    lines += ["", "Files", "-----"]
    lines += [f"{rel}\n    {what}" for rel, what in sorted(files.items())]
    lines += ["manifest.json\n    the list of files with sizes and SHA-256 checksums (JSON)",
              "README.txt\n    this description", ""]
    return "\n".join(lines)
