"""The kernel manager of ``careerconv app``'s server (Voila or JupyterLab): a kernel stopped while it is still
starting (the app stopped within a second or two of ``careerconv app``) is ended at once, silently.

jupyter_client stops a kernel by interrupting it (SIGINT), asking it to shut down, waiting, then terminating
it. A kernel still starting has no handler for SIGINT yet, and Python prints a ``KeyboardInterrupt``
traceback from the middle of its imports into the terminal; not interrupted, it goes on starting while the
server stops and removes its connection file, then makes settings of its own (TCP, a key the server does not
know) and warns about them. Such a kernel has run nothing - no record to save - so it is killed at once. One the
server was still launching as it stopped, which it cannot kill, is started through
:mod:`careerconv.surfaces.commands.kernel_launcher`: it ends by itself when it finds its connection file gone.
A kernel that has started (it has told the server it is busy or idle) is stopped as before: interrupted,
asked to shut down (the app saves what is pending), terminated only if it does not.

A kernel asked to shut down while it runs a cell cannot send that cell's reply, and ipykernel logs a
traceback for it; every ipykernel is therefore started with :mod:`careerconv.surfaces.app.kernel_log` as an
extension, which keeps that one record out of the terminal from the kernel's first cell on.

Named in the server's config file (``MappingKernelManager.kernel_manager_class``, see
:func:`careerconv.surfaces.commands.app.server_config`). This module imports only jupyter_server's kernel
manager, which the server has imported already.
"""

from __future__ import annotations

import os
import sys

from jupyter_server.services.kernels.kernelmanager import ServerKernelManager

STILL_STARTING = (None, "starting")  # the execution states of a kernel that has not answered yet
KERNEL_LOG = "careerconv.surfaces.app.kernel_log"  # its EXTENSION (not imported here: the server needs none of it)
IPYKERNEL_LAUNCHER = "ipykernel_launcher"  # the module a Python kernelspec runs (python -m ipykernel_launcher)
KERNEL_LAUNCHER = "careerconv.surfaces.commands.kernel_launcher"  # runs in its place (see that module)


def kernel_command(cmd: list[str], python: str = sys.executable) -> list[str]:
    """A kernelspec's command as careerconv's server runs it: an ipykernel also loads :data:`KERNEL_LOG`, and one
    run by ``python`` (the server's own, which has careerconv) with ``-m ipykernel_launcher`` is run with ``-m``
    :data:`KERNEL_LAUNCHER` instead; another kernel's command is kept (its Python may not have careerconv)."""
    if not any("ipykernel" in part for part in cmd):
        return list(cmd)
    ours = bool(cmd) and _same_file(cmd[0], python)
    launched = [KERNEL_LAUNCHER if ours and part == IPYKERNEL_LAUNCHER and cmd[i - 1:i] == ["-m"] else part
                for i, part in enumerate(cmd)]
    return [*launched, f"--IPKernelApp.extensions={KERNEL_LOG}"]


def _same_file(one: str, other: str) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:  # a bare name found on PATH, or gone
        return False


class QuietStartKernelManager(ServerKernelManager):
    """jupyter_server's kernel manager; a kernel still starting is killed when stopped, not interrupted."""

    async def _async_shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
        if not restart and self.execution_state in STILL_STARTING:
            now = True
        await super()._async_shutdown_kernel(now=now, restart=restart)

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        """The kernelspec's command; an ipykernel also loads :data:`KERNEL_LOG` as it starts, and one started
        with ``-m ipykernel_launcher`` is started with :data:`KERNEL_LAUNCHER` instead (it ends if the server
        has stopped before it could read its connection file)."""
        return kernel_command(super().format_kernel_cmd(extra_arguments))

    shutdown_kernel = _async_shutdown_kernel  # the name the server calls (jupyter_client binds its own)

    async def _async_interrupt_kernel(self) -> None:
        if self.shutting_down and self.execution_state in STILL_STARTING:
            return
        await super()._async_interrupt_kernel()
