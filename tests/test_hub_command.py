"""``careerconv hub`` as a user runs it, its groups file, and the service's pure access rules."""

from __future__ import annotations

import asyncio
import contextlib
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
from careerconv.surfaces.commands.hub import Hub, check_groups, default_groups, sign_out
from careerconv.surfaces.service.hub_state import HubState
from careerconv.surfaces.service.policy import (
    COACH, HR, Caller, Refused, check_read_person, check_write_record, coach_id_for, hub_login,
    roles_from_groups,
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


def test_the_trial_sign_in_takes_each_login_with_its_own_password_only(tmp_path):
    require_hub()
    from careerconv.surfaces.service.trial_passwords import TrialPasswordAuthenticator, write_password_file

    file = write_password_file(tmp_path / "passwords.json", {"e0020": "pw-of-e0020", "e0001": "pw-of-e0001"})
    auth = TrialPasswordAuthenticator(password_file=str(file))

    def signs_in(login, password):
        return asyncio.run(auth.authenticate(None, {"username": login, "password": password}))

    assert signs_in("e0020", "pw-of-e0020") == "e0020"
    assert signs_in("E0020", "pw-of-e0020") == "e0020"  # JupyterHub's logins are lower case
    assert signs_in("e0001", "pw-of-e0020") is None  # a coach's password is no other login's
    assert signs_in("operator", "pw-of-e0020") is None and signs_in("e0020", "") is None
    assert "pw-of-e0020" not in file.read_text(encoding="utf-8")


def test_a_restart_keeps_each_logins_password_and_makes_one_only_for_a_login_without_one(tmp_path):
    """Found by a hostile test: each start gave every login a new password, so every coach, HR and the operator had
    to be told again after a restart."""
    from careerconv.surfaces.service.trial_passwords import TrialPasswordAuthenticator, renew_password_file

    file = tmp_path / "passwords.json"
    first, kept = renew_password_file(file, ["e0001", "e0020", "hr"], made="2026-12-01")
    assert sorted(first) == ["e0001", "e0020", "hr"] and kept == {}
    new, kept = renew_password_file(file, ["e0001", "e0005", "hr"], made="2026-12-06")  # e0005 new, e0020 gone
    assert sorted(new) == ["e0005"] and kept == {"e0001": "2026-12-01", "hr": "2026-12-01"}
    stored = json.loads(file.read_text(encoding="utf-8"))
    assert sorted(stored) == ["e0001", "e0005", "hr"] and file.stat().st_mode & 0o777 == 0o600
    assert not [p for p in [*first.values(), *new.values()] if p in file.read_text(encoding="utf-8")]

    auth = TrialPasswordAuthenticator(password_file=str(file))

    def signs_in(login, password):
        return asyncio.run(auth.authenticate(None, {"username": login, "password": password})) == login
    assert signs_in("e0001", first["e0001"]) and signs_in("hr", first["hr"]) and signs_in("e0005", new["e0005"])
    assert not signs_in("e0020", first["e0020"])  # no longer in the hub: their password went


def test_new_passwords_are_made_on_purpose_for_the_logins_named_or_all(tmp_path):
    from careerconv.surfaces.service.trial_passwords import password_matches, renew_password_file

    file = tmp_path / "passwords.json"
    first, _ = renew_password_file(file, ["e0001", "hr"], made="2026-12-01")
    new, kept = renew_password_file(file, ["e0001", "hr"], renew=["hr"], made="2026-12-06")
    assert sorted(new) == ["hr"] and new["hr"] != first["hr"] and kept == {"e0001": "2026-12-01"}
    stored = json.loads(file.read_text(encoding="utf-8"))
    assert not password_matches(first["hr"], stored["hr"]["hash"]) and stored["hr"]["made"] == "2026-12-06"
    new, kept = renew_password_file(file, ["e0001", "hr"], renew=True)
    assert sorted(new) == ["e0001", "hr"] and kept == {}
    with pytest.raises(ValueError, match="no hub login.s. e0099 to give a new password; the hub's logins are "
                                         "e0001, hr"):
        renew_password_file(file, ["e0001", "hr"], renew=["e0099"])


def test_a_password_file_of_an_older_careerconv_keeps_its_passwords_and_a_foreign_one_is_refused(tmp_path):
    from careerconv.surfaces.service.trial_passwords import hash_password, renew_password_file

    file = tmp_path / "passwords.json"
    file.write_text(json.dumps({"e0001": hash_password("old-one")}), encoding="utf-8")  # login -> bare hash
    new, kept = renew_password_file(file, ["e0001", "hr"])
    assert sorted(new) == ["hr"] and kept == {"e0001": ""}
    file.write_text(json.dumps(["e0001"]), encoding="utf-8")
    with pytest.raises(ValueError, match="not the hub's password file as careerconv writes it"):
        renew_password_file(file, ["e0001"])


def test_the_default_groups_are_every_coach_on_the_roster_hr_and_operator():
    groups = default_groups(Store(config.SAMPLE_DATA_DIR))
    assert groups == {"coaches": ["e0001", "e0005", "e0020", "e0023"], "hr": ["hr"], "operators": ["operator"]}


@pytest.mark.parametrize("employee_id", ["E0020", "e0020", "Mgr-Ä7", "STRASSE", "\u0130K-1"])
def test_the_login_careerconv_hub_makes_for_an_id_is_the_one_jupyterhub_signs_in(employee_id):
    """The groups file, the records service's let-in of new coaches and an erasure's log-out all name a person by
    the login made from their id; JupyterHub compares the name typed at sign-in in its own form
    (``normalize_username``): a login of another form would name nobody who can sign in."""
    require_hub()
    from jupyterhub.auth import Authenticator

    assert hub_login(employee_id) == Authenticator().normalize_username(employee_id)


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


def _hub_configurations(tmp_path, *environments: dict[str, str], about: str = "cull"
                         ) -> list[subprocess.CompletedProcess]:
    """careerconv's JupyterHub configuration file run as JupyterHub loads it (in a process of its own), once with
    each of ``environments``, all at once: what each printed, and the arguments it gave a coach's server that
    contain ``about`` (by default those of the idle cull of its kernels)."""
    script = ("import json, sys\nfrom traitlets.config import Config\nfrom careerconv.records import resources\n"
              "c = Config()\nexec(resources.jupyterhub_config_file().read_text(), {'get_config': lambda: c, "
              "'load_subconfig': lambda path: None, '__file__': 'jupyterhub_config.py'})\n"
              "class Spawner:\n    cmd, environment = ['x'], {}\n"
              "    class user:\n        groups = [type('Group', (), {'name': 'coaches'})]\n"
              "c.Spawner.pre_spawn_hook(Spawner)\n"
              "from careerconv.surfaces.commands import singleuser_server\n"
              "import os; os.environ.update(Spawner.environment)\n"
              f"print(json.dumps([a for a in singleuser_server.app_only_arguments() if {about!r} in a]))\n")
    running = [subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, stdin=subprocess.DEVNULL, cwd=tmp_path,
                                env={**os.environ, "CAREERCONV_HUB_STATE": str(tmp_path / f"state-{n}"),
                                     **environment})
               for n, environment in enumerate(environments)]  # a state folder each: each writes its token file
    done = []
    for process in running:
        try:
            out, err = process.communicate(timeout=120)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        done.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return done


