"""What one employee's progress report shows, as plain frames.

Pure functions: one employee's :class:`careerconv.records.store.History` comes in,
frames and values come out; nothing is read from or written to disk and no
input is modified. The rules are not re-implemented here:

* progress at the 6/12/18-month horizons and current vs target come from
  :mod:`careerconv.rules.progress` (the same rules the HR notebooks use);
* the next conversation and check-in due dates and the state of each action
  item come from :mod:`careerconv.rules.cadence`.

What this module decides is only *which* records a report is about:

* records dated after ``as_of`` do not exist yet;
* the **current plan** is the last completed conversation on or before
  ``as_of`` (latest date; on one day, the largest conversation id), the rule
  :mod:`careerconv.rules.cadence` uses for the next conversation;
* ratings given in a draft conversation are not measurements (nothing in a
  draft has been agreed yet), so they are left out;
* of several ratings of one skill on one day, the one recorded last counts
  (:func:`careerconv.rules.progress.counted_ratings`), in the charts as in the
  statuses;
* someone who had left by ``as_of`` (:mod:`careerconv.records.leavers`, the
  one rule; someone who left on ``as_of`` included) is due for nothing, and
  their report is the report as of their last day here
  (:func:`careerconv.records.leavers.last_day_here`): every table is computed
  as of that day, so what was measured while they were here reads as it did
  then, and a target dated on or after the leaving day is never due; only the
  report's own date stays ``as_of``. A leaving day still to come is kept too
  (``leaves_on``): targets dated from then on will not be measured.

The frames keep the package's column names (those of
:mod:`careerconv.rules.progress` and :mod:`careerconv.rules.cadence`), so they can be
compared with those modules directly; the words the employee reads are
chosen in :mod:`careerconv.surfaces.report.render`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from careerconv.rules import cadence
from careerconv.rules import progress
from careerconv.records import leavers, schema
from careerconv.records.schema import (
    CADENCE_MONTHS, CHECKIN_ID, COACH_ID, COACH_RATING, CONVERSATION_ID, DATE, DEPARTMENT, EMPLOYEE_ID, HORIZON_MONTHS,
    ITEM_ID, LEFT_ON, SELF_RATING, SKILL, STATUS,
)
from careerconv.records.store import History

__all__ = [
    "DEFAULT_HORIZONS",
    "ReportContent",
    "parse_as_of",
    "parse_horizons",
    "build_content",
    "employee_of",
    "horizon_rows",
    "earlier_plan_rows",
    "skill_chart_data",
    "action_plan",
    "SkillChartData",
    "action_plan_parts",
    "ProgressSummary",
    "progress_summary",
    "earlier_plans_list",
    "chart_span",
]

DEFAULT_HORIZONS: tuple[int, ...] = tuple(schema.HORIZONS)

# The derived tables a report reads (options and free-text answers are not shown).
_TABLES = ("conversations", "dreams", "skills", "skill_ratings", "targets", "action_items", "checkins",
           "checkin_updates")

ACTION_PLAN_COLUMNS: tuple[str, ...] = (
    CONVERSATION_ID, "conversation_date", ITEM_ID, "text", SKILL, "owner", "due", STATUS,
    "status_date", "note", "is_open", "overdue",
)


@dataclass(frozen=True)
class ReportContent:
    """Everything one progress report shows, computed once.

    Attributes
    ----------
    employee_id, name, coach_id, department, role
        From the roster (``name`` is the id when the employee is not on it).
    coach_name
        The coach's name when the history's roster row carries it (see
        :func:`careerconv.surfaces.report.source.load_history`), else None.
    as_of
        The day the report is made (midnight).
    horizons
        The horizons shown, in months (6, 12, 18 by default).
    window_days, tolerance
        The measurement window and on-track band used (see :mod:`careerconv.rules.progress`).
    conversations
        The employee's conversations on or before ``as_of`` (the store's
        ``conversations`` table), oldest first, drafts included.
    plan
        The current plan's conversation record (a dict), or None when no
        conversation has been completed yet.
    dreams
        The current plan's dreams: ``rank``, ``text``.
    skills
        The current plan's skills (the store's ``skills`` table rows).
    progress
        :func:`careerconv.rules.progress.progress_at_horizons` for every completed
        conversation on or before ``as_of``, restricted to ``horizons``.
    current
        :func:`careerconv.rules.progress.current_vs_target` for the current plan, its
        skills in the order they were discussed (the employee's own ratings). A
        skill of the plan with no target at the horizons shown has a row too:
        its baseline and latest rating, and no target or status (NA).
    coach_latest
        The coach's latest rating of each skill
        (:func:`careerconv.rules.progress.latest_ratings` of ``coach_rating``:
        ``skill``, ``date``, ``rating``).
    ratings
        The employee's ratings usable as measurements (``skill_ratings`` rows
        on or before ``as_of``, drafts left out).
    items
        The action plan with check-in status (see :func:`action_plan`).
    due
        The employee's row of :func:`careerconv.rules.cadence.due_list` as a dict
        (next conversation and check-in due dates and statuses).
    checkins
        The employee's check-ins on or before ``as_of`` (``checkins`` table).
    left_on
        The day they left, when they had left by ``as_of`` (:mod:`careerconv.records.leavers`); None while they
        are still here. Nothing is due for someone who has left; their history stays.
    last_day
        For someone who had left by ``as_of``, their last day here (the day before ``left_on``): every frame
        above is as of that day (:attr:`figures_day`). None while they are here.
    leaves_on
        A leaving day still to come (after ``as_of``), else None: targets dated on or after it will not be
        measured.
    """

    employee_id: str
    name: str
    coach_id: str | None
    coach_name: str | None
    department: str | None
    role: str | None
    as_of: pd.Timestamp
    horizons: tuple[int, ...]
    window_days: int
    tolerance: float
    conversations: pd.DataFrame
    plan: dict | None
    dreams: pd.DataFrame
    skills: pd.DataFrame
    progress: pd.DataFrame
    current: pd.DataFrame
    coach_latest: pd.DataFrame
    ratings: pd.DataFrame
    items: pd.DataFrame
    due: dict[str, Any]
    checkins: pd.DataFrame = field(repr=False)
    left_on: pd.Timestamp | None = None
    last_day: pd.Timestamp | None = None
    leaves_on: pd.Timestamp | None = None

    @property
    def figures_day(self) -> pd.Timestamp:
        """The day the figures are as of: ``as_of``, or the last day here of someone who has left."""
        return self.as_of if self.last_day is None else self.last_day

    @property
    def leaving_day(self) -> pd.Timestamp | None:
        """The day they left or will leave (``left_on`` or ``leaves_on``), None when no leaving day is known."""
        return self.left_on if self.left_on is not None else self.leaves_on

    def after_leaving(self, day: Any) -> bool:
        """Whether a target dated ``day`` comes on or after the leaving day (:attr:`leaving_day`): it is not
        measured, ever (:func:`careerconv.records.leavers.is_here`)."""
        return self.leaving_day is not None and not leavers.is_here(self.leaving_day, pd.Timestamp(day).date())

    def rate_by(self, target_day: Any) -> pd.Timestamp:
        """The last day a rating still measures a target dated ``target_day``
        (:func:`careerconv.rules.progress.last_measurement_day`), and no later than the last day here of
        someone who is leaving."""
        last = progress.last_measurement_day(target_day, self.window_days)
        if self.leaves_on is not None:
            last = min(last, leavers.last_day_here(self.leaves_on, self.leaves_on))
        return last

    @property
    def plan_id(self) -> str | None:
        """The current plan's conversation id (None before the first conversation)."""
        return None if self.plan is None else self.plan[CONVERSATION_ID]

    @property
    def plan_date(self) -> pd.Timestamp | None:
        """The day of the current plan's conversation (None before the first conversation)."""
        return None if self.plan is None else pd.Timestamp(self.plan[DATE])


