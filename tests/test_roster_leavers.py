"""People who leave: the roster's ``left_on`` day, read from HR exports, and what each surface does with leavers.

The small organisation of tests/orgs.py: Grace Hopper (C01) coaches Ada Lovelace (E001, who has a conversation
of 2 Mar 2026, next due 2 Sep 2026, and a check-in), Alan Turing (E002) and Katherine Johnson (E003).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import pandas as pd
import pytest

from app_harness import Harness
from test_app import fill_whole_conversation
from careerconv.cli import main
from careerconv.records import leavers
from careerconv.records.importers import FileRejected, import_roster
from careerconv.records.store import Store
from careerconv.surfaces.report import content, render, runner

# The day of an import, given: a leaver by status without a date left then (found: taken from the clock when the
# module was read, it failed the tests run after midnight).
IMPORTED_ON = dt.date(2026, 12, 7)


def _ada_left(root: Path, day: str = "2026-08-03") -> None:
    """Ada Lovelace leaves on ``day``, as an English HR export with a termination date says."""
    path = root.parent / "leaver.csv"
    path.write_text(f"Employee ID,Name,Manager ID,Department,Job Title,Termination Date\n"
                    f"E001,Ada Lovelace,C01,Engineering,Engineer,{day}\n", encoding="utf-8")
    import_roster(Store(root), path)


def _left_on(store: Store) -> dict[str, str]:
    """Each employee's left_on as ISO text ("" for still here)."""
    return {r["employee_id"]: "" if r["left_on"] is None or r["left_on"] != r["left_on"]
            else r["left_on"].date().isoformat() for r in store.roster().to_dict("records")}


# ------------------------------------------------------------------ import


def test_an_english_export_with_a_termination_date_and_a_status_column_imports_leavers(tmp_path: Path):
    path = tmp_path / "workday.csv"
    path.write_text("Employee ID,Legal Name,Manager ID,Department,Job Title,Employment Status,Termination Date\n"
                    "E1,Ann Lee,,Sales,Head,Active,\n"
                    "E2,Bo Chen,E1,Sales,Rep,Terminated,2026-03-03\n"
                    "E3,Cy Diaz,E1,Sales,Rep,Terminated,\n"
                    "E4,Di Eng,E1,Sales,Rep,Active,2099-12-31\n", encoding="utf-8")
    store = Store(tmp_path / "data")
    result = import_roster(store, path, today=IMPORTED_ON)
    assert _left_on(store) == {"E1": "", "E2": "2026-03-03", "E3": "2026-12-07", "E4": "2099-12-31"}
    text = result.summary()
    assert "'Termination Date' as left_on" in text
    assert "left by their employment status without a leaving date: left on 2026-12-07" in text and "(E3)" in text
    assert "have a leaving date still to come: they are here until then (E4)" in text


def test_a_german_export_with_austrittsdatum_and_a_status_column_imports_leavers(tmp_path: Path):
    path = tmp_path / "personio.csv"
    path.write_text("Personalnummer;Vorname;Nachname;Führungskraft;Abteilung;Stelle;Status;Austrittsdatum\n"
                    "P1;Anna;Berg;;Vertrieb;Leitung;Aktiv;\n"
                    "P2;Ben;Kurz;P1;Vertrieb;Verkauf;Ausgetreten;03.03.2026\n"
                    "P3;Cem;Lang;P1;Vertrieb;Verkauf;Ausgetreten;\n", encoding="utf-8")
    store = Store(tmp_path / "data")
    result = import_roster(store, path, today=IMPORTED_ON)
    assert _left_on(store) == {"P1": "", "P2": "2026-03-03", "P3": "2026-12-07"}
    assert "'Austrittsdatum' as left_on" in result.summary() and "'Status' as employment_status" in result.summary()


def test_a_status_that_is_neither_here_nor_left_is_refused_naming_the_row_and_the_values(tmp_path: Path):
    path = tmp_path / "staff.csv"
    path.write_text("Employee ID,Name,Manager ID,Department,Job Title,Status\n"
                    "E1,Ann Lee,,Sales,Head,Active\n"
                    "E2,Bo Chen,E1,Sales,Rep,Actve\n", encoding="utf-8")
    store = Store(tmp_path / "data")
    with pytest.raises(FileRejected) as info:
        import_roster(store, path)
    text = str(info.value)
    assert "row 3, column 'Status', value 'Actve'" in text and "Terminated" in text and "Active" in text
    assert not store.roster_path.exists()  # nothing written


