"""The rating trends by quarter, half-year and year worked out on whole numbers (issue 11 speed-up) give the
pieces of the frames they were first worked out with, in every period, on random ratings."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from careerconv.analytics import record_tables
from careerconv.analytics.levels import combined_codes, contributions, level_piece
from careerconv.analytics.record_tables import (ALL_SKILLS, GRAINS, PERIODS, Context, in_draft, sort_codes,
                                                departments)
from careerconv.analytics.scope import ReportScope
from careerconv.rules import followup

DEPARTMENTS = ("Alpha", "Beta", "Gamma")
SKILLS = {"a": 0, "b": 3, "c": 4, "d": 9}  # "zz" is no skill of the catalogue
PUBLIC = {3, 9}


def reference_rated_rows(ratings, drafts, ctx, department_of):
    """The rows of the rating trends as they were first read (in the order of the ratings)."""
    dates = pd.to_datetime(ratings["date"]).dt.normalize()
    keep = ratings["self_rating"].notna().to_numpy().copy()
    if len(drafts):
        keep &= ~in_draft(ratings, drafts)
    r = ratings.loc[keep, ["employee_id", "skill", "self_rating", "source", "record_id", "saved_at"]] \
        .assign(date=dates[keep])
    r = r.assign(department=departments(r["employee_id"], department_of), skill_id=ctx.skill_ids(r["skill"]),
                 rating=r["self_rating"].astype(float))
    r = r[r["department"].notna() & r["skill_id"].notna()]
    last = followup.last_recorded(r, ["employee_id", "skill_id", "date"])
    return r.loc[:, ["department", "skill_id", "rating", "date"]].assign(last=last,
                                                                         employee_id=sort_codes(r["employee_id"]))


def reference_piece(rated, ctx):
    """The piece as it was first worked out: with pandas frames, text departments and grains."""
    scope = ctx.scope
    r = rated[((rated["date"] >= scope.start) & (rated["date"] < scope.end)).to_numpy()]
    order = np.lexsort((r["rating"].to_numpy(dtype=float), r["last"].to_numpy(dtype=bool),
                        r["date"].to_numpy().view(np.int64)))
    r = r.take(order).drop(columns="last")
    department_of_code = r.drop_duplicates("employee_id").loc[:, ["employee_id", "department"]]
    months = r["date"].to_numpy(dtype="datetime64[M]").astype(np.int64)
    person_skill = combined_codes([r["employee_id"].to_numpy(), pd.factorize(r["skill_id"])[0]])
    rows, events = [], []
    for grain, per in GRAINS:
        bucket = pd.Series((months - months % 12 % per).astype("datetime64[M]").astype("datetime64[us]"),
                           index=r.index).clip(lower=scope.start)
        key = combined_codes([person_skill, pd.factorize(bucket.to_numpy().view(np.int64))[0]])
        found = r.assign(grain=grain, bucket=bucket)[~pd.Series(key).duplicated(keep="last").to_numpy()]
        every = found.groupby(["employee_id", "bucket"], as_index=False) \
            .agg(rating=("rating", "mean"), date=("date", "max")) \
            .merge(department_of_code, on="employee_id", how="left").assign(grain=grain, skill_id=ALL_SKILLS)
        listed = found[found["skill_id"].isin(ctx.public)] if grain != "quarter" else found.iloc[0:0]
        for part in (every, listed):
            rows.append(part.loc[:, ["employee_id", "department", "grain", "bucket", "skill_id", "rating"]])
            events.append(part.loc[:, ["employee_id", "department", "grain", "bucket", "skill_id", "date"]])
    by = ["grain", "bucket", "skill_id"]
    per_emp = pd.concat(rows, ignore_index=True).astype({"skill_id": "int64"})
    happened = pd.concat(events, ignore_index=True).astype({"skill_id": "int64"})
    return level_piece(per_emp, by, PERIODS, scope, contributions(happened, by))


def random_ratings(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Ratings with ties on a day, missing values, drafts, check-ins and ids nobody knows; the drafts' record ids
    and the department by employee id."""
    n = int(rng.integers(0, 400))
    people = [f"e{i}" for i in range(int(rng.integers(1, 25)))]
    days = pd.date_range("2023-01-01", "2026-12-31", freq="D")
    days = days[rng.choice(len(days), size=int(rng.integers(1, 40)))]  # few days: many ratings share one
    when = days[rng.integers(0, len(days), n)] + pd.to_timedelta(rng.integers(0, 86_400, n), unit="s")
    ratings = pd.DataFrame({
        "employee_id": pd.Series(rng.choice([*people, "ghost", None], n), dtype="str"),
        "skill": pd.Series(rng.choice([*SKILLS, "zz", None], n), dtype="str"),
        "self_rating": np.where(rng.random(n) < 0.1, np.nan, rng.integers(1, 11, n) / rng.choice([1, 2], n)),
        "source": pd.Series(rng.choice(["conversation", "checkin", None], n), dtype="str"),
        "record_id": pd.Series([f"r{i}" for i in rng.integers(0, 30, n)], dtype="str"),
        "saved_at": pd.Series(when + pd.to_timedelta(rng.integers(0, 3, n), unit="h")).where(rng.random(n) < 0.7),
        "date": pd.Series(when).where(rng.random(n) < 0.97),
    })
    drafts = pd.Series([f"r{i}" for i in range(0, 30, 4)], dtype="str")
    department_of = pd.Series(rng.choice([*DEPARTMENTS, None], len(people)), index=people, dtype=object)
    return ratings, drafts, department_of


