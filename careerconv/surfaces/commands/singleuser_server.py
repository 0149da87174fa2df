"""A coach's server on the hub: ``jupyterhub-singleuser`` as the hub's spawner starts it
(``python -m careerconv.surfaces.commands.singleuser_server ARGS``, JupyterHub's own arguments), serving the coach's
app and nothing else.

The same as ``jupyterhub-singleuser``, less one import that costs seconds at every spawn
(:mod:`.slow_imports`: 1.3 s of a server's start on an idle core, more when many coaches log in at once), and
with :func:`app_only_arguments`: a coach's server runs no code the coach sends. As ``jupyterhub-singleuser``
it would offer JupyterLab at ``/user/<login>/lab`` and run any code in a kernel: on a hub whose servers run as
one Unix account (the ``simple`` spawner of ``careerconv hub``) that code reads the records service's data
folder, access log and the hub's secrets directly, past every rule of the service.

**The hub's stop (SIGINT) stops the server in order** (:func:`stop_in_order_on_sigint`), as a SIGTERM does: the
server shuts its kernels down (the one heated for the next page at once, :mod:`.preheated_kernels`), then ends.
jupyter_server heeds SIGINT so only when its stdin is a terminal (to ask "Shut down this Jupyter server?"); the hub
starts its servers with none, and there SIGINT raised KeyboardInterrupt wherever the loop was: the server ended
without shutting a kernel down, and a task caught mid-way that had handed a file read to a worker thread (anyio's,
which the process waits for as it exits) left the process waiting for ever. The hub, which waits 10 s at sign-out,
sent SIGTERM 30 s later (to a loop no longer running) and SIGKILL 30 s after that: the coach's server was still
listed a minute after sign-out, and starting it again was refused meanwhile. Such a task is the heating of the
kernel for the next page, which reads the app's notebook as the server starts: just when a coach who signed in by
mistake signs out.
"""

from __future__ import annotations

import os
import signal
import sys

from .closed_pages import quiet_closed_page_writes
from .slow_imports import skip_slow_optional_modules

VOILA = "voila.server_extension"
# What the app's page sends its kernel: the kernel's info and the widgets' messages. Never code (execute_request),
# completion or inspection of names, the debugger, or input.
APP_KERNEL_MESSAGES = ("kernel_info_request", "comm_info_request", "comm_open", "comm_msg", "comm_close")
READ_ONLY_CONTENTS = "careerconv.surfaces.commands.read_only_contents.ReadOnlyContents"
PREHEATED_KERNELS = "careerconv.surfaces.commands.preheated_kernels.PreheatedAppKernels"  # see that module
# A kernel no page is connected to (a tab closed or reloaded: each page load starts one) ends after this many seconds
# idle (the hub's CAREERCONV_HUB_KERNEL_IDLE_SECONDS, passed on as IDLE_SETTING), checked every third of that, at most
# every KERNEL_CULL_EVERY seconds; a kernel a page is connected to is never ended for being idle, nor is the one heated
# for the next page (PREHEATED_KERNELS) by this time, but by its own (PREHEAT_IDLE_SECONDS).
KERNEL_IDLE_SECONDS = 180
KERNEL_CULL_EVERY = 60
IDLE_SETTING = "CAREERCONV_KERNEL_IDLE_SECONDS"
# The kernel heated for the next page is shut down once no page of the app was opened on the server for this many
# seconds (the hub's CAREERCONV_HUB_PREHEAT_IDLE_SECONDS, passed on as PREHEAT_IDLE_SETTING; 0: no kernel heated).
PREHEAT_IDLE_SECONDS = 1800
PREHEAT_IDLE_SETTING = "CAREERCONV_PREHEAT_IDLE_SECONDS"


