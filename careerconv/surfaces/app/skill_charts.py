"""Each skill's ratings as a small chart, drawn with the progress report's helper
(:func:`careerconv.views.plots.skill_progress`).

The person page and the check-in show, for every skill of the last plan, the
ratings since the conversation against its 6/12/18-month targets - the same
picture the employee's report draws. Charts are inline SVG (nothing is loaded
from anywhere); user text reaches matplotlib literally (``$`` is not math).
Drawing takes a moment, so the app draws them off the kernel's main thread
and shows them when ready.
"""

from __future__ import annotations

import datetime as dt
import io
from html import escape
from typing import Iterable

import pandas as pd

from careerconv.records import schema
from careerconv.records.schema import CHECKIN_ID, DATE
from careerconv.rules import followup

WIDTH, HEIGHT = 5.4, 2.5  # inches: two charts side by side in the app, one per line on a narrow screen


def _literal(text: str) -> str:
    return str(text).replace("$", r"\$")


def skill_ratings(skill: str, points: Iterable[followup.RatingPoint]) -> pd.DataFrame:
    """The self ratings of one skill (case and spacing ignored) as the plot helper wants them."""
    key = schema.skill_key(skill)
    rows = [{DATE: pd.Timestamp(p.date), "rating": float(p.self_rating), "source": p.source}
            for p in points if schema.skill_key(p.skill) == key and p.self_rating is not None]
    return pd.DataFrame(rows, columns=[DATE, "rating", "source"])


def skill_chart_svg(state: followup.SkillState, t0: str, points: Iterable[followup.RatingPoint], as_of: dt.date) -> str:
    """One skill's chart as an ``<svg>`` element (text)."""
    from matplotlib.figure import Figure  # matplotlib loads when a chart is first drawn, not with the app

    from careerconv.views import plots
    fig = Figure(figsize=(WIDTH, HEIGHT), facecolor="white")
    fig.subplots_adjust(left=0.09, right=0.97, top=0.86, bottom=0.2)
    ax = fig.add_subplot()
    targets = {h: v for h, v in state.targets.items() if v is not None}
    plots.skill_progress(ax, _literal(state.skill), t0, state.baseline, targets,
                         skill_ratings(state.skill, points), None, as_of)
    legend = ax.get_legend()
    if legend is not None:
        legend.remove()
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None})
    svg = out.getvalue()
    return svg[svg.index("<svg"):]


def skill_charts_html(plan: followup.PreviousPlan, conversations: list[dict], checkins: list[dict],
                      as_of: dt.date) -> str:
    """Every skill of the last plan as a chart, in a wrapping grid (escaped HTML; "" without a plan)."""
    if plan.conversation is None or not plan.skills:
        return ""
    points = followup.rating_points(conversations, checkins)
    cells = []
    for state in plan.skills:
        cells.append(f'<figure class="cc-skill-chart" aria-label="Ratings of {escape(state.skill)} against its '
                     f'targets">{skill_chart_svg(state, plan.date, points, as_of)}</figure>')
    return ('<div class="cc-skill-charts"><h3>Ratings against the targets</h3>'
            f'<div class="cc-skill-chart-grid">{"".join(cells)}</div></div>')


class SkillChartsPanel:
    """"Show rating charts" on the person page and in the check-in: drawn off the main thread when asked.

    Drawing a chart takes a noticeable moment (matplotlib), so it never holds up opening a person or a
    check-in: the coach asks for the charts, "Drawing…" shows at once, the charts replace it when ready.

    Parameters
    ----------
    guard
        Wraps callbacks so errors reach the app's banner.
    background
        Draw in a worker thread (else at once, in the caller's thread: tests).
    deliver
        Runs a callable on the kernel's main thread.
    """

    def __init__(self, *, guard, background: bool, deliver):
        import ipywidgets as widgets  # the panel is the only widget code here

        from .widgets import button, classed, html, show
        self._show = show
        self.background, self.deliver = background, deliver
        self.button = button("Show rating charts", "cc-link", "cc-show-charts",
                             tooltip="Each skill's ratings against its targets, as in the progress report")
        self.button.on_click(guard(lambda _b: self.draw(), "Could not draw the rating charts"))
        self.charts = html("", "cc-skill-charts-box")
        self.widget = classed(widgets.VBox([self.button, self.charts]), "cc-charts-panel")
        show(self.widget, False)  # nothing to offer until a plan is shown (show_for)
        self._inputs: tuple | None = None
        self._drawn: dict[tuple, str] = {}
        self._wanted: tuple | None = None

    def show_for(self, plan: followup.PreviousPlan, conversations: list[dict], checkins: list[dict],
                 as_of: dt.date) -> None:
        """Offer the charts of this plan (drawn again only when asked)."""
        self._inputs = (plan, list(conversations), list(checkins), as_of)
        self._wanted = None
        self.charts.value = ""
        self._show(self.widget, bool(plan.conversation is not None and plan.skills))
        self._show(self.button, True)

    def clear(self) -> None:
        """Offer no charts, and forget those drawn (the person is gone: erased)."""
        self._inputs, self._wanted, self._drawn = None, None, {}
        self.charts.value = ""
        self._show(self.widget, False)

    def _key(self) -> tuple:
        plan, conversations, checkins, as_of = self._inputs
        return (plan.conversation_id, len(conversations), len(checkins),
                tuple((c.get(CHECKIN_ID), c.get("revision")) for c in checkins), as_of)

    def draw(self) -> None:
        """Draw the charts (from the last drawing of the same records if there is one)."""
        if self._inputs is None:
            return
        key = self._key()
        self._wanted = key
        if key in self._drawn:
            self._done(key, self._drawn[key])
            return
        self.charts.value = '<div class="cc-muted">Drawing the charts…</div>'
        inputs = self._inputs
        if not self.background:
            self._done(key, skill_charts_html(*inputs))
            return
        import threading

        def work() -> None:
            result = skill_charts_html(*inputs)
            self.deliver(lambda: self._done(key, result))

        threading.Thread(target=work, name="careerconv-charts", daemon=True).start()

    def _done(self, key: tuple, result: str) -> None:
        self._drawn = {key: result}
        if self._wanted == key:
            self.charts.value = result
            self._show(self.button, False)
