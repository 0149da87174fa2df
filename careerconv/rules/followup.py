"""The follow-up rules: what was agreed last time and what became of it.

One home for the rules that the coach's app, the due list
(:mod:`careerconv.rules.cadence`), the progress measurement
(:mod:`careerconv.rules.progress`), the employee report and HR analytics
(:mod:`careerconv.analytics`) share. Every function is pure: records (the
dicts :mod:`careerconv.records.schema` validates) or frames (the store's derived
tables) come in, new values go out, nothing touches the disk and nothing here
draws a widget.

Rules
-----
*Natural id order.* Ids are compared with their digit runs read as numbers
(:func:`natural_key`), so ``E1-ci-20240201-10`` comes after
``E1-ci-20240201-2``: the store numbers the records of one day in the order
they were created.

*The last completed conversation* is the latest by date, and on one day the
last by id in natural order (:func:`last_completed`). Drafts are work in
progress, never a plan.

*Ratings of one day* are ordered by when they were recorded
(:func:`recorded_order`): the save time (``saved_at``, compared in UTC; a
rating without one was recorded before any with one), then the source (an
import, then a check-in, then a conversation), then the record id. Of two
ratings of one skill on one day the later in this order counts: a coach who
re-rates a skill in a check-in saved after the conversation, the same day,
corrects it.

*Check-ins of one day* are ordered by id in natural order (the store numbers
them as they are created; the derived tables carry no time of day).

*An action item's status* is that of the latest check-in update mentioning
it (by check-in date, then id in natural order); ``open`` while none does
(:func:`action_item_states`). Open means ``open`` or ``in_progress``.
``status_since`` is the date of the first check-in of the latest run giving
the item its current status (so a completed item keeps the day it was done),
and a dropped item keeps the latest reason given since it was dropped.

*Carried-over items* are items of an earlier completed conversation that a
check-in kept alive: their latest status is ``open`` or ``in_progress``.
Items of an earlier conversation that no check-in ever mentioned were
replaced by the newer plan. A person's *open items* are the open items of
their last completed conversation, then the carried-over ones.

Skill names are compared with :func:`careerconv.records.schema.skill_key` (case and
spacing do not matter).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from careerconv.records import schema
from careerconv.records.schema import (
    CHECKIN_ID, COACH_RATING, CONVERSATION_ID, DATE, EMPLOYEE_ID, ITEM_ID, RECORD_ID, SELF_RATING, SKILL, STATUS,
)

__all__ = [
    "OPEN_STATUSES",
    "ITEM_STATUS_LABELS",
    "item_status_label",
    "SOURCE_PRIORITY",
    "RECORDED_ORDER_COLUMNS",
    "ITEM_STATE_COLUMNS",
    "natural_key",
    "natural_rank",
    "sort_natural",
    "recorded_key",
    "recorded_order",
    "last_recorded",
    "completed_conversations",
    "last_completed",
    "action_item_states",
    "item_state_columns",
    "ItemState",
    "RatingPoint",
    "SkillState",
    "PreviousPlan",
    "item_states",
    "open_items",
    "rating_points",
    "latest_ratings",
    "previous_plan",
]

OPEN_STATUSES: tuple[str, ...] = ("open", "in_progress")
# An action item's status as a person reads it, in the order a coach picks one (the app's buttons).
ITEM_STATUS_LABELS: dict[str, str] = {"open": "Open", "in_progress": "In progress", "done": "Done",
                                      "dropped": "Dropped"}

# The source decides between ratings of one day saved at the same time (or with no save time):
# the most deliberate wins, a conversation over a check-in over an import.
SOURCE_PRIORITY: dict[str, int] = {"import": 0, "checkin": 1, "conversation": 2}

# The sort keys :func:`recorded_order` gives, in the order they are compared.
RECORDED_ORDER_COLUMNS: tuple[str, ...] = ("saved", "priority", "record")

# What :func:`action_item_states` returns, one row per action item.
ITEM_STATE_COLUMNS: tuple[str, ...] = (
    EMPLOYEE_ID,
    CONVERSATION_ID,
    "conversation_date",
    ITEM_ID,
    "due",
    STATUS,
    "status_date",
    CHECKIN_ID,
    "status_since",
    "note",
    "reason",
    "current",
    "carried_over",
    "is_open",
)

_UNKNOWN_TIME = np.iinfo(np.int64).min  # a rating without a readable save time: before any with one
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


# --------------------------------------------------------------------------- natural id order

_DIGITS = re.compile(r"(\d+)")


def item_status_label(status: str) -> str:
    """An action item's status as a person reads it ("In progress"); an unknown status as it is."""
    return ITEM_STATUS_LABELS.get(status, status)


def natural_key(text: Any) -> tuple:
    """Sort key reading digit runs as numbers: ``a10`` after ``a9`` (None sorts as "")."""
    return tuple(int(p) if p.isdigit() else p for p in _DIGITS.split("" if text is None else str(text)))


def natural_rank(values: pd.Series | Sequence[Any]) -> np.ndarray:
    """Each value's position in natural order (equal values share a position).

    The key is computed once per distinct value, so this is cheap on a column
    with many repeats.
    """
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.StringDtype):  # hashed as it is
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        uniques = np.asarray(uniques, dtype=object)
    else:
        codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    order = sorted(range(len(uniques)), key=lambda i: natural_key(uniques[i]))
    rank = np.empty(len(uniques), dtype=np.int64)
    rank[order] = np.arange(len(uniques))
    return rank[codes]


