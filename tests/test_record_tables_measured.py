"""The record tables measure the targets as careerconv.rules.progress.progress_at_horizons does (issue 11
speed-up): a run of employees at a time, the employee ids given to the rule as whole numbers in their order."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from careerconv.analytics import record_tables
from careerconv.records.schema import CONVERSATION_ID, EMPLOYEE_ID, RECORD_ID, SKILL
from careerconv.rules import progress
from test_progress import random_history

SKILL_IDS = {"python": 1, "public speaking": 2}  # "negotiation" and "cooking" are unknown


def context(as_of: str) -> SimpleNamespace:
    """What the measurement reads of a report's context: the as-of day and the skill ids."""
    def skill_ids(names: pd.Series) -> pd.Series:
        keys = names.astype(object).map(lambda name: " ".join(str(name).split()).lower())
        return keys.map(SKILL_IDS).astype("Int64")
    return SimpleNamespace(scope=SimpleNamespace(as_of_day=pd.Timestamp(as_of)), skill_ids=skill_ids)


def history(seed: int, text_dtype) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame, pd.Series, pd.Series]:
    """Targets (some not chosen), ratings of those and other employees (some in drafts, some with no id), the
    drafts and the departments (one employee has none)."""
    rng = np.random.default_rng(seed)
    targets, ratings = random_history(rng, text_dtype)
    more, _ = random_history(rng, text_dtype)  # employees with targets that are not chosen
    more[EMPLOYEE_ID] = more[EMPLOYEE_ID].astype(object).map({"e1": "e4", "e2": "e5", "e3": "e0"}).astype(text_dtype)
    targets = pd.concat([targets, more], ignore_index=True)
    chosen = np.r_[np.ones(len(targets) - len(more), dtype=bool), rng.random(len(more)) < 0.5]
    ratings[EMPLOYEE_ID] = ratings[EMPLOYEE_ID].where(rng.random(len(ratings)) > 0.05)  # a few without an id
    ratings[RECORD_ID] = rng.choice(np.array(["r1", "r2", "r3", "d1", "d2"], dtype=object), len(ratings))
    ratings["source"] = ratings["source"].where(rng.random(len(ratings)) > 0.1)  # a few of no known source
    ratings = ratings.astype({EMPLOYEE_ID: text_dtype, RECORD_ID: text_dtype, "source": text_dtype})
    drafts = pd.Series(["d1", "d2"][:int(rng.integers(0, 3))], dtype=str)
    department_of = pd.Series(["Sales", "Ops", "Sales", "Ops"], index=["e1", "e2", "e4", "e0"])  # e3, e5: none
    return targets, chosen, ratings, drafts, department_of


def by_the_rule(targets, chosen, ratings, drafts, ctx, department_of) -> pd.DataFrame:
    """The chosen targets measured by the rule at once against their employees' ratings given outside the drafts
    (a draft's rating from a check-in counts), those whose horizon has come by the as-of day (the others count in
    no figure), with departments, skill ids and employees as whole numbers in the order of their ids."""
    targets = targets[chosen]
    in_draft = ratings[RECORD_ID].isin(set(drafts)).to_numpy(dtype=bool) \
        & ~ratings["source"].eq("checkin").fillna(False).to_numpy(dtype=bool)
    ratings = ratings[ratings[EMPLOYEE_ID].isin(set(targets[EMPLOYEE_ID])).to_numpy(dtype=bool) & ~in_draft]
    measured = progress.progress_at_horizons(targets, ratings.drop(columns=["coach_rating"]), ctx.scope.as_of_day,
                                             columns=record_tables.measured._PROGRESS_READ)
    measured = measured[measured["horizon_reached"].to_numpy(dtype=bool)].reset_index(drop=True)
    return measured.assign(department=record_tables.departments(measured[EMPLOYEE_ID], department_of),
                           skill_id=ctx.skill_ids(measured[SKILL]),
                           employee_id=pd.factorize(measured[EMPLOYEE_ID], sort=True)[0])


