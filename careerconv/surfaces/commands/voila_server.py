"""Voila as ``careerconv app`` runs it: ``python -m careerconv.surfaces.commands.voila_server ARGS``
(Voila's own arguments).

The same as ``python -m voila``, less one import that costs seconds (:mod:`.slow_imports`). This module
imports nothing of careerconv beyond the package's light ``__init__`` files, so the server starts without
pandas too.

One of the server's log lines is left out of the terminal: "Notebook conversation.ipynb is not
trusted", logged each time a page runs the notebook. Trust decides whether a notebook's stored outputs
(HTML, JavaScript) are shown; the packaged notebook has none (its outputs are never saved, see
``careerconv app --lab``) and Voila shows only what the kernel produces now, so the line says nothing
to the person running the app. Any other notebook's "not trusted", and every other line, still shows. Nor does
asyncio's traceback of a message sent to a page that had just closed (:mod:`.closed_pages`).

The pool of preheated kernels (``--preheat_kernel=True --pool_size=1``) is changed in two ways
(:func:`paced_pool`), both for the app's first page, which the coach asks for as soon as the URL is printed:

* **The first page takes the preheated kernel.** Voila serves a page from the pool only once the pool's
  kernel has been started far enough to be registered; a page asked for earlier got a kernel of its own,
  and the two kernels then started, imported and built the app side by side on a 2-core machine - twice the
  work, both late. The notebook is registered as soon as its first kernel is on its way.
* **The next kernel is heated after the page is built**, not one second after the page took the kernel:
  a kernel starting, importing and building the app takes about as much processor as the page's own, so
  heating it alongside made the first page up to twice as slow. It starts when the page's notebook has run
  and :data:`REFILL_SETTLE` seconds more have passed (meanwhile the browser loads its scripts and shows the
  app), at the latest :data:`REFILL_LATEST` seconds after the page took its kernel - or at once when another
  page (a reload, a second tab) asks for a kernel, so that page never waits longer than before.

**As the server ends, its kernels are shut down before their connection folder is removed**
(:func:`stop_kernels_first`; Voila did it the other way round), and a stop that comes before the server's
loop runs ends the start cleanly (:func:`stop_on_signal`).

**A closed page's kernel is shut down**, a little later. When a page is closed or reloaded, Voila's page
sends the server a request to shut its kernel down (a beacon on ``beforeunload``, carrying the ``_xsrf``
cookie as its proof of coming from the app's own page). Voila's page never got that cookie, so every such
request was refused (a 403 and a WARNING in the coach's terminal) and the kernel of every closed or
reloaded page stayed, with its app and some 200 MB, until the app was stopped. Here the page sets the cookie
(:class:`PageWithXsrfCookie`), and the request (:class:`ShutdownWhenUnused`) shuts the kernel down
:data:`CLOSED_PAGE_GRACE` seconds later, if no page is connected to it then, and gently: the kernel saves
what is pending as it exits, after the last keystrokes the page sent on its way out have arrived (shut down
at once, the kernel could end before them).

**So is the kernel of a page that went without asking**: a tab that crashed or was killed, a browser quit, a
phone's browser that sends no beacon. Such a kernel stayed until the app was stopped, its conversation's timers
counting time nobody spent and saving it (a tester left 43 kernels, 8.7 GB). When the last page connected to a
kernel goes, the kernel is shut down the same way :data:`VANISHED_PAGE_GRACE` seconds later, if no page has
connected to it again by then (the page's connection comes back by itself after a short network break).
"""

from __future__ import annotations

import asyncio
import logging
import sys

from careerconv.records.resources import APP_NOTEBOOK
from .closed_pages import quiet_closed_page_writes
from .slow_imports import skip_slow_optional_modules

SERVER_LOGGER = "Voila"  # the server's log (traitlets names an application's logger after its class)
REFILL_SETTLE = 10.0  # seconds after a page's notebook has run before the pool heats the next kernel
REFILL_LATEST = 30.0  # ... at the latest this long after the page took its kernel
CLOSED_PAGE_GRACE = 15.0  # seconds after a page asked to end its kernel (it was closed) before it is ended
VANISHED_PAGE_GRACE = 600.0  # seconds after a kernel's last page went without asking before it is ended
# The shutdowns of closed pages' kernels under way: asyncio keeps only weak references to its tasks, so one
# nothing else refers to could be garbage-collected before it has run.
_PENDING_SHUTDOWNS: set[asyncio.Task] = set()


