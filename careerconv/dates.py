"""How careerconv writes a day or a moment for a person to read: ``9 Mar 2026``, ``2 Dec 2026, 17:39``.

One style everywhere a person reads a date (the coach's app, the progress
report, the one-page summary, chart labels): the day without a leading zero,
the month's short name, the year. Files meant for programs (CSV, JSON,
calendars) use ISO dates instead and do not come here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

__all__ = ["NO_BREAK", "human_date", "human_datetime"]

NO_BREAK = "\u00a0"  # between the parts of a day in HTML, so that a date never wraps


def _missing(value: Any) -> bool:
    if value is None or (isinstance(value, str) and not value):
        return True
    try:
        return not isinstance(value, str) and bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or an array is not one missing value
        return False


def human_date(value: Any, *, missing: str = "", space: str = " ") -> str:
    """A day as ``9 Mar 2026``.

    Parameters
    ----------
    value
        A date, a datetime or Timestamp (its day), or an ISO text (``2026-03-09``).
    missing
        What None, "" and NaN/NaT read as ("" unless given; the report shows a dash).
    space
        Between day, month and year (:data:`NO_BREAK` in HTML that must not wrap).

    Raises
    ------
    ValueError
        A text that is not a date.
    """
    if _missing(value):
        return missing
    day = pd.Timestamp(value)
    return f"{day.day}{space}{day:%b}{space}{day:%Y}"


def human_datetime(value: str | dt.datetime | None) -> str:
    """``2026-12-02T17:39:05+00:00`` -> ``"2 Dec 2026, 17:39"`` ("" for None).

    A value that is not a date and time is shown as it is rather than hidden.
    """
    if value is None or value == "":
        return ""
    try:
        when = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{human_date(when.date())}, {when:%H:%M}"
