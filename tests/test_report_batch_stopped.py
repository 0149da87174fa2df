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

import psutil
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


# ---------------------------------------------------------------------------
# stopped in its first seconds

_STOP_WHILE_READ = """
import signal, sys
from careerconv import cli
from careerconv.surfaces.commands import report

def read_with_a_stop_on_the_way(text):  # the signal lands while --dask is read (which imports the report code)
    signal.raise_signal(signal.{name})
    return read(text)

read, report._dask_target = report._dask_target, read_with_a_stop_on_the_way
sys.exit(cli.main(sys.argv[1:]))
"""


@pytest.mark.parametrize("name, said, code", [("SIGINT", "interrupted", 130), ("SIGTERM", "stopped by SIGTERM", 143)],
                         ids=["Ctrl-C", "SIGTERM"])
def test_a_batch_stopped_while_its_command_line_is_read_says_so_in_one_line(tmp_path, name, said, code):
    # Found: Ctrl-C 1.5 s after `careerconv report --all --dask local:2` printed a KeyboardInterrupt traceback from
    # argparse, and SIGTERM then ended it without a word.
    done = subprocess.run([sys.executable, "-c", _STOP_WHILE_READ.format(name=name), "--data", str(tmp_path),
                           "report", "--all", "--dask", "local:2"], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, cwd=PROJECT, env={**os.environ, "PYTHONPATH": str(PROJECT)},
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert (done.returncode, done.stdout, done.stderr) == (code, "", f"careerconv report: {said}\n")


# Run as `python -m` runs careerconv.cli (where Python decides the status the process ends with), stopped by Ctrl-C
# as the command starts its batch, the way ON_THE_WAY sends it.
_STOPPED_AS_PYTHON_M = """
import atexit, os, runpy, signal
from careerconv.records.store import Store

def found_with_a_stop_on_the_way(*args, **kwargs):
    {on_the_way}
    return found(*args, **kwargs)

found, Store.existing = Store.existing, found_with_a_stop_on_the_way
runpy.run_module("careerconv.cli", run_name="__main__", alter_sys=True)
"""


@pytest.mark.parametrize("on_the_way", [
    # Found: about 1 early Ctrl-C in 40 printed the batch's line and then ended the process by SIGINT (status -2 to
    # Python's subprocess, not 130): Python had noted the KeyboardInterrupt, which left code it ran from text (as it
    # does for each dataclass and namedtuple of the report code imported in the first seconds), as never caught.
    'exec("import signal\\nsignal.raise_signal(signal.SIGINT)")',
    # Found: a second Ctrl-C 0.5 s after an early first ended 8 batches in 12 by SIGINT (status -2) after their line:
    # it came while Python shut down.
    "atexit.register(os.kill, os.getpid(), signal.SIGINT); signal.raise_signal(signal.SIGINT)",
], ids=["Ctrl-C-in-code-run-from-text", "Ctrl-C-again-as-python-shuts-down"])
def test_a_batch_stopped_in_its_first_seconds_ends_with_its_exit_code_and_its_line(tmp_path, on_the_way):
    (tmp_path / "stopped_as_python_m.py").write_text(_STOPPED_AS_PYTHON_M.format(on_the_way=on_the_way),
                                                     encoding="utf-8")
    data = tmp_path / "data"
    make_six_person_org(data)
    done = subprocess.run([sys.executable, "-m", "stopped_as_python_m", "--data", str(data), "report", "--all",
                           "--as-of", AS_OF, "--dask", "local:2"], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(PROJECT)])},
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert (done.returncode, done.stdout, done.stderr) == (130, "", "careerconv report: interrupted\n")


