"""The servers `careerconv app` starts keep their token off every command line and answer only to local names.

Any local user can read every process's command line (``ps``,
``/proc/<pid>/cmdline``), so a token there is a token for everyone on the
machine. And a server that answers to any Host header can be reached by a web
page whose domain points at 127.0.0.1 (DNS rebinding). Both servers are
started as a coach starts them (tests/e2e/conftest.py), a kernel is started in
each (the app's page in Voila, the kernels API in JupyterLab), and then every
process of the app is read. The app's page, opened in Chromium, asks nothing of
any other host.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import stat
from pathlib import Path

import pytest

from careerconv.surfaces.commands import server_kernels

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

FOREIGN_HOSTS = ["evil.example", "evil.example:{port}", "careerconv.example.org:{port}"]
LOCAL_HOSTS = ["127.0.0.1:{port}", "localhost:{port}"]


def _request(server, path: str, host: str, *, token: str | None = None, method: str = "GET"):
    """One HTTP request to the server with the given Host header; returns (status, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    headers = {"Host": host.format(port=server.port)}
    if token is not None:
        headers["Authorization"] = f"token {token}"
    try:
        conn.request(method, path, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def _descendants(root: int) -> list[int]:
    """``root`` and every process below it, read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def _server_config_file(cmdlines: list[str], lab: bool) -> Path:
    if lab:
        m = re.search(r"--ServerApp\.config_file=(\S+)", " ".join(cmdlines))
        return Path(m.group(1))
    m = re.search(r"--Voila\.config_file_paths=(\S+)", " ".join(cmdlines))
    return Path(m.group(1)) / "voila.json"


def _check_token_is_on_no_command_line(server, lab: bool) -> None:
    processes = _descendants(server.proc.pid)
    cmdlines = [_cmdline(pid) for pid in processes]
    kernels = [c for c in cmdlines if f"-m {server_kernels.KERNEL_LAUNCHER} " in c]  # ipykernel, as the app starts it
    assert kernels, f"no kernel was running, so the check would prove little: {cmdlines}"
    marker = " -m careerconv.surfaces.commands." + ("lab_server " if lab else "voila_server ")
    server_pids = [pid for pid, c in zip(processes, cmdlines) if marker in c]
    assert len(server_pids) == 1, cmdlines
    assert len(server.token) >= 24
    for pid, cmdline in zip(processes, cmdlines):
        assert server.token not in cmdline, f"the token is on the command line of process {pid}: {cmdline}"
    # Nor in the environment of the command or the server, which every child would inherit.
    for pid in (server.proc.pid, *server_pids):
        environ = Path(f"/proc/{pid}/environ").read_bytes()
        assert server.token.encode() not in environ, f"the token is in the environment of process {pid}"

    # It is in the server's config file, which only this user can read, in a folder only this user can open.
    config_file = _server_config_file(cmdlines, lab)
    assert server.token in json.dumps(json.loads(config_file.read_text(encoding="utf-8")))
    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600
    for folder in (config_file.parent, config_file.parent.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
        assert folder.stat().st_uid == os.getuid()


def test_voila_keeps_the_token_private_and_refuses_foreign_hosts(voila_server):
    for host in FOREIGN_HOSTS:
        status, _ = _request(voila_server, f"/?token={voila_server.token}", host)
        assert status == 403, f"Host {host}: {status}"
    status, _ = _request(voila_server, "/", LOCAL_HOSTS[0])
    assert status in (302, 401, 403), f"the app answered without the token: {status}"
    status, _ = _request(voila_server, "/?token=not-the-token", LOCAL_HOSTS[0])
    assert status in (302, 401, 403), f"the app answered with a wrong token: {status}"

    # The app's page with the token: 200, and a kernel runs the conversation notebook.
    status, body = _request(voila_server, f"/?token={voila_server.token}", LOCAL_HOSTS[0])
    assert status == 200 and b"<html" in body.lower()
    status, _ = _request(voila_server, f"/?token={voila_server.token}", LOCAL_HOSTS[1])
    assert status == 200
    # The page's own API calls are refused under a foreign name too, token or not.
    status, _ = _request(voila_server, "/api/kernels", FOREIGN_HOSTS[1], token=voila_server.token)
    assert status == 403
    # Ending a page's kernel needs the token (or the app's cookies, _xsrf included); a made-up kernel is a 404.
    status, _ = _request(voila_server, "/voila/api/shutdown/some-kernel", LOCAL_HOSTS[0], method="POST")
    assert status in (401, 403), f"a kernel could be ended without the token: {status}"
    status, _ = _request(voila_server, "/voila/api/shutdown/some-kernel", LOCAL_HOSTS[0], method="POST",
                         token=voila_server.token)
    assert status == 404

    _check_token_is_on_no_command_line(voila_server, lab=False)


def test_the_voila_page_asks_nothing_outside_127_0_0_1(browser, voila_server):
    """Every request the app's page makes goes to the app's own server, and the console shows no error.

    Every request counts, those the Content-Security-Policy blocks too: they never finish, so a check of
    finished requests missed Voila's Font Awesome stylesheets from a public CDN (found by a tester in Chromium:
    two requests to cdn.jsdelivr.net, two console errors).
    """
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    asked: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(voila_server.url)
        page.wait_for_selector(".cc-app .cc-search input", timeout=120_000)
        page.wait_for_load_state("networkidle")  # the widgets' scripts and styles, loaded as the app shows
        local = (voila_server.base + "/", "blob:" + voila_server.base + "/")  # blob: URLs are made in the page
        assert len(asked) > 20, asked  # the page, Voila's scripts, the widgets' ...: the check saw them
        assert [url for url in asked if not url.startswith(local)] == []
        assert errors == []
    finally:
        page.close()


def test_jupyterlab_keeps_the_token_private_and_refuses_foreign_hosts(lab_server):
    for host in FOREIGN_HOSTS:
        status, _ = _request(lab_server, "/api/status", host, token=lab_server.token)
        assert status == 403, f"Host {host}: {status}"
        status, _ = _request(lab_server, f"/lab?token={lab_server.token}", host)
        assert status == 403, f"Host {host}: {status}"
    status, _ = _request(lab_server, "/api/status", LOCAL_HOSTS[0])
    assert status == 403, "the API answered without the token"
    for host in LOCAL_HOSTS:
        status, body = _request(lab_server, "/api/status", host, token=lab_server.token)
        assert status == 200 and "started" in json.loads(body), f"Host {host}: {status}"

    status, body = _request(lab_server, "/api/kernels", LOCAL_HOSTS[0], token=lab_server.token, method="POST")
    assert status == 201, status
    kernel_id = json.loads(body)["id"]
    try:
        _check_token_is_on_no_command_line(lab_server, lab=True)
    finally:
        _request(lab_server, f"/api/kernels/{kernel_id}", LOCAL_HOSTS[0], token=lab_server.token, method="DELETE")
