"""The HR charts draw every name from the data as plain text, and say how many people each figure describes."""

from __future__ import annotations

import base64
import re

import pandas as pd
import pytest
from matplotlib.text import Text

from careerconv.views import hr_plots
from careerconv.rules import privacy
from colour_vision import colour_difference, marks_below, texts_below

HOSTILE = ["$\\frac{a$", "$\\frac{", "$x$ and $y$", "C:\\new\\table", "snake_case_skill", "<script>alert(1)</script>",
           "50% $$ off", "^{up}_{down}"]


def _texts(fig) -> list[str]:
    hr_plots.picture_html(fig, "alt")  # as the page renders it
    found = fig.findobj(Text)
    assert not [t.get_text() for t in found if t.get_parse_math()], "text left to the math-text parser"
    return [t.get_text() for t in found]


def _rendered(draw) -> tuple[str, list[str]]:
    fig, ax = hr_plots.new_figure(9, 5)
    draw(ax)
    html = hr_plots.picture_html(fig, "alt")  # raises if matplotlib tried to parse math-text
    return html, _texts(fig)


def _gaps() -> pd.DataFrame:
    rows = [{"skill": None, "department": None, privacy.COUNT: 40, "mean_gap": 0.4, "share_self_higher": 0.5,
             "share_self_lower": 0.2, privacy.PRIVACY: ""}]
    rows += [{"skill": name, "department": None, privacy.COUNT: 10 + i, "mean_gap": 0.1 * i, "share_self_higher": 0.4,
              "share_self_lower": 0.1, privacy.PRIVACY: ""} for i, name in enumerate(HOSTILE)]
    return pd.DataFrame(rows)


def _trends() -> pd.DataFrame:
    quarters = pd.to_datetime(["2025-01-01", "2025-04-01", "2025-10-01"])  # 2025 Q3: nobody
    rows = [{"quarter": q, "skill": name, privacy.COUNT: 6, "mean": 5.0, "median": 5.0 + j, "department": None,
             privacy.PRIVACY: ""} for name in HOSTILE[:5] for j, q in enumerate(quarters)]
    return pd.DataFrame(rows)


def test_hostile_skill_names_are_drawn_as_typed():
    html, texts = _rendered(lambda ax: hr_plots.gaps_chart(ax, _gaps()))
    assert '<img class="hr-chart" src="data:image/png;base64,' in html
    for name in HOSTILE:
        assert any(name in text for text in texts), name
    html, texts = _rendered(lambda ax: hr_plots.trends_chart(ax, _trends(), top=5))
    for name in HOSTILE[:5]:
        assert any(text.startswith(name + " (n 6)") for text in texts), name


def test_hostile_department_names_are_drawn_as_typed():
    frame = pd.DataFrame({"department": [None, "$R&D$", "Ops_\\team"], privacy.COUNT: [20, 9, 11],
                          "share_conversation_overdue": [0.1, 0.2, 0.0], "share_checkin_overdue": [0.3, 0.4, 0.2],
                          privacy.PRIVACY: ["", "", ""]})
    html, texts = _rendered(lambda ax: hr_plots.cadence_chart(ax, frame))
    assert "$R&D$ (n=9)" in texts and "Ops_\\team (n=11)" in texts and "All departments (n=20)" in texts


def test_trend_lines_break_at_a_quarter_nobody_rated_and_keep_its_place():
    fig, ax = hr_plots.new_figure()
    hr_plots.trends_chart(ax, _trends(), top=1)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["2025 Q1", "2025 Q2", "2025 Q3", "2025 Q4"]  # the quiet quarter is on the axis
    line = ax.get_lines()[0]
    ys = list(line.get_ydata())
    assert pd.isna(ys[2]) and ys[3] == 7.0  # no line drawn across 2025 Q3


def test_a_hidden_quarter_is_marked_below_the_rating_scale_not_on_it():
    """An HR analyst read the open marker of a hidden quarter, drawn at 1.15 on the scale, as a median of about 1:
    it now sits in a grey strip under the scale, named "hidden", and the scale still runs from 1 to 10."""
    trends = _trends()
    hidden = trends["quarter"].eq(pd.Timestamp("2025-04-01"))
    trends.loc[hidden, [privacy.COUNT, "median", privacy.PRIVACY]] = [pd.NA, float("nan"), "fewer than 5"]
    fig, ax = hr_plots.new_figure()
    hr_plots.trends_chart(ax, trends, top=1)
    line, marks = ax.get_lines()[0], ax.get_lines()[1]
    assert pd.isna(list(line.get_ydata())[1])  # the line is broken there
    assert list(marks.get_xdata()) == [1] and all(y < 1 for y in marks.get_ydata())  # below the scale's 1
    low, high = ax.get_ylim()
    assert low < min(marks.get_ydata()) and high > 10
    ticks = {t.get_text(): y for t, y in zip(ax.get_yticklabels(), ax.get_yticks())}
    assert ticks["hidden"] == marks.get_ydata()[0] and [ticks[str(r)] for r in range(1, 11)] == list(range(1, 11))
    assert "hidden (small group): line broken,\nmarked in the strip below the scale" in _texts(fig)
    # with nothing hidden the scale starts at 1, with no strip
    fig, ax = hr_plots.new_figure()
    hr_plots.trends_chart(ax, _trends(), top=1)
    assert ax.get_ylim()[0] == 1 and "hidden" not in [t.get_text() for t in ax.get_yticklabels()]


