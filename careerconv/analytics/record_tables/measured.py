"""The targets measured against their employees' ratings (:func:`measured_targets`, a run of employees at a
time), the numbering of a part's targets and ratings it reuses (:class:`TargetCodes`), and the targets of several
reports measured once (:class:`Measurement`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from careerconv.records.schema import CONVERSATION_ID, DATE, EMPLOYEE_ID, HORIZON_MONTHS, RECORD_ID, SELF_RATING, SKILL
from careerconv.rules import progress
from .codes import DepartmentOf, departments, in_draft, isin, positions
from .context import Context


@dataclass(frozen=True)
class Measurement:
    """The targets of several reports measured once (:func:`careerconv.analytics.record_tables._shared_measurement`).

    Attributes
    ----------
    table
        :func:`measured_targets` of all their targets, less ``conversation_id`` and ``skill`` (text, slow to
        filter), with ``_conversation``: the position of the target's conversation among ``conversations``, and
        ``_plan_kind``: the position of the kind of the target's plan in
        :data:`~careerconv.rules.option_kinds.KINDS` (-1: no plan; see
        :func:`~careerconv.analytics.record_tables.targets.plan_kinds`; a target's plan is in its own conversation,
        so it is the same in every period).
    conversations
        The distinct conversation ids of the targets, as text (as the ids of a period are).
    """

    table: pd.DataFrame
    conversations: pd.Series

    def of(self, period_ids: Iterable[str]) -> pd.DataFrame:
        """The rows of the targets of the conversations ``period_ids`` (each distinct conversation looked up
        once: :func:`~careerconv.analytics.record_tables.codes.isin`)."""
        in_period = isin(self.conversations, period_ids)
        # A target without a conversation (code -1) is in no period.
        in_period = np.append(in_period, False)[self.table["_conversation"].to_numpy()]
        return self.table[in_period].reset_index(drop=True)


# Targets measured at once by progress_at_horizons (its working memory is some 400 bytes a target).
_PROGRESS_ROWS = 250_000
# The columns of progress_at_horizons that the pieces read.
_PROGRESS_READ = [EMPLOYEE_ID, CONVERSATION_ID, SKILL, "t0", "baseline", HORIZON_MONTHS, "target",
                  "horizon_reached", "window_open", "measured_date", "measured_rating"]


@dataclass(frozen=True)
class TargetCodes:
    """The employees of some targets as whole numbers in the order of their ids
    (:func:`careerconv.rules.progress.text_codes`; -1: none), and the employees of some ratings among them.

    Attributes
    ----------
    employee
        Per target, the number of its employee.
    employees
        The distinct employee ids, in that order, as text of the column's type (of its categories' type, for ids
        read as categories).
    departments
        The department of each of ``employees`` (:func:`departments`).
    no_id
        Per target, whether its employee is one the rule refuses (:func:`progress.blank_codes`).
    rated
        Per rating, the number of its employee (-1: an employee without targets, or none).
    """

    employee: np.ndarray
    employees: pd.Series
    departments: Any
    no_id: np.ndarray
    rated: np.ndarray

    @classmethod
    def of(cls, targets: pd.DataFrame, ratings: pd.DataFrame, department_of: pd.Series | DepartmentOf) -> "TargetCodes":
        ids = targets[EMPLOYEE_ID]
        employee, employees = progress.text_codes(ids)
        text = ids.dtype.categories.dtype if isinstance(ids.dtype, pd.CategoricalDtype) else ids.dtype
        no_id = progress.blank_codes(employee, employees)
        employees = pd.Series(employees, dtype=text)
        # Held while the part is worked out: as 32-bit numbers (a part has far fewer than 2**31 targets).
        return cls(employee.astype(np.int32), employees, departments(employees, department_of).array, no_id,
                   positions(ratings[EMPLOYEE_ID], employees).astype(np.int32))


def measured_targets(targets: pd.DataFrame, chosen: np.ndarray, ratings: pd.DataFrame, drafts: pd.Series,
                      ctx: Context, department_of: pd.Series | DepartmentOf,
                      codes: TargetCodes | None = None) -> pd.DataFrame:
    """:func:`careerconv.rules.progress.progress_at_horizons` of the targets ``chosen`` (a mask) due by the report's
    as-of day against the ratings of their employees (those given in the ``drafts`` left out), with ``department``
    and ``skill_id``. A target not yet due (:func:`careerconv.rules.progress.not_yet_due`) counts in no figure of the
    report (growth, attainment and option kinds read the targets due alone), so it is not measured.

    Worked out a run of employees at a time (about :data:`_PROGRESS_ROWS` targets): a target is measured
    against its own employee's ratings and the table is sorted by employee first, so the runs put
    together are the table of all at once, in a fraction of its working memory. Only the columns the
    pieces read are kept, and the employees are whole numbers in the order of their ids (cheaper to group
    and count; the pieces count distinct employees within this part only). The rule is given those numbers
    for the ids (it only compares and sorts them) unless a run has a target without an id, which it refuses.
    ``codes``: :class:`TargetCodes` of ``targets`` and ``ratings`` (None: worked out here).
    """
    if not chosen.any():
        empty = pd.DataFrame({c: [] for c in progress.PROGRESS_COLUMNS}).loc[:, _PROGRESS_READ]
        return empty.assign(department=pd.Series([], dtype=object), skill_id=pd.Series([], dtype="Int64"))
    # Only targets due by the as-of day count in a figure (growth, attainment and option kinds read those alone:
    # targets._due), so the others are not measured; a target the rule refuses is measured, to be refused. With
    # none due, all are measured and none kept: the table of none, typed as one of some.
    due = ~progress.not_yet_due(targets.loc[chosen, [DATE, HORIZON_MONTHS]], ctx.scope.as_of_day)
    if due.any():
        chosen = chosen.copy()
        chosen[chosen] = due
    if codes is None:
        codes = TargetCodes.of(targets, ratings, department_of)
    # The employees of the chosen targets, numbered among themselves (-1: none).
    counts = np.bincount(codes.employee[chosen & (codes.employee >= 0)], minlength=len(codes.employees))
    present = counts > 0
    number = np.where(present, np.cumsum(present) - 1, -1)
    employee = _take_or(number, codes.employee, -1)
    rated = _take_or(number, codes.rated, -1)
    departments_of, counts = codes.departments.take(np.flatnonzero(present)), counts[present]
    no_id = codes.no_id
    run_of = (np.cumsum(counts) - counts) // _PROGRESS_ROWS  # per employee, in the order of their ids
    target_run = _take_or(run_of, employee, 0)  # no id: the first
    usable = rated >= 0
    if len(drafts):
        usable &= ~in_draft(ratings, drafts)
    rating_run = np.where(usable, _take_or(run_of, rated, -1), -1)
    needed = [c for c in (DATE, SKILL, "source", RECORD_ID, SELF_RATING, "saved_at") if c in ratings.columns]
    runs = []
    for run in range(int(run_of.max()) + 1 if len(run_of) else 1):
        mine = chosen & (target_run == run)
        if not mine.any():  # one employee with more targets than a run skips a run's number
            continue
        rows = rating_run == run
        if no_id[mine].any():  # refused, as the rule says why
            progress.progress_at_horizons(targets.loc[mine], ratings.loc[rows], ctx.scope.as_of_day,
                                          columns=_PROGRESS_READ)
            raise AssertionError("progress.blank_codes found a target without an employee id that "
                                 "progress_at_horizons accepted: the two rules disagree")
        run_targets = targets.loc[mine, [CONVERSATION_ID, DATE, SKILL, "baseline", HORIZON_MONTHS, "target"]]
        measured = progress.progress_at_horizons(run_targets.assign(**{EMPLOYEE_ID: employee[mine]}),
                                                 ratings.loc[rows, needed].assign(**{EMPLOYEE_ID: rated[rows]}),
                                                 ctx.scope.as_of_day, columns=_PROGRESS_READ)
        code = measured[EMPLOYEE_ID].to_numpy()
        measured = measured.assign(department=pd.Series(departments_of.take(code), index=measured.index),
                                   skill_id=ctx.skill_ids(measured[SKILL]))
        runs.append(measured)
    table = runs[0] if len(runs) == 1 else pd.concat(runs, ignore_index=True)
    return table if due.any() else table.iloc[:0]


def _take_or(values: np.ndarray, codes: np.ndarray, missing: Any) -> np.ndarray:
    """``values[codes]``, ``missing`` where a code is -1."""
    return np.where(codes >= 0, values[np.maximum(codes, 0)] if len(values) else missing, missing)
