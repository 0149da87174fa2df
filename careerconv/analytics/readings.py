"""One-line readings.

Each table's numbers in one sentence (``describe_*``), the suppression summary and their HTML. Every
department, skill and coach a sentence names is put in with
:func:`careerconv.records.text_direction.isolated`, so a right-to-left name does not pull the numbers and
punctuation beside it into its run wherever the sentence is shown (the page, an image's alt text); a
sentence without a right-to-left character is unchanged.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

import pandas as pd

from careerconv.records.schema import COACH_ID, HORIZON_MONTHS, SKILL
from careerconv.records.text_direction import isolated
from careerconv.records.words import word_list
from careerconv.records.numbers import one_decimal, percent, rating_text
from careerconv.rules import privacy
from .constants import (AS_OF_ITEM, BANDS, DEPARTMENT, DISTRIBUTION_BARS, LEFT_OUT_ITEM, DATED_ITEM, N, TABLE_TITLES,
                        TREND_LINES)
from .presentation import about_items, present, whole_share_texts
from .coarsening import Grouping, skill_view
from .quarters import period_label, quarter_label


def _visible(frame: pd.DataFrame, total: bool | None = None) -> pd.DataFrame:
    data = frame[privacy.shown(frame)]
    if total is not None and DEPARTMENT in data.columns:
        data = data[data[DEPARTMENT].isna() == total]
    return data


def _nothing(frame: pd.DataFrame, what: str, why_empty: str | None = None) -> str:
    """Why a section shows nothing: ``why_empty`` (what an empty table means for it) when there are no figures
    at all, else the privacy rules."""
    k = _k_of(frame)
    if frame.empty and why_empty is not None:
        return f"Nothing to show for {what}: {why_empty}."
    if frame.empty and SKILL in frame.columns:
        return (f"Nothing to show for {what}: no skill was rated by at least {k} employees in this period and "
                "selection (skills named by fewer people are never listed).")
    if frame.empty:
        return f"No data for {what} in this period and selection."
    if DEPARTMENT in frame.columns and privacy.shown(frame).any():
        # only the total across all departments is hidden (found: "Nothing can be shown ..." above a shown row)
        totals = frame.loc[frame[DEPARTMENT].isna() & ~privacy.shown(frame), privacy.PRIVACY]
        text = (f"The figures for {what} across all departments are not shown ({_hidden_as(totals, k)}); those "
                "of the departments that can be shown are below.")
        period = int((totals == privacy.HIDDEN_BY_PERIOD).sum())
        return text + (" " + _period_hides(period, k) if period else "")
    labels = frame[privacy.PRIVACY].astype(str)
    small = labels.str.startswith("fewer than")
    if small.all():
        reason = f"every group has fewer than {k} employees"
    elif not small.any():
        reason = f"no group has fewer than {k} employees, but each is {privacy.hidden_so_that(k)}"
    else:
        reason = f"every group has fewer than {k} employees or is {privacy.hidden_so_that(k)}"
    text = f"Nothing can be shown for {what}: {reason}."
    period = int((frame[privacy.PRIVACY] == privacy.HIDDEN_BY_PERIOD).sum()) if privacy.PRIVACY in frame else 0
    return text + (" " + _period_hides(period, k) if period else "")


def _hidden_as(labels: pd.Series, k: int) -> str:
    """Why the rows with these privacy labels are hidden, as a clause: "they count fewer than 5 employees", "they are
    hidden so that ...", or both."""
    small = labels.astype(str).str.startswith("fewer than")
    if len(labels) and small.all():
        return f"they count fewer than {k} employees"
    return ("they count fewer than {k} employees or are " if small.any() else "they are ").format(k=k) \
        + privacy.hidden_so_that(k)


def _k_of(frame: pd.DataFrame) -> int:
    if "k" in frame.attrs:
        return int(frame.attrs["k"])
    labels = frame[privacy.PRIVACY].astype(str) if privacy.PRIVACY in frame.columns else pd.Series([], dtype=str)
    found = labels.str.extract(r"fewer than (\d+)")[0].dropna()
    return int(found.iloc[0]) if len(found) else privacy.DEFAULT_K


def _pct(value: float) -> str:
    return percent(value)


def describe_overview(table: pd.DataFrame) -> str:
    """One sentence on who the report covers."""
    org = _visible(table, total=True)
    if org.empty:
        return _nothing(table, "the people covered")
    row = org.iloc[0]
    return (f"{int(row[N]):,} employees are covered; {_pct(row['share_met'])} of them had a career conversation in "
            f"the period ({int(row['conversations']):,} conversations and {int(row['checkins']):,} check-ins).")


