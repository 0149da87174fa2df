"""Benchmark: progress reports with the batch runner vs the naive papermill + nbconvert loop.

Baseline (the naive loop, as an operator would write it): per employee, the
``papermill`` command line executes the report notebook in a fresh kernel,
then the ``jupyter nbconvert --to html --no-input`` command line exports it.

Candidate: :func:`careerconv.surfaces.report.runner.run_batch` (what ``careerconv report``
runs) on warm kernels, ``--jobs`` in parallel, timed from the call to the
index page being written (kernel start-up included), with ``force=True`` so
every report is made.

Both make the same reports (same notebook, data and parameters) on the same
machine in the same run; the baseline is timed on fewer employees to keep the
run short, since it is the same work per report, half of them before the
runner and half after, so a change in the machine's load during the run
weighs on both. Prints throughput (reports/min), the per-report median, the
CPU time per report (all processes: less sensitive to other work on the
machine than wall time) and the ratio. The data folder is only read.

The Dask executor (``--dask local:N``, :mod:`careerconv.surfaces.report.dask_executor`)
makes the same reports in the same run, two ways: on a running local cluster
of ``--jobs`` worker processes (what a batch on an existing cluster costs:
kernel warm-up, one task per report, teardown; goal: within 20 % of the
runner's throughput), and all in, as ``--dask local:N`` does (the cluster's
start and stop included). Then it measures the scheduling overhead per task
(no-op tasks carrying a report's request and outcome through the same
cluster) and projects the hours a batch of 200,000 reports takes at 1, 10 and
100 workers (one kernel each): ``N * (c / W + s)``, with ``c`` the measured
worker-seconds per report on the cluster (warm-up included) and ``s`` the
scheduling overhead per task, which the one scheduler pays for every task
whatever the number of workers.

Usage::

    .venv/bin/python benchmarks/bench_reports.py --data /tmp/demo10k --employees 40 --baseline 5 --jobs 2

When ``--data`` holds no organisation yet, the 10,000-employee demo one is
generated into it first (``careerconv demo --employees 10000 --seed 42
--as-of 2026-10-01``).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from careerconv.records import config  # noqa: E402
from careerconv.surfaces.report.runner import NOTEBOOK, ReportOutcome, ReportRequest, run_batch  # noqa: E402
from careerconv.records.store import Store  # noqa: E402

BIN = Path(sys.executable).parent


def pick_employees(data: Path, n: int) -> list[str]:
    """``n`` employees spread evenly over the roster, among those with records."""
    store = Store(data)
    with_records = set(store.employees_with_records())
    ids = [e for e in store.roster()["employee_id"] if e in with_records]
    if len(ids) < n:
        raise SystemExit(f"{data} has only {len(ids)} employees with records; need {n}")
    step = len(ids) / n
    return [ids[int(i * step)] for i in range(n)]


def naive_loop(data: Path, employees: list[str], as_of: str, out: Path) -> list[float]:
    """papermill CLI then nbconvert CLI per employee; seconds per report."""
    seconds = []
    for eid in employees:
        nb_out = out / f"{eid}.ipynb"
        began = time.perf_counter()
        _run([str(BIN / "papermill"), str(NOTEBOOK), str(nb_out), "-p", "employee_id", eid, "-p", "data_dir",
              str(data), "-p", "as_of", as_of, "--no-progress-bar", "--log-level", "ERROR"], cwd=NOTEBOOK.parent)
        _run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(nb_out), "--log-level", "ERROR"])
        seconds.append(time.perf_counter() - began)
        if not nb_out.with_suffix(".html").exists():
            raise SystemExit(f"the naive loop made no HTML for {eid}")
        print(f"  naive {eid}: {seconds[-1]:.2f} s", flush=True)
    return seconds


def cpu_seconds() -> float:
    """CPU time of this process and its finished children so far."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _run(cmd: list[str], cwd: Path | None = None) -> None:
    done = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:2])} failed (exit {done.returncode}):\n{done.stderr[-3000:]}")


def check_outputs(result, employees: list[str]) -> None:
    """Every report is an executed papermill notebook plus its HTML."""
    if result.failed:
        causes = "; ".join(f"{o.employee_id}: {o.error}" for o in result.failed)
        raise SystemExit(f"{len(result.failed)} report(s) failed: {causes}")
    if len(result.made) != len(employees):
        raise SystemExit(f"expected {len(employees)} reports, made {len(result.made)}")
    for outcome in result.made:
        nb = nbformat.read(outcome.paths.ipynb, as_version=4)
        tags = [t for c in nb.cells for t in c.metadata.get("tags", [])]
        assert "injected-parameters" in tags and "parameters" in tags, outcome.paths.ipynb
        assert nb.metadata.papermill["parameters"]["employee_id"] == outcome.employee_id
        assert outcome.paths.html.stat().st_size > 10_000


def noop_report(request: ReportRequest) -> ReportOutcome:
    """A task that carries what a report task carries, and does nothing."""
    return ReportOutcome(request.employee_id, request.employee_id, "", "made", None, None, 0.0)


