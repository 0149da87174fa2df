"""Headless tests of the coach's app: drive the widgets, assert what the store holds.

The app gets a manual clock and scheduler, so the autosave debounce and the
section timers move only when a test says so.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from pathlib import Path

import ipywidgets as widgets
import nbformat
import pytest

from careerconv.records import config
from careerconv.records import schema
from careerconv.surfaces.app import ConversationApp, resolve_data_dir
from careerconv.surfaces.app.autosave import Autosaver
from careerconv.surfaces.app.scheduling import ManualClock, ThreadScheduler
from careerconv.surfaces.app.summary import render_summary_html
from careerconv.surfaces.app.timers import SectionTimers, format_duration
from careerconv.cli import main as cli_main
from careerconv.records.store import Store
from careerconv.surfaces.commands import app as app_command

from app_harness import START, Harness

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def h(small_org: Path) -> Harness:
    return Harness(small_org)


def fill_whole_conversation(h: Harness, *, dreams=("Lead a team", "Write a book", "Run a marathon")) -> None:
    """Answer everything the method asks for, through the widgets."""
    app = h.app
    app.go_to("goals")
    app.editor("want_more").area.value = "More design work"
    for box, text in zip(app.editor("dreams").list.texts, dreams):
        box.value = text
    app.go_to("action_plan")
    skills = app.editor("skills")
    for name, rating in (("Public speaking", 5), ("Negotiation", 3)):
        skills.input.value = name
        skills.add_button.click()
        card = skills.card(name)
        card.self_rating.value = rating
        card.ten.value = f"A 10 in {name}"
        for i, row in enumerate(card.options):
            row.text.value = f"{name} option {i + 1}"
            row.pros.value = "cheap"
            row.cons.value = "slow"
        card.options[1].choose.value = True
        card.approach.value = "Start small"
        for horizon, value in zip((6, 12, 18), (rating + 1, rating + 2, rating + 3)):
            card.target_boxes[horizon].value = value
    app.go_to("next_steps")
    items = app.editor("action_items")
    items.rows[0].text.value = "Sign up for a course"
    items.rows[0].due.value = dt.date(2026, 11, 1)
    items.rows[0].owner.value = "Ada Lovelace"
    app.editor("follow_up").mode.value = "one-on-one"
    app.editor("cadence").buttons.value = 6


# --------------------------------------------------------------------------- start screen


def test_search_finds_people_by_name_or_id_and_filters_by_coach(h: Harness):
    app = h.app
    assert len(app.start_screen.result_buttons) == 6 and len(app.start_screen.results.children) == 6
    app.start_screen.search.value = "lovel"
    assert list(app.start_screen.result_buttons) == ["E001"]
    assert app.start_screen.result_buttons["E001"].description == "Ada Lovelace · E001"
    app.start_screen.search.value = "e00"
    assert set(app.start_screen.result_buttons) == {"E001", "E002", "E003", "E004", "E005"}
    app.start_screen.search.value = "  ADA   e001 "
    assert list(app.start_screen.result_buttons) == ["E001"]
    app.start_screen.search.value = ""
    app.start_screen.coach_choice.value = "C02"
    assert set(app.start_screen.result_buttons) == {"E004", "E005"}
    app.start_screen.search.value = "nobody-like-this"
    assert app.start_screen.results.children == () and "Nobody matches" in app.start_screen.results_note.value


def test_a_click_on_a_list_that_was_refiltered_opens_the_person_shown(h: Harness):
    app = h.app
    stale = app.start_screen.result_buttons["E004"]  # the coach sees the full list and clicks Edsger ...
    app.start_screen.search.value = "ada"  # ... while the list is being narrowed to Ada
    stale.click()
    assert app.employee["employee_id"] == "E004"  # the person on the button, not whoever is there now
    app.start_screen.result_buttons["E001"].click()
    assert app.employee["employee_id"] == "E001"
    assert "cc-result-active" in app.start_screen.result_buttons["E001"]._dom_classes


def test_picking_a_person_shows_their_previous_plan_before_the_first_question(h: Harness):
    app = h.app
    app.start_screen.search.value = "ada"
    app.start_screen.result_buttons["E001"].click()
    assert app.employee["employee_id"] == "E001"
    glance = app.start_screen.glance_html.value
    for text in ("Speak at a conference", "Public speaking", "Join Toastmasters", "Done", "In progress",
                 "booked a slot", "Toastmasters"):
        assert text in glance
    assert app.start_screen.employee_html.value.count("Ada Lovelace") == 1
    assert "overdue" in app.start_screen.employee_html.value  # next conversation was due 2026-09-02
    assert app.start_screen.checkin_button.layout.display != "none"
    app.select_employee("E002")
    assert "No completed career conversation yet" in app.start_screen.glance_html.value
    assert app.start_screen.checkin_button.layout.display == "none"


def test_unknown_employee_is_reported_in_the_banner(h: Harness):
    h.app.guard(h.app.select_employee)("E999")
    assert "E999" in h.app.errors.text and h.app.errors.widget.layout.display != "none"


def test_empty_data_folder_says_what_to_do(tmp_path: Path):
    app = Harness(tmp_path / "empty").app
    texts = " ".join(getattr(w, "value", "") for w in app.start_screen.person_view.children[0].children
                     if isinstance(getattr(w, "value", None), str))
    assert "careerconv demo" in texts


# --------------------------------------------------------------------------- conversation and autosave


def test_starting_saves_a_draft_at_once(h: Harness):
    h.app.select_employee("E002")
    h.app.start_screen.start_button.click()
    stored = h.stored()
    assert stored["status"] == "draft" and stored["coach_id"] == "C01" and stored["date"] == "2026-10-01"
    assert h.app.screen == "conversation" and h.app.step == "goals"


def test_autosave_is_debounced(h: Harness):
    app = h.app
    app.select_employee("E002")
    app.start_conversation()
    saves_before = len(app.autosaver.durations)
    box = app.editor("dreams").list.texts[0]
    for text in ("L", "Le", "Lea", "Lead", "Lead a team"):
        box.value = text
        h.advance(0.3)
    assert h.stored()["dreams"] == []  # still typing: nothing written yet
    assert app.status_html.value == "Unsaved changes…"
    h.advance(1.0)
    assert h.stored()["dreams"] == [{"rank": 1, "text": "Lead a team"}]
    assert len(app.autosaver.durations) == saves_before + 1  # five keystrokes, one save
    assert app.status_html.value == "Saved 10:00:02"


def test_what_the_coach_types_is_stored_without_the_spaces_at_its_ends(h: Harness):
    """Found by a tester in Chromium: "  Lead a team  " was saved with its spaces. An answer of only spaces is
    no answer, as an empty one; the boxes keep what is typed (the next word follows the space just typed)."""
    app = h.app
    app.select_employee("E002")
    app.start_conversation()
    dreams = app.editor("dreams").list.texts
    dreams[0].value = "  Lead a team  "
    dreams[1].value = "Write a book "
    dreams[2].value = "   "
    app.editor("want_more").area.value = "\n  More design work  \n"
    h.advance(2.0)
    stored = h.stored()
    assert stored["dreams"] == [{"rank": 1, "text": "Lead a team"}, {"rank": 2, "text": "Write a book"}]
    assert stored["answers"] == {"want_more": "More design work"}
    assert [box.value for box in dreams[:3]] == ["  Lead a team  ", "Write a book ", "   "]
    app.editor("want_more").area.value = "    "
    h.advance(2.0)
    assert h.stored()["answers"] == {}


def test_continuous_typing_is_still_saved_within_max_wait(h: Harness):
    app = h.app
    app.select_employee("E002")
    app.start_conversation()
    area = app.editor("want_more").area
    for i in range(14):  # a keystroke every 0.5 s for 7 s: the 1 s debounce never elapses
        area.value = "x" * (i + 1)
        h.advance(0.5)
    assert len(h.stored()["answers"]["want_more"]) >= 9  # saved by the 5 s cap, not after the typing


def test_a_background_save_never_blocks_the_caller():
    started, release = threading.Event(), threading.Event()
    saved: list[dict] = []

    def slow_save(record: dict) -> dict:
        started.set()
        release.wait(5)
        saved.append(record)
        return record

    autosaver = Autosaver(slow_save, scheduler=ThreadScheduler(), delay=0.0, max_wait=0.0, background=True)
    autosaver.changed({"n": 1})
    assert started.wait(5)
    began = time.perf_counter()
    for n in range(2, 200):  # keystrokes while the disk is slow
        autosaver.changed({"n": n})
    assert (time.perf_counter() - began) / 198 < 0.005
    release.set()
    autosaver.flush()
    assert saved[-1] == {"n": 199} and len(saved) <= 3  # coalesced
    autosaver.close()


def test_navigation_times_sections_and_stores_the_seconds(h: Harness):
    app = h.app
    app.select_employee("E002")
    app.start_conversation()
    h.advance(90)
    app.conversation_screen.next_button.click()
    assert app.step == "action_plan"
    h.advance(30 * 60)  # run over the 20 suggested minutes
    assert "cc-step-over" in app.conversation_screen.step_buttons["action_plan"]._dom_classes
    assert "cc-step-over" not in app.conversation_screen.step_buttons["goals"]._dom_classes
    assert "30:00 / 20 min" in app.conversation_screen.step_buttons["action_plan"].description
    assert "Total 31:30 / 60 min" in app.conversation_screen.total_html.value
    app.go_to("goals")
    app.flush()
    sections = h.stored()["sections"]
    assert sections["goals"]["seconds"] == 90 and sections["action_plan"]["seconds"] == 1800
    assert sections["goals"]["started_at"] == "2026-10-01T10:00:00+00:00"


def test_a_draft_survives_a_restart_and_is_offered_again(small_org: Path):
    first = Harness(small_org)
    app = first.app
    app.select_employee("E002")
    app.start_conversation()
    for box, text in zip(app.editor("dreams").list.texts, ("Lead a team", "Write a book")):
        box.value = text
    app.go_to("action_plan")
    skills = app.editor("skills")
    skills.input.value = "Cooking"
    skills.add_button.click()
    card = skills.card("Cooking")
    card.self_rating.value = 7
    card.options[0].text.value = "Cook every day"
    card.options[0].choose.value = True
    card.target_boxes[6].value = 8
    card.dream.value = 2
    app.section("action_plan").pull("alt_support")
    app.section("action_plan").alt_editors["alt_support"].area.value = "A mentor"
    first.advance(2)  # the debounce elapses; then the kernel dies
    conversation_id = app.record["conversation_id"]

    second = Harness(small_org)  # a new kernel
    app2 = second.app
    app2.select_employee("E002")
    assert app2.start_screen.draft_box.layout.display != "none" and "not finished" in app2.start_screen.draft_html.value
    assert app2.start_screen.start_button.description == "Start a new conversation"
    app2.start_screen.resume_button.click()
    assert app2.record["conversation_id"] == conversation_id
    assert app2.step == "action_plan"  # where the coach left off
    assert [t.value for t in app2.editor("dreams").list.texts] == ["Lead a team", "Write a book", ""]
    card2 = app2.editor("skills").card("cooking")
    assert card2.self_rating.value == 7 and card2.options[0].choose.value and card2.targets[6] == 8
    assert card2.dream.value == 2
    assert app2.section("action_plan").alt_editors["alt_support"].area.value == "A mentor"
    assert "Saved" in app2.status_html.value


@pytest.mark.timeout(180)
def test_pending_edits_are_saved_when_the_kernel_exits(small_org: Path):
    """A real kernel runs the app, the coach types, the kernel is shut down: its exit hook saves the edit."""
    from jupyter_client.manager import KernelManager

    tests, project = Path(__file__).resolve().parent, Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(project), str(tests), os.environ.get("PYTHONPATH", "")])}
    manager = KernelManager(kernel_name="python3", shutdown_wait_time=60)
    manager.start_kernel(env=env, cwd=str(small_org))
    process = manager.provisioner.process
    printed: list[str] = []
    try:
        client = manager.blocking_client()
        client.start_channels()
        client.wait_for_ready(timeout=60)
        # A manual scheduler: the autosave debounce never elapses, so only the exit can save the edit.
        reply = client.execute_interactive(
            "from pathlib import Path\n"
            "from app_harness import Harness\n"
            f"h = Harness(Path({str(small_org)!r}))\n"
            "h.app.select_employee('E002')\n"
            "h.app.start_conversation()\n"
            "h.app.editor('want_more').area.value = 'typed just before the tab was closed'\n"
            "print(h.app.record['conversation_id'])\n",
            timeout=60, output_hook=lambda msg: printed.append(msg["content"]["text"])
            if msg["msg_type"] == "stream" else None)
        client.stop_channels()
        assert reply["content"]["status"] == "ok", reply["content"]
        store = Store(small_org)
        conversation_id = "".join(printed).strip()
        assert store.load_conversation("E002", conversation_id)["answers"] == {}  # nothing saved yet
        manager.shutdown_kernel(now=False)  # Kernel > Shut Down: a shutdown request; the process exits by itself
        assert process.poll() == 0  # it exited on its own, not killed after a timeout
        assert store.load_conversation("E002", conversation_id)["answers"]["want_more"] == \
            "typed just before the tab was closed"
    finally:
        if manager.has_kernel:
            manager.shutdown_kernel(now=True)


def test_discarding_a_draft_needs_a_confirmation(h: Harness):
    app = h.app
    app.select_employee("E002")
    app.start_conversation()
    app.close_conversation()
    assert app.start_screen.draft_box.layout.display != "none"
    app.start_screen.discard_button.click()
    assert app.start_screen.discard_confirm.layout.display != "none"
    assert len(h.store.conversations("E002")) == 1
    app.start_screen.discard_confirm.click()
    assert h.store.conversations("E002") == [] and app.start_screen.draft_box.layout.display == "none"


# --------------------------------------------------------------------------- goals and action plan details


def test_fewer_than_three_dreams_get_a_clear_prompt_and_five_is_the_limit(h: Harness):
    app = h.app
    app.select_employee("E002")
    app.start_conversation()
    dreams = app.editor("dreams")
    assert "at least 3 dreams (0 so far)" in dreams.count_note.value
    dreams.list.texts[0].value = "One"
    assert "(1 so far)" in dreams.count_note.value
    for box, text in zip(dreams.list.texts[1:], ("Two", "Three")):
        box.value = text
    assert "at least" not in dreams.count_note.value
    dreams.list.add_button.click()
    dreams.list.add_button.click()
    assert len(dreams.list.texts) == 5 and dreams.list.add_button.layout.display == "none"
    dreams.list.add_button.click()
    assert len(dreams.list.texts) == 5


def test_moving_a_dream_keeps_the_skill_pointing_at_it(h: Harness):
    app = h.app
    app.select_employee("E002")
    app.start_conversation()
    for box, text in zip(app.editor("dreams").list.texts, ("A", "B", "C")):
        box.value = text
    app.go_to("action_plan")
    skills = app.editor("skills")
    skills.input.value = "Writing"
    skills.add_button.click()
    skills.card("Writing").dream.value = 2  # serves "B"
    app.go_to("goals")
    rows = app.editor("dreams").list
    rows.move(1, -1)  # "B" becomes the first dream
    app.flush()
    stored = h.stored()
    assert stored["dreams"][0]["text"] == "B"
    assert stored["skills"][0]["dream_rank"] == 1
    rows.remove_row(0)  # "B" is removed: the skill no longer serves a dream
    app.flush()
    assert h.stored()["skills"][0]["dream_rank"] is None


def test_a_resumed_skill_card_is_folded_until_opened_and_its_skill_is_kept_as_it_was(h: Harness):
    app = h.app
    app.select_employee("E002")
    app.start_conversation()
    for box, text in zip(app.editor("dreams").list.texts, ("A", "B", "C")):
        box.value = text
    app.go_to("action_plan")
    skills = app.editor("skills")
    for name in ("Writing", "Cooking"):
        skills.add_skill(name)
    writing = skills.card("Writing")
    assert writing.built  # added by the coach: open at once
    writing.self_rating.value = 4
    writing.target_boxes[12].value = 7
    writing.dream.value = 2  # serves "B"
    writing.options[0].text.value = "Evening course"
    writing.options[0].choose.value = True
    stored = app.flush()["skills"]
    app.close_conversation()

    app.resume_draft()
    folded = app.editor("skills").cards
    assert [c.built for c in folded] == [False, False]
    assert not [w for w in folded[0].widget.children if "cc-self-rating" in w._dom_classes]
    summary = folded[0].summary.value
    assert "Rated 4" in summary and "7 in 12 months" in summary and "chosen: Evening course" in summary
    app.go_to("goals")
    app.editor("dreams").list.move(1, -1)  # "B" becomes the first dream while the card is folded
    assert app.flush()["skills"][0]["dream_rank"] == 1
    assert app.flush()["skills"][1] == stored[1]  # nothing else of a folded card changes

    app.go_to("action_plan")
    folded[1].open_button.click()
    assert folded[1].built and folded[1].self_rating.value is None
    assert folded[0].ten.value == ""  # asking for an editor opens the card
    assert folded[0].built and folded[0].self_rating.value == 4 and folded[0].targets[12] == 7
    assert folded[0].dream.value == 1  # the choices are the dreams as they are now
    folded[0].ten.value = "Publishes monthly"
    assert app.flush()["skills"][0]["ten_looks_like"] == "Publishes monthly"


def test_removing_a_skill_asks_first_on_a_folded_and_on_an_open_card(h: Harness):
    app = h.app
    app.select_employee("E002")
    app.start_conversation()
    app.go_to("action_plan")
    for name in ("Writing", "Cooking"):
        app.editor("skills").add_skill(name)
    app.close_conversation()
    app.resume_draft()
    skills = app.editor("skills")
    folded, opened = skills.cards
    opened.open()

    def answer(card, which: str) -> None:
        card.remove_button.click()
        ask = card.confirm_remove
        assert ask in card.widget.children and ask.layout.display != "none"
        ask.children[1 if which == "yes" else 2].click()

    answer(opened, "keep")
    assert opened.confirm_remove.layout.display == "none" and [c.name for c in skills.cards] == ["Writing", "Cooking"]
    answer(folded, "yes")
    assert not folded.built and [c.name for c in skills.cards] == ["Cooking"]
    answer(opened, "yes")
    assert skills.cards == [] and app.flush()["skills"] == []


def test_the_finish_step_is_built_when_first_shown(h: Harness):
    app = h.app
    app.select_employee("E002")
    app.start_conversation()
    screen = app.conversation_screen
    assert "finish_built" not in vars(screen) and "missing_html" not in vars(screen)
    app.go_to("finish")
    assert screen.finish_view in screen.section_box.children and screen.finish_view.layout.display != "none"
    assert "Still open before completing" in screen.missing_html.value


def test_a_folded_card_of_a_completed_conversation_opens_read_only(h: Harness):
    app = h.app
    app.select_employee("E002")
    app.start_conversation()
    fill_whole_conversation(h)
    assert app.complete() == []
    app.close_conversation()
    app.open_conversation(app.record["conversation_id"])
    card = app.editor("skills").cards[0]
    assert not card.built and not card.open_button.disabled
    card.open_button.click()
    assert card.built and card.ten.disabled and card.self_rating.disabled
    assert card.remove_button.layout.display == "none" and card.add_option_button.layout.display == "none"


def test_the_app_never_writes_the_analytics_cache(small_org: Path):
    root = small_org
    before = {p: p.stat().st_mtime_ns for p in (root / "derived").rglob("*")}
    harness = Harness(root)
    harness.app.select_employee("E001")
    assert {p: p.stat().st_mtime_ns for p in (root / "derived").rglob("*")} == before
    assert "Public speaking" in harness.app.skill_names


def test_skill_suggestions_include_the_employees_own_history_without_a_cache(small_org: Path):
    root = small_org
    import shutil
    shutil.rmtree(root / "derived")
    app = Harness(root).app
    assert app.skill_names == []
    app.select_employee("E001")
    app.start_conversation()
    app.go_to("action_plan")
    assert "Public speaking" in app.editor("skills").input.options


def test_skills_use_the_organisations_spelling_and_cannot_repeat(h: Harness):
    app = h.app
    assert "Public speaking" in app.skill_names
    app.select_employee("E002")
    app.start_conversation()
    app.go_to("action_plan")
    skills = app.editor("skills")
    assert "Public speaking" in skills.input.options
    skills.input.value = "  public   SPEAKING "
    skills.add_button.click()
    assert [c.name for c in skills.cards] == ["Public speaking"]
    assert "Public speaking" not in skills.input.options
    skills.input.value = "PUBLIC speaking"
    skills.add_button.click()
    assert len(skills.cards) == 1 and "already in this conversation" in skills.message.value
    skills.input.value = ""
    skills.add_button.click()
    assert "Type or pick a skill" in skills.message.value


def new_skill_card(h: Harness, name: str):
    """Alan's new conversation on the action plan, with the card of a skill ``name`` just added."""
    h.app.select_employee("E002")
    h.app.start_conversation()
    h.app.go_to("action_plan")
    skills = h.app.editor("skills")
    skills.input.value = name
    skills.add_button.click()
    return skills.card(name)