def test_targets_due_are_split_into_reached_not_reached_not_measured_yet_and_not_measured():
    table = pd.DataFrame({"horizon_months": [6, 12], "department": [None, None], privacy.COUNT: [30, pd.NA],
                          "targets_due": [40, pd.NA], "share_reached": [0.5, None], "share_not_reached": [0.2, None],
                          "share_window_open": [0.1, None], "share_not_measured": [0.2, None],
                          privacy.PRIVACY: ["", "fewer than 5"]})
    fig, ax = hr_plots.new_figure(9, 2.8)
    hr_plots.attainment_chart(ax, table)
    texts = _texts(fig)
    assert "6-month targets\n40 due, n=30" in texts and "fewer than 5" in texts
    assert {"50%", "20%", "10%"} <= set(texts)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["reached", "not reached", "not measured yet",
                                                                   "not measured"]
    widths = sorted(round(p.get_width(), 2) for p in ax.patches if p.get_width() > 0)
    assert widths == [0.1, 0.2, 0.2, 0.5]
    # Every percentage is readable on its part: dark ink on the light parts.
    for text in (t for t in ax.texts if t.get_text().endswith("%")):
        assert text.get_color() == "#1A1A1A"


@pytest.mark.parametrize("chart, column", [("attainment_chart", "share_window_open"), ("status_bars", "share_open")])
def test_a_percentage_is_drawn_on_its_segment_only_where_it_fits(chart, column):
    """On a phone a 6% segment is some ten pixels wide: its label would overprint the next segment's."""
    if chart == "attainment_chart":
        table = pd.DataFrame({"horizon_months": [6], "department": [None], privacy.COUNT: [30], "targets_due": [40],
                              "share_reached": [0.47], "share_not_reached": [0.17], "share_window_open": [0.06],
                              "share_not_measured": [0.30], privacy.PRIVACY: [""]})
    else:
        table = pd.DataFrame({"department": [None], privacy.COUNT: [30], "share_done": [0.47],
                              "share_in_progress": [0.17], "share_open": [0.06], "share_dropped": [0.30],
                              privacy.PRIVACY: [""]})
    drawn = {}
    for width in (9.0, hr_plots.NARROW_WIDTH):
        fig, ax = hr_plots.new_figure(width, 2.4)
        getattr(hr_plots, chart)(ax, table)
        if width == hr_plots.NARROW_WIDTH:
            hr_plots.narrow_layout(fig)
        fig.canvas.draw()
        labels = [t for t in ax.texts if t.get_text().endswith("%")]
        drawn[width] = {t.get_text() for t in labels if t.fits}
        boxes = [t.get_window_extent() for t in labels if t.fits]
        assert not any(a.x1 > b.x0 for a, b in zip(boxes, boxes[1:])), "drawn percentages overprint each other"
    assert drawn[9.0] == {"47%", "17%", "6%", "30%"}
    assert "6%" not in drawn[hr_plots.NARROW_WIDTH] and {"47%", "30%"} <= drawn[hr_plots.NARROW_WIDTH]


@pytest.mark.parametrize("width", [9.0, 3.6])
def test_option_kinds_lists_every_kind_at_every_horizon(width):
    rows = [{"kind": kind, "horizon_months": h, "department": None, privacy.COUNT: n, "mean_gain": g,
             privacy.PRIVACY: label}
            for kind, h, n, g, label in [("course", 6, 34, 0.7, ""), ("mentoring", 6, 30, 0.33, ""),
                                         ("reading", 6, pd.NA, None, "fewer than 5"), ("course", 12, 28, 1.2, ""),
                                         ("mentoring", 12, pd.NA, None, "not shown")]]
    fig, ax = hr_plots.new_figure(width, 4)
    hr_plots.option_kinds_chart(ax, pd.DataFrame(rows))
    labels = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]  # a narrow drawing wraps them
    assert labels == ["6 months: course", "6 months: mentoring", "6 months: reading", "12 months: course",
                      "12 months: mentoring"]
    texts = _texts(fig)
    assert "+0.7  (n=34)" in texts and "+0.3  (n=30)" in texts and "+1.2  (n=28)" in texts


