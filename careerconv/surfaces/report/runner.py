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
  :mod:`careerconv.surfaces.report.source`), and every report checks that all the
  records it reads belong to its employee.
* **in-process glue**: the parameter injection (papermill's
  ``parameterize_notebook``), the notebook writing and the HTML export (a
  :class:`~careerconv.surfaces.report.html_export.ReportExporter` reused report after
  report) run in the process driving the kernel, with no subprocess per report.
* **one code path per report**: :class:`ReportMaker` makes one employee's
  report from start to end, in two stages: :meth:`ReportMaker.execute` (the
  skip check, the execution on its warm kernel) and :func:`write_report`
  (the HTML export and the writing of the files). Executors only decide
  where makers run: :class:`LocalExecutor` runs ``jobs`` of them on threads
  of this process (``--jobs``), the Dask executor
  (:mod:`careerconv.surfaces.report.dask_executor`) one per thread of each Dask
  worker (``--dask``); a batch can also be split into shards that any
  scheduler runs as independent commands (:mod:`careerconv.surfaces.report.shards`,
  ``--shard I/N``).
* **parallel**: each kernel is driven by its own thread; with ``--jobs``
  the main thread exports and writes files while the kernels compute.
* **incremental**: a report is skipped when its fingerprint (the bytes of the
  employee's record files and roster row, the notebook, the report code and the
  parameters but the paths) equals the one stored with the last report
  (:mod:`careerconv.surfaces.report.stamp`). A report skipped after its folders moved
  has its notebook rewritten (no kernel) to name where they are now.
* **failures stay contained**: an employee whose notebook fails is recorded
  with the cause (the exception raised in the notebook, e.g. which file is
  damaged) and the batch goes on; a kernel that dies or hangs is restarted.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import importlib.util
import json
import logging
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field, replace
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

from careerconv import __version__
from careerconv.records import config
from careerconv.records import leavers
from careerconv.records import schema
from careerconv.records.dates import human_date
from careerconv.records.schema import DEPARTMENT, EMPLOYEE_ID, LEFT_ON, STARTED_ON
from careerconv.records.store import LOCK_STRIPES, NotFound, Store, atomic_write_bytes, buckets_of
from careerconv.surfaces.signals import signals_held
from .claims import Claim, cannot_claim, claim, claim_index
from .content import parse_as_of, parse_horizons
from .html_export import ReportExporter
from .index import (EARLIER, EARLIER_TODAY, FAILED, MADE, OTHER_BATCH, UNCHANGED, IndexEntry, index_html,
                    listed_on_page, not_started_on_page, not_started_words, write_index_file)
from .paths import ReportPaths, report_paths
from .shards import (Shard, ShardIndex, batch_digest, read_shard_index, report_settings, shard_index_paths,
                     write_shard_index)
from .source import data_fingerprint, record_files, with_coach_name
from .stamp import Stamp, made_beside, read_stamp, stamp_text

__all__ = [
    "NOTEBOOK",
    "ENGINE_NAME",
    "BatchProgress",
    "BatchResult",
    "BatchSettings",
    "ERASED",
    "KernelDied",
    "LocalExecutor",
    "ReportJob",
    "ReportMaker",
    "ReportOutcome",
    "ReportPaths",
    "ReportRequest",
    "STOP_SIGNALS",
    "WarmKernel",
    "WarmKernelEngine",
    "code_digest",
    "failed_outcome",
    "plan_report",
    "report_paths",
    "run_batch",
    "write_report",
]

NOTEBOOK = config.NOTEBOOKS_DIR / "progress_report.ipynb"
ENGINE_NAME = "careerconv-warm-kernel"
KERNEL_NAME = "python3"
DEFAULT_TIMEOUT = 300  # seconds per notebook cell
# The status of someone erased before or while their batch ran: nothing about them is written, and the index leaves
# them out.
ERASED = "erased"
# Bump when the way reports are made changes in a way the fingerprint does not see.
RUNNER_VERSION = 1

# Modules whose code decides what a report shows, by dotted name: a change to
# any of them makes every report out of date.
_REPORT_CODE = (
    "careerconv.surfaces.report.content",
    "careerconv.surfaces.report.render",
    "careerconv.surfaces.report.pdf",
    "careerconv.surfaces.report.source",
    "careerconv.surfaces.report.html_export",
    "careerconv.rules.progress",
    "careerconv.views.plots",
    "careerconv.rules.cadence",
    "careerconv.records.tables",
    "careerconv.records.schema",
    "careerconv.records.store",
)

