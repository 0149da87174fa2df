"""The coach's team view and action items that carry over, driven headless.

The app runs on a manual clock (1 Oct 2026 unless a test moves it), so every
badge, due date and trend below is computed by hand in the comments.
"""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re
from pathlib import Path

import pytest

from careerconv.rules import cadence
from careerconv.rules import progress
from careerconv.surfaces.app import ConversationApp
from careerconv.rules import followup
from careerconv.surfaces.app.team import (TeamMember, TeamRow, badge_html, due_cell_html, load_team, sparkline,
                                          team_members)
from careerconv.records.store import Store

from app_harness import Harness
from orgs import SMALL_ORG_PEOPLE, ada_checkin, checkin, conversation, make_small_org, roster

XSS = "<img src=x onerror=alert(1)>"


def text(markup: str) -> str:
    """What a person reads: tags removed, entities decoded, spaces collapsed."""
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def make_team_org(root: Path) -> Store:
    """Coach C01 has four reports in four different states; C02 has two others."""
    store = Store(root)
    people = [("C01", "Grace Hopper", "C00", 12), ("E001", "Ada Lovelace", "C01", 6),
              ("E002", "Alan Turing", "C01", 12), ("E005", "Barbara Liskov", "C01", 6),
              ("E006", "Donald Knuth", "C01", 6), ("E003", "Katherine Johnson", "C02", 6),
              ("E004", "Edsger Dijkstra", "C02", 12)]
    store.save_roster(roster((e, n, c, "Engineering", "Engineer", m) for e, n, c, m in people))
    # Ada: agreed next conversation 2 Sep 2026 -> on 1 Oct overdue by 29 days.
    store.save_conversation(conversation(
        "E001", "2026-03-02", next_due="2026-09-02", every_weeks=2,
        skills=[("Public speaking", 4, (5, 6, 7))],
        items=[("a1", "Join Toastmasters", "2026-04-01"), ("a2", f"Give a team demo {XSS}", "2026-05-01")]))
    store.save_checkin(ada_checkin())
    # Alan: never met.
    # Barbara: 20 Apr 2026 + 6 months = 20 Oct 2026 -> due soon, in 19 days.
    store.save_conversation(conversation("E005", "2026-04-20", skills=[("Negotiation", 3, (5, 6, 7))],
                                         items=[("a1", "Read a negotiation book", None)]))
    store.save_checkin(checkin("E005", "2026-09-20", "E005-20260420", updates=[("a1", "open", "")],
                               ratings=[("Negotiation", 3)]))
    # Donald: 31 Aug 2026 + 6 months = 28 Feb 2027 (scheduled), but a check-in every 4 weeks
    # was agreed: 31 Aug + 28 days = 28 Sep 2026 -> the check-in is overdue by 3 days. A draft of 30 Sep.
    store.save_conversation(conversation("E006", "2026-08-31", every_weeks=4, skills=[("Writing", 6, (7, 8, 9))],
                                         items=[("a1", "Write a chapter", "2026-12-01")]))
    store.save_conversation(conversation("E006", "2026-09-30", status="draft"))
    # C02's people must never show in C01's team.
    store.save_conversation(conversation("E003", "2026-01-10", coach="C02", skills=[("Statistics", 7, (8, 8, 9))],
                                         items=[("a1", "Teach a statistics course", None)]))
    store.refresh()
    return store


@pytest.fixture
def team_org(tmp_path: Path) -> Path:
    root = tmp_path / "org"
    make_team_org(root)
    return root


# --------------------------------------------------------------------------- the team view


def _start_view(app):
    """The one view of the start screen below its bar that is shown (the others stay on the page, hidden)."""
    shown = [w for w in app.start_screen.widget.children[1:] if w.layout.display != "none"]
    assert len(shown) == 1, shown
    return shown[0]


