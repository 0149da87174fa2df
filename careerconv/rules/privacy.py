"""Privacy rules for HR aggregates: no figure may expose one person.

Career conversations hold personal hopes and weaknesses, so every table and
chart of HR analytics goes through :func:`protect` before anyone sees it.
Figures are about groups of *distinct employees* (never rows: one person with
twenty ratings is one person). A figure that cannot be shown keeps its row,
with its count and every measure blanked, and reads "fewer than k" (the group
is too small) or "not shown" (the group is large enough, but showing it would
let someone single out fewer than k people from the totals or by comparing
reports: :func:`hidden_so_that` says so in words).

The rules, in the order :func:`protect` applies them
-----------------------------------------------------
1. **Minimum group size.** A group of fewer than ``k`` distinct employees is
   suppressed ("fewer than k"). ``k`` defaults to 5, can be raised, and is
   never below 3 (:func:`check_k` raises ``ValueError``).

2. **Differencing between reports** (the period, as-of and department filters
   of the notebook). Reports are cut from whole *atoms*: calendar quarters
   (periods and the as-of date are rounded to quarter boundaries by
   :mod:`careerconv.analytics`) and whole departments. For every figure the
   caller passes its *contributions*: how many distinct employees of each
   department add data to it in each quarter. A figure is shown only if

   a. *edge quarters*: within the report's departments, the first quarter of
      the period in which anyone contributes, and the last one, each hold at
      least ``k`` contributing employees. For figures "as of" a date (such as
      who is overdue), only the last quarter counts, and an employee's
      quarter is that of their latest change (a conversation, a check-in, a
      date falling due);
   b. *departments left out*: in a report filtered to some departments, every
      department left out would add either nobody or at least ``k`` employees
      to the same figure, in every quarter up to the end of the period, and
      in total for figures about everyone (head counts) and as-of figures.

   c. *neighbouring periods*: where the caller passes them, the counts of the
      same figure in other reports whose period shares one edge with this
      one's (``neighbours``: the same end and another start, or the same
      start and another end). A figure is shown only if each of those counts
      equals its own or differs from it by at least ``k``. Rule (a) bounds
      who *adds data* in an edge quarter, but a person can join or leave a
      group without adding data there (a target falls due, someone who rated
      in the edge quarter also rated earlier): subtracting the figure of a
      period one quarter longer would then isolate them. Rule (c) checks the
      subtraction itself. Of two such reports one must hide the figure;
      :meth:`careerconv.analytics.scope.ReportScope.neighbours` makes it the
      one that is not the default two-year period, so the page people read
      stays readable and any report run with another period start or end
      hides what would isolate fewer than ``k`` people
      (tests/test_hr_differencing.py runs that attack).

   Why this is enough: two reports differ in time only by a run of whole
   quarters at the start and/or the end of one of them, and in departments
   only by whole departments. By (a) each such run brings in nobody or at
   least ``k`` people; by (b) each department that one report has and the
   other has not brings in nobody or at least ``k`` people (checked quarter by
   quarter, because the other report may cover any run of quarters). So
   subtracting any two figures that are both shown mixes the data of at least
   ``k`` people or of nobody: it never isolates a few, though it may say
   something about one unnamed member of a group of ``k`` or more -- the
   guarantee k-anonymity gives. The unfiltered report is not weakened by (b)
   (it leaves no department out); filtered reports pay for their flexibility
   with more hidden figures, and any report pays for the edges of its period
   (HR analytics therefore defaults to the last two years rather than the thin
   start of the history). Known limits: the roster is taken as it is today, so
   two reports run before and after people join or leave can differ by those
   people; and rule (c) compares reports that share one edge of their period,
   so two default reports a quarter apart (both edges moved) are not compared
   with each other, only through the non-default reports between them.

   *Figures as of a day* (who is overdue on the period's last day) are the
   same in every report that ends on that day, whatever its start, so what
   hides them must be the same too: their protection reads only rule 1, rule
   2a's last quarter, rule 2b's totals and rule 3 among as-of figures, never a
   period figure or rule 2c (:func:`protect` refuses ``neighbours`` for them).
   Otherwise two reports with the same end and different starts would hide
   different as-of cells, and the union of what they show would give back a
   cell each hides. A table of the period about the same people may hide
   more for an as-of table's sake (``also_hide`` with :func:`as_of_hidden`),
   never the reverse.

3. **Complementary suppression.** A hidden group must not be recoverable as
   "parent total minus the shown siblings". For every *line* of a partition
   (the departments under the organisation row; the rating bands under a
   skill's total; ``partitions`` names the columns, a missing value marks the
   total), if any child is hidden then at least two are, and together they
   hold at least ``k`` employees; a hidden parent likewise needs hidden
   children (else they add up to it). Otherwise the shown child with the
   fewest employees is hidden as well (the next-smallest sibling), and when no
   child is left to hide, the parent is hidden. The rule is applied to every line,
   whether its parent is shown or hidden, and repeated until nothing changes,
   so it carries across levels (organisation → department → …) and across
   several partitions of one table. Rows the caller hides for another table's
   sake (``also_hide``: a total that another table about the same people
   hides) are hidden before this rule runs, so it hides enough rows with them.
   Two tables that split the same people two ways (cadence compliance by
   department, each coach's team) are protected with the rows of both splits
   (each team by department), so that one table's total minus the other's
   rows shown gives back nobody hidden
   (:func:`careerconv.analytics.record_tables.tables.as_of_tables`).

Measures (means, medians, rates, secondary counts) of a hidden row are blanked
along with its employee count. Labels that are themselves free text (skill
names typed in a conversation) are the caller's concern: analytics shows only
skill names used by at least ``k`` employees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from careerconv.records import defaults
from careerconv.records.schema import DEPARTMENT

__all__ = [
    "DEFAULT_K",
    "MIN_K",
    "COUNT",
    "PRIVACY",
    "HIDDEN",
    "HIDDEN_BY_PERIOD",
    "PERIOD",
    "AS_OF",
    "Window",
    "check_k",
    "fewer_than",
    "protect",
    "shown",
    "display_count",
    "hide_together",
    "as_of_hidden",
    "hidden_so_that",
    "why_hidden",
]

DEFAULT_K = defaults.DEFAULT_K
MIN_K = defaults.MIN_K
COUNT = "n_employees"
PRIVACY = "privacy"
HIDDEN = "not shown"
# A figure hidden by rule 2c alone: a report whose period shares one edge with this one's would differ from it by
# fewer than k employees. Said apart, so that a reader of a report of another period than the default knows why
# (and that the default period shows it).
HIDDEN_BY_PERIOD = "not shown (period)"
PERIOD = "period"
AS_OF = "as_of"
_SCOPES = (PERIOD, AS_OF)


def check_k(k: Any) -> int:
    """Validate a minimum group size.

    Parameters
    ----------
    k
        The minimum number of distinct employees a shown group must have.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        If ``k`` is not a whole number or is below :data:`MIN_K` (3).
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        if isinstance(k, float) and k.is_integer():
            k = int(k)
        else:
            raise ValueError(f"minimum group size must be a whole number of employees, got {k!r}")
    if k < MIN_K:
        raise ValueError(f"minimum group size {k} is too small: it must be at least {MIN_K} employees "
                         f"(the default is {DEFAULT_K})")
    return int(k)


