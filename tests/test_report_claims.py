"""Two report batches at once on one reports folder make each report once (careerconv.surfaces.report.claims).

Found by a hostile test of the report batches: a scheduled `careerconv report --all` and one started by hand (or
one on each of two machines sharing the folders) both made every report.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pytest

from careerconv import cli
from careerconv.records import config
from careerconv.surfaces.report import claims
from careerconv.surfaces.report.index import listed_on_page

NOTEBOOK = config.NOTEBOOKS_DIR / "progress_report.ipynb"
AS_OF = "2026-10-01"


def run_cli(*args: str) -> int:
    return cli.main(list(args))


PEOPLE = ["E0002", "E0003", "E0004", "E0005", "E0006", "E0007"]


def _notebook_with_first_cell(tmp_path: Path, name: str, code: str) -> Path:
    """The report notebook with ``code`` run first, after its parameters, written as ``name``."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell(code))
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


def _counting_notebook(tmp_path: Path, log: Path) -> Path:
    """The report notebook with a first cell that writes down whose report it is making, then takes a second."""
    return _notebook_with_first_cell(tmp_path, "counting.ipynb", "import os, time\n"
                                     f"with open({str(log)!r}, 'a', encoding='utf-8') as _log:\n"
                                     "    _log.write(employee_id + '\\n')\n"
                                     "time.sleep(1)")


_BATCH = """
import json, sys
from careerconv.surfaces.report.runner import run_batch
data, reports, notebook, people = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(",")
result = run_batch(data, people, {as_of!r}, reports_dir=reports, jobs=1, notebook=notebook, progress=False)
print(json.dumps({{o.employee_id: o.status for o in result.outcomes}}))
"""


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_two_batches_at_once_make_each_report_once(sample_data, tmp_path):
    log = tmp_path / "made.log"
    notebook = _counting_notebook(tmp_path, log)
    reports = tmp_path / "reports"
    command = [sys.executable, "-c", _BATCH.format(as_of=AS_OF), str(sample_data), str(reports), str(notebook),
               ",".join(PEOPLE)]
    outcomes = _run_batches(command, command)

    made = log.read_text(encoding="utf-8").split()
    assert sorted(made) == sorted(PEOPLE)  # each report made once, by one batch or the other
    for eid in PEOPLE:
        # The batch that made it says made, the other unchanged (it was current when that batch came to it).
        assert sorted(o[eid] for o in outcomes) == ["made", "unchanged"], (eid, outcomes)
        assert (reports / eid / f"progress-{AS_OF}.html").is_file()
    # The claims folder says nothing about whom reports were made for: the same stripes whoever they were, and the
    # lock of the index pages.
    assert sorted(p.name for p in (reports / claims.FOLDER).iterdir()) == \
        ["index.lock"] + [f"report-{s:02d}.lock" for s in range(claims.STRIPES)]


def _gated_notebook(tmp_path: Path, gate: str) -> Path:
    """The report notebook with a first cell that waits until ``gate`` (Python code, true or false) holds."""
    return _notebook_with_first_cell(tmp_path, "gated.ipynb", "import os, pathlib, time\n"
                                     "_deadline = time.monotonic() + 300\n"
                                     f"while not ({gate}) and time.monotonic() < _deadline:\n"
                                     "    time.sleep(0.1)")


def _run_batches(*commands: list[str]) -> list[dict[str, str]]:
    """Run batch processes at once; each one's outcomes."""
    batches = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                text=True) for command in commands]
    outcomes = []
    for batch in batches:
        out, err = batch.communicate(timeout=500)
        assert batch.returncode == 0, err[-3000:]
        outcomes.append(json.loads(out.strip().splitlines()[-1]))
    return outcomes


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_days_index_says_a_report_made_by_a_batch_beside_it_was_made_today(sample_data, tmp_path):
    """Found by a hostile test: of two batches at once (a scheduled one and one by hand), the one that finished
    last wrote the day's index, and listed every report the other had made that day as "unchanged"."""
    people = ["E0002", "E0003"]
    started = tmp_path / "started"
    started.mkdir()
    # Each batch's first report waits until both batches have started one: each makes one of the two reports.
    notebook = _gated_notebook(tmp_path, f"(pathlib.Path({str(started)!r}) / str(os.getpid())).touch() or "
                                         f"len(os.listdir({str(started)!r})) >= 2")
    reports = tmp_path / "reports"
    command = [sys.executable, "-c", _BATCH.format(as_of=AS_OF), str(sample_data), str(reports), str(notebook),
               ",".join(people)]
    outcomes = _run_batches(command, command)
    for eid in people:
        assert sorted(o[eid] for o in outcomes) == ["made", "unchanged"], outcomes
    index = reports / f"index-{AS_OF}.html"
    listed = listed_on_page(index)
    # Whichever batch wrote it last: its own report made now, the other's made today by the other batch.
    assert sorted(listed.values()) == ["made", "other-batch"], listed
    text = index.read_text(encoding="utf-8")
    assert "unchanged (data not changed" not in text
    assert "made today by another batch" in text
    assert "2 employee(s): 1 report(s) made, 0 unchanged, 0 failed, 1 made today by another batch" in text


