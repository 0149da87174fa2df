"""``careerconv refresh``: bring the derived tables up to date and remove what killed processes left."""

from __future__ import annotations

import argparse

from . import streams


def register(subparsers, parent: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser(
        "refresh", parents=[parent], help="bring the derived Parquet tables up to date with the records",
        description="Re-read the records of every employee whose records changed and rewrite the parts of "
                    "derived/ that hold them (with --full, rebuild every part from the record files). Also "
                    "finishes or rolls back an interrupted import and removes temp files left by killed "
                    "processes. Other tools (DuckDB, Spark, pandas) can then read derived/ as it is.")
    p.add_argument("--full", action="store_true", help="rebuild every derived table from the record files")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from careerconv.records.store import Store  # imported when the command runs (see careerconv.cli)

    store = Store.existing(args.data_dir)
    progress = streams.Counter(args, "rewriting", unit="part")
    report = store.refresh(full=args.full, progress=progress)
    progress.close()
    swept = store.sweep_temp_files()
    streams.status(args, f"derived tables up to date: {report.employees_changed} employee(s) re-read, "
                         f"{report.buckets_rewritten} part(s) rewritten in {report.seconds:.1f} s")
    if swept:
        streams.status(args, f"removed {len(swept)} temp file(s) left by interrupted processes")
    left_out = store.records_left_out()
    if left_out:  # the HR page would count without them, unsaid
        streams.warn(args, f"{len(left_out)} record file(s) cannot be read and are left out of the derived "
                           "tables (and so of the HR page) until they are mended; `careerconv validate` lists "
                           "every problem:\n" + "\n".join(f"  - {problem}" for problem in left_out))
    streams.result(f"{store.derived_dir}\n")
    return 0
