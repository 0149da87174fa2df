"""Erasing a person reaches the records service's access log, whichever way they are erased.

Found: ``careerconv erase`` on the data folder a hub serves did not touch the hub's access log (the command did not
know where it was), so after an erasure on the command line the log still named the person in every line about
them; and the rewrite that erasing through the service made read the whole log into memory, and replaced it with
what it had read, so a line the service appended meanwhile was lost.

The service here is the real one over HTTP, in a thread, with the hub's token check stood in (``service_harness``);
the command is ``careerconv`` as an operator types it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
import requests

from careerconv.cli import main
from careerconv.surfaces.service.access_log import AccessLog
import service_harness
from service_harness import RunningService

A, B, OP = "tok-coach-a", "tok-coach-b", "tok-operator"  # e0020 coaches E0003 and E0004; e0001 coaches E0002
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture()
def svc(tmp_path):
    running = RunningService(tmp_path)
    yield running
    running.stop()


def get(svc, path, token):
    return requests.get(svc.url + path, headers={"Authorization": f"token {token}"}, timeout=30)


def lines(log: Path) -> list[bytes]:
    return log.read_bytes().splitlines(keepends=True)


def names(line: bytes, employee_id: str) -> bool:
    """Whether a line of the log, read as the JSON it is, names the person in any letter case."""
    return any(employee_id.casefold() in str(value).casefold() for value in json.loads(line).values())


def pseudonym(data: Path, employee_id: str) -> str:
    """The pseudonym of an erased id, worked out by hand from the data folder's salt (erased.json)."""
    salt = json.loads((data / "erased.json").read_text(encoding="utf-8"))["salt"]
    return "erased:" + hmac.new(bytes.fromhex(salt), employee_id.casefold().encode(), hashlib.sha256).hexdigest()


def hub_traffic(svc) -> None:
    """Coach A reads E0003 (once typed in lower case) and E0004, creates a check-in of E0003; coach B reads E0002."""
    assert get(svc, "api/people/E0003/history", A).status_code == 200
    get(svc, "api/people/e0003/history", A)  # logged as typed, whatever the answer
    created = requests.put(svc.url + "api/people/E0003/checkins", headers={"Authorization": f"token {A}"},
                           json={"employee_id": "E0003", "coach_id": "E0020", "date": "2026-10-02", "status": "draft",
                                 "note": "first", "updates": [], "ratings": [], "kind": "checkin"}, timeout=30)
    assert created.status_code == 200, created.text
    assert get(svc, "api/people/E0004/history", A).status_code == 200
    assert get(svc, "api/people/E0002/history", B).status_code == 200
    assert get(svc, "api/people/E0003/history", B).status_code == 403


def test_erasing_on_the_command_line_leaves_no_line_of_the_hubs_access_log_naming_them(svc, capsys):
    hub_traffic(svc)
    before = lines(svc.access_log)
    about = [line for line in before if names(line, "E0003")]
    others = [line for line in before if not names(line, "E0003")]
    assert len(about) == 4 and len(others) == 2
    assert any(b'"e0003"' in line for line in about)

    # The operator names only the data folder: the hub's log is found by itself, the hub still running.
    assert main(["--data", str(svc.data), "erase", "--employee", "E0003", "--yes"]) == 0
    receipt = capsys.readouterr().out
    assert "Erased employee E0003." in receipt
    assert f"{svc.access_log.resolve()}  4 line(s) changed" in receipt

    after = lines(svc.access_log)
    assert not [line for line in after if names(line, "E0003")]
    assert [line for line in after if b'"erased:' not in line] == others  # byte for byte
    named = pseudonym(svc.data, "E0003")
    assert f"E0003 is named {named} from now on, in every line about or by them:" in receipt
    assert [json.loads(line)["employee_id"] for line in after if b"erased:" in line] == [named] * 5
    assert [json.loads(line)["record"] for line in after if b"erased:" in line] == \
        [None, None, "checkin/erased", None, None]
    assert json.loads(after[-1])["action"] == "erase"  # the erasure's own line
    assert oct(svc.access_log.stat().st_mode & 0o777) == "0o600"

    # The service goes on logging into the log it finds at its place.
    assert get(svc, "api/people/E0004/history", A).status_code == 200
    assert json.loads(lines(svc.access_log)[-1])["employee_id"] == "E0004"


