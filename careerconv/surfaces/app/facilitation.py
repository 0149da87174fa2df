"""The coach's live app: one object that owns its screens and is displayed once.

``ConversationApp(data_dir=...)`` is a small shell around three screens:

* **start** - :class:`careerconv.surfaces.app.start_screen.StartScreen`: pick the coach, the question set and the
  employee (search the roster by name or id); the employee's previous conversation at a glance; start a
  conversation, resume a draft, or hold a check-in. Once a coach is chosen, **My team** shows all their
  reports at a glance (:mod:`careerconv.surfaces.app.team`) with one click to open a conversation or a check-in;
* **conversation** - :class:`careerconv.surfaces.app.conversation_screen.ConversationScreen`: the question set's
  sections in a stepper with free navigation and a timer per section, then a Finish step that lists what
  is missing and completes (locks) the conversation and shows the employee's one-page summary;
* **check-in** - :class:`careerconv.surfaces.app.checkin.CheckinView`.

The shell switches between them, keeps the place in the page address (a reload lands back where the coach
was), and gives each open record its save path: every edit is autosaved (debounced,
:mod:`careerconv.surfaces.app.autosave`) through the store; a draft therefore survives a closed tab or a dead kernel
and is offered again when the employee is opened. Each open record is an
:class:`~careerconv.surfaces.app.session.EditSession`: saves are compare-and-swap on the record's revision, and a
record changed elsewhere (another tab, another coach, the command line) or a person erased meanwhile is shown
in a conflict box, never overwritten. Errors raised in any widget callback are shown in a banner at the top
of the app (and logged), never lost; a kernel that exits saves what is pending.
"""

from __future__ import annotations

import atexit
import functools
import logging
import os
import threading
import weakref
from html import escape
from pathlib import Path
from typing import Callable

import ipywidgets as W

from careerconv.rules import followup as F
from careerconv.records import schema as S
from careerconv.records.questions import QuestionSet, available_question_sets
from careerconv.records.store import Conflict, NotFound, NotOnRoster
from .autosave import Autosaver, SavingPaused, SaveStatus
from .banner import ErrorBanner
from .batching import batched
from .checkin import CheckinView
from .conversation_screen import FINISH, ConversationScreen
from .data_folder import open_store, organisation_skill_names, resolve_data_dir
from .drafts import draft_to_offer
from .editors import Editor
from .page_bridge import PageBridge
from .place import NEW_CHECKIN, Place, parse_place, place_fragment
from .roster_index import RosterIndex
from .scheduling import Handle, ManualScheduler, Scheduler, default_scheduler
from .sections import SectionView
from .session import FOLLOW_AFTER_RELOAD, EditSession, create_record
from .skill_charts import SkillChartsPanel
from .start_screen import StartScreen
from .styles import style_widget
from .team import TeamView, load_team
from .team_loader import TeamLoader
from .timers import Clock, SectionTimers, system_clock
from .widgets import classed, close_tree, html, show

log = logging.getLogger("careerconv.surfaces.app")

PREPARE_AFTER = 0.6  # seconds on a person's page before their conversation screen is built ahead
CLOSE_AFTER = 2.0  # seconds after a screen was left before its widgets are closed
_LIVE_APPS: "weakref.WeakSet[ConversationApp]" = weakref.WeakSet()


