"""``careerconv validate``: check the whole data folder and report every problem."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TYPE_CHECKING

from . import streams

if TYPE_CHECKING:
    from careerconv.records.store import Store


def register(subparsers, parent: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser(
        "validate", parents=[parent], help="check the whole data folder and report every problem",
        description="Read every file in the data folder (roster, question sets, conversations, check-ins, "
                    "derived tables) and list every problem with its file, row, column and value. "
                    "Exit code 0 when all is well, 1 otherwise.")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from careerconv.records.store import Store  # imported when the command runs (see careerconv.cli)

    store = Store.existing(args.data_dir)
    progress = streams.Counter(args, "checking", unit="employee")
    problems = store.validate(progress=progress)
    progress.close()
    if store.swept:
        streams.status(args, f"removed {len(store.swept)} temp file(s) left by interrupted processes (never data)")
    if store.unswept:
        streams.status(args, f"{len(store.unswept)} temp file(s) left by interrupted processes (never data) stay: "
                             "this data folder cannot be written here; `careerconv validate` run by someone who may "
                             "write it removes them")
    n_records = sum(1 for _ in store.root.glob("*/*/*.json"))
    notes = "".join(f"Note: {note}\n" for note in roster_notes(store))
    if not problems:
        verdict = "no problems, but see the note(s) below" if notes else "all good"
        streams.result(f"{store.root}: {verdict} ({len(store.roster())} employees, {n_records} records)\n{notes}")
        return 0
    # The problems are what was asked for: stdout, like the all-good line (and exit code 1).
    streams.result(f"{store.root}: {len(problems)} problem(s):\n" + "".join(f"  - {p}\n" for p in problems)
                   + notes)
    return 1


def roster_notes(store: Store) -> list[str]:
    """What is worth a look on the roster without being a problem: people who share an email
    (:func:`~careerconv.records.shared_emails.shared_email_notes`); none for a roster that cannot be read (its
    problems are listed)."""
    from careerconv.records import schema
    from careerconv.records.shared_emails import shared_email_notes

    try:
        roster = store.roster()
    except (schema.ValidationError, OSError):
        return []
    return shared_email_notes(roster.to_dict("records"), dt.date.today())