def test_erasing_through_the_service_and_on_the_command_line_name_people_alike_and_both_count_the_lines(svc,
                                                                                                     capsys):
    hub_traffic(svc)
    erased = requests.delete(svc.url + "api/people/E0004", headers={"Authorization": f"token {OP}"}, timeout=60)
    assert erased.status_code == 200 and erased.json()["complete"]
    assert erased.json()["logged_as"] == pseudonym(svc.data, "E0004")
    assert f"{svc.access_log.resolve()}  1 line(s) changed" in erased.json()["receipt"]

    assert main(["--data", str(svc.data), "erase", "--employee", "E0003", "--yes"]) == 0
    assert f"{svc.access_log.resolve()}  4 line(s) changed" in capsys.readouterr().out
    logged = {json.loads(line)["employee_id"] for line in lines(svc.access_log)}
    assert logged == {"E0002", pseudonym(svc.data, "E0003"), pseudonym(svc.data, "E0004")}


def test_a_coach_whose_page_saves_after_the_erasure_is_refused_in_a_line_that_names_the_person_by_pseudonym(svc):
    """Found by a hostile tester on the hub: a coach had E0017's conversation open, the operator erased E0017 (the
    receipt said the log was rewritten), and a second later the page's next save, refused, added a line naming
    E0017 and their conversation's id in clear."""
    headers = {"Authorization": f"token {A}"}
    assert get(svc, "api/people/E0003/history", A).status_code == 200  # the coach opens the conversation
    erased = requests.delete(svc.url + "api/people/E0003", headers={"Authorization": f"token {OP}"}, timeout=60)
    assert erased.status_code == 200 and erased.json()["complete"]
    named = pseudonym(svc.data, "E0003")

    saved = requests.put(svc.url + "api/people/E0003/conversations", headers=headers, timeout=30,
                         json={"employee_id": "E0003", "conversation_id": "E0003-20261206", "coach_id": "E0020",
                               "revision": 3, "status": "draft"})
    assert saved.status_code == 404
    assert get(svc, "api/people/e0003/conversations/E0003-20261206", A).status_code == 404

    after = lines(svc.access_log)
    assert not [line for line in after if names(line, "E0003")]
    assert [(e["user"], e["action"], e["employee_id"], e["record"], e["outcome"], e["status"])
            for e in map(json.loads, after[-2:])] == [
        ("e0020", "save", named, "conversation/erased", "refused", 404),
        ("e0020", "read", named, "conversation/erased", "refused", 404)]


def test_the_services_request_log_which_the_hub_keeps_in_its_own_log_names_no_person_or_record(svc, caplog):
    """Found by a hostile tester on the hub: the service's request log (tornado's lines on stderr, which the hub
    keeps in jupyterhub.log, a file no erasure rewrites) wrote every refused request's address: a save refused
    after E0017's erasure named them there, and 40 lines named another person."""
    caplog.set_level(logging.INFO, logger="tornado")
    headers = {"Authorization": f"token {A}"}
    assert get(svc, "api/people/E0003/history", A).status_code == 200
    assert requests.delete(svc.url + "api/people/E0003", headers={"Authorization": f"token {OP}"},
                           timeout=60).status_code == 200
    assert requests.put(svc.url + "api/people/E0003/conversations", headers=headers, timeout=30,
                        json={"employee_id": "E0003", "conversation_id": "E0003-20261206", "coach_id": "E0020",
                              "revision": 3}).status_code == 404
    assert get(svc, "api/people/E0002/history", A).status_code == 403
    assert get(svc, "api/people/E0003/checkins/E0003-ci-20261002", A).status_code == 404
    assert get(svc, "api/people/E0003/nothing-here", A).status_code == 404  # no route at all
    assert get(svc, "api/access-log?employee_id=E0003&user=e0020", OP).status_code == 200
    svc.stop()  # its requests' lines are written by the time its thread ends
    logged = [record.getMessage() for record in caplog.records if record.name.startswith("tornado")]
    assert [" ".join(line.split()[:3]) for line in logged] == [
        "200 GET /services/careerconv-records/api/people/…/history",
        "200 DELETE /services/careerconv-records/api/people/…",
        "404 PUT /services/careerconv-records/api/people/…/conversations",
        "403 GET /services/careerconv-records/api/people/…/history",
        "404 GET /services/careerconv-records/api/people/…/checkins/…",
        "404 GET /services/careerconv-records/api/people/…/…",
        "200 GET /services/careerconv-records/api/access-log?employee_id=…&user=…"]
    assert not [line for line in logged if "e000" in line.casefold() or "2026" in line]


