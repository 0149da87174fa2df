"""Reliability of the store under the failures a coach's laptop really sees.

(a) A process killed with SIGKILL while saving leaves the old or the new
    record, never a corrupt one, and a leftover temp file is never read as data.
(b) Four processes saving to the same data folder at once, some to the same
    conversation, lose nothing: each save is a compare-and-swap, and a writer
    that lost the race is told so (``Conflict``) and tries again on the new
    revision. (The same through the app's own save path is in
    ``test_app_concurrency.py``.)

The writers are real child processes (``sys.executable``), killed for real.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import select
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from careerconv.records import schema
from careerconv.records import tables
from careerconv.records.store import Store
from orgs import roster_of

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")

PROJECT_DIR = Path(__file__).resolve().parent.parent

# A child that saves one conversation over and over, each version bigger than the
# last, and acknowledges each version on stdout once save_conversation returned.
# Version n holds n action items "i:<filler>" and answers.version == n, so a
# record that mixed two versions, or was cut short, would not check out.
AUTOSAVE_CHILD = textwrap.dedent("""
    import datetime as dt, os, sys, time
    from careerconv.records import schema
    from careerconv.records.store import NotFound, Store

    root, slow = sys.argv[1], sys.argv[2] == "slow"
    store = Store(root)
    print("imported", flush=True)
    sys.stdin.readline()  # wait for the go: the parent starts the next child while this one still imports
    if slow:  # a slow disk: pause after the temp file is written, before it replaces the record
        import careerconv.records.store as store_module
        real_replace = store_module.os.replace
        def announced_replace(src, dst):
            print("writing", flush=True)
            time.sleep(30)
            real_replace(src, dst)
        store_module.os.replace = announced_replace
    try:
        record = store.load_conversation("E1", "E1-20240301")
    except NotFound:
        record = schema.new_conversation("E1", "C1", dt.date(2024, 3, 1), "career-conversation", "1")
    n = int(record["answers"].get("version") or 0)
    print("ready", n, flush=True)
    while True:
        n += 1
        record["answers"]["version"] = str(n)
        record["action_items"].append({"item_id": f"a{n}", "text": f"{n}:" + "x" * 2000, "owner": "E1"})
        record = store.save_conversation(record)
        print("saved", n, flush=True)
