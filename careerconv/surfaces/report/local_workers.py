"""The worker processes of a local Dask cluster (``--dask local:N``): the batch stops them, and they go quietly.

The batch owns the cluster: stopped (Ctrl-C, SIGTERM) or done, it closes it, and its own message is the last
word a person sees. Two things that Dask's worker processes print by themselves, on the batch's stderr, would
come after it (both seen on a stopped batch):

* Ctrl-C in a terminal reaches every process of the batch's process group, the workers too: each stopped at
  once, with a ``KeyboardInterrupt`` traceback ("Process Dask Worker process (from Nanny)"), while the batch was
  removing its kernels from them ("Worker plugin ... failed to teardown"), or while it started ("Fatal Python
  error: init_import_site", or a traceback from ``import distributed``). A worker process starts with Ctrl-C
  blocked (:func:`ctrl_c_blocked_for_new_workers`: a process starts with the signal mask of the thread that starts
  it), and :class:`QuietLocalWorker` then has it ignore Ctrl-C: the batch closes it, as on SIGTERM. (Their kernels
  run in sessions of their own: Ctrl-C never reached them.)
* A worker that closes closes its connections to the scheduler, and a heartbeat it sent a moment before, still
  waiting for its answer, fails: distributed logs "Failed to communicate with scheduler during heartbeat." with a
  traceback, at ERROR. The cluster is closed on purpose, so that record tells a person nothing:
  :class:`QuietLocalWorker` drops it from a worker that is closing. While a worker runs, the same failure (its
  scheduler unreachable) is still logged, and so is everything else a worker logs at ERROR.

A cluster the batch did not start (``--dask tcp://...``) is not touched: its workers are its operator's.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import weakref
from collections.abc import Iterator
from multiprocessing import resource_tracker
from typing import Any

try:
    from distributed import WorkerPlugin as _WorkerPlugin
    from distributed.core import Status
except ImportError:  # Dask is optional: dask_executor says what to install
    _WorkerPlugin = object

__all__ = ["HEARTBEAT_FAILED", "QuietLocalWorker", "ctrl_c_blocked_for_new_workers"]

HEARTBEAT_FAILED = "Failed to communicate with scheduler during heartbeat."  # distributed.worker's message
_WORKER_LOG = "distributed.worker"


class _HeartbeatOfAClosingWorker(logging.Filter):
    """Drops :data:`HEARTBEAT_FAILED` once its worker is closing (or closed, or gone)."""

    def __init__(self, worker: Any):
        super().__init__()
        self._worker = weakref.ref(worker)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg != HEARTBEAT_FAILED:
            return True
        worker = self._worker()
        return worker is not None and worker.status not in (Status.closing, Status.closed)


@contextlib.contextmanager
def ctrl_c_blocked_for_new_workers() -> Iterator[None]:
    """While the block starts a local cluster, Ctrl-C (SIGINT) is blocked in the calling thread, and so in the threads
    started meanwhile (the cluster's event loop, which its nannies run on, and from which they start, and restart,
    their worker processes) and in those processes from their first instruction: a Ctrl-C in the terminal never
    reaches them. As the block ends, the calling thread takes a Ctrl-C that came meanwhile."""
    # Started first: starting it unblocks SIGINT in the thread that does (multiprocessing.resource_tracker), and the
    # cluster's loop thread would (found: worker processes started so still printed a Ctrl-C's traceback).
    resource_tracker.ensure_running()
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


class QuietLocalWorker(_WorkerPlugin):
    """Dask worker plugin given to the workers of a local cluster as they start: see the module's docstring.

    What it sets stays when the plugin is torn down (a worker tears its plugins down as it begins to close,
    before a heartbeat can fail) and goes with the worker's process.
    """

    name = "careerconv-quiet-local-worker"

    def setup(self, worker: Any) -> None:
        """Have ``worker``'s process ignore Ctrl-C, and drop :data:`HEARTBEAT_FAILED` from its log once it closes."""
        if threading.current_thread() is threading.main_thread():  # a worker process runs its loop there
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            # Ignored now, no longer blocked: the kernels this thread's worker starts can be interrupted as usual.
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        logging.getLogger(_WORKER_LOG).addFilter(_HeartbeatOfAClosingWorker(worker))
