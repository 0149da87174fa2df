"""Reports that tell the truth (issue 13): missed targets, the whole history, readable charts and PDF.

Histories are built in memory as the store would hand them over, so each test
states the situation it checks: a missed target, a same-day re-rating, seven
plans, an overdue conversation, skill names that try to break the charts.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import itertools
import math
import re

import matplotlib
import pandas as pd
import pytest
from matplotlib.text import Text

from careerconv.records import config
from careerconv.views import plots
from careerconv.rules import progress
from careerconv.surfaces.report import content
from careerconv.surfaces.report import render
from careerconv.surfaces.report.source import load_history
from careerconv.records.schema import new_conversation, new_skill
from careerconv.records.store import History
from colour_vision import texts_below

HOSTILE_NAMES = ("Costs $\\frac{1}{2}$", "snake_case_$x$", "back\\slash \\n", "50% $$ money", "^{up}_{down}")
CJK_SKILL = "跨团队协作 チーム連携"


def conversation(day: str, skills: list[tuple[str, int | None, tuple[int, int, int]]], *, employee: str = "E1",
                 coach: list[int | None] | None = None, items: list[dict] | None = None,
                 saved_at: str | None = None, cadence: int = 12) -> dict:
    record = new_conversation(employee, "C1", dt.date.fromisoformat(day), "career-conversation", "1")
    record.update(status="completed", cadence_months=cadence,
                  follow_up={"mode": "one-on-one", "every_weeks": 4, "note": ""},
                  dreams=[{"rank": i, "text": f"dream {i}"} for i in (1, 2, 3)],
                  action_items=items or [], saved_at=saved_at or f"{day}T10:00:00.000+00:00")
    record["skills"] = []
    for i, (name, rating, targets) in enumerate(skills):
        skill = new_skill(name)
        skill.update(self_rating=rating, targets=dict(zip(("6", "12", "18"), targets)),
                     coach_rating=(coach or [None] * len(skills))[i], ten_looks_like="a ten", approach="practice")
        record["skills"].append(skill)
    return record


def checkin(day: str, ratings: list[tuple[str, int, int | None]], *, employee: str = "E1", conv: str | None = None,
            saved_at: str | None = None, updates: list[dict] | None = None) -> dict:
    return {"checkin_id": f"{employee}-ci-{day.replace('-', '')}", "kind": "checkin", "employee_id": employee,
            "coach_id": "C1", "date": day, "conversation_id": conv, "status": "completed",
            "saved_at": saved_at or f"{day}T15:00:00.000+00:00", "updates": updates or [],
            "ratings": [{"skill": s, "self_rating": r, "coach_rating": c} for s, r, c in ratings]}


def history(conversations: list[dict], checkins: list[dict] = ()) -> History:
    return History({"employee_id": "E1", "name": "Ana Silva", "coach_id": "C1", "department": "Eng",
                    "role": "Dev", "cadence_months": 12}, list(conversations), list(checkins))


def three_skill_plan() -> History:
    """Plan of 1 Sep 2025: Alpha on track, Beta behind, Gamma's 6-month target due and not measured."""
    plan = conversation("2025-09-01", [("Alpha", 4, (6, 7, 8)), ("Beta", 5, (7, 8, 9)), ("Gamma", 3, (5, 6, 7))],
                        coach=[5, 5, 4])
    return history([plan], [
        # 106 days before Gamma's 6-month date (1 Mar 2026): too far to measure it.
        checkin("2025-11-15", [("Gamma", 4, None)], conv=plan["conversation_id"]),
        checkin("2026-02-25", [("Alpha", 5, 6), ("Beta", 5, 6)], conv=plan["conversation_id"]),
    ])


# ---------------------------------------------------------------------------
# what the report says


def test_summary_line_counts_skills_and_missed_targets():
    report_content = content.build_content(three_skill_plan(), "2026-03-20")
    # Next targets are the 12-month ones. Alpha: line 4 -> 7, 5.45 on 25 Feb, rated 5: on track.
    # Beta: line 5 -> 8, 6.45 on 25 Feb, rated 5: behind. Gamma: its 6-month date (1 Mar 2026) has passed and
    # its latest rating (15 Nov) came before that target's window opened: it stands at that target, not measured
    # (it once read "on track", from the rating of 15 Nov against the line to the 12-month target).
    statuses = dict(zip(report_content.current["skill"], report_content.current["status"]))
    assert statuses == {"Alpha": progress.ON_TRACK, "Beta": progress.BEHIND, "Gamma": progress.DUE_NOT_MEASURED}
    gamma = report_content.current.set_index("skill").loc["Gamma"]
    assert (gamma["next_horizon_months"], gamma["next_target"]) == (6, 5)
    counts = content.progress_summary(report_content)
    # Gamma at 6 months: its date (1 Mar 2026) passed 19 days ago with no rating near it, but a rating by
    # 30 April (60 days after the date) still measures it.
    assert counts.skills == 3 and (counts.targets_missed, counts.targets_to_rate) == (0, 1)
    text, alert = render.summary_words(report_content)
    assert text.replace("\u00a0", " ") == ("1 of 3 skills on track, 1 behind, 1 not rated near a target date that "
                                           "has passed; 1 target due and not rated yet (a rating by 30 Apr 2026 "
                                           "still counts)") and alert
    page = str(render.header(report_content))
    assert 'id="summary"' in page and html.escape(text) in page
    assert page.index('id="summary"') < page.index("Report date")  # at the top


