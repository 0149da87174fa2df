"""A report with neighbouring periods works out once per part the action items' states of its as-of day and
their rows with departments (the neighbouring reports of rule 2c count their items among them), the self ratings
the rating trends read and the skills people named (each report keeps its own days); every table stays as when each
report worked them out."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pandas as pd
import pytest

from careerconv import analytics
from careerconv.analytics import record_tables
from careerconv.demo.organisation import write_demo_organisation
from careerconv.rules import cadence

AS_OF = "2026-10-01"
PERIOD = ("2025-04-01", None)  # not the default start: the report is compared with its neighbours


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    data = tmp_path_factory.mktemp("states") / "data"
    write_demo_organisation(data, 40, 11, dt.date(2026, 10, 1))
    return analytics.load_hr_tables(data, lazy=True)


def test_what_the_reports_share_is_worked_out_once_per_part(tables, monkeypatch):
    days, parts, rated = Counter(), Counter(), Counter()
    states_of, pieces_of, rated_of = cadence.action_item_states, record_tables.part_pieces, record_tables.rated_rows

    named_of, items_of = record_tables.named_skills, record_tables.item_rows

    def counted_rated(*args):
        rated["rated"] += 1
        return rated_of(*args)

    def counted_named(*args):
        rated["named"] += 1
        return named_of(*args)

    def counted_items(*args):
        rated["items"] += 1
        return items_of(*args)

    def counted_states(frames, as_of):
        days[pd.Timestamp(as_of)] += 1
        return states_of(frames, as_of)

    def counted_pieces(frames, ctx):
        parts[ctx.scope.as_of_day] += 1
        return pieces_of(frames, ctx)

    monkeypatch.setattr(cadence, "action_item_states", counted_states)
    monkeypatch.setattr(record_tables, "part_pieces", counted_pieces)
    monkeypatch.setattr(record_tables, "rated_rows", counted_rated)
    monkeypatch.setattr(record_tables, "named_skills", counted_named)
    monkeypatch.setattr(record_tables, "item_rows", counted_items)
    shared = analytics.hr_aggregates(tables, AS_OF, PERIOD, k=5)
    (report_day, n_parts), = parts.items()
    assert days[report_day] == n_parts  # not once more for every report that shares the end
    assert rated == {"rated": n_parts, "named": n_parts, "items": sum(days.values())}  # once per day's states
    # The reports with another end count their items among those of the report's day (they want only their groups'
    # sizes, Context.sizes_only): no states of their own days.
    assert set(days) == {report_day}

    # Each report working its states out again gives the same tables.
    monkeypatch.setattr(record_tables.PartShared, "get", lambda self, key, make, keep=True: make())
    alone = analytics.hr_aggregates(tables, AS_OF, PERIOD, k=5)
    assert days[report_day] > 2 * n_parts
    assert list(shared) == list(alone)
    for name in shared:
        if isinstance(shared[name], pd.DataFrame):
            pd.testing.assert_frame_equal(shared[name], alone[name])
