"""The keys (legends) of the report's charts read whole: at a phone's width (the HTML report's 3.9 in charts, shown
on a 400 px screen) and on the PDF's A4 page, every entry the report can show, a leaver's included (found: the
standing chart's key cut at the right of a phone, "...not measured: you l", and its last rows below the figure).

The charts are measured as drawn: each text of a key, its window extent after a draw, must lie inside the figure
(on the PDF's page: inside the page, and clear of the text printed under the chart)."""
from __future__ import annotations

import dataclasses
import io

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from careerconv.records.store import History  # noqa: E402
from careerconv.rules import progress  # noqa: E402
from careerconv.surfaces.report import content, pdf, render  # noqa: E402
from careerconv.views import plots  # noqa: E402
from test_report_truth import checkin, conversation, flat, history, pdf_pages, three_skill_plan  # noqa: E402

# Every entry the standing chart's key can show, the longest last but one: each status of a skill's latest rating,
# the words for a next target after the leaving day and for one due while they were here but never measured.
LONGEST_STANDING_KEY = [
    "Target", "Latest rating: ahead", "Latest rating: on track", "Latest rating: behind",
    "Latest rating: due but not measured", "Latest rating: no new rating yet",
    "Latest rating: next target after you left", "Latest rating: next target after you leave",
    "Latest rating: next target not measured: you left", "Latest rating: no target",
]


def cut_entries(fig: Figure, margin: float = 0.0) -> list[str]:
    """The key entries of ``fig`` whose drawn text does not lie whole inside the figure, ``margin`` inches clear of
    its sides, after a draw."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    page = fig.bbox.padded(-margin * fig.dpi)
    cut = []
    for ax in fig.axes:
        for text in ax.get_legend().get_texts() if ax.get_legend() else []:
            box = text.get_window_extent(renderer)
            if not (page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1):
                cut.append(" ".join(text.get_text().split()))
    return cut


def key_words(fig: Figure) -> list[str]:
    return [" ".join(t.get_text().split()) for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]


def every_standing_status() -> content.ReportContent:
    """A report whose standing chart has one skill for each entry of :data:`LONGEST_STANDING_KEY`, their names
    long (the standing table and the rest of the report are of the plan of :func:`three_skill_plan`)."""
    statuses = [progress.AHEAD, progress.ON_TRACK, progress.BEHIND, progress.DUE_NOT_MEASURED, progress.UPCOMING,
                plots.AFTER_LEAVING, plots.AFTER_LEAVING_SOON, plots.LEFT_UNMEASURED, None]
    report = content.build_content(three_skill_plan(), "2026-06-01")
    current = pd.DataFrame({
        "skill": [f"Stakeholder management and negotiation {i}" for i in range(len(statuses))],
        "latest_rating": [4, 5, 6, 3, 7, 4, 5, 6, 5], "next_target": [6, 6, 8, 7, 8, 7, 7, 8, None],
        "status": statuses, "next_horizon_months": [12] * 8 + [None],
        "next_horizon_date": [pd.Timestamp("2026-09-01")] * 8 + [pd.NaT],
    })
    return dataclasses.replace(report, current=current)


@pytest.mark.parametrize("width", [render.NARROW_WIDTH, render.CHART_WIDTH])
def test_the_longest_standing_key_reads_whole_at_a_phones_width_and_a_wide_one(width):
    """The standing chart as the HTML report draws it, every entry in its key: before, at a phone's width four
    entries ran off the figure's right and foot ("...not measured: you l"); at 7.5 in the two longest ran off its
    right (the axes' centre is right of the figure's, past the skill names)."""
    with plots.plain_text():
        fig = render.standing_figure(every_standing_status(), width)
        assert key_words(fig) == LONGEST_STANDING_KEY
        assert cut_entries(fig) == []


def leaver_of_every_kind() -> content.ReportContent:
    """A plan of 1 Oct 2025 (targets 1 Apr 2026, 1 Oct 2026, 1 Apr 2027), its skills ahead, on track and behind,
    two whose 12-month target came on 1 Oct 2026 and were never measured (they left on 10 Oct 2026, its window still
    open), one with no target; the report is of 1 Nov 2026."""
    plan = conversation("2025-10-01", [
        ("Stakeholder management", 4, (5, 6, 7)), ("Compensation design", 4, (5, 6, 7)),
        ("Negotiation", 4, (5, 6, 9)), ("Public speaking", 4, (6, 7, 8)), ("Data analysis", 4, (5, 7, 8)),
        ("Mentoring", 4, (None, None, None))])
    plan_id = plan["conversation_id"]
    ratings = [
        checkin("2026-04-01", [("Stakeholder management", 5, None), ("Compensation design", 5, None),
                               ("Negotiation", 5, None), ("Data analysis", 5, None)], conv=plan_id),
        checkin("2026-09-30", [("Stakeholder management", 8, None), ("Compensation design", 6, None),
                               ("Negotiation", 6, None), ("Mentoring", 5, None)], conv=plan_id)]
    person = {"employee_id": "E1", "name": "Ana Silva", "coach_id": "C1", "department": "Eng", "role": "Dev",
              "cadence_months": 12, "left_on": "2026-10-10"}
    return content.build_content(History(person, [plan], ratings), "2026-11-01")


def test_a_leavers_standing_chart_on_a_phone_shows_its_whole_key():
    """The report's own standing chart at a phone's width, as the HTML report draws it: before, "Latest rating:
    next target not measured: you left" ended "you l" at the figure's right edge."""
    with plots.plain_text():
        fig = render.standing_figure(leaver_of_every_kind(), render.NARROW_WIDTH)
        assert "Latest rating: next target not measured: you left" in key_words(fig)
        assert cut_entries(fig) == []