def test_a_week_old_plan_is_not_read_as_failing():
    """Found reading a report as a picture: a plan a week old read "0 of 4 skills on track, 4 not rated since the
    conversation", as if every skill had failed, when nothing could have been measured yet."""
    plan = conversation("2026-11-27", [("Alpha", 4, (5, 6, 7)), ("Beta", 5, (6, 7, 8)), ("Gamma", 3, (4, 5, 6)),
                                       ("Delta", 6, (None, 7, 8))])
    report_content = content.build_content(history([plan]), "2026-12-04")
    text, alert = render.summary_words(report_content)
    # Alpha, Beta and Gamma have 6-month targets (27 May 2027), Delta its first at 12 months.
    assert text.replace("\u00a0", " ") == ("4 skills, none rated since the conversation; the first targets are due "
                                           "27 May 2027") and not alert
    assert html.escape(text) in str(render.header(report_content))
    one = content.build_content(history([conversation("2026-11-27", [("Alpha", 4, (5, 6, 7))])]), "2026-12-04")
    assert render.summary_words(one)[0].replace("\u00a0", " ") == ("1 skill, not rated since the conversation; its "
                                                                   "first target is due 27 May 2027")


def test_a_skill_not_rated_since_a_new_plan_says_when_its_first_target_is_due():
    plan = conversation("2026-10-01", [("Alpha", 4, (6, 7, 8)), ("Beta", 5, (None, 7, 8))])
    later = checkin("2026-11-20", [("Alpha", 5, None)], conv=plan["conversation_id"])
    report_content = content.build_content(history([plan], [later]), "2026-12-04")
    text, alert = render.summary_words(report_content)
    # Alpha: line 4 -> 6 by 1 Apr 2027, 4.55 on 20 Nov, rated 5: on track. Beta: first target 1 Oct 2027.
    assert text.replace("\u00a0", " ") == ("1 of 2 skills on track, 1 not rated since the conversation (its first "
                                           "target is due 1 Oct 2027)") and not alert


def test_a_passed_target_with_no_rating_is_flagged_not_called_not_yet_measured():
    plan = conversation("2025-10-06", [("Negotiation", 6, (7, 8, 9))])
    report_content = content.build_content(history([plan]), "2026-10-20")
    rows = content.horizon_rows(report_content)
    assert list(rows["status"]) == [progress.DUE_NOT_MEASURED, progress.DUE_NOT_MEASURED, progress.UPCOMING]
    table = str(render.horizon_table(report_content))
    assert table.count('data-status="due but not measured"') == 2 and "not yet measured" not in table
    # The 6-month date (6 Apr 2026) is more than 60 days past: missed. The 12-month one (6 Oct 2026) is 14 days
    # past: a rating by 5 December still measures it, and the report says by when.
    assert "not yet: a rating by 5\u00a0Dec\u00a02026 counts" in table  # a date never breaks over two lines
    text, alert = render.summary_words(report_content)
    assert text.replace("\u00a0", " ").endswith("; 1 target due but not measured; 1 target due and not rated yet "
                                                "(a rating by 5 Dec 2026 still counts)") and alert
    (data,) = content.skill_chart_data(report_content)
    fig = render.skill_figure(data)
    drawn = [t.get_text() for t in fig.axes[0].texts]
    assert [t for t in drawn if progress.DUE_NOT_MEASURED in t] == [
        f"6-month target: 7\n{progress.DUE_NOT_MEASURED}", f"12-month target: 8\n{progress.DUE_NOT_MEASURED}"]


