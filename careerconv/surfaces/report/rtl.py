"""Right-to-left text (Hebrew, Arabic, Persian, ...) made ready for matplotlib, for the PDF report.

matplotlib 3.11 and later lay text out with libraqm: each drawn string is put in
display order by the Unicode bidirectional algorithm and its Arabic letters are
shaped. Earlier versions (the project allows 3.8) draw a string's characters left
to right in the order they are stored, each in its isolated form, so "דנה כהן"
prints with its letters reversed and Arabic letters unjoined. :func:`visual`
returns a line as it must be handed to matplotlib: unchanged by the first, and for
the second shaped into contextual forms (``arabic-reshaper``; the presentation
forms U+FB50-U+FEFF are in DejaVu Sans) and reordered (``python-bidi``), so Latin
words and numbers inside a right-to-left line stay in reading order. Which of the
two this matplotlib is, is found once by laying out two Hebrew letters.

It works on one line: text is wrapped first (in logical order, measured as
:func:`shaped`) and each wrapped line is reordered with the direction of its
whole paragraph (:func:`is_right_to_left`), not its own. Text without a
right-to-left character is returned unchanged.
"""

from __future__ import annotations

import functools
import re

import arabic_reshaper
from bidi import get_display, get_base_level
from matplotlib import _text_helpers, font_manager

__all__ = ["has_right_to_left", "is_right_to_left", "in_sentence", "shaped", "visual"]

# The blocks of the right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, NKo, ...), their
# presentation forms, and the right-to-left marks, embeddings, overrides and isolates.
_RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\u200f\u202b\u202e\u2067"
                            "\U00010800-\U00010fff\U0001e800-\U0001efff]")
_ARABIC = re.compile("[\u0600-\u08ff\ufb50-\ufdff\ufe70-\ufefc]")


@functools.cache
def _reshaper() -> arabic_reshaper.ArabicReshaper:
    # The default ligatures but ALLAH (U+FDF2), which DejaVu Sans does not have; lam-alef stays.
    return arabic_reshaper.ArabicReshaper({"ARABIC LIGATURE ALLAH": False})


@functools.cache
def matplotlib_orders_text() -> bool:
    """Whether matplotlib puts right-to-left text in display order itself (libraqm, matplotlib 3.11
    and later): whether alef, laid out before bet, lands to the right of it."""
    font = font_manager.get_font(font_manager.findfont("DejaVu Sans"))
    font.set_size(10, 72)
    x = {item.char: item.x for item in _text_helpers.layout("\u05d0\u05d1", font)}
    return x["\u05d0"] > x["\u05d1"]


def has_right_to_left(text: str) -> bool:
    """Whether ``text`` has a character of a right-to-left script (or a right-to-left mark)."""
    return _RIGHT_TO_LEFT.search(text) is not None


def is_right_to_left(paragraph: str) -> bool:
    """Whether ``paragraph`` reads right to left: its first letter of a strong direction is
    Hebrew, Arabic or another right-to-left script (Unicode rules P2-P3; no letter: left to right)."""
    return has_right_to_left(paragraph) and get_base_level(paragraph) == 1


def in_sentence(text: str) -> str:
    """``text`` (a name) to be put inside a left-to-right sentence: with a left-to-right mark after
    it when it has right-to-left letters, so a number that follows ("דנה כהן · 15 Mar") is not
    drawn into its right-to-left run."""
    return text + "\u200e" if has_right_to_left(text) else text


def shaped(text: str) -> str:
    """``text`` with its Arabic letters in their contextual forms (still in logical order); other
    text unchanged. Its width is the drawn width. Vowel marks (harakat) are left out, as
    ``arabic-reshaper`` does by default: they cannot be placed on the shaped letters here.
    Unchanged when matplotlib shapes text itself (:func:`matplotlib_orders_text`)."""
    if not _ARABIC.search(text) or matplotlib_orders_text():
        return text
    return _reshaper().reshape(text)


def visual(line: str, right_to_left: bool | None = None) -> str:
    """One line of text as it must be drawn left to right: shaped, and in display order.

    Parameters
    ----------
    line
        One line, in logical (typed) order, already wrapped.
    right_to_left
        The direction of the paragraph the line belongs to (:func:`is_right_to_left` of the
        whole paragraph); None: the line's own.

    Returns
    -------
    str
        ``line`` unchanged when it has no right-to-left character. Else, when matplotlib orders
        text itself, ``line`` with a right-to-left (or left-to-right) mark in front when its own
        direction is not its paragraph's; otherwise its shaped characters reordered by the
        Unicode bidirectional algorithm.
    """
    if not has_right_to_left(line):
        return line
    if matplotlib_orders_text():
        if right_to_left is None or is_right_to_left(line) == right_to_left:
            return line
        return ("\u200f" if right_to_left else "\u200e") + line
    direction = None if right_to_left is None else ("R" if right_to_left else "L")
    return get_display(shaped(line), base_dir=direction)
