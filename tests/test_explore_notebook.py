"""notebooks/explore.ipynb and careerconv.records.open_data: the tables in pandas and DuckDB, the folder explored left alone."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import nbformat
import pandas as pd
import pytest

from careerconv.records import config, open_data

from notebook_runs import run_notebook, snapshot

NOTEBOOK = config.NOTEBOOKS_DIR / "explore.ipynb"


def copies() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob("careerconv-explore-*"))


def outputs(nb: nbformat.NotebookNode) -> str:
    return "\n".join(o.get("data", {}).get("text/plain", "") for c in nb.cells if c.cell_type == "code"
                     for o in c.get("outputs", []))


def test_the_notebook_is_thin_with_a_tagged_literal_parameters_cell_and_no_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    lines = params[0].source.splitlines()
    assert [line.split(":")[0] for line in lines] == ["data_dir", "work_on_copy", "min_group_size"]
    assert all(" = " in line and "  # " in line for line in lines)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert all("def " not in c.source and "class " not in c.source for c in code)


@pytest.mark.timeout(300)
def test_by_default_it_reads_the_sample_and_writes_nothing_into_it(tmp_path: Path):
    before, temp_before = snapshot(config.SAMPLE_DATA_DIR), copies()
    text = outputs(run_notebook("explore", tmp_path))
    assert snapshot(config.SAMPLE_DATA_DIR) == before
    assert not (config.SAMPLE_DATA_DIR / "derived").exists()
    assert copies() <= temp_before  # the kernel's copy went with it
    assert "skill_ratings" in text and "Int64" in text and "datetime64[ns]" in text
    assert "mean_self_rating" in text and "Engineering" in text


@pytest.mark.timeout(300)
def test_without_a_copy_it_brings_the_folders_derived_tables_up_to_date(sample_data: Path, tmp_path: Path):
    assert not (sample_data / "derived").exists()
    run_notebook("explore", tmp_path, data_dir=str(sample_data), work_on_copy=False, min_group_size=3)
    ratings = pd.read_parquet(sample_data / "derived" / "skill_ratings")
    assert str(ratings["self_rating"].dtype) == "Int64" and len(ratings) > 0


def test_prepare_refuses_a_folder_without_a_roster(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="has no roster.csv"):
        open_data.prepare(tmp_path)


def test_a_copy_holds_the_records_and_tables_and_the_source_is_untouched(sample_data: Path):
    before = snapshot(sample_data)
    folder = open_data.prepare(sample_data)
    assert folder != sample_data and oct(folder.stat().st_mode & 0o777) == "0o700"
    assert snapshot(sample_data) == before and not (sample_data / "derived").exists()
    assert (folder / "roster.csv").read_bytes() == (sample_data / "roster.csv").read_bytes()
    for name in open_data.DERIVED_TABLE_NAMES:
        assert len(list(open_data.table_path(folder, name).glob("part-*.parquet"))) > 0


def test_a_copy_left_by_a_killed_process_is_removed_by_the_next(sample_data: Path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    orphan = Path(tempfile.mkdtemp(prefix=f"careerconv-explore-{dead.stdout.strip()}-"))
    (orphan / "roster.csv").write_text("x", encoding="utf-8")
    mine = open_data.prepare(sample_data)
    assert not orphan.exists() and mine.exists()
    open_data.prepare(sample_data)
    assert mine.exists()  # this process is alive: its copy stays until it exits


def test_duckdb_sources_read_the_tables_even_from_a_folder_with_a_quote(sample_data: Path, tmp_path: Path):
    odd = tmp_path / "o'brien data"
    sample_data.rename(odd)
    folder = open_data.prepare(odd, work_on_copy=False)
    roster = duckdb.sql(f"SELECT * FROM {open_data.duckdb_source(folder, 'roster')}").df()
    assert list(roster.columns)[:3] == ["employee_id", "name", "coach_id"]
    assert len(roster) == len(pd.read_csv(folder / "roster.csv", dtype=str))
    rows = duckdb.sql(f"SELECT count(*) FROM {open_data.duckdb_source(folder, 'skill_ratings')}").fetchall()[0][0]
    assert rows == len(pd.read_parquet(open_data.table_path(folder, "skill_ratings")))
    with pytest.raises(ValueError, match="unknown table 'ratings'"):
        open_data.table_path(folder, "ratings")
