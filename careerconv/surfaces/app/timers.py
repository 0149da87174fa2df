"""Time per section: shown against the suggested minutes, stored, never enforced.

:class:`SectionTimers` is a small clock-driven model: entering a section stops
the one before and starts it; time spent in a section accumulates over visits.
``as_record()`` gives what a conversation record stores per section::

    record["sections"][section_id] = {"started_at": ISO, "ended_at": ISO, "seconds": int}

``started_at`` is when the section was first entered, ``ended_at`` when it was
last left (or the moment of the snapshot while it is running) and ``seconds``
the time actually spent in it. Running over the suggested minutes is only
shown (``is_over``), nothing stops the coach.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, Mapping

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    """Now, as a timezone-aware local datetime (the default clock of the app)."""
    return dt.datetime.now().astimezone()


def format_duration(seconds: float) -> str:
    """``75`` -> ``"1:15"``, ``3725`` -> ``"1:02:05"`` (minutes:seconds, hours when needed)."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _parse_instant(value) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None


class SectionTimers:
    """Per-section stopwatches against suggested minutes, plus a total.

    Parameters
    ----------
    minutes
        Suggested minutes per section id, in the conversation's order.
    clock
        Returns the current time (timezone-aware); injected so tests can drive it.
    stored
        ``record["sections"]`` of a draft being resumed: its seconds and start
        times carry on. Unknown keys are ignored.

    Raises
    ------
    ValueError
        If ``minutes`` is empty.
    """

    def __init__(self, minutes: Mapping[str, int], clock: Clock = system_clock, stored: Mapping | None = None):
        if not minutes:
            raise ValueError("a conversation needs at least one section to time")
        self.minutes = dict(minutes)
        self.clock = clock
        self._seconds: dict[str, float] = {sid: 0.0 for sid in self.minutes}
        self._started: dict[str, dt.datetime | None] = {sid: None for sid in self.minutes}
        self._ended: dict[str, dt.datetime | None] = {sid: None for sid in self.minutes}
        self.current: str | None = None
        self._since: dt.datetime | None = None
        for sid, timing in (stored or {}).items():
            if sid not in self.minutes or not isinstance(timing, Mapping):
                continue
            seconds = timing.get("seconds")
            if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) and seconds >= 0:
                self._seconds[sid] = float(seconds)
            self._started[sid] = _parse_instant(timing.get("started_at"))
            self._ended[sid] = _parse_instant(timing.get("ended_at"))

    # ------------------------------------------------------------------ driving
    def enter(self, section_id: str) -> None:
        """Stop the running section (if any) and start ``section_id``.

        Raises
        ------
        KeyError
            If ``section_id`` is not one of the sections.
        """
        if section_id not in self.minutes:
            raise KeyError(f"no section {section_id!r}; sections are: {', '.join(self.minutes)}")
        if section_id == self.current:
            return
        now = self.clock()
        self._stop(now)
        self.current = section_id
        self._since = now
        if self._started[section_id] is None:
            self._started[section_id] = now

    def pause(self, at: dt.datetime | None = None) -> None:
        """Stop the running section (leaving the conversation, completing it).

        Parameters
        ----------
        at
            When it stopped, if earlier than now (the page's last sign of life, when it is found gone later):
            time after it is not counted. Clamped to the running visit (never before it began, never after now).
        """
        now = self.clock()
        if at is not None and self._since is not None:
            now = min(now, max(self._since, at))
        self._stop(now)
        self.current = None
        self._since = None

    def _stop(self, now: dt.datetime) -> None:
        if self.current is not None and self._since is not None:
            self._seconds[self.current] += max(0.0, (now - self._since).total_seconds())
            self._ended[self.current] = now

    # ------------------------------------------------------------------ reading
    def seconds(self, section_id: str) -> float:
        """Seconds spent in a section so far, including the running visit."""
        extra = 0.0
        if section_id == self.current and self._since is not None:
            extra = max(0.0, (self.clock() - self._since).total_seconds())
        return self._seconds[section_id] + extra

    def total_seconds(self) -> float:
        """Seconds spent in all sections."""
        return sum(self.seconds(sid) for sid in self.minutes)

    @property
    def total_minutes(self) -> int:
        """Suggested minutes of the whole conversation."""
        return sum(self.minutes.values())

    def is_over(self, section_id: str) -> bool:
        """True once a section has run past its suggested minutes."""
        return self.seconds(section_id) > self.minutes[section_id] * 60

    def total_over(self) -> bool:
        """True once the conversation has run past its suggested total."""
        return self.total_seconds() > self.total_minutes * 60

    def label(self, section_id: str) -> str:
        """``"3:12 / 20 min"`` for a section."""
        return f"{format_duration(self.seconds(section_id))} / {self.minutes[section_id]} min"

    def total_label(self) -> str:
        """``"Total 23:10 / 60 min"``."""
        return f"Total {format_duration(self.total_seconds())} / {self.total_minutes} min"

    def last_active(self) -> str | None:
        """The section most recently worked in (by its last end time), for resuming."""
        order = list(self.minutes)
        seen = [((self._ended[s] or self._started[s]), self._started[s] or self._ended[s], order.index(s), s)
                for s in order if self._ended[s] or self._started[s]]
        return max(seen)[3] if seen else None  # on a tie, the later section: it was entered last

    def as_record(self) -> dict[str, dict]:
        """What the conversation record stores per section (only sections entered so far)."""
        now = self.clock()
        out: dict[str, dict] = {}
        for sid in self.minutes:
            started = self._started[sid]
            if started is None:
                continue
            ended = now if sid == self.current else (self._ended[sid] or started)
            out[sid] = {"started_at": started.isoformat(timespec="seconds"),
                        "ended_at": ended.isoformat(timespec="seconds"),
                        "seconds": int(round(self.seconds(sid)))}
        return out
