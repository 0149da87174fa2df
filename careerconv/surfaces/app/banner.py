"""The app's error banner: a visible place for errors raised inside widget callbacks (which would otherwise be lost),
and :meth:`ErrorBanner.guard`, which sends a callback's errors there."""

from __future__ import annotations

import functools
import logging
import traceback
from html import escape
from typing import Callable

import ipywidgets as widgets

from careerconv.records import schema
from .batching import batched
from .widgets import button, classed, html, show

log = logging.getLogger("careerconv.surfaces.app")

KEPT = "Your typing is kept; if this persists, note the details for support."  # the banner's usual note


class ErrorBanner:
    """A visible place for errors raised inside widget callbacks."""

    def __init__(self):
        self.message = html("", "cc-error-text")
        self.dismiss = button("Dismiss", "cc-link", "cc-dismiss-error")
        self.dismiss.on_click(lambda _b: self.clear())
        self.widget = classed(widgets.HBox([self.message, self.dismiss], layout=widgets.Layout(
            justify_content="space-between", align_items="flex-start")), "cc-error-banner")
        self.count = 0
        show(self.widget, False)

    @property
    def text(self) -> str:
        """The message currently shown (HTML)."""
        return self.message.value

    def show(self, exc: BaseException, context: str = "", note: str = KEPT) -> None:
        """Show an exception: a readable message, ``note`` (what became of the coach's typing, what to do; "" for
        none) below it, and the details folded away: the exception's technical ``details`` when it has them (an
        unreachable server's network error), then the traceback."""
        self.count += 1
        if isinstance(exc, schema.ValidationError):
            head = escape(str(exc).splitlines()[0])
            items = "".join(f"<li>{escape(str(p))}</li>" for p in exc.problems[:20])
            body = f"<b>{head}</b><ul>{items}</ul>"
        else:
            first = str(exc) or type(exc).__name__
            body = f"<b>{escape(context or 'Something went wrong')}:</b> {escape(first)}"
        technical = getattr(exc, "details", "")
        details = escape((f"{technical}\n\n" if technical else "")
                         + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-4000:])
        note_html = f'<div class="cc-muted">{escape(note)}</div>' if note else ""
        self.message.value = (f"<div>{body}{note_html}"
                              f"<details><summary>Details</summary><pre "
                              f"style=\"white-space:pre-wrap;font-size:12px\">{details}</pre></details></div>")
        show(self.widget, True)

    def guard(self, fn: Callable, context: str | None = None, note: str = KEPT) -> Callable:
        """Wrap a callback so any exception is shown in this banner (and logged).

        Parameters
        ----------
        fn
            The callback.
        context
            What the coach was doing, for the banner ("Could not save the check-in").
        note
            The line below the message ("" for none: where nothing was typed, no typing is kept).

        Returns
        -------
        callable
            The wrapped callback; it returns None when ``fn`` raised.
        """
        @functools.wraps(fn)
        def run(*args, **kwargs):
            try:
                with batched():  # what the callback builds is sent once, in its final state
                    return fn(*args, **kwargs)
            except Exception as exc:  # the coach must see it; a widget callback would swallow it
                log.exception("error in the career conversation app")
                self.show(exc, context or _context_of(fn), note)
                return None
        return run

    def clear(self) -> None:
        """Hide the banner."""
        self.message.value = ""
        show(self.widget, False)


def _context_of(fn: Callable) -> str:
    name = getattr(fn, "__name__", "")
    readable = {"start_conversation": "Could not start the conversation",
                "resume_draft": "Could not resume the draft", "complete": "Could not complete the conversation",
                "select_employee": "Could not open this person", "open_checkin": "Could not open the check-in",
                "save": "Could not save", "_on_edit": "Could not record the change",
                "on_edit": "Could not record the change", "leave_checkin": "Could not leave the check-in"}
    return readable.get(name, "Something went wrong")
