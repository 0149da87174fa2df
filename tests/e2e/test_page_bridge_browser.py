"""The page bridge's JavaScript finds the app it belongs to even when it is drawn before it is put there.

ipywidgets draws a box's children before it puts them into the box, and anywidget draws the bridge whenever its
module has loaded, so the bridge's element may not yet be inside the app (``.cc-app``) when it is drawn. Found
by CI (intermittent, JupyterLab): after the kernel was shut down the notice "This notebook's kernel is not
answering" stood on top of JupyterLab's whole page (a child of ``body``) instead of at the top of the app, because
the bridge had taken ``body`` for the app. Here the bridge's module runs in Chromium with a stand-in for the
widget's model (a kernel that never answers) and is drawn into an element that is put into the app only after.
"""

from __future__ import annotations

import json

import pytest

from careerconv.surfaces.app.page_bridge import _ESM
from careerconv.surfaces.app.styles import CSS

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

# A notebook page (no data-voila on body): an app with a text box, and a model whose kernel never answers a beat.
PAGE = """<!doctype html><html><body>
<div class="jp-Notebook"><div class="cc-app"><input type="text" class="cc-note"></div></div>
<script type="module">
const source = %s;
const module = await import(URL.createObjectURL(new Blob([source], {type: 'text/javascript'})));
const values = {answer_wait: 0.3, beat_every: 0.1, saved_at: '10:00', place: '', arrived: '', arrived_sent: true};
const model = {
  get: (name) => values[name], set: (name, value) => { values[name] = value; }, save_changes: () => {},
  on: () => {}, off: () => {}, send: () => {},
};
const el = document.createElement('div');
module.default.render({model, el});  // drawn before it is placed, as ipywidgets may draw it
await new Promise((done) => setTimeout(done, 50));
document.querySelector('.cc-app').append(el);
window.placed = true;
</script></body></html>"""


def _page(voila: bool = False, tall: bool = False, styled: bool = False) -> str:
    """:data:`PAGE` with the bridge's module; under Voila (``data-voila`` on body), with the text box below a tall
    app (``tall``), with the app's styles (``styled``)."""
    content = PAGE % json.dumps(_ESM)
    if voila:
        content = content.replace("<body>", "<body data-voila>")
    if tall:
        content = content.replace('<input type="text" class="cc-note">',
                                  '<div style="height: 2500px"></div><input type="text" class="cc-note">')
    return content.replace("</body>", f"<style>{CSS}</style></body>") if styled else content


def test_the_notice_stands_in_the_app_when_the_bridge_was_drawn_before_it_was_placed(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        page.set_content(_page())
        page.wait_for_function("window.placed === true")
        page.fill(".cc-note", "Lead the platform team")  # typed after the last save the page heard of
        page.wait_for_selector(".cc-lost", timeout=10_000)
        assert page.locator("body > .cc-lost").count() == 0  # not over the whole page (that is Voila's form)
        notice = page.locator(".cc-app > .cc-lost-inside")
        assert notice.count() == 1
        assert "This notebook's kernel is not answering" in notice.inner_text()
        assert page.locator(".cc-app .cc-lost-typed").input_value() == "Lead the platform team"
    finally:
        page.close()


@pytest.mark.parametrize("voila", [False, True], ids=["notebook", "voila"])
def test_what_is_typed_while_the_notice_stands_is_in_its_box_to_copy(browser, voila):
    """Found by a test on a busy machine: the typing came after the notice, whose box to copy from then never came
    (in a notebook the notice stands at the top of the app, perhaps out of sight, and the boxes still take typing;
    what is typed there is not saved either)."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        page.set_content(_page(voila=voila))
        page.wait_for_function("window.placed === true")
        page.wait_for_selector(".cc-lost", timeout=10_000)
        assert page.locator(".cc-lost-typed").count() == 0  # nothing typed yet: no box
        page.fill(".cc-note", "Lead the platform team")
        copy = page.locator(".cc-lost .cc-lost-typed")
        assert copy.input_value() == "Lead the platform team"
        page.fill(".cc-note", "Lead the platform team by 2027")  # the box follows the typing
        assert copy.input_value() == "Lead the platform team by 2027"
        assert copy.count() == 1
        assert "copy it before you " + ("reload." if voila else "run the notebook again.") in \
            page.locator(".cc-lost-card").inner_text()
        if voila:  # the reload button stays last, below the box
            assert page.locator(".cc-lost-card > :last-child").get_attribute("class") == "cc-lost-reload"
    finally:
        page.close()


def _in_sight(page, selector: str) -> bool:
    """Whether the element's box is wholly inside the window."""
    return page.evaluate("""(selector) => {
        const box = document.querySelector(selector).getBoundingClientRect();
        return box.top >= 0 && box.left >= 0 && box.bottom <= window.innerHeight && box.right <= window.innerWidth;
    }""", selector)


@pytest.mark.parametrize("width", [1280, 400])
def test_a_notice_out_of_sight_in_a_notebook_is_said_by_a_bar_at_the_foot_of_the_window(browser, width):
    """Seen in JupyterLab: the notice stands at the top of the app, and a coach scrolled down to a later section
    (even a little: it goes under the notebook's toolbar) did not see it, and went on typing what is not saved."""
    page = browser.new_page(viewport={"width": width, "height": 700})
    try:
        page.set_content(_page(tall=True, styled=True))
        page.wait_for_function("window.placed === true")
        page.locator(".cc-note").scroll_into_view_if_needed()
        page.wait_for_selector(".cc-app > .cc-lost-inside", timeout=10_000)
        bar = page.locator("body > .cc-lost-bar")
        bar.wait_for(timeout=10_000)
        assert "what you type now is not saved" in bar.inner_text()
        assert _in_sight(page, "body > .cc-lost-bar")
        assert not _in_sight(page, ".cc-lost-inside h2")
        bar.locator("button", has_text="Show what to do").click()
        page.wait_for_function("!document.querySelector('body > .cc-lost-bar')")  # the notice in sight: no bar
        assert _in_sight(page, ".cc-lost-inside h2")
        page.mouse.wheel(0, 3000)  # out of sight again: the bar again
        bar.wait_for(timeout=10_000)
    finally:
        page.close()


@pytest.mark.parametrize("voila", [False, True], ids=["notebook", "voila"])
def test_no_bar_while_the_notice_is_in_sight_or_over_the_whole_page(browser, voila):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        page.set_content(_page(voila=voila, styled=True))
        page.wait_for_function("window.placed === true")
        page.wait_for_selector(".cc-lost", timeout=10_000)
        page.wait_for_timeout(500)
        assert page.locator(".cc-lost-bar").count() == 0
    finally:
        page.close()
