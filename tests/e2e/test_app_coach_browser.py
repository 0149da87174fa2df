"""The coach's app in Chromium (Voila): what issue 12 promises, tried as a coach would.

* the page address names where the coach is, and a reload lands back there
  with the last typing kept;
* "Start a new conversation" while a draft exists asks first, showing what
  the draft holds;
* targets keep what was picked, with checks beside the field;
* Complete says what is missing, beside the button;
* at 400 px (a phone), 800 px and 1280 px nothing overlaps, nothing sticks out
  of the app or of its card sideways and no control's text is cut off at its top
  or bottom, on the start screen (also with the 60 people of the demo
  organisation), the person page, in the conversation, in the check-in and in
  the team view (element boxes measured in the page).

Screenshots go to ``tests/output/e2e/coach-*.png``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900)]

WAIT = 30_000
WIDTHS = (400, 800, 1280)  # a phone, a narrow window, a laptop

# Every visible control and text box in the app: overlapping pairs (neither holding the other) and boxes that
# stick out of the app sideways, plus the page's own horizontal scroll.
LAYOUT_PROBLEMS_JS = r"""
() => {
  const app = document.querySelector('.cc-app');
  const appBox = app.getBoundingClientRect();
  const visible = el => {
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) return false;
    for (let e = el; e && e !== document.body; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.display === 'none' || cs.visibility === 'hidden') return false;
    }
    return true;
  };
  const name = el => (el.tagName.toLowerCase() + '.' + [...el.classList].filter(c => c.startsWith('cc-')).join('.')
                      + ' "' + (el.innerText || el.value || el.placeholder || '').trim().slice(0, 40) + '"');
  const controls = [...app.querySelectorAll('button, input, select, textarea')].filter(visible);
  const problems = [];
  // every element, text included, lies inside the app sideways, and inside any box that clips it unless
  // that box scrolls (then it can be reached)
  const clippers = el => {
    const out = [];
    for (let e = el.parentElement; e && e !== app; e = e.parentElement) {
      const ox = getComputedStyle(e).overflowX;
      if (ox === 'hidden' || ox === 'clip') out.push(e);
      if (ox === 'auto' || ox === 'scroll') break;
    }
    return out;
  };
  const reported = new Set();
  for (const el of [...app.querySelectorAll('*')].filter(visible)) {
    if (el.closest('.cc-style')) continue;
    const r = el.getBoundingClientRect();
    let scrolls = false;
    for (let e = el.parentElement; e && e !== app; e = e.parentElement) {
      const ox = getComputedStyle(e).overflowX;
      if ((ox === 'auto' || ox === 'scroll') && e.scrollWidth > e.clientWidth) { scrolls = true; break; }
    }
    if (scrolls) continue;
    const card = el.parentElement && el.parentElement.closest('.cc-card');
    const limits = [appBox, ...(card ? [card.getBoundingClientRect()] : []),
                    ...clippers(el).map(e => e.getBoundingClientRect())];
    const outside = limits.find(b => r.right > b.right + 1 || r.left < b.left - 1);
    if (outside && !reported.has(el.parentElement)) {
      reported.add(el);
      problems.push('cut off or outside: ' + name(el) + ' ' + Math.round(r.left) + '..' + Math.round(r.right)
                    + ' (room ' + Math.round(outside.left) + '..' + Math.round(outside.right) + ')');
    }
  }
  // the part of a box one can see: within every box around it that scrolls or clips (a list that scrolls
  // holds people below its edge, which overlap nothing)
  const shown = el => {
    let r = el.getBoundingClientRect(), top = r.top, bottom = r.bottom, left = r.left, right = r.right;
    for (let e = el.parentElement; e && e !== app; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.overflowX === 'visible' && cs.overflowY === 'visible') continue;
      const c = e.getBoundingClientRect();
      top = Math.max(top, c.top); bottom = Math.min(bottom, c.bottom);
      left = Math.max(left, c.left); right = Math.min(right, c.right);
    }
    return {top, bottom, left, right};
  };
  // no control's text is cut off at its top or bottom: a box that hides what does not fit is tall enough
  // for it (a list squeezed into its box once showed names 14 px high in 28 px buttons)
  for (const el of controls) {
    const oy = getComputedStyle(el).overflowY;
    if ((oy === 'hidden' || oy === 'clip') && el.scrollHeight > el.clientHeight + 2) {
      problems.push('cut off at top or bottom: ' + name(el) + ' ' + el.clientHeight + ' px high, its text '
                    + el.scrollHeight + ' px');
    }
  }
  for (let i = 0; i < controls.length; i++) {
    for (let j = i + 1; j < controls.length; j++) {
      const a = controls[i], b = controls[j];
      if (a.contains(b) || b.contains(a)) continue;
      const ra = shown(a), rb = shown(b);
      const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
      const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
      if (w > 2 && h > 2) problems.push('overlap: ' + name(a) + ' and ' + name(b));
    }
  }
  const doc = document.scrollingElement;
  if (doc.scrollWidth > window.innerWidth + 1) {
    problems.push('the page scrolls sideways: ' + doc.scrollWidth + ' > ' + window.innerWidth);
  }
  return problems;
}
"""


def layout_problems(page) -> list[str]:
    page.wait_for_timeout(300)
    return page.evaluate(LAYOUT_PROBLEMS_JS)


def shot(page, output: Path, name: str) -> Path:
    page.wait_for_timeout(400)
    path = output / f"coach-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def ready(page) -> None:
    """The app is on the page. Not "the search box is visible": after a reload the app may land on a
    conversation or check-in at once, with the start screen (and its search box) hidden."""
    page.wait_for_selector(".cc-app .cc-search input", state="attached", timeout=180_000)


def pick(page, query: str, name: str) -> None:
    page.fill(".cc-search input", query)
    page.locator(".cc-results-note", has_text="1 person").wait_for()  # the list is redrawn as one types
    page.locator(".cc-result", has_text=name).first.click()
    page.locator(".cc-employee-card", has_text=name).wait_for()
    page.locator(".cc-actions").wait_for()


def fragment(page, expected: str | None = None) -> str:
    """The page address's fragment; with ``expected``, once it says that (it follows the screen by a moment:
    the app sends what a click changed together, the place last)."""
    read = "() => decodeURIComponent(location.hash.replace(/^#/, ''))"
    if expected is not None:
        try:
            page.wait_for_function(f"() => ({read})() === {json.dumps(expected)}", timeout=5000)
        except Exception:
            pass  # the assertion below shows what it says instead
    return page.evaluate(read)


def stored(data: Path, employee_id: str) -> list[dict]:
    folder = data / "conversations" / employee_id
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))
            if not p.name.startswith(".")] if folder.is_dir() else []


def open_skills(page, url: str, query: str, name: str):
    """A new conversation with ``name`` open at its action plan; the box to type a skill in."""
    page.set_default_timeout(WAIT)
    page.goto(url)
    ready(page)
    pick(page, query, name)
    page.click(".cc-start")
    page.locator(".cc-section-goals").wait_for()
    page.click(".cc-step-action_plan")
    page.locator(".cc-step-action_plan.cc-step-active").wait_for()
    return page.locator(".cc-skill-input input")


def test_a_skill_typed_fast_and_added_at_once_comes_whole(browser, voila_server):
    """Found by a hostile test: "Mentoring" typed 15 ms a letter and added with Enter came as "Mentorin", and the
    last letter stayed in the box ahead of the next skill ("MentoringNegotiation"): ipywidgets held back the
    keystrokes while the kernel was busy with one but sent the Enter (and a click on "+ Add skill") at once.
    Typed with no pause at all here, added with Enter and with the button, each after the one before is in; then
    several typed one after the other, each added with Enter."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    box = open_skills(page, voila_server.url, "liskov", "Barbara Liskov")
    added = []
    for word, how in (("Mentoring", "Enter"), ("Negotiation skills", "click"), ("Statistics", "Enter"),
                      ("Forecasting", "click")):
        box.click()
        page.keyboard.type(word, delay=0)
        if how == "Enter":
            page.keyboard.press("Enter")
        else:
            page.click(".cc-add-skill")
        added.append(word)
        page.wait_for_function(f"() => document.querySelectorAll('.cc-skill-card').length === {len(added)}")
        page.wait_for_function("() => document.querySelector('.cc-skill-input input').value === ''")
    assert page.locator(".cc-skill-card .cc-skill-name").all_inner_texts() == added
    # One after the other without waiting, 30 ms a letter: the letters typed after an Enter, before the kernel
    # empties the box, stay in it (found: "Coaching" right after "Pairing" came as "aching"); one is a skill the
    # box suggests, so its suggestions change as it is added.
    box.click()
    for word in ("Pairing", "Public speaking", "Coaching", "Writing", "Hiring"):
        page.keyboard.type(word, delay=30)
        page.keyboard.press("Enter")
        added.append(word)
    page.wait_for_function(f"() => document.querySelectorAll('.cc-skill-card').length === {len(added)}")
    page.wait_for_function("() => document.querySelector('.cc-skill-input input').value === ''")
    assert page.locator(".cc-skill-card .cc-skill-name").all_inner_texts() == added
    page.close()


