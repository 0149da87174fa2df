"""The processes of ``careerconv hub``: two hubs started at once answer each for itself, and a hub stops with its
proxy and records service on SIGTERM or SIGINT, while it starts too, and when the process that started it dies.

Each hub here is started by a small Python process of its own (as a test run or a script starts one), so that
two can start at the same moment and a starter can die.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
import requests

from careerconv import cli
from careerconv.records import config
from careerconv.surfaces.commands.hub import Hub
from careerconv.surfaces.commands.ports import listening_ports, port_is_free
from prerequisites import require_hub

pytestmark = pytest.mark.slow

require_hub()

GROUPS = {"coaches": ["e0020"], "hr": ["hana"], "operators": ["olga"]}
WAIT = 120  # seconds: a bound for a busy machine, not a timing assertion

STARTER = """
import json, signal, sys
from careerconv.surfaces.commands.hub import Hub

hub = Hub.start(sys.argv[1], sys.argv[2], groups=json.loads(sys.argv[3]), authenticator="dummy", admin_token=True)
print(json.dumps({"pid": hub.process.pid, "port": hub.port, "url": hub.url, "admin_token": hub.admin_token}),
      flush=True)
signal.sigwait({signal.SIGTERM})
hub.stop()
"""

THREAD_STARTER = """
import json, signal, sys, threading
from careerconv.surfaces.commands.hub import Hub

hubs = []
starting = threading.Thread(target=lambda: hubs.append(Hub.start(sys.argv[1], sys.argv[2],
                            groups=json.loads(sys.argv[3]), authenticator="dummy", admin_token=True)))
starting.start()
starting.join()  # the thread that started the hub has ended; the hub is this process's still
hub = hubs[0]
print(json.dumps({"pid": hub.process.pid, "port": hub.port, "url": hub.url, "admin_token": hub.admin_token}),
      flush=True)
signal.sigwait({signal.SIGTERM})
hub.stop()
"""


def start_starter(root, script: str = STARTER) -> subprocess.Popen:
    """A process that starts a hub on a copy of the sample organisation in ``root`` (by ``script``) and prints
    what it started."""
    shutil.copytree(config.SAMPLE_DATA_DIR, root / "data")
    return subprocess.Popen([sys.executable, "-c", script, str(root / "data"), str(root / "state"),
                             json.dumps(GROUPS)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True,
                            start_new_session=True)


def started_hub(starter: subprocess.Popen) -> dict:
    line = starter.stdout.readline()
    assert line, f"the hub did not start (exit code {starter.wait(WAIT)})"
    return json.loads(line)


def hub_family(starter: subprocess.Popen) -> list[psutil.Process]:
    """The processes the starter started: the hub and everything the hub started."""
    return psutil.Process(starter.pid).children(recursive=True)


def proxy_command(process: psutil.Process) -> list[str] | None:
    """The command line of ``process`` if it is the hub's proxy (and still running)."""
    try:
        command = process.cmdline()
    except psutil.Error:
        return None
    return command if any("configurable-http-proxy" in part for part in command) else None


def is_proxy(process: psutil.Process) -> bool:
    return proxy_command(process) is not None


def is_hub(process: psutil.Process) -> bool:
    try:
        return "careerconv.surfaces.commands.hub_server" in process.cmdline()
    except psutil.Error:
        return False


def hub_with_its_proxy(starter: subprocess.Popen) -> tuple[psutil.Process, list[str]] | None:
    """The starter's hub whose proxy is up, and the proxy's command line (read once, as the proxy is found: seen in
    CI, a proxy found and then asked again for it was no longer one); None while no hub of the starter has its
    proxy up. The hub is told from the starter's other children (the writer of its log) by its command line, not by
    the order of their process ids (which wrap), and the proxy is looked for among its own children: a hub that
    lost a port to another hub starting at the same moment is stopped by its starter, and the next one started."""
    for hub in filter(is_hub, psutil.Process(starter.pid).children()):
        try:
            proxy_args = next(filter(None, map(proxy_command, hub.children(recursive=True))), None)
        except psutil.Error:  # it ended meanwhile
            continue
        if proxy_args is not None:
            return hub, proxy_args
    return None


def is_log_writer(process: psutil.Process) -> bool:
    try:
        return "careerconv.surfaces.commands.hub_log_writer" in process.cmdline()
    except psutil.Error:
        return False


def end_starter(starter: subprocess.Popen, family: list[psutil.Process]) -> None:
    """Stop the starter (which stops its hub) and, should anything of the hub outlive it, that too."""
    if starter.poll() is None:
        starter.send_signal(signal.SIGTERM)
        try:
            starter.wait(WAIT)
        except subprocess.TimeoutExpired:
            starter.kill()
            starter.wait()
    for process in family:
        try:
            process.kill()
        except psutil.Error:
            pass


