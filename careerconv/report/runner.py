"""The batch runner: progress reports for many employees, fast, isolated, incremental.

The naive way to make a report is a ``papermill`` process (a fresh kernel that
imports pandas and matplotlib) followed by a ``jupyter nbconvert`` process, per
employee: most of the time goes into starting processes and importing
libraries. Here each report is still a real papermill execution of the report
notebook (papermill's own parameter injection, execution manager and engine
machinery, so the executed notebook carries the ``injected-parameters`` cell,
the outputs and papermill's metadata), but:

* **warm kernels**: ``jobs`` kernels are started once per batch and import the
  package (pandas, matplotlib, careerconv) once; each runs report after report.
  What they load is frozen out of the garbage collector's way, and text
  columns use Python rather than Arrow storage (cheaper for a report's small
  frames; same output).
* **isolation**: before every report the kernel's user namespace is reset
  (IPython's ``reset``: every variable, the output cache and the last
  exception are dropped, the execution counter restarts at 1), so a report
  starts from the same clean state as in a fresh kernel and nothing of one
  employee is left for the next. The report code itself keeps no employee
  data between reports (only the roster is cached, see
  :mod:`careerconv.report.source`), and every report checks that all the
  records it reads belong to its employee.
* **in-process glue**: the parameter injection (papermill's
  ``parameterize_notebook``), the notebook writing and the HTML export (one
  reused :class:`~careerconv.report.html_export.ReportExporter`) run in this
  process, with no subprocess per report.
* **parallel**: each kernel is driven by its own thread; the main thread
  exports and writes files while the kernels compute.
* **incremental**: a report is skipped when its fingerprint (the bytes of the
  employee's record files and roster row, the notebook, the report code and the
  parameters) equals the one stored with the last report.
* **failures stay contained**: an employee whose notebook fails is recorded
  with the cause (the exception raised in the notebook, e.g. which file is
  damaged) and the batch goes on; a kernel that dies or hangs is restarted.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import logging
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.exceptions import PapermillExecutionError
from papermill.execute import prepare_notebook_metadata, raise_for_execution_errors, remove_error_markers
from papermill.inspection import inspect_notebook
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from .. import __version__, config
from .. import schema as S
from ..store import Store, atomic_write_bytes
from .content import parse_as_of, parse_horizons
from .html_export import ReportExporter
from .index import FAILED, MADE, UNCHANGED, IndexEntry, index_html
from .source import data_fingerprint, record_files

__all__ = [
    "NOTEBOOK",
    "ENGINE_NAME",
    "BatchResult",
    "KernelDied",
    "ReportOutcome",
    "ReportPaths",
    "WarmKernel",
    "WarmKernelEngine",
    "report_paths",
    "run_batch",
]

NOTEBOOK = config.NOTEBOOKS_DIR / "progress_report.ipynb"
ENGINE_NAME = "careerconv-warm-kernel"
KERNEL_NAME = "python3"
DEFAULT_TIMEOUT = 300  # seconds per notebook cell
# Bump when the way reports are made changes in a way the fingerprint does not see.
RUNNER_VERSION = 1

# Modules whose code decides what a report shows: a change to any of them
# makes every report out of date.
_REPORT_CODE = ("report/content.py", "report/render.py", "report/pdf.py", "report/source.py",
                "report/html_export.py", "progress.py",
                "plots.py", "cadence.py", "tables.py", "schema.py", "store.py")

# Imported once per warm kernel; a small chart is drawn so fonts are loaded too.
# Text columns are stored as Python strings rather than in Arrow: a report's
# frames hold a few dozen rows, where Arrow's per-call overhead dominates
# (measured: a third less time to compute a report's content, same output to
# the byte on the sample organisation).
_WARMUP = """\
import pandas as _pd
_pd.set_option("mode.string_storage", "python")
del _pd
import careerconv.report, careerconv.report.kernel, careerconv.plots, careerconv.progress, careerconv.cadence
import matplotlib.backends.backend_agg
from matplotlib.figure import Figure as _Figure
import io as _io
_f = _Figure(figsize=(2, 1)); _f.add_subplot().set_title("warm-up 0123456789"); _f.savefig(_io.BytesIO(), format="png"); _f.savefig(_io.BytesIO(), format="svg")
del _f, _Figure, _io
"""
_WARMUP_PDF = "import careerconv.report.pdf\n"
# Everything loaded while warming up lives as long as the kernel: move it out
# of the collector's sight, so the full collections during reports stay cheap.
_FREEZE = "__import__('gc').freeze()\n"
# Run before every report; binds no name (see careerconv.report.kernel).
_RESET = '__import__("careerconv.report.kernel", fromlist=["_"]).reset_namespace(get_ipython(), collect={collect})'
# A full garbage collection every so many reports keeps memory flat at a small cost.
_COLLECT_EVERY = 25


# ---------------------------------------------------------------------------
# papermill engine on a warm kernel


class WarmKernelEngine(NBClientEngine):
    """papermill's nbclient engine, executing on an already running kernel.

    Identical to papermill's default engine except that the kernel is not
    started and shut down per notebook: the :class:`WarmKernel` passed as
    ``warm_kernel`` is used as it is.
    """

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
                                 start_timeout=60, execution_timeout=None, **kwargs):
        warm: WarmKernel = kwargs.pop("warm_kernel")
        kwargs.pop("input_path", None)
        client = PapermillNotebookClient(
            nb_man, km=warm.km, timeout=execution_timeout, startup_timeout=start_timeout,
            kernel_name=kernel_name, log=_CLIENT_LOG, log_output=log_output,
            stdout_file=stdout_file, stderr_file=stderr_file,
        )
        client.kc = warm.kc  # reuse the connected client: no per-report handshake
        return client.execute()


papermill_engines.register(ENGINE_NAME, WarmKernelEngine)

# nbclient logs a dead or timed-out kernel itself; the batch reports it as the
# employee's failure cause instead of in the middle of the progress bar.
_CLIENT_LOG = logging.getLogger("careerconv.report.nbclient")
_CLIENT_LOG.addHandler(logging.NullHandler())
_CLIENT_LOG.propagate = False


class KernelDied(RuntimeError):
    """The kernel stopped or stopped answering; it has to be restarted."""


class WarmKernel:
    """One IPython kernel that runs report after report.

    Every method must be called from the thread that called :meth:`start`
    (the kernel client is bound to that thread's event loop).

    Parameters
    ----------
    kernel_name
        The Jupyter kernel to start.
    cwd
        The kernel's working directory (the notebook's folder, as for a
        report run by hand).
    pdf
        Also import the PDF writer while warming up (for batches with PDFs).
    """

    def __init__(self, kernel_name: str = KERNEL_NAME, cwd: str | os.PathLike | None = None,
                 pdf: bool = False):
        self.kernel_name = kernel_name
        self.cwd = str(cwd) if cwd is not None else None
        self.pdf = pdf
        self.km: AsyncKernelManager | None = None
        self.kc: Any = None
        self._log = tempfile.TemporaryFile(prefix="careerconv-kernel-")
        self._sockets = tempfile.TemporaryDirectory(prefix="careerconv-kernel-")
        self.reports_run = 0

    def start(self, timeout: float = 120) -> None:
        """Start the kernel, connect to it and import what reports need.

        Raises
        ------
        KernelDied
            If it does not start or the warm-up fails.
        """
        # IPC sockets in a private folder: reachable from this machine only
        # (no TCP port open to anyone), and no "unencrypted TCP" warning.
        self.km = AsyncKernelManager(kernel_name=self.kernel_name, transport="ipc",
                                     ip=os.path.join(self._sockets.name, "kernel"))
        env = {**os.environ, "MPLBACKEND": "Agg", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
        try:
            run_sync(self.km.start_kernel)(
                # No input history database; no check for top-level await in every cell.
                extra_arguments=["--HistoryManager.enabled=False", "--InteractiveShell.autoawait=False"],
                cwd=self.cwd, env=env,
                stdout=self._log, stderr=self._log, stdin=subprocess.DEVNULL,
            )
            self.kc = self.km.client()
            self.kc.start_channels()
            run_sync(self.kc.wait_for_ready)(timeout=timeout)
        except Exception as exc:
            tail = self._log_tail()
            self.shutdown(close_log=False, now=True)
            raise KernelDied(f"the kernel did not start: {exc}{tail}") from exc
        try:
            self.run_code(_WARMUP + (_WARMUP_PDF if self.pdf else "") + _FREEZE, timeout=timeout)
        except RuntimeError as exc:  # e.g. careerconv is not installed where the kernel's Python looks
            self.shutdown(close_log=False, now=True)
            raise KernelDied(f"the {self.kernel_name!r} kernel cannot load the report code ({exc}); is careerconv "
                             "installed in the Python environment that runs that Jupyter kernel?") from exc

    def run_code(self, code: str, timeout: float = 60) -> None:
        """Run code in the kernel silently and wait for it to finish.

        Raises
        ------
        KernelDied
            If the kernel does not answer in time or has died.
        RuntimeError
            If the code raised (the message holds the exception).
        """
        run_sync(self._run_code)(code, timeout)

    async def _run_code(self, code: str, timeout: float) -> None:
        msg_id = self.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
        deadline = time.monotonic() + timeout
        reply = None
        while reply is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not await self.km.is_alive():
                raise KernelDied(f"the kernel did not answer within {timeout:.0f} s{self._log_tail()}")
            try:
                msg = await self.kc.get_shell_msg(timeout=min(remaining, 1.0))
            except queue.Empty:
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                reply = msg
        # Drain this request's messages from iopub up to its "idle" status.
        while time.monotonic() < deadline:
            try:
                msg = await self.kc.get_iopub_msg(timeout=min(deadline - time.monotonic(), 1.0))
            except queue.Empty:
                break
            if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                    and msg["content"].get("execution_state") == "idle"):
                break
        content = reply["content"]
        if content.get("status") != "ok":
            raise RuntimeError(f"{content.get('ename')}: {content.get('evalue')}")

    def reset(self) -> None:
        """Clear the user namespace so the next report starts clean (and check it is)."""
        self.run_code(_RESET.format(collect=self.reports_run % _COLLECT_EVERY == _COLLECT_EVERY - 1))

    def execute(self, nb: nbformat.NotebookNode, timeout: float | None = DEFAULT_TIMEOUT) -> nbformat.NotebookNode:
        """Reset the namespace, then execute a parameterised notebook with papermill.

        Returns
        -------
        nbformat.NotebookNode
            The executed notebook.

        Raises
        ------
        papermill.exceptions.PapermillExecutionError
            When a cell raised (the notebook, with papermill's error markers,
            is on the exception as ``notebook``).
        KernelDied
            When the kernel died or a cell timed out (restart it).
        """
        self.reset()
        try:
            out = papermill_engines.execute_notebook_with_engine(
                ENGINE_NAME, nb, self.kernel_name, input_path=nb.metadata.papermill.get("input_path"),
                output_path=None, progress_bar=False, log_output=False, start_timeout=60,
                execution_timeout=timeout, warm_kernel=self,
            )
        except PapermillExecutionError:
            raise
        except Exception as exc:  # DeadKernelError, CellTimeoutError, zmq errors
            raise KernelDied(f"{type(exc).__name__}: {exc}{self._log_tail()}") from exc
        self.reports_run += 1
        try:
            raise_for_execution_errors(out, None)
        except PapermillExecutionError as exc:
            exc.notebook = out
            raise
        return out

    def restart(self) -> None:
        """Kill this kernel (if it still runs: it is dead or hung) and start a fresh one.

        Raises
        ------
        KernelDied
            If the new kernel does not start.
        """
        self.shutdown(close_log=False, now=True)
        self.start()

    def shutdown(self, close_log: bool = True, now: bool = False) -> None:
        """Stop the kernel (politely unless ``now``) and release its sockets and files."""
        if self.kc is not None:
            try:
                self.kc.stop_channels()
            except Exception:
                pass
            self.kc = None
        if self.km is not None:
            try:
                run_sync(self.km.shutdown_kernel)(now=now)
            except Exception:
                try:
                    run_sync(self.km.shutdown_kernel)(now=True)
                except Exception:
                    pass
            self.km = None
        if close_log:
            self._log.close()
            self._sockets.cleanup()

    def _log_tail(self, lines: int = 8) -> str:
        try:
            self._log.flush()
            self._log.seek(0)
            text = self._log.read().decode("utf-8", "replace").strip().splitlines()
        except (OSError, ValueError):
            return ""
        tail = text[-lines:]
        return ("\nkernel log:\n  " + "\n  ".join(tail)) if tail else ""


# ---------------------------------------------------------------------------
# the batch


@dataclass(frozen=True)
class ReportPaths:
    """Where one employee's report of one day is written."""

    folder: Path
    ipynb: Path
    html: Path
    pdf: Path
    error_ipynb: Path
    stamp: Path


