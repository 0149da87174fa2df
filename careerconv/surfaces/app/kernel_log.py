"""The app's kernel log: one harmless traceback kept out of the coach's terminal.

When ``careerconv app`` is stopped while its kernel is still running the notebook (any cell, the parameters
cell included), the server asks the kernel to shut down; the kernel closes its sockets while the cell's reply
is still on its way, and ipykernel logs the failed send as an ERROR with a ``ZMQError`` traceback, which lands
in the terminal the coach started the app from. Nothing is lost (the page is gone, the kernel is ending), so
that one record is dropped; every other message of the kernel still shows.

The filter must be in place before the kernel runs its first cell, so ``careerconv app``'s kernel manager
starts every kernel with this module as an IPython extension
(:class:`careerconv.surfaces.commands.server_kernels.QuietStartKernelManager`); the notebook installs it
too (:mod:`.launch`), for kernels started by another Jupyter. Imports only the standard library.
"""

from __future__ import annotations

import errno
import logging

EXTENSION = __name__  # the name a kernel is started with: --IPKernelApp.extensions=<this module>


class ReplyAfterShutdown(logging.Filter):
    """Drops the kernel's "Exception in message handler" whose exception is a socket already closed
    (``ENOTSOCK``): a reply that could not go out because the server was stopping the kernel."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not (type(exc).__name__ == "ZMQError" and getattr(exc, "errno", None) == errno.ENOTSOCK)


def quiet_closed_sockets() -> None:
    """In a kernel: add :class:`ReplyAfterShutdown` to the kernel's loggers (once). Outside a kernel this
    does nothing."""
    try:
        from ipykernel.kernelapp import IPKernelApp
    except ImportError:  # pragma: no cover - ipykernel is a dependency
        return
    if not IPKernelApp.initialized():
        return
    app = IPKernelApp.instance()
    for logger in {app.log, getattr(getattr(app, "kernel", None), "log", None)} - {None}:
        if not any(isinstance(f, ReplyAfterShutdown) for f in logger.filters):
            logger.addFilter(ReplyAfterShutdown())


def load_ipython_extension(ipython) -> None:  # noqa: ARG001 - IPython's extension hook
    """IPython's hook for ``--IPKernelApp.extensions``: called while the kernel starts, before any cell."""
    quiet_closed_sockets()
