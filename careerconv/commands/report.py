"""``careerconv report``: each employee's progress report, as an executed notebook, HTML and PDF.

A thin edge over :mod:`careerconv.report.runner`: it parses the arguments,
runs the batch (progress bar with an ETA on stderr), prints where the reports
and the index page are, and lists every failure with its cause (exit code 1
when there is any).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import textwrap

from .. import config
from ..store import Store
from .argtypes import horizons, iso_date, whole_number


def register(subparsers, parent: argparse.ArgumentParser) -> None:
    """Add the ``report`` command to the ``careerconv`` parser."""
    p = subparsers.add_parser(
        "report", parents=[parent], help="make employees' progress reports (HTML, executed notebook, PDF)",
        description="\n\n".join(textwrap.fill(part, 78, break_on_hyphens=False) for part in (
            "Make the progress report of each employee named (or of everyone on the roster with --all): "
            "the report notebook executed with papermill for that employee, kept as "
            "<reports>/<employee>/progress-<date>.ipynb, and its HTML without code beside it "
            "(progress-<date>.html), plus an index page of the batch (<reports>/index-<date>.html).",
            "Reports are made in parallel on warm kernels (--jobs). An employee whose data, roster row and "
            "report have not changed since their last report of that date is skipped (--force makes it "
            "again). A report that fails does not stop the others: every failure is listed at the end "
            "with its cause, and the exit code is 1.")),
        epilog="examples:\n"
               "  careerconv report E0042\n"
               "  careerconv report --all --as-of 2026-10-01 --jobs 2\n"
               "  careerconv report --all --pdf --out /srv/reports",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("employees", nargs="*", metavar="EMPLOYEE", help="employee id(s) to report on")
    p.add_argument("--all", action="store_true", help="everyone on the roster")
    p.add_argument("--as-of", metavar="DATE", type=iso_date, default=None,
                   help="the report date, YYYY-MM-DD (default: today); later records are ignored")
    p.add_argument("--jobs", metavar="N", type=whole_number(minimum=1, what="jobs"), default=None,
                   help="reports made in parallel, one kernel each (default: the number of CPU cores)")
    p.add_argument("--force", action="store_true", help="make every report again, even if nothing changed")
    p.add_argument("--out", metavar="DIR", default=None,
                   help=f"reports folder (default: ${config.REPORTS_ENV} or reports/ beside the data folder)")
    p.add_argument("--pdf", action="store_true", help="also write each report as a PDF (progress-<date>.pdf)")
    p.add_argument("--horizons", metavar="MONTHS", type=horizons, default=(6, 12, 18),
                   help="months after each conversation at which targets are measured (default: 6,12,18)")
    p.add_argument("--figures", choices=("svg", "png"), default="svg",
                   help="chart format: svg (sharp at any zoom, faster to make; default) or png")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``careerconv report``; return the exit code (1 when any report failed)."""
    if args.all and args.employees:
        raise ValueError("give employee ids or --all, not both")
    if not args.all and not args.employees:
        raise ValueError("name at least one employee, or use --all for everyone on the roster")
    # Imported here: the runner pulls in papermill and nbconvert, which other commands do not need.
    from ..report.runner import run_batch

    data = Store.existing(args.data_dir).root
    as_of = args.as_of or dt.date.today()
    reports = config.reports_dir(data, args.out)
    result = run_batch(
        data, None if args.all else args.employees, as_of, reports_dir=reports, jobs=args.jobs,
        force=args.force, pdf=args.pdf, horizons=args.horizons, figure_format=args.figures,
        progress=not args.quiet,
    )
    made, unchanged, failed = result.made, result.unchanged, result.failed
    rate = ""
    if made and result.seconds > 0:
        rate = f" in {result.seconds:.1f} s ({60 * len(made) / result.seconds:.0f} reports/min)"
    print(f"{len(made)} report(s) made{rate}, {len(unchanged)} unchanged, {len(failed)} failed; "
          f"reports in {reports}")
    print(f"index: {result.index_path}")
    if failed:
        print(f"careerconv report: {len(failed)} report(s) failed:", file=sys.stderr)
        for outcome in failed:
            cause = outcome.error or "unknown cause"
            print(f"  - {outcome.employee_id}: {textwrap.indent(cause, '    ').strip()}", file=sys.stderr)
            if outcome.paths and outcome.paths.error_ipynb.exists():
                print(f"    (the failed notebook is kept: {outcome.paths.error_ipynb})", file=sys.stderr)
        return 1
    return 0