def describe_skill_trends(table: pd.DataFrame) -> str:
    """One sentence on how the median ratings moved from the first to the last quarter shown."""
    data = _visible(table, total=True)
    if data.empty:
        return _nothing(table, "skill rating trends")
    first_q, last_q = data["quarter"].min(), data["quarter"].max()
    if first_q == last_q:
        top = data.sort_values([N, SKILL], ascending=[False, True]).iloc[0]
        return (f"In {quarter_label(first_q)} the median {isolated(top['skill'])} rating was "
                f"{rating_text(top['median'])} "
                f"({int(top[N]):,} employees rated it); one quarter shows no trend yet.")
    start = data[data["quarter"] == first_q].set_index(SKILL)["median"]
    end = data[data["quarter"] == last_q].set_index(SKILL)["median"]
    both = pd.DataFrame({"start": start, "end": end}).dropna()
    span = f"between {quarter_label(first_q)} and {quarter_label(last_q)}"
    if both.empty:
        top = data.sort_values([N, SKILL], ascending=[False, True]).iloc[0]
        return (f"Most rated: {isolated(top['skill'])}; no skill is shown in both {quarter_label(first_q)} and "
                f"{quarter_label(last_q)}.")
    change = (both["end"] - both["start"]).sort_values(kind="stable")
    rose, fell = int((change > 0).sum()), int((change < 0).sum())
    best = change.index[-1]
    text = f"The median rating rose for {rose} of {len(both)} skills {span}"
    if change.iloc[-1] > 0:
        text += (f", most for {isolated(best)} (from {rating_text(both.loc[best, 'start'])} to "
                 f"{rating_text(both.loc[best, 'end'])})")
    if fell:
        worst = change.index[0]
        text += (f"; it fell for {fell}, most for {isolated(worst)} (from {rating_text(both.loc[worst, 'start'])} to "
                 f"{rating_text(both.loc[worst, 'end'])})")
    return text + "."


def describe_grouping(grouping: Grouping) -> str:
    """One sentence on the trend chart of a :func:`readable_grouping`, in its own periods, with group sizes.

    Says how the figures are grouped when they are coarser than quarters by skill, then how the median
    moved between the first and the last period each line shows (only lines shown in both).
    """
    figures = grouping.figures
    data = figures[privacy.shown(figures)]
    org = data[data[DEPARTMENT].isna()].assign(skill=lambda f: f[SKILL].fillna("all skills"))
    dept = data[data[DEPARTMENT].notna()]
    note = f"{grouping.note} " if grouping.note else ""
    if org.empty and dept.empty:
        return note + _nothing(figures, "rating trends")
    if org.empty:  # department rows
        return note + _describe_department_chart(grouping, dept)
    moves = []
    for skill, rows in org.groupby(SKILL, sort=True):
        rows = rows.sort_values("bucket")
        if len(rows) < 2:
            continue
        a, b = rows.iloc[0], rows.iloc[-1]
        moves.append((float(b["median"]) - float(a["median"]), skill, a, b))
    if not moves:
        return note + "No line is shown in two periods, so no change can be read yet."
    moves.sort(key=lambda m: (m[0], m[1]))
    if len(moves) == 1:  # one line: its own move, not a count of one
        change, skill, a, b = moves[0]
        verb = "rose" if change > 0 else "fell" if change < 0 else "stayed"
        where = (f"from {rating_text(a['median'])} in {period_label(a['bucket'], a['until'])} (n={int(a[N])}) to "
                 f"{rating_text(b['median'])} in {period_label(b['bucket'], b['until'])} (n={int(b[N])})")
        if verb == "stayed":
            where = (f"at {rating_text(a['median'])} from {period_label(a['bucket'], a['until'])} (n={int(a[N])}) to "
                     f"{period_label(b['bucket'], b['until'])} (n={int(b[N])})")
        return note + f"The median rating of {isolated(skill)} {verb} {where}{_breaks(org, skill, a, b)}."
    rose = sum(1 for m in moves if m[0] > 0)
    fell = sum(1 for m in moves if m[0] < 0)
    # The chart draws the TREND_LINES skills rated by the most employees: the largest move named is one of those.
    drawn = set(top_skills(org.assign(skill=org[SKILL].where(org[SKILL] != "all skills")), TREND_LINES))
    lines = [m for m in moves if m[1] in drawn] or moves
    change, skill, a, b = lines[-1] if lines[-1][0] > 0 else lines[0]
    drawn_only = "" if len(lines) == len(moves) else \
        f"of the {len(lines)} drawn (those rated by the most employees), "
    text = (f"Between each line's first and last period shown, the median rose for {rose} and fell for {fell} of "
            f"{len(moves)} skills; {drawn_only}the largest move: {isolated(skill)}, from {rating_text(a['median'])} "
            f"in {period_label(a['bucket'], a['until'])} "
            f"(n={int(a[N])}) to {rating_text(b['median'])} in {period_label(b['bucket'], b['until'])} (n={int(b[N])})")
    return note + text + _breaks(org, skill, a, b) + "."


def _breaks(org: pd.DataFrame, skill: str, a: pd.Series, b: pd.Series) -> str:
    """Where the chart breaks the line of ``skill`` between its shown periods ``a`` and ``b`` (a period hidden,
    or with nobody rating it: the line is not drawn across it), as a clause to follow a move read from ``a`` to
    ``b`` ("; 2025 Q3 between them is not shown, so the line breaks there"); "" when the line runs unbroken."""
    line = org[(org[SKILL] == skill) & privacy.shown(org)].sort_values("bucket")
    line = line[(line["bucket"] >= a["bucket"]) & (line["bucket"] <= b["bucket"])]
    gaps = [period_label(until, start) for until, start in zip(line["until"].iloc[:-1], line["bucket"].iloc[1:])
            if pd.Timestamp(until) < pd.Timestamp(start)]
    if not gaps:
        return ""
    which = f"{gaps[0]} between them is" if len(gaps) == 1 else f"{_first_three(gaps)} between them are"
    return f"; {which} not shown, so the line breaks {'there' if len(gaps) == 1 else 'at each'}"


