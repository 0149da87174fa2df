"""Future starters: people hired who have not started yet (HiBob's "Hired", Rippling's "Accepted", Personio's
"Onboarding", or a start date still to come), kept on the roster with their start day (``started_on``) and counted
from it, as a leaver is counted until their ``left_on`` (careerconv.records.leavers: one rule).

A hostile test found them read as here from the import on: due at once in `careerconv due`, on their coach's team,
and counted in "who is covered" for months before their first day. Each file is written as the system exports it.
The small organisation of tests/orgs.py: Grace Hopper (C01) coaches E001, E002 and E003.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import pandas as pd
import pytest

from app_harness import Harness
from careerconv.cli import main
from careerconv.records.importers import import_roster
from careerconv.records.store import Store
from careerconv.surfaces.app.roster_index import RosterIndex
from careerconv.surfaces.app.team import load_team
from careerconv.surfaces.report import runner
from careerconv.surfaces.report.paths import report_paths
from careerconv.surfaces.report.runner import ReportOutcome
from test_history_exports import csv_bytes

IMPORT_DAY = dt.date(2026, 10, 1)  # the app harness's day too

# HiBob's people export: its "Lifecycle status" says Hired until the "Start date" (day first, as HiBob writes it
# for a European company); Dana Cohen starts on 4 Jan 2027.
HIBOB = [["Employee ID", "Display name", "Work email", "Department", "Job title", "Manager ID", "Lifecycle status",
          "Start date"],
         ["E002", "Alan Turing", "alan@example.org", "Engineering", "Engineer", "C01", "Employed", "25/09/2019"],
         ["E006", "Dana Cohen", "dana@example.org", "Engineering", "Engineer", "C01", "Hired", "04/01/2027"]]


def _import(root: Path, rows: list[list[str]], name: str = "hibob.csv", today: dt.date = IMPORT_DAY):
    path = root.parent / name
    path.write_bytes(csv_bytes(rows))
    return import_roster(Store(root), path, today=today)


def _started_on(store: Store) -> dict[str, str]:
    """Each employee's start day as ISO text ("" for started long ago)."""
    return {r["employee_id"]: "" if r["started_on"] != r["started_on"] or r["started_on"] is None
            else r["started_on"].date().isoformat() for r in store.roster().to_dict("records")}


def test_a_hibob_starter_keeps_their_start_day_and_the_summary_says_from_when_they_count(small_org: Path):
    result = _import(small_org, HIBOB)
    store = Store(small_org)
    assert _started_on(store) == {"C01": "", "E001": "", "E002": "2019-09-25", "E003": "", "E004": "", "E005": "",
                                  "E006": "2027-01-04"}  # Alan started on 25 Sep 2019: kept too
    assert ("Note: 1 employee(s) start on a day still to come (read from 'Start date'): they are on their coach's "
            "team, due for a conversation and counted in HR figures from that day on, not before (E006 on "
            "2027-01-04)") in result.summary()
    assert "careerconv keeps no start day" not in result.summary()
    again = _import(small_org, HIBOB, today=dt.date(2027, 2, 1))  # the same file after the start day
    assert (again.added, again.updated) == (0, 0)
    assert _started_on(store)["E006"] == "2027-01-04"


def test_due_lists_a_starter_from_their_first_day_not_before(small_org: Path, capsys):
    _import(small_org, HIBOB)

    def due(day: str) -> str:
        assert main(["--data", str(small_org), "due", "--as-of", day, "-o", "-", "--format", "csv"]) == 0
        return capsys.readouterr().out

    assert "E006" not in due("2026-12-10")
    assert "E006,Dana Cohen" in due("2027-01-04")


