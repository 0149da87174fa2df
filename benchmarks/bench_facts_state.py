"""Benchmark of the HR page's state of the data (``Store.facts_state``) at 60, 50,000 and 500,000 people.

The hub's HR page asks for the state on every view, after a refresh (``RecordsService.data_state``), and renders
the page again only for a new state. For each size this writes, into a scratch folder, the manifest of the
derived tables that a refresh leaves for an organisation of that many people with records (each with their
record folders' times and the digest of their completed records; the records themselves are not written, so
nothing but the manifest is read), and prints the median time of (the three taken in turn, round after round, so
that a busy machine slows them alike):

* the old way, measured in the same run: the whole manifest read and every part of it but the record folders'
  times serialised and hashed (what ``facts_state`` did before the manifest kept its facts sum);
* ``facts_state`` of a store that last read or wrote this manifest (as on an HR view: its refresh read it);
* ``facts_state`` of a store that has not read it yet (another process of the hub wrote it): one read.

``--folders`` also makes each person's (empty) record folder, so that the refresh before the state is the real
one (its scan of the record folders and its read of the manifest), and prints what the whole check of an HR
view takes, refresh included, the old way and now: for 500,000 people that is 500,000 folders to make and remove,
which took over 20 minutes on a busy 2-core machine (give it smaller sizes with ``--employees``).

The folders given to ``make_hr_bench_data.py`` (``/tmp/hr_bench``) hold bulk-written tables: their manifest
names no employee, so the state is as cheap there either way; this benchmark is about an organisation whose
tables come from record files, as under the hub.

Usage::

    .venv/bin/python benchmarks/bench_facts_state.py [--employees 60 50000 500000] [--folders] [--work DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from careerconv.records.store import FACTS_SUM, Store, atomic_write_bytes, facts_sum, new_manifest  # noqa: E402

SIZES = (60, 50_000, 500_000)


def employee_ids(n: int) -> list[str]:
    return [f"E{i:06d}" for i in range(1, n + 1)]


def make_record_folders(root: Path, ids: list[str]) -> None:
    """One empty conversations folder per person: what the refresh's scan of the record folders walks."""
    folder = root / "conversations"
    folder.mkdir(parents=True, exist_ok=True)
    for eid in ids:
        (folder / eid).mkdir(exist_ok=True)


def write_manifest(store: Store, ids: list[str], folders: bool) -> int:
    """The manifest a refresh leaves for ``ids``, each with a facts digest; returns its size in bytes."""
    if folders:
        employees = store._signatures()
    else:
        employees = {eid: [1_796_560_103_812_648_565 + i, 0] for i, eid in enumerate(ids)}
    facts = {eid: hashlib.blake2b(eid.encode(), digest_size=12).hexdigest() for eid in ids}
    manifest = new_manifest(employees=employees, left_out={}, facts=facts)
    manifest[FACTS_SUM] = facts_sum(manifest)
    data = json.dumps(manifest).encode("utf-8")
    store.derived_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(store.manifest_path, data)
    return len(data)


def old_facts_state(store: Store) -> str:
    """``facts_state`` as it was: the whole manifest read, every part but the record folders' times hashed."""
    manifest = json.loads(store.manifest_path.read_text(encoding="utf-8"))
    kept = {name: value for name, value in manifest.items() if name not in ("employees", FACTS_SUM)}
    return hashlib.blake2b(json.dumps(kept, sort_keys=True).encode("utf-8"), digest_size=16).hexdigest()


def median_seconds(ways: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """The median time of each way, the ways taken in turn in each round (a busy machine slows them alike)."""
    times: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(repeats):
        for name, way in ways.items():
            started = time.perf_counter()
            way()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(taken) for name, taken in times.items()}


def measure(work: Path, n: int, folders: bool) -> dict[str, float]:
    root = work / f"org-{n}"
    shutil.rmtree(root, ignore_errors=True)
    ids = employee_ids(n)
    if folders:
        make_record_folders(root, ids)
    store = Store(root)
    size = write_manifest(store, ids, folders)
    store.facts_state()  # this store has now read the manifest, as an HR view's refresh does
    ways = {"old way": lambda: old_facts_state(store), "read or written last": store.facts_state,
            "not read yet": lambda: Store(root).facts_state()}
    if folders:
        ways |= {"view, old way": lambda: (store.refresh(), old_facts_state(store)),
                 "view": lambda: (store.refresh(), store.facts_state())}
    figures = median_seconds(ways, 5 if n >= 100_000 else 9)
    figures["manifest MB"] = size / 1e6
    shutil.rmtree(root)
    return figures


def ms(seconds: float) -> str:
    return f"{seconds * 1000:10.2f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--employees", type=int, nargs="+", default=list(SIZES), help="organisation sizes")
    parser.add_argument("--folders", action="store_true", help="also make the record folders and time the refresh")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: a new temp folder)")
    args = parser.parse_args(argv)
    if any(n < 1 for n in args.employees):
        parser.error(f"--employees: each size must be at least 1, not {min(args.employees)}")
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-facts-state-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"Store.facts_state(), median time of a call (scratch folder {work})")
    print(f"{'people':>9} {'manifest':>10} {'old way':>13} {'now, on a view':>16} {'now, not read yet':>19}")
    for n in args.employees:
        f = measure(work, n, args.folders)
        print(f"{n:>9,} {f['manifest MB']:>7.1f} MB {ms(f['old way'])} {ms(f['read or written last']):>16} "
              f"{ms(f['not read yet']):>19}")
        if args.folders:
            print(f"{'':>9} the whole check of an HR view (refresh, then the state): old way "
                  f"{ms(f['view, old way']).strip()}, now {ms(f['view']).strip()}")
    print("on a view: the store's refresh has just read the manifest (RecordsService.data_state); not read yet: "
          "another process wrote it since")
    if args.work is None:
        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
