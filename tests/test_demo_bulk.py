"""The bulk demo organisation goes through the store's bulk write: same tables as before, a manifest that
keeps them across refreshes, nothing half-written when generation fails."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import subprocess
import sys

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from careerconv.records import schema
from careerconv.records import store as store_module
from careerconv.demo.bulk import BulkSummary, generate_bulk
from careerconv.records.store import MANIFEST_VERSION, N_BUCKETS, Store, part_name

# The tables of generate_bulk(…, 200, seed=5, as_of=2025-06-01) as written before the store owned the
# bulk write (demo_bulk wrote its own parts and manifest): the move must not change a value or a part (the
# metadata taken less the libraries' versions, same under pandas 3.1.1 and 3.1.2).
BULK_DIGEST = "bf5e9fef89f3f6128fb8adfc70591bde185c8c3f793e424d508f87a048c6b795"


def _without_versions(metadata: dict) -> dict:
    """The metadata less the versions of the libraries that wrote it (found: pandas 3.1.2, out on PyPI, changed
    the digest of the same tables by its version in the pandas metadata)."""
    if b"pandas" not in metadata:
        return metadata
    return {**metadata, b"pandas": json.dumps(store_module.dtypes_metadata(metadata), sort_keys=True).encode()}


def _digest(store: Store) -> str:
    """A hash of every part of every derived table: its path in the layout, schema metadata and rows."""
    h = hashlib.sha256()
    for name in sorted(schema.DERIVED_TABLES):
        for path in store.part_paths(name, existing=False):
            table = pq.read_table(path)
            h.update(str(path.relative_to(store.root)).encode())
            h.update(repr(sorted(_without_versions(table.schema.metadata or {}).items())).encode())
            h.update(json.dumps(table.to_pydict(), default=str, sort_keys=True).encode())
    return h.hexdigest()


# Written in a fresh interpreter, as `careerconv demo` writes it: what other tests leave in the test process (pandas
# settings, the store's metadata kept per process) is not what this checks.
_WRITE_BULK = """
import datetime as dt, json, sys
from careerconv.demo.bulk import generate_bulk
print(json.dumps(generate_bulk(sys.argv[1], 200, seed=5, as_of=dt.date(2025, 6, 1)).rows))
"""


@pytest.fixture(scope="module")
def bulk(tmp_path_factory):
    root = tmp_path_factory.mktemp("bulk") / "org"
    done = subprocess.run([sys.executable, "-c", _WRITE_BULK, str(root)], capture_output=True, text=True,
                          timeout=600, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    return Store(root), BulkSummary(root, 200, json.loads(done.stdout.strip().splitlines()[-1]))


def test_the_bulk_tables_are_the_ones_written_before_the_store_owned_the_write(bulk):
    store, _ = bulk
    assert _digest(store) == BULK_DIGEST


def test_every_part_of_every_table_has_a_file_and_the_manifest_reads_no_records(bulk):
    store, summary = bulk
    for name in schema.DERIVED_TABLES:
        paths = store.part_paths(name)
        assert [p.name for p in paths] == [f"part-{b:02d}.parquet" for b in range(N_BUCKETS)], name
        assert sum(pq.ParquetFile(p).metadata.num_rows for p in paths) == summary.rows[name], name
    manifest = json.loads(store.manifest_path.read_text())
    assert re.fullmatch("[0-9a-f]{32}", manifest.pop("written"))  # this write's own, so another bulk write differs
    assert manifest == {"version": MANIFEST_VERSION, "n_buckets": N_BUCKETS, "employees": {}, "source": "bulk"}
    assert store.has_derived_layout(schema.DERIVED_TABLES)


def test_a_refresh_keeps_the_bulk_tables_and_their_manifest(tmp_path):
    root = tmp_path / "org"
    generate_bulk(root, 60, seed=4, as_of=dt.date(2025, 6, 1))
    store = Store(root)
    before = _digest(store)
    manifest = store.manifest_path.read_bytes()
    report = store.refresh()
    assert (report.employees_changed, report.buckets_rewritten) == (0, 0)
    assert _digest(store) == before
    assert store.manifest_path.read_bytes() == manifest


def _files(store: Store) -> dict[str, bytes]:
    return {str(p.relative_to(store.root)): p.read_bytes() for p in sorted(store.root.rglob("*")) if p.is_file()
            and ".locks" not in p.parts}


def _as_if_written_by_other_libraries(path) -> None:
    """Write a part again with the same rows and the pandas metadata of other pandas and PyArrow versions."""
    table = pq.read_table(path)
    pandas = json.loads(table.schema.metadata[b"pandas"])
    pandas["pandas_version"], pandas["creator"]["version"] = "2.3.0", "19.0.1"
    pq.write_table(table.replace_schema_metadata({b"pandas": json.dumps(pandas).encode()}), path,
                   compression="zstd")


def test_bulk_tables_written_under_other_pandas_and_pyarrow_versions_are_kept(tmp_path):
    """Found: pandas 3.1.2 came out, and the next read of the benchmark organisation (written under 3.1.1) took
    every part for one of another schema by the version in its pandas metadata and "rebuilt" it from the records:
    none stand behind bulk tables, so the half a million people's tables were rewritten empty, in silence."""
    root = tmp_path / "org"
    generate_bulk(root, 60, seed=4, as_of=dt.date(2025, 6, 1))
    store = Store(root)
    for name in schema.DERIVED_TABLES:
        for path in store.part_paths(name):
            _as_if_written_by_other_libraries(path)
    before, rows = _files(store), len(store.read_table("skill_ratings", refresh=False))
    assert rows > 100
    report = Store(root).refresh()
    assert (report.employees_changed, report.buckets_rewritten) == (0, 0)
    assert _files(store) == before
    assert len(Store(root).read_table("skill_ratings")) == rows


