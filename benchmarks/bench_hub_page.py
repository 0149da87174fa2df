"""How soon a coach's app page is usable under the hub (``careerconv hub``), in a real browser.

Starts a real hub (dummy authenticator, as the hub's browser tests do) on a copy of the sample data, drives
Debian's Chromium with Playwright as coach e0001 and prints, per source tree:

* **first page** - from "Sign in" on the hub's login page (the hub starts the coach's server) to the app's search
  box finding E0002 (one of e0001's people);
* **page on a running server** - from opening the app's address in a new tab (the previous one closed) to the
  same, ``--pages`` times, with ``--pause`` seconds between them (the coach works on the page);
* **server memory** - the resident memory of the coach's server and its kernels once the last page is usable and
  ``--pause`` seconds have passed, and how many kernels it runs then.

``--compare TREE`` measures another source tree too (e.g. a ``git worktree`` of main), alternating the two trees
round by round, and prints the ratio of this tree's figures to the other's, measured in one run on one machine.

Usage::

    .venv/bin/python benchmarks/bench_hub_page.py [--compare /tmp/main-tree] [--rounds 2] [--pages 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
GROUPS = {"coaches": ["e0020", "e0001"], "hr": ["hana"], "operators": ["olga"]}
COACH, PERSON = "e0001", "E0002"
TIMEOUT_MS = 300_000


def usable(page) -> None:
    """Wait until the app's search box finds :data:`PERSON`."""
    page.wait_for_selector(".cc-app .cc-search input", timeout=TIMEOUT_MS)
    page.fill(".cc-search input", PERSON)
    page.locator(".cc-result", has_text=PERSON).wait_for(timeout=TIMEOUT_MS)


def server_memory(hub_pid: int) -> tuple[float, int]:
    """The resident memory (MB) of the coach's server and everything it started, and how many kernels it runs."""
    import psutil

    for proc in psutil.Process(hub_pid).children(recursive=True):
        if any("singleuser_server" in part for part in proc.cmdline()):
            family = [proc, *proc.children(recursive=True)]
            kernels = [p for p in family if any("kernel" in part for part in p.cmdline())]
            return sum(p.memory_info().rss for p in family) / 2**20, len(kernels)
    raise RuntimeError("the coach's server is not running")


def measure_here(pages: int, pause: float) -> dict:
    """Start a hub of the careerconv this process imports, and time its pages (see the module)."""
    from playwright.sync_api import sync_playwright

    from careerconv.records import config
    from careerconv.surfaces.commands.hub import Hub

    root = Path(tempfile.mkdtemp(prefix="bench-hub-"))
    data = root / "data"
    shutil.copytree(config.SAMPLE_DATA_DIR, data)
    hub = Hub.start(data, root / "state", groups=GROUPS, authenticator="dummy")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 1000})
            page = context.new_page()
            page.goto(hub.url + "hub/login")
            page.fill("#username_input", COACH)
            page.fill("#password_input", "any")
            started = time.monotonic()
            page.click("#login_submit")
            usable(page)
            first = time.monotonic() - started
            later = []
            for _ in range(pages):
                page.wait_for_timeout(pause * 1000)
                page.close()
                page = context.new_page()
                started = time.monotonic()
                page.goto(f"{hub.url}user/{COACH}/")
                usable(page)
                later.append(time.monotonic() - started)
            page.wait_for_timeout(pause * 1000)
            memory, kernels = server_memory(hub.process.pid)
            browser.close()
    finally:
        hub.stop()
        shutil.rmtree(root, ignore_errors=True)
    return {"first page": first, "pages": later, "memory MB": memory, "kernels": kernels}


def measure(tree: Path, pages: int, pause: float) -> dict:
    """:func:`measure_here` in a process that imports careerconv from ``tree``."""
    done = subprocess.run([sys.executable, __file__, "--worker", "--pages", str(pages), "--pause", str(pause)],
                          cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)}, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"the measurement of {tree} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def summary(runs: list[dict]) -> dict[str, float]:
    return {"first page (s)": statistics.median(r["first page"] for r in runs),
            "page on a running server (s)": statistics.median(t for r in runs for t in r["pages"]),
            "server memory (MB)": statistics.median(r["memory MB"] for r in runs),
            "kernels": statistics.median(r["kernels"] for r in runs)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compare", type=Path, help="another source tree to measure alternately (e.g. main's)")
    parser.add_argument("--rounds", type=int, default=2, help="hubs started per tree (default 2)")
    parser.add_argument("--pages", type=int, default=3, help="pages opened on the running server per hub")
    parser.add_argument("--pause", type=float, default=25.0, help="seconds the coach works on each page")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(measure_here(args.pages, args.pause)))
        return 0
    trees = {"this tree": PROJECT, **({"compared": args.compare.resolve()} if args.compare else {})}
    runs: dict[str, list[dict]] = {label: [] for label in trees}
    for round_ in range(args.rounds):
        order = list(trees.items()) if round_ % 2 else list(trees.items())[::-1]  # alternate which goes first
        for label, tree in order:
            result = measure(tree, args.pages, args.pause)
            print(f"round {round_ + 1}, {label}: " + json.dumps(result), file=sys.stderr)
            runs[label].append(result)
    figures = {label: summary(done) for label, done in runs.items()}
    print(f"{'median':<32}" + "".join(f"{label:>14}" for label in figures)
          + (f"{'ratio':>10}" if args.compare else ""))
    for name in figures["this tree"]:
        row = [figures[label][name] for label in figures]
        ratio = f"{row[0] / row[1]:>10.2f}" if args.compare and row[1] else ""
        print(f"{name:<32}" + "".join(f"{value:>14.2f}" for value in row) + ratio)
    return 0


if __name__ == "__main__":
    sys.exit(main())