def test_choosing_a_coach_offers_the_team_view(team_org: Path):
    app = Harness(team_org).app
    assert app.start_screen.view_choice.layout.display == "none" and app.start_screen.team_hint.layout.display != "none"
    app.start_screen.coach_choice.value = "C01"
    assert app.start_screen.view_choice.layout.display != "none" and app.start_screen.team_hint.layout.display == "none"
    assert _start_view(app) is app.start_screen.person_view and not app.team.rows  # nothing is read until asked
    app.start_screen.view_choice.value = "team"
    assert _start_view(app) is app.team.widget
    assert list(app.team.rows) == ["E001", "E006", "E002", "E005"]
    app.start_screen.coach_choice.value = ""  # all coaches: no single team to show
    assert app.start_screen.view_choice.value == "person" and _start_view(app) is app.start_screen.person_view
    assert app.errors.text == ""


def test_team_rows_show_badges_dates_items_and_trends_computed_by_hand(team_org: Path):
    app = Harness(team_org).app
    team = app.show_team("C01")
    by_id = {m.employee_id: m for m in team.members}
    # most urgent first: overdue by most days, overdue, never met, due soon
    assert [m.employee_id for m in team.members] == ["E001", "E006", "E002", "E005"]

    ada = by_id["E001"]
    assert (ada.status, ada.due_for, ada.days_overdue) == (cadence.OVERDUE, cadence.CONVERSATION, 29)
    assert ada.next_conversation_due == "2026-09-02" and ada.last_conversation == "2026-03-02"
    assert ada.next_checkin_due is None  # the conversation itself is overdue: no check-in is listed
    assert [(i.item_id, i.status, i.completed_on) for i in ada.items] == [
        ("a1", "done", "2026-04-15"), ("a2", "in_progress", None)]
    # Public speaking: baseline 4 on 2 Mar, 5 on 15 Apr. The 6-month target (5 by 2 Sep) has passed with no
    # rating since its window opened (60 days before, 4 Jul): that is where the skill stands, due and not measured
    # (a rating at the next one-on-one measures it). It once read "ahead", from 15 Apr's 5 against the line to
    # the 12-month target.
    (speaking,) = ada.skills
    assert (speaking.latest, speaking.latest_date, speaking.status) == (5, "2026-04-15", progress.DUE_NOT_MEASURED)
    assert (speaking.next_target, speaking.next_horizon_months, speaking.next_horizon_date) == (5, 6, "2026-09-02")
    assert speaking.ratings == (("2026-03-02", 4), ("2026-04-15", 5)) and speaking.spark == sparkline([4, 5])

    donald = by_id["E006"]
    assert (donald.status, donald.due_for, donald.days_overdue) == (cadence.OVERDUE, cadence.CHECKIN, 3)
    assert donald.next_conversation_due == "2027-02-28" and donald.conversation_status == cadence.SCHEDULED
    assert donald.next_checkin_due == "2026-09-28" and donald.draft_date == "2026-09-30"
    assert donald.skills[0].status == progress.UPCOMING  # nothing rated since the conversation, target still ahead

    alan = by_id["E002"]
    assert (alan.status, alan.days_overdue, alan.last_conversation, alan.has_plan) == (cadence.NEVER_MET, None, None,
                                                                                       False)

    barbara = by_id["E005"]
    assert (barbara.status, barbara.next_conversation_due) == (cadence.DUE_SOON, "2026-10-20")
    # Negotiation: 3 on 20 Apr, target 5 by 20 Oct (183 days); on 20 Sep (153 days in) the line is at
    # 3 + 2 * 153/183 = 4.67 and the rating is still 3: behind.
    assert (barbara.skills[0].status, barbara.skills[0].next_target) == (progress.BEHIND, 5)
    assert [i.status for i in barbara.open_items] == ["open"]

    # what the coach reads in each row
    rows = {eid: team.row(eid) for eid in by_id}
    assert text(rows["E001"].due_html).startswith("Overdue · 29 days Due 2 Sep 2026 Last held 2 Mar 2026")
    assert text(rows["E006"].due_html).startswith("Check-in overdue · 3 days Due 28 Feb 2027")
    assert "Check-in due 28 Sep 2026 (overdue)" in text(rows["E006"].due_html)
    assert "draft of 30 Sep 2026" in text(rows["E006"].due_html)
    assert text(rows["E002"].due_html) == "Never met First conversation to hold"
    assert text(rows["E005"].due_html).startswith("Due soon · in 19 days Due 20 Oct 2026")
    items = text(rows["E001"].items_html)
    assert items.startswith("1 open · 1 overdue · 1 done")  # a2 was due 1 May
    assert "Done on 15 Apr 2026" in items and "In progress since 15 Apr 2026" in items
    skills = text(rows["E001"].skills_html)
    assert "Public speaking" in skills and "5 →5" in skills and "due but not measured" in skills
    assert "cc-trend-behind" in rows["E005"].skills_html
    assert (rows["E006"].conversation_label, rows["E002"].conversation_label) == (
        "Resume draft", "Start conversation")
    assert rows["E002"].checkin_label is None and "cc-team-checkin" not in rows["E002"].html  # no plan yet
    summary = text(team.summary_html.value)
    assert "Team of Grace Hopper (C01)" in summary and "4 people" in summary
    assert "2 overdue" in summary and "1 never met" in summary and "1 due soon" in summary
    # user text is escaped everywhere in the view
    assert XSS not in rows["E001"].items_html and htmllib.escape(XSS) in rows["E001"].items_html