@pytest.mark.parametrize("damage", ["truncated", "other columns"])
def test_a_damaged_bulk_part_is_named_and_nothing_is_rebuilt_empty(tmp_path, damage):
    """Bulk tables cannot be rebuilt from records (there are none): a refresh that would rebuild a part says so,
    names the part and how to write the tables again, and changes nothing, the other parts of that bucket (its
    people's conversations, targets ...) included."""
    root = tmp_path / "org"
    generate_bulk(root, 60, seed=4, as_of=dt.date(2025, 6, 1))
    store = Store(root)
    part = store.part_path("targets", 3)
    if damage == "truncated":
        part.write_bytes(part.read_bytes()[:50])
    else:
        pq.write_table(pq.read_table(part).drop_columns(["horizon_months"]), part)
    if damage == "truncated":
        [problem] = Store(root).validate()
        assert problem.source == str(part) and "cannot be rebuilt" in problem.message
        assert "rebuilt automatically" not in problem.message
    before = _files(store)
    for full in (False, True):
        with pytest.raises(store_module.NotRebuildable) as refused:
            Store(root).refresh(full=full)
        message = str(refused.value)
        assert "written straight in by 'bulk'" in message and "no table was changed" in message
        assert "make_hr_bench_data.py" in message
        if not full:
            assert str(part.relative_to(root)) in message
            assert ("cannot be read" if damage == "truncated" else "other columns or types") in message
        assert _files(store) == before
    with pytest.raises(store_module.NotRebuildable):
        Store(root).read_table("conversations")
    assert _files(store) == before


@pytest.mark.parametrize("layout", ["older version", "more parts"])
def test_bulk_tables_of_another_layout_are_refused_not_emptied_or_removed(tmp_path, layout):
    """A careerconv with another manifest version or number of parts per table took the manifest of bulk tables
    for none at all, forgetting what wrote them: its refresh then removed the parts it did not know and wrote a
    manifest of records over the rest (the tables lost on the next rebuild). It says what it cannot read instead,
    and changes nothing."""
    root = tmp_path / "org"
    generate_bulk(root, 60, seed=4, as_of=dt.date(2025, 6, 1))
    store = Store(root)
    manifest = json.loads(store.manifest_path.read_text())
    if layout == "older version":
        manifest["version"] = MANIFEST_VERSION - 1
    else:
        manifest["n_buckets"] = 2 * N_BUCKETS
        for name in schema.DERIVED_TABLES:  # as that layout writes them: parts this careerconv does not know
            for bucket in range(N_BUCKETS, 2 * N_BUCKETS):
                path = store.derived_dir / name / part_name(bucket)
                path.write_bytes(store.part_path(name, bucket - N_BUCKETS).read_bytes())
    store.manifest_path.write_text(json.dumps(manifest))
    before = _files(store)
    expected = (f"version {manifest['version']!r}, {manifest['n_buckets']!r} parts per table; this careerconv reads "
                f"manifest version {MANIFEST_VERSION!r}, {N_BUCKETS!r} parts per table")
    for full in (False, True):
        with pytest.raises(store_module.NotRebuildable) as refused:
            Store(root).refresh(full=full)
        message = str(refused.value)
        assert "in another layout" in message and expected in message, message
        assert "written straight in by 'bulk'" in message and "no table was changed" in message
        assert _files(store) == before
    with pytest.raises(store_module.NotRebuildable):
        Store(root).read_table("skill_ratings")
    [problem] = Store(root).validate()
    assert problem.source == str(store.manifest_path) and "can be neither read nor rebuilt" in problem.message
    assert expected in problem.message and "next refresh" not in problem.message
    assert _files(store) == before