def test_missing_have_left_marks_everyone_not_in_a_full_export_as_left_and_lists_them(small_org: Path, tmp_path,
                                                                                     capsys):
    path = tmp_path / "current-staff.csv"
    path.write_text("Employee ID,Name,Manager ID,Department,Job Title\n"
                    "C01,Grace Hopper,C00,Engineering,Head of engineering\n"
                    "E002,Alan Turing,C01,Engineering,Engineer\n"
                    "E003,Katherine Johnson,C01,Research,Analyst\n", encoding="utf-8")
    assert main(["--data", str(small_org), "import", "roster", str(path)]) == 0
    assert "3 employee(s) already on the roster and not in this file were kept" in capsys.readouterr().out
    assert set(_left_on(Store(small_org)).values()) == {""}  # without the option, nobody left
    began = dt.date.today().isoformat()
    assert main(["--data", str(small_org), "import", "roster", str(path), "--missing-have-left"]) == 0
    out = capsys.readouterr().out
    said = re.search(r"3 employee\(s\) on the roster and not in this file left on (\S+) \(--missing-have-left\): "
                     r"E001, E004, E005", out)
    assert said and said[1] in {began, dt.date.today().isoformat()}, out  # the day of the import (midnight: either)
    today = said[1]
    assert _left_on(Store(small_org)) == {"C01": "", "E001": today, "E002": "", "E003": "", "E004": today,
                                          "E005": today}


def test_someone_who_comes_back_is_here_again(small_org: Path):
    _ada_left(small_org)
    store = Store(small_org)
    assert _left_on(store)["E001"] == "2026-08-03"
    back = small_org.parent / "rehired.csv"
    back.write_text("Employee ID,Name,Manager ID,Department,Job Title,Status,Exit date\n"
                    "E001,Ada Lovelace,C01,Engineering,Engineer,Active,\n", encoding="utf-8")
    result = import_roster(store, back)
    assert _left_on(store)["E001"] == ""
    assert "who had left are in the file as still here, and are here again (E001)" in result.summary()


def test_an_old_roster_without_the_column_reads_as_everyone_here_and_is_written_back_byte_for_byte(sample_data):
    before = (sample_data / "roster.csv").read_bytes()
    assert b"left_on" not in before
    store = Store(sample_data)
    roster = store.roster()
    assert roster["left_on"].isna().all()  # everyone still here
    store.save_roster(roster)
    assert (sample_data / "roster.csv").read_bytes() == before


# ------------------------------------------------------------------ the coach's app


def test_the_app_no_longer_offers_a_leaver_to_their_coach_but_finds_their_records(small_org: Path):
    _ada_left(small_org)
    h = Harness(small_org, coach_id="C01")
    app, start = h.app, h.app.start_screen
    listed = [b.description for b in start.results.children]
    assert listed == ["Alan Turing · E002", "Katherine Johnson · E003"]  # C01's people still here
    team = app.show_team("C01")
    assert [m.employee_id for m in team.members] == ["E002", "E003"]
    start.search.value = "ada"
    # the day they left, joined to its "·" by no-break spaces, goes whole to a line of its own where it must wrap
    assert [b.description for b in start.results.children] == ["Ada Lovelace · E001 ·\xa0left\xa03\xa0Aug\xa02026"]
    start.results.children[0].click()
    assert "Ada Lovelace left 3 Aug 2026." in start.employee_html.value
    assert "Last conversation 2 Mar 2026</div>" in start.employee_html.value  # not "next due ... overdue"
    assert "Join Toastmasters" in start.glance_html.value  # her plan stays readable
    assert start.actions.layout.display == "none"  # no Start, no Check-in
    with pytest.raises(ValueError, match="left 3 Aug 2026"):
        app.lifecycle.start_conversation()
    assert [c["conversation_id"] for c in Store(small_org).conversations("E001")] == ["E001-20260302"]


# ------------------------------------------------------------------ due and report batches


def test_due_and_its_calendar_skip_a_leaver(small_org: Path, tmp_path: Path, capsys):
    assert main(["--data", str(small_org), "due", "--as-of", "2026-10-01", "-o", "-", "--format", "csv"]) == 0
    assert "E001" in capsys.readouterr().out  # overdue since 2 Sep
    _ada_left(small_org)
    calendar = tmp_path / "team.ics"
    assert main(["--data", str(small_org), "due", "--as-of", "2026-10-01", "-o", "-", "--format", "csv",
                 "--ics", str(calendar)]) == 0
    out = capsys.readouterr().out
    assert "E001" not in out and "E002" in out
    assert "Ada" not in calendar.read_text(encoding="utf-8")


class _Asked(Exception):
    """Raised by :class:`_Recording` once it has the batch's requests."""


