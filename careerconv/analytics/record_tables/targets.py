"""The pieces read from the measured targets: growth per skill (:func:`growth_piece`), target attainment
(:func:`attainment_piece`) and the rating gains per kind of chosen development option (:func:`option_kinds_piece`,
each target's plan found by :func:`plan_kinds`), with the grouping and averaging on whole numbers they share."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from careerconv.records import schema
from careerconv.records.schema import CONVERSATION_ID, EMPLOYEE_ID, HORIZON_MONTHS, SKILL
from careerconv.rules import progress
from careerconv.rules.option_kinds import KINDS, classify_options
from ..constants import DEPARTMENT, N, _GAIN_HORIZONS
from ..levels import (Piece, combined_codes, contributions, distinct_counts, key_frame,
                      level_piece)
from ..levels import summed_piece
from ..scope import ReportScope
from ..skills import distinct_names
from .codes import isin, positions
from .context import Context
from .measures import ATTAINMENT, GROWTH, OPTIONS


def growth_piece(measured_targets: pd.DataFrame, ctx: Context) -> Piece:
    """Growth per skill (and over all skills) at each horizon: per employee their mean measured change (only the
    people counted, with ``ctx.sizes_only``).

    Only targets whose horizon date has come count (:func:`_measured_at_horizon`), as in the targets reached.
    """
    kept = np.flatnonzero(_measured_at_horizon(measured_targets) & measured_targets[DEPARTMENT].notna().to_numpy())
    by = ["skill_id", HORIZON_MONTHS]
    measured = measured_targets.loc[:, [EMPLOYEE_ID, DEPARTMENT, *by, "t0", "measured_date"]].iloc[kept]
    growth = _change(measured_targets)[kept]
    measured["skill_id"] = measured["skill_id"].where(measured["skill_id"].isin(ctx.public), -2)
    codes = _sorted_codes(measured, [EMPLOYEE_ID, DEPARTMENT, *by])
    pieces = []
    for skill_filter in ("each", "all"):
        if skill_filter == "each":
            rows = np.flatnonzero(measured["skill_id"].to_numpy() >= 0)
            part, part_codes = measured.iloc[rows], {key: c[rows] for key, c in codes.items()}
        else:  # one skill: its code is 0
            part, part_codes = measured.assign(skill_id=-1), {**codes, "skill_id": np.zeros(len(measured), np.int64)}
            rows = np.arange(len(measured))
        per_emp, group, emp_codes = _sorted_groups(part, part_codes)
        per_emp["growth"] = _group_means(growth[rows], group, len(per_emp))
        if ctx.sizes_only:
            pieces.append(level_piece(per_emp, by, {}, ctx.scope, codes=emp_codes))
            continue
        per_emp["improved"] = per_emp["growth"] > 0
        pieces.append(level_piece(per_emp, by, GROWTH, ctx.scope, _twice_contributions(part, by, part_codes),
                                  codes=emp_codes))
    # "Each skill" and "all skills" have different skill ids: nothing adds up.
    return Piece.combine(pieces, disjoint=True)


def _change(measured_targets: pd.DataFrame) -> np.ndarray:
    """Each target's measured rating less its baseline (NaN where either is missing)."""
    return (measured_targets["measured_rating"].to_numpy(dtype=float, na_value=np.nan)
            - measured_targets["baseline"].to_numpy(dtype=float, na_value=np.nan))


def _sorted_codes(rows: pd.DataFrame, keys: list[str]) -> dict[str, np.ndarray]:
    """Per key, whole numbers in the sort order of its values (-1: missing): whole numbers from 0 to below 2**31
    are their own codes."""
    out = {}
    for key in keys:
        column = rows[key]
        values = column.to_numpy(dtype=np.int64) if column.dtype.kind == "i" and not column.hasnans else None
        usable = values is not None and (not len(values) or (values.min() >= 0 and values.max() < 2 ** 31))
        out[key] = values if usable else pd.factorize(column, sort=True, use_na_sentinel=True)[0]
    return out


