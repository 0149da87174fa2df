"""The one schema module: every value read or written is checked here.

Three layers:

* **value parsers** (``parse_rating``, ``parse_identifier``, ``parse_date`` …)
  turn one raw cell into a typed value or raise :class:`ValueError` with a
  message that says what is allowed;
* **record validation** (``validate_conversation``, ``validate_checkin``)
  checks a whole conversation or check-in and reports *every* problem at once;
* **table schemas** (:data:`TABLES`) describe the tidy tables derived from the
  records and the roster; :func:`coerce_frame` gives a DataFrame exactly one
  table's columns and dtypes, and :func:`validate_roster_frame` checks a
  roster as imported, every row at once.

Accepted input, decided once here and documented in the README:

* ratings are whole numbers 1–10. A number, or text of digits; surrounding
  whitespace is trimmed (``" 7 "`` is 7), and a decimal point or comma followed
  by zeros only is a whole number written with decimals (``"7.0"``, and ``"7,0"``
  as German and French exports write it, are 7). Rejected: ``0``, ``11``,
  ``7.5``, ``"7,5"``, ``"ten"``, ``"1e1"``, NaN and, where required, empty. A
  numeric cell holding an integral float (Excel's 7.0) is accepted as 7.
* ids (employee, coach, conversation, check-in) become file names, so they are
  1–64 characters of letters, digits, ``.``, ``_`` and ``-``, starting with a
  letter or digit, not a reserved device name (CON, NUL, COM1 …), and not the
  name of a reports folder's own page (``index-<date>.…``, ``hr-analytics-<date>.…``). Ids are
  case-sensitive, but two ids that differ only in case are rejected because
  they would collide on case-insensitive file systems.
* dates are ISO ``YYYY-MM-DD`` (also ``YYYY/MM/DD`` and ISO date-times), real
  date cells from Excel, Excel serial day numbers in numeric cells, ``DD.MM.YYYY``,
  ``DD/MM/YYYY`` or ``MM/DD/YYYY``, also with the time a spreadsheet writes from
  a date-time cell (``31.12.2025 00:00``, ``12/31/2025 12:00 AM``), the month by its
  English name (``31-Dec-2025``, ``31 Dec 2025``, ``Dec 31, 2025``, ``31 December 2025``)
  and ``YYYYMMDD`` (``20251231``, as SAP writes it). A date with dots is always
  day first. Dates with slashes or dashes and the day and
  month in an ambiguous order (``03/04/2024``) are rejected unless the caller
  states the order (``date_order="dmy"`` or ``"mdy"``). A text of five digits
  (``"45657"``, in a CSV file) is refused: it is an Excel serial day number that
  lost its date format, or a typo, and a date in text is written as one.
* free text is kept as written (formulas, HTML, emoji, line breaks inside it);
  what a person types into a conversation or a check-in loses the whitespace
  at either end, and text of only whitespace is empty (:func:`parse_typed_text`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import defaults
from .table_names import TABLE_NAMES

SCHEMA_VERSION = 1
RATING_MIN, RATING_MAX = 1, 10
HORIZONS = defaults.HORIZONS
CADENCES = (6, 12)
STATUSES = ("draft", "completed")
# What the store stamps on every save: the revision the compare-and-swap checks, and who saved it when.
SAVE_STAMP = ("revision", "saved_at", "saved_by")
ITEM_STATUSES = ("open", "in_progress", "done", "dropped")
FOLLOW_UP_MODES = ("one-on-one", "dedicated check-in", "email", "other")
# How the check-ins happen, in words ("every 4 weeks, in one-on-ones"); a sentence that cannot say "another way"
# leaves "other" out.
FOLLOW_UP_WORDS = {"one-on-one": "in one-on-ones", "dedicated check-in": "in dedicated check-ins", "email": "by email",
                   "other": "another way"}
MIN_DREAMS, MAX_DREAMS = 3, 5
MIN_OPTIONS = 3
MAX_TEXT = 100_000
# pandas' default text type ("str"): what a DataFrame makes of a column of Python strings.
TEXT_DTYPE = pd.StringDtype("pyarrow", na_value=np.nan)

# The names of the columns that the tables share with each other and with the records (the keys that join
# them, the dates, the ratings): defined here once, read by name everywhere else.
EMPLOYEE_ID = "employee_id"
COACH_ID = "coach_id"
CONVERSATION_ID = "conversation_id"
CHECKIN_ID = "checkin_id"
RECORD_ID = "record_id"
ITEM_ID = "item_id"
# The columns that hold ids (text that must stay as it is: "00123" is not 123).
ID_COLUMNS = (EMPLOYEE_ID, COACH_ID, CONVERSATION_ID, CHECKIN_ID, RECORD_ID, ITEM_ID)
SKILL = "skill"
DEPARTMENT = "department"
DATE = "date"
STATUS = "status"
SELF_RATING = "self_rating"
COACH_RATING = "coach_rating"
HORIZON_MONTHS = "horizon_months"
CADENCE_MONTHS = "cadence_months"
# The day someone left the organisation (empty: still here); careerconv.records.leavers says who is here on a day.
LEFT_ON = "left_on"
# The day someone starts (empty: started long ago): a future starter is not here before it (careerconv.records.leavers).
STARTED_ON = "started_on"
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CLOCK$"} | {f"COM{i}" for i in range(10)} | {
    f"LPT{i}" for i in range(10)
}
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# A reports folder holds one folder per employee, named by their id, beside its own pages: index-<date>.html,
# index-<date>.shard-I-of-N.json and .html (careerconv.surfaces.report) and hr-analytics-<date>.html (hr-report);
# its hidden files (.making/, .careerconv-*) begin with '.', which no id does. An id named as one of these pages
# took its place: that person's folder was made where the index goes, and no index of the day could be written
# again. So an id may not be one of those names, a date and a dot after the prefix, compared ignoring case (as a
# case-insensitive file system does); an id only beginning alike (Index-0002, HR-Analytics-Team, index-card-review)
# names no page and is taken (found by a hostile test: refusing every id beginning index- locked an organisation
# with one such id out of every command, its erasure too).
REPORTS_FOLDER_PAGE = re.compile(r"(?i)^(index|hr-analytics)-\d{4}-\d{2}-\d{2}\.")
# What an e-mail address looks like to an import: one @, a dot after it, no spaces.
EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_ID = 64
# a record id is an employee id plus a date and a counter ("E1-ci-20250314-2")
MAX_RECORD_ID = 96
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# Excel serials from 1950-01-01 to 2099-12-31: a wider range is more likely a
# typo (a rating in the date column) than a date anyone meant.
_EXCEL_SERIAL_RANGE = (18264, 73050)


# --------------------------------------------------------------------------
# problems and the error that carries them


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can."""

    source: str
    message: str
    row: int | None = None
    column: str | None = None
    value: Any = None

    def __str__(self) -> str:
        where = [self.source]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        text = ", ".join(where)
        if self.value is not None:
            shown = _shown_value(self.value)
            if len(shown) > 60:
                shown = shown[:57] + "...'"
            text += f", value {shown}"
        return f"{text}: {self.message}"


def _shown_value(value: Any) -> str:
    """A cell's value as a person reads it in a message: text quoted, a number as it is, a day or a time (a
    workbook's cell) as ISO 8601 (found: a time cell shown as ``datetime.time(12, 0)``)."""
    if isinstance(value, (dt.datetime, dt.date, dt.time)):  # pandas' Timestamp is a datetime
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


class ValidationError(ValueError):
    """Input was rejected; ``problems`` lists every reason at once."""

    def __init__(self, problems: Iterable[Problem], summary: str | None = None):
        self.problems = list(problems)
        head = summary or f"{len(self.problems)} problem(s) found; nothing was written"
        shown = "\n".join(f"  - {p}" for p in self.problems[:50])
        more = len(self.problems) - 50
        if more > 0:
            shown += f"\n  ... and {more} more"
        super().__init__(f"{head}:\n{shown}")


class Collector:
    """Collects problems while checking, so one error lists them all."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[Problem] = []

    def add(self, message: str, row: int | None = None, column: str | None = None, value: Any = None):
        self.problems.append(Problem(self.source, message, row, column, value))

    def check(self, parser, value, *, row=None, column=None, **kwargs):
        """Run ``parser(value)``; record its ValueError and return None."""
        try:
            return parser(value, **kwargs)
        except ValueError as exc:
            self.add(str(exc), row=row, column=column, value=value)
            return None

    def raise_if_any(self, summary: str | None = None) -> None:
        if self.problems:
            raise ValidationError(self.problems, summary)


# --------------------------------------------------------------------------
# value parsers


def is_missing(value: Any) -> bool:
    """True for None, NaN/NaT/NA and strings that are empty after trimming."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


