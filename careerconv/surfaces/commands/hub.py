"""``careerconv hub``: a JupyterHub trial on 127.0.0.1 where each coach sees only their own people.

It runs the packaged ``careerconv/surfaces/deploy/jupyterhub_config.py`` (JupyterHub from the
``hub`` extra, ``configurable-http-proxy`` from npm), writes a demo
organisation into the data folder when it holds none, and puts every coach
on the roster in the hub group ``coaches`` under their roster id as login
(``e0020`` for E0020), plus ``hr`` (group ``hr``) and ``operator`` (group
``operators``). Every login signs in with a password of its own (the trial's authenticator,
:mod:`careerconv.surfaces.service.trial_passwords`: a shared password would let
a coach sign in as another coach, HR or the operator; an organisation sets its
own authenticator, see the README). A start makes up, and prints with the URL, a password only for a login that
has none yet (the first start, a new coach on the roster) or that ``--new-passwords`` names; every other login keeps
its password, and the start says since which day. The records service uses the data folder's settings
(``privacy.min_group_size``), or those of ``careerconv --config FILE hub``.
Ctrl-C, SIGTERM or SIGHUP (at any moment, also while the hub starts) stops the hub, the proxy, the records
service and every user's server; so does SIGTERM or SIGINT to the hub's own process, and the death of the
command, or of a program that started a :class:`Hub` from any of its threads
(:mod:`careerconv.surfaces.commands.hub_server`). The proxy, the service and the servers end with the hub's
process also when it is killed with SIGKILL (:mod:`careerconv.surfaces.commands.ends_with_parent`, on Linux).

What the hub and everything it starts print goes to ``jupyterhub.log`` in the state folder through
:mod:`careerconv.surfaces.commands.hub_log_writer`, which names everyone erased from the data folder by their
pseudonym (a coach's login is their id) and lists the log for ``careerconv erase`` to rewrite.

:class:`Hub` is the same start-up as a library call (the tests start their
hub with it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from careerconv.records import resources
from .hub_leftovers import hub_leftovers, leftovers_message
from .hub_server import STARTER_PIPE
from .ports import PortTaken, choose_port, listening_ports, taken_by_another
from .processes import family, interrupt_on, stop_family

if TYPE_CHECKING:
    from careerconv.records.store import Store

# The records layer (pandas) and the demo organisation are imported in the functions that use them, so that
# `careerconv hub --help` answers at once (see careerconv.cli) and a start imports the demo only on a first run.

SERVICE = "careerconv-records"
DEFAULT_PORT = 8000
READY_TIMEOUT = 120.0
STOP_TIMEOUT = 30.0
HR_LOGIN, OPERATOR_LOGIN = "hr", "operator"
PASSWORD_FILE = "passwords.json"  # in the state folder: each login's password hash and the day it was made


def register(subparsers, parent: argparse.ArgumentParser) -> None:
    """Add the ``hub`` command to the ``careerconv`` parser."""
    p = subparsers.add_parser(
        "hub", parents=[parent], help="try the multi-coach deployment: JupyterHub on 127.0.0.1 with a demo "
                                      "organisation",
        description="Start JupyterHub on 127.0.0.1 with the records service owning the data folder (a demo "
                    "organisation is written there first if it holds none). Every coach on the roster signs in "
                    "with their roster id (e.g. e0020) and sees only their own people; 'hr' sees the HR page; "
                    "'operator' may import rosters and erase through the service. Prints the URL and a new "
                    "password for each login that has none yet (the first start, a new coach on the roster); every "
                    "other login keeps its password across restarts (the start says since which day) until "
                    "--new-passwords makes new ones. Needs "
                    "`pip install 'careerconv[hub]'` and `npm install -g configurable-http-proxy`.",
        epilog="examples:\n  careerconv --data hub-data hub\n  careerconv hub --port 8100 --groups groups.json\n"
               "  careerconv hub --new-passwords            # a new password for every login\n"
               "  careerconv hub --new-passwords e0020 hr   # new passwords for these logins only",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, help=f"port of the hub on 127.0.0.1 (default: {DEFAULT_PORT} or the next "
                                            "free one)")
    p.add_argument("--state", metavar="DIR", help="the hub's own folder: database, cookie secret, password hashes, "
                                                  "access log (default: hub-state beside the data folder)")
    p.add_argument("--groups", metavar="FILE", help='JSON {"coaches": [...], "hr": [...], "operators": [...]} of '
                                                    "hub logins (default: every coach on the roster, hr, operator); "
                                                    "a coach a roster import let in while the hub ran stays one "
                                                    "while the roster has them as coach")
    p.add_argument("--new-passwords", nargs="*", metavar="LOGIN",
                   help="make up and print new passwords, for the LOGINs named or, with none named, for every login "
                        "(for a password that leaked: their old passwords stop working, the API tokens made before "
                        "are revoked, with their servers' sessions, and they are signed out of every browser)")
    p.set_defaults(func=run)


def default_groups(store: Store) -> dict[str, list[str]]:
    """Every coach on the roster by their id in lower case (JupyterHub's logins), one HR login, one operator."""
    from careerconv.records.schema import COACH_ID
    from careerconv.surfaces.service.policy import hub_login

    coaches = sorted({hub_login(c) for c in store.roster()[COACH_ID]})
    return {"coaches": coaches, "hr": [HR_LOGIN], "operators": [OPERATOR_LOGIN]}


def without_erased(groups: dict[str, list[str]], store: Store) -> dict[str, list[str]]:
    """``groups`` without the logins of people erased from ``store``'s data folder: an erased coach does not sign in
    again, also when a groups file of before the erasure names them (the erasure took them out of the hub's)."""
    erased = store.erased_ids()
    kept = {name: [login for login in members if erased.erased_on(login) is None] for name, members in groups.items()}
    left_out = sum(map(len, groups.values())) - sum(map(len, kept.values()))
    if left_out:
        print(f"careerconv hub: {left_out} login(s) of the groups are of people erased from {store.root}, and are left "
              "out", file=sys.stderr)
    return kept


def with_coaches_let_in(groups: dict[str, list[str]], state: Path, store: Store) -> dict[str, list[str]]:
    """``groups`` (given with ``--groups``) with the coaches whom the records service let in to the running hub after
    a roster import made them coaches (marked so in the state folder's password file:
    :func:`careerconv.surfaces.service.trial_passwords.let_in_logins`) and whom ``groups`` does not name, while the
    roster still has them as coach and does not say they have left: they stay coaches, with the password they have.
    The others of them are left out and lose their password (they sign in no more). Both are said on stderr.

    Raises
    ------
    ValueError
        The password file is not careerconv's.
    """
    from careerconv.records import leavers
    from careerconv.records.schema import COACH_ID, EMPLOYEE_ID
    from careerconv.surfaces.service.trial_passwords import let_in_logins  # needs JupyterHub

    named = {login.casefold() for members in groups.values() for login in members}
    erased = store.erased_ids()  # left out by without_erased, which says so
    missing = [login for login in let_in_logins(state / PASSWORD_FILE)
               if login.casefold() not in named and erased.erased_on(login) is None]
    if not missing:
        return groups
    roster = store.roster()
    coaching = {c.casefold() for c in roster[COACH_ID] if isinstance(c, str) and c}
    gone = {str(e).casefold() for e in roster.loc[leavers.left_mask(roster, dt.date.today()), EMPLOYEE_ID]}
    kept = [login for login in missing if login.casefold() in coaching and login.casefold() not in gone]
    dropped = [login for login in missing if login not in kept]
    if kept:
        print(f"careerconv hub: {', '.join(kept)} stay(s) a coach, with the password they have, though the groups "
              "file does not name them: a roster import made them coaches and the records service let them in to "
              "the running hub. Add them to the groups file to name every coach there; to take one out, mark them "
              "as left on the roster, or give their people another coach", file=sys.stderr)
    if dropped:
        print(f"careerconv hub: {', '.join(dropped)}, let in as coach(es) after a roster import, are left out: the "
              "groups file does not name them and the roster has them as coach of nobody, or says they have left; "
              "their password(s) are removed, so they sign in no more", file=sys.stderr)
    return {**groups, "coaches": [*groups.get("coaches", []), *kept]}


def check_groups(groups: object, source: str) -> dict[str, list[str]]:
    """A groups mapping, checked.

    Raises
    ------
    ValueError
        Naming the file and what is wrong (unknown group, a login that is not text).
    """
    if not isinstance(groups, dict):
        raise ValueError(f"{source}: expected an object like {{\"coaches\": [...], \"hr\": [...], "
                         f"\"operators\": [...]}}")
    unknown = sorted(set(groups) - {"coaches", "hr", "operators"})
    if unknown:
        raise ValueError(f"{source}: unknown group(s) {unknown}; the groups are coaches, hr and operators")
    for name, logins in groups.items():
        if not isinstance(logins, list) or not all(isinstance(x, str) and x.strip() for x in logins):
            raise ValueError(f"{source}: group {name!r} must be a list of logins (non-empty text)")
    return {name: list(logins) for name, logins in groups.items()}


def _passwords(data: Path, state: Path, groups: dict[str, list[str]], renew: bool | Collection[str]
               ) -> tuple[dict[str, str], dict[str, str]]:
    """The new passwords and the kept ones (login -> day made) of ``groups``' logins, the state folder's password
    file rewritten for them under the data folder's roster lock (an erasure takes logins out of it under that lock):
    see :func:`careerconv.surfaces.service.trial_passwords.renew_password_file`."""
    from careerconv.records.store import Store
    from careerconv.surfaces.service.trial_passwords import renew_password_file  # needs JupyterHub

    logins = {login for members in groups.values() for login in members}
    with Store(data).lock("roster"):
        return renew_password_file(state / PASSWORD_FILE, logins, renew)


def sign_out(state: Path, logins: Collection[str]) -> dict[str, int]:
    """Revoke every token of the hub users of ``logins`` (API tokens, their servers' sessions) and sign them out of
    every browser, in the hub's database, before the hub starts; return how many tokens each user had (a login the
    hub never saw is not there). See :func:`careerconv.surfaces.service.hub_state.sign_out_in_database`.

    Done in the database of the stopped hub rather than through its REST API once it runs: no old token works for a
    moment after the start, and no token that may manage other users' tokens is needed (the command holds none).
    A database that is not a SQLite file (an organisation's configuration may set one) is said, not changed."""
    from careerconv.surfaces.service.hub_state import HubState, NotAHubState, sign_out_in_database

    if not logins:
        return {}
    try:
        described = HubState.read(state)
        database, kind = described.database, described.database_kind
    except NotAHubState:  # a hub that never started here (or lost the file): its database where the hub puts it
        database, kind = state / "jupyterhub.sqlite", None
    if database is None:
        print(f"careerconv hub: the hub's database is {kind or 'not a SQLite file'}, so the tokens made before the "
              f"new password(s) of {', '.join(sorted(logins))} are not revoked: delete them through JupyterHub's "
              "REST API (DELETE /hub/api/users/LOGIN/tokens/ID)", file=sys.stderr)
        return {}
    return sign_out_in_database(database, logins) if database.exists() else {}


def hub_prerequisites_missing() -> str:
    """What is missing to run the hub, with how to install it; empty when JupyterHub (importable by this
    Python, which runs it as ``python -m jupyterhub``) and configurable-http-proxy (on PATH) are there."""
    if importlib.util.find_spec("jupyterhub") is None:
        return "jupyterhub is not installed; run `pip install 'careerconv[hub]'`"
    if shutil.which("configurable-http-proxy") is None:
        return "configurable-http-proxy is not installed; run `npm install -g configurable-http-proxy`"
    return ""


@dataclass
class Hub:
    """A running JupyterHub with the records service, started by :meth:`start`.

    Attributes
    ----------
    url
        The hub's address, e.g. ``http://127.0.0.1:8000/``.
    service_url
        The records service through the hub's proxy.
    passwords
        The passwords made up at this start (``trial-passwords`` authenticator): login -> password, for each login
        that had none or was to get a new one.
    kept
        The logins that kept their password from an earlier start: login -> the day it was made ("" when unknown).
    signed_out
        The hub users who got a new password at this start and were known to the hub before: user -> how many
        tokens made before were revoked (:func:`sign_out`); each is signed out of every browser too.
    admin_token
        A token of the ``careerconv-admin`` service (may create user tokens), if asked for.
    """

    data: Path
    state: Path
    port: int
    groups: dict[str, list[str]]
    authenticator: str = "trial-passwords"
    admin_token: str = ""
    passwords: dict[str, str] = field(default_factory=dict)
    kept: dict[str, str] = field(default_factory=dict)
    signed_out: dict[str, int] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    log_writer: subprocess.Popen | None = None  # writes what the hub prints into log_path (hub_log_writer)
    log_path: Path | None = None
    env: dict[str, str] = field(default_factory=dict)
    internal_ports: tuple[int, ...] = ()  # the hub's own, its proxy's API and the records service's
    starter_pipe: int | None = None  # the write end this process holds while the hub is to run (see launch)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def service_url(self) -> str:
        return f"{self.url}services/{SERVICE}/"

    @classmethod
    def start(cls, data: str | os.PathLike, state: str | os.PathLike, *, port: int | None = None,
              groups: dict[str, list[str]] | None = None, authenticator: str = "trial-passwords",
              admin_token: bool = False, settings_file: str | os.PathLike | None = None,
              new_passwords: bool | Collection[str] = False, timeout: float = READY_TIMEOUT) -> "Hub":
        """Start JupyterHub on ``data`` and wait until the hub and the records service answer.

        Each login keeps the password it has in the state folder's ``passwords.json``; one without, or one that
        ``new_passwords`` names (``True``: every login), gets a new one (:attr:`passwords`), and what the old one
        made is revoked before the hub starts (:attr:`signed_out`). Given ``groups`` keep the coaches the records
        service let in after a roster import, while the roster has them as coach (:func:`with_coaches_let_in`).

        ``settings_file``: the organisation's settings for the records service, when they are not the data
        folder's own ``careerconv.toml``.

        Raises
        ------
        FileNotFoundError
            When ``jupyterhub`` or ``configurable-http-proxy`` is not installed (saying how to install it).
        ValueError
            When ``new_passwords`` names a login the hub does not have, when the password file is not careerconv's,
            when processes of an earlier hub of ``data`` still run (naming each, and the ports it holds: the hub
            still runs, or was killed and left them), when ``port`` is taken (also when another server takes it
            as the hub starts), or no port from :data:`DEFAULT_PORT` on is free. Without ``port``, a port another
            server takes as the hub starts is given up for the next free one.
        RuntimeError
            When the hub does not come up within ``timeout`` seconds (with the end of its log).
        """
        from careerconv.records.store import Store

        missing = hub_prerequisites_missing()
        if missing:
            raise FileNotFoundError(missing)
        state = Path(state).resolve()
        state.mkdir(parents=True, exist_ok=True, mode=0o700)
        data = Path(data).resolve()
        leftovers = hub_leftovers(data, state)
        if leftovers:
            raise ValueError(leftovers_message(data, leftovers))
        store = Store(data)
        if groups is None:
            groups = default_groups(store)
        elif authenticator == "trial-passwords":
            groups = with_coaches_let_in(groups, state, store)
        groups = without_erased(groups, store)
        passwords, kept = _passwords(data, state, groups, new_passwords) if authenticator == "trial-passwords" \
            else ({}, {})
        signed_out = sign_out(state, passwords)
        chosen = choose_port(port, DEFAULT_PORT)
        while True:  # another hub (or any server) may take the chosen port first: then the next one is tried
            hub = cls(data, state, chosen, groups, authenticator, secrets.token_hex(24) if admin_token else "",
                      passwords, kept, signed_out)
            hub.launch(settings_file)
            try:
                hub.wait_ready(timeout)
                return hub
            except PortTaken as lost:
                hub.stop()
                if lost.port != chosen:  # one of its internal ports: new ones are drawn at the next launch
                    continue
                if port is not None:
                    raise ValueError(f"port {port} on 127.0.0.1 was taken by another server as the hub started; "
                                     "pick another with --port") from None
                chosen = choose_port(None, DEFAULT_PORT, after=chosen)
            except BaseException:
                hub.stop()
                raise

    def launch(self, settings_file: str | os.PathLike | None) -> None:
        """Start JupyterHub on :attr:`port` (see :meth:`start`), without waiting for it."""
        from careerconv.records.store import Store, atomic_write_bytes

        groups_file = self.state / "groups.json"
        with Store(self.data).lock("roster"):  # the lock an erasure takes these files' logins out under (hub_state)
            atomic_write_bytes(groups_file, json.dumps(self.groups, indent=1).encode("utf-8"))
        internal = self.internal_ports = tuple(_free_ports(3, exclude={self.port}))
        self.env = {**os.environ,
                    "CAREERCONV_DATA": str(self.data), "CAREERCONV_HUB_STATE": str(self.state),
                    "CAREERCONV_HUB_GROUPS": str(groups_file), "CAREERCONV_HUB_AUTHENTICATOR": self.authenticator,
                    "CAREERCONV_HUB_PORT": str(self.port), "CAREERCONV_HUB_HUB_PORT": str(internal[0]),
                    "CAREERCONV_HUB_API_PORT": str(internal[1]), "CAREERCONV_HUB_SERVICE_PORT": str(internal[2]),
                    "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
        if self.authenticator == "trial-passwords":  # written by start (_passwords): only their hashes reach the hub
            self.env["CAREERCONV_HUB_PASSWORD_FILE"] = str(self.state / PASSWORD_FILE)
        if settings_file is not None:
            self.env["CAREERCONV_HUB_SETTINGS"] = str(Path(settings_file).resolve())
        if self.admin_token:
            self.env["CAREERCONV_HUB_ADMIN_TOKEN"] = self.admin_token
        self.log_path = self.state / "jupyterhub.log"
        # The hub runs as long as this process holds the write end of this pipe: it stops, and stops what it
        # started, when this process dies however it dies, whichever thread started it (hub_server).
        read_end, self.starter_pipe = os.pipe()  # neither is inherited by what else this process starts
        # What the hub and everything it starts print goes through this pipe to the writer of its log, which names
        # every person erased from the data folder by their pseudonym (hub_log_writer); it ends when they all have.
        output, printed = os.pipe()
        try:
            # A session of its own: a Ctrl-C in the terminal reaches the command, which stops the hub in order.
            self.process = subprocess.Popen(
                [sys.executable, "-m", "careerconv.surfaces.commands.hub_server", "-f",
                 str(resources.jupyterhub_config_file()), "--no-ssl"],
                cwd=self.state, env={**self.env, STARTER_PIPE: str(read_end)}, pass_fds=(read_end,),
                stdin=subprocess.DEVNULL, stdout=printed, stderr=subprocess.STDOUT, start_new_session=True)
            self.log_writer = subprocess.Popen(
                [sys.executable, "-m", "careerconv.surfaces.commands.hub_log_writer", "--data", str(self.data),
                 str(self.log_path)], cwd=self.state, env=self.env, stdin=output, stdout=subprocess.DEVNULL,
                start_new_session=True)
        except BaseException:
            self._let_go()
            raise
        finally:
            for fd in (read_end, output, printed):
                os.close(fd)

    def wait_ready(self, timeout: float) -> None:
        """Wait until this hub's processes listen on :attr:`port` and its internal ports, the hub says it is healthy
        and the records service answers through the proxy.

        Raises
        ------
        PortTaken
            When another process holds one of those ports (another hub started at the same moment took it first).
        RuntimeError
            When the hub exits, or does not come up within ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ports = (self.port, *self.internal_ports)
            for port in ports:
                if taken_by_another(self.process.pid, port):
                    raise PortTaken(port)
            if self.process.poll() is not None:
                self._end_log_writer()  # its last lines are in the log, for the message
                raise RuntimeError(f"JupyterHub exited with code {self.process.returncode}:\n{self.log_tail()}")
            # what answers is this hub: its own processes hold the ports (checked first, so the answers are its own)
            if set(ports) <= listening_ports(self.process.pid) and _status(self.url + "hub/health") == 200 \
                    and _status(self.service_url + "api/me") == 401:
                return
            time.sleep(0.5)
        raise RuntimeError(f"JupyterHub did not start within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except (OSError, AttributeError):
            return "(no log)"

    def user_token(self, login: str) -> str:
        """A new API token of ``login`` (needs ``admin_token``)."""
        request = urllib.request.Request(f"{self.url}hub/api/users/{login}/tokens", method="POST",
                                         data=json.dumps({"note": "careerconv"}).encode(),
                                         headers={"Authorization": f"token {self.admin_token}"})
        with urllib.request.urlopen(request, timeout=60) as answer:
            return json.load(answer)["token"]

    def stop(self) -> None:
        """Stop the hub and everything it started (proxy, service, user servers); kill them if they hang."""
        if self.process is None or self.process.poll() is not None:
            self._let_go()
            self._end_log_writer()
            return
        started = family(self.process.pid)[1:]  # listed while the hub runs: each runs in a session of its own
        self.process.send_signal(signal.SIGTERM)  # the hub stops them in order
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._let_go()
        stop_family(started)  # what the hub did not stop
        self._end_log_writer()

    def _end_log_writer(self) -> None:
        """Wait for the writer of the hub's log to write the last lines and end (as the last of the hub's processes
        has); kill it if it hangs."""
        if self.log_writer is None:
            return
        try:
            self.log_writer.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.log_writer.kill()
            self.log_writer.wait()

    def _let_go(self) -> None:
        """Close this process's end of the pipe that keeps the hub running (:meth:`launch`)."""
        if self.starter_pipe is not None:
            os.close(self.starter_pipe)
            self.starter_pipe = None


def run(args: argparse.Namespace) -> int:
    """Run ``careerconv hub``; return the exit code."""
    data = Path(args.data_dir).expanduser().resolve()
    if not (data / "roster.csv").exists():
        _write_demo_organisation(data)
    groups = None
    if args.groups:
        source = Path(args.groups).expanduser()
        try:
            groups = check_groups(json.loads(source.read_text(encoding="utf-8")), str(source))
        except (OSError, ValueError) as exc:
            raise ValueError(f"--groups {source}: {exc}") from None
    state = Path(args.state).expanduser() if args.state else data.parent / "hub-state"
    # the file of `careerconv --config FILE hub`; else the service reads the data folder's own, as it is then
    explicit_settings = args.settings_file if getattr(args, "config", None) else None
    # From here on SIGINT (Ctrl-C, also when a script started the command in the background with SIGINT ignored),
    # SIGTERM and SIGHUP stop the hub and what it started: while it starts too, and while the passwords are printed.
    previous = interrupt_on((signal.SIGINT, signal.SIGTERM, signal.SIGHUP))
    try:
        print("starting JupyterHub …", file=sys.stderr)
        hub = Hub.start(data, state, port=args.port, groups=groups, settings_file=explicit_settings,
                        new_passwords=_asked_passwords(args.new_passwords))
        try:
            print(f"JupyterHub is running at {hub.url}")
            print("  each login signs in with its own password:")
            what = {"coaches": "coach: sees only their own people", "hr": "HR: the HR page, aggregates only",
                    "operators": f"operator: roster import, erasure, access log through {hub.service_url}api/"}
            for group, members in hub.groups.items():
                for login in members:
                    print(f"    {login:<12} {_password_line(hub, login)}  ({what[group]})")
            if hub.signed_out:
                print("  revoked with the old password(s), each signed out of every browser: "
                      + ", ".join(f"{login} {_tokens(n)}" for login, n in hub.signed_out.items()))
            if hub.kept:
                print(f"  {len(hub.kept)} login(s) keep the password given to them on the day shown; "
                      "`careerconv hub --new-passwords LOGIN ...` makes new ones")
            print(f"  access log: {state / 'access-log.jsonl'}; hub log: {hub.log_path}")
            print("Press Ctrl-C to stop.", file=sys.stderr)
            while hub.process.poll() is None:
                time.sleep(0.5)
            code = hub.process.returncode  # it ended without being asked (killed, crashed)
            how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
            print(f"careerconv hub: JupyterHub (pid {hub.process.pid}) ended by itself ({how}); what it started "
                  f"ends with it. Its log: {hub.log_path}", file=sys.stderr)
            return 1
        finally:
            hub.stop()
    except KeyboardInterrupt:
        pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0


def _write_demo_organisation(data: Path) -> None:
    """Write the demo organisation into ``data``, which holds no roster (a first run), and build its tables."""
    from careerconv.demo import organisation
    from careerconv.records.store import Store

    print(f"writing a demo organisation into {data} …", file=sys.stderr)
    organisation.write_demo_organisation(data, 60, 7, dt.date.today())
    Store(data).refresh()


def _asked_passwords(named: list[str] | None) -> bool | list[str]:
    """What ``--new-passwords`` asks for: nothing (not given), every login (given alone) or the logins named."""
    if named is None:
        return False
    return named or True


def _password_line(hub: Hub, login: str) -> str:
    """A login's new password, or that it keeps its password and since which day."""
    if login in hub.passwords:
        return hub.passwords[login]
    made = hub.kept.get(login, "")
    return f"unchanged since {made}" if made else "unchanged since an earlier start"


def _tokens(n: int) -> str:
    """How many tokens (API tokens, a server's sessions) were revoked, in words."""
    return f"{n} token{'s' if n != 1 else ''} (API tokens, their server's sessions)" if n else "no token"


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError):
        return 0


def _free_ports(n: int, exclude: set[int]) -> list[int]:
    import socket

    ports: list[int] = []
    while len(ports) < n:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port not in exclude and port not in ports:
            ports.append(port)
    return ports
