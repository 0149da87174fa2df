"""How fast the coach's app answers in a real browser, from click to painted result.

Starts ``careerconv app`` (Voila) on a copy of a large demo organisation
(``careerconv --data DIR demo --employees 10000 --seed 7``), drives Debian's
Chromium with Playwright as a coach would, and prints p50/p95 per interaction:

* **usable** - from the ``careerconv app`` command to a page whose search box
  answers (type an employee id, the person is listed), in a browser that is already open;
* **select a person** - click a search result until their card and actions show;
* **start / resume** - "Start career conversation" or "Resume draft" until the
  first section shows; **resume (3 skills)** - the Resume clicks alone (a draft with three skills, shown on
  its action plan); **click right after resume** - a step of the stepper clicked as soon as the resumed draft
  is painted, while the sections not on screen are built in the background;
* **switch section** - a step of the stepper until its section shows;
* **add a skill** - "Add" until the new skill card shows;
* **back** - "← People" / "← Back" until the person page shows;
* **open a check-in**, **save a check-in**;
* **team view** - "My team" until the rows show.

Each time runs in the page: ``performance.now()`` at the click, then every
animation frame until the result is in the DOM and visible, plus one more frame
(painted). Target: p95 <= 500 ms per interaction, usable <= 6 s.

``--compare TREE`` runs the same steps on another source tree first (e.g. a
``git worktree`` of the commit before a change) and prints both side by side,
measured in one run on the same machine.

Usage::

    .venv/bin/python benchmarks/bench_app_browser.py --source /tmp/org10k [--rounds 6] \\
        [--compare /tmp/base-tree]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
URL_RE = re.compile(r"(http://127\.0\.0\.1:(\d+)/\S*token=[A-Za-z0-9_-]+)")
TARGET_MS = 500.0
USABLE_TARGET_S = 6.0
INTERACTIONS = ["select a person", "start / resume", "resume (3 skills)", "click right after resume",
                "switch section", "add a skill", "back", "open a check-in", "save a check-in", "team view"]
SKILLS = ("Negotiation", "Public speaking", "Statistics")  # the draft resumed holds these

# Click an element, then wait frame by frame until `done` holds, plus one frame: the result is painted.
TIMER_JS = """
([selector, text, done]) => new Promise((resolve, reject) => {
  const visible = el => !!el && el.getClientRects().length > 0;
  const candidates = [...document.querySelectorAll(selector)].filter(
      el => visible(el) && (!text || el.textContent.includes(text)));
  if (!candidates.length) { reject(new Error('nothing to click: ' + selector + ' ' + (text || ''))); return; }
  let target = candidates[0];
  if (target.tagName !== 'BUTTON') target = target.querySelector('button') || target;
  const check = new Function('visible', 'return (' + done + ');');
  const t0 = performance.now();
  target.click();
  const poll = () => {
    if (check(visible)) { requestAnimationFrame(() => resolve(performance.now() - t0)); return; }
    if (performance.now() - t0 > 60000) { reject(new Error('timed out waiting for ' + done)); return; }
    requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
})
"""


def shown(selector: str, text: str = "") -> str:
    """A JS condition: an element matching ``selector`` (holding ``text``) is visible."""
    sel = selector.replace("'", "\\'")
    txt = text.replace("\\", "\\\\").replace("'", "\\'")
    return (f"[...document.querySelectorAll('{sel}')].some(e => visible(e) && "
            f"e.textContent.includes('{txt}'))")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


class Server:
    """``careerconv app`` from a given source tree, on a free port; stopped with Ctrl-C."""

    def __init__(self, tree: Path, data: Path):
        env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONUNBUFFERED": "1"}
        self.lines: list[str] = []
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "careerconv.cli", "--data", str(data), "app", "--no-browser",
             "--port", str(free_port())], cwd=tree, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        threading.Thread(target=lambda: [self.lines.append(x) for x in self.proc.stdout], daemon=True).start()
        deadline = time.monotonic() + 120
        self.url = None
        while self.url is None and time.monotonic() < deadline and self.proc.poll() is None:
            for text in list(self.lines):
                m = URL_RE.search(text)
                if m:
                    self.url = m.group(1)
            time.sleep(0.05)
        if self.url is None:
            self.stop()
            raise RuntimeError("careerconv app did not print its URL:\n" + "".join(self.lines))

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


class Coach:
    """The timed steps, on one page."""

    def __init__(self, page, label: str, verbose: bool):
        self.page = page
        self.label, self.verbose = label, verbose
        self.times: dict[str, list[float]] = {k: [] for k in INTERACTIONS}

    def timed(self, what: str, selector: str, done: str, text: str = "") -> float:
        if self.verbose:
            print(f"[{self.label}]   {what}: {selector} {text}", end="", flush=True)
        took = self.page.evaluate(TIMER_JS, [selector, text, done])
        if self.verbose:
            print(f" {took:.0f} ms", flush=True)
        self.times[what].append(took)
        return took

    def settle(self, ms: int = 1000) -> None:  # a coach reads the screen for a moment between clicks
        self.page.wait_for_timeout(ms)

    def find(self, employee_id: str, name: str) -> None:
        self.page.fill(".cc-search input", employee_id)
        self.page.locator(".cc-result", has_text=employee_id).first.wait_for()
        self.settle()
        self.timed("select a person", ".cc-result", shown(".cc-employee-card", name) + " && "
                   + shown(".cc-actions"), text=employee_id)

    def round(self, employee_id: str, name: str, coach_label: str) -> None:
        page = self.page
        page.locator(".cc-coach select").select_option(label=coach_label)
        self.settle(400)
        self.find(employee_id, name)
        self.settle()
        self.timed("start / resume", ".cc-start", shown(".cc-section-goals") + " && " + shown(".cc-step-active"))
        self.settle()
        for step in ("action_plan", "next_steps", "goals", "action_plan"):
            self.timed("switch section", f".cc-step-{step}",
                       shown(f".cc-step-{step}.cc-step-active") + " && " + shown(f".cc-section-{step}"))
            self.settle()
        for skill in SKILLS:
            page.fill(".cc-skill-input input", skill)
            self.settle(400)
            cards = page.locator(".cc-skill-card").count()
            self.timed("add a skill", ".cc-add-skill",
                       f"document.querySelectorAll('.cc-skill-card').length > {cards}")
            self.settle()
        self.settle(1200)  # the draft is saved
        self.timed("back", ".cc-close", shown(".cc-person-view") + " && " + shown(".cc-draft-offer"))
        self.settle()
        took = self.timed("start / resume", ".cc-resume", shown(".cc-section-action_plan")
                          + f" && document.querySelectorAll('.cc-skill-card').length >= {len(SKILLS)}")
        self.times["resume (3 skills)"].append(took)
        # at once, while the sections not on screen are built in the background
        self.timed("click right after resume", ".cc-step-goals",
                   shown(".cc-step-goals.cc-step-active") + " && " + shown(".cc-section-goals"))
        self.settle()
        self.timed("back", ".cc-close", shown(".cc-person-view"))
        self.settle()
        self.timed("open a check-in", ".cc-open-checkin", shown(".cc-checkin") + " && " + shown(".cc-save-checkin"))
        self.settle()
        note = page.locator(".cc-checkin-note textarea")
        if note.count():
            note.first.fill("Talked about the next quarter")
        else:
            page.locator(".cc-checkin textarea").first.fill("Talked about the next quarter")
        self.settle(400)
        self.timed("save a check-in", ".cc-save-checkin", shown(".cc-checkin-message", "saved"))
        self.settle()
        self.timed("back", ".cc-back-checkin", shown(".cc-person-view"))
        self.settle()
        self.timed("team view", ".cc-view-choice button", shown(".cc-team-row"), text="My team")
        self.settle()
        self.timed("back", ".cc-view-choice button", shown(".cc-person-view"), text="Find a person")
        self.settle()


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def subjects(data: Path, count: int, seed: int) -> list[tuple[str, str, str]]:
    """People with a completed conversation and no draft: (id, name, their coach as the coach menu shows them)."""
    import pandas as pd

    from careerconv.records.store import Store
    store = Store(data)
    roster = store.roster().set_index("employee_id")
    rng = random.Random(seed)
    people = sorted(p.name for p in (data / "conversations").iterdir() if p.is_dir())
    rng.shuffle(people)
    chosen = []
    for eid in people:
        convs = store.conversations(eid)
        if eid in roster.index and convs and all(c["status"] == "completed" for c in convs) \
                and not pd.isna(roster.loc[eid, "coach_id"]):
            coach = str(roster.loc[eid, "coach_id"])
            label = f"{roster.loc[coach, 'name']} ({coach})" if coach in roster.index else coach
            chosen.append((eid, str(roster.loc[eid, "name"]), label))
        if len(chosen) == count:
            break
    return chosen


def measure(tree: Path, source: Path, work: Path, rounds: int, seed: int, label: str, verbose: bool) -> dict:
    """Copy the organisation, start the app from ``tree``, run the rounds; the times in ms (usable in s)."""
    from playwright.sync_api import sync_playwright
    if work.exists():
        shutil.rmtree(work)
    print(f"[{label}] copying {source} -> {work} ...", flush=True)
    # Hard links: the store only ever replaces a file (temp file + rename), never writes into one, so the
    # source is never changed through a link; copying 100,000 small files would take minutes.
    shutil.copytree(source, work, ignore=shutil.ignore_patterns(".locks", ".*.tmp"), copy_function=_link_or_copy)
    people = subjects(work, rounds, seed)
    with sync_playwright() as pw:
        # The coach's browser is open before `careerconv app` starts: its own start is not the app's.
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(120_000)
        server = Server(tree, work)
        try:
            page.goto(server.url)
            page.wait_for_selector(".cc-app .cc-search input")
            eid = people[0][0]
            page.fill(".cc-search input", eid)
            page.locator(".cc-result", has_text=eid).first.wait_for()
            usable = time.perf_counter() - server.started
            page.fill(".cc-search input", "")
            print(f"[{label}] usable after {usable:.1f} s", flush=True)
            coach = Coach(page, label, verbose)
            for i, (eid, name, coach_id) in enumerate(people, start=1):
                coach.round(eid, name, coach_id)
                print(f"[{label}] round {i}/{len(people)} done", flush=True)
        finally:
            server.stop()
            browser.close()
    return {"usable": usable, **coach.times}


def report(results: dict[str, dict]) -> bool:
    labels = list(results)
    ok = True
    head = "".join(f"{lab + ' p50':>12}{lab + ' p95':>12}" for lab in labels)
    print(f"\n{'interaction (ms, click to painted)':<36}{head}   n   target p95 <= {TARGET_MS:.0f} ms")
    for what in INTERACTIONS:
        cells = ""
        for lab in labels:
            values = results[lab][what]
            cells += f"{statistics.median(values):12.0f}{pct(values, 95):12.0f}"
        newest = results[labels[-1]][what]
        verdict = "OK" if pct(newest, 95) <= TARGET_MS else "MISSED"
        ok &= verdict == "OK"
        print(f"{what:<36}{cells}{len(newest):4d}   {verdict}")
    usable = "".join(f"{results[lab]['usable']:24.1f}" for lab in labels)
    verdict = "OK" if results[labels[-1]]["usable"] <= USABLE_TARGET_S else "MISSED"
    ok &= verdict == "OK"
    print(f"{'usable after careerconv app (s)':<36}{usable}        target <= {USABLE_TARGET_S:.0f} s  {verdict}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=Path("/tmp/org10k"), help="the demo organisation")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench_app_browser"), help="scratch copies")
    parser.add_argument("--rounds", type=int, default=5, help="people to go through")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--compare", type=Path, help="another source tree (the approach before) to measure first")
    parser.add_argument("--verbose", action="store_true", help="print every timed step")
    args = parser.parse_args(argv)
    if not (args.source / "roster.csv").exists():
        print(f"no demo organisation at {args.source}; create it with\n  careerconv --data {args.source} demo "
              "--employees 10000 --seed 7", file=sys.stderr)
        return 2
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing (apt-get install chromium)", file=sys.stderr)
        return 2
    results = {}
    print(f"{os.cpu_count()} CPUs, load average at the start {os.getloadavg()[0]:.1f}", flush=True)
    if args.compare:
        results["before"] = measure(args.compare.resolve(), args.source, args.work / "before", args.rounds,
                                    args.seed, "before", args.verbose)
    results["now"] = measure(PROJECT, args.source, args.work / "now", args.rounds, args.seed, "now", args.verbose)
    ok = report(results)
    print(f"\n{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print("all targets met" if ok else "SOME TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