def report_paths(reports_dir: str | os.PathLike, employee_id: str, as_of: dt.date) -> ReportPaths:
    """The files of one report: ``<reports>/<employee>/progress-<as_of>.{ipynb,html,pdf}``.

    Raises
    ------
    ValueError
        If ``employee_id`` is not a valid id (it becomes a folder name).
    """
    S.parse_identifier(employee_id, what="employee id")
    folder = Path(reports_dir) / employee_id
    stem = f"progress-{as_of.isoformat()}"
    return ReportPaths(folder, folder / f"{stem}.ipynb", folder / f"{stem}.html", folder / f"{stem}.pdf",
                       folder / f"{stem}.error.ipynb", folder / f".{stem}.fingerprint")


@dataclass
class ReportOutcome:
    """What happened to one employee of a batch.

    Attributes
    ----------
    employee_id, name, department
        Who (name and department from the roster; the id when not on it).
    status
        ``"made"``, ``"unchanged"`` (skipped: nothing changed since the last
        report) or ``"failed"``.
    paths
        Where the report's files are (None for an id that cannot be a folder name).
    error
        Why it failed: the exception raised in the notebook, a dead or hung
        kernel, or a problem found before running; None otherwise.
    seconds
        Time the report took on its kernel (0 when not run).
    """

    employee_id: str
    name: str
    department: str
    status: str  # MADE, UNCHANGED or FAILED
    paths: ReportPaths | None = None
    error: str | None = None
    seconds: float = 0.0


