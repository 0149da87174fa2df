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
from careerconv.rules import privacy, progress


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
            buckets = parts._part_buckets[number]
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


@pytest.mark.parametrize("ways", [1, 2, 3])
def test_text_read_as_categories_holds_the_categories_its_rows_use_in_the_files_order(tmp_path, ways):
    """A column read as categories (``categories``) of a part, whole or in groups: exactly what pandas makes of the
    plain read with ``remove_unused_categories`` - the values its rows use, in the order of the files' unified
    dictionary, the same codes - with missing values, empty text, a value only a filtered-out row held, a value
    of one group only, and no row at all."""
    rows = 3_000
    frame = pd.DataFrame({
        EMPLOYEE_ID: [f"E{i % 13}" for i in range(rows)],
        SKILL: pd.array([None if i % 17 == 0 else ["SQL", "", "Écoute", f"only E{i % 13}"][i % 4]
                         for i in range(rows)], dtype="string[pyarrow]"),
        "n": range(rows)})
    frame.loc[1_000, SKILL] = "left out by the filter"
    path = tmp_path / "part-02.parquet"
    frame.to_parquet(path, index=False, row_group_size=400)
    table = analytics.ParquetTable("skills", (path,))
    for filters in (None, [("n", "!=", 1_000)], [("n", "<", 0)]):
        read = pq.read_table(path, columns=[EMPLOYEE_ID, SKILL, "n"], filters=filters,
                             read_dictionary=[SKILL]).to_pandas()
        groups = inputs.employee_groups(read[EMPLOYEE_ID], ways)
        got = table.part_groups(2, ways, [EMPLOYEE_ID, SKILL, "n"], filters, repeated=(SKILL,), categories=(SKILL,))
        for number, group in enumerate(got):
            want = read[groups == number].reset_index(drop=True)
            codes = group[SKILL].cat.codes.to_numpy()
            if len(want):
                want = want.assign(**{SKILL: want[SKILL].cat.remove_unused_categories()})
                assert list(group[SKILL].cat.categories) == list(want[SKILL].cat.categories)
                assert (codes == want[SKILL].cat.codes.to_numpy()).all() and codes.dtype == want[SKILL].cat.codes.dtype
                assert set(group[SKILL].dropna()) == set(want[SKILL].dropna())
            assert list(group[SKILL].astype(object).where(group[SKILL].notna(), None)) == \
                list(want[SKILL].astype(object).where(want[SKILL].notna(), None)), (filters, number)
            assert "left out by the filter" not in group[SKILL].cat.categories or filters is None
            assert len(group[SKILL].cat.categories) == group[SKILL].nunique()  # only the values its rows use


def test_targets_read_as_categories_give_the_pieces_and_tables_of_targets_read_as_text(demo_tables, monkeypatch):
    """The targets' ids and skills come as categoricals (``inputs._CATEGORIES``): every part's pieces and every
    table are exactly those of the same targets read as text, with a part per bucket, and in a report with
    neighbouring periods (the targets measured once for several reports, and apart) with one part of every
    bucket (their categoricals put together). The categories are in reverse order of their text: nothing may
    take their order for the order of the text."""
    assert inputs._CATEGORIES["targets"]
    read_part = inputs.ParquetTable.part_groups

    def reversed_categories(*args, **kwargs) -> list[pd.DataFrame]:
        frames = read_part(*args, **kwargs)
        for frame in frames:
            for column in frame.columns:
                if isinstance(frame[column].dtype, pd.CategoricalDtype):
                    categories = frame[column].cat.categories.sort_values()[::-1]
                    frame[column] = frame[column].cat.reorder_categories(categories)
        return frames

    def report(categories: dict, period: tuple | None, part_rows: int) -> tuple[dict, list]:
        pieces = []
        part_pieces = record_tables.part_pieces
        monkeypatch.setattr(inputs, "_CATEGORIES", categories)
        monkeypatch.setattr(inputs.ParquetTable, "part_groups", reversed_categories)
        monkeypatch.setattr(record_tables, "part_pieces", lambda *a: pieces.append(part_pieces(*a)) or pieces[-1])
        try:
            return analytics.hr_aggregates(demo_tables, "2026-10-01", period=period, k=3, part_rows=part_rows,
                                           part_groups=1), pieces
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


def _plain_with_employee(path, name: str) -> pd.DataFrame:
    """A plain read of one part file with each row's employee, read even where the report does not (options)."""
    columns = [c for c in HR_COLUMNS[name] if c not in inputs._NOT_READ.get(name, ())]
    return pq.read_table(path, columns=list(dict.fromkeys([*columns, EMPLOYEE_ID])),
                         filters=inputs._READ_FILTERS.get(name)).to_pandas()


