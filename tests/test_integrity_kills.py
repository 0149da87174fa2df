"""A command killed with SIGKILL at any moment leaves the data folder as before or as after.

Two commands that change many files at once are killed at seeded random
moments, over and over, by the real command line in a child process:

* ``careerconv import history``: the records are staged, marked committed and
  moved into place. After each kill the next command (``careerconv
  validate``) must find the record files exactly as before the import or
  exactly as after an unkilled one, with no temp file or staging folder left.
* ``careerconv refresh --full``: after each kill the next ``careerconv
  refresh`` must leave derived tables that read back equal to those of an
  unkilled full refresh, with no temp file left.

The children are forked from one warm interpreter that has already imported
careerconv (:class:`WarmInterpreter`): each child then runs
``careerconv.cli.main(argv)`` exactly as the ``careerconv`` console script
does, but without two seconds of imports per run, so that fifty kills fit in
a test run and the kill moments are spread over the command's own work rather
than over Python's start-up. The references ("after") are built by the real
console script.
"""

from __future__ import annotations

import csv
import json
import os
import random
import select
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from careerconv.records import importers
from careerconv.records import schema
from careerconv.records.store import N_BUCKETS, Store, bucket_of

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL") or not hasattr(os, "fork"),
                                reason="needs POSIX signals and fork")

PROJECT_DIR = Path(__file__).resolve().parent.parent
SEED = 20260302
SAVE_STAMP_TIMES = ("saved_at", "saved_by")  # who and when differ between two runs; revision must not

# --------------------------------------------------------------------------- a warm interpreter that forks children

CLI_CODE = "import sys\nfrom careerconv.cli import main\nsys.exit(main(sys.argv[1:]))\n"

# Reads one JSON request a line on stdin, answers one JSON line on stdout.
#   {"op": "spawn", "code": ..., "argv": [...], "out": path, "err": path} -> {"pid": n}
#   {"op": "wait", "pid": n, "timeout": s} -> {"pid": n, "code": exit code (-9 when killed), "seconds": run time}
# A child runs ``code`` as __main__ with ``sys.argv = argv``, stdin from /dev/null, stdout/stderr to files.
# A child that outlives its wait timeout is killed by its pid; so is every child still running at EOF.
ZYGOTE = textwrap.dedent(r"""
    import json, os, signal, sys, time, traceback
    import careerconv.cli, careerconv.records.erasure, careerconv.records.importers, careerconv.records.store
    careerconv.cli.build_parser()  # every command's parser; what the commands run here need is imported above

    started = {}

    def reply(obj):
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

    def child(req, out, err):
        code = 1
        try:
            os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
            os.dup2(out, 1)
            os.dup2(err, 2)
            sys.argv = list(req["argv"])
            try:
                exec(compile(req["code"], "<child>", "exec"), {"__name__": "__main__"})
                code = 0
            except SystemExit as exc:
                if exc.code is None or isinstance(exc.code, int):
                    code = exc.code or 0
                else:
                    print(exc.code, file=sys.stderr)
            except BaseException:
                traceback.print_exc()
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)

    reply({"ready": os.getpid(), "threads": len(os.listdir("/proc/self/task"))})
    for line in sys.stdin:
        req = json.loads(line)
        if req["op"] == "spawn":
            # opened here, so that they exist even for a child killed the moment it was forked
            out, err = (os.open(req[k], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644) for k in ("out", "err"))
            t0 = time.monotonic()
            pid = os.fork()
            if pid == 0:
                child(req, out, err)
            os.close(out)
            os.close(err)
            started[pid] = t0
            reply({"pid": pid})
        elif req["op"] == "wait":
            pid, deadline, timed_out = req["pid"], time.monotonic() + req["timeout"], False
            while True:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    break
                if time.monotonic() > deadline:
                    timed_out = True
                    os.kill(pid, signal.SIGKILL)
                    _, status = os.waitpid(pid, 0)
                    break
                time.sleep(0.001)
            reply({"pid": pid, "code": os.waitstatus_to_exitcode(status),
                   "seconds": time.monotonic() - started.pop(pid), "timed_out": timed_out})
    for pid in list(started):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
""")


