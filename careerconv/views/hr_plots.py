"""Charts for the HR analytics notebook.

Like :mod:`careerconv.views.plots` (whose palette they share), every helper takes a
matplotlib ``Axes``, draws on it and returns it; nothing here creates figures,
shows or saves them. The helpers take the *protected* tables of
:func:`careerconv.analytics.hr_aggregates`: a hidden row is never drawn as a
value; where a row of the chart is hidden, its label says so ("fewer than 5",
"not shown") in place of a bar, so the chart never looks like a zero. A department or
skill named in a title or beside its figures is put in with
:func:`careerconv.records.text_direction.isolated`, so a right-to-left name keeps
"(n=22)" after it.
"""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import matplotlib
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Text
from matplotlib.ticker import FixedLocator, MaxNLocator, PercentFormatter

from careerconv.rules import privacy
from .stacked_tables import NARROW_SCREEN  # px: screens up to this wide get the phone drawing of a chart
from careerconv.analytics import (ALL_SKILLS_BY_PERSON, BANDS, DEPARTMENT, N, TREND_LINES, Grouping,
                                  distribution_skills, period_label, skill_view, whole_share_texts)
from careerconv.records.numbers import one_decimal, percent, rating_text
from careerconv.records.schema import HORIZON_MONTHS, SKILL
from careerconv.records.text_direction import isolated
from . import chart_figures
from .chart_figures import (ALL_SKILLS, any_skill_rows, bar_order, gap_rows, heatmap_skill, option_kind_rows,
                            trend_line_skills)
from .html_parts import embedded_figure, escape_html
from .plots import MARK_GREY, OKABE_ITO, PALETTE, RATING_CMAP, clean_axes, outline_for, text_on

__all__ = [
    "new_figure",
    "picture_html",
    "chart_html",
    "chart_with_figures_html",
    "narrow_figure",
    "narrow_layout",
    "NARROW_WIDTH",
    "NARROW_SCREEN",
    "skill_trend_lines",
    "department_heatmap",
    "band_bars",
    "value_bars",
    "department_share_bars",
    "status_bars",
    "no_data",
    "trends_chart",
    "department_chart",
    "distribution_chart",
    "growth_chart",
    "attainment_chart",
    "most_wanted_chart",
    "gaps_chart",
    "cadence_chart",
    "action_items_chart",
    "option_kinds_chart",
]

HIDDEN_COLOUR = "#D9D9D9"
# The four parts of the targets due: (column, legend, colour). "Not measured yet": the measurement window is
# still open; "not measured": it closed with no rating near the target's date.
ATTAINMENT_PARTS = (("share_reached", "reached", OKABE_ITO[2]), ("share_not_reached", "not reached", OKABE_ITO[1]),
                    ("share_window_open", "not measured yet", "#DCE9F2"),
                    ("share_not_measured", "not measured", "#BDBDBD"))
# One (colour, marker, line style) per trend line, the most-rated skill first. Okabe-Ito has no six colours
# that are all far apart on white (its vermillion is a second orange, sky blue a second blue, yellow too pale
# for a line), so the sixth is a dark red (ColorBrewer's Reds): every two colours are at least 35 apart
# (CIEDE2000; orange and vermillion were 22). The pairs a colour-vision deficiency brings closer than 25
# (blue/green and orange/purple with tritanopia, blue/purple, orange/green and black/red with protanopia,
# green/purple and green/red with deuteranopia, orange/red with both) differ in line style too, and every line
# has its own marker.
TREND_STYLES: tuple[tuple[str, str, object], ...] = (
    (OKABE_ITO[0], "o", "-"), (OKABE_ITO[1], "s", "-"), (OKABE_ITO[2], "^", "--"), (OKABE_ITO[3], "D", ":"),
    ("#000000", "v", "-."), ("#A50F15", "P", ":"))
STATUS_ORDER = (("share_done", "Done", OKABE_ITO[2]), ("share_in_progress", "In progress", OKABE_ITO[4]),
                ("share_open", "Open", OKABE_ITO[1]), ("share_dropped", "Dropped", MARK_GREY))


# Text from the data (skill and department names) is drawn as typed: "$x$" is two dollar signs around an x,
# never math-text, so no name can change what a chart says or make matplotlib's parser raise.
_PLAIN_TEXT = {"text.parse_math": False, "text.usetex": False}


def plain_text(draw: Callable) -> Callable:
    """Run a chart helper with math-text off, so every label it draws is plain text."""

    @functools.wraps(draw)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(_PLAIN_TEXT):
            return draw(*args, **kwargs)

    return wrapper


def _plain_figure(fig: Figure) -> None:
    """Turn math-text off on every text of a figure (labels a helper did not draw included)."""
    for text in fig.findobj(Text):
        text.set_parse_math(False)


def new_figure(width: float = 9.0, height: float = 4.5) -> tuple[Figure, Axes]:
    """A fresh figure and its axes, outside pyplot (nothing global, any backend).

    Parameters
    ----------
    width, height
        Size in inches.

    Returns
    -------
    (Figure, Axes)
    """
    fig = Figure(figsize=(width, height), dpi=110)
    return fig, fig.add_subplot()


NARROW_WIDTH = 3.4  # inches: the phone drawing of a chart, labels included (about 400 px saved at the figures'
# 110 dpi, shown at 88 % or more on a 360 px phone: its smallest text, 7.5 points, stays above 10 px)
def _fit_height(ax: Axes, rows: int, *, per_row: float = 0.45, extra: float = 1.6, grow: bool = False) -> None:
    """Shrink the figure to ``rows`` bars, so that one or two bars are not drawn a page tall; with ``grow``, also
    make it taller (bars whose labels take two lines need the room)."""
    fig = ax.figure
    height = extra + per_row * rows
    fig.set_size_inches(fig.get_figwidth(), height if grow else min(fig.get_figheight(), height))


BAR_LABEL_POINTS = 10.0  # the bar charts' row labels (matplotlib's default tick label size)
LABEL_SHARE = 0.42  # of the figure's width: a bar's label longer than this is wrapped onto a second line


def _wrap_label(text: str, ax: Axes, fontsize: float, share: float = LABEL_SHARE) -> str:
    """A row's label in at most two lines, each no wider than ``share`` of the figure where its words allow.

    On a desktop drawing every name fits on one line; on a phone's, "Stakeholder management" becomes
    "Stakeholder" over "management". The break is the space that makes the two lines most even
    ("6 months:" over "stretch project"); a name too long for two lines ends its second in "…". Lines break
    only between words: a word longer than a line stays whole on a line of its own ("Engineering", never
    "Engineeri" over "ng"), and the chart makes room for it (:func:`narrow_layout` moves the axes over).
    """
    chars = _label_chars(ax, fontsize, share)
    if len(text) <= chars or " " not in text:
        return text
    breaks = [i for i, c in enumerate(text) if c == " "]
    at = min(breaks, key=lambda i: (max(i, len(text) - i - 1), -i))  # even lines; the longer one first
    if max(at, len(text) - at - 1) <= chars:
        return f"{text[:at]}\n{text[at + 1:]}"
    first, rest = _words_within(text.split(" "), chars)
    second, left = _words_within(rest, chars)
    return f"{' '.join(first)}\n{' '.join(second)}{'…' if left else ''}"


def _words_within(words: list[str], chars: int) -> tuple[list[str], list[str]]:
    """The first of ``words`` that fit a line of ``chars`` characters (at least one, however long), and the
    others."""
    count = 1
    while count < len(words) and len(" ".join(words[:count + 1])) <= chars:
        count += 1
    return words[:count], words[count:]


def _label_chars(ax: Axes, fontsize: float, share: float = LABEL_SHARE) -> int:
    """How many characters of ``fontsize`` fit a line ``share`` of the figure wide (at least 8)."""
    return max(8, int(share * ax.figure.get_figwidth() * 72 / (fontsize * 0.55)))  # 0.55 em: a mean glyph