class _Recording:
    """An executor that records which reports a batch asks for, and makes none."""

    def run(self, settings, template, requests, progress):
        self.ids = [r.employee_id for r in requests]
        raise _Asked


@pytest.mark.parametrize("asked, made", [(None, ["C01", "E002", "E003", "E004", "E005"]), (["E001"], ["E001"])])
def test_report_all_skips_a_leaver_and_their_report_is_made_when_asked_for(small_org: Path, tmp_path: Path,
                                                                           asked, made):
    _ada_left(small_org)
    executor = _Recording()
    with pytest.raises(_Asked):
        runner.run_batch(small_org, asked, "2026-10-01", reports_dir=tmp_path / "reports", executor=executor)
    assert executor.ids == made


# ------------------------------------------------------------------ found by a hostile test of leavers


def test_an_open_end_of_31_12_9999_is_no_leaving_day_and_a_year_after_2200_is_refused(tmp_path: Path):
    """SAP and Workday write an open-ended employment as ending on 31.12.9999: the import crashed on it ("Casting
    from date32[day] to timestamp[ns] would result in out of bounds timestamp", no row named), and a roster holding
    such a day broke every command."""
    path = tmp_path / "sap.csv"
    path.write_text("Personalnummer;Name;Führungskraft;Abteilung;Stelle;Status;Austrittsdatum\n"
                    "P1;Anna Berg;;Vertrieb;Leitung;Aktiv;31.12.9999\n"
                    "P2;Ben Kurz;P1;Vertrieb;Verkauf;Aktiv;n/a\n"
                    "P3;Cem Lang;P1;Vertrieb;Verkauf;Ausgetreten;31.03.2026\n", encoding="utf-8")
    store = Store(tmp_path / "data")
    import_roster(store, path)
    assert _left_on(store) == {"P1": "", "P2": "", "P3": "2026-03-31"}
    typo = tmp_path / "typo.csv"
    typo.write_text("Employee ID,Name,Manager ID,Department,Job Title,Termination Date\n"
                    "P3,Cem Lang,P1,Vertrieb,Verkauf,2302-03-31\n", encoding="utf-8")
    with pytest.raises(FileRejected, match="row 2, column 'Termination Date', value '2302-03-31'.*after 2200"):
        import_roster(store, typo)
    # A roster edited by hand to hold the open end is read, not a crash of every command.
    roster = store.roster_path.read_text(encoding="utf-8").replace("2026-03-31", "9999-12-31")
    store.roster_path.write_text(roster, encoding="utf-8")
    assert _left_on(Store(store.root)) == {"P1": "", "P2": "", "P3": ""}


def test_a_leavers_report_with_statuses_in_words_never_brings_a_leaver_back(small_org: Path, tmp_path: Path):
    """A 'Status' column of Retired / Resigned was ignored as saying something else, and the file, then saying
    nothing of leaving, brought two leavers back ("are here again")."""
    _ada_left(small_org, "2026-06-30")
    path = tmp_path / "leavers.csv"
    path.write_text("Employee ID,Name,Manager ID,Department,Job Title,Status\n"
                    "E001,Ada Lovelace,C01,Engineering,Engineer,Retired\n"
                    "E002,Alan Turing,C01,Engineering,Engineer,Terminated (Voluntary)\n"
                    "E003,Katherine Johnson,C01,Research,Analyst,Active - Leave of Absence\n", encoding="utf-8")
    import_roster(Store(small_org), path, today=dt.date(2026, 12, 5))
    left = _left_on(Store(small_org))
    assert (left["E001"], left["E002"], left["E003"]) == ("2026-06-30", "2026-12-05", "")
    other = tmp_path / "other-status.csv"  # a Status column that says something else: nobody comes back
    other.write_text("Employee ID,Name,Manager ID,Department,Job Title,Status\n"
                     "E001,Ada Lovelace,C01,Engineering,Engineer,Pending approval\n", encoding="utf-8")
    result = import_roster(Store(small_org), other, today=dt.date(2026, 12, 6))
    assert _left_on(Store(small_org))["E001"] == "2026-06-30" and "whoever had left stays so" in result.summary()


def test_the_same_undated_leaver_imported_again_later_keeps_their_leaving_day(small_org: Path, tmp_path: Path):
    """A leaver by status without a date left on the day of each import: the same file imported in March, June
    and September moved their leaving day each time (and counted them as updated)."""
    path = tmp_path / "leaver.csv"
    path.write_text("Employee ID,Name,Manager ID,Department,Job Title,Status\n"
                    "E001,Ada Lovelace,C01,Engineering,Engineer,Terminated\n", encoding="utf-8")
    import_roster(Store(small_org), path, today=dt.date(2026, 3, 1))
    for day in (dt.date(2026, 6, 1), dt.date(2026, 9, 1)):
        result = import_roster(Store(small_org), path, today=day)
        assert _left_on(Store(small_org))["E001"] == "2026-03-01" and result.unchanged == 1