def _department_quarters() -> pd.DataFrame:
    """Eight quarters (2024 Q4 to 2026 Q3) of six departments, with two-digit group sizes."""
    quarters = pd.date_range("2024-10-01", periods=8, freq="QS")
    departments = ["Customer Success", "Engineering", "Finance", "Operations", "People", "Sales"]
    rows = [{"quarter": q, "skill": None, "department": d, privacy.COUNT: 10 + i + j, "mean": 6.0, "median": 6.5,
             privacy.PRIVACY: ""} for i, d in enumerate(departments) for j, q in enumerate(quarters)]
    return pd.DataFrame(rows)


def _overlapping(texts: list[Text], renderer) -> list[tuple[str, str]]:
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts if t.get_visible() and t.get_text()]
    return [(a, b) for i, (a, box_a) in enumerate(boxes) for b, box_b in boxes[i + 1:]
            if box_a.x0 < box_b.x1 - 1 and box_b.x0 < box_a.x1 - 1 and box_a.y0 < box_b.y1 - 1 and box_b.y0 < box_a.y1 - 1]


def test_the_department_heat_map_drawn_for_a_phone_keeps_its_numbers_and_quarters_apart():
    fig, ax, renderer = _phone_drawing(hr_plots.department_heatmap, _department_quarters(), None, height=3.8)
    cells = [t for panel in fig.axes for t in panel.texts]
    assert [t.get_text() for t in cells[:2]] == ["6.5\nn=10", "6.5\nn=11"]  # n below the median
    ticks = [t for panel in fig.axes for t in panel.get_xticklabels()]
    # Every period names its year: a run of quarters under another starts with a year of its own.
    assert [t.get_text() for t in ticks] == ["2024\nQ4", "2025\nQ1", "2025\nQ2", "2025\nQ3",
                                             "2025\nQ4", "2026\nQ1", "2026\nQ2", "2026\nQ3"]
    assert {t.get_rotation() for t in ticks} == {0.0}  # read across, not turned upright to make room
    for panel in fig.axes:
        assert _overlapping([*panel.texts, *panel.get_xticklabels()], renderer) == []
        assert _what_a_reader_cannot_read(fig, panel, renderer) == []
    legend = [t.get_text() for t in fig.axes[-1].get_legend().get_texts()]
    assert legend == ["not shown (small group)", "nobody rated it"]  # under the last run of quarters


def test_the_department_heat_map_on_a_phone_has_numbers_a_phone_reader_can_read():
    """`careerconv demo`'s page at 400 px: with eight quarters side by side, a cell's numbers were 7.5 pt (the
    image shown at 91 %: about 7 px high digits). On a phone the quarters come in runs of four, one run under the
    other, and every cell says its median and its n in text at least 14 px tall on a 360 px phone, the same
    figures as on a wide screen."""
    table = _department_quarters()  # six departments, eight quarters
    fig, _, renderer = _phone_drawing(hr_plots.department_heatmap, table, None, height=3.8)
    wide, wide_ax = hr_plots.new_figure(9, 3.8)
    hr_plots.department_heatmap(wide_ax, table, None)
    phone_cells = [t for panel in fig.axes for t in panel.texts]
    figures = [sorted(t.get_text().replace("n=", "") for t in texts) for texts in (phone_cells, wide_ax.texts)]
    assert figures[0] == figures[1]  # each median over its n, as on a wide screen
    assert len(phone_cells) == 6 * 8
    saved = fig.get_tightbbox(renderer).width * fig.dpi  # the PNG's width (bbox_inches="tight")
    on_phone = min(1.0, 0.88 * PHONE_PNG / saved)  # a 360 px phone's page is 352 px wide: 88 % of 400
    smallest = min(t.get_fontsize() * fig.dpi / 72 * on_phone for t in phone_cells)
    assert smallest >= 14, f"a cell's text is {smallest:.1f} px on a phone"
    assert [len(panel.get_xticks()) for panel in fig.axes] == [4, 4]