def test_targets_keep_what_the_coach_picked_and_checks_show_beside_the_field(h: Harness):
    app = h.app
    card = new_skill_card(h, "Drawing")
    card.self_rating.value = 8
    for horizon, value in ((6, 9), (12, 7), (18, 3)):  # a slip of the mouse on 12 and 18
        card.target_boxes[horizon].value = value
    # nothing the coach did not touch changed, and nothing waits for a confirmation
    assert [card.target_boxes[k].value for k in (6, 12, 18)] == [9, 7, 3]
    app.flush()
    assert h.stored()["skills"][0]["targets"] == {"6": 9, "12": 7, "18": 3}
    checks = {k: card.target_checks[k].value for k in (6, 12, 18)}
    assert checks[6] == "" and "below today&#x27;s rating (8)" in checks[12] and "(8)" in checks[18]
    card.target_boxes[12].value = 10  # fixed: its note goes, the other one stays
    assert card.target_checks[12].value == "" and "(8)" in card.target_checks[18].value
    card.self_rating.value = 2  # a lower rating today: the targets stay, the notes follow
    assert [card.targets[k] for k in (6, 12, 18)] == [9, 10, 3]
    assert "below the 12-month target (10)" in card.target_checks[18].value


def test_only_one_option_is_the_chosen_approach(h: Harness):
    app = h.app
    card = new_skill_card(h, "Drawing")
    for i, row in enumerate(card.options):
        row.text.value = f"option {i}"
    card.options[0].choose.value = True
    card.options[2].choose.value = True
    assert [r.choose.value for r in card.options] == [False, False, True]
    assert "Chosen: option 2" in card.chosen_note.value
    card.add_option_button.click()
    card.options[3].text.value = "option 3"
    app.flush()
    assert [o["chosen"] for o in h.stored()["skills"][0]["options"]] == [False, False, True, False]


