"""Charts of one person's progress: the progress report, its PDF and the app's skill charts.

The HR page's charts are in :mod:`careerconv.views.hr_plots`, which shares this palette.

Every helper takes a matplotlib ``Axes``, draws on it and returns it; nothing
here creates figures for display, calls ``plt.show()`` or saves files. That is
the caller's job (report notebook, HR notebook, tests with the Agg backend).

Colours come from the Okabe-Ito palette, which stays distinguishable with the
common colour-vision deficiencies; status is never shown by colour alone (each
status marker also carries its name). "Behind" is orange rather than red: the
report is a conversation aid, not an alarm.

Artists that tests and callers may want to find carry a ``gid``
(see the ``GID_*`` constants).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import colorsys
import textwrap

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, PercentFormatter

from careerconv.records import leavers
from careerconv.records.dates import human_date
from careerconv.records.schema import COACH_RATING, DATE, HORIZON_MONTHS, SKILL, STATUS
from careerconv.rules.progress import (
    AHEAD, BEHIND, DUE_NOT_MEASURED, ON_TRACK, UPCOMING, RATING_MAX, RATING_MIN, horizon_date,
)

__all__ = [
    "STATUS_COLOURS",
    "STATUS_TEXT_COLOURS",
    "PALETTE",
    "clean_axes",
    "skill_progress",
    "date_span",
    "dodge_labels",
    "plain_text",
    "plain_tick_labels",
    "current_vs_target_bars",
    "rating_trend",
    "distribution",
]

# --- contrast (WCAG 2) -----------------------------------------------------------
# A mark (a line, a marker, a bar) needs 3:1 with its background (WCAG 1.4.11); a text 4.5:1 (WCAG 1.4.3).
MARK_CONTRAST = 3.0
TEXT_CONTRAST = 4.5


def contrast_ratio(first: Any, second: Any = "white") -> float:
    """WCAG 2 contrast ratio of two matplotlib colours, from 1 (the same) to 21 (black on white)."""
    def luminance(colour: Any) -> float:
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
                   for c in matplotlib.colors.to_rgb(colour))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_shade(colour: Any, contrast: float = TEXT_CONTRAST) -> str:
    """The lightest shade of ``colour`` (its hue and saturation, less lightness) with at least ``contrast``
    against white, as ``"#rrggbb"``; ``colour`` itself where it has that already.

    Raises
    ------
    ValueError
        If ``contrast`` is not from 1 to 21 (black on white).
    """
    if not 1 <= contrast <= 21:
        raise ValueError(f"a contrast with white is from 1 to 21, not {contrast}")
    hue, lightness, saturation = colorsys.rgb_to_hls(*matplotlib.colors.to_rgb(colour))
    while True:
        shade = matplotlib.colors.to_hex(colorsys.hls_to_rgb(hue, max(lightness, 0.0), saturation))
        if lightness <= 0 or contrast_ratio(shade, "white") >= contrast:
            return shade
        lightness -= 0.002


def text_on(colour: Any) -> str:
    """The ink for text on a fill of ``colour``: white, near-black or black, the first with 4.5:1 on it (any
    colour has 4.58:1 with white or with black; near-black misses by a little on mid-tones)."""
    return next(ink for ink in ("white", "#1A1A1A", "black") if contrast_ratio(colour, ink) >= TEXT_CONTRAST)


def outline_for(fill: Any) -> str:
    """The edge of a filled mark on white: a white gap from its neighbours where its fill has 3:1 with white
    (WCAG 1.4.11), else a grey outline that has (a light part of a bar is then still seen where it ends)."""
    return "white" if contrast_ratio(fill, "white") >= MARK_CONTRAST else MARK_GREY


# --- palette (Okabe-Ito) -----------------------------------------------------
# Every colour that marks something (a line, a marker, a bar) has a contrast of at least 3:1 with the white
# background (WCAG 1.4.11). Okabe-Ito's orange (2.2:1), sky blue (2.3:1) and yellow (1.3:1) do not: they are
# darkened here in their own hue, so the palette keeps its colour-vision-safe hues.
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#C98400",  # orange, darkened from #E69F00 (3.1:1)
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#2F8FCB",  # sky blue, darkened from #56B4E9 (3.5:1)
    "#D55E00",  # vermillion
    "#9E8C00",  # yellow, darkened from #F0E442 to an olive (3.4:1)
    "#000000",  # black
)
# Grey for what has no colour of its own (upcoming targets, dropped items): the lightest grey at 3:1.
MARK_GREY = "#8C8C8C"
STATUS_COLOURS: dict[str, str] = {
    AHEAD: OKABE_ITO[0],
    ON_TRACK: OKABE_ITO[2],
    BEHIND: OKABE_ITO[1],
    DUE_NOT_MEASURED: "#B35C00",  # a darker orange: a date passed and nobody looked
    UPCOMING: MARK_GREY,
}
# The status words drawn on a chart: each its mark's colour darkened in its own hue, all by one factor that brings
# the lightest ("behind", 3.1:1) to 4.5:1, so the words keep the marks' order of lightness and their differences:
# ahead #005889 (7.6:1), on track #007F5D (5.0:1), behind #A36B00 (4.5:1), due but not measured #8C4800 (6.9:1),
# upcoming #707070 (5.0:1). Their marks measured 3.1-3.4:1 but for ahead (5.2) and due but not measured (4.7).
_WORD_FACTOR = TEXT_CONTRAST / min(contrast_ratio(colour, "white") for colour in STATUS_COLOURS.values())
STATUS_TEXT_COLOURS: dict[str, str] = {
    status: text_shade(colour, contrast_ratio(colour, "white") * _WORD_FACTOR)
    for status, colour in STATUS_COLOURS.items()
}
PALETTE: dict[str, str] = {
    "rating": "#3A4A5C",  # slate: the employee's own line
    "target": "#CC79A7",  # purple stars: where they aim to be
    "plan": "#A084B8",  # the dashed on-track lines, a quieter purple (3.2:1; #B9A3C6 was 2.3:1)
    "baseline": "#3A4A5C",
    "coach": "#8A6D3B",  # the coach's ratings, a muted brown
    "as_of": "#7F7F7F",  # the report date's line (4.0:1); its words take text_shade() of it
    "grid": "#E6E6E6",
    "text": "#333333",
    "muted": "#6B6B6B",
    "bar": MARK_GREY,
}
# Sequential blues for ratings 1..10 (light = low); readable in greyscale too.
RATING_CMAP = LinearSegmentedColormap.from_list("careerconv_ratings", ["#DCEAF7", "#0B3C6B"])

RATING_HEADROOM = 0.6  # rating units of blank space above 10 on rating axes
# Text sizes in points; at the charts' natural size (96 px per inch) 8.5 pt is
# 11.3 px, the smallest text a report shows.
LABEL_SIZE = 8.5
TICK_SIZE = 9
MIN_TEXT_POINTS = 8.25  # 11 px
DATE_TICKS_PER_INCH = 1.7  # a "Sep 2026" tick label is about 0.35 in wide at TICK_SIZE
# Where a chart's labels may go (:func:`dodge_labels`), in points. Two labels side by side keep a word's width
# apart, or "on track" next to "on track" reads as one phrase; one above the other, more than the lines of one
# label are apart. A label of a mark (a star, the start, a measured rating) has its nearest edge within
# LABEL_REACH of the mark's centre (its own place is 11-12 pt off it), or a leader line joins the two.
WORD_GAP = LABEL_SIZE
LINE_GAP = 3.0
LABEL_REACH = 18.0
# How every legend of a chart is drawn: under its axes, no frame, its words the size of the labels.
_LEGEND_STYLE: dict[str, Any] = {"loc": "upper center", "frameon": False, "fontsize": LABEL_SIZE, "handlelength": 1.8,
                                 "columnspacing": 1.4}
# Inches beyond the axes' top and right a label may take: the PDF puts other text that close to a chart.
LABEL_ROOM = 0.25
LEGEND_MARGIN = 0.05  # inches a legend keeps clear of its figure's left and right edges

GID_RATING = "rating"
GID_CHECKIN = "rating-checkin"
GID_CONVERSATION = "rating-conversation"
GID_IMPORT = "rating-import"
GID_BASELINE = "baseline"
GID_TARGET = "target"
GID_PLAN = "plan-line"
GID_MEASURED = "measured"
GID_AS_OF = "as-of"
GID_NOT_MEASURED = "not-measured"
GID_NEXT_TARGET = "next-target"
GID_COACH = "rating-coach"
GID_AFTER_LEAVING = "target-after-leaving"
GID_LEADER = "leader"  # the line from a label that could not sit beside its mark to that mark
# A thin grey line that joins a label to its mark, and what a key calls it: on its own, a reader could take it
# for a line of the data.
_LEADER_STYLE: dict[str, Any] = {"color": PALETTE["muted"], "linewidth": 0.8}
LEADER_WORDS = "Line from a label to its mark"
# The words for a target dated on or after the day someone left: it is never measured (the progress rule still
# calls it upcoming, or due but not measured once its date has passed; this is what a reader is told instead).
AFTER_LEAVING = "after you left"
# The same for a leaving day still to come (the person is still here on the report's day).
AFTER_LEAVING_SOON = "after you leave"
# A target due while they were here whose window for a rating was still open on their last day: they left before
# it could be measured (the progress rule calls it due but not measured; the rows given to the chart say this).
LEFT_UNMEASURED = "not measured: you left"

# How each kind of rating is drawn: conversations filled, check-ins open,
# anything imported as an open square.
_RATING_MARKERS: tuple[tuple[str, str, str, dict[str, Any]], ...] = (
    ("conversation", GID_CONVERSATION, "Rating in a career conversation", {"marker": "o"}),
    ("checkin", GID_CHECKIN, "Rating in a check-in",
     {"marker": "o", "markerfacecolor": "white", "markeredgewidth": 1.8}),
    ("import", GID_IMPORT, "Imported rating",
     {"marker": "s", "markersize": 6, "markerfacecolor": "white", "markeredgewidth": 1.6}),
)

# Labels keep a soft white backing so lines passing behind them do not hurt legibility.
_LABEL_BOX = {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85}


# --- public helpers ------------------------------------------------------------


def skill_progress(
    ax: Axes,
    skill: str,
    t0: Any,
    baseline: float | None,
    targets: Mapping[int, int],
    ratings: pd.DataFrame,
    progress_rows: pd.DataFrame | None = None,
    as_of: Any = None,
    *,
    span: tuple[Any, Any] | None = None,
    left_on: Any = None,
    leaving_words: str = AFTER_LEAVING,
) -> Axes:
    """Draw one skill's journey: ratings over time against the agreed plan.

    Shows the ratings (career conversations as filled dots, check-ins as
    open dots; coach ratings, when given, as triangles), the baseline at the
    conversation date, each target as a star at its horizon date, one dashed
    plan path from the baseline through the targets in turn, the rating
    measured at each horizon ringed in its status colour and named, passed
    targets with no measurement labelled :data:`~careerconv.rules.progress.DUE_NOT_MEASURED`,
    and a faint line at ``as_of``. A target dated on or after ``left_on``
    (the day the employee left, or will leave) is never measured: its star is drawn hollow and
    labelled ``leaving_words``, and one beyond ``span`` is not drawn (nor is the plan
    path to it). A row of ``progress_rows`` whose status is :data:`LEFT_UNMEASURED` is
    labelled so. Every label is plain text (a ``$`` in a skill name is a dollar
    sign) and labels are moved apart so none overlaps another, the axes' tick
    labels or the ``as_of`` line, and each reads as its own mark's.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    skill : str
        Skill name, used as the (left-aligned) title.
    t0 : date-like
        Date of the conversation that set the targets.
    baseline : float or None
        Rating at ``t0``; without one no plan path is drawn.
    targets : mapping of int to int
        Horizon in months -> target rating, e.g. ``{6: 6, 12: 7, 18: 8}``.
    ratings : pandas.DataFrame
        Columns ``date``, ``rating`` and ``source`` ("conversation",
        "checkin" or "import"), optionally ``coach_rating``; rows with no
        rating are skipped.
    progress_rows : pandas.DataFrame, optional
        This skill's rows of :func:`careerconv.rules.progress.progress_at_horizons`
        (columns ``horizon_months``, ``measured_date``, ``measured_rating``,
        ``status``, optionally ``horizon_reached``).
    as_of : date-like, optional
        The report date, drawn as a faint vertical line.
    span : (date-like, date-like), optional
        The time axis to use (see :func:`date_span`), so that several skill
        charts share one; by default it fits this chart's dates.
    left_on : date-like, optional
        The day the employee left or will leave (:mod:`careerconv.records.leavers`); None when none is known.
    leaving_words : str, default :data:`AFTER_LEAVING`
        What a target dated on or after ``left_on`` is called (:data:`AFTER_LEAVING_SOON` for a leaving day still
        to come).

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``.

    Raises
    ------
    ValueError
        If ``ratings`` or ``progress_rows`` lack a required column.
    """
    _require(ratings, (DATE, "rating", "source"), "ratings")
    if progress_rows is not None:
        _require(progress_rows, (HORIZON_MONTHS, "measured_date", "measured_rating", STATUS), "progress_rows")
    with plain_text():
        _draw_skill_progress(ax, skill, t0, baseline, targets, ratings, progress_rows, as_of, span, left_on,
                             leaving_words)
    return ax


def after_leaving(day: Any, left_on: Any) -> bool:
    """Whether a target dated ``day`` came on or after the day someone left (``left_on``; None: still here), so
    it is never measured."""
    return left_on is not None and not leavers.is_here(left_on, pd.Timestamp(day).date())


def _planned_targets(start: pd.Timestamp, targets: Mapping[int, Any], span: tuple[Any, Any] | None,
                     left_on: Any) -> list[tuple[int, float]]:
    """The targets a skill's chart draws, as (months, target), soonest first: a target dated on or after
    ``left_on`` and past the chart's end (``span``) is left off (nothing more is to come)."""
    planned = sorted((int(m), float(v)) for m, v in targets.items() if v is not None and not pd.isna(v))
    if span is not None and left_on is not None:
        planned = [(m, v) for m, v in planned
                   if not after_leaving(horizon_date(start, m), left_on) or horizon_date(start, m) <= span[1]]
    return planned