# A rating as text: digits, and a decimal point or comma with one or two digits after it ("7", "7.0", "7,0").
_RATING_TEXT_RE = re.compile(r"^([0-9]+)(?:[.,]([0-9]{1,2}))?$")


def parse_rating(value: Any, *, allow_missing: bool = False) -> int | None:
    """Parse a 1–10 skill rating.

    Raises
    ------
    ValueError
        For anything but a whole number from 1 to 10 (see module docstring).
    """
    allowed = f"a whole number from {RATING_MIN} to {RATING_MAX}"
    if is_missing(value):
        if allow_missing:
            return None
        raise ValueError(f"rating is missing; expected {allowed}")
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"rating must be {allowed}, not a yes/no value")
    if isinstance(value, str):
        text = value.strip()
        m = _RATING_TEXT_RE.match(text)
        if not m and text[:-1].isdigit() and text[-1:] in ".,":
            mark = "point" if text.endswith(".") else "comma"
            raise ValueError(f"rating must be {allowed}, and {text} ends with a decimal {mark} and no digit after "
                             f"it: write {text[:-1]} (or {text}0)")
        if not m:
            raise ValueError(f"rating must be {allowed} (digits, as in 7, 7.0 or 7,0)")
        if (m.group(2) or "0").strip("0"):
            raise ValueError(f"rating must be {allowed}, and {text} has a fraction: ratings are whole numbers "
                             "(7, 7.0 or 7,0)")
        number = int(m.group(1))
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) or hasattr(value, "is_integer"):
        number_f = float(value)
        if math.isnan(number_f) or not number_f.is_integer():
            fraction = "" if math.isnan(number_f) or math.isinf(number_f) else \
                f", and {number_f:g} has a fraction: ratings are whole numbers"
            raise ValueError(f"rating must be {allowed}{fraction}")
        number = int(number_f)
    else:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ValueError(f"rating must be {allowed}") from None
        if number != value:
            raise ValueError(f"rating must be {allowed}")
    if not RATING_MIN <= number <= RATING_MAX:
        raise ValueError(f"rating {number} is out of range; expected {allowed}")
    return number


def parse_identifier(value: Any, *, what: str = "id", max_length: int = MAX_ID) -> str:
    """Check an id that may become a file name and return it.

    Whitespace around the id is an error, not silently trimmed: ``" E1"`` and
    ``"E1"`` would otherwise be two people in one spreadsheet and one on disk.
    """
    if is_missing(value):
        raise ValueError(f"{what} is empty")
    if not isinstance(value, str):
        if isinstance(value, float) and value.is_integer():
            value = str(int(value))
        else:
            value = str(value)
    if value != value.strip():
        raise ValueError(f"{what} has leading or trailing whitespace")
    if not _ID_RE.match(value) or len(value) > max_length:
        allowed = (f"may only use letters, digits, '.', '_' and '-', start with a letter or digit, and be at "
                   f"most {max_length} characters")
        hidden = invisible_character(value)
        if hidden:
            raise ValueError(f"{what} contains an invisible character, {hidden}, which a spreadsheet does not "
                             f"show: retype it (an id {allowed})")
        raise ValueError(f"{what} {allowed}")
    if value.split(".")[0].upper() in _RESERVED:
        raise ValueError(f"{what} {value!r} is a reserved device name on Windows")
    if REPORTS_FOLDER_PAGE.match(value):
        raise ValueError(f"{what} {value!r} is reserved: a reports folder names its own pages "
                         "index-<date>.html, index-<date>.shard-I-of-N.json/.html and hr-analytics-<date>.html, "
                         "beside one folder per employee id; an id may not be index-<date>.<anything> or "
                         "hr-analytics-<date>.<anything> (in any case)")
    if value.endswith("."):
        raise ValueError(f"{what} may not end with '.'")
    return value


def is_identifier(value: Any) -> bool:
    """Whether ``value`` is an id :func:`parse_identifier` accepts as it is."""
    try:
        parse_identifier(value)
    except ValueError:
        return False
    return True


def invisible_character(text: str) -> str | None:
    """The first character of ``text`` a reader cannot see, said for a person: ``"U+200B (ZERO WIDTH SPACE) at
    position 3"``; None when there is none.

    Invisible are control characters other than tab, line feed and carriage return, and format characters
    (zero-width spaces and joiners, the word joiner, a byte-order mark inside text, direction marks).
    """
    for position, char in enumerate(text, start=1):
        if unicodedata.category(char) in ("Cc", "Cf") and char not in "\t\n\r":
            return f"U+{ord(char):04X} ({unicodedata.name(char, 'a control character')}) at position {position}"
    return None


def parse_coach_id(value: Any, *, what: str = "coach id") -> str:
    """A coach id, or ``""`` for nobody: the top of the organisation, or external coaching not named.

    A coach need not be on the roster (an external coach, a coach who is not an
    employee); when one is given it is checked like any other id
    (:func:`parse_identifier`).
    """
    if is_missing(value):
        return ""
    return parse_identifier(value, what=what)


def parse_text(value: Any, *, allow_missing: bool = True, what: str = "text") -> str:
    """Free text, kept verbatim (no trimming, no escaping: that is the renderer's job); what a person types into a
    conversation or a check-in goes through :func:`parse_typed_text`."""
    if is_missing(value):
        if allow_missing:
            return ""
        raise ValueError(f"{what} is required")
    if not isinstance(value, str):
        value = str(value)
    if len(value) > MAX_TEXT:
        raise ValueError(f"{what} is {len(value)} characters long; at most {MAX_TEXT} are allowed")
    if "\x00" in value:
        raise ValueError(f"{what} contains a NUL character")
    return value


def parse_typed_text(value: Any, *, allow_missing: bool = True, what: str = "text") -> str:
    """Text a person typed into a conversation or a check-in (an answer, a dream, a skill, an option, an action
    item, a note): as typed, less the whitespace at either end (spaces, tabs, line breaks), which nobody sees
    in what is shown and which made ``"  Lead a team  "`` a different dream from ``"Lead a team"``. Text of
    nothing but whitespace is empty (``""``), as empty text is. Text with no whitespace at an end is kept as it
    is, character for character.

    Raises
    ------
    ValueError
        As :func:`parse_text`: text too long, a NUL character, or empty where it is required.
    """
    return parse_text(value, allow_missing=allow_missing, what=what).strip()


_ISO_RE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ](.*))?$")
# The time of an ISO date-time: hh[:mm[:ss[.fff]]], then Z or an offset; the ranges are checked by datetime.
_ISO_TIME_RE = re.compile(r"^\d{2}(?::?\d{2}(?::?\d{2}(?:[.,]\d+)?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$")
# DD/MM/YYYY or MM/DD/YYYY, and the time a spreadsheet writes after it from a date-time cell ("31.12.2025 00:00",
# "12/31/2025 12:00:00 AM"), which a date leaves out.
_DMY_RE = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?:[ T]+(.*))?$")
# A day and month with a two-digit year (31.12.25): which century, and which order, is a guess.
_SHORT_YEAR_RE = re.compile(r"^\d{1,2}[./-]\d{1,2}[./-]\d{2}(?:[ T].*)?$")
_CLOCK_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp][Mm]))?$")
# The month by its English name, as HR systems and Excel's date formats write it: the day first (31-Dec-2025,
# 31 Dec 2025, 31. December 2025) or the month first (Dec 31, 2025), then maybe a time (31-Dec-2025 00:00).
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")
_MONTH_NUMBERS = {name.casefold(): n for n, name in enumerate(MONTH_NAMES, 1)} | {
    name[:3].casefold(): n for n, name in enumerate(MONTH_NAMES, 1)} | {"sept": 9}
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_MONTH = r"(?P<month>[^\W\d_]+)\.?"  # any letters: a month named in another language is told so
_YEAR_AND_TIME = r",?[\s./-]+(?P<year>\d{2}|\d{4})(?:[ T]+(?P<time>.*))?$"
_DAY_NAMED_MONTH_RE = re.compile(rf"^{_DAY}[\s./-]*{_MONTH}{_YEAR_AND_TIME}")
_NAMED_MONTH_DAY_RE = re.compile(rf"^{_MONTH}[\s./-]*{_DAY}{_YEAR_AND_TIME}")
# The forms parse_date reads besides YYYY-MM-DD, for the message of a date it refuses.
OTHER_DATE_FORMS = "DD.MM.YYYY, DD/MM/YYYY, MM/DD/YYYY, 31-Dec-2025, 31 Dec 2025, 'Dec 31, 2025' or YYYYMMDD"
_DATE_FORMS = f"expected YYYY-MM-DD (also {OTHER_DATE_FORMS})"


