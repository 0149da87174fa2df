"""The start screen: who the coach is meeting, and what to do with them.

Pick the coach and the question set; **Find a person** searches the roster by name or id and opens one
person's page (their card, a draft to resume or discard, Start / Check-in, the previous conversation at a
glance and each skill's rating chart); **My team** shows a coach's reports at a glance
(:class:`careerconv.surfaces.app.team.TeamView`). The screen only shows and asks: what a click does (open a person,
start, resume, discard, check in) is the app's (:class:`careerconv.surfaces.app.facilitation.ConversationApp`),
passed in as callbacks.
"""

from __future__ import annotations

import datetime as dt
import functools
from html import escape
from typing import Callable, Sequence

import ipywidgets as widgets

from careerconv.records import leavers
from careerconv.rules import followup
from careerconv.records.dates import human_date, human_datetime
from careerconv.records.questions import QuestionSet
from careerconv.records.schema import CHECKIN_ID, COACH_ID, CONVERSATION_ID, EMPLOYEE_ID, STATUS
from careerconv.records.text_direction import isolated
from .conflicts import action_item_labels, answer_labels, record_text
from .drafts import checkin_holds, draft_holds, draft_to_offer, newest_first, split_drafts, written_by_other_than
from .glance import employee_card_html, previous_plan_html
from .line_breaks import then_whole
from .roster_index import RosterIndex
from .skill_charts import SkillChartsPanel
from .team import TeamView
from .team_loader import TeamLoader
from .widgets import button, classed, html, named, show

MAX_RESULTS = 12  # people listed at once; typing narrows the list


