"""The way in and out of a check-in: open the person's draft check-in (or a new one, or one named), leave it.

:class:`CheckinRoutes` builds the :class:`careerconv.surfaces.app.checkin.CheckinView` of the employee open
in the app (:class:`careerconv.surfaces.app.lifecycle.ConversationLifecycle`) with its save path, and goes
back to the start screen when the coach leaves it.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from careerconv.records.schema import CHECKIN_ID
from .checkin import CheckinView
from .place import NEW_CHECKIN

if TYPE_CHECKING:
    from .facilitation import ConversationApp


class CheckinRoutes:
    """Opens and leaves the check-ins of the employee open in ``app``.

    Attributes
    ----------
    view : CheckinView or None
        The check-in open (or open last).
    """

    def __init__(self, app: "ConversationApp"):
        self.app = app
        self.view: CheckinView | None = None

    def open_checkin(self, record: dict | None = None) -> CheckinView:
        """Show the check-in view for the open employee: resume their draft check-in, or start one.

        Parameters
        ----------
        record
            Show this check-in (a draft, or a completed one read-only) instead.

        Raises
        ------
        ValueError
            If no employee is open, or a new check-in (they have no draft check-in) is asked of someone who
            has left, or the draft check-in is dated after they left (it can be discarded, not continued).
        """
        app, person = self.app, self.app.lifecycle
        if person.employee is None:
            raise ValueError("pick an employee first")
        # a new check-in is for people still here; a draft check-in (to finish) or a completed one (to read) of
        # someone who left still opens
        if record is None and not person.checkin_drafts:
            person.require_here()
        app.close_current(save=True)
        person.reload_history()
        if record is None and person.checkin_drafts:
            record = person.checkin_drafts[-1]
        elif record is None:
            person.require_here()  # their draft was finished or discarded elsewhere meanwhile
        if record is not None:
            person.require_continuable(record)  # a draft dated after they left is discarded, not continued
        charts = app.charts_panel()
        charts.show_for(person.plan, person.conversations, person.checkins, app.clock().date())
        self.view = CheckinView(app.store, person.employee, person.conversations, person.checkins,
                                person.coach_for_new(), record=record, clock=app.clock, guard=app.guard,
                                make_session=functools.partial(app.edit_session, on_open=person.reopen,
                                                               on_leave=person.left_record),
                                on_saved=lambda _r: person.reload_history(), on_back=self.leave_checkin,
                                extra=charts.widget)
        app.show_screen("checkin")
        self.view.focus_first()
        return self.view

    def open_named(self, checkin_id: str) -> CheckinView:
        """Open the check-in a page address names (:data:`careerconv.surfaces.app.place.NEW_CHECKIN`: a new one).

        Raises
        ------
        ValueError
            If the open employee has no such check-in (any more).
        """
        if checkin_id == NEW_CHECKIN:
            return self.open_checkin()
        person = self.app.lifecycle
        known = {c[CHECKIN_ID]: c for c in [*person.checkin_drafts, *person.checkins]}
        if checkin_id not in known:
            raise ValueError(f"{person.employee['name']} has no check-in {checkin_id!r} (any more)")
        return self.open_checkin(known[checkin_id])

    def leave_checkin(self) -> None:
        """Save and leave the check-in; back to the person's page."""
        self.app.close_current(save=True)
        self.app.show_screen("start")
        self.app.lifecycle.reload_history()
        self.app.start_screen.focus_person_actions("checkin")
