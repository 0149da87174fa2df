"""Who is here: the one rule for the roster's ``left_on`` and ``started_on`` days.

Someone whose ``left_on`` is empty is here; someone who left on day L is here
on every day before L and not from L on (a day in the future, a known last
day, keeps them here until then). Likewise someone whose ``started_on`` is
empty started long ago, and someone who starts on day S (a future starter,
hired and not started yet) is here from S on and not before. Every reader
that offers people for a conversation, lists who is due or makes reports for
the whole roster asks this module; their records stay where they are, to be
read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .schema import LEFT_ON, STARTED_ON


def left_day(left_on: Any) -> dt.date | None:
    """The day in a ``left_on`` value (a date, a Timestamp, ISO text), None when it is empty."""
    if left_on is None or left_on == "" or (not isinstance(left_on, str) and pd.isna(left_on)):
        return None
    return pd.Timestamp(left_on).date()


def start_day(started_on: Any) -> dt.date | None:
    """The day in a ``started_on`` value (read as :func:`left_day` reads one), None when it is empty."""
    return left_day(started_on)


def is_here(left_on: Any, day: dt.date) -> bool:
    """Whether someone with this ``left_on`` value is still here on ``day`` (empty: yes; else ``day`` before it).
    """
    left = left_day(left_on)
    return left is None or day < left


def person_is_here(person: Mapping[str, Any], day: dt.date) -> bool:
    """Whether the person of a roster row (a mapping with ``left_on`` and ``started_on``, either may be missing) is
    here on ``day``: started by then and not left."""
    start = start_day(person.get(STARTED_ON))
    return is_here(person.get(LEFT_ON), day) and (start is None or start <= day)


def left_mask(roster: pd.DataFrame, day: dt.date) -> np.ndarray:
    """For each roster row, whether that person has left by ``day`` (a roster without ``left_on``: nobody)."""
    if LEFT_ON not in roster.columns:
        return np.zeros(len(roster), dtype=bool)
    left = pd.to_datetime(roster[LEFT_ON])
    return (left.notna() & (left <= pd.Timestamp(day))).to_numpy(dtype=bool)


def not_started_mask(roster: pd.DataFrame, day: dt.date) -> np.ndarray:
    """For each roster row, whether that person starts after ``day`` (a roster without ``started_on``: nobody)."""
    if STARTED_ON not in roster.columns:
        return np.zeros(len(roster), dtype=bool)
    start = pd.to_datetime(roster[STARTED_ON])
    return (start.notna() & (start > pd.Timestamp(day))).to_numpy(dtype=bool)


def left_before_start_mask(roster: pd.DataFrame) -> np.ndarray:
    """For each roster row, whether its leaving day is on or before its start day: someone here on no day, whom
    the masks above would count as here in a period spanning both days (a roster without both columns: nobody).

    The import never writes such a row (it refuses it, or reads an earlier leaving day beside a new start day as a
    re-hire, with no leaving day); one edited by hand is a problem ``careerconv validate`` names.
    """
    if LEFT_ON not in roster.columns or STARTED_ON not in roster.columns:
        return np.zeros(len(roster), dtype=bool)
    left, start = pd.to_datetime(roster[LEFT_ON]), pd.to_datetime(roster[STARTED_ON])
    return (left.notna() & start.notna() & (left <= start)).to_numpy(dtype=bool)


def here_mask(roster: pd.DataFrame, day: dt.date) -> np.ndarray:
    """For each roster row, whether that person is here on ``day``: started by then and not left (a roster without
    the columns: all)."""
    return ~left_mask(roster, day) & ~not_started_mask(roster, day)


def here_during_mask(roster: pd.DataFrame, first: dt.date, last: dt.date) -> np.ndarray:
    """For each roster row, whether that person is here on some day from ``first`` to ``last`` (both included):
    not left by ``first`` and started by ``last``."""
    return ~left_mask(roster, first) & ~not_started_mask(roster, last)


def still_here(roster: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """The roster rows of the people here on ``day``: started and not left (a new frame, the index as it was)."""
    return roster.loc[here_mask(roster, day)].copy()


def last_day_here(day: Any, left_on: Any = None) -> pd.Timestamp:
    """The last day someone was here, seen from ``day``: ``day`` itself while they are here on it, else the day
    before they left (someone who left on ``day`` was last here the day before).

    What is said about someone who has left is said as of this day: a progress report made after they left reads
    as it did on their last day (:mod:`careerconv.surfaces.report.content`).

    Parameters
    ----------
    day : date-like
        The day it is seen from (a date, a Timestamp, ISO text).
    left_on : date-like or None
        The person's ``left_on`` (empty: still here).

    Returns
    -------
    pandas.Timestamp
        Midnight of that day.
    """
    until = pd.Timestamp(day).normalize()
    left = left_day(left_on)
    return until if left is None or until.date() < left else pd.Timestamp(left) - pd.Timedelta(days=1)


def here_until(day: Any, left_on: Any = None) -> Any:
    """The end of the days someone was here, seen from ``day``: ``day``, or the day they left if that came first.

    Something that fell due before it fell due while they were here: an open action item is overdue on ``day``
    only if its due date is before this (the coach's app, the progress report and the HR page's action items ask
    this).

    Parameters
    ----------
    day : date-like
        The day it is seen from (a date, a Timestamp, ISO text).
    left_on : date-like, None, or pandas.Series of them
        The person's ``left_on`` (empty or missing: still here); a Series gives one day per value.

    Returns
    -------
    pandas.Timestamp, or a datetime64 Series on ``left_on``'s index
        ``day`` (as a Timestamp), or the leaving day where it comes first.
    """
    until = pd.Timestamp(day).normalize()
    if isinstance(left_on, pd.Series):
        left = pd.to_datetime(left_on).astype("datetime64[ns]").dt.normalize()
        return left.where(left < until, until)  # a missing day (still here) compares False: ``day``
    left = left_day(left_on)
    return until if left is None else min(until, pd.Timestamp(left))
