"""The HR charts draw every name from the data as plain text, and say how many people each figure describes."""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.text import Text

from careerconv import hr_plots as H
from careerconv import privacy

HOSTILE = ["$\\frac{a$", "$\\frac{", "$x$ and $y$", "C:\\new\\table", "snake_case_skill", "<script>alert(1)</script>",
           "50% $$ off", "^{up}_{down}"]


def _texts(fig) -> list[str]:
    H.picture_html(fig, "alt")  # as the page renders it
    found = fig.findobj(Text)
    assert not [t.get_text() for t in found if t.get_parse_math()], "text left to the math-text parser"
    return [t.get_text() for t in found]


def _rendered(draw) -> tuple[str, list[str]]:
    fig, ax = H.new_figure(9, 5)
    draw(ax)
    html = H.picture_html(fig, "alt")  # raises if matplotlib tried to parse math-text
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
    html, texts = _rendered(lambda ax: H.gaps_chart(ax, _gaps()))
    assert '<img class="hr-chart" src="data:image/png;base64,' in html
    for name in HOSTILE:
        assert any(name in text for text in texts), name
    html, texts = _rendered(lambda ax: H.trends_chart(ax, _trends(), top=5))
    for name in HOSTILE[:5]:
        assert any(text.startswith(name + " (n 6)") for text in texts), name


def test_hostile_department_names_are_drawn_as_typed():
    frame = pd.DataFrame({"department": [None, "$R&D$", "Ops_\\team"], privacy.COUNT: [20, 9, 11],
                          "share_conversation_overdue": [0.1, 0.2, 0.0], "share_checkin_overdue": [0.3, 0.4, 0.2],
                          privacy.PRIVACY: ["", "", ""]})
    html, texts = _rendered(lambda ax: H.cadence_chart(ax, frame))
    assert "$R&D$ (n=9)" in texts and "Ops_\\team (n=11)" in texts and "All departments (n=20)" in texts


def test_trend_lines_break_at_a_quarter_nobody_rated_and_keep_its_place():
    fig, ax = H.new_figure()
    H.trends_chart(ax, _trends(), top=1)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["2025 Q1", "2025 Q2", "2025 Q3", "2025 Q4"]  # the quiet quarter is on the axis
    line = ax.get_lines()[0]
    ys = list(line.get_ydata())
    assert pd.isna(ys[2]) and ys[3] == 7.0  # no line drawn across 2025 Q3


def test_targets_due_are_split_into_reached_not_reached_and_not_measured():
    table = pd.DataFrame({"horizon_months": [6, 12], "department": [None, None], privacy.COUNT: [30, pd.NA],
                          "targets_due": [40, pd.NA], "share_reached": [0.5, None], "share_not_reached": [0.2, None],
                          "share_not_measured": [0.3, None], privacy.PRIVACY: ["", "fewer than 5"]})
    fig, ax = H.new_figure(9, 2.8)
    H.attainment_chart(ax, table)
    texts = _texts(fig)
    assert "6-month targets\n40 due, n=30" in texts and "fewer than 5" in texts
    assert {"50%", "20%", "30%"} <= set(texts)
    widths = sorted(round(p.get_width(), 2) for p in ax.patches if p.get_width() > 0)
    assert widths == [0.2, 0.3, 0.5]


@pytest.mark.parametrize("width", [9.0, 3.6])
def test_option_kinds_lists_every_kind_at_every_horizon(width):
    rows = [{"kind": kind, "horizon_months": h, "department": None, privacy.COUNT: n, "mean_gain": g,
             privacy.PRIVACY: label}
            for kind, h, n, g, label in [("course", 6, 34, 0.7, ""), ("mentoring", 6, 30, 0.33, ""),
                                         ("reading", 6, pd.NA, None, "fewer than 5"), ("course", 12, 28, 1.2, ""),
                                         ("mentoring", 12, pd.NA, None, "not shown")]]
    fig, ax = H.new_figure(width, 4)
    H.option_kinds_chart(ax, pd.DataFrame(rows))
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["6 months: course", "6 months: mentoring", "6 months: reading", "12 months: course",
                      "12 months: mentoring"]
    texts = _texts(fig)
    assert "+0.7  (n=34)" in texts and "+0.3  (n=30)" in texts and "+1.2  (n=28)" in texts