class QuietAppNotebookTrust(logging.Filter):
    """Drops jupyter_server's "Notebook conversation.ipynb is not trusted" (see the module's docstring)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.msg == "Notebook %s is not trusted"
                    and tuple(map(str, record.args or ())) == (APP_NOTEBOOK,))


def release_gate(gate: asyncio.Future) -> None:
    """Let the kernel held back behind ``gate`` start heating (once; later calls do nothing)."""
    if not gate.done():
        gate.set_result(None)


async def _rendered_then_release(render_task, gate: asyncio.Future, settle: float):
    """``render_task``'s result (the cells rendered so far, the generator of the rest), releasing ``gate``
    ``settle`` seconds after the generator is done (the page's notebook has run) or failed."""
    loop = asyncio.get_running_loop()
    try:
        rendered, rendering = await render_task
    except BaseException:
        release_gate(gate)
        raise

    async def rest():
        try:
            async for item in rendering:
                yield item
        finally:
            loop.call_later(settle, release_gate, gate)

    return rendered, rest()


def paced_pool(manager_class: type, settle: float = REFILL_SETTLE, latest: float = REFILL_LATEST) -> type:
    """Voila's preheating kernel manager class with the changes in the module's docstring."""

    class PacedPool(manager_class):
        def __init__(self, **kwargs):
            self._refill_gate: asyncio.Future | None = None
            self._stopping = False
            super().__init__(**kwargs)  # starts heating the first kernel
            if self.notebook_path is not None:
                # What the page handler checks before it takes a pool kernel; _initialize adds the kernel's id.
                self.notebook_data.setdefault(self.notebook_path, {"kernel_ids": set()})

        def hold_next_refill(self) -> asyncio.Future:
            """Hold the next kernel heated back until the gate returned is released (when the page asking now is
            built, see :func:`_rendered_then_release`), ``latest`` s from now at the latest; a kernel held back for
            an earlier page starts now."""
            if self._refill_gate is not None:
                release_gate(self._refill_gate)  # a page waits: the kernel being held back starts now
            loop = asyncio.get_running_loop()
            gate = self._refill_gate = loop.create_future()
            loop.call_later(latest, release_gate, gate)
            return gate

        async def get_rendered_notebook(self, notebook_name, *args, **kwargs):
            gate = self.hold_next_refill()
            try:
                render_task, rendered_cache, kernel_id = await super().get_rendered_notebook(
                    notebook_name, *args, **kwargs)
            except BaseException:
                release_gate(gate)
                raise
            return (asyncio.ensure_future(_rendered_then_release(render_task, gate, settle)), rendered_cache,
                    kernel_id)

        async def _initialize(self, notebook_path, kernel_id=None, **kwargs):
            gate = self._refill_gate
            if kernel_id is None and gate is not None:  # a refill (a restart passes its kernel's id)
                await asyncio.shield(gate)
            if kernel_id is None and self._stopping:  # held back, or not begun, until the server stopped: no kernel
                raise RuntimeError("the server is stopping")  # to start and stop again
            return await super()._initialize(notebook_path, kernel_id, **kwargs)

        def notify_disconnect(self, kernel_id):
            super().notify_disconnect(kernel_id)  # jupyter_server's count of the kernel's pages, one less
            if self._stopping or getattr(self, "_kernel_connections", {}).get(kernel_id, 1) > 0:
                return
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # no server loop: the server is ending
                return
            loop.call_later(VANISHED_PAGE_GRACE, _start_shutdown, self, kernel_id, self.log)

        async def shutdown_all(self, *args, **kwargs):
            # Voila's shutdown waits for every pool kernel (a failed one is skipped): release the held one.
            self._stopping = True
            if self._refill_gate is not None:
                release_gate(self._refill_gate)
            return await super().shutdown_all(*args, **kwargs)

        async def _async_shutdown_kernel(self, kernel_id, *args, **kwargs):
            # shutdown_all shuts down the started kernels and those still starting, but jupyter_server checks a
            # kernel is among the started ones first: one still starting when the server was stopped raised
            # "Kernel does not exist" (404), which stopped the others' shutdown, printed a traceback and left that
            # kernel running without its server. It is now let start, then shut down; one that failed to start,
            # or ended on its own, is gone as shutting down asks.
            from tornado import web

            try:
                return await super()._async_shutdown_kernel(kernel_id, *args, **kwargs)
            except web.HTTPError as exc:
                if not (self._stopping and exc.status_code == 404):
                    raise
            starting = self._pending_kernels.get(kernel_id)
            if starting is not None and starting.get_loop() is not asyncio.get_running_loop():
                # Voila stops its kernels in a loop of its own once the server's loop has ended (Ctrl-C within a
                # second of the URL): the start, a task of the ended loop, can neither be awaited nor finish. A
                # kernel it launched ends by itself when this process exits (ipykernel watches its parent).
                self.log.debug("kernel %s was still starting as the server stopped", kernel_id)
                return None
            if starting is not None:
                await asyncio.gather(starting, return_exceptions=True)
            if kernel_id in self:
                return await super()._async_shutdown_kernel(kernel_id, *args, **kwargs)
            self.log.debug("kernel %s had ended before the server stopped it", kernel_id)

    return PacedPool


def _paced_factory(factory):
    """Voila's ``voila_kernel_manager_factory``, its preheating class made by :func:`paced_pool`."""

    def make(base_class, preheat_kernel: bool, default_pool_size: int, *args, **kwargs):
        made = factory(base_class, preheat_kernel, default_pool_size, *args, **kwargs)
        return paced_pool(made) if preheat_kernel else made

    return make


def page_handlers() -> tuple[type, type]:
    """Voila's page handler and its kernel-shutdown handler, changed as the module's docstring says."""
    from jupyter_server.base.handlers import APIHandler
    from tornado import web
    from voila.tornado.handler import TornadoVoilaHandler

    class PageWithXsrfCookie(TornadoVoilaHandler):
        """Voila's page, which also sets the ``_xsrf`` cookie its shutdown request sends back."""

        async def prepare(self, *args, **kwargs):
            await super().prepare(*args, **kwargs)
            if self.current_user:
                self.xsrf_token  # noqa: B018 - reading it sets the cookie (tornado)

    class ShutdownWhenUnused(APIHandler):
        """``POST /voila/api/shutdown/<kernel id>`` from a closing page: the kernel is shut down (gently)
        :data:`CLOSED_PAGE_GRACE` seconds later, unless a page is connected to it by then."""

        @web.authenticated
        async def post(self, kernel_id: str):
            manager = self.kernel_manager
            if kernel_id not in manager:
                raise web.HTTPError(404, f"no kernel {kernel_id}")
            asyncio.get_running_loop().call_later(CLOSED_PAGE_GRACE, _start_shutdown, manager, kernel_id, self.log)
            self.set_status(202)
            self.finish()

    return PageWithXsrfCookie, ShutdownWhenUnused


def _start_shutdown(manager, kernel_id: str, log: logging.Logger) -> asyncio.Task:
    """Start :func:`_shutdown_if_unused` as a task, held in :data:`_PENDING_SHUTDOWNS` until it is done."""
    task = asyncio.create_task(_shutdown_if_unused(manager, kernel_id, log))
    _PENDING_SHUTDOWNS.add(task)
    task.add_done_callback(_PENDING_SHUTDOWNS.discard)
    return task


async def _shutdown_if_unused(manager, kernel_id: str, log: logging.Logger) -> None:
    connections = getattr(manager, "_kernel_connections", {})  # jupyter_server's count of each kernel's pages
    if kernel_id not in manager or connections.get(kernel_id, 0) > 0:
        return
    try:
        await manager.shutdown_kernel(kernel_id)  # not now=True: the kernel's exit saves what is pending
    except Exception:  # the server may be stopping it already
        log.debug("The kernel of a closed page had ended already", exc_info=True)


def stop_kernels_first(self) -> None:
    """Voila's ``stop`` (as the server ends), in the other order: the kernels are shut down, then their
    connection folder is removed.

    Voila removed the folder first. A kernel still starting then either found its connection file gone and
    warned "Kernel is running over TCP without encryption" into the coach's terminal, or made its sockets in
    the folder while it was being removed, and the server ended on a ``Directory not empty`` traceback - both
    under "stopping", in about one stop in twelve within a second of the start on a busy machine. A kernel
    left over anyway (one the server was still launching, see :mod:`.kernel_launcher`) leaves its files
    behind rather than a traceback.
    """
    import shutil

    from jupyter_core.utils import run_sync

    manager, folder = getattr(self, "kernel_manager", None), getattr(self, "connection_dir", None)
    if manager is not None:
        run_sync(manager.shutdown_all)()
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


def stop_on_signal(self, sig, frame) -> None:
    """Voila's SIGTERM handler, for a SIGTERM that comes before the server's loop exists too.

    The port listens a moment before Voila makes its loop, and the app prints its URL as soon as the port
    listens: stopped at that moment (Ctrl-C as the URL shows), Voila's handler met no loop and the server ended
    on an ``AttributeError`` traceback under "stopping". Then the start is ended as Ctrl-C would end it
    (:func:`main` stops what was started).
    """
    loop = getattr(self, "ioloop", None)
    if loop is None:
        raise KeyboardInterrupt
    loop.add_callback_from_signal(loop.stop)


def main(argv: list[str] | None = None) -> int:
    """Run Voila with ``argv`` (default: this process's arguments)."""
    skip_slow_optional_modules()
    import voila.app
    from voila.app import main as voila_main

    voila.app.Voila.stop = stop_kernels_first
    voila.app.Voila._handle_signal_stop = stop_on_signal
    voila.app.voila_kernel_manager_factory = _paced_factory(voila.app.voila_kernel_manager_factory)
    voila.app.TornadoVoilaHandler, voila.app.VoilaShutdownKernelHandler = page_handlers()

    logging.getLogger(SERVER_LOGGER).addFilter(QuietAppNotebookTrust())
    quiet_closed_page_writes()

    sys.argv = ["voila", *(sys.argv[1:] if argv is None else argv)]
    try:
        return voila_main() or 0
    except KeyboardInterrupt:  # stopped before its loop ran (stop_on_signal); Voila stops itself once it runs
        stop_kernels_first(voila.app.Voila.instance())
        return 0


if __name__ == "__main__":
    sys.exit(main())
