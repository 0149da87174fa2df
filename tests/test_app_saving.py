"""The app's save path under a real worker thread: always the newest revision, one save at a time; pausing."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

import pytest

from careerconv.records import schema
from careerconv.surfaces.app.autosave import Autosaver, SavingPaused
from careerconv.surfaces.app.scheduling import ManualClock, ManualScheduler, ThreadScheduler
from careerconv.surfaces.app.session import EditSession, create_record
from careerconv.records.store import Store

from app_harness import START


def test_background_saves_carry_the_newest_revision_and_never_overlap(small_org: Path):
    store = Store(small_org)
    draft = create_record(store,
                          schema.new_conversation("E002", "C01", dt.date(2026, 10, 1), "career-conversation", "1"))
    real_save = store.save_conversation
    calls: list[tuple[int, int]] = []  # (revision sent, revision stored)
    running, most = [0], [0]
    guard = threading.Lock()

    def slow_save(record: dict) -> dict:
        with guard:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.01)  # a slow disk: keystrokes and a completing save arrive meanwhile
        try:
            stored = real_save(record)
            calls.append((record["revision"], stored["revision"]))
            return stored
        finally:
            with guard:
                running[0] -= 1

    store.save_conversation = slow_save
    state = {"snapshot": draft}
    session = EditSession(store, draft, snapshot=lambda: state["snapshot"], on_open=lambda r, n: None,
                          on_leave=lambda n: None, scheduler=ThreadScheduler(), delay=0.005, max_wait=0.02,
                          background=True)
    for n in range(150):
        state["snapshot"] = {**draft, "answers": {"want_more": f"typed {n}"}}
        session.changed(state["snapshot"])
        if n == 75:  # a save on the caller's thread while the worker may be writing
            session.save_now({**state["snapshot"], "answers": {"want_more": "saved at once"}})
        time.sleep(0.001)
    session.flush()
    session.close()
    assert session.problem is None and session.conflicts == 0
    assert most[0] == 1, "two saves of one record ran at once"
    assert len(calls) >= 3 and [sent for sent, _ in calls] == [1] + [stored for _, stored in calls[:-1]]
    final = store.load_conversation("E002", draft["conversation_id"])
    assert final["answers"]["want_more"] == "typed 149" and final["revision"] == calls[-1][1]


def test_a_paused_autosaver_keeps_changes_and_saves_the_newest_on_resume():
    clock = ManualClock(START)
    scheduler = ManualScheduler(clock)
    saved: list[dict] = []
    autosaver = Autosaver(lambda r: saved.append(r) or r, scheduler=scheduler, clock=clock, delay=1.0,
                          background=False)
    autosaver.changed({"n": 1})
    autosaver.pause("changed elsewhere")
    assert autosaver.status.text == "Not saved: changed elsewhere" and autosaver.paused == "changed elsewhere"
    autosaver.changed({"n": 2})
    scheduler.advance(30)
    assert saved == [] and autosaver.status.text == "Not saved: changed elsewhere"
    with pytest.raises(SavingPaused):
        autosaver.flush()
    assert autosaver.pending == {"n": 2}
    autosaver.resume()
    scheduler.advance(1.5)
    assert saved == [{"n": 2}] and autosaver.status.text.startswith("Saved")