@dataclass
class BatchResult:
    """What a batch did.

    Attributes
    ----------
    outcomes
        One per employee asked for, in the order asked; ``made``,
        ``unchanged`` and ``failed`` filter them.
    index_path
        The batch's index page.
    seconds
        Wall time of the whole batch (kernel start-up included).
    report_seconds
        Per report made, the time it took on its kernel.
    """

    outcomes: list[ReportOutcome]
    index_path: Path | None
    seconds: float
    report_seconds: list[float] = field(default_factory=list)

    def _with(self, status: str) -> list[ReportOutcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def made(self) -> list[ReportOutcome]:
        return self._with(MADE)

    @property
    def unchanged(self) -> list[ReportOutcome]:
        return self._with(UNCHANGED)

    @property
    def failed(self) -> list[ReportOutcome]:
        return self._with(FAILED)


@dataclass
class _Job:
    outcome: ReportOutcome
    parameters: dict[str, Any]
    fingerprint: str
    nb: nbformat.NotebookNode | None = None
    error: str | None = None


def _code_digest(notebook: Path) -> str:
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"runner {RUNNER_VERSION} careerconv {__version__}".encode())
    digest.update(notebook.read_bytes())
    for rel in _REPORT_CODE:
        path = config.PACKAGE_DIR / rel
        digest.update(rel.encode() + (path.read_bytes() if path.exists() else b"<missing>"))
    return digest.hexdigest()


