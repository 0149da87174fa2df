"""The coach's app on the records service (as under JupyterHub), driven headless through its widgets.

The app finds the service in ``$CAREERCONV_SERVICE_URL`` with the hub token
in ``$JUPYTERHUB_API_TOKEN``, exactly as the hub's spawner sets them; the
service runs in this process (``service_harness``), coach A is e0020 (E0020).
"""

from __future__ import annotations

import datetime as dt
import html
import json
from typing import Callable

import ipywidgets as widgets
import pytest
import requests

from careerconv.surfaces.app import facilitation
from careerconv.surfaces.app.checkin import CheckinView
from careerconv.surfaces.app.data_folder import open_store
from careerconv.surfaces.app.roster_looks import LOOK_EVERY
from careerconv.surfaces.service.client import ServiceStore
from careerconv.surfaces.service.policy import Refused
from careerconv.records.dates import human_date
from careerconv.records.store import Conflict, MovedAway, NotFound, Store
from app_harness import Harness
from orgs import custom_question_set, make_small_org
from service_harness import RunningService, set_roster_day


@pytest.fixture(autouse=True)
def _kernels_that_never_exit():
    yield
    facilitation._LIVE_APPS.clear()


@pytest.fixture()
def svc(tmp_path, monkeypatch):
    running = RunningService(tmp_path)
    monkeypatch.setenv("CAREERCONV_SERVICE_URL", running.url)
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "tok-coach-a")
    yield running
    running.stop()


def test_without_a_service_url_the_app_keeps_its_local_data_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("CAREERCONV_SERVICE_URL", raising=False)
    assert isinstance(open_store(tmp_path), Store)
    monkeypatch.setenv("CAREERCONV_SERVICE_URL", "ftp://hub/records")
    with pytest.raises(ValueError, match="http"):
        open_store(tmp_path)
    monkeypatch.setenv("CAREERCONV_SERVICE_URL", "http://127.0.0.1:9/")
    monkeypatch.delenv("JUPYTERHUB_API_TOKEN", raising=False)
    with pytest.raises(ValueError, match="JUPYTERHUB_API_TOKEN"):
        open_store(tmp_path)


def test_the_coach_sees_only_their_people_and_saves_as_their_hub_login(svc, tmp_path):
    h = Harness(tmp_path / "no-data-folder")
    assert isinstance(h.app.store, ServiceStore)
    assert sorted(h.app.roster["employee_id"]) == ["E0003", "E0004", "E0006", "E0010", "E0011", "E0012",
                                                  "E0021", "E0023"]
    with pytest.raises(NotFound):  # coach B's person is not in this coach's roster at all
        h.app.select_employee("E0002")
    with pytest.raises(Refused):  # and the service refuses even a direct request
        h.app.store.history("E0002")

    h.app.select_employee("E0004")
    assert h.app.employee["employee_id"] == "E0004"
    h.app.start_conversation()
    h.app.editor("dreams").list.texts[0].value = "Lead the platform team"
    h.advance(2)
    cid = h.app.record["conversation_id"]
    on_disk = json.loads((svc.data / "conversations" / "E0004" / f"{cid}.json").read_text(encoding="utf-8"))
    assert on_disk["saved_by"] == "e0020" and on_disk["coach_id"] == "E0020"
    assert on_disk["dreams"] == [{"rank": 1, "text": "Lead the platform team"}]
    log = [json.loads(line) for line in svc.access_log.read_text(encoding="utf-8").splitlines()]
    assert ("e0020", "read history", "E0002", "refused") in {(e["user"], e["action"], e["employee_id"],
                                                             e["outcome"]) for e in log}


def test_under_the_hub_the_app_opens_on_the_signed_in_coachs_team(svc, tmp_path):
    """Found signing in to the hub as a coach: the start screen said "Coach: All coaches" and "Choose a coach to
    see their team at a glance", though the hub knows who signed in and the coach may see only their own team."""
    h = Harness(tmp_path / "no-data-folder")
    start = h.app.start_screen
    assert start.coach_choice.value == "E0020"
    start.view_choice.value = "team"
    assert start.team_hint.layout.display == "none"  # the team is shown, not a request to choose a coach
    assert Harness(tmp_path / "no-data-folder", coach_id="E0020").app.start_screen.coach_choice.value == "E0020"


def test_under_the_hub_the_coach_signed_in_is_named_as_the_roster_names_them_from_the_first_screen(svc, tmp_path):
    """Found on the hub: the coach's own app said "Coach: E0020" (the picker and their team view too) until it read
    a history naming them, since the roster rows a coach reads are their people's, which never name the coach."""
    start = Harness(tmp_path / "no-data-folder").app.start_screen
    assert start.coach_chosen_html.value == ('<div aria-hidden="true"><span class="cc-muted">Coach:</span> '
                                             "Théo Lambert (E0020)</div>")
    assert start.coach_choice.label == "Théo Lambert (E0020)"
    start.view_choice.value = "team"
    assert "Théo Lambert (E0020)" in start.team.summary_html.value


