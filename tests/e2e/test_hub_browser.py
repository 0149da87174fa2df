"""The multi-coach deployment in a real browser: sign in at the hub, get the coach's app, see only your people.

A hub (dummy authenticator, local-process spawner, npm's proxy) runs the
records service on a copy of the sample organisation. Coach e0020 signs in
through the hub's login page, the hub starts their server (Voila) and the
app, asking nothing of any other host, lists exactly their eight people; a
search for coach e0001's person finds no one; a conversation started in the
browser is stored with the hub login as ``saved_by``. HR signs in and lands on the HR page (tables only),
at 400 and 800 px. Screenshots go to ``tests/output/e2e/``.
"""

from __future__ import annotations

import json
import shutil
import time

import pytest

from careerconv.records import config
from careerconv.surfaces.commands.hub import Hub
from careerconv.records.store import Store
from prerequisites import require_hub
from orgs import custom_question_set

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900)]

require_hub()

GROUPS = {"coaches": ["e0020", "e0001"], "hr": ["hana"], "operators": ["olga"]}
E0020_PEOPLE = ["E0003", "E0004", "E0006", "E0010", "E0011", "E0012", "E0021", "E0023"]


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    root = tmp_path_factory.mktemp("hub-browser")
    data = root / "data"
    shutil.copytree(config.SAMPLE_DATA_DIR, data)
    custom_question_set(data)
    running = Hub.start(data, root / "state", groups=GROUPS, authenticator="dummy")
    yield running
    running.stop()


def sign_in(browser, hub, login: str, width: int = 1280, asked: list[str] | None = None):
    """A new browser context signed in at the hub as ``login``; ``asked`` collects every URL its pages request."""
    context = browser.new_context(viewport={"width": width, "height": 1400})
    if asked is not None:
        context.on("request", lambda request: asked.append(request.url))
    page = context.new_page()
    page.goto(hub.url + "hub/login")
    page.fill("#username_input", login)
    page.fill("#password_input", "any password: the dummy authenticator")
    page.click("#login_submit")
    return context, page


def test_a_coach_signs_in_and_the_app_shows_only_their_people(browser, hub, output_dir):
    asked: list[str] = []  # every request, those blocked or failed too
    context, page = sign_in(browser, hub, "e0020", asked=asked)
    try:
        page.wait_for_url("**/user/e0020/voila/render/conversation.ipynb**", timeout=300_000)
        page.wait_for_selector(".cc-app .cc-search input", timeout=300_000)
        page.wait_for_load_state("networkidle")
        outside = [url for url in asked if not url.startswith((hub.url, "blob:" + hub.url))]
        assert outside == [], f"the hub's pages asked another host: {outside}"  # Voila's page: no CDN
        page.set_default_timeout(60_000)
        shown = page.locator(".cc-result").all_inner_texts()
        assert sorted(text.rsplit(" · ", 1)[1] for text in shown) == E0020_PEOPLE
        page.locator(".cc-app").screenshot(path=str(output_dir / "hub-coach-start.png"))
        # the organisation's own question set comes from the service's data folder; the header says where the
        # records are in words, not the server's own folder (a copy of the question sets, never a record)
        options = [t.replace("\xa0", " ") for t in page.locator(".cc-question-set select option").all_inner_texts()]
        assert options == ["Career conversation", "Team lead conversation"]
        folder = hub.state / "homes" / "e0020" / "careerconv-records-service"
        assert page.inner_text(".cc-header .cc-sub").strip() == "Records on the careerconv server"
        assert (folder / "question_sets" / "team-lead.yaml").exists() and not (folder / "roster.csv").exists()

        page.fill(".cc-search input", "E0002")  # coach e0001's person
        page.wait_for_timeout(1500)
        assert page.locator(".cc-result").count() == 0

        page.fill(".cc-search input", "E0004")
        page.locator(".cc-result", has_text="E0004").click()
        page.locator(".cc-actions").wait_for()
        page.click(".cc-start")
        page.locator(".cc-dreams").wait_for()
        page.locator(".cc-dream-text input").first.fill("Lead the platform team")
        store = Store(hub.data)
        deadline = time.monotonic() + 60
        stored = []
        while time.monotonic() < deadline and not stored:
            stored = [c for c in store.conversations("E0004") if c["status"] == "draft"
                      and any(d["text"] == "Lead the platform team" for d in c["dreams"])]
            time.sleep(1)
        assert stored and stored[0]["saved_by"] == "e0020" and stored[0]["coach_id"] == "E0020"
        page.locator(".cc-app").screenshot(path=str(output_dir / "hub-coach-conversation.png"))
        log = [json.loads(line) for line in (hub.state / "access-log.jsonl").read_text().splitlines()]
        assert {(e["user"], e["employee_id"], e["outcome"]) for e in log} >= {("e0020", "E0004", "allowed")}
        assert {e["user"] for e in log} == {"e0020"}
    finally:
        context.close()


@pytest.mark.parametrize("width", [400, 800])
def test_hr_signs_in_and_lands_on_the_hr_page_with_its_charts_and_tables(browser, hub, output_dir, width):
    context, page = sign_in(browser, hub, "hana", width)
    try:
        page.wait_for_url("**/services/careerconv-records/hr/**", timeout=300_000)
        page.locator("h2").first.wait_for(timeout=300_000)
        assert "Signed in as hana" in page.inner_text("header")
        assert page.locator("table").count() >= 5
        assert page.locator("img.hr-chart").count() >= 5  # the charts of `careerconv hr-report`, embedded
        assert "Yoon" not in page.content()  # no person's name (E0003 is Do-yun Yoon)
        page.screenshot(path=str(output_dir / f"hub-hr-page-{width}.png"), full_page=False)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"the page is wider than a {width} px screen by {overflow} px"
    finally:
        context.close()
