"""The hub's own state about a coach, and what an erasure does to it.

JupyterHub keeps its users apart from careerconv's data folder: its database (``jupyterhub.sqlite``: the user, their
server's spawner, its address ``/user/<login>/``, its OAuth client, their tokens, groups and roles), the file of hub
groups (``groups.json``), the trial's password hashes (``passwords.json``) and, with the ``simple`` spawner, each
user's home folder (``homes/<login>``, where their server keeps what it writes). A coach's login is their id (or a
login mapped to it in ``CAREERCONV_HUB_COACH_LOGINS``), so all of these named a coach after ``careerconv erase``, and
the coach could still sign in. Found by a helper of the hub's erasure.

The hub's configuration (:mod:`careerconv.surfaces.deploy`) writes :data:`STATE_FILE` into the hub's state folder at
every start, saying where each of these is, and the records service puts that folder on the data folder's list of
hub states (``hub-states.json``, :mod:`careerconv.records.kept_elsewhere`). An erasure, on the command line or
through the service (:func:`forget_in_hub_states`), then for each listed folder:

* deletes the hub's user of each login of the person: through the hub's REST API (``DELETE /hub/api/users/NAME``,
  which stops their server first) with the token of the ``careerconv-erasure`` service when the hub runs (its pid file
  names a live process, started before the file was written: :meth:`HubState.runs`); in the database itself when it
  is stopped, as that API deletes (their spawners, their servers' rows and OAuth clients; the user row, whose tokens,
  group and role memberships and OAuth codes go with it, as JupyterHub's schema says, with ``PRAGMA
  foreign_keys=ON`` as JupyterHub opens it), in one transaction, with ``secure_delete`` so the deleted rows' bytes are
  overwritten (never while the hub runs, which keeps the users in memory and writes them back);
* removes each login from the groups file and the password file, each written whole into a new file renamed over it,
  under the data folder's roster lock (the lock ``careerconv hub`` writes them under);
* removes their home folder, a ``simple`` spawner's (a ``local`` spawner's homes are Unix accounts'), when it is
  inside the state folder; one the configuration put elsewhere is named as left, to be removed by hand.

The state is described from the values the hub starts with, once the organisation's own configuration
(``CAREERCONV_HUB_EXTRA_CONFIG``) has run: a database, homes or pid file it moves is where an erasure looks (found by
a helper: it described the defaults, so an erasure looked in the wrong place and said it was complete). A database
that is not a SQLite file (``postgresql``) is reached only through the running hub's API: erasing while that hub is
stopped says so.

A person erased again finds nothing left and says so. The receipt names what it removed from each folder.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from careerconv.records.kept_elsewhere import HUB_STATES, NONE_KEPT, none_followed, recorded
from careerconv.records.store import Store, atomic_write_bytes
from .policy import hub_login

STATE_FILE = "careerconv-hub.json"  # in the hub's state folder: where the hub keeps what names its users
ERASURE_SERVICE = "careerconv-erasure"  # the hub service whose token may delete users (``admin:users``)
TOKEN_FILE = "careerconv-erasure.token"
_FIELDS = ("database", "groups", "passwords", "coach_logins", "homes", "token_file", "pid_file")  # paths
_KIND = "database_kind"
_CLOCK_SLACK = 1.0  # seconds: a process's start time is known to about a second (the boot time in whole seconds)


@dataclass(frozen=True)
class HubState:
    """Where one hub keeps what names its users (absolute paths, None: it has none) and its REST API's address."""

    folder: Path
    api_url: str
    database: Path | None = None
    groups: Path | None = None
    passwords: Path | None = None
    coach_logins: Path | None = None
    homes: Path | None = None
    token_file: Path | None = None
    pid_file: Path | None = None
    database_kind: str | None = None  # a database that is not a SQLite file (``postgresql``): its users' rows are
    # deleted only through the running hub's API

    def write(self) -> Path:
        """Write :data:`STATE_FILE` into :attr:`folder` (whole, renamed over the old one); return its path."""
        paths = {name: str(getattr(self, name)) if getattr(self, name) else None for name in _FIELDS}
        text = json.dumps({"version": 1, "careerconv": "hub state", "api_url": self.api_url, **paths,
                           "database_kind": self.database_kind}, indent=1)
        path = self.folder / STATE_FILE
        atomic_write_bytes(path, text.encode("utf-8"), mode=0o600)
        return path

    @classmethod
    def read(cls, folder: Path) -> "HubState":
        """The state :meth:`write` wrote into ``folder``.

        Raises
        ------
        NotAHubState
            ``folder`` holds no such file, or one careerconv did not write.
        """
        path = folder / STATE_FILE
        try:
            raw = json.loads(path.read_bytes())
        except FileNotFoundError:
            raise NotAHubState(f"not a careerconv hub's state folder (it holds no {STATE_FILE}, which the hub's "
                               "configuration writes into its state folder when it starts: if it is one, start that "
                               "hub once and erase again; if not, take it off the data folder's hub-states.json)"
                               ) from None
        except (OSError, ValueError) as exc:
            raise NotAHubState(f"not a careerconv hub's state folder (cannot read {STATE_FILE}: {exc}); if it is "
                               "gone for good, take it off the data folder's hub-states.json") from None
        described = isinstance(raw, dict) and raw.get("careerconv") == "hub state"
        if not described or not isinstance(raw.get("api_url"), str) \
                or not all(raw.get(name) is None or isinstance(raw.get(name), str) for name in (*_FIELDS, _KIND)):
            raise NotAHubState(f"not a careerconv hub's state folder ({STATE_FILE} is not as careerconv writes it)")
        return cls(folder, raw["api_url"], **{name: Path(raw[name]) if raw.get(name) else None for name in _FIELDS},
                   database_kind=raw.get(_KIND) or None)

    def coach_logins_of(self, employee_id: str) -> list[str]:
        """The logins :attr:`coach_logins` maps to ``employee_id`` (in any case); none when there is no such file.

        Raises
        ------
        ValueError
            The file cannot be read, or is not a JSON object of login -> id.
        """
        return logins_mapped_to(read_coach_logins(self.coach_logins), employee_id) if self.coach_logins else []

    def runs(self) -> bool:
        """Whether the hub runs: its pid file names a live process started no later than the file was written.

        A process started after that has only been given the number of a hub that has ended since (a stale pid file:
        the hub was killed, or the machine restarted), so the hub is stopped.
        """
        try:
            written = self.pid_file.stat().st_mtime if self.pid_file else 0.0
            pid = int(self.pid_file.read_text().strip()) if self.pid_file else 0
        except (OSError, ValueError):
            return False
        if pid <= 0:
            return False
        try:
            process = psutil.Process(pid)
            return process.status() != psutil.STATUS_ZOMBIE and process.create_time() <= written + _CLOCK_SLACK
        except psutil.Error:  # ended meanwhile
            return False


