"""The progress report read as its employee reads it (found on the demo organisation's E0042, who left on 10 Sep
2026, and E0029, whose targets passed unmeasured): a target after the leaving day, the labels of the skill charts,
and the PDF's sentences and group headings."""
from __future__ import annotations

import datetime as dt
import html
import io
import re

import matplotlib
import pytest

matplotlib.use("Agg")

from careerconv.rules import progress  # noqa: E402
from careerconv.views import plots  # noqa: E402
from careerconv.records.store import History  # noqa: E402
from careerconv.surfaces.report import content, render  # noqa: E402
from test_report_truth import checkin, conversation, flat, page_text, page_text_of, pdf_pages  # noqa: E402


def leaver() -> content.ReportContent:
    """E0042's plan as the demo has it: set on 6 Oct 2025 (targets on 6 Apr 2026, 6 Oct 2026, 6 Apr 2027), rated
    until 7 Sep 2026; they left on 10 Sep 2026 and the report is of 1 Oct 2026. Compensation design's 12- and
    18-month targets come after they left and were never measured."""
    plan = conversation("2025-10-06", [("Stakeholder management", 4, (4, 5, 7)), ("Compensation design", 4, (5, 6, 7))])
    ratings = [checkin("2026-04-21", [("Compensation design", 6, None)], conv=plan["conversation_id"]),
               checkin("2026-09-07", [("Stakeholder management", 4, None)], conv=plan["conversation_id"])]
    person = {"employee_id": "E1", "name": "Ana Silva", "coach_id": "C1", "department": "Eng", "role": "Dev",
              "cadence_months": 12, "left_on": "2026-09-10"}
    return content.build_content(History(person, [plan], ratings), "2026-10-01")


def test_a_target_dated_after_the_leaving_day_says_so_and_is_not_upcoming():
    report_content = leaver()
    # The rule is unchanged: the progress module still calls the 12-month target of Compensation design upcoming.
    rows = report_content.progress
    assert rows.loc[(rows["skill"] == "Compensation design") & (rows["horizon_months"] == 12), "status"].item() \
        == progress.UPCOMING
    text = page_text(report_content)
    assert "upcoming" not in text and "by 6 Oct 2026" not in text
    assert "Compensation design after 12 months (6 Oct 2026) 6 — — after you left" in text
    assert "Compensation design after 18 months (6 Apr 2027) 7 — — after you left" in text
    assert "Stakeholder management after 12 months (6 Oct 2026) 5 4 on 7 Sep 2026" in text  # measured before
    assert "6, dated 6 Oct 2026, after you left" in text  # the standing table's target
    assert "a target after you left: never measured" in text  # the charts' key
    # what a reader who does not see the charts is told
    alts = [flat(html.unescape(alt)) for alt in re.findall(r'alt="([^"]*)"', str(render.standing(report_content, None))
                      + "".join(str(f) for f in render.skill_sections(report_content, None)))]
    assert "Compensation design now 6, target 6 (after you left)" in alts[0]
    assert ("12-month target 6, dated 6 Oct 2026: after you left (never measured); 18-month target 7, dated "
            "6 Apr 2027: after you left (never measured)") in alts[-1]
    assert not any("upcoming" in alt for alt in alts)
    assert "after you left means the date came on or after the day you left (10 Sep 2026)" \
        in page_text_of(render.how_to_read(report_content))


def test_how_to_read_explains_not_measured_you_left_only_to_a_leaver_whose_report_shows_it():
    """Before, every leaver's "How to read" explained "not measured: you left", which E0042's report (:func:`leaver`:
    its targets were measured, missed or dated after they left) shows nowhere. A leaver whose 12-month targets came
    while they were here, their window still open on the last day, reads it in the table and the charts, and is
    told what it means."""
    from test_report_chart_keys import leaver_of_every_kind

    said = page_text_of(render.how_to_read(leaver()))
    assert "not measured: you left" not in said
    assert ("so that target will never be measured. Everything in this report is as it was on your last day here "
            "(9 Sep 2026)") in said
    shows_it = leaver_of_every_kind()
    assert "not measured: you left" in page_text(shows_it)
    assert ("not measured: you left means its date came while you were here but you left before a rating close "
            "enough to it was given. Everything in this report") in page_text_of(render.how_to_read(shows_it))


@pytest.mark.parametrize("width", [render.CHART_WIDTH, render.NARROW_WIDTH])
def test_a_leavers_charts_end_with_their_time_and_name_the_target_after_it(width):
    """Before: the charts ran to Apr 2027, the 18-month stars drawn as if still to come."""
    report_content = leaver()
    with plots.plain_text():
        data = {d.skill: d for d in content.skill_chart_data(report_content)}
        fig = render.skill_figure(data["Compensation design"], width)
        fig.canvas.draw()
    ax = fig.axes[0]
    end = matplotlib.dates.num2date(ax.get_xlim()[1]).date()
    assert dt.date(2026, 10, 1) < end < dt.date(2026, 12, 1)
    words = [" ".join(t.get_text().split()) for t in ax.texts]
    assert "12-month target: 6 after you left" in words
    assert not any(w.startswith("18-month target") for w in words)  # 6 Apr 2027: not on a chart that ends in 2026
    legend = [t.get_text() for t in ax.get_legend().get_texts()] if ax.get_legend() else []
    assert legend == [] or "Target after you left" in legend


