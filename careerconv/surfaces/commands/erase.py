"""``careerconv erase --employee ID``: remove one person from every file, table, cache and report."""

from __future__ import annotations

import argparse
import sys

from careerconv.records import config, erasure
from careerconv.records.store import Store
from . import streams

EPILOG = """What is removed: the roster row, every conversation and check-in (with
summaries), their rows in every derived table and the cache manifest, their
reports folder, every temp file left by an interrupted write, lock files of
older versions (named by a hash of an id), and every mention of their id,
name or email elsewhere. Files are read as their readers read them, not as
raw bytes: Parquet by every value of every column, PDF by the text a PDF
reader extracts, workbooks by every cell, HTML with entities decoded, JSON by
every key and string. Rows of CSV, Parquet and workbook files in the data
folder are removed; free text in other people's records becomes [removed];
generated files that mention them (reports of their coachees saying "Your
coach: ...", HR workbooks, pages, calendars) are deleted and listed to be
regenerated. An id without a letter (5, 1042) is cut out only where it is a
whole value: in a text it cannot be told from a number, so such a text is
left as it is and listed. A receipt lists every file removed or changed, and
a final check reads every file again and says how many of each kind it read,
and how; a file it cannot decode is listed for a person to look at, never
passed.

The id is then kept as erased (a salted hash and the day, never the id), so
importing an old roster or history that lists them refuses their rows until
they are added again on purpose (careerconv import roster --allow-erased).

Someone who is still the coach of employees on the roster must be replaced as
their coach first. Export their data first if they asked for a copy
(careerconv export --employee ID DIR).

Without --yes the command asks you to type the id to confirm; when not run
from a terminal it refuses unless --yes is given.

examples:
  careerconv erase --employee E0042
  careerconv --data /srv/careers erase --employee E0042 --yes
"""


def register(subparsers, parent: argparse.ArgumentParser) -> None:
    """Add ``erase``."""
    p = subparsers.add_parser(
        "erase", parents=[parent], help="erase everything held about one employee, and print a receipt",
        description="Erase one employee from the data folder and the reports folder, everywhere.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--employee", metavar="ID", required=True, help="the employee to erase")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.add_argument("--reports", metavar="DIR", default=None,
                   help=f"reports folder (default: ${config.REPORTS_ENV}, else setting reports.folder, else "
                        "reports/ beside the data folder)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Confirm, erase, print the receipt; exit 1 when the final check still finds mentions (or may)."""
    store = Store.existing(args.data_dir)
    reports = config.reports_dir(store.root, args.reports)
    plan = erasure.plan_erasure(store, reports, args.employee)
    if not args.yes:
        if not sys.stdin.isatty():
            raise PermissionError("erasing cannot be undone and no one is here to confirm it (input is not a "
                                  "terminal); pass --yes to erase without asking")
        # The question goes to stderr, like every prompt: stdout holds only the receipt.
        print(f"About to erase {plan.describe()}, and every mention of them in {store.root} and {reports}.",
              file=sys.stderr)
        print("This cannot be undone.", file=sys.stderr)
        print(f"Type {plan.employee_id} to confirm: ", end="", file=sys.stderr, flush=True)
        answer = sys.stdin.readline()
        if answer.strip() != plan.employee_id:
            print("Not confirmed; nothing was erased.", file=sys.stderr)
            return 1
    with streams.Working(args, f"erasing {plan.employee_id}"):
        receipt = erasure.erase_employee(store, reports, plan.employee_id)
    streams.result(f"{receipt}\n")
    if not receipt.complete:
        print(f"careerconv erase: {len(receipt.leftovers)} file(s) still mention {plan.employee_id}; "
              "see the end of the receipt", file=sys.stderr)
        return 1
    return 0
