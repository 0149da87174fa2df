"""The coach's live app: one object that owns its widgets and is displayed once.

``ConversationApp(data_dir=...)`` builds three screens:

* **start** - pick the coach, the question set and the employee (search the
  roster by name or id); the employee's previous conversation at a glance
  (dreams, skills with ratings and targets, the action plan with the status the
  check-ins gave it); start a conversation, resume a draft, or hold a check-in.
  Once a coach is chosen, **My team** shows all their reports at a glance
  (:mod:`careerconv.app.team`: who is due, open action items, skills against
  their targets) with one click to open a conversation or a check-in;
* **conversation** - the question set's sections (Goals, Action plan, Next
  steps) in a stepper with free navigation and a timer per section, then a
  Finish step that lists what is missing and completes (locks) the
  conversation and shows the employee's one-page summary;
* **check-in** - :class:`careerconv.app.checkin.CheckinView`.

Every edit is autosaved (debounced, :mod:`careerconv.app.autosave`) through
:class:`careerconv.store.Store`; a draft therefore survives a closed tab or a
dead kernel and is offered again when the employee is opened. Each open record
is an :class:`~careerconv.app.session.EditSession`: saves are compare-and-swap
on the record's revision, and a record changed elsewhere (another tab, another
coach, the command line) or a person erased meanwhile is shown in a conflict
box, never overwritten. Errors raised in any widget callback are shown in a
banner at the top of the app (and logged), never lost.
"""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import logging
import os
import threading
import weakref
from html import escape
from pathlib import Path
from typing import Callable

import ipywidgets as W
import numpy as np
import pandas as pd

from .. import schema as S
from ..questions import SKILL_KINDS, QuestionSet, available_question_sets
from ..store import Conflict, NotFound, NotOnRoster
from .. import followup as F
from .autosave import Autosaver, SavingPaused, SaveStatus
from .banner import ErrorBanner
from .batching import batched
from .checkin import CheckinView
from .completeness import missing_before_completing
from .data_folder import open_store, organisation_skill_names, resolve_data_dir
from .drafts import draft_holds, draft_to_offer
from .editors import ANSWER_EDITORS, Editor, EditorContext
from .glance import employee_card_html, last_rating_text, previous_plan_html, with_coach
from .page_bridge import PageBridge
from .place import NEW_CHECKIN, Place, parse_place, place_fragment
from .plan_editors import ActionItemsEditor, CadenceEditor, DreamsEditor, FollowUpEditor
from .scheduling import Handle, ManualScheduler, Scheduler, default_scheduler
from .sections import LazySectionView, SectionView
from .session import FOLLOW_AFTER_RELOAD, EditSession, create_record
from .skill_charts import SkillChartsPanel
from .skill_editor import SkillsEditor
from .styles import style_widget
from ..dates import human_date, human_datetime
from .summary import render_summary_html, render_summary_pdf, summary_fragment
from .team import TeamView, load_team
from .team_loader import TeamLoader
from .timers import Clock, SectionTimers, system_clock
from .widgets import button, classed, close_tree, html, show

log = logging.getLogger("careerconv.app")

FINISH = "finish"
MAX_RESULTS = 12  # people listed at once; typing narrows the list
PREPARE_AFTER = 0.6  # seconds on a person's page before their conversation screen is built ahead
BUILD_NEXT_AFTER = 0.3  # seconds between building the sections not on screen, one at a time, while the coach reads
CLOSE_AFTER = 2.0  # seconds after a screen was left before its widgets are closed
SNAPSHOT_EVERY_TICKS = 30  # while a section runs, its time is saved at least this often (seconds)
_LIVE_APPS: "weakref.WeakSet[ConversationApp]" = weakref.WeakSet()


