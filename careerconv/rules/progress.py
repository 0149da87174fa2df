"""Progress against the 6/12/18-month targets of a career conversation.

The rules of DESIGN.md "Progress semantics" live here and only here; the
per-employee report and the HR notebooks both call these functions.

For each skill discussed in a conversation held on ``t0`` the rating given in
that conversation is the *baseline*; targets are set for ``t0 + 6``, ``+ 12``
and ``+ 18`` calendar months. Later conversations and check-ins record new
ratings. At each horizon the rating measured closest to the horizon date
(within a window) is compared with the straight line
from the baseline to the target and classified as ahead, on track or behind;
a target whose date has passed with no rating in the window is *due but not
measured*, one whose date is still to come *upcoming*. A target due but not
measured whose window is still open (its date came less than the window ago,
so a rating given from today may still measure it) is so far only *not
measured yet* (``window_open``); HR counts it apart from the targets nobody
measured in time (:func:`attainment_rate`).

Every public function is pure: frames come in, new frames go out, inputs are
never modified and nothing touches the disk. Dates are compared as calendar
days (any time of day is dropped), so a check-in later on the day of the
conversation still counts as "the same day". Of several ratings of one skill
on one day, the one recorded last counts (the same-day rule of
:func:`careerconv.rules.followup.recorded_order`): a coach who re-rates a skill in a
check-in after the conversation, the same day, corrects it.

Column contract (the store's derived tables)
--------------------------------------------
targets
    employee_id, conversation_id, date (conversation date t0), skill,
    baseline (Int64, may be NA), horizon_months (int), target (Int64 1-10).
ratings
    employee_id, date, skill, self_rating (Int64, may be NA), coach_rating
    (Int64, may be NA), source ("conversation" | "checkin" | "import"),
    record_id; optional saved_at (ISO timestamp of when the record was saved).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from careerconv.rules.followup import RECORDED_ORDER_COLUMNS, recorded_order
from careerconv.records.schema import (
    COACH_RATING, CONVERSATION_ID, DATE, EMPLOYEE_ID, HORIZON_MONTHS, RECORD_ID, SELF_RATING, SKILL, STATUS, skill_key,
)

__all__ = [
    "AHEAD",
    "ON_TRACK",
    "BEHIND",
    "DUE_NOT_MEASURED",
    "UPCOMING",
    "NOT_MEASURED_STATUSES",
    "STATUSES",
    "MEASURED_STATUSES",
    "RATING_MIN",
    "RATING_MAX",
    "DEFAULT_WINDOW_DAYS",
    "DEFAULT_TOLERANCE",
    "TARGET_COLUMNS",
    "RATING_COLUMNS",
    "PROGRESS_COLUMNS",
    "LATEST_COLUMNS",
    "CURRENT_COLUMNS",
    "ATTAINMENT_COLUMNS",
    "TARGET_STATUS_COLUMNS",
    "horizon_date",
    "last_measurement_day",
    "blank_codes",
    "expected_on_line",
    "classify",
    "progress_at_horizons",
    "latest_ratings",
    "counted_ratings",
    "current_vs_target",
    "attainment_rate",
    "target_status",
    "status_counts",
    "agreed_only",
]

# Status names shown to employees and used in HR aggregates.
AHEAD = "ahead"
ON_TRACK = "on track"
BEHIND = "behind"
DUE_NOT_MEASURED = "due but not measured"
UPCOMING = "upcoming"
MEASURED_STATUSES: tuple[str, ...] = (AHEAD, ON_TRACK, BEHIND)
NOT_MEASURED_STATUSES: tuple[str, ...] = (DUE_NOT_MEASURED, UPCOMING)
STATUSES: tuple[str, ...] = (*MEASURED_STATUSES, *NOT_MEASURED_STATUSES)

RATING_MIN = 1
RATING_MAX = 10
DEFAULT_WINDOW_DAYS = 60
DEFAULT_TOLERANCE = 0.5

TARGET_COLUMNS: tuple[str, ...] = (
    EMPLOYEE_ID,
    CONVERSATION_ID,
    DATE,
    SKILL,
    "baseline",
    HORIZON_MONTHS,
    "target",
)
RATING_COLUMNS: tuple[str, ...] = (EMPLOYEE_ID, DATE, SKILL, "source", RECORD_ID)
RATING_VALUE_COLUMNS: tuple[str, ...] = (SELF_RATING, COACH_RATING)

PROGRESS_COLUMNS: tuple[str, ...] = (
    EMPLOYEE_ID,
    CONVERSATION_ID,
    SKILL,
    "t0",
    "baseline",
    HORIZON_MONTHS,
    "horizon_date",
    "target",
    "horizon_reached",
    "window_open",
    "measured_date",
    "measured_rating",
    "expected",
    STATUS,
)
LATEST_COLUMNS: tuple[str, ...] = (EMPLOYEE_ID, SKILL, DATE, "rating", "source")
CURRENT_COLUMNS: tuple[str, ...] = (
    EMPLOYEE_ID,
    CONVERSATION_ID,
    SKILL,
    "t0",
    "baseline",
    "latest_date",
    "latest_rating",
    "next_horizon_months",
    "next_horizon_date",
    "next_target",
    "expected",
    STATUS,
)
ATTAINMENT_COLUMNS: tuple[str, ...] = (
    HORIZON_MONTHS,
    "targets_due",
    "targets_measured",
    "targets_attained",
    "targets_window_open",
    "attainment_rate",
    "employees_measured",
)

TARGET_STATUS_COLUMNS: tuple[str, ...] = (
    EMPLOYEE_ID,
    SKILL,
    CONVERSATION_ID,
    "conversation_date",
    HORIZON_MONTHS,
    "due_date",
    "target",
    "measured_rating",
    "measured_date",
    STATUS,
)

_DATE_DTYPE = "datetime64[ns]"


# ---------------------------------------------------------------------------
# Scalar rules
# ---------------------------------------------------------------------------


def horizon_date(t0: Any, months: int) -> pd.Timestamp:
    """Return the date ``months`` calendar months after ``t0``.

    Calendar-month arithmetic: the day of month is kept, and clipped to the last
    day of a shorter month (31 Jan + 6 months = 31 Jul; 31 Aug + 6 months =
    28 Feb, or 29 Feb in a leap year).

    Parameters
    ----------
    t0 : date-like
        The conversation date (anything :class:`pandas.Timestamp` accepts).
    months : int
        Number of months after ``t0``; zero or positive.

    Returns
    -------
    pandas.Timestamp

    Raises
    ------
    ValueError
        If ``t0`` is not a date or ``months`` is not a non-negative integer.
    """
    start = _to_timestamp(t0, "t0")
    if isinstance(months, bool) or not isinstance(months, (int, np.integer)) or months < 0:
        raise ValueError(f"months must be a whole number of months >= 0, got {months!r}")
    return start + pd.DateOffset(months=int(months))


def last_measurement_day(horizon_day: Any, window_days: int = DEFAULT_WINDOW_DAYS) -> pd.Timestamp:
    """The last day a rating can measure a target whose date is ``horizon_day``: ``window_days`` after it (a
    rating counts up to that many days either side of the date, :func:`progress_at_horizons`)."""
    return pd.Timestamp(horizon_day).normalize() + pd.Timedelta(days=int(window_days))


def horizon_dates(t0: pd.Series, months: Any) -> pd.Series:
    """:func:`horizon_date` of every row at once: ``t0`` (datetime64) plus ``months`` (whole numbers >= 0).

    The same calendar-month rule, one vectorised shift per distinct number of
    months (there are a handful), of each distinct date once (dates repeat: a
    conversation has several targets, and many people meet on one day). A
    missing date or number of months gives NaT.

    Raises
    ------
    ValueError
        If a number of months is negative or not whole.
    """
    values, valid = _month_numbers(months)
    valid &= t0.notna().to_numpy()
    shifts = np.sort(pd.unique(values[valid]))  # hashed: the few numbers of months, then sorted
    for m in shifts:
        if m < 0 or m != np.round(m):
            raise ValueError(f"months must be a whole number of months >= 0, got {m:g}")
    if not len(shifts):
        return pd.Series(np.full(len(t0), np.datetime64("NaT"), dtype=_DATE_DTYPE), index=t0.index)
    dates, distinct = pd.factorize(t0, use_na_sentinel=True)
    distinct = pd.Series(distinct)
    # Each distinct date shifted by each number of months, then looked up row by row.
    table = np.stack([(distinct + pd.DateOffset(months=int(m))).astype(_DATE_DTYPE).to_numpy() for m in shifts])
    found = table[np.minimum(np.searchsorted(shifts, values), len(shifts) - 1), np.maximum(dates, 0)]
    return pd.Series(np.where(valid, found, np.datetime64("NaT")), index=t0.index)


def not_yet_due(targets: pd.DataFrame, as_of: Any) -> np.ndarray:
    """Whether each target's horizon date comes after the day ``as_of``: not reached yet by
    :func:`progress_at_horizons` (``horizon_reached`` is False; a rating in the window before the date may
    already measure it, and a closer one may still replace it).

    The horizon date is :func:`horizon_dates` of the target's ``date`` (whatever its time of day, which the rule
    drops) and ``horizon_months``. False for a target whose date or horizon is missing, and for every target if
    one horizon is not a whole number of months or the columns are not dates and numbers (the rule refuses
    those, and says why).
    """
    _require_columns(targets, (DATE, HORIZON_MONTHS), "targets")
    day = _to_timestamp(as_of, "as_of").normalize()
    try:
        horizon = horizon_dates(targets[DATE], targets[HORIZON_MONTHS])
    except (TypeError, ValueError):  # left to the rule, which says what is wrong
        return np.zeros(len(targets), dtype=bool)
    return ~_reached(horizon.to_numpy(dtype="datetime64[ns]").view(np.int64), day)


def first_day_not_due(as_of: Any, months: int) -> pd.Timestamp:
    """The first conversation day whose targets ``months`` months ahead are not yet due on the day ``as_of``
    (:func:`not_yet_due`): a target of a conversation on that day or later is not, one of a day before is.

    A horizon date moves with its conversation's day (:func:`horizon_date`; clipped to a month's end, never back
    past an earlier day's), whatever the time of day, so the targets due are those of the days before one day.

    Raises
    ------
    ValueError
        If ``as_of`` is not a date or ``months`` is not a non-negative integer.
    """
    day = _to_timestamp(as_of, "as_of").normalize()
    horizon_date(day, months)  # refuses what is not a number of months
    first = day - pd.DateOffset(months=int(months))  # its horizon date is on the day or before
    while horizon_date(first, months) <= day:  # at most four days past the month's arithmetic
        first += pd.Timedelta(days=1)
    return first


def _reached(horizon_ns: np.ndarray, as_of_day: pd.Timestamp) -> np.ndarray:
    """Whether each horizon date (int64 nanoseconds) has come by the day ``as_of_day`` (midnight): it is on that day
    or before, whatever its time of day; a missing one (NaT, the smallest number) counts as come."""
    return horizon_ns < as_of_day.value + _NS_PER_DAY


def _month_numbers(months: Any) -> tuple[np.ndarray, np.ndarray]:
    """Numbers of months as numbers (whole numbers as they are, others as floats, NaN: missing), and which are
    there."""
    if isinstance(months, (pd.Series, np.ndarray)) and isinstance(months.dtype, np.dtype) and months.dtype.kind in "iu":
        return np.asarray(months), np.ones(len(months), dtype=bool)
    counts = pd.array(months, dtype="Float64")
    return counts.to_numpy(dtype=float, na_value=np.nan), ~np.asarray(counts.isna())


def expected_on_line(
    t0: Any,
    baseline: float | None,
    horizon_date: Any,
    target: float,
    when: Any,
) -> float:
    """Return the rating expected on ``when`` if progress were steady.

    The plan is the straight line from ``(t0, baseline)`` to
    ``(horizon_date, target)``. Before ``t0`` the expectation is the baseline
    and after ``horizon_date`` it is the target: a rating taken a few weeks after
    the horizon is judged against the target that was agreed, not against a line
    that keeps climbing past it.

    Parameters
    ----------
    t0 : date-like
        Conversation date.
    baseline : float or None
        Rating at ``t0``. When missing (``None``/NA) there is no line to draw and
        the target itself is the expectation.
    horizon_date : date-like
        Date the target should be reached; must be after ``t0``.
    target : float
        Target rating.
    when : date-like
        Date to evaluate the line at.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If a date cannot be read, ``target`` is missing, or ``horizon_date`` is not
        after ``t0``.
    """
    start = _to_timestamp(t0, "t0")
    end = _to_timestamp(horizon_date, "horizon_date")
    at = _to_timestamp(when, "when")
    if end <= start:
        raise ValueError(f"horizon_date ({end.date()}) must be after t0 ({start.date()})")
    if _is_missing(target):
        raise ValueError("target is missing; a line needs a target rating")
    base = np.nan if _is_missing(baseline) else float(baseline)
    value = _line_values(
        np.array([start.value], dtype=np.int64),
        np.array([base]),
        np.array([end.value], dtype=np.int64),
        np.array([float(target)]),
        np.array([at.value], dtype=np.int64),
    )
    return float(value[0])


def classify(
    rating: float | None,
    expected: float | None,
    tolerance: float = DEFAULT_TOLERANCE,
    *,
    due: bool = True,
) -> str:
    """Classify a rating against the expected value on the plan line.

    Parameters
    ----------
    rating : float or None
        The measured rating. Missing (``None``/NA) means nothing was measured.
    expected : float or None
        The value of the plan line on the day the rating was taken.
    tolerance : float, default 0.5
        Half-width of the "on track" band, in rating points.
    due : bool, default True
        Whether the target's date has passed; decides between the two
        statuses of a target with no measurement.

    Returns
    -------
    str
        :data:`AHEAD` if ``rating > expected + tolerance``, :data:`BEHIND` if
        ``rating < expected - tolerance``, else :data:`ON_TRACK`; when either
        value is missing, :data:`DUE_NOT_MEASURED` if ``due`` else
        :data:`UPCOMING`.

    Raises
    ------
    ValueError
        If ``tolerance`` is negative or not a number.
    """
    tol = _check_tolerance(tolerance)
    if _is_missing(rating) or _is_missing(expected):
        return DUE_NOT_MEASURED if due else UPCOMING
    return str(_classify_values(np.array([float(rating)]), np.array([float(expected)]), tol,
                                np.array([bool(due)]))[0])


# ---------------------------------------------------------------------------
# Frame functions
# ---------------------------------------------------------------------------


def progress_at_horizons(
    targets: pd.DataFrame,
    ratings: pd.DataFrame,
    as_of: Any,
    window_days: int = DEFAULT_WINDOW_DAYS,
    rating_column: str = SELF_RATING,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    columns: Iterable[str] = PROGRESS_COLUMNS,
) -> pd.DataFrame:
    """Measure every target at its horizon.

    For each target row the *measured rating* is the rating of the same
    employee and skill (skill names match ignoring case and spacing)
    dated strictly after the conversation day ``t0`` and on or before ``as_of``
    whose date is closest to the horizon date, no more than ``window_days``
    away; when two are equally close the later one wins. Ratings given on the
    day of the conversation are its baseline, never a measurement. The rating is
    then classified against the straight line from baseline to target
    (see :func:`expected_on_line` and :func:`classify`).

    Parameters
    ----------
    targets : pandas.DataFrame
        One row per (employee_id, conversation_id, skill, horizon_months); see
        the module docstring for columns.
    ratings : pandas.DataFrame
        Ratings from conversations, check-ins and imports.
    as_of : date-like
        The day the report is made; later ratings are ignored.
    window_days : int, default 60
        How far (in days, either side) from the horizon date a rating may be to
        count as the measurement at that horizon.
    rating_column : {"self_rating", "coach_rating"}
        Which rating to measure with. Rows where it is NA are ignored.
    tolerance : float, default 0.5
        Half-width of the "on track" band.
    columns : iterable of str, default :data:`PROGRESS_COLUMNS`
        The columns to return, in this order (each one of :data:`PROGRESS_COLUMNS`);
        the others are not worked out.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PROGRESS_COLUMNS` (or ``columns``), sorted by employee, conversation
        date, conversation, skill and horizon. ``measured_date``,
        ``measured_rating`` and ``expected`` are NA when nothing was measured:
        the status is then :data:`DUE_NOT_MEASURED` once the horizon date is
        on or before ``as_of``, else :data:`UPCOMING`. ``window_open`` is
        True for a target due but not measured whose date came less than
        ``window_days`` before ``as_of``: a rating given after ``as_of`` may
        still measure it.

    Raises
    ------
    ValueError
        If a column is missing, a value is out of range (ratings and targets
        must be 1-10, horizons positive whole months), a target is listed twice,
        or an argument is invalid.
    """
    _check_window(window_days)
    tol = _check_tolerance(tolerance)
    columns = list(columns)
    unknown = [c for c in columns if c not in PROGRESS_COLUMNS]
    if unknown:
        raise ValueError(f"unknown progress column(s): {', '.join(map(str, unknown))}; "
                         f"allowed: {', '.join(PROGRESS_COLUMNS)}")
    as_of_day = _to_timestamp(as_of, "as_of").normalize()
    tgt, rat = _prepare(targets, ratings, rating_column, as_of_day)

    # The ratings on or before the horizon date and just after it (see :func:`_around`). The "strictly
    # after t0" rule relies on the one before being the latest candidate: if even that one is on/before
    # t0, all earlier ones are too.
    t0_ns = tgt[DATE].to_numpy().view(np.int64)
    hz_ns = tgt["horizon_date"].to_numpy().view(np.int64)
    (b_ns, b_val), (a_ns, a_val) = _around(tgt["_key"].to_numpy(), hz_ns, rat, int(window_days) * _NS_PER_DAY)
    has_b = (b_ns != _NAT) & (b_ns > t0_ns)
    has_a = a_ns != _NAT  # after the horizon, hence after t0; on/before as_of by filtering
    # Equal distance -> the later rating (the one after the horizon).
    take_a = has_a & (~has_b | ((a_ns - hz_ns) <= (hz_ns - b_ns)))
    take_b = has_b & ~take_a
    measured = take_a | take_b
    measured_ns = np.where(take_a, a_ns, np.where(take_b, b_ns, _NAT))
    measured_val = np.where(take_a, a_val, np.where(take_b, b_val, np.nan))
    horizon_reached = _reached(hz_ns, as_of_day)
    # Due, not measured, and a rating given after as_of (from the next day on) may still be in its window: its
    # last day (last_measurement_day) is after as_of.
    window_open = horizon_reached & ~measured & (as_of_day.value < hz_ns + int(window_days) * _NS_PER_DAY)

    # Sorted by employee, day, conversation, skill and horizon (a stable sort on whole-number codes in the
    # order of the values, from _validate_targets: sorting the text columns themselves is several times
    # slower; t0 is a calendar day, so its day number sorts as it does). Each column is put in that order
    # as the table is built, so the table is never held twice.
    order = _lexsort((
        tgt[HORIZON_MONTHS].to_numpy(),
        tgt["_skill_order"].to_numpy(),
        tgt["_conversation_order"].to_numpy(),
        t0_ns // _NS_PER_DAY,
        tgt["_employee_order"].to_numpy(),
    ))

    def expected() -> np.ndarray:
        return _line_values(t0_ns, tgt["baseline"].to_numpy(dtype=float, na_value=np.nan), hz_ns,
                            tgt["target"].to_numpy(dtype=float, na_value=np.nan), measured_ns)

    def status() -> pd.Series:
        found = _classify_values(np.where(measured, measured_val, np.nan), expected(), tol, horizon_reached)
        return pd.Series(found, index=tgt.index, dtype=object)

    sources = {
        EMPLOYEE_ID: lambda: tgt[EMPLOYEE_ID],
        CONVERSATION_ID: lambda: tgt[CONVERSATION_ID],
        SKILL: lambda: tgt[SKILL],
        "t0": lambda: tgt[DATE],
        "baseline": lambda: tgt["baseline"],
        HORIZON_MONTHS: lambda: tgt[HORIZON_MONTHS],
        "horizon_date": lambda: tgt["horizon_date"],
        "target": lambda: tgt["target"],
        "horizon_reached": lambda: horizon_reached,
        "window_open": lambda: window_open,
        "measured_date": lambda: measured_ns.view(_DATE_DTYPE),
        "measured_rating": lambda: _int_ratings(measured_val),
        "expected": lambda: np.where(measured, expected(), np.nan),
        STATUS: status,
    }

    def ordered(values: Any) -> Any:
        if isinstance(values, pd.Series):
            return values.take(order).reset_index(drop=True)
        return values[order]

    return pd.DataFrame({name: ordered(sources[name]()) for name in columns}, index=pd.RangeIndex(len(tgt)))


def _around(keys: np.ndarray, days_ns: np.ndarray, rat: pd.DataFrame,
            window_ns: int) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """For each (key, day): the rating of that key on or before the day, and the first one after it.

    ``rat`` is the ratings as :func:`_prepare` gives them (one per key and day, sorted by key and day), so
    both are neighbours in that order: one binary search per target, on a whole number that sorts as
    (key, day) does. A rating further than ``window_ns`` from the day does not count.

    Returns
    -------
    ((before_ns, before_rating), (after_ns, after_rating))
        Dates as int64 nanoseconds (``_NAT`` where there is none) and ratings as floats (NaN).
    """
    rat_key = rat["_key"].to_numpy()
    rat_ns = rat["_date_ns"].to_numpy()
    rat_val = rat["_rating"].to_numpy(dtype=float)
    found = []
    if not len(rat) or not len(keys):
        missing = (np.full(len(keys), _NAT, dtype=np.int64), np.full(len(keys), np.nan))
        return missing, missing
    rat_day, day = rat_ns // _NS_PER_DAY, days_ns // _NS_PER_DAY
    first = min(rat_day.min(), day.min())
    span = max(rat_day.max(), day.max()) - first + 1
    if max(rat_key.max(), keys.max()) >= np.iinfo(np.int64).max // span:  # too many keys: number them afresh
        joined = np.unique(np.concatenate([rat_key, keys]), return_inverse=True)[1]
        rat_key, keys = joined[:len(rat_key)], joined[len(rat_key):]
    after = np.searchsorted(rat_key * span + (rat_day - first), keys * span + (day - first), side="right")
    # The one before is a row unless ``after`` is 0, the one after unless it is past the last row.
    for at, side, there in ((after - 1, -1, after > 0), (after, 1, after < len(rat))):
        row = np.clip(at, 0, len(rat) - 1)
        when = rat_ns[row]
        ok = there & (rat_key[row] == keys) & ((when - days_ns) * side <= window_ns)
        found.append((np.where(ok, when, _NAT), np.where(ok, rat_val[row], np.nan)))
    return found[0], found[1]


def latest_ratings(
    ratings: pd.DataFrame, as_of: Any, rating_column: str = SELF_RATING
) -> pd.DataFrame:
    """Return each employee's latest rating of each skill on or before ``as_of``.

    Skill names match ignoring case and spacing; the name shown is
    the one used in the latest rating. Rows where ``rating_column`` is NA are
    ignored. On a day with several ratings of one skill, the one recorded
    last counts (see :func:`careerconv.rules.followup.recorded_order`).

    Parameters
    ----------
    ratings : pandas.DataFrame
        See the module docstring for columns.
    as_of : date-like
        Ratings after this day are ignored.
    rating_column : {"self_rating", "coach_rating"}
        Which rating to report.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`LATEST_COLUMNS` (employee_id, skill, date, rating,
        source), one row per employee x skill, sorted by employee and skill.

    Raises
    ------
    ValueError
        If a column is missing, ``rating_column`` is not a rating column, or a
        rating is outside 1-10.
    """
    as_of_day = _to_timestamp(as_of, "as_of").normalize()
    _, rat = _prepare(None, ratings, rating_column, as_of_day)
    last = _last_per_key(rat)
    pos = last["_pos"].to_numpy()
    out = pd.DataFrame(
        {
            EMPLOYEE_ID: ratings[EMPLOYEE_ID].iloc[pos].to_numpy(),
            SKILL: _strip(ratings[SKILL].iloc[pos]).to_numpy(),
            DATE: last["_date_ns"].to_numpy().view(_DATE_DTYPE),
            "rating": _int_ratings(last["_rating"].to_numpy()),
            "source": ratings["source"].iloc[pos].to_numpy(),
        }
    )
    return out.sort_values([EMPLOYEE_ID, SKILL], kind="stable").reset_index(drop=True)


def counted_ratings(ratings: pd.DataFrame, as_of: Any, rating_column: str = SELF_RATING) -> np.ndarray:
    """The positions in ``ratings`` of the ratings that count: of each employee's ratings of a skill on one day
    (names matched as :func:`latest_ratings` matches them), on or before ``as_of``, the one recorded last (of two
    recorded alike, the higher), as every measurement here reads them. Rows where ``rating_column`` is NA are left
    out. Sorted by employee and skill, then day.

    Raises
    ------
    ValueError
        As :func:`latest_ratings`.
    """
    _, rat = _prepare(None, ratings, rating_column, _to_timestamp(as_of, "as_of").normalize())
    return rat["_pos"].to_numpy()


def current_vs_target(
    targets: pd.DataFrame,
    ratings: pd.DataFrame,
    as_of: Any,
    *,
    rating_column: str = SELF_RATING,
    tolerance: float = DEFAULT_TOLERANCE,
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> pd.DataFrame:
    """Compare each skill's latest rating with its next target.

    Uses each employee's most recent conversation on or before ``as_of`` (if
    two share a date, the larger conversation_id). For every skill of that
    conversation the *next target* is the first horizon whose date is after
    ``as_of``, or the last horizon once all have passed. The latest rating (see
    :func:`latest_ratings`) is classified against the line from the baseline to
    that target; a latest rating from the conversation day itself (or earlier)
    is the baseline, so nothing is measured yet: the status is
    :data:`DUE_NOT_MEASURED` when that target's date has passed, else
    :data:`UPCOMING`.

    A target whose date has passed with no rating since its window opened
    (``window_days`` before its date) comes first: the row is that target,
    :data:`DUE_NOT_MEASURED`, whatever an older rating said against a later
    target (found: "upcoming" beside a 6-month target due and not measured,
    and "on track" from a rating nine months old with the 12-month target's
    date passed).

    Parameters
    ----------
    targets, ratings : pandas.DataFrame
        See the module docstring for columns.
    as_of : date-like
        The day the report is made.
    rating_column : {"self_rating", "coach_rating"}
        Which rating to compare.
    tolerance : float, default 0.5
        Half-width of the "on track" band.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CURRENT_COLUMNS`, one row per employee x skill, sorted by
        employee and skill. ``latest_*`` is NA when the skill was never rated.

    Raises
    ------
    ValueError
        As :func:`progress_at_horizons`.
    """
    tol = _check_tolerance(tolerance)
    window = _check_window(window_days)
    as_of_day = _to_timestamp(as_of, "as_of").normalize()
    tgt, rat = _prepare(targets, ratings, rating_column, as_of_day)
    tgt = tgt.loc[tgt[DATE] <= as_of_day]

    # Most recent conversation per employee (ties: the larger id).
    convs = tgt[[EMPLOYEE_ID, DATE, CONVERSATION_ID]].drop_duplicates()
    convs = convs.sort_values([EMPLOYEE_ID, DATE, CONVERSATION_ID], kind="stable")
    current = convs.drop_duplicates(EMPLOYEE_ID, keep="last")[[EMPLOYEE_ID, CONVERSATION_ID]]
    tgt = tgt.merge(current, on=[EMPLOYEE_ID, CONVERSATION_ID], how="inner")

    # Next target: first horizon after as_of, else the last horizon.
    tgt = tgt.sort_values(["_key", HORIZON_MONTHS], kind="stable")
    upcoming = tgt.loc[tgt["horizon_date"] > as_of_day].drop_duplicates("_key", keep="first")
    passed = tgt.drop_duplicates("_key", keep="last")
    chosen = pd.concat([upcoming, passed.loc[~passed["_key"].isin(upcoming["_key"])]])

    last = _last_per_key(rat)[["_key", "_date_ns", "_rating"]]
    merged = chosen.merge(last, on="_key", how="left")

    t0_ns = merged[DATE].to_numpy().view(np.int64)
    latest_f = merged["_date_ns"].to_numpy(dtype=float, na_value=np.nan)
    latest_ns = np.where(np.isnan(latest_f), _NAT, np.nan_to_num(latest_f)).astype(np.int64)
    latest_val = merged["_rating"].to_numpy(dtype=float, na_value=np.nan)
    measured = (latest_ns != _NAT) & (latest_ns > t0_ns)
    expected = _line_values(
        t0_ns,
        merged["baseline"].to_numpy(dtype=float, na_value=np.nan),
        merged["horizon_date"].to_numpy().view(np.int64),
        merged["target"].to_numpy(dtype=float, na_value=np.nan),
        latest_ns,
    )
    next_due = _reached(merged["horizon_date"].to_numpy().view(np.int64), as_of_day)
    status = _classify_values(np.where(measured, latest_val, np.nan), expected, tol, next_due)

    # The last target whose date has passed, when nothing was rated since its window opened: it is due and not
    # measured, and it is where the skill stands.
    passed_last = tgt.loc[tgt["horizon_date"] <= as_of_day].drop_duplicates("_key", keep="last")
    last_due = merged[["_key"]].merge(passed_last[["_key", HORIZON_MONTHS, "horizon_date", "target"]],
                                      on="_key", how="left")
    due_ns = last_due["horizon_date"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    window_opens = due_ns - window * _NS_PER_DAY
    unmeasured = (due_ns != _NAT) & (~measured | (latest_ns < window_opens))
    if unmeasured.any():
        merged = merged.copy()
        for column in (HORIZON_MONTHS, "horizon_date", "target"):
            merged.loc[unmeasured, column] = last_due.loc[unmeasured, column].to_numpy()
        status = np.where(unmeasured, DUE_NOT_MEASURED, status)
        expected = np.where(unmeasured, np.nan, expected)

    out = pd.DataFrame(
        {
            EMPLOYEE_ID: merged[EMPLOYEE_ID],
            CONVERSATION_ID: merged[CONVERSATION_ID],
            SKILL: merged[SKILL],
            "t0": merged[DATE],
            "baseline": merged["baseline"],
            "latest_date": latest_ns.view(_DATE_DTYPE),
            "latest_rating": _int_ratings(latest_val),
            "next_horizon_months": merged[HORIZON_MONTHS],
            "next_horizon_date": merged["horizon_date"],
            "next_target": merged["target"],
            "expected": np.where(measured, expected, np.nan),
            STATUS: pd.Series(status, index=merged.index, dtype=object),
        },
        index=merged.index,
    )
    return out.sort_values([EMPLOYEE_ID, SKILL], kind="stable").reset_index(drop=True)


def attainment_rate(progress: pd.DataFrame, by: Iterable[str] = ()) -> pd.DataFrame:
    """Share of targets met at each horizon, for HR.

    Counts targets, i.e. (employee, skill) pairs of one conversation at one
    horizon, and also the distinct employees behind them. Only targets whose
    horizon date has been reached count: an earlier measurement may still be
    replaced by one closer to the horizon. A target is *attained* when the
    measured rating is at or above it.

    This function does not suppress small groups; apply the analytics privacy
    rules (minimum number of distinct employees) to ``employees_measured``
    before showing the result.

    Parameters
    ----------
    progress : pandas.DataFrame
        Output of :func:`progress_at_horizons` (filter it first to the period,
        department, etc. of interest).
    by : iterable of str, optional
        Columns of ``progress`` to count apart (e.g. the department): the
        figures of each of their groups are those of that group's rows alone.

    Returns
    -------
    pandas.DataFrame
        Columns ``by`` then :data:`ATTAINMENT_COLUMNS`, one row per group and horizon present in
        ``progress`` (sorted by them): ``targets_due`` (horizon reached), ``targets_measured``,
        ``targets_attained``, ``targets_window_open`` (due, not measured yet, their window still
        open: see :func:`progress_at_horizons`), ``attainment_rate`` = attained / measured (NaN when
        nothing was measured) and ``employees_measured`` (distinct employees
        with at least one measured target). A target due is measured, not measured with its window
        open, or not measured in time: the rest.

    Raises
    ------
    ValueError
        If a column of ``progress`` is missing.
    """
    by = list(by)
    needed = (*by, EMPLOYEE_ID, HORIZON_MONTHS, "target", "horizon_reached", "window_open", "measured_rating")
    _require_columns(progress, needed, "progress")
    due = progress["horizon_reached"].fillna(False).to_numpy(dtype=bool)
    measured_rating = progress["measured_rating"].to_numpy(dtype=float, na_value=np.nan)
    target = progress["target"].to_numpy(dtype=float, na_value=np.nan)
    measured = due & ~np.isnan(measured_rating)
    employees = pd.factorize(progress[EMPLOYEE_ID], use_na_sentinel=True)[0]
    frame = pd.DataFrame(
        {
            **{column: progress[column].array for column in by},
            HORIZON_MONTHS: progress[HORIZON_MONTHS].to_numpy(),
            "due": due,
            "measured": measured,
            "attained": measured & (measured_rating >= target),
            "window_open": due & ~measured & progress["window_open"].fillna(False).to_numpy(dtype=bool),
        }
    )
    grouped = frame.groupby([*by, HORIZON_MONTHS], sort=True)
    out = pd.DataFrame(
        {
            "targets_due": grouped["due"].sum(),
            "targets_measured": grouped["measured"].sum(),
            "targets_attained": grouped["attained"].sum(),
            "targets_window_open": grouped["window_open"].sum(),
        }
    ).astype("int64")
    # Each group's employees with a measured target (an id, as a number), each counted once.
    group = grouped.ngroup()  # in the order of the groups above (-1 below: a row in no group, a key missing)
    group = group.fillna(-1).to_numpy(dtype=np.int64)
    counted = measured & (employees >= 0) & (group >= 0)
    width = int(employees.max(initial=0)) + 1
    pairs = pd.unique(group[counted] * width + employees[counted])  # each (group, employee) once
    out["employees_measured"] = np.bincount(pairs // width, minlength=len(out)).astype(np.int64)
    measured_count = out["targets_measured"].where(out["targets_measured"] > 0)
    out["attainment_rate"] = out["targets_attained"] / measured_count
    return out.reset_index().loc[:, [*by, *ATTAINMENT_COLUMNS]]


def agreed_only(
    conversations: pd.DataFrame, targets: pd.DataFrame, ratings: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep what was agreed: targets of completed conversations, ratings not given in a draft.

    A conversation still being held (a draft) has agreed nothing yet: its
    targets are not targets and its ratings are not measurements.

    Parameters
    ----------
    conversations : pandas.DataFrame
        Columns ``conversation_id`` and ``status`` (the store's ``conversations`` table).
    targets, ratings : pandas.DataFrame
        See the module docstring.

    Returns
    -------
    (targets, ratings)
        New frames with the rows that count, index reset.

    Raises
    ------
    ValueError
        If a column is missing.
    """
    _require_columns(conversations, (CONVERSATION_ID, STATUS), "conversations")
    _require_columns(targets, (CONVERSATION_ID,), "targets")
    _require_columns(ratings, (RECORD_ID,), "ratings")
    completed = conversations[STATUS] == "completed"
    drafts = set(conversations.loc[~completed, CONVERSATION_ID])
    done = set(conversations.loc[completed, CONVERSATION_ID])
    return (targets.loc[targets[CONVERSATION_ID].isin(done)].reset_index(drop=True),
            ratings.loc[~ratings[RECORD_ID].isin(drafts)].reset_index(drop=True))


