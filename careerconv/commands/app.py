"""``careerconv app``: start the coach's app on the data folder (Voila, or JupyterLab with ``--lab``).

The server runs ``notebooks/conversation.ipynb`` and is bound to 127.0.0.1 and
protected by a fresh random token; the command prints the full URL (with the
token) and opens it in the browser unless ``--no-browser``. The data folder
reaches the notebook through the ``CAREERCONV_DATA`` environment variable: the
server's kernels inherit it, and the notebook's ``data_dir`` parameter defaults
to "" which means "use ``$CAREERCONV_DATA``" (see
:func:`careerconv.app.resolve_data_dir`). Voila shows the app without code
(``--strip_sources=True``) and without tracebacks.

With ``--lab`` JupyterLab opens a private temporary copy of the notebook
(removed on exit): JupyterLab autosaves open notebooks, and the packaged
notebook must never collect outputs or widget state. Its settings overrides
(:data:`LAB_OVERRIDES`) also pin "save widget state" off and keep JupyterLab
from asking to fetch news from the internet.

Voila's page is served with a Content-Security-Policy (:func:`voila_csp`) that
keeps the browser on 127.0.0.1: its stock template would otherwise fetch a
stylesheet from a public CDN, telling a third party whenever a conversation is
opened.

Ctrl-C (or SIGTERM) stops the server cleanly: it is sent SIGTERM, shuts its
kernels down (which saves any pending edit) and exits; it is killed only if it
has not stopped after :data:`STOP_TIMEOUT` seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import webbrowser
from pathlib import Path

from .. import config
from .argtypes import whole_number

NOTEBOOK = "conversation.ipynb"
DEFAULT_PORT = 8866
PORT_TRIES = 50
READY_TIMEOUT = 90.0
LAB_OVERRIDES = {
    "@jupyter-widgets/jupyterlab-manager:plugin": {"saveState": False},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}
STOP_TIMEOUT = 20.0


def register(subparsers, parent: argparse.ArgumentParser) -> None:
    """Add the ``app`` command to the ``careerconv`` parser."""
    p = subparsers.add_parser(
        "app", parents=[parent], help="start the coach's app (Voila, or JupyterLab with --lab)",
        description="Start the career conversation app on the data folder: a code-free Voila app (or the "
                    "notebook in JupyterLab with --lab), bound to 127.0.0.1 and protected by a random token. "
                    "Prints the URL to open. Stop it with Ctrl-C; pending edits are saved.",
        epilog="examples:\n  careerconv --data data app\n  careerconv app --port 9000 --no-browser\n"
               "  careerconv app --lab",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=whole_number(), default=None,
                   help=f"port to listen on (default: the first free port from {DEFAULT_PORT})")
    p.add_argument("--no-browser", action="store_true", help="only print the URL; do not open a browser")
    p.add_argument("--lab", action="store_true",
                   help="open the notebook in JupyterLab instead of Voila (shows the code)")
    p.set_defaults(func=run)


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """True if nothing listens on ``host:port`` (so a server can bind it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def choose_port(requested: int | None) -> int:
    """The port to use: ``requested`` if free, else the first free one from :data:`DEFAULT_PORT`.

    Raises
    ------
    ValueError
        If ``requested`` is out of range or taken, or no port is free.
    """
    if requested is not None:
        if not 1 <= requested <= 65535:
            raise ValueError(f"--port {requested} is not a port number (1–65535)")
        if not port_is_free(requested):
            raise ValueError(f"port {requested} on 127.0.0.1 is in use; pick another with --port")
        return requested
    for port in range(DEFAULT_PORT, DEFAULT_PORT + PORT_TRIES):
        if port_is_free(port):
            return port
    raise ValueError(f"no free port between {DEFAULT_PORT} and {DEFAULT_PORT + PORT_TRIES - 1}; use --port")


def voila_csp(port: int) -> str:
    """The Content-Security-Policy of the Voila app: nothing is loaded from outside 127.0.0.1."""
    return "; ".join([
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:",  # Voila's page bootstraps inline
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        f"connect-src 'self' ws://127.0.0.1:{port}",
        "worker-src 'self' blob:",
        "frame-ancestors 'self'",
        "base-uri 'self'",
        "form-action 'self'",
    ])


def server_command(notebook: Path, port: int, token: str, lab: bool,
                   lab_settings: Path | None = None, voila_config: Path | None = None) -> tuple[list[str], str]:
    """The server's command line and the URL (with token) to open.

    Parameters
    ----------
    notebook
        The conversation notebook.
    port, token
        Where to listen and the token that protects it.
    lab
        JupyterLab instead of Voila.
    lab_settings
        A folder holding JupyterLab's ``overrides.json`` (``--lab`` only).
    voila_config
        A folder holding a ``voila.json`` (Voila only).

    Returns
    -------
    (list of str, str)
    """
    base = f"http://127.0.0.1:{port}"
    if lab:
        cmd = [sys.executable, "-m", "jupyterlab", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", "--ServerApp.open_browser=False",
               f"--ServerApp.root_dir={notebook.parent}", "--ServerApp.log_level=WARN",
               "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        if lab_settings is not None:
            cmd.append(f"--LabApp.app_settings_dir={lab_settings}")
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        return cmd, f"{base}/lab/tree/{notebook.name}?token={token}"
    cmd = [sys.executable, "-m", "voila", str(notebook), "--no-browser", f"--port={port}",
           "--Voila.port_retries=0", "--Voila.ip=127.0.0.1", f"--token={token}", "--strip_sources=True",
           "--show_tracebacks=False", "--Voila.log_level=WARN"]
    if voila_config is not None:
        cmd.append(f"--Voila.config_file_paths={voila_config}")
    return cmd, f"{base}/?token={token}"


def wait_until_listening(proc: subprocess.Popen, port: int, timeout: float = READY_TIMEOUT) -> bool:
    """Wait until the server accepts connections; False if it exited or timed out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def stop_server(proc: subprocess.Popen, timeout: float = STOP_TIMEOUT) -> int:
    """Stop the server with SIGTERM (kernels shut down cleanly), killing it only if it hangs."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


class _Stop(Exception):
    """SIGTERM or SIGHUP to this command: stop the server like Ctrl-C does."""


def _raise_stop(signum, _frame):
    raise _Stop(signal.Signals(signum).name)


def run(args: argparse.Namespace) -> int:
    data = Path(args.data_dir)
    if not (data / "roster.csv").is_file():
        raise FileNotFoundError(f"{data} has no roster.csv; create a demo organisation with "
                                f"`careerconv --data {data} demo` or import a roster with "
                                f"`careerconv --data {data} import roster FILE`")
    notebook = config.NOTEBOOKS_DIR / NOTEBOOK
    if not notebook.is_file():
        raise FileNotFoundError(f"the app notebook {notebook} is missing; reinstall careerconv")
    port = choose_port(args.port)
    token = secrets.token_urlsafe(24)
    workdir = Path(tempfile.mkdtemp(prefix="careerconv-app-"))
    settings = voila_config = None
    if args.lab:
        notebook = Path(shutil.copy2(notebook, workdir / NOTEBOOK))
        settings = workdir / ".settings"
        settings.mkdir()
        (settings / "overrides.json").write_text(json.dumps(LAB_OVERRIDES, indent=1), encoding="utf-8")
    else:
        voila_config = workdir
        config_json = {"Voila": {"tornado_settings": {"headers": {"Content-Security-Policy": voila_csp(port)}}}}
        (workdir / "voila.json").write_text(json.dumps(config_json, indent=1), encoding="utf-8")
    cmd, url = server_command(notebook, port, token, args.lab, settings, voila_config)
    env = {**os.environ, config.DATA_ENV: str(data)}
    what = "JupyterLab" if args.lab else "Voila"
    print(f"careerconv app: starting {what} on {data} ...", flush=True)
    # A session of its own: Ctrl-C reaches only this command, which then stops the server in order.
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, env=env, cwd=str(notebook.parent),
                                start_new_session=True)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    previous = {s: signal.signal(s, _raise_stop) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        if not wait_until_listening(proc, port):
            code = stop_server(proc)
            print(f"careerconv app: {what} did not start (exit code {code}); see its messages above",
                  file=sys.stderr, flush=True)
            return 1
        print(f"careerconv app: the app is running at\n\n    {url}\n\n"
              "Only this computer can reach it (127.0.0.1), and only with the token in the URL. "
              "Press Ctrl-C to stop.", flush=True)
        if not args.no_browser:
            webbrowser.open(url)
        while True:
            try:
                code = proc.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                continue
            print(f"careerconv app: {what} stopped (exit code {code})", file=sys.stderr, flush=True)
            return 1 if code else 0
    except (KeyboardInterrupt, _Stop):
        print("\ncareerconv app: stopping (saving open conversations) ...", flush=True)
        stop_server(proc)
        print("careerconv app: stopped", flush=True)
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if proc.poll() is None:
            stop_server(proc)
        shutil.rmtree(workdir, ignore_errors=True)
