"""The check-in view: follow up the plan in a regular one-on-one, in under a minute.

It lists the open action items of the last completed conversation and the
items carried over from earlier ones (:func:`careerconv.app.followup.open_items`),
each with its current status preselected, so the coach only touches what
changed: a status (open / in progress / done / dropped - dropping needs a
reason), a note, and optionally an interim rating per skill of the plan. Below
them, for reference, the items already done (with the day they were done) or
dropped (with the reason). One click saves the check-in through
``Store.save_checkin``.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Callable

import ipywidgets as W

from .. import schema as S
from ..store import Store
from . import followup as F
from .glance import closed_items_html, item_when
from .summary import human_date
from .timers import Clock, system_clock
from .widgets import NO_RATING, RATING_CHOICES, button, classed, html, rating_out, set_disabled, show

STATUS_CHOICES = [("Open", "open"), ("In progress", "in_progress"), ("Done", "done"), ("Dropped", "dropped")]


class CheckinItemRow:
    """One action item: status, note, and a reason when dropped."""

    def __init__(self, item: F.ItemState, today: dt.date, guard: Callable):
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
        self.status = classed(W.ToggleButtons(options=STATUS_CHOICES, value=item.status,
                                              style={"button_width": "auto"}), "cc-choice", "cc-item-status")
        self.note = classed(W.Text(placeholder="Note (optional)", layout=W.Layout(flex="1 1 auto", width="auto"),
                                   continuous_update=True), "cc-item-note")
        self.reason = classed(W.Text(placeholder="Why is it dropped? (required)",
                                     layout=W.Layout(flex="1 1 auto", width="auto"), continuous_update=True),
                              "cc-item-reason")
        self.status.observe(guard(lambda _c: show(self.reason, self.status.value == "dropped")), names="value")
        show(self.reason, False)
        self.widget = classed(W.VBox([
            html(f"<div>{escape(item.text) or '<i>(no text)</i>'}</div>", "cc-item-text"),
            html(f'<div class="cc-muted">{" · ".join(meta)}</div>'),
            classed(W.HBox([self.status, self.note, self.reason], layout=W.Layout(width="100%")), "cc-row"),
        ]), "cc-checkin-item")

    def update(self) -> dict:
        """This item's line of the check-in record."""
        return {"conversation_id": self.item.conversation_id, "item_id": self.item.item_id,
                "status": self.status.value, "note": self.note.value,
                "reason": self.reason.value if self.status.value == "dropped" else ""}


class RatingRow:
    """An optional interim rating of one skill of the plan."""

    def __init__(self, skill: F.SkillState):
        self.skill = skill
        facts = [f"then {skill.baseline}" if skill.baseline is not None else "not rated then"]
        if skill.latest is not None and skill.latest.self_rating is not None and skill.latest.source == "checkin":
            facts.append(f"last {skill.latest.self_rating} ({escape(human_date(skill.latest.date))})")
        targets = [f"{h} mo: {skill.targets[h]}" for h in S.HORIZONS if skill.targets.get(h) is not None]
        if targets:
            facts.append("targets " + ", ".join(targets))
        self.self_rating = classed(W.Dropdown(options=RATING_CHOICES, value=NO_RATING, description="Their rating",
                                              style={"description_width": "initial"},
                                              layout=W.Layout(width="170px")), "cc-interim-self")
        self.coach_rating = classed(W.Dropdown(options=RATING_CHOICES, value=NO_RATING, description="Coach's view",
                                               style={"description_width": "initial"},
                                               layout=W.Layout(width="170px")), "cc-interim-coach")
        label = html(f"<div><b>{escape(skill.skill)}</b> <span class=\"cc-muted\">{' · '.join(facts)}</span></div>")
        label.layout = W.Layout(flex="1 1 auto", width="auto")
        self.widget = classed(W.HBox([label, self.self_rating, self.coach_rating], layout=W.Layout(width="100%")),
                              "cc-row", "cc-interim-row")

    def rating(self) -> dict | None:
        """This skill's line of the check-in record, or None if nothing was rated."""
        own, coach = rating_out(self.self_rating.value), rating_out(self.coach_rating.value)
        if own is None and coach is None:
            return None
        return {"skill": self.skill.skill, "self_rating": own, "coach_rating": coach}


