"""The coach's app in a real browser, in Voila and in JupyterLab.

Each test tells the whole story a coach lives through: run a complete
conversation (and check what was stored; then open the summary in a new tab
and download it as HTML and as a one-page PDF), start a second one, lose the kernel
in the middle, come back and find the draft intact, then hold a check-in; in
Voila the coach then opens their team view and goes from a row straight into a
check-in. Screenshots of every section go to ``tests/output/e2e/``.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import time
import urllib.error
import urllib.request
import warnings
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from careerconv.records import config
from careerconv.rules.progress import horizon_date

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900)]

VIEWPORT = {"width": 1280, "height": 2200}
WIDGET_WAIT = 20_000  # ms for a widget round trip through the kernel


class CoachUI:
    """What a coach does in the app, as Playwright steps."""

    def __init__(self, page, label: str, output: Path):
        self.page = page
        self.label = label
        self.output = output
        self.shots: list[Path] = []
        self.kernel_ids: list[str] = []
        page.on("websocket", self._websocket)
        page.set_default_timeout(WIDGET_WAIT)

    def _websocket(self, ws) -> None:
        m = re.search(r"/api/kernels/([0-9a-f-]{36})/channels", ws.url)
        if m:
            self.kernel_ids.append(m.group(1))

    def shot(self, name: str) -> Path:
        self.page.wait_for_timeout(400)  # let the last widget updates paint
        path = self.output / f"{self.label}-{name}.png"
        self.page.locator(".cc-app").screenshot(path=str(path))
        self.shots.append(path)
        return path

    # ---------------------------------------------------------------- start screen
    def wait_ready(self) -> None:
        self.page.wait_for_selector(".cc-app .cc-search input", timeout=120_000)

    def pick(self, query: str, label: str) -> None:
        self.page.fill(".cc-search input", query)
        self.page.locator(".cc-results-note", has_text="1 person").wait_for()
        self.page.locator(".cc-result", has_text=label).click()
        self.page.locator(".cc-employee-card", has_text=label.split(" · ")[0]).wait_for()
        self.page.locator(".cc-actions").wait_for()

    # ---------------------------------------------------------------- conversation
    def step(self, section: str) -> None:
        self.page.click(f".cc-step-{section}")
        self.page.locator(f".cc-step-{section}.cc-step-active").wait_for()

    def fill_dreams(self, dreams) -> None:
        boxes = self.page.locator(".cc-dream-text input")
        for i, text in enumerate(dreams):
            boxes.nth(i).fill(text)

    def add_skill(self, name: str, rating: int, targets: tuple[int, int, int]):
        page = self.page
        page.fill(".cc-skill-input input", name)
        page.click(".cc-add-skill")
        card = page.locator(".cc-skill-card", has=page.locator(".cc-skill-name", has_text=name))
        card.wait_for()
        card.locator(".cc-self-rating button").get_by_text(str(rating), exact=True).click()
        card.locator(".cc-ten textarea").fill(f"{name}: a 10 is teaching it to others")
        rows = card.locator(".cc-option-row")
        for i in range(3):
            rows.nth(i).locator(".cc-option-text textarea").fill(f"{name} option {i + 1}")
            rows.nth(i).locator(".cc-option-pros textarea").fill("fits the week")
            rows.nth(i).locator(".cc-option-cons textarea").fill("needs a budget")
        rows.nth(1).locator(".cc-choose").click()
        card.locator(".cc-option-chosen").wait_for()
        card.locator(".cc-approach textarea").fill("Start with option 2 next month")
        for horizon, value in zip((6, 12, 18), targets):
            card.locator(f".cc-target-{horizon} select").select_option(label=str(value))
        card.locator(".cc-serves-dream select").select_option(index=1)
        return card

    def wait_saved(self) -> None:
        self.page.wait_for_timeout(1500)  # longer than the autosave debounce
        self.page.locator(".cc-status.cc-status-saved").wait_for()


def stored_conversations(data: Path, employee_id: str) -> list[dict]:
    folder = data / "conversations" / employee_id
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))
            if not p.name.startswith(".")]


def wait_for(predicate, timeout: float = 30.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


# ------------------------------------------------------------------------ the story, for either frontend


def whole_conversation(ui: CoachUI, data: Path) -> None:
    page = ui.page
    ui.pick("turing", "Alan Turing · E002")
    ui.shot("01-start")
    page.click(".cc-start")
    page.locator(".cc-dreams").wait_for()
    page.locator(".cc-q-want_more textarea").fill("More time on architecture, less on meetings")
    ui.fill_dreams(["Lead the platform team", "Publish a paper", "Teach a university course"])
    page.locator(".cc-dream-count", has_text="3 dreams").wait_for()
    ui.shot("02-goals")
    ui.step("action_plan")
    ui.add_skill("System design", 5, (6, 7, 8))
    ui.add_skill("Writing", 4, (5, 6, 7))
    ui.shot("03-action-plan")
    ui.step("next_steps")
    page.locator(".cc-q-start_now textarea").fill("Read one design doc a week")
    row = page.locator(".cc-action-row").first
    row.locator(".cc-action-text input").fill("Draft the paper outline")
    row.locator(".cc-action-due input").fill("2026-12-15")
    row.locator(".cc-action-owner input").fill("Alan Turing")
    # dates read back in the app's one style, day month year, whatever the browser's locale
    expect(row.locator(".cc-action-due input")).to_have_value("15 Dec 2026")
    page.locator(".cc-follow-mode button", has_text="One-on-one").click()
    page.locator(".cc-cadence button", has_text="Every 6 months").click()
    page.locator(".cc-next-due", has_text="Next career conversation due").wait_for()
    ui.shot("04-next-steps")
    ui.step("finish")
    page.locator(".cc-missing", has_text="Everything the method asks for is there").wait_for()
    page.click(".cc-complete")
    page.locator(".cc-summary-view .cc-summary").wait_for(timeout=60_000)
    page.locator(".cc-locked-banner", has_text="locked").wait_for()
    ui.shot("05-finish-summary")

    completed = [c for c in stored_conversations(data, "E002") if c["status"] == "completed"]
    assert len(completed) == 1
    rec = completed[0]
    today = dt.date.fromisoformat(rec["date"])
    assert [d["text"] for d in rec["dreams"]] == ["Lead the platform team", "Publish a paper",
                                                  "Teach a university course"]
    assert [(s["skill"], s["self_rating"], s["targets"]) for s in rec["skills"]] == [
        ("System design", 5, {"6": 6, "12": 7, "18": 8}), ("Writing", 4, {"6": 5, "12": 6, "18": 7})]
    for s in rec["skills"]:
        assert [o["text"] for o in s["options"]] == [f"{s['skill']} option {i}" for i in (1, 2, 3)]
        assert [o["chosen"] for o in s["options"]] == [False, True, False]
        assert s["approach"] == "Start with option 2 next month" and s["dream_rank"] == 1
    assert rec["action_items"] == [{"item_id": "a1", "text": "Draft the paper outline", "due": "2026-12-15",
                                    "owner": "Alan Turing", "skill": ""}]
    assert rec["follow_up"]["mode"] == "one-on-one" and rec["cadence_months"] == 6
    assert rec["next_due"] == horizon_date(today, 6).date().isoformat()
    assert rec["answers"]["want_more"] == "More time on architecture, less on meetings"
    assert rec["completed_at"] and set(rec["sections"]) == {"goals", "action_plan", "next_steps"}
    assert all(isinstance(t["seconds"], int) for t in rec["sections"].values())
    summary = data / "conversations" / "E002" / f"{rec['conversation_id']}.summary.html"
    assert "Publish a paper" in summary.read_text(encoding="utf-8")
    # a completed conversation is locked in the browser too
    assert page.locator(".cc-complete").is_hidden()
    summary_actions(ui, rec["conversation_id"])


def summary_actions(ui: CoachUI, conversation_id: str) -> None:
    """The three ways the app offers the summary, each clicked as the coach would, and what they give."""
    page = ui.page
    with page.expect_download(timeout=60_000) as pdf_download:
        page.click(".cc-download-summary-pdf")
    pdf = Path(pdf_download.value.path()).read_bytes()
    assert pdf_download.value.suggested_filename == f"career-conversation-summary-{conversation_id}.pdf"
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1, "the downloaded summary is one A4 page"
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Publish a paper" in text and "System design" in text and "Draft the paper outline" in text
    (ui.output / f"{ui.label}-summary.pdf").write_bytes(pdf)
    with page.expect_download(timeout=60_000) as html_download:
        page.click(".cc-download-summary")
    assert html_download.value.suggested_filename == f"career-conversation-summary-{conversation_id}.html"
    assert "Publish a paper" in Path(html_download.value.path()).read_text(encoding="utf-8")
    with page.context.expect_page(timeout=60_000) as opened:
        page.click(".cc-open-summary")
    tab = opened.value
    tab.wait_for_load_state()
    expect(tab.locator("body")).to_contain_text("Publish a paper")
    tab.screenshot(path=str(ui.output / f"{ui.label}-summary-tab.png"), full_page=True)
    tab.close()


def start_draft(ui: CoachUI, data: Path) -> str:
    page = ui.page
    page.click(".cc-close")  # back to the people
    ui.pick("katherine", "Katherine Johnson · E003")
    page.click(".cc-start")
    page.locator(".cc-dreams").wait_for()
    ui.fill_dreams(["Run the research lab", "Write a textbook"])
    page.locator(".cc-dream-count", has_text="at least 3 dreams (2 so far)").wait_for()
    ui.step("action_plan")
    ui.add_skill("Statistics", 7, (8, 9, 9))
    bank = page.locator(".cc-bank:visible button", has_text="Alternative questions")
    answer = page.locator(".cc-answer-alt_support textarea")
    bank.click()  # sections visited stay, hidden
    try:
        answer.wait_for(state="visible", timeout=15_000)
    except Exception:  # noqa: BLE001 - once in CI (JupyterLab, 4 Dec) the first click left the bank unchanged
        page.screenshot(path=str(ui.output / f"{ui.label}-bank-click-lost.png"), full_page=True)
        warnings.warn("the question bank's first click was lost; clicked again (see the screenshot)")
        bank.click()
    answer.fill("A sponsor in the leadership team")
    ui.wait_saved()
    draft = wait_for(lambda: [c for c in stored_conversations(data, "E003")
                              if c["answers"].get("alt_support") == "A sponsor in the leadership team"],
                     what="the draft on disk")[0]
    assert draft["status"] == "draft" and draft["skills"][0]["targets"] == {"6": 8, "12": 9, "18": 9}
    ui.shot("06-draft-before-kernel-stops")
    return draft["conversation_id"]


def resume_draft(ui: CoachUI, conversation_id: str) -> None:
    page = ui.page
    ui.pick("katherine", "Katherine Johnson · E003")
    offer = page.locator(".cc-draft-offer")
    offer.wait_for()
    assert "not finished" in offer.inner_text()
    ui.shot("07-draft-offered")
    page.click(".cc-resume")
    page.locator(".cc-step-action_plan.cc-step-active").wait_for()  # back where the coach left off
    card = page.locator(".cc-skill-card")
    assert card.count() == 1 and "Statistics" in card.locator(".cc-skill-name").inner_text()
    # a resumed skill is folded to one line (what was said) until the coach opens it
    assert "Rated 7" in card.locator(".cc-skill-summary").inner_text()
    assert card.locator(".cc-self-rating").count() == 0
    ui.shot("08-draft-resumed-folded")
    # its Edit button says which skill and whether the card is open (aria-expanded, set by the page bridge),
    # and stays where it is, so the keyboard is not dropped and the card folds again
    card.locator('.cc-skill-open[aria-label="Edit Statistics"][aria-expanded="false"]').wait_for()
    card.locator(".cc-skill-open").click()
    card.locator(".cc-self-rating").wait_for()
    card.locator('.cc-skill-open[aria-expanded="true"]').wait_for()
    assert card.locator(".cc-skill-open").is_visible()
    assert card.locator(".cc-self-rating button.mod-active").inner_text().strip() == "7"
    assert card.locator(".cc-option-text textarea").nth(1).input_value() == "Statistics option 2"
    assert card.locator(".cc-target-12 select").evaluate("s => s.options[s.selectedIndex].text") == "9"
    assert page.locator(".cc-answer-alt_support textarea").input_value() == "A sponsor in the leadership team"
    ui.shot("08-draft-resumed")
    ui.step("goals")
    values = [page.locator(".cc-dream-text input").nth(i).input_value() for i in range(3)]
    assert values == ["Run the research lab", "Write a textbook", ""]


def checkin(ui: CoachUI, data: Path) -> None:
    page = ui.page
    ui.pick("lovelace", "Ada Lovelace · E001")
    page.locator(".cc-glance-box", has_text="Give a team demo").wait_for()
    page.click(".cc-open-checkin")
    item = page.locator(".cc-checkin-item", has_text="Give a team demo")
    item.wait_for()
    item.locator(".cc-item-status button", has_text="Done").click()
    item.locator(".cc-item-note input").fill("Demoed the new pipeline")
    page.locator(".cc-interim-self select").first.select_option(label="6")
    ui.shot("09-checkin")
    page.click(".cc-save-checkin")
    page.locator(".cc-checkin-message", has_text="Check-in saved").wait_for()
    ui.shot("10-checkin-saved")
    files = [p for p in (data / "checkins" / "E001").glob("*.json") if p.name != "E001-ci-20260415.json"]
    assert len(files) == 1
    rec = json.loads(files[0].read_text(encoding="utf-8"))
    assert rec["updates"] == [{"conversation_id": "E001-20260302", "item_id": "a2", "status": "done",
                               "note": "Demoed the new pipeline", "reason": ""}]
    assert rec["ratings"] == [{"skill": "Public speaking", "self_rating": 6, "coach_rating": None}]


def team_view(ui: CoachUI) -> None:
    """The coach's whole team at a glance, and one click from a row into a check-in."""
    page = ui.page
    page.locator(".cc-coach select").select_option(label="Grace Hopper (C01)")
    page.locator(".cc-view-choice button", has_text="My team").click()
    rows = page.locator(".cc-team-row")
    rows.first.wait_for()
    assert rows.count() == 3  # Ada, Alan and Katherine report to C01
    ada = page.locator(".cc-team-row", has=page.locator(".cc-team-person", has_text="Ada Lovelace"))
    assert "Overdue" in ada.locator(".cc-team-due").inner_text()  # her conversation was due 2 Sep 2026
    ada.locator(".cc-team-items summary").click()  # fold out her action items
    today = dt.date.today()
    ada.locator(".cc-team-items li", has_text=f"Done on {today.day} {today:%b %Y}").wait_for()
    katherine = page.locator(".cc-team-row", has=page.locator(".cc-team-person", has_text="Katherine Johnson"))
    read = katherine.inner_text().replace("\xa0", " ")  # as a reader reads it: "Never met" never breaks in two
    assert "Never met" in read and "Resume draft" in read
    alan = page.locator(".cc-team-row", has=page.locator(".cc-team-person", has_text="Alan Turing"))
    assert alan.locator(".cc-trend").count() == 2  # the two skills of today's conversation
    ui.shot("11-team")
    # the row's buttons are real buttons, labelled, reached and pressed from the keyboard
    checkin = alan.locator(".cc-team-checkin")
    assert checkin.evaluate("b => b.tagName") == "BUTTON"
    assert checkin.get_attribute("aria-label") == "Check-in: follow up Alan Turing's plan"
    alan.locator(".cc-team-conversation").focus()
    page.keyboard.press("Tab")  # the next control is the check-in button, with a focus ring
    assert checkin.evaluate("b => b === document.activeElement && getComputedStyle(b).outlineStyle !== 'none'")
    page.keyboard.press("Enter")
    page.locator(".cc-checkin", has_text="Check-in with Alan Turing").wait_for()
    page.locator(".cc-checkin-item", has_text="Draft the paper outline").wait_for()