def test_ratings_are_written_one_way_in_the_targets_table():
    """Found reading a report as a picture: "7" as the target and "7.0" on the plan line beside it. A point on the
    line has a decimal only when it is not whole."""
    plan = conversation("2026-03-02", [("Python", 6, (7, 8, 9)), ("Rust", 4, (6, 7, 8))])
    # Python is rated on its 6-month date (2 Sep 2026): the line is at its target, 7. Rust is rated 46 days before
    # that date, 138 of the 184 days along: 4 + 2 x 138/184 = 5.5.
    later = [checkin("2026-09-02", [("Python", 7, None)], conv=plan["conversation_id"]),
             checkin("2026-07-18", [("Rust", 5, None)], conv=plan["conversation_id"])]
    later[1]["checkin_id"] += "b"
    table = str(render.horizon_table(content.build_content(history([plan], later), "2026-10-01")))
    cells = {skill: re.findall(r'<td class="cc-num"[^>]*>([^<]*)</td>', row)[:2]
             for skill, row in re.findall(r'data-skill="(\w+)" data-horizon="6"[^>]*>(.*?)</tr>', table)}
    assert cells == {"Python": ["7", "7"], "Rust": ["6", "5.5"]}


def test_a_same_day_check_in_re_rating_saved_after_the_conversation_counts():
    plan = conversation("2026-03-02", [("Python", 6, (7, 8, 9))], saved_at="2026-03-02T09:00:00.000+00:00")
    later = checkin("2026-03-02", [("python", 7, None)], conv=plan["conversation_id"],
                    saved_at="2026-03-02T16:30:00.000+00:00")
    report_content = content.build_content(history([plan], [later]), "2026-04-01")
    row = report_content.current.iloc[0]
    assert row["latest_rating"] == 7 and row["baseline"] == 6
    # Saved the other way round, the conversation's rating is the later word.
    earlier = checkin("2026-03-02", [("python", 7, None)], conv=plan["conversation_id"],
                      saved_at="2026-03-02T08:00:00.000+00:00")
    assert content.build_content(history([plan], [earlier]), "2026-04-01").current.iloc[0]["latest_rating"] == 6


def test_every_earlier_plan_is_listed_and_older_ones_are_folded():
    plans = [conversation(f"{2019 + i}-05-0{1 + i % 3}", [(f"Skill {i}", 4, (5, 6, 7)), ("Shared", 5, (6, 7, 8))],
                          cadence=12) for i in range(7)]
    report_content = content.build_content(history(plans), "2026-06-01")
    fragment = str(render.earlier_plans(report_content))
    details = re.findall(r"<details[^>]*>", fragment)
    assert len(details) == 6  # every plan but the current one, none dropped
    assert " open" in details[0] and all(" open" not in d for d in details[1:])
    for i in range(6):
        assert f"Skill {i}" in fragment  # skills only the old plans had are there too
    assert "The 5 older plans are folded" in fragment
    # Newest first.
    days = re.findall(r"Plan of (\d+\u00a0\w+\u00a0\d{4})", fragment)
    assert [pd.Timestamp(d.replace("\u00a0", " ")).year for d in days] == [2024, 2023, 2022, 2021, 2020, 2019]


def test_coach_ratings_are_shown_beside_the_employees_own():
    report_content = content.build_content(three_skill_plan(), "2026-03-10")
    table = str(render.standing(report_content, None))
    assert "Your coach&#x27;s latest rating" in table or "Your coach's latest rating" in table
    alpha = re.search(r"<tr><td[^>]*>Alpha</td>(.*?)</tr>", table).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", alpha)
    assert cells[1].startswith("5 on") and cells[2].startswith("6 on")  # you 5, your coach 6
    gamma = re.search(r"<tr><td[^>]*>Gamma</td>(.*?)</tr>", table).group(1)
    assert re.findall(r"<td[^>]*>(.*?)</td>", gamma)[2].startswith("4 on")  # the coach's rating at the conversation


