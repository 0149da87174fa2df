"""Record files the derived tables leave out are named to every reader of the tables, not once.

A conversation file replaced by a copy cut short (a sync tool) is left out of the derived tables. Only the
`refresh` that met it said so: `careerconv hr-report` afterwards (it refreshes first, finding nothing new) wrote
the HR page and its CSV without the conversation and without a word, and so did every later `refresh`. The
store now keeps which files it left out (in the manifest, until they are mended or removed); `refresh` and
`hr-report` name them each time, and the HR page's "What this report covers" says how many figures lack.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from careerconv import analytics
from careerconv.analytics.constants import LEFT_OUT_ITEM
from careerconv.cli import main
from careerconv.records.store import Store


def _replace_with(path: Path, content: bytes) -> None:
    """Replace a file as a sync tool does: a new file renamed over it (its folder changes)."""
    fresh = path.with_name(".sync-" + path.name)
    fresh.write_bytes(content)
    os.replace(fresh, path)


def _ada_conversation(org: Path) -> Path:
    return next((org / "conversations").glob("*/*.json"))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_every_refresh_names_a_damaged_record_until_it_is_mended(small_org: Path, capsys):
    store = Store(small_org)
    store.refresh()
    path = _ada_conversation(small_org)
    good = path.read_bytes()
    _replace_with(path, good[:100])
    for _ in range(2):  # the second finds nothing new to read, and still says it
        code, _, err = run(capsys, "--data", str(small_org), "refresh")
        assert code == 0 and "1 record file(s) cannot be read and are left out" in err and str(path) in err
    assert len(Store(small_org).records_left_out()) == 1
    _replace_with(path, good)
    code, _, err = run(capsys, "--data", str(small_org), "refresh")
    assert code == 0 and "cannot be read" not in err
    assert Store(small_org).records_left_out() == []


def test_a_record_in_another_employees_folder_is_named_as_left_out(small_org: Path):
    store = Store(small_org)
    path = _ada_conversation(small_org)
    stray = small_org / "conversations" / "E999" / path.name
    stray.parent.mkdir()
    stray.write_bytes(path.read_bytes())
    store.refresh()
    (problem,) = Store(small_org).records_left_out()
    assert str(stray) in problem and "in the folder of 'E999'" in problem


def test_the_hr_figures_say_how_many_record_files_they_lack(small_org: Path):
    Store(small_org).refresh()
    tables = analytics.load_hr_tables(small_org)
    assert tables[analytics.LEFT_OUT].empty
    about = analytics.hr_aggregates(tables, "2026-10-01", k=3)["about"]
    assert LEFT_OUT_ITEM not in set(about["item"])  # nothing lacks: no row, the page says nothing

    _replace_with(_ada_conversation(small_org), b'{"employee_id": "E')
    tables = analytics.load_hr_tables(small_org)
    assert len(tables[analytics.LEFT_OUT]) == 1
    about = analytics.hr_aggregates(tables, "2026-10-01", k=3)["about"]
    assert dict(zip(about["item"], about["value"]))[LEFT_OUT_ITEM] == "1"
    assert "1 record file(s) could not be read" in analytics.describe_about(about)


def test_tables_given_in_memory_lack_nothing(small_org: Path):
    tables = {name: table for name, table in analytics.load_hr_tables(small_org).items()
              if name != analytics.LEFT_OUT}
    about = analytics.hr_aggregates(tables, "2026-10-01", k=3)["about"]
    assert LEFT_OUT_ITEM not in set(about["item"])


def test_hr_report_names_what_it_left_out_though_its_refresh_found_nothing_new(small_org: Path, tmp_path: Path,
                                                                                 capsys):
    path = _ada_conversation(small_org)
    _replace_with(path, b"")
    Store(small_org).refresh()  # met here: the report's own refresh reads nothing
    csv_dir = tmp_path / "csv"
    code, _, err = run(capsys, "--data", str(small_org), "hr-report", "--min-group-size", "3", "--as-of",
                       "2026-10-01", "--csv", str(csv_dir), "-o", str(tmp_path / "hr.html"))
    assert code == 0
    assert "1 record file(s) cannot be read and are left out of this report" in err and str(path) in err
    about = pd.read_csv(csv_dir / "about.csv", encoding="utf-8-sig")
    assert dict(zip(about["item"], about["value"]))[LEFT_OUT_ITEM] == "1"
    assert "1 record file(s) could not be read" in (tmp_path / "hr.html").read_text(encoding="utf-8")
