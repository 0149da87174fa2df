"""The coach's app driven headless on a manual clock, for the app tests (``from app_harness import Harness``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from careerconv.surfaces.app import ConversationApp
from careerconv.surfaces.app.scheduling import ManualClock, ManualScheduler

START = dt.datetime(2026, 10, 1, 10, 0, 0, tzinfo=dt.timezone.utc)  # the app's "now" unless a test moves it


class Harness:
    """An app with a manual clock and scheduler: autosave debounce and section timers move only when told.

    Parameters
    ----------
    root : Path
        The data folder.
    **kwargs
        Passed on to :class:`careerconv.surfaces.app.ConversationApp` (e.g. ``coach_id``).
    """

    def __init__(self, root: Path, **kwargs):
        self.clock = ManualClock(START)
        self.scheduler = ManualScheduler(self.clock)
        self.app = ConversationApp(root, clock=self.clock, scheduler=self.scheduler, **kwargs)
        self.store = self.app.store

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass: timers and scheduled saves that fall due run."""
        self.scheduler.advance(seconds)

    def on(self, day: str) -> None:
        """Move the clock to 10:00 on ``day`` (YYYY-MM-DD)."""
        self.clock.now = dt.datetime.fromisoformat(f"{day}T10:00:00+00:00")

    def stored(self) -> dict:
        """The open conversation as the store holds it."""
        return self.store.load_conversation(self.app.record["employee_id"], self.app.record["conversation_id"])

    def leave_unfinished(self, employee_id: str, dream: str, note: str | None = None) -> None:
        """Start a conversation with ``employee_id`` (with the coach chosen, else theirs), type ``dream`` and close
        it; with ``note``, then a check-in, typing that: both are left unfinished, saved as drafts."""
        self.app.select_employee(employee_id)
        self.app.start_conversation()
        self.app.editor("dreams").list.texts[0].value = dream
        self.app.close_conversation()
        if note is not None:
            view = self.app.open_checkin()
            view.note.value = note
            view.back_button.click()