def test_a_last_working_day_leaves_them_here_on_it(tmp_path: Path):
    """A 'Last Day' column was read as the day they left: someone was no longer offered on their last day."""
    path = tmp_path / "export.csv"
    path.write_text("Employee ID,Name,Manager ID,Department,Job Title,Last Working Day\n"
                    "E1,Ann Lee,,Sales,Head,\n"
                    "E2,Bo Chen,E1,Sales,Rep,2026-03-31\n", encoding="utf-8")
    store = Store(tmp_path / "data")
    import_roster(store, path)
    assert _left_on(store) == {"E1": "", "E2": "2026-04-01"}


def test_a_leaving_day_before_a_conversation_they_had_is_pointed_out(small_org: Path, tmp_path: Path):
    """A leaving day before the person's conversations (a typo in the year) passed without a word, and the HR page
    then dropped those conversations from its counts."""
    path = tmp_path / "leaver.csv"
    path.write_text("Employee ID,Name,Manager ID,Department,Job Title,Termination Date\n"
                    "E001,Ada Lovelace,C01,Engineering,Engineer,2026-01-01\n", encoding="utf-8")
    result = import_roster(Store(small_org), path)
    assert ("1 employee(s) have a conversation or check-in on or after the leaving day in the file; check those days "
            "(E001: left on 2026-01-01, a conversation on 2026-03-02 and a check-in on 2026-04-15)") in result.summary()
    assert "conversation on or after" not in import_roster(Store(small_org), path).summary()  # told once


@pytest.mark.parametrize("rows, why", [
    ("E002,Alan Turing,C01,Engineering,Engineer\n", "would mark 4 of the 6 people here as left"),
    ("E002,Alan Turing,C01,Engineering,Engineer,oops\n", "it imports no row"),
])
def test_missing_have_left_refuses_a_file_that_cannot_be_the_whole_staff(small_org: Path, tmp_path: Path, rows, why):
    """A one-department file with --missing-have-left marked 185 of 200 people as left, as a plain note; a file
    whose only row was rejected (--skip-invalid) marked the whole organisation as left."""
    path = tmp_path / "partial.csv"
    header = "Employee ID,Name,Manager ID,Department,Job Title" + (",Cadence" if "oops" in rows else "")
    path.write_text(header + "\n" + "C01,Grace Hopper,C00,Engineering,Head of engineering" +
                    (",x" if "oops" in rows else "") + "\n" + rows, encoding="utf-8")
    before = Store(small_org).roster_path.read_bytes()
    with pytest.raises(FileRejected, match=why):
        import_roster(Store(small_org), path, missing_have_left=True, skip_invalid=True,
                      rejected_path=tmp_path / "rejected.csv")
    assert Store(small_org).roster_path.read_bytes() == before


# ------------------------------------------------------------------ the HR page


def test_the_hr_figures_count_who_was_here_not_everyone_who_ever_was(sample_data: Path):
    """The HR page counted every leaver as an employee who had no conversation (coverage fell every month for no
    reason) and as overdue. "Who is covered" counts everyone here during the period; who is due (cadence, each
    coach's follow-through) everyone here on the as-of day, as `careerconv due` does."""
    from careerconv import analytics
    from careerconv.analytics.constants import N

    def counts() -> tuple[int, int, int]:
        hr = analytics.hr_aggregates(analytics.load_hr_tables(sample_data, lazy=True), "2026-10-01", k=5)
        return tuple(int(hr[name][N].iloc[0]) for name in ("overview", "cadence_compliance", "coach_follow_through"))

    assert counts() == (24, 24, 24)  # the sample: 24 people, no leavers; the period is 2024 Q4 to 2026 Q3
    roster = (sample_data / "roster.csv").read_text(encoding="utf-8").splitlines()
    left = {"E0002": "2024-06-30", "E0003": "2024-06-30",  # before the period
            "E0004": "2026-05-04",  # during it: covered, but no longer due on the as-of day
            "E0005": "2027-01-31"}  # a known last day after the as-of day: still here
    rows = [roster[0] + ",left_on"] + [f"{line},{left.get(line.split(',')[0], '')}" for line in roster[1:]]
    exported = sample_data.parent / "with-leavers.csv"
    exported.write_text("\n".join(rows) + "\n", encoding="utf-8")
    import_roster(Store(sample_data), exported)
    assert counts() == (22, 21, 21)


