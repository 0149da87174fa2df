"""The HR charts draw every name from the data as plain text, and say how many people each figure describes."""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.text import Text

from careerconv.views import hr_plots
from careerconv.rules import privacy

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
    labels = [t.get_text() for t in ax.get_yticklabels()]
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
    fig, ax = hr_plots.new_figure(hr_plots.NARROW_WIDTH, 3.8)
    hr_plots.department_heatmap(ax, _department_quarters(), None)
    hr_plots.narrow_layout(fig)
    renderer = fig.canvas.get_renderer()
    cells = [t for t in ax.texts]
    assert [t.get_text() for t in cells[:2]] == ["6.5\n10", "6.5\n11"]  # n below the median, without "n="
    assert _overlapping(cells, renderer) == []
    ticks = [t for t in ax.get_xticklabels()]
    assert [t.get_text() for t in ticks] == ["Q4", "Q1\n2025", "Q2", "Q3", "Q4", "Q1\n2026", "Q2", "Q3"]
    assert _overlapping(ticks, renderer) == []
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0] == "upper number: median rating; lower: n (employees)"  # the reader is told what 10 is


def test_the_department_heat_map_on_a_wide_screen_says_n_in_every_cell():
    fig, ax = hr_plots.new_figure(9, 3.8)
    hr_plots.department_heatmap(ax, _department_quarters(), None)
    assert [t.get_text() for t in ax.texts[:2]] == ["6.5\nn=10", "6.5\nn=11"]
    assert [t.get_text() for t in ax.get_xticklabels()][:2] == ["2024\nQ4", "2025\nQ1"]
    assert "upper number" not in " ".join(t.get_text() for t in ax.get_legend().get_texts())


def test_compact_period_labels_name_the_year_where_it_begins():
    quarters = [(pd.Timestamp(s), pd.Timestamp(s) + pd.DateOffset(months=3))
                for s in ("2025-01-01", "2025-04-01", "2025-07-01", "2025-10-01", "2026-01-01")]
    assert hr_plots.compact_period_labels(quarters) == ["Q1\n2025", "Q2", "Q3", "Q4", "Q1\n2026"]
    assert hr_plots.compact_period_labels(quarters[2:]) == ["Q3\n2025", "Q4", "Q1\n2026"]
    halves = [(pd.Timestamp("2025-07-01"), pd.Timestamp("2026-01-01")), (pd.Timestamp("2026-01-01"),
                                                                         pd.Timestamp("2026-07-01"))]
    assert hr_plots.compact_period_labels(halves) == ["H2", "H1\n2026"]
    years = [(pd.Timestamp("2025-01-01"), pd.Timestamp("2026-01-01"))]
    assert hr_plots.compact_period_labels(years) == ["2025"]
