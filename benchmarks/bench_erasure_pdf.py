"""Benchmark: the first erasure of someone on a reports folder of many employees' reports with PDFs.

``careerconv erase --employee ID`` reads every file under the data and reports folders as its readers would
(:func:`careerconv.records.decoded_text.decoded_text`): a PDF by the text a PDF reader extracts from its pages. On a
reports folder of 2,000 employees most of the erasure's time went into that (found: ~19 minutes).

Baseline (the old way): each page's text extracted by pypdf (``PageObject.extract_text``), as careerconv did before
this benchmark. Candidate: the module as it is (PDFium through ``pypdfium2``; pypdf still reads the metadata,
annotations, bookmarks, form fields and attachments, as both ways do).

The reports folder is made from one real report: the files of the report named by ``--report`` (its HTML page,
notebook and PDF, as ``careerconv report --pdf`` writes them) are linked (hard links: no copy of the bytes, and
an erasure replaces a file rather than writing into it) into the folder of each of ``--employees`` people of the
roster. Then:

1. every PDF of that folder (one file, linked) is read both ways ``--pdf-reads`` times, alternating which goes
   first: seconds per PDF, and whether both readings name the same people of the roster (each name, ignoring case
   and how the text breaks lines);
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

from careerconv.records import decoded_text
from careerconv.records.erasure import erase_employee
from careerconv.records.store import Store


def old_pages_text(data: bytes, reader) -> list[str]:
    """The pages' text as careerconv read it before: pypdf's extraction, page by page."""
    return [page.extract_text() or "" for page in reader.pages]


def read_pdf(path: Path, old: bool) -> tuple[float, str]:
    with mock.patch.object(decoded_text, "_pages_text", old_pages_text) if old else contextlib.nullcontext():
        start = time.perf_counter()
        text = decoded_text.decoded_text(path).text
        return time.perf_counter() - start, text


def names_in(text: str, names: list[str]) -> set[str]:
    """The names of ``names`` that ``text`` holds, ignoring case and how it breaks lines."""
    flat = " ".join(text.split()).casefold()
    return {name for name in names if name.casefold() in flat}


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
        with mock.patch.object(decoded_text, "_pages_text", old_pages_text) if old else contextlib.nullcontext():
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
    parser.add_argument("--data", type=Path, required=True, help="a data folder (only read: the erasure runs on "
                                                                  "copies)")
    parser.add_argument("--report", type=Path, required=True, help="one employee's report folder, with a PDF")
    parser.add_argument("--employees", type=int, default=200, help="report folders to make (default 200)")
    parser.add_argument("--employee", required=True, help="who the erasure erases")
    parser.add_argument("--pdf-reads", type=int, default=5, help="times the PDF is read each way (default 5)")
    args = parser.parse_args(argv)
    pdfs = sorted(args.report.glob("*.pdf"))
    if not pdfs:
        parser.error(f"--report {args.report}: no PDF there (make the report with --pdf)")
    with open(args.data / "roster.csv", encoding="utf-8-sig", newline="") as fh:
        roster = list(csv.DictReader(fh))
    names = [row["name"] for row in roster if row.get("name")]
    ids = [row["employee_id"] for row in roster][:args.employees]
    if args.employee not in ids:
        ids[-1] = args.employee

    for old in (True, False):  # each way's libraries imported before it is timed
        read_pdf(pdfs[0], old)
    seconds = {True: 0.0, False: 0.0}
    named = {}
    for n in range(args.pdf_reads):
        for old in ((True, False) if n % 2 else (False, True)):
            took, text = read_pdf(pdfs[0], old)
            seconds[old] += took
            named[old] = names_in(text, names)
    print(f"one report's PDF ({pdfs[0].stat().st_size // 1024} KiB, read {args.pdf_reads} times each way): "
          f"old {seconds[True] / args.pdf_reads * 1000:.0f} ms, new {seconds[False] / args.pdf_reads * 1000:.0f} ms "
          f"a PDF ({seconds[True] / seconds[False]:.1f}x); names of the roster read in it: old {len(named[True])}, "
          f"new {len(named[False])}, the same: {named[True] == named[False]}")
    if named[True] - named[False]:
        print(f"  the new way misses: {sorted(named[True] - named[False])}")

    with tempfile.TemporaryDirectory(prefix="bench-erasure-pdf-") as scratch:
        reports = Path(scratch) / "reports"
        make_reports(args.report, ids, reports)
        took, done = {}, {}
        for old in (False, True):  # the new way first: the old one reads the files after it
            took[old], done[old] = erase_once(args.data, reports, args.employee, Path(scratch), old)
            print(f"  first erasure of {args.employee}, {'old' if old else 'new'} way: {took[old]:.1f} s",
                  file=sys.stderr, flush=True)
    print(f"first erasure of {args.employee} with {len(ids)} employees' reports ({len(ids)} PDFs): "
          f"old {took[True]:.1f} s, new {took[False]:.1f} s ({took[True] / took[False]:.1f}x); "
          f"the same files erased and changed: {done[True] == done[False]}")
    per_pdf = (took[True] - took[False]) / len(ids)
    print(f"  the PDFs' part of the difference: {per_pdf * 1000:.0f} ms a report; for 2,000 employees that is "
          f"{per_pdf * 2000 / 60:.1f} min less")
    return 0


if __name__ == "__main__":
    sys.exit(main())