def test_on_a_phone_the_department_names_of_a_large_organisation_wrap_only_between_words():
    """Found by a reader of a 5,000-person organisation's report at 400 px: the heat map's title ("Median
    Stakeholder management rating by", from the axes moved over for the names) ran past the phone's drawing,
    which was drawn narrower, and its rows read "Engineeri" over "ng" and "Operation" over "s". Drawn as wide as a
    phone's, the cells' three-digit n ran together ("n=180n=216")."""
    quarters = pd.date_range("2024-10-01", periods=8, freq="QS")
    departments = ["Customer Success", "Engineering", "Executive Office", "Finance", "Legal", "Marketing",
                   "Operations", "People", "Sales"]
    table = pd.DataFrame([{"quarter": q, "skill": "Stakeholder management", "department": d,
                           privacy.COUNT: 150 + i + j, "mean": 5.0, "median": 5.0, privacy.PRIVACY: ""}
                          for i, d in enumerate(departments) for j, q in enumerate(quarters)])
    fig, ax, renderer = _phone_drawing(hr_plots.department_chart, table, height=3.8)
    for panel in fig.axes:
        assert [t.get_text() for t in panel.get_yticklabels()] == [
            "Customer\nSuccess", "Engineering", "Executive\nOffice", "Finance", "Legal", "Marketing", "Operations",
            "People", "Sales"]
        assert _what_a_reader_cannot_read(fig, panel, renderer) == []
        for row in range(len(departments)):
            boxes = sorted((t.get_window_extent(renderer) for t in panel.texts if t.get_position()[1] == row),
                           key=lambda box: box.x0)
            assert all(right.x0 - left.x1 >= 4 for left, right in zip(boxes, boxes[1:])), "cells' numbers touch"
    title = "Median Stakeholder management rating by department and quarter"
    assert ax.get_title(loc="left").replace("\n", " ") == title
    assert fig.get_tightbbox(renderer).x1 * fig.dpi <= PHONE_PNG


@pytest.mark.parametrize("width", [hr_plots.NARROW_WIDTH, 2.0])
def test_a_row_label_too_long_for_its_line_stays_whole_words(width):
    fig, ax = hr_plots.new_figure(width, 3)
    hr_plots.value_bars(ax, pd.DataFrame({"kind": ["Internationalisation", "Research and development operations"],
                                          "value": [0.5, 0.4], privacy.PRIVACY: ["", ""]}),
                        "kind", "value", xlabel="Mean change")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "Internationalisation"
    words = {"Research", "and", "development", "operations"}
    assert all(set(line.rstrip("…").split()) <= words for line in labels[1].split("\n")), labels[1]


def test_on_a_phone_a_shorter_run_of_quarters_keeps_the_width_of_a_cell():
    """Found by a reader: seven quarters on a phone came as a run of four over a run of three, and the three were
    stretched to the width of the four, each cell a third wider than those above it."""
    table = _department_quarters()
    table = table[table["quarter"] > table["quarter"].min()]  # seven quarters
    fig, _, renderer = _phone_drawing(hr_plots.department_heatmap, table, None, height=3.8)
    runs = [(len(panel.get_xticks()), panel.get_window_extent(renderer).width) for panel in fig.axes]
    assert [count for count, _ in runs] == [4, 3]
    (four, wide4), (three, wide3) = runs
    assert wide3 / three == pytest.approx(wide4 / four, rel=0.01), runs


def test_the_department_heat_map_on_a_wide_screen_says_n_in_every_cell():
    fig, ax = hr_plots.new_figure(9, 3.8)
    hr_plots.department_heatmap(ax, _department_quarters(), None)
    assert [t.get_text() for t in ax.texts[:2]] == ["6.5\nn=10", "6.5\nn=11"]
    assert [t.get_text() for t in ax.get_xticklabels()][:2] == ["2024\nQ4", "2025\nQ1"]
    assert "upper number" not in " ".join(t.get_text() for t in ax.get_legend().get_texts())


def test_compact_period_labels_name_the_year_at_the_first_period_and_where_a_year_begins():
    quarters = [(pd.Timestamp(s), pd.Timestamp(s) + pd.DateOffset(months=3))
                for s in ("2025-01-01", "2025-04-01", "2025-07-01", "2025-10-01", "2026-01-01")]
    assert hr_plots.compact_period_labels(quarters) == ["Q1\n2025", "Q2", "Q3", "Q4", "Q1\n2026"]
    assert hr_plots.compact_period_labels(quarters[2:]) == ["Q3\n2025", "Q4", "Q1\n2026"]
    assert hr_plots.compact_period_labels(quarters[3:]) == ["Q4\n2025", "Q1\n2026"]  # a year begins next: both
    assert hr_plots.compact_period_labels(quarters[3:4]) == ["Q4\n2025"]
    halves = [(pd.Timestamp("2025-07-01"), pd.Timestamp("2026-01-01")), (pd.Timestamp("2026-01-01"),
                                                                         pd.Timestamp("2026-07-01"))]
    assert hr_plots.compact_period_labels(halves) == ["H2\n2025", "H1\n2026"]
    years = [(pd.Timestamp("2025-01-01"), pd.Timestamp("2026-01-01"))]
    assert hr_plots.compact_period_labels(years) == ["2025"]


