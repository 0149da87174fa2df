"""The targets measured at their horizons in DuckDB SQL beside the HR report's engine (issue 11): is SQL the way
to the 20-second report? Measured: no -- SQL took 2-4.8 times the engine's CPU for this table (figures below).

:func:`careerconv.analytics.record_tables.measured_targets` (the rule
:func:`careerconv.rules.progress.progress_at_horizons` over the targets due of the report's period, against the
ratings of their employees, drafts left out) is the hardest of the part tables and the one the growth, target
attainment and option-kind tables are read from. Here it is one SQL query over the store's Parquet parts
(:func:`measured_sql`: joins, a range join for the ratings around each horizon day, grouped minima and maxima,
the same-day rule as a window over the few days with several ratings). Its shape would run on Spark or Trino; a few
names are DuckDB's (``read_parquet``, ``ARG_MAX``/``ARG_MIN`` for their ``max_by``/``min_by``, ``epoch_us``,
``TRY_CAST``, ``INTERVAL`` arithmetic for ``add_months``). Two ways:

``part``
    the first part of the benchmark's employees (part-00, 31,113 employees, 539,016 targets due): ``measured_targets``
    on the part's frames as the engine reads them (their reading not counted), and the query on ``part-00.parquet``
    (reading counted, and the connection: the roster's departments, the skill names' keys), the two tables then
    compared target by target (days, ratings, horizon reached, window open, department): they must be equal;
``whole``
    the whole report as ``careerconv hr-report`` computes it, the CPU of its targets' measurements
    (``record_tables._measured``, every part and every report compared with) counted apart, and the query on the
    whole organisation at once (every part), counted by horizon and department in SQL; the counts are compared with
    the engine's target-attainment table: they must be equal.

Each run is a fresh process (its peak resident size, ``ru_maxrss``, is its own, the imports counted); CPU is the
process's user + system time (DuckDB's threads included; the engine's measurements by their threads' time). DuckDB
runs with ``--threads`` (2) and ``--memory-limit`` (1GB). The modes alternate ``--repeat`` times.

Measured on the 2-core host on 2026-12-07 (500b7ba, DuckDB 2.0.1), load 5-11 from other work throughout, so
the walls are long and only the CPU figures and their ratios mean much::

    part   engine measured_targets        0.53 / 0.81 / 0.53 / 0.47 CPU s   (wall 0.7-1.9 s)
    part   SQL (connect + query)          1.73 / 2.21 / 2.26 / 1.93 CPU s   (wall 3.4-6.6 s, +514-590 MiB); the
                                          query alone 1.1-1.35 CPU s, the connection ~0.5
    whole  engine, the whole report       85.6 / 99.6 / 78.5 CPU s (wall 208-306 s), peak 1,184-1,233 MiB; its
                                          targets' measurements 10.8 / 15.7 / 11.3 CPU s (32 calls: in
                                          each of the 16 parts one for the report and its neighbours
                                          sharing its end, one for the neighbour with another end)
    whole  SQL, one query                 46.7 / 48.4 / 54.2 CPU s (wall 88-163 s), peak 1,676-1,701 MiB
                                          (over the 1.5 GiB target with a 1GB limit), 8,619,982 targets due

The query's time is spread over its joins and groupings on text keys (employee, skill key; no operator over 20 %);
writing the two neighbours of the horizon day as DuckDB's ``ASOF LEFT JOIN`` instead of the range join took more
(2.1 against 1.1-1.35 CPU s on the part), and a first version choosing both the rating of each day and the
closest rating by windows over every row took 1.5-1.7. The engine's two threads give ~1.35x (Python's lock);
DuckDB's are not held by it, but even a perfect 2x does not make up for 2-4.8 times the CPU (the query alone
against the engine on the part; the whole organisation's query against the engine's measurements). For the whole
report to reach 20 s the other part tables (counts, means and medians by group) would have to run in SQL at a
small fraction of the engine's CPU, while the one measured here runs at several times it. So the part tables stay
in the engine.

Usage::

    .venv/bin/python benchmarks/bench_hr_sql.py [--data /tmp/hr_bench] [--repeat 2] [--modes part,whole]

The data is that of ``bench_hr.py`` (which generates it when missing).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_hr import AS_OF, K  # noqa: E402  (the benchmark's own report, after the paths)

WINDOW_DAYS = 60  # careerconv.rules.progress.DEFAULT_WINDOW_DAYS, read again in the child (checked there)


def measured_sql(derived: Path, part: str, start: str, end: str, as_of_day: str) -> str:
    """The measured targets of the conversations completed from ``start`` to before ``end`` whose horizon has come
    by ``as_of_day`` (ISO days), one row per target, over the Parquet files ``derived/<table>/<part>.parquet``
    (``part``: a file name pattern, ``*`` for every part) and the tables ``skill_keys(skill, skill_key)`` (every
    skill name and :func:`careerconv.records.schema.skill_key` of it) and ``roster(employee_id, department)``.

    The rule is :func:`careerconv.rules.progress.progress_at_horizons`'s: of one employee's ratings of one skill
    on one day the one recorded last counts (:func:`careerconv.rules.followup.recorded_key`: save time, then the
    source's priority, then the record id, then the higher rating); the measurement is the rating after the
    conversation day, on or before ``as_of_day``, closest to the horizon day and no more than the window away, the
    later one of two as close; ratings given in a draft conversation (not from a check-in) are left out.
    """
    from careerconv.rules.followup import SOURCE_PRIORITY

    def files(table: str) -> str:
        return f"read_parquet('{derived / table / (part + '.parquet')}')"

    source_priority = " ".join(f"WHEN '{source}' THEN {rank}" for source, rank in SOURCE_PRIORITY.items())
    return f"""
WITH conv AS (
    SELECT conversation_id, status, CAST(date AS DATE) AS day FROM {files('conversations')}
), period AS (
    SELECT DISTINCT conversation_id FROM conv
    WHERE status = 'completed' AND day >= DATE '{start}' AND day < DATE '{end}'
), drafts AS (
    SELECT DISTINCT conversation_id FROM conv WHERE status IS NULL OR status <> 'completed'
), due AS (
    SELECT t.employee_id, t.conversation_id, t.skill, k.skill_key, CAST(t.date AS DATE) AS t0, t.baseline,
           t.horizon_months, t.target,
           CAST(CAST(t.date AS DATE) + t.horizon_months * INTERVAL 1 MONTH AS DATE) AS horizon
    FROM {files('targets')} t
    JOIN period p ON p.conversation_id = t.conversation_id
    JOIN skill_keys k ON k.skill = t.skill
    WHERE CAST(CAST(t.date AS DATE) + t.horizon_months * INTERVAL 1 MONTH AS DATE) <= DATE '{as_of_day}'
), targets_due AS (
    SELECT ROW_NUMBER() OVER () AS target_no, * FROM due
), usable AS (
    SELECT r.employee_id, k.skill_key, CAST(r.date AS DATE) AS day, r.self_rating AS rating, r.saved_at, r.source,
           r.record_id
    FROM {files('skill_ratings')} r
    JOIN skill_keys k ON k.skill = r.skill
    LEFT JOIN drafts d ON d.conversation_id = r.record_id AND (r.source IS NULL OR r.source <> 'checkin')
    WHERE r.self_rating IS NOT NULL AND r.employee_id IS NOT NULL AND CAST(r.date AS DATE) <= DATE '{as_of_day}'
      AND d.conversation_id IS NULL
), per_day AS (
    SELECT employee_id, skill_key, day, COUNT(*) AS ratings, MAX(rating) AS rating
    FROM usable GROUP BY employee_id, skill_key, day
), same_day AS (
    SELECT u.employee_id, u.skill_key, u.day, u.rating,
           ROW_NUMBER() OVER (
               PARTITION BY u.employee_id, u.skill_key, u.day
               ORDER BY COALESCE(epoch_us(TRY_CAST(u.saved_at AS TIMESTAMPTZ)), -9223372036854775807) DESC,
                        CASE u.source {source_priority} ELSE -1 END DESC,
                        CAST(u.record_id AS VARCHAR) DESC, u.rating DESC) AS recorded_last
    FROM usable u JOIN per_day p
      ON p.ratings > 1 AND p.employee_id = u.employee_id AND p.skill_key = u.skill_key AND p.day = u.day
), counted AS (
    -- One rating per employee, skill and day: the only one, or the one recorded last (few days have several).
    SELECT employee_id, skill_key, day, rating FROM per_day WHERE ratings = 1
    UNION ALL
    SELECT employee_id, skill_key, day, rating FROM same_day WHERE recorded_last = 1
), around AS (
    SELECT t.target_no,
           MAX(c.day) FILTER (WHERE c.day <= t.horizon) AS before_day,
           ARG_MAX(c.rating, c.day) FILTER (WHERE c.day <= t.horizon) AS before_rating,
           MIN(c.day) FILTER (WHERE c.day > t.horizon) AS after_day,
           ARG_MIN(c.rating, c.day) FILTER (WHERE c.day > t.horizon) AS after_rating
    FROM targets_due t JOIN counted c
      ON c.employee_id = t.employee_id AND c.skill_key = t.skill_key AND c.day > t.t0
     AND c.day BETWEEN t.horizon - {WINDOW_DAYS} AND t.horizon + {WINDOW_DAYS}
    GROUP BY t.target_no
), measured AS (
    SELECT t.*,
           CASE WHEN a.after_day IS NOT NULL
                 AND (a.before_day IS NULL OR a.after_day - t.horizon <= t.horizon - a.before_day)
                THEN a.after_day ELSE a.before_day END AS measured_day,
           CASE WHEN a.after_day IS NOT NULL
                 AND (a.before_day IS NULL OR a.after_day - t.horizon <= t.horizon - a.before_day)
                THEN a.after_rating ELSE a.before_rating END AS measured_rating
    FROM targets_due t LEFT JOIN around a ON a.target_no = t.target_no
)
SELECT m.employee_id, m.conversation_id, m.skill, m.t0, m.baseline, m.horizon_months, m.target,
       m.horizon <= DATE '{as_of_day}' AS horizon_reached,
       m.measured_day IS NULL AND m.horizon <= DATE '{as_of_day}'
           AND DATE '{as_of_day}' < m.horizon + {WINDOW_DAYS} AS window_open,
       m.measured_day AS measured_date, m.measured_rating, ro.department
FROM measured m LEFT JOIN roster ro ON ro.employee_id = m.employee_id
"""


def attainment_sql(measured: str) -> str:
    """The measured targets counted by horizon and department (the target-attainment table's sums and its
    distinct employees), from the query ``measured``."""
    return f"""
WITH m AS ({measured})
SELECT horizon_months, department, COUNT(DISTINCT employee_id) AS employees, COUNT(*) AS targets_due,
       COUNT(measured_rating) AS targets_measured,
       SUM(CASE WHEN measured_rating >= target THEN 1 ELSE 0 END) AS targets_attained,
       SUM(CASE WHEN window_open THEN 1 ELSE 0 END) AS targets_window_open
FROM m GROUP BY horizon_months, department ORDER BY horizon_months, department
"""


def _usage() -> tuple[float, int]:
    """The process's CPU seconds so far (user + system, every thread) and its peak resident size in KiB."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def _connect(data: Path, part: str, threads: int, memory_limit: str):
    """A DuckDB connection held to ``threads`` and ``memory_limit``, with the tables ``roster`` and
    ``skill_keys`` (of the skill names in the Parquet files ``part``) the queries read (see :func:`measured_sql`)."""
    import duckdb
    import pandas as pd

    from careerconv.records.schema import skill_key

    con = duckdb.connect()
    con.execute(f"SET threads={threads}")
    con.execute(f"SET memory_limit='{memory_limit}'")
    con.execute(f"CREATE TABLE roster AS SELECT employee_id, department FROM read_csv('{data / 'roster.csv'}', "
                "all_varchar=true)")
    derived = data / "derived"
    names = con.execute(f"SELECT DISTINCT skill FROM read_parquet('{derived / 'targets' / (part + '.parquet')}') UNION "
                        f"SELECT DISTINCT skill FROM read_parquet('{derived / 'skill_ratings' / (part + '.parquet')}')"
                        ).fetchall()
    keys = pd.DataFrame({"skill": [n for (n,) in names if n is not None]})
    keys["skill_key"] = [skill_key(n) for n in keys["skill"]]
    con.register("skill_keys_frame", keys)
    con.execute("CREATE TABLE skill_keys AS SELECT * FROM skill_keys_frame")
    return con


def _scope_days(ctx) -> tuple[str, str, str]:
    scope = ctx.scope
    return f"{scope.start:%Y-%m-%d}", f"{scope.end:%Y-%m-%d}", f"{scope.as_of_day:%Y-%m-%d}"


def child(mode: str, data: Path, out: Path, threads: int, memory_limit: str, part_files: str = "part-00") -> dict:
    """One timed run of ``mode`` in this process: its figures, and its table written to ``out`` (pickled).

    ``part_files``: the Parquet files (a name pattern) of the employees of the report's first part, which
    ``sql-part`` reads: ``part-00`` on the benchmark's data, whose parts are the report's; a small organisation's
    first part is every employee (``*``)."""
    from careerconv.rules import progress

    if progress.DEFAULT_WINDOW_DAYS != WINDOW_DAYS:
        raise SystemExit(f"the rule's window is {progress.DEFAULT_WINDOW_DAYS} days, this benchmark's "
                         f"{WINDOW_DAYS}: change WINDOW_DAYS")
    if mode == "engine-whole":
        return _engine_whole(data, out)
    from bench_hr_part import first_part

    part, ctx = first_part(data)  # the first part's frames as the engine reads them, and the report's context
    start, end, as_of_day = _scope_days(ctx)
    cpu0, rss0 = _usage()
    wall0 = time.perf_counter()
    if mode == "engine-part":
        from careerconv.analytics.record_tables import PartShared, isin, measured_targets
        from careerconv.analytics.record_tables.measured import TargetCodes

        shared = PartShared(part)
        _, drafts, _, period_ids = shared.conversations(ctx.scope)
        targets, ratings = part["targets"], part["skill_ratings"]
        codes = TargetCodes.of(targets, ratings, shared.department_of)
        table = measured_targets(targets, isin(targets["conversation_id"], period_ids), ratings, drafts, ctx,
                                 shared.department_of, codes)
        rows = len(table)
    else:
        files = part_files if mode == "sql-part" else "*"
        con = _connect(data, files, threads, memory_limit)
        query = measured_sql(data / "derived", files, start, end, as_of_day)
        if mode == "sql-part":
            table = con.execute(query).df()
            rows = len(table)
        else:
            table = con.execute(attainment_sql(query)).df()
            rows = int(table["targets_due"].sum())
    wall = time.perf_counter() - wall0
    cpu1, rss1 = _usage()
    out.write_bytes(pickle.dumps(table))
    return {"mode": mode, "wall": wall, "cpu": cpu1 - cpu0, "peak_mib": rss1 / 1024,
            "added_mib": (rss1 - rss0) / 1024, "rows": rows}


def _engine_whole(data: Path, out: Path) -> dict:
    """The whole report as ``careerconv hr-report`` computes it, with the CPU of its targets' measurements
    (``record_tables._measured``: numbering a part's targets and :func:`measured_targets`, every part and every
    report compared with, on the threads that run them) counted apart; its target-attainment table written to
    ``out``."""
    import threading

    from careerconv import analytics
    from careerconv.analytics import record_tables

    spent = []
    lock = threading.Lock()
    real = record_tables._measured

    def counted(*args, **kwargs):
        before = time.thread_time()
        try:
            return real(*args, **kwargs)
        finally:
            with lock:
                spent.append(time.thread_time() - before)

    cpu0, rss0 = _usage()
    wall0 = time.perf_counter()
    record_tables._measured = counted
    try:
        tables = analytics.hr_aggregates(analytics.load_hr_tables(data, lazy=True), AS_OF, k=K)
    finally:
        record_tables._measured = real
    wall = time.perf_counter() - wall0
    cpu1, rss1 = _usage()
    out.write_bytes(pickle.dumps(tables["target_attainment"]))
    return {"mode": "engine-whole", "wall": wall, "cpu": cpu1 - cpu0, "peak_mib": rss1 / 1024,
            "added_mib": (rss1 - rss0) / 1024, "rows": len(spent), "measured_cpu": sum(spent)}


def compare_parts(engine, sql) -> list[str]:
    """How the engine's measured targets of the part and SQL's differ (nothing: equal), target by target."""
    import pandas as pd

    key = ["conversation_id", "skill", "horizon_months"]
    columns = ["t0", "baseline", "target", "horizon_reached", "window_open", "measured_date", "measured_rating",
               "department"]

    def tidy(frame):
        frame = frame.loc[:, [*key, *columns]].copy()
        for c in ("t0", "measured_date"):
            frame[c] = pd.to_datetime(frame[c]).astype("datetime64[ns]")
        for c in ("baseline", "target", "horizon_months", "measured_rating"):
            frame[c] = frame[c].astype("Float64")
        for c in ("horizon_reached", "window_open"):
            frame[c] = frame[c].astype(bool)
        for c in ("conversation_id", "skill"):
            frame[c] = frame[c].astype(str)
        frame["department"] = frame["department"].astype(object)
        return frame.sort_values(key).reset_index(drop=True)

    engine, sql = tidy(engine), tidy(sql)
    if len(engine) != len(sql):
        return [f"rows: engine {len(engine)}, SQL {len(sql)}"]
    problems = []
    for c in [*key, *columns]:
        differ = ~(engine[c].eq(sql[c]).fillna(False) | (engine[c].isna() & sql[c].isna()))
        if differ.any():
            problems.append(f"{c}: {int(differ.sum())} targets differ, e.g. engine "
                            f"{engine.loc[differ].head(2).to_dict('records')} "
                            f"SQL {sql.loc[differ].head(2).to_dict('records')}")
    return problems


def compare_attainment(engine, sql) -> list[str]:
    """How the engine's target-attainment counts (its department rows shown) differ from SQL's (nothing: equal)."""
    key = ["horizon_months", "department"]
    counts = ["targets_due", "targets_measured", "targets_attained", "targets_window_open"]
    shown = engine[engine["department"].notna() & engine["targets_due"].notna()]
    both = shown.loc[:, [*key, *counts]].merge(sql.loc[:, [*key, *counts]], on=key, how="outer",
                                               suffixes=("_engine", "_sql"), indicator=True)
    problems = [f"{len(both[both['_merge'] != 'both'])} groups in one table only"] \
        if (both["_merge"] != "both").any() else []
    for c in counts:
        differ = both[f"{c}_engine"].astype(float) != both[f"{c}_sql"].astype(float)
        if differ.any():
            problems.append(f"{c}: {int(differ.sum())} groups differ")
    return problems if len(shown) else ["the engine's table shows no department"]


def _run_child(run: str, out: Path, args: argparse.Namespace):
    """Run ``run`` in a fresh process, print its figures and give back the table it wrote to ``out``."""
    done = subprocess.run([sys.executable, __file__, "--child", run, "--out", str(out), "--data", str(args.data),
                           "--threads", str(args.threads), "--memory-limit", args.memory_limit],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{run} failed:\n{done.stderr[-3000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"{run:12s} wall {figures['wall']:6.2f} s  CPU {figures['cpu']:6.2f} s  "
          f"peak {figures['peak_mib']:6.0f} MiB (+{figures['added_mib']:.0f})  rows {figures['rows']}"
          + (f"  (measuring the targets: {figures['measured_cpu']:.2f} CPU s in {figures['rows']} calls)"
             if "measured_cpu" in figures else ""), flush=True)
    return pickle.loads(out.read_bytes())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("/tmp/hr_bench"), help="benchmark data folder")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each mode, alternating")
    parser.add_argument("--modes", default="part,whole", help="part, whole (each: the engine and SQL, compared)")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB's threads")
    parser.add_argument("--memory-limit", default="1GB", help="DuckDB's memory limit")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.data, args.out, args.threads, args.memory_limit)))
        return
    if not (args.data / "roster.csv").exists():
        sys.exit(f"no benchmark data in {args.data}: run benchmarks/bench_hr.py --data {args.data} first "
                 "(it generates the data)")
    allowed = {"part": ["engine-part", "sql-part"], "whole": ["engine-whole", "sql-whole"]}
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    unknown = [m for m in modes if m not in allowed]
    if unknown or not modes:
        sys.exit(f"--modes: unknown {', '.join(unknown) or '(none given)'}; allowed: {', '.join(allowed)}")
    if args.repeat < 1:
        sys.exit(f"--repeat must be at least 1, not {args.repeat}")
    runs = [run for _ in range(args.repeat) for mode in modes for run in allowed[mode]]
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    with tempfile.TemporaryDirectory(prefix="bench_hr_sql.") as folder:
        tables = {run: _run_child(run, Path(folder) / f"{run}.pkl", args) for run in runs}
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    if "part" in modes:
        problems = compare_parts(tables["engine-part"], tables["sql-part"])
        print("part: the measured targets are equal" if not problems else "part: DIFFERENT\n  " + "\n  ".join(problems))
    if "whole" in modes:
        problems = compare_attainment(tables["engine-whole"], tables["sql-whole"])
        print("whole: the target-attainment counts are equal" if not problems
              else "whole: DIFFERENT\n  " + "\n  ".join(problems))


if __name__ == "__main__":
    main()
