"""Report batches on a Dask cluster: ``careerconv report --all --dask ADDRESS``.

One Dask task per employee runs the same :class:`~careerconv.surfaces.report.runner.ReportMaker`
as ``--jobs`` does on one machine (skip check, papermill execution on a warm
kernel, HTML export, files written), so a report made on the cluster is the
report one machine would have made.

* **warm kernels on every worker**: :class:`WarmKernelPlugin`, a Dask worker
  plugin registered for the batch, gives each worker one warm kernel per
  worker thread (started as the worker joins, kept across tasks, shut down
  when the batch ends). A kernel's client is bound to one thread, so each
  kernel is driven by a thread of its own; a task hands it the employee and
  waits for the outcome.
* **failure isolation**: a report that fails (its notebook raised, its kernel
  died or hung, the task raised, the worker was lost more often than Dask
  allows) is retried once, as a new task that may land on another worker;
  if it fails again it is reported with its cause and the batch goes on. A
  worker that dies mid-batch (killed, out of memory, its machine gone) is
  replaced by its nanny, and Dask reruns the reports it was making.
* **progress**: the bar counts task completions as they arrive.
* **shared filesystem**: every worker reads the data folder and writes the
  reports folder at the same paths as the client (a network filesystem such
  as NFS, or one machine); the batch checks this before it starts. The
  workers must run the same careerconv (same report code) as the client, and
  a task refuses to run otherwise.

``--dask local:N`` starts a local cluster of ``N`` worker processes (one
thread, so one kernel, each) to try it out on one machine. Its scheduler
listens on 127.0.0.1 only, with TLS and a certificate made for the batch
(so no other user of the machine can send it work), and it has no dashboard.
An existing cluster's own Dask configuration (``distributed.comm.tls.*``,
e.g. from ``DASK_DISTRIBUTED__COMM__TLS__…`` variables) says how to reach it
securely. Dask is an optional dependency: ``pip install 'careerconv[dask]'``.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from typing import Any

import nbformat

from careerconv.surfaces.batch_options import DaskTarget, parse_dask_target  # --dask, read without this module
from careerconv.surfaces.signals import signals_held

from .index import FAILED
from .local_workers import QuietLocalWorker, ctrl_c_blocked_for_new_workers
from .runner import (
    BatchProgress,
    BatchSettings,
    KernelDied,
    ReportMaker,
    ReportOutcome,
    ReportRequest,
    STOP_SIGNALS,
    code_digest,
    failed_outcome,
)

try:
    from distributed import WorkerPlugin as _WorkerPlugin
except ImportError:  # Dask is optional: DaskExecutor says what to install
    _WorkerPlugin = object

__all__ = ["DaskExecutor", "DaskTarget", "WarmKernelPlugin", "local_cluster", "make_report_task", "parse_dask_target",
           "remove_orphaned_plugins"]

ATTEMPTS = 2  # a failed report is retried once
WORKER_WAIT = 120  # seconds to wait for a first worker of an existing cluster
_CLOSING = 30  # seconds a worker waits for a report being written, then its kernel's shutdown, as the batch ends
# A local cluster has no dashboard to show what these collect: the workers'
# statistical profiler, the blocked-event-loop check every 20 ms and the memory
# polls every 100 ms only take CPU from the reports (measured on 2 cores: 8 % of
# the machine for an idle 2-worker cluster with Dask's defaults, 1 % with these).
LOCAL_CLUSTER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
    # Without a dashboard the scheduler and the workers still answer HTTP on 127.0.0.1, to anyone on the machine and
    # without a token: the workers, the tasks and the workers' logs (where a report's failure is written), metrics.
    # The batch reads none of it: they answer nothing.
    "distributed.scheduler.http.routes": [],
    "distributed.worker.http.routes": [],
}

# Without a dashboard the scheduler still serves HTTP (metrics, health), by default on port 8787, and when that is
# taken (another batch, any Dask dashboard on the machine) it warns on stderr "Port 8787 is already in use.
# Perhaps you already have a cluster running?": a port the system picks is never taken.
_SCHEDULER_HTTP = "127.0.0.1:0"


def _distributed():
    try:
        import distributed
    except ImportError:
        raise ValueError("--dask needs Dask's distributed scheduler, which is not installed: "
                         "pip install 'careerconv[dask]' (dask[distributed])") from None
    return distributed


def local_cluster(workers: int, *, secure: bool = True) -> Any:
    """A Dask ``LocalCluster`` of ``workers`` processes of one thread each, as ``--dask local:N`` starts it.

    Its scheduler listens on 127.0.0.1 only, without a dashboard; with
    ``secure`` it speaks TLS with a certificate made for it (held in memory,
    handed to its workers; a client must be given ``cluster.security``).
    Its workers leave Ctrl-C to the batch, from the moment they start, and
    close without a word (:mod:`~careerconv.surfaces.report.local_workers`).
    A Ctrl-C that comes while it starts reaches the calling thread once it
    has started (hold it, :func:`~careerconv.surfaces.signals.signals_held`,
    until the cluster is in hand: it is closed on the way out).

    Raises
    ------
    ValueError
        If Dask's distributed scheduler, or for ``secure`` the cryptography
        package, is not installed, or the cluster could not start (the
        message names the cause, e.g. a worker that could not start).
    """
    distributed = _distributed()
    import dask

    try:
        # the nannies keep the configuration, and Ctrl-C blocked, for the workers they restart
        with dask.config.set(LOCAL_CLUSTER_CONFIG), ctrl_c_blocked_for_new_workers():
            return distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                            host="127.0.0.1", dashboard_address=None,
                                            scheduler_kwargs={"dashboard_address": _SCHEDULER_HTTP},
                                            security=True if secure else None, silence_logs=logging.ERROR,
                                            plugins=(QuietLocalWorker(),))
    except ImportError as exc:  # the TLS certificate needs the cryptography package
        raise ValueError(f"--dask local:N needs {exc.name or 'cryptography'}, which is not installed: "
                         "pip install 'careerconv[dask]'") from None
    except RuntimeError as exc:  # "Nanny failed to start.", from what stopped a worker (logged by Dask above)
        cause = exc.__cause__ or exc
        raise ValueError(f"the local Dask cluster (--dask local:{workers}) could not start: "
                         f"{type(cause).__name__}: {cause}") from None


# ---------------------------------------------------------------------------
# the worker side


class _KernelSlot:
    """A :class:`ReportMaker` and the one thread that drives it (its kernel client is bound to that thread)."""

    def __init__(self, settings: BatchSettings, template: nbformat.NotebookNode, name: str):
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._maker = ReportMaker(settings, template)
        self._lock = threading.Lock()
        self._busy = False  # its kernel is starting, or a report is under way
        self._closed = False
        self._thread.submit(self._run, self._warm)  # start the kernel before the first task

    def _warm(self) -> None:
        try:
            self._maker.start()
        except KernelDied:
            pass  # tried again by the first report, which then fails with the cause

    def _run(self, work: Callable[[], ReportOutcome | None]) -> ReportOutcome | None:
        with self._lock:
            if self._closed:
                raise RuntimeError("the report kernels of this worker are shut down: the batch has ended")
            self._busy = True
        try:
            return work()
        finally:
            self._busy = False

    def make(self, request: ReportRequest) -> ReportOutcome:
        return self._thread.submit(self._run, lambda: self._maker.make(request)).result()

    def close(self) -> None:
        """Shut the kernel down, at once if it is starting or a report is under way: the batch has ended, or was
        stopped, and waits (found: a stopped batch waited for the reports under way, up to a minute each). A report
        being written is written whole first (a second or so); one being executed fails, and nothing of it is
        written."""
        with self._lock:
            self._closed = True
            busy = self._busy
        if busy:
            self._maker.kernel.kill()
        try:
            self._thread.submit(self._maker.shutdown).result(timeout=_CLOSING)
        except Exception:
            pass
        self._thread.shutdown(wait=False)


class WarmKernelPlugin(_WorkerPlugin):
    """Dask worker plugin: warm report kernels on a worker, one per worker thread, kept across tasks.

    Registered by :class:`DaskExecutor` for one batch (under a name unique to
    the batch and naming its client, :func:`plugin_name`) and removed at its
    end, which shuts the kernels down. A worker that joins or restarts
    mid-batch gets it too. A batch whose client was killed cannot remove it:
    the next batch on the cluster does (:func:`remove_orphaned_plugins`).

    Parameters
    ----------
    settings
        The batch.
    template
        The report notebook as loaded by papermill on the client.
    """

    def __init__(self, settings: BatchSettings, template: nbformat.NotebookNode):
        self.settings = settings
        self.template = template
        self._slots: queue.Queue[_KernelSlot] | None = None
        self._all: list[_KernelSlot] = []
        self.problem: str | None = None

    def setup(self, worker: Any) -> None:
        """Check this worker can make the batch's reports, then start its kernels (in the background)."""
        try:
            here = code_digest(self.settings.notebook)
        except OSError as exc:
            here = None
            self.problem = (f"this worker cannot read the report notebook {self.settings.notebook} ({exc}); "
                            "the workers need careerconv at the same path as the client")
        if here is not None and here != self.settings.code:
            self.problem = ("this worker runs other careerconv report code than the client (another version or "
                            "notebook): install the same careerconv on the client and every worker")
        if self.problem:
            return
        self._slots = queue.Queue()
        for i in range(max(1, int(getattr(worker.state, "nthreads", 1)))):
            slot = _KernelSlot(self.settings, self.template, f"careerconv-report-kernel-{i}")
            self._all.append(slot)
            self._slots.put(slot)

    def teardown(self, worker: Any) -> None:
        """Shut this worker's kernels down."""
        for slot in self._all:
            slot.close()
        self._all.clear()

    def make(self, request: ReportRequest) -> ReportOutcome:
        """Make one report on a free kernel of this worker (see :meth:`ReportMaker.make`).

        Raises
        ------
        RuntimeError
            If this worker cannot make the batch's reports (the message says why).
        KernelDied
            If no kernel could be started here.
        """
        if self.problem or self._slots is None:
            raise RuntimeError(self.problem or "the report kernels of this worker are not set up")
        slot = self._slots.get()
        try:
            return slot.make(request)
        finally:
            self._slots.put(slot)