def test_a_coachs_unused_kernels_end_after_the_hubs_idle_setting_and_a_bad_one_is_refused(tmp_path):
    """A kernel no page is connected to ends after 180 s by default (checked every 60 s); an operator may set it
    with CAREERCONV_HUB_KERNEL_IDLE_SECONDS (at least 10); anything else stops the hub saying what is allowed."""
    bad = ("5", "3 min", "-30")
    default, short, *refused = _hub_configurations(
        tmp_path, {}, {"CAREERCONV_HUB_KERNEL_IDLE_SECONDS": "30"},
        *({"CAREERCONV_HUB_KERNEL_IDLE_SECONDS": value} for value in bad))
    assert json.loads(default.stdout) == ["--MappingKernelManager.cull_idle_timeout=180",
                                          "--MappingKernelManager.cull_interval=60",
                                          "--MappingKernelManager.cull_connected=False"], default.stderr
    assert json.loads(short.stdout)[:2] == ["--MappingKernelManager.cull_idle_timeout=30",
                                            "--MappingKernelManager.cull_interval=10"], short.stderr
    for value, answer in zip(bad, refused):
        assert answer.returncode != 0 and not answer.stdout
        assert f"CAREERCONV_HUB_KERNEL_IDLE_SECONDS is {value!r}: give a whole number of seconds, at least 10" \
            in answer.stderr