def department_chart_skill(figures: pd.DataFrame, per_skill: bool) -> str | None:
    """The skill the department chart draws: the most-rated shown skill of ``figures`` (a Grouping's department
    rows) when ``per_skill``; None over all skills, or when no skill can be shown. Its reading describes the same
    one (:func:`describe_grouping`)."""
    if not per_skill:
        return None
    skills = top_skills(figures, 1)
    return skills[0] if skills else None


def _describe_department_chart(grouping: Grouping, shown: pd.DataFrame) -> str:
    """The department chart's reading: the departments' medians in the latest period the chart shows of the skill
    it draws (:func:`department_chart_skill`; over all skills where the figures are), with group sizes."""
    skill = department_chart_skill(grouping.figures, grouping.per_skill)
    drawn = shown[shown[SKILL] == skill] if skill is not None else shown[shown[SKILL].isna()]
    what = f"{isolated(skill)} rating" if skill is not None else "rating over all skills"
    if drawn.empty:
        return _nothing(grouping.figures, "department trends")
    last = drawn["bucket"].max()
    latest = drawn[drawn["bucket"] == last].sort_values(["median", DEPARTMENT], ascending=[False, True])
    when = period_label(last, latest["until"].iloc[0])
    if len(latest) == 1:
        r = latest.iloc[0]
        return (f"In {when} only {isolated(r[DEPARTMENT])} can be shown: its median {what} is "
                f"{rating_text(r['median'])} (n={int(r[N])}).")
    return f"In {when} the median {what} {_department_range(latest, sizes=True)}."


def describe_rating_periods(table: pd.DataFrame) -> str:
    """One sentence on how many figures each coarser grouping of the ratings can show."""
    if table.empty:
        return _nothing(table, "ratings by period")
    parts = []
    for (grain, all_skills), rows in table.groupby(["grain", table[SKILL].isna()], sort=False):
        what = "over all skills" if all_skills else "per skill"
        parts.append(f"by {grain} {what}, {int(privacy.shown(rows).sum()):,} of {len(rows):,}")
    return "Figures shown " + word_list(parts) + "."


def describe_department_trends(table: pd.DataFrame) -> str:
    """One sentence comparing departments on the most-rated skill in the latest quarter shown."""
    data = _visible(table, total=False)
    if data.empty:
        return _nothing(table, "department trends")
    last_q = data["quarter"].max()
    latest = data[data["quarter"] == last_q]
    skill = latest.groupby(SKILL)[N].sum().sort_values(ascending=False, kind="stable").index[0]
    rows = latest[latest[SKILL] == skill].sort_values(["median", DEPARTMENT], ascending=[False, True])
    hidden = int((~privacy.shown(table)).sum())
    tail = f" {hidden:,} of {len(table):,} department figures are hidden to protect small groups." if hidden else ""
    if len(rows) == 1:
        r = rows.iloc[0]
        return (f"In {quarter_label(last_q)} only {isolated(r[DEPARTMENT])} can be shown for {isolated(skill)}: median "
                f"{rating_text(r['median'])}.{tail}")
    return f"In {quarter_label(last_q)} the median {isolated(skill)} rating {_department_range(rows)}.{tail}"


def _department_range(rows: pd.DataFrame, *, sizes: bool = False) -> str:
    """"ranged from 6.7 in People (n=27) to 7 in Sales (n=47)" over departments' ``median``s (two or more
    rows), naming every department at either end ("in Design and People"; the first three by name and how many
    more), or "was 7 in all 5 departments shown" when they are alike."""
    low, top = rows["median"].min(), rows["median"].max()
    if low == top:
        return f"was {rating_text(low)} in all {len(rows)} departments shown"

    def at(median: float) -> str:
        found = rows[rows["median"] == median].sort_values(DEPARTMENT)
        if len(found) == 1:
            row = found.iloc[0]
            return f"{isolated(row[DEPARTMENT])}" + (f" (n={int(row[N])})" if sizes else "")
        return _first_three([isolated(name) for name in found[DEPARTMENT]], "departments")

    return f"ranged from {rating_text(low)} in {at(low)} to {rating_text(top)} in {at(top)}"


def _first_three(names: list[str], noun: str = "") -> str:
    """"A, B and C", or "A, B, C and 2 more" (and ``noun``)."""
    if len(names) <= 3:
        return word_list(names)
    return ", ".join(names[:3]) + f" and {len(names) - 3} more" + (f" {noun}" if noun else "")


def _skills_at(ranked: pd.DataFrame, median: float) -> str:
    """"for <skill> (median m, n=k)", or, where several skills share that median, "(median m) for 3 skills: A, B
    and C" (the first three by name, and how many more)."""
    at = ranked[ranked["median"] == median].sort_values(SKILL)
    if len(at) == 1:
        return f"for {isolated(at.iloc[0][SKILL])} (median {rating_text(median)}, n={int(at.iloc[0][N])})"
    return f"(median {rating_text(median)}) for {len(at)} skills: {_first_three([isolated(n) for n in at[SKILL]])}"


