"""The roster as the app looks people up: sorted by name, searchable by name or id, names by id.

Built once per roster read (the start screen searches it on every keystroke, so the search works on
arrays, not on the frame). Someone who has left (:mod:`careerconv.records.leavers`) is listed only when looked
for by name or id, with the day they left, and their coach is not offered for them; a coach who has left is
offered, marked and after the coaches still here, while people still here have them as coach (to see who needs a
new coach on the roster), but is the coach of no new conversation or check-in. Someone who starts after the day
(a future starter) is listed, like a leaver, only when looked for, with the day they start: they are on nobody's
team, and due for nothing, before it. A coach who starts after the day is offered, marked, after the coaches here;
their people are due as everyone is, and until that day another coach meets them (no new conversation or check-in
has them as coach). Under the hub, what is said of the coach signed in is said to them ("You start as a coach on
...", "By the roster you left as a coach on ...").
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

import numpy as np
import pandas as pd

from careerconv.records import leavers
from careerconv.records.dates import human_date
from careerconv.records.schema import CADENCE_MONTHS, COACH_ID, EMPLOYEE_ID, LEFT_ON, STARTED_ON


class RosterIndex:
    """The roster sorted by name (case ignored), with what search and look-ups need.

    Parameters
    ----------
    roster
        The roster frame (``employee_id``, ``name``, ``coach_id``, ...), in any order.
    day
        The day who is still here is judged on (None: everyone on the roster is).
    other_coaches
        ``coach id -> name`` of coaches on the roster who are not among ``roster``'s rows (under the hub a coach
        reads only their own people; the records service names the coaches who wrote their records). Read at each
        look-up, so it may grow after the index is built.
    other_coach_days
        ``coach id -> {"started_on", "left_on"}`` of coaches on the roster who are not among ``roster``'s rows (under
        the hub, the coach signed in: the records service says their days), judged on ``day`` as a row's are: such
        a coach who has not started yet or has left is marked and coaches nothing new. Read at each look-up.
    signed_in
        The coach signed in under the hub (None: the local app), who reads what is said of them: their first day
        still to come, or the day they left, is said to them, with nothing to choose or set on the roster (the picker
        offers them alone, and the roster is the operator's).
    """

    def __init__(self, roster: pd.DataFrame, day: dt.date | None = None,
                 other_coaches: Mapping[str, str] | None = None,
                 other_coach_days: Mapping[str, Mapping[str, Any]] | None = None, signed_in: str | None = None):
        self.frame = roster.sort_values("name", key=lambda s: s.str.casefold(), kind="stable").reset_index(drop=True)
        self.ids = self.frame[EMPLOYEE_ID].to_numpy(dtype=object)
        self.names = self.frame["name"].to_numpy(dtype=object)
        self.coach_ids = self.frame[COACH_ID].to_numpy(dtype=object)
        self._haystack = (self.frame["name"].str.casefold() + " " + self.frame[EMPLOYEE_ID].str.casefold()
                          ).to_numpy(dtype=object)
        self._row_of = {eid: i for i, eid in enumerate(self.ids)}
        self._name_of = dict(zip(self.ids, self.names))
        self._other_coaches = other_coaches if other_coaches is not None else {}  # the same object: it grows
        self.here = leavers.here_mask(self.frame, day) if day is not None else np.ones(len(self.ids), dtype=bool)
        left, later = ((leavers.left_mask(self.frame, day), leavers.not_started_mask(self.frame, day))
                       if day is not None else (~self.here, ~self.here))
        self._left_on = {self.ids[i]: self.frame[LEFT_ON].iloc[i] for i in np.flatnonzero(left)}
        self._starts_on = {self.ids[i]: self.frame[STARTED_ON].iloc[i] for i in np.flatnonzero(later)}
        self._day = day
        self._other_coach_days = other_coach_days if other_coach_days is not None else {}  # the same object
        self.signed_in = signed_in

    def _left_on_of(self, employee_id: str) -> Any:
        """The ``left_on`` of someone who has left by the day (a row's, or a coach's off the rows), else None."""
        if employee_id in self._row_of or self._day is None:
            return self._left_on.get(employee_id)
        left = (self._other_coach_days.get(employee_id) or {}).get(LEFT_ON)
        return None if leavers.is_here(left, self._day) else left

    def _starts_on_of(self, employee_id: str) -> Any:
        """The ``started_on`` of someone who starts after the day (a row's, or a coach's off the rows), else None."""
        if employee_id in self._row_of or self._day is None:
            return self._starts_on.get(employee_id)
        start = (self._other_coach_days.get(employee_id) or {}).get(STARTED_ON)
        day = leavers.start_day(start)
        return start if day is not None and day > self._day else None

    def __contains__(self, employee_id: str) -> bool:
        return employee_id in self._row_of

    def coach_name(self, coach_id: str | None) -> str | None:
        """The coach's name on the roster (None: no coach, or not on the roster)."""
        if not coach_id:
            return None
        return self._name_of.get(coach_id) or self._other_coaches.get(coach_id)

    def coach_label(self, coach_id: str | None) -> str:
        """``"Grace Hopper (C01)"`` when the coach is on the roster, else the id ("" for none)."""
        name = self.coach_name(coach_id)
        return f"{name} ({coach_id})" if name else coach_id or ""

    def draft_coach_label(self, coach_id: str, person_coach: str | None, *, more_follows: bool = False) -> str:
        """Whose a person's unfinished conversation or check-in is, as its offer says it when the coach meeting them
        now did not write it: ``"Grace Hopper (C01), their coach"`` (``person_coach``, their coach on the roster
        now), ``"Théo Lambert (E0020), their former coach"`` (another coach on the roster, under the hub), ``"Théo
        Lambert (E0020)"`` (another coach on the roster, in the local app), ``"E0020, a former coach no longer on the
        roster"``.

        Only the hub's records service makes the writer of a draft the person's coach when it was written (a coach
        saves only records of their own people); the local app lets any coach chosen write for anyone, one standing
        in once as well as one whose person moved away since, and keeps no earlier roster to tell them apart, so
        there the writer is named without being called their former coach. With ``more_follows`` (the sentence goes
        on after the label) an aside such as ``", their coach"`` is closed by a comma.
        """
        if coach_id == person_coach:
            aside = "their coach"
        elif not self.coach_name(coach_id):
            return f"{coach_id}, a former coach no longer on the roster{',' if more_follows else ''}"
        elif self.signed_in is not None:
            aside = "their former coach"
        else:
            return self.coach_label(coach_id)
        return f"{self.coach_label(coach_id)}, {aside}{',' if more_follows else ''}"

    def coaches(self) -> list[str]:
        """The ids of everyone who coaches someone still here: those here by their label, then those who have not
        started yet, then those who have left."""
        return sorted({c for c in self.coach_ids[self.here] if c},
                      key=lambda c: (bool(self.left_label(c)), bool(self.starts_label(c)),
                                     self.coach_label(c).casefold()))

    def anyone_on_no_team(self) -> bool:
        """Whether someone still here has no coach and coaches nobody (coached outside the organisation, say):
        only "All coaches" finds them, as no coach's team holds them."""
        here = self.coach_ids[self.here]
        coaching = {c for c in here if c}
        return any(not coach and eid not in coaching for eid, coach in zip(self.ids[self.here], here))

    def away_label(self, employee_id: str) -> str:
        """``"left 3 Mar 2026"`` or ``"starts 4 Jan 2027"`` for someone who is not here on the day, else ""."""
        return self.left_label(employee_id) or self.starts_label(employee_id)

    def coach_choice_label(self, coach_id: str | None) -> str:
        """The coach as the coach picker and a person's card name them: :meth:`coach_label`, with the day they
        left for a coach who has left (``"Jack Walker (E0065) · left 1 Nov 2026"``), or the day they start for a
        coach who has not started yet (``"Ann Lee (E0090) · starts 4 Jan 2027"``)."""
        away = self.away_label(coach_id or "")
        return self.coach_label(coach_id) + (f" · {away}" if away else "")

    def coach_option_label(self, coach_id: str) -> str:
        """The coach as the coach picker offers them: :meth:`coach_choice_label`, but the day a coach who has not
        started yet starts is said without its year while it is less than a year after the app's day, when no year
        is needed to know it (``"Théo Lambert (E0020) · starts 4 Feb"``): a phone's closed picker then shows the
        option whole (found cut at 400 px, "Théo Lambert (E0020) · starts 4 Feb 20"). The box below the picker says
        the day in full (:meth:`coach_away_hint`)."""
        start = self.start_day(coach_id)
        if start is None or self._day is None or not _less_than_a_year_after(self._day, start):
            return self.coach_choice_label(coach_id)
        return f"{self.coach_label(coach_id)} · starts {human_date(start, year=False)}"

    def coach_note(self, coach_id: str | None, whom: str) -> str:
        """What to do about a coach who is not here, as text (``whom``: who has them as coach), else "".

        A coach who has left: set a new coach on the roster. A coach who has not started yet: their people are due
        as everyone else is, so until the coach's first day another coach meets them (or the roster names one who
        is here).
        """
        yours = self._yours(coach_id, whom)
        if yours:
            return yours
        left = self.left_label(coach_id or "")
        if left:
            return f"Their coach {self.coach_label(coach_id)} {left}: set a new coach for {whom} on the roster."
        start = self.start_day(coach_id or "")
        if start is None:
            return ""
        return (f"Their coach {self.coach_label(coach_id)} starts on {human_date(start)}: until then another "
                f"coach meets {whom}, or set a coach who is here on the roster.")

    def _yours(self, coach_id: str | None, whom: str) -> str:
        """What the coach signed in under the hub is told of themselves when they are not here ("": they are, or
        ``coach_id`` is not them): while their first day is still to come, the day, from which they hold
        conversations with ``whom``; once they have left, the day, that they hold none in careerconv any more, and
        whom to ask if the roster is wrong (the roster is the operator's; they cannot choose another coach)."""
        if not coach_id or coach_id != self.signed_in:
            return ""
        left = self.left_day(coach_id)
        if left is not None:
            return (f"By the roster you left as a coach on {human_date(left)}: conversations and check-ins with "
                    f"{whom} can no longer be held in careerconv (a draft begun before can still be finished). If "
                    "you still coach them, ask HR or whoever runs careerconv for your organisation to correct the "
                    "roster.")
        start = self.start_day(coach_id)
        if start is None:
            return ""
        return (f"You start as a coach on {human_date(start)}: conversations and check-ins with {whom} can be held "
                "from then.")

    def coach_away_hint(self, coach_id: str) -> str:
        """What the start bar says of a chosen coach who is not here, as text ("": they are, or none is chosen)."""
        yours = self._yours(coach_id, "your people")
        if yours:
            return yours
        label = self.coach_label(coach_id)
        left = self.left_label(coach_id)
        if left:
            return (f"{label} {left}: their people need a new coach on the roster; no new conversation or check-in "
                    "is started with them as coach.")
        start = self.start_day(coach_id)
        if start is not None:
            return (f"{label} starts on {human_date(start)}: until then another coach meets their people, or set a "
                    "coach who is here on the roster; no new conversation or check-in is started with them as coach "
                    "before then.")
        return ""

    def person_coach_note(self, person_coach: str | None, new_coach: str | None, whom: str,
                          chosen: str | None = None) -> str:
        """What a person's page says of their coach (``person_coach``) and of the coach a new conversation or
        check-in with them would have (``new_coach``), as text ("": nothing to say): :meth:`coach_note`, and
        :meth:`new_coach_refusal` where that coach is refused. Where both are their coach, the refusal is said as
        what to do until then; to the coach signed in under the hub, their first day is said once (the picker
        offers nobody else to choose).

        ``chosen`` is the coach chosen in the coach picker, above the page: when they are the refused coach, the start
        bar already says that they left, or when they start, and that nothing new is started with them
        (:meth:`coach_away_hint`), so the page says only what to do for ``whom`` (found: a coach who had left was
        said to have left twice, one box above the other, on their person's page).
        """
        note = self.coach_note(person_coach, whom)
        refusal = self.new_coach_refusal(new_coach, whom)
        if not refusal:
            return note
        if new_coach == chosen and not self._yours(new_coach, whom):
            todo = f"To start a conversation or check-in with {whom}, choose the coach meeting them under Coach."
            return todo if new_coach == person_coach else " ".join(part for part in (note, todo) if part)
        if new_coach != person_coach:
            return " ".join(part for part in (note, refusal) if part)
        if self._yours(new_coach, whom):
            return note
        return note + (" Until then no new conversation or check-in is started with them as coach: to start one, "
                       f"choose the coach meeting {whom} under Coach.")

    def new_coach_refusal(self, coach_id: str | None, whom: str) -> str:
        """Why a new conversation or check-in with ``whom`` cannot have this coach, as text ("": it can).

        A coach who is not here (who has left, or has not started yet) coaches nothing new; a draft begun with them
        can still be finished.
        """
        left = self.left_label(coach_id or "")
        start = self.start_day(coach_id or "")
        if not left and start is None:
            return ""
        yours = self._yours(coach_id, whom)
        if yours:
            return yours
        away = left or f"starts on {human_date(start)}"
        before = "" if left else " before then"
        return (f"{self.coach_label(coach_id)} {away}: no new conversation or check-in is started with them as "
                f"coach{before}. To start one, choose the coach meeting {whom} under Coach.")

    def left_day(self, employee_id: str) -> dt.date | None:
        """The day someone who has left left (None: still here)."""
        return leavers.left_day(self._left_on_of(employee_id))

    def start_day(self, employee_id: str) -> dt.date | None:
        """The day someone who has not started yet starts (None: they have started)."""
        return leavers.start_day(self._starts_on_of(employee_id))

    def was_here(self, employee_id: str, day: str | dt.date) -> bool:
        """Whether someone was still here on ``day`` (an ISO date or a date): a draft of a day they were no longer
        here is not continued (:func:`careerconv.records.leavers.is_here`)."""
        return leavers.is_here(self._left_on_of(employee_id), pd.Timestamp(day).date())

    def draft_after_leaving(self, employee_id: str, name: str, draft_day: str, what: str = "conversation") -> str:
        """Why a draft of ``draft_day`` (``what``: ``"conversation"`` or ``"check-in"``) cannot be continued, as
        text ("": it can)."""
        if self.was_here(employee_id, draft_day):
            return ""
        return (f"The {what} of {human_date(draft_day)} is dated after {name} {self.left_label(employee_id)}: "
                "it can be discarded, not continued (if they are still here, correct their leaving day on the "
                "roster).")

    def left_label(self, employee_id: str) -> str:
        """``"left 3 Mar 2026"`` for someone who has left, else ""."""
        left = self._left_on_of(employee_id)
        return f"left {human_date(left)}" if left is not None else ""

    def starts_label(self, employee_id: str) -> str:
        """``"starts 4 Jan 2027"`` for someone who has not started yet, else ""."""
        start = self._starts_on_of(employee_id)
        return f"starts {human_date(start)}" if start is not None else ""

    def search(self, query: str, coach: str = "") -> np.ndarray:
        """Rows (in name order) whose name or id holds every word of ``query`` (case ignored), of ``coach``'s
        people when one is given; people who have left only when the query names something (they are looked
        for, not offered), and so are people who have not started yet."""
        mask = self.here.copy() if not query.split() else np.ones(len(self.ids), dtype=bool)
        if coach:
            mask &= self.coach_ids == coach
        hay = self._haystack
        for token in query.casefold().split():
            mask &= np.fromiter((token in h for h in hay), dtype=bool, count=len(hay))
        return np.flatnonzero(mask)

    def person(self, employee_id: str) -> dict | None:
        """The employee's roster row (missing values as None, the cadence as an int), or None if not on it."""
        row = self._row_of.get(employee_id)
        if row is None:
            return None
        rec = self.frame.iloc[row].to_dict()
        person = {k: (None if pd.isna(v) else v) for k, v in rec.items()}
        if person.get(CADENCE_MONTHS) is not None:
            person[CADENCE_MONTHS] = int(person[CADENCE_MONTHS])
        return person


def _less_than_a_year_after(day: dt.date, later: dt.date) -> bool:
    """Whether ``later`` comes before the day of ``day``'s month and day in the next year (so a day and month
    name it: the next one after ``day``)."""
    return later.year == day.year or (later.year == day.year + 1 and (later.month, later.day) < (day.month, day.day))