def test_the_longest_standing_key_reads_whole_on_the_pdfs_page():
    """The standing chart as the PDF draws it on an A4 page: before, its two longest entries ran into the page's
    right margin (to 0.1 in from the paper's edge)."""
    with plots.plain_text(), PdfPages(io.BytesIO()) as sink:
        page = pdf._Page(sink, "Career progress report", ["DejaVu Sans"])
        pdf.standing_chart(page, every_standing_status())
        assert key_words(page.fig) == LONGEST_STANDING_KEY
        assert cut_entries(page.fig, pdf._MARGIN) == []


def a_skill_chart_at_a_pages_foot() -> content.ReportContent:
    """Three skills, each 4 on 10 Jan 2024 (targets 5, 6, 7) and rated 6, 6, 5 at its target dates, the coach's
    ratings beside; the report is of 1 Sep 2025. Each skill chart's key has nine entries (ahead, on track and
    behind among them): three rows on the PDF's page, 0.4 in below the room a chart's axes leave for it. What a 10
    looks like for the first skill is long enough (six lines) to bring the second skill's chart to the foot of
    page 3: its axes fit above the bottom margin, its key does not."""
    skills = ["Negotiation", "Public speaking", "Mentoring"]
    plan = conversation("2024-01-10", [(s, 4, (5, 6, 7)) for s in skills], coach=[4] * len(skills))
    plan["skills"][0]["ten_looks_like"] = " ".join(["grow"] * 78)
    plan_id = plan["conversation_id"]
    ratings = [checkin(day, [(s, mine, coach) for s in skills], conv=plan_id)
               for day, mine, coach in (("2024-07-10", 6, 5), ("2025-01-10", 6, 6), ("2025-07-10", 5, 6))]
    return content.build_content(history([plan], ratings), "2025-09-01")


@pytest.mark.parametrize("report", [leaver_of_every_kind, a_skill_chart_at_a_pages_foot])
def test_the_pdfs_chart_keys_read_whole_on_their_page_clear_of_the_text_below(monkeypatch, report):
    """Every page of the PDF, measured as it is saved: each key's text is inside the page's margins and no text
    printed on the page runs into it. A chart whose axes fit at a page's foot but whose key does not starts the
    next page, with its heading (before, the second skill's key of :func:`a_skill_chart_at_a_pages_foot` ran
    0.1 in into the bottom margin, down to the footer)."""
    pages = []
    finish = pdf._Page.finish

    def measured(page):
        page.fig.canvas.draw()
        renderer = page.fig.canvas.get_renderer()
        keys = [t.get_window_extent(renderer) for ax in page.fig.axes if ax.get_legend()
                for t in ax.get_legend().get_texts()]
        words = [t.get_window_extent(renderer) for t in page.fig.texts if t.get_text().strip()]
        pages.append((page.fig.bbox, page.fig.dpi, keys, words))
        finish(page)

    monkeypatch.setattr(pdf._Page, "finish", measured)
    pdf.pdf_bytes(report())
    assert sum(len(keys) for _, _, keys, _ in pages) > 10
    for bbox, dpi, keys, words in pages:
        margin = pdf._MARGIN * dpi
        for key in keys:
            assert bbox.x0 + margin <= key.x0 and key.x1 <= bbox.x1 - margin
            assert bbox.y0 + margin <= key.y0 and key.y1 <= bbox.y1 - margin
            assert not any(key.overlaps(word) for word in words)


