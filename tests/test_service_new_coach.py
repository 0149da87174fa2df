"""A roster import that makes someone a coach lets them in to the running hub at once, or says why not.

The records service runs as in ``service_harness``; the hub's REST API is a stand-in on 127.0.0.1 that answers as
JupyterHub does and lists what it was asked (a real hub: ``tests/test_hub.py`` and
``tests/e2e/test_hub_new_coach_browser.py``).
"""

from __future__ import annotations

import json
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from careerconv.records.store import Store
from careerconv.surfaces.service.hub_state import HubState
from careerconv.surfaces.service import hub_users
from careerconv.surfaces.service.hub_users import HubApi
from careerconv.surfaces.service.trial_passwords import password_matches, read_password_file, write_password_file
from service_harness import RunningService, free_port

GROUPS = {"coaches": ["e0020", "e0001"], "hr": ["hana"], "operators": ["olga"]}
HEADER = "employee_id,name,coach_id,department,role,cadence_months,email\n"


class StandInHub:
    """The hub's API: ``answers`` maps ``(method, path)`` to the status it answers (201/200 by default)."""

    def __init__(self, answers: dict[tuple[str, str], int] | None = None):
        self.asked: list[tuple[str, str, object]] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                path = self.path.removeprefix("/hub/api/")
                hub.asked.append((self.command, path, body))
                status = (answers or {}).get((self.command, path), 201 if path.startswith("users/") else 200)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"message": "stand-in"}')

            do_POST = do_DELETE = answer

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hub/api"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def svc(tmp_path):
    running = RunningService(tmp_path)
    state = tmp_path / "hub-state"
    state.mkdir()
    (state / "groups.json").write_text(json.dumps(GROUPS), encoding="utf-8")
    write_password_file(state / "passwords.json", {"e0020": "a-password", "e0001": "another"}, made="2026-11-02")
    HubState(state, "http://127.0.0.1:1/hub/api", groups=state / "groups.json",
             passwords=state / "passwords.json").write()
    running.service.hub_state = state
    try:
        yield running
    finally:
        running.stop()


def make_e0004_coach(svc) -> requests.Response:
    """Import a roster row that makes E0004, who coached nobody, the coach of E0002."""
    row = next(line for line in (svc.data / "roster.csv").read_text(encoding="utf-8").splitlines()
               if line.startswith("E0002,"))
    answer = requests.put(svc.url + "api/roster", data=(HEADER + row.replace(",E0001,", ",E0004,")).encode(),
                          headers={"Authorization": "token tok-operator"}, timeout=60)
    assert answer.status_code == 200, answer.text
    assert answer.json()["updated"] == 1
    assert Store(svc.data).employee("E0002")["coach_id"] == "E0004"  # imported, whatever the hub said
    return answer


def make_e0004_coach_with_hub(svc, answers: dict[tuple[str, str], int] | None = None) -> tuple[dict, list]:
    """:func:`make_e0004_coach` with a :class:`StandInHub` answering ``answers``: the import's answer, and what the
    hub was asked."""
    hub = StandInHub(answers)
    svc.service.hub_api = HubApi(hub.url, "service-token")
    try:
        return make_e0004_coach(svc).json(), hub.asked
    finally:
        hub.stop()


def about_e0004(answer: dict) -> list[str]:
    """The notes of an import's answer about E0004 (the others say what the import did with the roster)."""
    return [note for note in answer["notes"] if note.startswith("E0004")]


def hub_files(svc) -> tuple[dict, dict]:
    state = svc.service.hub_state
    return json.loads((state / "groups.json").read_text(encoding="utf-8")), read_password_file(state / "passwords.json")


def test_a_new_coach_is_added_to_the_running_hub_and_the_operator_is_given_their_password_once(svc):
    answer, asked = make_e0004_coach_with_hub(svc)
    assert asked == [("POST", "users/e0004", {}), ("POST", "groups/coaches/users", {"users": ["e0004"]})]
    password = answer["passwords"]["e0004"]
    assert about_e0004(answer) == [
        f"E0004 can sign in to the hub now as e0004, with the password {password} (shown only this once, and never "
        "logged: give it to them; the hub keeps only its hash, and keeps it when it starts again)"]
    groups, hashes = hub_files(svc)
    assert groups["coaches"] == ["e0020", "e0001", "e0004"]
    assert password_matches(password, hashes["e0004"]["hash"]) and password not in json.dumps(hashes)
    assert hashes["e0020"]["made"] == "2026-11-02"  # the others' passwords are kept
    assert password not in (svc.access_log.read_text(encoding="utf-8"))


