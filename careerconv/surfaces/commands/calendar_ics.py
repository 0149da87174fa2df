"""An iCalendar (RFC 5545) file of the career conversations and check-ins that fall due.

A coach imports the file into any calendar (Outlook, Google, Apple, Thunderbird)
and sees, as all-day events, each report's next career conversation and the
follow-up check-ins before it. The events come from the due list of
:mod:`careerconv.rules.cadence`; this module only turns them into calendar text.

Rules
-----
* One event per next career conversation and one per check-in due within the
  horizon (``as_of`` to ``as_of + horizon_days``). Check-ins repeat at the
  agreed interval and stop before the next career conversation, which follows
  up on the plan itself.
* Something already overdue is placed on ``as_of`` ("today"), with the date it
  was due in its description: an event in the past would go unseen.
* A person never met gets a first career conversation on ``as_of``.
* UIDs are stable: a hash of the employee, the kind of event and the date it
  is due, ``@careerconv``. Exporting again (even on a later day, for something
  overdue) gives the same UID for the same due item, so a calendar updates the
  event instead of adding a copy.
* Privacy: the only free text is the person's name. Descriptions hold dates,
  the agreed cadence and follow-up mode (fixed choices), the coach id and the
  number of open action items; never the text of dreams, skills, notes or
  action items.

* Reminders: every event carries a display alarm (``VALARM``) a lead time
  before it, 1 day unless asked otherwise (:func:`parse_lead_time` reads
  ``2d``, ``12h``, ``1w``, ``0`` for "at the start of the day", ``none`` for
  no reminder). An all-day event starts at midnight, so a 1-day reminder
  shows at the start of the day before.

Format: UTF-8, CRLF line endings, lines folded at 75 octets without ever
splitting a multi-byte character, TEXT values escaped (``\\``, ``;``, ``,``,
newlines), all-day events as ``DTSTART;VALUE=DATE`` with ``DTEND`` the next
day, ``DTSTAMP`` in UTC.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from careerconv import __version__

if TYPE_CHECKING:
    import pandas as pd

# pandas and the records layer are imported in the functions that read a due list or write the file, so that
# `careerconv due --help` reads the horizon and the reminders from here without them (see careerconv.cli).

__all__ = [
    "PRODID",
    "DEFAULT_HORIZON_DAYS",
    "CalendarEvent",
    "event_uid",
    "calendar_events",
    "DEFAULT_REMINDER",
    "escape_text",
    "parse_lead_time",
    "ical_duration",
    "fold_line",
    "render_calendar",
    "write_calendar",
]

PRODID = f"-//careerconv//careerconv {__version__}//EN"
# A year ahead, so every report's next conversation is in the file even on a
# 12-month cadence.
DEFAULT_HORIZON_DAYS = 365
DEFAULT_REMINDER = dt.timedelta(days=1)
# Longer than a year ahead is more likely a slip (365w for 365d) than a reminder anyone wants.
MAX_REMINDER = dt.timedelta(days=365)
_LEAD_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}
_LEAD_PART = re.compile(r"(\d+)\s*([wdhm])")
_LEAD_FORMS = "a lead time such as 1d, 2d, 12h, 30m, 1w or 1d12h (a whole number with w, d, h or m), 0 for " \
              "the start of the day, or none for no reminder"
MAX_OCTETS = 75
CRLF = "\r\n"

_KIND_CONVERSATION = "conversation"
_KIND_CHECKIN = "checkin"
# TEXT may not hold control characters other than HTAB (RFC 5545 3.3.11);
# line breaks are escaped before this runs.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Every line break, Unicode's too (NEL, LINE and PARAGRAPH SEPARATOR): a reader that splits lines as Python's
# str.splitlines does would otherwise end a content line inside a name, and what followed would be read as the
# next property ('\u2028END:VEVENT\u2028BEGIN:VEVENT' in a name).
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


@dataclass(frozen=True)
class CalendarEvent:
    """One all-day event.

    Attributes
    ----------
    uid : str
        Globally unique, stable id (see :func:`event_uid`).
    date : datetime.date
        The day of the event.
    summary : str
        The title, e.g. ``"Career conversation: Ann Lee"``.
    description : str
        Plain text shown with the event (may hold newlines).
    employee_id : str
        Whose event it is.
    kind : str
        ``"conversation"`` or ``"checkin"``.
    """

    uid: str
    date: dt.date
    summary: str
    description: str
    employee_id: str
    kind: str


def event_uid(employee_id: str, kind: str, due: dt.date | str) -> str:
    """A stable, unique UID for one due item.

    Parameters
    ----------
    employee_id : str
        The employee.
    kind : str
        ``"conversation"`` or ``"checkin"``.
    due : datetime.date or str
        The date the item is due, or a fixed token (``"first"`` for a person
        never met).

    Returns
    -------
    str
        ``<24 hex digits>@careerconv``; the same inputs always give the same UID.
    """
    token = due.isoformat() if isinstance(due, dt.date) else str(due)
    digest = hashlib.sha256(f"{employee_id}\x1f{kind}\x1f{token}".encode("utf-8")).hexdigest()[:24]
    return f"{digest}@careerconv"


def calendar_events(due: pd.DataFrame, as_of: Any, horizon_days: int = DEFAULT_HORIZON_DAYS) -> list[CalendarEvent]:
    """The calendar events of a due list.

    Parameters
    ----------
    due : pandas.DataFrame
        Output of :func:`careerconv.rules.cadence.due_list` (filter it first, e.g. by
        coach); columns :data:`careerconv.rules.cadence.DUE_COLUMNS`.
    as_of : date-like
        "Today": overdue items are placed on this day.
    horizon_days : int, default 365
        Events later than ``as_of + horizon_days`` are left out.

    Returns
    -------
    list of CalendarEvent
        Sorted by date, then title, then UID.

    Raises
    ------
    ValueError
        If a column is missing, ``as_of`` is not a date or ``horizon_days`` is
        not a whole number >= 0.
    """
    from careerconv.rules.cadence import DUE_COLUMNS

    missing = [c for c in DUE_COLUMNS if c not in due.columns]
    if missing:
        raise ValueError(f"the due list is missing column(s): {', '.join(missing)}")
    today = _day(as_of)
    if isinstance(horizon_days, bool) or not isinstance(horizon_days, int) or horizon_days < 0:
        raise ValueError(f"horizon_days must be a whole number of days >= 0, got {horizon_days!r}")
    end = today + dt.timedelta(days=horizon_days)
    events: list[CalendarEvent] = []
    for row in due.to_dict("records"):
        events.extend(_events_of(row, today, end))
    events.sort(key=lambda e: (e.date, e.summary.casefold(), e.uid))
    return events


def parse_lead_time(text: str) -> dt.timedelta | None:
    """How long before an event its reminder shows: ``"2d"`` -> 2 days; ``"none"`` -> None (no reminder).

    Parameters
    ----------
    text : str
        Whole numbers each followed by a unit, ``w`` (weeks), ``d`` (days),
        ``h`` (hours) or ``m`` (minutes), such as ``1d``, ``12h``, ``1d12h``
        (case and spaces ignored); ``0`` for a reminder when the day starts;
        ``none``, ``off`` or ``no`` for none.

    Returns
    -------
    datetime.timedelta or None

    Raises
    ------
    ValueError
        Anything else (a negative or fractional number, another unit, text),
        or a lead time of more than a year; the message quotes ``text`` and
        lists what is accepted.
    """
    folded = str(text).strip().casefold()
    if folded in ("none", "off", "no"):
        return None
    if folded == "0":
        return dt.timedelta(0)
    compact = folded.replace(" ", "")
    parts = _LEAD_PART.findall(compact)
    if not compact or "".join(n + u for n, u in parts) != compact or len({u for _, u in parts}) != len(parts):
        raise ValueError(f"{text!r} is not a reminder lead time; give {_LEAD_FORMS}")
    lead = dt.timedelta(**{_LEAD_UNITS[u]: int(n) for n, u in parts})
    if lead > MAX_REMINDER:
        raise ValueError(f"{text!r} is more than a year ahead; give {_LEAD_FORMS}")
    return lead


def ical_duration(lead: dt.timedelta) -> str:
    """A lead time as the TRIGGER of an alarm before its event's start (RFC 5545 3.3.6): 1 day -> ``-P1D``.

    Whole weeks are written as weeks (``-P2W``); zero is ``PT0S``.

    Raises
    ------
    ValueError
        A negative lead time (a reminder after the start is not one).
    """
    if lead < dt.timedelta(0):
        raise ValueError(f"a reminder lead time cannot be negative, got {lead}")
    if not lead:
        return "PT0S"
    seconds = int(lead.total_seconds())
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if not rest and not hours and days % 7 == 0:
        return f"-P{days // 7}W"
    text = "-P" + (f"{days}D" if days else "")
    time = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + (f"{secs}S" if secs else "")
    return text + (f"T{time}" if time else "")


def escape_text(value: Any) -> str:
    """Escape a value for an iCalendar TEXT property (RFC 5545 3.3.11).

    Backslash, semicolon and comma get a backslash; any line break (CR, LF,
    CRLF, and Unicode's NEL, line and paragraph separators) becomes ``\\n``;
    other control characters (not allowed in TEXT) are dropped.

    Parameters
    ----------
    value : Any
        The text (other values are converted with ``str``).

    Returns
    -------
    str
    """
    text = str(value)
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    text = _LINE_BREAK.sub("\\\\n", text)
    return _CONTROL.sub("", text)


def fold_line(line: str) -> str:
    """Fold one content line at 75 octets (RFC 5545 3.1).

    Each physical line is at most 75 octets of UTF-8 excluding the CRLF; a
    continuation starts with one space. A multi-byte character is never split.

    Parameters
    ----------
    line : str
        One unfolded content line, without a line break.

    Returns
    -------
    str
        The folded line, physical lines joined by ``CRLF + " "``, no trailing
        line break.

    Raises
    ------
    ValueError
        If ``line`` holds a CR or LF (escape TEXT values first).
    """
    if "\r" in line or "\n" in line:
        raise ValueError("a content line may not hold a line break; escape it with escape_text first")
    data = line.encode("utf-8")
    parts: list[bytes] = []
    start, limit = 0, MAX_OCTETS
    while len(data) - start > limit:
        end = start + limit
        while data[end] & 0xC0 == 0x80:  # a UTF-8 continuation byte: cut before its character
            end -= 1
        parts.append(data[start:end])
        start, limit = end, MAX_OCTETS - 1  # the leading space of a continuation counts
    parts.append(data[start:])
    return (CRLF + " ").join(part.decode("utf-8") for part in parts)


# A calendar holds at least one component (RFC 5545, 3.6: ``component = 1*(...)``); a file of no events would be
# refused by stricter calendar apps, and a subscribed calendar whose events all passed would then keep showing
# them. With no event it holds the UTC time zone alone, which shows nothing.
_NOTHING_SHOWN = ["BEGIN:VTIMEZONE", "TZID:UTC", "BEGIN:STANDARD", "DTSTART:19700101T000000", "TZOFFSETFROM:+0000",
                  "TZOFFSETTO:+0000", "TZNAME:UTC", "END:STANDARD", "END:VTIMEZONE"]


def render_calendar(
    events: Iterable[CalendarEvent],
    dtstamp: dt.datetime | None = None,
    name: str = "Career conversations",
    remind: dt.timedelta | None = DEFAULT_REMINDER,
) -> bytes:
    """The iCalendar file of ``events``, as UTF-8 bytes with CRLF line endings.

    Parameters
    ----------
    events : iterable of CalendarEvent
        The events; UIDs must be unique.
    dtstamp : datetime.datetime, optional
        When the file is made (timezone-aware; written in UTC). Default: now.
    name : str, default "Career conversations"
        The calendar's display name (``X-WR-CALNAME``).
    remind : datetime.timedelta or None, default 1 day
        Each event's reminder shows this long before it starts (a
        ``VALARM`` with ``ACTION:DISPLAY``); None for no reminders.

    Returns
    -------
    bytes

    Raises
    ------
    ValueError
        If ``dtstamp`` is naive, two events share a UID or ``remind`` is negative.
    """
    trigger = None if remind is None else ical_duration(remind)
    stamp = dt.datetime.now(dt.timezone.utc) if dtstamp is None else dtstamp
    if stamp.tzinfo is None or stamp.utcoffset() is None:
        raise ValueError("dtstamp must be timezone-aware (it is written in UTC)")
    stamp_text = stamp.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        f"PRODID:{PRODID}",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    seen: set[str] = set()
    for event in events:
        if event.uid in seen:
            raise ValueError(f"two events share the UID {event.uid!r}")
        seen.add(event.uid)
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{stamp_text}",
            f"DTSTART;VALUE=DATE:{event.date:%Y%m%d}",
            f"DTEND;VALUE=DATE:{event.date + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{escape_text(event.summary)}",
            f"DESCRIPTION:{escape_text(event.description)}",
            "TRANSP:TRANSPARENT",
        ]
        if trigger is not None:
            lines += [
                "BEGIN:VALARM",
                "ACTION:DISPLAY",
                f"DESCRIPTION:{escape_text(event.summary)}",
                f"TRIGGER:{trigger}",
                "END:VALARM",
            ]
        lines.append("END:VEVENT")
    if not seen:
        lines += _NOTHING_SHOWN
    lines.append("END:VCALENDAR")
    return "".join(fold_line(line) + CRLF for line in lines).encode("utf-8")


def write_calendar(
    path: str | os.PathLike,
    events: Iterable[CalendarEvent],
    dtstamp: dt.datetime | None = None,
    name: str = "Career conversations",
    remind: dt.timedelta | None = DEFAULT_REMINDER,
) -> Path:
    """Write the iCalendar file atomically (readers see the old or the new file).

    Parameters
    ----------
    path : path-like
        Where to write (its folder is created if needed).
    events, dtstamp, name, remind
        As for :func:`render_calendar`.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ValueError
        As :func:`render_calendar`.
    OSError
        If the file cannot be written.
    """
    from careerconv.records.store import write_output_bytes

    return write_output_bytes(path, render_calendar(events, dtstamp, name, remind))


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _day(value: Any) -> dt.date | None:
    import pandas as pd

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ValueError(f"not a date: {value!r}") from None
    if pd.isna(stamp):
        raise ValueError(f"not a date: {value!r}")
    return stamp.date()


def _events_of(row: dict, today: dt.date, end: dt.date) -> list[CalendarEvent]:
    import pandas as pd

    from careerconv.records.schema import COACH_ID, EMPLOYEE_ID

    eid, name = str(row[EMPLOYEE_ID]), str(row["name"])
    coach = row[COACH_ID]
    # Someone at the top of the organisation has no coach: their events say nothing about one.
    coach_line = [f"Coach: {coach}"] if isinstance(coach, str) and coach else []
    open_items = int(row["open_action_items"])
    items_line = f"Open action items: {open_items}"
    draft = _day(row["draft_in_progress"])
    draft_line = [f"A draft conversation from {draft.isoformat()} is in progress."] if draft else []
    events: list[CalendarEvent] = []

    last = _day(row["last_conversation"])
    conv_due = _day(row["next_conversation_due"])
    if last is None:
        conv_day: dt.date | None = today
        events.append(CalendarEvent(
            uid=event_uid(eid, _KIND_CONVERSATION, "first"), date=today,
            summary=f"Career conversation: {name}",
            description="\n".join([f"First career conversation: none has been held with {name} yet.",
                                   *draft_line, *coach_line]),
            employee_id=eid, kind=_KIND_CONVERSATION))
    elif conv_due is not None:
        conv_day = max(conv_due, today)
        text = [f"Career conversation due {conv_due.isoformat()} "
                f"(every {_months(row['cadence_months'])}; last held {last.isoformat()})."]
        if conv_due < today:
            text.append(f"Overdue by {(today - conv_due).days} days.")
        text += [*draft_line, items_line, *coach_line]
        if conv_day <= end:
            events.append(CalendarEvent(
                uid=event_uid(eid, _KIND_CONVERSATION, conv_due), date=conv_day,
                summary=f"Career conversation: {name}", description="\n".join(text),
                employee_id=eid, kind=_KIND_CONVERSATION))
    else:
        conv_day = None

    ci_due = _day(row["next_checkin_due"])
    weeks = row["follow_up_every_weeks"]
    if ci_due is None or weeks is None or pd.isna(weeks) or int(weeks) < 1:
        return events
    step = dt.timedelta(weeks=int(weeks))
    mode = row["follow_up_mode"] or "check-in"
    last_ci = _day(row["last_checkin"])
    since = f"last check-in {last_ci.isoformat()}" if last_ci and last and last_ci >= last \
        else f"since the conversation of {last.isoformat()}"
    agreed = f"agreed: {mode} every {int(weeks)} week{'s' if int(weeks) != 1 else ''}"
    first = max(ci_due, today)
    when, number = first, 0
    while when <= end and (conv_day is None or when < conv_day):
        if number == 0:
            text = [f"Follow-up check-in on the career plan due {ci_due.isoformat()} ({agreed}; {since})."]
            if ci_due < today:
                text.append(f"Overdue by {(today - ci_due).days} days.")
        else:
            text = [f"Follow-up check-in on the career plan ({agreed})."]
        text += [items_line, *coach_line]
        # Named by the day it would be due had none been missed: an overdue chain is planned from today, and
        # moves a day each day, but each of its check-ins keeps its UID (a calendar updates it, not adds one).
        events.append(CalendarEvent(
            uid=event_uid(eid, _KIND_CHECKIN, ci_due + number * step), date=when, summary=f"Check-in: {name}",
            description="\n".join(text), employee_id=eid, kind=_KIND_CHECKIN))
        when, number = when + step, number + 1
    return events


def _months(value: Any) -> str:
    import pandas as pd

    if value is None or pd.isna(value):
        return "? months"
    return f"{int(value)} months"
