"""Which known id a file's id is read as (:mod:`careerconv.records.id_spelling`), why a row's id
written otherwise is not taken as theirs, and the ids of erased people: the problems and notes an import says of
them."""

from __future__ import annotations

from typing import Any

from .id_spelling import CASE, EXTRA_ZEROS, PREFIX, ZEROS, AmbiguousId, IdMatch, KnownIds, matched_note
from .import_checking import Checker, some
from .schema import COACH_ID, EMPLOYEE_ID
from .store import ErasedIds


def erased_problem(what: str, employee_id: str, day: str, again: str) -> str:
    """Why a row naming an erased id is refused, and how to add them again on purpose (``again``)."""
    return f"{what} {employee_id} was erased on {day} (careerconv erase); to add them again on purpose, {again}"


def erased_as(erased: ErasedIds, known: KnownIds, value: Any) -> tuple[str | None, str] | None:
    """The erased id a row's id ``value`` names, and the day it was erased: ``value`` itself (in any case), or for
    a value of digits alone that is no known id, the id it would be in the known ids' shape
    (:meth:`KnownIds.spellings`: ``61`` or ``0061`` for an erased ``E0061``; found by a hostile test: added as
    someone new, silently), or else, with no id said (None), one whose number ``value`` writes otherwise
    (:meth:`ErasedIds.number_erased_on`: ``61``, ``0061`` or ``e61`` with no one left on the roster to learn the
    shape from; found by a hostile test: everyone erased, then ``61`` added); None when it names no one erased.
    A value that is a known id as it is written names them, whatever number an erased id had (found: a roster
    doubled as ``1`` and ``00001``, its ``00001`` erased, refused every later import of the ``1`` still on it; and
    ``E61``, on the roster since an import with ``allow_erased`` beside an erased ``E0061``)."""
    if not isinstance(value, str) or not erased.days:
        return None
    for candidate in (value, *known.spellings(value)):
        day = erased.erased_on(candidate)
        if day is not None:
            return candidate, day
    day = erased.number_erased_on(value) if value not in known.ids else None
    return (None, day) if day is not None else None


def own_id(value: str) -> bool:
    """Whether a value that writes an erased id's number otherwise (:func:`erased_as` without an id) is an id of its
    own, which an import with ``allow_erased`` takes as it is written: one with a prefix (``E61``, ``E061``), since
    an id with a prefix is matched but for case only (:mod:`~careerconv.records.id_spelling`: ``E61`` beside
    ``E0061`` is no one's misspelling, and it is not taken back as the erased id either). One of digits alone
    (``61``) reads as the erased id without its prefix or zeros, and which id that was is not kept: it is refused
    even then."""
    return not (value.isascii() and value.isdigit())


def erased_number_problem(what: str, value: str, day: str, again: str) -> str:
    """Why a row whose id writes an erased id's number otherwise (:func:`erased_as` without an id) is refused:
    which id it was is not kept, so it cannot be added as that id; and what ``again`` (how to import with
    ``allow_erased``) does for someone new (:func:`own_id`)."""
    refused = (f"{what} {value!r} is the number of an id erased on {day} (careerconv erase), written otherwise than "
               f"it was; which id that was is not kept: to add them again on purpose, write their id as it was and "
               f"{again}")
    if own_id(value):
        return (f"{refused}; if {value!r} is someone new, {again}: an id with a prefix is an id of its own, so it is "
                "added as it is written, and the erased id stays erased")
    return (f"{refused}; if it is someone new, give them an id of their own ({value!r} reads as the erased id "
            "without its prefix or leading zeros, even where erased people may be added again)")


def own_ids_note(ids: set[str]) -> str | None:
    """The note of an import that took ids writing an erased id's number otherwise as they are written
    (:func:`own_id`, with ``allow_erased``); None for none."""
    if not ids:
        return None
    return (f"{len(ids)} id(s) that write the number of an erased id otherwise were added as they are written "
            f"(allowed): {', '.join(sorted(ids))}; an id with a prefix is an id of its own, and the erased id stays "
            "erased")


def written(employee_id: str, value: str) -> str:
    """An id as a message names it: ``E0061``, or ``E0061 (written '61')`` for a value written otherwise."""
    return employee_id if employee_id.casefold() == value.casefold() else f"{employee_id} (written {value!r})"


def erased_note(ids: set[str]) -> str:
    """The note of an import that added erased ids again (with ``allow_erased``)."""
    return f"{len(ids)} erased id(s) added again on purpose (allowed): {', '.join(sorted(ids))}; they are no " \
        "longer on the list of erased ids"


# How a refusal says what reading an id as the roster's took, and what a different id must not be: by kind of match.
_PUT_BACK = {CASE: "once its case is the roster's", ZEROS: "once the leading zeros Excel drops are put back",
             EXTRA_ZEROS: "once the leading zeros the roster's id lacks are left out",
             PREFIX: "once the roster's prefix is put in front"}