# Imported once per warm kernel; a small chart is drawn so fonts are loaded too.
# Text columns are stored as Python strings rather than in Arrow: a report's
# frames hold a few dozen rows, where Arrow's per-call overhead dominates
# (measured: a third less time to compute a report's content, same output to
# the byte on the sample organisation).
_WARMUP = """\
import pandas as _pd
_pd.set_option("mode.string_storage", "python")
del _pd
import careerconv.surfaces.report
import careerconv.surfaces.report.kernel
import careerconv.views.plots
import careerconv.rules.progress
import careerconv.rules.cadence
import matplotlib.backends.backend_agg
from matplotlib.figure import Figure as _Figure
import io as _io
_f = _Figure(figsize=(2, 1))
_f.add_subplot().set_title("warm-up 0123456789")
_f.savefig(_io.BytesIO(), format="png")
_f.savefig(_io.BytesIO(), format="svg")
del _f, _Figure, _io
"""
_WARMUP_PDF = "import careerconv.surfaces.report.pdf\n"
# Everything loaded while warming up lives as long as the kernel: move it out
# of the collector's sight, so the full collections during reports stay cheap.
_FREEZE = "__import__('gc').freeze()\n"
# Run before every report; binds no name (see careerconv.surfaces.report.kernel).
_RESET = ('__import__("careerconv.surfaces.report.kernel", fromlist=["_"])'
          '.reset_namespace(get_ipython(), collect={collect})')
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
_CLIENT_LOG = logging.getLogger("careerconv.surfaces.report.nbclient")
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
    warmup
        The code that imports what the notebooks need, run once when the kernel starts (default: the progress
        report's).
    """

    def __init__(self, kernel_name: str = KERNEL_NAME, cwd: str | os.PathLike | None = None,
                 pdf: bool = False, warmup: str = _WARMUP):
        self.kernel_name = kernel_name
        self.cwd = str(cwd) if cwd is not None else None
        self.pdf = pdf
        self.warmup = warmup
        self.km: AsyncKernelManager | None = None
        self.kc: Any = None
        self._log = tempfile.TemporaryFile(prefix="careerconv-kernel-")
        self._sockets = tempfile.TemporaryDirectory(prefix="careerconv-kernel-")
        self.reports_run = 0

    def start(self, timeout: float = 120) -> None:
        """Start the kernel, connect to it and import what the notebooks need (:attr:`warmup`).

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
            self.run_code(self.warmup + (_WARMUP_PDF if self.pdf else "") + _FREEZE, timeout=timeout)
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

    def kill(self) -> None:
        """Kill the kernel's process at once, from any thread (the thread driving it then finds it dead:
        :class:`KernelDied`); nothing happens before its process has started or once it has ended."""
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        if process is not None:
            process.kill()  # a process that has ended is not signalled (subprocess.Popen)

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


@dataclass
class ReportOutcome:
    """What happened to one employee of a batch.

    Attributes
    ----------
    employee_id, name, department
        Who (name and department from the roster; the id when not on it).
    status
        ``"made"``, ``"unchanged"`` (skipped: nothing changed since the last
        report) or ``"failed"``; ``"erased"`` for someone erased before or while the
        batch ran (then nothing was written, and the name is the id).
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
    status: str  # MADE, UNCHANGED, FAILED or ERASED
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
        The batch's index page (None when the batch had nobody to list and there was none).
    index_kept
        True when every report was unchanged (or nobody was left to list) and
        the day's index page was left as the batch that made them wrote it.
    seconds
        Wall time of the whole batch (kernel start-up included).
    report_seconds
        Per report made, the time it took on its kernel.
    erased
        How many employees of the batch were erased while it ran: nothing
        about them was written, and they are in neither ``outcomes`` nor the
        index page.
    erased_before
        The ids asked for that had been erased before the batch, with the day
        of their erasure: no report, and they are in neither ``outcomes`` nor
        the index page either.
    unshared
        Why the batch could not claim its reports (:func:`.claims.cannot_claim`): a batch started beside it then
        made the same reports again. Empty when it could.
    not_started
        For a batch of the whole roster, the start days of the people on it it left out because they have not
        started yet on its day, earliest first (their reports are made from that day on). The index says so after
        any batch, of those it does not list.
    """

    outcomes: list[ReportOutcome]
    index_path: Path | None
    seconds: float
    report_seconds: list[float] = field(default_factory=list)
    index_kept: bool = False
    erased: int = 0
    erased_before: dict[str, str] = field(default_factory=dict)
    unshared: str = ""  # why this batch could not claim its reports (:mod:`.claims`; "" when it could)
    not_started: tuple[dt.date, ...] = ()

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


# ---------------------------------------------------------------------------
# one employee's report: the one code path every executor calls


@dataclass(frozen=True)
class BatchSettings:
    """What every report of one batch shares; sent once to each Dask worker.

    Built by :func:`run_batch` after it has checked the arguments; paths are
    absolute, so every machine that sees the same folders at the same paths
    (a shared filesystem) makes the same report.

    Attributes
    ----------
    data_dir, reports_dir
        The data folder and the reports folder.
    as_of
        The report date.
    parameters
        The notebook parameters every report shares (``data_dir``, ``as_of``,
        ``horizons``, ``figure_format``, ``dpi``).
    notebook
        The report notebook (its folder is the kernel's working directory).
    code
        Digest of the notebook and of the report code (part of every fingerprint).
    pdf, force, timeout
        As for :func:`run_batch`.
    batch
        A name of this batch alone, stored with each report it makes: a report current when the batch comes to it
        was made by it if it holds this name (a Dask worker lost after writing a report but before answering has
        its task run again elsewhere), else by an earlier batch or one running beside it (:mod:`.claims`).
    """

    data_dir: Path
    reports_dir: Path
    as_of: dt.date
    parameters: dict[str, Any]
    notebook: Path
    code: str
    pdf: bool = False
    force: bool = False
    timeout: float = DEFAULT_TIMEOUT
    batch: str = ""  # this batch, written beside the fingerprint of each report it makes (none: not written)


@dataclass(frozen=True)
class ReportRequest:
    """One employee of a batch: the id, and their roster row as text (None when not on the roster), or then
    what the roster has in its place (:meth:`careerconv.records.store.Store.case_hint`) and the day they were
    erased from the data folder, if they were (:meth:`careerconv.records.store.ErasedIds.erased_on`)."""

    employee_id: str
    roster_row: dict[str, str | None] | None = None
    case_hint: str = ""
    erased_on: str | None = None


@dataclass
class ReportJob:
    """One employee's report between its two stages: executed (or settled without a kernel), not yet written.

    ``settled`` is true when nothing is left to write: the report is
    unchanged, or it could not be run (``outcome.error`` says why).
    ``pdf_fingerprint`` is the fingerprint the same report would have with a
    PDF: a PDF of the day left by an earlier batch shows this report's data
    only if that batch's fingerprint was this one. ``named`` is what the
    notebook names in its papermill parameters and metadata (the folders,
    as this batch sees them). ``repoint`` is true for a current report whose
    kept notebook names other folders (they moved): it is rewritten, with
    no kernel, to name ``named``.
    """

    outcome: ReportOutcome
    parameters: dict[str, Any]
    fingerprint: str
    pdf_fingerprint: str = ""
    nb: nbformat.NotebookNode | None = None
    error: str | None = None
    settled: bool = False
    batch: str = ""  # the batch's name, stored with the fingerprint (BatchSettings.batch)
    claim: Claim | None = None  # this batch's claim on the report, let go once it is written (:mod:`.claims`)
    named: dict[str, str] = field(default_factory=dict)
    repoint: bool = False


def code_digest(notebook: Path) -> str:
    """The digest of the report code a batch runs: the runner's version, careerconv's, ``notebook``'s bytes and the
    source of every report module (read, not imported). A report made with other code is made again; a Dask worker
    whose digest differs from its client's refuses the batch's tasks.

    Raises
    ------
    OSError
        If the notebook or a report module cannot be read.
    """
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"runner {RUNNER_VERSION} careerconv {__version__}".encode())
    digest.update(notebook.read_bytes())
    for name in _REPORT_CODE:
        source = importlib.util.find_spec(name).origin  # the file, without importing the module
        digest.update(name.encode() + Path(source).read_bytes())
    return digest.hexdigest()


