"""The smaller promises of issue 12, in the kernel: Enter adds a skill, the "every N weeks" box says what is
wrong instead of clamping, names instead of ids, the agreed cadence in the header, one date style, focus."""

from __future__ import annotations

from pathlib import Path

import pytest

from app_harness import Harness
from careerconv.surfaces.app.plan_editors import parse_weeks
from careerconv.records.dates import human_datetime
from orgs import make_small_org


@pytest.fixture
def h(tmp_path: Path) -> Harness:
    root = tmp_path / "data"
    make_small_org(root)
    return Harness(root)


def test_enter_in_the_skill_box_adds_the_skill(h: Harness):
    app = h.app
    app.select_employee("E002")
    app.start_conversation()
    skills = app.editor("skills")
    skills.input.value = "  Public   speaking "
    skills.input._handle_string_msg(None, {"event": "submit"}, [])  # what the browser sends on Enter
    assert [c.name for c in skills.cards] == ["Public speaking"]


def test_a_skill_the_page_sends_is_added_as_sent_and_the_box_is_the_pages(h: Harness):
    """On a page, Enter (or "+ Add skill") sends the box's text in the bridge's message, the page having emptied
    the box: the kernel adds exactly that text, refuses naming what it refuses, and never writes the box, where
    the coach may already be typing the next skill."""
    app = h.app
    app.select_employee("E002")
    app.start_conversation()
    skills = app.editor("skills")
    key = next(c[len("cc-box-"):] for c in skills.input._dom_classes if c.startswith("cc-box-"))
    skills.input.value = "Hir"  # typed after the Enter, before the kernel acts on it

    def send(text: str) -> None:
        app.bridge._message(app.bridge, {"event": "send", "box": key, "text": text}, [])

    send("  Public   speaking ")
    send("public SPEAKING")
    assert [c.name for c in skills.cards] == ["Public speaking"]
    assert "“Public speaking” is already in this conversation." in skills.message.value
    send("x" * 121)
    assert "“" + "x" * 121 + "”" in skills.message.value and len(skills.cards) == 1
    assert skills.input.value == "Hir"


def test_a_skill_that_cannot_be_added_stays_typed_in_the_box(h: Harness, monkeypatch):
    """The box is emptied before the skill's card is built (so the page has it sooner); if building the card fails,
    the coach's text comes back and the error is shown."""
    app = h.app
    app.select_employee("E002")
    app.start_conversation()
    skills = app.editor("skills")

    def broken(name):
        raise RuntimeError("the card could not be built")

    monkeypatch.setattr(skills, "add_skill", broken)
    skills.input.value = "Public speaking"
    skills.add_button.click()
    assert skills.input.value == "Public speaking" and skills.cards == []
    assert "the card could not be built" in app.errors.text and app.errors.widget.layout.display != "none"


@pytest.mark.parametrize("typed, weeks, says", [
    ("3", 3, ""), (" 12 ", 12, ""), ("abc", None, "“abc” is not a number of weeks"),
    ("999", None, "999 weeks is outside 1 to 26"), ("0", None, "outside 1 to 26"), ("", None, "Type how many"),
    ("2.5", None, "whole number"), ("-3", None, "whole number"),
])
def test_weeks_are_read_or_refused_in_words(typed, weeks, says):
    got, problem = parse_weeks(typed)
    assert got == weeks and (says in problem if says else problem == "")


def test_the_weeks_box_keeps_what_was_typed_and_says_what_is_saved(h: Harness):
    app = h.app
    app.select_employee("E002")
    app.start_conversation()
    follow = app.editor("follow_up")
    follow.mode.value = "one-on-one"
    follow.weeks.value = "4"
    app.flush()
    assert h.stored()["follow_up"]["every_weeks"] == 4 and follow.weeks_message.value == ""
    follow.weeks.value = "abc"  # no silent clamping: the box keeps "abc", the message says what is saved
    assert follow.weeks.value == "abc"
    assert "not a number of weeks" in follow.weeks_message.value and "every 4 weeks" in follow.weeks_message.value
    follow.weeks.value = "999"
    app.flush()
    assert h.stored()["follow_up"]["every_weeks"] == 4 and "outside 1 to 26" in follow.weeks_message.value


def test_names_not_ids_and_the_agreed_cadence_in_the_header(h: Harness):
    app = h.app
    app.select_employee("E001")  # Ada: roster says 6 months; her last conversation (C01) agreed a cadence
    agreed = app.plan.conversation["cadence_months"]
    assert f"a conversation every {agreed} months (agreed 2 Mar 2026)" in app.start_screen.employee_html.value
    assert "prefers" not in app.start_screen.employee_html.value
    assert "with Grace Hopper (C01)" in app.start_screen.glance_html.value
    app.select_employee("E002")  # no conversation yet: the roster's preference
    assert "prefers a conversation every 12 months" in app.start_screen.employee_html.value


def test_one_date_style():
    assert human_datetime("2026-12-02T17:39:05+00:00") == "2 Dec 2026, 17:39"
    assert human_datetime(None) == "" and human_datetime("not a date") == "not a date"


def test_start_puts_the_keyboard_in_the_first_answer(h: Harness, monkeypatch):
    focused = []
    import ipywidgets as widgets
    monkeypatch.setattr(widgets.DOMWidget, "focus", lambda self: focused.append(self))
    app = h.app
    app.select_employee("E002")
    app.start_conversation()
    assert focused == [app.editor("want_more").area]


def test_no_rating_charts_are_offered_before_a_person_is_picked(h: Harness):
    """Found looking at the start screen at 360 px: "Show rating charts" stood under "Pick the person you are meeting
    to see their previous conversation and start." before anyone was picked, and a click on it did nothing."""
    assert h.app.start_screen.charts_panel.widget.layout.display == "none"


def test_each_skill_has_its_rating_chart_on_the_person_page_and_in_the_check_in(h: Harness):
    app = h.app
    app.select_employee("E002")  # no plan yet: no charts offered
    assert app.start_screen.charts_panel.widget.layout.display == "none"
    app.select_employee("E001")
    panel = app.start_screen.charts_panel
    assert panel.widget.layout.display != "none" and panel.charts.value == ""  # drawn only when asked
    panel.button.click()
    charts = panel.charts.value
    assert charts.count("<figure") == len(app.plan.skills) == 1 and "<svg" in charts
    assert "Public speaking" in charts and panel.button.layout.display == "none"
    view = app.open_checkin()
    in_checkin = [w for w in view.widget.children if "cc-charts-panel" in w._dom_classes]
    assert len(in_checkin) == 1
    in_checkin[0].children[0].click()
    assert "<svg" in in_checkin[0].children[1].value


def test_a_skill_of_the_previous_plan_shows_its_last_rating_in_its_card(h: Harness):
    app = h.app
    app.select_employee("E001")  # Public speaking: 4 on 2 Mar 2026, targets 5/6/7; 5 at the 15 Apr check-in
    app.start_conversation()
    app.go_to("action_plan")
    skills = app.editor("skills")
    skills.input.value = "public  SPEAKING"
    skills.add_button.click()
    skills.input.value = "Negotiation"
    skills.add_button.click()
    known = [w.value for w in skills.cards[0].widget.children if "cc-last-rating" in w._dom_classes]
    assert known == ['<div class="cc-note">Last rated 5 on 15 Apr 2026 (a check-in); in the plan of 2 Mar 2026: '
                     "4 then, targets 5 / 6 / 7 at 6 / 12 / 18 months</div>"]
    assert not [w for w in skills.cards[1].widget.children if "cc-last-rating" in w._dom_classes]
