"""Finish checks everything the form asks for (an action item's due date and owner too) and says so when pressed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from app_harness import Harness
from careerconv.surfaces.app.completeness import action_item_gaps, missing_before_completing
from orgs import make_small_org
from test_app import fill_whole_conversation


@pytest.fixture
def h(tmp_path: Path) -> Harness:
    root = tmp_path / "data"
    make_small_org(root)
    return Harness(root)


def test_action_item_gaps_name_the_item_and_what_it_lacks():
    record = {"action_items": [
        {"text": "Draft the paper outline", "due": None, "owner": ""},
        {"text": "", "due": "2026-12-15", "owner": "Ada"},
        {"text": "", "due": None, "owner": " "},  # an empty row: ignored
        {"text": "Book a slot", "due": "2026-11-01", "owner": "Ada"},
    ]}
    assert action_item_gaps(record) == [
        "Next steps: give “Draft the paper outline” a due date",
        "Next steps: give “Draft the paper outline” an owner",
        "Next steps: say what the action item due 15 Dec 2026 owned by Ada is",
    ]
    imported = {"source": "import:legacy.xlsx", "action_items": [{"text": "x", "due": None, "owner": ""}]}
    assert missing_before_completing(imported) == []


def test_complete_refuses_an_action_item_without_due_date_or_owner_and_says_why(h: Harness):
    app = h.app
    app.select_employee("E002")
    app.start_conversation()
    fill_whole_conversation(h)
    items = app.editor("action_items")
    items.rows[0].due.value = None
    items.rows[0].owner.value = ""
    app.go_to("finish")
    assert "cc-blocked" in app.conversation_screen.complete_button._dom_classes  # it does not look ready
    assert app.conversation_screen.complete_button.tooltip.startswith("2 things are still open")
    assert app.conversation_screen.complete_note.value == ""
    app.conversation_screen.complete_button.click()
    assert h.stored()["status"] == "draft" and not app.locked
    assert "Not completed:" in app.conversation_screen.complete_note.value
    assert "2 things are still open" in app.conversation_screen.complete_note.value
    assert "Sign up for a course” a due date" in app.conversation_screen.complete_note.value
    assert "an owner" in app.conversation_screen.missing_html.value
    items.rows[0].due.value = dt.date(2026, 11, 1)
    items.rows[0].owner.value = "Ada Lovelace"
    assert "cc-blocked" not in app.conversation_screen.complete_button._dom_classes
    assert app.conversation_screen.complete_note.value == ""
    assert app.complete() == [] and app.locked and h.stored()["status"] == "completed"


def test_the_summary_opens_in_a_new_tab_and_downloads_as_html_or_pdf_once_completed(h: Harness, monkeypatch):
    sent = []
    app = h.app
    monkeypatch.setattr(app.bridge, "send", lambda content, buffers=None: sent.append((content, buffers)))
    app.select_employee("E002")
    app.start_conversation()
    with pytest.raises(ValueError, match="complete it first"):
        app.summary_page()
    fill_whole_conversation(h)
    assert app.conversation_screen.summary_actions.layout.display == "none"
    assert app.complete() == []
    assert app.conversation_screen.summary_actions.layout.display != "none"
    app.conversation_screen.open_summary_button.click()
    app.conversation_screen.download_summary_button.click()
    (opened, [page]), (download, [data]) = sent
    assert opened["kind"] == "open" and opened["mime"].startswith("text/html")
    assert page.decode("utf-8").startswith("<!doctype html>") and "Sign up for a course" in page.decode("utf-8")
    assert download == {"kind": "download", "filename": f"career-conversation-summary-{app.record['conversation_id']}.html",
                        "mime": "text/html"}
    assert data == page and app.errors.text == ""
    app.conversation_screen.download_pdf_button.click()
    pdf_download, [pdf] = sent[2]
    assert pdf_download == {"kind": "download", "mime": "application/pdf",
                            "filename": f"career-conversation-summary-{app.record['conversation_id']}.pdf"}
    assert pdf.startswith(b"%PDF-") and app.errors.text == ""
    with pytest.raises(ValueError, match="complete it first"):
        app.summary_pdf({**app.record, "status": "draft"})


def test_a_target_below_todays_rating_stops_completing_and_names_skill_horizon_target_and_rating(h: Harness):
    """Found by a tester: a skill rated 6 today was given a 6-month target of 4 and the conversation completed."""
    app = h.app
    app.select_employee("E002")
    app.start_conversation()
    fill_whole_conversation(h)
    card = app.editor("skills").card("Negotiation")
    card.self_rating.value = 6
    for horizon, value in ((6, 4), (12, 6), (18, 7)):
        card.target_boxes[horizon].value = value
    assert card.target_checks[6].value == ('<span class="cc-warn">below today&#x27;s rating (6): at least 6 to '
                                           "complete</span>")
    assert card.target_checks[12].value == ""  # equal to today's rating: holding the skill is a target too
    message = ("Action plan: the 6-month target for 'Negotiation' is 4, below today's rating of 6; a target is at "
               "least today's rating (6 holds the skill where it is, more raises it)")
    assert missing_before_completing(app.conversation_screen.snapshot()) == [message]
    app.go_to("finish")
    app.conversation_screen.complete_button.click()
    assert h.stored()["status"] == "draft" and not app.locked
    assert "Not completed:" in app.conversation_screen.complete_note.value
    assert "the 6-month target for &#x27;Negotiation&#x27; is 4, below today&#x27;s rating of 6" in \
        app.conversation_screen.complete_note.value
    card.target_boxes[6].value = 6
    app.conversation_screen.complete_button.click()
    stored = h.stored()
    assert stored["status"] == "completed" and app.locked
    assert [s["targets"] for s in stored["skills"] if s["skill"] == "Negotiation"] == [{"6": 6, "12": 6, "18": 7}]


def test_a_conversation_completed_with_a_target_below_its_rating_before_the_rule_still_opens(h: Harness):
    """The rule is for completing now: a conversation stored as completed before it still loads and shows."""
    app = h.app
    app.select_employee("E002")
    app.start_conversation()
    fill_whole_conversation(h)
    app.conversation_screen.complete_button.click()
    stored = h.stored()
    old = {**stored, "skills": [{**s, "targets": {"6": 1, "12": 2, "18": 3}} for s in stored["skills"]]}
    path = h.store.record_path("conversation", "E002", stored["conversation_id"])
    path.write_text(json.dumps(old), encoding="utf-8")
    loaded = h.store.load_conversation("E002", stored["conversation_id"])
    assert loaded["status"] == "completed" and loaded["skills"][0]["targets"] == {"6": 1, "12": 2, "18": 3}
    app.close_conversation()
    app.open_conversation(stored["conversation_id"])
    assert app.locked and app.editor("skills").card("Public speaking").value()["targets"]["6"] == 1
