"""The previous conversation at a glance, shown before the first question.

Pure rendering: a :class:`~careerconv.rules.followup.PreviousPlan` and a roster
row in, escaped HTML out. The coach sees the dreams, the skills with the rating
then, the latest rating since and the 6/12/18-month targets, and the action
plan with the status the check-ins gave each item and when (a completed item
reads "done on 15 Apr 2026", a dropped one keeps its reason) - so the
conversation starts by following up on what was agreed, as the method asks.
The item helpers here are shared by the check-in and the team views.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Callable, Iterable, Mapping

from careerconv.records import leavers
from careerconv.records import schema
from careerconv.rules.followup import ItemState, PreviousPlan, RatingPoint, item_status_label
from careerconv.records.dates import human_date
from careerconv.records.schema import CADENCE_MONTHS, COACH_ID, DEPARTMENT
from careerconv.views.html_parts import escape_html
from .summary import status_pill


# (heading, class of its cells) of the plan's two tables; on a phone each row becomes a block whose cells carry
# their heading above them (styles.py, "one block per row")
SKILL_COLUMNS = (("Skill", "cc-col-skill"), ("Then", "cc-col-then"), ("Latest", "cc-col-latest"),
                 *((f"{h} mo", "cc-col-target") for h in schema.HORIZONS), ("Chosen approach", "cc-col-approach"))
ITEM_COLUMNS = (("Action item", "cc-col-item"), ("Due", "cc-col-due"), ("Owner", "cc-col-owner"),
                ("Status", "cc-col-status"), ("Latest note", "cc-col-note"))


def _stacking_table(kind: str, columns: tuple[tuple[str, str], ...], rows: list[list[str]]) -> str:
    """A ``cc-table cc-stack`` table: a header row, then one row per list of cells (escaped HTML, in the order of
    ``columns``). Each cell carries its heading (``data-label``) and its column's class, so a phone can show each
    row as a block of labelled values instead of a table wider than the screen."""
    head = "".join(f"<th>{escape(label)}</th>" for label, _cls in columns)
    body = "".join("<tr>" + "".join(f'<td class="{cls}" data-label="{escape(label)}">{cell}</td>'
                                    for (label, cls), cell in zip(columns, cells)) + "</tr>" for cells in rows)
    return f'<table class="cc-table cc-stack {kind}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _since(item: ItemState) -> str:
    """"on 15 Apr 2026" for a done or dropped item, "since …" for one in progress, else ""."""
    if item.completed_on or item.dropped_on:
        return f"on {human_date(item.completed_on or item.dropped_on)}"
    if item.status == "in_progress" and item.status_since:
        return f"since {human_date(item.status_since)}"
    return ""


def item_when(item: ItemState) -> str:
    """When the item got its status, as words: ``"done on 15 Apr 2026"`` ("" if no check-in set it).

    Parameters
    ----------
    item
        From :func:`careerconv.rules.followup.item_states`.

    Returns
    -------
    str
        Plain text (not escaped): ``done on …``, ``dropped on …``, ``in progress since …``,
        or "" for an item that is open.
    """
    since = _since(item)
    return f"{item_status_label(item.status).lower()} {since}" if since else ""


def item_status_html(item: ItemState) -> str:
    """The item's status pill and, once a check-in set it, when (escaped HTML).

    A completed item reads "Done on 15 Apr 2026" (the date of the check-in that
    marked it done), a dropped one "Dropped on …", one under way "In progress since …".
    """
    since = _since(item)
    return status_pill(item.status) + (f' <span class="cc-when">{escape(since)}</span>' if since else "")


def item_note_html(item: ItemState) -> str:
    """A dropped item's reason and the latest note, with the date of that note (escaped HTML)."""
    parts = []
    if item.status == "dropped" and item.reason:
        parts.append(f'<div class="cc-reason"><b>Reason:</b> {escape_html(item.reason)}</div>')
    if item.note:
        when = f' <span class="cc-muted">({escape(human_date(item.updated_on))})</span>' if item.updated_on else ""
        parts.append(f"<div>{escape_html(item.note)}{when}</div>")
    return "".join(parts)


