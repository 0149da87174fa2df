"""analytics.levels.level_piece counts the distinct employees of each group on whole numbers; its pieces agree
with grouping the rows as pandas does (``nunique``), on seeded random frames: text and number ids and keys,
missing values everywhere, an employee in two departments, departments left out of the report."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from careerconv.analytics.levels import MEAN, MEDIAN, SUM, level_piece
from careerconv.analytics.scope import ReportScope

SCOPE = ReportScope(start=pd.Timestamp("2024-01-01"), end=pd.Timestamp("2025-01-01"), departments=("D0", "D1"),
                    all_departments=("D0", "D1", "D2"), k=3, as_of=dt.date(2024, 12, 31))


def _reference_sums(per_emp: pd.DataFrame, by: list[str], stats: dict) -> pd.DataFrame:
    inside = per_emp[per_emp["department"].isin(SCOPE.selected)]
    keys = [*by, "department"]
    spec = {"n_employees": ("employee_id", "nunique")}
    for name, (column, how) in stats.items():
        if how in (MEAN, SUM):
            spec[f"{name}|sum"] = (column, "sum")
        if how == MEAN:
            spec[f"{name}|count"] = (column, "count")
    if inside.empty:
        return pd.DataFrame({c: [] for c in [*keys, *spec]})
    return inside.groupby(keys, dropna=False, as_index=False, sort=False).agg(**spec)


def _rows(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, list[str]]:
    employee = rng.integers(0, max(1, n // 3), n)
    kind = int(rng.integers(0, 3))
    if kind == 0:  # text ids, some missing
        ids = pd.Series([f"E{e:03d}" for e in employee], dtype="str").mask(rng.random(n) < 0.1)
    elif kind == 1:  # whole-number codes from 0 (or from -1: an id like any other)
        ids = pd.Series(employee - int(rng.integers(0, 2)))
    else:  # numbers with missing ones
        ids = pd.Series(employee).mask(rng.random(n) < 0.1)
    department = pd.Series([f"D{e % 3}" for e in employee], dtype="str").mask(rng.random(n) < 0.1, "D1")
    frame = pd.DataFrame({"employee_id": ids, "department": department.mask(rng.random(n) < 0.05),
                          "skill_id": rng.integers(-1, 3, n),
                          "kind": pd.Series(rng.choice(["course", "project", None], n), dtype="str"),
                          "value": pd.Series(rng.integers(0, 5, n) / 2).mask(rng.random(n) < 0.1)})
    by = list(rng.choice(["skill_id", "kind"], int(rng.integers(0, 3)), replace=False))
    return frame, by


@pytest.mark.parametrize("seed", range(40))
def test_distinct_employees_agree_with_nunique(seed):
    rng = np.random.default_rng(seed)
    for n in (0, 1, 8, 80, 500):
        frame, by = _rows(rng, n)
        for stats in ({}, {"mean": ("value", MEAN), "sum": ("value", SUM), "median": ("value", MEDIAN)}):
            piece = level_piece(frame, by, stats, SCOPE)
            pd.testing.assert_frame_equal(piece.sums, _reference_sums(frame, by, stats))