def _sorted_groups(rows: pd.DataFrame, codes: dict[str, np.ndarray]) -> tuple[pd.DataFrame, np.ndarray,
                                                                             dict[str, np.ndarray]]:
    """The groups of ``rows.groupby(list(codes))`` worked out on the keys' codes (:func:`_sorted_codes`): their
    keys as pandas shows them, sorted (rows with a missing key left out); each row's group (-1: none); the codes
    of the groups' keys."""
    keys = list(codes)
    complete = np.flatnonzero(np.logical_and.reduce([codes[k] >= 0 for k in keys]))
    combined = combined_codes([codes[k][complete] for k in keys])  # in the order of the keys' values
    # Sorted, not hashed: the measured targets come sorted by employee, the first key, so a stable sort of the
    # nearly ordered numbers is about twice as fast as hashing them and sorting the distinct ones.
    order = np.argsort(combined, kind="stable")
    in_order = combined[order]
    starts = np.empty(len(in_order), dtype=bool)
    starts[:1] = True
    np.not_equal(in_order[1:], in_order[:-1], out=starts[1:])
    first = complete[order[starts]]  # each group's first row (the sort is stable), the groups in order
    group = np.full(len(rows), -1, dtype=np.int64)
    group[complete[order]] = np.cumsum(starts) - 1
    return key_frame(rows, keys, [codes[k][first] for k in keys], first), group, {k: codes[k][first] for k in keys}


def _group_means(value: np.ndarray, group: np.ndarray, groups: int) -> np.ndarray:
    """The mean of ``value`` (a float array) in each group (``group``: each row's, -1: none), as pandas'
    ``groupby().mean()`` works it out.

    Whole numbers (as rating changes are) are added up exactly in any order, so their sums are counted directly;
    pandas adds other numbers up in its own compensated way, so it adds them.
    """
    mine = group >= 0
    if not mine.any():
        return np.full(groups, np.nan)
    value, group = value[mine], group[mine]
    known = ~np.isnan(value)
    if np.abs(value[known]).sum() < 2 ** 53 and np.array_equal(value[known], np.round(value[known])):
        count = np.bincount(group[known], minlength=groups)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = np.bincount(group[known], weights=value[known], minlength=groups) / count
        return np.where(count > 0, means, np.nan)
    return pd.Series(value).groupby(group, sort=True).mean().reindex(range(groups)).to_numpy()


def _twice_contributions(rows: pd.DataFrame, by: list[str], codes: dict[str, np.ndarray]) -> pd.DataFrame:
    """:func:`careerconv.analytics.levels.contributions` of the rows on their ``t0`` and again on their
    ``measured_date`` (``codes``: the codes of their keys)."""
    # Each row counted twice in place, without copying the rows into a frame twice as long.
    twice = np.concatenate([np.arange(len(rows)), np.arange(len(rows))])
    dates = np.concatenate([rows["t0"].to_numpy(), rows["measured_date"].to_numpy()])
    return contributions(rows, by, {key: np.concatenate([c, c]) for key, c in codes.items()}, rows=twice,
                         dates=dates)


def _measured_at_horizon(measured_targets: pd.DataFrame) -> np.ndarray:
    """Which targets show a change at their horizon: their horizon date has come (by the report's as-of day) and
    they were measured, from a baseline.

    A rating measured before the horizon date (within the window) may still be replaced by one closer to it, so
    until the date has come the change is not the change after that many months; the targets reached count the
    same targets (:func:`careerconv.rules.progress.attainment_rate`).
    """
    return _due(measured_targets) & (measured_targets["measured_rating"].notna()
                                     & measured_targets["baseline"].notna()).to_numpy()


def _due(measured_targets: pd.DataFrame) -> np.ndarray:
    """Which targets are due: their horizon date has come by the report's as-of day."""
    return measured_targets["horizon_reached"].fillna(False).astype(bool).to_numpy()