def hollow_targets(t0: Any, targets: Mapping[int, Any], progress_rows: pd.DataFrame | None = None, *,
                   span: tuple[Any, Any] | None = None, left_on: Any = None) -> list[int]:
    """The months of the targets :func:`skill_progress` draws as hollow stars: on the chart, dated on or after
    ``left_on`` and not measured (never measured: someone who left, or will leave, before their date).

    Takes :func:`skill_progress`'s arguments of the same names; returns [] when ``left_on`` is None, so a key
    names the hollow star only where a chart draws one.
    """
    start = pd.Timestamp(t0).normalize()
    measured = set() if progress_rows is None else {
        int(r.horizon_months) for r in progress_rows.itertuples(index=False) if not pd.isna(r.measured_rating)}
    return [m for m, _ in _planned_targets(start, targets, span, left_on)
            if m not in measured and after_leaving(horizon_date(start, m), left_on)]


def _draw_skill_progress(ax, skill, t0, baseline, targets, ratings, progress_rows, as_of, span, left_on,
                         leaving_words=AFTER_LEAVING) -> None:
    start = pd.Timestamp(t0).normalize()
    has_baseline = baseline is not None and not pd.isna(baseline)
    x_dates: list[pd.Timestamp] = [start]
    labels: list[Any] = []  # data labels, most important first (dodge_labels keeps those in place)

    # Ratings: one continuous line, with conversations and check-ins told apart
    # by marker fill, so the story reads left to right.
    rated = ratings.loc[ratings["rating"].notna(), [DATE, "rating", "source"]].copy()
    rated[DATE] = pd.to_datetime(rated[DATE]).dt.normalize()
    rated["rating"] = rated["rating"].astype(float)
    if has_baseline and not (rated[DATE] == start).any():
        baseline_row = pd.DataFrame({DATE: [start], "rating": [float(baseline)], "source": ["conversation"]})
        rated = pd.concat([baseline_row, rated], ignore_index=True) if len(rated) else baseline_row
    rated = rated.sort_values(DATE, kind="stable")
    x_dates.extend(rated[DATE])
    shown = _within(rated[DATE], span)
    if len(rated):
        ax.plot(
            _num(rated[DATE]), rated["rating"], color=PALETTE["rating"], linewidth=2,
            solid_capstyle="round", zorder=3, gid=GID_RATING, label="_rating line",
        )
        source = rated["source"].astype(str).to_numpy()
        for kind, gid, label, style in _RATING_MARKERS:
            mask = source == kind if kind != "import" else ~np.isin(source, ("conversation", "checkin"))
            mask &= shown  # the line may come in from the left; its dots outside the axis are not drawn
            if mask.any():
                ax.plot(
                    _num(rated[DATE][mask]), rated["rating"][mask], linestyle="none",
                    color=PALETTE["rating"], zorder=4, clip_on=False, gid=gid, label=label,
                    **{"markersize": 7, **style},
                )
    if COACH_RATING in ratings.columns:
        coach = ratings.loc[ratings[COACH_RATING].notna(), [DATE, COACH_RATING]]
        coach = coach.loc[_within(pd.to_datetime(coach[DATE]).dt.normalize(), span)]
        if len(coach):
            when = pd.to_datetime(coach[DATE]).dt.normalize()
            x_dates.extend(when)
            ax.plot(
                _num(when), coach[COACH_RATING].astype(float), linestyle="none", marker="^", markersize=7,
                markerfacecolor="white", markeredgewidth=1.6, color=PALETTE["coach"], zorder=4, clip_on=False,
                gid=GID_COACH, label="Your coach's rating",
            )

    # Measured ratings at each horizon, looked up first so labels can be placed
    # on opposite sides of the target star and the status ring.
    measured_at: dict[int, tuple[pd.Timestamp, float, str]] = {}
    missed: set[int] = set()
    left_unmeasured: set[int] = set()
    if progress_rows is not None:
        for row in progress_rows.itertuples(index=False):
            if not pd.isna(row.measured_rating):
                measured_at[int(row.horizon_months)] = (
                    pd.Timestamp(row.measured_date).normalize(), float(row.measured_rating), str(row.status))
            elif row.status == DUE_NOT_MEASURED:
                missed.add(int(row.horizon_months))
            elif row.status == LEFT_UNMEASURED:
                left_unmeasured.add(int(row.horizon_months))

    # One plan path: from the start through each target in turn.
    planned = _planned_targets(start, targets, span, left_on)
    hollow = set(hollow_targets(start, targets, progress_rows, span=span, left_on=left_on))
    path_x = [start] if has_baseline else []
    path_y = [float(baseline)] if has_baseline else []
    for months, value in planned:
        path_x.append(horizon_date(start, months))
        path_y.append(value)
    x_dates.extend(path_x)
    if has_baseline and len(path_x) > 1:
        ax.plot(_num(path_x), path_y, linestyle=(0, (4, 3)), linewidth=1.5, color=PALETTE["plan"], zorder=2,
                gid=GID_PLAN, label="_plan")

    status_labels, target_labels, other_labels = [], [], []
    target_label_up: dict[int, bool] = {}
    for months, value in planned:
        when = horizon_date(start, months)
        gone = months in hollow
        # Below the rating markers, so the employee's own dots stay visible; hollow when it was never measured.
        ax.plot(
            _num([when]), [value], linestyle="none", marker="*", markersize=16,
            color=PALETTE["target"], markeredgecolor=PALETTE["target"] if gone else "white",
            markerfacecolor="white" if gone else PALETTE["target"], markeredgewidth=1.2 if gone else 0.8,
            zorder=3.5, clip_on=False, gid=GID_AFTER_LEAVING if gone else GID_TARGET, label="_target",
        )
        hit = measured_at.get(months)
        # Target label above the star, unless the measured rating sits on or
        # above it (then the status label takes the top), or the star is at
        # the top of the scale.
        up = (hit is None or hit[1] < value) and value < RATING_MAX
        target_label_up[months] = up
        # What became of a target not measured is a second line of its own label, so it reads as this star's
        # (a label of its own could end up between two stars: found on E0029's charts).
        status = (leaving_words if gone else DUE_NOT_MEASURED if months in missed
                  else LEFT_UNMEASURED if months in left_unmeasured else None)
        target_labels.append(ax.annotate(
            f"{months}-month target: {int(value)}" + (f"\n{status}" if status else ""), (_num([when])[0], value),
            xytext=(0, 11 if up else -11), textcoords="offset points", ha="center",
            va="bottom" if up else "top", fontsize=LABEL_SIZE, annotation_clip=False, bbox=_LABEL_BOX,
            color=STATUS_TEXT_COLOURS[DUE_NOT_MEASURED] if status == DUE_NOT_MEASURED
            else STATUS_TEXT_COLOURS[UPCOMING] if status else PALETTE["text"],
            fontweight="bold" if status == DUE_NOT_MEASURED else "normal",
            gid=GID_NOT_MEASURED if status == DUE_NOT_MEASURED else GID_AFTER_LEAVING if status else GID_TARGET,
        ))

    # Measured at each horizon: a ring in the status colour plus its name, so
    # the status does not depend on colour vision.
    statuses_shown: list[str] = []
    for months, (when, value, status) in sorted(measured_at.items()):
        colour = STATUS_COLOURS.get(status, PALETTE["muted"])
        x_dates.append(when)
        ax.plot(
            _num([when]), [value], linestyle="none", marker="o", markersize=16,
            markerfacecolor="none", markeredgecolor=colour, markeredgewidth=2.2,
            zorder=6, clip_on=False, gid=GID_MEASURED, label="_measured",
        )
        up = not target_label_up.get(months, False)
        status_labels.append(ax.annotate(
            status, (_num([when])[0], value), xytext=(0, 12 if up else -12), textcoords="offset points",
            ha="center", va="bottom" if up else "top", fontsize=LABEL_SIZE, fontweight="bold",
            color=STATUS_TEXT_COLOURS.get(status, PALETTE["muted"]), annotation_clip=False, gid=GID_MEASURED,
            bbox=_LABEL_BOX,
        ))
        if status not in statuses_shown:
            statuses_shown.append(status)

    if has_baseline:
        ax.plot(
            _num([start]), [float(baseline)], linestyle="none", marker="D", markersize=8,
            color=PALETTE["baseline"], markeredgecolor="white", markeredgewidth=1.2, zorder=5,
            clip_on=False, gid=GID_BASELINE, label="Baseline",
        )
        up = float(baseline) < RATING_MAX
        other_labels.append(ax.annotate(
            f"start: {int(baseline)}", (_num([start])[0], float(baseline)), xytext=(-6, 12 if up else -12),
            textcoords="offset points", ha="left", va="bottom" if up else "top", fontsize=LABEL_SIZE,
            color=PALETTE["muted"], annotation_clip=False, bbox=_LABEL_BOX,
        ))

    if as_of is not None:
        as_of_day = pd.Timestamp(as_of).normalize()
        x_dates.append(as_of_day)
        ax.axvline(
            _num([as_of_day])[0], color=PALETTE["as_of"], linewidth=1, linestyle=":", zorder=1,
            gid=GID_AS_OF, label="_as of",
        )
        as_of_label = ax.annotate(
            f"as of {human_date(as_of_day)}", (_num([as_of_day])[0], 0.0), xycoords=("data", "axes fraction"),
            xytext=(3, 3), textcoords="offset points", ha="left", va="bottom", fontsize=LABEL_SIZE,
            color=text_shade(PALETTE["as_of"]), annotation_clip=False, gid=GID_AS_OF,
        )
        labels.append(as_of_label)  # first: it belongs at the foot of its line, the others move around it

    _style_rating_axis(ax, axis="y")
    _set_date_axis(ax, x_dates if span is None else list(span), padded=span is None)
    ax.set_title(skill, loc="left", fontsize=13, fontweight="bold", color=PALETTE["text"], pad=10)
    if as_of is not None:
        _before_the_line_if_cut(ax, as_of_label)
    labels.extend(status_labels + target_labels + other_labels)
    dodge_labels(ax, labels)
    _legend_below(ax, _progress_legend_handles(ax, statuses_shown))  # after the labels: it names a leader line


