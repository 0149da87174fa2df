"""A leaver's progress report is the report as of their last day here (found by a hostile test on the demo
organisation's E0007, who left on 1 May 2026: months later their report read worse than on their last day, called
targets dated after they left "due", and asked for a rating "by 25 Nov 2026"). Read as the employee reads it: the
HTML's words and the PDF's text."""
from __future__ import annotations

import datetime as dt

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

from careerconv.records.store import History  # noqa: E402
from careerconv.views import plots  # noqa: E402
from careerconv.surfaces.report import content, render  # noqa: E402
from test_report_truth import checkin, conversation, flat, page_text, page_text_of, pdf_pages  # noqa: E402

# Words that promise a measurement still to come, or call a target due: never said of a target after leaving.
DUE_WORDS = ("due but not measured", "not yet", "still counts", "upcoming", "not rated near a target date")


def person(left_on: str) -> dict:
    return {"employee_id": "E1", "name": "Zaid Khalil", "coach_id": "C1", "department": "Eng", "role": "Dev",
            "cadence_months": 6, "left_on": left_on}


def zaid(left_on: str = "2026-05-01") -> History:
    """E0007's history: an earlier plan of 2 Apr 2025 (its 12-month target, 2 Apr 2026, was not rated before they
    left: its window was still open; its 18-month target, 2 Oct 2026, comes after) and the plan of 2 Oct 2025,
    whose 6-month targets (2 Apr 2026) were measured on 1 Apr 2026: Design on track, Hiring ahead, Budget behind.
    Its 12- and 18-month targets (2 Oct 2026, 2 Apr 2027) come after they left on 1 May 2026."""
    earlier = conversation("2025-04-02", [("Mentoring", 4, (5, 6, 7))])
    plan = conversation("2025-10-02", [("Design", 4, (6, 8, 8)), ("Hiring", 4, (5, 6, 7)),
                                       ("Budget", 4, (6, 7, 8))], cadence=6)
    ratings = [checkin("2025-10-01", [("Mentoring", 5, None)], conv=earlier["conversation_id"]),
               checkin("2026-04-01", [("Design", 6, None), ("Hiring", 7, None), ("Budget", 4, None)],
                       conv=plan["conversation_id"])]
    return History(person(left_on), [earlier, plan], ratings)


def said(history: History, as_of: str) -> str:
    return page_text(content.build_content(history, as_of))


def summary(history: History, as_of: str) -> str:
    return flat(render.summary_words(content.build_content(history, as_of))[0])


def test_what_was_measured_before_leaving_reads_months_later_as_it_did_on_the_last_day():
    """Before: on 30 Apr 2026 "2 of 3 skills on track (1 ahead), 1 behind"; on 1 Nov 2026 "0 of 3 skills on
    track, 3 not rated near a target date that has passed; 3 targets due and not rated yet (a rating by 1 Dec
    2026 still counts)"; on 1 Jun 2027 "...; 6 targets due but not measured"."""
    history = zaid()
    assert summary(history, "2026-04-30") == ("2 of 3 skills on track (1 ahead), 1 behind; 6 targets dated after "
                                              "you leave on 1 May 2026 will not be measured")
    for later in ("2026-05-01", "2026-11-01", "2027-06-01"):
        assert summary(history, later) == ("As of your last day here (30 Apr 2026): 2 of 3 skills on track "
                                           "(1 ahead), 1 behind; 6 targets dated after you left on 1 May 2026, "
                                           "never measured"), later
    last_day, later = said(history, "2026-04-30"), said(history, "2026-11-01")
    for row in ("Design after 6 months (2 Apr 2026) 6 6 on 1 Apr 2026",
                "Hiring after 6 months (2 Apr 2026) 5 7 on 1 Apr 2026",
                "Budget after 6 months (2 Apr 2026) 6 4 on 1 Apr 2026"):
        assert row in last_day and row in later, row
    assert "Report date 1 Nov 2026" in later  # the report's own date stays the batch's
    assert "the figures in this report are as of your last day here, 30 Apr 2026" in later


def but_the_dropped_skill(text: str) -> str:
    """A report of :func:`zaid` without what it says of Mentoring's 12-month target (2 Apr 2026): due while they were
    here, a skill the plan of 2 Oct 2025 had dropped, it was due and not measured."""
    return text.replace("Mentoring 12 months 6 — ! due but not measured", "").replace("1 due but not measured, ", "")