class StartScreen:
    """The start screen's widgets (``.widget``) and what they show.

    Parameters
    ----------
    people
        The roster to search.
    question_sets
        The question sets to offer (id -> set), and ``wanted_set`` the one chosen at first.
    coach_id
        The coach chosen at first ("" or None: all coaches).
    no_people
        What to say (HTML) when the roster is empty (:func:`careerconv.surfaces.app.data_folder.no_people_html`).
    guard
        Wraps a callback so its errors reach the app's banner (:meth:`ConversationApp.guard`).
    team_loader, today
        Reads a coach's team (in the background when it can); today's date.
    charts_panel
        The person page's skill charts.
    on_select, on_start, on_start_anyway, on_resume, on_discard, on_checkin, on_discard_checkin
        What the person list and the person page's buttons do (select takes the employee id, discarding a draft
        check-in its id).
    on_team_person, on_team_conversation, on_team_checkin
        What the team view's rows do (each takes the employee id).
    on_place_changed
        Called when what the page address names changed here (coach, view).
    signed_in
        The coach signed in under the hub (None: the local app): a draft another coach wrote is shown to read,
        not offered to resume or discard.
    on_nobody_found
        Called when a search finds nobody: reads the roster again if it changed (someone may have just moved to
        this coach; at most every few seconds, :mod:`~careerconv.surfaces.app.roster_looks`) and returns True if
        it did (the search then ran again on it).
    """

    def __init__(self, people: RosterIndex, *, question_sets: dict[str, QuestionSet], wanted_set: str,
                 coach_id: str | None, no_people: str, guard: Callable, team_loader: TeamLoader,
                 today: Callable[[], dt.date], charts_panel: SkillChartsPanel, on_select: Callable[[str], object],
                 on_start: Callable[[], object], on_start_anyway: Callable[[], object],
                 on_resume: Callable[[], object], on_discard: Callable[[], object], on_checkin: Callable[[], object],
                 on_discard_checkin: Callable[[str], object],
                 on_team_person: Callable[[str], None], on_team_conversation: Callable[[str], None],
                 on_team_checkin: Callable[[str], None], on_place_changed: Callable[[], None],
                 signed_in: str | None = None, on_nobody_found: Callable[[], bool] | None = None):
        self.people = people
        self.guard = guard
        self.team_loader = team_loader
        self.today = today
        self.on_select = on_select
        self.signed_in = signed_in
        self._labels = answer_labels(question_sets.values())  # the questions, for a former coach's draft
        self.on_nobody_found = on_nobody_found
        self.on_place_changed = on_place_changed
        self.current: str | None = None  # the employee whose page is open
        self._name = ""  # their name
        self._person_coach = ""  # their coach on the roster
        self._new_coach = ""  # the coach meeting them now: a draft another coach wrote is said to be theirs

        self._own_coach = coach_id or ""  # offered even while they coach nobody (the coach signed in)
        self._refilling = False  # the coach picker's options are being replaced (a roster read again)
        options = self._coach_options()
        self.coach_choice = classed(widgets.Dropdown(options=options, value=_first_offered(options, coach_id or ""),
                                                     description="Coach"),
                                    "cc-coach")  # as wide as its longest coach: styles.py
        show(self.coach_choice, bool(self.coaches()))
        self.view_choice = classed(widgets.ToggleButtons(options=[("Find a person", "person"), ("My team", "team")],
                                                         value="person", style={"button_width": "auto"},
                                                         tooltips=["Search the roster and open one person",
                                                                   "Every report of this coach at a glance"]),
                                   "cc-choice", "cc-view-choice")
        self.team_hint = html('<span class="cc-muted">Choose a coach to see their team at a glance.</span>',
                              "cc-team-hint")
        # what the closed picker may not have room to say (a phone): the coach chosen has left; who is chosen
        self.coach_left_html = html("", "cc-coach-left-hint")
        self.coach_chosen_html = html("", "cc-coach-chosen")
        self.view_choice.observe(guard(lambda _c: self.show_view(), "Could not open the team view"), names="value")
        self.set_choice = classed(widgets.Dropdown(options=[(qs.title, k) for k, qs in question_sets.items()],
                                                   value=wanted_set, description="Questions",
                                                   layout=widgets.Layout(width="100%")), "cc-question-set")
        self.search = named(classed(widgets.Text(placeholder="Name or employee id", continuous_update=True,
                                                 layout=widgets.Layout(width="100%")), "cc-search"),
                            "Search people by name or employee id")
        # One button per person, bound to the employee id: a click on a list that is being
        # re-filtered still opens the person the coach saw (a Select syncs by position).
        self.results = classed(widgets.VBox(layout=widgets.Layout(width="100%")), "cc-results")
        self.result_buttons: dict[str, widgets.Button] = {}
        self.results_note = html("", "cc-muted", "cc-results-note")
        self.search.observe(guard(lambda _c: self.run_search(), "Search failed"), names="value")
        self.coach_choice.observe(guard(lambda _c: self._refilling or self.run_search(), "Search failed"),
                                  names="value")
        self.coach_choice.observe(guard(lambda _c: self._refilling or self.coach_changed(),
                                        "Could not open the team view"), names="value")

        self.employee_html = html('<div class="cc-muted">Pick the person you are meeting to see their previous '
                                  "conversation and start.</div>", "cc-employee-card")
        self.start_button = button("Start career conversation", "cc-primary", "cc-start")
        self.checkin_button = button("Check-in", "cc-open-checkin",
                                     tooltip="Follow up the plan in a regular one-on-one")
        self._on_click(self.start_button, on_start, "Could not start the conversation")
        self._on_click(self.checkin_button, on_checkin, "Could not open the check-in")
        self.draft_html = html("", "cc-draft-text")
        # Several drafts (two tabs on one draft keep the second one's typing as a draft of its own): the coach
        # picks the one to resume or discard; the one offered first is the one draft_to_offer picks.
        self.draft_choice = classed(widgets.Dropdown(options=[], description="Draft",
                                                     style={"description_width": "initial"},
                                                     layout=widgets.Layout(width="100%", max_width="40em")),
                                    "cc-draft-choice")
        self.draft_choice.observe(guard(lambda _c: self._describe_draft(), "Could not show the draft"), names="value")
        self._drafts: dict[str, dict] = {}
        self.resume_button = button("Resume draft", "cc-primary", "cc-resume")
        self.discard_button = button("Discard draft…", "cc-link", "cc-discard")
        self.discard_confirm = button("Yes, discard it", "cc-danger", "cc-discard-confirm")
        self._on_click(self.resume_button, on_resume, "Could not resume the draft")
        self._on_click(self.discard_button, lambda: show(self.discard_confirm, True), "Could not discard the draft")
        self._on_click(self.discard_confirm, on_discard, "Could not discard the draft")
        show(self.discard_confirm, False)
        self.draft_box = classed(widgets.VBox([self.draft_html, self.draft_choice,
                                               classed(widgets.HBox([self.resume_button, self.discard_button,
                                                                     self.discard_confirm]), "cc-row")]),
                                 "cc-warn-box", "cc-draft-offer")
        # A draft check-in dated after its person left is discarded here, not continued (no "Resume check-in")
        self.checkin_draft_html = html("", "cc-checkin-draft-text")
        self.checkin_discard_button = button("Discard check-in draft…", "cc-link", "cc-discard-checkin")
        self.checkin_discard_confirm = button("Yes, discard it", "cc-danger", "cc-discard-checkin-confirm")
        self._checkin_draft_id: str | None = None  # the draft check-in the box offers to discard
        self._on_click(self.checkin_discard_button, lambda: show(self.checkin_discard_confirm, True),
                       "Could not discard the check-in draft")
        self._on_click(self.checkin_discard_confirm, lambda: on_discard_checkin(self._checkin_draft_id),
                       "Could not discard the check-in draft")
        self.checkin_discard_row = classed(widgets.HBox([self.checkin_discard_button, self.checkin_discard_confirm]),
                                           "cc-row")
        # ... or, written by another coach than the one meeting them now, is said to be theirs before it is resumed
        self.checkin_draft_box = classed(widgets.VBox([self.checkin_draft_html, self.checkin_discard_row]),
                                         "cc-warn-box", "cc-checkin-draft-offer")
        show(self.checkin_draft_box, False)
        # A draft a former coach wrote (the person moved to this coach with it): shown to read, never resumed
        self.former_drafts_html = html("", "cc-former-drafts")
        show(self.former_drafts_html, False)
        # "Start a new conversation" while a draft exists asks first, showing what the draft holds
        self.start_confirm_html = html("", "cc-start-confirm-text")
        self.start_anyway = button("Start a new one anyway", "cc-start-anyway")
        self.start_resume = button("Resume the draft", "cc-primary", "cc-start-resume")
        self.start_cancel = button("Cancel", "cc-link", "cc-start-cancel")
        self._on_click(self.start_anyway, on_start_anyway, "Could not start the conversation")
        self._on_click(self.start_resume, on_resume, "Could not resume the draft")
        self._on_click(self.start_cancel, lambda: show(self.start_confirm, False), "Could not cancel")
        self.start_confirm = classed(widgets.VBox([self.start_confirm_html, classed(
            widgets.HBox([self.start_resume, self.start_anyway, self.start_cancel]), "cc-row")]),
            "cc-warn-box", "cc-start-confirm")
        show(self.start_confirm, False)
        self.actions = classed(widgets.HBox([self.start_button, self.checkin_button]), "cc-row", "cc-actions")
        self.glance_html = html("", "cc-glance-box")
        self.charts_panel = charts_panel
        self.employee_panel = classed(widgets.VBox([self.employee_html, self.draft_box, self.former_drafts_html,
                                                    self.checkin_draft_box,
                                                    self.actions,
                                                    self.start_confirm,
                                                    self.glance_html, self.charts_panel.widget],
                                                   layout=widgets.Layout(flex="1 1 auto", width="auto", min_width="0")),
                                      "cc-card", "cc-employee-panel")
        show(self.draft_box, False)
        show(self.actions, False)
        picker_parts: list[widgets.Widget] = [html('<h2 class="cc-h cc-h-small">Who are you meeting?</h2>'),
                                              self.set_choice, self.search, self.results, self.results_note]
        self.no_roster_html = html(f'<div class="cc-warn-box">{no_people}</div>', "cc-no-roster")
        show(self.no_roster_html, people.frame.empty)
        picker_parts.append(self.no_roster_html)
        picker = classed(widgets.VBox(picker_parts, layout=widgets.Layout(width="330px", flex="0 0 330px")), "cc-card",
                         "cc-picker")
        self.person_view = classed(widgets.HBox([picker, self.employee_panel],
                                                layout=widgets.Layout(width="100%", align_items="flex-start")),
                                   "cc-row", "cc-person-view")
        self.team = TeamView(guard=guard, on_person=on_team_person, on_conversation=on_team_conversation,
                             on_checkin=on_team_checkin, on_refresh=self.refresh_team)
        self.start_bar = classed(widgets.HBox([self.coach_choice, self.coach_chosen_html, self.view_choice,
                                               self.team_hint, self.coach_left_html],
                                              layout=widgets.Layout(width="100%")), "cc-row", "cc-start-bar")
        self.widget = classed(widgets.VBox([self.start_bar, self.person_view], layout=widgets.Layout(width="100%")),
                              "cc-start-screen")
        self.run_search()
        self.coach_changed()

    def _on_click(self, b: widgets.Button, action: Callable[[], object], context: str) -> None:
        """Run ``action`` when ``b`` is clicked while this screen shows.

        The browser sends every click of a double click before the page changes, so the second one reaches the
        app once the first has opened another screen: a button of this screen, hidden by then, does nothing (the
        second click of "Start" made a second, empty draft).
        """
        def clicked(_b: widgets.Button) -> None:
            if self.widget.layout.display != "none":
                action()

        b.on_click(self.guard(clicked, context))

    # ------------------------------------------------------------------ coach and view
    @property
    def coach(self) -> str:
        """The coach chosen ("" for all coaches, or none to choose)."""
        return self.coach_choice.value or ""

    @property
    def view(self) -> str:
        """``"person"`` (find a person) or ``"team"`` (the coach's team)."""
        return self.view_choice.value

    def _coach_options(self) -> list[tuple[str, str]]:
        """The coach picker's options for :attr:`people`: "All coaches" where there are two or more to choose
        between (or someone on no coach's team, whom only it finds), then each coach by their label. One coach (a
        local roster with one; under the hub, the coach signed in, who reads only their own people) is offered
        alone, and chosen: "All coaches" beside them offered a choice there is not. None when nobody coaches anyone
        on it (the picker is then hidden)."""
        coaches = self.people.coaches()
        if self._own_coach and self._own_coach not in coaches:
            coaches.append(self._own_coach)
        if not coaches:
            return []
        every = [("All coaches", "")] if len(coaches) > 1 or self.people.anyone_on_no_team() else []
        return every + [(self.people.coach_option_label(c), c) for c in coaches]

    def coaches(self) -> list[str]:
        """The coaches the coach picker offers."""
        return [value for _label, value in self.coach_choice.options if value]

    def choose(self, coach: str | None = None, view: str | None = None) -> None:
        """Choose a coach and/or a view, as the coach would in the pickers (what depends on them follows). All
        coaches (``coach`` "") where the picker does not offer them keeps the coach chosen (one coach to offer, as
        under the hub: a page address that names no coach, or one refused, leaves them chosen)."""
        offered = [value for _label, value in self.coach_choice.options]
        if coach is not None and coach != self.coach and coach in offered:
            self.coach_choice.value = coach
        if view is not None and view != self.view_choice.value:
            self.view_choice.value = view

    def coach_changed(self) -> None:
        """Follow a new coach choice: prefetch their team, offer "My team", redraw it if it shows, and the open
        person's page (the coach of a new conversation with them may have changed)."""
        self.on_place_changed()
        coach = self.coach
        if self.current is not None and self.current in self.people:
            self.on_select(self.current)
        if coach:
            self.team_loader.prefetch(coach)  # "My team" is then ready, or nearly
        show(self.view_choice, bool(coach))
        show(self.team_hint, not coach and bool(self.coaches()))  # no coach to choose: the roster's box says why
        away = self.people.coach_away_hint(coach)
        self.coach_left_html.value = f'<div class="cc-warn-box">{escape(away)}</div>' if away else ""
        show(self.coach_left_html, bool(away) and self.view_choice.value == "person")  # the team view says it
        # the chosen coach in full, wrapped, where the closed picker cuts a long name (styles.py shows it on a
        # phone); a screen reader hears it from the picker itself. A coach who is not here is named in full above.
        chosen = self.people.coach_choice_label(coach) if coach and not away else ""
        self.coach_chosen_html.value = (f'<div aria-hidden="true"><span class="cc-muted">Coach:</span> '
                                        f'{escape(chosen)}</div>' if chosen else "")
        show(self.coach_chosen_html, bool(chosen))
        if self.view_choice.value == "team":
            if coach:
                self.refresh_team()
            else:
                self.view_choice.value = "person"

    def show_view(self) -> None:
        """Show the view chosen: the team view, or the search list and the person page."""
        team = self.view_choice.value == "team"
        if team:
            self.refresh_team()
        if self.team.widget not in self.widget.children:  # built once, then only shown or hidden
            self.widget.children = (*self.widget.children, self.team.widget)
        show(self.team.widget, team)
        show(self.person_view, not team)
        show(self.coach_left_html, bool(self.coach_left_html.value) and not team)
        self.on_place_changed()

    # ------------------------------------------------------------------ the team view
    def refresh_team(self) -> TeamView:
        """Read the chosen coach's reports again and redraw the team view.

        Raises
        ------
        ValueError
            If no coach is chosen.
        """
        coach = self.coach
        if not coach:
            raise ValueError("choose a coach first: the team view shows one coach's reports")
        last = self.team_loader.last(coach) if self.team_loader.background else None
        if last is not None:  # at once as last read, then brought up to date when the fresh read is in
            self._show_team(coach, last)
            self.team_loader.refresh(coach, functools.partial(self.team_read, coach))
        else:
            self.team_read(coach, self.team_loader.read_now(coach))
        return self.team

    def team_read(self, coach: str, members: list) -> None:
        """Show a coach's team as read (unless another coach was chosen meanwhile)."""
        if self.coach == coach:
            self._show_team(coach, members)

    def _show_team(self, coach: str, members: list) -> None:
        whom = f"the {len(members)} {'person' if len(members) == 1 else 'people'} below"
        self.team.show_members(coach, self.people.coach_choice_label(coach), members, self.today(),
                               note=self.people.coach_note(coach, whom),
                               starts=not self.people.away_label(coach),
                               whose=functools.partial(self.people.draft_coach_label, person_coach=coach))

    # ------------------------------------------------------------------ the search list
    def show_roster(self, people: RosterIndex) -> None:
        """Show a roster read again (imported, or someone erased, meanwhile): the coach picker offers its coaches
        under their names now (the coach chosen stays chosen while they coach someone), the search lists its
        people, and a team is read again."""
        self.people = people
        self.team_loader.forget()
        show(self.no_roster_html, people.frame.empty)
        options = self._coach_options()
        if options != [tuple(o) for o in self.coach_choice.options]:
            chosen = self.coach
            self._refilling = True  # new options choose their first on the way: nothing follows that
            try:
                self.coach_choice.options = options
                if options:
                    self.coach_choice.value = _first_offered(options, chosen)
            finally:
                self._refilling = False
            show(self.coach_choice, bool(self.coaches()))
            self.coach_changed()  # the coach's name, whether they left, their team: as on the roster now
        self.run_search()

    def run_search(self) -> None:
        """List the people that match the search box and the coach (at most :data:`MAX_RESULTS`)."""
        hits = self.people.search(self.search.value, self.coach)
        if not len(hits) and self.search.value.strip() and self.on_nobody_found is not None and self.on_nobody_found():
            return  # the roster changed: it was read again, and searched
        shown = hits[:MAX_RESULTS]
        ids, names = self.people.ids, self.people.names
        # a person still listed keeps their button: a new one would drop the keyboard focus, when it is on it,
        # to the top of the page (a search still catching up with the typing after the coach pressed Tab)
        old = self.result_buttons
        self.result_buttons = {}
        for i in shown:
            eid = ids[i]
            label = result_label(names[i], eid, self.people.left_label(eid) or self.people.starts_label(eid))
            b = old.pop(eid) if eid in old and old[eid].description == label else None
            if b is None:
                b = button(label, "cc-result", tooltip=f"Open {names[i]} ({eid})", width="100%")
                self._on_click(b, functools.partial(self.on_select, eid), "Could not open this person")
            self.result_buttons[eid] = b
        children = tuple(self.result_buttons.values())
        if children != self.results.children:
            self.results.children = children
        for b in old.values():
            b.close()
        self._mark_current()
        if len(hits) > len(shown):
            self.results_note.value = f"Showing {len(shown)} of {len(hits):,} — type to narrow down."
        elif not len(hits):
            self.results_note.value = "Nobody matches." if ids.size else ""
        else:
            self.results_note.value = f"{len(hits)} {'person' if len(hits) == 1 else 'people'}"

    def _mark_current(self) -> None:
        for eid, b in self.result_buttons.items():
            (b.add_class if eid == self.current else b.remove_class)("cc-result-active")

    # ------------------------------------------------------------------ the person page
    def focus_person_actions(self, left: str) -> None:
        """Put the keyboard back where the coach left the person page for what they ``left`` (``"conversation"``
        or ``"checkin"``): its button (a draft left: Resume draft), else the search box; in the team view, where
        a row was clicked, the view keeps its own focus."""
        if self.view_choice.value == "team":
            return
        shown = self.current is not None and self.actions.layout.display != "none"
        if shown and left == "checkin" and self.checkin_button.layout.display != "none":
            self.checkin_button.focus()
        elif shown and left == "conversation" and self.draft_box.layout.display != "none":
            self.resume_button.focus()
        elif shown and left == "conversation" and self.start_button.layout.display != "none":
            self.start_button.focus()
        else:
            self.search.focus()

    def show_person(self, employee: dict, coach_id: str, plan: followup.PreviousPlan, conversations: list[dict],
                    checkins: list[dict], checkin_drafts: list[dict], former_checkin_drafts: Sequence[dict] = ()
                    ) -> None:
        """Show an employee's page: their card, the draft offered, Start / Check-in, their previous plan.

        Someone who has left is offered nothing new (no Start, no new check-in); a draft conversation or check-in
        begun before they left is still offered, to finish or discard, one dated after they left only to discard.
        So it is when the coach of a new conversation (``coach_id``) has left: the page says to choose the coach
        meeting them.

        Parameters
        ----------
        employee
            Their roster row.
        coach_id
            The coach a new conversation would be with.
        plan, conversations, checkins, checkin_drafts
            Their history (:meth:`careerconv.records.store.Store.history`) and the plan it leaves.
        former_checkin_drafts
            Under the hub, the draft check-ins a former coach left (the person moved to this coach before they were
            finished): shown to read, as a former coach's draft conversation is, never offered to resume.
        """
        self.current = employee[EMPLOYEE_ID]
        self._name = employee.get("name") or employee[EMPLOYEE_ID]
        self._person_coach, self._new_coach = employee.get(COACH_ID) or "", coach_id
        self._mark_current()
        today = self.today()
        label = self.people.coach_label
        self.employee_html.value = employee_card_html(employee, self.people.coach_choice_label(coach_id), plan,
                                                      today)
        # An item of someone who has left is overdue only if it fell due while they were here.
        here_until = leavers.here_until(today, self.people.left_day(employee[EMPLOYEE_ID])).date()
        self.glance_html.value = previous_plan_html(plan, here_until, label)
        self.charts_panel.show_for(plan, conversations, checkins, today)
        drafts, former = split_drafts([c for c in conversations if c[STATUS] == "draft"], self.signed_in)
        self.former_drafts_html.value = "".join(
            [*(self._former_draft_html(d) for d in newest_first(former)),
             *(self._former_draft_html(d, "check-in", plan) for d in newest_first(former_checkin_drafts))])
        show(self.former_drafts_html, bool(former) or bool(former_checkin_drafts))
        offered = draft_to_offer(drafts)
        self._drafts = {d[CONVERSATION_ID]: d for d in drafts}
        self.draft_choice.options = [(draft_label(d), d[CONVERSATION_ID]) for d in newest_first(drafts)]
        self.draft_choice.value = offered[CONVERSATION_ID] if offered else None
        show(self.draft_choice, len(drafts) > 1)
        self._describe_draft()
        show(self.draft_box, bool(drafts))
        show(self.discard_confirm, False)
        show(self.start_confirm, False)
        self.start_button.description = "Start a new conversation" if drafts else "Start career conversation"
        (self.start_button.remove_class if drafts else self.start_button.add_class)("cc-primary")
        left = self.people.left_label(employee[EMPLOYEE_ID])
        name = employee.get("name") or employee[EMPLOYEE_ID]
        # a coach who has left coaches nothing new (a draft begun with them is still finished)
        refusal = "" if left else self.people.new_coach_refusal(coach_id, name)
        checkin_draft = checkin_drafts[-1] if checkin_drafts else None  # the one "Resume check-in" opens
        checkin_after = self._show_checkin_draft(checkin_draft, plan)
        if left:  # their records are there to read; nothing new is started with someone who left
            before = any(self.people.was_here(employee[EMPLOYEE_ID], d["date"]) for d in [*drafts, *checkin_drafts])
            unfinished = (" What was begun before they left can still be finished or discarded." if before else
                          " A draft dated after they left can be discarded, not continued."
                          if drafts or checkin_drafts else "")
            self.employee_html.value = (f'<div class="cc-note cc-left-note"><b>{escape(employee.get("name") or "")} '
                                        f'{escape(left)}.</b> Their records are kept to read; no new conversation '
                                        f'or check-in is offered.{unfinished}</div>' + self.employee_html.value)
        else:
            note = self.people.person_coach_note(employee.get(COACH_ID), coach_id, name, chosen=self.coach)
            if note:
                self.employee_html.value = (f'<div class="cc-warn-box cc-coach-left">{escape(note)}</div>'
                                            + self.employee_html.value)
            starts = self.people.starts_label(employee[EMPLOYEE_ID])
            if starts:  # not on a team nor due before their first day; a conversation may be held before it
                self.employee_html.value = (f'<div class="cc-note cc-starts-note"><b>{escape(name)} {escape(starts)}.'
                                            "</b> They are on their coach's team and due for conversations from "
                                            "that day; one can be held before it.</div>" + self.employee_html.value)
        new = not left and not refusal
        show(self.start_button, new)
        show(self.checkin_button, plan.conversation is not None and not checkin_after
             and (new or bool(checkin_drafts)))
        show(self.actions, new or self.checkin_button.layout.display != "none")
        self.checkin_button.description = "Resume check-in" if checkin_drafts else "Check-in"

    def _former_draft_html(self, draft: dict, kind: str = "conversation", plan: followup.PreviousPlan | None = None
                           ) -> str:
        """A draft another coach wrote (``kind``: ``"conversation"`` or ``"check-in"``), to read: who (by name as
        the roster has them; by id, said to be no longer on the roster, when it is not), when, why it is read-only
        (the person moved to this coach before it was finished: it stays theirs to finish or discard), what it
        holds, and its text (a check-in's action items named by their text in ``plan``, the plan it follows up)."""
        coach = draft.get(COACH_ID)
        who = self.people.draft_coach_label(coach, self._person_coach)
        checkin = kind == "check-in"
        items = [*plan.items, *plan.carried_over] if plan else []
        labels = {**self._labels, **action_item_labels(items)}
        text = record_text({**draft, COACH_ID: self.people.coach_label(coach)}, labels)
        body = (f'<details><summary>Read it</summary><pre class="cc-copy-text">{escape(text)}</pre></details>'
                if text else "")
        what, then = (("A check-in", "start a new check-in to follow up the plan") if checkin
                      else ("A draft", "start a new conversation to continue"))
        holds = (checkin_holds(draft, {(i.conversation_id, i.item_id): i.status for i in items}) if checkin
                 else draft_holds(draft))
        return (f'<div class="cc-note cc-former-draft{" cc-former-checkin" if checkin else ""}"><b>{what} of '
                f'{escape(human_date(draft["date"]))} by {escape(who)}</b> (read-only: {escape(self._name)} moved to '
                f"your team before it was finished, and it stays theirs; {then}). {holds_html(draft, holds)}{body}"
                "</div>")

    def _show_checkin_draft(self, draft: dict | None, plan: followup.PreviousPlan) -> bool:
        """Offer to discard ``draft`` (the draft check-in "Resume check-in" would open) when it is dated after its
        person left; returns whether it is. One another coach wrote (:meth:`_written_by`) is said to be theirs,
        with what it holds (``plan``: the plan it follows up), before "Resume check-in" picks it up."""
        refusal = self.people.draft_after_leaving(self.current, self._name, draft["date"], what="check-in") \
            if draft is not None else ""
        whose = self._written_by(draft) if draft is not None else ""
        whose_then = self._written_by(draft, more_follows=True) if draft is not None else ""
        self._checkin_draft_id = draft[CHECKIN_ID] if refusal else None
        saved = (draft or {}).get("updated_at") or (draft or {}).get("created_at")
        when = f" Last saved {escape(human_datetime(saved))}." if saved else ""
        if refusal:
            self.checkin_draft_html.value = (f"<div><b>{escape(refusal)}</b>{when}"
                                             f"{f' It is by {escape(whose)}.' if whose else ''}</div>")
        elif whose:
            items = [*plan.items, *plan.carried_over]
            holds = checkin_holds(draft, {(i.conversation_id, i.item_id): i.status for i in items})
            self.checkin_draft_html.value = (
                f"<div><b>A check-in of {escape(human_date(draft['date']))} by {escape(whose_then)} is not "
                f"finished.</b> {holds_html(draft, holds)} Resume check-in picks up where they left off; it stays "
                "in their name as its coach.</div>")
        else:
            self.checkin_draft_html.value = ""
        show(self.checkin_draft_box, bool(refusal or whose))
        show(self.checkin_discard_row, bool(refusal))
        show(self.checkin_discard_confirm, False)
        return bool(refusal)

    def _written_by(self, draft: dict, *, more_follows: bool = False) -> str:
        """Whose ``draft`` is, as its offer says it (:meth:`RosterIndex.draft_coach_label`, ``more_follows`` as
        there), when another coach than the one meeting its person now wrote it (:func:`written_by_other_than`); ""
        when it is theirs."""
        writer = written_by_other_than(draft, self._new_coach)
        if not writer:
            return ""
        return self.people.draft_coach_label(writer, self._person_coach, more_follows=more_follows)

    @property
    def chosen_draft(self) -> str | None:
        """The id of the draft the person page offers to resume or discard (None: no draft)."""
        return self.draft_choice.value

    def _describe_draft(self) -> None:
        """Say what the chosen draft holds (and, with several, which one it is among them)."""
        chosen = self._drafts.get(self.draft_choice.value)
        if chosen is None:
            return
        # a draft dated after its person left is discarded, not continued
        after_leaving = self.people.draft_after_leaving(self.current, self._name, chosen["date"])
        show(self.resume_button, not after_leaving)
        offered = draft_to_offer(list(self._drafts.values()))
        n = len(self._drafts)
        if n == 1:
            more = ""
        elif chosen is offered:
            more = (f" ({n} unfinished conversations; this is the last one worked on"
                    f"{' that holds answers' if draft_holds(offered) else ''}: pick another below)")
        else:
            more = f" ({n} unfinished conversations; this is one of the others)"
        whose = self._written_by(chosen)
        if after_leaving:
            by = f" It is by {escape(whose)}." if whose else ""
            self.draft_html.value = f"<div><b>{escape(after_leaving)}</b>{more}{by} {holds_html(chosen)}</div>"
            return
        if whose:
            by = escape(self._written_by(chosen, more_follows=True))
            self.draft_html.value = (f"<div><b>A conversation of {escape(human_date(chosen['date']))} by {by} is not "
                                     f"finished</b>{more}. {holds_html(chosen)} Pick up where they left off? It stays "
                                     "in their name as its coach.</div>")
            return
        self.draft_html.value = (f"<div><b>A conversation of {escape(human_date(chosen['date']))} is not "
                                 f"finished</b>{more}. {holds_html(chosen)} Pick up where you left off?</div>")

    def ask_before_starting(self, name: str, offered: dict) -> None:
        """Ask before a new conversation is started beside the draft ``offered``, showing what it holds."""
        whose = self._written_by(offered)
        self.start_confirm_html.value = (
            f"<div><b>{escape(name)} already has an unfinished conversation of "
            f"{escape(human_date(offered['date']))}{f' by {escape(whose)}' if whose else ''}.</b> "
            f"{holds_html(offered)} A new conversation starts "
            "empty; the unfinished one stays as it is.</div>")
        show(self.start_confirm, True)

    def forget_person(self, notice: str) -> None:
        """The open person is gone (erased): clear their page (nothing of their records stays: their drafts, a
        former coach's too, their plan, their charts) and say why."""
        self.current = None
        self._mark_current()
        show(self.actions, False)
        show(self.draft_box, False)
        show(self.checkin_draft_box, False)
        self.former_drafts_html.value = ""
        show(self.former_drafts_html, False)
        self.glance_html.value = ""
        self.charts_panel.clear()
        self.employee_html.value = f'<div class="cc-note">{escape(notice)}</div>'

    def notify(self, notice: str) -> None:
        """Say something above the open person's card."""
        self.employee_html.value = f'<div class="cc-note">{escape(notice)}</div>' + self.employee_html.value


