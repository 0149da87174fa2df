"""Import the roster and legacy history from CSV or Excel files.

Two importers, one reading path:

* :func:`import_roster` — columns ``employee_id, name, coach_id, department,
  role`` and optionally ``cadence_months`` (6 or 12; without the column new
  employees get 12 and others keep theirs) and ``email`` (the same: kept when
  the file has none); employees are
  added or updated by id, everyone else on the roster is kept. Files as HR
  systems export them are read as they are: the names Workday, BambooHR or
  Personio use (``Manager ID``, ``Job Title``, ``Work Email``, ``First Name``
  + ``Last Name`` …) are recognised, other columns are ignored and named in a
  note; a ``Line Manager``, ``Manager`` or ``Reports To`` column is the coach
  when the file has no id column for it and its values are employee ids of
  the file or the roster (it holds names in some exports: then the file is
  refused, saying which column to add); the coach may be empty (the top of
  the organisation) and need not be on the roster (an external coach); an
  employee who is their own manager in the file has no coach. An
  id written otherwise than the roster writes it (``e0010`` for ``E0010``,
  ``0003`` for ``E0003``, ``123`` for ``00123`` as Excel stores an id of
  digits) is read as the one id it matches (:mod:`careerconv.records.id_spelling`;
  an employee id against the roster, a coach id against the roster and the
  file), with a note; a value that fits several is refused, naming them, and
  so is a row whose name shares no word with the roster's name for the id its
  employee id was read as (a new hire ``125`` is not someone else's ``0125``).
  A contract's end (``Contract End Date``, ``End Date``) is not a leaving day:
  it is one only where the employment status says the person left and the
  file gives no leaving day; the summary says which columns the leaving days
  were read from.
* :func:`import_history` — legacy records kept in spreadsheets, one row per
  employee x date x skill: ``employee_id, date, skill, rating`` and optionally
  ``coach_rating, target_6m, target_12m, target_18m, coach_id, name``, or the names appraisal systems give them
  (``Personalnummer;Datum;Kompetenz;Bewertung``, ``Employee ID, Rating date, Competency, Score``,
  ``Manager rating``, ``Target 6 months``, ``Ziel 12 Monate`` ...; :data:`HISTORY_ALIASES`; a ``Manager`` column
  is the coach when its values are employee ids on the roster, else left out with a note). Employee and coach ids
  are read as a roster import reads them (``e0010`` is the roster's ``E0010``), but a history names no one: a
  number without the roster's prefix or zeros (``7`` or ``0007`` for ``E0007``) is the roster's id only beside
  that person's name in the file's name column (read for this alone, never stored), and a coach's only when it is
  the employee's coach on the roster (:func:`careerconv.records.id_spelling.confirmed`). Each employee
  x date becomes one completed conversation record (question set
  ``legacy-import``, source ``import:<file name>``, id ``<employee_id>-h<yyyymmdd>``,
  which the app's ids ``<employee_id>-<yyyymmdd>`` can never take).

What the file may look like:

* CSV in UTF-8, UTF-8 with a BOM (Excel's "CSV UTF-8"), UTF-16 with a BOM, or
  Windows-1252 (Excel's plain "CSV" on Western Windows) when the bytes are not
  UTF-8; the result says which was used. Comma, semicolon or tab separated
  (chosen from the header line), or separated by what a first line ``sep=;``
  names (Excel's hint, which is not a row).
* Or an ``.xlsx`` workbook: the sheet whose header row names the importer's
  required columns is read, and a note names the others; a workbook with
  several such sheets is refused unless ``sheet`` names one; with none, the
  first sheet is read (and its missing columns reported).
* The header row names the columns: the first non-blank row, or, when that
  is a report's title or parameters (``Run Date``, ``Effective as of`` ...),
  the first of the next rows that names the importer's required columns (a
  note says which rows above it were not read). Names are matched ignoring case,
  surrounding spaces, the accents of Latin letters, and spaces/hyphens vs
  underscores (``Employee ID`` is ``employee_id``, ``Prénom`` is ``prenom``), by
  the column's own name or the names HR systems give it in English, German,
  French, Spanish and Dutch (:data:`ROSTER_ALIASES`, :data:`HISTORY_ALIASES`); a missing or repeated column
  is an error, and so is an unknown column of a history file (a roster's are ignored, with a note).
* Rows at the end that each hold one text that is not an id (``Total: 60
  employees``, ``Classification: Confidential``) are a report's footer and
  are not read, with a note; a last row of one id is read (and refused). So are a history's last rows
  with no date and no skill that name no one on the roster (``Total;;;6,5``, ``Gesamt``, ``Average``).
* Blank rows are skipped; row numbers in messages are the rows a person sees
  in a spreadsheet (the header is usually row 1), and columns are named as the
  file's header row names them (``'Employee Status'``, not employment_status).
* Every row has one cell per column of the header, as spreadsheets write them
  (Excel pads a row whose last cells are empty with separators); a row with
  more or fewer cells is refused, since an unquoted separator or line break
  has moved its values out of their columns.
* A double quote that opens a value and is not closed where the value ends
  (a name typed ``"Smith, Ann``) would read the lines after it into that one
  value: the file is refused whole, naming the line the quote opens on
  (rows cannot be skipped past it, since which rows it took cannot be told).
* Values are read with the parsers of :mod:`careerconv.records.schema` (ratings, ids,
  dates, cadences). Characters a spreadsheet does not show are handled as
  surrounding spaces are: an id or an email holding one is refused, naming
  it; from a roster's names, departments and roles and a history's skills
  zero-width spaces, word joiners and byte-order marks are removed, and so
  are spaces (Unicode category Zs: the space, the no-break space ...) and
  zero-width joiners at either end, with a note counting the cleaned cells
  per column (so ``Sales`` with a no-break space after it is the department
  ``Sales``, and ``Python`` with a zero-width space the skill ``Python``);
  tabs and line breaks are kept as they are (a skill loses them at either
  end, unnoted, like any whitespace there). Control characters other than
  tab and line break are kept, with a note (an .xlsx export leaves them out).
  A text cell written by our own CSV export with a formula-guard quote
  (``'=x``) is read back without it
  (:func:`careerconv.records.spreadsheet.restore_formula`).
* Day/month order of ``DD/MM/YYYY``-style dates is decided for the whole file,
  never per row: if some date in the file can only be read one way
  (``25/03/2024``), that order is used for all; if every such date reads both
  ways, each is rejected unless ``date_order`` is given; a file mixing both
  orders is rejected.

All-or-nothing: every row is checked and every problem reported at once;
nothing is written unless the whole file is valid. With ``skip_invalid`` the
valid rows are imported and the rejected rows are written, each with its
``reason``, to a CSV file (default ``<input stem>.rejected.csv`` beside the
input). History rows are imported per conversation: if one row of an
employee x date is rejected, the other rows of that conversation are rejected
with it, so a conversation is never imported half.

Erased people stay erased: a row naming an id that ``careerconv erase`` removed
(as employee or coach; :meth:`careerconv.records.store.Store.erased_ids`) is
refused like any invalid row, saying the day it was erased, unless
``allow_erased`` adds them again on purpose and takes the id off that list.

Idempotent: importing the same file again changes nothing (records that would
not change are not rewritten); the result counts added, updated and unchanged.
A history file's name is not its content: the same rows in a copy named
otherwise, in another order, re-exported with a BOM or Windows line ends, or
as a workbook, leave every conversation unchanged, still naming the file it
was first imported from. A conversation imported from a file without a coach
column gets the roster's coach then, and keeps it when imported again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from pathlib import Path
from typing import Any, Callable, ContextManager

import pandas as pd

from . import leavers
from . import schema
from .employment_status import (
    MISSING_HAVE_LEFT_OPTION, check_flag_leavers, check_missing_have_left, drop_other_status, history_after_leaving,
    leaving_columns_notes, leaving_notes, left_on, met_after_leaving, parse_employment_status, parse_left_on,
    second_status,
)
from .id_spelling import AmbiguousId, IdMatch, KnownIds, confirmed
from .import_asking import COMMAND_LINE, ERASED_OPTION, Asking, FileRejected
from .import_cells import (
    CONTROL, DATE_ORDERS, cleaned_note, decide_date_order, parse_email, parse_history_date, parse_skill, shown_text,
)
from .import_checking import (
    Checker, ImportResult, Rejection, cell_text, check_rejected_target, default_rejected_path, reason, reject_or_raise,
    some, write_rejected,
)
from .import_columns import (
    ACTIVE_FLAG_COLUMNS, HISTORY_ALIASES, HISTORY_COLUMNS, ROSTER_ALIASES, ROSTER_COLUMNS, TARGET_COLUMNS,
)
from .import_files import RawTable, blank, footer_note, quoted, read_table_file
from .import_ids import (
    LEFT_OUT, coach_not_confirmed, erased_as, erased_note, erased_number_problem, erased_problem, match_id,
    matched_notes, not_theirs, outside_coaches_note, stored_id, written,
)
from .schema import (
    CADENCE_MONTHS, COACH_ID, COACH_RATING, CONVERSATION_ID, DATE, DEPARTMENT, EMPLOYEE_ID, LEFT_ON, SKILL, STATUS,
)
from .store import Store

# What callers import from here.
__all__ = ["import_roster", "import_history", "Asking", "FileRejected", "ImportResult", "read_table_file",
           "decide_date_order", "legacy_conversation_id", "DATE_ORDERS", "DEFAULT_CADENCE",
           "MISSING_HAVE_LEFT_OPTION", "ROSTER_ALIASES", "HISTORY_ALIASES"]


LEGACY_QUESTION_SET = "legacy-import"
LEGACY_QUESTION_SET_VERSION = "1"

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
    day_columns = [checker.columns[c] for c in (LEFT_ON, "last_day", "contract_end") if c in checker.columns]
    left_order = decide_date_order((r.row, r.cells[i]) for r in raw.rows for i in day_columns if i < len(r.cells))
    leaving: dict[int, str] = {}  # row -> "no date" (a leaver without a date) or "back" (active, date passed)
    # row -> its contract end, whether that is its leaving day, and whether its status is empty
    contract_ends: dict[int, tuple[dt.date, bool, bool]] = {}
    version = store.roster_version()  # before the roster is read: a change after it is seen below
    current = store.roster()
    erased = store.erased_ids()
    erased_back: dict[int, set[str]] = {}  # row -> its erased ids, added again with allow_erased
    erased_leavers: list[int] = []  # rows of erased people the file lists as having left: left out
    existing = {r[EMPLOYEE_ID]: r for r in current.to_dict("records")}
    # An id written otherwise than the roster writes it (e0010, 0003 or 3 for E0003; 123 for 00123, as Excel
    # stores an id of digits) is read as the one id it matches (id_spelling): an employee id against the roster,
    # a coach id against the roster and the file's employees.
    roster_ids = KnownIds(existing)
    in_file = {cell_text(r.cells[checker.columns[EMPLOYEE_ID]]) for r in raw.rows
               if checker.columns[EMPLOYEE_ID] < len(r.cells)} if checker.has(EMPLOYEE_ID) else set()
    coach_ids = KnownIds(set(existing) | {stored_id(roster_ids, text) for text in in_file})
    if checker.has(EMPLOYEE_ID):
        checker.check_manager_ids(KnownIds(coach_ids.ids | in_file))
    matched: dict[int, list[tuple[str, IdMatch]]] = {}  # row -> its (column, id) read as an id written otherwise
    own_coach: set[str] = set()  # employees the file names as their own manager
    parsed: dict[int, dict] = {}
    first_seen: dict[str, tuple[int, dict]] = {}
    conflicts: dict[int, str] = {}  # first row of a conflicting pair -> why it is rejected too
    cleaned: dict[int, list[str]] = {}  # row -> its text cells that held characters a spreadsheet does not show
    controls: dict[int, list[str]] = {}  # row -> its text cells holding control characters
    for raw_row in raw.rows:
        n = raw_row.row
        v = checker.values(raw_row)
        if v is None:
            continue
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
        status = checker.check(parse_employment_status, v.get("employment_status"), n, "employment_status",
                               flag=checker.keys.get("employment_status") in ACTIVE_FLAG_COLUMNS)
        status = second_status(checker, raw_row, status)
        day = checker.check(parse_left_on, v.get(LEFT_ON), n, LEFT_ON, decision=left_order)
        last_day = checker.check(parse_left_on, v.get("last_day"), n, "last_day", decision=left_order)
        if day is None and last_day is not None:  # here on their last day, gone the day after
            day = last_day + dt.timedelta(days=1)
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
        rec[LEFT_ON] = left.isoformat() if left else None
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
            if erased_id is None:
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
    result.notes += leaving_notes(incoming, good_rows, leaving, existing, today)
    result.notes += met_after_leaving(store, incoming, existing)
    named = {rec[EMPLOYEE_ID] for rec in parsed.values()}  # rows rejected with --skip-invalid are in the file too
    absent = [eid for eid in existing if eid not in named]
    if missing_have_left:
        now_left = [eid for eid in absent if leavers.is_here(existing[eid].get(LEFT_ON), today)]
        check_missing_have_left(raw, len(good_rows), len(now_left),
                                 sum(leavers.is_here(row.get(LEFT_ON), today) for row in existing.values()))
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
    back = {eid for r in good_rows for eid in erased_back.get(r.row, ())}
    if back:
        result.notes.append(erased_note(back))
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


def legacy_conversation_id(employee_id: str, date: dt.date) -> str:
    """The id of the imported record of ``employee_id`` on ``date``: ``<employee_id>-h<yyyymmdd>``.

    The ``h`` keeps it apart from the app's ``<employee_id>-<yyyymmdd>[-n]``.
    Ids stay within the 64 characters an id may have: a very long employee id
    is shortened and a hash of the whole id added, so it stays unique.
    """
    stem = f"{employee_id}-h{date:%Y%m%d}"
    if len(stem) <= 64:
        return stem
    digest = hashlib.blake2b(employee_id.encode(), digest_size=4).hexdigest()
    return f"{employee_id[:43]}-{digest}-h{date:%Y%m%d}"


def _drop_totals_rows(raw: RawTable, checker: Checker, employees: KnownIds) -> None:
    """Leave out the totals rows a report ends with (``Total;;;6,5``, ``Gesamt``, ``Average``), with a note: the
    last rows that have no date and no skill and name no employee of the roster. A row in the table above them
    is read (and refused), and so is a last row naming an employee, and a file of such rows alone."""
    if not (checker.has(DATE) and checker.has(SKILL)):
        return
    width = len(raw.header)
    where = [checker.columns[c] for c in (DATE, SKILL)]
    start = len(raw.rows)
    while start:
        cells = raw.rows[start - 1].cells
        if len(cells) != width or blank(cells) or not blank(cells[i] for i in where):
            break
        if cell_text(cells[checker.columns[EMPLOYEE_ID]]).strip() in employees:
            break
        start -= 1
    if not start:  # a file of such rows alone is not a table with totals below it: its rows are refused
        return
    raw.notes += footer_note([(r.row, r.cells) for r in raw.rows], start, "with no date and no skill")
    raw.rows = raw.rows[:start]


def _manager_columns_note(checker: Checker) -> list[str]:
    """The note on a history's manager columns that were not read as the coach (:meth:`Checker.check_columns`
    with ``manager_ids``): each conversation's coach is then read from the coach column, or is the roster's."""
    if not checker.not_read:
        return []
    coach = f"read from {checker.raw.header[checker.columns[COACH_ID]]!r}" if COACH_ID in checker.columns \
        else "the one the roster gives"
    why = "they name the manager, perhaps by name" if len(checker.not_read) > 1 else \
        "it names the manager, perhaps by name"
    if checker.manager_names is not None:
        row, value = checker.manager_names
        why = f"{value!r} on row {row} is not the employee id of anyone on the roster"
        if COACH_ID not in checker.columns:
            coach += " (to import the coach of each conversation, add a column 'Manager ID' of their employee ids)"
    return [f"ignored {quoted(checker.not_read)} ({why}): each conversation's coach is {coach}"]


def import_history(store: Store, path: str | Path, *, skip_invalid: bool = False,
                   rejected_path: str | Path | None = None, date_order: str | None = None,
                   dry_run: bool = False, sheet: str | None = None, allow_erased: bool = False) -> ImportResult:
    """Import legacy history: one completed conversation per employee x date.

    Parameters
    ----------
    store
        The data folder; every employee must already be on its roster.
    path
        The history file; see the module docstring.
    skip_invalid
        Import the conversations whose rows are all valid; write every other
        row, with its reason, to ``rejected_path``.
    rejected_path
        Default ``<input stem>.rejected.csv`` beside the input.
    date_order
        ``"dmy"`` or ``"mdy"`` to read ``03/04/2024``-style dates.
    dry_run
        Check everything and count, but write nothing.
    sheet
        The sheet of a workbook to read (default: the one whose header row names the history's columns).
    allow_erased
        Import rows whose coach id was erased (:meth:`Store.erased_ids`), on purpose, and take those ids off the
        erased list; without it such a row is refused as invalid. An erased employee is not on the roster: their
        rows are refused until the roster import adds them again (with its ``allow_erased``).

    Returns
    -------
    ImportResult
        Counts are of conversations.

    Raises
    ------
    FileRejected
        Listing every problem; nothing was written.
    FileNotFoundError
        No such input file.
    ValueError
        A ``date_order`` other than dmy/mdy.
    """
    decision = decide_date_order([], date_order) if date_order else None
    raw = read_table_file(path, HISTORY_COLUMNS, sheet=sheet)
    rejected_target = Path(rejected_path) if rejected_path else default_rejected_path(raw.path)
    if skip_invalid and not dry_run:
        check_rejected_target(raw.path, rejected_target, store.root)
    checker = Checker(raw, HISTORY_COLUMNS)
    roster = store.roster()
    # Ids written otherwise than the roster writes them (e0010, 0003 for E0003) are read as the one roster id they
    # match, as a roster import reads them (id_spelling), a number alone only where the file says it is theirs.
    roster_ids = KnownIds(roster[EMPLOYEE_ID])
    checker.check_columns(other=ROSTER_COLUMNS, manager_ids=roster_ids)
    _drop_totals_rows(raw, checker, roster_ids)
    checker.notes += _manager_columns_note(checker)
    erased = store.erased_ids()
    coaches_back: dict[int, str] = {}  # row -> its erased coach id, imported again with allow_erased
    coach_of = dict(zip(roster[EMPLOYEE_ID], roster[COACH_ID]))
    name_of = dict(zip(roster[EMPLOYEE_ID], roster["name"]))
    matched: dict[int, list[tuple[str, IdMatch]]] = {}  # row -> its (column, id) read as a roster id written otherwise
    outside: dict[int, str] = {}  # row -> its coach id that is no one's on the roster
    if roster.empty:
        checker.add_file_problem("the roster is empty: import the roster first (careerconv import roster FILE), "
                                 "then the history")
    values = {r.row: v for r in raw.rows if (v := checker.values(r)) is not None}
    if decision is None:
        decision = decide_date_order(((n, v.get(DATE)) for n, v in values.items()), None)
    parsed: dict[int, dict] = {}
    cleaned: set[int] = set()  # rows whose skill held characters a spreadsheet does not show
    below: list[int] = []  # rows with a target below their rating
    own_coach: set[int] = set()  # rows naming the employee as their own manager: no coach from the file
    for raw_row in raw.rows:
        if raw_row.row not in values:
            continue
        n, v = raw_row.row, values[raw_row.row]
        matched[n] = []
        eid = checker.check(schema.parse_identifier, v.get(EMPLOYEE_ID), n, EMPLOYEE_ID, what="employee id")
        found = None
        try:
            found = roster_ids.match(eid) if eid is not None else None
        except AmbiguousId as exc:
            checker.add(f"employee {exc}", n, EMPLOYEE_ID, eid)
            eid = None
        # A number alone (7 for E0007) is theirs only beside their name: a history names no one, and a typo or
        # another system's number put its ratings on someone else's page (found by a hostile test).
        name = checker.check(shown_text, v.get("name"), n, "name", what="name") if found and found.how else None
        if found is not None and not confirmed(found, name_of[found.id], name):
            checker.add(not_theirs(found, name_of[found.id], name, "add them to the roster with an id of their own, "
                                    "then import the history"), n, EMPLOYEE_ID, found.value)
            eid = None
        elif found is not None:
            eid = found.id
            matched[n].append((EMPLOYEE_ID, found))
        elif eid is not None:
            gone = erased_as(erased, roster_ids, eid)
            again = f"import a roster that lists them with {ERASED_OPTION}, then the history"
            if gone is not None and gone[0] is None:
                checker.add(erased_number_problem("employee", eid, gone[1], again), n, EMPLOYEE_ID, eid)
            elif gone is not None:
                checker.add(erased_problem("employee", written(gone[0], eid), gone[1], again), n, EMPLOYEE_ID, eid)
            elif not roster.empty:  # an empty roster is reported once for the file
                checker.add(f"employee {eid!r} is not on the roster, written as it is nor otherwise (in another "
                            "case, without leading zeros or without a prefix); import the roster first (careerconv "
                            "import roster FILE)", n, EMPLOYEE_ID, eid)
            eid = None
        date = checker.check(parse_history_date, v.get(DATE), n, DATE, decision=decision)
        rec = {
            EMPLOYEE_ID: eid,
            DATE: date,
            SKILL: checker.check(parse_skill, v.get(SKILL), n, SKILL),
            "rating": checker.check(schema.parse_rating, v.get("rating"), n, "rating"),
            COACH_RATING: checker.check(schema.parse_rating, v.get(COACH_RATING), n, COACH_RATING,
                                        allow_missing=True),
            "targets": {str(h): checker.check(schema.parse_rating, v.get(col), n, col, allow_missing=True)
                        for h, col in TARGET_COLUMNS.items()},
            COACH_ID: None,
        }
        if any(schema.target_below_rating(t, rec["rating"]) for t in rec["targets"].values()):
            below.append(n)
        if not schema.is_missing(v.get(COACH_ID)):
            rec[COACH_ID] = checker.check(schema.parse_identifier, v.get(COACH_ID), n, COACH_ID, what="coach id")
            coach = match_id(checker, roster_ids, rec[COACH_ID], n, COACH_ID)
            if coach is not None and coach.id != coach_of.get(eid) and not confirmed(coach, None, None):
                # No name says whose a coach's number alone is (3 for E0003); the roster's coach of the employee does.
                checker.add(coach_not_confirmed(coach, eid, coach_of.get(eid)), n, COACH_ID, coach.value)
            elif coach is not None:
                rec[COACH_ID] = coach.id
                matched[n].append((COACH_ID, coach))
            elif rec[COACH_ID] is not None and rec[COACH_ID] not in roster_ids:
                outside[n] = rec[COACH_ID]  # an external coach, or a typo: said in a note
            if rec[COACH_ID] is not None and rec[COACH_ID] == eid:
                # Their own manager, as HR systems mark the head of the organisation: no coach, as the roster
                # import reads it (found: stored as the coach of their own conversation).
                rec[COACH_ID] = None
                own_coach.add(n)
            gone = erased_as(erased, roster_ids, rec[COACH_ID])
            if gone is not None and gone[0] is None:
                checker.add(erased_number_problem("coach", rec[COACH_ID], gone[1], f"import the file again with "
                                                   f"{ERASED_OPTION}"), n, COACH_ID, rec[COACH_ID])
            elif gone is not None and allow_erased:  # imported again as the id that was erased (61 as E0061)
                rec[COACH_ID] = coaches_back[n] = gone[0]
                if n in outside:
                    outside[n] = gone[0]
            elif gone is not None:
                checker.add(erased_problem("coach", written(gone[0], rec[COACH_ID]), gone[1], f"import the file "
                                            f"again with {ERASED_OPTION}"), n, COACH_ID, rec[COACH_ID])
        if isinstance(v.get(SKILL), str) and rec[SKILL] is not None and rec[SKILL] != v[SKILL].strip():
            cleaned.add(n)  # (whitespace at an end alone was always dropped from a skill, without a note)
        parsed[n] = rec
    # Rows that belong to one conversation: same employee and date.
    groups: dict[tuple[str, dt.date], list[int]] = {}
    for n, rec in parsed.items():
        if rec[EMPLOYEE_ID] is not None and rec[DATE] is not None:
            groups.setdefault((rec[EMPLOYEE_ID], rec[DATE]), []).append(n)
    conflicts: dict[int, str] = {}  # first row of a conflicting pair -> why it is rejected too
    for (eid, date), rows in groups.items():
        seen_skill: dict[str, int] = {}  # skill key -> the first row rating it
        seen_name: dict[str, str] = {}  # skill key -> the skill as read on that row
        coach_row: tuple[int, str] | None = None
        for n in rows:
            rec = parsed[n]
            if rec[SKILL] is not None:
                key = schema.skill_key(rec[SKILL])
                if key in seen_skill:
                    first = seen_skill[key]
                    if _same_cells({**values[first], SKILL: seen_name[key]}, {**values[n], SKILL: rec[SKILL]}):
                        checker.add(f"duplicate of row {first}", n, SKILL, rec[SKILL])
                    else:
                        checker.add(f"{eid} on {date} rates this skill already on row {first}; a skill is rated "
                                    "once per conversation and which row is right is not guessed", n, SKILL,
                                    rec[SKILL])
                        conflicts[first] = f"{eid} on {date} rates this skill again on row {n} with other values; " \
                                           "which row is right is not guessed"
                else:
                    seen_skill[key], seen_name[key] = n, rec[SKILL]
            if rec[COACH_ID] is not None:
                if coach_row is None:
                    coach_row = (n, rec[COACH_ID])
                elif coach_row[1] != rec[COACH_ID]:
                    checker.add(f"coach differs from row {coach_row[0]} ({coach_row[1]!r}) of the same conversation "
                                f"({eid} on {date})", n, COACH_ID, rec[COACH_ID])
    for n, why in sorted(conflicts.items()):
        if not any(p.row == n for p in checker.c.problems):
            checker.add(why, n, SKILL, parsed[n][SKILL])
    # Build the records and compare them with what the store holds.
    existing_by_employee = {eid: {r[CONVERSATION_ID]: r for r in store.conversations(eid)}
                            for eid in {e for e, _ in groups}}
    records: dict[tuple[str, dt.date], dict] = {}
    rows_with_problems = set(checker.by_row())
    for (eid, date), rows in groups.items():
        conv_id = legacy_conversation_id(eid, date)
        existing = existing_by_employee[eid]
        same_day = [r for r in existing.values() if r[DATE] == date.isoformat()
                    and not str(r.get("source", "")).startswith("import")]
        if same_day:
            for n in rows:
                checker.add(f"{eid} already has a conversation on {date} recorded with careerconv "
                            f"({same_day[0]['conversation_id']}); importing this row would count that day twice",
                            n, DATE, values[n].get(DATE))
            continue
        clash = existing.get(conv_id)
        if clash is not None and not str(clash.get("source", "")).startswith("import"):
            for n in rows:
                checker.add(f"conversation id {conv_id} is already used by a record that was not imported", n,
                            DATE, values[n].get(DATE))
            continue
        if any(n in rows_with_problems for n in rows):
            continue
        # A file without the coach gives a past conversation the roster's coach when it is first imported; a
        # later import keeps that coach, as coaches change on the roster and the conversation took place.
        kept_coach = clash[COACH_ID] if clash is not None else None
        coach = next((parsed[n][COACH_ID] for n in rows if parsed[n][COACH_ID]), None) or kept_coach or coach_of[eid]
        record = schema.new_conversation(eid, coach, date, LEGACY_QUESTION_SET, LEGACY_QUESTION_SET_VERSION,
                                         conversation_id=conv_id)
        record[STATUS] = "completed"
        record["source"] = f"import:{raw.path.name}"
        skills = []
        for n in rows:
            rec = parsed[n]
            skill = schema.new_skill(rec[SKILL])
            skill.update(self_rating=rec["rating"], coach_rating=rec[COACH_RATING], targets=rec["targets"])
            skills.append(skill)
        record["skills"] = sorted(skills, key=lambda s: schema.skill_key(s[SKILL]))
        try:
            records[(eid, date)] = schema.validate_conversation(record, f"{eid} on {date}")
        except schema.ValidationError as exc:
            for n in rows:
                for p in exc.problems:
                    checker.add(p.message, n, p.column)
    problems_by_row = checker.by_row()
    bad = set(problems_by_row)
    # A conversation is imported whole or not at all: its valid rows go with its invalid ones.
    collateral: dict[int, str] = {}
    for (eid, date), rows in groups.items():
        first_bad = next((n for n in rows if n in bad), None)
        if first_bad is None:
            continue
        records.pop((eid, date), None)
        for n in rows:
            if n not in bad:
                collateral[n] = f"not imported because row {first_bad} of the same conversation ({eid} on {date}) " \
                                "is invalid"
    good_rows = [r for r in raw.rows if r.row not in bad and r.row not in collateral]
    reject_or_raise(checker, raw, bad, len(good_rows), skip_invalid, rejected_target, decision.explanation)
    rejections = [Rejection(r.row, r.cells, [reason(p) for p in problems_by_row[r.row]] if r.row in bad
                            else [collateral[r.row]])
                  for r in raw.rows if r.row in bad or r.row in collateral]
    to_write, added, updated, unchanged = [], 0, 0, 0
    for (eid, date), record in sorted(records.items()):
        old = existing_by_employee[eid].get(record[CONVERSATION_ID])
        if old is None:
            added += 1
        elif _imported_content(old) == _imported_content(record):
            unchanged += 1  # and it keeps naming the file it was first imported from
            continue
        else:
            updated += 1
        to_write.append(record)
    notes = raw.notes + checker.notes
    if decision.explanation:
        notes.append(decision.explanation)
    notes += matched_notes(checker, [m for r in good_rows for m in matched.get(r.row, [])])
    external = outside_coaches_note(sorted({outside[r.row] for r in good_rows if r.row in outside}))
    if external:
        notes.append(external)
    cleaned_skills = [SKILL for r in good_rows if r.row in cleaned]
    if cleaned_skills:
        notes.append(cleaned_note(cleaned_skills, "a skill"))
    back = {coaches_back[r.row] for r in good_rows if r.row in coaches_back}
    if back:
        notes.append(erased_note(back))
    own = [r.row for r in good_rows if r.row in own_coach]
    if own:
        notes.append(f"{len(own)} row(s) name the employee as their own manager (rows "
                     f"{some([str(n) for n in own])}), as HR systems mark the head of the organisation: no coach "
                     "is read from the file for that conversation (the roster's coach is taken), as the roster "
                     "import reads it")
    notes += history_after_leaving(roster, records)
    below_kept = [r.row for r in good_rows if r.row in set(below)]
    if below_kept:
        # Imported as written (records of the past, and exported histories must import again), but said: the app
        # completes no conversation with a target below the rating (schema.target_below_rating).
        shown = ", ".join(map(str, below_kept[:10])) + (" ..." if len(below_kept) > 10 else "")
        notes.append(f"{len(below_kept)} row(s) have a target below their rating (rows {shown}): imported as "
                     "written, though a target is at least the rating (the app would not complete such a "
                     "conversation); were the columns swapped?")
    result = ImportResult("history", raw.source, raw.describe(), len(raw.rows), len(good_rows), added, updated,
                          unchanged, rejections, rejected_target if rejections else None, dry_run, notes)
    if dry_run:
        return result
    if rejections:  # first: when the disk refuses it, the command fails with nothing imported
        write_rejected(raw, rejections, rejected_target)
    if to_write:
        # One batch: staged, committed, then moved into place, so a killed import is all or nothing.
        store.save_many(to_write)
    if back:
        store.forget_erased(back)
    return result


def _imported_content(record: dict) -> dict:
    """What an imported conversation holds, for telling whether an import changes it: its content without the
    file it came from, so the same rows in a file of another name (``history-2026.csv``, a copy of
    ``history.csv``) are unchanged, not updated."""
    return {k: v for k, v in schema.record_content(record).items() if k != "source"}


def _same_cells(a: dict, b: dict) -> bool:
    def norm(v: Any) -> str:
        return cell_text(v).strip()
    return all(norm(a.get(k)) == norm(b.get(k)) for k in set(a) | set(b))