# --------------------------------------------------------------------------- the drawings for a phone

SMALLEST_POINTS = 7.5  # the smallest text of the narrow trends chart and heat map (the heat map's cells)
PHONE_PNG = 400  # px: a narrow PNG at most this wide is shown at 88 % or more on a 360 px phone, not shrunk
LONG_SKILLS = ["Time management", "Public speaking", "Written communication", "Data storytelling",
               "Presenting to executives", "Stakeholder management", "Giving feedback", "Cross-team collaboration",
               "Running effective meetings", "Customer health analysis", "Positioning and messaging", "Delegation",
               "Incident response", "Hiring"]


def _skill_growth() -> pd.DataFrame:
    """Growth after 12 months: fourteen skills shown (long names), three hidden, and all skills together."""
    rows = [{"skill": None, "horizon_months": 12, "department": None, privacy.COUNT: 517, "mean_growth": 1.1,
             privacy.PRIVACY: ""}]
    rows += [{"skill": name, "horizon_months": 12, "department": None, privacy.COUNT: 60 - 3 * i,
              "mean_growth": 2.1 - 0.1 * i, privacy.PRIVACY: ""} for i, name in enumerate(LONG_SKILLS)]
    rows += [{"skill": name, "horizon_months": 12, "department": None, privacy.COUNT: pd.NA, "mean_growth": None,
              privacy.PRIVACY: label} for name, label in [("Budgeting", "fewer than 5"), ("Copywriting", "not shown"),
                                                          ("Account planning", "not shown")]]
    return pd.DataFrame(rows)


def _most_wanted() -> pd.DataFrame:
    """Employees who chose each skill: fourteen skills shown (long names), two hidden."""
    rows = [{"skill": None, "department": None, privacy.COUNT: 570, "skills_per_person": 3.7,
             "share_of_people_met": 1.0, privacy.PRIVACY: ""}]
    rows += [{"skill": name, "department": None, privacy.COUNT: 140 - 8 * i, "skills_per_person": None,
              "share_of_people_met": (140 - 8 * i) / 570, privacy.PRIVACY: ""} for i, name in enumerate(LONG_SKILLS)]
    rows += [{"skill": name, "department": None, privacy.COUNT: pd.NA, "skills_per_person": None,
              "share_of_people_met": None, privacy.PRIVACY: label}
             for name, label in [("Budgeting", "fewer than 5"), ("Copywriting", "not shown")]]
    return pd.DataFrame(rows)


def _narrow_png_width(html: str) -> int:
    """The pixel width of the phone drawing in a chart's HTML (the PNG of its ``srcset``)."""
    png = base64.b64decode(re.search(r'srcset="data:image/png;base64,([^"]+)"', html).group(1))
    return int.from_bytes(png[16:20], "big")


def _read_texts(ax) -> list[Text]:
    """Every text a reader sees on the axes: tick labels inside the limits, axis labels, titles, texts, legend."""
    texts = list(ax.texts) + [ax.xaxis.label, ax.yaxis.label, ax.title, ax._left_title, ax._right_title]
    for axis, (low, high) in ((ax.xaxis, sorted(ax.get_xlim())), (ax.yaxis, sorted(ax.get_ylim()))):
        texts += [label for loc, label in zip(axis.get_majorticklocs(), axis.get_ticklabels())
                  if low - 1e-9 <= loc <= high + 1e-9]
    if ax.get_legend() is not None:
        texts += list(ax.get_legend().get_texts())
    return [t for t in texts if t.get_visible() and t.get_text().strip()]


def _phone_drawing(draw, *args, height: float, **kwargs):
    """The chart drawn for a phone as :func:`hr_plots.chart_html` shows it, drawn: (figure, axes, renderer)."""
    fig = hr_plots.narrow_figure(draw, *args, height=height, **kwargs)
    fig.canvas.draw()
    return fig, fig.axes[0], fig.canvas.get_renderer()


