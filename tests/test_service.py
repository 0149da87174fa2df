"""The records service's promises, through real HTTP (the hub's token check stood in by a fixed table).

Coach A is e0020 (E0020 on the roster, coaching E0003 among others), coach B
is e0001 (E0001, coaching E0002), hana is HR, olga the operator, nils is in
no careerconv group. ``tests/test_hub.py`` repeats the core of this against
a real JupyterHub.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import threading
from html import escape

import openpyxl
import pytest
import requests

from careerconv.rules import followup
from careerconv.records import schema
from careerconv.records.schema import ValidationError
from careerconv.surfaces.app.roster_index import RosterIndex
from careerconv.surfaces.service.client import ServiceStore
from careerconv.surfaces.service.policy import Refused
from careerconv.records.store import Conflict, MovedAway, NotOnRoster, Store
from service_harness import RunningService, set_roster_day

A, B, HR, OP, NOBODY = "tok-coach-a", "tok-coach-b", "tok-hr", "tok-operator", "tok-nobody"


@pytest.fixture()
def svc(tmp_path):
    running = RunningService(tmp_path)
    yield running
    running.stop()


def get(svc, path, token=None, **kw):
    headers = {"Authorization": f"token {token}"} if token else {}
    return requests.get(svc.url + path, headers=headers, timeout=30, **kw)


def log_entries(svc) -> list[dict]:
    return [json.loads(line) for line in svc.access_log.read_text(encoding="utf-8").splitlines()]


def new_checkin(employee_id: str, coach_id: str, note: str = "started") -> dict:
    return {"employee_id": employee_id, "coach_id": coach_id, "date": "2026-10-02", "status": "draft",
            "note": note, "updates": [], "ratings": [], "kind": "checkin"}


def test_a_coach_reads_their_own_people_and_is_refused_and_logged_for_anyone_else(svc):
    mine = ServiceStore(svc.url, A)
    assert sorted(mine.roster()["employee_id"]) == ["E0003", "E0004", "E0006", "E0010", "E0011", "E0012",
                                                  "E0021", "E0023"]
    history = mine.history("E0003")
    assert [c["conversation_id"] for c in history.conversations] == \
        [c["conversation_id"] for c in Store(svc.data).conversations("E0003")]
    assert history.employee["coach_id"] == "E0020"

    refused = get(svc, "api/people/E0002/history", A)
    assert refused.status_code == 403
    assert refused.json()["error"] == "forbidden"
    assert "E0002" in refused.json()["message"] and "conversations" not in refused.text
    one_record = get(svc, "api/people/E0002/conversations/E0002-20250101", A)
    assert one_record.status_code == 403

    lines = log_entries(svc)
    assert [(e["user"], e["action"], e["employee_id"], e["outcome"], e["status"]) for e in lines] == [
        ("e0020", "read history", "E0003", "allowed", 200),
        ("e0020", "read history", "E0002", "refused", 403),
        ("e0020", "read", "E0002", "refused", 403),
    ]
    assert set(lines[0]) == {"at", "user", "action", "employee_id", "record", "outcome", "status"}


def test_the_access_log_never_holds_what_a_record_says(svc):
    mine = ServiceStore(svc.url, A)
    secret = "wants to leave for a competitor — Zoë's secret 🤫"
    stored = mine.save_checkin(new_checkin("E0003", "E0020", secret))
    mine.load_checkin("E0003", stored["checkin_id"])
    mine.history("E0003")
    text = svc.access_log.read_text(encoding="utf-8")
    assert "competitor" not in text and "Zoë" not in text
    assert "Dos-yun" not in text and "Yoon" not in text  # nor the person's name
    assert [e["record"] for e in log_entries(svc)][:2] == [f"checkin/{stored['checkin_id']}"] * 2


def test_a_coach_is_told_their_own_name_on_the_roster_which_their_roster_rows_never_hold(svc):
    assert get(svc, "api/me", A).json() == {"user": "e0020", "roles": ["coach"], "coach_id": "E0020",
                                            "coach_name": "Théo Lambert", "started_on": None, "left_on": None}
    assert "E0020" not in set(ServiceStore(svc.url, A).roster()["employee_id"])
    assert get(svc, "api/me", HR).json() == {"user": "hana", "roles": ["hr"], "coach_id": None, "coach_name": None,
                                             "started_on": None, "left_on": None}


def test_a_coach_is_told_their_own_first_and_leaving_day_on_the_roster_which_their_roster_rows_never_hold(svc):
    """Under the hub the coach's app reads only their people's roster rows: it learns from api/me whether the coach
    has started or has left, to mark them and offer nothing new before they type (the service refuses the save)."""
    set_roster_day(svc.data, "E0020", "started_on", "2099-02-04")
    set_roster_day(svc.data, "E0001", "left_on", "2026-11-01")
    assert {k: v for k, v in get(svc, "api/me", A).json().items() if k.endswith("_on")} == {
        "started_on": "2099-02-04", "left_on": None}
    coach_b = ServiceStore(svc.url, B)
    assert coach_b.whoami()["left_on"] == "2026-11-01"
    assert coach_b.coach_days == {"E0001": {"started_on": None, "left_on": "2026-11-01"}}


@pytest.mark.parametrize("path", ["api/me", "api/roster", "api/skills", "api/aggregates", "api/access-log",
                                  "api/people/E0003/history", "api/people/E0003/checkins/E0003-ci-20260216"])
@pytest.mark.parametrize("token", [None, "not-a-hub-token"])
def test_an_unauthenticated_request_gets_nothing(svc, path, token):
    answer = get(svc, path, token)
    assert answer.status_code == 401
    assert answer.json() == {"error": "unauthenticated",
                             "message": "a JupyterHub token is required (Authorization: token …)"}
    put = requests.put(svc.url + "api/people/E0003/checkins", json=new_checkin("E0003", "E0020"), timeout=30)
    assert put.status_code == 401
    assert not (svc.data / "checkins" / "E0003" / "E0003-ci-20261002.json").exists()


def test_hr_gets_the_protected_aggregates_and_no_ones_record(svc):
    answer = get(svc, "api/aggregates", HR, params={"as_of": "2026-10-01", "min_group_size": "5"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["min_group_size"] == 5
    overview = body["tables"]["overview"]
    assert overview["columns"] == ["Department", "Employees", "Had a conversation in the period", "Conversations",
                                   "Check-ins"]
    counts = [row[1] for row in overview["data"] if isinstance(row[1], int)]
    assert counts and min(counts) >= 5  # no figure describes fewer than k people
    # No free text of any record reaches HR: notes, dreams and action items of every employee.
    texts = set()
    for record in Store(svc.data).iter_records():
        texts.add(record.get("note") or "")
        for update in record.get("updates", []):
            texts.add(update.get("note") or "")
        for dream in record.get("dreams", []) or []:
            texts.add(dream.get("text", "") if isinstance(dream, dict) else str(dream))
    texts = {t for t in texts if len(t) > 12}
    assert texts, "the sample organisation has free text to look for"
    assert not [t for t in texts if t in answer.text]

    for path in ("api/people/E0003/history", "api/people/E0003/checkins/E0003-ci-20260216", "api/roster"):
        assert get(svc, path, HR).status_code == 403
    small = get(svc, "api/aggregates", HR, params={"min_group_size": "2"})
    assert small.status_code == 400 and "minimum group size, 5 " in small.json()["message"]
    assert get(svc, "api/aggregates", A).status_code == 403


def test_the_organisations_minimum_group_size_holds_and_a_request_may_raise_it_but_never_lower_it(svc):
    # written while the service runs: the next request reads it, as `careerconv hr-report` on this folder would
    (svc.data / "careerconv.toml").write_text("[privacy]\nmin_group_size = 7\n", encoding="utf-8")
    as_of = {"as_of": "2026-10-01"}
    body = get(svc, "api/aggregates", HR, params=as_of).json()
    assert body["min_group_size"] == 7
    counts = [row[1] for row in body["tables"]["overview"]["data"] if isinstance(row[1], int)]
    assert counts and min(counts) >= 7
    page = get(svc, "hr/", HR, params=as_of)
    assert page.status_code == 200
    assert "Every figure describes at least 7 distinct employees (the minimum group size in force)" in page.text
    assert get(svc, "api/aggregates", HR, params={**as_of, "min_group_size": "9"}).json()["min_group_size"] == 9

    refusal = ("min_group_size 3 is below this organisation's minimum group size, 7 (privacy.min_group_size, from "
               "the organisation's settings); ask for 7 or more")
    for path, token in (("api/aggregates", HR), ("hr/overview.csv", HR), ("api/skills", A)):
        lower = get(svc, path, token, params={**as_of, "min_group_size": "3"})
        assert lower.status_code == 400, path
        assert lower.json()["message"].startswith(refusal), path
    lower_page = get(svc, "hr/", HR, params={**as_of, "min_group_size": "3"})
    assert lower_page.status_code == 400 and escape(refusal) in lower_page.text
    assert "Employees" not in lower_page.text


def test_someone_in_no_careerconv_group_is_refused_everything(svc):
    for path in ("api/roster", "api/skills", "api/aggregates", "api/access-log", "api/people/E0003/history"):
        answer = get(svc, path, NOBODY)
        assert answer.status_code == 403, path
        assert "not in the hub groups" in answer.json()["message"]


def test_every_save_records_the_hub_login_and_two_tabs_get_a_conflict_not_an_overwrite(svc):
    tab1, tab2 = ServiceStore(svc.url, A), ServiceStore(svc.url, A)
    created = tab1.save_checkin(new_checkin("E0003", "E0020"))
    assert created["saved_by"] == "e0020" and created["revision"] == 1
    on_disk = json.loads((svc.data / "checkins" / "E0003" / f"{created['checkin_id']}.json").read_text())
    assert on_disk["saved_by"] == "e0020"

    opened = tab2.load_checkin("E0003", created["checkin_id"])
    first = tab1.save_checkin({**created, "note": "tab one's words"})
    assert first["revision"] == 2
    with pytest.raises(Conflict) as refused:
        tab2.save_checkin({**opened, "note": "tab two's words"})
    assert refused.value.current["note"] == "tab one's words"
    assert refused.value.current["revision"] == 2
    assert "saved by e0020" in str(refused.value) and refused.value.attempted["note"] == "tab two's words"
    assert Store(svc.data).load_checkin("E0003", created["checkin_id"])["note"] == "tab one's words"


def test_a_coach_cannot_write_for_someone_elses_person_nor_in_someone_elses_name(svc):
    b = ServiceStore(svc.url, B)
    with pytest.raises(Refused):
        b.save_checkin(new_checkin("E0003", "E0001"))
    a = ServiceStore(svc.url, A)
    with pytest.raises(Refused, match="themselves as coach"):
        a.save_checkin(new_checkin("E0003", "E0001"))
    assert not list((svc.data / "checkins" / "E0003").glob("*20261002*"))
    with pytest.raises(NotOnRoster):
        a.save_checkin(new_checkin("E9999", "E0020"))
    with pytest.raises(ValidationError) as bad:
        a.save_checkin({**new_checkin("E0003", "E0020"), "date": "2026-13-40"})
    assert any(p.column == "date" for p in bad.value.problems)


@pytest.mark.parametrize("hostile", ["..", "..%2F..%2Fetc", "E0003%2F..%2FE0002", "CON", "%00"])
def test_hostile_ids_in_the_address_are_refused_without_reading_anything(svc, hostile):
    answer = get(svc, f"api/people/{hostile}/history", A)
    assert answer.status_code in (400, 403, 404)
    assert "conversations" not in answer.text


def test_a_workbook_with_two_roster_sheets_is_refused_saying_how_to_name_one_in_the_upload(svc, tmp_path):
    """The upload was refused with the command line's advice (--sheet NAME), which a request cannot follow; it
    says to name the sheet in the address, which it reads, and the refused upload changes nothing."""
    lines = (svc.data / "roster.csv").read_text(encoding="utf-8").splitlines()
    row = next(csv.reader([next(line for line in lines if line.startswith("E0003,"))]))
    book = openpyxl.Workbook()
    book.active.title = "People"
    book.create_sheet("Leavers")
    for sheet, coach in ((book["People"], "E0001"), (book["Leavers"], row[2])):
        sheet.append(lines[0].split(","))
        sheet.append([row[0], row[1], coach, *row[3:]])
    buffer = io.BytesIO()
    book.save(buffer)
    before = {path: path.read_bytes() for path in sorted(svc.data.rglob("*")) if path.is_file()}

    def upload(query: str) -> requests.Response:
        return requests.put(svc.url + "api/roster?format=xlsx" + query, data=buffer.getvalue(), timeout=30,
                            headers={"Authorization": f"token {OP}"})
    refused = upload("")
    assert refused.status_code == 400, refused.text
    message = refused.json()["message"]
    assert "has 2 sheets that look like a roster file ('People', 'Leavers'" in message
    assert "say which to import with sheet=NAME in the request's address (PUT api/roster?sheet=NAME), " \
           "or save that sheet alone as a workbook and import that" in message and "--sheet" not in message
    unknown = upload("&sheet=Staff")
    assert unknown.status_code == 400 and "has no sheet 'Staff'; its sheets are 'People', 'Leavers'" in unknown.text
    assert {path: path.read_bytes() for path in sorted(svc.data.rglob("*")) if path.is_file()} == before

    imported = upload("&sheet=People")
    assert imported.status_code == 200, imported.text
    assert imported.json()["updated"] == 1
    assert "read sheet 'People' (as asked) and ignored the other 1: 'Leavers'" in imported.json()["notes"]
    assert Store(svc.data).employee("E0003")["coach_id"] == "E0001"


def data_folder(svc) -> dict:
    """Every file of the service's data folder and its bytes."""
    return {path: path.read_bytes() for path in sorted(svc.data.rglob("*")) if path.is_file()}