def let_go(port: int, since: float, state: Path | None = None) -> bool:
    """True when nothing listens on ``port``, or what listens there was started after ``since`` (a time from
    :func:`time.time`): not the hub's, but a server another test started on the port the hub let go (found: the
    other test process's hub took it at once, and a hub that had freed its port was said not to). With ``state``,
    the hub's state folder, where its proxy runs: what runs in another folder is not the hub's either (found: a
    hub stopped as it started had been told a port that another test's hub, starting at the same moment, held
    first; the hub would have given it up for the next one)."""
    if port_is_free(port):
        return True
    holders = {c.pid for c in psutil.net_connections(kind="inet")
               if c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port}
    if not holders or None in holders:  # a listener this process may not look at: not known to be another's
        return False
    try:
        return all(psutil.Process(pid).create_time() > since or
                   (state is not None and Path(psutil.Process(pid).cwd()) != state) for pid in holders)
    except psutil.NoSuchProcess:  # one ended meanwhile: look again
        return let_go(port, since, state)
    except psutil.AccessDenied:  # not known to be another's
        return False


def test_two_hubs_started_at_once_take_ports_of_their_own_and_each_answers_for_itself(tmp_path):
    """Seen in CI: two hubs started at once both chose port 8000; one's proxy could not bind it, and its tests
    talked to the other hub, whose tokens are not theirs (12 tests got HTTP 403)."""
    starters = [start_starter(tmp_path / name) for name in ("one", "two")]
    families: list[psutil.Process] = []
    try:
        hubs = [started_hub(starter) for starter in starters]
        families = [p for starter in starters for p in hub_family(starter)]
        assert hubs[0]["port"] != hubs[1]["port"]
        for hub in hubs:
            own = requests.get(hub["url"] + "hub/api/user", timeout=60,
                               headers={"Authorization": f"token {hub['admin_token']}"})
            assert own.status_code == 200 and own.json()["name"] == "careerconv-admin"
    finally:
        for starter in starters:
            end_starter(starter, families)


@pytest.mark.parametrize("stopping", [signal.SIGTERM, signal.SIGINT])
def test_a_hub_stopped_while_it_starts_stops_its_proxy_and_service_and_frees_its_port(tmp_path, stopping):
    """Seen on this machine: a hub ended with SIGTERM as it came up (before JupyterHub handles signals) left its
    proxy running on port 8000."""
    starter = start_starter(tmp_path)
    family: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + WAIT
        while (found := hub_with_its_proxy(starter)) is None:  # the proxy is up, the hub still starting
            assert starter.poll() is None and time.monotonic() < deadline, "the hub's proxy did not start"
            time.sleep(0.1)
        family = hub_family(starter)
        hub, proxy_args = found
        port = int(proxy_args[proxy_args.index("--port") + 1])
        stopped = time.time()
        hub.send_signal(stopping)
        _gone, alive = psutil.wait_procs(family, timeout=WAIT)
        assert alive == []
        assert let_go(port, stopped, (tmp_path / "state").resolve())
    finally:
        end_starter(starter, family)


@pytest.mark.parametrize("script", [STARTER, THREAD_STARTER], ids=["main-thread", "other-thread"])
def test_a_hub_started_from_any_thread_answers_and_stops_with_its_proxy_and_service_when_its_starter_dies(
        tmp_path, script):
    """Seen on this machine: a hub left running after the test run that started it died. A hub started from a
    thread other than the main one was not tied to its starter at all."""
    starter = start_starter(tmp_path, script)
    family: list[psutil.Process] = []
    try:
        hub = started_hub(starter)
        family = hub_family(starter)
        assert {p.pid for p in family} >= {hub["pid"]} and any(is_proxy(p) for p in family) \
            and any(is_records_service(p) for p in family)
        own = requests.get(hub["url"] + "hub/api/user", timeout=60,  # after the starting thread has ended too
                           headers={"Authorization": f"token {hub['admin_token']}"})
        assert own.status_code == 200 and own.json()["name"] == "careerconv-admin"
        stopped = time.time()
        starter.kill()  # dies without stopping its hub
        starter.wait()
        _gone, alive = psutil.wait_procs(family, timeout=WAIT)
        assert alive == []
        assert let_go(hub["port"], stopped)
    finally:
        end_starter(starter, family)


