"""Undo of a removed dream in Chromium (Voila), as a coach meets it: ✕ on a dream by a slip of the mouse, a notice
under the list says what went, and Undo (here by keyboard: the keyboard is on it) puts the dream back with the
skill that served it; the saved record is the one saved before the removal. At 1280 and 400 px the notice reads
whole and nothing overlaps or scrolls sideways.

Screenshots go to ``tests/output/e2e/coach-undo-*.png``.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from test_app_coach_browser import WAIT, layout_problems, pick, ready, shot, stored

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

VOLATILE = ("updated_at", "saved_at", "revision", "sections")  # change with every save, and as time runs
PEOPLE = {1280: ("turing", "Alan Turing", "E002"), 400: ("johnson", "Katherine Johnson", "E003")}


def saved_draft(data: Path, employee_id: str, until, seconds: float = 20.0) -> dict:
    """The person's draft as stored, once ``until(draft)`` holds (autosave comes a moment after the edit)."""
    deadline = time.monotonic() + seconds
    while True:
        drafts = [c for c in stored(data, employee_id) if c["status"] == "draft"]
        draft = {k: v for k, v in drafts[0].items() if k not in VOLATILE} if drafts else None
        if draft is not None and until(draft) or time.monotonic() > deadline:
            assert draft is not None, f"no draft of {employee_id} was saved"
            return draft
        time.sleep(0.2)


def dream_texts(draft: dict) -> list[str]:
    return [d["text"] for d in draft["dreams"]]


@pytest.mark.parametrize("width", sorted(PEOPLE, reverse=True))
def test_a_removed_dream_comes_back_with_undo_as_it_was_saved(browser, voila_server, output_dir, width):
    query, name, employee_id = PEOPLE[width]
    data = voila_server.data
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.set_default_timeout(WAIT)
    page.goto(voila_server.url)
    ready(page)
    pick(page, query, name)
    page.click(".cc-start")
    page.locator(".cc-section-goals:visible").wait_for()
    dreams = ("Lead a team of researchers on distributed systems", "Write a book", "Run a marathon")
    boxes = page.locator(".cc-dream-text input")
    for i, text in enumerate(dreams):
        boxes.nth(i).fill(text)
    page.click(".cc-step-action_plan")
    page.locator(".cc-section-action_plan:visible").wait_for()
    page.fill(".cc-skill-input input", "Writing")
    page.click(".cc-add-skill")
    page.locator(".cc-skill-card .cc-serves-dream select").select_option(label="2. Write a book")
    page.click(".cc-step-goals")
    page.locator(".cc-section-goals:visible").wait_for()
    before = saved_draft(data, employee_id, lambda d: len(d["dreams"]) == 3 and d["skills"]
                         and d["skills"][0]["dream_rank"] == 2)
    assert before["skills"][0]["dream_rank"] == 2

    page.locator(".cc-dream-row").nth(1).locator(".cc-remove").click()  # the slip of the mouse
    notice = page.locator(".cc-dreams .cc-undo-notice")
    notice.wait_for(state="visible")
    assert notice.locator(".cc-undo-message").inner_text().strip() == "Removed dream 2 “Write a book”."
    undo = notice.locator("button.cc-undo")
    page.wait_for_function("() => document.activeElement && document.activeElement.classList.contains('cc-undo')")
    assert undo.get_attribute("aria-label") == "Undo: put back dream 2 “Write a book”"
    assert undo.inner_text().strip() == "Undo"
    removed = saved_draft(data, employee_id, lambda d: len(d["dreams"]) == 2)
    assert dream_texts(removed) == [dreams[0], dreams[2]] and removed["skills"][0]["dream_rank"] is None
    problems = layout_problems(page)
    shot(page, output_dir, f"undo-notice-{width}")
    box, room = notice.bounding_box(), page.locator(".cc-dreams").bounding_box()
    assert box["x"] >= room["x"] - 1 and box["x"] + box["width"] <= room["x"] + room["width"] + 1

    page.keyboard.press("Enter")  # the keyboard is on Undo
    notice.wait_for(state="hidden")
    for i, dream in enumerate(dreams):  # the boxes are drawn again after the notice goes: waited for, not raced
        expect(boxes.nth(i)).to_have_value(dream, timeout=WAIT)
    after = saved_draft(data, employee_id, lambda d: d == before)
    assert after == before
    shot(page, output_dir, f"undo-done-{width}")
    page.close()
    assert problems == [], "\n".join(problems)