def slash_date_orders(value: Any) -> set[str]:
    """Which day/month orders could read ``value`` (``{"dmy", "mdy"}``, one, or none): a date with slashes or dashes
    (a dotted one is always day first: :func:`_dotted`, and says nothing of the order of the others)."""
    if not isinstance(value, str):
        return set()
    m = _DMY_RE.match(value.strip())
    if not m or _dotted(m):
        return set()
    a, b, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    orders = set()
    for order, (day, month) in (("dmy", (a, b)), ("mdy", (b, a))):
        try:
            dt.date(year, month, day)
            orders.add(order)
        except ValueError:
            pass
    return orders


def _dotted(m: re.Match) -> bool:
    """Whether a match of :data:`_DMY_RE` is written with dots (``31.12.2025``): the day comes first in every
    country that writes dates so (found: ``31.12.2024`` decided how a file's ``03/04/2024`` was read, and
    ``03.04.2025`` needed ``--date-order``)."""
    return m.string[m.end(1)] == "." and m.string[m.end(2)] == "."


def _is_clock_time(text: str) -> bool:
    """True when ``text`` is a time as spreadsheets write it: ``0:00``, ``23:59:59``, ``12:00 AM``."""
    m = _CLOCK_RE.match(text)
    if not m:
        return False
    hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    hours = range(1, 13) if m.group(4) else range(24)
    return hour in hours and minute < 60 and second < 60


def _is_iso_time(text: str) -> bool:
    """True when ``text`` is the time of an ISO date-time (``14:30``, ``14:30:05.5+02:00``, ``1430Z``)."""
    if not _ISO_TIME_RE.match(text):
        return False
    try:
        dt.time.fromisoformat(text)
    except ValueError:
        return False
    return True


def parse_date(value: Any, *, date_order: str | None = None, allow_missing: bool = False) -> dt.date | None:
    """Parse a date deliberately; never guess the day/month order.

    Parameters
    ----------
    value
        ISO text, a date/datetime/Timestamp, or an Excel serial day number.
    date_order
        ``"dmy"`` or ``"mdy"`` to read ``DD/MM/YYYY``-style dates; without it
        such dates are accepted only when just one order gives a real date.

    Raises
    ------
    ValueError
        Unreadable, impossible or ambiguous dates.
    """
    if is_missing(value):
        if allow_missing:
            return None
        raise ValueError("date is missing; expected YYYY-MM-DD")
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"date must be a date; {_DATE_FORMS}")
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        if number.is_integer() and 10_000_000 <= number <= 99_999_999:  # a numeric cell holding 20251231
            return _compact_date(str(int(number)))
        if not number.is_integer() or not _EXCEL_SERIAL_RANGE[0] <= number <= _EXCEL_SERIAL_RANGE[1]:
            raise ValueError(f"number is not a plausible Excel date serial (1950–2099); {_DATE_FORMS}")
        return _EXCEL_EPOCH + dt.timedelta(days=int(number))
    if not isinstance(value, str):
        raise ValueError(f"date must be a date; {_DATE_FORMS}")
    text = value.strip()
    if text.isascii() and text.isdigit():
        if len(text) == 8:
            return _compact_date(text)
        raise ValueError(_digits_problem(text))
    m = _ISO_RE.match(text)
    if m:
        try:
            day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            raise ValueError(f"is not a real calendar date; {_DATE_FORMS}") from None
        if m.group(4) is not None and not _is_iso_time(m.group(4)):
            # The date part alone would read, but "T99:99" means the cell is not what it claims to be.
            raise ValueError(f"{text!r} has a time part ({m.group(4)!r}) that is not a real time; "
                             "expected YYYY-MM-DD or an ISO date-time like 2024-01-05T14:30")
        return day
    m = _DMY_RE.match(text)
    if m:
        if m.group(4) is not None and not _is_clock_time(m.group(4)):
            raise ValueError(f"{text!r} has a time part ({m.group(4)!r}) that is not a real time; expected "
                             "YYYY-MM-DD, or a date like 31.12.2025 with a time like 14:30 or 2:30 PM")
        if _dotted(m):  # 03.04.2025 is the 3rd of April wherever dates are written with dots
            try:
                return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            except ValueError:
                raise ValueError(f"is not a real calendar date when read as DD.MM.YYYY; {_DATE_FORMS}") from None
        orders = slash_date_orders(text)
        if date_order is not None:
            if date_order not in ("dmy", "mdy"):
                raise ValueError("date_order must be 'dmy' or 'mdy'")
            if date_order not in orders:
                raise ValueError(f"is not a real calendar date when read as {date_order.upper()}; {_DATE_FORMS}")
            chosen = date_order
        elif len(orders) == 1:
            chosen = next(iter(orders))
        elif m.group(1).lstrip("0") == m.group(2).lstrip("0"):  # 03.03.2026: the same day read either way
            chosen = "dmy"
        elif not orders:
            raise ValueError(f"is not a real calendar date; {_DATE_FORMS}")
        else:
            raise ValueError(
                "day and month order is ambiguous (could be DD/MM or MM/DD); write the date as YYYY-MM-DD"
            )
        a, b, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        day, month = (a, b) if chosen == "dmy" else (b, a)
        return dt.date(year, month, day)
    m = _DAY_NAMED_MONTH_RE.match(text) or _NAMED_MONTH_DAY_RE.match(text)
    if m:
        return _named_month_date(text, m)
    if _SHORT_YEAR_RE.match(text):
        raise ValueError(f"has a two-digit year; write the year in full (31.12.2025); {_DATE_FORMS}")
    raise ValueError(f"is not a date; {_DATE_FORMS}")


def _compact_date(digits: str) -> dt.date:
    """``20251231`` (eight digits, as SAP and other systems write a day) as the day it is."""
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise ValueError(f"is not a real calendar date when read as YYYYMMDD; {_DATE_FORMS}") from None


def _digits_problem(digits: str) -> str:
    """Why a text of digits that is not YYYYMMDD is refused: five digits are how Excel counts days, which a
    spreadsheet writes into a CSV file when the column lost its date format (or a typo); which day was meant is
    not taken on trust from a text."""
    if len(digits) == 5 and _EXCEL_SERIAL_RANGE[0] <= int(digits) <= _EXCEL_SERIAL_RANGE[1]:
        day = _EXCEL_EPOCH + dt.timedelta(days=int(digits))
        return (f"is a number, not a date: it looks like Excel's count of days ({digits} is {day.isoformat()} in "
                "it), which a spreadsheet writes into a CSV file, or into a cell kept as text, when the column is "
                "not formatted as dates; format the column as dates and save the file again, or write the date as "
                f"{day.isoformat()}; "
                f"{_DATE_FORMS}")
    return f"is a number, not a date; {_DATE_FORMS}"


def _named_month_date(text: str, m: re.Match) -> dt.date:
    """The day a match of :data:`_DAY_NAMED_MONTH_RE` or :data:`_NAMED_MONTH_DAY_RE` names."""
    month = _MONTH_NUMBERS.get(m.group("month").casefold())
    if month is None:
        raise ValueError(f"{m.group('month')!r} is not a month; {_DATE_FORMS}, months named in English")
    if m.group("time") is not None and not _is_clock_time(m.group("time")):
        raise ValueError(f"{text!r} has a time part ({m.group('time')!r}) that is not a real time; {_DATE_FORMS}")
    if len(m.group("year")) == 2:
        raise ValueError(f"has a two-digit year; write the year in full (31-Dec-2025); {_DATE_FORMS}")
    try:
        return dt.date(int(m.group("year")), month, int(m.group("day")))
    except ValueError:
        raise ValueError(f"is not a real calendar date; {_DATE_FORMS}") from None


