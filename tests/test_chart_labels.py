"""The labels of the report's charts read as a reader reads them, measured on the drawn figure (the text boxes
after a draw) at the phone's width and the PDF's: no two labels side by side closer than a word, each label of a
star beside that star or joined to it by a line, and no mark drawn across a label. Found reading the demo
organisation's reports as pictures: "on track on track", "18-month target: 8" at the top of the figure far from
its star, and the target mark drawn through "now 8 · ahead"."""
from __future__ import annotations

import itertools
import math

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from careerconv.views import plots  # noqa: E402
from careerconv.surfaces.report import content, render  # noqa: E402
from test_report_truth import checkin, conversation, history  # noqa: E402

WIDTHS = (render.CHART_WIDTH, render.NARROW_WIDTH)  # as the PDF draws a chart, and as the HTML report does
# The cases of skill_case whose report date's line runs through the last star.
LAST_STAR_ON_THE_REPORT_DATE = ["top of the scale on its last day", "last star on the report date"]


def skill_case(case: str) -> content.ReportContent:
    """Plans that crowd a skill chart's labels.

    "on track twice": 5 on 10 Jan 2025, targets 6, 6, 7, rated 6 at 6 and at 12 months, read on 1 Jun 2027 (the
    time axis runs to then, so the two rings are close): on main "on track" and "on track" stood 4 px apart.
    "equal targets": 5 on 1 Jul 2026, targets 6, 6, 6, read on 1 Oct 2026: "12-month target: 6" beside
    "18-month target: 6". "missed": E0029's Time management, 4 on 3 Sep 2025, targets 5, 6, 8, never rated
    since, read on 1 Oct 2026: "18-month target: 8" went to the top of the figure. "top of the scale": E0019's
    Public speaking, 10 on 20 Mar 2026, targets 10, 10, 10, read on 1 Oct 2026: "6-month target: 10 due but not
    measured" went to the chart's foot. "leaver": the same as "missed" for someone who left on 15 Jun 2026.
    Two where the report date's line runs through the last star (the report is of the day of the 18-month
    target), at a phone's width: "top of the scale on its last day", the same plan as "top of the scale" read on
    20 Sep 2027 (the demo organisation's E0019, whose plan is of 17 Mar 2026, read on 17 Sep 2027): "18-month
    target: 10 due but not measured" sat 97 pt below its star, joined by a line along the report date's;
    "last star on the report date": Time management, 8 on 6 Jun 2025, targets 8, 9, 10, never rated, read on 6
    Dec 2026: the same label 72 pt below its star.
    """
    if case == "top of the scale on its last day":
        plan = conversation("2026-03-20", [("Public speaking", 10, (10, 10, 10))], coach=[8])
        return content.build_content(history([plan]), "2027-09-20")
    if case == "last star on the report date":
        return content.build_content(history([conversation("2025-06-06", [("Time management", 8, (8, 9, 10))])]),
                                     "2026-12-06")
    if case == "on track twice":
        plan = conversation("2025-01-10", [("Skill", 5, (6, 6, 7))])
        cis = [checkin("2025-07-10", [("Skill", 6, None)], conv=plan["conversation_id"]),
               checkin("2026-01-12", [("Skill", 6, None)], conv=plan["conversation_id"])]
        return content.build_content(history([plan], cis), "2027-06-01")
    if case == "equal targets":
        return content.build_content(history([conversation("2026-07-01", [("Giving feedback", 5, (6, 6, 6))])]),
                                     "2026-10-01")
    if case == "top of the scale":
        plan = conversation("2026-03-20", [("Public speaking", 10, (10, 10, 10))], coach=[8])
        return content.build_content(history([plan]), "2026-10-01")
    plan = conversation("2025-09-03", [("Time management", 4, (5, 6, 8)), ("Data storytelling", 5, (6, 7, 8))])
    h = history([plan])
    if case == "leaver":
        h.employee["left_on"] = "2026-06-15"
    return content.build_content(h, "2026-10-01")


def standing_case() -> content.ReportContent:
    """Coaching others 6 on 1 Jul 2025, targets 7, 8, 9, rated 8 on 1 Nov 2025 and read on 1 Dec 2025: "now 8 ·
    ahead" is written in its bar, through which the mark of its 6-month target 7 runs (E0004's report)."""
    plan = conversation("2025-07-01", [("Coaching others", 6, (7, 8, 9)), ("Employer branding", 7, (8, 8, 9)),
                                       ("Running effective meetings", 9, (9, 9, 10))])
    later = checkin("2025-11-01", [("Coaching others", 8, None), ("Employer branding", 8, None)],
                    conv=plan["conversation_id"])
    return content.build_content(history([plan], [later]), "2025-12-01")


