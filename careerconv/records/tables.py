"""Records to tidy rows: the pure half of the derived tables.

A conversation or check-in record (a dict, as the store keeps it) becomes rows of
the tables declared in :mod:`careerconv.records.schema`. No disk I/O here: the store
calls these to build its cache, and reports call them on one employee's records
without touching the cache.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from typing import Any, Iterable

import pandas as pd

from . import schema
from .schema import (
    CADENCE_MONTHS, CHECKIN_ID, COACH_ID, COACH_RATING, CONVERSATION_ID, DATE, EMPLOYEE_ID, HORIZON_MONTHS, ITEM_ID,
    RECORD_ID, SELF_RATING, SKILL, STATUS,
)


def _seconds(record: dict, section: str) -> float | None:
    timing = (record.get("sections") or {}).get(section) or {}
    value = timing.get("seconds")
    return float(value) if isinstance(value, (int, float)) else None


def conversation_rows(rec: dict) -> dict[str, list[dict]]:
    """Rows of every derived table contributed by one conversation record."""
    conv, emp, date = rec[CONVERSATION_ID], rec[EMPLOYEE_ID], rec[DATE]
    fu = rec.get("follow_up") or {}
    out: dict[str, list[dict]] = defaultdict(list)
    out["conversations"].append({
        CONVERSATION_ID: conv, EMPLOYEE_ID: emp, COACH_ID: rec[COACH_ID] or None, DATE: date,
        "question_set": rec["question_set"], "question_set_version": rec["question_set_version"],
        STATUS: rec[STATUS], "source": rec.get("source"), CADENCE_MONTHS: rec.get(CADENCE_MONTHS),
        "next_due": rec.get("next_due"), "follow_up_mode": fu.get("mode"),
        "follow_up_every_weeks": fu.get("every_weeks"), "completed_at": rec.get("completed_at"),
        "n_dreams": len(rec.get("dreams") or []), "n_skills": len(rec.get("skills") or []),
        "n_action_items": len(rec.get("action_items") or []),
        "goals_seconds": _seconds(rec, "goals"), "action_plan_seconds": _seconds(rec, "action_plan"),
        "next_steps_seconds": _seconds(rec, "next_steps"),
    })
    for d in rec.get("dreams") or []:
        out["dreams"].append({CONVERSATION_ID: conv, EMPLOYEE_ID: emp, DATE: date, "rank": d["rank"],
                              "text": d.get("text", "")})
    for s in rec.get("skills") or []:
        chosen = next((o.get("text", "") for o in s.get("options") or [] if o.get("chosen")), None)
        out["skills"].append({
            CONVERSATION_ID: conv, EMPLOYEE_ID: emp, DATE: date, SKILL: s[SKILL],
            SELF_RATING: s.get(SELF_RATING), COACH_RATING: s.get(COACH_RATING),
            "ten_looks_like": s.get("ten_looks_like", ""), "approach": s.get("approach", ""),
            "chosen_option": chosen, "dream_rank": s.get("dream_rank"), STATUS: rec[STATUS],
        })
        if s.get(SELF_RATING) is not None or s.get(COACH_RATING) is not None:
            out["skill_ratings"].append({
                EMPLOYEE_ID: emp, DATE: date, SKILL: s[SKILL], SELF_RATING: s.get(SELF_RATING),
                COACH_RATING: s.get(COACH_RATING),
                "source": "import" if str(rec.get("source", "")).startswith("import") else "conversation",
                RECORD_ID: conv, "saved_at": rec.get("saved_at"),
            })
        for h in schema.HORIZONS:
            target = (s.get("targets") or {}).get(str(h))
            if target is not None:
                out["targets"].append({EMPLOYEE_ID: emp, CONVERSATION_ID: conv, DATE: date,
                                       SKILL: s[SKILL], "baseline": s.get(SELF_RATING),
                                       HORIZON_MONTHS: h, "target": target})
        for n, o in enumerate(s.get("options") or [], start=1):
            out["options"].append({CONVERSATION_ID: conv, EMPLOYEE_ID: emp, DATE: date, SKILL: s[SKILL],
                                   "option_no": n, "text": o.get("text", ""), "pros": o.get("pros", ""),
                                   "cons": o.get("cons", ""), "chosen": bool(o.get("chosen"))})
    for it in rec.get("action_items") or []:
        out["action_items"].append({CONVERSATION_ID: conv, EMPLOYEE_ID: emp, DATE: date,
                                    ITEM_ID: it[ITEM_ID], "text": it.get("text", ""), "due": it.get("due"),
                                    "owner": it.get("owner", ""), SKILL: it.get(SKILL, "")})
    for qid, answer in (rec.get("answers") or {}).items():
        text = _answer_text(answer)
        if text:
            out["answers"].append({CONVERSATION_ID: conv, EMPLOYEE_ID: emp, DATE: date, "question_id": qid,
                                   "text": text})
    return out


def _answer_text(answer: Any) -> str:
    """An answer as one text: a list's items one per line, the empty ones left out; "" for no answer (nothing,
    empty text, or a list of empty items, which made a row of a bare line break)."""
    if answer is None:
        return ""
    items = answer if isinstance(answer, list) else [answer]
    return "\n".join(text for text in (str(item) for item in items if item is not None) if text.strip())


def checkin_rows(rec: dict) -> dict[str, list[dict]]:
    """Rows of every derived table contributed by one check-in record (none while it is a draft)."""
    out: dict[str, list[dict]] = defaultdict(list)
    if is_draft(rec):
        return out
    cid, emp, date = rec[CHECKIN_ID], rec[EMPLOYEE_ID], rec[DATE]
    out["checkins"].append({CHECKIN_ID: cid, EMPLOYEE_ID: emp, COACH_ID: rec[COACH_ID] or None, DATE: date,
                            CONVERSATION_ID: rec.get(CONVERSATION_ID),
                            "n_updates": len(rec.get("updates") or []), "n_ratings": len(rec.get("ratings") or [])})
    for u in rec.get("updates") or []:
        out["checkin_updates"].append({CHECKIN_ID: cid, EMPLOYEE_ID: emp, DATE: date,
                                       CONVERSATION_ID: u[CONVERSATION_ID], ITEM_ID: u[ITEM_ID],
                                       STATUS: u[STATUS], "note": u.get("note", ""),
                                       "reason": u.get("reason", "")})
    for r in rec.get("ratings") or []:
        if r.get(SELF_RATING) is None and r.get(COACH_RATING) is None:
            continue
        out["skill_ratings"].append({EMPLOYEE_ID: emp, DATE: date, SKILL: r[SKILL],
                                     SELF_RATING: r.get(SELF_RATING), COACH_RATING: r.get(COACH_RATING),
                                     "source": "checkin", RECORD_ID: cid, "saved_at": rec.get("saved_at")})
    return out


def is_draft(rec: dict) -> bool:
    """Whether a conversation or check-in record is a draft: the coach is still typing it, so it is not a fact yet
    (no check-in row is made of it, and no HR figure counts a draft conversation's)."""
    return rec.get(STATUS) == "draft"


def facts_digest(records: Iterable[dict]) -> str | None:
    """A short fingerprint of the records among ``records`` that are not drafts (:func:`is_draft`), in any order:
    it changes when one of them is added, changed or removed, and not when a draft is; None when all are drafts."""
    facts = sorted(json.dumps(rec, sort_keys=True, ensure_ascii=False, default=str)
                   for rec in records if not is_draft(rec))
    if not facts:
        return None
    return hashlib.blake2b("\n".join(facts).encode("utf-8"), digest_size=12).hexdigest()


def record_rows(rec: dict) -> dict[str, list[dict]]:
    """Rows for a conversation or a check-in record."""
    return checkin_rows(rec) if schema.record_kind(rec) == "checkin" else conversation_rows(rec)


def frames_from_records(records: Iterable[dict], tables: Iterable[str] | None = None) -> dict[str, pd.DataFrame]:
    """Typed DataFrames of the derived tables built from records.

    Parameters
    ----------
    records
        Conversation and check-in records, validated.
    tables
        Names of the tables wanted (default: all derived tables).

    Returns
    -------
    dict
        Table name -> DataFrame with exactly the schema's columns and dtypes,
        sorted by its key.
    """
    wanted = list(tables) if tables is not None else list(schema.DERIVED_TABLES)
    rows: dict[str, list[dict]] = defaultdict(list)
    for rec in records:
        for name, part in record_rows(rec).items():
            if name in wanted:
                rows[name].extend(part)
    return {name: rows_to_frame(rows.get(name, []), schema.DERIVED_TABLES[name]) for name in wanted}


def rows_to_frame(rows: list[dict], tbl: schema.Table) -> pd.DataFrame:
    """One typed frame from row dicts, sorted by the table's key."""
    if not rows:
        return tbl.empty()
    if tbl.key and len(rows) > 1:
        # sorting the dicts is much cheaper than sort_values on small frames
        rows = sorted(rows, key=lambda r: tuple((r.get(k) is None, r.get(k) if r.get(k) is not None else 0)
                                                for k in tbl.key))
    columns = {col.name: [r.get(col.name) for r in rows] for col in tbl.columns}
    return schema.coerce_frame(pd.DataFrame(columns, dtype=object), tbl)