@dataclass(frozen=True)
class SkillChartData:
    """The arguments :func:`careerconv.views.plots.skill_progress` takes for one skill of the plan."""

    skill: str
    t0: pd.Timestamp
    baseline: float | None
    targets: dict[int, int]
    ratings: pd.DataFrame
    progress_rows: pd.DataFrame
    as_of: pd.Timestamp
    span: tuple[pd.Timestamp, pd.Timestamp]
    ten_looks_like: str
    approach: str
    chosen_option: str
    left_on: pd.Timestamp | None = None  # the day they left or will leave (:attr:`ReportContent.leaving_day`)
    left: bool = False  # they had left by the report's day (``left_on`` is then that day); False: still here


# ---------------------------------------------------------------------------
# parameters


def parse_as_of(value: Any) -> pd.Timestamp:
    """Read the report date.

    Parameters
    ----------
    value
        ``YYYY-MM-DD`` text, a date or a Timestamp.

    Returns
    -------
    pandas.Timestamp
        Midnight of that day.

    Raises
    ------
    ValueError
        If the value is not a date (the message says what is allowed).
    """
    try:
        day = schema.parse_date(value)
    except ValueError as exc:
        raise ValueError(f"as_of {value!r}: {exc}") from None
    return pd.Timestamp(day)