def _before_the_line_if_cut(ax: Axes, label: Any) -> None:
    """Write the "as of" words before the report date's line when after it they would run past the room a label
    takes right of the axes (:func:`_label_room`): off the figure (a leaver's chart ends soon after the report
    date: "as of 1 Oct 2026" was cut to "as of 1"), or on the PDF's page into its right margin (32 pt, on a chart
    whose report date is after its last target)."""
    renderer = _renderer(ax)
    if label.get_window_extent(renderer).x1 > _label_room(ax, renderer)[1]:
        label.set_horizontalalignment("right")
        label.xyann = (-label.xyann[0], label.xyann[1])


def _within(dates: pd.Series, span: tuple[Any, Any] | None) -> np.ndarray:
    """Which ``dates`` fall inside ``span`` (all of them without one)."""
    if span is None:
        return np.ones(len(dates), dtype=bool)
    lo, hi = pd.Timestamp(span[0]), pd.Timestamp(span[1])
    return ((dates >= lo) & (dates <= hi)).to_numpy(dtype=bool)


def date_span(dates: Any, pad_days: int = 30) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The time axis that shows all ``dates``: their range padded on both sides.

    Give the result to several :func:`skill_progress` calls (``span=``) so
    their charts share one time axis.

    Parameters
    ----------
    dates : iterable of date-like
        Every date to show (conversation, ratings, horizons, report date);
        missing values are ignored.
    pad_days : int, default 30
        The least padding on each side, in days (4 % of the range when larger).

    Returns
    -------
    (pandas.Timestamp, pandas.Timestamp)

    Raises
    ------
    ValueError
        If there is no date at all.
    """
    stamps = pd.to_datetime(pd.Series(list(dates), dtype=object)).dropna()
    if stamps.empty:
        raise ValueError("date_span needs at least one date")
    lo, hi = stamps.min().normalize(), stamps.max().normalize()
    pad = max(pd.Timedelta(days=pad_days), (hi - lo) * 0.04)
    return lo - pad, hi + pad


def dodge_labels(ax: Axes, labels: list[Any], gap: float = 2.0, tries: int = 12, *,
                 fixed: Sequence[Any] = ()) -> None:
    """Move annotations until none overlaps or crowds another, a mark, or the axes' tick labels, and each label
    of a mark (a target's star or line, the start, a measured rating) sits beside that mark and reads as its.

    Labels earlier in ``labels`` keep their place first. Each label is tried
    at its own place, then at other places around its anchor
    (:func:`_places_around`): the other side of its mark, the same sides with
    the text reaching left or right of the mark, beside the mark, half a line
    further up or down, then further up and down by steps of its own height.
    A place must be clear of the labels placed before it (and of ``fixed``) by
    :data:`WORD_GAP` side by side and :data:`LINE_GAP` one above the other, and
    of every marker and bar, of the axes' tick labels (below and left of the
    axes), of the report date's line (drawn with ``gid`` :data:`GID_AS_OF`), of
    the figure's edges and of what lies more than :data:`LABEL_ROOM` above or
    right of the axes (a page's other text). The label of a mark is kept at
    the first clear place within :data:`LABEL_REACH` of the mark that is nearer
    its own mark than any other labelled mark by a line's height (on a narrow
    chart a label centred under one star could end beside the next star or the
    start's diamond, and read as theirs), trying its text with its longest line
    broken in two as well; else at the clear place within reach where it is
    least mistaken for another mark's, if it is nearer its own; else at the
    clear place nearest its mark, sought every point across the room, nearer
    its own mark than any other (if there is one) and with no label between
    them, joined to its mark by a leader line (``gid`` :data:`GID_LEADER`)
    when beyond reach; when no place is clear at all it stays where it was
    drawn. The labels placed after a leader line keep clear of it. When a
    label needs a line, the labels are placed again with those that needed
    one first (after the labels of no mark), as long as another label comes
    to need one, and the placing whose lines cross the fewest labels, then
    with the fewest labels not plainly their mark's, then whose longest line
    is the shortest, is kept. The tick labels are not
    measured (laying them out costs more than the whole chart's drawing): the
    axes' edges stand for them.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The Axes the annotations belong to (its figure is laid out to measure
        the text; nothing is saved).
    labels : list of matplotlib.text.Annotation
        Annotations placed with ``textcoords="offset points"``.
    gap : float, default 2
        Space to keep between a label and a mark, in pixels.
    tries : int, default 12
        Steps up and down to try for each label.
    fixed : sequence of matplotlib.text.Annotation, optional
        Labels already in their place (a bar's value): not moved; the others keep clear of them.
    """
    plain_tick_labels(ax)
    if not labels:
        return
    from matplotlib.transforms import Bbox

    renderer = _renderer(ax)
    frame = ax.get_window_extent(renderer)
    far = 1e7
    px_per_point = ax.figure.dpi / 72.0
    top, right = _label_room(ax, renderer)
    # Below the axes (x tick labels), left of them (y tick labels), above and right of the room: never.
    obstacles = [Bbox([[-far, -far], [far, frame.y0]]), Bbox([[-far, -far], [frame.x0, far]]),
                 Bbox([[-far, top], [far, far]])]
    obstacles += [title.get_window_extent(renderer) for title in (ax.title, ax._left_title, ax._right_title)
                  if title.get_text()]
    markers = _marker_boxes(ax, px_per_point)
    obstacles += markers
    # A bar: its words are in it or after it; a label of the target above it may come right to its edge.
    obstacles += [bar.get_window_extent(renderer).padded(-gap) for bar in ax.patches if bar.get_gid() == GID_RATING]
    # The report date's line: a label on both sides of it reads as half before, half after that day.
    walls = [x for line in ax.get_lines() if line.get_gid() == GID_AS_OF
             for x, _ in line.get_transform().transform(np.column_stack([line.get_xdata(orig=False),
                                                                          line.get_ydata(orig=False)])[:1])]
    obstacles += [Bbox([[x - 0.5, -far], [x + 0.5, far]]) for x in walls]
    marks = [_mark_of(ax, label, markers) for label in labels]
    anchors = [_centre(m) for m in marks if m is not None]
    starts = [(label.get_text(), label.xyann) for label in labels]

    def place(order: list[int]) -> list[tuple[Any, bool]]:
        """Each label put at its best place (its box, and whether it needs a leader line), in ``order``."""
        for label, (text, at) in zip(labels, starts):
            label.set_text(text)
            label.xyann = at
        room = _Room(list(obstacles), [label.get_window_extent(renderer) for label in fixed],
                     (frame.x0 + gap, right - gap), gap, (WORD_GAP * px_per_point, LINE_GAP * px_per_point),
                     Bbox([[frame.x0 + gap, frame.y0], [right - gap, top]]))
        places: dict[int, tuple[Any, bool]] = {}
        for i in order:
            box, leader = _place_label(labels[i], renderer, room, marks[i], anchors, tries, px_per_point, walls)
            places[i] = box, leader
            room.placed.append(box)
            if leader:  # the labels placed after it keep clear of its line
                ends = np.array([_centre(marks[i]), _nearest_point(box, _centre(marks[i]))])
                room.obstacles.append(Bbox([ends.min(axis=0), ends.max(axis=0)]))
        return [places[i] for i in range(len(labels))]

    def leaders(places: list[tuple[Any, bool]]) -> tuple[int, int, float]:
        """How many leader lines cross another label, how many labels without one are not plainly their mark's
        (nearer it than any other by less than a line), and the longest line (pixels): the fewer, the shorter,
        the better."""
        lines = [(_nearest_point(box, _centre(mark)), _centre(mark), box) for (box, leader), mark
                 in zip(places, marks) if leader]
        crossing = sum(bool(_crosses(np.array(start[0]), np.array(start[1]), end, other))
                       for start, end, own in lines for other, _ in places if other is not own)
        unclear = sum(_slack(box, _centre(mark), anchors, mark) < box.height / len(label.get_text().split("\n"))
                      for label, (box, leader), mark in zip(labels, places, marks) if mark is not None and not leader)
        return crossing, unclear, max((float(np.hypot(start[0] - end[0], start[1] - end[1]))
                                       for start, end, _ in lines), default=0.0)

    # A label put first beside its own mark may take the only place near another's (found: a line of 72 pt from
    # the last star, the report date's line through it, "6-month target: 8 due but not measured" in the way); a
    # placing that spares a line but leaves a label between two stars is no better.
    order = list(range(len(labels)))
    best_order, places = order, place(order)
    best, promoted = leaders(places), [i for i in order if marks[i] is None]
    while any(leader and i not in promoted for i, (_, leader) in enumerate(places)):
        promoted += [i for i in order if places[i][1] and i not in promoted]
        order = promoted + [i for i in order if i not in promoted]
        places = place(order)
        if leaders(places) < best:
            best_order, best = order, leaders(places)
    if order != best_order:
        places = place(best_order)
    for (box, leader), mark in zip(places, marks):
        if leader:
            _draw_leader(ax, box, mark)


def _label_room(ax: Axes, renderer: Any) -> tuple[float, float]:
    """The top and the right edge (display pixels) of the room a label of ``ax`` may take: :data:`LABEL_ROOM`
    above and right of the axes, within the figure (on the PDF's page: inside its margins, where its other text
    is)."""
    frame = ax.get_window_extent(renderer)
    beyond = LABEL_ROOM * ax.figure.dpi
    return min(ax.figure.bbox.y1, frame.y1 + beyond), min(ax.figure.bbox.x1, frame.x1 + beyond)


@dataclass(frozen=True)
class _Room:
    """What a label must keep clear of: ``obstacles`` (marks, bars, edges) by ``gap`` pixels, ``placed`` labels by
    ``label_gaps`` (side by side, one above the other); the x positions ``sides`` it must lie between, and the
    ``area`` it lies within."""

    obstacles: list[Any]
    placed: list[Any]
    sides: tuple[float, float]
    gap: float
    label_gaps: tuple[float, float]
    area: Any  # the display box every label lies within (between ``sides``, the axes' foot and the room's top)

    def clear(self, box: Any) -> bool:
        return not (_overlaps(box, self.obstacles, self.gap, self.gap)
                    or _overlaps(box, self.placed, *self.label_gaps))

    def nearest_clear(self, box: Any, point: tuple[float, float], step: float,
                      others: Sequence[tuple[float, float]] = (), beyond: float = 0.0
                      ) -> tuple[float, float, float] | None:
        """The clear place for ``box`` nearest ``point``, further than ``beyond`` from it and nearer it than any of
        ``others`` (other labelled marks), with no placed label between it and ``point``, among the places of its
        size in :attr:`area`
        every ``step`` pixels across and up (of places as near, the one centred nearest ``point``): its distance
        from ``point`` and the shift (x, y) that takes ``box`` there (pixels); None when there is none."""
        (left, bottom), (right, top) = self.area.get_points()
        x0, y0 = np.meshgrid(np.arange(left, right - box.width + 1e-9, step),
                             np.arange(bottom, top - box.height + 1e-9, step))
        if not x0.size:
            return None
        x1, y1 = x0 + box.width, y0 + box.height
        clear = np.ones(x0.shape, dtype=bool)
        for boxes, gap_x, gap_y in ((self.obstacles, self.gap, self.gap), (self.placed, *self.label_gaps)):
            for o in boxes:
                clear &= ~((x0 < o.x1 + gap_x) & (o.x0 < x1 + gap_x) & (y0 < o.y1 + gap_y) & (o.y0 < y1 + gap_y))

        def away(x: float, y: float) -> np.ndarray:
            return np.hypot(np.maximum(np.maximum(x0 - x, x - x1), 0.0), np.maximum(np.maximum(y0 - y, y - y1), 0.0))

        distance = away(*point)
        clear &= distance > beyond
        for other in others:
            clear &= distance < away(*other)
        # the straight line from the place to the mark (a leader line, or the eye's path) crosses no other label
        near_x, near_y = np.clip(point[0], x0, x1), np.clip(point[1], y0, y1)
        for o in self.placed:
            clear &= ~_crosses(near_x, near_y, point, o)
        distance = np.where(clear, distance, np.inf)
        # of places as near (to a tenth of a pixel), the one centred nearest ``point``: over its mark, not beside it
        off_centre = np.hypot((x0 + x1) / 2 - point[0], (y0 + y1) / 2 - point[1])
        nearest = np.unravel_index(np.lexsort((off_centre.ravel(), np.round(distance, 1).ravel()))[0], x0.shape)
        if not np.isfinite(distance[nearest]):
            return None
        return float(distance[nearest]), float(x0[nearest] - box.x0), float(y0[nearest] - box.y0)


def _place_label(label: Any, renderer: Any, room: _Room, mark: Any, anchors: list[tuple[float, float]],
                 tries: int, px_per_point: float, walls: Sequence[float] = ()) -> tuple[Any, bool]:
    """Put ``label`` at its best place (see :func:`dodge_labels`); return the box it takes, and whether it is
    beyond reach of its mark (it needs a leader line)."""
    start = label.xyann
    texts = [label.get_text()] + ([_longest_line_broken(label.get_text())] if mark is not None else [])
    own = None if mark is None else _centre(mark)
    reach = LABEL_REACH * px_per_point
    best: tuple[tuple[int, float], str, float, float, Any] | None = None  # (rank, text, shift x, shift y, box)
    for text in dict.fromkeys(t for t in texts if t):
        label.set_text(text)
        label.xyann = start
        box = label.get_window_extent(renderer)
        line = box.height / len(text.split("\n"))
        for shift_x, shift_y in _places_around(box, mark, room.gap, tries, walls):
            moved = _inside(box.translated(shift_x, shift_y), room.sides)
            if not room.clear(moved):
                continue
            slack = _slack(moved, own, anchors, mark)
            distance = 0.0 if own is None else _distance(own, moved)
            # Best first: beside its mark and plainly its; beside it and nearer it than any other; further off,
            # nearest first (a leader line joins them); beside it but nearer another mark.
            rank = ((0, 0.0) if distance <= reach and slack >= line else (1, -slack) if distance <= reach and slack > 0
                    else (2, distance) if distance > reach else (3, -slack))
            if best is None or rank < best[0]:
                best = (rank, text, moved.x0 - box.x0, moved.y0 - box.y0, moved)
            if rank[0] == 0:
                break
        if best is not None and best[0][0] == 0:
            break
    if best is None:
        label.set_text(texts[0])
        label.xyann = start
        return label.get_window_extent(renderer), False
    if best[0][0] == 2:
        best = _nearest_place(label, texts, start, renderer, room, (own, _other_marks(own, anchors, mark)),
                              px_per_point, best)
    rank, text, shift_x, shift_y, moved = best
    label.set_text(text)
    label.xyann = (start[0] + shift_x / px_per_point, start[1] + shift_y / px_per_point)
    return moved, rank[0] == 2 and rank[1] > reach


def _nearest_place(label: Any, texts: list[str], start: tuple[float, float], renderer: Any, room: _Room,
                   marks: tuple[tuple[float, float], list[tuple[float, float]]], px_per_point: float,
                   best: tuple[tuple[int, float], str, float, float, Any]
                   ) -> tuple[tuple[int, float], str, float, float, Any]:
    """For a label no place around its mark (:func:`_places_around`) holds within reach: the clear place within
    :data:`LABEL_REACH` of its mark and nearer it than any other labelled mark (``marks``: its own centre and the
    others'; when there is none, the nearest beyond reach, where its line tells whose it is), no other label
    between them, sought every point across the room (:meth:`_Room.nearest_clear`); of its texts that are as near
    (within a point), the narrower, which leaves the labels placed after it more room; ``best`` when there is
    none. Found: a line of 99 pt from "18-month target: 10 due but not measured" to its star at a phone's width,
    the report date's line through the star (the places around a mark step by a label's height); and, with three
    stars at the top of the scale, a line of 64.5 pt where one of 40 would do (a place beyond reach nearer its own
    star than the start's, taken before a nearer one, and a wide text taken where a narrow one left no room)."""
    own, others = marks
    reach = LABEL_REACH * px_per_point
    # within reach and nearer its own mark than any other; else beyond reach (where its line tells whose it is)
    for mistaken, beyond, within in ((others, 0.0, reach), ((), reach, float("inf"))):
        nearest = None
        for text in dict.fromkeys(t for t in texts if t):
            label.set_text(text)
            label.xyann = start
            box = label.get_window_extent(renderer)
            found = room.nearest_clear(box, own, px_per_point, mistaken, beyond)
            # of texts as near (within a point), the narrower: it leaves the labels placed after it more room
            if found is not None and (nearest is None or found[0] < nearest[0][1] - px_per_point
                                      or (found[0] <= nearest[0][1] + px_per_point and box.width < nearest[4].width)):
                distance, shift_x, shift_y = found
                nearest = ((2, distance), text, shift_x, shift_y, box.translated(shift_x, shift_y))
        if nearest is not None and nearest[0][1] <= within:
            return nearest
    return best


def _draw_leader(ax: Axes, box: Any, mark: Any) -> None:
    """A thin line from the nearest point of a label's ``box`` to the edge of its ``mark`` (display boxes)."""
    centre = np.array(_centre(mark))
    near = np.array(_nearest_point(box, _centre(mark)))
    length = float(np.hypot(*(near - centre)))
    edge = centre + (near - centre) * min(1.0, max(mark.width, mark.height) / 2 / length)
    (x0, y0), (x1, y1) = ax.transData.inverted().transform([near, edge])
    ax.plot([x0, x1], [y0, y1], **_LEADER_STYLE, zorder=2.5, clip_on=False, gid=GID_LEADER, label="_leader")


def _places_around(box: Any, mark: Any, gap: float, tries: int,
                   walls: Sequence[float] = ()) -> Iterator[tuple[float, float]]:
    """Shifts (in pixels) to try for a label's ``box``, best first: where it is; for the label of a ``mark``,
    the other side of the mark, either side reaching left or right of it, and beside it, then all of these
    half a line up and down; then further up and down by steps of the label's height (for the label of a
    mark: also reaching left or right of it, and beside it, so a mark with the report date's line through it
    still has a place on one side); last, for the label of a mark near a line at one of the x positions
    ``walls`` (the report date's), the near side of that line and the far one, above, below, beside the mark
    and further up and down (a leaver's chart ends soon after their last day: a target after it, at the
    chart's right edge, had no place right of the line)."""
    yield 0.0, 0.0
    step = box.height + gap
    steps = [step * ((i + 1) // 2) * (1 if i % 2 else -1) for i in range(1, tries + 1)]
    if mark is None:
        for shift_y in steps:
            yield 0.0, shift_y
        return
    x, y = _centre(mark)
    above = box.y0 >= y
    flipped = (mark.y0 - gap - box.y1) if above else (mark.y1 + gap - box.y0)
    middle = y - (box.y0 + box.y1) / 2
    beside = (mark.x1 + gap - box.x0, mark.x0 - gap - box.x1)
    half = step / 2
    for nudge in (0.0, half, -half):
        for shift_y in (0.0, flipped):
            yield x - (box.x0 + box.x1) / 2, shift_y + nudge
            yield mark.x0 - box.x0, shift_y + nudge  # reaching right of the mark
            yield mark.x1 - box.x1, shift_y + nudge  # reaching left of it
        for shift_x in beside:
            yield shift_x, middle + nudge
        for shift_y in (0.0, flipped):  # beside it, above or below
            for shift_x in beside:
                yield shift_x, shift_y + nudge
    for shift_y in steps:
        yield 0.0, shift_y
    for shift_y in steps:
        for shift_x in (mark.x0 - box.x0, mark.x1 - box.x1):
            yield shift_x, shift_y
        for shift_x in beside:
            yield shift_x, middle + shift_y
    for wall in walls:
        clear = 2 * gap + 1  # the line's half width and the gap kept on both sides
        for shift_x in (wall - clear - box.x1, wall + clear - box.x0):
            for shift_y in (0.0, flipped, middle, *steps):
                yield shift_x, shift_y


def _inside(box: Any, sides: tuple[float, float]) -> Any:
    """``box`` moved sideways to lie between the x positions ``sides`` (the axes' left edge, the figure's right)."""
    shift = max(0.0, sides[0] - box.x0) - max(0.0, box.x1 - sides[1])
    return box.translated(shift, 0) if shift else box


def _slack(box: Any, own: tuple[float, float] | None, anchors: list[tuple[float, float]], mark: Any) -> float:
    """How much nearer ``box`` is to its own mark's centre ``own`` than to any other labelled mark (pixels;
    infinite for a label of no mark, or when no other mark is far enough from its own to be mistaken for it)."""
    if own is None:
        return float("inf")
    others = [_distance(p, box) for p in _other_marks(own, anchors, mark)]
    return min(others, default=float("inf")) - _distance(own, box)


def _other_marks(own: tuple[float, float], anchors: list[tuple[float, float]], mark: Any) -> list[tuple[float, float]]:
    """The centres of the labelled marks (``anchors``) a label of ``mark`` (centred at ``own``) could be taken
    for: those further from it than its own size (a mark that close is the same place to a reader)."""
    near = max(mark.width, mark.height)
    return [p for p in anchors if np.hypot(p[0] - own[0], p[1] - own[1]) > near]


def _crosses(x: np.ndarray, y: np.ndarray, point: tuple[float, float], box: Any) -> np.ndarray:
    """Whether each straight line from (``x``, ``y``) to ``point`` passes through ``box`` (Liang-Barsky)."""
    enter, leave = np.zeros(np.shape(x)), np.ones(np.shape(x))
    for start, end, low, high in ((x, point[0], box.x0, box.x1), (y, point[1], box.y0, box.y1)):
        step = end - start
        flat = step == 0
        with np.errstate(divide="ignore", invalid="ignore"):
            a, b = (low - start) / step, (high - start) / step
        within = (low <= start) & (start <= high)
        enter = np.where(flat, np.where(within, enter, np.inf), np.maximum(enter, np.minimum(a, b)))
        leave = np.where(flat, np.where(within, leave, -np.inf), np.minimum(leave, np.maximum(a, b)))
    return enter <= leave


def _nearest_point(box: Any, point: tuple[float, float]) -> tuple[float, float]:
    """The point of ``box`` nearest ``point`` (where a leader line leaves a label)."""
    return min(max(point[0], box.x0), box.x1), min(max(point[1], box.y0), box.y1)


def _centre(box: Any) -> tuple[float, float]:
    """The centre of a display box."""
    return (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2


def _distance(point: tuple[float, float], box: Any) -> float:
    dx = max(box.x0 - point[0], 0.0, point[0] - box.x1)
    dy = max(box.y0 - point[1], 0.0, point[1] - box.y1)
    return float(np.hypot(dx, dy))


def _longest_line_broken(text: str) -> str:
    """``text`` with its longest line broken at the space nearest that line's middle ("" when it has no space):
    a label narrower by a line, e.g. "6-month target: 8\ndue but not\nmeasured" on a phone-wide chart."""
    lines = text.split("\n")
    longest = max(range(len(lines)), key=lambda k: len(lines[k]))
    line = lines[longest]
    spaces = [i for i, ch in enumerate(line) if ch == " "]
    if not spaces:
        return ""
    cut = min(spaces, key=lambda i: abs(2 * i - len(line)))
    lines[longest] = line[:cut] + "\n" + line[cut + 1:]
    return "\n".join(lines)


def _mark_of(ax: Axes, label: Any, markers: list[Any]) -> Any:
    """The box of the marker ``label`` points at (a target's star, the start, a measured rating), or None
    (the "as of" words, a bar's value)."""
    if label.xycoords != "data":
        return None
    x, y = ax.transData.transform(label.xy)
    hits = [m for m in markers if m.x0 <= x <= m.x1 and m.y0 <= y <= m.y1]
    return max(hits, key=lambda m: m.width) if hits else None


def _marker_boxes(ax: Axes, px_per_point: float) -> list[Any]:
    """A box around every marker drawn on ``ax`` (labels keep clear of the dots, the stars and a bar's target
    line, a ``"|"`` marker as wide as its stroke)."""
    from matplotlib.transforms import Bbox

    boxes = []
    for line in ax.get_lines():
        if line.get_marker() in (None, "None", "", " "):
            continue
        half_y = line.get_markersize() * px_per_point / 2
        half_x = line.get_markeredgewidth() * px_per_point / 2 if line.get_marker() == "|" else half_y
        xy = np.column_stack([line.get_xdata(orig=False), line.get_ydata(orig=False)]).astype(float)
        for x, y in line.get_transform().transform(xy):
            if np.isfinite(x) and np.isfinite(y):
                boxes.append(Bbox([[x - half_x, y - half_y], [x + half_x, y + half_y]]))
    return boxes


def _renderer(ax: Axes) -> Any:
    """A renderer to measure text with; a figure made without pyplot gets an Agg canvas for it."""
    fig = ax.figure.get_figure(root=True) if hasattr(ax.figure, "get_figure") else ax.figure
    if not hasattr(fig.canvas, "get_renderer"):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)
    return fig.canvas.get_renderer()


def _overlaps(box: Any, others: list[Any], gap_x: float, gap_y: float) -> bool:
    """Whether ``box`` comes nearer than ``gap_x`` side by side and ``gap_y`` one above the other to any of
    ``others`` (display boxes)."""
    return any(box.x0 < o.x1 + gap_x and o.x0 < box.x1 + gap_x and box.y0 < o.y1 + gap_y and o.y0 < box.y1 + gap_y
               for o in others)


def plain_tick_labels(ax: Axes) -> None:
    """Turn math-text off on the tick labels ``ax`` has made so far (they outlive :func:`plain_text`)."""
    for axis in (ax.xaxis, ax.yaxis):
        for tick in (*axis.majorTicks, *axis.minorTicks):
            tick.label1.set_parse_math(False)
            tick.label2.set_parse_math(False)


@contextmanager
def plain_text() -> Iterator[None]:
    """Draw every text as it is: no math-text (``$x$``, ``\\frac``), for text that came from people.

    Text artists read the setting when they are made, and tick labels are
    made when the figure is drawn: draw *and* save inside this context.
    """
    with matplotlib.rc_context({"text.parse_math": False, "text.usetex": False}):
        yield


def current_vs_target_bars(ax: Axes, frame: pd.DataFrame, *, legend_columns: int = 3) -> Axes:
    """Horizontal bars of each skill's latest rating with its next target marked.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    frame : pandas.DataFrame
        Output of :func:`careerconv.rules.progress.current_vs_target`, or any frame
        with columns ``skill``, ``latest_rating`` and ``next_target``; optional
        ``status`` colours the bars and ``next_horizon_months`` labels the
        target, and ``next_target_note`` says more of it after its label (e.g.
        "after you left": a target that will never be measured; empty: nothing).
        Skills are drawn top to bottom in frame order; one whose
        ``next_target`` is NA gets no target mark.
    legend_columns : int, default 3
        Entries side by side in the legend below the chart (1 on a narrow chart).

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``.

    Raises
    ------
    ValueError
        If a required column is missing.
    """
    _require(frame, (SKILL, "latest_rating", "next_target"), "frame")
    with plain_text():
        _draw_bars(ax, frame, legend_columns)
    return ax


def _draw_bars(ax: Axes, frame: pd.DataFrame, legend_columns: int = 3) -> None:
    n = len(frame)
    y = np.arange(n)
    latest = frame["latest_rating"].to_numpy(dtype=float, na_value=np.nan)
    target = frame["next_target"].to_numpy(dtype=float, na_value=np.nan)
    status = frame[STATUS].astype(str).to_numpy() if STATUS in frame.columns else np.full(n, "")
    colours = [STATUS_COLOURS.get(s, PALETTE["bar"]) for s in status]

    ax.barh(y, np.nan_to_num(latest), height=0.5, color=colours, zorder=2, gid=GID_RATING)
    has_target = ~np.isnan(target)
    ax.plot(
        target[has_target], y[has_target], linestyle="none", marker="|", markersize=18,
        markeredgewidth=3, color=PALETTE["target"], zorder=4, clip_on=False, gid=GID_NEXT_TARGET,
        label="Target",
    )
    ax.set_yticks(y, [str(s) for s in frame[SKILL]])
    ax.set_ylim(n - 0.4, -0.7)  # first skill on top, room for the target labels
    _style_rating_axis(ax, axis="x")
    ax.set_xlabel("Rating (1-10)", color=PALETTE["muted"])
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="y", visible=False)

    values = []
    renderer = _renderer(ax)
    for i in range(n):
        text = "no rating yet" if np.isnan(latest[i]) else f"now {int(latest[i])}"
        if status[i] in STATUS_COLOURS and status[i] != UPCOMING:
            text += f" \u00b7 {status[i]}"
        end = 0.0 if np.isnan(latest[i]) else latest[i]
        label = ax.annotate(text, (end, y[i]), xytext=(-6, 0), textcoords="offset points", va="center",
                            fontsize=LABEL_SIZE, annotation_clip=False, zorder=5, gid=GID_RATING)
        _place_value(ax, label, end, target[i], colours[i], renderer)
        values.append(label)
    labels = []
    if "next_horizon_months" in frame.columns:
        months = frame["next_horizon_months"].to_numpy()
        notes = frame["next_target_note"].fillna("").astype(str).to_numpy() if "next_target_note" in frame.columns \
            else np.full(n, "")
        for i in np.flatnonzero(has_target):
            labels.append(ax.annotate(
                f"{int(months[i])}-month target {int(target[i])}" + (f", {notes[i]}" if notes[i] else ""),
                (target[i], y[i]), xytext=(0, 11),
                textcoords="offset points", ha="center", va="bottom", fontsize=LABEL_SIZE, color=PALETTE["muted"],
                annotation_clip=False, gid=GID_NEXT_TARGET,
            ))
    handles = [Line2D([], [], linestyle="none", marker="|", markersize=12, markeredgewidth=3,
                      color=PALETTE["target"], label="Target")] if has_target.any() else []
    drawn = {s for s, value in zip(status, latest) if not np.isnan(value)}
    handles += [
        _patch_handle(STATUS_COLOURS[s], f"Latest rating: {s if s != UPCOMING else 'no new rating yet'}")
        for s in STATUS_COLOURS if s in drawn
    ]
    # A status the rule does not have (a report's "after you left"): said of the target, in the plain colour.
    handles += [_patch_handle(PALETTE["bar"], f"Latest rating: next target {s}")
                for s in dict.fromkeys(status[has_target & ~np.isnan(latest)])
                if s not in STATUS_COLOURS and s not in ("", "None", "nan", "<NA>")]
    if (~has_target & ~np.isnan(latest)).any():
        handles.append(_patch_handle(PALETTE["bar"], "Latest rating: no target"))
    _legend_below(ax, handles, ncols=legend_columns)
    dodge_labels(ax, labels, fixed=values)


def _place_value(ax: Axes, label: Any, end: float, target: float, colour: str, renderer: Any) -> None:
    """Write a bar's value (``label``, "now 4 \u00b7 behind") where nothing crosses it: inside the bar at its end,
    or inside it before the target mark that falls within it; else after the bar, or after the target mark
    beyond it (found: "now 4 \u00b7 behind" drawn through the mark of the target 5, "now 5 \u00b7 due but not
    measured" hiding the mark of the target 7 under its box, the mark of the target 7 through "now 8 \u00b7 ahead"
    written in its bar).

    Inside a bar the words are bold in the ink that reads on its ``colour``; after it, plain on a white backing.
    When no place fits within the figure (and :data:`LABEL_ROOM` right of the axes), the status words are left
    out ("now 5": the bar's colour and the key say the status, the table writes it out); when still none does,
    the words go after the bar.
    """
    px = ax.figure.dpi / 72
    clearance = 3 * px  # the mark's half-width and the words' box padding, in pixels
    right = _label_room(ax, renderer)[1] - clearance
    zero = ax.transData.transform((0, 0))[0]
    mark_x = None if np.isnan(target) else ax.transData.transform((target, 0))[0]
    places = [(True, end)] + ([(True, target)] if mark_x is not None and target < end else [])
    places += [(False, end)] + ([(False, target)] if mark_x is not None and target >= end else [])
    full = label.get_text()
    y = label.xy[1]
    for text in dict.fromkeys((full, full.split(" \u00b7 ")[0])):
        for inside, anchor in places:
            _value_style(label, text, inside, anchor, y, colour)
            box = label.get_window_extent(renderer)
            fits = box.x0 >= zero + 2 * px if inside else box.x1 <= right
            if fits and (mark_x is None or not box.x0 - clearance <= mark_x <= box.x1 + clearance):
                return
    _value_style(label, full, False, end, y, colour)


def _value_style(label: Any, text: str, inside: bool, anchor: float, y: float, colour: str) -> None:
    """``label`` as ``text`` ending 6 pt before ``anchor`` inside a bar of ``colour`` (``inside``), else starting
    6 pt after it."""
    label.set_text(text)
    label.xy = (anchor, y)
    label.xyann = (-6, 0) if inside else (6, 0)
    label.set_horizontalalignment("right" if inside else "left")
    label.set_color(text_on(colour) if inside else PALETTE["text"])
    label.set_fontweight("bold" if inside else "normal")
    label.set_bbox(None if inside else _LABEL_BOX)


def rating_trend(
    ax: Axes,
    frame: pd.DataFrame,
    x: str,
    y: str,
    hue: str | None = None,
    *,
    ylim: tuple[float, float] | None = None,
) -> Axes:
    """Line chart of ``y`` over ``x``, one line per ``hue`` group.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    frame : pandas.DataFrame
        Data in long form; rows with missing ``x`` or ``y`` are skipped.
    x, y : str
        Column names; ``x`` may be dates or numbers.
    hue : str, optional
        Column whose values split the data into separately coloured lines (a
        legend is added). Colours cycle through the Okabe-Ito palette.
    ylim : tuple of float, optional
        Y limits; use ``(0, 10)`` for ratings.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``.

    Raises
    ------
    ValueError
        If a named column is missing.
    """
    _require(frame, tuple(c for c in (x, y, hue) if c is not None), "frame")
    with plain_text():
        _draw_trend(ax, frame, x, y, hue, ylim)
        plain_tick_labels(ax)
    return ax


def _draw_trend(ax: Axes, frame: pd.DataFrame, x: str, y: str, hue: str | None,
                ylim: tuple[float, float] | None) -> None:
    data = frame.loc[frame[x].notna() & frame[y].notna()]
    groups = [(None, data)] if hue is None else list(data.groupby(hue, sort=True, observed=True))
    for i, (name, group) in enumerate(groups):
        group = group.sort_values(x, kind="stable")
        ax.plot(
            group[x].to_numpy(), group[y].to_numpy(dtype=float, na_value=np.nan), marker="o",
            markersize=4, linewidth=1.8, color=OKABE_ITO[i % len(OKABE_ITO)],
            label=str(name) if hue is not None else y,
        )
    clean_axes(ax)
    ax.grid(axis="y", color=PALETTE["grid"], linewidth=0.8)
    ax.set_axisbelow(True)
    ax.set_xlabel(x, color=PALETTE["muted"])
    ax.set_ylabel(y, color=PALETTE["muted"])
    if ylim is not None:
        ax.set_ylim(*ylim)
    if pd.api.types.is_datetime64_any_dtype(frame[x]):
        locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    if hue is not None and groups:
        ax.legend(title=hue, frameon=False, fontsize=LABEL_SIZE, title_fontsize=LABEL_SIZE, loc="best")


def distribution(
    ax: Axes,
    frame: pd.DataFrame,
    skill_col: str,
    rating_col: str,
    *,
    normalize: bool = True,
) -> Axes:
    """Stacked horizontal bars: how ratings 1-10 are spread within each skill.

    Counts rows as given; for HR views, pass one rating per employee and skill
    and apply the minimum-group-size rule before calling.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    frame : pandas.DataFrame
        One row per rating.
    skill_col, rating_col : str
        Column names; ratings outside 1-10 or missing are ignored.
    normalize : bool, default True
        Show shares (each bar sums to 100 %) rather than counts.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``.

    Raises
    ------
    ValueError
        If a named column is missing.
    """
    _require(frame, (skill_col, rating_col), "frame")
    with plain_text():
        _draw_distribution(ax, frame, skill_col, rating_col, normalize)
        plain_tick_labels(ax)
    return ax


def _draw_distribution(ax: Axes, frame: pd.DataFrame, skill_col: str, rating_col: str, normalize: bool) -> None:
    values = pd.to_numeric(frame[rating_col], errors="coerce")
    valid = values.between(RATING_MIN, RATING_MAX)
    data = pd.DataFrame({SKILL: frame.loc[valid, skill_col].astype(str), "rating": values[valid].round().astype(int)})
    levels = list(range(RATING_MIN, RATING_MAX + 1))
    table = pd.crosstab(data[SKILL], data["rating"]).reindex(columns=levels, fill_value=0)
    if normalize:
        table = table.div(table.sum(axis=1).where(lambda s: s > 0), axis=0).fillna(0.0)
    y = np.arange(len(table))
    left = np.zeros(len(table))
    for level in levels:
        widths = table[level].to_numpy(dtype=float)
        ax.barh(
            y, widths, left=left, height=0.6, color=RATING_CMAP((level - RATING_MIN) / (RATING_MAX - RATING_MIN)),
            edgecolor="white", linewidth=0.6, label=str(level),
        )
        left += widths
    ax.set_yticks(y, list(table.index))
    ax.set_ylim(len(table) - 0.5, -0.5)
    clean_axes(ax)
    ax.tick_params(axis="y", length=0)
    if normalize:
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(PercentFormatter(xmax=1))
        ax.set_xlabel("Share of ratings", color=PALETTE["muted"])
    else:
        ax.set_xlabel("Number of ratings", color=PALETTE["muted"])
    ax.legend(
        title="Rating", ncols=len(levels), loc="upper center", bbox_to_anchor=(0.5, -0.2),
        frameon=False, fontsize=LABEL_SIZE, title_fontsize=LABEL_SIZE, handlelength=1.2, columnspacing=0.8,
        alignment="left",
    )


# --- internals -----------------------------------------------------------------


def _require(frame: Any, columns: tuple[str, ...], name: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} is missing column(s): {', '.join(missing)}; needs: {', '.join(columns)}")


def _num(dates: Any) -> np.ndarray:
    """Dates as matplotlib date numbers (independent of pandas' converters)."""
    stamps = pd.to_datetime(pd.Series(list(dates)))
    if stamps.dt.tz is not None:
        stamps = stamps.dt.tz_localize(None)
    return mdates.date2num(stamps.to_numpy(dtype="datetime64[ns]"))


def clean_axes(ax: Axes) -> None:
    """The house style of every chart's frame: no top and right spines, light grey axes, muted ticks."""
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#BBBBBB")
    ax.tick_params(colors=PALETTE["muted"], labelsize=TICK_SIZE)


def _style_rating_axis(ax: Axes, axis: str) -> None:
    """0-10 rating scale with integer ticks and light gridlines only along it."""
    clean_axes(ax)
    rating_axis = ax.yaxis if axis == "y" else ax.xaxis
    # Ticks and the spine stop at 10; a little headroom above keeps markers
    # and labels at 10 from being cut by the frame.
    (ax.set_ylim if axis == "y" else ax.set_xlim)(0, RATING_MAX + RATING_HEADROOM)
    ax.spines["left" if axis == "y" else "bottom"].set_bounds(0, RATING_MAX)
    rating_axis.set_major_locator(FixedLocator(range(0, RATING_MAX + 1)))
    rating_axis.set_major_formatter(lambda value, _pos: f"{value:.0f}")
    ax.grid(axis=axis, color=PALETTE["grid"], linewidth=0.8)
    ax.grid(axis="x" if axis == "y" else "y", visible=False)
    ax.set_axisbelow(True)
    if axis == "y":
        ax.set_ylabel("Rating", color=PALETTE["muted"])


def _set_date_axis(ax: Axes, dates: list[pd.Timestamp], padded: bool = True) -> None:
    """The x range: all ``dates`` (padded by :func:`date_span` unless ``padded`` is False, when
    they are the limits already); month + year ticks, quarterly for a typical 18-month plan.

    Ticks are also kept at most :data:`DATE_TICKS_PER_INCH` per inch of the
    axes' width, so a narrow chart (a phone's) gets fewer, not overprinted, labels.
    """
    lo, hi = date_span(dates) if padded else (pd.Timestamp(dates[0]), pd.Timestamp(dates[-1]))
    ax.set_xlim(_num([lo])[0], _num([hi])[0])
    _date_ticks(ax, (hi - lo).days / 30.4)


def _date_ticks(ax: Axes, span_months: float) -> None:
    """Month + year ticks for a time axis ``span_months`` long, no denser than the axes' width allows."""
    steps = (1, 3, 6, 12)  # months between two ticks
    step = 1 if span_months <= 9 else 3 if span_months <= 30 else 6 if span_months <= 60 else 12
    width = ax.get_position().width * ax.figure.get_figwidth()
    while step < 12 and span_months / step > max(2.0, DATE_TICKS_PER_INCH * width):
        step = steps[steps.index(step) + 1]
    months: tuple[int, ...] = tuple(range(1, 13, step))
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=months))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))
    ax.xaxis.set_minor_locator(mdates.MonthLocator())
    ax.tick_params(axis="x", which="minor", length=2, color="#CCCCCC")


