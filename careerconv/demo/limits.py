"""How big and how long a demo organisation may be, in a module that imports only the standard library.

``careerconv demo --help`` states these limits and its ``--years`` option reads its range with
:func:`parse_years`, without importing pandas and numpy through :mod:`careerconv.demo.organisation`,
which takes them from here (one value in one place).
"""

from __future__ import annotations

import math
from typing import Sequence

MIN_EMPLOYEES = 8
MAX_EMPLOYEES = 2_000_000
DEFAULT_YEARS = (2, 4)


def parse_years(text: str | Sequence[float]) -> tuple[float, float]:
    """Read a history length: ``"2-4"`` (a range of years) or ``"3"``.

    Returns
    -------
    (low, high)
        Years of history, 1 ≤ low ≤ high ≤ 10.

    Raises
    ------
    ValueError
        For anything else, saying what is allowed.
    """
    allowed = "a number of years from 1 to 10, or a range such as 2-4"
    if isinstance(text, (tuple, list)):
        parts = [str(v) for v in text]
    else:
        parts = [p.strip() for p in str(text).split("-")]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise ValueError(f"years {text!r} is not valid; expected {allowed}") from None
    if len(values) == 1:
        values = values * 2
    if len(values) != 2 or not all(math.isfinite(v) for v in values) or not 1 <= values[0] <= values[1] <= 10:
        raise ValueError(f"years {text!r} is not valid; expected {allowed}")
    return values[0], values[1]
