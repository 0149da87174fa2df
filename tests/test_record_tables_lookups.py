"""The text lookups of analytics.record_tables give what pandas' map and isin give, whatever the values are."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from careerconv.analytics.record_tables import isin, departments
from careerconv.analytics.record_tables.codes import DepartmentOf

IDS = ["E1", "E10", "", " E1", "\u00e9", "e\u0301", "\U0001f600", "a\x00b"]


def _plain(series: pd.Series) -> list:
    return series.astype(object).where(series.notna(), None).tolist()


@pytest.mark.parametrize("names", [
    ["Sales", "Ops", None, np.nan, "R&D", "", "Sales", np.str_("Long")],  # text, some missing
    ["Sales", 1, None, "Ops", 2.5, "", "Sales", "x"],                       # not all text
    [b"Sales", "Ops", None, "x", "y", "", "z", "w"],                        # bytes are not text
    [None] * 8,                                                             # nothing known
])
@pytest.mark.parametrize("dtype", ["str", "string", object])
def test_departments_are_what_map_gives_whatever_the_departments_are(names, dtype):
    department_of = pd.Series(names, index=pd.Index(IDS, dtype="str"), dtype=object)
    ids = pd.Series([*IDS[::-1], "E100", None, "E1"], dtype=dtype, index=np.arange(11) * 3)
    expected = ids.map(department_of)
    lookup = DepartmentOf(department_of)  # made once, as a part's pieces use it
    for asked, found in ((ids, departments(ids, department_of)), (ids, departments(ids, lookup)),
                         (ids.iloc[::-1], departments(ids.iloc[::-1], lookup))):
        assert str(found.dtype) == "str" and found.index.equals(asked.index)
        assert _plain(found) == _plain(expected.reindex(asked.index).astype("str"))


def test_a_department_lookup_refuses_an_employee_in_two_departments():
    department_of = pd.Series(["Sales", "Ops"], index=pd.Index(["E1", "E1"], dtype="str"))
    for make in (DepartmentOf, lambda d: departments(pd.Series(["E1"], dtype="str"), d)):
        with pytest.raises(ValueError, match="each employee id may have one department"):
            make(department_of)


def test_departments_of_an_empty_roster_are_missing():
    found = departments(pd.Series(["E1", None], dtype="str"), pd.Series([], index=pd.Index([], dtype="str"),
                                                                         dtype=object))
    assert str(found.dtype) == "str" and found.isna().all()


@pytest.mark.parametrize("kind", [set, frozenset, list, "series", "object-series"])
def test_isin_is_what_isin_gives_for_any_collection(kind):
    column = pd.Series([*IDS, None, "E100", "E1"], dtype="str")
    wanted = ["E1", "", "e\u0301", "nowhere", None, 7, np.nan, "a\x00b", "E1"]
    if kind == "series":
        values = pd.Series([w for w in wanted if isinstance(w, str)], dtype="str")
    elif kind == "object-series":
        values = pd.Series(wanted, dtype=object)
    else:
        values = kind(w for w in wanted if not (isinstance(w, float) and np.isnan(w)))
    expected = column.isin([w for w in wanted if isinstance(w, str)]).to_numpy()
    assert isin(column, values).tolist() == expected.tolist()
