"""``careerconv validate``: check the whole data folder and report every problem."""

from __future__ import annotations

import argparse
import sys

from ..store import Store


def register(subparsers, parent: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser(
        "validate", parents=[parent], help="check the whole data folder and report every problem",
        description="Read every file in the data folder (roster, question sets, conversations, check-ins, "
                    "derived tables) and list every problem with its file, row, column and value. "
                    "Exit code 0 when all is well, 1 otherwise.")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    store = Store.existing(args.data_dir)
    problems = store.validate()
    if store.swept:
        print(f"removed {len(store.swept)} temp file(s) left by interrupted processes (never data)", file=sys.stderr)
    n_records = sum(1 for _ in store.root.glob("*/*/*.json"))
    if not problems:
        print(f"{store.root}: all good ({len(store.roster())} employees, {n_records} records)")
        return 0
    print(f"{store.root}: {len(problems)} problem(s):", file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    return 1