class NotAHubState(ValueError):
    """A folder on the list of hub states that careerconv's hub did not describe: it is left as it is."""


def read_coach_logins(path: str | os.PathLike) -> dict[str, str]:
    """The ``login -> roster coach id`` mapping of ``CAREERCONV_HUB_COACH_LOGINS`` in the file at ``path``.

    Raises
    ------
    ValueError
        Naming the file, when it cannot be read or is not a JSON object of text -> text.
    """
    try:
        mapping = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: cannot read the coach logins ({exc}); it should read "
                         '{"login": "roster coach id", ...}') from None
    if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        raise ValueError(f'{path}: not a mapping of coach logins; it should read {{"login": "roster coach id", ...}}')
    return mapping


def logins_mapped_to(mapping: dict[str, str], employee_id: str) -> list[str]:
    """The logins ``mapping`` maps to ``employee_id`` (ids compared as the roster does: ignoring case), sorted."""
    return sorted(login for login, coach in mapping.items() if coach.casefold() == employee_id.casefold())


def hub_states(store: Store) -> list[Path]:
    """The hub state folders on ``store``'s data folder's list (``hub-states.json``)."""
    return recorded(store, HUB_STATES)


def logins_of(store: Store, employee_id: str) -> list[str]:
    """Every hub login of ``employee_id``: the id in lower case (JupyterHub's form of it) and the logins mapped to it in
    the coach logins of each listed hub state (a state that cannot be read adds none)."""
    logins = {hub_login(employee_id)}
    for folder in hub_states(store):
        try:
            logins.update(HubState.read(folder).coach_logins_of(employee_id))
        except ValueError:
            continue
    return sorted(logins)


