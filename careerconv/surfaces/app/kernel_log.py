"""The app's kernel log: two harmless records of a kernel being stopped kept out of the coach's terminal.

When ``careerconv app`` is stopped while its kernel is still running the notebook (any cell, the parameters
cell included), the server interrupts the kernel (SIGINT) and asks it to shut down. Two records then reach the
terminal the coach started the app from, neither of them a problem:

- the kernel closes its sockets while the cell's reply is still on its way, and ipykernel logs the failed
  send as an ERROR with a ``ZMQError`` traceback;
- the interrupt lands between two steps of a message (not inside the cell, which would report it as the
  cell's error), and ipykernel logs ``KeyboardInterrupt caught in kernel.`` as an ERROR.

Nothing is lost (the page is gone, the kernel is ending), so those records are dropped; every other message
of the kernel still shows.

The filter must be in place before the kernel runs its first cell, so ``careerconv app``'s kernel manager
starts every kernel with this module as an IPython extension
(:class:`careerconv.surfaces.commands.server_kernels.QuietStartKernelManager`); the notebook installs it
too (:mod:`.launch`), for kernels started by another Jupyter. Imports only the standard library.
"""

from __future__ import annotations

import errno
import logging

EXTENSION = __name__  # the name a kernel is started with: --IPKernelApp.extensions=<this module>


INTERRUPT_CAUGHT = "KeyboardInterrupt caught in kernel"  # ipykernel's record of a SIGINT between two steps


class StoppingNoise(logging.Filter):
    """Drops the kernel's two records of being stopped by the server: an "Exception in message handler" whose
    exception is a socket already closed (``ENOTSOCK``, a reply that could not go out), and
    "KeyboardInterrupt caught in kernel" (the server's interrupt before it asks the kernel to shut down)."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if type(exc).__name__ == "ZMQError" and getattr(exc, "errno", None) == errno.ENOTSOCK:
            return False
        return not (exc is None and str(record.msg).startswith(INTERRUPT_CAUGHT))


def quiet_stopping() -> None:
    """In a kernel: add :class:`StoppingNoise` to the kernel's loggers (once). Outside a kernel this
    does nothing."""
    try:
        from ipykernel.kernelapp import IPKernelApp
    except ImportError:  # pragma: no cover - ipykernel is a dependency
        return
    if not IPKernelApp.initialized():
        return
    app = IPKernelApp.instance()
    for logger in {app.log, getattr(getattr(app, "kernel", None), "log", None)} - {None}:
        if not any(isinstance(f, StoppingNoise) for f in logger.filters):
            logger.addFilter(StoppingNoise())


def load_ipython_extension(ipython) -> None:  # noqa: ARG001 - IPython's extension hook
    """IPython's hook for ``--IPKernelApp.extensions``: called while the kernel starts, before any cell."""
    quiet_stopping()
