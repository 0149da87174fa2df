"""``careerconv hr-report``: the HR analytics notebook rendered to HTML, and its tables as CSV or Excel.

The page is rendered by :func:`careerconv.surfaces.report.hr_page.render_html` (the
notebook executed in a private kernel and exported without code, loading
nothing from outside itself). ``--csv DIR`` writes the same privacy-protected aggregate tables for
HR's own tools: UTF-8 with a BOM, formulas neutralised
(:func:`careerconv.records.spreadsheet.frame_to_csv_bytes`); ``--xlsx FILE`` writes
them to one workbook, a sheet each, under the same rules
(:mod:`careerconv.records.workbook`). Parameters are checked
before anything runs, so a bad date, department or group size is one readable
error, never a notebook traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from careerconv.records import config, defaults
from . import streams
from .argtypes import iso_date, named, whole_number

if TYPE_CHECKING:
    import pandas as pd

    from careerconv.records.workbook import Workbook

STEPS = ("reading the tables", "computing the protected figures", "rendering the page")


def register(subparsers, parent: argparse.ArgumentParser) -> None:
    """Add the ``hr-report`` command to the ``careerconv`` parser."""
    p = subparsers.add_parser(
        "hr-report", parents=[parent], help="HR analytics: aggregate skill trends, targets and follow-up (HTML, CSV)",
        description="\n\n".join(textwrap.fill(part, 78, break_on_hyphens=False) for part in (
            "Render the HR analytics notebook to one HTML page without code: skill rating trends by quarter "
            "(organisation and departments), the distribution of ratings per skill, growth after 6, 12 and 18 "
            "months, targets reached, the most-wanted skills, self versus coach ratings, conversations and "
            "follow-ups overdue, action items, and which kinds of development actions go with larger gains.",
            "Privacy: every figure describes at least --min-group-size distinct employees (default 5, never "
            "fewer than 3); smaller groups read 'fewer than k', and figures that would let someone work out a "
            "small group (from a total, or by comparing two reports) read 'not shown' ('not shown (period)' "
            "where comparing with a report of a period with the same start or end would). No free text from a "
            "conversation appears. Periods are rounded out to whole calendar quarters and end with the last "
            "complete quarter before --as-of.")),
        epilog="examples:\n"
               "  careerconv hr-report --as-of 2026-10-01\n"
               "  careerconv hr-report --department Sales --department Marketing --period-start 2025-01-01\n"
               "  careerconv hr-report --csv reports/hr-tables -o reports/hr.html\n"
               "  careerconv hr-report --xlsx reports/hr-tables.xlsx",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--period-start", metavar="DATE", help="first day of the period, YYYY-MM-DD (default: two years "
                                                          "before the period's end)")
    p.add_argument("--period-end", metavar="DATE", help="last day of the period, YYYY-MM-DD (default: --as-of)")
    p.add_argument("--department", metavar="NAME", type=named("department"), action="append", dest="departments",
                   default=[],
                   help="report on this department only; repeat for several (default: all departments)")
    p.add_argument("--min-group-size", metavar="K", type=whole_number(what="employees"), default=None,
                   help=f"smallest number of distinct employees a figure may describe (default {defaults.DEFAULT_K}, "
                        f"at least {defaults.MIN_K}; setting privacy.min_group_size)")
    p.add_argument("--as-of", metavar="DATE", help="the report date, YYYY-MM-DD (default: "
                   "today); its figures are as of the last day of the last complete quarter up to it")
    p.add_argument("-o", "--output", metavar="FILE", help="where to write the HTML page, a name ending in .html "
                   "(default: "
                   "hr-analytics-<as-of>.html in the reports folder: setting reports.folder, else reports/ next to "
                   "the data folder)")
    streams.add_old_spelling(p, "--out", "-o/--output", dest="output", metavar="FILE")
    p.add_argument("--csv", metavar="DIR", help="also write the protected aggregate tables as CSV files into DIR")
    p.add_argument("--xlsx", metavar="FILE", help="also write the protected aggregate tables to an Excel workbook, "
                                                  "one sheet per table")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``careerconv hr-report``; return the exit code."""
    # Imported when the command runs: the analytics and the page's kernel pull in pandas, matplotlib and Jupyter,
    # which `careerconv hr-report --help` does not need (see careerconv.cli).
    from careerconv import analytics
    from careerconv.records.store import write_output_bytes
    from careerconv.rules import privacy
    from ..report.hr_page import render_html

    k = privacy.check_k(args.min_group_size)
    as_of = _date(args.as_of, "--as-of") if args.as_of else dt.date.today()
    period_start = _date(args.period_start, "--period-start") if args.period_start else None
    period_end = _date(args.period_end, "--period-end") if args.period_end else None
    out = Path(args.output).expanduser() if args.output else \
        config.reports_dir(args.data_dir, args.reports) / f"hr-analytics-{as_of:%Y-%m-%d}.html"
    for option, value in (("-o/--output", out), ("--csv", args.csv), ("--xlsx", args.xlsx)):
        if value:
            config.output_outside_data(value, args.data_dir, option)
    if out.is_dir():
        raise ValueError(f"-o/--output {out} is a folder; give a file name such as {out / 'hr-analytics.html'}")
    if out.suffix.lower() not in (".html", ".htm"):  # a browser shows a page of another name as text, or not at all
        raise ValueError(f"-o/--output {out} is not a page name; give a file name ending in .html, such as "
                         f"{out.with_suffix('.html')}")
    csv_dir = Path(args.csv).expanduser() if args.csv else None
    if csv_dir is not None and csv_dir.exists() and not csv_dir.is_dir():
        raise ValueError(f"--csv {csv_dir} is a file; give a folder for the CSV tables")
    xlsx = Path(args.xlsx).expanduser() if args.xlsx else None
    if xlsx is not None and (xlsx.is_dir() or xlsx.suffix.lower() != ".xlsx"):
        raise ValueError(f"--xlsx {xlsx} is not a workbook name; give a file name ending in .xlsx, such as "
                         f"{(xlsx if xlsx.is_dir() else xlsx.parent) / 'hr-tables.xlsx'}")
    if xlsx is not None and not xlsx.parent.is_dir():
        raise ValueError(f"--xlsx {xlsx}: folder {xlsx.parent} does not exist")

    step = streams.Steps(args, STEPS)
    step("reading the tables")
    tables = analytics.load_hr_tables(args.data_dir, lazy=True)
    left_out = tables[analytics.LEFT_OUT]["problem"].tolist()
    if left_out:  # the page says how many; here, which
        streams.warn(args, f"{len(left_out)} record file(s) cannot be read and are left out of this report until "
                           "they are mended; `careerconv validate` lists every problem:\n"
                           + "\n".join(f"  - {problem}" for problem in left_out))
    step("computing the protected figures")
    # Computing the tables here checks every parameter (departments, period) before the notebook runs.
    hr = analytics.hr_aggregates(tables, as_of, (period_start, period_end), args.departments, k)
    total = "All departments" if not args.departments else "Selected departments"
    if csv_dir is not None:
        written = write_csv_tables(hr, csv_dir, total_label=total)
        streams.status(args, f"wrote {len(written)} CSV tables to {csv_dir}")
    if xlsx is not None:
        book = write_xlsx_tables(hr, xlsx, total_label=total)
        streams.status(args, f"wrote {len(book.sheets)} tables to {xlsx}")
        for warning in book.warnings:
            streams.warn(args, warning)
    parameters = {
        "data_dir": str(Path(args.data_dir).resolve()),
        "period_start": period_start.isoformat() if period_start else "",
        "period_end": period_end.isoformat() if period_end else "",
        "departments": list(args.departments),
        "min_group_size": k,
        "as_of": as_of.isoformat(),
    }
    step("rendering the page")
    html = render_html(parameters, hr)
    write_output_bytes(out, html.encode("utf-8"))
    step.finish()
    streams.status(args, f"wrote {out}")
    return 0


