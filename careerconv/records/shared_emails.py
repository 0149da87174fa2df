"""People on the roster who share an email: the notes a roster import and ``careerconv validate`` give of them.

A work email belongs to one person, so two roster people with the same one are most likely one person under two
ids: an export that writes the ids otherwise than the roster does (found by a hostile test: a workbook's ``1`` and
the next CSV's ``00001``, everyone added twice, and ``validate`` said all good), or someone who left and came back
under a new id (found: a rehire's new id added silently, her history left under the old one). Neither is refused,
since a shared address can be right (a team's mailbox), and a rehire's two ids are both real: these are notes.
Emails are compared case and surrounding spaces aside; an empty email is no one's.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable, Mapping

from . import leavers
from .schema import EMPLOYEE_ID, LEFT_ON


def shared_emails(people: Iterable[Mapping]) -> dict[str, list[Mapping]]:
    """The emails that more than one of ``people`` (roster rows) have, each with those people in the order given;
    keyed by the email as the first of them writes it."""
    by_email: dict[str, list[Mapping]] = {}
    for person in people:
        email = person.get("email")
        if isinstance(email, str) and email.strip():
            by_email.setdefault(email.strip().casefold(), []).append(person)
    return {group[0]["email"].strip(): group for group in by_email.values() if len(group) > 1}


def _who(person: Mapping, today: dt.date) -> str:
    """A person as a note names them: ``E0005 (Olivia Thompson, left on 2026-05-01)``."""
    left = leavers.left_day(person.get(LEFT_ON))
    gone = f", left on {left.isoformat()}" if left is not None and not leavers.is_here(left, today) else ""
    return f"{person[EMPLOYEE_ID]} ({person.get('name')}{gone})"


def rehire_note(new: Mapping, earlier: Mapping, today: dt.date) -> str:
    """The note on someone added under a new id with the email of someone who left: a rehire, most likely, whose
    history stays under the earlier id (no command moves records from one id to another)."""
    return (f"{_who(new, today)}, new on the roster, has the email of {_who(earlier, today)}: if they are "
            f"{earlier[EMPLOYEE_ID]} back under a new id, their earlier conversations, check-ins and reports stay "
            f"under {earlier[EMPLOYEE_ID]} (kept, as a leaver's) and {new[EMPLOYEE_ID]} starts without them; "
            "careerconv has no command that moves records from one id to another; if they are someone else, "
            "correct the email in the HR system")


def _rehire(group: list[Mapping], added: set[str], today: dt.date) -> tuple[Mapping, Mapping] | None:
    """The (new, earlier) people of a shared email's group that look like a rehire under a new id: one added now
    and here, one who left; None otherwise."""
    new = [p for p in group if p[EMPLOYEE_ID] in added and leavers.is_here(p.get(LEFT_ON), today)]
    gone = [p for p in group if p[EMPLOYEE_ID] not in added and not leavers.is_here(p.get(LEFT_ON), today)]
    return (new[0], gone[-1]) if len(group) == 2 and new and gone else None


def shared_email_notes(people: Iterable[Mapping], today: dt.date, added: Iterable[str] = ()) -> list[str]:
    """The notes on the roster's people (``people``: each id once) who share an email: one per rehire under a new
    id (:func:`rehire_note`: one of two ids among ``added``, the ids a roster import adds, and the other has
    left), and one listing the other emails held by more than one person; none when no one shares one."""
    added = set(added)
    notes, others = [], []
    for email, group in shared_emails(people).items():
        pair = _rehire(group, added, today)
        if pair is not None:
            notes.append(rehire_note(*pair, today))
        else:
            others.append(f"{email}: {', '.join(_who(p, today) for p in group)}")
    if others:
        shown = "; ".join(others[:5]) + (f"; and {len(others) - 5} more" if len(others) > 5 else "")
        notes.append(f"{len(others)} email address(es) belong to more than one person on the roster, most likely "
                     "one person under two ids (an export that writes its ids otherwise than the roster does, or "
                     f"someone who came back under a new id), whose records are then split between them: {shown}")
    return notes


def notes_after_import(existing: Mapping[str, Mapping], incoming: list[Mapping], today: dt.date) -> list[str]:
    """:func:`shared_email_notes` of the roster as a roster import leaves it: ``existing`` (by id) with the rows of
    the file (``incoming``) over it, the file's new ids being the ones added."""
    after = {**existing, **{row[EMPLOYEE_ID]: row for row in incoming}}
    return shared_email_notes(after.values(), today, [row[EMPLOYEE_ID] for row in incoming
                                                      if row[EMPLOYEE_ID] not in existing])
