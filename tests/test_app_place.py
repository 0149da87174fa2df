"""The page address names where the coach is, and a reload lands back there (in the kernel, with a manual clock).

The browser side (the fragment really written, a real reload) is in
``tests/e2e/test_app_place_browser.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app_harness import Harness
from careerconv.records.store import Conflict, Store
from careerconv.surfaces.app.place import NEW_CHECKIN, Place, parse_place, place_fragment
from orgs import import_renames_and_a_leaver, make_small_org, roster


@pytest.fixture
def org(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    make_small_org(root)
    return root


def test_fragment_round_trips_and_stays_readable():
    place = Place(coach="C01", employee="E003", conversation="E003-20261001", step="action_plan")
    text = place_fragment(place)
    assert text == "coach=C01&employee=E003&conversation=E003-20261001&step=action_plan"
    assert parse_place(text) == place and parse_place("#" + text) == place
    assert place_fragment(Place()) == "" and parse_place("") == Place() and parse_place("#") == Place()
    assert parse_place(place_fragment(Place(coach="C01", view="team"))) == Place(coach="C01", view="team")


@pytest.mark.parametrize("fragment, says", [
    ("token=abc", "may name coach, view, employee"),
    ("employee=../../etc", "employee id in the page address may only use"),
    ("employee=E001&conversation=E001%2F..%2Fx", "conversation id in the page address"),
    ("employee=E001&checkin=%3Cscript%3E", "check-in id in the page address"),
    ("view=admin", "views are person, team"),
    ("employee=E001&step=Goals;drop", "not a section id"),
    ("employee=E001&conversation=E001-1&checkin=new", "can name one of them"),
    ("conversation=E001-1", "but no employee"),
])
def test_hostile_or_broken_fragments_are_refused_with_what_is_allowed(fragment, says):
    with pytest.raises(ValueError, match=says.replace("(", r"\(")):
        parse_place(fragment)


def test_the_address_follows_the_coach_and_a_reload_lands_back_in_the_section(org: Path):
    h = Harness(org)
    app = h.app
    assert app.bridge.place == ""
    app.select_employee("E003")
    assert app.bridge.place == "employee=E003"
    record = app.start_conversation()
    app.go_to("action_plan")
    app.editor("skills").input.value = "Negotiation"
    app.editor("skills").add_button.click()
    fragment = app.bridge.place
    assert fragment == f"employee=E003&conversation={record['conversation_id']}&step=action_plan"
    app.flush()

    reloaded = Harness(org).app  # a reload is a new kernel and a new app
    reloaded.bridge.arrived = fragment  # what the page sends once it is shown
    assert reloaded.screen == "conversation" and reloaded.step == "action_plan"
    assert reloaded.record["conversation_id"] == record["conversation_id"]
    assert [c.name for c in reloaded.editor("skills").cards] == ["Negotiation"]
    assert reloaded.errors.text == ""
    reloaded.close_conversation()
    assert reloaded.bridge.place == "employee=E003"


def _typing_then_reload(org: Path):
    """The old page: a skill added and its "10" typed, nothing saved yet (mid-debounce); then the reload's
    new kernel lands on the address before the old kernel saved that typing."""
    old = Harness(org)
    old.app.select_employee("E003")
    old.app.start_conversation()
    old.app.go_to("action_plan")
    skills = old.app.editor("skills")
    skills.input.value = "Statistics"
    skills.add_button.click()
    skills.cards[0].ten.value = "Teaches the team's statistics course"
    assert old.app.session.autosaver.pending is not None  # not on disk yet
    new = Harness(org)
    new.app.bridge.arrived = old.app.bridge.place
    assert new.app.screen == "conversation" and new.app.step == "action_plan"
    assert new.app.editor("skills").cards == []  # what the store held when the new page arrived
    return old, new


def test_a_reload_shows_the_typing_the_closed_page_saved_after_it_arrived(org: Path):
    old, new = _typing_then_reload(org)
    old.app.save_pending()  # the old page's "hidden": its kernel saves the typing, after the new page arrived
    new.advance(1)
    app = new.app
    assert [c.name for c in app.editor("skills").cards] == ["Statistics"]
    assert app.editor("skills").cards[0].ten.value == "Teaches the team's statistics course"
    assert app.screen == "conversation" and app.step == "action_plan" and app.bridge.place == old.app.bridge.place
    assert app.session.problem is None and not app.session.widget.children  # no conflict box, no notice
    new.advance(40)  # the new page goes on saving on top of it
    stored = new.stored()
    assert stored["skills"][0]["ten_looks_like"] == "Teaches the team's statistics course"
    assert app.session.problem is None


def test_a_reload_that_saved_its_time_first_still_gets_the_typing(org: Path):
    old, new = _typing_then_reload(org)
    new.advance(2)  # the new page saves the time spent first
    assert new.stored()["revision"] == 2 and new.stored()["skills"] == []
    old.app.save_pending()  # merged quietly on top of it (only time changed there)
    assert new.stored()["revision"] == 3
    new.advance(1)
    assert new.app.editor("skills").cards[0].ten.value == "Teaches the team's statistics course"
    assert new.app.session.problem is None


def test_typing_in_the_new_page_first_is_never_replaced_but_asked(org: Path):
    old, new = _typing_then_reload(org)
    new.app.editor("skills").input.value = "Writing"
    new.app.editor("skills").add_button.click()
    old.app.save_pending()
    new.advance(1)
    assert [c.name for c in new.app.editor("skills").cards] == ["Writing"]  # kept, not replaced
    new.advance(2)
    assert isinstance(new.app.session.problem, Conflict)  # its save is refused and the coach chooses
    assert new.stored()["skills"][0]["skill"] == "Statistics"


def test_only_a_reload_follows_and_only_for_its_first_seconds(org: Path):
    old, new = _typing_then_reload(org)
    new.advance(40)  # the closed page's kernel saves only after the reload stopped looking
    old.app.save_pending()
    new.advance(2)
    assert new.app.editor("skills").cards == []  # the coach's next save shows the conflict box, as always
    other = Harness(org)  # a second tab opened from the person page, not by a reload
    other.app.select_employee("E003")
    other.app.resume_draft()
    old.app.editor("skills").cards[0].ten.value = "Runs the statistics course"
    old.app.save_pending()
    other.advance(2)
    assert other.app.editor("skills").cards[0].ten.value == "Teaches the team's statistics course"


def test_a_reload_reopens_the_check_in_draft_and_the_team_view(org: Path):
    app = Harness(org).app
    app.select_employee("E001")
    view = app.open_checkin()
    view.note.value = "Talked about the demo"
    app.save_pending()  # the page was hidden: saved at once, without waiting for the debounce
    fragment = app.bridge.place
    assert fragment == f"employee=E001&checkin={view.draft['checkin_id']}"
    on_disk = app.store.history("E001").checkin_drafts
    assert [d["note"] for d in on_disk] == ["Talked about the demo"]
    reloaded = Harness(org).app
    reloaded.bridge.arrived = fragment
    assert reloaded.screen == "checkin" and reloaded.checkin_view.note.value == "Talked about the demo"

    team = Harness(org).app
    team.bridge.arrived = place_fragment(Place(coach="C01", view="team"))
    assert team.start_screen.view_choice.value == "team" and list(team.team.rows)
    assert team.bridge.place == "coach=C01&view=team"
    assert parse_place(f"employee=E001&checkin={NEW_CHECKIN}").checkin == NEW_CHECKIN


def test_an_address_naming_someone_erased_or_a_lost_draft_says_so_and_stays_on_the_start_screen(org: Path):
    app = Harness(org).app
    app.bridge.arrived = "employee=E999"
    assert "E999" in app.errors.text and "not on the roster" in app.errors.text and app.screen == "start"
    app.errors.clear()
    app.bridge.arrived = "employee=E001&conversation=E001-19990101"
    assert "has no conversation 'E001-19990101'" in app.errors.text.replace("&#x27;", "'")
    assert app.screen == "start" and app.employee["employee_id"] == "E001"


def test_a_page_opened_after_a_roster_import_shows_the_roster_as_imported(org: Path):
    """Found by a hostile tester: ``careerconv app`` builds the app in a kernel heated before any page asks for it,
    so the first page opened after a roster import showed the roster as it was before: a renamed person under the
    old name, a leaver offered for a new conversation. The page's arrival has the app read the roster again."""
    heated = Harness(org).app  # the app built, the roster read: no page yet
    import_renames_and_a_leaver(org)

    heated.bridge.set_state({"arrived": "", "arrived_sent": True})  # what a page opened at no place sends
    start = heated.start_screen
    assert [label for label, _id in start.coach_choice.options] == [
        "All coaches", "C00", "C02", "Grace Brewster Hopper (C01)"]  # C00 and C02 coach, but are not on it
    start.search.value = "turing"
    assert [b.description for b in start.results.children] == ["Alan Mathison Turing · E002"]
    start.search.value = ""
    assert [b.description for b in start.results.children] == [  # Katherine left: not offered
        "Ada Lovelace · E001", "Alan Mathison Turing · E002", "Barbara Liskov · E005", "Edsger Dijkstra · E004",
        "Grace Brewster Hopper · C01"]
    start.search.value = "katherine"
    assert [b.description for b in start.results.children] == ["Katherine Johnson · E003 ·\xa0left\xa01\xa0Sep\xa02026"]
    heated.select_employee("E003")
    assert start.actions.layout.display == "none"  # no Start, no Check-in
    with pytest.raises(ValueError, match="Katherine Johnson left 1 Sep 2026"):
        heated.start_conversation()
    assert heated.errors.text == ""


