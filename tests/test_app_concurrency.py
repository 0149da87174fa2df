"""Four processes save through the app's own save path at once: no acknowledged save is lost.

Each process is a coach's kernel: a headless :class:`ConversationApp` on the
shared data folder, all on the same employee and day. It mixes creates (the
first through ``start_conversation``, then through the same ``create_record``
the app uses) and updates of any conversation of that
employee, opened at its stored revision in ``app.edit_session`` (the app's
save path for every open record: autosave, compare-and-swap, conflict
handling). Half of the saves go through ``flush``, half through the debounce
(the manual scheduler firing the autosaver). A refused save is resolved the
way a coach would: take theirs, keep mine as a copy, or merge.

Every save acknowledged to a process is logged as ``(record id, revision,
marker)``; every refusal must reach the process (counted). Afterwards, for
each record the acknowledged revisions are exactly 1..N with N on disk (no
two processes were told they wrote the same revision: that would be a lost
update), the disk holds the last acknowledged content, and each process's own
answer holds the last marker that process had acknowledged on that record.
"""

from __future__ import annotations

import multiprocessing
import random
import time
from collections import defaultdict
from pathlib import Path

from careerconv.records.store import Conflict

EMPLOYEE = "E002"
PROCESSES = 4
OPS = 200


def coach_kernel(root: str, me: int, ops: int, seed: int) -> dict:
    """One process: ``ops`` creates and updates through the app's save path; returns its log."""
    from careerconv.records import schema
    from careerconv.surfaces.app import ConversationApp
    from careerconv.surfaces.app.autosave import SavingPaused
    from careerconv.surfaces.app.scheduling import ManualClock, ManualScheduler
    from careerconv.surfaces.app.session import create_record

    from app_harness import START

    rng = random.Random(seed)
    clock = ManualClock(START)
    scheduler = ManualScheduler(clock)
    app = ConversationApp(root, clock=clock, scheduler=scheduler, background_saves=False, autosave_delay=1.0)
    app.select_employee(EMPLOYEE)
    store = app.store
    folder = Path(root) / "conversations" / EMPLOYEE
    acks: list[tuple[str, int, str]] = []
    attempts = conflicts = 0

    def marked(record: dict, marker: str) -> dict:
        return {**record, "answers": {**record.get("answers", {}), f"p{me}": marker, "last": marker}}

    def ack(stored: dict | None, marker: str) -> None:
        if stored is not None:
            acks.append((stored["conversation_id"], stored["revision"], marker))

    def edit_and_save(session, state: dict, step: int) -> int:
        """1-3 edits, each saved (flush or debounce); a refusal is resolved. Returns the refusals counted."""
        nonlocal attempts
        for edit in range(rng.randint(1, 3)):
            marker = f"p{me}-{step}-{edit}"
            state["snapshot"] = marked(state["snapshot"], marker)
            session.changed(state["snapshot"])
            attempts += 1
            if rng.random() < 0.5:
                try:
                    ack(session.flush(), marker)
                except (Conflict, SavingPaused):
                    pass  # counted by the session (its conflict box)
            else:
                saved_before = session.autosaver.last_saved
                scheduler.advance(1.5)  # the debounce elapses: the autosaver saves
                if session.problem is None:
                    assert session.autosaver.last_saved is not saved_before
                    ack(session.current, marker)
            if session.problem is not None:
                choice = rng.choice(["theirs", "copy", "merge"])
                if choice == "theirs":
                    session.take_theirs()
                elif choice == "copy":
                    attempts += 1
                    ack(session.keep_mine(), marker)
                else:
                    attempts += 1
                    stored = session.save_merge({})
                    ack(stored, marker)
                    if stored is None:
                        session.take_theirs()
                break
        session.close(flush=False)
        return session.conflicts

    for step in range(ops):
        ids = sorted(p.name[:-5] for p in folder.glob("*.json") if not p.name.startswith(".")) \
            if folder.is_dir() else []
        marker = f"p{me}-{step}"
        if step < 3:  # the app's own start: the store gives the new draft its id; it is edited below
            attempts += 1
            ack(app.start_conversation(), "")
            app.session.close(flush=False)  # its first quiet save (time in the section) is not needed
            app.session = None
            continue
        if not ids or rng.random() < 0.15:
            record = schema.new_conversation(EMPLOYEE, "C01", START.date(), "career-conversation", "1")
            attempts += 1
            ack(create_record(store, marked(record, marker)), marker)
            continue
        hot = ids[:4] if rng.random() < 0.7 else ids  # most updates race on a few records
        record = store.load_conversation(EMPLOYEE, rng.choice(hot))
        state = {"snapshot": record}
        session = app.edit_session(record, snapshot=lambda: state["snapshot"],
                                   on_open=lambda _rec, _notice: None, on_leave=lambda _n: None)
        conflicts += edit_and_save(session, state, step)
    return {"me": me, "acks": acks, "attempts": attempts, "conflicts": conflicts}


def test_four_processes_through_the_app_save_path_lose_no_acknowledged_save(small_org: Path):
    started = time.perf_counter()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(PROCESSES) as pool:
        logs = pool.starmap_async(coach_kernel, [(str(small_org), me, OPS, 1000 + me)
                                                 for me in range(PROCESSES)]).get(timeout=240)
    elapsed = time.perf_counter() - started

    from careerconv.records.store import Store
    store = Store(small_org)
    on_disk = {r["conversation_id"]: r for r in store.conversations(EMPLOYEE)}
    by_record: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for log in logs:
        for rid, revision, marker in log["acks"]:
            by_record[rid].append((revision, log["me"], marker))
        # every save attempted was either acknowledged or refused to the process that made it
        assert len(log["acks"]) + log["conflicts"] == log["attempts"], log["me"]
    assert set(by_record) == set(on_disk), "a record on disk nobody was told about, or one acknowledged and gone"
    for rid, acks in by_record.items():
        acks.sort()
        revisions = [r for r, _, _ in acks]
        assert revisions == list(range(1, len(acks) + 1)), f"{rid}: acknowledged revisions {revisions}"
        stored = on_disk[rid]
        assert stored["revision"] == revisions[-1] and stored["answers"].get("last", "") == acks[-1][2], rid
        last_of = {me: marker for _, me, marker in acks}  # each process's last acknowledged marker here
        for me, marker in last_of.items():
            assert stored["answers"].get(f"p{me}", "") == marker, f"{rid}: process {me}'s {marker!r} was lost"

    n_acks = sum(len(a) for a in by_record.values())
    n_conflicts = sum(log["conflicts"] for log in logs)
    print(f"\n{PROCESSES} processes x {OPS} operations in {elapsed:.1f} s: {len(on_disk)} conversations, "
          f"{n_acks} acknowledged saves, {n_conflicts} conflicts reported")
    assert n_conflicts > 0, "the processes never raced: the test proves nothing"
    assert len(on_disk) >= PROCESSES * 3
