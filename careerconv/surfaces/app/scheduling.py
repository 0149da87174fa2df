"""When things run later: the kernel's event loop, a thread, or by hand in tests.

The app needs two kinds of deferred work: the debounced autosave and the
one-second tick of the section timers. Inside a Jupyter kernel both run on the
kernel's asyncio loop (:class:`LoopScheduler`), between the messages the
browser sends, so no widget is ever touched from two threads. Outside a kernel
(a plain Python process) :class:`ThreadScheduler` uses timer threads. Tests
and benchmarks use :class:`ManualScheduler` with :class:`ManualClock` and run
due work explicitly.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import heapq
import itertools
import threading
from typing import Callable, Protocol


class Handle(Protocol):
    def cancel(self) -> None: ...


class Scheduler(Protocol):
    """Runs a callable later, and marshals a callable from a worker thread back."""

    def call_later(self, delay: float, fn: Callable[[], None]) -> Handle: ...

    def call_soon_threadsafe(self, fn: Callable[[], None]) -> None: ...


class LoopScheduler:
    """Defers work onto an asyncio event loop (the Jupyter kernel's).

    Parameters
    ----------
    loop
        The loop to use; by default the loop running in this thread.

    Raises
    ------
    RuntimeError
        If no loop is given and none is running.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None):
        self.loop = loop or asyncio.get_running_loop()

    def call_later(self, delay: float, fn: Callable[[], None]) -> Handle:
        return self.loop.call_later(max(0.0, delay), fn)

    def call_soon_threadsafe(self, fn: Callable[[], None]) -> None:
        self.loop.call_soon_threadsafe(fn)


class _ThreadHandle:
    def __init__(self, timer: threading.Timer):
        self.timer = timer

    def cancel(self) -> None:
        self.timer.cancel()


class ThreadScheduler:
    """Defers work onto daemon timer threads (outside a kernel)."""

    def call_later(self, delay: float, fn: Callable[[], None]) -> Handle:
        timer = threading.Timer(max(0.0, delay), fn)
        timer.daemon = True
        timer.start()
        return _ThreadHandle(timer)

    def call_soon_threadsafe(self, fn: Callable[[], None]) -> None:
        fn()


def default_scheduler() -> Scheduler:
    """The kernel's loop when one is running in this thread, else timer threads."""
    try:
        return LoopScheduler()
    except RuntimeError:
        return ThreadScheduler()


class ManualClock:
    """A clock that only moves when told (tests, benchmarks).

    Parameters
    ----------
    start
        The initial time; timezone-aware (naive values are taken as UTC).
    """

    def __init__(self, start: dt.datetime):
        self.now = start if start.tzinfo else start.replace(tzinfo=dt.timezone.utc)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> dt.datetime:
        """Move the clock forward and return the new time."""
        self.now += dt.timedelta(seconds=seconds)
        return self.now


class _ManualHandle:
    def __init__(self):
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class ManualScheduler:
    """Deferred work that runs only when :meth:`run_due` or :meth:`advance` is called.

    Parameters
    ----------
    clock
        The :class:`ManualClock` whose time decides what is due.
    """

    def __init__(self, clock: ManualClock):
        self.clock = clock
        self._queue: list[tuple[dt.datetime, int, _ManualHandle, Callable[[], None]]] = []
        self._seq = itertools.count()

    def call_later(self, delay: float, fn: Callable[[], None]) -> Handle:
        handle = _ManualHandle()
        due = self.clock() + dt.timedelta(seconds=max(0.0, delay))
        heapq.heappush(self._queue, (due, next(self._seq), handle, fn))
        return handle

    def call_soon_threadsafe(self, fn: Callable[[], None]) -> None:
        fn()

    @property
    def pending(self) -> int:
        """How many scheduled calls are waiting (cancelled ones not counted)."""
        return sum(1 for _, _, h, _ in self._queue if not h.cancelled)

    def run_due(self) -> int:
        """Run every call that is due by the clock's time; return how many ran."""
        ran = 0
        while self._queue and self._queue[0][0] <= self.clock():
            _, _, handle, fn = heapq.heappop(self._queue)
            if not handle.cancelled:
                fn()
                ran += 1
        return ran

    def advance(self, seconds: float) -> int:
        """Move the clock forward and run what became due; return how many ran."""
        self.clock.advance(seconds)
        return self.run_due()
