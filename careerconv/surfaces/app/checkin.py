"""The check-in view: follow up the plan in a regular one-on-one, in under a minute.

It lists the open action items of the last completed conversation and the
items carried over from earlier ones (:func:`careerconv.rules.followup.open_items`),
each with its current status preselected, so the coach only touches what
changed: a status (open / in progress / done / dropped - dropping needs a
reason), a note, and optionally an interim rating per skill of the plan. Below
them, for reference, the items already done (with the day they were done) or
dropped (with the reason).

The check-in is a draft from the moment it is opened, autosaved on every change
exactly like a conversation (:class:`careerconv.surfaces.app.session.EditSession`: the
same debounce, compare-and-swap saves and conflict panel), so it survives a
closed tab and is resumed when the coach opens the person's check-in again.
*Save check-in* completes it. Leaving a draft nobody typed anything into
discards it.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Callable

import ipywidgets as widgets

from careerconv.records import schema
from careerconv.records.store import Conflict, NotFound, Store
from careerconv.rules import followup
from careerconv.records.dates import human_date
from careerconv.records.schema import (
    CHECKIN_ID, COACH_ID, COACH_RATING, CONVERSATION_ID, DATE, EMPLOYEE_ID, ITEM_ID, SELF_RATING, SKILL, STATUS,
)
from .conflict_panel import withdrawn_html
from .conflicts import action_item_labels, update_key
from .glance import closed_items_html, item_when
from .session import EditSession, create_record
from .timers import Clock, system_clock
from .widgets import (NO_RATING, RATING_CHOICES, button, classed, html, named, rating_in, rating_out, set_disabled,
                      show, sr_only)

STATUS_CHOICES = [(label, status) for status, label in followup.ITEM_STATUS_LABELS.items()]


class CheckinItemRow:
    """One action item: status, note, and a reason when dropped."""

    def __init__(self, item: followup.ItemState, today: dt.date, guard: Callable):
        self.item = item
        meta = []
        if item.due:
            overdue = " (overdue)" if item.is_overdue(today) else ""
            meta.append(f"due {escape(human_date(item.due))}{overdue}")
        if item.owner:
            meta.append(f"owner {escape(item.owner)}")
        if item.carried_over:
            meta.append(f"carried over from the conversation of {escape(human_date(item.conversation_date))}")
        if item.updated_on:
            when = item_when(item)
            if not when:
                last = f"still open at the check-in of {escape(human_date(item.updated_on))}"
            elif item.updated_on != item.status_since:
                last = f"{escape(when)}, last check-in {escape(human_date(item.updated_on))}"
            else:
                last = escape(when)
            if item.note:
                last += f" — “{escape(item.note)}”"
            meta.append(last)
        what = f"“{item.text}”" if item.text else "this action item"
        self.status = named(classed(widgets.ToggleButtons(options=STATUS_CHOICES, value=item.status,
                                                          style={"button_width": "auto"}), "cc-choice",
                                    "cc-item-status"),
                            [f"{label}: {what}" for label, _ in STATUS_CHOICES])
        self.note = named(classed(widgets.Text(placeholder="Note (optional)",
                                               layout=widgets.Layout(flex="1 1 auto", width="auto"),
                                               continuous_update=True), "cc-item-note"),
                          f"Note on {what} (optional)")
        self.reason = named(classed(widgets.Text(placeholder="Why is it dropped? (required)",
                                                 layout=widgets.Layout(flex="1 1 auto", width="auto"),
                                                 continuous_update=True), "cc-item-reason"),
                            f"Why is {what} dropped? (required)")
        # A dropped item cannot be stored without its reason: until one is typed, the draft keeps the item's
        # earlier status, and the row says so (the header's "Saved" is about the rest).
        kept = followup.ITEM_STATUS_LABELS.get(item.status, item.status)
        self.unsaved = html(f'<div class="cc-warn" role="status">Kept as “{escape(kept)}” until you say why it is '
                            f'dropped.</div>', "cc-item-unsaved")
        self.status.observe(guard(lambda _c: self._show_reason()), names="value")
        self.reason.observe(guard(lambda _c: self._show_reason()), names="value")
        show(self.reason, False)
        show(self.unsaved, False)
        self.widget = classed(widgets.VBox([
            html(f"<div>{escape(item.text) or '<i>(no text)</i>'}</div>", "cc-item-text"),
            html(f'<div class="cc-muted">{" · ".join(meta)}</div>'),
            classed(widgets.HBox([self.status, self.note, self.reason], layout=widgets.Layout(width="100%")), "cc-row"),
            self.unsaved,
        ]), "cc-checkin-item")

    def _show_reason(self) -> None:
        """The reason box while the item is marked dropped, and the note while that is not kept for want of one."""
        dropped = self.status.value == "dropped"
        show(self.reason, dropped)
        show(self.unsaved, dropped and not self.reason.value.strip())

    def update(self, draft: bool = False) -> dict:
        """This item's line of the check-in record.

        In a ``draft``, an item marked dropped keeps its earlier status until a
        reason is typed (a dropped item without a reason cannot be stored).
        """
        status = self.status.value
        if draft and status == "dropped" and not self.reason.value.strip():
            status = self.item.status
        return {CONVERSATION_ID: self.item.conversation_id, ITEM_ID: self.item.item_id,
                STATUS: status, "note": self.note.value,
                "reason": self.reason.value if status == "dropped" else ""}

    def load(self, update: dict) -> None:
        """Show a stored line of this item (a resumed draft)."""
        self.status.value = update.get(STATUS) or self.item.status
        self.note.value = update.get("note") or ""
        self.reason.value = update.get("reason") or ""

    def watch(self, on_change: Callable[[], None]) -> None:
        for w in (self.status, self.note, self.reason):
            w.observe(lambda _c: on_change(), names="value")

    @property
    def key(self) -> str:
        return update_key(self.item.conversation_id, self.item.item_id)


class RatingRow:
    """An optional interim rating of one skill of the plan."""

    def __init__(self, skill: followup.SkillState):
        self.skill = skill
        facts = [f"then {skill.baseline}" if skill.baseline is not None else "not rated then"]
        if skill.latest is not None and skill.latest.self_rating is not None and skill.latest.source == "checkin":
            facts.append(f"last {skill.latest.self_rating} ({escape(human_date(skill.latest.date))})")
        targets = [f"{h} mo: {skill.targets[h]}" for h in schema.HORIZONS if skill.targets.get(h) is not None]
        if targets:
            facts.append("targets " + ", ".join(targets))
        of_skill = sr_only(f" of {escape(skill.skill)}, 1 to {schema.RATING_MAX}")
        self.self_rating = classed(widgets.Dropdown(options=RATING_CHOICES, value=NO_RATING,
                                                    description="Their rating" + of_skill, description_allow_html=True,
                                                    style={"description_width": "initial"},
                                                    layout=widgets.Layout(width="170px")), "cc-interim-self")
        self.coach_rating = classed(widgets.Dropdown(options=RATING_CHOICES, value=NO_RATING,
                                                     description="Coach's view" + of_skill,
                                                     description_allow_html=True,
                                                     style={"description_width": "initial"},
                                                     layout=widgets.Layout(width="170px")), "cc-interim-coach")
        label = html(f"<div><b>{escape(skill.skill)}</b> <span class=\"cc-muted\">{' · '.join(facts)}</span></div>")
        label.layout = widgets.Layout(flex="1 1 auto", width="auto")
        self.widget = classed(widgets.HBox([label, self.self_rating, self.coach_rating],
                                           layout=widgets.Layout(width="100%")),
                              "cc-row", "cc-interim-row")

    def load(self, rating: dict) -> None:
        self.self_rating.value = rating_in(rating.get(SELF_RATING))
        self.coach_rating.value = rating_in(rating.get(COACH_RATING))

    def watch(self, on_change: Callable[[], None]) -> None:
        for w in (self.self_rating, self.coach_rating):
            w.observe(lambda _c: on_change(), names="value")

    def rating(self) -> dict | None:
        """This skill's line of the check-in record, or None if nothing was rated."""
        own, coach = rating_out(self.self_rating.value), rating_out(self.coach_rating.value)
        if own is None and coach is None:
            return None
        return {SKILL: self.skill.skill, SELF_RATING: own, COACH_RATING: coach}