def _kind(dtype) -> object:
    """A column's type, a categorical's being that of its categories (a group has only its own)."""
    return ("category", dtype.categories.dtype) if isinstance(dtype, pd.CategoricalDtype) else dtype


@pytest.mark.parametrize("ways", [2, 3])
def test_a_part_read_in_groups_is_the_part_cut_by_employee_rows_in_order(demo_tables, ways):
    """Each group of a part holds exactly the rows of the plain read whose employee is in that group, in the file's
    order, with the same columns and types as the whole part; the roster is cut the same way; every group of a
    demo bucket holds someone."""
    names = [name for name in HR_COLUMNS if name != "roster"]
    parts = analytics.EmployeeParts(demo_tables, names, part_rows=1)
    assert len(parts) > 1
    held = [0] * ways
    for number in range(len(parts)):
        whole = parts[number]
        groups = parts.read(number, ways)
        assert len(groups) == ways
        (bucket,) = parts._part_buckets[number]
        roster_groups = inputs.employee_groups(whole["roster"][EMPLOYEE_ID], ways)
        for g, group in enumerate(groups):
            assert set(group) == set(whole)
            pd.testing.assert_frame_equal(group["roster"], whole["roster"][roster_groups == g])
            held[g] += len(group["roster"])
            for name in names:
                path = demo_tables[name]._path(bucket)
                if path is None:
                    assert group[name].empty
                    continue
                plain = _plain_with_employee(path, name)
                keep = inputs.employee_groups(plain[EMPLOYEE_ID], ways) == g
                want = plain.loc[keep, list(whole[name].columns)].reset_index(drop=True)
                got = group[name]
                assert list(map(_kind, got.dtypes)) == list(map(_kind, whole[name].dtypes)), name
                _assert_same(_as_text(got, want, name), want, f"{name}, group {g} of {ways} of part {number}")
                for column in inputs._CATEGORIES.get(name, ()):  # categories of the group's own values only
                    assert set(got[column].cat.categories) == set(got[column].astype(str)), (name, column)
    assert min(held) > 0, f"a group of every part is empty: {held} people in the groups"


def test_the_group_of_an_employee_is_a_function_of_their_id_alone():
    """The same id is in the same group read as text, as Arrow, or among other ids; a missing id is in group 0;
    ids of every kind spread over every group; a bad number of groups is refused with what is allowed."""
    ids = [f"E{i}" for i in range(300)] + ["ÉLODIE-7", "名前", "a,b\n\"c\"", " ", ""]
    groups = inputs.employee_groups(ids, 3)
    assert set(groups) == {0, 1, 2} and all(min(list(groups).count(g) for g in range(3)) > 60 for _ in [0])
    assert list(inputs.employee_groups(ids[::-1], 3)) == list(groups[::-1])
    arrow = pa.chunked_array([pa.array(ids[:150]), pa.array(ids[150:] + [None])])
    assert list(inputs._groups_of_rows(arrow, 3)) == [*groups, 0]
    assert list(inputs._groups_of_rows(pa.chunked_array([pa.array(ids).dictionary_encode()]), 3)) == list(groups)
    assert list(inputs.employee_groups(pd.Series(["E1", None, pd.NA], dtype=object), 2))[1:] == [0, 0]
    assert list(inputs.employee_groups(ids, 1)) == [0] * len(ids)


def test_a_part_is_read_in_a_whole_number_of_groups(demo_tables):
    parts = analytics.EmployeeParts(demo_tables, ["conversations"], part_rows=1)
    for bad in (0, -1, True, 1.5, "2"):
        with pytest.raises(ValueError, match=f"a part is read in a whole number of groups, at least 1; got {bad!r}"):
            parts.read(0, bad)


def test_every_table_is_the_same_computed_in_any_number_of_groups_at_once(demo_tables, monkeypatch):
    """`hr_aggregates` computes each part in groups of its employees at the same time (``part_groups``): every
    table is the same with one group, two or three (to the last bits of sums of fractions, added in another
    order), with a part per bucket and with every bucket in one part, for a report and for a period checked
    against its neighbouring reports; the demo's small parts are computed whole by default; on one core the
    groups give exactly the figures they give on two."""
    def report(period, part_rows, groups):
        return analytics.hr_aggregates(demo_tables, "2026-10-01", period=period, k=3, part_rows=part_rows,
                                       part_groups=groups)

    for period, part_rows, others in ((None, 1, (3,)), (("2025-04-01", None), 10**9, (2, None))):
        whole = report(period, part_rows, 1)
        assert privacy.shown(whole["skill_growth"]).any() and privacy.shown(whole["target_attainment"]).any()
        for groups in others:
            tables = report(period, part_rows, groups)
            assert tables.keys() == whole.keys()
            for name, frame in whole.items():
                what = f"{name} in {groups} groups, {part_rows} rows a part"
                if groups is None:  # the demo's parts are small: computed whole, as before
                    pd.testing.assert_frame_equal(tables[name], frame, check_exact=True, obj=what)
                else:
                    pd.testing.assert_frame_equal(tables[name], frame, check_exact=False, rtol=1e-12, obj=what)
    monkeypatch.setattr(inputs, "_CORES", 2)
    two_cores = report(None, 10**9, 2)
    monkeypatch.setattr(inputs, "_CORES", 1)
    on_one_core = report(None, 10**9, 2)
    for name, frame in on_one_core.items():
        pd.testing.assert_frame_equal(frame, two_cores[name], check_exact=True, obj=name)


