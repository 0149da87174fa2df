"""Erasing a coach reaches the hub's own state: its database, its groups and password files and the coach's home
folder, whether the hub runs (through its REST API) or is stopped (in its database); an erased coach cannot sign in
again, also after the hub restarts with a groups file that still names them; every other user's state is as it was.

Found by a helper of the hub's erasure: after ``careerconv erase E0005`` the hub's ``jupyterhub.sqlite`` still held
user e0005 (their spawner, their server's address /user/e0005/, its OAuth client, their tokens), ``groups.json`` and
``passwords.json`` named them, ``homes/e0005`` was there, and e0005 still signed in with their password.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import requests

from careerconv.cli import main
from careerconv.records import config
from careerconv.surfaces.commands.hub import Hub
from prerequisites import require_hub

pytestmark = pytest.mark.slow

require_hub()

GROUPS = {"coaches": ["e0005", "e0001"], "hr": [], "operators": ["olga"]}


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    """The sample organisation with coach E0005's people moved to E0001, so that E0005 may be erased."""
    data = tmp_path / "data"
    shutil.copytree(config.SAMPLE_DATA_DIR, data)
    roster = pd.read_csv(data / "roster.csv", dtype=str, keep_default_na=False)
    roster.loc[roster["coach_id"] == "E0005", "coach_id"] = "E0001"
    roster.to_csv(data / "roster.csv", index=False)
    return data


def signs_in(hub: Hub, login: str, password: str) -> bool:
    """Whether ``login`` signs in at the hub's login page with ``password``, as a person at a browser does."""
    session = requests.Session()
    session.get(hub.url + "hub/login", timeout=60)
    answer = session.post(hub.url + "hub/login", timeout=60, allow_redirects=False,
                          data={"username": login, "password": password, "_xsrf": session.cookies.get("_xsrf", "")})
    return answer.status_code == 302 and "/hub/login" not in answer.headers.get("Location", "")


def admin(hub: Hub, method: str, path: str) -> requests.Response:
    return requests.request(method, f"{hub.url}hub/api/{path}", timeout=120,
                            headers={"Authorization": f"token {hub.admin_token}"})


def start_server(hub: Hub, login: str) -> None:
    """Start ``login``'s app server and wait until the hub says it is ready (it writes their home folder)."""
    assert admin(hub, "POST", f"users/{login}/server").status_code in (201, 202)
    deadline = time.monotonic() + 120
    while not admin(hub, "GET", f"users/{login}").json()["servers"].get("", {}).get("ready"):
        assert time.monotonic() < deadline, f"{login}'s server did not start"
        time.sleep(0.5)


def rows_naming(database: Path, login: str) -> list[tuple]:
    """Every row of every table of the hub's database with a text value that holds ``login`` (any case)."""
    found = []
    with sqlite3.connect(database) as db:
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            for row in db.execute(f'SELECT * FROM "{table}"'):
                if any(isinstance(v, (str, bytes)) and login in (v if isinstance(v, str) else v.decode("utf-8",
                       "replace")).lower() for v in row):
                    found.append((table, *row))
    return found


def test_a_coach_erased_while_the_hub_is_stopped_is_gone_from_its_state_and_cannot_sign_in_after_a_restart(
        data, tmp_path, capsys):
    state = tmp_path / "state"
    hub = Hub.start(data, state, groups=GROUPS, admin_token=True)
    try:
        first = hub.passwords
        assert signs_in(hub, "e0005", first["e0005"]) and signs_in(hub, "e0001", first["e0001"])
        for login in ("e0005", "e0001"):
            hub.user_token(login)
        start_server(hub, "e0005")
    finally:
        hub.stop()
    database = state / "jupyterhub.sqlite"
    assert rows_naming(database, "e0005") != [] and (state / "homes" / "e0005").is_dir()
    others = rows_naming(database, "e0001")
    groups, passwords = (json.loads((state / name).read_text()) for name in ("groups.json", "passwords.json"))

    assert main(["--data", str(data), "erase", "--employee", "E0005", "--yes"]) == 0
    receipt = " ".join(capsys.readouterr().out.split())
    assert rows_naming(database, "e0005") == []
    assert b"e0005" not in database.read_bytes().lower()  # the deleted rows' bytes were overwritten
    assert rows_naming(database, "e0001") == others  # every other user's state is as it was
    assert json.loads((state / "groups.json").read_text()) == {"coaches": ["e0001"], "hr": [], "operators": ["olga"]}
    assert json.loads((state / "passwords.json").read_text()) == {k: v for k, v in passwords.items() if k != "e0005"}
    assert groups["coaches"] == ["e0005", "e0001"]
    assert not (state / "homes" / "e0005").exists()
    assert f"Hub state (its users, groups, passwords and home folders): the login(s) e0005 of E0005: {state} " \
           f"hub user e0005 deleted from jupyterhub.sqlite" in receipt
    assert f"their home folder {state / 'homes' / 'e0005'} removed" in receipt

    hub = Hub.start(data, state, groups=GROUPS, admin_token=True)  # a groups file of before the erasure
    try:
        assert "e0005" not in {**hub.passwords, **hub.kept} and hub.groups["coaches"] == ["e0001"]
        assert not signs_in(hub, "e0005", "anything") and not signs_in(hub, "e0005", first["e0005"])
        assert admin(hub, "GET", "users/e0005").status_code == 404
        assert signs_in(hub, "e0001", first["e0001"])  # a restart keeps every other login's password
    finally:
        hub.stop()
    assert "erased from" in capsys.readouterr().err


