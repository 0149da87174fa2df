"""How often a search that finds nobody asks whether the roster changed.

A person a roster import has just moved to this coach is found by search at once: a search that finds nobody
reads the roster again if it changed. Under the hub each such look is a request to the records service
(``GET api/roster``), and the search runs on every keystroke, so typing a name nobody has cost one request per key.
:class:`RosterLooks` looks at most once every :data:`LOOK_EVERY` seconds; a search that finds nobody in between is
run once more when that time is up, so a person moved meanwhile shows without more typing.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable

from .scheduling import Handle, Scheduler
from .timers import Clock

LOOK_EVERY = 3.0  # seconds: the longest a person just moved to this coach waits to be found by a search


class RosterLooks:
    """Looks at the roster for a search that found nobody, at most once every ``every`` seconds.

    Parameters
    ----------
    look
        Reads the roster again if it changed, runs the search on it then, and returns whether it did
        (:meth:`~careerconv.surfaces.app.facilitation.ConversationApp.refresh_roster`).
    search_again
        Runs the search again (when a look was put off, once its time is up).
    clock, scheduler
        The app's.
    every
        Seconds between two looks, at least.
    """

    def __init__(self, look: Callable[[], bool], search_again: Callable[[], None], *, clock: Clock,
                 scheduler: Scheduler, every: float = LOOK_EVERY):
        self._look, self._search_again = look, search_again
        self._clock, self._scheduler, self.every = clock, scheduler, every
        self._last: dt.datetime | None = None
        self._later: Handle | None = None

    def nobody_found(self) -> bool:
        """A search found nobody: look now if the last look is ``every`` seconds old, else run the search again
        once it is. Returns whether the roster was read again (the search then ran on it)."""
        now = self._clock()
        wait = self.every - (now - self._last).total_seconds() if self._last is not None else 0.0
        if wait <= 0:
            self._last = now
            return self._look()
        if self._later is None:
            self._later = self._scheduler.call_later(wait, self._time_is_up)
        return False

    def _time_is_up(self) -> None:
        self._later = None
        self._search_again()
