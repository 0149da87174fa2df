"""The whole-number helpers of analytics.levels agree with the pandas and NumPy calls they stand for.

``groups_in_order`` numbers groups as :func:`pandas.factorize` does, ``first_occurrences`` is ``~duplicated``,
and ``dense_codes`` keeps the order of the codes (the month numbers are analytics.quarters': test_quarters).
Seeded random keys cover close and far-apart numbers (the table and the hashed paths), repeats and no rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from careerconv.analytics import levels


def _keys(rng: np.random.Generator) -> np.ndarray:
    n = int(rng.choice([0, 1, 7, 500]))
    highest = int(rng.choice([1, 20, 5_000, 10 ** 9]))
    return rng.integers(0, highest, n).astype(np.int64)


@pytest.mark.parametrize("seed", range(40))
def test_groups_in_order_number_as_factorize(seed):
    key = _keys(np.random.default_rng(seed))
    cell, cells, first = levels.groups_in_order(key)
    expected_cell, expected_cells = pd.factorize(key)
    np.testing.assert_array_equal(cell, expected_cell)
    np.testing.assert_array_equal(cells, expected_cells)
    np.testing.assert_array_equal(first, np.flatnonzero(~pd.Series(key).duplicated().to_numpy()))


@pytest.mark.parametrize("seed", range(40))
def test_first_occurrences_are_the_values_not_duplicated(seed):
    key = _keys(np.random.default_rng(seed))
    np.testing.assert_array_equal(levels.first_occurrences(key), ~pd.Series(key, dtype=np.int64).duplicated())


@pytest.mark.parametrize("seed", range(40))
def test_dense_codes_keep_equality_and_order(seed):
    key = _keys(np.random.default_rng(seed))
    dense = levels.dense_codes(key)
    assert dense.max(initial=0) <= max(int(key.max(initial=0)), 0)
    np.testing.assert_array_equal(np.argsort(dense, kind="stable"), np.argsort(key, kind="stable"))
    np.testing.assert_array_equal(pd.factorize(dense)[0], pd.factorize(key)[0])
