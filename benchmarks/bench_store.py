"""Benchmark of the store on a 10,000-employee demo organisation.

Prints four figures, each next to the naive way of getting the same thing in
the same run, and whether it meets the target of issue 2:

* autosave of one conversation (``save_conversation``), p95 <= 20 ms; compared
  with an unsafe write of the same JSON (no validation, lock, temp file or fsync)
  to show what safety costs;
* autosave with revisions, as the app does it, with at least 100,000 record
  files on disk: the draft is loaded once, then every save carries the
  revision the previous save returned (a compare-and-swap), p95 <= 20 ms;
  compared with a plain durable ``atomic_write_bytes`` of the same JSON (temp
  file, fsync, replace), so the ratio is what the compare-and-swap (validation,
  lock, reading the stored revision) adds;
* loading one employee's whole history (``history`` + ``frames``), p95 <= 100 ms;
  naive: scan every record file for that employee;
* loading every skill rating for analytics with a warm cache
  (``read_table("skill_ratings")``), <= 2 s; naive: build the table from every
  record file;
* bringing the cache up to date after one new conversation (``refresh``), <= 1 s;
  naive: rebuild every derived table from the record files.

It works on a copy of the demo organisation (``--work``), so the shared one is
never changed; the demo organisation is generated first if ``--source`` holds
none. ``--profile`` prints where the time goes for any figure that misses its
target.

Usage::

    .venv/bin/python benchmarks/bench_store.py [--source /tmp/demo10k] [--work /tmp/bench_store_copy]
"""

from __future__ import annotations

import argparse
import cProfile
import copy
import datetime as dt
import io
import json
import os
import pstats
import random
import shutil
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from careerconv.records import schema
from careerconv.records import tables
from careerconv.records.store import RECORD_KINDS, Store, atomic_write_bytes

DEMO_EMPLOYEES = 10_000
DEMO_SEED = 42
DEMO_AS_OF = dt.date(2026, 10, 1)
MIN_RECORDS = 100_000  # record files on disk for the autosave-with-revisions figure