def scheduling_overhead(client, employees: list[str], tasks: int) -> float:
    """Seconds of cluster time per task: ``tasks`` no-op report tasks through the scheduler, wall / tasks."""
    requests = [ReportRequest(employees[i % len(employees)], {"name": "x" * 20, "department": "y" * 12})
                for i in range(tasks)]
    client.gather(client.map(noop_report, requests[:50], pure=False))  # warm the function cache
    began = time.perf_counter()
    client.gather(client.map(noop_report, requests, pure=False))
    return (time.perf_counter() - began) / tasks


def runner_run(data: Path, employees: list[str], as_of: str, out: Path, jobs: int) -> tuple[float, float, float]:
    """The batch runner on this machine: (wall s, CPU s of every process, median s per report on its kernel)."""
    cpu0 = cpu_seconds()
    began = time.perf_counter()
    result = run_batch(data, employees, as_of, reports_dir=out, jobs=jobs, force=True, progress=False)
    wall = time.perf_counter() - began
    cpu = cpu_seconds() - cpu0
    check_outputs(result, employees)
    return wall, cpu, statistics.median(result.report_seconds)


def dask_runs(data: Path, employees: list[str], as_of: str, work: Path, workers: int) -> dict:
    """The batch on a running local cluster, then all in with --dask local:N; and the per-task overhead."""
    import distributed

    from careerconv.surfaces.report.dask_executor import DaskExecutor, local_cluster

    out: dict = {}
    began = time.perf_counter()
    with local_cluster(workers) as cluster, distributed.Client(cluster) as client:
        client.wait_for_workers(workers)
        out["cluster_start"] = time.perf_counter() - began
        print(f"dask: a running cluster of {workers} worker processes (started in {out['cluster_start']:.1f} s), "
              f"{len(employees)} reports", flush=True)
        began = time.perf_counter()
        result = run_batch(data, employees, as_of, reports_dir=work / "dask", force=True, progress=False,
                           executor=DaskExecutor(client=client))
        out["running_wall"] = time.perf_counter() - began
        check_outputs(result, employees)
        out["running_median"] = statistics.median(result.report_seconds)
        out["overhead"] = scheduling_overhead(client, employees, 1000)
    print(f"dask: --dask local:{workers} all in (cluster start and stop included), {len(employees)} reports",
          flush=True)
    cpu0 = cpu_seconds()  # the cluster's processes are children of this one: their CPU counts once they end
    began = time.perf_counter()
    result = run_batch(data, employees, as_of, reports_dir=work / "dask-local", force=True, progress=False,
                       executor=DaskExecutor(f"local:{workers}"))
    out["local_wall"] = time.perf_counter() - began
    out["local_cpu"] = cpu_seconds() - cpu0
    check_outputs(result, employees)
    return out