def test_under_the_hub_the_header_says_the_records_are_on_the_server_not_the_servers_folder(svc, tmp_path):
    """Found by testers: under the hub the app's header named the coach's server's own folder
    (".../hub-state/homes/e0004/careerconv-records-service"), a path that means nothing to a coach and holds no
    record. It says where the records are, in words; the local app keeps naming its data folder."""
    folder = tmp_path / "no-data-folder"
    header = _header(Harness(folder).app)
    assert ">Records on the careerconv server</div>" in header and str(folder) not in header


def test_the_local_app_names_its_data_folder_in_its_header(tmp_path, monkeypatch):
    monkeypatch.delenv("CAREERCONV_SERVICE_URL", raising=False)
    data = tmp_path / "data"
    make_small_org(data)
    assert f'title="data folder">{data}</div>' in _header(Harness(data).app)


def _header(app) -> str:
    """The HTML of the line at the top of the app, above the error banner."""
    return next(w for w in app.widget.children if "cc-header" in w._dom_classes).children[0].value


def started(root, employee_id: str, words: str) -> Harness:
    """The signed-in coach's app with a new conversation of ``employee_id``, ``words`` typed and saved."""
    h = Harness(root)
    h.app.select_employee(employee_id)
    h.app.start_conversation()
    h.app.editor("want_more").area.value = words
    h.advance(2)
    return h


def test_a_save_over_another_tabs_change_shows_the_conflict_and_overwrites_nothing(svc, tmp_path):
    h = started(tmp_path / "no-data-folder", "E0004", "From this tab")
    cid = h.app.record["conversation_id"]
    other_tab = ServiceStore(svc.url, "tok-coach-a")
    theirs = other_tab.load_conversation("E0004", cid)
    acknowledged = other_tab.save_conversation({**theirs, "dreams": [{"rank": 1, "text": "From the other tab"}]})

    h.app.editor("want_more").area.value = "From this tab, again"
    h.advance(2)
    assert isinstance(h.app.session.problem, Conflict)
    assert h.app.status_html.value == "Not saved: changed elsewhere"
    assert "saved by you in another window or device at " in h.app.session.panel.message.value  # not "by e0020"
    assert Store(svc.data).load_conversation("E0004", cid) == acknowledged


def offered(app) -> dict[str, tuple[str, str, list[str]]]:
    return {k: (qs.title, qs.version, [q.id for s in qs.sections for q in s.questions])
            for k, qs in app.question_sets.items()}


def test_the_coachs_app_offers_the_question_sets_of_the_services_data_folder(svc, tmp_path, monkeypatch):
    set_id = custom_question_set(svc.data)
    monkeypatch.delenv("CAREERCONV_SERVICE_URL")
    local = Harness(svc.data)
    monkeypatch.setenv("CAREERCONV_SERVICE_URL", svc.url)

    own_folder = tmp_path / "server-folder"
    h = Harness(own_folder, question_set=set_id)
    assert isinstance(h.app.store, ServiceStore)
    assert offered(h.app) == offered(local.app) and set_id in h.app.main_sets
    assert h.app.wanted_set == set_id and h.app.errors.text == ""  # no "no question set" banner
    h.app.select_employee("E0004")
    h.app.start_conversation()
    h.advance(2)
    stored = Store(svc.data).load_conversation("E0004", h.app.record["conversation_id"])
    assert stored["question_set"] == set_id
    assert not (own_folder / "roster.csv").exists() and not (own_folder / "conversations").exists()

    (svc.data / "question_sets" / "team-lead.yaml").unlink()  # the organisation withdraws it
    again = Harness(own_folder)
    assert set_id not in again.app.question_sets and offered(again.app) == offered(Harness(tmp_path / "x").app)


def test_the_service_copy_never_goes_into_a_data_folder_and_only_coaches_get_the_sets(svc, tmp_path):
    custom_question_set(svc.data)
    with pytest.raises(ValueError, match="holds no records"):
        open_store(svc.data)
    assert sorted(ServiceStore(svc.url, "tok-coach-a").question_set_files()) == ["team-lead.yaml"]
    for token in ("tok-hr", "tok-nobody"):
        with pytest.raises(Refused):
            ServiceStore(svc.url, token).question_set_files()