def _fingerprint(code: str, parameters: dict[str, Any], data: str) -> str:
    """What a report is made from: the report code, the parameters and ``data`` (:func:`data_fingerprint`).

    Where the files are is left out (the PDF's path, whether there is one aside, and the data folder's path):
    ``data`` stands for everything the report reads from the data folder, so the same folder moved, or mounted at
    another path on another machine of a batch, finds its reports current (found: each one made again).
    """
    shown = {k: v for k, v in parameters.items() if k not in ("pdf_path", "data_dir")}
    shown["pdf"] = bool(parameters.get("pdf_path"))
    blob = json.dumps({"code": code, "parameters": shown, "data": data}, sort_keys=True)
    return hashlib.blake2b(blob.encode(), digest_size=20).hexdigest()


def _stored_fingerprint(paths: ReportPaths) -> str | None:
    """The fingerprint stored with the last report of the day (None when there is none)."""
    stamp = read_stamp(paths.stamp)
    return stamp.fingerprint if stamp else None


def _is_current(paths: ReportPaths, stamp: Stamp | None, fingerprint: str, pdf: bool) -> bool:
    if stamp is None:
        return False
    outputs = [paths.ipynb, paths.html] + ([paths.pdf] if pdf else [])
    return stamp.fingerprint == fingerprint and all(p.exists() for p in outputs)


def _named(parameters: dict[str, Any], notebook: Path, paths: ReportPaths) -> dict[str, str]:
    """The paths a report's notebook names: its folders in the papermill parameters, the notebook it was made from
    and itself in papermill's metadata."""
    return {"data_dir": str(parameters["data_dir"]), "pdf_path": str(parameters["pdf_path"]),
            "input_path": str(notebook), "output_path": str(paths.ipynb)}


def _parameterize(nb: nbformat.NotebookNode, parameters: dict[str, Any], named: dict[str, str]
                  ) -> nbformat.NotebookNode:
    """``nb`` with papermill's cell of injected ``parameters`` (in place of one it has) and papermill's metadata
    naming the notebook it is made from and its own path (``named``)."""
    nb = parameterize_notebook(nb, parameters, kernel_name=KERNEL_NAME, language="python", engine_name=ENGINE_NAME)
    return prepare_notebook_metadata(nb, named["input_path"], named["output_path"])


def _cause(exc: BaseException) -> str:
    if isinstance(exc, PapermillExecutionError):
        return f"{exc.ename}: {exc.evalue}".strip()
    return f"{type(exc).__name__}: {exc}" if not isinstance(exc, KernelDied) else str(exc)


def _write_notebook(path: Path, nb: nbformat.NotebookNode) -> None:
    atomic_write_bytes(path, nbformat.writes(nb).encode("utf-8"), durable=False)


def failed_outcome(settings: BatchSettings, request: ReportRequest, error: str) -> ReportOutcome:
    """The outcome of an employee whose report could not be made at all (e.g. no kernel would start)."""
    row = request.roster_row or {}
    try:
        paths = report_paths(settings.reports_dir, request.employee_id, settings.as_of)
    except ValueError:
        paths = None
    return ReportOutcome(request.employee_id, row.get("name") or request.employee_id, row.get(DEPARTMENT) or "",
                         FAILED, paths, error)


def plan_report(settings: BatchSettings, request: ReportRequest) -> tuple[ReportOutcome, ReportJob | None]:
    """Decide what to do for one employee, without a kernel: skip, fail, or a job to run.

    Returns
    -------
    tuple
        The employee's outcome, and the job to execute (None when the report
        is unchanged, or cannot be made: the outcome then says why; a job
        to write without a kernel, ``repoint``, when the report is unchanged
        but its notebook names folders that moved).
    """
    eid = request.employee_id
    row = request.roster_row or {}
    outcome = ReportOutcome(eid, row.get("name") or eid, row.get(DEPARTMENT) or "", FAILED)
    try:
        paths = report_paths(settings.reports_dir, eid, settings.as_of)
    except ValueError as exc:
        outcome.error = f"not a valid employee id: {exc}"
        return outcome, None
    outcome.paths = paths
    if request.roster_row is None and not record_files(settings.data_dir, eid):
        if request.erased_on:  # asked for by name after their erasure: nothing is written about them
            _forget(outcome)
            return outcome, None
        outcome.error = f"employee {eid!r} is not on the roster and has no records{request.case_hint}"
        return outcome, None
    parameters = {EMPLOYEE_ID: eid, **settings.parameters, "pdf_path": str(paths.pdf) if settings.pdf else ""}
    data = data_fingerprint(settings.data_dir, eid, row)
    fingerprint = _fingerprint(settings.code, parameters, data)
    named = _named(parameters, settings.notebook, paths)
    stamp = read_stamp(paths.stamp)
    if not settings.force and _is_current(paths, stamp, fingerprint, settings.pdf):
        # Current already: unchanged, unless this batch made it (a Dask worker lost after writing the report
        # but before answering has its task run again elsewhere).
        outcome.status = MADE if settings.batch and stamp.batch == settings.batch else UNCHANGED
        if stamp.named == named:
            return outcome, None
        # Its folders moved (or the notebook names them as an earlier version did): rewrite the notebook alone.
        return outcome, ReportJob(outcome, parameters, fingerprint, batch=settings.batch, named=named, repoint=True)
    return outcome, ReportJob(outcome, parameters, fingerprint,
                              _fingerprint(settings.code, {**parameters, "pdf_path": str(paths.pdf)}, data),
                              batch=settings.batch, named=named)


