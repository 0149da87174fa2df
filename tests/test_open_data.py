"""derived/ is open data that opens right: pandas, pyarrow and DuckDB read it as the store does."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from careerconv import cli
from careerconv.records import schema
from careerconv.records.store import Store


def by_key(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    return frame.sort_values(list(schema.DERIVED_TABLES[name].key)).reset_index(drop=True)


@pytest.fixture
def refreshed(sample_data: Path, capsys) -> Store:
    assert cli.main(["--data", str(sample_data), "refresh"]) == 0
    assert capsys.readouterr().out.strip() == str(sample_data / "derived")
    return Store(sample_data)


@pytest.mark.parametrize("name", list(schema.DERIVED_TABLES))
def test_pandas_reads_each_derived_table_with_the_stores_dtypes(refreshed: Store, name: str):
    expected = by_key(refreshed.read_table(name, refresh=False), name)
    read = pd.read_parquet(refreshed.root / "derived" / name)
    assert read.dtypes.to_dict() == expected.dtypes.to_dict()
    assert isinstance(read.index, pd.RangeIndex)
    pd.testing.assert_frame_equal(by_key(read, name), expected)
    one_part = pd.read_parquet(next((refreshed.root / "derived" / name).glob("part-*.parquet")))
    assert one_part.dtypes.to_dict() == expected.dtypes.to_dict()


def test_ratings_are_nullable_integers_and_dates_are_dates(refreshed: Store):
    ratings = pd.read_parquet(refreshed.root / "derived" / "skill_ratings")
    assert str(ratings["self_rating"].dtype) == "Int64" and str(ratings["coach_rating"].dtype) == "Int64"
    assert ratings["coach_rating"].isna().any() and ratings["coach_rating"].dropna().between(1, 10).all()
    assert str(ratings["date"].dtype) == "datetime64[ns]" and str(ratings["skill"].dtype) == "string"


def test_parts_written_without_metadata_are_rewritten_by_refresh(refreshed: Store, capsys):
    folder = refreshed.root / "derived" / "skill_ratings"
    for part in folder.glob("part-*.parquet"):  # as an older careerconv wrote them
        pq.write_table(pq.read_table(part).replace_schema_metadata(None), part)
    assert str(pd.read_parquet(folder)["coach_rating"].dtype) == "float64"  # what a reader got before
    assert cli.main(["--data", str(refreshed.root), "refresh"]) == 0
    assert "part(s) rewritten" in capsys.readouterr().err
    assert str(pd.read_parquet(folder)["coach_rating"].dtype) == "Int64"


def test_duckdb_reads_the_same_rows(refreshed: Store):
    for name in ("skill_ratings", "conversations", "action_items"):
        glob = str(refreshed.root / "derived" / name / "*.parquet")
        count = duckdb.sql(f"SELECT count(*) FROM read_parquet('{glob}')").fetchall()[0][0]
        assert count == len(refreshed.read_table(name, refresh=False)) > 0
    glob = str(refreshed.root / "derived" / "skill_ratings" / "*.parquet")
    types = dict(duckdb.sql(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('{glob}'))")
                 .fetchall())
    assert types["self_rating"] == "BIGINT" and types["skill"] == "VARCHAR"
