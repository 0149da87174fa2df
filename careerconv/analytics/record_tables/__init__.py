"""The tables built from the conversation records, one part of the employees at a time.

Who is covered, growth per skill, target attainment, the most-wanted skills,
cadence compliance, action items and the kinds of development options. Each
table has a ``*_piece`` function that reads one part's frames and returns
additive figures (:class:`~careerconv.analytics.levels.Piece`), and a
``*_table`` function that turns the pieces of every part, added up, into the
protected table. :func:`part_pieces` runs every ``*_piece`` on one part (with
what the reports of one part work out alike, :class:`PartShared`);
:func:`record_tables` runs every ``*_table``.

The figures are worked out in the package's modules, which never import this one:

``measures``, ``context``
    The tables' names and the figures each measures; what every part shares (:class:`Context`).
``codes``
    The lookups and numberings the tables share.
``measured``
    The targets measured against the ratings.
``targets``
    Growth, target attainment and option kinds, read from the measured targets.
``ratings``
    The rating trends.
``most_wanted``
    The most-wanted skills.
``follow_through``
    Who is covered, cadence compliance, each coach's follow-through and the action items.
``tables``
    The protected tables and :func:`record_tables`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import pandas as pd

from careerconv.records import leavers
from careerconv.records.schema import (CADENCE_MONTHS, COACH_ID, CONVERSATION_ID, DATE, EMPLOYEE_ID, LEFT_ON, SKILL,
                                       STARTED_ON, STATUS)
from careerconv.rules import cadence
from ..constants import DEPARTMENT, N, band_labels
from ..levels import Piece, neighbour_counts, sort_codes
from ..scope import ReportScope
from .codes import DepartmentOf, departments, in_draft, isin, stable_order
from .context import Context
from .follow_through import action_items_piece, cadence_piece, cadence_rows, coach_piece, item_rows, overview_piece
from .measured import Measurement, TargetCodes, measured_targets
from .measures import (ALL_SKILLS, ATTAINMENT, ATTAINMENT_SHARES, CADENCE, COACH, CUT_TABLES, GRAINS, GROWTH, ITEMS,
                       OPTIONS, OVERVIEW, PEOPLE_MET, PERIODS, RATING_TABLES, TABLES, WANTED)
from .most_wanted import most_wanted_piece, named_skills
from .ratings import rated_rows, rating_periods_piece
from .tables import neighbours_of, record_tables
from .targets import attainment_piece, growth_piece, option_kinds_piece, plan_kinds

__all__ = [  # the names other code and the tests read from the package
    "ALL_SKILLS", "ATTAINMENT", "ATTAINMENT_SHARES", "CADENCE", "COACH", "CUT_TABLES", "GRAINS", "GROWTH", "ITEMS",
    "OPTIONS", "OVERVIEW", "PEOPLE_MET", "PERIODS", "RATING_TABLES", "TABLES", "WANTED",
    "Context", "PartShared", "Measurement", "days_read", "due_by", "part_pieces", "add_pieces", "rating_pieces",
    "record_tables",
    "neighbours_of", "action_items_piece", "attainment_piece", "cadence_piece", "cadence_rows", "coach_piece",
    "growth_piece", "item_rows", "most_wanted_piece", "named_skills", "option_kinds_piece", "overview_piece",
    "rated_rows", "rating_periods_piece", "measured_targets",
    "departments", "in_draft", "isin", "sort_codes", "stable_order",
]


def days_read(scope: ReportScope) -> dict[str, tuple[pd.Timestamp | None, pd.Timestamp]]:
    """The days of the rows of each table :func:`part_pieces` reads for a report and the reports it is compared
    with (:meth:`ReportScope.neighbours`), ``(first day, day after the last)`` by the rows' ``date`` (None as the
    first day: every day before the last); the tables not named are read whole.

    The targets, options and skills named count only for the conversations of a period, and carry their
    conversation's date (the store writes the record's date on each:
    :func:`careerconv.records.tables.conversation_rows`), so only those of the days of the reports' periods
    are read (:meth:`ReportScope.reach`). The ratings count on the days of a period (the rating trends) and from
    the day of a conversation of the period up to the report's as-of day, the last of its period (the targets
    measured). The rating distribution and gaps of the reports compared with are counted by the rating engine,
    which lays its quarters out from the first rating it is given: with those reports every rating up to the
    last day is read.
    """
    first, after = scope.reach()
    conversations = (first, after)
    return {"targets": conversations, "options": conversations, "skills": conversations,
            "skill_ratings": (None if scope.neighbours() else first, after)}


def due_by(scope: ReportScope) -> pd.Timestamp:
    """The last as-of day among a report's and those of the reports it is compared with
    (:meth:`ReportScope.compared`): a target not yet due on that day counts in no figure of theirs (growth, target
    attainment and option kinds read the targets due alone: :func:`measured_targets`), so it need not be read."""
    return max(report.as_of_day for report in scope.compared())


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
        Its roster rows: ``employee_id, department, coach_id, cadence_months`` (departments as objects), leavers
        too.
    department_of
        The department by employee id (:class:`DepartmentOf`, made once for the part; leavers too: their records
        count in their department).
    """

    def __init__(self, frames: Mapping[str, pd.DataFrame]):
        self.frames = frames
        roster = frames["roster"]
        self._days = roster.loc[:, [c for c in (LEFT_ON, STARTED_ON) if c in roster.columns]]
        roster = roster.loc[:, [EMPLOYEE_ID, DEPARTMENT, COACH_ID, CADENCE_MONTHS]].copy()
        roster[DEPARTMENT] = roster[DEPARTMENT].astype(object)
        self.roster = roster
        self.department_of = DepartmentOf(roster.set_index(EMPLOYEE_ID)[DEPARTMENT])
        self._made: dict = {}

    def here_on(self, day: pd.Timestamp) -> pd.DataFrame:
        """:attr:`roster` less those who had left by ``day`` or start after it (:mod:`careerconv.records.leavers`)."""
        return self.roster[leavers.here_mask(self._days, day.date())]

    def here_during(self, first: pd.Timestamp, last: pd.Timestamp) -> pd.DataFrame:
        """:attr:`roster` less those who had left by ``first`` or start after ``last``: everyone here on some day
        from one to the other (:mod:`careerconv.records.leavers`)."""
        return self.roster[leavers.here_during_mask(self._days, first.date(), last.date())]

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

    def conversations(self, scope: ReportScope) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame, pd.Series]:
        """:func:`_conversations` of the part over ``scope``'s period (kept for the other reports' pieces of the
        same period)."""
        return self.get(("conversations", scope.start, scope.end),
                        lambda: _conversations(self.get("dated", lambda: _dated(self.frames)), scope))

    def item_states(self, day: pd.Timestamp, keep: bool) -> pd.DataFrame:
        """:func:`careerconv.rules.cadence.action_item_states` of the part on ``day``."""
        return self.get(("states", day), lambda: cadence.action_item_states(
            {name: self.frames[name] for name in ("conversations", "action_items", "checkin_updates")}, day), keep)

    def item_rows(self, day: pd.Timestamp, states: pd.DataFrame, keep: bool) -> pd.DataFrame:
        """:func:`item_rows` of ``states``, :meth:`item_states` on ``day`` (with the leavers' days)."""
        return self.get(("items", day), lambda: item_rows(states, self.department_of, self.frames["roster"]), keep)

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
    completed, drafts, in_period, _ = shared.conversations(scope)
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
    # Who is covered: everyone here during the period; who is due: everyone here on the as-of day.
    pieces["overview"] = overview_piece(shared.here_during(scope.start, scope.as_of_day), completed,
                                        frames["checkins"], scope, department_of, sizes_only=ctx.sizes_only)
    if everything:
        pieces[PEOPLE_MET] = people_met
        due = cadence_rows(frames, shared.here_on(scope.as_of_day), scope, states)
        # Every department's: a filtered report hides what the whole organisation's hides (tables.as_of_tables).
        pieces["cadence_compliance"] = cadence_piece(due, scope.whole())
        pieces["coach_follow_through"] = coach_piece(due, scope.whole())
    return pieces


