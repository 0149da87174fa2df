"""The conversation screen built ahead of time (while the coach reads a person's page) is used only when it is
exactly what Start / Resume would show: never another person's, never a draft changed meanwhile."""

from __future__ import annotations

from pathlib import Path

import pytest

from app_harness import Harness
from orgs import make_small_org


@pytest.fixture
def org(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    make_small_org(root)
    return root


def test_start_and_resume_show_the_screen_built_ahead(org: Path):
    h = Harness(org, prepare_ahead=True)
    app = h.app
    app.select_employee("E002")
    assert h.store.conversations("E002") == []
    h.advance(1)  # the coach reads the page; the screen is built, nothing is saved
    assert h.store.conversations("E002") == [] and app.screen == "start"
    built = app.conversation_screen
    assert built.widget in app.body.children and built.widget.layout.display == "none"
    app.start_screen.start_button.click()
    assert app.conversation_screen is built and app.screen == "conversation" and app.step == "goals"
    assert built.widget.layout.display != "none"
    app.editor("dreams").list.texts[0].value = "Lead the platform team"
    app.close_conversation()
    h.advance(1)
    built = app.conversation_screen
    app.start_screen.resume_button.click()
    assert app.conversation_screen is built
    assert app.editor("dreams").list.texts[0].value == "Lead the platform team"
    app.editor("dreams").list.texts[1].value = "Teach"
    app.flush()
    assert [d["text"] for d in h.stored()["dreams"]] == ["Lead the platform team", "Teach"]


def test_a_draft_changed_elsewhere_after_the_screen_was_built_is_shown_as_stored(org: Path):
    h = Harness(org, prepare_ahead=True)
    app = h.app
    app.select_employee("E002")
    app.start_conversation()
    app.editor("dreams").list.texts[0].value = "Mine"
    app.close_conversation()
    h.advance(1)
    built = app.conversation_screen
    other = Harness(org).app  # another tab changes the draft meanwhile
    other.select_employee("E002")
    other.resume_draft()
    other.editor("dreams").list.texts[0].value = "Changed in the other tab"
    other.flush()
    app.start_screen.resume_button.click()
    assert app.conversation_screen is not built  # rebuilt from the stored draft
    assert app.editor("dreams").list.texts[0].value == "Changed in the other tab"


def test_nothing_is_built_for_a_person_left_quickly_and_a_check_in_drops_the_built_screen(org: Path):
    h = Harness(org, prepare_ahead=True)
    app = h.app
    app.select_employee("E002")
    h.advance(0.2)
    app.select_employee("E001")  # before the screen for E002 was built
    h.advance(1)
    assert app.lifecycle.prepared_key[1] == "E001"
    app.open_checkin()
    assert app.lifecycle.prepared_key is None
    app.checkin_view.back_button.click()
    h.advance(1)
    app.start_screen.start_button.click()
    assert app.record["employee_id"] == "E001" and app.screen == "conversation"
