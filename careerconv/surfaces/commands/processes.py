"""The processes a command starts: tied to the command's life, and stopped with everything they started.

A server careerconv starts (Voila, JupyterHub) runs in a session of its own, so that a Ctrl-C in the terminal
reaches only the command, which then stops it in order. JupyterHub in turn starts its proxy, its services and
every user's server each in a session of their own: stopping the hub's session does not reach them, so
:func:`stop_family` finds them by who started whom (as :func:`family` lists them) instead.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

import psutil

STOP_GRACE = 10.0  # seconds a process has to end on SIGTERM before it is killed


def stop_with_parent() -> None:
    """In a started process before it runs (``preexec_fn``): on Linux, have the kernel send it SIGTERM if the
    thread that started it ends without stopping it (the command killed with SIGKILL, a test run that died);
    elsewhere nothing."""
    _parent_death_signal(signal.SIGTERM)


def end_with_parent(parent: int) -> None:
    """Have this process get SIGTERM when the process ``parent``, which started it, dies (on Linux; elsewhere
    nothing); if ``parent`` is already gone, end this process now.

    The kernel keeps the setting across ``exec`` (of a program that does not change its user), so a wrapper calls
    this and then execs the program it ties to ``parent`` (:mod:`.ends_with_parent`). It is cleared when the
    process changes its user, so a process that is to run as another user calls it after the change. The signal
    comes when the *thread* of ``parent`` that started this process ends: ``parent`` starts it from a thread
    that lives as long as ``parent`` does (its main thread).
    """
    if not _parent_death_signal(signal.SIGTERM):
        return
    if os.getppid() != parent:  # died before the setting was in place: nobody would send the signal
        os.kill(os.getpid(), signal.SIGTERM)


def _parent_death_signal(signum: signal.Signals) -> bool:
    """Linux's ``prctl(PR_SET_PDEATHSIG, signum)`` for this process; False where there is none."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    PR_SET_PDEATHSIG = 1
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signum) == 0
    except (OSError, AttributeError):
        return False


def stop_when_closed(fd: int) -> None:
    """Send this process SIGTERM once every holder of the write end of the pipe whose read end is ``fd`` has
    closed it, or died: watched by a thread of its own, so this returns at once.

    The starter of a process keeps the write end for as long as the process is to run, and gives it to nobody
    else: unlike the parent-death signal, which comes when the starting *thread* ends, this ties the process to
    the whole starting process, whichever thread started it and however it ends (SIGKILL too).
    """
    os.set_inheritable(fd, False)  # what this process starts does not keep the pipe

    def watch() -> None:
        while os.read(fd, 1):  # nothing is written; empty once the write end is closed everywhere
            pass
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name=f"stop when pipe {fd} closes", daemon=True).start()


def family(pid: int) -> list[psutil.Process]:
    """The process ``pid`` and every process it started, and they started, still running; empty if it is gone."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def stop_family(processes: list[psutil.Process], grace: float = STOP_GRACE) -> None:
    """Send SIGTERM to each of ``processes`` still running, and SIGKILL to those still running ``grace`` seconds
    later; return when all have ended.

    ``processes`` is listed before the first of them is stopped (:func:`family`): a process whose parent has
    ended is no longer listed as anyone's child. A :class:`psutil.Process` knows when it started, so a process
    that ended and whose number went to another is left alone.
    """
    running = []
    for process in processes:
        try:
            process.terminate()
            running.append(process)
        except psutil.NoSuchProcess:
            pass
    _gone, alive = psutil.wait_procs(running, timeout=grace)
    for process in alive:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=grace)


def interrupt_on(signals: tuple[signal.Signals, ...]) -> dict[int, object]:
    """Have the first of ``signals`` raise :exc:`KeyboardInterrupt` in the main thread, as Ctrl-C does, and the
    rest be ignored from then on, so that they do not cut short the stop the first one began; return the handlers
    there were (for :func:`signal.signal`).

    A signal started ignored (SIGINT, for a command a script starts in the background) or blocked is heeded too.
    """
    def interrupt(signum, _frame):
        for each in signals:
            signal.signal(each, signal.SIG_IGN)
        raise KeyboardInterrupt(signal.Signals(signum).name)

    signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)
    return {each: signal.signal(each, interrupt) for each in signals}
