"""The roster import (:func:`import_roster`): employees added or updated by id from a roster
file, with their coach, leaving day, cadence and email; see :mod:`careerconv.records.importers` for what the file may
look like."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path
from typing import Any, Callable, ContextManager

import pandas as pd

from . import leavers
from . import schema
from .employment_status import (
    MISSING_HAVE_LEFT_OPTION, check_flag_leavers, check_missing_have_left, drop_other_status, leaving_against_start,
    leaving_columns_notes, leaving_notes, left_on, met_after_leaving, not_started_note, parse_employment_status,
    parse_left_on, parse_start_day, second_status, start_day_changes_note, started_on, statuses_by_day_note,
    unread_start_day_problem, unread_start_days_note,
)
from .id_spelling import IdMatch, KnownIds, confirmed
from .import_asking import COMMAND_LINE, Asking
from .import_cells import CONTROL, cleaned_note, decide_date_order, parse_email, shown_text
from .import_checking import (
    Checker, ImportResult, Rejection, cell_text, check_rejected_target, default_rejected_path, reason, reject_or_raise,
    some, write_rejected,
)
from .import_columns import ACTIVE_FLAG_COLUMNS, COACH_NAME, HISTORY_COLUMNS, MANAGER_EMAIL_COLUMNS, ROSTER_COLUMNS
from .import_files import read_table_file
from .import_ids import (
    LEFT_OUT, coach_not_named, erased_as, erased_note, erased_number_problem, erased_problem, match_id, matched_notes,
    not_theirs, outside_coaches_note, own_id, own_ids_note, stored_id, written,
)
from .schema import CADENCE_MONTHS, COACH_ID, DEPARTMENT, EMPLOYEE_ID, LEFT_ON, STARTED_ON
from .lost_letters import kept_names_note, known_as_written, lost_letters, lost_letters_problem
from .shared_emails import notes_after_import
from .store import Store

# A new employee whose roster file has no cadence column holds a career conversation once a year.
DEFAULT_CADENCE = 12


def _same_employee(a: dict, b: dict) -> bool:
    def norm(v: Any) -> str | None:
        if schema.is_missing(v):  # first: NaT is a datetime too (found: a dry run counted every row as updated)
            return None
        if isinstance(v, (pd.Timestamp, dt.date)):
            return pd.Timestamp(v).date().isoformat()
        return str(v)
    return all(norm(a.get(k)) == norm(b.get(k)) for k in schema.ROSTER.names)


def _kept(existing: dict[str, dict], employee_id: Any, column: str, default: Any) -> Any:
    """What an employee imported from a file without ``column`` keeps: theirs on the roster, else ``default``."""
    on_file = existing.get(employee_id) if isinstance(employee_id, str) else None
    return on_file[column] if on_file else default


def _keep_name_with_lost_letters(checker: Checker, existing: dict[str, dict], rec: dict, row: int,
                                 kept: list[tuple[int, str, str]]) -> None:
    """A row's name that lost letters to an Excel "CSV" (:func:`~careerconv.records.lost_letters.lost_letters`):
    the roster's name is kept instead, and listed in ``kept``; for someone not on the roster, it is a problem of
    the row (there is no name to keep)."""
    name = rec["name"]
    known = _kept(existing, rec[EMPLOYEE_ID], "name", None)
    if not name or not lost_letters(name, known):
        return
    if known:
        rec["name"] = known
        kept.append((row, name, known))
    else:
        checker.add(lost_letters_problem(), row, "name", name)


def _keep_words_with_lost_letters(checker: Checker, known: dict[str, list[str]], rec: dict, row: int,
                                  kept: dict[str, list[tuple[int, str, str]]]) -> None:
    """A row's department and role that lost letters to an Excel "CSV": the roster's department (or role) it is
    so written is kept instead (``known``: column -> the roster's values, the person's own first), and listed in
    ``kept``; one the roster does not know is a problem of the row (there is none to keep)."""
    for column in (DEPARTMENT, "role"):
        text = rec[column]
        if not text or "?" not in text:
            continue
        found = known_as_written(text, known[column])
        if found is not None:
            rec[column] = found
            kept[column].append((row, text, found))
        elif lost_letters(text):
            checker.add(lost_letters_problem(column), row, column, text)


def _ids_by_email(checker: Checker, existing: dict[str, dict]) -> dict[str, list[str]]:
    """Each e-mail address (case aside) and the ids of the people who have it: in the file (its ids as written), else
    on the roster."""
    by_email: dict[str, list[str]] = {}
    email, eid = checker.columns["email"], checker.columns[EMPLOYEE_ID]
    for raw_row in checker.raw.rows:
        if max(email, eid) < len(raw_row.cells) and cell_text(raw_row.cells[email]).strip():
            by_email.setdefault(cell_text(raw_row.cells[email]).strip().casefold(), []).append(
                cell_text(raw_row.cells[eid]).strip())
    for person in existing.values():
        if person.get("email") and person["email"].casefold() not in by_email:
            by_email[person["email"].casefold()] = [person[EMPLOYEE_ID]]
    return by_email


def _coach_by_email(checker: Checker, by_email: dict[str, list[str]], value: Any, row: int) -> str | None:
    """The id of the coach whose e-mail a manager e-mail cell holds (empty: no coach), from ``by_email``
    (:func:`_ids_by_email`); None, with the row's problem, when it is nobody's or several people's."""
    text = cell_text(value).strip()
    if not text:
        return None
    ids = sorted(set(by_email.get(text.casefold(), [])))
    if len(ids) == 1:
        return ids[0]
    column = checker.header_of("email")
    why = (f"is the e-mail of {len(ids)} people ({', '.join(ids)}) in {column!r} or on the roster: which one is "
           "the manager is not guessed" if ids else f"is nobody's e-mail in {column!r} or on the roster")
    checker.add(f"{why}; a manager's e-mail is read as the id of the one person who has it (write it as their row "
                "writes it, or add a 'Manager ID' column)", row, COACH_ID, text)
    return None