def test_the_coachs_app_does_not_offer_a_starter_as_due_before_they_start(small_org: Path):
    _import(small_org, HIBOB)
    h = Harness(small_org, coach_id="C01")  # on 1 Oct 2026
    start = h.app.start_screen
    assert not [b.description for b in start.results.children if "E006" in b.description]
    assert [m.employee_id for m in h.app.show_team("C01").members] == ["E001", "E002", "E003"]
    start.search.value = "dana"  # found when looked for, with the day she starts
    assert [b.description for b in start.results.children] == ["Dana Cohen · E006 ·\xa0starts\xa04\xa0Jan\xa02027"]
    start.results.children[0].click()
    assert ("<b>Dana Cohen starts 4 Jan 2027.</b> They are on their coach's team and due for conversations from "
            "that day; one can be held before it.") in start.employee_html.value
    store = Store(small_org)
    assert sorted(m.employee_id for m in load_team(store, "C01", "2027-01-04")) == ["E001", "E002", "E003", "E006"]


def test_rippling_accepted_with_a_start_date_to_come_counts_from_it(tmp_path: Path):
    """Rippling's "Accepted" (an offer accepted) beside its "Start date", written month first as Rippling's US
    exports do."""
    root = tmp_path / "data"
    rows = [["Employee number", "Employee name", "Work email", "Department", "Title", "Manager employee number",
             "Employment status", "Start date"],
            ["1", "Mary Berg", "mary@example.com", "Exec", "CEO", "", "Active", "03/15/2018"],
            ["2", "Olga Rossi", "olga@example.com", "Eng", "Dev", "1", "Accepted", "01/04/2027"],
            ["3", "Cy Park", "cy@example.com", "Eng", "Dev", "1", "Accepted", ""]]
    result = _import(root, rows, "rippling.csv")
    store = Store(root)
    assert _started_on(store) == {"1": "2018-03-15", "2": "2027-01-04", "3": ""}
    assert ("1 employee(s) have not started yet by their 'Employment status' (Accepted) and the file has no start "
            "day for them, so they are here from this import on") in result.summary()


@pytest.mark.parametrize("imported_on, hired_after", [("2026-08-20", "2027-01-04"), ("2026-12-06", "2026-11-02")])
def test_the_hr_page_and_due_cover_a_starter_from_their_first_day(sample_data: Path, capsys, imported_on: str,
                                                                  hired_after: str):
    """ "Who is covered" counts everyone here on some day of the period, and who is due everyone here on its last
    day: someone starting after it is in neither, whether their start day is still to come on the import day or has
    passed (found: a hire date that had passed was dropped, so people hired on 2 Nov 2026 were counted in a period
    that ended on 30 Sep 2026)."""
    from careerconv import analytics
    from careerconv.analytics.constants import N

    def counts() -> tuple[int, int, int]:
        hr = analytics.hr_aggregates(analytics.load_hr_tables(sample_data, lazy=True), "2026-10-01", k=5)
        return tuple(int(hr[name][N].iloc[0]) for name in ("overview", "cadence_compliance", "coach_follow_through"))

    def due(day: str) -> str:
        assert main(["--data", str(sample_data), "due", "--as-of", day, "-o", "-", "--format", "csv"]) == 0
        return capsys.readouterr().out

    assert counts() == (24, 24, 24)  # the sample: 24 people; the period is 2024 Q4 to 2026 Q3
    roster = (sample_data / "roster.csv").read_text(encoding="utf-8").splitlines()
    coach = roster[1].split(",")[2]
    exported = sample_data.parent / "bamboohr.csv"
    exported.write_bytes(csv_bytes([
        ["Employee #", "Full Name", "Department", "Job Title", "Supervisor EID", "Status", "Hire Date"],
        ["E0901", "Noor Haddad", "Engineering", "Engineer", coach, "Active", "2026-09-01"],  # during the period
        ["E0902", "Dana Cohen", "Engineering", "Engineer", coach, "Active", hired_after]]))  # after it
    import_roster(Store(sample_data), exported, today=dt.date.fromisoformat(imported_on))
    assert counts() == (25, 25, 25)
    assert "E0901" in due("2026-09-30") and "E0902" not in due("2026-09-30")
    assert "E0902,Dana Cohen" in due(hired_after)