def parse_horizons(value: Any) -> tuple[int, ...]:
    """Read the horizons to show: whole months, each once, in increasing order.

    Parameters
    ----------
    value
        A list such as ``[6, 12, 18]``.

    Returns
    -------
    tuple of int

    Raises
    ------
    ValueError
        If it is empty or holds anything but whole numbers of months from 1 to 120.
    """
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ValueError(f"horizons must be a list of months such as [6, 12, 18], got {value!r}")
    out: list[int] = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, (int, np.integer)) or not 1 <= item <= 120:
            raise ValueError(f"horizons must be whole numbers of months from 1 to 120, got {item!r}")
        if int(item) not in out:
            out.append(int(item))
    if not out:
        raise ValueError("horizons is empty; give at least one, e.g. [6, 12, 18]")
    return tuple(sorted(out))


# ---------------------------------------------------------------------------
# the content


def employee_of(history: History) -> str:
    """The one employee a history is about.

    Raises
    ------
    ValueError
        If the history is empty, or holds records of more than one employee
        (a report must never mix two people's data).
    """
    ids = {rec[EMPLOYEE_ID] for rec in (*history.conversations, *history.checkins)}
    if history.employee is not None:
        ids.add(history.employee[EMPLOYEE_ID])
    if not ids:
        raise ValueError("the history is empty: no roster row and no records")
    if len(ids) > 1:
        raise ValueError(f"the history mixes records of several employees ({', '.join(sorted(ids))}); "
                         "a report is about one employee only")
    return ids.pop()