def fewer_than(k: int) -> str:
    """The label of a group that is too small to show: ``"fewer than 5"``."""
    return f"fewer than {check_k(k)}"


@dataclass(frozen=True)
class Window:
    """What a report covers, for the differencing rules.

    Attributes
    ----------
    start, end
        First day of the first quarter and first day after the last quarter
        (``end`` is exclusive and is a quarter boundary).
    departments
        The departments the report is filtered to, or None for the whole
        organisation.
    """

    start: pd.Timestamp
    end: pd.Timestamp
    departments: tuple[str, ...] | None = None


def protect(
    cells: pd.DataFrame,
    *,
    k: int,
    keys: Sequence[str],
    measures: Sequence[str] = (),
    partitions: Sequence[str] = (DEPARTMENT,),
    contributions: pd.DataFrame | None = None,
    window: Window | None = None,
    scope: str = PERIOD,
    level: str = "department",
    count: str = COUNT,
    neighbours: pd.DataFrame | None = None,
    also_hide: Sequence[bool] | np.ndarray | None = None,
) -> pd.DataFrame:
    """Apply every privacy rule (see the module docstring) to one aggregate table.

    Parameters
    ----------
    cells
        One row per figure: the ``keys`` columns, the ``count`` column
        (distinct employees behind the row) and the ``measures``. A missing
        value in a ``partitions`` column marks a total row (e.g. department
        missing = the organisation, or all selected departments).
    k
        Minimum group size (>= 3).
    keys
        Columns that identify a row (they include the partition columns).
    measures
        Columns blanked when the row is hidden.
    partitions
        Key columns whose values split their total row's employees into
        disjoint groups; complementary suppression runs along them.
    contributions
        Distinct contributing employees per figure, department and quarter:
        the ``keys`` columns except ``level``, plus ``department``,
        ``quarter`` (quarter start) and ``n``. For ``"period"`` figures a row
        per quarter counts who added data in that quarter, and an optional row
        with no quarter (NaT) counts every member of the figure in the
        department, for figures that include people without data (head
        counts). For ``"as_of"`` figures each member is counted once, in the
        quarter of their latest change (NaT: none). Without contributions only
        rules 1 and 3 apply.
    window
        The report's quarters and department filter (needed with
        ``contributions``).
    scope
        ``"period"`` for figures about what happened in the period,
        ``"as_of"`` for figures about the state on the report's end date.
    level
        The key column holding the department (missing = all departments of
        the report).
    count
        The column of distinct employees.
    neighbours
        Rule 2c: the distinct employees of each figure, per department, in
        the reports of the same departments whose period shares one edge
        with this one's: the ``keys`` columns except ``level``, plus
        ``department``, ``edge`` (``"start"``: the period from ``quarter`` to
        this end; ``"end"``: from this start up to ``quarter``, exclusive),
        ``quarter`` and ``n``. A missing row means nobody (n = 0). Needs
        ``window``.
    also_hide
        Rows to hide besides those the rules hide, one boolean per row of
        ``cells`` in its order (for example a total that another table about
        the same people hides). Such a row reads "not shown" ("fewer than k"
        if its group is small), and rule 3 hides enough other rows with it
        that the shown ones do not add up to it.

    Returns
    -------
    pandas.DataFrame
        A new frame: the rows and columns of ``cells`` with ``count`` as
        nullable Int64 and a ``privacy`` column: ``""`` for a shown row,
        ``"fewer than k"``, ``"not shown"`` or, for a row that only rule 2c
        hides, ``"not shown (period)"`` (:data:`HIDDEN_BY_PERIOD`) for a
        hidden one, whose count and measures are blanked (NA).

    Raises
    ------
    ValueError
        For a bad ``k``, a missing column, a negative count, an unknown
        scope, ``contributions`` without ``window``, or an ``also_hide``
        whose length is not the number of rows.
    """
    k = check_k(k)
    keys, measures, partitions = list(keys), list(measures), list(partitions)
    missing = [c for c in [*keys, count, *measures] if c not in cells.columns]
    if missing:
        raise ValueError(f"aggregate is missing column(s): {', '.join(missing)}")
    unknown = [p for p in partitions if p not in keys]
    if unknown:
        raise ValueError(f"partition column(s) {', '.join(unknown)} must be among the keys")
    if scope not in _SCOPES:
        raise ValueError(f"scope must be one of {', '.join(_SCOPES)}, got {scope!r}")

    out = cells.copy().reset_index(drop=True)
    n = pd.to_numeric(out[count], errors="coerce").fillna(0).to_numpy(dtype=np.int64)
    if (n < 0).any():
        raise ValueError(f"column {count!r} holds a negative number of employees")
    small = n < k
    hidden = small.copy()
    if scope == AS_OF and neighbours is not None:
        raise ValueError("figures as of a day take no neighbours: they are the same in every report with that end "
                         "(rule 2c compares periods)")
    if (contributions is not None or neighbours is not None) and window is None:
        raise ValueError("contributions and neighbours need the report's window")
    if contributions is not None and len(out):
        hidden |= ~_differencing_safe(out, contributions, k=k, keys=keys, window=window, scope=scope, level=level)
    by_period = np.zeros(len(out), dtype=bool)
    if neighbours is not None and len(out):
        unsafe = ~_neighbours_safe(out, n, neighbours, k=k, keys=keys, window=window, level=level)
        by_period = unsafe & ~hidden
        hidden |= unsafe
    if also_hide is not None:
        extra = np.asarray(also_hide, dtype=bool)
        if extra.shape != (len(out),):
            raise ValueError(f"also_hide needs one value per row ({len(out)}), got {extra.size}")
        hidden |= extra
    hidden = _complementary(out, n, hidden, k=k, keys=keys, partitions=partitions)

    label = np.where(hidden, np.where(small, fewer_than(k), np.where(by_period, HIDDEN_BY_PERIOD, HIDDEN)), "")
    out[count] = pd.array(np.where(hidden, 0, n), dtype="Int64")
    out.loc[hidden, count] = pd.NA
    for column in measures:
        if column == count:
            continue
        values = out[column]
        if pd.api.types.is_bool_dtype(values):
            values = values.astype("boolean")
        elif pd.api.types.is_integer_dtype(values):
            values = values.astype("Int64")
        elif pd.api.types.is_float_dtype(values):
            values = values.astype("float64")
        else:
            values = values.astype(object)
        out[column] = values.mask(pd.Series(hidden, index=out.index))
    out[PRIVACY] = pd.Series(label, index=out.index, dtype=object)
    return out


