"""``careerconv export``: a table as CSV/Parquet, or everything held about one employee."""

from __future__ import annotations

import argparse
import sys
import tempfile
import textwrap
from pathlib import Path

from typing import TYPE_CHECKING

from careerconv.records import config
from careerconv.views.export_names import EXPORT_TABLES, FORMATS
from . import streams

if TYPE_CHECKING:
    from careerconv.records.store import Store

EPILOG = f"""tables:
{textwrap.fill(', '.join(EXPORT_TABLES), 76, initial_indent="  ", subsequent_indent="  ")}
  ('history' is every rated skill of every completed conversation, in the
  format `careerconv import history` reads; 'target_status' is every
  6/12/18-month target with the rating measured near its date and its status
  today: ahead, on track, behind, due but not measured, or upcoming. Both
  count completed conversations only; the tables hold draft conversations
  too, told by the status of their conversation_id, or a rating's
  record_id.)

CSV is written as UTF-8 with BOM so Excel reads it, and formula-neutralised:
a text cell beginning with = + - @, tab or CR gets a leading ' so a
spreadsheet shows it instead of running it (numbers are left as numbers).
Ids Excel would read as numbers or dates (00123, 1-2) are named in a
warning: Excel changes them when it opens a CSV file, xlsx keeps them.
xlsx is one sheet with the same formula rule, dates as date cells, the
header row frozen and columns sized to their values. Parquet is written as
it is.

With --employee, DIR (new or empty, outside the data folder and the
reports folder) receives everything held about that person: roster row,
every conversation and check-in record exactly as stored (JSON), their rows
of every table (CSV), their summaries and reports, a README.txt and a
manifest.json.

With -o - the table goes to stdout (CSV without the BOM, for a pipe), and
the status line to stderr. A file in the data folder is refused: its files
are careerconv's own (an export named data/roster.csv replaced the roster).

examples:
  careerconv export skill_ratings --format parquet -o ratings.parquet
  careerconv export skill_ratings -o - | head
  careerconv export targets --format xlsx       # writes ./targets.xlsx
  careerconv export roster                      # writes ./roster.csv
  careerconv export history -o history.csv      # re-importable history
  careerconv export target_status               # every target and how it stands today
  careerconv export --employee E0042 ./export-E0042
"""


def register(subparsers, parent: argparse.ArgumentParser) -> None:
    """Add ``export``."""
    p = subparsers.add_parser(
        "export", parents=[parent], help="export a table (CSV/Excel/Parquet) or everything about one employee",
        usage="careerconv export TABLE [--format csv|parquet|xlsx] [-o FILE]\n"
              "       careerconv export --employee ID DIR",
        description="Export one table as a spreadsheet-safe CSV file or Excel workbook, or as Parquet, or "
                    "everything held about one employee into a folder.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("target", nargs="?", metavar="TABLE|DIR",
                   help="the table to export, or with --employee the folder to write")
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="file format (default: the one -o FILE ends in, .csv, .parquet or .xlsx; else csv)")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="file to write (default: ./TABLE.csv, .xlsx or .parquet); - writes the table to stdout")
    streams.add_old_spelling(p, "--out", "-o/--output", dest="output", metavar="FILE")
    p.add_argument("--employee", metavar="ID", help="export everything held about this employee into DIR")
    p.add_argument("--reports", metavar="DIR", default=None,
                   help=f"reports folder (default: ${config.REPORTS_ENV}, else setting reports.folder, else "
                        "reports/ beside the data folder)")
    p.set_defaults(func=run, parser=p)


def run(args: argparse.Namespace) -> int:
    """Export a table, or with ``--employee`` one person's everything; usage mistakes exit 2."""
    from careerconv.records.store import Store  # imported when the command runs (see careerconv.cli)
    from careerconv.views import exporting

    parser: argparse.ArgumentParser = args.parser
    if args.employee is not None:
        if args.target is None:
            parser.error("--employee needs the folder to write: careerconv export --employee ID DIR")
        if args.format or args.output:
            parser.error("--format and -o are for tables; --employee writes a folder of open formats")
        store = Store.existing(args.data_dir)
        reports = config.reports_dir(store.root, args.reports)
        with streams.Working(args, f"exporting everything held about {args.employee}"):
            done = exporting.export_employee(store, reports, args.employee, args.target)
        streams.status(args, f"Exported everything held about {done.employee_id} to {done.folder} "
                             f"({len(done.files) + 1} files; see README.txt there).")
        for warning in done.warnings:
            streams.warn(args, warning)
        return 0
    if args.target is None:
        parser.error("name the table to export (one of: " + ", ".join(EXPORT_TABLES) + ")")
    if args.target not in EXPORT_TABLES:
        parser.error(f"unknown table {args.target!r}; tables are: {', '.join(EXPORT_TABLES)}")
    fmt = streams.output_format(parser, args.format, args.output, FORMATS, "csv")
    store = Store.existing(args.data_dir)
    if args.output == "-":
        return _to_stdout(args, store, fmt)
    output = Path(args.output) if args.output else Path(f"{args.target}.{fmt}")
    if not args.output:  # said here, as export_table would name -o, which was not given
        config.output_outside_data(output, store.root, "-o/--output (not given: a file in the current folder)")
    result = exporting.export_table(store, args.target, output, fmt)
    streams.status(args, f"Wrote {result.rows} row(s) of {result.table} to {result.path} ({fmt}).")
    for warning in result.warnings:
        streams.warn(args, warning)
    return 0


def _to_stdout(args: argparse.Namespace, store: Store, fmt: str) -> int:
    """``-o -``: the table on stdout, written by the same export as a file (CSV without its BOM)."""
    from careerconv.views import exporting

    if fmt != "csv" and sys.stdout.isatty():
        raise ValueError(f"{fmt} is a binary format and stdout is a terminal; redirect it (> FILE) or give "
                         "-o FILE")
    with tempfile.TemporaryDirectory(prefix="careerconv-export-") as tmp:
        result = exporting.export_table(store, args.target, Path(tmp) / f"{args.target}.{fmt}", fmt)
        data = result.path.read_bytes()
    if fmt == "csv" and data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # the BOM is for spreadsheets opening a file; a pipe is better off without it
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    streams.status(args, f"Wrote {result.rows} row(s) of {result.table} to stdout ({fmt}).")
    for warning in result.warnings:
        streams.warn(args, warning)
    return 0
