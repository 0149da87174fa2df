"""The progress report as a PDF, for those who print it or mail it.

The PDF says what the HTML report says: its sections are the same
:mod:`careerconv.surfaces.report.render` fragments, read back into headings,
paragraphs, lists and tables (:class:`_Blocks`), and the same charts drawn with
the same helpers, laid out on A4 pages with matplotlib's PDF backend
(:class:`matplotlib.backends.backend_pdf.PdfPages`), which the project
already depends on; converting the HTML would need a browser or a LaTeX
toolchain, which not every machine running a batch has. Earlier plans, folded
in the HTML, are printed open.

Layout rules: text wraps by its measured width (so wide and narrow letters and
CJK text all fit the column); a heading is kept on the page of what follows it;
a table row or a chart is never split across pages, nor a short table, nor a
longer table's header and first rows; a table's header is repeated on each page
it spans; a status chip's words stay on one line. Text is drawn as text (no
math-text, so ``$`` is a dollar sign), in DejaVu Sans with a CJK font as fallback when the machine
has one (Debian: ``fonts-droid-fallback`` or ``fonts-noto-cjk``), and Symbola for
emoji (Debian: ``fonts-symbola``; drawn in one colour, as the text). Right-to-left
text (Hebrew, Arabic, Persian) is shaped and put in display order by matplotlib;
a paragraph or table cell that reads right to left is aligned to the right, and
each of its wrapped lines laid out in its direction (:mod:`careerconv.surfaces.report.rtl`).
"""

from __future__ import annotations

import functools
import io
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from careerconv.views import plots
from careerconv.records import text_direction
from careerconv.records.dates import NO_BREAK
from careerconv.records.store import atomic_write_bytes
from . import render, rtl
from .content import ReportContent, SkillChartData, skill_chart_data

__all__ = ["pdf_bytes", "write_pdf", "document_pdf_bytes", "FONT_FAMILIES"]

A4 = (8.27, 11.69)
_MARGIN = 0.7  # inches
_WIDTH = A4[0] - 2 * _MARGIN
_INK = "#222222"
_MUTED = "#555555"
_RULE = "#D5DBE3"
_BODY = 10.0  # points
_SHORT_TABLE = 4  # rows: a table this short is kept on one page; a longer one keeps its header and first rows
_FIRST_ROWS = 2  # together (and with the heading above it)

# The first family that has a glyph draws it: Latin, Greek, Cyrillic from
# DejaVu, CJK from whichever CJK font is installed, emoji and other symbols from Symbola.
FONT_FAMILIES: tuple[str, ...] = ("DejaVu Sans", "Noto Sans CJK JP", "Noto Sans CJK SC", "WenQuanYi Micro Hei",
                                  "Droid Sans Fallback", "Symbola")
# The fallback fonts' files where Debian puts them, by group of families that stand in for each other: the
# first file found is registered when matplotlib's font list has none of its group (a font installed after
# matplotlib listed the machine's fonts).
_FALLBACK_FILES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (FONT_FAMILIES[1:5], ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
                          "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                          "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")),
    (("Symbola",), ("/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf",)),
)

# The notebook's section headings and their one-line introductions (the standing section's, which depends on
# the report: :func:`careerconv.surfaces.report.render.standing_heading`).
_SECTIONS = {
    "dreams": ("Your dreams", "What you would love to do, most important first."),
    "horizons": ("Your targets, measured at each target date",
                 "For each skill, the target you set for each date and the rating you gave closest to that date."),
    "skills": ("Each skill over time", "Your ratings from the career conversation and the check-ins since, the "
               "targets (stars), and the plan from your start through each target (dashed)."),
    "actions": ("Your action plan", "The next steps you agreed, and where each stands after your check-ins."),
    "next": ("What comes next", ""),
    "read": ("How to read this report", ""),
}