def test_the_open_items_counted_are_those_listed_and_a_replaced_plans_items_are_neither():
    """Found reading a report as its employee: "4 action items are still open. 16 past their due dates", above a
    table listing 16 open items: the table and the overdue count took every earlier plan's item no check-in ever
    mentioned as still open, while the count (and the due list, and the app's check-in) follow the rule that a
    newer plan replaced them. Now one rule: an earlier plan's item is listed, and counted, only when a check-in
    kept it open."""
    old_items = [{"item_id": "a1", "text": "Never followed up", "due": "2025-03-01", "owner": "employee"},
                 {"item_id": "a2", "text": "Kept going", "due": "2025-04-01", "owner": "employee"},
                 {"item_id": "a3", "text": "Finished", "due": "2025-05-01", "owner": "employee"}]
    first = conversation("2025-01-10", [("Alpha", 4, (5, 6, 7))], items=old_items, cadence=6)
    kept = checkin("2025-03-15", [], conv=first["conversation_id"],
                   updates=[{"conversation_id": first["conversation_id"], "item_id": "a2", "status": "in_progress"},
                            {"conversation_id": first["conversation_id"], "item_id": "a3", "status": "done"}])
    new_items = [{"item_id": "a1", "text": "Late one", "due": "2025-09-01", "owner": "employee"},
                 {"item_id": "a2", "text": "Not yet due", "due": "2027-01-01", "owner": "coach"}]
    second = conversation("2025-07-01", [("Alpha", 5, (6, 7, 8))], items=new_items, cadence=6)
    report_content = content.build_content(history([first, second], [kept]), "2026-03-20")
    current, still_open, closed = content.action_plan_parts(report_content)
    assert list(current["text"]) == ["Late one", "Not yet due"]
    assert list(still_open["text"]) == ["Kept going"]  # the check-in kept it open
    assert sorted(closed["text"]) == ["Finished", "Never followed up"]
    plan_html = str(render.action_plan(report_content))
    assert "Never followed up" not in plan_html and "Kept going" in plan_html
    assert "From earlier plans: 1 done and 1 replaced by a later plan (no check-in followed it up)" in plan_html
    listed_open = plan_html.count('data-status="open"') + plan_html.count('data-status="in-progress"') \
        + plan_html.count('data-status="in_progress"')
    listed_late = plan_html.count('data-overdue="yes"')
    steps = html.unescape(re.sub(r"<[^>]+>", "", str(render.next_steps(report_content))))
    assert f"{listed_open} action items are still open:" in steps and listed_open == 3
    assert f"{listed_late} past their due dates" in steps and listed_late == 2  # "Late one" and "Kept going"
    assert report_content.due["open_action_items"] == listed_open  # what the due list and the app count


@pytest.mark.parametrize("mode, words", [("email", " (by email)"), ("dedicated check-in", " (in dedicated check-ins)"),
                                         ("one-on-one", " (in one-on-ones)"), ("other", "")])
def test_how_the_check_ins_happen_reads_as_english(mode, words):
    """Found reading reports as their employee: "Keep meeting for check-ins in a email every 4 weeks", "Your next
    check-in in a dedicated check-in is due"."""
    plan = conversation("2025-09-01", [("Alpha", 4, (6, 7, 8))], cadence=6)
    plan["follow_up"]["mode"] = mode

    def said(as_of: str) -> str:
        fragment = render.next_steps(content.build_content(history([plan]), as_of))
        return html.unescape(re.sub(r"<[^>]+>", "", str(fragment))).replace("\u00a0", " ")

    assert f"Your next check-in{words} is due on 29 Sep 2025" in said("2025-10-20")
    # the conversation overdue (due 1 Mar 2026): the check-ins go on until it is held
    assert f"Keep up the check-ins every 4 weeks{words} until your next career conversation is held." \
        in said("2026-03-20")
    assert " in a " not in said("2025-10-20") + said("2026-03-20")


def test_overdue_items_are_flagged_and_the_check_in_line_stays_when_the_conversation_is_overdue():
    items = [{"item_id": "a1", "text": "Shadow a peer", "due": "2025-12-01", "owner": "employee"},
             {"item_id": "a2", "text": "Read the book", "due": "2027-01-01", "owner": "employee"},
             {"item_id": "a3", "text": "Book the course", "due": "2025-11-01", "owner": "coach"}]
    plan = conversation("2025-09-01", [("Alpha", 4, (6, 7, 8))], items=items, cadence=6)
    done = checkin("2025-12-15", [], conv=plan["conversation_id"],
                   updates=[{"conversation_id": plan["conversation_id"], "item_id": "a3", "status": "done"}])
    report_content = content.build_content(history([plan], [done]), "2026-03-20")  # conversation was due 1 Mar 2026
    assert report_content.due["conversation_status"] == "overdue"
    assert dict(zip(report_content.items["item_id"], report_content.items["overdue"])) == \
        {"a1": True, "a2": False, "a3": False}
    plan_html = str(render.action_plan(report_content))
    assert 'data-item="a1" data-status="open" data-overdue="yes"' in plan_html
    assert 'data-item="a3" data-status="done" data-overdue="no"' in plan_html
    steps = str(render.next_steps(report_content))
    assert 'id="next-checkin"' in steps and "every 4 weeks" in steps and "15\u00a0Dec\u00a02025" in steps
    assert "1 past its due date" in steps


# ---------------------------------------------------------------------------
# charts: plain text, never overlapping, large enough, one time axis


