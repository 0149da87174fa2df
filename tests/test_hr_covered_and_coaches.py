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