def distribution_skills(table: pd.DataFrame) -> pd.DataFrame:
    """The skills the distribution chart draws: the organisation's shown total rows (no band) of the
    :data:`DISTRIBUTION_BARS` skills rated by the most employees, most first (then by name)."""
    org = table[table[DEPARTMENT].isna()] if DEPARTMENT in table.columns else table
    totals = org[org["band"].isna() & privacy.shown(org) & org[SKILL].notna()]
    return totals.sort_values([N, SKILL], ascending=[False, True]).head(DISTRIBUTION_BARS)


def describe_rating_distribution(table: pd.DataFrame) -> str:
    """One sentence on where current ratings sit, among the skills the chart draws (:func:`distribution_skills`)."""
    totals = _visible(table, total=True)
    totals = totals[totals["band"].isna()]
    if totals.empty:
        return _nothing(table, "the rating distribution")
    ranked = distribution_skills(table).sort_values(["median", SKILL], ascending=[False, True])
    top, low = ranked.iloc[0], ranked.iloc[-1]
    high_band = _visible(table, total=True)
    high_band = high_band[(high_band["band"] == BANDS[-1][0]) & high_band[SKILL].isin(ranked[SKILL])]
    which = f"{len(ranked)} skills shown" if len(ranked) == len(totals) else \
        f"{len(ranked)} skills drawn (the most rated of the {len(totals)} shown)"
    if len(ranked) == 1:
        text = (f"{isolated(top['skill'])} is the one skill shown: median current rating {rating_text(top['median'])} "
                f"(n={int(top[N])})")
    elif top["median"] == low["median"]:
        text = f"The {which} all have a median current rating of {rating_text(top['median'])}"
    else:  # among the skills shown (a skill hidden for too few people is not ranked); ties named as ties
        text = (f"Among the {which}, current ratings are highest "
                f"{_skills_at(ranked, top['median'])}, and lowest {_skills_at(ranked, low['median'])}")
    if len(high_band):
        share = float(high_band[N].sum()) / float(totals.set_index(SKILL).loc[high_band[SKILL], N].sum())
        text += f"; {_pct(share)} of their ratings are {BANDS[-1][0]}"
    return text + "."


# Why the tables measured from the targets are empty: the first targets come to their date 6 months after a
# conversation, so a short or recent period has none (and not for want of ratings).
_NO_TARGET_DUE = ("no target set in this period's conversations has come to its date by the day this report is "
                  "as of")


def describe_skill_growth(table: pd.DataFrame, horizon: int | None = None) -> str:
    """One sentence on how much ratings rose after 6, 12 and 18 months; the skills are compared at ``horizon``
    (the one the chart shows), else at the first horizon with figures."""
    data = _visible(table, total=True)
    data = data[data[SKILL].isna()].sort_values(HORIZON_MONTHS)
    if data.empty:
        return _nothing(table, "growth per skill", _NO_TARGET_DUE + ", or none of those was measured")
    parts = [f"{one_decimal(r['mean_growth'])} points after {int(r['horizon_months'])} months (n={int(r[N]):,})"
             for _, r in data.iterrows()]
    first = data.iloc[0]
    text = (f"On average ratings rose by {word_list(parts)} ({_pct(first['share_improved'])} of the employees measured "
            f"at {int(first['horizon_months'])} months improved)")
    skills = _visible(table, total=True)
    skills = skills[skills[SKILL].notna()]
    at = horizon if horizon is not None and (skills[HORIZON_MONTHS] == horizon).any() else first[HORIZON_MONTHS]
    per_skill = skills[skills[HORIZON_MONTHS] == at]
    if len(per_skill) > 1:
        best = per_skill.sort_values(["mean_growth", SKILL], ascending=[False, True]).iloc[0]
        growth = one_decimal(best["mean_growth"], signed=True)
        text += f"; fastest growth at {int(at)} months: {isolated(best['skill'])} ({growth})"
    return text + "."


def describe_target_attainment(table: pd.DataFrame) -> str:
    """One sentence on the targets due at each horizon: how many were reached, missed, not measured yet (their
    measurement window still open) and not measured."""
    data = _visible(table, total=True).sort_values(HORIZON_MONTHS)
    data = data[data["share_reached"].notna()]
    if data.empty:
        return _nothing(table, "target attainment", _NO_TARGET_DUE)
    def due(r: pd.Series) -> str:
        part = whole_share_texts("target_attainment", r)  # adding up to 100%, as in the table and the chart
        return word_list([f"{part['share_reached']} of the {int(r['targets_due']):,} {int(r['horizon_months'])}-month "
                          f"targets due were reached", f"{part['share_not_reached']} were not",
                          *([f"{part['share_window_open']} are not measured yet"] if r["targets_window_open"] else []),
                          f"{part['share_not_measured']} were not measured"]) + f" ({int(r[N]):,} employees)"

    parts = [due(r) for _, r in data.iterrows()]
    return _capital("; ".join(parts)) + "."


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def describe_most_wanted_skills(table: pd.DataFrame) -> str:
    """One sentence naming the most-wanted skills."""
    data = _visible(table, total=True)
    if data.empty:
        return _nothing(table, "most-wanted skills")
    ranked = data[data[SKILL].notna()].sort_values([N, SKILL], ascending=[False, True])
    if ranked.empty:  # only the row for any skill can be shown
        row = data.iloc[0]
        # Why is said before it (the note of skill_view: every figure by skill would be hidden).
        return (f"No skill can be named as most wanted; {int(row[N]):,} employees chose at least one skill to "
                f"work on ({_pct(row['share_of_people_met'])} of those who had a conversation), "
                f"{rating_text(row['skills_per_person'])} different skills each on average.")
    top = ranked.iloc[0]
    # A skill hidden (to protect a smaller group) may be wanted by more: the ranking is of the skills shown.
    whole = table[table[SKILL].notna() & table[DEPARTMENT].isna()] if DEPARTMENT in table.columns else table
    among = "Of the skills that can be shown, the most-wanted" if (~privacy.shown(whole)).any() else \
        "The most-wanted skill"
    text = (f"{among} is {isolated(top['skill'])}, worked on by {int(top[N]):,} employees "
            f"({_pct(top['share_of_people_met'])} of those who had a conversation)")
    if len(ranked) > 1:
        others = [f"{isolated(r['skill'])} ({int(r[N]):,})" for _, r in ranked.iloc[1:3].iterrows()]
        text += f", followed by {word_list(others)}"
    return text + "."


