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

``careerconv hub`` (:class:`careerconv.surfaces.commands.hub.Hub`) gives this process the read end of a pipe
(its number in :data:`STARTER_PIPE`) whose write end the starter keeps: when the starter dies, from whichever
thread it started the hub, this process stops as on SIGTERM, and everything it started with it
(:func:`careerconv.surfaces.commands.processes.stop_when_closed`). What JupyterHub starts ends with this process
even when it is killed with SIGKILL (:mod:`careerconv.surfaces.commands.ends_with_parent`).
"""

from __future__ import annotations

import os
import signal
import sys

from .processes import family, interrupt_on, stop_family, stop_when_closed

STOPPING = (signal.SIGTERM, signal.SIGINT)
STARTER_PIPE = "CAREERCONV_HUB_STARTER_PIPE"  # the number of the starter's pipe's read end, if it gives one


def main(argv: list[str] | None = None) -> int:
    """Run JupyterHub with ``argv``; return its exit code."""
    interrupt_on(STOPPING)  # JupyterHub puts its own handlers in place once it has started
    pipe = os.environ.pop(STARTER_PIPE, "")  # not handed on to what the hub starts
    if pipe:
        stop_when_closed(int(pipe))
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