class CheckinView:
    """The check-in screen of one employee.

    Parameters
    ----------
    store
        Where the check-in is saved.
    employee
        The roster row.
    conversations, checkins
        The employee's records (as the store returns them).
    coach_id
        The coach holding the check-in.
    clock
        Current time (the check-in's date and ``created_at``).
    guard
        Wraps callbacks so errors are shown in the app.
    on_saved
        Called with the stored check-in record.
    on_back
        Called when the coach leaves the view.
    """

    def __init__(self, store: Store, employee: dict, conversations: list[dict], checkins: list[dict],
                 coach_id: str, *, clock: Clock = system_clock, guard: Callable = lambda fn: fn,
                 on_saved: Callable[[dict], None] = lambda rec: None, on_back: Callable[[], None] = lambda: None):
        self.store = store
        self.employee = employee
        self.coach_id = coach_id
        self.clock = clock
        self.on_saved = on_saved
        self.saved: dict | None = None
        today = clock().date()
        self.plan = F.previous_plan(conversations, checkins)
        self.items = [CheckinItemRow(i, today, guard) for i in self.plan.open_items]
        self.ratings = [RatingRow(s) for s in self.plan.skills]
        self.note = classed(W.Textarea(placeholder="Anything else from this one-on-one (optional)", rows=2,
                                       layout=W.Layout(width="100%"), continuous_update=True), "cc-checkin-note")
        self.save_button = button("Save check-in", "cc-primary", "cc-save-checkin")
        self.save_button.on_click(guard(lambda _b: self.save()))
        self.back_button = button("← Back", "cc-back-checkin")
        self.back_button.on_click(guard(lambda _b: on_back()))
        self.message = html("", "cc-checkin-message")
        name = escape(employee.get("name") or employee.get("employee_id") or "")
        head = html(f'<div class="cc-section-title">Check-in with {name} '
                    f'<span class="cc-pill">{escape(human_date(today))}</span></div>')
        parts: list[W.Widget] = [head]
        if self.plan.conversation is None:
            parts.append(html('<div class="cc-muted">No completed career conversation yet, so there is no plan to '
                              "follow up. Hold the career conversation first.</div>"))
            show(self.save_button, False)
        else:
            parts.append(html(f'<div class="cc-muted">The plan of {escape(human_date(self.plan.date))}: mark what '
                              "changed, leave the rest.</div>"))
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
        parts.append(self.message)
        parts.append(classed(W.HBox([self.back_button, self.save_button]), "cc-row", "cc-footer"))
        self.widget = classed(W.VBox(parts), "cc-card", "cc-checkin")

    def problems(self) -> list[str]:
        """What must be fixed before saving (a dropped item without a reason)."""
        return [f"Say why “{r.item.text}” is dropped." for r in self.items
                if r.status.value == "dropped" and not r.reason.value.strip()]

    def record(self) -> dict:
        """The check-in record as it would be saved now."""
        now = self.clock()
        eid = self.employee["employee_id"]
        return {
            "checkin_id": self.store.new_record_id("checkin", eid, now.date()),
            "employee_id": eid,
            "coach_id": self.coach_id,
            "date": now.date().isoformat(),
            "conversation_id": self.plan.conversation_id,
            "note": self.note.value,
            "updates": [r.update() for r in self.items],
            "ratings": [x for x in (r.rating() for r in self.ratings) if x is not None],
            "source": "app",
            "created_at": now.isoformat(timespec="seconds"),
        }

    def save(self) -> dict | None:
        """Validate and save the check-in; show what is wrong instead if anything is.

        Returns
        -------
        dict or None
            The stored record, or None when something must be fixed first.

        Raises
        ------
        careerconv.schema.ValidationError
            If the store rejects the record (shown by the app's error banner).
        """
        if self.saved is not None:
            return self.saved
        problems = self.problems()
        if problems:
            self.message.value = ('<div class="cc-warn-box">' + "<br>".join(escape(p) for p in problems) + "</div>")
            return None
        stored = self.store.save_checkin(self.record())
        self.saved = stored
        n_done = sum(1 for u in stored["updates"] if u["status"] == "done")
        self.message.value = (f'<div class="cc-ok">Check-in saved at {self.clock():%H:%M}: {len(stored["updates"])} '
                              f"item(s) reviewed, {n_done} done, {len(stored['ratings'])} rating(s).</div>")
        for part in [r.widget for r in self.items] + [r.widget for r in self.ratings] + [self.note]:
            set_disabled(part, True)
        show(self.save_button, False)
        self.back_button.description = "← Done"
        self.on_saved(stored)
        return stored
