"""``careerconv export target_status``: every target with its measurement and status (issue 13)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pandas as pd

from careerconv.rules import progress
from careerconv.records import schema
from careerconv.views.exporting import export_table
from careerconv.records.store import Store
from test_exporting import make_roster, read_csv


def conversation(store: Store, eid: str, day: dt.date, status: str = "completed", rating: int = 6) -> dict:
    record = schema.new_conversation(eid, "C1", day, "career-conversation", "1")
    record["conversation_id"] = None
    skill = schema.new_skill("Public $peaking_\\n")  # hostile name: text only, kept as is
    skill.update(self_rating=rating, coach_rating=5, targets={"6": 7, "12": 8, "18": 9},
                 ten_looks_like="leads any room", approach="practice monthly",
                 options=[{"text": f"option {i}", "pros": "", "cons": "", "chosen": i == 0} for i in range(3)])
    record["skills"] = [skill]
    record["dreams"] = [{"rank": i, "text": f"dream {i}"} for i in (1, 2, 3)]
    record["action_items"] = [{"item_id": "a1", "text": "sign up", "due": "2024-09-01", "owner": "employee"}]
    record.update(cadence_months=6, status=status, follow_up={"mode": "one-on-one", "every_weeks": 4, "note": ""})
    return store.save_conversation(record)


def test_target_status_export_lists_each_target_and_ignores_drafts(tmp_path: Path):
    store = Store(tmp_path / "data")
    make_roster(store, tmp_path, [("E1", "Ana Silva", "C1", "Eng", "Dev", 6), ("E2", "Bo Chen", "C1", "Eng", "", 12)])
    conversation(store, "E1", dt.date(2024, 5, 1))
    store.save_checkin({"checkin_id": "E1-ci-20241030", "employee_id": "E1", "coach_id": "C1",
                        "date": "2024-10-30", "conversation_id": "E1-20240501",
                        "ratings": [{"skill": "public $peaking_\\n", "self_rating": 8}]})
    conversation(store, "E2", dt.date(2024, 6, 1), status="draft")  # nothing agreed yet

    result = export_table(store, "target_status", tmp_path / "status.csv")
    back = read_csv(tmp_path / "status.csv")
    assert list(back.columns) == list(progress.TARGET_STATUS_COLUMNS) and result.rows == 3
    assert set(back["employee_id"]) == {"E1"}
    assert back["skill"].tolist() == ["Public $peaking_\\n"] * 3
    assert back[["horizon_months", "due_date", "target", "measured_rating", "measured_date", "status"]
                ].values.tolist() == [
        ["6", "2024-11-01", "7", "8", "2024-10-30", progress.AHEAD],
        ["12", "2025-05-01", "8", "", "", progress.DUE_NOT_MEASURED],
        ["18", "2025-11-01", "9", "", "", progress.DUE_NOT_MEASURED],
    ]
    parquet = pd.read_parquet(export_table(store, "target_status", tmp_path / "s.parquet", "parquet").path)
    assert parquet["measured_rating"].dtype == "Int64" and len(parquet) == 3


def test_cli_exports_target_status(tmp_path: Path):
    store = Store(tmp_path / "data")
    make_roster(store, tmp_path, [("E1", "Ana Silva", "C1", "Eng", "Dev", 6)])
    conversation(store, "E1", dt.date.today() - dt.timedelta(days=30))
    out = tmp_path / "ts.csv"
    run = subprocess.run([sys.executable, "-m", "careerconv.cli", "export", "target_status", "--data",
                          str(tmp_path / "data"), "-o", str(out)], capture_output=True, text=True,
                         stdin=subprocess.DEVNULL)
    assert run.returncode == 0, run.stderr
    assert "Wrote 3 row(s) of target_status" in run.stderr
    assert set(read_csv(out)["status"]) == {progress.UPCOMING}