def describe_rating_gaps(table: pd.DataFrame) -> str:
    """One sentence on how self ratings compare with coach ratings."""
    data = _visible(table, total=True)
    overall = data[data[SKILL].isna()]
    if overall.empty:
        return _nothing(table, "self versus coach ratings")
    row = overall.iloc[0]
    side = "above" if row["mean_gap"] >= 0 else "below"
    per_skill = data[data[SKILL].notna()]
    # Over all skills a person is counted by the mean of their gaps (careerconv.analytics.pandas_reference: per
    # employee, then higher when above 0), so many more are "higher" there than in any one skill, where a person
    # agreeing with their coach counts as neither: said, or 90% beside 63-66% per skill reads as an error.
    text = (f"On average the {int(row[N]):,} employees with both ratings rate themselves "
            f"{one_decimal(abs(row['mean_gap']))} points {side} their coach; taking each person's mean over their "
            f"skills, {_pct(row['share_self_higher'])} rate themselves higher and {_pct(row['share_self_lower'])} "
            "lower")
    if len(per_skill):
        low, high = (_pct(share) for share in (per_skill["share_self_higher"].min(),
                                               per_skill["share_self_higher"].max()))
        where = f"in {isolated(per_skill[SKILL].iloc[0])} alone" if len(per_skill) == 1 else "in any one skill"
        text += f" ({where}, {low if low == high else f'{low} to {high}'} rate themselves higher)"
    if len(per_skill) > 1:
        text += "; " + _gap_range(per_skill)
    return text + "."


def _gap_range(per_skill: pd.DataFrame) -> str:
    """How far apart the skills' mean gaps are, compared as the page prints them (one decimal, signed): "per skill
    the mean gap runs from +0.4 in Negotiation, Public speaking and Python to +0.5 in 13 skills", or "the mean gap
    is +0.5 in each of the 16 skills" where they all print alike (+0.46 is not wider than +0.45 to a reader)."""
    printed = per_skill.assign(_text=per_skill["mean_gap"].map(lambda gap: one_decimal(gap, signed=True)))
    printed = printed.assign(_value=printed["_text"].astype(float))
    if printed["_value"].nunique() == 1:
        return f"the mean gap is {printed['_text'].iloc[0]} in each of the {len(printed)} skills"

    def at(value: float) -> str:
        names = sorted(printed.loc[printed["_value"] == value, SKILL])
        text = printed.loc[printed["_value"] == value, "_text"].iloc[0]
        return f"{text} in " + (word_list([isolated(n) for n in names]) if len(names) <= 3 else f"{len(names)} skills")

    return f"per skill the mean gap runs from {at(printed['_value'].min())} to {at(printed['_value'].max())}"


def describe_cadence_compliance(table: pd.DataFrame) -> str:
    """One sentence on how many people are overdue for a conversation or a follow-up."""
    org = _visible(table, total=True)
    if org.empty:
        return _nothing(table, "conversations and follow-ups on time")
    row = org.iloc[0]
    text = (f"{_pct(row['share_any_overdue'])} of employees are overdue for a career conversation or a follow-up "
            f"({_pct(row['share_conversation_overdue'])} for a conversation, {_pct(row['share_checkin_overdue'])} "
            f"for a follow-up; {_pct(row['share_never_met'])} never had one)")
    depts = _visible(table, total=False).sort_values(["share_any_overdue", DEPARTMENT], ascending=[False, True])
    if len(depts) > 1:
        text += f"; most in {isolated(depts.iloc[0][DEPARTMENT])} ({_pct(depts.iloc[0]['share_any_overdue'])})"
    return text + "."


def describe_on_time(hr: Mapping[str, pd.DataFrame]) -> str:
    """The reading of the section on conversations and follow-ups on time (:func:`describe_cadence_compliance`)
    and, where "Who is covered" counts more people than it does, one sentence saying why, with both numbers.

    "Who is covered" counts everyone here on some day of the period; who is due (this section, and each coach's
    follow-through) counts those still here on the as-of day, so someone who left in the period is in the first
    and not in the second. The sentence is left out where either total is hidden (it would tell what the page
    hides) or where the two agree.

    Parameters
    ----------
    hr
        The tables of :func:`hr_aggregates` (``about``, ``overview`` and ``cadence_compliance`` are read).
    """
    return " ".join(t for t in (describe_cadence_compliance(hr["cadence_compliance"]), who_is_due(hr)) if t)