class ReportMaker:
    """Makes one employee's report after another on one warm kernel.

    The one code path for "make this employee's report", in two stages:
    :meth:`execute` (the skip check by fingerprint, then the papermill
    execution on the warm kernel) and :func:`write_report` (the export to
    HTML and the writing of the files). :meth:`make` runs both, as a Dask
    task does (one maker per worker thread,
    :mod:`careerconv.surfaces.report.dask_executor`); the local executor (``--jobs``)
    runs :meth:`execute` on one thread per kernel and writes in its main
    thread, so a kernel starts its next report while the last one is written.

    Every method must be called from one and the same thread (the kernel
    client is bound to it). The kernel is started on the first report that
    needs it (an incremental batch of unchanged reports starts none), and
    replaced before the next report after one that killed or hung it.

    Parameters
    ----------
    settings
        The batch.
    template
        The report notebook as loaded by papermill (parameterised per report).
    """

    def __init__(self, settings: BatchSettings, template: nbformat.NotebookNode):
        self.settings = settings
        self.template = template
        self.kernel = WarmKernel(KERNEL_NAME, cwd=settings.notebook.parent, pdf=settings.pdf)
        self._exporter: ReportExporter | None = None  # made on the first make(): execute() needs none
        self._store = Store(settings.data_dir, recover=False)  # asked, before writing, who is still held
        self._state = "new"  # "new", "ready" or "replace"

    def start(self) -> None:
        """Start (or replace) the kernel now rather than on the first report.

        Raises
        ------
        KernelDied
            If the kernel does not start.
        """
        if self._state == "replace":
            self.kernel.restart()
        elif self._state == "new":
            self.kernel.start()
        self._state = "ready"

    def make(self, request: ReportRequest) -> ReportOutcome:
        """Make one employee's report (or skip it when unchanged), and write its files.

        Returns
        -------
        ReportOutcome
            Made, unchanged, or failed with the cause (the notebook's
            exception, a dead or hung kernel, a write error). A failed
            notebook is kept as ``progress-<date>.error.ipynb``.

        Raises
        ------
        KernelDied
            If no kernel could be started: nothing was made for this employee
            and the request can go to another maker.
        """
        if self._exporter is None:  # first: one that cannot be made leaves no claim held
            self._exporter = ReportExporter()
        job = self.execute(request)
        return write_report(job, self._exporter, self._store)

    def execute(self, request: ReportRequest, wait: bool = True) -> ReportJob | None:
        """The first stage of :meth:`make`: the skip check, then the execution on this maker's kernel, with the
        batch's claim on the report (:mod:`.claims`, let go by :func:`write_report`).

        The skip check is made under the claim: a report another batch was making is current once it lets go.

        Returns
        -------
        ReportJob or None
            For :func:`write_report`; None, without ``wait``, if another batch is making the report right now.

        Raises
        ------
        KernelDied
            If no kernel could be started (see :meth:`make`).
        """
        held = claim(self.settings.reports_dir, request.employee_id, wait=wait)
        if held is None:
            return None
        try:
            outcome, job = plan_report(self.settings, request)
            if job is None:
                held.release()
                return ReportJob(outcome, {}, "", settled=True)
            if job.repoint:  # no kernel: write_report rewrites the kept notebook
                job.claim = held
                return job
            self.start()
            _execute_job(self.kernel, job, self.template, self.settings.timeout)
        except BaseException:
            held.release()
            raise
        job.claim = held
        if job.error is not None and job.nb is None:  # dead, hung or not clean: a fresh kernel next time
            self._state = "replace"
        return job

    def shutdown(self) -> None:
        """Stop the kernel and release its files."""
        self.kernel.shutdown()


class BatchProgress:
    """The batch's progress bar on stderr (with an ETA and the number failed), fed one outcome at a time."""

    def __init__(self, total: int, enabled: bool = True):
        from tqdm import tqdm

        self._failed = 0
        self._bar = tqdm(total=total, desc="reports", unit="report", file=sys.stderr, disable=not enabled,
                         dynamic_ncols=True, smoothing=0.1)

    def done(self, outcome: ReportOutcome) -> None:
        """Count one employee's final outcome."""
        self._bar.update(1)
        if outcome.status == FAILED:
            self._failed += 1
            self._bar.set_postfix(failed=self._failed, refresh=False)

    def close(self) -> None:
        """Finish the bar (its last line stays on stderr)."""
        self._bar.close()


# ---------------------------------------------------------------------------
# executors: who runs the ReportMakers


class LocalExecutor:
    """``jobs`` warm kernels on this machine, each driven by its own thread running a :class:`ReportMaker`.

    The threads execute reports (:meth:`ReportMaker.execute`); this thread
    writes them (:func:`write_report`) while the kernels go on to the next.

    Raises
    ------
    ValueError
        If ``jobs`` is not a whole number >= 1.
    """

    def __init__(self, jobs: int | None = None):
        if jobs is None:
            jobs = os.cpu_count() or 1
        if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
            raise ValueError(f"jobs must be a whole number >= 1, got {jobs!r}")
        self.jobs = jobs

    def run(self, settings: BatchSettings, template: nbformat.NotebookNode, requests: Sequence[ReportRequest],
            progress: bool) -> list[ReportOutcome]:
        """Every request's outcome, in the order of ``requests``."""
        pending: queue.Queue[tuple[int, ReportRequest]] = queue.Queue()
        for item in enumerate(requests):
            pending.put(item)
        finished = _Handoff()
        kernel_errors: list[str] = []  # why a worker gave up (its kernel would not start)
        n_workers = min(self.jobs, len(requests))
        workers = [threading.Thread(target=_local_worker, name=f"report-kernel-{i}", daemon=True,
                                    args=(settings, template, pending, finished, kernel_errors))
                   for i in range(n_workers)]
        for w in workers:
            w.start()
        outcomes: list[ReportOutcome | None] = [None] * len(requests)
        bar = BatchProgress(len(requests), progress)
        exporter = ReportExporter()
        store = Store(settings.data_dir, recover=False)
        done_workers = 0
        try:
            while done_workers < n_workers:
                item = finished.take()
                if item is None:
                    done_workers += 1
                    continue
                i, job = item
                outcomes[i] = write_report(job, exporter, store)
                bar.done(outcomes[i])
        finally:
            bar.close()
            finished.close()
            for w in workers:
                w.join(timeout=30)
        # Requests no worker took (every kernel failed to start, or the batch was
        # interrupted): unchanged ones are still unchanged; the others fail with the reason.
        reason = f"no report kernel could start: {kernel_errors[-1]}" if kernel_errors else "the batch was interrupted"
        while True:
            try:
                i, request = pending.get_nowait()
            except queue.Empty:
                break
            outcome, job = plan_report(settings, request)
            if job is not None and not job.repoint:
                outcome.error = reason
            outcomes[i] = outcome
        return [o if o is not None else failed_outcome(settings, r, "the batch was interrupted")
                for o, r in zip(outcomes, requests)]