def _move(svc, employee_id: str, new_coach: str) -> None:
    """The operator imports a roster giving ``employee_id`` to ``new_coach`` (``PUT api/roster``)."""
    roster = (svc.data / "roster.csv").read_text(encoding="utf-8")
    header = roster.splitlines()[0]
    row = next(line for line in roster.splitlines() if line.startswith(employee_id + ","))
    fields = row.split(",")
    fields[2] = new_coach
    answer = requests.put(svc.url + "api/roster", data=f"{header}\n{','.join(fields)}\n".encode(), timeout=30,
                          headers={"Authorization": "token tok-operator"})
    assert answer.status_code == 200, answer.text


def screen_html(widget) -> str:
    """Every piece of HTML a widget and those inside it hold: what the page shows (and hides) of it."""
    own = widget.value if isinstance(widget, widgets.HTML) else ""
    return own + "".join(screen_html(w) for w in getattr(widget, "children", ()))


def _refused_saves(svc, employee_id: str) -> list[dict]:
    lines = [json.loads(line) for line in svc.access_log.read_text(encoding="utf-8").splitlines()]
    return [e for e in lines if e.get("employee_id") == employee_id and e["action"] in ("save", "create")
            and e["outcome"] == "refused"]


def test_a_person_moved_to_another_coach_stops_the_old_coachs_saves_for_good_and_says_whose_team(svc, tmp_path):
    h = started(tmp_path / "no-data-folder", "E0003", "Said before the move")
    assert "Previous conversation (" in screen_html(h.app.conversation.widget)
    assert Store(svc.data).load_conversation("E0003", h.app.record["conversation_id"])["answers"]["want_more"] \
        == "Said before the move"

    _move(svc, "E0003", "E0001")
    day = dt.datetime.fromtimestamp((svc.data / "roster.csv").stat().st_mtime, dt.timezone.utc).date()
    h.app.editor("want_more").area.value = "Said before the move, and after it"
    h.advance(2)

    session = h.app.session
    assert isinstance(session.problem, MovedAway)
    assert session.panel.title.value == ("<div>⚠ Not saved: Do-yun Yoon is now in Sanjay Kapoor&#x27;s team "
                                         f"(roster import of {human_date(day)})</div>")
    assert "Sanjay Kapoor can see it" in session.panel.message.value
    assert "Said before the move, and after it" in session.panel.copy_html.value
    h.app.editor("want_more").area.value = "Typed once more"
    assert "Typed once more" in session.panel.copy_html.value  # what is shown to copy follows the typing
    assert h.app.status_html.value.startswith("Not saved: ")
    # their history is no longer shown to a coach who may no longer read it
    assert "Previous conversation (" not in screen_html(h.app.conversation.widget)
    assert "Their earlier conversations are no longer shown" in screen_html(h.app.conversation.widget)

    h.advance(600)  # ten minutes of section timers and typing: no save is tried again
    h.app.editor("want_more").area.value = "And more"
    h.advance(60)
    h.app.save_pending()
    assert len(_refused_saves(svc, "E0003")) == 1
    assert Store(svc.data).load_conversation("E0003", h.app.record["conversation_id"])["answers"]["want_more"] \
        == "Said before the move"


def test_a_person_moved_to_a_coach_whose_page_is_open_is_found_at_once(svc, tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "tok-coach-b")  # e0001, Sanjay Kapoor
    h = Harness(tmp_path / "no-data-folder")
    h.app.start_screen.search.value = "Do-yun"
    assert list(h.app.start_screen.result_buttons) == []
    _move(svc, "E0003", "E0001")
    h.app.start_screen.search.value = "Do-yun Y"  # typed at once: the roster was asked for a moment ago
    h.advance(LOOK_EVERY)  # without more typing, the search runs once more when the time is up
    assert list(h.app.start_screen.result_buttons) == ["E0003"]
    _move(svc, "E0004", "E0001")
    h.advance(60)
    h.app.start_screen.search.value = "Grace Dav"  # typed a while later: found at the first key
    assert list(h.app.start_screen.result_buttons) == ["E0004"]


def counting_roster_requests(store: ServiceStore) -> list[str]:
    """Count the ``GET api/roster`` requests ``store`` sends the records service from now on (one entry each)."""
    sent: list[str] = []
    request = store.request

    def counted(method: str, path: str, **kwargs):
        if (method, path) == ("GET", "api/roster"):
            sent.append(path)
        return request(method, path, **kwargs)
    store.request = counted
    return sent


def test_typing_a_name_nobody_has_asks_the_service_for_the_roster_at_most_once_every_few_seconds(
        svc, tmp_path, monkeypatch):
    """Found on the hub: each key of a search that found nobody was one GET api/roster (a name of 14 letters: 13
    requests; a page of coaches typing: the service answering rosters). Now: one at most every 3 s."""
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "tok-coach-b")
    h = Harness(tmp_path / "no-data-folder")
    sent = counting_roster_requests(h.app.store)
    name = "Zebedee Quartz"
    for n in range(1, len(name) + 1):  # typed at 5 keys a second: 2.8 s
        h.app.start_screen.search.value = name[:n]
        h.advance(0.2)
    assert list(h.app.start_screen.result_buttons) == []
    assert len(sent) == 1  # on main: 13 (every key but the first, "Z" finding Zuzana Nowak)
    h.advance(LOOK_EVERY)  # the search put off is run once more, and asks once more
    assert len(sent) == 2
    h.advance(600)  # nothing typed: nothing asked
    assert len(sent) == 2