def who_is_due(hr: Mapping[str, pd.DataFrame]) -> str:
    """Why the section on conversations and follow-ups on time counts fewer people than "Who is covered", with both
    numbers ("" where they agree or either total is hidden; see :func:`describe_on_time`). The HR page shows it
    under that section's table also when its charts and readings could not be made."""
    covered, due = (_visible(hr[name], total=True)[N] for name in ("overview", "cadence_compliance"))
    if covered.empty or due.empty or int(covered.iloc[0]) <= int(due.iloc[0]):
        return ""
    n_covered, n_due = int(covered.iloc[0]), int(due.iloc[0])
    day = about_items(hr["about"]).get(AS_OF_ITEM, "the as-of day")
    return (f"These figures count the {n_due:,} employees still here on {day}; \"Who is covered\" counts "
            f"{n_covered:,}, everyone here on some day of the period, {n_covered - n_due:,} of whom had left by then.")


def describe_coach_follow_through(table: pd.DataFrame) -> str:
    """One sentence on how many coaches' teams can be shown and how far apart they are."""
    data = _visible(table)
    overall = data[data[COACH_ID].isna()]
    teams = data[data[COACH_ID].notna()]
    hidden_teams = table.loc[~privacy.shown(table) & table[COACH_ID].notna(), privacy.PRIVACY]
    hidden = len(hidden_teams)
    if overall.empty and teams.empty:
        return _nothing(table, "follow-through per coach")
    text = ""
    if len(overall):
        row = overall.iloc[0]
        text = (f"Across all coaches, {_pct(row['share_conversation_on_time'])} of employees are on time for their "
                f"career conversation and {_pct(row['share_checkin_on_time'])} for their follow-up "
                f"({int(row[N]):,} employees)")
    if len(teams) > 1:
        ranked = teams.sort_values(["share_conversation_on_time", COACH_ID], ascending=[False, True])
        top, low = ranked.iloc[0], ranked.iloc[-1]
        text += (f"; by team, conversations on time range from {_pct(low['share_conversation_on_time'])} "
                 f"({isolated(low[COACH_ID])}, {int(low[N])} people) to {_pct(top['share_conversation_on_time'])} "
                 f"({isolated(top[COACH_ID])}, {int(top[N])} people)")
    elif len(teams) == 1:
        text += f"; one team can be shown: {isolated(teams.iloc[0][COACH_ID])} ({int(teams.iloc[0][N])} people)"
    if hidden:
        teams_are = "1 team is" if hidden == 1 else f"{hidden} teams are"
        text += f"; {teams_are} not shown ({privacy.why_hidden(hidden_teams, _k_of(table))})"
    return _capital(text.lstrip("; ")) + "."


def describe_action_items(table: pd.DataFrame) -> str:
    """One sentence on the state of the action items agreed in the period."""
    org = _visible(table, total=True)
    if org.empty:
        return _nothing(table, "action items")
    row = org.iloc[0]
    part = whole_share_texts("action_items", row)  # adding up to 100%, as in the table and the chart
    # Shares of each person's items, averaged over the people; past due counts the items not done yet (open or in
    # progress: careerconv.rules.followup.OPEN_STATUSES) after their due date.
    return (f"Of the {int(row['items']):,} action items agreed in the period, the average person has "
            f"{part['share_done']} done, {part['share_in_progress']} in progress, "
            f"{part['share_open']} open and {part['share_dropped']} dropped; "
            f"{_pct(row['share_open_past_due'])} are open or in progress past their due date.")


def describe_option_kinds(table: pd.DataFrame) -> str:
    """One sentence comparing the kinds of chosen options, at the horizon where most kinds can be shown."""
    data = _visible(table, total=True)
    if data.empty:
        return _nothing(table, "kinds of development actions",
                        _NO_TARGET_DUE + ", or none of those with a chosen option was measured")
    per_horizon = data.groupby(HORIZON_MONTHS).size()
    horizon = int(per_horizon.sort_values(ascending=False, kind="stable").index[0])
    at = data[data[HORIZON_MONTHS] == horizon].sort_values(["mean_gain", "kind"], ascending=[False, True])

    def gain(row: pd.Series) -> str:
        return f"{one_decimal(row['mean_gain'], signed=True)} points, n={int(row[N]):,}"

    best = at.iloc[0]
    if len(at) == 1:
        # The other kinds at that horizon are hidden for the reasons their labels give (found: "too few employees"
        # beside a coverage table counting none too few and every one hidden for another report's sake).
        every = table[(table[HORIZON_MONTHS] == horizon) & (table[DEPARTMENT].isna() if DEPARTMENT in table.columns
                                                             else True)]
        hidden = every["kind"].nunique() - 1
        why = privacy.why_hidden(every.loc[~privacy.shown(every), privacy.PRIVACY], _k_of(table))
        text = (f"{horizon} months on, only plans built on {_kind(best['kind'])} can be shown ({gain(best)})"
                + (f"; the figures of the {hidden} other kind{'s' if hidden != 1 else ''} are not shown ({why})"
                   if hidden > 0 else ""))
    else:
        low = at.iloc[-1]
        text = (f"{horizon} months on, plans built on {_kind(best['kind'])} gained the most ({gain(best)}) and "
                f"those built on {_kind(low['kind'])} the least ({gain(low)}), of {len(at)} kinds shown")
    others = [f"{int(h)} months: {int(n)} kind{'s' if n != 1 else ''}" for h, n in per_horizon.items() if h != horizon]
    if others:
        text += f" (also shown at {word_list(others)})"
    return text + "; this shows association, not cause."


