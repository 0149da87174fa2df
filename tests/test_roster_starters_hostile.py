"""Future starters, as a hostile tester broke them after start days were kept (tests/test_roster_starters.py): each
file is shaped as the HR system exports it. The small organisation of tests/orgs.py: Grace Hopper (C01) coaches
E001, E002 and E003; E004 and E005 have other coaches.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from careerconv.records.importers import FileRejected, import_roster
from careerconv.records.store import Store
from test_history_exports import csv_bytes

IMPORT_DAY = dt.date(2026, 10, 1)


def _import(root: Path, rows: list[list[str]], name: str = "export.csv", today: dt.date = IMPORT_DAY, **options):
    path = root.parent / name
    path.write_bytes(csv_bytes(rows))
    return import_roster(Store(root), path, today=today, **options)


def _days(store: Store, column: str) -> dict[str, str]:
    """Each employee's ``column`` day as ISO text ("" for none)."""
    return {r["employee_id"]: "" if r[column] is None or r[column] != r[column] else r[column].date().isoformat()
            for r in store.roster().to_dict("records")}


def _rejected(excinfo) -> str:
    return "\n".join(p.message for p in excinfo.value.problems)


HIBOB = ["Employee ID", "Display name", "Work email", "Department", "Job title", "Manager ID", "Lifecycle status",
         "Start date"]


def test_a_current_staff_export_does_not_make_a_future_starter_a_leaver(small_org: Path):
    _import(small_org, [HIBOB,
                        ["E002", "Alan Turing", "alan@example.org", "Engineering", "Engineer", "C01", "Employed",
                         "25/09/2019"],
                        ["E006", "Dana Cohen", "dana@example.org", "Engineering", "Engineer", "C01", "Hired",
                         "04/01/2027"]], "hibob.csv")
    everyone = [["Employee ID", "Name", "Manager ID", "Department", "Job Title"],  # current staff: no Dana
                ["C01", "Grace Hopper", "C00", "Engineering", "Head of engineering"],
                ["E001", "Ada Lovelace", "C01", "Engineering", "Engineer"],
                ["E002", "Alan Turing", "C01", "Engineering", "Engineer"],
                ["E003", "Katherine Johnson", "C01", "Research", "Analyst"],
                ["E004", "Edsger Dijkstra", "C02", "Research", "Researcher"]]
    result = _import(small_org, everyone, "current.csv", missing_have_left=True)
    store = Store(small_org)
    assert _days(store, "left_on")["E006"] == "" and _days(store, "started_on")["E006"] == "2027-01-04"
    assert "1 people who start later are not in the file: kept as starters (E006)" in result.summary()
    assert _days(store, "left_on")["E005"] == IMPORT_DAY.isoformat()  # someone here and missing has left


BAMBOO = ["Employee #", "First Name", "Last Name", "Hire Date", "Department", "Job Title", "Supervisor EID",
          "Work Email", "Employment Status", "Status", "Termination Date"]
ALAN = ["E002", "Alan", "Turing", "09/25/2019", "Engineering", "Engineer", "C01", "alan@example.org", "Full-Time",
        "Active", ""]  # month first, as BambooHR's US exports write it


def test_a_leaving_day_before_the_start_day_is_refused_naming_both(small_org: Path):
    rows = [BAMBOO, ALAN, ["E006", "Dana", "Cohen", "02/01/2027", "Engineering", "Engineer", "C01",
                           "dana@example.org", "Full-Time", "Active", "01/15/2027"]]
    with pytest.raises(FileRejected) as refused:
        _import(small_org, rows, "bamboohr.csv")
    problem = refused.value.problems[0]
    assert (problem.row, problem.column, problem.value) == (3, "Termination Date", "01/15/2027")
    assert problem.message.startswith("the leaving day 2027-01-15 (from 'Termination Date') is on or before the start "
                                      "day: 'Hire Date' says they start on 2027-02-01; a leaving day comes after the "
                                      "start day")
    assert "E006" not in _days(Store(small_org), "left_on")


