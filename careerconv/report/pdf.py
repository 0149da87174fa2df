"""The progress report as a PDF, for those who print it or mail it.

Made with matplotlib's PDF backend (:class:`matplotlib.backends.backend_pdf.PdfPages`),
which the project already depends on: the same content and the same charts as
the HTML report, laid out on A4 pages. Converting the HTML instead would need a
browser or a LaTeX toolchain (nbconvert's PDF exporter), neither of which
every machine running a batch has; a vector PDF drawn directly is small, sharp
when printed and costs about as much as drawing the charts once more.

User text is drawn with math parsing off, so ``$`` in a note is a dollar sign.
"""

from __future__ import annotations

import io
import os
import textwrap
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from .. import plots
from .. import progress as P
from ..store import atomic_write_bytes
from .content import ReportContent, action_plan_parts, horizon_rows, skill_chart_data
from .render import (
    DUE_WORDS,
    ITEM_STATUS_WORDS,
    LABEL_CHARS,
    format_day,
    legend_below,
    owner_words,
    plot_text,
    shorten,
)

__all__ = ["pdf_bytes", "write_pdf"]

A4 = (8.27, 11.69)
_MARGIN = 0.7  # inches
_INK = "#222222"
_MUTED = "#555555"


class _Page:
    """A4 page filled top to bottom with text lines and charts."""

    def __init__(self, pdf: PdfPages, footer: str):
        self.pdf = pdf
        self.footer = footer
        self.number = 0
        self._new()

    def _new(self) -> None:
        self.fig = Figure(figsize=A4, facecolor="white")
        self.y = A4[1] - _MARGIN  # inches from the bottom
        self.number += 1

    def finish(self) -> None:
        self.fig.text(_MARGIN / A4[0], 0.4 / A4[1], f"{self.footer}  \u00b7  page {self.number}", fontsize=7.5,
                      color=_MUTED, parse_math=False)
        self.pdf.savefig(self.fig)

    def room(self, inches: float) -> None:
        if self.y - inches < _MARGIN:
            self.finish()
            self._new()

    def text(self, text: str, size: float = 10, *, weight: str = "normal", colour: str = _INK,
             indent: float = 0.0, width: int = 95, gap: float = 0.04) -> None:
        lines = []
        for paragraph in str(text).splitlines() or [""]:
            lines.extend(textwrap.wrap(paragraph, width=width) or [""])
        line_height = size * 1.45 / 72
        for line in lines:
            self.room(line_height)
            self.fig.text((_MARGIN + indent) / A4[0], (self.y - size / 72) / A4[1], line, fontsize=size,
                          fontweight=weight, color=colour, parse_math=False, va="baseline")
            self.y -= line_height
        self.y -= gap

    def heading(self, text: str) -> None:
        self.room(0.9)
        self.y -= 0.12
        self.text(text, 14, weight="bold", gap=0.08)

    def axes(self, height: float, *, left: float = 0.6, right: float = 0.6, top: float = 0.35,
             bottom: float = 0.9) -> Any:
        self.room(height)
        width = A4[0] - 2 * _MARGIN
        box = [(_MARGIN + left) / A4[0], (self.y - height + bottom) / A4[1],
               (width - left - right) / A4[0], (height - top - bottom) / A4[1]]
        ax = self.fig.add_axes(box)
        self.y -= height
        return ax


