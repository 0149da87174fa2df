"""Value types for the commands' options: read one option's text, return its value or say what is allowed.

Each is an argparse ``type=``: argparse calls it with the text typed, and an
:class:`argparse.ArgumentTypeError` it raises becomes
``careerconv COMMAND: error: argument --option: MESSAGE`` and exit code 2, so
a bad value never reaches a command's ``run``. The messages quote the text as
typed and say what would have been accepted.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Callable

# What a type checks with is imported when an option is read, not when the parser is built: building
# `careerconv app`'s parser imports no pandas (it runs before the server starts).

# The days an option may name. careerconv works out days years after the one given (targets 18 months on,
# the next conversation due, a calendar --within days ahead), and pandas counts days only up to April 2262.
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
# The most days ahead an option may look (ten years): with LAST_DAY, still a day pandas can count.
MAX_DAYS_AHEAD = 3660


def iso_date(text: str) -> dt.date:
    """A day, ``YYYY-MM-DD`` (or a day/month/year date only one reading of which is a real date).

    Parameters
    ----------
    text : str
        The option's text.

    Returns
    -------
    datetime.date

    Raises
    ------
    argparse.ArgumentTypeError
        If it is not a real date, or is ambiguous such as ``03/04/2026``
        (the message quotes ``text`` and gives the reason from
        :func:`careerconv.records.schema.parse_date`), or is before
        :data:`FIRST_DAY` or after :data:`LAST_DAY`.
    """
    from careerconv.records.schema import parse_date

    try:
        day = parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: {exc}") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise argparse.ArgumentTypeError(f"{text!r} is out of range; allowed: a day from {FIRST_DAY.isoformat()} "
                                         f"to {LAST_DAY.isoformat()}")
    return day


def whole_number(*, minimum: int | None = None, maximum: int | None = None,
                 what: str = "") -> Callable[[str], int]:
    """An option type for a whole number, optionally within bounds.

    Parameters
    ----------
    minimum, maximum : int, optional
        The smallest and largest value allowed (inclusive); None for no bound.
    what : str
        What is counted, in the plural (``"days"``, ``"employees"``), for the
        error messages; empty for a bare number such as a random seed.

    Returns
    -------
    callable
        ``parse(text) -> int``, raising :class:`argparse.ArgumentTypeError`
        for text that is not a whole number (``'soon' is not a whole number
        of days``) or a value outside the bounds (``-3 is out of range;
        allowed: 0 or more days``).
    """
    unit = f" {what}" if what else ""
    if minimum is not None and maximum is not None:
        allowed = f"{minimum:,} to {maximum:,}{unit}"
    elif minimum is not None:
        allowed = f"{minimum:,} or more{unit}"
    elif maximum is not None:
        allowed = f"up to {maximum:,}{unit}"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number{' of' if what else ''}{unit}") from None
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise argparse.ArgumentTypeError(f"{value} is out of range; allowed: {allowed}")
        return value

    return parse


def named(what: str) -> Callable[[str], str]:
    """An argparse type for a name that may not be blank (``what`` names it in the message)."""
    def parse(text: str) -> str:
        if not text.strip():
            raise argparse.ArgumentTypeError(f"a {what} name is required, not {text!r}")
        return text
    return parse


def horizons(text: str) -> tuple[int, ...]:
    """Months after a conversation at which targets are measured: ``6,12,18``.

    Returns
    -------
    tuple of int
        Each month once, in increasing order.

    Raises
    ------
    argparse.ArgumentTypeError
        If it is not whole numbers separated by commas, a month is given twice, or one is outside
        1-120 (the reason from :func:`careerconv.surfaces.report.content.parse_horizons`).
    """
    from ..report.content import parse_horizons

    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts or not all(p.isdigit() for p in parts):
        raise argparse.ArgumentTypeError(f"{text!r}: expected months separated by commas, e.g. 6,12,18")
    months = [int(p) for p in parts]
    twice = sorted({m for m in months if months.count(m) > 1})
    if twice:
        raise argparse.ArgumentTypeError(f"{text!r}: {', '.join(map(str, twice))} is given more than once; give each "
                                         "horizon once, e.g. 6,12,18")
    try:
        return parse_horizons(months)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
