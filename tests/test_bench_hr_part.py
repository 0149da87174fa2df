"""The one-part benchmark of the HR report (``benchmarks/bench_hr_part.py``) times the tables of the part the report
itself reads, and leaves the report as it was."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import bench_hr_part  # noqa: E402

from careerconv.analytics import record_tables  # noqa: E402
from careerconv.analytics.constants import HR_COLUMNS  # noqa: E402


def test_the_first_part_is_the_one_the_report_reads_and_the_report_is_left_whole(sample_data, capsys):
    real = record_tables.part_pieces
    part, ctx = bench_hr_part.first_part(sample_data)
    assert record_tables.part_pieces is real  # the report computes its parts again afterwards
    assert set(part) == set(HR_COLUMNS)
    assert len(part["roster"]) > 0 and len(part["conversations"]) > 0
    bench_hr_part.timed_runs(part, ctx, 2)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["run 1", "run 2"]
    assert all("CPU s = user" in line and "minor faults" in line for line in lines)