def make_report_task(plugin_name: str, request: ReportRequest) -> ReportOutcome:
    """The Dask task: one employee's report, made on the warm kernel of the worker it runs on."""
    from distributed import get_worker

    plugin = get_worker().plugins.get(plugin_name)
    if plugin is None:
        raise RuntimeError(f"this Dask worker has no {plugin_name} plugin (it joined after the batch ended?)")
    return plugin.make(request)


def _reach(data_dir: str, reports_dir: str) -> str | None:
    """Run on each worker: None when it sees the data folder and can write the reports folder."""
    if not os.path.isdir(data_dir):
        return f"cannot see the data folder {data_dir}"
    if not os.path.isdir(reports_dir) or not os.access(reports_dir, os.W_OK | os.X_OK):
        return f"cannot write to the reports folder {reports_dir}"
    return None


# ---------------------------------------------------------------------------
# the client side


class DaskExecutor:
    """Runs a report batch on a Dask cluster (pass it to :func:`careerconv.surfaces.report.runner.run_batch`).

    Parameters
    ----------
    target
        ``local:N``, a scheduler address, or a :class:`DaskTarget`.
    client
        Instead of ``target``: a connected ``distributed.Client`` (left open).

    Raises
    ------
    ValueError
        If ``target`` is neither (see :func:`parse_dask_target`), both or
        neither of ``target`` and ``client`` are given, or Dask's distributed
        scheduler is not installed.
    """

    def __init__(self, target: str | DaskTarget | None = None, *, client: Any = None):
        _distributed()
        if (target is None) == (client is None):
            raise ValueError("give the Dask cluster as a target (local:N or a scheduler address) or as a client, "
                             "not both or neither")
        self.client = client
        self.target = None if target is None else (
            target if isinstance(target, DaskTarget) else parse_dask_target(target))

    def _connect(self, stack: ExitStack):
        distributed = _distributed()
        if self.client is not None:
            return self.client
        if self.target.local_workers:
            cluster = stack.enter_context(local_cluster(self.target.local_workers))
            client = stack.enter_context(distributed.Client(cluster))
            client.wait_for_workers(self.target.local_workers, timeout=WORKER_WAIT)
            return client
        try:
            client = stack.enter_context(distributed.Client(self.target.address, timeout="30s"))
        except OSError as exc:
            raise ValueError(f"cannot reach the Dask scheduler at {self.target.address}: {exc}") from None
        try:
            client.wait_for_workers(1, timeout=WORKER_WAIT)
        except TimeoutError:
            raise ValueError(f"the Dask scheduler at {self.target.address} has no worker (none joined within "
                             f"{WORKER_WAIT} s)") from None
        return client

    def _stopping_once_connected(self) -> str:
        """What the batch says at once when it is stopped while it starts its local cluster or reaches the
        scheduler, which cannot be cut short (found: a Ctrl-C then waited 6 to 40 s on a busy machine in silence)."""
        if self.target.local_workers:
            return ("careerconv report: stopping as soon as the local Dask cluster has started (a cluster cannot be "
                    "stopped while it starts) ...")
        return "careerconv report: stopping as soon as the Dask scheduler has answered ..."

    def run(self, settings: BatchSettings, template: nbformat.NotebookNode, requests: Sequence[ReportRequest],
            progress: bool) -> list[ReportOutcome]:
        """Every request's outcome, in the order of ``requests``.

        Raises
        ------
        ValueError
            If the cluster cannot be reached, has no worker, or a worker does
            not see the data folder or cannot write the reports folder.
        """
        distributed = _distributed()
        settings.reports_dir.mkdir(parents=True, exist_ok=True)
        with _closed_with_stops_held() as stack:
            # A stop is taken between the client's calls, never inside one (found: SIGTERM while the local cluster
            # started printed "Exception ignored in atexit callback close_clusters ... AssertionError:
            # Status.init"; Ctrl-C or SIGTERM while a call waits to begin, distributed's NameError from its sync()).
            # Each call takes a few seconds at most: the cluster's start, the workers' first import of careerconv.
            with signals_held(*STOP_SIGNALS, saying=self._stopping_once_connected()):
                client = self._connect(stack)
            with signals_held(*STOP_SIGNALS):
                problems = {w: p for w, p in client.run(_reach, str(settings.data_dir),
                                                        str(settings.reports_dir)).items() if p}
            if problems:
                listed = "; ".join(f"{w}: {p}" for w, p in sorted(problems.items()))
                raise ValueError(f"{len(problems)} Dask worker(s) cannot make reports ({listed}); every worker "
                                 "needs the data and reports folders at the same paths as this machine "
                                 "(a shared filesystem)")
            batch = uuid.uuid4().hex[:12]
            plugin_name = _plugin_name(batch, client.id)
            with signals_held(*STOP_SIGNALS):
                remove_orphaned_plugins(client)
                client.register_plugin(WarmKernelPlugin(settings, template), name=plugin_name)
                stack.callback(_unregister, client, plugin_name)
            return _gather(client, distributed, plugin_name, batch, settings, requests, progress)


