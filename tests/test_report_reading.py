"""The progress report read as its employee reads it, as pictures and words (found reading the demo organisation's
reports at 1280 and 400 px and as PDFs): what the page says must not contradict itself or the records."""
from __future__ import annotations

import matplotlib
import pytest

matplotlib.use("Agg")

from matplotlib.text import Text  # noqa: E402
from careerconv.records.store import History  # noqa: E402
from careerconv.views import plots  # noqa: E402
from careerconv.surfaces.report import content, render  # noqa: E402
from test_report_truth import checkin, conversation, history, page_text, page_text_of  # noqa: E402


def standing_case(case: str) -> content.ReportContent:
    """"behind": Stakeholder management, 4 at the conversation of 6 Oct 2025, targets 4, 5, 7, rated 4 on 7 Sep
    2026 and read on 1 Oct 2026: "now 4 · behind" with its 12-month target 5 one point to the right of its bar.
    "not measured": Data storytelling, 5 on 30 Jun 2025, targets 6, 7, 8, never rated since: "now 5 · due but not
    measured", too long to be written after the target 7 within the chart."""
    if case == "behind":
        plan = conversation("2025-10-06", [("Stakeholder management", 4, (4, 5, 7)),
                                           ("Employment law", 5, (6, 6, 6))])
        later = checkin("2026-09-07", [("Stakeholder management", 4, None), ("Employment law", 6, None)],
                        conv=plan["conversation_id"])
        return content.build_content(history([plan], [later]), "2026-10-01")
    plan = conversation("2025-06-30", [("Written communication", 7, (8, 9, 9)), ("Data storytelling", 5, (6, 7, 8)),
                                       ("Time management", 4, (5, 6, 8))])
    later = checkin("2026-09-15", [("Written communication", 8, None)], conv=plan["conversation_id"])
    return content.build_content(history([plan], [later]), "2026-10-01")


@pytest.mark.parametrize("case", ["behind", "not measured"])
def test_a_rating_beside_its_bar_is_not_drawn_over_the_target_mark(case):
    """Found reading E0042's and E0029's reports (1280 and 400 px): "now 4 · behind", written just after its bar,
    ran through the pink mark of the target 5, and "now 5 · due but not measured" hid the mark of the target 7
    under its white box, so neither the words nor the mark could be read."""
    report_content = standing_case(case)
    with plots.plain_text():
        for width in (render.CHART_WIDTH, render.NARROW_WIDTH):
            fig = render.standing_figure(report_content, width)
            fig.canvas.draw()
            ax, renderer = fig.axes[0], fig.canvas.get_renderer()
            (marks,) = [line for line in ax.get_lines() if line.get_gid() == plots.GID_NEXT_TARGET]
            half = marks.get_markeredgewidth() / 2 * fig.dpi / 72
            for x, y in zip(marks.get_xdata(), marks.get_ydata()):
                mark_x, mark_y = ax.transData.transform((x, y))
                for text in ax.texts:
                    box = text.get_window_extent(renderer)
                    if box.y0 <= mark_y <= box.y1:
                        assert box.x1 < mark_x - half or box.x0 > mark_x + half, \
                            f"{text.get_text()!r} is drawn over the target mark at {x:g} ({width} in wide)"
            said = [t.get_text() for t in ax.texts]
            assert any(t.startswith("now 4") or t.startswith("now 5") for t in said)  # every rating is still written


def test_a_target_whose_date_has_passed_is_not_called_the_next_one():
    """Found reading E0029's report of 1 Oct 2026: "Next target: 7 by 30 Jun 2026" for Data storytelling, not rated
    since its conversation of 30 Jun 2025, three months after that date had gone by; Written communication, rated
    on 15 Sep 2026, read "9 by 30 Dec 2026" in the same column."""
    plan = conversation("2025-06-30", [("Written communication", 7, (8, 9, 9)), ("Data storytelling", 5, (6, 7, 8))])
    late = checkin("2026-09-15", [("Written communication", 8, None)], conv=plan["conversation_id"])
    report_content = content.build_content(history([plan], [late]), "2026-10-01")
    standing = page_text_of(render.standing(report_content, None))
    assert "Next target" not in standing and "by 30 Jun 2026" not in standing
    assert "Data storytelling 5 5 on 30 Jun 2025 — 7, was due 30 Jun 2026 ! due but not measured" in standing
    assert "Written communication 7 8 on 15 Sep 2026 — 9 by 30 Dec 2026" in standing
    drawn = [t.get_text() for t in render.standing_figure(report_content).findobj(Text)]
    assert "Target" in drawn and "Next target" not in drawn  # the key of the pink mark


def test_a_first_conversation_in_progress_does_not_say_no_dreams_were_recorded():
    """Found reading E0024's report: their first conversation, started on 28 Sep 2026, held three dreams already,
    and the report said "No dreams recorded yet: they are the first thing you talk about"."""
    draft = conversation("2026-09-28", [("Objection handling", 8, (None, None, None))])
    draft["status"] = "draft"
    text = page_text(content.build_content(history([draft]), "2026-10-01"))
    assert "No dreams recorded yet" not in text
    assert ("Your first career conversation is in progress (started 28 Sep 2026): the dreams you agree in it show "
            "here once it is completed.") in text


# Each word of a label on the page, as the browser lays it out: how many line boxes it takes (1: not broken).
_WORD_LINES = """(selector) => [...document.querySelectorAll(selector)].flatMap(cell => {
  const text = cell.firstChild, words = [];
  for (const m of text.data.matchAll(/\\S+/g)) {
    const range = document.createRange();
    range.setStart(text, m.index);
    range.setEnd(text, m.index + m[0].length);
    words.push([m[0], new Set([...range.getClientRects()].map(r => Math.round(r.top))).size]);
  }
  return words;
})"""


@pytest.mark.parametrize("width", [1280, 400])
def test_the_labels_of_the_reports_facts_are_not_broken_inside_a_word(browser, width):
    """Found reading E0034's report (who had left) at 400 px: "Last career convers / ation", "Check- / ins since
    then"."""
    plan = conversation("2025-12-11", [("Stakeholder management", 6, (7, 8, 8))])
    later = checkin("2026-07-10", [("Stakeholder management", 7, None)], conv=plan["conversation_id"])
    base = history([plan], [later])
    employee = {**base.employee, "left_on": "2026-07-15"}
    report_content = content.build_content(History(employee, base.conversations, base.checkins),
                                           "2026-12-06")
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.set_content(f"<!doctype html><meta name='viewport' content='width=device-width'>{render.stylesheet()}"
                         f"<div class='cc-report'>{render.header(report_content)}</div>")
        words = page.evaluate(_WORD_LINES, ".cc-report table.cc-facts th")
    finally:
        page.close()
    assert [word for word, _ in words][:4] == ["Report", "date", "Your", "coach"]
    assert "conversation" in [word for word, _ in words] and "Left" in [word for word, _ in words]
    assert [word for word, lines in words if lines > 1] == []
