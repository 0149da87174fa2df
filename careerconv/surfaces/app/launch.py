"""The app as its notebook opens it: :func:`open_app` builds it, or shows in words why it could not.

The notebook imports this module first; it imports nothing heavy (ipywidgets only), and the app's modules
(pandas, pyarrow, ...) are imported when the app is built. Imported in a kernel, it also keeps one harmless
traceback out of the coach's terminal (:mod:`.kernel_log`).

Building the app after the cell instead (the cell returning an empty frame at once, so that the browser
loads its scripts while the kernel builds) was tried and measured: about a second sooner to a usable page on
the 10,000-person demo, but in one start in three the page stayed on Voila's "Loading widget..." for good, so
the cell builds the app itself.
"""

from __future__ import annotations

import logging
from html import escape

import ipywidgets as widgets

from .kernel_log import quiet_stopping

log = logging.getLogger("careerconv.surfaces.app")

quiet_stopping()  # for a kernel started by another Jupyter (careerconv app's kernels have it already)


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