def _ada_page(root: Path) -> Harness:
    """The app of C01 on 1 Oct 2026 with Ada's page open, found by her name as a coach finds a leaver."""
    h = Harness(root, coach_id="C01")
    h.app.start_screen.search.value = "ada"
    h.app.start_screen.results.children[0].click()
    return h


def test_a_draft_begun_before_someone_left_is_still_finished_or_discarded_but_nothing_new_is_offered(
        small_org: Path):
    """Found by a tester: a leaver's unfinished conversation (held on their last day) was hidden with every action,
    and nothing said it was there."""
    h = Harness(small_org, coach_id="C01")
    h.on("2026-08-03")  # Ada's last day: a conversation and a check-in begun, neither finished
    app = h.app
    app.select_employee("E001")
    view = app.open_checkin()
    view.items[0].status.value = "done"
    view.back_button.click()
    app.start_conversation()
    fill_whole_conversation(h)
    app.close_conversation()
    _ada_left(small_org, "2026-08-04")

    h = _ada_page(small_org)  # 1 Oct 2026
    app, start = h.app, h.app.start_screen
    assert "Ada Lovelace left 4 Aug 2026." in start.employee_html.value
    assert "can still be finished or discarded" in start.employee_html.value
    assert start.draft_box.layout.display != "none"
    assert "A conversation of 3 Aug 2026 is not finished" in start.draft_html.value
    assert start.start_button.layout.display == "none"  # nothing new
    assert start.checkin_button.layout.display != "none" and start.checkin_button.description == "Resume check-in"
    with pytest.raises(ValueError, match="left 4 Aug 2026"):
        app.lifecycle.start_conversation()

    start.checkin_button.click()
    assert app.checkin_view.items[0].status.value == "done"  # the draft check-in, resumed
    app.checkin_view.save_button.click()
    assert [c["status"] for c in Store(small_org).checkins("E001")] == ["completed", "completed"]
    app.checkin_view.back_button.click()
    start.resume_button.click()
    assert app.screen == "conversation"
    assert app.complete() == [] and h.stored()["status"] == "completed"
    app.close_conversation()
    with pytest.raises(ValueError, match="left 4 Aug 2026"):
        app.open_checkin()  # no draft left: a new check-in is not started


def test_a_leavers_draft_is_discarded_from_their_page(small_org: Path):
    h = Harness(small_org, coach_id="C01")
    h.on("2026-08-03")
    h.app.select_employee("E001")
    h.app.start_conversation()
    h.app.close_conversation()
    _ada_left(small_org, "2026-08-04")
    h = Harness(small_org, coach_id="C01")
    start = h.app.start_screen
    start.search.value = "ada"
    start.results.children[0].click()
    assert start.draft_box.layout.display != "none"  # it was hidden with every action
    start.discard_button.click()
    start.discard_confirm.click()
    assert [c["conversation_id"] for c in Store(small_org).conversations("E001")] == ["E001-20260302"]
    assert start.draft_box.layout.display == "none" and start.actions.layout.display == "none"


def test_a_coach_who_has_left_is_marked_and_their_people_are_said_to_need_a_new_coach(small_org: Path,
                                                                                     capsys):
    """Found by a tester: a coach of 8 left and the picker offered them unmarked; nothing said their people had no
    coach any more."""
    path = small_org.parent / "coach-left.csv"
    path.write_text("Employee ID,Name,Manager ID,Department,Job Title,Termination Date\n"
                    "C01,Grace Hopper,C00,Engineering,Head of engineering,2026-09-01\n", encoding="utf-8")
    import_roster(Store(small_org), path)
    h = Harness(small_org)
    start = h.app.start_screen
    assert ("Grace Hopper (C01) · left 1 Sep 2026", "C01") in start.coach_choice.options
    team = h.app.show_team("C01")
    assert "Their coach Grace Hopper (C01) left 1 Sep 2026: set a new coach for the 3 people below on the " \
           "roster." in team.summary_html.value
    start.choose(coach="", view="person")  # all coaches: his page says it (with hers chosen, the start bar does)
    h.app.select_employee("E002")
    assert "Their coach Grace Hopper (C01) left 1 Sep 2026: set a new coach for Alan Turing on the roster." \
        in start.employee_html.value
    assert main(["--data", str(small_org), "due", "--as-of", "2026-10-01", "--coach", "C01"]) == 0
    captured = capsys.readouterr()
    assert "E002" in captured.out
    assert "coach C01 (Grace Hopper) left on 1 Sep 2026: set a new coach for their 3 people on the roster" \
        in captured.err