def test_a_roster_with_a_start_day_is_validated_and_exported_and_an_old_one_reads_as_started(small_org: Path,
                                                                                            capsys):
    assert b"started_on" not in (small_org / "roster.csv").read_bytes()  # an old roster: everyone started
    assert set(_started_on(Store(small_org)).values()) == {""}
    _import(small_org, HIBOB)
    assert main(["--data", str(small_org), "validate"]) == 0
    capsys.readouterr()
    assert main(["--data", str(small_org), "export", "roster", "-o", "-"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("email,started_on")
    assert lines[-1].endswith("dana@example.org,2027-01-04")


def test_someone_who_left_and_starts_again_is_here_from_their_new_start_day(small_org: Path, capsys):
    """A re-hire: the export keeps their earlier termination date beside the new start date, which comes after it;
    before it they are on no team and due for nothing, from it they are here again."""
    _import(small_org, [["Employee ID", "Name", "Manager ID", "Department", "Job Title", "Termination Date",
                         "Hire Date"],
                        ["E003", "Katherine Johnson", "C01", "Research", "Analyst", "2026-06-30", "2027-01-04"]])
    row = Store(small_org).roster().set_index("employee_id").loc["E003"]
    assert pd.isna(row["left_on"]) and row["started_on"].date().isoformat() == "2027-01-04"

    def due(day: str) -> str:
        assert main(["--data", str(small_org), "due", "--as-of", day, "-o", "-", "--format", "csv"]) == 0
        return capsys.readouterr().out

    assert "E003" not in due("2026-12-10")
    assert "E003,Katherine Johnson" in due("2027-01-04")


def test_a_coach_who_has_not_started_is_marked_and_what_happens_to_their_people_is_said(small_org: Path, capsys):
    """Found by a tester: a coach hired to start on 4 Jan 2027 was offered unmarked in the coach picker, and
    `due --coach` listed their people without a word, while a coach who has left is said. Until she starts, her
    people are due as everyone is and another coach meets them: nothing new is started with her as coach."""
    _import(small_org, [HIBOB[0], ["C01", "Grace Hopper", "grace@example.org", "Engineering", "Head of engineering",
                                   "C00", "Hired", "04/01/2027"]])
    h = Harness(small_org)  # on 1 Oct 2026
    start = h.app.start_screen
    assert ("Grace Hopper (C01) · starts 4 Jan", "C01") in start.coach_choice.options  # in the coming year
    start.choose(coach="C01")
    assert start.coach_left_html.layout.display != "none"
    assert ("Grace Hopper (C01) starts on 4 Jan 2027: until then another coach meets their people, or set a coach "
            "who is here on the roster; no new conversation or check-in is started with them as coach before "
            "then.") in start.coach_left_html.value
    team = h.app.show_team("C01")  # her people are here and due as everyone is
    assert [m.employee_id for m in team.members] == ["E001", "E002", "E003"]
    assert ("Their coach Grace Hopper (C01) starts on 4 Jan 2027: until then another coach meets the 3 people below, "
            "or set a coach who is here on the roster.") in team.summary_html.value
    assert not [row for row in team.rows.values() if row.starts]
    start.choose(coach="", view="person")  # all coaches: his page says it (with hers chosen, the start bar does)
    h.app.select_employee("E002")
    assert ("Their coach Grace Hopper (C01) starts on 4 Jan 2027: until then another coach meets Alan Turing, or set "
            "a coach who is here on the roster. Until then no new conversation or check-in is started with them as "
            "coach: to start one, choose the coach meeting Alan Turing under Coach.") in start.employee_html.value
    assert start.start_button.layout.display == "none"
    start.choose(coach="C02")  # another coach meets him
    assert start.start_button.layout.display != "none"
    assert main(["--data", str(small_org), "due", "--as-of", "2026-10-01", "--coach", "C01"]) == 0
    captured = capsys.readouterr()
    assert "E002" in captured.out
    assert ("coach C01 (Grace Hopper) starts on 4 Jan 2027: until then another coach meets their 3 people listed "
            "here (or set a coach who is here on the roster)") in captured.err
    assert main(["--data", str(small_org), "due", "--as-of", "2027-01-04", "--coach", "C01"]) == 0
    assert "Grace Hopper" not in capsys.readouterr().err  # from her first day she is their coach like any other

def test_the_coach_picker_names_a_start_day_of_the_coming_year_by_its_day_and_month(small_org: Path):
    """Found at 400 px: the closed coach picker cut "Théo Lambert (E0020) · starts 4 Feb 20...". A day less than a
    year after the app's day (1 Oct 2026) is the next one of its day and month, so its year is left out of the
    picker (the box below it says the day in full); a day a year or more ahead keeps its year."""
    _import(small_org, [HIBOB[0],
                        ["C01", "Grace Hopper", "", "Engineering", "Head of engineering", "C00", "Hired", "04/01/2027"],
                        ["C02", "Edsger Dijkstra", "", "Research", "Researcher", "C00", "Hired", "30/09/2027"],
                        ["E001", "Ada Lovelace", "", "Engineering", "Engineer", "C01", "Hired", "01/10/2027"]])
    people = RosterIndex(Store(small_org).roster(), day=IMPORT_DAY)
    assert [people.coach_option_label(eid) for eid in ("C01", "C02", "E001", "E002")] == [
        "Grace Hopper (C01) · starts 4 Jan", "Edsger Dijkstra (C02) · starts 30 Sep",
        "Ada Lovelace (E001) · starts 1 Oct 2027", "Alan Turing (E002)"]
    # where the coach is named beside their people, the day keeps its year
    assert people.coach_choice_label("C01") == "Grace Hopper (C01) · starts 4 Jan 2027"
    assert people.coach_away_hint("C01").startswith("Grace Hopper (C01) starts on 4 Jan 2027: ")


def test_a_re_import_that_changes_start_days_names_whose_and_what_it_does(small_org: Path):
    """Found by a tester: a re-import that emptied a start day, or moved it into the past, said only "updated 3",
    and the people were due and on their coach's team at once."""
    first = _import(small_org, HIBOB[:2])  # Alan's day of 2019 read for the first time: no change to speak of
    assert "start day changed" not in first.summary()
    hired = [HIBOB[0], *[[eid, name, "", "Engineering", "Engineer", "C01", "Hired", "04/01/2027"]
                         for eid, name in (("E006", "Dana Cohen"), ("E007", "Eli Roth"), ("E008", "Fay Wong"))]]
    _import(small_org, hired)
    changed = [HIBOB[0], ["E006", "Dana Cohen", "", "Engineering", "Engineer", "C01", "Employed", ""],
               ["E007", "Eli Roth", "", "Engineering", "Engineer", "C01", "Employed", "15/09/2026"],
               ["E008", "Fay Wong", "", "Engineering", "Engineer", "C01", "Hired", "15/02/2027"]]
    result = _import(small_org, changed)
    assert result.updated == 3
    assert ("Note: 3 people's start days changed (none: started long ago): E006 from 4 Jan 2027 to none (here from "
            "this import on), E007 from 4 Jan 2027 to 15 Sep 2026 (here from this import on), E008 from 4 Jan 2027 "
            "to 15 Feb 2027") in result.summary()
    later = [HIBOB[0], ["E007", "Eli Roth", "", "Engineering", "Engineer", "C01", "Hired", "04/01/2027"]]
    assert ("Note: 1 person's start day changed: E007 from 15 Sep 2026 to 4 Jan 2027 (not here until then)"
            ) in _import(small_org, later).summary()  # no "none" in it, so no word on what "none" means
    assert "start day changed" not in _import(small_org, later).summary()  # the same file again changes nothing


class _Writing:
    """An executor that writes a placeholder page for each report asked for, and says each was ``status``."""

    def __init__(self, status: str = "made"):
        self.status = status

    def run(self, settings, template, requests, progress):
        outcomes = []
        for request in requests:
            paths = report_paths(settings.reports_dir, request.employee_id, settings.as_of)
            paths.html.parent.mkdir(parents=True, exist_ok=True)
            paths.html.write_text("<html></html>", encoding="utf-8")
            outcomes.append(ReportOutcome(request.employee_id, request.roster_row["name"], "", self.status, paths))
        return outcomes


def _report_all(root: Path, reports: Path, capsys, *more: str) -> str:
    assert main(["--data", str(root), "report", "--all", "--as-of", "2026-10-01", "-o", str(reports), *more]) == 0
    return capsys.readouterr().out


def _page_text(path: Path) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))).split())


