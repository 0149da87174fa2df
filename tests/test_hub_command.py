"""``careerconv hub`` as a user runs it, its groups file, and the service's pure access rules."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

import pytest
import requests

from careerconv.records import config
from careerconv.surfaces.commands.hub import check_groups, default_groups
from careerconv.surfaces.service.policy import (
    COACH, HR, Caller, Refused, check_read_person, check_write_record, coach_id_for, roles_from_groups,
)
from careerconv.records.store import Store
from prerequisites import require_hub


def test_a_login_maps_to_one_roster_coach_ignoring_case_unless_two_ids_differ_only_in_case():
    assert coach_id_for("e0020", {"E0020", "E0001"}) == "E0020"
    assert coach_id_for("E0020", {"E0020"}) == "E0020"
    assert coach_id_for("e0020", {"E0020", "e0020"}) is None  # ambiguous: refused rather than guessed
    assert coach_id_for("alice", {"E0020"}) is None
    assert coach_id_for("alice", {"E0020"}, {"alice": "E0020"}) == "E0020"


def test_roles_come_only_from_the_three_groups():
    assert roles_from_groups(["coaches", "staff", "hr"]) == frozenset({COACH, HR})
    assert roles_from_groups(["admins"]) == frozenset()


def test_the_access_rules_for_a_coach():
    coach = Caller("e0020", frozenset({COACH}), "E0020")
    check_read_person(coach, "E0003", "E0020")
    check_write_record(coach, "E0003", "E0020", "E0020", "E0020")
    with pytest.raises(Refused, match="only their coach"):
        check_read_person(coach, "E0002", "E0001")
    with pytest.raises(Refused, match="read-only"):
        check_write_record(coach, "E0003", "E0020", "E0020", stored_coach="E0001")
    with pytest.raises(Refused, match="themselves as coach"):
        check_write_record(coach, "E0003", "E0020", "E0001")
    unmapped = Caller("zed", frozenset({COACH}), None)
    with pytest.raises(Refused, match="matches no coach"):
        check_read_person(unmapped, "E0003", None)
    hr = Caller("hana", frozenset({HR}), None)
    with pytest.raises(Refused):
        check_read_person(hr, "E0003", "E0020")


def test_the_default_groups_are_every_coach_on_the_roster_hr_and_operator():
    groups = default_groups(Store(config.SAMPLE_DATA_DIR))
    assert groups == {"coaches": ["e0001", "e0005", "e0020", "e0023"], "hr": ["hr"], "operators": ["operator"]}


@pytest.mark.parametrize("groups, message", [
    ([], "expected an object"),
    ({"admins": ["olga"]}, "unknown group(s) ['admins']"),
    ({"coaches": "e0020"}, "must be a list of logins"),
    ({"hr": [""]}, "must be a list of logins"),
])
def test_a_bad_groups_file_is_one_clear_error(groups, message):
    with pytest.raises(ValueError) as error:
        check_groups(groups, "groups.json")
    assert message in str(error.value) and "groups.json" in str(error.value)


def test_careerconv_hub_with_a_bad_groups_file_says_so_and_starts_nothing(tmp_path):
    bad = tmp_path / "groups.json"
    bad.write_text('{"admins": ["olga"]}', encoding="utf-8")
    shutil.copytree(config.SAMPLE_DATA_DIR, tmp_path / "data")
    done = subprocess.run([sys.executable, "-m", "careerconv.cli", "--data", str(tmp_path / "data"), "hub",
                           "--groups", str(bad)], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 1
    assert "unknown group(s) ['admins']" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "hub-state").exists()


def start_hub_command(data) -> tuple[subprocess.Popen, str]:
    """``careerconv --data DATA hub`` started as a user starts it, and what it printed up to the access log's line."""
    process = subprocess.Popen([sys.executable, "-m", "careerconv.cli", "--data", str(data), "hub"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("  access log:"):
                break
    except BaseException:
        stop_hub_command(process)
        raise
    return process, "".join(lines)


def stop_hub_command(process: subprocess.Popen) -> None:
    """Stop the command as Ctrl-C does, if it is still running: it stops the hub, which runs in a session of its
    own with the proxy and the service; killed outright, the command would leave them running."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(120)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def sign_in(url: str, login: str, password: str) -> requests.Response:
    """The answer of the hub's login form to ``login`` with ``password`` (not followed: 302 signed in, 403 not)."""
    with requests.Session() as session:
        form = session.get(url + "hub/login", timeout=60)
        xsrf = re.search(r'name="_xsrf" value="([^"]*)"', form.text).group(1)
        return session.post(url + "hub/login?next=", data={"username": login, "password": password, "_xsrf": xsrf},
                            allow_redirects=False, timeout=60)


@pytest.mark.slow
def test_careerconv_hub_writes_a_demo_organisation_prints_the_url_and_stops_on_ctrl_c(tmp_path):
    require_hub()
    data = tmp_path / "hub-data"
    process, text = start_hub_command(data)
    try:
        url = re.search(r"JupyterHub is running at (http://127\.0\.0\.1:\d+/)", text)
        assert url, text
        assert re.search(r"sign in with the password \S{12,} as any of:", text)
        assert "coaches:   e0" in text and "HR:        hr" in text
        assert (data / "roster.csv").exists()
        with urllib.request.urlopen(url.group(1) + "hub/health", timeout=30) as answer:
            assert answer.status == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(120) == 0
        state = json.loads((tmp_path / "hub-state" / "groups.json").read_text(encoding="utf-8"))
        assert state["hr"] == ["hr"] and len(state["coaches"]) > 3
        with pytest.raises(OSError):
            urllib.request.urlopen(url.group(1) + "hub/health", timeout=5)
    finally:
        stop_hub_command(process)


@pytest.mark.slow
def test_careerconv_hub_prints_the_password_each_login_signs_in_with_the_operators_their_own(tmp_path):
    """JupyterHub's shared-password authenticator signs its admins (the operators) in only with admin_password."""
    require_hub()
    shutil.copytree(config.SAMPLE_DATA_DIR, tmp_path / "hub-data")
    process, text = start_hub_command(tmp_path / "hub-data")
    try:
        url = re.search(r"JupyterHub is running at (http://127\.0\.0\.1:\d+/)", text).group(1)
        shared = re.search(r"sign in with the password ([\w-]+) as any of:", text).group(1)
        operators = re.search(r"operators \(the hub's admins\) sign in with their own password, ([\w-]+), as:\n"
                              r"    operators: operator ", text)
        assert operators, text
        own = operators.group(1)
        assert len(own) >= 32 and own != shared  # JupyterHub's rules for admin_password
        for login, password in (("e0020", shared), ("hr", shared), ("operator", own)):
            answer = sign_in(url, login, password)
            assert answer.status_code == 302, (login, answer.status_code)
        assert sign_in(url, "operator", shared).status_code == 403
        assert sign_in(url, "e0020", own).status_code == 403
        process.send_signal(signal.SIGINT)
        assert process.wait(120) == 0
        log = (tmp_path / "hub-state" / "jupyterhub.log").read_text(encoding="utf-8")
        assert "admin_password is not" not in log
    finally:
        stop_hub_command(process)