# ------------------------------------------------------------------------ Voila


def test_voila_conversation_draft_after_kernel_loss_and_checkin(browser, voila_server, output_dir):
    # the server refuses anyone without the token
    try:
        with urllib.request.urlopen(voila_server.base + "/", timeout=30) as resp:
            refused = "login" in resp.url
    except urllib.error.HTTPError as exc:
        refused = exc.code in (401, 403)
    assert refused, "the app answered without its token"

    data = voila_server.data
    page = browser.new_page(viewport=VIEWPORT)
    ui = CoachUI(page, "voila", output_dir)
    outside: list[str] = []  # requests to anything but the app's own server (blocked ones too: they never finish)
    local = (voila_server.base + "/", "blob:" + voila_server.base + "/")  # a blob: URL is made in the page
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(local) else None)
    page.goto(voila_server.url)
    ui.wait_ready()
    assert page.locator("text=open_app(").count() == 0, "Voila must not show code"
    whole_conversation(ui, data)
    assert outside == [], f"the app loaded things from outside 127.0.0.1: {outside}"
    conversation_id = start_draft(ui, data)

    # the kernel goes away mid-conversation (as when the tab is closed or the kernel dies)
    kernel_id = ui.kernel_ids[-1]
    voila_server.api("DELETE", f"/api/kernels/{kernel_id}")
    page.close()

    page = browser.new_page(viewport=VIEWPORT)
    ui = CoachUI(page, "voila", output_dir)
    page.goto(voila_server.url)
    ui.wait_ready()
    assert ui.kernel_ids and ui.kernel_ids[-1] != kernel_id
    resume_draft(ui, conversation_id)
    page.click(".cc-close")
    checkin(ui, data)
    page.click(".cc-back-checkin")
    team_view(ui)
    page.close()


