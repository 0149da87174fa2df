"""A server careerconv starts is taken for started only when its own process listens on its port."""

from __future__ import annotations

import socket
import subprocess
import sys

from careerconv.surfaces.commands import app as app_command

LISTEN_THEN_WAIT = """
import socket, sys, time
sock = socket.socket()
sock.bind(("127.0.0.1", 0))
sock.listen()
print(sock.getsockname()[1], flush=True)
time.sleep(120)
"""


def test_the_app_does_not_take_another_server_on_its_port_for_its_own():
    """Two `careerconv app` started at once chose the same free port; the one whose server could not bind it
    found the port answering and printed its URL, which led to the other app (its token refused)."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        not_yet_bound = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"],
                                         stdin=subprocess.DEVNULL)
        try:
            assert app_command.wait_until_listening(not_yet_bound, port, timeout=60) is False
        finally:
            not_yet_bound.kill()
            not_yet_bound.wait()


def test_the_app_takes_its_own_server_listening_for_started():
    server = subprocess.Popen([sys.executable, "-c", LISTEN_THEN_WAIT], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, text=True)
    try:
        port = int(server.stdout.readline())
        assert app_command.wait_until_listening(server, port, timeout=60) is True
    finally:
        server.kill()
        server.wait()