def chart_texts(fig) -> list[Text]:
    fig.canvas.draw()
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def assert_readable(fig) -> None:
    """No two texts of the figure overlap, none is cut off at its edges, and none is smaller than 11 px at the
    chart's size."""
    texts = chart_texts(fig)
    renderer = fig.canvas.get_renderer()
    boxes = [(t, t.get_window_extent(renderer)) for t in texts]
    page = fig.bbox
    for t, box in boxes:
        inside = box.x0 >= page.x0 - 1 and box.x1 <= page.x1 + 1 and box.y0 >= page.y0 - 1 and box.y1 <= page.y1 + 1
        assert inside, f"{t.get_text()!r} is cut off at the chart's edge ({box} outside {page})"
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        overlap = box_a.x0 < box_b.x1 and box_b.x0 < box_a.x1 and box_a.y0 < box_b.y1 and box_b.y0 < box_a.y1
        assert not overlap, f"{a.get_text()!r} overlaps {b.get_text()!r}"
    for t in texts:
        assert t.get_fontsize() >= plots.MIN_TEXT_POINTS, f"{t.get_text()!r} is {t.get_fontsize()} pt"


def crowded_history() -> History:
    """Targets at 10, a start at 1, ratings every month and measured horizons at the top of the scale."""
    plan = conversation("2025-01-10", [("Top of the scale", 8, (10, 10, 10)), ("From the bottom", 1, (2, 3, 4)),
                                       ("Wobbly", 5, (6, 6, 7))], coach=[8, 1, 5])
    cis = [checkin(f"2025-{m:02d}-12", [("Top of the scale", min(10, 7 + m % 4), 9), ("From the bottom", 1 + m % 3, 2),
                                        ("Wobbly", 4 + m % 4, 5)], conv=plan["conversation_id"])
           for m in range(2, 13)]
    cis += [checkin("2026-01-09", [("Top of the scale", 10, 10), ("From the bottom", 3, 3), ("Wobbly", 6, 6)],
                    conv=plan["conversation_id"])]
    return history([plan], cis)


def report_of(case: str) -> content.ReportContent:
    """The report of one of the chart cases: the sample's richest employee, a crowded plan, hostile skill
    names, or targets due with nothing measured."""
    if case == "sample":
        return content.build_content(load_history(config.SAMPLE_DATA_DIR, "E0007"), "2026-10-01")
    if case == "crowded":
        return content.build_content(crowded_history(), "2026-08-01")
    if case == "hostile":
        plan = conversation("2025-09-01", [(n, 3 + i, (5, 7, 10)) for i, n in enumerate(HOSTILE_NAMES)])
        return content.build_content(history([plan]), "2026-10-01")
    plan = conversation("2025-10-06", [("Negotiation", 6, (7, 8, 9)), ("Ten already", 10, (10, 10, 10))])
    return content.build_content(history([plan]), "2027-06-01")


@pytest.mark.parametrize("case", ["sample", "crowded", "hostile", "missed"])
def test_no_chart_text_overlaps_and_every_text_is_at_least_11_px(case):
    report_content = report_of(case)
    with plots.plain_text():
        for width in (render.CHART_WIDTH, render.NARROW_WIDTH):  # the desktop drawing and the phone's
            assert_readable(render.standing_figure(report_content, width))
            for data in content.skill_chart_data(report_content):
                assert_readable(render.skill_figure(data, width))


@pytest.mark.parametrize("case", ["sample", "crowded", "missed"])
def test_every_text_of_the_report_charts_has_4_5_to_1_contrast_with_its_background(case):
    """WCAG 1.4.3, on the charts the report shows (desktop and phone): the status words named at target dates,
    "as of", the labels, ticks and key. Before: "behind" (#C98400) 3.1:1, "on track" (#009E73) 3.4:1,
    "as of ..." (#7F7F7F) 4.0:1."""
    report_content = report_of(case)
    words = set()
    with plots.plain_text():
        for width in (render.CHART_WIDTH, render.NARROW_WIDTH):
            figures = [render.standing_figure(report_content, width)]
            figures += [render.skill_figure(data, width) for data in content.skill_chart_data(report_content)]
            for fig in figures:
                assert texts_below(fig) == [], width
                words |= {t.get_text() for t in fig.findobj(Text)}
    # status words were drawn, and measured (a missed target's on the last line of its label)
    assert {w.split("\n")[-1] for w in words} & set(progress.STATUSES)


def test_skill_charts_share_one_time_axis():
    report_content = content.build_content(crowded_history(), "2026-08-01")
    limits = {render.skill_figure(data).axes[0].get_xlim() for data in content.skill_chart_data(report_content)}
    assert len(limits) == 1
    lo, hi = (matplotlib.dates.num2date(v).date() for v in limits.pop())
    assert lo < dt.date(2025, 1, 10) and hi > dt.date(2026, 8, 1)  # conversation to the report date


