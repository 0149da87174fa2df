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


def open_tab(browser, server, name: str, output_dir: Path, person: tuple[str, str], button: str) -> CoachUI:
    """A new tab of the app on ``person`` (what to type, the choice's text), its conversation started or resumed
    (``button``: ``.cc-start`` or ``.cc-resume``)."""
    tab = CoachUI(browser.new_page(viewport=DESKTOP), name, output_dir)
    tab.page.goto(server.url)
    tab.wait_ready()
    tab.pick(*person)
    tab.page.click(button)
    tab.page.locator(".cc-dreams").wait_for()
    return tab


def test_two_tabs_on_one_draft_the_second_merges_and_nothing_is_lost(browser, voila_server, output_dir):
    data = voila_server.data
    alan = ("turing", "Alan Turing · E002")
    one = open_tab(browser, voila_server, "conflict-tab1", output_dir, alan, ".cc-start")
    one.wait_saved()
    draft = wait_for(lambda: stored_conversations(data, "E002"), what="the new draft")[0]

    two = open_tab(browser, voila_server, "conflict-tab2", output_dir, alan, ".cc-resume")

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
    assert f"Revision {acknowledged['revision']}, saved by you in another window or device" in message
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


def test_two_tabs_adding_different_dreams_keep_both(browser, voila_server, output_dir):
    """Each tab adds a dream of its own to the same draft: the merge view offers "Keep both" and suggests it, and
    the saved draft holds both dreams (with "Keep mine", the first tab's dream was lost)."""
    data = voila_server.data
    katherine = ("katherine", "Katherine Johnson · E003")
    one = open_tab(browser, voila_server, "conflict-dreams-tab1", output_dir, katherine, ".cc-start")
    one.fill_dreams(["Lead the platform team"])
    one.wait_saved()
    draft = wait_for(lambda: [c for c in stored_conversations(data, "E003") if c["dreams"]], what="the draft")[0]

    two = open_tab(browser, voila_server, "conflict-dreams-tab2", output_dir, katherine, ".cc-resume")
    assert two.page.locator(".cc-dream-text input").first.input_value() == "Lead the platform team"

    one.page.locator(".cc-dream-text input").nth(1).fill("Teach a course")
    one.wait_saved()
    wait_for(lambda: [c for c in stored_conversations(data, "E003") if len(c["dreams"]) == 2], what="tab 1's dream")
    two.page.locator(".cc-dream-text input").nth(1).fill("Publish a paper")
    two.page.locator(".cc-conflict").wait_for(timeout=30_000)
    two.page.click(".cc-conflict-merge")
    dreams = two.page.locator(".cc-merge-dreams")
    dreams.wait_for()
    assert dreams.locator(".cc-merge-choice button.mod-active").inner_text().strip() == "Keep both"
    both = dreams.locator(".cc-merge-both").inner_text()
    assert "2. Teach a course" in both and "3. Publish a paper" in both
    shots(two, "4-keep-both")
    for size in (DESKTOP, NARROW):  # the three versions side by side, or one under the other: never cut off
        two.page.set_viewport_size(size)
        two.page.wait_for_timeout(300)
        assert two.page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    two.page.set_viewport_size(DESKTOP)

    two.page.click(".cc-merge-save")
    two.page.locator(".cc-conflict-notice", has_text="with the changes of both").wait_for()
    merged = wait_for(lambda: [c for c in stored_conversations(data, "E003") if c["revision"] > draft["revision"]
                               and len(c["dreams"]) == 3], what="the merged save")[0]
    assert [d["text"] for d in merged["dreams"]] == ["Lead the platform team", "Teach a course", "Publish a paper"]
    boxes = two.page.locator(".cc-dream-text input")
    assert [boxes.nth(i).input_value() for i in range(3)] == [d["text"] for d in merged["dreams"]]
    one.page.close()
    two.page.close()