def test_a_draft_the_former_coach_wrote_is_shown_to_read_and_a_new_conversation_offered(svc, tmp_path, monkeypatch):
    a = started(tmp_path / "a", "E0003", "Words of the former coach")
    draft_id = a.app.record["conversation_id"]
    _move(svc, "E0003", "E0001")

    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "tok-coach-b")
    b = Harness(tmp_path / "b")
    b.app.select_employee("E0003")
    screen = b.app.start_screen
    assert screen.draft_box.layout.display == "none"  # no Resume draft / Discard draft… for it
    assert screen.former_drafts_html.layout.display != "none"
    former = screen.former_drafts_html.value
    assert "by Théo Lambert (E0020), their former coach" in former and "Words of the former coach" in former
    assert screen.start_button.description == "Start career conversation"
    new = b.app.ask_start()  # a new conversation at once, not a question about the former coach's draft
    assert new is not None and new["conversation_id"] != draft_id and new["coach_id"] == "E0001"
    assert Store(svc.data).load_conversation("E0003", draft_id)["answers"]["want_more"] == "Words of the former coach"


def shown_html(widget) -> str:
    """The HTML of a widget and those inside it that are on screen (a widget hidden with its layout is not)."""
    if widget.layout.display == "none":
        return ""
    own = widget.value if isinstance(widget, widgets.HTML) else ""
    return own + "".join(shown_html(w) for w in getattr(widget, "children", ()))


def test_the_new_coach_reads_the_former_coach_by_name_and_one_off_the_roster_by_id_said_so(
        svc, tmp_path, monkeypatch):
    """Found on the hub: the new coach read "A draft of 1 Oct 2026 by E0020, their former coach" and "Previous
    conversation ... with E0020" (a coach's roster rows are their people, which never named E0020)."""
    draft = started(tmp_path / "a", "E0003", "Words of the former coach").app.record
    _move(svc, "E0003", "E0001")
    store = Store(svc.data)
    kept = {k: v for k, v in store.load_conversation("E0003", draft["conversation_id"]).items() if k != "revision"}
    gone = store.save_conversation({**kept, "coach_id": "E0777", "conversation_id": "E0003-gone-coach",
                                    "date": "2026-09-30"})
    assert gone["coach_id"] == "E0777" and "E0777" not in set(store.roster()["employee_id"])

    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "tok-coach-b")
    b = Harness(tmp_path / "b")
    b.app.select_employee("E0003")
    screen = b.app.start_screen
    former = screen.former_drafts_html.value
    assert "A draft of 1 Oct 2026 by Théo Lambert (E0020), their former coach</b>" in former
    assert "Coach:\nThéo Lambert (E0020)" in former  # the draft's text, to read
    assert "A draft of 30 Sep 2026 by E0777, a former coach no longer on the roster</b>" in former
    assert "with Théo Lambert (E0020)" in screen.glance_html.value  # their last conversation's coach
    assert "E0020" not in former.replace("(E0020)", "")


def test_the_new_coachs_team_view_shows_no_draft_of_the_former_coach_as_theirs(svc, tmp_path, monkeypatch):
    """Found on the hub: the new coach's team view said "draft of 1 Oct 2026" and offered "Resume draft" for the
    person moved to them with their former coach's draft, which the new coach may not resume."""
    started(tmp_path / "a", "E0003", "Words of the former coach")
    _move(svc, "E0003", "E0001")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "tok-coach-b")
    b = Harness(tmp_path / "b")
    row = b.app.team_routes.show_team("E0001").row("E0003")
    former = "draft of 1\xa0Oct\xa02026 by Théo Lambert (E0020), their former coach (read-only)"
    said = html.unescape(row.due_html)  # the former coach's draft is said to be theirs, and read-only (below)
    assert said.count("draft of") == 1 and former in said and row.conversation_label == "Start conversation"

    b.app.select_employee("E0003")
    b.app.start_conversation()  # the new coach's own draft is theirs
    b.app.editor("want_more").area.value = "Words of the new coach"
    b.advance(2)
    b.app.close_current(save=True)
    row = b.app.team_routes.show_team("E0001").row("E0003")
    assert "draft of 1\xa0Oct\xa02026" in row.due_html and row.conversation_label == "Resume draft"