@dataclass
class StateForgotten:
    """What an erasure did in one hub's state folder: what it removed, and what it could not (``problem``)."""

    folder: Path
    removed: list[str] = field(default_factory=list)
    problem: str | None = None
    not_a_state: bool = False


@dataclass
class HubStateErasure:
    """What :func:`forget_in_hub_states` did to each hub's state; print it with ``str()`` (a part of the receipt)."""

    employee_id: str
    logins: list[str]
    states: list[StateForgotten] = field(default_factory=list)
    none: str = NONE_KEPT  # what is said when there is no hub state (kept_elsewhere.none_followed)

    @property
    def failed(self) -> list[StateForgotten]:
        return [state for state in self.states if state.problem]

    @property
    def complete(self) -> bool:
        """True when every hub's state was cleaned (none names them any more)."""
        return not self.failed

    def __str__(self) -> str:
        title = "Hub state (its users, groups, passwords and home folders)"
        if not self.states:
            return f"{title}: {self.none}"
        out = [f"{title}: the login(s) {', '.join(self.logins)} of {self.employee_id}:"]
        for state in self.states:
            did = "; ".join(state.removed) or "nothing named them"
            if state.not_a_state:
                did = f"LEFT AS IT IS: {state.problem}"
            elif state.problem:
                did = f"{did}; NOT CHANGED: {state.problem}"
            out.append(f"  {state.folder}  {did}")
        return "\n".join(out)


def forget_in_hub_states(store: Store, employee_id: str) -> HubStateErasure:
    """Remove ``employee_id``'s logins (:func:`logins_of`) from the state of each hub on the data folder's list (see
    the module docstring); a folder that is not a hub's state, or a part that cannot be changed, is listed in the
    result with why (:attr:`HubStateErasure.complete` is False).

    Raises
    ------
    ValueError
        The list of hub states is damaged.
    """
    result = HubStateErasure(employee_id, logins_of(store, employee_id), none=none_followed(store, HUB_STATES))
    for folder in hub_states(store):
        done = StateForgotten(folder)
        result.states.append(done)
        try:
            state = HubState.read(folder)
        except NotAHubState as exc:
            done.problem, done.not_a_state = str(exc), True
            continue
        problems = []
        for part in (_users, _groups, _passwords, _homes):
            try:
                done.removed += part(store, state, result.logins)
            except (OSError, ValueError, sqlite3.Error) as exc:
                problems.append(str(exc))
        done.problem = "; ".join(problems) or None
    return result


def _users(store: Store, state: HubState, logins: list[str]) -> list[str]:
    """Delete the hub's users of ``logins``: through its API when it runs, else in its database."""
    if state.runs():
        deleted = [login for login in logins if _delete_through_api(state, login)]
        return [f"hub user {login} deleted through the running hub's API (their server stopped, their tokens, "
                "groups and roles with them)" for login in deleted]
    if state.database_kind:
        raise ValueError(f"the hub is stopped, and keeps its users in a {state.database_kind} database, which "
                         "careerconv does not open: start the hub and erase again (its users are then deleted "
                         "through its API)")
    if state.database is None or not state.database.exists():
        return []
    deleted = _delete_in_database(state.database, logins)
    return [f"hub user {name} deleted from {state.database.name} (their server's record, OAuth client, tokens, "
            "groups and roles with them)" for name in deleted]