def _patch_handle(colour: str, label: str) -> Patch:
    return Patch(facecolor=colour, edgecolor="none", label=label)


def _progress_legend_handles(ax: Axes, statuses: list[str]) -> list[Any]:
    handles: list[Any] = [h for h in ax.get_lines() if not str(h.get_label()).startswith("_")]
    if any(line.get_gid() == GID_TARGET for line in ax.get_lines()):
        handles.append(Line2D([], [], linestyle="none", marker="*", markersize=12, color=PALETTE["target"],
                              label="Target"))
    if any(line.get_gid() == GID_AFTER_LEAVING for line in ax.get_lines()):
        handles.append(Line2D([], [], linestyle="none", marker="*", markersize=12, color=PALETTE["target"],
                              markerfacecolor="white", label=f"Target {AFTER_LEAVING}"))
    if any(line.get_gid() == GID_PLAN for line in ax.get_lines()):
        handles.append(Line2D([], [], linestyle=(0, (4, 3)), linewidth=1.5, color=PALETTE["plan"],
                              label="Plan: start to each target"))
    for status in statuses:
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=10, markerfacecolor="none",
                              markeredgewidth=2, markeredgecolor=STATUS_COLOURS.get(status, PALETTE["muted"]),
                              label=f"At a target date: {status}"))
    if has_leader(ax):
        handles.append(Line2D([], [], **_LEADER_STYLE, label=LEADER_WORDS))
    return handles


