"""Report batches on a Dask cluster (``careerconv report --all --dask ADDRESS`` and ``--dask local:N``).

The slow tests run a six-person organisation on real ``LocalCluster``s of two
worker processes: the reports are the same, in everything but timestamps,
as the ones ``--jobs 2`` makes; no report holds another employee's data; a
worker killed mid-batch does not lose a report; a failing report is retried
once and then reported while the batch goes on.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import pty
import re
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import nbformat
import pytest

from careerconv import cli
from careerconv.surfaces.report.dask_executor import DaskExecutor, DaskTarget, local_cluster, parse_dask_target
from careerconv.surfaces.report.index import FAILED, MADE
from careerconv.surfaces.report.local_workers import HEARTBEAT_FAILED
from careerconv.surfaces.report.runner import NOTEBOOK, KernelDied, run_batch
from report_org import AS_OF, SIX, make_six_person_org, without_generated_time

distributed = pytest.importorskip("distributed")

RICH = "E0007"
MARKER = "ZQX-PRIVATE-MARKER-4417"


def careerconv(*args: str, terminal: bool = False) -> subprocess.CompletedProcess:
    """Run the command; with ``terminal`` its stderr is a pseudo-terminal, as a user's is (progress bars show)."""
    script = Path(sys.executable).parent / "careerconv"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "careerconv.cli"]
    if not terminal:
        return subprocess.run([*command, *args], capture_output=True, text=True, timeout=400,
                              stdin=subprocess.DEVNULL)
    primary, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))  # a 120-column terminal
    proc = subprocess.Popen([*command, *args], stdout=subprocess.PIPE, stderr=secondary, stdin=subprocess.DEVNULL)
    os.close(secondary)
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # EIO: the command closed its side
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    out, _ = proc.communicate(timeout=400)
    reader.join(timeout=30)
    os.close(primary)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out.decode(),
                                       b"".join(chunks).decode(errors="replace"))


def report(reports: Path, eid: str, kind: str) -> Path:
    return reports / eid / f"progress-{AS_OF}.{kind}"


def data_parts(nb: nbformat.NotebookNode) -> list[tuple]:
    """What a report says: every cell's source and outputs (not when it ran, nor its random cell id)."""
    return [(c.cell_type, c.source, c.get("outputs")) for c in nb.cells]


def without_run_details(page: str) -> str:
    page = re.sub(r'id="cell-id=[0-9a-f-]+"', 'id="cell-id=?"', page)
    return without_generated_time(page)


def plant_marker(data: Path) -> None:
    """Put a unique string into RICH's newest check-in note and first dream."""
    import json

    for folder, change in (("checkins", lambda r: r.update(note=f"{MARKER} note")),
                           ("conversations", lambda r: r["dreams"][0].update(text=f"{MARKER} dream"))):
        for path in sorted((data / folder / RICH).glob("*.json"))[::-1]:
            record = json.loads(path.read_text(encoding="utf-8"))
            if folder == "conversations" and (record["status"] != "completed" or not record["dreams"]):
                continue
            change(record)
            path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
            break


@pytest.fixture(scope="module")
def two_batches(tmp_path_factory):
    """The same six reports made by ``--jobs 2`` and by ``--dask local:2``, through the command line."""
    root = tmp_path_factory.mktemp("dask-vs-jobs")
    data = root / "data"
    make_six_person_org(data)
    plant_marker(data)
    runs = {}
    for name, how in (("jobs", ["--jobs", "2"]), ("dask", ["--dask", "local:2"])):
        done = careerconv("--data", str(data), "report", "--all", "--as-of", AS_OF, "-o", str(root / name), *how,
                          terminal=name == "dask")
        assert done.returncode == 0, done.stderr
        runs[name] = (root / name, done)
    return runs


@pytest.fixture(scope="module")
def cluster():
    """A running Dask cluster of two worker processes (one thread each), as an operator's would be."""
    with local_cluster(2, secure=False) as local:
        with distributed.Client(local) as client:
            client.wait_for_workers(2, timeout=120)
            yield local, client