def _check_coaches_written_otherwise(checker: Checker, spelled: dict[int, tuple[IdMatch, str]],
                                      parsed: dict[int, dict], existing: dict[str, dict],
                                      employees_read: dict[str, str]) -> None:
    """Refuse each row whose coach id was read as a known id otherwise than it is written (``spelled``: row -> the
    match and the manager's name on the row) unless that name is the person's, in this file (``parsed``) or on the
    roster (``existing``): :func:`confirmed`, so an id in another case needs no name, and a number without the
    roster's prefix or zeros (``3``, ``0003`` for ``E0003``) needs it, as it may be a typo or another system's number
    (found by a hostile test: a Workday export's manager ``3`` silently made E0003 the coach). A coach id written as
    the file writes an employee whose row was read as that id (``employees_read``: as written -> as read; Excel's
    ``123`` for ``00123`` in both columns) is theirs: their own row names them."""
    in_file = {rec[EMPLOYEE_ID]: rec["name"] for rec in parsed.values() if rec["name"]}
    name_column = checker.header_of(COACH_NAME) if checker.has(COACH_NAME) else None
    for n, (found, written_name) in spelled.items():
        if employees_read.get(found.value) == found.id:
            continue
        known = [(name, where) for name, where in ((existing.get(found.id, {}).get("name"), "on the roster"),
                                                   (in_file.get(found.id), "in this file")) if name]
        if not any(confirmed(found, name, written_name) for name, _ in known or [(None, "")]):
            name, where = known[0] if known else (None, "in this file")
            checker.add(coach_not_named(found, name, where, written_name, name_column, checker.header_of(COACH_ID)),
                        n, COACH_ID, found.value)