def sort_natural(frame: pd.DataFrame, by: list[str], id_column: str) -> pd.DataFrame:
    """``frame`` sorted by ``by``, then by ``id_column`` in natural order (a stable sort).

    The natural key is computed only for rows that tie on ``by`` (several
    records of one person on one day are rare), which keeps this fast on
    millions of rows. A frame already in that order (as the callers' frames
    often are) is found so by comparing each row with the next, and not sorted.
    """
    same = _equal_to_next_if_sorted(frame, by)
    if same is None:
        tied = frame.duplicated(by, keep=False).to_numpy()
    else:  # in order: rows that tie are next to each other
        tied = np.r_[same, False] | np.r_[False, same]
    rank = np.zeros(len(frame), dtype=np.int64)
    if tied.any():
        rank[tied] = natural_rank(frame.loc[tied, id_column])
    if same is not None and not (same & (rank[1:] < rank[:-1])).any():
        return frame.copy(deep=False)
    return (frame.assign(_natural_rank=rank)
                 .sort_values([*by, "_natural_rank"], kind="stable")
                 .drop(columns="_natural_rank"))


def _equal_to_next_if_sorted(frame: pd.DataFrame, by: list[str]) -> np.ndarray | None:
    """If the rows are in ascending order of ``by`` (each row's values are the next one's, or come first), whether
    each row equals the next on all of ``by``; None if they are not in order or it cannot be told here (a missing
    value, or a column that is not text, dates or numbers)."""
    if len(frame) < 2:
        return np.zeros(max(len(frame) - 1, 0), dtype=bool)
    undecided = np.ones(len(frame) - 1, dtype=bool)  # equal on the columns so far
    for name in by:
        column = frame[name]
        if column.isna().any():
            return None
        if isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow":
            import pyarrow as pa
            import pyarrow.compute as pc

            values = pa.array(column, from_pandas=True)  # compared as pandas sorts them: by code point
            after, before = values[1:], values[:-1]
            less = pc.less(after, before).to_numpy(zero_copy_only=False)
            greater = pc.greater(after, before).to_numpy(zero_copy_only=False)
        elif column.dtype == object or (isinstance(column.dtype, np.dtype) and column.dtype.kind in "iufM"):
            values = column.to_numpy()
            try:
                less, greater = values[1:] < values[:-1], values[1:] > values[:-1]
            except TypeError:  # values that do not compare (mixed types)
                return None
            if less.dtype != bool:
                return None
        else:
            return None
        if (undecided & less).any():
            return None
        undecided &= ~greater
    return undecided


# --------------------------------------------------------------------------- same-day order of ratings


def recorded_key(source: Any, record_id: Any, saved_at: Any) -> tuple[int, int, str]:
    """Where one rating stands among the ratings of its day: later keys were recorded later.

    The same-day rule of the product: of two ratings of one skill on one day,
    the one with the larger key counts. The key is the save time
    (``saved_at``, ISO 8601 text or a datetime, compared in UTC as
    microseconds; a time without an offset is UTC; a rating without a
    readable one was recorded before any with one), then the source
    (:data:`SOURCE_PRIORITY`: an import, then a check-in, then a
    conversation; any other source before all of them), then the record id,
    so the choice is reproducible. Of ratings whose keys are equal (one
    record holding a skill twice), the higher rating counts: progress, the
    report and the HR tables all decide so, whatever the order of the rows.
    """
    priority = SOURCE_PRIORITY.get(source, -1) if isinstance(source, str) else -1
    return _saved_us(saved_at), priority, str(record_id)


def _saved_us(value: Any) -> int:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return _UNKNOWN_TIME
    if not isinstance(value, dt.datetime) or pd.isna(value):
        return _UNKNOWN_TIME
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return (value - _EPOCH) // dt.timedelta(microseconds=1)


def recorded_order(ratings: pd.DataFrame) -> pd.DataFrame:
    """:func:`recorded_key` of every row of ``ratings``, as sort keys.

    Meant for the few ratings that share a day (one Python call per row).

    Parameters
    ----------
    ratings : pandas.DataFrame
        Rows with ``source`` and ``record_id``, and optionally ``saved_at``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`RECORDED_ORDER_COLUMNS`: ``saved`` (int64
        microseconds, smallest for unknown), ``priority`` (int64) and
        ``record`` (str), on the index of ``ratings``.
    """
    saved = ratings["saved_at"] if "saved_at" in ratings.columns else [None] * len(ratings)
    keys = [recorded_key(source, record, when)
            for source, record, when in zip(ratings["source"], ratings[RECORD_ID], saved)]
    return pd.DataFrame(keys or None, columns=list(RECORDED_ORDER_COLUMNS), index=ratings.index) \
        .astype({"saved": np.int64, "priority": np.int64, "record": object})