def _date(text: str, option: str) -> dt.date:
    # Checked here rather than by argparse so that, like the department and group-size checks, a bad date is
    # one error and exit code 1.
    try:
        return iso_date(text)
    except argparse.ArgumentTypeError as exc:
        raise ValueError(f"{option} {exc}") from None


def hr_table_frames(hr: dict, *, total_label: str = "All departments") -> dict[str, "pd.DataFrame"]:
    """The tables HR gets as files, by name: ``about``, ``privacy`` and every table of the page, unformatted.

    Parameters
    ----------
    hr
        The protected tables of :func:`careerconv.analytics.hr_aggregates`.
    total_label
        Name of the row for all (selected) departments.
    """
    from careerconv import analytics

    frames = {"about": analytics.present("about", hr["about"], formatted=False),
              "privacy": analytics.suppression_summary(hr)}
    for name in analytics.TABLE_TITLES:
        frames[name] = analytics.present(name, hr[name], formatted=False, total_label=total_label)
    return frames


def write_csv_tables(hr: dict, folder: Path, *, total_label: str = "All departments") -> list[Path]:
    """Write every table of :func:`careerconv.analytics.hr_aggregates` as a spreadsheet-safe CSV file.

    Parameters
    ----------
    hr
        The protected tables.
    folder
        Target folder (created if missing).
    total_label
        Name of the row for all (selected) departments.

    Returns
    -------
    list of Path
        The files written: ``about.csv``, ``privacy.csv`` and one per table.
    """
    from careerconv.records.spreadsheet import frame_to_csv_bytes
    from careerconv.records.store import atomic_write_bytes

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in hr_table_frames(hr, total_label=total_label).items():
        path = folder / f"{name}.csv"
        atomic_write_bytes(path, frame_to_csv_bytes(frame))
        written.append(path)
    return written


def write_xlsx_tables(hr: dict, path: Path, *, total_label: str = "All departments") -> "Workbook":
    """Write the same tables as :func:`write_csv_tables` to one workbook, one sheet per table.

    The sheets are formula-safe, with the header frozen and columns sized
    (:func:`careerconv.records.workbook.frames_to_xlsx`); ``about`` comes first.

    Returns
    -------
    careerconv.records.workbook.Workbook
        The sheet names and any warnings.
    """
    from careerconv.records.store import write_output_bytes
    from careerconv.records.workbook import frames_to_xlsx

    book = frames_to_xlsx(hr_table_frames(hr, total_label=total_label))
    write_output_bytes(path, book.data)
    return book