def figures(report_content: content.ReportContent):
    """Every chart of the report at both widths, drawn."""
    with plots.plain_text():
        for width in WIDTHS:
            found = [render.standing_figure(report_content, width)]
            found += [render.skill_figure(data, width) for data in content.skill_chart_data(report_content)]
            for fig in found:
                fig.canvas.draw()
                yield width, fig


def label_boxes(fig) -> list:
    """The chart's labels (its annotations, not its ticks) with the box each one's text takes, in pixels."""
    ax, renderer = fig.axes[0], fig.canvas.get_renderer()
    return [(t, t.get_window_extent(renderer)) for t in ax.texts if t.get_visible() and t.get_text().strip()]


def words(text) -> str:
    return " ".join(text.get_text().split())


@pytest.mark.parametrize("case", ["on track twice", "equal targets", "missed", "top of the scale", "leaver"]
                         + LAST_STAR_ON_THE_REPORT_DATE)
def test_two_labels_side_by_side_are_at_least_a_word_apart(case):
    """Two labels on one line with a few pixels between them read as one phrase ("on track on track",
    "12-month target: 6 18-month target: 6"): side by side they are at least 8 pt apart (three spaces), one
    above the other at least 2 pt (more than the lines of one label)."""
    for width, fig in figures(skill_case(case)):
        point = fig.dpi / 72
        for (a, box_a), (b, box_b) in itertools.combinations(label_boxes(fig), 2):
            across = max(box_a.x0, box_b.x0) - min(box_a.x1, box_b.x1)
            down = max(box_a.y0, box_b.y0) - min(box_a.y1, box_b.y1)
            assert across >= 8 * point or down >= 2 * point, \
                f"{width} in wide: {words(a)!r} and {words(b)!r} are {across:.0f} px apart on one line"


def star_of(ax, label):
    """The centre (pixels) and radius of the star a target's label names: the target marker at its anchor."""
    x, y = ax.transData.transform(label.xy)
    for line in ax.get_lines():
        if line.get_gid() in (plots.GID_TARGET, plots.GID_AFTER_LEAVING):
            for point in line.get_transform().transform(np.column_stack([line.get_xdata(), line.get_ydata()])):
                if math.dist(point, (x, y)) < 1:
                    return point, line.get_markersize() * ax.figure.dpi / 72 / 2
    raise AssertionError(f"no star under {words(label)!r}")


def distance(point, box) -> float:
    return math.hypot(max(box.x0 - point[0], 0, point[0] - box.x1), max(box.y0 - point[1], 0, point[1] - box.y1))


@pytest.mark.parametrize("case", ["missed", "top of the scale", "leaver", "equal targets"]
                         + LAST_STAR_ON_THE_REPORT_DATE)
def test_each_target_label_sits_beside_its_star_or_a_line_joins_them(case):
    """A target's label is within 20 pt of its star's centre (its own place is 11 pt above or below it), or a
    line is drawn from the label's box to the star's edge: "18-month target: 8" at the top of the figure and
    "6-month target: 10 due but not measured" at the foot of the chart named no star a reader could tell."""
    seen = 0
    for width, fig in figures(skill_case(case)):
        ax = fig.axes[0]
        point = fig.dpi / 72
        leaders = [line.get_transform().transform(np.column_stack([line.get_xdata(), line.get_ydata()]))
                   for line in ax.get_lines() if line.get_gid() == plots.GID_LEADER]
        for label, box in label_boxes(fig):
            if "-month target:" not in words(label):  # a skill chart's target label (the bars' have no colon)
                continue
            seen += 1
            centre, radius = star_of(ax, label)
            if distance(centre, box) <= 20 * point:
                continue
            joined = any(distance(a, box) < 1.5 and abs(math.dist(b, centre) - radius) < 1.5 for a, b in leaders)
            assert joined, (f"{width} in wide: {words(label)!r} is {distance(centre, box) / point:.0f} pt from its "
                            "star, with no line to it")
    assert seen


def mark_boxes(ax) -> list:
    """Every marker of the chart as the box it covers (pixels): dots, rings, stars, the start's diamond, a bar's
    target line (as wide as its stroke), and the report date's line."""
    from matplotlib.transforms import Bbox

    point = ax.figure.dpi / 72
    boxes = []
    for line in ax.get_lines():
        xy = line.get_transform().transform(np.column_stack([line.get_xdata(orig=False),
                                                             line.get_ydata(orig=False)]).astype(float))
        if line.get_gid() == plots.GID_AS_OF:
            boxes.append((line.get_gid(), Bbox([[xy[0][0] - 0.5, -1e6], [xy[0][0] + 0.5, 1e6]])))
            continue
        if line.get_marker() in (None, "None", "", " "):
            continue
        tall = line.get_markersize() * point / 2
        wide = line.get_markeredgewidth() * point / 2 if line.get_marker() == "|" else tall
        boxes += [(line.get_gid(), Bbox([[x - wide, y - tall], [x + wide, y + tall]]))
                  for x, y in xy if np.isfinite(x) and np.isfinite(y)]
    return boxes