@dataclass
class Child:
    """A command forked from the warm interpreter."""

    pid: int
    name: str
    out: Path
    err: Path


@dataclass
class Exit:
    """How a child ended: ``code`` is ``-9`` when it was SIGKILLed; ``seconds`` from fork to exit."""

    code: int
    seconds: float
    stdout: str
    stderr: str
    timed_out: bool

    def describe(self) -> str:
        return f"exit {self.code}\n--- stdout ---\n{self.stdout[-3000:]}\n--- stderr ---\n{self.stderr[-3000:]}"


class WarmInterpreter:
    """A Python process with careerconv imported that forks one child per command.

    The children are this test's processes: it kills them by their own pid
    (``os.kill(child.pid, SIGKILL)``); the interpreter reaps them and reports
    their exit code. :meth:`close` ends it, and it kills any child still running.
    """

    def __init__(self, logs: Path):
        self.logs = logs
        logs.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "PYTHONPATH": str(PROJECT_DIR) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               "OPENBLAS_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
        self._stderr = open(logs / "interpreter.err", "wb")
        self.proc = subprocess.Popen([sys.executable, "-c", ZYGOTE], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._stderr, bufsize=0, env=env, cwd=logs)
        self._buffer = b""
        self._count = 0
        hello = self._read(timeout=120)
        assert "ready" in hello, hello

    def _send(self, request: dict) -> None:
        self.proc.stdin.write((json.dumps(request) + "\n").encode())
        self.proc.stdin.flush()

    def has_reply(self, timeout: float = 0.0) -> bool:
        """True when a reply is waiting (without reading it)."""
        if b"\n" in self._buffer:
            return True
        ready, _, _ = select.select([self.proc.stdout.fileno()], [], [], timeout)
        if ready:
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                raise AssertionError(f"the warm interpreter died: {(self.logs / 'interpreter.err').read_text()}")
            self._buffer += chunk
        return b"\n" in self._buffer

    def _read(self, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while not self.has_reply(timeout=max(0.0, min(1.0, deadline - time.monotonic()))):
            if time.monotonic() > deadline:
                raise AssertionError(f"the warm interpreter said nothing within {timeout} s")
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def spawn(self, code: str, *argv: str, name: str = "child") -> Child:
        """Fork a child running ``code`` with ``sys.argv = [name, *argv]``."""
        self._count += 1
        stem = self.logs / f"{self._count:03d}-{name}"
        out, err = stem.with_suffix(".out"), stem.with_suffix(".err")
        self._send({"op": "spawn", "code": code, "argv": [name, *map(str, argv)], "out": str(out), "err": str(err)})
        return Child(self._read(timeout=30)["pid"], name, out, err)

    def cli(self, *argv: str | os.PathLike, name: str = "careerconv") -> Child:
        """Start ``careerconv ARGV...`` (``careerconv.cli.main``, as the console script runs it)."""
        return self.spawn(CLI_CODE, *map(str, argv), name=name)

    def request_wait(self, child: Child, timeout: float = 120.0) -> None:
        """Ask for ``child``'s exit; read it with :meth:`read_exit` (:meth:`has_reply` says when it came)."""
        self._send({"op": "wait", "pid": child.pid, "timeout": timeout})

    def read_exit(self, child: Child, timeout: float = 150.0) -> Exit:
        answer = self._read(timeout=timeout)
        assert answer["pid"] == child.pid, answer
        return Exit(answer["code"], answer["seconds"], child.out.read_text(errors="replace"),
                    child.err.read_text(errors="replace"), answer["timed_out"])

    def wait(self, child: Child, timeout: float = 120.0) -> Exit:
        """Wait for ``child`` to end (it is killed by its pid after ``timeout`` seconds)."""
        self.request_wait(child, timeout)
        result = self.read_exit(child, timeout=timeout + 30)
        assert not result.timed_out, f"{child.name} did not finish within {timeout} s: {result.describe()}"
        return result

    def run(self, *argv: str | os.PathLike, timeout: float = 120.0) -> Exit:
        """Run ``careerconv ARGV...`` to its end."""
        return self.wait(self.cli(*argv), timeout)

    def close(self) -> None:
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
        finally:
            self.proc.stdout.close()
            self._stderr.close()


def console_script() -> list[str]:
    """The installed ``careerconv`` command (next to this Python), or ``python -m careerconv.cli``."""
    script = Path(sys.executable).with_name("careerconv")
    return [str(script)] if script.exists() else [sys.executable, "-m", "careerconv.cli"]


def run_console_script(*argv: str | os.PathLike) -> subprocess.CompletedProcess:
    done = subprocess.run([*console_script(), *map(str, argv)], capture_output=True, text=True, timeout=180,
                          cwd=PROJECT_DIR)
    assert done.returncode == 0, f"careerconv {' '.join(map(str, argv))}: {done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def warm(tmp_path_factory) -> WarmInterpreter:
    interpreter = WarmInterpreter(tmp_path_factory.mktemp("warm-logs"))
    yield interpreter
    interpreter.close()


# --------------------------------------------------------------------------- what the folder holds


def record_files(root: Path) -> dict[str, dict]:
    """Every record file (path relative to ``root``) with its decoded content, saved_at/saved_by left out."""
    found = {}
    for sub in ("conversations", "checkins"):
        for path in sorted((root / sub).glob("*/*.json")):
            if path.name.startswith("."):
                continue
            record = json.loads(path.read_text(encoding="utf-8"))
            found[path.relative_to(root).as_posix()] = {k: v for k, v in record.items()
                                                        if k not in SAVE_STAMP_TIMES}
    return found


def leftovers(root: Path) -> list[str]:
    """Temp files and staging folders anywhere under ``root`` (what a killed command leaves)."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                  if (p.name.startswith(".") and p.name.endswith(".tmp")) or p.name == ".staging")


def staged_batches(root: Path) -> list[Path]:
    staging = root / ".staging"
    try:
        return sorted(p for p in staging.iterdir() if p.is_dir())
    except FileNotFoundError:
        return []


def copy_folder(source: Path, target: Path) -> Path:
    """A private copy of a data folder (lock files left out; folder times kept, so the derived cache stays warm)."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".locks"))
    return target


def write_history(path: Path, rows: list[tuple]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["employee_id", "date", "skill", "rating", "target_6m", "target_12m", "target_18m"])
        writer.writerows(rows)
    return path


# --------------------------------------------------------------------------- killing a history import

N_EMPLOYEES = 300
SKILLS = ("Negotiation", "Python", "SQL")
IMPORT_KILLS = 21  # planned; up to EXTRA_KILLS more if a phase was never hit
EXTRA_KILLS = 9


@dataclass
class Timeline:
    """When an unkilled import reached each phase, in seconds after the fork."""

    staged: float  # its batch folder appeared in .staging/
    committed: float  # the COMMITTED marker was written
    finished: float  # the process exited

    @property
    def windows(self) -> dict[str, tuple[float, float]]:
        return {"anywhere": (0.0, self.finished * 1.05), "staging": (self.staged, self.committed),
                "commit": (self.committed, self.finished)}


def _watch_import(warm: WarmInterpreter, root: Path, history: Path) -> tuple[Timeline, Exit]:
    """Run one import to its end, noting when the batch appears and when it is committed."""
    child = warm.cli("--data", root, "import", "history", history, name="import-measured")
    t0 = time.monotonic()
    warm.request_wait(child, timeout=120)
    staged = committed = None
    while not warm.has_reply(timeout=0.001):
        batches = staged_batches(root)
        now = time.monotonic() - t0
        if batches and staged is None:
            staged = now
        if committed is None and any((b / "COMMITTED").exists() for b in batches):
            committed = now
    result = warm.read_exit(child)
    assert result.code == 0, result.describe()
    assert staged is not None and committed is not None, \
        "an unkilled import was never seen staged and committed: make the import bigger"
    return Timeline(staged, committed, result.seconds), result


def _sleep_into(aim: str, root: Path, timeline: Timeline, rng: random.Random) -> float:
    """Sleep until a random moment of phase ``aim`` of the import just started on ``root``; return the seconds slept.

    "anywhere" is a random moment of the whole measured run; "staging" and
    "commit" start counting when the batch folder (or its COMMITTED marker)
    is seen, so that a machine busier than when the run was measured still
    gets kills in those phases.
    """
    started = time.monotonic()
    if aim == "anywhere":
        time.sleep(rng.uniform(0.0, timeline.finished * 1.05))
        return time.monotonic() - started
    length = timeline.committed - timeline.staged if aim == "staging" else timeline.finished - timeline.committed
    offset = rng.uniform(0.0, length)
    deadline = started + 4 * timeline.finished + 5
    while time.monotonic() < deadline:
        batches = staged_batches(root)
        if batches and (aim == "staging" or any((b / "COMMITTED").exists() for b in batches)):
            break
        time.sleep(0.0005)
    time.sleep(offset)
    return time.monotonic() - started


def _phase(root: Path, before: dict, after: dict, killed: bool) -> str:
    """Where the import was when it died, read from what it left (checked as far as it can be here)."""
    batches = staged_batches(root)
    if any((b / "COMMITTED").exists() for b in batches):
        return "commit"  # committed, being moved into place: records may be half moved until the next command
    records = record_files(root)
    # Before the marker nothing may have been moved into place.
    assert records == before or records == after, "records changed before the import was committed"
    if records == after:
        return "after" if killed else "finished"
    return "staging" if batches else "start"


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_sigkill_anywhere_in_a_history_import_leaves_before_or_after(tmp_path, warm):
    before_dir = tmp_path / "before"
    roster = pd.DataFrame([{"employee_id": f"E{i:04d}", "name": f"Person {i}", "coach_id": "C01",
                            "department": "Engineering", "role": "Engineer", "cadence_months": 6, "email": ""}
                           for i in range(N_EMPLOYEES)])
    Store(before_dir).save_roster(roster)
    # Already imported before: every third employee, 10 Jan 2023 (the new file updates these)...
    first = write_history(tmp_path / "first.csv", [(f"E{i:04d}", "2023-01-10", s, 3, 4, 5, 6)
                                                    for i in range(0, N_EMPLOYEES, 3) for s in SKILLS])
    importers.import_history(Store(before_dir), first)
    # ...and the import that is killed: those conversations re-rated, plus a new one for everybody.
    history = write_history(tmp_path / "history.csv",
                            [(f"E{i:04d}", "2023-01-10", s, 4, 5, 6, 7) for i in range(0, N_EMPLOYEES, 3)
                             for s in SKILLS]
                            + [(f"E{i:04d}", "2024-02-12", s, 5, 6, 7, 8) for i in range(N_EMPLOYEES) for s in SKILLS])
    before = record_files(before_dir)
    assert len(before) == N_EMPLOYEES // 3

    # "after": the real console script, unkilled
    reference = copy_folder(before_dir, tmp_path / "after")
    run_console_script("--data", reference, "import", "history", history)
    after = record_files(reference)
    assert len(after) == N_EMPLOYEES // 3 + N_EMPLOYEES
    assert after["conversations/E0000/E0000-h20230110.json"]["revision"] == 2
    assert after["conversations/E0000/E0000-h20230110.json"]["skills"][0]["self_rating"] == 4
    assert after["conversations/E0001/E0001-h20240212.json"]["revision"] == 1

    # how long an unkilled import takes, and when it stages and commits (through the same warm children)
    timelines = []
    for n in range(2):
        measured = copy_folder(before_dir, tmp_path / f"measured-{n}")
        timeline, _ = _watch_import(warm, measured, history)
        assert record_files(measured) == after
        timelines.append(timeline)
        shutil.rmtree(measured)
    # the quicker run: on a busy machine a slow run would send most kills after the end
    timeline = min(timelines, key=lambda t: t.finished)
    print(f"\nunkilled import: staged at {timeline.staged:.2f} s, committed at {timeline.committed:.2f} s, "
          f"finished at {timeline.finished:.2f} s")

    rng = random.Random(SEED)
    plan = [("anywhere", "staging", "commit")[k % 3] for k in range(IMPORT_KILLS)]
    phases: dict[str, int] = {"start": 0, "staging": 0, "commit": 0, "after": 0, "finished": 0}
    half_moved = 0
    k = 0
    while k < len(plan):
        aim = plan[k]
        work = copy_folder(before_dir, tmp_path / f"kill-{k:02d}")
        child = warm.cli("--data", work, "import", "history", history, name=f"import-kill-{k:02d}")
        delay = _sleep_into(aim, work, timeline, rng)
        os.kill(child.pid, signal.SIGKILL)
        ended = warm.wait(child)
        assert ended.code in (-signal.SIGKILL, 0), ended.describe()
        phase = _phase(work, before, after, killed=ended.code == -signal.SIGKILL)
        phases[phase] += 1
        if phase == "commit" and record_files(work) not in (before, after):
            half_moved += 1

        # the next command finishes or drops the interrupted import
        checked = warm.run("--data", work, "validate")
        assert checked.code == 0 and "all good" in checked.stdout, \
            f"kill {k} ({phase}, {delay:.3f} s): {checked.describe()}"
        expected = after if phase in ("commit", "after", "finished") else before
        records = record_files(work)
        assert records == expected, f"kill {k} at {delay:.3f} s ({phase}): the records are neither as before nor " \
                                    f"as after ({len(records)} files; before {len(before)}, after {len(after)})"
        assert leftovers(work) == [], f"kill {k} ({phase}): left behind after `careerconv validate`"
        shutil.rmtree(work)
        k += 1
        missing = [p for p in ("staging", "commit") if not phases[p]]
        if k == len(plan) and missing and len(plan) < IMPORT_KILLS + EXTRA_KILLS:
            plan.append(missing[len(plan) % len(missing)])  # a busy machine shifted the phases: aim again

    print(f"{len(plan)} kills: {phases['start']} before staging, {phases['staging']} while staging, "
          f"{phases['commit']} while committing ({half_moved} with records half moved into place), "
          f"{phases['after']} after the commit, {phases['finished']} after the process had finished")
    assert len(plan) >= 20
    assert phases["staging"] >= 1 and phases["commit"] >= 1, phases


# --------------------------------------------------------------------------- killing a derived-table refresh

REFRESH_KILLS = 20
DEMO_EMPLOYEES = 300
CHANGED_BUCKETS = (2, 7, 13)


@dataclass
class Part:
    """One derived part file as read back: its bytes, and its rows (read with pyarrow, in a fixed order)."""

    data: bytes
    path: Path

    def rows(self) -> pa.Table:
        table = pq.read_table(self.path)
        return table.sort_by([(name, "ascending") for name in table.column_names])


def derived_parts(root: Path) -> dict[str, Part]:
    """Every part of every derived table under ``root/derived`` (what DuckDB or pandas would read there)."""
    return {path.relative_to(root / "derived").as_posix(): Part(path.read_bytes(), path)
            for path in sorted((root / "derived").glob("*/part-*.parquet"))}


def _same_parts(got: dict[str, Part], want: dict[str, Part]) -> list[str]:
    """What differs between two sets of derived parts, row by row (empty when they hold the same rows)."""
    diffs = [f"part {p} {'missing' if p in want else 'unexpected'}" for p in sorted(set(got) ^ set(want))]
    for path in sorted(set(got) & set(want)):
        if got[path].data == want[path].data:
            continue  # the same bytes read back the same rows
        mine, theirs = got[path].rows(), want[path].rows()
        if not mine.equals(theirs):
            diffs.append(f"{path}: {mine.num_rows} rows, expected {theirs.num_rows}"
                         + ("" if mine.schema.equals(theirs.schema) else " (another schema)"))
    return diffs


def _inodes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_ino
            for p in [*(root / "derived").glob("*/part-*.parquet"), root / "derived" / "manifest.json"]}


