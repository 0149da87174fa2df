"""Processes racing on one data folder: no acknowledged change is lost, no erased person comes back.

Every writer is a real process (forked from one warm interpreter, see
:class:`test_integrity_kills.WarmInterpreter`, so that they start at the same
moment instead of two seconds of imports apart):

* two ``careerconv erase`` and one ``careerconv import roster`` at once on a
  20,000-row roster, five times over: both erased rows gone, every imported
  row there, both receipts complete;
* four processes creating check-ins (or conversation drafts) for one person on
  one day, the store allocating the ids: every acknowledged save is a file of
  its own;
* four processes editing one draft from the revision they loaded, reloading
  on :class:`~careerconv.records.store.Conflict`: every acknowledged edit is in the
  final record exactly once, in order, and the revision counts them;
* an erase while a process autosaves check-ins for that person: nothing of
  them is left, and every save after the erase was refused (NotOnRoster);
* an erase while someone else's save is in flight (both paused and resumed
  by SIGSTOP/SIGCONT for a fixed interleaving): the save's temp file is left
  alone and the save goes through;
* an import paused between its commit and moving a record, while that record
  is rewritten: the acknowledged rewrite is not overwritten in silence.

Ids that differ only in case are refused too (in process).
"""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from careerconv.records import importers
from careerconv.records import schema
from careerconv.records.store import LOCK_STRIPES, Conflict, NotOnRoster, Store, bucket_of
from orgs import ada_checkin, ada_conversation, checkin, conversation, make_small_org, roster
# one forking interpreter, and the same helpers, for both files
from test_integrity_kills import WarmInterpreter, leftovers, staged_batches, write_history

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")

ROSTER_ROWS = 20_000
ROUNDS = 5
NEW_PER_ROUND = 200
WRITERS = 4


@pytest.fixture(scope="module")
def warm(tmp_path_factory) -> WarmInterpreter:
    interpreter = WarmInterpreter(tmp_path_factory.mktemp("warm-logs"))
    yield interpreter
    interpreter.close()


def _person(eid: str, n: int, coach: str) -> tuple:
    return (eid, f"Person {n:05d}", coach, "Engineering", "Engineer", 6)


