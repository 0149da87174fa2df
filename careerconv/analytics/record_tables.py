"""The tables built from the conversation records, one part of the employees at a time.

Who is covered, growth per skill, target attainment, the most-wanted skills,
cadence compliance, action items and the kinds of development options. Each
table has a ``*_piece`` function that reads one part's frames and returns
additive figures (:class:`~careerconv.analytics.levels.Piece`), and a
``*_table`` function that turns the pieces of every part, added up, into the
protected table. :func:`part_pieces` runs every ``*_piece`` on one part;
:func:`record_tables` runs every ``*_table``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from careerconv.rules import cadence
from careerconv.rules import followup
from careerconv.rules import privacy
from careerconv.rules import progress
from careerconv.records import schema
from careerconv.records.schema import (
    CADENCE_MONTHS, COACH_ID, CONVERSATION_ID, DATE, EMPLOYEE_ID, HORIZON_MONTHS, RECORD_ID, SELF_RATING, SKILL, STATUS,
)
from careerconv.rules.option_kinds import KINDS, classify_options
from .constants import DEPARTMENT, N, _GAIN_HORIZONS, band_labels
from .inputs import release_memory
from .levels import (MEAN, MEDIAN, SUM, Piece, _first_of_codes, combined_codes, contributions, duplicated, level_piece,
                     levels, neighbour_counts, no_contributions, quarter_months, sort_departments, summed_piece)
from .levels import distinct_counts, distinct_pairs, key_frame
from .scope import ReportScope
from .skills import distinct_names

TABLES = ("overview", "rating_periods", "skill_growth", "target_attainment", "most_wanted_skills", "cadence_compliance",
          "action_items", "option_kinds", "coach_follow_through")
# The rating-step tables whose group sizes in the neighbouring reports are counted here, part by part.
RATING_TABLES = {"rating_distribution": ("skill_id", "band"), "rating_gaps": ("skill_id",)}  # name: grouping
# The tables whose group sizes change with the edges of the period, checked against the reports sharing one edge of
# the period (rule 2c of careerconv.rules.privacy.protect). "Who is covered" and cadence count everyone on the
# roster; the trends are cut by quarter, the atoms of every period, so a shorter period shows the same cells or none.
CUT_TABLES = ("skill_growth", "target_attainment", "most_wanted_skills", "action_items", "option_kinds",
              "rating_periods", *RATING_TABLES)
# The coarser time grains of the rating trends: (name, months per bucket). Buckets are calendar
# half-years and years, cut to the period (its first and last may hold fewer quarters).
GRAINS = (("quarter", 3), ("half-year", 6), ("year", 12))
ALL_SKILLS = -1  # the skill id of the "all skills" rows
_PERIODS: dict = {"mean": ("rating", MEAN), "median": ("rating", MEDIAN)}
# Not a table of its own: the employees met per department, the base of the most-wanted shares.
_PEOPLE_MET = "people_met"

_OVERVIEW: dict = {"share_met": ("met", MEAN), "conversations": ("n_conv", SUM), "checkins": ("n_ci", SUM)}
_GROWTH: dict = {"mean_growth": ("growth", MEAN), "median_growth": ("growth", MEDIAN),
                 "share_improved": ("improved", MEAN)}
_ATTAINMENT: dict = {name: (name, SUM) for name in ("targets_due", "targets_measured", "targets_attained",
                                                     "targets_window_open")}
# Targets due, split four ways (they add up to 1): reached, measured but not reached, not measured yet with
# their measurement window still open (a rating may still come), not measured in time.
ATTAINMENT_SHARES = ("share_reached", "share_not_reached", "share_window_open", "share_not_measured")
_CADENCE: dict = {f"share_{name}": (name, MEAN)
                  for name in ("conversation_overdue", "checkin_overdue", "any_overdue", "never_met")}
_COACH: dict = {"share_conversation_on_time": ("conversation_on_time", MEAN),
                "share_checkin_on_time": ("checkin_on_time", MEAN), "share_never_met": ("never_met", MEAN)}
_ITEMS: dict = {**{f"share_{s}": (f"is_{s}", MEAN) for s in schema.ITEM_STATUSES},
                "share_open_past_due": ("past_due", MEAN), "items": ("items", SUM)}
_WANTED: dict = {"skills_per_person": ("skills_chosen", MEAN)}  # on the "any skill" rows
_OPTIONS: dict = {"mean_gain": ("gain", MEAN), "median_gain": ("gain", MEDIAN), "plans": ("plans", SUM)}


@dataclass(frozen=True)
class Context:
    """What every part shares: the report and the skill catalogue.

    Attributes
    ----------
    scope
        The report.
    labels
        Display label per skill id.
    public
        Ids of the skills whose names may be shown.
    skill_ids
        The skill id of each name (NA if unknown).
    catalogue
        :func:`careerconv.analytics.skill_catalogue` of every spelling (``raw``, ``skill_id``, ``label``).
    sizes_only
        Whether only the tables' group sizes are wanted (``n_employees`` per group and department), as of the
        reports that share one edge of this one's period, which rule 2c reads (:attr:`Piece.neighbours`): the
        pieces then leave out their statistics, the values of their medians and their contributions per quarter.
    """

    scope: ReportScope
    labels: pd.Series
    public: set[int]
    skill_ids: Callable[[pd.Series], pd.Series]
    catalogue: pd.DataFrame
    sizes_only: bool = False


# --------------------------------------------------------------------------- one part


def part_pieces(frames: Mapping[str, pd.DataFrame], ctx: Context) -> dict[str, Piece]:
    """Every record table's additive figures for the employees of one part.

    ``frames`` holds the roster rows of those employees and all their rows
    of the derived tables (columns of :data:`careerconv.analytics.constants.HR_COLUMNS`).
    The pieces of the tables in :data:`CUT_TABLES` also carry their group
    sizes in the reports that share one edge of this one's period
    (:meth:`ReportScope.neighbours`; :attr:`Piece.neighbours`, for rule 2c of
    :func:`careerconv.rules.privacy.protect`), worked out by the same functions over those periods.
    """
    reports = {None: ctx, **{(edge, quarter): replace(ctx, scope=ctx.scope.neighbour(edge, quarter), sizes_only=True)
                             for edge, quarter in ctx.scope.neighbours()}}
    shared = PartShared(frames)
    # First every report's tables measured from the targets and the neighbours' rating figures (the largest
    # working frames) while nothing else is held, then the rest, sharing what the reports work out alike.
    # The reports that share this one's end (and as-of day) share one measurement of the targets.
    measured = _shared_measurement(shared, ctx, [key[1] for key in reports if key and key[0] == "start"])
    cut = {}
    for key, report in reports.items():
        same_end = key is None or key[0] == "start"
        cut[key] = _progress_pieces(shared, report, measured if same_end else None)
        release_memory()
    del measured
    # The neighbours' rating figures count one conversion of the part's ratings, held only meanwhile.
    for key, report in reports.items():
        if key is not None:
            cut[key].update(rating_pieces(shared, report))
    shared.forget("rating_input")
    for key, report in reports.items():
        cut[key].update(_other_pieces(shared, report, everything=key is None, base_day=ctx.scope.as_of_day))
    pieces = cut.pop(None)
    # This report's rating figures come from the rating step; here only their neighbours are counted.
    pieces.update({name: Piece(list(by), pd.DataFrame()) for name, by in RATING_TABLES.items()})
    for name in CUT_TABLES:
        pieces[name].neighbours = neighbour_counts({c: found[name] for c, found in cut.items()})
    return pieces


class PartShared:
    """One part's frames and what the reports of that part (a report and its neighbours, :func:`part_pieces`)
    work out alike: each made the first time a report asks for it, then kept for the others.

    Attributes
    ----------
    frames
        The part's frames (see :func:`part_pieces`).
    roster
        Its roster rows: ``employee_id, department, coach_id, cadence_months`` (departments as objects).
    department_of
        The department by employee id.
    """

    def __init__(self, frames: Mapping[str, pd.DataFrame]):
        self.frames = frames
        roster = frames["roster"].loc[:, [EMPLOYEE_ID, DEPARTMENT, COACH_ID, CADENCE_MONTHS]].copy()
        roster[DEPARTMENT] = roster[DEPARTMENT].astype(object)
        self.roster = roster
        self.department_of = roster.set_index(EMPLOYEE_ID)[DEPARTMENT]
        self._made: dict = {}

    def get(self, key, make: Callable[[], pd.DataFrame], keep: bool = True) -> pd.DataFrame:
        """What ``make`` gives, made once for every report asking with ``key`` (only the first time, if
        ``keep``; without ``keep`` it is made for this report alone, and not kept)."""
        if key in self._made:
            return self._made[key]
        made = make()
        if keep:
            self._made[key] = made
        return made

    def forget(self, key: Hashable) -> None:
        """Let go of what was made for ``key`` (no report asks for it again)."""
        self._made.pop(key, None)

    def item_states(self, day: pd.Timestamp, keep: bool) -> pd.DataFrame:
        """:func:`careerconv.rules.cadence.action_item_states` of the part on ``day``."""
        return self.get(("states", day), lambda: cadence.action_item_states(
            {name: self.frames[name] for name in ("conversations", "action_items", "checkin_updates")}, day), keep)

    def item_rows(self, day: pd.Timestamp, states: pd.DataFrame, keep: bool) -> pd.DataFrame:
        """:func:`item_rows` of ``states``, :meth:`item_states` on ``day``."""
        return self.get(("items", day), lambda: item_rows(states, self.department_of), keep)

    def rating_input(self) -> tuple[Any, pd.DataFrame, set[str]]:
        """:func:`careerconv.analytics.engine.ratings_table` of the part's ratings, its roster codes (the engine's
        ``roster_codes``) and the ids of its drafts: what :func:`rating_pieces` counts, the same in every report."""
        return self.get("rating_input", lambda: _rating_input(self.frames))

    def named_skills(self, ctx: Context) -> pd.DataFrame:
        """:func:`named_skills` of the part (the same in every report)."""
        return self.get("named", lambda: named_skills(self.frames["skills"], ctx, self.department_of))

    def rated_rows(self, ctx: Context, drafts: pd.Series) -> pd.DataFrame:
        """:func:`rated_rows` of the part (the same in every report)."""
        return self.get("rated", lambda: rated_rows(self.frames["skill_ratings"], drafts, ctx, self.department_of))


def _other_pieces(shared: PartShared, ctx: Context, *, everything: bool,
                  base_day: pd.Timestamp | None = None) -> dict[str, Piece]:
    """The pieces of one part over ``ctx.scope`` not measured from the targets (:func:`_progress_pieces`); without
    ``everything`` only those of :data:`CUT_TABLES`.

    The action items' states of the as-of day are kept for the other reports only for the report itself (the one
    with ``everything``: the reports sharing its end read them). A report wanting only group sizes
    (``ctx.sizes_only``) as of a day before ``base_day`` (the report's own as-of day, whose states come first)
    counts the items known on its day among those (:func:`careerconv.rules.cadence.agreed_by`), whatever their
    state.
    """
    frames, scope, department_of = shared.frames, ctx.scope, shared.department_of
    completed, drafts, in_period, _ = _conversations(frames, scope)
    day = scope.as_of_day
    if ctx.sizes_only and base_day is not None and day <= base_day:
        rows = shared.item_rows(base_day, shared.item_states(base_day, keep=True), keep=True)
        pieces = {"action_items": action_items_piece(None, scope, department_of,
                                                     rows[cadence.agreed_by(rows, day)], sizes_only=True)}
    else:
        states = shared.item_states(day, keep=everything)
        pieces = {"action_items": action_items_piece(states, scope, department_of,
                                                     shared.item_rows(day, states, everything),
                                                     sizes_only=ctx.sizes_only)}
    pieces["most_wanted_skills"], people_met = most_wanted_piece(frames["skills"], in_period, ctx, department_of,
                                                                 shared.named_skills(ctx))
    pieces["rating_periods"] = rating_periods_piece(frames["skill_ratings"], drafts, ctx, department_of,
                                                    shared.rated_rows(ctx, drafts))
    if everything:
        pieces[_PEOPLE_MET] = people_met
        pieces["overview"] = overview_piece(shared.roster, completed, frames["checkins"], scope, department_of)
        due = cadence_rows(frames, shared.roster, scope, states)
        pieces["cadence_compliance"] = cadence_piece(due, scope)
        pieces["coach_follow_through"] = coach_piece(due, scope)
    return pieces


def _conversations(frames: Mapping[str, pd.DataFrame],
                   scope: ReportScope) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame, set[str]]:
    """The conversations completed before the end of the period (their days without the time), the ids of
    the drafts, the completed conversations in the period and their ids."""
    convs = frames["conversations"]
    convs = convs.assign(date=pd.to_datetime(convs[DATE]).dt.normalize())
    completed = convs[(convs[STATUS] == "completed") & (convs[DATE] < scope.end)]
    drafts = convs.loc[convs[STATUS] != "completed", CONVERSATION_ID].astype(str)
    in_period = completed[completed[DATE] >= scope.start]
    # A list is made faster than a Series is read.
    return completed, drafts, in_period, set(in_period[CONVERSATION_ID].astype(str).tolist())


def _progress_pieces(shared: PartShared, ctx: Context, measured: Measurement | None = None) -> dict[str, Piece]:
    """Growth, target attainment and option kinds: the pieces measured from the targets of the period.

    ``measured``: :func:`_shared_measurement` for a set of reports this one is in, its targets taken from it
    (None: measured here).
    """
    frames, scope = shared.frames, ctx.scope
    _, drafts, _, period_ids = _conversations(frames, scope)
    if measured is None:
        measured_targets = _measured(shared, ctx, period_ids, drafts)
    else:
        measured_targets = measured.of(period_ids)
    return {"skill_growth": growth_piece(measured_targets, ctx),
            "target_attainment": attainment_piece(measured_targets, scope, sizes_only=ctx.sizes_only),
            "option_kinds": option_kinds_piece(frames["options"], measured_targets, period_ids, scope,
                                               sizes_only=ctx.sizes_only)}


@dataclass(frozen=True)
class Measurement:
    """The targets of several reports measured once (:func:`_shared_measurement`).

    Attributes
    ----------
    table
        :func:`_measured_targets` of all their targets, less ``conversation_id`` and ``skill`` (text, slow to
        filter), with ``_conversation``: the position of the target's conversation among ``conversations``, and
        ``_plan_kind``: the position of the kind of the target's plan in :data:`KINDS` (-1: no plan; see
        :func:`_plan_kinds`; a target's plan is in its own conversation, so it is the same in every period).
    conversations
        The distinct conversation ids of the targets.
    """

    table: pd.DataFrame
    conversations: pd.Series

    def of(self, period_ids: set[str]) -> pd.DataFrame:
        """The rows of the targets of the conversations ``period_ids``."""
        in_period = _isin(self.conversations, period_ids)
        return self.table[in_period[self.table["_conversation"].to_numpy()]].reset_index(drop=True)


def _shared_measurement(shared: PartShared, ctx: Context, starts: list[pd.Timestamp]) -> Measurement | None:
    """:func:`_measured_targets` of the targets of this report's period and of the periods from ``starts`` to
    its end, for :func:`_progress_pieces` of each of those reports (None when there are none).

    The reports share the end of the period and the as-of day, and a target is measured against its own
    employee's ratings (drafts left out), whatever the period: so it is measured alike in each, and the table
    of one report is the rows of the targets of its own conversations. Its employees are numbered among all
    the reports' employees, in the same order (the pieces only group and count them).
    """
    if not starts:
        return None
    scope = replace(ctx.scope, start=min(ctx.scope.start, *starts))
    _, drafts, _, period_ids = _conversations(shared.frames, scope)
    table = _measured(shared, replace(ctx, scope=scope), period_ids, drafts)
    codes, conversations = pd.factorize(table[CONVERSATION_ID], use_na_sentinel=True)
    table = table.assign(_conversation=codes, _plan_kind=_plan_kinds(shared.frames["options"], table, period_ids))
    return Measurement(table.drop(columns=[CONVERSATION_ID, SKILL]), pd.Series(conversations))


def _measured(shared: PartShared, ctx: Context, period_ids: set[str], drafts: pd.Series) -> pd.DataFrame:
    """:func:`_measured_targets` of the targets of the conversations ``period_ids`` (the part's targets and ratings
    numbered once, for every report of the part: :class:`_TargetCodes`)."""
    frames = shared.frames
    targets, ratings = frames["targets"], frames["skill_ratings"]
    codes = shared.get("target_codes", lambda: _TargetCodes.of(targets, ratings, shared.department_of))
    return _measured_targets(targets, _isin(targets[CONVERSATION_ID], period_ids), ratings, drafts, ctx,
                             shared.department_of, codes)


# Targets measured at once by progress_at_horizons (its working memory is some 400 bytes a target).
_PROGRESS_ROWS = 250_000
# The columns of progress_at_horizons that the pieces read.
_PROGRESS_READ = [EMPLOYEE_ID, CONVERSATION_ID, SKILL, "t0", "baseline", HORIZON_MONTHS, "target",
                  "horizon_reached", "window_open", "measured_date", "measured_rating"]


@dataclass(frozen=True)
class _TargetCodes:
    """The employees of some targets as whole numbers in the order of their ids
    (:func:`careerconv.rules.progress.text_codes`; -1: none), and the employees of some ratings among them.

    Attributes
    ----------
    employee
        Per target, the number of its employee.
    employees
        The distinct employee ids, in that order, as text of the column's type (of its categories' type, for ids
        read as categories).
    departments
        The department of each of ``employees`` (:func:`departments`).
    no_id
        Per target, whether its employee is one the rule refuses (:func:`progress.blank_codes`).
    rated
        Per rating, the number of its employee (-1: an employee without targets, or none).
    """

    employee: np.ndarray
    employees: pd.Series
    departments: Any
    no_id: np.ndarray
    rated: np.ndarray

    @classmethod
    def of(cls, targets: pd.DataFrame, ratings: pd.DataFrame, department_of: pd.Series) -> "_TargetCodes":
        ids = targets[EMPLOYEE_ID]
        employee, employees = progress.text_codes(ids)
        text = ids.dtype.categories.dtype if isinstance(ids.dtype, pd.CategoricalDtype) else ids.dtype
        no_id = progress.blank_codes(employee, employees)
        employees = pd.Series(employees, dtype=text)
        # Held while the part is worked out: as 32-bit numbers (a part has far fewer than 2**31 targets).
        return cls(employee.astype(np.int32), employees, departments(employees, department_of).array, no_id,
                   _positions(ratings[EMPLOYEE_ID], employees).astype(np.int32))


def _measured_targets(targets: pd.DataFrame, chosen: np.ndarray, ratings: pd.DataFrame, drafts: pd.Series,
                      ctx: Context, department_of: pd.Series, codes: _TargetCodes | None = None) -> pd.DataFrame:
    """:func:`careerconv.rules.progress.progress_at_horizons` of the targets ``chosen`` (a mask) against the
    ratings of their employees (those given in the ``drafts`` left out), with ``department`` and ``skill_id``.

    Worked out a run of employees at a time (about :data:`_PROGRESS_ROWS` targets): a target is measured
    against its own employee's ratings and the table is sorted by employee first, so the runs put
    together are the table of all at once, in a fraction of its working memory. Only the columns the
    pieces read are kept, and the employees are whole numbers in the order of their ids (cheaper to group
    and count; the pieces count distinct employees within this part only). The rule is given those numbers
    for the ids (it only compares and sorts them) unless a run has a target without an id, which it refuses.
    ``codes``: :class:`_TargetCodes` of ``targets`` and ``ratings`` (None: worked out here).
    """
    if not chosen.any():
        empty = pd.DataFrame({c: [] for c in progress.PROGRESS_COLUMNS}).loc[:, _PROGRESS_READ]
        return empty.assign(department=pd.Series([], dtype=object), skill_id=pd.Series([], dtype="Int64"))
    if codes is None:
        codes = _TargetCodes.of(targets, ratings, department_of)
    # The employees of the chosen targets, numbered among themselves (-1: none).
    counts = np.bincount(codes.employee[chosen & (codes.employee >= 0)], minlength=len(codes.employees))
    present = counts > 0
    number = np.where(present, np.cumsum(present) - 1, -1)
    employee = _take_or(number, codes.employee, -1)
    rated = _take_or(number, codes.rated, -1)
    departments_of, counts = codes.departments.take(np.flatnonzero(present)), counts[present]
    no_id = codes.no_id
    run_of = (np.cumsum(counts) - counts) // _PROGRESS_ROWS  # per employee, in the order of their ids
    target_run = _take_or(run_of, employee, 0)  # no id: the first
    usable = rated >= 0
    if len(drafts):
        usable &= ~_in_draft(ratings, drafts)
    rating_run = np.where(usable, _take_or(run_of, rated, -1), -1)
    needed = [c for c in (DATE, SKILL, "source", RECORD_ID, SELF_RATING, "saved_at") if c in ratings.columns]
    runs = []
    for run in range(int(run_of.max()) + 1 if len(run_of) else 1):
        mine = chosen & (target_run == run)
        if not mine.any():  # one employee with more targets than a run skips a run's number
            continue
        rows = rating_run == run
        if no_id[mine].any():  # refused, as the rule says why
            progress.progress_at_horizons(targets.loc[mine], ratings.loc[rows], ctx.scope.as_of_day,
                                          columns=_PROGRESS_READ)
            raise AssertionError("progress.blank_codes found a target without an employee id that "
                                 "progress_at_horizons accepted: the two rules disagree")
        run_targets = targets.loc[mine, [CONVERSATION_ID, DATE, SKILL, "baseline", HORIZON_MONTHS, "target"]]
        measured = progress.progress_at_horizons(run_targets.assign(**{EMPLOYEE_ID: employee[mine]}),
                                                 ratings.loc[rows, needed].assign(**{EMPLOYEE_ID: rated[rows]}),
                                                 ctx.scope.as_of_day, columns=_PROGRESS_READ)
        code = measured[EMPLOYEE_ID].to_numpy()
        measured = measured.assign(department=pd.Series(departments_of.take(code), index=measured.index),
                                   skill_id=ctx.skill_ids(measured[SKILL]))
        runs.append(measured)
    return runs[0] if len(runs) == 1 else pd.concat(runs, ignore_index=True)


def _take_or(values: np.ndarray, codes: np.ndarray, missing: Any) -> np.ndarray:
    """``values[codes]``, ``missing`` where a code is -1."""
    return np.where(codes >= 0, values[np.maximum(codes, 0)] if len(values) else missing, missing)


def _rating_input(frames: Mapping[str, pd.DataFrame]) -> tuple[Any, pd.DataFrame, set[str]]:
    """See :meth:`PartShared.rating_input`."""
    from .engine import ratings_table
    from .partials import _Roster

    codes = _Roster.from_frame(frames["roster"]).codes_frame()
    convs = frames["conversations"]
    drafts = set(convs.loc[convs[STATUS].astype(object).fillna("") != "completed", CONVERSATION_ID].astype(str))
    return ratings_table(frames["skill_ratings"]), codes, drafts


def rating_pieces(shared: PartShared, ctx: Context) -> dict[str, Piece]:
    """Group sizes of the rating distribution and the self-versus-coach gaps for one part over ``ctx.scope``.

    Counted by the rating engine over the part's ratings (:meth:`PartShared.rating_input`), for the neighbouring
    reports (:func:`part_pieces`); this report's figures come from the rating step.
    """
    from .engine import rating_partials

    ratings, codes, drafts = shared.rating_input()
    partials = rating_partials(ratings, codes, ctx.catalogue, drafts, ctx.scope)
    names = codes.drop_duplicates("dept").set_index("dept")[DEPARTMENT]
    public = sorted(ctx.public)
    dist = partials.dist_hist[partials.dist_hist["skill_id"].isin(public)]
    dist = dist.assign(department=dist["dept"].map(names), band=band_labels(dist["v"]))
    totals = dist.groupby(["skill_id", DEPARTMENT], as_index=False)["n"].sum().assign(band=None)
    bands = dist.groupby(["skill_id", "band", DEPARTMENT], as_index=False)["n"].sum()
    gaps = pd.concat([partials.gaps[partials.gaps["skill_id"].isin(public)], partials.gaps_all], ignore_index=True)
    gaps = gaps.assign(department=gaps["dept"].map(names))
    return {"rating_distribution": Piece(list(RATING_TABLES["rating_distribution"]),
                                         pd.concat([totals, bands], ignore_index=True).rename(columns={"n": N})),
            "rating_gaps": Piece(list(RATING_TABLES["rating_gaps"]),
                                 gaps.loc[:, ["skill_id", DEPARTMENT, "n"]].rename(columns={"n": N}))}


def _in_draft(ratings: pd.DataFrame, drafts: pd.Series) -> np.ndarray:
    """Whether each rating was given in a draft conversation (as the rating engine decides it): its record is
    one of ``drafts`` and it does not come from a check-in (a missing source is not a check-in)."""
    from_checkin = ratings["source"].eq("checkin").fillna(False).to_numpy(dtype=bool)
    return _isin(ratings[RECORD_ID], drafts) & ~from_checkin


def rated_rows(ratings: pd.DataFrame, drafts: pd.Series, ctx: Context, department_of: pd.Series) -> pd.DataFrame:
    """The self ratings the rating trends read, of every day, in the order they count them (by day, then the
    rating recorded last that day, then the higher rating; a stable sort): ``department, skill_id, rating, date,
    employee_id, department_code`` and per grain of :data:`GRAINS` ``later_<grain>``.

    Left out are ratings given in a draft, and those of someone without a department or of an unknown skill.
    The last rating of a day is that of :func:`careerconv.rules.followup.last_recorded`. ``employee_id`` are
    whole numbers in the order of the ids (faster to compare; they count distinct employees within this part
    only), ``department_code`` whole numbers in the order of the departments' names, and ``department`` the
    names as a categorical on those codes. ``later_<grain>`` is the position among these rows of the employee's
    next rating of the skill in the same calendar bucket of the grain (the number of rows where there is none).
    The same for every period: :func:`rating_periods_piece` keeps the days of its own.
    """
    keep = ratings[SELF_RATING].notna().to_numpy().copy()
    if len(drafts):
        keep &= ~_in_draft(ratings, drafts)
    # Departments and skills are looked up on whole columns (nearly every rating is kept), then every column is
    # read as whole numbers at the rows kept: no text is taken row by row.
    # Each employee's place in the order of the ids and department are looked up once per employee.
    employee, employees = pd.factorize(ratings[EMPLOYEE_ID])
    code_of_employee, names = pd.factorize(departments(pd.Series(employees), department_of).array, sort=True)
    department_code = np.append(code_of_employee, -1)[employee]
    skill_id = ctx.skill_ids(ratings[SKILL])
    at = np.flatnonzero(keep & (department_code >= 0) & skill_id.notna().to_numpy())
    department_code = department_code[at]
    employee = np.append(_sort_codes(pd.Series(employees)), -1)[employee[at]]
    skill = skill_id.to_numpy(dtype=np.int64, na_value=0)[at]
    rating = ratings[SELF_RATING].to_numpy(dtype=float, na_value=np.nan)[at]
    date = pd.to_datetime(ratings[DATE]).dt.normalize().to_numpy()[at]
    day = date.astype("datetime64[D]").view(np.int64)  # days (and NaT, first) in their order, from 0
    day = np.where(day == np.iinfo(np.int64).min, 0, day - day[day != np.iinfo(np.int64).min].min(initial=0) + 1)
    # The last rating of a day, among the ratings of one person's skill that day (only rows sharing it are read).
    group = combined_codes([employee, skill - skill.min(initial=0), day])
    last = np.ones(len(at), dtype=bool)
    tied = np.flatnonzero(pd.Series(group, copy=False).duplicated(keep=False).to_numpy())
    if len(tied):
        recorded = ratings.iloc[at[tied]].loc[:, ["source", RECORD_ID, "saved_at"]].assign(group=group[tied])
        last[tied] = followup.last_recorded(recorded, ["group"])
    # Ordered by day, then the rating recorded last, then the higher rating (no rating is missing here): the rows
    # of a period are one run of them. One whole number per row, sorted stably.
    rating_rank, ratings_seen = pd.factorize(rating, sort=True)
    order = _stable_order((day * 2 + last) * max(len(ratings_seen), 1) + rating_rank)
    employee, skill, department_code = employee[order], skill[order], department_code[order]
    rows = pd.DataFrame({DEPARTMENT: pd.Categorical.from_codes(department_code, categories=names),
                         "skill_id": skill, "rating": rating[order], DATE: date[order], EMPLOYEE_ID: employee,
                         "department_code": department_code})
    months = rows[DATE].to_numpy(dtype="datetime64[M]").astype(np.int64)
    # Each employee's ratings of a skill, in the order of the rows: the next one of a bucket is the next of these.
    lowest = skill.min(initial=0)
    by_person = _stable_order(employee * (int(skill.max(initial=0)) - lowest + 1) + (skill - lowest))
    same = (employee[by_person[1:]] == employee[by_person[:-1]]) & (skill[by_person[1:]] == skill[by_person[:-1]])
    for grain, per in GRAINS:
        bucket = (months - months % 12 % per)[by_person]
        next_same = np.flatnonzero(same & (bucket[1:] == bucket[:-1]))
        later = np.full(len(rows), len(rows), dtype=np.int64)
        later[by_person[next_same]] = by_person[next_same + 1]
        rows[f"later_{grain}"] = later
    return rows



def _stable_order(key: np.ndarray) -> np.ndarray:
    """``np.argsort(key, kind="stable")`` of whole numbers from 0: sorted 16 bits at a time (NumPy sorts 16-bit
    numbers stably by counting them, several times faster than comparing 64-bit ones)."""
    highest = int(key.max()) if len(key) else 0
    if highest >= 1 << 48:
        return np.argsort(key, kind="stable")
    order = np.arange(len(key))
    shift = 0
    while shift == 0 or highest >> shift:
        digit = ((key[order] >> shift) & 0xFFFF).astype(np.uint16)
        order = order[np.argsort(digit, kind="stable")]
        shift += 16
    return order


def rating_periods_piece(ratings: pd.DataFrame, drafts: pd.Series, ctx: Context, department_of: pd.Series,
                         rated: pd.DataFrame | None = None) -> Piece:
    """Self ratings by quarter, half-year and year, per listed skill and over all skills (coarser trends).

    Per employee, skill and bucket the latest self rating counts, ordered as the rating engines order them
    (day, then the rating recorded last that day by :func:`careerconv.rules.followup.recorded_order`, then the
    higher rating). Over all skills
    an employee counts once per bucket, with the mean of their latest ratings of each skill. Quarters by
    skill are left to the rating step (``skill_trends``); here quarters are over all skills only.

    ``rated`` is :func:`rated_rows` of the same arguments, if already worked out (the reports of one part share it).

    The figures are those :func:`careerconv.analytics.levels.level_piece` and
    :func:`careerconv.analytics.levels.contributions` give for the rows ``employee_id, department, grain, bucket,
    skill_id, rating`` (and ``date``): per grain, each employee's buckets over all skills (by employee, then
    bucket), then the latest ratings of the listed skills (in the order of the ratings). They are worked out here
    on whole numbers, the text put back on the few rows of the figures: in those rows an employee is in one
    department and has one row per grain, bucket and skill, so the distinct employees of a group are its rows.
    """
    scope = ctx.scope
    if rated is None:
        rated = rated_rows(ratings, drafts, ctx, department_of)
    days = rated[DATE].to_numpy()
    edges = [pd.Timestamp(edge).to_datetime64().astype(days.dtype).astype(np.int64)
             for edge in (scope.start, scope.end)]
    first, stop = np.searchsorted(days.view(np.int64), edges)  # the rows are ordered by day: the period is a run
    period = rated.iloc[first:stop]
    codes = rated["department_code"].to_numpy(dtype=np.int64)
    row_of_code = np.zeros(int(codes.max()) + 1 if len(codes) else 0, dtype=np.int64)
    row_of_code[codes] = np.arange(len(codes))  # a row of each department code (any: they all name it alike)
    names = rated[DEPARTMENT].array.take(row_of_code)  # by code
    employee = period[EMPLOYEE_ID].to_numpy(dtype=np.int64)
    department = codes[first:stop]
    skill = period["skill_id"].to_numpy(dtype=np.int64)
    rating = period["rating"].to_numpy(dtype=float)
    day = period[DATE].to_numpy()
    months = day.astype("datetime64[M]").astype(np.int64)  # months since 1970
    public = np.isin(skill, np.fromiter(ctx.public, dtype=np.int64, count=len(ctx.public)))
    department_of_employee = np.zeros(int(employee.max()) + 1 if len(employee) else 0, dtype=np.int64)
    department_of_employee[employee] = department
    columns: list[list[np.ndarray]] = []  # per run of rows: employee, grain, month of the bucket, skill, rating, day
    # The rows by employee and month, sorted once: by employee and bucket too, in every grain.
    by_month = _stable_order(employee * (int(months.max(initial=0)) + 1 - int(months.min(initial=0)))
                             + months - int(months.min(initial=0)))
    for grain_code, (grain, per) in enumerate(GRAINS):
        bucket = months - months % 12 % per  # its first month (cut to the period below)
        # The latest rating of each employee, skill and bucket: no later one of theirs in the period.
        latest_rows = rated[f"later_{grain}"].to_numpy()[first:stop] >= stop
        found = np.flatnonzero(latest_rows)
        # Per employee and bucket over all skills: the mean of those ratings and the latest day, by employee and
        # bucket (as pandas groups them).
        lowest = int(bucket.min()) if len(bucket) else 0
        width = int(bucket.max()) + 1 - lowest if len(bucket) else 1
        ordered = by_month[latest_rows[by_month]]
        key, mean, latest = _bucket_means(employee[ordered] * width + bucket[ordered] - lowest, rating[ordered],
                                          day[ordered])
        columns.append([key // width, np.full(len(key), grain_code), key % width + lowest,
                        np.full(len(key), ALL_SKILLS), mean, latest])
        if grain != "quarter":
            listed = found[public[found]]
            columns.append([employee[listed], np.full(len(listed), grain_code), bucket[listed], skill[listed],
                            rating[listed], day[listed]])
    employee, grain, bucket, skill, rating, day = (np.concatenate(column) for column in zip(*columns))
    by = ["grain", "bucket", "skill_id"]
    if not len(employee):
        return level_piece(_no_trends(), by, _PERIODS, scope, no_contributions(by))
    trends = _Trends(grain, bucket, skill, department_of_employee[employee], scope.start, names)
    inside = np.asarray(pd.Index(names).isin(scope.selected), dtype=bool)[trends.department]
    if not inside.any():  # nobody in the selected departments: the empty figures of level_piece
        piece = level_piece(_no_trends(), by, {} if ctx.sizes_only else _PERIODS, scope)
    else:  # level_piece counts the rows of the selected departments only
        counted = trends if inside.all() else trends.subset(inside)
        piece = Piece(by, counted.sizes()) if ctx.sizes_only else \
            Piece(by, *counted.sums(rating if inside.all() else rating[inside]))
    if not ctx.sizes_only:
        piece.contrib = trends.contributions(day)
    return piece


def _bucket_means(key: np.ndarray, rating: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per distinct ``key`` (whole numbers from 0, in their order): the key, the mean of its ratings (none missing)
    and its latest day, as pandas groups them."""
    starts = np.flatnonzero(np.diff(key, prepend=-1))
    if not len(starts):
        return key, rating[:0], day[:0]
    mean = np.add.reduceat(rating, starts) / np.diff(np.append(starts, len(key)))
    latest = np.maximum.reduceat(day.view(np.int64), starts).view(day.dtype)
    return key[starts], mean, latest