def last_recorded(ratings: pd.DataFrame, by: Sequence[str]) -> np.ndarray:
    """Per row: is it the rating recorded last among the rows sharing its ``by`` values?

    ``by`` names one person's skill on one day (for example employee, skill
    and day); the answer follows :func:`recorded_order`. A row alone in its
    group is its group's last; rows of a group that tie on every key of
    :func:`recorded_order` are all last. Only rows that share a group are
    ordered, so this is cheap when several ratings of a skill on one day are
    rare.

    Parameters
    ----------
    ratings : pandas.DataFrame
        The ``by`` columns, ``source``, ``record_id`` and optionally
        ``saved_at``.
    by : sequence of str
        The columns naming a group.

    Returns
    -------
    numpy.ndarray of bool
        One value per row of ``ratings``, in its order.
    """
    out = np.ones(len(ratings), dtype=bool)
    if not len(ratings):
        return out
    tied = np.flatnonzero(ratings.duplicated(list(by), keep=False).to_numpy())
    if not len(tied):
        return out
    rows = ratings.iloc[tied]
    keys = recorded_order(rows).reset_index(drop=True)
    group = rows.groupby(list(by), sort=False, dropna=False).ngroup().to_numpy()
    keys["group"] = group
    columns = list(RECORDED_ORDER_COLUMNS)
    # The largest key of each group, compared column after column (not the largest value of each column).
    best = keys.sort_values(["group", *columns], kind="stable").drop_duplicates("group", keep="last")
    best = best.set_index("group").reindex(group)
    out[tied] = np.logical_and.reduce([keys[c].to_numpy() == best[c].to_numpy() for c in columns])
    return out


# --------------------------------------------------------------------------- conversations


def completed_conversations(conversations: Iterable[dict], *, before: dt.date | str | None = None) -> list[dict]:
    """Completed conversations, oldest first, optionally only those dated before ``before``.

    Parameters
    ----------
    conversations
        Conversation records of one employee (any order; drafts are skipped).
    before
        A date (or ISO text); conversations on or after it are left out.

    Returns
    -------
    list of dict
        Sorted by date, then by id in natural order.
    """
    cutoff = schema.iso(schema.parse_date(before)) if before is not None else None
    done = [c for c in conversations if c.get(STATUS) == "completed"]
    if cutoff is not None:
        done = [c for c in done if c[DATE] < cutoff]
    return sorted(done, key=lambda c: (c[DATE], natural_key(c[CONVERSATION_ID])))


def last_completed(conversations: Iterable[dict], *, before: dt.date | str | None = None) -> dict | None:
    """The latest completed conversation (before ``before`` if given), or None."""
    done = completed_conversations(conversations, before=before)
    return done[-1] if done else None


# --------------------------------------------------------------------------- action items (frames)


def action_item_states(conversations: pd.DataFrame, action_items: pd.DataFrame,
                       checkin_updates: pd.DataFrame) -> pd.DataFrame:
    """The state of every action item agreed in a completed conversation.

    The one implementation of the action-item rules (see the module
    docstring); the due list applies it to the derived tables known on a day,
    the app to one person's records.

    Parameters
    ----------
    conversations : pandas.DataFrame
        ``conversation_id, employee_id, date, status`` (drafts are left out).
    action_items : pandas.DataFrame
        ``conversation_id, item_id, due``, each conversation's items in the
        order they were agreed.
    checkin_updates : pandas.DataFrame
        ``checkin_id, date, conversation_id, item_id, status``, and optionally
        ``note`` and ``reason``.

    Dates may be ISO text or timestamps (compared as given; use one kind per
    column).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ITEM_STATE_COLUMNS`, one row per item of a completed
        conversation, sorted by employee, conversation date and conversation
        id (natural order), items in the order given. ``status_date`` and
        ``checkin_id`` are those of the item's latest update (missing while no
        check-in mentioned it; when a check-in repeats the status it had, that
        is the repeat); ``status_since`` the date of the first update of the
        latest run giving the current status; ``note`` is the latest update's
        and ``reason`` the latest reason given since a dropped item was
        dropped ("" otherwise). ``current`` marks items of the employee's last
        completed conversation; ``carried_over`` items of an earlier one that
        a check-in kept open; ``is_open`` the items still to follow up (open
        current items and carried-over ones).
    """
    out = pd.DataFrame(item_state_columns(conversations, action_items, checkin_updates))
    for column in ("due", "status_date", CHECKIN_ID, "status_since"):  # missing: None, whatever pandas inferred
        out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out.loc[:, list(ITEM_STATE_COLUMNS)]


