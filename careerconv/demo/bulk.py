"""A very large synthetic organisation, written straight into the derived tables.

:mod:`careerconv.demo.organisation` writes an organisation the way the product does: one
JSON record per conversation and check-in, through the store. That is right
for tens of thousands of people, but half a million employees with ten million
skill ratings would be millions of small files. This module builds such an
organisation with vectorised NumPy draws (seeded, so the same arguments give
the same tables) and writes only what analytics reads:

* ``roster.csv``, through :meth:`careerconv.records.store.Store.save_roster`;
* every derived table of :data:`careerconv.records.schema.DERIVED_TABLES`, with exactly
  the store's columns and types, through
  :meth:`careerconv.records.store.Store.bulk_write_derived`, which lays them out as
  the store does and writes the manifest saying that no record file stands
  behind the tables, so a later :meth:`~careerconv.records.store.Store.refresh` keeps them.

There are no record files, so the per-employee report cannot open these
people; the folder is for HR analytics and its benchmark
(``benchmarks/make_hr_bench_data.py``). A folder that holds records is never
touched.

The organisation: departments of very different sizes (the smallest few are
below any sensible minimum group size), about eight people per coach,
conversations every 6 or 12 months (some people drift overdue, a few never had
one), 3–5 skills per conversation rated 1–10 by the employee and usually by the
coach, targets at 6/12/18 months, three options per skill (one chosen; the kind
of the chosen option changes how fast the rating grows), action items, and
check-ins between conversations that update the items and re-rate skills.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from careerconv.records import schema
from careerconv.records.schema import (
    CADENCE_MONTHS, CHECKIN_ID, COACH_ID, COACH_RATING, CONVERSATION_ID, DATE, DEPARTMENT, EMPLOYEE_ID, HORIZON_MONTHS,
    ITEM_ID, RECORD_ID, SELF_RATING, SKILL, STATUS,
)
from careerconv.records.store import RECORD_KINDS, Store, arrow_schema, bucket_of

__all__ = ["BulkSummary", "generate_bulk", "DEPARTMENTS", "SKILLS", "MAX_EMPLOYEES"]

MAX_EMPLOYEES = 5_000_000
DAY = np.timedelta64(1, "D")

# (name, share of the organisation); the last ones are deliberately tiny.
DEPARTMENTS: tuple[tuple[str, float], ...] = (
    ("Engineering", 0.31), ("Sales", 0.18), ("Customer Success", 0.15), ("Operations", 0.12),
    ("Marketing", 0.09), ("Finance", 0.07), ("People", 0.05), ("Legal", 0.02), ("Executive Office", 0.01),
)
SKILLS: tuple[str, ...] = (
    "SQL", "Python", "System design", "Public speaking", "Negotiation", "Stakeholder management",
    "Project management", "Data analysis", "Written communication", "Giving feedback", "Coaching others",
    "Financial modelling", "Customer empathy", "Prioritisation", "Leadership", "Product discovery",
)
# Per department, the skills it favours (indices into SKILLS); everyone can pick any skill.
_FAVOURED = {
    "Engineering": (0, 1, 2, 7), "Sales": (4, 3, 5, 12), "Customer Success": (12, 5, 8, 9),
    "Operations": (6, 7, 13, 5), "Marketing": (8, 3, 7, 15), "Finance": (11, 0, 7, 5),
    "People": (9, 10, 3, 8), "Legal": (8, 4, 5, 13), "Executive Office": (14, 5, 3, 13),
}
# Option kinds, a few wordings each, and how much the chosen kind speeds growth.
_OPTION_TEXTS: tuple[tuple[str, tuple[str, ...], float], ...] = (
    ("course", ("Take an online course on {s}", "Join the classroom training on {s}"), 1.0),
    ("mentoring", ("Find a mentor who is strong in {s}", "Join the mentoring programme for {s}"), 1.2),
    ("stretch project", ("Take on a stretch project that needs {s}", "Lead a stretch assignment using {s}"), 1.3),
    ("practice", ("Practise {s} for two hours every week", "Set up a weekly practice routine for {s}"), 1.1),
    ("reading", ("Read a well-regarded book on {s}", "Work through a reading list on {s}"), 0.7),
    ("shadowing", ("Shadow a colleague who is excellent at {s}",), 0.9),
    ("conference", ("Attend a conference with a {s} track",), 0.8),
    ("certification", ("Prepare for a recognised {s} certification",), 1.0),
)
_ITEM_TEXTS = ("Book time with my coach", "Pick the first module", "Ask for feedback after the next meeting",
               "Share what I learned with the team", "Agree the scope with my coach")
_DREAM_TEXTS = ("Lead a team of my own", "Speak at an industry conference", "Work abroad for a year",
                "Move into a product role", "Mentor new joiners", "Become a recognised expert")
_SOURCE = "bulk"
_CHUNK = 25_000


@dataclass
class BulkSummary:
    """What :func:`generate_bulk` wrote."""

    data_dir: Path
    employees: int
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def __str__(self) -> str:
        counts = ", ".join(f"{name} {n:,}" for name, n in self.rows.items())
        return f"{self.data_dir}: {self.employees:,} employees; {counts} ({self.seconds:.1f} s)"


def generate_bulk(data_dir: str | Path, employees: int, *, seed: int = 7, as_of: dt.date = dt.date(2026, 10, 1),
                  years: float = 3.0, checkin_rating_rate: float = 0.55, overwrite: bool = False) -> BulkSummary:
    """Write a large synthetic organisation into ``data_dir`` as derived Parquet tables.

    Parameters
    ----------
    data_dir
        Target data folder; created if missing.
    employees
        Number of people on the roster (10 to 5,000,000).
    seed
        Seed of every random draw.
    as_of
        No record is dated on or after this day.
    years
        Years of history before ``as_of`` (1 to 10).
    checkin_rating_rate
        Chance that a check-in re-rates a given skill (0 to 1); tunes how many
        skill ratings there are (about 20 per employee at 0.2 over 2.5 years,
        about 38 at the default over 3 years).
    overwrite
        Replace derived tables and roster that an earlier run wrote.

    Returns
    -------
    BulkSummary
        Row counts per table.

    Raises
    ------
    ValueError
        For out-of-range arguments.
    FileExistsError
        If the folder holds record files (conversations/check-ins), or already
        holds a roster or derived tables and ``overwrite`` is False.
    """
    import time

    started = time.perf_counter()
    if isinstance(employees, bool) or not isinstance(employees, (int, np.integer)) or \
            not 10 <= employees <= MAX_EMPLOYEES:
        raise ValueError(f"employees must be a whole number from 10 to {MAX_EMPLOYEES:,}, got {employees!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
    if not 1 <= float(years) <= 10:
        raise ValueError(f"years must be from 1 to 10, got {years!r}")
    if not 0 <= float(checkin_rating_rate) <= 1:
        raise ValueError(f"checkin_rating_rate must be from 0 to 1, got {checkin_rating_rate!r}")
    if not isinstance(as_of, dt.date):
        raise ValueError(f"as_of must be a date, got {as_of!r}")
    root = Path(data_dir)
    store = Store(root)
    for kind in RECORD_KINDS:
        folder = store.records_dir(kind)
        if folder.is_dir() and any(folder.iterdir()):
            raise FileExistsError(f"{root} holds record files ({folder.name}/); bulk tables are only written "
                                  "into a folder without records")
    if (store.roster_path.exists() or store.derived_dir.exists()) and not overwrite:
        raise FileExistsError(f"{root} already holds a roster or derived tables; pass overwrite=True "
                              "(--force) to replace them")

    seeds = np.random.SeedSequence(int(seed))
    org = _roster(np.random.default_rng(seeds.spawn(1)[0]), int(employees))
    store.save_roster(org["roster"], source="bulk demo roster")
    buckets = np.array([bucket_of(e) for e in org["roster"][EMPLOYEE_ID]], dtype=np.int16)
    rows = {name: 0 for name in schema.DERIVED_TABLES}
    with store.bulk_write_derived(source=_SOURCE) as writer:
        # Chunks of employees keep memory flat; each chunk has its own random stream, so the result
        # depends only on the arguments.
        n_chunks = -(-int(employees) // _CHUNK)
        for chunk, chunk_seed in zip(range(n_chunks), seeds.spawn(n_chunks + 1)[1:]):
            part = slice(chunk * _CHUNK, min((chunk + 1) * _CHUNK, int(employees)))
            sub = {key: org[key][part] for key in ("ids", "coach", "dept", "cadence")}
            tables = _history(np.random.default_rng(chunk_seed), sub, np.datetime64(as_of, "D"), float(years),
                              float(checkin_rating_rate))
            for name, tbl in schema.DERIVED_TABLES.items():
                cols = tables.get(name)
                if cols and len(cols["_emp"]):
                    rows[name] += writer.append(name, _arrow(tbl, cols),
                                                pa.array(buckets[part][cols["_emp"]].astype(np.int64)))
    return BulkSummary(store.root, int(employees), rows, time.perf_counter() - started)


# --------------------------------------------------------------------------- the organisation


def _roster(rng: np.random.Generator, n: int) -> dict:
    shares = np.array([s for _, s in DEPARTMENTS])
    dept = rng.choice(len(DEPARTMENTS), size=n, p=shares / shares.sum())
    dept.sort(kind="stable")
    width = max(6, len(str(n)))
    ids = np.char.add("E", np.char.zfill(np.arange(1, n + 1).astype(str), width))
    # Roughly one coach per eight people, within the department.
    coach = np.empty(n, dtype=object)
    for d in range(len(DEPARTMENTS)):
        members = np.flatnonzero(dept == d)
        if not len(members):
            continue
        n_coaches = max(1, len(members) // 8)
        heads = members[:n_coaches]
        coach[members] = ids[heads[rng.integers(0, n_coaches, size=len(members))]]
        coach[heads] = ids[0]  # department heads are coached by the first head
    cadence = np.where(rng.random(n) < 0.6, 6, 12)
    roster = pd.DataFrame({
        EMPLOYEE_ID: ids.astype(object), "name": np.char.add("Employee ", ids).astype(object),
        COACH_ID: coach, DEPARTMENT: np.array([d for d, _ in DEPARTMENTS], dtype=object)[dept],
        "role": "", CADENCE_MONTHS: cadence, "email": "",
    })
    return {"roster": roster, "dept": dept, "cadence": cadence, "ids": ids.astype(object), "coach": coach}


def _history(rng: np.random.Generator, org: dict, end: np.datetime64, years: float, ci_rate: float) -> dict:
    """Every derived table as a dict of column arrays (employee index in ``_emp``)."""
    n = len(org["ids"])
    cadence = org["cadence"]
    begin = end - np.timedelta64(int(years * 365.25), "D")
    # Conversation dates: a first one within the first cadence, then every cadence (+- 3 weeks); some
    # people drift (a long delay) and a few never had one.
    first = begin + (rng.random(n) * cadence * 30.4).astype("timedelta64[D]")
    never = rng.random(n) < 0.05
    conv_emp, conv_date, conv_no = [], [], []
    date = first.copy()
    alive = ~never
    for number in range(int(years * 2) + 2):
        alive &= date < end
        idx = np.flatnonzero(alive)
        conv_emp.append(idx)
        conv_date.append(date[idx])
        conv_no.append(np.full(len(idx), number))
        step = cadence * 30.4 + rng.normal(0, 10, n)
        step += np.where(rng.random(n) < 0.08, rng.uniform(60, 240, n), 0)  # drifting overdue
        date = date + step.astype("timedelta64[D]")
    c_emp = np.concatenate(conv_emp)
    c_date = np.concatenate(conv_date).astype("datetime64[D]")
    c_no = np.concatenate(conv_no)
    order = np.lexsort((c_date, c_emp))
    c_emp, c_date, c_no = c_emp[order], c_date[order], c_no[order]
    n_conv = len(c_emp)
    last_of_emp = np.r_[c_emp[1:] != c_emp[:-1], True] if n_conv else np.zeros(0, bool)
    draft = last_of_emp & (c_date > end - 30 * DAY) & (rng.random(n_conv) < 0.3)
    c_id = _ids(org["ids"][c_emp], c_date, "")
    every_weeks = rng.choice([2, 4, 6, 8], size=n_conv)

    # Each employee has a personal list of five skills (department-favoured first) and a latent level
    # and growth speed per skill; a conversation discusses the first 3-5 of them.
    fav = np.array([_FAVOURED[d] for d, _ in DEPARTMENTS])[org["dept"]]
    others = rng.integers(0, len(SKILLS), size=(n, 3))
    personal = np.concatenate([fav[np.arange(n)[:, None], rng.permuted(np.tile(np.arange(4), (n, 1)), axis=1)[:, :2]],
                               others], axis=1)
    personal = _dedupe_rows(personal, rng)
    level0 = np.clip(rng.normal(4.5, 1.6, size=(n, 5)), 1, 9)
    speed = rng.gamma(2.0, 0.45, size=(n, 5))  # rating points per year
    kind_of = rng.integers(0, len(_OPTION_TEXTS), size=(n, 5))  # chosen option kind per personal skill
    kind_boost = np.array([g for _, _, g in _OPTION_TEXTS])[kind_of]

    n_sk = rng.integers(3, 6, size=n_conv)
    cs_conv = np.repeat(np.arange(n_conv), n_sk)
    cs_slot = np.arange(len(cs_conv)) - np.repeat(np.cumsum(n_sk) - n_sk, n_sk)
    cs_emp = c_emp[cs_conv]
    years_in = (c_date[cs_conv] - begin) / np.timedelta64(365, "D")

    def level_at(emp, slot, t_years, noise):
        base = level0[emp, slot] + speed[emp, slot] * kind_boost[emp, slot] * t_years
        return np.clip(np.rint(base + rng.normal(0, noise, len(emp))), 1, 10).astype(np.int64)

    self_rating = level_at(cs_emp, cs_slot, years_in, 0.6)
    has_coach = rng.random(len(cs_conv)) < 0.75
    coach_rating = np.clip(self_rating - rng.choice([-1, 0, 0, 1, 1, 2], size=len(cs_conv)), 1, 10)
    skill_idx = personal[cs_emp, cs_slot]
    skill_name = np.array(SKILLS, dtype=object)[skill_idx]

    tables: dict[str, dict] = {}
    tables["conversations"] = {
        "_emp": c_emp, CONVERSATION_ID: c_id, EMPLOYEE_ID: org["ids"][c_emp], COACH_ID: org["coach"][c_emp],
        DATE: c_date, "question_set": "career-conversation", "question_set_version": "1",
        STATUS: np.where(draft, "draft", "completed").astype(object), "source": _SOURCE,
        CADENCE_MONTHS: cadence[c_emp], "next_due": None, "follow_up_mode": "one-on-one",
        "follow_up_every_weeks": every_weeks, "completed_at": None, "n_dreams": 3, "n_skills": n_sk,
        "n_action_items": 2, "goals_seconds": None, "action_plan_seconds": None, "next_steps_seconds": None,
    }
    tables["dreams"] = _repeat_rows(tables["conversations"], 3, lambda k, m: {
        "rank": k + 1, "text": np.array(_DREAM_TEXTS, dtype=object)[(c_emp + k) % len(_DREAM_TEXTS)]})
    kinds = kind_of[cs_emp, cs_slot]
    chosen_text = _option_text(kinds, skill_idx, 0)
    tables["skills"] = {
        "_emp": cs_emp, CONVERSATION_ID: c_id[cs_conv], EMPLOYEE_ID: org["ids"][cs_emp], DATE: c_date[cs_conv],
        SKILL: skill_name, SELF_RATING: self_rating, COACH_RATING: np.where(has_coach, coach_rating, -1),
        "ten_looks_like": "Confident and recognised for it", "approach": chosen_text, "chosen_option": chosen_text,
        "dream_rank": (cs_slot % 3) + 1, STATUS: tables["conversations"][STATUS][cs_conv],
    }
    # Targets: +1, +2, +3 (capped at 10) at 6, 12, 18 months.
    step = rng.choice([1, 1, 2], size=len(cs_conv))
    tgt = {h: np.minimum(self_rating + np.ceil(step * (i + 1) / 1.5).astype(np.int64), 10)
           for i, h in enumerate(schema.HORIZONS)}
    tables["targets"] = _concat([{
        "_emp": cs_emp, EMPLOYEE_ID: org["ids"][cs_emp], CONVERSATION_ID: c_id[cs_conv],
        DATE: c_date[cs_conv], SKILL: skill_name, "baseline": self_rating, HORIZON_MONTHS: h,
        "target": tgt[h]} for h in schema.HORIZONS])
    option_rows = []
    for k in range(3):
        other_kind = (kinds + k * 3) % len(_OPTION_TEXTS) if k else kinds
        option_rows.append({
            "_emp": cs_emp, CONVERSATION_ID: c_id[cs_conv], EMPLOYEE_ID: org["ids"][cs_emp],
            DATE: c_date[cs_conv], SKILL: skill_name, "option_no": k + 1,
            "text": _option_text(other_kind, skill_idx, k), "pros": "Fits my week", "cons": "Takes time",
            "chosen": np.full(len(cs_conv), k == 0)})
    tables["options"] = _concat(option_rows)
    item_due = c_date + rng.integers(30, 120, size=n_conv) * DAY
    tables["action_items"] = _repeat_rows(tables["conversations"], 2, lambda k, m: {
        ITEM_ID: f"A{k + 1}", "text": np.array(_ITEM_TEXTS, dtype=object)[(c_emp + k) % len(_ITEM_TEXTS)],
        "due": item_due + k * 30 * DAY, "owner": "employee", SKILL: ""})

    # Check-ins every few months until the next conversation (or the end).
    next_date = np.where(np.r_[c_emp[1:] == c_emp[:-1], False], np.r_[c_date[1:], c_date[-1:]] if n_conv else c_date,
                         end)
    ci_conv, ci_date = [], []
    gap = rng.integers(60, 110, size=n_conv)
    for j in range(1, 7):
        d = c_date + (gap * j) * DAY
        ok = (d < next_date) & (d < end) & ~draft
        ci_conv.append(np.flatnonzero(ok))
        ci_date.append(d[ok])
    ci_conv = np.concatenate(ci_conv)
    ci_date = np.concatenate(ci_date).astype("datetime64[D]")
    ci_emp = c_emp[ci_conv]
    ci_id = _ids(org["ids"][ci_emp], ci_date, "-ci")
    tables["checkins"] = {
        "_emp": ci_emp, CHECKIN_ID: ci_id, EMPLOYEE_ID: org["ids"][ci_emp], COACH_ID: org["coach"][ci_emp],
        DATE: ci_date, CONVERSATION_ID: c_id[ci_conv], "n_updates": 2, "n_ratings": 0,
    }
    # Item updates: progress with time since the conversation.
    elapsed = (ci_date - c_date[ci_conv]) / DAY
    upd = []
    for k in range(2):
        u = rng.random(len(ci_conv))
        status = np.where(u < elapsed / 400, "done", np.where(u < elapsed / 250, "in_progress", "open")).astype(object)
        dropped = rng.random(len(ci_conv)) < 0.03
        status[dropped] = "dropped"
        upd.append({"_emp": ci_emp, CHECKIN_ID: ci_id, EMPLOYEE_ID: org["ids"][ci_emp], DATE: ci_date,
                    CONVERSATION_ID: c_id[ci_conv], ITEM_ID: f"A{k + 1}", STATUS: status,
                    "note": "Discussed in the one-on-one", "reason": np.where(dropped, "No longer relevant", "")})
    tables["checkin_updates"] = _concat(upd)
    # Check-in ratings: each skill of the conversation with probability ci_rate.
    ci_n_sk = n_sk[ci_conv]
    rep = np.repeat(np.arange(len(ci_conv)), ci_n_sk)
    slot = np.arange(len(rep)) - np.repeat(np.cumsum(ci_n_sk) - ci_n_sk, ci_n_sk)
    keep = rng.random(len(rep)) < ci_rate
    rep, slot = rep[keep], slot[keep]
    r_emp = ci_emp[rep]
    r_years = (ci_date[rep] - begin) / np.timedelta64(365, "D")
    r_self = level_at(r_emp, slot, r_years, 0.6)
    r_coach = np.where(rng.random(len(rep)) < 0.3, np.clip(r_self - rng.choice([-1, 0, 1, 1], size=len(rep)), 1, 10),
                       -1)
    n_ratings = np.bincount(rep, minlength=len(ci_conv))
    tables["checkins"]["n_ratings"] = n_ratings
    tables["skill_ratings"] = _concat([
        {"_emp": cs_emp, EMPLOYEE_ID: org["ids"][cs_emp], DATE: c_date[cs_conv], SKILL: skill_name,
         SELF_RATING: self_rating, COACH_RATING: np.where(has_coach, coach_rating, -1),
         "source": "conversation", RECORD_ID: c_id[cs_conv]},
        {"_emp": r_emp, EMPLOYEE_ID: org["ids"][r_emp], DATE: ci_date[rep],
         SKILL: np.array(SKILLS, dtype=object)[personal[r_emp, slot]], SELF_RATING: r_self,
         COACH_RATING: r_coach, "source": "checkin", RECORD_ID: ci_id[rep]},
    ])
    tables["answers"] = {"_emp": np.zeros(0, np.int64)}
    return tables


def _dedupe_rows(personal: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Make the five personal skills of each row distinct (re-draw clashes from the unused skills)."""
    out = personal.copy()
    for col in range(1, out.shape[1]):
        while True:
            clash = (out[:, [col]] == out[:, :col]).any(axis=1)
            if not clash.any():
                break
            out[clash, col] = rng.integers(0, len(SKILLS), size=int(clash.sum()))
    return out