def upload_roster(svc, body: bytes, query: str = "") -> requests.Response:
    return requests.put(svc.url + "api/roster" + query, data=body, timeout=30, headers={"Authorization": f"token {OP}"})


def test_a_refused_upload_names_the_file_as_the_uploaded_file_not_the_servers_temporary_path(svc):
    """The refusals named the temporary file the service reads an upload from (/tmp/careerconv-roster-…/roster.csv),
    which the person who sent it never saw and which is gone when the answer comes; they name the uploaded file."""
    header = (svc.data / "roster.csv").read_text(encoding="utf-8").splitlines()[0]
    before = data_folder(svc)
    for body in ((header + "\nE0999,Ann Example,E0020,Sales,,7,\n").encode(), b"\x89PNG\r\n\x1a\n...", b""):
        refused = upload_roster(svc, body)
        assert refused.status_code == 400, refused.text
        answer = refused.json()
        assert answer["message"].startswith("the uploaded file: ") and "\n  - the uploaded file" in answer["message"]
        assert [problem["source"] for problem in answer["problems"]] == ["the uploaded file"]
        assert "careerconv-roster-" not in refused.text and "roster.csv" not in refused.text
    assert data_folder(svc) == before


def test_a_history_file_sent_as_a_roster_is_refused_without_a_command_for_a_file_on_the_server(svc):
    """The refusal said to import it with `careerconv import history /tmp/careerconv-roster-…/roster.csv`, a command
    on a temporary file of the server; the service has no history upload, and it says so."""
    before = data_folder(svc)
    refused = upload_roster(svc, b"employee_id,date,skill,rating\nE0003,2024-03-01,Python,3\n")
    assert refused.status_code == 400, refused.text
    assert refused.json()["problems"][0]["message"] == (
        "this looks like a history file (its columns are employee_id, date, skill, rating); the records service "
        "imports rosters only; an operator imports legacy history with `careerconv import history` on the command "
        "line")
    assert data_folder(svc) == before


