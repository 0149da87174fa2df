"""Checking a file's rows and answering for them: :class:`Checker` collects every problem of
one file by row and column, :func:`reject_or_raise` refuses the file or lets its valid rows through, and the result
(:class:`ImportResult`) and the rejected rows' file (:func:`write_rejected`) say what was done."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from . import schema
from .id_spelling import KnownIds
from .import_asking import COMMAND_LINE, Asking, FileRejected
from .import_columns import (
    COACH_NAME, EMPLOYMENT_END, EMPLOYMENT_START, MANAGER_COLUMNS, MANAGER_EMAIL_COLUMNS, MANAGER_NAME_COLUMNS,
    NAME_PARTS, ORGANIZATION_WITH_MANAGER, ColumnSpec, column_key, end_of_employment, says_no_manager,
)
from .import_files import LINE_BREAK, RawRow, RawTable, blank
from .schema import COACH_ID, DEPARTMENT, LEFT_ON
from .spreadsheet import frame_to_csv_bytes, restore_formula
from .store import write_output_bytes


@dataclass
class Rejection:
    """One row that was not imported."""

    row: int
    cells: tuple[Any, ...]
    reasons: list[str]

    @property
    def reason(self) -> str:
        return f"row {self.row}: " + "; ".join(self.reasons)


@dataclass
class ImportResult:
    """What an import did (or, with ``dry_run``, would do)."""

    kind: str
    source: str
    how_read: str
    rows_read: int
    rows_imported: int
    added: int
    updated: int
    unchanged: int
    rejected: list[Rejection] = field(default_factory=list)
    rejected_path: Path | None = None
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def unit(self) -> str:
        return "employees" if self.kind == "roster" else "conversations"

    def summary(self) -> str:
        """The lines the command line prints."""
        lines = [f"Read {self.source}: {self.how_read}."]
        lines += [f"Note: {n}" for n in self.notes]
        counts = f"added {self.added}, updated {self.updated}, unchanged {self.unchanged}"
        if self.dry_run:
            lines.append(f"Dry run, nothing was written. {self.unit.capitalize()} that would be {counts}"
                         f" (from {self.rows_imported} row(s)).")
        else:
            lines.append(f"{self.unit.capitalize()}: {counts} (from {self.rows_imported} row(s)).")
        if self.rejected:
            n = len(self.rejected)
            where = f"written with the reason for each to {self.rejected_path}" if self.rejected_path and not \
                self.dry_run else "not imported"
            lines.append(f"Rejected {n} row(s), {where}:")
            lines += [f"  - {r.reason}" for r in self.rejected[:10]]
            if n > 10:
                lines.append(f"  ... and {n - 10} more")
            if self.rejected_path and not self.dry_run:
                lines.append(f"Fix them in {self.rejected_path}, delete its 'reason' column and import it again.")
        return "\n".join(lines)


class Checker:
    """Collects problems for one file, keeping track of which rows they belong to."""

    def __init__(self, raw: RawTable, spec: ColumnSpec):
        self.raw = raw
        self.spec = spec
        self.c = schema.Collector(raw.source)
        self.file_problems: list[schema.Problem] = []
        self.columns: dict[str, int] = {}
        self.keys: dict[str, str] = {}  # column -> the header key it was read from
        self.name_parts: tuple[int, ...] = ()
        # Where a name comes from when the name column's cell is empty (BambooHR's and Workday's preferred name
        # is empty for most people): other name columns, then first and last name, best first.
        self.name_fallbacks: list[tuple[str, tuple[int, ...]]] = []
        self.fallbacks_used: dict[str, int] = {}  # fallback -> rows named from it
        self.notes: list[str] = []
        self.not_read: list[str] = []  # header cells of the spec's not_read columns that were left out
        # Per column read, the other columns of the file named for it (key, position), not read: see check_columns
        self.also_named: dict[str, list[tuple[str, int]]] = {}
        self.manager_names: tuple[int, str] | None = None  # a manager column's (row, value) that is not an id
        # A department as Workday writes a supervisory organization -> the organization without its manager's name
        self.organizations: dict[str, str] = {}
        self.refusal_notes: list[str] = []  # notes a refusal of the file gives too (the columns ignored)

    def check_columns(self, other: ColumnSpec | None = None, asking: Asking = COMMAND_LINE,
                      manager_ids: KnownIds | None = None) -> None:
        """Match the header to the spec; ``other`` is the other importer, to spot a file given to the wrong one (the
        refusal then says what to do as :attr:`Asking.other_import` does). With ``manager_ids``, a manager column
        (``Manager``, ``Vorgesetzter``) found for the coach is read as the coach only when each of its values is
        one of these ids (:meth:`manager_not_an_id`), else it is left out as the spec's ``not_read`` columns are,
        and :attr:`manager_names` says which value was not one.

        A column is found by its own name or, failing that, by its best alias
        (``Manager ID`` for ``coach_id``); with no name column, ``First Name``
        and ``Last Name`` together make the name; with one, the other name
        columns (``Legal Name``, then first and last name) name the rows where
        it is empty. In a roster, a manager column beside the one the coach id is
        read from (``Reports To`` beside ``Supervisor EID``) is the coach's name
        (``coach_name``), unless a column is named so. Columns the importer does not
        read are a problem, or (``spec.ignore_unknown``) a note naming them.
        """
        raw, spec = self.raw, self.spec
        seen: dict[str, str] = {}
        positions: dict[str, int] = {}
        problems: list[str] = []
        for index, name in enumerate(raw.header):
            key = column_key(name)
            if not key:
                if any(index < len(r.cells) and not schema.is_missing(r.cells[index]) for r in raw.rows):
                    problems.append(f"column {index + 1} has values but no name in the header row")
                continue
            if key in seen:
                problems.append(f"column {name!r} appears twice in the header row (also as {seen[key]!r})")
                continue
            seen[key] = name
            positions[key] = index
        used: set[str] = set()
        read_as: list[str] = []
        for column in spec.all:
            key = spec.key_for(column, positions)
            if key is None:
                continue
            self.columns[column] = positions[key]
            self.keys[column] = key
            used.add(key)
            if key != column:
                read_as.append(f"{seen[key]!r} as {column}")
        if end_of_employment(self.keys, positions):  # Rippling's "End date" beside its "Start date": the leaving day
            said = (f"{seen[EMPLOYMENT_END]!r} as {LEFT_ON} (beside {seen[EMPLOYMENT_START]!r}, the end of employment "
                    "as Rippling writes it, not of a contract)")
            if self.keys.get("contract_end") == EMPLOYMENT_END:
                del self.keys["contract_end"], self.columns["contract_end"]
                read_as[read_as.index(f"{seen[EMPLOYMENT_END]!r} as contract_end")] = said
            else:  # beside Rippling's "Contract end date", read as the contract's end
                read_as.append(said)
            self.columns[LEFT_ON], self.keys[LEFT_ON] = positions[EMPLOYMENT_END], EMPLOYMENT_END
            used.add(EMPLOYMENT_END)
        email_of_manager = next((k for k in MANAGER_EMAIL_COLUMNS if k in positions), None)
        if COACH_ID in spec.all and self.keys.get(COACH_ID, MANAGER_COLUMNS[0]) in MANAGER_COLUMNS \
                and "email" in self.columns and email_of_manager:
            # HiBob's "Manager email" beside the people's own "Email": each manager is the person with that e-mail
            # (read as their id by the roster import: careerconv.records.roster_import), also beside a manager
            # column that may hold names ("Reports to"), which is then the manager's name (COACH_NAME, below)
            if COACH_ID in self.keys:
                used.discard(self.keys[COACH_ID])
                read_as.remove(f"{seen[self.keys[COACH_ID]]!r} as {COACH_ID}")
            self.columns[COACH_ID], self.keys[COACH_ID] = positions[email_of_manager], email_of_manager
            used.add(email_of_manager)
            read_as.append(f"{seen[email_of_manager]!r} as {COACH_ID} (each manager found by their e-mail in "
                           f"{seen[self.keys['email']]!r})")
        if manager_ids is not None:
            self.manager_names = self.manager_not_an_id(manager_ids)
            if self.manager_names is not None:
                key = self.keys.pop(COACH_ID)
                del self.columns[COACH_ID]
                used.discard(key)
                read_as.remove(f"{seen[key]!r} as {COACH_ID}")
        if COACH_NAME in spec.all and COACH_NAME not in self.columns:
            # A manager column beside the one the coach id is read from holds the manager's name (BambooHR's
            # "Reports To" beside "Supervisor EID", Workday's "Manager" beside "Manager ID").
            key = next((k for k in MANAGER_COLUMNS if k in positions and k not in used), None)
            if key is not None:
                self.columns[COACH_NAME], self.keys[COACH_NAME] = positions[key], key
                used.add(key)
                read_as.append(f"{seen[key]!r} as {COACH_NAME}")
        parts = [spec.key_for(part, positions) for part in NAME_PARTS] if "name" in spec.all else [None]
        has_parts = all(parts)
        if has_parts and "name" not in self.columns:
            self.name_parts = tuple(positions[k] for k in parts)
            used.update(parts)
            read_as.append(f"{seen[parts[0]]!r} and {seen[parts[1]]!r} together as name")
        elif "name" in self.columns:
            others = [k for k in ("name", *spec.aliases.get("name", ())) if k in positions and k not in used]
            self.name_fallbacks = [(repr(seen[k]), (positions[k],)) for k in others]
            if has_parts:
                self.name_fallbacks.append((f"{seen[parts[0]]!r} and {seen[parts[1]]!r}",
                                            tuple(positions[k] for k in parts)))
            if self.name_fallbacks:
                used.update(others + (parts if has_parts else []))
                read_as.append(f"{' or else '.join(f for f, _ in self.name_fallbacks)} as name where "
                               f"{seen[self.keys['name']]!r} is empty")
        unknown = []  # (header cell, what to say of it)
        close_to: dict[str, str] = {}  # column careerconv reads -> an unknown header cell close to its name
        for key, name in seen.items():
            if key in used:
                continue
            if key in spec.not_read:
                self.not_read.append(name)
                continue
            again = next((c for c in self.keys if key in spec.aliases.get(c, ())), None)
            if again and spec.ignore_unknown:  # read from another column: not "a column careerconv does not use"
                self.also_named.setdefault(again, []).append((key, positions[key]))
                first = seen[self.keys[again]]
                if again == "employment_status":  # read where the first says nothing (second_status)
                    self.notes.append(f"{name!r} is another name for {again}, which is read from {first!r}: "
                                      f"{name!r} is read where {first!r} is empty or holds a kind of contract "
                                      "(Full-Time, Part-Time ...), and a row where the two disagree is read by "
                                      "its leaving day, and refused without one")
                else:
                    self.notes.append(f"did not read {name!r}: it is another name for {again}, which is read from "
                                      f"{first!r}")
                continue
            if again:
                unknown.append((name, f"it is another name for {again}, which is read from "
                                      f"{seen[self.keys[again]]!r}: keep one of the two; "))
                continue
            close = difflib.get_close_matches(key, spec.all, n=1, cutoff=0.6)
            if close:
                close_to.setdefault(close[0], name)
            unknown.append((name, f"did you mean {close[0]!r}? " if close else ""))
        missing = [key for key in spec.required if not self.has(key)]
        # The real problem first: a missing column, or a column named for the manager that holds no id.
        if missing:
            problems.append(f"required column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))} "
                            f"{'are' if len(missing) > 1 else 'is'} missing; the header row must name: "
                            f"{', '.join(spec.required)} (optional: {', '.join(spec.optional) or 'none'})"
                            + "".join(f"; if {close_to[c]!r} is {c}, rename it {c}"
                                      for c in missing if c in close_to))
        by_name = [(seen[k], k in MANAGER_EMAIL_COLUMNS) for k in (*MANAGER_NAME_COLUMNS, *MANAGER_EMAIL_COLUMNS)
                   if k in seen]
        if COACH_ID in missing and by_name:
            problems.append(_manager_name_problem(by_name[0][0], emails=by_name[0][1]))
            unknown = [(name, guess) for name, guess in unknown if name != by_name[0][0]]  # said just now
        if unknown and not spec.ignore_unknown:
            problems += [f"unknown column {name!r}; {guess}allowed columns are: {', '.join(spec.all)}"
                         for name, guess in unknown]
        elif unknown:
            shown = ", ".join(f"{name!r}" + (f" ({guess.strip()})" if guess else "") for name, guess in unknown)
            ignored = f"ignored {len(unknown)} column(s) careerconv does not use: {shown}"
            self.notes.append(ignored)
            self.refusal_notes.append(ignored)
        if read_as:
            self.notes.append("read " + ", ".join(read_as))
        if other is not None and problems and other.looks_like(raw.header):
            problems = [f"this looks like a {other.kind} file (its columns are {', '.join(raw.header)}); "
                        + asking.other_import.format(kind=other.kind, file=raw.source)]
        for message in problems:
            self.add_file_problem(message, raw.header_row)
        if not raw.rows:
            self.add_file_problem("has a header row but no data rows")
        self.notes += self._no_manager_note() + self._organizations_without_managers()

    def _organizations_without_managers(self) -> list[str]:
        """When the department is read from Workday's ``Supervisory Organization``, whose values Workday writes
        with the organization's manager after them (``Engineering (Olga Rossi)``), :attr:`organizations` maps each
        such value to the organization without the manager (``Engineering``), and the note says so; none when the
        parentheses hold no name the file gives someone (``Research (Berlin)`` is kept as it is). A department is
        the same for everyone in it, whoever their manager: with the manager's name in it, HR figures would be
        split by team and labelled with a person's name."""
        if self.keys.get(DEPARTMENT) != ORGANIZATION_WITH_MANAGER:
            return []
        index, names = self.columns[DEPARTMENT], self._names_given()
        rows = 0
        for raw_row in self.raw.rows:
            value = cell_text(_cell(raw_row, index)).strip() if index < len(raw_row.cells) else ""
            found = _MANAGER_AFTER.fullmatch(value)
            if found and found["manager"].strip() in names:
                self.organizations[value] = found["organization"]
                rows += 1
        if not self.organizations:
            return []
        value, organization = next(iter(self.organizations.items()))
        return [f"read {self.raw.header[index]!r} without the manager's name Workday writes after each organization "
                f"({value!r} as {organization!r}: {len(self.organizations)} organization(s) of {rows} row(s) as "
                f"{len(set(self.organizations.values()))} department(s)), so that a department is the same for "
                "everyone in it, whoever their manager"]

    def _names_given(self) -> set[str]:
        """Every name the file gives someone: in its name columns (first and last name together) and the column of
        the coach's name."""
        groups = [(self.columns[c],) for c in ("name", COACH_NAME) if c in self.columns]
        groups += [indices for _, indices in self.name_fallbacks] + ([self.name_parts] if self.name_parts else [])
        names = {_joined(raw_row, indices) for raw_row in self.raw.rows for indices in groups
                 if all(i < len(raw_row.cells) for i in indices)}
        return names - {None}

    def _no_manager_note(self) -> list[str]:
        """The note on the coach cells that say there is no manager (``NO_MANAGER``: :func:`says_no_manager`),
        read as no coach; none for none."""
        index = self.columns.get(COACH_ID)
        said = [r.cells[index] for r in self.raw.rows
                if index is not None and index < len(r.cells) and says_no_manager(r.cells[index])]
        if not said:
            return []
        return [f"read {', '.join(map(repr, sorted(set(said))))} in {self.raw.header[index]!r} as no coach, as SAP "
                f"SuccessFactors marks someone without a manager ({len(said)} row(s))"]

    def manager_not_ids(self, employee_ids: KnownIds) -> list[tuple[int, str]]:
        """When the coach column is a manager column (``Line Manager``, ``Reports To``, ``Vorgesetzter``), each row
        whose value is not an employee id of ``employee_ids`` (nor written otherwise:
        :mod:`careerconv.records.id_spelling`), with that value: such a column holds names in some exports, and an
        id that is no one's may be a name too. Empty when every value is one or says there is no manager
        (:func:`says_no_manager`), or the coach column is not a manager column."""
        if self.keys.get(COACH_ID) not in MANAGER_COLUMNS:
            return []
        index = self.columns[COACH_ID]
        found = []
        for raw_row in self.raw.rows:
            value = cell_text(raw_row.cells[index]) if index < len(raw_row.cells) else ""
            if value.strip() and not says_no_manager(value) and value not in employee_ids:
                found.append((raw_row.row, value))
        return found

    def manager_not_an_id(self, employee_ids: KnownIds) -> tuple[int, str] | None:
        """The first of :meth:`manager_not_ids` (row, value); None when there is none."""
        found = self.manager_not_ids(employee_ids)
        return found[0] if found else None

    def check_manager_ids(self, employee_ids: KnownIds) -> None:
        """Refuse the file, in one problem, when its coach column is a manager column whose values are not all
        employee ids of ``employee_ids`` (this file's and the roster's; :meth:`manager_not_ids`); the column is then
        not read, so its rows are not refused one by one as well."""
        found = self.manager_not_ids(employee_ids)
        if not found:
            return
        column = self.raw.header[self.columns[COACH_ID]]
        self.add_file_problem(_manager_column_problem(column, found), found[0][0])
        del self.columns[COACH_ID]
        del self.keys[COACH_ID]

    def has(self, column: str) -> bool:
        """Whether the file gives ``column`` (``name`` may come from first and last name)."""
        return column in self.columns or (column == "name" and bool(self.name_parts))

    def add_file_problem(self, message: str, row: int | None = None) -> None:
        self.file_problems.append(schema.Problem(self.raw.source, message, row))

    def values(self, raw_row: RawRow) -> dict[str, Any] | None:
        """The row's cells by column name (empty cells are None, and so is a coach cell saying there is no manager:
        ``NO_MANAGER``, :func:`says_no_manager`; guard quotes removed).

        None, with the problem recorded, when the row has more or fewer cells
        than the header: a value holding the separator, or a line break inside
        a value, that is not in double quotes splits or cuts the row, so its
        values are not in their columns. Spreadsheets write every row as wide
        as the header (Excel pads a row whose last cells are empty with
        separators), so a row of another width is never a row to guess at.
        """
        have, want = len(raw_row.cells), len(self.raw.header)
        if have != want and self.raw.delimiter and any(LINE_BREAK.search(str(c)) for c in raw_row.cells):
            # A stray double quote took the lines after it into one value, up to a later quote: which rows it
            # took cannot be told, so this is the file's problem, never a row to skip.
            self.add_file_problem(
                f"has {have} cells but the header row names {want} columns, and a value on it runs over several "
                "lines, from a double quote to the next one: if that first quote is a stray one (a value typed "
                "'\"Smith, Ann'), close it with a second double quote where the value ends, or remove it; the lines "
                "up to that next quote were read into that value", raw_row.row)
            return None
        if have != want:
            why = "a value holding the separator" if have > want else "a line break inside a value"
            hint = f" ({why} must be in double quotes)" if self.raw.delimiter else ""
            if self.raw.delimiter and have > want and blank(raw_row.cells[want:]):
                # Some exports end every data row with a separator, the header row not: say so, but do not
                # guess, since an unquoted separator in a row whose last cell is empty looks the same.
                hint = (f" (its last {have - want} cell(s) are empty: if the export ends each row with a "
                        "separator and the header row not, open the file in a spreadsheet and save it again; "
                        "else a value holding the separator must be in double quotes)")
            self.add(f"has {have} cell{'s' if have != 1 else ''} but the header row names {want} columns{hint}",
                     raw_row.row)
            return None

        out = {key: _cell(raw_row, index) for key, index in self.columns.items()}
        if says_no_manager(out.get(COACH_ID)):
            out[COACH_ID] = None
        if isinstance(out.get(DEPARTMENT), str) and out[DEPARTMENT].strip() in self.organizations:
            out[DEPARTMENT] = self.organizations[out[DEPARTMENT].strip()]
        if self.name_parts:
            out["name"] = _joined(raw_row, self.name_parts)
        elif self.name_fallbacks and schema.is_missing(out.get("name")):
            for label, indices in self.name_fallbacks:
                name = _joined(raw_row, indices)
                if name is not None:
                    out["name"] = name
                    self.fallbacks_used[label] = self.fallbacks_used.get(label, 0) + 1
                    break
        return out

    def header_of(self, column: str | None) -> str | None:
        """How the file names ``column`` in its header row (``'Employee Status'`` for employment_status,
        ``'First Name + Last Name'`` for a name made of two), which a problem names; a column the file does not
        have, or a part of a record (``skills[0].self_rating``), as it is."""
        if column in self.columns:
            return self.raw.header[self.columns[column]]
        if column == "name" and self.name_parts:
            return " + ".join(self.raw.header[i] for i in self.name_parts)
        return column

    def check(self, parser, value, row: int, column: str, **kwargs):
        if not self.has(column):
            return None  # a missing required column is reported once, for the file
        return self.c.check(parser, value, row=row, column=self.header_of(column), **kwargs)

    def add(self, message: str, row: int, column: str | None = None, value: Any = None) -> None:
        self.c.add(message, row=row, column=self.header_of(column), value=value)

    def by_row(self) -> dict[int, list[schema.Problem]]:
        out: dict[int, list[schema.Problem]] = {}
        for p in self.c.problems:
            out.setdefault(p.row, []).append(p)
        return out

    def all_problems(self) -> list[schema.Problem]:
        order = {self.header_of(name): i for i, name in enumerate(self.spec.all)}
        rows = sorted(self.c.problems, key=lambda p: (p.row or 0, order.get(p.column or "", -1)))
        return self.file_problems + rows


