"""Right-to-left text in the PDF report: names, skills and free text in Hebrew, Arabic and Persian read right.

The order checked is the order the glyphs are placed on the page, left to right, as
matplotlib lays out each line the PDF draws (its own layout, libraqm), against the
Unicode bidirectional algorithm of python-bidi where a whole line is checked. pypdf's text extraction is not used for the
order: it reorders right-to-left runs by its own rules, and reads a correctly drawn
line and a reversed one alike.
"""

from __future__ import annotations

import dataclasses

import pytest
from bidi import get_display
from matplotlib import _text_helpers, font_manager

from careerconv.records import text_direction
from careerconv.records.store import History
from careerconv.surfaces.report import content, pdf, rtl
from test_report_truth import conversation, history

NAME = "דנה כהן"
MIXED = "Goal: לדבר בכנס 2027"
ARABIC_SKILL = "مهارات التواصل"
MARKS = "\u200e\u200f\u2068\u2069"  # direction marks and isolates: no glyph of their own


@dataclasses.dataclass
class Drawn:
    logical: str  # the line as typed (before it was made ready for matplotlib)
    visual: str  # its characters in the order their glyphs stand on the page, left to right
    x: float  # inches from the left of the page
    align: str


def placed(text) -> str:
    """The characters of a matplotlib text in the order its glyphs are placed, left to right."""
    font = font_manager.get_font(font_manager.findfont(text.get_fontproperties()))
    font.set_size(10, 72)
    items = sorted(_text_helpers.layout(text.get_text(), font), key=lambda item: item.x)
    return "".join(item.char for item in items if item.char not in MARKS)


def drawn_lines(monkeypatch, report_content) -> list[Drawn]:
    """Every line of text the PDF's pages draw (outside the charts), top of the first page first."""
    lines: list[Drawn] = []
    finish, visual = pdf._Page.finish, rtl.line
    typed: dict[str, str] = {}  # each string handed to matplotlib -> the line as typed

    def record_visual(line, right_to_left=None):
        out = visual(line, right_to_left)
        typed[out] = line
        return out

    def record(page):
        finish(page)  # the footer is drawn first
        texts = sorted(page.fig.texts, key=lambda t: -t.get_position()[1])
        lines.extend(Drawn(typed.get(t.get_text(), t.get_text()), placed(t), t.get_position()[0] * pdf.A4[0],
                           t.get_horizontalalignment()) for t in texts)

    monkeypatch.setattr(pdf._Page, "finish", record)
    monkeypatch.setattr(rtl, "line", record_visual)
    pdf.pdf_bytes(report_content)
    return lines


def report(name: str = NAME, dreams: tuple[str, ...] = (MIXED,), skills: tuple[str, ...] = (ARABIC_SKILL,)):
    plan = conversation("2025-09-01", [(s, 4, (6, 7, 8)) for s in skills])
    plan["dreams"] = [{"rank": i + 1, "text": d} for i, d in enumerate(dreams)]
    base = history([plan])
    return content.build_content(History({**base.employee, "name": name}, base.conversations, base.checkins),
                                 "2026-03-15")


def test_a_hebrew_name_and_a_mixed_line_are_drawn_in_reading_order(monkeypatch):
    lines = drawn_lines(monkeypatch, report())
    name = next(line for line in lines if line.logical == NAME)
    assert name.visual == "ןהכ הנד"  # read from the right: דנה כהן
    assert name.align == "right" and name.x == pytest.approx(pdf.A4[0] - pdf._MARGIN)  # a right-to-left heading
    mixed = next(line for line in lines if "Goal:" in line.logical)
    assert mixed.visual.endswith("Goal: 2027 סנכב רבדל")  # Latin and the year in order, Hebrew read from the right
    assert mixed.align == "left"  # it starts with a Latin word: a left-to-right line
    # the footer: the date after the name stays in order ("15 Mar 2026", not "Mar 2026" after "15 · name")
    footer = next(line for line in lines if "page 1" in line.logical)
    footer_text = footer.visual.replace("\u00a0", " ")
    assert footer_text.startswith("Career progress report \u00b7 ןהכ הנד \u00b7 15 Mar 2026")