def context(rng: np.random.Generator) -> Context:
    quarters = pd.date_range("2022-10-01", "2027-01-01", freq="QS")
    start, end = sorted(rng.choice(len(quarters), 2, replace=False))
    start = quarters[start] + pd.Timedelta(days=int(rng.choice([0, 0, 0, 17])))  # now and then mid-quarter
    chosen = [None, ("Beta",), ("Alpha", "Gamma"), ("Delta",)][int(rng.integers(0, 4))]
    scope = ReportScope(start=start, end=quarters[end], departments=chosen, all_departments=DEPARTMENTS, k=3,
                        as_of=(quarters[end] - pd.Timedelta(days=1)).date())
    labels = pd.Series({i: name for name, i in SKILLS.items()})
    return Context(scope, labels, PUBLIC, lambda names: names.map(SKILLS).astype("Int64"), pd.DataFrame())


@pytest.mark.parametrize("seed", range(60))
def test_rating_trends_on_whole_numbers_give_the_pieces_of_the_frames(seed):
    rng = np.random.default_rng(seed)
    ratings, drafts, department_of = random_ratings(rng)
    ctx = context(rng)
    rated = record_tables.rated_rows(ratings, drafts, ctx, department_of)
    reference = reference_rated_rows(ratings, drafts, ctx, department_of)
    for report in (ctx, context(rng), context(rng)):  # one part's rows, shared by several reports
        got = record_tables.rating_periods_piece(ratings, drafts, report, department_of, rated)
        expected = reference_piece(reference, report)
        assert got.by == expected.by
        for field in ("sums", "values", "contrib"):
            pd.testing.assert_frame_equal(getattr(got, field), getattr(expected, field), obj=field)


def test_the_rows_of_a_period_are_one_run_and_each_knows_the_next_in_its_bucket():
    rated = record_tables.rated_rows(*_fixed())
    assert rated["date"].is_monotonic_increasing
    # e1 rated skill a on 2024-01-10 and 2024-02-20 (one quarter), then on 2024-05-01 (the same half-year).
    days = {day: i for i, day in enumerate(rated["date"].dt.strftime("%Y-%m-%d"))}
    assert rated["later_quarter"].tolist() == [days["2024-02-20"], len(rated), len(rated)]
    assert rated["later_half-year"].tolist() == [days["2024-02-20"], days["2024-05-01"], len(rated)]
    assert rated["later_year"].tolist() == rated["later_half-year"].tolist()


def _fixed():
    ratings = pd.DataFrame({"employee_id": pd.Series(["e1"] * 3, dtype="str"),
                            "skill": pd.Series(["a"] * 3, dtype="str"), "self_rating": [3.0, 4.0, 5.0],
                            "source": pd.Series(["conversation"] * 3, dtype="str"),
                            "record_id": pd.Series(["r1", "r2", "r3"], dtype="str"), "saved_at": pd.NaT,
                            "date": pd.to_datetime(["2024-05-01", "2024-01-10", "2024-02-20"])})
    scope = ReportScope(start=pd.Timestamp("2024-01-01"), end=pd.Timestamp("2025-01-01"), departments=None,
                        all_departments=DEPARTMENTS, k=3, as_of=dt.date(2024, 12, 31))
    ctx = Context(scope, pd.Series(dtype=object), PUBLIC, lambda names: names.map(SKILLS).astype("Int64"),
                  pd.DataFrame())
    return ratings, pd.Series([], dtype="str"), ctx, pd.Series({"e1": "Alpha"}, dtype=object)


@pytest.mark.parametrize("seed", range(20))
def test_rating_trends_of_frames_given_in_memory_as_objects(seed):
    """Text columns as Python objects (as small organisations and the tests pass them) give the same pieces."""
    rng = np.random.default_rng(seed)
    ratings, drafts, department_of = random_ratings(rng)
    as_objects = ratings.astype({c: object for c in ("employee_id", "skill", "source", "record_id")})
    ctx = context(rng)
    got = record_tables.rating_periods_piece(as_objects, drafts.astype(object), ctx, department_of)
    expected = reference_piece(reference_rated_rows(ratings, drafts, ctx, department_of), ctx)
    for field in ("sums", "values", "contrib"):
        pd.testing.assert_frame_equal(getattr(got, field), getattr(expected, field), obj=field)


@pytest.mark.parametrize("highest", [0, 1, 255, 65_535, 65_536, 2 ** 40, 2 ** 50])
def test_stable_order_is_numpys_stable_argsort(highest):
    rng = np.random.default_rng(highest % 97)
    key = rng.integers(0, highest + 1, 5_000)
    assert (record_tables.stable_order(key) == np.argsort(key, kind="stable")).all()
    assert len(record_tables.stable_order(key[:0])) == 0