def _font_families(text: str) -> list[str]:
    """The fonts to draw ``text`` with: DejaVu Sans alone when it has every character, else
    DejaVu Sans and the fallbacks of :data:`FONT_FAMILIES` this machine has (their files are
    registered on first use, :data:`_FALLBACK_FILES`). Fallback fonts are only used when needed: a CJK font is large and
    makes every text measurement and the PDF's font subset several times slower."""
    if all(ord(ch) in _dejavu_characters() for ch in set(text) if ch.isprintable() and not ch.isspace()):
        return [FONT_FAMILIES[0]]
    known = {f.name for f in font_manager.fontManager.ttflist}
    for families, paths in _FALLBACK_FILES:
        found = next((path for path in paths if os.path.exists(path)), None)
        if found and not known & set(families):
            font_manager.fontManager.addfont(found)
            known = {f.name for f in font_manager.fontManager.ttflist}
    return [name for name in FONT_FAMILIES if name in known]


@functools.cache
def _dejavu_characters() -> frozenset[int]:
    path = font_manager.findfont(FontProperties(family=FONT_FAMILIES[0]), fallback_to_default=True)
    return frozenset(font_manager.get_font(path).get_charmap())


# ---------------------------------------------------------------------------
# the HTML sections read back as blocks


# Divs whose text is a paragraph of its own (a document's meta line and footer).
_TEXT_DIVS = ("cc-meta", "cc-foot")
# A span whose words are one label (a status chip, "due but not measured"): they are kept on one line, as the
# HTML keeps them (``white-space: nowrap``).
_WHOLE_SPANS = ("cc-status",)
_SPACE_CHARACTERS = " \t\n\r\f\v"  # what HTML collapses (str.split() would also take a no-break space)
_SPACES = re.compile(f"[{_SPACE_CHARACTERS}]+")


@dataclass
class _Block:
    kind: str  # "h1", "h2", "h3", "p", "li", "table", "img", "summary"
    text: str = ""
    css: str = ""
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    caption: str = ""


