"""The way in and out of the team view: show a coach's team, and open a person, a conversation or a
check-in from one of its rows.

:class:`TeamRoutes` reads the team (:func:`careerconv.surfaces.app.team.load_team`) for the start screen's
:class:`careerconv.surfaces.app.team.TeamView`, and routes its rows' clicks to the app's person and
conversation lifecycle (:class:`careerconv.surfaces.app.lifecycle.ConversationLifecycle`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .team import TeamView, load_team

if TYPE_CHECKING:
    from .facilitation import ConversationApp


class TeamRoutes:
    """Shows the team view of ``app``'s start screen and opens what its rows ask for."""

    def __init__(self, app: "ConversationApp"):
        self.app = app

    def read_team(self, coach: str) -> list:
        """The rows of ``coach``'s team as of today (read by the start screen's team loader)."""
        return load_team(self.app.store, coach, self.app.clock().date(), roster=self.app.roster,
                         signed_in=self.app.signed_in)

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
        return self.app.start_screen.refresh_team()

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
        app, start = self.app, self.app.start_screen
        if coach_id is not None and coach_id not in start.coaches():
            raise ValueError(f"{coach_id!r} is not a coach on the roster of {app.data_dir}")
        if coach_id is None and not start.coach:
            raise ValueError("choose a coach first: the team view shows one coach's reports")
        if app.screen != "start":
            app.close_current(save=True)
            app.show_screen("start")
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
        self.app.start_screen.choose(view="person")

    def open_person(self, employee_id: str) -> None:
        """A row's name: the person's page."""
        self.show_people()
        self.app.lifecycle.select_employee(employee_id)

    def open_conversation(self, employee_id: str) -> None:
        """A row's conversation button: resume the person's draft, else start a conversation."""
        person = self.app.lifecycle
        person.select_employee(employee_id)
        if person.drafts():
            person.resume_draft()
        else:
            person.start_conversation()

    def open_checkin(self, employee_id: str) -> None:
        """A row's check-in button: the person's check-in."""
        self.app.lifecycle.select_employee(employee_id)
        self.app.open_checkin()
