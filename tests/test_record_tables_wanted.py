"""The most-wanted skills counted on whole numbers (issue 11 speed-up) give the pieces of counting the frames as
pandas groups them, on seeded random skills: people naming a skill twice, several skills, unlisted skills,
conversations outside the period, text and number ids."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from careerconv.analytics import record_tables
from careerconv.analytics.levels import contributions, level_piece
from careerconv.analytics.record_tables import ALL_SKILLS, WANTED, Context, departments, isin
from careerconv.analytics.scope import ReportScope

SCOPE = ReportScope(start=pd.Timestamp("2024-01-01"), end=pd.Timestamp("2025-01-01"), departments=("D0", "D1"),
                    all_departments=("D0", "D1", "D2"), k=3, as_of=dt.date(2024, 12, 31))
CTX = Context(SCOPE, pd.Series(dtype=object), {1, 2, 5}, lambda names: names, pd.DataFrame())


def _reference(in_period, department_of, named, ctx=CTX):
    """The pieces as they were first counted: pandas drop_duplicates, groupby and map."""
    named = named[isin(named["conversation_id"], in_period["conversation_id"])]
    events = pd.concat([named[named["skill_id"].isin(ctx.public)], named.assign(skill_id=ALL_SKILLS)],
                       ignore_index=True).astype({"skill_id": "int64"})
    per_emp = events.drop_duplicates(["employee_id", "skill_id"]).loc[:, ["employee_id", "department", "skill_id"]]
    chosen = named.drop_duplicates(["employee_id", "skill_id"]).groupby("employee_id").size()
    per_emp["skills_chosen"] = per_emp["employee_id"].map(chosen).astype(float) \
        .where(per_emp["skill_id"].eq(ALL_SKILLS).to_numpy())
    contrib = contributions(events.loc[:, ["employee_id", "department", "skill_id", "date"]], ["skill_id"])
    met = in_period.assign(department=departments(in_period["employee_id"], department_of)).dropna(
        subset=["department"])
    return (level_piece(per_emp, ["skill_id"], WANTED, ctx.scope, contrib),
            level_piece(met.loc[:, ["employee_id", "department"]], [], {}, ctx.scope))


@pytest.mark.parametrize("seed", range(40))
def test_most_wanted_on_whole_numbers_agrees_with_the_frames(seed):
    rng = np.random.default_rng(seed)
    n, people = int(rng.integers(0, 300)), [f"e{i}" for i in range(int(rng.integers(1, 30)))]
    department_of = pd.Series(rng.choice(["D0", "D1", "D2"], len(people)), index=people, dtype=object)
    conversation = rng.integers(0, 40, n)
    owner = np.array(people, dtype=object)[rng.integers(0, len(people), 40)]
    employee = pd.Series(owner[conversation], dtype="str")
    named = pd.DataFrame({"conversation_id": pd.Series([f"c{c}" for c in conversation], dtype="str"),
                          "employee_id": pd.factorize(employee)[0] if seed % 2 else employee,
                          "department": departments(employee, department_of),
                          "skill_id": pd.Series(rng.integers(0, 8, n), dtype="Int64"),
                          "date": pd.Series(pd.to_datetime("2024-01-01")
                                            + pd.to_timedelta(rng.integers(0, 365, n), unit="D"))})
    chosen = rng.choice(40, int(rng.integers(0, 41)), replace=False)
    in_period = pd.DataFrame({"conversation_id": pd.Series([f"c{c}" for c in chosen], dtype="str"),
                              "employee_id": pd.Series(owner[chosen], dtype="str")})
    got = record_tables.most_wanted_piece(pd.DataFrame(), in_period, CTX, department_of, named)
    for one, other in zip(got, _reference(in_period, department_of, named)):
        for field in ("sums", "values", "contrib"):
            pd.testing.assert_frame_equal(getattr(one, field), getattr(other, field), obj=field)


def _reference_of(in_period, department_of, named, ctx):
    """:func:`_reference` for any report (``ctx``), only the group sizes with ``ctx.sizes_only``."""
    wanted, met = _reference(in_period, department_of, named, ctx)
    if ctx.sizes_only:
        sizes = wanted.sums.loc[:, ["skill_id", "department", "n_employees"]]
        wanted = level_piece(sizes.iloc[:0], ["skill_id"], {}, ctx.scope) if sizes.empty else \
            type(wanted)(["skill_id"], sizes)
    return wanted, met


@pytest.mark.parametrize("seed", range(30))
@pytest.mark.parametrize("arrow", [False, True])
def test_most_wanted_from_named_skills_agrees_in_every_report(seed, arrow):
    """From :func:`named_skills` (departments as categories, employees numbered), with missing and unknown ids and
    skills, ids whose text order is not their natural order, for every choice of departments and group sizes only."""
    rng = np.random.default_rng(seed)
    text = "str" if arrow else object
    n, people = int(rng.integers(0, 200)), [f"E{i}" for i in range(int(rng.integers(1, 15)))]
    department_of = pd.Series(rng.choice(["D0", "D1", "D2"], len(people)), index=people, dtype=object)
    conversation = rng.integers(0, 30, n)
    owner = np.array([*people, None], dtype=object)[rng.integers(0, len(people) + 1, 30)]
    skills = pd.DataFrame({"conversation_id": pd.Series([f"c{c}" if c else None for c in conversation], dtype=text),
                           "employee_id": pd.Series(owner[conversation], dtype=text),
                           "date": pd.Series(pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 400, n),
                                                                                           unit="D")).where(
                               rng.random(n) < 0.95),
                           "skill": pd.Series(rng.choice(["a", "b", "c", "zz", None], n), dtype=text)})
    chosen = rng.choice(30, int(rng.integers(0, 31)), replace=False)
    in_period = pd.DataFrame({"conversation_id": pd.Series([f"c{c}" for c in chosen], dtype=text),
                              "employee_id": pd.Series(owner[chosen], dtype=text)})
    for departments_chosen in (None, ("D1",), ("D3",)):
        for sizes_only in (False, True):
            scope = ReportScope(start=SCOPE.start, end=SCOPE.end, departments=departments_chosen,
                                all_departments=("D0", "D1", "D2", "D3"), k=3, as_of=SCOPE.as_of)
            ctx = Context(scope, pd.Series(dtype=object), {1, 2}, lambda names: names.map(
                {"a": 1, "b": 2, "c": 7}).astype("Int64"), pd.DataFrame(), sizes_only=sizes_only)
            named = record_tables.named_skills(skills, ctx, department_of)
            got = record_tables.most_wanted_piece(skills, in_period, ctx, department_of, named)
            as_text = named.assign(department=named["department"].astype(str).astype("str").where(
                named["department"].notna()))
            for one, other in zip(got, _reference_of(in_period, department_of, as_text, ctx)):
                for field in ("sums", "values", "contrib"):
                    pd.testing.assert_frame_equal(getattr(one, field), getattr(other, field), obj=field)