def target_status(progress: pd.DataFrame) -> pd.DataFrame:
    """Every target with its measurement and status, as the ``target_status`` export shows it.

    Parameters
    ----------
    progress : pandas.DataFrame
        Output of :func:`progress_at_horizons`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TARGET_STATUS_COLUMNS`: employee, skill, conversation
        and its date, horizon, ``due_date`` (the horizon date), target, the
        measured rating and its date (NA when nothing was measured) and the
        status, in the order of ``progress``.

    Raises
    ------
    ValueError
        If a column of ``progress`` is missing.
    """
    _require_columns(progress, PROGRESS_COLUMNS, "progress")
    out = progress.rename(columns={"t0": "conversation_date", "horizon_date": "due_date"})
    return out.loc[:, list(TARGET_STATUS_COLUMNS)].reset_index(drop=True)


def status_counts(statuses: Iterable[str]) -> dict[str, int]:
    """How many of each status, every status of :data:`STATUSES` present (zero when absent).

    Parameters
    ----------
    statuses : iterable of str
        Statuses from :func:`progress_at_horizons` or :func:`current_vs_target`.

    Returns
    -------
    dict
        Status -> count, in the order of :data:`STATUSES`.

    Raises
    ------
    ValueError
        If a value is not one of :data:`STATUSES`.
    """
    counts = dict.fromkeys(STATUSES, 0)
    for status in statuses:
        if status not in counts:
            raise ValueError(f"unknown progress status {status!r}; allowed: {', '.join(STATUSES)}")
        counts[status] += 1
    return counts


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

