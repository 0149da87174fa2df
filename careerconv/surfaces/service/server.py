"""The records service: a JupyterHub-managed web service that owns the data folder.

Every request carries a hub token (``Authorization: token …``, or the hub
OAuth cookie a browser gets); the hub says who it is and which groups they
are in, and :mod:`careerconv.surfaces.service.policy` decides what they may do. Every
read and write of a person's records, allowed or refused, is appended to the
access log (:mod:`careerconv.surfaces.service.access_log`), and every write is saved
with the caller's hub login as ``saved_by``. All record I/O goes through
:class:`careerconv.records.store.Store`, so the compare-and-swap, the roster rule and
atomic writes are exactly those of a local data folder.

Routes, under the service prefix (``/services/careerconv-records/``)::

    GET    hr/                                     HR, operator, in a browser (hub login): the HR page
    GET    hr/<table>.csv                          HR, operator: one of its tables as CSV
    GET    api/me                                  who the hub says you are, your roles, and a coach's roster
                                                   id, name, started_on and left_on
    GET    api/roster                              coach: their people; operator: everyone (CSV)
    PUT    api/roster?format=csv|xlsx&sheet=&skip_invalid=0|1&allow_erased=0|1
                                                   operator: import a roster file (CSV or .xlsx body; sheet: the
                                                   workbook's sheet to read, else the one that looks like a roster;
                                                   skip_invalid=1: import the valid rows of a file with invalid
                                                   ones, which come back with their reasons as rejected_csv;
                                                   allow_erased=1: add erased people again, on purpose, else
                                                   their rows are refused); a coach it makes is let in to the
                                                   running hub, their new password (trial passwords) in the
                                                   answer's passwords, once (hub_users)
    GET    api/skills?min_group_size=              skill names used by at least k people
    GET    api/question-sets                       coach: the data folder's own question set files (YAML text)
    GET    api/aggregates?as_of=&min_group_size=&department=&period_start=&period_end=
                                                   HR, operator: the HR page's protected tables
    GET    api/people/<id>/history                 coach: everything held about one of their people, with the
                                                   names of the coaches on the roster who wrote it
    GET    api/people/<id>/<kind>s/<record id>     coach: one conversation or check-in
    PUT    api/people/<id>/<kind>s                 coach: create (no revision) or compare-and-swap a record
    DELETE api/people/<id>/<kind>s/<record id>?revision=N   coach: discard a draft
    PUT    api/people/<id>/conversations/<id>/summary        coach: the employee's summary page
    DELETE api/people/<id>?looked_at=PLACE&looked_at=PLACE ...
                                                   operator: erase a person everywhere (looked_at: each a possible
                                                   mention the last erasure listed, looked at and found not to be
                                                   them, as ``careerconv erase --looked-at``; none in another
                                                   person's record, which an operator does not read)
    GET    api/access-log?employee_id=&user=       operator: the access log (JSON lines)

k, the minimum group size, is the organisation's (setting ``privacy.min_group_size``), asked for on every
request from whoever starts the service (``python -m careerconv.surfaces.commands.records_service`` reads it as
``careerconv hr-report`` does). A request's ``min_group_size=`` may ask for a larger k, never a smaller one (400,
naming the minimum in force).

Refusals are JSON ``{"error": code, "message": …}`` (see
:mod:`careerconv.surfaces.service.wire`): 401 without a valid token, 403 for a
request the caller's role does not allow, 409 with ``current`` (the stored
record) for a save on a revision that is no longer the stored one.

Store calls run in a small thread pool, each thread with its own
:class:`~careerconv.records.store.Store`, so one slow disk write never holds up the
others' requests. The HR page's charts and readings (the HR notebook, rendered by the function the service is
given, as ``careerconv hr-report`` renders it) are made in a pool of their own, once per state of the data
(:mod:`careerconv.surfaces.service.hr_pages`).
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import dataclasses
import datetime as dt
import functools
import importlib
import json
import os
import signal
import tempfile
import threading
import time
from pathlib import Path
from collections.abc import Mapping, Sequence
from typing import Any, Callable

from html import escape

import pandas as pd
import tornado.web
from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
from tornado.httpserver import HTTPServer
from tornado.log import app_log, gen_log

from careerconv.views import stacked_tables
from careerconv.views.html_policy import PAGE_CSP
from careerconv.records import leavers, schema
from careerconv.records.dates import human_date
from careerconv.records.kept_elsewhere import not_followed, not_followed_notice, record_access_log, \
    record_hub_state, record_reports_folder
from careerconv.records.spreadsheet import frame_to_csv_bytes
from careerconv.records.import_asking import Asking
from careerconv.records.questions import QUESTION_SETS_FOLDER, question_set_files
from careerconv.records.schema import CHECKIN_ID, COACH_ID, CONVERSATION_ID, EMPLOYEE_ID, LEFT_ON, SKILL, STARTED_ON
from careerconv.records.store import Conflict, History, MovedAway, NotFound, NotOnRoster, Store, disk_refused
from . import wire
from .access_log import ALLOWED, REFUSED, AccessLog, access_logs_of, forget_in_access_logs
from .hub_log import forget_in_hub_logs
from .hub_state import HubState, NotAHubState, coaches_without_login, forget_in_hub_states, logins_mapped_to, \
    read_coach_logins
from .hub_users import HubApi, HubNotUpdated, can_sign_in_now, cannot_sign_in_yet, let_in, unexpected_error
from .request_log import RequestLog
from .hr_pages import ChartsFailed, RenderedPages, charts_failed, with_header
from .roster_gate import RosterGate
from .policy import COACH, HR, OPERATOR, Caller, Refused, check_read_person, check_role, check_write_record, \
    coach_id_for, hub_login, roles_from_groups

SERVICE_NAME = "careerconv-records"
WORKERS = 8  # store calls at once: most of a save is waiting for the disk (fsync), not the CPU
SKILLS_MAX_AGE = 60.0  # seconds a skill list is served before the derived tables are refreshed again
MAX_BODY = 64 * 1024 * 1024
LOOKED_AT = "looked_at"  # the erasure's parameter naming a possible mention looked at (careerconv erase --looked-at)
RENDERERS = 2  # HR pages rendered at once (a kernel each); more would only share the same CPU cores
# What only some requests need (the HR figures, a roster import, an erasure): imported by the handlers that use
# them, and by a thread started once the service listens (serve), not before it listens, which the hub waits for.
LATER_MODULES = ("careerconv.analytics", "careerconv.records.importers", "careerconv.records.erasure")


class RecordsService:
    """What the handlers share: the data folder, the access log, the hub auth and a thread pool.

    Parameters
    ----------
    data_dir
        The data folder this service owns.
    access_log
        The access log file (created when missing, and added to the data folder's list of access logs,
        :mod:`careerconv.records.kept_elsewhere`, so that ``careerconv erase`` rewrites it too).
    reports_dir
        The reports folder an erasure also cleans (created when missing, and added to the data folder's list of
        reports folders, so that ``careerconv erase`` cleans it too).
    hub_auth
        A :class:`jupyterhub.services.auth.HubAuth` (or anything with the
        same ``user_for_token`` / ``get_user`` / ``check_scopes``).
    coach_logins
        Optional ``hub login -> roster coach id`` mapping.
    minimum
        Returns the organisation's minimum group size (setting ``privacy.min_group_size``) and where it is set
        (``"the organisation's settings"``); called for every request that uses it, so a changed setting applies
        to the next one.
    render_hr_page
        ``render_hr_page(parameters, hr)`` returns the HR page with its charts and readings for the notebook
        parameters of ``careerconv hr-report`` and the protected tables ``hr`` already computed for them
        (:class:`careerconv.surfaces.report.hr_page.WarmHrPages`); None: the HR page shows the tables only.
    hub_state
        The hub's state folder (:mod:`careerconv.surfaces.service.hub_state`), when the service runs under a hub.
    hub_api
        The running hub's REST API with this service's own token, through which a roster import lets in the coaches
        it makes (:meth:`let_in_new_coaches`); None: the import's answer says the hub must restart for them.
    """

    def __init__(self, data_dir: str | os.PathLike, access_log: str | os.PathLike, reports_dir: str | os.PathLike,
                 hub_auth: Any, coach_logins: dict[str, str] | None = None, *,
                 minimum: Callable[[], tuple[int, str]],
                 render_hr_page: Callable[[dict, dict], str] | None = None, hub_state: str | os.PathLike | None = None,
                 hub_api: HubApi | None = None):
        self.data_dir = Path(data_dir).resolve()
        self.minimum = minimum
        self.render_hr_page = render_hr_page
        self.abandoned = False  # set by abandon_hr_pages
        self.hr_pages = RenderedPages()
        self.render_pool = concurrent.futures.ThreadPoolExecutor(RENDERERS, thread_name_prefix="careerconv-hr-page")
        self.reports_dir = Path(reports_dir).resolve()
        self.reports_dir.mkdir(parents=True, exist_ok=True)
        # naming erased people by their pseudonym, also a coach whose login is not their id
        self.log = AccessLog(access_log, store=Store(self.data_dir), coach_logins=coach_logins)
        self.log.create()
        # On the data folder's lists of its access logs and reports folders, so that `careerconv erase` on the
        # folder finds this service's too.
        record_access_log(Store(self.data_dir), self.log.path)
        record_reports_folder(Store(self.data_dir), self.reports_dir)
        if hub_state is not None:  # and the hub's own state (its users, groups, homes), which an erasure cleans
            record_hub_state(Store(self.data_dir), hub_state)
        self.hub_state = Path(hub_state).resolve() if hub_state is not None else None
        self.hub_auth = hub_auth
        self.hub_api = hub_api
        self.coach_logins = dict(coach_logins or {})
        self.pool = concurrent.futures.ThreadPoolExecutor(WORKERS, thread_name_prefix="careerconv-store")
        self._local = threading.local()
        self._skills: tuple[float, int, list[str]] | None = None
        self._callers: dict[tuple, Caller] = {}
        self.gate = RosterGate()  # a person's access check and its I/O see one roster; see roster_gate

    def on_one_roster(self, work: Callable, gate: str | None) -> Callable:
        """``work`` as a reader (``"read"``) or the writer (``"change"``) of :attr:`gate`, or as it is."""
        if gate is None:
            return work
        hold = {"read": self.gate.reading, "change": self.gate.changing}[gate]

        def held():
            with hold():
                return work()
        return held

    def store(self, actor: str | None = None) -> Store:
        """This thread's store; with ``actor``, it writes as them from now on (a thread serves one request at
        a time, and every request that writes names its caller first)."""
        store = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = Store(self.data_dir, actor="careerconv records service")
        if actor is not None:
            store.actor = actor
        return store

    async def run(self, fn: Callable, *args) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.pool, fn, *args)

    def abandon_hr_pages(self) -> None:
        """Cut short the HR page being rendered, when the renderer can (it has ``abandon()``, as
        :class:`careerconv.surfaces.report.hr_page.WarmHrPages`): for a service that stops with no request under way."""
        self.abandoned = True
        abandon = getattr(self.render_hr_page, "abandon", None)
        if abandon is not None:
            abandon()

    def shutdown(self) -> None:
        """Wait for the work under way (store calls, HR pages being rendered) and stop the pools."""
        self.pool.shutdown(wait=True)
        self.render_pool.shutdown(wait=True)

    def data_state(self) -> tuple:
        """What the HR figures are computed from: the roster's file version and the derived tables' facts
        (:meth:`careerconv.records.store.Store.facts_state`).

        The derived tables are brought up to date with the record files first, so a completed, discarded or erased
        record, or an imported roster, gives another state; a draft's save (a coach's app saves one on every change)
        does not, since no HR figure counts a draft (found: while any coach typed, every HR view rendered its page
        again, 7-20 s each). An HR page rendered for one state is shown again only for the same state.
        """
        store = self.store()
        store.refresh()
        try:
            st = store.roster_path.stat()
            roster = (st.st_mtime_ns, st.st_size, st.st_ino)
        except FileNotFoundError:
            roster = None
        return roster, store.facts_state()

    async def hr_page(self, request: "HrRequest") -> str:
        """The HR notebook's page (charts, readings, tables) for ``request``, rendered once per state of the data.

        Raises
        ------
        ChartsFailed
            If the page could not be rendered (it holds the protected tables, computed before the render).
        Exception
            As :func:`_hr_tables_for` does, for parameters the figures cannot be computed for.
        """
        key = (request, await self.run(self.data_state))

        def compute_and_render() -> str:
            hr = _hr_tables_for(self, request)
            try:
                return self.render_hr_page(request.notebook_parameters(self.data_dir), hr)
            except Exception as exc:
                if self.abandoned:  # cut short as the service stops: no failure to report
                    raise
                raise charts_failed(exc, hr) from exc

        async def render() -> str:
            return await asyncio.get_running_loop().run_in_executor(self.render_pool, compute_and_render)
        return await self.hr_pages.page(key, render)

    async def prepare_hr_page(self) -> None:
        """Render the page HR lands on (today, every department, the organisation's minimum group size), so that
        the first HR user after the service starts finds it ready (it took 11.6 s after signing in); a failure is
        logged, and the page is tried again when it is asked for (:class:`RenderedPages`)."""
        try:
            await self.hr_page(await self.run(self.hr_request))
        except Exception as exc:  # the organisation's settings or the notebook: HR's request says so
            if self.abandoned:
                app_log.info("the HR page was not prepared: the service stopped first")
            else:
                app_log.warning("the HR page could not be prepared at start: %s", type(exc).__name__)

    def caller(self, model: dict) -> Caller:
        """The :class:`Caller` for a hub user model (roles from its groups, coach id from the roster).

        Remembered per login, groups and version of the roster file, so a request costs one ``stat``.
        """
        roles = roles_from_groups(model.get("groups") or [])
        if COACH not in roles:
            return Caller(model["name"], roles, None)
        store = self.store()
        try:
            st = store.roster_path.stat()
            version = (st.st_mtime_ns, st.st_size, st.st_ino)
        except FileNotFoundError:
            version = None
        key = (model["name"], roles, version)
        cached = self._callers.get(key)
        if cached is None:
            coach_ids = set(store.roster()[COACH_ID]) if version is not None else set()
            cached = Caller(model["name"], roles, coach_id_for(model["name"], coach_ids, self.coach_logins))
            if len(self._callers) > 10_000:
                self._callers.clear()
            self._callers[key] = cached
        return cached

    def current_coach(self, employee_id: str, caller: Caller, writing: bool = False) -> str:
        """The person's coach on the roster now.

        Raises
        ------
        NotOnRoster
            (writing) or NotFound (reading), to a coach, when the person is not on the roster at all: the
            app then knows they were erased rather than moved away.
        Refused
            To anyone else.
        """
        schema.parse_identifier(employee_id, what="employee id")
        try:
            return self.store().employee(employee_id)[COACH_ID]
        except NotFound:
            if not caller.has(COACH):
                check_read_person(caller, employee_id, None)
            if writing:
                raise NotOnRoster(f"employee {employee_id!r} is not on the roster (never imported, or erased); "
                                  "nothing was saved") from None
            raise NotFound(f"employee {employee_id!r} is not on the roster (never imported, or erased)") from None

    def let_in_new_coaches(self, before: pd.DataFrame, after: pd.DataFrame) -> tuple[list[str], dict[str, str]]:
        """Let the coaches a roster import made (coach ids of ``after`` that ``before`` has not) sign in to the running
        hub when its groups file names them among no coaches (:func:`.hub_state.coaches_without_login`), each of their
        logins (:meth:`logins_of_coach`) through :func:`.hub_users.let_in`. Return what the import's answer says of
        them (that they can sign in now, with the password made; or why not, and that a restart of the hub lets them
        in) and the passwords made (login -> password). Called once the roster is imported, which stays imported:
        whatever fails here, even unexpectedly, is said of the coach it stopped, and the other coaches go on."""
        new = sorted({c for c in after[COACH_ID] if isinstance(c, str) and c} - set(before[COACH_ID]))
        if not new or self.hub_state is None:
            return [], {}
        try:
            state = HubState.read(self.hub_state)
            cannot = coaches_without_login(state, new, self.coach_logins)
        except (NotAHubState, ValueError) as exc:
            return [f"could not check whether the new coaches ({', '.join(new)}) can sign in to the hub: {exc}"], {}
        notes, passwords = [], {}
        for coach in cannot:
            for login in self.logins_of_coach(coach):
                try:
                    if self.hub_api is None:
                        raise HubNotUpdated("this records service was started without the hub's API")
                    password = let_in(self.hub_api, self.store(), state, login)
                except (HubNotUpdated, OSError, ValueError) as exc:
                    notes.append(cannot_sign_in_yet(coach, login, state, str(exc)))
                    continue
                except Exception as exc:  # the roster is imported: its answer says so and why, never a bare 500
                    app_log.error("letting %s in to the hub after a roster import failed", login, exc_info=True)
                    notes.append(cannot_sign_in_yet(coach, login, state, unexpected_error(exc)))
                    continue
                notes.append(can_sign_in_now(coach, login, password, state))
                if password is not None:
                    passwords[login] = password
        return notes, passwords

    def logins_of_coach(self, coach_id: str) -> list[str]:
        """The hub logins of ``coach_id``: those the organisation's coach logins map to it, else the id in lower case
        (as ``careerconv hub`` makes logins)."""
        return logins_mapped_to(self.coach_logins, coach_id) or [hub_login(coach_id)]

    def check_coach_here(self, caller: Caller, kind: str) -> None:
        """Raise :class:`Refused` when ``caller``, a coach, is not here today: one who has left, or who has not
        started yet, starts no new conversation or check-in with themselves as coach (a draft begun before is
        finished), as the app says of a coach on its roster (``RosterIndex.new_coach_refusal``). Under the hub the
        coach's app reads only their people's roster rows, not the coach's own, so the service holds the rule (found
        by a hostile test: a coach starting in February signed in to the hub and started a conversation)."""
        row = self.roster_row(caller.coach_id)
        if row is None:
            return  # no coach, or not on the roster: check_write_record has said what they may do
        today = dt.date.today()
        if leavers.person_is_here(row, today):
            return
        start = leavers.start_day(row.get(STARTED_ON))
        away = (f"start on {human_date(start)}" if start is not None and start > today
                else f"left on {human_date(leavers.left_day(row.get(LEFT_ON)))}")
        before = " before then" if start is not None and start > today else ""
        raise Refused(f"not saved: by the roster you {away}, so no new {schema.KIND_WORDS[kind]} is started with you "
                      f"as coach{before} (a draft begun earlier can still be finished); another coach meets your "
                      "people meanwhile")

    def roster_row(self, employee_id: str | None) -> dict | None:
        """The roster row of ``employee_id`` (None for none, or someone not on the roster)."""
        if not employee_id:
            return None
        try:
            return self.store().employee(employee_id)
        except (NotFound, ValueError):
            return None

    def roster_name(self, employee_id: str | None) -> str:
        """The name the roster gives ``employee_id`` ("" for none, or someone not on the roster)."""
        return str((self.roster_row(employee_id) or {}).get("name") or "")

    def check_not_moved_away(self, caller: Caller, employee_id: str, coach: str, stored: dict) -> None:
        """Raise :class:`MovedAway` when ``caller`` is changing a record they wrote as coach of a person who has
        another coach on the roster now (``coach``): the former coach learns who has the person now and since
        the roster of which day, so their app can say why nothing more is saved. Anyone else is answered as
        before (:func:`check_write_record`), and learns nothing of the person."""
        mine = caller.coach_id
        if not caller.has(COACH) or mine is None or stored.get(COACH_ID) != mine or coach == mine:
            return
        store = self.store()
        name = self.roster_name(coach)
        version = store.roster_version()
        day = (dt.datetime.fromtimestamp(version[0] / 1e9, dt.timezone.utc).date().isoformat()
               if version is not None else "")
        raise MovedAway(f"employee {employee_id!r} is now coached by " + (name or "another coach")
                        + (f" (roster of {day})" if day else "") + f"; {caller.login} may no longer change their "
                        "records", name, day)

    def hr_request(self, days: Mapping[str, str] | None = None, departments: Sequence[str] = (),
                   asked_k: str | None = None) -> HrRequest:
        """What an HR page or table at these arguments shows (each left out, or empty: the page HR lands on):
        the report date (``days["as_of"]``, default today), the period as given (``period_start``,
        ``period_end``), the ``departments``, and the organisation's minimum group size or the larger one asked for
        (:meth:`group_size`). Who may ask is checked by :func:`_hr_request`.

        Raises
        ------
        ValueError
            For a minimum group size or a report date that is not allowed (the period and departments are checked
            when the tables are computed).
        """
        days = {name: (days or {}).get(name, "") for name in HR_DAYS}
        k = self.group_size(asked_k)
        try:
            as_of = dt.date.fromisoformat(days["as_of"]) if days["as_of"] else dt.date.today()
        except ValueError:
            raise ValueError(f"as_of {days['as_of']!r} is not a date (YYYY-MM-DD)") from None
        return HrRequest(as_of, days["period_start"], days["period_end"], tuple(departments), k)

    def group_size(self, asked: str | None) -> int:
        """The minimum group size a request's figures use: the organisation's, or the larger one it asks for.

        Raises
        ------
        ValueError
            If ``asked`` is not a whole number or is below the organisation's minimum (the message names it), or
            the organisation's settings cannot be read.
        """
        minimum, where = self.minimum()
        if asked is None or not asked.strip():
            return minimum
        try:
            k = int(asked)
        except ValueError:
            raise ValueError(f"min_group_size {asked!r} is not a whole number; leave it out to use this "
                             f"organisation's minimum group size, {minimum}") from None
        if k < minimum:
            raise ValueError(f"min_group_size {k} is below this organisation's minimum group size, {minimum} "
                             f"(privacy.min_group_size, from {where}); ask for {minimum} or more, or leave "
                             "min_group_size out")
        return k

    def skill_names(self, k: int) -> list[str]:
        """Skill names at least ``k`` distinct people have (one spelling each, most used first wins)."""
        now = time.monotonic()
        if self._skills is None or self._skills[1] != k or now - self._skills[0] > SKILLS_MAX_AGE:
            store = self.store()
            frame = store.read_table("skills", columns=[EMPLOYEE_ID, SKILL]) if store.roster_path.exists() \
                else None
            names: list[str] = []
            if frame is not None and len(frame):
                frame = frame.dropna()
                frame = frame.assign(skill=frame[SKILL].astype(str).map(lambda s: " ".join(s.split())))
                frame = frame[frame[SKILL] != ""]
                frame = frame.assign(key=frame[SKILL].map(schema.skill_key))
                people = frame.groupby("key")[EMPLOYEE_ID].nunique()
                spelling = frame.groupby("key")[SKILL].agg(lambda s: s.value_counts().index[0])
                names = sorted((spelling[key] for key in people[people >= k].index), key=str.casefold)
            self._skills = (now, k, names)
        return list(self._skills[2])


class Refusal(Exception):
    """Ends a request with an error body (see :mod:`careerconv.surfaces.service.wire`)."""

    def __init__(self, code: str, message: str, **extra):
        super().__init__(message)
        self.code, self.message, self.extra = code, message, extra


class BaseHandler(HubOAuthenticated, tornado.web.RequestHandler):
    """Authenticates every request with the hub and turns store errors into JSON refusals."""

    service: RecordsService
    caller: Caller
    browser_page = False  # an unauthenticated request is sent to the hub's login page instead of a 401

    def initialize(self, service: RecordsService) -> None:
        self.service = service
        self.hub_auth = service.hub_auth  # HubOAuthenticated's login redirect uses it

    def hr_arguments(self) -> tuple[dict[str, str], list[str], str | None]:
        """An HR page's or table's arguments in its address: its days (:data:`HR_DAYS`), its departments and the
        minimum group size it asks for, as :meth:`RecordsService.hr_request` takes them."""
        return ({name: self.get_argument(name, "") for name in HR_DAYS}, self.get_arguments("department"),
                self.get_argument("min_group_size", None))

    async def require_token_for_changes(self, model: dict) -> None:
        # A browser's hub cookie may read (the HR page); a change needs the token header, which no other
        # web site can make a browser send: a token of the hub, of the same user (any header at all, beside the
        # cookie, was let through).
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            return
        scheme, _, token = self.request.headers.get("Authorization", "").partition(" ")
        owner = None
        if scheme.lower() in ("token", "bearer") and token.strip():
            try:
                owner = await self.service.hub_auth.user_for_token(token.strip(), sync=False)
            except Exception:  # the hub rejected or could not check it
                owner = None
        if not owner or owner.get("name") != model.get("name"):
            raise Refusal(wire.FORBIDDEN, "changes need an Authorization: token header holding a hub token of "
                                          "the one making them")

    async def prepare(self) -> None:
        try:
            model = await self.service.hub_auth.get_user(self, sync=False)
        except Exception:  # the hub rejected or could not check the token
            model = None
        if not model:
            if self.browser_page and getattr(self.service.hub_auth, "login_url", ""):
                self.redirect(self.get_login_url())  # a person at a browser logs in at the hub first
                return
            self.refuse(Refusal(wire.UNAUTHENTICATED, "a JupyterHub token is required (Authorization: token …)"))
            return
        scopes = self.service.hub_auth.access_scopes
        if scopes and not self.service.hub_auth.check_scopes(scopes, model):
            self.refuse(Refusal(wire.FORBIDDEN, f"{model['name']}'s token does not grant access to this service"))
            return
        self.caller = self.service.caller(model)  # remembered: a stat of the roster file
        try:
            await self.require_token_for_changes(model)
        except Refusal as refusal:
            self.refuse(refusal)

    def log_exception(self, typ, value, tb) -> None:
        # Tornado's would write the request's address (and for an error, the whole request), which names people, to
        # stderr, the hub's log: written as the request log writes it (see request_log).
        request = self.request
        where = f"{request.method} {self.settings['log_function'].address(request.path, request.query)} " \
                f"({request.remote_ip})"
        if isinstance(value, tornado.web.HTTPError):
            if value.get_message():
                gen_log.warning("%d %s: %s", value.status_code, where, value.get_message())
        else:
            app_log.error("Uncaught exception %s", where, exc_info=(typ, value, tb))

    def refuse(self, refusal: Refusal) -> None:
        self.set_status(wire.STATUS[refusal.code])
        self.write_json({"error": refusal.code, "message": refusal.message, **refusal.extra})
        self.finish()

    def write_json(self, body: Any) -> None:
        # How long the service itself took (the part a client's wait that is not the network or the client).
        self.set_header("Server-Timing", f"app;dur={self.request.request_time() * 1000:.1f}")
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.write(json.dumps(body, ensure_ascii=False, default=str))

    def body_json(self) -> Any:
        try:
            return json.loads(self.request.body or b"null")
        except ValueError as exc:
            raise Refusal(wire.INVALID, f"the request body is not JSON: {exc}") from None

    async def guarded(self, action: str, employee_id: str | None, record: str | None, work: Callable,
                      gate: str | None = None,
                      logged: Callable[[Any], tuple[list[str], str | None]] | None = None) -> None:
        """Run ``work`` (in the pool) and answer; a request about a person is logged before the answer goes.

        ``gate``: ``"read"`` for work that checks a person's coach and then reads or writes their records,
        ``"change"`` for work that changes the roster (see :mod:`careerconv.surfaces.service.roster_gate`).
        ``logged(result)``: the people and the record a success is logged with, when only the result knows them
        (the id a created record was given, the people a roster import changed); a refusal is logged with
        ``employee_id`` and ``record``, and is logged even without a person when there is ``logged``.
        """
        try:
            result, refusal = await self.service.run(self.service.on_one_roster(work, gate)), None
        except Exception as exc:
            result, refusal = None, _refusal_for(exc)
        if employee_id is not None or logged is not None:
            status = 200 if refusal is None else wire.STATUS[refusal.code]
            people = [employee_id]
            if refusal is None and logged is not None:
                people, record = logged(result)
            self.service.log.append_each(self.caller.login, action, people, ALLOWED if status < 400 else REFUSED,
                                         status, record)
        if refusal is None:
            self.write_json(result)
        else:
            self.refuse(refusal)

    def record_kind(self, plural: str) -> str:
        kind = plural[:-1]
        if kind not in wire.RECORD_KINDS:
            raise tornado.web.HTTPError(404)
        return kind


class MeHandler(BaseHandler):
    """Who the hub says the caller is, their roles, and for a coach their roster id, name, first day and leaving day
    (a coach reads only their people's roster rows, which never hold the coach: their app names them with this from
    its first screen, and marks them and offers nothing new when they have not started yet or have left)."""

    async def get(self) -> None:
        c = self.caller
        row = await self.service.run(self.service.roster_row, c.coach_id)
        self.write_json({"user": c.login, "roles": sorted(c.roles), COACH_ID: c.coach_id,
                         wire.COACH_NAME: (row or {}).get("name") or None, **wire.coach_days_to_json(row)})


# How the roster upload's messages tell the person who sent it what to do. The file: the request carries no file
# name, only its bytes (read from a temporary file whose path means nothing to them, and is gone when the answer
# goes). A workbook's sheet and skipping invalid rows: settings in the request's address, the rejected rows coming
# back in the answer (rejected_csv) rather than in a file on the server. A history file: the service has no
# history upload. People erased (DELETE api/people/<id>, or careerconv erase): a setting in the address too.
ROSTER_UPLOAD = Asking(
    file_name="the uploaded file",
    sheet="sheet=NAME in the request's address (PUT api/roster?sheet=NAME)",
    skip_invalid=("add skip_invalid=1 to the request's address (PUT api/roster?skip_invalid=1) to import the {valid} "
                  "valid row(s) and get the {rejected} rejected one(s) back, each with its reason, as CSV text in the "
                  "answer's rejected_csv"),
    other_import=("the records service imports rosters only; an operator imports legacy history with "
                  "`careerconv import {kind}` on the command line"),
    allow_erased=("send the file again with allow_erased=1 in the request's address "
                  "(PUT api/roster?allow_erased=1)"))


def _roster_suffix(body: bytes, asked_format: str | None) -> str:
    """The name ending of the file an uploaded roster is read from: its content decides (an Excel workbook is a zip
    file); ``format=csv|xlsx`` in the address, when given, must agree with it.

    Raises
    ------
    ValueError
        For another format, or one the content contradicts.
    """
    workbook = body.startswith(b"PK\x03\x04")
    if asked_format is not None:
        if asked_format not in ("csv", "xlsx"):
            raise ValueError(f"format must be csv or xlsx, not {asked_format!r} (or left out: the file's content "
                             "decides)")
        if (asked_format == "xlsx") != workbook:
            found = ("an Excel workbook" if workbook
                     else "not an Excel workbook (it does not start as a .xlsx file does)")
            raise ValueError(f"format={asked_format} was given, but the uploaded file is {found}; send it with "
                             f"format={'xlsx' if workbook else 'csv'}, or without format= (the file's content "
                             "decides)")
    return ".xlsx" if workbook else ".csv"


class RosterHandler(BaseHandler):
    async def get(self) -> None:
        caller = self.caller

        def work():
            roster = self.service.store(caller.login).roster()
            if caller.has(OPERATOR):
                return {"csv": wire.roster_to_csv(roster)}
            check_role(caller, COACH, "read the roster")
            return {"csv": wire.roster_to_csv(roster[roster[COACH_ID] == caller.coach_id])}
        await self.guarded("roster", None, None, work)

    async def put(self) -> None:
        caller = self.caller
        asked_format = self.get_argument("format", None)
        sheet = self.get_argument("sheet", None) or None
        skip_invalid = self.get_argument("skip_invalid", "0")
        allow_erased = self.get_argument("allow_erased", "0")
        body = self.request.body
        changed: list[str] = []  # the people whose roster row the import added or changed, logged each
        rosters: list[pd.DataFrame] = []  # the roster before and after the import's change

        @contextlib.contextmanager
        def changing():
            with self.service.gate.changing():  # no other change of the roster meanwhile: the difference is this one
                store = self.service.store()
                before = store.roster()
                yield
                after = store.roster()
                changed[:] = _changed_people(before, after)
                rosters[:] = [before, after]

        def work():
            check_role(caller, OPERATOR, "import a roster")
            if skip_invalid not in ("0", "1"):
                raise ValueError(f"skip_invalid must be 0 or 1, not {skip_invalid!r}")
            if allow_erased not in ("0", "1"):
                raise ValueError(f"allow_erased must be 0 or 1, not {allow_erased!r}")
            suffix = _roster_suffix(body, asked_format)
            from careerconv.records.importers import import_roster  # see LATER_MODULES

            with tempfile.TemporaryDirectory(prefix="careerconv-roster-") as tmp:
                path = Path(tmp) / f"roster{suffix}"
                path.write_bytes(body)
                rejected_path = Path(tmp) / "rejected.csv"
                result = import_roster(self.service.store(caller.login), path, sheet=sheet, asking=ROSTER_UPLOAD,
                                       skip_invalid=skip_invalid == "1", rejected_path=rejected_path,
                                       allow_erased=allow_erased == "1", changing=changing)
                rejected_csv = rejected_path.read_text(encoding="utf-8-sig") if result.rejected else None
            # the coaches it made let in to the running hub, once the roster is imported (no coach waits meanwhile)
            new_coaches, passwords = self.service.let_in_new_coaches(*rosters) if rosters else ([], {})
            return {"rows_read": result.rows_read, "added": result.added, "updated": result.updated,
                    "unchanged": result.unchanged, "rejected": len(result.rejected), "rejected_csv": rejected_csv,
                    "notes": [*result.notes, *new_coaches], "passwords": passwords}
        # The file is read and checked while coaches go on working; only the change of the roster holds them back.
        # Logged: one line for each person it added or changed; a refused one, one line naming no one.
        await self.guarded("import roster", None, "roster", work, logged=lambda _: (changed, "roster"))


class SkillsHandler(BaseHandler):
    async def get(self) -> None:
        caller = self.caller
        asked = self.get_argument("min_group_size", None)

        def work():
            if not caller.roles:
                check_role(caller, COACH, "read the skill names")
            return {"skills": self.service.skill_names(self.service.group_size(asked))}
        await self.guarded("skills", None, None, work)


class QuestionSetsHandler(BaseHandler):
    """The organisation's question sets, as files: the app reads them exactly as it reads a local data folder's."""

    async def get(self) -> None:
        caller = self.caller

        def work():
            check_role(caller, COACH, "read the question sets")
            folder = self.service.data_dir / QUESTION_SETS_FOLDER
            return {"files": {path.name: path.read_text(encoding="utf-8", errors="replace")
                              for path in question_set_files(folder)}}
        await self.guarded("question sets", None, None, work)


class AggregatesHandler(BaseHandler):
    async def get(self) -> None:
        caller = self.caller
        args, departments, asked = self.hr_arguments()

        def work():
            from careerconv import analytics  # see LATER_MODULES

            hr = _hr_tables(self.service, caller, args, departments, asked)
            out = {"about": wire.frame_to_json(analytics.present("about", hr["about"], formatted=False)),
                   "privacy": wire.frame_to_json(analytics.suppression_summary(hr)), "tables": {}}
            for name, title in analytics.TABLE_TITLES.items():
                out["tables"][name] = {"title": title,
                                       **wire.frame_to_json(analytics.present(name, hr[name], formatted=False))}
            out["min_group_size"] = hr["about"].attrs["k"]
            return out
        await self.guarded("aggregates", None, None, work)


class HrPageHandler(BaseHandler):
    """The HR page in a browser (hub login): the same protected tables as ``api/aggregates``, with the HR
    notebook's charts and readings (as ``careerconv hr-report`` makes them), each table also as CSV.

    Without a renderer (``render_hr_page``), or when the notebook fails, the page shows the tables only; in the
    second case it says that the charts could not be made, and why.
    """

    browser_page = True

    async def get(self) -> None:
        from careerconv import analytics  # see LATER_MODULES

        caller, service = self.caller, self.service
        args, departments, asked = self.hr_arguments()
        note = None
        try:
            request = await service.run(_hr_request, service, caller, args, departments, asked)
            if service.render_hr_page is not None:
                page = await service.hr_page(request)
                header = f"<header class=\"cc-hub\"><style>{HUB_HEADER_STYLE}</style>{self.rule_line(request.k)}" \
                         f"<details><summary>Each table as CSV</summary><p>{self.csv_links()}</p></details></header>"
                self.page_headers()
                self.write(with_header(page, header))
                return
            hr = await service.run(_hr_tables_for, service, request)
        except ChartsFailed as failed:
            hr = failed.hr
            note = (f"The charts and readings of this page could not be made ({failed.kind}); the same figures are "
                    f"shown below as tables. The records service's log has the details, under {failed.reference}.")
        except Exception as exc:
            refusal = _refusal_for(exc)
            self.set_status(wire.STATUS[refusal.code])
            self.write_page("HR analytics", f"<p class=\"refused\">{escape(refusal.message)}</p>")
            return
        parts = [f'<p class="note">{escape(note)}</p>'] if note else []
        parts += ["<h2>About this page</h2>",
                  f'<div class="scroll">{analytics.present_html("about", hr["about"], caption="About this page")}'
                  '</div>']
        for name, title in analytics.TABLE_TITLES.items():
            parts.append(f'<h2>{escape(title)} <a class="csv" href="{self.csv_link(name)}" download>CSV</a></h2>')
            if analytics.present(name, hr[name]).empty:
                parts.append('<p class="empty">No figures for this period: no group here holds the minimum group '
                             "size of people yet.</p>")
            else:
                table = analytics.present_html(name, hr[name], max_rows=200, caption=title)
                parts.append(f'<div class="scroll">{table}</div>')
            if name == "cadence_compliance" and analytics.who_is_due(hr):  # why it counts fewer than the first
                parts.append(f'<p class="reading">{escape(analytics.who_is_due(hr))}</p>')
        self.write_page("HR analytics", "\n".join(parts), hr["about"].attrs["k"])

    def csv_link(self, name: str) -> str:
        """The address of table ``name`` as CSV, for the figures this page shows (relative, escaped)."""
        return f'{name}.csv?{escape(self.request.query, quote=True)}' if self.request.query else f"{name}.csv"

    def csv_links(self) -> str:
        """A link to every table as CSV, named by its title."""
        from careerconv import analytics  # see LATER_MODULES

        titles = {"about": "About this page", **analytics.TABLE_TITLES}
        return ", ".join(f'<a href="{self.csv_link(name)}" download>{escape(title)}</a>'
                         for name, title in titles.items())

    def rule_line(self, k: int | None) -> str:
        """Who is signed in and what every figure describes (``k``; None on a refusal, which shows none)."""
        rule = f"at least {k} distinct employees (the minimum group size in force)" if k is not None \
            else "at least the minimum group size of distinct employees"
        return (f"<p>Signed in as {escape(self.caller.login)}. Every figure describes {rule}; no free text from a "
                "conversation is shown.</p>")

    def page_headers(self) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Security-Policy", PAGE_CSP)

    def write_page(self, title: str, body: str, k: int | None = None) -> None:
        """The tables page, saying the minimum group size its figures use (``k``; None on a refusal)."""
        self.page_headers()
        self.write(f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>
<style>{HR_PAGE_STYLE}</style></head><body><header><h1>{escape(title)}</h1>
{self.rule_line(k)}</header><main>{body}</main></body></html>""")