def result_label(name: str, employee_id: str, left: str = "") -> str:
    """A person as the search list shows them: ``"Zaid Khalil · E0007 · left 1 Sep 2026"`` (text, not HTML).

    ``left`` (:meth:`RosterIndex.left_label`, or :meth:`RosterIndex.starts_label` for someone who has not started
    yet; "" for someone here) is joined to its ``·`` and its words to
    each other by no-break spaces: where a line cannot hold it all, the day they left goes whole to the next line,
    which begins "· left 1 Sep 2026"; it is never split. A right-to-left name is isolated, so the id and the day
    stay after it.
    """
    label = f"{isolated(name)} · {employee_id}"
    return then_whole(label, left) if left else label


def draft_label(draft: dict) -> str:
    """A draft in the chooser's list: its day, what it holds and when it was last saved (text, not HTML)."""
    holds = draft_holds(draft)
    saved = draft.get("updated_at") or draft.get("created_at")
    what = "; ".join(holds) if holds else "empty"
    return f"{human_date(draft['date'])} — {what}" + (f" — saved {human_datetime(saved)}" if saved else "")


def holds_html(draft: dict, holds: list[str] | None = None) -> str:
    """What a draft holds (``holds``, else :func:`draft_holds` of a conversation) and when it was last saved, as a
    sentence of HTML."""
    holds = draft_holds(draft) if holds is None else holds
    saved = draft.get("updated_at") or draft.get("created_at")
    when = f" Last saved {escape(human_datetime(saved))}." if saved else ""
    if not holds:
        return f"It is empty (nothing was entered).{when}"
    return f"It holds {escape('; '.join(holds))}.{when}"


def _first_offered(options: list[tuple[str, str]], wanted: str) -> str | None:
    """``wanted`` when the coach picker's ``options`` offer it, else the first they offer (None: none)."""
    values = [value for _label, value in options]
    return wanted if wanted in values else (values[0] if values else None)
