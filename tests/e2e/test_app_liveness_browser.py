"""The app knows when its page is gone, and the page knows when the app is gone (Voila, a real browser).

Found by a hostile tester on the hub: a closed page's kernel kept the section clock running and kept saving the
draft for half an hour (a 2-minute section stored as 33 minutes, revision 49 -> 197), and its widget updates kept
the idle culler from ending it; and after the kernel ended, the page went on showing "Saved 09:21:55" and took
typing that was never saved. Here the page counts as gone after 6 s with no beat
(``CAREERCONV_PAGE_GONE_AFTER``; 60 s in use). Screenshots of the lost-connection notice at 1280 and 400 px wide
go to ``tests/output/e2e/`` (and are copied to ``/tmp/liveness-*.png``).
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from conftest import AppServer
from orgs import make_small_org
from test_app_browser import CoachUI, stored_conversations

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

GONE_AFTER = 6  # seconds with no beat before the kernel counts the page as gone
DESKTOP = {"width": 1280, "height": 800}
NARROW = {"width": 400, "height": 800}


@pytest.fixture(scope="module")
def server(tmp_path_factory, browser):
    data = tmp_path_factory.mktemp("liveness") / "data"
    make_small_org(data)
    server = AppServer(data, lab=False, env={"CAREERCONV_PAGE_GONE_AFTER": str(GONE_AFTER)})
    yield server
    server.stop()  # a test ends one of its kernels on purpose


def open_conversation(browser, server, name: str, output_dir: Path, person: tuple[str, str]) -> CoachUI:
    """A page of the app with ``person``'s new conversation started (its clock running)."""
    ui = CoachUI(browser.new_page(viewport=DESKTOP), name, output_dir)
    ui.page.goto(server.url)
    ui.wait_ready()
    ui.pick(*person)
    ui.page.click(".cc-start")
    ui.page.locator(".cc-dreams").wait_for()
    return ui


def test_a_closed_page_stops_the_clock_and_saving_at_its_last_beat(browser, server, output_dir):
    opened = time.monotonic()  # the clock starts a moment after this
    ui = open_conversation(browser, server, "liveness-closed", output_dir, ("turing", "Alan Turing · E002"))
    ui.fill_dreams(["Lead the platform team"])
    ui.page.wait_for_timeout(12_000)  # longer than the page waits for an answer to a beat
    assert ui.page.locator(".cc-lost").count() == 0, "a page whose kernel answers said the connection was lost"
    ui.page.locator(".cc-dream-text input").nth(1).fill("Write a book")
    ui.page.close()  # the coach closes the browser right after typing
    closed = time.monotonic()
    time.sleep(GONE_AFTER + 8)  # the kernel finds the page gone and saves what it had
    first = stored_conversations(server.data, "E002")[0]
    time.sleep(35)  # longer than the 30 s after which a running section's time is saved again
    later = stored_conversations(server.data, "E002")[0]
    assert later["revision"] == first["revision"] and later["sections"] == first["sections"]
    assert [d["text"] for d in first["dreams"]] == ["Lead the platform team", "Write a book"]
    # the clock stopped at the page's last beat: not after the page was closed plus the wait
    assert first["sections"]["goals"]["seconds"] <= closed - opened


def test_a_page_whose_kernel_ended_says_so_and_keeps_what_was_typed(browser, server, output_dir):
    ui = open_conversation(browser, server, "liveness-ended", output_dir, ("katherine", "Katherine Johnson · E003"))
    ui.fill_dreams(["Fly to the moon"])
    ui.wait_saved()
    server.api("DELETE", f"/api/kernels/{ui.kernel_ids[-1]}")  # culled, restarted or stopped: the same to the page
    ui.page.locator(".cc-dream-text input").nth(1).fill("Typed after the end")

    notice = ui.page.locator(".cc-lost")
    notice.wait_for(timeout=30_000)
    text = notice.inner_text()
    saved = ui.page.locator(".cc-status").inner_text().strip().removeprefix("Saved ")  # the last save shown
    assert "This page has lost its connection to careerconv" in text
    assert f"What you type now is not saved. Reload the page to go on: everything saved up to {saved} comes back." \
        in text
    assert "Typed after the end" in notice.locator(".cc-lost-typed").input_value()
    assert ui.page.locator(".cc-lost-reload").is_visible()
    assert [d["text"] for d in stored_conversations(server.data, "E003")[0]["dreams"]] == ["Fly to the moon"]
    for label, size in (("desktop", DESKTOP), ("narrow", NARROW)):
        ui.page.set_viewport_size(size)
        ui.page.wait_for_timeout(400)
        path = output_dir / f"liveness-lost-{label}.png"
        ui.page.screenshot(path=str(path))
        shutil.copy(path, Path("/tmp") / path.name)

    ui.page.click(".cc-lost-reload")  # a new kernel, back on the conversation: what was saved comes back
    ui.page.locator(".cc-dreams").wait_for(timeout=120_000)
    assert ui.page.locator(".cc-dream-text input").first.input_value() == "Fly to the moon"
    assert ui.page.locator(".cc-lost").count() == 0
    ui.page.close()


def kernel_pid(kernel_id: str) -> int:
    """The process of the kernel ``kernel_id`` (its command line names its connection file, kernel-<id>.json)."""
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and f"kernel-{kernel_id}.json" in (proc / "cmdline").read_text(errors="replace"):
                return int(proc.name)
        except OSError:
            continue
    raise AssertionError(f"no process of kernel {kernel_id}")


@pytest.fixture(scope="module")
def beating_as_in_use(tmp_path_factory, browser):
    """``careerconv app`` whose pages beat as in use: every 15 s, not every 1.5 s as in ``server``."""
    data = tmp_path_factory.mktemp("liveness-in-use") / "data"
    make_small_org(data)
    server = AppServer(data, lab=False)
    yield server
    server.stop()


def test_a_page_whose_kernel_was_killed_says_so_before_a_beat_would_have_gone_unanswered(
        browser, beating_as_in_use, output_dir):
    """After a kill -9 of the kernel the page went on showing "Saved" and took typing for 12 s, until a beat went
    unanswered for 10 s; the server says at once that the kernel died."""
    ui = open_conversation(browser, beating_as_in_use, "liveness-killed", output_dir,
                           ("lovelace", "Ada Lovelace · E001"))
    ui.fill_dreams(["Write a compiler"])
    ui.wait_saved()
    ui.page.wait_for_timeout(2_000)  # a beat was just answered: the next one is ~13 s away
    killed = time.monotonic()
    os.kill(kernel_pid(ui.kernel_ids[-1]), signal.SIGKILL)
    ui.page.locator(".cc-lost").wait_for(timeout=30_000)
    assert time.monotonic() - killed < 8, "the page said nothing until a beat went unanswered"
    ui.page.locator(".cc-app .jupyter-widgets-disconnected").first.wait_for(state="attached")
    icons = ui.page.evaluate("() => [...document.querySelectorAll('.cc-app, .cc-app .jupyter-widgets-disconnected')]"
                             ".filter(e => getComputedStyle(e, '::before').content !== 'none').length")
    assert icons == 0, "broken-chain icons over the app, under the notice"
    ui.page.close()
