"""Kernel-side half of the batch runner: clearing a warm kernel between two reports.

The runner calls :func:`reset_namespace` in each warm kernel before every
report (see :mod:`careerconv.surfaces.report.runner`). This module is imported inside
the kernel, so it imports nothing heavy.
"""

from __future__ import annotations

import gc
import sys
from typing import Any

__all__ = ["IPYTHON_NAMES", "reset_namespace", "leftover_names"]

# Public names IPython itself puts into a fresh user namespace.
IPYTHON_NAMES = frozenset({"In", "Out", "get_ipython", "exit", "quit", "open"})


def reset_namespace(shell: Any, collect: bool = False) -> None:
    """Clear an IPython shell as a fresh kernel would be, for the next report.

    IPython's own ``reset(new_session=True)``: every user variable, the output
    cache (``_``, ``Out``) and the input history are dropped and the execution
    counter restarts at 1. Also dropped: the last exception (``sys.last_value``
    and friends, which hold a traceback with the previous report's locals) and
    any pyplot figure.

    ``reset`` ends with a full garbage collection, which costs more than the
    rest of the reset with pandas and matplotlib loaded (~0.2 s); it is skipped
    unless ``collect`` is true (the runner asks for one every so many reports).
    Nothing depends on it: the objects are unreachable either way, and Python's
    own collector frees the cycles among them.

    Parameters
    ----------
    shell
        The kernel's ``InteractiveShell`` (``get_ipython()``).
    collect
        Run the full garbage collection as well.

    Raises
    ------
    RuntimeError
        If any user name is left afterwards.
    """
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")
    for name in ("last_type", "last_value", "last_traceback", "last_exc"):
        sys.__dict__.pop(name, None)
    full_collect = gc.collect
    if not collect:
        gc.collect = lambda *args, **kwargs: 0
    try:
        shell.reset(new_session=True)
    finally:
        gc.collect = full_collect
    left = leftover_names(shell)
    if left:
        raise RuntimeError(f"names left in the namespace after reset: {', '.join(left)}")


def leftover_names(shell: Any) -> list[str]:
    """User names in the shell's namespace beyond what IPython itself puts there."""
    return sorted(k for k in shell.user_ns if not k.startswith("_") and k not in IPYTHON_NAMES)