class ConversationApp:
    """The facilitation app: start screen, conversation, check-in.

    Parameters
    ----------
    data_dir
        The data folder; empty or None: ``$CAREERCONV_DATA``, else the bundled sample (``careerconv/sample``)
        (see :func:`resolve_data_dir`).
    clock
        Returns the current time (timezone-aware). Injected by tests.
    scheduler
        Runs the autosave debounce and the timer ticks (default: the kernel's
        event loop, else timer threads). Tests pass a
        :class:`~careerconv.app.scheduling.ManualScheduler`.
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
        self._prepared_key: tuple | None = None  # which conversation the screen built ahead of time shows
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
        self.record: dict | None = None
        self.locked = False
        self.session: EditSession | None = None  # the open conversation's save path
        self.checkin_drafts: list[dict] = []
        self.timers: SectionTimers | None = None
        self.views: dict[str, LazySectionView] = {}
        self._structured: dict[str, Editor] = {}
        self._arriving = False  # opening what the page address names (a reload)
        self.question_set: QuestionSet | None = None
        self.alternative_set: QuestionSet | None = None
        self.checkin_view: CheckinView | None = None
        self.screen = "start"
        self.step = None
        self.summary_path: Path | None = None
        self._tick_handle: Handle | None = None
        self._ticks = 0
        self._base: dict = {}

        with batched():  # the first page reaches the browser as one message per widget
            self.team_loader = TeamLoader(self._read_team, background=self.background,
                                          deliver=lambda fn: self.scheduler.call_soon_threadsafe(self.guard(fn)))
            self._load_roster()
            self._load_question_sets(question_set)
            self._build_start(coach_id)
            self.body = W.VBox([self.start_screen])
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

    # ================================================================== the place in the page address
    def place(self) -> Place:
        """Where the coach is now (what the page address names)."""
        eid = (self.employee or {}).get("employee_id") or ""
        conversation = checkin = step = ""
        if self.screen == "conversation" and self.record is not None:
            conversation, step = self.record["conversation_id"], self.step or ""
        elif self.screen == "checkin" and self.checkin_view is not None:
            checkin = self.checkin_view.draft.get("checkin_id") or NEW_CHECKIN
        return Place(coach=self.coach_choice.value or "", view=self.view_choice.value, employee=eid,
                     conversation=conversation, checkin=checkin, step=step)

    def _sync_place(self) -> None:
        if hasattr(self, "bridge"):
            self.bridge.place = place_fragment(self.place())

    def go_to_place(self, fragment: str) -> None:
        """Open what a page address names (the page was reloaded, or opened from a bookmark).

        Parameters
        ----------
        fragment
            The address's fragment, as :func:`careerconv.app.place.place_fragment` writes it.

        Raises
        ------
        ValueError
            If the fragment is not one the app writes, names a coach who coaches nobody, or a
            conversation or check-in the employee does not have.
        careerconv.store.NotFound
            If the employee is not on the roster (any more).
        """
        place = parse_place(fragment)
        coaches = {value for _label, value in self.coach_choice.options}
        if place.coach and place.coach not in coaches:
            raise ValueError(f"the page address names coach {place.coach!r}, who coaches nobody on the roster")
        if place.coach != self.coach_choice.value:
            self.coach_choice.value = place.coach
        if place.view == "team" and place.coach and not place.employee:
            self.view_choice.value = "team"
        if not place.employee:
            return
        self.view_choice.value = "person"
        self.select_employee(place.employee)
        self._arriving = True  # the record opened now follows what the closed page still saves
        try:
            if place.conversation:
                if not any(c["conversation_id"] == place.conversation for c in self.conversations):
                    raise ValueError(f"{self.employee['name']} has no conversation {place.conversation!r} (any more)")
                self.open_conversation(place.conversation)
                if place.step and place.step in self._order():
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

    def _on_click(self, b: W.Button, action: Callable[[], object], context: str) -> None:
        b.on_click(self.guard(lambda _b: action(), context))

    # ================================================================== loading
    def _load_roster(self) -> None:
        self.roster_problem = ""
        try:
            roster = self.store.roster()
        except S.ValidationError as exc:
            roster = S.ROSTER.empty()
            self.roster_problem = str(exc)
            self.errors.show(exc, "The roster cannot be read")
        self.roster = roster.sort_values("name", key=lambda s: s.str.casefold(), kind="stable").reset_index(drop=True)
        self._ids = self.roster["employee_id"].to_numpy(dtype=object)
        self._names = self.roster["name"].to_numpy(dtype=object)
        self._coach_ids = self.roster["coach_id"].to_numpy(dtype=object)
        self._haystack = (self.roster["name"].str.casefold() + " " + self.roster["employee_id"].str.casefold()
                          ).to_numpy(dtype=object)
        self._row_of = {eid: i for i, eid in enumerate(self._ids)}
        self._name_of = dict(zip(self._ids, self._names))

    def _load_question_sets(self, wanted: str) -> None:
        try:
            self.question_sets = available_question_sets(self.data_dir)
        except S.ValidationError as exc:
            self.errors.show(exc, "A question set in the data folder is not valid")
            self.question_sets = available_question_sets(None)
        alternatives = {qs.alternative for qs in self.question_sets.values() if qs.alternative}
        self.main_sets = {k: v for k, v in self.question_sets.items() if k not in alternatives} or self.question_sets
        self.wanted_set = wanted if wanted in self.main_sets else next(iter(self.main_sets))
        if wanted not in self.main_sets:
            self.errors.show(KeyError(f"no question set {wanted!r}; using {self.wanted_set!r} "
                                      f"(available: {', '.join(self.main_sets)})"), "Question set")

    def _load_skill_names(self) -> None:
        def done(names: list[str]) -> None:
            self.skill_names = names
            skills = self.views and self._skills_editor()
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
        if not coach_id:
            return ""
        name = self._name_of.get(coach_id)
        return f"{name} ({coach_id})" if name else coach_id

    # ================================================================== start screen
    def _build_start(self, coach_id: str | None) -> None:
        coaches = sorted({c for c in self._coach_ids if c}, key=lambda c: self.coach_label(c).casefold())
        if coach_id and coach_id not in coaches:
            coaches.append(coach_id)
        self.coach_choice = classed(W.Dropdown(options=[("All coaches", "")] + [(self.coach_label(c), c)
                                                                               for c in coaches],
                                               value=coach_id or "", description="Coach",
                                               layout=W.Layout(width="360px")), "cc-coach")
        self.view_choice = classed(W.ToggleButtons(options=[("Find a person", "person"), ("My team", "team")],
                                                   value="person", style={"button_width": "auto"},
                                                   tooltips=["Search the roster and open one person",
                                                             "Every report of this coach at a glance"]),
                                   "cc-choice", "cc-view-choice")
        self.team_hint = html('<span class="cc-muted">Choose a coach to see their team at a glance.</span>',
                              "cc-team-hint")
        self.view_choice.observe(self.guard(lambda _c: self._show_start_view(), "Could not open the team view"),
                                 names="value")
        self.set_choice = classed(W.Dropdown(options=[(qs.title, k) for k, qs in self.main_sets.items()],
                                             value=self.wanted_set, description="Questions",
                                             layout=W.Layout(width="100%")), "cc-question-set")
        self.search = classed(W.Text(placeholder="Search by name or employee id", continuous_update=True,
                                     layout=W.Layout(width="100%")), "cc-search")
        # One button per person, bound to the employee id: a click on a list that is being
        # re-filtered still opens the person the coach saw (a Select syncs by position).
        self.results = classed(W.VBox(layout=W.Layout(width="100%")), "cc-results")
        self.result_buttons: dict[str, W.Button] = {}
        self.results_note = html("", "cc-muted", "cc-results-note")
        self.search.observe(self.guard(lambda _c: self._run_search(), "Search failed"), names="value")
        self.coach_choice.observe(self.guard(lambda _c: self._run_search(), "Search failed"), names="value")
        self.coach_choice.observe(self.guard(lambda _c: self._coach_changed(), "Could not open the team view"),
                                  names="value")

        self.employee_html = html('<div class="cc-muted">Pick a person on the left to see their previous '
                                  "conversation and start.</div>", "cc-employee-card")
        self.start_button = button("Start career conversation", "cc-primary", "cc-start")
        self.checkin_button = button("Check-in", "cc-open-checkin",
                                     tooltip="Follow up the plan in a regular one-on-one")
        self._on_click(self.start_button, self.ask_start, "Could not start the conversation")
        self._on_click(self.checkin_button, self.open_checkin, "Could not open the check-in")
        self.draft_html = html("", "cc-draft-text")
        self.resume_button = button("Resume draft", "cc-primary", "cc-resume")
        self.discard_button = button("Discard draft…", "cc-link", "cc-discard")
        self.discard_confirm = button("Yes, discard it", "cc-danger", "cc-discard-confirm")
        self._on_click(self.resume_button, self.resume_draft, "Could not resume the draft")
        self._on_click(self.discard_button, lambda: show(self.discard_confirm, True), "Could not discard the draft")
        self._on_click(self.discard_confirm, self.discard_draft, "Could not discard the draft")
        show(self.discard_confirm, False)
        self.draft_box = classed(W.VBox([self.draft_html, classed(W.HBox([self.resume_button, self.discard_button,
                                                                          self.discard_confirm]), "cc-row")]),
                                 "cc-warn-box", "cc-draft-offer")
        # "Start a new conversation" while a draft exists asks first, showing what the draft holds
        self.start_confirm_html = html("", "cc-start-confirm-text")
        self.start_anyway = button("Start a new one anyway", "cc-start-anyway")
        self.start_resume = button("Resume the draft", "cc-primary", "cc-start-resume")
        self.start_cancel = button("Cancel", "cc-link", "cc-start-cancel")
        self._on_click(self.start_anyway, self.start_conversation, "Could not start the conversation")
        self._on_click(self.start_resume, self.resume_draft, "Could not resume the draft")
        self._on_click(self.start_cancel, lambda: show(self.start_confirm, False), "Could not cancel")
        self.start_confirm = classed(W.VBox([self.start_confirm_html, classed(
            W.HBox([self.start_resume, self.start_anyway, self.start_cancel]), "cc-row")]),
            "cc-warn-box", "cc-start-confirm")
        show(self.start_confirm, False)
        self.actions = classed(W.HBox([self.start_button, self.checkin_button]), "cc-row", "cc-actions")
        self.glance_html = html("", "cc-glance-box")
        self.charts_panel = self._charts_panel()
        self.employee_panel = classed(W.VBox([self.employee_html, self.draft_box, self.actions, self.start_confirm,
                                              self.glance_html, self.charts_panel.widget],
                                             layout=W.Layout(flex="1 1 auto", width="auto", min_width="0")),
                                      "cc-card", "cc-employee-panel")
        show(self.draft_box, False)
        show(self.actions, False)
        picker_parts: list[W.Widget] = [html("<b>Who are you meeting?</b>"), self.set_choice,
                                        self.search, self.results, self.results_note]
        if self.roster.empty:
            picker_parts.append(html(
                f'<div class="cc-warn-box">No employees in <code>{escape(str(self.data_dir))}</code>. Create a demo '
                "organisation with <code>careerconv demo</code> or import your roster with "
                "<code>careerconv import roster FILE</code>, then reload.</div>", "cc-no-roster"))
        picker = classed(W.VBox(picker_parts, layout=W.Layout(width="330px", flex="0 0 330px")), "cc-card",
                         "cc-picker")
        self.person_view = classed(W.HBox([picker, self.employee_panel],
                                          layout=W.Layout(width="100%", align_items="flex-start")),
                                   "cc-row", "cc-person-view")
        self.team = TeamView(guard=self.guard, on_person=self._open_person_from_team,
                             on_conversation=self._open_conversation_from_team,
                             on_checkin=self._open_checkin_from_team, on_refresh=self.refresh_team)
        self.start_bar = classed(W.HBox([self.coach_choice, self.view_choice, self.team_hint],
                                        layout=W.Layout(width="100%")), "cc-row", "cc-start-bar")
        self.start_screen = classed(W.VBox([self.start_bar, self.person_view], layout=W.Layout(width="100%")),
                                    "cc-start-screen")
        self._run_search()
        self._coach_changed()

    # ------------------------------------------------------------------ the team view
    def _coach_changed(self) -> None:
        self._sync_place()
        coach = self.coach_choice.value
        if coach:
            self.team_loader.prefetch(coach)  # "My team" is then ready, or nearly
        show(self.view_choice, bool(coach))
        show(self.team_hint, not coach)
        if self.view_choice.value == "team":
            if coach:
                self.refresh_team()
            else:
                self.view_choice.value = "person"

    def _show_start_view(self) -> None:
        team = self.view_choice.value == "team"
        if team:
            self.refresh_team()
        if self.team.widget not in self.start_screen.children:  # built once, then only shown or hidden
            self.start_screen.children = (*self.start_screen.children, self.team.widget)
        show(self.team.widget, team)
        show(self.person_view, not team)
        self._sync_place()

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
        coach = self.coach_choice.value
        if not coach:
            raise ValueError("choose a coach first: the team view shows one coach's reports")
        last = self.team_loader.last(coach) if self.team_loader.background else None
        if last is not None:  # at once as last read, then brought up to date when the fresh read is in
            self.team.show_members(coach, self.coach_label(coach), last, self.clock().date())
            self.team_loader.refresh(coach, functools.partial(self._team_read, coach))
        else:
            self._team_read(coach, self.team_loader.read_now(coach))
        return self.team

    def _team_read(self, coach: str, members: list) -> None:
        if self.coach_choice.value == coach:
            self.team.show_members(coach, self.coach_label(coach), members, self.clock().date())

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
        coaches = [value for _label, value in self.coach_choice.options if value]
        if coach_id is not None and coach_id not in coaches:
            raise ValueError(f"{coach_id!r} is not a coach on the roster of {self.data_dir}")
        if coach_id is None and not self.coach_choice.value:
            raise ValueError("choose a coach first: the team view shows one coach's reports")
        if self.screen != "start":
            self._close_current(save=True)
            self._show_screen("start")
        changed = coach_id is not None and coach_id != self.coach_choice.value
        if changed:
            self.coach_choice.value = coach_id
        if self.view_choice.value != "team":
            self.view_choice.value = "team"
        elif not changed:
            self.refresh_team()
        return self.team

    def show_people(self) -> None:
        """Back to finding one person (the search list and the employee panel)."""
        self.view_choice.value = "person"

    def _open_person_from_team(self, employee_id: str) -> None:
        self.view_choice.value = "person"
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

    def _run_search(self) -> None:
        query = self.search.value.casefold().split()
        mask = np.ones(len(self._ids), dtype=bool)
        coach = self.coach_choice.value
        if coach:
            mask &= self._coach_ids == coach
        hay = self._haystack
        for token in query:
            mask &= np.fromiter((token in h for h in hay), dtype=bool, count=len(hay))
        hits = np.flatnonzero(mask)
        shown = hits[:MAX_RESULTS]
        old = self.result_buttons
        self.result_buttons = {}
        for i in shown:
            eid = self._ids[i]
            b = button(f"{self._names[i]} · {eid}", "cc-result", tooltip=f"Open {self._names[i]} ({eid})",
                       width="100%")
            self._on_click(b, functools.partial(self.select_employee, eid), "Could not open this person")
            self.result_buttons[eid] = b
        self.results.children = tuple(self.result_buttons.values())
        for b in old.values():
            b.close()
        self._mark_current_result()
        if len(hits) > len(shown):
            self.results_note.value = f"Showing {len(shown)} of {len(hits):,} — type to narrow down."
        elif not len(hits):
            self.results_note.value = "Nobody matches." if self._ids.size else ""
        else:
            self.results_note.value = f"{len(hits)} {'person' if len(hits) == 1 else 'people'}"

    def _mark_current_result(self) -> None:
        current = self.employee["employee_id"] if self.employee else None
        for eid, b in self.result_buttons.items():
            (b.add_class if eid == current else b.remove_class)("cc-result-active")

    def select_employee(self, employee_id: str) -> None:
        """Open an employee: their card, a draft to resume, their previous conversation at a glance.

        Raises
        ------
        careerconv.store.NotFound
            If the employee is not on the roster.
        """
        row = self._row_of.get(employee_id)
        if row is None:
            raise NotFound(f"employee {employee_id!r} is not on the roster of {self.data_dir}")
        rec = self.roster.iloc[row].to_dict()
        self.employee = {k: (None if pd.isna(v) else v) for k, v in rec.items()}
        if self.employee.get("cadence_months") is not None:
            self.employee["cadence_months"] = int(self.employee["cadence_months"])
        if self.screen != "start":
            self._close_current(save=True)
        self._reload_history()
        self._mark_current_result()
        if self.screen != "start":
            self._show_screen("start")
        self._sync_place()

    def _reload_history(self) -> None:
        eid = self.employee["employee_id"]
        history = self.store.history(eid)
        self.conversations, self.checkins, self.checkin_drafts = (history.conversations, history.checkins,
                                                                  history.checkin_drafts)
        self.plan = F.previous_plan(self.conversations, self.checkins)
        today = self.clock().date()
        self.employee_html.value = employee_card_html(self.employee, self.coach_label(self._coach_for_new()),
                                                      self.plan, today)
        self.glance_html.value = previous_plan_html(self.plan, today, self.coach_label)
        self.charts_panel.show_for(self.plan, self.conversations, self.checkins, today)
        drafts = [c for c in self.conversations if c["status"] == "draft"]
        offered = draft_to_offer(drafts)
        if offered:
            more = (f" ({len(drafts)} unfinished conversations; this is the last one worked on"
                    f"{' that holds answers' if draft_holds(offered) else ''})") if len(drafts) > 1 else ""
            self.draft_html.value = (f"<div><b>A conversation of {escape(human_date(offered['date']))} is not "
                                     f"finished</b>{more}. {_holds_html(offered)} Pick up where you left off?</div>")
        show(self.draft_box, bool(drafts))
        show(self.discard_confirm, False)
        show(self.start_confirm, False)
        self.start_button.description = "Start a new conversation" if drafts else "Start career conversation"
        (self.start_button.remove_class if drafts else self.start_button.add_class)("cc-primary")
        show(self.actions, True)
        show(self.checkin_button, self.plan.conversation is not None)
        self.checkin_button.description = "Resume check-in" if self.checkin_drafts else "Check-in"
        self._schedule_prepare()

    # ------------------------------------------------------------------ the conversation screen, built ahead
    def _schedule_prepare(self) -> None:
        if self._prepare_handle is not None:
            self._prepare_handle.cancel()
            self._prepare_handle = None
        if self.prepare_ahead:
            self._prepare_handle = self.scheduler.call_later(PREPARE_AFTER, self.guard(
                self.prepare_conversation, "Could not prepare the conversation"))

    def _new_record(self) -> dict:
        qs = self.main_sets[self.set_choice.value]
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
        offered = draft_to_offer([c for c in self.conversations if c["status"] == "draft"])
        record = offered if offered is not None else self._new_record()
        key = self._key_of(record)
        if key == self._prepared_key or record["question_set"] not in self.question_sets:
            return False
        qs = self._use_question_set(record)
        self._build_conversation(record)
        # on the page, hidden, with the section it would open on: the browser builds it now, not on the click
        show(self.conversation_screen, False)
        self._replace_other_screen(self.conversation_screen)
        timers = SectionTimers({s.id: s.minutes for s in qs.sections}, self.clock, record.get("sections"))
        self._show_in_section_box(self.views[timers.last_active() or qs.sections[0].id].widget)
        self._prepared_key = key
        return True

    def _charts_panel(self) -> SkillChartsPanel:
        return SkillChartsPanel(guard=self.guard, background=self.background,
                                deliver=lambda fn: self.scheduler.call_soon_threadsafe(self.guard(fn)))

    def _coach_for_new(self) -> str:
        return self.coach_choice.value or (self.employee or {}).get("coach_id") or ""

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
        offered = draft_to_offer([c for c in self.conversations if c["status"] == "draft"])
        if offered is None:
            return self.start_conversation()
        self.start_confirm_html.value = (
            f"<div><b>{escape(self.employee.get('name') or '')} already has an unfinished conversation of "
            f"{escape(human_date(offered['date']))}.</b> {_holds_html(offered)} A new conversation starts "
            "empty; the unfinished one stays as it is.</div>")
        show(self.start_confirm, True)
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
        offered = draft_to_offer([c for c in self.conversations if c["status"] == "draft"])
        if offered is None:
            return
        self.store.delete_draft(self.employee["employee_id"], offered["conversation_id"],
                                revision=offered["revision"])  # not if it changed since it was listed
        self._reload_history()

    def _use_question_set(self, record: dict) -> QuestionSet:
        qs = self.question_sets.get(record["question_set"])
        if qs is None:
            raise KeyError(f"conversation {record['conversation_id']!r} uses question set "
                           f"{record['question_set']!r}, which is not available; add its YAML file to "
                           f"{self.data_dir / 'question_sets'}")
        self.question_set = qs
        self.alternative_set = self.question_sets.get(qs.alternative) if qs.alternative else None
        return qs

    def _open_record(self, record: dict, prepared_as: tuple | None = None) -> None:
        """Open a conversation; ``prepared_as`` is the key it had when its screen may have been built ahead."""
        self._close_current(save=True)
        if self._prepare_handle is not None:
            self._prepare_handle.cancel()
            self._prepare_handle = None
        ready = self.screen == "start" and self._prepared_key is not None and \
            self._prepared_key == (prepared_as or self._key_of(record))
        self._prepared_key = None
        qs = self._use_question_set(record)
        self._base = dict(record)
        self.record = record
        self.locked = record["status"] == "completed"
        self.summary_path = None
        if not ready:
            self._build_conversation(record)
        self.timers = SectionTimers({s.id: s.minutes for s in qs.sections}, self.clock, record.get("sections"))
        if not self.locked:
            self.session = self.edit_session(record, snapshot=self.snapshot, on_open=self._reopen,
                                             on_leave=self._left_record, labels=self._labels)
            self.conflict_box.children = (self.session.widget,)
            self._show_status(SaveStatus("saved", _parse_time(record.get("updated_at") or record.get("created_at"))))
        else:
            self._show_status(SaveStatus("idle"))
        self._show_screen("conversation")
        first = self.timers.last_active() or qs.sections[0].id
        self.go_to(FINISH if self.locked else first)
        if self.locked:
            self._lock_view()
        else:
            self._schedule_tick()
            self._focus_first_answer()

    def _focus_first_answer(self) -> None:
        """Put the keyboard in the first empty answer box of the section shown (else the first box)."""
        if self.step == FINISH or self.step not in self.views:
            return
        boxes = [w for w in _walk(self.views[self.step].widget)
                 if isinstance(w, (W.Textarea, W.Text)) and not w.disabled and w.layout.display != "none"]
        target = next((w for w in boxes if not str(w.value).strip()), boxes[0] if boxes else None)
        if target is not None:
            target.focus()

    def _build_conversation(self, record: dict) -> None:
        qs = self.question_set
        date = dt.date.fromisoformat(record["date"])
        people = [p for p in (self.employee.get("name"), self.coach_label(record["coach_id"])) if p]
        self.ctx = EditorContext(on_change=self.guard(self._on_edit, "Could not record the change"), guard=self.guard, conversation_date=date,
                                 skill_names=self.suggested_skills, people=people + ["Both"],
                                 preferred_cadence=self.employee.get("cadence_months"),
                                 on_links_changed=self.guard(self._refresh_links, "Could not refresh the lists"),
                                 last_rating=functools.partial(self._last_rating, record["conversation_id"]))
        # Only the section on screen is built (LazySectionView); the structured editors are made when their
        # section is built, or when an editor made earlier depends on them (skills on dreams, action items on
        # skills) - then loaded from the record, which holds what they show until their section is visited.
        dreams_q, skills_q, items_q = qs.by_kind("dreams"), qs.by_kind("skills"), qs.by_kind("action_items")
        self._structured: dict[str, Editor] = {}

        def structured(kind: str, needed_by: str | None = None) -> Editor | None:
            if kind in self._structured:
                return self._structured[kind]
            if kind == "dreams":
                editor = DreamsEditor(dreams_q, self.ctx) if dreams_q else None
            elif kind == "skills":
                editor = SkillsEditor(skills_q, self.ctx, [q for q in qs.questions() if q.kind in SKILL_KINDS],
                                      structured("dreams", kind)) if skills_q else None
            else:
                editor = ActionItemsEditor(items_q, self.ctx, structured("skills", kind)) if items_q else None
            if editor is not None:
                if needed_by is not None:  # its section is not built: it shows the record until then
                    editor.load(record)
                self._structured[kind] = editor
            return editor

        def make_editor(q):
            if q.kind in ("dreams", "skills", "action_items"):
                return structured(q.kind)  # loaded with its section
            if q.kind in SKILL_KINDS:
                return None  # asked inside each skill's card
            if q.kind == "follow_up":
                return FollowUpEditor(q, self.ctx)
            if q.kind == "cadence":
                return CadenceEditor(q, self.ctx)
            return ANSWER_EDITORS[q.kind](q, self.ctx)

        alt_sections = {s.id: s for s in self.alternative_set.sections} if self.alternative_set else {}
        self.views = {s.id: LazySectionView(s, alt_sections.get(s.id), self.ctx, make_editor) for s in qs.sections}
        for view in self.views.values():
            view.load(record)
        self._schedule_build_next()

        name = escape(self.employee.get("name") or record["employee_id"])
        self.conv_title = html(f'<div class="cc-section-title">{name} <span class="cc-pill">'
                               f"{escape(human_date(record['date']))}</span></div>"
                               f'<div class="cc-muted">{with_coach(self.coach_label(record["coach_id"]))}'
                               f"{escape(qs.title)}</div>", "cc-conv-title")
        self.close_button = button("← People", "cc-link", "cc-close")
        self._on_click(self.close_button, self.close_conversation, "Could not leave the conversation")
        self.step_buttons: dict[str, W.Button] = {}
        for i, s in enumerate(qs.sections, start=1):
            b = button(f"{i}  {s.title}", "cc-step", f"cc-step-{s.id}")
            self._on_click(b, functools.partial(self.go_to, s.id), "Could not open the section")
            self.step_buttons[s.id] = b
        fin = button("✓  Finish", "cc-step", "cc-step-finish")
        self._on_click(fin, functools.partial(self.go_to, FINISH), "Could not open the section")
        self.step_buttons[FINISH] = fin
        self.total_html = html("", "cc-total")
        stepper = classed(W.HBox(list(self.step_buttons.values()) + [self.total_html]), "cc-stepper")
        before = F.previous_plan([c for c in self.conversations if c["conversation_id"] != record["conversation_id"]],
                                 self.checkins)
        before_html = previous_plan_html(before, self.clock().date(), self.coach_label)
        previous = W.Accordion(children=[classed(W.HTML(before_html),
                                                 "cc-glance-box")],
                               selected_index=None)
        previous.set_title(0, f"Previous conversation ({human_date(before.date)})" if before.date
                           else "Previous conversation (none yet)")
        previous.add_class("cc-previous")
        self.locked_html = html("", "cc-locked-banner")
        show(self.locked_html, False)

        self.missing_html = html("", "cc-missing")
        self.complete_button = button("Complete conversation", "cc-primary", "cc-complete")
        self._on_click(self.complete_button, self.complete, "Could not complete the conversation")
        self.complete_note = html("", "cc-complete-note")
        self.summary_html = html("", "cc-summary-view")
        self.open_summary_button = button("Open the summary in a new tab", "cc-primary", "cc-open-summary",
                                          tooltip="A page of its own, to print on one A4 sheet or save as PDF")
        self.download_summary_button = button("Download the summary (HTML)", "cc-download-summary",
                                              tooltip="The summary page as a file, for email or the archive")
        self.download_pdf_button = button("Download as PDF", "cc-download-summary-pdf",
                                          tooltip="The summary on one A4 page, as a PDF")
        self._on_click(self.open_summary_button, lambda: self.bridge.open_html(self.summary_page()),
                       "Could not open the summary")
        self._on_click(self.download_summary_button, self.download_summary, "Could not download the summary")
        self._on_click(self.download_pdf_button, self.download_summary_pdf, "Could not make the summary's PDF")
        self.summary_actions = classed(W.HBox([self.open_summary_button, self.download_summary_button,
                                               self.download_pdf_button]),
                                       "cc-row", "cc-summary-actions")
        show(self.summary_actions, False)
        self.finish_view = classed(W.VBox([
            html('<div class="cc-section-title">Finish</div><div class="cc-muted">Completing checks that the '
                 "conversation is whole, locks it, and writes a one-page summary for the employee.</div>"),
            self.missing_html, classed(W.HBox([self.complete_button, self.complete_note]), "cc-row"),
            self.summary_actions, self.summary_html]), "cc-card", "cc-finish")

        self.back_button = button("← Back", "cc-nav-back")
        self.next_button = button("Next →", "cc-primary", "cc-nav-next")
        self._on_click(self.back_button, functools.partial(self._step_by, -1), "Could not open the section")
        self._on_click(self.next_button, functools.partial(self._step_by, +1), "Could not open the section")
        self.section_box = W.VBox()
        footer = classed(W.HBox([self.back_button, self.next_button], layout=W.Layout(width="100%")),
                         "cc-row", "cc-footer")
        head = classed(W.HBox([self.conv_title, self.close_button], layout=W.Layout(
            width="100%", justify_content="space-between")), "cc-row")
        self.conflict_box = W.VBox(layout=W.Layout(width="100%"))  # the session's conflict box
        self.conversation_screen = classed(W.VBox([head, self.conflict_box, stepper, previous, self.locked_html,
                                                   self.section_box, footer]), "cc-conversation")

    def _schedule_build_next(self) -> None:
        """Build the sections not built yet one at a time, a moment apart: the section on screen comes first
        (on the click), the others while the coach reads it, so a click never waits for more than one."""
        views = self.views

        def build_next() -> None:
            if self.views is not views:
                return  # another conversation was opened since
            waiting = [v for v in views.values() if not v.built]
            if waiting:
                waiting[0].view  # noqa: B018 - building is the point
                if len(waiting) > 1:
                    self.scheduler.call_later(BUILD_NEXT_AFTER, self.guard(build_next, "Could not build a section"))

        self.scheduler.call_later(BUILD_NEXT_AFTER, self.guard(build_next, "Could not build a section"))

    def _last_rating(self, conversation_id: str, skill: str) -> str:
        """What the records before this conversation say about a skill ("" for a new one)."""
        before = F.previous_plan([c for c in self.conversations if c["conversation_id"] != conversation_id],
                                 self.checkins)
        return last_rating_text(skill, before, F.latest_ratings(
            [c for c in self.conversations if c["conversation_id"] != conversation_id], self.checkins))

    def _skills_editor(self) -> SkillsEditor | None:
        """The open conversation's skills editor, if it was made (its section built, or action items need it)."""
        editor = self._structured.get("skills")
        return editor if isinstance(editor, SkillsEditor) else None

    def _refresh_links(self) -> None:
        for view in self.views.values():
            view.refresh_links()

    def section(self, section_id: str) -> SectionView:
        """The view of a section of the open conversation.

        Raises
        ------
        KeyError
            If the question set has no such section.
        """
        try:
            return self.views[section_id].view
        except KeyError:
            raise KeyError(f"no section {section_id!r}; sections are: {', '.join(self.views)}") from None

    def editor(self, kind_or_id: str) -> Editor:
        """The editor of a question of the open conversation, by question id or kind.

        Raises
        ------
        KeyError
            If no section has such a question.
        """
        for view in self.views.values():
            try:
                return view.editor(kind_or_id)
            except KeyError:
                continue
        raise KeyError(f"the open conversation has no question {kind_or_id!r}")

    # ================================================================== navigation and timers
    def _order(self) -> list[str]:
        return list(self.views) + [FINISH]

    def go_to(self, step: str) -> None:
        """Show a section (or the Finish step); time runs for the section shown.

        Raises
        ------
        KeyError
            For an unknown step.
        """
        if step not in self._order():
            raise KeyError(f"no step {step!r}; steps are: {', '.join(self._order())}")
        self.step = step
        if self.timers is not None and not self.locked:
            if step == FINISH:
                self.timers.pause()
            else:
                self.timers.enter(step)
        if step in ("action_plan", "next_steps") or step == FINISH:
            self._refresh_links()
        if step == FINISH:
            self._update_missing()
        self._show_in_section_box(self.finish_view if step == FINISH else self.views[step].widget)
        order = self._order()
        index = order.index(step)
        self.back_button.disabled = index == 0
        show(self.next_button, step != FINISH)
        self.next_button.description = "Review and finish →" if order[index + 1:] == [FINISH] else "Next →"
        self._update_stepper()
        if not self.locked:
            self._on_edit(quiet=True)
        self._sync_place()

    def _show_in_section_box(self, shown: W.Widget) -> None:
        """Show one step's widget: a step is put on the page when first visited and then only hidden or shown,
        so going back to it costs the browser nothing (replacing a box's children rebuilds their views)."""
        if shown not in self.section_box.children:
            self.section_box.children = (*self.section_box.children, shown)
        for child in self.section_box.children:
            show(child, child is shown)

    def _step_by(self, step: int) -> None:
        order = self._order()
        index = max(0, min(len(order) - 1, order.index(self.step) + step))
        self.go_to(order[index])

    def _update_stepper(self) -> None:
        if self.timers is None:
            return
        for sid, b in self.step_buttons.items():
            if sid == FINISH:
                continue
            view = self.views[sid]
            number = list(self.views).index(sid) + 1
            b.description = f"{number}  {view.section.title}\n{self.timers.label(sid)}"
            over = self.timers.is_over(sid)
            (b.add_class if over else b.remove_class)("cc-step-over")
        for sid, b in self.step_buttons.items():
            (b.add_class if sid == self.step else b.remove_class)("cc-step-active")
        self.total_html.value = self.timers.total_label() + (" — over the suggested time" if
                                                             self.timers.total_over() else "")
        (self.total_html.add_class if self.timers.total_over() else self.total_html.remove_class)("cc-total-over")

    def _schedule_tick(self) -> None:
        if self._tick_handle is not None:
            self._tick_handle.cancel()
        self._tick_handle = self.scheduler.call_later(1.0, self.guard(self.tick))

    def tick(self) -> None:
        """Refresh the timers (runs every second while a conversation is open)."""
        self._tick_handle = None
        if self.screen != "conversation" or self.locked or self.timers is None:
            return
        self._update_stepper()
        self._ticks += 1
        if self._ticks % SNAPSHOT_EVERY_TICKS == 0 and self.timers.current is not None:
            self._on_edit(quiet=True)
        self._schedule_tick()

    # ================================================================== edits, saving, completing
    def snapshot(self) -> dict:
        """The open conversation as a record, built from the widgets now."""
        rec = dict(self._base)
        rec["answers"] = dict(self._base.get("answers") or {})
        timing = self.timers.as_record() if self.timers else {}
        sections = dict(self._base.get("sections") or {})
        for sid, view in self.views.items():
            merged = {**(sections.get(sid) or {}), **timing.get(sid, {}), **view.meta()}
            if merged:
                sections[sid] = merged
        rec["sections"] = sections
        for view in self.views.values():
            view.dump(rec)
        rec["updated_at"] = self.clock().isoformat(timespec="seconds")
        return rec

    def _on_edit(self, quiet: bool = False) -> None:
        if self.locked or self.session is None:
            return
        self.record = self.snapshot()
        self.session.changed(self.record, quiet=quiet)
        if self.step == FINISH:
            self._update_missing()

    def flush(self) -> dict | None:
        """Save any pending change now and wait for it (returns the stored record).

        Raises
        ------
        careerconv.store.Conflict, careerconv.store.NotOnRoster
            When the save is refused (the conflict box shows it too).
        careerconv.app.autosave.SavingPaused
            While a conflict is open with a change not saved.
        """
        if self.session is None:
            return self.record
        return self.session.flush()

    @property
    def autosaver(self) -> Autosaver | None:
        """The open conversation's autosaver (None when none is open, or it is locked)."""
        return self.session.autosaver if self.session is not None else None

    def edit_session(self, record: dict, *, snapshot: Callable[[], dict], on_open: Callable[[dict, str], None],
                     on_leave: Callable[[str], None], labels: Callable[[], dict] | None = None) -> EditSession:
        """The save path of an open conversation or check-in draft (autosave, compare-and-swap, conflicts).

        Parameters
        ----------
        record
            The record as stored (with its revision).
        snapshot, on_open, on_leave, labels
            See :class:`careerconv.app.session.EditSession`.
        """
        follow = FOLLOW_AFTER_RELOAD if self._arriving else 0.0
        return EditSession(self.store, record, snapshot=snapshot, on_open=on_open, on_leave=on_leave, follow=follow,
                           scheduler=self.scheduler, clock=self.clock, delay=self.autosave_delay,
                           max_wait=self.autosave_max_wait, background=self.background, on_status=self._show_status,
                           on_error=lambda exc: self.errors.show(exc, "Autosave failed"), guard=self.guard,
                           labels=labels, person=(self.employee or {}).get("name") or record["employee_id"])

    def _labels(self) -> dict[str, str]:
        """Merge-view labels of the open conversation's answers: "Goals: <the question>"."""
        return {f"answers.{q.id}": f"{s.title}: {q.prompt}" for qs in (self.question_set, self.alternative_set)
                if qs is not None for s in qs.sections for q in s.questions}

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
            if not notice and not self.locked and step in self._order() and step != self.step:
                self.go_to(step)
            target = self.session
        if not notice:
            return
        if target is not None:
            target.panel.notify(notice)
        else:
            self.locked_html.value += f'<div class="cc-note">{escape(notice)}</div>'

    def _left_record(self, notice: str) -> None:
        """The coach discarded their version (deleted elsewhere, or the person was erased)."""
        self.session = None
        self._show_screen("start")
        self._load_roster()
        self.team_loader.forget()
        self._run_search()
        if self.employee is not None and self.employee["employee_id"] not in self._row_of:
            self.employee = None
            show(self.actions, False)
            show(self.draft_box, False)
            self.glance_html.value = ""
            self.employee_html.value = f'<div class="cc-note">{escape(notice)}</div>'
        elif self.employee is not None:
            self._reload_history()
            self.employee_html.value = f'<div class="cc-note">{escape(notice)}</div>' + self.employee_html.value

    def _show_status(self, status: SaveStatus) -> None:
        self.status_html.value = escape(status.text)
        for state in ("saved", "error", "pending", "saving"):
            (self.status_html.add_class if status.state == state else self.status_html.remove_class)(
                f"cc-status-{state}")

    def missing(self) -> list[str]:
        """What the method still asks for before the conversation can be completed."""
        return missing_before_completing(self.snapshot())

    def _update_missing(self) -> None:
        if self.locked:
            self.missing_html.value = ""
            self.complete_note.value = ""
            return
        missing = self.missing()
        (self.complete_button.add_class if missing else self.complete_button.remove_class)("cc-blocked")
        self.complete_button.tooltip = (f"{len(missing)} things are still open (listed above)" if missing
                                        else "Lock the conversation and write the summary")
        if not missing:
            self.complete_note.value = ""
        if missing:
            items = "".join(f"<li>{escape(m)}</li>" for m in missing)
            self.missing_html.value = (f'<div class="cc-warn-box"><b>Still open before completing ({len(missing)})'
                                       f"</b><ul>{items}</ul></div>")
        else:
            self.missing_html.value = ('<div class="cc-ok"><b>Everything the method asks for is there.</b> '
                                       "Complete to lock the conversation and write the summary.</div>")

    def complete(self) -> list[str]:
        """Complete the open conversation: check it, save it as completed, lock it, write the summary.

        Returns
        -------
        list of str
            What is missing (nothing is saved as completed then); empty on success.
        """
        if self.locked or self.record is None:
            return []
        if self.step != FINISH:
            self.go_to(FINISH)
        try:
            self.flush()
        except (Conflict, NotOnRoster, SavingPaused):
            pass  # shown in the conflict box
        if self.session.problem is not None:
            return self._not_completed()
        missing = self.missing()
        if missing:
            self._update_missing()
            things = "one thing is" if len(missing) == 1 else f"{len(missing)} things are"
            more = " and more, listed above" if len(missing) > 1 else ""
            self.complete_note.value = (f'<div class="cc-warn" role="alert"><b>Not completed:</b> {things} still '
                                        f"open — {escape(missing[0])}{more}.</div>")
            return missing
        if self.timers:
            self.timers.pause()
        record = self.snapshot()
        now = self.clock()
        record["status"] = "completed"
        record["completed_at"] = now.isoformat(timespec="seconds")
        stored = self.session.save_now(record)
        if stored is None:
            return self._not_completed()
        self.session.close(flush=False)
        self.session = None
        self.record = stored
        self._base = dict(stored)
        self.locked = True
        self._write_summary(stored)
        self._lock_view()
        self._show_status(SaveStatus("saved", now))
        return []

    def _not_completed(self) -> list[str]:
        text = f"Not completed: {self.session.problem_text}; see the box at the top"
        self.missing_html.value = f'<div class="cc-warn-box">{escape(text)}</div>'
        return [text]

    def _summary_kwargs(self, record: dict) -> dict:
        return dict(employee=self.employee, coach_name=self.coach_label(record["coach_id"]),
                    question_set=self.question_set, alternative=self.alternative_set)

    def _write_summary(self, record: dict) -> None:
        self.summary_path = self.store.save_summary(record["employee_id"], record["conversation_id"],
                                                    self.summary_page(record))
        self.summary_html.value = summary_fragment(record, **self._summary_kwargs(record))

    def summary_page(self, record: dict | None = None) -> str:
        """The one-page summary of a completed conversation (the open one by default) as a standalone page.

        Raises
        ------
        ValueError
            If the conversation is not completed (a draft has no summary yet).
        """
        record = self._completed(record)
        return render_summary_html(record, **self._summary_kwargs(record))

    def summary_pdf(self, record: dict | None = None) -> bytes:
        """The one-page summary of a completed conversation (the open one by default) as an A4 PDF.

        Raises
        ------
        ValueError
            If the conversation is not completed.
        """
        record = self._completed(record)
        return render_summary_pdf(record, **self._summary_kwargs(record))

    def _completed(self, record: dict | None) -> dict:
        """``record`` (the open conversation by default), which must be completed to have a summary."""
        record = record or self.record
        if record is None or record.get("status") != "completed":
            raise ValueError("the summary is written when the conversation is completed; complete it first")
        return record

    def download_summary_pdf(self) -> str:
        """Offer the open conversation's summary as a PDF download; returns its file name."""
        name = f"career-conversation-summary-{self.record['conversation_id']}.pdf"
        self.bridge.download(self.summary_pdf(), name, "application/pdf")
        return name

    def download_summary(self) -> str:
        """Offer the open conversation's summary page as a file download; returns its file name."""
        name = f"career-conversation-summary-{self.record['conversation_id']}.html"
        self.bridge.download(self.summary_page().encode("utf-8"), name, "text/html")
        return name

    def _lock_view(self) -> None:
        for view in self.views.values():
            view.set_locked(True)
        show(self.complete_button, False)
        self.missing_html.value = ""
        when = human_datetime(self.record.get("completed_at"))
        where = f" The summary is saved at <code>{escape(str(self.summary_path))}</code>." if self.summary_path else ""
        self.locked_html.value = (f"<div>Completed {escape(when)} — this conversation is locked.{where}</div>")
        show(self.locked_html, True)
        if not self.summary_html.value:
            self.summary_html.value = summary_fragment(self.record, **self._summary_kwargs(self.record))
        show(self.summary_actions, True)
        if self._tick_handle is not None:
            self._tick_handle.cancel()
            self._tick_handle = None
        self._update_stepper()

    def close_conversation(self) -> None:
        """Save and leave the conversation; back to the start screen (a draft stays resumable)."""
        self._close_current(save=True)
        self._show_screen("start")
        if self.employee is not None:
            self._reload_history()

    def _close_current(self, save: bool) -> None:
        """Leave the open conversation or check-in, saving it (or not).

        Raises
        ------
        careerconv.app.session.ConflictOpen
            With ``save`` while the open record's conflict is not resolved (nothing is closed).
        """
        if self.screen == "checkin" and self.checkin_view is not None:
            self.checkin_view.close(save=save)
        if save and self.session is not None and self.session.problem is not None:
            self.session.close(flush=True)  # raises: the coach must choose first
        if self._tick_handle is not None:
            self._tick_handle.cancel()
            self._tick_handle = None
        if self.session is not None:
            if save and self.timers is not None and not self.locked:
                self.timers.pause()
                self._on_edit(quiet=True)
            self.session.close(flush=save)
            self.session = None

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
        other = {"conversation": getattr(self, "conversation_screen", None),
                 "checkin": self.checkin_view.widget if self.checkin_view else None}.get(screen)
        if other is not None and other not in self.body.children:
            self._replace_other_screen(other)
        for child in self.body.children:
            show(child, child is (other if other is not None else self.start_screen))
        if screen == "start":
            self._show_status(SaveStatus("idle"))
            if self.view_choice.value == "team" and self.coach_choice.value:
                self.refresh_team()  # what was just saved shows at once
        elif screen == "checkin":
            self._show_status(SaveStatus("idle"))
        self._sync_place()

    def _replace_other_screen(self, other: W.Widget) -> None:
        """Make ``other`` the one screen beside the start screen (hidden until shown), closing the one before."""
        olds = [old for old in self.body.children[1:] if old is not other]
        if any(old is getattr(self, "conversation_screen", None) for old in olds):
            self._prepared_key = None
        self.body.children = (self.start_screen, other)
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


