"""A store backed by the records service: the coach's app under JupyterHub uses this instead of a folder.

:class:`ServiceStore` has the methods of :class:`careerconv.records.store.Store`
that the app calls, with the same arguments, results and errors:
:class:`~careerconv.records.store.Conflict` (carrying the stored record) for a save
on a revision that moved on, :class:`~careerconv.records.store.NotOnRoster` for a
person who is not on the roster, :class:`~careerconv.records.store.NotFound`,
:class:`~careerconv.records.schema.ValidationError` listing every problem, and
:class:`PermissionError` (:class:`~careerconv.surfaces.service.policy.Refused`) for
what the caller may not do. It authenticates with a JupyterHub token (the
single-user server's ``JUPYTERHUB_API_TOKEN``); the service records the
hub login as ``saved_by``.
"""

from __future__ import annotations

import errno
import hashlib
import os
import threading
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

import pandas as pd
import requests

from careerconv.records import schema
from careerconv.records.config import SERVICE_URL_ENV  # in config: the app checks it without importing this module
from careerconv.records.questions import QuestionSet, available_question_sets, question_set_files
from careerconv.records.schema import CADENCE_MONTHS, EMPLOYEE_ID, RECORD_ID
from careerconv.records.store import Conflict, History, MovedAway, NotFound, NotOnRoster, atomic_write_bytes
from . import wire
from .policy import COACH, Refused

TOKEN_ENV = "JUPYTERHUB_API_TOKEN"
TIMEOUT = 30.0


# What a coach is told when the records service does not answer: the technical reason goes to ``details``
UNREACHABLE = "the careerconv server cannot be reached (it may be restarting)"


class ServiceUnavailable(OSError):
    """The records service could not be reached, could not write (its disk is full or read-only), or answered with
    an unexpected error; nothing is known saved. It carries an errno (EAGAIN unless the service's disk gave one),
    so the app keeps what is typed and tries the save again, as for its own disk (``store.disk_refused``).

    Its message is in a coach's words; ``details`` holds the technical reason (the address, the network error)
    for support, "" when the message says it all."""

    def __init__(self, message: str, errno_: int = errno.EAGAIN, details: str = ""):
        super().__init__(message)
        self.errno = errno_
        self.details = details