def _delete_through_api(state: HubState, login: str) -> bool:
    """Delete the hub user ``login`` through the running hub's REST API; False when there is none."""
    try:
        token = state.token_file.read_text(encoding="utf-8").strip() if state.token_file else ""
    except OSError as exc:
        raise OSError(f"the hub runs, and the token that may delete its users cannot be read ({exc})") from None
    if not token:
        raise ValueError("the hub runs, and has no token that may delete its users (a hub started before this "
                         "careerconv: restart it, or stop it and erase again)")
    url = f"{state.api_url.rstrip('/')}/users/{urllib.parse.quote(login, safe='')}"
    request = urllib.request.Request(url, method="DELETE", headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=120):
            return True
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return False
        raise OSError(f"the running hub refused to delete its user {login} (HTTP {exc.code}: "
                      f"{exc.read(500).decode('utf-8', 'replace')}); erase again") from None
    except (urllib.error.URLError, OSError) as exc:
        raise OSError(f"the running hub did not answer at {state.api_url} ({exc}); erase again once it "
                      "answers, or once it is stopped") from None


def _delete_in_database(database: Path, logins: list[str]) -> list[str]:
    """Delete the users of ``logins`` (in any case) from a stopped hub's database, as the hub's API deletes them;
    return their names."""
    wanted = {login.casefold() for login in logins}
    connection = sqlite3.connect(database, timeout=30)
    try:
        connection.execute("PRAGMA foreign_keys=ON")  # as JupyterHub opens it: its cascades then hold
        connection.execute("PRAGMA secure_delete=ON")  # the deleted rows' bytes are overwritten, not left free
        with connection:  # one transaction
            users = [(uid, name) for uid, name in connection.execute("SELECT id, name FROM users")
                     if name.casefold() in wanted]
            for uid, name in users:
                client = f"jupyterhub-user-{urllib.parse.quote(name, safe='')}"  # its server's, as JupyterHub names it
                connection.execute("DELETE FROM oauth_clients WHERE identifier = ? OR identifier IN "
                                   "(SELECT oauth_client_id FROM spawners WHERE user_id = ?)", (client, uid))
                connection.execute("DELETE FROM servers WHERE id IN (SELECT server_id FROM spawners WHERE user_id = ?)",
                                   (uid,))
                connection.execute("DELETE FROM spawners WHERE user_id = ?", (uid,))
                connection.execute("DELETE FROM users WHERE id = ?", (uid,))
    finally:
        connection.close()
    return sorted(name for _, name in users)


def _groups(store: Store, state: HubState, logins: list[str]) -> list[str]:
    """Take ``logins`` out of every group of the hub's groups file."""
    def without(groups: object) -> object:
        if not isinstance(groups, dict):
            raise ValueError(f"{state.groups}: not the hub's groups as careerconv writes them")
        return {name: [m for m in members if not _is(m, logins)] for name, members in groups.items()}
    return _rewrite_json(store, state.groups, without, "groups")


def _passwords(store: Store, state: HubState, logins: list[str]) -> list[str]:
    """Take ``logins``' password hashes out of the trial's password file."""
    def without(hashes: object) -> object:
        if not isinstance(hashes, dict):
            raise ValueError(f"{state.passwords}: not the hub's password file as careerconv writes it")
        return {login: stored for login, stored in hashes.items() if not _is(login, logins)}
    return _rewrite_json(store, state.passwords, without, "password hash(es)")


