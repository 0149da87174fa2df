"""Benchmark: the first erasure of someone on a reports folder of many employees' reports with PDFs.

``careerconv erase --employee ID`` reads every file under the data and reports folders as its readers would
(:func:`careerconv.records.decoded_text.decoded_text`) and looks for the person in its text
(:class:`careerconv.records.erasure.Mentions`). On a reports folder of 2,000 employees most of the erasure's time
went into the reports (found: ~19 minutes): a report's PDF by the text of its pages, and its HTML page and notebook
(470,000 and 350,000 characters) searched by the mentions' patterns.

Baseline (the old way, as careerconv did before this benchmark): each PDF page's text extracted by pypdf
(``PageObject.extract_text``), and every text searched by the patterns. Candidate: the modules as they are: PDF
pages read by PDFium (``pypdfium2``; pypdf still reads the metadata, annotations, bookmarks, form fields and
attachments, both ways), and a long text first looked at case-blind (:mod:`careerconv.records.case_blind`), the
patterns run only where it may hold a mention.

The reports folder is made from one real report: the files of the report named by ``--report`` (its HTML page,
notebook and PDF, as ``careerconv report --pdf`` writes them) are linked (hard links: no copy of the bytes, and an
erasure replaces a file rather than writing into it) into the folder of each of ``--employees`` people of the
roster. Then:

1. each file of the report is read and searched as the erasure does, ``--reads`` times each way, alternating which
   goes first: milliseconds per file, and whether both ways found the same (the erased person, and the report's own
   person, whose name the report holds);
2. the first erasure of ``--employee`` runs on a fresh copy of the data folder and of the reports folder, once
   each way, the new way first (the old way then finds the files read once already): seconds for the whole
   erasure, and whether both removed, changed and listed the same files.

Usage::

    careerconv demo --employees 2000 --data /tmp/d
    careerconv --data /tmp/d report E0010 --pdf --as-of 2026-12-07 -o /tmp/r
    .venv/bin/python benchmarks/bench_erasure_pdf.py --data /tmp/d --report /tmp/r/E0010 --employees 200 \\
        --employee E0011
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

from careerconv.records import decoded_text, erasure
from careerconv.records.erasure import Mentions, erase_employee
from careerconv.records.store import Store


def old_pages_text(data: bytes, reader) -> list[str]:
    """The pages' text as careerconv read it before: pypdf's extraction, page by page."""
    return [page.extract_text() or "" for page in reader.pages]


@contextlib.contextmanager
def the_old_way():
    """PDF pages read by pypdf, and no text looked at case-blind first (every pattern runs)."""
    with mock.patch.object(decoded_text, "_pages_text", old_pages_text), \
            mock.patch.object(erasure, "case_blind", lambda text: None):
        yield


def way(old: bool):
    return the_old_way() if old else contextlib.nullcontext()


def read_and_search(path: Path, people: list[tuple], old: bool) -> tuple[float, list[tuple[bool, bool]]]:
    """Seconds to read ``path`` and search it for each of ``people`` (id, name, email) as an erasure does."""
    with way(old):
        start = time.perf_counter()
        text = decoded_text.decoded_text(path).text
        found = [Mentions(*person).mentions_and_possible(text) for person in people]
        return time.perf_counter() - start, found


def make_reports(report: Path, ids: list[str], folder: Path) -> None:
    for eid in ids:
        (folder / eid).mkdir(parents=True)
        for path in report.iterdir():
            if path.is_file():
                os.link(path, folder / eid / path.name)


def erase_once(data: Path, reports: Path, employee: str, scratch: Path, old: bool) -> tuple[float, list[str]]:
    """A first erasure of ``employee`` on fresh copies of ``data`` and ``reports``: its seconds and what it did."""
    copy = scratch / ("old" if old else "new")
    shutil.copytree(data, copy / "data")
    shutil.copytree(reports, copy / "reports", copy_function=os.link)
    try:
        with way(old):
            start = time.perf_counter()
            receipt = erase_employee(Store(copy / "data"), copy / "reports", employee)
            seconds = time.perf_counter() - start
        done = sorted(f"{Path(line.path).relative_to(copy)}: {line.action}"
                      for line in [*receipt.lines, *receipt.leftovers])
        return seconds, done
    finally:
        shutil.rmtree(copy)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True,
                        help="a data folder (only read: the erasure runs on copies)")
    parser.add_argument("--report", type=Path, required=True, help="one employee's report folder, with a PDF")
    parser.add_argument("--employees", type=int, default=200, help="report folders to make (default 200)")
    parser.add_argument("--employee", required=True, help="who the erasure erases")
    parser.add_argument("--reads", type=int, default=5, help="times each file is read each way (default 5)")
    args = parser.parse_args(argv)
    files = sorted(p for p in args.report.iterdir() if p.is_file() and not p.name.startswith("."))
    if not any(p.suffix == ".pdf" for p in files):
        parser.error(f"--report {args.report}: no PDF there (make the report with --pdf)")
    with open(args.data / "roster.csv", encoding="utf-8-sig", newline="") as fh:
        roster = {row["employee_id"]: row for row in csv.DictReader(fh)}
    if args.employee not in roster or args.report.name not in roster:
        parser.error(f"--employee {args.employee} and the report's employee {args.report.name} must be on the "
                     "roster of --data")
    people = [(eid, roster[eid]["name"], roster[eid].get("email") or None) for eid in (args.employee,
                                                                                     args.report.name)]
    ids = list(roster)[:args.employees]
    if args.employee not in ids:
        ids[-1] = args.employee

    print(f"each file of {args.report}, read and searched for {people[0][0]} and {people[1][0]} "
          f"({args.reads} times each way, alternating):")
    per_report = {True: 0.0, False: 0.0}
    for path in files:
        for old in (True, False):  # each way's libraries imported before it is timed
            read_and_search(path, people, old)
        seconds, found = {True: 0.0, False: 0.0}, {}
        for n in range(args.reads):
            for old in ((True, False) if n % 2 else (False, True)):
                took, found[old] = read_and_search(path, people, old)
                seconds[old] += took
        old_ms, new_ms = (seconds[w] / args.reads * 1000 for w in (True, False))
        per_report[True] += old_ms
        per_report[False] += new_ms
        print(f"  {path.name:<28} old {old_ms:7.1f} ms  new {new_ms:7.1f} ms  ({old_ms / new_ms:4.1f}x); "
              f"found the same: {found[True] == found[False]} {found[False]}")
    print(f"  a report's files: old {per_report[True]:.0f} ms, new {per_report[False]:.0f} ms "
          f"({per_report[True] / per_report[False]:.1f}x); for 2,000 employees' reports: old "
          f"{per_report[True] * 2 / 60:.1f} min, new {per_report[False] * 2 / 60:.1f} min")

    with tempfile.TemporaryDirectory(prefix="bench-erasure-pdf-") as scratch:
        reports = Path(scratch) / "reports"
        make_reports(args.report, ids, reports)
        took, done = {}, {}
        for old in (False, True):  # the new way first: the old one reads the files after it
            took[old], done[old] = erase_once(args.data, reports, args.employee, Path(scratch), old)
            print(f"  first erasure of {args.employee}, {'old' if old else 'new'} way: {took[old]:.1f} s",
                  file=sys.stderr, flush=True)
    print(f"first erasure of {args.employee} with {len(ids)} employees' reports: old {took[True]:.1f} s, new "
          f"{took[False]:.1f} s ({took[True] / took[False]:.1f}x); the same files removed, changed and listed: "
          f"{done[True] == done[False]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
