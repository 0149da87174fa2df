"""The history import (:func:`import_history`): legacy ratings kept in spreadsheets, one
completed conversation per employee and date; see :mod:`careerconv.records.importers` for what the file may look
like."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from . import schema
from .employment_status import history_after_leaving
from .id_spelling import AmbiguousId, IdMatch, KnownIds, confirmed
from .import_asking import ERASED_OPTION
from .import_cells import cleaned_note, decide_date_order, parse_history_date, parse_skill, shown_text
from .import_checking import (
    Checker, ImportResult, Rejection, cell_text, check_rejected_target, default_rejected_path, reason, reject_or_raise,
    some, write_rejected,
)
from .import_columns import HISTORY_COLUMNS, ROSTER_COLUMNS, TARGET_COLUMNS
from .import_files import RawTable, blank, footer_note, quoted, read_table_file
from .import_ids import (
    coach_not_confirmed, erased_as, erased_note, erased_number_problem, erased_problem, match_id, matched_notes,
    not_theirs, outside_coaches_note, own_id, own_ids_note, written,
)
from .schema import COACH_ID, COACH_RATING, CONVERSATION_ID, DATE, EMPLOYEE_ID, SKILL, STATUS
from .store import Store

LEGACY_QUESTION_SET = "legacy-import"
LEGACY_QUESTION_SET_VERSION = "1"


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
    coaches_as_written: dict[int, str] = {}  # row -> its coach id of an erased id's number, taken as written
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
                            "case, with other leading zeros or without a prefix); import the roster first (careerconv "
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
            if gone is not None and gone[0] is None and allow_erased and own_id(rec[COACH_ID]):
                coaches_as_written[n] = rec[COACH_ID]  # E61 beside an erased E0061: an external coach of its own
            elif gone is not None and gone[0] is None:
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
    written_note = own_ids_note({coaches_as_written[r.row] for r in good_rows if r.row in coaches_as_written})
    if written_note:
        notes.append(written_note)
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
