"""The access log says which record each write touched, through real HTTP to the records service (the hub's token
check stood in by a fixed table, see ``service_harness``).

Found by a hostile test of the hub: a check-in or conversation created without an id (as the coach's app
creates every new one) was logged as ``checkin/new``, so the log could not say which record the coach created.
"""

from __future__ import annotations

import json

import pytest
import requests

from service_harness import RunningService

A = "tok-coach-a"  # e0020, coach E0020 of E0003


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