def test_a_person_moved_away_takes_the_plan_off_the_former_coachs_check_in_with_the_same_panel(svc, tmp_path):
    """Found on the hub: the conversation screen took the person's history away after the move, the check-in
    screen kept the plan it follows up (action items, skills, charts) on screen."""
    h = Harness(tmp_path / "a")
    h.app.select_employee("E0003")
    view = h.app.open_checkin()
    item = view.items[0]
    assert item.item.text in shown_html(view.widget)
    item.note.value = "Said before the move"
    h.advance(2)
    _move(svc, "E0003", "E0001")
    item.note.value = "Said before the move, and after it"
    h.advance(2)

    session = view.session
    assert isinstance(session.problem, MovedAway)
    assert "Not saved: Do-yun Yoon is now in Sanjay Kapoor&#x27;s team (roster import of" in session.panel.title.value
    assert "Said before the move, and after it" in session.panel.copy_html.value
    shown = shown_html(view.widget)
    assert item.item.text not in shown.replace(session.panel.copy_html.value, "")  # only in what was typed
    assert "Their plan and their earlier check-ins are no longer shown: they are in another coach's team now." \
        in shown
    assert view.save_button.layout.display == "none"
    h.advance(120)
    assert len(_refused_saves(svc, "E0003")) == 1


def test_a_check_in_note_typed_as_the_person_moves_away_stays_and_the_text_to_copy_follows_it(svc, tmp_path):
    """Found forcing the timing of the hub's browser test: the check-in's note went off the screen with the plan when
    a save was refused, and the keys the coach typed as the refusal came went nowhere. The note is the coach's own
    words, as the conversation screen's fields are: it stays, and the text to copy follows it to its last key."""
    h = Harness(tmp_path / "a")
    h.app.select_employee("E0003")
    view = h.app.open_checkin()
    view.note.value = "Talked about the move"
    h.advance(2)
    _move(svc, "E0003", "E0001")
    view.note.value = "Talked about the move, and then"
    h.advance(2)
    assert isinstance(view.session.problem, MovedAway)
    view.note.value = "Talked about the move, and then about what comes next"  # the last keys, after the refusal
    h.advance(2)
    assert view.note.layout.display != "none"
    assert "Talked about the move, and then about what comes next" in view.session.panel.copy_html.value
    assert view.items[0].item.text not in shown_html(view.widget).replace(view.session.panel.copy_html.value, "")
    assert view.save_button.layout.display == "none"
    h.advance(120)
    assert len(_refused_saves(svc, "E0003")) == 1


def moved_with_a_check_in_draft(svc, root, monkeypatch, fill: Callable[[CheckinView], None]) -> tuple[dict, Harness]:
    """Coach A (E0020) opens a check-in of E0003 and ``fill`` types into it (saved as a draft); a roster import moves
    E0003 to coach B (E0001), whose app then opens E0003's page. Returns A's draft as saved, and B's app."""
    a = Harness(root / "a")
    a.app.select_employee("E0003")
    former = a.app.open_checkin()
    fill(former)
    a.advance(2)
    _move(svc, "E0003", "E0001")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "tok-coach-b")
    b = Harness(root / "b")
    b.app.select_employee("E0003")
    return former.draft, b


def test_a_check_in_the_former_coach_started_is_not_offered_to_the_new_coach_to_resume(svc, tmp_path, monkeypatch):
    """Found with the check-in of a person moved away: the new coach was offered "Resume check-in" for the former
    coach's draft check-in, whose every save the records service then refused."""
    def fill(view: CheckinView) -> None:
        view.note.value = "The former coach's note"
    former, b = moved_with_a_check_in_draft(svc, tmp_path, monkeypatch, fill)
    assert b.app.start_screen.checkin_button.description == "Check-in"
    view = b.app.open_checkin()
    assert view.draft["coach_id"] == "E0001" and view.draft["checkin_id"] != former["checkin_id"]
    view.note.value = "The new coach's note"
    b.advance(2)
    assert view.session.problem is None
    assert Store(svc.data).load_checkin("E0003", view.draft["checkin_id"])["note"] == "The new coach's note"