def test_a_target_dated_after_the_leaving_day_is_never_called_due():
    """Before: "after you left" beside "due but not measured", "not yet: a rating by 1 Dec 2026 counts" and "3
    targets due and not rated yet"; an earlier plan's target after the leaving day "due but not measured"."""
    history = zaid()
    for as_of in ("2026-11-01", "2027-06-01"):
        text = said(history, as_of)
        for words in DUE_WORDS:
            assert words not in but_the_dropped_skill(text), (as_of, words)
        assert "Design after 12 months (2 Oct 2026) 8 — — after you left" in text
        assert "Budget after 18 months (2 Apr 2027) 8 — — after you left" in text
        assert "Mentoring 18 months 7 — after you left" in text  # the earlier plan's, dated 2 Oct 2026
        # due on 2 Apr 2026 while they were here, a skill the plan of 2 Oct 2025 had dropped: not theirs to rate
        # when they left (tests/test_report_reader_words.py)
        assert "Mentoring 12 months 6 — ! due but not measured" in text
        assert "Plan of 2 Apr 2025: 1 on track, 1 due but not measured, 1 after you left" in text


def test_the_pdf_says_what_the_page_says():
    text = flat(" ".join(pdf_pages(content.build_content(zaid(), "2026-11-01"))))
    text = text[:text.index("How to read this report")]  # the report's figures, not its glossary
    assert ("As of your last day here (30 Apr 2026): 2 of 3 skills on track (1 ahead), 1 behind; 6 targets dated "
            "after you left on 1 May 2026, never measured") in text
    for words in DUE_WORDS:
        assert words not in but_the_dropped_skill(text), words
    assert "Budget after 18 months (2 Apr 2027) 8 — — after you left" in text
    assert "Mentoring 12 months 6 — ! due but not measured" in text
    assert "Left: 1 May 2026 (no next career conversation is due); the figures in this report are as of your last " \
           "day here, 30 Apr 2026" in text


def test_someone_who_left_on_the_report_day_is_not_told_their_first_targets_are_due():
    """Before: left on 1 Oct 2026, the report of that day said "the first targets are due 1 Jan 2027"."""
    plan = conversation("2026-07-01", [("Design", 4, (5, 6, 7)), ("Hiring", 4, (5, 6, 7))])
    report_content = content.build_content(History(person("2026-10-01"), [plan], []), "2026-10-01")
    text = page_text(report_content)
    assert "due 1 Jan 2027" not in text
    assert ("As of your last day here (30 Sep 2026): 2 skills, none rated since the conversation; 6 targets dated "
            "after you left on 1 Oct 2026, never measured") in text
    assert "You left on 1 Oct 2026" in text
    pdf_text = flat(" ".join(pdf_pages(report_content)))
    assert "due 1 Jan 2027" not in pdf_text and "You left on 1 Oct 2026" in pdf_text


@pytest.mark.parametrize("reader", ["html", "pdf"])
def test_a_leaving_day_still_to_come_is_said_and_nothing_after_it_is_due(reader):
    """Before: leaving on 30 Nov 2026, the report of 1 Oct 2026 did not say so, said "the first targets are due
    1 Dec 2026" and "Your next career conversation is due on 1 Dec 2026"."""
    plan = conversation("2026-06-01", [("Design", 4, (5, 6, 7))], cadence=6)
    report_content = content.build_content(History(person("2026-11-30"), [plan], []), "2026-10-01")
    text = page_text(report_content) if reader == "html" else flat(" ".join(pdf_pages(report_content)))
    text = text.replace("Leaving:", "Leaving")  # the PDF's facts read "label: value"
    assert "Leaving 30 Nov 2026, so your last day here is 29 Nov 2026: targets dated from 30 Nov 2026 on will " \
           "not be measured" in text
    assert "1 skill, not rated since the conversation; 3 targets dated after you leave on 30 Nov 2026 will not " \
           "be measured" in text
    assert "Design after 6 months (1 Dec 2026) 5 — — after you leave" in text
    assert "first target is due" not in text and "is due on 1 Dec 2026" not in text
    assert "Your next career conversation would be due on 1 Dec 2026, after you leave: none is due before you leave." \
        in text.replace(" ,", ",")


def test_the_last_day_here_is_the_day_before_the_leaving_day():
    from careerconv.records import leavers

    assert leavers.last_day_here("2026-10-01", "2026-05-01") == pd.Timestamp("2026-04-30")
    assert leavers.last_day_here("2026-10-01", "2026-10-01") == pd.Timestamp("2026-09-30")  # left on the day
    assert leavers.last_day_here("2026-10-01", "2026-11-30") == pd.Timestamp("2026-10-01")  # still here
    assert leavers.last_day_here("2026-10-01", None) == pd.Timestamp("2026-10-01")


