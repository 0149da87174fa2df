"""A coach's server on the hub: ``jupyterhub-singleuser`` as the hub's spawner starts it
(``python -m careerconv.surfaces.commands.singleuser_server ARGS``, JupyterHub's own arguments).

The same as ``jupyterhub-singleuser``, less one import that costs seconds at every spawn
(:mod:`.slow_imports`: 1.3 s of a server's start on an idle core, more when many coaches log in at once).
"""

from __future__ import annotations

import sys

from .slow_imports import skip_slow_optional_modules


def main(argv: list[str] | None = None) -> int:
    """Run ``jupyterhub-singleuser`` with ``argv`` (default: this process's arguments)."""
    skip_slow_optional_modules()
    from jupyterhub.singleuser import main as singleuser_main

    sys.argv = ["jupyterhub-singleuser", *(sys.argv[1:] if argv is None else argv)]
    return singleuser_main() or 0


if __name__ == "__main__":
    sys.exit(main())