def _cell(raw_row: RawRow, index: int) -> Any:
    """A row's cell as the import reads it (a formula-guard quote of our own CSV export removed)."""
    value = raw_row.cells[index]
    return restore_formula(value) if isinstance(value, str) else value


def _joined(raw_row: RawRow, indices: tuple[int, ...]) -> str | None:
    """A row's cells at ``indices`` joined by spaces (first and last name), empty ones left out; None when all are."""
    parts = [str(_cell(raw_row, i)).strip() for i in indices if not schema.is_missing(_cell(raw_row, i))]
    return " ".join(parts) or None


# Workday writes a supervisory organization with its manager after it: "Engineering (Olga Rossi)".
_MANAGER_AFTER = re.compile(r"(?P<organization>.*\S)\s*\((?P<manager>[^()]+)\)")


def _manager_column_problem(column: str, found: list[tuple[int, str]]) -> str:
    """The one problem of a manager column whose values (``found``: each row's that is not an employee id, in row
    order) are not all employee ids: names or e-mail addresses (:func:`_manager_name_problem`), or ids of no one."""
    not_ids = [(row, value) for row, value in found if not schema.is_identifier(value)]
    if not not_ids:
        which = f"{_examples(found)} is not" if len(found) == 1 else \
            f"the values of {len(found)} rows are not (such as {_first_values(found)})"
        return (f"column {column!r} is read as the coach's employee id only when each value is the employee id "
                f"of someone in this file or on the roster, and {which}: correct "
                f"{'it' if len(found) == 1 else 'them'}, or, for a coach who is not an employee, name the column "
                "coach_id (a coach_id need not be on the roster)")
    emails = all(schema.EMAIL_SHAPE.match(value.strip()) for _, value in not_ids)
    return _manager_name_problem(column, _examples(not_ids), emails=emails)