def shown(frame: pd.DataFrame) -> pd.Series:
    """Boolean mask of the rows :func:`protect` left visible."""
    return frame[PRIVACY].eq("")


def hide_together(frames: Sequence[pd.DataFrame], keys: Sequence[str], measures: Sequence[Sequence[str]],
                  count: str = COUNT) -> list[pd.DataFrame]:
    """Protected tables about the same groups, each hiding every group any of them hides.

    Two tables that count the same people per group (everyone on the roster per department, say) must
    not disagree on what they show: one showing a department's 7 people while the other hides them as
    "not shown" tells the reader the rule is arbitrary, and the shown count undoes the other table's
    reason for hiding it. A group hidden in one table is hidden in all, with the label of the strictest
    reason ("fewer than k" before "not shown"). Complementary suppression still holds afterwards: the
    hidden groups are the union of groups that each table already hid in valid sets.

    Parameters
    ----------
    frames
        Tables returned by :func:`protect`, each with the ``keys`` columns.
    keys
        Columns identifying a group in every table.
    measures
        Per table, the columns to blank on a newly hidden row.
    count
        The column of distinct employees.

    Returns
    -------
    list of pandas.DataFrame
        New frames, in the order given.
    """
    if len(measures) != len(frames):
        raise ValueError("give one list of measures per table")

    def labels(frame: pd.DataFrame) -> dict[tuple, str]:
        return {key: label for key, label in zip(_row_keys(frame, list(keys)), frame[PRIVACY]) if label}

    hidden: dict[tuple, str] = {}
    for frame in frames:
        for key, label in labels(frame).items():
            if hidden.get(key, "").startswith("fewer than"):
                continue
            hidden[key] = label
    out = []
    for frame, columns in zip(frames, measures):
        frame = frame.copy()
        for i, key in enumerate(_row_keys(frame, list(keys))):
            if key in hidden and frame.at[frame.index[i], PRIVACY] != hidden[key]:
                index = frame.index[i]
                frame.at[index, PRIVACY] = hidden[key]
                frame.at[index, count] = pd.NA
                for column in columns:
                    frame.at[index, column] = pd.NA if frame[column].dtype.kind not in "fc" else np.nan
        out.append(frame)
    return out


