"""The rating trends: the self ratings they read (:func:`rated_rows`) and the pieces of the ratings by quarter,
half-year and year (:func:`rating_periods_piece`), worked out on whole numbers (:class:`_Trends`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import pandas as pd

from careerconv.records import schema
from careerconv.records.schema import DATE, EMPLOYEE_ID, RECORD_ID, SELF_RATING, SKILL
from careerconv.rules import followup
from ..constants import DEPARTMENT, N
from ..levels import Piece, combined_codes, groups_in_order, level_piece, no_contributions, sort_codes
from ..quarters import first_months, month_numbers, month_starts, quarter_months
from .codes import DepartmentOf, departments, in_draft, stable_order
from .context import Context
from .measures import ALL_SKILLS, GRAINS, PERIODS


def rated_rows(ratings: pd.DataFrame, drafts: pd.Series, ctx: Context,
               department_of: pd.Series | DepartmentOf) -> pd.DataFrame:
    """The self ratings the rating trends read, of every day, in the order they count them (by day, then the
    rating recorded last that day, then the higher rating; a stable sort): ``department, skill_id, rating, date,
    employee_id, department_code`` and per grain of :data:`GRAINS` ``later_<grain>``.

    Left out are ratings given in a draft, and those of someone without a department or of an unknown skill.
    The last rating of a day is that of :func:`careerconv.rules.followup.last_recorded`. ``employee_id`` are
    whole numbers in the order of the ids (faster to compare; they count distinct employees within this part
    only), ``department_code`` whole numbers in the order of the departments' names, and ``department`` the
    names as a categorical on those codes. ``later_<grain>`` is the position among these rows of the employee's
    next rating of the skill in the same calendar bucket of the grain (the number of rows where there is none).
    The same for every period: :func:`rating_periods_piece` keeps the days of its own.
    """
    keep = ratings[SELF_RATING].notna().to_numpy().copy()
    if len(drafts):
        keep &= ~in_draft(ratings, drafts)
    # Departments and skills are looked up on whole columns (nearly every rating is kept), then every column is
    # read as whole numbers at the rows kept: no text is taken row by row.
    # Each employee's place in the order of the ids and department are looked up once per employee.
    employee, employees = pd.factorize(ratings[EMPLOYEE_ID])
    code_of_employee, names = pd.factorize(departments(pd.Series(employees), department_of).array, sort=True)
    department_code = np.append(code_of_employee, -1)[employee]
    skill_id = ctx.skill_ids(ratings[SKILL])
    at = np.flatnonzero(keep & (department_code >= 0) & skill_id.notna().to_numpy())
    department_code = department_code[at]
    employee = np.append(sort_codes(pd.Series(employees)), -1)[employee[at]]
    skill = skill_id.to_numpy(dtype=np.int64, na_value=0)[at]
    rating = ratings[SELF_RATING].to_numpy(dtype=float, na_value=np.nan)[at]
    date = pd.to_datetime(ratings[DATE]).dt.normalize().to_numpy()[at]
    day = date.astype("datetime64[D]").view(np.int64)  # days (and NaT, first) in their order, from 0
    day = np.where(day == np.iinfo(np.int64).min, 0, day - day[day != np.iinfo(np.int64).min].min(initial=0) + 1)
    # The last rating of a day, among the ratings of one person's skill that day (only rows sharing it are read).
    group = combined_codes([employee, skill - skill.min(initial=0), day])
    last = np.ones(len(at), dtype=bool)
    tied = np.flatnonzero(pd.Series(group, copy=False).duplicated(keep=False).to_numpy())
    if len(tied):
        recorded = ratings.iloc[at[tied]].loc[:, ["source", RECORD_ID, "saved_at"]].assign(group=group[tied])
        last[tied] = followup.last_recorded(recorded, ["group"])
    # Ordered by day, then the rating recorded last, then the higher rating (no rating is missing here): the rows
    # of a period are one run of them. One whole number per row, sorted stably.
    rating_rank, ratings_seen = pd.factorize(rating, sort=True)
    order = stable_order((day * 2 + last) * max(len(ratings_seen), 1) + rating_rank)
    employee, skill, department_code = employee[order], skill[order], department_code[order]
    rows = pd.DataFrame({DEPARTMENT: pd.Categorical.from_codes(department_code, categories=names),
                         "skill_id": skill, "rating": rating[order], DATE: date[order], EMPLOYEE_ID: employee,
                         "department_code": department_code})
    months = month_numbers(rows[DATE].to_numpy())
    # Each employee's ratings of a skill, in the order of the rows: the next one of a bucket is the next of these.
    lowest = skill.min(initial=0)
    person = employee * (int(skill.max(initial=0)) - lowest + 1) + (skill - lowest)  # one number per pair
    by_person = stable_order(person)
    person = person[by_person]
    same = person[1:] == person[:-1]
    months = months[by_person]
    for grain, per in GRAINS:
        bucket = first_months(months, per)
        next_same = np.flatnonzero(same & (bucket[1:] == bucket[:-1]))
        later = np.full(len(rows), len(rows), dtype=np.int64)
        later[by_person[next_same]] = by_person[next_same + 1]
        rows[f"later_{grain}"] = later
    return rows


def rating_periods_piece(ratings: pd.DataFrame, drafts: pd.Series, ctx: Context,
                         department_of: pd.Series | DepartmentOf,
                         rated: pd.DataFrame | None = None) -> Piece:
    """Self ratings by quarter, half-year and year, per listed skill and over all skills (coarser trends).

    Per employee, skill and bucket the latest self rating counts, ordered as the rating engines order them
    (day, then the rating recorded last that day by :func:`careerconv.rules.followup.recorded_order`, then the
    higher rating). Over all skills
    an employee counts once per bucket, with the mean of their latest ratings of each skill. Quarters by
    skill are left to the rating step (``skill_trends``); here quarters are over all skills only.

    ``rated`` is :func:`rated_rows` of the same arguments, if already worked out (the reports of one part share it).

    The figures are those :func:`careerconv.analytics.levels.level_piece` and
    :func:`careerconv.analytics.levels.contributions` give for the rows ``employee_id, department, grain, bucket,
    skill_id, rating`` (and ``date``): per grain, each employee's buckets over all skills (by employee, then
    bucket), then the latest ratings of the listed skills (in the order of the ratings). They are worked out here
    on whole numbers, the text put back on the few rows of the figures: in those rows an employee is in one
    department and has one row per grain, bucket and skill, so the distinct employees of a group are its rows.
    """
    scope = ctx.scope
    if rated is None:
        rated = rated_rows(ratings, drafts, ctx, department_of)
    days = rated[DATE].to_numpy()
    edges = [pd.Timestamp(edge).to_datetime64().astype(days.dtype).astype(np.int64)
             for edge in (scope.start, scope.end)]
    first, stop = np.searchsorted(days.view(np.int64), edges)  # the rows are ordered by day: the period is a run
    period = rated.iloc[first:stop]
    codes = rated["department_code"].to_numpy(dtype=np.int64)
    row_of_code = np.zeros(int(codes.max()) + 1 if len(codes) else 0, dtype=np.int64)
    row_of_code[codes] = np.arange(len(codes))  # a row of each department code (any: they all name it alike)
    names = rated[DEPARTMENT].array.take(row_of_code)  # by code
    employee = period[EMPLOYEE_ID].to_numpy(dtype=np.int64)
    department = codes[first:stop]
    skill = period["skill_id"].to_numpy(dtype=np.int64)
    rating = period["rating"].to_numpy(dtype=float)
    day = period[DATE].to_numpy()
    months = month_numbers(day)  # months since 1970
    public = np.isin(skill, np.fromiter(ctx.public, dtype=np.int64, count=len(ctx.public)))
    department_of_employee = np.zeros(int(employee.max()) + 1 if len(employee) else 0, dtype=np.int64)
    department_of_employee[employee] = department
    columns: list[list[np.ndarray]] = []  # per run of rows: employee, grain, month of the bucket, skill, rating, day
    # The rows by employee and month, sorted once: by employee and bucket too, in every grain.
    by_month = stable_order(employee * (int(months.max(initial=0)) + 1 - int(months.min(initial=0)))
                             + months - int(months.min(initial=0)))
    # Read in that order once (a compressed run of them per grain is cheaper than gathering rows again).
    employee_by_month, months_by_month, rating_by_month, day_by_month = (
        column[by_month] for column in (employee, months, rating, day))
    for grain_code, (grain, per) in enumerate(GRAINS):
        bucket = first_months(months, per)  # cut to the period below
        # The latest rating of each employee, skill and bucket: no later one of theirs in the period.
        latest_rows = rated[f"later_{grain}"].to_numpy()[first:stop] >= stop
        found = np.flatnonzero(latest_rows)
        # Per employee and bucket over all skills: the mean of those ratings and the latest day, by employee and
        # bucket (as pandas groups them).
        lowest = int(bucket.min()) if len(bucket) else 0
        width = int(bucket.max()) + 1 - lowest if len(bucket) else 1
        ordered = latest_rows[by_month]
        key, mean, latest = _bucket_means(
            employee_by_month[ordered] * width + first_months(months_by_month[ordered], per) - lowest,
            rating_by_month[ordered], day_by_month[ordered])
        columns.append([key // width, np.full(len(key), grain_code), key % width + lowest,
                        np.full(len(key), ALL_SKILLS), mean, latest])
        if grain != "quarter":
            listed = found[public[found]]
            columns.append([employee[listed], np.full(len(listed), grain_code), bucket[listed], skill[listed],
                            rating[listed], day[listed]])
    employee, grain, bucket, skill, rating, day = (np.concatenate(column) for column in zip(*columns))
    by = ["grain", "bucket", "skill_id"]
    if not len(employee):
        return level_piece(_no_trends(), by, PERIODS, scope, no_contributions(by))
    trends = _Trends(grain, bucket, skill, department_of_employee[employee], scope.start, names)
    inside = np.asarray(pd.Index(names).isin(scope.selected), dtype=bool)[trends.department]
    if not inside.any():  # nobody in the selected departments: the empty figures of level_piece
        piece = level_piece(_no_trends(), by, {} if ctx.sizes_only else PERIODS, scope)
    else:  # level_piece counts the rows of the selected departments only
        counted = trends if inside.all() else trends.subset(inside)
        piece = Piece(by, counted.sizes()) if ctx.sizes_only else \
            Piece(by, *counted.sums(rating if inside.all() else rating[inside]))
    if not ctx.sizes_only:
        piece.contrib = trends.contributions(day)
    return piece


def _bucket_means(key: np.ndarray, rating: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per distinct ``key`` (whole numbers from 0, in their order): the key, the mean of its ratings (none missing)
    and its latest day, as pandas groups them."""
    starts = np.flatnonzero(np.diff(key, prepend=-1))
    if not len(starts):
        return key, rating[:0], day[:0]
    mean = np.add.reduceat(rating, starts) / np.diff(np.append(starts, len(key)))
    latest = np.maximum.reduceat(day.view(np.int64), starts).view(day.dtype)
    return key[starts], mean, latest