# The service's lines at the top of the rendered HR notebook (whose own styles are JupyterLab's).
HUB_HEADER_STYLE = """
header.cc-hub { font: 14px/1.45 system-ui, sans-serif; color: #1d2733; background: #eef2f6;
  border-bottom: 1px solid #d7dde4; padding: .5rem 1rem; margin: 0 0 .5rem 0; }
header.cc-hub p { margin: .2rem 0; } header.cc-hub details p { font-size: .9em; }
header.cc-hub a, header.cc-hub summary { color: #1F4E79; } header.cc-hub a { text-decoration: underline; }
header.cc-hub summary { cursor: pointer; font-weight: 600; }
"""

HR_PAGE_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 70rem; padding: 1rem; color: #1d2733; }
h1 { font-size: 1.5rem; margin: .2rem 0; } h2 { font-size: 1.1rem; margin-top: 1.6rem; }
.scroll { overflow-x: auto; max-width: 100%; } .empty { color: #55606d; font-style: italic; }
table { border-collapse: collapse; margin: .4rem 0; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid #d7dde4; text-align: left; vertical-align: top; }
th { background: #eef2f6; } a.csv { font-size: .8rem; font-weight: 400; margin-left: .4rem; }
.refused { color: #8a1c1c; font-weight: 600; }
.note { background: #fff4e0; border-left: 4px solid #c77700; padding: .5rem .8rem; }
@media (max-width: 600px) { body { padding: .5rem; font-size: 14px; } th, td { padding: .2rem .35rem; } }
""" + stacked_tables.CAPTION_CSS


class HrCsvHandler(BaseHandler):
    """One table of the HR page as a spreadsheet-safe CSV file (UTF-8 with BOM, formulas neutralised)."""

    browser_page = True

    async def get(self, name: str) -> None:
        caller = self.caller
        args, departments, asked = self.hr_arguments()

        def work():
            from careerconv import analytics  # see LATER_MODULES

            if name != "about" and name not in analytics.TABLE_TITLES:
                raise Refusal(wire.NOT_FOUND, f"no HR table {name!r}; the tables are: about, "
                              + ", ".join(analytics.TABLE_TITLES))
            hr = _hr_tables(self.service, caller, args, departments, asked)
            return frame_to_csv_bytes(analytics.present(name, hr[name], formatted=False))
        try:
            body = await self.service.run(work)
        except Exception as exc:
            self.refuse(_refusal_for(exc))
            return
        self.set_header("Content-Type", "text/csv; charset=utf-8")
        self.set_header("Content-Disposition", f'attachment; filename="hr-{name}.csv"')
        self.set_header("Cache-Control", "no-store")
        self.write(body)


class IndexHandler(BaseHandler):
    """The service's own address: HR and operators in a browser go to the HR page, API users get the routes."""

    browser_page = True

    async def get(self) -> None:
        if self.caller.has(HR) or self.caller.has(OPERATOR):
            self.redirect(self.request.path.rstrip("/") + "/hr/")
            return
        self.write_json({"service": SERVICE_NAME, "api": "api/me, api/roster, api/people/<id>/history, ...",
                         "you": {"user": self.caller.login, "roles": sorted(self.caller.roles)}})


class HistoryHandler(BaseHandler):
    async def get(self, employee_id: str) -> None:
        caller = self.caller

        def work():
            check_read_person(caller, employee_id, self.service.current_coach(employee_id, caller))
            store = self.service.store(caller.login)
            history = store.history(employee_id)
            return wire.history_to_json(history, writers_names(store.roster(), history))
        await self.guarded("read history", employee_id, None, work, gate="read")


class RecordHandler(BaseHandler):
    async def get(self, employee_id: str, plural: str, record_id: str) -> None:
        caller, kind = self.caller, self.record_kind(plural)

        def work():
            check_read_person(caller, employee_id, self.service.current_coach(employee_id, caller))
            store = self.service.store(caller.login)
            return store.load_checkin(employee_id, record_id) if kind == "checkin" \
                else store.load_conversation(employee_id, record_id)
        await self.guarded("read", employee_id, f"{kind}/{record_id}", work, gate="read")

    async def delete(self, employee_id: str, plural: str, record_id: str) -> None:
        caller, kind = self.caller, self.record_kind(plural)
        revision_text = self.get_argument("revision", "")

        def work():
            store = self.service.store(caller.login)
            stored = _stored(store, kind, employee_id, record_id)
            coach = self.service.current_coach(employee_id, caller, writing=True)
            self.service.check_not_moved_away(caller, employee_id, coach, stored)
            check_write_record(caller, employee_id, coach, None,
                               stored.get(COACH_ID))
            revision = int(revision_text) if revision_text else None
            store.delete_draft(employee_id, record_id, revision, kind=kind)
            return {"discarded": f"{kind}/{record_id}"}
        await self.guarded("discard", employee_id, f"{kind}/{record_id}", work, gate="read")


class SaveHandler(BaseHandler):
    async def put(self, employee_id: str, plural: str) -> None:
        caller, kind = self.caller, self.record_kind(plural)
        record = self.body_json()
        key = CHECKIN_ID if kind == "checkin" else CONVERSATION_ID
        action = "save" if isinstance(record, dict) and record.get("revision") is not None else "create"
        if action == "create" and isinstance(record, dict):
            record = schema.as_new_record(record, kind)  # the store gives its id, as in the coach's app
        rid = record.get(key) if isinstance(record, dict) else None

        def work():
            if not isinstance(record, dict):
                raise ValueError(f"the body must be one {kind} record (a JSON object)")
            if record.get(EMPLOYEE_ID) != employee_id:
                raise ValueError(f"the record's employee_id {record.get('employee_id')!r} is not {employee_id!r}, "
                                 "the person in the address")
            store = self.service.store(caller.login)
            stored = _stored(store, kind, employee_id, rid) if action == "save" and rid else {}
            coach = self.service.current_coach(employee_id, caller, writing=True)
            self.service.check_not_moved_away(caller, employee_id, coach, stored)
            check_write_record(caller, employee_id, coach,
                               record.get(COACH_ID) or "", stored.get(COACH_ID))
            if action == "create":
                self.service.check_coach_here(caller, kind)
            return store.save_checkin(record) if kind == "checkin" else store.save_conversation(record)
        # A record created without an id is logged with the one the store gave it.
        await self.guarded(action, employee_id, f"{kind}/{rid or 'new'}", work, gate="read",
                           logged=lambda stored: ([employee_id], f"{kind}/{stored[key]}"))


class SummaryHandler(BaseHandler):
    async def put(self, employee_id: str, conversation_id: str) -> None:
        caller = self.caller
        html = self.request.body.decode("utf-8", errors="replace")

        def work():
            if len(self.request.body) > MAX_SUMMARY_BYTES:
                raise ValueError(f"a summary page is at most {MAX_SUMMARY_BYTES // 2 ** 20} MiB; this one is "
                                 f"{len(self.request.body) / 2 ** 20:.1f} MiB")
            store = self.service.store(caller.login)
            stored = _stored(store, "conversation", employee_id, conversation_id)
            coach = self.service.current_coach(employee_id, caller, writing=True)
            self.service.check_not_moved_away(caller, employee_id, coach, stored)
            check_write_record(caller, employee_id, coach, None,
                               stored.get(COACH_ID))
            path = store.save_summary(employee_id, conversation_id, html)
            return {"saved": path.relative_to(store.root).as_posix()}  # where it is kept in the data folder
        await self.guarded("summary", employee_id, f"conversation/{conversation_id}", work, gate="read")


class EraseHandler(BaseHandler):
    async def delete(self, employee_id: str) -> None:
        caller = self.caller
        # possible mentions the operator looked at and found not to be them, as ``careerconv erase --looked-at``
        places = self.get_arguments(LOOKED_AT)

        def work():
            from careerconv.records.erasure import erase_employee, looked_at_marks  # see LATER_MODULES

            check_role(caller, OPERATOR, "erase a person")
            store = self.service.store(caller.login)
            # places in other people's records are refused: an operator's receipt does not name them
            looked_at = looked_at_marks(store, employee_id, places, caller.login, asked_as=LOOKED_AT,
                                        reports_dir=self.service.reports_dir) if places else []
            logs = access_logs_of(store)  # before the erasure, which reads every file of the data folder
            receipt = erase_employee(store, self.service.reports_dir, employee_id, looked_at)
            # The access logs keep what was done, naming them only as the erased list does: this service's own, and
            # any other on the data folder's list (another hub that served it).
            forgotten = forget_in_access_logs(store, receipt.employee_id, logs, own=self.service.log)
            hub_logs = forget_in_hub_logs(store, receipt.employee_id)  # the hub's own log, naming logins
            hub_state = forget_in_hub_states(store, receipt.employee_id)  # its users, groups, passwords, homes
            # An operator reads no one's records: the receipt counts, not names, other people's files.
            said_as = f"DELETE api/people/{receipt.employee_id}?{LOOKED_AT}=PLACE[&{LOOKED_AT}=PLACE ...]"
            shown = dataclasses.replace(receipt.without_others(), looked_at_said_as=said_as)
            # lists written for another data folder (a hub serving a copy: its hub log's list is the original's)
            foreign = not_followed(store)
            text = f"{shown}\n\n{forgotten}\nSo is the line of this erasure.\n\n{hub_logs}" \
                   f"\n\n{hub_state}" + (f"\n\n{not_followed_notice(store, foreign)}" if foreign else "")
            complete = receipt.complete and forgotten.complete and hub_logs.complete and hub_state.complete \
                and not foreign
            return {EMPLOYEE_ID: employee_id, "complete": complete,
                    "receipt": text, "logged_as": forgotten.pseudonym}
        await self.guarded("erase", employee_id, None, work, gate="change" if caller.has(OPERATOR) else None,
                           logged=lambda result: ([result["logged_as"]], None))


class AccessLogHandler(BaseHandler):
    async def get(self) -> None:
        caller = self.caller
        employee_id = self.get_argument("employee_id", None)
        user = self.get_argument("user", None)

        def work():
            check_role(caller, OPERATOR, "read the access log")
            return {"entries": list(self.service.log.entries(employee_id=employee_id, user=user))}
        await self.guarded("access log", None, None, work)


HR_DAYS = ("as_of", "period_start", "period_end")  # an HR request's days, as the page's address names them


@dataclasses.dataclass(frozen=True)
class HrRequest:
    """What HR asked the figures for: report date, period (as given; empty: the default), departments, and k."""

    as_of: dt.date
    period_start: str
    period_end: str
    departments: tuple[str, ...]
    k: int

    def notebook_parameters(self, data_dir: Path) -> dict:
        """The HR notebook's parameters for these figures, as ``careerconv hr-report`` gives them."""
        return {"data_dir": str(data_dir), "period_start": self.period_start, "period_end": self.period_end,
                "departments": list(self.departments), "min_group_size": self.k, "as_of": self.as_of.isoformat()}


def _hr_request(service: RecordsService, caller: Caller, args: dict[str, str], departments: list[str],
                asked_k: str | None) -> HrRequest:
    """HR's (or an operator's) request for the protected tables (:meth:`RecordsService.hr_request`).

    Raises
    ------
    Refused
        For anyone else.
    ValueError
        As :meth:`RecordsService.hr_request`.
    """
    if not caller.has(OPERATOR):
        check_role(caller, HR, "read the HR aggregates")
    return service.hr_request(args, departments, asked_k)


def _hr_tables_for(service: RecordsService, request: HrRequest) -> dict:
    """The HR page's protected tables for ``request``, computed from the data folder."""
    from careerconv import analytics  # see LATER_MODULES

    tables = analytics.load_hr_tables(service.data_dir, lazy=True)
    return analytics.hr_aggregates(tables, request.as_of, (request.period_start or None, request.period_end or None),
                                   list(request.departments), request.k)


def _hr_tables(service: RecordsService, caller: Caller, args: dict[str, str], departments: list[str],
               asked_k: str | None) -> dict:
    """The HR page's protected tables for HR (or an operator): :func:`_hr_request`, then :func:`_hr_tables_for`."""
    return _hr_tables_for(service, _hr_request(service, caller, args, departments, asked_k))


def writers_names(roster: pd.DataFrame, history: History) -> dict[str, str]:
    """``coach id -> name`` of the coaches who wrote ``history``'s records and are on ``roster`` (a coach who is
    not is left out: the app then says they are no longer on it)."""
    written_by = {r.get(COACH_ID) for r in (*history.conversations, *history.checkins, *history.checkin_drafts)}
    rows = roster[roster[EMPLOYEE_ID].isin(written_by - {None})]
    return dict(zip(rows[EMPLOYEE_ID], rows["name"]))


def _refusal_for(exc: Exception) -> Refusal:
    """The answer to a request that failed with ``exc`` (anything unexpected is raised again)."""
    if isinstance(exc, Refusal):
        return exc
    if isinstance(exc, MovedAway):
        return Refusal(wire.FORBIDDEN, str(exc), moved_to=exc.coach_name, moved_on=exc.moved_on)
    if isinstance(exc, Refused):
        return Refusal(wire.FORBIDDEN, str(exc))
    if isinstance(exc, Conflict):
        return Refusal(wire.CONFLICT, str(exc), current=exc.current, kind=exc.kind, record_id=exc.record_id,
                       damaged=exc.damaged)
    if disk_refused(exc):  # the service's disk is full or read-only: the coach's app keeps the record, tries again
        return Refusal(wire.STORAGE, f"the records service could not save: {exc}", errno=exc.errno)
    if isinstance(exc, NotOnRoster):
        return Refusal(wire.NOT_ON_ROSTER, str(exc))
    if isinstance(exc, NotFound):
        return Refusal(wire.NOT_FOUND, str(exc))
    if isinstance(exc, schema.ValidationError):
        return Refusal(wire.INVALID, str(exc), problems=wire.problems_to_json(exc.problems))
    if isinstance(exc, PermissionError):  # a completed conversation is locked
        return Refusal(wire.LOCKED, str(exc))
    if isinstance(exc, ValueError):
        return Refusal(wire.INVALID, str(exc))
    raise exc


def _changed_people(before: pd.DataFrame, after: pd.DataFrame) -> list[str]:
    """The ids of the people whose roster row ``after`` adds, or holds with another value than ``before``."""
    # an empty left_on reads as missing text, which differs from itself: as "" it is the same as before
    old = before.set_index(EMPLOYEE_ID).astype(str).fillna("")
    new = after.set_index(EMPLOYEE_ID).astype(str).fillna("")
    kept = new.index.intersection(old.index)
    differs = (new.loc[kept] != old.loc[kept, new.columns]).any(axis=1)
    return sorted(set(new.index.difference(old.index)) | set(differs.index[differs.to_numpy()]))


def _stored(store: Store, kind: str, employee_id: str, record_id: str) -> dict:
    """The stored record's fields that decide who may change it ({} when there is none)."""
    try:
        path = store.record_path(kind, employee_id, record_id)
        raw = json.loads(path.read_bytes())
    except (FileNotFoundError, ValueError, OSError):
        return {}
    return {COACH_ID: raw.get(COACH_ID)} if isinstance(raw, dict) else {}


_ID = r"[^/]+"
# The largest one-page summary of a conversation the service keeps (the app's are some 50 KiB).
MAX_SUMMARY_BYTES = 4 * 2 ** 20


def make_app(service: RecordsService, prefix: str = "/", cookie_secret: bytes | None = None) -> tornado.web.Application:
    """The tornado application serving :class:`RecordsService` under ``prefix``."""
    p = prefix.rstrip("/") + "/api/"
    routes = [
        (prefix.rstrip("/") + "/?", IndexHandler),
        (prefix.rstrip("/") + "/hr/?", HrPageHandler),
        (prefix.rstrip("/") + r"/hr/([a-z_]+)\.csv", HrCsvHandler),
        (p + "me", MeHandler),
        (p + "roster", RosterHandler),
        (p + "skills", SkillsHandler),
        (p + "question-sets", QuestionSetsHandler),
        (p + "aggregates", AggregatesHandler),
        (p + "access-log", AccessLogHandler),
        (p + rf"people/({_ID})/history", HistoryHandler),
        (p + rf"people/({_ID})/conversations/({_ID})/summary", SummaryHandler),
        (p + rf"people/({_ID})/(conversations|checkins)/({_ID})", RecordHandler),
        (p + rf"people/({_ID})/(conversations|checkins)", SaveHandler),
        (p + rf"people/({_ID})", EraseHandler),
    ]
    handlers: list = [(r, h, {"service": service}) for r, h in routes]
    handlers.append((prefix.rstrip("/") + "/oauth_callback", HubOAuthCallbackHandler))
    # Its request log writes no id of a person or a record: only the routes' own words (see request_log).
    return tornado.web.Application(handlers, cookie_secret=cookie_secret or os.urandom(32), xsrf_cookies=False,
                                   log_function=RequestLog(pattern for pattern, *_ in handlers))


def main(argv: list[str] | None, read_minimum: Callable[[Path, str | None], tuple[int, str]],
         render_hr_page: Callable[[dict, dict], str] | None = None,
         listening: Callable[[], None] = lambda: None) -> None:
    """Run the service as JupyterHub starts a managed service (its settings come from the environment).

    ``read_minimum(data folder, --config FILE or None)`` returns the organisation's minimum group size and where it
    is set (see :class:`RecordsService`); it is called once at start, so settings that cannot be read stop the
    service there, and then for every request that uses it. ``render_hr_page`` makes the HR page's charts and
    readings (see :class:`RecordsService`); ``listening()`` is called once the port listens (see :func:`serve`).

    The hub sets ``JUPYTERHUB_API_TOKEN``, ``JUPYTERHUB_API_URL``,
    ``JUPYTERHUB_SERVICE_URL`` and ``JUPYTERHUB_SERVICE_PREFIX``.
    """
    from urllib.parse import urlparse

    from jupyterhub.services.auth import HubOAuth

    parser = argparse.ArgumentParser(prog="python -m careerconv.surfaces.commands.records_service",
                                     description="The careerconv records service (started by JupyterHub).")
    parser.add_argument("--data", required=True, help="the data folder this service owns")
    parser.add_argument("--access-log", required=True, help="the access log file (JSON lines, append-only)")
    parser.add_argument("--reports", help="the reports folder an erasure also cleans (default: beside --data)")
    parser.add_argument("--coach-logins", help="JSON file mapping hub logins to roster coach ids")
    parser.add_argument("--hub-state", metavar="DIR", help="the hub's state folder (its database, groups, homes), "
                                                          "put on the data folder's list for an erasure to clean")
    parser.add_argument("--config", metavar="FILE", help="the organisation's settings file (default: "
                                                         "careerconv.toml in the data folder, when there is one)")
    args = parser.parse_args(argv)
    mapping = read_coach_logins(args.coach_logins) if args.coach_logins else {}
    data = Path(args.data).resolve()
    reports = Path(args.reports) if args.reports else data.parent / "reports"
    # A token the hub revoked, or a group membership it changed, counts within 10 s (with 60 s a revoked,
    # perhaps leaked, token read records for a minute more).
    auth = HubOAuth.instance(cache_max_age=10)
    minimum = functools.partial(read_minimum, data, args.config)
    minimum()  # settings that cannot be read stop the service here, saying why
    # this service's own token: the hub's configuration lets it add a coach's user to the hub (admin:users) and to
    # the coaches group only (groups!group=coaches)
    service = RecordsService(data, args.access_log, reports, auth, mapping, minimum=minimum,
                             render_hr_page=render_hr_page, hub_state=args.hub_state,
                             hub_api=HubApi(auth.api_url, auth.api_token))
    url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    app = make_app(service, os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/"))

    asyncio.run(serve(service, app, url.hostname or "127.0.0.1", url.port, listening))


async def serve(service: RecordsService, app: tornado.web.Application, host: str, port: int,
                listening: Callable[[], None] = lambda: None) -> None:
    """Serve ``app`` (made by :func:`make_app` for ``service``) on ``host:port`` until SIGTERM or SIGINT, then
    let the requests under way finish and stop the service's pools (:meth:`RecordsService.shutdown`: its store
    calls and the HR page's renders); ``listening()`` is called once the port listens, :data:`LATER_MODULES` are
    imported then in a thread of their own, and the page HR lands on is rendered then
    (:meth:`RecordsService.prepare_hr_page`). A landing page not ready when the service stops is
    not finished, as nobody waits for it: its render is cut short if the renderer can
    (:meth:`RecordsService.abandon_hr_pages`; found: every stop of a hub just started waited some 7 s for it). Run
    it in the main thread.
    """
    server = HTTPServer(app, max_body_size=MAX_BODY, xheaders=True)
    server.listen(port, host)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    listening()
    threading.Thread(target=_import_later_modules, name="careerconv-later-imports", daemon=True).start()
    # HR's landing page, ready before the first HR user signs in (held here: the loop keeps its tasks weakly)
    landing = asyncio.ensure_future(service.prepare_hr_page() if service.render_hr_page else asyncio.sleep(0))
    await stop.wait()  # the hub stops its services with SIGTERM; requests under way finish first
    server.stop()
    await server.close_all_connections()
    while not landing.done():  # nobody waits for it; its kernel may still be starting (abandon_hr_pages)
        service.abandon_hr_pages()
        await asyncio.wait({landing}, timeout=0.5)
    await landing
    service.shutdown()


def _import_later_modules() -> None:
    """Import :data:`LATER_MODULES` (a request that needs one while this runs waits for it, as Python's import
    does)."""
    for name in LATER_MODULES:
        importlib.import_module(name)
