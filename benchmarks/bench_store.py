"""Benchmark of the store on a 10,000-employee demo organisation.

Prints four figures, each next to the naive way of getting the same thing in
the same run, and whether it meets the target of issue 2:

* autosave of one conversation (``save_conversation``), p95 <= 20 ms; compared
  with an unsafe write of the same JSON (no validation, lock, temp file or fsync)
  to show what safety costs;
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

from careerconv import tables as T
from careerconv.store import Store

DEMO_EMPLOYEES = 10_000
DEMO_SEED = 42
DEMO_AS_OF = dt.date(2026, 10, 1)


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
    from careerconv.demo import write_demo_organisation

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


def draft_from(store: Store, employee_id: str, day: dt.date) -> dict:
    """A realistic draft for ``employee_id``: their last conversation's content under a new id."""
    history = store.history(employee_id)
    base = history.conversations[-1]
    record = copy.deepcopy(base)
    record.update(conversation_id=store.new_record_id("conversation", employee_id, day), date=day.isoformat(),
                  status="draft", completed_at=None, source="app", next_due=None)
    return record


def bench_autosave(store: Store, employee_id: str, saves: int) -> tuple[list[float], list[float], int]:
    """Time ``saves`` autosaves of one draft as it is typed, and as many unsafe writes of the same JSON."""
    record = draft_from(store, employee_id, DEMO_AS_OF)
    path = store.record_path("conversation", employee_id, record["conversation_id"])
    safe, unsafe = [], []
    size = 0
    for n in range(saves):
        record["answers"]["start_now"] = (record["answers"].get("start_now") or "") + f" word{n}"
        if record["skills"]:
            record["skills"][n % len(record["skills"])]["approach"] += "."
        started = time.perf_counter()
        record = store.save_conversation(record)
        safe.append(time.perf_counter() - started)
        started = time.perf_counter()
        data = json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8")
        with open(path.with_name(f"unsafe-{record['conversation_id']}.bin"), "wb") as fh:
            fh.write(data)
        unsafe.append(time.perf_counter() - started)
        size = len(data)
    path.with_name(f"unsafe-{record['conversation_id']}.bin").unlink()
    return safe, unsafe, size


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
        T.frames_from_records(mine)
    return _time(scan)


def bench_refresh_after_one(store: Store, employee_ids: list[str]) -> list[float]:
    times = []
    for eid in employee_ids:
        store.save_conversation(draft_from(store, eid, DEMO_AS_OF + dt.timedelta(days=1)))
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
    warm = store.refresh()
    roster = store.roster()
    n_records = sum(1 for folder in ("conversations", "checkins") for _ in (store.root / folder).glob("*/*.json"))
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

    # cache after one new conversation
    refresh_times = bench_refresh_after_one(store, candidates[1:6])

    print("measuring the naive ways (each reads every record file) ...", flush=True)
    naive_history_s = naive_history(store, sample[0])
    naive_analytics_s = _time(lambda: T.frames_from_records(store.iter_records(), ["skill_ratings"]))
    naive_rebuild_s = store.refresh(full=True).seconds

    p95 = _percentile(safe, 0.95)
    figures.append(Figure(
        "autosave one conversation", f"p50 {_ms(statistics.median(safe))}, p95 {_ms(p95)} ({args.saves} saves, "
        f"{size / 1024:.0f} KiB)", p95, 0.020, _percentile(unsafe, 0.95),
        f"unsafe write p95 {_ms(_percentile(unsafe, 0.95))} (no validation, lock, temp file or fsync)"))
    profiles["autosave one conversation"] = lambda: bench_autosave(store, autosave_employee, 20)
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

    missed = [f for f in figures if not f.passed]
    if args.profile:
        for f in missed:
            profile(f.name, profiles[f.name])
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
