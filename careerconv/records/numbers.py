"""How careerconv writes a number a person reads: a percentage, a rating.

One rule for every page (the HR page's readings, tables and charts, the employee's report): halves round up,
as a reader rounds (5 of 8 is 63 %, as 7 of 8 is 88 %), not to the even neighbour as Python's ``round`` and
``format`` do (which wrote "62%" beside "88%"). Shares of one whole (the parts of every action item, of every
target due) are rounded together, so that what a page prints of them adds up to 100% (:func:`whole_percents`).
Stored data and CSV files keep their numbers as they are.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
import math
from collections.abc import Sequence
from typing import Any

__all__ = ["half_up", "one_decimal", "percent", "rating_text", "whole_percents"]


def half_up(value: Any, decimals: int = 0) -> Decimal:
    """``value`` rounded to ``decimals`` places, halves away from zero, as the decimal it is written as
    (``0.285`` is 0.285, not the binary fraction just below it); never ``-0``."""
    number = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    return number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP) + 0


def percent(share: Any) -> str:
    """A share (0.625) as a whole percentage, halves up: ``"63%"``."""
    return f"{half_up(Decimal(repr(float(share))) * 100):f}%"


def whole_percents(shares: Sequence[Any]) -> list[str]:
    """The parts of one whole (shares adding up to 1) as whole percentages that add up to 100%, by the largest
    remainder: each part is rounded down, and the points left over go one each to the parts with the largest
    remainders (in a tie, the earlier part). Done 59.5%, in progress 9.6%, open 20.5% and dropped 10.4% read
    60%, 10%, 20% and 10%, where rounding each alone (:func:`percent`) read 60 + 10 + 21 + 10 = 101%.

    Shares that add up to less than 1 (a part not counted) keep their own sum, rounded half up; a missing
    share (None or NaN) reads "" and counts as 0.

    Raises
    ------
    ValueError
        For a negative share.
    """
    missing = [value is None or (not isinstance(value, str) and math.isnan(float(value))) for value in shares]
    hundredths = [Decimal(0) if gone else Decimal(repr(float(value))) * 100 for value, gone in zip(shares, missing)]
    if any(part < 0 for part in hundredths):
        raise ValueError(f"shares of a whole are 0 to 1; got {[float(v) for v in shares if v is not None]}")
    whole = [int(part) for part in hundredths]  # rounded down
    left = int(half_up(sum(hundredths))) - sum(whole)
    by_remainder = sorted(range(len(whole)), key=lambda i: (-(hundredths[i] - whole[i]), i))
    for i in by_remainder[:max(left, 0)]:
        whole[i] += 1
    return ["" if gone else f"{part}%" for part, gone in zip(whole, missing)]


def rating_text(value: Any) -> str:
    """A rating, or a point on the line between two (6.75), as the report writes both: at most one decimal,
    halves up, none when it is whole (``"7"``, never ``"7.0"`` beside a ``"7"``)."""
    text = one_decimal(value)
    return text[:-2] if text.endswith(".0") else text


def one_decimal(value: Any, *, signed: bool = False) -> str:
    """A mean or a change with one decimal, halves up (``"3.5"`` for 3.45, ``"1.0"``, ``"1,234.5"``); ``signed``
    with its sign (``"+1.1"``, ``"-0.5"``, ``"+0.0"``, never ``"-0.0"``)."""
    return f"{half_up(value, 1):{'+' if signed else ''},.1f}"
