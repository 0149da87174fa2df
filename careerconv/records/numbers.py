"""How careerconv writes a number a person reads: a percentage, a rating.

One rule for every page (the HR page's readings, tables and charts, the employee's report): halves round up,
as a reader rounds (5 of 8 is 63 %, as 7 of 8 is 88 %), not to the even neighbour as Python's ``round`` and
``format`` do (which wrote "62%" beside "88%"). Stored data and CSV files keep their numbers as they are.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

__all__ = ["half_up", "one_decimal", "percent", "rating_text"]


def half_up(value: Any, decimals: int = 0) -> Decimal:
    """``value`` rounded to ``decimals`` places, halves away from zero, as the decimal it is written as
    (``0.285`` is 0.285, not the binary fraction just below it); never ``-0``."""
    number = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    return number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP) + 0


def percent(share: Any) -> str:
    """A share (0.625) as a whole percentage, halves up: ``"63%"``."""
    return f"{half_up(Decimal(repr(float(share))) * 100):f}%"


def rating_text(value: Any) -> str:
    """A rating, or a point on the line between two (6.75), as the report writes both: at most one decimal,
    halves up, none when it is whole (``"7"``, never ``"7.0"`` beside a ``"7"``)."""
    text = one_decimal(value)
    return text[:-2] if text.endswith(".0") else text


def one_decimal(value: Any, *, signed: bool = False) -> str:
    """A mean or a change with one decimal, halves up (``"3.5"`` for 3.45, ``"1.0"``, ``"1,234.5"``); ``signed``
    with its sign (``"+1.1"``, ``"-0.5"``, ``"+0.0"``, never ``"-0.0"``)."""
    return f"{half_up(value, 1):{'+' if signed else ''},.1f}"