def test_an_upload_with_invalid_rows_offers_skip_invalid_in_the_address_and_answers_with_the_rejected_rows(svc):
    """The refusal said "pass --skip-invalid" and named a rejected-rows file in the service's temporary folder: a
    request can do neither. It offers skip_invalid=1 in the address, which imports the valid rows and sends the
    rejected ones back (the file's own columns and a reason) as CSV text; the refusal changes nothing."""
    lines = (svc.data / "roster.csv").read_text(encoding="utf-8").splitlines()
    row = next(csv.reader([next(line for line in lines if line.startswith("E0003,"))]))
    moved = ",".join([row[0], row[1], "E0001", *row[3:]])
    body = "\n".join([lines[0], moved, "E0999,=HYPERLINK(1),E0020,Sales,,7,", "E0998,Ann Example,E0020,Sales,,6,"])
    before = data_folder(svc)
    refused = upload_roster(svc, body.encode())
    assert refused.status_code == 400, refused.text
    message = refused.json()["message"]
    assert message.endswith(
        "Fix these rows and import again, or add skip_invalid=1 to the request's address (PUT "
        "api/roster?skip_invalid=1) to import the 2 valid row(s) and get the 1 rejected one(s) back, each with its "
        "reason, as CSV text in the answer's rejected_csv."), message
    assert "--skip-invalid" not in message and "rejected.csv" not in message
    assert upload_roster(svc, body.encode(), "?skip_invalid=yes").status_code == 400
    assert data_folder(svc) == before

    imported = upload_roster(svc, body.encode(), "?skip_invalid=1")
    assert imported.status_code == 200, imported.text
    answer = imported.json()
    assert (answer["rows_read"], answer["added"], answer["updated"], answer["rejected"]) == (3, 1, 1, 1)
    rejected = list(csv.reader(io.StringIO(answer["rejected_csv"])))
    assert rejected == [[*lines[0].split(","), "reason"], ["E0999", "'=HYPERLINK(1)", "E0020", "Sales", "", "7", "",
                                                           "row 3: cadence_months '7': cadence must be 6 or 12 "
                                                           "(months)"]]  # spreadsheet-safe, as the command line's
    store = Store(svc.data)
    assert store.employee("E0003")["coach_id"] == "E0001" and store.employee("E0998")["name"] == "Ann Example"
    assert "E0999" not in set(store.roster()["employee_id"])
    assert upload_roster(svc, "\n".join(lines[:2]).encode()).json()["rejected_csv"] is None


