"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from careerconv.records import config
from prerequisites import missing

os.environ.setdefault("MPLBACKEND", "Agg")

# The property tests check what comes out, never how fast (the benchmarks time things): no time limit on an example
# or on making one, as the machine may be busy (found: `test_iso_dates_read_back`, 40 ms of work, failed its 200 ms
# deadline beside two other test runs). A test may ask for more examples or other health checks, never for a deadline.
settings.register_profile("careerconv", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("careerconv")

SAMPLE = config.SAMPLE_DATA_DIR


@pytest.fixture
def sample_data(tmp_path: Path) -> Path:
    """A private copy of the committed sample organisation (careerconv/demo/sample), safe to change."""
    if not (SAMPLE / "roster.csv").exists():
        pytest.fail("careerconv/demo/sample is missing: regenerate it as careerconv/demo/sample/README.md says")
    target = tmp_path / "data"
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns("derived", ".locks"))
    return target


@pytest.fixture
def small_org(tmp_path: Path) -> Path:
    """The small hand-built organisation of tests/orgs.py (six people; Ada has a conversation and a check-in)."""
    from orgs import make_small_org  # after MPLBACKEND is set above

    root = tmp_path / "org"
    make_small_org(root)
    return root


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


# How long a page may take to load (ms): the app's page comes once Voila's kernel has run the notebook, which on a
# busy 2-core machine took over Playwright's 30 s default for the first page of a new server (twice in CI runs).
PAGE_LOAD = 120_000


class Chromium:
    """The browser of :func:`browser`: its pages (and its contexts' pages) wait :data:`PAGE_LOAD` for a page to load
    (``goto``, ``reload``), whatever they wait for other things; otherwise Playwright's ``Browser``."""

    def __init__(self, browser):
        self._browser = browser

    def new_page(self, **options):
        page = self._browser.new_page(**options)
        page.set_default_navigation_timeout(PAGE_LOAD)
        return page

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        context.set_default_navigation_timeout(PAGE_LOAD)
        return context

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright (one for the whole session; see :class:`Chromium`)."""
    if not Path(CHROMIUM).exists():
        missing(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield Chromium(chromium)
        chromium.close()
