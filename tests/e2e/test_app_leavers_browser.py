"""A coach who has left, in Chromium (Voila), at 360, 400 and 1280 px: the small organisation of tests/orgs.py with
Grace Hopper (C01), the coach of Ada, Alan and Katherine, gone on 1 Sep 2026.

The coach picker offers her, marked as left, to see whose coach she was; her people's pages offer no Start and no
Check-in, and say to choose the coach meeting them. A phone cuts the picker's closed label ("Grace Hopper (C01) ·
left 1 S"), so the page says below it, in full and wrapped, that she left.

Screenshots go to ``tests/output/e2e/coach-leavers-*.png``.
"""

from __future__ import annotations

import pytest

from careerconv.records.importers import import_roster
from careerconv.records.store import Store
from conftest import AppServer
from orgs import make_small_org
from test_app_coach_browser import WAIT, layout_problems, ready, shot

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def grace_left_server(tmp_path_factory, browser):
    data = tmp_path_factory.mktemp("leavers") / "data"
    make_small_org(data)
    export = data.parent / "coach-left.csv"
    export.write_text("Employee ID,Name,Manager ID,Department,Job Title,Termination Date\n"
                      "C01,Grace Hopper,C00,Engineering,Head of engineering,2026-09-01\n", encoding="utf-8")
    import_roster(Store(data), export)
    server = AppServer(data, lab=False)
    yield server
    code = server.stop()
    assert code == 0, f"careerconv app did not stop cleanly on Ctrl-C (exit {code}):\n" + "".join(server.lines)


@pytest.mark.parametrize("width", (360, 400, 1280))
def test_a_coach_who_has_left_is_said_to_have_left_in_full_and_offers_nothing_new(browser, grace_left_server,
                                                                                 output_dir, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.set_default_timeout(WAIT)
    page.goto(grace_left_server.url)
    ready(page)
    page.locator(".cc-coach select").select_option(label="Grace Hopper (C01) · left 1 Sep 2026")
    hint = page.locator(".cc-coach-left-hint")
    hint.wait_for()
    said = " ".join(hint.inner_text().split())
    assert said == ("Grace Hopper (C01) left 1 Sep 2026: their people need a new coach on the roster; no new "
                    "conversation or check-in is started with them as coach.")
    # every word of it can be seen: nothing cut at a side or hidden below
    assert hint.evaluate("e => e.scrollWidth <= e.clientWidth + 1 && e.scrollHeight <= e.clientHeight + 1")
    problems = layout_problems(page)
    shot(page, output_dir, f"leavers-coach-picked-{width}")

    page.fill(".cc-search input", "alan")
    page.locator(".cc-results-note", has_text="1 person").wait_for()
    page.locator(".cc-result", has_text="Alan Turing").click()
    page.locator(".cc-employee-card", has_text="Alan Turing").wait_for()
    page.locator(".cc-coach-left", has_text="choose the coach meeting Alan Turing under Coach").wait_for()
    assert not page.locator(".cc-start").is_visible() and not page.locator(".cc-open-checkin").is_visible()
    problems += layout_problems(page)
    shot(page, output_dir, f"leavers-person-{width}")
    page.close()
    assert problems == [], "\n".join(problems)
