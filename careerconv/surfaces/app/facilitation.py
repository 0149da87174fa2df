"""The coach's live app: one object that owns its screens and is displayed once.

``ConversationApp(data_dir=...)`` is a small shell around three screens: **start**
(:class:`careerconv.surfaces.app.start_screen.StartScreen`: coach, question set, a person's page, **My team**),
**conversation** (:class:`careerconv.surfaces.app.conversation_screen.ConversationScreen`: the sections in a
stepper with timers, then Finish and the one-page summary) and **check-in**
(:class:`careerconv.surfaces.app.checkin.CheckinView`).

The shell switches between them, shows errors raised in any widget callback in a banner (and logs them),
keeps the place in the page address (a reload lands back where the coach was), gives each open record its
save path - an :class:`~careerconv.surfaces.app.session.EditSession`: debounced autosave through the store,
compare-and-swap on the record's revision, a conflict box instead of an overwrite - and saves what is
pending when the page is hidden or the kernel exits. What a click does lives beside it:
:mod:`careerconv.surfaces.app.lifecycle` (the person open; start, resume, open, discard, close their
conversations), :mod:`careerconv.surfaces.app.checkin_routes` (into and out of a check-in),
:mod:`careerconv.surfaces.app.team_routes` (the team view and its rows) and
:mod:`careerconv.surfaces.app.conversation_shortcuts` (``app.editor(...)``, ``app.complete()``, ... on the
conversation open).
"""

from __future__ import annotations

import atexit
import functools
import logging
import os
import threading
import weakref
from html import escape
from typing import Callable

import ipywidgets as widgets

from careerconv.records import schema
from careerconv.records.questions import available_question_sets
from careerconv.records.schema import CHECKIN_ID, CONVERSATION_ID, EMPLOYEE_ID
from careerconv.records.store import Conflict, NotOnRoster, disk_refused
from .autosave import KEPT_AND_RETRIED, SavingPaused, SaveStatus
from .banner import KEPT, ErrorBanner
from .batching import batched
from .checkin_routes import CheckinRoutes
from .conversation_screen import ConversationScreen
from .conversation_shortcuts import OpenConversationShortcuts
from .data_folder import (days_of_other_coaches, names_of_other_coaches, no_people_html, not_among_coaches,
                          open_store, organisation_skill_names, resolve_data_dir, signed_in_coach, under_the_hub,
                          where_records_are)
from .lifecycle import ConversationLifecycle
from .page_bridge import PageBridge
from .page_liveness import PageLiveness
from .place import NEW_CHECKIN, Place, parse_place, place_fragment
from .roster_index import RosterIndex
from .roster_looks import RosterLooks
from .scheduling import ManualScheduler, Scheduler, default_scheduler
from .session import FOLLOW_AFTER_RELOAD, EditSession
from .skill_charts import SkillChartsPanel
from .start_screen import StartScreen
from .styles import style_widget
from .team import TeamView
from .team_loader import TeamLoader
from .team_routes import TeamRoutes
from .timers import Clock, system_clock
from .widgets import classed, close_tree, html, show

log = logging.getLogger("careerconv.surfaces.app")

CLOSE_AFTER = 2.0  # seconds after a screen was left before its widgets are closed
_LIVE_APPS: "weakref.WeakSet[ConversationApp]" = weakref.WeakSet()


def _part_of(part: str, name: str, doc: str) -> property:
    """A read-only attribute of the app that is ``name`` of its ``part`` (kept there only)."""
    return property(lambda app: getattr(getattr(app, part), name), doc=doc)


def _handed_to(part: str, method: Callable) -> Callable:
    """A method of the app that hands over to ``method`` of its ``part`` (same name, signature, docs)."""
    @functools.wraps(method)
    def hand_over(app: "ConversationApp", *args, **kwargs):
        return getattr(getattr(app, part), method.__name__)(*args, **kwargs)
    return hand_over


