"""Right-to-left text (Hebrew, Arabic, Persian, ...) in the PDF report: each wrapped line in its paragraph's direction.

matplotlib (3.11 and later, the project's floor) lays each drawn string out with
libraqm: the Unicode bidirectional algorithm puts it in display order and Arabic
letters are shaped, with the string's own first strong letter as its direction.
What it cannot know is the paragraph a wrapped line belongs to: text is wrapped in
logical order, and a line of a Hebrew paragraph may start with "Python", so such a
line gets a direction mark in front (:func:`line`). Which text reads right to left,
and how a name is isolated inside a sentence of ours, are the package's one rule,
:mod:`careerconv.records.text_direction`.
"""

from __future__ import annotations

from careerconv.records.text_direction import has_right_to_left, is_right_to_left

__all__ = ["line"]

_RLM, _LRM = "\u200f", "\u200e"


def line(text: str, right_to_left: bool | None = None) -> str:
    """One wrapped line of a paragraph as it must be handed to matplotlib.

    ``right_to_left`` is the direction of the whole paragraph
    (:func:`careerconv.records.text_direction.is_right_to_left`; None: the line's own). The line is
    returned unchanged when it has no right-to-left character or reads in its paragraph's direction,
    else with a right-to-left (or left-to-right) mark in front, so matplotlib lays it out in the
    paragraph's direction.
    """
    if right_to_left is None or not has_right_to_left(text) or is_right_to_left(text) == right_to_left:
        return text
    return (_RLM if right_to_left else _LRM) + text
