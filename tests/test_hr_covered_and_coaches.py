"""Two HR tables an analyst could subtract between reports: "Who is covered" across periods, each coach's team
across a department filter.

Organisations built by hand (minimum group size 3):

* **Periods** (as of 1 Jul 2025; the default period 2023 Q3 to 2025 Q2, the first record in 2023 Q1): Alpha
  A1..A6, Beta B1..B5. A6 left Alpha on 15 Aug 2023, in the default period's first quarter, without a record.
  A1, A2 and A3 have a check-in in 2023 Q3 and in 2023 Q4 and a conversation in 2025 Q2; B1, B2 and B3 a
  conversation on 1 Feb 2023 (the first records).
* **Coaches** (as of 1 Jul 2025): C1 coaches X1, X2 (department X; "fewer than 3"), C2 Y1..Y3 (Y), C3 X3..X6 (X),
  C4 X7..X11 (X). X1 and C4's team had a conversation on 10 Jun 2025; nobody else has a record.
"""

from __future__ import annotations

import pandas as pd
import pytest

from careerconv import analytics
from careerconv.records import schema
from careerconv.rules import privacy

K = 3
AS_OF = "2025-07-01"


def _frame(name: str, rows: list[dict]) -> pd.DataFrame:
    return schema.coerce_frame(pd.DataFrame(rows), schema.table(name))


def _roster(people: list[tuple[str, str, str]], left: dict[str, str] | None = None) -> pd.DataFrame:
    """``(employee_id, department, coach_id)`` rows, with the leaving days ``left`` (employee: ISO day)."""
    left = left or {}
    return _frame("roster", [{"employee_id": e, "name": f"Person {e}", "coach_id": c, "department": d,
                              "cadence_months": 6, "role": "", "email": "", "left_on": left.get(e)}
                             for e, d, c in people])


def _tables(roster: pd.DataFrame, conversations: list[tuple[str, str]], checkins: list[tuple[str, str]] = ()
            ) -> dict[str, pd.DataFrame]:
    """The HR tables of an organisation whose records are these conversations and check-ins
    (``(employee_id, ISO day)``), nothing else."""
    coach = dict(zip(roster["employee_id"], roster["coach_id"]))
    convs = [{"conversation_id": f"{e}-{d}", "employee_id": e, "coach_id": coach[e], "date": d,
              "question_set": "career-conversation", "question_set_version": "1", "status": "completed",
              "source": "app", "cadence_months": 6, "follow_up_mode": None, "follow_up_every_weeks": None}
             for e, d in conversations]
    empty = {name: _frame(name, []) for name in ("skills", "skill_ratings", "targets", "options", "action_items",
                                                 "checkin_updates")}
    return {"roster": roster, "conversations": _frame("conversations", convs),
            "checkins": _frame("checkins", [{"checkin_id": f"{e}-ci-{d}", "employee_id": e, "coach_id": coach[e],
                                             "date": d} for e, d in checkins]), **empty}


def _row(table: pd.DataFrame, column: str, value) -> pd.Series:
    rows = table[table[column].isna()] if value is None else table[table[column] == value]
    assert len(rows) == 1, (column, value)
    return rows.iloc[0]


# --------------------------------------------------------------------------- "Who is covered" across periods


@pytest.fixture(scope="module")
def periods_org() -> dict[str, pd.DataFrame]:
    people = [(f"A{i}", "Alpha", "C1") for i in range(1, 7)] + [(f"B{i}", "Beta", "C2") for i in range(1, 6)]
    stayers = ("A1", "A2", "A3")
    return _tables(_roster(people, {"A6": "2023-08-15"}),
                   [*((e, "2023-02-01") for e in ("B1", "B2", "B3")), *((e, "2025-05-05") for e in stayers)],
                   [(e, day) for e in stayers for day in ("2023-08-01", "2023-11-01")])


def _leavers_recovered(one: dict, other: dict) -> list[str]:
    """What subtracting the "Who is covered" rows both reports show tells of fewer than K people: how many of them
    had a conversation in the period."""
    found = []
    a, b = (report["overview"][privacy.shown(report["overview"])] for report in (one, other))
    both = a.merge(b, on="department", how="inner", suffixes=("_a", "_b"))
    for _, row in both.iterrows():
        people = abs(int(row[f"{privacy.COUNT}_a"]) - int(row[f"{privacy.COUNT}_b"]))
        if 0 < people < K:
            met = row[f"{privacy.COUNT}_a"] * row["share_met_a"] - row[f"{privacy.COUNT}_b"] * row["share_met_b"]
            where = "All departments" if pd.isna(row["department"]) else row["department"]
            found.append(f"{where}: {people} employee(s), {round(abs(met))} of them met")
    return found