def build_content(
    history: History,
    as_of: Any,
    horizons: Sequence[int] = DEFAULT_HORIZONS,
    *,
    window_days: int = progress.DEFAULT_WINDOW_DAYS,
    tolerance: float = progress.DEFAULT_TOLERANCE,
) -> ReportContent:
    """Compute everything one employee's progress report shows.

    Parameters
    ----------
    history
        One employee's roster row, conversations and check-ins
        (:meth:`careerconv.records.store.Store.history` or
        :func:`careerconv.surfaces.report.source.load_history`).
    as_of
        The day of the report; later records are ignored. For someone who had left by then (on it included),
        every table is as of their last day here (:func:`careerconv.records.leavers.last_day_here`).
    horizons
        Months after each conversation at which targets are measured.
    window_days, tolerance
        Passed to :func:`careerconv.rules.progress.progress_at_horizons`.

    Returns
    -------
    ReportContent

    Raises
    ------
    ValueError
        For a bad ``as_of``/``horizons``, an empty history or one mixing employees.
    """
    report_day = parse_as_of(as_of)
    hz = parse_horizons(horizons)
    employee_id = employee_of(history)
    frames = history.frames(_TABLES)
    employee = history.employee or {}
    leaving = leavers.left_day(employee.get(LEFT_ON))
    left = None if leavers.is_here(leaving, report_day.date()) else leaving
    # A leaver's report is the report as of their last day here: one day for every table below.
    day = leavers.last_day_here(report_day, leaving)

    convs = frames["conversations"]
    convs = convs.loc[convs[DATE] <= day].sort_values([DATE, CONVERSATION_ID], kind="stable")
    completed = convs.loc[convs[STATUS] == "completed"]
    plan_id = completed[CONVERSATION_ID].iloc[-1] if len(completed) else None
    plan = next((c for c in history.conversations if c[CONVERSATION_ID] == plan_id), None)

    # A conversation after as_of is not held yet: a draft as far as this report knows.
    as_known = frames["conversations"].assign(
        status=frames["conversations"][STATUS].where(frames["conversations"][DATE] <= day, "draft"))
    targets, ratings = progress.agreed_only(as_known, frames["targets"], frames["skill_ratings"])
    ratings = ratings.loc[ratings[DATE] <= day].reset_index(drop=True)
    targets = targets.loc[targets[HORIZON_MONTHS].isin(hz)].reset_index(drop=True)
    at_horizons = progress.progress_at_horizons(targets, ratings, day, window_days, tolerance=tolerance)
    current = progress.current_vs_target(targets, ratings, day, tolerance=tolerance, window_days=window_days)
    coach_latest = progress.latest_ratings(ratings, day, rating_column=COACH_RATING)
    if plan_id is not None:
        current = current.loc[current[CONVERSATION_ID] == plan_id]
        untargeted = _without_targets(current, plan, ratings, day)
        if len(untargeted):
            current = untargeted if current.empty else pd.concat([current, untargeted], ignore_index=True)
        current = _in_plan_order(current, plan).reset_index(drop=True)

    dreams = frames["dreams"]
    dreams = dreams.loc[dreams[CONVERSATION_ID] == plan_id, ["rank", "text"]]
    dreams = dreams.sort_values("rank", kind="stable").reset_index(drop=True)
    skills = frames["skills"]
    skills = skills.loc[skills[CONVERSATION_ID] == plan_id].reset_index(drop=True)

    roster_row = pd.DataFrame([{
        EMPLOYEE_ID: employee_id,
        "name": employee.get("name") or employee_id,
        COACH_ID: employee.get(COACH_ID) or (plan or {}).get(COACH_ID) or "",
        DEPARTMENT: employee.get(DEPARTMENT) or "",
        CADENCE_MONTHS: employee.get(CADENCE_MONTHS),
    }])
    roster_row[CADENCE_MONTHS] = pd.array(roster_row[CADENCE_MONTHS], dtype="Int64")
    tables = {"roster": roster_row, **{k: frames[k] for k in cadence.DUE_TABLES if k != "roster"}}
    due = cadence.due_list(tables, day).iloc[0].to_dict()
    checkins = frames["checkins"]
    checkins = checkins.loc[checkins[DATE] <= day].reset_index(drop=True)

    return ReportContent(
        employee_id=employee_id,
        name=str(employee.get("name") or employee_id),
        coach_id=employee.get(COACH_ID) or (plan or {}).get(COACH_ID),
        coach_name=employee.get("coach_name"),
        department=employee.get(DEPARTMENT),
        role=employee.get("role"),
        as_of=report_day,
        horizons=hz,
        window_days=int(window_days),
        tolerance=float(tolerance),
        conversations=convs.reset_index(drop=True),
        plan=plan,
        dreams=dreams,
        skills=skills,
        progress=at_horizons,
        current=current,
        coach_latest=coach_latest,
        ratings=ratings,
        items=action_plan(frames, day, left_on=left),
        due=due,
        checkins=checkins,
        left_on=None if left is None else pd.Timestamp(left),
        last_day=None if left is None else day,
        leaves_on=None if leaving is None or left is not None else pd.Timestamp(leaving),
    )