def test_a_page_opened_after_the_first_roster_import_lists_its_people(tmp_path: Path):
    """The app heated on a data folder with no roster yet says so; a page opened after the first import lists the
    people imported, without the note."""
    app = Harness(tmp_path / "data").app
    assert app.start_screen.no_roster_html.layout.display != "none"
    make_small_org(tmp_path / "data")
    app.bridge.set_state({"arrived": "", "arrived_sent": True})
    assert [b.description for b in app.start_screen.results.children] == [
        "Ada Lovelace · E001", "Alan Turing · E002", "Barbara Liskov · E005", "Edsger Dijkstra · E004",
        "Grace Hopper · C01", "Katherine Johnson · E003"]
    assert [label for label, _id in app.start_screen.coach_choice.options] == [
        "All coaches", "C00", "C02", "Grace Hopper (C01)"]
    assert app.start_screen.no_roster_html.layout.display == "none"  # "No employees in ..." no more


def test_before_the_first_roster_import_no_coach_is_offered_to_choose(tmp_path: Path):
    """The app on a data folder with no roster offered "All coaches" and "Choose a coach to see their team" over an
    empty list, as if there were coaches to choose: the picker shows once the roster names coaches."""
    app = Harness(tmp_path / "data").app
    start = app.start_screen
    assert start.coach_choice.layout.display == "none" and start.team_hint.layout.display == "none"
    make_small_org(tmp_path / "data")
    app.bridge.set_state({"arrived": "", "arrived_sent": True})
    assert start.coach_choice.layout.display != "none" and start.team_hint.layout.display != "none"
    assert start.coach_choice.label == "All coaches"


