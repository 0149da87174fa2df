"""Benchmark of the HR report on the 500,000-employee organisation: the skill-rating step, and with
``--full`` the whole report (issues 5 and 11).

The skill-rating step is :func:`careerconv.analytics.skill_rating_tables`
run straight from a data folder, as the notebook's aggregation over the
whole skill-rating history: skill trends by quarter for the organisation and
every department, the distribution of ratings per skill and self versus
coach gaps, with the distinct-employee counts and per-quarter contributions
the privacy rules need, and the privacy rules themselves. The timer covers
everything from the files on: reading the roster (employee id and
department), finding the draft conversations, resolving the report's
period, reading the ratings and aggregating them. Only the imports come
before it.

It runs two ways (``--engines``; the first is held to the targets):

``engine``
    the HR report's one rating engine: PyArrow reads the Parquet parts two
    at a time, NumPy counts them (:mod:`careerconv.analytics.engine`);
``pandas``
    the plain pandas reference of the same computation
    (:mod:`careerconv.analytics.pandas_reference`: pandas reads the roster,
    the conversations and every rating into frames).

Each run is a fresh process, so its peak memory is its own: the peak
resident size of the whole process (``ru_maxrss``, the imports included) is
reported with the part the step added to it. Wall time is the best of
``--repeat`` runs (their median beside it); the machine is shared, so the
load average is printed before and after. The two ways' tables are checked
to be equal. Targets (issue 5): the step <= 1.5 s and <= 400 MiB.

``--full`` then times the whole report, what ``careerconv hr-report``
computes (:func:`careerconv.analytics.load_hr_tables` and
:func:`careerconv.analytics.hr_aggregates`), stage by stage, each way in a
fresh process: ``engine`` as the command runs it (the tables left on disk and
read one part of the employees at a time), and the
``pandas`` baseline (every table read into pandas frames and computed in one
go, the rating step by the pandas reference) under ``--full-pandas-limit-gib``,
which stops it with a MemoryError, or ends the process, before it could
take the machine; the line then says that it stopped and where. Targets
(issue 11): the whole report <= 20 s and <= 1.5 GiB peak on this 2-core
machine.

The data (500,000 employees, about ten million ratings and 22 million
targets; as of 2026-10-01, the default two-year period, all departments,
k = 5) is generated once into ``--data`` by ``make_hr_bench_data.py`` and
reused; it is generated again when missing or laid out for another number
of Parquet parts.

Usage::

    .venv/bin/python benchmarks/bench_hr.py [--data /tmp/hr_bench] [--repeat 3] [--engines engine,pandas] [--full]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

TARGET_SECONDS = 1.5
TARGET_MIB = 400
FULL_TARGET_SECONDS = 20
FULL_TARGET_MIB = 1.5 * 1024
AS_OF = "2026-10-01"
K = 5
ENGINES = ("engine", "pandas")


def _rss_mib() -> float:
    """The resident size of this process now (MiB)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(engine: str, data: Path, out: Path) -> None:
    """Run the step once in this fresh process; write its figures and tables to ``out``."""
    import pandas as pd  # noqa: F401  (imported before the timer, as the notebook has it)
    import pyarrow.parquet  # noqa: F401

    from careerconv import analytics

    baseline = _rss_mib()
    started, cpu = time.perf_counter(), _cpu_seconds()
    tables = aggregation_step(engine, data)
    wall, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ratings = analytics.ParquetTable("skill_ratings", _parts(data, "skill_ratings"))
    figures = {"engine": engine, "seconds": wall, "cpu_seconds": cpu, "peak_mib": peak, "baseline_mib": baseline,
               "ratings": len(ratings)}
    with open(out, "wb") as fh:
        pickle.dump({"figures": figures, "tables": tables}, fh)