def import_roster(store: Store, path: str | Path, *, skip_invalid: bool = False,
                  rejected_path: str | Path | None = None, dry_run: bool = False,
                  sheet: str | None = None, asking: Asking = COMMAND_LINE,
                  allow_erased: bool = False,
                  changing: Callable[[], ContextManager[Any]] | None = None,
                  missing_have_left: bool = False, today: dt.date | None = None) -> ImportResult:
    """Add or update employees from a roster file (CSV or .xlsx).

    Leavers: a leaving-date column (``left_on``, ``Termination Date``, ``Austrittsdatum`` ...) gives the day
    someone left (empty: still here; a day to come keeps them here until then), and an employment-status column
    (``Status``: Active / Terminated, Aktiv / Ausgetreten ...) says whether they left: a leaver by status without
    a date left on ``today``, with a note, and an active one is here (a date that has passed beside it is an
    earlier leaving, with a note). A file without either column lists everyone in it as here, so someone who
    came back is here again (a note names them), and a leaving day still to come is kept. Everyone else on the
    roster is kept as they are, unless ``missing_have_left``.

    Parameters
    ----------
    store
        The data folder to write to.
    path
        The roster file; see the module docstring for what it may look like.
    skip_invalid
        Import the valid rows and write the rejected ones to ``rejected_path``.
    rejected_path
        Where rejected rows go (default ``<input stem>.rejected.csv`` beside the input).
    dry_run
        Check everything and count, but write nothing.
    sheet
        The sheet of a workbook to read (default: the one whose header row names the roster's columns).
    asking
        How the person importing names the file, a sheet, skipping invalid rows, the history import and adding
        erased people where they are (:class:`Asking`; default: the command line's), for the messages that tell
        them what to do.
    allow_erased
        Add employees and coaches whose id was erased (:meth:`Store.erased_ids`) again, on purpose, and take
        their ids off the erased list; without it, a row naming one is refused as invalid (the day it was erased
        is in the message).
    missing_have_left
        The file is a full export of current staff: everyone on the roster who is not in it (and has not left
        already) left on ``today``; a note counts and names them.
    today
        The import's day (default: today), the leaving day of those who left without a date.
    changing
        Where the roster may change alone (the records service's roster gate, which holds back every request
        checked against the roster): the file is read and checked before, and only the change is made in it.
        When the roster changed while the file was checked, it is checked again in it.

    Returns
    -------
    ImportResult

    Raises
    ------
    FileRejected
        (a :class:`~careerconv.records.schema.ValidationError`) listing every problem;
        nothing was written.
    FileNotFoundError
        No such input file.
    """
    raw = read_table_file(path, ROSTER_COLUMNS, sheet=sheet, asking=asking)
    rejected_target = Path(rejected_path) if rejected_path else default_rejected_path(raw.path)
    if skip_invalid and not dry_run:
        check_rejected_target(raw.path, rejected_target, store.root)
    checker = Checker(raw, ROSTER_COLUMNS)
    checker.check_columns(other=HISTORY_COLUMNS, asking=asking)
    today = today or dt.date.today()
    status_ignored = drop_other_status(checker)
    day_columns = [checker.columns[c] for c in (LEFT_ON, "last_day", "contract_end", STARTED_ON)
                   if c in checker.columns]
    left_order = decide_date_order((r.row, r.cells[i]) for r in raw.rows for i in day_columns if i < len(r.cells))
    leaving: dict[int, str] = {}  # row -> "no date" (a leaver without a date) or "back" (active, date passed)
    # row -> its contract end, whether that is its leaving day, and whether its status is empty
    contract_ends: dict[int, tuple[dt.date, bool, bool]] = {}
    version = store.roster_version()  # before the roster is read: a change after it is seen below
    current = store.roster()
    erased = store.erased_ids()
    erased_back: dict[int, set[str]] = {}  # row -> its erased ids, added again with allow_erased
    as_written: dict[int, set[str]] = {}  # row -> its ids of an erased id's number, added as written (allow_erased)
    erased_leavers: list[int] = []  # rows of erased people the file lists as having left: left out
    existing = {r[EMPLOYEE_ID]: r for r in current.to_dict("records")}
    # An id written otherwise than the roster writes it (e0010, 0003 or 3 for E0003; 123 for 00123, as Excel
    # stores an id of digits) is read as the one id it matches (id_spelling): an employee id against the roster,
    # a coach id against the roster and the file's employees.
    roster_ids = KnownIds(existing)
    in_file = {cell_text(r.cells[checker.columns[EMPLOYEE_ID]]) for r in raw.rows
               if checker.columns[EMPLOYEE_ID] < len(r.cells)} if checker.has(EMPLOYEE_ID) else set()
    coach_ids = KnownIds(set(existing) | {stored_id(roster_ids, text) for text in in_file})
    by_email = _ids_by_email(checker, existing) if checker.keys.get(COACH_ID) in MANAGER_EMAIL_COLUMNS \
        and checker.has(EMPLOYEE_ID) else None
    if checker.has(EMPLOYEE_ID):
        checker.check_manager_ids(KnownIds(coach_ids.ids | in_file))
    matched: dict[int, list[tuple[str, IdMatch]]] = {}  # row -> its (column, id) read as an id written otherwise
    coaches_spelled: dict[int, tuple[IdMatch, str]] = {}  # row -> its coach id so read, and the manager's name on it
    own_coach: set[str] = set()  # employees the file names as their own manager
    parsed: dict[int, dict] = {}
    first_seen: dict[str, tuple[int, dict]] = {}
    conflicts: dict[int, str] = {}  # first row of a conflicting pair -> why it is rejected too
    cleaned: dict[int, list[str]] = {}  # row -> its text cells that held characters a spreadsheet does not show
    controls: dict[int, list[str]] = {}  # row -> its text cells holding control characters
    kept_names: list[tuple[int, str, str]] = []  # (row, name in the file, the roster's name kept): lost letters
    kept_words: dict[str, list[tuple[int, str, str]]] = {DEPARTMENT: [], "role": []}  # the same, of these columns
    roster_words = {c: sorted({r[c] for r in existing.values() if r.get(c)}) for c in kept_words}
    statuses_by_day: list[int] = []  # rows whose status columns disagree, read by their leaving day
    unread_starts: list[tuple[int, str, str]] = []  # (row, start-date cell, why it is not read)
    for raw_row in raw.rows:
        n = raw_row.row
        v = checker.values(raw_row)
        if v is None:
            continue
        if by_email is not None:
            v[COACH_ID] = _coach_by_email(checker, by_email, v.get(COACH_ID), n)
        rec = {
            EMPLOYEE_ID: checker.check(schema.parse_identifier, v.get(EMPLOYEE_ID), n, EMPLOYEE_ID,
                                       what="employee id"),
            "name": checker.check(shown_text, v.get("name"), n, "name", what="name", allow_missing=False),
            COACH_ID: checker.check(schema.parse_coach_id, v.get(COACH_ID), n, COACH_ID),
            DEPARTMENT: checker.check(shown_text, v.get(DEPARTMENT), n, DEPARTMENT, what="department",
                                      allow_missing=False),
            "role": checker.check(shown_text, v.get("role"), n, "role", what="role") or "",
            CADENCE_MONTHS: checker.check(schema.parse_cadence, v.get(CADENCE_MONTHS), n, CADENCE_MONTHS)
            if checker.has(CADENCE_MONTHS) else None,
            "email": (checker.check(parse_email, v.get("email"), n, "email") or "")
            if checker.has("email") else None,
        }
        matched[n] = []
        for column, known in ((EMPLOYEE_ID, roster_ids), (COACH_ID, coach_ids)):
            found = match_id(checker, known, rec[column], n, column)
            if found is None or found.how is None:
                continue
            on_roster = existing.get(found.id) if column == EMPLOYEE_ID else None
            if on_roster and rec["name"] and not confirmed(found, on_roster.get("name"), rec["name"]):
                # found: a new hire 125 was merged into 0125, and a new 46 "José Pérez" into E0046 "José
                # Álvarez" for the first name they share, the row renaming someone else and taking their history
                checker.add(not_theirs(found, on_roster.get("name"), rec["name"], f"give them an id of their own, "
                                        f"not {found.id} {LEFT_OUT[found.how]}"), n, column, found.value)
                continue
            rec[column] = found.id
            matched[n].append((column, found))
            if column == COACH_ID:  # whose it is is told once every row's name is known
                coaches_spelled[n] = (found, cell_text(v.get(COACH_NAME)).strip())
        status = checker.check(parse_employment_status, v.get("employment_status"), n, "employment_status",
                               flag=checker.keys.get("employment_status") in ACTIVE_FLAG_COLUMNS)
        day = checker.check(parse_left_on, v.get(LEFT_ON), n, LEFT_ON, decision=left_order)
        last_day = checker.check(parse_left_on, v.get("last_day"), n, "last_day", decision=left_order)
        if day is None and last_day is not None:  # here on their last day, gone the day after
            day = last_day + dt.timedelta(days=1)
        status = second_status(checker, raw_row, status, day, statuses_by_day)
        contract_end = checker.check(parse_left_on, v.get("contract_end"), n, "contract_end", decision=left_order)
        if contract_end is not None:
            # The leaving day of a leaver by status without one, once it has passed: one still to come is no day
            # someone who left left on (found: SAP's Ausgetreten beside a "Befristet bis" next year read as here
            # until then), and they are an undated leaver.
            contract_ends[n] = (contract_end, day is None and status == "left" and contract_end <= today,
                                status is None)
            if contract_ends[n][1]:
                day = contract_end
        before = leavers.left_day(_kept(existing, rec[EMPLOYEE_ID], LEFT_ON, None))
        left, leaving[n] = left_on(status, day, today, before)
        if status_ignored:  # a status column read as saying something else: it brings no one back either
            left = before
        elif not (checker.has(LEFT_ON) or checker.has("last_day") or checker.has("employment_status")):
            # A file that says nothing of leaving keeps a known last day still to come (a past one: here again).
            left = before if before is not None and before > today else None
        try:
            start = parse_start_day(v.get(STARTED_ON), decision=left_order, today=today)
        except ValueError as exc:  # not a refusal (an export's hire dates were not read before starters were
            start = None           # kept), but for someone whose status says they have not started yet
            unstarted = unread_start_day_problem(checker, raw_row, str(exc))
            if unstarted:
                checker.add(unstarted, n, STARTED_ON, v.get(STARTED_ON))
            else:
                unread_starts.append((n, cell_text(v.get(STARTED_ON)), str(exc)))
        start = started_on(start, checker.has(STARTED_ON), _kept(existing, rec[EMPLOYEE_ID], STARTED_ON, None))
        read, wrong = leaving_against_start(checker, raw_row, status, day, left, start, today)
        if wrong:
            column = "employment_status" if day is None else LEFT_ON if checker.has(LEFT_ON) else "last_day"
            checker.add(wrong, n, column, v.get(column))
        elif read is not None and read != left:  # left again, after the roster's earlier leaving: no date
            leaving[n] = "no date"
        left = read
        rec[LEFT_ON] = left.isoformat() if left else None
        rec[STARTED_ON] = start.isoformat() if start else None
        # A file without the column: the employee keeps theirs, found by the id as read (00123 for a 123 that
        # lost its zeros; found: an email wiped and a cadence of 6 put back to 12 when looked up as typed).
        if not checker.has(CADENCE_MONTHS):
            rec[CADENCE_MONTHS] = int(_kept(existing, rec[EMPLOYEE_ID], CADENCE_MONTHS, DEFAULT_CADENCE))
        if not checker.has("email"):
            rec["email"] = _kept(existing, rec[EMPLOYEE_ID], "email", "")
        if rec[EMPLOYEE_ID] and rec[COACH_ID] == rec[EMPLOYEE_ID]:
            # HR systems make the head of the organisation their own manager; nobody coaches themselves.
            rec[COACH_ID] = ""
            own_coach.add(rec[EMPLOYEE_ID])
        cleaned[n] = [c for c in ("name", DEPARTMENT, "role") if isinstance(v.get(c), str)
                      and rec[c] is not None and rec[c] != v.get(c)]
        controls[n] = [c for c in ("name", DEPARTMENT, "role") if rec[c] and CONTROL.search(rec[c])]
        _keep_name_with_lost_letters(checker, existing, rec, n, kept_names)
        on_roster = existing.get(rec[EMPLOYEE_ID], {}) if isinstance(rec[EMPLOYEE_ID], str) else {}
        _keep_words_with_lost_letters(checker, {c: [on_roster.get(c), *roster_words[c]] for c in roster_words}, rec,
                                      n, kept_words)
        gone = {column: erased_as(erased, known, rec[column])
                for column, known in ((EMPLOYEE_ID, roster_ids), (COACH_ID, coach_ids))}
        if gone[EMPLOYEE_ID] is not None and not allow_erased and left is not None and left <= today:
            # Someone erased whom the file lists as having left (an HR system keeps its leavers): nothing of theirs
            # comes back, and the row is no reason to refuse the file (found: every export after an erasure was).
            erased_leavers.append(n)
            continue
        for column, what in ((EMPLOYEE_ID, "employee"), (COACH_ID, "coach")):
            if gone[column] is None:
                continue
            erased_id, day = gone[column]
            if erased_id is None and allow_erased and own_id(rec[column]):  # E61 beside an erased E0061
                as_written.setdefault(n, set()).add(rec[column])
            elif erased_id is None:
                checker.add(erased_number_problem(what, rec[column], day, asking.allow_erased), n, column,
                            rec[column])
            elif allow_erased:  # added again as the id that was erased (61 as E0061), which leaves the list
                rec[column] = erased_id
                erased_back.setdefault(n, set()).add(erased_id)
            else:
                checker.add(erased_problem(what, written(erased_id, rec[column]), day, asking.allow_erased), n,
                            column, rec[column])
        eid = rec[EMPLOYEE_ID]
        if eid is None:
            continue
        parsed[n] = rec
        earlier = first_seen.get(eid.casefold())
        if earlier is not None:
            first_row, first_rec = earlier
            if first_rec[EMPLOYEE_ID] != eid:
                checker.add(f"differs only in case from {first_rec['employee_id']!r} on row {first_row}; ids that "
                            "differ only in case would collide on Windows and macOS", n, EMPLOYEE_ID, eid)
                conflicts[first_row] = f"row {n} has the same id in another case ({eid!r}); which is right is " \
                                       "not guessed"
            elif _same_employee(first_rec, rec):
                checker.add(f"duplicate of row {first_row}", n, EMPLOYEE_ID, eid)
            else:
                checker.add(f"employee id appears again (first on row {first_row}) with different values", n,
                            EMPLOYEE_ID, eid)
                conflicts[first_row] = f"the same employee id appears again on row {n} with different values; " \
                                       "which row is right is not guessed"
        else:
            first_seen[eid.casefold()] = (n, rec)
    employees_read = {m.value: m.id for found in matched.values() for column, m in found if column == EMPLOYEE_ID}
    _check_coaches_written_otherwise(checker, coaches_spelled, parsed, existing, employees_read)
    for n, why in sorted(conflicts.items()):
        if not any(p.row == n for p in checker.c.problems):
            checker.add(why, n, EMPLOYEE_ID, parsed[n][EMPLOYEE_ID])
    if erased_leavers:  # left out whole: nothing else their rows say is checked
        checker.c.problems = [p for p in checker.c.problems if p.row not in erased_leavers]
        checker.notes.append(f"left out {len(erased_leavers)} row(s) of people erased earlier whom the file lists as "
                             f"having left (rows {some([str(n) for n in erased_leavers])}): they stay erased")
    problems_by_row = checker.by_row()
    bad = set(problems_by_row)
    good_rows = [r for r in raw.rows if r.row not in bad and r.row not in erased_leavers]
    reject_or_raise(checker, raw, bad, len(good_rows), skip_invalid, rejected_target, asking=asking)
    rejections = [Rejection(r.row, r.cells, [reason(p) for p in problems_by_row[r.row]])
                  for r in raw.rows if r.row in bad]
    incoming = [parsed[r.row] for r in good_rows]
    added = sum(1 for r in incoming if r[EMPLOYEE_ID] not in existing)
    unchanged = sum(1 for r in incoming
                    if r[EMPLOYEE_ID] in existing and _same_employee(existing[r[EMPLOYEE_ID]], r))
    updated = len(incoming) - added - unchanged
    result = ImportResult("roster", raw.source, raw.describe(), len(raw.rows), len(incoming), added, updated,
                          unchanged, rejections, rejected_target if rejections else None, dry_run,
                          [*raw.notes, *checker.notes])
    if not checker.has(CADENCE_MONTHS):
        result.notes.append(f"the file has no cadence_months column: employees already on the roster keep theirs, "
                            f"new ones hold a career conversation every {DEFAULT_CADENCE} months (change it in the "
                            "app, or import a file with a cadence_months column of 6 or 12)")
    if not checker.has("email") and any(existing.get(r[EMPLOYEE_ID], {}).get("email") for r in incoming):
        result.notes.append("the file has no email column: employees already on the roster keep their email")
    result.notes += matched_notes(checker, [m for r in good_rows for m in matched.get(r.row, [])])
    if checker.fallbacks_used:
        result.notes.append(f"{sum(checker.fallbacks_used.values())} employee(s) with an empty "
                            f"{raw.header[checker.columns['name']]!r} were named from "
                            + (next(iter(checker.fallbacks_used)) if len(checker.fallbacks_used) == 1 else
                               ", ".join(f"{label} ({n})" for label, n in checker.fallbacks_used.items())))
    cleaned_columns = [c for r in good_rows for c in cleaned.get(r.row, [])]
    if cleaned_columns:
        result.notes.append(cleaned_note(cleaned_columns, "a department (or a name)"))
    with_control = [(r.row, c) for r in good_rows for c in controls.get(r.row, [])]
    if with_control:
        row, column = with_control[0]
        result.notes.append(f"{len(with_control)} cell(s) hold control characters other than tab and line break "
                            f"(the first: {column} on row {row}), kept as they are; an .xlsx export leaves them "
                            "out, as Excel cannot store them")
    own = [r[EMPLOYEE_ID] for r in incoming if r[EMPLOYEE_ID] in own_coach]
    if own:
        result.notes.append(f"{len(own)} employee(s) are their own manager in the file ({', '.join(own[:5])}"
                            f"{' ...' if len(own) > 5 else ''}), as HR systems mark the head of the "
                            "organisation: they have no coach")
    no_coach = sum(1 for r in incoming if not r[COACH_ID])
    if no_coach:
        result.notes.append(f"{no_coach} employee(s) have no coach (the top of the organisation, or external "
                            "coaching); they are in the app, reports and HR figures like everyone else")
    coaches = {r[COACH_ID] for r in incoming if r[COACH_ID]}
    external = outside_coaches_note(sorted(coaches - {r[EMPLOYEE_ID] for r in incoming} - set(existing)))
    if external:
        result.notes.append(external)
    check_flag_leavers(raw, checker, [r[EMPLOYEE_ID] for r, row in zip(incoming, good_rows)
                                       if leaving.get(row.row) == "no date"], existing, today)
    ends = [(r[EMPLOYEE_ID], *contract_ends[row.row]) for r, row in zip(incoming, good_rows)
            if row.row in contract_ends]
    result.notes += leaving_columns_notes(checker, ends, today)
    result.notes += statuses_by_day_note(checker, [r.row for r in good_rows if r.row in statuses_by_day])
    result.notes += leaving_notes(incoming, good_rows, leaving, existing, today)
    result.notes += not_started_note(checker, incoming, good_rows, today)
    result.notes += start_day_changes_note(incoming, existing, today)
    result.notes += unread_start_days_note(checker, [u for u in unread_starts if u[0] not in bad])
    result.notes += met_after_leaving(store, incoming, existing)
    named = {rec[EMPLOYEE_ID] for rec in parsed.values()}  # rows rejected with --skip-invalid are in the file too
    absent = [eid for eid in existing if eid not in named]
    if missing_have_left:
        # Someone who has not started on the import day is not in an export of current staff: a future starter
        # missing from it is kept as they are (found: 13 pending hires given a leaving day before their start day).
        now_left = [eid for eid in absent if leavers.person_is_here(existing[eid], today)]
        later = [eid for eid in absent if leavers.is_here(existing[eid].get(LEFT_ON), today)
                 and not leavers.person_is_here(existing[eid], today)]
        check_missing_have_left(raw, len(good_rows), len(now_left),
                                 sum(leavers.person_is_here(row, today) for row in existing.values()))
        if later:
            result.notes.append(f"{len(later)} people who start later are not in the file: kept as starters "
                                f"({some(later)})")
        if now_left:
            result.notes.append(
                f"{len(now_left)} employee(s) on the roster and not in this file left on {today.isoformat()} "
                f"({MISSING_HAVE_LEFT_OPTION}): {some(now_left)}")
            incoming += [{**existing[eid], LEFT_ON: today.isoformat()} for eid in now_left]
            result.updated += len(now_left)
    elif absent:
        result.notes.append(f"{len(absent)} employee(s) already on the roster and not in this file were kept as "
                            f"they are (if the file lists everyone who works here, {MISSING_HAVE_LEFT_OPTION} "
                            "marks them as left today)")
    for what, kept_list in (("name", kept_names), *kept_words.items()):
        kept_note = kept_names_note([kept for kept in kept_list if kept[0] not in bad], what)
        if kept_note:
            result.notes.append(kept_note)
    result.notes += notes_after_import(existing, incoming, today)
    back = {eid for r in good_rows for eid in erased_back.get(r.row, ())}
    if back:
        result.notes.append(erased_note(back))
    written_note = own_ids_note({value for r in good_rows for value in as_written.get(r.row, ())})
    if written_note:
        result.notes.append(written_note)
    if dry_run:
        return result
    if rejections:  # first: when the disk refuses it, the command fails with the roster as it was
        write_rejected(raw, rejections, rejected_target)
    with (changing or contextlib.nullcontext)():
        if changing is not None and store.roster_version() != version:
            # Another change landed while the file was checked: check it again against the roster now.
            return import_roster(store, path, skip_invalid=skip_invalid, rejected_path=rejected_path, sheet=sheet,
                                 asking=asking, allow_erased=allow_erased,
                                 missing_have_left=missing_have_left, today=today)
        if incoming:
            frame = pd.DataFrame(incoming, columns=schema.ROSTER.names)
            result.added, result.updated, result.unchanged = store.upsert_employees(frame, source=raw.source,
                                                                                    allow_erased=allow_erased)
    return result
