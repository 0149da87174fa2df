"""Fixed CPU of one HR report of a small organisation: :func:`careerconv.analytics.hr_aggregates` on the
40-person demo organisation (and on the 2,000-person one), CPU seconds per report (best of ``--repeat``, after
one warm-up) and the function calls of one more report.

A report of a small organisation is mostly fixed costs: its own tables and ~20 neighbouring reports' group
sizes (privacy rule 2c), each many small pandas operations. The CPU of the process is timed
(:func:`time.process_time`), steadier than the wall clock on a shared machine; the function calls do not depend
on the machine at all, so they compare two versions of the code run at different times.

Usage::

    .venv/bin/python benchmarks/bench_hr_small.py [--repeat 5] [--sizes 40 2000]
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from careerconv import analytics  # noqa: E402
from careerconv.demo.organisation import write_demo_organisation  # noqa: E402

AS_OF = dt.date(2026, 10, 1)
SEEDS = {40: 11, 2000: 7}


def measure(people: int, repeat: int) -> tuple[float, int]:
    """Best CPU seconds of one report over ``repeat`` runs, and the function calls of one run."""
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data"
        write_demo_organisation(data, people, SEEDS.get(people, 7), AS_OF)
        tables = analytics.load_hr_tables(data, lazy=True)

        def report():
            return analytics.hr_aggregates(tables, AS_OF.isoformat(), ("2025-01-01", None), k=5)

        report()  # warm-up: imports, caches
        best = float("inf")
        for _ in range(repeat):
            start = time.process_time()
            report()
            best = min(best, time.process_time() - start)
        profile = cProfile.Profile(time.process_time)
        profile.runcall(report)
        return best, pstats.Stats(profile).total_calls


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed reports per organisation (the best counts)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[40, 2000], help="people in each organisation")
    args = parser.parse_args(argv)
    for people in args.sizes:
        best, calls = measure(people, args.repeat)
        print(f"{people:>6} people: {best:.3f} CPU s per report (best of {args.repeat}), {calls:,} function calls",
              flush=True)


if __name__ == "__main__":
    main()