def aggregation_step(engine: str, data: Path) -> dict:
    """The measured step: from the data folder's files to the protected skill-rating tables."""
    import pandas as pd

    from careerconv import analytics
    from careerconv.analytics.partials import first_date_of

    ratings = analytics.ParquetTable("skill_ratings", _parts(data, "skill_ratings"))
    conversations = analytics.ParquetTable("conversations", _parts(data, "conversations"))
    roster = analytics.RosterFile.of(data)
    if engine == "pandas":  # plain pandas reads what it needs into frames
        _use_pandas_reference()
        roster = roster.to_pandas()
        conversations = pd.concat([pd.read_parquet(p, columns=["conversation_id", "status"])
                                   for p in conversations.paths], ignore_index=True)
    scope = analytics.resolve_scope(roster, AS_OF, first_date=first_date_of(ratings), k=K)
    return analytics.skill_rating_tables(ratings, roster, scope, conversations=conversations).tables


def _use_pandas_reference() -> None:
    """The rating step by the plain pandas reference instead of the engine, in this process."""
    from careerconv.analytics import engine, pandas_reference

    engine.catalogue_and_partials = pandas_reference.catalogue_and_partials


def _parts(data: Path, table: str) -> tuple[Path, ...]:
    from careerconv.records.store import Store

    return tuple(Store(data).part_paths(table))


def full_child(way: str, data: Path, limit_gib: float, out: Path) -> None:
    """Time the whole report (load_hr_tables, then hr_aggregates) stage by stage in this process.

    ``way`` is ``engine`` (tables left on disk, as ``careerconv hr-report`` runs) or ``pandas`` (every table
    read into frames, the rating step by the pandas reference). The figures go to ``out`` as JSON.
    """
    if limit_gib > 0:
        limit = int(limit_gib * 2 ** 30)
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    import threading

    from careerconv import analytics
    from careerconv.analytics import aggregates
    from careerconv.analytics import inputs
    from careerconv.analytics import record_tables

    def peak() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    stage = ["load_hr_tables"]  # where the run is, for a stop by the memory limit

    def timed(owner, name: str, label: str) -> None:
        function = getattr(owner, name)
        done = [0]
        lock = threading.Lock()

        def wrapper(*args, **kwargs):
            stage[0] = label.strip()
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                with lock:
                    done[0] += 1
                    print(f"  {way:<7}{label:<26} {done[0]:>3} {time.perf_counter() - started:8.2f} s   peak "
                          f"{peak():6.0f} MiB", flush=True)

        setattr(owner, name, wrapper)

    if way == "pandas":
        _use_pandas_reference()
    timed(aggregates, "skill_rating_tables", "skill-rating step")
    timed(inputs.EmployeeParts, "read", "reading a part")
    timed(record_tables, "part_pieces", "a group of a part's people")  # the groups of a part at the same time
    timed(record_tables, "record_tables", "tables from the parts")
    figures = {"way": way, "stopped": None}
    started, cpu = time.perf_counter(), _cpu_seconds()
    try:
        tables = analytics.load_hr_tables(data, lazy=way == "engine")
        stage[0] = "hr_aggregates"
        print(f"  {way:<7}{'load_hr_tables':<30} {time.perf_counter() - started:8.2f} s   peak {peak():6.0f} MiB",
              flush=True)
        analytics.hr_aggregates(tables, AS_OF, k=K)
    except MemoryError:
        figures["stopped"] = f"stopped by the {limit_gib:g} GiB memory limit in {stage[0]}"
    figures.update(seconds=time.perf_counter() - started, cpu_seconds=_cpu_seconds() - cpu, peak_mib=peak())
    out.write_text(json.dumps(figures), encoding="utf-8")


def _run_full(way: str, data: Path, limit_gib: float) -> dict:
    """The whole report one way, in a fresh process (its stage lines are printed as they come)."""
    with tempfile.TemporaryDirectory(prefix="bench-hr-full-") as tmp:
        out = Path(tmp) / "result.json"
        started = time.perf_counter()
        done = subprocess.run([sys.executable, __file__, "--full-child", way, "--data", str(data),
                               "--full-limit-gib", str(limit_gib), "--out", str(out)], stdin=subprocess.DEVNULL)
        if out.exists():
            return json.loads(out.read_text(encoding="utf-8"))
        return {"way": way, "seconds": time.perf_counter() - started, "cpu_seconds": None, "peak_mib": None,
                "stopped": f"its process ended with code {done.returncode} (under the {limit_gib:g} GiB limit, "
                           "running out of memory can end it with another error than MemoryError, or none)"}


