"""Reading a part of the employees (EmployeeParts / ParquetTable.part): the frames are exactly those of a plain
``pyarrow.parquet.read_table(...).to_pandas()`` of the same files (same columns, types, values, row order),
however the reading is made faster."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from careerconv import analytics
from careerconv.analytics import inputs, record_tables
from careerconv.analytics.constants import HR_COLUMNS
from careerconv.demo.organisation import write_demo_organisation
from careerconv.records.schema import EMPLOYEE_ID, SKILL
from careerconv.rules import privacy


def _plain(path, name: str) -> pd.DataFrame:
    """The rows of one part file as a plain read gives them (the columns and rows EmployeeParts keeps)."""
    columns = [c for c in HR_COLUMNS[name] if c not in inputs._NOT_READ.get(name, ())]
    return pq.read_table(path, columns=columns, filters=inputs._READ_FILTERS.get(name)).to_pandas()


def _as_text(got: pd.DataFrame, want: pd.DataFrame, name: str) -> pd.DataFrame:
    """``got`` with the columns read as categories (``inputs._CATEGORIES``) written out as text, typed as ``want``
    types them."""
    columns = [c for c in inputs._CATEGORIES.get(name, ()) if c in got.columns]
    for column in columns:
        assert isinstance(got[column].dtype, pd.CategoricalDtype), (name, column)
    return got.astype({c: want[c].dtype for c in columns})


def _assert_same(got: pd.DataFrame, want: pd.DataFrame, what: str) -> None:
    assert list(got.columns) == list(want.columns), what
    assert list(got.dtypes) == list(want.dtypes), what
    pd.testing.assert_frame_equal(got, want, check_exact=True, obj=what)


@pytest.fixture(scope="module")
def demo_tables(tmp_path_factory) -> dict:
    data = tmp_path_factory.mktemp("demo") / "data"
    write_demo_organisation(data, 40, 5, dt.date(2026, 10, 1))
    return analytics.load_hr_tables(data, lazy=True)


def test_every_part_of_the_demo_is_read_as_a_plain_read_gives_it(demo_tables):
    names = [name for name in HR_COLUMNS if name != "roster"]
    assert any(inputs._REPEATED.get(name) for name in names)  # some columns are read through the dictionaries
    for part_rows in (1, 10**9):  # a bucket per part, and every bucket in one part (frames put together)
        parts = analytics.EmployeeParts(demo_tables, names, part_rows=part_rows)
        for number in range(len(parts)):
            part = parts[number]
            buckets = parts._groups[number]
            for name in names:
                files = [p for b in buckets if (p := demo_tables[name]._path(b)) is not None]
                if not files:
                    continue
                frames = [_plain(p, name) for p in files]
                want = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
                what = f"{name} of part {number} ({part_rows} rows a part)"
                _assert_same(_as_text(part[name], want, name), want, what)


def test_repeated_text_with_missing_values_over_several_row_groups_and_filtered_rows(tmp_path):
    """Columns read through the dictionaries: missing values, empty text, a row group whose dictionary differs
    from the others and rows left out by a filter (or every row) keep their places and types; every text column
    of the many row groups comes as one Arrow array."""
    rows = 5_000
    frame = pd.DataFrame({
        EMPLOYEE_ID: pd.array([f"E{i % 7}" if i % 11 else None for i in range(rows)], dtype="string[pyarrow]"),
        SKILL: pd.array(["SQL", "", "Negotiation", None, "Écoute"] * (rows // 5), dtype="string[pyarrow]"),
        "unique": pd.array([f"row-{i}" for i in range(rows)], dtype="string[pyarrow]"),
        "n": pd.array([i if i % 3 else None for i in range(rows)], dtype="Int64"),
        "chosen": [i % 4 == 0 for i in range(rows)]})
    frame.loc[3_500:, SKILL] = "only in the last row groups"
    path = tmp_path / "part-03.parquet"
    frame.to_parquet(path, index=False, row_group_size=700)
    assert pq.ParquetFile(path).metadata.num_row_groups > 5
    table = analytics.ParquetTable("skills", (path,))
    columns = [EMPLOYEE_ID, SKILL, "unique", "n", "chosen"]
    for filters in (None, [("chosen", "==", True)], [("n", "<", 0)]):
        want = pq.read_table(path, columns=columns, filters=filters).to_pandas()
        got = table.part(3, columns, filters, repeated=(EMPLOYEE_ID, SKILL, "not a column"))
        _assert_same(got, want, f"filters {filters}")
        assert isinstance(got[SKILL].array, pd.arrays.ArrowStringArray)
        assert not pa.types.is_dictionary(pa.array(got[SKILL].array).type)
        for column in (EMPLOYEE_ID, SKILL, "unique"):
            assert got[column].array.__arrow_array__().num_chunks == 1, (column, filters)
    # A part without a file is the table's empty frame, as before.
    assert table.part(4, [EMPLOYEE_ID, SKILL], repeated=(SKILL,)).empty


def test_targets_read_as_categories_give_the_pieces_and_tables_of_targets_read_as_text(demo_tables, monkeypatch):
    """The targets' ids and skills come as categoricals (``inputs._CATEGORIES``): every part's pieces and every
    table are exactly those of the same targets read as text, with a part per bucket, and in a report with
    neighbouring periods (the targets measured once for several reports, and apart) with one part of every
    bucket (their categoricals put together). The categories are in reverse order of their text: nothing may
    take their order for the order of the text."""
    assert inputs._CATEGORIES["targets"]
    read_part = inputs.ParquetTable.part

    def reversed_categories(*args, **kwargs) -> pd.DataFrame:
        frame = read_part(*args, **kwargs)
        for column in frame.columns:
            if isinstance(frame[column].dtype, pd.CategoricalDtype):
                frame[column] = frame[column].cat.reorder_categories(frame[column].cat.categories.sort_values()[::-1])
        return frame

    def report(categories: dict, period: tuple | None, part_rows: int) -> tuple[dict, list]:
        pieces = []
        part_pieces = record_tables.part_pieces
        monkeypatch.setattr(inputs, "_CATEGORIES", categories)
        monkeypatch.setattr(inputs.ParquetTable, "part", reversed_categories)
        monkeypatch.setattr(record_tables, "part_pieces", lambda *a: pieces.append(part_pieces(*a)) or pieces[-1])
        try:
            return analytics.hr_aggregates(demo_tables, "2026-10-01", period=period, k=3, part_rows=part_rows), pieces
        finally:
            monkeypatch.undo()

    for period, part_rows in ((None, 1), (("2025-04-01", None), 10**9)):
        as_categories, pieces = report(dict(inputs._CATEGORIES), period, part_rows)
        as_text, text_pieces = report({}, period, part_rows)
        assert len(pieces) == len(text_pieces) == (len(demo_tables["targets"].paths) if part_rows == 1 else 1)
        for one, other in zip(pieces, text_pieces):
            assert one.keys() == other.keys()
            for name in one:
                for field in ("sums", "values", "contrib", "neighbours"):
                    pd.testing.assert_frame_equal(getattr(one[name], field), getattr(other[name], field),
                                                  check_exact=True, obj=f"{name}.{field} ({part_rows} rows a part)")
        for name in analytics.TABLE_TITLES:
            pd.testing.assert_frame_equal(as_categories[name], as_text[name], check_exact=True, obj=name)
        assert privacy.shown(as_categories["skill_growth"]).any()


def test_a_part_of_several_buckets_keeps_its_categories_when_a_bucket_keeps_no_row(tmp_path):
    """CI once stopped `hr-report --as-of 2024-01-01` on a small organisation with "dtype of categories must be the
    same": one bucket's targets were all left out by the read's filter, and its empty categories (objects) were
    unioned with the others' (text). The empty bucket adds nothing; the part reads as the buckets' rows together."""
    paths = []
    for bucket, ids in ((0, ["E1", "E2", "E1"]), (1, ["E3"]), (2, ["E4", "E5"])):
        frame = pd.DataFrame({EMPLOYEE_ID: pd.array(ids, dtype="string[pyarrow]"),
                              "keep": [bucket != 1] * len(ids)})
        paths.append(tmp_path / f"part-{bucket:02d}.parquet")
        frame.to_parquet(paths[-1], index=False)
    table = analytics.ParquetTable("targets", tuple(paths))
    read = [table.part(b, [EMPLOYEE_ID, "keep"], [("keep", "==", True)], repeated=(EMPLOYEE_ID,),
                       categories=(EMPLOYEE_ID,)) for b in range(3)]
    assert read[1].empty and isinstance(read[1][EMPLOYEE_ID].dtype, pd.CategoricalDtype)
    got = inputs._put_together(read, (EMPLOYEE_ID,))
    assert isinstance(got[EMPLOYEE_ID].dtype, pd.CategoricalDtype)
    assert got[EMPLOYEE_ID].astype(str).tolist() == ["E1", "E2", "E1", "E4", "E5"]
    everything_filtered = inputs._put_together([read[1], read[1]], (EMPLOYEE_ID,))
    assert everything_filtered.empty and isinstance(everything_filtered[EMPLOYEE_ID].dtype, pd.CategoricalDtype)
