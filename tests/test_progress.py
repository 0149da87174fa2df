"""Progress against the 6/12/18-month targets (careerconv.rules.progress)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from careerconv.rules.followup import recorded_key, recorded_order
from careerconv.rules import progress
from careerconv.records import schema
from careerconv.rules.progress import (
    AHEAD, BEHIND, DUE_NOT_MEASURED, UPCOMING, ON_TRACK, STATUSES, attainment_rate, classify, current_vs_target,
    expected_on_line, horizon_date, latest_ratings, progress_at_horizons,
)

T0 = "2024-01-15"  # conversation; 6-month horizon is 2024-07-15


def make_targets(rows: list[tuple]) -> pd.DataFrame:
    """rows: (employee, conversation, date, skill, baseline, horizon_months, target)."""
    frame = pd.DataFrame(rows, columns=list(progress.TARGET_COLUMNS))
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    frame["baseline"] = frame["baseline"].astype("Int64")
    frame["target"] = frame["target"].astype("Int64")
    return frame


def make_ratings(rows: list[tuple]) -> pd.DataFrame:
    """rows: (employee, date, skill, self_rating[, source[, coach_rating]])."""
    full = []
    for i, row in enumerate(rows):
        employee, date, skill, self_rating = row[:4]
        source = row[4] if len(row) > 4 else "checkin"
        coach = row[5] if len(row) > 5 else None
        full.append((employee, date, skill, self_rating, coach, source, f"r{i:03d}"))
    frame = pd.DataFrame(
        full, columns=["employee_id", "date", "skill", "self_rating", "coach_rating", "source", "record_id"]
    )
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    frame["self_rating"] = frame["self_rating"].astype("Int64")
    frame["coach_rating"] = frame["coach_rating"].astype("Int64")
    return frame


def one_plan(baseline=4, targets=(6, 7, 8), skill="Public speaking", employee="e1", conversation="c1", t0=T0):
    return make_targets(
        [(employee, conversation, t0, skill, baseline, m, t) for m, t in zip((6, 12, 18), targets)]
    )


def at_six_months(ratings: pd.DataFrame, as_of="2024-12-31", **kwargs) -> pd.Series:
    out = progress_at_horizons(one_plan(), ratings, as_of, **kwargs)
    return out.loc[out["horizon_months"] == 6].iloc[0]


# --- horizon dates ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("t0", "months", "expected"),
    [
        ("2024-01-15", 6, "2024-07-15"),
        ("2024-01-15", 12, "2025-01-15"),
        ("2024-01-15", 18, "2025-07-15"),
        ("2024-01-31", 6, "2024-07-31"),  # July has 31 days
        ("2023-08-31", 6, "2024-02-29"),  # leap year: end of February
        ("2024-08-31", 6, "2025-02-28"),
        ("2024-03-31", 6, "2024-09-30"),  # September has 30 days
        ("2024-02-29", 12, "2025-02-28"),
    ],
)
def test_horizon_date_uses_calendar_months(t0, months, expected):
    assert horizon_date(t0, months) == pd.Timestamp(expected)


@pytest.mark.parametrize("months", [-6, 6.5, "6", True, None])
def test_horizon_date_rejects_bad_months(months):
    with pytest.raises(ValueError, match="months"):
        horizon_date("2024-01-15", months)


def test_horizon_date_rejects_bad_date():
    with pytest.raises(ValueError, match="t0"):
        horizon_date("not a date", 6)


_MONTH_CASES = [("2024-01-15", 6), ("2024-01-31", 6), ("2023-08-31", 6), ("2024-08-31", 6), ("2024-03-31", 6),
                ("2024-02-29", 12), ("2024-02-29", 48), ("2024-01-31", 1), ("2024-12-31", 2), ("2024-05-31", 0),
                ("1999-11-30", 3), ("2024-10-31", 18)]


def test_horizon_dates_of_a_column_agree_with_horizon_date_row_by_row():
    t0 = pd.Series(pd.to_datetime([day for day, _ in _MONTH_CASES]))
    months = pd.array([m for _, m in _MONTH_CASES], dtype="Int64")
    found = progress.horizon_dates(t0, months)
    assert list(found) == [horizon_date(day, m) for day, m in _MONTH_CASES]
    assert found.dtype == "datetime64[ns]"


@settings(max_examples=40)
@given(seed=st.integers(0, 2**32 - 1), with_time=st.booleans())
def test_horizon_dates_agree_with_horizon_date_on_random_repeated_dates(seed, with_time):
    """Many rows share a date (each distinct date is shifted once); month ends, leap days, times of day,
    missing dates and missing months among them."""
    rng = np.random.default_rng(seed)
    days = pd.Timestamp("2023-12-28") + pd.to_timedelta(rng.integers(0, 800, 6), "D")
    t0 = pd.Series(rng.choice(np.array(days, dtype="datetime64[ns]"), 60), index=rng.permutation(60) + 100)
    if with_time:
        t0 = t0 + pd.to_timedelta(rng.integers(0, 86_400, 60), "s")
    t0[rng.random(60) < 0.1] = pd.NaT
    months = pd.array(rng.choice([0, 1, 6, 12, 18, 48], 60), dtype="Int64")
    months[rng.random(60) < 0.1] = pd.NA
    found = progress.horizon_dates(t0, months)
    want = [pd.NaT if pd.isna(day) or pd.isna(m) else horizon_date(day, int(m)) for day, m in zip(t0, months)]
    assert found.index.equals(t0.index) and found.dtype == "datetime64[ns]"
    assert found.tolist() == want


def test_horizon_dates_of_a_missing_date_or_months_are_missing():
    t0 = pd.Series(pd.to_datetime(["2024-01-31", None, "2024-03-31"]))
    found = progress.horizon_dates(t0, pd.array([6, 6, None], dtype="Int64"))
    assert found.iloc[0] == pd.Timestamp("2024-07-31") and found.iloc[1:].isna().all()


@pytest.mark.parametrize("months", [-1, 2.5])
def test_horizon_dates_refuse_what_horizon_date_refuses(months):
    with pytest.raises(ValueError, match="months must be a whole number of months >= 0"):
        progress.horizon_dates(pd.Series(pd.to_datetime(["2024-01-15"])), [months])
    with pytest.raises(ValueError, match="months must be a whole number of months >= 0"):
        horizon_date("2024-01-15", months)


def test_horizons_in_the_table_use_the_same_month_end_rule():
    targets = make_targets([("e1", "c1", "2023-08-31", "Python", 4, 6, 6), ("e1", "c1", "2023-08-31", "Python", 4, 12, 7)])
    out = progress_at_horizons(targets, make_ratings([]), "2025-01-01")
    assert list(out["horizon_date"]) == [pd.Timestamp("2024-02-29"), pd.Timestamp("2024-08-31")]


# --- the plan line and classification --------------------------------------------


def test_expected_on_line_is_a_straight_line_from_baseline_to_target():
    # 2024-01-15 -> 2024-07-15 is 182 days; 91 days in is exactly half way.
    assert expected_on_line(T0, 4, "2024-07-15", 6, "2024-04-15") == pytest.approx(5.0)
    assert expected_on_line(T0, 4, "2024-07-15", 6, T0) == pytest.approx(4.0)
    assert expected_on_line(T0, 4, "2024-07-15", 6, "2024-07-15") == pytest.approx(6.0)
    assert expected_on_line(T0, 4, "2024-07-15", 6, "2024-07-10") == pytest.approx(4 + 2 * 177 / 182)


def test_expected_on_line_holds_the_target_after_the_horizon():
    # A rating a month late is judged against the agreed target, not a line
    # that keeps climbing past it.
    assert expected_on_line(T0, 4, "2024-07-15", 6, "2024-08-15") == pytest.approx(6.0)


def test_expected_on_line_without_baseline_is_the_target():
    assert expected_on_line(T0, None, "2024-07-15", 6, "2024-05-01") == pytest.approx(6.0)
    assert expected_on_line(T0, pd.NA, "2024-07-15", 6, "2024-05-01") == pytest.approx(6.0)


def test_expected_on_line_rejects_a_horizon_before_the_conversation():
    with pytest.raises(ValueError, match="horizon_date"):
        expected_on_line(T0, 4, "2024-01-01", 6, "2024-02-01")


@pytest.mark.parametrize(
    ("rating", "expected", "status"),
    [
        (7, 5.9, AHEAD),
        (6, 5.9, ON_TRACK),
        (5, 5.9, BEHIND),
        (6.5, 6.0, ON_TRACK),  # the band is inclusive
        (5.5, 6.0, ON_TRACK),
        (6.51, 6.0, AHEAD),
        (5.49, 6.0, BEHIND),
        (None, 6.0, DUE_NOT_MEASURED),
        (pd.NA, 6.0, DUE_NOT_MEASURED),
    ],
)
def test_classify(rating, expected, status):
    assert classify(rating, expected) == status


def test_classify_without_a_measurement_before_the_date_is_upcoming():
    assert classify(None, 6.0, due=False) == UPCOMING
    assert classify(7, 6.0, due=False) == AHEAD  # a measurement counts whatever the date


def test_classify_tolerance_and_its_validation():
    assert classify(7, 6, tolerance=1) == ON_TRACK
    assert classify(7, 6, tolerance=0) == AHEAD
    with pytest.raises(ValueError, match="tolerance"):
        classify(7, 6, tolerance=-0.1)


def test_status_constants():
    assert STATUSES == ("ahead", "on track", "behind", "due but not measured", "upcoming")


# --- progress at horizons: the hand-computed example ------------------------------


@pytest.mark.parametrize(("rating", "status"), [(7, AHEAD), (6, ON_TRACK), (5, BEHIND)])
def test_rating_near_the_six_month_horizon(rating, status):
    # Baseline 4 on 2024-01-15, target 6 on 2024-07-15; on 2024-07-10 the line is at 5.95.
    row = at_six_months(make_ratings([("e1", "2024-07-10", "Public speaking", rating)]))
    assert row["status"] == status
    assert row["measured_date"] == pd.Timestamp("2024-07-10")
    assert row["measured_rating"] == rating
    assert row["expected"] == pytest.approx(4 + 2 * 177 / 182)
    assert row["horizon_date"] == pd.Timestamp("2024-07-15")
    assert row["target"] == 6 and row["baseline"] == 4 and row["t0"] == pd.Timestamp(T0)


def test_nothing_within_the_window_is_due_but_not_measured():
    ratings = make_ratings([("e1", "2024-04-01", "Public speaking", 6), ("e1", "2024-10-01", "Public speaking", 7)])
    row = at_six_months(ratings)
    assert row["status"] == DUE_NOT_MEASURED
    assert pd.isna(row["measured_date"]) and pd.isna(row["measured_rating"]) and pd.isna(row["expected"])


def test_the_window_edge_is_inclusive():
    on_edge = make_ratings([("e1", "2024-09-13", "Public speaking", 6)])  # 60 days after 2024-07-15
    past_edge = make_ratings([("e1", "2024-09-14", "Public speaking", 6)])
    assert at_six_months(on_edge)["measured_rating"] == 6
    assert at_six_months(past_edge)["status"] == DUE_NOT_MEASURED
    assert at_six_months(past_edge, window_days=61)["measured_rating"] == 6


def test_a_rating_given_in_the_conversation_is_the_baseline_not_a_measurement():
    ratings = make_ratings([("e1", T0, "Public speaking", 4, "conversation")])
    row = at_six_months(ratings, window_days=400)  # the window reaches back past t0
    assert row["status"] == DUE_NOT_MEASURED


def test_a_later_rating_on_the_conversation_day_is_still_the_baseline():
    ratings = make_ratings([("e1", "2024-01-15 16:30", "Public speaking", 9, "checkin")])
    assert at_six_months(ratings, window_days=400)["status"] == DUE_NOT_MEASURED


def test_as_of_before_the_horizon():
    ratings = make_ratings(
        [("e1", "2024-06-01", "Public speaking", 6), ("e1", "2024-07-15", "Public speaking", 9)]
    )
    out = progress_at_horizons(one_plan(), ratings, "2024-06-20")
    six = out.loc[out["horizon_months"] == 6].iloc[0]
    assert not six["horizon_reached"]
    # The rating after as_of is ignored; the earlier one inside the window counts for now.
    assert six["measured_date"] == pd.Timestamp("2024-06-01") and six["measured_rating"] == 6
    assert not out["horizon_reached"].any()


def test_horizon_reached_on_the_horizon_day():
    out = progress_at_horizons(one_plan(), make_ratings([]), "2024-07-15")
    assert list(out["horizon_reached"]) == [True, False, False]


def test_the_rating_closest_to_the_horizon_wins():
    ratings = make_ratings(
        [
            ("e1", "2024-06-01", "Public speaking", 5),  # 44 days before
            ("e1", "2024-07-05", "Public speaking", 6),  # 10 days before
            ("e1", "2024-08-04", "Public speaking", 8),  # 20 days after
        ]
    )
    row = at_six_months(ratings)
    assert row["measured_date"] == pd.Timestamp("2024-07-05") and row["measured_rating"] == 6


def test_equally_close_ratings_take_the_later_one():
    ratings = make_ratings(
        [("e1", "2024-07-05", "Public speaking", 5), ("e1", "2024-07-25", "Public speaking", 7)]
    )
    row = at_six_months(ratings)
    assert row["measured_date"] == pd.Timestamp("2024-07-25") and row["measured_rating"] == 7
    assert row["expected"] == pytest.approx(6.0)  # after the horizon the target holds
    assert row["status"] == AHEAD


def test_two_ratings_on_one_day_prefer_the_conversation():
    ratings = make_ratings(
        [
            ("e1", "2024-07-15", "Public speaking", 8, "checkin"),
            ("e1", "2024-07-15", "Public speaking", 6, "conversation"),
            ("e1", "2024-07-15", "Public speaking", 3, "import"),
        ]
    )
    assert at_six_months(ratings)["measured_rating"] == 6
    assert latest_ratings(ratings, "2024-12-31")["rating"].tolist() == [6]


def test_skill_names_match_ignoring_case_and_spaces():
    ratings = make_ratings([("e1", "2024-07-10", "  public SPEAKING ", 6)])
    assert at_six_months(ratings)["measured_rating"] == 6


def test_skill_names_match_the_way_the_rest_of_the_product_compares_them():
    ratings = make_ratings([("e1", "2024-07-10", "Public   speaking", 6)])  # extra inner spaces
    assert at_six_months(ratings)["measured_rating"] == 6


def test_column_contract_matches_the_schema_tables():
    assert set(progress.TARGET_COLUMNS) <= set(schema.TARGETS.names)
    assert set(progress.RATING_COLUMNS) | {"self_rating", "coach_rating"} <= set(schema.SKILL_RATINGS.names)


def test_frames_typed_as_the_store_types_them():
    # The store's derived tables use pandas "string" and nullable Int64 columns.
    targets = one_plan().astype({"employee_id": "string", "conversation_id": "string", "skill": "string",
                                 "horizon_months": "Int64"})
    ratings = make_ratings([("e1", "2024-07-10", "public speaking", 7)]).astype(
        {"employee_id": "string", "skill": "string", "source": "string", "record_id": "string"}
    )
    out = progress_at_horizons(targets, ratings, "2025-03-01")
    assert list(out["status"]) == [AHEAD, DUE_NOT_MEASURED, UPCOMING]
    assert current_vs_target(targets, ratings, "2024-08-01").loc[0, "status"] == AHEAD
    assert latest_ratings(ratings, "2025-03-01").loc[0, "rating"] == 7


def test_other_employees_and_other_skills_do_not_count():
    ratings = make_ratings(
        [("e2", "2024-07-15", "Public speaking", 9), ("e1", "2024-07-15", "Public speaking skills", 9)]
    )
    assert at_six_months(ratings)["status"] == DUE_NOT_MEASURED


def test_missing_ratings_are_skipped_and_coach_ratings_can_be_used():
    ratings = make_ratings(
        [
            ("e1", "2024-07-15", "Public speaking", None, "checkin", 5),  # only a coach rating
            ("e1", "2024-07-01", "Public speaking", 7, "checkin", None),
        ]
    )
    assert at_six_months(ratings)["measured_date"] == pd.Timestamp("2024-07-01")
    coach = at_six_months(ratings, rating_column="coach_rating")
    assert coach["measured_date"] == pd.Timestamp("2024-07-15") and coach["measured_rating"] == 5
    assert coach["status"] == BEHIND


def test_missing_baseline_is_judged_against_the_target():
    targets = one_plan(baseline=None)
    ratings = make_ratings([("e1", "2024-07-10", "Public speaking", 6)])
    row = progress_at_horizons(targets, ratings, "2024-12-31").iloc[0]
    assert pd.isna(row["baseline"])
    assert row["expected"] == pytest.approx(6.0) and row["status"] == ON_TRACK


def test_each_target_is_measured_separately():
    ratings = make_ratings(
        [
            ("e1", "2024-07-10", "Public speaking", 7),
            ("e1", "2025-01-20", "Public speaking", 6),
        ]
    )
    out = progress_at_horizons(one_plan(), ratings, "2025-03-01")
    assert list(out["horizon_months"]) == [6, 12, 18]
    assert list(out["status"]) == [AHEAD, BEHIND, UPCOMING]
    assert list(out["horizon_reached"]) == [True, True, False]


def test_output_columns_types_and_order():
    targets = pd.concat([one_plan(employee="e2"), one_plan(employee="e1", skill="Python")], ignore_index=True)
    out = progress_at_horizons(targets, make_ratings([]), "2025-01-01")
    assert list(out.columns) == list(progress.PROGRESS_COLUMNS)
    assert len(out) == len(targets)
    assert list(out["employee_id"]) == ["e1"] * 3 + ["e2"] * 3
    assert set(out["status"]) <= set(STATUSES)
    assert str(out["measured_date"].dtype) == "datetime64[ns]"
    assert str(out["horizon_date"].dtype) == "datetime64[ns]"
    assert str(out["measured_rating"].dtype) == "Int64"
    assert out["horizon_reached"].dtype == bool


def test_empty_inputs_give_an_empty_table_with_the_columns():
    out = progress_at_horizons(one_plan().iloc[:0], make_ratings([]), "2025-01-01")
    assert out.empty and list(out.columns) == list(progress.PROGRESS_COLUMNS)


def test_inputs_are_not_modified():
    targets = one_plan(targets=(6, 7, 8), skill=" Public speaking ")
    ratings = make_ratings(
        [("e1", T0, "public speaking", 4, "conversation"), ("e1", "2024-07-10", "Public Speaking ", 7)]
    )
    targets_before, ratings_before = targets.copy(deep=True), ratings.copy(deep=True)
    progress_at_horizons(targets, ratings, "2025-03-01")
    latest_ratings(ratings, "2025-03-01")
    current_vs_target(targets, ratings, "2025-03-01")
    pd.testing.assert_frame_equal(targets, targets_before)
    pd.testing.assert_frame_equal(ratings, ratings_before)


# --- bad input ----------------------------------------------------------------------


def test_missing_target_columns_are_named():
    with pytest.raises(ValueError, match=r"targets is missing column\(s\): baseline, target"):
        progress_at_horizons(one_plan().drop(columns=["target", "baseline"]), make_ratings([]), "2025-01-01")


def test_missing_rating_columns_are_named():
    with pytest.raises(ValueError, match=r"ratings is missing column\(s\): record_id"):
        progress_at_horizons(one_plan(), make_ratings([]).drop(columns=["record_id"]), "2025-01-01")


@pytest.mark.parametrize(
    ("column", "values", "message"),
    [
        ("target", [6, 11, 8], r"targets\.target .*1-10.*row 1: 11"),
        ("target", [6, None, 8], r"targets\.target"),
        ("baseline", [0, 4, 4], r"targets\.baseline .*row 0: 0"),
        ("horizon_months", [6, 0, 18], r"targets\.horizon_months .*row 1: 0"),
        ("date", ["2024-01-15", "soon", "2024-01-15"], r"targets\.date .*row 1: 'soon'"),
        ("employee_id", ["e1", "  ", "e1"], r"targets\.employee_id"),
    ],
)
def test_bad_target_values_are_reported_with_row_and_value(column, values, message):
    targets = one_plan()
    targets[column] = pd.Series(values, dtype=object)
    with pytest.raises(ValueError, match=message):
        progress_at_horizons(targets, make_ratings([]), "2025-01-01")


def test_the_same_target_twice_is_rejected():
    targets = pd.concat([one_plan(), one_plan(skill="public speaking ").iloc[:1]], ignore_index=True)
    with pytest.raises(ValueError, match="may appear once"):
        progress_at_horizons(targets, make_ratings([]), "2025-01-01")


def test_the_same_target_twice_is_found_however_large_the_numbers():
    big = np.array([2**62, 5, 2**62, 5, 7], dtype=np.int64)
    other = np.array([3, 2**61, 3, 1, 2**61], dtype=np.int64)
    assert progress._repeated([big, other, np.array([6, 6, 6, 6, 6])]).tolist() == [True, False, True, False, False]
    assert progress._repeated([big, other, np.array([6, 6, 12, 6, 6])]).tolist() == [False] * 5
    # 2**62 x 4 overflows to 0: without care the first two rows would look alike.
    assert progress._repeated([np.array([2**62, 0, 1]), np.array([0, 0, 3])]).tolist() == [False] * 3


def test_bad_ratings_are_reported():
    ratings = make_ratings([("e1", "2024-07-10", "Public speaking", 6)])
    ratings["self_rating"] = pd.Series([12], dtype="Int64")
    with pytest.raises(ValueError, match=r"ratings\.self_rating .*row 0: 12"):
        progress_at_horizons(one_plan(), ratings, "2025-01-01")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"as_of": "whenever"}, "as_of"),
        ({"as_of": None}, "as_of"),
        ({"window_days": -1}, "window_days"),
        ({"rating_column": "peer_rating"}, "rating_column"),
        ({"tolerance": "wide"}, "tolerance"),
    ],
)
def test_bad_arguments(kwargs, message):
    args = {"as_of": "2025-01-01", **kwargs}
    with pytest.raises(ValueError, match=message):
        progress_at_horizons(one_plan(), make_ratings([]), **args)


def test_not_a_dataframe():
    with pytest.raises(ValueError, match="targets must be a pandas DataFrame"):
        progress_at_horizons([1, 2], make_ratings([]), "2025-01-01")


# --- agrees with the rule written out naively ---------------------------------------


def naive_measurement(target_row: pd.Series, ratings: pd.DataFrame, as_of, window_days: int):
    """The rule exactly as DESIGN.md words it, one row at a time."""
    t0 = pd.Timestamp(target_row["date"]).normalize()
    hz = t0 + pd.DateOffset(months=int(target_row["horizon_months"]))
    best = None
    for r in ratings.itertuples(index=False):
        if r.employee_id != target_row["employee_id"] or pd.isna(r.self_rating):
            continue
        if str(r.skill).strip().casefold() != str(target_row["skill"]).strip().casefold():
            continue
        day = pd.Timestamp(r.date).normalize()
        if not (t0 < day <= pd.Timestamp(as_of)) or abs((day - hz).days) > window_days:
            continue
        rank = (abs((day - hz).days), -day.value)  # closest, then later
        if best is None or rank < best[0]:
            best = (rank, day, int(r.self_rating))
    return None if best is None else (best[1], best[2])


@settings(max_examples=40)
@given(seed=st.integers(0, 2**32 - 1), window_days=st.sampled_from([0, 15, 60, 120]))
def test_matches_the_naive_rule_on_random_data(seed, window_days):
    rng = np.random.default_rng(seed)
    skills = ["Python", "Negotiation", "Public speaking"]
    target_rows = []
    for employee in ("e1", "e2"):
        for c, t0 in enumerate(pd.to_datetime(["2023-01-31", "2023-08-31"])):
            for skill in skills:
                base = int(rng.integers(1, 8))
                for m in (6, 12, 18):
                    target_rows.append((employee, f"{employee}-c{c}", t0, skill, base, m, int(rng.integers(base, 11))))
    targets = make_targets(target_rows)
    days = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 1000, 120), "D")
    rating_rows = [
        (
            str(rng.choice(["e1", "e2"])),
            day,
            str(rng.choice(skills + ["python ", "NEGOTIATION"])),
            None if rng.random() < 0.1 else int(rng.integers(1, 11)),
        )
        for day in days
    ]
    # One rating per employee, skill and day, so the naive rule needs no same-day tie-break.
    ratings = make_ratings(rating_rows)
    ratings = ratings.loc[
        ~ratings.assign(k=ratings["skill"].str.strip().str.casefold()).duplicated(["employee_id", "k", "date"])
    ].reset_index(drop=True)
    as_of = pd.Timestamp("2024-09-30")

    out = progress_at_horizons(targets, ratings, as_of, window_days=window_days)
    by_target = out.set_index(["conversation_id", "skill", "horizon_months"])
    for _, row in targets.iterrows():
        got = by_target.loc[(row["conversation_id"], row["skill"], row["horizon_months"])]
        want = naive_measurement(row, ratings, as_of, window_days)
        if want is None:
            assert got["status"] == (DUE_NOT_MEASURED if got["horizon_reached"] else UPCOMING) and pd.isna(got["measured_date"])
        else:
            assert (got["measured_date"], got["measured_rating"]) == want
            hz = horizon_date(row["date"], row["horizon_months"])
            line = expected_on_line(row["date"], row["baseline"], hz, row["target"], want[0])
            assert got["expected"] == pytest.approx(line)
            assert got["status"] == classify(want[1], line)


def naive_progress(targets: pd.DataFrame, ratings: pd.DataFrame, as_of, window_days: int) -> pd.DataFrame:
    """Every target measured by the rule as DESIGN.md words it, one target and one rating at a time: of the
    ratings of one skill on one day the one recorded last counts (followup.recorded_key, then the higher
    rating); of the days strictly after t0 and on or before as_of within the window of the horizon, the
    closest, the later of two equally close."""
    as_of = pd.Timestamp(as_of).normalize()
    of_day = {}  # (employee, skill key, day) -> (recorded key, rating)
    for r in ratings.itertuples(index=False):
        if pd.isna(r.self_rating) or pd.isna(r.employee_id) or pd.isna(r.skill):
            continue
        at = (r.employee_id, schema.skill_key(r.skill), pd.Timestamp(r.date).normalize())
        rank = (recorded_key(r.source, r.record_id, getattr(r, "saved_at", None)), int(r.self_rating))
        of_day[at] = max(of_day.get(at, rank), rank)
    rows = []
    for t in targets.itertuples(index=False):
        t0 = pd.Timestamp(t.date).normalize()
        hz = horizon_date(t0, int(t.horizon_months))
        best = None
        for (employee, key, day), (_, rating) in of_day.items():
            if employee != t.employee_id or key != schema.skill_key(t.skill):
                continue
            if not (t0 < day <= as_of) or abs((day - hz).days) > window_days:
                continue
            rank = (abs((day - hz).days), -day.value)  # closest, then later
            if best is None or rank < best[0]:
                best = (rank, day, rating)
        reached = hz <= as_of
        # Not measured, due, and the day after as_of is still within the window after the date.
        window_open = best is None and reached and as_of + pd.Timedelta(days=1) <= hz + pd.Timedelta(days=window_days)
        if best is None:
            measured = (pd.NaT, pd.NA, np.nan, DUE_NOT_MEASURED if reached else UPCOMING)
        else:
            baseline = None if pd.isna(t.baseline) else t.baseline
            line = expected_on_line(t0, baseline, hz, t.target, best[1])
            measured = (best[1], best[2], line, classify(best[2], line))
        rows.append((t.employee_id, t.conversation_id, str(t.skill).strip(), t0, t.baseline, int(t.horizon_months),
                     hz, t.target, reached, window_open, *measured))
    return pd.DataFrame(rows, columns=list(progress.PROGRESS_COLUMNS))


def random_history(rng: np.random.Generator, text_dtype) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Targets and ratings with what the measurement must get right: same-day ratings (a conversation and a
    check-in, save times, one record holding a skill twice), missing ratings and baselines, other spellings
    of a skill, skills without targets, employees without targets, rows in any order."""
    spellings = {"Python": ["Python", "python ", "PYTHON"], "Public speaking": ["Public speaking", "public  Speaking"],
                 "Negotiation": ["Negotiation"]}
    target_rows, rating_rows = [], []
    for employee in ("e1", "e2", "e3"):
        names = rng.permutation(["a", "b"])  # a conversation's id says nothing of its date
        for c, t0 in enumerate(pd.Timestamp("2023-01-31") + pd.to_timedelta(sorted(rng.integers(0, 400, 2)), "D")):
            for skill in rng.choice(list(spellings), size=int(rng.integers(1, 4)), replace=False):
                rating_rows.append((employee, t0, skill, int(rng.integers(1, 11)), "conversation"))  # the baseline
                base = None if rng.random() < 0.2 else int(rng.integers(1, 8))
                for months in (6, 12, 18):
                    target_rows.append((employee, f"{employee}-{names[c]}", t0, rng.choice(spellings[skill]), base,
                                        months, int(rng.integers(base or 1, 11))))
    targets = make_targets(target_rows).sample(frac=1, random_state=int(rng.integers(0, 2**31)))
    days = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 900, 25), "D")
    saved = [None, "2024-01-01T09:00:00Z", "2024-01-01T10:00:00+02:00", "not a time"]
    for _ in range(160):
        skill = rng.choice([*spellings, "Cooking"])
        rating_rows.append((str(rng.choice(["e1", "e2", "e3", "e9"])), rng.choice(days),
                            rng.choice(spellings.get(skill, [skill])),
                            None if rng.random() < 0.1 else int(rng.integers(1, 11)),
                            str(rng.choice(["conversation", "checkin", "import"]))))
    ratings = make_ratings(rating_rows)
    ratings["record_id"] = rng.choice(["r1", "r2", "r3"], len(ratings))  # a record may hold a skill twice
    ratings["saved_at"] = rng.choice(np.array(saved, dtype=object), len(ratings))
    text = ["employee_id", "skill", "source", "record_id", "saved_at"]
    return targets.astype({c: text_dtype for c in ("employee_id", "conversation_id", "skill")}), \
        ratings.astype({c: text_dtype for c in text})