@pytest.mark.parametrize("width", [render.CHART_WIDTH, render.NARROW_WIDTH])
def test_a_leavers_charts_end_with_their_last_day(width):
    """Before: the charts of the report of 1 Nov 2026 ran to Dec 2026, the report date's line months after the
    last rating, the 12-month stars of 2 Oct 2026 labelled "due but not measured"."""
    with plots.plain_text():
        for data in content.skill_chart_data(content.build_content(zaid(), "2026-11-01")):
            fig = render.skill_figure(data, width)
            fig.canvas.draw()
            ax = fig.axes[0]
            end = matplotlib.dates.num2date(ax.get_xlim()[1]).date()
            assert dt.date(2026, 4, 30) < end < dt.date(2026, 6, 15), end
            words = [" ".join(t.get_text().split()) for t in ax.texts]
            assert "as of 30 Apr 2026" in words
            assert not any("due but not measured" in w for w in words), words


@pytest.mark.parametrize("reader", ["html", "pdf"])
def test_where_a_leaver_stands_says_it_is_their_last_day_not_today(reader):
    """Before: under "Where you stand today", the report of 1 Nov 2026 of someone who left on 1 May 2026 showed
    their ratings of April with nothing beside the chart saying it was not today (found reading E0034's report,
    who left in July, on 6 Dec)."""
    report_content = content.build_content(zaid(), "2026-11-01")
    text = (page_text_of(render.standing(report_content, None)) if reader == "html"
            else flat(" ".join(pdf_pages(report_content))))
    assert "Your last day here was 30 Apr 2026 (you left on 1 May 2026): your latest ratings are those up to " \
           "then." in text
    if reader == "pdf":  # the heading above it (tests/test_report_reader_words.py: the notebook's)
        assert "Where you stood on your last day here Each skill's latest rating" in text
    still_here = content.build_content(zaid("2026-12-01"), "2026-11-01")
    assert "last day here" not in page_text_of(render.standing(still_here, None))


def test_the_chart_key_names_the_hollow_star_only_when_a_chart_draws_one():
    """Before: every leaver's key said "☆ a target after you left: never measured", though their charts end with
    their last day and draw no such star (E0034, who left on 15 Jul 2026, and E0052, leaving on 6 Jan 2027)."""
    key = "a target after you left: never measured"
    gone = content.build_content(zaid(), "2026-11-01")
    assert key not in page_text(gone)
    for data in content.skill_chart_data(gone):  # what the key describes: no chart draws a hollow star
        ax = render.skill_figure(data).axes[0]
        assert not any(line.get_gid() == plots.GID_AFTER_LEAVING for line in ax.get_lines()), data.skill
    # Design's 12-month target (29 Dec 2026, after leaving on 6 Dec) was measured on 20 Nov, so the charts run to
    # it, and Hiring's, never measured, is drawn hollow there: the key names it.
    plan = conversation("2025-12-29", [("Design", 4, (5, 6, 7)), ("Hiring", 4, (5, 6, 7))])
    rated = checkin("2026-11-20", [("Design", 6, None)], conv=plan["conversation_id"])
    shown = content.build_content(History(person("2026-12-06"), [plan], [rated]), "2026-12-06")
    assert "Hiring after 12 months (29 Dec 2026) 6 — — after you left" in page_text(shown)
    assert key in page_text(shown)
    (hiring,) = [d for d in content.skill_chart_data(shown) if d.skill == "Hiring"]
    assert plots.GID_AFTER_LEAVING in {line.get_gid() for line in render.skill_figure(hiring).axes[0].get_lines()}


@pytest.mark.parametrize("width", [render.CHART_WIDTH, render.NARROW_WIDTH])
def test_the_standing_chart_says_a_target_after_leaving_will_never_be_measured(width):
    """Before: the bar chart marked "12-month target 8" beside a bar "now 6 · on track" with nothing saying that
    target came after they left, while the table below said "8, dated 2 Oct 2026, after you left" (E0034)."""
    gone = content.build_content(zaid(), "2026-11-01")
    fig = render.standing_figure(gone, width)
    fig.canvas.draw()
    words = sorted(" ".join(t.get_text().split()) for t in fig.axes[0].texts if "target" in t.get_text())
    assert words == ["12-month target 6, after you left", "12-month target 7, after you left",
                     "12-month target 8, after you left"], words
    for label in fig.axes[0].texts:  # every label inside the picture
        box = label.get_window_extent()
        assert box.x0 >= 0 and box.x1 <= fig.bbox.x1, label.get_text()
    still_here = content.build_content(zaid("2027-12-01"), "2026-11-01")
    fig = render.standing_figure(still_here, width)
    assert not any("after you" in t.get_text() for t in fig.axes[0].texts)