# A slow kernel (a busy hub): every message from the kernel reaches the page SLOW_KERNEL_MS late, in order. The
# page's own WebSocket is wrapped before the app loads; window.ccLate counts the messages on their way to the page,
# window.ccDelivered those delivered.
SLOW_KERNEL_MS = 1200
SLOW_KERNEL_JS = """
(() => {
  const Native = window.WebSocket;
  window.ccLate = 0;
  window.ccDelivered = 0;
  window.WebSocket = class SlowKernel extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      if (!String(url).includes('/channels')) return;
      let onmessage = null;
      const listeners = [];
      const late = [];
      super.addEventListener('message', (event) => {
        late.push(event);
        window.ccLate += 1;
        setTimeout(() => {
          const first = late.shift();
          window.ccLate -= 1;
          window.ccDelivered += 1;
          if (onmessage) onmessage.call(this, first);
          for (const listener of listeners) listener.call(this, first);
        }, %d);
      });
      Object.defineProperty(this, 'onmessage', { get: () => onmessage, set: (f) => { onmessage = f; } });
      const add = this.addEventListener.bind(this);
      this.addEventListener = (type, listener, options) =>
        type === 'message' ? listeners.push(listener) : add(type, listener, options);
    }
  };
})();
""" % SLOW_KERNEL_MS


