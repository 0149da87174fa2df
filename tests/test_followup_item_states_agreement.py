"""followup.item_state_columns (coded from pandas' text columns as they are) agrees with the version that coded
Python strings, on seeded random records of every kind of input the callers give.

The reference below is that earlier version, kept as the definition. The frames hold ties everywhere: several
conversations of one person on one day, several check-ins of one day numbered ``-2``/``-10``, repeated statuses,
drafts, items and updates of unknown conversations, a status repeated after a change, reasons, and text beyond
ASCII. Missing ids are left out: the derived tables require them (``string!``), and where the reference meets
one it can mistake the item for another (see the last test).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from careerconv.rules import cadence, followup
from careerconv.rules.followup import OPEN_STATUSES, _column, _texts, natural_rank
from careerconv.records.schema import CHECKIN_ID, CONVERSATION_ID, DATE, EMPLOYEE_ID, ITEM_ID, STATUS


def _codes(values):
    return pd.factorize(values, sort=True)[0].astype(np.int64)


def _pair_codes(first, second):
    a, b = _codes(first), _codes(second)
    return a * (b.max(initial=0) + 1) + b


def _tie_rank(key, ids):
    rank = np.zeros(len(key), dtype=np.int64)
    if len(key):
        _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
        tied = counts[inverse] > 1
        if tied.any():
            rank[tied] = natural_rank(ids[tied])
    return rank


def _reference(conversations, action_items, checkin_updates) -> dict[str, np.ndarray]:
    held = (_column(conversations, STATUS) == "completed")
    conv_id = _column(conversations, CONVERSATION_ID)[held]
    conv_emp = _column(conversations, EMPLOYEE_ID)[held]
    conv_date = _column(conversations, DATE, None)[held]
    emp_code, date_code = _codes(conv_emp), _codes(conv_date)
    order = np.lexsort((_tie_rank(emp_code * (date_code.max(initial=0) + 1) + date_code, conv_id),
                        date_code, emp_code))
    conv_id, conv_emp, conv_date, emp_code = conv_id[order], conv_emp[order], conv_date[order], emp_code[order]
    is_last = np.r_[emp_code[1:] != emp_code[:-1], True] if len(order) else np.zeros(0, dtype=bool)
    item_conv = _column(action_items, CONVERSATION_ID)
    item_id = _column(action_items, ITEM_ID)
    conv_of_item = pd.Index(conv_id).get_indexer(item_conv)
    agreed = np.flatnonzero(conv_of_item >= 0)
    agreed = agreed[np.lexsort((agreed, conv_of_item[agreed]))]
    at = conv_of_item[agreed]
    upd_conv = _column(checkin_updates, CONVERSATION_ID)
    upd_item = _column(checkin_updates, ITEM_ID)
    pair_codes = _pair_codes(np.r_[item_conv[agreed], upd_conv], np.r_[item_id[agreed], upd_item])
    item_pair, upd_pair = pair_codes[:len(agreed)], pair_codes[len(agreed):]
    upd_day = _codes(_column(checkin_updates, DATE, None))
    checkin = _column(checkin_updates, CHECKIN_ID)
    o = np.lexsort((_tie_rank(upd_pair * (upd_day.max(initial=0) + 1) + upd_day, checkin), upd_day, upd_pair))
    pair, status = upd_pair[o], _column(checkin_updates, STATUS)[o]
    date, checkin = _column(checkin_updates, DATE)[o], checkin[o]
    note, reason = (_texts(checkin_updates, column, len(o))[o] for column in ("note", "reason"))
    same_item = np.r_[False, pair[1:] == pair[:-1]]
    run = np.cumsum(~same_item | np.r_[True, status[1:] != status[:-1]]) - 1
    latest = np.r_[~same_item[1:], True] if len(o) else np.zeros(0, dtype=bool)
    run_start = np.flatnonzero(np.r_[True, run[1:] != run[:-1]]) if len(o) else np.zeros(0, dtype=np.int64)
    given = np.full(len(run_start), -1, dtype=np.int64)
    reason = np.array([r.strip() for r in reason], dtype=object) if "reason" in checkin_updates else reason
    with_reason = np.flatnonzero((status == "dropped") & (reason != ""))
    given[run[with_reason]] = with_reason
    final = np.flatnonzero(latest)
    found = pd.Index(pair[final]).get_indexer(item_pair) if len(final) else np.full(len(agreed), -1)
    hit = found >= 0
    row = final[np.where(hit, found, 0)] if len(final) else np.zeros(len(agreed), dtype=np.int64)

    def pick(values: np.ndarray, missing: Any) -> np.ndarray:
        if values.dtype.kind == "M":
            out = np.full(len(agreed), np.datetime64("NaT"), dtype=values.dtype)
        else:
            out = np.full(len(agreed), missing, dtype=object)
        out[hit] = values[row[hit]]
        return out

    item_status = pick(status, "open")
    why = given[run[row]] if len(final) else np.full(len(agreed), -1)
    reasons = np.where(hit & (why >= 0), reason[np.maximum(why, 0)] if len(o) else "", "")
    still_open = np.isin(item_status, OPEN_STATUSES)
    current = is_last[at]
    carried = ~current & hit & still_open
    return {
        EMPLOYEE_ID: conv_emp[at], CONVERSATION_ID: conv_id[at], "conversation_date": conv_date[at],
        ITEM_ID: item_id[agreed], "due": _column(action_items, "due")[agreed],
        STATUS: item_status, "status_date": pick(date, None), CHECKIN_ID: pick(checkin, None),
        "status_since": pick(date[run_start[run]] if len(o) else date, None),
        "note": pick(note, ""), "reason": np.where(item_status == "dropped", reasons, ""),
        "current": current, "carried_over": carried, "is_open": (current & still_open) | carried,
    }


def _records(rng: np.random.Generator):
    """Conversations, action items and check-in updates as lists of rows."""
    people = [f"E{i}" for i in range(int(rng.integers(1, 6)))] + ["Ä1", "E10"]
    days = pd.date_range("2024-01-01", periods=int(rng.integers(1, 8)), freq="17D")
    convs = []
    for n in range(int(rng.integers(0, 14))):
        emp, day = str(rng.choice(people)), pd.Timestamp(rng.choice(days))
        convs.append((f"{emp}-{day:%Y%m%d}-{rng.choice(['', '-2', '-10', '-9'])}{n}", emp, day,
                      str(rng.choice(["completed", "completed", "draft", "cancelled"]))))
    convs = list({c[0]: c for c in convs}.values())  # conversation ids are unique
    known = [c[0] for c in convs] + ["elsewhere"]
    items = []
    for conv in known:
        for item in rng.choice(["a1", "a2", "a10", "a9", "b"], int(rng.integers(0, 4)), replace=False):
            items.append((conv, str(item), days[0] if rng.random() < 0.5 else None))
    updates = []
    for n in range(int(rng.integers(0, 30))):
        conv, item, _ = items[int(rng.integers(len(items)))] if items and rng.random() < 0.9 \
            else (str(rng.choice(known)), "zz", None)
        day = pd.Timestamp(rng.choice(days))
        status = str(rng.choice(["open", "in_progress", "done", "dropped"]))
        note = ["", "ok", None][int(rng.integers(3))]
        reason = ["", " why ", None][int(rng.integers(3))] if status == "dropped" else ""
        updates.append((f"ci-{day:%Y%m%d}-{rng.choice(['2', '10', '9', '1'])}", day, conv, item, status, note, reason))
    return convs, items, updates


def _as_input(convs, items, updates, kind: str):
    conv_cols = [CONVERSATION_ID, EMPLOYEE_ID, DATE, STATUS]
    item_cols = [CONVERSATION_ID, ITEM_ID, "due"]
    upd_cols = [CHECKIN_ID, DATE, CONVERSATION_ID, ITEM_ID, STATUS, "note", "reason"]
    frames = [pd.DataFrame(rows, columns=cols) if rows else pd.DataFrame({c: [] for c in cols})
              for rows, cols in ((convs, conv_cols), (items, item_cols), (updates, upd_cols))]
    for frame in frames:
        for column in frame.columns:
            if column in (DATE, "due"):
                frame[column] = pd.to_datetime(frame[column])
            elif kind == "dicts":
                pass
            else:
                frame[column] = frame[column].astype({"str": "str", "string": "string", "object": object}[kind])
    if kind == "dicts":
        return [{c: frame[c].tolist() for c in frame.columns} for frame in frames]
    return frames


def _same(got: dict, want: dict) -> None:
    assert list(got) == list(want)
    for name in want:
        a, b = np.asarray(got[name]), np.asarray(want[name])
        assert a.dtype == b.dtype, name
        assert len(a) == len(b), name
        assert pd.Series(a, dtype=object).equals(pd.Series(b, dtype=object)), name
    # What the callers make of them: the same frame, with the same types (text ids as pandas infers them).
    pd.testing.assert_frame_equal(pd.DataFrame(got), pd.DataFrame(want))


@pytest.mark.parametrize("kind", ["str", "string", "object", "dicts"])
@pytest.mark.parametrize("seed", range(60))
def test_item_state_columns_agree_with_the_reference(seed, kind):
    convs, items, updates = _records(np.random.default_rng(seed))
    args = _as_input(convs, items, updates, kind)
    _same(followup.item_state_columns(*args), _reference(*args))


@pytest.mark.parametrize("kind", ["str", "string"])
@pytest.mark.parametrize("seed", range(30))
def test_cadence_states_agree_with_the_reference(seed, kind, monkeypatch):
    convs, items, updates = _records(np.random.default_rng(seed))
    conversations, action_items, checkin_updates = _as_input(convs, items, updates, kind)
    conversations = conversations.assign(cadence_months=None, next_due=None, follow_up_mode=None,
                                         follow_up_every_weeks=None)
    action_items[EMPLOYEE_ID] = "E0"
    checkin_updates[EMPLOYEE_ID] = "E0"
    tables = {"conversations": conversations, "action_items": action_items, "checkin_updates": checkin_updates}
    day = pd.Timestamp("2024-02-20")
    got = cadence.action_item_states(tables, day)
    monkeypatch.setattr(followup, "item_state_columns", _reference)
    pd.testing.assert_frame_equal(got, cadence.action_item_states(tables, day))


def test_an_update_of_an_item_without_id_is_no_update_of_another_item():
    conversations = pd.DataFrame({CONVERSATION_ID: ["c1", "c2"], EMPLOYEE_ID: ["E1", "E2"],
                                  DATE: pd.to_datetime(["2024-01-01", "2024-01-01"]),
                                  STATUS: ["completed", "completed"]})
    items = pd.DataFrame({CONVERSATION_ID: ["c1", "c2"], ITEM_ID: ["a2", "a1"], "due": [None, None]})
    updates = pd.DataFrame({CHECKIN_ID: ["ci-1"], DATE: pd.to_datetime(["2024-01-02"]), CONVERSATION_ID: ["c2"],
                            ITEM_ID: [None], STATUS: ["done"]}).astype({ITEM_ID: object})
    states = followup.item_state_columns(conversations, items, updates)
    assert list(states[STATUS]) == ["open", "open"]
