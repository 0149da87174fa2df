"""The coach's team view: every report of one coach at a glance.

One row per report, most urgent first: who they are; their last career
conversation and when the next one (or a check-in) is due, with a badge from
:mod:`careerconv.cadence` (overdue, never met, due soon, scheduled) and a draft
in progress; their open action items (folded out: every item of the plan with
its status, "done on <date>" or a dropped item's reason); each skill of the
plan with its latest rating, a small text sparkline of the ratings so far and
a coloured chip saying whether it is ahead, on track or behind the line to its
next target (:func:`careerconv.progress.current_vs_target`). Buttons open the
conversation (start, or resume a draft) or a check-in in one click.

The rows are built from each report's records (``Store.history``: a coach has
about eight reports and one history reads in ~25 ms), never from the analytics
cache, so what the coach saved a minute ago is already there and the app keeps
its rule of never refreshing the derived tables. The same pure rules as the due
list and the reports apply: :func:`careerconv.cadence.due_list` for due dates
and badges, :mod:`careerconv.followup` for action items and ratings,
:mod:`careerconv.progress` for the trend.

:func:`team_members` is pure (records in, :class:`TeamMember` rows out);
:func:`load_team` reads the records; :class:`TeamView` is the widget.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape
from typing import Any, Callable, Mapping, Sequence

import ipywidgets as W
import pandas as pd

from .. import cadence as C
from .. import progress
from .. import schema as S
from .. import tables as T
from ..store import History, Store
from .. import followup as F
from ..dates import human_date
from .glance import item_note_html, item_status_html
from .widgets import button, classed, close_tree, html, show

SPARK_BLOCKS = "▁▂▃▄▅▆▇█"
SPARK_POINTS = 6  # the latest ratings a sparkline shows
TREND_CLASSES = {progress.AHEAD: "cc-trend-ahead", progress.ON_TRACK: "cc-trend-on-track",
                 progress.BEHIND: "cc-trend-behind", progress.DUE_NOT_MEASURED: "cc-trend-behind", progress.UPCOMING: "cc-trend-none"}
BADGE_CLASSES = {C.OVERDUE: "cc-badge-overdue", C.NEVER_MET: "cc-badge-never", C.DUE_SOON: "cc-badge-soon",
                 C.SCHEDULED: "cc-badge-scheduled"}
_TABLES = (*C.DUE_TABLES[1:], "targets", "skill_ratings")
COLUMNS = {"person": "165px", "due": "200px", "items": "180px", "actions": "150px"}  # skills take the rest


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
        :data:`careerconv.progress.AHEAD`, ``ON_TRACK``, ``BEHIND``,
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
        """The status as the progress report words it (one of :data:`careerconv.progress.STATUSES`)."""
        return self.status


@dataclass(frozen=True)
class TeamMember:
    """One report in the team view.

    Attributes
    ----------
    employee_id, name, role, department
        From the roster.
    status, due_for, days_overdue
        From :func:`careerconv.cadence.due_list`: the most urgent status of the
        person (overdue / never met / due soon / scheduled), what it is about
        ("career conversation", "check-in" or both) and how many days late
        (None for someone never met).
    last_conversation, next_conversation_due, conversation_status
        ISO dates (None if there is none) and the conversation's own status.
    last_checkin, next_checkin_due, checkin_status
        The same for follow-up check-ins (None when no interval was agreed).
    draft_date
        ISO date of the latest draft conversation (the app offers to resume
        it), or None.
    checkin_draft_date
        ISO date of the latest check-in started and not saved yet (the app
        offers to resume it), or None.
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
    items: tuple[F.ItemState, ...] = ()
    skills: tuple[SkillTrend, ...] = ()

    @property
    def has_plan(self) -> bool:
        """True once a career conversation was completed (a check-in has something to follow up)."""
        return self.last_conversation is not None

    @property
    def open_items(self) -> tuple[F.ItemState, ...]:
        """Items still to follow up (open or in progress)."""
        return tuple(i for i in self.items if i.is_open)

    def overdue_items(self, today: dt.date) -> tuple[F.ItemState, ...]:
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
        if isinstance(r, bool) or not isinstance(r, int) or not S.RATING_MIN <= r <= S.RATING_MAX:
            raise ValueError(f"a rating must be a whole number {S.RATING_MIN}-{S.RATING_MAX}, got {r!r}")
        step = (r - S.RATING_MIN) * (len(SPARK_BLOCKS) - 1) / (S.RATING_MAX - S.RATING_MIN)
        out.append(SPARK_BLOCKS[round(step)])
    return "".join(out)