def test_an_empty_option_cannot_be_chosen(h: Harness):
    """Choose on an option nobody wrote showed "Chosen ✓" and stored nothing (found in a browser): it is refused,
    with the reason, and the option chosen before stays chosen."""
    app = h.app
    card = new_skill_card(h, "Drawing")
    card.options[0].text.value = "Sketch daily"
    card.options[0].choose.value = True
    card.options[2].choose.value = True
    assert [r.choose.value for r in card.options] == [True, False, False]
    assert card.options[2].choose.description == "Choose"
    assert "Option 3 is empty: write it first, then choose it." in card.chosen_note.value
    app.flush()
    assert [(o["text"], o["chosen"]) for o in h.stored()["skills"][0]["options"]] == [("Sketch daily", True)]
    card.options[2].text.value = "Take a class"
    card.options[2].choose.value = True
    assert "Chosen: Take a class" in card.chosen_note.value


def test_action_item_ids_are_never_reused(h: Harness):
    app = h.app
    app.select_employee("E002")
    app.start_conversation()
    app.go_to("next_steps")
    items = app.editor("action_items")
    items.rows[0].text.value = "first"
    items.add_button.click()
    items.rows[1].text.value = "second"
    items.rows[0].remove.click()
    items.add_button.click()
    items.rows[1].text.value = "third"
    app.flush()
    assert [(i["item_id"], i["text"]) for i in h.stored()["action_items"]] == [("a2", "second"), ("a3", "third")]