def parse_cadence(value: Any, *, allow_missing: bool = False) -> int | None:
    """Months between career conversations: 6 or 12 (text, int, or Excel's 12.0)."""
    allowed = "cadence must be 6 or 12 (months)"
    if is_missing(value):
        if allow_missing:
            return None
        raise ValueError("cadence is missing; expected 6 or 12 (months)")
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(allowed)
    if isinstance(value, str):
        text = value.strip()
        if not text.isdigit() or not text.isascii():
            raise ValueError(allowed)
        number = int(text)
    elif isinstance(value, int):
        number = value
    else:
        try:
            as_float = float(value)
        except (TypeError, ValueError):
            raise ValueError(allowed) from None
        if math.isnan(as_float) or not as_float.is_integer():
            raise ValueError(allowed)
        number = int(as_float)
    if number not in CADENCES:
        raise ValueError(allowed)
    return number


def parse_choice(value: Any, *, choices: Iterable[str], what: str = "value", allow_missing: bool = False):
    choices = tuple(choices)
    if is_missing(value):
        if allow_missing:
            return None
        raise ValueError(f"{what} is missing; allowed: {', '.join(choices)}")
    if value not in choices:
        raise ValueError(f"{what} must be one of: {', '.join(map(str, choices))}")
    return value


def iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


# --------------------------------------------------------------------------
# records: a conversation and a check-in, as stored one file each

# The two kinds of record, the key of each one's id, and each kind in the words a person reads.
RECORD_ID_KEYS = {"conversation": CONVERSATION_ID, "checkin": CHECKIN_ID}
KIND_WORDS = {"conversation": "conversation", "checkin": "check-in"}


def record_kind(record: Mapping[str, Any]) -> str:
    """What a record is: ``"checkin"`` (it says so, or it has a check-in id) or ``"conversation"``."""
    return "checkin" if record.get("kind") == "checkin" or CHECKIN_ID in record else "conversation"



def new_conversation(employee_id: str, coach_id: str, date: dt.date, question_set: str,
                     question_set_version: str, conversation_id: str | None = None) -> dict:
    """An empty draft conversation record with every field present."""
    conversation_id = conversation_id or f"{employee_id}-{date.strftime('%Y%m%d')}"
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "conversation",
        CONVERSATION_ID: conversation_id,
        EMPLOYEE_ID: employee_id,
        COACH_ID: coach_id,
        DATE: date.isoformat(),
        "question_set": question_set,
        "question_set_version": str(question_set_version),
        STATUS: "draft",
        "source": "app",
        "completed_at": None,
        "sections": {},
        "answers": {},
        "dreams": [],
        "skills": [],
        "action_items": [],
        "follow_up": {"mode": None, "every_weeks": None, "note": ""},
        CADENCE_MONTHS: None,
        "next_due": None,
    }


def new_skill(name: str) -> dict:
    return {
        SKILL: name,
        SELF_RATING: None,
        COACH_RATING: None,
        "ten_looks_like": "",
        "options": [],
        "approach": "",
        "targets": {str(h): None for h in HORIZONS},
        "dream_rank": None,
    }


def _check_keys(c: Collector, record: dict, required: Iterable[str], where: str):
    for key in required:
        if key not in record:
            c.add(f"required field {key!r} is missing", column=f"{where}{key}")


def _check_save_stamp(c: Collector, r: dict) -> None:
    """Normalise the store's stamp in place: a record written before revisions existed is revision 0."""
    rev = r.get("revision")
    if rev is None:
        r["revision"] = 0
    elif isinstance(rev, bool) or not isinstance(rev, int) or rev < 0:
        c.add("revision must be a whole number from 0 up (the store sets it)", column="revision", value=rev)
    for key in ("saved_at", "saved_by"):
        value = r.get(key)
        if value is not None and not isinstance(value, str):
            c.add(f"{key} must be text (the store sets it)", column=key, value=value)
        r[key] = value


def _checked_coach(c: Collector, value: Any) -> Any:
    """A record's coach id, ``""`` when it has none (the problem is collected; the value kept as it was)."""
    parsed = c.check(parse_coach_id, value, column=COACH_ID)
    return value if parsed is None else parsed


def record_content(record: dict) -> dict:
    """A record without the store's save stamp: what a person wrote, for comparing two versions."""
    return {k: v for k, v in record.items() if k not in SAVE_STAMP}


def as_new_record(record: Mapping[str, Any], kind: str | None = None) -> dict:
    """What creating ``record`` (a ``kind`` record, else as :func:`record_kind` reads it) afresh saves: its content
    without the save stamp nor its id, which the store gives (a file name chosen by a client could name another
    person, whose erasure would then find it)."""
    kind = kind or record_kind(record)
    return {**{k: v for k, v in record.items() if k not in SAVE_STAMP and k != RECORD_ID_KEYS[kind]}, "kind": kind}


