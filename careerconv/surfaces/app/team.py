"""The coach's team view: every report of one coach at a glance.

One row per report, most urgent first: who they are; their last career
conversation and when the next one (or a check-in) is due, with a badge from
:mod:`careerconv.rules.cadence` (overdue, never met, due soon, scheduled) and a draft
in progress; their open action items (folded out: every item of the plan with
its status, "done on <date>" or a dropped item's reason); each skill of the
plan with its latest rating, a small text sparkline of the ratings so far and
a coloured chip saying whether it is ahead, on track or behind the line to its
next target (:func:`careerconv.rules.progress.current_vs_target`). Buttons open the
conversation (start, or resume a draft) or a check-in in one click.

The rows are HTML (:class:`TeamRow`), not widgets: all of them sit in one
:class:`TeamTable`, which listens for clicks on their buttons once and tells
the kernel which button of which row was pressed. A team of eight is then one
widget for the browser to build instead of about two hundred.

The rows are built from each report's records (``Store.history``: a coach has
about eight reports and one history reads in ~25 ms), never from the analytics
cache, so what the coach saved a minute ago is already there and the app keeps
its rule of never refreshing the derived tables. The same pure rules as the due
list and the reports apply: :func:`careerconv.rules.cadence.due_list` for due dates
and badges, :mod:`careerconv.rules.followup` for action items and ratings,
:mod:`careerconv.rules.progress` for the trend.

:func:`team_members` is pure (records in, :class:`TeamMember` rows out);
:func:`load_team` reads the records; :class:`TeamView` is the panel.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import anywidget
import ipywidgets as widgets
import pandas as pd
import traitlets

from careerconv.rules import cadence
from careerconv.rules import progress
from careerconv.records import leavers
from careerconv.records import schema
from careerconv.records import tables
from careerconv.records.store import History, Store
from careerconv.rules import followup
from careerconv.records.dates import NO_BREAK, human_date
from careerconv.records.schema import COACH_ID, CONVERSATION_ID, DATE, EMPLOYEE_ID, RECORD_ID, STATUS
from careerconv.records.text_direction import isolated
from careerconv.views.html_parts import escape_html
from .drafts import draft_to_offer, newest_first, split_drafts, written_by_other_than
from .glance import item_note_html, item_status_html
from .line_breaks import then_whole, unbroken
from .widgets import button, classed, html, show

SPARK_BLOCKS = "▁▂▃▄▅▆▇█"
SPARK_POINTS = 6  # the latest ratings a sparkline shows
TREND_CLASSES = {progress.AHEAD: "cc-trend-ahead", progress.ON_TRACK: "cc-trend-on-track",
                 progress.BEHIND: "cc-trend-behind", progress.DUE_NOT_MEASURED: "cc-trend-behind",
                 progress.UPCOMING: "cc-trend-none"}
BADGE_CLASSES = {cadence.OVERDUE: "cc-badge-overdue", cadence.NEVER_MET: "cc-badge-never",
                 cadence.DUE_SOON: "cc-badge-soon",
                 cadence.SCHEDULED: "cc-badge-scheduled"}
_TABLES = (*cadence.DUE_TABLES[1:], "targets", "skill_ratings")
# the due column holds a badge such as "Check-in overdue · 80 days" on one line
COLUMNS = {"person": "165px", "due": "210px", "items": "170px", "actions": "150px"}  # skills take the rest


# --------------------------------------------------------------------------- the rows (pure)


@dataclass(frozen=True)
class SkillTrend:
    """A skill of the report's last plan: where it stands against its targets.

    Attributes
    ----------
    skill
        The name as written in the conversation.
    baseline
        The self rating given in the conversation (None if not rated).
    latest, latest_date
        The latest self rating on or before the day of the view (the baseline
        itself until a check-in or a later conversation rates it again) and its ISO date.
    ratings
        ``(ISO date, self rating)`` pairs, oldest first: the last
        :data:`SPARK_POINTS` self ratings of this skill, all conversations and
        check-ins included.
    status
        :data:`careerconv.rules.progress.AHEAD`, ``ON_TRACK``, ``BEHIND``,
        ``DUE_NOT_MEASURED`` (the next target's date passed with no rating
        since the conversation) or ``UPCOMING`` (no rating since the
        conversation and the date is still to come, or no target).
    next_target, next_horizon_months, next_horizon_date
        The next target after the day of the view (the last one once all have
        passed), its horizon and its ISO date; None without targets.
    """

    skill: str
    baseline: int | None
    latest: int | None
    latest_date: str | None
    ratings: tuple[tuple[str, int], ...]
    status: str
    next_target: int | None
    next_horizon_months: int | None
    next_horizon_date: str | None

    @property
    def spark(self) -> str:
        """The ratings as a text sparkline (:func:`sparkline`)."""
        return sparkline([r for _, r in self.ratings])

    @property
    def trend_word(self) -> str:
        """The status as the progress report words it (one of :data:`careerconv.rules.progress.STATUSES`)."""
        return self.status


@dataclass(frozen=True)
class TeamMember:
    """One report in the team view.

    Attributes
    ----------
    employee_id, name, role, department
        From the roster.
    status, due_for, days_overdue
        From :func:`careerconv.rules.cadence.due_list`: the most urgent status of the
        person (overdue / never met / due soon / scheduled), what it is about
        ("career conversation", "check-in" or both) and how many days late
        (None for someone never met).
    last_conversation, next_conversation_due, conversation_status
        ISO dates (None if there is none) and the conversation's own status.
    last_checkin, next_checkin_due, checkin_status
        The same for follow-up check-ins (None when no interval was agreed).
    draft_date
        ISO date of the draft conversation the row's "Resume draft" opens (the
        one the person page offers: :func:`~careerconv.surfaces.app.drafts.draft_to_offer`),
        or None: under the hub, a draft a former coach wrote is not one.
    checkin_draft_date
        ISO date of the latest check-in started and not saved yet that the
        coach signed in may resume (the app offers to), or None.
    draft_by, checkin_draft_by
        The coach who wrote that draft conversation or check-in when it is not the person's coach on the roster
        (their team's coach, who meets them now), else None
        (:func:`~careerconv.surfaces.app.drafts.written_by_other_than`).
    former_draft, former_checkin_draft
        Under the hub, ``(ISO date, coach id)`` of the newest draft conversation or check-in a former coach wrote
        (the person moved to this coach before it was finished): read-only to this coach, never resumed from the
        row; None when there is none.
    items
        The action items of the last completed conversation, then the items
        carried over from earlier ones, with their latest status.
    skills
        The skills of the last completed conversation.
    """

    employee_id: str
    name: str
    role: str
    department: str
    status: str
    due_for: str
    days_overdue: int | None
    last_conversation: str | None
    next_conversation_due: str | None
    conversation_status: str
    last_checkin: str | None
    next_checkin_due: str | None
    checkin_status: str | None
    draft_date: str | None
    checkin_draft_date: str | None = None
    draft_by: str | None = None
    checkin_draft_by: str | None = None
    former_draft: tuple[str, str] | None = None
    former_checkin_draft: tuple[str, str] | None = None
    items: tuple[followup.ItemState, ...] = ()
    skills: tuple[SkillTrend, ...] = ()

    @property
    def has_plan(self) -> bool:
        """True once a career conversation was completed (a check-in has something to follow up)."""
        return self.last_conversation is not None

    @property
    def open_items(self) -> tuple[followup.ItemState, ...]:
        """Items still to follow up (open or in progress)."""
        return tuple(i for i in self.items if i.is_open)

    def overdue_items(self, today: dt.date) -> tuple[followup.ItemState, ...]:
        """Open items whose due date is before ``today``."""
        return tuple(i for i in self.items if i.is_overdue(today))


def sparkline(ratings: Sequence[int]) -> str:
    """Ratings 1-10 as a line of block characters (``[4, 5, 7]`` -> ``"▃▄▆"``).

    Parameters
    ----------
    ratings
        Ratings, oldest first; only the last :data:`SPARK_POINTS` are drawn.

    Returns
    -------
    str
        One block per rating, 1 the lowest and 10 the highest block ("" for none).

    Raises
    ------
    ValueError
        If a rating is outside 1-10.
    """
    out = []
    for r in list(ratings)[-SPARK_POINTS:]:
        if isinstance(r, bool) or not isinstance(r, int) or not schema.RATING_MIN <= r <= schema.RATING_MAX:
            raise ValueError(f"a rating must be a whole number {schema.RATING_MIN}-{schema.RATING_MAX}, got {r!r}")
        step = (r - schema.RATING_MIN) * (len(SPARK_BLOCKS) - 1) / (schema.RATING_MAX - schema.RATING_MIN)
        out.append(SPARK_BLOCKS[round(step)])
    return "".join(out)


def team_members(reports: pd.DataFrame, histories: Mapping[str, History], as_of: dt.date | str, *,
                 soon_days: int = cadence.DUE_SOON_DAYS, signed_in: str | None = None) -> list[TeamMember]:
    """The team view's rows: one per report, most urgent first.

    Parameters
    ----------
    reports
        The roster rows of the coach's reports (columns of
        :data:`careerconv.records.schema.ROSTER`).
    histories
        ``employee_id -> History`` (conversations and check-ins as the store
        returns them) for every report; a report missing here has no records.
    as_of
        The day of the view ("today"). Records dated after it are ignored, as
        the due list does.
    soon_days
        How many days ahead counts as "due soon".
    signed_in
        The coach signed in under the hub (None: the local app): a draft another coach wrote (the person moved to
        this coach with it) is not theirs to resume, so it is no draft of this row to resume, only a former
        coach's (:func:`~careerconv.surfaces.app.drafts.split_drafts`).

    Returns
    -------
    list of TeamMember
        In the due list's order: overdue (most days late first), never met, due
        soon, scheduled; then by name.

    Raises
    ------
    ValueError
        If ``as_of`` is not a date, the roster rows lack a column the due list
        needs, or a stored rating or target is out of range (the message names it).
    """
    day = schema.parse_date(as_of)
    cutoff = day.isoformat()
    convs: dict[str, list[dict]] = {}
    cis: dict[str, list[dict]] = {}
    for eid in reports[EMPLOYEE_ID]:
        hist = histories.get(eid)
        convs[eid] = [c for c in (hist.conversations if hist else []) if c[DATE] <= cutoff]
        cis[eid] = [c for c in (hist.checkins if hist else []) if c[DATE] <= cutoff]
    records = [r for eid in convs for r in (*convs[eid], *cis[eid])]
    frames = tables.frames_from_records(records, _TABLES)
    due = cadence.due_list({"roster": reports, **frames}, day, soon_days=soon_days)
    trends = _trends(frames, convs, day)

    roles = dict(zip(reports[EMPLOYEE_ID], reports["role"] if "role" in reports else [None] * len(reports)))
    coaches = dict(zip(reports[EMPLOYEE_ID], reports[COACH_ID]))
    members = []
    for row in due.itertuples(index=False):
        eid = row.employee_id
        plan = followup.previous_plan(convs[eid], cis[eid])
        hist = histories.get(eid)
        draft, former = split_drafts([c for c in convs[eid] if c[STATUS] == "draft"], signed_in)
        draft = draft_to_offer(draft)  # the one "Resume draft" opens
        checkin_drafts, former_checkins = split_drafts(hist.checkin_drafts if hist else [], signed_in)
        checkin_draft = checkin_drafts[-1] if checkin_drafts else None  # the one "Resume check-in" opens
        coach = _text(coaches.get(eid))
        points = followup.rating_points(convs[eid], cis[eid])
        skills = tuple(_skill_trend(s, points, trends.get((eid, schema.skill_key(s.skill)))) for s in plan.skills)
        members.append(TeamMember(
            employee_id=eid, name=str(row.name), role=_text(roles.get(eid)),
            department=_text(row.department), status=row.status, due_for=row.due_for,
            days_overdue=None if pd.isna(row.days_overdue) else int(row.days_overdue),
            last_conversation=_iso(row.last_conversation), next_conversation_due=_iso(row.next_conversation_due),
            conversation_status=row.conversation_status, last_checkin=_iso(row.last_checkin),
            next_checkin_due=_iso(row.next_checkin_due), checkin_status=row.checkin_status,
            draft_date=draft[DATE] if draft else None,
            checkin_draft_date=checkin_draft[DATE] if checkin_draft else None,
            draft_by=written_by_other_than(draft, coach) if draft else None,
            checkin_draft_by=written_by_other_than(checkin_draft, coach) if checkin_draft else None,
            former_draft=_newest(former), former_checkin_draft=_newest(former_checkins),
            items=tuple(plan.items) + tuple(plan.carried_over), skills=skills))
    return members


def load_team(store: Store, coach_id: str, as_of: dt.date | str, *, roster: pd.DataFrame | None = None,
              soon_days: int = cadence.DUE_SOON_DAYS, signed_in: str | None = None) -> list[TeamMember]:
    """Read one coach's reports from the store and build the team view's rows.

    Parameters
    ----------
    store
        The data folder (only the record files are read; the analytics cache is
        neither read nor refreshed).
    coach_id
        The coach (the roster's ``coach_id`` of their reports).
    as_of
        The day of the view.
    roster
        The roster, if the caller holds it already (the app does); else read.
    soon_days, signed_in
        As :func:`team_members`.

    Returns
    -------
    list of TeamMember
        Empty if nobody on the roster reports to ``coach_id``; people who have left by ``as_of`` are not in it.

    Raises
    ------
    ValueError
        If ``coach_id`` is not a valid id, or as :func:`team_members`.
    """
    schema.parse_identifier(coach_id, what="coach id")
    roster = store.roster() if roster is None else roster
    # the people who have left are no longer the coach's team (their records stay, found by search)
    reports = roster.loc[(roster[COACH_ID] == coach_id).to_numpy(dtype=bool) & leavers.here_mask(roster, as_of)
                         ].reset_index(drop=True)
    histories = {eid: store.history(eid) for eid in reports[EMPLOYEE_ID]}
    return team_members(reports, histories, as_of, soon_days=soon_days, signed_in=signed_in)


def _trends(frames: dict[str, pd.DataFrame], convs: Mapping[str, list[dict]],
            day: dt.date) -> dict[tuple[str, str], Any]:
    """``(employee_id, skill_key) -> current_vs_target row`` for each report's last completed conversation."""
    last_ids = {}
    drafts = set()
    for eid, records in convs.items():
        last = followup.last_completed(records)
        if last is not None:
            last_ids[eid] = last[CONVERSATION_ID]
        drafts.update(c[CONVERSATION_ID] for c in records if c[STATUS] != "completed")
    targets = frames["targets"]
    targets = targets.loc[targets[CONVERSATION_ID].isin(set(last_ids.values()))]
    ratings = frames["skill_ratings"]
    ratings = ratings.loc[~ratings[RECORD_ID].isin(drafts)]  # a draft's ratings are not yet said
    if targets.empty:
        return {}
    current = progress.current_vs_target(targets, ratings, pd.Timestamp(day))
    return {(r.employee_id, schema.skill_key(r.skill)): r for r in current.itertuples(index=False)}


def _skill_trend(skill: followup.SkillState, points: list[followup.RatingPoint], row) -> SkillTrend:
    """One skill of the plan with its ratings so far and its ``current_vs_target`` row (or None)."""
    key = schema.skill_key(skill.skill)
    ratings = tuple((p.date, int(p.self_rating)) for p in points
                    if schema.skill_key(p.skill) == key and p.self_rating is not None)[-SPARK_POINTS:]
    latest = skill.latest if skill.latest is not None and skill.latest.self_rating is not None else None
    status, target, months, when = progress.UPCOMING, None, None, None
    if row is not None:
        status = row.status
        target = None if pd.isna(row.next_target) else int(row.next_target)
        months = None if pd.isna(row.next_horizon_months) else int(row.next_horizon_months)
        when = _iso(row.next_horizon_date)
    return SkillTrend(skill=skill.skill, baseline=skill.baseline,
                      latest=latest.self_rating if latest else None, latest_date=latest.date if latest else None,
                      ratings=ratings, status=status, next_target=target, next_horizon_months=months,
                      next_horizon_date=when)


def _newest(drafts: Sequence[dict]) -> tuple[str, str] | None:
    """``(ISO date, coach id)`` of the draft saved last, or None for none."""
    newest = newest_first(drafts)[0] if drafts else None
    return (newest[DATE], str(newest.get(COACH_ID) or "")) if newest else None


def _iso(value) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date().isoformat()


def _text(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


# --------------------------------------------------------------------------- rendering (pure)


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def badge_html(member: TeamMember, today: dt.date) -> str:
    """The person's due badge (escaped HTML).

    "Overdue · 29 days", "Never met", "Due soon · in 12 days" (or "Due today"),
    "Scheduled"; when only a check-in is due the badge says so ("Check-in
    overdue · 5 days", "Check-in in 4 days"). Where the cell is too narrow for it, the badge wraps only before
    its "·" or before "in 4 days" (no-break spaces, :mod:`.line_breaks`): "Check-in overdue" / "· 5 days".
    """
    cls = BADGE_CLASSES.get(member.status, "cc-badge-scheduled")
    checkin = member.due_for == cadence.CHECKIN
    if member.status == cadence.NEVER_MET:
        text = unbroken("Never met")
    elif member.status == cadence.OVERDUE:
        text = then_whole(unbroken("Check-in overdue" if checkin else "Overdue"), _days(member.days_overdue or 0))
    elif member.status == cadence.DUE_SOON:
        due = member.next_checkin_due if checkin else member.next_conversation_due
        left = (dt.date.fromisoformat(due) - today).days if due else 0
        if checkin:
            text = unbroken("Check-in today") if left == 0 else f"Check-in {unbroken(f'in {_days(left)}')}"
        else:
            text = unbroken("Due today") if left == 0 else then_whole(unbroken("Due soon"), f"in {_days(left)}")
    else:
        text = "Scheduled"
    return f'<span class="cc-badge {cls}">{escape_html(text)}</span>'


def _day(value: str) -> str:
    """A day as the team view writes it, never split over two lines ("9 Mar 2026" with no-break spaces)."""
    return human_date(value, space=NO_BREAK)


def coach_by_id(coach_id: str, *, more_follows: bool = False) -> str:
    """A draft's coach named by their id alone: what :func:`due_cell_html` says without the roster's names."""
    return coach_id


def due_cell_html(member: TeamMember, today: dt.date, whose: Callable[..., str] = coach_by_id) -> str:
    """Badge, next and last conversation, next check-in, a draft in progress (escaped HTML); a day is never split
    over two lines.

    A draft another coach wrote says whose it is: ``whose(coach_id, more_follows=...)`` names them as the person page
    does (:meth:`~careerconv.surfaces.app.roster_index.RosterIndex.draft_coach_label` with the person's coach), as in
    "draft of 20 Nov 2026 by Sanjay Kapoor (E0001)"; under the hub a former coach's, which this coach may read but
    not resume, is said to be read-only. One's own draft says only its day.
    """
    out = [f"<div>{badge_html(member, today)}</div>"]
    if member.next_conversation_due:
        due = escape_html(_day(member.next_conversation_due))
        out.append(f'<div class="cc-team-line">Due <b>{due}</b></div>')
    else:
        out.append('<div class="cc-team-line">First conversation to hold</div>')
    if member.last_conversation:
        out.append(f'<div class="cc-muted">Last held {escape_html(_day(member.last_conversation))}</div>')
    if member.next_checkin_due:
        late = " (overdue)" if member.checkin_status == cadence.OVERDUE else ""
        out.append(f'<div class="cc-muted">Check-in due {escape_html(_day(member.next_checkin_due))}{late}</div>')
    pills = []
    if member.draft_date:
        by = f" by {whose(member.draft_by)}" if member.draft_by else ""
        pills.append(f"draft of {_day(member.draft_date)}{by}")
    if member.former_draft:
        day, coach = member.former_draft
        pills.append(f"draft of {_day(day)} by {whose(coach)} (read-only)")
    if member.checkin_draft_date:
        by = f" by {whose(member.checkin_draft_by, more_follows=True)}" if member.checkin_draft_by else ""
        pills.append(f"check-in of {_day(member.checkin_draft_date)}{by} not saved yet")
    if member.former_checkin_draft:
        day, coach = member.former_checkin_draft
        pills.append(f"check-in of {_day(day)} by {whose(coach)} (read-only)")
    out.extend(f'<div><span class="cc-pill cc-pill-warn">{escape_html(p)}</span></div>' for p in pills)
    return "".join(out)


def items_cell_html(member: TeamMember, today: dt.date) -> str:
    """Open action items (count, overdue), folded out: every item with its status and date (escaped HTML)."""
    if not member.items:
        text = "No action items yet" if member.has_plan else "No plan yet"
        return f'<span class="cc-muted">{text}</span>'
    n_open, n_late = len(member.open_items), len(member.overdue_items(today))
    n_done = sum(1 for i in member.items if i.status == "done")
    head = f"<b>{n_open} open</b>"
    if n_late:
        head += f' · <span class="cc-late">{n_late} overdue</span>'
    if n_done:
        head += f' · <span class="cc-muted">{n_done} done</span>'
    lines = []
    for it in member.items:
        carried = (f' <span class="cc-muted">(from {escape_html(human_date(it.conversation_date))})</span>'
                   if it.carried_over else "")
        due = f' <span class="cc-muted">due {escape_html(human_date(it.due))}</span>' if it.due and it.is_open else ""
        note = item_note_html(it)
        lines.append(f"<li><div>{escape_html(it.text) or '<i>(no text)</i>'}{carried}</div>"
                     f"<div>{item_status_html(it)}{due}</div>"
                     + (f'<div class="cc-team-note">{note}</div>' if note else "") + "</li>")
    return f'<details class="cc-team-items"><summary>{head}</summary><ul>{"".join(lines)}</ul></details>'


def skill_chip_html(skill: SkillTrend) -> str:
    """One skill: name, sparkline, latest rating -> next target, and the trend word on a coloured chip."""
    cls = TREND_CLASSES.get(skill.status, "cc-trend-none")
    latest = str(skill.latest) if skill.latest is not None else "–"
    target = f'<span class="cc-muted">→{skill.next_target}</span>' if skill.next_target is not None else ""
    tip = [f"{skill.skill}: " + (", ".join(f"{r} on {human_date(d)}" for d, r in skill.ratings) or "not rated")]
    if skill.next_target is not None:
        tip.append(f"target {skill.next_target} by {human_date(skill.next_horizon_date)} "
                   f"({skill.next_horizon_months} months)")
    tip.append(skill.trend_word)
    spark = escape_html(skill.spark) if skill.ratings else ""
    return (f'<div class="cc-trend {cls}" title="{escape_html(" · ".join(tip))}">'
            f'<div class="cc-trend-line"><span class="cc-trend-skill">{escape_html(skill.skill)}</span>'
            f'<span class="cc-trend-value"><b>{latest}</b>{target}</span></div>'
            f'<div class="cc-trend-line"><span class="cc-spark">{spark}</span>'
            f'<span class="cc-trend-word">{escape_html(skill.trend_word)}</span></div></div>')


def skills_cell_html(member: TeamMember) -> str:
    """Every skill of the plan as a chip (escaped HTML)."""
    if not member.skills:
        return '<span class="cc-muted">No skills yet</span>' if member.has_plan else ""
    return '<div class="cc-trends">' + "".join(skill_chip_html(s) for s in member.skills) + "</div>"


def team_summary_html(coach_label: str, members: Sequence[TeamMember], today: dt.date) -> str:
    """The head of the team view: whose team, how many people, how many overdue / never met / due soon."""
    n = len(members)
    counts = {s: sum(1 for m in members if m.status == s) for s in cadence.STATUSES}
    n_open = sum(len(m.open_items) for m in members)
    parts = [f'<span class="cc-badge {BADGE_CLASSES[s]}">{counts[s]} {escape_html(s)}</span>'
             for s in (cadence.OVERDUE, cadence.NEVER_MET, cadence.DUE_SOON) if counts[s]]
    if not parts and n:
        parts.append('<span class="cc-badge cc-badge-scheduled">everyone scheduled</span>')
    parts.append(f'<span class="cc-muted">{n_open} open action item{"s" if n_open != 1 else ""}</span>')
    return (f'<h2 class="cc-section-title cc-h">Team of {escape_html(coach_label)}</h2>'
            f'<div class="cc-team-counts"><span class="cc-muted">{n} {"person" if n == 1 else "people"} · '
            f"as of {escape_html(human_date(today))}</span> {' '.join(parts)}</div>")


# --------------------------------------------------------------------------- one row as HTML (pure)

ACTIONS = ("person", "conversation", "checkin")  # what a row's buttons do (``data-cc-action``)
_URGENT = (cadence.NEVER_MET, cadence.OVERDUE, cadence.DUE_SOON)


def _button_html(label: str, action: str, *classes: str, tip: str) -> str:
    """A real ``<button>`` (keyboard reachable, labelled for screen readers) that the table hands to the kernel.

    It has the look of the app's other buttons (``jupyter-button``) and no handler of its own: the
    table listens for clicks once (:class:`TeamTable`) and sends ``data-cc-action`` with the row's id.
    """
    cls = " ".join(("jupyter-button", *classes))
    return (f'<button type="button" class="{cls}" data-cc-action="{action}" title="{escape_html(tip)}" '
            f'aria-label="{escape_html(tip)}">{escape_html(label)}</button>')


def _cell(column: str, cls: str, body: str) -> str:
    width = COLUMNS.get(column)
    style = f"flex:0 0 {width};width:{width}" if width else "flex:1 1 auto;width:auto"
    return f'<div class="{cls}" style="{style};min-width:0">{body}</div>'


@dataclass(frozen=True)
class TeamRow:
    """One report's row as the coach sees it: its cells as escaped HTML and the labels of its buttons.

    Attributes
    ----------
    member, today
        The report and the day of the view the row was drawn for.
    starts
        Whether its coach may start something new with them (False: the coach has left or has not started yet;
        only drafts are resumed).
    whose
        Names the coach of a draft another coach wrote, as :func:`due_cell_html` takes it.
    """

    member: TeamMember
    today: dt.date
    starts: bool = True
    whose: Callable[..., str] = coach_by_id

    @property
    def due_html(self) -> str:
        """Badge, due dates, drafts (:func:`due_cell_html`)."""
        return due_cell_html(self.member, self.today, self.whose)

    @property
    def items_html(self) -> str:
        """The action items (:func:`items_cell_html`)."""
        return items_cell_html(self.member, self.today)

    @property
    def skills_html(self) -> str:
        """The skills' chips (:func:`skills_cell_html`)."""
        return skills_cell_html(self.member)

    @property
    def conversation_label(self) -> str:
        """"Resume draft" when a draft conversation waits, else "Start conversation"."""
        return "Resume draft" if self.member.draft_date else "Start conversation"

    @property
    def checkin_label(self) -> str | None:
        """"Check-in" or "Resume check-in"; None without a plan to follow up, or without a draft check-in when
        nothing new is started (no button then)."""
        if not self.member.has_plan or not (self.starts or self.member.checkin_draft_date):
            return None
        return "Resume check-in" if self.member.checkin_draft_date else "Check-in"

    @property
    def html(self) -> str:
        """The whole row: person, due, items, skills and the buttons (escaped HTML, one element)."""
        m = self.member
        name = isolated(m.name)  # a right-to-left name keeps the id and the words of our tips after it
        facts = " · ".join(escape_html(x) for x in (m.employee_id, m.role) if x)
        person = (_button_html(name, "person", "cc-link", "cc-team-person", tip=f"Open {name} ({m.employee_id})")
                  + f'<div class="cc-muted">{facts}</div>')
        if m.draft_date:
            conversation = _button_html(self.conversation_label, "conversation", "cc-primary", "cc-team-conversation",
                                        tip=f"Resume the conversation with {name} of {human_date(m.draft_date)}"
                                            + self._theirs(m.draft_by))
        elif not self.starts:
            conversation = ""
        else:
            primary = ("cc-primary",) if m.conversation_status in _URGENT else ()
            conversation = _button_html(self.conversation_label, "conversation", "cc-team-conversation", *primary,
                                        tip=f"Start a career conversation with {name}"
                                            + self._left_beside(m.former_draft, "conversation"))
        checkin = ""
        if self.checkin_label is not None:
            primary = ("cc-primary",) if (m.checkin_status in _URGENT or m.checkin_draft_date) and not m.draft_date \
                else ()
            tip = (f"Resume the check-in with {name} of {human_date(m.checkin_draft_date)}"
                   + self._theirs(m.checkin_draft_by) if m.checkin_draft_date
                   else f"Check-in: follow up {name}'s plan" + self._left_beside(m.former_checkin_draft, "check-in"))
            checkin = _button_html(self.checkin_label, "checkin", "cc-team-checkin", *primary, tip=tip)
        status = m.status.replace(" ", "-")
        return (f'<div class="cc-team-row cc-team-{escape_html(status)}" data-cc-row="{escape_html(m.employee_id)}">'
                + _cell("person", "cc-team-person-cell", person)
                + _cell("due", "cc-team-due", self.due_html)
                + _cell("items", "cc-team-items-cell", self.items_html)
                + _cell("skills", "cc-team-skills", self.skills_html)
                + _cell("actions", "cc-team-actions", conversation + checkin) + "</div>")

    def _theirs(self, coach: str | None) -> str:
        """What a button's tip adds when the draft it resumes is another coach's (``coach``; None: one's own), as the
        person page says it."""
        return f" by {self.whose(coach)}: it stays in their name as its coach" if coach else ""

    def _left_beside(self, former: tuple[str, str] | None, kind: str) -> str:
        """What a Start or Check-in button's tip adds when a former coach's draft ``kind`` is there, read-only: the
        new one starts beside it (under the hub)."""
        if former is None:
            return ""
        by = self.whose(former[1], more_follows=True)
        return f" (the {kind} of {human_date(former[0])} by {by} stays as it is, read-only)"


def columns_html() -> str:
    """The table's column heads, as wide as the row's cells (:data:`COLUMNS`)."""
    return ('<div class="cc-team-columns">'
            + "".join(f'<span style="width:{COLUMNS[c]}">{label}</span>' for c, label in
                      (("person", "Person"), ("due", "Career conversation"), ("items", "Action items")))
            + '<span style="flex:1 1 auto">Skills · latest → next target</span>'
            f'<span style="width:{COLUMNS["actions"]}"></span></div>')


# --------------------------------------------------------------------------- the widgets

_TABLE_ESM = r"""
function render({ model, el }) {
  el.classList.add('cc-team-table');
  const head = document.createElement('div');
  const body = document.createElement('div');
  body.className = 'cc-team-rows';
  el.append(head, body);
  const markup = new WeakMap();
  const draw = () => {
    head.innerHTML = model.get('head');
    const old = new Map([...body.children].map(n => [n.dataset.ccRow, n]));
    let at = 0;
    for (const [id, html] of model.get('rows')) {
      let node = old.get(id);
      old.delete(id);
      if (!node || markup.get(node) !== html) {  // only a row that changed is drawn again
        const tpl = document.createElement('template');
        tpl.innerHTML = html;
        const fresh = tpl.content.firstElementChild;
        markup.set(fresh, html);
        if (node) {
          const open = node.querySelector('details[open]');  // folded-out items stay folded out
          const details = fresh.querySelector('details');
          if (open && details) details.open = true;
          node.replaceWith(fresh);
        }
        node = fresh;
      }
      if (body.children[at] !== node) body.insertBefore(node, body.children[at] || null);
      at += 1;
    }
    for (const node of old.values()) node.remove();
  };
  const onClick = (event) => {
    const button = event.target.closest('button[data-cc-action]');
    const row = button && button.closest('[data-cc-row]');
    if (!row || !el.contains(row)) return;
    model.send({ action: button.dataset.ccAction, employee_id: row.dataset.ccRow });
  };
  draw();
  model.on('change:rows', draw);
  model.on('change:head', draw);
  el.addEventListener('click', onClick);
  return () => {
    model.off('change:rows', draw);
    model.off('change:head', draw);
    el.removeEventListener('click', onClick);
  };
}
export default { render };
"""


class TeamTable(anywidget.AnyWidget):
    """The rows of the team view in one widget: HTML, and one click listener for all their buttons.

    A row is one HTML string (:attr:`TeamRow.html`); the page draws again only the rows whose HTML
    changed, so a refresh keeps the focus and folded-out items of the others. A click on a row's
    button sends ``{"action", "employee_id"}``, handed to ``on_action(employee_id, action)``.
    """

    _esm = _TABLE_ESM
    head = traitlets.Unicode("").tag(sync=True)
    rows = traitlets.List(traitlets.Tuple(traitlets.Unicode(), traitlets.Unicode())).tag(sync=True)

    def __init__(self, on_action: Callable[[str, str], None]):
        super().__init__(head=columns_html(), layout=widgets.Layout(width="100%"))
        self._on_action = on_action
        self.on_msg(self._message)

    def _message(self, _widget, content, _buffers) -> None:
        content = content if isinstance(content, dict) else {}
        self._on_action(str(content.get(EMPLOYEE_ID) or ""), str(content.get("action") or ""))


class TeamView:
    """The team panel of the start screen.

    Parameters
    ----------
    guard
        ``guard(callback, context)`` wraps a callback so its errors are shown
        in the app's banner, ``context`` saying what the coach was doing.
    on_person, on_conversation, on_checkin
        Called with an employee id when the coach clicks the name, the
        conversation button (start or resume) or the check-in button of a row.
    on_refresh
        Called when the coach asks for a fresh view.
    """

    def __init__(self, *, guard: Callable, on_person: Callable[[str], None],
                 on_conversation: Callable[[str], None], on_checkin: Callable[[str], None],
                 on_refresh: Callable[[], None]):
        self.guard = guard
        self._handlers = {"person": (on_person, "Could not open this person"),
                          "conversation": (on_conversation, "Could not open the conversation"),
                          "checkin": (on_checkin, "Could not open the check-in")}
        self.members: list[TeamMember] = []
        self.rows: dict[str, TeamRow] = {}
        self.coach_id: str | None = None
        self.summary_html = html("", "cc-team-summary")
        self.summary_html.layout = widgets.Layout(flex="1 1 auto", width="auto")
        self.refresh_button = button("↻ Refresh", "cc-link", "cc-team-refresh", tooltip="Read the team again")
        self.refresh_button.on_click(guard(lambda _b: on_refresh(), "Could not read the team"))
        head = classed(widgets.HBox([self.summary_html, self.refresh_button], layout=widgets.Layout(width="100%")),
                       "cc-row", "cc-team-head")
        self.empty_html = html("", "cc-team-empty")
        self.table = TeamTable(self._clicked)
        self.widget = classed(widgets.VBox([head, self.empty_html, self.table], layout=widgets.Layout(width="100%")),
                              "cc-card", "cc-team")

    def show_members(self, coach_id: str, coach_label: str, members: list[TeamMember], today: dt.date, *,
                     note: str = "", starts: bool = True, whose: Callable[..., str] = coach_by_id) -> None:
        """Replace the rows with these members (as :func:`load_team` returns them); ``note`` (text) is said below
        the counts (a coach who has left: their people need a new coach; one who has not started: another coach
        meets them until then); without ``starts`` (the coach is not here) the rows offer only to resume drafts;
        ``whose`` names the coach of a draft another coach wrote (:func:`due_cell_html`)."""
        self.coach_id = coach_id
        self.members = list(members)
        self.rows = {m.employee_id: TeamRow(m, today, starts, whose) for m in self.members}
        drawn = [(eid, row.html) for eid, row in self.rows.items()]
        if drawn != [tuple(r) for r in self.table.rows]:  # nothing sent when nothing changed
            self.table.rows = drawn
        self.summary_html.value = team_summary_html(coach_label, self.members, today) + (
            f'<div class="cc-warn-box cc-coach-left">{escape_html(note)}</div>' if note else "")
        self.empty_html.value = ("" if self.members else
                                 f'<div class="cc-muted">Nobody on the roster reports to {escape_html(coach_label)}.'
                                 "</div>")
        show(self.empty_html, not self.members)
        show(self.table, bool(self.members))

    def click(self, employee_id: str, action: str) -> None:
        """What a click on a row's button does (the page sends these; tests call it the same way).

        Parameters
        ----------
        employee_id
            The row's report.
        action
            One of :data:`ACTIONS`: ``"person"`` (the name), ``"conversation"``, ``"checkin"``.

        Raises
        ------
        KeyError
            If the person is not in the team shown.
        ValueError
            If ``action`` is not one of :data:`ACTIONS`, or the row has no check-in button.
        """
        row = self.row(employee_id)
        if action not in self._handlers:
            raise ValueError(f"a team row has no button {action!r}; its buttons are {', '.join(ACTIONS)}")
        if action == "checkin" and row.checkin_label is None:
            raise ValueError(f"{row.member.name} has no plan to follow up yet: their row has no check-in button")
        self._handlers[action][0](employee_id)

    def _clicked(self, employee_id: str, action: str) -> None:
        context = self._handlers.get(action, (None, "Could not follow that click"))[1]
        self.guard(lambda: self.click(employee_id, action), context)()

    def row(self, employee_id: str) -> TeamRow:
        """The row of one report.

        Raises
        ------
        KeyError
            If the person is not in the team shown.
        """
        try:
            return self.rows[employee_id]
        except KeyError:
            raise KeyError(f"{employee_id!r} is not in the team shown (team of {self.coach_id}: "
                           f"{', '.join(self.rows) or 'nobody'})") from None
