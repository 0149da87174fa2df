"""The report's sections as HTML fragments and charts, for the employee's eyes.

Each function takes a :class:`~careerconv.surfaces.report.content.ReportContent` and
returns a :class:`Fragment` (HTML that a notebook displays as its output) or
None when the section has nothing to show. Every piece of text that came from
a person (names, dreams, skills, notes …) goes through
:func:`careerconv.views.html_parts.escape_html`, so
``<script>`` in a dream is shown as text, never run, and is put in an element
whose direction the browser takes from the text itself (:func:`_typed`, or a
table column listed as ``typed``): a dream in Hebrew or a skill in Arabic reads
right to left and starts on the right, and the date after a right-to-left name
stays in its place. Text without a right-to-left letter looks as it did.

Charts are drawn with :mod:`careerconv.views.plots` on a fresh
:class:`matplotlib.figure.Figure` (no pyplot, so no figure outlives its report
and nothing depends on the kernel's plotting backend) and embedded as an
``<img>`` with a text alternative. SVG with its text left as text is the
default: measured on the demo organisation it costs about a quarter less to
make than a PNG at 96 dpi (no glyphs to rasterise, no image to compress),
gives a smaller page and stays sharp when zoomed or printed. PNG remains an
option for viewers that handle SVG images badly.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

from careerconv.rules import cadence
from careerconv.views import plots
from careerconv.records.dates import NO_BREAK, human_date
from careerconv.records.numbers import rating_text
from careerconv.rules.followup import item_status_label
from careerconv.views.html_parts import FIGURE_FORMATS, figure_html
from careerconv.views.html_parts import escape_html as _e
from careerconv.records.schema import DATE, FOLLOW_UP_WORDS, SKILL, STATUS, skill_key
from careerconv.records.words import word_list
from careerconv.rules import progress
from .content import (
    ProgressSummary,
    ReportContent,
    SkillChartData,
    action_plan_parts,
    earlier_plans_list,
    horizon_rows,
    progress_summary,
    skill_chart_data,
)

__all__ = [
    "FIGURE_FORMATS",
    "Fragment",
    "stylesheet",
    "header",
    "summary_line",
    "dreams",
    "standing",
    "standing_title",
    "standing_heading",
    "Heading",
    "STOOD_ON_LAST_DAY",
    "horizon_table",
    "skill_sections",
    "action_plan",
    "next_steps",
    "earlier_plans",
    "how_to_read",
    "chart_key",
    "format_day",
    "owner_words",
    "shorten",
    "room_for_legend",
    "standing_chart_size",
    "standing_figure",
    "skill_figure",
    "draw_standing",
    "draw_skill",
    "summary_words",
    "CHART_WIDTH",
    "NARROW_WIDTH",
    "CHART_ZOOM",
    "narrow_label",
]

DUE_WORDS = {
    cadence.OVERDUE: "overdue",
    cadence.DUE_SOON: "due soon",
    cadence.SCHEDULED: "scheduled",
    cadence.NEVER_MET: "not held yet",
}
_STATUS_CLASS = {progress.AHEAD: "ahead", progress.ON_TRACK: "on-track", progress.BEHIND: "behind",
                 progress.DUE_NOT_MEASURED: "missed", progress.UPCOMING: "not-measured"}
_STATUS_MARK = {progress.AHEAD: "\u25b2", progress.ON_TRACK: "\u25cf", progress.BEHIND: "\u25bc",
                progress.DUE_NOT_MEASURED: "!", progress.UPCOMING: "\u25cb"}
_DASH = "\u2014"
# The standing section's heading for someone who has left (their report is as of their last day here), and the start
# of the line above its chart that names that day; someone still here, or leaving on a day to come, stands today.
STOOD_ON_LAST_DAY = "Where you stood on your last day here"
_STANDS_TODAY = "Where you stand today"
_STANDING_INTRO = ("Each skill's latest rating against the next target you set for it (or the last one, when its date "
                   "passed with no rating near it), with your coach's ratings beside yours.")
_AUTO = ' dir="auto"'  # the direction of an element holding typed text: its text's (see _typed)

_CSS = """
.cc-report { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: #222; line-height: 1.5; max-width: 980px; overflow-wrap: anywhere; }
.cc-report h2.cc-name { font-size: 1.9em; margin: 0.1em 0 0.2em; }
.cc-report .cc-sub { color: #555; margin: 0 0 0.8em; }
.cc-report table.cc-facts { border-collapse: separate; margin: 0.6em 0 1em; padding: 0.6em 0.9em;
  background: #F5F7FA; border-radius: 8px; border: none; }
.cc-report table.cc-facts tr, .cc-report table.cc-facts tr:nth-child(odd) { background: transparent; }
.cc-report table.cc-facts th { color: #555; font-weight: 600; text-align: start; padding: 0.2em 1.6em 0.2em 0.2em;
  white-space: nowrap; border: none; background: transparent; }
.cc-report table.cc-facts td { text-align: start; padding: 0.2em; border: none; }
.cc-report ol.cc-dreams { font-size: 1.08em; padding-left: 0; }
/* The number's room on the side where the dream starts (the right for a dream in Hebrew). */
.cc-report ol.cc-dreams li { margin: 0.25em 0; margin-inline-start: 1.6em; }
.cc-report table.cc-table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.95em;
  width: 100%; table-layout: auto; }
.cc-report table.cc-table caption { text-align: start; color: #555; font-size: 0.92em; padding-bottom: 0.4em; }
.cc-report table.cc-table th { text-align: start; background: #EEF1F5; color: #333; font-weight: 600;
  padding: 0.45em 0.7em; border-bottom: 2px solid #D5DBE3; overflow-wrap: normal; }
.cc-report table.cc-table td { padding: 0.4em 0.7em; border-bottom: 1px solid #E6E9EE; vertical-align: top;
  text-align: start; white-space: pre-wrap; }
/* a date, a status, a number is broken only where it has a space (it read "3 Feb 20 / 26"); typed text anywhere */
.cc-report table.cc-table td:not([dir]) { overflow-wrap: normal; }
.cc-report table.cc-table th.cc-num { text-align: right; }
.cc-report table.cc-table td.cc-num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.cc-report table.cc-table tr.cc-group td { background: #FAFBFC; font-weight: 600; color: #444; }
.cc-report .cc-status { display: inline-block; padding: 0.05em 0.55em; border-radius: 999px; font-weight: 600;
  font-size: 0.92em; white-space: nowrap; border: 1px solid transparent; }
.cc-report .cc-status.ahead { background: #E3F0FA; color: #00558A; border-color: #9CC8EA; }
.cc-report .cc-status.on-track { background: #E1F4EE; color: #006B4F; border-color: #8FD3BD; }
.cc-report .cc-status.behind { background: #FDF1DC; color: #8A5A00; border-color: #EDC774; }
.cc-report .cc-status.not-measured { background: #F1F1F1; color: #555; border-color: #D0D0D0; }
.cc-report .cc-status.missed { background: #FBE3D0; color: #7A3800; border-color: #E0A070; }
.cc-report .cc-status.done { background: #E1F4EE; color: #006B4F; }
.cc-report .cc-status.in-progress { background: #E3F0FA; color: #00558A; }
.cc-report .cc-status.open { background: #F1F1F1; color: #444; }
.cc-report .cc-status.dropped { background: #F6E9F1; color: #7A3B63; }
.cc-report .cc-status.overdue { background: #FDF1DC; color: #8A5A00; }
.cc-report figure.cc-chart { margin: 0.4em 0 1em; }
.cc-report figure.cc-chart img { width: 100%; height: auto; display: block; }
.cc-report .cc-scroll { overflow-x: auto; max-width: 100%; }
.cc-report p.cc-summary { font-size: 1.12em; font-weight: 600; margin: 0.4em 0 0.8em; padding: 0.5em 0.8em;
  background: #F5F7FA; border-left: 4px solid #3A4A5C; border-radius: 4px; }
.cc-report p.cc-summary.cc-alert { border-left-color: #B35C00; }
.cc-report details.cc-plan { margin: 0.4em 0 0.8em; }
.cc-report details.cc-plan summary { cursor: pointer; font-weight: 600; padding: 0.3em 0; }
.cc-report p.cc-chart-note { color: #555; font-size: 0.92em; margin: 0.2em 0 0.4em; }
@media (max-width: 700px) {
  .cc-report { font-size: 15px; }
  /* a label wraps between its words, never inside one (it read "Last career convers / ation" at 400 px) */
  .cc-report table.cc-facts th { white-space: normal; overflow-wrap: normal; padding-right: 0.8em; }
  .cc-report table.cc-table th, .cc-report table.cc-table td { padding: 0.35em 0.45em; }
  /* Narrow screens: each row becomes a card, each cell labelled with its column. */
  .cc-report table.cc-table, .cc-report table.cc-table tbody, .cc-report table.cc-table tr,
  .cc-report table.cc-table td, .cc-report table.cc-table caption { display: block; width: auto; }
  .cc-report table.cc-table thead { display: none; }
  .cc-report table.cc-table tr { border-bottom: 1px solid #D5DBE3; padding: 0.3em 0; }
  .cc-report table.cc-table td { border: none; text-align: start; padding: 0.1em 0.3em; }
  .cc-report table.cc-table td.cc-num { text-align: start; }
  /* The label isolated (FSI ... PDI), so it keeps its colon whatever the direction of the cell's text. */
  .cc-report table.cc-table td[data-label]::before { content: "\\2068" attr(data-label) ":\\2069" " ";
    font-weight: 600; color: #555; }
  .cc-report table.cc-table td:empty { display: none; }
  .cc-report table.cc-words th { white-space: normal; }
  .cc-report .cc-key-item { white-space: normal; }
  .cc-report table.cc-words, .cc-report table.cc-words tbody, .cc-report table.cc-words tr,
  .cc-report table.cc-words th, .cc-report table.cc-words td { display: block; }
}
.cc-report section.cc-skill { margin: 1.4em 0 2em; padding-top: 0.6em; border-top: 1px solid #E6E9EE; }
.cc-report section.cc-skill h3 { margin: 0.2em 0 0.4em; font-size: 1.3em; }
.cc-report table.cc-words { border-collapse: collapse; margin: 0.4em 0 0.8em; border: none; }
.cc-report table.cc-words tr, .cc-report table.cc-words tr:nth-child(odd) { background: transparent; }
.cc-report table.cc-words th { color: #555; font-weight: 600; text-align: start; vertical-align: top;
  padding: 0.15em 1.4em 0.15em 0; white-space: nowrap; border: none; background: transparent; }
.cc-report table.cc-words td { text-align: start; padding: 0.15em 0; white-space: pre-wrap; border: none; }
.cc-report p.cc-key { font-size: 0.9em; color: #444; line-height: 1.9; display: flex; flex-wrap: wrap;
  column-gap: 1.1em; }
.cc-report .cc-key-item { white-space: nowrap; }
.cc-report .cc-key-mark { font-size: 1.25em; margin-right: 0.3em; vertical-align: -0.08em; }
.cc-report p.cc-empty { color: #555; font-style: italic; }
.cc-report p.cc-note { color: #555; font-size: 0.92em; }
@media print {
  .cc-report section.cc-skill, .cc-report tr, .cc-report figure { break-inside: avoid; }
  .cc-report h2, .cc-report h3, .cc-report caption { break-after: avoid; }
  .cc-report details.cc-plan > * { display: block; }
}
"""


@dataclass(frozen=True, repr=False)
class Fragment:
    """A piece of trusted HTML (every user text in it already escaped).

    Notebooks display it as rich output: HTML, and a one-line plain-text
    stand-in (not the HTML a second time, which would double the size of
    every executed notebook). ``str()`` gives the HTML.
    """

    html: str

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/html": self.html, "text/plain": repr(self)}

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"<report section: {len(self.html)} characters of HTML>"

    def __str__(self) -> str:
        return self.html


@dataclass(frozen=True)
class Heading:
    """A section's heading and its one-line introduction, shown by a notebook as Markdown (as a Markdown cell
    would show them) and read by the PDF as ``text`` and ``intro``."""

    text: str
    intro: str = ""

    def _repr_markdown_(self) -> str:
        return f"## {self.text}" + (f"\n\n{self.intro}" if self.intro else "")


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _wrap(body: str) -> Fragment:
    return Fragment(f'<div class="cc-report">{body}</div>')


def format_day(value: Any) -> str:
    """A day as ``9 Mar 2026`` that never wraps (an em dash when missing):
    :func:`careerconv.records.dates.human_date`."""
    return human_date(value, missing=_DASH, space=NO_BREAK)


def _rating(value: Any) -> str:
    """A rating or a point on the plan line: "7", "6.8" (:func:`careerconv.records.numbers.rating_text`)."""
    return _DASH if value is None or _missing(value) else rating_text(value)


def _typed(value: Any, tag: str = "bdi", attributes: str = "") -> str:
    """Text a person typed (a name, a dream, a skill, a note), escaped, in an element that takes its
    direction from the text itself ("" for missing or blank text in a ``<bdi>``).

    ``<bdi>``, the default, is for such text inside a sentence or list of ours: the text is isolated,
    so the words and numbers after a right-to-left name ("25 Feb 2026: <note>", "Your coach") keep
    their order. A block element (``"h2"``, ``"li"``, ``"td"``, with its ``attributes``) gets
    ``dir="auto"``: it reads right to left, and starts on the right (``text-align: start``), when its
    first letter of a strong direction is right to left.
    """
    text = _e(value)
    if tag == "bdi":
        return f"<bdi>{text}</bdi>" if text.strip() else ""
    return f'<{tag}{attributes}{_AUTO}>{text}</{tag}>'


def leaving_words(content: ReportContent | SkillChartData) -> str | None:
    """What a target dated on or after the leaving day is called: "after you left", "after you leave" (a leaving
    day still to come), None when no leaving day is known."""
    if isinstance(content, SkillChartData):
        left, leaving = content.left, content.left_on
    else:
        left, leaving = content.left_on is not None, content.leaving_day
    if leaving is None:
        return None
    return plots.AFTER_LEAVING if left else plots.AFTER_LEAVING_SOON


def shown_status(content: ReportContent | SkillChartData, status: str, day: Any, window_open: Any = False) -> str:
    """The status the reader is told for a target dated ``day`` whose status by
    :mod:`careerconv.rules.progress` (as of :attr:`ReportContent.figures_day`) is ``status``.

    A measured target keeps its status. One dated on or after the leaving day is never measured:
    :func:`leaving_words`, never "upcoming" or "due". One due while they were here whose window for a rating was
    still open on the last day of someone who has left (``window_open``) is :data:`plots.LEFT_UNMEASURED`: they
    left before it could be measured. Everything else is the rule's status.
    """
    if status in progress.MEASURED_STATUSES:
        return status
    words = leaving_words(content)
    if words is not None and plots.after_leaving(day, content.left_on if isinstance(content, SkillChartData)
                                                 else content.leaving_day):
        return words
    left = content.left if isinstance(content, SkillChartData) else content.left_on is not None
    if status == progress.DUE_NOT_MEASURED and left and bool(window_open):
        return plots.LEFT_UNMEASURED
    return status


def standing_status(content: ReportContent, row: Any) -> str:
    """:func:`shown_status` of a row of :attr:`ReportContent.current` (its next target's window: from the
    plan's row of that target, :func:`careerconv.surfaces.report.content.horizon_rows`)."""
    if row.status != progress.DUE_NOT_MEASURED or content.left_on is None:
        return shown_status(content, row.status, row.next_horizon_date)
    target = _plan_target(content, row.skill, row.next_horizon_months)
    return shown_status(content, row.status, row.next_horizon_date, target["window_open"].fillna(False).any())


def _in_plan(content: ReportContent, skill: Any) -> bool:
    """Whether ``skill`` is one of the current plan's (for someone who has left: the plan they had when they left)."""
    return any(skill_key(s[SKILL]) == skill_key(skill) for s in (content.plan or {}).get("skills", []))


def _plan_target(content: ReportContent, skill: Any, months: Any) -> pd.DataFrame:
    """The current plan's row of the ``months``-month target of ``skill``
    (:func:`careerconv.surfaces.report.content.horizon_rows`; none when the plan has no such target)."""
    rows = horizon_rows(content)
    return rows.loc[(rows[SKILL].map(skill_key) == skill_key(skill)) & (rows["horizon_months"] == months)]


def _shown_chip(status: str) -> str:
    """The chip of a status of :func:`shown_status` (those it adds look like "due but not measured")."""
    return _status_chip(status, css="not-measured" if status not in progress.STATUSES else None)


def _status_chip(status: str, words: str | None = None, css: str | None = None) -> str:
    css = css or _STATUS_CLASS.get(status, "not-measured")
    mark = _STATUS_MARK.get(status)
    label = _e(words or status)
    return f'<span class="cc-status {css}">{mark + " " if mark else ""}{label}</span>'


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], *, table_id: str | None = None,
           caption: str | None = None, numeric: Sequence[int] = (), typed: Sequence[int] = (),
           row_attrs: Iterable[str] | None = None) -> str:
    """An HTML table; every cell must already be escaped HTML. The cells of the columns ``typed`` hold
    text a person typed and take their direction from it (``dir="auto"``, as :func:`_typed` does)."""
    head = "".join(f'<th scope="col" class="cc-num">{_e(h)}</th>' if i in numeric else f'<th scope="col">{_e(h)}</th>'
                   for i, h in enumerate(headers))
    attrs = iter(row_attrs) if row_attrs is not None else None
    labels = [f' data-label="{_e(h)}"' if h else "" for h in headers]
    body = []
    for row in rows:
        group = all(not c for c in row[1:])  # a group heading row: no label before its one cell
        cells = "".join(
            f'<td class="cc-num"{"" if group else labels[i]}>{c}</td>' if i in numeric
            else f'<td{"" if group or i >= len(labels) else labels[i]}{_AUTO if i in typed else ""}>{c}</td>'
            for i, c in enumerate(row))
        extra = f" {next(attrs)}" if attrs is not None else ""
        body.append(f"<tr{extra}>{cells}</tr>")
    ident = f' id="{_e(table_id)}"' if table_id else ""
    cap = f"<caption>{_e(caption)}</caption>" if caption else ""
    return (f'<div class="cc-scroll"><table class="cc-table"{ident}>{cap}<thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


# ---------------------------------------------------------------------------
# figures (embedded by :func:`careerconv.views.html_parts.figure_html`, shown up to CHART_ZOOM times their size)


CHART_WIDTH = 7.5  # inches (720 px): the wide drawing of standing_figure and skill_figure, for other callers
NARROW_WIDTH = 3.9  # inches: 374 px, the HTML report's charts (shown at 90 % or more on a 360 px phone)
CHART_ZOOM = 1.25  # the HTML report's charts grow up to this much on a wide screen (SVG stays sharp)
LABEL_CHARS = 34  # longer skill names are shortened on chart axes (tables show them whole)
NARROW_LABEL_CHARS = 15  # a line of a skill name on the narrow standing chart (two lines at most)


def shorten(value: Any, limit: int) -> str:
    """``value`` on one line, cut to ``limit`` characters with an ellipsis when longer."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _new_figure(width: float, height: float, *, left: float, right: float, top: float, bottom: float) -> Figure:
    """A figure with one Axes placed by fixed margins (in inches).

    Fixed margins instead of constrained layout: the layout engine draws
    the figure twice, doubling the cost of every chart in a batch of
    thousands, while the charts' furniture (titles above, legend below) has a
    known size.
    """
    fig = Figure(figsize=(width, height), facecolor="white")
    FigureCanvasAgg(fig)  # labels are measured to keep them apart (plots.dodge_labels)
    fig.subplots_adjust(left=left / width, right=1 - right / width, top=1 - top / height,
                        bottom=bottom / height)
    return fig


LEGEND_FOOT = 0.1  # inches kept under a chart's legend


def room_for_legend(ax: Any, fig: Figure) -> None:
    """Make ``fig`` taller at its foot where ``ax``'s legend (:func:`careerconv.views.plots.legend_below`) runs
    below it or closer than :data:`LEGEND_FOOT` to it (a phone's legend of one entry a row, its long entries on
    two lines); the axes keep their size and their place from the top."""
    legend = ax.get_legend()
    if legend is None:
        return
    lacking = fig.bbox.y0 + LEGEND_FOOT * fig.dpi - legend.get_window_extent(fig.canvas.get_renderer()).y0
    if lacking <= 0:
        return
    width, height = fig.get_size_inches()
    params = fig.subplotpars
    top, bottom = (1 - params.top) * height, params.bottom * height + lacking / fig.dpi
    fig.set_size_inches(width, height + lacking / fig.dpi)
    fig.subplots_adjust(top=1 - top / (height + lacking / fig.dpi), bottom=bottom / (height + lacking / fig.dpi))


# ---------------------------------------------------------------------------
# sections


def stylesheet() -> Fragment:
    """The report's styles (display once, before the other sections)."""
    return Fragment(f"<style>{_CSS}</style>")


def header(content: ReportContent) -> Fragment:
    """Who the report is for and when: name, coach, dates of the plan and the next conversation (or the day they
    left, for someone who had left by the report's day).

    Starts with the report's stylesheet, so display it before the other sections.
    """
    c = content
    sub = ", ".join(str(v) for v in (c.role, c.department) if _e(v))
    due = c.due
    next_conv = format_day(due.get("next_conversation_due"))
    if due.get("conversation_status"):
        next_conv += f" ({_e(DUE_WORDS.get(due['conversation_status'], due['conversation_status']))})"
    draft = due.get("draft_in_progress")
    started = None if _missing(draft) else f"started {_e(format_day(draft))}"
    if c.plan is None:
        next_conv = f"your first, in progress ({started})" if started else "to be scheduled"
    if c.leaves_on is not None and _on_or_after_leaving(c, due.get("next_conversation_due")):
        next_conv = f"none before you leave (the next would fall on {format_day(due.get('next_conversation_due'))})"
    upcoming = ("Next career conversation", next_conv)
    if c.left_on is not None:  # nothing is due for someone who has left
        upcoming = ("Left", f"{_e(format_day(c.left_on))} (no next career conversation is due); the figures in "
                            f"this report are as of your last day here, {_e(format_day(c.figures_day))}")
    facts = [
        ("Report date", _e(format_day(c.as_of))),
        ("Your coach" if c.left_on is None else "Your coach while you were here",
         _typed(c.coach_name or c.coach_id) or _DASH),
        ("Last career conversation", _e(format_day(c.plan_date)) if c.plan is not None
         else "none while you were here" if c.left_on is not None else "not held yet"),
        ("Check-ins since then", _e(_checkins_since(c))),
        upcoming,
    ]
    if started and c.plan is not None:
        facts.append(("In progress", f"a new career conversation, {started}"))
    if c.leaves_on is not None:
        facts.append(("Leaving", f"{_e(format_day(c.leaves_on))}, so your last day here is "
                                 f"{_e(format_day(c.leaves_on - pd.Timedelta(days=1)))}: targets dated from "
                                 f"{_e(format_day(c.leaves_on))} on will not be measured"))
    rows = "".join(f'<tr><th scope="row">{label}</th><td>{value}</td></tr>' for label, value in facts)
    return Fragment(stylesheet().html + _wrap(
        _typed(c.name, "h2", ' class="cc-name"')
        + (_typed(sub, "p", ' class="cc-sub"') if sub else "")
        + summary_line(c).html
        + f'<table class="cc-facts">{rows}</table>'
    ).html)


def summary_words(content: ReportContent) -> tuple[str, bool] | None:
    """The report's one-line summary and whether it needs attention (None before the first plan).

    For example "2 of 3 skills on track, 1 behind; 1 target due but not
    measured". Skills count by their latest rating against the next target;
    "on track" includes those ahead (said in brackets). Skills of the plan
    without a target are counted apart ("1 skill without a target"); when no
    skill has one, the line says that no target was set. A plan with nothing
    to measure yet (no skill rated since the conversation, no target due) is
    said as such: "4 skills, none rated since the conversation; the first
    targets are due 27 May 2027".
    """
    counts = progress_summary(content)
    if counts is None:
        return None
    by = counts.by_status
    n = counts.skills
    if n == 0:
        return f"No targets were set in your last career conversation ({format_day(content.plan_date)})", False
    with_target = " with a target" if counts.without_target else ""
    if counts.nothing_to_measure_yet:
        text = _not_rated_yet_words(counts, with_target, content)
    else:
        text = _standing_words(counts, with_target, content)
    if counts.without_target:
        text += f"; {counts.without_target} skill{'s' if counts.without_target != 1 else ''} without a target"
    if counts.targets_missed:
        text += (f"; {counts.targets_missed} target{'s' if counts.targets_missed != 1 else ''} due but not "
                 "measured")
    if counts.targets_to_rate:
        text += (f"; {counts.targets_to_rate} target{'s' if counts.targets_to_rate != 1 else ''} due and not "
                 f"rated yet (a rating by {format_day(counts.rate_by)} still counts)")
    if counts.targets_left_unmeasured:
        n = counts.targets_left_unmeasured
        text += f"; {n} target{'s' if n != 1 else ''} not measured: you left before a rating was given"
    if counts.targets_after_leaving:
        n = counts.targets_after_leaving
        text += (f"; {n} target{'s' if n != 1 else ''} dated after you left on {format_day(content.left_on)}, "
                 "never measured" if content.left_on is not None else
                 f"; {n} target{'s' if n != 1 else ''} dated after you leave on {format_day(content.leaves_on)} "
                 f"will not be measured")
    if content.left_on is not None:
        text = f"As of your last day here ({format_day(content.figures_day)}): {text}"
    return text, bool(by[progress.BEHIND] or by[progress.DUE_NOT_MEASURED] or counts.targets_missed
                      or counts.targets_to_rate)


def _standing_words(counts: ProgressSummary, with_target: str, content: ReportContent) -> str:
    """"2 of 3 skills on track (1 ahead), 1 behind, ...": each skill's latest rating against its next target."""
    by, n = counts.by_status, counts.skills
    good = by[progress.AHEAD] + by[progress.ON_TRACK]
    parts = [f"{good} of {n} skill{'s' if n != 1 else ''}{with_target} on track"
             + (f" ({by[progress.AHEAD]} ahead)" if by[progress.AHEAD] else "")]
    if by[progress.BEHIND]:
        parts.append(f"{by[progress.BEHIND]} behind")
    if by[progress.UPCOMING]:
        whose = "its" if by[progress.UPCOMING] == 1 else "the"
        parts.append(f"{by[progress.UPCOMING]} not rated since the conversation "
                     f"({whose} {_first_due_words(counts, content)})")
    if by[progress.DUE_NOT_MEASURED]:
        parts.append(f"{by[progress.DUE_NOT_MEASURED]} not rated near a target date that has passed")
    return ", ".join(parts)


def _not_rated_yet_words(counts: ProgressSummary, with_target: str, content: ReportContent) -> str:
    """A plan with nothing to measure yet, said as it is rather than as "0 of 4 on track":
    "4 skills, none rated since the conversation; the first targets are due 30 May 2027"."""
    n = counts.skills
    if counts.first_due is None:  # every target is dated after the leaving day: the summary counts them
        return f"{n} skill{'s' if n != 1 else ''}{with_target}, {'none' if n != 1 else 'not'} rated since the " \
               "conversation"
    if n == 1:
        return f"1 skill{with_target}, not rated since the conversation; its {_first_due_words(counts, content)}"
    return f"{n} skills{with_target}, none rated since the conversation; the {_first_due_words(counts, content)}"


def _first_due_words(counts: ProgressSummary, content: ReportContent) -> str:
    """"first target is due 30 May 2027" ("first targets are due" when several fall due that day); "targets are
    dated after you left" when the first comes on or after the leaving day (it is never due)."""
    if counts.first_due is None:
        return f"targets are dated {leaving_words(content)}"
    several = counts.first_due_targets > 1
    return f"first target{'s are' if several else ' is'} due {format_day(counts.first_due)}"


def summary_line(content: ReportContent) -> Fragment:
    """The one-line summary at the top of the report (empty before the first plan)."""
    said = summary_words(content)
    if said is None:
        return Fragment("")
    text, alert = said
    return Fragment(f'<p class="cc-summary{" cc-alert" if alert else ""}" id="summary">{_e(text)}</p>')


def _checkins_since(c: ReportContent) -> str:
    none = "none" if c.left_on is not None else "none yet"  # someone who left has no more to come
    if c.plan is None:
        return str(len(c.checkins)) if len(c.checkins) else none
    since = c.checkins.loc[c.checkins[DATE] >= c.plan_date]
    if since.empty:
        return none
    return f"{len(since)} (the last on {format_day(since['date'].max())})"


def dreams(content: ReportContent) -> Fragment:
    """The dreams of the current plan, most important first."""
    draft = content.due.get("draft_in_progress")
    if content.plan is None and not _missing(draft):  # its dreams are being talked about: not "none recorded"
        return _wrap(f'<p class="cc-empty">Your first career conversation is in progress (started '
                     f"{_e(format_day(draft))}): the dreams you agree in it show here once it is completed.</p>")
    if content.plan is None and content.left_on is not None:  # nothing was agreed while they were here
        return _wrap(f'<p class="cc-empty">No career conversation was completed while you were here (you left on '
                     f"{_e(format_day(content.left_on))}), so no dreams were recorded.</p>")
    if content.dreams.empty:
        return _wrap('<p class="cc-empty">No dreams recorded yet: they are the first thing you talk about '
                     "in your career conversation.</p>")
    items = "".join(_typed(text, "li") for text in content.dreams["text"] if str(text).strip())
    return _wrap(f'<ol class="cc-dreams">{items}</ol>')


def standing(content: ReportContent, figure_format: str | None = "svg", dpi: int = 96) -> Fragment:
    """Current rating vs next target for every skill: a bar chart, and a table with the employee's
    and the coach's ratings side by side.

    With ``figure_format=None`` the chart is left out (an ``<img>`` with only its
    text alternative), for a reader that draws it itself. A skill without a
    target has its latest rating and no target mark, and says that none was set
    (:func:`_no_target_words`).
    """
    cur = content.current
    if content.plan is None and content.left_on is not None:
        return _wrap('<p class="cc-empty">No skills and targets were set: no career conversation was completed '
                     "while you were here.</p>")
    if content.plan is None or cur.empty:
        return _wrap('<p class="cc-empty">No skills and targets yet: they are set in your career '
                     "conversation.</p>")
    alt = "Bar chart of your latest rating against its target: " + "; ".join(
        f"{r.skill} now {_rating(r.latest_rating)}, "
        + (_no_target_words(content, r.skill) if _missing(r.next_target) else f"target {_rating(r.next_target)}"
           + (f" ({leaving_words(content)})" if _never_measured(content, r) else ""))
        for r in cur.itertuples(index=False))
    chart = _chart_placeholder(alt) if figure_format is None else figure_html(
        standing_figure(content, NARROW_WIDTH), alt, figure_format, dpi, zoom=CHART_ZOOM)
    if content.left_on is not None:  # the heading (standing_title) says "your last day here": which day it was
        chart = (f'<p class="cc-chart-note" id="standing-day">Your last day here was '
                 f"{_e(format_day(content.figures_day))} (you left on {_e(format_day(content.left_on))}): "
                 "your latest ratings are those up to then.</p>" + chart)
    coach = {skill_key(s): (r, d) for s, r, d in zip(content.coach_latest[SKILL], content.coach_latest["rating"],
                                                     content.coach_latest[DATE])}
    rows = []
    for r in cur.itertuples(index=False):
        mine = _rating(r.latest_rating)
        if not _missing(r.latest_rating) and not _missing(r.latest_date):
            mine += f" on {format_day(r.latest_date)}"
        theirs = _DASH
        if skill_key(r.skill) in coach:
            rating, day = coach[skill_key(r.skill)]
            theirs = f"{_rating(rating)} on {format_day(day)}"
        if _missing(r.next_target):
            target, chip = _e(_no_target_words(content, r.skill)), _status_chip("no target", css="not-measured")
        else:
            target = _target_words(content, r.next_target, r.next_horizon_date,
                                   _measured_on(content, r.skill, r.next_horizon_months))
            chip = _shown_chip(standing_status(content, r))
        rows.append([_e(r.skill), _rating(r.baseline), _e(mine), _e(theirs), target, chip])
    table = _table(["Skill", "At the conversation", "Your latest rating", "Your coach's latest rating",
                    "Target", "Status"], rows, table_id="current-table", numeric=(1,), typed=(0,))
    return _wrap(chart + table)


def standing_title(content: ReportContent) -> str:
    """The heading of :func:`standing`: "Where you stand today", or :data:`STOOD_ON_LAST_DAY` for someone who had
    left by the report's day (everything in their report is as of their last day here)."""
    return _STANDS_TODAY if content.left_on is None else STOOD_ON_LAST_DAY


def standing_heading(content: ReportContent) -> Heading:
    """:func:`standing_title` and what the section shows, for the notebook to display above :func:`standing`."""
    return Heading(standing_title(content), _STANDING_INTRO)


def _target_words(content: ReportContent, target: Any, day: Any, measured_on: Any = None) -> str:
    """A skill's target as the standing table shows it: "9 by 30 Dec 2026" while its date is to come, "7, was due
    30 Jun 2026" once it has passed (found: "Next target: 7 by 30 Jun 2026" on a report of 1 Oct 2026, for a
    skill not rated near that date); "5, dated 6 Oct 2026, after you left" for a target dated on or after the
    day the employee left ("after you leave": a leaving day to come): it will never be measured; "9, dated 29 Dec
    2026, measured on 30 Oct 2026" for one dated on or after it that a rating while they were here measured
    (``measured_on``: the day of that rating, :func:`_measured_on`)."""
    when = _e(format_day(day))
    if content.after_leaving(day):
        if not _missing(measured_on):
            return f"{_rating(target)}, dated {when}, measured on {_e(format_day(measured_on))}"
        return f"{_rating(target)}, dated {when}, {leaving_words(content)}"
    if pd.Timestamp(day).normalize() <= content.figures_day.normalize():
        return f"{_rating(target)}, was due {when}"
    return f"{_rating(target)} by {when}"


def _measured_on(content: ReportContent, skill: Any, months: Any) -> pd.Timestamp | None:
    """The day of the rating that measured the current plan's ``months``-month target of ``skill`` (None: not
    measured; :func:`careerconv.surfaces.report.content.horizon_rows`)."""
    target = _plan_target(content, skill, months)
    hit = target.loc[target["measured_rating"].notna(), "measured_date"]
    return None if hit.empty else pd.Timestamp(hit.iloc[0])


def _never_measured(content: ReportContent, row: Any) -> bool:
    """Whether the next target of a row of :attr:`ReportContent.current` is dated on or after the leaving day and
    no rating measured it while they were here: it never will be."""
    return (not _missing(row.next_horizon_date) and content.after_leaving(row.next_horizon_date)
            and _measured_on(content, row.skill, row.next_horizon_months) is None)


def _no_target_words(content: ReportContent, skill: Any) -> str:
    """Why a skill of the current plan has no next target: none was set for it in the plan's
    conversation, or none at the horizons this report shows."""
    plan_skill = next((s for s in content.plan["skills"] if skill_key(s[SKILL]) == skill_key(skill)), {})
    if any(v is not None for v in (plan_skill.get("targets") or {}).values()):
        return "no target at the dates shown"
    return f"no target set in your last career conversation ({format_day(content.plan_date)})"


def standing_figure(content: ReportContent, width: float = CHART_WIDTH) -> Figure:
    """The standing chart as the HTML report shows it, ``width`` inches wide.

    At :data:`NARROW_WIDTH` (a phone's screen) skill names wrap onto two
    lines, leaving the bars room; the legend takes more rows, and the figure grows at its foot to hold them
    (:func:`room_for_legend`).
    """
    narrow = width < CHART_WIDTH
    height, left = standing_chart_size(content, narrow)
    fig = _new_figure(width, height + (0.35 if narrow else 0), left=left, right=0.4, top=0.3,
                      bottom=1.65 if narrow else 1.3)
    ax = fig.add_subplot()
    draw_standing(ax, content, narrow)
    plots.legend_below(ax, 0.55)
    room_for_legend(ax, fig)
    return fig


def skill_figure(data: SkillChartData, width: float = CHART_WIDTH) -> Figure:
    """One skill's chart, ``width`` inches wide (the HTML report's is :data:`NARROW_WIDTH`); the key
    above the charts replaces its legend."""
    narrow = width < CHART_WIDTH
    fig = _new_figure(width, 3.6 if narrow else 3.9, left=0.6, right=0.25 if narrow else 0.35,
                      top=0.55 if narrow else 0.35, bottom=0.6)
    ax = fig.add_subplot()
    draw_skill(ax, data)
    legend = ax.get_legend()
    if legend is not None:
        legend.remove()
    return fig


def standing_chart_size(content: ReportContent, narrow: bool = False) -> tuple[float, float]:
    """Height of the standing chart and the room its skill names need on the left, in inches
    (``narrow``: names wrapped as :func:`narrow_label` does)."""
    label = narrow_label if narrow else (lambda s: shorten(s, LABEL_CHARS))
    longest = max((len(line) for s in content.current[SKILL] for line in label(s).split("\n")), default=10)
    return 1.7 + 0.62 * len(content.current), min(3.0, 0.3 + 0.075 * longest)


def narrow_label(value: Any) -> str:
    """A skill name on at most two lines of :data:`NARROW_LABEL_CHARS` characters (an ellipsis when cut)."""
    words = " ".join(str(value).split())
    lines = textwrap.wrap(words, NARROW_LABEL_CHARS, break_long_words=True) or [""]
    if len(lines) > 2:
        lines = [lines[0], shorten(" ".join(lines[1:]), NARROW_LABEL_CHARS)]
    return "\n".join(lines)


def draw_standing(ax: Any, content: ReportContent, narrow: bool = False) -> None:
    """Draw the standing chart (latest rating against the next target, per skill) on ``ax``
    (``narrow``: wrapped skill names and a legend of one entry a row, for :data:`NARROW_WIDTH`)."""
    cur = content.current
    label = narrow_label if narrow else (lambda s: shorten(s, LABEL_CHARS))
    shown = [standing_status(content, r) if isinstance(r.status, str) else r.status
             for r in cur.itertuples(index=False)]
    # a target never measured says so beside its mark, as the table below says it ("8, dated 11 Dec 2026, after you
    # left"), not only "12-month target 8"
    notes = [leaving_words(content) if _never_measured(content, r) else "" for r in cur.itertuples(index=False)]
    plots.current_vs_target_bars(ax, cur.assign(skill=cur[SKILL].map(label), status=shown, next_target_note=notes),
                                 legend_columns=1 if narrow else 3)


def draw_skill(ax: Any, data: SkillChartData) -> None:
    """Draw one skill's chart on ``ax``, on the report's shared time axis (no title: a heading names it)."""
    # A fixed title height: matplotlib otherwise measures every tick label on
    # each draw to dodge a top axis these charts do not have (a tenth of the cost).
    with matplotlib.rc_context({"axes.titley": 1.0}):
        rows = data.progress_rows
        if len(rows):  # the statuses the page says (:func:`shown_status`)
            rows = rows.assign(status=[shown_status(data, r.status, r.horizon_date, r.window_open)
                                       for r in rows.itertuples(index=False)])
        plots.skill_progress(ax, "", data.t0, data.baseline, data.targets, data.ratings, rows, data.as_of,
                             span=data.span, left_on=data.left_on,
                             leaving_words=leaving_words(data) or plots.AFTER_LEAVING)
    ax.xaxis.set_minor_locator(NullLocator())  # monthly minor ticks: costly to draw, little to read


def horizon_table(content: ReportContent) -> Fragment:
    """The current plan measured at each horizon: target, rating measured, status.

    Each row carries ``data-skill``, ``data-horizon``, ``data-target``,
    ``data-measured`` and ``data-status`` attributes (escaped), so the table can
    be checked by a program as well as read.
    """
    rows_frame = horizon_rows(content)
    if rows_frame.empty:
        if content.plan is None or not content.plan.get("skills"):
            return _wrap('<p class="cc-empty">No targets yet.</p>')
        said = {_no_target_words(content, s[SKILL]) for s in content.plan["skills"]}
        why = said.pop() if len(said) == 1 else "no target at the dates shown"
        return _wrap(f'<p class="cc-empty">{_e(why[0].upper() + why[1:])}.</p>')
    rows, attrs = [], []
    for r in rows_frame.itertuples(index=False):
        measured = _DASH
        shown = shown_status(content, r.status, r.horizon_date, r.window_open)
        if not _missing(r.measured_rating):
            measured = f"{_rating(r.measured_rating)} on {format_day(r.measured_date)}"
        elif r.window_open and shown == r.status:
            measured = f"not yet: a rating by {format_day(content.rate_by(r.horizon_date))} counts"
        when = f"after {int(r.horizon_months)} months ({format_day(r.horizon_date)})"
        rows.append([_e(r.skill), _e(when), _rating(r.target), _e(measured), _rating(r.expected),
                     _shown_chip(shown)])
        attrs.append(
            f'data-skill="{_e(r.skill)}" data-horizon="{int(r.horizon_months)}" data-target="{_rating(r.target)}" '
            f'data-measured="{_e("" if _missing(r.measured_rating) else int(r.measured_rating))}" '
            f'data-status="{_e(r.status)}"'
        )
    table = _table(["Skill", "When", "Target", "Rating measured", "On the plan line", "Status"], rows,
                   table_id="horizon-table", numeric=(2, 4), typed=(0,), row_attrs=attrs,
                   caption=f"Targets set on {format_day(content.plan_date)}")
    return _wrap(table)


def skill_sections(content: ReportContent, figure_format: str | None = "svg", dpi: int = 96) -> list[Fragment]:
    """The key to the charts, then one section per skill of the current plan: its chart and the
    employee's own words about it.

    The charts share one key (an HTML line above them) instead of a legend
    each: the key reads the same for every skill, and a legend costs about a
    fifth of a chart's drawing time, which adds up over a batch. They also
    share one time axis (:func:`careerconv.surfaces.report.content.chart_span`), so a
    date sits at the same place in every chart. Every chart is drawn before the key is made (it names the line
    joining a label to its mark only when a chart draws one), and each figure is serialised and cleared as soon
    as it is drawn: a report holds one skill figure at a time, however many skills it has.
    """
    charts = skill_chart_data(content)
    if not charts:
        return [_wrap('<p class="cc-empty">No skills yet: you choose them in your career conversation.</p>')]
    sections, leaders = [], False
    for data in charts:  # one figure at a time: each is serialised and cleared before the next is drawn
        fig = None if figure_format is None else skill_figure(data, NARROW_WIDTH)
        leaders = leaders or (fig is not None and plots.has_leader(fig.axes[0]))
        sections.append(_wrap(_skill_section(data, fig, figure_format, dpi)))
        if fig is not None:
            fig.clear()  # its artists are freed now, not when the garbage collector reaches the figure
    return [chart_key(content, charts, leaders=leaders), *sections]


def chart_key(content: ReportContent | None = None, charts: Sequence[SkillChartData] | None = None, *,
              leaders: bool = False) -> Fragment:
    """What the marks of the skill charts (``charts``, default :func:`skill_chart_data` of ``content``) mean,
    drawn with the charts' own colours. The hollow star of a target never measured is named only when a chart
    draws one (:func:`careerconv.views.plots.hollow_targets`): a leaver's charts mostly end with their last day;
    the thin line joining a label to its mark only when a chart draws one (``leaders``)."""
    pal, st = plots.PALETTE, plots.STATUS_COLOURS

    def mark(symbol: str, colour: str, label: str) -> str:
        return (f'<span class="cc-key-item"><span class="cc-key-mark" style="color:{colour}">{symbol}</span>'
                f"{_e(label)}</span>")

    items = [
        mark("\u25cf", pal["rating"], "your rating in a career conversation"),
        mark("\u25cb", pal["rating"], "your rating in a check-in"),
        mark("\u25b3", pal["coach"], "your coach's rating"),
        mark("\u25c6", pal["baseline"], "your start (the baseline)"),
        mark("\u2605", pal["target"], "target"),
        mark("\u2504", pal["plan"], "the plan: from your start through each target"),
        '<span class="cc-key-item">rating at a target date:</span>',
        *(mark("\u25ef", st[s], s) for s in progress.MEASURED_STATUSES),
    ]
    if content is not None and content.leaving_day is not None and any(
            plots.hollow_targets(d.t0, d.targets, d.progress_rows, span=d.span, left_on=d.left_on)
            for d in (skill_chart_data(content) if charts is None else charts)):
        items.insert(5, mark("\u2606", pal["target"], f"a target {leaving_words(content)}: never measured"))
    if leaders:  # before the rings, which "rating at a target date:" introduces
        items.insert(-len(progress.MEASURED_STATUSES) - 1, mark("\u2500", pal["muted"], plots.LEADER_WORDS.lower()))
    note = ""
    if content is not None and content.plan is not None:
        note = (f'<p class="cc-chart-note">Plan from your career conversation of {_e(format_day(content.plan_date))};'
                f" report date {_e(format_day(content.as_of))}"
                + ("" if content.left_on is None else
                   # not "the charts end with it": a target measured while here but dated after it runs them on
                   f"; the dotted line in each chart is your last day here, {_e(format_day(content.figures_day))}")
                + ".</p>")
    return _wrap(f'{note}<p class="cc-key">{" ".join(items)}</p>')




def _chart_placeholder(alt: str) -> str:
    """Where a chart goes, for a reader that draws the chart itself (the PDF)."""
    return f'<figure class="cc-chart"><img alt="{_e(alt)}"></figure>'


def _skill_section(data: SkillChartData, figure: Figure | None, figure_format: str | None, dpi: int) -> str:
    """One skill's section: its heading, its chart (``figure``, of :func:`skill_figure`; a placeholder when
    ``figure_format`` is None) and the employee's words about it."""
    described = []
    for r in data.progress_rows.itertuples(index=False):
        part = f"{int(r.horizon_months)}-month target {int(r.target)}"
        if not _missing(r.measured_rating):
            part += f", measured {_rating(r.measured_rating)}"
        elif plots.after_leaving(r.horizon_date, data.left_on):
            part += f", dated {format_day(r.horizon_date)}"
            described.append(f"{part}: {leaving_words(data)} (never measured)")
            continue
        described.append(f"{part}: {shown_status(data, r.status, r.horizon_date, r.window_open)}")
    alt = (f"Chart of your {data.skill} ratings over time from a start of {_rating(data.baseline)}; "
           + "; ".join(described))
    words = [("What a 10 looks like", data.ten_looks_like), ("Chosen way to raise it", data.chosen_option),
             ("Why this way", data.approach)]
    listed = "".join(f'<tr><th scope="row">{label}</th>{_typed(text, "td")}</tr>' for label, text in words
                     if str(text).strip())
    chart = _chart_placeholder(alt) if figure_format is None else figure_html(
        figure, alt, figure_format, dpi, zoom=CHART_ZOOM)
    return (f'<section class="cc-skill">{_typed(data.skill, "h3")}'
            + chart
            + (f'<table class="cc-words">{listed}</table>' if listed else "")
            + "</section>")


def action_plan(content: ReportContent) -> Fragment:
    """The action items of the current plan, and those of earlier plans still open, with their status.

    Items of earlier plans that are done or dropped, or that a newer plan replaced (no check-in followed them
    up: :mod:`careerconv.rules.followup`), are counted in a line below the table rather than listed: they are
    history.
    """
    if content.items.empty:
        return _wrap('<p class="cc-empty">No action items yet: they are agreed at the end of your career '
                     "conversation.</p>")
    current, still_open, closed = action_plan_parts(content)
    rows: list[list[str]] = []
    attrs: list[str] = []
    groups = []
    if not current.empty:
        groups.append((f"Agreed on {format_day(content.plan_date)}", current))
    if not still_open.empty:
        groups.append(("Still open from earlier plans", still_open))
    for label, group in groups:
        rows.append([_e(label), "", "", "", "", ""])
        attrs.append('class="cc-group"')
        for r in group.itertuples(index=False):
            status = str(r.status)
            chip = _status_chip(status, item_status_label(status), status.replace("_", "-"))
            due = _e(format_day(r.due))
            if r.overdue:
                due += " " + _status_chip(cadence.OVERDUE, "overdue", "overdue")
            update = _DASH
            if not _missing(r.status_date):
                note = _typed(r.note)
                update = _e(format_day(r.status_date)) + (f": {note}" if note else "")
            rows.append([_e(r.text), _e(r.skill) or _DASH, _e(owner_words(r.owner)) or _DASH, due, chip, update])
            attrs.append(f'data-item="{_e(r.item_id)}" data-status="{_e(status)}" '
                         f'data-overdue="{"yes" if r.overdue else "no"}"')
    table = _table(["Action", "Skill", "Who", "Due", "Status", "Last check-in update"], rows,
                   table_id="action-plan", typed=(0, 1, 2), row_attrs=attrs) if rows else ""
    note = ""
    if not closed.empty:
        done = int((closed[STATUS] == "done").sum())
        dropped = int((closed[STATUS] == "dropped").sum())
        replaced = len(closed) - done - dropped
        them = "it" if replaced == 1 else "them"
        parts = [p for p in (f"{done} done" if done else "", f"{dropped} dropped" if dropped else "",
                             f"{replaced} replaced by a later plan (no check-in followed {them} up)" if replaced
                             else "") if p]
        note = f'<p class="cc-note">From earlier plans: {_e(word_list(parts))} (not listed).</p>'
    return _wrap(table + note)


def owner_words(owner: Any) -> str:
    """Who does an action item, addressed to the employee ("you", "your coach")."""
    text = "" if owner is None or _missing(owner) else str(owner)
    return {"employee": "you", "coach": "your coach"}.get(text.strip().casefold(), text)


def next_steps(content: ReportContent) -> Fragment:
    """When the next career conversation and the next check-in are due, and what is overdue.

    The check-in line stays when the conversation is overdue: the follow-up
    agreed in the last conversation goes on until the next one is held. For
    someone who had left by the report's day, the day they left instead: nothing is due.
    """
    due = content.due
    if content.left_on is not None:
        return _wrap(f'<p id="left">You left on <strong>{_e(format_day(content.left_on))}</strong>: no next career '
                     "conversation or check-in is due. Your plan and your progress stay in this report.</p>")
    if content.plan is None and not _missing(due.get("draft_in_progress")):
        return _wrap(f"<p>Your first career conversation is in progress: you and your coach started it on "
                     f"{_e(format_day(due['draft_in_progress']))}. When it is completed, this report shows the "
                     "dreams, skills, targets and action plan you agreed in it.</p>")
    if content.plan is None:
        return _wrap("<p>Your first career conversation has not been held yet. Ask your coach to schedule "
                     "it: it takes about an hour, in three parts: your goals, an action plan, next steps.</p>")
    parts = []
    if content.leaves_on is not None:
        parts.append(f'<p id="leaving">You leave on <strong>{_e(format_day(content.leaves_on))}</strong>: '
                     "targets dated from then on will not be measured, and nothing is due after it.</p>")
    conv_status = due.get("conversation_status")
    if _on_or_after_leaving(content, due.get("next_conversation_due")):
        parts.append(f"<p>Your next career conversation would be due on "
                     f"<strong>{_e(format_day(due.get('next_conversation_due')))}</strong>, after you leave: none "
                     "is due before you leave.</p>")
    else:
        parts.append(
            f"<p>Your next career conversation is due on <strong>{_e(format_day(due.get('next_conversation_due')))}"
            f"</strong> (every {_e(_cadence_text(due.get('cadence_months')))}): "
            f"{_status_chip(conv_status, DUE_WORDS.get(conv_status, conv_status), _due_css(conv_status))}.</p>")
    mode = due.get("follow_up_mode")
    words = FOLLOW_UP_WORDS.get(mode) if isinstance(mode, str) and mode != "other" else None
    how = f" ({_e(words)})" if words else ""  # it read "in a email", "in a dedicated check-in"
    last = due.get("last_checkin")
    last_words = (f" The last was on {_e(format_day(last))}." if not _missing(last)
                  else " None has been held since the conversation.")
    if _on_or_after_leaving(content, due.get("next_checkin_due")):
        parts.append(f'<p id="next-checkin">Your next check-in{how} would be due on '
                     f"<strong>{_e(format_day(due['next_checkin_due']))}</strong>, after you leave.{last_words}</p>")
    elif not _missing(due.get("next_checkin_due")):
        ci_status = due.get("checkin_status")
        parts.append(f'<p id="next-checkin">Your next check-in{how} is due on '
                     f"<strong>{_e(format_day(due['next_checkin_due']))}</strong>: "
                     f"{_status_chip(ci_status, DUE_WORDS.get(ci_status, ci_status), _due_css(ci_status))}."
                     f"{last_words}</p>")
    elif not _missing(due.get("follow_up_every_weeks")):
        weeks = int(due["follow_up_every_weeks"])
        parts.append(f'<p id="next-checkin">Keep up the check-ins every {_e(weeks)} '
                     f"week{'s' if weeks != 1 else ''}{how} until your next career conversation is held."
                     f"{last_words}</p>")
    n_open = int(due.get("open_action_items") or 0)
    overdue = int(content.items["overdue"].sum()) if not content.items.empty else 0
    opened = "No action item is" if n_open == 0 else f"{n_open} action item{' is' if n_open == 1 else 's are'}"
    late = "."
    if overdue:  # a sentence read as plain text too (the PDF draws the chip as its words)
        past = f"{overdue} past its due date" if overdue == 1 else f"{overdue} past their due dates"
        late = f": {_status_chip(cadence.OVERDUE, past, 'overdue')}."
    parts.append(f"<p>{_e(opened)} still open{late}</p>")
    return _wrap("".join(parts))


def _on_or_after_leaving(content: ReportContent, day: Any) -> bool:
    """Whether a due date comes on or after the leaving day (:meth:`ReportContent.after_leaving`; no date: no)."""
    return not _missing(day) and content.after_leaving(day)


def _due_css(status: Any) -> str:
    return {cadence.OVERDUE: "overdue", cadence.DUE_SOON: "behind", cadence.SCHEDULED: "on-track"}.get(
        status, "not-measured")


def _cadence_text(months: Any) -> str:
    if months is None or _missing(months):
        return "agreed interval"
    return f"{int(months)} months"


def earlier_plans(content: ReportContent, open_plans: int = 1) -> Fragment | None:
    """How the targets of every earlier conversation turned out (None when there is only one plan).

    Every plan is listed, newest first; the ``open_plans`` most recent are
    shown open and the older ones folded (a ``<details>`` element the reader
    opens), so a long history is complete without crowding the page.
    """
    plans = earlier_plans_list(content)
    if not plans:
        return None
    blocks = []
    for i, (conv, day, rows_frame) in enumerate(plans):
        rows = []
        shown = _earlier_statuses(content, rows_frame)
        for r, status in zip(rows_frame.itertuples(index=False), shown):
            measured = (_DASH if _missing(r.measured_rating)
                        else f"{_rating(r.measured_rating)} on {format_day(r.measured_date)}")
            rows.append([_e(r.skill), _e(f"{int(r.horizon_months)} months"), _rating(r.target), _e(measured),
                         _shown_chip(status)])
        counts = {status: shown.count(status) for status in dict.fromkeys([*progress.STATUSES, *shown])}
        said = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
        table = _table(["Skill", "After", "Target", "Rating measured", "Status"], rows,
                       table_id=f"earlier-plan-{i + 1}", numeric=(2,), typed=(0,))
        title = f"Plan of {format_day(day)}: {said}"
        blocks.append(f'<details class="cc-plan" data-plan="{_e(conv)}"{" open" if i < open_plans else ""}>'
                      f"<summary>{_e(title)}</summary>{table}</details>")
    older = len(plans) - open_plans
    more = (f" The {older} older plan{'s are' if older != 1 else ' is'} folded: click a plan to open it."
            if older > 0 else "")
    return _wrap(f"<h2>Earlier plans</h2><p>How the targets set in your {len(plans)} earlier career "
                 f"conversation{'s' if len(plans) != 1 else ''} turned out, newest first.{_e(more)}</p>"
                 + "".join(blocks))


def _earlier_statuses(content: ReportContent, rows: pd.DataFrame) -> list[str]:
    """The status :func:`earlier_plans` shows for each target of an earlier plan (``rows``, of
    :func:`careerconv.surfaces.report.content.earlier_plans_list`)."""
    # Leaving cut short the window of a target of a skill they still worked on; a skill a later plan dropped
    # was no longer theirs to rate when they left: its target reads as the rule says (found: "not measured: you
    # left" beside a target of a plan replaced six months before they left).
    return [shown_status(content, r.status, r.horizon_date, _in_plan(content, r.skill) and r.window_open)
            for r in rows.itertuples(index=False)]


def _shown_statuses(content: ReportContent) -> set[str]:
    """Every status the report shows for a target (:func:`shown_status`): those of the current plan (its table
    of targets, the standing section and the skill charts show the same targets) and of the earlier plans."""
    current = {shown_status(content, r.status, r.horizon_date, r.window_open)
               for r in horizon_rows(content).itertuples(index=False)}
    return current.union(*(_earlier_statuses(content, rows) for _, _, rows in earlier_plans_list(content)))


def how_to_read(content: ReportContent) -> Fragment:
    """The rules behind the statuses, in plain words with this report's numbers; "not measured: you left" is
    explained when a target of the report reads so (:func:`_shown_statuses`)."""
    tol = content.tolerance
    tol_text = f"{tol:g} point" + ("" if tol == 1 else "s")
    return _wrap(
        '<p class="cc-note">The dashed line in each chart is your plan: it goes from your rating at the '
        "conversation through each target in turn. At each target date we take the rating you gave closest "
        f"to that date (up to {content.window_days} days before or after) and compare it with the straight "
        "line from your start to that target: "
        f"<strong>on track</strong> means it is within {_e(tol_text)} of the line, <strong>ahead</strong> above "
        f"that, <strong>behind</strong> below it. <strong>Due but not measured</strong> means the date has "
        "passed and no rating was given close enough to it; <strong>upcoming</strong> means the date is "
        "still to come"
        + ("" if content.left_on is None else
           f"; <strong>{plots.AFTER_LEAVING}</strong> means the date came on or after the day you left "
           f"({_e(format_day(content.left_on))}), so that target will never be measured"
           + (f"; <strong>{plots.LEFT_UNMEASURED}</strong> means its date came while you were here but you left "
              "before a rating close enough to it was given" if plots.LEFT_UNMEASURED in _shown_statuses(content)
              else "")
           + ". Everything in this report is as it was on your last day here "
           f"({_e(format_day(content.figures_day))})")
        + ("" if content.leaves_on is None else
           f"; <strong>{plots.AFTER_LEAVING_SOON}</strong> means the date comes on or after the day you leave "
           f"({_e(format_day(content.leaves_on))}), so that target will not be measured")
        + ". Of two ratings on the same day, the one recorded last counts. Statuses use your own "
        "ratings, from 1 to 10; your coach's ratings are shown beside them.</p>")