def validate_conversation(record: Any, source: str = "conversation") -> dict:
    """Check a conversation record; return it normalised (ratings as int, dates ISO).

    A draft may be incomplete; a completed conversation must hold what the method
    asks for (see :func:`missing_for_completion`).

    Raises
    ------
    ValidationError
        Listing every problem, each with the field path as its column.
    """
    c = Collector(source)
    if not isinstance(record, dict):
        c.add("a conversation record must be a JSON object")
        c.raise_if_any()
    r = dict(record)
    _check_keys(c, r, (CONVERSATION_ID, EMPLOYEE_ID, COACH_ID, DATE, "question_set",
                       "question_set_version", STATUS), "")
    c.raise_if_any()
    r["schema_version"] = SCHEMA_VERSION
    r["kind"] = "conversation"
    _check_save_stamp(c, r)
    c.check(parse_identifier, r[CONVERSATION_ID], column=CONVERSATION_ID, what="conversation id",
            max_length=MAX_RECORD_ID)
    c.check(parse_identifier, r[EMPLOYEE_ID], column=EMPLOYEE_ID, what="employee id")
    r[COACH_ID] = _checked_coach(c, r[COACH_ID])
    d = c.check(parse_date, r[DATE], column=DATE)
    r[DATE] = iso(d) if d else r[DATE]
    c.check(parse_choice, r[STATUS], column=STATUS, choices=STATUSES, what="status")
    r["question_set"] = str(r["question_set"])
    r["question_set_version"] = str(r["question_set_version"])
    r.setdefault("source", "app")
    r.setdefault("completed_at", None)
    for key, default in (("sections", {}), ("answers", {}), ("dreams", []), ("skills", []),
                         ("action_items", [])):
        r[key] = r.get(key) if r.get(key) is not None else default
    if not isinstance(r["answers"], dict):
        c.add("answers must be an object of question id -> answer", column="answers")
    else:
        answers = {}
        for qid, ans in r["answers"].items():
            if isinstance(ans, str):
                ans = c.check(parse_typed_text, ans, column=f"answers.{qid}", what="answer")
            elif isinstance(ans, list):
                ans = [c.check(parse_typed_text, a, column=f"answers.{qid}[{i}]", what="answer")
                       for i, a in enumerate(ans)]
            elif ans is not None and not isinstance(ans, (int, float)):
                c.add("answer must be text, a list of texts or a number", column=f"answers.{qid}")
            answers[qid] = ans
        r["answers"] = answers
    if not isinstance(r["sections"], dict):
        c.add("sections must be an object of section id -> timing", column="sections")
    dreams = []
    for i, dream in enumerate(r["dreams"] if isinstance(r["dreams"], list) else []):
        path = f"dreams[{i}]"
        if not isinstance(dream, dict):
            c.add("a dream must be an object with rank and text", column=path)
            continue
        rank = dream.get("rank", i + 1)
        if not isinstance(rank, int) or isinstance(rank, bool) or rank < 1:
            c.add("rank must be a whole number from 1", column=f"{path}.rank", value=rank)
        text = c.check(parse_typed_text, dream.get("text"), column=f"{path}.text", what="dream")
        dreams.append({"rank": rank, "text": text})
    if len(dreams) > MAX_DREAMS:
        c.add(f"at most {MAX_DREAMS} dreams are allowed, found {len(dreams)}", column="dreams")
    r["dreams"] = dreams
    skills = []
    seen_skills: set[str] = set()
    for i, skill in enumerate(r["skills"] if isinstance(r["skills"], list) else []):
        path = f"skills[{i}]"
        if not isinstance(skill, dict):
            c.add("a skill must be an object", column=path)
            continue
        s = {**new_skill(""), **skill}
        name = c.check(parse_typed_text, s.get(SKILL), column=f"{path}.skill", what="skill name", allow_missing=False)
        if name is not None:
            s[SKILL] = name
            key = skill_key(name)
            if key in seen_skills:
                c.add("the same skill appears twice in one conversation", column=f"{path}.skill", value=name)
            seen_skills.add(key)
        s[SELF_RATING] = c.check(parse_rating, s[SELF_RATING], column=f"{path}.self_rating", allow_missing=True)
        s[COACH_RATING] = c.check(parse_rating, s[COACH_RATING], column=f"{path}.coach_rating", allow_missing=True)
        s["ten_looks_like"] = c.check(parse_typed_text, s["ten_looks_like"], column=f"{path}.ten_looks_like") or ""
        s["approach"] = c.check(parse_typed_text, s["approach"], column=f"{path}.approach") or ""
        targets = s.get("targets") or {}
        if not isinstance(targets, dict):
            c.add("targets must map 6/12/18 months to a rating", column=f"{path}.targets")
            targets = {}
        clean_targets = {}
        for h in HORIZONS:
            clean_targets[str(h)] = c.check(parse_rating, targets.get(str(h), targets.get(h)),
                                            column=f"{path}.targets.{h}", allow_missing=True)
        extra = {str(k) for k in targets} - {str(h) for h in HORIZONS}
        if extra:
            c.add(f"targets are set only for {', '.join(map(str, HORIZONS))} months", column=f"{path}.targets",
                  value=sorted(extra))
        s["targets"] = clean_targets
        options = []
        chosen = 0
        for j, opt in enumerate(s.get("options") or []):
            opath = f"{path}.options[{j}]"
            if not isinstance(opt, dict):
                c.add("an option must be an object with text, pros, cons and chosen", column=opath)
                continue
            o = {
                "text": c.check(parse_typed_text, opt.get("text"), column=f"{opath}.text", what="option"),
                "pros": c.check(parse_typed_text, opt.get("pros"), column=f"{opath}.pros") or "",
                "cons": c.check(parse_typed_text, opt.get("cons"), column=f"{opath}.cons") or "",
                "chosen": bool(opt.get("chosen", False)),
            }
            chosen += o["chosen"]
            options.append(o)
        if chosen > 1:
            c.add("only one option can be the chosen approach", column=f"{path}.options")
        s["options"] = options
        dr = s.get("dream_rank")
        if dr is not None and (not isinstance(dr, int) or isinstance(dr, bool) or dr < 1):
            c.add("dream_rank must be the rank of one of the dreams", column=f"{path}.dream_rank", value=dr)
        skills.append(s)
    r["skills"] = skills
    items = []
    seen_items: set[str] = set()
    for i, item in enumerate(r["action_items"] if isinstance(r["action_items"], list) else []):
        path = f"action_items[{i}]"
        if not isinstance(item, dict):
            c.add("an action item must be an object", column=path)
            continue
        it = dict(item)
        it[ITEM_ID] = c.check(parse_identifier, it.get(ITEM_ID) or f"a{i + 1}", column=f"{path}.item_id",
                              what="item id")
        if it[ITEM_ID] in seen_items:
            c.add("two action items share an id", column=f"{path}.item_id", value=it[ITEM_ID])
        seen_items.add(it[ITEM_ID])
        it["text"] = c.check(parse_typed_text, it.get("text"), column=f"{path}.text", what="action item")
        due = c.check(parse_date, it.get("due"), column=f"{path}.due", allow_missing=True)
        it["due"] = iso(due)
        it["owner"] = c.check(parse_typed_text, it.get("owner"), column=f"{path}.owner") or ""
        it[SKILL] = c.check(parse_typed_text, it.get(SKILL), column=f"{path}.skill") or ""
        items.append(it)
    r["action_items"] = items
    fu = r.get("follow_up") or {}
    if not isinstance(fu, dict):
        c.add("follow_up must be an object with mode and every_weeks", column="follow_up")
        fu = {}
    every = fu.get("every_weeks")
    if every is not None and (not isinstance(every, int) or isinstance(every, bool) or not 1 <= every <= 26):
        c.add("follow-up interval must be a whole number of weeks from 1 to 26", column="follow_up.every_weeks",
              value=every)
    r["follow_up"] = {
        "mode": c.check(parse_choice, fu.get("mode"), column="follow_up.mode", choices=FOLLOW_UP_MODES,
                        what="follow-up mode", allow_missing=True),
        "every_weeks": every,
        "note": c.check(parse_typed_text, fu.get("note"), column="follow_up.note") or "",
    }
    r[CADENCE_MONTHS] = c.check(parse_cadence, r.get(CADENCE_MONTHS), column=CADENCE_MONTHS, allow_missing=True)
    nd = c.check(parse_date, r.get("next_due"), column="next_due", allow_missing=True)
    r["next_due"] = iso(nd)
    c.raise_if_any(f"{source}: the conversation record is not valid")
    if r[STATUS] == "completed":
        missing = missing_for_completion(r)
        if missing:
            raise ValidationError([Problem(source, m) for m in missing],
                                  f"{source}: a completed conversation must be whole")
    return r


def target_below_rating(target: Any, rating: Any) -> bool:
    """True when a skill's target is lower than its rating today (both whole numbers).

    The method's targets are what the employee can realistically reach to raise the skill, so a target is at
    least today's rating; the rating itself is a target too (holding a skill that matters at its level).
    """
    return isinstance(target, int) and isinstance(rating, int) and target < rating


def missing_for_completion(record: dict, *, completing: bool = False) -> list[str]:
    """What the method asks for that a conversation does not hold yet (empty if complete).

    Imported history records (``source`` starting with ``import``) only carry
    ratings and targets, so they are held to that.

    Parameters
    ----------
    record
        A conversation record (as stored, or as the app's editors hold it).
    completing
        Also apply the rules for completing a conversation now, which conversations completed before the rules
        existed may break and still be read (so :func:`validate_conversation` leaves them out): a target below
        the skill's rating today (:func:`target_below_rating`).

    Returns
    -------
    list of str
        One sentence per thing missing or wrong, in the order of the form.
    """
    missing: list[str] = []
    if str(record.get("source", "")).startswith("import"):
        return missing
    dreams = [d for d in record.get("dreams", []) if (d.get("text") or "").strip()]
    if len(dreams) < MIN_DREAMS:
        missing.append(f"Goals: list at least {MIN_DREAMS} dreams ({len(dreams)} so far)")
    skills = record.get("skills", [])
    if not skills:
        missing.append("Action plan: add at least one skill")
    for s in skills:
        name = s.get(SKILL) or "(unnamed skill)"
        if s.get(SELF_RATING) is None:
            missing.append(f"Action plan: rate {name!r} from 1 to 10")
        if not (s.get("ten_looks_like") or "").strip():
            missing.append(f"Action plan: describe what a 10 looks like for {name!r}")
        opts = [o for o in s.get("options", []) if (o.get("text") or "").strip()]
        if len(opts) < MIN_OPTIONS:
            missing.append(f"Action plan: list at least {MIN_OPTIONS} options to raise {name!r} by one "
                           f"({len(opts)} so far)")
        if not any(o.get("chosen") for o in opts):
            missing.append(f"Action plan: choose the best approach for {name!r}")
        rating = s.get(SELF_RATING)
        for h in HORIZONS:
            target = (s.get("targets") or {}).get(str(h))
            if target is None:
                missing.append(f"Action plan: set the {h}-month target for {name!r}")
            elif completing and target_below_rating(target, rating):
                missing.append(f"Action plan: the {h}-month target for {name!r} is {target}, below today's rating "
                               f"of {rating}; a target is at least today's rating ({rating} holds the skill where "
                               "it is, more raises it)")
    items = [i for i in record.get("action_items", []) if (i.get("text") or "").strip()]
    if not items:
        missing.append("Next steps: add at least one action item")
    if record.get(CADENCE_MONTHS) not in CADENCES:
        missing.append("Next steps: agree how often to hold the career conversation (6 or 12 months)")
    if not (record.get("follow_up") or {}).get("mode"):
        missing.append("Next steps: agree how to follow up")
    return missing