def test_a_coachs_server_keeps_its_heated_kernel_as_long_as_the_hubs_preheat_setting_and_a_bad_one_is_refused(
        tmp_path):
    """A coach's server shuts the kernel heated for the next page down after 1800 s with no page by default; an
    operator may set it with CAREERCONV_HUB_PREHEAT_IDLE_SECONDS (at least 10, or 0: no kernel heated); anything
    else stops the hub saying what is allowed."""
    bad = ("5", "half an hour", "-30")
    default, short, none, *refused = _hub_configurations(
        tmp_path, {}, {"CAREERCONV_HUB_PREHEAT_IDLE_SECONDS": "600"}, {"CAREERCONV_HUB_PREHEAT_IDLE_SECONDS": "0"},
        *({"CAREERCONV_HUB_PREHEAT_IDLE_SECONDS": value} for value in bad), about="PreheatedAppKernels")
    heated = "--ServerApp.kernel_manager_class=careerconv.surfaces.commands.preheated_kernels.PreheatedAppKernels"
    assert json.loads(default.stdout) == [heated, "--PreheatedAppKernels.preheat_idle_seconds=1800"], default.stderr
    assert json.loads(short.stdout) == [heated, "--PreheatedAppKernels.preheat_idle_seconds=600"], short.stderr
    assert json.loads(none.stdout) == [], none.stderr  # jupyter_server's own kernel manager: each page starts one
    for value, answer in zip(bad, refused):
        assert answer.returncode != 0 and not answer.stdout
        assert f"CAREERCONV_HUB_PREHEAT_IDLE_SECONDS is {value!r}: give a whole number of seconds, 0 (no kernel " \
               "heated) or at least 10" in answer.stderr