class _Handoff:
    """Executed reports passed from the kernels' threads to the thread that writes them, until :meth:`close`.

    Once closed (the batch ended, or stopped: Ctrl-C, an error), every claim on a report handed over and not written
    is let go, and so is the claim of a report handed over later (a kernel was still executing it): the process
    goes on holding none (found: Ctrl-C on a batch in a JupyterLab kernel left the claims of reports executed but
    not yet written, and the same batch run again in that kernel waited on them for ever). A claim let go twice is
    let go once (:meth:`.claims.Claim.release`), so one written meanwhile is left as it is.
    """

    def __init__(self) -> None:
        self._queue: queue.Queue[tuple[int, ReportJob] | None] = queue.Queue()
        self._lock = threading.Lock()  # a report is handed over, or its claim let go, never both
        self._claims: list[Claim] = []
        self.closed = False

    def give(self, i: int, job: ReportJob) -> None:
        """Hand over the executed report of request ``i`` (from a kernel's thread); once closed, let go of it."""
        with self._lock:
            if not self.closed:
                if job.claim is not None:
                    self._claims.append(job.claim)
                self._queue.put((i, job))
                return
        if job.claim is not None:
            job.claim.release()

    def worker_done(self) -> None:
        """Say that a kernel's thread has ended (:meth:`take` returns None for it)."""
        self._queue.put(None)

    def take(self) -> tuple[int, ReportJob] | None:
        """The next report handed over (waits for it), or None for a kernel's thread that ended."""
        return self._queue.get()

    def close(self) -> None:
        """Take no more reports, and let go of every claim on one handed over (those written are let go already)."""
        with self._lock:
            self.closed = True
        for held in self._claims:
            held.release()


def _local_worker(settings: BatchSettings, template: nbformat.NotebookNode, pending: queue.Queue,
                  finished: _Handoff, kernel_errors: list[str]) -> None:
    """One kernel's thread: execute reports until there are none left, no kernel can be started, or the batch
    has stopped (``finished`` is closed).

    A report that another batch is making (:mod:`.claims`) is put after the others; when nothing else is left, the
    thread waits for it.
    """
    maker = ReportMaker(settings, template)
    put_back = 0  # reports put back in a row, since one was taken
    try:
        while not finished.closed:
            try:
                i, request = pending.get_nowait()
            except queue.Empty:
                return
            try:
                job = maker.execute(request, wait=pending.empty())
            except KernelDied as exc:
                kernel_errors.append(str(exc))
                pending.put((i, request))  # another worker takes it, if any can
                return
            if job is None:  # another batch is making it: the others first
                pending.put((i, request))
                put_back += 1
                if put_back > pending.qsize():  # every one left is being made elsewhere: not round and round
                    time.sleep(0.2)
                continue
            put_back = 0
            finished.give(i, job)
    finally:
        maker.shutdown()
        finished.worker_done()


