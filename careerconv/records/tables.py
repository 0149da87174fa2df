"""Records to tidy rows: the pure half of the derived tables.

A conversation or check-in record (a dict, as the store keeps it) becomes rows of
the tables declared in :mod:`careerconv.records.schema`. No disk I/O here: the store
calls these to build its cache, and reports call them on one employee's records
without touching the cache.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

import pandas as pd

from . import schema as S


def _seconds(record: dict, section: str) -> float | None:
    timing = (record.get("sections") or {}).get(section) or {}
    value = timing.get("seconds")
    return float(value) if isinstance(value, (int, float)) else None


def conversation_rows(rec: dict) -> dict[str, list[dict]]:
    """Rows of every derived table contributed by one conversation record."""
    conv, emp, date = rec["conversation_id"], rec["employee_id"], rec["date"]
    fu = rec.get("follow_up") or {}
    out: dict[str, list[dict]] = defaultdict(list)
    out["conversations"].append({
        "conversation_id": conv, "employee_id": emp, "coach_id": rec["coach_id"] or None, "date": date,
        "question_set": rec["question_set"], "question_set_version": rec["question_set_version"],
        "status": rec["status"], "source": rec.get("source"), "cadence_months": rec.get("cadence_months"),
        "next_due": rec.get("next_due"), "follow_up_mode": fu.get("mode"),
        "follow_up_every_weeks": fu.get("every_weeks"), "completed_at": rec.get("completed_at"),
        "n_dreams": len(rec.get("dreams") or []), "n_skills": len(rec.get("skills") or []),
        "n_action_items": len(rec.get("action_items") or []),
        "goals_seconds": _seconds(rec, "goals"), "action_plan_seconds": _seconds(rec, "action_plan"),
        "next_steps_seconds": _seconds(rec, "next_steps"),
    })
    for d in rec.get("dreams") or []:
        out["dreams"].append({"conversation_id": conv, "employee_id": emp, "date": date, "rank": d["rank"],
                              "text": d.get("text", "")})
    for s in rec.get("skills") or []:
        chosen = next((o.get("text", "") for o in s.get("options") or [] if o.get("chosen")), None)
        out["skills"].append({
            "conversation_id": conv, "employee_id": emp, "date": date, "skill": s["skill"],
            "self_rating": s.get("self_rating"), "coach_rating": s.get("coach_rating"),
            "ten_looks_like": s.get("ten_looks_like", ""), "approach": s.get("approach", ""),
            "chosen_option": chosen, "dream_rank": s.get("dream_rank"), "status": rec["status"],
        })
        if s.get("self_rating") is not None or s.get("coach_rating") is not None:
            out["skill_ratings"].append({
                "employee_id": emp, "date": date, "skill": s["skill"], "self_rating": s.get("self_rating"),
                "coach_rating": s.get("coach_rating"),
                "source": "import" if str(rec.get("source", "")).startswith("import") else "conversation",
                "record_id": conv, "saved_at": rec.get("saved_at"),
            })
        for h in S.HORIZONS:
            target = (s.get("targets") or {}).get(str(h))
            if target is not None:
                out["targets"].append({"employee_id": emp, "conversation_id": conv, "date": date,
                                       "skill": s["skill"], "baseline": s.get("self_rating"),
                                       "horizon_months": h, "target": target})
        for n, o in enumerate(s.get("options") or [], start=1):
            out["options"].append({"conversation_id": conv, "employee_id": emp, "date": date, "skill": s["skill"],
                                   "option_no": n, "text": o.get("text", ""), "pros": o.get("pros", ""),
                                   "cons": o.get("cons", ""), "chosen": bool(o.get("chosen"))})
    for it in rec.get("action_items") or []:
        out["action_items"].append({"conversation_id": conv, "employee_id": emp, "date": date,
                                    "item_id": it["item_id"], "text": it.get("text", ""), "due": it.get("due"),
                                    "owner": it.get("owner", ""), "skill": it.get("skill", "")})
    for qid, answer in (rec.get("answers") or {}).items():
        if answer is None or answer == "" or answer == []:
            continue
        text = "\n".join(map(str, answer)) if isinstance(answer, list) else str(answer)
        out["answers"].append({"conversation_id": conv, "employee_id": emp, "date": date, "question_id": qid,
                               "text": text})
    return out


def checkin_rows(rec: dict) -> dict[str, list[dict]]:
    """Rows of every derived table contributed by one check-in record (none while it is a draft)."""
    out: dict[str, list[dict]] = defaultdict(list)
    if rec.get("status") == "draft":
        return out  # the coach is still typing it: not a fact yet
    cid, emp, date = rec["checkin_id"], rec["employee_id"], rec["date"]
    out["checkins"].append({"checkin_id": cid, "employee_id": emp, "coach_id": rec["coach_id"] or None, "date": date,
                            "conversation_id": rec.get("conversation_id"),
                            "n_updates": len(rec.get("updates") or []), "n_ratings": len(rec.get("ratings") or [])})
    for u in rec.get("updates") or []:
        out["checkin_updates"].append({"checkin_id": cid, "employee_id": emp, "date": date,
                                       "conversation_id": u["conversation_id"], "item_id": u["item_id"],
                                       "status": u["status"], "note": u.get("note", ""),
                                       "reason": u.get("reason", "")})
    for r in rec.get("ratings") or []:
        if r.get("self_rating") is None and r.get("coach_rating") is None:
            continue
        out["skill_ratings"].append({"employee_id": emp, "date": date, "skill": r["skill"],
                                     "self_rating": r.get("self_rating"), "coach_rating": r.get("coach_rating"),
                                     "source": "checkin", "record_id": cid, "saved_at": rec.get("saved_at")})
    return out


def record_rows(rec: dict) -> dict[str, list[dict]]:
    """Rows for a conversation or a check-in record."""
    return checkin_rows(rec) if rec.get("kind") == "checkin" or "checkin_id" in rec else conversation_rows(rec)


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
    wanted = list(tables) if tables is not None else list(S.DERIVED_TABLES)
    rows: dict[str, list[dict]] = defaultdict(list)
    for rec in records:
        for name, part in record_rows(rec).items():
            if name in wanted:
                rows[name].extend(part)
    return {name: rows_to_frame(rows.get(name, []), S.DERIVED_TABLES[name]) for name in wanted}


def rows_to_frame(rows: list[dict], tbl: S.Table) -> pd.DataFrame:
    """One typed frame from row dicts, sorted by the table's key."""
    if not rows:
        return tbl.empty()
    if tbl.key and len(rows) > 1:
        # sorting the dicts is much cheaper than sort_values on small frames
        rows = sorted(rows, key=lambda r: tuple((r.get(k) is None, r.get(k) if r.get(k) is not None else 0)
                                                for k in tbl.key))
    columns = {col.name: [r.get(col.name) for r in rows] for col in tbl.columns}
    return S.coerce_frame(pd.DataFrame(columns, dtype=object), tbl)