_NAT = np.iinfo(np.int64).min  # NaT as int64 nanoseconds
_NS_PER_DAY = 86_400 * 10**9


def _lexsort(keys: tuple[np.ndarray, ...]) -> np.ndarray:
    """``np.lexsort(keys)`` of whole-number columns (the last one sorts first): one stable sort of a single
    number made of them all where their ranges fit in 64 bits (many times faster on rows nearly in order),
    else ``np.lexsort`` itself. Both keep rows equal on every key in their order."""
    if not len(keys[0]):
        return np.lexsort(keys)
    lows = [int(key.min()) for key in keys]
    widths = [int(key.max()) - low + 1 for key, low in zip(keys, lows)]
    if math.prod(widths) > np.iinfo(np.int64).max:
        return np.lexsort(keys)
    combined = np.zeros(len(keys[0]), dtype=np.int64)
    for key, low, width in zip(reversed(keys), reversed(lows), reversed(widths)):  # the first sorting key first
        combined *= width
        combined += key - low
    return np.argsort(combined, kind="stable")


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _check_window(window_days: Any) -> int:
    if isinstance(window_days, bool) or not isinstance(window_days, (int, np.integer)) or window_days < 0:
        raise ValueError(f"window_days must be a whole number of days >= 0, got {window_days!r}")
    return int(window_days)


