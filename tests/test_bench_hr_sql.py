"""The SQL benchmark of the HR report's measured targets (``benchmarks/bench_hr_sql.py``) measures what the engine
measures: on the sample organisation its query gives the engine's table, target by target."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import bench_hr_sql  # noqa: E402


def test_the_query_measures_the_first_part_as_the_engine_does(sample_data, tmp_path):
    tables = {}
    for mode in ("engine-part", "sql-part"):
        out = tmp_path / f"{mode}.pkl"
        # The sample organisation's first part is every employee: its query reads every part's file.
        figures = bench_hr_sql.child(mode, sample_data, out, threads=1, memory_limit="256MB", part_files="*")
        tables[mode] = pickle.loads(out.read_bytes())
        assert figures["rows"] == len(tables[mode]) and figures["cpu"] > 0
    engine = tables["engine-part"]
    assert len(engine) > 0 and engine["measured_rating"].notna().any() and engine["window_open"].any()
    assert bench_hr_sql.compare_parts(engine, tables["sql-part"]) == []
    # A difference is found and said: one target measured otherwise.
    changed = tables["sql-part"].copy()
    changed.loc[changed["measured_rating"].notna().idxmax(), "measured_rating"] += 1
    assert [line.split(":")[0] for line in bench_hr_sql.compare_parts(engine, changed)] == ["measured_rating"]


def test_the_query_keeps_the_rules_same_day_order_drafts_names_and_window(tmp_path):
    """Against :func:`careerconv.rules.progress.progress_at_horizons` on a few hand-made targets: two ratings on one
    day (the later save wins; without save times the conversation over the check-in), a rating given in a draft
    (left out), a skill spelled otherwise, two ratings as close to the horizon (the later wins), one out of the
    window."""
    import pandas as pd

    from careerconv.rules import progress

    day = pd.Timestamp
    conversations = pd.DataFrame({"conversation_id": ["c1", "c2", "c3", "d1"], "employee_id": ["E1", "E2", "E3", "E1"],
                                  "date": [day("2025-01-10"), day("2025-01-10"), day("2025-01-10"), day("2025-07-10")],
                                  "status": ["completed", "completed", "completed", "draft"]})
    targets = pd.DataFrame({"employee_id": ["E1", "E1", "E2", "E3"], "conversation_id": ["c1", "c1", "c2", "c3"],
                            "date": [day("2025-01-10")] * 4, "skill": ["Python", "SQL", "Public speaking", "SQL"],
                            "baseline": [3, 4, 5, 2], "horizon_months": [6, 6, 6, 6], "target": [6, 7, 8, 5]})
    ratings = pd.DataFrame({
        "employee_id": ["E1", "E1", "E1", "E1", "E1", "E2", "E2", "E3"],
        "date": [day("2025-07-10"), day("2025-07-10"), day("2025-07-10"), day("2025-07-05"), day("2025-07-15"),
                 day("2025-07-01"), day("2025-07-01"), day("2025-09-20")],
        "skill": ["Python", "python ", "Python", "SQL", "SQL", "public-speaking", "Public Speaking", "SQL"],
        "self_rating": [4, 6, 9, 5, 7, 6, 8, 4],
        "source": ["conversation", "checkin", "conversation", "checkin", "checkin", "checkin", "conversation",
                   "checkin"],
        "record_id": ["c9", "k1", "d1", "k2", "k3", "k4", "c8", "k5"],
        "saved_at": ["2025-07-10T09:00:00", "2025-07-10T10:00:00+00:00", None, None, None, None, None, None]})
    derived = tmp_path / "derived"
    for name, frame in (("conversations", conversations), ("targets", targets), ("skill_ratings", ratings)):
        (derived / name).mkdir(parents=True)
        frame.to_parquet(derived / name / "part-00.parquet")
    pd.DataFrame({"employee_id": ["E1", "E2", "E3"], "department": ["Sales", "Legal", "Sales"]}) \
        .to_csv(tmp_path / "roster.csv", index=False)

    con = bench_hr_sql._connect(tmp_path, "*", 1, "256MB")
    query = bench_hr_sql.measured_sql(derived, "*", "2025-01-01", "2026-01-01", "2025-12-31")
    found = con.execute(query).df().sort_values(["conversation_id", "skill"]).reset_index(drop=True)
    expected = progress.progress_at_horizons(targets, ratings[~ratings["record_id"].eq("d1")], "2025-12-31")
    assert found["measured_rating"].tolist() == expected["measured_rating"].tolist() == [6, 7, 8, pd.NA]
    assert list(found["measured_date"].astype("datetime64[ns]")) == list(expected["measured_date"])
    assert found["window_open"].tolist() == expected["window_open"].tolist() == [False, False, False, False]
    assert found["department"].tolist() == ["Sales", "Sales", "Legal", "Sales"]