def copy_with_linked_records(source: Path, target: Path) -> Path:
    """A copy whose record files are hard links (a refresh only reads them) and whose derived files are copies."""
    def link_records(src: str, dst: str) -> None:
        if f"{os.sep}derived{os.sep}" in src:
            shutil.copy2(src, dst)
        else:
            os.link(src, dst)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".locks"), copy_function=link_records)
    return target


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_sigkill_anywhere_in_a_full_refresh_then_refresh_gives_the_unkilled_tables(tmp_path, warm):
    base = tmp_path / "org"
    made = warm.run("--data", base, "demo", "--employees", DEMO_EMPLOYEES, "--seed", 7, "--as-of", "2026-10-01",
                    "--years", "1-2", "--quiet")
    assert made.code == 0, made.describe()
    # Records changed since the derived tables were built, so a refresh has real work to do: employees of three
    # buckets (a third of the parts then differ from the last refresh; the others are rewritten as they were).
    roster = pd.read_csv(base / "roster.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    changed = [eid for eid in roster["employee_id"] if bucket_of(eid) in CHANGED_BUCKETS][::2]
    assert len(changed) >= 10
    history = write_history(tmp_path / "history.csv", [(eid, "2019-05-06", s, 4, 5, 6, 7) for eid in changed
                                                       for s in SKILLS])
    imported = warm.run("--data", base, "import", "history", history)
    assert imported.code == 0, imported.describe()

    reference_dir = copy_with_linked_records(base, tmp_path / "reference")
    run_console_script("--data", reference_dir, "refresh", "--full")
    reference = derived_parts(reference_dir)
    assert len(reference) == N_BUCKETS * len(schema.DERIVED_TABLES)
    ratings = pa.concat_tables(p.rows() for name, p in reference.items() if name.startswith("skill_ratings/"))
    imported_ratings = ratings.to_pandas()["date"] == pd.Timestamp("2019-05-06")
    assert imported_ratings.sum() == len(changed) * len(SKILLS)  # the reference holds what was imported
    assert leftovers(reference_dir) == []

    durations = []
    for n in range(2):  # the shorter of two runs, so that few kills land after a run that was slowed down
        measured_dir = copy_with_linked_records(base, tmp_path / f"measured-{n}")
        measured = warm.run("--data", measured_dir, "refresh", "--full")
        assert _same_parts(derived_parts(measured_dir), reference) == []
        durations.append(measured.seconds)
        shutil.rmtree(measured_dir)
    duration = min(durations)
    print(f"\nunkilled full refresh of {DEMO_EMPLOYEES} employees: {duration:.2f} s")

    rng = random.Random(SEED + 1)
    landed = {"before any part": 0, "part way": 0, "after the manifest": 0}
    left_temp = 0
    for k in range(REFRESH_KILLS):
        delay = rng.uniform(0.0, duration * 1.05)
        work = copy_with_linked_records(base, tmp_path / f"kill-{k:02d}")
        inodes = _inodes(work)
        child = warm.cli("--data", work, "refresh", "--full", name=f"refresh-kill-{k:02d}")
        time.sleep(delay)
        os.kill(child.pid, signal.SIGKILL)
        ended = warm.wait(child)
        assert ended.code in (-signal.SIGKILL, 0), ended.describe()
        now = _inodes(work)
        replaced = sum(1 for p, ino in inodes.items() if now.get(p) != ino and p.endswith(".parquet"))
        if now["derived/manifest.json"] != inodes["derived/manifest.json"]:
            landed["after the manifest"] += 1
        else:
            landed["before any part" if replaced == 0 else "part way"] += 1
        left_temp += bool(leftovers(work))

        refreshed = warm.run("--data", work, "refresh")
        assert refreshed.code == 0, refreshed.describe()
        assert leftovers(work) == [], f"kill {k} at {delay:.3f} s: temp files survived `careerconv refresh`"
        diffs = _same_parts(derived_parts(work), reference)
        assert diffs == [], f"kill {k} at {delay:.3f} s ({replaced} parts rewritten): {diffs[:10]}"
        shutil.rmtree(work)

    print(f"{REFRESH_KILLS} kills: " + ", ".join(f"{n} {where}" for where, n in landed.items())
          + f"; {left_temp} left temp files behind")
    assert landed["part way"] >= 1, landed