def full(data: Path, limit_gib: float, pandas_limit_gib: float) -> None:
    """Time the whole report the engine's way, then the pandas baseline, and print them side by side."""
    print(f"whole report on {data}, as `careerconv hr-report` computes it (load_hr_tables + hr_aggregates); "
          f"each way a fresh process; peak memory is the process's, imports included; load average before: "
          f"{_load()}", flush=True)
    results = [_run_full("engine", data, limit_gib), _run_full("pandas", data, pandas_limit_gib)]
    print(f"\n{'way':<8} {'wall s':>8} {'CPU s':>8} {'peak MiB':>9}")

    def figure(value: float | None, width: int, digits: int) -> str:
        return f"{'?':>{width}}" if value is None else f"{value:>{width}.{digits}f}"

    for r in results:
        print(f"{r['way']:<8} {figure(r['seconds'], 8, 1)} {figure(r['cpu_seconds'], 8, 1)} "
              f"{figure(r['peak_mib'], 9, 0)}"
              + (f"   {r['stopped']} after {r['seconds']:.1f} s: the baseline took at least this long"
                 if r["stopped"] else ""))
    mine, baseline = results
    if not mine["stopped"] and not baseline["stopped"]:
        print(f"engine vs pandas: {baseline['seconds'] / mine['seconds']:.1f}x faster, "
              f"{baseline['peak_mib'] / mine['peak_mib']:.1f}x less peak memory")
    ok_t = not mine["stopped"] and mine["seconds"] <= FULL_TARGET_SECONDS
    ok_m = not mine["stopped"] and mine["peak_mib"] <= FULL_TARGET_MIB
    print(f"whole report target <= {FULL_TARGET_SECONDS} s: {'met' if ok_t else 'NOT met'} "
          f"({mine['seconds']:.1f} s); target <= {FULL_TARGET_MIB / 1024:g} GiB: {'met' if ok_m else 'NOT met'} "
          f"({figure(mine['peak_mib'], 0, 0)} MiB)")
    print(f"load average after: {_load()}")
    print(json.dumps({r["way"]: {k: (round(v, 2) if isinstance(v, float) else v) for k, v in r.items() if k != "way"}
                      for r in results}))


def _run(engine: str, data: Path) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-hr-") as tmp:
        out = Path(tmp) / "result.pkl"
        subprocess.run([sys.executable, __file__, "--child", engine, "--data", str(data), "--out", str(out)],
                       check=True, stdin=subprocess.DEVNULL)
        with open(out, "rb") as fh:
            return pickle.load(fh)


def _same_tables(a: dict, b: dict) -> list[str]:
    import pandas as pd

    differ = []
    for name in a:
        try:
            pd.testing.assert_frame_equal(a[name], b[name], check_exact=False, rtol=1e-9)
        except AssertionError:
            differ.append(name)
    return differ


def _layout_ok(data: Path) -> bool:
    """Whether ``data`` holds the benchmark organisation in the store's current Parquet layout."""
    from careerconv.records.store import Store

    store = Store(data)
    return store.roster_path.exists() and store.has_derived_layout(("skill_ratings", "conversations"))


