"""``careerconv demo``: write a realistic, deterministic demo organisation into the data folder."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time

from careerconv.demo import limits
from . import streams
from .argtypes import iso_date, whole_number


def years_range(text: str) -> tuple[float, float]:
    """Years of demo history: one number (``3``) or a range (``2-4``), from 1 to 10.

    Returns
    -------
    (low, high) : tuple of float

    Raises
    ------
    argparse.ArgumentTypeError
        With the reason from :func:`careerconv.demo.limits.parse_years`, which quotes
        the text and says what is allowed.
    """
    try:
        return limits.parse_years(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(subparsers, parent: argparse.ArgumentParser) -> None:
    """Add the ``demo`` command to the command line."""
    p = subparsers.add_parser(
        "demo", parents=[parent], help="write a realistic, deterministic demo organisation into the data folder",
        description="Write a synthetic organisation into the data folder: departments, coaches, a roster with "
                    "diverse names, years of career conversations every 6 or 12 months, check-ins between them, "
                    "skill ratings that drift towards (or short of) their targets, some people overdue, a few never "
                    "met and one or two drafts in progress. The same --seed and --as-of always give the same files. "
                    "A folder that already holds a roster is refused unless --force is given.",
        epilog="example: careerconv demo --data data/sample --employees 24 --seed 1 --as-of 2026-10-01 --force")
    p.add_argument("--employees",
                   type=whole_number(minimum=limits.MIN_EMPLOYEES, maximum=limits.MAX_EMPLOYEES,
                                     what="employees"), default=60, metavar="N",
                   help="people on the roster, coaches included "
                        f"({limits.MIN_EMPLOYEES}–{limits.MAX_EMPLOYEES:,}; default 60)")
    p.add_argument("--seed", type=whole_number(minimum=0), default=7, metavar="S", help="random seed (default 7)")
    p.add_argument("--as-of", type=iso_date, default=None, metavar="YYYY-MM-DD",
                   help="the day the data is as of; no record is dated later (default: today)")
    p.add_argument("--years", type=years_range, default=limits.DEFAULT_YEARS, metavar="LOW-HIGH",
                   help="years of history per person, a range such as 2-4 (the default) or one number")
    p.add_argument("--force", action="store_true",
                   help="replace an organisation already in the folder: its roster, conversations, check-ins and "
                        "derived tables are deleted first (question sets are kept)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the organisation, build the derived tables and print a summary."""
    from careerconv.demo import organisation  # here, not above: `careerconv demo --help` needs no pandas
    from careerconv.records.store import Store

    as_of = args.as_of or dt.date.today()
    if organisation.holds_organisation(args.data_dir) and not args.force:
        print(f"careerconv demo: error: {args.data_dir} already holds an organisation (roster.csv or records); "
              "nothing was written. Use another folder with --data DIR, or add --force to delete its roster, "
              "conversations, check-ins and derived tables and write the demo organisation in their place.",
              file=sys.stderr)
        return 1
    bar = streams.progress_bar(args, args.employees, "writing", unit="employee")

    def progress(done: int) -> None:
        bar.update(done - bar.n)

    try:
        summary = organisation.write_demo_organisation(args.data_dir, args.employees, args.seed, as_of,
                                                       years=args.years, force=args.force, progress=progress)
    finally:
        bar.close()
    streams.status(args, "building the derived tables ...")
    started = time.perf_counter()
    refresh = Store(summary.root).refresh()
    refresh_seconds = time.perf_counter() - started
    departments = ", ".join(f"{name} {count}" for name, count in summary.departments.items())
    print(f"Demo organisation written to {summary.root}")
    print(f"  employees:      {summary.employees:,} (coaches {summary.coaches:,}), seed {summary.seed}, "
          f"as of {summary.as_of.isoformat()}")
    print(f"  departments:    {len(summary.departments)}: {departments}")
    print(f"  conversations:  {summary.conversations:,} completed, {summary.drafts} draft(s) in progress")
    print(f"  check-ins:      {summary.checkins:,}")
    print(f"  never met:      {summary.never_met:,}; overdue for a conversation: {summary.overdue:,}")
    print(f"  files:          {summary.files:,} (roster.csv, conversations/, checkins/) in "
          f"{summary.seconds:.1f} s; derived tables built in {refresh_seconds:.1f} s "
          f"({refresh.buckets_rewritten} parts)")
    return 0