def test_one_click_opens_a_checkin_resumes_a_draft_or_starts_a_conversation(team_org: Path):
    h = Harness(team_org)
    app = h.app
    team = app.show_team("C01")

    team.click("E001", "checkin")
    assert app.screen == "checkin" and app.checkin_view.employee["employee_id"] == "E001"
    assert [r.item.item_id for r in app.checkin_view.items] == ["a2"]
    app.checkin_view.items[0].status.value = "done"
    app.checkin_view.save_button.click()
    app.checkin_view.back_button.click()
    assert app.screen == "start" and _start_view(app) is app.team.widget
    # the team view was read again: the item done a moment ago is there, with today's date
    ada = next(m for m in app.team.members if m.employee_id == "E001")
    assert [(i.item_id, i.completed_on) for i in ada.items] == [("a1", "2026-04-15"), ("a2", "2026-10-01")]
    assert "Done on 1 Oct 2026" in text(app.team.row("E001").items_html)

    app.team.click("E006", "conversation")
    assert app.screen == "conversation" and app.record["conversation_id"] == "E006-20260930"
    app.close_conversation()
    assert app.screen == "start"

    app.team.click("E002", "conversation")
    assert app.screen == "conversation" and app.record["employee_id"] == "E002"
    stored = h.store.load_conversation("E002", app.record["conversation_id"])
    assert stored["status"] == "draft" and stored["coach_id"] == "C01" and stored["date"] == "2026-10-01"
    app.close_conversation()
    assert app.team.row("E002").conversation_label == "Resume draft"

    app.team.click("E005", "person")  # the name opens the person on the start screen
    assert app.start_screen.view_choice.value == "person" and app.employee["employee_id"] == "E005"
    assert "Read a negotiation book" in app.start_screen.glance_html.value
    assert app.errors.text == ""


def test_the_rows_are_one_widget_whose_buttons_are_real_labelled_buttons_sending_what_was_clicked(team_org: Path):
    app = Harness(team_org).app
    team = app.show_team("C01")
    table = team.table
    assert [eid for eid, _ in table.rows] == ["E001", "E006", "E002", "E005"]
    assert all(html == team.row(eid).html for eid, html in table.rows)
    ada = team.row("E001").html
    # real buttons the keyboard reaches, labelled for a screen reader, each saying what it does
    buttons = re.findall(r"<button ([^>]*)>([^<]*)</button>", ada)
    assert [label for _, label in buttons] == ["Ada Lovelace", "Start conversation", "Check-in"]
    for attrs, _label in buttons:
        assert 'type="button"' in attrs and 'aria-label="' in attrs and "data-cc-action=" in attrs
    assert 'aria-label="Check-in: follow up Ada Lovelace&#x27;s plan"' in ada
    assert "<button" not in team.row("E002").html.split("cc-team-actions")[1].split("Start conversation")[1]

    # what the page sends on a click, as the kernel receives it
    table._message(table, {"action": "checkin", "employee_id": "E001"}, [])
    assert app.screen == "checkin" and app.checkin_view.employee["employee_id"] == "E001"
    app.checkin_view.back_button.click()
    assert app.screen == "start" and app.errors.text == ""

    # a message no button sends: said in the banner, nothing opened
    table._message(table, {"action": "checkin", "employee_id": "E002"}, [])  # Alan has no plan: no check-in button
    assert app.screen == "start" and "no plan to follow up" in app.errors.text
    table._message(table, {"action": "delete", "employee_id": "E001"}, [])
    assert app.screen == "start" and "no button &#x27;delete&#x27;" in app.errors.text
    table._message(table, {"action": "person", "employee_id": "E003"}, [])  # a report of another coach
    assert app.screen == "start" and "E003&#x27; is not in the team shown" in app.errors.text
    table._message(table, "garbage", [])
    assert app.screen == "start" and app.start_screen.view_choice.value == "team"