def _label_with_figures(name: str, figures: str, ax: Axes, fontsize: float = BAR_LABEL_POINTS) -> str:
    """A row's label: a name as typed and then its figures (``"(n=140)"``), in as few lines as fit
    :data:`LABEL_SHARE` of the figure.

    One line where it fits ("Time management (n=140)": every label of a desktop drawing); else the name as
    :func:`_wrap_label` wraps it, with the figures after its last line where they fit ("Stakeholder" over
    "management (n=118)"), or on a line of their own. The figures are never cut or broken, and a right-to-left
    name is :func:`isolated` line by line, so that they stay after it.
    """
    chars = _label_chars(ax, fontsize)
    if len(name) + 1 + len(figures) <= chars:
        return f"{isolated(name)} {figures}"
    lines = _wrap_label(name, ax, fontsize).split("\n")
    last = f"{isolated(lines[-1])} {figures}" if len(lines[-1]) + 1 + len(figures) <= chars else None
    named = [isolated(line) for line in lines]
    return "\n".join(named[:-1] + [last] if last else named + [figures])


def _per_row(labels: Sequence[str]) -> float:
    """:func:`_fit_height`'s inches a row for rows with these labels (at :data:`BAR_LABEL_POINTS`): labels of
    three lines, 55 px tall, need more than those of one or two, or two such rows would touch."""
    return 0.55 if any(label.count("\n") >= 2 for label in labels) else 0.45


def picture_html(fig: Figure, alt: str, narrow: Figure | None = None) -> str:
    """The figure as an HTML ``<img>`` (PNG embedded), with ``alt`` escaped; with ``narrow``, a ``<picture>``
    that shows that drawing instead on a phone.

    Parameters
    ----------
    fig
        The figure to render.
    alt
        Text alternative, e.g. the chart's one-line reading.
    narrow
        The same chart drawn :data:`NARROW_WIDTH` inches wide, shown instead on
        screens up to :data:`NARROW_SCREEN` px (a ``<picture>`` media query, no
        script), so that on a phone the chart is neither shrunk below a readable
        size nor scrolled sideways. See :func:`chart_html`.

    Returns
    -------
    str
        The framed ``<img>`` element, or ``""`` when the chart has nothing to show
        (:func:`no_data`): the reading above it already says so.
    """
    if fig.axes and not any(ax.axison for ax in fig.axes):
        return ""
    uri, width = _png(fig)
    # Full width of the page up to the chart's own size (text 12 px or more there).
    img = (f'<img class="hr-chart" src="{uri}" alt="{escape_html(alt)}" '
           f'style="width:100%;max-width:{width}px" />')
    if narrow is not None:
        narrow_uri, _ = _png(narrow)
        img = (f'<picture><source media="(max-width: {NARROW_SCREEN}px)" type="image/png" '
               f'srcset="{narrow_uri}">{img}</picture>')
    return f'<div class="hr-chart-frame" style="max-width:100%">{img}</div>'


def _png(fig: Figure) -> tuple[str, int]:
    """The figure as a PNG ``data:`` URI, and its width in pixels."""
    _plain_figure(fig)
    with matplotlib.rc_context(_PLAIN_TEXT):
        uri, png = embedded_figure(fig, "png", bbox_inches="tight")
    return uri, int.from_bytes(png[16:20], "big")  # the PNG's own width (its IHDR chunk)


def chart_html(draw: Callable[..., Axes], *args, alt: str, size: tuple[float, float] = (9.0, 4.5), **kwargs) -> str:
    """Draw a chart twice, for a wide screen (``size`` in inches) and for a phone (:data:`NARROW_WIDTH`
    wide, same height), and return the HTML of :func:`picture_html` showing the one that fits.

    ``draw(ax, *args, **kwargs)`` is one of the chart helpers, e.g.
    ``chart_html(trends_chart, trends, alt=reading, size=(9, 4.2))``.
    """
    fig, ax = new_figure(*size)
    draw(ax, *args, **kwargs)
    if fig.axes and not any(a.axison for a in fig.axes):
        return ""  # nothing to show: the reading above says so
    return picture_html(fig, alt, narrow=narrow_figure(draw, *args, height=size[1], **kwargs))


def narrow_figure(draw: Callable[..., Axes], *args, height: float, **kwargs) -> Figure:
    """The phone drawing of a chart, as :func:`chart_html` shows it: ``draw(ax, *args, **kwargs)`` on a figure
    :data:`NARROW_WIDTH` wide and ``height`` tall (a chart helper may change its height), laid out by
    :func:`narrow_layout`, and drawn again narrower while anything reaches past that width (so the saved image
    is no wider than a phone's drawing and is never shrunk on one).
    """
    width = NARROW_WIDTH
    for _ in range(4):  # labels outside the axes widen the saved image: narrow the figure by as much
        narrow, narrow_ax = new_figure(width, height)
        draw(narrow_ax, *args, **kwargs)
        outside = narrow_layout(narrow) - NARROW_WIDTH
        if outside <= 0.05 or width <= 2.0:
            break
        width = max(2.0, width - outside)
    return narrow


