"""How the records service and its client put store objects on the wire (JSON), both ways.

One place for the shapes, so that the server and the service-backed store
agree: a roster travels as its CSV text (read back by the schema's own
roster check), a :class:`~careerconv.records.store.History` as an object of record
lists, errors as ``{"error": code, "message": …}`` with the record as it is
stored now for a conflict and every problem for an invalid record.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pandas as pd

from careerconv.records import leavers, schema
from careerconv.records.store import History

# Error codes (the ``error`` field of a refused request) and their HTTP statuses.
UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, NOT_ON_ROSTER, CONFLICT, INVALID, LOCKED, STORAGE = (
    "unauthenticated", "forbidden", "not_found", "not_on_roster", "conflict", "invalid", "locked", "storage")
# STORAGE: the service's disk refused a write (full, read-only); nothing was written, and trying again may work.
STATUS = {UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, NOT_ON_ROSTER: 404, CONFLICT: 409,
          INVALID: 400, LOCKED: 423, STORAGE: 507}
RECORD_KINDS = ("conversation", "checkin")
COACH_NAME = "coach_name"  # api/me: the name the roster gives the coach signed in (null: none, or not a coach)
# api/me: the coach's own first day and leaving day on the roster (ISO days; null: none, or not a coach). A coach's
# roster rows are their people's, so their app judges from these whether they are here; an older service sends neither.
COACH_DAYS = (schema.STARTED_ON, schema.LEFT_ON)


def roster_to_csv(frame: pd.DataFrame) -> str:
    """The roster rows as CSV text, in the roster file's own columns (``left_on`` when one of them has left: the
    app offers a coach only their people still here, and finds the others by search)."""
    return schema.roster_as_written(frame).to_csv(index=False)


def roster_from_csv(text: str, source: str = "the records service") -> pd.DataFrame:
    """A typed roster frame from :func:`roster_to_csv` text (checked by the schema like ``roster.csv``)."""
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    if frame.empty and not len(frame.columns):
        return schema.ROSTER.empty()
    return schema.validate_roster_frame(frame, source)


def coach_days_to_json(row: dict[str, Any] | None) -> dict[str, str | None]:
    """The :data:`COACH_DAYS` of a coach's roster row (None: no coach) as ISO days, null for none."""
    row = row or {}
    days = {schema.STARTED_ON: leavers.start_day(row.get(schema.STARTED_ON)),
            schema.LEFT_ON: leavers.left_day(row.get(schema.LEFT_ON))}
    return {key: day.isoformat() if day is not None else None for key, day in days.items()}


def coach_days_from_json(me: dict[str, Any]) -> dict[str, str | None] | None:
    """The :data:`COACH_DAYS` of an api/me answer (None: the service sent neither, an older one)."""
    if not any(key in me for key in COACH_DAYS):
        return None
    return {key: me.get(key) or None for key in COACH_DAYS}


def history_to_json(history: History, coach_names: dict[str, str] | None = None) -> dict[str, Any]:
    """``history`` as JSON, with ``coach_names`` (coach id -> name) of the coaches who wrote its records and are on
    the roster (a coach's roster rows are their own people only: without it, a former coach had only an id)."""
    return {"employee": history.employee, "conversations": history.conversations, "checkins": history.checkins,
            "checkin_drafts": history.checkin_drafts, "coach_names": dict(coach_names or {})}


def coach_names_from_json(body: dict[str, Any]) -> dict[str, str]:
    """The ``coach_names`` of a :func:`history_to_json` answer (empty when the service sent none)."""
    return {str(k): str(v) for k, v in (body.get("coach_names") or {}).items()}


def history_from_json(body: dict[str, Any]) -> History:
    return History(body.get("employee"), list(body.get("conversations") or []), list(body.get("checkins") or []),
                   list(body.get("checkin_drafts") or []))


def problems_to_json(problems: list[schema.Problem]) -> list[dict[str, Any]]:
    return [{"source": p.source, "message": p.message, "row": p.row, "column": p.column,
             "value": p.value if isinstance(p.value, (str, int, float, bool, type(None))) else repr(p.value)}
            for p in problems]


def problems_from_json(rows: list[dict[str, Any]]) -> list[schema.Problem]:
    return [schema.Problem(r.get("source", ""), r.get("message", ""), r.get("row"), r.get("column"), r.get("value"))
            for r in rows]


def frame_to_json(frame: pd.DataFrame) -> dict[str, Any]:
    """A table as ``{"columns": [...], "rows": [[...], ...]}`` (dates as ISO text, missing as null)."""
    return json.loads(frame.to_json(orient="split", index=False, date_format="iso"))


def frame_from_json(body: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(body.get("data") or [], columns=body.get("columns") or [])