def _check_tolerance(tolerance: Any) -> float:
    try:
        tol = float(tolerance)
    except (TypeError, ValueError):
        raise ValueError(f"tolerance must be a number of rating points >= 0, got {tolerance!r}") from None
    if np.isnan(tol) or tol < 0:
        raise ValueError(f"tolerance must be a number of rating points >= 0, got {tolerance!r}")
    return tol


def _to_timestamp(value: Any, name: str) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a date, got {value!r} ({exc})") from None
    if pd.isna(stamp):
        raise ValueError(f"{name} must be a date, got {value!r}")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return stamp.as_unit("ns")


def _line_values(
    t0_ns: np.ndarray,
    baseline: np.ndarray,
    horizon_ns: np.ndarray,
    target: np.ndarray,
    when_ns: np.ndarray,
) -> np.ndarray:
    """Vectorised plan line, clamped to [t0, horizon]; NA baseline -> target; NaT -> NaN."""
    span = (horizon_ns - t0_ns).astype(float)
    elapsed = (when_ns - t0_ns).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.clip(elapsed / span, 0.0, 1.0)
    value = np.where(np.isnan(baseline), target, baseline + frac * (target - baseline))
    return np.where(when_ns == _NAT, np.nan, value)


def _classify_values(rating: np.ndarray, expected: np.ndarray, tol: float, due: np.ndarray) -> np.ndarray:
    """The status of each target: measured (ahead/on track/behind) or not (due/upcoming)."""
    # The band is inclusive; the epsilon keeps it so after floating-point line
    # arithmetic (7.0 against an expected 6.5 with tolerance 0.5 is on track).
    eps = 1e-9
    missing = np.isnan(rating) | np.isnan(expected)
    # Chosen as numbers, then looked up: every row shares the five label objects (no text array per row).
    labels = np.array([DUE_NOT_MEASURED, UPCOMING, AHEAD, BEHIND, ON_TRACK], dtype=object)
    return labels[np.select(
        [missing & due, missing, rating > expected + tol + eps, rating < expected - tol - eps],
        [0, 1, 2, 3],
        default=4,
    )]