@contextmanager
def _closed_with_stops_held() -> Iterator[ExitStack]:
    """An ExitStack for what the batch starts on the cluster, closed with the stop signals held (a Ctrl-C or SIGTERM
    inside one of the client's calls makes distributed print its NameError, and leaves the cluster open). A stop that
    comes while a stopped batch closes it is dropped (one stop is one stop); otherwise it is taken once closed."""
    stack = ExitStack()
    try:
        yield stack
    except BaseException:
        with suppress(KeyboardInterrupt), signals_held(*STOP_SIGNALS):
            stack.close()
        raise
    with signals_held(*STOP_SIGNALS):
        stack.close()


_PLUGIN_PREFIX = "careerconv-report-"
_OF_CLIENT = "-of-"


def _plugin_name(batch: str, client_id: str) -> str:
    """The name of a batch's :class:`WarmKernelPlugin`: the batch, and the client that runs it."""
    return f"{_PLUGIN_PREFIX}{batch}{_OF_CLIENT}{client_id}"


def remove_orphaned_plugins(client: Any) -> list[str]:
    """Remove the report plugins of batches whose client is gone (killed mid-batch), shutting down their kernels.

    A batch removes its plugin when it ends; one whose client was killed
    cannot, and its warm kernels would stay on every worker for as long as
    the cluster runs (and start again on every worker that joins).

    Returns
    -------
    list of str
        The names of the plugins removed.
    """
    try:
        # A lambda travels by value: the scheduler need not have careerconv installed (the workers must).
        names, clients = client.run_on_scheduler(
            lambda dask_scheduler: (list(dask_scheduler.worker_plugins), list(dask_scheduler.clients)))
    except Exception:  # a scheduler that runs nothing for clients: nothing can be seen, nothing is removed
        return []
    orphans = [name for name in names if name.startswith(_PLUGIN_PREFIX) and _OF_CLIENT in name
               and name.split(_OF_CLIENT, 1)[1] not in clients]
    for name in orphans:
        _unregister(client, name)
    return orphans