def attainment_piece(measured_targets: pd.DataFrame, scope: ReportScope, *, sizes_only: bool = False) -> Piece:
    """Targets due, measured and reached at each horizon (counted by
    :func:`careerconv.rules.progress.attainment_rate`; only the people with targets due, with ``sizes_only``)."""
    rows = np.flatnonzero(_due(measured_targets) & measured_targets[DEPARTMENT].notna().to_numpy())
    columns = [EMPLOYEE_ID, DEPARTMENT, HORIZON_MONTHS, "t0", "measured_date"]
    if not sizes_only:
        columns += ["target", "horizon_reached", "window_open", "measured_rating"]
    due = measured_targets.loc[:, columns].iloc[rows]
    codes = _sorted_codes(due, [EMPLOYEE_ID, DEPARTMENT, HORIZON_MONTHS])
    inside = np.flatnonzero(due[DEPARTMENT].isin(scope.selected).to_numpy())
    due_inside = due if len(inside) == len(due) else due.iloc[inside]
    # The people of each department and horizon, as groupby([department, horizon]).nunique() counts them.
    inside_codes = {key: codes[key][inside] for key in (DEPARTMENT, HORIZON_MONTHS)}
    people, group, _ = _sorted_groups(due_inside, inside_codes)
    people[N] = distinct_counts(group, codes[EMPLOYEE_ID][inside], len(people))
    if sizes_only:  # the groups of the figures below, in their order
        sums = people.loc[:, [DEPARTMENT, HORIZON_MONTHS, N]] if len(people) \
            else pd.DataFrame({DEPARTMENT: [], HORIZON_MONTHS: [], N: []})
        return summed_piece(sums, [HORIZON_MONTHS], {})
    if not len(inside):
        sums = pd.DataFrame({c: [] for c in [HORIZON_MONTHS, DEPARTMENT, N, *ATTAINMENT]})
    else:  # counted as progress.attainment_rate counts, department by department
        sums = progress.attainment_rate(due_inside, by=[DEPARTMENT])
        sums[N] = people[N].to_numpy()  # the same groups, in the same order
    # Each target counted on its day and, if measured, again on the day it was measured (in place: see
    # _twice_contributions).
    measured = np.flatnonzero(due["measured_date"].notna().to_numpy())
    events = np.concatenate([np.arange(len(due)), measured])
    dates = np.concatenate([due["t0"].to_numpy(), due["measured_date"].to_numpy()[measured]])
    return summed_piece(sums, [HORIZON_MONTHS], ATTAINMENT, contributions(
        due, [HORIZON_MONTHS], {key: c[events] for key, c in codes.items()}, rows=events, dates=dates))


def option_kinds_piece(options: pd.DataFrame, measured_targets: pd.DataFrame, period_ids: Iterable[str],
                       scope: ReportScope, *, sizes_only: bool = False) -> Piece:
    """Rating gains after 6 and 12 months per kind of chosen option (texts classified, then dropped; only the
    people with gains counted, with ``sizes_only``). Only targets whose horizon date has come count
    (:func:`_measured_at_horizon`).

    A target's plan is the first option chosen in its conversation for its skill (names compared by
    :func:`careerconv.records.schema.skill_key`); targets without one are left out. Where ``measured_targets``
    has ``_plan_kind`` (a :class:`~careerconv.analytics.record_tables.measured.Measurement`), the plans are those
    already found (:func:`plan_kinds`).
    """
    rows = np.flatnonzero(_measured_at_horizon(measured_targets)
                          & (measured_targets[HORIZON_MONTHS].isin(_GAIN_HORIZONS)
                             & measured_targets[DEPARTMENT].notna()).to_numpy())
    if "_plan_kind" in measured_targets.columns:
        kind = measured_targets["_plan_kind"].to_numpy()[rows]
    else:
        kind = plan_kinds(options, measured_targets.loc[:, [CONVERSATION_ID, SKILL]].iloc[rows], period_ids)
    found = kind >= 0
    rows, kind = rows[found], kind[found]
    gains = measured_targets.loc[:, [EMPLOYEE_ID, DEPARTMENT, HORIZON_MONTHS, "t0", "measured_date"]].iloc[rows] \
        .assign(kind=_KIND_TEXT.take(kind) if len(kind) else _KIND_NAMES[kind])  # as pandas types the names
    by = ["kind", HORIZON_MONTHS]
    codes = {**_sorted_codes(gains, [EMPLOYEE_ID, DEPARTMENT]), "kind": _KIND_ORDER[kind],
             **_sorted_codes(gains, [HORIZON_MONTHS])}
    per_emp, group, emp_codes = _sorted_groups(gains, codes)
    per_emp["gain"] = _group_means(_change(measured_targets)[rows], group, len(per_emp))
    per_emp["plans"] = np.bincount(group[group >= 0], minlength=len(per_emp)).astype(np.int64)
    if sizes_only:
        return level_piece(per_emp, by, {}, scope, codes=emp_codes)
    return level_piece(per_emp, by, OPTIONS, scope, _twice_contributions(gains, by, codes), codes=emp_codes)