def _int_ratings(values: np.ndarray) -> pd.arrays.IntegerArray:
    return pd.array(np.asarray(values, dtype=float), dtype="Float64").astype("Int64")


def _require_columns(frame: Any, columns: Iterable[str], name: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    columns = list(columns)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{name} is missing column(s): {', '.join(missing)}; "
            f"expected at least: {', '.join(columns)}"
        )


def _describe_bad(frame: pd.DataFrame, mask: np.ndarray, column: str, name: str, allowed: str) -> str:
    bad = frame.loc[np.asarray(mask, dtype=bool), column]
    shown = "; ".join(
        f"row {_plain(idx)!r}: {_plain(val)!r}" for idx, val in list(bad.items())[:5]
    )
    more = f" (and {len(bad) - 5} more)" if len(bad) > 5 else ""
    return f"{name}.{column} has {len(bad)} invalid value(s) ({allowed}): {shown}{more}"


def _plain(value: Any) -> Any:
    """numpy scalars as plain Python values, so messages read ``12`` not ``np.int64(12)``."""
    return value.item() if isinstance(value, np.generic) else value


def _to_dates(frame: pd.DataFrame, column: str, name: str, required: np.ndarray | None = None) -> pd.Series:
    """Column as calendar days (datetime64[ns], time dropped); ``required`` rows may not be empty."""
    col = frame[column]
    if col.dtype == _DATE_DTYPE:  # read as dates: only the time of day may have to go
        ns = col.to_numpy().view(np.int64)
        missing = ns == _NAT
        bad = missing if required is None else (missing & required)
        if not bad.any() and not (ns[~missing] % _NS_PER_DAY).any():
            return col
    try:
        dates = pd.to_datetime(col, errors="coerce")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}.{column} must hold dates: {exc}") from None
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    missing = dates.isna().to_numpy()
    bad = missing & col.notna().to_numpy()
    bad |= missing if required is None else (missing & required)
    if bad.any():
        raise ValueError(_describe_bad(frame, bad, column, name, "a date is required"))
    return dates.astype(_DATE_DTYPE).dt.normalize()