def test_a_roster_move_takes_the_history_to_the_new_coach_and_away_from_the_old(svc):
    a, b = ServiceStore(svc.url, A), ServiceStore(svc.url, B)
    open_in_a = a.save_checkin(new_checkin("E0003", "E0020", "A's open check-in"))
    before = a.history("E0003")

    roster = (svc.data / "roster.csv").read_text(encoding="utf-8")
    moved = "employee_id,name,coach_id,department,role,cadence_months,email\n" + \
        next(line for line in roster.splitlines() if line.startswith("E0003,")).replace(",E0020,", ",E0001,") + "\n"
    assert get(svc, "api/roster", A).status_code == 200
    refused_import = requests.put(svc.url + "api/roster", data=moved.encode(), timeout=30,
                                  headers={"Authorization": f"token {A}"})
    assert refused_import.status_code == 403
    imported = requests.put(svc.url + "api/roster", data=moved.encode(), timeout=30,
                            headers={"Authorization": f"token {OP}"})
    assert imported.status_code == 200, imported.text
    assert imported.json()["updated"] == 1

    after = b.history("E0003")
    assert [c["conversation_id"] for c in after.conversations] == [c["conversation_id"] for c in before.conversations]
    assert [c["checkin_id"] for c in after.checkin_drafts] == [open_in_a["checkin_id"]]
    open_plan = followup.last_completed(before.conversations)["action_items"]
    assert followup.last_completed(after.conversations)["action_items"] == open_plan
    assert "E0003" in set(b.roster()["employee_id"]) and "E0003" not in set(a.roster()["employee_id"])

    assert get(svc, "api/people/E0003/history", A).status_code == 403
    with pytest.raises(MovedAway) as moved:  # the former coach's own record: told whose team, since when
        a.save_checkin({**open_in_a, "note": "A, too late"})
    assert moved.value.coach_name == "Sanjay Kapoor"
    assert moved.value.moved_on == dt.datetime.fromtimestamp((svc.data / "roster.csv").stat().st_mtime,
                                                             dt.timezone.utc).date().isoformat()
    with pytest.raises(Refused):  # a record they did not write: told nothing of the person
        a.save_checkin(new_checkin("E0003", "E0020", "A's new one, too late"))
    with pytest.raises(Refused, match="read-only"):
        b.save_checkin({**open_in_a, "note": "B over A's record"})
    mine = b.save_checkin(new_checkin("E0003", "E0001", "B's first check-in"))
    assert mine["saved_by"] == "e0001"
    assert Store(svc.data).load_checkin("E0003", open_in_a["checkin_id"])["note"] == "A's open check-in"


