"""JupyterHub as ``careerconv hub`` runs it: ``python -m careerconv.surfaces.commands.hub_server ARGS``
(JupyterHub's own arguments).

The same as ``python -m jupyterhub``, except that SIGTERM and SIGINT stop the hub together with its proxy, its
services and its users' servers at any moment. JupyterHub handles the two signals only once it has started:
one that came earlier (a test run stopped, ``kill`` while the hub was coming up) ended the hub at once, or was
not heeded at all when the hub had been started with SIGINT ignored (from a script in the background), and
the proxy, which runs in a session of its own, stayed on the hub's port. Here:

* both signals end the start as Ctrl-C does, from the first moment (SIGINT is heeded even when this process
  was started with it ignored, or either signal blocked);
* once the hub has started, JupyterHub's own handlers take over: it stops its services, servers and proxy;
* as this process ends, however it ends short of SIGKILL, whatever it started and is still running is
  stopped (:func:`careerconv.surfaces.commands.processes.stop_family`).

``careerconv hub`` starts this process with :func:`careerconv.surfaces.commands.processes.stop_with_parent`:
it also ends, and stops everything it started, when the process that started it dies.
"""

from __future__ import annotations

import os
import signal
import sys

from .processes import family, interrupt_on, stop_family

STOPPING = (signal.SIGTERM, signal.SIGINT)


def main(argv: list[str] | None = None) -> int:
    """Run JupyterHub with ``argv``; return its exit code."""
    interrupt_on(STOPPING)  # JupyterHub puts its own handlers in place once it has started
    from jupyterhub.app import JupyterHub

    code = 0
    try:
        JupyterHub.launch_instance(argv)
    except KeyboardInterrupt:
        code = 128 + signal.SIGINT
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        for signum in STOPPING:  # a signal now does not cut this short
            signal.signal(signum, signal.SIG_IGN)
        stop_family(family(os.getpid())[1:])
    return code


if __name__ == "__main__":
    sys.exit(main())
