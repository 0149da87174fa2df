"""A coach a roster import made signs in to the running hub at once, without a restart of the hub.

The hub lets in the logins of its groups file as it read it when it started (``Authenticator.allowed_users``), and
the users of its database: with ``allowed_users`` set, JupyterHub 6's ``Authenticator.allow_existing_users`` is true
by default, so a user added through its REST API (``POST /hub/api/users/NAME``, which calls the authenticator's
``add_user``, adding the name to ``allowed_users``) may sign in from then on, and is let in again after a restart (the
hub calls ``add_user`` for every user of its database at start). A restart of the hub stops every coach's live
conversation (``cleanup_servers``), so a new manager waited for the next quiet moment.

So the records service, after an import that makes someone a coach, adds each of their logins (the id in lower case,
as ``careerconv hub`` makes logins, or those the organisation's coach logins map to it) to the hub with its own token
(a role of the hub's configuration gives it ``admin:users`` and ``groups!group=coaches``, the coaches group only):

1. the hub user (one that is already there is kept) and its membership of the ``coaches`` group, through the hub's
   REST API (:class:`HubApi`); a user this created is deleted again when the group cannot be joined;
2. the login in the ``coaches`` of the hub's groups file (whole, renamed over it, under the data folder's roster
   lock, as ``careerconv hub`` writes it), so that the file says who signs in as a coach;
3. with the trial's passwords (:mod:`careerconv.surfaces.service.trial_passwords`), a password for a login that has
   none: its hash into the password file, the password itself only in the import's answer to the operator, once
   (``careerconv hub`` started again keeps it, as it keeps every login's).

A step that fails stops that coach's steps there; the roster stays imported, and the answer says why the coach
cannot sign in yet (:class:`HubNotUpdated`) and that a restart of the hub lets them in.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from careerconv.records.store import Store, atomic_write_bytes
from .hub_state import HubState
from .trial_passwords import add_password

COACHES = "coaches"  # the hub group whose members get the coach's app
TIMEOUT = 30.0  # seconds to wait for one answer of the hub's API


class HubNotUpdated(Exception):
    """The hub could not be reached or refused a change; the message says which, and what it answered."""


@dataclass(frozen=True)
class HubApi:
    """The running hub's REST API (``url`` ends with ``/hub/api``) and the token the records service calls it with."""

    url: str
    token: str

    def call(self, method: str, path: str, body: dict | None = None, allowed: tuple[int, ...] = ()) -> int:
        """Send ``method path`` (below :attr:`url`) with ``body`` as JSON; return the answer's status.

        Raises
        ------
        HubNotUpdated
            The hub did not answer (or not as a hub does), or answered with an error status not in ``allowed``.
        """
        data = json.dumps(body).encode("utf-8") if body is not None else None
        request = urllib.request.Request(f"{self.url.rstrip('/')}/{path}", data=data, method=method,
                                         headers={"Authorization": f"token {self.token}",
                                                  "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
                return answer.status
        except urllib.error.HTTPError as exc:
            if exc.code in allowed:
                return exc.code
            said = exc.read(300).decode("utf-8", "replace")
            raise HubNotUpdated(f"the hub refused {method} {path} (HTTP {exc.code}: {said})") from None
        except (urllib.error.URLError, OSError) as exc:
            raise HubNotUpdated(f"the hub did not answer at {self.url} ({exc})") from None
        except http.client.HTTPException as exc:  # something else listens there, or the answer broke off
            raise HubNotUpdated(f"what answers at {self.url} does not answer as a hub does "
                                f"({type(exc).__name__}: {exc})") from None


def add_to_hub(api: HubApi, login: str) -> None:
    """Make ``login`` a hub user (kept when there is one) in the ``coaches`` group: it may sign in from now on.

    Raises
    ------
    HubNotUpdated
        As :meth:`HubApi.call`; a user created here is deleted again when the group could not be joined.
    """
    user = f"users/{urllib.parse.quote(login, safe='')}"
    created = api.call("POST", user, {}, allowed=(409,)) == 201  # 409: the hub has this user already
    try:
        api.call("POST", f"groups/{COACHES}/users", {"users": [login]})
    except HubNotUpdated:
        if created:
            try:
                api.call("DELETE", user, allowed=(404,))
            except HubNotUpdated:
                pass  # allowed to sign in without a group: no app, and no password made for them
        raise


def add_to_groups_file(store: Store, state: HubState, login: str) -> None:
    """Add ``login`` to the coaches of ``state``'s groups file (none: nothing to do), under ``store``'s roster lock.

    Raises
    ------
    OSError, ValueError
        The file cannot be read or written, or is not the hub's groups as careerconv writes them.
    """
    if state.groups is None:
        return
    with store.lock("roster"):
        groups = json.loads(state.groups.read_text(encoding="utf-8"))
        if not isinstance(groups, dict) or not isinstance(groups.get(COACHES, []), list):
            raise ValueError(f"{state.groups}: not the hub's groups as careerconv writes them")
        if login.casefold() in {str(member).casefold() for member in groups.get(COACHES, [])}:
            return
        groups[COACHES] = [*groups.get(COACHES, []), login]
        atomic_write_bytes(state.groups, json.dumps(groups, indent=1).encode("utf-8"))


def password_for(store: Store, state: HubState, login: str) -> str | None:
    """A new password for ``login`` when the hub signs in with the trial's passwords and the login has none, its
    hash written to the password file under ``store``'s roster lock; None when it has one, or the hub has no such
    file (another authenticator).

    Raises
    ------
    OSError, ValueError
        The password file cannot be read or written, or is not careerconv's.
    """
    if state.passwords is None:
        return None
    with store.lock("roster"):
        return add_password(state.passwords, login)


def let_in(api: HubApi, store: Store, state: HubState, login: str) -> str | None:
    """Let ``login`` sign in to the running hub as a coach (the steps of the module docstring); return the password
    made for them (None: the login keeps the one it has, or the hub's authenticator has none of careerconv's).

    Raises
    ------
    HubNotUpdated
        The hub could not be reached or refused (say why, and that a restart lets them in).
    OSError, ValueError
        The groups or password file could not be changed.
    """
    add_to_hub(api, login)
    add_to_groups_file(store, state, login)
    return password_for(store, state, login)


def can_sign_in_now(coach_id: str, login: str, password: str | None, state: HubState) -> str:
    """What a roster import's answer says of a coach it made whom :func:`let_in` let in (``password``: the one it
    made, None when none was made)."""
    said = f"{coach_id} can sign in to the hub now as {login}"
    if password is not None:
        return (f"{said}, with the password {password} (shown only this once, and never logged: give it to them; "
                "the hub keeps only its hash, and keeps it when it starts again)")
    if state.passwords is not None:
        return f"{said}, with the password that login has already"
    return f"{said}, signing in as the hub's authenticator has them sign in"


def cannot_sign_in_yet(coach_id: str, login: str, state: HubState, reason: str) -> str:
    """What a roster import's answer says of a coach it made whom :func:`let_in` could not let in, for ``reason``:
    the roster is imported, and a restart of the hub lets them in."""
    return (f"{coach_id} now coaches people but cannot sign in to the hub yet as {login}: {reason}. The roster is "
            f"imported; the hub lets in the coaches of its groups file ({state.groups}) as it read it when it started, "
            "and those added to it since. Restart the hub: `careerconv hub` makes a login of every coach on the "
            "roster and prints the new logins' passwords (every other login keeps its password); or add their login "
            "to the groups file and restart it")


def unexpected_error(exc: Exception) -> str:
    """Why a coach was not let in, when :func:`let_in` failed in a way none of its documented errors says (a fault
    of careerconv's): what failed, and where its details are."""
    return (f"an unexpected error stopped it ({type(exc).__name__}: {exc}; the records service's log has its "
            "details)")
