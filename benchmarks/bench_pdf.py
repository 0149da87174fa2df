"""Benchmark: the progress report's PDF, each chart drawn once, against the PDF module of an earlier commit.

Before commit ``pdf-chart-once`` the PDF drew each chart twice: once on a page of its own to measure how far its
key (legend) reaches, then again on its page. This times ``pdf_bytes`` for some employees of a data folder (by
default E0052 and four others of the demo organisation) with this checkout's PDF module ("new") and with the PDF
module of ``--old`` (default: be605e2, the commit before the change; read with ``git show`` and loaded beside the
new one, so both use this checkout's charts and text), in turns, round after round, so that a busy machine slows
both alike. Prints the median of the rounds' wall and CPU seconds for all the reports, of each, and the ratio
new/old, and checks first that both make the same bytes.

Usage::

    careerconv --data /tmp/pdfdemo demo
    .venv/bin/python benchmarks/bench_pdf.py --data /tmp/pdfdemo [--employees E0052 E0007] [--rounds 5]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Callable

import matplotlib

matplotlib.use("Agg")

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from careerconv.surfaces.report import build_content, load_history  # noqa: E402
from careerconv.surfaces.report import pdf as new_pdf  # noqa: E402

OLD = "be605e2"
EMPLOYEES = ("E0052", "E0004", "E0019", "E0034", "E0047")
AS_OF = "2026-12-06"


def old_module(ref: str) -> ModuleType:
    """The PDF module as it was at commit ``ref``, loaded as a module of this checkout's report package."""
    source = subprocess.run(["git", "-C", str(PROJECT), "show", f"{ref}:careerconv/surfaces/report/pdf.py"],
                            capture_output=True, text=True)
    if source.returncode != 0:
        sys.exit(f"bench_pdf: cannot read the PDF module of {ref!r}: {source.stderr.strip()} "
                 "(give a commit of this repository with --old)")
    name = "careerconv.surfaces.report._pdf_old"
    spec = importlib.util.spec_from_loader(name, loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "careerconv.surfaces.report"
    sys.modules[name] = module  # its dataclasses look their module up
    exec(compile(source.stdout, f"{ref}:careerconv/surfaces/report/pdf.py", "exec"), module.__dict__)
    return module


def timed(make: Callable[[], bytes]) -> tuple[float, float, bytes]:
    wall, cpu = time.perf_counter(), time.process_time()
    data = make()
    return time.perf_counter() - wall, time.process_time() - cpu, data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="a data folder (careerconv --data DIR demo)")
    parser.add_argument("--employees", nargs="+", default=list(EMPLOYEES))
    parser.add_argument("--as-of", default=AS_OF)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--old", default=OLD, help=f"the commit whose PDF module is the old one (default {OLD})")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error(f"--rounds must be at least 1, not {args.rounds}")
    old = old_module(args.old)
    contents = {e: build_content(load_history(args.data, e), args.as_of) for e in args.employees}
    for c in contents.values():  # fonts, caches and imports warmed, and the same bytes made
        if old.pdf_bytes(c) != new_pdf.pdf_bytes(c):
            sys.exit("bench_pdf: the old and the new PDF differ; compare them before timing")
    totals: dict[str, list[tuple[float, float]]] = {"old": [], "new": []}  # per round: all the reports
    for round_ in range(args.rounds):
        spent = {"old": [0.0, 0.0], "new": [0.0, 0.0]}
        for c in contents.values():
            for key, module in (("old", old), ("new", new_pdf))[:: 1 if round_ % 2 else -1]:
                wall, cpu, _ = timed(lambda: module.pdf_bytes(c))
                spent[key][0] += wall
                spent[key][1] += cpu
        for key, (wall, cpu) in spent.items():
            totals[key].append((wall, cpu))
    print(f"{len(contents)} reports ({', '.join(contents)}), {args.rounds} rounds; old = {args.old}")
    medians = {key: [statistics.median(r[i] for r in rows) for i in (0, 1)] for key, rows in totals.items()}
    for key, (wall, cpu) in medians.items():
        print(f"  {key}: {wall:.2f} s wall, {cpu:.2f} s CPU for the {len(contents)} PDFs (median of the rounds)")
    print(f"  new/old: {medians['new'][0] / medians['old'][0]:.2f} wall, {medians['new'][1] / medians['old'][1]:.2f} "
          "CPU")

if __name__ == "__main__":
    main()
