"""The differencing attack between two periods, run against a demo organisation as an analyst would.

An analyst runs ``careerconv hr-report`` twice, for a period and for the same
period one quarter longer (or shorter, or starting a quarter later), and
subtracts every pair of figures both pages show. Rule 2c of
:func:`careerconv.rules.privacy.protect` promises that no such difference isolates
fewer than ``k`` people. Issue 13 found it did: on a 17-person organisation
"12 months, All departments" of target attainment showed 16 employees for one
period and 12 for another (``--period-start 2025-04-01``).
"""

from __future__ import annotations

import datetime as dt
import itertools

import pandas as pd
import pytest

from careerconv import analytics
from careerconv.rules import privacy
from careerconv.demo.organisation import write_demo_organisation

K = 5
AS_OF = "2026-10-01"  # the default period: 2024 Q4 to 2026 Q3
# The columns that identify a figure in each table (besides the department).
FIGURE_KEYS = ("quarter", "grain", "bucket", "skill", "band", "horizon_months", "kind", "coach_id", "department")


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    data = tmp_path_factory.mktemp("differencing") / "data"
    write_demo_organisation(data, 40, 11, dt.date(2026, 10, 1))
    return analytics.load_hr_tables(data, lazy=True)


@pytest.fixture(scope="module")
def aggregates(tables):
    """``aggregates(as_of, (start, end), departments)``: :func:`analytics.hr_aggregates` of the demo organisation with
    ``k`` = :data:`K`, each report made once in the module (several tests read the default page and the same chosen
    periods: each report takes seconds) and handed to every test as a copy of its own."""
    made = {}

    def aggregates(as_of: str, period: tuple = (None, None), departments: tuple = ()) -> dict:
        key = (as_of, tuple(period), tuple(departments))
        if key not in made:
            made[key] = analytics.hr_aggregates(tables, as_of, period, departments=departments, k=K)
        return {name: table.copy() for name, table in made[key].items()}

    return aggregates


def _small_differences(one: dict, other: dict) -> list[str]:
    """Every figure shown on both pages whose employee counts differ by 1 to K-1."""
    found = []
    for name in analytics.TABLE_TITLES:
        keys = [c for c in FIGURE_KEYS if c in one[name].columns]
        a = one[name][privacy.shown(one[name])]
        b = other[name][privacy.shown(other[name])]
        both = a.merge(b, on=keys, how="inner", suffixes=("_a", "_b"))
        gap = (both[f"{privacy.COUNT}_a"].astype("Int64") - both[f"{privacy.COUNT}_b"].astype("Int64")).abs()
        for (_, row), d in zip(both.iterrows(), gap):
            if 0 < d < K:
                where = ", ".join(f"{c}={row[c]}" for c in keys)
                found.append(f"{name} [{where}]: {row[f'{privacy.COUNT}_a']} vs {row[f'{privacy.COUNT}_b']}")
    return found


@pytest.mark.parametrize("period, longer", [
    # The default page against the same start with one more quarter at the end (next quarter's run).
    ((None, None, "2026-07-01"), ("2024-07-01", None, AS_OF)),
    # The default page against a start one quarter later, as in the issue (--period-start).
    ((None, None, AS_OF), ("2025-01-01", None, AS_OF)),
    # The default page against a start one quarter earlier.
    ((None, None, AS_OF), ("2024-07-01", None, AS_OF)),
    # Two chosen periods, one a quarter longer at the end.
    (("2025-01-01", "2026-06-30", AS_OF), ("2025-01-01", None, AS_OF)),
], ids=["end+1q", "start+1q", "start-1q", "chosen-end+1q"])
def test_subtracting_two_periods_a_quarter_apart_reveals_no_group_below_k(aggregates, period, longer):
    start, end, as_of = period
    one = aggregates(as_of, (start, end))
    start, end, as_of = longer
    other = aggregates(as_of, (start, end))
    assert not one["about"].equals(other["about"])  # two different reports
    shown = sum(int(privacy.shown(one[n]).sum()) for n in analytics.TABLE_TITLES)
    assert shown > 10, "the attack needs figures to subtract"
    assert _small_differences(one, other) == []


def test_the_default_page_keeps_its_figures(aggregates):
    """The default period is the page people read: another period hides, not it."""
    default = aggregates(AS_OF)
    moved = aggregates(AS_OF, ("2025-01-01", None))
    shown_default = sum(int(privacy.shown(default[n]).sum()) for n in analytics.TABLE_TITLES)
    shown_moved = sum(int(privacy.shown(moved[n]).sum()) for n in analytics.TABLE_TITLES)
    assert shown_default >= shown_moved
    overall = default["target_attainment"]
    assert privacy.shown(overall[overall["department"].isna()]).any()