def _ids(employee_ids: np.ndarray, dates: np.ndarray, infix: str) -> np.ndarray:
    """Record ids like the store's (``E000001-20250314``), suffixed ``-2``, ``-3`` on a clash."""
    stamp = pd.to_datetime(dates).strftime("%Y%m%d").to_numpy(dtype=object)
    base = pd.Series(employee_ids, dtype=object) + infix + "-" + stamp
    dup = base.groupby(base).cumcount().to_numpy()
    out = base.to_numpy(dtype=object)
    if (dup > 0).any():
        out[dup > 0] = out[dup > 0] + "-" + (dup[dup > 0] + 1).astype(str).astype(object)
    return out


def _option_text(kinds: np.ndarray, skills: np.ndarray, variant: int) -> np.ndarray:
    bank = np.array([[texts[(variant + j) % len(texts)].format(s=s) for s in SKILLS]
                     for _, texts, _ in _OPTION_TEXTS for j in (0,)], dtype=object)
    return bank[kinds, skills]


def _repeat_rows(base: dict, times: int, extra) -> dict:
    m = len(base["_emp"])
    parts = []
    for k in range(times):
        part = {"_emp": base["_emp"], CONVERSATION_ID: base[CONVERSATION_ID],
                EMPLOYEE_ID: base[EMPLOYEE_ID], DATE: base[DATE]}
        part.update(extra(k, m))
        parts.append(part)
    return _concat(parts)