@settings(max_examples=40)
@given(seed=st.integers(0, 2**32 - 1), as_of=st.sampled_from(["2023-09-30", "2024-06-30", "2026-01-01"]),
       text_dtype=st.sampled_from([object, "str"]), run_rows=st.sampled_from([1, 20, 10**6]))
def test_the_targets_are_measured_as_the_rule_measures_them_all_at_once(seed, as_of, text_dtype, run_rows):
    targets, chosen, ratings, drafts, department_of = history(seed, text_dtype)
    ctx = context(as_of)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(record_tables.measured, "_PROGRESS_ROWS", run_rows)  # one run per employee, a few, or one
        got = record_tables.measured_targets(targets, chosen, ratings, drafts, ctx, department_of)
    want = by_the_rule(targets, chosen, ratings, drafts, ctx, department_of)
    pd.testing.assert_frame_equal(got, want, check_dtype=text_dtype != object)
    assert got[EMPLOYEE_ID].dtype == np.int64


@pytest.mark.parametrize("column", [EMPLOYEE_ID, CONVERSATION_ID])
@pytest.mark.parametrize("bad", [None, "", "  "])
def test_a_target_without_an_employee_or_conversation_is_refused_as_the_rule_refuses_it(column, bad):
    """The rule is given whole numbers for both ids: a target without one is still refused, as the rule says."""
    targets, chosen, ratings, drafts, department_of = history(3, "str")
    targets[column] = targets[column].astype(object)
    targets.loc[targets[column].eq(targets[column].iloc[0]), column] = bad
    targets = targets.astype({column: "str"})
    with pytest.raises(ValueError) as rule:
        progress.progress_at_horizons(targets[chosen], ratings, "2026-01-01")
    with pytest.raises(ValueError) as measured:
        record_tables.measured_targets(targets, chosen, ratings, drafts, context("2026-01-01"), department_of)
    assert str(measured.value) == str(rule.value)
    assert column in str(rule.value)


def test_no_chosen_target_gives_the_empty_table():
    targets, chosen, ratings, drafts, department_of = history(4, "str")
    got = record_tables.measured_targets(targets, np.zeros(len(targets), dtype=bool), ratings, drafts,
                                          context("2026-01-01"), department_of)
    assert got.empty and list(got.columns) == [*record_tables.measured._PROGRESS_READ, "department", "skill_id"]
    assert CONVERSATION_ID in got.columns


@settings(max_examples=15)
@given(seed=st.integers(0, 2**32 - 1), run_rows=st.sampled_from([1, 20, 10**6]))
def test_targets_read_as_categories_are_measured_as_the_rule_measures_them(seed, run_rows):
    """As the targets come from disk: employee, conversation and skill as categories (with categories no target
    holds); the conversations keep their type."""
    targets, chosen, ratings, drafts, department_of = history(seed, "str")
    for column in (EMPLOYEE_ID, CONVERSATION_ID, SKILL):
        targets[column] = targets[column].astype("category").cat.add_categories([f"unused {column}"])
    ctx = context("2026-01-01")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(record_tables.measured, "_PROGRESS_ROWS", run_rows)
        got = record_tables.measured_targets(targets, chosen, ratings, drafts, ctx, department_of)
    want = by_the_rule(targets, chosen, ratings, drafts, ctx, department_of)
    assert isinstance(got[CONVERSATION_ID].dtype, pd.CategoricalDtype)
    pd.testing.assert_series_equal(got[CONVERSATION_ID], want[CONVERSATION_ID])
    pd.testing.assert_frame_equal(got.drop(columns=[EMPLOYEE_ID, "department"]),
                                  want.drop(columns=[EMPLOYEE_ID, "department"]))
    assert got[EMPLOYEE_ID].tolist() == want[EMPLOYEE_ID].tolist()
    assert got["department"].astype(object).tolist() == want["department"].astype(object).tolist()