def _kind(kind: str) -> str:
    return _KIND_WORDS.get(kind, kind)


_KIND_WORDS = {"course": "courses", "stretch project": "stretch projects", "conference": "conferences",
               "certification": "certifications", "other": "other actions"}


_DESCRIBERS = {
    "overview": describe_overview, "skill_trends": describe_skill_trends,
    "department_trends": describe_department_trends, "rating_periods": describe_rating_periods,
    "rating_distribution": describe_rating_distribution,
    "skill_growth": describe_skill_growth, "target_attainment": describe_target_attainment,
    "most_wanted_skills": describe_most_wanted_skills, "rating_gaps": describe_rating_gaps,
    "cadence_compliance": describe_cadence_compliance, "coach_follow_through": describe_coach_follow_through,
    "action_items": describe_action_items,
    "option_kinds": describe_option_kinds,
}


def describe(name: str, table: pd.DataFrame) -> str:
    """The one-line reading of any table of :func:`hr_aggregates` by name.

    Raises
    ------
    ValueError
        For an unknown table name.
    """
    if name not in _DESCRIBERS:
        raise ValueError(f"unknown table {name!r}; tables are: {', '.join(_DESCRIBERS)}")
    return _DESCRIBERS[name](table)


def describe_skill_view(name: str, table: pd.DataFrame, *, horizon: int | None = None) -> str:
    """The reading of a table by skill, led by what :func:`skill_view` coarsened ("" when it is per skill)."""
    note = skill_view(name, table, horizon=horizon).note
    # The growth chart shows one horizon: the reading compares the skills at that one.
    reading = describe_skill_growth(table, horizon) if name == "skill_growth" else describe(name, table)
    return " ".join(text for text in (note, reading) if text)