def horizon_rows(content: ReportContent) -> pd.DataFrame:
    """The current plan measured at each horizon (rows of :func:`careerconv.rules.progress.progress_at_horizons`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`careerconv.rules.progress.PROGRESS_COLUMNS`, one row per skill
        and horizon of the current plan, ordered as the skills were discussed
        and then by horizon; empty before the first completed conversation.
    """
    rows = content.progress.loc[content.progress[CONVERSATION_ID] == content.plan_id]
    return _in_plan_order(rows, content.plan).reset_index(drop=True)


def earlier_plan_rows(content: ReportContent) -> pd.DataFrame:
    """Progress against the targets of every earlier conversation, newest plan first.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`careerconv.rules.progress.PROGRESS_COLUMNS`; empty when there
        is only one plan. No plan is left out, however long the history.
    """
    rows = content.progress.loc[content.progress[CONVERSATION_ID] != content.plan_id]
    return rows.sort_values(["t0", CONVERSATION_ID, SKILL, HORIZON_MONTHS],
                            ascending=[False, False, True, True], kind="stable").reset_index(drop=True)


def earlier_plans_list(content: ReportContent) -> list[tuple[str, pd.Timestamp, pd.DataFrame]]:
    """:func:`earlier_plan_rows` split by plan: ``(conversation_id, date, rows)``, newest first."""
    rows = earlier_plan_rows(content)
    return [(str(conv), pd.Timestamp(group["t0"].iloc[0]), group.reset_index(drop=True))
            for conv, group in rows.groupby(CONVERSATION_ID, sort=False)]


@dataclass(frozen=True)
class ProgressSummary:
    """The counts behind the report's one-line summary.

    Attributes
    ----------
    skills
        Skills of the current plan with a target at the horizons shown.
    by_status
        Skills per status of :data:`careerconv.rules.progress.STATUSES`, each
        skill's latest rating against its next target
        (:func:`careerconv.rules.progress.current_vs_target`).
    targets_missed
        Targets of the current plan whose date has passed with no rating
        near it (:data:`careerconv.rules.progress.DUE_NOT_MEASURED`), and
        whose window for a rating has closed.
    without_target
        Skills of the current plan with no target at the horizons shown (not
        counted in ``skills``).
    targets_to_rate
        Targets of the current plan due and not rated yet whose window is still
        open (``window_open``): a rating by ``rate_by`` (the first of their
        last days) still measures them.
    rate_by
        See ``targets_to_rate`` (None when there are none).
    first_due, first_due_targets
        The earliest target date of the skills not rated since the
        conversation whose targets are all still to come
        (:data:`careerconv.rules.progress.UPCOMING`), and how many of them
        fall due that day (None and 0 when there are none). A target dated
        on or after the leaving day (:attr:`ReportContent.leaving_day`) is
        never due: it is not among them.
    targets_after_leaving
        Targets of the current plan dated on or after the leaving day and not
        measured (never counted in ``targets_missed`` or ``targets_to_rate``).
    targets_left_unmeasured
        For someone who has left: targets due and not rated whose window for a
        rating was still open on their last day (unmeasured because they left;
        not in ``targets_to_rate``).
    """

    skills: int
    by_status: dict[str, int]
    targets_missed: int
    without_target: int = 0
    targets_to_rate: int = 0
    rate_by: pd.Timestamp | None = None
    first_due: pd.Timestamp | None = None
    first_due_targets: int = 0
    targets_after_leaving: int = 0
    targets_left_unmeasured: int = 0

    @property
    def nothing_to_measure_yet(self) -> bool:
        """No skill was rated since the conversation and no target is due yet: a new plan, not a failing one."""
        return self.skills > 0 and self.by_status[progress.UPCOMING] == self.skills