def test_ripplings_end_date_on_the_start_date_is_refused(small_org: Path):
    rows = [["Employee ID", "Legal name", "Department", "Title", "Work email", "Manager", "Start date", "End date",
             "Employment status"],
            ["E006", "Dana Cohen", "Engineering", "Engineer", "dana@example.org", "C01", "2027-01-04", "2027-01-04",
             "Accepted"]]
    with pytest.raises(FileRejected) as refused:
        _import(small_org, rows, "rippling.csv")
    assert "the leaving day 2027-01-04 (from 'End date') is on or before the start day" in _rejected(refused)


def test_a_rehire_keeps_their_earlier_leaving_day_out_of_the_way(small_org: Path):
    """An earlier termination that has passed beside a new hire date after it: here again from the new start day,
    whatever the status says of the earlier leaving."""
    _import(small_org, [BAMBOO, ALAN, ["E003", "Katherine", "Johnson", "01/04/2027", "Research", "Analyst", "C01",
                                       "kj@example.org", "Full-Time", "Terminated", "06/30/2026"]], "bamboohr.csv")
    store = Store(small_org)
    assert (_days(store, "left_on")["E003"], _days(store, "started_on")["E003"]) == ("", "2027-01-04")


@pytest.mark.parametrize("header, status", [("Active Status", "No"), ("Status", "Terminated")])
def test_a_status_that_says_left_beside_a_start_day_to_come_is_refused(small_org: Path, header: str, status: str):
    """Workday's Active Status No, BambooHR's Terminated, beside a hire date still to come: most likely a hire
    cancelled, which careerconv does not guess to be a leaver or a starter (the summary said both)."""
    rows = [["Employee ID", "Worker", "Business Title", "Manager ID", "Department", "Hire Date", header],
            ["E006", "Dana Cohen", "Engineer", "C01", "Engineering", "2026-10-02", status]]
    with pytest.raises(FileRejected) as refused:
        _import(small_org, rows, "workday.csv")
    problem = refused.value.problems[0]
    assert (problem.row, problem.column, problem.value) == (2, header, status)
    assert problem.message.startswith(f"{header!r} says they left ({status}) and 'Hire Date' says they start on "
                                      "2026-10-02, a day still to come: a hire cancelled or an offer withdrawn is not "
                                      "guessed to be either a leaver or a starter")



def _hibob(start: str) -> list[list[str]]:
    """A HiBob export of one person Hired, starting on ``start`` as the cell holds it."""
    return [HIBOB, ["E006", "Dana Cohen", "dana@example.org", "Engineering", "Engineer", "C01", "Hired", start]]


def test_a_start_date_to_come_whichever_way_it_reads_is_the_earlier_reading(small_org: Path):
    _import(small_org, _hibob("03/04/2027"), "hibob.csv")  # 3 Apr or 4 Mar 2027: not here before 4 Mar either way
    assert _days(Store(small_org), "started_on")["E006"] == "2027-03-04"


@pytest.mark.parametrize("start, why", [
    ("04.01.27", "has a two-digit year; write the year in full"),
    ("31.02.2027", "is not a real calendar date when read as DD.MM.YYYY; expected YYYY-MM-DD (also DD.MM.YYYY"),
    ("03/11/2026", "day and month order is ambiguous")])  # 3 Nov 2026 (to come) or 11 Mar 2026 (passed)
def test_an_unreadable_start_date_of_someone_not_started_is_refused(small_org: Path, start: str, why: str):
    with pytest.raises(FileRejected) as refused:
        _import(small_org, _hibob(start), "hibob.csv")
    problem = refused.value.problems[0]
    assert (problem.row, problem.column, problem.value) == (2, "Start date", start)
    assert problem.message.startswith(why)
    assert problem.message.endswith("'Lifecycle status' says they have not started yet (Hired), so their start day "
                                    "says from when they are on their coach's team and due: write it as YYYY-MM-DD")


def test_an_unreadable_hire_date_of_someone_here_is_a_note(small_org: Path):
    rows = _hibob("04.01.27")
    rows[1][6] = "Employed"
    result = _import(small_org, rows, "hibob.csv")
    assert "1 start date(s) in 'Start date' could not be read, so those people are read as started long ago" \
        in result.summary()