def closed_items_html(items: Iterable[ItemState]) -> str:
    """Items that are done or dropped, each with when (and why, if dropped), as escaped HTML.

    Returns "" when there are none; otherwise ``<div class="cc-closed-items">``
    with one line per item, e.g. "Join Toastmasters — done on 15 Apr 2026".
    """
    lines = []
    for it in items:
        if it.is_open:
            continue
        reason = (f' <span class="cc-muted">Reason: {escape_html(it.reason)}</span>'
                  if it.status == "dropped" and it.reason else "")
        lines.append(f"<li>{escape_html(it.text) or '<i>(no text)</i>'} — {item_status_html(it)}{reason}</li>")
    if not lines:
        return ""
    return f'<div class="cc-closed-items"><ul>{"".join(lines)}</ul></div>'


def due_phrase(due: str | None, today: dt.date) -> str:
    """``"due 12 Sep 2026 (in 17 days)"`` / ``"(overdue by 3 days)"`` ("" without a date)."""
    if not due:
        return ""
    days = (dt.date.fromisoformat(due) - today).days
    if days < 0:
        when = f"overdue by {-days} day{'s' if days != -1 else ''}"
    elif days == 0:
        when = "today"
    else:
        when = f"in {days} day{'s' if days != 1 else ''}"
    return f"due {human_date(due)} ({when})"


def with_coach(coach: str | None) -> str:
    """``"with Grace Hopper (C01) · "`` (escaped), or nothing for a conversation without a coach (the top of
    the organisation)."""
    return f"with {escape_html(coach)} · " if coach else ""


def employee_card_html(employee: Mapping, coach_label: str, plan: PreviousPlan, today: dt.date) -> str:
    """The employee's name, role, coach and when their next conversation is due (escaped HTML)."""
    role = " · ".join(escape_html(x) for x in (employee.get("role"), employee.get(DEPARTMENT)) if x)
    cadence = employee.get(CADENCE_MONTHS)
    agreed = (plan.conversation or {}).get(CADENCE_MONTHS)
    lines = [f"<h2>{escape_html(employee.get('name'))} "
             f"<span class=\"cc-muted\">{escape_html(employee.get('employee_id'))}</span></h2>"]
    facts = [role] if role else []
    facts.append(f"coach {escape_html(coach_label)}" if coach_label else "no coach on the roster")
    if agreed:  # what was agreed in the last conversation beats the roster's standing preference
        facts.append(f"a conversation every {int(agreed)} months (agreed {escape(human_date(plan.date))})")
    elif cadence:
        facts.append(f"prefers a conversation every {int(cadence)} months")
    lines.append(f'<div class="cc-muted">{" · ".join(facts)}</div>')
    if plan.conversation is not None:
        # someone who has left, or starts after today, is due for nothing
        due = due_phrase(plan.next_due, today) if leavers.person_is_here(employee, today) else ""
        lines.append(f'<div class="cc-muted">Last conversation {escape(human_date(plan.date))}'
                     f"{' · next ' + escape(due) if due else ''}</div>")
    return "".join(lines)