def mark_labels(fig) -> dict[str, tuple[float, float]]:
    """Each label of a mark on a skill chart (a target, the start, "due but not measured"), its words on one
    line: how far they are from their own mark, and from the nearest mark another label names (pixels)."""
    fig.canvas.draw()
    ax, renderer = fig.axes[0], fig.canvas.get_renderer()
    labels = [t for t in ax.texts if t.xycoords == "data"]
    points = [ax.transData.transform(t.xy) for t in labels]

    def distance(point, box) -> float:
        return math.hypot(max(box.x0 - point[0], 0, point[0] - box.x1), max(box.y0 - point[1], 0, point[1] - box.y1))

    found = {}
    for label, own in zip(labels, points):
        box = label.get_window_extent(renderer)
        others = [distance(p, box) for p in points if math.dist(p, own) > 1]
        found[" ".join(label.get_text().split())] = (distance(own, box), min(others))
    return found


def test_each_chart_label_sits_beside_its_own_mark_on_the_phone_and_in_the_pdf():
    """Found reading the HTML report as pictures: on its chart, drawn phone-wide, "due but not measured" sat
    beside the start's diamond and "18-month target: 10" under the 12-month star; the PDF's wider charts had
    them right. A plan of 31 Mar 2026, nothing rated since, read on 4 Dec 2026: the 6-month targets are due."""
    plan = conversation("2026-03-31", [("Presenting to executives", 6, (7, 7, 7)), ("Prospecting", 7, (8, 9, 10))],
                        coach=[5, None])
    report_content = content.build_content(history([plan]), "2026-12-04")
    expected = [{"start: 6", "6-month target: 7 due but not measured", "12-month target: 7", "18-month target: 7"},
                {"start: 7", "6-month target: 8 due but not measured", "12-month target: 9", "18-month target: 10"}]
    with plots.plain_text():
        for width in (render.CHART_WIDTH, render.NARROW_WIDTH):  # as the PDF draws it, and as the HTML does
            for data, words in zip(content.skill_chart_data(report_content), expected):
                found = mark_labels(render.skill_figure(data, width))
                assert set(found) == words
                for text, (own, other) in found.items():
                    assert own < other, (f"{data.skill}, {width} in wide: {text!r} is {own:.0f} px from its own mark "
                                         f"and {other:.0f} px from another")


def svg_text(fragment: str) -> str:
    data = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', fragment).group(1)
    return base64.b64decode(data).decode("utf-8")


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_text_from_the_data_is_drawn_as_plain_text(name):
    plan = conversation("2025-09-01", [(name, 4, (6, 7, 8)), ("Plain", 5, (6, 7, 8))])
    report_content = content.build_content(history([plan]), "2026-03-15")
    # the skill name is a tick label there, wrapped to fit a phone
    standing = svg_text(str(render.standing(report_content)))
    for line in render.narrow_label(name).split("\n"):
        assert html.escape(line, quote=False) in standing
    for fmt in ("svg", "png"):
        render.skill_sections(report_content, fmt, 60)  # must not raise on math-text
    fig = render.standing_figure(report_content)
    with plots.plain_text():
        labels = [t for t in chart_texts(fig) if t.get_text() == name]
    assert labels and all(not t.get_parse_math() for t in labels)


# ---------------------------------------------------------------------------
# PDF: the same content as the HTML, headings kept with what follows, fonts that cover the text


def pdf_pages(report_content) -> list[str]:
    pypdf = pytest.importorskip("pypdf")
    from careerconv.surfaces.report import pdf

    reader = pypdf.PdfReader(io.BytesIO(pdf.pdf_bytes(report_content)))
    return [page.extract_text() for page in reader.pages]


def flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def test_pdf_has_the_same_sections_and_facts_as_the_html():
    plans = [conversation("2023-05-02", [("Old skill", 4, (5, 6, 7))]),
             conversation("2024-05-06", [("Older skill", 4, (5, 6, 7))])]
    items = [{"item_id": "a1", "text": "Shadow a peer", "due": "2025-12-01", "owner": "employee"}]
    plans.append(conversation("2025-09-01", [("Alpha", 4, (6, 7, 8)), ("Beta", 5, (7, 8, 9))], items=items,
                              coach=[5, 6], cadence=6))
    report_content = content.build_content(history(plans), "2026-03-20")
    text = flat(" ".join(pdf_pages(report_content)))
    summary, _ = render.summary_words(report_content)
    assert flat(summary) in text
    for heading in ("Where you stand today", "Your targets, measured at each target date", "Each skill over time",
                    "Your action plan", "What comes next", "Earlier plans", "How to read this report"):
        assert heading in text, heading
    assert "Your coach's latest rating" in text or "Your coach's latest" in text
    assert "Keep up the check-ins" in text and "overdue" in text
    assert "Old skill" in text and "Older skill" in text  # every earlier plan, printed open
    assert text.count(progress.DUE_NOT_MEASURED) >= 2


