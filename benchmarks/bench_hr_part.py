"""CPU of the tables of one part of the HR benchmark's employees (issue 11): the first part's
:func:`careerconv.analytics.record_tables.part_pieces`, the part read whole (one group), run ``--repeat`` times in
one process, each run's CPU split into user and system time, with the minor page faults behind the system time.

The whole report's CPU (``bench_hr.py --full``) is mostly sixteen such parts; one part is a steadier figure to
compare two versions of the code by than the whole report's wall time on a shared machine. The system time is
part of the cost: on the 2-core benchmark machine a part took ~2.5 s of user time and 0.1-1.9 s of system time,
most in the first run of a process (fresh memory pages, each one a fault) and more the busier the machine.

``--profile FILE`` writes a cProfile of one more run, timed by the process's CPU (:func:`time.process_time`):
a profile timed by the wall clock, cProfile's default, charges whatever ran on a busy machine meanwhile to the
function that was waiting.

Usage::

    .venv/bin/python benchmarks/bench_hr_part.py [--data /tmp/hr_bench] [--repeat 3] [--profile part.prof]

The data is that of ``bench_hr.py`` (which generates it when missing).
"""

from __future__ import annotations

import argparse
import cProfile
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_hr import AS_OF, K  # noqa: E402  (the benchmark's own report, after the paths)


class _Captured(BaseException):
    """Ends the report once the first part is read (not an error: nothing catches it on the way)."""


def first_part(data: Path) -> tuple[dict, object]:
    """The frames of the first part of the report on ``data`` and the report's context, as ``part_pieces`` is
    given them."""
    from careerconv import analytics
    from careerconv.analytics import record_tables

    captured = {}

    def capture(part, ctx):
        captured.update(part=part, ctx=ctx)
        raise _Captured

    real, record_tables.part_pieces = record_tables.part_pieces, capture
    try:
        analytics.hr_aggregates(analytics.load_hr_tables(data, lazy=True), AS_OF, k=K, part_groups=1)
    except _Captured:
        pass
    finally:
        record_tables.part_pieces = real
    return captured["part"], captured["ctx"]


def timed_runs(part: dict, ctx: object, repeat: int) -> None:
    """Run ``part_pieces`` ``repeat`` times, printing each run's user and system CPU seconds and minor faults."""
    from careerconv.analytics import record_tables

    for number in range(1, repeat + 1):
        before = resource.getrusage(resource.RUSAGE_SELF)
        record_tables.part_pieces(part, ctx)
        after = resource.getrusage(resource.RUSAGE_SELF)
        user, system = after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime
        print(f"run {number}: {user + system:5.2f} CPU s = user {user:5.2f} + system {system:5.2f}   "
              f"minor faults {after.ru_minflt - before.ru_minflt}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("/tmp/hr_bench"), help="benchmark data folder")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of the part")
    parser.add_argument("--profile", type=Path, help="also write a CPU-timed cProfile of one more run here")
    args = parser.parse_args()
    if not (args.data / "roster.csv").exists():
        sys.exit(f"no benchmark data in {args.data}: run benchmarks/bench_hr.py --data {args.data} first "
                 "(it generates the data)")
    if args.repeat < 1:
        sys.exit(f"--repeat must be at least 1, not {args.repeat}")
    part, ctx = first_part(args.data)
    print(f"first part of {args.data}: " + ", ".join(f"{name} {len(frame)}" for name, frame in part.items()))
    timed_runs(part, ctx, args.repeat)
    if args.profile:
        from careerconv.analytics import record_tables

        profile = cProfile.Profile(time.process_time)
        profile.runcall(record_tables.part_pieces, part, ctx)
        profile.dump_stats(str(args.profile))
        print(f"CPU-timed profile of one more run: {args.profile}")


if __name__ == "__main__":
    main()