def test_a_coach_erased_through_the_service_while_the_hub_runs_is_deleted_from_it_and_cannot_sign_in(data, tmp_path):
    state = tmp_path / "state"
    hub = Hub.start(data, state, groups=GROUPS, admin_token=True)
    try:
        start_server(hub, "e0005")
        operator = hub.user_token("olga")
        erased = requests.delete(hub.service_url + "api/people/E0005", headers={"Authorization": f"token {operator}"},
                                 timeout=240)
        assert erased.status_code == 200, erased.text
        assert erased.json()["complete"] is True
        receipt = " ".join(erased.json()["receipt"].split())
        assert "hub user e0005 deleted through the running hub's API" in receipt
        assert admin(hub, "GET", "users/e0005").status_code == 404
        assert not signs_in(hub, "e0005", hub.passwords["e0005"])
        assert not (state / "homes" / "e0005").exists()
        assert signs_in(hub, "e0001", hub.passwords["e0001"])
        assert sorted(u["name"] for u in admin(hub, "GET", "users").json()) == ["e0001", "olga"]
    finally:
        hub.stop()
    assert rows_naming(state / "jupyterhub.sqlite", "e0005") == []


def test_a_coach_whose_login_is_not_their_id_is_gone_from_the_hubs_state_and_log_under_that_login(
        data, tmp_path, monkeypatch, capsys):
    logins = tmp_path / "coach-logins.json"
    logins.write_text(json.dumps({"jane.doe": "E0005"}), encoding="utf-8")
    monkeypatch.setenv("CAREERCONV_HUB_COACH_LOGINS", str(logins))  # as an organisation's deployment sets it
    state = tmp_path / "state"
    hub = Hub.start(data, state, groups={"coaches": ["jane.doe", "e0001"], "hr": [], "operators": ["olga"]})
    try:
        assert signs_in(hub, "jane.doe", hub.passwords["jane.doe"])
    finally:
        hub.stop()
    assert b"User logged in: jane.doe" in hub.log_path.read_bytes()

    assert main(["--data", str(data), "erase", "--employee", "E0005", "--yes"]) == 0
    receipt = " ".join(capsys.readouterr().out.split())
    assert rows_naming(state / "jupyterhub.sqlite", "jane.doe") == []
    assert rows_naming(state / "jupyterhub.sqlite", "e0001") != []
    assert json.loads((state / "groups.json").read_text())["coaches"] == ["e0001"]
    assert sorted(json.loads((state / "passwords.json").read_text())) == ["e0001", "olga"]
    assert b"jane.doe" not in hub.log_path.read_bytes()
    assert "the login(s) e0005, jane.doe of E0005" in receipt and "hub user jane.doe deleted" in receipt


def test_a_database_the_organisations_extra_config_moves_is_where_an_erasure_deletes_the_coach(
        data, tmp_path, monkeypatch, capsys):
    # Found by a helper: the hub's state was described before CAREERCONV_HUB_EXTRA_CONFIG ran, with the default
    # database, so the erasure looked at a file that was not there, left the coach in the moved one and said complete.
    moved = tmp_path / "elsewhere" / "hub.sqlite"
    moved.parent.mkdir()
    extra = tmp_path / "organisation_config.py"
    extra.write_text(f"c.JupyterHub.db_url = 'sqlite:///{moved}'\n", encoding="utf-8")
    monkeypatch.setenv("CAREERCONV_HUB_EXTRA_CONFIG", str(extra))  # as an organisation's deployment sets it
    state = tmp_path / "state"
    hub = Hub.start(data, state, groups=GROUPS)
    try:
        assert signs_in(hub, "e0005", hub.passwords["e0005"])
    finally:
        hub.stop()
    assert not (state / "jupyterhub.sqlite").exists() and rows_naming(moved, "e0005") != []
    others = rows_naming(moved, "e0001")

    assert main(["--data", str(data), "erase", "--employee", "E0005", "--yes"]) == 0
    receipt = " ".join(capsys.readouterr().out.split())
    assert "hub user e0005 deleted from hub.sqlite" in receipt
    assert rows_naming(moved, "e0005") == [] and rows_naming(moved, "e0001") == others


def test_a_stale_pid_file_naming_another_live_process_is_erased_from_as_a_stopped_hub(data, tmp_path, capsys):
    # Found by a helper: a pid file left by a hub that ended, whose number another process was given since, made the
    # erasure call the API of a hub that was not there; it failed, said so and exited 1.
    state = tmp_path / "state"
    started = time.time()
    hub = Hub.start(data, state, groups=GROUPS)
    hub.stop()
    assert rows_naming(state / "jupyterhub.sqlite", "e0005") != []
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"], stdin=subprocess.DEVNULL)
    try:
        pid_file = state / "jupyterhub.pid"
        pid_file.write_text(str(other.pid), encoding="utf-8")
        os.utime(pid_file, (started, started))  # as the hub wrote it when it started, before the other process
        assert main(["--data", str(data), "erase", "--employee", "E0005", "--yes"]) == 0
    finally:
        other.kill()
        other.wait()
    receipt = " ".join(capsys.readouterr().out.split())
    assert "hub user e0005 deleted from jupyterhub.sqlite" in receipt
    assert rows_naming(state / "jupyterhub.sqlite", "e0005") == []