def _read_roster(root: Path) -> pd.DataFrame:
    """roster.csv as any spreadsheet tool would read it."""
    return pd.read_csv(root / "roster.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _write_roster_file(path: Path, people: list[tuple]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["employee_id", "name", "coach_id", "department", "role", "cadence_months"])
        writer.writerows(people)
    return path


def _receipt_complete(receipt: str) -> bool:
    """True when an erase receipt's final check found no file still mentioning the person (exit code 0 too)."""
    return re.search(r"none mentions the employee", receipt, re.IGNORECASE) is not None


def _wait_for_go(var: str = "go") -> str:
    # shared by the children below: spin until the parent creates the go file, so all start together
    return (f"deadline = time.monotonic() + 60\n"
            f"while not os.path.exists({var}):\n"
            f"    assert time.monotonic() < deadline, 'no go'\n"
            f"    time.sleep(0.0005)\n")


# --------------------------------------------------------------------------- erase, erase and import at once


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_two_erasures_and_a_roster_import_at_once_keep_every_change(tmp_path, warm):
    root = tmp_path / "data"
    store = Store(root)
    # E00000-E00099 coach everyone else; nobody erased here coaches anybody.
    people = [_person(f"E{n:05d}", n, "C0000" if n < 100 else f"E{n % 100:05d}") for n in range(ROSTER_ROWS)]
    store.save_roster(roster(people))
    erased = [(f"E1{r}001", f"E1{r}002") for r in range(ROUNDS)]
    for pair in erased:
        for eid in pair:
            coach = f"E{int(eid[1:]) % 100:05d}"
            store.save_conversation(conversation(eid, "2026-03-02", coach=coach, status="draft"))
            store.save_checkin(checkin(eid, "2026-04-15", f"{eid}-20260302", coach=coach))
    store.refresh()
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    expected = set(_read_roster(root)["employee_id"])

    for r, (a, b) in enumerate(erased):
        new = [_person(f"N{r}{n:04d}", 50_000 + r * 1000 + n, "E00001") for n in range(NEW_PER_ROUND)]
        file = _write_roster_file(inputs / f"new-{r}.csv", new)
        children = [warm.cli("--data", root, "erase", "--employee", a, "--yes", name=f"erase-{a}"),
                    warm.cli("--data", root, "erase", "--employee", b, "--yes", name=f"erase-{b}"),
                    warm.cli("--data", root, "import", "roster", file, name=f"import-{r}")]
        erase_a, erase_b, imported = (warm.wait(child, timeout=120) for child in children)

        for eid, result in ((a, erase_a), (b, erase_b)):
            assert result.code == 0, f"round {r}, erase {eid}: {result.describe()}"
            assert re.search(r"data/roster\.csv\s+removed their row \(1 row\(s\)\)", result.stdout), result.stdout
            assert _receipt_complete(result.stdout), result.stdout
        assert imported.code == 0, f"round {r}, import: {imported.describe()}"
        assert f"added {NEW_PER_ROUND}, updated 0, unchanged 0" in imported.stdout, imported.stdout

        after = _read_roster(root)
        expected = (expected - {a, b}) | {p[0] for p in new}
        assert a not in set(after["employee_id"]) and b not in set(after["employee_id"]), f"round {r}"
        assert set(after["employee_id"]) == expected, f"round {r}: rows lost or resurrected"
        assert len(after) == len(expected)  # and none twice
        names = dict(zip(after["employee_id"], after["name"]))
        assert all(names[eid] == name for eid, name, *_ in new), f"round {r}"
    assert len(expected) == ROSTER_ROWS + ROUNDS * (NEW_PER_ROUND - 2)
    assert leftovers(root) == []


# --------------------------------------------------------------------------- creates: the store allocates the ids

CREATE_CHILD = """
import datetime as dt, json, os, sys, time
from careerconv.records import schema
from careerconv.records.store import Store

root, kind, me, n, go, out = sys.argv[1:]
store = Store(root)
""" + _wait_for_go() + """
acked = []
for k in range(int(n)):
    mark = f"p{me}-{k}"
    if kind == "checkin":
        saved = store.save_checkin({"employee_id": "E002", "coach_id": "C01", "date": "2026-03-02", "note": mark,
                                    "updates": [], "ratings": []})
        acked.append([saved["checkin_id"], mark, saved["revision"]])
    else:
        draft = schema.new_conversation("E002", "C01", dt.date(2026, 3, 2), "career-conversation", "1")
        draft["conversation_id"] = None
        draft["answers"] = {"note": mark}
        saved = store.save_conversation(draft)
        acked.append([saved["conversation_id"], mark, saved["revision"]])
with open(out, "w") as fh:
    json.dump(acked, fh)
"""


@pytest.mark.slow
@pytest.mark.timeout(180)
@pytest.mark.parametrize("kind", ["checkin", "conversation"])
def test_four_processes_creating_records_for_one_person_on_one_day_lose_none(tmp_path, warm, kind):
    store = make_small_org(tmp_path / "org")
    go = tmp_path / "go"
    outs = [tmp_path / f"acked-{me}.json" for me in range(WRITERS)]
    children = [warm.spawn(CREATE_CHILD, store.root, kind, me, 100, go, outs[me], name=f"create-{kind}-{me}")
                for me in range(WRITERS)]
    go.touch()
    for child in children:
        result = warm.wait(child, timeout=150)
        assert result.code == 0, result.describe()
    acked = [entry for out in outs for entry in json.loads(out.read_text())]

    stem = "E002-ci-20260302" if kind == "checkin" else "E002-20260302"
    assert len(acked) == WRITERS * 100
    assert sorted(rid for rid, _, _ in acked) == sorted([stem] + [f"{stem}-{n}" for n in range(2, 401)])
    folder = store.root / ("checkins" if kind == "checkin" else "conversations") / "E002"
    on_disk = sorted(p.stem for p in folder.glob("*.json") if not p.name.startswith("."))
    assert on_disk == sorted(rid for rid, _, _ in acked)  # 400 files, none lost, none overwritten
    for rid, mark, revision in acked:
        stored = store.load_checkin("E002", rid) if kind == "checkin" else store.load_conversation("E002", rid)
        assert revision == 1 and stored["revision"] == 1
        assert (stored["note"] if kind == "checkin" else stored["answers"]["note"]) == mark
    assert leftovers(store.root) == []


# --------------------------------------------------------------------------- updates: compare-and-swap on revision

EDIT_CHILD = """
import copy, json, os, sys, time
from careerconv.records.store import Conflict, Store

root, me, n, go, out = sys.argv[1:]
store = Store(root)
record = store.load_conversation("E002", "E002-20260302")
""" + _wait_for_go() + """
acked, conflicts = [], []
for k in range(int(n)):
    token = f"p{me}-{k}"
    while True:
        attempt = copy.deepcopy(record)
        attempt["answers"]["log"] = (attempt["answers"].get("log", "") + " " + token).strip()
        try:
            saved = store.save_conversation(attempt)
        except Conflict as exc:
            conflicts.append([token, attempt["revision"], exc.current["revision"] if exc.current else None])
            record = store.load_conversation("E002", "E002-20260302")
            continue
        acked.append([token, attempt["revision"], saved["revision"]])
        record = saved
        break
with open(out, "w") as fh:
    json.dump({"acked": acked, "conflicts": conflicts}, fh)
"""


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_four_processes_editing_one_draft_lose_no_acknowledged_save(tmp_path, warm):
    store = make_small_org(tmp_path / "org")
    created = store.save_conversation(conversation("E002", "2026-03-02", status="draft"))
    assert created["revision"] == 1
    go = tmp_path / "go"
    outs = [tmp_path / f"edits-{me}.json" for me in range(WRITERS)]
    children = [warm.spawn(EDIT_CHILD, store.root, me, 25, go, outs[me], name=f"edit-{me}") for me in range(WRITERS)]
    go.touch()
    for child in children:
        result = warm.wait(child, timeout=150)
        assert result.code == 0, result.describe()
    reports = [json.loads(out.read_text()) for out in outs]
    acked = sorted((entry for r in reports for entry in r["acked"]), key=lambda entry: entry[2])
    conflicts = [entry for r in reports for entry in r["conflicts"]]

    final = store.load_conversation("E002", "E002-20260302")
    assert len(acked) == WRITERS * 25
    assert final["revision"] == len(acked) + 1  # the creation, then one revision per acknowledged save
    assert [saved for _, _, saved in acked] == list(range(2, len(acked) + 2))
    assert all(saved == base + 1 for _, base, saved in acked)
    # Every acknowledged edit is there once, in the order acknowledged; an edit refused with a Conflict
    # (and retried) would be there twice had it also been written.
    assert final["answers"]["log"].split() == [token for token, _, _ in acked]
    assert all(current is not None and current > base for _, base, current in conflicts)
    assert conflicts, "the four writers never collided: the test did not race"
    print(f"\n{len(acked)} acknowledged saves, {len(conflicts)} conflicts raised to the writers")


# --------------------------------------------------------------------------- erase while autosaving

SAVER_CHILD = """
import json, os, sys, time
from careerconv.records.store import NotOnRoster, Store

root, eid, out = sys.argv[1:]
store = Store(root)
acked, refused, after_refusal = [], [], []
deadline = time.monotonic() + 90
k = 0
while len(refused) < 20 and time.monotonic() < deadline:
    k += 1
    try:
        saved = store.save_checkin({"employee_id": eid, "coach_id": "C01", "date": "2026-03-02",
                                    "note": f"autosave {k}", "updates": [], "ratings": []})
    except NotOnRoster as exc:
        refused.append(str(exc))
        continue
    (after_refusal if refused else acked).append(saved["checkin_id"])
with open(out, "w") as fh:
    json.dump({"acked": acked, "refused": refused, "after_refusal": after_refusal}, fh)
"""


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_erasing_someone_while_their_checkins_autosave_leaves_nothing_of_them(tmp_path, warm):
    store = make_small_org(tmp_path / "org")
    root, eid = store.root, "E003"
    out = tmp_path / "saver.json"
    saver = warm.spawn(SAVER_CHILD, root, eid, out, name="saver")
    folder = root / "checkins" / eid
    deadline = time.monotonic() + 60
    while len(list(folder.glob("*.json"))) < 20:  # a few acknowledged saves first
        assert time.monotonic() < deadline, "the saver saved nothing"
        time.sleep(0.005)
    erase = warm.wait(warm.cli("--data", root, "erase", "--employee", eid, "--yes", name="erase"), timeout=120)
    saved = warm.wait(saver, timeout=150)
    assert erase.code == 0, erase.describe()
    assert saved.code == 0, saved.describe()
    report = json.loads(out.read_text())

    assert _receipt_complete(erase.stdout), erase.stdout
    assert len(report["refused"]) == 20, report["refused"][:3]
    assert all(f"employee {eid!r} is not on the roster" in why for why in report["refused"])
    assert report["after_refusal"] == []
    # Every acknowledged save was on disk when the erase deleted the folder, so none came after it.
    deleted = re.search(rf"data/checkins/{eid}/\s+deleted \((\d+) file\(s\)\)", erase.stdout)
    assert deleted, erase.stdout
    assert int(deleted.group(1)) == len(report["acked"]) >= 20

    # nothing of them is left: no file or folder named for them, no roster row, no derived row
    assert [p for p in tmp_path.rglob(f"*{eid}*")] == []
    assert eid not in set(_read_roster(root)["employee_id"])
    for part in (root / "derived").glob("*/part-*.parquet"):
        assert eid not in set(pq.read_table(part, columns=["employee_id"])["employee_id"].to_pylist()), part
    assert Store(root).history(eid).checkins == [] and Store(root).history(eid).employee is None


# ----------------------------------------------------------------------- erase while another save is in flight

BIG_SAVE_CHILD = """
import json, os, sys, time
from careerconv.records.store import Store

root, eid, mention, go, out = sys.argv[1:]
store = Store(root)
record = store.load_conversation(eid, f"{eid}-20260302")
""" + _wait_for_go() + """
# A long answer is a big file: it stays a temp file long enough to be caught in flight.
record["answers"] = {f"q{i}": f"pairs with {mention} " + "x" * 99_000 for i in range(150)}
try:
    result = {"revision": store.save_conversation(record)["revision"]}
except Exception as exc:
    result = {"error": f"{type(exc).__name__}: {exc}"}
with open(out, "w") as fh:
    json.dump(result, fh)
"""


def _exited(pid: int) -> bool:
    """True once a child has ended (a zombie until the warm interpreter reaps it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (FileNotFoundError, IndexError):
        return True


def _written_temp_file(folder: Path) -> Path | None:
    """A temp file in ``folder`` that has content (an empty one is just created and says nothing yet)."""
    for path in folder.glob(".*.tmp"):
        try:
            if path.stat().st_size:
                return path
        except FileNotFoundError:
            pass
    return None


def _poll(condition, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.0002)


@pytest.mark.slow
@pytest.mark.timeout(180)
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
def test_an_erase_leaves_alone_the_temp_file_of_a_save_in_flight(tmp_path, warm):
    """A save of Alan's conversation, in flight while Katherine is erased, keeps its temp file and goes through.

    An erase used to take such a temp file for a killed process's leftover
    and delete it (it names Katherine), so the save failed with
    FileNotFoundError. The interleaving is the same on every run: the erase
    waits for the lock of Edsger's record (which mentions Katherine, so the
    erase rewrites it), held here, until Alan's save is paused (SIGSTOP, by
    its pid) with its temp file written; then the erase runs on past its
    sweep of the folders, and Alan's save is resumed (SIGCONT).
    """
    store = make_small_org(tmp_path / "org")
    root = store.root
    store.save_conversation(conversation("E003", "2026-03-02", status="draft"))
    store.save_conversation(conversation("E002", "2026-03-02", status="draft"))
    stripes = {bucket_of(eid, LOCK_STRIPES) for eid in ("E002", "E003")}  # the saver's and the erase's own locks
    mentor = next(eid for eid in ("E004", "E005", "E001") if bucket_of(eid, LOCK_STRIPES) not in stripes)
    mentoring = conversation(mentor, "2026-03-02", coach="C02", status="draft")
    mentoring["answers"] = {"mentor": "Katherine Johnson"}
    store.save_conversation(mentoring)
    store.refresh()
    manifest = root / "derived" / "manifest.json"
    manifest_inode = manifest.stat().st_ino
    go, out = tmp_path / "go", tmp_path / "saved.json"
    saver = warm.spawn(BIG_SAVE_CHILD, root, "E002", "Katherine Johnson", go, out, name="alan-save")
    held = store.lock(f"employee:{mentor}")
    held.acquire()
    erase = warm.cli("--data", root, "erase", "--employee", "E003", "--yes", name="erase-katherine")
    deleted_in_flight = saver_paused = None
    try:
        # Past its sweep of leftovers (which would wait for Alan's save) once Katherine's folder is gone;
        # then it waits for the mentor's lock.
        _poll(lambda: not (root / "conversations" / "E003").exists(), "the erase removed Katherine's folder")
        go.touch()
        _poll(lambda: _written_temp_file(root / "conversations" / "E002"), "Alan's save wrote its temp file")
        os.kill(saver.pid, signal.SIGSTOP)
        saver_paused = True
        temp = _written_temp_file(root / "conversations" / "E002")
        assert temp is not None, "Alan's save finished before it could be paused in flight; run again"
        assert manifest.stat().st_ino == manifest_inode and not _exited(erase.pid)
        held.release()
        # The erase has looked at every file once it refreshes the derived tables (a new manifest); with
        # Alan's save still paused it may then wait for it, which is right.
        _poll(lambda: not temp.exists() or manifest.stat().st_ino != manifest_inode or _exited(erase.pid),
              "the erase went past its sweep of the folders")
        deleted_in_flight = not temp.exists()
    finally:
        if held.is_locked:
            held.release()
        if saver_paused:
            os.kill(saver.pid, signal.SIGCONT)
    saved, erased = warm.wait(saver, timeout=120), warm.wait(erase, timeout=120)
    assert saved.code == 0, saved.describe()

    assert not deleted_in_flight, \
        f"the erase deleted the temp file of a save still in flight ({temp.name}); the save then failed with " \
        f"{json.loads(out.read_text())}. Receipt:\n{erased.stdout}"
    assert json.loads(out.read_text()) == {"revision": 2}  # the save went through
    assert "Katherine" not in json.dumps(store.load_conversation(mentor, f"{mentor}-20260302"))
    # Alan's conversation now names Katherine: saved while the erase ran, it is either scrubbed by the erase
    # or named in its receipt for a person to look at, never passed over in silence.
    if erased.code != 0:
        assert re.search(r"data/conversations/E002/E002-20260302\.json: still mentions them", erased.stdout), \
            erased.describe()


# ----------------------------------------------------------------- an import's commit and a change made meanwhile


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_an_import_never_overwrites_a_change_acknowledged_after_it_was_staged(tmp_path, warm):
    """A committed import moves its staged records into place; a record changed since it was staged is not lost.

    The import is paused (SIGSTOP, by its pid) as soon as its batch is
    committed, before it reaches Zoe's record (moved last: its lock stripe is
    nobody else's), and her record is rewritten through the store, as an
    erasure scrubbing a coach does; the import then resumes. Its staged copy
    was numbered from the revision it read while staging, so moving it into
    place would give two different versions the same revision and lose an
    acknowledged change without a Conflict.
    """
    root = tmp_path / "data"
    store = Store(root)
    last = "Z999"
    others = [eid for eid in (f"E{n:04d}" for n in range(1000))
              if bucket_of(eid, LOCK_STRIPES) != bucket_of(last, LOCK_STRIPES)][:299]
    people = [(eid, f"Person {eid}", "C01", "Engineering", "Engineer", 6) for eid in [*others, last]]
    store.save_roster(roster(people))
    importers.import_history(store, write_history(tmp_path / "first.csv", [(last, "2023-01-10", "SQL", 3, 4, 5, 6)]))
    history = write_history(tmp_path / "history.csv", [(last, "2023-01-10", "SQL", 4, 5, 6, 7)]
                            + [(eid, "2024-02-12", s, 5, 6, 7, 8) for eid in others for s in ("SQL", "Python")])
    record_id = f"{last}-h20230110"

    child = warm.cli("--data", root, "import", "history", history, name="import")
    paused = False
    try:
        _poll(lambda: any((b / "COMMITTED").exists() for b in staged_batches(root)), "the import committed")
        os.kill(child.pid, signal.SIGSTOP)
        paused = True
        assert store.load_conversation(last, record_id)["revision"] == 1, \
            "the import was paused after it had moved Zoe's record; run again"
        rewritten = store.rewrite_record("conversation", last, record_id, lambda r: {**r, "coach_id": "C02"})
    finally:
        if paused:
            os.kill(child.pid, signal.SIGCONT)
    imported = warm.wait(child, timeout=120)
    final = store.load_conversation(last, record_id)

    assert rewritten["revision"] == 2
    replaced = schema.record_content(final) != schema.record_content(rewritten)
    lost_silently = replaced and final["revision"] == rewritten["revision"]
    assert not lost_silently, \
        f"two different versions of {record_id} are both revision 2: the import moved its staged copy over a " \
        f"change acknowledged after it was staged, without a Conflict (coach_id is {final['coach_id']!r} again, " \
        f"ratings {final['skills'][0]['self_rating']}); the import said: {imported.stdout.strip()}"
    if replaced:  # only as a new revision, and saying so
        assert final["revision"] > rewritten["revision"], final
        assert imported.code != 0 or re.search(r"(?i)conflict|changed", imported.stdout + imported.stderr), \
            imported.describe()


# --------------------------------------------------------------------------- ids differing only in case


def test_ids_differing_only_in_case_are_refused(tmp_path):
    store = make_small_org(tmp_path / "org")  # E001 holds E001-20260302 and E001-ci-20260415
    root = store.root

    twin = {**ada_conversation(), "conversation_id": "e001-20260302", "status": "draft", "completed_at": None}
    with pytest.raises(Conflict, match="'E001-20260302'"):
        store.save_conversation(twin)
    twin_checkin = {**ada_checkin(), "checkin_id": "E001-CI-20260415"}
    with pytest.raises(Conflict, match="'E001-ci-20260415'"):
        store.save_checkin(twin_checkin)
    assert sorted(p.name for p in (root / "conversations" / "E001").iterdir()) == ["E001-20260302.json"]
    assert sorted(p.name for p in (root / "checkins" / "E001").iterdir()) == ["E001-ci-20260415.json"]

    with pytest.raises(NotOnRoster, match="'E001'"):
        store.save_conversation(conversation("e001", "2026-05-04", status="draft"))
    with pytest.raises(NotOnRoster, match="'E001'"):
        store.save_checkin(checkin("e001", "2026-05-04", "E001-20260302"))
    assert not (root / "conversations" / "e001").exists() and not (root / "checkins" / "e001").exists()