def as_of_hidden(frame: pd.DataFrame, column: str) -> frozenset:
    """The values of ``column`` (None for a total row) on the rows a protected as-of table hides.

    A table of the period about the same groups passes them as its ``also_hide``, so that it hides at least what
    the as-of table hides (the as-of table's own choice never depends on the period: see rule 2 of the module).
    """
    hidden = frame.loc[~shown(frame), column]
    return frozenset(None if pd.isna(value) else value for value in hidden)


def hidden_so_that(k: int | None = None) -> str:
    """Why a group of at least k is hidden ("not shown"), in words true of every rule that hides one: the totals
    (rule 3), reports of other periods or as-of days (rules 2a, 2c), the departments a filter leaves out (rule 2b).
    Without ``k``, the short form a chart's note has room for."""
    if k is None:
        return "hidden so that comparing figures or reports cannot single out a few people"
    return (f"hidden so that no one can single out fewer than {k} people from the totals or by comparing reports "
            "of other periods or departments")


def why_hidden(labels: Sequence[str] | pd.Series, k: int) -> str:
    """Why the rows with these privacy labels are hidden, as the labels say: ``"fewer than 5 employees"``,
    :func:`hidden_so_that`, or both joined by "or"."""
    labels = pd.Series(list(labels), dtype=object).astype(str)
    small = labels.str.startswith("fewer than")
    if len(labels) and small.all():
        return f"fewer than {k} employees"
    return (f"fewer than {k} employees, or " if small.any() else "") + hidden_so_that(k)