def test_a_hub_that_does_not_answer_leaves_the_roster_imported_and_says_why_and_to_restart(svc):
    port = free_port()  # nobody listens there
    svc.service.hub_api = HubApi(f"http://127.0.0.1:{port}/hub/api", "service-token")
    before = hub_files(svc)
    answer = make_e0004_coach(svc).json()
    assert answer["passwords"] == {}
    [note] = about_e0004(answer)
    assert note.startswith(f"E0004 now coaches people but cannot sign in to the hub yet as e0004: the hub did not "
                           f"answer at http://127.0.0.1:{port}/hub/api ("), note
    assert note.endswith(". The roster is imported; the hub lets in the coaches of its groups file "
                         f"({svc.service.hub_state / 'groups.json'}) as it read it when it started, and those added to "
                         "it since. Restart the hub: `careerconv hub` makes a login of every coach on the roster and "
                         "prints the new logins' passwords (every other login keeps its password); or add their "
                         "login to the groups file and restart it"), note
    assert hub_files(svc) == before  # no password made that nobody was told, no coach the hub does not have


def test_a_hub_that_refuses_the_group_takes_the_user_it_made_back_and_no_password_is_made(svc):
    before = hub_files(svc)
    answer, asked = make_e0004_coach_with_hub(svc, {("POST", "groups/coaches/users"): 403})
    assert [call[:2] for call in asked] == [("POST", "users/e0004"), ("POST", "groups/coaches/users"),
                                                  ("DELETE", "users/e0004")]
    assert answer["passwords"] == {}
    [note] = about_e0004(answer)
    assert note.startswith("E0004 now coaches people but cannot sign in to the hub yet as e0004: the hub refused POST "
                           "groups/coaches/users (HTTP 403: "), note
    assert hub_files(svc) == before


def test_with_another_authenticator_the_organisations_login_of_the_coach_is_added_and_no_password_made(svc):
    """The organisation's coach logins map a login to a roster id; its own authenticator signs people in."""
    state = svc.service.hub_state
    HubState(state, "http://127.0.0.1:1/hub/api", groups=state / "groups.json").write()  # no password file
    svc.service.coach_logins = {"grace.davies": "E0004"}
    answer, asked = make_e0004_coach_with_hub(svc)
    assert [call[:2] for call in asked] == [("POST", "users/grace.davies"), ("POST", "groups/coaches/users")]
    assert about_e0004(answer) == ["E0004 can sign in to the hub now as grace.davies, signing in as the hub's "
                                   "authenticator has them sign in"]
    assert answer["passwords"] == {}
    assert hub_files(svc)[0]["coaches"] == ["e0020", "e0001", "grace.davies"]


class NotAHub:
    """A program on the hub's port that is not the hub: it answers every connection with a line that is not HTTP."""

    def __init__(self):
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), self.Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hub/api"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            self.rfile.readline()
            self.wfile.write(b"SSH-2.0-OpenSSH_9.6\r\n")

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_something_else_on_the_hubs_port_leaves_the_roster_imported_and_says_why_not_a_500(svc):
    """Found by a hostile test: an error outside those handled (the hub refused, did not answer, a file) answered the
    import 500 although the roster was imported: the operator read that the import failed."""
    other = NotAHub()
    svc.service.hub_api = HubApi(other.url, "service-token")
    before = hub_files(svc)
    try:
        answer = make_e0004_coach(svc).json()
    finally:
        other.stop()
    [note] = about_e0004(answer)
    assert note.startswith(f"E0004 now coaches people but cannot sign in to the hub yet as e0004: what answers at "
                           f"{other.url} does not answer as a hub does (BadStatusLine: "), note
    assert ". The roster is imported; " in note and "Restart the hub" in note
    assert answer["passwords"] == {} and hub_files(svc) == before


def test_an_unexpected_error_letting_a_coach_in_leaves_the_roster_imported_and_says_so_not_a_500(svc, monkeypatch):
    """Whatever fails once the roster is imported, the answer says the roster is imported, which coach was not let in
    and why, and what to do; the service's log keeps the details."""
    def broken(path, login, made=""):
        raise RuntimeError("a fault of careerconv's")
    monkeypatch.setattr(hub_users, "add_password", broken)
    answer, _ = make_e0004_coach_with_hub(svc)
    assert about_e0004(answer) == [
        "E0004 now coaches people but cannot sign in to the hub yet as e0004: an unexpected error stopped it "
        "(RuntimeError: a fault of careerconv's; the records service's log has its details). The roster is imported; "
        f"the hub lets in the coaches of its groups file ({svc.service.hub_state / 'groups.json'}) as it read it when "
        "it started, and those added to it since. Restart the hub: `careerconv hub` makes a login of every coach on "
        "the roster and prints the new logins' passwords (every other login keeps its password); or add their login "
        "to the groups file and restart it"]
    assert answer["passwords"] == {}