def _rewrite_json(store: Store, path: Path | None, change, what: str) -> list[str]:
    """Rewrite the JSON file at ``path`` through ``change`` (whole, renamed over it, its mode kept, under the data
    folder's roster lock) when that changes it; return what was done."""
    if path is None:
        return []
    with store.lock("roster"):
        try:
            old = json.loads(path.read_bytes())
        except FileNotFoundError:
            return []
        new = change(old)
        if new == old:
            return []
        atomic_write_bytes(path, json.dumps(new, indent=1).encode("utf-8"))
    return [f"their {what} removed from {path}"]


def _homes(store: Store, state: HubState, logins: list[str]) -> list[str]:
    """Remove the home folder of each of ``logins`` (in any case) inside the hub's state folder."""
    if state.homes is None or not state.homes.is_dir():
        return []
    theirs = [home for home in sorted(state.homes.iterdir()) if _is(home.name, logins) and not home.is_symlink()]
    if theirs and not state.homes.resolve().is_relative_to(state.folder.resolve()):
        # a folder of homes the configuration moved out of the state folder may hold Unix accounts' homes too
        raise ValueError(f"their home folder(s) {', '.join(map(str, theirs))} are outside the hub's state folder, "
                         "so careerconv leaves them: look at them and remove them by hand")
    for home in theirs:
        shutil.rmtree(home)
    return [f"their home folder {home} removed" for home in theirs]


def _is(login: object, logins: list[str]) -> bool:
    return isinstance(login, str) and login.casefold() in {x.casefold() for x in logins}


def coaches_without_login(state: HubState, coach_ids: list[str], coach_logins: dict[str, str]) -> list[str]:
    """Those of ``coach_ids`` whom ``state``'s groups file names among no coaches, by their id in lower case or by a
    login ``coach_logins`` maps to them: the hub lets in the logins of that file as it read it when it started, so
    they cannot sign in as coaches until the records service adds them to the running hub
    (:mod:`careerconv.surfaces.service.hub_users`) or the hub starts again with them in it. None without a groups
    file.

    Raises
    ------
    ValueError
        The groups file cannot be read, or is not the hub's groups as careerconv writes them.
    """
    if state.groups is None:
        return []
    try:
        groups = json.loads(state.groups.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{state.groups}: cannot read the hub's groups ({exc})") from None
    if not isinstance(groups, dict) or not isinstance(groups.get("coaches", []), list):
        raise ValueError(f"{state.groups}: not the hub's groups as careerconv writes them")
    signing_in = {str(login).casefold() for login in groups.get("coaches", [])}
    signing_in |= {coach.casefold() for login, coach in coach_logins.items() if login.casefold() in signing_in}
    return [coach for coach in coach_ids if coach.casefold() not in signing_in]


def sign_out_in_database(database: Path, logins: Collection[str]) -> dict[str, int]:
    """Revoke every token of the hub users of ``logins`` (in any case) in a stopped hub's database and sign them out
    of every browser: their API tokens and their servers' sessions (OAuth tokens) are deleted with the OAuth codes
    not yet used, and their login cookie's id is made anew (the cookie a browser holds names the old one). Return
    how many tokens each user (by name) had; a login the hub never saw is not there."""
    wanted = {login.casefold() for login in logins}
    connection = sqlite3.connect(database, timeout=30)
    try:
        connection.execute("PRAGMA foreign_keys=ON")  # as JupyterHub opens it
        connection.execute("PRAGMA secure_delete=ON")  # the deleted tokens' hashes are overwritten, not left free
        with connection:  # one transaction
            users = [(uid, name) for uid, name in connection.execute("SELECT id, name FROM users")
                     if name.casefold() in wanted]
            revoked = {}
            for uid, name in users:
                revoked[name] = connection.execute("DELETE FROM api_tokens WHERE user_id = ?", (uid,)).rowcount
                connection.execute("DELETE FROM oauth_codes WHERE user_id = ?", (uid,))
                connection.execute("UPDATE users SET cookie_id = ? WHERE id = ?", (uuid.uuid4().hex, uid))
    finally:
        connection.close()
    return dict(sorted(revoked.items()))