@settings(max_examples=60)
@given(seed=st.integers(0, 2**32 - 1), window_days=st.sampled_from([0, 15, 60, 200]),
       as_of=st.sampled_from(["2023-09-30", "2024-06-30", "2026-01-01"]),
       text_dtype=st.sampled_from([object, "string[pyarrow]", "str", "category"]))
def test_every_target_is_measured_as_the_rule_says_with_ties_and_gaps(seed, window_days, as_of, text_dtype):
    targets, ratings = random_history(np.random.default_rng(seed), "str" if text_dtype == "category" else text_dtype)
    if text_dtype == "category":  # the targets' text as the reports read it (analytics.inputs._CATEGORIES)
        targets = _categories_in_reverse(targets, ["employee_id", "conversation_id", "skill"])
    got = progress_at_horizons(targets, ratings, as_of, window_days=window_days)
    want = naive_progress(targets, ratings, as_of, window_days)
    key = ["employee_id", "conversation_id", "skill", "horizon_months"]
    # Sorted by employee, conversation day, conversation, skill and horizon.
    assert got.loc[:, key].astype(str).values.tolist() == \
        want.sort_values(["employee_id", "t0", "conversation_id", "skill", "horizon_months"], kind="stable") \
        .loc[:, key].astype(str).values.tolist()
    # Indexed by the text (categories would sort in the order of the categories).
    got, want = (f.astype({c: str for c in key[:3]}).set_index(key).sort_index() for f in (got, want))
    assert got["horizon_reached"].tolist() == want["horizon_reached"].tolist()
    assert got["window_open"].tolist() == want["window_open"].tolist()
    assert got["measured_date"].tolist() == want["measured_date"].tolist()
    assert got["measured_rating"].astype(object).where(got["measured_rating"].notna(), None).tolist() == \
        want["measured_rating"].astype(object).where(want["measured_rating"].notna(), None).tolist()
    assert got["status"].tolist() == want["status"].tolist()
    np.testing.assert_allclose(got["expected"].to_numpy(float), want["expected"].to_numpy(float))