def _what_a_reader_cannot_read(fig, ax, renderer) -> list[str]:
    """Text below the smallest size, past a phone's drawing, over other text, or text or a legend over a bar."""
    problems = []
    texts = _read_texts(ax)
    left = fig.get_tightbbox(renderer).x0 * fig.dpi  # the saved image's left edge (bbox_inches="tight")
    for text in texts:
        box = text.get_window_extent(renderer)
        if text.get_fontsize() < SMALLEST_POINTS:
            problems.append(f"{text.get_text()!r} is {text.get_fontsize()} pt")
        if box.x1 - left > PHONE_PNG:
            problems.append(f"{text.get_text()!r} reaches {box.x1 - left:.0f} px into the image")
    problems += [f"{a!r} overlaps {b!r}" for a, b in _overlapping(texts, renderer)]
    bars = [p.get_window_extent(renderer) for p in ax.patches if p.get_width() and p.get_height()]
    covering = [(repr(t.get_text()), t.get_window_extent(renderer)) for t in texts]
    if ax.get_legend() is not None:
        covering.append(("the legend", ax.get_legend().get_window_extent(renderer)))
    problems += [f"{what} covers a bar at y={bar.y0:.0f}" for what, box in covering for bar in bars
                 if box.x0 < bar.x1 - 1 and bar.x0 < box.x1 - 1 and box.y0 < bar.y1 - 1 and bar.y0 < box.y1 - 1]
    return problems


def test_the_growth_chart_drawn_for_a_phone_is_phone_wide_and_readable():
    table = _skill_growth()
    html = hr_plots.chart_html(hr_plots.growth_chart, table, horizon=12, alt="growth", size=(9, 5))
    assert _narrow_png_width(html) <= PHONE_PNG  # was 997 px: shown at 40 % on a phone, its 8 pt text was 5 px tall
    fig, ax, renderer = _phone_drawing(hr_plots.growth_chart, table, horizon=12, height=5)
    assert _what_a_reader_cannot_read(fig, ax, renderer) == []
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[:3] == ["Time management", "Public speaking", "Written\ncommunication"]  # long names wrapped
    texts = [t.get_text() for t in _read_texts(ax)]
    assert "all skills +1.1" in texts  # the dashed line says what it is, beside it, not in a legend over the bars
    assert any(t.startswith("3 not shown (fewer employees") for t in texts)


def test_the_most_wanted_chart_drawn_for_a_phone_is_phone_wide_and_readable():
    table = _most_wanted()
    html = hr_plots.chart_html(hr_plots.most_wanted_chart, table, alt="wanted", size=(9, 4.5))
    assert _narrow_png_width(html) <= PHONE_PNG  # was 997 px, as wide as the desktop drawing
    fig, ax, renderer = _phone_drawing(hr_plots.most_wanted_chart, table, height=4.5)
    assert _what_a_reader_cannot_read(fig, ax, renderer) == []
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "Presenting to\nexecutives" in labels and "Stakeholder\nmanagement" in labels
    texts = [t.get_text() for t in _read_texts(ax)]
    assert "2 not shown (fewer employees than the minimum group size, or hidden so that comparing figures or " \
           "reports cannot single out a few people); 2 more with smaller values." in texts


def _rating_gaps() -> pd.DataFrame:
    """Self versus coach: all skills, fourteen skills shown (long names), three hidden."""
    rows = [{"skill": None, "department": None, privacy.COUNT: 563, "mean_gap": 0.4, "share_self_higher": 0.65,
             "share_self_lower": 0.19, privacy.PRIVACY: ""}]
    rows += [{"skill": name, "department": None, privacy.COUNT: 101 - 6 * i, "mean_gap": 0.5 - 0.03 * i,
              "share_self_higher": 0.6 - 0.02 * i, "share_self_lower": 0.05 + 0.01 * i, privacy.PRIVACY: ""}
             for i, name in enumerate(LONG_SKILLS)]
    rows += [{"skill": name, "department": None, privacy.COUNT: pd.NA, "mean_gap": None, "share_self_higher": None,
              "share_self_lower": None, privacy.PRIVACY: label}
             for name, label in [("Budgeting", "fewer than 5"), ("Copywriting", "not shown"),
                                 ("Account planning", "not shown")]]
    return pd.DataFrame(rows)


def test_the_self_versus_coach_chart_drawn_for_a_phone_is_phone_wide_and_readable():
    table = _rating_gaps()
    html = hr_plots.chart_html(hr_plots.gaps_chart, table, alt="gaps", size=(9, 4.5))
    assert _narrow_png_width(html) <= PHONE_PNG  # was 618 px on a 600-person demo: shown at 57 % on a phone
    fig, ax, renderer = _phone_drawing(hr_plots.gaps_chart, table, height=4.5)
    assert _what_a_reader_cannot_read(fig, ax, renderer) == []
    assert min(t.get_fontsize() for t in _read_texts(ax)) >= 8  # at full size: the PNG is not shrunk
    labels = [t.get_text() for t in ax.get_yticklabels()]
    # Each name as it fits, wrapped as value_bars wraps it, its figures whole after it.
    assert labels[:3] == ["All skills, each\nperson's mean\n(n=563, mean +0.4)", "Time management\n(n=101, mean +0.5)",
                          "Public speaking\n(n=95, mean +0.5)"]
    assert "Stakeholder\nmanagement\n(n=71, mean +0.4)" in labels  # 0.35: halves round up
    texts = [t.get_text() for t in _read_texts(ax)]
    # The note is under the chart on its own, not folded into the axis title.
    assert ax.xaxis.label.get_text().replace("\n", " ") == \
        "Share of employees with both ratings (the rest agree with their coach)"
    assert "3 skills not shown (too few employees, or hidden so that comparing figures or reports cannot single " \
           "out a few people)." in texts
    note = next(t for t in ax.texts if t.get_text().startswith("3 skills not shown"))
    legend = ax.get_legend().get_window_extent(renderer)
    assert note.get_window_extent(renderer).y1 <= legend.y0  # under the legend, which is under the axis title
    assert legend.y1 <= ax.xaxis.label.get_window_extent(renderer).y0