def _dated(frames: Mapping[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.Series]:
    """The part's conversations, their days without the time, and the ids of the drafts (as text): what
    :func:`_conversations` reads, the same in every report."""
    convs = frames["conversations"]
    convs = convs.assign(date=pd.to_datetime(convs[DATE]).dt.normalize())
    return convs, convs.loc[convs[STATUS] != "completed", CONVERSATION_ID].astype(str)


def _conversations(dated: tuple[pd.DataFrame, pd.Series],
                   scope: ReportScope) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame, pd.Series]:
    """The conversations completed before the end of the period (their days without the time), the ids of
    the drafts, the completed conversations in the period and their ids (as text); ``dated``: :func:`_dated`."""
    convs, drafts = dated
    completed = convs[(convs[STATUS] == "completed") & (convs[DATE] < scope.end)]
    in_period = completed[completed[DATE] >= scope.start]
    return completed, drafts, in_period, in_period[CONVERSATION_ID].astype(str)


def _progress_pieces(shared: PartShared, ctx: Context, measured: Measurement | None = None) -> dict[str, Piece]:
    """Growth, target attainment and option kinds: the pieces measured from the targets of the period.

    ``measured``: :func:`_shared_measurement` for a set of reports this one is in, its targets taken from it
    (None: measured here).
    """
    frames, scope = shared.frames, ctx.scope
    _, drafts, _, period_ids = shared.conversations(scope)
    if measured is None:
        period_targets = _measured(shared, ctx, period_ids, drafts)
    else:
        period_targets = measured.of(period_ids)
    return {"skill_growth": growth_piece(period_targets, ctx),
            "target_attainment": attainment_piece(period_targets, scope, sizes_only=ctx.sizes_only),
            "option_kinds": option_kinds_piece(frames["options"], period_targets, period_ids, scope,
                                               sizes_only=ctx.sizes_only)}


