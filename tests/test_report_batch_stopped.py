"""A report batch stopped part way, by SIGTERM (a scheduler's, a ``kill``) or Ctrl-C (found by a hostile test of
the batches: SIGTERM to ``report --all --dask`` ended with no message but "12 leaked semaphore objects", and Ctrl-C
printed only "careerconv report: interrupted", saying neither what was made nor what to do)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from report_org import AS_OF, SIX, make_six_person_org

PROJECT = Path(__file__).resolve().parent.parent


def start_batch(data: Path, reports: Path, *more: str) -> subprocess.Popen:
    """``careerconv report --all`` in a process of its own, as an operator or a scheduler starts it: from a terminal,
    where Ctrl-C is not ignored, whatever the process running the tests inherited (a shell starting a command in the
    background without job control ignores SIGINT for it, and so for its children: a test run started so saw the
    batch finish after its Ctrl-C), in a process group of its own, as a terminal's job (see :func:`stop`)."""
    return subprocess.Popen([sys.executable, "-m", "careerconv.cli", "--data", str(data), "report", "--all",
                             "--as-of", AS_OF, "-o", str(reports), *more], cwd=PROJECT, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(PROJECT)}, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def stop(batch: subprocess.Popen, signum: int) -> None:
    """Ctrl-C as a terminal sends it, to every process of the batch's process group (found: the Dask worker processes
    of ``--dask local:2``, stopped by it too, each printed a traceback); SIGTERM as ``kill`` sends it, to the batch."""
    if signum == signal.SIGINT:
        os.killpg(batch.pid, signum)
    else:
        batch.send_signal(signum)


def made(reports: Path) -> list[str]:
    return sorted(p.parent.name for p in reports.glob(f"*/progress-{AS_OF}.html"))


def when_first_report_is_made(batch: subprocess.Popen, reports: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not made(reports):
        assert batch.poll() is None, f"the batch ended before making a report: {batch.communicate()}"
        assert time.monotonic() < deadline, "no report was made in time"
        time.sleep(0.05)


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize("signum, where, said, code", [
    (signal.SIGTERM, ("--jobs", "1"), "stopped by SIGTERM", 143),
    (signal.SIGINT, ("--jobs", "1"), "interrupted", 130),
    (signal.SIGTERM, ("--dask", "local:2"), "stopped by SIGTERM", 143),
    (signal.SIGINT, ("--dask", "local:2"), "interrupted", 130),
], ids=["SIGTERM", "Ctrl-C", "SIGTERM-dask", "Ctrl-C-dask"])
def test_a_stopped_batch_says_what_it_made_and_running_it_again_goes_on(tmp_path, signum, where, said, code):
    data, reports = tmp_path / "data", tmp_path / "reports"
    make_six_person_org(data)
    batch = start_batch(data, reports, *where)
    when_first_report_is_made(batch, reports)
    stop(batch, signum)
    out, err = batch.communicate(timeout=180)
    before = made(reports)
    assert batch.returncode == code, err
    assert 1 <= len(before) < len(SIX) and out == ""
    assert (f"careerconv report: {said}: {len(before)} report(s) of {AS_OF} were made before it stopped, in "
            f"{reports}; no index was written. Run the same command again to go on where it stopped") in err
    assert "Traceback" not in err and "leaked" not in err  # its workers' processes were shut down
    assert not (reports / f"index-{AS_OF}.html").exists()

    again = start_batch(data, reports, *where)
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert re.search(rf"^{len(SIX) - len(before)} report\(s\) made in .*, {len(before)} unchanged, 0 failed", out)
    assert made(reports) == sorted(SIX)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_report_whose_page_was_written_when_ctrl_c_came_is_written_whole_and_not_made_again(tmp_path, monkeypatch):
    """Ctrl-C right after a report's page is written, before its stamp (found under load: the stop message counted
    the page as made, and the next run made it again: "6 made" where "5 made, 1 unchanged" was said)."""
    from careerconv.surfaces.report import runner

    data, reports = tmp_path / "data", tmp_path / "reports"
    make_six_person_org(data)
    first, second = "E0002", "E0003"
    write = runner.atomic_write_bytes

    def write_then_ctrl_c(path, data, **kwargs):
        write(path, data, **kwargs)
        if path == reports / first / f"progress-{AS_OF}.html":
            signal.raise_signal(signal.SIGINT)  # as a terminal sends it, to this (the batch's main) thread

    monkeypatch.setattr(runner, "atomic_write_bytes", write_then_ctrl_c)
    terminal = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal (see start_batch)
    try:
        with pytest.raises(KeyboardInterrupt):  # a batch of one: no other report is left claimed by this process
            runner.run_batch(data, [first], AS_OF, reports_dir=reports, jobs=1, progress=False)
    finally:
        signal.signal(signal.SIGINT, terminal)
    assert made(reports) == [first]
    monkeypatch.setattr(runner, "atomic_write_bytes", write)

    again = runner.run_batch(data, [first, second], AS_OF, reports_dir=reports, jobs=1, progress=False)
    assert ([o.employee_id for o in again.made], [o.employee_id for o in again.unchanged]) == ([second], [first])


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_batch_stopped_in_a_process_that_goes_on_lets_go_of_its_reports_and_running_it_again_goes_on(
        tmp_path, monkeypatch):
    """Ctrl-C on a batch run in a process that goes on, as an HR analyst stops a JupyterLab cell running
    ``run_batch``, while a report has been executed but not yet written (found: the reports' claims stayed held, and
    the same batch run again in that kernel waited on them for ever)."""
    from careerconv.surfaces.report import claims, runner

    data, reports = tmp_path / "data", tmp_path / "reports"
    make_six_person_org(data)
    execute = runner._execute_job
    executed: list[str] = []

    def execute_then_ctrl_c(kernel, job, template, timeout):
        execute(kernel, job, template, timeout)
        executed.append(job.outcome.employee_id)
        if len(executed) == 2:  # Ctrl-C to the process, taken by its main thread (the one writing the reports)
            signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)

    monkeypatch.setattr(runner, "_execute_job", execute_then_ctrl_c)
    terminal = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a notebook's kernel
    try:
        with pytest.raises(KeyboardInterrupt):
            runner.run_batch(data, list(SIX), AS_OF, reports_dir=reports, jobs=1, progress=False)
    finally:
        signal.signal(signal.SIGINT, terminal)
    before = made(reports)
    assert len(executed) >= 2 and len(before) < len(SIX)
    for eid in SIX:  # no report is left claimed by this process
        held = claims.claim(reports, eid, wait=False)
        assert held is not None, f"the stopped batch still holds the claim on {eid}'s report"
        held.release()
    monkeypatch.setattr(runner, "_execute_job", execute)

    again = runner.run_batch(data, list(SIX), AS_OF, reports_dir=reports, jobs=1, progress=False)
    assert sorted(o.employee_id for o in again.made) == sorted(set(SIX) - set(before))
    assert sorted(o.employee_id for o in again.unchanged) == before
    assert made(reports) == sorted(SIX)  # every report, once