@pytest.mark.parametrize("case", ["standing", "missed", "top of the scale", "on track twice"]
                         + LAST_STAR_ON_THE_REPORT_DATE)
def test_no_mark_is_drawn_across_a_label(case):
    """A target's line through a bar's words ("now 8 · ahead" in its bar, the mark of the target 7 through it), a
    star or a ring on a label: the words cannot be read. No marker's box and no report date's line meets a
    label's box."""
    for width, fig in figures(standing_case() if case == "standing" else skill_case(case)):
        ax = fig.axes[0]
        for label, box in label_boxes(fig):
            for gid, mark in mark_boxes(ax):
                crossed = box.x0 < mark.x1 and mark.x0 < box.x1 and box.y0 < mark.y1 and mark.y0 < box.y1
                assert not crossed, f"{width} in wide: the {gid} mark is drawn across {words(label)!r}"


def test_a_bars_words_keep_their_status_when_they_fit():
    """Kept clear of the target mark, "now 8 · ahead" still says "ahead" (written in its bar before the mark,
    or after the bar)."""
    with plots.plain_text():
        for width in WIDTHS:
            fig = render.standing_figure(standing_case(), width)
            fig.canvas.draw()
            assert "now 8 \u00b7 ahead" in [t.get_text() for t in fig.axes[0].texts], width


@pytest.mark.parametrize("case", ["on track twice", "equal targets", "missed", "top of the scale", "leaver"]
                         + LAST_STAR_ON_THE_REPORT_DATE)
def test_no_label_moved_to_make_room_is_cut_at_the_edges(case):
    """The places a crowded label is moved to (a line up or down, beside its star, left of the report date's
    line) stay inside the figure, at the phone's width too."""
    for width, fig in figures(skill_case(case)):
        page = fig.bbox
        for label, box in label_boxes(fig):
            inside = box.x0 >= page.x0 and box.x1 <= page.x1 and box.y0 >= page.y0 and box.y1 <= page.y1
            assert inside, f"{width} in wide: {words(label)!r} is cut at the figure's edge"


def leader_lines(ax) -> list:
    """The lines joining a label to its mark (pixels): each from the label's box to the mark's edge."""
    return [line.get_transform().transform(np.column_stack([line.get_xdata(), line.get_ydata()]))
            for line in ax.get_lines() if line.get_gid() == plots.GID_LEADER]


def crosses(start, end, box) -> bool:
    """Whether the straight line from ``start`` to ``end`` passes through ``box`` (tried every half pixel)."""
    steps = max(2, int(math.dist(start, end) * 2))
    return any(box.x0 < x < box.x1 and box.y0 < y < box.y1
               for x, y in np.linspace(start, end, steps)[1:-1])


@pytest.mark.parametrize("case", ["top of the scale on its last day", "last star on the report date", "missed",
                                  "leaver", "top of the scale"])
def test_a_line_joining_a_label_to_its_mark_is_short_and_crosses_no_other_label(case):
    """A line of 97 pt from "18-month target: 10 due but not measured" to its star, along the report date's line
    through it, read as pointing to another mark: a label joined to its mark by a line sits within 72 pt of it
    (four times :data:`plots.LABEL_REACH`, a label's reach without a line), and the line crosses no other label."""
    for width, fig in figures(skill_case(case)):
        point = fig.dpi / 72
        boxes = [box for _, box in label_boxes(fig)]
        for start, end in leader_lines(fig.axes[0]):
            length = math.dist(start, end) / point
            assert length <= 4 * plots.LABEL_REACH, f"{width} in wide: a line of {length:.0f} pt to a mark"
            others = [box for box in boxes if distance(start, box) > 1]
            assert not any(crosses(start, end, box) for box in others), f"{width} in wide: a line crosses a label"


def test_labels_under_three_stars_at_the_top_of_the_scale_are_joined_by_short_lines():
    """Three targets of 10, none measured, read on the day of the last (its star on the report date's line): their
    three labels cannot all sit beside their stars at a phone's width, and two are joined to their star by a line;
    before, "6-month target: 10 due but not measured" was put 64.5 pt below its star (under the other two labels),
    where 40 pt below it, under the start's diamond and left of the last label, was clear."""
    for width, fig in figures(skill_case("top of the scale on its last day")):
        point = fig.dpi / 72
        lengths = [math.dist(start, end) / point for start, end in leader_lines(fig.axes[0])]
        assert max(lengths, default=0.0) <= 40, f"{width} in wide: a line of {max(lengths):.1f} pt"
