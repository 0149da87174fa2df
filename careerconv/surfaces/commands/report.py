"""``careerconv report``: each employee's progress report, as an executed notebook, HTML and PDF.

A thin edge over :mod:`careerconv.surfaces.report.runner`: it parses the arguments,
runs the batch (progress bar with an ETA on stderr) on this machine
(``--jobs``), on one shard of the roster (``--shard I/N``, see
:mod:`careerconv.surfaces.report.shards`) or on a Dask cluster (``--dask``, see
:mod:`careerconv.surfaces.report.dask_executor`), prints where the reports and the
index page are, and lists every failure with its cause (exit code 1 when
there is any). ``--merge-index`` builds the batch's index page from the
indexes the shards wrote.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import textwrap
import time
from pathlib import Path

from careerconv.records import config
# read as the command line is parsed: the standard library only, not the report code (see careerconv.cli)
from careerconv.surfaces.batch_options import parse_dask_target, parse_shard, shard_of
from careerconv.surfaces.signals import how_stopped
from . import settings
from . import streams
from .argtypes import horizons, iso_date, whole_number

_NAMED = 10  # employees in another shard named one by one; the rest are counted


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
            "with its cause, and the exit code is 1.",
            "Big batches on many machines: --shard I/N makes only shard I of N (a stable split by employee "
            "id; shards are numbered from 1), for a job array of any scheduler (Kubernetes, Slurm, Airflow; "
            "examples in deploy/); each shard writes index-<date>.shard-I-of-N.json and .html, and "
            "--merge-index then writes the one index-<date>.html. Give every shard and the merge the same "
            "--as-of. --dask ADDRESS runs the batch on a Dask cluster whose workers see the data and reports "
            "folders at the same paths (a shared filesystem); --dask local:N starts N worker processes here.")),
        epilog="examples:\n"
               "  careerconv report E0042\n"
               "  careerconv report --all --as-of 2026-10-01 --jobs 2\n"
               "  careerconv report --all --pdf -o /srv/reports\n"
               "  careerconv report --all --as-of 2026-10-01 --shard 3/8      # one task of a job array\n"
               "  careerconv report --merge-index --as-of 2026-10-01          # after all 8 shards\n"
               "  careerconv report --all --dask tcp://10.0.0.5:8786\n"
               "  careerconv report --all --dask local:2",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("employees", nargs="*", metavar="EMPLOYEE", help="employee id(s) to report on")
    p.add_argument("--all", action="store_true", help="everyone on the roster")
    p.add_argument("--as-of", metavar="DATE", type=iso_date, default=None,
                   help="the report date, YYYY-MM-DD (default: today); later records are ignored")
    p.add_argument("--jobs", metavar="N", type=whole_number(minimum=1, what="jobs"), default=None,
                   help="reports made in parallel, one kernel each (default: the number of CPU cores; "
                        "setting reports.jobs)")
    p.add_argument("--force", action="store_true", help="make every report again, even if nothing changed")
    p.add_argument("-o", "--output", metavar="DIR", dest="reports", default=None,
                   help=f"reports folder (default: ${config.REPORTS_ENV}, else setting reports.folder, else "
                        "reports/ beside the data folder)")
    streams.add_old_spelling(p, "--out", "-o/--output", dest="reports", metavar="DIR")
    p.add_argument("--pdf", action=argparse.BooleanOptionalAction, default=None,
                   help="also write each report as a PDF, progress-<date>.pdf: the same content as the HTML; CJK "
                        "text needs a CJK font (Debian: fonts-droid-fallback) (default: no; setting reports.pdf)")
    p.add_argument("--horizons", metavar="MONTHS", type=horizons, default=None,
                   help="months after each conversation at which targets are measured (default: 6,12,18; "
                        "setting reports.horizons)")
    p.add_argument("--figures", choices=("svg", "png"), default=None,
                   help="chart format: svg (sharp at any zoom, faster to make; default) or png "
                        "(setting reports.figures)")
    p.add_argument("--shard", metavar="I/N", type=_shard, default=None,
                   help="make only shard I of N (numbered from 1 to N), e.g. 2/8 in a job array; "
                        "writes index-<date>.shard-I-of-N.json/.html")
    p.add_argument("--merge-index", action="store_true",
                   help="build index-<date>.html from the shards' indexes (after every shard finished; "
                        "same --as-of and -o/--output as the shards)")
    p.add_argument("--dask", metavar="ADDRESS", type=_dask_target, default=None,
                   help="run on a Dask cluster: a scheduler address (tcp://host:8786) whose workers share the "
                        "data and reports folders, or local:N for N worker processes on this machine")
    p.set_defaults(func=run)


def _shard(text: str):
    try:
        return parse_shard(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _dask_target(text: str):
    # The parser only: Dask itself is imported when a batch runs on it.
    try:
        return parse_dask_target(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    """Run ``careerconv report``; return the exit code (1 when any report failed)."""
    _check_folder_name(args.reports)
    if args.merge_index:
        if args.all or args.employees or args.shard or args.dask:
            raise ValueError("--merge-index only merges the indexes the shards wrote: run it on its own "
                             "(with the shards' --as-of and -o/--output) after every shard has finished")
        return _merge(args)
    if args.all and args.employees:
        raise ValueError("give employee ids or --all, not both")
    if not args.all and not args.employees:
        raise ValueError("name at least one employee, or use --all for everyone on the roster")
    if args.dask and args.jobs and args.settings["reports.jobs"].source == settings.FLAG:
        raise ValueError("--jobs is for this machine's kernels; with --dask the cluster's worker threads make "
                         "the reports (one warm kernel each)")
    # Imported here: the runner pulls in papermill and nbconvert, which other commands do not need; the store
    # pandas, which `careerconv report --help` does not (see careerconv.cli).
    from careerconv.records.store import Store
    from ..report.index import not_started_words
    from ..report.runner import run_batch

    executor = None
    if args.dask:
        from ..report.dask_executor import DaskExecutor

        executor = DaskExecutor(args.dask)
    data = Store.existing(args.data_dir).root
    as_of = args.as_of or dt.date.today()
    if args.shard and args.as_of is None:
        streams.warn(args, f"shard {args.shard} reports as of today, {as_of.isoformat()}; give every shard "
                     "and the merge the same --as-of DATE, so a batch that runs past midnight stays one batch")
    reports = config.outside_data(config.reports_dir(data, args.reports), data)
    began = time.time()
    try:
        result = run_batch(
            data, None if args.all else args.employees, as_of, reports_dir=reports,
            jobs=None if args.dask else args.jobs, force=args.force, pdf=args.pdf, horizons=args.horizons,
            figure_format=args.figures, progress=streams.bars_enabled(args), shard=args.shard,
            executor=executor,
        )
    except KeyboardInterrupt as stopped:
        code, made = _say_stopped(stopped, reports, as_of, began)
        if made:
            _say_how_to_erase(args, data, reports)
        return code
    made, unchanged, failed = result.made, result.unchanged, result.failed
    if made:  # a batch that made no report there has nothing to say of erasing
        _say_how_to_erase(args, data, reports)
    rate = ""
    if made and result.seconds > 0:
        rate = f" in {result.seconds:.1f} s ({60 * len(made) / result.seconds:.0f} reports/min)"
    where = f" (shard {args.shard})" if args.shard else ""
    erased = f", {result.erased} erased while the batch ran (nothing written about them)" if result.erased else ""
    later = not_started_words(result.not_started)
    print(f"{len(made)} report(s) made{rate}, {len(unchanged)} unchanged, {len(failed)} failed{erased}{where}; "
          + (f"{later}; " if later else "") + f"reports in {reports}")
    kept = " (kept as the batch that made the reports wrote it: nothing changed since)" if result.index_kept else ""
    if result.index_path is None:
        print("index: none written (nobody to list)")
    else:
        print(f"index: {result.index_path}{kept}")
    if result.unshared:
        print(f"careerconv report: note: this batch could not claim its reports ({result.unshared}): a batch run "
              "beside it on the same reports folder makes the same reports again", file=sys.stderr)
    if args.shard and args.employees:
        _say_other_shards(args, args.employees, args.shard)
    if args.shard:
        streams.status(args, f"when all {args.shard.count} shards have finished: careerconv report --merge-index "
                             f"--as-of {as_of.isoformat()}" + (f" -o {reports}" if args.reports else ""))
    code = _list_failures([(o.employee_id, o.error, o.paths.error_ipynb if o.paths else None) for o in failed])
    return _list_erased(result.erased_before) or code


def _say_stopped(stopped: KeyboardInterrupt, reports: Path, as_of: dt.date, began: float) -> tuple[int, int]:
    """Say on stderr that the batch was stopped, how many reports of the day it made before (those written since it
    began) and that running it again goes on where it stopped; the exit code (128 + the signal's number) and that
    number of reports."""
    streams.close_bars()
    made = _reports_written_since(reports, as_of, began)
    how, code = how_stopped(stopped)
    print(f"careerconv report: {how}: {made} report(s) of {as_of.isoformat()} were made before it stopped, in "
          f"{reports}; no index was written. Run the same command again to go on where it stopped: the reports "
          "made are not made again unless their data changes.", file=sys.stderr)
    return code, made


def _reports_written_since(reports: Path, as_of: dt.date, began: float) -> int:
    """How many ``<reports>/<employee>/progress-<as_of>.html`` were written at or after ``began`` (a time.time())."""
    count = 0
    try:
        folders = [entry for entry in os.scandir(reports) if entry.is_dir(follow_symlinks=False)]
    except OSError:
        return 0
    for folder in folders:
        try:
            count += os.stat(Path(folder.path) / f"progress-{as_of.isoformat()}.html").st_mtime >= began
        except OSError:
            continue
    return count


def _say_how_to_erase(args: argparse.Namespace, data: Path, reports: Path) -> None:
    """Say once on stderr that ``careerconv erase`` reaches the reports made in a folder of their own (``-o DIR``)
    only when told (``--reports DIR``), unless it is the folder beside the data folder or one on the data folder's
    list of reports folders (:func:`careerconv.records.kept_elsewhere.recorded_reports_folders`), which it searches
    by itself (found by a hostile test: after a batch with ``-o DIR``, an erasure left DIR/E0002/progress-*).

    The batch does not put its folder on that list: a copy of the data folder (a test copy) would then erase in the
    original's reports, and every later erasure would search every batch's folder (a hostile test's second erasure
    ran for minutes on two organisations' shard reports).
    """
    from careerconv.records.kept_elsewhere import recorded_reports_folders
    from careerconv.records.store import Store

    if reports == config.default_reports_dir(data) or data == config.SAMPLE_DATA_DIR:
        return  # the folder an erasure searches when none is named; the bundled sample, the package's own files
    try:
        listed = {folder.resolve() for folder in recorded_reports_folders(Store(data))}
    except (OSError, ValueError):
        listed = set()
    if reports.resolve() in listed:
        return
    streams.warn(args, f"`careerconv erase` does not look in {reports} by itself (it searches the reports folder "
                       "beside the data folder and those on its list): to erase someone there too, run "
                       f"`careerconv erase --employee ID --reports {reports}` as well")


def _say_other_shards(args: argparse.Namespace, employee_ids: list[str], shard) -> None:
    """Warn of the employees asked for who are in another shard than ``shard``: it makes no report of theirs (found
    by a hostile test: ``report E0002 --shard 1/4``, E0002 being in shard 4/4, said only "0 report(s) made")."""
    elsewhere = [eid for eid in dict.fromkeys(employee_ids) if not shard.holds(eid)]
    if not elsewhere:
        return
    shown = ", ".join(f"{eid} is in shard {shard_of(eid, shard.count)}/{shard.count}" for eid in elsewhere[:_NAMED])
    more = f" (and {len(elsewhere) - _NAMED} more)" if len(elsewhere) > _NAMED else ""
    streams.warn(args, f"shard {shard} makes only the reports of its own employees, and {len(elsewhere)} of those "
                       f"asked for are in another: {shown}{more}; no report of theirs was made here (run their shard, "
                       "or leave out --shard)")


def _list_erased(erased_before: dict[str, str]) -> int:
    """Say on stderr which ids asked for had been erased (no report; the index leaves them out); the exit code."""
    if not erased_before:
        return 0
    print(f"careerconv report: {len(erased_before)} employee(s) asked for had been erased from this data folder; "
          "no report is made and the index leaves them out:", file=sys.stderr)
    for employee_id, day in erased_before.items():
        print(f"  - {employee_id}: erased on {day}", file=sys.stderr)
    return 1


def _list_failures(failures: list[tuple[str, str | None, Path | None]]) -> int:
    """Print each failed employee's cause (and kept notebook) on stderr; return the exit code."""
    if not failures:
        return 0
    print(f"careerconv report: {len(failures)} report(s) failed:", file=sys.stderr)
    for employee_id, error, kept in failures:
        cause = error or "unknown cause"
        print(f"  - {employee_id}: {textwrap.indent(cause, '    ').strip()}", file=sys.stderr)
        if kept is not None and kept.exists():
            print(f"    (the failed notebook is kept: {kept})", file=sys.stderr)
    return 1


def _check_folder_name(reports: str | None) -> None:
    """``-o`` names the reports folder: a new folder named as a file of a format is taken for the page itself
    (``-o report.html`` made a folder ``report.html``); one that exists is used as it is.

    Raises
    ------
    ValueError
        For such a name, saying what to give.
    """
    if not reports:
        return
    path = Path(reports).expanduser()
    suffix = path.suffix.lower().lstrip(".")
    if suffix in streams.DATA_EXTENSIONS and not path.is_dir():
        raise ValueError(f"-o/--output {reports} names the reports folder but ends in .{suffix}, as a file would: "
                         "each report is a page inside the folder, beside an index page; give a folder name such "
                         f"as {path.with_suffix('')}")


def _merge(args: argparse.Namespace) -> int:
    """``--merge-index``: the batch's index page from its shards' indexes."""
    from ..report.index import EARLIER_TODAY, FAILED, MADE, OTHER_BATCH, UNCHANGED
    from ..report.shards import merge_shard_indexes
    from careerconv.records.store import Store

    data = Store.existing(args.data_dir).root
    as_of = args.as_of or dt.date.today()
    reports = config.outside_data(config.reports_dir(data, args.reports), data)
    path, entries = merge_shard_indexes(reports, as_of)
    counts = {s: sum(1 for e in entries if e.status == s)
              for s in (MADE, UNCHANGED, FAILED, OTHER_BATCH, EARLIER_TODAY)}
    beside = (f", {counts[EARLIER_TODAY]} made earlier today" if counts[EARLIER_TODAY] else "") + (
        f", {counts[OTHER_BATCH]} made by another batch" if counts[OTHER_BATCH] else "")
    print(f"{len(entries)} employee(s): {counts[MADE]} report(s) made, {counts[UNCHANGED]} unchanged, "
          f"{counts[FAILED]} failed{beside}; reports in {reports}")
    print(f"index: {path}")
    return _list_failures([(e.employee_id, e.error, None) for e in entries if e.status == FAILED])