def validate_checkin(record: Any, source: str = "check-in") -> dict:
    """Check a check-in record and return it normalised.

    Raises
    ------
    ValidationError
        Listing every problem.
    """
    c = Collector(source)
    if not isinstance(record, dict):
        c.add("a check-in record must be a JSON object")
        c.raise_if_any()
    r = dict(record)
    _check_keys(c, r, (CHECKIN_ID, EMPLOYEE_ID, COACH_ID, DATE), "")
    c.raise_if_any()
    r["schema_version"] = SCHEMA_VERSION
    r["kind"] = "checkin"
    _check_save_stamp(c, r)
    # A check-in is a draft while the coach is still typing it (autosaved); one written before drafts
    # existed, or imported, is completed.
    r[STATUS] = r.get(STATUS) or "completed"
    c.check(parse_choice, r[STATUS], column=STATUS, choices=STATUSES, what="status")
    c.check(parse_identifier, r[CHECKIN_ID], column=CHECKIN_ID, what="check-in id", max_length=MAX_RECORD_ID)
    c.check(parse_identifier, r[EMPLOYEE_ID], column=EMPLOYEE_ID, what="employee id")
    r[COACH_ID] = _checked_coach(c, r[COACH_ID])
    if r.get(CONVERSATION_ID):
        c.check(parse_identifier, r[CONVERSATION_ID], column=CONVERSATION_ID, what="conversation id",
                max_length=MAX_RECORD_ID)
    else:
        r[CONVERSATION_ID] = None
    d = c.check(parse_date, r[DATE], column=DATE)
    r[DATE] = iso(d) if d else r[DATE]
    r["note"] = c.check(parse_typed_text, r.get("note"), column="note") or ""
    r.setdefault("source", "app")
    updates = []
    for i, u in enumerate(r.get("updates") or []):
        path = f"updates[{i}]"
        if not isinstance(u, dict):
            c.add("an update must be an object", column=path)
            continue
        nu = {
            CONVERSATION_ID: c.check(parse_identifier, u.get(CONVERSATION_ID) or r[CONVERSATION_ID],
                                     column=f"{path}.conversation_id", what="conversation id",
                                     max_length=MAX_RECORD_ID),
            ITEM_ID: c.check(parse_identifier, u.get(ITEM_ID), column=f"{path}.item_id", what="item id"),
            STATUS: c.check(parse_choice, u.get(STATUS), column=f"{path}.status", choices=ITEM_STATUSES,
                            what="status"),
            "note": c.check(parse_typed_text, u.get("note"), column=f"{path}.note") or "",
            "reason": c.check(parse_typed_text, u.get("reason"), column=f"{path}.reason") or "",
        }
        if nu[STATUS] == "dropped" and not nu["reason"].strip():
            c.add("a dropped action item needs a reason", column=f"{path}.reason")
        updates.append(nu)
    r["updates"] = updates
    ratings = []
    for i, rt in enumerate(r.get("ratings") or []):
        path = f"ratings[{i}]"
        if not isinstance(rt, dict):
            c.add("a rating must be an object with skill and self_rating", column=path)
            continue
        ratings.append({
            SKILL: c.check(parse_typed_text, rt.get(SKILL), column=f"{path}.skill", what="skill", allow_missing=False),
            SELF_RATING: c.check(parse_rating, rt.get(SELF_RATING), column=f"{path}.self_rating", allow_missing=True),
            COACH_RATING: c.check(parse_rating, rt.get(COACH_RATING), column=f"{path}.coach_rating",
                                  allow_missing=True),
        })
    r["ratings"] = ratings
    c.raise_if_any(f"{source}: the check-in record is not valid")
    return r


# What separates the words of a skill name, whichever is typed: spaces, hyphens (and the Unicode hyphens and dashes)
# and underscores ("Public-Speaking", "public speaking" and "public_speaking" are one skill).
_SKILL_WORD_BREAKS = re.compile("[\\s\\-_\u2010-\u2015]+")


def skill_key(name: str) -> str:
    """How two skill names are compared: ignoring case and spacing (the words may be separated by spaces,
    hyphens or underscores, any number of them; a name of nothing else is compared as it is spaced)."""
    words = _SKILL_WORD_BREAKS.sub(" ", str(name)).split() or str(name).split()
    return " ".join(words).casefold()


# --------------------------------------------------------------------------
# tables: the roster and the tidy tables derived from the records


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # "string", "Int64", "date", "bool", "float64", "datetime"
    nullable: bool = True


@dataclass(frozen=True)
class Table:
    """A tidy table: its columns in order and the columns that identify a row."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = field(default=())
    has_free_text: tuple[str, ...] = field(default=())

    @property
    def names(self) -> list[str]:
        return [col.name for col in self.columns]

    def empty(self) -> pd.DataFrame:
        """A new empty frame with this table's columns and dtypes."""
        return coerce_frame(pd.DataFrame({c.name: [] for c in self.columns}), self)


def _cols(*spec: tuple[str, str]) -> tuple[Column, ...]:
    """Columns from (name, dtype) pairs; a dtype ending in ``!`` marks a column that may not be empty."""
    return tuple(Column(name, dtype.rstrip("!"), not dtype.endswith("!")) for name, dtype in spec)


ROSTER = Table("roster", _cols(
    (EMPLOYEE_ID, "string!"), ("name", "string!"), (COACH_ID, "string"), (DEPARTMENT, "string!"), ("role", "string"),
    (CADENCE_MONTHS, "Int64!"), ("email", "string"), (LEFT_ON, "date"), (STARTED_ON, "date")),
    key=(EMPLOYEE_ID,),
    has_free_text=("name", "email"))

CONVERSATIONS = Table("conversations", _cols(
    (CONVERSATION_ID, "string!"), (EMPLOYEE_ID, "string!"), (COACH_ID, "string"), (DATE, "date!"),
    ("question_set", "string!"), ("question_set_version", "string!"), (STATUS, "string!"), ("source", "string"),
    (CADENCE_MONTHS, "Int64"), ("next_due", "date"), ("follow_up_mode", "string"), ("follow_up_every_weeks", "Int64"),
    ("completed_at", "string"), ("n_dreams", "Int64"), ("n_skills", "Int64"), ("n_action_items", "Int64"),
    ("goals_seconds", "float64"), ("action_plan_seconds", "float64"), ("next_steps_seconds", "float64")),
    key=(CONVERSATION_ID,))

DREAMS = Table("dreams", _cols(
    (CONVERSATION_ID, "string!"), (EMPLOYEE_ID, "string!"), (DATE, "date!"), ("rank", "Int64!"), ("text", "string")),
    key=(CONVERSATION_ID, "rank"), has_free_text=("text",))

SKILLS = Table("skills", _cols(
    (CONVERSATION_ID, "string!"), (EMPLOYEE_ID, "string!"), (DATE, "date!"), (SKILL, "string!"), (SELF_RATING, "Int64"),
    (COACH_RATING, "Int64"), ("ten_looks_like", "string"), ("approach", "string"), ("chosen_option", "string"),
    ("dream_rank", "Int64"), (STATUS, "string")),
    key=(CONVERSATION_ID, SKILL), has_free_text=("ten_looks_like", "approach", "chosen_option"))

SKILL_RATINGS = Table("skill_ratings", _cols(
    (EMPLOYEE_ID, "string!"), (DATE, "date!"), (SKILL, "string!"), (SELF_RATING, "Int64"), (COACH_RATING, "Int64"),
    ("source", "string!"), (RECORD_ID, "string!"), ("saved_at", "string")), key=(RECORD_ID, SKILL))

TARGETS = Table("targets", _cols(
    (EMPLOYEE_ID, "string!"), (CONVERSATION_ID, "string!"), (DATE, "date!"), (SKILL, "string!"), ("baseline", "Int64"),
    (HORIZON_MONTHS, "Int64!"), ("target", "Int64!")), key=(CONVERSATION_ID, SKILL, HORIZON_MONTHS))

OPTIONS = Table("options", _cols(
    (CONVERSATION_ID, "string!"), (EMPLOYEE_ID, "string!"), (DATE, "date!"), (SKILL, "string!"),
    ("option_no", "Int64!"), ("text", "string"), ("pros", "string"), ("cons", "string"), ("chosen", "bool!")),
    key=(CONVERSATION_ID, SKILL, "option_no"), has_free_text=("text", "pros", "cons"))

