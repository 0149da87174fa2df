"""One person's records in the app: who is open, their history, and their conversations opened and closed.

:class:`ConversationLifecycle` owns the employee open on the start screen (their conversations, check-ins,
check-in drafts and the plan of their previous conversation), the conversation screen open (or open last)
and the one built ahead of time; it opens a person, starts / resumes / opens / discards / closes their
conversations, and shows the version kept after a conflict. The shell
(:class:`careerconv.surfaces.app.facilitation.ConversationApp`) gives it the store, the clock, the screens
and the save paths; the check-ins have their own routes (:mod:`careerconv.surfaces.app.checkin_routes`).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from careerconv.records import schema
from careerconv.records.questions import QuestionSet
from careerconv.records.schema import CHECKIN_ID, COACH_ID, CONVERSATION_ID, DATE, EMPLOYEE_ID, SKILL, STATUS
from careerconv.records.store import NotFound
from careerconv.rules import followup
from .conversation_screen import ConversationScreen
from .data_folder import not_among_people
from .drafts import draft_to_offer, split_drafts
from .scheduling import Handle
from .session import create_record
from .widgets import show

if TYPE_CHECKING:
    from .facilitation import ConversationApp

PREPARE_AFTER = 0.6  # seconds on a person's page before their conversation screen is built ahead


def screen_key(record: dict) -> tuple:
    """What a built conversation screen depends on: a stored record by its revision; a new conversation by
    who, with whom, when and which question set."""
    if record.get("revision") is not None:
        return ("stored", record[EMPLOYEE_ID], record[CONVERSATION_ID], record["revision"])
    return ("new", record[EMPLOYEE_ID], record[COACH_ID], record[DATE], record["question_set"])


class ConversationLifecycle:
    """The person open and the life of their conversations: open, start, resume, discard, close.

    Parameters
    ----------
    app
        The shell: its store, clock, scheduler, guard, question sets, start screen, and its screen
        switching (``show_screen``, ``close_current``, ``replace_other_screen``) and save paths
        (``edit_session``).
    prepare_ahead
        Build the conversation screen the coach is likely to open next while they read a person's page
        (see :meth:`prepare_conversation`).

    Attributes
    ----------
    employee : dict or None
        The person open (None: nobody).
    conversations, checkins, checkin_drafts : list of dict
        Their history, as the store last listed it (under the hub, without the check-ins a former coach started
        and left as drafts: they are not this coach's to resume; the start screen shows them to read).
    plan : careerconv.rules.followup.PreviousPlan
        The plan of their previous conversation.
    conversation : ConversationScreen or None
        The conversation open (or open last).
    prepared : tuple of (key, ConversationScreen) or None
        The conversation screen built ahead, and what it shows (:func:`screen_key`).
    """

    def __init__(self, app: "ConversationApp", *, prepare_ahead: bool = False):
        self.app = app
        self.prepare_ahead = prepare_ahead
        self.employee: dict | None = None
        self.conversations: list[dict] = []
        self.checkins: list[dict] = []
        self.checkin_drafts: list[dict] = []
        self.plan: followup.PreviousPlan = followup.PreviousPlan(conversation=None)
        self.conversation: ConversationScreen | None = None
        self.prepared: tuple[tuple, ConversationScreen] | None = None
        self._prepare_handle: Handle | None = None

    # ================================================================== the person
    def select_employee(self, employee_id: str) -> None:
        """Open an employee: their card, a draft to resume, their previous conversation at a glance.

        Raises
        ------
        careerconv.records.store.NotFound
            If the employee is not on the roster.
        """
        app = self.app
        person = app.people.person(employee_id)
        if person is None:
            raise NotFound(not_among_people(app.store, app.data_dir, employee_id))
        if app.screen != "start":
            app.close_current(save=True)  # raises (conflict, disk full): the open record and its person stay
        self.employee = person
        self.reload_history()
        if app.screen != "start":
            app.show_screen("start")
        app.sync_place()

    def reload_history(self) -> None:
        """Read the open employee's records again and show them on the start screen; a record file that cannot
        be read (cut short by a sync tool) is named in the error banner rather than left out unsaid."""
        store = self.app.store
        seen = len(getattr(store, "problems", ()))  # a hub's store (over HTTP) keeps no list
        history = store.history(self.employee[EMPLOYEE_ID])
        damaged = getattr(store, "problems", [])[seen:]
        if damaged:
            self.app.errors.show(schema.ValidationError(damaged, f"{len(damaged)} record file(s) of "
                                                                 f"{self.employee.get('name') or 'this person'} "
                                                                 "are not shown, for the reasons below"))
        self.conversations, self.checkins = history.conversations, history.checkins
        # a check-in a former coach started is theirs (the records service refuses the new coach's saves of it):
        # shown to read, not offered to resume
        self.checkin_drafts, former_checkin_drafts = split_drafts(history.checkin_drafts, self.app.signed_in)
        self.plan = followup.previous_plan(self.conversations, self.checkins)
        self.app.start_screen.show_person(self.employee, self.coach_for_new(), self.plan, self.conversations,
                                          self.checkins, self.checkin_drafts, former_checkin_drafts)
        self._schedule_prepare()

    def drafts(self) -> list[dict]:
        """The open employee's draft conversations the coach may resume or discard (under the hub, not those
        a former coach wrote: :func:`~careerconv.surfaces.app.drafts.split_drafts`)."""
        return split_drafts([c for c in self.conversations if c[STATUS] == "draft"], self.app.signed_in)[0]

    def coach_for_new(self) -> str:
        """The coach of a new conversation or check-in: the coach chosen, else the employee's."""
        return self.app.start_screen.coach or (self.employee or {}).get(COACH_ID) or ""

    def suggested_skills(self) -> list[str]:
        """Skill names to suggest: the organisation's, plus any this employee worked on before."""
        names = {schema.skill_key(n): n for n in self.app.skill_names}
        for conv in self.conversations:
            for s in conv.get("skills") or []:
                names.setdefault(schema.skill_key(s[SKILL]), " ".join(str(s[SKILL]).split()))
        return sorted(names.values(), key=str.casefold)

    def _require_employee(self) -> dict:
        if self.employee is None:
            raise ValueError("pick an employee first")
        return self.employee

    def require_here(self) -> dict:
        """The open employee, who has not left, with a coach for something new who has not left either: something
        new (a conversation, a check-in) is started only with people still here. A draft begun before they left is
        resumed, completed or discarded without asking this (its conversation was held while they were here).

        Raises
        ------
        ValueError
            If no employee is open, they have left, or the coach of a new conversation (:meth:`coach_for_new`)
            has left.
        """
        employee = self._require_employee()
        people = self.app.people
        name = employee.get("name") or employee[EMPLOYEE_ID]
        left = people.left_label(employee[EMPLOYEE_ID])
        if left:
            raise ValueError(f"{name} {left}: their records are kept to read, and nothing new is started with them")
        refusal = people.new_coach_refusal(self.coach_for_new(), name)
        if refusal:
            raise ValueError(refusal)
        return employee

    # ================================================================== the conversation, built ahead
    @property
    def prepared_key(self) -> tuple | None:
        """What the conversation screen built ahead of time shows (None: none is)."""
        return self.prepared[0] if self.prepared is not None else None

    def _schedule_prepare(self) -> None:
        self._cancel_prepare()
        if self.prepare_ahead and not self.app.people.left_label((self.employee or {}).get(EMPLOYEE_ID, "")):
            app = self.app
            self._prepare_handle = app.scheduler.call_later(PREPARE_AFTER, app.guard(
                self.prepare_conversation, "Could not prepare the conversation"))

    def _cancel_prepare(self) -> None:
        if self._prepare_handle is not None:
            self._prepare_handle.cancel()
            self._prepare_handle = None

    def retired(self, screen: ConversationScreen) -> None:
        """``screen`` left the page: it is no longer the one built ahead."""
        if self.prepared is not None and self.prepared[1] is screen:
            self.prepared = None

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
        if self.app.screen != "start" or self.employee is None:
            return False
        offered = draft_to_offer(self.drafts())
        record = offered if offered is not None else self._new_record()
        key = screen_key(record)
        if key == self.prepared_key or record["question_set"] not in self.app.question_sets:
            return False
        screen = self._build_screen(record)
        # on the page, hidden, with the section it would open on: the browser builds it now, not on the click
        show(screen.widget, False)
        self.app.replace_other_screen(screen.widget, screen)
        screen.show_section_ahead(screen.first_step())
        self.prepared = (key, screen)
        return True

    # ================================================================== open, start, resume, discard, close
    def ask_start(self) -> dict | None:
        """"Start": start a conversation, or - while a draft exists - first ask, showing what the draft holds.

        Returns
        -------
        dict or None
            The new draft, or None when the coach is asked first.
        """
        employee = self.require_here()
        drafts = self.drafts()
        offered = draft_to_offer(drafts)
        if offered is None:
            return self.start_conversation()
        # The draft the person page has chosen (the one its "Resume the draft" opens), the one offered by default.
        chosen = next((d for d in drafts if d[CONVERSATION_ID] == self.app.start_screen.chosen_draft), offered)
        self.app.start_screen.ask_before_starting(employee.get("name") or "", chosen)
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
        self.require_here()
        record = self._new_record()
        prepared_as = screen_key(record)
        record["created_at"] = self.app.clock().isoformat(timespec="seconds")
        stored = create_record(self.app.store, record)  # the store gives it its id
        self.open_record(stored, prepared_as=prepared_as)
        return stored

    def resume_draft(self, conversation_id: str | None = None) -> dict:
        """Reopen a draft of the open employee (the latest by default) where it was left.

        Raises
        ------
        ValueError
            If there is no employee open or no draft, or the draft is dated after they left.
        """
        employee = self._require_employee()
        store, eid = self.app.store, employee[EMPLOYEE_ID]
        drafts = split_drafts([c for c in store.conversations(eid) if c[STATUS] == "draft"], self.app.signed_in)[0]
        if conversation_id is not None:
            drafts = [c for c in drafts if c[CONVERSATION_ID] == conversation_id]
        if not drafts:
            raise ValueError(f"{employee['name']} has no draft conversation to resume")
        record = store.load_conversation(eid, draft_to_offer(drafts)[CONVERSATION_ID])
        self.require_continuable(record)
        self.open_record(record)
        return record

    def open_conversation(self, conversation_id: str) -> dict:
        """Open any conversation of the open employee (a completed one opens read-only; a draft dated after they
        left is refused, as by :meth:`resume_draft`)."""
        record = self.app.store.load_conversation(self.employee[EMPLOYEE_ID], conversation_id)
        self.require_continuable(record)
        self.open_record(record)
        return record

    def require_continuable(self, record: dict) -> None:
        """Refuse to continue a draft conversation or check-in dated after its person left (one begun while they
        were here is finished).

        Raises
        ------
        ValueError
            If ``record`` is such a draft: it can be discarded, not continued.
        """
        if record[STATUS] != "draft":
            return
        employee = self._require_employee()
        refusal = self.app.people.draft_after_leaving(employee[EMPLOYEE_ID], employee.get("name") or
                                                      employee[EMPLOYEE_ID], record[DATE],
                                                      what=schema.KIND_WORDS[schema.record_kind(record)])
        if refusal:
            raise ValueError(refusal)

    def discard_draft(self, conversation_id: str | None = None) -> None:
        """Delete a draft of the open employee (after the coach confirmed): ``conversation_id``, or the one
        offered by default."""
        drafts = self.drafts()
        if conversation_id is not None:
            drafts = [c for c in drafts if c[CONVERSATION_ID] == conversation_id]
        offered = draft_to_offer(drafts)
        if offered is None:
            return
        self.app.store.delete_draft(self.employee[EMPLOYEE_ID], offered[CONVERSATION_ID],
                                    revision=offered["revision"])  # not if it changed since it was listed
        self.reload_history()

    def discard_checkin_draft(self, checkin_id: str) -> None:
        """Delete a draft check-in of the open employee (after the coach confirmed), unless it changed since it
        was listed."""
        draft = next((c for c in self.checkin_drafts if c[CHECKIN_ID] == checkin_id), None)
        if draft is None:
            raise ValueError(f"{self._require_employee().get('name') or 'this person'} has no draft check-in "
                             f"{checkin_id!r} (any more)")
        self.app.store.delete_draft(self.employee[EMPLOYEE_ID], checkin_id, revision=draft["revision"],
                                    kind="checkin")
        self.reload_history()

    def close_conversation(self) -> None:
        """Save and leave the conversation; back to the start screen (a draft stays resumable)."""
        self.app.close_current(save=True)
        self.app.show_screen("start")
        if self.employee is not None:
            self.reload_history()
        self.app.start_screen.focus_person_actions("conversation")

    def open_record(self, record: dict, prepared_as: tuple | None = None) -> None:
        """Open a conversation; ``prepared_as`` is the key it had when its screen may have been built ahead."""
        app = self.app
        app.close_current(save=True)
        self._cancel_prepare()
        prepared, self.prepared = self.prepared, None
        ready = app.screen == "start" and prepared is not None and prepared[0] == (prepared_as or
                                                                                   screen_key(record))
        screen = prepared[1] if ready else self._build_screen(record)
        self.conversation = screen
        screen.open(record, functools.partial(app.edit_session, snapshot=screen.snapshot, on_open=self.reopen,
                                              on_leave=self.left_record, labels=screen.labels))
        app.show_screen("conversation")
        screen.begin()

    def _new_record(self) -> dict:
        qs = self.app.main_sets[self.app.start_screen.set_choice.value]
        eid = self.employee[EMPLOYEE_ID]
        return schema.new_conversation(eid, self.coach_for_new(), self.app.clock().date(), qs.id, qs.version)

    def _question_sets_of(self, record: dict) -> tuple[QuestionSet, QuestionSet | None]:
        sets = self.app.question_sets
        qs = sets.get(record["question_set"])
        if qs is None:
            raise KeyError(f"conversation {record['conversation_id']!r} uses question set "
                           f"{record['question_set']!r}, which is not available; add its YAML file to "
                           f"{self.app.data_dir / 'question_sets'}")
        return qs, (sets.get(qs.alternative) if qs.alternative else None)

    def _build_screen(self, record: dict) -> ConversationScreen:
        app = self.app
        qs, alternative = self._question_sets_of(record)
        return ConversationScreen(
            record, question_set=qs, alternative_set=alternative, employee=self.employee,
            conversations=self.conversations, checkins=self.checkins, coach_label=app.coach_label,
            suggested_skills=self.suggested_skills, clock=app.clock, scheduler=app.scheduler, guard=app.guard,
            showing=lambda: app.screen == "conversation", on_close=self.close_conversation,
            on_moved=app.sync_place, show_status=app.show_status, save_summary=app.store.save_summary,
            open_page=lambda page: app.bridge.open_html(page), download=lambda *file: app.bridge.download(*file),
            page_gone_since=app.page.gone_since)

    # ================================================================== after a conflict
    def _forget_session(self) -> None:
        if self.conversation is not None:
            self.conversation.session = None

    def reopen(self, record: dict, notice: str) -> None:
        """After a conflict choice, show the version kept and say what happened; with no notice, a version
        saved elsewhere while nothing was typed here (see :meth:`EditSession.saved_elsewhere`) is shown in the
        section the coach is in."""
        app = self.app
        self._forget_session()  # closed by its choice
        if schema.record_kind(record) == "checkin":
            target = app.open_checkin(record).session
        else:
            screen = self.conversation
            step = screen.step if app.screen == "conversation" and screen is not None else None
            self.open_record(record)
            screen = self.conversation
            if not notice and not screen.locked and step in screen.order() and step != screen.step:
                screen.go_to(step)
            target = screen.session
        if not notice:
            return
        if target is not None:
            target.panel.notify(notice)
        elif self.conversation is not None:
            self.conversation.notify_locked(notice)

    def left_record(self, notice: str) -> None:
        """The coach discarded their version (deleted elsewhere, or the person was erased)."""
        app = self.app
        self._forget_session()
        app.show_screen("start")
        app.reload_roster()
        if self.employee is not None and self.employee[EMPLOYEE_ID] not in app.people:
            self.employee = None
            app.start_screen.forget_person(notice)
        elif self.employee is not None:
            self.reload_history()
            app.start_screen.notify(notice)
