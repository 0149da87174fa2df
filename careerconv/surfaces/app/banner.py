"""The app's error banner: a visible place for errors raised inside widget callbacks (which would otherwise be lost)."""

from __future__ import annotations

import traceback
from html import escape

import ipywidgets as W

from careerconv.records import schema as S
from .widgets import button, classed, html, show


class ErrorBanner:
    """A visible place for errors raised inside widget callbacks."""

    def __init__(self):
        self.message = html("", "cc-error-text")
        self.dismiss = button("Dismiss", "cc-link", "cc-dismiss-error")
        self.dismiss.on_click(lambda _b: self.clear())
        self.widget = classed(W.HBox([self.message, self.dismiss], layout=W.Layout(
            justify_content="space-between", align_items="flex-start")), "cc-error-banner")
        self.count = 0
        show(self.widget, False)

    @property
    def text(self) -> str:
        """The message currently shown (HTML)."""
        return self.message.value

    def show(self, exc: BaseException, context: str = "") -> None:
        """Show an exception: a readable message, the details folded away."""
        self.count += 1
        if isinstance(exc, S.ValidationError):
            head = escape(str(exc).splitlines()[0])
            items = "".join(f"<li>{escape(str(p))}</li>" for p in exc.problems[:20])
            body = f"<b>{head}</b><ul>{items}</ul>"
        else:
            first = str(exc) or type(exc).__name__
            body = f"<b>{escape(context or 'Something went wrong')}:</b> {escape(first)}"
        details = escape("".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-4000:])
        self.message.value = (f"<div>{body}<div class=\"cc-muted\">Your typing is kept; if this persists, note the "
                              f"details for support.</div><details><summary>Details</summary><pre "
                              f"style=\"white-space:pre-wrap;font-size:12px\">{details}</pre></details></div>")
        show(self.widget, True)

    def clear(self) -> None:
        """Hide the banner."""
        self.message.value = ""
        show(self.widget, False)