def test_alternative_question_bank(h: Harness):
    app = h.app
    app.select_employee("E002")
    app.start_conversation()
    goals = app.section("goals")
    want_more = app.editor("want_more")
    goals.bank_toggle.value = "alternative"
    assert want_more.widget.layout.display == "none"
    assert set(goals.alt_editors) >= {"alt_professional_goals", "alt_long_term"}
    goals.alt_editors["alt_long_term"].area.value = "Run my own studio"
    assert app.editor("dreams").widget.layout.display != "none"  # the plan still needs dreams
    plan = app.section("action_plan")
    assert plan.pull_row.layout.display != "none" and plan.pull_choice.value == ""
    plan.pull_button.click()  # nothing picked: nothing happens
    assert plan.pulled == []
    plan.pull_choice.value = "alt_realistic"
    plan.pull_button.click()
    plan.alt_editors["alt_realistic"].buttons.value = "a stretch"
    plan.pull("alt_by_when")
    plan.alt_editors["alt_by_when"].picker.value = dt.date(2027, 6, 1)
    app.flush()
    stored = h.stored()
    assert stored["answers"] == {"alt_long_term": "Run my own studio", "alt_realistic": "a stretch",
                                 "alt_by_when": "2027-06-01"}
    assert stored["sections"]["goals"]["question_bank"] == "alternative"
    assert stored["sections"]["action_plan"]["alternative_questions"] == ["alt_realistic", "alt_by_when"]
    plan.alt_editors["alt_by_when"].unpull_button.click()
    app.flush()
    assert "alt_by_when" not in h.stored()["answers"]
    assert app.section("next_steps").bank_toggle not in app.section("next_steps").head.children  # no alternatives