def test_the_chart_note_says_where_the_last_day_is_when_the_charts_run_past_it():
    """Before: "the charts end with your last day here, 5 Dec 2026" above charts running to Jan 2027 (E0060, who
    left on 6 Dec: a 12-month target of 29 Dec 2026 was measured on 30 Oct, while they were here)."""
    plan = conversation("2025-12-29", [("Design", 4, (5, 6, 7)), ("Hiring", 4, (5, 6, 7))])
    rated = checkin("2026-11-20", [("Design", 6, None)], conv=plan["conversation_id"])
    shown = content.build_content(History(person("2026-12-06"), [plan], [rated]), "2026-12-06")
    text = page_text(shown)
    assert "the dotted line in each chart is your last day here, 5 Dec 2026." in text
    assert "the charts end" not in text
    for data in content.skill_chart_data(shown):
        ax = render.skill_figure(data).axes[0]
        (line,) = [line for line in ax.get_lines() if line.get_gid() == plots.GID_AS_OF]
        assert matplotlib.dates.num2date(line.get_xdata()[0]).date() == dt.date(2026, 12, 5)
        assert matplotlib.dates.num2date(ax.get_xlim()[1]).date() > dt.date(2026, 12, 29)  # the charts run on


def test_a_target_after_leaving_that_was_measured_is_not_called_never_measured():
    """Before: E0060's standing table said "9, dated 29 Dec 2026, after you left" (and the glossary: "so that
    target will never be measured") of the 12-month target the table below measured "9 on 30 Oct 2026 · on
    track", a rating given while they were here."""
    plan = conversation("2025-12-29", [("Design", 4, (5, 6, 7))])
    rated = checkin("2026-11-20", [("Design", 6, None)], conv=plan["conversation_id"])
    shown = content.build_content(History(person("2026-12-06"), [plan], [rated]), "2026-12-06")
    text = page_text(shown)
    assert "Design after 12 months (29 Dec 2026) 6 6 on 20 Nov 2026" in text
    standing = page_text_of(render.standing(shown, None))
    assert "6, dated 29 Dec 2026, measured on 20 Nov 2026" in standing
    assert "after you left" not in standing
    fig = render.standing_figure(shown)
    assert [" ".join(t.get_text().split()) for t in fig.axes[0].texts if "target" in t.get_text()] == [
        "12-month target 6"]


def test_the_days_index_marks_who_is_leaving_as_well_as_who_has_left(small_org, tmp_path):
    """Before: the index of 6 Dec 2026 marked "left 15 Jul 2026" but said nothing of someone leaving on 6 Jan 2027,
    whose report said "Leaving 6 Jan 2027" (E0052)."""
    from careerconv.cli import main
    from test_roster_leavers import _ada_left, _text

    _ada_left(small_org, "2027-01-06")
    out = tmp_path / "reports"
    assert main(["--data", str(small_org), "report", "E001", "--as-of", "2026-12-06", "-o", str(out),
                 "--no-pdf"]) == 0
    index = _text((out / "index-2026-12-06.html").read_text(encoding="utf-8"))
    assert "Ada Lovelace Engineering made now · leaving 6 Jan 2027" in index
    assert main(["--data", str(small_org), "report", "E001", "--as-of", "2027-01-06", "-o", str(out),
                 "--no-pdf"]) == 0
    index = _text((out / "index-2027-01-06.html").read_text(encoding="utf-8"))
    assert "Ada Lovelace Engineering made now · left 6 Jan 2027" in index


def test_someone_who_left_before_their_first_conversation_is_not_told_to_hold_one():
    """Found by a hostile test: a leaver whose conversations all came after their leaving day read "Last career
    conversation: not held yet" and "No dreams recorded yet: they are the first thing you talk about in your career
    conversation", words for someone still to have one."""
    text = said(zaid(left_on="2025-01-01"), "2026-10-01")
    assert "Last career conversation none while you were here" in text
    assert "No career conversation was completed while you were here (you left on 1 Jan 2025), so no dreams were " \
           "recorded." in text
    assert "No skills and targets were set: no career conversation was completed while you were here." in text
    assert "Check-ins since then none " in text
    for words in ("not held yet", "first thing you talk about", "none yet", "they are set in your career"):
        assert words not in text