def test_a_refresh_sends_only_when_a_row_changed(team_org: Path):
    app = Harness(team_org).app
    team = app.show_team("C01")
    sent = []
    team.table.observe(lambda c: sent.append(c["new"]), "rows")
    app.refresh_team()
    assert sent == []  # nothing changed: nothing is sent to the page
    app.select_employee("E005")
    app.start_conversation()
    app.close_conversation()
    app.show_team()
    assert len(sent) == 1 and "Resume draft" in dict(sent[0])["E005"]


def test_team_view_needs_a_coach_and_lists_only_their_reports(team_org: Path):
    app = Harness(team_org).app
    with pytest.raises(ValueError, match="choose a coach"):
        app.show_team()
    with pytest.raises(ValueError, match="not a coach"):
        app.show_team("E999")
    assert set(app.show_team("C02").rows) == {"E003", "E004"}
    app.show_people()
    assert _start_view(app) is app.start_screen.person_view
    assert load_team(app.store, "NOBODY", dt.date(2026, 10, 1)) == []


def test_a_coach_chosen_up_front_can_open_the_team_and_an_empty_team_says_so(tmp_path: Path):
    root = tmp_path / "org"
    make_team_org(root)
    app = Harness(root, coach_id="C99").app  # a coach nobody reports to (yet)
    team = app.show_team()
    assert team.rows == {} and "Nobody on the roster reports to C99" in team.empty_html.value


def test_the_team_view_reads_records_and_never_writes_the_analytics_cache(team_org: Path):
    before = {p: p.stat().st_mtime_ns for p in (team_org / "derived").rglob("*")}
    h = Harness(team_org)
    # a check-in saved after the cache was built shows at once: the view reads the records
    h.store.save_checkin(checkin("E005", "2026-09-30", "E005-20260420", updates=[("a1", "done", "")]))
    barbara = next(m for m in h.app.show_team("C01").members if m.employee_id == "E005")
    assert barbara.open_items == () and barbara.items[0].completed_on == "2026-09-30"
    assert {p: p.stat().st_mtime_ns for p in (team_org / "derived").rglob("*")} == before


def test_records_after_the_day_of_the_view_do_not_count(team_org: Path):
    store = Store(team_org)
    reports = store.roster().query("coach_id == 'C01'")
    histories = {eid: store.history(eid) for eid in reports["employee_id"]}
    members = {m.employee_id: m for m in team_members(reports, histories, "2026-04-01")}
    # on 1 Apr 2026 Barbara (20 Apr) and Donald (31 Aug) had never met their coach; Ada's check-in was later
    assert members["E005"].status == cadence.NEVER_MET and members["E006"].status == cadence.NEVER_MET
    assert [i.status for i in members["E001"].items] == ["open", "open"]
    with pytest.raises(ValueError):
        team_members(reports, histories, "not a date")


