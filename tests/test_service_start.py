"""The records service's start, which every hub start waits for: it listens once it can answer (JupyterHub's
authentication, the store), and imports what only some requests need (the HR figures, a roster import, an
erasure, the HR pages and their kernel) after (found on this host: ~5 s of every hub start, ~11 s under load)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading

import pytest

from careerconv.records import config
from careerconv.surfaces.commands.records_service import HrPagesAfterStart
from prerequisites import require_hub

# Runs the service as the hub starts it and, the moment its port listens, prints which of these it has imported.
_AT_LISTEN = """
import json, os, runpy, sys
import tornado.tcpserver

WATCHED = ("careerconv.analytics", "careerconv.records.importers", "careerconv.records.erasure",
           "careerconv.surfaces.report", "jupyter_client")
listen = tornado.tcpserver.TCPServer.listen

def listen_and_say(self, *args, **kwargs):
    listen(self, *args, **kwargs)
    print(json.dumps(sorted(name for name in WATCHED if name in sys.modules)), flush=True)
    os._exit(0)

tornado.tcpserver.TCPServer.listen = listen_and_say
sys.argv = ["records_service", *sys.argv[1:]]
runpy.run_module("careerconv.surfaces.commands.records_service", run_name="__main__", alter_sys=True)
"""


def test_the_records_service_listens_before_it_imports_what_only_some_requests_need(tmp_path):
    require_hub()
    shutil.copytree(config.SAMPLE_DATA_DIR, tmp_path / "data")
    hub_env = {"JUPYTERHUB_API_TOKEN": "not-a-hub-token", "JUPYTERHUB_API_URL": "http://127.0.0.1:9/hub/api",
               "JUPYTERHUB_SERVICE_URL": "http://127.0.0.1:0", "JUPYTERHUB_SERVICE_PREFIX": "/services/records/"}
    done = subprocess.run([sys.executable, "-c", _AT_LISTEN, "--data", str(tmp_path / "data"),
                           "--access-log", str(tmp_path / "access-log.jsonl")], capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL, env={**os.environ, **hub_env})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == []


class FakePages:
    """Stands in for WarmHrPages: says what was done to it."""

    made: list[FakePages] = []

    def __init__(self):
        self.done: list[str] = []
        FakePages.made.append(self)

    def warm_up(self):
        self.done.append("warm_up")

    def abandon(self):
        self.done.append("abandon")

    def shutdown(self):
        self.done.append("shutdown")

    def __call__(self, parameters, hr=None):
        return f"page for {parameters['as_of']}"


@pytest.fixture
def fake_pages(monkeypatch):
    from careerconv.surfaces.report import hr_page

    FakePages.made = []
    monkeypatch.setattr(hr_page, "WarmHrPages", FakePages)
    return FakePages.made


def test_a_page_asked_for_before_the_service_listens_waits_for_the_pages_and_their_warm_kernel(fake_pages):
    pages = HrPagesAfterStart()
    answer = []
    asking = threading.Thread(target=lambda: answer.append(pages({"as_of": "2026-10-01"})))
    asking.start()
    asking.join(0.5)
    assert asking.is_alive() and fake_pages == []  # nothing made before the service listens
    pages.start()
    asking.join(60)
    assert answer == ["page for 2026-10-01"]
    assert fake_pages[0].done == ["warm_up"]
    pages.shutdown()
    assert fake_pages[0].done == ["warm_up", "shutdown"]


def test_pages_abandoned_before_they_are_made_start_no_kernel_and_a_service_that_never_listened_stops_at_once(
        fake_pages):
    never_started = HrPagesAfterStart()
    never_started.shutdown()  # returns: there is nothing to wait for
    pages = HrPagesAfterStart()
    pages.abandon()  # the service stops as it starts
    pages.start()
    pages.shutdown()
    assert [made.done for made in fake_pages] == [["abandon", "shutdown"]]
