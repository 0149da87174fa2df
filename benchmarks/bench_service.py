"""Benchmark of the records service under 50 coaches autosaving at once (loopback only, bounded in time).

Each simulated coach has their own people and their own hub token, opens a
check-in of one of their people and saves it every 2 seconds (with a random
start within the first 2 s) for ``--seconds`` (default 60), each save a
compare-and-swap on the revision the previous one returned, exactly as the
app's autosave does. The service runs in its own process on 127.0.0.1 (the
hub's token check is stood in by a fixed token table, as the hub's answer is
cached by the service anyway), with its thread pool and the store's
durable writes.

Printed: p50 / p95 / max of a save through the service (as the client waits,
and the part spent in the service from its ``Server-Timing`` header), and the
same figures for the same load straight through local ``Store.save_checkin``
calls in the same run (the baseline: 50 apps each on the folder itself, for up
to 30 s), and how many
acknowledged saves were lost (the stored revision and text are checked
against every acknowledgement). Target (issue 15): p95 <= 100 ms, 0 lost.

Usage::

    .venv/bin/python benchmarks/bench_service.py [--coaches 50] [--seconds 60] [--interval 2]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd
import requests

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from careerconv.records.store import Store  # noqa: E402

PREFIX = "/services/careerconv-records/"
PEOPLE_PER_COACH = 6


def organisation(root: Path, coaches: int) -> None:
    """A roster of ``coaches`` coaches (C001 …) with PEOPLE_PER_COACH people each, all reporting to H001."""
    rows = [{"employee_id": "H001", "name": "Head of People", "coach_id": "H001", "department": "People",
             "role": "Head", "cadence_months": "12", "email": ""}]
    for c in range(1, coaches + 1):
        coach = f"C{c:03d}"
        rows.append({"employee_id": coach, "name": f"Coach {c}", "coach_id": "H001", "department": f"D{c % 5}",
                     "role": "Manager", "cadence_months": "6", "email": ""})
        for p in range(PEOPLE_PER_COACH):
            rows.append({"employee_id": f"E{c:03d}{p}", "name": f"Person {c}-{p}", "coach_id": coach,
                         "department": f"D{c % 5}", "role": "Engineer", "cadence_months": "6", "email": ""})
    Store(root).save_roster(pd.DataFrame(rows))


def checkin(employee_id: str, coach_id: str, note: str) -> dict:
    return {"employee_id": employee_id, "coach_id": coach_id, "date": "2026-10-02", "status": "draft",
            "note": note, "updates": [], "ratings": [], "kind": "checkin"}


class TokenTable:
    """The hub's answer for each token, fixed: ``tok-c001`` is coach c001, in the group coaches."""

    access_scopes: set = set()

    async def get_user(self, handler, sync=True):
        header = handler.request.headers.get("Authorization", "")
        return await self.user_for_token(header.split(None, 1)[1] if " " in header else "")

    async def user_for_token(self, token, sync=True):
        """The token's owner (the service asks again for every change, to see that the header holds the token)."""
        return {"name": token[4:], "groups": ["coaches"], "scopes": []} if token.startswith("tok-") else None

    def check_scopes(self, required, model):
        return True


def serve(data: str, log: str, port: int, ready) -> None:
    """The records service in this (child) process, until SIGTERM: then its pools (store calls, the HR page's
    renders) are stopped as the service's own are (:func:`careerconv.surfaces.service.server.serve`)."""
    from careerconv.surfaces.commands.records_service import organisation_minimum
    from careerconv.surfaces.service.server import RecordsService, make_app, serve as serve_until_stopped

    service = RecordsService(data, log, Path(data).parent / "reports", TokenTable(),
                             minimum=lambda: organisation_minimum(data, None))
    asyncio.run(serve_until_stopped(service, make_app(service, PREFIX), "127.0.0.1", port, listening=ready.set))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


CLIENT_PROCESSES = 2  # the coaches' browsers are not one Python process: spread them so the GIL is not measured


def run_coaches(url: str, coaches: int, seconds: float, interval: float) -> tuple[list[float], dict, list]:
    """Every coach saving every ``interval`` s, from a few processes; returns latencies, acknowledgements, errors."""
    numbers = list(range(1, coaches + 1))
    slices = [numbers[i::CLIENT_PROCESSES] for i in range(CLIENT_PROCESSES)]
    with multiprocessing.get_context("spawn").Pool(CLIENT_PROCESSES) as pool:
        parts = pool.starmap(run_some_coaches, [(url, part, seconds, interval) for part in slices if part])
    latencies: list = []
    acknowledged: dict = {}
    errors: list = []
    for lat, ack, err in parts:
        latencies += lat
        acknowledged.update(ack)
        errors += err
    return latencies, acknowledged, errors