def team_members(reports: pd.DataFrame, histories: Mapping[str, History], as_of: dt.date | str, *,
                 soon_days: int = C.DUE_SOON_DAYS) -> list[TeamMember]:
    """The team view's rows: one per report, most urgent first.

    Parameters
    ----------
    reports
        The roster rows of the coach's reports (columns of
        :data:`careerconv.schema.ROSTER`).
    histories
        ``employee_id -> History`` (conversations and check-ins as the store
        returns them) for every report; a report missing here has no records.
    as_of
        The day of the view ("today"). Records dated after it are ignored, as
        the due list does.
    soon_days
        How many days ahead counts as "due soon".

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
    day = S.parse_date(as_of)
    cutoff = day.isoformat()
    convs: dict[str, list[dict]] = {}
    cis: dict[str, list[dict]] = {}
    for eid in reports["employee_id"]:
        hist = histories.get(eid)
        convs[eid] = [c for c in (hist.conversations if hist else []) if c["date"] <= cutoff]
        cis[eid] = [c for c in (hist.checkins if hist else []) if c["date"] <= cutoff]
    records = [r for eid in convs for r in (*convs[eid], *cis[eid])]
    frames = T.frames_from_records(records, _TABLES)
    due = C.due_list({"roster": reports, **frames}, day, soon_days=soon_days)
    trends = _trends(frames, convs, day)

    members = []
    for row in due.itertuples(index=False):
        eid = row.employee_id
        plan = F.previous_plan(convs[eid], cis[eid])
        hist = histories.get(eid)
        drafts = [c for c in convs[eid] if c["status"] == "draft"]
        points = F.rating_points(convs[eid], cis[eid])
        skills = tuple(_skill_trend(s, points, trends.get((eid, S.skill_key(s.skill)))) for s in plan.skills)
        roster_row = reports.loc[reports["employee_id"] == eid].iloc[0]
        members.append(TeamMember(
            employee_id=eid, name=str(row.name), role=_text(roster_row.get("role")),
            department=_text(row.department), status=row.status, due_for=row.due_for,
            days_overdue=None if pd.isna(row.days_overdue) else int(row.days_overdue),
            last_conversation=_iso(row.last_conversation), next_conversation_due=_iso(row.next_conversation_due),
            conversation_status=row.conversation_status, last_checkin=_iso(row.last_checkin),
            next_checkin_due=_iso(row.next_checkin_due), checkin_status=row.checkin_status,
            draft_date=drafts[-1]["date"] if drafts else None,
            checkin_draft_date=hist.checkin_drafts[-1]["date"] if hist and hist.checkin_drafts else None,
            items=tuple(plan.items) + tuple(plan.carried_over), skills=skills))
    return members


def load_team(store: Store, coach_id: str, as_of: dt.date | str, *, roster: pd.DataFrame | None = None,
              soon_days: int = C.DUE_SOON_DAYS) -> list[TeamMember]:
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
    soon_days
        How many days ahead counts as "due soon".

    Returns
    -------
    list of TeamMember
        Empty if nobody on the roster reports to ``coach_id``.

    Raises
    ------
    ValueError
        If ``coach_id`` is not a valid id, or as :func:`team_members`.
    """
    S.parse_identifier(coach_id, what="coach id")
    roster = store.roster() if roster is None else roster
    reports = roster.loc[roster["coach_id"] == coach_id].reset_index(drop=True)
    histories = {eid: store.history(eid) for eid in reports["employee_id"]}
    return team_members(reports, histories, as_of, soon_days=soon_days)