def _no_trends() -> pd.DataFrame:
    """No rows of the rating trends (see :func:`rating_periods_piece`), with the types of their columns."""
    return pd.DataFrame({EMPLOYEE_ID: np.zeros(0, dtype=np.int64), DEPARTMENT: pd.Series([], dtype=schema.TEXT_DTYPE),
                         "grain": pd.Series([], dtype=schema.TEXT_DTYPE), "bucket": np.zeros(0, dtype="datetime64[us]"),
                         "skill_id": np.zeros(0, dtype=np.int64), "rating": np.zeros(0)})


@dataclass(frozen=True)
class _Trends:
    """The rows of the rating trends (see :func:`rating_periods_piece`) as whole numbers: the index of the grain in
    :data:`GRAINS`, the first month of the bucket (months since 1970; the bucket is cut to ``start``), the skill id
    and the department code (by name: ``names``)."""

    grain: np.ndarray
    bucket: np.ndarray
    skill: np.ndarray
    department: np.ndarray
    start: pd.Timestamp
    names: object

    def subset(self, rows: np.ndarray) -> "_Trends":
        return replace(self, grain=self.grain[rows], bucket=self.bucket[rows], skill=self.skill[rows],
                       department=self.department[rows])

    @cached_property
    def _columns(self) -> tuple[list[np.ndarray], list[int]]:
        """Grain, bucket, skill and department, each as whole numbers from 0 in the order of its values (the
        grains by name), and how many each may have."""
        grain_rank = np.argsort(np.argsort([name for name, _ in GRAINS]))
        parts = [grain_rank[self.grain], self.bucket - self.bucket.min(), self.skill - self.skill.min(),
                 self.department]
        return parts, [len(GRAINS), *(int(part.max()) + 1 for part in parts[1:])]

    def columns(self, *more: np.ndarray) -> tuple[list[np.ndarray], list[int]]:
        """:attr:`_columns`, and ``more`` (whole numbers from 0) after them."""
        parts, widths = self._columns
        return [*parts, *more], [*widths, *(int(part.max()) + 1 for part in more)]

    def keys(self, key: np.ndarray) -> pd.DataFrame:
        """``grain, bucket, skill_id, department`` of the numbers ``key`` of :meth:`number` (text for the grain and
        the department)."""
        key = np.asarray(key, dtype=np.int64)
        _, widths = self.columns()
        values = []
        for width in reversed(widths[:4]):
            values.append(key % width)
            key = key // width
        grain_rank, bucket, skill, department = reversed(values)
        grain_names = np.array(sorted(name for name, _ in GRAINS), dtype=object)
        months = (bucket + self.bucket.min()).astype("datetime64[M]").astype("datetime64[us]")
        start = pd.Timestamp(self.start).to_datetime64().astype("datetime64[us]")
        return pd.DataFrame({"grain": pd.array(grain_names[grain_rank], dtype=schema.TEXT_DTYPE),
                             "bucket": np.maximum(months, start), "skill_id": skill + self.skill.min(),
                             DEPARTMENT: pd.array(self.names.take(department), dtype=schema.TEXT_DTYPE)})

    @cached_property
    def _number(self) -> tuple[np.ndarray, int]:
        """:meth:`number` without ``more`` (worked out once: the groups and the contributions both read it), and
        how many numbers it may have."""
        parts, widths = self._columns
        return _numbered(np.zeros(len(self.grain), dtype=np.int64), 1, parts, widths)

    def number(self, *more: np.ndarray) -> tuple[np.ndarray, list[int]]:
        """One whole number per row for grain, bucket, skill, department (and ``more``), in their order."""
        parts, widths = self.columns(*more)
        key, size = self._number
        if more:
            key, _ = _numbered(key.copy(), size, parts[len(parts) - len(more):], widths[len(parts) - len(more):])
        return key, widths

    @cached_property
    def _cells(self) -> tuple[np.ndarray, np.ndarray]:
        """The group of each row (from 0, in the order the groups first occur) and each group's number."""
        key, _ = self.number()
        return groups_in_order(key)[:2]

    def sizes(self) -> pd.DataFrame:
        """:attr:`Piece.sums` of the rows without statistics (``n_employees`` alone), as level_piece makes them."""
        cell, cells = self._cells
        return self.keys(cells).assign(**{N: np.bincount(cell, minlength=len(cells))})

    def sums(self, rating: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
        """:attr:`Piece.sums` and :attr:`Piece.values` of the rows, as level_piece makes them: the groups in the
        order they first occur, the sums added up by pandas in the order of the rows."""
        cell, cells = self._cells
        valued = ~np.isnan(rating)
        sums = self.sizes().assign(**{
            "mean|sum": np.bincount(cell[valued], weights=rating[valued], minlength=len(cells)),
            "mean|count": np.bincount(cell[valued], minlength=len(cells)).astype(np.int64)})
        value_code, distinct = pd.factorize(rating[valued])
        pair, pairs, _ = groups_in_order(cell[valued] * max(len(distinct), 1) + value_code)
        values = self.keys(cells[pairs // max(len(distinct), 1)]).assign(
            value=distinct[pairs % max(len(distinct), 1)], count=np.bincount(pair, minlength=len(pairs)))
        return sums, values.assign(stat="median")

    def contributions(self, day: np.ndarray) -> pd.DataFrame:
        """:func:`careerconv.analytics.levels.contributions` of the rows on their ``day``: distinct employees per
        group, department and quarter, ordered by them."""
        quarter = quarter_months(day)
        quarter_code = (quarter - quarter.min()) // 3
        key, widths = self.number(quarter_code)
        if int(key.max()) < 4 * len(key) + 1024:  # few possible cells: counted in a table of them all
            counted = np.bincount(key)
            cells = np.flatnonzero(counted)
            n = counted[cells]
        else:
            cell, cells = pd.factorize(key)
            order = np.argsort(cells)
            cells, n = cells[order], np.bincount(cell, minlength=len(cells))[order]
        quarters = (cells % widths[-1]) * 3 + quarter.min()
        return self.keys(cells // widths[-1]).assign(
            quarter=month_starts(quarters), n=n)


def _numbered(key: np.ndarray, size: int, parts: list[np.ndarray], widths: list[int]) -> tuple[np.ndarray, int]:
    """``key`` (whole numbers below ``size``) followed by ``parts`` (whole numbers below ``widths``): one whole number
    per row in their order (``key`` is overwritten), and how many there may be.

    Raises
    ------
    ValueError
        If there may be 2**62 or more.
    """
    for part, width in zip(parts, widths):
        size *= width
        if size >= 2 ** 62:  # not with calendar buckets and a catalogue of skills
            raise ValueError("too many groups of the rating trends to number")
        key *= width
        key += part
    return key, size
