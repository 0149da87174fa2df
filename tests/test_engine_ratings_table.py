"""The rating engine counts a ratings frame converted once (engine.ratings_table, which the neighbouring reports of
a part share, issue 11 speed-up) exactly as it counts the frame itself, for every period."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from careerconv import analytics
from careerconv.analytics import engine
from careerconv.records import schema
from careerconv.records.schema import (
    COACH_RATING, DATE, EMPLOYEE_ID, RECORD_ID, SELF_RATING, SKILL,
)

PARTIALS = ("trend_hist", "dist_hist", "gaps", "gaps_all", "gap_contrib")


def _ratings(seed: int, n: int = 1500) -> pd.DataFrame:
    """Seeded random ratings: few days (so one skill is often rated twice on one day: ties), missing ratings,
    record ids and save times, unknown employees, draft record ids and several spellings of one skill."""
    rng = np.random.default_rng(seed)
    days = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 700, n) // 7 * 7, unit="D")
    records = np.array([f"R{i}" for i in rng.integers(0, 300, n)], dtype=object)
    records[rng.random(n) < 0.1] = None
    saved = np.array([f"2024-01-01T00:00:{s:02d}Z" for s in rng.integers(0, 60, n)], dtype=object)
    saved[rng.random(n) < 0.5] = None
    frame = pd.DataFrame({
        EMPLOYEE_ID: [f"E{i}" for i in rng.integers(0, 45, n)],  # E40..E44: not on the roster
        DATE: days.strftime("%Y-%m-%d"),
        SKILL: rng.choice(["SQL", "sql", "Python", "Negotiation", "public speaking", "Public-Speaking"], n),
        SELF_RATING: pd.array(np.where(rng.random(n) < 0.05, None, rng.integers(1, 11, n)), dtype="Int64"),
        COACH_RATING: pd.array(np.where(rng.random(n) < 0.5, None, rng.integers(1, 11, n)), dtype="Int64"),
        "source": rng.choice(["conversation", "checkin", "import"], n),
        RECORD_ID: records,
        "saved_at": saved,
    })
    frame = schema.coerce_frame(frame.drop(columns="saved_at"), schema.table("skill_ratings"))
    return frame.assign(saved_at=pd.Series(saved, dtype="str"))


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("period", [("2024-07-01", "2025-07-01"), ("2025-01-01", "2025-10-01"),
                                    ("2024-01-01", "2025-04-01")])
def test_a_converted_frame_gives_the_same_partials_as_the_frame(seed, period):
    ratings = _ratings(seed)
    roster = pd.DataFrame({EMPLOYEE_ID: [f"E{i}" for i in range(40)], "department": [f"D{i % 3}" for i in range(40)]})
    codes = pd.DataFrame({EMPLOYEE_ID: roster[EMPLOYEE_ID].astype(object), "emp": np.arange(40),
                          "dept": np.arange(40) % 3, "department": roster["department"].astype(object)})
    catalogue = analytics.skill_catalogue(ratings[SKILL])
    scope = analytics.resolve_scope(roster.assign(coach_id="C", cadence_months=6), "2025-12-01", period[0],
                                    period[1], ["D0", "D2"], 3)
    drafts = ["R3", "R7", "R11", "R40"]
    table = engine.ratings_table(ratings)
    for _ in range(2):  # the table is read, not used up: a second count gives the same
        converted = engine.rating_partials(table, codes, catalogue, drafts, scope)
        plain = engine.rating_partials(ratings, codes, catalogue, drafts, scope)
        for name in PARTIALS:
            pd.testing.assert_frame_equal(getattr(converted, name), getattr(plain, name), check_exact=True, obj=name)
    assert len(plain.dist_hist) and len(plain.gaps)  # empty tables would compare equal to anything empty