def _categories_in_reverse(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``frame`` with ``columns`` as categoricals whose categories are in reverse order of their text (the text is
    ordered as text all the same)."""
    return frame.astype({c: pd.CategoricalDtype(sorted(frame[c].dropna().unique(), reverse=True)) for c in columns})


def test_the_columns_asked_for_are_those_of_the_whole_table():
    targets, ratings = random_history(np.random.default_rng(7), "str")
    whole = progress_at_horizons(targets, ratings, "2024-06-30")
    some = ["measured_rating", "employee_id", "horizon_reached", "skill"]
    pd.testing.assert_frame_equal(progress_at_horizons(targets, ratings, "2024-06-30", columns=some),
                                  whole.loc[:, some])
    with pytest.raises(ValueError, match="unknown progress column"):
        progress_at_horizons(targets, ratings, "2024-06-30", columns=["employee_id", "growth"])


def test_the_nearest_ratings_are_found_for_keys_too_large_to_combine_with_days():
    day = 86_400 * 10**9
    rat = pd.DataFrame({"_key": np.array([5, 2**62, 2**62], dtype=np.int64),
                        "_date_ns": np.array([10, 10, 20], dtype=np.int64) * day, "_rating": [3.0, 4.0, 5.0]})
    (before_ns, before), (after_ns, after) = progress._around(np.array([2**62, 5], dtype=np.int64),
                                                              np.array([15, 15], dtype=np.int64) * day, rat, 30 * day)
    assert before.tolist() == [4.0, 3.0] and np.isnan(after[1]) and after[0] == 5.0
    assert before_ns.tolist() == [10 * day, 10 * day] and after_ns[0] == 20 * day


# --- latest ratings and current vs target -------------------------------------------


def test_latest_ratings_per_employee_and_skill():
    ratings = make_ratings(
        [
            ("e1", "2024-01-15", "Python", 4, "conversation"),
            ("e1", "2024-05-01", "python ", 5),
            ("e1", "2024-09-01", "Python", None),  # no rating given: skipped
            ("e1", "2025-02-01", "Python", 9),  # after as_of
            ("e1", "2024-03-01", "Negotiation", 3),
            ("e2", "2024-06-01", "Python", 8),
        ]
    )
    out = latest_ratings(ratings, "2024-12-31")
    assert list(out.columns) == list(progress.LATEST_COLUMNS)
    assert out[["employee_id", "skill", "rating"]].values.tolist() == [
        ["e1", "Negotiation", 3],
        ["e1", "python", 5],
        ["e2", "Python", 8],
    ]
    assert out.loc[1, "date"] == pd.Timestamp("2024-05-01")


def test_current_vs_target_picks_the_next_target():
    ratings = make_ratings(
        [("e1", T0, "Public speaking", 4, "conversation"), ("e1", "2024-07-10", "Public speaking", 7)]
    )
    row = current_vs_target(one_plan(), ratings, "2024-08-01").iloc[0]
    assert list(current_vs_target(one_plan(), ratings, "2024-08-01").columns) == list(progress.CURRENT_COLUMNS)
    # 6-month date has passed, so the next target is the 12-month one (7 on 2025-01-15).
    assert row["next_horizon_months"] == 12 and row["next_target"] == 7
    assert row["next_horizon_date"] == pd.Timestamp("2025-01-15")
    assert row["latest_rating"] == 7 and row["latest_date"] == pd.Timestamp("2024-07-10")
    # Line 4 -> 7 over 366 days, 177 days in: 5.45; a 7 is ahead.
    assert row["expected"] == pytest.approx(4 + 3 * 177 / 366)
    assert row["status"] == AHEAD


def test_current_vs_target_stands_at_a_passed_target_nothing_measured():
    """Found reading reports as their employee: "Where you stand today" said "upcoming" (the 12-month target) while
    the 6-month target was due and not measured, and "on track" from a rating nine months old with the 12-month
    date passed. A passed target with no rating since its window opened is where the skill stands."""
    # Rated once, 2024-03-01, long before the 6-month date (2024-07-15): on 2024-08-01 that target is due and
    # not measured (a rating by 2024-09-13 still measures it), whatever 5 says against the 12-month line.
    ratings = make_ratings([("e1", T0, "Public speaking", 4, "conversation"),
                            ("e1", "2024-03-01", "Public speaking", 5)])
    row = current_vs_target(one_plan(), ratings, "2024-08-01").iloc[0]
    assert (row["next_horizon_months"], row["next_target"], row["status"]) == (6, 6, DUE_NOT_MEASURED)
    assert row["next_horizon_date"] == pd.Timestamp("2024-07-15") and pd.isna(row["expected"])
    assert row["latest_rating"] == 5 and row["latest_date"] == pd.Timestamp("2024-03-01")  # still shown
    # Only the baseline, the 6-month date passed: the same (it once read "upcoming", the 12-month target).
    baseline_only = make_ratings([("e1", T0, "Public speaking", 4, "conversation")])
    row = current_vs_target(one_plan(), baseline_only, "2024-08-01").iloc[0]
    assert (row["next_horizon_months"], row["status"]) == (6, DUE_NOT_MEASURED)
    # With the 12-month date passed too, the last passed target is the one: 12 months, 7.
    row = current_vs_target(one_plan(), ratings, "2025-02-01").iloc[0]
    assert (row["next_horizon_months"], row["next_target"], row["status"]) == (12, 7, DUE_NOT_MEASURED)
    # A rating in that target's window, even before its date, measures the skill against the next target.
    in_window = make_ratings([("e1", "2024-06-01", "Public speaking", 6)])
    row = current_vs_target(one_plan(), in_window, "2024-08-01").iloc[0]
    assert row["next_horizon_months"] == 12 and row["status"] != DUE_NOT_MEASURED
    # A narrower window leaves that rating outside it.
    row = current_vs_target(one_plan(), in_window, "2024-08-01", window_days=30).iloc[0]
    assert (row["next_horizon_months"], row["status"]) == (6, DUE_NOT_MEASURED)
    with pytest.raises(ValueError, match="window_days"):
        current_vs_target(one_plan(), in_window, "2024-08-01", window_days=-1)


def test_current_vs_target_after_every_horizon_uses_the_last():
    ratings = make_ratings([("e1", "2025-09-01", "Public speaking", 8)])
    row = current_vs_target(one_plan(), ratings, "2025-10-01").iloc[0]
    assert row["next_horizon_months"] == 18 and row["next_target"] == 8
    assert row["status"] == ON_TRACK


def test_current_vs_target_with_only_the_baseline_is_upcoming():
    ratings = make_ratings([("e1", T0, "Public speaking", 4, "conversation")])
    row = current_vs_target(one_plan(), ratings, "2024-03-01").iloc[0]
    assert row["latest_rating"] == 4 and row["status"] == UPCOMING and pd.isna(row["expected"])


def test_current_vs_target_uses_the_most_recent_conversation():
    old = one_plan(conversation="c1", t0="2023-01-10", skill="Negotiation", targets=(5, 6, 7))
    new = one_plan(conversation="c2", t0="2024-01-15", skill="Python", targets=(6, 7, 8))
    future = one_plan(conversation="c3", t0="2025-06-01", skill="Budgeting")
    out = current_vs_target(pd.concat([old, new, future], ignore_index=True), make_ratings([]), "2024-03-01")
    assert out[["conversation_id", "skill", "next_target"]].values.tolist() == [["c2", "Python", 6]]
    assert pd.isna(out.loc[0, "latest_rating"]) and out.loc[0, "status"] == UPCOMING


# --- attainment for HR -------------------------------------------------------------------


def test_attainment_rate_counts_targets_and_employees():
    targets = pd.concat(
        [
            one_plan(employee="e1", skill="Python", targets=(6, 7, 8)),
            one_plan(employee="e1", skill="Negotiation", targets=(5, 6, 7)),
            one_plan(employee="e2", skill="Python", targets=(6, 7, 8)),
            one_plan(employee="e3", skill="Python", targets=(6, 7, 8)),
        ],
        ignore_index=True,
    )
    ratings = make_ratings(
        [
            ("e1", "2024-07-15", "Python", 6),  # met
            ("e1", "2024-07-15", "Negotiation", 4),  # missed
            ("e2", "2024-07-20", "Python", 9),  # met
            # e3 never rated: not measured
            ("e1", "2025-01-15", "Python", 7),  # 12 months: met
        ]
    )
    prog = progress_at_horizons(targets, ratings, "2025-02-01")
    before = prog.copy(deep=True)
    out = attainment_rate(prog)
    pd.testing.assert_frame_equal(prog, before)
    assert list(out.columns) == list(progress.ATTAINMENT_COLUMNS)
    six, twelve, eighteen = (out.loc[out["horizon_months"] == m].iloc[0] for m in (6, 12, 18))
    assert (six["targets_due"], six["targets_measured"], six["targets_attained"]) == (4, 3, 2)
    assert six["attainment_rate"] == pytest.approx(2 / 3)
    assert six["employees_measured"] == 2
    assert (twelve["targets_measured"], twelve["targets_attained"], twelve["employees_measured"]) == (1, 1, 1)
    # Not due yet: nothing counts, and the rate is undefined rather than 0.
    assert eighteen["targets_due"] == 0 and pd.isna(eighteen["attainment_rate"])


def test_attainment_rate_ignores_measurements_before_the_horizon():
    ratings = make_ratings([("e1", "2024-07-01", "Public speaking", 9)])
    prog = progress_at_horizons(one_plan(), ratings, "2024-07-02")
    six = attainment_rate(prog).iloc[0]
    assert six["targets_measured"] == 0


@pytest.mark.parametrize("seed", range(5))
def test_attainment_rate_of_groups_is_that_of_each_group_alone(seed):
    rng = np.random.default_rng(seed)
    targets, ratings = random_history(rng, "str")
    prog = progress_at_horizons(targets, ratings, "2024-06-30", window_days=90)
    prog["team"] = pd.array(rng.choice(["b", "a", "c"], len(prog)), dtype="str")
    prog.loc[prog.index[::7], "employee_id"] = None  # someone without an id is nobody to count
    out = attainment_rate(prog, by=["team"])
    assert list(out.columns) == ["team", *progress.ATTAINMENT_COLUMNS]
    alone = pd.concat([attainment_rate(part).assign(team=team) for team, part in prog.groupby("team", sort=True)],
                      ignore_index=True)
    pd.testing.assert_frame_equal(out, alone.loc[:, out.columns], check_dtype=False)
    assert out["employees_measured"].sum() == sum(
        part.loc[part["horizon_reached"] & part["measured_rating"].notna(), "employee_id"].nunique()
        for _, part in prog.groupby(["team", "horizon_months"]))


def test_attainment_rate_needs_progress_columns():
    with pytest.raises(ValueError, match="measured_rating"):
        attainment_rate(pd.DataFrame({"employee_id": [], "horizon_months": [], "target": [], "horizon_reached": []}))


# --- missed targets and the same-day rule (issue 13) ---------------------------------


def test_targets_whose_date_passed_without_a_rating_are_due_but_not_measured():
    # Last rated 6 in the conversation of Oct 2025; a year later the 6- and 12-month
    # targets are past with nothing measured, the 18-month one is still to come.
    targets = one_plan(baseline=6, targets=(7, 8, 9), t0="2025-10-06")
    ratings = make_ratings([("e1", "2025-10-06", "Public speaking", 6, "conversation")])
    out = progress_at_horizons(targets, ratings, "2026-10-20")
    assert list(out["status"]) == [DUE_NOT_MEASURED, DUE_NOT_MEASURED, UPCOMING]
    assert list(out["horizon_reached"]) == [True, True, False]
    # Before the first date nothing is due yet.
    early = progress_at_horizons(targets, ratings, "2026-01-01")
    assert set(early["status"]) == {UPCOMING}
    # Once every date has passed, "current" says so too.
    late = current_vs_target(targets, ratings, "2027-06-01").iloc[0]
    assert late["next_horizon_months"] == 18 and late["status"] == DUE_NOT_MEASURED


def same_day(conversation_saved, checkin_saved):
    ratings = make_ratings([
        ("e1", T0, "Public speaking", 6, "conversation"),
        ("e1", T0, "Public speaking", 7, "checkin"),
    ])
    ratings["saved_at"] = [conversation_saved, checkin_saved]
    return ratings


def test_a_check_in_re_rating_saved_after_the_conversation_the_same_day_wins():
    ratings = same_day("2024-01-15T09:30:00.000+00:00", "2024-01-15T15:10:00.000+00:00")
    assert latest_ratings(ratings, "2024-02-01").loc[0, "rating"] == 7
    assert current_vs_target(one_plan(), ratings, "2024-02-01").loc[0, "latest_rating"] == 7


def test_of_two_same_day_ratings_the_one_saved_last_counts_whatever_its_source():
    ratings = same_day("2024-01-15T16:00:00.000+00:00", "2024-01-15T15:10:00.000+00:00")
    assert latest_ratings(ratings, "2024-02-01").loc[0, "rating"] == 6
    # Save times compare as instants, not as text: 17:00+02:00 is before 15:10 UTC.
    ratings = same_day("2024-01-15T17:00:00.000+02:00", "2024-01-15T15:10:00.000+00:00")
    assert latest_ratings(ratings, "2024-02-01").loc[0, "rating"] == 7


def test_same_day_ratings_without_save_times_fall_back_to_the_source():
    ratings = same_day(None, None)
    assert latest_ratings(ratings, "2024-02-01").loc[0, "rating"] == 6  # the conversation
    ratings = same_day(None, "2024-01-15T15:10:00.000+00:00")
    assert latest_ratings(ratings, "2024-02-01").loc[0, "rating"] == 7  # a known save time is later


def test_two_ratings_recorded_alike_count_the_higher_in_any_row_order():
    """One record holding a skill twice, saved at once (an imported sheet with the row twice): the higher rating
    counts, as in the HR tables - never whichever row the frame happens to list last."""
    for values in ((5, 8), (8, 5)):
        ratings = make_ratings([("e1", "2024-07-10", "Public speaking", v, "import") for v in values])
        ratings["record_id"], ratings["saved_at"] = "sheet-1", "2024-07-10T09:00:00Z"
        assert latest_ratings(ratings, "2024-08-01").loc[0, "rating"] == 8, values
        assert at_six_months(ratings)["measured_rating"] == 8, values


def test_recorded_order_reads_unreadable_save_times_as_unknown():
    ratings = same_day("yesterday-ish", "2024-01-15T15:10:00.000+00:00")
    order = recorded_order(ratings)
    assert list(order.columns) == ["saved", "priority", "record"]
    assert order["saved"].iloc[0] < order["saved"].iloc[1]


def test_the_derived_table_carries_the_save_time_so_the_rule_holds_from_records():
    from careerconv.records.tables import frames_from_records

    conversation = {
        "conversation_id": "C1", "employee_id": "e1", "coach_id": "c", "date": T0, "question_set": "q",
        "question_set_version": "1", "status": "completed", "saved_at": "2024-01-15T09:00:00.000+00:00",
        "skills": [{"skill": "Public speaking", "self_rating": 6, "targets": {"6": 7, "12": 8, "18": 9}}],
    }
    checkin = {"checkin_id": "K1", "kind": "checkin", "employee_id": "e1", "coach_id": "c", "date": T0,
               "status": "completed", "saved_at": "2024-01-15T11:00:00.000+00:00",
               "ratings": [{"skill": "public speaking", "self_rating": 7}]}
    frames = frames_from_records([conversation, checkin], ["skill_ratings", "targets"])
    assert latest_ratings(frames["skill_ratings"], "2024-03-01").loc[0, "rating"] == 7


def test_target_status_lists_every_target_with_its_measurement():
    ratings = make_ratings([("e1", "2024-07-10", "Public speaking", 7)])
    out = progress.target_status(progress_at_horizons(one_plan(), ratings, "2025-03-01"))
    assert list(out.columns) == list(progress.TARGET_STATUS_COLUMNS)
    assert out[["horizon_months", "target", "status"]].values.tolist() == [
        [6, 6, AHEAD], [12, 7, DUE_NOT_MEASURED], [18, 8, UPCOMING]]
    assert out.loc[0, "measured_date"] == pd.Timestamp("2024-07-10")
    assert out.loc[0, "due_date"] == pd.Timestamp("2024-07-15")
    assert out.loc[0, "conversation_date"] == pd.Timestamp(T0)
    assert pd.isna(out.loc[1, "measured_rating"])


def test_status_counts_names_every_status_and_rejects_unknown_ones():
    counts = progress.status_counts([AHEAD, UPCOMING, UPCOMING])
    assert list(counts) == list(STATUSES) and counts[UPCOMING] == 2 and counts[BEHIND] == 0
    with pytest.raises(ValueError, match="not yet measured.*allowed: ahead"):
        progress.status_counts(["not yet measured"])


@settings(max_examples=60)
@given(seed=st.integers(0, 2**32 - 1), columns=st.integers(1, 5), rows=st.sampled_from([0, 1, 7, 300, 5000]),
       spread=st.sampled_from([3, 10**6, 2**40, 2**62]))
def test_the_sort_order_of_the_table_is_what_lexsort_gives(seed, columns, rows, spread):
    """Whole-number keys with ties, negative numbers and ranges too wide to be put together in 64 bits."""
    rng = np.random.default_rng(seed)
    keys = tuple(rng.integers(-spread, spread, rows) for _ in range(columns))
    assert progress._lexsort(keys).tolist() == np.lexsort(keys).tolist()


@pytest.mark.parametrize("column", ["employee_id", "conversation_id", "skill"])
@pytest.mark.parametrize("kind", [object, "string[pyarrow]", "category"])
def test_a_target_missing_a_value_among_others_is_refused(column, kind):
    """A target without an employee id among targets with one was measured against another employee's ratings
    (its missing value took the sort rank of the last distinct id); it is refused, naming its row."""
    rows = [("E2", "c2", T0, "SQL", 5, 6, 7), ("E3", "c3", T0, "Python", 5, 6, 7), ("E1", "c1", T0, "SQL", 5, 6, 7)]
    targets = make_targets(rows)
    targets.loc[1, column] = None
    targets[column] = targets[column].astype(kind)
    ratings = make_ratings([("E1", "2025-07-01", "SQL", 8), ("E3", "2025-07-01", "Python", 8)])
    with pytest.raises(ValueError, match=rf"targets\.{column} has 1 invalid value\(s\) \(a value is required\): row 1:"):
        progress_at_horizons(targets, ratings, "2025-10-01")


def test_blank_codes_are_the_missing_and_white_space_values_the_targets_refuse():
    codes, distinct = pd.factorize(pd.Series(["E1", None, " ", "\t", "E2", "E1"], dtype=object))
    assert progress.blank_codes(codes, distinct).tolist() == [False, True, True, True, False, False]
    assert progress.blank_codes(np.array([-1, -1]), []).tolist() == [True, True]
    with pytest.raises(ValueError, match="a value is required"):
        progress_at_horizons(make_targets([("\t", "c1", T0, "SQL", 2, 6, 3)]), make_ratings([]), "2025-01-01")


@settings(max_examples=60)
@given(seed=st.integers(0, 2**32 - 1), kind=st.sampled_from(["object", "arrow", "category", "int", "small int",
                                                             "wide int"]))
def test_text_codes_are_the_codes_of_factorize_sorted(seed, kind):
    """Text read as categories (unused categories, missing values, text beyond ASCII) and whole numbers are
    numbered without pandas' sorting factorize (issue 11 speed-up), with its result: ranks in the sort order of the
    values as text or as numbers, missing -1, the distinct values in that order."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 40))
    words = np.array(["E10", "E2", "e1", "Zoë", "zoe", "日本", " x", "ß", "", "a b"], dtype=object)
    values = {"object": lambda: pd.Series(rng.choice(words, n), dtype=object),
              "arrow": lambda: pd.Series(rng.choice(words, n), dtype="str"),
              "category": lambda: pd.Series(rng.choice(words, n), dtype="str").astype(
                  pd.CategoricalDtype(pd.Index(words[::-1], dtype="str"))).where(rng.random(n) > 0.2),
              "int": lambda: pd.Series(rng.integers(-5, 30, n)),
              "small int": lambda: pd.Series(rng.integers(0, 9, n).astype(np.uint8)),
              "wide int": lambda: pd.Series(rng.integers(0, 2**40, n))}[kind]()
    codes, distinct = progress.text_codes(values)
    plain = values.astype(values.cat.categories.dtype) if kind == "category" else values
    want_codes, want_distinct = pd.factorize(plain, sort=True, use_na_sentinel=True)
    assert codes.tolist() == want_codes.tolist()
    assert list(distinct) == list(want_distinct) and distinct.dtype == object
    assert all(type(a) is type(b) for a, b in zip(distinct, np.asarray(want_distinct, dtype=object)))


def test_horizon_dates_of_whole_months_as_numbers_or_as_nullable_numbers_agree():
    t0 = pd.Series(pd.to_datetime(["2024-01-31", None, "2024-02-29 10:00", "2023-12-31"], format="ISO8601"))
    months = pd.Series([1, 6, 12, 18])
    want = pd.Series(pd.to_datetime(["2024-02-29", None, "2025-02-28 10:00", "2025-06-30"], format="ISO8601")).astype("datetime64[ns]")
    pd.testing.assert_series_equal(progress.horizon_dates(t0, months), want)
    pd.testing.assert_series_equal(progress.horizon_dates(t0, months.astype("Int64")), want)
    with pytest.raises(ValueError, match="got -6"):
        progress.horizon_dates(t0, pd.Series([-6, 6, 6, 6]))


@settings(max_examples=30)
@given(seed=st.integers(0, 2**32 - 1), as_of=st.sampled_from(["2023-07-30", "2023-07-31", "2024-02-29", "2026-01-01"]))
def test_not_yet_due_are_the_targets_the_rule_gives_as_upcoming(seed, as_of):
    """:func:`progress.not_yet_due` says which targets' horizon the rule has not reached by the as-of day (what the
    HR tables leave out before measuring), whatever the time of day of the conversation."""
    rng = np.random.default_rng(seed)
    targets, ratings = random_history(rng, "str")
    # Some conversations have a time of day (the rule drops it): 31 Jan 2023 at 23:00 + 6 months is 31 Jul.
    targets["date"] = targets["date"] + pd.to_timedelta(rng.choice([0, 23], len(targets)), "h")
    measured = progress.progress_at_horizons(targets, ratings, as_of, columns=["employee_id", "conversation_id",
                                                                                "skill", "horizon_months",
                                                                                "horizon_reached"])
    upcoming = targets.assign(skill=targets["skill"].str.strip(), upcoming=progress.not_yet_due(targets, as_of)) \
        .merge(measured, on=["employee_id", "conversation_id", "skill", "horizon_months"], validate="1:1")
    assert (upcoming["upcoming"] == ~upcoming["horizon_reached"]).all()
    assert upcoming["upcoming"].any() or as_of == "2026-01-01"  # the histories run to mid 2024


@pytest.mark.parametrize("months", [0, 1, 6, 12, 18, 24])
def test_the_first_day_not_due_divides_the_days_as_not_yet_due_does(months):
    """Every conversation day before :func:`progress.first_day_not_due` has its targets due by the as-of day, every
    day from it on not (what the HR report's read of the targets leaves out), at any time of day, for as-of days
    at the ends of months of every length, leap days and any day."""
    rng = np.random.default_rng(months)
    as_of_days = [*pd.date_range("2023-01-28", "2025-03-31", freq="D")[::5],
                  *pd.to_datetime(["2024-02-28", "2024-02-29", "2024-03-01", "2025-02-28", "2025-03-01",
                                   "2024-08-31", "2024-09-30", "2026-12-31"])]
    for as_of in as_of_days:
        first = progress.first_day_not_due(as_of + pd.Timedelta(hours=int(rng.integers(0, 24))), months)
        assert first == first.normalize()
        days = first + pd.to_timedelta(np.arange(-40, 40), "D")
        times = pd.to_timedelta(rng.choice([0, 1, 13, 23 * 60 + 59], len(days)), "min")
        targets = pd.DataFrame({"date": days + times, "horizon_months": months})
        assert (progress.not_yet_due(targets, as_of) == (days >= first)).all(), (as_of, months)


def test_the_first_day_not_due_refuses_what_is_not_a_day_or_a_number_of_months():
    assert progress.first_day_not_due("2026-10-01", 6) == pd.Timestamp("2026-04-02")  # 1 Apr + 6 months: 1 Oct
    assert progress.first_day_not_due("2025-02-28", 12) == pd.Timestamp("2024-03-01")  # 29 Feb 2024: 28 Feb 2025
    for months in (-6, 1.5, True, "6", None):
        with pytest.raises(ValueError, match="months must be a whole number of months >= 0"):
            progress.first_day_not_due("2026-10-01", months)
    with pytest.raises(ValueError, match="as_of must be a date"):
        progress.first_day_not_due("the end of the quarter", 6)


def test_a_target_without_a_date_or_a_whole_horizon_is_left_for_the_rule_to_refuse():
    targets = pd.DataFrame({"date": pd.to_datetime(["2026-03-01", None, "2026-03-01"]),
                            "horizon_months": pd.array([6, 6, None], dtype="Int64")})
    assert progress.not_yet_due(targets, "2026-06-30").tolist() == [True, False, False]
    assert progress.not_yet_due(targets, "2026-09-01").tolist() == [False, False, False]  # due on the day
    late = targets.assign(date=targets["date"] + pd.Timedelta(hours=23))  # the time of day is not the day
    assert progress.not_yet_due(late, "2026-09-01").tolist() == [False, False, False]
    assert progress.not_yet_due(late, "2026-08-31").tolist() == [True, False, False]
    for bad in ([-6, 6, 12], [1.5, 6, 12]):  # the rule refuses the first target: all left for it
        assert not progress.not_yet_due(targets.assign(horizon_months=bad), "2026-06-30").any()
    assert not progress.not_yet_due(targets.assign(date=["March", "2026-03-01", "x"]), "2026-06-30").any()
    with pytest.raises(ValueError, match="horizon_months"):
        progress.not_yet_due(targets.drop(columns="horizon_months"), "2026-06-30")
