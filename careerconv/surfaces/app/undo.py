"""Undo of a removal: a notice under the list ("Removed dream 2 “Lead a team”. [Undo]") that puts it back.

A removal in the meeting happens at once (a skill's asks first); a slip of the mouse must not lose the employee's
words. Each list that removes rows (dreams and other ranked lists, a skill's options, action items, skills) has an
:class:`UndoNotice` under it; what it removed last is offered there until

* another removal, anywhere in the conversation (one removal can be undone at a time: :class:`UndoOffers`, shared
  by the editors through their context),
* a row is added to or moved in the same list (the place it came from is no longer the place it was),
* the coach leaves the section or the conversation, or it is locked.

Typing anywhere, in the same list too, keeps the offer, and undoing keeps the typing: what was removed is put back
between the rows it sat between, and nothing is overwritten. Undo is a button (Tab, Enter); the keyboard is put on
it when a row is removed (the row's ✕ may be gone with the row) and on what is put back when undone; its
accessible name says what it puts back.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Callable

import ipywidgets as widgets

from careerconv.records.text_direction import isolated, shortened
from .widgets import button, classed, html, named, show

if TYPE_CHECKING:  # the editors make the notices
    from .editors import Editor

SHOWN_CHARACTERS = 60  # of the removed text, in the notice


class UndoOffers:
    """The one removal of a conversation that can be undone now (None when none)."""

    def __init__(self) -> None:
        self.current: UndoNotice | None = None

    def withdraw(self) -> None:
        """Take the offer away (the coach left the section or the conversation)."""
        if self.current is not None:
            self.current.withdraw()


class UndoNotice:
    """The notice under one list: what it removed last, and Undo.

    Parameters
    ----------
    editor
        The editor of the list: its context holds the conversation's :class:`UndoOffers`, Undo is a click of it
        (never while locked) and reports the edit through it (autosave).
    """

    def __init__(self, editor: Editor):
        self.editor = editor
        self._put_back: Callable[[], None] | None = None
        self.message = html("", "cc-undo-message")
        self.button = button("Undo", "cc-undo")
        editor.on_click(self.button, self.undo)
        self.widget = classed(widgets.HBox([self.message, self.button]), "cc-row", "cc-undo-notice")
        show(self.widget, False)

    @property
    def offered(self) -> bool:
        """True while Undo is offered here."""
        return self._put_back is not None

    def offer(self, what: str, text: str, put_back: Callable[[], None]) -> None:
        """Say that ``what`` ("dream 2") holding ``text`` was removed, and offer Undo, which calls ``put_back``.

        ``put_back`` puts it back at its place, as it was, keeping whatever was typed since; the notice then
        reports the edit (autosave). Any other offer of the conversation is taken away.
        """
        offers = self.editor.ctx.undo
        offers.withdraw()
        self._put_back = put_back
        offers.current = self
        words = " ".join(text.split())
        shown = isolated(words)
        if len(words) > SHOWN_CHARACTERS:
            shown = shortened(shown, SHOWN_CHARACTERS - 3)
        removed = f"{what} “{shown}”" if words else what
        self.message.value = f'<span class="cc-undo-text">Removed {escape(removed)}.</span>'
        named(self.button, f"Undo: put back {removed}")
        show(self.widget, True)
        self.button.focus()

    def reshaped(self) -> None:
        """The list gained, moved or lost a row: what it offers could go back to the wrong place, so no more."""
        if self.offered:
            self.withdraw()

    def withdraw(self) -> None:
        """Take the offer away and hide the notice."""
        self._put_back = None
        offers = self.editor.ctx.undo
        if offers.current is self:
            offers.current = None
        self.message.value = ""
        show(self.widget, False)

    def undo(self) -> None:
        """Put back what was removed (once) and report the edit."""
        put_back = self._put_back
        if put_back is None:
            return
        self.withdraw()
        put_back()
        self.editor.changed()
