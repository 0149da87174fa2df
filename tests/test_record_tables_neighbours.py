"""The reports sharing a report's end measure each target once (issue 11 speed-up): the same pieces and
tables as measuring the targets of every report apart."""

from __future__ import annotations

import pandas as pd
import pytest

from careerconv import analytics
from careerconv.analytics import record_tables
from careerconv.demo.bulk import generate_bulk
from careerconv.rules import privacy

PERIOD = ("2025-04-01", None)  # not the default start: the report checks the periods from other starts too
PART_PIECES, SHARED_MEASUREMENT = record_tables.part_pieces, record_tables._shared_measurement


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bulk") / "bulk"
    generate_bulk(folder, 60, seed=5, years=2.0)
    return analytics.load_hr_tables(folder, lazy=True)


def _report(tables, monkeypatch, share: bool) -> tuple[dict[str, pd.DataFrame], list[dict], list]:
    """The report, the pieces of every part, and what each shared measurement was (None: not shared)."""
    pieces, shared = [], []

    def measure(*args):
        shared.append(SHARED_MEASUREMENT(*args) if share else None)
        return shared[-1]

    monkeypatch.setattr(record_tables, "_shared_measurement", measure)
    monkeypatch.setattr(record_tables, "part_pieces", lambda *a: pieces.append(PART_PIECES(*a)) or pieces[-1])
    # Small parts: several of them, each measured on its own.
    return analytics.hr_aggregates(tables, "2026-10-01", period=PERIOD, k=5, part_rows=8000), pieces, shared


def test_measuring_once_for_the_reports_that_share_the_end_gives_the_same_pieces_and_tables(tables, monkeypatch):
    once, once_pieces, shared = _report(tables, monkeypatch, share=True)
    assert shared and all(s is not None and len(s) for s in shared)  # measured once, in every part
    apart, apart_pieces, _ = _report(tables, monkeypatch, share=False)
    assert len(once_pieces) == len(apart_pieces) > 1, len(once_pieces)
    for one, other in zip(once_pieces, apart_pieces):
        for name in ("skill_growth", "target_attainment", "option_kinds"):
            for field in ("sums", "values", "contrib", "neighbours"):
                pd.testing.assert_frame_equal(getattr(one[name], field), getattr(other[name], field),
                                              obj=f"{name}.{field}")
            assert len(one[name].neighbours), name  # counted in the neighbouring reports
    for name in analytics.TABLE_TITLES:
        pd.testing.assert_frame_equal(once[name], apart[name], obj=name)
    assert privacy.shown(once["skill_growth"]).any()


def test_targets_of_another_persons_conversation_are_not_shared():
    convs = pd.DataFrame({"conversation_id": ["c1", "c2"], "employee_id": ["e1", "e2"]}, dtype="str")
    targets = pd.DataFrame({"conversation_id": ["c1", "c2", "c2"], "employee_id": ["e1", "e2", "e2"]}, dtype="str")
    assert record_tables._own_conversations(targets, convs)
    assert record_tables._own_conversations(targets.iloc[0:0], convs)
    assert not record_tables._own_conversations(targets.assign(employee_id=["e1", "e2", "e1"]), convs)
    assert not record_tables._own_conversations(targets, pd.concat([convs, convs.iloc[:1]], ignore_index=True))
    assert not record_tables._own_conversations(targets.iloc[:1].assign(conversation_id="c9"), convs)
    assert not record_tables._own_conversations(targets, convs.astype(object))  # ids not typed as text