def test_a_check_in_the_former_coach_left_unfinished_is_shown_to_the_new_coach_to_read_saying_why(
        svc, tmp_path, monkeypatch):
    """Found on the hub: after a move, the former coach's unfinished check-in was no longer offered to the new coach
    to resume (its every save was refused) but not shown to read either, though a former coach's unfinished
    conversation is: what was said in that one-on-one was lost to the new coach."""
    def fill(view: CheckinView) -> None:
        view.items[0].status.value = "done"
        view.items[0].note.value = "Asked the team lead for a slot"
        view.note.value = "The former coach's note"
    b = moved_with_a_check_in_draft(svc, tmp_path, monkeypatch, fill)[1]
    screen = b.app.start_screen
    shown = shown_html(screen.employee_panel)
    assert ("<b>A check-in of 1 Oct 2026 by Théo Lambert (E0020), their former coach</b> (read-only: Do-yun Yoon "
            "moved to your team before it was finished, and it stays theirs; start a new check-in to follow up the "
            "plan). It holds a note; 1 action item marked done; notes on 1 action item. Last saved 1 Oct 2026, "
            "10:00.") in shown
    assert "The former coach&#x27;s note" in shown
    assert ("Action item “Agree the first three mentoring sessions on public speaking”:\nDone — Asked the team lead "
            "for a slot") in shown
    assert screen.checkin_button.description == "Check-in"  # not "Resume check-in": it is not the new coach's
    row = b.app.team_routes.show_team("E0001").row("E0003")  # and in the team view, no check-in of theirs
    assert "not saved yet" not in row.due_html and row.checkin_label == "Check-in"


def test_a_person_erased_while_the_new_coach_has_them_open_takes_the_former_coachs_draft_off_their_page(
        svc, tmp_path, monkeypatch):
    """Found reading the person page: when the person open was erased, their page said so but still showed the
    draft their former coach had left, to read, with its text, and offered their rating charts."""
    started(tmp_path / "a", "E0003", "Words of the former coach")
    _move(svc, "E0003", "E0001")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "tok-coach-b")
    b = Harness(tmp_path / "b")
    b.app.select_employee("E0003")
    assert "Words of the former coach" in shown_html(b.app.start_screen.employee_panel)
    assert b.app.start_screen.charts_panel.widget.layout.display != "none"  # "Show rating charts" of their skills
    view = b.app.open_checkin()
    erased = requests.delete(svc.url + "api/people/E0003", headers={"Authorization": "token tok-operator"}, timeout=60)
    assert erased.status_code == 200, erased.text
    view.note.value = "Typed after the erasure"
    b.advance(2)
    view.session.panel.leave_button.click()
    page = shown_html(b.app.start_screen.employee_panel)
    assert b.app.screen == "start" and "Nothing was saved for Do-yun Yoon" in page
    assert "former coach" not in page and "Words of the former coach" not in page
    assert b.app.start_screen.charts_panel.widget.layout.display == "none"


E0020_PEOPLE = ["E0003", "E0004", "E0006", "E0010", "E0011", "E0012", "E0021", "E0023"]


def _move_team(svc, employee_ids: list[str], new_coach: str) -> None:
    """The operator imports one roster giving every one of ``employee_ids`` to ``new_coach``."""
    lines = (svc.data / "roster.csv").read_text(encoding="utf-8").splitlines()
    rows = [line.split(",") for line in lines[1:] if line.split(",")[0] in employee_ids]
    body = lines[0] + "\n" + "".join(",".join(f[:2] + [new_coach] + f[3:]) + "\n" for f in rows)
    answer = requests.put(svc.url + "api/roster", data=body.encode(), timeout=30,
                          headers={"Authorization": "token tok-operator"})
    assert answer.status_code == 200, answer.text


COACH_OF_NOBODY = ("You coach nobody on the roster now: a roster import gave your people to other coaches. If that "
                   "is a mistake, ask HR or the operator who imports the roster.")


def test_a_coach_whose_whole_team_was_moved_away_is_told_so_in_words_when_a_save_is_refused(svc, tmp_path):
    """The refusal said "e0020 may not read the records of employee 'E0003' ... their login matches no coach on
    the roster", where one person moved away says whose team they are in now."""
    h = started(tmp_path / "no-data-folder", "E0003", "Said before the move")
    _move_team(svc, E0020_PEOPLE, "E0001")
    h.app.editor("want_more").area.value = "Said after the move"
    h.advance(2)

    panel = h.app.session.panel
    assert isinstance(h.app.session.problem, MovedAway)
    assert panel.title.value == "<div>⚠ Not saved: Do-yun Yoon is now in another coach&#x27;s team</div>"
    assert panel.message.value.startswith(f"<div>{COACH_OF_NOBODY} Nothing more is saved here".replace("'", "&#x27;"))
    assert "Said after the move" in panel.copy_html.value
    assert "may not" not in panel.message.value and "matches no coach" not in panel.message.value


def test_after_a_reload_a_coach_whose_whole_team_was_moved_away_is_told_to_ask_hr_not_shown_a_server_path(
        svc, tmp_path):
    """The reloaded page said "the page address names coach 'E0020', who coaches nobody on the roster" and "No
    employees in /srv/.../careerconv-records-service. Create a demo organisation with careerconv demo ..."."""
    _move_team(svc, E0020_PEOPLE, "E0001")
    app = Harness(tmp_path / "no-data-folder").app
    app.bridge.arrived = "coach=E0020"

    assert app.errors.text == ""  # the start screen says it
    box = app.start_screen.no_roster_html
    assert box.layout.display != "none"
    assert box.value == f'<div class="cc-warn-box">{COACH_OF_NOBODY}</div>'.replace("'", "&#x27;")