def _no_trends() -> pd.DataFrame:
    """No rows of the rating trends (see :func:`rating_periods_piece`), with the types of their columns."""
    return pd.DataFrame({EMPLOYEE_ID: np.zeros(0, dtype=np.int64), DEPARTMENT: pd.Series([], dtype=schema.TEXT_DTYPE),
                         "grain": pd.Series([], dtype=schema.TEXT_DTYPE), "bucket": np.zeros(0, dtype="datetime64[us]"),
                         "skill_id": np.zeros(0, dtype=np.int64), "rating": np.zeros(0)})


@dataclass(frozen=True)
class _Trends:
    """The rows of the rating trends (see :func:`rating_periods_piece`) as whole numbers: the index of the grain in
    :data:`GRAINS`, the first month of the bucket (months since 1970; the bucket is cut to ``start``), the skill id
    and the department code (by name: ``names``)."""

    grain: np.ndarray
    bucket: np.ndarray
    skill: np.ndarray
    department: np.ndarray
    start: pd.Timestamp
    names: object

    def subset(self, rows: np.ndarray) -> "_Trends":
        return replace(self, grain=self.grain[rows], bucket=self.bucket[rows], skill=self.skill[rows],
                       department=self.department[rows])

    @cached_property
    def _columns(self) -> tuple[list[np.ndarray], list[int]]:
        """Grain, bucket, skill and department, each as whole numbers from 0 in the order of its values (the
        grains by name), and how many each may have."""
        grain_rank = np.argsort(np.argsort([name for name, _ in GRAINS]))
        parts = [grain_rank[self.grain], self.bucket - self.bucket.min(), self.skill - self.skill.min(),
                 self.department]
        return parts, [len(GRAINS), *(int(part.max()) + 1 for part in parts[1:])]

    def columns(self, *more: np.ndarray) -> tuple[list[np.ndarray], list[int]]:
        """:attr:`_columns`, and ``more`` (whole numbers from 0) after them."""
        parts, widths = self._columns
        return [*parts, *more], [*widths, *(int(part.max()) + 1 for part in more)]

    def keys(self, key: np.ndarray) -> pd.DataFrame:
        """``grain, bucket, skill_id, department`` of the numbers ``key`` of :meth:`number` (text for the grain and
        the department)."""
        key = np.asarray(key, dtype=np.int64)
        _, widths = self.columns()
        values = []
        for width in reversed(widths[:4]):
            values.append(key % width)
            key = key // width
        grain_rank, bucket, skill, department = reversed(values)
        grain_names = np.array(sorted(name for name, _ in GRAINS), dtype=object)
        months = (bucket + self.bucket.min()).astype("datetime64[M]").astype("datetime64[us]")
        start = pd.Timestamp(self.start).to_datetime64().astype("datetime64[us]")
        return pd.DataFrame({"grain": pd.array(grain_names[grain_rank], dtype=schema.TEXT_DTYPE),
                             "bucket": np.maximum(months, start), "skill_id": skill + self.skill.min(),
                             DEPARTMENT: pd.array(self.names.take(department), dtype=schema.TEXT_DTYPE)})

    def number(self, *more: np.ndarray) -> tuple[np.ndarray, list[int]]:
        """One whole number per row for grain, bucket, skill, department (and ``more``), in their order."""
        parts, widths = self.columns(*more)
        size = 1
        key = np.zeros(len(self.grain), dtype=np.int64)
        for part, width in zip(parts, widths):
            size *= width
            if size >= 2 ** 62:  # not with calendar buckets and a catalogue of skills
                raise ValueError("too many groups of the rating trends to number")
            key *= width
            key += part
        return key, widths

    @cached_property
    def _cells(self) -> tuple[np.ndarray, np.ndarray]:
        """The group of each row (from 0, in the order the groups first occur) and each group's number."""
        key, _ = self.number()
        return _groups_in_order(key)[:2]

    def sizes(self) -> pd.DataFrame:
        """:attr:`Piece.sums` of the rows without statistics (``n_employees`` alone), as level_piece makes them."""
        cell, cells = self._cells
        return self.keys(cells).assign(**{N: np.bincount(cell, minlength=len(cells))})

    def sums(self, rating: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
        """:attr:`Piece.sums` and :attr:`Piece.values` of the rows, as level_piece makes them: the groups in the
        order they first occur, the sums added up by pandas in the order of the rows."""
        cell, cells = self._cells
        valued = ~np.isnan(rating)
        sums = self.sizes().assign(**{
            "mean|sum": np.bincount(cell[valued], weights=rating[valued], minlength=len(cells)),
            "mean|count": np.bincount(cell[valued], minlength=len(cells)).astype(np.int64)})
        value_code, distinct = pd.factorize(rating[valued])
        pair, pairs, _ = _groups_in_order(cell[valued] * max(len(distinct), 1) + value_code)
        values = self.keys(cells[pairs // max(len(distinct), 1)]).assign(
            value=distinct[pairs % max(len(distinct), 1)], count=np.bincount(pair, minlength=len(pairs)))
        return sums, values.assign(stat="median")

    def contributions(self, day: np.ndarray) -> pd.DataFrame:
        """:func:`careerconv.analytics.levels.contributions` of the rows on their ``day``: distinct employees per
        group, department and quarter, ordered by them."""
        quarter = quarter_months(pd.Series(day))
        quarter_code = (quarter - quarter.min()) // 3
        key, widths = self.number(quarter_code)
        if int(key.max()) < 4 * len(key) + 1024:  # few possible cells: counted in a table of them all
            counted = np.bincount(key)
            cells = np.flatnonzero(counted)
            n = counted[cells]
        else:
            cell, cells = pd.factorize(key)
            order = np.argsort(cells)
            cells, n = cells[order], np.bincount(cell, minlength=len(cells))[order]
        quarters = (cells % widths[-1]) * 3 + quarter.min()
        return self.keys(cells // widths[-1]).assign(
            quarter=quarters.astype("datetime64[M]").astype("datetime64[ns]"), n=n)


def overview_piece(roster: pd.DataFrame, completed: pd.DataFrame, checkins: pd.DataFrame, scope: ReportScope,
                   department_of: pd.Series) -> Piece:
    """Who is covered: everyone on the roster, whether they met in the period, their conversations and check-ins.

    The people are counted as whole numbers (each id hashed once; a missing id is nobody's).
    """
    conv_ids = completed[EMPLOYEE_ID][(completed[DATE] >= scope.start).to_numpy()]
    conv_dates = completed[DATE][(completed[DATE] >= scope.start).to_numpy()]
    ci_dates = pd.to_datetime(checkins[DATE]).dt.normalize()
    in_period = ((ci_dates >= scope.start) & (ci_dates < scope.end)).to_numpy()
    ci_ids, ci_dates = checkins[EMPLOYEE_ID][in_period], ci_dates[in_period]
    person, ids = _person_numbers(roster[EMPLOYEE_ID], conv_ids, ci_ids)
    conv_person, ci_person = person[len(roster):len(roster) + len(conv_ids)], person[len(roster) + len(conv_ids):]
    on_roster = person[:len(roster)]
    per_emp = pd.DataFrame({EMPLOYEE_ID: pd.array(np.where(on_roster >= 0, on_roster, 0), dtype="Int64"),
                            DEPARTMENT: roster[DEPARTMENT].to_numpy()}, index=roster.index)
    per_emp.loc[on_roster < 0, EMPLOYEE_ID] = pd.NA
    per_emp["met"] = _counts_of(conv_person, on_roster, len(ids)) > 0
    per_emp["n_conv"] = _as_mapped(_counts_of(conv_person, on_roster, len(ids)), roster[EMPLOYEE_ID],
                                   completed.loc[:, [EMPLOYEE_ID]])
    per_emp["n_ci"] = _as_mapped(_counts_of(ci_person, on_roster, len(ids)), roster[EMPLOYEE_ID],
                                 checkins.loc[:, [EMPLOYEE_ID]])
    event_person = np.concatenate([conv_person, ci_person])
    department = departments(pd.Series(ids), department_of).array
    event_department = department.take(np.where(event_person >= 0, event_person, -1), allow_fill=True)
    kept = np.flatnonzero(~np.asarray(event_department.isna(), dtype=bool))
    events = pd.DataFrame({EMPLOYEE_ID: event_person[kept],
                           DATE: np.concatenate([conv_dates.to_numpy(), ci_dates.to_numpy()])[kept],
                           DEPARTMENT: event_department.take(kept)})
    return level_piece(per_emp, [], _OVERVIEW, scope, contributions(events, []))


def _person_numbers(*ids: pd.Series) -> tuple[np.ndarray, Any]:
    """Each id of the columns (one after the other) as a whole number from 0 (-1: missing), and the ids numbered."""
    if all(isinstance(column.dtype, pd.StringDtype) for column in ids):
        joined = pd.concat([column.astype(ids[0].dtype) for column in ids], ignore_index=True)
    else:
        joined = pd.Series(np.concatenate([column.to_numpy(dtype=object) for column in ids]), dtype=object)
    codes, uniques = pd.factorize(joined, use_na_sentinel=True)
    return codes.astype(np.int64), uniques


def _counts_of(person: np.ndarray, of: np.ndarray, size: int) -> np.ndarray:
    """How many rows of ``person`` each number of ``of`` has (0 for -1: missing ids count for nobody)."""
    counts = np.append(np.bincount(person[person >= 0], minlength=size), 0)
    return counts[of]


def _as_mapped(counts: np.ndarray, ids: pd.Series, rows: pd.DataFrame) -> Any:
    """Counts per id of ``ids`` in the type ``ids.map(rows.groupby(EMPLOYEE_ID).size()).fillna(0)`` gives them (it
    depends on the types of the ids and sizes, and on whether an id had no rows): that map is made on one id."""
    size = rows.iloc[:0].groupby(EMPLOYEE_ID).size()
    known = np.flatnonzero(ids.notna().to_numpy())
    if not len(counts) or not len(known):
        return counts.astype(np.float64)
    probe = ids.iloc[known[:1]].reset_index(drop=True)
    sizes = pd.Series([1], index=pd.Index(probe.to_numpy()), dtype=size.dtype)
    if not (counts > 0).all():
        probe = probe.reindex([0, 1])  # a second id, missing: not in the sizes
    kind = probe.map(sizes).fillna(0).dtype
    return pd.array(counts, dtype=kind) if isinstance(kind, pd.api.extensions.ExtensionDtype) else counts.astype(kind)


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
        pieces.append(level_piece(per_emp, by, _GROWTH, ctx.scope, _twice_contributions(part, by, part_codes),
                                  codes=emp_codes))
    return Piece.combine(pieces)  # "each skill" and "all skills" have different skill ids: nothing adds up


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
    cell, distinct = pd.factorize(combined)
    order = np.argsort(distinct, kind="stable")  # the groups, numbered as they first occur, sorted
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    first = complete[_first_of_codes(cell)][order]
    group = np.full(len(rows), -1, dtype=np.int64)
    group[complete] = rank[cell]
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
    columns = [EMPLOYEE_ID, DEPARTMENT, *by]
    events = pd.concat([rows.loc[:, [*columns, "t0"]].rename(columns={"t0": DATE}),
                        rows.loc[:, [*columns, "measured_date"]].rename(columns={"measured_date": DATE})])
    return contributions(events, by, {key: np.concatenate([c, c]) for key, c in codes.items()})


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
        sums = pd.DataFrame({c: [] for c in [HORIZON_MONTHS, DEPARTMENT, N, *_ATTAINMENT]})
    else:  # counted as progress.attainment_rate counts, department by department
        sums = progress.attainment_rate(due_inside, by=[DEPARTMENT])
        sums[N] = people[N].to_numpy()  # the same groups, in the same order
    measured = np.flatnonzero(due["measured_date"].notna().to_numpy())
    events = pd.concat([due.loc[:, [EMPLOYEE_ID, DEPARTMENT, HORIZON_MONTHS, "t0"]].rename(columns={"t0": DATE}),
                        due.loc[:, [EMPLOYEE_ID, DEPARTMENT, HORIZON_MONTHS, "measured_date"]].iloc[measured]
                        .rename(columns={"measured_date": DATE})])
    return summed_piece(sums, [HORIZON_MONTHS], _ATTAINMENT, contributions(
        events, [HORIZON_MONTHS], {key: np.concatenate([c, c[measured]]) for key, c in codes.items()}))


def named_skills(skills: pd.DataFrame, ctx: Context, department_of: pd.Series) -> pd.DataFrame:
    """The skills people named in any conversation, as the most-wanted skills read them: ``conversation_id,
    employee_id, department, skill_id, date, conversation_code``.

    Left out are skills of someone without a department and unknown skills. The employees are whole numbers
    from 0 (every row has one; they are only counted, and numbers are faster to compare than text ids), the
    departments a categorical of their names in order, ``conversation_code`` each conversation's number (in
    the order they first occur; -1: a missing id). The same for every period: :func:`most_wanted_piece` keeps
    the conversations of its own.
    """
    employee, employees = pd.factorize(skills[EMPLOYEE_ID])
    # Each employee's department looked up once, then the rows read as whole numbers.
    code_of_employee, names = pd.factorize(departments(pd.Series(employees), department_of).array, sort=True)
    department = np.append(code_of_employee, -1)[employee]
    skill_id = ctx.skill_ids(skills[SKILL])
    at = np.flatnonzero((department >= 0) & skill_id.notna().to_numpy())
    conversation = skills[CONVERSATION_ID].take(at)
    return pd.DataFrame({
        CONVERSATION_ID: conversation.reset_index(drop=True), EMPLOYEE_ID: pd.factorize(employee[at])[0],
        DEPARTMENT: pd.Categorical.from_codes(department[at], categories=names), "skill_id": skill_id.take(at).array,
        DATE: pd.to_datetime(skills[DATE].take(at)).dt.normalize().reset_index(drop=True),
        "conversation_code": pd.factorize(conversation)[0]})


def most_wanted_piece(skills: pd.DataFrame, in_period: pd.DataFrame, ctx: Context,
                      department_of: pd.Series, named: pd.DataFrame | None = None) -> tuple[Piece, Piece]:
    """Who named each listed skill and any skill (skill id :data:`ALL_SKILLS`), and who was met at all
    (the base of the shares); with ``ctx.sizes_only``, not how many skills each person chose, nor when.

    ``named`` is :func:`named_skills` of the same arguments, if already worked out (the reports of one part
    share it).

    The figures are those :func:`careerconv.analytics.levels.level_piece` and
    :func:`careerconv.analytics.levels.contributions` give for the rows ``employee_id, department, skill_id``
    (each listed skill a person named, and "any skill", once per person; with their ``date`` for the
    contributions), worked out on whole numbers (an employee is in one department), the text put back on the
    rows of the figures.
    """
    if named is None:
        named = named_skills(skills, ctx, department_of)
    at = np.flatnonzero(_in_conversations(named, in_period[CONVERSATION_ID]))
    people_met = _people_met(in_period, ctx.scope, department_of)
    wanted = _Wanted.of(named, at, ctx)
    if not wanted.counted.any():  # nobody in the selected departments: the empty figures of level_piece
        empty = pd.DataFrame({EMPLOYEE_ID: [], DEPARTMENT: pd.Series([], dtype=schema.TEXT_DTYPE), "skill_id": []})
        if ctx.sizes_only:
            return level_piece(empty, ["skill_id"], {}, ctx.scope), people_met
        contrib = wanted.contributions() if len(at) else no_contributions(["skill_id"])
        return level_piece(empty.assign(skills_chosen=[]), ["skill_id"], _WANTED, ctx.scope, contrib), people_met
    if ctx.sizes_only:
        return Piece(["skill_id"], wanted.sums(with_chosen=False)), people_met
    return Piece(["skill_id"], wanted.sums(with_chosen=True), pd.DataFrame(), wanted.contributions()), people_met


def _in_conversations(named: pd.DataFrame, conversation_ids: pd.Series) -> np.ndarray:
    """Whether each row of ``named`` is of one of the conversations ``conversation_ids``: each distinct
    conversation of ``named`` looked up once (by its ``conversation_code``, if :func:`named_skills` gave one)."""
    column = named[CONVERSATION_ID]
    codes = named["conversation_code"].to_numpy() if "conversation_code" in named else pd.factorize(column)[0]
    found = np.zeros(int(codes.max(initial=-1)) + 2, dtype=bool)  # by code, and False for -1 (missing)
    position = _positions(conversation_ids, column.iloc[_first_of_codes(codes)])
    found[position[position >= 0]] = True
    return found[codes]


def _people_met(in_period: pd.DataFrame, scope: ReportScope, department_of: pd.Series) -> Piece:
    """The distinct employees met in the period per selected department (the base of the most-wanted shares),
    as :func:`careerconv.analytics.levels.level_piece` counts them."""
    department = departments(in_period[EMPLOYEE_ID], department_of)
    person = pd.factorize(in_period[EMPLOYEE_ID])[0]
    code, names = pd.factorize(department)
    at = np.flatnonzero(np.append(np.asarray(pd.Index(names).isin(scope.selected), dtype=bool), False)[code])
    if not len(at):
        return level_piece(pd.DataFrame({EMPLOYEE_ID: [], DEPARTMENT: department.iloc[:0]}), [], {}, scope)
    cell, cells = pd.factorize(code[at])
    pairs, who = distinct_pairs(cell, len(cells), person[at] + 1)
    n = np.bincount(pairs[who > 0], minlength=len(cells)).astype(np.int64)
    return Piece([], pd.DataFrame({DEPARTMENT: department.array.take(at[_first_of_codes(cell)]), N: n}))


@dataclass(frozen=True)
class _Wanted:
    """The rows of the most-wanted skills (see :func:`most_wanted_piece`) as whole numbers: per row of ``named``
    in the period (``rows``) its person (from 0; -1: nobody, a missing id), department (by name: ``names``; -1:
    none) and skill id; the events are the rows of the listed skills, then every row as "any skill"
    (``event_rows``, ``event_skill``), ``counted`` those of the selected departments."""

    named: pd.DataFrame
    rows: np.ndarray
    person: np.ndarray
    department: np.ndarray
    names: Any
    skill: np.ndarray
    event_rows: np.ndarray
    event_skill: np.ndarray
    counted: np.ndarray

    @classmethod
    def of(cls, named: pd.DataFrame, rows: np.ndarray, ctx: Context) -> "_Wanted":
        person = _person_codes(named[EMPLOYEE_ID].take(rows))
        column = named[DEPARTMENT]
        if isinstance(column.dtype, pd.CategoricalDtype):
            department, names = column.cat.codes.to_numpy()[rows], column.cat.categories.array
        else:
            department, names = pd.factorize(column.array.take(rows), sort=True)
        skill = named["skill_id"].to_numpy(dtype=np.int64, na_value=ALL_SKILLS)[rows]
        listed = np.flatnonzero(np.isin(skill, np.fromiter(ctx.public, dtype=np.int64, count=len(ctx.public))))
        event_rows = np.concatenate([listed, np.arange(len(rows))])
        event_skill = np.concatenate([skill[listed], np.full(len(rows), ALL_SKILLS, dtype=np.int64)])
        selected = np.append(np.asarray(pd.Index(names).isin(ctx.scope.selected), dtype=bool), False)
        return cls(named, rows, person, department, names, skill, event_rows, event_skill,
                   selected[department[event_rows]])

    def sums(self, with_chosen: bool) -> pd.DataFrame:
        """:attr:`Piece.sums` of the events of the selected departments, as level_piece makes them: per skill and
        department, in the order they first occur, the distinct people (and with ``with_chosen`` the sum and count
        of how many skills each person chose, on the "any skill" rows)."""
        events = np.flatnonzero(self.counted)
        rows, skill = self.event_rows[events], self.event_skill[events]
        lowest = int(skill.min())
        cell, cells, first = _groups_in_order((skill - lowest) * len(self.names) + self.department[rows])
        pairs, person = distinct_pairs(cell, len(cells), self.person[rows] + 1)
        known = person > 0
        n = np.bincount(pairs[known], minlength=len(cells)).astype(np.int64)
        sums = pd.DataFrame({"skill_id": skill[first], DEPARTMENT: self.names.take(self.department[rows[first]]),
                             N: n})
        if not with_chosen:
            return sums
        every = skill[first] == ALL_SKILLS
        added = np.bincount(pairs[known], weights=self.chosen()[person[known] - 1], minlength=len(cells))
        return sums.assign(**{"skills_per_person|sum": np.where(every, added, 0.0),
                              "skills_per_person|count": np.where(every, n, 0)})

    def chosen(self) -> np.ndarray:
        """How many different skills each person (by ``person``) named in the period."""
        people = int(self.person.max()) + 2
        person, _ = distinct_pairs(self.person + 1, people, self.skill - int(self.skill.min()))
        return np.bincount(person, minlength=people)[1:].astype(float)

    def contributions(self) -> pd.DataFrame:
        """:func:`careerconv.analytics.levels.contributions` of every event on its day: distinct employees per
        skill, department and quarter, ordered by them (an undated event in a quarter of its own, last)."""
        quarter = quarter_months(self.named[DATE].take(self.rows))[self.event_rows]
        nat = quarter == np.iinfo(np.int64).min
        lowest_quarter = int(quarter[~nat].min()) if (~nat).any() else 0
        quarter_code = np.where(nat, 0, (quarter - lowest_quarter) // 3)
        quarter_code[nat] = int(quarter_code.max()) + 1
        quarters = int(quarter_code.max()) + 1
        lowest = int(self.event_skill.min())
        group = (self.event_skill - lowest) * quarters + quarter_code
        pairs, person = distinct_pairs(group, int(group.max()) + 1, self.person[self.event_rows] + 1)
        width = len(self.names) + 1  # the departments by name, none last
        department_of = np.zeros(int(self.person.max()) + 2, dtype=np.int64)
        department_of[self.person + 1] = np.where(self.department < 0, len(self.names), self.department)
        cell = (pairs // quarters * width + department_of[person]) * quarters + pairs % quarters
        counted = np.bincount(cell, minlength=int(cell.max()) + 1)  # few cells: skills, departments, quarters
        cells = np.flatnonzero(counted)
        n = np.bincount(cell, weights=person > 0, minlength=len(counted))[cells].astype(np.int64)
        department = cells // quarters % width
        months = np.where(cells % quarters == quarters - 1 if nat.any() else False, np.iinfo(np.int64).min,
                          cells % quarters * 3 + lowest_quarter)
        return pd.DataFrame({"skill_id": cells // quarters // width + lowest,
                             DEPARTMENT: self.names.take(np.where(department == len(self.names), -1, department),
                                                         allow_fill=True),
                             "quarter": months.astype("datetime64[M]").astype("datetime64[ns]"), "n": n})


def _person_codes(ids: pd.Series) -> np.ndarray:
    """Whole numbers from 0 that are equal where the ids are (-1: a missing text id, nobody): whole-number ids
    from 0 as they are, if not far more than the rows (as :func:`named_skills` numbers them)."""
    values = ids.to_numpy() if ids.dtype.kind == "i" else None
    if values is not None and (not len(values) or (values.min() >= 0 and values.max() < 4 * len(values) + 1024)):
        return values.astype(np.int64, copy=False)
    return pd.factorize(ids)[0]


def _groups_in_order(key: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The groups of the whole numbers ``key`` (from 0) in the order they first occur, as :func:`pandas.factorize`
    numbers them: each row's group, each group's key and its first row."""
    size = int(key.max()) + 1 if len(key) else 0
    if size > 4 * len(key) + 1024:  # far apart: hashed
        cell, cells = pd.factorize(key)
        return cell, cells, _first_of_codes(cell)
    first = np.full(size, len(key))
    np.minimum.at(first, key, np.arange(len(key)))
    cells = np.flatnonzero(first < len(key))
    cells = cells[np.argsort(first[cells], kind="stable")]
    number = np.zeros(size, dtype=np.int64)
    number[cells] = np.arange(len(cells))
    return number[key], cells, first[cells]


def cadence_piece(rows: tuple[pd.DataFrame, pd.DataFrame], scope: ReportScope) -> Piece:
    """Who is overdue for a conversation or a check-in on the as-of day (from :func:`cadence_rows`)."""
    per_emp, changes = rows
    return level_piece(per_emp, [], _CADENCE, scope, contributions(changes, []))


def cadence_rows(frames: Mapping[str, pd.DataFrame], roster: pd.DataFrame, scope: ReportScope,
                 item_states: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per employee on the as-of day (:func:`careerconv.rules.cadence.due_list`): overdue or not, and their latest
    change.

    ``item_states`` is :func:`careerconv.rules.cadence.action_item_states` of these frames on the as-of day, if
    already worked out.

    Returns
    -------
    (per_emp, changes)
        ``employee_id, department, coach_id`` with ``conversation_overdue``, ``never_met``,
        ``checkin_overdue``, ``any_overdue``; and ``employee_id, department, coach_id, date``: each person's
        latest change on or before the as-of day, what a later as-of date would differ by. The employees are whole
        numbers (NA: a missing id; they are only counted, and numbers are faster to count than text ids).
    """
    day = scope.as_of_day
    due_tables = {
        # Names are free text; the due list only sorts by them, so it gets the id instead.
        "roster": roster.assign(name=roster[EMPLOYEE_ID]),
        **{name: frames[name] for name in ("conversations", "checkins", "action_items", "checkin_updates")},
    }
    due = cadence.due_list(due_tables, day, item_states=item_states)
    person = pd.factorize(due[EMPLOYEE_ID], use_na_sentinel=True)[0]
    per_emp = pd.DataFrame({EMPLOYEE_ID: pd.array(np.where(person >= 0, person, 0), dtype="Int64"),
                            DEPARTMENT: due[DEPARTMENT]})
    per_emp.loc[person < 0, EMPLOYEE_ID] = pd.NA
    per_emp[COACH_ID] = due[COACH_ID].astype(object).to_numpy()  # the roster's, as the due list carries it
    per_emp["conversation_overdue"] = due["conversation_status"].eq(cadence.OVERDUE).to_numpy()
    per_emp["never_met"] = due["conversation_status"].eq(cadence.NEVER_MET).to_numpy()
    # A follow-up missed counts also where the conversation is overdue too (the due list then names only that).
    per_emp["checkin_overdue"] = cadence.followup_overdue(due, day)
    per_emp["any_overdue"] = (per_emp["conversation_overdue"] | per_emp["checkin_overdue"]).to_numpy()
    events = due.loc[:, ["last_conversation", "last_checkin", "next_conversation_due", "next_checkin_due"]]
    events = events.apply(lambda col: col.where(col <= day))
    changes = pd.DataFrame({EMPLOYEE_ID: per_emp[EMPLOYEE_ID], DEPARTMENT: due[DEPARTMENT],
                            COACH_ID: per_emp[COACH_ID].to_numpy(), DATE: events.max(axis=1)})
    return per_emp, changes


def coach_piece(rows: tuple[pd.DataFrame, pd.DataFrame], scope: ReportScope) -> Piece:
    """Each coach's team on the as-of day: who is on time for a conversation and for a follow-up.

    The team is everyone on the roster with that coach; the figures are those of :func:`cadence_rows`.
    """
    per_emp, changes = (frame[frame[COACH_ID].notna()] for frame in rows)
    per_emp = per_emp.assign(conversation_on_time=~(per_emp["conversation_overdue"] | per_emp["never_met"]),
                             checkin_on_time=~per_emp["checkin_overdue"] & ~per_emp["never_met"])
    return level_piece(per_emp, [COACH_ID], _COACH, scope, contributions(changes, [COACH_ID]))


def item_rows(states: pd.DataFrame, department_of: pd.Series) -> pd.DataFrame:
    """The action items' states as :func:`action_items_piece` reads them: ``employee_id, department,
    conversation_date, status, due, status_date``.

    Left out are the items of someone without a department. The employees are whole numbers from 0 in the order
    of their ids (they are only grouped and counted, and numbers are faster to compare than text ids); each id is
    hashed once, and each distinct one looked up once.
    """
    codes, ids = pd.factorize(states[EMPLOYEE_ID], sort=True)
    department = departments(pd.Series(ids), department_of)
    known = department.notna().to_numpy()
    number = np.append(np.where(known, np.cumsum(known) - 1, -1), -1)[codes]  # -1: no department (or no id)
    kept = np.flatnonzero(number >= 0)
    rows = states.loc[:, [EMPLOYEE_ID, "conversation_date", STATUS, "due", "status_date"]].take(kept)
    return rows.assign(department=department.array.take(np.append(np.flatnonzero(known), -1)[number[kept]]),
                       **{EMPLOYEE_ID: number[kept]})


def action_items_piece(states: pd.DataFrame | None, scope: ReportScope, department_of: pd.Series,
                       rows: pd.DataFrame | None = None, *, sizes_only: bool = False) -> Piece:
    """The share of each person's action items in each status, and of those open past their due date.

    ``states`` is :func:`careerconv.rules.cadence.action_item_states` of the part on the as-of day; ``rows`` its
    :func:`item_rows`, if already worked out (the reports sharing an as-of day share them). With ``sizes_only``
    only the people with items are counted (see :attr:`Context.sizes_only`; their states are not read).
    """
    if rows is None:
        rows = item_rows(states, department_of)
    inside = np.flatnonzero((rows["conversation_date"] >= scope.start).to_numpy())
    # Per person first, so someone with many items weighs as one (each person has one department).
    employee = rows[EMPLOYEE_ID].to_numpy()[inside]
    person, first = _people(employee)
    per_emp = pd.DataFrame({EMPLOYEE_ID: employee[first], DEPARTMENT: rows[DEPARTMENT].array.take(inside[first])})
    items = np.bincount(person, minlength=len(first))
    if sizes_only:  # the people as the figures group them
        return level_piece(per_emp.assign(size=items), [], {}, scope)
    states = rows.take(inside)
    status_code, statuses = pd.factorize(states[STATUS], use_na_sentinel=True)
    labels = np.append(np.asarray(statuses, dtype=object), None)
    past_due = np.isin(labels, followup.OPEN_STATUSES)[status_code] & (states["due"] < scope.as_of_day).to_numpy()
    for s in schema.ITEM_STATUSES:
        per_emp[f"is_{s}"] = np.bincount(person, weights=(labels == s)[status_code], minlength=len(first)) / items
    per_emp["past_due"] = np.bincount(person, weights=past_due, minlength=len(first)) / items
    per_emp["items"] = items.astype(np.int64)
    events = pd.concat([states.loc[:, [EMPLOYEE_ID, DEPARTMENT, "conversation_date"]]
                        .rename(columns={"conversation_date": DATE}),
                        states.loc[:, [EMPLOYEE_ID, DEPARTMENT, "status_date"]]
                        .rename(columns={"status_date": DATE}).dropna(subset=[DATE])])
    return level_piece(per_emp, [], _ITEMS, scope, contributions(events, []))


def _people(employees: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's person as a number from 0 in the order of ``employees`` (whole numbers from 0), and the first row
    of each person."""
    if len(employees) and (employees[1:] >= employees[:-1]).all():  # in order (as item_rows gives them)
        first = np.flatnonzero(np.r_[True, employees[1:] != employees[:-1]])
        return np.cumsum(np.r_[True, employees[1:] != employees[:-1]]) - 1, first
    distinct, first, person = np.unique(employees, return_index=True, return_inverse=True)
    return person.reshape(-1), first


def option_kinds_piece(options: pd.DataFrame, measured_targets: pd.DataFrame, period_ids: set[str],
                       scope: ReportScope, *, sizes_only: bool = False) -> Piece:
    """Rating gains after 6 and 12 months per kind of chosen option (texts classified, then dropped; only the
    people with gains counted, with ``sizes_only``). Only targets whose horizon date has come count
    (:func:`_measured_at_horizon`).

    A target's plan is the first option chosen in its conversation for its skill (names compared by
    :func:`careerconv.records.schema.skill_key`); targets without one are left out. Where ``measured_targets``
    has ``_plan_kind`` (a :class:`Measurement`), the plans are those already found (:func:`_plan_kinds`).
    """
    rows = np.flatnonzero(_measured_at_horizon(measured_targets)
                          & (measured_targets[HORIZON_MONTHS].isin(_GAIN_HORIZONS)
                             & measured_targets[DEPARTMENT].notna()).to_numpy())
    if "_plan_kind" in measured_targets.columns:
        kind = measured_targets["_plan_kind"].to_numpy()[rows]
    else:
        kind = _plan_kinds(options, measured_targets.loc[:, [CONVERSATION_ID, SKILL]].iloc[rows], period_ids)
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
    return level_piece(per_emp, by, _OPTIONS, scope, _twice_contributions(gains, by, codes), codes=emp_codes)


_KIND_NAMES = np.array(KINDS, dtype=object)
_KIND_TEXT = pd.Series(_KIND_NAMES).array  # the kinds as pandas types text (each row's kind is taken from it)
_KIND_ORDER = np.argsort(np.argsort(_KIND_NAMES))  # each kind's place among the kinds sorted by name


def _plan_kinds(options: pd.DataFrame, targets: pd.DataFrame, period_ids: set[str]) -> np.ndarray:
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
    conversation = _positions(conversations if text else conversations.astype(str), among)
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


def _period_conversations(conversations: pd.Series, period_ids: set[str]) -> tuple[np.ndarray, pd.Series]:
    """Each row's conversation (ids compared as text) numbered among the distinct ones in ``period_ids`` (-1: not
    there, or missing), and those conversations' ids."""
    if isinstance(conversations.dtype, pd.CategoricalDtype):  # text read as categories: each one looked up once
        codes, distinct = conversations.cat.codes.to_numpy().astype(np.int64), conversations.cat.categories
    else:
        codes, distinct = pd.factorize(conversations.astype(str), use_na_sentinel=True)
    ids = pd.Index(distinct).astype(str)
    used = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(ids)) > 0)
    used = used[np.fromiter(map(period_ids.__contains__, ids[used].tolist()), dtype=bool, count=len(used))]
    number = np.full(len(ids), -1, dtype=np.int64)
    number[used] = np.arange(len(used))
    return np.where(codes >= 0, number[np.maximum(codes, 0)], -1), pd.Series(ids[used], dtype=str)


def departments(ids: pd.Series, department_of: pd.Series) -> pd.Series:
    """The values of ``ids.map(department_of)`` as pandas' default text type: each id's department, missing
    where the id is not in ``department_of`` (the department by employee id, each id once).

    The ids are hashed once in Arrow (pandas compares text ids as Python objects).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if department_of.index.has_duplicates:
        raise ValueError("each employee id may have one department; the ids of department_of repeat")
    text = pd.api.types.is_string_dtype(ids) and pd.api.types.is_string_dtype(department_of.index)
    if text:
        try:  # Arrow reads the departments as text only if every one present is a str
            names = pa.array(department_of.to_numpy(dtype=object), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            names = pa.array([])
        text = pa.types.is_string(names.type) or pa.types.is_large_string(names.type)
    if not text:  # ids or departments that are not text
        return ids.map(department_of).astype(schema.TEXT_DTYPE)
    wanted = pa.array(ids, from_pandas=True).cast(pa.large_string())
    known = pa.array(department_of.index, from_pandas=True).cast(pa.large_string())
    found = names.cast(pa.large_string()).take(pc.index_in(wanted, value_set=known))
    return pd.Series(pd.array(found, dtype=schema.TEXT_DTYPE), index=ids.index, name=ids.name)


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


def _positions(values: pd.Series, distinct: pd.Series) -> np.ndarray:
    """The position of each value among ``distinct`` (each value once), -1 where it is not there or
    missing; text is hashed in Arrow."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(values.dtype, pd.CategoricalDtype):  # text read as categories: each one looked up once
        found = _positions(pd.Series(values.cat.categories), distinct)
        return np.append(found, -1)[values.cat.codes.to_numpy()]
    if not all(pd.api.types.is_string_dtype(c.dtype) and c.dtype != object for c in (values, distinct)):
        return pd.Index(distinct).get_indexer(values)
    found = pc.index_in(pa.array(values, from_pandas=True).cast(pa.large_string()),
                        value_set=pa.array(distinct, from_pandas=True).cast(pa.large_string()))
    return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def _sort_codes(values: pd.Series) -> np.ndarray:
    """Whole numbers in the sort order of ``values`` (equal values share one; a missing value: -1)."""
    return pd.factorize(values, sort=True, use_na_sentinel=True)[0]


def _isin(column: pd.Series, values: Iterable) -> np.ndarray:
    """``column.isin(values)`` for a text column (pandas converts a large set of strings one by one)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(column.dtype, pd.CategoricalDtype):  # text read as categories: each one looked up once
        found = _isin(pd.Series(column.cat.categories), values)
        return np.append(found, False)[column.cat.codes.to_numpy()]
    if isinstance(values, pd.Series) and pd.api.types.is_string_dtype(values.dtype) and values.dtype != object:
        texts = values.dropna().unique()  # a text column: every value present is a str
    elif isinstance(values, (set, frozenset)):
        texts = [v for v in values if isinstance(v, str)]  # distinct already
    else:
        texts = pd.unique(pd.Series([v for v in values if isinstance(v, str)], dtype=object))
    array = pa.array(column, from_pandas=True)
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        array = array.cast(pa.large_string())
    # The few wanted values take the column's type (casting the column instead would copy it).
    wanted = pa.array(np.asarray(texts, dtype=object), type=array.type)
    return pc.fill_null(pc.is_in(array, value_set=wanted), False).to_numpy(zero_copy_only=False)


# --------------------------------------------------------------------------- all parts together


def record_tables(pieces: Iterable[Mapping[str, Piece]], ctx: Context,
                  members: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The protected tables from the pieces of every part, and the pieces of :data:`RATING_TABLES`.

    The latter (one :class:`Piece` each, holding only ``neighbours``) go to the rating step's protection.

    ``members`` are the distinct employees per department on the roster
    (``department, n``): everyone on the roster is a member of the overview,
    with or without data.

    "Who is covered", cadence compliance and the per-coach table count the same people: a department is
    shown in both of the first two or in neither (:func:`careerconv.rules.privacy.hide_together`), and
    where their organisation row is hidden, so is the per-coach table's "All coaches" row (with enough
    teams that the shown ones do not add up to it).
    """
    pieces = list(pieces)
    total = {name: Piece.combine(p[name] for p in pieces) for name in (*TABLES, _PEOPLE_MET, *RATING_TABLES)}
    overview, cadence_compliance = privacy.hide_together(
        [overview_table(total["overview"], ctx.scope, members),
         cadence_table(total["cadence_compliance"], ctx.scope)], [DEPARTMENT], [list(_OVERVIEW), list(_CADENCE)])
    organisation_hidden = any((table[DEPARTMENT].isna() & ~privacy.shown(table)).any()
                              for table in (overview, cadence_compliance))
    return {
        **{name: total[name] for name in RATING_TABLES},
        "overview": overview,
        "rating_periods": rating_periods_table(total["rating_periods"], ctx),
        "skill_growth": growth_table(total["skill_growth"], ctx),
        "target_attainment": attainment_table(total["target_attainment"], ctx.scope),
        "most_wanted_skills": most_wanted_table(total["most_wanted_skills"], total[_PEOPLE_MET], ctx),
        "cadence_compliance": cadence_compliance,
        "action_items": action_items_table(total["action_items"], ctx.scope),
        "option_kinds": option_kinds_table(total["option_kinds"], ctx.scope),
        "coach_follow_through": coach_table(total["coach_follow_through"], ctx.scope,
                                            hide_all_coaches=organisation_hidden),
    }


def add_pieces(pieces: Sequence[Mapping[str, Piece]]) -> dict[str, Piece]:
    """The pieces of disjoint sets of employees (from :func:`part_pieces`), added up table by table, all at once
    (adding them one at a time would add the growing total again for each)."""
    return {name: Piece.combine([one[name] for one in pieces]) for name in pieces[0]}


def neighbours_of(piece: Piece) -> pd.DataFrame | None:
    """The piece's group sizes in the neighbouring reports, or None when there are none (nobody in any)."""
    return None if piece.neighbours.empty else piece.neighbours


def _contrib(piece: Piece, by: list[str]) -> pd.DataFrame:
    return no_contributions(by) if piece.contrib.empty else piece.contrib


def overview_table(piece: Piece, scope: ReportScope, members: pd.DataFrame) -> pd.DataFrame:
    """The protected "who is covered" table."""
    cells = levels(piece, _OVERVIEW, scope)
    contrib = pd.concat([_contrib(piece, []), members.assign(quarter=pd.NaT)], ignore_index=True)
    protected = privacy.protect(cells, k=scope.k, keys=[DEPARTMENT], measures=list(_OVERVIEW),
                                contributions=contrib, window=scope.window)
    return sort_departments(protected, [])


def rating_periods_table(piece: Piece, ctx: Context) -> pd.DataFrame:
    """The protected ratings by quarter, half-year and year (``grain``, ``bucket``: its first day, ``until``)."""
    scope, labels = ctx.scope, ctx.labels
    by = ["grain", "bucket", "skill_id"]
    cells = levels(piece, _PERIODS, scope)
    protected = privacy.protect(cells, k=scope.k, keys=[*by, DEPARTMENT], measures=list(_PERIODS),
                                contributions=_contrib(piece, by), window=scope.window, neighbours=neighbours_of(piece))
    months = dict(GRAINS)
    ends = [min(pd.Timestamp(b) + pd.DateOffset(months=months[g] - (pd.Timestamp(b).month - 1) % months[g]),
                scope.end) for g, b in zip(protected["grain"], protected["bucket"])]
    protected.insert(2, "until", pd.to_datetime(pd.Series(ends, dtype="datetime64[ns]")))
    protected.insert(3, SKILL, protected["skill_id"].map(lambda i: None if i == ALL_SKILLS else labels.get(i)))
    protected = protected.assign(_g=protected["grain"].map({g: i for i, (g, _) in enumerate(GRAINS)}),
                                 _all=protected["skill_id"].ne(ALL_SKILLS))
    protected = sort_departments(protected, ["_g", "_all", SKILL, "bucket"])
    return protected.drop(columns=["_g", "_all", "skill_id"]).reset_index(drop=True)


def growth_table(piece: Piece, ctx: Context) -> pd.DataFrame:
    """The protected growth table, all skills first."""
    scope, labels = ctx.scope, ctx.labels
    cells = levels(piece, _GROWTH, scope)
    protected = privacy.protect(cells, k=scope.k, keys=["skill_id", HORIZON_MONTHS, DEPARTMENT],
                                measures=list(_GROWTH), contributions=_contrib(piece, ["skill_id", HORIZON_MONTHS]),
                                window=scope.window, neighbours=neighbours_of(piece))
    protected.insert(0, SKILL, protected["skill_id"].map(lambda i: None if i == -1 else labels.get(i)))
    protected = protected.assign(_all=protected["skill_id"].ne(-1))
    protected = sort_departments(protected, ["_all", SKILL, HORIZON_MONTHS]).drop(columns=["_all", "skill_id"])
    return protected.loc[:, [SKILL, HORIZON_MONTHS, DEPARTMENT, N, *_GROWTH, privacy.PRIVACY]]


def attainment_table(piece: Piece, scope: ReportScope) -> pd.DataFrame:
    """The protected target-attainment table, its rates worked out from the summed counts."""
    cells = levels(piece, _ATTAINMENT, scope)
    measured = cells["targets_measured"].astype(float)
    cells["attainment_rate"] = cells["targets_attained"].astype(float) / measured.where(measured > 0)
    due = cells["targets_due"].astype(float).where(lambda d: d > 0)
    cells["share_measured"] = measured / due
    # Against every target due, so an unmeasured target is never left out of the picture.
    cells["share_reached"] = cells["targets_attained"].astype(float) / due
    cells["share_not_reached"] = (measured - cells["targets_attained"].astype(float)) / due
    window_open = cells["targets_window_open"].astype(float)
    cells["share_window_open"] = window_open / due
    cells["share_not_measured"] = (due - measured - window_open) / due
    for name in _ATTAINMENT:
        cells[name] = cells[name].astype("int64")
    protected = privacy.protect(cells, k=scope.k, keys=[HORIZON_MONTHS, DEPARTMENT],
                                measures=[*_ATTAINMENT, *ATTAINMENT_SHARES, "attainment_rate", "share_measured"],
                                contributions=_contrib(piece, [HORIZON_MONTHS]), window=scope.window,
                                neighbours=neighbours_of(piece))
    return sort_departments(protected, [HORIZON_MONTHS])


def most_wanted_table(piece: Piece, people_met: Piece, ctx: Context) -> pd.DataFrame:
    """The protected most-wanted skills: any skill first (``skill`` missing), then the skills, most named first,
    each with the share of the people met."""
    scope, labels = ctx.scope, ctx.labels
    cells = levels(piece, _WANTED, scope)
    met = levels(people_met, {}, scope)
    base = dict(zip(met[DEPARTMENT], met[N]))
    cells["share_of_people_met"] = cells[N] / cells[DEPARTMENT].map(lambda d: base.get(d, np.nan)).astype(float)
    protected = privacy.protect(cells, k=scope.k, keys=["skill_id", DEPARTMENT],
                                measures=["share_of_people_met", *_WANTED],
                                contributions=_contrib(piece, ["skill_id"]), window=scope.window,
                                neighbours=neighbours_of(piece))
    protected = _any_skill_only_as_fallback(protected)
    protected.insert(0, SKILL, protected["skill_id"].map(lambda i: None if i == ALL_SKILLS else labels.get(i)))
    protected["_n"] = protected[N].astype("Float64").fillna(-1)
    org_rank = protected[protected[DEPARTMENT].isna()].set_index("skill_id")["_n"]
    protected["_rank"] = -protected["skill_id"].map(org_rank).fillna(-1)
    protected = protected.assign(_all=protected["skill_id"].ne(ALL_SKILLS), _o=protected[DEPARTMENT].notna(),
                                 _d=protected[DEPARTMENT].fillna("")) \
        .sort_values(["_all", "_rank", SKILL, "_o", "_d"], kind="stable")
    return protected.drop(columns=["_all", "_n", "_rank", "_o", "_d", "skill_id"]).reset_index(drop=True)


def _any_skill_only_as_fallback(protected: pd.DataFrame) -> pd.DataFrame:
    """Hide a unit's "any skill" row where one of its listed skills is shown.

    People may name several skills, so "any skill" is not the sum of the skill rows; but with one skill
    shown, "any skill" minus that skill is the number who named only other skills, a group that may be
    smaller than k. The row is the page's fallback for a unit whose every skill is hidden, and only that.
    """
    is_any = protected["skill_id"].eq(ALL_SKILLS)
    unit = protected[DEPARTMENT].fillna("\0")  # the organisation's own rows have no department
    with_a_skill = set(unit[~is_any & privacy.shown(protected)])
    hide = (is_any & unit.isin(with_a_skill) & privacy.shown(protected)).to_numpy()
    if not hide.any():
        return protected
    out = protected.copy()
    for column in [c for c in out.columns if c not in ("skill_id", DEPARTMENT, privacy.PRIVACY)]:
        if column == N:
            out[column] = out[column].astype("Int64").mask(pd.Series(hide, index=out.index))
        elif pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].astype("float64").mask(pd.Series(hide, index=out.index))
    out.loc[hide, privacy.PRIVACY] = privacy.HIDDEN
    return out


def cadence_table(piece: Piece, scope: ReportScope) -> pd.DataFrame:
    """The protected cadence-compliance table (figures as of a day)."""
    cells = levels(piece, _CADENCE, scope)
    protected = privacy.protect(cells, k=scope.k, keys=[DEPARTMENT], measures=list(_CADENCE),
                                contributions=_contrib(piece, []), window=scope.window, scope=privacy.AS_OF)
    return sort_departments(protected, [])


def action_items_table(piece: Piece, scope: ReportScope) -> pd.DataFrame:
    """The protected action-items table."""
    cells = levels(piece, _ITEMS, scope)
    protected = privacy.protect(cells, k=scope.k, keys=[DEPARTMENT], measures=list(_ITEMS),
                                contributions=_contrib(piece, []), window=scope.window, neighbours=neighbours_of(piece))
    return sort_departments(protected, [])


def coach_table(piece: Piece, scope: ReportScope, *, hide_all_coaches: bool = False) -> pd.DataFrame:
    """The protected per-coach table (figures as of a day): all coaches first, then each coach's team.

    A team of fewer than k is "fewer than k"; hiding one team hides at least one more (complementary
    suppression along the coaches, whose teams split everyone who has a coach). With ``hide_all_coaches``
    (the organisation row of "who is covered" and cadence compliance is hidden; the "All coaches" row
    counts the same people, less anyone without a coach) the "All coaches" row is hidden too, with enough
    teams that the shown ones do not add up to it.
    """
    cells = pd.concat([_all_coaches(piece, scope), levels(piece, _COACH, scope, departments=False)],
                      ignore_index=True)
    contrib = _contrib(piece, [COACH_ID])
    contrib = pd.concat([contrib, contrib.groupby([DEPARTMENT, "quarter"], as_index=False, dropna=False)["n"].sum()
                         .assign(**{COACH_ID: None})], ignore_index=True)
    protected = privacy.protect(cells, k=scope.k, keys=[COACH_ID, DEPARTMENT], measures=list(_COACH),
                                partitions=[COACH_ID], contributions=contrib, window=scope.window,
                                scope=privacy.AS_OF, also_hide=cells[COACH_ID].isna() & hide_all_coaches)
    protected = protected.assign(_o=protected[COACH_ID].notna(), _c=protected[COACH_ID].fillna(""))
    return protected.sort_values(["_o", "_c"], kind="stable").drop(columns=["_o", "_c"]).reset_index(drop=True)


def _all_coaches(piece: Piece, scope: ReportScope) -> pd.DataFrame:
    """The row for everyone who has a coach: the teams (disjoint) added up."""
    row = levels(Piece([COACH_ID], piece.sums.assign(**{COACH_ID: "all"})), _COACH, scope, departments=False)
    return row.assign(**{COACH_ID: None})


def option_kinds_table(piece: Piece, scope: ReportScope) -> pd.DataFrame:
    """The protected option-kinds table (organisation only), in the order of the kinds."""
    cells = levels(piece, _OPTIONS, scope, departments=False)
    protected = privacy.protect(cells, k=scope.k, keys=["kind", HORIZON_MONTHS, DEPARTMENT], measures=list(_OPTIONS),
                                contributions=_contrib(piece, ["kind", HORIZON_MONTHS]), window=scope.window,
                                neighbours=neighbours_of(piece))
    order = {kind: i for i, kind in enumerate(KINDS)}
    protected = protected.assign(_k=protected["kind"].map(order)).sort_values([HORIZON_MONTHS, "_k"], kind="stable")
    return protected.drop(columns="_k").reset_index(drop=True)
