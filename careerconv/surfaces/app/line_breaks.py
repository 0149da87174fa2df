"""Where a line of the app may break: a phrase that matters (a day, "left 1 Sep 2026", "Check-in overdue") is
never split over two lines; where a line cannot hold it, it goes whole to the next one.

The app wraps a long text rather than cutting it with "…" (a cut once hid that a person had left, and when); these
helpers say, with no-break spaces, which words stay together when it wraps.
"""

from __future__ import annotations

from careerconv.records.dates import NO_BREAK

__all__ = ["unbroken", "then_whole"]


def unbroken(phrase: str) -> str:
    """``phrase`` with its spaces as no-break spaces: a line never breaks inside it ("Check-in overdue")."""
    return phrase.replace(" ", NO_BREAK)


def then_whole(head: str, tail: str) -> str:
    """``"<head> · <tail>"`` (text, not HTML) where the line may break only before the ``·``: ``tail`` and its
    ``·`` go whole to the next line where the line cannot hold them ("Zaid Khalil · E0007" / "· left 1 Sep 2026").
    ``head`` keeps its own break points."""
    return f"{head} ·{NO_BREAK}{unbroken(tail)}"