def test_a_neighbouring_period_that_differs_by_a_few_people_hides_the_figure():
    # 12 people in this report, 9 in the one starting a quarter later (3 isolated): hidden.
    cells = pd.DataFrame({"department": [None, "A", "B"], privacy.COUNT: [12, 7, 5]})
    window = privacy.Window(pd.Timestamp("2025-01-01"), pd.Timestamp("2025-10-01"))
    later_start = pd.DataFrame({"department": ["A", "B"], "edge": "start", "quarter": pd.Timestamp("2025-04-01"),
                                "n": [4, 5]})
    out = privacy.protect(cells, k=K, keys=["department"], window=window, neighbours=later_start)
    # The total (12 vs 9) and A (7 vs 4) are hidden, and say it is for the period; B would then be the total
    # minus nothing shown, so complementary suppression hides it too.
    assert list(out[privacy.PRIVACY]) == [privacy.HIDDEN_BY_PERIOD, privacy.HIDDEN_BY_PERIOD, privacy.HIDDEN]
    # The same report next to one that differs by nobody, or by k people or more, is shown.
    same = later_start.assign(n=[7, 5])
    assert privacy.shown(privacy.protect(cells, k=K, keys=["department"], window=window, neighbours=same)).all()
    far = later_start.assign(n=[2, 5])  # 12 vs 7 and 7 vs 2: whole groups of k
    assert privacy.shown(privacy.protect(cells, k=K, keys=["department"], window=window, neighbours=far)).all()


def test_a_page_of_another_period_says_which_figures_its_period_hides(aggregates):
    """A reviewer read a custom-period page whose sections said only "every group has fewer than 5 employees or is
    hidden so that a smaller group cannot be worked out", where rule 2c had hidden them."""
    moved = aggregates(AS_OF, ("2025-01-01", None))
    summary = analytics.suppression_summary(moved)
    assert summary["not_shown_period"].sum() > 0
    reading = analytics.describe_suppression(summary, K)
    assert f'{int(summary["not_shown_period"].sum()):,} figures read "not shown (period)"' in reading
    assert "one of the default period (the two years up to the day it is as of) keeps its figures" in reading
    # The default page has no such figure, and its tables do not name the column.
    default = aggregates(AS_OF)
    plain = analytics.suppression_summary(default)
    assert plain["not_shown_period"].sum() == 0 and "another period" not in analytics.suppression_html(plain, K)
    assert "(period)" not in analytics.describe_suppression(plain, K)
    # A section the period hides entirely says so.
    for name in analytics.TABLE_TITLES:
        table = moved[name]
        if len(table) and not privacy.shown(table).any() and (table[privacy.PRIVACY] == privacy.HIDDEN_BY_PERIOD).any():
            assert '"not shown (period)"' in analytics.describe(name, table)


def test_neighbours_must_name_their_edge():
    cells = pd.DataFrame({"department": [None], privacy.COUNT: [12]})
    window = privacy.Window(pd.Timestamp("2025-01-01"), pd.Timestamp("2025-10-01"))
    bad = pd.DataFrame({"department": ["A"], "edge": ["middle"], "quarter": [pd.Timestamp("2025-04-01")], "n": [3]})
    with pytest.raises(ValueError, match="edge must be 'start' or 'end'"):
        privacy.protect(cells, k=K, keys=["department"], window=window, neighbours=bad)
    with pytest.raises(ValueError, match="window"):
        privacy.protect(cells, k=K, keys=["department"], neighbours=bad)


def test_which_reports_a_report_is_compared_with():
    roster = pd.DataFrame({"employee_id": ["E1"], "department": ["A"]})
    q = pd.Timestamp
    default = analytics.resolve_scope(roster, AS_OF, first_date="2023-05-01")
    assert (default.start, default.end) == (q("2024-10-01"), q("2026-10-01"))
    assert default.neighbours() == []  # the default period hides nothing for the others' sake
    chosen = analytics.resolve_scope(roster, AS_OF, "2025-01-01", "2026-06-30", first_date="2023-05-01")
    found = chosen.neighbours()
    starts = [quarter for edge, quarter in found if edge == "start"]
    ends = [quarter for edge, quarter in found if edge == "end"]
    # Every other start from the first data (2023 Q2) to the last quarter; every other end up to the as-of.
    assert starts[0] == q("2023-04-01") and starts[-1] == q("2026-04-01") and q("2025-01-01") not in starts
    assert ends == [q("2025-04-01"), q("2025-07-01"), q("2025-10-01"), q("2026-01-01"), q("2026-04-01"),
                    q("2026-10-01")]
    longer = chosen.neighbour("end", q("2026-10-01"))
    assert (longer.start, longer.end, longer.as_of) == (q("2025-01-01"), q("2026-10-01"), dt.date(2026, 9, 30))
    short_history = analytics.resolve_scope(roster, AS_OF, first_date="2025-08-01")  # default start = first data
    assert short_history.neighbours() == [("end", q("2025-10-01")), ("end", q("2026-01-01")),
                                          ("end", q("2026-04-01")), ("end", q("2026-07-01"))]


