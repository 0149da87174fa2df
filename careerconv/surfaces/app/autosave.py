"""Debounced autosave: every change is saved through the store, typing never waits.

The app calls :meth:`Autosaver.changed` with a fresh snapshot of the record on
every edit. That call only keeps the snapshot and (re)arms a timer, so it costs
microseconds on the kernel's thread. When the coach pauses for ``delay``
seconds (or at the latest ``max_wait`` seconds after the first unsaved change,
so continuous typing is still saved), the latest snapshot is written by
``save`` - in a worker thread when ``background`` is true, so the kernel keeps
handling keystrokes while the file is written and fsynced. Only one save runs
at a time; snapshots that arrive meanwhile are coalesced into the next save.

The state shown to the coach (:class:`SaveStatus`): ``idle``, ``pending``
(unsaved changes), ``saving``, ``saved`` (with the time) or ``error`` (with the
reason; the snapshot is kept and saved again on the next change or flush, and,
when the disk refused it (full, read-only), every :data:`RETRY_AFTER` seconds
until it is saved, so a coach who typed nothing more loses nothing once the
disk has room again).

:meth:`Autosaver.pause` stops saving altogether (a save was refused because the
record changed elsewhere: saving again would only be refused again, and the
coach must choose first); changes are still kept, and :meth:`Autosaver.resume`
saves the latest one.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import threading
import time
from dataclasses import dataclass
from typing import Callable

from careerconv.records.store import disk_refused
from .scheduling import Handle, Scheduler
from .timers import Clock, system_clock

RETRY_AFTER = 10.0  # seconds: a save the disk refused is tried again this often, typed or not
# What the coach is told while a refused save is tried again (on the status line, and in the banner's first report)
KEPT_AND_RETRIED = f"Your typing is kept here and saved again every {RETRY_AFTER:g} s until it works."


@dataclass(frozen=True)
class SaveStatus:
    """What the save indicator shows."""

    state: str  # idle | pending | saving | saved | error
    saved_at: dt.datetime | None = None
    message: str = ""

    @property
    def text(self) -> str:
        """``"Saved 10:42:03"``, ``"Saving…"``, ``"Unsaved changes"`` or ``"Not saved: …"``."""
        if self.state == "saved" and self.saved_at is not None:
            return f"Saved {self.saved_at:%H:%M:%S}"
        if self.state == "saving":
            return "Saving…"
        if self.state == "pending":
            return "Unsaved changes…"
        if self.state == "error":
            return f"Not saved: {self.message}"
        return ""


class SavingPaused(RuntimeError):
    """A flush while autosave is paused (:meth:`Autosaver.pause`); nothing was written."""


class Autosaver:
    """Save the latest snapshot of a record shortly after the last change.

    Parameters
    ----------
    save
        Writes one snapshot and returns the stored record (``Store.save_conversation``).
        It may raise; the error is reported through ``on_error`` and the snapshot kept.
    scheduler
        Runs the debounce timer and brings worker results back to the caller's thread.
    clock
        The current time (for "Saved 10:42:03" and the debounce arithmetic).
    delay
        Seconds of quiet after a change before saving.
    max_wait
        Seconds after the first unsaved change by which a save starts even if
        changes keep coming.
    background
        Write in a worker thread (the kernel keeps handling input meanwhile);
        False writes on the caller's thread when the timer fires (tests).
    on_status, on_error
        Called (on the scheduler's thread) when the state changes / a save fails.

    Raises
    ------
    ValueError
        If ``delay`` is negative or ``max_wait`` is smaller than ``delay``.
    """

    def __init__(self, save: Callable[[dict], dict], *, scheduler: Scheduler, clock: Clock = system_clock,
                 delay: float = 1.0, max_wait: float = 5.0, background: bool = True,
                 on_status: Callable[[SaveStatus], None] | None = None,
                 on_error: Callable[[BaseException], None] | None = None):
        if delay < 0 or max_wait < delay:
            raise ValueError(f"autosave needs 0 <= delay <= max_wait, got delay={delay}, max_wait={max_wait}")
        self._save = save
        self.scheduler = scheduler
        self.clock = clock
        self.delay = delay
        self.max_wait = max_wait
        self.on_status = on_status
        self.on_error = on_error
        self._lock = threading.RLock()
        self._pending: dict | None = None
        self._pending_since: dt.datetime | None = None
        self._timer: Handle | None = None
        self._inflight: concurrent.futures.Future | None = None
        self._rerun = False
        self._closed = False
        self._paused: str | None = None
        self._last_error: str | None = None  # the message of the last failed save, until one succeeds
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="careerconv-autosave") if background else None
        self.status = SaveStatus("idle")
        self.last_saved: dict | None = None
        self.durations: list[float] = []  # seconds per completed save

    # ------------------------------------------------------------------ public
    def changed(self, snapshot: dict, *, quiet: bool = False) -> None:
        """Record that ``snapshot`` is the newest state; save it after the debounce.

        Cheap by design: no I/O, no validation, no copying. ``quiet`` changes
        (time spent in a section, navigation) are saved the same way but do not
        turn the indicator to "Unsaved changes".
        """
        with self._lock:
            if self._closed:
                return
            now = self.clock()
            self._pending = snapshot
            if self._pending_since is None:
                self._pending_since = now
            if self._paused is not None:
                return  # kept for resume(); the status keeps saying why nothing is saved
            if self._timer is not None:
                self._timer.cancel()
            wait = min(self.delay, self.max_wait - (now - self._pending_since).total_seconds())
            self._timer = self.scheduler.call_later(max(0.0, wait), self._fire)
            if self._inflight is None and not quiet:
                self._set_status(SaveStatus("pending", self.status.saved_at))

    @property
    def has_unsaved(self) -> bool:
        """True while a change is waiting to be saved or being saved."""
        with self._lock:
            return self._pending is not None or self._inflight is not None

    @property
    def paused(self) -> str | None:
        """Why saving is paused (the reason given to :meth:`pause`), or None while it runs."""
        return self._paused

    @property
    def pending(self) -> dict | None:
        """The newest snapshot not saved yet (None when everything is saved)."""
        with self._lock:
            return self._pending

    def pause(self, reason: str) -> None:
        """Stop saving until :meth:`resume`; later changes are kept, the status says ``Not saved: <reason>``."""
        with self._lock:
            self._paused = reason
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._rerun = False
            self._set_status(SaveStatus("error", self.status.saved_at, reason))

    def resume(self) -> None:
        """Save again: the newest kept change (if any) is saved after the debounce."""
        with self._lock:
            if self._paused is None:
                return
            self._paused = None
            if self._pending is not None and not self._closed:
                self._set_status(SaveStatus("pending", self.status.saved_at))
                self._timer = self.scheduler.call_later(self.delay, self._fire)

    def flush(self) -> dict | None:
        """Save any pending snapshot now, on this thread, and wait for a running save.

        Returns
        -------
        dict or None
            The stored record of the last save, or None if nothing was ever saved.

        Raises
        ------
        SavingPaused
            While paused with a change not saved (nothing is written).
        Exception
            Whatever ``save`` raised for the pending snapshot (it stays pending).
        """
        while True:
            with self._lock:
                if self._paused is not None and self._pending is not None and self._inflight is None:
                    raise SavingPaused(f"not saved: {self._paused}")
                if self._timer is not None:
                    self._timer.cancel()
                    self._timer = None
                future = self._inflight
                if future is None:
                    snapshot = self._pending
                    if snapshot is None:
                        return self.last_saved
                    self._pending = None
                    self._pending_since = None
                    self._rerun = False
                    self._set_status(SaveStatus("saving", self.status.saved_at))
                    break
            try:
                future.result()
            except Exception:  # reported by _finish; the snapshot is pending again
                pass
            self._finish(future, reschedule=False)
        try:
            stored, seconds = self._write(snapshot)
        except Exception as exc:
            with self._lock:
                if self._pending is None:
                    self._pending, self._pending_since = snapshot, self.clock()
                self._report_error(exc)
            raise
        with self._lock:
            self._saved(stored, seconds)
        return stored

    def close(self, flush: bool = True) -> None:
        """Stop saving (after a last flush by default); later changes are ignored."""
        if flush:
            try:
                self.flush()
            except Exception:  # already reported through on_error
                pass
        with self._lock:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._pending = None
        if self._executor is not None:
            self._executor.shutdown(wait=True)

    # ------------------------------------------------------------------ internals
    def _write(self, snapshot: dict) -> tuple[dict, float]:
        started = time.perf_counter()
        stored = self._save(snapshot)
        return stored, time.perf_counter() - started

    def _fire(self) -> None:
        with self._lock:
            self._timer = None
            if self._closed or self._pending is None or self._paused is not None:
                return
            if self._inflight is not None:
                self._rerun = True
                return
            snapshot = self._pending
            self._pending = None
            self._pending_since = None
            self._set_status(SaveStatus("saving", self.status.saved_at))
            if self._executor is None:
                try:
                    stored, seconds = self._write(snapshot)
                except Exception as exc:
                    if self._pending is None:
                        self._pending = snapshot
                    self._report_error(exc)
                    return
                self._saved(stored, seconds)
                return
            future = self._executor.submit(self._write, snapshot)
            future.snapshot = snapshot  # type: ignore[attr-defined]
            self._inflight = future
        future.add_done_callback(lambda f: self.scheduler.call_soon_threadsafe(lambda: self._finish(f)))

    def _finish(self, future: concurrent.futures.Future, reschedule: bool = True) -> None:
        with self._lock:
            if self._inflight is not future:
                return  # already handled (flush waited for it)
            self._inflight = None
            exc = future.exception()
            if exc is not None:
                if self._pending is None:
                    self._pending = future.snapshot  # type: ignore[attr-defined]
                self._report_error(exc)
                return
            stored, seconds = future.result()
            self._saved(stored, seconds)
            if reschedule and (self._rerun or self._pending is not None) and not self._closed \
                    and self._paused is None:
                self._rerun = False
                if self._timer is None:
                    self._timer = self.scheduler.call_later(0.0, self._fire)

    def _saved(self, stored: dict, seconds: float) -> None:
        self.last_saved = stored
        self._last_error = None
        self.durations.append(seconds)
        if self._paused is not None:
            return  # the pause's reason stays on the status line
        state = "pending" if self._pending is not None and self.status.state == "pending" else "saved"
        self._set_status(SaveStatus(state, self.clock()))

    def _report_error(self, exc: BaseException) -> None:
        if self._paused is not None:
            return
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        retry = disk_refused(exc) and self._pending is not None and not self._closed
        if retry:
            message = f"{message.rstrip('.')}. {KEPT_AND_RETRIED}"
            if self._timer is None:
                self._timer = self.scheduler.call_later(RETRY_AFTER, self._fire)
        repeated, self._last_error = self._last_error == message, message
        self._set_status(SaveStatus("error", self.status.saved_at, message))
        if self.on_error is not None and not repeated:  # a retry failing the same way says nothing new
            self.on_error(exc)

    def _set_status(self, status: SaveStatus) -> None:
        self.status = status
        if self.on_status is not None:
            self.on_status(status)
