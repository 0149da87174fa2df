"""The reports sharing a report's end measure each target once (issue 11 speed-up): the same pieces and
tables as measuring the targets of every report apart."""

from __future__ import annotations

import pandas as pd
import pytest

from careerconv import analytics
from careerconv.analytics import record_tables
from careerconv.demo.bulk import generate_bulk
from careerconv.rules import privacy
from careerconv.rules.option_kinds import classify_options

PERIOD = ("2025-04-01", None)  # not the default start: the report checks the periods from other starts too
PART_PIECES, SHARED_MEASUREMENT = record_tables.part_pieces, record_tables._shared_measurement


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bulk") / "bulk"
    generate_bulk(folder, 60, seed=5, years=2.0)
    return analytics.load_hr_tables(folder, lazy=True)


def _report(tables, monkeypatch, share: bool, part_rows: int = 8000) -> tuple[dict[str, pd.DataFrame], list[dict], list]:
    """The report, the pieces of every part, and what each shared measurement was (None: not shared)."""
    pieces, shared = [], []

    def measure(*args):
        shared.append(SHARED_MEASUREMENT(*args) if share else None)
        return shared[-1]

    monkeypatch.setattr(record_tables, "_shared_measurement", measure)
    monkeypatch.setattr(record_tables, "part_pieces", lambda *a: pieces.append(PART_PIECES(*a)) or pieces[-1])
    # Small parts by default: several of them, each measured on its own.
    return analytics.hr_aggregates(tables, "2026-10-01", period=PERIOD, k=5, part_rows=part_rows), pieces, shared


def test_measuring_once_for_the_reports_that_share_the_end_gives_the_same_pieces_and_tables(tables, monkeypatch):
    once, once_pieces, shared = _report(tables, monkeypatch, share=True)
    assert shared and all(s is not None and len(s.table) for s in shared)  # measured once, in every part
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


def test_targets_are_measured_against_their_own_employees_ratings_whatever_the_records_say(tmp_path, monkeypatch):
    """A target under another person's conversation (records the store never writes) is measured alike whether
    the reports share the measurement or not: against its own employee's ratings, whoever has a conversation
    in the period."""
    folder = tmp_path / "bulk"
    generate_bulk(folder, 40, seed=11, years=2.0)
    tables = analytics.load_hr_tables(folder)  # in memory, to be changed
    convs = tables["conversations"].copy()
    later = convs["date"] >= pd.Timestamp(PERIOD[0])
    before, after = set(convs.loc[~later, "employee_id"]), set(convs.loc[later, "employee_id"])
    moved, other = sorted(before & after)[:2]  # someone met before and in the report's period, and another
    # The conversations of ``moved`` in the period now name ``other``; their targets still name ``moved``,
    # who has none left in the period but had some before it (so in the periods of the reports starting earlier).
    convs.loc[later & convs["employee_id"].eq(moved), "employee_id"] = other
    tables = {**tables, "conversations": convs}
    targets = tables["targets"]
    assert targets["employee_id"].eq(moved).any()
    once, (once_pieces,), shared = _report(tables, monkeypatch, share=True, part_rows=10**9)  # one part: both in it
    assert shared and all(s is not None and len(s.table) for s in shared)
    apart, (apart_pieces,), _ = _report(tables, monkeypatch, share=False, part_rows=10**9)
    for name in ("skill_growth", "target_attainment", "option_kinds"):
        for field in ("sums", "values", "contrib", "neighbours"):
            pd.testing.assert_frame_equal(getattr(once_pieces[name], field), getattr(apart_pieces[name], field),
                                          obj=f"{name}.{field}")
    for name in analytics.TABLE_TITLES:
        pd.testing.assert_frame_equal(once[name], apart[name], obj=name)


def test_the_reports_sharing_the_end_look_up_the_plans_of_their_targets_once(tables, monkeypatch):
    """The option kinds: the plans of the shared measurement's targets are found (and their texts classified)
    once for every report sharing its end, the same plans each report would find (a target's plan is in its own
    conversation); each report with another end looks its own up."""
    calls, starts, reports = [], [], []
    progress_pieces = record_tables._progress_pieces
    monkeypatch.setattr(record_tables.targets, "classify_options",
                        lambda *a: calls.append(1) or classify_options(*a))
    monkeypatch.setattr(record_tables, "_shared_measurement",
                        lambda *a: starts.append(len(a[2])) or SHARED_MEASUREMENT(*a))
    monkeypatch.setattr(record_tables, "_progress_pieces", lambda *a: reports.append(1) or progress_pieces(*a))
    analytics.hr_aggregates(tables, "2026-10-01", period=PERIOD, k=5, part_rows=10**9)
    (sharing,) = starts  # one part: the reports starting earlier, besides the report itself
    assert sharing > 0 and len(reports) > sharing + 1
    # At most once per report with its own end (one whose period holds no plan classifies nothing at all).
    assert 1 <= len(calls) <= 1 + len(reports) - (1 + sharing), (len(calls), len(reports), sharing)


def test_the_neighbouring_reports_counted_for_their_group_sizes_only_give_the_same_pieces_and_tables(
        tables, monkeypatch):
    """The neighbouring reports (rule 2c) count only their groups' sizes (Context.sizes_only): no statistics,
    medians or contributions, and their action items among those of the report's own as-of day. Every piece
    and table is what counting everything in them gives, and the item states are worked out once per part, not
    once per as-of day."""
    from careerconv.rules import cadence

    states_days = []
    real_states = cadence.action_item_states
    monkeypatch.setattr(cadence, "action_item_states",
                        lambda frames, day: states_days.append(pd.Timestamp(day)) or real_states(frames, day))
    sized, sized_pieces, _ = _report(tables, monkeypatch, share=True)
    sized_days = list(states_days)
    real_replace = record_tables.replace  # neighbours made as before: everything counted

    def counting_everything(obj, **changes):
        return real_replace(obj, **{**changes, "sizes_only": False} if "sizes_only" in changes else changes)

    monkeypatch.setattr(record_tables, "replace", counting_everything)
    states_days.clear()
    full, full_pieces, _ = _report(tables, monkeypatch, share=True)
    assert len(sized_pieces) == len(full_pieces) > 1
    assert len(sized_days) == len(sized_pieces) and len(set(sized_days)) == 1  # one as-of day, once a part
    assert len(set(states_days)) > 2  # the neighbours' own days, when everything is counted
    for one, other in zip(sized_pieces, full_pieces):
        assert one.keys() == other.keys()
        for name in one:
            for field in ("sums", "values", "contrib", "neighbours"):
                pd.testing.assert_frame_equal(getattr(one[name], field), getattr(other[name], field),
                                              obj=f"{name}.{field}")
        assert all(len(one[name].neighbours) for name in record_tables.CUT_TABLES if name in one)
    for name in analytics.TABLE_TITLES:
        pd.testing.assert_frame_equal(sized[name], full[name], obj=name)