class ServiceStore:
    """The store interface of the coach's app, over the records service's HTTP API.

    Parameters
    ----------
    url
        The service's base URL, e.g. ``http://127.0.0.1:8000/services/careerconv-records/``.
    token
        A JupyterHub API token of the user.
    """

    def __init__(self, url: str, token: str, *, timeout: float = TIMEOUT):
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"{SERVICE_URL_ENV} must be an http(s) URL of the records service, not {url!r}")
        if not token:
            raise ValueError(f"a JupyterHub token is needed to use the records service at {url} "
                             f"(set {TOKEN_ENV})")
        self.url = url.rstrip("/") + "/"
        self.root = self.url  # shown where the app names its data folder
        self._token = token
        self._timeout = timeout
        self._local = threading.local()
        self._roster: tuple[str, pd.DataFrame] | None = None
        # coach id -> name of the coach signed in (whoami) and of the coaches who wrote the records read so far and
        # are on the roster (the service says with each history): the roster rows a coach sees are their own
        # people's, which name no coach, not even themselves
        self.coach_names: dict[str, str] = {}
        # coach id -> {"started_on", "left_on"} (ISO days or None) of the coach signed in (whoami), for the same
        # reason: the app judges from it whether they are here (an older service says nothing: empty)
        self.coach_days: dict[str, dict[str, str | None]] = {}
        self._question_sets_copy: Path | None = None  # <app's data folder>/question_sets, once copied
        self._login: str | None = None  # the hub login, once whoami told it

    @classmethod
    def from_environment(cls) -> "ServiceStore | None":
        """The service store that ``$CAREERCONV_SERVICE_URL`` and ``$JUPYTERHUB_API_TOKEN`` name, else None."""
        url = os.environ.get(SERVICE_URL_ENV, "").strip()
        if not url:
            return None
        return cls(url, os.environ.get(TOKEN_ENV, "").strip())

    # ------------------------------------------------------------------ HTTP
    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            session.headers["Authorization"] = f"token {self._token}"
        return session

    def request(self, method: str, path: str, *, json_body: Any = None, data: bytes | None = None,
                params: dict | None = None, attempted: dict | None = None) -> Any:
        """One API call; returns the decoded JSON answer or raises the store's error for a refusal."""
        try:
            response = self._session().request(method, self.url + path, json=json_body, data=data, params=params,
                                               timeout=self._timeout)
        except requests.RequestException as exc:
            raise ServiceUnavailable(UNREACHABLE, details=f"{method} {self.url}{path}: {exc}") from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code < 400 and body is not None:
            return body
        error = _error(response.status_code, body, attempted or {}, self.url)
        if type(error) is Refused and path.startswith("api/people/") and self._coaches_nobody():
            # a roster import gave the whole team away: the service refuses as for anyone who is no coach
            raise MovedAway(str(error), coach_of_nobody=True)
        raise error

    def _coaches_nobody(self) -> bool:
        """Whether this user is in the hub's coaches group but their login matches no coach on the roster now."""
        try:
            me = self.whoami()
        except OSError:  # unreachable, or refused too: say what the first refusal said
            return False
        return COACH in (me.get("roles") or []) and not me.get(schema.COACH_ID)

    def _person(self, employee_id: str) -> str:
        schema.parse_identifier(employee_id, what="employee id")
        return f"api/people/{quote(employee_id, safe='')}"

    # ------------------------------------------------------------------ the store interface
    def whoami(self) -> dict:
        """``{"user", "roles", "coach_id", "coach_name", "started_on", "left_on"}`` as the service sees this token;
        the coach's name is kept in :attr:`coach_names` and their days in :attr:`coach_days` (their roster rows are
        their people's, which never hold them)."""
        me = self.request("GET", "api/me")
        self._login = str(me.get("user") or "")
        coach, days = me.get(schema.COACH_ID), wire.coach_days_from_json(me)
        if coach and me.get(wire.COACH_NAME):
            self.coach_names[str(coach)] = str(me[wire.COACH_NAME])
        if coach and days is not None:
            self.coach_days[str(coach)] = days
        return me

    @property
    def actor(self) -> str:
        """Who saves through this store, as the records service records it in ``saved_by``: the hub login."""
        if self._login is None:
            self.whoami()
        return self._login or ""

    def roster(self) -> pd.DataFrame:
        """The roster rows this user may see (a coach: the people they coach now), typed."""
        text = self.request("GET", "api/roster")["csv"]
        if self._roster is None or self._roster[0] != text:
            self._roster = (text, wire.roster_from_csv(text))
        return self._roster[1].copy()

    def roster_version(self) -> str:
        """Which version of the roster this user sees: a digest of the rows the records service shows them now
        (one small request; a coach's rows are their people). It changes when a roster import gives them someone,
        takes someone away, or changes one of their people."""
        text = self.request("GET", "api/roster")["csv"]
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def employee(self, employee_id: str) -> dict:
        """One of this user's people as a dict; :class:`NotFound` for anyone else."""
        rows = self.roster()
        rows = rows[rows[EMPLOYEE_ID] == employee_id]
        if rows.empty:
            raise NotFound(f"employee {employee_id!r} is not on the roster, or not one of your people")
        row = rows.iloc[0].to_dict()
        return {k: (None if pd.isna(v) else (int(v) if k == CADENCE_MONTHS else v)) for k, v in row.items()}

    def history(self, employee_id: str) -> History:
        """Everything held about one of this user's people; the names of the coaches who wrote it are kept in
        :attr:`coach_names`."""
        body = self.request("GET", f"{self._person(employee_id)}/history")
        self.coach_names.update(wire.coach_names_from_json(body))
        return wire.history_from_json(body)

    def conversations(self, employee_id: str) -> list[dict]:
        return self.history(employee_id).conversations

    def checkins(self, employee_id: str, drafts: bool = False) -> list[dict]:
        history = self.history(employee_id)
        return history.checkin_drafts if drafts else history.checkins

    def load_conversation(self, employee_id: str, conversation_id: str) -> dict:
        return self._load("conversation", employee_id, conversation_id)

    def load_checkin(self, employee_id: str, checkin_id: str) -> dict:
        return self._load("checkin", employee_id, checkin_id)

    def _load(self, kind: str, employee_id: str, record_id: str) -> dict:
        return self.request("GET", f"{self._person(employee_id)}/{kind}s/{quote(record_id, safe='')}")

    def save_conversation(self, record: dict) -> dict:
        """Create or compare-and-swap a conversation, as :meth:`careerconv.records.store.Store.save_conversation`."""
        return self._save("conversation", record)

    def save_checkin(self, record: dict) -> dict:
        """Create or compare-and-swap a check-in, as :meth:`careerconv.records.store.Store.save_checkin`."""
        return self._save("checkin", record)

    def _save(self, kind: str, record: dict) -> dict:
        if not isinstance(record, dict):
            raise schema.ValidationError([schema.Problem(kind, "a record must be an object",
                                                         value=type(record).__name__)])
        eid = record.get(EMPLOYEE_ID)
        if not isinstance(eid, str):
            raise schema.ValidationError([schema.Problem(kind, "employee_id is missing", column=EMPLOYEE_ID,
                                                         value=eid)])
        return self.request("PUT", f"{self._person(eid)}/{kind}s", json_body=record, attempted=record)

    def delete_draft(self, employee_id: str, conversation_id: str, revision: int | None = None,
                     kind: str = "conversation") -> None:
        """Discard a draft, only if it is still at ``revision`` when given (else :class:`Conflict`)."""
        params = {"revision": str(revision)} if revision is not None else None
        self.request("DELETE", f"{self._person(employee_id)}/{kind}s/{quote(conversation_id, safe='')}",
                     params=params)

    def save_summary(self, employee_id: str, conversation_id: str, html: str) -> PurePosixPath:
        """Store the employee's summary page next to the conversation; returns where the service keeps it (a
        path inside its data folder, as the service says)."""
        answer = self.request("PUT", f"{self._person(employee_id)}/conversations/{quote(conversation_id, safe='')}"
                                     "/summary", data=html.encode("utf-8"))
        return PurePosixPath(answer["saved"])

    def question_set_files(self) -> dict[str, str]:
        """The organisation's own question set files (file name -> YAML text) from the service's data folder."""
        return dict(self.request("GET", "api/question-sets")["files"])

    def copy_question_sets(self, folder: str | os.PathLike) -> list[str]:
        """Make ``folder`` hold exactly the organisation's question set files, as the service has them.

        The app reads question sets from ``<data folder>/question_sets``; under the hub its data folder is
        the server's own (it holds no records), and this copy makes the app offer the same sets as on the
        service's data folder. Files the service no longer has are removed. Returns the file names.
        """
        files = self.question_set_files()
        folder = Path(folder)
        self._question_sets_copy = folder
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            if Path(name).name != name or not name.endswith((".yaml", ".yml")):
                raise ServiceUnavailable(f"the records service at {self.url} sent a question set named {name!r}")
            target = folder / name
            data = text.encode("utf-8")
            if not target.exists() or target.read_bytes() != data:
                atomic_write_bytes(target, data)
        for path in question_set_files(folder):
            if path.name not in files:
                path.unlink(missing_ok=True)
        return sorted(files)

    def question_sets(self) -> dict[str, QuestionSet]:
        """The question sets the app offers, by id: the built-in ones, then the organisation's, as copied by
        :meth:`copy_question_sets` (only the built-in ones before a copy was made).

        Raises
        ------
        careerconv.records.schema.ValidationError
            If a copied set file is malformed (naming it).
        """
        copy = self._question_sets_copy  # <data folder>/question_sets: the sets are read as a data folder's
        return available_question_sets(copy.parent if copy is not None else None)

    def skill_names(self) -> list[str]:
        """The skill names the organisation uses (by at least the minimum group size of people), sorted."""
        return list(self.request("GET", "api/skills")["skills"])

    def refresh(self, full: bool = False) -> None:
        """The service keeps its derived tables up to date itself."""