# --------------------------------------------------------------------------- completing


def test_complete_lists_what_is_missing_and_saves_nothing(h: Harness):
    app = h.app
    app.select_employee("E002")
    app.start_conversation()
    app.editor("dreams").list.texts[0].value = "Only one dream"
    app.go_to("finish")
    app.conversation_screen.complete_button.click()
    missing = app.conversation_screen.missing_html.value
    assert "at least 3 dreams (1 so far)" in missing and "add at least one skill" in missing
    assert "add at least one action item" in missing
    assert h.stored()["status"] == "draft" and not app.locked


def ready_to_complete(h: Harness, employee_id: str = "E002") -> None:
    """Start a conversation with ``employee_id``, answer everything, and go to its finish step."""
    h.app.select_employee(employee_id)
    h.app.start_conversation()
    fill_whole_conversation(h)
    h.advance(60)
    h.app.go_to("finish")


def test_a_whole_conversation_completes_locks_and_writes_the_summary(h: Harness):
    app = h.app
    ready_to_complete(h)
    assert "Everything the method asks for is there" in app.conversation_screen.missing_html.value
    app.conversation_screen.complete_button.click()
    assert app.errors.text == ""
    stored = h.stored()
    assert stored["status"] == "completed" and stored["completed_at"] == "2026-10-01T10:01:00+00:00"
    assert [d["text"] for d in stored["dreams"]] == ["Lead a team", "Write a book", "Run a marathon"]
    assert [(s["skill"], s["self_rating"], s["targets"]) for s in stored["skills"]] == [
        ("Public speaking", 5, {"6": 6, "12": 7, "18": 8}), ("Negotiation", 3, {"6": 4, "12": 5, "18": 6})]
    assert all(len(s["options"]) == 3 and sum(o["chosen"] for o in s["options"]) == 1 for s in stored["skills"])
    assert stored["action_items"] == [{"item_id": "a1", "text": "Sign up for a course", "due": "2026-11-01",
                                       "owner": "Ada Lovelace", "skill": ""}]
    assert stored["cadence_months"] == 6 and stored["next_due"] == "2027-04-01"
    assert stored["follow_up"] == {"mode": "one-on-one", "every_weeks": 2, "note": ""}
    assert stored["answers"]["want_more"] == "More design work"
    assert sum(s["seconds"] for s in stored["sections"].values()) == 60
    # locked: widgets disabled, edits ignored, the store refuses changes
    assert app.locked
    assert app.editor("dreams").list.texts[0].disabled and app.editor("cadence").buttons.disabled
    assert app.conversation_screen.complete_button.layout.display == "none"
    assert "locked" in app.conversation_screen.locked_html.value
    app.editor("dreams").list.texts[0].value = "changed after completion"
    h.advance(10)
    assert h.stored() == stored
    with pytest.raises(PermissionError):
        h.store.save_conversation({**stored, "answers": {**stored["answers"], "want_more": "changed"}})
    # summary shown and written next to the conversation
    assert app.summary_path.exists() and app.summary_path.name == f"{stored['conversation_id']}.summary.html"
    page = app.summary_path.read_text(encoding="utf-8")
    for text in ("Alan Turing", "Lead a team", "Public speaking", "Sign up for a course", "1 Apr 2027"):
        assert text in page and text in app.conversation_screen.summary_html.value
    # the start screen now shows it as the previous conversation, and offers a check-in
    app.close_conversation()
    assert "Lead a team" in app.start_screen.glance_html.value
    assert app.start_screen.checkin_button.layout.display != "none"


