"""The direction of text people type: whether it has right-to-left letters or reads right to left, and a name
isolated inside a sentence.

A department, a skill or a coach named in Hebrew, Arabic or Persian inside one of our English sentences
("In הנדסה, 45% met their coach") is one right-to-left run to the Unicode bidirectional algorithm, and
the punctuation and the number next to it are drawn into that run: a browser or matplotlib shows the 45
on the wrong side of the name. :func:`isolated` wraps such a name in FIRST STRONG ISOLATE (U+2068) ...
POP DIRECTIONAL ISOLATE (U+2069), which browsers, matplotlib (libraqm) and screen readers all follow, so
the name keeps its own direction and the sentence around it keeps its order. Text without a right-to-left
character is never changed, so Latin-only output stays byte for byte what it was.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["has_right_to_left", "is_right_to_left", "isolated"]

# The blocks of the right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, NKo, ...), their
# presentation forms, and the right-to-left marks, embeddings, overrides and isolates.
_RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\u200f\u202b\u202e\u2067"
                            "\U00010800-\U00010fff\U0001e800-\U0001efff]")
_FIRST_STRONG_ISOLATE, _POP_DIRECTIONAL_ISOLATE = "\u2068", "\u2069"


def has_right_to_left(text: str) -> bool:
    """Whether ``text`` has a character of a right-to-left script (or a right-to-left mark)."""
    return _RIGHT_TO_LEFT.search(text) is not None


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


def isolated(name: str) -> str:
    """``name`` (text a person typed) as it is put inside a sentence of ours: between FIRST STRONG ISOLATE and
    POP DIRECTIONAL ISOLATE when it has a right-to-left character, else unchanged.

    Only for text shown to a reader (sentences, chart titles and labels); never for CSV or workbook cells,
    where a spreadsheet user would see or copy the invisible characters.
    """
    if not has_right_to_left(name):
        return name
    return _FIRST_STRONG_ISOLATE + name + _POP_DIRECTIONAL_ISOLATE


def shortened(text: str, keep: int) -> str:
    """The first ``keep`` characters of ``text`` and an ellipsis; of an :func:`isolated` text, of what it isolates
    (the isolate stays whole)."""
    if len(text) >= 2 and text[0] == _FIRST_STRONG_ISOLATE and text[-1] == _POP_DIRECTIONAL_ISOLATE:
        return _FIRST_STRONG_ISOLATE + text[1:-1][:keep] + "\u2026" + _POP_DIRECTIONAL_ISOLATE
    return text[:keep] + "\u2026"
