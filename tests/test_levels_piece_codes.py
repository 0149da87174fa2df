"""analytics.levels.level_piece, counted on whole numbers, agrees with grouping the rows as pandas groups them.

The reference below is the plain pandas version it replaced (kept here as the definition): per group and
department (``groupby(..., dropna=False, sort=False)``) the distinct employees, the sums and counts behind each
statistic, and the employees per value for the medians. Seeded random frames cover text, object and number keys,
missing values everywhere (keys, ids, values), departments outside the report, and frames given in memory (object
text) as well as read from disk (Arrow text).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from careerconv import analytics
from careerconv.analytics.levels import MEAN, MEDIAN, SUM, Piece, contributions, level_piece
from careerconv.analytics.record_tables.targets import _group_means, plan_kinds
from careerconv.rules.option_kinds import KINDS


def _reference(per_emp: pd.DataFrame, by: list[str], stats: dict, scope) -> Piece:
    inside = per_emp[per_emp["department"].isin(scope.selected)]
    keys = [*by, "department"]
    spec = {"n_employees": ("employee_id", "nunique")}
    for name, (column, how) in stats.items():
        if how in (MEAN, SUM):
            spec[f"{name}|sum"] = (column, "sum")
        if how == MEAN:
            spec[f"{name}|count"] = (column, "count")
    if inside.empty:
        sums = pd.DataFrame({c: [] for c in [*keys, *spec]})
    else:
        sums = inside.groupby(keys, dropna=False, as_index=False, sort=False).agg(**spec)
    values = []
    for name, (column, how) in stats.items():
        if how == MEDIAN:
            found = inside.dropna(subset=[column]).groupby([*keys, column], dropna=False, as_index=False,
                                                           sort=False).size()
            values.append(found.rename(columns={column: "value", "size": "count"}).assign(stat=name))
    return Piece(list(by), sums, pd.concat(values, ignore_index=True) if values else pd.DataFrame())


def _scope(departments=()):
    roster = pd.DataFrame({"employee_id": ["x1", "x2", "x3"], "department": ["D1", "D2", "D3"]})
    return analytics.resolve_scope(roster, "2025-06-30", None, None, departments, 3)


def _text(rng, values, n, arrow: bool, missing: float):
    column = pd.Series(rng.choice(values, n), dtype="str" if arrow else object)
    return column.mask(rng.random(n) < missing, None if not arrow else np.nan)


def _rows(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, list[str]]:
    arrow = bool(rng.integers(0, 2))
    employee = rng.integers(0, max(1, n // 3), n)
    ids = pd.Series([f"E{e}" for e in employee], dtype="str" if arrow else object) if rng.random() < 0.5 \
        else pd.Series(employee)
    if rng.random() < 0.5:
        ids = ids.mask(rng.random(n) < 0.1)
    frame = pd.DataFrame({"employee_id": ids,
                          "department": _text(rng, ["D1", "D2", "D3", "D9"], n, arrow, rng.choice([0.0, 0.1]))})
    keys = {
        "skill_id": pd.Series(rng.integers(-2, 4, n)),
        "skill_na": pd.Series(rng.integers(0, 4, n), dtype="Int64").mask(rng.random(n) < 0.1),
        "kind": _text(rng, ["course", "project", "mentor"], n, arrow, 0.1),
        "coach_id": pd.Series(rng.choice(["C1", "C2", None], n), dtype=object),
        "horizon_months": pd.Series(rng.choice([6, 12, 18], n)),
    }
    by = list(rng.choice(list(keys), int(rng.integers(0, 3)), replace=False))
    for name in by:
        frame[name] = keys[name]
    halves = rng.integers(-8, 9, n) / rng.choice([1, 2, 3])  # whole numbers, halves or thirds
    frame["growth"] = pd.Series(halves).mask(rng.random(n) < 0.2)
    frame["improved"] = frame["growth"] > 0
    frame["plans"] = rng.integers(0, 5, n)
    frame["rated"] = pd.Series(rng.integers(0, 5, n), dtype="Int64").mask(rng.random(n) < 0.2)
    return frame, by


STATS = {"mean_growth": ("growth", MEAN), "median_growth": ("growth", MEDIAN), "share_improved": ("improved", MEAN),
         "plans": ("plans", SUM), "rated": ("rated", MEAN)}


def _assert_same(got: Piece, expected: Piece) -> None:
    assert got.by == expected.by
    pd.testing.assert_frame_equal(got.sums, expected.sums, check_exact=True)
    pd.testing.assert_frame_equal(got.values, expected.values, check_exact=True)


@pytest.mark.parametrize("seed", range(40))
def test_level_piece_agrees_with_grouping_the_rows(seed):
    rng = np.random.default_rng(seed)
    for n in (0, 1, 7, 60, 400):
        per_emp, by = _rows(rng, n)
        scope = _scope(["D1", "D3"] if rng.random() < 0.5 else ())
        for stats in (STATS, {}):
            _assert_same(level_piece(per_emp, by, stats, scope), _reference(per_emp, by, stats, scope))


def test_codes_given_count_as_the_columns_themselves():
    rng = np.random.default_rng(7)
    per_emp, _ = _rows(rng, 300)
    per_emp["skill_id"] = rng.integers(0, 3, 300)
    per_emp["date"] = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 400, 300), unit="D")
    codes = {c: pd.factorize(per_emp[c])[0] for c in ("employee_id", "department", "skill_id")}
    codes["employee_id"] = np.where(per_emp["employee_id"].isna(), -1, codes["employee_id"])
    _assert_same(level_piece(per_emp, ["skill_id"], STATS, _scope(), codes=codes),
                 _reference(per_emp, ["skill_id"], STATS, _scope()))
    events = per_emp.loc[:, ["skill_id", "employee_id", "department", "date"]]
    pd.testing.assert_frame_equal(contributions(events, ["skill_id"], codes), contributions(events, ["skill_id"]))


@pytest.mark.parametrize("seed", range(10))
def test_group_means_agree_with_pandas(seed):
    rng = np.random.default_rng(seed)
    n = 500
    group = rng.integers(-1, 40, n)
    for value in (rng.integers(-9, 10, n).astype(float), rng.integers(-9, 10, n) / 3, rng.normal(size=n)):
        value = np.where(rng.random(n) < 0.1, np.nan, value)
        mine = group >= 0
        expected = pd.Series(value[mine]).groupby(group[mine]).mean().reindex(range(40)).to_numpy()
        np.testing.assert_array_equal(_group_means(value, group, 40), expected)


def test_a_plan_is_found_only_in_the_targets_conversation_of_the_period():
    options = pd.DataFrame({"conversation_id": ["c1", "c1", "c2", "c3", None],
                            "skill": ["SQL", "sql ", "SQL", "SQL", "SQL"],
                            "text": ["Take a course", "Find a mentor", "Find a mentor", "Read a book", "Shadow"],
                            "chosen": [False, True, True, True, True]})
    targets = pd.DataFrame({"conversation_id": pd.Series(["c1", "c2", "c3", "c4", None, "c1"], dtype="category"),
                            "skill": ["SQL", "SQL", "SQL", "SQL", "SQL", "Python"]})
    kinds = plan_kinds(options, targets, {"c1", "c3", "c4"})
    names = [KINDS[k] if k >= 0 else None for k in kinds]
    # c1: the first option chosen (the course was not); c2: not in the period; c4: no option; no conversation;
    # no option for Python.
    assert names == ["mentoring", None, "reading", None, None, None]
    same = plan_kinds(options, targets.astype({"conversation_id": object}), {"c1", "c3", "c4"})
    np.testing.assert_array_equal(same, kinds)