class ConversationApp:
    """The facilitation app: start screen, conversation, check-in.

    Parameters
    ----------
    data_dir
        The data folder; empty or None: ``$CAREERCONV_DATA``, else the bundled sample (``careerconv/demo/sample``)
        (see :func:`resolve_data_dir`).
    clock
        Returns the current time (timezone-aware). Injected by tests.
    scheduler
        Runs the autosave debounce and the timer ticks (default: the kernel's
        event loop, else timer threads). Tests pass a
        :class:`~careerconv.surfaces.app.scheduling.ManualScheduler`.
    question_set
        Id of the question set preselected on the start screen.
    coach_id
        Preselect this coach (filters the employee search to their people).
    employee_id
        Open this employee right away.
    autosave_delay, autosave_max_wait
        Seconds of quiet before a save / longest wait while typing continues.
    background_saves
        Write saves in a worker thread (default: yes, unless the scheduler is manual).
    prepare_ahead
        While the coach looks at a person, build their conversation screen (the draft they would resume,
        or a new one) ahead of time, so Start / Resume only shows it. Off by default: measured on a busy
        2-core machine, the build ahead blocked the kernel when the coach's next click was the check-in or
        the team view (see ``benchmarks/bench_app_browser.py``).

    Attributes
    ----------
    start_screen : StartScreen
        The start screen (its widgets: the search box, the person page's buttons, ...).
    conversation : ConversationScreen or None
        The conversation open (or open last); ``conversation_screen`` is the one on the page.
    checkin_view : CheckinView or None
        The check-in open (or open last).

    Raises
    ------
    ValueError
        If ``coach_id`` is not a valid id.
    """

    def __init__(self, data_dir: str | os.PathLike | None = None, *, clock: Clock | None = None,
                 scheduler: Scheduler | None = None, question_set: str = "career-conversation",
                 coach_id: str | None = None, employee_id: str | None = None, autosave_delay: float = 1.0,
                 autosave_max_wait: float = 5.0, background_saves: bool | None = None,
                 prepare_ahead: bool | None = None):
        self.data_dir = resolve_data_dir(data_dir)
        self.store = open_store(self.data_dir)
        self.clock: Clock = clock or system_clock
        self.scheduler: Scheduler = scheduler or default_scheduler()
        self.background = (not isinstance(self.scheduler, ManualScheduler)) if background_saves is None \
            else background_saves
        self.autosave_delay, self.autosave_max_wait = autosave_delay, autosave_max_wait
        self.prepare_ahead = bool(prepare_ahead)
        self._prepared: tuple[tuple, ConversationScreen] | None = None  # built ahead: (what it shows, screen)
        self._prepare_handle: Handle | None = None
        if coach_id:
            S.parse_identifier(coach_id, what="coach id")

        self.errors = ErrorBanner()
        self.status_html = html("", "cc-status")
        self.skill_names: list[str] = []
        self.employee: dict | None = None
        self.conversations: list[dict] = []
        self.checkins: list[dict] = []
        self.plan: F.PreviousPlan = F.PreviousPlan(conversation=None)
        self.checkin_drafts: list[dict] = []
        self.conversation: ConversationScreen | None = None
        self._on_page: ConversationScreen | None = None  # the conversation screen among the body's children
        self.checkin_view: CheckinView | None = None
        self._arriving = False  # opening what the page address names (a reload)
        self.screen = "start"

        with batched():  # the first page reaches the browser as one message per widget
            self.team_loader = TeamLoader(self._read_team, background=self.background,
                                          deliver=lambda fn: self.scheduler.call_soon_threadsafe(self.guard(fn)))
            self._load_roster()
            self._load_question_sets(question_set)
            self.start_screen = StartScreen(
                self.people, question_sets=self.main_sets, wanted_set=self.wanted_set, coach_id=coach_id,
                data_dir=self.data_dir, guard=self.guard, team_loader=self.team_loader,
                today=lambda: self.clock().date(), charts_panel=self._charts_panel(),
                on_select=self.select_employee, on_start=self.ask_start, on_start_anyway=self.start_conversation,
                on_resume=self.resume_draft, on_discard=self.discard_draft, on_checkin=self.open_checkin,
                on_team_person=self._open_person_from_team, on_team_conversation=self._open_conversation_from_team,
                on_team_checkin=self._open_checkin_from_team, on_place_changed=self._sync_place)
            self.body = W.VBox([self.start_screen.widget])
            title = html(f'<div class="cc-sub" title="data folder">{escape(str(self.data_dir))}</div>', "cc-title")
            header = classed(W.HBox([title, self.status_html], layout=W.Layout(width="100%")), "cc-header")
            self.bridge = PageBridge(
                on_arrived=self.guard(self.go_to_place, "Could not open the place in the page address"),
                on_hidden=self.guard(self.save_pending, "Could not save when the page was hidden"))
            self.widget = classed(W.VBox([style_widget(), header, self.errors.widget, self.body, self.bridge],
                                         layout=W.Layout(width="100%")), "cc-app")
            _LIVE_APPS.add(self)
            self._load_skill_names()
            if employee_id:
                self.guard(self.select_employee)(employee_id)

    # ================================================================== the open conversation (delegated)
    @property
    def record(self) -> dict | None:
        """The open (or last open) conversation's record, as the widgets last left it."""
        return self.conversation.record if self.conversation is not None else None

    @property
    def step(self) -> str | None:
        """The step the open conversation shows (a section id, or ``"finish"``)."""
        return self.conversation.step if self.conversation is not None else None

    @property
    def locked(self) -> bool:
        """Whether the open conversation is completed (read-only)."""
        return self.conversation is not None and self.conversation.locked

    @property
    def session(self) -> EditSession | None:
        """The open conversation's save path (None when none is open, or it is locked)."""
        return self.conversation.session if self.conversation is not None else None

    @session.setter
    def session(self, session: EditSession | None) -> None:
        if self.conversation is not None:
            self.conversation.session = session

    @property
    def autosaver(self) -> Autosaver | None:
        """The open conversation's autosaver (None when none is open, or it is locked)."""
        return self.conversation.autosaver if self.conversation is not None else None

    @property
    def timers(self) -> SectionTimers | None:
        """The open conversation's section timers."""
        return self.conversation.timers if self.conversation is not None else None

    @property
    def summary_path(self) -> Path | None:
        """Where the summary of the conversation completed here was saved."""
        return self.conversation.summary_path if self.conversation is not None else None

    @property
    def conversation_screen(self) -> ConversationScreen | None:
        """The conversation screen on the page: the one open, or the one built ahead (hidden)."""
        return self._on_page

    @property
    def team(self) -> TeamView:
        """The start screen's team view."""
        return self.start_screen.team

    def _open(self) -> ConversationScreen:
        if self.conversation is None:
            raise ValueError("no conversation is open: start or resume one first")
        return self.conversation

    def section(self, section_id: str) -> SectionView:
        """The view of a section of the open conversation (see :meth:`ConversationScreen.section`)."""
        return self._open().section(section_id)

    def editor(self, kind_or_id: str) -> Editor:
        """The editor of a question of the open conversation, by question id or kind.

        Raises
        ------
        KeyError
            If no section has such a question.
        """
        return self._open().editor(kind_or_id)

    def go_to(self, step: str) -> None:
        """Show a section of the open conversation (or the Finish step); time runs for the section shown.

        Raises
        ------
        KeyError
            For an unknown step.
        """
        self._open().go_to(step)

    def tick(self) -> None:
        """Refresh the open conversation's timers (runs every second while it is shown)."""
        if self.conversation is not None:
            self.conversation.tick()

    def snapshot(self) -> dict:
        """The open conversation as a record, built from the widgets now."""
        return self._open().snapshot()

    def flush(self) -> dict | None:
        """Save any pending change of the open conversation now and wait for it (returns the stored record).

        Raises
        ------
        careerconv.records.store.Conflict, careerconv.records.store.NotOnRoster
            When the save is refused (the conflict box shows it too).
        careerconv.surfaces.app.autosave.SavingPaused
            While a conflict is open with a change not saved.
        """
        return self.conversation.flush() if self.conversation is not None else None

    def missing(self) -> list[str]:
        """What the method still asks for before the open conversation can be completed."""
        return self._open().missing()

    def complete(self) -> list[str]:
        """Complete the open conversation: check it, save it as completed, lock it, write the summary.

        Returns
        -------
        list of str
            What is missing (nothing is saved as completed then); empty on success.
        """
        return self.conversation.complete() if self.conversation is not None else []

    def summary_page(self, record: dict | None = None) -> str:
        """The one-page summary of a completed conversation (the open one by default) as a standalone page.

        Raises
        ------
        ValueError
            If the conversation is not completed (a draft has no summary yet), or none is open.
        """
        return self._open().summary_page(record)

    def summary_pdf(self, record: dict | None = None) -> bytes:
        """The one-page summary of a completed conversation (the open one by default) as an A4 PDF.

        Raises
        ------
        ValueError
            If the conversation is not completed, or none is open.
        """
        return self._open().summary_pdf(record)

    def download_summary(self) -> str:
        """Offer the open conversation's summary page as a file download; returns its file name."""
        return self._open().download_summary()

    def download_summary_pdf(self) -> str:
        """Offer the open conversation's summary as a PDF download; returns its file name."""
        return self._open().download_summary_pdf()

    # ================================================================== the place in the page address
    def place(self) -> Place:
        """Where the coach is now (what the page address names)."""
        eid = (self.employee or {}).get("employee_id") or ""
        conversation = checkin = step = ""
        if self.screen == "conversation" and self.record is not None:
            conversation, step = self.record["conversation_id"], self.step or ""
        elif self.screen == "checkin" and self.checkin_view is not None:
            checkin = self.checkin_view.draft.get("checkin_id") or NEW_CHECKIN
        return Place(coach=self.start_screen.coach or "", view=self.start_screen.view, employee=eid,
                     conversation=conversation, checkin=checkin, step=step)

    def _sync_place(self) -> None:
        if hasattr(self, "bridge"):
            self.bridge.place = place_fragment(self.place())

    def go_to_place(self, fragment: str) -> None:
        """Open what a page address names (the page was reloaded, or opened from a bookmark).

        Parameters
        ----------
        fragment
            The address's fragment, as :func:`careerconv.surfaces.app.place.place_fragment` writes it.

        Raises
        ------
        ValueError
            If the fragment is not one the app writes, names a coach who coaches nobody, or a
            conversation or check-in the employee does not have.
        careerconv.records.store.NotFound
            If the employee is not on the roster (any more).
        """
        place = parse_place(fragment)
        if place.coach and place.coach not in self.start_screen.coaches():
            raise ValueError(f"the page address names coach {place.coach!r}, who coaches nobody on the roster")
        self.start_screen.choose(coach=place.coach)
        if place.view == "team" and place.coach and not place.employee:
            self.start_screen.choose(view="team")
        if not place.employee:
            return
        self.start_screen.choose(view="person")
        self.select_employee(place.employee)
        self._arriving = True  # the record opened now follows what the closed page still saves
        try:
            if place.conversation:
                if not any(c["conversation_id"] == place.conversation for c in self.conversations):
                    raise ValueError(f"{self.employee['name']} has no conversation {place.conversation!r} (any more)")
                self.open_conversation(place.conversation)
                if place.step and place.step in self.conversation.order():
                    self.go_to(place.step)
            elif place.checkin:
                self._open_checkin_named(place.checkin)
        finally:
            self._arriving = False

    def _open_checkin_named(self, checkin_id: str) -> None:
        if checkin_id == NEW_CHECKIN:
            self.open_checkin()
            return
        known = {c["checkin_id"]: c for c in [*self.checkin_drafts, *self.checkins]}
        if checkin_id not in known:
            raise ValueError(f"{self.employee['name']} has no check-in {checkin_id!r} (any more)")
        self.open_checkin(known[checkin_id])

    def save_pending(self) -> None:
        """Save what is typed but not saved yet, now (the page was hidden or is being closed).

        A save that is refused (changed elsewhere) is shown in the conflict box, as always.
        """
        for session in (self.session, self.checkin_view.session if self.checkin_view else None):
            if session is not None and session.problem is None:
                try:
                    session.flush()
                except (Conflict, NotOnRoster, SavingPaused):
                    pass  # the conflict box says so

    # ================================================================== display and errors
    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def guard(self, fn: Callable, context: str | None = None) -> Callable:
        """Wrap a callback so any exception is shown in the app's banner (and logged).

        Parameters
        ----------
        fn
            The callback.
        context
            What the coach was doing, for the banner ("Could not save the check-in").

        Returns
        -------
        callable
            The wrapped callback; it returns None when ``fn`` raised.
        """
        @functools.wraps(fn)
        def run(*args, **kwargs):
            try:
                with batched():  # what the callback builds is sent once, in its final state
                    return fn(*args, **kwargs)
            except Exception as exc:  # the coach must see it; a widget callback would swallow it
                log.exception("error in the career conversation app")
                self.errors.show(exc, context or _context_of(fn))
                return None
        return run

    def _show_status(self, status: SaveStatus) -> None:
        self.status_html.value = escape(status.text)
        for state in ("saved", "error", "pending", "saving"):
            (self.status_html.add_class if status.state == state else self.status_html.remove_class)(
                f"cc-status-{state}")

    # ================================================================== loading (through the store)
    def _load_roster(self) -> None:
        self.roster_problem = ""
        try:
            roster = self.store.roster()
        except S.ValidationError as exc:
            roster = S.ROSTER.empty()
            self.roster_problem = str(exc)
            self.errors.show(exc, "The roster cannot be read")
        self.people = RosterIndex(roster)
        self.roster = self.people.frame

    def _load_question_sets(self, wanted: str) -> None:
        try:
            self.question_sets = self.store.question_sets()
        except S.ValidationError as exc:
            self.errors.show(exc, "A question set in the data folder is not valid")
            self.question_sets = available_question_sets(None)  # the built-in ones
        alternatives = {qs.alternative for qs in self.question_sets.values() if qs.alternative}
        self.main_sets = {k: v for k, v in self.question_sets.items() if k not in alternatives} or self.question_sets
        self.wanted_set = wanted if wanted in self.main_sets else next(iter(self.main_sets))
        if wanted not in self.main_sets:
            self.errors.show(KeyError(f"no question set {wanted!r}; using {self.wanted_set!r} "
                                      f"(available: {', '.join(self.main_sets)})"), "Question set")

    def _load_skill_names(self) -> None:
        def done(names: list[str]) -> None:
            self.skill_names = names
            for screen in (self.conversation, self._prepared[1] if self._prepared else None):
                skills = screen.skills_editor() if screen is not None else None
                if skills:
                    skills.refresh_suggestions()

        if not self.background:
            try:
                done(organisation_skill_names(self.store))
            except Exception as exc:  # suggestions are a convenience; say so and carry on
                log.warning("could not read the organisation's skills: %s", exc)
            return

        def work() -> None:
            try:
                names = organisation_skill_names(self.store)
            except Exception as exc:
                log.warning("could not read the organisation's skills: %s", exc)
                return
            self.scheduler.call_soon_threadsafe(lambda: self.guard(done)(names))

        threading.Thread(target=work, name="careerconv-skills", daemon=True).start()

    def suggested_skills(self) -> list[str]:
        """Skill names to suggest: the organisation's, plus any this employee worked on before."""
        names = {S.skill_key(n): n for n in self.skill_names}
        for conv in self.conversations:
            for s in conv.get("skills") or []:
                names.setdefault(S.skill_key(s["skill"]), " ".join(str(s["skill"]).split()))
        return sorted(names.values(), key=str.casefold)

    def coach_label(self, coach_id: str | None) -> str:
        """``"Grace Hopper (C01)"`` when the coach is on the roster, else the id."""
        return self.people.coach_label(coach_id)

    def _charts_panel(self) -> SkillChartsPanel:
        return SkillChartsPanel(guard=self.guard, background=self.background,
                                deliver=lambda fn: self.scheduler.call_soon_threadsafe(self.guard(fn)))

    def _coach_for_new(self) -> str:
        return self.start_screen.coach or (self.employee or {}).get("coach_id") or ""

    # ================================================================== the team view
    def refresh_team(self) -> TeamView:
        """Read the chosen coach's reports again and redraw the team view.

        Returns
        -------
        TeamView
            The team panel (``.members`` holds the rows shown).

        Raises
        ------
        ValueError
            If no coach is chosen.
        """
        return self.start_screen.refresh_team()

    def _team_read(self, coach: str, members: list) -> None:
        self.start_screen.team_read(coach, members)

    def _read_team(self, coach: str) -> list:
        return load_team(self.store, coach, self.clock().date(), roster=self.roster)

    def show_team(self, coach_id: str | None = None) -> TeamView:
        """Show the team view of a coach (the one chosen, or ``coach_id``) on the start screen.

        Parameters
        ----------
        coach_id
            Choose this coach first.

        Returns
        -------
        TeamView
            The team panel, freshly built.

        Raises
        ------
        ValueError
            If no coach is chosen, or ``coach_id`` coaches nobody on the roster.
        """
        start = self.start_screen
        if coach_id is not None and coach_id not in start.coaches():
            raise ValueError(f"{coach_id!r} is not a coach on the roster of {self.data_dir}")
        if coach_id is None and not start.coach:
            raise ValueError("choose a coach first: the team view shows one coach's reports")
        if self.screen != "start":
            self._close_current(save=True)
            self._show_screen("start")
        changed = coach_id is not None and coach_id != start.coach
        if changed:
            start.choose(coach=coach_id)
        if start.view != "team":
            start.choose(view="team")
        elif not changed:
            self.refresh_team()
        return start.team

    def show_people(self) -> None:
        """Back to finding one person (the search list and the employee panel)."""
        self.start_screen.choose(view="person")

    def _open_person_from_team(self, employee_id: str) -> None:
        self.start_screen.choose(view="person")
        self.select_employee(employee_id)

    def _open_conversation_from_team(self, employee_id: str) -> None:
        self.select_employee(employee_id)
        if any(c["status"] == "draft" for c in self.conversations):
            self.resume_draft()
        else:
            self.start_conversation()

    def _open_checkin_from_team(self, employee_id: str) -> None:
        self.select_employee(employee_id)
        self.open_checkin()

    # ================================================================== the person
    def select_employee(self, employee_id: str) -> None:
        """Open an employee: their card, a draft to resume, their previous conversation at a glance.

        Raises
        ------
        careerconv.records.store.NotFound
            If the employee is not on the roster.
        """
        person = self.people.person(employee_id)
        if person is None:
            raise NotFound(f"employee {employee_id!r} is not on the roster of {self.data_dir}")
        self.employee = person
        if self.screen != "start":
            self._close_current(save=True)
        self._reload_history()
        if self.screen != "start":
            self._show_screen("start")
        self._sync_place()

    def _reload_history(self) -> None:
        history = self.store.history(self.employee["employee_id"])
        self.conversations, self.checkins, self.checkin_drafts = (history.conversations, history.checkins,
                                                                  history.checkin_drafts)
        self.plan = F.previous_plan(self.conversations, self.checkins)
        self.start_screen.show_person(self.employee, self._coach_for_new(), self.plan, self.conversations,
                                      self.checkins, self.checkin_drafts)
        self._schedule_prepare()

    def _drafts(self) -> list[dict]:
        return [c for c in self.conversations if c["status"] == "draft"]

    # ================================================================== the conversation, built ahead
    @property
    def _prepared_key(self) -> tuple | None:
        """What the conversation screen built ahead of time shows (None: none is)."""
        return self._prepared[0] if self._prepared is not None else None

    def _schedule_prepare(self) -> None:
        self._cancel_prepare()
        if self.prepare_ahead:
            self._prepare_handle = self.scheduler.call_later(PREPARE_AFTER, self.guard(
                self.prepare_conversation, "Could not prepare the conversation"))

    def _cancel_prepare(self) -> None:
        if self._prepare_handle is not None:
            self._prepare_handle.cancel()
            self._prepare_handle = None

    def _new_record(self) -> dict:
        qs = self.main_sets[self.start_screen.set_choice.value]
        eid = self.employee["employee_id"]
        return S.new_conversation(eid, self._coach_for_new(), self.clock().date(), qs.id, qs.version)

    @staticmethod
    def _key_of(record: dict) -> tuple:
        """What a built screen depends on: a draft by its revision; a new conversation by who, when, which set."""
        if record.get("revision") is not None:
            return ("stored", record["employee_id"], record["conversation_id"], record["revision"])
        return ("new", record["employee_id"], record["coach_id"], record["date"], record["question_set"])

    def prepare_conversation(self) -> bool:
        """Build the conversation screen the coach is likely to open next, hidden (nothing is saved).

        The draft the person page offers, else a new conversation. Runs a moment after a person is shown,
        while the coach reads their page; Start / Resume then only show it.

        Returns
        -------
        bool
            True if a screen was built (False: not on a person's page, or it is built already).
        """
        self._prepare_handle = None
        if self.screen != "start" or self.employee is None:
            return False
        offered = draft_to_offer(self._drafts())
        record = offered if offered is not None else self._new_record()
        key = self._key_of(record)
        if key == self._prepared_key or record["question_set"] not in self.question_sets:
            return False
        screen = self._build_screen(record)
        # on the page, hidden, with the section it would open on: the browser builds it now, not on the click
        show(screen.widget, False)
        self._replace_other_screen(screen.widget, screen)
        screen.show_section_ahead(screen.first_step())
        self._prepared = (key, screen)
        return True

    # ================================================================== conversation lifecycle
    def ask_start(self) -> dict | None:
        """"Start": start a conversation, or - while a draft exists - first ask, showing what the draft holds.

        Returns
        -------
        dict or None
            The new draft, or None when the coach is asked first.
        """
        if self.employee is None:
            raise ValueError("pick an employee first")
        offered = draft_to_offer(self._drafts())
        if offered is None:
            return self.start_conversation()
        self.start_screen.ask_before_starting(self.employee.get("name") or "", offered)
        return None

    def start_conversation(self) -> dict:
        """Create and save a new draft for the open employee, and show its first section.

        Returns
        -------
        dict
            The stored draft.

        Raises
        ------
        ValueError
            If no employee is open.
        """
        if self.employee is None:
            raise ValueError("pick an employee first")
        record = self._new_record()
        prepared_as = self._key_of(record)
        record["created_at"] = self.clock().isoformat(timespec="seconds")
        stored = create_record(self.store, record)  # the store gives it its id
        self._open_record(stored, prepared_as=prepared_as)
        return stored

    def resume_draft(self, conversation_id: str | None = None) -> dict:
        """Reopen a draft of the open employee (the latest by default) where it was left.

        Raises
        ------
        ValueError
            If there is no employee open or no draft.
        """
        if self.employee is None:
            raise ValueError("pick an employee first")
        eid = self.employee["employee_id"]
        drafts = [c for c in self.store.conversations(eid) if c["status"] == "draft"]
        if conversation_id is not None:
            drafts = [c for c in drafts if c["conversation_id"] == conversation_id]
        if not drafts:
            raise ValueError(f"{self.employee['name']} has no draft conversation to resume")
        record = self.store.load_conversation(eid, draft_to_offer(drafts)["conversation_id"])
        self._open_record(record)
        return record

    def open_conversation(self, conversation_id: str) -> dict:
        """Open any conversation of the open employee (a completed one opens read-only)."""
        record = self.store.load_conversation(self.employee["employee_id"], conversation_id)
        self._open_record(record)
        return record

    def discard_draft(self) -> None:
        """Delete the open employee's latest draft (after the coach confirmed)."""
        offered = draft_to_offer(self._drafts())
        if offered is None:
            return
        self.store.delete_draft(self.employee["employee_id"], offered["conversation_id"],
                                revision=offered["revision"])  # not if it changed since it was listed
        self._reload_history()

    def _question_sets_of(self, record: dict) -> tuple[QuestionSet, QuestionSet | None]:
        qs = self.question_sets.get(record["question_set"])
        if qs is None:
            raise KeyError(f"conversation {record['conversation_id']!r} uses question set "
                           f"{record['question_set']!r}, which is not available; add its YAML file to "
                           f"{self.data_dir / 'question_sets'}")
        return qs, (self.question_sets.get(qs.alternative) if qs.alternative else None)

    def _build_screen(self, record: dict) -> ConversationScreen:
        qs, alternative = self._question_sets_of(record)
        return ConversationScreen(
            record, question_set=qs, alternative_set=alternative, employee=self.employee,
            conversations=self.conversations, checkins=self.checkins, coach_label=self.coach_label,
            suggested_skills=self.suggested_skills, clock=self.clock, scheduler=self.scheduler, guard=self.guard,
            showing=lambda: self.screen == "conversation", on_close=self.close_conversation,
            on_moved=self._sync_place, show_status=self._show_status, save_summary=self.store.save_summary,
            open_page=lambda page: self.bridge.open_html(page), download=lambda *file: self.bridge.download(*file))

    def _open_record(self, record: dict, prepared_as: tuple | None = None) -> None:
        """Open a conversation; ``prepared_as`` is the key it had when its screen may have been built ahead."""
        self._close_current(save=True)
        self._cancel_prepare()
        prepared, self._prepared = self._prepared, None
        ready = self.screen == "start" and prepared is not None and prepared[0] == (prepared_as or
                                                                                   self._key_of(record))
        screen = prepared[1] if ready else self._build_screen(record)
        self.conversation = screen
        screen.open(record, functools.partial(self.edit_session, snapshot=screen.snapshot, on_open=self._reopen,
                                              on_leave=self._left_record, labels=screen.labels))
        self._show_screen("conversation")
        screen.begin()

    def close_conversation(self) -> None:
        """Save and leave the conversation; back to the start screen (a draft stays resumable)."""
        self._close_current(save=True)
        self._show_screen("start")
        if self.employee is not None:
            self._reload_history()

    # ================================================================== save paths and conflicts
    def edit_session(self, record: dict, *, snapshot: Callable[[], dict], on_open: Callable[[dict, str], None],
                     on_leave: Callable[[str], None], labels: Callable[[], dict] | None = None) -> EditSession:
        """The save path of an open conversation or check-in draft (autosave, compare-and-swap, conflicts).

        Parameters
        ----------
        record
            The record as stored (with its revision).
        snapshot, on_open, on_leave, labels
            See :class:`careerconv.surfaces.app.session.EditSession`.
        """
        follow = FOLLOW_AFTER_RELOAD if self._arriving else 0.0
        return EditSession(self.store, record, snapshot=snapshot, on_open=on_open, on_leave=on_leave, follow=follow,
                           scheduler=self.scheduler, clock=self.clock, delay=self.autosave_delay,
                           max_wait=self.autosave_max_wait, background=self.background, on_status=self._show_status,
                           on_error=lambda exc: self.errors.show(exc, "Autosave failed"), guard=self.guard,
                           labels=labels, person=(self.employee or {}).get("name") or record["employee_id"])

    def _reopen(self, record: dict, notice: str) -> None:
        """After a conflict choice, show the version kept and say what happened; with no notice, a version
        saved elsewhere while nothing was typed here (see :meth:`EditSession.saved_elsewhere`) is shown in the
        section the coach is in."""
        self.session = None  # closed by its choice
        if record.get("kind") == "checkin" or "checkin_id" in record:
            self.open_checkin(record)
            target = self.checkin_view.session
        else:
            step = self.step if self.screen == "conversation" else None
            self._open_record(record)
            if not notice and not self.locked and step in self.conversation.order() and step != self.step:
                self.go_to(step)
            target = self.session
        if not notice:
            return
        if target is not None:
            target.panel.notify(notice)
        elif self.conversation is not None:
            self.conversation.notify_locked(notice)

    def _left_record(self, notice: str) -> None:
        """The coach discarded their version (deleted elsewhere, or the person was erased)."""
        self.session = None
        self._show_screen("start")
        self._load_roster()
        self.start_screen.show_roster(self.people)
        if self.employee is not None and self.employee["employee_id"] not in self.people:
            self.employee = None
            self.start_screen.forget_person(notice)
        elif self.employee is not None:
            self._reload_history()
            self.start_screen.notify(notice)

    def _close_current(self, save: bool) -> None:
        """Leave the open conversation or check-in, saving it (or not).

        Raises
        ------
        careerconv.surfaces.app.session.ConflictOpen
            With ``save`` while the open record's conflict is not resolved (nothing is closed).
        """
        if self.screen == "checkin" and self.checkin_view is not None:
            self.checkin_view.close(save=save)
        if self.conversation is not None:
            self.conversation.close(save=save)

    # ================================================================== check-in
    def open_checkin(self, record: dict | None = None) -> CheckinView:
        """Show the check-in view for the open employee: resume their draft check-in, or start one.

        Parameters
        ----------
        record
            Show this check-in (a draft, or a completed one read-only) instead.

        Raises
        ------
        ValueError
            If no employee is open.
        """
        if self.employee is None:
            raise ValueError("pick an employee first")
        self._close_current(save=True)
        self._reload_history()
        if record is None and self.checkin_drafts:
            record = self.checkin_drafts[-1]
        charts = self._charts_panel()
        charts.show_for(self.plan, self.conversations, self.checkins, self.clock().date())
        self.checkin_view = CheckinView(self.store, self.employee, self.conversations, self.checkins,
                                        self._coach_for_new(), record=record, clock=self.clock, guard=self.guard,
                                        make_session=functools.partial(self.edit_session, on_open=self._reopen,
                                                                       on_leave=self._left_record),
                                        on_saved=lambda _r: self._reload_history(), on_back=self._leave_checkin,
                                        extra=charts.widget)
        self._show_screen("checkin")
        return self.checkin_view

    def _leave_checkin(self) -> None:
        self._close_current(save=True)
        self._show_screen("start")
        self._reload_history()

    # ================================================================== screens
    def _show_screen(self, screen: str) -> None:
        """Show a screen. The start screen stays on the page (hidden while another screen shows), so coming
        back to it costs the browser nothing; the conversation or check-in being worked on is the one other
        child, and the widgets of the one it replaces are closed."""
        self.screen = screen
        conversation = self.conversation if screen == "conversation" else None
        other = conversation.widget if conversation is not None else \
            self.checkin_view.widget if screen == "checkin" and self.checkin_view is not None else None
        if other is not None and other not in self.body.children:
            self._replace_other_screen(other, conversation)
        shown = other if other is not None else self.start_screen.widget
        for child in self.body.children:
            show(child, child is shown)
        if screen in ("start", "checkin"):
            self._show_status(SaveStatus("idle"))
        if screen == "start" and self.start_screen.view == "team" and self.start_screen.coach:
            self.refresh_team()  # what was just saved shows at once
        self._sync_place()

    def _replace_other_screen(self, other: W.Widget, conversation: ConversationScreen | None = None) -> None:
        """Make ``other`` (``conversation``'s widget, or a check-in's) the one screen beside the start screen
        (hidden until shown), closing the one before."""
        olds = [old for old in self.body.children[1:] if old is not other]
        left = self._on_page
        if left is not None and left.widget in olds:
            left.retire()
            if self._prepared is not None and self._prepared[1] is left:
                self._prepared = None
        self._on_page = conversation
        self.body.children = (self.start_screen.widget, other)
        # Closing a few hundred widgets is a message each: done a moment later, not while the click waits.
        self.scheduler.call_later(CLOSE_AFTER, self.guard(lambda: [close_tree(old) for old in olds],
                                                          "Could not tidy up the screen left"))

    def shutdown(self) -> None:
        """Save what is pending and stop timers (called at kernel exit too).

        An unresolved conflict is kept as a separate draft (never overwriting the other version).
        """
        for session in (self.session, self.checkin_view.session if self.checkin_view else None):
            if session is not None and session.problem is not None:
                session.rescue()
                session.close(flush=False)
        self._close_current(save=True)


def _context_of(fn: Callable) -> str:
    name = getattr(fn, "__name__", "")
    readable = {"start_conversation": "Could not start the conversation",
                "resume_draft": "Could not resume the draft", "complete": "Could not complete the conversation",
                "select_employee": "Could not open this person", "open_checkin": "Could not open the check-in",
                "save": "Could not save", "_on_edit": "Could not record the change",
                "on_edit": "Could not record the change", "_leave_checkin": "Could not leave the check-in"}
    return readable.get(name, "Something went wrong")


@atexit.register
def _save_all_at_exit() -> None:
    """A kernel shut down (tab closed in Voila, Kernel > Shut Down) still saves the last edits."""
    for app in list(_LIVE_APPS):
        try:
            app.shutdown()
        except Exception:  # at exit there is no one left to show it to; log it
            log.exception("could not save the open conversation at exit")