def test_a_skill_chart_whose_key_does_not_fit_at_a_pages_foot_starts_the_next_page_with_its_heading():
    """The second skill's heading, chart and key of :func:`a_skill_chart_at_a_pages_foot` are on page 4, not at
    the foot of page 3 below the first skill's words."""
    pages = [flat(page) for page in pdf_pages(a_skill_chart_at_a_pages_foot())]
    third = pages[2]
    assert "Negotiation" in third and "Why this way: practice" in third and "Public speaking" not in third
    assert "Public speaking" in pages[3]


def test_a_line_joining_a_label_to_its_mark_is_named_in_the_key_where_a_chart_draws_one():
    """A thin grey line from "18-month target: 8" to its star, on a phone's chart, looked like a line of the data:
    the key above the HTML report's charts, and the legend of a chart that draws one (the PDF's), say what it is;
    a report whose charts draw none does not."""
    from test_chart_labels import skill_case

    # E0019's Public speaking read on the day of its last target, at a phone's width: three labels under three stars
    # at the top of the scale, two joined to their star by a line
    joined = skill_case("top of the scale on its last day")
    key = str(render.skill_sections(joined)[0])
    assert "line from a label to its mark" in key
    assert "line from a label to its mark" not in str(render.skill_sections(skill_case("equal targets"))[0])
    with plots.plain_text():
        fig = Figure(figsize=(render.NARROW_WIDTH, 3.6))
        ax = fig.add_subplot()
        render.draw_skill(ax, content.skill_chart_data(joined)[0])
    assert any(line.get_gid() == plots.GID_LEADER for line in ax.get_lines())
    assert "Line from a label to its mark" in key_words(fig)


def test_each_chart_of_the_pdf_is_drawn_once_and_put_on_one_page(monkeypatch):
    """The PDF of :func:`a_skill_chart_at_a_pages_foot` draws its four charts (where you stand, three skills) once
    each, and each drawing is on exactly one page, its key with it: before, each chart was drawn twice, first on
    a page of its own to measure how far its key reaches (a fifth to a quarter of the PDF's time). The second
    skill's chart, measured at the foot of page 3, is the one put at the top of page 4."""
    drawn = []

    def counted(draw):
        def draw_and_count(ax, *args, **kwargs):
            drawn.append(ax)
            return draw(ax, *args, **kwargs)
        return draw_and_count

    monkeypatch.setattr(render, "draw_skill", counted(render.draw_skill))
    monkeypatch.setattr(render, "draw_standing", counted(render.draw_standing))
    placed = []
    finish = pdf._Page.finish

    def seen(page):
        placed.append([ax for ax in page.fig.axes if ax.get_visible()])
        finish(page)

    monkeypatch.setattr(pdf._Page, "finish", seen)
    pdf.pdf_bytes(a_skill_chart_at_a_pages_foot())
    assert len(drawn) == 4
    on_pages = [ax for page in placed for ax in page]
    assert sorted(map(id, on_pages)) == sorted(map(id, drawn))
    assert all(ax.get_legend() is not None for ax in on_pages)
    assert placed[2] == [drawn[1]] and placed[3][0] is drawn[2]  # the first skill's on page 3, the second's on 4


def read_after_its_last_target() -> content.ReportContent:
    """E0038's plan of 21 Aug 2025 (Presenting to executives 9, targets 9, 9, 10) read on 1 Jun 2027, after its
    last target: the report date's line is near the chart's right end, its words "as of 1 Jun 2027" after it."""
    return content.build_content(history([conversation("2025-08-21", [("Presenting to executives", 9, (9, 9, 10))])]),
                                 "2027-06-01")


@pytest.mark.parametrize("report", [read_after_its_last_target, leaver_of_every_kind])
def test_every_label_of_the_pdfs_charts_lies_within_the_pages_margins(monkeypatch, report):
    """Each label of each chart of the PDF (a target's, a status's, the report date's), as drawn on its page, lies
    inside the page's margins, where the text under the chart ends: before, "as of 1 Jun 2027" on
    :func:`read_after_its_last_target` ran 32 pt into the right margin, its words written after the line."""
    labels = []
    finish = pdf._Page.finish

    def measured(page):
        page.fig.canvas.draw()
        renderer, box = page.fig.canvas.get_renderer(), page.fig.bbox.padded(-pdf._MARGIN * page.fig.dpi)
        labels.extend((" ".join(t.get_text().split()), t.get_window_extent(renderer), box)
                      for ax in page.fig.axes for t in ax.texts if t.get_visible() and t.get_text().strip())
        finish(page)

    monkeypatch.setattr(pdf._Page, "finish", measured)
    pdf.pdf_bytes(report())
    assert any(words.startswith("as of ") for words, _, _ in labels)
    outside = [words for words, text, page in labels
               if not (page.x0 <= text.x0 and text.x1 <= page.x1 and page.y0 <= text.y0 and text.y1 <= page.y1)]
    assert outside == []
