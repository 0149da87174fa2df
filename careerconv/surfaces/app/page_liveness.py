"""Whether a page still shows the app: the page beats while it is open; no beat for a while means it is gone.

A kernel cannot see its page close (a closed tab, a laptop put to sleep, a lost network): without this the
section clock ran on and was saved every half minute for as long as the kernel lived, and its widget updates kept
the kernel "active", so the idle culler never ended it. The page (:mod:`careerconv.surfaces.app.page_bridge`)
sends a beat every :attr:`PageLiveness.beat_every` seconds while it is open; once none came for
:attr:`PageLiveness.gone_after` seconds the page counts as gone *since its last beat*, and the conversation's clock
stops there. A beat after that (the laptop woke up) brings it back.

The wait is :data:`PAGE_GONE_AFTER` seconds, or ``$CAREERCONV_PAGE_GONE_AFTER`` (tests shorten it).
"""

from __future__ import annotations

import datetime as dt
import os

from .timers import Clock

PAGE_GONE_AFTER = 60.0  # seconds with no beat before the page counts as gone
GONE_AFTER_ENV = "CAREERCONV_PAGE_GONE_AFTER"
BEATS_PER_WAIT = 4  # a page beats this many times within the wait, so one late beat is no loss


def page_gone_after() -> float:
    """Seconds with no beat before a page counts as gone: ``$CAREERCONV_PAGE_GONE_AFTER``, else 60.

    Raises
    ------
    ValueError
        If the variable is set to something other than a positive number of seconds.
    """
    text = os.environ.get(GONE_AFTER_ENV, "").strip()
    if not text:
        return PAGE_GONE_AFTER
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not seconds > 0 or seconds == float("inf"):
        raise ValueError(f"{GONE_AFTER_ENV}={text!r} is not a number of seconds; "
                         f"set a positive number (e.g. {PAGE_GONE_AFTER:g}) or leave it unset")
    return seconds


class PageLiveness:
    """When the page last beat, and whether it is gone.

    Parameters
    ----------
    clock
        The app's clock.
    gone_after
        Seconds with no beat before the page counts as gone (default: :func:`page_gone_after`).

    Raises
    ------
    ValueError
        If ``gone_after`` is not a positive number (or the environment variable is wrong).
    """

    def __init__(self, clock: Clock, gone_after: float | None = None):
        self.gone_after = page_gone_after() if gone_after is None else float(gone_after)
        if not self.gone_after > 0:
            raise ValueError(f"gone_after must be a positive number of seconds, not {gone_after!r}")
        self.clock = clock
        self.last_beat: dt.datetime | None = None

    @property
    def beat_every(self) -> float:
        """Seconds between the page's beats."""
        return self.gone_after / BEATS_PER_WAIT

    def beat(self) -> None:
        """The page is there now (it beat, or arrived)."""
        self.last_beat = self.clock()

    def gone_since(self) -> dt.datetime | None:
        """The page's last beat, if no beat came for :attr:`gone_after` seconds since; else None (a page is
        there, or none ever beat: the app driven without a page, as in tests and scripts)."""
        if self.last_beat is None:
            return None
        if (self.clock() - self.last_beat).total_seconds() > self.gone_after:
            return self.last_beat
        return None
