"""Drafts are never hidden: "Start" asks first while one exists, and an empty draft is never offered over a filled one."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from app_harness import Harness
from careerconv.surfaces.app.drafts import checkin_holds, draft_holds, draft_to_offer
from careerconv.records.store import Store
from orgs import SMALL_ORG_PEOPLE, make_small_org, roster


@pytest.fixture
def h(tmp_path: Path) -> Harness:
    root = tmp_path / "data"
    make_small_org(root)
    return Harness(root)


def _draft(cid: str, updated: str, **fields) -> dict:
    base = {"conversation_id": cid, "status": "draft", "updated_at": updated, "dreams": [], "skills": [],
            "action_items": [], "answers": {}, "follow_up": {"mode": None, "every_weeks": None, "note": ""},
            "cadence_months": None}
    return {**base, **fields}


def test_what_a_draft_holds_in_words():
    filled = _draft("a", "2026-10-01T10:00:00+00:00", dreams=[{"text": "Lead"}, {"text": " "}, {"text": "Teach"}],
                    skills=[{"skill": "Negotiation"}, {"skill": ""}], action_items=[{"text": "Book a course"}],
                    answers={"want_more": "design", "start_now": "  "}, cadence_months=6)
    assert draft_holds(filled) == ["2 dreams", "1 skill: Negotiation", "1 action item", "1 other answer",
                                   "next conversation in 6 months"]
    assert draft_holds(_draft("b", "x", answers={"want_more": "", "list": ["", " "]})) == []


def test_what_a_draft_check_in_holds_in_words_counts_only_the_statuses_it_changes():
    """A draft check-in holds a line for every action item it follows up: an item left as it was is no news."""
    def update(item: str, status: str, note: str = "", reason: str = "") -> dict:
        return {"conversation_id": "C1", "item_id": item, "status": status, "note": note, "reason": reason}
    before = {("C1", "a1"): "in_progress", ("C1", "a2"): "in_progress", ("C1", "a3"): "open"}
    untouched = {"note": " ", "ratings": [], "updates": [update("a1", "in_progress"), update("a2", "in_progress"),
                                                         update("a3", "open"), update("a4", "open")]}
    assert checkin_holds(untouched, before) == []
    filled = {"note": "Good month", "ratings": [{"skill": "SQL", "self_rating": 6}],
              "updates": [update("a1", "done", note="Shipped"), update("a2", "dropped", reason="No budget"),
                          update("a3", "done"), update("a4", "in_progress")]}
    assert checkin_holds(filled, before) == ["a note", "1 action item marked in progress", "2 action items marked done",
                                             "1 action item marked dropped", "notes on 2 action items", "1 rating"]


def test_an_empty_draft_saved_later_is_not_offered_over_a_filled_one():
    filled = _draft("E1-20261001", "2026-10-01T10:00:00+00:00", dreams=[{"text": "Lead"}])
    empty_newer = _draft("E1-20261002", "2026-10-02T09:00:00+00:00")
    assert draft_to_offer([filled, empty_newer]) is filled
    assert draft_to_offer([empty_newer, filled]) is filled
    newer_filled = _draft("E1-20261003", "2026-10-03T09:00:00+00:00", answers={"want_more": "x"})
    assert draft_to_offer([filled, newer_filled, empty_newer]) is newer_filled
    assert draft_to_offer([empty_newer]) is empty_newer and draft_to_offer([]) is None


def test_start_while_a_draft_exists_asks_and_shows_what_it_holds(h: Harness):
    app = h.app
    app.select_employee("E002")
    app.start_screen.start_button.click()  # no draft yet: starts at once
    first = app.record["conversation_id"]
    app.editor("dreams").list.texts[0].value = "Lead the platform team"
    app.go_to("action_plan")
    app.editor("skills").input.value = "Negotiation"
    app.editor("skills").add_button.click()
    app.close_conversation()

    app.start_screen.start_button.click()  # the misclick under "Resume draft"
    assert app.screen == "start" and app.start_screen.start_confirm.layout.display != "none"
    text = app.start_screen.start_confirm_html.value
    assert "unfinished conversation" in text and "1 dream" in text and "1 skill: Negotiation" in text
    assert len(h.store.conversations("E002")) == 1  # nothing created yet
    app.start_screen.start_cancel.click()
    assert app.start_screen.start_confirm.layout.display == "none" and len(h.store.conversations("E002")) == 1

    app.start_screen.start_button.click()
    app.start_screen.start_resume.click()
    assert app.record["conversation_id"] == first and app.screen == "conversation"
    app.close_conversation()

    h.on("2026-10-02")  # the next day, the coach really wants a second, new conversation
    app.start_screen.start_button.click()
    app.start_screen.start_anyway.click()
    second = app.record["conversation_id"]
    assert second != first and app.screen == "conversation"
    app.close_conversation()  # left empty
    # the filled draft is still the one offered, and resuming opens it
    assert "1 skill: Negotiation" in app.start_screen.draft_html.value
    assert "2 unfinished conversations" in app.start_screen.draft_html.value
    app.start_screen.resume_button.click()
    assert app.record["conversation_id"] == first
    assert app.editor("dreams").list.texts[0].value == "Lead the platform team"
    app.close_conversation()
    # discarding removes the draft offered (the filled one), after a confirmation, and then offers the other
    app.start_screen.discard_button.click()
    app.start_screen.discard_confirm.click()
    assert [c["conversation_id"] for c in h.store.conversations("E002")] == [second]
    assert "It is empty" in app.start_screen.draft_html.value


def test_a_double_click_on_start_starts_one_conversation(h: Harness):
    """The browser sends both clicks of a double click before the page changes: the second reaches the app once
    the conversation is open, and starts nothing more (it made a second, empty draft the coach was then offered)."""
    app = h.app
    app.select_employee("E002")
    app.start_screen.start_button.click()
    app.start_screen.start_button.click()  # the second click of the double click, queued behind the first
    assert app.screen == "conversation" and len(h.store.conversations("E002")) == 1
    app.start_screen.checkin_button.click()  # nor does any other button of the hidden person page
    assert app.screen == "conversation"
    app.close_conversation()
    app.start_screen.start_button.click()  # the person page shows again: its buttons work again
    assert app.screen == "start" and app.start_screen.start_confirm.layout.display != "none"
    app.start_screen.start_anyway.click()
    app.start_screen.start_anyway.click()
    assert app.screen == "conversation" and len(h.store.conversations("E002")) == 2


def test_with_several_drafts_the_coach_picks_the_one_to_resume_or_discard(h: Harness):
    """Two tabs on one draft keep the second tab's typing as a draft of its own; the person page offered only the
    one last worked on, and the other could be reached only by discarding that one first (a tester in
    Chromium)."""
    app = h.app
    app.select_employee("E002")
    app.start_screen.start_button.click()
    first = app.record["conversation_id"]
    app.editor("dreams").list.texts[0].value = "Lead the platform team"
    app.close_conversation()
    h.on("2026-10-02")
    app.start_screen.start_button.click()
    app.start_screen.start_anyway.click()
    second = app.record["conversation_id"]
    app.editor("want_more").area.value = "Typed in the second tab"
    app.close_conversation()

    screen = app.start_screen
    assert screen.draft_choice.layout.display != "none" and len(screen.draft_choice.options) == 2
    assert screen.chosen_draft == second  # the last one worked on that holds answers, offered first
    labels = dict((value, label) for label, value in screen.draft_choice.options)
    assert "1 dream" in labels[first] and "1 other answer" in labels[second]
    screen.draft_choice.value = first
    assert "1 dream" in screen.draft_html.value and "one of the others" in screen.draft_html.value
    screen.resume_button.click()
    assert app.record["conversation_id"] == first and app.screen == "conversation"
    assert app.editor("dreams").list.texts[0].value == "Lead the platform team"
    app.close_conversation()

    screen.draft_choice.value = first
    screen.start_button.click()  # asks first, about the draft chosen
    assert "1 dream" in screen.start_confirm_html.value
    screen.start_cancel.click()
    screen.discard_button.click()
    screen.discard_confirm.click()
    assert [c["conversation_id"] for c in h.store.conversations("E002")] == [second]
    assert screen.draft_choice.layout.display == "none" and screen.chosen_draft == second  # one draft: no choice
    screen.resume_button.click()
    assert app.record["conversation_id"] == second


def test_a_draft_another_coach_left_is_offered_saying_whose_it_is(tmp_path: Path):
    """Found by a helper: Ada moved from Grace Hopper to Edith Clarke with a conversation and a check-in Grace left
    unfinished, and Edith's app offered them as "A conversation of 20 Aug 2026 is not finished ... Pick up where you
    left off?", as if they were hers. The offer names whose they are (with Edith chosen, and with all coaches, Ada's
    coach being Edith now); Grace's own offer reads as before. The local app keeps no earlier roster, so Grace is
    not called Ada's former coach (she might have stood in once: see the next test)."""
    root = tmp_path / "data"
    make_small_org(root)
    h = Harness(root, coach_id="C01")
    h.on("2026-08-20")
    h.leave_unfinished("E001", "Lead the platform team", "Talked about the demo")
    moved = [("C02", "Edith Clarke", "C00", "Research", "Head of research", 12),
             *[(e, n, "C02" if e == "E001" else c, d, r, m) for e, n, c, d, r, m in SMALL_ORG_PEOPLE]]
    Store(root).save_roster(roster(moved))

    for chosen in ("C02", ""):
        start = Harness(root, coach_id=chosen).app.start_screen
        start.choose(coach=chosen)
        start.on_select("E001")
        said = html.unescape(start.draft_html.value)
        assert said.startswith("<div><b>A conversation of 20 Aug 2026 by Grace Hopper (C01) is not finished</b>. It "
                               "holds 1 dream.")
        assert said.endswith("Pick up where they left off? It stays in their name as its coach.</div>")
        assert start.checkin_draft_box.layout.display != "none"
        assert start.checkin_discard_row.layout.display == "none"  # resumed, not discarded
        assert html.unescape(start.checkin_draft_html.value).startswith(
            "<div><b>A check-in of 20 Aug 2026 by Grace Hopper (C01) is not finished.</b> It holds a note.")
        start.start_button.click()
        assert ("already has an unfinished conversation of 20 Aug 2026 by Grace Hopper (C01)."
                in html.unescape(start.start_confirm_html.value))

    start = Harness(root, coach_id="C01").app.start_screen  # Grace's own
    start.on_select("E001")
    said = html.unescape(start.draft_html.value)
    assert said.startswith("<div><b>A conversation of 20 Aug 2026 is not finished</b>. It holds 1 dream.")
    assert said.endswith("Pick up where you left off?</div>") and " by " not in said
    assert start.checkin_draft_box.layout.display == "none"