def _rows(store: Store) -> dict[str, list[dict]]:
    """Every row of every derived table, table by table, in the order of their parts."""
    return {name: [row for path in store.part_paths(name) for row in pq.read_table(path).to_pylist()]
            for name in schema.DERIVED_TABLES}


def test_an_employee_erased_from_bulk_tables_leaves_no_row_and_the_others_rows_are_kept(tmp_path, capsys):
    """Found trying an erasure on the bulk organisation: no record stands behind bulk rows, so the erasure's refresh
    removed none of them, yet its receipt said "their rows and manifest entry are gone" above nine tables that still
    named them (exit 1). Their rows go, every other row stays as it was, and the tables are new to the HR page."""
    from careerconv.cli import main

    root = tmp_path / "org"
    generate_bulk(root, 60, seed=4, as_of=dt.date(2025, 6, 1))
    store = Store(root)
    before, state = _rows(store), store.facts_state()
    theirs = sum(row["employee_id"] == "E000003" for rows in before.values() for row in rows)
    assert theirs > 100 and store.derived_holds("E000003")

    assert main(["--data", str(root), "erase", "--employee", "E000003", "--yes"]) == 0
    out = capsys.readouterr().out
    assert f"{theirs} row(s) of theirs removed from the tables written straight in" in out
    assert "none mentions the employee" in out
    after = _rows(Store(root))
    for name, rows in before.items():
        assert after[name] == [row for row in rows if row["employee_id"] != "E000003"], name
    assert Store(root).facts_state() != state and not Store(root).derived_holds("E000003")
    report = Store(root).refresh()
    assert (report.employees_changed, report.buckets_rewritten) == (0, 0)
    assert Store(root).validate() == []


def test_an_erasure_meeting_a_damaged_part_of_theirs_changes_no_table_says_so_and_finishes_once_it_is_back(
        tmp_path, capsys):
    """Found erasing on the bulk organisation with one of the person's parts damaged: the tables before it had
    their rows removed and were written again, those after it kept them, the manifest was not touched (the HR page
    took the changed tables for the old ones), and the command said "cannot rebuild the derived tables ...
    nothing was changed" after the erasure had removed the roster row. Now no table changes, the words say which
    part, what was done and how the erasure is finished; with the part put back, running it again removes every
    row of theirs."""
    from careerconv.cli import main

    root = tmp_path / "org"
    generate_bulk(root, 60, seed=4, as_of=dt.date(2025, 6, 1))
    store = Store(root)
    before = _rows(store)
    damaged = store.part_path("skills", store_module.bucket_of("E000003"))  # after conversations and dreams
    good = damaged.read_bytes()
    damaged.write_bytes(good[:100])
    derived = {path: data for path, data in _files(store).items() if path.startswith("derived")}

    assert main(["--data", str(root), "erase", "--employee", "E000003", "--yes"]) == 1
    err = capsys.readouterr().err
    assert "cannot remove the rows of E000003 from the derived tables" in err
    assert f"{damaged.relative_to(root)} cannot be read (damaged or truncated), so no table was changed" in err
    assert "Put back a copy from a backup" in err and "nothing was changed" not in err
    assert "The erasure of E000003 is not finished: their roster row, record files and the mentions it found are " \
           "gone; the derived tables are not brought up to date, nor the access logs and the hub" in err
    assert "`careerconv erase --employee E000003 --yes` finishes it" in err
    assert {path: data for path, data in _files(Store(root)).items() if path.startswith("derived")} == derived
    assert "E000003" not in Store(root).roster()["employee_id"].tolist()
    assert Store(root).erased_ids().is_unfinished("E000003")

    damaged.write_bytes(good)
    assert main(["--data", str(root), "erase", "--employee", "E000003", "--yes"]) == 0
    after = _rows(Store(root))
    for name, rows in before.items():
        assert after[name] == [row for row in rows if row["employee_id"] != "E000003"], name
    assert not Store(root).erased_ids().is_unfinished("E000003") and Store(root).validate() == []