def test_a_draft_dated_after_someone_left_is_read_and_discarded_not_continued(small_org: Path):
    """Found by a hostile tester: a conversation with Ada dated 10 Aug 2026, after she had left on 3 Aug (the
    roster learnt it later), was offered to "Pick up where you left off" as if she were here. What it holds is shown
    and it can be discarded; continuing it is refused, on her page and when asked for by its id."""
    h = Harness(small_org, coach_id="C01")
    h.on("2026-08-10")
    h.app.select_employee("E001")
    h.app.start_conversation()
    h.app.go_to("goals")
    h.app.editor("dreams").list.texts[0].value = "Lead the platform team"
    h.app.close_conversation()
    draft = [c for c in Store(small_org).conversations("E001") if c["status"] == "draft"][0]["conversation_id"]
    _ada_left(small_org, "2026-08-03")

    h = _ada_page(small_org)  # 1 Oct 2026
    app, start = h.app, h.app.start_screen
    assert "A draft dated after they left can be discarded, not continued." in start.employee_html.value
    assert "can still be finished" not in start.employee_html.value
    assert start.draft_box.layout.display != "none" and start.resume_button.layout.display == "none"
    text = html.unescape(start.draft_html.value)
    assert ("The conversation of 10 Aug 2026 is dated after Ada Lovelace left 3 Aug 2026: it can be discarded, not "
            "continued (if they are still here, correct their leaving day on the roster).") in text
    assert "It holds 1 dream." in text and "Pick up where you left off" not in text
    for resume in (app.resume_draft, lambda: app.lifecycle.open_conversation(draft)):
        with pytest.raises(ValueError, match="dated after Ada Lovelace left 3 Aug 2026: it can be discarded"):
            resume()
    assert app.screen == "start"
    start.discard_button.click()
    start.discard_confirm.click()
    assert [c["conversation_id"] for c in Store(small_org).conversations("E001")] == ["E001-20260302"]


def test_a_draft_check_in_dated_after_someone_left_is_discarded_not_continued(small_org: Path):
    """Found by testers: a draft conversation dated after its person left could only be discarded, but a draft
    check-in with Ada of 10 Aug 2026, after she had left on 3 Aug (the roster learnt it later), was still offered as
    "Resume check-in" and reopened for typing. Check-ins follow the same rule: her page says why and offers to
    discard it; opening it, from her page or by its id in the page address, is refused."""
    h = Harness(small_org, coach_id="C01")
    h.on("2026-08-10")
    h.app.select_employee("E001")
    view = h.app.open_checkin()
    view.note.value = "Talked about the demo"
    view.back_button.click()
    [draft] = Store(small_org).history("E001").checkin_drafts
    _ada_left(small_org, "2026-08-03")

    h = _ada_page(small_org)  # 1 Oct 2026
    app, start = h.app, h.app.start_screen
    assert "A draft dated after they left can be discarded, not continued." in start.employee_html.value
    assert "can still be finished" not in start.employee_html.value
    assert start.checkin_button.layout.display == "none" and start.actions.layout.display == "none"
    assert start.checkin_draft_box.layout.display != "none"
    assert ("The check-in of 10 Aug 2026 is dated after Ada Lovelace left 3 Aug 2026: it can be discarded, not "
            "continued (if they are still here, correct their leaving day on the roster).") \
        in html.unescape(start.checkin_draft_html.value)
    for resume in (app.open_checkin, lambda: app.checkin_routes.open_named(draft["checkin_id"])):
        with pytest.raises(ValueError, match="check-in of 10 Aug 2026 is dated after Ada Lovelace left 3 Aug 2026"):
            resume()
    assert app.screen == "start"
    assert Store(small_org).history("E001").checkin_drafts[0]["note"] == "Talked about the demo"  # kept until asked

    start.checkin_discard_button.click()
    assert Store(small_org).history("E001").checkin_drafts != []  # asks first
    start.checkin_discard_confirm.click()
    assert Store(small_org).history("E001").checkin_drafts == []
    assert start.checkin_draft_box.layout.display == "none"
    assert [c["status"] for c in Store(small_org).checkins("E001")] == ["completed"]  # her check-in of 15 Apr


def _grace_left(root: Path) -> None:
    """Grace Hopper (C01), the coach of Ada, Alan and Katherine, left on 1 Sep 2026."""
    path = root.parent / "coach-left.csv"
    path.write_text("Employee ID,Name,Manager ID,Department,Job Title,Termination Date\n"
                    "C01,Grace Hopper,C00,Engineering,Head of engineering,2026-09-01\n", encoding="utf-8")
    import_roster(Store(root), path)


