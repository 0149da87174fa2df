"""Stop signals held back while a block runs, so that what the block writes is written whole.

Used by the command line (``careerconv app`` prints its URL and the lines around it whole) and by the report batch
(a report's files are written whole before a stopped batch ends). The standard library only: ``careerconv app``
imports it and still starts without papermill or pandas.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

__all__ = ["signals_held"]


@contextlib.contextmanager
def signals_held(*signums: int) -> Iterator[None]:
    """Hold ``signums`` (e.g. ``signal.SIGINT, signal.SIGTERM``) back while the block runs; as it ends, their
    handlers are set back and the first that came meanwhile is raised again, handled as it would have been (Ctrl-C:
    KeyboardInterrupt). Those that came after the first are dropped: one stop is one stop.

    Only the main thread takes signals: in another thread (a Dask worker's, a kernel's) nothing is held and the block
    runs as it is. A signal whose handler was not set from Python (:func:`signal.getsignal` gives None) is not held,
    since its handler could not be set back.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    came: list[int] = []
    previous = {signum: signal.signal(signum, lambda number, _frame: came.append(number))
                for signum in signums if signal.getsignal(signum) is not None}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if came:
            signal.raise_signal(came[0])
