"""A person's page in Chromium (Voila) at 360, 400 and 1280 px: the glance of their last plan reads whole.

The 60-person demo organisation (``careerconv demo --employees 60 --seed 7``); Hao Zhou (E0003) has a plan of three
skills, each with a rating then, a latest rating with its date and targets at 6, 12 and 18 months. Screenshots go to
``tests/output/e2e/coach-person-glance-*.png``.
"""

from __future__ import annotations

import pytest

from test_app_coach_browser import WAIT, layout_problems, pick, ready, shot
from text_lines import measuring

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900)]

# Every text of the glance (the skills table, the action plan) that cannot be read where it is: a line of a text
# node (measured per node with Range.getClientRects) that lies outside its own element, or outside the visible box
# of any ancestor that clips or scrolls (overflow other than visible), or outside the window. A table that scrolls
# inside its box hides what is past its right edge until the coach scrolls it, so it counts as cut too.
GLANCE_CUT_JS = measuring("glance", r"""
  const cut = [];
  eachLine(glance, (node, line) => {
    const boxes = [['its element', node.parentElement]];
    for (let e = node.parentElement.parentElement; e && e !== document.body; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.overflowX !== 'visible' || cs.overflowY !== 'visible') boxes.push([e.className || e.tagName, e]);
    }
    if (line.left < -0.5 || line.right > window.innerWidth + 0.5) {
      cut.push('"' + node.textContent.trim() + '" ' + where(line) + ' is outside the window');
    }
    for (const [name, el] of boxes) {
      const box = el.getBoundingClientRect();
      if (line.left < box.left - 0.5 || line.right > box.right + 0.5) {
        cut.push('"' + node.textContent.trim() + '" ' + where(line) + ' runs outside ' + name + ' ' + where(box));
      }
    }
  });
  return cut;
""")


@pytest.mark.parametrize("width", (360, 400, 1280))
def test_every_skill_rating_and_target_of_the_last_plan_reads_whole(browser, demo_server, output_dir, width):
    """Found by a coach at 400 px: the skills table of a person's page ran past the right edge, its "18 mo" column
    out of sight. Every skill, rating, date and 6/12/18-month target of the plan can be read where it stands, and
    the page does not scroll sideways."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.set_default_timeout(WAIT)
    page.goto(demo_server.url)
    ready(page)
    pick(page, "Hao Zhou", "Hao Zhou")
    glance = page.locator(".cc-glance-box .cc-glance")
    skills = glance.locator("table.cc-table").first
    skills.wait_for()
    text = " ".join(skills.inner_text().split())
    for words in ("Presenting to executives", "Employer branding", "Compensation design"):
        assert words in text
    cut = glance.evaluate(GLANCE_CUT_JS)
    sideways = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    problems = layout_problems(page)
    skills.scroll_into_view_if_needed()
    shot(page, output_dir, f"person-glance-{width}")
    page.close()
    assert cut == []
    assert sideways[0] <= sideways[1], f"the page is {sideways[0]} px wide in a {sideways[1]} px window"
    assert problems == [], "\n".join(problems)