def test_a_login_erased_on_the_command_line_is_named_by_pseudonym_in_the_lines_of_its_later_requests(svc,
                                                                                                    monkeypatch):
    """A hub login may be a person's id (a coach's is): erased on the command line while the hub runs, a request
    the login still makes is logged by their pseudonym, not in clear."""
    monkeypatch.setitem(service_harness.USERS, "tok-e0002", {"name": "e0002", "groups": ["coaches"]})
    assert main(["--data", str(svc.data), "erase", "--employee", "E0002", "--yes"]) == 0
    assert get(svc, "api/people/E0003/history", "tok-e0002").status_code == 403
    last = json.loads(lines(svc.access_log)[-1])
    assert (last["user"], last["action"], last["employee_id"], last["outcome"]) == \
        (pseudonym(svc.data, "E0002"), "read history", "E0003", "refused")
    assert not [line for line in lines(svc.access_log) if names(line, "E0002")]


def test_a_log_that_cannot_be_rewritten_is_named_on_the_receipt_and_the_command_exits_1(svc, tmp_path):
    """The hub's state folder may not be written by who runs the command (as root, as CI runs, root's power to write
    anywhere is dropped for the command with ``setpriv``): the data is erased, the log is left as it was and named
    as still naming them; once it can be written, the same command finishes the job."""
    hub_traffic(svc)
    before = svc.access_log.read_bytes()
    command = [sys.executable, "-m", "careerconv.cli", "--data", str(svc.data), "erase", "--employee", "E0003",
               "--yes"]
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("as root, setpriv (util-linux) is needed to run a command that may not write")
        dropped = "-dac_override,-dac_read_search,-fowner"
        command = ["setpriv", f"--bounding-set={dropped}", f"--inh-caps={dropped}", *command]
    state = svc.access_log.parent
    os.chmod(state, 0o500)
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
                              env={**os.environ, "PYTHONPATH": str(REPO)})
    finally:
        os.chmod(state, 0o700)
    assert done.returncode == 1, done.stderr
    assert not (svc.data / "conversations" / "E0003").exists()
    assert svc.access_log.read_bytes() == before
    log = svc.access_log.resolve()
    assert f"{log}  NOT CHANGED: cannot write {log}: permission denied" in done.stdout
    assert "any line about them there still names them" in done.stdout
    assert f"careerconv erase: 1 access log(s) could not be rewritten and still name E0003: {log}" in done.stderr

    again = subprocess.run(command[command.index(sys.executable):], capture_output=True, text=True, timeout=300,
                           stdin=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert again.returncode == 0, again.stderr
    assert "E0003 was erased from" in again.stdout and f"{log}  4 line(s) changed" in again.stdout
    assert not [line for line in lines(svc.access_log) if names(line, "E0003")]


def test_a_log_named_on_the_command_line_that_is_not_there_stops_the_erasure_before_it_starts(svc, capsys):
    assert main(["--data", str(svc.data), "erase", "--employee", "E0003", "--yes",
                 "--access-log", str(svc.data.parent / "old-hub" / "access-log.jsonl")]) == 1
    assert "there is no file there; nothing was erased" in capsys.readouterr().err
    assert (svc.data / "conversations" / "E0003").exists()


def test_forget_renames_them_by_id_and_login_in_any_case_and_keeps_every_other_line_as_it_was(tmp_path):
    log = tmp_path / "access-log.jsonl"
    written = [
        b'{"at": "2026-01-01T00:00:00.000+00:00", "user": "e0020", "action": "read history", '
        b'"employee_id": "E0042", "record": null, "outcome": "allowed", "status": 200}\n',
        b'{"at": "2026-01-01T00:00:01.000+00:00", "user": "e0042", "action": "save", '
        b'"employee_id": "E0007", "record": "conversation/E0007-20260101", "outcome": "allowed", "status": 200}\n',
        b'{"at": "2026-01-01T00:00:02.000+00:00", "user": "olga", "action": "import roster", '
        b'"employee_id": "e0042", "record": "roster", "outcome": "allowed", "status": 200}\n',
        b'{"at": "2026-01-01T00:00:03.000+00:00", "user": "e0020", "action": "read history", '
        b'"employee_id": "E00420", "record": null, "outcome": "allowed", "status": 200}\n',
        b'damaged by hand: E0042 was here\n',
        b'{"at": "2026-01-01T00:00:04.000+00:00", "user": "e0020", "action": "save", '
        b'"employee_id": "E0042", "record": "checkin/E0042-ci-20260101", "outcome": "allowed", "status": 200}\n',
    ]
    log.write_bytes(b"".join(written))
    log.chmod(0o600)
    assert AccessLog(log).forget("E0042", "erased:ab12") == 5
    assert lines(log) == [
        b'{"at": "2026-01-01T00:00:00.000+00:00", "user": "e0020", "action": "read history", '
        b'"employee_id": "erased:ab12", "record": null, "outcome": "allowed", "status": 200}\n',
        b'{"at": "2026-01-01T00:00:01.000+00:00", "user": "erased:ab12", "action": "save", '
        b'"employee_id": "E0007", "record": "conversation/E0007-20260101", "outcome": "allowed", "status": 200}\n',
        b'{"at": "2026-01-01T00:00:02.000+00:00", "user": "olga", "action": "import roster", '
        b'"employee_id": "erased:ab12", "record": "roster", "outcome": "allowed", "status": 200}\n',
        written[3],
        b'damaged by hand: erased:ab12 was here\n',
        b'{"at": "2026-01-01T00:00:04.000+00:00", "user": "e0020", "action": "save", '
        b'"employee_id": "erased:ab12", "record": "checkin/erased", "outcome": "allowed", "status": 200}\n',
    ]
    assert oct(log.stat().st_mode & 0o777) == "0o600"
    same = log.stat().st_ino
    assert AccessLog(log).forget("E0042", "erased:ab12") == 0
    assert log.stat().st_ino == same  # nothing to change: the file is left alone


def test_forget_reads_a_large_log_line_by_line(tmp_path):
    """A hub's log of a year is large: the rewrite holds a line at a time, not the log (it read all 12 MB)."""
    log = tmp_path / "access-log.jsonl"
    line = ('{"at": "2026-01-01T00:00:00.000+00:00", "user": "e0020", "action": "read history", '
            '"employee_id": "E%04d", "record": null, "outcome": "allowed", "status": 200}\n')
    with log.open("w", encoding="utf-8") as out:
        for i in range(80_000):
            out.write(line % (i % 50))
    size = log.stat().st_size
    assert size > 10 * 2 ** 20
    tracemalloc.start()
    try:
        assert AccessLog(log).forget("E0007", "erased:ab12") == 1600
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 ** 20, f"held {peak} bytes to rewrite a log of {size}"
    assert log.stat().st_size == size + 1600 * len("erased:ab12") - 1600 * len("E0007")


APPENDER = """
import sys
from pathlib import Path
from careerconv.surfaces.service.access_log import AccessLog, ALLOWED

log, stop = AccessLog(sys.argv[1]), Path(sys.argv[2])
n = 0
while not stop.exists():
    log.append("olga", "read history", "E9999", ALLOWED, 200, f"checkin/E9999-ci-{n}")
    n += 1
print(n)
"""


def test_lines_another_process_appends_while_the_log_is_rewritten_are_all_kept(tmp_path):
    log, stop = tmp_path / "access-log.jsonl", tmp_path / "stop"
    with log.open("w", encoding="utf-8") as out:
        for i in range(40_000):
            out.write(json.dumps({"at": "2026-01-01T00:00:00.000+00:00", "user": "e0020", "action": "read history",
                                  "employee_id": f"E{i % 8:04d}", "record": None, "outcome": "allowed",
                                  "status": 200}) + "\n")
    log.chmod(0o600)
    appender = subprocess.Popen([sys.executable, "-c", APPENDER, str(log), str(stop)], stdout=subprocess.PIPE,
                                text=True, stdin=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        while b"E9999" not in log.read_bytes()[-200:]:  # the appender has started
            assert appender.poll() is None, "the appender stopped"
        started = log.read_bytes().count(b'"E9999"')
        changed = [AccessLog(log).forget(f"E{i:04d}", f"erased:{i}") for i in range(8)]
        during = log.read_bytes().count(b'"E9999"') - started
    finally:
        stop.touch()
        appended = int(appender.communicate(timeout=120)[0])
    assert changed == [5000] * 8
    assert during > 0, "no line was appended while the log was rewritten: the test did not test a race"
    records = [json.loads(line)["record"] for line in lines(log) if b'"E9999"' in line]
    assert records == [f"checkin/E9999-ci-{n}" for n in range(appended)]
    assert oct(log.stat().st_mode & 0o777) == "0o600"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root may give a file to another")
def test_a_log_of_the_services_account_rewritten_by_root_stays_the_services_to_append_to(tmp_path):
    """``sudo careerconv erase``: the new log belongs to the service's account, as the old one did (a log that became
    root's would refuse every line the service appends from then on)."""
    log = tmp_path / "access-log.jsonl"
    AccessLog(log).append("e0020", "read history", "E0042", "allowed", 200)
    os.chown(log, 65534, 65534)
    assert AccessLog(log).forget("E0042", "erased:ab12") == 1
    assert (log.stat().st_uid, log.stat().st_gid, oct(log.stat().st_mode & 0o777)) == (65534, 65534, "0o600")