""")


class Child:
    """A child Python process whose stdout is read line by line with a timeout."""

    def __init__(self, script: str, *args: str):
        env = {**os.environ, "PYTHONPATH": str(PROJECT_DIR) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        self.proc = subprocess.Popen([sys.executable, "-c", script, *args], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0, env=env,
                                     cwd=PROJECT_DIR)
        self._buffer = b""

    def _error(self) -> str:
        return self.proc.stderr.read().decode(errors="replace") if self.proc.poll() is not None else ""

    def read_line(self, timeout: float = 30.0) -> str:
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([fd], [], [], max(left, 0))
            if not ready:
                self.stop()
                raise AssertionError(f"child said nothing within {timeout} s")
            chunk = os.read(fd, 65536)
            if not chunk:
                self.proc.wait()
                raise AssertionError(f"child exited ({self.proc.returncode}): {self._error()}")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.decode().strip()

    def go(self) -> None:
        """Tell a child waiting on its stdin to start."""
        self.proc.stdin.write(b"go\n")
        self.proc.stdin.flush()

    def kill(self) -> list[str]:
        """SIGKILL the child; return the whole lines it printed that were not read yet.

        A line the kill cut short (no newline yet) is dropped: the child had not
        finished reporting it.
        """
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        assert self.proc.returncode == -signal.SIGKILL
        rest = self._buffer + self.proc.stdout.read()
        self._close()
        whole, _, _partial = rest.decode().rpartition("\n")
        return whole.splitlines()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)
        self._close()

    def _close(self) -> None:
        self.proc.stdin.close()
        self.proc.stdout.close()
        self.proc.stderr.close()


def _check_version(record: dict) -> int:
    """The version a stored autosave record holds, after checking it is one whole version."""
    n = int(record["answers"]["version"])
    items = record["action_items"]
    assert [i["item_id"] for i in items] == [f"a{k}" for k in range(1, n + 1)]
    assert all(i["text"] == f"{k}:" + "x" * 2000 for k, i in enumerate(items, start=1))
    return n


def _temp_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob(".*") if p.is_file() and p.name.endswith(".tmp"))


@pytest.mark.slow
def test_sigkill_while_autosaving_leaves_the_old_or_the_new_record(tmp_path):
    root = tmp_path / "data"
    store = Store(root)
    store.save_roster(roster_of(["E1"]))
    rng = random.Random(20240301)
    stored = 0  # the version on disk after the previous kill
    versions_seen = []
    child, following = None, Child(AUTOSAVE_CHILD, str(root), "fast")
    try:
        for attempt in range(20):
            child, following = following, (Child(AUTOSAVE_CHILD, str(root), "fast") if attempt < 19 else None)
            assert child.read_line() == "imported"
            child.go()
            assert child.read_line() == f"ready {stored}", "the child resumes from the version on disk"
            if attempt % 4:  # most kills land after the child's first save, however slow the machine is
                first = child.read_line()
                assert first.startswith("saved"), first
                output = [first]
            else:
                output = []
            time.sleep(rng.uniform(0.0, 0.25))
            output += child.kill()
            acked = max([stored] + [int(line.split()[1]) for line in output if line.startswith("saved")])

            path = store.record_path("conversation", "E1", "E1-20240301")
            if not path.exists():
                assert acked == 0, "an acknowledged save was lost"
                continue
            record = json.loads(path.read_bytes())  # parses: never a half-written file
            record = schema.validate_conversation(record, str(path))
            on_disk = _check_version(record)
            assert acked <= on_disk <= acked + 1, (attempt, acked, on_disk)
            assert stored <= on_disk
            stored = on_disk
            versions_seen.append(on_disk)

            # leftover temp files of the killed save are never taken for records
            assert [c["conversation_id"] for c in store.conversations("E1")] == ["E1-20240301"]
            assert len(list(store.iter_records())) == 1
            assert _check_version(store.load_conversation("E1", "E1-20240301")) == on_disk

    finally:
        for leftover in (child, following):
            if leftover is not None:
                leftover.stop()

    assert stored > 0 and len(set(versions_seen)) > 5, f"the kills landed at too few moments: {versions_seen}"
    assert len(store.read_table("action_items")) == stored, \
        "the derived tables hold the last whole version, nothing from temp files"
    assert not _temp_files(root), "the refresh that read the folder removed what the killed saves left"
    assert store.validate() == []


@pytest.mark.slow
def test_sigkill_between_temp_file_and_replace_keeps_the_old_record(tmp_path):
    root = tmp_path / "data"
    store = Store(root)
    store.save_roster(roster_of(["E1"]))
    first = Child(AUTOSAVE_CHILD, str(root), "fast")
    first.go()
    assert first.read_line() == "imported"
    assert first.read_line() == "ready 0"
    while first.read_line() != "saved 3":
        pass
    first.kill()
    already = _temp_files(root)  # on a slow machine the kill may also catch the next save's temp file
    before = store.record_path("conversation", "E1", "E1-20240301").read_bytes()
    old_version = _check_version(store.load_conversation("E1", "E1-20240301"))

    for _ in range(2):
        child = Child(AUTOSAVE_CHILD, str(root), "slow")
        child.go()
        assert child.read_line() == "imported"
        assert child.read_line() == f"ready {old_version}"
        assert child.read_line() == "writing"  # the new version is in a temp file, not yet in place
        temps = [t for t in _temp_files(root) if t not in already]
        assert temps and all(json.loads(t.read_bytes())["answers"]["version"] == str(old_version + 1)
                             for t in temps)
        child.kill()
        assert store.record_path("conversation", "E1", "E1-20240301").read_bytes() == before
        assert _check_version(store.load_conversation("E1", "E1-20240301")) == old_version
        assert len(store.conversations("E1")) == 1 and len(list(store.iter_records())) == 1

    leftovers = _temp_files(root)
    assert len(set(leftovers) - set(already)) == 2
    assert store.validate() == [] and sorted(store.swept) == leftovers, "validate removes what killed saves left"
    assert len(store.read_table("conversations")) == 1
    assert len(store.read_table("action_items")) == old_version


# Four of these run at once. Each makes 200 saves: 50 appends to one shared
# conversation (load, append, save on the loaded revision; on a Conflict, load
# the new revision and append again), 75 saves of its own
# conversations (25 conversations saved 3 times, growing; half of them belong to
# the shared employee), and 75 check-ins (half for the shared employee). Every
# 100 saves it also brings the derived tables up to date, racing the writers.
CONCURRENT_CHILD = textwrap.dedent("""
    import datetime as dt, os, sys, time
    from careerconv.records import schema
    from careerconv.records.store import Conflict, Store

    root, me, go = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    store = Store(root)
    print("ready", flush=True)
    while not os.path.exists(go):
        time.sleep(0.005)
    saves = conflicts = 0
    own = {}

    def tick():
        global saves
        saves += 1
        if saves % 100 == 0:
            store.refresh()

    def append(k):
        global conflicts
        while True:
            record = store.load_conversation("S1", "S1-shared")
            record["action_items"].append({"item_id": f"p{me}-{k}", "text": f"from process {me}, #{k}"})
            try:
                store.save_conversation(record)
                return
            except Conflict:
                conflicts += 1

    for step in range(75):
        k, version = divmod(step, 3)
        owner = "S1" if k % 2 else f"P{me}"
        record = own.get(k) or schema.new_conversation(owner, "C1", dt.date(2024, 1, 1) + dt.timedelta(days=k),
                                                       "career-conversation", "1", f"{owner}-p{me}-c{k}")
        record["answers"] = {"notes": f"process {me} conversation {k} version {version}"}
        record["dreams"] = [{"rank": r, "text": f"dream {r}"} for r in range(1, version + 2)]
        own[k] = store.save_conversation(record)
        tick()
        if step % 3 == 2:
            append(2 * (step // 3))
            append(2 * (step // 3) + 1)
            tick(); tick()
        owner = "S1" if step % 2 else f"P{me}"
        store.save_checkin({"checkin_id": f"{owner}-p{me}-ci{step}", "employee_id": owner, "coach_id": "C1",
                            "date": (dt.date(2024, 6, 1) + dt.timedelta(days=step)).isoformat(),
                            "conversation_id": "S1-shared",
                            "updates": [{"item_id": "a0", "status": "in_progress", "note": f"p{me} {step}"}]})
        tick()
    print("done", saves, conflicts, flush=True)
""")

N_PROCESSES = 4


@pytest.mark.slow
def test_four_processes_saving_at_once_lose_nothing(tmp_path):
    root = tmp_path / "data"
    store = Store(root)
    store.save_roster(roster_of(["S1", *(f"P{me}" for me in range(N_PROCESSES))]))
    shared = schema.new_conversation("S1", "C1", dt.date(2024, 1, 1), "career-conversation", "1",
                                     "S1-shared")
    shared["action_items"] = [{"item_id": "a0", "text": "the shared plan"}]
    store.save_conversation(shared)
    go = tmp_path / "go"
    children = [Child(CONCURRENT_CHILD, str(root), str(me), str(go)) for me in range(N_PROCESSES)]
    try:
        for child in children:
            assert child.read_line() == "ready"
        go.touch()  # all start saving at the same moment
        started = time.perf_counter()
        conflicts = 0
        for child in children:
            word, saves, lost_races = child.read_line(timeout=120).split()
            assert (word, saves) == ("done", "200")
            conflicts += int(lost_races)
            assert child.proc.wait(timeout=30) == 0, child.proc.stderr.read()
        elapsed = time.perf_counter() - started
    finally:
        for child in children:
            child.stop()

    # every append to the shared conversation is there, exactly once
    items = store.load_conversation("S1", "S1-shared")["action_items"]
    expected = {"a0"} | {f"p{me}-{k}" for me in range(N_PROCESSES) for k in range(50)}
    assert len(items) == len(expected) and {i["item_id"] for i in items} == expected

    # every process's own conversations hold their last version; every check-in is there
    conversations = [c for eid in store.employees_with_records() for c in store.conversations(eid)]
    own = [c for c in conversations if c["conversation_id"] != "S1-shared"]
    assert len(own) == N_PROCESSES * 25
    assert all(c["answers"]["notes"].endswith("version 2") and len(c["dreams"]) == 3 for c in own)
    checkins = [c for eid in store.employees_with_records() for c in store.checkins(eid)]
    assert len(checkins) == N_PROCESSES * 75
    assert len({c["checkin_id"] for c in checkins}) == N_PROCESSES * 75
    assert sum(1 for _ in store.iter_records()) == 1 + N_PROCESSES * (25 + 75)

    assert store.validate() == []
    assert not _temp_files(root)

    # the derived tables, refreshed while the writers raced, agree with the files after one more refresh
    store.refresh()
    naive = tables.frames_from_records(store.iter_records())
    for name in ("conversations", "action_items", "checkins", "checkin_updates", "dreams", "answers"):
        cached = store.read_table(name)
        key = list(schema.DERIVED_TABLES[name].key)
        assert sorted(map(tuple, cached[key].astype(str).values.tolist())) == \
            sorted(map(tuple, naive[name][key].astype(str).values.tolist())), name
    print(f"4 x 200 saves in {elapsed:.1f} s; {conflicts} conflicts reported to their writers and retried")
