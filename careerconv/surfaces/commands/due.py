"""``careerconv due``: who is due for a career conversation or a check-in, and a calendar file.

The rules are :mod:`careerconv.rules.cadence`'s; this module holds the command's options and the checks of
how they go together, and :mod:`careerconv.surfaces.commands.due_list` (imported when the command runs, so
that ``careerconv due --help`` needs no pandas: see :mod:`careerconv.cli`) loads the tables, calls
:func:`careerconv.rules.cadence.due_list` and prints the result as an aligned table
(for people), CSV (for spreadsheets) or JSON (for tools). ``--ics FILE`` also
writes the coming conversations and check-ins as an iCalendar file
(:mod:`careerconv.surfaces.commands.calendar_ics`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import textwrap
from pathlib import Path

from careerconv.records.defaults import DUE_SOON_DAYS
from . import calendar_ics as ics
from . import streams
from .argtypes import MAX_DAYS_AHEAD, iso_date, whole_number

FORMATS = ("table", "csv", "json")


def register(subparsers, parent: argparse.ArgumentParser) -> None:
    """Add the ``due`` command to the ``careerconv`` parser."""
    p = subparsers.add_parser(
        "due", parents=[parent], help="who is due for a career conversation or a check-in (and a calendar file)",
        description="\n\n".join(textwrap.fill(part, 78, break_on_hyphens=False) for part in (
            "List everyone on the roster who has not left with their last and next career conversation and "
            "their last and next follow-up check-in, most urgent first: overdue (most days late first), never "
            "met, due soon, scheduled.",
            "The next career conversation is due on the date agreed in the last completed conversation, or "
            "the cadence agreed in it (6 or 12 months) after it. A check-in is due the agreed follow-up "
            "interval after the later of the last conversation and the last check-in, unless the next "
            "conversation comes first or is already late. Someone never met is due now. A draft does not "
            "count as held. Records dated after --as-of are ignored.")),
        epilog="examples:\n"
               "  careerconv due --coach C01 --within 30\n"
               "  careerconv due --format csv -o due.csv\n"
               "  careerconv due --coach C01 --ics ~/career-conversations.ics\n"
               "  careerconv due --coach C01 --ics team.ics --remind 2d",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--coach", metavar="C", help="only this coach's reports (coach id as in the roster)")
    p.add_argument("--within", metavar="DAYS", type=whole_number(minimum=0, maximum=MAX_DAYS_AHEAD, what="days"),
                   help="only people overdue, never met, or due within DAYS days; also the calendar's horizon")
    p.add_argument("--soon", metavar="DAYS", type=whole_number(minimum=0, maximum=MAX_DAYS_AHEAD, what="days"),
                   default=None,
                   help=f"how many days ahead counts as 'due soon' (default {DUE_SOON_DAYS}; setting "
                        "due.soon_days)")
    p.add_argument("--as-of", metavar="DATE", type=iso_date, default=None,
                   help="evaluate on this day, YYYY-MM-DD (default: today)")
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="table (readable), csv (spreadsheets), json (tools); default: the one -o FILE ends in "
                        "(.csv, .json), else table")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="write the list to FILE instead of stdout (a CSV file starts with a BOM so Excel "
                        "reads it as UTF-8); - is stdout; never a file in the data folder")
    p.add_argument("--ics", metavar="FILE",
                   help="also write an iCalendar file (a name ending in .ics, outside the data folder) of the next "
                        "career conversations and the check-ins before them, up to --within days ahead (default "
                        f"{ics.DEFAULT_HORIZON_DAYS})")
    p.add_argument("--remind", metavar="LEAD", type=_lead_time, default=_NOT_GIVEN,
                   help="with --ics: each event's reminder shows this long before it, e.g. 2d, 12h, 1w, 0 (at the "
                        "start of the day) or none (default 1d)")
    p.set_defaults(func=run, parser=p)


_NOT_GIVEN = object()  # --remind left out (its value "none" is None)


def _list_format(parser: argparse.ArgumentParser, chosen: str | None, output: str | None) -> str:
    """The list's format (:func:`careerconv.surfaces.commands.streams.output_format`: ``--format``, else the
    one ``-o FILE`` ends in, .csv or .json, else table); a file named .ics is a usage mistake too: the calendar
    is ``--ics FILE``."""
    if output and output != "-" and Path(output).suffix.lower() == ".ics":
        parser.error(f"-o {output} writes the due list (table, csv or json), not a calendar; give the calendar "
                     "file to --ics")
    return streams.output_format(parser, chosen, output, tuple(f for f in FORMATS if f != "table"), "table")


def _lead_time(text: str) -> dt.timedelta | None:
    """``--remind``'s value (see :func:`careerconv.surfaces.commands.calendar_ics.parse_lead_time`); a bad one exits 2
    saying why."""
    try:
        return ics.parse_lead_time(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    """Run ``careerconv due``; return the exit code."""
    from .due_list import list_due  # imported when the command runs (see careerconv.cli)

    parser: argparse.ArgumentParser = args.parser
    fmt = _list_format(parser, args.format, args.output)
    if args.remind is not _NOT_GIVEN and not args.ics:
        parser.error("--remind sets the reminders of the calendar: give --ics FILE too")
    return list_due(args, fmt, ics.DEFAULT_REMINDER if args.remind is _NOT_GIVEN else args.remind)