def _fingerprint(code: str, parameters: dict[str, Any], data: str) -> str:
    shown = {k: v for k, v in parameters.items() if k != "pdf_path"}
    shown["pdf"] = bool(parameters.get("pdf_path"))
    blob = json.dumps({"code": code, "parameters": shown, "data": data}, sort_keys=True)
    return hashlib.blake2b(blob.encode(), digest_size=20).hexdigest()


def _is_current(paths: ReportPaths, fingerprint: str, pdf: bool) -> bool:
    try:
        stored = paths.stamp.read_text(encoding="utf-8").strip()
    except OSError:
        return False
    outputs = [paths.ipynb, paths.html] + ([paths.pdf] if pdf else [])
    return stored == fingerprint and all(p.exists() for p in outputs)


def _cause(exc: BaseException) -> str:
    if isinstance(exc, PapermillExecutionError):
        return f"{exc.ename}: {exc.evalue}".strip()
    return f"{type(exc).__name__}: {exc}" if not isinstance(exc, KernelDied) else str(exc)


def _write_notebook(path: Path, nb: nbformat.NotebookNode) -> None:
    atomic_write_bytes(path, nbformat.writes(nb).encode("utf-8"), durable=False)


def run_batch(
    data_dir: str | os.PathLike,
    employee_ids: Sequence[str] | None,
    as_of: Any,
    *,
    reports_dir: str | os.PathLike,
    jobs: int | None = None,
    force: bool = False,
    pdf: bool = False,
    horizons: Sequence[int] = (6, 12, 18),
    figure_format: str = "svg",
    dpi: int = 96,
    notebook: str | os.PathLike = NOTEBOOK,
    timeout: float = DEFAULT_TIMEOUT,
    progress: bool = True,
) -> BatchResult:
    """Make the progress reports of many employees.

    Parameters
    ----------
    data_dir
        The data folder.
    employee_ids
        Who to report on; None for everyone on the roster (or, without a
        roster, everyone with records).
    as_of
        The report date (``YYYY-MM-DD``).
    reports_dir
        Where reports go (``<reports_dir>/<employee>/progress-<as_of>.*``, and
        the batch's index page ``<reports_dir>/index-<as_of>.html``).
    jobs
        Kernels working in parallel (default: the number of CPU cores).
    force
        Make every report even when its data has not changed.
    pdf
        Also write ``progress-<as_of>.pdf``.
    horizons, figure_format, dpi
        Passed to the notebook.
    notebook
        The report notebook (must have a ``parameters`` cell).
    timeout
        Seconds a cell may run before its kernel is restarted and the report fails.
    progress
        Show a progress bar with an ETA on stderr.

    Returns
    -------
    BatchResult
        Every employee's outcome, failures with their cause.

    Raises
    ------
    FileNotFoundError
        If the data folder or the notebook does not exist.
    ValueError
        For a bad date, horizons, format, dpi, jobs or employee list (the
        message says what is allowed), or a notebook whose parameters do not
        match.
    careerconv.schema.ValidationError
        If the roster is invalid.
    """
    started = time.perf_counter()
    data = Path(data_dir).resolve()
    if not data.is_dir():
        raise FileNotFoundError(f"data folder {data} does not exist")
    day = parse_as_of(as_of).date()
    hz = list(parse_horizons(horizons))
    if figure_format not in ("png", "svg"):
        raise ValueError(f"figure format must be png or svg, got {figure_format!r}")
    if isinstance(dpi, bool) or not isinstance(dpi, int) or not 30 <= dpi <= 600:
        raise ValueError(f"dpi must be a whole number from 30 to 600, got {dpi!r}")
    if jobs is None:
        jobs = os.cpu_count() or 1
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a whole number >= 1, got {jobs!r}")
    notebook = Path(notebook).resolve()
    if not notebook.is_file():
        raise FileNotFoundError(f"report notebook {notebook} does not exist")
    out_root = Path(reports_dir).resolve()

    store = Store(data)
    with pd.option_context("mode.string_storage", "python"):  # see _WARMUP; the roster may be long
        roster = {r["employee_id"]: r for r in store.roster().to_dict("records")}
    if employee_ids is None:
        ids = list(roster) or store.employees_with_records()
    else:
        ids = list(dict.fromkeys(employee_ids))
    if not ids:
        raise ValueError(f"no employees to report on: the roster of {data} is empty and there are no records")

    template = load_notebook_node(str(notebook))
    declared = set(inspect_notebook(str(notebook)))
    base_parameters = {"data_dir": str(data), "as_of": day.isoformat(), "horizons": hz,
                       "figure_format": figure_format, "dpi": dpi}
    unknown = (set(base_parameters) | {"employee_id", "pdf_path"}) - declared
    if unknown:
        raise ValueError(f"{notebook} has no parameter(s) {', '.join(sorted(unknown))}; "
                         f"its parameters cell declares: {', '.join(sorted(declared)) or 'none'}")
    code = _code_digest(notebook)

    outcomes: list[ReportOutcome] = []
    todo: list[_Job] = []
    for eid in ids:
        row = roster.get(eid) or {}
        outcome = ReportOutcome(eid, str(row.get("name") or eid), str(row.get("department") or ""), FAILED)
        outcomes.append(outcome)
        try:
            paths = report_paths(out_root, eid, day)
        except ValueError as exc:
            outcome.error = f"not a valid employee id: {exc}"
            continue
        outcome.paths = paths
        files = record_files(data, eid)
        if eid not in roster and not files:
            outcome.error = f"employee {eid!r} is not on the roster and has no records"
            continue
        parameters = {"employee_id": eid, **base_parameters, "pdf_path": str(paths.pdf) if pdf else ""}
        roster_row = {k: (None if v is None or v != v else str(v)) for k, v in row.items()}
        fingerprint = _fingerprint(code, parameters, data_fingerprint(data, eid, roster_row))
        if not force and _is_current(paths, fingerprint, pdf):
            outcome.status = UNCHANGED
            continue
        todo.append(_Job(outcome, parameters, fingerprint))

    report_seconds: list[float] = []
    if todo:
        report_seconds = _run_jobs(todo, template, notebook, jobs, timeout, progress)

    index_path = out_root / f"index-{day.isoformat()}.html"
    entries = [IndexEntry(o.employee_id, o.name, o.department, o.status,
                          o.paths.html if o.paths and o.status != FAILED else None,
                          o.paths.pdf if o.paths and pdf and o.status != FAILED else None, o.error)
               for o in outcomes]
    page = index_html(entries, as_of=day, folder=out_root, generated=dt.datetime.now())
    atomic_write_bytes(index_path, page.encode("utf-8"), durable=False)
    return BatchResult(outcomes, index_path, time.perf_counter() - started, report_seconds)