def test_the_leavers_pdf_says_after_you_left_not_upcoming():
    text = flat(" ".join(pdf_pages(leaver())))
    assert "after you left" in text and "upcoming" not in text.replace("upcoming means", "")
    assert "Target after you left" in text  # the chart's legend


# ---------------------------------------------------------------------------
# the labels of the skill charts


def missed_targets() -> content.ReportContent:
    """E0029's plan: set on 30 Jun 2025, nothing measured at its 6- and 12-month dates, read on 1 Oct 2026, three
    months before the 18-month date (30 Dec 2026)."""
    plan = conversation("2025-06-30", [("Risk management", 5, (6, 6, 6)), ("Data storytelling", 5, (6, 7, 8)),
                                       ("Time management", 4, (5, 6, 8))])
    later = checkin("2026-09-15", [("Risk management", 6, None)], conv=plan["conversation_id"])
    return content.build_content(History({"employee_id": "E1", "name": "Ana Silva", "coach_id": "C1",
                                          "cadence_months": 12}, [plan], [later]), "2026-10-01")


def drawn_charts(report_content, width):
    """Each skill chart of the report drawn ``width`` inches wide: (skill's data, its Axes, a renderer)."""
    with plots.plain_text():
        for data in content.skill_chart_data(report_content):
            fig = render.skill_figure(data, width)
            fig.canvas.draw()
            yield data, fig.axes[0], fig.canvas.get_renderer()


@pytest.mark.parametrize("width", [render.CHART_WIDTH, render.NARROW_WIDTH])
def test_each_due_but_not_measured_is_written_with_its_own_target(width):
    """Before: "due but not measured" was a label of its own, which the charts placed between two stars: whose
    was it?"""
    for data, ax, _ in drawn_charts(missed_targets(), width):
        words = [" ".join(t.get_text().split()) for t in ax.texts]
        missed = [w for w in words if progress.DUE_NOT_MEASURED in w]
        assert sorted(missed) == [f"12-month target: {data.targets[12]} {progress.DUE_NOT_MEASURED}",
                                  f"6-month target: {data.targets[6]} {progress.DUE_NOT_MEASURED}"], words


@pytest.mark.parametrize("case", ["missed", "leaver"])
@pytest.mark.parametrize("width", [render.CHART_WIDTH, render.NARROW_WIDTH])
def test_no_label_of_a_skill_chart_crosses_the_as_of_line(width, case):
    """Before: "18-month target: 8" and a "due but not measured" were written across the "as of" line."""
    for data, ax, renderer in drawn_charts(missed_targets() if case == "missed" else leaver(), width):
        (line,) = [line for line in ax.get_lines() if line.get_gid() == plots.GID_AS_OF]
        x = ax.transData.transform((line.get_xdata()[0], 0))[0]
        for text in ax.texts:
            box = text.get_window_extent(renderer)
            assert not box.x0 < x < box.x1, f"{data.skill}: {text.get_text()!r} crosses the as-of line"


# ---------------------------------------------------------------------------
# the PDF reads as sentences, and a group's heading stays with its rows


def test_the_pdf_says_what_is_due_in_sentences():
    """Before: "due on 30 Jun 2026 overdue (every 12 months)" and "6 action items are still open. 6 past their due
    dates", the status chips drawn as plain words."""
    items = [{"item_id": f"a{i}", "text": f"Step {i}", "due": "2025-08-01", "owner": "employee"} for i in (1, 2)]
    plan = conversation("2025-06-30", [("Risk management", 5, (6, 6, 6))], items=items)
    report_content = content.build_content(History({"employee_id": "E1", "name": "Ana Silva", "coach_id": "C1",
                                                    "cadence_months": 12}, [plan], []), "2026-10-01")
    text = flat(" ".join(pdf_pages(report_content)))
    assert "Your next career conversation is due on 30 Jun 2026 (every 12 months): overdue." in text
    assert "2 action items are still open: 2 past their due dates." in text
    assert "2 action items are still open: 2 past their due dates" in page_text(report_content)  # the HTML too


@pytest.mark.parametrize("rows", range(30, 42))
def test_a_group_heading_of_a_pdf_table_is_never_alone_at_the_foot_of_a_page(rows):
    """Before: "Still open from earlier plans" closed page 5 of E0029's PDF, its rows on page 6."""
    pypdf = pytest.importorskip("pypdf")
    from careerconv.surfaces.report import pdf

    def row(*cells: str) -> str:
        return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"

    body = "".join(row(f"Step {i}", "you", "1 Oct 2026", "Open") for i in range(rows))
    body += row("Still open from earlier plans", "", "", "") + row("An older step", "you", "1 Oct 2025", "Open")
    fragment = (f'<table class="cc-table"><thead><tr><th>Action</th><th>Who</th><th>Due</th><th>Status</th></tr>'
                f"</thead><tbody>{body}</tbody></table>")
    reader = pypdf.PdfReader(io.BytesIO(pdf.document_pdf_bytes(fragment, title="t", footer="f")))
    (page,) = [flat(p.extract_text()) for p in reader.pages if "Still open from earlier" in p.extract_text()]
    assert "An older step" in page, "the group's heading is alone at a page's foot, its row on the next page"
