"""The processes of an earlier JupyterHub of a data folder that still run: what ``careerconv hub`` names, and
does not start beside, when a hub of that folder did not stop (it still runs, or it was killed and left its
proxy and records service behind, as a hub of an older careerconv did).

A second hub of the same folder would have a records service of its own writing the same records, its
JupyterHub would stop the first hub's proxy (it finds its pid file in the state folder), and the first hub's
port would send coaches to a hub that no longer answers them; so the command says which processes are there and
what they listen on, and leaves them to their owner.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import psutil

from .ports import ports_of
from .processes import family

RECORDS_SERVICE = "careerconv.surfaces.commands.records_service"
HUB_SERVER = "careerconv.surfaces.commands.hub_server"
COACH_SERVER = "careerconv.surfaces.commands.singleuser_server"
PROXY = "configurable-http-proxy"
PROXY_PID_FILE = "jupyterhub-proxy.pid"  # JupyterHub's, in the folder it runs in (the hub's state folder)


@dataclass(frozen=True)
class Leftover:
    """A running process of an earlier hub: its id, what it is, and the ports it listens on (None: this process
    may not see them)."""

    pid: int
    what: str
    ports: tuple[int, ...] | None

    def describe(self) -> str:
        if self.ports is None:
            return f"pid {self.pid}: {self.what} (its ports are not visible to this account)"
        held = ", ".join(f"127.0.0.1:{port}" for port in self.ports) or "no port"
        return f"pid {self.pid}: {self.what}, listening on {held}"


def hub_leftovers(data: Path, state: Path) -> list[Leftover]:
    """The running processes of an earlier hub of the data folder ``data`` (or of the state folder ``state``),
    in order of their ids: a JupyterHub started for ``data`` and everything it started, a records service of
    ``data`` (also one whose hub is gone), the proxy of the pid file in ``state``, and the coaches' servers
    whose homes are in ``state``. Processes this one may not look at are left out."""
    data, state = Path(data).resolve(), Path(state).resolve()
    found: dict[int, psutil.Process] = {}
    for process in psutil.process_iter():
        try:
            args = process.cmdline()
            if _names_data(args, data):  # the records service, and the hub that started it if it still runs
                found[process.pid] = process
                if _is_hub(process.parent()):
                    found.update((p.pid, p) for p in family(process.ppid()))
            elif COACH_SERVER in args and _within(process.cwd(), state / "homes"):
                found[process.pid] = process
            elif HUB_SERVER in args and _within(process.environ().get("CAREERCONV_DATA", ""), data, exact=True):
                found.update((p.pid, p) for p in family(process.pid))
        except psutil.Error:  # ended meanwhile, or another user's
            continue
    proxy = _proxy_of(state)
    if proxy is not None:
        found[proxy.pid] = proxy
    found.pop(os.getpid(), None)
    leftovers = []
    for pid in sorted(found):
        try:
            what = _what(found[pid])
            try:
                ports: tuple[int, ...] | None = tuple(sorted(ports_of(found[pid])))
            except psutil.AccessDenied:
                ports = None
        except psutil.Error:  # ended meanwhile
            continue
        leftovers.append(Leftover(pid, what, ports))
    return leftovers


def leftovers_message(data: Path, leftovers: list[Leftover]) -> str:
    """What ``careerconv hub`` says when :func:`hub_leftovers` found processes: which, what they hold, what to do."""
    lines = "\n".join(f"  {leftover.describe()}" for leftover in leftovers)
    pids = " ".join(str(leftover.pid) for leftover in leftovers)
    return (f"an earlier hub of the data folder {data} is still running (or left these processes when it was "
            f"killed); a second hub would serve the same records beside it:\n{lines}\n"
            f"Stop that hub (Ctrl-C where it runs), or end these processes (kill {pids}), then start again.")


def _names_data(args: list[str], data: Path) -> bool:
    """True for a records service started with ``--data`` ``data``."""
    if RECORDS_SERVICE not in args or "--data" not in args[:-1]:
        return False
    return _within(args[args.index("--data") + 1], data, exact=True)


def _within(path: str, folder: Path, exact: bool = False) -> bool:
    if not path:
        return False
    resolved = Path(path).resolve()
    return resolved == folder or (not exact and folder in resolved.parents)


def _proxy_of(state: Path) -> psutil.Process | None:
    """The proxy whose id JupyterHub wrote into ``state``, if it still runs (and the id is still a proxy's)."""
    try:
        process = psutil.Process(int((state / PROXY_PID_FILE).read_text(encoding="utf-8").strip()))
        return process if any(PROXY in part for part in process.cmdline()) else None
    except (OSError, ValueError, psutil.Error):
        return None


def _is_hub(process: psutil.Process | None) -> bool:
    """True for JupyterHub as ``careerconv hub`` runs it or as ``jupyterhub`` runs."""
    if process is None:
        return False
    args = process.cmdline()
    return HUB_SERVER in args or any(Path(part).name == "jupyterhub" for part in args[:3])


def _what(process: psutil.Process) -> str:
    args = process.cmdline()
    if RECORDS_SERVICE in args:
        return "the records service (it reads and writes the data folder)"
    if _is_hub(process):
        return "JupyterHub"
    if any(PROXY in part for part in args):
        return "JupyterHub's proxy"
    if COACH_SERVER in args:
        return "a coach's server"
    return " ".join(args)[:80] or process.name()