def display_count(frame: pd.DataFrame, count: str = COUNT) -> pd.Series:
    """The count column as people read it: the number, or the privacy label of a hidden row.

    Returns
    -------
    pandas.Series
        Object series of ints and strings (``"fewer than 5"``, ``"not shown"``).
    """
    values = frame[count].astype(object)
    return values.where(shown(frame), frame[PRIVACY]).map(lambda v: int(v) if isinstance(v, (int, np.integer)) else v)


# --------------------------------------------------------------------------- rule 2: differencing


def _differencing_safe(cells: pd.DataFrame, contributions: pd.DataFrame, *, k: int, keys: list[str],
                       window: Window, scope: str, level: str) -> np.ndarray:
    """Per row, whether rules 2a and 2b allow showing it."""
    other = [c for c in keys if c != level]
    need = list(dict.fromkeys([*other, DEPARTMENT, "quarter", "n"]))
    missing = [c for c in need if c not in contributions.columns]
    if missing:
        raise ValueError(f"contributions are missing column(s): {', '.join(missing)}")
    contrib = contributions.loc[:, need].copy()
    contrib["quarter"] = pd.to_datetime(contrib["quarter"])
    contrib["n"] = pd.to_numeric(contrib["n"], errors="coerce").fillna(0).astype(np.int64)
    contrib = contrib[contrib["n"] > 0].reset_index(drop=True)
    start, end = pd.Timestamp(window.start), pd.Timestamp(window.end)
    selected = None if window.departments is None else list(window.departments)

    # One id per distinct combination of the other keys, shared by cells and contributions.
    if other:
        joint = pd.concat([cells.loc[:, other], contrib.loc[:, other]], ignore_index=True).astype(object)
        ids = joint.groupby(other, dropna=False, sort=False).ngroup().to_numpy()
    else:
        ids = np.zeros(len(cells) + len(contrib), dtype=np.int64)
    cell_key, contrib["_key"] = ids[:len(cells)], ids[len(cells):]

    dated = contrib[contrib["quarter"].notna() & (contrib["quarter"] < end)]
    edges = dated[dated["quarter"] >= start] if scope == PERIOD else dated
    by_dept = _edge_ok(edges.groupby(["_key", DEPARTMENT, "quarter"], as_index=False)["n"].sum(),
                       ["_key", DEPARTMENT], k, scope)
    org_source = edges if selected is None else edges[edges[DEPARTMENT].isin(selected)]
    by_org = _edge_ok(org_source.groupby(["_key", "quarter"], as_index=False)["n"].sum(), ["_key"], k, scope)
    bad_outside: set = set()
    if selected is not None:
        outside = contrib[~contrib[DEPARTMENT].isin(selected)]
        if scope == PERIOD:
            # Dated rows: who added data in each quarter; an undated row: every member of the figure
            # in that department (for figures about everyone, such as head counts).
            small = outside[(outside["quarter"].isna() | (outside["quarter"] < end)) & (outside["n"] < k)]
            bad_outside = set(small["_key"])
        else:
            totals = outside.groupby(["_key", DEPARTMENT])["n"].sum()
            bad_outside = set(totals[totals < k].index.get_level_values(0))

    whole: dict[Any, tuple[frozenset, bool]] = {}
    if scope == AS_OF and selected is not None:
        whole = _whole_organisation_hidden(contrib, by_dept, edges, k)
    departments = cells[level] if level in cells.columns else pd.Series([None] * len(cells))
    ok = np.ones(len(cells), dtype=bool)
    for i, (key, dept) in enumerate(zip(cell_key, departments.astype(object))):
        hid, org_hidden = whole.get(key, (frozenset(), False))
        if dept is None or (not isinstance(dept, str) and pd.isna(dept)):
            inside = hid & set(selected or ())
            # Its total minus the departments shown gives the hidden ones inside: all of the whole
            # organisation's (which its own total already gives away) or none.
            ok[i] = by_org.get((key,), True) and key not in bad_outside and \
                (not inside or (inside == hid and not org_hidden))
        else:
            ok[i] = by_dept.get((key, dept), True) and dept not in hid
    return ok


