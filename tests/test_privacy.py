"""Privacy rules of HR aggregates: minimum group size, complementary suppression, differencing.

The attack helpers below do what someone with the published tables would do:
subtract the shown children from a shown total, or subtract the same figure
in two reports with different filters. Every test asserts the attack fails.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from careerconv.rules import privacy

K = 5


def _cells(counts: dict, measure: dict | None = None) -> pd.DataFrame:
    """Organisation row (department None) plus one row per department."""
    rows = [{"department": None, privacy.COUNT: sum(counts.values())}]
    rows += [{"department": d, privacy.COUNT: n} for d, n in counts.items()]
    frame = pd.DataFrame(rows)
    if measure is not None:
        total = sum(measure[d] * counts[d] for d in counts)
        frame["overdue"] = [total] + [measure[d] * counts[d] for d in counts]
    return frame


def _recoverable_by_subtraction(frame: pd.DataFrame, column: str = privacy.COUNT) -> list[str]:
    """Departments whose blank value in ``column`` is the total minus the departments showing it.

    What the attacker reads is the column itself: the organisation's figure and the departments' figures that
    are not blank. With exactly one department blank, its figure is the difference.
    """
    org = frame[frame["department"].isna()]
    if org.empty or pd.isna(org[column].iloc[0]):
        return []
    depts = frame[frame["department"].notna()]
    blank = depts[depts[column].isna()]
    return list(blank["department"]) if len(blank) == 1 else []


def _none(value):
    return None if pd.isna(value) else value


# --------------------------------------------------------------------------- k


@pytest.mark.parametrize("k", [3, 5, 10, 5.0])
def test_check_k_accepts_whole_numbers_from_three(k):
    assert privacy.check_k(k) == int(k)


@pytest.mark.parametrize("k", [2, 1, 0, -5])
def test_check_k_rejects_groups_below_three(k):
    with pytest.raises(ValueError, match="at least 3"):
        privacy.check_k(k)


@pytest.mark.parametrize("k", ["5", 4.5, True, None])
def test_check_k_rejects_non_numbers(k):
    with pytest.raises(ValueError, match="whole number"):
        privacy.check_k(k)


def test_protect_rejects_k_below_three():
    with pytest.raises(ValueError, match="at least 3"):
        privacy.protect(_cells({"A": 10}), k=2, keys=["department"])


# --------------------------------------------------------------------------- rule 1


def test_groups_below_k_read_fewer_than_k_and_lose_their_measures():
    frame = pd.DataFrame({"department": [None, "A", "B", "C"], privacy.COUNT: [24, 4, 10, 10],
                          "mean": [6.0, 9.0, 5.5, 6.0]})
    out = privacy.protect(frame, k=K, keys=["department"], measures=["mean"], partitions=[])
    small = out[out["department"] == "A"].iloc[0]
    assert small[privacy.PRIVACY] == "fewer than 5"
    assert pd.isna(small[privacy.COUNT]) and pd.isna(small["mean"])
    big = out[out["department"] == "B"].iloc[0]
    assert big[privacy.PRIVACY] == "" and big[privacy.COUNT] == 10 and big["mean"] == 5.5


def test_exactly_k_employees_is_shown_and_k_minus_one_is_not():
    frame = pd.DataFrame({"department": ["A", "B"], privacy.COUNT: [K, K - 1]})
    out = privacy.protect(frame, k=K, keys=["department"], partitions=[])
    assert list(out[privacy.PRIVACY]) == ["", "fewer than 5"]


def test_k_is_configurable():
    frame = pd.DataFrame({"department": ["A", "B"], privacy.COUNT: [7, 12]})
    out = privacy.protect(frame, k=10, keys=["department"], partitions=[])
    assert list(out[privacy.PRIVACY]) == ["fewer than 10", ""]


def test_input_frame_is_not_modified():
    frame = _cells({"A": 2, "B": 8, "C": 10})
    before = frame.copy()
    privacy.protect(frame, k=K, keys=["department"])
    pd.testing.assert_frame_equal(frame, before)


def test_display_count_shows_the_label_in_place_of_the_number():
    out = privacy.protect(_cells({"A": 2, "B": 8, "C": 10}), k=K, keys=["department"])
    shown = dict(zip(out["department"].fillna("all"), privacy.display_count(out)))
    assert shown == {"all": 20, "A": "fewer than 5", "B": privacy.HIDDEN, "C": 10}


# --------------------------------------------------------------------------- rule 3: complementary


def test_a_small_department_cannot_be_recovered_from_the_total_minus_its_siblings():
    # Overdue counts: the organisation shows 20 people and 7 overdue; A has 2 people, 2 overdue.
    frame = _cells({"A": 2, "B": 8, "C": 10}, measure={"A": 1.0, "B": 0.25, "C": 0.3})
    out = privacy.protect(frame, k=K, keys=["department"], measures=["overdue"])
    assert _recoverable_by_subtraction(out) == []
    assert _recoverable_by_subtraction(out, "overdue") == []
    # The next-smallest sibling (B, 8) is the one hidden with A; C stays.
    assert set(out.loc[~privacy.shown(out), "department"]) == {"A", "B"}
    hidden_total = 20 - int(out.loc[out["department"] == "C", privacy.COUNT].iloc[0])
    assert hidden_total >= K  # what the attacker learns is a group of at least k


def test_two_small_departments_together_below_k_pull_in_a_third():
    out = privacy.protect(_cells({"A": 2, "B": 2, "C": 10, "D": 8}), k=K, keys=["department"])
    hidden = set(out.loc[~privacy.shown(out) & out["department"].notna(), "department"])
    assert hidden == {"A", "B", "D"}
    assert _recoverable_by_subtraction(out) == []


def test_two_hidden_siblings_that_together_reach_k_are_enough():
    out = privacy.protect(_cells({"A": 3, "B": 4, "C": 10}), k=K, keys=["department"])
    assert set(out.loc[~privacy.shown(out), "department"].dropna()) == {"A", "B"}


def test_a_lone_hidden_child_hides_its_parent():
    frame = pd.DataFrame({"department": [None, "A"], privacy.COUNT: [3, 3]})
    out = privacy.protect(frame, k=K, keys=["department"])
    assert not privacy.shown(out).any()


def test_a_parent_hidden_for_another_reason_is_not_given_away_by_its_children():
    # The organisation row is hidden (say by the differencing rule); shown departments would add up to it.
    frame = _cells({"A": 6, "B": 8, "C": 10})
    contributions = pd.DataFrame({"department": ["A", "B", "C"], "quarter": pd.to_datetime(["2025-01-01"] * 3),
                                  "n": [6, 8, 10]})
    # Only A's contributions are in the first quarter of a window, and only 2 of them: org row hidden by 2a.
    contributions = pd.concat([contributions, pd.DataFrame({"department": ["A"],
                                                            "quarter": pd.to_datetime(["2024-10-01"]), "n": [2]})])
    window = privacy.Window(pd.Timestamp("2024-10-01"), pd.Timestamp("2025-04-01"))
    out = privacy.protect(frame, k=K, keys=["department"], contributions=contributions, window=window)
    assert not privacy.shown(out[out["department"].isna()]).iloc[0]
    hidden_children = out[out["department"].notna() & ~privacy.shown(out)]
    assert len(hidden_children) >= 2 and hidden_children["department"].map({"A": 6, "B": 8, "C": 10}).sum() >= K


def test_a_total_hidden_for_another_table_hides_enough_children_with_it():
    # Another table about the same 24 people hides their total; shown departments must not add up to it here.
    frame = _cells({"A": 6, "B": 8, "C": 10}, measure={"A": 0.5, "B": 0.25, "C": 0.1})
    out = privacy.protect(frame, k=K, keys=["department"], measures=["overdue"],
                          also_hide=frame["department"].isna())
    org = out[out["department"].isna()].iloc[0]
    assert org[privacy.PRIVACY] == privacy.HIDDEN
    assert pd.isna(org[privacy.COUNT]) and pd.isna(org["overdue"])
    hidden_children = out[out["department"].notna() & ~privacy.shown(out)]
    # The two smallest go with it: C's 10 shown, A and B (14 together) not.
    assert set(hidden_children["department"]) == {"A", "B"}
    assert list(out.loc[out["department"] == "C", privacy.COUNT]) == [10]


def test_also_hide_needs_one_value_per_row():
    frame = _cells({"A": 6, "B": 8})
    with pytest.raises(ValueError, match="one value per row"):
        privacy.protect(frame, k=K, keys=["department"], also_hide=[True])


def test_complementary_suppression_recurses_across_levels():
    # organisation -> department -> team; team X1 (2 people) is small.
    rows = [
        (None, None, 40),
        ("X", None, 12), ("X", "X1", 2), ("X", "X2", 10),
        ("Y", None, 28), ("Y", "Y1", 14), ("Y", "Y2", 14),
    ]
    frame = pd.DataFrame(rows, columns=["department", "team", privacy.COUNT])
    out = privacy.protect(frame, k=K, keys=["department", "team"], partitions=["department", "team"])
    hidden = {(_none(d), _none(t)) for d, t, ok in zip(out["department"], out["team"], privacy.shown(out)) if not ok}
    assert ("X", "X1") in hidden and ("X", "X2") in hidden
    # Every line (children of one parent) has 0 or >= 2 hidden children holding >= k people together.
    for parent_dept in (None, "X", "Y"):
        if parent_dept is None:
            kids = out[out["department"].notna() & out["team"].isna()]
        else:
            kids = out[(out["department"] == parent_dept) & out["team"].notna()]
        hid = kids[~privacy.shown(kids)]
        true_n = frame.loc[hid.index, privacy.COUNT]
        assert len(hid) == 0 or (len(hid) >= 2 and true_n.sum() >= K)


def test_complementary_suppression_across_two_partitions_of_one_table():
    # A skill's total splits by rating band and by department; both lines must hold.
    rows = [(None, None, 30), (None, "low", 3), (None, "mid", 12), (None, "high", 15),
            ("A", None, 2), ("B", None, 28)]
    frame = pd.DataFrame(rows, columns=["department", "band", privacy.COUNT])
    out = privacy.protect(frame, k=K, keys=["department", "band"], partitions=["department", "band"])
    hidden = {(_none(d), _none(b)) for d, b, ok in zip(out["department"], out["band"], privacy.shown(out)) if not ok}
    assert (None, "low") in hidden and (None, "mid") in hidden
    assert ("A", None) in hidden and ("B", None) in hidden


@settings(max_examples=150)
@given(st.lists(st.integers(min_value=1, max_value=30), min_size=1, max_size=8), st.integers(3, 8))
def test_no_hidden_department_is_ever_alone_or_below_k_together(sizes, k):
    counts = {f"D{i}": n for i, n in enumerate(sizes)}
    out = privacy.protect(_cells(counts), k=k, keys=["department"])
    org_shown = bool(privacy.shown(out[out["department"].isna()]).iloc[0])
    depts = out[out["department"].notna()]
    hidden = [counts[d] for d, ok in zip(depts["department"], privacy.shown(depts)) if not ok]
    assert all(n >= k for d, n in counts.items() if d in set(depts.loc[privacy.shown(depts), "department"]))
    if org_shown and hidden:
        assert len(hidden) >= 2 and sum(hidden) >= k


# --------------------------------------------------------------------------- rule 2: differencing


def _figure(department_rows: dict, selected: list[str] | None, window: privacy.Window,
            contributions: pd.DataFrame, k: int = K) -> pd.Series:
    """The organisation row of one report (all selected departments) after protection."""
    chosen = selected or list(department_rows)
    total = sum(department_rows[d] for d in chosen)
    frame = pd.DataFrame({"department": [None, *chosen], privacy.COUNT: [total, *[department_rows[d] for d in chosen]]})
    out = privacy.protect(frame, k=k, keys=["department"], contributions=contributions,
                    window=privacy.Window(window.start, window.end, tuple(selected) if selected else None))
    return out[out["department"].isna()].iloc[0]


def test_two_department_filters_differing_by_a_small_department_cannot_both_show_the_total():
    # C has 2 employees; a report on A+B and one on A+B+C would differ by exactly them.
    depts = {"A": 8, "B": 9, "C": 2}
    q = pd.Timestamp("2025-01-01")
    contributions = pd.DataFrame({"department": list(depts), "quarter": [q] * 3, "n": list(depts.values())})
    window = privacy.Window(q, pd.Timestamp("2025-04-01"))
    everyone = _figure(depts, None, window, contributions)
    without_c = _figure(depts, ["A", "B"], window, contributions)
    with_c = _figure(depts, ["A", "B", "C"], window, contributions)
    # Whichever pair an analyst subtracts, one side is hidden.
    for one, other in ((everyone, without_c), (with_c, without_c)):
        assert not (one[privacy.PRIVACY] == "" and other[privacy.PRIVACY] == ""), "C could be worked out by subtraction"


def test_a_filter_leaving_out_only_large_departments_is_shown():
    depts = {"A": 8, "B": 9, "C": 12}
    q = pd.Timestamp("2025-01-01")
    contributions = pd.DataFrame({"department": list(depts), "quarter": [q] * 3, "n": list(depts.values())})
    window = privacy.Window(q, pd.Timestamp("2025-04-01"))
    assert _figure(depts, ["A", "B"], window, contributions)[privacy.PRIVACY] == ""
    assert _figure(depts, None, window, contributions)[privacy.PRIVACY] == ""


def test_a_small_department_that_is_small_only_in_one_quarter_still_blocks_filtered_totals():
    # C has 20 people over the year but only 2 contributed in Q3: comparing an A+B report with an
    # A+B+C report over Q3 alone would isolate them, so the A+B report hides its total.
    contributions = pd.DataFrame({
        "department": ["A", "B", "C", "C"], "n": [8, 9, 18, 2],
        "quarter": pd.to_datetime(["2025-07-01", "2025-07-01", "2025-04-01", "2025-07-01"])})
    window = privacy.Window(pd.Timestamp("2025-04-01"), pd.Timestamp("2025-10-01"))
    assert _figure({"A": 8, "B": 9, "C": 20}, ["A", "B"], window, contributions)[privacy.PRIVACY] != ""


def test_two_periods_differing_by_a_quarter_with_few_people_cannot_both_show():
    # Q1 2025 had 2 contributors; the period Q1-Q3 and the period Q2-Q3 would differ by them.
    quarters = pd.to_datetime(["2025-01-01", "2025-04-01", "2025-07-01"])
    contributions = pd.DataFrame({"department": ["A"] * 3, "quarter": quarters, "n": [2, 12, 14]})
    depts = {"A": 20}
    long = _figure(depts, None, privacy.Window(quarters[0], pd.Timestamp("2025-10-01")), contributions)
    short = _figure(depts, None, privacy.Window(quarters[1], pd.Timestamp("2025-10-01")), contributions)
    assert short[privacy.PRIVACY] == ""
    assert long[privacy.PRIVACY] != ""


def test_two_as_of_dates_differing_by_a_quiet_last_quarter_cannot_both_show():
    quarters = pd.to_datetime(["2025-01-01", "2025-04-01", "2025-07-01"])
    contributions = pd.DataFrame({"department": ["A"] * 3, "quarter": quarters, "n": [12, 14, 3]})
    depts = {"A": 30}
    earlier = _figure(depts, None, privacy.Window(quarters[0], pd.Timestamp("2025-07-01")), contributions)
    later = _figure(depts, None, privacy.Window(quarters[0], pd.Timestamp("2025-10-01")), contributions)
    assert earlier[privacy.PRIVACY] == ""
    assert later[privacy.PRIVACY] != ""


def test_as_of_figures_only_check_the_latest_quarter_and_departments_in_total():
    # Cadence-like figures: each person's latest change; people with none (NaT) still count in total.
    contributions = pd.DataFrame({"department": ["A", "A", "B", "B"], "n": [2, 9, 2, 5],
                                  "quarter": pd.to_datetime(["2023-01-01", "2025-07-01", pd.NaT, "2025-07-01"])})
    window = privacy.Window(pd.Timestamp("2023-01-01"), pd.Timestamp("2025-10-01"), ("A",))
    frame = pd.DataFrame({"department": [None, "A"], privacy.COUNT: [11, 11]})
    out = privacy.protect(frame, k=K, keys=["department"], contributions=contributions, window=window,
                          scope=privacy.AS_OF)
    # The early quarter with 2 people does not matter for an as-of figure; B (7 people in total) is
    # large enough to be left out.
    assert privacy.shown(out).all()
    small_b = contributions.assign(n=[2, 9, 1, 2])  # B now has 3 people: leaving it out would expose them
    out = privacy.protect(frame, k=K, keys=["department"], contributions=small_b, window=window, scope=privacy.AS_OF)
    assert not privacy.shown(out[out["department"].isna()]).iloc[0]


def test_a_report_of_some_departments_hides_an_as_of_figure_the_whole_organisation_hides():
    # B's 7 people are enough in total, but only 3 of them changed in the last quarter: the report of all
    # departments hides B (rule 2a), and A with it (rule 3). A report of A alone must hide A too, or its
    # total minus nothing, set beside the whole organisation's, would give B back.
    contributions = pd.DataFrame({"department": ["A", "B", "B"], "n": [11, 4, 3],
                                  "quarter": pd.to_datetime(["2025-07-01", pd.NaT, "2025-07-01"])})
    end = pd.Timestamp("2025-10-01")
    whole = privacy.protect(pd.DataFrame({"department": [None, "A", "B"], privacy.COUNT: [18, 11, 7]}), k=K,
                            keys=["department"], contributions=contributions, scope=privacy.AS_OF,
                            window=privacy.Window(pd.Timestamp("2023-01-01"), end))
    assert list(whole[privacy.PRIVACY]) == ["", privacy.HIDDEN, privacy.HIDDEN]
    only_a = privacy.protect(pd.DataFrame({"department": [None, "A"], privacy.COUNT: [11, 11]}), k=K,
                             keys=["department"], contributions=contributions, scope=privacy.AS_OF,
                             window=privacy.Window(pd.Timestamp("2024-01-01"), end, ("A",)))
    assert not privacy.shown(only_a).any()
    # With B's latest changes spread wide enough, both reports show A.
    spread = contributions.assign(n=[11, 2, 5])
    assert privacy.shown(privacy.protect(pd.DataFrame({"department": [None, "A"], privacy.COUNT: [11, 11]}), k=K,
                                         keys=["department"], contributions=spread, scope=privacy.AS_OF,
                                         window=privacy.Window(pd.Timestamp("2024-01-01"), end, ("A",)))).all()


def test_differencing_checks_need_a_window():
    with pytest.raises(ValueError, match="window"):
        privacy.protect(_cells({"A": 9}), k=K, keys=["department"],
                  contributions=pd.DataFrame({"department": ["A"], "quarter": [pd.NaT], "n": [9]}))


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="mean"):
        privacy.protect(_cells({"A": 9}), k=K, keys=["department"], measures=["mean"])
    with pytest.raises(ValueError, match="negative"):
        privacy.protect(pd.DataFrame({"department": ["A"], privacy.COUNT: [-1]}), k=K, keys=["department"])
