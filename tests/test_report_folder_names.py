"""Found by a hostile test of the report batches: an employee id can take the name of a reports folder's own file.

``import roster`` took the ids ``index-2026-10-01.html`` and ``index-2026-10-01.shard-1-of-2.json``; that person's
report folder was made where the day's index goes, and no index of that day could be written again ("Is a
directory"; the merge's advice to run the shard again never helped). Such ids are now refused wherever an id is
read (an import, a roster edited by hand), and a folder in an index file's place is named as what is wrong.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from careerconv import cli
from careerconv.records import schema
from careerconv.records.importers import import_roster
from careerconv.records.schema import ValidationError
from careerconv.records.store import Store
from careerconv.surfaces.report.index import MADE, IndexEntry
from careerconv.surfaces.report.shards import Shard, ShardIndex, merge_shard_indexes, write_shard_index
from test_history_exports import csv_bytes, store_with_roster
from test_import_ids_and_leaving_days import ROSTER
from test_import_takeover_and_leavers import refused

DAY = dt.date(2026, 10, 1)
TAKEN = ["index-2026-10-01.html", "index-2026-10-01.shard-1-of-2.json", "INDEX-2026-10-01.HTML",
         "hr-analytics-2026-10-01.html", "index-2026-10-01.pdf"]


def two_shards_merged(folder: Path) -> None:
    """Shard indexes 1/2 and 2/2 of :data:`DAY` in ``folder``, and their merged index page."""
    for shard, (position, eid) in ((Shard(1, 2), (0, "E1")), (Shard(2, 2), (1, "E2"))):
        entry = IndexEntry(eid, eid, "Dept", MADE, folder / eid / f"progress-{DAY}.html")
        write_shard_index(folder, ShardIndex(shard, DAY, dt.datetime(2026, 10, 1, 9), ((position, entry),)))
    merge_shard_indexes(folder, DAY)


def test_every_file_a_batch_writes_atop_its_reports_folder_is_a_name_no_id_may_take(tmp_path: Path):
    two_shards_merged(tmp_path)
    written = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("."))
    assert written == ["index-2026-10-01.html", "index-2026-10-01.shard-1-of-2.html",
                       "index-2026-10-01.shard-1-of-2.json", "index-2026-10-01.shard-2-of-2.html",
                       "index-2026-10-01.shard-2-of-2.json"]
    for name in written + ["hr-analytics-2026-10-01.html"]:  # hr-report's page, by default in the reports folder
        assert not schema.is_identifier(name), name


@pytest.mark.parametrize("taken", TAKEN)
def test_an_import_refuses_an_id_named_as_a_reports_folders_own_file(tmp_path: Path, capsys, taken: str):
    store = store_with_roster(tmp_path, ROSTER)
    path = tmp_path / "new.csv"
    path.write_bytes(csv_bytes(ROSTER + [[taken, "Index Collider", "E0003", "Vertrieb", "Verkäufer"]]))
    err = refused(store, capsys, "roster", str(path))
    assert f"value '{taken}'" in err and "is reserved: a reports folder names its own pages" in err
    assert "an id may not be index-<date>.<anything> or hr-analytics-<date>.<anything>" in err


def test_a_roster_edited_by_hand_with_such_an_id_is_refused_on_reading(tmp_path: Path):
    store = store_with_roster(tmp_path, ROSTER)
    with (store.root / "roster.csv").open("a", encoding="utf-8") as roster:
        roster.write("index-2026-10-01.shard-1-of-2.json,Shard Collider,E0003,Vertrieb,Verkäufer\n")
    with pytest.raises(ValidationError, match="'index-2026-10-01.shard-1-of-2.json' is reserved"):
        Store(store.root).roster()


@pytest.mark.parametrize("kept", ["E0070", "index", "INDEX1", "hr-analytics", "E0070-index-2026", "indexer-7",
                                  "HR-7", "hr_analytics-2026", "Index-0002", "INDEX-7", "HR-Analytics-Team",
                                  "index-card-review", "hr-analytics-career-path", "index-2026-10-01"])
def test_ids_that_only_look_alike_are_still_taken(tmp_path: Path, kept: str):
    store = store_with_roster(tmp_path, ROSTER)
    path = tmp_path / "new.csv"
    path.write_bytes(csv_bytes(ROSTER + [[kept, "Look Alike", "E0003", "Vertrieb", "Verkäufer"]]))
    import_roster(store, path)
    assert kept in list(Store(store.root).roster()["employee_id"])


def test_a_folder_where_an_index_goes_is_named_as_what_is_wrong(tmp_path: Path, capsys):
    """A folder made before such ids were refused: the merge and the shard say what it is and what to do."""
    data = store_with_roster(tmp_path, ROSTER).root
    reports = tmp_path / "r"
    two_shards_merged(reports)
    for name in ("index-2026-10-01.html", "index-2026-10-01.shard-1-of-2.json"):
        (reports / name).unlink()
        (reports / name).mkdir()
    assert cli.main(["--data", str(data), "report", "--merge-index", "--as-of", "2026-10-01", "-o",
                     str(reports)]) == 1
    err = capsys.readouterr().err
    assert f"{reports / 'index-2026-10-01.shard-1-of-2.json'} is a folder, where the reports folder keeps its " \
           "index file of that name" in err
    assert "run that shard again" not in err
    with pytest.raises(IsADirectoryError, match="index-2026-10-01.shard-1-of-2.json is a folder.*move the folder "
                                                f"out of {reports}"):
        write_shard_index(reports, ShardIndex(Shard(1, 2), DAY, dt.datetime(2026, 10, 1, 9), ()))
    (reports / "index-2026-10-01.shard-1-of-2.json").rmdir()
    write_shard_index(reports, ShardIndex(Shard(1, 2), DAY, dt.datetime(2026, 10, 1, 9),
                                          ((0, IndexEntry("E1", "E1", "Dept", MADE)),)))
    with pytest.raises(IsADirectoryError, match=r"index-2026-10-01\.html is a folder"):
        merge_shard_indexes(reports, DAY)