def test_a_coach_who_has_left_chosen_in_the_picker_is_said_to_have_left_once_on_their_persons_page(small_org: Path):
    """Found reading the person page: with Grace Hopper, who had left, chosen in the coach picker, Alan Turing's page
    said that she left twice, one box above the other: the start bar's "Grace Hopper (C01) left 1 Sep 2026: their
    people need a new coach on the roster; no new conversation or check-in is started with them as coach." and the
    page's "Their coach Grace Hopper (C01) left 1 Sep 2026: set a new coach for Alan Turing on the roster. Until then
    no new conversation or check-in is started with them as coach: ...". The page now says only what to do for him;
    with all coaches chosen (nothing said above it) it says it all, once."""
    _grace_left(small_org)
    h = Harness(small_org)
    start = h.app.start_screen

    def said() -> str:
        """The words of the start bar's note (when shown) and of the person's page."""
        shown = [w.value for w in (start.coach_left_html, start.employee_html) if w.layout.display != "none"]
        return html.unescape(re.sub(r"<[^>]+>", " ", " ".join(shown)))

    start.choose(coach="C01")
    h.app.select_employee("E002")
    assert said().count("left 1 Sep 2026:") == 1  # the card's "coach Grace Hopper (C01) · left 1 Sep 2026 ·" aside
    assert ('<div class="cc-warn-box cc-coach-left">To start a conversation or check-in with Alan Turing, choose the '
            "coach meeting them under Coach.</div>") in start.employee_html.value
    start.choose(coach="")  # all coaches: nothing is said above the page
    assert said().count("left 1 Sep 2026:") == 1
    assert ("Their coach Grace Hopper (C01) left 1 Sep 2026: set a new coach for Alan Turing on the roster. Until "
            "then no new conversation or check-in is started with them as coach: to start one, choose the coach "
            "meeting Alan Turing under Coach.") in html.unescape(start.employee_html.value)


def test_a_coach_who_has_left_is_the_coach_of_no_new_conversation_or_check_in(small_org: Path):
    """Found by a hostile tester: Grace Hopper, who had left, could be chosen in the coach picker and a conversation
    started with her as coach for Alan Turing (only a note warned). Her people are still shown, to be given a new
    coach; a conversation is started once a coach still here is chosen."""
    h = Harness(small_org)
    h.on("2026-08-20")  # before she left: a conversation with Katherine begun, not finished
    h.app.select_employee("E003")
    h.app.start_conversation()
    h.app.close_conversation()
    _grace_left(small_org)

    h = Harness(small_org)  # 1 Oct 2026
    app, start = h.app, h.app.start_screen
    assert start.coach_choice.options[-1] == ("Grace Hopper (C01) · left 1 Sep 2026", "C01")  # shown, as left
    app.select_employee("E002")  # all coaches: a new conversation would be with his coach on the roster, Grace
    assert start.start_button.layout.display == "none" and start.actions.layout.display == "none"
    assert ("Their coach Grace Hopper (C01) left 1 Sep 2026: set a new coach for Alan Turing on the roster. Until "
            "then no new conversation or check-in is started with them as coach: to start one, choose the coach "
            "meeting Alan Turing under Coach.") in html.unescape(start.employee_html.value)
    with pytest.raises(ValueError, match=r"Grace Hopper \(C01\) left 1 Sep 2026: no new conversation or check-in is "
                                         r"started with them as coach. To start one, choose the coach meeting Alan "
                                         r"Turing under Coach."):
        app.lifecycle.start_conversation()
    assert Store(small_org).conversations("E002") == []

    start.choose(coach="C01")  # her team, to see who needs a new coach: no Start, no Check-in
    # said in full below the picker, whose closed label a phone cuts ("Grace Hopper (C01) · left 1 S")
    assert start.coach_left_html.layout.display != "none"
    assert ("Grace Hopper (C01) left 1 Sep 2026: their people need a new coach on the roster; no new conversation "
            "or check-in is started with them as coach.") in start.coach_left_html.value
    app.select_employee("E001")
    assert start.start_button.layout.display == "none" and start.checkin_button.layout.display == "none"
    with pytest.raises(ValueError, match="no new conversation or check-in is started with them as coach"):
        app.open_checkin()
    team = app.show_team("C01")
    assert start.coach_left_html.layout.display == "none"  # the team view says it
    assert "cc-team-conversation" not in team.rows["E002"].html and "cc-team-checkin" not in team.rows["E001"].html
    assert "Resume draft" in team.rows["E003"].html  # begun with her before she left: it can be finished
    app.select_employee("E003")
    start.resume_button.click()
    assert app.screen == "conversation" and app.record["coach_id"] == "C01"
    app.close_conversation()

    start.choose(coach="", view="person")
    app.select_employee("E002")
    assert start.start_button.layout.display == "none"
    start.choose(coach="C02")  # a coach still here, chosen on his page: Start is offered at once
    assert start.start_button.layout.display != "none" and "coach C02" in start.employee_html.value
    assert "set a new coach for Alan Turing on the roster." in start.employee_html.value  # the roster says Grace
    assert "Until then" not in start.employee_html.value
    assert app.lifecycle.start_conversation()["coach_id"] == "C02"