def _run_jobs(todo: list[_Job], template: nbformat.NotebookNode, notebook: Path, jobs: int, timeout: float,
              progress: bool) -> list[float]:
    """Execute the jobs on warm kernels; export and write in this (the main) thread."""
    from tqdm import tqdm

    pending: queue.Queue[_Job] = queue.Queue()
    for job in todo:
        pending.put(job)
    finished: queue.Queue[_Job | None] = queue.Queue()
    stop = threading.Event()
    kernel_errors: list[str] = []  # why a worker gave up (its kernel would not start)
    n_workers = min(jobs, len(todo))
    pdf = any(job.parameters.get("pdf_path") for job in todo)
    workers = [threading.Thread(target=_worker, name=f"report-kernel-{i}", daemon=True,
                                args=(pending, finished, stop, kernel_errors, template, notebook, timeout, pdf))
               for i in range(n_workers)]
    for w in workers:
        w.start()
    exporter = ReportExporter()
    seconds: list[float] = []
    done_workers = 0
    n_failed = 0
    bar = tqdm(total=len(todo), desc="reports", unit="report", file=sys.stderr, disable=not progress,
               dynamic_ncols=True, smoothing=0.1)
    try:
        while done_workers < n_workers:
            job = finished.get()
            if job is None:
                done_workers += 1
                continue
            _finish(job, exporter)
            if job.outcome.status == MADE:
                seconds.append(job.outcome.seconds)
            bar.update(1)
            if job.outcome.status == FAILED:
                n_failed += 1
                bar.set_postfix(failed=n_failed, refresh=False)
    except BaseException:
        stop.set()
        raise
    finally:
        bar.close()
        stop.set()
        for w in workers:
            w.join(timeout=30)
    # Jobs no worker could take (every kernel failed to start, or the batch
    # was interrupted) fail with the reason.
    reason = f"no report kernel could start: {kernel_errors[-1]}" if kernel_errors else "the batch was interrupted"
    while True:
        try:
            job = pending.get_nowait()
        except queue.Empty:
            break
        job.outcome.error = reason
    return seconds


