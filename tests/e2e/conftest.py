"""End-to-end fixtures: the small organisation of tests/orgs.py, `careerconv app` servers, Debian's Chromium.

The servers are started exactly as a coach starts them (``careerconv --data DIR
app --no-browser``, optionally ``--lab``), on a free port bound to 127.0.0.1
with a random token, and stopped with SIGINT (Ctrl-C) - which must end them
cleanly (exit code 0).

Without /usr/bin/chromium the tests are skipped, except under ``CI=true``
where a missing browser is a failure.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from orgs import make_small_org

PROJECT = Path(__file__).resolve().parents[2]
OUTPUT = PROJECT / "tests" / "output" / "e2e"
URL_RE = re.compile(r"(http://127\.0\.0\.1:(\d+)/\S*token=([A-Za-z0-9_-]+))")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppServer:
    """``careerconv app`` running in the background (``env``: added to its environment); ``stop()`` sends Ctrl-C."""

    def __init__(self, data: Path, lab: bool, timeout: float = 180.0, env: dict[str, str] | None = None):
        self.data = data
        self.lab = lab
        self.lines: list[str] = []
        cmd = [sys.executable, "-m", "careerconv.cli", "--data", str(data), "app", "--no-browser",
               "--port", str(free_port())] + (["--lab"] if lab else [])
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, start_new_session=True,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})})
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + timeout
        self.url = None
        while time.monotonic() < deadline and self.url is None:
            for line in list(self.lines):
                m = URL_RE.search(line)
                if m:
                    self.url, self.port, self.token = m.group(1), int(m.group(2)), m.group(3)
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        if self.url is None:
            self.stop()
            raise RuntimeError("careerconv app did not print its URL:\n" + "".join(self.lines))
        self.base = f"http://127.0.0.1:{self.port}"

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)

    def api(self, method: str, path: str):
        """Call the server's REST API with the token; returns the parsed JSON (or None)."""
        req = urllib.request.Request(self.base + path, method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def stop(self) -> int:
        """Ctrl-C, as a coach would; returns the exit code."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=90)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._reader.join(timeout=5)
        return self.proc.returncode


@pytest.fixture
def output_dir() -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT


def _server(tmp_path_factory, lab: bool):
    data = tmp_path_factory.mktemp("lab" if lab else "voila") / "data"
    make_small_org(data)
    server = AppServer(data, lab=lab)
    yield server
    code = server.stop()
    assert code == 0, f"careerconv app did not stop cleanly on Ctrl-C (exit {code}):\n" + "".join(server.lines)


@pytest.fixture(scope="module")
def voila_server(tmp_path_factory, browser):
    yield from _server(tmp_path_factory, lab=False)


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory, browser):
    yield from _server(tmp_path_factory, lab=True)


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory, browser):
    """The app (Voila) on the 60-person demo organisation ``make run`` writes: more people than a screen holds."""
    import datetime as dt

    from careerconv.demo.organisation import write_demo_organisation

    data = tmp_path_factory.mktemp("demo") / "data"
    write_demo_organisation(data, 60, 7, dt.date(2026, 12, 4))
    server = AppServer(data, lab=False)
    yield server
    code = server.stop()
    assert code == 0, f"careerconv app did not stop cleanly on Ctrl-C (exit {code}):\n" + "".join(server.lines)