def test_a_completed_conversation_opens_read_only(h: Harness):
    app = h.app
    app.select_employee("E001")
    app.open_conversation("E001-20260302")
    assert app.locked and app.autosaver is None and app.step == "finish"
    assert app.editor("dreams").list.texts[0].value == "Lead the platform team"
    assert app.editor("dreams").list.texts[0].disabled
    assert "Speak at a conference" in app.conversation_screen.summary_html.value


def test_user_text_is_escaped_in_the_summary_and_the_glance(h: Harness):
    app = h.app
    app.select_employee("E002")
    app.start_conversation()
    fill_whole_conversation(h, dreams=(XSS, "Write a book", "Run a marathon"))
    app.editor("want_more").area.value = XSS
    skills = app.editor("skills")
    skills.input.value = XSS
    skills.add_button.click()
    card = skills.card(XSS)
    assert XSS not in card.title.value and "&lt;img" in card.title.value
    skills.remove_skill(card)
    app.complete()
    page = app.summary_path.read_text(encoding="utf-8")
    assert XSS not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert XSS not in app.conversation_screen.summary_html.value
    app.close_conversation()
    assert XSS not in app.start_screen.glance_html.value and "&lt;img" in app.start_screen.glance_html.value


def test_summary_renders_every_part_of_the_record_escaped():
    record = schema.new_conversation("E9", "C9", dt.date(2026, 1, 31), "career-conversation", "1")
    record.update(dreams=[{"rank": 1, "text": "a & b"}], cadence_months=12, next_due="2027-01-31",
                  skills=[{**schema.new_skill('"quoted"'), "self_rating": 2, "targets": {"6": 3, "12": None, "18": 5}}],
                  answers={"custom_q": "<b>bold</b>"})
    page = render_summary_html(record, employee={"name": "<script>x</script>"})
    assert "<script>x" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "a &amp; b" in page and "&quot;quoted&quot;" in page and "&lt;b&gt;bold&lt;/b&gt;" in page
    assert "31 Jul 2026" in page and "Every 12 months" in page  # 6-month target date, cadence


# --------------------------------------------------------------------------- check-in


def test_checkin_saves_statuses_notes_and_interim_ratings(h: Harness):
    app = h.app
    app.select_employee("E001")
    view = app.open_checkin()
    assert app.screen == "checkin"
    assert [r.item.item_id for r in view.items] == ["a2"]  # a1 is done already
    row = view.items[0]
    assert row.status.value == "in_progress" and "booked a slot" in row.widget.children[1].value
    row.status.value = "dropped"
    assert row.reason.layout.display != "none"
    view.save_button.click()
    assert "Say why" in view.message.value and h.store.checkins("E001")[-1]["checkin_id"] == "E001-ci-20260415"
    row.reason.value = "the team demos were cancelled"
    row.note.value = "will present at the all-hands instead"
    view.ratings[0].self_rating.value = 6
    view.save_button.click()
    checkins = h.store.checkins("E001")
    assert len(checkins) == 2
    new = checkins[-1]
    assert new["date"] == "2026-10-01" and new["conversation_id"] == "E001-20260302"
    assert new["updates"] == [{"conversation_id": "E001-20260302", "item_id": "a2", "status": "dropped",
                               "note": "will present at the all-hands instead",
                               "reason": "the team demos were cancelled"}]
    assert new["ratings"] == [{"skill": "Public speaking", "self_rating": 6, "coach_rating": None}]
    assert "Check-in saved" in view.message.value and view.save_button.layout.display == "none"
    view.back_button.click()
    assert app.screen == "start" and "Dropped" in app.start_screen.glance_html.value


def test_checkin_lists_items_carried_over_from_an_earlier_conversation(h: Harness):
    store = h.store
    later = {**store.load_conversation("E001", "E001-20260302"), "conversation_id": "E001-20260901",
             "date": "2026-09-01", "action_items": [
                 {"item_id": "a1", "text": "Shadow a tech lead", "due": "2026-10-15", "owner": "Ada", "skill": ""}]}
    store.save_many([later])
    app = ConversationApp(store.root, clock=h.clock, scheduler=h.scheduler)
    app.select_employee("E001")
    view = app.open_checkin()
    assert [(r.item.conversation_id, r.item.item_id) for r in view.items] == [
        ("E001-20260901", "a1"), ("E001-20260302", "a2")]
    assert "carried over" in view.items[1].widget.children[1].value


def test_a_callback_error_is_shown_in_the_app(h: Harness, monkeypatch):
    app = h.app
    app.select_employee("E001")
    view = app.open_checkin()

    def broken(record):
        raise OSError("disk full")

    monkeypatch.setattr(app.store, "save_checkin", broken)
    view.save_button.click()
    assert "disk full" in app.errors.text and app.errors.widget.layout.display != "none"
    app.errors.dismiss.click()
    assert app.errors.widget.layout.display == "none"


def test_a_failed_autosave_is_shown_and_retried(h: Harness):
    app = h.app
    app.select_employee("E002")
    app.start_conversation()
    real = app.autosaver._save

    def broken(record):
        raise OSError("disk full")

    app.autosaver._save = broken
    app.editor("want_more").area.value = "keep me"
    h.advance(2)
    assert "Not saved: disk full" in app.status_html.value and "disk full" in app.errors.text
    app.autosaver._save = real
    app.editor("want_more").area.value = "keep me!"
    h.advance(2)
    assert h.stored()["answers"]["want_more"] == "keep me!" and "Saved" in app.status_html.value


