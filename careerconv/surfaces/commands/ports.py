"""Which port on 127.0.0.1 a server of careerconv takes, and whether the server that answers there is ours.

A port that is free when it is chosen may be taken before the server binds it: two ``careerconv hub`` (or
``careerconv app``) started at once both find the same port free, one server gets it, and the other, whose
bind failed, would have found its port answering and taken the first one's server for its own (a test run saw
12 hub tests get 403 from the other hub). So a command does not trust the choice: it waits until a process of
its own server (:func:`listens`) listens on the port, and if another process holds it (:func:`taken_by_another`)
it stops its server and starts it again on the next free port (:exc:`PortTaken`).
"""

from __future__ import annotations

import os
import socket

import psutil

from .processes import family

HOST = "127.0.0.1"
PORT_TRIES = 50


class PortTaken(Exception):
    """The port chosen for a server (:attr:`port`) is held by a process that is not that server's."""

    def __init__(self, port: int):
        super().__init__(f"port {port} on {HOST} is held by a process that is not this server's")
        self.port = port


def port_is_free(port: int, host: str = HOST) -> bool:
    """True if nothing listens on ``host:port`` (so a server can bind it).

    Connections of a server stopped a moment ago linger on its port (TIME_WAIT) for a minute; they do not stop
    a new server, which binds with ``SO_REUSEADDR`` as Tornado and the proxy do, so the check binds so too (on
    POSIX, where it allows just that; a port someone listens on is still taken).
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        if os.name == "posix":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def choose_port(requested: int | None, first: int, after: int | None = None) -> int:
    """The port to use: ``requested`` if free, else the first free one of :data:`PORT_TRIES` from ``first``
    (from the one after ``after``, when a server lost ``after`` to another process).

    Raises
    ------
    ValueError
        If ``requested`` is out of range or taken, or no port is free.
    """
    if requested is not None:
        if not 1 <= requested <= 65535:
            raise ValueError(f"--port {requested} is not a port number (1–65535)")
        if not port_is_free(requested):
            raise ValueError(f"port {requested} on {HOST} is in use; pick another with --port")
        return requested
    start = first if after is None else after + 1
    for port in range(start, first + PORT_TRIES):
        if port_is_free(port):
            return port
    raise ValueError(f"no free port between {first} and {first + PORT_TRIES - 1}; use --port")


def listening_ports(pid: int) -> set[int]:
    """The ports the process ``pid``, and every process it started (or they started), listen on."""
    ports: set[int] = set()
    for process in family(pid):
        try:
            ports.update(ports_of(process))
        except psutil.Error:  # ended meanwhile, or not ours to look at
            continue
    return ports


def ports_of(process: psutil.Process) -> set[int]:
    """The ports ``process`` itself listens on.

    Raises
    ------
    psutil.Error
        When it has ended, or this process may not look at it.
    """
    return {c.laddr.port for c in process.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN and c.laddr}


def listens(pid: int, port: int) -> bool:
    """True if the process ``pid``, or a process it started (or they started), listens on ``port``."""
    return port in listening_ports(pid)


def taken_by_another(pid: int, port: int, host: str = HOST) -> bool:
    """True if something listens on ``host:port`` that is neither the process ``pid`` nor one it started."""
    try:
        with socket.create_connection((host, port), timeout=2):
            pass
    except OSError:
        return False
    # Something listened a moment ago; if it was ours it still is (a server that listens does not let go of its
    # port while it runs), so a port that is not ours now was another's then.
    return not listens(pid, port)
