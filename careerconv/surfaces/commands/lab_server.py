"""JupyterLab as ``careerconv app --lab`` runs it: ``python -m careerconv.surfaces.commands.lab_server ARGS``
(JupyterLab's own arguments).

The same as ``python -m jupyterlab``, less what would reach the terminal without saying anything to the
person running the app, whose terminal shows ``careerconv app``'s own lines:

* ``DeprecationWarning`` s of the server's packages (:func:`_no_deprecation_warnings`), which are for their
  developers: "ServerApp.token config is deprecated" (the token is given the current way,
  ``IdentityProvider.token``, see :func:`careerconv.surfaces.commands.app.server_config`; ``notebook_shim``
  reads every setting of the server, the old one too), traitlets' own when Voila, a server extension,
  switches those on. Filters cannot keep them out (each package may put its own ahead of them), so they
  are dropped where warnings are shown. The kernels are other processes: the notebook's code still sees
  its warnings.
* the server's "received signal 15, stopping": the command itself says it is stopping, and why.
* the extensions' start-up notes (``LabApp`` at INFO): the server's own log level is WARN already.
* asyncio's traceback of a message sent to a page that had just closed (:mod:`.closed_pages`).

The kernels run over Unix sockets (``KernelManager.transport = "ipc"`` in the config file), so the
kernel does not warn that it runs over TCP without encryption either. As for Voila
(:mod:`.voila_server`), ``rfc3987_syntax`` is not imported (:mod:`.slow_imports`). Any other line still shows.
"""

from __future__ import annotations

import logging
import sys
import warnings

from .closed_pages import quiet_closed_page_writes
from .slow_imports import skip_slow_optional_modules

SERVER_LOGGER = "ServerApp"


class QuietStopSignal(logging.Filter):
    """Drops the server's "received signal N, stopping" (the command says it is stopping)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.msg != "received signal %s, stopping"


def _no_deprecation_warnings() -> None:
    """Show this process's warnings as before, less ``DeprecationWarning`` and ``PendingDeprecationWarning``."""
    show = warnings.showwarning

    def showwarning(message, category, filename, lineno, file=None, line=None):
        if not issubclass(category, (DeprecationWarning, PendingDeprecationWarning)):
            show(message, category, filename, lineno, file, line)

    warnings.showwarning = showwarning


def main(argv: list[str] | None = None) -> int:
    """Run JupyterLab with ``argv`` (default: this process's arguments)."""
    skip_slow_optional_modules()
    logging.getLogger(SERVER_LOGGER).addFilter(QuietStopSignal())
    quiet_closed_page_writes()
    _no_deprecation_warnings()
    from jupyterlab.labapp import LabApp

    sys.argv = ["jupyter-lab", *(sys.argv[1:] if argv is None else argv)]
    return LabApp.launch_instance() or 0


if __name__ == "__main__":
    sys.exit(main())