def test_concurrent_saves_from_two_coaches_in_two_tabs_each_lose_nothing(svc):
    people = {A: ("E0020", ["E0003", "E0004"]), B: ("E0001", ["E0002", "E0007"])}
    rounds = 12
    shared = {eid: ServiceStore(svc.url, token).save_checkin(new_checkin(eid, coach_id, "opened"))
              for token, (coach_id, eids) in people.items() for eid in eids}
    acknowledged: dict[tuple[str, int], str] = {}
    conflicts: list[int] = []
    errors: list[BaseException] = []

    def tab(token: str, number: int):
        store = ServiceStore(svc.url, token)
        try:
            for eid in people[token][1]:
                record = store.load_checkin(eid, shared[eid]["checkin_id"])
                for i in range(rounds):
                    text = f"{token} tab {number} round {i}"
                    while True:  # the tab that lost a race takes the stored version and types again
                        try:
                            record = store.save_checkin({**record, "note": text})
                            break
                        except Conflict as conflict:
                            conflicts.append(1)
                            record = conflict.current
                    acknowledged[(record["checkin_id"], record["revision"])] = text
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=tab, args=(t, n)) for t in (A, B) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    store = Store(svc.data)
    for eid, opened in shared.items():
        final = store.load_checkin(eid, opened["checkin_id"])
        # two tabs x rounds acknowledged saves, each its own revision after the one that created it
        assert final["revision"] == 1 + 2 * rounds
        revisions = sorted(r for (cid, r) in acknowledged if cid == opened["checkin_id"])
        assert revisions == list(range(2, 2 + 2 * rounds))
        assert acknowledged[(opened["checkin_id"], final["revision"])] == final["note"]
    assert len(conflicts) > 0, "the two tabs never raced: the test did not test a conflict"


