"""Text as Python's regular expressions compare it ignoring case, for a quick "cannot match" before a slow pattern.

A pattern such as ``(?i:Dana\\s+Fox)`` tried at every character of a report's page (470,000 characters) takes tens
of milliseconds; an erasure tries one on every file it reads. :func:`case_blind` puts a text in one form, character
for character, such that two characters that ``re`` takes for each other ignoring case become the same character:
each character's simple lowercase (what ``re`` compares; ``str.lower`` but for "İ", which it lowers to two
characters), then, of the characters ``re`` takes for the same besides ("ſ" and "s", "ı" and "i", "µ" and "μ"),
one for all. So where ``re`` finds a word ignoring case, the case-blind word is inside the case-blind text, and where
it is not inside, ``re`` cannot find the word: the pattern need not run.

The characters ``re`` takes for each other besides lowercase are read from ``re`` itself (``re._casefix``, where
CPython keeps them); on a Python without it :func:`case_blind` gives None, and every pattern runs.
"""

from __future__ import annotations

import functools
import re

__all__ = ["case_blind"]


@functools.cache
def _same_for_re() -> tuple[re.Pattern, dict[str, str]] | None:
    """A pattern finding any character that ``re`` takes for another one with a different lowercase, and what
    each becomes (the smallest of those it is taken for); None where ``re`` does not say which they are."""
    try:
        from re import _casefix
        extra = _casefix._EXTRA_CASES  # lowercase code point: the others re takes it for
    except (ImportError, AttributeError):
        return None
    into: dict[str, str] = {}
    for code, others in extra.items():
        smallest = chr(min(code, *others))
        for member in (code, *others):
            if chr(member) != smallest:
                into[chr(member)] = smallest
    return re.compile("[" + re.escape("".join(sorted(into))) + "]"), into


def case_blind(text: str) -> str | None:
    """``text`` with each character in the one form ``re`` ignoring case cannot tell from it (see the module), as
    many characters as ``text`` has; None on a Python whose ``re`` does not say which characters it takes for
    each other."""
    same = _same_for_re()
    if same is None:
        return None
    finder, into = same
    blind = text.replace("\u0130", "i").lower()  # İ: its simple lowercase is "i", str.lower gives "i̇"
    if finder.search(blind) is not None:
        blind = finder.sub(lambda found: into[found.group(0)], blind)
    return blind