class ConversationApp(OpenConversationShortcuts):
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
        Preselect this coach (filters the employee search to their people); under the hub, by default the coach
        signed in (:func:`signed_in_coach`).
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
    page : PageLiveness
        When the page last beat; a conversation's clock stops once it is gone.
    lifecycle, checkin_routes, team_routes
        The person open and their conversations; the check-ins; the team view.
    errors, guard
        The error banner, and its :meth:`~careerconv.surfaces.app.banner.ErrorBanner.guard`, which wraps a
        callback so what it raises is shown there.
    where_html
        The header's line saying where the records are (:func:`where_records_are`).

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
        self.signed_in = signed_in_coach(self.store)  # under the hub: the coach signed in (None: the local app)
        coach_id = coach_id or self.signed_in  # their team shown
        self.clock: Clock = clock or system_clock
        self.scheduler: Scheduler = scheduler or default_scheduler()
        self.background = (not isinstance(self.scheduler, ManualScheduler)) if background_saves is None \
            else background_saves
        self.autosave_delay, self.autosave_max_wait = autosave_delay, autosave_max_wait
        if coach_id:
            schema.parse_identifier(coach_id, what="coach id")

        self.errors = ErrorBanner()
        self.guard = self.errors.guard  # every callback's errors reach the banner
        self.status_html = html("", "cc-status")
        self.skill_names: list[str] = []
        self.lifecycle = ConversationLifecycle(self, prepare_ahead=bool(prepare_ahead))
        self.checkin_routes = CheckinRoutes(self)
        self.team_routes = TeamRoutes(self)
        self._on_page: ConversationScreen | None = None  # the conversation screen among the body's children
        self._arriving = False  # opening what the page address names (a reload)
        self.screen = "start"

        with batched():  # the first page reaches the browser as one message per widget
            self.team_loader = TeamLoader(self.team_routes.read_team, background=self.background,
                                          deliver=lambda fn: self.scheduler.call_soon_threadsafe(self.guard(fn)))
            self._load_roster()
            self._load_question_sets(question_set)
            self.roster_looks = RosterLooks(self.refresh_roster,
                                            self.guard(lambda: self.start_screen.run_search(), "Could not search"),
                                            clock=self.clock, scheduler=self.scheduler)
            self.start_screen = StartScreen(
                self.people, question_sets=self.main_sets, wanted_set=self.wanted_set, coach_id=coach_id,
                no_people=no_people_html(self.store, self.data_dir), guard=self.guard, team_loader=self.team_loader,
                today=lambda: self.clock().date(), charts_panel=self.charts_panel(),
                on_select=self.select_employee, on_start=self.ask_start, on_start_anyway=self.start_conversation,
                on_resume=lambda: self.resume_draft(self.start_screen.chosen_draft),
                on_discard=lambda: self.discard_draft(self.start_screen.chosen_draft), on_checkin=self.open_checkin,
                on_discard_checkin=self.lifecycle.discard_checkin_draft,
                on_team_person=self.team_routes.open_person, on_team_conversation=self.team_routes.open_conversation,
                on_team_checkin=self.team_routes.open_checkin, on_place_changed=self.sync_place,
                signed_in=self.signed_in, on_nobody_found=self.roster_looks.nobody_found)
            self.body = widgets.VBox([self.start_screen.widget])
            where, tooltip = where_records_are(self.store, self.data_dir)
            self.where_html = html(f'<div class="cc-sub" title="{escape(tooltip)}">{escape(where)}</div>',
                                   "cc-title")
            header = classed(widgets.HBox([self.where_html, self.status_html], layout=widgets.Layout(width="100%")),
                             "cc-header")
            self.page = PageLiveness(self.clock)
            self.bridge = PageBridge(
                on_arrived=self.page_arrived,
                on_hidden=self.guard(self.save_pending, "Could not save when the page was hidden"),
                on_beat=self.guard(self.page_beat, "Could not go on after the page came back"),
                beat_every=self.page.beat_every)
            self.widget = classed(widgets.VBox([style_widget(), header, self.errors.widget, self.body, self.bridge],
                                               layout=widgets.Layout(width="100%")), "cc-app")
            _LIVE_APPS.add(self)
            self._load_skill_names()
            if employee_id:
                self.guard(self.select_employee)(employee_id)

    # ================================================================== the person and the records open
    employee = _part_of("lifecycle", "employee", "The employee open (None: nobody).")
    conversations = _part_of("lifecycle", "conversations", "The open employee's conversations.")
    checkins = _part_of("lifecycle", "checkins", "The open employee's completed check-ins.")
    checkin_drafts = _part_of("lifecycle", "checkin_drafts", "The open employee's draft check-ins.")
    plan = _part_of("lifecycle", "plan", "The plan of the open employee's previous conversation.")
    conversation = _part_of("lifecycle", "conversation", "The conversation open (or open last), or None.")
    checkin_view = _part_of("checkin_routes", "view", "The check-in open (or open last), or None.")

    @property
    def conversation_screen(self) -> ConversationScreen | None:
        """The conversation screen on the page: the one open, or the one built ahead (hidden)."""
        return self._on_page

    @property
    def team(self) -> TeamView:
        """The start screen's team view."""
        return self.start_screen.team

    select_employee = _handed_to("lifecycle", ConversationLifecycle.select_employee)
    ask_start = _handed_to("lifecycle", ConversationLifecycle.ask_start)
    start_conversation = _handed_to("lifecycle", ConversationLifecycle.start_conversation)
    resume_draft = _handed_to("lifecycle", ConversationLifecycle.resume_draft)
    open_conversation = _handed_to("lifecycle", ConversationLifecycle.open_conversation)
    discard_draft = _handed_to("lifecycle", ConversationLifecycle.discard_draft)
    close_conversation = _handed_to("lifecycle", ConversationLifecycle.close_conversation)
    prepare_conversation = _handed_to("lifecycle", ConversationLifecycle.prepare_conversation)
    open_checkin = _handed_to("checkin_routes", CheckinRoutes.open_checkin)
    show_team = _handed_to("team_routes", TeamRoutes.show_team)
    refresh_team = _handed_to("team_routes", TeamRoutes.refresh_team)
    show_people = _handed_to("team_routes", TeamRoutes.show_people)

    # ================================================================== the place in the page address
    def place(self) -> Place:
        """Where the coach is now (what the page address names)."""
        eid = (self.employee or {}).get(EMPLOYEE_ID) or ""
        conversation = checkin = step = ""
        if self.screen == "conversation" and self.record is not None:
            conversation, step = self.record[CONVERSATION_ID], self.step or ""
        elif self.screen == "checkin" and self.checkin_view is not None:
            checkin = self.checkin_view.draft.get(CHECKIN_ID) or NEW_CHECKIN
        return Place(coach=self.start_screen.coach or "", view=self.start_screen.view, employee=eid,
                     conversation=conversation, checkin=checkin, step=step)

    def sync_place(self) -> None:
        """Write where the coach is now into the page address."""
        if hasattr(self, "bridge"):
            self.bridge.place = place_fragment(self.place())

    def page_arrived(self, fragment: str) -> None:
        """The page connected (opened, or reloaded): the roster is read again if it changed since the app read it,
        then what the page address names (``fragment``, "" for nothing) is opened.

        ``careerconv app`` heats a kernel, and builds the app in it, before any page asks for it: without the
        second read, a roster imported meanwhile showed on the first page as it was before (a renamed person under
        the old name, a leaver offered for a new conversation).
        """
        nothing_typed = ""  # the page just arrived: no "your typing is kept"
        self.guard(self.refresh_roster, "Could not read the roster again", nothing_typed)()
        if fragment:
            self.guard(self.go_to_place, "Could not open the place in the page address", nothing_typed)(fragment)

    def page_beat(self) -> None:
        """The page is there (it beat or arrived): a conversation whose clock stopped while it was gone goes on."""
        self.page.beat()
        if self._on_page is not None:
            self._on_page.page_back()

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
        if self.people.frame.empty and under_the_hub(self.store):
            return  # under the hub, a coach who coaches nobody now: the start screen says so, and what to do
        if place.coach and place.coach not in self.start_screen.coaches():
            raise ValueError(not_among_coaches(self.store, place.coach))
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
                if not any(c[CONVERSATION_ID] == place.conversation for c in self.conversations):
                    raise ValueError(f"{self.employee['name']} has no conversation {place.conversation!r} (any more)")
                self.open_conversation(place.conversation)
                if place.step and place.step in self.conversation.order():
                    self.go_to(place.step)
            elif place.checkin:
                self.checkin_routes.open_named(place.checkin)
        finally:
            self._arriving = False

    def save_pending(self) -> None:
        """Save what is typed but not saved yet, now (the page was hidden or is being closed).

        A save that is refused (changed elsewhere) is shown in the conflict box, as always.
        """
        for session in self._open_sessions():
            if session.problem is None:
                try:
                    session.flush()
                except (Conflict, NotOnRoster, SavingPaused):
                    pass  # the conflict box says so

    # ================================================================== display and errors
    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def show_status(self, status: SaveStatus) -> None:
        """Show the open record's save status in the header."""
        self.status_html.value = escape(status.text)
        if status.state == "saved" and status.saved_at is not None and hasattr(self, "bridge"):
            self.bridge.saved_at = f"{status.saved_at:%H:%M:%S}"
        for state in ("saved", "error", "pending", "saving"):
            (self.status_html.add_class if status.state == state else self.status_html.remove_class)(
                f"cc-status-{state}")

    # ================================================================== loading (through the store)
    def _load_roster(self) -> None:
        self.roster_problem = ""
        # what was read: taken before the read, so a change during it is seen by the next refresh_roster
        self._roster_read = (self.store.roster_version(), self.clock().date())
        try:
            roster = self.store.roster()
        except schema.ValidationError as exc:
            roster = schema.ROSTER.empty()
            self.roster_problem = str(exc)
            self.errors.show(exc, "The roster cannot be read")
        self.people = RosterIndex(roster, self.clock().date(), names_of_other_coaches(self.store),
                                  days_of_other_coaches(self.store), signed_in=self.signed_in)
        self.roster = self.people.frame

    def _load_question_sets(self, wanted: str) -> None:
        try:
            self.question_sets = self.store.question_sets()
        except schema.ValidationError as exc:
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
            for screen in (self.conversation, self.lifecycle.prepared[1] if self.lifecycle.prepared else None):
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

    def coach_label(self, coach_id: str | None) -> str:
        """``"Grace Hopper (C01)"`` when the coach is on the roster, else the id."""
        return self.people.coach_label(coach_id)

    def charts_panel(self) -> SkillChartsPanel:
        """A new panel of each skill's rating chart (drawn off the kernel's thread when saves are)."""
        return SkillChartsPanel(guard=self.guard, background=self.background,
                                deliver=lambda fn: self.scheduler.call_soon_threadsafe(self.guard(fn)))

    def reload_roster(self) -> None:
        """Read the roster again (a person was erased or moved meanwhile): the search, the coach picker and the
        team view follow it."""
        self._load_roster()
        self.start_screen.show_roster(self.people)

    def refresh_roster(self) -> bool:
        """:meth:`reload_roster` if the roster changed since it was read (a new version of the file, or under the
        hub of the rows the records service shows this coach), or the day on which who is still here is judged
        did (someone's last day has passed); else nothing (a file's status read, or one small request, no more).
        Returns whether it read the roster again."""
        if self._roster_read == (self.store.roster_version(), self.clock().date()):
            return False
        self.reload_roster()
        return True

    # ================================================================== save paths and conflicts
    def edit_session(self, record: dict, *, snapshot: Callable[[], dict], on_open: Callable[[dict, str], None],
                     on_leave: Callable[[str], None], labels: Callable[[], dict] | None = None,
                     on_withdrawn: Callable[[], None] | None = None) -> EditSession:
        """The save path of an open conversation or check-in draft (autosave, compare-and-swap, conflicts).

        Parameters
        ----------
        record
            The record as stored (with its revision).
        snapshot, on_open, on_leave, labels, on_withdrawn
            See :class:`careerconv.surfaces.app.session.EditSession`.
        """
        follow = FOLLOW_AFTER_RELOAD if self._arriving else 0.0
        return EditSession(self.store, record, snapshot=snapshot, on_open=on_open, on_leave=on_leave, follow=follow,
                           scheduler=self.scheduler, clock=self.clock, delay=self.autosave_delay,
                           max_wait=self.autosave_max_wait, background=self.background, on_status=self.show_status,
                           on_error=self.autosave_failed, guard=self.guard,
                           labels=labels, person=(self.employee or {}).get("name") or record[EMPLOYEE_ID],
                           on_withdrawn=on_withdrawn)

    def autosave_failed(self, exc: BaseException) -> None:
        """Show why a save failed; one the storage refused (a disk full, the server unreachable) is tried again."""
        self.errors.show(exc, "Autosave failed", KEPT_AND_RETRIED if disk_refused(exc) else KEPT)

    def _open_sessions(self) -> list[EditSession]:
        """The save paths open: the conversation's and the check-in's."""
        return [s for s in (self.session, self.checkin_view.session if self.checkin_view else None) if s is not None]

    def close_current(self, save: bool) -> None:
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

    # ================================================================== screens
    def show_screen(self, screen: str) -> None:
        """Show a screen. The start screen stays on the page (hidden while another screen shows), so coming
        back to it costs the browser nothing; the conversation or check-in being worked on is the one other
        child, and the widgets of the one it replaces are closed."""
        self.screen = screen
        conversation = self.conversation if screen == "conversation" else None
        other = conversation.widget if conversation is not None else \
            self.checkin_view.widget if screen == "checkin" and self.checkin_view is not None else None
        if other is not None and other not in self.body.children:
            self.replace_other_screen(other, conversation)
        shown = other if other is not None else self.start_screen.widget
        for child in self.body.children:
            show(child, child is shown)
        if screen in ("start", "checkin"):
            self.show_status(SaveStatus("idle"))
        if screen == "start" and self.start_screen.view == "team" and self.start_screen.coach:
            self.refresh_team()  # what was just saved shows at once
        self.sync_place()

    def replace_other_screen(self, other: widgets.Widget, conversation: ConversationScreen | None = None) -> None:
        """Make ``other`` (``conversation``'s widget, or a check-in's) the one screen beside the start screen
        (hidden until shown), closing the one before."""
        olds = [old for old in self.body.children[1:] if old is not other]
        left = self._on_page
        if left is not None and left.widget in olds:
            left.retire()
            self.lifecycle.retired(left)
        self._on_page = conversation
        self.body.children = (self.start_screen.widget, other)
        # Closing a few hundred widgets is a message each: done a moment later, not while the click waits.
        self.scheduler.call_later(CLOSE_AFTER, self.guard(lambda: [close_tree(old) for old in olds],
                                                          "Could not tidy up the screen left"))

    def shutdown(self) -> None:
        """Save what is pending and stop timers (called at kernel exit too).

        An unresolved conflict is kept as a separate draft (never overwriting the other version).
        """
        for session in self._open_sessions():
            if session.problem is not None:
                session.rescue()
                session.close(flush=False)
        self.close_current(save=True)


@atexit.register
def _save_all_at_exit() -> None:
    """A kernel shut down (tab closed in Voila, Kernel > Shut Down) still saves the last edits."""
    for app in list(_LIVE_APPS):
        try:
            app.shutdown()
        except Exception:  # at exit there is no one left to show it to; log it
            log.exception("could not save the open conversation at exit")