def test_report_all_and_its_index_say_how_many_have_not_started_and_when_the_first_starts(small_org: Path,
                                                                                           tmp_path: Path, capsys,
                                                                                           monkeypatch):
    """Found by a tester: 75 reports for 88 people, and neither the batch's summary nor its index said that 13 had
    not started."""
    _import(small_org, [*HIBOB, ["E007", "Eli Roth", "", "Engineering", "Engineer", "C01", "Hired", "15/02/2027"]])
    monkeypatch.setattr(runner, "LocalExecutor", lambda jobs: _Writing())
    reports = tmp_path / "reports"
    out = _report_all(small_org, reports, capsys)
    said = "2 people on the roster left out: they have not started yet (the first starts on 4 Jan 2027)"
    assert "6 report(s) made" in out and f"failed; {said}; reports in {reports}" in out
    index = reports / "index-2026-10-01.html"
    assert said in _page_text(index)
    assert "E006" not in _page_text(index)
    # Dana's report made when asked for: the day's index lists it, and says the one left out
    assert main(["--data", str(small_org), "report", "E006", "--as-of", "2026-10-01", "-o", str(reports)]) == 0
    assert "left out" not in capsys.readouterr().out  # a batch of one asked for leaves nobody out
    assert "E006" in _page_text(index)
    assert "1 person on the roster left out: they have not started yet (they start on 15 Feb 2027)" \
        in _page_text(index)
    # one more starter, nothing else changed: the index is written again, saying so
    _import(small_org, [HIBOB[0], ["E008", "Fay Wong", "", "Research", "Analyst", "C01", "Hired", "13/12/2026"]])
    monkeypatch.setattr(runner, "LocalExecutor", lambda jobs: _Writing("unchanged"))
    out = _report_all(small_org, reports, capsys)
    said = "2 people on the roster left out: they have not started yet (the first starts on 13 Dec 2026)"
    assert said in out and said in _page_text(index)
    # split into shards and merged, the one index says it too
    monkeypatch.setattr(runner, "LocalExecutor", lambda jobs: _Writing())
    shards = tmp_path / "shards"
    said = "3 people on the roster left out: they have not started yet (the first starts on 13 Dec 2026)"
    for shard in ("1/2", "2/2"):
        assert said in _report_all(small_org, shards, capsys, "--shard", shard)
    assert main(["--data", str(small_org), "report", "--merge-index", "--as-of", "2026-10-01", "-o", str(shards)]) == 0
    assert said in _page_text(shards / "index-2026-10-01.html")