def _load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("/tmp/hr_bench"), help="benchmark data folder")
    parser.add_argument("--employees", type=int, default=500_000, help="people, when the data must be generated")
    parser.add_argument("--repeat", type=int, default=3, help="runs per engine (best and median are shown)")
    parser.add_argument("--engines", default="engine,pandas",
                        help=f"comma-separated, from {', '.join(ENGINES)}; the first is held to the targets")
    parser.add_argument("--full", action="store_true", help="also time load_hr_tables + hr_aggregates")
    parser.add_argument("--full-limit-gib", type=float, default=12.0,
                        help="memory limit of the --full engine process (0: none)")
    parser.add_argument("--full-pandas-limit-gib", type=float, default=8.0,
                        help="memory limit of the --full pandas baseline's process (0: none)")
    parser.add_argument("--child", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--full-child", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.data, args.out)
        return 0
    if args.full_child:
        full_child(args.full_child, args.data, args.full_limit_gib, args.out)
        return 0
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = [e for e in engines if e not in ENGINES]
    if unknown or not engines:
        parser.error(f"--engines: unknown {', '.join(unknown) or '(none given)'}; choose from {', '.join(ENGINES)}")

    if not _layout_ok(args.data):
        from make_hr_bench_data import make

        print(f"generating the benchmark organisation in {args.data} (once; a few minutes) ...", flush=True)
        print(make(args.data, args.employees, force=True), flush=True)
    print(f"HR analytics aggregation step on {args.data}; {os.cpu_count()} cores; load average before: {_load()}")
    runs: dict[str, list[dict]] = {e: [] for e in engines}
    tables: dict[str, dict] = {}
    for _ in range(max(1, args.repeat)):
        for engine in engines:
            result = _run(engine, args.data)
            runs[engine].append(result["figures"])
            tables.setdefault(engine, result["tables"])
    ratings = runs[engines[0]][0]["ratings"]
    print(f"skill ratings: {ratings:,}; each run a fresh process; wall: best of {args.repeat} (median); "
          "memory: peak resident size of the process, imports included (max over runs)\n")
    print(f"{'engine':<8} {'wall s':>15} {'CPU s':>7} {'peak MiB':>9} {'imports MiB':>12} {'step added MiB':>15}")
    best = {}
    for engine, figures in runs.items():
        walls = [f["seconds"] for f in figures]
        top = min(figures, key=lambda f: f["seconds"])
        peak = max(f["peak_mib"] for f in figures)
        baseline = statistics.median(f["baseline_mib"] for f in figures)
        best[engine] = {"seconds": round(min(walls), 3), "median_seconds": round(statistics.median(walls), 3),
                        "cpu_seconds": round(top["cpu_seconds"], 3), "peak_mib": round(peak),
                        "baseline_mib": round(baseline), "added_mib": round(peak - baseline)}
        print(f"{engine:<8} {min(walls):>6.2f} ({statistics.median(walls):>6.2f}) {top['cpu_seconds']:>7.2f} "
              f"{peak:>9.0f} {baseline:>12.0f} {peak - baseline:>15.0f}")
    chosen = engines[0]
    for other in engines[1:]:
        print(f"\n{chosen} vs {other}: {best[other]['seconds'] / best[chosen]['seconds']:.1f}x faster, "
              f"{best[other]['peak_mib'] / best[chosen]['peak_mib']:.1f}x less peak memory", end="")
    print()
    ok_t = best[chosen]["seconds"] <= TARGET_SECONDS
    ok_m = best[chosen]["peak_mib"] <= TARGET_MIB
    print(f"target <= {TARGET_SECONDS} s: {'met' if ok_t else 'NOT met'} ({best[chosen]['seconds']:.2f} s); "
          f"target <= {TARGET_MIB} MiB: {'met' if ok_m else 'NOT met'} ({best[chosen]['peak_mib']} MiB)")
    differ = {other: _same_tables(tables[chosen], tables[other]) for other in engines[1:]}
    for other, names in differ.items():
        print(f"{chosen} and {other} give the same tables: " + ("yes" if not names else f"NO ({', '.join(names)})"))
    print(f"load average after: {_load()}")
    print(json.dumps(best))
    if args.full:
        print(flush=True)
        full(args.data, args.full_limit_gib, args.full_pandas_limit_gib)
    return 0 if not any(differ.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
