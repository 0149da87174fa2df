"""``python -m careerconv.surfaces.commands.ends_with_parent PID COMMAND [ARGUMENT ...]``: run COMMAND in this
process (``exec``), to be ended with SIGTERM when the process PID, which started it, dies.

JupyterHub starts its proxy, its services and (with a local spawner) every user's server each in a session of
its own and without a tie to the hub: a hub killed with SIGKILL (the OOM killer, ``kill -9``, a container
runtime) left them running, holding their ports, the records service answering over the data folder. The
packaged ``jupyterhub_config.py`` starts each of them through this module with the hub's own process id, so
they end with the hub however it ends (:func:`.processes.end_with_parent`: on Linux). The program keeps this
process and its id, which JupyterHub watches and stops.
"""

from __future__ import annotations

import os
import sys

from .processes import end_with_parent

USAGE = "usage: python -m careerconv.surfaces.commands.ends_with_parent PID COMMAND [ARGUMENT ...]"


def main(argv: list[str]) -> None:
    """Tie this process to the process ``argv[0]`` and replace it with the command ``argv[1:]``.

    Exits with a message naming what is wrong when the process id is not a number or no command is given.
    """
    if len(argv) < 2 or not argv[0].isdigit():
        sys.exit(f"{USAGE}\n(got {' '.join(argv) or 'nothing'}: PID is the number of the parent process)")
    end_with_parent(int(argv[0]))
    try:
        os.execvp(argv[1], argv[1:])
    except OSError as exc:
        sys.exit(f"ends_with_parent: cannot run {argv[1]!r}: {exc}")


if __name__ == "__main__":
    main(sys.argv[1:])