def progress_summary(content: ReportContent) -> ProgressSummary | None:
    """The counts of the report's one-line summary (None before the first plan)."""
    if content.plan is None or content.current.empty:
        return None
    rows = horizon_rows(content)
    statuses = content.current[STATUS].dropna()
    not_measured = (rows[STATUS] == progress.DUE_NOT_MEASURED).to_numpy()
    window_open = not_measured & rows["window_open"].fillna(False).to_numpy(dtype=bool)
    left_unmeasured = window_open if content.left_on is not None else np.zeros(len(rows), dtype=bool)
    to_rate = window_open & ~left_unmeasured
    after = rows["horizon_date"].map(content.after_leaving).to_numpy(dtype=bool) & rows["measured_rating"].isna()
    rate_by = content.rate_by(rows.loc[to_rate, "horizon_date"].min()) if to_rate.any() else None
    upcoming = pd.to_datetime(content.current.loc[content.current[STATUS] == progress.UPCOMING,
                                                  "next_horizon_date"]).dropna()
    upcoming = upcoming.loc[~upcoming.map(content.after_leaving).astype(bool)]
    first_due = upcoming.min() if len(upcoming) else None
    return ProgressSummary(skills=len(statuses), by_status=progress.status_counts(statuses),
                           targets_missed=int((not_measured & ~window_open).sum()),
                           without_target=int(content.current[STATUS].isna().sum()),
                           targets_to_rate=int(to_rate.sum()), rate_by=rate_by, first_due=first_due,
                           first_due_targets=int((upcoming == first_due).sum()),
                           targets_after_leaving=int(after.sum()),
                           targets_left_unmeasured=int(left_unmeasured.sum()))


def skill_chart_data(content: ReportContent) -> list[SkillChartData]:
    """One entry per skill of the current plan, in the order they were discussed.

    Each holds what :func:`careerconv.views.plots.skill_progress` draws: the ratings
    of that skill from the plan's conversation on (skill names match ignoring
    case and spaces, as in :mod:`careerconv.rules.progress`), at most one of the
    employee's and one of the coach's a day, the one that counts
    (:func:`_counted`); the baseline, the targets and the measured horizons;
    plus the words the employee wrote about the skill. Ratings before the
    conversation are left out: they belong to earlier plans, and the charts'
    time axis (:func:`chart_span`) starts at this one.
    """
    if content.plan is None:
        return []
    plan_rows = horizon_rows(content)
    since = content.ratings.loc[content.ratings[DATE] >= pd.Timestamp(content.plan[DATE])]
    rating_key = since[SKILL].map(schema.skill_key)
    span = chart_span(content)
    out = []
    for skill in content.plan["skills"]:
        key = schema.skill_key(skill[SKILL])
        rows = since.loc[rating_key == key]
        ratings = pd.DataFrame({
            DATE: rows[DATE],
            "rating": _counted(rows, SELF_RATING, content.figures_day),
            "source": rows["source"],
            COACH_RATING: _counted(rows, COACH_RATING, content.figures_day),
        })
        ratings = ratings.loc[ratings["rating"].notna() | ratings[COACH_RATING].notna()].reset_index(drop=True)
        rows = plan_rows.loc[plan_rows[SKILL].map(schema.skill_key) == key].reset_index(drop=True)
        targets = {int(h): int(v) for h, v in (skill.get("targets") or {}).items()
                   if v is not None and int(h) in content.horizons}
        chosen = next((o.get("text", "") for o in skill.get("options") or [] if o.get("chosen")), "")
        out.append(SkillChartData(
            skill=skill[SKILL],
            t0=pd.Timestamp(content.plan[DATE]),
            baseline=None if skill.get(SELF_RATING) is None else float(skill[SELF_RATING]),
            targets=targets,
            ratings=ratings,
            progress_rows=rows,
            as_of=content.figures_day,
            span=span,
            ten_looks_like=skill.get("ten_looks_like") or "",
            approach=skill.get("approach") or "",
            chosen_option=chosen or "",
            left_on=content.leaving_day,
            left=content.left_on is not None,
        ))
    return out


