"""The HR page on a phone: tables whose rows stack into labelled cards, and the page's styles.

The HR notebook shows its tables as pandas HTML (:func:`careerconv.analytics.present_html`).
On a screen up to :data:`NARROW_SCREEN` px wide a table of six to eleven
columns either runs off the screen's edge or squeezes its words letter by
letter. :func:`stacked_table` gives each body cell the header of its column
(``data-label``), and :func:`stylesheet`'s media query turns every row into a
card of "column: value" lines there, as the progress report does. Wider
screens see the table unchanged. :func:`page_table` is a table of the page as
the notebook shows it: presented, named by a caption for screen readers, stacked.

Every body cell also takes its direction from its own text (``dir="auto"``):
a department or skill name typed in Hebrew or Arabic reads right to left with
its numbers in place, and a cell without a right-to-left letter (a number, a
Latin name) shows as before.
"""

from __future__ import annotations

import html
import re

import pandas as pd

__all__ = ["NARROW_SCREEN", "CAPTION_CSS", "stylesheet", "stacked_table", "page_table"]

NARROW_SCREEN = 700  # px: up to this width, tables stack and careerconv.views.hr_plots shows its phone drawings

# A table's name, for screen readers (the heading or the summary above it names it on screen); the HR page of the
# hub's service uses it too.
CAPTION_CSS = ("caption.hr-caption { position: absolute; width: 1px; height: 1px; overflow: hidden; "
               "clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; }")

_CSS = f"""<style>
@media screen and (max-width: {NARROW_SCREEN}px) {{
  table.hr-table {{ width: 100%; table-layout: auto; font-size: 0.92em; }}
  table.hr-table th, table.hr-table td {{ padding: 0.25em 0.35em; white-space: normal; overflow-wrap: break-word; }}
  table.hr-stack, table.hr-stack tbody, table.hr-stack tr, table.hr-stack td {{ display: block; width: auto; }}
  table.hr-stack thead {{ display: none; }}
  table.hr-stack tr {{ border-bottom: 1px solid #D5DBE3; padding: 0.3em 0; }}
  table.hr-stack td {{ text-align: start !important; border: none; padding: 0.1em 0.3em; }}
  /* The label isolated (FSI ... PDI), so it keeps its colon whatever the direction of the cell's text. */
  table.hr-stack td[data-label]::before {{ content: "\\2068" attr(data-label) ":\\2069" " "; font-weight: 600;
    color: #555; }}
  table.hr-stack td:empty {{ display: none; }}
}}
{CAPTION_CSS}
details.hr-figures {{ margin: 0.2em 0 1em 0; }}
details.hr-figures > summary {{ cursor: pointer; color: #1F4E79; font-weight: 600; padding: 0.2em 0; }}
details.hr-figures[open] > summary {{ margin-bottom: 0.4em; }}
</style>"""

_THEAD = re.compile(r"<thead>(.*?)</thead>", re.S)
_TBODY = re.compile(r"<tbody>(.*?)</tbody>", re.S)
_HEADER_ROW = re.compile(r"<tr[^>]*>(.*?)</tr>", re.S)
_HEADER_CELL = re.compile(r"<th[^>]*>(.*?)</th>", re.S)
_TAG = re.compile(r"<[^>]+>")
_BODY_ROW = re.compile(r"(<tr[^>]*>)(.*?)(</tr>)", re.S)
_BODY_CELL = re.compile(r"<(td|th)(?=[\s>])")
_TABLE_CLASS = re.compile(r'<table([^>]*)class="([^"]*\bhr-table\b[^"]*)"')


def stylesheet() -> str:
    """The HR page's own styles (display once, at the top): tables that fit a phone's screen, their captions
    for screen readers only, and the collapsed figures under a chart (``details.hr-figures``)."""
    return _CSS


def stacked_table(table_html: str) -> str:
    """A pandas ``to_html`` table of class ``hr-table`` whose rows stack into cards on a phone.

    Every cell of the body gets ``data-label`` with the text of its column's
    header (the last header row; escaped for an attribute) and ``dir="auto"``, and the table the
    class ``hr-stack`` the stylesheet looks for. Anything after the table (a
    "more rows" note) is kept as it is.

    Raises
    ------
    ValueError
        If the HTML holds no ``hr-table`` with a header and a body, or a body row has more cells than the
        header has columns.
    """
    head, body = _THEAD.search(table_html), _TBODY.search(table_html)
    if head is None or body is None or not _TABLE_CLASS.search(table_html):
        raise ValueError("stacked_table needs a table of class hr-table with <thead> and <tbody> (pandas to_html)")
    header_rows = _HEADER_ROW.findall(head.group(1))
    labels = [html.escape(html.unescape(_TAG.sub("", cell)).strip(), quote=True)
              for cell in _HEADER_CELL.findall(header_rows[-1])] if header_rows else []

    def label_row(match: re.Match) -> str:
        cells = iter(labels)

        def label_cell(cell: re.Match) -> str:
            try:
                label = next(cells)
            except StopIteration:
                raise ValueError(f"a row of the table has more cells than its {len(labels)} columns") from None
            return f'<{cell.group(1)} dir="auto"' + (f' data-label="{label}"' if label else "")

        return match.group(1) + _BODY_CELL.sub(label_cell, match.group(2)) + match.group(3)

    labelled_body = _BODY_ROW.sub(label_row, body.group(1))
    out = table_html[: body.start(1)] + labelled_body + table_html[body.end(1):]
    return _TABLE_CLASS.sub(lambda m: f'<table{m.group(1)}class="{m.group(2)} hr-stack"', out, count=1)


def page_table(name: str, frame: pd.DataFrame, *, caption: str | None = None, total_label: str = "All departments",
               rows: str = "all", max_rows: int | None = None, source: str | None = None) -> str:
    """A table of the HR page: :func:`careerconv.analytics.present_html` (every cell escaped), named by
    ``caption`` (None: the table's title, :data:`careerconv.analytics.TABLE_TITLES`), stacked on a phone; "" for
    a table without rows (a header alone says nothing: the reading above it says why there is nothing).

    Parameters
    ----------
    name, frame, total_label, rows, max_rows, source
        As for :func:`careerconv.analytics.present_html`.
    caption
        What the table is, read by a screen reader as the table's name.

    Raises
    ------
    ValueError
        For an unknown table name, or a ``caption`` of None for a table without a title.
    """
    # here, not above: the records service takes the page's style (CAPTION_CSS) from this module before it
    # listens, and the HR figures' modules after (careerconv.surfaces.service.server.LATER_MODULES)
    from careerconv import analytics

    if caption is None and name not in analytics.TABLE_TITLES:
        raise ValueError(f"the table {name!r} has no title; give it a caption (tables with a title: "
                         f"{', '.join(analytics.TABLE_TITLES)})")
    if frame.empty:
        return ""
    named = analytics.TABLE_TITLES[name] if caption is None else caption
    return stacked_table(analytics.present_html(name, frame, total_label=total_label, rows=rows, max_rows=max_rows,
                                                caption=named, source=source))