def test_the_operator_erases_and_reads_the_log_but_reads_no_records(svc):
    a = ServiceStore(svc.url, A)
    a.history("E0004")
    assert get(svc, "api/people/E0004/history", OP).status_code == 403
    assert get(svc, "api/access-log", A).status_code == 403
    assert get(svc, "api/access-log", HR).status_code == 403
    refused = requests.delete(svc.url + "api/people/E0004", headers={"Authorization": f"token {A}"}, timeout=30)
    assert refused.status_code == 403 and (svc.data / "conversations" / "E0004").exists()

    lines = (svc.data / "roster.csv").read_text(encoding="utf-8").splitlines()
    erased = requests.delete(svc.url + "api/people/E0004", headers={"Authorization": f"token {OP}"}, timeout=60)
    assert erased.status_code == 200, erased.text
    assert not (svc.data / "conversations" / "E0004").exists()
    # The next monthly roster, still listing them, does not bring them back unasked.
    before = data_folder(svc)
    again = upload_roster(svc, ("\n".join([lines[0], *(l for l in lines if l.startswith("E0004,"))]) + "\n").encode())
    assert again.status_code == 400 and "send the file again with allow_erased=1" in again.json()["message"]
    assert "--allow-erased" not in again.text and data_folder(svc) == before
    assert "E0004" not in set(a.roster()["employee_id"])
    with pytest.raises(NotOnRoster):
        a.save_checkin(new_checkin("E0004", "E0020"))

    # The log keeps what was done about them, naming them as the erased list does (it named them in plain text,
    # a list of everyone erased, while the receipt said nothing held them any more).
    pseudonym = erased.json()["logged_as"]
    assert pseudonym.startswith("erased:") and f"E0004 is named {pseudonym} from now on" in erased.json()["receipt"]
    log = get(svc, "api/access-log", OP, params={"employee_id": pseudonym}).json()["entries"]
    # The save asked for after the erasure is logged by the pseudonym too (it named them in clear, a second after
    # the receipt said the log was rewritten).
    assert [(e["user"], e["action"], e["outcome"]) for e in log] == [
        ("e0020", "read history", "allowed"), ("olga", "read history", "refused"), ("e0020", "erase", "refused"),
        ("olga", "erase", "allowed"), ("e0020", "create", "refused")]
    assert get(svc, "api/access-log", OP, params={"employee_id": "E0004"}).json()["entries"] == []
    assert "E0004" not in svc.access_log.read_text(encoding="utf-8")
    assert oct(svc.access_log.stat().st_mode & 0o777) == "0o600"


