"""The app as its notebook opens it: :func:`open_app` builds it, or shows in words why it could not.

The notebook imports this module first; it imports nothing heavy (ipywidgets only), and the app's modules
(pandas, pyarrow, ...) are imported when the app is built. Imported in a kernel, it also keeps one harmless
traceback out of the coach's terminal (:func:`quiet_closed_sockets`).

Building the app after the cell instead (the cell returning an empty frame at once, so that the browser
loads its scripts while the kernel builds) was tried and measured: about a second sooner to a usable page on
the 10,000-person demo, but in one start in three the page stayed on Voila's "Loading widget..." for good, so
the cell builds the app itself.
"""

from __future__ import annotations

import errno
import logging
from html import escape

import ipywidgets as widgets

log = logging.getLogger("careerconv.surfaces.app")


class _ReplyAfterShutdown(logging.Filter):
    """Drops the kernel's "Exception in message handler" whose exception is a socket already closed
    (``ENOTSOCK``): a reply that could not go out because the server was stopping the kernel."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not (type(exc).__name__ == "ZMQError" and getattr(exc, "errno", None) == errno.ENOTSOCK)


def quiet_closed_sockets() -> None:
    """In a kernel: leave out of its log the traceback of a reply sent after the kernel's sockets closed.

    When ``careerconv app`` is stopped while the kernel is still running the notebook, the server asks the
    kernel to shut down; the kernel closes its sockets while the cell's reply is still on its way, and
    ipykernel logs the failed send as an ERROR with a ``ZMQError`` traceback, which lands in the terminal the
    coach started the app from. Nothing is lost (the page is gone, the kernel is ending), so that one error is
    dropped; every other message of the kernel still shows. Outside a kernel this does nothing.
    """
    try:
        from ipykernel.kernelapp import IPKernelApp
    except ImportError:  # pragma: no cover - ipykernel is a dependency
        return
    if not IPKernelApp.initialized():
        return
    app = IPKernelApp.instance()
    for logger in {app.log, getattr(getattr(app, "kernel", None), "log", None)} - {None}:
        if not any(isinstance(f, _ReplyAfterShutdown) for f in logger.filters):
            logger.addFilter(_ReplyAfterShutdown())


quiet_closed_sockets()


def open_app(data_dir: str = "", coach_id: str = "", question_set: str = "career-conversation"):
    """The coach's app on ``data_dir`` (see :class:`ConversationApp` for the parameters).

    Returns
    -------
    ConversationApp or ipywidgets.HTML
        The app, or - when it cannot open (a bad data folder or coach id, an unreadable roster) - a
        message saying why, instead of a traceback on the coach's page (the traceback goes to the log).
    """
    from .facilitation import ConversationApp

    try:
        return ConversationApp(data_dir=data_dir, coach_id=coach_id or None, question_set=question_set)
    except Exception as exc:  # the page must say why
        log.exception("The app could not open")
        problem = str(exc) or type(exc).__name__
        return widgets.HTML(f'<div class="cc-error">The app could not open: {escape(problem)}</div>')
