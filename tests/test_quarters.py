"""analytics.quarters: one rule for a date's calendar quarter (and half-year and year), in every form the HR tables
use it: months since 1970 (``month_numbers``, ``quarter_months``, ``first_months``), quarters counted from year
zero (``quarter_index`` and its one-day form), first days (``quarter_start``, ``index_start``, ``quarter_starts``,
``month_starts``) and names (``quarter_label``).

The references are pandas' own calendar (``Timestamp.quarter``, ``.year``, ``.month``), over every day of years
before and after 1970 (negative month numbers too), leap days, times of day and missing dates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from careerconv.analytics import quarters

# Every third day of 1968-2032 and every month's last day (so every quarter's first and last day), a leap day.
_DAYS = pd.DatetimeIndex(sorted(set(pd.date_range("1968-01-01", "2032-12-31", freq="3D"))
                                | set(pd.date_range("1968-01-01", "2032-12-31", freq="ME"))
                                | set(pd.date_range("1968-01-01", "2032-12-31", freq="MS"))
                                | {pd.Timestamp("2024-02-29")}))


def _pandas_quarter_index(days: pd.DatetimeIndex) -> np.ndarray:
    return (days.year * 4 + days.quarter - 1).to_numpy(dtype=np.int64)


def _pandas_first_days(days: pd.DatetimeIndex, per: int) -> np.ndarray:
    return pd.to_datetime({"year": days.year, "month": (days.month - 1) // per * per + 1, "day": 1}).to_numpy()


def test_every_day_is_in_the_quarter_pandas_puts_it_in():
    expected = _pandas_quarter_index(_DAYS)
    np.testing.assert_array_equal(quarters.quarter_index(_DAYS.to_numpy()), expected)
    np.testing.assert_array_equal(quarters.quarter_index(pd.Series(_DAYS)), expected)
    assert [quarters.quarter_index_of(day) for day in _DAYS] == list(expected)
    # The two numberings are one: the quarter's first month since 1970, divided by three, plus 1970 * 4.
    np.testing.assert_array_equal(quarters.quarter_months(_DAYS.to_numpy()) // 3 + 1970 * 4, expected)


def test_first_days_agree_in_every_form():
    first = _pandas_first_days(_DAYS, 3)
    np.testing.assert_array_equal(quarters.month_starts(quarters.quarter_months(pd.Series(_DAYS))), first)
    np.testing.assert_array_equal(quarters.month_starts(quarters.quarter_months(_DAYS.to_numpy())), first)
    np.testing.assert_array_equal(quarters.quarter_starts(pd.Series(_pandas_quarter_index(_DAYS))).to_numpy(), first)
    assert [quarters.quarter_start(day) for day in _DAYS] == list(pd.DatetimeIndex(first))
    assert [quarters.index_start(quarters.quarter_index_of(day)) for day in _DAYS] == list(pd.DatetimeIndex(first))


def test_a_time_of_day_does_not_move_a_date_to_another_quarter():
    late = pd.Series(_DAYS + pd.Timedelta(hours=23, minutes=59, seconds=59))
    np.testing.assert_array_equal(quarters.quarter_months(late), quarters.quarter_months(pd.Series(_DAYS)))
    assert quarters.quarter_start(late.iloc[-1]) == quarters.quarter_start(_DAYS[-1])
    assert quarters.quarter_index_of(late.iloc[0]) == quarters.quarter_index_of(_DAYS[0])


@pytest.mark.parametrize("per", [1, 3, 6, 12])
def test_month_buckets_begin_where_pandas_calendar_begins_them(per):
    first = _pandas_first_days(_DAYS, per)
    months = quarters.month_numbers(pd.Series(_DAYS), per)
    np.testing.assert_array_equal(quarters.month_starts(months), first)
    each_month = quarters.month_numbers(pd.Series(_DAYS))
    np.testing.assert_array_equal(quarters.first_months(each_month, per), months)
    assert (months < 0).any() and (months > 0).any()  # before and after 1970


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("per", [1, 3, 6, 12])
def test_month_numbers_agree_with_converting_each_date(seed, per):
    rng = np.random.default_rng(seed)
    n = int(rng.choice([0, 1, 5, 300]))
    span = int(rng.choice([3, 400, 40_000]))  # close days (a table of them) and far apart (each converted)
    days = np.datetime64("2020-01-01") + rng.integers(-span, span, n).astype("timedelta64[D]")
    dates = pd.Series(days.astype("datetime64[ns]") + rng.integers(0, 86_400, n).astype("timedelta64[s]"))
    dates = dates.mask(rng.random(n) < rng.choice([0.0, 0.2, 1.0]))
    months = dates.to_numpy(dtype="datetime64[M]").astype(np.int64)
    expected = np.where(dates.isna(), months, months - months % per)
    np.testing.assert_array_equal(quarters.month_numbers(dates, per), expected)
    np.testing.assert_array_equal(quarters.month_numbers(dates.to_numpy(), per), expected)
    if per == 3:
        got = quarters.quarter_months(dates)
        assert got.dtype == np.int64
        np.testing.assert_array_equal(got, expected)


def test_missing_dates_stay_missing():
    dates = pd.Series(pd.to_datetime(["2025-05-17", None, "2024-12-31"]))
    first = pd.Series(quarters.month_starts(quarters.quarter_months(dates)))
    np.testing.assert_array_equal(first.isna(), [False, True, False])
    assert list(first.dropna()) == [pd.Timestamp("2025-04-01"), pd.Timestamp("2024-10-01")]
    assert pd.isna(quarters.month_starts(np.array([np.iinfo(np.int64).min]))[0])


def test_labels_name_the_quarter_pandas_puts_a_day_in():
    assert {quarters.quarter_label(day) for day in _DAYS if day.year == 2025} == \
        {"2025 Q1", "2025 Q2", "2025 Q3", "2025 Q4"}
    assert [quarters.quarter_label(day) for day in _DAYS] == [f"{day.year} Q{day.quarter}" for day in _DAYS]
    assert quarters.quarter_label("2025-09-30 23:59") == "2025 Q3"
    assert quarters.period_label("2025-07-01", "2025-10-01") == "2025 Q3"
