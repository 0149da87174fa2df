"""A records service on a copy of the sample organisation, in a thread, with a stand-in for the hub's token check.

The hub itself is started in ``tests/test_hub.py``; here the tokens and
groups are a fixed table, so the service's own rules are tested quickly
through real HTTP. Coaches on the sample roster: E0020 (8 people), E0001
(6 people, among them E0002), E0023, E0005.
"""

from __future__ import annotations

import asyncio
import functools
import shutil
import socket
import threading
from pathlib import Path

from tornado.httpserver import HTTPServer

from careerconv.records import config
from careerconv.records.store import Store
from careerconv.surfaces.commands.records_service import organisation_minimum
from careerconv.surfaces.report.hr_page import render_html
from careerconv.surfaces.service.server import RecordsService, make_app
from jupyterhub.services.auth import check_scopes

PREFIX = "/services/careerconv-records/"
# token -> hub user model, as the hub would answer for it
USERS = {
    "tok-coach-a": {"name": "e0020", "groups": ["coaches"]},
    "tok-coach-b": {"name": "e0001", "groups": ["coaches"]},
    "tok-hr": {"name": "hana", "groups": ["hr"]},
    "tok-operator": {"name": "olga", "groups": ["operators"]},
    "tok-nobody": {"name": "nils", "groups": []},
}


COOKIE = "hub-login"  # stands in for the hub's login cookie: its value is the user's token


class TableHubAuth:
    """Answers ``get_user`` from :data:`USERS` by the request's ``Authorization: token`` header."""

    access_scopes: set = set()

    async def get_user(self, handler, sync=True):
        header = handler.request.headers.get("Authorization", "")
        token = header.split(None, 1)[1] if " " in header else ""
        # as the hub's login cookie does when the header names no token of the hub
        model = USERS.get(token) or USERS.get(handler.get_cookie(COOKIE) or "")
        return dict(model, scopes=[]) if model else None

    async def user_for_token(self, token, use_cache=True, session_id="", *, sync=True):
        model = USERS.get(token)
        return dict(model, scopes=[]) if model else None

    def check_scopes(self, required, model):
        return check_scopes(required, set(model["scopes"]))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RunningService:
    """The service on 127.0.0.1 in a daemon thread; ``url`` ends with the prefix.

    Its HR page is rendered by ``render`` (default: the HR notebook, as the hub's service renders it); ``renders``
    lists the parameters of every render, in order.
    """

    def __init__(self, root: Path, render=render_html, reports: Path | None = None):
        self.data = root / "data"
        shutil.copytree(config.SAMPLE_DATA_DIR, self.data)
        self.access_log = root / "access-log.jsonl"
        self.renders: list[dict] = []

        def counted(parameters: dict, hr: dict) -> str:
            self.renders.append(parameters)
            return render(parameters, hr)
        self.reports = reports or root / "reports"  # the service's reports folder (the hub's: <state>/reports)
        self.service = RecordsService(self.data, self.access_log, self.reports, TableHubAuth(),
                                      minimum=functools.partial(organisation_minimum, self.data, None),
                                      render_hr_page=counted)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}{PREFIX}"
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        assert self._ready.wait(10), "the service did not start"

    def _run(self) -> None:
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        server = HTTPServer(make_app(self.service, PREFIX))
        server.listen(self.port, "127.0.0.1")
        self._server = server
        self.loop.call_soon(self._ready.set)
        self.loop.run_forever()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self._server.stop)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        self.service.shutdown()


def set_roster_day(data: Path, employee_id: str, column: str, day: str) -> None:
    """Give ``employee_id`` the ``started_on`` or ``left_on`` (``column``) ``day`` (ISO) on the roster of ``data``,
    as an operator's roster import would."""
    store = Store(data)
    roster = store.roster()
    roster[column] = roster[column].astype(object) if column in roster.columns else None
    roster.loc[roster["employee_id"] == employee_id, column] = day
    store.save_roster(roster)