@pytest.mark.parametrize("whose", ["another bucket", "another layout"])
def test_an_erasure_stopped_by_tables_it_cannot_bring_up_to_date_says_it_is_not_finished(tmp_path, capsys, whose):
    """Found in review: with a damaged part in another person's bucket (or tables of another layout), the erasure's
    refresh said "cannot rebuild ... nothing was changed" after the roster row and the records had gone, and not a
    word of the erasure. It says the erasure is not finished, what is gone and how it is finished."""
    from careerconv.cli import main

    root = tmp_path / "org"
    generate_bulk(root, 60, seed=4, as_of=dt.date(2025, 6, 1))
    store = Store(root)
    if whose == "another bucket":
        other = next(b for b in range(N_BUCKETS) if b != store_module.bucket_of("E000003"))
        store.part_path("skills", other).write_bytes(store.part_path("skills", other).read_bytes()[:100])
    else:
        manifest = json.loads(store.manifest_path.read_text())
        store.manifest_path.write_text(json.dumps({**manifest, "version": MANIFEST_VERSION - 1}))

    assert main(["--data", str(root), "erase", "--employee", "E000003", "--yes"]) == 1
    err = capsys.readouterr().err
    assert "written straight in by 'bulk'" in err and "nothing was changed" not in err
    assert "The erasure of E000003 is not finished" in err
    assert "`careerconv erase --employee E000003 --yes` finishes it" in err
    assert "E000003" not in Store(root).roster()["employee_id"].tolist()
    assert Store(root).erased_ids().is_unfinished("E000003")


def _flushed_files(monkeypatch) -> list[str]:
    """The names of the files flushed to the disk from now on, in order, as they were when flushed (a temp file
    under its own name; a folder's name ends with ``/``)."""
    import os

    flushed, real = [], os.fsync

    def fsync(fd):
        target = os.readlink(f"/proc/self/fd/{fd}")
        flushed.append(os.path.basename(target) + ("/" if os.path.isdir(target) else ""))
        return real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return flushed


def _part_of(name: str) -> str:
    """The part a file flushed under ``name`` becomes (its temp files are ``.part-NN.parquet.<…>.tmp``)."""
    return re.sub(r"^\.(part-\d+\.parquet)\..*tmp$", r"\1", name)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the flushed files' names from /proc")
def test_tables_written_straight_in_are_on_the_disk_before_the_manifest_that_stands_over_them(tmp_path, monkeypatch):
    """Found reading the bulk write: its parts were moved into place unflushed (no record stands behind them, so
    nothing rebuilds them), the manifest after them flushed: a power cut could leave the manifest over empty parts.
    And an erasure's rows removed from such a part, written unflushed, could come back after one. Every part is
    flushed before the manifest that ends the write, and every part an erasure writes again is flushed."""
    from careerconv.cli import main

    root = tmp_path / "org"
    flushed = _flushed_files(monkeypatch)
    generate_bulk(root, 60, seed=4, as_of=dt.date(2025, 6, 1))
    store = Store(root)
    manifest = [i for i, name in enumerate(flushed) if name.startswith(".manifest.json")]
    assert manifest, "the manifest was not flushed"
    parts = {(path.parent.name, path.name) for name in schema.DERIVED_TABLES for path in store.part_paths(name)}
    assert len(parts) == len(schema.DERIVED_TABLES) * N_BUCKETS
    assert {_part_of(name) for name in flushed[:manifest[-1]]} >= {part for _, part in parts}
    assert sum(_part_of(name).startswith("part-") for name in flushed[:manifest[-1]]) >= len(parts)
    # each table's folder after its last part written by the writer (the moves into it), before the manifest
    last_written = max(i for i, name in enumerate(flushed) if re.fullmatch(r"\.part-\d+\.parquet\.tmp", name))
    assert {f"{name}/" for name in schema.DERIVED_TABLES} <= set(flushed[last_written:manifest[-1]])

    # A refresh writing a bucket again keeps the rows written straight in there: durably too (found in review).
    roster = store.roster()
    coach = roster.loc[roster["employee_id"] == "E000005", "coach_id"].iloc[0]
    store.save_conversation(schema.new_conversation("E000005", coach, dt.date(2025, 5, 1), "career-conversation", "1"))
    flushed.clear()
    assert Store(root).refresh().buckets_rewritten == 1
    kept = [_part_of(name) for name in flushed if _part_of(name).startswith("part-")]
    assert kept == [part_name(store_module.bucket_of("E000005"))] * len(schema.DERIVED_TABLES)

    holding = [name for name, rows in _rows(store).items() if any(row["employee_id"] == "E000003" for row in rows)]
    flushed.clear()
    assert main(["--data", str(root), "erase", "--employee", "E000003", "--yes"]) == 0
    rewritten = [_part_of(name) for name in flushed if _part_of(name).startswith("part-")]
    assert len(holding) > 5 and len(rewritten) == len(holding)  # each part that held rows of theirs
    assert set(rewritten) == {part_name(store_module.bucket_of("E000003"))}


