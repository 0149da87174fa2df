"""Figures added up part by part equal the figures of all employees at once (analytics.levels)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from careerconv import analytics
from careerconv.analytics.levels import MEAN, MEDIAN, SUM, Piece, contributions, level_piece, levels

STATS = {"mean_growth": ("growth", MEAN), "median_growth": ("growth", MEDIAN), "plans": ("plans", SUM)}


def _scope(departments=()):
    roster = pd.DataFrame({"employee_id": ["x1", "x2", "x3"], "department": ["D1", "D2", "D3"]})
    return analytics.resolve_scope(roster, "2025-06-30", None, None, departments, 3)


def _expected(per_emp: pd.DataFrame, selected) -> pd.DataFrame:
    inside = per_emp[per_emp["department"].isin(selected)]
    spec = dict(n_employees=("employee_id", "nunique"), mean_growth=("growth", "mean"),
                median_growth=("growth", "median"), plans=("plans", "sum"))
    org = inside.groupby("skill", as_index=False).agg(**spec).assign(department=None)
    dept = inside.groupby(["skill", "department"], as_index=False).agg(**spec)
    return pd.concat([org, dept], ignore_index=True).loc[:, ["skill", "department", *spec]]


rows = st.lists(st.tuples(st.integers(0, 29), st.sampled_from(["SQL", "Python"]),
                          st.one_of(st.none(), st.integers(-9, 9).map(lambda v: v / 2)), st.integers(1, 4)),
                min_size=1, max_size=60)


@settings(max_examples=60)
@given(rows=rows, n_parts=st.integers(1, 5))
def test_parts_add_up_to_the_whole(rows, n_parts):
    per_emp = pd.DataFrame(rows, columns=["emp", "skill", "growth", "plans"]) \
        .drop_duplicates(["emp", "skill"]).reset_index(drop=True)
    per_emp["employee_id"] = "E" + per_emp["emp"].astype(str)
    per_emp["department"] = "D" + (per_emp["emp"] % 3 + 1).astype(str)
    scope = _scope(["D1", "D2"])
    pieces = [level_piece(per_emp[per_emp["emp"] % n_parts == p], ["skill"], STATS, scope) for p in range(n_parts)]
    got = levels(Piece.combine(pieces), STATS, scope)
    want = _expected(per_emp, ["D1", "D2"])
    got = got.assign(_d=got["department"].fillna("")).sort_values(["skill", "_d"]).drop(columns="_d")
    want = want.assign(_d=want["department"].fillna("")).sort_values(["skill", "_d"]).drop(columns="_d")
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True), check_dtype=False,
                                  check_exact=False, rtol=1e-12)
    assert set(got["department"].dropna()) <= {"D1", "D2"}


@settings(max_examples=60)
@given(rows=rows, missing_department=st.booleans())
def test_pieces_of_different_groups_put_one_after_the_other_are_the_pieces_added_up(rows, missing_department):
    """``Piece.combine(disjoint=True)`` (growth's each skill and all skills): the sums, values and contributions of
    pieces that share no group are exactly those of adding them up, types and order of rows and columns too."""
    per_emp = pd.DataFrame(rows, columns=["emp", "skill", "growth", "plans"]) \
        .drop_duplicates(["emp", "skill"]).reset_index(drop=True)
    per_emp["employee_id"] = "E" + per_emp["emp"].astype(str)
    per_emp["department"] = pd.Series("D" + (per_emp["emp"] % 3 + 1).astype(str), dtype="str")
    if missing_department:
        per_emp.loc[per_emp["emp"] % 4 == 0, "department"] = None
    per_emp["date"] = pd.Timestamp("2025-01-15") + pd.to_timedelta(per_emp["emp"] * 11, "D")
    scope = _scope()
    pieces = []
    for skill in ("SQL", "Python"):
        mine = per_emp[per_emp["skill"] == skill]
        contrib = contributions(mine.loc[:, ["skill", "employee_id", "department", "date"]], ["skill"])
        pieces.append(level_piece(mine, ["skill"], STATS, scope, contrib))
    added, after = Piece.combine(pieces), Piece.combine(pieces, disjoint=True)
    for field in ("sums", "values", "contrib", "neighbours"):
        pd.testing.assert_frame_equal(getattr(after, field), getattr(added, field), check_exact=True, obj=field)


def test_an_even_count_takes_the_mean_of_the_two_middle_values_across_parts():
    scope = _scope()
    one = pd.DataFrame({"employee_id": ["a", "b"], "department": "D1", "skill": "SQL", "growth": [1.0, 4.0],
                        "plans": 1})
    other = pd.DataFrame({"employee_id": ["c", "d"], "department": "D2", "skill": "SQL", "growth": [2.0, 10.0],
                          "plans": 2})
    total = levels(Piece.combine([level_piece(one, ["skill"], STATS, scope),
                                  level_piece(other, ["skill"], STATS, scope)]), STATS, scope)
    org = total[total["department"].isna()].iloc[0]
    assert (org["n_employees"], org["median_growth"], org["mean_growth"], org["plans"]) == (4, 3.0, 4.25, 6)
    d2 = total[total["department"] == "D2"].iloc[0]
    assert (d2["n_employees"], d2["median_growth"]) == (2, 6.0)


def test_nothing_in_the_selected_departments_gives_an_empty_table():
    scope = _scope(["D3"])
    one = pd.DataFrame({"employee_id": ["a"], "department": "D1", "skill": "SQL", "growth": [1.0], "plans": 1})
    out = levels(level_piece(one, ["skill"], STATS, scope), STATS, scope)
    assert out.empty and list(out.columns) == ["skill", "department", "n_employees", *STATS]


def test_pieces_of_different_tables_do_not_add_up():
    scope = _scope()
    one = pd.DataFrame({"employee_id": ["a"], "department": "D1", "skill": "SQL", "growth": [1.0], "plans": 1})
    with pytest.raises(ValueError, match="cannot be combined"):
        Piece.combine([level_piece(one, ["skill"], STATS, scope), level_piece(one, [], STATS, scope)])
    with pytest.raises(ValueError, match="no pieces"):
        Piece.combine([])


def test_an_unknown_statistic_is_named():
    with pytest.raises(ValueError, match="unknown statistic 'mode'.*allowed: mean, sum, median"):
        level_piece(pd.DataFrame({"employee_id": [], "department": [], "g": []}), [], {"x": ("g", "mode")},
                    _scope())
    with pytest.raises(ValueError, match="unknown statistic 'mode'"):
        levels(Piece([], pd.DataFrame()), {"x": ("g", "mode")}, _scope())