# ---------------------------------------------------------------------------
# the same reports as on one machine


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_dask_makes_the_same_reports_as_jobs_2(two_batches):
    (jobs_dir, jobs_run), (dask_dir, dask_run) = two_batches["jobs"], two_batches["dask"]
    for done in (jobs_run, dask_run):
        assert "6 report(s) made" in done.stdout and "0 failed" in done.stdout
    for eid in SIX:
        by_jobs = nbformat.read(report(jobs_dir, eid, "ipynb"), as_version=4)
        by_dask = nbformat.read(report(dask_dir, eid, "ipynb"), as_version=4)
        assert by_dask.metadata.papermill.parameters["employee_id"] == eid
        assert by_dask.metadata.papermill.parameters == by_jobs.metadata.papermill.parameters
        assert data_parts(by_dask) == data_parts(by_jobs), eid
        assert (without_run_details(report(dask_dir, eid, "html").read_text(encoding="utf-8"))
                == without_run_details(report(jobs_dir, eid, "html").read_text(encoding="utf-8"))), eid
    index = f"index-{AS_OF}.html"
    assert (without_run_details((dask_dir / index).read_text(encoding="utf-8"))
            == without_run_details((jobs_dir / index).read_text(encoding="utf-8")))


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_dask_progress_bar_counts_every_report(two_batches):
    _, dask_run = two_batches["dask"]
    assert "reports: 100%" in dask_run.stderr and "6/6" in dask_run.stderr


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_no_dask_report_holds_another_employees_data(two_batches):
    dask_dir, _ = two_batches["dask"]
    assert MARKER in report(dask_dir, RICH, "html").read_text(encoding="utf-8")
    for eid in SIX:
        if eid == RICH:
            continue
        for kind in ("html", "ipynb"):
            text = report(dask_dir, eid, kind).read_text(encoding="utf-8")
            assert MARKER not in text, (eid, kind)
            assert "Jack Holmes" not in text, (eid, kind)  # RICH's name


# ---------------------------------------------------------------------------
# failures on a cluster


def kernel_pids(dask_worker) -> list[int]:
    """Run on a worker: the process ids of its warm report kernels."""
    from careerconv.surfaces.report.dask_executor import WarmKernelPlugin

    pids = []
    for plugin in dask_worker.plugins.values():
        if isinstance(plugin, WarmKernelPlugin):
            for slot in plugin._all:
                maker = slot._maker
                if maker is not None and maker.kernel.km is not None:
                    pids.append(maker.kernel.km.provisioner.pid)
    return pids


def gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"  # a zombie no longer runs
    except FileNotFoundError:
        return True


