"""Calendar quarters and months as the HR tables number, date and name them.

One rule: a date is in the calendar quarter that January, April, July or October begins, and in the calendar
half-year or year of its month. The tables count months since January 1970 (``datetime64[M]`` numbers,
:func:`month_numbers`), a quarter by the number of its first month (:func:`quarter_months`); the rating step
numbers quarters one by one from year zero, ``year * 4 + quarter - 1`` (:func:`quarter_index`: the month number
of the quarter's first month divided by three, plus ``1970 * 4``). The page names a quarter "2025 Q3" and a run
of quarters as people say it (:func:`period_label`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

_QUARTERS_BEFORE_1970 = 1970 * 4
_NAT = np.iinfo(np.int64).min  # a missing date (NaT) as a whole number


# --------------------------------------------------------------------------- months since 1970


def month_numbers(dates: pd.Series | np.ndarray, per: int = 1) -> np.ndarray:
    """The first month of each date's calendar bucket of ``per`` months (a divisor of 12: the buckets start in
    January) as ``datetime64[M]`` numbers, months since 1970 (NaT stays NaT)."""
    if isinstance(dates, pd.Series):
        if not pd.api.types.is_datetime64_dtype(dates.dtype):
            dates = pd.to_datetime(dates)
        dates = dates.to_numpy()
    dates = np.asarray(dates)
    days = dates.astype("datetime64[D]").view(np.int64)
    nat = days == _NAT
    has_nat = bool(nat.any())
    known = days[~nat] if has_nat else days
    first, last = (int(known.min()), int(known.max())) if len(known) else (0, 0)
    if last - first >= len(days):  # far apart: each date converted
        months = dates.astype("datetime64[M]").astype(np.int64)
        return np.where(nat, months, first_months(months, per))
    # Few distinct days: each day's month looked up in a table of the days in between (several times faster
    # than converting every date to a month).
    months = first_months(np.arange(first, last + 1).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64),
                          per)
    found = months[np.where(nat, 0, days - first) if has_nat else days - first]
    if has_nat:
        found[nat] = _NAT
    return found


def first_months(months: np.ndarray, per: int) -> np.ndarray:
    """The first month of the calendar bucket of ``per`` months (a divisor of 12) of each month since 1970."""
    return months - months % per


def quarter_months(dates: pd.Series | np.ndarray) -> np.ndarray:
    """The first month of each date's calendar quarter as ``datetime64[M]`` numbers (NaT stays NaT)."""
    return month_numbers(dates, per=3)


def month_starts(months: np.ndarray) -> np.ndarray:
    """The first day of each month since 1970 (:func:`month_numbers`), as ``datetime64[ns]`` (NaT stays NaT)."""
    return np.asarray(months, dtype=np.int64).astype("datetime64[M]").astype("datetime64[ns]")


# --------------------------------------------------------------------------- quarters counted from year zero


def quarter_index(dates: pd.Series | np.ndarray) -> np.ndarray:
    """Quarter index (year * 4 + quarter - 1) of each date."""
    return quarter_months(dates) // 3 + _QUARTERS_BEFORE_1970


def quarter_index_of(day: Any) -> int:
    """The quarter index (year * 4 + quarter - 1) of one day (the one-day rule the others below are built on)."""
    day = pd.Timestamp(day)
    return int(day.year * 4 + (day.month - 1) // 3)


def index_start(qi: Any) -> pd.Timestamp:
    """The first day of quarter index ``qi``."""
    qi = int(qi)
    return pd.Timestamp(qi // 4, 3 * (qi % 4) + 1, 1)


def quarter_starts(qi: pd.Series) -> pd.Series:
    """First day of each quarter index (year * 4 + quarter - 1), for a whole column at once."""
    starts = {q: index_start(q) for q in pd.unique(qi)}
    return qi.map(starts).astype("datetime64[ns]")


# --------------------------------------------------------------------------- one day; names


def quarter_start(day: Any) -> pd.Timestamp:
    """The first day of the calendar quarter of ``day`` (its time of day dropped)."""
    return index_start(quarter_index_of(day))


def quarter_label(quarter: Any) -> str:
    """``"2025 Q3"`` for any day of that quarter."""
    qi = quarter_index_of(quarter)
    return f"{qi // 4} Q{qi % 4 + 1}"


def period_label(start: Any, until: Any) -> str:
    """A run of whole quarters as people say it: ``"2025 Q3"``, ``"2025 H1"``, ``"2025"``, ``"2024 Q3–Q4"``.

    ``until`` is the first day after the run.
    """
    first, last = pd.Timestamp(start), pd.Timestamp(until) - pd.Timedelta(days=1)
    if first.year == last.year and first.month == 1 and last.month == 12:
        return f"{first.year}"
    if first.year == last.year and (first.month, last.month) in ((1, 6), (7, 12)):
        return f"{first.year} H{1 if first.month == 1 else 2}"
    if quarter_label(first) == quarter_label(last):
        return quarter_label(first)
    if first.year == last.year:
        return f"{quarter_label(first)}–Q{quarter_index_of(last) % 4 + 1}"
    return f"{quarter_label(first)}–{quarter_label(last)}"