# ---------------------------------------------------------------------------
# the batch


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
    shard: Shard | None = None,
    executor: Any = None,
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
        Kernels working in parallel on this machine (default: the number of
        CPU cores); not used with another ``executor``.
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
    shard
        Make only this shard's share of the employees (see
        :mod:`careerconv.surfaces.report.shards`); the index is then the shard's,
        ``index-<as_of>.shard-I-of-N.json`` and ``.html``, for
        :func:`careerconv.surfaces.report.shards.merge_shard_indexes`.
    executor
        Who runs the reports: an object with ``run(settings, template,
        requests, progress)`` returning one :class:`ReportOutcome` per
        request in order, such as
        :class:`careerconv.surfaces.report.dask_executor.DaskExecutor`; default a
        :class:`LocalExecutor` of ``jobs`` kernels.

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
    careerconv.records.schema.ValidationError
        If the roster is invalid.
    """
    started = time.perf_counter()
    began = dt.datetime.now(dt.timezone.utc)
    data = Path(data_dir).resolve()
    if not data.is_dir():
        raise FileNotFoundError(f"data folder {data} does not exist")
    day = parse_as_of(as_of).date()
    hz = list(parse_horizons(horizons))
    if figure_format not in ("png", "svg"):
        raise ValueError(f"figure format must be png or svg, got {figure_format!r}")
    if isinstance(dpi, bool) or not isinstance(dpi, int) or not 30 <= dpi <= 600:
        raise ValueError(f"dpi must be a whole number from 30 to 600, got {dpi!r}")
    if executor is None:
        executor = LocalExecutor(jobs)
    if shard is not None and not isinstance(shard, Shard):
        raise ValueError(f"shard must be a careerconv.surfaces.report.shards.Shard, got {shard!r}")
    notebook = Path(notebook).resolve()
    if not notebook.is_file():
        raise FileNotFoundError(f"report notebook {notebook} does not exist")
    out_root = Path(reports_dir).resolve()
    _check_writable(out_root)

    store = Store(data)
    # A stop is taken once the roster is read: pandas drops one that comes while it reads, which the store then
    # raises as a Ctrl-C (Store._roster_frame), so a SIGTERM would be said to be one; held, each is said as it came.
    with pd.option_context("mode.string_storage", "python"), signals_held(*STOP_SIGNALS):  # see _WARMUP
        roster = {r[EMPLOYEE_ID]: r for r in store.roster().to_dict("records")}
    starting = _start_days_after(roster, day)  # the index says how many of them have no report, and from when
    if employee_ids is None:
        # Everyone here on the report's day: a leaver's report, or a future starter's, is made only when asked for
        # by id, and then kept current by every later batch of that day (see _has_report_of).
        ids = [eid for eid, row in roster.items()
               if leavers.person_is_here(row, day) or _has_report_of(out_root, eid, day)] if roster else \
            store.employees_with_records()
        if roster and not ids:
            raise ValueError(f"no employees to report on: everyone on the roster of {data} had left by "
                             f"{day.isoformat()} or starts after it (name one to make their report)")
    else:
        ids = list(dict.fromkeys(employee_ids))
    if not ids:
        raise ValueError(f"no employees to report on: the roster of {data} is empty and there are no records")
    if data == out_root / data.name and data.name in ids:
        # found by a hostile test: `report data -o X` wrote the report of employee "data" into the data folder X/data
        raise ValueError(f"the report folder of employee {data.name!r} would be the data folder {data}, which holds "
                         "only records: choose a reports folder that does not hold the data folder (-o)")
    positions = {eid: i for i, eid in enumerate(ids)}
    if shard is not None:
        ids = shard.select(ids)

    template = load_notebook_node(str(notebook))
    declared = set(inspect_notebook(str(notebook)))
    base_parameters = {"data_dir": str(data), "as_of": day.isoformat(), "horizons": hz,
                       "figure_format": figure_format, "dpi": dpi}
    unknown = (set(base_parameters) | {EMPLOYEE_ID, "pdf_path"}) - declared
    if unknown:
        raise ValueError(f"{notebook} has no parameter(s) {', '.join(sorted(unknown))}; "
                         f"its parameters cell declares: {', '.join(sorted(declared)) or 'none'}")
    settings = BatchSettings(data, out_root, day, base_parameters, notebook, code_digest(notebook), pdf=pdf,
                             force=force, timeout=timeout, batch=uuid.uuid4().hex)
    erased_ids = store.erased_ids()
    requests = [ReportRequest(eid, _as_text(with_coach_name(roster[eid], roster))) if eid in roster else
                ReportRequest(eid, None, store.case_hint(eid), erased_ids.erased_on(eid)) for eid in ids]
    erased_before = {r.employee_id: r.erased_on for r in requests if r.erased_on}
    held = {r.employee_id for r in requests if still_held(store, r.employee_id)}
    unshared = cannot_claim(out_root) if requests else ""
    outcomes = executor.run(settings, template, requests, progress) if requests else []

    index_path = (out_root / f"index-{day.isoformat()}.html" if shard is None
                  else shard_index_paths(out_root, day, shard)[1])
    # Someone erased while the batch ran is left out of the index. The check and the writing happen under the
    # employees' locks: an erasure either came first (they are left out) or comes after and removes the index.
    # The folder is read for the index and the index written while no other batch does (:func:`.claims.claim_index`).
    with _employee_locks(store, held), claim_index(out_root):
        generated = dt.datetime.now()
        erased = {o.employee_id for o in outcomes
                  if o.status == ERASED or (o.employee_id in held and not still_held(store, o.employee_id))}
        outcomes = [o for o in outcomes if o.employee_id not in erased]
        entries = [IndexEntry(o.employee_id, o.name, o.department, o.status,
                              o.paths.html if o.paths and o.status != FAILED else None,
                              o.paths.pdf if o.paths and pdf and o.status != FAILED else None, o.error,
                              left_words(roster.get(o.employee_id), day))
                   for o in outcomes]
        if shard is None:  # the day's index lists every report of the day in the folder, not this batch's alone
            entries += _earlier_entries(roster, out_root, day, {o.employee_id for o in outcomes} | erased, pdf)
        entries = [_as_stamped(e, out_root, day, settings.batch, began, generated.astimezone()) for e in entries]
        listed_ids = {e.employee_id for e in entries}
        not_started = tuple(sorted(start for eid, start in starting.items() if eid not in listed_ids))
        # A rerun that made nothing and failed nothing has no news: the day's index
        # keeps the record of the batch that made the reports, if that batch was this one's employees (an index
        # left by a batch of other people, or listing a failure since mended, is written anew). So does a batch
        # left with nobody to list (everyone asked for was erased); without an index of the day it writes none.
        # A shard's index is kept only if it was made for this same whole batch, or the merge would refuse it.
        nobody = bool(requests) and not outcomes and shard is None
        batch = batch_digest(list(positions))
        made_with = report_settings(base_parameters, pdf, settings.code)
        listed = [o.employee_id for o in outcomes]
        kept = (nobody and index_path.exists()
                or bool(outcomes) and all(o.status == UNCHANGED for o in outcomes)
                and (_lists_only(index_path, listed, not_started) if shard is None
                     else _shard_lists_only(out_root, day, shard, batch, listed, not_started, made_with)))
        if nobody and not kept:
            index_path = None
        elif kept:
            pass
        elif shard is None:
            page = index_html(entries, as_of=day, folder=out_root, generated=generated, not_started=not_started)
            write_index_file(index_path, page)
        else:
            shard_index = ShardIndex(shard, day, generated,
                                     tuple((positions[e.employee_id], e) for e in entries),
                                     len(positions), batch, erased=len(erased), not_started=not_started,
                                     settings=made_with)
            index_path = write_shard_index(out_root, shard_index)[1]
    report_seconds = [o.seconds for o in outcomes if o.status == MADE]
    return BatchResult(outcomes, index_path, time.perf_counter() - started, report_seconds, index_kept=kept,
                       erased=len(erased - set(erased_before)),
                       erased_before={eid: day for eid, day in erased_before.items() if eid in erased},
                       unshared=unshared, not_started=not_started if employee_ids is None else ())


def _check_writable(folder: Path) -> None:
    """Make sure a file can be written in the reports folder before any report is made (found: a batch into a
    read-only or full folder made every report, then ended on its index with none written and no list of them).

    Raises
    ------
    OSError
        Naming the folder and why (:func:`careerconv.records.store.cannot_write`).
    """
    probe = folder / ".careerconv-write-check"
    try:
        atomic_write_bytes(probe, b"", durable=False)
        probe.unlink()
    except OSError as exc:
        error = OSError(f"no report was made, since the reports folder cannot be written: {exc}; choose another "
                        "reports folder with -o, or make room on its disk")
        error.errno = exc.errno
        raise error from None


def _has_report_of(reports_dir: Path, employee_id: str, day: dt.date) -> bool:
    """Whether ``reports_dir`` holds a report of ``day`` for this employee. A batch of the whole roster keeps such a
    report current also for someone not here on that day (found by a hostile test: E0057's report of 1 Oct, made
    before the roster gave them a leaving day of 15 Sep, stayed on disk saying "Next career conversation 15 Sep
    2027 (scheduled)", and the merged index had no row for it): it is made again as the report of their last day,
    which says when they left, and the index marks them "left ...", as a report asked for by id after they left.
    Replacing it, rather than deleting it, keeps the report the employee may have been sent, now true."""
    try:
        return report_paths(reports_dir, employee_id, day).html.is_file()
    except ValueError:  # an id that cannot name a folder has no report
        return False


def _earlier_entries(roster: dict[str, dict], reports_dir: Path, day: dt.date, skip: set[str],
                     pdf: bool) -> list[IndexEntry]:
    """The reports of the day already in ``reports_dir`` of the people on the roster not in ``skip`` (this batch's
    and anyone erased), made by an earlier batch: the day's index lists them too (found by a hostile test of the
    report batches: reporting on one employee replaced the index of the whole organisation's batch, the other
    29 reports left in the folder and off the page). A report of theirs that failed is listed as failed."""
    out = []
    for eid, row in roster.items():
        if eid in skip:
            continue
        try:
            paths = report_paths(reports_dir, eid, day)
        except ValueError:
            continue
        name, department = row.get("name") or eid, row.get(DEPARTMENT) or ""
        if paths.html.is_file():
            out.append(IndexEntry(eid, name, department, EARLIER, paths.html,
                                  paths.pdf if pdf and paths.pdf.is_file() else None, left=left_words(row, day)))
        elif paths.error_ipynb.is_file():
            out.append(IndexEntry(eid, name, department, FAILED,
                                  error=f"failed in an earlier batch of the day: see {paths.error_ipynb.name} in "
                                        "the employee's folder, or run their report again"))
    return out


def _as_stamped(entry: IndexEntry, reports_dir: Path, day: dt.date, batch: str, began: dt.datetime,
                now: dt.datetime) -> IndexEntry:
    """``entry`` as its report's stamp tells it (:mod:`.stamp`): made by this batch (``batch``, which began at
    ``began``), made by another batch since it began (one running beside it), or made earlier today, before it
    began (found: a plain rerun's index said "made today by another batch" of the reports the terminal called
    unchanged), each of which this batch found current; else as it was (unchanged since an earlier day, failed, or
    no stamp to read)."""
    if entry.status not in (MADE, UNCHANGED, EARLIER) or entry.html_path is None:
        return entry
    stamp = read_stamp(report_paths(reports_dir, entry.employee_id, day).stamp)
    if stamp is not None and batch and stamp.batch == batch:
        return replace(entry, status=MADE)
    if made_beside(stamp, batch, began, now):
        return replace(entry, status=OTHER_BATCH if stamp.made_at >= began else EARLIER_TODAY, made_at=stamp.made_at)
    return entry


def left_words(roster_row: dict | None, day: dt.date) -> str:
    """``"left 30 Jun 2026"`` for someone who had left by ``day`` (:mod:`careerconv.records.leavers`), ``"leaving
    6 Jan 2027"`` for someone whose leaving day is still to come (their report says it), else ""."""
    left_on = (roster_row or {}).get(LEFT_ON)
    left = leavers.left_day(left_on)
    if left is None:
        return ""
    return f"{'leaving' if leavers.is_here(left_on, day) else 'left'} {human_date(left)}"


