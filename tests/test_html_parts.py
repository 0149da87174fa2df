"""The one date style, the one HTML escape and the one embedded figure that every page uses."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from careerconv.records.dates import NO_BREAK, human_date, human_datetime
from careerconv.rules.followup import ITEM_STATUS_LABELS, item_status_label
from careerconv.views.html_parts import embedded_figure, escape_html, figure_html
from careerconv.records.schema import ITEM_STATUSES


@pytest.mark.parametrize("value", ["2026-03-09", dt.date(2026, 3, 9), dt.datetime(2026, 3, 9, 23, 59),
                                   pd.Timestamp("2026-03-09"), np.datetime64("2026-03-09")])
def test_a_day_reads_the_same_whatever_it_came_as(value):
    assert human_date(value) == "9 Mar 2026"  # no leading zero, short month
    assert human_date(value, space=NO_BREAK) == "9\u00a0Mar\u00a02026"


@pytest.mark.parametrize("value", [None, "", float("nan"), pd.NaT, pd.NA])
def test_a_missing_day_reads_as_asked(value):
    assert human_date(value) == ""
    assert human_date(value, missing="\u2014") == "\u2014"


def test_a_text_that_is_no_day_is_an_error_not_a_blank():
    with pytest.raises(ValueError):
        human_date("next Tuesday")


def test_a_moment_reads_as_day_and_time():
    assert human_datetime("2026-12-02T17:39:05+00:00") == "2 Dec 2026, 17:39"
    assert human_datetime("soon") == "soon" and human_datetime(None) == ""


@pytest.mark.parametrize("value, expected", [
    ('<script>alert("x")</script>', "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"),
    ("O'Neil & Co", "O&#x27;Neil &amp; Co"),
    (None, ""), (float("nan"), ""), (pd.NaT, ""), (0, "0"), (3.5, "3.5"), (["a<"], "[&#x27;a&lt;&#x27;]"),
])
def test_escape_html(value, expected):
    assert escape_html(value) == expected


def test_every_item_status_has_one_label_and_an_unknown_one_shows_as_it_is():
    assert tuple(ITEM_STATUS_LABELS) == ITEM_STATUSES
    assert item_status_label("in_progress") == "In progress" and item_status_label("paused") == "paused"


def _figure() -> Figure:
    fig = Figure(figsize=(3, 2))
    fig.add_subplot().plot([0, 1], [1, 0])
    return fig


def test_an_svg_figure_is_the_same_bytes_each_time_and_keeps_its_text():
    fig = _figure()
    fig.axes[0].set_title("Skill & <growth>")
    one, data = embedded_figure(fig, "svg")
    assert one == embedded_figure(fig, "svg")[0] and one.startswith("data:image/svg+xml;base64,")
    assert b"Skill &amp; &lt;growth&gt;" in data


def test_figure_html_escapes_its_alternative_and_refuses_what_it_cannot_draw():
    page = figure_html(_figure(), 'a "quoted" <alt>', fmt="png", dpi=50)
    assert page.startswith('<figure class="cc-chart"><img src="data:image/png;base64,')
    assert 'alt="a &quot;quoted&quot; &lt;alt&gt;"' in page and 'style="max-width:288px"' in page
    with pytest.raises(ValueError, match="figure format must be one of png, svg, got 'gif'"):
        figure_html(_figure(), "x", fmt="gif")
    with pytest.raises(ValueError, match="dpi must be a whole number from 30 to 600, got 10"):
        figure_html(_figure(), "x", fmt="png", dpi=10)