def test_hr_downloads_each_table_of_the_hr_page_as_csv_and_a_coach_cannot(svc):
    page = get(svc, "hr/", HR, params={"as_of": "2026-10-01"})
    assert 'href="overview.csv?as_of=2026-10-01"' in page.text
    # Every table named for a screen reader (its caption hidden on screen, where the heading above names it).
    assert page.text.count("<table") == page.text.count('<caption class="hr-caption">') > 5
    assert '<caption class="hr-caption">Who is covered</caption>' in page.text and "caption.hr-caption" in page.text
    table = get(svc, "hr/overview.csv", HR, params={"as_of": "2026-10-01"})
    assert table.status_code == 200 and table.headers["Content-Type"].startswith("text/csv")
    assert table.content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, as Excel wants it
    lines = table.content.decode("utf-8-sig").splitlines()
    assert lines[:3] == ["Department,Employees,Had a conversation in the period,Conversations,Check-ins",
                         "All departments,24,0.9583,56,143", "Customer Success,not shown,,,"]  # counts: whole
    assert get(svc, "hr/overview.csv", A).status_code == 403
    missing = get(svc, "hr/passwords.csv", HR)
    assert missing.status_code == 404 and "skill_trends" in missing.json()["message"]


def test_a_summary_is_saved_where_the_service_says(svc):
    conversation = Store(svc.data).conversations("E0003")[0]
    where = ServiceStore(svc.url, A).save_summary("E0003", conversation["conversation_id"], "<p>one page</p>")
    assert not where.is_absolute() and (svc.data / where).read_text(encoding="utf-8") == "<p>one page</p>"
    assert where == Store(svc.data).record_path("conversation", "E0003", conversation["conversation_id"]) \
        .with_suffix(".summary.html").relative_to(svc.data)


def test_the_content_of_an_upload_decides_whether_it_is_a_workbook_and_format_must_agree(svc):
    """A workbook sent without format=xlsx was read with the note "read as an Excel workbook, which it is, although
    it is named 'roster.csv'" (the server's temporary file), and CSV text sent with format=xlsx was refused saying
    to rename a file the person never named; format=xls was read as CSV. The content decides; format, when
    given, must be csv or xlsx and agree with it, refused (nothing written) with what to send instead."""
    lines = (svc.data / "roster.csv").read_text(encoding="utf-8").splitlines()
    book = openpyxl.Workbook()
    for line in lines[:3]:
        book.active.append(next(csv.reader([line])))
    buffer = io.BytesIO()
    book.save(buffer)
    workbook, text = buffer.getvalue(), ("\n".join(lines[:3]) + "\n").encode()
    before = data_folder(svc)
    for body, query, expected in ((text, "?format=xlsx", "format=xlsx was given, but the uploaded file is not an "
                                                         "Excel workbook"),
                                  (workbook, "?format=csv", "format=csv was given, but the uploaded file is an Excel "
                                                            "workbook; send it with format=xlsx, or without format="),
                                  (text, "?format=xls", "format must be csv or xlsx, not 'xls'")):
        refused = upload_roster(svc, body, query)
        assert refused.status_code == 400 and expected in refused.json()["message"], (query, refused.text)
        assert "roster.csv" not in refused.text and "rename" not in refused.text
    assert data_folder(svc) == before
    for body, query in ((workbook, ""), (workbook, "?format=xlsx"), (text, ""), (text, "?format=csv")):
        imported = upload_roster(svc, body, query)
        assert imported.status_code == 200, (query, imported.text)
        assert not any("named" in note for note in imported.json()["notes"]), imported.json()["notes"]


