"""The access log says which record each write touched, through real HTTP to the records service (the hub's token
check stood in by a fixed table, see ``service_harness``).

Found by a hostile test of the hub: a check-in or conversation created without an id (as the coach's app
creates every new one) was logged as ``checkin/new``, so the log could not say which record the coach created;
and a roster import, which moves people to another coach (and so decides who reads their records), was not
logged at all, allowed or refused.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from service_harness import RunningService

A, OP = "tok-coach-a", "tok-operator"  # e0020, coach E0020 of E0003; olga, the operator
HEADER = "employee_id,name,coach_id,department,role,cadence_months,email\n"


@pytest.fixture()
def svc(tmp_path):
    running = RunningService(tmp_path)
    yield running
    running.stop()


def log_entries(svc) -> list[dict]:
    return [json.loads(line) for line in svc.access_log.read_text(encoding="utf-8").splitlines()]


def test_a_record_created_without_an_id_is_logged_with_the_id_it_was_given(svc):
    created = requests.put(svc.url + "api/people/E0003/checkins", headers={"Authorization": f"token {A}"},
                           json={"employee_id": "E0003", "coach_id": "E0020", "date": "2026-10-02",
                                 "status": "draft", "note": "first", "updates": [], "ratings": [],
                                 "kind": "checkin"}, timeout=30)
    assert created.status_code == 200
    assert created.json()["checkin_id"] == "E0003-ci-20261002"
    assert [(e["user"], e["action"], e["employee_id"], e["record"], e["outcome"]) for e in log_entries(svc)] == [
        ("e0020", "create", "E0003", "checkin/E0003-ci-20261002", "allowed")]


def test_a_roster_import_is_logged_once_for_each_person_it_adds_or_changes_and_a_refused_one_too(svc):
    rows = {line.split(",", 1)[0]: line for line in
            (svc.data / "roster.csv").read_text(encoding="utf-8").splitlines()[1:]}
    upload = HEADER + "\n".join([rows["E0004"].replace(",E0020,", ",E0001,"),  # moved to another coach
                                  rows["E0003"],  # as it is: not written, not logged
                                  "E0100,Ada Newcomer,E0020,Engineering,Engineer,12,ada@example.org"]) + "\n"
    refused = requests.put(svc.url + "api/roster", headers={"Authorization": f"token {A}"},
                           data=upload.encode("utf-8"), timeout=30)
    assert refused.status_code == 403
    imported = requests.put(svc.url + "api/roster", headers={"Authorization": f"token {OP}"},
                            data=upload.encode("utf-8"), timeout=30)
    assert imported.status_code == 200
    assert (imported.json()["added"], imported.json()["updated"], imported.json()["unchanged"]) == (1, 1, 1)
    assert [(e["user"], e["action"], e["employee_id"], e["record"], e["outcome"], e["status"])
            for e in log_entries(svc)] == [
        ("e0020", "import roster", None, "roster", "refused", 403),
        ("olga", "import roster", "E0004", "roster", "allowed", 200),
        ("olga", "import roster", "E0100", "roster", "allowed", 200)]
    text = svc.access_log.read_text(encoding="utf-8")
    assert "Ada" not in text and "Newcomer" not in text and "Davies" not in text  # no name (E0004: Grace Davies)


def test_what_a_request_names_in_place_of_an_id_never_reaches_the_log(svc):
    """A hostile test of the hub sent a record's text as its id ({"note": "wants to leave..."}): refused, and the
    note was in the access log the operator reads, as was a 2 MB id, whole. The log writes ids only."""
    headers = {"Authorization": f"token {A}"}
    secret = "SECRET-CONTENT: wants to leave, burnout"
    body = {"checkin_id": {"note": secret}, "employee_id": "E0003", "coach_id": "E0020", "revision": 1}
    refused = requests.put(svc.url + "api/people/E0003/checkins", json=body, headers=headers, timeout=30)
    assert refused.status_code == 400
    huge = requests.put(svc.url + "api/people/E0003/checkins", headers=headers, timeout=60,
                        json={**body, "checkin_id": "x" * 2_000_000})
    assert huge.status_code == 400
    odd = requests.get(svc.url + "api/people/E0003/checkins/" + "%F0%9F%A4%AB" * 50, headers=headers, timeout=30)
    assert odd.status_code in (400, 404)
    text = svc.access_log.read_text(encoding="utf-8")
    assert "SECRET" not in text and "xxxx" not in text and "🤫" not in text and len(text) < 2000
    assert [e["record"] for e in log_entries(svc)] == ["checkin/(not an id)"] * 3


def test_a_record_naming_no_coach_or_a_summary_of_no_conversation_is_refused_and_writes_nothing(svc):
    """Found by a hostile test of the hub: a check-in saved with "coach_id": null was stored naming no coach, and
    then neither its coach nor anyone could change or discard it; a summary page was written for a conversation
    that does not exist (any number of pages, of any size)."""
    headers = {"Authorization": f"token {A}"}
    def records() -> list[Path]:  # every file but the derived tables and the lock stripes (made on first use)
        return sorted(p.relative_to(svc.data) for p in svc.data.rglob("*")
                      if p.is_file() and not {"derived", ".locks"} & set(p.parts))

    before = records()
    body = {"employee_id": "E0003", "coach_id": None, "date": "2026-10-02", "note": "", "updates": []}
    refused = requests.put(svc.url + "api/people/E0003/checkins", json=body, headers=headers, timeout=30)
    assert refused.status_code == 403
    assert "may only save records with themselves as coach (coach_id 'E0020'), not one naming no coach" in \
        refused.json()["message"]
    page = requests.put(svc.url + "api/people/E0003/conversations/E0003-29990101/summary", data=b"<p>x</p>",
                        headers=headers, timeout=30)
    assert page.status_code == 404 and "has no conversation 'E0003-29990101'" in page.json()["message"]
    assert records() == before


def test_a_change_needs_a_hub_token_of_its_own_maker_beside_the_login_cookie(svc):
    """Any Authorization header beside the hub's login cookie let a change through on the cookie alone."""
    from service_harness import COOKIE

    body = {"employee_id": "E0003", "coach_id": "E0020", "date": "2026-10-02", "note": "", "updates": []}
    url = svc.url + "api/people/E0003/checkins"
    for header in ("x", "token not-a-hub-token", "Basic b2xnYTpzZWNyZXQ="):  # garbage, no hub token, a password
        answer = requests.put(url, json=body, headers={"Authorization": header, "Cookie": f"{COOKIE}={A}"},
                              timeout=30)
        assert answer.status_code == 403 and "a hub token of the one making them" in answer.json()["message"]
    assert requests.get(svc.url + "api/people/E0003/history", headers={"Cookie": f"{COOKIE}={A}"},
                        timeout=30).status_code == 200  # the cookie still reads
    made = requests.put(url, json=body, headers={"Authorization": f"token {A}", "Cookie": f"{COOKIE}={A}"},
                        timeout=30)
    assert made.status_code == 200, made.text
