"""Right-to-left text (Hebrew, Arabic, Persian, ...) in the PDF report.

matplotlib (3.11 and later, the project's floor) lays each drawn string out with
libraqm: the Unicode bidirectional algorithm puts it in display order and Arabic
letters are shaped, with the string's own first strong letter as its direction.
What is left to the report is what matplotlib cannot know: text is wrapped in
logical order, and a wrapped line belongs to a paragraph whose direction may not be
the line's own (a line of a Hebrew paragraph that starts with "Python"), so such a
line gets a direction mark in front (:func:`line`); a paragraph reading right to
left is aligned to the right (:func:`is_right_to_left`); a right-to-left name inside
a left-to-right sentence is closed with a left-to-right mark (:func:`in_sentence`).
Text without a right-to-left character is never changed. Whether text has one is
:func:`careerconv.records.text_direction.has_right_to_left`, the one rule of the package.
"""

from __future__ import annotations

import unicodedata

from careerconv.records.text_direction import has_right_to_left

__all__ = ["has_right_to_left", "is_right_to_left", "in_sentence", "line"]

_RLM, _LRM = "\u200f", "\u200e"


def is_right_to_left(paragraph: str) -> bool:
    """Whether ``paragraph`` reads right to left: its first character of a strong direction is
    right to left (Unicode bidirectional rules P2-P3; none at all: left to right)."""
    if not has_right_to_left(paragraph):
        return False
    for character in paragraph:
        direction = unicodedata.bidirectional(character)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False


def in_sentence(text: str) -> str:
    """``text`` (a name) to be put inside a left-to-right sentence: with a left-to-right mark after
    it when it has right-to-left letters, so a number that follows ("דנה כהן · 15 Mar") is not
    drawn into its right-to-left run."""
    return text + _LRM if has_right_to_left(text) else text


def line(text: str, right_to_left: bool | None = None) -> str:
    """One wrapped line of a paragraph as it must be handed to matplotlib.

    ``right_to_left`` is the direction of the whole paragraph (:func:`is_right_to_left`; None: the
    line's own). The line is returned unchanged when it has no right-to-left character or reads in
    its paragraph's direction, else with a right-to-left (or left-to-right) mark in front, so
    matplotlib lays it out in the paragraph's direction.
    """
    if right_to_left is None or not has_right_to_left(text) or is_right_to_left(text) == right_to_left:
        return text
    return (_RLM if right_to_left else _LRM) + text
