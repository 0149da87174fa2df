"""Two erasures at once in one data folder: the later one waits for the earlier, says so, and both finish, complete.

Found by a hostile test (two ``careerconv erase`` at once, thirty times over, on a data folder where a note and a
CSV in the reports folder name both people): one erasure wrote back into the shared files the rows and text the
other had just removed (the person erased came back), or lost the temp file of its write to the other's sweep and
stopped; of two erasures of one person, one stopped on a report folder the other had just removed. Here the other
erasure, a real ``careerconv erase``, is started while this one is midway, at the moment it is about to write a
file both rewrite or remove a folder both remove. And the plan an erasure shows before it asks, made while an
erasure of the same person may be removing their folders, counts what it finds whenever the folders go.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from careerconv.records.erasure import erase_employee, plan_erasure
from erasure_readers import Person, files_naming
from test_erasure import ANA, org  # noqa: F401  (org: the fixture; its note and reports name E001 and E002)
from test_erasure_vanishing import MOST_MOMENTS, OtherErasure

PROJECT_DIR = Path(__file__).resolve().parent.parent
CHIDI = Person("E002", "Chidi Okafor")
WAITING = "is under way; waiting for it to finish"


class Midway:
    """Starts ``careerconv erase --employee <other>`` (a process of its own) when this process calls ``function``
    (``"replace"``: ``os.replace``, the last step of writing a file; ``"rmtree"``: ``shutil.rmtree``) on ``path``,
    and lets this process go on once the other has finished or says it waits for this one."""

    def __init__(self, store, reports: Path, other: str, function: str, path: Path, monkeypatch):
        self.command = [sys.executable, "-m", "careerconv.cli", "--data", str(store.root), "erase", "--employee",
                        other, "--yes", "--reports", str(reports)]
        self.err = reports.parent / f"erase-{other}.err"
        self.path, self.proc = path, None
        module = os if function == "replace" else shutil
        original = getattr(module, function)

        def midway(*args, **kwargs):
            if self.proc is None and Path(args[-1] if function == "replace" else args[0]) == self.path:
                self._start_the_other()
            return original(*args, **kwargs)
        monkeypatch.setattr(module, function, midway)

    def _start_the_other(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(PROJECT_DIR) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        with open(self.err, "wb") as err:
            self.proc = subprocess.Popen(self.command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err,
                                         env=env)
        deadline = time.monotonic() + 120
        while self.proc.poll() is None and WAITING not in self.err.read_text(errors="replace"):
            assert time.monotonic() < deadline, "the other erasure neither finished nor said it waits"
            time.sleep(0.01)

    def finished(self) -> tuple[int, str, str]:
        """The other erasure's exit code, receipt (stdout) and stderr, once it has finished."""
        assert self.proc is not None, f"this erasure never reached {self.path}"
        out, _ = self.proc.communicate(timeout=120)
        return self.proc.returncode, out.decode(errors="replace"), self.err.read_text(errors="replace")


@pytest.mark.slow
@pytest.mark.parametrize("other, function, where", [
    ("E002", "replace", "data/notes.txt"),  # another person's erasure, as this one writes back a note naming both
    ("E002", "replace", "reports/hr/cohort.csv"),  # ... a table in the reports folder with a row of each
    ("E001", "rmtree", "reports/E001"),  # an erasure of the same person, as this one removes their reports
])
def test_an_erasure_started_while_another_is_midway_waits_for_it(org, monkeypatch, other, function,  # noqa: F811
                                                                  where):
    store, reports = org
    (store.root / "notes.txt").write_text("Call Ana Silva about E001's plan.\nE0010 is fine.\nChidi Okafor, E002: "
                                          "moved to Lisbon.\n")
    place = {"data": store.root, "reports": reports}[where.split("/")[0]] / where.split("/", 1)[1]
    midway = Midway(store, reports, other, function, place, monkeypatch)

    receipt = erase_employee(store, reports, "E001")
    code, receipt_of_other, said = midway.finished()

    assert receipt.complete, str(receipt)
    assert code == 0, f"{said}\n{receipt_of_other}"
    assert WAITING in said  # it waited for this erasure to finish, and said so
    assert "none mentions the employee" in receipt_of_other, receipt_of_other
    assert files_naming(ANA, store.root, reports) == []
    if other == "E002":
        assert files_naming(CHIDI, store.root, reports) == []
        assert (store.root / "notes.txt").read_text() == "Call [removed] about [removed]'s plan.\nE0010 is fine.\n" \
                                                          "[removed], [removed]: moved to Lisbon.\n"


def test_the_plan_counts_what_it_finds_whenever_an_erasure_of_theirs_removes_their_folders(org,  # noqa: F811
                                                                                          monkeypatch):
    """``careerconv erase`` shows the plan before it asks (and before it waits for another erasure): made while an
    erasure of the same person removes their record folders, at any moment, it counts what it found."""
    store, reports = org
    base = store.root.parent
    shutil.copytree(store.root, base / "pristine-data")
    with monkeypatch.context() as counting:
        counter = OtherErasure(store.root, None, counting, employee_id="E001")
        whole = plan_erasure(store, reports, "E001")
    assert (whole.conversations, whole.checkins) == (5, 1) and 2 <= counter.touches < MOST_MOMENTS, counter.touches

    for at in range(1, counter.touches + 1):
        shutil.rmtree(store.root)
        shutil.copytree(base / "pristine-data", store.root)
        with monkeypatch.context() as racing:
            other = OtherErasure(store.root, at, racing, employee_id="E001")
            plan = plan_erasure(store, reports, "E001")
        assert not any(f.exists() for f in other.folders), at
        assert plan.conversations <= 5 and plan.checkins <= 1 and plan.on_roster, at
