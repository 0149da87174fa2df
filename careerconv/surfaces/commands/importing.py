"""``careerconv import roster|history FILE``: bring a roster or legacy history in from CSV or Excel."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from careerconv.records.defaults import DATE_ORDERS
from careerconv.records.import_options import MISSING_HAVE_LEFT_OPTION
from . import streams

if TYPE_CHECKING:
    from careerconv.records.importers import ImportResult

_COMMON_EPILOG = """
Every row is checked and every problem is listed at once (file, row, column,
value, what is allowed); nothing is written unless the whole file is valid.
With --skip-invalid the valid rows are imported and the rejected ones are
written, each with a 'reason' column, beside the input as NAME.rejected.csv
for an input NAME.csv or NAME.xlsx (or to --rejected FILE); the command then
says how many on stderr and exits 1, so a script notices them. A file that
is wrong as a whole (a missing column, a double quote never closed) is
refused even with --skip-invalid.
Importing the same file again changes nothing.

Someone erased with `careerconv erase` is not brought back by importing an
old file that lists them: their rows (as employee or coach) are refused,
saying the day they were erased. Add them again on purpose with
--allow-erased, which takes them off the list of erased ids.

CSV may be UTF-8 (with or without BOM) or Windows-1252, comma, semicolon or
tab separated, or separated by what a first line sep=; names (Excel's hint).
Of an .xlsx workbook the sheet whose header row names the columns is read
(or the sheet --sheet names); a workbook with several such sheets needs --sheet.
"""

ROSTER_EPILOG = """columns:
  employee_id, name, coach_id, department, role, and optionally
  cadence_months (6 or 12; without it new employees get 12, others keep
  theirs) and email (without it, others keep theirs). Employees are added
  or updated by employee_id;
  employees not in the file stay on the roster.

leavers:
  left_on (Termination Date, Exit Date, Leaving Date, Employment End Date,
  Austrittsdatum, Date de sortie, Fecha de baja, Datum uit dienst ...) is the
  day someone left; empty: still here; a day still to come keeps them here
  until then; Last Working Day: here on it, gone the day after. A contract's
  end (Contract End Date, End Date, Vertragsende ...) is not a leaving day:
  it is one only where the status says someone left and no leaving day is
  given; but an End date beside a Start date (as Rippling writes a worker's
  employment) is the leaving day. The summary says which columns the leaving
  days came from.
  An employment status column (Status, Employment Status:
  Active / Terminated / Inactive / Leaver / Withdrawn, Aktiv / Ausgetreten,
  Actif / Sorti, Activo / Baja, Actief / Uit dienst ...) says whether they
  left; a leaver without a date left on the day of the import (a note says
  so); any other status is refused, naming the row. Someone listed again as
  active, without a date, is here again. Leavers stay on the roster with
  their records, but the app no longer offers them, and due and report --all
  leave them out.
  A Hired / Accepted / Onboarding status says someone has not started yet.

starters:
  started_on (Start Date, Hire Date, Date of Joining, Eintrittsdatum, Date
  d'entrée, Fecha de alta, Datum in dienst ...) is the day someone starts:
  it is kept, past or to come, and they are on their coach's team, due and
  in HR figures from that day, not before; one that cannot be read is read
  as started long ago with a note (refused for someone Hired, Accepted ...).
  A leaving day on or before it, or a status that says left beside one
  still to come, is refused. Without a start day, a future starter by
  status is here from the import on (a note says so).
  With --missing-have-left (for a full export of current staff) everyone on
  the roster, here and not in the file, left on the day of the import (a
  starter still to come is kept); the summary counts and names them.

HR system exports:
  the usual column names are recognised (Employee ID / ID / Employee #,
  Manager ID / Supervisor ID for the coach, Job Title, Work Email, First Name
  + Last Name ...), in German, French, Spanish and Dutch too (Personalnummer,
  Vorname + Nachname, Abteilung, Vorgesetzte(r), Stelle, Matricule, Prénom +
  Nom, Service, Poste, Departamento, Puesto, Afdeling, Functie ...), and other
  columns are ignored; the summary says which.
  An empty Preferred Name is filled from Legal Name or First + Last Name.
  A report title or parameters above the header row are skipped, and so is
  a footer below the table ('Total: 60 employees').
  An id written otherwise than the roster writes it (e0010 for E0010, 0003
  for E0003, 123 for 00123 as Excel stores it) is read as the one id it
  matches but for case, leading zeros or a prefix, as employee (unless the
  roster names that id someone else: no word of the names in common, the row
  is refused) and as coach (also an id of the file); the summary lists them.
  A value that fits several ids is refused, naming them. The history import
  reads its employee and coach ids the same way.
  Line Manager / Manager / Reports To is the coach when there is no id column
  for it and its values are employee ids of the file or the roster.
  Manager Email (HiBob) is the coach beside the file's own email column: each
  manager is the one person with that e-mail in the file or on the roster.
  The coach may be empty (the top of the organisation) and need not be on
  the roster (an external coach); someone who is their own manager in the
  file (as HR systems mark the top) has no coach.
""" + _COMMON_EPILOG + """
examples:
  careerconv import roster staff.csv
  careerconv import roster staff.xlsx --dry-run
  careerconv --data /srv/careers import roster staff.csv --skip-invalid --rejected fix-me.csv
"""

HISTORY_EPILOG = """columns:
  employee_id, date, skill, rating, and optionally coach_rating, target_6m,
  target_12m, target_18m, coach_id. One row per employee x date x skill; each
  employee x date becomes one completed conversation. Import the roster first.
  Employee and coach ids written otherwise than the roster writes them
  (e0010, 0003 for E0003) are read as the one roster id they match, as the
  roster import reads them; the summary lists them. A coach id that fits
  several roster ids is refused, naming them.
  With --skip-invalid a conversation is imported whole or not at all: the
  valid rows of an employee x date with an invalid row are rejected with it.

dates:
  YYYY-MM-DD, Excel date cells and Excel serial numbers are read as they are.
  For DD/MM/YYYY vs MM/DD/YYYY the order is decided for the whole file: if one
  date can only be read one way (25/03/2024) that order is used for all; if
  every date reads both ways (03/04/2024), say which with --date-order (or
  once for the data folder: [import] date_order = "dmy" in careerconv.toml).
""" + _COMMON_EPILOG + """
examples:
  careerconv import history ratings-2019-2023.csv
  careerconv import history ratings.csv --date-order dmy --dry-run
  careerconv import history ratings.xlsx --skip-invalid
"""


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help="a .csv or .xlsx file")
    p.add_argument("--skip-invalid", action="store_true",
                   help="import the valid rows; write the rejected ones, with the reason, to a CSV file "
                        "(exit code 1 when any row was rejected)")
    p.add_argument("--rejected", metavar="FILE",
                   help="where --skip-invalid writes rejected rows (default: NAME.rejected.csv beside the input; "
                        "never inside the data folder)")
    p.add_argument("--dry-run", action="store_true", help="check and count, but write nothing")
    p.add_argument("--allow-erased", action="store_true",
                   help="add people who were erased (careerconv erase) again, on purpose, and take them off the list "
                        "of erased ids; without it their rows are refused")
    p.add_argument("--sheet", metavar="NAME",
                   help="the sheet of an .xlsx workbook to read (default: the one whose header row names the "
                        "columns)")


def register(subparsers, parent: argparse.ArgumentParser) -> None:
    """Add ``import`` with its ``roster`` and ``history`` sub-commands."""
    p = subparsers.add_parser(
        "import", parents=[parent], help="import the roster or legacy history from CSV or Excel",
        description="Import the roster (employees) or legacy history (skill ratings kept in spreadsheets) "
                    "from a CSV or .xlsx file.",
        epilog="examples:\n  careerconv import roster staff.csv\n  careerconv import history ratings.xlsx "
               "--date-order dmy\n\nRun `careerconv import roster --help` or `careerconv import history --help` "
               "for the columns each file needs.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    kinds = p.add_subparsers(title="what to import", dest="what", metavar="roster|history")
    kinds.required = True
    roster = kinds.add_parser(
        "roster", parents=[parent], help="add or update employees",
        description="Add or update employees from a roster file.", epilog=ROSTER_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_common(roster)
    roster.add_argument(MISSING_HAVE_LEFT_OPTION, dest="missing_have_left", action="store_true",
                        help="the file lists everyone who works here: mark everyone on the roster and not in it as "
                             "left today (the summary names them)")
    roster.set_defaults(func=run_roster)
    history = kinds.add_parser(
        "history", parents=[parent], help="import legacy skill ratings and targets",
        description="Import legacy career-conversation history: skill ratings and targets per employee and "
                    "date.", epilog=HISTORY_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_common(history)
    history.add_argument("--date-order", choices=DATE_ORDERS, default=None,
                         help="read dates like 03/04/2024 as day/month (dmy) or month/day (mdy) (setting "
                              "import.date_order)")
    history.set_defaults(func=run_history)


def _finish(result: ImportResult) -> int:
    """Print the summary (the command's result, on stdout); when rows were rejected (--skip-invalid), say on
    stderr how many and where they are, and exit 1, as a report batch does past a report that failed: the valid
    rows are imported, but the file was not, whole."""
    streams.result(result.summary() + "\n")
    if not result.rejected:
        return 0
    imported = "would be imported" if result.dry_run else "were imported"
    where = f"they are in {result.rejected_path}, each with its reason" if result.rejected_path and not \
        result.dry_run else "the summary lists them (a dry run writes nothing)"
    print(f"careerconv import: {len(result.rejected)} of {result.rows_read} row(s) rejected and not imported "
          f"({result.rows_imported} {imported}); {where}", file=sys.stderr, flush=True)
    return 1


def run_roster(args: argparse.Namespace) -> int:
    """``careerconv import roster FILE``."""
    from careerconv.records import importers  # imported when the command runs (see careerconv.cli)
    from careerconv.records.store import Store

    with streams.Working(args, f"importing the roster {args.file}"):
        result = importers.import_roster(Store(args.data_dir), args.file, skip_invalid=args.skip_invalid,
                                         rejected_path=args.rejected, dry_run=args.dry_run, sheet=args.sheet,
                                         allow_erased=args.allow_erased,
                                         missing_have_left=args.missing_have_left)
    return _finish(result)


def run_history(args: argparse.Namespace) -> int:
    """``careerconv import history FILE``."""
    from careerconv.records import importers  # imported when the command runs (see careerconv.cli)
    from careerconv.records.store import Store

    with streams.Working(args, f"importing the history {args.file}"):
        result = importers.import_history(Store(args.data_dir), args.file, skip_invalid=args.skip_invalid,
                                          rejected_path=args.rejected, date_order=args.date_order,
                                          dry_run=args.dry_run, sheet=args.sheet, allow_erased=args.allow_erased)
    return _finish(result)
