"""The app's error box and status line on a phone (400 px) and a laptop (1280 px), in Chromium (Voila).

* the error box's message uses the box's width: at 400 px the Dismiss button beside it once squeezed it into a
  column a few words wide (the button goes below it there);
* the header's status line ("Saved 10:42:03") sits at the right of the line it shares with where the records
  are, and at the left of a line of its own (at 400 px it stayed right-aligned, away from what it follows).

Element boxes are measured in the page; screenshots go to ``tests/output/e2e/phone-*.png``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

WAIT = 30_000
WIDTHS = (400, 1280)  # a phone, a laptop

# The content box of an element (its border box less padding and border), and the box its text takes up
BOXES_JS = r"""
([selector, textSelector]) => {
  const el = document.querySelector(selector);
  const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
  const px = name => parseFloat(cs[name]) || 0;
  const content = {left: r.left + px('paddingLeft') + px('borderLeftWidth'),
                   right: r.right - px('paddingRight') - px('borderRightWidth'), top: r.top, bottom: r.bottom};
  const range = document.createRange();
  range.selectNodeContents(document.querySelector(textSelector));
  const t = range.getBoundingClientRect();
  return {content, text: {left: t.left, right: t.right, top: t.top, bottom: t.bottom}};
}
"""


def shot(page, output: Path, name: str) -> Path:
    page.wait_for_timeout(400)  # let the last widget updates paint
    path = output / f"phone-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def ready(page) -> None:
    page.wait_for_selector(".cc-app .cc-search input", state="attached", timeout=180_000)


def boxes(page, selector: str, text_selector: str) -> dict:
    return page.evaluate(BOXES_JS, [selector, text_selector])


@pytest.mark.parametrize("width", WIDTHS)
def test_the_error_message_uses_the_width_of_its_box_and_dismiss_still_closes_it(browser, voila_server, output_dir,
                                                                                   width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.set_default_timeout(WAIT)
    page.goto(re.sub(r"#.*$", "", voila_server.url) + "#employee=..%2F..%2Fetc")  # refused: the banner says why
    ready(page)
    banner = page.locator(".cc-error-banner", has_text="page address")
    banner.wait_for()
    shot(page, output_dir, f"error-{width}")
    box = boxes(page, ".cc-error-banner", ".cc-error-text")["content"]
    text = page.locator(".cc-error-text").bounding_box()  # the box the message's lines wrap in
    message = {"left": text["x"], "right": text["x"] + text["width"], "top": text["y"],
               "bottom": text["y"] + text["height"]}
    dismiss = page.locator(".cc-dismiss-error").bounding_box()
    room = box["right"] - box["left"]
    used = message["right"] - message["left"]
    beside = dismiss["y"] < message["bottom"] - 1 and dismiss["y"] + dismiss["height"] > message["top"] + 1
    if width < 560:  # a phone: no room to spare beside the message, the button goes on a row of its own
        assert not beside, f"at {width} px the Dismiss button ({dismiss}) sits beside the message ({message})"
    else:
        room -= dismiss["width"] + 24 if beside else 0
    assert used >= 0.85 * room, f"at {width} px the message takes {used:.0f} px of the {room:.0f} px it has"
    page.locator(".cc-dismiss-error").click()
    banner.wait_for(state="hidden")
    page.close()


def test_on_a_phone_a_status_on_a_line_of_its_own_starts_at_the_left(browser, voila_server, output_dir):
    page = browser.new_page(viewport={"width": 400, "height": 900})
    page.set_default_timeout(WAIT)
    page.goto(voila_server.url)
    ready(page)
    page.fill(".cc-search input", "liskov")
    page.locator(".cc-results-note", has_text="1 person").wait_for()
    page.locator(".cc-result", has_text="Barbara Liskov").first.click()
    page.locator(".cc-start").click()
    page.locator(".cc-section-goals:visible, .cc-start-confirm:visible").first.wait_for()
    if page.locator(".cc-start-resume").is_visible():
        page.click(".cc-start-resume")
    page.locator(".cc-conversation:visible").wait_for()
    page.click(".cc-step-goals")
    page.locator(".cc-dream-text input").first.fill("Lead a research group")
    page.locator(".cc-status.cc-status-saved").wait_for()
    shot(page, output_dir, "status-400")
    header = boxes(page, ".cc-header", ".cc-title")
    status = boxes(page, ".cc-status", ".cc-status .widget-html-content")["text"]
    title = header["text"]
    assert status["top"] >= title["bottom"] - 1, "at 400 px the status is expected on a line below the title"
    assert abs(status["left"] - header["content"]["left"]) <= 2, (
        f"the status on its own line starts at {status['left']:.0f} px, the line at {header['content']['left']:.0f}")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.wait_for_function("() => document.querySelector('.cc-status').getBoundingClientRect().top"
                           " < document.querySelector('.cc-title').getBoundingClientRect().bottom")
    shot(page, output_dir, "status-1280")
    header = boxes(page, ".cc-header", ".cc-title")
    status = boxes(page, ".cc-status", ".cc-status .widget-html-content")["text"]
    assert abs(status["right"] - header["content"]["right"]) <= 2, (
        f"beside the title the status ends at {status['right']:.0f} px, the line at {header['content']['right']:.0f}")
    page.close()