def test_sparkline_and_badges():
    assert sparkline([1, 4, 5, 7, 10]) == "▁▃▄▆█"
    assert sparkline(list(range(1, 11))) == "▄▅▆▆▇█"  # the last six ratings
    assert sparkline([]) == ""
    with pytest.raises(ValueError, match="1-10"):
        sparkline([11])
    member = TeamMember("E1", "A", "", "", cadence.DUE_SOON, cadence.CONVERSATION, 0, "2026-04-01", "2026-10-01",
                        cadence.DUE_SOON, None, None, None, None)
    assert text(badge_html(member, dt.date(2026, 10, 1))) == "Due today"
    assert text(badge_html(member, dt.date(2026, 9, 30))) == "Due soon · in 1 day"
    checkin = TeamMember("E1", "A", "", "", cadence.DUE_SOON, cadence.CHECKIN, 0, "2026-04-01", "2027-04-01",
                         cadence.SCHEDULED, None, "2026-10-05", cadence.DUE_SOON, None)
    assert text(badge_html(checkin, dt.date(2026, 10, 1))) == "Check-in in 4 days"
    late = TeamMember("E1", "A", "", "", cadence.OVERDUE, cadence.CHECKIN, 1, "2026-04-01", "2027-04-01",
                      cadence.SCHEDULED, None, "2026-09-30", cadence.OVERDUE, None)
    assert text(badge_html(late, dt.date(2026, 10, 1))) == "Check-in overdue · 1 day"
    assert "cc-badge-overdue" in badge_html(late, dt.date(2026, 10, 1))


def test_a_row_wraps_only_where_it_stays_readable_and_keeps_a_right_to_left_name_apart():
    """A narrow cell wraps a badge only before its "·" ("Check-in overdue" / "· 80 days") and never splits a day;
    a right-to-left name is isolated, so the id in its tips stays after it."""
    nb = "\u00a0"
    late = TeamMember("E0020", "زيد عبد الرحمن", "Support Specialist", "", cadence.OVERDUE, cadence.CHECKIN, 80,
                      "2026-08-20", "2027-08-20", cadence.SCHEDULED, None, "2026-09-17", cadence.OVERDUE,
                      "2026-12-01", checkin_draft_date="2026-12-02")
    today = dt.date(2026, 12, 6)
    badge = f'<span class="cc-badge cc-badge-overdue">Check-in{nb}overdue ·{nb}80{nb}days</span>'
    assert badge_html(late, today) == badge
    due = due_cell_html(late, today)
    assert f"Due <b>20{nb}Aug{nb}2027</b>" in due and f"Last held 20{nb}Aug{nb}2026" in due
    assert f"Check-in due 17{nb}Sep{nb}2026 (overdue)" in due
    assert f"draft of 1{nb}Dec{nb}2026" in due and f"check-in of 2{nb}Dec{nb}2026 not saved yet" in due
    soon = TeamMember("E1", "A", "", "", cadence.DUE_SOON, cadence.CONVERSATION, 0, "2026-04-01", "2026-10-20",
                      cadence.DUE_SOON, None, None, None, None)
    assert text(badge_html(soon, dt.date(2026, 10, 1))) == "Due soon · in 19 days"
    assert f"Due{nb}soon ·{nb}in{nb}19{nb}days" in badge_html(soon, dt.date(2026, 10, 1))

    row = TeamRow(late, today).html
    name = "\u2068زيد عبد الرحمن\u2069"
    assert f'aria-label="Open {name} (E0020)">{name}</button>' in row
    assert f'aria-label="Resume the conversation with {name} of 1 Dec 2026"' in row
    ada = TeamMember("E1", "Ada Lovelace", "", "", cadence.SCHEDULED, cadence.CONVERSATION, None, None, None,
                     cadence.SCHEDULED, None, None, None, None)
    assert 'aria-label="Open Ada Lovelace (E1)">Ada Lovelace</button>' in TeamRow(ada, today).html  # as typed


