"""Pieces of HTML every page careerconv writes is made of: escaped text and embedded figures.

The progress report (:mod:`careerconv.surfaces.report.render`), the report index, the
HR page (:mod:`careerconv.views.hr_plots`) and the coach's app all put text a person
wrote (names, dreams, notes) into HTML: it goes through :func:`escape_html`,
so ``<script>`` in a dream is shown as text, never run. Charts are embedded as
``data:`` images (:func:`embedded_figure`), so a page loads nothing from
outside itself (:mod:`careerconv.views.html_policy`); :func:`figure_html` is the
report's chart with its text alternative.
"""

from __future__ import annotations

import base64
import html
import io
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["FIGURE_FORMATS", "escape_html", "embedded_figure", "figure_html"]

FIGURE_FORMATS = ("png", "svg")
_MIME = {"svg": "image/svg+xml", "png": "image/png"}


def escape_html(value: Any) -> str:
    """Any value as HTML text, safe in an element or a quoted attribute ("" for None, NaN and NaT)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        try:
            if pd.isna(value):
                return ""
        except (TypeError, ValueError):  # a list or an array is not one missing value
            pass
    return html.escape(str(value), quote=True)


def embedded_figure(fig: "Figure", fmt: str = "svg", dpi: int | None = None, **savefig: Any) -> tuple[str, bytes]:
    """The figure as a ``data:`` URI and the image's bytes.

    SVG keeps its text as text (the browser draws it) and is the same bytes for the same figure (no date,
    fixed ids); PNG is drawn at ``dpi`` (the figure's own when None). ``savefig`` is passed on
    (``bbox_inches="tight"``).
    """
    import matplotlib

    if fmt not in FIGURE_FORMATS:
        raise ValueError(f"figure format must be one of {', '.join(FIGURE_FORMATS)}, got {fmt!r}")
    buf = io.BytesIO()
    if fmt == "svg":
        with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "careerconv"}):
            fig.savefig(buf, format="svg", metadata={"Date": None}, **savefig)
    else:
        fig.savefig(buf, format="png", **({"dpi": int(dpi)} if dpi is not None else {}), **savefig)
    data = buf.getvalue()
    return f"data:{_MIME[fmt]};base64,{base64.b64encode(data).decode('ascii')}", data


def figure_html(fig: "Figure", alt: str, fmt: str = "svg", dpi: int = 96, *, zoom: float = 1.0) -> str:
    """Render a figure into an ``<img>`` element with a text alternative.

    The image takes the width of the page up to ``zoom`` times its own size
    (the progress report draws its charts narrow, so that one drawing reads on
    a phone, and lets them grow by a quarter on a desktop: no sideways
    scrolling and no second drawing to pay for in a batch).

    Parameters
    ----------
    fig
        The figure (it is not closed: figures made without pyplot are freed
        when no longer referenced).
    alt
        What the chart shows, in words (escaped here).
    fmt
        ``"png"`` or ``"svg"``.
    dpi
        Resolution of a PNG (ignored for SVG).
    zoom
        How much larger than its drawn size the image may be shown (1 to 2).

    Returns
    -------
    str
        ``<figure>`` HTML with the image embedded as a data URI.

    Raises
    ------
    ValueError
        For an unknown format or a dpi outside 30-600.
    """
    import numpy as np

    from . import plots

    if fmt not in FIGURE_FORMATS:
        raise ValueError(f"figure format must be one of {', '.join(FIGURE_FORMATS)}, got {fmt!r}")
    if isinstance(dpi, bool) or not isinstance(dpi, (int, np.integer)) or not 30 <= dpi <= 600:
        raise ValueError(f"dpi must be a whole number from 30 to 600, got {dpi!r}")
    if not 1.0 <= zoom <= 2.0:
        raise ValueError(f"zoom must be from 1 to 2, got {zoom!r}")
    # SVG: text stays text (the browser draws it), a quarter cheaper to make than a PNG, smaller, and sharp
    # at any zoom.
    with plots.plain_text():
        uri, _ = embedded_figure(fig, fmt, dpi=None if fmt == "svg" else dpi)
    width = int(round(fig.get_figwidth() * 96 * zoom))
    return f'<figure class="cc-chart"><img src="{uri}" alt="{escape_html(alt)}" style="max-width:{width}px"></figure>'