def _unregister(client: Any, name: str) -> None:
    try:
        client.unregister_worker_plugin(name)
    except Exception:  # the cluster is gone already: its kernels went with it
        pass


def _gather(client: Any, distributed: Any, plugin_name: str, batch: str, settings: BatchSettings,
            requests: Sequence[ReportRequest], progress: bool) -> list[ReportOutcome]:
    """Submit one task per request, retry each failure once, count completions on the progress bar."""
    keys = [f"careerconv-report-{batch}-{i}-try1" for i in range(len(requests))]
    futures = client.map(make_report_task, [plugin_name] * len(requests), list(requests), key=keys, pure=False)
    meta: dict[Any, tuple[int, int]] = {f: (i, 1) for i, f in enumerate(futures)}
    completions = distributed.as_completed(futures)
    del futures
    outcomes: list[ReportOutcome | None] = [None] * len(requests)
    bar = BatchProgress(len(requests), progress)
    try:
        for future in completions:
            # A stop is taken between completions, never while the client waits on its loop for a call to start
            # (found: Ctrl-C or SIGTERM there made distributed print a NameError traceback from its sync()).
            with signals_held(*STOP_SIGNALS):
                i, attempt = meta.pop(future)
                try:
                    outcome = future.result()
                except Exception as exc:
                    outcome = failed_outcome(settings, requests[i], _task_failure(exc))
                future.release()
                if outcome.status == FAILED and attempt < ATTEMPTS:
                    retry = client.submit(make_report_task, plugin_name, requests[i], pure=False,
                                          key=f"careerconv-report-{batch}-{i}-try{attempt + 1}")
                    meta[retry] = (i, attempt + 1)
                    completions.add(retry)
                    continue
                if outcome.status == FAILED and attempt > 1:
                    outcome.error = f"{outcome.error} (failed {attempt} times)"
                outcomes[i] = outcome
                bar.done(outcome)
    finally:
        bar.close()
        if meta:  # interrupted: nothing more to do on the cluster for this batch
            # A client call, taken whole as the others are; a stop that comes meanwhile is dropped, the batch ends
            # with the first (found: a second Ctrl-C before the call had begun made distributed's sync() log its
            # NameError, and left the reports to the cluster).
            with suppress(KeyboardInterrupt), signals_held(*STOP_SIGNALS):
                client.cancel(list(meta))
    return [o if o is not None else failed_outcome(settings, r, "the batch was interrupted")
            for o, r in zip(outcomes, requests)]


def _task_failure(exc: BaseException) -> str:
    name = type(exc).__name__
    if name == "KilledWorker":
        return f"the Dask workers making this report kept dying ({exc})"
    if isinstance(exc, KernelDied):
        return str(exc)
    return f"{name}: {exc}"
