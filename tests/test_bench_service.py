"""The records service benchmark (``benchmarks/bench_service.py``) stops its service as the hub stops the real one."""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path

import requests

from prerequisites import require_hub

require_hub()  # the service is JupyterHub's

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import bench_service  # noqa: E402


def test_the_benchmarks_service_ends_on_sigterm_after_stopping_its_pools(tmp_path):
    """It was ended outright, its HR page's render pool and its store's pool never stopped: now SIGTERM lets the
    requests under way finish, stops both pools and the process exits by itself (code 0, not killed by -15)."""
    data = tmp_path / "data"
    bench_service.organisation(data, 2)
    port = bench_service.free_port()
    ready = multiprocessing.Event()
    server = multiprocessing.Process(target=bench_service.serve, daemon=True,
                                     args=(str(data), str(tmp_path / "access.jsonl"), port, ready))
    server.start()
    try:
        assert ready.wait(120), "the benchmark's service did not start"
        saved = requests.put(f"http://127.0.0.1:{port}{bench_service.PREFIX}api/people/E0010/checkins",
                             headers={"Authorization": "token tok-c001"}, timeout=60,
                             json=bench_service.checkin("E0010", "C001", "opened"))
        assert saved.status_code == 200, saved.text
        server.terminate()
        server.join(120)
        assert server.exitcode == 0
    finally:
        if server.is_alive():
            server.kill()
            server.join()