# --------------------------------------------------------------------------- timers, paths, notebook, command


def test_section_timers_accumulate_and_resume():
    clock = ManualClock(START)
    timers = SectionTimers({"a": 1, "b": 2}, clock)
    timers.enter("a")
    clock.advance(50)
    timers.enter("b")
    clock.advance(30)
    timers.enter("a")
    clock.advance(20)
    assert timers.seconds("a") == 70 and timers.seconds("b") == 30 and timers.is_over("a")
    timers.pause()
    clock.advance(100)
    record = timers.as_record()
    assert record["a"]["seconds"] == 70 and record["b"] == {
        "started_at": "2026-10-01T10:00:50+00:00", "ended_at": "2026-10-01T10:01:20+00:00", "seconds": 30}
    again = SectionTimers({"a": 1, "b": 2}, clock, record)
    assert again.seconds("a") == 70 and again.last_active() == "a"
    assert format_duration(3725) == "1:02:05" and format_duration(75) == "1:15"
    with pytest.raises(KeyError):
        timers.enter("zzz")


def test_data_folder_resolution(monkeypatch, tmp_path: Path):
    monkeypatch.delenv(config.DATA_ENV, raising=False)
    assert resolve_data_dir("") == config.SAMPLE_DATA_DIR.resolve()
    monkeypatch.setenv(config.DATA_ENV, str(tmp_path))
    assert resolve_data_dir("") == tmp_path.resolve() and resolve_data_dir(None) == tmp_path.resolve()
    assert resolve_data_dir(str(tmp_path / "x")) == (tmp_path / "x").resolve()


def test_notebook_is_thin_tagged_and_committed_clean():
    path = config.NOTEBOOKS_DIR / "conversation.ipynb"
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert "widgets" not in nb.metadata
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    for line in params[0].source.splitlines():
        assert ": str = " in line and "  # " in line
    assert all("def " not in c.source and "class " not in c.source for c in code)
    assert code[-1].source.startswith("open_app(")


def test_the_notebook_runs_and_displays_the_app(small_org: Path, monkeypatch):
    root = small_org
    nb = nbformat.read(config.NOTEBOOKS_DIR / "conversation.ipynb", as_version=4)
    monkeypatch.setenv(config.DATA_ENV, str(root))
    from nbclient import NotebookClient
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(config.NOTEBOOKS_DIR)}}).execute()
    last = nb.cells[-1].outputs
    assert last and "application/vnd.jupyter.widget-view+json" in last[0]["data"]


def test_app_command_binds_localhost_and_keeps_the_token_off_the_command_line(tmp_path: Path):
    import json
    import stat

    notebook = Path("/x/conversation.ipynb")
    voila_dir, lab_dir = tmp_path / "voila", tmp_path / "lab"
    voila_dir.mkdir(mode=0o700)
    lab_dir.mkdir(mode=0o700)
    cmd = app_command.server_command(notebook, 9123, lab=False, config_dir=voila_dir)
    assert "--Voila.ip=127.0.0.1" in cmd and "--strip_sources=True" in cmd
    assert f"--Voila.config_file_paths={voila_dir}" in cmd
    assert not any("token=" in part and "auto_token" not in part for part in cmd)
    assert app_command.app_url(9123, "tok", notebook, lab=False) == "http://127.0.0.1:9123/?token=tok"
    voila_json = app_command.write_server_config(voila_dir, 9123, "tok", lab=False)
    assert voila_json == voila_dir / "voila.json" and stat.S_IMODE(voila_json.stat().st_mode) == 0o600
    voila = json.loads(voila_json.read_text(encoding="utf-8"))["Voila"]
    assert voila["token"] == "tok"
    assert voila["tornado_settings"]["allow_remote_access"] is False
    assert voila["tornado_settings"]["local_hostnames"] == ["localhost"]
    # Tornado refuses a websocket ping timeout longer than the interval (and says so in the terminal)
    assert voila["tornado_settings"]["ws_ping_timeout"] <= voila["tornado_settings"]["ws_ping_interval"]
    # kernels over Unix sockets in Voila's private folder, not TCP (and no "TCP without encryption" warning)
    assert json.loads(voila_json.read_text(encoding="utf-8"))["KernelManager"] == {"transport": "ipc"}
    assert (json.loads(voila_json.read_text(encoding="utf-8"))["MappingKernelManager"]
            == {"kernel_manager_class": "careerconv.surfaces.commands.server_kernels.QuietStartKernelManager"})

    cmd = app_command.server_command(notebook, 9123, lab=True, config_dir=lab_dir, lab_settings=Path("/cfg"))
    assert "--ServerApp.ip=127.0.0.1" in cmd and "--LabApp.app_settings_dir=/cfg" in cmd
    assert f"--ServerApp.config_file={lab_dir / 'jupyter_server_config.json'}" in cmd
    assert not any("token" in part for part in cmd)
    assert (app_command.app_url(9123, "tok", notebook, lab=True)
            == "http://127.0.0.1:9123/lab/tree/conversation.ipynb?token=tok")
    lab_json = app_command.write_server_config(lab_dir, 9123, "tok", lab=True)
    assert stat.S_IMODE(lab_json.stat().st_mode) == 0o600
    assert json.loads(lab_json.read_text(encoding="utf-8")) == {
        "IdentityProvider": {"token": "tok"},
        "ServerApp": {"allow_remote_access": False, "local_hostnames": ["localhost"],
                      "tornado_settings": {"ws_ping_interval": 30_000, "ws_ping_timeout": 30_000}},
        "KernelManager": {"transport": "ipc"},
        "MappingKernelManager": {
            "kernel_manager_class": "careerconv.surfaces.commands.server_kernels.QuietStartKernelManager"}}
    with pytest.raises(FileExistsError):  # never written over (someone else's file, or a second server)
        app_command.write_server_config(lab_dir, 9123, "other", lab=True)

    assert app_command.LAB_OVERRIDES["@jupyter-widgets/jupyterlab-manager:plugin"] == {"saveState": False}
    csp = app_command.voila_csp(9123)
    assert "default-src 'self'" in csp and "ws://127.0.0.1:9123" in csp and "http" not in csp.replace("ws://", "")