def test_a_failed_bulk_write_leaves_no_table_no_manifest_and_no_temp_file(tmp_path, monkeypatch):
    root = tmp_path / "org"
    generate_bulk(root, 60, seed=4, as_of=dt.date(2025, 6, 1))
    store = Store(root)
    calls = {"n": 0}
    real = store_module.BulkDerivedWriter.append

    def append_then_fail(self, name, table, buckets):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return real(self, name, table, buckets)

    monkeypatch.setattr(store_module.BulkDerivedWriter, "append", append_then_fail)
    with pytest.raises(RuntimeError, match="disk full"):
        generate_bulk(root, 60, seed=9, as_of=dt.date(2025, 6, 1), overwrite=True)
    assert not store.manifest_path.exists()
    assert not [p for p in store.derived_dir.rglob("*") if p.is_file()]
    assert not store.has_derived_layout(["skill_ratings"])


def test_a_bulk_write_failing_as_its_parts_are_moved_into_place_leaves_no_table_and_no_manifest(tmp_path,
                                                                                              monkeypatch):
    """Found in review: the writer's close (moving the parts into place) ran outside the write's clean-up, so a disk
    failing there left some parts in place, temp files beside them and no manifest."""
    root = tmp_path / "org"
    store = Store(root)
    real, moved = Path.replace, []

    def replace_then_fail(self, target):
        if len(moved) == 5:
            raise OSError(5, "Input/output error")
        moved.append(target)
        return real(self, target)

    monkeypatch.setattr(Path, "replace", replace_then_fail)
    with pytest.raises(OSError, match="Input/output error"):
        generate_bulk(root, 60, seed=9, as_of=dt.date(2025, 6, 1))
    assert len(moved) == 5 and not store.manifest_path.exists()
    assert not [p for p in store.derived_dir.rglob("*") if p.is_file()]


def test_rows_and_part_numbers_must_agree(tmp_path):
    store = Store(tmp_path / "org")
    table = store_module.arrow_schema(schema.DERIVED_TABLES["conversations"]).empty_table()
    with pytest.raises(ValueError, match="conversations: 0 rows but 1 bucket numbers"):
        with store.bulk_write_derived(source="test") as writer:
            writer.append("conversations", table, pa.array([3]))


def test_part_files_are_named_in_one_place(tmp_path):
    store = Store(tmp_path / "org")
    assert part_name(3) == "part-03.parquet"
    assert store.part_path("skill_ratings", 11) == store.root / "derived" / "skill_ratings" / "part-11.parquet"
    assert store.is_derived_file(store.part_path("skill_ratings", 11))
    assert store.is_derived_file(store.root / "derived" / "skill_ratings" / "part-99.parquet")  # older layout
    assert store.is_derived_file(store.manifest_path)
    assert not store.is_derived_file(store.root / "derived" / "skill_ratings" / "notes.parquet")
    assert not store.is_derived_file(store.root / "derived" / "not_a_table" / "part-01.parquet")
    assert store.records_dir("checkin") == store.root / "checkins"
    with pytest.raises(ValueError, match="unknown record kind 'note'; the kinds are conversation, checkin"):
        store.records_dir("note")