ACTION_ITEMS = Table("action_items", _cols(
    (CONVERSATION_ID, "string!"), (EMPLOYEE_ID, "string!"), (DATE, "date!"), (ITEM_ID, "string!"), ("text", "string"),
    ("due", "date"), ("owner", "string"), (SKILL, "string")),
    key=(CONVERSATION_ID, ITEM_ID), has_free_text=("text", "owner"))

CHECKINS = Table("checkins", _cols(
    (CHECKIN_ID, "string!"), (EMPLOYEE_ID, "string!"), (COACH_ID, "string"), (DATE, "date!"),
    (CONVERSATION_ID, "string"), ("n_updates", "Int64"), ("n_ratings", "Int64")), key=(CHECKIN_ID,))

CHECKIN_UPDATES = Table("checkin_updates", _cols(
    (CHECKIN_ID, "string!"), (EMPLOYEE_ID, "string!"), (DATE, "date!"), (CONVERSATION_ID, "string!"),
    (ITEM_ID, "string!"), (STATUS, "string!"), ("note", "string"), ("reason", "string")),
    key=(CHECKIN_ID, CONVERSATION_ID, ITEM_ID), has_free_text=("note", "reason"))

ANSWERS = Table("answers", _cols(
    (CONVERSATION_ID, "string!"), (EMPLOYEE_ID, "string!"), (DATE, "date!"), ("question_id", "string!"),
    ("text", "string")), key=(CONVERSATION_ID, "question_id"), has_free_text=("text",))

DERIVED_TABLES: dict[str, Table] = {t.name: t for t in (
    CONVERSATIONS, DREAMS, SKILLS, SKILL_RATINGS, TARGETS, OPTIONS, ACTION_ITEMS, CHECKINS, CHECKIN_UPDATES, ANSWERS)}
TABLES: dict[str, Table] = {"roster": ROSTER, **DERIVED_TABLES}
if tuple(TABLES) != TABLE_NAMES:  # the names that `careerconv export --help` lists without importing this module
    raise ImportError(f"careerconv.records.table_names names the tables {TABLE_NAMES}, but the schema's are "
                      f"{tuple(TABLES)}: name each table there, in this order")


def table(name: str) -> Table:
    """Look a table up by name; the error lists the tables there are."""
    try:
        return TABLES[name]
    except KeyError:
        raise ValueError(f"unknown table {name!r}; tables are: {', '.join(TABLES)}") from None


_PANDAS_DTYPE = {"string": "string", "Int64": "Int64", "bool": "bool", "float64": "float64",
                 "date": "datetime64[ns]"}


def coerce_frame(frame: pd.DataFrame, tbl: Table) -> pd.DataFrame:
    """Return a new frame with exactly ``tbl``'s columns, in order, with its dtypes (a column that has its dtype
    already is taken as it is, values and all)."""
    n = len(frame)
    columns = {}
    for col in tbl.columns:
        target = _PANDAS_DTYPE[col.dtype]
        if col.name in frame.columns and frame[col.name].dtype == target:
            columns[col.name] = frame[col.name].array.copy()
            continue
        values = frame[col.name].to_numpy(dtype=object) if col.name in frame.columns else [None] * n
        if col.dtype == "date":
            # one unit everywhere, so Parquet parts written at different times concatenate
            columns[col.name] = pd.to_datetime(pd.Series(values, dtype=object), errors="raise").astype(
                "datetime64[ns]").to_numpy()
        else:
            columns[col.name] = pd.array(values, dtype=target)
    # one constructor call: inserting column by column is ~20x slower in pandas
    return pd.DataFrame(columns, index=pd.RangeIndex(n))


def validate_roster_frame(frame: pd.DataFrame, source: str, *, row_offset: int = 2) -> pd.DataFrame:
    """Validate a roster table (all rows at once) and return it typed.

    ``row_offset`` maps the frame's position to the row number a person sees in
    the file (2 for a CSV with a header line).

    The checks are those of the value parsers (``parse_identifier``,
    ``parse_text``, ``parse_cadence``), applied column by column on the text as
    Arrow holds it: values that a vectorised test shows to be plainly valid are
    taken as they are, and every other value goes through the parser itself
    (once per distinct value), so the problems, their messages and their order
    (row by row, columns in the order employee_id, coach_id, name, department,
    cadence_months, role, email, left_on, started_on) are exactly the parsers'. A roster without a ``left_on``
    column (every roster before leavers were kept) reads as everyone still here, and one without a ``started_on``
    column (every roster before future starters were kept) as everyone started long ago.

    Raises
    ------
    ValidationError
        Missing/extra columns, bad ids, duplicate ids (also ids differing only in
        case), bad cadences, empty names — every one listed.
    """
    c = Collector(source)
    # Every roster has a coach column, though a cell may be empty (nobody coaches the top of the organisation).
    required = [col.name for col in ROSTER.columns if not col.nullable or col.name == COACH_ID]
    allowed = ROSTER.names
    present = list(frame.columns)
    for name in required:
        if name not in present:
            c.add(f"required column {name!r} is missing; columns are: {', '.join(allowed)}", column=name)
    for name in present:
        if name not in allowed:
            c.add(f"unknown column; allowed columns are: {', '.join(allowed)}", column=str(name))
    c.raise_if_any(f"{source}: the roster's columns are not right; nothing was written")
    n = len(frame)
    found: list[tuple[int, int, Problem]] = []  # (position, order within the row, problem)
    parsed: dict[str, pa.Array] = {}
    checks = [  # (column, parser, keyword arguments, plainly-valid test)
        (EMPLOYEE_ID, parse_identifier, {"what": "employee id"}, _plain_identifiers),
        (COACH_ID, parse_coach_id, {}, _plain_identifiers),
        ("name", parse_text, {"what": "name", "allow_missing": False}, _plain_texts),
        (DEPARTMENT, parse_text, {"what": "department", "allow_missing": False}, _plain_texts),
        (CADENCE_MONTHS, parse_cadence, {}, None),
        ("role", parse_text, {}, _plain_texts),
        ("email", parse_text, {}, _plain_texts),
        (LEFT_ON, parse_left_on, {}, None),
        (STARTED_ON, parse_started_on, {}, None),
    ]
    result_types = {col.name: _ARROW_TYPE[col.dtype] for col in ROSTER.columns}
    for slot, (name, parser, kwargs, plain) in enumerate(checks):
        if name not in frame.columns:  # an optional column the file has not (left_on, started_on): all empty
            parsed[name] = pa.nulls(n, result_types[name])
            continue
        column = frame[name]
        parsed[name], errors = _parse_column(column, parser, kwargs, plain, result_types[name])
        found.extend((pos, slot, Problem(source, message, pos + row_offset, name, value))
                     for pos, message, value in errors)
        if name == EMPLOYEE_ID:
            found.extend((pos, slot, problem) for pos, problem in _duplicate_ids(parsed[name], errors, source,
                                                                                 row_offset))
    for _, _, problem in sorted(found, key=lambda item: (item[0], item[1])):
        c.problems.append(problem)
    c.raise_if_any(f"{source}: {{n}} problem(s) in the roster; nothing was written".replace(
        "{n}", str(len(c.problems))))
    for name in (COACH_ID, "role", "email"):  # optional: a missing value is ""
        parsed[name] = pc.fill_null(parsed[name], "")
    typed = {col.name: parsed[col.name].cast(pa.timestamp("ns")).to_numpy(zero_copy_only=False)
             if col.dtype == "date" else pd.array(parsed[col.name], dtype=_PANDAS_DTYPE[col.dtype])
             for col in ROSTER.columns}
    return coerce_frame(pd.DataFrame(typed), ROSTER)


# How exports write "no leaving day" besides an empty cell.
_NO_DAY = {"n/a", "na", "-", "--", "\u2013", "\u2014", "none", "null", "nil"}
# HR systems write an open-ended employment as ending on 31.12.9999 (SAP, Workday): from this year on a leaving day
# is no leaving day. A day between 2200 and it is a typo, but Oracle HRMS's "end of time", 31.12.4712, an open end.
OPEN_END_YEAR, LATEST_LEAVING_YEAR = 9000, 2200
OPEN_END_DAYS = frozenset({dt.date(4712, 12, 31)})


