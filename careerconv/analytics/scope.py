"""Scope.

The report's period in calendar quarters and its departments (:class:`ReportScope`,
:func:`resolve_scope`; the quarters themselves: :mod:`careerconv.analytics.quarters`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from careerconv.rules import privacy
from careerconv.records import schema
from careerconv.records.schema import DEPARTMENT
from careerconv.records.words import word_list
from .constants import DEFAULT_QUARTERS
from .inputs import RosterFile
from .quarters import quarter_label, quarter_start


@dataclass(frozen=True)
class ReportScope:
    """What one HR report covers, resolved from the notebook's parameters.

    Attributes
    ----------
    start, end
        First day of the first quarter; first day after the last quarter.
    departments
        The departments the report is filtered to, or None for all.
    all_departments
        Every department on the roster.
    k
        Minimum group size.
    as_of
        The as-of date as requested.
    first_quarter
        First day of the quarter of the earliest data (None: no data).
    """

    start: pd.Timestamp
    end: pd.Timestamp
    departments: tuple[str, ...] | None
    all_departments: tuple[str, ...]
    k: int
    as_of: dt.date
    first_quarter: pd.Timestamp | None = None

    @property
    def as_of_day(self) -> pd.Timestamp:
        """The day figures are "as of": the last day of the period."""
        return self.end - pd.Timedelta(days=1)

    @property
    def selected(self) -> tuple[str, ...]:
        """The departments in the report."""
        return self.departments if self.departments is not None else self.all_departments

    @property
    def quarters(self) -> list[pd.Timestamp]:
        """First days of the quarters of the period, in order."""
        return list(pd.date_range(self.start, self.end - pd.Timedelta(days=1), freq="QS"))

    @property
    def window(self) -> privacy.Window:
        return privacy.Window(self.start, self.end, self.departments)

    @property
    def default_start(self) -> pd.Timestamp:
        """Where the period would start by default for this end: two years earlier, or the first data."""
        return _default_start(self.end, self.first_quarter)

    def whole(self) -> "ReportScope":
        """The same report for the whole organisation (no department filter)."""
        return replace(self, departments=None)

    def neighbours(self) -> list[tuple[str, pd.Timestamp]]:
        """The other reports whose figures this one's must not differ from by 1 to k-1 people (rule 2c).

        Two reports that share one edge of their period (the same end, or the same start) could be
        subtracted; one of the two must then hide a figure that differs by a few people. The default
        period (two years up to the end) is the one people read, so the other one hides: a report with
        the default start checks no neighbour, except when the history is shorter than two years (its
        start is then the first quarter with data, which other default reports share); any other report
        checks every period with its end and another start from the first quarter with data, and every
        period with its start and another end up to the last complete quarter before its as-of date.

        Returns
        -------
        list of (str, pandas.Timestamp)
            ``("start", q)``: the period from ``q`` to this end; ``("end", q)``: from this start up to ``q``
            (exclusive).
        """
        latest = quarter_start(pd.Timestamp(self.as_of) + pd.Timedelta(days=1))
        ends = [q for q in pd.date_range(self.start + pd.DateOffset(months=3), latest, freq="QS") if q != self.end]
        if self.start == self.default_start:
            first = self.first_quarter
            shared = first is not None and self.start == first
            return [("end", q) for q in ends if shared and q < self.end]
        first = min(self.first_quarter if self.first_quarter is not None else self.start, self.start)
        starts = [q for q in pd.date_range(first, self.end - pd.DateOffset(months=3), freq="QS") if q != self.start]
        return [("start", q) for q in starts] + [("end", q) for q in ends]

    def reach(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """The first day of the earliest period and the day after the latest, among this report's and those of
        its :meth:`neighbours` (the days whose records their figures may read:
        :func:`careerconv.analytics.record_tables.days_read`)."""
        scopes = self.compared()
        return min(scope.start for scope in scopes), max(scope.end for scope in scopes)

    def compared(self) -> list["ReportScope"]:
        """This report and those of its :meth:`neighbours`, in that order."""
        return [self, *(self.neighbour(edge, quarter) for edge, quarter in self.neighbours())]

    def neighbour(self, edge: str, quarter: pd.Timestamp) -> "ReportScope":
        """The report with the same departments whose period shares this one's other edge (see :meth:`neighbours`).

        ``("end", q)`` reports as of the day before ``q``.

        Raises
        ------
        ValueError
            For an edge other than ``"start"`` or ``"end"``, or a period without a quarter.
        """
        quarter = pd.Timestamp(quarter)
        if edge not in ("start", "end"):
            raise ValueError(f"edge must be 'start' or 'end', got {edge!r}")
        start, end = (quarter, self.end) if edge == "start" else (self.start, quarter)
        if start >= end:
            raise ValueError(f"a period from {quarter_label(start)} cannot end before {quarter_label(end)}")
        as_of = self.as_of if edge == "start" else (end - pd.Timedelta(days=1)).date()
        return replace(self, start=start, end=end, as_of=as_of)

    def describe(self) -> str:
        """One sentence saying what the report covers."""
        first, last = quarter_label(self.start), quarter_label(self.as_of_day)
        span = first if first == last else f"{first} to {last}"
        who = "all departments" if self.departments is None else \
            ("the " + word_list(self.departments) + (" department" if len(self.departments) == 1 else " departments"))
        return (f"Covers {span} for {who}, as of {self.as_of_day:%d %B %Y}; groups of fewer than {self.k} "
                "employees are not shown.")


def resolve_scope(roster: pd.DataFrame | RosterFile, as_of: Any, period_start: Any = None, period_end: Any = None,
                  departments: Iterable[str] = (), k: int = privacy.DEFAULT_K,
                  first_date: Any = None) -> ReportScope:
    """Turn the notebook's parameters into whole quarters and checked departments.

    Parameters
    ----------
    roster
        The roster, or the roster file (for the department names).
    as_of
        The report date (``YYYY-MM-DD`` or a date). The period ends with the
        last complete quarter on or before it (as of 2026-10-01: up to
        30 September 2026).
    period_start, period_end
        Optional dates, rounded out to whole quarters. Empty start: the
        :data:`DEFAULT_QUARTERS` quarters before the end (or from the first
        data, if later); empty end: up to ``as_of``.
    departments
        Department names to report on; empty means all.
    k
        Minimum group size (at least 3).
    first_date
        The earliest date in the data (the default period start).

    Returns
    -------
    ReportScope

    Raises
    ------
    ValueError
        For an unreadable date, a period without a complete quarter before
        ``as_of`` (or its own end), a start after the end, a department not on the roster (the message lists the
        departments there are), or ``k`` below 3.
    """
    k = privacy.check_k(k)
    as_of_date = _parse_day(as_of, "as_of")
    first = None if first_date is None or pd.isna(first_date) else quarter_start(pd.Timestamp(first_date))
    end = quarter_start(pd.Timestamp(as_of_date) + pd.Timedelta(days=1))
    # What ends the period, as a reader names it: the report date (as of) or the period's own end.
    ends = f"the report date (as of) {as_of_date}"
    last_day = None
    if not _blank(period_end):
        last_day = _parse_day(period_end, "period_end")
        by_end = quarter_start(pd.Timestamp(last_day)) + pd.DateOffset(months=3)
        if by_end < end:
            end, ends = by_end, f"the period's end {last_day}"
    start_day = None if _blank(period_start) else _parse_day(period_start, "period_start")
    if start_day is not None:
        start = quarter_start(pd.Timestamp(start_day))
    else:
        # Two years by default: long enough for trends, and its first quarter is a busy one, not the
        # thin start of the history (figures whose first quarter has few people must be hidden).
        start = _default_start(end, first)
    if first is not None and end <= first:
        earliest = (first + pd.DateOffset(months=3) - pd.Timedelta(days=1)).date()
        raise ValueError(f"{ends} is too early: the records start on {pd.Timestamp(first_date).date()}, and the "
                         f"first quarter that can be reported on is {quarter_label(first)} (it needs a date of "
                         f"{earliest} or later)")
    if start_day is not None and last_day is not None and start_day > last_day:
        raise ValueError(f"the period's start {start_day} is after its end {last_day}")
    if start >= end:
        raise ValueError(
            f"the period has no complete quarter: it starts in {quarter_label(start)}, but the last complete quarter "
            f"by {ends} is {quarter_label(end - pd.Timedelta(days=1))}; give an earlier start, or a later "
            + ("report date" if ends.startswith("the report") else "end"))
    if isinstance(roster, RosterFile):
        known = roster.departments()
    else:
        known = sorted({str(d) for d in pd.unique(roster[DEPARTMENT].dropna())}) if len(roster) else []
    chosen: list[str] = []
    for name in [departments] if isinstance(departments, str) else list(departments or ()):
        if _blank(name):
            continue
        text = str(name).strip()
        match = [d for d in known if d == text] or [d for d in known if d.casefold() == text.casefold()]
        if not match:
            raise ValueError(f"department {text!r} is not on the roster; departments are: "
                             f"{', '.join(known) if known else 'none (the roster is empty)'}")
        chosen.append(match[0])
    selected = tuple(sorted(set(chosen)))
    filtered = selected if selected and set(selected) != set(known) else None
    return ReportScope(pd.Timestamp(start), pd.Timestamp(end), filtered, tuple(known), k, as_of_date, first)


def _default_start(end: pd.Timestamp, first: pd.Timestamp | None) -> pd.Timestamp:
    """Two years before ``end`` (:data:`DEFAULT_QUARTERS`), or the first quarter with data if later."""
    start = end - pd.DateOffset(months=3 * DEFAULT_QUARTERS)
    if first is not None:
        start = max(start, min(first, end - pd.DateOffset(months=3)))
    return pd.Timestamp(start)


def _parse_day(value: Any, what: str) -> dt.date:
    try:
        return schema.parse_date(value)
    except ValueError as exc:
        raise ValueError(f"{what} {value!r}: {exc}") from None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or \
        (not isinstance(value, (str, list, tuple)) and pd.isna(value))