@dataclass
class Figure:
    """One measured figure, its target and the naive way's figure."""

    name: str
    measured: str
    seconds: float  # the value compared with the target
    target: float
    naive_seconds: float | None
    naive_how: str

    @property
    def passed(self) -> bool:
        return self.seconds <= self.target

    @property
    def ratio(self) -> str:
        if not self.naive_seconds:
            return "-"
        return f"{self.naive_seconds / self.seconds:,.1f}x"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def _time(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def ensure_demo(source: Path) -> None:
    """Generate the demo organisation into ``source`` unless it already holds one."""
    if (source / "roster.csv").exists():
        return
    from careerconv.demo.organisation import write_demo_organisation

    print(f"generating the {DEMO_EMPLOYEES:,}-employee demo organisation into {source} ...", flush=True)
    summary = write_demo_organisation(source, DEMO_EMPLOYEES, DEMO_SEED, DEMO_AS_OF)
    print(f"  {summary.files:,} files in {summary.seconds:.0f} s; building the derived tables ...", flush=True)
    report = Store(source).refresh()
    print(f"  derived tables built in {report.seconds:.0f} s", flush=True)


def working_copy(source: Path, work: Path) -> Path:
    """A fresh copy of ``source`` at ``work`` (modification times kept, so the cache stays warm)."""
    if work.exists():
        shutil.rmtree(work)
    started = time.perf_counter()
    shutil.copytree(source, work, symlinks=True, ignore=shutil.ignore_patterns(".locks"))
    print(f"copied {source} to {work} in {time.perf_counter() - started:.0f} s", flush=True)
    return work


def count_records(root: Path) -> int:
    """Record files (conversations and check-ins) in a data folder."""
    store = Store(root)
    return sum(1 for kind in RECORD_KINDS for p in store.records_dir(kind).glob("*/*.json")
               if not p.name.startswith("."))


def top_up_records(store: Store, at_least: int, rng: random.Random) -> int:
    """Add check-ins (bulk, not fsynced, as the demo organisation is written) until ``at_least`` records exist.

    Returns the number of record files on disk afterwards.
    """
    have = count_records(store.root)
    if have >= at_least:
        return have
    ids = list(store.roster()["employee_id"])
    extra = [{"checkin_id": f"{eid}-ci-bench-{n:06d}", "employee_id": eid, "coach_id": store.employee(eid)["coach_id"],
              "date": DEMO_AS_OF.isoformat(), "note": "benchmark filler", "updates": [], "ratings": []}
             for n, eid in enumerate(rng.choices(ids, k=at_least - have))]
    for start in range(0, len(extra), 5_000):
        store.save_many(extra[start:start + 5_000], durable=False)
    print(f"added {len(extra):,} check-ins to reach {at_least:,} record files", flush=True)
    return count_records(store.root)


def new_draft(store: Store, employee_id: str, day: dt.date) -> dict:
    """A realistic draft for ``employee_id`` created through the store (which allocates its id).

    Its content is their last conversation's, as a coach starting from the previous plan would have it.
    """
    history = store.history(employee_id)
    record = {k: v for k, v in copy.deepcopy(history.conversations[-1]).items() if k not in schema.SAVE_STAMP}
    record.update(conversation_id=None, date=day.isoformat(), status="draft", completed_at=None, source="app",
                  next_due=None)
    return store.save_conversation(record)


def _type_a_little(record: dict, n: int) -> None:
    """One autosave's worth of typing: a word in a free-text answer and a character in a skill's approach."""
    record["answers"]["start_now"] = (record["answers"].get("start_now") or "") + f" word{n}"
    if record["skills"]:
        record["skills"][n % len(record["skills"])]["approach"] += "."


def bench_autosave(store: Store, employee_id: str, saves: int) -> tuple[list[float], list[float], int]:
    """Time ``saves`` autosaves of one draft as it is typed, and as many unsafe writes of the same JSON."""
    record = new_draft(store, employee_id, DEMO_AS_OF)
    path = store.record_path("conversation", employee_id, record["conversation_id"])
    unsafe_path = path.with_name(f"unsafe-{record['conversation_id']}.bin")
    safe, unsafe = [], []
    size = 0
    for n in range(saves):
        _type_a_little(record, n)
        started = time.perf_counter()
        record = store.save_conversation(record)
        safe.append(time.perf_counter() - started)
        started = time.perf_counter()
        data = json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8")
        with open(unsafe_path, "wb") as fh:
            fh.write(data)
        unsafe.append(time.perf_counter() - started)
        size = len(data)
    unsafe_path.unlink()
    return safe, unsafe, size


@dataclass
class RevisionAutosave:
    """Timings of autosaves that each carry the revision the previous save returned, and of the baseline."""

    cas: list[float]  # save_conversation: validate, lock, compare the stored revision, atomic durable write
    baseline: list[float]  # atomic_write_bytes of the same JSON: temp file, fsync, replace, fsync the folder
    size: int  # bytes of the record's JSON
    revisions: tuple[int, int]  # the revision loaded and the last one saved


def bench_autosave_revisions(store: Store, employee_id: str, saves: int, scratch: Path) -> RevisionAutosave:
    """The app's autosave: load a draft once, then ``saves`` saves, each with the revision the last one returned.

    Each save is followed by a plain durable ``atomic_write_bytes`` of the
    same record as JSON into ``scratch`` (interleaved, so both see the same
    disk); the ratio of the two is the cost of the compare-and-swap.
    """
    created = new_draft(store, employee_id, DEMO_AS_OF + dt.timedelta(days=2))
    record = store.load_conversation(employee_id, created["conversation_id"])  # loaded once, as the app does
    loaded_revision = record["revision"]
    scratch.mkdir(parents=True, exist_ok=True)
    baseline_path = scratch / f"{record['conversation_id']}.json"
    cas, baseline = [], []
    size = 0
    for n in range(saves):
        _type_a_little(record, n)
        started = time.perf_counter()
        record = store.save_conversation(record)  # raises Conflict if anyone else saved in between
        cas.append(time.perf_counter() - started)
        started = time.perf_counter()
        data = json.dumps(record, ensure_ascii=False).encode("utf-8")  # the store's own encoding
        atomic_write_bytes(baseline_path, data)
        baseline.append(time.perf_counter() - started)
        size = len(data)
    stored = store.load_conversation(employee_id, record["conversation_id"])
    if stored["revision"] != loaded_revision + saves or schema.record_content(stored) != schema.record_content(record):
        raise SystemExit(f"autosave with revisions: stored revision {stored['revision']}, expected "
                         f"{loaded_revision + saves}; the benchmark's saves did not all land")
    shutil.rmtree(scratch)
    return RevisionAutosave(cas, baseline, size, (loaded_revision, stored["revision"]))


def bench_history(store: Store, employee_ids: list[str]) -> tuple[list[float], int]:
    times, records = [], 0
    for eid in employee_ids:
        started = time.perf_counter()
        history = store.history(eid)
        history.frames()
        times.append(time.perf_counter() - started)
        records += len(history.conversations) + len(history.checkins)
    return times, records


def naive_history(store: Store, employee_id: str) -> float:
    def scan():
        mine = [r for r in store.iter_records() if r["employee_id"] == employee_id]
        tables.frames_from_records(mine)
    return _time(scan)


def bench_refresh_after_one(store: Store, employee_ids: list[str]) -> list[float]:
    times = []
    for eid in employee_ids:
        new_draft(store, eid, DEMO_AS_OF + dt.timedelta(days=1))
        report = store.refresh()
        assert report.employees_changed == 1, report
        times.append(report.seconds)
    return times


def profile(label: str, fn: Callable[[], object], repeat: int = 1) -> None:
    """Print the 20 most expensive calls of ``fn`` (cumulative)."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        fn()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative").print_stats(20)
    print(f"\n--- profile: {label} ({repeat} run(s)) ---")
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:6000])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=Path("/tmp/demo10k"),
                        help="the demo organisation (generated here if missing)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench_store_copy"),
                        help="where to copy it; this copy is what the benchmark changes")
    parser.add_argument("--saves", type=int, default=200, help="autosaves to time")
    parser.add_argument("--employees", type=int, default=100, help="histories to time")
    parser.add_argument("--seed", type=int, default=1, help="which employees are picked")
    parser.add_argument("--profile", action="store_true", help="profile every figure that misses its target")
    args = parser.parse_args(argv)

    ensure_demo(args.source)
    store = Store(working_copy(args.source, args.work))
    rng = random.Random(args.seed)
    n_records = top_up_records(store, MIN_RECORDS, rng)
    warm = store.refresh()
    roster = store.roster()
    ids = list(roster["employee_id"])
    print(f"{len(ids):,} employees, {n_records:,} record files; {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}; warm-up refresh {warm.seconds:.2f} s "
          f"({warm.employees_changed} employees changed)", flush=True)

    def has_conversation(eid: str) -> bool:
        return (store.root / "conversations" / eid).is_dir() and any(
            p.suffix == ".json" for p in (store.root / "conversations" / eid).iterdir())

    candidates = [e for e in rng.sample(ids, min(len(ids), 400)) if has_conversation(e)][:8]
    if len(candidates) < 8:
        raise SystemExit("the demo organisation has too few employees with a conversation to benchmark")
    figures: list[Figure] = []
    profiles: dict[str, Callable[[], object]] = {}

    # loading one employee's whole history
    sample = rng.sample(ids, min(args.employees, len(ids)))
    history_times, history_records = bench_history(store, sample)
    print(f"history: {len(sample)} employees, {history_records / len(sample):.1f} records each on average",
          flush=True)

    # every skill rating for analytics, warm cache
    store.read_table("skill_ratings")
    analytics_times = [_time(lambda: store.read_table("skill_ratings")) for _ in range(5)]
    n_ratings = len(store.read_table("skill_ratings"))

    # autosave
    autosave_employee = candidates[0]
    safe, unsafe, size = bench_autosave(store, autosave_employee, args.saves)
    store.refresh()

    # autosave with revisions (the app's way), at >= 100,000 record files
    revisions = bench_autosave_revisions(store, candidates[6], args.saves, store.root.parent / "bench_store_baseline")
    store.refresh()

    # cache after one new conversation
    refresh_times = bench_refresh_after_one(store, candidates[1:6])

    print("measuring the naive ways (each reads every record file) ...", flush=True)
    naive_history_s = naive_history(store, sample[0])
    naive_analytics_s = _time(lambda: tables.frames_from_records(store.iter_records(), ["skill_ratings"]))
    naive_rebuild_s = store.refresh(full=True).seconds

    p95 = _percentile(safe, 0.95)
    figures.append(Figure(
        "autosave one conversation", f"p50 {_ms(statistics.median(safe))}, p95 {_ms(p95)} ({args.saves} saves, "
        f"{size / 1024:.0f} KiB)", p95, 0.020, _percentile(unsafe, 0.95),
        f"unsafe write p95 {_ms(_percentile(unsafe, 0.95))} (no validation, lock, temp file or fsync)"))
    profiles["autosave one conversation"] = lambda: bench_autosave(store, autosave_employee, 20)
    c50, c95 = statistics.median(revisions.cas), _percentile(revisions.cas, 0.95)
    b50, b95 = statistics.median(revisions.baseline), _percentile(revisions.baseline, 0.95)
    figures.append(Figure(
        "autosave with revisions", f"p50 {_ms(c50)}, p95 {_ms(c95)} ({args.saves} saves, {n_records:,} records)",
        c95, 0.020, b95,
        f"atomic_write_bytes p50 {_ms(b50)}, p95 {_ms(b95)} (temp file, fsync, replace)"))
    profiles["autosave with revisions"] = lambda: bench_autosave_revisions(
        store, candidates[7], 20, store.root.parent / "bench_store_baseline")
    h95 = _percentile(history_times, 0.95)
    figures.append(Figure(
        "one employee's whole history", f"p50 {_ms(statistics.median(history_times))}, p95 {_ms(h95)} "
        f"({len(sample)} employees)", h95, 0.100, naive_history_s,
        f"scan every record file: {naive_history_s:.1f} s"))
    profiles["one employee's whole history"] = lambda: bench_history(store, sample[:20])
    a_max = max(analytics_times)
    figures.append(Figure(
        "every skill rating, warm cache", f"median {_ms(statistics.median(analytics_times))}, max {_ms(a_max)} "
        f"({n_ratings:,} rows)", a_max, 2.0, naive_analytics_s,
        f"build from every record file: {naive_analytics_s:.1f} s"))
    profiles["every skill rating, warm cache"] = lambda: store.read_table("skill_ratings")
    r_max = max(refresh_times)
    figures.append(Figure(
        "cache after one new conversation", f"median {_ms(statistics.median(refresh_times))}, max {_ms(r_max)} "
        f"({len(refresh_times)} runs)", r_max, 1.0, naive_rebuild_s,
        f"full rebuild: {naive_rebuild_s:.1f} s"))
    profiles["cache after one new conversation"] = lambda: bench_refresh_after_one(store, candidates[6:8])

    print()
    print(f"{'figure':34s} {'measured':52s} {'target':>8s} {'result':6s}  {'naive':60s} {'naive/store':>11s}")
    for f in figures:
        target = _ms(f.target) if f.target < 1 else f"{f.target:g} s"
        print(f"{f.name:34s} {f.measured:52s} {target:>8s} {'pass' if f.passed else 'FAIL':6s}  "
              f"{f.naive_how:60s} {f.ratio:>11s}")
    print("\nnaive/store: how many times longer the naive way takes (below 1 for autosave: the price of a safe "
          "save over an unsafe write)")
    print(f"autosave with revisions (revision {revisions.revisions[0]} loaded once, saved up to "
          f"{revisions.revisions[1]}): the compare-and-swap save costs {c50 / b50:.2f}x (p50) and {c95 / b95:.2f}x "
          f"(p95) a plain durable atomic_write_bytes of the same {revisions.size / 1024:.0f} KiB of JSON "
          f"(+{_ms(c50 - b50)} at p50, +{_ms(c95 - b95)} at p95)")

    missed = [f for f in figures if not f.passed]
    if args.profile:
        for f in missed:
            profile(f.name, profiles[f.name])
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