def test_a_row_says_whose_a_draft_another_coach_wrote_is_and_its_buttons_resume_it_in_their_name(tmp_path: Path):
    """Found in the team view: Ada moved from Grace Hopper to Edith Clarke with a conversation and a check-in Grace
    left unfinished, and Edith's row of Ada read "draft of 20 Aug 2026", "Resume draft", as if they were hers (her
    page says whose they are). The row says they are Grace's, as the page does, and its buttons' tips that they are
    resumed in Grace's name, which they are; Edith's own draft reads as before."""
    root = tmp_path / "data"
    make_small_org(root)
    grace = Harness(root, coach_id="C01")
    grace.on("2026-08-20")
    grace.leave_unfinished("E001", "Lead the platform team", "Talked about the demo")
    Store(root).save_roster(roster([("C02", "Edith Clarke", "C00", "Research", "Head of research", 12),
                                    *[(e, n, "C02" if e == "E001" else c, d, r, m)
                                      for e, n, c, d, r, m in SMALL_ORG_PEOPLE]]))
    edith = Harness(root, coach_id="C02")
    edith.leave_unfinished("E004", "Prove a program correct")

    team = edith.app.team_routes.show_team("C02")
    ada = team.row("E001")
    assert text(ada.due_html).endswith("draft of 20 Aug 2026 by Grace Hopper (C01) "  # on main: no "by ..."
                                       "check-in of 20 Aug 2026 by Grace Hopper (C01) not saved yet")
    assert (ada.conversation_label, ada.checkin_label) == ("Resume draft", "Resume check-in")
    tips = htmllib.unescape(ada.html)
    assert ('title="Resume the conversation with Ada Lovelace of 20 Aug 2026 by Grace Hopper (C01): it '
            'stays in their name as its coach"') in tips
    assert ('title="Resume the check-in with Ada Lovelace of 20 Aug 2026 by Grace Hopper (C01): it stays '
            'in their name as its coach"') in tips
    own = team.row("E004")
    assert text(own.due_html).endswith("draft of 1 Oct 2026") and " by " not in text(own.due_html)
    assert 'title="Resume the conversation with Edsger Dijkstra of 1 Oct 2026"' in own.html

    team.click("E001", "conversation")  # resumed as the tip says: Grace's draft, in her name
    assert edith.app.record["dreams"][0]["text"] == "Lead the platform team"
    assert edith.app.record["coach_id"] == "C01"


# --------------------------------------------------------------------------- carry-over, end to end


def carry_org(root: Path) -> Store:
    store = Store(root)
    store.save_roster(roster([("C01", "Grace Hopper", "C00", "Engineering", "Head", 12),
                              ("E001", "Ada Lovelace", "C01", "Engineering", "Engineer", 6)]))
    store.save_conversation(conversation(
        "E001", "2026-03-02", next_due="2026-09-02", every_weeks=4, skills=[("Public speaking", 4, (5, 6, 7))],
        items=[("a1", "Join Toastmasters", "2026-04-01"), ("a2", "Give a team demo", "2026-05-01"),
               ("a3", "Attend a conference", "2026-06-01"), ("a4", "Find a mentor", "2026-07-01")]))
    return store


def complete_a_conversation(app: ConversationApp) -> None:
    """Answer what the method asks for through the widgets and complete."""
    app.go_to("goals")
    for box, dream in zip(app.editor("dreams").list.texts, ("Lead a team", "Write a book", "Teach")):
        box.value = dream
    app.go_to("action_plan")
    skills = app.editor("skills")
    skills.input.value = "Public speaking"
    skills.add_button.click()
    card = skills.card("Public speaking")
    card.self_rating.value = 6
    card.ten.value = "A keynote"
    for i, row in enumerate(card.options):
        row.text.value = f"option {i + 1}"
    card.options[0].choose.value = True
    for horizon, value in zip((6, 12, 18), (7, 8, 9)):
        card.target_boxes[horizon].value = value
    app.go_to("next_steps")
    items = app.editor("action_items")
    items.rows[0].text.value = "Give a talk at a meetup"
    items.rows[0].due.value = dt.date(2026, 12, 1)
    items.rows[0].owner.value = "Ada Lovelace"  # Finish asks every action item for an owner
    app.editor("follow_up").mode.value = "one-on-one"
    app.editor("cadence").buttons.value = 6
    assert app.complete() == []