def test_a_coach_under_the_hub_is_offered_only_their_people_still_here_and_can_read_a_leavers_records(svc):
    a = ServiceStore(svc.url, A)
    before = a.history("E0003")
    row = next(line for line in (svc.data / "roster.csv").read_text(encoding="utf-8").splitlines()
               if line.startswith("E0003,"))
    left = "employee_id,name,coach_id,department,role,cadence_months,email,Termination Date\n" + row + ",2026-03-03\n"
    imported = requests.put(svc.url + "api/roster", data=left.encode(), timeout=30,
                            headers={"Authorization": f"token {OP}"})
    assert imported.status_code == 200, imported.text
    people = RosterIndex(a.roster(), dt.date(2026, 10, 1))  # as the coach's app under the hub builds it
    offered = {people.ids[i] for i in people.search("")}
    assert "E0003" not in offered and "E0004" in offered
    assert [people.ids[i] for i in people.search("E0003")] == ["E0003"]
    assert people.left_label("E0003") == "left 3 Mar 2026"
    assert [c["conversation_id"] for c in a.history("E0003").conversations] == \
        [c["conversation_id"] for c in before.conversations]



def test_a_coach_cannot_create_a_record_under_an_id_of_someone_else(svc):
    """A hostile tester, as coach e0001, created their person E0002's conversation as ``E0003-20261206`` (E0003 is
    e0020's person): E0003's erasure then stopped at it and E0003's own record of that day got the same id."""
    day = dt.date(2026, 12, 6)
    planted = schema.new_conversation("E0002", "E0001", day, "career-conversation", "1", "E0003-20261206")
    answer = requests.put(svc.url + "api/people/E0002/conversations", json=planted,
                          headers={"Authorization": f"token {B}"}, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json()["conversation_id"] == "E0002-20261206"  # the id the store gives
    assert not list(svc.data.glob("conversations/E0002/E0003-*"))
    own = ServiceStore(svc.url, A).save_conversation(
        schema.new_conversation("E0003", "E0020", day, "career-conversation", "1"))
    assert own["conversation_id"] == "E0003-20261206"
    assert [p.message for p in Store(svc.data).validate()] == []


@pytest.mark.parametrize("column, day, said", [("started_on", "2099-02-04", "by the roster you start on 4 Feb 2099"),
                                               ("left_on", "2026-11-01", "by the roster you left on 1 Nov 2026")])
def test_a_coach_who_is_not_here_starts_nothing_new_under_the_hub_but_finishes_a_draft(svc, column, day, said):
    """Found by a hostile test: a coach starting in February signed in to the hub and started a conversation with
    themselves as coach (their app reads only their people's roster rows, not their own start day)."""
    as_coach = ServiceStore(svc.url, B)
    begun = as_coach.save_conversation(schema.new_conversation("E0002", "E0001", dt.date(2026, 10, 1),
                                                               "career-conversation", "1"))
    set_roster_day(svc.data, "E0001", column, day)
    with pytest.raises(Refused, match=said) as refused:
        as_coach.save_conversation(schema.new_conversation("E0002", "E0001", dt.date(2026, 12, 6),
                                                           "career-conversation", "1"))
    assert "a draft begun earlier can still be finished" in str(refused.value)
    assert not list(svc.data.glob("conversations/E0002/E0002-20261206*"))
    again = as_coach.save_conversation({**begun, "answers": {"q1": "kept"}})  # the draft begun before goes on
    assert again["revision"] == begun["revision"] + 1