def test_the_self_versus_coach_chart_on_a_wide_screen_keeps_each_row_on_one_line():
    fig, ax = hr_plots.new_figure(9, 4.5)
    hr_plots.gaps_chart(ax, _rating_gaps())
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[:2] == ["All skills, each person's mean (n=563, mean +0.4)", "Time management (n=101, mean +0.5)"]
    assert "Stakeholder management (n=71, mean +0.4)" in labels
    low, high = ax.get_xlim()
    ticks = [t.get_text() for x, t in zip(ax.get_xticks(), ax.get_xticklabels()) if low <= x <= high]
    assert ticks == ["100%", "50%", "0%", "50%", "100%"]  # every 50% where there is room


def _rating_distribution() -> pd.DataFrame:
    """Rating bands of fourteen skills (long names): each skill's total row, then its bands; one band hidden."""
    rows = []
    for i, name in enumerate(LONG_SKILLS):
        rows.append({"skill": name, "band": None, "department": None, privacy.COUNT: 140 - 6 * i, "share": 1.0,
                     privacy.PRIVACY: ""})
        for band, share in zip(("1–3", "4–6", "7–8", "9–10"), (0.05, 0.45, 0.4, 0.1)):
            hidden = band == "1–3" and i % 3 == 0
            rows.append({"skill": name, "band": band, "department": None, privacy.COUNT: pd.NA if hidden else 7,
                         "share": None if hidden else share, privacy.PRIVACY: "fewer than 5" if hidden else ""})
    return pd.DataFrame(rows)


def test_the_distribution_chart_drawn_for_a_phone_is_phone_wide_and_readable():
    table = _rating_distribution()
    html = hr_plots.chart_html(hr_plots.distribution_chart, table, alt="bands", size=(9, 5))
    assert _narrow_png_width(html) <= PHONE_PNG  # was 465 px on a 600-person demo, shown at 76 % on a phone
    fig, ax, renderer = _phone_drawing(hr_plots.distribution_chart, table, height=5)
    assert _what_a_reader_cannot_read(fig, ax, renderer) == []
    assert min(t.get_fontsize() for t in _read_texts(ax)) >= 8  # at full size: the PNG is not shrunk
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == 12  # the twelve most-rated skills
    # Each name as it fits, wrapped as value_bars wraps it, the employees whole after it.
    assert labels[:3] == ["Time management\n(n=140)", "Public speaking\n(n=134)", "Written\ncommunication\n(n=128)"]
    assert "Stakeholder\nmanagement (n=110)" in labels and "Delegation (n=74)" in labels
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["1–3", "4–6", "7–8", "9–10", "not shown"]


def test_the_distribution_chart_on_a_wide_screen_keeps_each_row_on_one_line():
    fig, ax = hr_plots.new_figure(9, 5)
    hr_plots.distribution_chart(ax, _rating_distribution())
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[:3] == ["Time management (n=140)", "Public speaking (n=134)", "Written communication (n=128)"]
    assert fig.get_figheight() == 5  # as tall as the page asks