def _start_days_after(roster: dict[str, dict], day: dt.date) -> dict[str, dt.date]:
    """The start day of each person on the roster who has not started yet on ``day`` (:mod:`careerconv.records.
    leavers`), by id."""
    return {eid: leavers.start_day(row.get(STARTED_ON)) for eid, row in roster.items()
            if leavers.is_here(row.get(LEFT_ON), day) and not leavers.person_is_here(row, day)}


def _lists_only(index_path: Path, employee_ids: list[str], not_started: tuple[dt.date, ...]) -> bool:
    """True when the index page at ``index_path`` lists exactly ``employee_ids``, none of them as failed, and says
    the same of who has not started yet."""
    listed = listed_on_page(index_path)
    return (listed is not None and set(listed) == set(employee_ids) and FAILED not in listed.values()
            and not_started_on_page(index_path) == not_started_words(not_started))


def _shard_lists_only(reports_dir: Path, day: dt.date, shard: Shard, batch: str, employee_ids: list[str],
                      not_started: tuple[dt.date, ...], made_with: dict[str, object]) -> bool:
    """True when the shard's index (the JSON the merge reads) is of the batch ``batch``, lists exactly
    ``employee_ids``, none of them as failed, holds the same start days of who has not started yet and the same
    settings ``made_with`` (:func:`.shards.report_settings`)."""
    try:
        index = read_shard_index(shard_index_paths(reports_dir, day, shard)[0])
    except ValueError:  # none, or damaged
        return False
    listed = {e.employee_id: e.status for _, e in index.entries}
    return (index.batch == batch and set(listed) == set(employee_ids) and FAILED not in listed.values()
            and index.not_started == not_started and index.settings == made_with)


def _as_text(row: dict[str, Any]) -> dict[str, str | None]:
    """A roster row with every value as text (None for a missing one), as fingerprints and reports see it."""
    return {k: (None if v is None or v != v else leavers.left_day(v).isoformat() if k in (LEFT_ON, STARTED_ON)
                else str(v))
            for k, v in row.items()}


def _execute_job(kernel: WarmKernel, job: ReportJob, template: nbformat.NotebookNode, timeout: float) -> None:
    began = time.perf_counter()
    nb = remove_error_markers(_parameterize(copy.deepcopy(template), job.parameters, job.named))
    try:
        job.nb = kernel.execute(nb, timeout=timeout)
    except PapermillExecutionError as exc:  # the notebook raised: the kernel is fine
        job.error = _cause(exc)
        job.nb = getattr(exc, "notebook", None)
    except Exception as exc:  # the kernel died, hung or could not be reset: it gets replaced
        job.error = _cause(exc)
        job.nb = None
    job.outcome.seconds = time.perf_counter() - began


def write_report(job: ReportJob, exporter: ReportExporter, store: Store) -> ReportOutcome:
    """The second stage of :meth:`ReportMaker.make`: write an executed report, or record its failure.

    Writes the executed notebook, its HTML (made by ``exporter``, which one
    thread at a time may use) and the fingerprint that lets the next batch
    skip it; a failed notebook is kept as ``progress-<date>.error.ipynb``.
    The files are written under the employee's lock in ``store`` (the data
    folder), and only while the data folder still holds them (:func:`still_held`):
    someone erased since the batch started gets nothing written, and an
    erasure that starts later finds, and removes, what was written.

    Returns
    -------
    ReportOutcome
        The employee's outcome (failed when a file cannot be written; erased
        when they were erased meanwhile).
    """
    try:
        if not job.settled:
            _finish(job, exporter, store)
    finally:
        if job.claim is not None:
            job.claim.release()
    return job.outcome