def _whole_organisation_hidden(contrib: pd.DataFrame, by_dept: dict[tuple, bool], edges: pd.DataFrame,
                               k: int) -> dict[Any, tuple[frozenset, bool]]:
    """Per figure of an as-of table, the departments the unfiltered report hides and whether it hides its total.

    An as-of figure of a department is the same in every report with that as-of day, so a report filtered to
    some departments hides the departments the unfiltered one hides (rules 1, 2a and 3 on every department's
    contributions, each member counted once), or the union of the two would give them back.
    """
    sizes = contrib.groupby(["_key", DEPARTMENT])["n"].sum()
    org_ok = _edge_ok(edges.groupby(["_key", "quarter"], as_index=False)["n"].sum(), ["_key"], k, AS_OF)
    found = {}
    for key, per_dept in sizes.groupby(level=0):
        names = sorted(str(d) for d in per_dept.index.get_level_values(1))
        n = np.array([0, *(int(per_dept[(key, d)]) for d in names)], dtype=np.int64)
        n[0] = n[1:].sum()
        hidden = np.array([not org_ok.get((key,), True),
                           *((per_dept[(key, d)] < k) or not by_dept.get((key, d), True) for d in names)])
        line = pd.DataFrame({DEPARTMENT: [None, *names]})
        hidden = _complementary(line, n, hidden, k=k, keys=[DEPARTMENT], partitions=[DEPARTMENT])
        found[key] = (frozenset(d for d, h in zip(names, hidden[1:]) if h), bool(hidden[0]))
    return found


