"""Erasing someone on the command line reaches everything a records service keeps about them outside the data folder.

Found: ``careerconv erase`` on the data folder of a hub cleaned ``reports/`` beside the data folder, but not the hub's
own reports folder (``<state>/reports``, the one its records service is given), so their progress reports stayed
there. The service now puts its reports folder on the data folder's list of reports folders when it starts, as it
puts its access log on the list of access logs, and the command cleans every folder on it.

The service is the real one over HTTP, in a thread, with the hub's token check stood in (``service_harness``); the
command is ``careerconv`` as an operator types it.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import shutil
import socket
from pathlib import Path

import pytest
import requests

from careerconv.cli import main
from careerconv.records.erasure import erase_employee
from careerconv.records.store import Store
from erasure_readers import Person, files_naming
from service_harness import RunningService

COACH, OPERATOR = "tok-coach-a", "tok-operator"  # e0020, Do-yun's coach; olga, an operator
DO_YUN = Person("E0003", "Do-yun Yoon", "doyun.yoon@example.org")  # on the sample roster, coached by E0020


@pytest.fixture()
def hub(tmp_path):
    """The records service of a hub whose state folder is ``hub-state``: its reports folder is hub-state/reports."""
    running = RunningService(tmp_path, reports=tmp_path / "hub-state" / "reports")
    yield running
    running.stop()


def hub_reports(folder: Path) -> None:
    """Do-yun's progress report, Grace's, and the batch's index page naming both, in the hub's reports folder."""
    (folder / "E0003").mkdir(parents=True)
    (folder / "E0003" / "progress-2026-10-01.html").write_text("<h1>Do-yun Yoon</h1><p>Progress report</p>")
    (folder / "E0003" / ".progress-2026-10-01.fingerprint").write_text("0123abcd")
    (folder / "E0004").mkdir()
    (folder / "E0004" / "progress-2026-10-01.html").write_text("<h1>Grace Davies</h1>")
    (folder / "index-2026-10-01.html").write_text("<table id=\"reports\"><tr><td>E0003</td><td>Do-yun Yoon</td></tr>"
                                                  "<tr><td>E0004</td><td>Grace Davies</td></tr></table>")


def test_erasing_on_the_command_line_cleans_the_hubs_own_reports_folder(hub, capsys):
    hub_reports(hub.reports)
    assert files_naming(DO_YUN, hub.reports)  # the hub's folder really does name her
    beside = hub.data.parent / "reports"
    assert hub.reports.parent != beside.parent or hub.reports != beside

    # The operator names only the data folder: the hub's reports folder is found by itself.
    assert main(["--data", str(hub.data), "erase", "--employee", "E0003", "--yes"]) == 0
    receipt = capsys.readouterr().out
    assert files_naming(DO_YUN, hub.reports) == []
    assert files_naming(DO_YUN, hub.data) == []
    assert (hub.reports / "E0004" / "progress-2026-10-01.html").read_text() == "<h1>Grace Davies</h1>"
    folder = hub.reports.resolve()
    assert f"  reports folder: {folder} (on the data folder's list of reports folders)" in receipt
    lines = [" ".join(line.split()) for line in receipt.splitlines()]  # the receipt's columns, spaces aside
    assert f"{folder / 'E0003'}/ deleted (2 file(s))" in lines
    assert f"{folder / 'index-2026-10-01.html'} deleted (generated; regenerate it)" in lines
    assert json.loads((hub.data / "reports-folders.json").read_text()) == \
        {"version": 1, "data_folder": str(hub.data.resolve()), "reports_folders": [str(folder)]}


def test_a_listed_reports_folder_that_is_not_there_is_named_on_the_receipt_and_the_command_exits_1(hub, capsys):
    hub_reports(hub.reports)
    moved = hub.reports.parent / "reports-moved"
    shutil.move(hub.reports, moved)
    assert main(["--data", str(hub.data), "erase", "--employee", "E0003", "--yes"]) == 1
    out, err = capsys.readouterr()
    assert not (hub.data / "conversations" / "E0003").exists()
    assert f"  {hub.reports.resolve()}: the data folder's list of reports folders (reports-folders.json) names " \
           "it, but there is no folder there" in out
    assert "careerconv erase: 1 file(s) still mention E0003" in err

    # Named where it is now, it is cleaned, and the erasure of someone already erased finishes there.
    assert main(["--data", str(hub.data), "erase", "--employee", "E0003", "--yes", "--reports", str(moved)]) == 1
    assert files_naming(DO_YUN, moved) == []


def history(svc, employee_id: str, token: str) -> int:
    return requests.get(svc.url + f"api/people/{employee_id}/history", headers={"Authorization": f"token {token}"},
                        timeout=30).status_code


def erase_through_the_service(svc, employee_id: str, token: str) -> requests.Response:
    return requests.delete(svc.url + f"api/people/{employee_id}", headers={"Authorization": f"token {token}"},
                           timeout=120)


def test_erasing_again_through_the_service_finishes_what_an_earlier_erasure_left(hub):
    """Found: someone erased from the data folder alone (an older version, or a command that could not reach the
    hub's folder) was answered 404 by the service's erasure ("not on the roster and nothing is held about them"),
    though the hub's access log still named them and the index page of a batch that was running, written into the
    hub's reports folder after, listed them: only the command line could finish."""
    assert history(hub, "E0003", COACH) == 200  # a line naming them in the hub's log
    erase_employee(Store(hub.data), hub.data.parent / "reports", "E0003")  # the data folder alone
    hub_reports(hub.reports)  # a batch that was running writes its pages after: its index page names them
    shutil.rmtree(hub.reports / "E0003")
    assert any(b'"E0003"' in line for line in hub.access_log.read_bytes().splitlines())

    # The rules of who may erase still hold: a coach is refused, and nothing changes.
    assert erase_through_the_service(hub, "E0003", COACH).status_code == 403
    assert "Do-yun Yoon" in (hub.reports / "index-2026-10-01.html").read_text()

    answer = erase_through_the_service(hub, "E0003", OPERATOR)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["complete"] is True and body["employee_id"] == "E0003"
    assert body["receipt"].startswith(f"E0003 was erased from {hub.data.resolve()} on {dt.date.today()}; this "
                                      "erasure looked again for what was left of them.")
    lines = [" ".join(line.split()) for line in body["receipt"].splitlines()]
    assert f"reports folder: {hub.reports.resolve()}" in lines
    assert "reports/index-2026-10-01.html deleted (generated; regenerate it)" in lines
    # the read; the refused erasure came after they were on the erased list, so it named them by pseudonym at once
    assert f"{hub.access_log.resolve()} 1 line(s) changed" in lines
    assert files_naming(DO_YUN, hub.reports) == [] and files_naming(DO_YUN, hub.data) == []
    logged = [json.loads(line) for line in hub.access_log.read_bytes().splitlines()]
    assert not [entry for entry in logged if "E0003" in json.dumps(entry)]
    assert logged[-1] == {**logged[-1], "user": "olga", "action": "erase", "employee_id": body["logged_as"],
                          "outcome": "allowed", "status": 200}

    # Someone never held here is still not found.
    assert erase_through_the_service(hub, "E9999", OPERATOR).status_code == 404


def test_an_erasure_on_the_command_line_is_a_line_of_the_hubs_access_log_by_who_ran_it(hub, capsys, monkeypatch):
    """Found: after ``careerconv erase`` the hub's log no longer named the person, and said nothing of the erasure
    either: the log of who did what to whose records had no line of the one change that removed everything."""
    assert history(hub, "E0003", COACH) == 200
    monkeypatch.setenv("SUDO_USER", "olga")  # an operator who ran it with sudo, as root
    assert main(["--data", str(hub.data), "erase", "--employee", "E0003", "--yes"]) == 0
    receipt = capsys.readouterr().out
    logged = [json.loads(line) for line in hub.access_log.read_bytes().splitlines()]
    named = logged[0]["employee_id"]
    assert named.startswith("erased:") and not [entry for entry in logged if "E0003" in json.dumps(entry)]
    host = socket.gethostname()
    account = f"olga (as {getpass.getuser()} on {host})" if os.geteuid() == 0 else f"{getpass.getuser()} on {host}"
    assert logged[-1] == {"at": logged[-1]["at"], "user": account, "action": "erase", "employee_id": named,
                          "record": None, "outcome": "allowed", "status": 0}
    assert dt.datetime.fromisoformat(logged[-1]["at"]).date() == dt.datetime.now(dt.timezone.utc).date()
    assert f"Each log changed or left as it was has a line saying that {account} erased {named} now." in receipt
