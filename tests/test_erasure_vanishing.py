"""Two erasures at once: another person's records vanish while this erasure looks through them.

Seen in CI (two ``careerconv erase`` and a roster import at once): the erasure of E11001 stopped with
"No such file or directory: .../data/checkins/E11002", the other erasure having just removed E11002's folder
between this one seeing it and listing it. Here the other erasure's removal is put at every moment this erasure
touches E002's folders or files (a listing or an open), one moment per run: each erasure must finish, complete,
with nothing of the person left.

A refresh's sweep of leftover temp files, while the erasure writes back a file in the data folder's top level
(found by a hostile tester reading the code: the sweep there took the erasure's temp file for a killed process's):
the erasure's write goes through.
"""

from __future__ import annotations

import builtins
import io
import os
import shutil
import threading
from pathlib import Path

import pytest

from careerconv.records.erasure import erase_employee
from careerconv.records.store import Store
from test_erasure import mentions_in, org  # noqa: F401  (org: the fixture, E002's records mention E001)

MOST_MOMENTS = 200  # a bound: the erasure touches E002's files a few dozen times


class OtherErasure:
    """Counts this process's touches of ``employee_id``'s record folders and removes them (as ``erase --employee
    E002`` does, with ``shutil.rmtree``) just before touch number ``at``; ``at=None`` only counts."""

    def __init__(self, data: Path, at: int | None, monkeypatch: pytest.MonkeyPatch, employee_id: str = "E002"):
        self.folders = [data / "conversations" / employee_id, data / "checkins" / employee_id]
        self.at, self.touches, self.removing = at, 0, False
        scandir, listdir, opener = os.scandir, os.listdir, builtins.open

        def touched(path) -> None:
            if self.removing or not isinstance(path, (str, os.PathLike)):
                return
            where = Path(os.fspath(path)).absolute()
            if not any(where == f or f in where.parents for f in self.folders):
                return
            self.touches += 1
            if self.touches == self.at:
                self.removing = True
                try:
                    for folder in self.folders:
                        shutil.rmtree(folder, ignore_errors=True)
                finally:
                    self.removing = False

        def listing(original):
            def listed(path=".", *args, **kwargs):
                touched(path)
                return original(path, *args, **kwargs)
            return listed

        def opened(file, *args, **kwargs):
            touched(file)
            return opener(file, *args, **kwargs)

        monkeypatch.setattr(os, "scandir", listing(scandir))
        monkeypatch.setattr(os, "listdir", listing(listdir))
        monkeypatch.setattr(builtins, "open", opened)
        monkeypatch.setattr(io, "open", opened)


def test_an_erasure_finishes_whenever_another_erasure_removes_someones_folders(org, monkeypatch):  # noqa: F811
    store, reports = org
    base = store.root.parent
    shutil.copytree(store.root, base / "pristine-data")
    shutil.copytree(reports, base / "pristine-reports")
    with monkeypatch.context() as counting:
        counter = OtherErasure(store.root, None, counting)
        erase_employee(store, reports, "E001")
    assert 5 <= counter.touches < MOST_MOMENTS, counter.touches  # the erasure does read E002's records

    for at in range(1, counter.touches + 1):
        for folder, pristine in ((store.root, "pristine-data"), (reports, "pristine-reports")):
            shutil.rmtree(folder)
            shutil.copytree(base / pristine, folder)
        with monkeypatch.context() as racing:
            other = OtherErasure(store.root, at, racing)
            receipt = erase_employee(store, reports, "E001")
        assert other.touches >= at and not any(f.exists() for f in other.folders), at
        assert receipt.complete, f"E002's folders removed at touch {at}:\n{receipt}"
        assert "E002" not in str(receipt.leftovers), at
        assert mentions_in(store.root) == [] and mentions_in(reports) == [], at


def test_a_sweep_of_leftover_temp_files_meanwhile_leaves_the_erasures_write_alone(org, monkeypatch):  # noqa: F811
    store, reports = org
    notes = store.root / "notes.txt"  # in the data folder's top level; it mentions her
    replace, sweeps, swept = os.replace, [], []

    def replaced(src, dst, *args, **kwargs):
        if Path(os.fspath(dst)) == notes and not sweeps:  # the temp file of the new notes.txt is written
            assert Path(os.fspath(src)).parent == store.root
            # `careerconv refresh` in another process sweeps now (a thread with a store of its own here): it may
            # wait for the erasure's write; the write may not wait for it
            sweeps.append(threading.Thread(target=lambda: swept.extend(Store(store.root).sweep_temp_files())))
            sweeps[0].start()
            sweeps[0].join(timeout=3)
        return replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replaced)
    receipt = erase_employee(store, reports, "E001")
    assert len(sweeps) == 1
    sweeps[0].join(timeout=60)
    assert not sweeps[0].is_alive()
    assert receipt.complete, str(receipt)
    assert notes.read_text() == "Call [removed] about [removed]'s plan.\nE0010 is fine.\n"
    assert swept == []  # no leftover, once it could look