def parse_left_on(value: Any, *, date_order: str | None = None) -> dt.date | None:
    """A roster's leaving day (:data:`LEFT_ON`): a date as :func:`parse_date` reads it, None when there is none (an
    empty cell, ``n/a``, ``-``, or the open end HR systems write as 31.12.9999, Oracle's as 31.12.4712).

    Raises
    ------
    ValueError
        As :func:`parse_date`, and for a year after :data:`LATEST_LEAVING_YEAR` that is not an open end.
    """
    if isinstance(value, str) and value.strip().casefold() in _NO_DAY:
        return None
    day = parse_date(value, date_order=date_order, allow_missing=True)
    if day is None or day.year >= OPEN_END_YEAR or day in OPEN_END_DAYS:
        return None
    if day.year > LATEST_LEAVING_YEAR:
        raise ValueError(f"is after {LATEST_LEAVING_YEAR}; check the year (an open end, 31.12.9999, is read as no "
                         "leaving day)")
    return day


def parse_started_on(value: Any, *, date_order: str | None = None) -> dt.date | None:
    """A roster's start day (:data:`STARTED_ON`): a date as :func:`parse_date` reads it, None when there is none
    (an empty cell or ``n/a``: started long ago).

    Raises
    ------
    ValueError
        As :func:`parse_date`, and for a year after :data:`LATEST_LEAVING_YEAR`.
    """
    if isinstance(value, str) and value.strip().casefold() in _NO_DAY:
        return None
    day = parse_date(value, date_order=date_order, allow_missing=True)
    if day is not None and day.year > LATEST_LEAVING_YEAR:
        raise ValueError(f"is after {LATEST_LEAVING_YEAR}; check the year")
    return day


def roster_as_written(roster: pd.DataFrame) -> pd.DataFrame:
    """The roster's columns as a file holds them: ``left_on`` and ``started_on`` only when someone has a day in
    it, so a roster without leavers or future starters is written (``roster.csv``, ``export roster``, the records
    service's wire) as it was before they were kept, byte for byte."""
    empty = [c for c in (LEFT_ON, STARTED_ON) if c in roster.columns and roster[c].isna().all()]
    return roster.drop(columns=empty) if empty else roster


# The Arrow type the parsers' values of a roster column are gathered in, by the column's dtype.
_ARROW_TYPE = {"string": pa.large_string(), "Int64": pa.int64(), "date": pa.date32()}


def _parse_column(column: pd.Series, parser, kwargs: dict, plain,
                  result_type: pa.DataType) -> tuple[pa.Array, list[tuple[int, str, Any]]]:
    """Run ``parser`` over a column: (parsed values, [(position, error message, value)] in position order).

    ``plain(texts)`` marks the text values that the parser would return unchanged, which are taken as they are;
    the others are parsed one distinct value at a time (distinct by type as well, so 6, 6.0 and "6" stay apart).
    The parsed values are an Arrow array of ``result_type``, null where the parser refused the value.
    """
    texts = _texts(column)
    ok = np.zeros(len(texts), dtype=bool)
    if plain is not None:
        ok = plain(texts, **{k: v for k, v in kwargs.items() if k == "allow_missing"})
    rest = np.flatnonzero(~ok)
    if len(texts) and not len(rest):
        return texts, []
    results, errors = _parse_distinct(column, texts.take(rest), rest, parser, kwargs, result_type)
    if len(rest) == len(texts):
        return results, errors
    return pc.replace_with_mask(texts, pa.array(~ok), results), errors


def _texts(column: pd.Series) -> pa.Array:
    """The column's values that are ``str`` as Arrow text (large_string), null where a value is anything else."""
    if isinstance(column.dtype, pd.StringDtype):
        texts = pa.array(column.array)  # pandas' Arrow-backed text gives its chunks
        if isinstance(texts, pa.ChunkedArray):
            texts = texts.combine_chunks()
        return texts.cast(pa.large_string()) if texts.type != pa.large_string() else texts
    values = column.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(values, skipna=False) != "string":
        is_str = np.fromiter((type(v) is str for v in values), dtype=bool, count=len(values))
        values = np.where(is_str, values, None)
    return pa.array(values, type=pa.large_string())


def _parse_distinct(column: pd.Series, texts: pa.Array, rest: np.ndarray, parser, kwargs: dict,
                    result_type: pa.DataType) -> tuple[pa.Array, list[tuple[int, str, Any]]]:
    """Parse the values of ``column`` at positions ``rest`` (``texts``: those of them that are text), each
    distinct value once: (parsed values of ``result_type``, null where refused; [(position, message, value)])."""
    codes = np.empty(len(rest), dtype=np.int64)  # each value's distinct value
    is_text = texts.is_valid().to_numpy(zero_copy_only=False)
    encoded = pc.dictionary_encode(texts.filter(pa.array(is_text)))
    distinct: list[Any] = encoded.dictionary.to_pylist()
    codes[is_text] = encoded.indices.to_numpy(zero_copy_only=False)
    others = np.flatnonzero(~is_text)
    seen: dict = {}
    for j, value in zip(others, column.iloc[rest[others]].to_numpy(dtype=object)):
        try:
            key = (type(value), value)
            code = seen.get(key)
        except TypeError:  # unhashable: parsed on its own
            key, code = None, None
        if code is None:
            code = len(distinct)
            distinct.append(value)
            if key is not None:
                seen[key] = code
        codes[j] = code
    results, messages = [], []
    for value in distinct:
        try:
            results.append(parser(value, **kwargs))
            messages.append(None)
        except ValueError as exc:
            results.append(None)
            messages.append(str(exc))
    failed = np.array([m is not None for m in messages], dtype=bool)
    errors = [(int(rest[j]), messages[codes[j]], distinct[codes[j]]) for j in np.flatnonzero(failed[codes])]
    return pa.array(results, type=result_type).take(pa.array(codes)), errors


_RESERVED_RE = "(?i)^(" + "|".join(re.escape(name) for name in sorted(_RESERVED)) + r")(\.|$)"
_REPORTS_FOLDER_RE = REPORTS_FOLDER_PAGE.pattern


def _plain_identifiers(texts: pa.Array) -> np.ndarray:
    """Texts that :func:`parse_identifier` returns unchanged, for sure (ASCII id, not reserved, not named as a
    reports folder's own page, no final '.')."""
    good = pc.and_(pc.match_substring_regex(texts, r"^[A-Za-z0-9][A-Za-z0-9._-]*$"),
                   pc.less_equal(pc.utf8_length(texts), MAX_ID))
    good = pc.and_(good, pc.invert(pc.ends_with(texts, ".")))
    good = pc.and_(good, pc.invert(pc.match_substring_regex(texts, _RESERVED_RE)))
    good = pc.and_(good, pc.invert(pc.match_substring_regex(texts, _REPORTS_FOLDER_RE)))
    return pc.fill_null(good, False).to_numpy(zero_copy_only=False)


def _plain_texts(texts: pa.Array, allow_missing: bool = True) -> np.ndarray:
    """Texts that :func:`parse_text` returns unchanged, for sure: not too long, no NUL, and holding a letter,
    a digit or a visible ASCII character (so not blank, whatever counts as whitespace); the rest is parsed."""
    good = pc.and_(pc.match_substring_regex(texts, r"[!-~]|\pL|\pN"),
                   pc.less_equal(pc.utf8_length(texts), MAX_TEXT))
    good = pc.and_(good, pc.invert(pc.match_substring(texts, "\x00")))
    return pc.fill_null(good, False).to_numpy(zero_copy_only=False)


def _duplicate_ids(ids: pa.Array, errors: list[tuple[int, str, Any]], source: str,
                   row_offset: int) -> list[tuple[int, Problem]]:
    """Ids seen on an earlier row (compared case-insensitively), as (position, problem)."""
    valid = np.ones(len(ids), dtype=bool)
    valid[[pos for pos, _, _ in errors]] = False
    where = np.flatnonzero(valid)
    if not len(where):
        return []
    # An id that parse_identifier accepts is ASCII, so folding its ASCII letters is folding its case.
    codes = pc.dictionary_encode(pc.ascii_lower(ids.take(pa.array(where)))).indices.to_numpy(zero_copy_only=False)
    _, first_at = np.unique(codes, return_index=True)
    first = where[first_at[codes]]
    again = np.flatnonzero(first != where)
    return [(int(where[i]), Problem(source, f"employee id appears again (first on row {int(first[i]) + row_offset}; "
                                            "ids that differ only in case count as the same)",
                                    int(where[i]) + row_offset, EMPLOYEE_ID, ids[int(where[i])].as_py()))
            for i in again]
