"""How careerconv writes a day or a moment for a person to read: ``9 Mar 2026``, ``2 Dec 2026, 17:39``
(and reads a day a person types in that style: :func:`parse_human_date`).

One style everywhere a person reads a date (the coach's app, the progress
report, the one-page summary, chart labels): the day without a leading zero,
the month's short name, the year. Files meant for programs (CSV, JSON,
calendars) use ISO dates instead and do not come here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from . import schema

__all__ = ["NO_BREAK", "clock_time", "human_date", "human_datetime", "parse_human_date"]

_MONTH_NAMES = schema.MONTH_NAMES  # English, whatever the machine's locale
NO_BREAK = "\u00a0"  # between the parts of a day in HTML, so that a date never wraps


def _missing(value: Any) -> bool:
    if value is None or (isinstance(value, str) and not value):
        return True
    try:
        return not isinstance(value, str) and bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or an array is not one missing value
        return False


def human_date(value: Any, *, missing: str = "", space: str = " ", year: bool = True) -> str:
    """A day as ``9 Mar 2026`` (``9 Mar`` without ``year``).

    Parameters
    ----------
    value
        A date, a datetime or Timestamp (its day), or an ISO text (``2026-03-09``).
    missing
        What None, "" and NaN/NaT read as ("" unless given; the report shows a dash).
    space
        Between day, month and year (:data:`NO_BREAK` in HTML that must not wrap).
    year
        Whether the year is said (without it, only where the day and month alone name the day meant).

    Raises
    ------
    ValueError
        A text that is not a date.
    """
    if _missing(value):
        return missing
    day = pd.Timestamp(value)
    day_month = f"{day.day}{space}{_MONTH_NAMES[day.month - 1][:3]}"
    return f"{day_month}{space}{day:%Y}" if year else day_month


def human_datetime(value: str | dt.datetime | None, *, zone: bool = False) -> str:
    """``2026-12-02T17:39:05+00:00`` -> ``"2 Dec 2026, 17:39"`` ("" for None); with ``zone``, the day and time
    in this machine's time zone, named: ``"2 Dec 2026, 17:39 UTC"`` (:func:`clock_time`).

    A value that is not a date and time is shown as it is rather than hidden.
    """
    if value is None or value == "":
        return ""
    try:
        when = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if zone:
        when = when.astimezone()
        return f"{human_date(when.date())}, {clock_time(when)}"
    return f"{human_date(when.date())}, {when:%H:%M}"


def clock_time(when: dt.datetime) -> str:
    """The time of day of ``when`` on this machine's clock, with its zone named: ``"05:45 UTC"``, ``"06:45 CET"``
    (a zone without a name by its offset, ``"06:45 +0100"``). A time without a zone is taken as this machine's."""
    local = when.astimezone()
    name = local.tzname() or ""
    return f"{local:%H:%M} {name if name and name[0] not in '+-' else local.strftime('%z')}"


def parse_human_date(text: str) -> dt.date | None:
    """A day as a person types it: ``12 Mar 2027``, ``12 March 2027``, ``2027-03-12`` or ``12/03/2027`` (day first,
    the order :func:`human_date` writes), or any other form :func:`careerconv.records.schema.parse_date` reads;
    None for an empty text.

    Raises
    ------
    ValueError
        Naming what was typed and the forms allowed.
    """
    text = " ".join(str(text).split())
    if not text:
        return None
    try:
        return schema.parse_date(text, date_order="dmy")  # the importers' parser: one reading of a date
    except ValueError:
        raise ValueError(f"“{text}” is not a date: write it as 12 Mar 2027 (day month year) or 2027-03-12") from None
