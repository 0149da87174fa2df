"""Finish checks everything the form asks for (an action item's due date and owner too) and says so when pressed."""

from __future__ import annotations

import datetime as dt
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