_BATCH_WAITING_TO_WRITE_ITS_INDEX = """
import json, os, pathlib, sys, time
from careerconv.surfaces.report import runner
data, reports, notebook, people, signal = sys.argv[1:6]
real = runner.index_html

def another_batch_waits_to_write_its_index():
    # A process waiting for the index's lock, which this batch holds, is listed in /proc/locks with "->".
    try:
        inode = os.stat(pathlib.Path(reports) / ".making" / "index.lock").st_ino
    except FileNotFoundError:  # no lock taken for the index
        return False
    with open("/proc/locks", encoding="ascii") as locks:
        return any("->" in line and line.split()[-3].endswith(f":{{inode}}") for line in locks)

def index_html(*args, **kwargs):
    # Tell the other batch that this one is writing its index, then let it write its own first (if it can): until
    # it has, or it waits for this batch to have written this one.
    pathlib.Path(signal).touch()
    index = pathlib.Path(reports) / "index-{as_of}.html"
    deadline = time.monotonic() + 30
    while not index.exists() and not another_batch_waits_to_write_its_index() and time.monotonic() < deadline:
        time.sleep(0.1)
    return real(*args, **kwargs)

runner.index_html = index_html
result = runner.run_batch(data, people.split(","), {as_of!r}, reports_dir=reports, jobs=1, notebook=notebook,
                          progress=False)
print(json.dumps({{o.employee_id: o.status for o in result.outcomes}}))
"""


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_two_batches_writing_the_days_index_at_once_leave_it_listing_everyone(sample_data, tmp_path):
    """Found by a hostile test: a batch that had read the reports folder for its index, then wrote the index after
    a batch beside it had written its own, left off the page the report that batch had made meanwhile."""
    signal = tmp_path / "first-is-writing-its-index"
    reports = tmp_path / "reports"
    plain = _counting_notebook(tmp_path, tmp_path / "made.log")
    # The second batch makes its report only once the first is writing its index.
    gated = _gated_notebook(tmp_path, f"os.path.exists({str(signal)!r})")
    first = [sys.executable, "-c", _BATCH_WAITING_TO_WRITE_ITS_INDEX.format(as_of=AS_OF), str(sample_data),
             str(reports), str(plain), "E0002", str(signal)]
    second = [sys.executable, "-c", _BATCH.format(as_of=AS_OF), str(sample_data), str(reports), str(gated), "E0003"]
    assert _run_batches(first, second) == [{"E0002": "made"}, {"E0003": "made"}]
    listed = listed_on_page(reports / f"index-{AS_OF}.html")
    assert sorted(listed) == ["E0002", "E0003"], listed


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_one_batch_makes_the_reports_of_people_who_share_a_lock_stripe(sample_data, tmp_path, capsys):
    """E0007 and E0021 share one of the 64 lock files. Found by a reader of the reports: with --jobs 1 the kernel's
    thread claimed E0021 while the claim on E0007 was still held for its writing, the lock library took that for a
    deadlock, and both reports failed "the batch was interrupted"."""
    from careerconv.records.store import bucket_of

    assert bucket_of("E0007", claims.STRIPES) == bucket_of("E0021", claims.STRIPES)
    reports = tmp_path / "reports"
    assert run_cli("--data", str(sample_data), "report", "E0007", "E0021", "--as-of", AS_OF, "-o", str(reports),
                   "--jobs", "1", "--quiet") == 0
    out = capsys.readouterr().out
    assert "2 report(s) made" in out and "0 unchanged, 0 failed" in out


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_batch_that_cannot_claim_its_reports_makes_them_and_says_so(sample_data, tmp_path, capsys):
    """Found by a hostile test: with no claims possible (here `.making` is a file) two batches at once each made
    every report, and nothing said so."""
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / claims.FOLDER).write_text("not a folder", encoding="utf-8")
    assert run_cli("--data", str(sample_data), "report", "E0002", "--as-of", AS_OF, "-o", str(reports),
                   "--jobs", "1", "--quiet") == 0
    out = capsys.readouterr()
    assert "1 report(s) made" in out.out
    assert "this batch could not claim its reports (cannot make its lock files in" in out.err
    assert "a batch run beside it on the same reports folder makes the same reports again" in out.err


def test_a_claim_excludes_other_claims_of_any_thread_or_process_until_it_is_let_go(tmp_path):
    held = claims.claim(tmp_path, "E0002", wait=False)
    assert held is not None and not held.why_none
    assert claims.claim(tmp_path, "E0002", wait=False) is None  # the same thread, a second claim
    other_thread: list = []
    thread = threading.Thread(target=lambda: other_thread.append(claims.claim(tmp_path, "E0002", wait=False)))
    thread.start()
    thread.join()
    assert other_thread == [None]
    probe = ("import sys; from careerconv.surfaces.report import claims; "
             "print(claims.claim(sys.argv[1], 'E0002', wait=False) is None)")
    other_process = subprocess.run([sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True,
                                   check=True, stdin=subprocess.DEVNULL)
    assert other_process.stdout.strip() == "True"
    # A thread waiting for it gets it once it is let go (as a kernel's thread waits for the writing thread).
    waited: list = []
    waiter = threading.Thread(target=lambda: waited.append(claims.claim(tmp_path, "E0002", wait=True)))
    waiter.start()
    waiter.join(0.3)
    assert waiter.is_alive() and not waited
    held.release()
    held.release()  # again: nothing happens
    waiter.join(10)
    assert len(waited) == 1 and waited[0] is not None
    waited[0].release()
    with claims.claim(tmp_path, "E0002", wait=False) as again:
        assert again is not None
    assert claims.cannot_claim(tmp_path) == ""


def test_a_report_folder_that_cannot_be_written_gets_a_claim_that_holds_nothing_and_says_why(tmp_path):
    blocked = tmp_path / "reports"
    blocked.write_text("a file where the reports folder should be", encoding="utf-8")
    held = claims.claim(blocked, "E0002", wait=False)
    assert held is not None and "cannot make its lock files in" in held.why_none
    held.release()
    assert claims.cannot_claim(blocked).startswith("cannot make its lock files in")
