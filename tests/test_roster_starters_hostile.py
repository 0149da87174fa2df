"""Future starters, as a hostile tester broke them after start days were kept (tests/test_roster_starters.py): each
file is shaped as the HR system exports it. The small organisation of tests/orgs.py: Grace Hopper (C01) coaches
E001, E002 and E003; E004 and E005 have other coaches.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from careerconv.records.importers import FileRejected, import_roster
from careerconv.records.store import Store
from test_history_exports import csv_bytes

IMPORT_DAY = dt.date(2026, 10, 1)


def _import(root: Path, rows: list[list[str]], name: str = "export.csv", today: dt.date = IMPORT_DAY, **options):
    path = root.parent / name
    path.write_bytes(csv_bytes(rows))
    return import_roster(Store(root), path, today=today, **options)


def _days(store: Store, column: str) -> dict[str, str]:
    """Each employee's ``column`` day as ISO text ("" for none)."""
    return {r["employee_id"]: "" if r[column] is None or r[column] != r[column] else r[column].date().isoformat()
            for r in store.roster().to_dict("records")}


def _rejected(excinfo) -> str:
    return "\n".join(p.message for p in excinfo.value.problems)


HIBOB = ["Employee ID", "Display name", "Work email", "Department", "Job title", "Manager ID", "Lifecycle status",
         "Start date"]


def test_a_current_staff_export_does_not_make_a_future_starter_a_leaver(small_org: Path):
    _import(small_org, [HIBOB, ["E002", "Alan Turing", "alan@example.org", "Engineering", "Engineer", "C01",
                                "Employed", "25/09/2019"], ["E006", "Dana Cohen", "dana@example.org", "Engineering", "Engineer", "C01", "Hired",
                                "04/01/2027"]], "hibob.csv")
    everyone = [["Employee ID", "Name", "Manager ID", "Department", "Job Title"],  # current staff: no Dana
                ["C01", "Grace Hopper", "C00", "Engineering", "Head of engineering"],
                ["E001", "Ada Lovelace", "C01", "Engineering", "Engineer"],
                ["E002", "Alan Turing", "C01", "Engineering", "Engineer"],
                ["E003", "Katherine Johnson", "C01", "Research", "Analyst"],
                ["E004", "Edsger Dijkstra", "C02", "Research", "Researcher"]]
    result = _import(small_org, everyone, "current.csv", missing_have_left=True)
    store = Store(small_org)
    assert _days(store, "left_on")["E006"] == "" and _days(store, "started_on")["E006"] == "2027-01-04"
    assert "1 people who start later are not in the file: kept as starters (E006)" in result.summary()
    assert _days(store, "left_on")["E005"] == IMPORT_DAY.isoformat()  # someone here and missing has left