def item_state_columns(conversations: Mapping[str, Any], action_items: Mapping[str, Any],
                       checkin_updates: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`action_item_states` as columns (name -> array), from columns (DataFrames or dicts of lists).

    The arrays are NumPy arrays, except ids and statuses read from pandas' text columns: those come as pandas'
    default text type when every one is present (what a DataFrame would make of them as strings).

    The computation itself: NumPy over whole columns of integer codes (no per-row Python, no pandas joins; each
    text column is hashed once, and read as text only where it is shown or ties), so one person's handful of
    records costs little and a whole organisation stays vectorised.
    """
    held = _equals(conversations, STATUS, "completed")
    conv_row = np.flatnonzero(held)  # the ids are read as text only where they are shown or tie
    conv_date = _column(conversations, DATE, None)[held]
    # Codes of a part of a column keep the order and equality of the column's codes, so the codes of every
    # row (cheap on pandas' text columns) are taken where only some rows count.
    emp_code, date_code = _joint_codes([(conversations, EMPLOYEE_ID)])[0][held], _codes(conv_date)
    order = np.lexsort((_tie_rank(emp_code * (date_code.max(initial=0) + 1) + date_code,
                                  conversations, CONVERSATION_ID, conv_row), date_code, emp_code))
    conv_row, conv_date, emp_code = conv_row[order], conv_date[order], emp_code[order]
    is_last = np.r_[emp_code[1:] != emp_code[:-1], True] if len(order) else np.zeros(0, dtype=bool)

    # One numbering of the conversation ids of the three tables, one of the item ids: an item and its updates
    # are matched by whole numbers (a missing id matches a missing id only).
    conv_codes = _equality_codes([(conversations, CONVERSATION_ID), (action_items, CONVERSATION_ID),
                                  (checkin_updates, CONVERSATION_ID)])
    conv_of_item = _positions(conversations, conv_codes, held, order, action_items)
    agreed = np.flatnonzero(conv_of_item >= 0)
    agreed = agreed[np.lexsort((agreed, conv_of_item[agreed]))]  # conversations in order, items as agreed
    at = conv_of_item[agreed]

    item_codes = _equality_codes([(action_items, ITEM_ID), (checkin_updates, ITEM_ID)])
    width = int(max(codes.max(initial=-1) for codes in item_codes)) + 1
    item_pair = conv_codes[1][agreed] * width + item_codes[0][agreed]
    upd_pair = conv_codes[2] * width + item_codes[1]
    o = _updates_in_order(upd_pair, _codes(_column(checkin_updates, DATE, None)), checkin_updates)
    pair = upd_pair[o]
    code_of_row, statuses = _status_codes(checkin_updates)
    status = code_of_row[o]  # a code among ``statuses``
    date = _column(checkin_updates, DATE)[o]
    same_item = np.r_[False, pair[1:] == pair[:-1]]
    run = np.cumsum(~same_item | np.r_[True, status[1:] != status[:-1]]) - 1
    latest = np.r_[~same_item[1:], True] if len(o) else np.zeros(0, dtype=bool)
    run_start = np.flatnonzero(np.r_[True, run[1:] != run[:-1]]) if len(o) else np.zeros(0, dtype=np.int64)
    # A dropped item's reason: the latest one given in the run of "dropped" it is in.
    given = np.full(len(run_start), -1, dtype=np.int64)
    reason = np.array([r.strip() for r in _texts(checkin_updates, "reason", len(o))[o]], dtype=object) \
        if "reason" in checkin_updates else np.full(len(o), "", dtype=object)
    with_reason = np.flatnonzero(_label_is(statuses, "dropped")[status] & (reason != ""))
    given[run[with_reason]] = with_reason  # rows in order: the latest one stays

    final = np.flatnonzero(latest)  # each updated item's latest update, in ascending order of the pairs
    at_final = np.minimum(np.searchsorted(pair[final], item_pair), max(len(final) - 1, 0))
    hit = pair[final][at_final] == item_pair if len(final) else np.zeros(len(agreed), dtype=bool)
    row = final[at_final] if len(final) else np.zeros(len(agreed), dtype=np.int64)

    def pick(values: np.ndarray, missing: Any) -> np.ndarray:
        if values.dtype.kind == "M":  # dates given as datetime64 stay so (missing: NaT)
            out = np.full(len(agreed), np.datetime64("NaT"), dtype=values.dtype)
        else:
            out = np.full(len(agreed), missing, dtype=object)
        out[hit] = values[row[hit]]
        return out

    labels = np.append(statuses, np.array(["open"], dtype=object))  # the last one: never updated
    item_status = np.where(hit, status[row] if len(o) else 0, len(statuses))
    checkin = np.full(len(agreed), None, dtype=object)
    checkin[hit] = _column_at(checkin_updates, CHECKIN_ID, o[row[hit]])
    why = given[run[row]] if len(final) else np.full(len(agreed), -1)
    reasons = np.where(hit & (why >= 0), reason[np.maximum(why, 0)] if len(o) else "", "")
    still_open = _label_is(labels, *OPEN_STATUSES)[item_status]
    current = is_last[at]
    carried = ~current & hit & still_open
    return {
        EMPLOYEE_ID: _gather(conversations, EMPLOYEE_ID, conv_row[at]),
        CONVERSATION_ID: _gather(conversations, CONVERSATION_ID, conv_row[at]), "conversation_date": conv_date[at],
        ITEM_ID: _gather(action_items, ITEM_ID, agreed), "due": _column(action_items, "due")[agreed],
        STATUS: _labelled(labels, item_status, checkin_updates), "status_date": pick(date, None), CHECKIN_ID: checkin,
        "status_since": pick(date[run_start[run]] if len(o) else date, None),
        "note": pick(_texts(checkin_updates, "note", len(o))[o], "") if "note" in checkin_updates
        else np.full(len(agreed), "", dtype=object),
        "reason": np.where(_label_is(labels, "dropped")[item_status], reasons, ""),
        "current": current, "carried_over": carried, "is_open": (current & still_open) | carried,
    }


def _equality_codes(parts: Sequence[tuple[Mapping[str, Any], str]]) -> list[np.ndarray]:
    """Whole numbers from 0, equal where the values of several columns ``(columns, name)`` are (in any order;
    missing values share one number of their own), split by column. Pandas' text columns are hashed as they are
    (Arrow's, without copying them into one)."""
    texts = _text_columns(parts)
    chunks = _arrow_chunks(texts) if texts is not None else None
    if chunks is not None:
        import pyarrow as pa

        encoded = pa.chunked_array(chunks, type=chunks[0].type).dictionary_encode(null_encoding="encode")
        codes = np.concatenate([np.zeros(0, dtype=np.int64)] + [c.indices.to_numpy(zero_copy_only=False)
                                                                 for c in encoded.chunks]).astype(np.int64)
    elif texts is not None:
        joined = pd.concat([v.astype(texts[0].dtype) for v in texts], ignore_index=True)
        codes = pd.factorize(joined, use_na_sentinel=False)[0].astype(np.int64)
    else:
        codes = pd.factorize(np.concatenate([_column(columns, name) for columns, name in parts]),
                             use_na_sentinel=False)[0].astype(np.int64)
    return np.split(codes, np.cumsum([len(columns[name]) for columns, name in parts])[:-1])


def _arrow_chunks(texts: list[pd.Series]) -> list | None:
    """The Arrow chunks holding the text columns, if every one is held by Arrow in one type (else None; None too
    when there is no chunk at all, as in empty columns, which pandas numbers as well)."""
    import pyarrow as pa

    arrays = [getattr(v.array, "_pa_array", None) for v in texts]
    if any(not isinstance(a, pa.ChunkedArray) for a in arrays) or len({a.type for a in arrays}) != 1:
        return None
    return [chunk for a in arrays for chunk in a.chunks] or None


def _positions(conversations: Mapping[str, Any], conv_codes: list[np.ndarray], held: np.ndarray,
               order: np.ndarray, action_items: Mapping[str, Any]) -> np.ndarray:
    """For each action item, the position of its conversation among the held conversations in ``order``
    (-1: none), as ``pandas.Index.get_indexer`` finds it (missing ids match each other); ``conv_codes`` are the
    :func:`_equality_codes` of the conversations' and the items' ids (first two)."""
    conv_code, item_code = conv_codes[0][held][order], conv_codes[1]
    if not len(conv_code) or np.bincount(conv_code).max() == 1:  # else get_indexer says why it cannot
        position = np.full(int(max(conv_code.max(initial=-1), item_code.max(initial=-1))) + 1, -1, dtype=np.int64)
        position[conv_code] = np.arange(len(conv_code))
        return position[item_code]
    conv_id = _column(conversations, CONVERSATION_ID)[held][order]
    return pd.Index(conv_id).get_indexer(_column(action_items, CONVERSATION_ID))


def _updates_in_order(pair: np.ndarray, day: np.ndarray, checkin_updates: Mapping[str, Any]) -> np.ndarray:
    """The order of the updates by item (``pair``), day, then check-in id in natural order (a stable sort)."""
    days = int(day.max(initial=0)) + 1
    if int(pair.max(initial=0)) < (2 ** 62) // days:  # one whole number per item and day
        key = pair * days + day
        o = np.argsort(key, kind="stable")
        keys = [key[o]]
    else:
        o = np.lexsort((day, pair))
        keys = [day[o], pair[o]]
    same = np.logical_and.reduce([k[1:] == k[:-1] for k in keys]) if len(o) else np.zeros(0, dtype=bool)
    if not same.any():
        return o
    # Updates of one item on one day: their check-ins in natural order (ranked as they come in the table).
    tied = np.zeros(len(o), dtype=bool)
    tied[o[np.r_[same, False] | np.r_[False, same]]] = True
    rank = np.zeros(len(o), dtype=np.int64)
    rank[tied] = natural_rank(_column_at(checkin_updates, CHECKIN_ID, np.flatnonzero(tied)))
    return o[np.lexsort((rank[o], *keys))]


def _status_codes(checkin_updates: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """The statuses of the updates as codes (equal statuses, equal codes) and the status of each code (objects,
    as :func:`_column` gives them)."""
    texts = _text_columns([(checkin_updates, STATUS)])
    if texts is not None:
        codes, uniques = pd.factorize(texts[0], use_na_sentinel=False)
        return codes.astype(np.int64), np.asarray(uniques, dtype=object)
    values = _column(checkin_updates, STATUS)
    codes = pd.factorize(values, use_na_sentinel=False)[0].astype(np.int64)
    _, first = np.unique(codes, return_index=True)
    return codes, values[first]


def _label_is(labels: np.ndarray, *names: str) -> np.ndarray:
    """Whether each label is one of ``names`` (a missing label is not)."""
    return np.array([isinstance(label, str) and label in names for label in labels], dtype=bool)


def _labelled(labels: np.ndarray, codes: np.ndarray, columns: Mapping[str, Any]) -> Any:
    """``labels[codes]``, or as pandas' default text type when the statuses of ``columns`` are a pandas text column
    and every label chosen is present (what a DataFrame would infer from them)."""
    if len(codes) and _text_columns([(columns, STATUS)]) is not None:
        chosen = np.unique(codes)
        if all(isinstance(label, str) for label in labels[chosen]):
            return pd.array(labels, dtype=schema.TEXT_DTYPE).take(codes)
    return labels[codes]


def _codes(values: np.ndarray) -> np.ndarray:
    """Integer codes of ``values`` in sorted order (equal values, equal codes)."""
    return pd.factorize(values, sort=True)[0].astype(np.int64)


def _text_columns(parts: Sequence[tuple[Mapping[str, Any], str]]) -> list[pd.Series] | None:
    """The columns ``(columns, name)`` if every one is a pandas Series of pandas' text type, else None."""
    found = [columns[name] for columns, name in parts]
    if all(isinstance(v, pd.Series) and isinstance(v.dtype, pd.StringDtype) for v in found):
        return found
    return None


def _joint_codes(parts: Sequence[tuple[Mapping[str, Any], str]]) -> list[np.ndarray]:
    """:func:`_codes` of the values of several columns ``(columns, name)`` together, split by column.

    Pandas' text columns are coded as they are (turning them into Python strings first is several times
    slower); text sorts the same either way, by code point.
    """
    texts = _text_columns(parts)
    if texts is not None:
        joined = pd.concat([v.astype(texts[0].dtype) for v in texts], ignore_index=True)
        codes = pd.factorize(joined, sort=True)[0].astype(np.int64)
    else:
        codes = _codes(np.concatenate([_column(columns, name) for columns, name in parts]))
    return np.split(codes, np.cumsum([len(columns[name]) for columns, name in parts])[:-1])


def _equals(columns: Mapping[str, Any], name: str, value: str) -> np.ndarray:
    """Whether each value of a column is ``value`` (a missing one is not)."""
    texts = _text_columns([(columns, name)])
    if texts is not None:
        return texts[0].eq(value).fillna(False).to_numpy(dtype=bool)
    return _column(columns, name) == value


def _tie_rank(key: np.ndarray, columns: Mapping[str, Any], name: str, rows: np.ndarray | None = None) -> np.ndarray:
    """The natural rank of the ids ``_column(columns, name)[rows]`` (every row without ``rows``) among rows sharing
    ``key`` (0 for rows alone: only ties are ranked, and only their ids are read)."""
    rank = np.zeros(len(key), dtype=np.int64)
    tied = pd.Series(key, copy=False).duplicated(keep=False).to_numpy()
    if tied.any():
        tied_rows = np.flatnonzero(tied)
        rank[tied] = natural_rank(_column_at(columns, name, tied_rows if rows is None else rows[tied_rows]))
    return rank


def _column_at(columns: Mapping[str, Any], name: str, rows: np.ndarray) -> np.ndarray:
    """``_column(columns, name)[rows]``, converting only those rows of a pandas column."""
    values = columns[name]
    if isinstance(values, pd.Series) and not _stays_datetime64(values):
        return values.array.take(rows).to_numpy(dtype=object)
    return _column(columns, name)[rows]


def _gather(columns: Mapping[str, Any], name: str, rows: np.ndarray) -> Any:
    """``_column(columns, name)[rows]``, or what a DataFrame makes of it: a pandas text column whose chosen values
    are all present (and at least one) gives them as pandas' default text type, which a DataFrame infers from
    such strings, without turning each into a Python str."""
    values = columns[name]
    if len(rows) and isinstance(values, pd.Series) and isinstance(values.dtype, pd.StringDtype):
        taken = values.array.take(rows)
        if not taken.isna().any():
            return taken.astype(schema.TEXT_DTYPE)
    return _column_at(columns, name, rows)


def _column(columns: Mapping[str, Any], name: str, dtype: Any = object) -> np.ndarray:
    """One column of a DataFrame or a dict of lists, as a NumPy array.

    A datetime64 column of a DataFrame stays datetime64 (turning millions of dates into Timestamp
    objects costs seconds); everything else is an array of ``dtype``.
    """
    values = columns[name]
    if isinstance(values, pd.Series):
        if _stays_datetime64(values):
            return values.to_numpy()
        return values.to_numpy(dtype=dtype)
    return np.asarray(values, dtype=dtype)


def _stays_datetime64(values: pd.Series) -> bool:
    """Whether :func:`_column` gives a pandas column as datetime64 (dates without a time zone), not objects."""
    return values.dtype.kind == "M" and getattr(values.dtype, "tz", None) is None


def _texts(columns: Mapping[str, Any], name: str, n: int) -> np.ndarray:
    """A text column as an object array ("" where missing, or everywhere if there is no such column)."""
    if name not in columns:
        return np.full(n, "", dtype=object)
    return np.array(["" if v is None or v is pd.NA or v != v else str(v) for v in _column(columns, name)],
                    dtype=object)


# --------------------------------------------------------------------------- one person's records


@dataclass(frozen=True)
class ItemState:
    """One action item of a completed conversation and its latest status.

    Attributes
    ----------
    conversation_id, conversation_date
        The conversation the item was agreed in (``conversation_date`` ISO).
    item_id, text, due, owner, skill
        As stored in the conversation (``due`` ISO date or None).
    status
        ``open``, ``in_progress``, ``done`` or ``dropped``.
    note
        From the latest check-in that mentioned the item ("" if none).
    reason
        Why a dropped item was dropped: the latest reason given since it was
        dropped ("" for any other status), so a later check-in that mentions
        the item again without a reason does not lose it.
    updated_on
        ISO date of the latest check-in that mentioned the item, or None.
    checkin_id
        Id of that check-in, or None.
    carried_over
        True for an item of an earlier conversation that is still being worked on.
    status_since
        ISO date of the check-in that set the current status: the first of the
        latest run of check-ins giving this status (for ``done``, the day it was
        completed; a later check-in repeating "done" does not move it). None for
        an item no check-in mentioned.
    """

    conversation_id: str
    conversation_date: str
    item_id: str
    text: str
    due: str | None
    owner: str
    skill: str
    status: str = "open"
    note: str = ""
    reason: str = ""
    updated_on: str | None = None
    checkin_id: str | None = None
    carried_over: bool = False
    status_since: str | None = None

    @property
    def is_open(self) -> bool:
        """True while the item still needs work (open or in progress)."""
        return self.status in OPEN_STATUSES

    @property
    def completed_on(self) -> str | None:
        """ISO date of the check-in that marked the item done, or None while it is not done."""
        return self.status_since if self.status == "done" else None

    @property
    def dropped_on(self) -> str | None:
        """ISO date of the check-in that dropped the item, or None while it is not dropped."""
        return self.status_since if self.status == "dropped" else None

    def is_overdue(self, as_of: dt.date) -> bool:
        """True if the item is open and its due date is before ``as_of``."""
        return self.is_open and self.due is not None and dt.date.fromisoformat(self.due) < as_of


@dataclass(frozen=True)
class RatingPoint:
    """A skill rating at a date, from a conversation or a check-in."""

    skill: str
    date: str
    self_rating: int | None
    coach_rating: int | None
    source: str  # "conversation" or "checkin"
    record_id: str


@dataclass(frozen=True)
class SkillState:
    """A skill of the previous plan with its targets and the latest rating since.

    Attributes
    ----------
    skill
        The name as written in the conversation.
    baseline, coach_baseline
        Self and coach rating given in the conversation.
    targets
        ``{6: int|None, 12: ..., 18: ...}`` months after the conversation.
    latest
        The latest rating of this skill on or after the conversation (may be the
        conversation's own rating), or None.
    ten_looks_like, approach, chosen_option, dream_rank
        As agreed in the conversation.
    """

    skill: str
    baseline: int | None
    coach_baseline: int | None
    targets: dict[int, int | None]
    latest: RatingPoint | None
    ten_looks_like: str = ""
    approach: str = ""
    chosen_option: str = ""
    dream_rank: int | None = None


@dataclass(frozen=True)
class PreviousPlan:
    """The last completed conversation and what became of its plan.

    ``conversation`` is None when the employee never completed one; every list
    is then empty.
    """

    conversation: dict | None
    dreams: tuple[dict, ...] = ()
    skills: tuple[SkillState, ...] = ()
    items: tuple[ItemState, ...] = ()
    carried_over: tuple[ItemState, ...] = ()
    checkins_since: int = 0
    last_checkin_date: str | None = None
    next_due: str | None = None
    answers: dict = field(default_factory=dict)

    @property
    def date(self) -> str | None:
        """ISO date of the previous conversation, or None."""
        return self.conversation[DATE] if self.conversation else None

    @property
    def conversation_id(self) -> str | None:
        """Id of the previous conversation, or None."""
        return self.conversation[CONVERSATION_ID] if self.conversation else None

    @property
    def open_items(self) -> tuple[ItemState, ...]:
        """Items still to follow up: the plan's open ones, then the carried-over ones."""
        return tuple(i for i in self.items if i.is_open) + self.carried_over


def item_states(conversations: Iterable[dict], checkins: Iterable[dict]) -> list[ItemState]:
    """Every action item of every completed conversation of one person with its latest status.

    :func:`action_item_states` applied to the records.

    Parameters
    ----------
    conversations
        Conversation records of one employee (drafts are ignored).
    checkins
        That employee's check-in records.

    Returns
    -------
    list of ItemState
        Oldest conversation first, items in the order they were agreed.
    """
    done = completed_conversations(conversations)
    agreed = {(c[CONVERSATION_ID], item[ITEM_ID]): item
              for c in done for item in c.get("action_items") or []}
    if not agreed:
        return []
    convs = {EMPLOYEE_ID: [""] * len(done), CONVERSATION_ID: [c[CONVERSATION_ID] for c in done],
             DATE: [c[DATE] for c in done], STATUS: ["completed"] * len(done)}
    items = {CONVERSATION_ID: [conv for conv, _ in agreed], ITEM_ID: [item for _, item in agreed],
             "due": [None] * len(agreed)}
    names = (CHECKIN_ID, DATE, CONVERSATION_ID, ITEM_ID, STATUS, "note", "reason")
    rows = [(ci[CHECKIN_ID], ci[DATE], upd.get(CONVERSATION_ID) or ci.get(CONVERSATION_ID),
             upd.get(ITEM_ID), upd.get(STATUS) or "open", upd.get("note") or "", upd.get("reason") or "")
            for ci in checkins for upd in ci.get("updates") or []]
    rows = [r for r in rows if r[2] and r[3]]
    updates = {name: [r[i] for r in rows] for i, name in enumerate(names)}
    states = item_state_columns(convs, items, updates)
    out = []
    for i in range(len(states[ITEM_ID])):
        row = {name: values[i] for name, values in states.items()}
        item = agreed[(row[CONVERSATION_ID], row[ITEM_ID])]
        out.append(ItemState(
            conversation_id=row[CONVERSATION_ID], conversation_date=row["conversation_date"],
            item_id=row[ITEM_ID], text=item.get("text") or "", due=item.get("due"),
            owner=item.get("owner") or "", skill=item.get(SKILL) or "", status=row[STATUS], note=row["note"],
            reason=row["reason"], updated_on=row["status_date"], checkin_id=row[CHECKIN_ID],
            carried_over=bool(row["carried_over"]), status_since=row["status_since"]))
    return out


def open_items(conversations: Iterable[dict], checkins: Iterable[dict]) -> list[ItemState]:
    """What a check-in follows up: open items of the last plan, then carried-over items.

    Parameters
    ----------
    conversations, checkins
        One employee's records.

    Returns
    -------
    list of ItemState
        Items of the last completed conversation that are open or in progress,
        followed by carried-over items of earlier conversations (oldest first).
        Empty if the employee has no completed conversation.
    """
    conversations = list(conversations)
    last = last_completed(conversations)
    if last is None:
        return []
    states = item_states(conversations, checkins)
    current = [s for s in states if s.conversation_id == last[CONVERSATION_ID] and s.is_open]
    carried = [s for s in states if s.carried_over]
    return current + carried


def rating_points(conversations: Iterable[dict], checkins: Iterable[dict]) -> list[RatingPoint]:
    """Every skill rating from completed conversations and check-ins, oldest first.

    Ratings of one day are in the order they were recorded
    (:func:`recorded_key`), so the one that counts comes last.
    """
    points: list[tuple[tuple, RatingPoint]] = []
    for conv in completed_conversations(conversations):
        source = "import" if str(conv.get("source") or "").startswith("import") else "conversation"
        key = (conv[DATE], *recorded_key(source, conv[CONVERSATION_ID], conv.get("saved_at")))
        for s in conv.get("skills") or []:
            if s.get(SELF_RATING) is None and s.get(COACH_RATING) is None:
                continue
            points.append((key, RatingPoint(s[SKILL], conv[DATE], s.get(SELF_RATING), s.get(COACH_RATING),
                                            "conversation", conv[CONVERSATION_ID])))
    for ci in checkins:
        key = (ci[DATE], *recorded_key("checkin", ci[CHECKIN_ID], ci.get("saved_at")))
        for r in ci.get("ratings") or []:
            if r.get(SELF_RATING) is None and r.get(COACH_RATING) is None:
                continue
            points.append((key, RatingPoint(r[SKILL], ci[DATE], r.get(SELF_RATING), r.get(COACH_RATING),
                                            "checkin", ci[CHECKIN_ID])))
    points.sort(key=lambda p: p[0])
    return [p for _, p in points]


def latest_ratings(conversations: Iterable[dict], checkins: Iterable[dict], *,
                   since: dt.date | str | None = None) -> dict[str, RatingPoint]:
    """The latest rating of each skill.

    Parameters
    ----------
    conversations, checkins
        One employee's records.
    since
        Ignore ratings dated before this day (ISO text or date).

    Returns
    -------
    dict
        ``skill_key(name) -> RatingPoint``. A point keeps the self rating and
        coach rating given together; a later point with only one of them still
        replaces the earlier point.
    """
    cutoff = schema.iso(schema.parse_date(since)) if since is not None else None
    out: dict[str, RatingPoint] = {}
    for p in rating_points(conversations, checkins):
        if cutoff is not None and p.date < cutoff:
            continue
        out[schema.skill_key(p.skill)] = p
    return out


def previous_plan(conversations: Sequence[dict], checkins: Sequence[dict], *,
                  before: dt.date | str | None = None) -> PreviousPlan:
    """The last completed conversation and what became of its plan.

    Parameters
    ----------
    conversations, checkins
        One employee's records, as the store returns them.
    before
        Look only at conversations dated before this day (e.g. the date of the
        conversation being held, so a conversation completed earlier today is
        not its own "previous" one). Check-ins are never cut off.

    Returns
    -------
    PreviousPlan
        Empty (``conversation`` None) if there is no completed conversation.
    """
    convs = list(conversations)
    if before is not None:
        convs = completed_conversations(convs, before=before)
    last = last_completed(convs)
    if last is None:
        return PreviousPlan(conversation=None)
    cis = list(checkins)
    states = item_states(convs, cis)
    own = tuple(s for s in states if s.conversation_id == last[CONVERSATION_ID])
    carried = tuple(s for s in states if s.carried_over)
    latest = latest_ratings(convs, cis, since=last[DATE])
    skills = []
    for s in last.get("skills") or []:
        chosen = next((o.get("text") or "" for o in s.get("options") or [] if o.get("chosen")), "")
        targets = {h: (s.get("targets") or {}).get(str(h)) for h in schema.HORIZONS}
        skills.append(SkillState(
            skill=s[SKILL], baseline=s.get(SELF_RATING), coach_baseline=s.get(COACH_RATING),
            targets=targets, latest=latest.get(schema.skill_key(s[SKILL])),
            ten_looks_like=s.get("ten_looks_like") or "", approach=s.get("approach") or "",
            chosen_option=chosen, dream_rank=s.get("dream_rank")))
    since = [c for c in cis if c[DATE] >= last[DATE]]
    last_ci = max(c[DATE] for c in since) if since else None
    dreams = tuple(sorted((dict(d) for d in last.get("dreams") or []), key=lambda d: d.get("rank") or 0))
    return PreviousPlan(conversation=last, dreams=dreams, skills=tuple(skills), items=own, carried_over=carried,
                        checkins_since=len(since), last_checkin_date=last_ci, next_due=last.get("next_due"),
                        answers=dict(last.get("answers") or {}))
