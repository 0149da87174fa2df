"""Stop signals: held back while a block runs, so that what the block writes is written whole; SIGTERM stopping a
command as Ctrl-C does, and the words and exit code of either stop.

Used by the command line (``careerconv app`` prints its URL and the lines around it whole; ``careerconv report`` is
stopped by a scheduler's SIGTERM and says so) and by the report batch (a report's files are written whole before a
stopped batch ends). The standard library only: ``careerconv app`` imports it and still starts without papermill or
pandas.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator

__all__ = ["StoppedBySigterm", "forget_caught_ctrl_c", "how_stopped", "signals_held", "stopped_once"]


@contextlib.contextmanager
def signals_held(*signums: int, saying: str | None = None) -> Iterator[None]:
    """Hold ``signums`` (e.g. ``signal.SIGINT, signal.SIGTERM``) back while the block runs; as it ends, their
    handlers are set back and the first that came meanwhile is raised again, handled as it would have been (Ctrl-C:
    KeyboardInterrupt). Those that came after the first are dropped: one stop is one stop. With ``saying``, the first
    that comes has that line written to stderr at once: for a block that may take a while, so that a person who
    pressed Ctrl-C learns that the stop was heard and what it waits for.

    Only the main thread takes signals: in another thread (a Dask worker's, a kernel's) nothing is held and the block
    runs as it is. A signal whose handler was not set from Python (:func:`signal.getsignal` gives None) is not held,
    since its handler could not be set back.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    came: list[int] = []

    def hold(number: int, _frame) -> None:
        if not came and saying:
            print(saying, file=sys.stderr, flush=True)
        came.append(number)

    previous = {signum: signal.signal(signum, hold) for signum in signums if signal.getsignal(signum) is not None}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if came:
            signal.raise_signal(came[0])


class StoppedBySigterm(KeyboardInterrupt):
    """SIGTERM (a scheduler's, a ``kill``) stopping a command as Ctrl-C does (:func:`stopped_once`)."""


@contextlib.contextmanager
def stopped_once(*, for_good: bool = False) -> Iterator[None]:
    """While the block runs, the first stop stops it: SIGTERM (a scheduler's, a ``kill``) raises
    :class:`StoppedBySigterm` in the main thread as Ctrl-C raises KeyboardInterrupt, so that what the block started is
    shut down on the way out and the command says it was stopped (found by a hostile test: SIGTERM to ``report --all
    --dask`` ended with no message but "12 leaked semaphore objects"). The stops that come after the first are
    dropped: one stop is one stop, and a stopped command shuts down and says so whole.

    As the block ends, the handlers are set back; with ``for_good``, for a process that ends with the block, a stopped
    command's handlers are set to ignore both signals instead: Python then tears itself down, up to a second, and a
    stop meanwhile ended the process by SIGINT after the command's own line (found: a second Ctrl-C 0.5 s after an
    early first ended 8 batches in 12 so, status -2). Ctrl-C is taken over only where Python's own handler has it
    (a command started in the background with SIGINT ignored keeps it ignored). In another thread (which takes no
    signal) the block runs as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    came: list[int] = []

    def stop(signum: int, _frame) -> None:
        if came:
            return  # one stop is one stop
        came.append(signum)
        raise StoppedBySigterm if signum == signal.SIGTERM else KeyboardInterrupt

    taken = [signal.SIGTERM] + [signal.SIGINT] * (signal.getsignal(signal.SIGINT) is signal.default_int_handler)
    before = {signum: signal.signal(signum, stop) for signum in taken}
    try:
        yield
    finally:
        for signum, handler in before.items():
            signal.signal(signum, signal.SIG_IGN if came and for_good else handler)


def how_stopped(stopped: KeyboardInterrupt) -> tuple[str, int]:
    """What a command says it was (``"interrupted"`` by Ctrl-C, ``"stopped by SIGTERM"``) and its exit code (128 and
    the signal's number, as a shell reports a process that signal ended)."""
    if isinstance(stopped, StoppedBySigterm):
        return "stopped by SIGTERM", 128 + signal.SIGTERM
    return "interrupted", 128 + signal.SIGINT


def forget_caught_ctrl_c() -> None:
    """Have Python forget a Ctrl-C the program caught, so that it ends with the exit code the program gives: call it
    as a command that was stopped ends (:func:`careerconv.cli.main` does, after every command).

    CPython (3.11, 3.12 and 3.13 here) notes a KeyboardInterrupt that leaves code it runs from text (``exec`` or
    ``eval`` of a string: ``dataclasses``, ``namedtuple`` and ``typing`` run such code for every class they make, so
    while modules are imported) as never caught, even when the program catches it later, and ``python -m`` then ends
    the process by SIGINT after the program's own ``sys.exit(130)`` (found: about 1 early Ctrl-C in 40 of
    ``python -m careerconv.cli report --all --dask local:2`` ended so, status -2, after the batch's own line). Running
    code from text again clears the note.
    """
    exec("pass")  # a string, not a code object: the note is cleared as Python starts running text