def _concat(parts: list[dict]) -> dict:
    n_rows = [len(p["_emp"]) for p in parts]
    out = {}
    for key in parts[0]:
        arrays = []
        for p, m in zip(parts, n_rows):
            value = p[key]
            arrays.append(value if isinstance(value, np.ndarray) else np.full(m, value, dtype=object))
        out[key] = np.concatenate(arrays)
    return out


# --------------------------------------------------------------------------- writing


def _arrow(tbl: schema.Table, cols: dict) -> pa.Table:
    """Column arrays to an Arrow table with exactly the store's schema for ``tbl`` (-1 marks a missing int)."""
    n = len(cols["_emp"])
    table_schema = arrow_schema(tbl)
    arrays = []
    for fld, col in zip(table_schema, tbl.columns):
        value = cols.get(col.name)
        if not isinstance(value, np.ndarray):
            value = np.full(n, value, dtype=object)
        if col.dtype == "date":
            if value.dtype == object:
                arrays.append(pa.array(pd.to_datetime(pd.Series(value)).to_numpy(dtype="datetime64[ns]"),
                                       type=fld.type))
            else:
                arrays.append(pa.array(value.astype("datetime64[ns]"), type=fld.type))
        elif col.dtype == "Int64" and value.dtype.kind in "iu":
            arrays.append(pa.array(value.astype(np.int64), mask=value < 0, type=fld.type))
        elif col.dtype == "Int64":
            arrays.append(pa.array(value, type=fld.type, from_pandas=True))
        else:
            arrays.append(pa.array(value, type=fld.type, from_pandas=True))
    return pa.Table.from_arrays(arrays, schema=table_schema)