def test_who_is_covered_in_two_periods_a_quarter_apart_gives_back_no_one_who_left(periods_org):
    """An analyst subtracted "Who is covered" of the default page from that of --period-start 2023-10-01: Alpha
    showed 6 employees on one and 5 on the other, so the one person who left Alpha in 2023 Q3 had had no career
    conversation in their last quarter (the share met times the employees differs by nobody). The rows count
    everyone here on the period's first day, which moves with the start: rule 2c now compares them too."""
    default = analytics.hr_aggregates(periods_org, AS_OF, k=K)
    later = analytics.hr_aggregates(periods_org, AS_OF, ("2023-10-01", None), k=K)
    assert (default["overview"]["privacy"] == "").all()  # the page people read keeps every figure
    assert int(_row(default["overview"], "department", "Alpha")[privacy.COUNT]) == 6
    assert _leavers_recovered(default, later) == []
    # The report of the other period says its period hides them.
    hidden = later["overview"].loc[~privacy.shown(later["overview"]), privacy.PRIVACY]
    assert privacy.HIDDEN_BY_PERIOD in set(hidden)



# --------------------------------------------------------------------------- each coach's team across a filter


@pytest.fixture(scope="module")
def coaches_org() -> dict[str, pd.DataFrame]:
    people = [("X1", "X", "C1"), ("X2", "X", "C1"), *((f"Y{i}", "Y", "C2") for i in range(1, 4)),
              *((f"X{i}", "X", "C3") for i in range(3, 7)), *((f"X{i}", "X", "C4") for i in range(7, 12))]
    return _tables(_roster(people), [(e, "2025-06-10") for e in ("X1", "X7", "X8", "X9", "X10", "X11")])


TEAMS = {"C1": "X", "C2": "Y", "C3": "X", "C4": "X"}  # each coach's team lies within one department


def _teams_recovered(reports: list[dict]) -> list[str]:
    """The teams no report shows that one report's total (all coaches, or a department of cadence compliance:
    the same people, everyone here having a coach) minus the teams shown in any report gives back, with how many
    of them are on time for their conversation.

    A team's figures as of a day are the same in every report that holds the whole team, so an analyst holding
    the whole organisation's report and a filtered one knows every team either shows."""
    known = {}
    for report in reports:
        table = report["coach_follow_through"]
        for _, row in table[privacy.shown(table) & table["coach_id"].notna()].iterrows():
            known[row["coach_id"]] = (int(row[privacy.COUNT]), row["share_conversation_on_time"] * row[privacy.COUNT])
    found = []
    for report in reports:
        coaches = report["coach_follow_through"]
        totals = [(f"all coaches of {report['about'].set_index('item').at['departments', 'value']}",
                   _row(coaches, "coach_id", None), set(coaches["coach_id"].dropna()))]
        cadence = report["cadence_compliance"]
        for _, row in cadence[privacy.shown(cadence) & cadence["department"].notna()].iterrows():
            on_time = 1 - row["share_conversation_overdue"] - row["share_never_met"]
            totals.append((f"department {row['department']}", pd.concat([row, pd.Series({
                "share_conversation_on_time": on_time})]), {c for c, d in TEAMS.items() if d == row["department"]}))
        for where, total, teams in totals:
            unknown = teams - set(known)
            if total[privacy.PRIVACY] or len(unknown) != 1:
                continue
            n = int(total[privacy.COUNT]) - sum(known[c][0] for c in teams & set(known))
            on_time = total["share_conversation_on_time"] * total[privacy.COUNT] - \
                sum(known[c][1] for c in teams & set(known))
            found.append(f"{unknown.pop()} = {where} minus the teams shown: {n} people, {round(on_time)} on time")
    return found


def test_a_coachs_small_team_cannot_be_worked_out_from_the_whole_and_a_filtered_report(coaches_org):
    """An analyst read the whole organisation's "Follow-through per coach" (C1's team "fewer than 3", C2's "not
    shown") beside the report of department X (C1's team "fewer than 3", C3's "not shown"): X's "All coaches"
    less C4's team and C3's (shown on the whole organisation's page) left C1's two people, one of them on time.
    Department X's row of "Conversations and follow-ups on time" gave it away even on the whole organisation's page
    alone. Teams are now also protected by department, and a filtered report hides what the whole one hides."""
    whole = analytics.hr_aggregates(coaches_org, AS_OF, k=K)
    reports = [whole, *(analytics.hr_aggregates(coaches_org, AS_OF, departments=[d], k=K) for d in ("X", "Y"))]
    assert _teams_recovered(reports) == []
    # C1's team is hidden for being small; the team hidden with it, for the reason every such team gives.
    coaches = whole["coach_follow_through"]
    assert _row(coaches, "coach_id", "C1")[privacy.PRIVACY] == privacy.fewer_than(K)
    assert _row(coaches, "coach_id", "C3")[privacy.PRIVACY] == privacy.HIDDEN
    assert "hidden so that no one can single out fewer than 3 people" in analytics.describe("coach_follow_through",
                                                                                          coaches)
    # What singles out nobody stays shown: all coaches, C4's team, the departments' rows.
    assert int(_row(coaches, "coach_id", None)[privacy.COUNT]) == 14
    assert int(_row(coaches, "coach_id", "C4")[privacy.COUNT]) == 5
    assert privacy.shown(whole["cadence_compliance"]).all()