LEFT_OUT = {CASE: "in another case", ZEROS: "without its zeros", EXTRA_ZEROS: "with zeros in front",
            PREFIX: "without its prefix"}
_WRITTEN_AS = {CASE: "in the roster's case", ZEROS: "with its zeros (format the column as text)",
               EXTRA_ZEROS: "without the leading zeros, as the roster writes it", PREFIX: "with its prefix"}


def not_theirs(found: IdMatch, known_name: Any, written_name: Any, someone_else: str) -> str:
    """Why a row's id read as a roster id written otherwise (``found``) is not taken as theirs
    (:func:`~careerconv.records.id_spelling.confirmed`): the row's name (``written_name``) is not the roster's
    (``known_name``), or the row has none (a history file); ``someone_else`` says what to do if it is someone else."""
    if written_name:
        return (f"reads as {found.id!r} {_PUT_BACK[found.how]}, but {found.id} on the roster is {known_name!r}, not "
                f"{written_name!r} (an id written otherwise than the roster writes it is read as theirs only beside "
                f"their name): if this is {found.id}, write the id {_WRITTEN_AS[found.how]}; if it is someone else, "
                f"{someone_else}")
    return (f"reads as {found.id!r} {_PUT_BACK[found.how]}, but a history file has no name beside it to tell that it "
            f"is {found.id} ({known_name!r}) and not a typo or another system's number: if this is {found.id}, "
            f"write {found.id} as the roster does (or add a column with the employee's name)")


def coach_not_confirmed(found: IdMatch, employee_id: str | None, roster_coach: str | None) -> str:
    """Why a history row's coach id read as a roster id written otherwise (``found``: ``3`` for ``E0003``) is not
    taken: it is not the employee's coach on the roster (``roster_coach``), and no name says whose it is."""
    whose = f"{employee_id}'s coach on the roster is {roster_coach or 'no one'}, and " if employee_id else ""
    return (f"reads as {found.id!r} {_PUT_BACK[found.how]}, but {whose}a history file has no name beside a coach's "
            f"id to tell that it is {found.id}: if this is {found.id}, write {found.id} as the roster does (or leave "
            "the coach column out: the roster's coach is taken)")


def coach_not_named(found: IdMatch, known_name: Any, where: str, written_name: Any, name_column: str | None,
                    coach_column: str) -> str:
    """Why a roster row's coach id read as a known id otherwise than it is written (``found``: ``3`` or ``0003`` for
    ``E0003``) is not taken (:func:`~careerconv.records.id_spelling.confirmed`): the manager's name on the row
    (``written_name``, in the file's ``name_column``) is not that person's (``known_name``, ``where`` it is known:
    on the roster, or in this file), or the row has none, or the file has no column of it (``name_column`` None)."""
    known = f"{found.id} ({known_name!r}, {where})"
    if written_name:
        why = f"{found.id} {where} is {known_name!r}, not {written_name!r} (the manager's name in {name_column!r})"
        add = ""
    elif name_column:
        why = f"{name_column!r} is empty on this row, so nothing tells that it is {known} and not a typo or another " \
              "system's number"
        add = f" (or their name in {name_column!r})"
    else:
        why = (f"the file has no column of the manager's name (such as 'Manager Name', or 'Reports To' beside "
               f"{coach_column!r}) to tell that it is {known} and not a typo or another system's number")
        add = " (or add such a column)"
    return (f"reads as {found.id!r} {_PUT_BACK[found.how]}, but {why}: if the coach is {found.id}, write {found.id} "
            f"as the roster does{add}; if it is someone else, write their id")


def stored_id(known: KnownIds, value: str) -> str:
    """The id ``value`` is stored as: the known id it matches (:mod:`careerconv.records.id_spelling`), else itself
    (a new one, or one that fits several: its row is refused)."""
    try:
        found = known.match(value)
    except AmbiguousId:
        return value
    return found.id if found else value


def match_id(checker: "Checker", known: KnownIds, value: str | None, row: int, column: str) -> IdMatch | None:
    """The known id a row's id ``value`` in ``column`` is read as (:meth:`KnownIds.match`), None when it is none (or
    empty); one that fits several known ids is a problem of the row, naming them."""
    if not value:
        return None
    try:
        return known.match(value)
    except AmbiguousId as exc:
        checker.add(str(exc), row, column, value)
        return None


def outside_coaches_note(outside: list[str]) -> str | None:
    """The note on coach ids that are no one's on the roster (nor in the file), written as they are; None for none.
    """
    if not outside:
        return None
    return (f"{len(outside)} coach(es) are not on the roster themselves ({some(outside)}): external coaches and "
            "coaches who are not employees are fine, a typo is not")


def matched_notes(checker: "Checker", matches: list[tuple[str, IdMatch]]) -> list[str]:
    """The notes on the ids read as a known id written otherwise (``(column, match)``), one per column, named as
    the file's header names it."""
    notes = [matched_note(checker.header_of(column), [m for c, m in matches if c == column])
             for column in (EMPLOYEE_ID, COACH_ID)]
    return [note for note in notes if note]
