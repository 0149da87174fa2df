"""Whether the people of a roster file have left, and since when: employment-status and
leaving-date cells, the leaving day a row gives, and the notes and refusals on leavers (an active flag that would
mark too many as left, conversations after a leaving day, a file that is not a full export of current staff)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Callable, Iterable

import pandas as pd

from . import leavers
from . import schema
from .dates import human_date
from .import_asking import FileRejected
from .import_cells import EARLIEST_DATE, DateOrderDecision
from .import_checking import Checker, cell_text, some
from .import_columns import ACTIVE_FLAG_COLUMNS, GENERIC_STATUS_COLUMNS, column_key
from .import_files import RawRow, RawTable
from .import_options import MISSING_HAVE_LEFT_OPTION
from .schema import DATE, EMPLOYEE_ID, LEFT_ON, STARTED_ON
from .store import Store

# Someone hired who has not started yet, as column_key folds it: HiBob's "Hired" (a start day still to come),
# Rippling's "Accepted" (and "Hired", an offer made), Personio's "Onboarding", Workday's and Dynamics' "Pending".
# Their start day comes from the file's start-date column (STARTED_ON: "Start date", "Hire Date" ...); a file without
# one gives none, so they are here from the import on, and the import's summary names them.
NOT_STARTED = ("hired", "accepted", "pending", "onboarding", "new_hire")
# The values of an employment-status column, as column_key folds them: still here, or left (English, then German,
# French, Spanish and Dutch). Someone on leave is still here (HiBob's "Garden leave" and "Parental leave",
# Personio's "Auszeit"), and so is someone not started yet (NOT_STARTED). Any other value is refused, naming these.
EMPLOYMENT_STATUSES = {
    "here": ("active", "employed", "current", "on_leave", "leave", "leave_of_absence", "garden_leave",
             "parental_leave", "suspended", *NOT_STARTED, "rehire", "rehired", "probation", "aktiv",
             "beschaftigt", "auszeit", "actif", "en_poste", "activo", "activa", "alta", "en_activo", "actief",
             "in_dienst", "furloughed"),
    "left": ("terminated", "inactive", "leaver", "left", "withdrawn", "former", "retired", "resigned",
             "dismissed", "deceased", "separated", "offboarded", "ausgetreten", "inaktiv",
             "ausgeschieden", "sorti", "sortie", "inactif", "parti", "baja", "de_baja", "inactivo", "inactiva",
             "uit_dienst", "inactief", "vertrokken"),
}
# Statuses of a hire that also answer an approval ("Status: Accepted / Rejected / Pending"), as column_key folds them:
# they make a column with a generic name (GENERIC_STATUS_COLUMNS) one of employment statuses only beside another.
APPROVAL_WORDS = ("accepted", "pending")
# Kinds of contract, which some exports' "Employment Status" holds (BambooHR: Full-Time, Part-Time, Contractor ...
# and Terminated): they say nothing of whether someone is here, and are read as an empty status, so the file's other
# status column says it (found: BambooHR's Status "Inactive" beside Employment Status "Full-Time" refused as a
# contradiction).
CONTRACT_TYPES = ("full_time", "part_time", "contractor", "contract", "intern", "temporary", "fixed_term",
                  "permanent", "vollzeit", "teilzeit", "befristet", "unbefristet", "temps_plein", "temps_partiel",
                  "jornada_completa", "media_jornada", "fulltime", "parttime", "voltijd", "deeltijd")
# A status of several words ("Terminated (Voluntary)", "Inactive - Terminated", "Active - Leave of Absence") not
# among EMPLOYMENT_STATUSES: left when one of its words says so, else here when one of its words says that.
STATUS_WORDS = {
    "left": {"terminated", "resigned", "retired", "dismissed", "deceased", "leaver", "withdrawn", "inactive",
             "separated", "ausgetreten", "ausgeschieden", "inaktiv", "inactif", "inactivo", "inactiva", "inactief",
             "vertrokken"},
    "here": {"active", "employed", "leave", "aktiv", "actif", "activo", "activa", "actief"},
}
# A word that turns the status word right after it (or after "longer", "mehr" ...) around: "Not Active", "Nicht
# aktiv", "Non actif", "No activo", "Niet actief", "No longer employed" have left (found: read as here, for the
# word "active" in them); a negated word of leaving ("Not terminated") is not guessed.
STATUS_NEGATIONS = {"not", "no", "never", "nicht", "kein", "keine", "non", "niet", "nie"}
STATUS_LONGER = {"longer", "mehr", "plus", "mas", "meer"}

# The values of an active flag, as column_key folds them (an .xlsx holds TRUE/FALSE and 1/0 as such cells).
ACTIVE_FLAGS = {"here": ("yes", "y", "true", "1", "ja", "oui", "si"), "left": ("no", "n", "false", "0", "nein", "non")}


def met_after_leaving(store: Store, incoming: list[dict], existing: dict[str, dict]) -> list[str]:
    """A note on the people given a new leaving day that comes before a conversation or a check-in they had (a typo
    in the year, or the wrong person): the HR page would count that conversation or check-in for no one. Only
    those whose leaving day this file changes are read (a few, not the roster); drafts count too."""
    late, kinds = [], set()
    for rec in incoming:
        day = rec[LEFT_ON]
        before = existing.get(rec[EMPLOYEE_ID], {}).get(LEFT_ON)
        if not day or leavers.left_day(before) == dt.date.fromisoformat(day):
            continue
        eid = rec[EMPLOYEE_ID]
        met = {"conversation": [c[DATE] for c in store.conversations(eid) if c[DATE] >= day],
               "check-in": [c[DATE] for c in store.checkins(eid) + store.checkins(eid, drafts=True)
                            if c[DATE] >= day]}
        found = [f"a {kind} on {max(dates)}" for kind, dates in met.items() if dates]
        if found:
            late.append(f"{eid}: left on {day}, {' and '.join(found)}")
            kinds.update(kind for kind, dates in met.items() if dates)
    return _after_leaving_note(late, kinds, "in the file")


def _after_leaving_note(late: list[str], kinds: set[str], where: str) -> list[str]:
    """The note on records dated on or after someone's leaving day (``late``: ``E0010: left on …, a conversation on
    …``; ``kinds``: conversation, check-in), the leaving day being ``where`` (in the file, on the roster); none for
    none."""
    if not late:
        return []
    what = " or ".join(kind for kind in ("conversation", "check-in") if kind in kinds)
    return [f"{len(late)} employee(s) have a {what} on or after the leaving day {where}; check those "
            f"days ({some(late, 5)})"]


def history_after_leaving(roster: pd.DataFrame, records: Iterable[tuple[str, dt.date]]) -> list[str]:
    """The note on a history's conversations (``(employee id, date)``) dated on or after the employee's leaving
    day on the roster, as a roster import points out those after a new leaving day (found by a hostile test:
    attached without a word); none for none."""
    left = {eid: leavers.left_day(day) for eid, day in zip(roster[EMPLOYEE_ID], roster[LEFT_ON])} \
        if LEFT_ON in roster.columns else {}
    latest: dict[str, dt.date] = {}
    for eid, date in records:
        if left.get(eid) is not None and date >= left[eid]:
            latest[eid] = max(date, latest.get(eid, date))
    late = [f"{eid}: left on {left[eid].isoformat()}, a conversation on {day.isoformat()}"
            for eid, day in sorted(latest.items())]
    return _after_leaving_note(late, {"conversation"}, "on the roster")


def check_missing_have_left(raw: RawTable, imported: int, leaving: int, here: int) -> None:
    """Refuse :data:`MISSING_HAVE_LEFT_OPTION` when the file cannot be a full export of current staff: it imports
    no row, or it would mark more than half of the people here as left (a department's file, a filtered view).

    Raises
    ------
    FileRejected
        Naming how many would leave, and how to record that many leavers.
    """
    if imported and leaving * 2 <= here:
        return
    why = ("it imports no row" if not imported else
           f"it would mark {leaving} of the {here} people here as left: the file lists fewer than half of them")
    raise FileRejected([schema.Problem(raw.source, f"{MISSING_HAVE_LEFT_OPTION} takes the file for a full export "
                                                   f"of everyone who works here, and {why}")],
                       f"{raw.source}: not a full export of current staff; nothing was written",
                       "check that the file is the whole export (not one department's or a filtered view); to record "
                       "that many leavers, import a file with their leaving dates or employment status instead")


def check_flag_leavers(raw: RawTable, checker: Checker, undated: list[str], existing: dict[str, dict],
                        today: dt.date) -> None:
    """Refuse a file whose active flag (a Yes/No column named ``Active``, ``Is Active`` ...:
    :data:`ACTIVE_FLAG_COLUMNS`) would mark more than a third of the people here as left at once, with no leaving
    day beside it (``undated``: the ids the file says left without one): a Yes/No column under such a name may
    answer another question (found: a column "Active" of another meaning marked 8 of 16 as left).

    Raises
    ------
    FileRejected
        Naming the column, how many would leave, and what to do.
    """
    if checker.keys.get("employment_status") not in ACTIVE_FLAG_COLUMNS:
        return
    here = {eid for eid, row in existing.items() if leavers.is_here(row.get(LEFT_ON), today)}
    leaving = [eid for eid in undated if eid in here]
    if len(leaving) < 2 or len(leaving) * 3 <= len(here):  # more than a third at once: not taken on a Yes/No
        return
    column = checker.header_of("employment_status")
    raise FileRejected([schema.Problem(raw.source, f"column {column!r} is read as whether each person still works "
                                                   f"here, and it would mark {len(leaving)} of the {len(here)} "
                                                   "people here as left, with no leaving day beside it")],
                       f"{raw.source}: {column!r} would mark more than a third of the people here as left; nothing was "
                       "written",
                       f"if {column!r} says something else, rename it in the file so that it is not read; to record "
                       "that many leavers, import a file with their leaving dates or an employment status such as "
                       "Terminated")


def leaving_columns_notes(checker: Checker, contract_ends: list[tuple[str, dt.date, bool, bool]],
                           today: dt.date) -> list[str]:
    """The notes on which columns a roster file's leaving days are read from, named as its header names them, and
    on its contract ends (``contract_ends``: employee id, contract end, whether it was read as their leaving day,
    whether their status is empty), which are not leaving days."""
    said = [f"{checker.header_of(c)!r} ({what})" for c, what in (
        (LEFT_ON, "the day someone left"), ("last_day", "their last working day: gone the day after"),
        ("employment_status", "whether someone left")) if c in checker.columns]
    notes = [f"read the leaving days from {' and '.join(said)}"] if said else []
    if "contract_end" not in checker.columns:
        return notes
    column = checker.header_of("contract_end")
    read = [eid for eid, _, as_left, _ in contract_ends if as_left]
    passed = [eid for eid, end, as_left, no_status in contract_ends if not as_left and no_status and end <= today]
    if "employment_status" in checker.columns:
        status = checker.header_of("employment_status")
        notes.append(f"{column!r} is the end of a contract, not a leaving day (contracts are renewed and people "
                     f"stay): it is read as the leaving day only of someone whose {status!r} says they left, "
                     "who has no leaving day in the file and whose contract has ended"
                     + (f": {len(read)} employee(s) ({some(read)})" if read else ": no one in this file"))
    else:
        notes.append(f"{column!r} is the end of a contract, not a leaving day (contracts are renewed and people "
                     "stay), and is not read as one: a leaving day is read from a column such as 'Termination Date' "
                     "or 'Last Working Day', or an employment status such as Terminated")
    if passed:
        notes.append(f"{len(passed)} employee(s) have a {column!r} that has passed and nothing in the file says they "
                     f"left: they are here ({some(passed)}); if they left, import a file with their leaving day or "
                     "employment status")
    return notes


def leaving_notes(incoming: list[dict], rows: list[RawRow], leaving: dict[int, str], existing: dict[str, dict],
                   today: dt.date) -> list[str]:
    """The notes on who in the file left, left without a date, or is here again."""
    notes = []
    gone = [r[EMPLOYEE_ID] for r in incoming if r[LEFT_ON] and dt.date.fromisoformat(r[LEFT_ON]) <= today]
    going = [r[EMPLOYEE_ID] for r in incoming if r[LEFT_ON] and dt.date.fromisoformat(r[LEFT_ON]) > today]
    if gone:
        notes.append(f"{len(gone)} employee(s) in the file have left: they are no longer offered for a conversation, "
                     f"due or in report batches, and their records are kept ({some(gone)})")
    if going:
        notes.append(f"{len(going)} employee(s) in the file have a leaving date still to come: they are here until "
                     f"then ({some(going)})")
    undated = [r[EMPLOYEE_ID] for r, raw in zip(incoming, rows) if leaving.get(raw.row) == "no date"]
    if undated:
        notes.append(f"{len(undated)} employee(s) left by their employment status without a leaving date: left on "
                     f"{today.isoformat()}, the day of this import ({some(undated)})")
    earlier = [r[EMPLOYEE_ID] for r, raw in zip(incoming, rows) if leaving.get(raw.row) == "back"]
    if earlier:
        notes.append(f"{len(earlier)} employee(s) are active by their employment status beside a leaving date that "
                     f"has passed, read as an earlier leaving: they are here ({some(earlier)})")
    back = [r[EMPLOYEE_ID] for r in incoming if not r[LEFT_ON] and r[EMPLOYEE_ID] in existing
            and not leavers.is_here(existing[r[EMPLOYEE_ID]].get(LEFT_ON), today)]
    if back:
        notes.append(f"{len(back)} employee(s) who had left are in the file as still here, and are here again "
                     f"({some(back)})")
    return notes


def started_on(day: dt.date | None, in_file: bool, before: Any) -> dt.date | None:
    """The ``started_on`` a row gives (None: started long ago), from its start-date cell (``day``; ``in_file``:
    whether the file has the column) and the day the roster has (``before``): the file's day, past or to come (a
    future starter is here from it on, and someone hired during a report's period is counted from it:
    :mod:`careerconv.records.leavers`); a file without the column keeps the roster's.

    Found by a hostile test: a start day that had passed was dropped, so the HR report counted people hired in
    November in a period that ended in September.
    """
    return day if in_file else leavers.start_day(before)


def parse_start_day(value: Any, *, decision: DateOrderDecision, today: dt.date) -> dt.date | None:
    """A start-date cell (empty or ``n/a``: none), with the file's day/month order
    (:func:`careerconv.records.schema.parse_started_on`); one that reads both ways (``03/04/2020``) and has passed
    either way is None (started long ago, whichever day it is), and one still to come either way is the earlier of
    the two (found: read as started long ago, so a Hired person was due at once).

    Raises
    ------
    ValueError
        As :func:`careerconv.records.schema.parse_started_on`, and for a day that reads both ways, one of them still
        to come.
    """
    try:
        return _file_day(value, decision, schema.parse_started_on, "a start date")
    except ValueError as exc:
        orders = schema.slash_date_orders(value) if "ambiguous" in str(exc) else set()
        days = [schema.parse_started_on(value, date_order=o) for o in orders]
        if days and all(day <= today for day in days):
            return None
        if days and all(day > today for day in days):
            return min(days)
        raise


def unread_start_day_problem(checker: Checker, raw_row: RawRow, why: str) -> str | None:
    """The problem of a row whose start-date cell could not be read (``why``) and whose employment status says they
    have not started yet (:data:`NOT_STARTED`: Hired, Accepted, Onboarding ...), so their start day is what says
    from when they are here: not guessed (found: a Hired person with 04.01.27 read as started long ago and due at
    once); None for anyone else, read as started long ago with a note (:func:`unread_start_days_note`)."""
    status = cell_text(checker.values(raw_row).get("employment_status")).strip()
    if column_key(status) not in NOT_STARTED:
        return None
    return (f"{why}; {checker.header_of('employment_status')!r} says they have not started yet ({status}), so "
            "their start day says from when they are on their coach's team and due: write it as YYYY-MM-DD")


def unread_start_days_note(checker: Checker, unread: list[tuple[int, str, str]]) -> list[str]:
    """The note on the start-date cells that could not be read (``unread``: row, value, why), read as started long ago
    (as they were before start days were kept: an export's hire-date column never refuses a file); none for none."""
    if not unread:
        return []
    shown = "; ".join(f"row {row}: {value!r} {why}" for row, value, why in unread[:3])
    return [f"{len(unread)} start date(s) in {checker.header_of(STARTED_ON)!r} could not be read, so those people are "
            f"read as started long ago ({shown}{' ...' if len(unread) > 3 else ''}); if one of them starts on a day "
            "still to come, write that day as YYYY-MM-DD and import the file again"]


def not_started_note(checker: Checker, incoming: list[dict], rows: list[RawRow], today: dt.date) -> list[str]:
    """The notes on the people of the file who have not started yet: those with a start day still to come, here
    from it on, and those whose employment status says so (:data:`NOT_STARTED`: Hired, Accepted, Onboarding ...)
    with no start day in the file, read as here; none for none."""
    notes = []
    later = [(r[EMPLOYEE_ID], r[STARTED_ON]) for r in incoming
             if r[STARTED_ON] and dt.date.fromisoformat(r[STARTED_ON]) > today]
    if later:
        notes.append(f"{len(later)} employee(s) start on a day still to come (read from "
                     f"{checker.header_of(STARTED_ON)!r}): they are on their coach's team, due for a conversation and "
                     f"counted in HR figures from that day on, not before "
                     f"({some([f'{eid} on {day}' for eid, day in later])})")
    index = checker.columns.get("employment_status")
    if index is None:
        return notes
    def cell(raw: RawRow, at: int | None) -> str:
        return cell_text(raw.cells[at]).strip() if at is not None and at < len(raw.cells) else ""
    start = checker.columns.get(STARTED_ON)
    said = {r[EMPLOYEE_ID]: cell(raw, index) for r, raw in zip(incoming, rows)
            if column_key(cell(raw, index)) in NOT_STARTED and not cell(raw, start)}
    if not said:
        return notes
    values = ", ".join(sorted(set(said.values())))
    where = "has no start day for them" if checker.has(STARTED_ON) else "has no start-date column"
    return [*notes, f"{len(said)} employee(s) have not started yet by their "
                    f"{checker.header_of('employment_status')!r} ({values}) and the file {where}, so they are here "
                    f"from this import on, on their coach's team and in HR figures like everyone active "
                    f"({some(list(said))}); to count them from their first day, export it beside them (a column "
                    "such as 'Start date' or 'Hire Date')"]


def start_day_changes_note(incoming: list[dict], existing: dict[str, dict], today: dt.date) -> list[str]:
    """The note naming who already on the roster has another start day in the file (none for nobody): each with
    the day before and after ("none": started long ago), and whether that makes them here from this import on
    (the day emptied or moved into the past) or no longer here until it (moved to a day still to come). A day that
    has passed given to someone who had none is no change to speak of (the first import of a hire-date column
    gives one to everyone).

    Found by a hostile test: a re-import that emptied 3 start days said only "updated 3", and the 3 people were
    due and on their coach's team at once.
    """
    changes, none = [], False
    for rec in incoming:
        before_row = existing.get(rec[EMPLOYEE_ID])
        if before_row is None:
            continue
        before, after = leavers.start_day(before_row.get(STARTED_ON)), leavers.start_day(rec[STARTED_ON])
        if before == after or before is None and (after is None or after <= today):
            continue
        was, now = before is None or before <= today, after is None or after <= today
        effect = (" (here from this import on)" if now and not was else
                  " (not here until then)" if was and not now else "")
        changes.append(f"{rec[EMPLOYEE_ID]} from {human_date(before, missing='none')} to "
                       f"{human_date(after, missing='none')}{effect}")
        none = none or before is None or after is None
    if not changes:
        return []
    whose = "1 person's start day" if len(changes) == 1 else f"{len(changes)} people's start days"
    return [f"{whose} changed{' (none: started long ago)' if none else ''}: {some(changes)}"]


def parse_employment_status(value: Any, *, flag: bool = False) -> str | None:
    """An employment-status cell: ``"here"`` (Active, Aktiv, Actif ...), ``"left"`` (Terminated, Ausgetreten,
    Sorti ...), None when empty or a kind of contract (Full-Time, Part-Time ...: :data:`CONTRACT_TYPES`); with
    ``flag`` (a column whose header says it is an active flag, :data:`ACTIVE_FLAG_COLUMNS`) also Yes/No, Y/N,
    TRUE/FALSE, 1/0 (:data:`ACTIVE_FLAGS`).

    Raises
    ------
    ValueError
        Any other value, naming the values accepted.
    """
    if schema.is_missing(value) or not str(value).strip():
        return None
    key = column_key(cell_text(value))
    if key in CONTRACT_TYPES:
        return None
    for meaning, values in (ACTIVE_FLAGS if flag else {}).items():
        if key in values:
            return meaning
    for meaning, values in EMPLOYMENT_STATUSES.items():
        if key in values:
            return meaning
    tokens = re.findall(r"[a-z]+", key)
    negated = {tokens[i + 2] if tokens[i + 1] in STATUS_LONGER and i + 2 < len(tokens) else tokens[i + 1]
               for i in range(len(tokens) - 1) if tokens[i] in STATUS_NEGATIONS}
    if not negated & STATUS_WORDS["left"]:
        if negated & STATUS_WORDS["here"]:
            return "left"
        words = set(tokens)
        if words & (STATUS_NEGATIONS - {"non"}) and words & STATUS_WORDS["here"]:
            # "Not currently active", "Active: No", "Employed - No": a no elsewhere is not guessed at (found by a
            # hostile test: read as here); "Active - Non-Exempt" is here
            words = set()
        for meaning, said in STATUS_WORDS.items():  # "left" first: "Terminated - eligible for rehire" has left
            if words & said:
                return meaning
    here, left = ("Yes, Y, True, 1, ", "No, N, False, 0, ") if flag else ("", "")
    raise ValueError(f"is not {'an active flag or ' if flag else ''}an employment status careerconv knows; still "
                     f"here: {here}Active, Aktiv, Actif, Activo, Actief, Employed, On leave, Auszeit, Garden leave, "
                     "and a future starter (Hired, Accepted, Onboarding: here from their start date, else from the "
                     "import on); left: "
                     f"{left}Terminated, "
                     "Inactive, Leaver, Left, Withdrawn, Ausgetreten, Inaktiv, Sorti, Inactif, Baja, Inactivo, Uit "
                     "dienst, Inactief; a kind of contract (Full-Time, Part-Time, Contractor, Intern) says neither "
                     "and is read as empty (if this column says something else, rename it in the file so that it is "
                     "not read)")


def second_status(checker: Checker, raw_row: RawRow, status: str | None, day: dt.date | None = None,
                  by_day: list[int] | None = None) -> str | None:
    """The row's employment status, ``status`` as its status column says it, read against the file's other status
    columns: where the column read is empty, the first other one that says something is (found: a Terminated there
    was left unread).

    A row whose columns disagree (``Status`` says Active, ``Employment Status`` says Terminated) is read by its
    leaving day (``day``) when it gives one, and its number added to ``by_day``: as BambooHR means them, ``Status``
    says whether the person's record is active and ``Employment Status`` says Terminated once the end of their
    employment is entered, with an effective day that may be to come (they stay Active until then) or past (HR has
    not made them Inactive yet); the leaving day says which, so the row reads as having left on it (a day to come
    keeps them here until then). Without a day which one is right is not guessed: the row is refused, naming both
    columns and what to do (found: the first one read, and the other said to be unused; then every BambooHR row
    of someone leaving refused)."""
    said = {"here": "still here", "left": "has left"}
    for key, index in checker.also_named.get("employment_status", ()):
        cell = raw_row.cells[index] if index < len(raw_row.cells) else None
        try:
            other = parse_employment_status(cell, flag=key in ACTIVE_FLAG_COLUMNS)
        except ValueError:
            continue  # a column that says something else is not read
        if status is None:
            status = other
        elif other is not None and other != status and day is not None:
            status = "left"
            if by_day is not None:
                by_day.append(raw_row.row)
        elif other is not None and other != status:
            first = checker.values(raw_row).get("employment_status")
            read, second = checker.header_of("employment_status"), checker.raw.header[index]
            checker.add(f"{read!r} says {said[status]} ({cell_text(first)}) and {second!r} says {said[other]} "
                        f"({cell_text(cell)}): which one is right is not guessed without the day they leave or left "
                        "(BambooHR, for one, keeps someone whose end of employment is entered Terminated in "
                        "'Employment Status' and Active in 'Status' until that day): add the leaving day to the "
                        "export (a column such as 'Termination Date'), which then decides; or correct the row, or "
                        "leave the column that is wrong out of the file", raw_row.row, "employment_status", first)
    return status


def statuses_by_day_note(checker: Checker, rows: list[int]) -> list[str]:
    """The note on the rows whose status columns disagree and that were read by their leaving day
    (:func:`second_status`); none for none."""
    if not rows:
        return []
    columns = [checker.header_of("employment_status"),
               *(checker.raw.header[index] for _, index in checker.also_named.get("employment_status", ()))]
    return [f"{len(rows)} row(s) where {' and '.join(map(repr, columns))} disagree, one saying still here and the "
            f"other has left (row(s) {some([str(n) for n in rows])}), were read by their leaving day: someone whose "
            "end of employment is entered leaves on it (a day to come keeps them here until then)"]


def parse_left_on(value: Any, *, decision: DateOrderDecision) -> dt.date | None:
    """A leaving-date cell (the day someone left; empty, ``n/a`` or an open end: still here), with the file's
    day/month order (:func:`careerconv.records.schema.parse_left_on`)."""
    return _file_day(value, decision, schema.parse_left_on, "a leaving date")


def _file_day(value: Any, decision: DateOrderDecision, parse: Callable[..., dt.date | None],
              what: str) -> dt.date | None:
    """A day cell of a roster file read by ``parse`` with the file's day/month order (``what`` it is, for an
    ambiguous one).

    Raises
    ------
    ValueError
        As ``parse``, for a day/month order the file contradicts, and for a day before 1950.
    """
    if decision.conflict and schema.slash_date_orders(value):
        raise ValueError(decision.conflict)
    try:
        day = parse(value, date_order=decision.order)
    except ValueError as exc:
        if "ambiguous" in str(exc):
            raise ValueError(f"{exc} ({what})") from None
        raise
    if day is not None and day < EARLIEST_DATE:
        raise ValueError(f"is before {EARLIEST_DATE.year}; check the year")
    return day


def drop_other_status(checker: "Checker") -> bool:
    """Leave out a status column with a generic name (:data:`GENERIC_STATUS_COLUMNS`) none of whose values is
    plainly an employment status (it says something else: an approval's Accepted, Pending, Rejected), with a note
    naming its values, and say whether it was; one that holds one is read, and its other values are refused as any
    status column's are. Accepted and Pending (:data:`APPROVAL_WORDS`) say a hire in Rippling's and Workday's status
    columns and an approval elsewhere: alone they do not make a column of employment statuses (found by a hostile
    test: a column of approvals was read, and its Rejected refused the file)."""
    if checker.keys.get("employment_status") not in GENERIC_STATUS_COLUMNS:
        return False
    index = checker.columns["employment_status"]
    values = {cell_text(r.cells[index]).strip() for r in checker.raw.rows if index < len(r.cells)} - {""}
    for value in values:
        try:
            if column_key(value) not in APPROVAL_WORDS and parse_employment_status(value) is not None:
                return False
        except ValueError:
            continue
    del checker.columns["employment_status"]
    checker.notes.append(f"ignored the column {checker.raw.header[index]!r}: its values ({some(sorted(values), 8)}) "
                         "are not employment statuses (Active, Terminated, On leave ...), so it is not read as "
                         "whether people left; whoever had left stays so (a column of employment statuses named "
                         "'Employment Status' is read whatever its values)")
    return True


def left_on(status: str | None, day: dt.date | None, today: dt.date,
             before: dt.date | None = None) -> tuple[dt.date | None, str]:
    """The ``left_on`` a row gives (None: still here) and why, from its employment status and leaving date
    (``before``: the day they left as the roster has it, None when they are here).

    A leaver by status is left on their date, else on the day the roster says they left, else on ``today`` (``"no
    date"``: so the same file imported again later does not move their leaving day); someone active by status with
    a date that has passed is here again (``"back"``: a re-hire whose last leaving date the export keeps); a date
    still to come (a known last day) keeps anyone here until then.
    """
    if status == "left":
        if day is not None:
            return day, ""
        return (before, "") if before is not None and before <= today else (today, "no date")
    if status == "here" and day is not None and day <= today:
        return None, "back"
    return day, ""


def leaving_against_start(checker: Checker, raw_row: RawRow, status: str | None, day: dt.date | None,
                          left: dt.date | None, start: dt.date | None,
                          today: dt.date) -> tuple[dt.date | None, str | None]:
    """A row's ``left_on`` (``left``: from its leaving day ``day``, its ``status`` or the roster) read against its
    start day, and the problem of a row that gives both and cannot mean them (None: none).

    Someone is here from their start day until their leaving day, so a leaving day comes after the start day. An
    earlier leaving day kept by the export beside a new start day after it, once it has passed, is a re-hire: they
    are here from the new start day (``left`` None). Otherwise a leaving day on or before the start day is refused,
    naming both (found: BambooHR's Termination Date 01/15/2027 beside Hire Date 02/01/2027, Rippling's End date the
    same as its Start date, dropped without a word: here for ever). A status that says someone left beside a start
    day still to come and no earlier leaving day is refused too: a hire cancelled or an offer withdrawn is most
    likely, and someone who never started is neither a starter (due and counted from that day) nor a leaver (a
    leaving day before their first day), so which one is meant is not guessed (found: both "left on" and "start on"
    in one summary). A leaving day of the roster's before the start day is an earlier leaving too; a leaver by
    status alone whose start day has passed, after it, left on ``today``.
    """
    if start is None or left is None or left > start:
        return left, None
    if (day is not None and day < start and day <= today) or (day is None and status != "left"):
        return None, None
    starts = f"{checker.header_of(STARTED_ON)!r} says they start on {start.isoformat()}"
    if day is None and start > today:
        column = checker.header_of("employment_status")
        said = cell_text(checker.values(raw_row).get("employment_status")).strip()
        return left, (f"{column!r} says they left ({said}) and {starts}, a day still to come: a hire cancelled or an "
                      "offer withdrawn is not guessed to be either a leaver or a starter; leave the row out of the "
                      "file, or correct the status (Hired, Accepted or Active for someone still to start)")
    if day is None:
        return today, None
    column = LEFT_ON if checker.has(LEFT_ON) else "last_day"
    return left, (f"the leaving day {day.isoformat()} (from {checker.header_of(column)!r}) is on or before the "
                  f"start day: {starts}; a leaving day comes after the start day (an earlier leaving day that has "
                  "passed, beside a new start day after it, is read as a re-hire): correct one of them, or leave the "
                  "row out of the file if the hire was cancelled")
