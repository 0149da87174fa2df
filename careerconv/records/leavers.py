"""Who is still here: the one rule for the roster's ``left_on`` day.

Someone whose ``left_on`` is empty is here; someone who left on day L is here
on every day before L and not from L on (a day in the future, a known last
day, keeps them here until then). Every reader that offers people for a
conversation, lists who is due or makes reports for the whole roster asks
this module; their records stay where they are, to be read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from .schema import LEFT_ON


def left_day(left_on: Any) -> dt.date | None:
    """The day in a ``left_on`` value (a date, a Timestamp, ISO text), None when it is empty."""
    if left_on is None or left_on == "" or (not isinstance(left_on, str) and pd.isna(left_on)):
        return None
    return pd.Timestamp(left_on).date()


def is_here(left_on: Any, day: dt.date) -> bool:
    """Whether someone with this ``left_on`` value is still here on ``day`` (empty: yes; else ``day`` before it).
    """
    left = left_day(left_on)
    return left is None or day < left


def here_mask(roster: pd.DataFrame, day: dt.date) -> np.ndarray:
    """For each roster row, whether that person is still here on ``day`` (a roster without the column: all)."""
    if LEFT_ON not in roster.columns:
        return np.ones(len(roster), dtype=bool)
    left = pd.to_datetime(roster[LEFT_ON])
    return (left.isna() | (left > pd.Timestamp(day))).to_numpy(dtype=bool)


def still_here(roster: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """The roster rows of the people still here on ``day`` (a new frame, the index as it was)."""
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