def test_a_roster_with_one_coach_offers_that_coach_alone_chosen_and_all_coaches_once_there_is_a_second(
        tmp_path: Path):
    """A roster where Grace Hopper coaches everyone: the picker offered "All coaches" beside her, chosen, as if
    there were coaches to choose between, and "My team" waited for her to be chosen. One rule with the hub's
    picker (the coach signed in alone): "All coaches" is offered where there are two or more."""
    data = tmp_path / "data"
    Store(data).save_roster(roster([("C01", "Grace Hopper", "", "Engineering", "Head of engineering", 12),
                                    ("E001", "Ada Lovelace", "C01", "Engineering", "Engineer", 6),
                                    ("E002", "Alan Turing", "C01", "Engineering", "Engineer", 12)]))
    app = Harness(data).app
    start = app.start_screen
    assert start.coach_choice.options == (("Grace Hopper (C01)", "C01"),)
    assert start.coach_choice.value == "C01" and start.coach_choice.layout.display != "none"
    assert start.view_choice.layout.display != "none" and start.team_hint.layout.display == "none"  # My team
    assert [b.description for b in start.results.children] == ["Ada Lovelace · E001", "Alan Turing · E002"]
    app.bridge.arrived = "employee=E002"  # a bookmark naming no coach: she stays chosen
    assert start.coach_choice.value == "C01" and app.employee["employee_id"] == "E002"

    Store(data).save_roster(roster([("C01", "Grace Hopper", "", "Engineering", "Head of engineering", 12),
                                    ("E001", "Ada Lovelace", "C01", "Engineering", "Engineer", 6),
                                    ("E002", "Alan Turing", "C02", "Engineering", "Engineer", 12)]))
    app.bridge.set_state({"arrived": "", "arrived_sent": True})  # a page opened after the import
    assert [label for label, _id in start.coach_choice.options] == ["All coaches", "C02", "Grace Hopper (C01)"]
    assert start.coach_choice.value == "C01"


def test_a_roster_with_one_coach_offers_all_coaches_while_someone_is_on_no_coachs_team(tmp_path: Path):
    """Offering the one coach alone must not hide someone with no coach on the roster (coached outside the
    organisation): only "All coaches" finds them. The coach herself, with no coach, is not such a person."""
    data = tmp_path / "data"
    Store(data).save_roster(roster([("C01", "Grace Hopper", "", "Engineering", "Head of engineering", 12),
                                    ("E001", "Ada Lovelace", "C01", "Engineering", "Engineer", 6),
                                    ("E009", "Mary Jackson", "", "Research", "Engineer", 12)]))
    start = Harness(data).app.start_screen
    assert [label for label, _id in start.coach_choice.options] == ["All coaches", "Grace Hopper (C01)"]
    assert start.coach == ""
    start.search.value = "mary"
    assert [b.description for b in start.results.children] == ["Mary Jackson · E009"]
