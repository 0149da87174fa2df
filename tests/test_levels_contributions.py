"""analytics.levels.contributions, counted on whole numbers, agrees with counting the rows as pandas groups them.

The reference below is the plain pandas version it replaced (kept here as the definition): each employee once
per group and quarter, in the department of their first row there, then the employees per group, department and
quarter. Seeded random frames cover text and number keys, missing values everywhere, an employee in two
departments, several rows of one employee on one day and dates far apart.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from careerconv.analytics import levels
from careerconv.analytics.levels import contributions


def _reference_quarter_months(dates: pd.Series) -> np.ndarray:
    months = pd.to_datetime(dates).to_numpy(dtype="datetime64[M]").astype(np.int64)
    nat = months == np.iinfo(np.int64).min
    return np.where(nat, months, months - months % 3)


def _reference(events: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    if events.empty:
        return levels.no_contributions(by)
    keys = [*by, "department", "quarter"]
    frame = events.loc[:, [*by, "department"]].assign(quarter=_reference_quarter_months(events["date"]),
                                                      _e=pd.factorize(events["employee_id"])[0])
    frame = frame[~frame.duplicated([*by, "quarter", "_e"]).to_numpy()]
    frame["quarter"] = frame["quarter"].to_numpy().astype("datetime64[M]").astype("datetime64[ns]")
    return frame.assign(n=(frame["_e"] >= 0).astype(np.int64)).groupby(keys, dropna=False, as_index=False)["n"].sum()


def _dates(rng: np.random.Generator, n: int) -> pd.Series:
    span = int(rng.choice([1, 40, 800, 200_000]))  # one day, a few weeks, years, centuries apart
    days = rng.integers(-3_000, 20_000) + rng.integers(0, span, n)
    seconds = days * 86_400 + rng.integers(0, 86_400, n) * int(rng.integers(0, 2))
    dates = pd.Series(seconds.astype("datetime64[s]").astype(f"datetime64[{rng.choice(['ns', 'us', 's'])}]"))
    return dates.mask(rng.random(n) < rng.choice([0.0, 0.2, 1.0]))


def _events(rng: np.random.Generator, n: int, text_ids: bool) -> tuple[pd.DataFrame, list[str]]:
    employee = rng.integers(0, max(1, n // 3), n)
    # Number ids from 0 or from -1 (an id like any other, not a missing one).
    ids = pd.Series([f"E{e:03d}" for e in employee], dtype="str") if text_ids \
        else pd.Series(employee - int(rng.integers(0, 2)))
    if text_ids or rng.random() < 0.5:  # else whole numbers from 0, none missing (as the employees' codes)
        ids = ids.mask(rng.random(n) < 0.1)
    # Mostly one department per employee (as every caller has it), some in two, some missing.
    department = pd.Series([f"D{e % 3}" for e in employee], dtype="str")
    department = department.mask(rng.random(n) < 0.1, "D9").mask(rng.random(n) < 0.05)
    frame = pd.DataFrame({"employee_id": ids, "department": department, "date": _dates(rng, n)})
    columns = {
        "skill_id": pd.Series(rng.integers(-1, 4, n)),
        "skill_int": pd.Series(rng.integers(0, 4, n), dtype="Int64").mask(rng.random(n) < 0.1),
        "kind": pd.Series(rng.choice(["course", "project", "mentor"], n), dtype="str").mask(rng.random(n) < 0.1),
        "coach_id": pd.Series(rng.choice(["C1", "C2", None], n), dtype=object),
        "horizon_months": pd.Series(rng.choice([3, 6, 12], n)),
        "bucket": pd.Series(rng.choice(pd.to_datetime(["2025-01-01", "2025-07-01", None]), n)),
    }
    by = list(rng.choice(list(columns), int(rng.integers(0, 4)), replace=False))
    for name in by:
        frame[name] = columns[name]
    return frame.loc[:, [*by, "employee_id", "department", "date"]], by


@pytest.mark.parametrize("seed", range(40))
def test_contributions_agree_with_grouping_the_rows(seed):
    rng = np.random.default_rng(seed)
    for n in (0, 1, 7, 60, 400):
        events, by = _events(rng, n, text_ids=bool(seed % 2))
        pd.testing.assert_frame_equal(contributions(events, by), _reference(events, by))


def test_an_employee_counts_once_per_quarter_in_their_first_department():
    events = pd.DataFrame({"employee_id": ["a", "a", "a", "b", None],
                           "department": ["D1", "D2", "D1", "D1", "D1"],
                           "date": pd.to_datetime(["2025-01-05", "2025-02-01", "2025-04-01", "2025-03-31",
                                                   "2025-01-01"])})
    out = contributions(events, [])
    assert out.to_dict("list") == {"department": ["D1", "D1"],
                                   "quarter": list(pd.to_datetime(["2025-01-01", "2025-04-01"])), "n": [2, 1]}


@pytest.mark.parametrize("seed", range(20))
def test_rows_counted_in_place_agree_with_the_frame_of_those_rows(seed):
    # The targets' tables count each target on its conversation day and again on the day it was measured:
    # the rows listed (some twice, some not at all, in any order) on days given apart.
    rng = np.random.default_rng(seed)
    for n in (1, 7, 60, 400):
        frame, by = _events(rng, n, text_ids=bool(seed % 2))
        rows = rng.integers(0, n, int(rng.integers(1, 2 * n + 1)))
        dates = _dates(rng, len(rows))
        events = frame.iloc[rows].assign(date=dates.to_numpy()).reset_index(drop=True)
        pd.testing.assert_frame_equal(contributions(frame, by, rows=rows, dates=dates.to_numpy()),
                                      _reference(events, by))


def test_a_target_counts_on_its_day_and_on_the_day_it_was_measured():
    targets = pd.DataFrame({"employee_id": [0, 1], "department": ["D1", "D2"],
                            "date": pd.to_datetime(["2025-01-05", "2025-02-01"])})
    measured = pd.to_datetime(["2025-07-10", "2025-02-20"]).to_numpy()
    out = contributions(targets, [], rows=np.array([0, 1, 0, 1]),
                        dates=np.concatenate([targets["date"].to_numpy(), measured]))
    assert out.to_dict("list") == {"department": ["D1", "D1", "D2"],
                                   "quarter": list(pd.to_datetime(["2025-01-01", "2025-07-01", "2025-01-01"])),
                                   "n": [1, 1, 1]}


def test_rows_without_their_dates_are_refused():
    frame = pd.DataFrame({"employee_id": [0], "department": ["D1"], "date": pd.to_datetime(["2025-01-05"])})
    with pytest.raises(ValueError, match="both rows and dates"):
        contributions(frame, [], rows=np.array([0]))