def test_under_the_hub_the_coach_picker_offers_the_coach_alone_also_after_a_refused_page_address(svc, tmp_path):
    """The picker offered "All coaches" above the coach's own name, and #employee=E0032 (not in their team) chose
    it: it read as if there were other coaches' people to choose, where the coach reads only their own."""
    app = Harness(tmp_path / "no-data-folder").app
    start = app.start_screen
    assert start.coach_choice.options == (("Théo Lambert (E0020)", "E0020"),)
    app.bridge.arrived = "employee=E0032"
    assert "E0032 is not in your team" in app.errors.text
    assert start.coach_choice.options == (("Théo Lambert (E0020)", "E0020"),)
    assert start.coach_choice.value == "E0020" and start.view_choice.layout.display != "none"  # My team offered
    assert start.results_note.value == "8 people"


def test_under_the_hub_a_coach_of_nobody_is_offered_no_coach_to_choose(svc, tmp_path):
    """A coach whose whole team was moved away saw a picker offering "All coaches", "Choose a coach to see their
    team at a glance" and an empty list: there is no coach to choose; the box below says what to do."""
    _move_team(svc, E0020_PEOPLE, "E0001")
    app = Harness(tmp_path / "no-data-folder").app
    start = app.start_screen
    app.bridge.arrived = "employee=E0003"  # a bookmark of someone who was in their team: nothing to open
    assert start.coach_choice.layout.display == "none" and start.team_hint.layout.display == "none"
    assert start.view_choice.layout.display == "none" and start.results.children == ()
    assert start.no_roster_html.layout.display != "none" and app.errors.text == ""


@pytest.mark.parametrize("fragment, says", [
    ("employee=E0002", "E0002 is not in your team"),  # on the roster, in e0001's team
    ("coach=E0001", "the page address names coach &#x27;E0001&#x27;: you can open only your own team"),
])
def test_another_coachs_person_or_team_in_the_page_address_is_refused_truthfully_without_a_path(
        svc, tmp_path, fragment, says):
    """#employee=E0002 said "not on the roster of /srv/.../careerconv-records-service" (untrue: in another team),
    #coach=E0001 that E0001 "coaches nobody" (untrue: 6 people); both added "Your typing is kept"."""
    app = Harness(tmp_path / "no-data-folder").app
    app.bridge.arrived = fragment
    assert app.errors.text.startswith(f"<div><b>Could not open the place in the page address:</b> {says}<details>")
    assert "Your typing is kept" not in app.errors.text and str(tmp_path) not in app.errors.text


def test_a_save_for_another_coachs_person_is_refused_as_may_not_save(svc):
    mine = ServiceStore(svc.url, "tok-coach-a")
    theirs = ServiceStore(svc.url, "tok-coach-b").conversations("E0002")[0]
    with pytest.raises(Refused, match="^e0020 may not save the records of employee 'E0002': only their coach"):
        mine.save_conversation({**theirs, "coach_id": "E0020"})


@pytest.mark.parametrize("column, day, away, says", [
    ("started_on", "2099-02-04", "starts 4 Feb 2099", "^You start as a coach on 4 Feb 2099: "),
    ("left_on", "2026-09-01", "left 1 Sep 2026", "^By the roster you left as a coach on 1 Sep 2026: ")])
def test_under_the_hub_a_coach_who_has_not_started_or_has_left_is_marked_and_offered_no_start(
        svc, tmp_path, column, day, away, says):
    """Found on the hub: a coach whose roster row says they start on 4 Feb 2099 was offered unmarked in the picker,
    and offered Start; the records service refused the save only after they typed ("not saved: by the roster you
    start on ..."). Their roster rows are their people's: the app marks them from the days api/me says, as the
    local app marks a coach on its roster."""
    set_roster_day(svc.data, "E0020", column, day)
    h = Harness(tmp_path / "no-data-folder")  # on 1 Oct 2026
    start = h.app.start_screen
    assert (f"Théo Lambert (E0020) · {away}", "E0020") in start.coach_choice.options
    h.app.select_employee("E0004")
    assert start.start_button.layout.display == "none"
    with pytest.raises(ValueError, match=says):
        h.app.start_conversation()
    assert not list(svc.data.glob("conversations/E0004/E0004-20261001*"))


YOU_START = "You start as a coach on 4 Feb 2099: conversations and check-ins with {whom} can be held from then."
YOU_LEFT = ("By the roster you left as a coach on 1 Sep 2026: conversations and check-ins with {whom} can no longer be "
            "held in careerconv (a draft begun before can still be finished). If you still coach them, ask HR or "
            "whoever runs careerconv for your organisation to correct the roster.")