def test_the_rows_of_a_table_given_days_are_read_on_those_days_alone(demo_tables):
    """``days``: the rows of a table on disk are read only if dated from the first day up to (not including) the
    last, or before the last (no first day); every other table, and each row read, is read as before."""
    names = [name for name in HR_COLUMNS if name != "roster"]
    first, after = pd.Timestamp("2025-04-01"), pd.Timestamp("2026-01-01")
    days = {"targets": ("2025-04-01", after.date()), "options": (first, after), "skill_ratings": (None, after)}
    for part_rows in (1, 10**9):
        whole = analytics.EmployeeParts(demo_tables, names, part_rows=part_rows)
        within = analytics.EmployeeParts(demo_tables, names, part_rows=part_rows, days=days)
        assert len(within) == len(whole)  # the parts are cut alike (by the rows in the files)
        for number in range(len(whole)):
            every, read = whole[number], within[number]
            for name in names:
                what = f"{name} of part {number} ({part_rows} rows a part)"
                want = every[name]
                if name in days:
                    # The options are read without their date: it is their conversation's.
                    dated = want["date"] if "date" in want else _dates_of(want, every["conversations"])
                    since = pd.Timestamp(days[name][0]) if days[name][0] is not None else dated.min()
                    want = want[((dated >= since) & (dated < after)).to_numpy()].reset_index(drop=True)
                    if part_rows == 10**9:  # the demo's records span the days and more
                        assert 0 < len(want) < len(every[name]), what
                _assert_same(_written_out(read[name]), _written_out(want), what)