def _examples(found: list[tuple[int, str]], shown: int = 3) -> str:
    """Values of a column and their rows for a problem: ``'Ann' on row 3`` for one row; for more, how many rows
    and the first ``shown`` different values, each with the first row it is on."""
    if len(found) == 1:
        return _first_values(found)
    return f"{len(found)} rows, such as {_first_values(found, shown)}"


def _first_values(found: list[tuple[int, str]], shown: int = 3) -> str:
    """The first ``shown`` different values of ``found`` (row, value), each with the first row it is on:
    ``'Ann' on row 3, 'Bo' on row 5 and 'Cy' on row 9``."""
    first: dict[str, int] = {}
    for row, value in found:
        first.setdefault(value, row)
    listed = [f"{value!r} on row {row}" for value, row in list(first.items())[:shown]]
    return listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]


def _manager_name_problem(column: str, example: str = "", *, emails: bool = False) -> str:
    """What to do about a column that names the manager, or (``emails``) holds their e-mail address (``example``:
    some of its values and their rows)."""
    shown = f" ({example})" if example else ""
    what = "holds the manager's e-mail address" if emails else "names the manager"
    through = (", or the people's own e-mail column (such as 'Work Email'), through which each manager's e-mail is "
               "read as their id") if emails else ""
    return (f"column {column!r} {what}{shown}, but careerconv needs the manager's employee id: add a "
            f"column such as 'Manager ID' or 'Supervisor EID' to the HR report (or name it coach_id){through}")


