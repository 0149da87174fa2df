"""The parsers of an import's cells that :mod:`careerconv.records.schema` does not have: text as
a person sees it, emails, skills, and a history's dates with the day/month order decided for the whole file."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Iterable

from . import defaults
from . import schema

DATE_ORDERS = defaults.DATE_ORDERS
EARLIEST_DATE = dt.date(1950, 1, 1)
_ORDER_LABEL = {"dmy": "DD/MM/YYYY", "mdy": "MM/DD/YYYY"}
# Text that names things - a roster's names, departments and roles, a history's skills - (see shown_text):
# characters never shown; zero-width joiners and spaces at an end; control characters other than tab, line feed
# and carriage return (kept, with a note: Excel cannot store them).
# Never shown, and nothing between letters: zero-width space, word joiner, byte-order mark; and the direction
# overrides, embeddings and isolates (U+202A-U+202E, U+2066-U+2069), which show the text around them in another
# order than it is read ("\u202eevil Desai" showed as "live Desai" on the report index).
_NEVER_SHOWN = re.compile("[\u200b\u2060\ufeff\u202a-\u202e\u2066-\u2069]")
# The spaces: Unicode category Zs (the space, the no-break space, the ideographic space ...), not tab or line breaks.
_SPACES = " \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
_UNSEEN_ENDS = re.compile(f"^[\u200c\u200d{_SPACES}]+|[\u200c\u200d{_SPACES}]+$")
CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")


def shown_text(value: Any, *, what: str, allow_missing: bool = True) -> str:
    """A text cell that names something (a roster's name, department or role, a history's skill) as a person
    sees it: without the characters that are never shown (zero-width spaces, word joiners, byte-order marks,
    direction overrides, embeddings and isolates),
    nor spaces (Unicode category Zs, such as the no-break space) and zero-width joiners at either end (between
    letters joiners shape Persian, Arabic and Indic script, so there they stay). Anything else is kept
    verbatim: tabs and line breaks too.

    Raises
    ------
    ValueError
        A text too long, or a required cell that is empty or holds only invisible characters.
    """
    text = _UNSEEN_ENDS.sub("", _NEVER_SHOWN.sub("", schema.parse_text(value, what=what,
                                                                       allow_missing=allow_missing)))
    if not text and not allow_missing:
        raise ValueError(f"{what} is required; the cell holds only characters a spreadsheet does not show")
    return text


def cleaned_note(columns: list[str], what: str) -> str:
    """The note on the cells :func:`shown_text` changed (``columns``: the column of each), counted per column;
    ``what`` names what such a character would make differ from what looks the same."""
    counts = ", ".join(f"{c} {columns.count(c)}" for c in dict.fromkeys(columns))
    return (f"cleaned {len(columns)} cell(s) ({counts}): removed zero-width spaces, word joiners, byte-order "
            "marks and direction overrides, and spaces (such as no-break spaces) and zero-width joiners at either "
            f"end - characters a spreadsheet does not show, which would make {what} that looks the same differ")


def parse_email(value: Any) -> str:
    text = schema.parse_text(value, what="email")
    hidden = schema.invisible_character(text)
    if hidden:
        raise ValueError(f"email contains an invisible character, {hidden}, which a spreadsheet does not show: "
                         "retype it")
    if text and not schema.EMAIL_SHAPE.match(text):
        raise ValueError("email must look like name@example.org (one @, no spaces)")
    return text


@dataclass(frozen=True)
class DateOrderDecision:
    """How ``DD/MM`` vs ``MM/DD`` dates of one file are read."""

    order: str | None
    explanation: str
    conflict: str | None = None


def _rows_text(rows: list[int]) -> str:
    shown = ", ".join(map(str, rows[:5]))
    return ("row " if len(rows) == 1 else "rows ") + shown + (f" and {len(rows) - 5} more" if len(rows) > 5 else "")


def decide_date_order(values: Iterable[tuple[int, Any]], date_order: str | None = None) -> DateOrderDecision:
    """Decide the day/month order for a whole file, never per row.

    Parameters
    ----------
    values
        ``(row number, raw date cell)`` of every row of the file.
    date_order
        ``"dmy"`` or ``"mdy"`` when the user stated the order.

    Returns
    -------
    DateOrderDecision
        ``order`` is the stated order, or the only order some date of the file
        allows; None when the file has no such dates or every one reads both
        ways. ``conflict`` is set when some dates read only as DD/MM and others
        only as MM/DD.

    Raises
    ------
    ValueError
        ``date_order`` other than dmy/mdy.
    """
    if date_order is not None:
        if date_order not in DATE_ORDERS:
            raise ValueError(f"date order must be one of: {', '.join(DATE_ORDERS)}, not {date_order!r}")
        return DateOrderDecision(date_order, f"dates like 03/04/2024 read as {_ORDER_LABEL[date_order]} "
                                             f"(--date-order {date_order})")
    only: dict[str, list[tuple[int, str]]] = {"dmy": [], "mdy": []}
    for row, value in values:
        orders = schema.slash_date_orders(value)
        if len(orders) == 1:
            only[next(iter(orders))].append((row, value))
    if only["dmy"] and only["mdy"]:
        conflict = (f"this file mixes {_ORDER_LABEL['dmy']} dates ({_rows_text([r for r, _ in only['dmy']])})"
                    f" and {_ORDER_LABEL['mdy']} dates ({_rows_text([r for r, _ in only['mdy']])}); a file "
                    "must use one order: write dates as YYYY-MM-DD, or pass --date-order dmy|mdy and fix the "
                    "rows that do not fit")
        return DateOrderDecision(None, "", conflict)
    for order in DATE_ORDERS:
        if only[order]:
            row, value = only[order][0]
            return DateOrderDecision(order, f"dates like 03/04/2024 read as {_ORDER_LABEL[order]}, the only way "
                                            f"row {row} ({value.strip()}) can be read")
    return DateOrderDecision(None, "")


def parse_history_date(value: Any, *, decision: DateOrderDecision) -> dt.date:
    if decision.conflict and schema.slash_date_orders(value):
        raise ValueError(decision.conflict)
    try:
        date = schema.parse_date(value, date_order=decision.order)
    except ValueError as exc:
        if "ambiguous" in str(exc):  # only an import can be told the order
            raise ValueError(f"{exc}, or state the order (--date-order dmy|mdy)") from None
        raise
    if date > dt.date.today():
        raise ValueError("is in the future; history rows record conversations that took place")
    if date < EARLIEST_DATE:
        raise ValueError(f"is before {EARLIEST_DATE.year}; check the year")
    return date


def parse_skill(value: Any) -> str:
    """A skill name as a person sees it (:func:`shown_text`), without whitespace at either end: a skill is a
    label that groups ratings over time, so ``Python`` and ``Python`` with a zero-width space are one skill."""
    return shown_text(value, allow_missing=False, what="skill").strip()
