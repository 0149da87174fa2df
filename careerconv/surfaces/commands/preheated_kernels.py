"""The kernels of a coach's server on the hub, one of them preheated: the app's notebook has run in it before the
coach opens the page, as in ``careerconv app`` (:func:`careerconv.surfaces.commands.voila_server.paced_pool`).

Without it every page of the app under the hub started a kernel, imported pandas and built the app while the coach
waited (some 4 s a page on a running server). ``careerconv app`` runs Voila's own server, whose kernel manager keeps
a pool of kernels that have run the notebook; the hub's server runs Voila as a server extension of jupyter_server,
where Voila's page takes a pool kernel as well, whenever the server's kernel manager keeps a pool. This module is
that kernel manager (:class:`PreheatedAppKernels`, named as ``ServerApp.kernel_manager_class`` by
:mod:`.singleuser_server`):

* **One kernel is kept heated** (:data:`POOL_SIZE`), for the app's notebook only; it is refilled after a page took
  it, paced as in ``careerconv app`` (after the page's notebook has run and some seconds more, or at once when
  another page asks). It costs one more kernel (some 165 MB) per coach's server with a page lately (below).
* **It is kept while pages come**: once it has waited :attr:`~PreheatedAppKernels.preheat_idle_seconds` (30 min
  by default, :data:`.singleuser_server.PREHEAT_IDLE_SETTING`) with no page of the app opened on the server (one
  that took it or one that started its own kernel), the idle cull shuts it down and none is heated in its place.
  The hub ends no idle server: a coach's server runs until stopped, so without this every coach who signed in once
  since the hub started kept one for ever (200 coaches, some 33 GB). The next page finds none and starts its own
  kernel, as on a server without one (Voila's page asks :meth:`~PreheatedAppKernels.get_pool_size` first); that
  page has another heated for the page after it, once it is built (:data:`.voila_server.REFILL_LATEST` s later, or
  at once when another page asks). So only the servers with a page in the last half hour hold a heated kernel.
* **The pool's kernel is not ended for being idle otherwise**: nobody is connected to it, but it is no tab closed
  or reloaded. The idle cull checks it is alive instead: one whose process ended (killed, out of memory) is taken
  out of the pool, and another heated. It is not restarted as other kernels are (restarted, it would be a bare kernel
  without the app for a page to take); a page that takes it has it restarted as any other from then on.
* **A page's idle time counts from when it took its kernel**: the pool's kernel may have waited longer than the
  idle timeout, and the page's connection comes a moment after the page took it; the cull must not end it then.
  Once the page has gone, its kernel is ended as any other (``--MappingKernelManager.cull_*``).
* **When the server stops** (signed out, stopped by the hub), its kernels stop with it, **the pool's at once**
  (:meth:`~PreheatedAppKernels.shutdown_all`): it holds nothing to save, so it is killed, and one being heated is
  not waited for: the run of the app's notebook in it is cancelled, and a refill not begun starts no kernel. A
  page's kernel is shut down gently, as jupyter_server shuts any down (its exit saves what is pending). So a server
  with a kernel heated or being heated stops as soon as one without (seen before: a server stopped while its
  kernel was being heated stopped after the hub's SIGKILL, a minute after sign-out, see :mod:`.singleuser_server`).

Voila's preheating kernel manager reads what it needs from its parent, which it takes to be Voila's application
(the notebook, the templates, the server's address); here its parent is :class:`AppPageHost`, which gives it those
from the jupyter_server it runs in, with Voila's configuration as the server extension reads it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time

from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Integer
from traitlets.config import LoggingConfigurable
from voila.configuration import VoilaConfiguration
from voila.paths import collect_template_paths
from voila.server_extension import load_config_file
from voila.voila_kernel_manager import voila_kernel_manager_factory

from careerconv.records.resources import APP_NOTEBOOK
from .singleuser_server import PREHEAT_IDLE_SECONDS
from .voila_server import paced_pool, release_gate

POOL_SIZE = 1  # kernels kept heated for the app's page
# Where the run of the app's notebook in the kernel being heated, cut short as the server stops, logs its cell (Voila:
# "Error at server while executing cell", the cell and a traceback; nbclient: "Kernel died while waiting for execute
# reply"): nowhere, as it is no error.
CUT_SHORT_LOG = logging.getLogger(__name__ + ".cut_short")
CUT_SHORT_LOG.addHandler(logging.NullHandler())
CUT_SHORT_LOG.propagate = False


class AppPageHost(LoggingConfigurable):
    """What Voila's preheating kernel manager reads of its parent, Voila's application, for a jupyter_server that
    serves the app's notebook (:data:`APP_NOTEBOOK`, in the server's root folder) with Voila as a server extension."""

    def __init__(self, server, notebook: str = APP_NOTEBOOK):
        super().__init__(parent=server, log=server.log)
        self.server = server
        self.root_dir = server.root_dir
        self.notebook_path = os.path.join(server.root_dir, notebook)
        # as voila.server_extension configures Voila's page: the server's settings, then voila.json / voila.py
        self.voila_configuration = VoilaConfiguration(parent=server)
        local_config = load_config_file()
        if local_config is not None:
            self.voila_configuration.update_config(local_config)
        self.template_paths = collect_template_paths(["voila", "nbconvert"], self.voila_configuration.template)

    @property
    def app(self):
        """The server's tornado application (made after its kernel manager)."""
        return self.server.web_app

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def server_url(self) -> str:
        """Where Voila's routes are on the server: under its base URL, where the extension adds them."""
        return self.server.base_url

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def contents_manager(self):
        return self.server.contents_manager

    @property
    def config_manager(self):
        return self.server.config_manager

    @property
    def kernel_spec_manager(self):
        return self.server.kernel_spec_manager

    @property
    def event_logger(self):  # what jupyter_server's kernels log their events to (they look for it two parents up)
        return self.server.event_logger