def run_some_coaches(url: str, numbers: list[int], seconds: float, interval: float) -> tuple[list, dict, list]:
    """These coaches saving every ``interval`` s, one thread each."""
    latencies: list[float] = []
    acknowledged: dict[tuple[str, str], tuple[int, str]] = {}
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def coach(number: int) -> None:
        coach_id = f"C{number:03d}"
        session = requests.Session()
        session.headers["Authorization"] = f"token tok-{coach_id.lower()}"
        eid = f"E{number:03d}0"
        base = f"{url}api/people/{eid}/checkins"
        try:
            record = session.put(base, json=checkin(eid, coach_id, "opened"), timeout=30).json()
            time.sleep(random.uniform(0, interval))
            n = 0
            while time.monotonic() < stop_at:
                due = time.monotonic() + interval
                n += 1
                text = f"{coach_id} save {n}"
                started = time.perf_counter()
                answer = session.put(base, json={**record, "note": text}, timeout=30)
                took = time.perf_counter() - started
                if answer.status_code != 200:
                    with lock:
                        errors.append(f"{coach_id}: HTTP {answer.status_code} {answer.text[:200]}")
                    return
                record = answer.json()
                server = float(answer.headers.get("Server-Timing", "app;dur=0").split("dur=")[1]) / 1000
                with lock:
                    latencies.append((took, server))
                    acknowledged[(eid, record["checkin_id"])] = (record["revision"], text)
                time.sleep(max(0.0, due - time.monotonic()))
        except Exception as exc:  # reported with the figures
            with lock:
                errors.append(f"{coach_id}: {exc!r}")

    threads = [threading.Thread(target=coach, args=(c,)) for c in numbers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 120)
    return latencies, acknowledged, errors


def local_baseline(data: Path, coaches: int, seconds: float, interval: float) -> list[float]:
    """The same load straight through local Stores: every coach's app on the folder itself, no service.

    One thread per coach with its own :class:`Store`, saving a check-in of their second person every
    ``interval`` s for ``seconds``, so the disk sees the same stream of compare-and-swap writes.
    """
    latencies: list[float] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def coach(number: int) -> None:
        store = Store(data, actor=f"baseline c{number:03d}")
        record = store.save_checkin(checkin(f"E{number:03d}1", f"C{number:03d}", "opened"))
        time.sleep(random.uniform(0, interval))
        n = 0
        while time.monotonic() < stop_at:
            due = time.monotonic() + interval
            n += 1
            started = time.perf_counter()
            record = store.save_checkin({**record, "note": f"baseline {n}"})
            took = time.perf_counter() - started
            with lock:
                latencies.append(took)
            time.sleep(max(0.0, due - time.monotonic()))

    threads = [threading.Thread(target=coach, args=(c,)) for c in range(1, coaches + 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 60)
    return latencies


def lost_saves(data: Path, acknowledged: dict) -> int:
    """Acknowledged last saves whose revision or text is not what the store holds."""
    store = Store(data)
    lost = 0
    for (eid, cid), (revision, text) in acknowledged.items():
        stored = store.load_checkin(eid, cid)
        if stored["revision"] != revision or stored["note"] != text:
            lost += 1
    return lost


def figures(latencies: list[float]) -> str:
    ms = sorted(x * 1000 for x in latencies)
    p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
    return f"p50 {statistics.median(ms):6.1f} ms   p95 {p95:6.1f} ms   max {ms[-1]:6.1f} ms   ({len(ms)} saves)"


def p95(latencies: list[float]) -> float:
    ms = sorted(x * 1000 for x in latencies)
    return ms[min(len(ms) - 1, int(0.95 * len(ms)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--coaches", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the coaches keep saving (<= 120)")
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between one coach's saves")
    args = parser.parse_args(argv)
    seconds = min(args.seconds, 120.0)
    with tempfile.TemporaryDirectory(prefix="careerconv-bench-service-") as tmp:
        data = Path(tmp) / "data"
        organisation(data, args.coaches)
        port = free_port()
        ready = multiprocessing.Event()
        server = multiprocessing.Process(target=serve, args=(str(data), str(Path(tmp) / "access.jsonl"), port,
                                                             ready), daemon=True)
        server.start()
        try:
            if not ready.wait(60):
                print("the service did not start", file=sys.stderr)
                return 1
            url = f"http://127.0.0.1:{port}{PREFIX}"
            print(f"{args.coaches} coaches saving every {args.interval:g} s for {seconds:g} s through the "
                  "records service …", file=sys.stderr)
            latencies, acknowledged, errors = run_coaches(url, args.coaches, seconds, args.interval)
        finally:
            server.terminate()  # SIGTERM: the service finishes and stops its pools
            server.join(60)
            if server.exitcode is None:
                server.kill()
                server.join()
        baseline = local_baseline(data, args.coaches, min(seconds, 30.0), args.interval)
        lost = lost_saves(data, acknowledged)
        log_lines = sum(1 for _ in (Path(tmp) / "access.jsonl").open(encoding="utf-8"))
    server_side = [server for _, server in latencies]
    latencies = [took for took, _ in latencies]
    print(f"records service save     {figures(latencies)}")
    print(f"  of which in the service {figures(server_side)}")
    print(f"local Store, same load   {figures(baseline)}")
    print(f"service / local p95      {p95(latencies) / p95(baseline):6.1f} x")
    print(f"lost acknowledged saves  {lost}   errors {len(errors)}   access-log lines {log_lines}")
    for error in errors[:5]:
        print(f"  {error}")
    ok = p95(latencies) <= 100 and lost == 0 and not errors
    load = os.getloadavg()
    print(f"target p95 <= 100 ms, 0 lost: {'met' if ok else 'NOT met'}   (load average {load[0]:.1f} on "
          f"{os.cpu_count()} CPUs: compare with the local line, measured under the same load)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
