"""The pieces of a few parts of the HR benchmark, to prove that a faster version gives the same figures (issue 11).

The whole report is mostly :func:`careerconv.analytics.record_tables.part_pieces` run on sixteen parts of the
employees. A change that makes it faster must not change a figure: ``dump`` writes the pieces of parts 0 and 9
of the 500,000-employee benchmark organisation (made by ``make_hr_bench_data.py``) for two reports - the
benchmark's own (as of 2026-10-01, the default period, k = 5: no neighbouring report) and one over 2025-07-01 to
2026-07-01, which is checked against 13 neighbouring reports (rule 2c; the pieces' ``sizes_only`` paths) - with the
code as it is; ``compare`` works them out again with the code as it is then and compares every field of every
piece (rows in a canonical order, floats to 1e-9), printing "SAME as the reference" or each difference (exit 1);
``time`` prints part 0's time for the benchmark's report (best of 3) and, with ``--profile``, its profile.

    git checkout BEFORE && .venv/bin/python benchmarks/check_parts.py dump /tmp/pieces-before.pkl
    git checkout AFTER  && .venv/bin/python benchmarks/check_parts.py compare /tmp/pieces-before.pkl
    .venv/bin/python benchmarks/check_parts.py time --profile

The pickle is for this machine and this checkout only (it holds pandas frames): make it again rather than keep it.
"""

from __future__ import annotations

import argparse
import cProfile
import pickle
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from careerconv import analytics  # noqa: E402
from careerconv.analytics import inputs  # noqa: E402

REPORTS = {"benchmark": {"as_of": "2026-10-01", "k": 5},
           "neighbours": {"as_of": "2026-10-01", "k": 5, "period": ("2025-07-01", "2026-07-01")}}
PARTS = (0, 9)
FIELDS = ("sums", "values", "contrib", "neighbours")


class _Stop(Exception):
    """Raised inside hr_aggregates once its parts and the function it folds over them are known."""


def parts_of(data: Path, report: str) -> tuple[inputs.EmployeeParts, Callable]:
    """The parts of the employees of one report and the function the report computes on each
    (:func:`careerconv.analytics.record_tables.part_pieces` with the report's context)."""
    found = {}
    fold = inputs.EmployeeParts.fold

    def grab(self, function, add, groups=None):  # noqa: ARG001
        found.update(parts=self, function=function, add=add)
        raise _Stop()

    inputs.EmployeeParts.fold = grab
    try:
        analytics.hr_aggregates(analytics.load_hr_tables(data, lazy=True), **REPORTS[report])
    except _Stop:
        pass
    finally:
        inputs.EmployeeParts.fold = fold
    return found["parts"], found["function"], found["add"]


def all_pieces(data: Path) -> dict:
    """``{(report, part): pieces}`` of every report and part, worked out with the code as it is."""
    out = {}
    for report in REPORTS:
        parts, function, add = parts_of(data, report)
        for number in PARTS:
            started = time.perf_counter()
            out[(report, number)] = add(parts.computed(number, function))
            print(f"{report} report, part {number}: {time.perf_counter() - started:.2f} s", flush=True)
    return out


def canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """The columns in the order of their names, the rows in the order of their values' text (pieces add up in any
    order)."""
    if frame.empty:
        return frame
    frame = frame[sorted(frame.columns)]  # pieces added up keep their columns in another order, and text as
    frame = frame.assign(**{c: frame[c].astype(object).where(frame[c].notna(), None)  # str
                            for c in frame.columns if pd.api.types.is_string_dtype(frame[c])})
    keys = [frame[c].astype(object).map(str).to_numpy(dtype=str) for c in reversed(frame.columns)]
    return frame.iloc[np.lexsort(keys)].reset_index(drop=True)


def differences(before: dict, after: dict) -> list[str]:
    """Every field of every piece that differs, in words."""
    found = []
    for key, pieces in before.items():
        if set(pieces) != set(after[key]):
            found.append(f"{key}: other tables ({sorted(set(pieces) ^ set(after[key]))})")
            continue
        for name, piece in pieces.items():
            other = after[key][name]
            if piece.by != other.by:
                found.append(f"{key} {name}: grouped by {other.by}, not {piece.by}")
                continue
            for field in FIELDS:
                a, b = canonical(getattr(piece, field)), canonical(getattr(other, field))
                if a.empty and b.empty:
                    continue
                try:
                    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9)
                except AssertionError as exc:
                    found.append(f"{key} {name}.{field}: {str(exc)[:600]}")
    return found


def time_part(data: Path, profile: bool) -> None:
    parts, function, add = parts_of(data, "benchmark")
    part = parts[0]
    took = []
    for _ in range(3):
        started = time.perf_counter()
        add(parts.computed(0, function))
        took.append(time.perf_counter() - started)
    print(f"part 0 of the benchmark's report, read and computed in {parts.groups_of(0)} groups at once: best "
          f"{min(took):.3f} s (runs: {', '.join(f'{t:.3f}' for t in took)})")
    if profile:
        profiler = cProfile.Profile()
        profiler.runcall(function, part)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=("dump", "compare", "time"))
    parser.add_argument("pickle", nargs="?", help="dump: where to write the pieces; compare: the pieces to compare")
    parser.add_argument("--data", type=Path, default=Path("/tmp/hr_bench"), help="the benchmark organisation")
    parser.add_argument("--profile", action="store_true", help="time: also print the profile of one run")
    args = parser.parse_args()
    if not (args.data / "derived" / "manifest.json").exists():
        parser.error(f"{args.data} holds no benchmark organisation; make it with make_hr_bench_data.py")
    if args.mode == "time":
        time_part(args.data, args.profile)
        return 0
    if not args.pickle:
        parser.error(f"{args.mode} needs the pickle file of the pieces")
    if args.mode == "dump":
        pieces = all_pieces(args.data)
        Path(args.pickle).write_bytes(pickle.dumps(pieces))
        print(f"wrote {args.pickle}")
        return 0
    before = pickle.loads(Path(args.pickle).read_bytes())
    found = differences(before, all_pieces(args.data))
    print("\n".join(found) if found else "SAME as the reference")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
