"""A closed page stops the conversation's clock at its last beat; a page that comes back starts it again.

Found by a hostile tester on the hub: after the coach closed the browser the kernel kept the section clock running
and kept saving the draft (Action plan 124 s -> 2020 s half an hour later, revision 49 -> 197), and its widget
updates kept the idle culler from ending it. The page beats while it is open (page_bridge.py); these tests beat by
hand on the app's manual clock.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from careerconv.surfaces.app.page_liveness import GONE_AFTER_ENV, PageLiveness
from careerconv.surfaces.app.scheduling import ManualClock
from careerconv.surfaces.app.timers import SectionTimers

from app_harness import START, Harness


def beat(h: Harness) -> None:
    """The page sends a beat, as page_bridge's JavaScript does every 15 s while it is open."""
    h.app.bridge._message(h.app.bridge, {"event": "beat"}, [])


def wait(h: Harness, seconds: int, beat_every: int = 0) -> None:
    """Let ``seconds`` pass second by second (the clock ticks, its time is saved every 30 s), the page beating every
    ``beat_every`` seconds (0: no page)."""
    for second in range(1, seconds + 1):
        h.advance(1)
        if beat_every and second % beat_every == 0:
            beat(h)


def test_a_section_paused_at_an_earlier_moment_counts_only_the_time_until_then():
    clock = ManualClock(START)
    timers = SectionTimers({"goals": 20, "action_plan": 20}, clock)
    timers.enter("goals")
    clock.advance(100)
    timers.pause(at=START.replace(second=40))  # the page's last beat was 40 s in
    clock.advance(600)
    assert timers.seconds("goals") == 40
    assert timers.as_record()["goals"] == {"started_at": "2026-10-01T10:00:00+00:00",
                                           "ended_at": "2026-10-01T10:00:40+00:00", "seconds": 40}


def test_a_pause_before_the_visit_began_counts_nothing_of_it():
    clock = ManualClock(START)
    timers = SectionTimers({"goals": 20}, clock, {"goals": {"started_at": "2026-10-01T09:00:00+00:00",
                                                            "ended_at": "2026-10-01T09:05:00+00:00", "seconds": 300}})
    timers.enter("goals")
    clock.advance(30)
    timers.pause(at=START.replace(hour=9))  # a beat from before this visit: the visit counts 0 s, not less
    assert timers.seconds("goals") == 300


def test_a_closed_page_stops_the_clock_at_its_last_beat_and_saves_once(small_org: Path):
    h = Harness(small_org)
    app = h.app
    assert app.page.gone_after == 60
    app.bridge.arrived_sent = True  # the page opened
    app.select_employee("E002")
    app.start_conversation()
    app.conversation_screen.next_button.click()  # Action plan
    wait(h, 120, beat_every=15)  # two minutes with the page open
    app.editor("dreams").list.texts[0].value = "Lead a team"  # typed, then the laptop lid closes at once
    wait(h, 30 * 60)  # half an hour with no page

    stored = h.stored()
    assert stored["sections"]["action_plan"]["seconds"] == 120
    assert stored["sections"]["action_plan"]["ended_at"] == "2026-10-01T10:02:00+00:00"
    assert stored["dreams"][0]["text"] == "Lead a team"  # what was typed is saved
    revision = stored["revision"]
    label = app.conversation_screen.step_buttons["action_plan"].description
    wait(h, 30 * 60)
    assert h.stored()["revision"] == revision and h.stored()["sections"] == stored["sections"]
    assert app.conversation_screen.step_buttons["action_plan"].description == label  # nothing sent to the page

    beat(h)  # the laptop woke up: the clock goes on from now, the half hours away not counted
    wait(h, 45, beat_every=15)
    assert "2:45 / 20 min" in app.conversation_screen.step_buttons["action_plan"].description
    app.go_to("goals")
    app.flush()
    assert h.stored()["sections"]["action_plan"]["seconds"] == 165


def test_without_a_page_the_clock_runs_as_before(small_org: Path):
    """An app driven from code (a script, a notebook's tests) never had a page: nothing stops its clock."""
    h = Harness(small_org)
    h.app.select_employee("E002")
    h.app.start_conversation()
    wait(h, 600)
    h.app.flush()
    assert h.stored()["sections"]["goals"]["seconds"] == 600


def test_the_wait_comes_from_the_environment_and_a_wrong_one_is_named(monkeypatch):
    clock = ManualClock(START)
    monkeypatch.setenv(GONE_AFTER_ENV, "8")
    assert PageLiveness(clock).gone_after == 8 and PageLiveness(clock).beat_every == 2
    monkeypatch.setenv(GONE_AFTER_ENV, "soon")
    with pytest.raises(ValueError, match="CAREERCONV_PAGE_GONE_AFTER='soon' is not a number of seconds"):
        PageLiveness(clock)
    with pytest.raises(ValueError, match="positive number"):
        PageLiveness(clock, gone_after=0)