def _error(status: int, body: Any, attempted: dict, url: str) -> Exception:
    """The store's exception for a refused request."""
    body = body if isinstance(body, dict) else {}
    code, message = body.get("error"), body.get("message") or f"HTTP {status}"
    if code == wire.CONFLICT:
        return Conflict(body.get("kind") or "", body.get(RECORD_ID) or "", body.get("current"), attempted, message,
                        damaged=body.get("damaged") or "")
    if code == wire.STORAGE:  # with the errno of the service's disk
        return ServiceUnavailable(message, body.get("errno") or errno.EIO)
    if code == wire.NOT_ON_ROSTER:
        return NotOnRoster(message)
    if code == wire.NOT_FOUND:
        return NotFound(message)
    if code == wire.INVALID:
        problems = wire.problems_from_json(body.get("problems") or [])
        return schema.ValidationError(problems, message.split(":\n")[0]) if problems else ValueError(message)
    if code == wire.FORBIDDEN and "moved_to" in body:
        return MovedAway(message, str(body.get("moved_to") or ""), str(body.get("moved_on") or ""))
    if code in (wire.FORBIDDEN, wire.UNAUTHENTICATED):
        return Refused(message)
    if code == wire.LOCKED:
        return PermissionError(message)
    details = f"the records service at {url} answered HTTP {status}: {message}"
    if status in _PROXY_COULD_NOT_REACH:  # the hub's proxy answered for a service that is down or restarting
        return ServiceUnavailable(UNREACHABLE, details=details)
    return ServiceUnavailable(f"the careerconv server could not do this (error {status})", details=details)


_PROXY_COULD_NOT_REACH = (502, 503, 504)
