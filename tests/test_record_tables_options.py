"""The option-kinds piece: each measured target with the kind of the option chosen for it (issue 11 speed-up)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from careerconv.analytics import record_tables
from careerconv.analytics.constants import _GAIN_HORIZONS
from careerconv.analytics.levels import contributions, level_piece
from careerconv.analytics.scope import ReportScope
from careerconv.records.schema import skill_key
from careerconv.rules.option_kinds import classify_options

SCOPE = ReportScope(start=pd.Timestamp("2024-01-01"), end=pd.Timestamp("2025-01-01"), departments=None,
                    all_departments=("Alpha", "Beta"), k=3, as_of=dt.date(2024, 12, 31))


def merged_piece(options: pd.DataFrame, measured: pd.DataFrame, period_ids: set[str]) -> record_tables.Piece:
    """The piece as the plans were first joined: the first chosen option per conversation and skill key,
    merged with the measured targets on both."""
    chosen = options[options["chosen"].fillna(False).astype(bool) & options["conversation_id"].isin(period_ids)]
    plans = pd.DataFrame({"conversation_id": chosen["conversation_id"].astype(str).to_numpy(),
                          "key": [None if pd.isna(s) else skill_key(s) for s in chosen["skill"]],
                          "kind": classify_options(chosen["text"], chosen["skill"]).astype(object).to_numpy()})
    plans = plans.drop_duplicates(["conversation_id", "key"])
    gains = measured[measured["horizon_months"].isin(_GAIN_HORIZONS) & measured["measured_rating"].notna()
                     & measured["baseline"].notna() & measured["department"].notna()
                     & measured["horizon_reached"]].copy()
    gains["key"] = [skill_key(s) for s in gains["skill"]]
    gains["conversation_id"] = gains["conversation_id"].astype(str)
    gains = gains.merge(plans, on=["conversation_id", "key"], how="inner")
    gains["gain"] = gains["measured_rating"].astype(float) - gains["baseline"].astype(float)
    by = ["kind", "horizon_months"]
    per_emp = gains.groupby(["employee_id", "department", *by], as_index=False).agg(
        gain=("gain", "mean"), plans=("gain", "size"))
    events = pd.concat([gains.loc[:, ["employee_id", "department", *by, "t0"]].rename(columns={"t0": "date"}),
                        gains.loc[:, ["employee_id", "department", *by, "measured_date"]]
                        .rename(columns={"measured_date": "date"})])
    return level_piece(per_emp, by, record_tables.OPTIONS, SCOPE, contributions(events, by))


def random_plans(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame, set[str]]:
    """Measured targets and options: several options for one skill (the first chosen counts), other spellings,
    options without a skill or not chosen, conversations outside the period, targets without a plan, targets
    measured before their horizon date has come (a rating within the window before it)."""
    spellings = {"SQL": ["SQL", "sql ", " S Q L"], "Python": ["Python", "PYTHON"], "Negotiation": ["Negotiation"]}
    texts = ["Find a mentor for it", "Take an online course", "Read a book", "Practise every week", "Something"]
    conversations = [f"c{i}" for i in range(12)]
    options = pd.DataFrame({
        "conversation_id": rng.choice(conversations + ["elsewhere"], 80),
        "skill": [None if rng.random() < 0.1 else rng.choice(spellings[s]) for s in rng.choice(list(spellings), 80)],
        "text": rng.choice(texts, 80), "chosen": rng.random(80) < 0.7})
    rows = []
    for c in conversations:
        employee = f"e{int(rng.integers(0, 6))}"
        for skill in rng.choice(list(spellings), 2, replace=False):
            for months in (6, 12, 18):
                rows.append({"employee_id": int(employee[1:]), "conversation_id": c,
                             "skill": rng.choice(spellings[skill]), "t0": pd.Timestamp("2024-02-01"),
                             "baseline": None if rng.random() < 0.1 else int(rng.integers(1, 8)),
                             "horizon_months": months, "target": 8, "horizon_reached": bool(rng.random() < 0.8),
                             "measured_date": pd.Timestamp("2024-08-01") + pd.Timedelta(days=int(rng.integers(0, 90))),
                             "measured_rating": None if rng.random() < 0.2 else int(rng.integers(1, 11)),
                             "department": None if employee == "e5" else ("Alpha" if employee < "e3" else "Beta")})
    measured = pd.DataFrame(rows).astype({"baseline": "Int64", "measured_rating": "Int64", "target": "Int64",
                                          "conversation_id": "str", "skill": "str", "department": "str"})
    options = options.astype({"conversation_id": "str", "skill": "str", "text": "str"})
    return options, measured, set(conversations[:10])


@pytest.mark.parametrize("seed", range(8))
def test_each_target_gets_the_kind_of_its_first_chosen_option_as_a_merge_gives_it(seed):
    options, measured, period_ids = random_plans(np.random.default_rng(seed))
    got = record_tables.option_kinds_piece(options, measured, period_ids, SCOPE)
    want = merged_piece(options, measured, period_ids)
    assert len(got.sums)  # something was measured and planned
    for field in ("sums", "values", "contrib"):
        pd.testing.assert_frame_equal(getattr(got, field), getattr(want, field))


def test_no_chosen_option_and_no_measured_target_give_an_empty_piece():
    options, measured, period_ids = random_plans(np.random.default_rng(0))
    for chosen, targets in ((options.iloc[0:0], measured), (options, measured.iloc[0:0])):
        got = record_tables.option_kinds_piece(chosen, targets, period_ids, SCOPE)
        want = merged_piece(chosen, targets, period_ids)
        assert got.sums.empty and want.sums.empty


def test_a_change_measured_before_the_horizon_date_has_come_is_not_a_gain_nor_growth():
    """A rating given within the window before a target's date is measured (the progress report shows it), but
    it may still be followed by one closer to the date: until the date has come it is no gain after that many
    months, nor growth, as it is no target due in the targets reached (the HR page's sections agree)."""
    from types import SimpleNamespace

    rows = [  # employee, horizon reached, measured rating (baseline 4, target 8)
        ("e1", True, 6), ("e2", False, 9), ("e3", True, None), ("e4", True, 5)]
    measured = pd.DataFrame([{
        "employee_id": employee, "conversation_id": f"c-{employee}", "skill": "Python",
        "t0": pd.Timestamp("2024-01-10"),
        "baseline": 4, "horizon_months": 6, "target": 8, "horizon_reached": reached, "window_open": False,
        "measured_date": pd.NaT if rating is None else pd.Timestamp("2024-07-01"), "measured_rating": rating,
        "department": "Alpha", "skill_id": 1} for employee, reached, rating in rows]).astype(
        {"baseline": "Int64", "measured_rating": "Int64", "target": "Int64", "skill_id": "Int64"})
    ctx = SimpleNamespace(scope=SCOPE, public={1}, sizes_only=False)
    growth = record_tables.growth_piece(measured, ctx).sums
    each = growth[growth["skill_id"] == 1].iloc[0]
    assert (each["n_employees"], each["mean_growth|sum"]) == (2, 2 + 1)  # e1 and e4; not e2's early 9
    options = pd.DataFrame({"conversation_id": [f"c-{e}" for e, _, _ in rows], "skill": "Python",
                            "text": "Take an online course", "chosen": True})
    gains = record_tables.option_kinds_piece(options, measured, set(options["conversation_id"]), SCOPE).sums
    assert (gains["n_employees"].sum(), gains["mean_gain|sum"].sum()) == (2, 3.0)
    attainment = record_tables.attainment_piece(measured.assign(t0=pd.Timestamp("2024-01-10")), SCOPE).sums
    assert attainment["n_employees"].sum() == 3  # due: e1, e3 (not measured) and e4
