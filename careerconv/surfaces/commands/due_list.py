"""The due list of ``careerconv due``: its tables loaded from the data folder, the list computed by
:func:`careerconv.rules.cadence.due_list` and written as an aligned table (for people), CSV (for spreadsheets) or
JSON (for tools), and the calendar of ``--ics``. The options are :mod:`careerconv.surfaces.commands.due`'s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import unicodedata
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from careerconv.rules import cadence
from . import calendar_ics as ics
from careerconv.records import config, leavers, tables
from careerconv.records.dates import human_date
from careerconv.records.schema import (CADENCE_MONTHS, COACH_ID, DEPARTMENT, EMPLOYEE_ID, ID_COLUMNS, LEFT_ON,
                                       STARTED_ON, STATUS)
from careerconv.records.spreadsheet import changed_id_warnings, frame_to_csv_bytes
from careerconv.records.store import Store, write_output_bytes
from . import streams

NAME_WIDTH = 28  # longer names are shortened in the table (never in CSV/JSON)
_DATE_COLUMNS = ("last_conversation", "next_conversation_due", "last_checkin", "next_checkin_due",
                 "draft_in_progress")


def list_due(args: argparse.Namespace, fmt: str, remind: dt.timedelta | None) -> int:
    """Write the due list in the format ``fmt`` (table, csv or json) to ``-o FILE`` or stdout, and with ``--ics``
    the calendar with reminders ``remind`` before each event (None: none); return the exit code.

    Raises
    ------
    ValueError
        For an output in the data folder or that is a folder, or an empty roster (the command says it in one line).
    """
    parser: argparse.ArgumentParser = args.parser
    store = Store.existing(args.data_dir)
    for option, value in (("-o/--output", args.output), ("--ics", args.ics)):
        if value and value != "-":
            config.output_outside_data(value, store.root, option)
        if value and Path(value).expanduser().is_dir():
            raise ValueError(f"{option} {value} is a folder; give a file name (for example one inside it)")
    if args.ics and Path(args.ics).suffix.lower() != ".ics":  # a calendar app opens a file by its name's ending
        parser.error(f"--ics {args.ics} is not a calendar name; give a file name ending in .ics, such as "
                     f"{Path(args.ics).with_suffix('.ics')}")
    due_tables = load_due_tables(store)
    if due_tables["roster"].empty:
        raise ValueError(f"the roster in {store.root} is empty: nobody to list (import one with "
                         "`careerconv import roster FILE`)")
    as_of = args.as_of or dt.date.today()
    # Someone who has left is due for nothing: not listed, not in the calendar.
    whole_roster = due_tables["roster"]
    due_tables["roster"] = leavers.still_here(whole_roster, as_of)
    if args.coach:
        _say_if_coach_away(args, whole_roster, due_tables["roster"], args.coach, as_of)
    due = cadence.due_list(due_tables, as_of, coach=args.coach, within_days=args.within, soon_days=args.soon)

    if fmt == "table":
        data = format_table(due, as_of, soon_days=args.soon, coach=args.coach,
                            within_days=args.within).encode("utf-8")
    elif fmt == "csv":
        data = format_csv(due)
    else:
        data = format_json(due, as_of, soon_days=args.soon, coach=args.coach,
                           within_days=args.within).encode("utf-8")

    if args.output and args.output != "-":
        target = Path(args.output).expanduser()
        write_output_bytes(target, data)
        streams.status(args, f"Wrote {_plural(len(due), 'person', 'people')} to {target}")
        if fmt == "csv":
            for warning in changed_id_warnings(due, ID_COLUMNS, "to keep them, open the file with Excel's "
                                                                "Data > From Text/CSV and make the column Text"):
                streams.warn(args, warning)
    else:
        # The BOM is for spreadsheets opening a file; a pipe to another tool is better off without it.
        streams.result(data.decode("utf-8-sig"))

    if args.ics:
        horizon = args.within if args.within is not None else ics.DEFAULT_HORIZON_DAYS
        events = ics.calendar_events(due, as_of, horizon_days=horizon)
        name = f"Career conversations ({args.coach})" if args.coach else "Career conversations"
        path = ics.write_calendar(args.ics, events, name=name, remind=remind)
        n_conv = sum(e.kind == "conversation" for e in events)
        streams.status(args, f"Wrote {_plural(len(events), 'calendar event')} "
                             f"({_plural(n_conv, 'career conversation')}, {_plural(len(events) - n_conv, 'check-in')}, "
                             f"up to {as_of + dt.timedelta(days=horizon)}) to {path}")
    return 0


def _say_if_coach_away(args: argparse.Namespace, roster: pd.DataFrame, here: pd.DataFrame, coach: str,
                       as_of: dt.date) -> None:
    """A coach who is not here on ``as_of``: say so on stderr. One who has left: their people need a new coach on
    the roster (when nobody here has them as coach, that is raised as the reason nothing is listed). One who has not
    started yet: their people are listed as due as everyone is, and another coach meets them until that day.

    Raises
    ------
    ValueError
        If the coach has left and nobody still here has them as coach.
    """
    row = roster.loc[roster[EMPLOYEE_ID] == coach]
    if row.empty or leavers.here_mask(row, as_of)[0]:
        return
    who = f"coach {coach} ({row['name'].iloc[0]})"
    n = int((here[COACH_ID] == coach).sum())
    people = _plural(n, "person", "people")
    if leavers.left_mask(row, as_of)[0]:
        left = f"{who} left on {human_date(leavers.left_day(row[LEFT_ON].iloc[0]))}"
        if not n:
            raise ValueError(f"{left}, and nobody still here has them as coach: nobody to list")
        streams.warn(args, f"{left}: set a new coach for their {people} on the roster")
        return
    starts = f"{who} starts on {human_date(leavers.start_day(row[STARTED_ON].iloc[0]))}"
    if not n:
        streams.warn(args, f"{starts}, and nobody here on {human_date(as_of)} has them as coach: nobody to list")
        return
    streams.warn(args, f"{starts}: until then another coach meets their {people} listed here (or set a coach "
                       "who is here on the roster)")


def load_due_tables(store: Store) -> dict[str, pd.DataFrame]:
    """The tables :func:`careerconv.rules.cadence.due_list` needs, from ``store``.

    Parameters
    ----------
    store : Store
        The data folder.

    Returns
    -------
    dict of str to pandas.DataFrame
        The tables of :data:`careerconv.rules.cadence.DUE_TABLES`.

    Raises
    ------
    ValidationError
        If the roster is not valid.
    """
    due_tables = {"roster": store.roster()}
    derived = cadence.DUE_TABLES[1:]
    try:
        # One refresh brings every derived table up to date; the other reads need none.
        due_tables.update({name: store.read_table(name, refresh=i == 0) for i, name in enumerate(derived)})
    except pa.ArrowInvalid:
        # Store.read_table cannot concatenate parts written with different
        # timestamp units (schema.coerce_frame leaves the unit to pandas);
        # build the tables straight from the record files instead.
        due_tables.update(tables.frames_from_records(store.iter_records(), derived))
    return due_tables


# ---------------------------------------------------------------------------
# Output formats
# ---------------------------------------------------------------------------


def format_table(due: pd.DataFrame, as_of: dt.date, *, soon_days: int = cadence.DUE_SOON_DAYS,
                 coach: str | None = None, within_days: int | None = None) -> str:
    """The due list as an aligned text table with a heading and a summary line.

    Parameters
    ----------
    due : pandas.DataFrame
        Output of :func:`careerconv.rules.cadence.due_list`.
    as_of : datetime.date
        The day it was evaluated on (shown in the heading).
    soon_days, coach, within_days
        The filters used (shown in the heading).

    Returns
    -------
    str
        Text ending in a newline. Control characters in names are shown as
        ``?`` so a roster cannot send escape sequences to the terminal.
    """
    scope = f"coach {coach}" if coach else "everyone on the roster who has not left"
    head = f"Career conversations and check-ins due on {as_of.isoformat()}, {scope}"
    if within_days is not None:
        head += f", due within {within_days} days"
    lines = [head + f" ('due soon' = within {soon_days} days)", ""]
    if due.empty:
        lines.append("Nobody is due." if within_days is not None else "Nobody to list.")
        return "\n".join(lines) + "\n"
    header = ["STATUS", "NAME", "ID", "COACH", "DEPARTMENT", "LAST CONV.", "NEXT CONV.", "LAST CHECK-IN",
              "NEXT CHECK-IN", "DAYS LATE", "OPEN ITEMS", "NOTE"]
    right = {"DAYS LATE", "OPEN ITEMS"}
    rows = []
    for r in due.to_dict("records"):
        never = r[STATUS] == cadence.NEVER_MET
        note = []
        if r[STATUS] in (cadence.OVERDUE, cadence.DUE_SOON):
            note.append(f"{r['due_for']} {r['status']}")
        if _present(r["draft_in_progress"]):
            note.append(f"draft in progress ({_date(r['draft_in_progress'])})")
        if not never and not _present(r["follow_up_every_weeks"]):
            note.append("no check-in interval agreed")
        rows.append([
            r[STATUS],
            _shorten(_clean(r["name"]), NAME_WIDTH),
            _clean(r[EMPLOYEE_ID]),
            _clean(r[COACH_ID]),
            _shorten(_clean(r[DEPARTMENT]), 20),
            "never" if never else _date(r["last_conversation"]),
            "now" if never else _date(r["next_conversation_due"]),
            _date(r["last_checkin"]),
            _date(r["next_checkin_due"]),
            str(int(r["days_overdue"])) if _present(r["days_overdue"]) and r["days_overdue"] > 0 else "",
            str(int(r["open_action_items"])),
            "; ".join(note),
        ])
    widths = [max(_width(h), *(_width(row[i]) for row in rows)) for i, h in enumerate(header)]

    def line(cells: list[str]) -> str:
        out = [_pad(cell, widths[i], header[i] in right) for i, cell in enumerate(cells)]
        return "  ".join(out).rstrip()

    lines.append(line(header))
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(line(row) for row in rows)
    counts = due[STATUS].value_counts()
    summary = ", ".join(f"{int(counts[s])} {s}" for s in cadence.STATUSES if s in counts.index)
    lines += ["", f"{_plural(len(due), 'person', 'people')}: {summary}."]
    return "\n".join(lines) + "\n"


def format_csv(due: pd.DataFrame) -> bytes:
    """The due list as spreadsheet-safe CSV: UTF-8 with a BOM, formulas neutralised.

    Written by :func:`careerconv.records.spreadsheet.frame_to_csv_bytes`, so a name such
    as ``=HYPERLINK(...)`` is shown by a spreadsheet as text, not run. Dates
    are ISO, missing values empty cells, lines end with CRLF.

    Parameters
    ----------
    due : pandas.DataFrame
        Output of :func:`careerconv.rules.cadence.due_list`.

    Returns
    -------
    bytes
    """
    frame = due.loc[:, list(cadence.DUE_COLUMNS)].copy()
    for column in _DATE_COLUMNS:
        frame[column] = pd.to_datetime(frame[column])
    return frame_to_csv_bytes(frame)


def format_json(due: pd.DataFrame, as_of: dt.date, *, soon_days: int = cadence.DUE_SOON_DAYS,
                coach: str | None = None, within_days: int | None = None) -> str:
    """The due list as JSON: ``{"as_of", "coach", "within_days", "soon_days", "count", "employees": [...]}``.

    Each employee is an object with the columns of
    :data:`careerconv.rules.cadence.DUE_COLUMNS`; dates are ``YYYY-MM-DD`` strings
    and missing values ``null``.

    Returns
    -------
    str
        Text ending in a newline.
    """
    payload = {"as_of": as_of.isoformat(), "coach": coach, "within_days": within_days, "soon_days": soon_days,
               "count": len(due), "employees": _records(due)}
    return json.dumps(payload, ensure_ascii=False, indent=1) + "\n"


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _date(value: Any) -> str:
    return "-" if not _present(value) else pd.Timestamp(value).date().isoformat()


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _present(value: Any) -> bool:
    return value is not None and not (not isinstance(value, str) and pd.isna(value))


def _records(due: pd.DataFrame) -> list[dict]:
    out = []
    for r in due.to_dict("records"):
        rec = {}
        for column in cadence.DUE_COLUMNS:
            value = r[column]
            if not _present(value):
                rec[column] = None
            elif column in _DATE_COLUMNS:
                rec[column] = pd.Timestamp(value).date().isoformat()
            elif column in ("days_overdue", "open_action_items", CADENCE_MONTHS, "follow_up_every_weeks"):
                rec[column] = int(value)
            else:
                rec[column] = str(value)
        out.append(rec)
    return out


def _clean(value: Any) -> str:
    text = "" if not _present(value) else str(value)
    return "".join("?" if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in text)


def _char_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _width(text: str) -> int:
    return sum(_char_width(ch) for ch in text)


def _shorten(text: str, width: int) -> str:
    if _width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = _char_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * (width - _width(text))
    return gap + text if right else text + gap
