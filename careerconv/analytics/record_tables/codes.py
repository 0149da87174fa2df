"""The lookups and numberings the record tables share: each id's department (:func:`departments`,
:class:`DepartmentOf`), text looked up in Arrow (:func:`isin`, :func:`positions`), a stable sort of whole numbers
(:func:`stable_order`), and which ratings were given in a draft conversation (:func:`in_draft`). Whole numbers
in the order values first occur, or in their sort order, are :func:`careerconv.analytics.levels.groups_in_order`
and :func:`careerconv.analytics.levels.sort_codes`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from careerconv.records import schema
from careerconv.records.schema import RECORD_ID


def departments(ids: pd.Series, department_of: pd.Series | DepartmentOf) -> pd.Series:
    """The values of ``ids.map(department_of)`` as pandas' default text type: each id's department, missing
    where the id is not in ``department_of`` (the department by employee id, each id once; or its
    :class:`DepartmentOf`, made once for many lookups).

    The ids are hashed once in Arrow (pandas compares text ids as Python objects).
    """
    lookup = department_of if isinstance(department_of, DepartmentOf) else DepartmentOf(department_of)
    return lookup(ids)


class DepartmentOf:
    """The department by employee id (a Series, each id once), ready to be looked up by :func:`departments`: its
    ids and departments put in Arrow once (a part's pieces look departments up some ten times, and putting a
    column of Python objects in Arrow holds Python's lock)."""

    def __init__(self, department_of: pd.Series):
        import pyarrow as pa

        if department_of.index.has_duplicates:
            raise ValueError("each employee id may have one department; the ids of department_of repeat")
        self.series = department_of
        self._arrays = None
        if pd.api.types.is_string_dtype(department_of.index):
            try:  # Arrow reads the departments as text only if every one present is a str
                names = pa.array(department_of.to_numpy(dtype=object), from_pandas=True)
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                names = pa.array([])
            if pa.types.is_string(names.type) or pa.types.is_large_string(names.type):
                self._arrays = (pa.array(department_of.index, from_pandas=True).cast(pa.large_string()),
                                names.cast(pa.large_string()))

    def __call__(self, ids: pd.Series) -> pd.Series:
        """:func:`departments` of ``ids``."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if self._arrays is None or not pd.api.types.is_string_dtype(ids):  # ids or departments that are not text
            return ids.map(self.series).astype(schema.TEXT_DTYPE)
        known, names = self._arrays
        wanted = pa.array(ids, from_pandas=True).cast(pa.large_string())
        found = names.take(pc.index_in(wanted, value_set=known))
        return pd.Series(pd.array(found, dtype=schema.TEXT_DTYPE), index=ids.index, name=ids.name)


def isin(column: pd.Series, values: Iterable) -> np.ndarray:
    """``column.isin(values)`` for a text column (pandas converts a large set of strings one by one)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(column.dtype, pd.CategoricalDtype):  # text read as categories: each one looked up once
        found = isin(pd.Series(column.cat.categories), values)
        return np.append(found, False)[column.cat.codes.to_numpy()]
    array = _text_array(column)
    if isinstance(values, pd.Series) and pd.api.types.is_string_dtype(values.dtype) and values.dtype != object:
        # A text column (every value present is a str) stays in Arrow: no Python string is made. Arrow's look-up
        # takes the values as they are, repeated ones too (making them distinct first would hash them twice).
        wanted = _text_array(values)
    else:
        if isinstance(values, (set, frozenset)):
            texts = [v for v in values if isinstance(v, str)]  # distinct already
        else:
            texts = pd.unique(pd.Series([v for v in values if isinstance(v, str)], dtype=object))
        wanted = pa.array(np.asarray(texts, dtype=object), type=pa.large_string())
    # The wanted values take the column's type (casting the column instead would copy it); a missing value is in
    # no list (skip_nulls: it matches nothing, not even a missing wanted value).
    return pc.is_in(array, value_set=wanted.cast(array.type), skip_nulls=True).to_numpy(zero_copy_only=False)


def _text_array(column: pd.Series) -> Any:
    """A text column as an Arrow array of text (of its own type, if it is text in Arrow already)."""
    import pyarrow as pa

    array = pa.array(column, from_pandas=True)
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        array = array.cast(pa.large_string())
    return array


def positions(values: pd.Series, distinct: pd.Series) -> np.ndarray:
    """The position of each value among ``distinct`` (each value once), -1 where it is not there or
    missing; text is hashed in Arrow."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(values.dtype, pd.CategoricalDtype):  # text read as categories: each one looked up once
        found = positions(pd.Series(values.cat.categories), distinct)
        return np.append(found, -1)[values.cat.codes.to_numpy()]
    if not all(pd.api.types.is_string_dtype(c.dtype) and c.dtype != object for c in (values, distinct)):
        return pd.Index(distinct).get_indexer(values)
    found = pc.index_in(pa.array(values, from_pandas=True).cast(pa.large_string()),
                        value_set=pa.array(distinct, from_pandas=True).cast(pa.large_string()))
    return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def in_draft(ratings: pd.DataFrame, drafts: pd.Series) -> np.ndarray:
    """Whether each rating was given in a draft conversation (as the rating engine decides it): its record is
    one of ``drafts`` and it does not come from a check-in (a missing source is not a check-in)."""
    from_checkin = ratings["source"].eq("checkin").fillna(False).to_numpy(dtype=bool)
    return isin(ratings[RECORD_ID], drafts) & ~from_checkin


def stable_order(key: np.ndarray) -> np.ndarray:
    """``np.argsort(key, kind="stable")`` of whole numbers from 0: sorted 16 bits at a time (NumPy sorts 16-bit
    numbers stably by counting them, several times faster than comparing 64-bit ones)."""
    highest = int(key.max()) if len(key) else 0
    if highest >= 1 << 48:
        return np.argsort(key, kind="stable")
    order = np.arange(len(key))
    shift = 0
    while shift == 0 or highest >> shift:
        digit = ((key[order] >> shift) & 0xFFFF).astype(np.uint16)
        order = order[np.argsort(digit, kind="stable")]
        shift += 16
    return order