def test_an_arabic_skill_is_drawn_shaped_and_in_reading_order(monkeypatch):
    lines = drawn_lines(monkeypatch, report())
    # (a narrow table cell may wrap it, a word a line: the lines holding both words are looked at)
    cells = [line for line in lines if len(line.visual.split()) == 2 and set(line.visual) <= set(
        "ﻣﻬﺎﺭﺍﺕ ﺍﻟﺘﻮﺍﺻﻞ" + ARABIC_SKILL)]
    assert cells, "the Arabic skill is not drawn as a line of its own"
    # first letter (meem, initial form) at the right end: the word read from the right, letters joined
    visual = cells[0].visual
    assert visual[-1] in ("\u0645", "\ufee3") and visual[0] in ("\u0644", "\ufede")


def test_a_wrapped_right_to_left_paragraph_keeps_its_lines_in_order(monkeypatch):
    long = "אני " + " ".join(f"Python{i} לומדת" for i in range(40))  # Hebrew first: right to left
    lines = [line for line in drawn_lines(monkeypatch, report(name="Ana Silva", dreams=(long,), skills=("Alpha",)))
             if "Python" in line.logical]
    assert len(lines) >= 3
    logical = [line.logical for line in lines]
    assert " ".join(logical) == "1.  " + long  # top to bottom: the paragraph from its start
    assert any(line.split()[0].startswith("Python") for line in logical[1:]), "no line starts with a Latin word"
    for line, text in zip(lines, logical):
        assert line.align == "right" and line.x == pytest.approx(pdf.A4[0] - pdf._MARGIN - 0.15)
        # each line laid out right to left, also one that starts with a Latin word
        assert line.visual == get_display(text, base_dir="R")


def test_latin_only_text_is_drawn_as_given():
    report_content = report(name="Ana Silva", dreams=("Speak at a conference in 2027",), skills=("Negotiation",))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rtl, "line", lambda line, right_to_left=None: line)
        patch.setattr(text_direction, "isolated", lambda text: text)
        unchanged = pdf.pdf_bytes(report_content)
    assert pdf.pdf_bytes(report_content) == unchanged


@pytest.mark.parametrize("name", ["Maximiliana-" * 12 + "Ortega", "דנה" * 60],
                         ids=["long-latin-name", "long-hebrew-name"])
def test_a_name_too_long_for_the_footer_is_cut_short_there_and_the_page_number_stays(monkeypatch, name):
    footers = []
    finish = pdf._Page.finish

    def record(page):
        finish(page)
        renderer = page.fig.canvas.get_renderer()
        [footer] = [t for t in page.fig.texts if "page " in t.get_text()]
        right = footer.get_window_extent(renderer=renderer).x1 / page.fig.dpi
        footers.append((footer.get_text(), right))

    monkeypatch.setattr(pdf._Page, "finish", record)
    pdf.pdf_bytes(report(name=name, dreams=("Speak at a conference",), skills=("Negotiation",)))
    assert footers
    for number, (text, right) in enumerate(footers, start=1):
        assert right <= pdf.A4[0] - pdf._MARGIN + 0.01, f"page {number}'s footer runs past the margin: {text!r}"
        assert text.endswith(f"page {number}") and "15 Mar 2026" in text.replace("\u00a0", " ") and "\u2026" in text
        assert text.count("\u2068") == text.count("\u2069")  # a cut right-to-left name keeps its isolate whole
    # a short name is not cut
    footers.clear()
    pdf.pdf_bytes(report(name="Ana Silva", dreams=("Speak at a conference",), skills=("Negotiation",)))
    assert all("Ana Silva" in text and "\u2026" not in text for text, _ in footers)