def test_skills_typed_fast_on_a_slow_kernel_come_whole_and_nothing_typed_is_lost(browser, voila_server,
                                                                                 output_dir):
    """Found in CI on a loaded host: skills typed one after the other at 30 ms a letter, each added with Enter,
    came as [..., 'Writing', 'WritingHiring']: the next skill was typed before the kernel's emptying of the box
    reached the page. Here every message from the kernel comes 1.2 s late, and with no waits: skills added with
    Enter, one already there (refused) between two new ones, one added by a click on "+ Add skill" right after
    an Enter, and one typed last and left unsent, which must stay whole in the box."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.add_init_script(SLOW_KERNEL_JS)
    box = open_skills(page, voila_server.url, "turing", "Alan Turing")
    box.click()
    page.keyboard.type("Statistics", delay=30)
    page.keyboard.press("Enter")
    page.locator(".cc-skill-card").wait_for()
    page.wait_for_function("() => document.querySelector('.cc-skill-input input').value === ''")
    box.click()
    for word in ("Pairing", "Writing", "Statistics", "Hiring"):
        page.keyboard.type(word, delay=30)
        page.keyboard.press("Enter")
    page.keyboard.type("Coaching", delay=30)
    page.click(".cc-add-skill")
    box.click()
    page.keyboard.type("Mentoring", delay=30)
    added = ["Statistics", "Pairing", "Writing", "Hiring", "Coaching"]
    cards = ".cc-skill-card .cc-skill-name"
    shown = f"""() => JSON.stringify([...document.querySelectorAll('{cards}')].map((e) => e.innerText))
                      === {json.dumps(json.dumps(added, separators=(',', ':')))}
                      && document.querySelector('.cc-skill-input input').value === 'Mentoring'"""
    try:
        page.wait_for_function(shown)
    except PlaywrightTimeout:
        pass  # the assertions below say what came instead
    # and it stays so once all the kernel had sent by then has reached the page
    page.wait_for_function("(until) => window.ccDelivered >= until",
                           arg=page.evaluate("() => window.ccDelivered + window.ccLate"))
    assert page.locator(".cc-skill-card .cc-skill-name").all_inner_texts() == added
    assert box.input_value() == "Mentoring"
    # A refused skill leaves the box empty for the next one, and the message says which it refused.
    page.keyboard.press("Control+A")
    page.keyboard.type("statistics", delay=30)
    page.keyboard.press("Enter")
    page.locator(".cc-skill-message", has_text="“Statistics” is already in this conversation.").wait_for()
    assert box.input_value() == ""
    shot(page, output_dir, "skill-refused-1280")
    page.set_viewport_size({"width": 400, "height": 900})
    long_word = "Supercalifragilistic" * 7  # 140 letters: refused, and named whole, wrapped on a phone
    page.keyboard.type(long_word, delay=0)
    page.keyboard.press("Enter")
    page.locator(".cc-skill-message", has_text=f"“{long_word}” is long for a skill name").wait_for()
    page.locator(".cc-skill-message").scroll_into_view_if_needed()
    shot(page, output_dir, "skill-refused-400")
    assert box.input_value() == ""
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= 400
    assert page.locator(".cc-skill-card .cc-skill-name").all_inner_texts() == added
    page.close()


def test_reload_lands_back_with_the_typing_kept_and_drafts_are_never_hidden(browser, voila_server, output_dir):
    data = voila_server.data
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(WAIT)
    page.goto(voila_server.url)
    ready(page)
    pick(page, "katherine", "Katherine Johnson")
    assert fragment(page, "employee=E003") == "employee=E003"
    page.click(".cc-start")
    page.locator(".cc-section-goals").wait_for()
    page.locator(".cc-dream-text input").first.fill("Run the research lab")
    page.click(".cc-step-action_plan")
    page.locator(".cc-step-action_plan.cc-step-active").wait_for()
    page.fill(".cc-skill-input input", "Statistics")
    page.click(".cc-add-skill")
    card = page.locator(".cc-skill-card")
    card.wait_for()
    conversation_id = stored(data, "E003")[0]["conversation_id"]
    page.wait_for_function("() => location.hash.includes('step=action_plan')")
    assert fragment(page, f"employee=E003&conversation={conversation_id}&step=action_plan") \
        == f"employee=E003&conversation={conversation_id}&step=action_plan"

    # targets: 8 today, then 9 / 7 / 3 - every pick stays, the odd ones get a note beside them
    card.locator(".cc-self-rating button").get_by_text("8", exact=True).click()
    for horizon, value in ((6, 9), (12, 7), (18, 3)):
        card.locator(f".cc-target-{horizon} select").select_option(label=str(value))
    page.locator(".cc-target-check-18", has_text="below today").wait_for()
    picked = [card.locator(f".cc-target-{h} select").evaluate("s => s.options[s.selectedIndex].text")
              for h in (6, 12, 18)]
    assert picked == ["9", "7", "3"]
    assert "below today" in card.locator(".cc-target-check-12").inner_text()
    assert card.locator(".cc-target-check-6").inner_text().strip() == ""
    shot(page, output_dir, "targets-1280")

    # typing, then at once a reload: the page is closed mid-debounce; the old kernel saves the typing when the
    # page is hidden, possibly after the new page showed the version before it - the new page then follows it
    card.locator(".cc-ten textarea").fill("Teaches the team's statistics course")
    page.reload()
    ready(page)
    page.locator(".cc-step-action_plan.cc-step-active").wait_for(timeout=60_000)
    card = page.locator(".cc-skill-card")
    assert card.locator(".cc-skill-name").inner_text().strip() == "Statistics"
    # a resumed skill is folded to one line until opened; the line shows the late save once it is followed
    card.locator(".cc-skill-summary", has_text="Teaches the team's statistics course").wait_for(timeout=60_000)
    card.locator(".cc-skill-open").click()
    assert card.locator(".cc-ten textarea").input_value() == "Teaches the team's statistics course"
    assert fragment(page, f"employee=E003&conversation={conversation_id}&step=action_plan") \
        == f"employee=E003&conversation={conversation_id}&step=action_plan"
    shot(page, output_dir, "after-reload-1280")

    # "Start a new conversation" under the draft asks first, and says what the draft holds
    page.click(".cc-close")
    page.locator(".cc-draft-offer").wait_for()
    assert "1 dream" in page.locator(".cc-draft-offer").inner_text()
    page.click(".cc-start")
    ask = page.locator(".cc-start-confirm")
    ask.wait_for()
    text = ask.inner_text()
    assert "unfinished conversation" in text and "1 skill: Statistics" in text
    shot(page, output_dir, "start-asks-1280")
    assert len(stored(data, "E003")) == 1  # nothing created by the misclick
    page.click(".cc-start-resume")
    page.locator(".cc-skill-card").wait_for()
    assert len(stored(data, "E003")) == 1

    # Finish: Complete says what is missing, right beside it
    page.click(".cc-step-finish")
    page.locator(".cc-complete").wait_for()
    page.click(".cc-complete")
    note = page.locator(".cc-complete-note", has_text="Not completed")
    note.wait_for()
    assert "still open" in note.inner_text()
    shot(page, output_dir, "complete-says-what-is-missing-1280")

    # the check-in is named in the address too, and a reload reopens it
    page.click(".cc-close")
    pick(page, "lovelace", "Ada Lovelace")
    page.click(".cc-open-checkin")
    page.locator(".cc-checkin-item").first.wait_for()
    page.wait_for_function("() => location.hash.includes('checkin=')")
    page.locator(".cc-checkin-note textarea").fill("Talked about the demo")
    page.wait_for_timeout(1500)
    page.reload()
    ready(page)
    page.locator(".cc-checkin-note textarea").wait_for(timeout=60_000)
    assert page.locator(".cc-checkin-note textarea").input_value() == "Talked about the demo"
    page.close()


def _page_kernel(page) -> str:
    return page.evaluate("() => JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")


def _kernel_running(kernel_id: str) -> bool:
    import psutil

    for process in psutil.process_iter(["cmdline"]):
        if any(f"kernel-{kernel_id}.json" in part for part in process.info["cmdline"] or ()):
            return True
    return False


def test_a_reloaded_pages_kernel_is_ended_quietly(browser, voila_server):
    """Reloading (or closing) the page ends the old page's kernel a few seconds later, and the terminal shows
    no refused request: before, the page's shutdown request had no _xsrf cookie to send, the server refused it
    (403 and a WARNING in the coach's terminal) and every reload left a kernel with the app running until the
    app was stopped."""
    import time

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(WAIT)
    page.goto(voila_server.url)
    ready(page)
    first = _page_kernel(page)
    page.reload()
    ready(page)
    second = _page_kernel(page)
    assert second != first and _kernel_running(first) and _kernel_running(second)
    deadline = time.monotonic() + 90
    while _kernel_running(first) and time.monotonic() < deadline:
        time.sleep(1)
    assert not _kernel_running(first), "the reloaded page's kernel is still running after 90 s"
    assert _kernel_running(second)  # the page on screen keeps its kernel
    page.locator(".cc-search input").fill("lovelace")  # and it still answers
    page.locator(".cc-results-note", has_text="1 person").wait_for()
    refused = [line for line in voila_server.lines if "_xsrf" in line or " 403 " in line]
    assert not refused, "".join(refused)
    page.close()


def _layout_tour(page, output: Path, width: int) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    page.locator(".cc-result").first.wait_for()  # the people, as the app opens
    found["start screen"] = layout_problems(page)
    shot(page, output, f"start-{width}")
    pick(page, "lovelace", "Ada Lovelace")
    found["person page"] = layout_problems(page)
    shot(page, output, f"person-{width}")
    page.click(".cc-open-checkin")
    page.locator(".cc-checkin-item").first.wait_for()
    found["check-in"] = layout_problems(page)
    shot(page, output, f"checkin-{width}")
    page.click(".cc-back-checkin")
    page.locator(".cc-person-view").wait_for()
    pick(page, "dijkstra", "Edsger Dijkstra")
    page.click(".cc-start")
    start_resume = page.locator(".cc-start-resume")
    page.locator(".cc-section-goals:visible, .cc-start-confirm:visible").first.wait_for()
    if start_resume.is_visible():
        start_resume.click()
    page.locator(".cc-conversation:visible").wait_for()
    page.click(".cc-step-goals")
    page.locator(".cc-section-goals:visible").wait_for()
    page.locator(".cc-dream-text input").first.fill("Write a long dream that goes on and on about leading a "
                                                     "research group on distributed algorithms for years")
    found["conversation: goals"] = layout_problems(page)
    shot(page, output, f"goals-{width}")
    page.click(".cc-step-action_plan")
    page.locator(".cc-section-action_plan:visible").wait_for()
    for fold in page.locator(".cc-skill-open:visible").all():  # resumed skills are folded: check them open
        fold.click()
    if not page.locator(".cc-skill-card").count():
        page.fill(".cc-skill-input input", "Distributed systems")
        page.click(".cc-add-skill")
        page.locator(".cc-skill-card").wait_for()
    found["conversation: action plan"] = layout_problems(page)
    shot(page, output, f"action-plan-{width}")
    page.click(".cc-step-next_steps")
    page.locator(".cc-action-row").first.wait_for()
    due = page.locator(".cc-action-due input").first
    due.fill("31 Nov 2026")  # no such day: refused in words under the box, which must not push into the next field
    due.press("Enter")
    page.locator(".cc-date-check:visible", has_text="is not a date").wait_for()
    found["conversation: next steps"] = layout_problems(page)
    shot(page, output, f"next-steps-{width}")
    due.fill("1 Dec 2026")
    due.press("Enter")
    page.locator(".cc-date-check").first.wait_for(state="hidden")
    page.click(".cc-close")
    page.locator(".cc-coach select").select_option(label="Grace Hopper (C01)")
    page.locator(".cc-view-choice button", has_text="My team").click()
    page.locator(".cc-team-row").first.wait_for()
    page.locator(".cc-team-row").nth(2).wait_for()
    found["team view"] = layout_problems(page)
    shot(page, output, f"team-{width}")
    page.locator(".cc-view-choice button", has_text="Find a person").click()
    page.locator(".cc-coach select").select_option(label="All coaches")
    return found


@pytest.mark.parametrize("width", WIDTHS)
def test_nothing_overlaps_or_sticks_out_at_400_800_and_1280_px(browser, voila_server, output_dir, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.set_default_timeout(WAIT)
    page.goto(voila_server.url)
    ready(page)
    found = _layout_tour(page, output_dir, width)
    page.close()
    problems = [f"{where}: {p}" for where, ps in found.items() for p in ps]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_long_list_of_people_scrolls_in_its_box_and_every_name_reads_whole(browser, demo_server, output_dir,
                                                                               width):
    """At 400 px the list's box is 200 px high: the twelve people it shows once got 14 px each for a 28 px
    line, their names cut in half. They keep their height and the box scrolls."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.set_default_timeout(WAIT)
    page.goto(demo_server.url)
    ready(page)
    page.locator(".cc-results-note", has_text="Showing 12 of 60").wait_for()
    problems = layout_problems(page)
    shot(page, output_dir, f"start-demo-{width}")
    box = page.locator(".cc-results").evaluate("e => [e.scrollHeight, e.clientHeight]")
    last = page.locator(".cc-result").nth(11)
    name = last.inner_text().split(" · ")[0]
    last.scroll_into_view_if_needed()
    last.click()  # the last one shown can be reached and opened
    page.locator(".cc-employee-card", has_text=name).wait_for()
    page.close()
    assert problems == [], "\n".join(problems)
    assert box[0] > box[1], f"the list does not scroll: {box[0]} px of people in a {box[1]} px box"


def test_a_hostile_page_address_is_refused_in_words(browser, voila_server, output_dir):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(WAIT)
    page.goto(re.sub(r"#.*$", "", voila_server.url) + "#employee=..%2F..%2Fetc&conversation=x")
    ready(page)
    banner = page.locator(".cc-error, .cc-banner, .cc-app", has_text="page address")
    banner.first.wait_for()
    assert "may only use letters" in page.locator(".cc-app").inner_text()
    page.close()