def _trends(frames: dict[str, pd.DataFrame], convs: Mapping[str, list[dict]],
            day: dt.date) -> dict[tuple[str, str], Any]:
    """``(employee_id, skill_key) -> current_vs_target row`` for each report's last completed conversation."""
    last_ids = {}
    drafts = set()
    for eid, records in convs.items():
        last = F.last_completed(records)
        if last is not None:
            last_ids[eid] = last["conversation_id"]
        drafts.update(c["conversation_id"] for c in records if c["status"] != "completed")
    targets = frames["targets"]
    targets = targets.loc[targets["conversation_id"].isin(set(last_ids.values()))]
    ratings = frames["skill_ratings"]
    ratings = ratings.loc[~ratings["record_id"].isin(drafts)]  # a draft's ratings are not yet said
    if targets.empty:
        return {}
    current = progress.current_vs_target(targets, ratings, pd.Timestamp(day))
    return {(r.employee_id, S.skill_key(r.skill)): r for r in current.itertuples(index=False)}


def _skill_trend(skill: F.SkillState, points: list[F.RatingPoint], row) -> SkillTrend:
    """One skill of the plan with its ratings so far and its ``current_vs_target`` row (or None)."""
    key = S.skill_key(skill.skill)
    ratings = tuple((p.date, int(p.self_rating)) for p in points
                    if S.skill_key(p.skill) == key and p.self_rating is not None)[-SPARK_POINTS:]
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
    overdue · 5 days", "Check-in in 4 days").
    """
    cls = BADGE_CLASSES.get(member.status, "cc-badge-scheduled")
    checkin = member.due_for == C.CHECKIN
    if member.status == C.NEVER_MET:
        text = "Never met"
    elif member.status == C.OVERDUE:
        text = f"{'Check-in overdue' if checkin else 'Overdue'} · {_days(member.days_overdue or 0)}"
    elif member.status == C.DUE_SOON:
        due = member.next_checkin_due if checkin else member.next_conversation_due
        left = (dt.date.fromisoformat(due) - today).days if due else 0
        if checkin:
            text = "Check-in today" if left == 0 else f"Check-in in {_days(left)}"
        else:
            text = "Due today" if left == 0 else f"Due soon · in {_days(left)}"
    else:
        text = "Scheduled"
    return f'<span class="cc-badge {cls}">{escape(text)}</span>'


def due_cell_html(member: TeamMember, today: dt.date) -> str:
    """Badge, next and last conversation, next check-in, a draft in progress (escaped HTML)."""
    out = [f"<div>{badge_html(member, today)}</div>"]
    if member.next_conversation_due:
        out.append(f'<div class="cc-team-line">Due <b>{escape(human_date(member.next_conversation_due))}</b></div>')
    else:
        out.append('<div class="cc-team-line">First conversation to hold</div>')
    if member.last_conversation:
        out.append(f'<div class="cc-muted">Last held {escape(human_date(member.last_conversation))}</div>')
    if member.next_checkin_due:
        late = " (overdue)" if member.checkin_status == C.OVERDUE else ""
        out.append(f'<div class="cc-muted">Check-in due {escape(human_date(member.next_checkin_due))}{late}</div>')
    if member.draft_date:
        out.append(f'<div><span class="cc-pill cc-pill-warn">draft of {escape(human_date(member.draft_date))}'
                   "</span></div>")
    if member.checkin_draft_date:
        out.append('<div><span class="cc-pill cc-pill-warn">check-in of '
                   f"{escape(human_date(member.checkin_draft_date))} not saved yet</span></div>")
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
        carried = (f' <span class="cc-muted">(from {escape(human_date(it.conversation_date))})</span>'
                   if it.carried_over else "")
        due = f' <span class="cc-muted">due {escape(human_date(it.due))}</span>' if it.due and it.is_open else ""
        note = item_note_html(it)
        lines.append(f"<li><div>{escape(it.text) or '<i>(no text)</i>'}{carried}</div>"
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
    spark = escape(skill.spark) if skill.ratings else ""
    return (f'<div class="cc-trend {cls}" title="{escape(" · ".join(tip))}">'
            f'<div class="cc-trend-line"><span class="cc-trend-skill">{escape(skill.skill)}</span>'
            f'<span class="cc-trend-value"><b>{latest}</b>{target}</span></div>'
            f'<div class="cc-trend-line"><span class="cc-spark">{spark}</span>'
            f'<span class="cc-trend-word">{escape(skill.trend_word)}</span></div></div>')


def skills_cell_html(member: TeamMember) -> str:
    """Every skill of the plan as a chip (escaped HTML)."""
    if not member.skills:
        return '<span class="cc-muted">No skills yet</span>' if member.has_plan else ""
    return '<div class="cc-trends">' + "".join(skill_chip_html(s) for s in member.skills) + "</div>"


def team_summary_html(coach_label: str, members: Sequence[TeamMember], today: dt.date) -> str:
    """The head of the team view: whose team, how many people, how many overdue / never met / due soon."""
    n = len(members)
    counts = {s: sum(1 for m in members if m.status == s) for s in C.STATUSES}
    n_open = sum(len(m.open_items) for m in members)
    parts = [f'<span class="cc-badge {BADGE_CLASSES[s]}">{counts[s]} {escape(s)}</span>'
             for s in (C.OVERDUE, C.NEVER_MET, C.DUE_SOON) if counts[s]]
    if not parts and n:
        parts.append('<span class="cc-badge cc-badge-scheduled">everyone scheduled</span>')
    parts.append(f'<span class="cc-muted">{n_open} open action item{"s" if n_open != 1 else ""}</span>')
    return (f'<div class="cc-section-title">Team of {escape(coach_label)}</div>'
            f'<div class="cc-team-counts"><span class="cc-muted">{n} {"person" if n == 1 else "people"} · '
            f"as of {escape(human_date(today))}</span> {' '.join(parts)}</div>")


# --------------------------------------------------------------------------- the widget


class TeamRow:
    """One report's row: three HTML cells and the buttons that open them."""

    def __init__(self, member: TeamMember, today: dt.date, guard: Callable,
                 on_person: Callable[[str], None], on_conversation: Callable[[str], None],
                 on_checkin: Callable[[str], None]):
        self.member, self.today = member, today
        eid = member.employee_id
        self.person_button = button(member.name, "cc-link", "cc-team-person", tooltip=f"Open {member.name} ({eid})",
                                    width="100%")
        self.person_button.on_click(guard(lambda _b: on_person(eid), "Could not open this person"))
        facts = " · ".join(escape(x) for x in (eid, member.role) if x)
        person = W.VBox([self.person_button, html(f'<div class="cc-muted">{facts}</div>')],
                        layout=W.Layout(flex=f"0 0 {COLUMNS['person']}", width=COLUMNS["person"], min_width="0"))
        self.due_html = html(due_cell_html(member, today), "cc-team-due")
        self.due_html.layout = W.Layout(flex=f"0 0 {COLUMNS['due']}", width=COLUMNS["due"])
        self.items_html = html(items_cell_html(member, today), "cc-team-items-cell")
        self.items_html.layout = W.Layout(flex=f"0 0 {COLUMNS['items']}", width=COLUMNS["items"])
        self.skills_html = html(skills_cell_html(member), "cc-team-skills")
        self.skills_html.layout = W.Layout(flex="1 1 auto", width="auto", min_width="0")
        urgent = (C.NEVER_MET, C.OVERDUE, C.DUE_SOON)
        if member.draft_date:
            self.conversation_button = button("Resume draft", "cc-primary", "cc-team-conversation",
                                              tooltip=f"Resume the conversation of {human_date(member.draft_date)}",
                                              width="100%")
        else:
            primary = ("cc-primary",) if member.conversation_status in urgent else ()
            self.conversation_button = button("Start conversation", "cc-team-conversation", *primary,
                                              tooltip=f"Start a career conversation with {member.name}",
                                              width="100%")
        self.conversation_button.on_click(guard(lambda _b: on_conversation(eid), "Could not open the conversation"))
        primary = ("cc-primary",) if (member.checkin_status in urgent or member.checkin_draft_date) \
            and not member.draft_date else ()
        resume = member.checkin_draft_date is not None
        self.checkin_button = button("Resume check-in" if resume else "Check-in", "cc-team-checkin", *primary,
                                     tooltip=(f"Resume the check-in of {human_date(member.checkin_draft_date)}"
                                              if resume else f"Follow up {member.name}'s plan"), width="100%")
        self.checkin_button.on_click(guard(lambda _b: on_checkin(eid), "Could not open the check-in"))
        show(self.checkin_button, member.has_plan)
        actions = classed(W.VBox([self.conversation_button, self.checkin_button],
                                 layout=W.Layout(flex=f"0 0 {COLUMNS['actions']}", width=COLUMNS["actions"])),
                          "cc-team-actions")
        self.widget = classed(W.HBox([person, self.due_html, self.items_html, self.skills_html, actions],
                                     layout=W.Layout(width="100%", align_items="flex-start")),
                              "cc-team-row", f"cc-team-{member.status.replace(' ', '-')}")

    def close(self) -> None:
        """Close the row's widgets (rows are rebuilt on every refresh; closed widgets free the front end)."""
        close_tree(self.widget)


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
        self.on_person, self.on_conversation, self.on_checkin = on_person, on_conversation, on_checkin
        self.members: list[TeamMember] = []
        self.rows: dict[str, TeamRow] = {}
        self.coach_id: str | None = None
        self.summary_html = html("", "cc-team-summary")
        self.summary_html.layout = W.Layout(flex="1 1 auto", width="auto")
        self.refresh_button = button("↻ Refresh", "cc-link", "cc-team-refresh", tooltip="Read the team again")
        self.refresh_button.on_click(guard(lambda _b: on_refresh(), "Could not read the team"))
        head = classed(W.HBox([self.summary_html, self.refresh_button], layout=W.Layout(width="100%")),
                       "cc-row", "cc-team-head")
        columns = html(f'<div class="cc-team-columns"><span style="width:{COLUMNS["person"]}">Person</span>'
                       f'<span style="width:{COLUMNS["due"]}">Career conversation</span>'
                       f'<span style="width:{COLUMNS["items"]}">Action items</span>'
                       '<span style="flex:1 1 auto">Skills · latest → next target</span>'
                       f'<span style="width:{COLUMNS["actions"]}"></span></div>', "cc-team-columns-row")
        self.empty_html = html("", "cc-team-empty")
        self.rows_box = classed(W.VBox(layout=W.Layout(width="100%")), "cc-team-rows")
        self.widget = classed(W.VBox([head, columns, self.empty_html, self.rows_box],
                                     layout=W.Layout(width="100%")), "cc-card", "cc-team")

    def show_members(self, coach_id: str, coach_label: str, members: list[TeamMember], today: dt.date) -> None:
        """Replace the rows with these members (as :func:`load_team` returns them)."""
        self.coach_id = coach_id
        self.members = list(members)
        old = self.rows
        self.rows = {}
        for m in self.members:  # a row whose report did not change is kept as it is (nothing to redraw)
            kept = old.get(m.employee_id)
            if kept is not None and kept.member == m and kept.today == today:
                self.rows[m.employee_id] = old.pop(m.employee_id)
            else:
                self.rows[m.employee_id] = TeamRow(m, today, self.guard, self.on_person, self.on_conversation,
                                                   self.on_checkin)
        widgets = tuple(r.widget for r in self.rows.values())
        if widgets != tuple(self.rows_box.children):
            self.rows_box.children = widgets
        for row in old.values():
            row.close()
        self.summary_html.value = team_summary_html(coach_label, self.members, today)
        self.empty_html.value = ("" if self.members else
                                 f'<div class="cc-muted">Nobody on the roster reports to {escape(coach_label)}.</div>')
        show(self.empty_html, not self.members)

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