class CheckinView:
    """The check-in screen of one employee.

    Parameters
    ----------
    store
        Where the check-in is saved.
    employee
        The roster row.
    conversations, checkins
        The employee's records (as the store returns them; completed check-ins).
    coach_id
        The coach holding the check-in.
    record
        The check-in to show: a draft to resume, or a completed one (shown
        read-only). None starts a new draft (saved at once).
    make_session
        ``make_session(record, snapshot=..., labels=..., on_withdrawn=...)`` gives the
        :class:`~careerconv.surfaces.app.session.EditSession` that saves the draft.
    clock
        Current time (the check-in's date and ``created_at``).
    guard
        Wraps callbacks so errors are shown in the app.
    on_saved
        Called with the stored check-in once it is completed.
    on_back
        Called when the coach leaves the view.
    """

    def __init__(self, store: Store, employee: dict, conversations: list[dict], checkins: list[dict],
                 coach_id: str, *, record: dict | None = None, make_session: Callable[..., EditSession] | None = None,
                 clock: Clock = system_clock, guard: Callable = lambda fn, context=None: fn,
                 on_saved: Callable[[dict], None] = lambda rec: None, on_back: Callable[[], None] = lambda: None,
                 extra: widgets.Widget | None = None):
        self.store = store
        self.employee = employee
        self.coach_id = coach_id
        self.clock = clock
        self.on_saved = on_saved
        self.saved: dict | None = None
        self.session: EditSession | None = None
        self.draft: dict = {}
        self._loading = False
        today = clock().date()
        self.plan = followup.previous_plan(conversations, checkins)
        self.items = [CheckinItemRow(i, today, guard) for i in self.plan.open_items]
        self.ratings = [RatingRow(s) for s in self.plan.skills]
        self.note = named(classed(widgets.Textarea(placeholder="Anything else from this one-on-one (optional)",
                                                   rows=2, layout=widgets.Layout(width="100%"),
                                                   continuous_update=True), "cc-checkin-note"),
                          "Anything else from this one-on-one (optional)")
        self.save_button = button("Save check-in", "cc-primary", "cc-save-checkin")
        self.save_button.on_click(guard(lambda _b: self.save(), "Could not save the check-in"))
        self.back_button = button("← Back", "cc-back-checkin")
        self.back_button.on_click(guard(lambda _b: on_back(), "Could not leave the check-in"))
        self.message = html("", "cc-checkin-message")
        name = escape(employee.get("name") or employee.get(EMPLOYEE_ID) or "")
        self.title = html(f'<h2 class="cc-section-title cc-h">Check-in with {name} '
                          f'<span class="cc-pill">{escape(human_date(today))}</span></h2>')
        self.panel_box = widgets.VBox(layout=widgets.Layout(width="100%"))
        self.withdrawn_html = html(withdrawn_html("Their plan and their earlier check-ins are"))
        show(self.withdrawn_html, False)
        parts: list[widgets.Widget] = [self.title, self.panel_box, self.withdrawn_html]
        first_of_plan = len(parts)
        if self.plan.conversation is None:
            parts.append(html('<div class="cc-muted">No completed career conversation yet, so there is no plan to '
                              "follow up. Hold the career conversation first.</div>"))
            show(self.save_button, False)
        else:
            parts.append(html(f'<div class="cc-muted">The plan of {escape(human_date(self.plan.date))}: mark what '
                              "changed, leave the rest. Every change is saved as a draft.</div>"))
            parts.append(html("<h3>Action items</h3>"))
            if self.items:
                parts.extend(r.widget for r in self.items)
            else:
                parts.append(html('<div class="cc-muted">Every action item is done or dropped.</div>'))
            closed = closed_items_html(self.plan.items)
            if closed:
                parts.append(html(f'<h4 class="cc-subhead">Already done or dropped</h4>{closed}', "cc-checkin-closed"))
            if self.ratings:
                parts.append(html("<h3>How would they rate these skills now? (optional)</h3>"))
                parts.extend(r.widget for r in self.ratings)
            parts.append(self.note)
        if extra is not None and self.plan.conversation is not None:
            parts.append(extra)
        # what hide_plan takes off the screen: all but the note, the coach's own words
        self._plan_parts = [part for part in parts[first_of_plan:] if part is not self.note]
        parts.append(self.message)
        parts.append(classed(widgets.HBox([self.back_button, self.save_button]), "cc-row", "cc-footer"))
        self.widget = classed(widgets.VBox(parts), "cc-card", "cc-checkin")
        if self.plan.conversation is not None:
            self._open(record, make_session)

    def _open(self, record: dict | None, make_session: Callable[..., EditSession] | None) -> None:
        if record is None:
            record = create_record(self.store, self.record())
        self.draft = record
        self._load(record)
        if record.get(STATUS) == "completed":
            self._lock(f"This check-in was completed ({human_date(record['date'])}).")
            self.saved = record
            return
        for part in [*self.items, *self.ratings]:
            part.watch(self._changed)
        self.note.observe(lambda _c: self._changed(), names="value")
        if make_session is not None:
            self.session = make_session(record, snapshot=self.record, labels=self.labels,
                                        on_withdrawn=self.hide_plan)
            self.panel_box.children = (self.session.widget,)

    def hide_plan(self) -> None:
        """Take the plan followed up, its earlier check-ins and the skills' charts off the screen: the person is no
        longer this coach's to read (moved to another coach's team while the check-in was open). What was typed
        since the last save is in the panel above, to copy; nothing more can be saved. The note stays, as the
        conversation screen's fields do: the coach's own words, which the text to copy follows as they finish them
        (found: the note went with the plan, and keys typed as the refusal came went nowhere)."""
        for part in self._plan_parts:
            show(part, False)
        show(self.withdrawn_html, True)
        show(self.save_button, False)

    def _load(self, record: dict) -> None:
        self._loading = True
        try:
            updates = {f"updates.{u['conversation_id']}/{u['item_id']}": u for u in record.get("updates") or []}
            for row in self.items:
                if row.key in updates:
                    row.load(updates[row.key])
            ratings = {schema.skill_key(r[SKILL]): r for r in record.get("ratings") or []}
            for row in self.ratings:
                if schema.skill_key(row.skill.skill) in ratings:
                    row.load(ratings[schema.skill_key(row.skill.skill)])
            self.note.value = record.get("note") or ""
        finally:
            self._loading = False

    def _changed(self) -> None:
        if self._loading or self.session is None or self.saved is not None:
            return
        self.session.changed(self.record())

    def labels(self) -> dict[str, str]:
        """Field labels for the merge view: each action item by its text."""
        return action_item_labels(r.item for r in self.items)

    def problems(self) -> list[str]:
        """What must be fixed before saving (a dropped item without a reason)."""
        return [f"Say why “{r.item.text}” is dropped." for r in self.items
                if r.status.value == "dropped" and not r.reason.value.strip()]

    def record(self) -> dict:
        """The check-in as it would be saved now (a draft; its id and revision come from the store)."""
        now = self.clock()
        base = self.draft
        return {
            "kind": "checkin",
            CHECKIN_ID: base.get(CHECKIN_ID),
            EMPLOYEE_ID: self.employee[EMPLOYEE_ID],
            COACH_ID: base.get(COACH_ID) or self.coach_id,
            DATE: base.get(DATE) or now.date().isoformat(),
            CONVERSATION_ID: self.plan.conversation_id,
            STATUS: "draft",
            "note": self.note.value,
            "updates": [r.update(draft=True) for r in self.items],
            "ratings": [x for x in (r.rating() for r in self.ratings) if x is not None],
            "source": "app",
            "created_at": base.get("created_at") or now.isoformat(timespec="seconds"),
            "updated_at": now.isoformat(timespec="seconds"),
        }

    def is_blank(self) -> bool:
        """True while nothing was typed or changed (leaving then discards the draft)."""
        return (not self.note.value.strip() and all(r.rating() is None for r in self.ratings)
                and all(r.status.value == r.item.status and not r.note.value.strip() and not r.reason.value.strip()
                        for r in self.items))

    def save(self) -> dict | None:
        """Validate and complete the check-in; show what is wrong instead if anything is.

        Returns
        -------
        dict or None
            The stored record, or None when something must be fixed first or
            the draft was changed elsewhere (the conflict box then says so).

        Raises
        ------
        careerconv.records.schema.ValidationError
            If the store rejects the record (shown by the app's error banner).
        """
        if self.saved is not None:
            return self.saved
        problems = self.problems()
        if problems:
            self.message.value = ('<div class="cc-warn-box">' + "<br>".join(escape(p) for p in problems) + "</div>")
            return None
        now = self.clock()
        record = {**self.record(), STATUS: "completed", DATE: now.date().isoformat(),
                  "updates": [r.update() for r in self.items]}
        stored = self.session.save_now(record)
        if stored is None:
            self.message.value = (f'<div class="cc-warn-box">Not saved: {escape(self.session.problem_text)}; see '
                                  "the box at the top.</div>")
            return None
        self.session.close(flush=False)
        self.saved = stored
        n_done = sum(1 for u in stored["updates"] if u[STATUS] == "done")
        self._lock(f"Check-in saved at {now:%H:%M}: {len(stored['updates'])} item(s) reviewed, {n_done} done, "
                   f"{len(stored['ratings'])} rating(s).", ok=True)
        self.on_saved(stored)
        return stored

    def focus_first(self) -> None:
        """Put the keyboard in the check-in: the first open action item's note, else the note of the one-on-one;
        on a check-in that cannot be changed (completed, or no plan to follow up), on its way back."""
        if self.session is None or self.plan.conversation is None:
            self.back_button.focus()
        else:
            (self.items[0].note if self.items else self.note).focus()

    def _lock(self, text: str, ok: bool = False) -> None:
        self.message.value = f'<div class="{"cc-ok" if ok else "cc-note"}">{escape(text)}</div>'
        for part in [r.widget for r in self.items] + [r.widget for r in self.ratings] + [self.note]:
            set_disabled(part, True)
        show(self.save_button, False)
        self.back_button.description = "← Done"

    def close(self, save: bool = True) -> None:
        """Leave the check-in: save what is pending, or discard a draft nobody typed into.

        Raises
        ------
        careerconv.surfaces.app.session.ConflictOpen
            With ``save`` while the draft's conflict is not resolved.
        """
        session = self.session
        if session is None or session.closed:
            return
        if save and session.problem is None and self.saved is None and self.is_blank():
            session.close(flush=False)
            try:  # only if nobody changed it meanwhile
                self.store.delete_draft(self.employee[EMPLOYEE_ID], session.record_id,
                                        revision=session.current["revision"], kind="checkin")
            except (Conflict, NotFound):
                pass
            return
        session.close(flush=save)