def _finish(job: ReportJob, exporter: ReportExporter, store: Store) -> None:
    outcome, paths = job.outcome, job.outcome.paths
    assert paths is not None
    if job.repoint:
        _repoint(job, store)
        return
    page = None
    if job.error is None:
        try:
            page = exporter.export(job.nb, title=f"Career progress report: {outcome.name} ({outcome.employee_id})")
        except Exception as exc:
            outcome.status = FAILED
            outcome.error = f"could not write the report: {type(exc).__name__}: {exc}"
            return
    with _employee_locks(store, [outcome.employee_id]):
        if not still_held(store, outcome.employee_id):
            _forget(outcome)
            return
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
        written: list[Path] = []
        try:
            # A PDF of the day that this batch does not write is kept only if it shows the same data.
            stale_pdf = (not job.parameters.get("pdf_path") and paths.pdf.exists()
                         and _stored_fingerprint(paths) != job.pdf_fingerprint)
            # Whole before a stopped batch ends (found: Ctrl-C that came between a report's page and its stamp left
            # a page the stop message counted as made, which the next run made again, as it had no stamp).
            with signals_held(*STOP_SIGNALS):
                _write_files(job, page, paths, stale_pdf, written)
        except Exception as exc:  # disk full, permissions: this report fails, the batch goes on
            outcome.status = FAILED
            # Said whole (found: "... nothing was written" beside a new notebook with no page): what this run
            # wrote before the failure, and that the next run makes the report again.
            done = f"; written before that: {', '.join(p.name for p in written)}" if written else ""
            outcome.error = (f"could not write the report: {type(exc).__name__}: {exc}{done}. The next run makes "
                             "it again")
            return
    outcome.status = MADE
    outcome.error = None


def _write_files(job: ReportJob, page: str, paths: ReportPaths, stale_pdf: bool, written: list[Path]) -> None:
    """Write an executed report's files: its notebook, its page, and last its stamp (the report is current only once
    all are written); then remove a failed notebook of an earlier run and a ``stale_pdf``. Each file written is
    appended to ``written``."""
    paths.stamp.unlink(missing_ok=True)  # until every file is written, the report is not current
    _write_notebook(paths.ipynb, job.nb)
    written.append(paths.ipynb)
    atomic_write_bytes(paths.html, page.encode("utf-8"), durable=False)
    written.append(paths.html)
    stamp = Stamp(job.fingerprint, job.batch, dt.datetime.now(dt.timezone.utc), job.named)
    atomic_write_bytes(paths.stamp, stamp_text(stamp).encode("utf-8"), durable=False)
    if paths.error_ipynb.exists():
        paths.error_ipynb.unlink()
    if stale_pdf:
        paths.pdf.unlink()


# The signals that stop a batch (Ctrl-C; SIGTERM, which the command makes stop it as Ctrl-C does).
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _repoint(job: ReportJob, store: Store) -> None:
    """Rewrite a current report's kept notebook to name the folders where they are now (``job.named``): its cell
    of injected parameters and papermill's metadata; its outputs, and when each cell ran, stay as they were. Under
    the employee's lock, while the data folder holds them (as :func:`_finish` writes)."""
    outcome, paths = job.outcome, job.outcome.paths
    with _employee_locks(store, [outcome.employee_id]):
        if not still_held(store, outcome.employee_id):
            _forget(outcome)
            return
        stamp = read_stamp(paths.stamp)
        if stamp is None:  # gone since the batch found the report current: the next run makes it again
            return
        try:
            nb = nbformat.read(paths.ipynb, as_version=4)
            at = [i for i, cell in enumerate(nb.cells) if "injected-parameters" in cell.metadata.get("tags", [])]
            ran = copy.deepcopy(nb.cells[at[0]]) if at else None
            nb = _parameterize(nb, job.parameters, job.named)
            if ran is not None:  # the same cell, as it ran, with the new text
                ran.source = nb.cells[at[0]].source
                nb.cells[at[0]] = ran
            _write_notebook(paths.ipynb, nb)
            atomic_write_bytes(paths.stamp, stamp_text(Stamp(stamp.fingerprint, stamp.batch, stamp.made_at,
                                                             job.named)).encode("utf-8"), durable=False)
        except Exception as exc:  # a damaged notebook, a full disk: the next run makes the report again
            with suppress(OSError):
                paths.stamp.unlink(missing_ok=True)
            outcome.status = FAILED
            outcome.error = (f"could not rewrite {paths.ipynb.name} to name the folders where they are now: "
                             f"{type(exc).__name__}: {exc}. The next run makes the report again")


def still_held(store: Store, employee_id: str) -> bool:
    """True while the data folder holds the employee: on the roster, or with records (erasure removes both,
    under the employee's lock). An unreadable roster counts as holding them (nothing can be erased then); an id
    that cannot be anyone's (no folder can be named after it) as not held."""
    try:
        store.employee(employee_id)
        return True
    except NotFound:
        try:
            return bool(store.record_files(employee_id))
        except ValueError:
            return False
    except schema.ValidationError:
        return True


def _forget(outcome: ReportOutcome) -> None:
    """Make ``outcome`` that of someone erased: nothing about them but the id is kept."""
    outcome.status = ERASED
    outcome.name = outcome.employee_id
    outcome.department = ""
    outcome.error = None
    outcome.paths = None


@contextmanager
def _employee_locks(store: Store, employee_ids: Iterable[str]):
    """Hold the locks of these employees (their stripes in order, so two holders never wait on each other).

    An erasure removes the roster row and records under the same lock, so
    what :func:`still_held` says inside stays true until the block ends. A
    data folder where no lock file can be made (read-only) is not locked: no
    erasure can run there either.
    """
    ids = list(employee_ids)
    firsts: dict[int, str] = {}  # a stripe, and one employee whose lock it is
    for stripe, eid in zip(buckets_of(ids, LOCK_STRIPES).tolist(), ids):
        firsts.setdefault(stripe, eid)
    with ExitStack() as stack:
        for stripe in sorted(firsts):
            try:
                stack.enter_context(store.lock(f"employee:{firsts[stripe]}"))
            except OSError as exc:
                if isinstance(exc, TimeoutError):  # filelock.Timeout: held too long by someone else
                    raise
                break
        yield