def pdf_bytes(content: ReportContent) -> bytes:
    """The report as PDF bytes.

    Parameters
    ----------
    content
        What the report shows (:func:`careerconv.report.build_content`).

    Returns
    -------
    bytes
        A PDF document (A4), deterministic for the same content.
    """
    c = content
    buf = io.BytesIO()
    with PdfPages(buf, metadata={"Title": f"Career progress report: {c.name}", "Creator": "careerconv",
                                 "CreationDate": None}) as pdf:
        page = _Page(pdf, f"Career progress report \u00b7 {c.name} \u00b7 {format_day(c.as_of)}")
        page.text("Career progress report", 20, weight="bold", gap=0.06)
        page.text(c.name, 15, weight="bold", gap=0.02)
        sub = ", ".join(v for v in (c.role, c.department) if v)
        if sub:
            page.text(sub, 10, colour=_MUTED)
        due = c.due
        next_conv = "to be scheduled"
        if c.plan is not None:
            next_conv = format_day(due.get("next_conversation_due"))
            if due.get("conversation_status"):
                next_conv += f" ({DUE_WORDS.get(due['conversation_status'], due['conversation_status'])})"
        for label, value in (("Report date", format_day(c.as_of)), ("Your coach", c.coach_name or c.coach_id or "\u2014"),
                             ("Last career conversation", format_day(c.plan_date) if c.plan is not None
                              else "not held yet"),
                             ("Next career conversation", next_conv)):
            page.text(f"{label}:  {value}", 10)

        page.heading("Your dreams")
        if c.dreams.empty:
            page.text("No dreams recorded yet.", colour=_MUTED)
        for rank, text in zip(c.dreams["rank"], c.dreams["text"]):
            page.text(f"{int(rank)}.  {text}", 10.5, indent=0.1)

        page.heading("Where you stand today")
        if c.plan is None or c.current.empty:
            page.text("No skills and targets yet: they are set in your career conversation.", colour=_MUTED)
        else:
            cur = c.current.assign(skill=c.current["skill"].map(lambda s: plot_text(shorten(s, LABEL_CHARS))))
            longest = max(len(str(s)) for s in cur["skill"])
            height = 1.3 + 0.5 * len(cur)
            ax = page.axes(height, left=min(2.6, 0.3 + 0.065 * longest), right=1.5, top=0.3, bottom=0.95)
            plots.current_vs_target_bars(ax, cur)
            legend_below(ax, page.fig, 0.5)

        rows = horizon_rows(c)
        if not rows.empty:
            page.heading("Your targets, measured at each target date")
            page.text(f"Targets set in the conversation of {format_day(c.plan_date)}.", 9.5, colour=_MUTED)
            for skill, group in rows.groupby("skill", sort=False):
                page.text(str(skill), 10.5, weight="bold", gap=0.0)
                for r in group.itertuples(index=False):
                    measured = "no rating near that date"
                    if not pd.isna(r.measured_rating):
                        measured = f"rated {int(r.measured_rating)} on {format_day(r.measured_date)}"
                    page.text(f"after {int(r.horizon_months)} months ({format_day(r.horizon_date)}): target "
                              f"{int(r.target)}, {measured} \u2014 {r.status}", 9.5, indent=0.2, gap=0.0)
                page.y -= 0.06

        charts = skill_chart_data(c)
        if charts:
            page.heading("Each skill over time")
        for data in charts:
            page.room(4.6)
            page.text(data.skill, 12, weight="bold", gap=0.0)
            ax = page.axes(3.9, left=0.55, right=0.55, top=0.7, bottom=1.15)
            plots.skill_progress(ax, plot_text(data.skill), data.t0, data.baseline, data.targets, data.ratings,
                                 data.progress_rows, data.as_of)
            ax.set_title("", loc="left")
            legend_below(ax, page.fig, 0.5)
            for label, text in (("What a 10 looks like", data.ten_looks_like),
                                ("Chosen way to raise it", data.chosen_option), ("Why this way", data.approach)):
                if str(text).strip():
                    page.text(f"{label}: {text}", 9.5, gap=0.0)
            page.y -= 0.15

        page.heading("Your action plan")
        if c.items.empty:
            page.text("No action items yet.", colour=_MUTED)
        current, still_open, closed = action_plan_parts(c)
        for label, items in ((f"Agreed on {format_day(c.plan_date)}", current),
                             ("Still open from earlier plans", still_open)):
            if items.empty:
                continue
            page.text(label, 10.5, weight="bold", gap=0.02)
            for r in items.itertuples(index=False):
                status = ITEM_STATUS_WORDS.get(str(r.status), str(r.status))
                extra = [f"skill: {r.skill}"] if str(r.skill).strip() else []
                extra += [f"who: {owner_words(r.owner)}"] if str(r.owner).strip() else []
                extra.append(f"due {format_day(r.due)}")
                line = f"\u2022 {r.text}  ({', '.join(extra)})  \u2014 {status}"
                if not pd.isna(r.status_date):
                    line += f" on {format_day(r.status_date)}" + (f": {r.note}" if str(r.note).strip() else "")
                page.text(line, 9.5, indent=0.1, gap=0.02)
        if not closed.empty:
            done = int((closed["status"] == "done").sum())
            page.text(f"From earlier plans: {done} done, {len(closed) - done} dropped (not listed).", 9.5,
                      colour=_MUTED)

        page.heading("How to read this report")
        page.text(
            "The dashed line in each chart goes straight from your rating at the conversation to each target. "
            f"At each target date the rating closest to that date (up to {c.window_days} days away) is "
            f"compared with the line: within {c.tolerance:g} of it is {P.ON_TRACK}, above is {P.AHEAD}, below "
            f"is {P.BEHIND}; with no rating close enough it is {P.NOT_MEASURED}.", 9.5, colour=_MUTED)
        page.finish()
    return buf.getvalue()


def write_pdf(content: ReportContent, path: str | os.PathLike) -> Path:
    """Write the report as a PDF file (atomically: a reader sees the old file or the new one).

    Parameters
    ----------
    content
        What the report shows.
    path
        Where to write; the folder is created if needed.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ValueError
        If ``path`` is empty.
    """
    if not str(path).strip():
        raise ValueError("the PDF path is empty; give a file name ending in .pdf")
    target = Path(path)
    atomic_write_bytes(target, pdf_bytes(content), durable=False)
    return target
