"""How careerconv lists things in a sentence a person reads: ``a``, ``a and b``, ``a, b and c``.

One rule for every page that says a list in words (the HR page's readings, the employee's report).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["word_list"]


def word_list(items: Sequence[str]) -> str:
    """The items as a sentence lists them: ``a``, ``a and b``, ``a, b and c``."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