def chart_span(content: ReportContent) -> tuple[pd.Timestamp, pd.Timestamp]:
    """One time axis for every skill chart of the report (:func:`careerconv.views.plots.date_span`).

    It covers the current plan's conversation and last target date, every
    rating of its skills since then and the report date, so the charts can
    be compared at a glance. For someone who has left it stops after the later
    of their last day here and the last target date before they left (or
    measured while they were here): a target after that will never be
    measured, and nothing more is to come. A leaving day still to come ends
    it the same way, after the report date.
    """
    from careerconv.views.plots import date_span  # matplotlib only when charts are drawn

    t0 = pd.Timestamp(content.plan[DATE]) if content.plan is not None else content.figures_day
    keys = {schema.skill_key(s[SKILL]) for s in (content.plan or {}).get("skills", [])}
    rated = content.ratings.loc[content.ratings[SKILL].map(schema.skill_key).isin(keys)
                                & (content.ratings[DATE] >= t0), DATE]
    horizons = [progress.horizon_date(t0, int(h)) for h in content.horizons]
    horizons = [day for day in horizons if not content.after_leaving(day)]
    plan_rows = horizon_rows(content)
    measured = plan_rows.loc[plan_rows["measured_rating"].notna(), "horizon_date"]  # measured while here
    return date_span([t0, content.figures_day, *horizons, *measured, *rated])


def action_plan(frames: dict[str, pd.DataFrame], as_of: Any, left_on: Any = None) -> pd.DataFrame:
    """Every action item agreed in a completed conversation, with its check-in status.

    The status rules are :func:`careerconv.rules.cadence.action_item_states`; this adds
    the item's words (text, skill, owner) and the note of the check-in update
    that set the status.

    Parameters
    ----------
    frames
        One employee's derived tables (:meth:`careerconv.records.store.History.frames`).
    as_of
        The day of the report.
    left_on
        The day the employee left, if they had left by ``as_of`` (None: still here): an item is overdue only if
        its due date came while they were here.

    Returns
    -------
    pandas.DataFrame
        Columns ``conversation_id, conversation_date, item_id, text, skill,
        owner, due, status, status_date, note, is_open, overdue``; the current
        plan's items last (oldest conversation first, then by item id).
        ``is_open`` marks the items still to follow up (the current plan's open
        ones and the carried-over ones: :mod:`careerconv.rules.followup`); an
        earlier plan's item that no check-in followed up is ``open`` but was
        replaced by the newer plan. ``overdue`` is True for an item still to
        follow up whose due date is before ``as_of`` (before ``left_on``, for someone who has left).

    Raises
    ------
    ValueError
        As :func:`careerconv.rules.cadence.action_item_states`.
    """
    day = parse_as_of(as_of)
    states = cadence.action_item_states(frames, day)
    words = frames["action_items"].loc[:, [CONVERSATION_ID, ITEM_ID, "text", SKILL, "owner"]]
    out = states.merge(words, on=[CONVERSATION_ID, ITEM_ID], how="left")
    updates = frames["checkin_updates"].loc[:, [CHECKIN_ID, CONVERSATION_ID, ITEM_ID, "note", "reason"]]
    out = out.merge(updates, on=[CHECKIN_ID, CONVERSATION_ID, ITEM_ID], how="left")
    note = out["note"].fillna("").astype(str)
    reason = out["reason"].fillna("").astype(str)
    out["note"] = np.where(reason.str.strip() != "", (note + " (" + reason + ")").str.strip(), note)
    for column in ("text", SKILL, "owner"):
        out[column] = out[column].fillna("").astype(str)
    due = pd.to_datetime(out["due"])
    out["is_open"] = out["is_open"].astype(bool)
    out["overdue"] = (out["is_open"] & due.notna() & (due < leavers.here_until(day, left_on))).astype(bool)
    return out.loc[:, list(ACTION_PLAN_COLUMNS)].reset_index(drop=True)