def _voila_page(template: str) -> str:
    """The app's page as Voila renders it with ``template``, less what the kernel adds (no kernel runs)."""
    import asyncio

    from voila.exporter import VoilaExporter
    from voila.paths import collect_template_paths

    nb = nbformat.read(config.NOTEBOOKS_DIR / "conversation.ipynb", as_version=4)
    exporter = VoilaExporter(template_paths=collect_template_paths(["voila", "nbconvert"], template, prune=True),
                             template_name=template, base_url="/", theme="light")
    context = {"frontend": "voila", "main_js": "voila.js", "progressive_rendering": False,
               "kernel_start": lambda nb: "kernel-id", "cell_generator": lambda nb, kernel_id: iter(nb.cells)}
    resources = {"base_url": "/", "theme": "light", "template": template, "metadata": {"name": "conversation"},
                 "page_config": {}}

    async def render() -> str:
        return "".join([part async for part, _ in exporter.generate_from_notebook_node(
            nb, resources=resources, extra_context=context, page_config={})])

    return asyncio.run(render())


def test_the_voila_page_asks_nothing_outside_the_server(tmp_path: Path, monkeypatch):
    """Voila's stock page asks a public CDN for Font Awesome's stylesheets (and would for mermaid.js), which
    tells a third party that a conversation is opened; `careerconv app` renders the page with careerconv's
    template, which leaves them out (found in Chromium by a tester: the CSP blocked them, two console errors)."""
    import re

    cmd = app_command.server_command(Path("/x/conversation.ipynb"), 9123, lab=False, config_dir=tmp_path)
    template = next(a.split("=", 1)[1] for a in cmd if a.startswith("--VoilaConfiguration.template="))
    assert template == "careerconv" and "--VoilaConfiguration.allow_template_override=NO" in cmd  # no ?template=lab
    env = app_command.server_environment(tmp_path, lab=False, environ={"JUPYTER_PATH": "/elsewhere"})
    assert env[config.DATA_ENV] == str(tmp_path)
    assert env["JUPYTER_PATH"] == os.pathsep.join([str(config.PACKAGE_DIR / "surfaces" / "jupyter_data"), "/elsewhere"])
    assert "JUPYTER_PATH" not in app_command.server_environment(tmp_path, lab=True, environ={})
    monkeypatch.setenv("JUPYTER_PATH", env["JUPYTER_PATH"])

    page = _voila_page(template)
    fetched = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)|import\(\s*["']([^"']*)""", page)
    urls = sorted({a or b for a, b in fetched})
    assert urls and all(u.startswith(("/", "data:", "#")) for u in urls), urls  # the server's own paths only
    assert "cdn." not in page and "fontawesome" not in page and "mermaid" not in page
    assert '<div id="rendered_cells"' in page and "voila-style.js" in page  # still Voila's page and its styles


def test_no_widget_asks_for_an_icon_the_page_does_not_load(h: Harness):
    """A button's icon is a Font Awesome glyph, and the app's page loads no Font Awesome (see the test above):
    an icon would draw nothing. The app's buttons show characters instead (✕ ↑ ↓)."""
    from ipywidgets.widgets.widget import _instances

    app = h.app
    app.show_team("C01")
    app.select_employee("E001")
    app.open_checkin().back_button.click()
    app.select_employee("E002")
    app.start_conversation()
    fill_whole_conversation(h)
    shown = list(_instances.values())  # every widget the app has made: the screens above, all sections
    assert sum(isinstance(w, widgets.Button) for w in shown) > 10
    with_icon = [(type(w).__name__, getattr(w, "description", ""), getattr(w, "icon", None) or w.icons)
                 for w in shown if getattr(w, "icon", "") or getattr(w, "icons", [])]
    assert with_icon == []


def test_the_server_log_drops_only_the_app_notebooks_trust_line():
    from careerconv.surfaces.commands.voila_server import QuietAppNotebookTrust

    def record(msg, *args, level=logging.WARNING):
        return logging.LogRecord("Voila", level, __file__, 1, msg, args, None)

    keep = QuietAppNotebookTrust().filter
    assert not keep(record("Notebook %s is not trusted", "conversation.ipynb"))
    assert keep(record("Notebook %s is not trusted", "other.ipynb"))  # someone else's notebook: still said
    assert keep(record("Kernel %s died", "conversation.ipynb", level=logging.ERROR))
    assert keep(record("Notebook conversation.ipynb is not trusted"))  # not the server's own line


def test_app_command_refuses_a_busy_port_and_a_folder_without_roster(tmp_path: Path, capsys):
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        busy = sock.getsockname()[1]
        with pytest.raises(ValueError, match="in use"):
            app_command.choose_port(busy)
    assert cli_main(["--data", str(tmp_path / "none"), "app", "--no-browser"]) == 1
    assert "has no roster.csv" in capsys.readouterr().err


def test_the_sample_data_opens_and_completes(sample_data: Path):
    harness = Harness(sample_data)
    app = harness.app
    with_history = [e for e in harness.store.employees_with_records()
                    if any(c["status"] == "completed" for c in harness.store.conversations(e))]
    app.select_employee(with_history[0])
    assert "Previous conversation" in app.start_screen.glance_html.value
    if app.start_screen.draft_box.layout.display != "none":
        app.start_screen.discard_button.click()
        app.start_screen.discard_confirm.click()
    app.start_conversation()
    fill_whole_conversation(harness)
    assert app.complete() == [] and harness.stored()["status"] == "completed"