def wait_until(condition, seconds: float, step: float = 0.2) -> None:
    """Poll ``condition`` until it holds or ``seconds`` have gone by (the assertions after it say which)."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(step)


def first_report_made(reports: Path) -> bool:
    return bool(list(reports.glob(f"*/progress-{AS_OF}.html")))


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_killing_a_worker_mid_batch_still_makes_every_report(cluster, tmp_path):
    local, client = cluster
    data, reports = tmp_path / "data", tmp_path / "reports"
    make_six_person_org(data)
    killed: dict[str, object] = {}

    def kill_one_worker_after_the_first_report():
        wait_until(lambda: first_report_made(reports), 300, step=0.05)
        pids = client.run(os.getpid)
        address = sorted(pids)[0]
        killed["kernels"] = client.run(kernel_pids, workers=[address])[address]
        killed["worker"] = pids[address]
        os.kill(pids[address], signal.SIGKILL)
        killed["at"] = time.monotonic()

    killer = threading.Thread(target=kill_one_worker_after_the_first_report, daemon=True)
    killer.start()
    result = run_batch(data, None, AS_OF, reports_dir=reports, executor=DaskExecutor(local.scheduler_address),
                       progress=False)
    finished = time.monotonic()
    killer.join(timeout=60)
    assert killed.get("at", finished) < finished, "the worker was not killed during the batch"
    assert [o.status for o in result.outcomes] == [MADE] * 6, [o.error for o in result.outcomes]
    for eid in SIX:
        nb = nbformat.read(report(reports, eid, "ipynb"), as_version=4)
        assert nb.metadata.papermill.parameters["employee_id"] == eid
        assert report(reports, eid, "html").stat().st_size > 10_000
    # The killed worker's kernels did not outlive it.
    assert killed["kernels"]
    wait_until(lambda: all(gone(pid) for pid in killed["kernels"]), 30)
    assert all(gone(pid) for pid in killed["kernels"])


def connected_clients(dask_scheduler) -> set[str]:
    """Run on the scheduler: the ids of the clients connected to it."""
    return set(dask_scheduler.clients)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_kernels_of_a_batch_whose_client_was_killed_are_shut_down_by_the_next_batch(cluster, tmp_path):
    # Found by a hostile test: SIGKILL of `careerconv report --all --dask ADDRESS` left its worker plugin
    # registered on the scheduler, with a warm kernel per worker thread, for as long as the cluster ran; every
    # later batch kept them (and a worker that joined would start them again).
    local, client = cluster
    data, reports = tmp_path / "data", tmp_path / "reports"
    make_six_person_org(data)
    before = client.run_on_scheduler(connected_clients)
    killed = subprocess.Popen([sys.executable, "-m", "careerconv.cli", "--data", str(data), "report", "--all",
                               "--as-of", AS_OF, "-o", str(reports), "--dask", local.scheduler_address, "--quiet"],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: first_report_made(reports), 300, step=0.05)
        orphaned = [pid for pids in client.run(kernel_pids).values() for pid in pids]
    finally:
        killed.kill()
        killed.wait(timeout=30)
    assert orphaned, "the killed batch had no kernels running"
    wait_until(lambda: client.run_on_scheduler(connected_clients) == before, 30)

    result = run_batch(data, ["E0002"], AS_OF, reports_dir=reports, force=True,
                       executor=DaskExecutor(local.scheduler_address), progress=False)
    assert [o.status for o in result.outcomes] == [MADE]
    wait_until(lambda: all(gone(pid) for pid in orphaned), 30)
    assert all(gone(pid) for pid in orphaned)
    assert client.run(kernel_pids) == {address: [] for address in client.run(os.getpid)}


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_failing_report_is_retried_once_then_reported_and_the_batch_goes_on(cluster, tmp_path):
    local, _ = cluster
    data = tmp_path / "data"
    make_six_person_org(data)
    attempts = tmp_path / "attempts.txt"
    nb = nbformat.read(NOTEBOOK, as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    probe = nbformat.v4.new_code_cell(
        f"with open({str(attempts)!r}, 'a') as fh:\n"
        "    fh.write(employee_id + '\\n')\n"
        'if employee_id == "E0003":\n'
        '    raise ValueError("E0003 cannot be reported")')
    nb.cells = [nb.cells[0], params, probe]
    probe_path = tmp_path / "probe.ipynb"
    nbformat.write(nb, probe_path)
    result = run_batch(data, ["E0002", "E0003", RICH], AS_OF, reports_dir=tmp_path / "r", notebook=probe_path,
                       executor=DaskExecutor(local.scheduler_address), progress=False)
    by_id = {o.employee_id: o for o in result.outcomes}
    assert by_id["E0003"].status == FAILED
    assert by_id["E0003"].error == "ValueError: E0003 cannot be reported (failed 2 times)"
    assert (tmp_path / "r" / "E0003" / f"progress-{AS_OF}.error.ipynb").exists()
    assert by_id["E0002"].status == by_id[RICH].status == MADE
    assert sorted(attempts.read_text(encoding="utf-8").split()) == ["E0002", "E0003", "E0003", RICH]


class _Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_ctrl_c_while_the_batch_takes_a_report_from_the_cluster_stops_it_without_a_traceback(cluster, tmp_path,
                                                                                              monkeypatch):
    # Seen under load: SIGTERM to `report --all --dask local:2` as its first report came printed "NameError: cannot
    # access free variable 'future'" from distributed's sync(), interrupted before the call it waited on had begun.
    local, _ = cluster
    data = tmp_path / "data"
    make_six_person_org(data)
    result = distributed.Future.result
    main = threading.main_thread().ident
    interrupted: list[bool] = []

    def result_with_ctrl_c_on_the_way(future, *args, **kwargs):
        if not interrupted:
            interrupted.append(True)
            future.client.loop.add_callback(time.sleep, 1)  # the client's loop busy: the call waits to begin
            threading.Timer(0.3, signal.pthread_kill, (main, signal.SIGINT)).start()
        return result(future, *args, **kwargs)

    monkeypatch.setattr(distributed.Future, "result", result_with_ctrl_c_on_the_way)
    tornado_errors = _Records()
    logging.getLogger("tornado.application").addHandler(tornado_errors)
    terminal = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal
    try:
        with pytest.raises(KeyboardInterrupt):
            run_batch(data, ["E0002", "E0003"], AS_OF, reports_dir=tmp_path / "r",
                      executor=DaskExecutor(local.scheduler_address), progress=False)
        time.sleep(1.5)  # the client's loop has run what the stop left it
    finally:
        signal.signal(signal.SIGINT, terminal)
        logging.getLogger("tornado.application").removeHandler(tornado_errors)
    assert interrupted
    assert [record.getMessage() for record in tornado_errors.records] == []


# ---------------------------------------------------------------------------
# closing a local cluster


class _HeartbeatFailures(logging.Filter):
    """Put in a worker's log before careerconv's filters: notes each failed heartbeat in ``path``, lets all pass."""

    def __init__(self, path: str):
        super().__init__()
        self.path = path

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == HEARTBEAT_FAILED:
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(f"{os.getpid()}\n")
        return True


def note_failed_heartbeats(path: str) -> None:
    """Run on a worker: :class:`_HeartbeatFailures`, first of the worker log's filters."""
    logging.getLogger("distributed.worker").filters.insert(0, _HeartbeatFailures(path))


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_local_cluster_whose_workers_wait_on_a_heartbeat_as_it_closes_prints_nothing(tmp_path, capfd):
    # Seen in CI: SIGTERM to `report --all --dask local:2` printed, after the batch's own message, a worker's
    # traceback "Failed to communicate with scheduler during heartbeat." (a heartbeat in flight as the worker
    # closed its connections). Here every worker's heartbeat is kept waiting for its answer as the cluster closes.
    failed = tmp_path / "failed-heartbeats.txt"
    with local_cluster(2) as cluster, distributed.Client(cluster) as client:
        client.wait_for_workers(2, timeout=120)
        pids = set(client.run(os.getpid).values())
        client.run(note_failed_heartbeats, str(failed))
        answer = cluster.scheduler.handlers["heartbeat_worker"]

        async def answer_late(**kwargs):
            await asyncio.sleep(60)
            return answer(**kwargs)

        cluster.scheduler.handlers["heartbeat_worker"] = answer_late
        time.sleep(2)  # a worker sends its next heartbeat 0.5 s after the answer to the last one
    err = capfd.readouterr().err
    assert {int(pid) for pid in failed.read_text(encoding="utf-8").split()} == pids  # each worker's failed
    assert "Traceback" not in err and HEARTBEAT_FAILED not in err, err


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_two_local_clusters_at_once_say_nothing_of_ports(recwarn):
    # Seen with two batches at once: the second printed "UserWarning: Port 8787 is already in use. Perhaps you
    # already have a cluster running? Hosting the HTTP server on port 41231 instead" on its stderr.
    with local_cluster(1) as first, local_cluster(1) as second:
        assert first.scheduler_address != second.scheduler_address
    assert [str(w.message) for w in recwarn if "already in use" in str(w.message)] == []


