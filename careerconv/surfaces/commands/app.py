"""``careerconv app``: start the coach's app on the data folder (Voila, or JupyterLab with ``--lab``).

The server runs ``careerconv/surfaces/notebooks/conversation.ipynb`` and is bound to 127.0.0.1 and
protected by a fresh random token; the command prints the full URL (with the
token) and opens it in the browser unless ``--no-browser``. The data folder
reaches the notebook through the ``CAREERCONV_DATA`` environment variable: the
server's kernels inherit it, and the notebook's ``data_dir`` parameter defaults
to "" which means "use ``$CAREERCONV_DATA``" (see
:func:`careerconv.surfaces.app.resolve_data_dir`). Voila shows the app without code
(``--strip_sources=True``) and without tracebacks.

With ``--lab`` JupyterLab opens a private temporary copy of the notebook
(removed on exit): JupyterLab autosaves open notebooks, and the packaged
notebook must never collect outputs or widget state. Its settings overrides
(:data:`LAB_OVERRIDES`) also pin "save widget state" off and keep JupyterLab
from asking to fetch news from the internet.

Voila's page asks for nothing outside 127.0.0.1: its stock template would fetch
Font Awesome's stylesheets from a public CDN, telling a third party whenever a
conversation is opened, so the server renders the app with careerconv's own
template (``careerconv/surfaces/jupyter_data``, found through ``JUPYTER_PATH``:
:func:`server_environment`), which leaves them out, and a page cannot ask for
another template. The page is also served with a Content-Security-Policy
(:func:`voila_csp`) that keeps the browser on 127.0.0.1 should anything still
ask.

The token is never on a command line, which every local user can read from
the process list (``ps``, ``/proc/<pid>/cmdline``): it goes, with the other
settings that are not for everyone's eyes, into a config file (mode 0600, in a
private temporary folder of mode 0700, removed on exit) that the server reads
at start (:func:`write_server_config`). Only the names of this computer are
accepted in a request's Host header (127.0.0.1 and the other loopback
addresses, ``localhost``): a page of some web site that has its own name point
at 127.0.0.1 (DNS rebinding) gets 403 instead of the app. JupyterLab does that
check by default on 127.0.0.1; Voila switches it off, and the config file
switches it back on.

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
import subprocess
import sys
import tempfile
import time
import webbrowser
from pathlib import Path

from careerconv.records import config, resources
from careerconv.surfaces.signals import signals_held
from . import ports, streams
from .argtypes import whole_number
from .processes import stop_with_parent

NOTEBOOK = resources.APP_NOTEBOOK
DEFAULT_PORT = 8866
READY_TIMEOUT = 90.0
LAB_OVERRIDES = {
    "@jupyter-widgets/jupyterlab-manager:plugin": {"saveState": False},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}
STOP_TIMEOUT = 20.0
# Host names a request may carry besides loopback addresses (jupyter_server's check, see the module docstring).
LOCAL_HOSTNAMES = ("localhost",)
VOILA_CONFIG = "voila.json"
WS_PING_MS = 30_000  # websocket keep-alive ping interval and timeout (jupyter_server's and Tornado's default interval)
LAB_CONFIG = "jupyter_server_config.json"
KERNEL_MANAGER = "careerconv.surfaces.commands.server_kernels.QuietStartKernelManager"  # see that module


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
                   help=f"port to listen on (default: the first free port from {DEFAULT_PORT}; setting app.port)")
    p.add_argument("--browser", dest="open_browser", action=argparse.BooleanOptionalAction, default=None,
                   help="open the app in the browser (default: yes; setting app.open_browser); --no-browser "
                        "only prints the URL")
    p.add_argument("--lab", action="store_true",
                   help="open the notebook in JupyterLab instead of Voila (shows the code)")
    p.set_defaults(func=run)


def choose_port(requested: int | None, after: int | None = None) -> int:
    """The port to use: ``requested`` if free, else the first free one from :data:`DEFAULT_PORT` (after
    ``after``); see :func:`careerconv.surfaces.commands.ports.choose_port`.

    Raises
    ------
    ValueError
        If ``requested`` is out of range or taken, or no port is free.
    """
    return ports.choose_port(requested, DEFAULT_PORT, after)


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


def server_config(port: int, token: str, lab: bool) -> dict:
    """The server's settings that stay off its command line: the token and the Host check (and Voila's CSP).

    Parameters
    ----------
    port, token
        Where the server listens and the token that protects it.
    lab
        JupyterLab (``jupyter_server_config.json``) instead of Voila (``voila.json``).

    Returns
    -------
    dict
        The content of the config file.
    """
    if lab:
        return {"IdentityProvider": {"token": token},
                "ServerApp": {"allow_remote_access": False, "local_hostnames": list(LOCAL_HOSTNAMES),
                              # the websocket pings as for Voila below (else a warning once a page connects)
                              "tornado_settings": {"ws_ping_interval": WS_PING_MS, "ws_ping_timeout": WS_PING_MS}},
                "KernelManager": {"transport": "ipc"},  # as for Voila below
                "MappingKernelManager": {"kernel_manager_class": KERNEL_MANAGER}}
    # Voila sets allow_remote_access=True in its Tornado settings, which turns jupyter_server's Host check
    # off; its tornado_settings are applied after its own, so these turn it back on.
    # The websocket pings: jupyter_server's default timeout (3 x the interval) is longer than Tornado accepts,
    # which Tornado cuts to the interval with a warning in the terminal; asked for as Tornado applies it.
    return {"Voila": {"token": token, "tornado_settings": {
        "headers": {"Content-Security-Policy": voila_csp(port)},
        "allow_remote_access": False, "local_hostnames": list(LOCAL_HOSTNAMES),
        "ws_ping_interval": WS_PING_MS, "ws_ping_timeout": WS_PING_MS}},
        # The kernels (the one Voila heats ahead and every later one: the pool's managers are KernelManagers
        # made with the server as their parent, so they take this section) talk to the server over Unix
        # sockets in Voila's private connection folder (mkdtemp, mode 0700), which only this user can open,
        # instead of TCP ports on 127.0.0.1 that every local user can reach; so the kernel has no reason to
        # warn in the terminal that it runs over TCP without encryption.
        "KernelManager": {"transport": "ipc"},
        # A kernel still starting when the app is stopped is not sent SIGINT (a traceback in the terminal).
        "MappingKernelManager": {"kernel_manager_class": KERNEL_MANAGER}}


def write_server_config(folder: Path, port: int, token: str, lab: bool) -> Path:
    """Write :func:`server_config` into ``folder``, readable by this user only (mode 0600).

    ``folder`` must be private (``tempfile.mkdtemp`` makes it 0700); the file
    must not exist yet.

    Returns
    -------
    Path
        The config file (``jupyter_server_config.json`` or ``voila.json``).

    Raises
    ------
    FileExistsError
        If the file is already there (someone else's, or a second server in the same folder).
    """
    path = folder / (LAB_CONFIG if lab else VOILA_CONFIG)
    # Created with mode 0600 at once (the umask can only take bits away): no moment in which it is readable.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(server_config(port, token, lab), out, indent=1)
    return path


def server_command(notebook: Path, port: int, lab: bool, config_dir: Path,
                   lab_settings: Path | None = None) -> list[str]:
    """The server's command line (which holds no secret: see :func:`write_server_config`).

    Parameters
    ----------
    notebook
        The conversation notebook.
    port
        Where to listen.
    lab
        JupyterLab instead of Voila.
    config_dir
        The private folder holding the file written by :func:`write_server_config`.
    lab_settings
        A folder holding JupyterLab's ``overrides.json`` (``--lab`` only).

    Returns
    -------
    list of str
    """
    if lab:
        cmd = [sys.executable, "-m", "careerconv.surfaces.commands.lab_server", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}",
               "--ServerApp.port_retries=0", f"--ServerApp.config_file={config_dir / LAB_CONFIG}",
               "--ServerApp.open_browser=False",
               f"--ServerApp.root_dir={notebook.parent}", "--ServerApp.log_level=WARN", "--LabApp.log_level=WARN",
               "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        if lab_settings is not None:
            cmd.append(f"--LabApp.app_settings_dir={lab_settings}")
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        return cmd
    # auto_token: should the config file ever not be read, Voila takes a token of its own (random, or
    # $JUPYTER_TOKEN; the printed URL then does not open the app) rather than run with none.
    # The kernel is started and the notebook run as the server starts (preheated), not when the page is first
    # asked for: the app is ready sooner when the coach's browser asks. The next kernel (for a reload or a
    # second tab) is heated once the first page is built, or at once when another page asks (see
    # voila_server, which also keeps a page asked for very early from starting a kernel of its own).
    return [sys.executable, "-m", "careerconv.surfaces.commands.voila_server", str(notebook), "--no-browser",
            f"--port={port}", "--Voila.port_retries=0", "--Voila.ip=127.0.0.1", "--Voila.auto_token=True",
            f"--Voila.config_file_paths={config_dir}", "--strip_sources=True",
            *resources.voila_template_args(),
            "--show_tracebacks=False", "--Voila.log_level=WARN",
            "--preheat_kernel=True", "--pool_size=1"]


def server_environment(data: Path, lab: bool, environ: dict[str, str] | None = None) -> dict[str, str]:
    """The server's environment: ``environ`` (default: this process's) with the data folder, and for Voila
    careerconv's Jupyter data folder first on ``JUPYTER_PATH`` (where Voila finds the app's template)."""
    environ = dict(os.environ if environ is None else environ)
    environ[config.DATA_ENV] = str(data)
    if not lab:
        environ["JUPYTER_PATH"] = resources.jupyter_path_with_data(environ.get("JUPYTER_PATH"))
    return environ


def app_url(port: int, token: str, notebook: Path, lab: bool) -> str:
    """The URL to open: the app (or the notebook in JupyterLab) on 127.0.0.1 with the token."""
    base = f"http://127.0.0.1:{port}"
    if lab:
        return f"{base}/lab/tree/{notebook.name}?token={token}"
    return f"{base}/?token={token}"


def wait_until_listening(proc: subprocess.Popen, port: int, timeout: float = READY_TIMEOUT) -> bool:
    """Wait until the server (``proc`` or a process it started) listens on ``port``; False if it exited, timed
    out, or another process holds the port (a second app started at the same moment took it first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None or ports.taken_by_another(proc.pid, port):
            return False
        if ports.listens(proc.pid, port):
            return True
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
    workdir = Path(tempfile.mkdtemp(prefix="careerconv-app-"))  # mode 0700: this user's only
    settings = None
    # In a hidden folder: JupyterLab's file browser shows the working folder but never hidden files.
    server_dir = workdir / ".server"
    try:
        server_dir.mkdir(mode=0o700)
        if args.lab:
            notebook = Path(shutil.copy2(notebook, workdir / NOTEBOOK))
            settings = workdir / ".settings"
            settings.mkdir()
            (settings / "overrides.json").write_text(json.dumps(LAB_OVERRIDES, indent=1), encoding="utf-8")
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    env = server_environment(data, args.lab)
    what = "JupyterLab" if args.lab else "Voila"

    def launch(port: int) -> subprocess.Popen:
        (server_dir / (LAB_CONFIG if args.lab else VOILA_CONFIG)).unlink(missing_ok=True)  # a port lost before
        write_server_config(server_dir, port, token, args.lab)
        # A session of its own: Ctrl-C reaches only this command, which then stops the server in order.
        return subprocess.Popen(server_command(notebook, port, args.lab, server_dir, settings),
                                stdin=subprocess.DEVNULL, env=env, cwd=str(notebook.parent), start_new_session=True,
                                preexec_fn=stop_with_parent)

    streams.status(args, f"careerconv app: starting {what} on {data} ...")
    try:
        proc = launch(port)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    previous = {s: signal.signal(s, _raise_stop) for s in (signal.SIGTERM, signal.SIGHUP)}
    # Ctrl-C (SIGINT) stops it even when started from a script in the background, where the shell
    # hands it SIGINT ignored and Python would then never raise KeyboardInterrupt.
    previous[signal.SIGINT] = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        while not wait_until_listening(proc, port):
            code = stop_server(proc)
            if not ports.port_is_free(port):  # another server took the port between its choice and the bind
                if args.port is None:
                    port = choose_port(None, after=port)
                    proc = launch(port)
                    continue
                print(f"careerconv app: port {port} was taken by another server as {what} started; pick another "
                      "with --port", file=sys.stderr, flush=True)
                return 1
            print(f"careerconv app: {what} did not start (exit code {code}); see its messages above",
                  file=sys.stderr, flush=True)
            return 1
        url = app_url(port, token, notebook, args.lab)
        # The URL is the command's result (stdout, for a script to read); the rest is for the person. The
        # three lines go out whole: a Ctrl-C the moment the URL shows stops the app after them.
        with signals_held(signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            streams.status(args, "careerconv app: the app is running at")
            streams.result(f"{url}\n")
            streams.status(args, "Only this computer can reach it (127.0.0.1), and only with the token in the URL. "
                                 "Press Ctrl-C to stop.")
        if args.open_browser:
            webbrowser.open(url)
        while True:
            try:
                code = proc.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                continue
            print(f"careerconv app: {what} stopped (exit code {code})", file=sys.stderr, flush=True)
            return 1 if code else 0
    except (KeyboardInterrupt, _Stop):
        print("\ncareerconv app: stopping (saving open conversations) ...", file=sys.stderr, flush=True)
        stop_server(proc)
        print("careerconv app: stopped", file=sys.stderr, flush=True)
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if proc.poll() is None:
            stop_server(proc)
        shutil.rmtree(workdir, ignore_errors=True)