def test_a_coach_who_stood_in_once_is_not_called_the_persons_former_coach(tmp_path: Path):
    """Found by a helper: Edith Clarke stood in once for Grace Hopper and left a conversation and a check-in with
    Ada unfinished; Ada's coach stayed Grace, and Grace's app offered them as "by Edith Clarke (C02), their former
    coach", which Edith never was. Named as the data says: by Edith, who is on the roster; and back in Edith's app,
    Grace's own draft is "by Grace Hopper (C01), their coach"."""
    root = tmp_path / "data"
    make_small_org(root)
    Store(root).save_roster(roster([("C02", "Edith Clarke", "C00", "Research", "Head of research", 12),
                                    *SMALL_ORG_PEOPLE]))
    h = Harness(root, coach_id="C02")
    h.on("2026-08-20")
    h.app.start_screen.choose(coach="C02")
    h.leave_unfinished("E001", "Lead the platform team", "Talked about the demo")

    for chosen in ("C01", ""):  # Grace chosen, and all coaches (Ada's coach being Grace)
        start = Harness(root, coach_id=chosen).app.start_screen
        start.choose(coach=chosen)
        start.on_select("E001")
        said = html.unescape(start.draft_html.value)
        assert said.startswith("<div><b>A conversation of 20 Aug 2026 by Edith Clarke (C02) is not finished</b>. "
                               "It holds 1 dream.")  # on main: "by Edith Clarke (C02), their former coach, is ..."
        assert html.unescape(start.checkin_draft_html.value).startswith(
            "<div><b>A check-in of 20 Aug 2026 by Edith Clarke (C02) is not finished.</b> It holds a note.")
        assert "former" not in said

    Harness(root, coach_id="C01").leave_unfinished("E002", "Write a compiler")
    start = Harness(root, coach_id="C02").app.start_screen
    start.choose(coach="C02")
    start.on_select("E002")
    assert html.unescape(start.draft_html.value).startswith(
        "<div><b>A conversation of 1 Oct 2026 by Grace Hopper (C01), their coach, is not finished</b>.")