def _walk(widget: W.Widget):
    """A widget and everything in it, depth first (in screen order)."""
    yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from _walk(child)


def _holds_html(draft: dict) -> str:
    holds = draft_holds(draft)
    saved = draft.get("updated_at") or draft.get("created_at")
    when = f" Last saved {escape(human_datetime(saved))}." if saved else ""
    if not holds:
        return f"It is empty (nothing was entered).{when}"
    return f"It holds {escape('; '.join(holds))}.{when}"


def _context_of(fn: Callable) -> str:
    name = getattr(fn, "__name__", "")
    readable = {"start_conversation": "Could not start the conversation",
                "resume_draft": "Could not resume the draft", "complete": "Could not complete the conversation",
                "select_employee": "Could not open this person", "open_checkin": "Could not open the check-in",
                "save": "Could not save", "_on_edit": "Could not record the change",
                "_leave_checkin": "Could not leave the check-in"}
    return readable.get(name, "Something went wrong")


def _parse_time(value) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


@atexit.register
def _save_all_at_exit() -> None:
    """A kernel shut down (tab closed in Voila, Kernel > Shut Down) still saves the last edits."""
    for app in list(_LIVE_APPS):
        try:
            app.shutdown()
        except Exception:  # at exit there is no one left to show it to; log it
            log.exception("could not save the open conversation at exit")
