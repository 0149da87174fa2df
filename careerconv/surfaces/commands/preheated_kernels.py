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
  another page asks). It costs one more kernel (some 200 MB) per running coach's server.
* **The pool's kernel is never ended for being idle**: nobody is connected to it, but it is no tab closed or
  reloaded (Voila's manager leaves it out of the idle cull). A pool kernel that died is shut down by the cull and
  the pool heated again, so no page gets a dead kernel.
* **A page's idle time counts from when it took its kernel**: the pool's kernel may have waited longer than the
  idle timeout, and the page's connection comes a moment after the page took it; the cull must not end it then.
  Once the page has gone, its kernel is ended as any other (``--MappingKernelManager.cull_*``).
* When the server stops (signed out, stopped by the hub), its kernels stop with it, the pool's too.

Voila's preheating kernel manager reads what it needs from its parent, which it takes to be Voila's application
(the notebook, the templates, the server's address); here its parent is :class:`AppPageHost`, which gives it those
from the jupyter_server it runs in, with Voila's configuration as the server extension reads it.
"""

from __future__ import annotations

import os

from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from jupyter_server.utils import ensure_async
from traitlets.config import LoggingConfigurable
from voila.configuration import VoilaConfiguration
from voila.paths import collect_template_paths
from voila.server_extension import load_config_file
from voila.voila_kernel_manager import voila_kernel_manager_factory

from careerconv.records.resources import APP_NOTEBOOK
from .voila_server import paced_pool

POOL_SIZE = 1  # kernels kept heated for the app's page


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

    def __init__(self, parent=None, **kwargs):
        super().__init__(parent=AppPageHost(parent), **kwargs)

    async def get_rendered_notebook(self, notebook_name, *args, **kwargs):
        taken = await super().get_rendered_notebook(notebook_name, *args, **kwargs)
        kernel_id = taken[2]
        if kernel_id in self:  # its idle time counts from now: the page connects to it in a moment
            self.get_kernel(kernel_id).last_activity = utcnow()
        return taken

    def _pool_kernel_state(self, kernel_id: str) -> str | None:
        """The execution state of ``kernel_id`` if it waits in the pool, else None."""
        for pool in self._pools.values():
            for heating in pool:
                if heating.done() and not heating.exception() and heating.result().get("kernel_id") == kernel_id:
                    return getattr(self.get_kernel(kernel_id), "execution_state", None) or "starting"
        return None

    async def cull_kernel_if_idle(self, kernel_id: str):
        if self._pool_kernel_state(kernel_id) == "dead":
            self.log.warning("The preheated kernel %s of %s died: heating another", kernel_id, self.notebook_path)
            await ensure_async(self.shutdown_kernel(kernel_id))  # Voila's takes it out of the pool
            self.fill_if_needed(delay=0, notebook_name=self.notebook_path)
            return None
        return await super().cull_kernel_if_idle(kernel_id)  # Voila's leaves a pool kernel alone