def _to_ratings(frame: pd.DataFrame, column: str, name: str, allow_missing: bool) -> np.ndarray:
    """Validated 1-10 ratings as floats (NaN = missing)."""
    col = frame[column]
    values = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    unreadable = np.isnan(values) & col.notna().to_numpy()
    with np.errstate(invalid="ignore"):
        out_of_range = ~np.isnan(values) & (
            (values < RATING_MIN) | (values > RATING_MAX) | (values != np.round(values))
        )
    bad = unreadable | out_of_range
    if not allow_missing:
        bad |= np.isnan(values)
    if bad.any():
        allowed = f"allowed: whole numbers {RATING_MIN}-{RATING_MAX}" + (" or empty" if allow_missing else "")
        raise ValueError(_describe_bad(frame, bad, column, name, allowed))
    return values


# String work is done on the distinct values only (a few thousand employees and
# skills), then broadcast back with the factorize codes: far cheaper than
# millions of per-row string operations.


def _strip(values: pd.Series) -> pd.Series:
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    stripped = pd.Series(uniques, dtype=object).astype(str).str.strip().to_numpy(dtype=object)
    result = np.where(codes >= 0, stripped[np.maximum(codes, 0)] if len(stripped) else None, None)
    return pd.Series(result, index=values.index)


def text_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """What ``pd.factorize(values, sort=True)`` gives: whole numbers in the sort order of the values (equal
    values share one; a missing value: -1) and the distinct values in that order (as objects).

    Only the distinct values are sorted (``factorize`` sorts a text column's values several times slower). Text
    read as categories is sorted as text too, not in the order of its categories. Whole numbers and text read as
    categories are numbered without hashing a row.
    """
    if isinstance(values.dtype, pd.CategoricalDtype) and _arrow_text(values.cat.categories):
        categories, codes = values.cat.categories, values.cat.codes.to_numpy()
        used = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(categories)))
        # Arrow sorts text by its UTF-8 bytes: the order of the code points, as Python sorts str.
        by_text = used[np.asarray(_arrow_sort_indices(categories.take(used)), dtype=np.int64)]
        rank = np.full(len(categories), -1, dtype=np.int64)
        rank[by_text] = np.arange(len(by_text))
        return np.where(codes >= 0, rank[np.maximum(codes, 0)] if len(rank) else -1, -1), \
            np.asarray(categories.take(by_text), dtype=object)
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "iu" and len(values):
        low = int(values.min())
        span = int(values.max()) - low + 1
        if span <= 4 * len(values) + 1024:  # a table of that many entries is cheaper than hashing the rows
            codes, present = _dense_ranks(values.to_numpy() - low, span)
            return codes, np.asarray(np.flatnonzero(present) + low, dtype=values.dtype).astype(object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if isinstance(uniques.dtype, pd.CategoricalDtype):
        uniques = uniques.astype(uniques.categories.dtype)
    rank, ordered = pd.factorize(uniques, sort=True, use_na_sentinel=True)
    # A missing value keeps its -1 (taken as the rank of the last distinct value, a target without an employee id
    # was measured against another employee's ratings).
    ranks = np.where(codes >= 0, rank[np.maximum(codes, 0)] if len(rank) else -1, -1)
    return ranks, np.asarray(ordered, dtype=object)


def _arrow_text(values: Any) -> bool:
    """Whether ``values`` is pandas text stored in Arrow (not Python objects)."""
    return isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"


def _arrow_sort_indices(values: Any) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.sort_indices(pa.array(values, from_pandas=True))


def _dense_ranks(codes: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The rank of each of ``codes`` (whole numbers in ``[0, size)``) among the numbers present, and whether
    each number of ``[0, size)`` is present."""
    present = np.bincount(codes, minlength=size).astype(bool)
    return (np.cumsum(present) - 1)[codes], present


def _joint_codes(columns: list[tuple[np.ndarray, np.ndarray]], normalise: Any = None) -> tuple[list[np.ndarray], int]:
    """One numbering for several columns, each given as (codes, distinct values) of ``pd.factorize``: the
    same value (after ``normalise``) gets the same number in every column; a missing value -1.

    Returns the numbers of each column and how many different values there are.
    """
    values = pd.Series(np.concatenate([np.asarray(u, dtype=object) for _, u in columns]), dtype=object)
    joint, uniques = pd.factorize(values.map(normalise) if normalise is not None else values)
    out, offset = [], 0
    for codes, distinct in columns:
        mine = joint[offset:offset + len(distinct)]
        offset += len(distinct)
        out.append(np.where(codes >= 0, mine[np.maximum(codes, 0)], -1) if len(mine) else np.full(len(codes), -1))
    return out, len(uniques)


def _match_keys(employees: list[tuple[np.ndarray, np.ndarray]],
                skills: list[tuple[np.ndarray, np.ndarray]]) -> list[np.ndarray]:
    """Integer (employee, skill) keys, consistent across the given frames; -1 where either is NA.

    Each frame's employees and skills come as (codes, distinct values) of ``pd.factorize``. Skills match
    as :func:`careerconv.records.schema.skill_key` compares them (case and spacing ignored), the same rule
    the rest of the product uses.
    """
    employee_codes, _ = _joint_codes(employees)
    skill_codes, skill_count = _joint_codes(skills, skill_key)
    keys = []
    for employee, skill in zip(employee_codes, skill_codes):
        key = employee.astype(np.int64) * max(skill_count, 1) + skill
        key[(employee < 0) | (skill < 0)] = -1
        keys.append(key)
    return keys


def _repeated(columns: list[np.ndarray]) -> np.ndarray:
    """Whether each row's combination of the columns' values (whole numbers >= 0) is on another row too."""
    combined = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        size = int(column.max()) + 1 if len(column) else 1
        if size > np.iinfo(np.int64).max // (int(combined.max(initial=0)) + 1):  # renumbered: fewer values
            combined, column = pd.factorize(combined)[0], pd.factorize(column)[0]
            size = int(column.max()) + 1
        combined = combined * size + column
    ordered = np.sort(combined, kind="stable")  # the rows usually come nearly in order: a quick sort
    if not (ordered[1:] == ordered[:-1]).any():
        return np.zeros(len(combined), dtype=bool)
    return pd.Series(combined).duplicated(keep=False).to_numpy()


def _prepare(
    targets: pd.DataFrame | None, ratings: pd.DataFrame, rating_column: str, as_of_day: pd.Timestamp
) -> tuple[pd.DataFrame | None, pd.DataFrame]:
    """Validate the inputs and give both the same integer match key ``_key``.

    Returns the targets as a validated copy with ``horizon_date`` and the sort
    order of its text columns (or None; see :func:`_validate_targets`),
    and the usable ratings as a lean frame (``_pos`` = position in
    ``ratings``, ``_key``, ``_date_ns``, ``_rating``) holding one rating per
    key and day, sorted by key and date.
    """
    tgt, distinct = _validate_targets(targets) if targets is not None else (None, {})
    if rating_column not in RATING_VALUE_COLUMNS:
        raise ValueError(
            f"rating_column must be one of {', '.join(RATING_VALUE_COLUMNS)}, got {rating_column!r}"
        )
    _require_columns(ratings, (*RATING_COLUMNS, rating_column), "ratings")

    employees = [pd.factorize(ratings[EMPLOYEE_ID], use_na_sentinel=True)]
    skills = [pd.factorize(ratings[SKILL], use_na_sentinel=True)]
    if tgt is not None:
        employees.insert(0, (tgt["_employee_order"].to_numpy(), distinct[EMPLOYEE_ID]))
        skills.insert(0, (tgt["_skill_order"].to_numpy(), distinct[SKILL]))
    keys = _match_keys(employees, skills)
    rating_keys = keys[-1]

    if tgt is not None:
        tgt["_key"] = keys[0]
        # Whole numbers: fast to compare.
        dupes = _repeated([tgt["_conversation_order"].to_numpy(), keys[0], tgt[HORIZON_MONTHS].to_numpy()])
        if dupes.any():
            raise ValueError(
                _describe_bad(
                    tgt, dupes, SKILL, "targets",
                    "each (employee_id, conversation_id, skill, horizon_months) may appear once; "
                    "skill names are compared ignoring case and spacing",
                )
            )

    values = _to_ratings(ratings, rating_column, "ratings", allow_missing=True)
    usable = ~np.isnan(values) & (rating_keys >= 0)
    days = _to_dates(ratings, DATE, "ratings", required=usable).to_numpy().view(np.int64)
    pos = np.flatnonzero(usable & (days <= as_of_day.value))

    key, day = rating_keys[pos], days[pos]
    order = _lexsort((day // _NS_PER_DAY, key))  # calendar days
    pos, key, day = pos[order], key[order], day[order]
    same_as_next = np.zeros(len(pos), dtype=bool)
    same_as_next[:-1] = (key[1:] == key[:-1]) & (day[1:] == day[:-1])
    in_group = same_as_next.copy()
    in_group[1:] |= same_as_next[:-1]
    if in_group.any():
        # Rare: several ratings of one skill on one day. The last one kept
        # below wins, so order those few by recorded_order, then by rating
        # (of two recorded alike, the higher counts - never the frame's order).
        idx = np.flatnonzero(in_group)
        tie = recorded_order(ratings.iloc[pos[idx]]).assign(i=idx, key=key[idx], day=day[idx],
                                                           rating=values[pos[idx]])
        tie = tie.sort_values(["key", "day", *RECORDED_ORDER_COLUMNS, "rating"], kind="stable")
        pos[idx] = pos[tie["i"].to_numpy()]
    keep = ~same_as_next
    pos = pos[keep]
    rat = pd.DataFrame(
        {"_pos": pos, "_key": rating_keys[pos], "_date_ns": days[pos], "_rating": values[pos]}
    )
    return tgt, rat


def _last_per_key(rat: pd.DataFrame) -> pd.DataFrame:
    """Latest rating per key of a frame from :func:`_prepare` (sorted by key and date)."""
    key = rat["_key"].to_numpy()
    return rat.loc[np.r_[key[1:] != key[:-1], True] if len(key) else np.zeros(0, bool)]


def blank_codes(codes: np.ndarray, distinct: Any) -> np.ndarray:
    """Whether each value of a target's employee, conversation or skill is one :func:`progress_at_horizons`
    refuses ("a value is required"): missing, or nothing but white space.

    Parameters
    ----------
    codes
        Each value's position among ``distinct`` (-1: missing), as :func:`pandas.factorize` gives them.
    distinct
        The distinct values (texts).

    Returns
    -------
    numpy.ndarray
        One bool per code.
    """
    codes = np.asarray(codes)
    if not len(distinct) or pd.api.types.infer_dtype(distinct, skipna=False) == "integer":  # a number is not blank
        return codes < 0
    blank = pd.Series(distinct, dtype=object).astype(str).str.strip().eq("").to_numpy(dtype=bool)
    return (codes < 0) | blank[np.maximum(codes, 0)]


def _validate_targets(targets: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Validated copy of ``targets`` with ``horizon_date``; skill names stripped.

    The text columns' sort order comes along as whole numbers (see :func:`text_codes`): ``_employee_order``,
    ``_conversation_order`` and ``_skill_order`` (of the stripped names). Also returns the distinct employees
    and stripped skill names in that order (by column name).
    """
    _require_columns(targets, TARGET_COLUMNS, "targets")
    # Copy-on-write (pandas 3): the columns replaced below leave ``targets`` as it is, the others are shared.
    tgt = targets.loc[:, list(TARGET_COLUMNS)]
    encoded = {}
    for column in (EMPLOYEE_ID, CONVERSATION_ID, SKILL):
        codes, uniques = text_codes(tgt[column])
        blank = blank_codes(codes, uniques)
        if blank.any():
            raise ValueError(_describe_bad(tgt, blank, column, "targets", "a value is required"))
        encoded[column] = codes, uniques
    tgt[DATE] = _to_dates(tgt, DATE, "targets")
    for column, allow_missing in (("baseline", True), ("target", False)):
        ratings = _to_ratings(tgt, column, "targets", allow_missing=allow_missing)
        if tgt[column].dtype != "Int64":  # whole numbers that may be missing, as they are when read
            tgt[column] = _int_ratings(ratings)

    months = pd.to_numeric(tgt[HORIZON_MONTHS], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        bad_months = np.isnan(months) | (months < 1) | (months != np.round(months))
    if bad_months.any():
        raise ValueError(
            _describe_bad(tgt, bad_months, HORIZON_MONTHS, "targets", "allowed: whole months >= 1, e.g. 6, 12, 18")
        )
    tgt[HORIZON_MONTHS] = months.astype("int64")
    codes, uniques = encoded[SKILL]
    stripped = pd.Series(uniques, dtype=object).astype(str).str.strip()
    skill_rank, skills = pd.factorize(stripped, sort=True)  # the stripped names, in their sort order
    names = pd.Series(stripped.to_numpy(dtype=object)).array  # typed as a column of these names is typed
    tgt[SKILL] = pd.Series(names.take(codes), index=tgt.index)

    tgt["horizon_date"] = horizon_dates(tgt[DATE], tgt[HORIZON_MONTHS])
    tgt["_employee_order"] = encoded[EMPLOYEE_ID][0]
    tgt["_conversation_order"] = encoded[CONVERSATION_ID][0]
    tgt["_skill_order"] = skill_rank[codes]
    return tgt, {EMPLOYEE_ID: encoded[EMPLOYEE_ID][1], SKILL: np.asarray(skills, dtype=object)}