def _worker(pending: queue.Queue, finished: queue.Queue, stop: threading.Event, kernel_errors: list[str],
            template: nbformat.NotebookNode, notebook: Path, timeout: float, pdf: bool) -> None:
    """One kernel's thread: take jobs until there are none left (or the kernel cannot be started)."""
    kernel = WarmKernel(KERNEL_NAME, cwd=notebook.parent, pdf=pdf)
    try:
        try:
            kernel.start()
        except KernelDied as exc:
            kernel_errors.append(str(exc))  # the other workers take the jobs, if any can
            return
        while not stop.is_set():
            try:
                job = pending.get_nowait()
            except queue.Empty:
                return
            _execute_job(kernel, job, template, notebook, timeout)
            finished.put(job)
            if job.error is not None and job.nb is None:  # dead, hung or not clean: a fresh kernel
                try:
                    kernel.restart()
                except KernelDied as exc:
                    kernel_errors.append(str(exc))
                    return
    finally:
        kernel.shutdown()
        finished.put(None)


def _execute_job(kernel: WarmKernel, job: _Job, template: nbformat.NotebookNode, notebook: Path,
                 timeout: float) -> None:
    began = time.perf_counter()
    nb = copy.deepcopy(template)
    nb = parameterize_notebook(nb, job.parameters, kernel_name=KERNEL_NAME, language="python",
                               engine_name=ENGINE_NAME)
    nb = prepare_notebook_metadata(nb, str(notebook), str(job.outcome.paths.ipynb))
    nb = remove_error_markers(nb)
    try:
        job.nb = kernel.execute(nb, timeout=timeout)
    except PapermillExecutionError as exc:  # the notebook raised: the kernel is fine
        job.error = _cause(exc)
        job.nb = getattr(exc, "notebook", None)
    except Exception as exc:  # the kernel died, hung or could not be reset: it gets replaced
        job.error = _cause(exc)
        job.nb = None
    job.outcome.seconds = time.perf_counter() - began