def test_every_two_trend_lines_are_told_apart_also_with_a_colour_vision_deficiency():
    """The six lines of the trends chart: every two differ clearly in colour and in marker; where a deficiency
    brings two colours close, their line styles differ too. Orange and vermillion (CIEDE2000 22 in normal
    vision) read as one colour to a reviewer; blue and bluish green, both solid, are 12 apart with tritanopia."""
    rows = [{"quarter": q, "skill": name, privacy.COUNT: 40 - i, "mean": 5.0, "median": 4.0 + i, "department": None,
             privacy.PRIVACY: ""} for i, name in enumerate(LONG_SKILLS[:6])
            for q in pd.to_datetime(["2025-01-01", "2025-04-01", "2025-07-01"])]
    fig, ax = hr_plots.new_figure()
    hr_plots.trends_chart(ax, pd.DataFrame(rows), top=6)
    lines = [line for line in ax.get_lines() if any(line.get_label().startswith(name) for name in LONG_SKILLS[:6])]
    assert len(lines) == 6
    legend = {text.get_text() for text in ax.get_legend().get_texts()}
    assert {line.get_label() for line in lines} <= legend
    for i, first in enumerate(lines):
        for second in lines[i + 1:]:
            pair = f"{first.get_label()} / {second.get_label()}"
            assert colour_difference(first.get_color(), second.get_color()) >= 35, pair
            assert first.get_marker() != second.get_marker(), pair
            for vision in ("protanopia", "deuteranopia", "tritanopia"):
                if colour_difference(first.get_color(), second.get_color(), vision) < 25:
                    assert first.get_linestyle() != second.get_linestyle(), f"{pair} with {vision}"


def _attainment() -> pd.DataFrame:
    return pd.DataFrame({"horizon_months": [6, 12], "department": [None, None], privacy.COUNT: [30, pd.NA],
                         "targets_due": [40, pd.NA], "share_reached": [0.5, None], "share_not_reached": [0.2, None],
                         "share_window_open": [0.1, None], "share_not_measured": [0.2, None],
                         privacy.PRIVACY: ["", "fewer than 5"]})


def _action_items() -> pd.DataFrame:
    return pd.DataFrame({"department": [None], privacy.COUNT: [30], "share_done": [0.4], "share_in_progress": [0.2],
                         "share_open": [0.2], "share_dropped": [0.2], privacy.PRIVACY: [""]})


# Eight HR charts, each drawn from a small table of its own (the contrast tests measure them all).
CHARTS = {
    "gaps": lambda ax: hr_plots.gaps_chart(ax, _gaps()),
    "trends": lambda ax: hr_plots.trends_chart(ax, _trends(), top=5),
    "distribution": lambda ax: hr_plots.distribution_chart(ax, _rating_distribution()),
    "growth": lambda ax: hr_plots.growth_chart(ax, _skill_growth()),
    "most wanted": lambda ax: hr_plots.most_wanted_chart(ax, _most_wanted()),
    "attainment": lambda ax: hr_plots.attainment_chart(ax, _attainment()),
    "action items": lambda ax: hr_plots.action_items_chart(ax, _action_items()),
    "heat map": lambda ax: hr_plots.department_heatmap(ax, _department_quarters(), None),
}


@pytest.mark.parametrize("draw", CHARTS.values(), ids=CHARTS.keys())
def test_every_mark_of_an_hr_chart_has_3_to_1_contrast_with_the_background(draw):
    """WCAG 1.4.11: a line, marker or bar (or its outline) and each legend key. Before: "not reached" and "open"
    in orange (#E69F00, 2.25:1), "in progress" in sky blue (#56B4E9, 2.3:1), the light parts ("not measured yet"
    #DCE9F2 1.24:1, "not measured" #BDBDBD 1.88:1, small groups #D9D9D9 1.41:1, low rating bands) with white
    edges, and the zero lines (#BBBBBB, 1.92:1)."""
    fig, ax = hr_plots.new_figure(9, 5)
    draw(ax)
    assert marks_below(ax) == []


def _heat_map_of_every_median() -> pd.DataFrame:
    """One department per row, its medians from 1 to 10 in halves across the quarters: every shade of the key."""
    quarters = pd.date_range("2024-01-01", periods=19, freq="QS")
    return pd.DataFrame([{"quarter": q, "skill": None, "department": d, privacy.COUNT: 12, "mean": 5.0,
                          "median": 1 + j / 2, privacy.PRIVACY: ""} for d in ("Sales", "Finance")
                         for j, q in enumerate(quarters)])


@pytest.mark.parametrize("draw", [*CHARTS.values(), lambda ax: hr_plots.department_heatmap(
    ax, _heat_map_of_every_median(), None)], ids=[*CHARTS.keys(), "heat map 1 to 10"])
@pytest.mark.parametrize("width", [9, hr_plots.NARROW_WIDTH])
def test_every_text_of_an_hr_chart_has_4_5_to_1_contrast_with_its_background(draw, width):
    """WCAG 1.4.3: labels, ticks, legends, the shares on the bars and the heat map's numbers. Before: a heat-map
    cell's number was white from a median of 6 up and dark below, 3.6-4.4:1 on the middle blues (e.g. #333333
    on 5.8's #6D8DAC, 3.64:1; white on 6's #6789A9, 3.67:1)."""
    fig, ax = hr_plots.new_figure(width, 5)
    draw(ax)
    assert texts_below(fig) == []