class PreheatedAppKernels(paced_pool(voila_kernel_manager_factory(AsyncMappingKernelManager, True, POOL_SIZE))):
    """jupyter_server's kernel manager keeping :data:`POOL_SIZE` kernel heated for the app's page (see the module)."""

    preheat_idle_seconds = Integer(PREHEAT_IDLE_SECONDS, config=True,
                                   help="Seconds the heated kernel is kept with no page of the app opened on the "
                                        "server (since it was heated or the last page, whichever came later); then "
                                        "it is shut down, and the next page, which starts a kernel of its own, has "
                                        "another heated.")

    def __init__(self, parent=None, **kwargs):
        self._waiting_since = time.monotonic()  # the last page of the app, or the heated kernel's heating if later
        self._let_go = False  # the heated kernel was shut down for want of pages, and not heated again yet
        super().__init__(parent=AppPageHost(parent), **kwargs)

    def get_pool_size(self, notebook_name: str) -> int:
        """The kernels heated for ``notebook_name``. Voila's page asks it on each page of the app, before it takes
        the heated kernel or, with none, starts one: that page is noted, and when the heated kernel had been let go
        (:meth:`cull_kernel_if_idle`), another is heated for the next page, once this one is built."""
        heated = super().get_pool_size(notebook_name)
        if notebook_name == self.notebook_path:
            self._waiting_since = time.monotonic()
            if heated == 0 and self._let_go:
                self._let_go = False
                self._heat_after_the_page()
        return heated

    def _heat_after_the_page(self) -> None:
        """Heat a kernel for the next page :data:`REFILL_LATEST` s from now, when the page that asks (which starts
        its own kernel) has been built, or at once when another page asks for the heated one, as after a page that
        took it (:func:`.voila_server.paced_pool`)."""
        self.hold_next_refill()
        self.fill_if_needed(delay=0, notebook_name=self.notebook_path)

    def _unasked_for(self) -> bool:
        """The heated kernel has waited :attr:`preheat_idle_seconds` with no page of the app in that time."""
        return time.monotonic() - self._waiting_since >= self.preheat_idle_seconds

    async def _initialize(self, notebook_path, kernel_id=None, **kwargs):
        heated = await super()._initialize(notebook_path, kernel_id, **kwargs)
        if kernel_id is None:  # a kernel for the pool (a restart passes its kernel's id)
            # Restarted after its process ended, it would be a bare kernel, without the app, that a page could take:
            # one that ended is replaced instead (cull_kernel_if_idle). A page that takes it has it restarted again.
            self.get_kernel(heated["kernel_id"]).stop_restarter()
            self._waiting_since = time.monotonic()  # it waits from now, also when the last page came long ago
        return heated

    async def get_rendered_notebook(self, notebook_name, *args, **kwargs):
        taken = await super().get_rendered_notebook(notebook_name, *args, **kwargs)
        kernel_id = taken[2]
        if kernel_id in self:
            kernel = self.get_kernel(kernel_id)
            kernel.last_activity = utcnow()  # its idle time counts from now: the page connects to it in a moment
            kernel.start_restarter()  # the page's kernel from now on, restarted as any other if its process ends
        return taken

    async def cull_kernel_if_idle(self, kernel_id: str):
        if not self._waits_in_pool(kernel_id):
            return await super().cull_kernel_if_idle(kernel_id)
        if self._unasked_for():
            self.log.info("No page of the app for %s s: the kernel heated for the next page is shut down, and "
                          "heated again after the next page", self.preheat_idle_seconds)
            self._take_out_of_pool(kernel_id)  # at once: a page from now on starts a kernel of its own
            self._let_go = True
            await self.shutdown_kernel(kernel_id, now=True)
            return None
        if not await self.get_kernel(kernel_id).is_alive():  # its process ended (killed, out of memory ...)
            self.log.warning("The kernel heated for the app's page ended: heating another")
            self._take_out_of_pool(kernel_id)
            await self.shutdown_kernel(kernel_id, now=True)
            self.fill_if_needed(delay=0, notebook_name=self.notebook_path)
        return None  # a pool kernel is not idle while pages come: it waits for the next one

    async def shutdown_all(self, now: bool = False) -> None:
        """The server's stop: the pool's kernel, heated or being heated, is ended at once (see the module); then the
        other kernels are shut down as jupyter_server shuts them down (gently, unless ``now``)."""
        self._stopping = True
        if self._refill_gate is not None:
            release_gate(self._refill_gate)  # a refill held back ends without a kernel (paced_pool)
        heating = [task for pool in self._pools.values() for task in pool]
        self._pools = {}  # nothing left for Voila's shutdown_all to wait for
        await asyncio.gather(*(self._end_at_once(task) for task in heating))
        await super().shutdown_all(now=now)

    async def _end_at_once(self, heating: asyncio.Task) -> None:
        """End the pool's kernel that ``heating`` starts and heats: the kernel is killed, as soon as it is launched
        if it is not yet, and the run of the notebook in it is cancelled."""
        try:
            heated = await heating  # at most the kernel's launch: a refill held back or not begun raises at once
        except Exception:  # the server is stopping (paced_pool), or the kernel failed to start
            return
        renderer, rendering = heated["renderer"], heated["task"]
        executor = getattr(renderer, "executor", None)  # runs the cells, once the kernel has answered
        renderer.stop_generator = True  # no cell after the one under way, which, cut short, is no error:
        for part in (renderer, executor):
            if part is not None:
                part.log = CUT_SHORT_LOG
        rendering.cancel()
        await asyncio.gather(rendering, return_exceptions=True)
        if executor is not None and executor.kc is not None:
            executor.kc.stop_channels()
        try:
            await self.shutdown_kernel(heated["kernel_id"], now=True)
        except Exception:  # it had ended (its process died): the stop goes on with the others
            self.log.debug("The kernel heated for the next page had ended before the server stopped", exc_info=True)

    def _pool_items(self, kernel_id: str):
        """The pool entries of ``kernel_id`` (heated, waiting for a page), each with its pool."""
        for pool in self._pools.values():
            for heating in pool:
                if heating.done() and not heating.cancelled() and heating.exception() is None \
                        and heating.result()["kernel_id"] == kernel_id:
                    yield pool, heating

    def _waits_in_pool(self, kernel_id: str) -> bool:
        return any(True for _ in self._pool_items(kernel_id))

    def _take_out_of_pool(self, kernel_id: str) -> None:
        for pool, heating in list(self._pool_items(kernel_id)):
            pool.remove(heating)