def test_validate_names_a_hand_edited_row_whose_leaving_day_is_on_or_before_its_start_day(small_org: Path, capsys):
    """Found by a tester: a roster row edited by hand to leave on 2026-03-01 and start on 2026-06-01 (here on no
    day) was counted as here in a period spanning both, and `validate` said all was well; the import refuses it."""
    _import(small_org, HIBOB)
    path = small_org / "roster.csv"
    roster = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    roster.insert(len(roster.columns) - 1, "left_on", "")  # as careerconv writes it once someone has left
    edited = {"E002": ("2026-03-01", "2026-06-01"), "E003": ("2026-06-01", "2026-06-01")}
    for eid, (left, start) in edited.items():
        roster.loc[roster["employee_id"] == eid, ["left_on", "started_on"]] = [left, start]
    roster.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    assert main(["--data", str(small_org), "validate"]) == 1
    out = capsys.readouterr().out
    row = 2 + roster.index[roster["employee_id"] == "E002"][0]
    assert (f"roster.csv, row {row}, column 'left_on', value 2026-03-01: the leaving day is on or before the start "
            "day (started_on 2026-06-01), so E002 is here on no day, yet counted in a period spanning both; a "
            "leaving day comes after the start day: correct one of them (for a re-hire, here from the new start "
            "day, empty left_on)") in out
    assert "E003 is here on no day" in out  # leaving on the day they start is no day either
    assert "2 problem(s)" in out
