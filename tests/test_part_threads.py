"""The threads a part of the employees is computed on (EmployeeParts.computed): no warning pandas silences reaches
the person running the report."""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pandas as pd
import pytest

from careerconv import analytics
from careerconv.analytics import inputs
from careerconv.demo.organisation import write_demo_organisation

@pytest.fixture(scope="module")
def demo_tables(tmp_path_factory) -> dict:
    data = tmp_path_factory.mktemp("demo") / "data"
    write_demo_organisation(data, 40, 5, dt.date(2026, 10, 1))
    return analytics.load_hr_tables(data, lazy=True)


def _casts_pandas_silences(frames: dict) -> int:
    """What pandas does when the numbers of a nullable column are written as whole numbers: the cast of the
    value a missing value hides (NaN) warns, and pandas silences it. Many times, so that two threads interleave."""
    hidden = pd.arrays.FloatingArray(np.array([1.0, np.nan]), np.array([False, True]))
    for _ in range(3_000):
        hidden.astype("Int64")
    return len(frames["conversations"])


def test_no_warning_pandas_silences_reaches_the_report_from_the_threads_of_a_part(demo_tables, monkeypatch):
    """pandas silences a cast's warning with warnings.catch_warnings, which is not safe on two threads: a part
    computed in two groups at once lets it through (seen as a RuntimeWarning in a 500,000-person report), or
    leaves the process's warning filters changed."""
    monkeypatch.setattr(inputs, "_CORES", 2)
    parts = analytics.EmployeeParts(demo_tables, ["conversations"], part_rows=10**9)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        before = list(warnings.filters)
        for _ in range(20):  # on the code before, one in four let the warning through or changed the filters
            found = parts.computed(0, _casts_pandas_silences, 2)
            assert len(found) == 2 and sum(found) == len(parts[0]["conversations"])
            assert warnings.filters == before
        with pytest.raises(RuntimeWarning, match="invalid value encountered in cast"):
            np.array([np.nan]).astype(np.int64)  # the same warning, outside pandas: not silenced