def narrow_layout(fig: Figure) -> float:
    """Lay a chart drawn :data:`NARROW_WIDTH` wide out for a phone; return the width of the saved image in inches.

    Long titles and axis labels wrap; the axes move over so that their tick
    labels (long group names on the left) are inside the figure, not beyond
    its edge, and reach its right edge (a legend beside them moves away, and a
    phone has no width to leave blank); date or period tick labels that would
    then overprint each other are turned upright; legends go below the x axis,
    one entry a row, from the figure's left edge.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not hasattr(fig.canvas, "get_renderer"):
        FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()
    width_px, pad = fig.bbox.width, 4.0
    for ax in fig.axes:
        for text, wrap in ((ax.xaxis.label, 36), (ax.yaxis.label, 30), (ax.title, 40), (ax._left_title, 40),
                           (ax._right_title, 40)):
            if len(text.get_text()) > wrap:
                text.set_text(textwrap.fill(text.get_text(), wrap, break_long_words=False, break_on_hyphens=False))
        legend = ax.get_legend()
        moved = None
        if legend is not None:
            moved = (legend.legend_handles, [t.get_text() for t in legend.get_texts()], legend.get_title().get_text(),
                     legend.get_texts()[0].get_fontsize() if legend.get_texts() else 8)
            legend.remove()
        box, pos = ax.get_tightbbox(renderer), ax.get_position()
        left = pos.x0 + max(0.0, pad - box.x0) / width_px
        # To the figure's right edge: in from it when a label reaches past, out to it into the room of a legend
        # that moved below, or of the margin (a phone's width is too precious to leave blank).
        right = pos.x1 + ((width_px - pad) - box.x1) / width_px
        cells, widest = getattr(ax, _RUN_CELLS, (1, 1))
        right = left + (right - left) * cells / widest  # a shorter run of a heat map keeps the cells' width
        if right - left > 0.25:  # never squeeze the plot itself away
            ax.set_position([left, pos.y0, right - left, pos.height])
        for title in (ax.title, ax._left_title):  # from the axes' left edge, moved over for long group names
            _fit_between_words(title, renderer, width_px - pad)
        ticks = [t for t in ax.get_xticklabels() if t.get_visible() and t.get_text()]
        boxes = [t.get_window_extent(renderer) for t in ticks]  # where the axes now are
        if any(a.x1 + 2 > b.x0 for a, b in zip(boxes, boxes[1:])):
            ax.tick_params(axis="x", labelrotation=90)
            ax.xaxis.get_tightbbox(renderer)  # puts the axis title under the turned labels before it is read below
        label = ax.xaxis.label
        if label.get_text():  # centred under narrow axes, a long label would run past the figure's edge
            box = label.get_window_extent(renderer)
            if box.x0 < pad or box.x1 > width_px - pad:
                x = min(max(box.width / 2 + pad, (box.x0 + box.x1) / 2), width_px - pad - box.width / 2)
                to_axes = ax.transAxes.inverted()
                ax.xaxis.set_label_coords(to_axes.transform((x, 0))[0], to_axes.transform((0, box.y1))[1])
        if moved is None:
            continue
        handles, labels, title, size = moved
        # Under the x axis (its tick labels and label), from the figure's left edge.
        below = fig.transFigure.inverted().transform((0, ax.xaxis.get_tightbbox(renderer).y0))[1]
        ax.legend(handles, labels, title=title or None, frameon=False, fontsize=size, title_fontsize=size,
                  loc="upper left", bbox_to_anchor=(0.0, below - 0.02), bbox_transform=fig.transFigure, ncols=1,
                  alignment="left")
    return fig.get_tightbbox(renderer).width


def _fit_between_words(text: Text, renderer, right: float) -> None:
    """Wrap ``text`` between words, on more lines, until it ends left of ``right`` (pixels): a title that starts
    at axes moved over for long group names ran past a phone's drawing, which was then drawn narrower, and its
    group names were cut mid-word to fit. A single word too long for the room stays whole."""
    words = text.get_text().split()
    width = len(text.get_text().replace("\n", " "))
    while words and text.get_window_extent(renderer).x1 > right and width > 10:
        width -= 4
        text.set_text(textwrap.fill(" ".join(words), width, break_long_words=False, break_on_hyphens=False))


@plain_text
def no_data(ax: Axes, message: str) -> Axes:
    """Leave an empty chart with a message in the middle (nothing to show)."""
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", wrap=True, color=PALETTE["muted"], fontsize=10,
            transform=ax.transAxes)
    return ax


@plain_text
def skill_trend_lines(ax: Axes, trends: pd.DataFrame, *, top: int = 6, skills: Sequence[str] | None = None) -> Axes:
    """Median rating per quarter, one line per skill (the ``skill_trends`` table); see :func:`rating_lines`."""
    return rating_lines(ax, _as_figures(trends), top=top, skills=skills)


@plain_text
def rating_lines(ax: Axes, figures: pd.DataFrame, *, top: int = TREND_LINES,
                 skills: Sequence[str] | None = None) -> Axes:
    """Median rating per quarter, half-year or year, one line per skill (or one over all skills), with gaps.

    A period whose figure is hidden (or in which nobody rated the skill) breaks the line: no line is drawn
    across it, and a hidden period gets an open marker in a grey strip below the rating scale, named "hidden"
    (on the scale's floor it read as a median of 1). Each line's legend entry says how many employees its
    points describe (the smallest and largest).

    Parameters
    ----------
    ax
        Where to draw.
    figures
        Organisation rows of a :class:`careerconv.analytics.Grouping` (``bucket``, ``until``, ``skill``,
        ``n_employees``, ``median``, ``privacy``; ``skill`` missing: all skills).
    top
        How many skills to draw when ``skills`` is not given: those rated by
        the most employees over the period (at most :data:`TREND_STYLES`).
    skills
        Skills to draw, by name.

    Returns
    -------
    matplotlib.axes.Axes
    """
    org = figures[figures[DEPARTMENT].isna()].assign(skill=lambda f: f[SKILL].fillna(ALL_SKILLS))
    data = org[privacy.shown(org)]
    if data.empty:
        return no_data(ax, "No period has enough employees to show a trend.")
    chosen = list(skills) if skills is not None else trend_line_skills(org, top)
    chosen = chosen[:len(TREND_STYLES)]
    periods = _every_period(org)
    position = {start: i for i, (start, _) in enumerate(periods)}
    any_hidden = bool((~privacy.shown(org[org[SKILL].isin(chosen)])).any())
    for i, skill in enumerate(chosen):
        colour, marker, dashes = TREND_STYLES[i]
        rows = org[org[SKILL] == skill]
        part = rows[privacy.shown(rows)]
        if part.empty:
            continue
        medians = np.full(len(periods), np.nan)  # NaN breaks the line: no bridge over a hidden period
        for start, value in zip(part["bucket"], part["median"].to_numpy(dtype=float)):
            medians[position[pd.Timestamp(start)]] = value
        counts = part[N].astype(int)
        sizes = f"n {counts.min()}" if counts.min() == counts.max() else f"n {counts.min()}–{counts.max()}"
        ax.plot(range(len(periods)), medians, marker=marker, markersize=5, linewidth=1.8, color=colour,
                linestyle=dashes, label=f"{isolated(skill)} ({sizes})")
        gaps = [position[pd.Timestamp(q)] for q in rows.loc[~privacy.shown(rows), "bucket"]]
        if gaps:
            ax.plot(gaps, [_HIDDEN_ROW] * len(gaps), linestyle="none", marker=marker, markersize=5,
                    markerfacecolor="white", markeredgecolor=colour, clip_on=False)
    _period_axis(ax, periods)
    _rating_axis(ax, "y")
    ax.set_ylabel("Median rating", color=PALETTE["muted"])
    if any_hidden:
        _hidden_strip(ax)
        ax.plot([], [], linestyle="none", marker="o", markerfacecolor="white", markeredgecolor=PALETTE["muted"],
                label="hidden (small group): line broken,\nmarked in the strip below the scale")
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax


def _as_figures(trends: pd.DataFrame) -> pd.DataFrame:
    """A ``skill_trends`` / ``department_trends`` table in the columns of a Grouping's figures."""
    frame = trends.rename(columns={"quarter": "bucket"})
    return frame.assign(until=pd.to_datetime(frame["bucket"]) + pd.DateOffset(months=3))


@plain_text
def department_heatmap(ax: Axes, department_trends: pd.DataFrame, skill: str | None) -> Axes:
    """Median rating of one skill (None: all skills) per department and period; hidden cells are grey.

    On a phone's drawing (a figure no wider than :data:`NARROW_WIDTH`) the periods are cut into runs of as
    many as fit cells of :data:`PHONE_CELL` inches, drawn one under the other, each with the departments down
    its side: every cell says its median and "n=" in text of :data:`PHONE_CELL_POINTS` (about 15 px on the
    phone), where eight quarters side by side left 7 px. The figures are the same as on a wide screen's.

    Parameters
    ----------
    ax
        Where to draw (the first run of periods, on a phone; the others go on new axes of its figure, under it).
    department_trends
        The ``department_trends`` table, or the department rows of a
        :class:`careerconv.analytics.Grouping` (``bucket``, ``until``).
    skill
        Which skill to show; None for the figures over all skills.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax`` (on a phone: the first run's axes; the legend is on the last run's).
    """
    figures = department_trends if "bucket" in department_trends.columns else _as_figures(department_trends)
    data = figures[figures[SKILL].isna()] if skill is None else figures[figures[SKILL] == skill]
    data = data[data[DEPARTMENT].notna()]
    if data.empty:
        return no_data(ax, f"No department rated {isolated(skill) if skill else 'any skill'} in this period.")
    periods = _every_period(figures)
    column = {start: i for i, (start, _) in enumerate(periods)}
    departments = sorted(data[DEPARTMENT].dropna().unique())
    grid = np.full((len(departments), len(periods)), np.nan)
    sizes = np.zeros_like(grid, dtype=np.int64)
    hidden = np.zeros_like(grid, dtype=bool)
    for _, row in data.iterrows():
        r, c = departments.index(row[DEPARTMENT]), column[pd.Timestamp(row["bucket"])]
        if row[privacy.PRIVACY] == "":
            grid[r, c] = float(row["median"])
            sizes[r, c] = int(row[N])
        else:
            hidden[r, c] = True
    if not _for_a_phone(ax):
        return _heatmap_cells(ax, grid, sizes, hidden, periods, departments, fontsize=7.5, legend=True)
    runs = _period_runs(len(periods), ax.figure.get_figwidth(), _phone_cell(int(sizes.max())))
    panels = _stacked_axes(ax, [len(run) for run in runs], len(departments))
    for i, (panel, run) in enumerate(zip(panels, runs)):
        _heatmap_cells(panel, grid[:, run], sizes[:, run], hidden[:, run], [periods[c] for c in run], departments,
                       fontsize=PHONE_CELL_POINTS, legend=i == len(runs) - 1)
    return ax


COMPACT_CELL = 0.55  # inches: a heat map cell narrower than this says "6.5 / 15" instead of "6.5 / n=15"
HEATMAP_LABEL_SHARE = 0.25  # of the figure's width: a narrow heat map's department names wrap beyond it
PHONE_CELL = 0.6  # inches: the narrowest cell of a phone's heat map ("n=15" in PHONE_CELL_POINTS, with a margin)
PHONE_CELL_POINTS = 11.0  # the numbers in a phone's heat map cells: 17 px at 110 dpi, 15 px or more on a phone
_PHONE_ROW = 0.5  # inches: a department's row on a phone, two lines of PHONE_CELL_POINTS and a margin
_PHONE_RUN_GAP = 0.7  # inches under a run of periods: its period labels (two lines) and a space before the next
# On the axes of a run of a phone's heat map: (its cells, the cells of the longest run), so that narrow_layout,
# which widens axes to the figure's edge, widens a shorter run (7 quarters: 4 and 3) cell for cell, not to the edge.
_RUN_CELLS = "careerconv_run_cells"


def _for_a_phone(ax: Axes) -> bool:
    """Whether ``ax`` is on a phone's drawing of a chart (:func:`narrow_figure`: :data:`NARROW_WIDTH` or less)."""
    return ax.figure.get_figwidth() <= NARROW_WIDTH + 0.01


def _phone_cell(largest: int) -> float:
    """Inches a cell of a phone's heat map takes whose largest n is ``largest``: :data:`PHONE_CELL`, or wider for
    "n=174" (a large organisation's cells said "n=180n=216" as one word, touching)."""
    text = len(f"n={largest}") * PHONE_CELL_POINTS * 0.68 / 72  # 0.68 em: DejaVu Sans's digits and "=", a little over
    return max(PHONE_CELL, text + 0.12)


def _period_runs(periods: int, width: float, cell: float = PHONE_CELL) -> list[list[int]]:
    """The columns of a phone's heat map, ``periods`` of them, cut into even runs of cells at least ``cell``
    inches wide (:func:`_phone_cell`) on a figure ``width`` inches wide (its department names take
    :data:`HEATMAP_LABEL_SHARE` of it): 8 quarters on 3.4 inches are two runs of 4 (of 3, 3 and 2 for "n=174")."""
    per_run = max(1, int(width * (1 - HEATMAP_LABEL_SHARE) // cell))
    count = -(-periods // per_run)
    size = -(-periods // count)
    return [list(range(i, min(i + size, periods))) for i in range(0, periods, size)]


def _stacked_axes(ax: Axes, columns: list[int], rows: int) -> list[Axes]:
    """``ax`` and one new axes of its figure for each further run of ``columns``, stacked top to bottom, each
    cell ``_PHONE_ROW`` tall and as wide in every run; the figure is made as tall as they need."""
    fig = ax.figure
    title = 0.45  # inches above the first run, for the chart's title
    height = title + len(columns) * (rows * _PHONE_ROW + _PHONE_RUN_GAP)
    fig.set_size_inches(fig.get_figwidth(), height)
    left, right = ax.get_position().x0, ax.get_position().x1
    cell = (right - left) / max(columns)
    panels, top = [], 1 - title / height
    for i, count in enumerate(columns):
        panel_height = rows * _PHONE_ROW / height
        panel = ax if i == 0 else fig.add_axes((0, 0, 1, 1))
        panel.set_position([left, top - panel_height, cell * count, panel_height])
        setattr(panel, _RUN_CELLS, (count, max(columns)))  # narrow_layout widens each run as far, cell for cell
        panels.append(panel)
        top -= panel_height + _PHONE_RUN_GAP / height
    return panels


def _heatmap_cells(ax: Axes, grid: np.ndarray, sizes: np.ndarray, hidden: np.ndarray,
                   periods: Sequence[tuple[pd.Timestamp, pd.Timestamp]], departments: Sequence[str], *,
                   fontsize: float, legend: bool) -> Axes:
    """One heat map of departments (rows) by ``periods`` (columns): the medians' colours, each cell's median
    over its n, hidden cells grey; with ``legend``, the key beside it."""
    scale = Normalize(vmin=1, vmax=10)
    ax.imshow(np.where(hidden, np.nan, grid), cmap=RATING_CMAP, norm=scale, aspect="auto")
    # A cell too small for "n=15" (a wide drawing of many periods) says "6.5" over "15", the legend says what the
    # second number is, and the period ticks name the year only where it changes.
    compact = ax.figure.get_figwidth() * ax.get_position().width / len(periods) < COMPACT_CELL
    for r in range(len(departments)):
        for c in range(len(periods)):
            if hidden[r, c]:
                ax.add_patch(_cell_patch(c, r))
            elif not np.isnan(grid[r, c]):
                median = rating_text(grid[r, c])
                ax.text(c, r, f"{median}\n{'' if compact else 'n='}{sizes[r, c]}", ha="center", va="center",
                        fontsize=fontsize, color=text_on(RATING_CMAP(scale(grid[r, c]))))
    labels = ([period_label(a, b).replace(" ", "\n", 1) for a, b in periods] if not compact
              else compact_period_labels(periods))
    ax.set_xticks(range(len(periods)), labels, fontsize=max(7.5, fontsize - 1.5))
    # Narrow, a long department name takes two lines ("Customer" over "Success"), leaving the cells the width
    # that their numbers and the years under them need.
    rows = [_wrap_label(str(name), ax, 8.5, share=HEATMAP_LABEL_SHARE) if compact or _for_a_phone(ax) else name
            for name in departments]
    ax.set_yticks(range(len(departments)), rows, fontsize=8.5)
    ax.tick_params(length=0, colors=PALETTE["muted"])
    for side in ax.spines.values():
        side.set_visible(False)
    if not legend:
        return ax
    handles = [Patch(facecolor=HIDDEN_COLOUR, edgecolor=outline_for(HIDDEN_COLOUR), label="not shown (small group)"),
               Patch(facecolor="white", edgecolor=outline_for("white"), label="nobody rated it")]
    if compact:
        handles.insert(0, Patch(facecolor=RATING_CMAP(0.65), label="upper number: median rating; lower: n (employees)"))
    ax.legend(handles=handles, frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax


def compact_period_labels(periods: Sequence[tuple[pd.Timestamp, pd.Timestamp]]) -> list[str]:
    """Period tick labels for a narrow axis: ``"Q3"`` under ``"Q2"``, the year only where it is needed.

    A period's label is :func:`careerconv.analytics.period_label` with its year moved to a second line, shown at
    the very first period (so the left edge never says "Q4" of no year) and at the first period of every year
    after it. Whole years stay ``"2025"``.
    """
    out = []
    for i, (start, until) in enumerate(periods):
        label = period_label(start, until)
        year, _, rest = label.partition(" ")
        if not rest:
            out.append(label)
            continue
        new_year = i == 0 or pd.Timestamp(periods[i - 1][0]).year != pd.Timestamp(start).year
        out.append(f"{rest}\n{year}" if new_year else rest)
    return out


def _cell_patch(x: float, y: float) -> Rectangle:
    return Rectangle((x - 0.5, y - 0.5), 1, 1, facecolor=HIDDEN_COLOUR, edgecolor=outline_for(HIDDEN_COLOUR),
                     linewidth=1)


@plain_text
def band_bars(ax: Axes, distribution: pd.DataFrame) -> Axes:
    """Stacked bars: the share of employees per rating band, per skill (organisation rows), of the skills rated by
    the most employees (:func:`careerconv.analytics.distribution_skills`, which the reading ranks).

    Each row is labelled with its skill and employees; on a phone's drawing a long label takes two or three
    lines (:func:`_label_with_figures`) and the figure grows to give them the room. Bands too small to show are
    drawn together as one grey "not shown" part (the total of hidden bands is known anyway: the skill's total
    minus the bands shown, and complementary suppression keeps it at or above k).

    Returns
    -------
    matplotlib.axes.Axes
    """
    org = distribution[distribution[DEPARTMENT].isna()]
    totals = distribution_skills(distribution)  # the skills rated by the most employees, as the reading ranks them
    if totals.empty:
        return no_data(ax, "No skill has enough ratings to show a distribution.")
    skills = list(totals[SKILL])
    labels = [_label_with_figures(str(skill), f"(n={int(n):,})", ax) for skill, n in zip(skills, totals[N])]
    if any("\n" in label for label in labels):  # a phone's drawing: rows of two or three lines need the room
        _fit_height(ax, len(skills), per_row=_per_row(labels), grow=True)
    y = np.arange(len(skills))
    left = np.zeros(len(skills))
    for i, (label, low, high) in enumerate(BANDS):
        rows = org[(org["band"] == label)].set_index(SKILL)
        widths = np.array([float(rows.loc[s, "share"])
                           if s in rows.index and rows.loc[s, privacy.PRIVACY] == "" else 0.0 for s in skills])
        colour = RATING_CMAP((low + high) / 2 / 10)
        ax.barh(y, widths, left=left, height=0.62, color=colour, edgecolor=outline_for(colour), linewidth=0.6,
                label=label)
        left += widths
    rest = np.clip(1 - left, 0, 1)
    if (rest > 1e-9).any():
        ax.barh(y, rest, left=left, height=0.62, color=HIDDEN_COLOUR, edgecolor=outline_for(HIDDEN_COLOUR),
                linewidth=0.6, label="not shown")
    ax.set_yticks(y, labels, fontsize=BAR_LABEL_POINTS)
    ax.set_ylim(len(skills) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1))
    ax.set_xlabel("Share of employees, by their latest rating in the period", color=PALETTE["muted"])
    clean_axes(ax)
    ax.tick_params(axis="y", length=0)
    ax.legend(title="Rating", frameon=False, fontsize=8, title_fontsize=8, ncols=len(BANDS) + 1, loc="upper center",
              bbox_to_anchor=(0.5, -0.14))
    return ax


@plain_text
def value_bars(ax: Axes, frame: pd.DataFrame, label: str, value: str, *, xlabel: str, percent: bool = False,
               signed: bool = False, top: int | None = 12, sort: bool = True, reference: float | None = None,
               reference_label: str | None = None, show_hidden: bool = False) -> Axes:
    """Horizontal bars of one measure per label; hidden rows show their privacy label instead of a bar.

    A label too long for its share of the figure (:data:`LABEL_SHARE`; on a phone's drawing) takes two lines,
    and the figure grows to give such rows the room; the note of what is not shown is wrapped under the axis
    title, so nothing reaches past the figure's width.

    Parameters
    ----------
    ax
        Where to draw.
    frame
        Rows to draw (already narrowed to one department level and horizon).
    label, value
        Columns holding the bar label and the bar length.
    xlabel
        Axis title.
    percent
        Format the axis as percentages (values are shares 0-1).
    signed
        Centre the axis on zero (values may be negative).
    top
        Keep the largest ``top`` rows (by value; hidden rows after shown).
    sort
        Order by value, largest first.
    reference
        Draw a dashed line at this value (e.g. the organisation's average).
    reference_label
        What the line is, written at its top with its value (``"all skills +1.1"``).
    show_hidden
        Give hidden rows a line with their privacy label; otherwise only shown
        rows are drawn and a note counts the others.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if frame.empty:
        return no_data(ax, "Nothing to show.")
    data = frame.assign(_shown=privacy.shown(frame), _v=pd.to_numeric(frame[value], errors="coerce"))
    hidden_rows = int((~data["_shown"]).sum())
    shown_rows = len(data) - hidden_rows
    if not data["_shown"].any():
        return no_data(ax, f"All {len(data)} groups are too small to show (or {privacy.hidden_so_that()}).")
    if not show_hidden:
        data = data[data["_shown"]]
    if sort:
        data = bar_order(data, label, value)
    if top is not None:
        data = data.head(top)
    labels = [_wrap_label(str(v), ax, BAR_LABEL_POINTS) for v in data[label]]
    _fit_height(ax, len(data), grow=any("\n" in text for text in labels))
    y = np.arange(len(data))
    values = data["_v"].fillna(0).to_numpy(dtype=float)
    colours = [OKABE_ITO[0] if ok else HIDDEN_COLOUR for ok in data["_shown"]]
    if signed:
        colours = [(OKABE_ITO[0] if v >= 0 else OKABE_ITO[1]) if ok else HIDDEN_COLOUR
                   for v, ok in zip(values, data["_shown"])]
    ax.barh(y, np.where(data["_shown"], values, 0), height=0.62, color=colours)
    span = max(np.abs(values[data["_shown"].to_numpy()]).max() if data["_shown"].any() else 1.0, 1e-9)
    for yi, (_, row) in zip(y, data.iterrows()):
        if row["_shown"]:
            text = _bar_value(row["_v"], percent=percent, signed=signed)
            if value != N and N in data.columns:
                text += f"  (n={int(row[N]):,})"
            offset = span * 0.02 * (1 if row["_v"] >= 0 else -1)
            # On white, so that the dashed reference line never runs through the figures.
            ax.text(row["_v"] + offset, yi, text, va="center", ha="left" if row["_v"] >= 0 else "right",
                    fontsize=8, color=PALETTE["text"], bbox={"boxstyle": "square,pad=0.1", "facecolor": "white",
                                                             "edgecolor": "none"})
        else:
            ax.text(0, yi, f"  {row[privacy.PRIVACY]}", va="center", ha="left", fontsize=8, color=PALETTE["muted"],
                    style="italic")
    ax.set_yticks(y, labels, fontsize=BAR_LABEL_POINTS)
    ax.set_ylim(len(data) - 0.5, -0.5)
    if percent:
        ax.set_xlim(0, max(1.0, float(values.max()) * 1.1) if len(values) else 1.0)
        ax.xaxis.set_major_formatter(PercentFormatter(xmax=1))
    elif signed:
        shown_values = values[data["_shown"].to_numpy()]
        low = min(0.0, float(shown_values.min()) if len(shown_values) else 0.0)
        high = max(0.0, float(shown_values.max()) if len(shown_values) else 0.0)
        pad = max(high - low, 1e-9) * 0.18
        ax.set_xlim(low - (pad if low < 0 else 0), high + pad)
        ax.axvline(0, color=MARK_GREY, linewidth=0.8)
    else:
        ax.set_xlim(0, span * 1.2)
    if reference is not None and not pd.isna(reference):
        ax.axvline(reference, color=PALETTE["muted"], linestyle=(0, (4, 3)), linewidth=1.1)
        if reference_label:  # named at its top, where no bar is: a legend beside the chart left a phone no room
            ax.annotate(f"{reference_label} {_bar_value(reference, percent=percent, signed=signed)}",
                        xy=(reference, 1.0), xycoords=("data", "axes fraction"), xytext=(0, 3),
                        textcoords="offset points", ha="center", va="bottom", fontsize=8, color=PALETTE["muted"])
    ax.set_xlabel(xlabel, color=PALETTE["muted"])
    notes = []
    if hidden_rows and not show_hidden:
        notes.append(f"{hidden_rows} not shown (fewer employees than the minimum group size, or "
                     f"{privacy.hidden_so_that()})")
    cut = shown_rows - int(data["_shown"].sum())
    if cut > 0:
        notes.append(f"{cut} more with smaller values")
    if notes:
        # Under the axis title however many lines it takes, from the figure's left edge, wrapped at its right
        # edge: one long line made a phone's drawing as wide as a desktop's (and so shrunk to unreadable).
        ax.annotate("; ".join(notes).capitalize() + ".", xy=(0.01, 0), xycoords=("figure fraction", ax.xaxis.label),
                    xytext=(0, -4), textcoords="offset points", ha="left", va="top", wrap=True, fontsize=8,
                    color=PALETTE["muted"], style="italic")
    clean_axes(ax)
    ax.tick_params(axis="y", length=0)
    return ax


def _bar_value(value: float, *, percent: bool, signed: bool) -> str:
    """A bar's figure as its label says it: ``"42%"``, ``"+1.1"`` or ``"3.7"``."""
    if percent:
        return percent(value)
    return one_decimal(value, signed=True) if signed else rating_text(value)


@plain_text
def department_share_bars(ax: Axes, frame: pd.DataFrame, columns: Sequence[tuple[str, str]], *,
                          total_label: str = "All departments", xlabel: str = "Share of employees") -> Axes:
    """Grouped horizontal bars of shares per department (the all-departments row first).

    Parameters
    ----------
    ax
        Where to draw.
    frame
        A table with a ``department`` column, one row per department.
    columns
        ``(column, legend label)`` pairs of shares (0-1) to draw side by side.
    total_label
        Label of the row for all departments.
    xlabel
        Axis title: what the shares are of.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if frame.empty:
        return no_data(ax, "Nothing to show.")
    labels = _group_labels(frame, DEPARTMENT, total_label)
    shown = privacy.shown(frame).to_numpy()
    y = np.arange(len(frame))
    height = 0.8 / len(columns)
    for i, (column, legend) in enumerate(columns):
        values = pd.to_numeric(frame[column], errors="coerce").fillna(0).to_numpy(dtype=float)
        offset = (i - (len(columns) - 1) / 2) * height
        ax.barh(y + offset, np.where(shown, values, 0), height=height * 0.92, color=OKABE_ITO[i % len(OKABE_ITO)],
                label=legend)
        for yi, v, ok in zip(y, values, shown):
            if ok:
                ax.text(v + 0.01, yi + offset, percent(v), va="center", fontsize=7.5, color=PALETTE["text"])
    for yi, ok, text in zip(y, shown, frame[privacy.PRIVACY]):
        if not ok:
            ax.text(0.005, yi, text, va="center", fontsize=8, color=PALETTE["muted"], style="italic")
    ax.set_yticks(y, labels)
    ax.set_ylim(len(frame) - 0.5, -0.5)
    ax.set_xlim(0, 1.08)
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1))
    ax.set_xlabel(xlabel, color=PALETTE["muted"])
    clean_axes(ax)
    ax.tick_params(axis="y", length=0)
    ax.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=len(columns))
    return ax


@plain_text
def status_bars(ax: Axes, action_items: pd.DataFrame, *, total_label: str = "All departments") -> Axes:
    """Stacked bars of action-item status shares per department.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if action_items.empty:
        return no_data(ax, "No action items were agreed in this period.")
    labels = _group_labels(action_items, DEPARTMENT, total_label)
    shown = privacy.shown(action_items).to_numpy()
    y = np.arange(len(action_items))
    left = np.zeros(len(action_items))
    texts = [whole_share_texts("action_items", row) for _, row in action_items.iterrows()]
    for column, legend, colour in STATUS_ORDER:
        values = pd.to_numeric(action_items[column], errors="coerce").fillna(0).to_numpy(dtype=float)
        values = np.where(shown, values, 0)
        ax.barh(y, values, left=left, height=0.62, color=colour, edgecolor=outline_for(colour), linewidth=0.6,
                label=legend)
        _share_labels(ax, y, left, values, [text[column] for text in texts], colour, fontsize=7.5)
        left += values
    for yi, ok, text in zip(y, shown, action_items[privacy.PRIVACY]):
        if not ok:
            ax.text(0.005, yi, text, va="center", fontsize=8, color=PALETTE["muted"], style="italic")
    ax.set_yticks(y, labels)
    ax.set_ylim(len(action_items) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1))
    ax.set_xlabel("Share of a person's action items (averaged over people)", color=PALETTE["muted"])
    clean_axes(ax)
    ax.tick_params(axis="y", length=0)
    ax.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=len(STATUS_ORDER))
    return ax


class _SegmentLabel(Text):
    """A label centred on a segment of a stacked bar, drawn only where it fits inside the segment as drawn (a
    narrow drawing leaves some segments too thin for their percentage, which would overprint the next one's)."""

    def __init__(self, left: float, right: float, y: float, text: str, **kwargs):
        super().__init__((left + right) / 2, y, text, ha="center", va="center", **kwargs)
        self._span = (left, right)
        self.fits = True  # as last drawn

    def draw(self, renderer) -> None:
        if self.axes is not None and self.get_visible():
            x0, x1 = (self.axes.transData.transform((x, 0))[0] for x in self._span)
            self.fits = self.get_window_extent(renderer).width + 4 <= abs(x1 - x0)
            if not self.fits:
                return
        super().draw(renderer)


def _share_labels(ax: Axes, y: np.ndarray, left: np.ndarray, values: np.ndarray, texts: Sequence[str],
                  colour: str, *, fontsize: float) -> None:
    """Each segment's share on it as ``texts`` says it (the parts of a bar rounded together:
    :func:`careerconv.analytics.whole_share_texts`), in the ink that reads on ``colour``, where it fits."""
    for yi, v, l0, text in zip(y, values, left, texts):
        if v > 0:
            ax.add_artist(_SegmentLabel(l0, l0 + v, yi, text, fontsize=fontsize, color=text_on(colour),
                                        clip_on=False))


def _group_labels(frame: pd.DataFrame, column: str, total_label: str) -> list[str]:
    """Row labels that say how many people each row describes: ``"Sales (n=16)"``, a right-to-left name
    isolated so the count stays after it; hidden rows just the name."""
    labels = []
    for name, n, ok in zip(frame[column], frame[N], privacy.shown(frame)):
        text = total_label if pd.isna(name) else str(name)
        labels.append(f"{isolated(text)} (n={int(n):,})" if ok else text)
    return labels


def _every_period(figures: pd.DataFrame) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Every period (start, first day after) from the first to the last of a grouping, none skipped.

    A quiet period keeps its place on the axis; periods run back to back from the first start.
    """
    if figures.empty:
        return []
    spans = figures.loc[:, ["bucket", "until"]].drop_duplicates().sort_values("bucket")
    starts, ends = pd.to_datetime(spans["bucket"]).tolist(), pd.to_datetime(spans["until"]).tolist()
    months = max(1, round((ends[-1] - starts[-1]).days / 30.4)) if len(starts) == 1 else \
        min(round((b - a).days / 30.4) for a, b in zip(starts, ends))
    known = dict(zip(starts, ends))
    periods, day = [], starts[0]
    while day <= starts[-1]:
        until = known.get(day, day + pd.DateOffset(months=months))
        periods.append((day, until))
        day = until
    return periods


def _period_axis(ax: Axes, periods: Sequence[tuple[pd.Timestamp, pd.Timestamp]]) -> None:
    step = max(1, int(np.ceil(len(periods) / 10)))
    ticks = list(range(0, len(periods), step))
    ax.set_xticks(ticks, [period_label(*periods[i]) for i in ticks], fontsize=8)
    ax.set_xlim(-0.4, len(periods) - 0.6)


# The hidden periods' row of a rating chart, below the scale of 1 to 10 (:func:`rating_lines`).
_HIDDEN_ROW, _HIDDEN_STRIP = 0.35, (0.0, 0.7)


def _hidden_strip(ax: Axes) -> None:
    """A grey strip under the rating scale, named "hidden", for the open markers of hidden periods."""
    low, high = _HIDDEN_STRIP
    ax.set_ylim(low, ax.get_ylim()[1])
    ax.axhspan(low, high, color=PALETTE["grid"], alpha=0.6, linewidth=0, zorder=0)
    ax.yaxis.set_major_locator(FixedLocator([_HIDDEN_ROW, *range(1, 11)]))
    ax.set_yticklabels(["hidden", *map(str, range(1, 11))])


def _rating_axis(ax: Axes, axis: str) -> None:
    clean_axes(ax)
    (ax.set_ylim if axis == "y" else ax.set_xlim)(1, 10.3)
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_locator(FixedLocator(range(1, 11)))
    ax.grid(axis=axis, color=PALETTE["grid"], linewidth=0.8)
    ax.set_axisbelow(True)


# --------------------------------------------------------------------------- one chart per table


@plain_text
def trends_chart(ax: Axes, grouping: "Grouping | pd.DataFrame", top: int = TREND_LINES) -> Axes:
    """The trends chart: median self rating per period of the most-rated skills (or over all skills).

    ``grouping`` is :func:`careerconv.analytics.readable_grouping` of the organisation rows (or the
    ``skill_trends`` table: quarters by skill).
    """
    figures = grouping.figures if isinstance(grouping, Grouping) else _as_figures(grouping)
    grain = grouping.grain if isinstance(grouping, Grouping) else "quarter"
    per_skill = grouping.per_skill if isinstance(grouping, Grouping) else True
    ax = rating_lines(ax, figures, top=top)
    if ax.axison:
        what = f"{top} most-rated skills" if per_skill else "all skills (each employee once)"
        ax.set_title(f"Median self rating per {grain}, {what}", loc="left", fontsize=10, color=PALETTE["text"])
    return ax


@plain_text
def department_chart(ax: Axes, grouping: "Grouping | pd.DataFrame") -> Axes:
    """The department chart: a department x period heat map of the most-rated skill, or of all skills.

    ``grouping`` is :func:`careerconv.analytics.readable_grouping` of the department rows (or the
    ``department_trends`` table: quarters by skill).
    """
    figures = grouping.figures if isinstance(grouping, Grouping) else _as_figures(grouping)
    per_skill = grouping.per_skill if isinstance(grouping, Grouping) else True
    grain = grouping.grain if isinstance(grouping, Grouping) else "quarter"
    skill = heatmap_skill(figures, per_skill)
    if per_skill and skill is None:
        return no_data(ax, "No department has enough employees rating a skill in a period to show.")
    ax = department_heatmap(ax, figures, skill)
    if ax.axison:
        what = f"{isolated(skill)} rating" if skill else "rating over all skills"
        ax.set_title(f"Median {what} by department and {grain}",
                     loc="left", fontsize=10, color=PALETTE["text"])
    return ax


@plain_text
def distribution_chart(ax: Axes, rating_distribution: pd.DataFrame) -> Axes:
    """The ``rating_distribution`` chart: rating bands per skill."""
    return band_bars(ax, rating_distribution)


@plain_text
def growth_chart(ax: Axes, skill_growth: pd.DataFrame, horizon: int = 12) -> Axes:
    """The ``skill_growth`` chart: mean change per skill after ``horizon`` months.

    Where no skill can be shown on its own (:func:`careerconv.analytics.skill_view`), the mean change over
    all skills at every horizon instead.
    """
    view = skill_view("skill_growth", skill_growth, horizon=horizon)
    if not view.per_skill:
        every = view.figures.sort_values(HORIZON_MONTHS)
        every = every.assign(_label=[f"after {int(h)} months" for h in every[HORIZON_MONTHS]])
        return value_bars(ax, every, "_label", "mean_growth", sort=False, signed=True, show_hidden=True,
                          xlabel="Mean change in rating since the conversation, all skills together (points)")
    org = view.figures
    per_skill = org[org[SKILL].notna()]
    overall = org[org[SKILL].isna() & privacy.shown(org)]
    if per_skill.empty:
        return no_data(ax, f"No skill was measured {horizon} months after a conversation yet.")
    reference = float(overall["mean_growth"].iloc[0]) if len(overall) else None
    return value_bars(ax, per_skill, SKILL, "mean_growth", xlabel=f"Mean change in rating after {horizon} months "
                      "(points)", signed=True, reference=reference, reference_label="all skills")


@plain_text
def attainment_chart(ax: Axes, target_attainment: pd.DataFrame) -> Axes:
    """The ``target_attainment`` chart: of the targets due at each horizon, reached / not reached / not measured.

    One stacked bar per horizon (organisation row), the four parts (:data:`ATTAINMENT_PARTS`) adding up to every
    target due, so a target nobody measured is never dropped from the picture; each bar's label gives the employees and
    targets it describes, and a hidden horizon says why in place of its bar.
    """
    org = target_attainment[target_attainment[DEPARTMENT].isna()].sort_values(HORIZON_MONTHS)
    if org.empty:
        return no_data(ax, "No target has reached its date yet.")
    shown = privacy.shown(org).to_numpy()
    y = np.arange(len(org))
    left = np.zeros(len(org))
    texts = [whole_share_texts("target_attainment", row) for _, row in org.iterrows()]
    for column, legend, colour in ATTAINMENT_PARTS:
        values = np.where(shown, pd.to_numeric(org[column], errors="coerce").fillna(0).to_numpy(dtype=float), 0)
        ax.barh(y, values, left=left, height=0.62, color=colour, edgecolor=outline_for(colour), linewidth=0.6,
                label=legend, hatch="///" if column == "share_not_measured" else None)
        _share_labels(ax, y, left, values, [text[column] for text in texts], colour, fontsize=8)
        left += values
    labels = []
    for (_, row), ok in zip(org.iterrows(), shown):
        name = f"{int(row['horizon_months'])}-month targets"
        labels.append(f"{name}\n{int(row['targets_due']):,} due, n={int(row[N]):,}" if ok else name)
    for yi, ok, text in zip(y, shown, org[privacy.PRIVACY]):
        if not ok:
            ax.text(0.005, yi, text, va="center", fontsize=8, color=PALETTE["muted"], style="italic")
    ax.set_yticks(y, labels)
    ax.set_ylim(len(org) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1))
    ax.set_xlabel("Share of the targets due (n = employees with targets due)", color=PALETTE["muted"])
    clean_axes(ax)
    ax.tick_params(axis="y", length=0)
    ax.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.22),
              ncols=len(ATTAINMENT_PARTS))
    return ax


@plain_text
def most_wanted_chart(ax: Axes, most_wanted_skills: pd.DataFrame, total_label: str = "All departments") -> Axes:
    """The ``most_wanted_skills`` chart: employees working on each skill.

    Where no skill can be shown on its own (:func:`careerconv.analytics.skill_view`), the share of the
    people met who chose any skill, per department, instead.
    """
    if most_wanted_skills.empty:
        return no_data(ax, "No skill was discussed in this period.")
    view = skill_view("most_wanted_skills", most_wanted_skills)
    if not view.per_skill:
        anyone = any_skill_rows(most_wanted_skills)
        anyone = anyone.assign(_label=anyone[DEPARTMENT].astype(object).where(anyone[DEPARTMENT].notna(),
                                                                              total_label))
        return value_bars(ax, anyone, "_label", "skills_per_person", sort=False, show_hidden=True, top=None,
                          xlabel="Different skills each person chose to work on (mean; n = employees who chose any)")
    org = view.figures[view.figures[SKILL].notna()]
    return value_bars(ax, org, SKILL, N, xlabel="Employees who chose to work on the skill")


@plain_text
def gaps_chart(ax: Axes, rating_gaps: pd.DataFrame) -> Axes:
    """The ``rating_gaps`` chart: self versus coach rating by skill, all skills first.

    A diverging bar per skill: to the left the share of employees who rate themselves *below* their
    coach, to the right the share who rate themselves *above*; the rest agree. Each row is labelled with
    its employees and the mean gap (self minus coach). The row over all skills counts each person once, by the
    mean of their gaps, and is named so (:data:`careerconv.analytics.ALL_SKILLS_BY_PERSON`). Skills too small to
    show are counted in a note.
    """
    org = rating_gaps[rating_gaps[DEPARTMENT].isna()]
    if org.empty:
        return no_data(ax, "No skill has both a self and a coach rating in this period.")
    rows = gap_rows(org)
    if rows.empty:
        return no_data(ax, f"All {len(org)} groups are too small to show (or {privacy.hidden_so_that()}).")
    labels = [_label_with_figures(ALL_SKILLS_BY_PERSON if pd.isna(skill) else str(skill),
                                  f"(n={int(n):,}, mean {one_decimal(gap, signed=True)})", ax)
              for skill, n, gap in zip(rows[SKILL], rows[N], rows["mean_gap"].astype(float))]
    _fit_height(ax, len(rows), extra=1.9, per_row=_per_row(labels), grow=any("\n" in label for label in labels))
    y = np.arange(len(rows))
    lower = pd.to_numeric(rows["share_self_lower"], errors="coerce").fillna(0).to_numpy(dtype=float)
    higher = pd.to_numeric(rows["share_self_higher"], errors="coerce").fillna(0).to_numpy(dtype=float)
    ax.barh(y, -lower, height=0.62, color=OKABE_ITO[0], label="rate themselves lower than their coach")
    ax.barh(y, higher, height=0.62, color=OKABE_ITO[1], label="rate themselves higher than their coach")
    for yi, lo, hi in zip(y, lower, higher):
        if lo > 0:
            ax.text(-lo - 0.01, yi, percent(lo), va="center", ha="right", fontsize=8, color=PALETTE["text"])
        if hi > 0:
            ax.text(hi + 0.01, yi, percent(hi), va="center", ha="left", fontsize=8, color=PALETTE["text"])
    ax.set_yticks(y, labels, fontsize=BAR_LABEL_POINTS)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlim(-1.15, 1.15)
    ax.axvline(0, color=MARK_GREY, linewidth=0.8)
    # Every 50% where there is room, every 100% on a phone's narrow axes (five labels ran together there).
    ax.xaxis.set_major_locator(MaxNLocator(nbins="auto", steps=[5, 10]))
    ax.xaxis.set_major_formatter(lambda v, _: percent(abs(v)))
    ax.set_xlabel("Share of employees with both ratings (the rest agree with their coach)", color=PALETTE["muted"])
    clean_axes(ax)
    ax.tick_params(axis="y", length=0)
    # Below the axis title, at a fixed distance whatever the chart's height.
    axes_inches = ax.figure.get_figheight() * ax.get_position().height
    ax.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.55 / axes_inches), ncols=2)
    hidden = int((~privacy.shown(org)).sum())
    if hidden:
        def under_the_legend(renderer):  # wherever it is when drawn: narrow_layout moves it to the left edge
            legend = ax.get_legend()
            return (legend if legend is not None else ax.xaxis.label).get_window_extent(renderer)

        # As value_bars writes its note: under the legend however many lines it takes, from the figure's left
        # edge, wrapped at its right edge (in the axis title, a phone's drawing folded it into the title).
        ax.annotate(f"{hidden} skills not shown (too few employees, or {privacy.hidden_so_that()}).",
                    xy=(0.01, 0), xycoords=("figure fraction", under_the_legend), xytext=(0, -4),
                    textcoords="offset points", ha="left", va="top", wrap=True, fontsize=8, color=PALETTE["muted"],
                    style="italic")
    return ax


@plain_text
def cadence_chart(ax: Axes, cadence_compliance: pd.DataFrame, total_label: str = "All departments") -> Axes:
    """The ``cadence_compliance`` chart: share overdue for a conversation and for a follow-up."""
    return department_share_bars(ax, cadence_compliance, [
        ("share_conversation_overdue", "overdue for a career conversation"),
        ("share_checkin_overdue", "overdue for a follow-up check-in")], total_label=total_label)


@plain_text
def action_items_chart(ax: Axes, action_items: pd.DataFrame, total_label: str = "All departments") -> Axes:
    """The ``action_items`` chart: status of the action items per department."""
    return status_bars(ax, action_items, total_label=total_label)


@plain_text
def option_kinds_chart(ax: Axes, option_kinds: pd.DataFrame) -> Axes:
    """The ``option_kinds`` chart: mean rating gain per kind of chosen option, at every horizon of the table.

    Rows run horizon by horizon (6 months, then 12), the kinds of each horizon from the largest gain down,
    each bar labelled with its gain and the employees it describes; kinds too small to show keep a row
    saying so, so every kind is compared at every horizon the minimum group size allows.
    """
    if option_kinds.empty:
        return no_data(ax, "No plan was measured 6 or 12 months after its conversation yet.")
    rows = option_kind_rows(option_kinds)
    rows = rows.assign(label=[f"{int(h)} months: {kind}" for h, kind in zip(rows[HORIZON_MONTHS], rows["kind"])])
    return value_bars(ax, rows, "label", "mean_gain",
                      xlabel="Mean gain in rating since the conversation (points)", signed=True, top=None,
                      sort=False, show_hidden=True)


# The figures each chart draws (careerconv.views.chart_figures), by chart.
_FIGURES: dict[Callable[..., Axes], Callable[..., chart_figures.ChartFigures]] = {
    trends_chart: chart_figures.trends_figures,
    department_chart: chart_figures.department_figures,
    distribution_chart: chart_figures.distribution_figures,
    growth_chart: chart_figures.growth_figures,
    most_wanted_chart: chart_figures.most_wanted_figures,
    gaps_chart: chart_figures.gaps_figures,
    action_items_chart: chart_figures.action_items_figures,
    option_kinds_chart: chart_figures.option_kinds_figures,
}


def chart_with_figures_html(draw: Callable[..., Axes], table: "Grouping | pd.DataFrame", *, alt: str,
                            size: tuple[float, float] = (9.0, 4.5), **kwargs) -> str:
    """A chart of the HR page (:func:`chart_html`) followed by the figures it draws, as a table in a closed
    ``<details>`` (:func:`careerconv.views.chart_figures.figures_html`); "" when the chart has nothing to show.

    ``draw(ax, table, **kwargs)`` is one of the chart helpers with figures (:data:`_FIGURES`), e.g.
    ``chart_with_figures_html(trends_chart, trends, alt=reading, size=(9, 4.2))``; ``kwargs`` (a horizon, the
    label of the all-departments row) go to the chart and to its figures alike.

    Raises
    ------
    ValueError
        For a chart helper whose figures are not known here.
    """
    if draw not in _FIGURES:
        known = ", ".join(chart.__name__ for chart in _FIGURES)
        raise ValueError(f"no table of figures for the chart {getattr(draw, '__name__', draw)!r}; charts with "
                         f"figures: {known}")
    chart = chart_html(draw, table, alt=alt, size=size, **kwargs)
    if not chart:
        return ""  # nothing drawn: the reading above says why, and there are no figures to list
    return chart + chart_figures.figures_html(_FIGURES[draw](table, **kwargs))