def previous_plan_html(plan: PreviousPlan, today: dt.date, coach_label: Callable[[str], str] | None = None) -> str:
    """The previous conversation and what became of it, as escaped HTML.

    Parameters
    ----------
    plan
        From :func:`careerconv.rules.followup.previous_plan`.
    today
        For "overdue" marks on action items.
    coach_label
        The coach as people know them ("Grace Hopper (C01)") from their id; default: the id.

    Returns
    -------
    str
        HTML (``<div class="cc-glance">``); a short note if there is no previous conversation.
    """
    if plan.conversation is None:
        return ('<div class="cc-glance"><p class="cc-empty">No completed career conversation yet — '
                "this will be the first one.</p></div>")
    out = ['<div class="cc-glance">']
    checkins = (f"{plan.checkins_since} check-in{'s' if plan.checkins_since != 1 else ''} since, "
                f"last on {escape(human_date(plan.last_checkin_date))}"
                if plan.checkins_since else "no check-ins since")
    coach = plan.conversation.get(COACH_ID)
    who = with_coach((coach_label or str)(coach)) if coach else ""
    out.append(f"<div><b>Previous conversation, {escape(human_date(plan.date))}</b> "
               f"<span class=\"cc-muted\">{who}{checkins}</span></div>")
    out.append("<h3>Dreams</h3>")
    if plan.dreams:
        out.append("<ol>" + "".join(f"<li>{escape_html(d.get('text'))}</li>" for d in plan.dreams) + "</ol>")
    else:
        out.append('<p class="cc-empty">none recorded</p>')
    out.append("<h3>Skills</h3>")
    if plan.skills:
        rows = []
        for s in plan.skills:
            then = f"{s.baseline}" if s.baseline is not None else "–"
            latest = "–"
            if s.latest is not None and s.latest.self_rating is not None:
                latest = f"{s.latest.self_rating} <span class=\"cc-muted\">({escape(human_date(s.latest.date))})</span>"
            targets = [str(s.targets[h]) if s.targets.get(h) is not None else "–" for h in schema.HORIZONS]
            rows.append([escape_html(s.skill), then, latest, *targets, escape_html(s.chosen_option or s.approach)])
        out.append(_stacking_table("cc-glance-skills", SKILL_COLUMNS, rows))
    else:
        out.append('<p class="cc-empty">none recorded</p>')
    out.append("<h3>Action plan</h3>")
    items = list(plan.items) + list(plan.carried_over)
    if items:
        rows = []
        for it in items:
            carried = (f' <span class="cc-muted">(carried over from {escape(human_date(it.conversation_date))})</span>'
                       if it.carried_over else "")
            overdue = ' <span class="cc-pill cc-pill-warn">overdue</span>' if it.is_overdue(today) else ""
            rows.append([f"{escape_html(it.text)}{carried}", f"{escape(human_date(it.due))}{overdue}",
                         escape_html(it.owner), item_status_html(it), item_note_html(it)])
        out.append(_stacking_table("cc-glance-items", ITEM_COLUMNS, rows))
    else:
        out.append('<p class="cc-empty">no action items were agreed</p>')
    out.append("</div>")
    return "".join(out)


def last_rating_text(skill: str, plan: PreviousPlan, latest: Mapping[str, RatingPoint]) -> str:
    """One line on a skill rated before: its latest rating and, if it was in the last plan, its targets.

    Parameters
    ----------
    skill
        The skill's name (case and spacing ignored).
    plan
        The previous plan (:func:`careerconv.rules.followup.previous_plan`).
    latest
        :func:`careerconv.rules.followup.latest_ratings` of the records before this conversation.

    Returns
    -------
    str
        E.g. "Last rated 5 on 15 Apr 2026 (a check-in); in the plan of 2 Mar 2026: 4 then, targets 5 / 6 / 7";
        "" for a skill never rated.
    """
    key = schema.skill_key(skill)
    point = next((p for name, p in latest.items() if schema.skill_key(name) == key), None)
    state = next((s for s in plan.skills if schema.skill_key(s.skill) == key), None)
    parts = []
    if point is not None and point.self_rating is not None:
        source = "a check-in" if point.source == "checkin" else "a career conversation"
        parts.append(f"Last rated {point.self_rating} on {human_date(point.date)} ({source})")
    if state is not None:
        targets = " / ".join("–" if state.targets.get(h) is None else str(state.targets[h]) for h in schema.HORIZONS)
        then = f"{state.baseline} then, " if state.baseline is not None else ""
        parts.append(f"in the plan of {human_date(plan.date)}: {then}targets {targets} at "
                     f"{' / '.join(str(h) for h in schema.HORIZONS)} months")
    return "; ".join(parts)