def reason(p: schema.Problem) -> str:
    where = f"{p.column}" if p.column else ""
    if p.value is not None:
        shown = repr(p.value)
        where += f" {shown if len(shown) <= 40 else shown[:37] + '...'}"
    return f"{where.strip()}: {p.message}" if where.strip() else p.message


def default_rejected_path(path: str | Path) -> Path:
    """``<input stem>.rejected.csv`` beside the input file."""
    path = Path(path)
    return path.with_name(f"{path.stem}.rejected.csv")


def check_rejected_target(input_path: Path, rejected: Path, data_folder: Path) -> None:
    if rejected.resolve().is_relative_to(data_folder.resolve()):
        # The data folder's files are the store's: the rejected rows written over roster.csv were the roster.
        raise ValueError(f"the rejected rows cannot be written into the data folder {data_folder} ({rejected}), "
                         "whose files careerconv keeps; choose a --rejected file outside it")
    if rejected.resolve() == input_path.resolve():
        raise ValueError(f"the rejected rows cannot be written over the file being imported ({rejected}); "
                         "choose another --rejected file")
    if rejected.is_dir():
        raise ValueError(f"{rejected} is a folder; --rejected needs a file name")
    if not rejected.parent.is_dir():
        raise FileNotFoundError(f"folder {rejected.parent} (for the rejected rows) does not exist")