def _neighbours_safe(cells: pd.DataFrame, n: np.ndarray, neighbours: pd.DataFrame, *, k: int, keys: list[str],
                     window: Window, level: str) -> np.ndarray:
    """Per row, whether rule 2c allows showing it: no neighbouring report differs by 1 to k-1 people."""
    other = [c for c in keys if c != level]
    need = list(dict.fromkeys([*other, DEPARTMENT, "edge", "quarter", "n"]))
    missing = [c for c in need if c not in neighbours.columns]
    if missing:
        raise ValueError(f"neighbours are missing column(s): {', '.join(missing)}")
    unknown = set(neighbours["edge"].dropna()) - {"start", "end"}
    if unknown:
        raise ValueError(f"neighbours' edge must be 'start' or 'end', got {sorted(map(str, unknown))}")
    near = neighbours.loc[:, need].copy()
    near["n"] = pd.to_numeric(near["n"], errors="coerce").fillna(0).astype(np.int64)
    if window.departments is not None:
        near = near[near[DEPARTMENT].isin(list(window.departments))]
    near = near[near["n"] > 0]
    cell_keys = _row_keys(cells, other)
    near_keys = _row_keys(near, other)
    by_dept: dict[tuple, list[int]] = {}
    by_org: dict[tuple, dict[tuple, int]] = {}
    for key, dept, edge, quarter, count in zip(near_keys, near[DEPARTMENT].astype(object), near["edge"],
                                               pd.to_datetime(near["quarter"]), near["n"]):
        by_dept.setdefault((key, dept), []).append(int(count))
        cuts = by_org.setdefault(key, {})
        cuts[(edge, quarter)] = cuts.get((edge, quarter), 0) + int(count)
    departments = cells[level].astype(object) if level in cells.columns else pd.Series([None] * len(cells))
    ok = np.ones(len(cells), dtype=bool)
    for i, (key, dept) in enumerate(zip(cell_keys, departments)):
        total = dept is None or (not isinstance(dept, str) and pd.isna(dept))
        counts = list(by_org.get(key, {}).values()) if total else by_dept.get((key, dept), [])
        ok[i] = all(n[i] - c == 0 or abs(n[i] - c) >= k for c in counts)
    return ok


def _edge_ok(per_quarter: pd.DataFrame, by: list[str], k: int, scope: str) -> dict[tuple, bool]:
    """Whether the first and last quarter with contributors hold at least k of them (only the last: as-of)."""
    if per_quarter.empty:
        return {}
    ordered = per_quarter[per_quarter["n"] > 0].sort_values([*by, "quarter"], kind="stable")
    grouped = ordered.groupby(by, sort=False)["n"]
    ok = grouped.last() >= k
    if scope == PERIOD:
        ok &= grouped.first() >= k
    return {(key if isinstance(key, tuple) else (key,)): bool(v) for key, v in ok.items()}


def _row_keys(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    if not columns:
        return [()] * len(frame)
    values = [frame[c].astype(object).where(frame[c].notna(), None).to_numpy() for c in columns]
    return [tuple(_norm(v) for v in row) for row in zip(*values)]


def _norm(value: Any) -> Any:
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return pd.Timestamp(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


# --------------------------------------------------------------------------- rule 3: complementary


def _complementary(cells: pd.DataFrame, n: np.ndarray, hidden: np.ndarray, *, k: int, keys: list[str],
                   partitions: list[str]) -> np.ndarray:
    hidden = hidden.copy()
    lines: list[tuple[int, np.ndarray]] = []
    for column in partitions:
        rest = [c for c in keys if c != column]
        is_total = cells[column].isna().to_numpy()
        rest_keys = _row_keys(cells, rest)
        parents = {key: i for i, key in enumerate(rest_keys) if is_total[i]}
        children: dict[Any, list[int]] = {}
        for i, key in enumerate(rest_keys):
            if not is_total[i] and key in parents:
                children.setdefault(key, []).append(i)
        lines.extend((parents[key], np.array(idx)) for key, idx in children.items())
    changed = True
    while changed:
        changed = False
        for parent, kids in lines:
            hid = kids[hidden[kids]]
            if len(hid) >= 2 and n[hid].sum() >= k:
                continue
            if not len(hid) and not hidden[parent]:
                continue
            # Here a child is hidden without enough hidden company, or the parent is hidden while all its
            # children are shown (their sum would give it away).
            visible = kids[~hidden[kids]]
            if len(visible):
                # The next-smallest sibling; on a tie, the first in the table's order.
                hidden[visible[np.argmin(n[visible])]] = True
                changed = True
            elif not hidden[parent]:
                hidden[parent] = True
                changed = True
    return hidden