def test_careerconv_hub_stopped_with_sigterm_while_it_starts_leaves_nothing_running(tmp_path):
    """`kill <pid of careerconv hub>` as the hub came up ended the command and left the hub, its proxy and the
    records service serving the data folder."""
    shutil.copytree(config.SAMPLE_DATA_DIR, tmp_path / "data")
    command = subprocess.Popen([sys.executable, "-m", "careerconv.cli", "--data", str(tmp_path / "data"), "hub"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    family: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + WAIT
        while not any(is_proxy(p) for p in family):
            assert command.poll() is None and time.monotonic() < deadline, "the hub's proxy did not start"
            time.sleep(0.1)
            family = psutil.Process(command.pid).children(recursive=True)
        command.send_signal(signal.SIGTERM)
        _gone, alive = psutil.wait_procs(family, timeout=WAIT)
        assert alive == []
        assert command.wait(WAIT) == 0
    finally:
        end_starter(command, family)


def is_records_service(process: psutil.Process) -> bool:
    try:
        return "careerconv.surfaces.commands.records_service" in process.cmdline()
    except psutil.Error:
        return False


def is_coach_server(process: psutil.Process) -> bool:
    try:
        return "careerconv.surfaces.commands.singleuser_server" in process.cmdline()
    except psutil.Error:
        return False


def start_coach_server(hub: dict, login: str) -> None:
    """Have the hub start ``login``'s server (the coach's app), and wait until the hub says it is ready."""
    headers = {"Authorization": f"token {hub['admin_token']}"}
    started = requests.post(f"{hub['url']}hub/api/users/{login}/server", headers=headers, timeout=WAIT)
    assert started.status_code in (201, 202), started.text
    deadline = time.monotonic() + WAIT
    while not requests.get(f"{hub['url']}hub/api/users/{login}", headers=headers,
                           timeout=60).json()["servers"].get("", {}).get("ready"):
        assert time.monotonic() < deadline, f"{login}'s server did not start"
        time.sleep(0.5)


def test_a_hub_killed_with_sigkill_takes_its_proxy_service_and_coach_servers_with_it_and_frees_its_ports(tmp_path):
    """The OOM killer or `kill -9` on the hub's own process left its proxy on the hub's port, the records service
    answering over the data folder and every coach's server running, with nobody to stop them."""
    starter = start_starter(tmp_path)
    family: list[psutil.Process] = []
    try:
        hub = started_hub(starter)
        start_coach_server(hub, "e0020")
        started = psutil.Process(hub["pid"]).children(recursive=True)  # proxy, service, the coach's server
        family = hub_family(starter)
        assert any(is_proxy(p) for p in started) and any(is_records_service(p) for p in started) \
            and any(is_coach_server(p) for p in started)
        ports = listening_ports(hub["pid"])
        assert hub["port"] in ports and len(ports) >= 4  # the hub's, its proxy API's, the service's, the server's
        stopped = time.time()
        os.kill(hub["pid"], signal.SIGKILL)
        _gone, alive = psutil.wait_procs(started, timeout=WAIT)
        assert alive == []
        assert [port for port in sorted(ports) if not let_go(port, stopped)] == []
    finally:
        end_starter(starter, family)



def test_a_second_hub_of_a_data_folder_is_refused_naming_the_first_ones_processes_and_ports(tmp_path, capsys):
    """A second `careerconv hub` of a data folder whose hub still ran (or whose processes a killed hub left)
    took the next port without a word, started a second records service over the same records, and its
    JupyterHub stopped the first hub's proxy."""
    starter = start_starter(tmp_path)
    family: list[psutil.Process] = []
    try:
        first = started_hub(starter)
        family = hub_family(starter)
        proxy = next(p for p in family if is_proxy(p))
        service = next(p for p in family if is_records_service(p))
        with pytest.raises(ValueError) as refused:
            second = Hub.start(tmp_path / "data", tmp_path / "state", groups=GROUPS, authenticator="dummy")
            second.stop()
        message = str(refused.value)
        assert f"an earlier hub of the data folder {tmp_path / 'data'} is still running" in message
        assert f"pid {first['pid']}: JupyterHub, listening on 127.0.0.1:" in message
        assert f"pid {proxy.pid}: JupyterHub's proxy, listening on 127.0.0.1:{first['port']}, " in message
        assert f"pid {service.pid}: the records service (it reads and writes the data folder)" in message
        hubs = [p for p in family if not is_log_writer(p)]  # the writer of its log ends with the last of them
        assert f"kill {' '.join(str(pid) for pid in sorted(p.pid for p in hubs))}" in message

        assert cli.main(["--data", str(tmp_path / "data"), "hub"]) != 0  # its own state folder: the same answer
        assert f"careerconv hub: error: an earlier hub of the data folder {tmp_path / 'data'}" \
            in capsys.readouterr().err
        own = requests.get(first["url"] + "hub/api/user", timeout=60,  # the first hub answers as before
                           headers={"Authorization": f"token {first['admin_token']}"})
        assert own.status_code == 200 and own.json()["name"] == "careerconv-admin"
        assert all(p.is_running() for p in family)
    finally:
        end_starter(starter, family)