def cell_text(value: Any) -> str:
    if schema.is_missing(value):
        return ""
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.date().isoformat() if value == pd.Timestamp(value).normalize() else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def write_rejected(raw: RawTable, rejections: list[Rejection], path: Path) -> Path:
    """Write rejected rows, in the file's own columns plus ``reason``, as a spreadsheet-safe CSV.

    Returns
    -------
    Path
        ``path``.
    """
    names = [h if h.strip() else f"column_{i + 1}" for i, h in enumerate(raw.header)]
    width = len(names)
    rows = []
    for r in sorted(rejections, key=lambda r: r.row):
        # Raw cells may carry a guard quote already; write what the import read, which is guarded once
        # again on the way out, so the fixed file imports to the same text.
        cells = [cell_text(restore_formula(v) if isinstance(v, str) else v) for v in r.cells[:width]] \
            + [""] * max(0, width - len(r.cells))
        rows.append([*cells, r.reason])
    frame = pd.DataFrame(rows, columns=[*names, "reason"], dtype=object)
    write_output_bytes(path, frame_to_csv_bytes(frame))
    return path


def reject_or_raise(checker: Checker, raw: RawTable, bad_rows: set[int], n_valid_rows: int,
                     skip_invalid: bool, rejected_path: Path | None, note: str = "",
                     asking: Asking = COMMAND_LINE) -> None:
    """Raise :class:`FileRejected` unless the problems may be skipped; its hint starts with how the file was
    read (which sheet, which separator) and ``note``, and offers skipping invalid rows as
    :attr:`Asking.skip_invalid` says."""
    problems = checker.all_problems()
    note = "".join(f"Note: {n}.\n" for n in [*raw.notes, *checker.refusal_notes, note] if n)
    if checker.file_problems:
        hint = note + "Fix the file and import it again (rows cannot be skipped when the file itself is wrong)."
        raise FileRejected(problems, f"{raw.source}: {len(problems)} problem(s); nothing was written", hint)
    if bad_rows and not skip_invalid:
        target = rejected_path or default_rejected_path(raw.path)
        hint = note + "Fix these rows and import the file again."
        if n_valid_rows:
            skip = asking.skip_invalid.format(valid=n_valid_rows, rejected=len(raw.rows) - n_valid_rows,
                                                target=target)
            hint = note + f"Fix these rows and import again, or {skip}."
        raise FileRejected(problems, f"{raw.source}: {len(problems)} problem(s) in {len(bad_rows)} of "
                                     f"{len(raw.rows)} rows; nothing was written", hint)


def some(ids: list[str], shown: int = 10) -> str:
    """Ids for a note: the first ``shown`` and how many more."""
    return ", ".join(ids[:shown]) + (f" and {len(ids) - shown} more" if len(ids) > shown else "")