def _text(page: str) -> str:
    """A page's words as a reader sees them (tags out, entities and non-breaking spaces as spaces)."""
    return " ".join(html.unescape(re.sub(r"<style.*?</style>|<[^>]+>", " ", page, flags=re.S)).split())


def test_a_leavers_own_report_says_they_left_and_that_nothing_is_due(small_org: Path, tmp_path: Path):
    """Found by a tester: the report of someone who had left said when their next conversation and check-in were
    due, and the batch index did not mark them."""
    _ada_left(small_org)
    out = tmp_path / "reports"
    assert main(["--data", str(small_org), "report", "E001", "--as-of", "2026-10-01", "-o", str(out),
                 "--no-pdf"]) == 0
    page = _text((out / "E001" / "progress-2026-10-01.html").read_text(encoding="utf-8"))
    assert "Left 3 Aug 2026 (no next career conversation is due)" in page
    assert "You left on 3 Aug 2026 : no next career conversation or check-in is due." in page  # (a <strong> day)
    assert "is due on" not in page and "Next career conversation" not in page
    assert "Last career conversation 2 Mar 2026" in page and "Join Toastmasters" in page  # her history stays
    index = _text((out / "index-2026-10-01.html").read_text(encoding="utf-8"))
    assert "Ada Lovelace Engineering made now · left 3 Aug 2026" in index


def test_a_report_before_the_leaving_day_still_says_what_is_due(small_org: Path):
    _ada_left(small_org, "2026-12-01")  # a known last day after the report's day: still here then
    ada = content.build_content(Store(small_org).history("E001"), "2026-10-01")
    assert ada.left_on is None
    assert "Your next career conversation is due on" in _text(str(render.next_steps(ada)))


def test_an_item_of_someone_who_left_is_overdue_only_if_it_fell_due_while_they_were_here(small_org: Path):
    """Found reading a leaver's page and report: 'Give a team demo', due 1 May 2026, read "overdue" for ever
    although Ada had left on 15 Apr 2026, before it was due; 'Join Toastmasters', due 1 Apr, is done."""
    _ada_left(small_org, "2026-04-15")
    ada = content.build_content(Store(small_org).history("E001"), "2026-10-01")
    demo = ada.items[ada.items["text"] == "Give a team demo"].iloc[0]
    assert bool(demo["is_open"]) and not bool(demo["overdue"])
    h = Harness(small_org)
    h.on("2026-10-01")
    h.app.select_employee("E001")
    assert "overdue" not in h.app.start_screen.glance_html.value
    _ada_left(small_org, "2026-05-15")  # left after it fell due: overdue it stayed
    ada = content.build_content(Store(small_org).history("E001"), "2026-10-01")
    assert bool(ada.items[ada.items["text"] == "Give a team demo"].iloc[0]["overdue"])
    h = Harness(small_org)
    h.on("2026-10-01")
    h.app.select_employee("E001")
    assert "overdue" in h.app.start_screen.glance_html.value


def test_an_item_is_overdue_only_for_a_due_date_before_its_person_left():
    """The one rule the app, the report and the HR page ask: seen from 1 Oct 2026, an item is overdue for a due date
    before 1 Oct, or before the day its person left if that came first; a last day still to come changes nothing."""
    assert leavers.here_until("2026-10-01") == pd.Timestamp("2026-10-01")
    assert leavers.here_until(dt.date(2026, 10, 1), dt.date(2026, 4, 15)) == pd.Timestamp("2026-04-15")
    assert leavers.here_until("2026-10-01", "2026-12-31") == pd.Timestamp("2026-10-01")
    assert leavers.here_until("2026-10-01", float("nan")) == pd.Timestamp("2026-10-01")
    left = pd.Series(pd.to_datetime([None, "2026-04-15", "2026-12-31"]), index=[7, 8, 9])
    assert leavers.here_until("2026-10-01", left).to_dict() == {7: pd.Timestamp("2026-10-01"),
                                                                8: pd.Timestamp("2026-04-15"),
                                                                9: pd.Timestamp("2026-10-01")}
