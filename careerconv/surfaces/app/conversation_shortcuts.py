"""The app's shortcuts to the conversation open in it: what it shows, and what can be done to it.

:class:`OpenConversationShortcuts` is mixed into :class:`careerconv.surfaces.app.facilitation.ConversationApp`
so that ``app.editor("skills")``, ``app.go_to("finish")``, ``app.complete()`` or ``app.download_summary()``
reach the :class:`careerconv.surfaces.app.conversation_screen.ConversationScreen` open (``app.conversation``);
each one only hands over to the screen, which does the work (its summary actions through
:mod:`careerconv.surfaces.app.summary`).
"""

from __future__ import annotations

from pathlib import Path

from .autosave import Autosaver
from .conversation_screen import ConversationScreen
from .editors import Editor
from .sections import SectionView
from .session import EditSession
from .timers import SectionTimers


class OpenConversationShortcuts:
    """The open conversation's state and actions, for a class whose ``conversation`` is the screen open
    (or open last; None: none was opened)."""

    conversation: ConversationScreen | None

    @property
    def record(self) -> dict | None:
        """The open (or last open) conversation's record, as the widgets last left it."""
        return self.conversation.record if self.conversation is not None else None

    @property
    def step(self) -> str | None:
        """The step the open conversation shows (a section id, or ``"finish"``)."""
        return self.conversation.step if self.conversation is not None else None

    @property
    def locked(self) -> bool:
        """Whether the open conversation is completed (read-only)."""
        return self.conversation is not None and self.conversation.locked

    @property
    def session(self) -> EditSession | None:
        """The open conversation's save path (None when none is open, or it is locked)."""
        return self.conversation.session if self.conversation is not None else None

    @session.setter
    def session(self, session: EditSession | None) -> None:
        if self.conversation is not None:
            self.conversation.session = session

    @property
    def autosaver(self) -> Autosaver | None:
        """The open conversation's autosaver (None when none is open, or it is locked)."""
        return self.conversation.autosaver if self.conversation is not None else None

    @property
    def timers(self) -> SectionTimers | None:
        """The open conversation's section timers."""
        return self.conversation.timers if self.conversation is not None else None

    @property
    def summary_path(self) -> Path | None:
        """Where the summary of the conversation completed here was saved."""
        return self.conversation.summary_path if self.conversation is not None else None

    def _open(self) -> ConversationScreen:
        if self.conversation is None:
            raise ValueError("no conversation is open: start or resume one first")
        return self.conversation

    def section(self, section_id: str) -> SectionView:
        """The view of a section of the open conversation (see :meth:`ConversationScreen.section`)."""
        return self._open().section(section_id)

    def editor(self, kind_or_id: str) -> Editor:
        """The editor of a question of the open conversation, by question id or kind.

        Raises
        ------
        KeyError
            If no section has such a question.
        """
        return self._open().editor(kind_or_id)

    def go_to(self, step: str) -> None:
        """Show a section of the open conversation (or the Finish step); time runs for the section shown.

        Raises
        ------
        KeyError
            For an unknown step.
        """
        self._open().go_to(step)

    def tick(self) -> None:
        """Refresh the open conversation's timers (runs every second while it is shown)."""
        if self.conversation is not None:
            self.conversation.tick()

    def snapshot(self) -> dict:
        """The open conversation as a record, built from the widgets now."""
        return self._open().snapshot()

    def flush(self) -> dict | None:
        """Save any pending change of the open conversation now and wait for it (returns the stored record).

        Raises
        ------
        careerconv.records.store.Conflict, careerconv.records.store.NotOnRoster
            When the save is refused (the conflict box shows it too).
        careerconv.surfaces.app.autosave.SavingPaused
            While a conflict is open with a change not saved.
        """
        return self.conversation.flush() if self.conversation is not None else None

    def missing(self) -> list[str]:
        """What the method still asks for before the open conversation can be completed."""
        return self._open().missing()

    def complete(self) -> list[str]:
        """Complete the open conversation: check it, save it as completed, lock it, write the summary.

        Returns
        -------
        list of str
            What is missing (nothing is saved as completed then); empty on success.
        """
        return self.conversation.complete() if self.conversation is not None else []

    def summary_page(self, record: dict | None = None) -> str:
        """The one-page summary of a completed conversation (the open one by default) as a standalone page.

        Raises
        ------
        ValueError
            If the conversation is not completed (a draft has no summary yet), or none is open.
        """
        return self._open().summary_page(record)

    def summary_pdf(self, record: dict | None = None) -> bytes:
        """The one-page summary of a completed conversation (the open one by default) as an A4 PDF.

        Raises
        ------
        ValueError
            If the conversation is not completed, or none is open.
        """
        return self._open().summary_pdf(record)

    def download_summary(self) -> str:
        """Offer the open conversation's summary page as a file download; returns its file name."""
        return self._open().download_summary()

    def download_summary_pdf(self) -> str:
        """Offer the open conversation's summary as a PDF download; returns its file name."""
        return self._open().download_summary_pdf()