def start_hub_command(data, *options: str) -> tuple[subprocess.Popen, str]:
    """``careerconv --data DATA hub OPTIONS`` started as a user starts it, and what it printed up to the access log's
    line."""
    process = subprocess.Popen([sys.executable, "-m", "careerconv.cli", "--data", str(data), "hub", *options],
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


def sign_in(url: str, login: str, password: str, browser: requests.Session | None = None) -> requests.Response:
    """The answer of the hub's login form to ``login`` with ``password`` (not followed: 302 signed in, 403 not), in
    ``browser`` when given (which keeps the sign-in's cookie)."""
    with requests.Session() if browser is None else contextlib.nullcontext(browser) as session:
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
        assert re.search(r"each login signs in with its own password:\n    e0001 +\S{12,}  \(coach", text), text
        assert re.search(r"\n    hr +\S{12,}  \(HR: the HR page", text), text
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
def test_careerconv_hub_says_so_when_its_jupyterhub_is_killed(tmp_path):
    """Found by a hostile test: JupyterHub killed with kill -9 (the OOM killer), `careerconv hub` ended with exit
    code 0 and not a word."""
    import psutil

    require_hub()
    process, text = start_hub_command(tmp_path / "hub-data")
    try:
        assert "JupyterHub is running at" in text, text
        hub = next(p for p in psutil.Process(process.pid).children()
                   if any("hub_server" in part for part in p.cmdline()))
        hub.kill()
        assert process.wait(120) == 1
        said = process.stdout.read()
        assert f"careerconv hub: JupyterHub (pid {hub.pid}) ended by itself (killed by signal 9)" in said, said
    finally:
        stop_hub_command(process)


@pytest.mark.slow
def test_careerconv_hub_prints_a_password_for_each_login_that_signs_in_only_that_login(tmp_path):
    """Found by a hostile test: with the shared password it printed, coach e0020 signed in as coach e0001 and as
    hr (302 each); each login now has its own, and the hub's state holds only their hashes."""
    require_hub()
    shutil.copytree(config.SAMPLE_DATA_DIR, tmp_path / "hub-data")
    process, text = start_hub_command(tmp_path / "hub-data")
    try:
        url = re.search(r"JupyterHub is running at (http://127\.0\.0\.1:\d+/)", text).group(1)
        passwords = dict(re.findall(r"^    ([\w-]+) +([\w-]+)  \(", text, flags=re.MULTILINE))
        assert sorted(passwords) == ["e0001", "e0005", "e0020", "e0023", "hr", "operator"], text
        assert len(set(passwords.values())) == len(passwords)
        for login in ("e0020", "e0001", "hr", "operator"):
            assert sign_in(url, login, passwords[login]).status_code == 302, login
        for login, other in (("e0001", "e0020"), ("hr", "e0020"), ("operator", "e0020"), ("e0020", "hr")):
            assert sign_in(url, login, passwords[other]).status_code == 403, (login, other)
        assert sign_in(url, "e0020", "").status_code == 403
        stored = (tmp_path / "hub-state" / "passwords.json")
        assert stored.stat().st_mode & 0o777 == 0o600
        assert not [p for p in passwords.values() if p in stored.read_text(encoding="utf-8")]
        process.send_signal(signal.SIGINT)
        assert process.wait(120) == 0
    finally:
        stop_hub_command(process)


@pytest.mark.slow
def test_careerconv_hub_restarted_keeps_every_logins_password_and_new_passwords_makes_new_ones(tmp_path):
    """Found by a hostile test: a restart gave every coach, HR and the operator a new password."""
    require_hub()
    shutil.copytree(config.SAMPLE_DATA_DIR, tmp_path / "hub-data")
    groups = tmp_path / "groups.json"

    def start(coaches, *options):
        groups.write_text(json.dumps({"coaches": coaches, "hr": ["hr"], "operators": ["operator"]}))
        process, text = start_hub_command(tmp_path / "hub-data", "--groups", str(groups), *options)
        url = re.search(r"JupyterHub is running at (http://127\.0\.0\.1:\d+/)", text)
        assert url, text
        return process, text, url.group(1), dict(re.findall(r"^    ([\w-]+) +([\w-]+)  \(", text, flags=re.MULTILINE))

    process, _, _, first = start(["e0001", "e0020"])
    stop_hub_command(process)
    assert sorted(first) == ["e0001", "e0020", "hr", "operator"]

    process, text, url, second = start(["e0001", "e0005"])  # a new coach, one gone
    try:
        assert sorted(second) == ["e0005"], text
        today = time.strftime("%Y-%m-%d")
        for login in ("e0001", "hr", "operator"):
            assert re.search(rf"^    {login} +unchanged since {today}  \(", text, flags=re.MULTILINE), text
        assert "e0020" not in text and "3 login(s) keep the password given to them on the day shown" in text
        for login in ("e0001", "hr", "operator"):
            assert sign_in(url, login, first[login]).status_code == 302, login
        assert sign_in(url, "e0005", second["e0005"]).status_code == 302
        assert sign_in(url, "e0020", first["e0020"]).status_code == 403
        assert sorted(json.loads((tmp_path / "hub-state" / "passwords.json").read_text())) == [
            "e0001", "e0005", "hr", "operator"]
    finally:
        stop_hub_command(process)

    process, text, url, third = start(["e0001", "e0005"], "--new-passwords", "e0001")
    try:
        assert sorted(third) == ["e0001"], text
        assert sign_in(url, "e0001", first["e0001"]).status_code == 403
        assert sign_in(url, "e0001", third["e0001"]).status_code == 302
        assert sign_in(url, "hr", first["hr"]).status_code == 302
    finally:
        stop_hub_command(process)


@pytest.mark.slow
def test_careerconv_hub_restarted_with_a_groups_file_without_a_coach_a_roster_import_let_in_keeps_their_password(
        tmp_path):
    """Found by a hostile test: a roster import made E0004 a coach while the hub ran (the records service let them in
    and gave the operator their password); `careerconv hub --groups FILE` restarted with the organisation's FILE,
    which does not name them, dropped their password hash silently: they could not sign in any more, and naming them
    in FILE later gave them a new password. They stay a coach, keep their password, and the start says so."""
    require_hub()
    data, state = tmp_path / "hub-data", tmp_path / "hub-state"  # the command's state folder, beside its data
    shutil.copytree(config.SAMPLE_DATA_DIR, data)
    groups = {"coaches": ["e0001", "e0020"], "hr": ["hr"], "operators": ["operator"]}
    (tmp_path / "groups.json").write_text(json.dumps(groups))
    header = "employee_id,name,coach_id,department,role,cadence_months,email\n"
    row = next(line for line in (data / "roster.csv").read_text(encoding="utf-8").splitlines()
               if line.startswith("E0002,"))
    hub = Hub.start(data, state, groups=groups, admin_token=True)
    try:
        made = requests.put(hub.service_url + "api/roster", data=(header + row.replace(",E0001,", ",E0004,")).encode(),
                            headers={"Authorization": f"token {hub.user_token('operator')}"}, timeout=120)
        password = made.json()["passwords"]["e0004"]
    finally:
        hub.stop()

    process, text = start_hub_command(data, "--groups", str(tmp_path / "groups.json"))
    try:
        url = re.search(r"JupyterHub is running at (http://127\.0\.0\.1:\d+/)", text).group(1)
        assert ("careerconv hub: e0004 stay(s) a coach, with the password they have, though the groups file does not "
                "name them: a roster import made them coaches and the records service let them in to the running hub. "
                "Add them to the groups file to name every coach there; to take one out, mark them as left on the "
                "roster, or give their people another coach\n") in text, text
        today = time.strftime("%Y-%m-%d")
        assert re.search(rf"^    e0004 +unchanged since {today}  \(coach", text, flags=re.MULTILINE), text
        assert sign_in(url, "e0004", password).status_code == 302
        assert json.loads((state / "groups.json").read_text(encoding="utf-8"))["coaches"] == ["e0001", "e0020", "e0004"]
    finally:
        stop_hub_command(process)


def test_a_coach_let_in_after_an_import_whom_the_roster_no_longer_has_as_coach_is_left_out_and_said_so(
        tmp_path, capsys):
    """The other half: a coach the records service let in, whom the groups file does not name and the roster has as
    coach of nobody (their people moved on) or as left, signs in no more, and the start says so."""
    require_hub()
    from careerconv.surfaces.commands.hub import with_coaches_let_in
    from careerconv.surfaces.service.trial_passwords import add_password, write_password_file

    passwords = tmp_path / "passwords.json"
    write_password_file(passwords, {"e0001": "a-password"}, made="2026-11-02")
    for login in ("e0020", "e0004"):  # on the sample roster E0020 coaches eight people, E0004 nobody
        add_password(passwords, login)
    groups = {"coaches": ["e0001"], "hr": ["hr"], "operators": ["operator"]}
    assert with_coaches_let_in(groups, tmp_path, Store(config.SAMPLE_DATA_DIR)) == {
        "coaches": ["e0001", "e0020"], "hr": ["hr"], "operators": ["operator"]}
    said = capsys.readouterr().err
    assert "careerconv hub: e0020 stay(s) a coach, with the password they have" in said
    assert ("careerconv hub: e0004, let in as coach(es) after a roster import, are left out: the groups file does not "
            "name them and the roster has them as coach of nobody, or says they have left; their password(s) are "
            "removed, so they sign in no more\n") in said


@pytest.mark.slow
def test_new_passwords_revoke_the_tokens_and_the_browser_sign_ins_made_with_the_old_ones(tmp_path):
    """Said in the help of `careerconv hub --new-passwords`: a new password is what an operator gives when one
    leaked, yet an API token made with the old one kept reading the coach's people, and so did a browser signed in
    with it."""
    require_hub()
    data, state = tmp_path / "hub-data", tmp_path / "hub-state"  # the command's state folder, beside its data
    shutil.copytree(config.SAMPLE_DATA_DIR, data)
    groups = {"coaches": ["e0001", "e0020"], "hr": ["hr"], "operators": ["operator"]}
    (tmp_path / "groups.json").write_text(json.dumps(groups))
    browser = requests.Session()
    hub = Hub.start(data, state, groups=groups, admin_token=True)
    try:
        tokens = {login: hub.user_token(login) for login in ("e0001", "e0020")}
        assert sign_in(hub.url, "e0001", hub.passwords["e0001"], browser).status_code == 302
        assert me(hub.service_url, tokens["e0001"]).status_code == 200  # the token works before
    finally:
        hub.stop()

    process, text = start_hub_command(data, "--groups", str(tmp_path / "groups.json"), "--new-passwords", "e0001")
    try:
        url = re.search(r"JupyterHub is running at (http://127\.0\.0\.1:\d+/)", text).group(1)
        service = f"{url}services/careerconv-records/"
        assert me(service, tokens["e0001"]).status_code in (401, 403)
        assert me(service, tokens["e0020"]).json()["coach_id"] == "E0020"  # another coach's token still works
        home = browser.get(url + "hub/home", allow_redirects=False, timeout=60)  # the old sign-in
        assert home.status_code == 302 and "/hub/login" in home.headers["Location"]
        assert ("  revoked with the old password(s), each signed out of every browser: e0001 1 token (API tokens, "
                "their server's sessions)\n") in text, text
    finally:
        stop_hub_command(process)


def test_new_passwords_on_a_hub_database_that_is_not_sqlite_say_the_tokens_are_not_revoked(tmp_path, capsys):
    """An organisation's configuration may keep the hub's database in PostgreSQL, which the command does not open."""
    HubState(tmp_path, "http://127.0.0.1:8081/hub/api", database_kind="postgresql").write()
    assert sign_out(tmp_path, {"e0001": "new"}) == {}
    assert ("the hub's database is postgresql, so the tokens made before the new password(s) of e0001 are not "
            "revoked: delete them through JupyterHub's REST API") in capsys.readouterr().err
    assert sign_out(tmp_path / "never-started", {"e0001": "new"}) == {}  # no database yet: nothing to revoke


def me(service_url: str, token: str) -> requests.Response:
    """The records service's answer to ``api/me`` with ``token``."""
    return requests.get(service_url + "api/me", headers={"Authorization": f"token {token}"}, timeout=60)


def test_careerconv_hub_new_passwords_for_a_login_it_does_not_have_says_so_and_starts_nothing(tmp_path):
    require_hub()
    shutil.copytree(config.SAMPLE_DATA_DIR, tmp_path / "hub-data")
    done = subprocess.run([sys.executable, "-m", "careerconv.cli", "--data", str(tmp_path / "hub-data"), "hub",
                           "--new-passwords", "e0099"], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1, done.stderr
    assert "no hub login(s) e0099 to give a new password; the hub's logins are e0001, e0005" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "hub-state" / "jupyterhub.sqlite").exists()


def test_a_ctrl_c_while_careerconv_hub_prints_its_passwords_stops_the_hub(tmp_path, monkeypatch):
    """Found while testing the hub: a Ctrl-C that came as the command printed the URL (before its wait loop) ended
    the command and left JupyterHub, its proxy and the records service running, serving the data folder."""
    from careerconv import cli
    from careerconv.surfaces.commands import hub as hub_command

    stopped = []

    class StartedHub:
        url, service_url, log_path = "http://127.0.0.1:8000/", "http://127.0.0.1:8000/services/x/", tmp_path / "log"
        groups, passwords, kept, signed_out = {"coaches": ["e0020"]}, {"e0020": "secret"}, {}, {}

        def stop(self):
            stopped.append(True)

    def ctrl_c(text, *args, **kwargs):
        if text.startswith("JupyterHub is running"):  # the first line after the hub started
            raise KeyboardInterrupt

    shutil.copytree(config.SAMPLE_DATA_DIR, tmp_path / "data")
    monkeypatch.setattr(hub_command.Hub, "start", classmethod(lambda cls, *a, **k: StartedHub()))
    monkeypatch.setattr(hub_command, "print", ctrl_c, raising=False)
    assert cli.main(["--data", str(tmp_path / "data"), "hub"]) == 0
    assert stopped == [True]


_FAKE_HUB = """
import sys, time
from careerconv import cli
from careerconv.surfaces.commands import hub as hub_command

class Running:
    def poll(self):
        return None

class StartedHub:
    url, service_url, log_path = "http://127.0.0.1:8000/", "http://127.0.0.1:8000/services/x/", "log"
    groups, passwords, kept, signed_out, process = {"coaches": ["e0020"]}, {"e0020": "secret"}, {}, {}, Running()

    def stop(self):
        print("hub stopped", flush=True)

hub_command.Hub.start = classmethod(lambda cls, *a, **k: StartedHub())
sys.exit(cli.main(["--data", sys.argv[1], "hub"]))
"""


_HUB_THAT_ENDS = """
import sys
from careerconv import cli
from careerconv.surfaces.commands import hub as hub_command

class StartedHub:
    url, service_url, log_path = "http://127.0.0.1:8000/", "http://127.0.0.1:8000/services/x/", "log"
    groups, passwords, kept, signed_out = {"coaches": ["e0020"]}, {"e0020": "secret"}, {}, {}
    process = type("Ended", (), {"pid": 1, "returncode": 0, "poll": lambda self: 0})()

    def stop(self):
        pass

hub_command.Hub.start = classmethod(lambda cls, *a, **k: StartedHub())
cli.main(["--data", sys.argv[1], "hub"])
print(sorted(name for name in sys.modules if name.startswith("careerconv.demo")))
"""


def test_careerconv_hub_on_a_folder_with_a_roster_does_not_import_the_demo_organisation(tmp_path):
    """The demo organisation is written only on a first run, into a folder without a roster: a start on an
    organisation's data does not pay for importing its generator (found on this host: every hub start did)."""
    shutil.copytree(config.SAMPLE_DATA_DIR, tmp_path / "data")
    done = subprocess.run([sys.executable, "-c", _HUB_THAT_ENDS, str(tmp_path / "data")], capture_output=True,
                          text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert "JupyterHub (pid 1) ended by itself" in done.stderr, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"  # after what the command printed: no careerconv.demo module
    assert (tmp_path / "data" / "roster.csv").read_bytes() == (config.SAMPLE_DATA_DIR / "roster.csv").read_bytes()


@pytest.mark.parametrize("stopping", ["SIGINT", "SIGTERM", "SIGHUP"])
def test_careerconv_hub_started_in_the_background_by_a_script_stops_on_its_signal(tmp_path, stopping):
    """Found by a hostile test: `careerconv hub &` in a script (where the shell hands a background job SIGINT
    ignored) did not stop on `kill -INT`, and its hub, proxy and service kept serving; `careerconv app` did."""
    shutil.copytree(config.SAMPLE_DATA_DIR, tmp_path / "data")
    process = subprocess.Popen([sys.executable, "-c", _FAKE_HUB, str(tmp_path / "data")], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"},
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        lines = []
        for line in process.stdout:
            lines.append(line)
            if line.startswith("Press Ctrl-C to stop."):
                break
        assert lines and lines[-1].startswith("Press Ctrl-C"), "".join(lines)
        process.send_signal(getattr(signal, stopping))
        assert process.wait(60) == 0
        assert "hub stopped" in process.stdout.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