def _written_out(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its categoricals as text (the categories read differ with the rows read)."""
    return frame.astype({c: str for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)})


def _dates_of(rows: pd.DataFrame, conversations: pd.DataFrame) -> pd.Series:
    """The date of each row's conversation."""
    dates = conversations.set_index("conversation_id")["date"]
    return rows["conversation_id"].astype(str).map(dates)


def test_tables_in_memory_are_taken_whole_whatever_the_days_given(tmp_path):
    data = tmp_path / "data"
    write_demo_organisation(data, 12, 5, dt.date(2026, 10, 1))
    tables = analytics.load_hr_tables(data, lazy=False)
    parts = analytics.EmployeeParts(tables, ["targets", "options"], days={"targets": ("2026-01-01", "2026-04-01")})
    part = parts[0]
    assert part["targets"] is tables["targets"] and part["options"] is tables["options"]


@pytest.mark.parametrize("bad", [("2026-04-01", "2026-01-01"), ("2026-01-01", "2026-01-01")])
def test_the_days_read_run_forward(demo_tables, bad):
    with pytest.raises(ValueError, match=r"the days of the targets read must be \(first day, day after the last\) "
                                         "with the first before the last; got"):
        analytics.EmployeeParts(demo_tables, ["targets"], days={"targets": bad})


def test_a_report_reading_only_the_days_its_figures_read_gives_the_tables_of_reading_every_row(
        demo_tables, monkeypatch):
    """Each report reads the targets, options, skills and ratings of the days of its own period and of those it is
    compared with (``record_tables.days_read``), and only the targets due by the last as-of day among them
    (``record_tables.due_by``): its tables are exactly those of a report reading every row, for the default period
    (which leaves the demo's first year out) and for a chosen one, with a part per bucket and with every bucket in
    one part."""
    asked, read_all, due = [], [], []
    days_read, due_by = record_tables.days_read, record_tables.due_by

    def days(scope):
        asked.append(days_read(scope))
        return {} if read_all else asked[-1]

    def due_day(scope):
        due.append(due_by(scope))
        return None if read_all else due[-1]

    monkeypatch.setattr(record_tables, "days_read", days)
    monkeypatch.setattr(record_tables, "due_by", due_day)
    for period, part_rows in ((None, 1), (("2025-04-01", "2025-12-31"), 10**9)):
        read_all.clear()
        within = analytics.hr_aggregates(demo_tables, "2026-10-01", period=period, k=3, part_rows=part_rows)
        read_all.append(True)
        every = analytics.hr_aggregates(demo_tables, "2026-10-01", period=period, k=3, part_rows=part_rows)
        for name in analytics.TABLE_TITLES:
            pd.testing.assert_frame_equal(within[name], every[name], check_exact=True, obj=f"{name}, {period}")
        assert privacy.shown(within["skill_growth"]).any() and privacy.shown(within["option_kinds"]).any()
    first_data = demo_tables["conversations"].to_pandas(["date"])["date"].min()
    default, chosen = asked[0], asked[2]
    two_years = (pd.Timestamp("2024-10-01"), pd.Timestamp("2026-10-01"))
    assert first_data < two_years[0]  # the default period leaves some records on disk
    assert default == {"targets": two_years, "options": two_years, "skills": two_years, "skill_ratings": two_years}
    # A chosen period is compared with the periods from the first data, whose rating figures read every rating.
    assert chosen["targets"][0] <= first_data and chosen["skill_ratings"] == (None, two_years[1])
    # The chosen period (2025 Q2 - Q4) is compared with periods up to the last complete quarter: as of its end.
    assert due[0] == due[2] == pd.Timestamp("2026-09-30")


def test_targets_not_yet_due_on_the_day_given_are_not_read(demo_tables):
    """``due_by``: of the targets on disk only those due by the day are read (with ``days``, those of the days
    too); every other table, and each row read, is read as before."""
    names = [name for name in HR_COLUMNS if name != "roster"]
    day = pd.Timestamp("2026-06-30")
    days = {"targets": ("2025-01-01", "2026-10-01")}
    for part_rows in (1, 10**9):
        whole = analytics.EmployeeParts(demo_tables, names, part_rows=part_rows)
        within = analytics.EmployeeParts(demo_tables, names, part_rows=part_rows, due_by=day)
        both = analytics.EmployeeParts(demo_tables, names, part_rows=part_rows, days=days, due_by=day)
        for number in range(len(whole)):
            every, read, read_both = whole[number], within[number], both[number]
            for name in names:
                what = f"{name} of part {number} ({part_rows} rows a part)"
                want = every[name]
                if name == "targets":
                    want = want[~progress.not_yet_due(want, day)].reset_index(drop=True)
                    if part_rows == 10**9:  # the demo's targets run to its as-of day, 2026-10-01
                        assert 0 < len(want) < len(every[name]), what
                _assert_same(_written_out(read[name]), _written_out(want), what)
                if name == "targets":
                    want = want[(want["date"] >= "2025-01-01").to_numpy()].reset_index(drop=True)
                _assert_same(_written_out(read_both[name]), _written_out(want), what + " within days")


def test_targets_of_another_horizon_or_none_are_read_whatever_the_day(tmp_path):
    """Targets the rule refuses (a horizon other than the store's, or none, or no date) are read to be refused, as
    before."""
    ids = [f"E{i}" for i in range(9)]
    targets = pd.DataFrame({
        EMPLOYEE_ID: pd.array(ids, dtype="string[pyarrow]"),
        "conversation_id": pd.array([f"c{i}" for i in range(9)], dtype="string[pyarrow]"),
        "date": pd.to_datetime(["2026-01-01", "2026-01-01 23:00", "2025-12-31", "2026-06-01", "2026-06-01",
                                "2026-06-01", "2026-06-01", "2025-01-01", None], format="ISO8601"),
        "skill": pd.array(["SQL"] * 9, dtype="string[pyarrow]"),
        "baseline": pd.array([3] * 9, dtype="Int64"),
        "horizon_months": pd.array([6, 6, 6, 7, None, 0, 18, 18, 6], dtype="Int64"),
        "target": pd.array([5] * 9, dtype="Int64")})
    path = tmp_path / "part-00.parquet"
    targets.to_parquet(path, index=False)
    roster = pd.DataFrame({EMPLOYEE_ID: ids, "department": "Ops", "coach_id": "C1",
                           "cadence_months": pd.array([6] * 9, dtype="Int64")})
    tables = {"roster": roster, "targets": analytics.ParquetTable("targets", (path,))}
    read = analytics.EmployeeParts(tables, ["targets"], due_by="2026-07-01")[0]["targets"]
    # 1 Jan + 6 months is 1 Jul (due on the day, whatever the time); 7 and 0 months are not the store's; 18
    # months from June 2026 is not due, from January 2025 it is.
    assert read[EMPLOYEE_ID].astype(str).tolist() == ["E0", "E1", "E2", "E3", "E4", "E5", "E7", "E8"]