def has_leader(ax: Axes) -> bool:
    """Whether a label on ``ax`` is joined to its mark by a leader line (:func:`dodge_labels`)."""
    return any(line.get_gid() == GID_LEADER for line in ax.get_lines())


def _legend_below(ax: Axes, handles: list[Any], ncols: int = 4) -> None:
    """A legend of ``handles`` under ``ax``, in at most ``ncols`` columns, fitted to the figure (:func:`fit_legend`)."""
    if not handles:
        return
    ax.legend(handles=handles, bbox_to_anchor=(0.5, -0.16), ncols=min(len(handles), ncols), **_LEGEND_STYLE)
    fit_legend(ax)


def fit_legend(ax: Axes, margin: float = LEGEND_MARGIN) -> None:
    """Make ``ax``'s legend read whole across its figure, ``margin`` inches clear of its left and right edges:
    fewer columns while it is wider than that, then its entries wrapped at their spaces (the longest lines first)
    while one column still is, then moved sideways from its place under the axes' centre as little as keeps it
    within (a chart with long skill names on the left has its axes' centre right of the figure's: "...not
    measured: you left" was cut at a phone's width). Its height is its caller's: the room below the axes."""
    legend = ax.get_legend()
    if legend is None:
        return
    room = ax.figure.bbox.width - 2 * margin * ax.figure.dpi
    entries = [" ".join(text.get_text().split()) for text in legend.get_texts()]
    for text, words in zip(legend.get_texts(), entries):
        text.set_text(words)
    anchor = legend.get_bbox_to_anchor()
    at = tuple(ax.transAxes.inverted().transform((anchor.x0, anchor.y0)))
    columns = len({round(text.get_window_extent(_renderer(ax)).x0) for text in legend.get_texts()})
    while columns > 1 and _legend_box(ax).width > room:
        columns -= 1
        legend = ax.legend(handles=legend.legend_handles, labels=entries, bbox_to_anchor=at, ncols=columns,
                           **_LEGEND_STYLE)
    for chars in range(max(map(len, entries), default=0) - 1, 0, -1):
        if _legend_box(ax).width <= room:
            break
        for text, words in zip(legend.get_texts(), entries):
            text.set_text("\n".join(textwrap.wrap(words, chars, break_long_words=False)))
    box = _legend_box(ax)
    figure = ax.figure.bbox
    shift = (max(0.0, figure.x0 + margin * ax.figure.dpi - box.x0)
             - max(0.0, box.x1 - (figure.x1 - margin * ax.figure.dpi)))
    legend.set_bbox_to_anchor(tuple(ax.transAxes.inverted().transform((anchor.x0 + shift, anchor.y0))))


def legend_below(ax: Axes, inches: float, margin: float = LEGEND_MARGIN) -> None:
    """Put ``ax``'s legend ``inches`` below the axes (clear of its tick labels, whatever their height), fitted
    to the figure ``margin`` inches clear of its sides (:func:`fit_legend`; a page's margins)."""
    legend = ax.get_legend()
    if legend is None:
        return
    anchor = legend.get_bbox_to_anchor()
    x = ax.transAxes.inverted().transform((anchor.x0, anchor.y0))[0]
    legend.set_bbox_to_anchor((x, -inches / (ax.get_position().height * ax.figure.get_figheight())))
    fit_legend(ax, margin)


def _legend_box(ax: Axes) -> Any:
    """The display box of ``ax``'s legend as it would be drawn now."""
    return ax.get_legend().get_window_extent(_renderer(ax))