class _Blocks(HTMLParser):
    """Headings, paragraphs, list items, tables and images of a report fragment, as plain text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[_Block] = []
        self._text: list[str] | None = None
        self._kind = ""
        self._css = ""
        self._table: _Block | None = None
        self._row: list[str] | None = None
        self._in_head = False
        self._head_cells = 0
        self._skip = 0
        self._numbers: list[int] = []  # one counter per open <ol>
        self._spans: list[bool] = []  # per open <span>: whether its words are kept on one line (_WHOLE_SPANS)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "style":
            self._skip += 1
        elif tag == "table":
            self._table = _Block("table", css=a.get("class") or "")
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and self._table is not None:
            self._row, self._head_cells = [], 0
        elif tag in ("td", "th", "caption") and self._table is not None:
            self._text = []
            self._head_cells += tag == "th"
        elif tag == "ol":
            self._numbers.append(0)
        elif tag == "span":
            self._spans.append(bool(set((a.get("class") or "").split()) & set(_WHOLE_SPANS)))
        elif tag in ("h1", "h2", "h3", "p", "li", "summary") or (tag == "div" and a.get("class") in _TEXT_DIVS):
            self._text, self._kind, self._css = [], "p" if tag == "div" else tag, a.get("class") or ""
            if tag == "li" and self._numbers:
                self._numbers[-1] += 1
                self._css = f"{self._numbers[-1]}."
        elif tag == "img":
            self.blocks.append(_Block("img", text=a.get("alt") or ""))
        elif tag == "br" and self._text is not None:
            self._text.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._skip -= 1
        elif tag in ("td", "th", "caption") and self._table is not None and self._text is not None:
            text = _collapsed("".join(self._text))
            if tag == "caption":
                self._table.caption = text
            elif self._row is not None:
                self._row.append(text)
            self._text = None
        elif tag == "tr" and self._table is not None and self._row is not None:
            if self._in_head or (self._head_cells == len(self._row) and not self._table.headers
                                 and not self._table.rows):  # a first row of <th> cells is the header
                self._table.headers = self._row
            elif any(self._row):
                self._table.rows.append(self._row)
            self._row = None
        elif tag == "thead":
            self._in_head = False
        elif tag == "ol" and self._numbers:
            self._numbers.pop()
        elif tag == "span" and self._spans:
            self._spans.pop()
        elif tag == "table" and self._table is not None:
            self.blocks.append(self._table)
            self._table = None
        elif ((tag in ("h1", "h2", "h3", "p", "li", "summary") or (tag == "div" and self._kind == "p"))
              and self._text is not None and self._table is None):
            text = "\n".join(_collapsed(line) for line in "".join(self._text).split("\n")).strip()
            if text:
                self.blocks.append(_Block(self._kind, text=text, css=self._css))
            self._text = None

    def handle_data(self, data: str) -> None:
        if not self._skip and self._text is not None:
            # a label kept whole: its spaces do not break (the text's lines break at spaces only, _Page.wrap)
            self._text.append(_collapsed(data).replace(" ", NO_BREAK) if any(self._spans) else data)


def _collapsed(text: str) -> str:
    """``text`` with each run of spaces, tabs and line ends one space, none at its ends; a no-break space (a date's,
    a chip's) is kept as it is, so the words it joins stay on one line."""
    return " ".join(_SPACES.split(text.strip(_SPACE_CHARACTERS)))


def _is_group_row(row: list[str]) -> bool:
    """Whether a table row is a group's heading: text in its first cell only, in a table of several columns."""
    return len(row) > 1 and bool(row[0]) and not any(row[1:])


def _blocks(fragment: Any) -> list[_Block]:
    parser = _Blocks()
    parser.feed(str(fragment))
    parser.close()
    return parser.blocks


# ---------------------------------------------------------------------------
# pages


class _Page:
    """A4 pages filled top to bottom with wrapped text, tables and charts."""

    def __init__(self, pdf: PdfPages, footer: str, families: list[str], scale: float = 1.0):
        self.pdf = pdf
        self.footer = footer
        self.families = families
        self.scale = scale  # every font size is multiplied by it (a one-page document sets it below 1)
        self.number = 0
        self._measure = FigureCanvasAgg(Figure(figsize=(1, 1), dpi=72)).get_renderer()
        self._widths: dict[tuple[str, float, str], float] = {}
        self.fig = Figure(figsize=A4, facecolor="white")
        FigureCanvasAgg(self.fig)
        self._new()

    def _new(self) -> None:
        """Start the next page on :attr:`fig`, taking the page before off it. Every page is drawn on the one
        figure, so a chart drawn on it before its page is known (:meth:`depth`) can be placed on any page."""
        for artist in [*self.fig.axes, *self.fig.texts, *self.fig.artists]:
            artist.remove()
        self.y = A4[1] - _MARGIN  # inches from the bottom
        self.number += 1

    def finish(self) -> None:
        self._draw(self._footer_line(8.5), _MARGIN, 0.45, 8.5, colour=_MUTED)
        self.pdf.savefig(self.fig)

    def _footer_line(self, size: float) -> str:
        """The footer and the page number on one line across the page: when it is wider, the longest part of
        the footer (parts are separated by " \u00b7 "; in a report, a long name) is cut short with an ellipsis
        (:func:`careerconv.records.text_direction.shortened`)."""
        def line(footer: str) -> str:
            return f"{footer}  \u00b7  page {self.number}"

        if self.width_of(line(self.footer), size) <= _WIDTH:
            return line(self.footer)
        parts = self.footer.split(" \u00b7 ")
        longest = max(range(len(parts)), key=lambda i: len(parts[i]))

        def shortened(keep: int) -> str:
            return line(" \u00b7 ".join([*parts[:longest], text_direction.shortened(parts[longest], keep),
                                         *parts[longest + 1:]]))

        low, high = 0, len(parts[longest])  # the most characters kept that still fit (at least none)
        while low < high:
            middle = (low + high + 1) // 2
            if self.width_of(shortened(middle), size) <= _WIDTH:
                low = middle
            else:
                high = middle - 1
        return shortened(low)

    def room(self, inches: float) -> None:
        """Start a new page unless ``inches`` fit below the current position."""
        if self.y - inches < _MARGIN and self.y < A4[1] - _MARGIN - 1e-6:
            self.finish()
            self._new()

    # text ------------------------------------------------------------------

    def _font(self, size: float, weight: str = "normal", style: str = "normal") -> FontProperties:
        return FontProperties(family=self.families, size=size * self.scale, weight=weight, style=style)

    def width_of(self, text: str, size: float, weight: str = "normal") -> float:
        """Width of ``text`` in inches when drawn at ``size`` points (measured once per text)."""
        key = (text, size, weight)
        if key not in self._widths:
            w, _, _ = self._measure.get_text_width_height_descent(text, self._font(size, weight), ismath=False)
            self._widths[key] = w / 72.0
        return self._widths[key]

    def wrap(self, text: str, width: float, size: float, weight: str = "normal") -> list[str]:
        """``text`` broken into lines no wider than ``width`` inches: at spaces, or inside a word
        (a CJK run, a long id) when one word is wider than the line.

        A line's width is the sum of its words' and spaces' widths (kerning
        between words ignored, with 2 % to spare)."""
        limit = width * 0.98
        space = self.width_of(" ", size, weight)
        lines: list[str] = []
        for paragraph in str(text).split("\n"):
            line, used = "", 0.0
            for word in paragraph.split(" "):
                w = self.width_of(word, size, weight)
                if line and used + space + w <= limit:
                    line, used = f"{line} {word}", used + space + w
                    continue
                if line:
                    lines.append(line)
                if w <= limit:
                    line, used = word, w
                    continue
                line, used = "", 0.0
                for ch in word:  # a word wider than the line is cut where it must be
                    cw = self.width_of(ch, size, weight)
                    if line and used + cw > limit:
                        lines.append(line)
                        line, used = "", 0.0
                    line, used = line + ch, used + cw
            lines.append(line)
        return lines

    def _draw(self, text: str, x: float, y: float, size: float, *, weight: str = "normal",
              colour: str = _INK, style: str = "normal", right_to_left: bool | None = None) -> None:
        """Draw one line of ``text`` with its baseline at ``y``: starting at ``x``, or ending at ``x``
        when ``right_to_left`` (the direction of the line's paragraph; None: the line's own, drawn
        from ``x``), laid out in that direction (:func:`careerconv.surfaces.report.rtl.line`)."""
        self.fig.text(x / A4[0], y / A4[1], rtl.line(text, right_to_left),
                      fontproperties=self._font(size, weight, style), color=colour, parse_math=False,
                      va="baseline", ha="right" if right_to_left else "left")

    def line_height(self, size: float) -> float:
        return size * self.scale * 1.4 / 72

    def text_height(self, text: str, size: float = _BODY, indent: float = 0.0, weight: str = "normal") -> float:
        return len(self.wrap(text, _WIDTH - indent, size, weight)) * self.line_height(size)

    def text(self, text: str, size: float = _BODY, *, weight: str = "normal", colour: str = _INK,
             indent: float = 0.0, gap: float = 0.06, style: str = "normal") -> None:
        """Draw ``text`` wrapped to the column; a paragraph (line of ``text``) that reads right to
        left is aligned to the right margin, its ``indent`` taken from the right."""
        for paragraph in str(text).split("\n"):
            right_to_left = text_direction.is_right_to_left(paragraph)
            x = _MARGIN + _WIDTH - indent if right_to_left else _MARGIN + indent
            for line in self.wrap(paragraph, _WIDTH - indent, size, weight):
                self.room(self.line_height(size))
                self._draw(line, x, self.y - size * self.scale / 72, size, weight=weight, colour=colour,
                           style=style, right_to_left=right_to_left)
                self.y -= self.line_height(size)
        self.y -= gap * self.scale

    def heading(self, text: str, size: float, keep: float) -> None:
        """A heading kept on the same page as the first ``keep`` inches of what follows it."""
        height = self.text_height(text, size, weight="bold") + 0.16 * self.scale
        self.room(height + keep)
        self.y -= 0.1 * self.scale
        self.text(text, size, weight="bold", gap=0.06)

    # tables ----------------------------------------------------------------

    def _columns(self, table: _Block, size: float) -> list[float]:
        """Column widths: each as wide as its longest cell (up to 3.2 in); when the table is too
        wide, the columns shrink towards the width of their longest word (up to 1.3 in: a longer one is broken),
        never below it; a word that must not break (a status chip, a date: joined by no-break spaces) is never
        broken."""
        n = max(len(table.headers), *(len(r) for r in table.rows)) if table.rows else len(table.headers)

        def one_line(text: str) -> float:
            # the width of a column that keeps ``text`` on one line: a cell wraps at its width less 0.1 in, with
            # 2 % to spare (:meth:`wrap`; found: "due but not measure" above "d" in a column as wide as the chip)
            return self.width_of(text, size, "bold") / 0.98 + 0.12

        natural, least = [], []
        for i in range(n):
            cells = [table.headers[i] if i < len(table.headers) else ""] + [r[i] if i < len(r) else ""
                                                                            for r in table.rows]
            natural.append(max(0.5, min(3.2, max(one_line(c) for c in cells))))
            words = [w for c in cells for w in c.split(" ")]
            least.append(min(natural[-1], max((one_line(w) if NO_BREAK in w else min(1.3, one_line(w)) for w in words),
                                              default=0.0)))
        excess = sum(natural) - _WIDTH
        if excess <= 0:
            return natural
        slack = [a - b for a, b in zip(natural, least)]
        share = min(1.0, excess / sum(slack)) if sum(slack) > 0 else 0.0
        widths = [a - d * share for a, d in zip(natural, slack)]
        total = sum(widths)
        return [w * _WIDTH / total for w in widths] if total > _WIDTH else widths

    def _row_lines(self, cells: list[str], widths: list[float], size: float, weight: str) -> list[list[str]]:
        return [self.wrap(cells[i] if i < len(cells) else "", w - 0.1, size, weight) for i, w in enumerate(widths)]

    @property
    def _pad(self) -> float:
        """The space above and below a table row's text (inches)."""
        return 0.1 * self.scale

    def kept_height(self, table: _Block, size: float = 9.0) -> float:
        """The height of what of ``table`` is kept on one page, its caption included: the whole of a short table
        (:data:`_SHORT_TABLE` rows or fewer), else its header and first :data:`_FIRST_ROWS` rows (found: a table
        of two rows split across two pages, its heading on the first)."""
        rows = len(table.rows) if len(table.rows) <= _SHORT_TABLE else _FIRST_ROWS
        caption = self.line_height(9.5) + 0.02 * self.scale if table.caption else 0.0
        return caption + self.table_height(table, rows, size)

    def table_height(self, table: _Block, rows: int = 1, size: float = 9.0) -> float:
        widths = self._columns(table, size)
        head = max(len(c) for c in self._row_lines(table.headers, widths, size, "bold")) if table.headers else 0
        body = sum(max(len(c) for c in self._row_lines(r, widths, size, "normal")) for r in table.rows[:rows])
        return (head + body) * self.line_height(size) + self._pad * (rows + 1)

    def table(self, table: _Block, size: float = 9.0) -> None:
        """The table with wrapped cells; rows never split, nor what :meth:`kept_height` keeps together, the header
        repeated on each new page."""
        self.room(self.kept_height(table, size))
        if table.caption:
            self.text(table.caption, 9.5, colour=_MUTED, gap=0.02)
        widths = self._columns(table, size)
        header = self._row_lines(table.headers, widths, size, "bold") if table.headers else []

        def draw_row(lines: list[list[str]], weight: str, colour: str) -> None:
            height = max(len(c) for c in lines) * self.line_height(size) + self._pad
            x = _MARGIN
            for cell, w in zip(lines, widths):
                # right-to-left text is drawn from the cell's right edge
                right_to_left = text_direction.is_right_to_left(" ".join(cell))
                for k, line in enumerate(cell):
                    top = self.y - self._pad / 2 - size * self.scale / 72 - k * self.line_height(size)
                    self._draw(line, x + w - 0.05 if right_to_left else x + 0.05, top, size, weight=weight,
                               colour=colour, right_to_left=right_to_left)
                x += w
            self.y -= height
            self.fig.add_artist(matplotlib.lines.Line2D(
                [_MARGIN / A4[0], (_MARGIN + sum(widths)) / A4[0]], [self.y / A4[1]] * 2,
                color=_RULE, linewidth=0.6))

        def draw_header() -> None:
            if header:
                draw_row(header, "bold", "#333333")

        def row_lines(row: list[str]) -> list[list[str]]:
            if _is_group_row(row):  # a group's heading ("Agreed on 30 Jun 2025") reads across the whole table
                return [self.wrap(row[0], sum(widths) - 0.1, size, "bold")] + [[] for _ in widths[1:]]
            return self._row_lines(row, widths, size, "normal")

        def row_height(lines: list[list[str]]) -> float:
            return max(len(c) for c in lines) * self.line_height(size) + self._pad

        draw_header()
        for i, row in enumerate(table.rows):
            lines = row_lines(row)
            height = row_height(lines)
            if _is_group_row(row) and i + 1 < len(table.rows):  # a group's heading stays with its first row
                height += row_height(row_lines(table.rows[i + 1]))
            page = self.number
            self.room(height)
            if self.number != page:
                draw_header()
            draw_row(lines, "bold" if _is_group_row(row) else "normal", _INK)
        self.y -= 0.12 * self.scale

    # charts ----------------------------------------------------------------

    def depth(self, chart: _Chart) -> float:
        """The room ``chart`` takes on its page (inches, :attr:`_Chart.depth`), drawn on :attr:`fig` to measure
        it unless it was already (:meth:`_Chart.draw_on`)."""
        chart.draw_on(self.fig)
        return chart.depth

    def chart(self, chart: _Chart) -> None:
        """Put ``chart`` with its key under it where both fit above the bottom margin (the room they take:
        :meth:`depth`), else at the top of the next page; go on below the key (:attr:`_Chart.advance`)."""
        self.room(self.depth(chart))
        chart.place(self.fig, self.y)
        self.y -= chart.advance


# ---------------------------------------------------------------------------
# the report


_SKILL_CHART = 3.9  # inches: a skill chart's room on the page, its key under its axes


@dataclass
class _Chart:
    """A chart of the PDF: ``draw`` draws it, its key (the Axes' legend) included, on Axes placed ``left``,
    ``right``, ``top`` and ``bottom`` inches inside a band ``height`` inches tall across the page's column.

    It is drawn once (:meth:`draw_on`): the drawing that measures its key is the one put on the page (:meth:`place`).
    Drawing it again to measure its key took a fifth to a quarter of a report's PDF time."""

    draw: Callable[[Any], None]
    height: float
    left: float
    right: float = 0.35
    top: float = 0.3
    bottom: float = 1.0
    axes: Any = field(default=None, init=False, repr=False)  # the drawing, once :meth:`draw_on` made it
    key_depth: float = field(default=0.0, init=False)

    def box(self, y: float) -> list[float]:
        """The Axes' place on an A4 page (fractions of the page) when the band's top is ``y`` inches above the
        page's foot."""
        return [(_MARGIN + self.left) / A4[0], (y - self.height + self.bottom) / A4[1],
                (_WIDTH - self.left - self.right) / A4[0], (self.height - self.top - self.bottom) / A4[1]]

    def draw_on(self, fig: Figure) -> None:
        """Draw the chart on ``fig`` (an A4 page's figure) unless it is drawn already, and measure how far below
        the band's top its key reaches (:attr:`key_depth`; 0 without a key): below the band where its entries wrap
        onto more rows at the page's width. The drawing is then taken off the figure until :meth:`place` puts it
        on its page: nothing of it depends on where the band is, its key hangs from its Axes."""
        if self.axes is not None:
            return
        self.axes = fig.add_axes(self.box(A4[1]))
        self.draw(self.axes)
        legend = self.axes.get_legend()
        if legend is not None:
            self.key_depth = float(A4[1] - legend.get_window_extent(fig.canvas.get_renderer()).y0 / fig.dpi)
        fig.delaxes(self.axes)  # still of ``fig`` (Axes.remove would part them), off its page

    def place(self, fig: Figure, y: float) -> None:
        """Put the chart, drawn on ``fig`` (:meth:`draw_on`), on the page ``fig`` holds now, the band's top ``y``
        inches above the page's foot."""
        self.draw_on(fig)
        fig.add_axes(self.axes)
        self.axes.set_position(self.box(y))

    @property
    def depth(self) -> float:
        """The room the chart takes on its page (inches), once drawn: its band, or down to its key's foot where
        the key reaches lower (a page break that kept only the band's room put a chart at a page's foot whose key
        ran into the bottom margin)."""
        return max(self.height, self.key_depth)

    @property
    def advance(self) -> float:
        """How far down the page what follows the chart starts (inches), once drawn: below its band, and
        :data:`careerconv.surfaces.report.render.LEGEND_FOOT` below its key."""
        return max(self.height, self.key_depth + render.LEGEND_FOOT) if self.key_depth else self.height


def _write_blocks(page: _Page, blocks: list[_Block], charts: list[_Chart]) -> None:
    """Lay out one section's blocks; each ``img`` block is drawn by the next of ``charts``."""
    for i, block in enumerate(blocks):
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        if block.kind in ("h1", "h2", "h3", "summary"):
            keep = _first_height(page, following, charts)
            size = {"h1": 18.0, "h2": 14.0, "h3": 12.0, "summary": 10.5}[block.kind]
            page.heading(block.text, size, keep)
        elif block.kind == "p":
            if "cc-key" in block.css:
                continue  # the PDF's charts carry their own legend
            if "cc-summary" in block.css.split():
                page.text(block.text, 11.5, weight="bold", gap=0.1)
            else:
                muted = any(c in block.css for c in ("cc-note", "cc-empty", "cc-chart-note", "cc-meta", "cc-foot",
                                                     "cc-q"))
                page.text(block.text, 9.5 if muted else _BODY, colour=_MUTED if muted else _INK)
        elif block.kind == "li":
            page.text(f"{block.css or chr(0x2022)}  {block.text}", 10.5, indent=0.15, gap=0.03)
        elif block.kind == "table":
            # one line: "Targets: 6 months, 1 Apr 2027: 7/10 · …"
            if "cc-targets" in block.css.split() and len(block.rows) == 1:
                page.text("Targets: " + "  \u00b7  ".join(f"{h}, {v}" for h, v in zip(block.headers, block.rows[0])),
                          _BODY)
            elif "cc-facts" in block.css or "cc-words" in block.css:
                for row in block.rows:
                    page.text(":  ".join(c for c in row if c), 9.5 if "cc-words" in block.css else _BODY, gap=0.02)
                page.y -= 0.08
            else:
                page.table(block)
        elif block.kind == "img" and charts:
            page.chart(charts.pop(0))


def _first_height(page: _Page, block: _Block | None, charts: list[_Chart]) -> float:
    """How much of ``block`` a heading above it must keep it company with (inches); an ``img`` block is drawn by
    the first of ``charts``: the whole chart and its key."""
    if block is None:
        return 0.0
    if block.kind == "img":
        return page.depth(charts[0]) if charts else 0.0
    if block.kind == "table":
        return page.kept_height(block)
    return min(page.text_height(block.text), 3 * page.line_height(_BODY))


def pdf_bytes(content: ReportContent) -> bytes:
    """The report as PDF bytes: the HTML report's content on A4 pages.

    Parameters
    ----------
    content
        What the report shows (:func:`careerconv.surfaces.report.build_content`).

    Returns
    -------
    bytes
        A PDF document (A4), deterministic for the same content.
    """
    c = content
    header = _blocks(render.header(c))
    sections = {
        "dreams": [render.dreams(c)], "standing": [render.standing(c, None)], "horizons": [render.horizon_table(c)],
        "skills": render.skill_sections(c, None), "actions": [render.action_plan(c)], "next": [render.next_steps(c)],
        "earlier": [render.earlier_plans(c, open_plans=10**6)], "read": [render.how_to_read(c)],
    }
    blocks = {key: [b for f in fragments if f is not None for b in _blocks(f)] for key, fragments in sections.items()}
    everything = " ".join(" ".join([b.text, b.caption, *b.headers, *(x for r in b.rows for x in r)])
                          for part in (header, *blocks.values()) for b in part)
    families = _font_families(everything + c.name)
    quiet = logging.getLogger("matplotlib.font_manager")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # a CJK fallback font has no bold: matplotlib says so for every text
    try:
        return _pdf(c, header, blocks, families)
    finally:
        quiet.setLevel(level)


def standing_chart(page: _Page, content: ReportContent) -> None:
    """Draw the standing chart of ``content`` on ``page``, its legend under it, and go on below that."""
    page.chart(_standing_chart(content))


def _standing_chart(content: ReportContent) -> _Chart:
    """The standing chart of ``content`` as the PDF draws it, its legend under it."""
    height, left = render.standing_chart_size(content)

    def draw(ax: Any) -> None:
        render.draw_standing(ax, content)
        plots.legend_below(ax, 0.55, _MARGIN)
    return _Chart(draw, height, left=left, bottom=1.3)


def _skill_chart(data: SkillChartData) -> _Chart:
    """One skill's chart as the PDF draws it, its legend under it."""
    def draw(ax: Any) -> None:
        render.draw_skill(ax, data)
        plots.legend_below(ax, 0.5, _MARGIN)
    return _Chart(draw, _SKILL_CHART, left=0.6, top=0.25, bottom=1.05)


def _pdf(c: ReportContent, header: list[_Block], blocks: dict[str, list[_Block]], families: list[str]) -> bytes:
    buf = io.BytesIO()
    # Type 42 (TrueType) keeps every glyph of a fallback font as text a reader can copy and
    # search (Type 3 draws glyphs past the first 256 as shapes); it costs more, so only then.
    fonttype = 42 if len(families) > 1 else 3
    with plots.plain_text(), matplotlib.rc_context({"font.family": families, "pdf.fonttype": fonttype}), \
            PdfPages(buf, metadata={"Title": f"Career progress report: {c.name}", "Creator": "careerconv",
                                    "CreationDate": None}) as pdf:
        page = _Page(pdf, f"Career progress report \u00b7 {text_direction.isolated(c.name)} \u00b7 "
                           f"{render.format_day(c.as_of)}", families)
        page.text("Career progress report", 20, weight="bold", gap=0.08)
        _write_blocks(page, header, [])

        def section(key: str, charts: list[_Chart] | None = None, heading: render.Heading | None = None) -> None:
            title, intro = _SECTIONS[key] if heading is None else (heading.text, heading.intro)
            part, charts = blocks[key], list(charts or [])
            page.heading(title, 14.0, (page.text_height(intro) if intro else 0.0)
                         + _first_height(page, part[0] if part else None, charts))
            if intro:
                page.text(intro, 9.5, colour=_MUTED)
            _write_blocks(page, part, charts)

        section("dreams")
        section("standing", [_standing_chart(c)], render.standing_heading(c))
        section("horizons")
        section("skills", [_skill_chart(d) for d in skill_chart_data(c)])
        section("actions")
        section("next")
        _write_blocks(page, blocks["earlier"], [])  # every earlier plan, printed open
        section("read")
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


def _question_and_answer_lines(blocks: list[_Block]) -> list[_Block]:
    """A question (``p.cc-q``) and the paragraph answering it (``p.cc-a``) as one line: "question: answer"."""
    out: list[_Block] = []
    for block in blocks:
        previous = out[-1] if out else None
        if (block.kind == "p" and "cc-a" in block.css.split() and previous is not None and previous.kind == "p"
                and "cc-q" in previous.css.split()):
            out[-1] = _Block("p", text=f"{previous.text.rstrip(':?')}: {block.text}")
        else:
            out.append(block)
    return out


def document_pdf_bytes(fragment: str, *, title: str, footer: str, scale: float = 1.0) -> bytes:
    """An HTML fragment of headings, paragraphs, lists and tables as an A4 PDF, laid out by the
    report's rules (text wrapped by measured width, headings kept with what follows, table rows
    never split, fonts that cover the text).

    Parameters
    ----------
    fragment
        HTML (``h1``-``h3``, ``p``, ``ol``/``ul``, ``table``; ``div.cc-meta`` and ``div.cc-foot``
        as muted lines); styles and unknown tags are read past.
    title
        The document's title in the PDF's metadata.
    footer
        The line at the foot of every page (the page number follows it).
    scale
        Every font size multiplied by it (e.g. 0.85 to keep a summary on one page).

    Returns
    -------
    bytes
        A PDF document, deterministic for the same input.
    """
    if not 0.5 <= scale <= 2.0:
        raise ValueError(f"scale must be between 0.5 and 2.0, not {scale!r}")
    blocks = _question_and_answer_lines(_blocks(fragment))
    families = _font_families(" ".join(" ".join([b.text, b.caption, *b.headers, *(x for r in b.rows for x in r)])
                                       for b in blocks) + footer)
    buf = io.BytesIO()
    quiet = logging.getLogger("matplotlib.font_manager")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        with plots.plain_text(), matplotlib.rc_context({"font.family": families,
                                                        "pdf.fonttype": 42 if len(families) > 1 else 3}), \
                PdfPages(buf, metadata={"Title": title, "Creator": "careerconv", "CreationDate": None}) as pdf:
            page = _Page(pdf, footer, families, scale=scale)
            _write_blocks(page, blocks, [])
            page.finish()
    finally:
        quiet.setLevel(level)
    return buf.getvalue()
