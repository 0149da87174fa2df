"""Reading a coach's team off the kernel's main thread, so the team view answers at once.

Reading a team (every report's records, due dates, open items, trends:
:func:`careerconv.surfaces.app.team.load_team`) takes a second or more on a large
organisation - too long to keep a click waiting. :class:`TeamLoader` starts
that read in a worker thread as soon as a coach is chosen; "My team" then uses
it (waiting for it if it is still running). Once a team has been read, it is
shown from that read at once while a fresh read runs, and the rows are brought
up to date when it finishes (what the coach saved a moment ago shows a moment
later). Without background work (tests, a manual scheduler) every read is
synchronous.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable, Generic, TypeVar

T = TypeVar("T")


class TeamLoader(Generic[T]):
    """Reads per coach, at most one at a time in one worker thread.

    Parameters
    ----------
    read
        ``read(coach_id)`` returns the team (runs in the worker thread when background).
    background
        Read in a worker thread; else every read runs in the caller's thread.
    deliver
        Runs a callable on the kernel's main thread (``scheduler.call_soon_threadsafe``).
    """

    def __init__(self, read: Callable[[str], T], *, background: bool,
                 deliver: Callable[[Callable[[], None]], None]):
        self._read = read
        self.background = background
        self._deliver = deliver
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="careerconv-team") if background else None
        self._lock = threading.Lock()
        self._pending: dict[str, Future] = {}
        self._last: dict[str, T] = {}

    def last(self, coach_id: str) -> T | None:
        """The team as last read (None if never read)."""
        with self._lock:
            return self._last.get(coach_id)

    def prefetch(self, coach_id: str) -> None:
        """Start reading a team in the background (nothing without background work, or if one is running)."""
        if self._pool is not None:
            self._start(coach_id)

    def read_now(self, coach_id: str) -> T:
        """The team, fresh: waits for a read already running (started after the last change), else reads."""
        with self._lock:
            pending = self._pending.get(coach_id)
        if pending is not None:
            return pending.result()
        result = self._read(coach_id)
        with self._lock:
            self._last[coach_id] = result
        return result

    def refresh(self, coach_id: str, on_done: Callable[[T], None]) -> None:
        """Read the team again in the background and hand it to ``on_done`` on the main thread."""
        if self._pool is None:
            on_done(self.read_now(coach_id))
            return
        future = self._start(coach_id)
        future.add_done_callback(lambda f: None if f.exception() else self._deliver(lambda: on_done(f.result())))

    def forget(self) -> None:
        """Drop every team read so far (the roster changed)."""
        with self._lock:
            self._last.clear()

    def _start(self, coach_id: str) -> Future:
        with self._lock:
            running = self._pending.get(coach_id)
            if running is not None and not running.done():
                return running
            future = self._pool.submit(self._read_and_keep, coach_id)
            self._pending[coach_id] = future
            return future

    def _read_and_keep(self, coach_id: str) -> T:
        try:
            result = self._read(coach_id)
        finally:
            with self._lock:
                self._pending.pop(coach_id, None)
        with self._lock:
            self._last[coach_id] = result
        return result