def test_pdf_keeps_headings_with_what_follows():
    plans = [conversation(f"{2016 + i}-05-02", [(f"Skill {i} {'x' * 20}", 4, (5, 6, 7)) for _ in range(1)]
                          + [("Shared", 5, (6, 7, 8))]) for i in range(10)]
    report_content = content.build_content(history(plans), "2026-06-01")
    headings = {"Your dreams", "Where you stand today", "Your targets, measured at each target date",
                "Each skill over time", "Your action plan", "What comes next", "Earlier plans",
                "How to read this report"}
    for page in pdf_pages(report_content)[:-1]:
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        body = [line for line in lines if "page " not in line]  # the footer
        assert body and body[-1] not in headings, f"a heading is alone at the foot of a page: {body[-1]!r}"
        assert not body[-1].startswith("Plan of "), body[-1]


def test_pdf_wraps_by_width_and_has_the_cjk_glyphs():
    from careerconv.surfaces.report import pdf

    plan = conversation("2025-09-01", [(CJK_SKILL, 4, (6, 7, 8)), ("Wide " + "W" * 60, 5, (6, 7, 8))])
    report_content = content.build_content(history([plan]), "2026-03-15")
    text = " ".join(pdf_pages(report_content))
    assert CJK_SKILL.split()[0] in text.replace(" ", "") and "チーム連携" in text.replace(" ", "")
    families = pdf._font_families(CJK_SKILL)
    assert len(families) > 1, "no CJK font on this machine (Debian: apt-get install fonts-droid-fallback)"

    from matplotlib.backends.backend_pdf import PdfPages

    with PdfPages(io.BytesIO()) as sink:
        page = pdf._Page(sink, "test", families)
        for sample in ("W" * 200, "i" * 200, CJK_SKILL * 20, "a long sentence of words " * 20):
            lines = page.wrap(sample, 3.0, 10)
            assert all(page.width_of(line, 10) <= 3.0 for line in lines)
            assert "".join(lines).replace(" ", "") == sample.replace(" ", "")
        # Narrow letters fit more to a line than wide ones: wrapped by width, not by count.
        assert len(page.wrap("i" * 200, 3.0, 10)) < len(page.wrap("W" * 200, 3.0, 10))


def test_pdf_draws_emoji_in_names_and_dreams_not_empty_boxes():
    """An emoji typed in a dream or a name is drawn with a glyph of a font that has it (Symbola), never with
    the missing-glyph box of one that does not; the text stays copyable."""
    from matplotlib import _text_helpers, font_manager
    from matplotlib.font_manager import FontProperties

    from careerconv.surfaces.report import pdf

    dream = "Lead the team \U0001F31F and celebrate \U0001F44D"
    families = pdf._font_families(dream)
    assert "Symbola" in families, "no emoji font on this machine (Debian: apt-get install fonts-symbola)"
    font = font_manager.get_font(font_manager.fontManager._find_fonts_by_props(FontProperties(family=families)))
    drawn = {item.char: (item.ft_object.family_name, item.glyph_index)
             for item in _text_helpers.layout(dream, font)}
    for emoji in ("\U0001F31F", "\U0001F44D"):
        family, glyph = drawn[emoji]
        assert family == "Symbola" and glyph != 0, f"{emoji!r} drawn by {family} glyph {glyph}"

    plan = conversation("2025-09-01", [("Negotiation", 4, (6, 7, 8))])
    plan["dreams"] = [{"rank": 1, "text": dream}]
    text = " ".join(pdf_pages(content.build_content(history([plan]), "2026-03-15")))
    assert "\U0001F31F" in text and "\U0001F44D" in text


# ---------------------------------------------------------------------------
# the page says what the records say (a reader who knows only the page)


def page_text(report_content) -> str:
    """What a reader sees of the report's sections, top to bottom (charts left out: their text is checked apart)."""
    fragments = (render.header(report_content), render.dreams(report_content), render.standing(report_content, None),
                 render.horizon_table(report_content), *render.skill_sections(report_content, None),
                 render.action_plan(report_content), render.next_steps(report_content),
                 render.earlier_plans(report_content))
    return page_text_of("".join(str(f) for f in fragments if f is not None))


def page_text_of(fragment) -> str:
    """What a reader sees of one fragment of HTML: no style, no tags, entities decoded, spaces collapsed."""
    return flat(html.unescape(re.sub(r"<style.*?</style>|<[^>]+>", " ", str(fragment), flags=re.S)))