def test_items_carry_over_across_two_checkins_and_a_new_conversation(tmp_path: Path):
    root = tmp_path / "org"
    carry_org(root)
    h = Harness(root, coach_id="C01")
    app = h.app

    # First check-in, 15 Apr: a1 done, a2 under way, a3 dropped with its reason, a4 not touched.
    h.on("2026-04-15")
    app.select_employee("E001")
    view = app.open_checkin()
    rows = {r.item.item_id: r for r in view.items}
    assert list(rows) == ["a1", "a2", "a3", "a4"]
    rows["a1"].status.value = "done"
    rows["a2"].status.value = "in_progress"
    rows["a2"].note.value = "halfway there"
    rows["a3"].status.value = "dropped"
    rows["a3"].reason.value = "No budget this year"
    view.save_button.click()
    assert view.saved is not None
    view.back_button.click()
    glance = text(app.start_screen.glance_html.value)
    assert "Done on 15 Apr 2026" in glance and "Reason: No budget this year" in glance

    # Second check-in, 13 May: only what is not done is followed up; what is done shows when.
    h.on("2026-05-13")
    view = app.open_checkin()
    rows = {r.item.item_id: r for r in view.items}
    assert list(rows) == ["a2", "a4"]
    assert rows["a2"].status.value == "in_progress" and rows["a4"].status.value == "open"
    assert "in progress since 15 Apr 2026" in text(rows["a2"].widget.children[1].value)
    assert "halfway there" in text(rows["a2"].widget.children[1].value)
    assert "still open at the check-in of 15 Apr 2026" in text(rows["a4"].widget.children[1].value)
    closed = text(next(w.value for w in view.widget.children if "cc-checkin-closed" in w._dom_classes))
    assert "Join Toastmasters — Done on 15 Apr 2026" in closed
    assert "Attend a conference — Dropped on 15 Apr 2026 Reason: No budget this year" in closed
    rows["a2"].status.value = "done"
    view.save_button.click()
    view.back_button.click()

    states = {s.item_id: s for s in followup.item_states(h.store.conversations("E001"), h.store.checkins("E001"))}
    assert states["a1"].completed_on == "2026-04-15"  # not moved by the second check-in
    assert states["a2"].completed_on == "2026-05-13"
    assert states["a3"].status == "dropped" and states["a3"].reason == "No budget this year"
    assert states["a3"].dropped_on == "2026-04-15"
    assert states["a4"].status == "open" and states["a4"].updated_on == "2026-05-13"

    # The team view shows the same.
    row = app.show_team().row("E001")
    items = text(row.items_html)
    assert items.startswith("1 open · 2 done")  # a4 is due 1 Jul: not overdue on 13 May
    assert "Done on 15 Apr 2026" in items and "Done on 13 May 2026" in items
    assert "Reason: No budget this year" in items

    # A new career conversation on 7 Sep, opened from the team view: the previous conversation at a
    # glance shows what became of every item of the plan.
    h.on("2026-09-07")
    app.refresh_team().click("E001", "conversation")
    assert app.screen == "conversation"
    previous = next(c for c in app.conversation_screen.widget.children if "cc-previous" in c._dom_classes)
    assert "<summary>Previous conversation (2 Mar 2026)</summary>" in previous.value
    glance = text(previous.value)
    for expected in ("Join Toastmasters", "Done on 15 Apr 2026", "Give a team demo", "Done on 13 May 2026",
                     "Attend a conference", "Reason: No budget this year", "Find a mentor"):
        assert expected in glance
    assert "Find a mentor 1 Jul 2026 overdue Open" in glance
    complete_a_conversation(app)
    app.close_conversation()

    # The next check-in follows up the new plan and the item still open from the old one.
    h.on("2026-09-21")
    view = app.open_checkin()
    assert [(r.item.conversation_id, r.item.item_id, r.item.carried_over) for r in view.items] == [
        (app.record["conversation_id"], "a1", False), ("E001-20260302", "a4", True)]
    assert "carried over from the conversation of 2 Mar 2026" in text(view.items[1].widget.children[1].value)
    view.back_button.click()
    glance = text(app.start_screen.glance_html.value)
    assert "Find a mentor (carried over from 2 Mar 2026)" in glance
    ada = app.show_team().members[0]
    assert [(i.text, i.carried_over) for i in ada.open_items] == [
        ("Give a talk at a meetup", False), ("Find a mentor", True)]
    assert app.errors.text == ""