# ------------------------------------------------------------------------ JupyterLab


def _lab_run_all(page) -> None:
    page.locator(".jp-Notebook").wait_for(timeout=120_000)
    page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\|\s*(Idle|No Kernel)")).first.wait_for(
        timeout=120_000)
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    accept = page.locator(".jp-Dialog .jp-mod-accept")
    for _ in range(20):  # a "select kernel" dialog after a shutdown
        if page.locator(".cc-app").count():
            break
        if accept.count():
            accept.first.click()
        page.wait_for_timeout(500)
    page.wait_for_selector(".cc-app .cc-search input", timeout=120_000)


def _lab_shut_down_kernel(page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Kernel$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Shut Down Kernel$")).click()
    accept = page.locator(".jp-Dialog .jp-mod-accept")
    page.wait_for_timeout(500)
    if accept.count():
        accept.first.click()


def test_jupyterlab_conversation_draft_after_kernel_shutdown_and_checkin(browser, lab_server, output_dir):
    data = lab_server.data
    page = browser.new_page(viewport=VIEWPORT)
    ui = CoachUI(page, "lab", output_dir)
    page.goto(lab_server.url)
    _lab_run_all(page)
    whole_conversation(ui, data)
    conversation_id = start_draft(ui, data)

    sessions = lab_server.api("GET", "/api/sessions")
    kernel_id = next(s["kernel"]["id"] for s in sessions if s["path"].endswith("conversation.ipynb"))
    _lab_shut_down_kernel(page)
    wait_for(lambda: all(k["id"] != kernel_id for k in lab_server.api("GET", "/api/kernels")),
             what="the kernel to shut down")
    # The app says its kernel is not answering at the top of the app, not over JupyterLab, and not "reload the
    # page" (a reload brings no kernel back in a notebook): run the notebook again.
    page.wait_for_timeout(30_000)  # a beat (every 15 s) and the wait for its answer (10 s)
    assert page.locator("body > .cc-lost").count() == 0 and page.locator(".cc-lost-reload").count() == 0
    notice = page.locator(".cc-app > .cc-lost-inside")
    if notice.count():  # JupyterLab may have taken the app's widgets away with the kernel: then nothing to say
        assert "This notebook's kernel is not answering" in notice.inner_text()
        assert "run the notebook again" in notice.inner_text()
    page.screenshot(path=str(output_dir / "lab-kernel-not-answering.png"))
    page.close()

    page = browser.new_page(viewport=VIEWPORT)
    ui = CoachUI(page, "lab", output_dir)
    page.goto(lab_server.url)
    _lab_run_all(page)
    resume_draft(ui, conversation_id)
    page.click(".cc-close")
    checkin(ui, data)
    # the notebook on disk never holds outputs or widget state from this session
    nb = json.loads((config.NOTEBOOKS_DIR / "conversation.ipynb").read_text())
    assert "widgets" not in nb["metadata"] and all(not c.get("outputs") for c in nb["cells"])
    page.close()
