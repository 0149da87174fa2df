"""Two browser tabs on one draft, in Voila: the second to save sees the conflict box and merges; nothing is lost.

Tab 1 and tab 2 open the same draft of Alan Turing's conversation. Tab 1
answers "What do you want more of?" and saves; tab 2, still on the version it
opened, types the dreams. Tab 2's save is refused: its status line says "Not
saved: changed elsewhere" and the conflict box says who saved which revision.
Tab 2 merges field by field (their answer, its dreams) and the store then
holds both. Screenshots at 1280x800 and 400 px wide go to ``tests/output/e2e/``
(and are copied to ``/tmp/conflict-*.png``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from test_app_browser import CoachUI, stored_conversations, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

DESKTOP = {"width": 1280, "height": 800}
NARROW = {"width": 400, "height": 800}


def shots(ui: CoachUI, name: str) -> None:
    """The whole app at 1280x800, then at 400 px wide (the conflict box in view), copied to /tmp."""
    page = ui.page
    for label, size in (("desktop", DESKTOP), ("narrow", NARROW)):
        page.set_viewport_size(size)
        page.wait_for_timeout(400)
        box = page.locator(".cc-conflict-panel").first
        if box.count() and box.is_visible():
            box.scroll_into_view_if_needed()
        path = ui.output / f"conflict-{name}-{label}.png"
        page.screenshot(path=str(path))
        shutil.copy(path, Path("/tmp") / path.name)
    page.set_viewport_size(DESKTOP)


def test_two_tabs_on_one_draft_the_second_merges_and_nothing_is_lost(browser, voila_server, output_dir):
    data = voila_server.data
    one = CoachUI(browser.new_page(viewport=DESKTOP), "conflict-tab1", output_dir)
    one.page.goto(voila_server.url)
    one.wait_ready()
    one.pick("turing", "Alan Turing · E002")
    one.page.click(".cc-start")
    one.page.locator(".cc-dreams").wait_for()
    one.wait_saved()
    draft = wait_for(lambda: stored_conversations(data, "E002"), what="the new draft")[0]

    two = CoachUI(browser.new_page(viewport=DESKTOP), "conflict-tab2", output_dir)
    two.page.goto(voila_server.url)
    two.wait_ready()
    two.pick("turing", "Alan Turing · E002")
    two.page.click(".cc-resume")
    two.page.locator(".cc-dreams").wait_for()

    # tab 1 saves first
    one.page.locator(".cc-q-want_more textarea").fill("Tab 1: more architecture work")
    one.wait_saved()
    acknowledged = wait_for(lambda: [c for c in stored_conversations(data, "E002")
                                     if c["answers"].get("want_more") == "Tab 1: more architecture work"],
                            what="tab 1's save")[0]

    # tab 2, still on the version it opened, types the dreams: its save is refused
    two.fill_dreams(["Lead the platform team", "Publish a paper", "Teach a course"])
    panel = two.page.locator(".cc-conflict")
    panel.wait_for(timeout=30_000)
    assert "changed elsewhere" in panel.locator(".cc-conflict-title").inner_text()
    message = panel.locator(".cc-conflict-message").inner_text()
    assert f"Revision {acknowledged['revision']}, saved by {acknowledged['saved_by']}" in message
    assert two.page.locator(".cc-status").inner_text().strip() == "Not saved: changed elsewhere"
    assert stored_conversations(data, "E002") == [acknowledged]  # nothing overwritten
    shots(two, "1-changed-elsewhere")

    two.page.click(".cc-conflict-merge")
    rows = two.page.locator(".cc-merge-row")
    rows.first.wait_for()
    assert rows.count() == 2
    want = two.page.locator(".cc-merge-answers-want_more")
    assert "Tab 1: more architecture work" in want.locator(".cc-merge-theirs").inner_text()
    assert want.locator(".cc-merge-choice button.mod-active").inner_text().strip() == "Take theirs"
    dreams = two.page.locator(".cc-merge-dreams")
    assert "Publish a paper" in dreams.locator(".cc-merge-mine").inner_text()
    assert dreams.locator(".cc-merge-choice button.mod-active").inner_text().strip() == "Keep mine"
    shots(two, "2-merge")

    two.page.click(".cc-merge-save")
    two.page.locator(".cc-conflict-notice", has_text="Merged and saved").wait_for()
    merged = wait_for(lambda: [c for c in stored_conversations(data, "E002")
                               if c["revision"] > acknowledged["revision"]], what="the merged save")[0]
    assert merged["conversation_id"] == draft["conversation_id"] and len(stored_conversations(data, "E002")) == 1
    assert merged["answers"]["want_more"] == "Tab 1: more architecture work"
    assert [d["text"] for d in merged["dreams"]] == ["Lead the platform team", "Publish a paper", "Teach a course"]
    assert two.page.locator(".cc-q-want_more textarea").input_value() == "Tab 1: more architecture work"
    shots(two, "3-merged")

    # tab 1 learns of tab 2's merge on its next save, instead of overwriting it
    one.page.locator(".cc-q-want_more textarea").fill("Tab 1: more architecture work, and travel")
    one.page.locator(".cc-conflict").wait_for(timeout=30_000)
    on_disk = json.loads((data / "conversations" / "E002" / f"{draft['conversation_id']}.json").read_text())
    assert (on_disk["answers"], on_disk["dreams"]) == (merged["answers"], merged["dreams"])
    one.page.click(".cc-conflict-theirs")
    one.page.locator(".cc-conflict-notice", has_text="You took their version").wait_for()
    assert one.page.locator(".cc-dream-text input").nth(1).input_value() == "Publish a paper"
    one.page.close()
    two.page.close()