def _finish(job: _Job, exporter: ReportExporter) -> None:
    """Write one executed report (main thread): notebook, HTML, fingerprint; or record the failure."""
    outcome, paths = job.outcome, job.outcome.paths
    assert paths is not None
    if job.error is not None:
        outcome.status = FAILED
        outcome.error = job.error
        try:
            if job.nb is not None:  # keep the failed notebook for whoever investigates
                _write_notebook(paths.error_ipynb, job.nb)
            elif paths.error_ipynb.exists():  # from an earlier failure: not this one's
                paths.error_ipynb.unlink()
        except OSError:
            pass
        return
    try:
        _write_notebook(paths.ipynb, job.nb)
        page = exporter.export(job.nb, title=f"Career progress report: {outcome.name} ({outcome.employee_id})")
        atomic_write_bytes(paths.html, page.encode("utf-8"), durable=False)
        atomic_write_bytes(paths.stamp, (job.fingerprint + "\n").encode("utf-8"), durable=False)
        if paths.error_ipynb.exists():
            paths.error_ipynb.unlink()
    except Exception as exc:  # disk full, permissions: this report fails, the batch goes on
        outcome.status = FAILED
        outcome.error = f"could not write the report: {type(exc).__name__}: {exc}"
        return
    outcome.status = MADE
    outcome.error = None