def app_only_arguments() -> list[str]:
    """The server's settings that leave it the app: every server extension installed but Voila off (JupyterLab,
    its language servers, terminals ...), kernels that take only :data:`APP_KERNEL_MESSAGES` over their
    websocket and, once no page is connected to them, end :data:`KERNEL_IDLE_SECONDS` (or :data:`IDLE_SETTING`'s)
    after their last use (within a third of that more, at most :data:`KERNEL_CULL_EVERY`), one kernel kept heated
    with the app's notebook run in it for the next page (:data:`PREHEATED_KERNELS`) while pages come (within
    :data:`PREHEAT_IDLE_SECONDS`, or :data:`PREHEAT_IDLE_SETTING`'s, of one another; 0: none kept), and the app's
    notebook alone, which no request writes or removes (:class:`.read_only_contents.ReadOnlyContents`)."""
    from jupyter_core.paths import jupyter_config_path
    from jupyter_server.extension.config import ExtensionConfigManager

    installed = ExtensionConfigManager(read_config_path=jupyter_config_path()).get_jpserver_extensions()
    idle = int(os.environ.get(IDLE_SETTING) or KERNEL_IDLE_SECONDS)  # the hub's configuration checked it
    preheat_idle = int(os.environ.get(PREHEAT_IDLE_SETTING) or PREHEAT_IDLE_SECONDS)  # ... and this
    extensions = {name: False for name in installed} | {VOILA: True}
    return [f"--ServerApp.jpserver_extensions={extensions!r}",
            f"--MappingKernelManager.allowed_message_types={list(APP_KERNEL_MESSAGES)!r}",
            # a kernel no page is connected to (a page closed or reloaded, or one started and never used) is ended
            # within minutes: each holds some 165 MB of a machine every coach shares (two coaches reloading for 8
            # minutes held 14 of them, 2.3 GB, when they lived half an hour)
            f"--MappingKernelManager.cull_idle_timeout={idle}",
            f"--MappingKernelManager.cull_interval={min(KERNEL_CULL_EVERY, max(idle // 3, 1))}",
            "--MappingKernelManager.cull_connected=False",
            f"--ServerApp.contents_manager_class={READ_ONLY_CONTENTS}"] + preheated_arguments(preheat_idle)


def preheated_arguments(preheat_idle: int) -> list[str]:
    """The app's page takes a kernel that has run the app's notebook already (seconds sooner), kept while pages come
    (no page for ``preheat_idle`` s: shut down, heated again after the next page; 0: none kept, each page starts
    its kernel); a page's kernel is culled as any once the page has gone."""
    if preheat_idle == 0:
        return []
    return [f"--ServerApp.kernel_manager_class={PREHEATED_KERNELS}",
            f"--PreheatedAppKernels.preheat_idle_seconds={preheat_idle}"]


def stop_in_order_on_sigint(server_app_class: type) -> None:
    """Have servers of ``server_app_class`` (jupyter_server's ``ServerApp``) stop in order on SIGINT, as on SIGTERM,
    whatever their stdin (see the module's docstring): the signal handlers it installs, then SIGINT's."""
    install_handlers = server_app_class.init_signal

    def init_signal(self) -> None:
        install_handlers(self)
        signal.signal(signal.SIGINT, self._signal_stop)

    server_app_class.init_signal = init_signal


def main(argv: list[str] | None = None) -> int:
    """Run ``jupyterhub-singleuser`` with ``argv`` (default: this process's arguments) and
    :func:`app_only_arguments` after them, stopping in order on SIGINT (:func:`stop_in_order_on_sigint`)."""
    skip_slow_optional_modules()
    from jupyter_server.serverapp import ServerApp
    from jupyterhub.singleuser import main as singleuser_main

    stop_in_order_on_sigint(ServerApp)
    quiet_closed_page_writes()  # a coach closing their page is no traceback in the hub's log

    sys.argv = ["jupyterhub-singleuser", *(sys.argv[1:] if argv is None else argv), *app_only_arguments()]
    return singleuser_main() or 0


if __name__ == "__main__":
    sys.exit(main())