def suppression_summary(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """How many figures each table shows and hides.

    Returns
    -------
    pandas.DataFrame
        Columns ``table``, ``figures``, ``shown``, ``fewer_than_k``,
        ``not_shown`` (hidden so that the totals or another report
        cannot single out fewer than k) and ``not_shown_period`` (hidden only because a report of
        a period sharing one edge with this one's would single out fewer than
        k employees: :data:`careerconv.rules.privacy.HIDDEN_BY_PERIOD`), one
        row per table of :data:`TABLE_TITLES`.
    """
    rows = []
    for name, title in TABLE_TITLES.items():
        frame = tables.get(name)
        if frame is None:
            continue
        labels = frame[privacy.PRIVACY].astype(str)
        rows.append({"table": title, "figures": len(frame), "shown": int((labels == "").sum()),
                     "fewer_than_k": int(labels.str.startswith("fewer than").sum()),
                     "not_shown": int((labels == privacy.HIDDEN).sum()),
                     "not_shown_period": int((labels == privacy.HIDDEN_BY_PERIOD).sum())})
    return pd.DataFrame(rows, columns=["table", "figures", "shown", "fewer_than_k", "not_shown", "not_shown_period"])


def suppression_html(summary: pd.DataFrame, k: int, *, caption: str | None = None) -> str:
    """The :func:`suppression_summary` table as HTML with plain headers (every cell escaped), named by
    ``caption`` (see :func:`present_html`) when one is given."""
    shown = summary.rename(columns={"table": "Table", "figures": "Figures", "shown": "Shown",
                                    "fewer_than_k": f"Fewer than {k} employees",
                                    "not_shown": "Hidden: the totals or another report would single out a few",
                                    "not_shown_period": "Hidden: another period would single out a few"})
    if not summary["not_shown_period"].any():  # the default period: rule 2c hides nothing
        shown = shown.drop(columns="Hidden: another period would single out a few")
    return _captioned(shown.to_html(index=False, escape=True, border=0, classes="hr-table"), caption)


def describe_suppression(summary: pd.DataFrame, k: int) -> str:
    """One sentence on what privacy suppression hid in the whole report."""
    figures, shown_n = int(summary["figures"].sum()), int(summary["shown"].sum())
    small, other = int(summary["fewer_than_k"].sum()), int(summary["not_shown"].sum())
    period = int(summary["not_shown_period"].sum()) if "not_shown_period" in summary.columns else 0
    if figures == 0:
        return "There is no data to show for this period and selection."
    if shown_n == figures:
        return f"All {figures:,} figures concern at least {k} employees, so none had to be hidden."
    text = (f"{shown_n:,} of {figures:,} figures are shown; {small:,} concern fewer than {k} employees and "
            f"{other:,} more are hidden so that those cannot be worked out from totals or by comparing reports.")
    if period:
        text += " " + _period_hides(period, k)
    return text


def _period_hides(n: int, k: int) -> str:
    """Why ``n`` figures read "not shown (period)" (:data:`careerconv.rules.privacy.HIDDEN_BY_PERIOD`)."""
    return (f"{n:,} figure{' reads' if n == 1 else 's read'} \"{privacy.HIDDEN_BY_PERIOD}\": the same figure for a "
            "period with the same start or the same end but another quarter at the other edge differs from this one "
            f"by fewer than {k} employees, who could be singled out by comparing the two. Of two such reports, one "
            "of the default period (the two years up to the day it is as of) keeps its figures, unless the records "
            "cover less than two years.")


def describe_as_of(about: pd.DataFrame, counted: str) -> str:
    """What a section counts on the day the report is as of, the day named: ``describe_as_of(about, "Counting the
    targets due by")`` is "Counting the targets due by 30 Sep 2026, the day this report is as of." (the same
    day, and the same name for it, as :func:`describe_about`)."""
    return f"{counted} {about_items(about).get(AS_OF_ITEM, '?')}, the day this report is as of."


def describe_about(about: pd.DataFrame) -> str:
    """One sentence saying what the report covers (from the ``about`` table), its days as the reports write them
    (``as of 30 Sep 2026``)."""
    items = about_items(about)
    departments = items.get("departments", "all")
    # The table joins the names with ", " (aggregates.about); each name is isolated on its own.
    who = ("all departments" if departments == "all"
           else "these departments: " + ", ".join(isolated(name) for name in departments.split(", ")))
    k = items.get("minimum group size", privacy.DEFAULT_K)
    as_of, dated = items.get(AS_OF_ITEM, "?"), items.get(DATED_ITEM, items.get(AS_OF_ITEM, "?"))
    # The figures are as of the period's last day (the end of the last complete quarter by the report date).
    when = as_of if dated == as_of else f"{as_of}, the period's last day (the report is dated {dated})"
    text = (f"This report covers {items.get('period', '?')} for {who}, as of {when}. Groups of "
            f"fewer than {k} employees are not shown.")
    if departments != "all":  # rule 2b of careerconv.rules.privacy.protect, which hides most in a small selection
        text += (f" A figure is also hidden when a department left out would add 1 to {int(k) - 1} people to it in "
                 "some quarter, since comparing this report with one that includes that department would single "
                 "them out: the report of all departments hides fewer figures.")
    if LEFT_OUT_ITEM in items:
        text += (f" {items[LEFT_OUT_ITEM]} record file(s) could not be read (damaged, or in the wrong folder) and "
                 "are left out of every figure (the command careerconv validate lists them).")
    return text


def reading_html(text: str) -> str:
    """A one-line reading as an HTML paragraph, every character of it escaped."""
    return f'<p class="hr-reading" style="font-size:1.05em;margin:0.4em 0 0.6em 0"><b>{html.escape(text)}</b></p>'


def note_html(text: str) -> str:
    """A plain sentence before a section's reading (such as :func:`describe_as_of`) as an HTML paragraph, every
    character of it escaped: said, not stressed as the reading is."""
    return f'<p class="hr-note" style="margin:0.4em 0">{html.escape(text)}</p>'


def present_html(name: str, frame: pd.DataFrame, *, total_label: str = "All departments", rows: str = "all",
                 max_rows: int | None = None, caption: str | None = None, source: str | None = None) -> str:
    """A protected table as an HTML table (every cell escaped) for the notebook.

    Parameters
    ----------
    name, frame, total_label, rows
        As for :func:`present`.
    max_rows
        Show at most this many rows; a line under the table says how many more there are and in which file of
        the CSV export.
    caption
        What the table is, as its ``<caption>`` (class ``hr-caption``: the HR page's stylesheet,
        :func:`careerconv.views.stacked_tables.stylesheet`, keeps it for screen readers only); None: no caption.
    source
        The table of the CSV export that holds every row (``<source>.csv``); None: ``name``.

    Returns
    -------
    str
        HTML.
    """
    shown_frame = present(name, frame, total_label=total_label, rows=rows)
    more = 0
    if max_rows is not None and len(shown_frame) > max_rows:
        more = len(shown_frame) - max_rows
        shown_frame = shown_frame.head(max_rows)
    table = shown_frame.to_html(index=False, escape=True, border=0, classes="hr-table", na_rep="")
    table = _captioned(table, caption)
    if more:
        table += (f'<p class="hr-more">… and {more:,} more rows, in {html.escape(source or name)}.csv of the CSV '
                  "export.</p>")
    return table


_TABLE_OPENING = re.compile(r"<table\b[^>]*>")


def _captioned(table_html: str, caption: str | None) -> str:
    """A pandas ``to_html`` table with ``caption`` (escaped) as its first child; unchanged for None."""
    if caption is None:
        return table_html
    opening = _TABLE_OPENING.search(table_html)
    if opening is None:
        raise ValueError("a caption needs an HTML <table>; got none")
    return (table_html[:opening.end()] + f'<caption class="hr-caption">{html.escape(caption)}</caption>'
            + table_html[opening.end():])


def top_skills(table: pd.DataFrame, n: int = 1) -> list[str]:
    """The skills with the most employees in a table with ``skill`` and ``n_employees`` (shown rows only)."""
    data = table[privacy.shown(table) & table[SKILL].notna()]
    if data.empty:
        return []
    return list(data.groupby(SKILL)[N].sum().sort_values(ascending=False, kind="stable").index[:n])