def rating_line(fig) -> tuple[list[float], list[float]]:
    """The x (day numbers) and y of the line joining the employee's ratings on a skill chart."""
    (line,) = [line for line in fig.axes[0].get_lines() if line.get_gid() == plots.GID_RATING]
    return list(line.get_xdata()), [float(y) for y in line.get_ydata()]


def test_the_latest_ratings_stand_today_when_the_last_conversation_set_no_targets():
    """Python rated 5, 6, 7 in three conversations; only the first set targets (an imported history)."""
    plans = [conversation("2025-01-15", [("Python", 5, (6, 7, 8))]),
             conversation("2025-07-15", [("Python", 6, (None, None, None))]),
             conversation("2026-01-15", [("Python", 7, (None, None, None))])]
    report_content = content.build_content(history(plans), "2026-12-04")
    text = page_text(report_content)
    assert "No skills and targets yet" not in text and "Plan of 15 Jan 2025" in text  # earlier targets are shown
    standing = page_text_of(render.standing(report_content, None))
    assert "Python 7 7 on 15 Jan 2026" in standing  # at the conversation, latest rating
    assert "no target set in your last career conversation (15 Jan 2026)" in standing
    assert "No targets were set in your last career conversation (15 Jan 2026)" in text
    bars = render.standing_figure(report_content)
    assert [bar.get_width() for bar in bars.axes[0].patches] == [7]
    drawn = [line for line in bars.axes[0].get_lines() if line.get_gid() == plots.GID_NEXT_TARGET]
    assert all(len(line.get_xdata()) == 0 for line in drawn)  # no target mark
    said = [t.get_text() for t in chart_texts(bars)]
    assert "now 7" in said and "Latest rating: no target" in said and not any("month target" in t for t in said)
    # The skill chart's line starts on the axis (the ratings of earlier plans are theirs), at the start of 7.
    (data,) = content.skill_chart_data(report_content)
    fig = render.skill_figure(data)
    low, high = fig.axes[0].get_xlim()
    days, ratings = rating_line(fig)
    assert all(low <= day <= high for day in days) and ratings == [7.0]


def test_a_skill_without_a_target_is_shown_beside_those_with_one_and_counted_apart():
    plan = conversation("2025-09-01", [("Alpha", 4, (6, 7, 8)), ("Beta", 5, (None, None, None))])
    later = checkin("2026-02-25", [("Alpha", 5, None), ("Beta", 6, None)], conv=plan["conversation_id"])
    report_content = content.build_content(history([plan], [later]), "2026-03-20")
    text, _ = render.summary_words(report_content)
    assert text == "1 of 1 skill with a target on track; 1 skill without a target"
    standing = page_text_of(render.standing(report_content, None))
    assert "Alpha 4 5 on 25 Feb 2026" in standing and "Beta 5 6 on 25 Feb 2026" in standing
    assert "no target set in your last career conversation (1 Sep 2025)" in standing


def test_the_chart_ends_at_the_rating_that_counts_as_the_table_does():
    """Two check-ins on one day: 9 saved at 10:00, 3 saved at 09:00 (stored in the other order)."""
    plan = conversation("2026-08-07", [("Public speaking", 6, (7, 8, 8))])
    kept = checkin("2026-11-20", [("Public speaking", 9, 7)], conv=plan["conversation_id"],
                   saved_at="2026-11-20T10:00:00.000+00:00")
    replaced = checkin("2026-11-20", [("Public speaking", 3, 2)], conv=plan["conversation_id"],
                       saved_at="2026-11-20T09:00:00.000+00:00")
    replaced["checkin_id"] += "b"
    report_content = content.build_content(history([plan], [kept, replaced]), "2026-12-04")
    assert "Public speaking 6 9 on 20 Nov 2026 7 on 20 Nov 2026" in page_text_of(render.standing(report_content, None))
    (data,) = content.skill_chart_data(report_content)
    fig = render.skill_figure(data)
    assert rating_line(fig)[1] == [6.0, 9.0]  # from the start to the 9 that counts; the 3 was replaced
    (coach,) = [line for line in fig.axes[0].get_lines() if line.get_gid() == plots.GID_COACH]
    assert [float(y) for y in coach.get_ydata()] == [7.0]


def test_a_first_conversation_in_progress_is_not_one_to_schedule():
    draft = conversation("2026-12-01", [("Python", 5, (6, 7, 8))])
    draft["status"] = "draft"
    report_content = content.build_content(history([draft]), "2026-12-04")
    text = page_text(report_content)
    assert "Next career conversation your first, in progress (started 1 Dec 2026)" in text
    assert "Your first career conversation is in progress: you and your coach started it on 1 Dec 2026" in text
    for said in ("schedule", "has not been held yet"):
        assert said not in text, said