def descendants(batch: subprocess.Popen) -> list[psutil.Process]:
    try:
        return psutil.Process(batch.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def when_a_worker_process_starts(batch: subprocess.Popen, seen: dict[int, psutil.Process], timeout: float = 120) -> None:
    """Wait until the first worker process of the batch's local cluster has started (it is then importing Dask), noting
    in ``seen`` every process the batch started meanwhile."""
    deadline = time.monotonic() + timeout
    while True:
        assert batch.poll() is None, f"the batch ended before its cluster started: {batch.communicate()}"
        assert time.monotonic() < deadline, "no worker process started in time"
        for process in descendants(batch):
            seen.setdefault(process.pid, process)
            try:
                if "spawn_main" in " ".join(process.cmdline()):
                    return
            except psutil.Error:
                pass
        time.sleep(0.02)


def still_running(processes) -> list[str]:
    left = []
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                left.append(f"{process.pid}: {' '.join(process.cmdline())[:100]}")
        except psutil.Error:
            pass
    return left


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.parametrize("signum, said, code", [(signal.SIGINT, "interrupted", 130),
                                                (signal.SIGTERM, "stopped by SIGTERM", 143)],
                         ids=["Ctrl-C", "SIGTERM"])
def test_a_batch_stopped_while_its_local_cluster_starts_says_so_and_leaves_no_process(tmp_path, signum, said, code):
    # Found: Ctrl-C there printed each starting worker's traceback ("Fatal Python error: init_import_site", or one
    # from `import distributed`); SIGTERM, "Exception ignored in atexit callback close_clusters ... AssertionError:
    # Status.init" after the batch's own message.
    data, reports = tmp_path / "data", tmp_path / "reports"
    make_six_person_org(data)
    batch = start_batch(data, reports, "--dask", "local:1")
    seen: dict[int, psutil.Process] = {}
    when_a_worker_process_starts(batch, seen)
    stop(batch, signum)
    deadline = time.monotonic() + 180
    while batch.poll() is None and time.monotonic() < deadline:  # what it starts as it stops, too
        for process in descendants(batch):
            seen.setdefault(process.pid, process)
        time.sleep(0.05)
    out, err = batch.communicate(timeout=10)
    assert batch.returncode == code, err
    assert out == "" and err.splitlines() == [
        # said at once: the start cannot be cut short, and took 6 to 40 s on a busy machine
        "careerconv report: stopping as soon as the local Dask cluster has started (a cluster cannot be stopped while "
        "it starts) ...",
        f"careerconv report: {said}: 0 report(s) of {AS_OF} were made before it stopped, in {reports}; no index was "
        "written. Run the same command again to go on where it stopped: the reports made are not made again unless "
        "their data changes."]
    time.sleep(1)  # a process the batch left would still run now
    assert still_running(seen.values()) == []


def test_a_batch_stopped_while_it_reads_the_roster_says_it_was_stopped_not_that_the_roster_is_damaged(tmp_path,
                                                                                                      monkeypatch):
    # Found: Ctrl-C 4 s after `careerconv report --all --dask local:2` said "roster.csv: the file is damaged ... restore
    # it from a backup": pandas turns a KeyboardInterrupt raised while it reads into "Error tokenizing data".
    import io

    import pandas as pd

    from careerconv.surfaces.report import runner

    data = tmp_path / "data"
    make_six_person_org(data)
    read_csv = pd.read_csv

    class CtrlCOnTheWay(io.BytesIO):
        def read1(self, *size):  # as the text wrapper of pandas reads
            signal.raise_signal(signal.SIGINT)  # as a terminal sends it, while pandas reads
            return super().read1(*size)

    def read_with_ctrl_c_on_the_way(source, *args, **kwargs):
        return read_csv(CtrlCOnTheWay(source.getvalue()) if isinstance(source, io.BytesIO) else source, *args, **kwargs)

    monkeypatch.setattr(pd, "read_csv", read_with_ctrl_c_on_the_way)
    terminal = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal (see start_batch)
    try:
        with pytest.raises(KeyboardInterrupt):
            runner.run_batch(data, None, AS_OF, reports_dir=tmp_path / "reports", jobs=1, progress=False)
    finally:
        signal.signal(signal.SIGINT, terminal)
