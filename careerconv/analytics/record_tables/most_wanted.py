"""The most-wanted skills: the skills people named in any conversation (:func:`named_skills`), and per listed
skill and over any skill who named it, with who was met at all, the base of the shares
(:func:`most_wanted_piece`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from careerconv.records import schema
from careerconv.records.schema import CONVERSATION_ID, DATE, EMPLOYEE_ID, SKILL
from ..constants import DEPARTMENT, N
from ..levels import Piece, distinct_pairs, first_of_codes, groups_in_order, level_piece, no_contributions
from ..quarters import month_starts, quarter_months
from ..scope import ReportScope
from .codes import DepartmentOf, departments, positions
from .context import Context
from .measures import ALL_SKILLS, WANTED


def named_skills(skills: pd.DataFrame, ctx: Context, department_of: pd.Series | DepartmentOf) -> pd.DataFrame:
    """The skills people named in any conversation, as the most-wanted skills read them: ``conversation_id,
    employee_id, department, skill_id, date, conversation_code``.

    Left out are skills of someone without a department and unknown skills. The employees are whole numbers
    from 0 (every row has one; they are only counted, and numbers are faster to compare than text ids), the
    departments a categorical of their names in order, ``conversation_code`` each conversation's number (in
    the order they first occur; -1: a missing id). The same for every period: :func:`most_wanted_piece` keeps
    the conversations of its own.
    """
    employee, employees = pd.factorize(skills[EMPLOYEE_ID])
    # Each employee's department looked up once, then the rows read as whole numbers.
    code_of_employee, names = pd.factorize(departments(pd.Series(employees), department_of).array, sort=True)
    department = np.append(code_of_employee, -1)[employee]
    skill_id = ctx.skill_ids(skills[SKILL])
    at = np.flatnonzero((department >= 0) & skill_id.notna().to_numpy())
    conversation = skills[CONVERSATION_ID].take(at)
    return pd.DataFrame({
        CONVERSATION_ID: conversation.reset_index(drop=True), EMPLOYEE_ID: pd.factorize(employee[at])[0],
        DEPARTMENT: pd.Categorical.from_codes(department[at], categories=names), "skill_id": skill_id.take(at).array,
        DATE: pd.to_datetime(skills[DATE].take(at)).dt.normalize().reset_index(drop=True),
        "conversation_code": pd.factorize(conversation)[0]})


def most_wanted_piece(skills: pd.DataFrame, in_period: pd.DataFrame, ctx: Context,
                      department_of: pd.Series | DepartmentOf,
                      named: pd.DataFrame | None = None) -> tuple[Piece, Piece]:
    """Who named each listed skill and any skill (skill id :data:`ALL_SKILLS`), and who was met at all
    (the base of the shares); with ``ctx.sizes_only``, not how many skills each person chose, nor when.

    ``named`` is :func:`named_skills` of the same arguments, if already worked out (the reports of one part
    share it).

    The figures are those :func:`careerconv.analytics.levels.level_piece` and
    :func:`careerconv.analytics.levels.contributions` give for the rows ``employee_id, department, skill_id``
    (each listed skill a person named, and "any skill", once per person; with their ``date`` for the
    contributions), worked out on whole numbers (an employee is in one department), the text put back on the
    rows of the figures.
    """
    if named is None:
        named = named_skills(skills, ctx, department_of)
    at = np.flatnonzero(_in_conversations(named, in_period[CONVERSATION_ID]))
    people_met = _people_met(in_period, ctx.scope, department_of)
    wanted = _Wanted.of(named, at, ctx)
    if not wanted.counted.any():  # nobody in the selected departments: the empty figures of level_piece
        empty = pd.DataFrame({EMPLOYEE_ID: [], DEPARTMENT: pd.Series([], dtype=schema.TEXT_DTYPE), "skill_id": []})
        if ctx.sizes_only:
            return level_piece(empty, ["skill_id"], {}, ctx.scope), people_met
        contrib = wanted.contributions() if len(at) else no_contributions(["skill_id"])
        return level_piece(empty.assign(skills_chosen=[]), ["skill_id"], WANTED, ctx.scope, contrib), people_met
    if ctx.sizes_only:
        return Piece(["skill_id"], wanted.sums(with_chosen=False)), people_met
    return Piece(["skill_id"], wanted.sums(with_chosen=True), pd.DataFrame(), wanted.contributions()), people_met


def _in_conversations(named: pd.DataFrame, conversation_ids: pd.Series) -> np.ndarray:
    """Whether each row of ``named`` is of one of the conversations ``conversation_ids``: each distinct
    conversation of ``named`` looked up once (by its ``conversation_code``, if :func:`named_skills` gave one)."""
    column = named[CONVERSATION_ID]
    codes = named["conversation_code"].to_numpy() if "conversation_code" in named else pd.factorize(column)[0]
    found = np.zeros(int(codes.max(initial=-1)) + 2, dtype=bool)  # by code, and False for -1 (missing)
    position = positions(conversation_ids, column.iloc[first_of_codes(codes)])
    found[position[position >= 0]] = True
    return found[codes]


def _people_met(in_period: pd.DataFrame, scope: ReportScope, department_of: pd.Series | DepartmentOf) -> Piece:
    """The distinct employees met in the period per selected department (the base of the most-wanted shares),
    as :func:`careerconv.analytics.levels.level_piece` counts them."""
    department = departments(in_period[EMPLOYEE_ID], department_of)
    person = pd.factorize(in_period[EMPLOYEE_ID])[0]
    code, names = pd.factorize(department)
    at = np.flatnonzero(np.append(np.asarray(pd.Index(names).isin(scope.selected), dtype=bool), False)[code])
    if not len(at):
        return level_piece(pd.DataFrame({EMPLOYEE_ID: [], DEPARTMENT: department.iloc[:0]}), [], {}, scope)
    cell, cells = pd.factorize(code[at])
    pairs, who = distinct_pairs(cell, len(cells), person[at] + 1)
    n = np.bincount(pairs[who > 0], minlength=len(cells)).astype(np.int64)
    return Piece([], pd.DataFrame({DEPARTMENT: department.array.take(at[first_of_codes(cell)]), N: n}))


@dataclass(frozen=True)
class _Wanted:
    """The rows of the most-wanted skills (see :func:`most_wanted_piece`) as whole numbers: per row of ``named``
    in the period (``rows``) its person (from 0; -1: nobody, a missing id), department (by name: ``names``; -1:
    none) and skill id; the events are the rows of the listed skills, then every row as "any skill"
    (``event_rows``, ``event_skill``), ``counted`` those of the selected departments."""

    named: pd.DataFrame
    rows: np.ndarray
    person: np.ndarray
    department: np.ndarray
    names: Any
    skill: np.ndarray
    event_rows: np.ndarray
    event_skill: np.ndarray
    counted: np.ndarray

    @classmethod
    def of(cls, named: pd.DataFrame, rows: np.ndarray, ctx: Context) -> "_Wanted":
        person = _person_codes(named[EMPLOYEE_ID].take(rows))
        column = named[DEPARTMENT]
        if isinstance(column.dtype, pd.CategoricalDtype):
            department, names = column.cat.codes.to_numpy()[rows], column.cat.categories.array
        else:
            department, names = pd.factorize(column.array.take(rows), sort=True)
        skill = named["skill_id"].to_numpy(dtype=np.int64, na_value=ALL_SKILLS)[rows]
        listed = np.flatnonzero(np.isin(skill, np.fromiter(ctx.public, dtype=np.int64, count=len(ctx.public))))
        event_rows = np.concatenate([listed, np.arange(len(rows))])
        event_skill = np.concatenate([skill[listed], np.full(len(rows), ALL_SKILLS, dtype=np.int64)])
        selected = np.append(np.asarray(pd.Index(names).isin(ctx.scope.selected), dtype=bool), False)
        return cls(named, rows, person, department, names, skill, event_rows, event_skill,
                   selected[department[event_rows]])

    def sums(self, with_chosen: bool) -> pd.DataFrame:
        """:attr:`Piece.sums` of the events of the selected departments, as level_piece makes them: per skill and
        department, in the order they first occur, the distinct people (and with ``with_chosen`` the sum and count
        of how many skills each person chose, on the "any skill" rows)."""
        events = np.flatnonzero(self.counted)
        rows, skill = self.event_rows[events], self.event_skill[events]
        lowest = int(skill.min())
        cell, cells, first = groups_in_order((skill - lowest) * len(self.names) + self.department[rows])
        pairs, person = distinct_pairs(cell, len(cells), self.person[rows] + 1)
        known = person > 0
        n = np.bincount(pairs[known], minlength=len(cells)).astype(np.int64)
        sums = pd.DataFrame({"skill_id": skill[first], DEPARTMENT: self.names.take(self.department[rows[first]]),
                             N: n})
        if not with_chosen:
            return sums
        every = skill[first] == ALL_SKILLS
        added = np.bincount(pairs[known], weights=self.chosen()[person[known] - 1], minlength=len(cells))
        return sums.assign(**{"skills_per_person|sum": np.where(every, added, 0.0),
                              "skills_per_person|count": np.where(every, n, 0)})

    def chosen(self) -> np.ndarray:
        """How many different skills each person (by ``person``) named in the period."""
        people = int(self.person.max()) + 2
        person, _ = distinct_pairs(self.person + 1, people, self.skill - int(self.skill.min()))
        return np.bincount(person, minlength=people)[1:].astype(float)

    def contributions(self) -> pd.DataFrame:
        """:func:`careerconv.analytics.levels.contributions` of every event on its day: distinct employees per
        skill, department and quarter, ordered by them (an undated event in a quarter of its own, last)."""
        quarter = quarter_months(self.named[DATE].take(self.rows))[self.event_rows]
        nat = quarter == np.iinfo(np.int64).min
        lowest_quarter = int(quarter[~nat].min()) if (~nat).any() else 0
        quarter_code = np.where(nat, 0, (quarter - lowest_quarter) // 3)
        quarter_code[nat] = int(quarter_code.max()) + 1
        quarters = int(quarter_code.max()) + 1
        lowest = int(self.event_skill.min())
        group = (self.event_skill - lowest) * quarters + quarter_code
        pairs, person = distinct_pairs(group, int(group.max()) + 1, self.person[self.event_rows] + 1)
        width = len(self.names) + 1  # the departments by name, none last
        department_of = np.zeros(int(self.person.max()) + 2, dtype=np.int64)
        department_of[self.person + 1] = np.where(self.department < 0, len(self.names), self.department)
        cell = (pairs // quarters * width + department_of[person]) * quarters + pairs % quarters
        counted = np.bincount(cell, minlength=int(cell.max()) + 1)  # few cells: skills, departments, quarters
        cells = np.flatnonzero(counted)
        n = np.bincount(cell, weights=person > 0, minlength=len(counted))[cells].astype(np.int64)
        department = cells // quarters % width
        months = np.where(cells % quarters == quarters - 1 if nat.any() else False, np.iinfo(np.int64).min,
                          cells % quarters * 3 + lowest_quarter)
        return pd.DataFrame({"skill_id": cells // quarters // width + lowest,
                             DEPARTMENT: self.names.take(np.where(department == len(self.names), -1, department),
                                                         allow_fill=True),
                             "quarter": month_starts(months), "n": n})


def _person_codes(ids: pd.Series) -> np.ndarray:
    """Whole numbers from 0 that are equal where the ids are (-1: a missing text id, nobody): whole-number ids
    from 0 as they are, if not far more than the rows (as :func:`named_skills` numbers them)."""
    values = ids.to_numpy() if ids.dtype.kind == "i" else None
    if values is not None and (not len(values) or (values.min() >= 0 and values.max() < 4 * len(values) + 1024)):
        return values.astype(np.int64, copy=False)
    return pd.factorize(ids)[0]
