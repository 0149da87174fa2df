"""The app as its notebook opens it: under Voila, a frame at once and the app built into it right after the cell.

Voila sends the end of the page, and the browser only then starts loading its scripts (the widget manager,
1.5 s of a core and more), when the notebook's last cell has run; importing the app (pandas, pyarrow, ...)
and building it takes about as long again. Under Voila (:data:`VOILA_ENV` is set in the kernels it starts)
:func:`open_app` therefore returns a frame at once, and the kernel builds the app into it on its event loop
:data:`AFTER_CELL` seconds later, once the cell's reply has gone out: the browser loads its scripts while
the kernel builds, and its widget manager, which asks the kernel for the widgets when it connects, is
answered when the app is built - all of it in one go. Elsewhere (JupyterLab, a notebook run by nbclient)
the cell shows the built app itself, as before.

A kernel Voila heats ahead for the next page (a reload, a second tab) runs the notebook long before anyone
asks for it (``careerconv app``'s Voila sets :data:`~careerconv.records.config.BUILD_FOR_PAGE_ENV` in its
environment); it builds the app only once Voila has given it to a page (:func:`claimed`: Voila tells it
over ``/voila/query/<kernel id>``), so that heating it costs the machine a kernel's start, not the app's imports
and construction, while the coach works in the first page. The page that takes it still gets the app while
its browser loads the scripts.

This module imports nothing heavy (ipywidgets only); the app's modules are imported when it is built. Imported
in a kernel, it also keeps one harmless traceback out of the coach's terminal (:func:`quiet_closed_sockets`).
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
from html import escape

import ipywidgets as widgets

from careerconv.records import config

VOILA_ENV = "VOILA_PREHEAT"  # set by Voila in the environment of every kernel it starts ("True": heated ahead)
AFTER_CELL = 0.05  # seconds after the cell before the build: the cell's reply goes out first
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


class OpenedApp:
    """What the notebook's last cell shows: the app's frame, and the app once it is built.

    Attributes
    ----------
    widget : ipywidgets.VBox
        The frame on the page: "Opening the app ..." until the app is built, then the app's widget (or what
        kept it from opening).
    app : ConversationApp or None
        The app, once built.
    problem : str
        Why the app could not be built ("" if it was, or is not yet).
    """

    def __init__(self):
        self.building: asyncio.Task | None = None  # waiting for a page, then building
        self.app = None
        self.problem = ""
        self.widget = widgets.VBox([widgets.HTML('<div class="cc-opening">Opening the app …</div>')],
                                   layout=widgets.Layout(width="100%"))

    def build(self, make) -> None:
        """Build the app with ``make()`` into the frame; a failure is shown in words (and logged)."""
        try:
            self.app = make()
        except Exception as exc:  # the page must say why, not stay on "Opening"
            log.exception("The app could not open")
            self.problem = str(exc) or type(exc).__name__
            self.widget.children = (widgets.HTML(f'<div class="cc-error">The app could not open: '
                                                 f'{escape(self.problem)}</div>'),)
            return
        self.widget.children = (self.app.widget,)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def open_app(data_dir: str = "", coach_id: str = "", question_set: str = "career-conversation", *,
             defer: bool | None = None):
    """The coach's app on ``data_dir`` (see :class:`ConversationApp` for the parameters).

    Parameters
    ----------
    defer
        Build the app just after the cell (see the module's docstring); default: under Voila only.

    Returns
    -------
    ConversationApp or OpenedApp
        The app itself, or (deferred) the frame it is built into.
    """
    def make():
        from .facilitation import ConversationApp
        return ConversationApp(data_dir=data_dir, coach_id=coach_id or None, question_set=question_set)

    if defer is None:
        defer = VOILA_ENV in os.environ
    if not defer:
        return make()
    opened = OpenedApp()

    async def build_for_its_page():
        await asyncio.sleep(AFTER_CELL)
        if await claimed():
            opened.build(make)

    opened.building = asyncio.get_running_loop().create_task(build_for_its_page())
    return opened


async def claimed(timeout: float = 5.0) -> bool:
    """Whether to build the app, once Voila has given this kernel to a page: True at once unless it is a kernel
    heated ahead for a later page (the environment says so, with its id); else True when Voila sends it the
    page's request (as ``voila.utils.wait_for_request`` waits for it, but without holding up the kernel),
    False if Voila closes the connection first (the server is stopping: no page will come). Should Voila
    not answer the connection within ``timeout`` seconds, True: the app is built rather than never."""
    kernel_id = os.environ.get("VOILA_KERNEL_ID")
    if os.environ.get(VOILA_ENV) != "True" or not os.environ.get(config.BUILD_FOR_PAGE_ENV) or not kernel_id:
        return True
    from tornado.websocket import websocket_connect

    host = os.environ.get("VOILA_APP_IP", "127.0.0.1")
    port = os.environ.get("VOILA_APP_PORT", "8866")
    base = os.environ.get("VOILA_SERVER_URL", "/")
    try:
        connection = await websocket_connect(f"ws://{host}:{port}{base}voila/query/{kernel_id}",
                                             connect_timeout=timeout)
    except Exception as exc:  # build now rather than never
        log.warning("could not ask Voila whether a page has this kernel (%s); building the app now", exc)
        return True
    try:
        return await connection.read_message() is not None  # the page's request; None: Voila closed it
    finally:
        connection.close()