def projection(n_reports: int, per_report: float, overhead: float, workers: list[int]) -> list[str]:
    """Lines of the table: hours for ``n_reports`` at each number of workers."""
    lines = [f"projection for {n_reports:,} reports: c = {per_report:.2f} worker-s per report (measured on the "
             f"cluster, warm-up included), s = {1000 * overhead:.1f} ms scheduling per task",
             f"{'workers':>10}{'hours':>9}{'reports/min':>14}{'of which scheduling':>22}"]
    for w in workers:
        seconds = n_reports * (per_report / w + overhead)
        lines.append(f"{w:>10}{seconds / 3600:>9.2f}{60 * n_reports / seconds:>14.0f}"
                     f"{100 * n_reports * overhead / seconds:>21.0f}%")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="/tmp/demo10k", help="data folder (read only; default /tmp/demo10k)")
    parser.add_argument("--employees", type=int, default=40, help="reports made by the runner (default 40)")
    parser.add_argument("--baseline", type=int, default=5, help="reports made by the naive loop (default 5)")
    parser.add_argument("--jobs", type=int, default=2, help="runner kernels (default 2)")
    parser.add_argument("--as-of", default="2026-10-01")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask executor (needs careerconv[dask])")
    parser.add_argument("--project", type=int, default=200_000, help="reports in the projection (default 200,000)")
    args = parser.parse_args(argv)

    data = config.data_dir(args.data)
    if not (data / "roster.csv").exists():
        command = [str(BIN / "careerconv"), "--data", str(data), "demo", "--employees", "10000", "--seed", "42",
                   "--as-of", "2026-10-01", "--quiet"]
        print(f"{data} holds no organisation yet; generating the demo one: {' '.join(command[1:])}", flush=True)
        _run(command)
    employees = pick_employees(data, args.employees)
    n_roster = len(Store(data).roster())
    print(f"data: {data} ({n_roster} employees on the roster); cores: {os.cpu_count()}; "
          f"load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")

    work = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    try:
        naive_dir = work / "naive"
        naive_dir.mkdir()
        first, second = employees[: (args.baseline + 1) // 2], employees[(args.baseline + 1) // 2: args.baseline]
        print(f"baseline: papermill CLI + nbconvert CLI, one employee after the other, {len(first)} reports "
              f"now and {len(second)} after the runner")
        cpu0 = cpu_seconds()
        naive = naive_loop(data, first, args.as_of, naive_dir)
        naive_cpu = cpu_seconds() - cpu0

        print(f"runner: careerconv report (warm kernels, --jobs {args.jobs}), {len(employees)} reports")
        wall, fast_cpu, fast_median = runner_run(data, employees, args.as_of, work / "fast", args.jobs)
        fast_rate = 60 * len(employees) / wall

        dask = None
        if not args.no_dask:
            dask = dask_runs(data, employees, args.as_of, work, args.jobs)
            print("runner again, after the Dask runs (compared with them: the mean of both runner runs)")
            dask["runner_walls"] = [wall, runner_run(data, employees, args.as_of, work / "fast2", args.jobs)[0]]

        if second:
            print("baseline, second half")
            cpu0 = cpu_seconds()
            naive += naive_loop(data, second, args.as_of, naive_dir)
            naive_cpu += cpu_seconds() - cpu0
        naive_median = statistics.median(naive)
        naive_rate = 60 * len(naive) / sum(naive)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print()
    print(f"{'':34}{'reports':>8}{'wall s':>9}{'reports/min':>13}{'median s/report':>17}{'CPU s/report':>14}")
    print(f"{'naive (papermill + nbconvert CLI)':34}{len(naive):>8}{sum(naive):>9.1f}{naive_rate:>13.1f}"
          f"{naive_median:>17.2f}{naive_cpu / len(naive):>14.2f}")
    print(f"{'runner (warm kernels, jobs=' + str(args.jobs) + ')':34}{len(employees):>8}{wall:>9.1f}"
          f"{fast_rate:>13.1f}{fast_median:>17.2f}{fast_cpu / len(employees):>14.2f}")
    print(f"  runner wall time per report: {wall / len(employees):.2f} s (median is one kernel's time per "
          f"report; {args.jobs} kernels work at once)")
    ratio = fast_rate / naive_rate
    print(f"throughput ratio: {ratio:.1f}x (goal >= 15x); CPU time per report: "
          f"{naive_cpu / len(naive) / (fast_cpu / len(employees)):.1f}x less")
    if dask is not None:
        n = len(employees)
        runner_wall = statistics.mean(dask["runner_walls"])
        runner_rate = 60 * n / runner_wall
        running_rate, local_rate = 60 * n / dask["running_wall"], 60 * n / dask["local_wall"]
        print()
        print(f"{'':36}{'reports':>8}{'wall s':>9}{'reports/min':>13}{'CPU s/report':>14}{'vs runner':>11}")
        print(f"{'runner, jobs=' + str(args.jobs) + ' (mean of 2 runs)':36}{n:>8}{runner_wall:>9.1f}"
              f"{runner_rate:>13.1f}{fast_cpu / n:>14.2f}{'':>11}")
        print(f"{'dask, running cluster of ' + str(args.jobs) + ' workers':36}{n:>8}{dask['running_wall']:>9.1f}"
              f"{running_rate:>13.1f}{'':>14}{running_rate / runner_rate - 1:>+11.0%}")
        print(f"{'dask, --dask local:' + str(args.jobs) + ' all in':36}{n:>8}{dask['local_wall']:>9.1f}"
              f"{local_rate:>13.1f}{dask['local_cpu'] / n:>14.2f}{local_rate / runner_rate - 1:>+11.0%}")
        share = running_rate / runner_rate
        print(f"dask executor: {share:.0%} of the runner's throughput on the same {args.jobs} cores (goal: within "
              f"20 %, i.e. >= 80 %: {'met' if share >= 0.80 else 'NOT met'}); --dask local:{args.jobs} also starts "
              f"and stops its cluster (started in {dask['cluster_start']:.1f} s here), once per batch")
        # All in = a fixed cost per batch (worker processes start and stop) + the running cluster's time per
        # report; from the two measured walls, the batch size from which --dask local:N is within 20 % too.
        fixed = max(dask["local_wall"] - dask["running_wall"], 0.0)
        per_runner, per_dask = runner_wall / n, dask["running_wall"] / n
        if per_runner > 0.8 * per_dask:
            break_even = 0.8 * fixed / (per_runner - 0.8 * per_dask)
            share_big = per_runner * args.project / (fixed + per_dask * args.project)
            print(f"--dask local:{args.jobs} all in: {fixed:.1f} s fixed per batch (worker processes start and "
                  f"stop) + {per_dask:.2f} s per report, so within 20 % of the runner from about "
                  f"{break_even:.0f} reports on; at {args.project:,} reports {share_big:.0%} of its throughput")
        print(f"scheduling overhead per task: {1000 * dask['overhead']:.1f} ms (1000 no-op report tasks through the "
              f"scheduler, wall / tasks)")
        per_report = args.jobs * dask["running_wall"] / n
        for line in projection(args.project, per_report, dask["overhead"], [1, 10, 100]):
            print(line)
        print(f"  (one machine like this one, --jobs {args.jobs}: {args.project * runner_wall / n / 3600:.1f} hours)")
    print(f"load average after: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