def _shared_measurement(shared: PartShared, ctx: Context, starts: list[pd.Timestamp]) -> Measurement | None:
    """:func:`measured_targets` of the targets of this report's period and of the periods from ``starts`` to
    its end, for :func:`_progress_pieces` of each of those reports (None when there are none).

    The reports share the end of the period and the as-of day, and a target is measured against its own
    employee's ratings (drafts left out), whatever the period: so it is measured alike in each, and the table
    of one report is the rows of the targets of its own conversations. Its employees are numbered among all
    the reports' employees, in the same order (the pieces only group and count them).
    """
    if not starts:
        return None
    scope = replace(ctx.scope, start=min(ctx.scope.start, *starts))
    _, drafts, _, period_ids = shared.conversations(scope)
    table = _measured(shared, replace(ctx, scope=scope), period_ids, drafts)
    codes, conversations = pd.factorize(table[CONVERSATION_ID], use_na_sentinel=True)
    table = table.assign(_conversation=codes, _plan_kind=plan_kinds(shared.frames["options"], table, period_ids))
    return Measurement(table.drop(columns=[CONVERSATION_ID, SKILL]), pd.Series(pd.Index(conversations).astype(str)))


def _measured(shared: PartShared, ctx: Context, period_ids: pd.Series, drafts: pd.Series) -> pd.DataFrame:
    """:func:`measured_targets` of the targets of the conversations ``period_ids`` (the part's targets and ratings
    numbered once, for every report of the part: :class:`TargetCodes`)."""
    frames = shared.frames
    targets, ratings = frames["targets"], frames["skill_ratings"]
    codes = shared.get("target_codes", lambda: TargetCodes.of(targets, ratings, shared.department_of))
    return measured_targets(targets, isin(targets[CONVERSATION_ID], period_ids), ratings, drafts, ctx,
                             shared.department_of, codes)


def _rating_input(frames: Mapping[str, pd.DataFrame]) -> tuple[Any, pd.DataFrame, set[str]]:
    """See :meth:`PartShared.rating_input`."""
    from ..engine import ratings_table
    from ..partials import RosterCodes

    codes = RosterCodes.from_frame(frames["roster"]).codes_frame()
    convs = frames["conversations"]
    drafts = set(convs.loc[convs[STATUS].astype(object).fillna("") != "completed", CONVERSATION_ID].astype(str))
    return ratings_table(frames["skill_ratings"]), codes, drafts


def rating_pieces(shared: PartShared, ctx: Context) -> dict[str, Piece]:
    """Group sizes of the rating distribution and the self-versus-coach gaps for one part over ``ctx.scope``.

    Counted by the rating engine over the part's ratings (:meth:`PartShared.rating_input`), for the neighbouring
    reports (:func:`part_pieces`); this report's figures come from the rating step.
    """
    from ..engine import rating_partials

    ratings, codes, drafts = shared.rating_input()
    partials = rating_partials(ratings, codes, ctx.catalogue, drafts, ctx.scope)
    names = shared.get("department_names", lambda: codes.drop_duplicates("dept").set_index("dept")[DEPARTMENT])
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


def add_pieces(pieces: Sequence[Mapping[str, Piece]]) -> dict[str, Piece]:
    """The pieces of disjoint sets of employees (from :func:`part_pieces`), added up table by table, all at once
    (adding them one at a time would add the growing total again for each)."""
    return {name: Piece.combine([one[name] for one in pieces]) for name in pieces[0]}