def _worker_http_port(dask_worker) -> int:
    return dask_worker.http_server.port


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_local_cluster_answers_nothing_over_http():
    # Found reading the cluster: without a dashboard its scheduler still answered anyone on the machine, without a
    # token, with the list of its workers, its tasks and the workers' logs (/info/main/logs.html), and metrics.
    import urllib.error
    import urllib.request

    from distributed import Client

    def status(port: int, path: str) -> int:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as answer:
                return answer.status
        except urllib.error.HTTPError as exc:
            return exc.code

    with local_cluster(1) as cluster, Client(cluster, security=cluster.security) as client:
        scheduler = cluster.scheduler.http_server.port
        (worker,) = client.run(_worker_http_port).values()
        for path in ("/info/main/workers.html", "/info/main/logs.html", "/json/identity.json", "/health", "/metrics"):
            assert status(scheduler, path) == 404, path
        for path in ("/health", "/metrics"):
            assert status(worker, path) == 404, path


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_local_cluster_whose_workers_cannot_start_says_why_in_the_batchs_words(tmp_path, monkeypatch):
    # Found while quieting the workers: the batch ended in an uncaught "RuntimeError: Nanny failed to start.".
    data = tmp_path / "data"
    make_six_person_org(data)
    monkeypatch.setenv("DASK_DISTRIBUTED__WORKER__PRELOAD", '["careerconv_no_such_module"]')  # an operator's typo
    done = careerconv("--data", str(data), "report", "--all", "--as-of", AS_OF, "-o", str(tmp_path / "r"),
                      "--dask", "local:2")
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.rstrip().splitlines()[-1] == (
        "careerconv report: error: the local Dask cluster (--dask local:2) could not start: ModuleNotFoundError: "
        "No module named 'careerconv_no_such_module'")