def action_plan_parts(content: ReportContent) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The action plan split the way the report shows it.

    Returns
    -------
    (current, still_open, closed)
        The current plan's items (by item id); earlier plans' items a check-in
        kept open or in progress (carried over; newest plan first); earlier
        plans' items done, dropped, or replaced by a newer plan (no check-in
        followed them up). Columns as :func:`action_plan`.
    """
    items = content.items
    mine = items[CONVERSATION_ID] == content.plan_id
    current = items.loc[mine].sort_values(ITEM_ID, kind="stable")
    earlier = items.loc[~mine]
    is_open = earlier["is_open"].to_numpy(dtype=bool)
    still_open = earlier.loc[is_open].sort_values(["conversation_date", CONVERSATION_ID, ITEM_ID],
                                                  ascending=[False, False, True], kind="stable")
    return (current.reset_index(drop=True), still_open.reset_index(drop=True),
            earlier.loc[~is_open].reset_index(drop=True))


def _counted(rows: pd.DataFrame, column: str, as_of: Any) -> pd.Series:
    """``column`` of one skill's rating rows with only the ratings that count, the others NA: of several on one
    day the one recorded last (:func:`careerconv.rules.progress.counted_ratings`, the rule every status is
    measured by)."""
    values = rows[column]
    kept = rows.index[progress.counted_ratings(rows, as_of, column)]
    return values.where(values.index.isin(kept))


def _without_targets(current: pd.DataFrame, plan: dict, ratings: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """Rows like :func:`careerconv.rules.progress.current_vs_target`'s for the skills of ``plan`` that have
    none there (no target at the horizons shown): the baseline and the latest rating
    (:func:`careerconv.rules.progress.latest_ratings`), no target and no status."""
    have = set(current[SKILL].map(schema.skill_key))
    missing = [s for s in plan["skills"] if schema.skill_key(s[SKILL]) not in have]
    latest = progress.latest_ratings(ratings, day)
    latest = dict(zip(latest[SKILL].map(schema.skill_key), zip(latest[DATE], latest["rating"])))
    rows = []
    for skill in missing:
        when, rating = latest.get(schema.skill_key(skill[SKILL]), (pd.NaT, pd.NA))
        rows.append({EMPLOYEE_ID: plan[EMPLOYEE_ID], CONVERSATION_ID: plan[CONVERSATION_ID], SKILL: skill[SKILL],
                     "t0": pd.Timestamp(plan[DATE]), "baseline": skill.get(SELF_RATING), "latest_date": when,
                     "latest_rating": rating, "next_horizon_months": pd.NA, "next_horizon_date": pd.NaT,
                     "next_target": pd.NA, "expected": np.nan, STATUS: None})
    out = pd.DataFrame(rows, columns=list(current.columns))
    # The columns' types, whole numbers made nullable (a skill without a target has no horizon).
    types = {c: "Int64" if pd.api.types.is_integer_dtype(current[c].dtype) else current[c].dtype
             for c in current.columns if c != STATUS}
    return out.astype(types)


def _in_plan_order(rows: pd.DataFrame, plan: dict | None) -> pd.DataFrame:
    """Rows in the order the plan's skills were discussed (then by horizon, when there is one)."""
    if plan is None or rows.empty:
        return rows
    order = {schema.skill_key(s[SKILL]): i for i, s in enumerate(plan["skills"])}
    rank = rows[SKILL].map(lambda s: order.get(schema.skill_key(s), len(order)))
    keys = ["_rank", HORIZON_MONTHS] if HORIZON_MONTHS in rows.columns else ["_rank"]
    return rows.assign(_rank=rank).sort_values(keys, kind="stable").drop(columns="_rank")