def test_a_report_reads_the_conversations_of_its_own_period_and_of_the_periods_it_is_compared_with():
    roster = pd.DataFrame({"employee_id": ["E1"], "department": ["A"]})
    q = pd.Timestamp
    # The default period is compared with no other: its own two years.
    assert analytics.resolve_scope(roster, AS_OF, first_date="2023-05-01").reach() == (q("2024-10-01"),
                                                                                    q("2026-10-01"))
    # A chosen period: from the first data (the earliest other start) to the last complete quarter (the
    # latest other end), whatever its own edges.
    chosen = analytics.resolve_scope(roster, AS_OF, "2025-01-01", "2025-12-31", first_date="2023-05-01")
    assert (chosen.start, chosen.end) == (q("2025-01-01"), q("2026-01-01"))
    assert chosen.reach() == (q("2023-04-01"), q("2026-10-01"))
    # A default period over a short history is compared with the shorter ones up to the as-of.
    assert analytics.resolve_scope(roster, AS_OF, first_date="2025-08-01").reach() == (q("2025-07-01"),
                                                                                    q("2026-10-01"))


# --------------------------------------------------------------------------- figures as of the period's last day

AS_OF_TABLES = {"cadence_compliance": "department", "coach_follow_through": "coach_id"}


def _recovered(reports: list[dict], name: str) -> list[str]:
    """Hidden rows of an as-of table that one report's total minus the rows shown in any of the reports gives back.

    The figures of a department (or a coach's team) as of one day are the same in every report with that as-of
    day, so an analyst holding several such reports knows every row any of them shows.
    """
    group = AS_OF_TABLES[name]
    shown_anywhere = {row for report in reports for row, ok in zip(report[name][group], privacy.shown(report[name]))
                      if ok and isinstance(row, str)}
    found = []
    for report in reports:
        table = report[name]
        total = table[table[group].isna()]
        rows = [row for row in table[group] if isinstance(row, str)]
        left = [row for row in rows if row not in shown_anywhere]
        if privacy.shown(total).all() and len(left) == 1:
            found.append(f"{name}: {left[0]} = {report['about'].to_dict('records')} total minus {len(rows) - 1} rows")
    return found


def _hidden(table: pd.DataFrame, group: str) -> dict:
    return {row: label for row, label in zip(table[group], table[privacy.PRIVACY]) if label}


def test_reports_with_the_same_end_hide_the_same_figures_as_of_that_day(aggregates):
    """A hostile analyst compared the default page with one from --period-start 2025-01-01 (both as of 30 September
    2026): "Conversations and follow-ups on time" hid Operations and People in one and Customer Success and People in
    the other, so People was All departments minus the rest. The as-of figures are the same in both; so must be
    what hides them."""
    reports = [aggregates(AS_OF, (start, None))
               for start in (None, "2024-07-01", "2025-01-01", "2025-10-01", "2026-04-01")]
    for name, group in AS_OF_TABLES.items():
        first = _hidden(reports[0][name], group)
        assert first, f"the attack needs a hidden row in {name}"
        for report in reports[1:]:
            assert _hidden(report[name], group) == first, (name, report["about"].to_dict("records"))
        assert _recovered(reports, name) == []


def test_reports_of_some_departments_give_back_no_department_the_whole_organisation_hides(aggregates):
    """A report of two departments, one of them hidden in the whole organisation's report ("fewer than 5"), showed
    their total: minus the other department, shown in the whole organisation's report, it gave the hidden one."""
    period = ("2025-01-01", None)  # a start whose "who is covered" hides little
    whole = aggregates(AS_OF, period)
    departments = [d for d in whole["cadence_compliance"]["department"] if isinstance(d, str)]
    assert _hidden(whole["cadence_compliance"], "department"), "the attack needs a hidden department"
    reports = [whole, *(aggregates(AS_OF, period, pair)
                        for pair in itertools.combinations(departments, 2))]
    assert _recovered(reports, "cadence_compliance") == []
    assert any(privacy.shown(r["cadence_compliance"]).any() for r in reports[1:]), "filtered reports show figures"


def test_figures_as_of_a_day_are_compared_with_no_other_period():
    cells = pd.DataFrame({"department": [None], privacy.COUNT: [12]})
    window = privacy.Window(pd.Timestamp("2025-01-01"), pd.Timestamp("2025-10-01"))
    near = pd.DataFrame({"department": ["A"], "edge": ["start"], "quarter": [pd.Timestamp("2025-04-01")], "n": [9]})
    with pytest.raises(ValueError, match="as of a day take no neighbours"):
        privacy.protect(cells, k=K, keys=["department"], window=window, neighbours=near, scope=privacy.AS_OF)