@pytest.mark.parametrize("column, day, says, local_words", [
    ("started_on", "2099-02-04", YOU_START, ("Their coach", "under Coach", "set a coach",
                                             "Théo Lambert (E0020) starts")),
    ("left_on", "2026-09-01", YOU_LEFT, ("Their coach", "under Coach", "set a new coach", "need a new coach",
                                         "Théo Lambert (E0020) left"))])
def test_under_the_hub_a_coach_who_has_not_started_or_has_left_is_told_their_own_day_not_to_choose_another_coach(
        svc, tmp_path, column, day, says, local_words):
    """Found on the hub: a coach starting on 4 Feb 2099 read the local app's words about a coach of the roster,
    "Their coach Théo Lambert (E0020) starts on 4 Feb 2099: until then another coach meets Grace Davies, or set a
    coach who is here on the roster ... to start one, choose the coach meeting Grace Davies under Coach"; a coach who
    left on 1 Sep 2026 read "Théo Lambert (E0020) left 1 Sep 2026: their people need a new coach on the roster",
    "set a new coach for Grace Davies on the roster"; though the picker offers them alone and the roster is the
    operator's."""
    set_roster_day(svc.data, "E0020", column, day)
    h = Harness(tmp_path / "no-data-folder")  # on 1 Oct 2026
    start = h.app.start_screen
    assert start.coach_left_html.value == f'<div class="cc-warn-box">{says.format(whom="your people")}</div>'
    h.app.select_employee("E0004")
    said = says.format(whom="Grace Davies")
    assert start.employee_html.value.startswith(f'<div class="cc-warn-box cc-coach-left">{said}</div><')
    with pytest.raises(ValueError) as refused:
        h.app.start_conversation()
    assert str(refused.value) == said
    start.choose(view="team")
    assert start.team.summary_html.value.endswith(
        f'<div class="cc-warn-box cc-coach-left">{says.format(whom="the 8 people below")}</div>')
    shown = start.coach_left_html.value + start.employee_html.value + start.team.summary_html.value
    for words in local_words:
        assert words not in shown


def test_an_older_records_service_that_says_no_days_of_the_coach_leaves_them_unmarked(svc, tmp_path, monkeypatch):
    """A service from before api/me said the coach's days: the app works as before, the service refusing the save."""
    set_roster_day(svc.data, "E0020", "started_on", "2099-02-04")
    asked = ServiceStore.request

    def without_days(self, method, path, **kwargs):
        body = asked(self, method, path, **kwargs)
        return {k: v for k, v in body.items() if k not in ("started_on", "left_on")} if path == "api/me" else body
    monkeypatch.setattr(ServiceStore, "request", without_days)
    h = Harness(tmp_path / "no-data-folder")
    assert h.app.store.coach_days == {}
    assert ("Théo Lambert (E0020)", "E0020") in h.app.start_screen.coach_choice.options
    h.app.select_employee("E0004")
    assert h.app.start_screen.start_button.layout.display != "none"


def test_the_team_row_of_a_person_moved_with_a_former_coachs_drafts_says_they_are_there_read_only(
        svc, tmp_path, monkeypatch):
    """Found in the team view on the hub: Do-yun Yoon moved from Théo Lambert to the coach signed in with a
    conversation and a check-in Théo left unfinished, and her row said nothing of them (no draft, "Start
    conversation", "Check-in"), though her page shows them to read. The row names them, whose they are and that they
    are read-only; its buttons start new ones beside them, and their tips say so."""
    a = started(tmp_path / "a", "E0003", "Words of the former coach")
    a.app.close_conversation()
    a.app.open_checkin().note.value = "The former coach's note"
    a.advance(2)
    _move(svc, "E0003", "E0001")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "tok-coach-b")
    b = Harness(tmp_path / "b")
    row = b.app.team_routes.show_team("E0001").row("E0003")
    nb = "\u00a0"
    assert (f"draft of 1{nb}Oct{nb}2026 by Théo Lambert (E0020), their former coach (read-only)"
            in html.unescape(row.due_html))
    assert (f"check-in of 1{nb}Oct{nb}2026 by Théo Lambert (E0020), their former coach (read-only)"
            in html.unescape(row.due_html))
    assert row.conversation_label == "Start conversation" and row.checkin_label == "Check-in"
    tips = html.unescape(row.html)
    assert ("Start a career conversation with Do-yun Yoon (the conversation of 1 Oct 2026 by Théo Lambert "
            "(E0020), their former coach, stays as it is, read-only)") in tips
    assert ("Check-in: follow up Do-yun Yoon's plan (the check-in of 1 Oct 2026 by Théo Lambert (E0020), "
            "their former coach, stays as it is, read-only)") in tips