# ---------------------------------------------------------------------------
# arguments


@pytest.mark.parametrize("text, expected", [
    ("local:2", DaskTarget(local_workers=2)),
    ("tcp://10.0.0.5:8786", DaskTarget(address="tcp://10.0.0.5:8786")),
    ("tls://scheduler.example.org:8786", DaskTarget(address="tls://scheduler.example.org:8786")),
    ("10.0.0.5:8786", DaskTarget(address="10.0.0.5:8786")),
])
def test_dask_targets_are_read(text, expected):
    assert parse_dask_target(text) == expected


@pytest.mark.parametrize("text", ["local:0", "local:x", "local", "http://10.0.0.5", "scheduler", ""])
def test_bad_dask_targets_say_what_is_allowed(text):
    with pytest.raises(ValueError, match="local:N|worker processes"):
        parse_dask_target(text)


def test_cli_refuses_bad_dask_arguments(sample_data, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--data", str(sample_data), "report", "--all", "--dask", "local:0"])
    assert exc.value.code == 2 and "from 1 to" in capsys.readouterr().err
    assert cli.main(["--data", str(sample_data), "report", "--all", "--dask", "local:2", "--jobs", "2"]) == 1
    assert "--jobs" in capsys.readouterr().err


# ---------------------------------------------------------------------------
# a batch that ends while a worker makes a report


class _KernelKept:
    """A kernel making a report that ends only when the kernel is killed (a report of a minute, say)."""

    def __init__(self):
        self.killed = threading.Event()

    def kill(self):
        self.killed.set()


class _MakerOfALongReport:
    """Stands for ReportMaker on a worker: its report goes on until its kernel is killed, then fails as one does."""

    making = threading.Event()

    def __init__(self, settings, template):
        self.kernel = _KernelKept()
        _MakerOfALongReport.made = self

    def start(self):
        pass

    def make(self, request):
        _MakerOfALongReport.making.set()
        if not self.kernel.killed.wait(120):
            return "made"
        raise KernelDied("the kernel died")

    def shutdown(self):
        pass


@pytest.mark.timeout(300)
def test_a_worker_whose_batch_ends_does_not_wait_for_the_report_under_way(monkeypatch):
    # Found: a batch stopped once its first report was made waited for each report under way on the workers (the
    # plugin's teardown waited up to 60 s per kernel), and made 3 or 4 reports after the stop.
    from careerconv.surfaces.report import dask_executor

    monkeypatch.setattr(dask_executor, "ReportMaker", _MakerOfALongReport)
    slot = dask_executor._KernelSlot(None, None, "careerconv-report-kernel-test")
    making = threading.Thread(target=lambda: pytest.raises(KernelDied, slot.make, "E0002"), daemon=True)
    making.start()
    assert _MakerOfALongReport.making.wait(30)
    maker = _MakerOfALongReport.made
    began = time.monotonic()
    slot.close()
    assert time.monotonic() - began < 5 and maker.kernel.killed.is_set()
    making.join(30)
    assert not making.is_alive()


def report_plugins(dask_scheduler) -> list[str]:
    return [name for name in dask_scheduler.worker_plugins if name.startswith("careerconv-report-")]


def stopped_twice(local, tmp_path: Path, monkeypatch, call: str, second_ctrl_c) -> tuple[list[str], list[str]]:
    """A batch on ``local`` stopped by Ctrl-C as it takes its first report, and again as it calls ``Client.<call>`` on
    its way out (``second_ctrl_c(client, main_thread_id)`` sends it); the stops that came, and what tornado logged as
    errors meanwhile."""
    data = tmp_path / "data"
    make_six_person_org(data)
    main = threading.main_thread().ident
    release, called = distributed.Future.release, getattr(distributed.Client, call)
    stops: list[str] = []

    def release_with_ctrl_c_on_the_way(future, *args, **kwargs):
        if not stops:  # the first report taken: Ctrl-C
            stops.append("first")
            signal.pthread_kill(main, signal.SIGINT)
        return release(future, *args, **kwargs)

    def called_with_ctrl_c_on_the_way(self, *args, **kwargs):
        stops.append("second")
        second_ctrl_c(self, main)
        return called(self, *args, **kwargs)

    monkeypatch.setattr(distributed.Future, "release", release_with_ctrl_c_on_the_way)
    monkeypatch.setattr(distributed.Client, call, called_with_ctrl_c_on_the_way)
    tornado_errors = _Records()
    logging.getLogger("tornado.application").addHandler(tornado_errors)
    terminal = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal
    try:
        with pytest.raises(KeyboardInterrupt):
            run_batch(data, list(SIX), AS_OF, reports_dir=tmp_path / "r",
                      executor=DaskExecutor(local.scheduler_address), progress=False)
        time.sleep(1.5)  # the client's loop has run what the stop left it
    finally:
        signal.signal(signal.SIGINT, terminal)
        logging.getLogger("tornado.application").removeHandler(tornado_errors)
    return stops, [record.getMessage() for record in tornado_errors.records]


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_second_ctrl_c_while_a_stopped_batch_closes_leaves_no_kernel_on_the_cluster(cluster, tmp_path, monkeypatch):
    # Found reading the batch's way out: a second Ctrl-C while a stopped batch removed its plugin from the cluster
    # left the plugin, and every worker's warm kernel, there (until the next batch's remove_orphaned_plugins).
    local, client = cluster

    def ctrl_c(client, main):  # as the stopped batch removes its kernels: Ctrl-C again
        signal.pthread_kill(main, signal.SIGINT)

    stops, _ = stopped_twice(local, tmp_path, monkeypatch, "unregister_worker_plugin", ctrl_c)
    assert stops == ["first", "second"]
    assert client.run_on_scheduler(report_plugins) == []


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_second_ctrl_c_while_a_stopped_batch_cancels_its_reports_stops_it_without_a_traceback(cluster, tmp_path,
                                                                                                monkeypatch):
    # Found reading the batch's way out: the cancel of the reports not yet made was the one call of the client a stop
    # could still break into; a second Ctrl-C before it had begun made distributed's sync() log "NameError: cannot
    # access free variable 'future'", and the reports were left to the cluster.
    local, _ = cluster

    def ctrl_c_before_the_call_begins(client, main):  # as the stopped batch cancels its other reports
        client.loop.add_callback(time.sleep, 1)  # the client's loop busy: the call waits to begin
        threading.Timer(0.3, signal.pthread_kill, (main, signal.SIGINT)).start()

    stops, tornado_errors = stopped_twice(local, tmp_path, monkeypatch, "cancel", ctrl_c_before_the_call_begins)
    assert stops == ["first", "second"]
    assert tornado_errors == []
