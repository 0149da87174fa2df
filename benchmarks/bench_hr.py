"""Benchmark of the HR notebook's aggregation over a ten-million-rating history (issue 5).

Measures :func:`careerconv.analytics.skill_rating_tables` -- the step of the
HR notebook that reads the whole skill-rating history: skill trends by quarter
for the organisation and every department, the distribution of ratings per
skill, self versus coach gaps, with the distinct-employee counts and
per-quarter contributions the privacy rules need, and the privacy rules
themselves -- once with the DuckDB engine (part by part over the store's
Parquet files) and once with the plain pandas version of the same computation,
in the same run. Each engine runs in a fresh subprocess so its peak memory
(``ru_maxrss``) is its own; the best of ``--repeat`` runs is reported with the
median beside it, and the two engines' tables are checked to be identical.

Targets: <= 1.5 s and <= 400 MiB peak on this 2-core machine.

The data (500,000 employees, about ten million ratings) is generated once into
``--data`` by ``make_hr_bench_data.py`` (a few minutes) and reused. Inputs are
loaded before the timer starts, the same way for both engines: the roster's id
and department columns, the ids of draft conversations, and the report scope
(as of 2026-10-01, the whole history, all departments, k = 5).

Usage::

    .venv/bin/python benchmarks/bench_hr.py [--data /tmp/hr_bench] [--repeat 3]
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
AS_OF = "2026-10-01"
K = 5


def _rss_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def child(engine: str, data: Path, out: Path) -> None:
    """Run one measurement in this (fresh) process and write its figures and tables to ``out``."""
    import pandas as pd
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from careerconv import analytics as A
    from careerconv.store import N_BUCKETS

    ratings = A.ParquetTable("skill_ratings", tuple(
        p for p in (data / "derived" / "skill_ratings" / f"part-{b:02d}.parquet" for b in range(N_BUCKETS))
        if p.exists()))
    roster = pd.read_csv(data / "roster.csv", usecols=["employee_id", "department"], dtype=str,
                         encoding="utf-8-sig")
    drafts = []
    for path in sorted((data / "derived" / "conversations").glob("part-*.parquet")):
        convs = pq.read_table(path, columns=["conversation_id", "status"])
        drafts.extend(convs.filter(pc.not_equal(convs["status"], "completed"))["conversation_id"].to_pylist())
    first = A._first_date({"conversations": pd.DataFrame({"date": []}), "skill_ratings": ratings})
    scope = A.resolve_scope(roster, AS_OF, first_date=first, k=K)
    baseline = _rss_mib()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    result = A.skill_rating_tables(ratings, roster, scope, drafts=drafts, engine=engine)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    figures = {"engine": engine, "seconds": wall,
               "cpu_seconds": (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime),
               "peak_mib": after.ru_maxrss / 1024, "baseline_mib": baseline, "ratings": len(ratings)}
    with open(out, "wb") as fh:
        pickle.dump({"figures": figures, "tables": result.tables}, fh)


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("/tmp/hr_bench"), help="benchmark data folder")
    parser.add_argument("--employees", type=int, default=500_000, help="people, when the data must be generated")
    parser.add_argument("--repeat", type=int, default=3, help="runs per engine (best and median are shown)")
    parser.add_argument("--child", choices=("duckdb", "pandas"), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.data, args.out)
        return 0

    if not (args.data / "derived" / "skill_ratings").is_dir():
        from make_hr_bench_data import make

        print(f"generating the benchmark organisation in {args.data} (once; a few minutes) ...", flush=True)
        print(make(args.data, args.employees), flush=True)
    print(f"HR analytics aggregation benchmark on {args.data}; {os.cpu_count()} cores; "
          f"load average before: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    runs: dict[str, list[dict]] = {"duckdb": [], "pandas": []}
    tables = {}
    for _ in range(max(1, args.repeat)):
        for engine in runs:
            result = _run(engine, args.data)
            runs[engine].append(result["figures"])
            tables[engine] = result["tables"]
    ratings = runs["duckdb"][0]["ratings"]
    print(f"skill ratings: {ratings:,}; figures: best of {args.repeat} runs (median), each in a fresh process\n")
    print(f"{'engine':<8} {'wall s':>14} {'CPU s':>8} {'peak MiB':>10} {'of which inputs':>16}")
    best = {}
    for engine, figures in runs.items():
        walls = [f["seconds"] for f in figures]
        top = min(figures, key=lambda f: f["seconds"])
        best[engine] = {"seconds": min(walls), "peak_mib": max(f["peak_mib"] for f in figures)}
        print(f"{engine:<8} {min(walls):>6.2f} ({statistics.median(walls):>5.2f}) {top['cpu_seconds']:>8.2f} "
              f"{best[engine]['peak_mib']:>10.0f} {top['baseline_mib']:>16.0f}")
    ratio_t = best["pandas"]["seconds"] / best["duckdb"]["seconds"]
    ratio_m = best["pandas"]["peak_mib"] / best["duckdb"]["peak_mib"]
    print(f"\nDuckDB vs plain pandas: {ratio_t:.1f}x faster, {ratio_m:.1f}x less peak memory")
    ok_t = best["duckdb"]["seconds"] <= TARGET_SECONDS
    ok_m = best["duckdb"]["peak_mib"] <= TARGET_MIB
    print(f"target <= {TARGET_SECONDS} s: {'met' if ok_t else 'NOT met'} ({best['duckdb']['seconds']:.2f} s); "
          f"target <= {TARGET_MIB} MiB: {'met' if ok_m else 'NOT met'} ({best['duckdb']['peak_mib']:.0f} MiB)")
    differ = _same_tables(tables["duckdb"], tables["pandas"])
    print("both engines give the same tables: " + ("yes" if not differ else f"NO ({', '.join(differ)})"))
    print(f"load average after: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    print(json.dumps({"duckdb": best["duckdb"], "pandas": best["pandas"]}))
    return 0 if not differ else 1


if __name__ == "__main__":
    sys.exit(main())