_KIND_NAMES = np.array(KINDS, dtype=object)
_KIND_TEXT = pd.Series(_KIND_NAMES).array  # the kinds as pandas types text (each row's kind is taken from it)
_KIND_ORDER = np.argsort(np.argsort(_KIND_NAMES))  # each kind's place among the kinds sorted by name


def plan_kinds(options: pd.DataFrame, targets: pd.DataFrame, period_ids: Iterable[str]) -> np.ndarray:
    """The kind of each target's plan, as its position in :data:`KINDS` (-1: no plan): of the options chosen in
    the conversations ``period_ids``, the first one of the target's conversation and skill (names compared by
    :func:`careerconv.records.schema.skill_key`; texts classified by
    :func:`careerconv.rules.option_kinds.classify_options`, then dropped).

    Only the options of the targets' own conversations (those of ``period_ids``) are read: no other can be a plan.
    """
    # Conversation and skill as one whole number on both sides (-1: no plan can match), then each target
    # looks its plan up among the first plan of each number.
    target_conversation, among = _period_conversations(targets[CONVERSATION_ID], period_ids)
    conversations = options[CONVERSATION_ID]
    text = pd.api.types.is_string_dtype(conversations.dtype) and conversations.dtype != object
    conversation = positions(conversations if text else conversations.astype(str), among)
    chosen = np.flatnonzero(options["chosen"].fillna(False).astype(bool).to_numpy() & (conversation >= 0))
    plan_skill, target_skill = _skill_key_codes(options[SKILL].iloc[chosen], targets[SKILL])
    width = max(int(plan_skill.max(initial=-1)), int(target_skill.max(initial=-1))) + 1
    plan = np.where(plan_skill >= 0, conversation[chosen].astype(np.int64) * width + plan_skill, -1)
    target = np.where(target_conversation >= 0, target_conversation.astype(np.int64) * width + target_skill, -1)
    plans, first = np.unique(plan, return_index=True)  # each plan number once, with its first row
    if not len(plans):
        return np.full(len(target), -1, dtype=np.int64)
    at = np.minimum(np.searchsorted(plans, target), len(plans) - 1)
    found = (target >= 0) & (plans[at] == target)
    # Only the first option of each plan is classified: the others are never a target's plan.
    first_options = options.loc[:, ["text", SKILL]].iloc[chosen[first]]
    kinds = classify_options(first_options["text"], first_options[SKILL]).cat.codes.to_numpy().astype(np.int64)
    return np.where(found, kinds[at], -1)


def _period_conversations(conversations: pd.Series, period_ids: Iterable[str]) -> tuple[np.ndarray, pd.Series]:
    """Each row's conversation (ids compared as text) numbered among the distinct ones in ``period_ids`` (-1: not
    there, or missing), and those conversations' ids."""
    if isinstance(conversations.dtype, pd.CategoricalDtype):  # text read as categories: each one looked up once
        codes, distinct = conversations.cat.codes.to_numpy().astype(np.int64), conversations.cat.categories
    else:
        codes, distinct = pd.factorize(conversations.astype(str), use_na_sentinel=True)
    ids = pd.Index(distinct).astype(str)
    used = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(ids)) > 0)
    used = used[isin(pd.Series(ids[used]), period_ids)]
    number = np.full(len(ids), -1, dtype=np.int64)
    number[used] = np.arange(len(used))
    return np.where(codes >= 0, number[np.maximum(codes, 0)], -1), pd.Series(ids[used], dtype=str)


def _skill_key_codes(*columns: pd.Series) -> list[np.ndarray]:
    """One whole number per :func:`careerconv.records.schema.skill_key` of the names, the same in every column
    (-1: a missing name); each distinct spelling is read once."""
    numbering: dict[str, int] = {}
    out = []
    for names in columns:
        codes, uniques = distinct_names(names)
        number = np.array([numbering.setdefault(schema.skill_key(name), len(numbering)) for name in uniques] + [-1],
                          dtype=np.int64)
        out.append(number[codes])
    return out
