"""HR analytics: aggregate figures about skills, targets and follow-up, never about a person.

Every public function here is pure (frames in, new frames out) except
those of ``inputs``: the readers of the store's derived Parquet tables
(:func:`load_hr_tables`, :class:`ParquetTable`, :class:`EmployeeParts`),
which only *read* them, and :func:`save_aggregates` /
:func:`load_aggregates`, which hand computed tables from ``careerconv
hr-report`` to its notebook. The single entry point is
:func:`hr_aggregates`; it returns the tables the HR notebook shows and
``careerconv hr-report --csv`` writes,
each already protected by :func:`careerconv.rules.privacy.protect` (groups of fewer
than ``k`` distinct employees read "fewer than k"; see that module for the
differencing and complementary rules). Each table has a ``describe_*``
function that turns its numbers into one sentence.

What goes in
------------
The roster (only ``employee_id``, ``coach_id``, ``department``,
``cadence_months``) and the derived tables ``conversations``, ``skills``,
``skill_ratings``, ``targets``, ``options``, ``action_items``, ``checkins``
and ``checkin_updates`` — never a free-text column, with one exception:
option texts are read by :func:`careerconv.rules.option_kinds.classify_options` and
replaced by their kind before anything is counted. Only completed
conversations count; ratings given in a draft are left out. People no longer
on the roster are left out (their department is unknown).

Periods and dates
-----------------
Everything is cut in calendar quarters (see :func:`resolve_scope`): the
period starts on the first day of the quarter holding ``period_start`` (by
default two years before its end) and ends at the end of the quarter holding
``period_end``, and never after the last complete quarter before ``as_of``. Figures "as of" a day (who is overdue, the
status of action items, progress against targets) are taken on the last day of
the period.

Skills
------
Skill names are compared like :func:`careerconv.records.schema.skill_key` ("sql" and
"SQL " are one skill) and shown in their most common spelling. A skill name
is typed by people, so it is shown only when at least ``k`` employees of the
whole organisation (all departments, all time up to the report) rated that
skill in one quarter; the others still count in "all skills" figures and the
number of unlisted skills is reported.

How ratings are summarised
--------------------------
Per employee, skill and quarter the *latest* self rating counts (on one day
the one recorded last, by the same-day rule of
:func:`careerconv.rules.followup.recorded_order`: save time, then a conversation
over a check-in over an import, then the record id; then the higher rating).
Because ratings are whole numbers 1–10, the rating figures are built from
additive histograms (employees per rating value), which lets the
ten-million-rating case run part by part in bounded memory
(:func:`rating_partials`). One engine computes them (``engine``: PyArrow
reads the Parquet parts, NumPy counts them), chosen on measurement over one
DuckDB SQL query, which took about five times the CPU and four times the
memory on ten million ratings; ``pandas_reference`` is the plain pandas
version the tests and ``benchmarks/bench_hr.py`` compare it with.

The other tables, part by part
------------------------------
Growth, target attainment, the most-wanted skills, cadence, action items,
option kinds and the overview are built from each employee's records. The
store keeps all rows of one employee in one Parquet part, so these tables
are computed one part of the employees at a time (:class:`EmployeeParts`,
one part at once) into pieces that add up exactly across parts: distinct
employees, sums and counts for means, employees per value for medians, and
the per-quarter contributions the privacy rules need (``levels``). The
targets, options, skills named and ratings are read only on the days a
report and the reports it is compared with count them
(:func:`record_tables.days_read`), and the targets only once due by the
last of their as-of days (:func:`record_tables.due_by`): their cost follows
the period, not the length of the history. Memory then follows the size of a
part rather than of the data: on half a million
employees and ten million ratings (sixteen parts of some 4 million rows) a
part adds about 0.8 GiB while it is worked out, and the memory it frees
is kept for the next (``allocators``). A large part is cut into two groups
of its employees, computed at the same time on two threads in about the
memory of the part; most of a group's work holds Python's lock (pandas'
own code), so the text a group looks up stays in Arrow and the work done
alike for every piece is done once (``bench_hr.py --full``: a part read in
some 0.4-0.5 s and its two groups computed in 1.2-1.6 s, the whole report in
32-37 s at 1.25-1.3 GiB; issue 11 wants 20 s and 1.5 GiB). Tables held in memory
are one part.

Small organisations
-------------------
Where most figures by quarter and skill would be hidden, the page groups the
ratings by half-year or year, or over all skills (``rating_periods``,
:func:`readable_grouping`), and says so; where no skill of growth, the
most-wanted skills or self versus coach can be shown on its own, the page
shows their row over all skills (:func:`skill_view`; for the most-wanted
skills, anyone who chose any skill and how many skills each chose). A report whose period is not the
default two years also hides every figure that would differ by 1 to k-1
people from the same figure in a report sharing one edge of its period
(rule 2c of :mod:`careerconv.rules.privacy`), so subtracting two runs a quarter
apart isolates nobody. ``coach_follow_through`` shows each coach's team of at
least k people, protected by department too (a department's row of cadence
compliance minus its teams shown gives back no team hidden), and a report of
some departments hides the teams the whole organisation's report hides.

Modules
-------
``constants``
    Default period, rating bands, the columns read, table titles.
``inputs``
    :class:`ParquetTable`, :class:`RosterFile`, :func:`load_hr_tables`, :class:`EmployeeParts`.
``allocators``
    The C library's heaps shared by the threads (:func:`~careerconv.analytics.allocators.share_heaps`, when this
    package is imported) and the memory handed back at the end of a computation.
``quarters``
    Calendar quarters and months: how the tables number them (one rule, two numberings), their first days,
    :func:`quarter_label` and :func:`period_label`.
``scope``
    :class:`~careerconv.analytics.scope.ReportScope`, :func:`resolve_scope`.
``skills``
    :func:`skill_catalogue`.
``partials``
    :class:`~careerconv.analytics.partials.RatingPartials`, the roster and cell layout of the rating engine.
``engine``
    The rating engine: :func:`rating_partials`.
``pandas_reference``
    The same computation in plain pandas, for the tests and the benchmark only.
``aggregates``
    :func:`skill_rating_tables`, the tables built from its partials, and :func:`hr_aggregates`.
``levels``
    Additive pieces of a table (:class:`~careerconv.analytics.levels.Piece`) and the organisation and
    department rows built from them.
``record_tables``
    The tables built from the conversation records, one part of the employees at a time.
``coarsening``
    :func:`readable_grouping`: quarters or half-years or years, per skill or over all skills;
    :func:`skill_view`: the tables by skill, per skill or over all skills.
``presentation``
    :func:`present`.
``readings``
    ``describe_*``, :func:`suppression_summary` and their HTML.

This package exposes the names other code imports; the rest stay at their
module's path (for example :class:`careerconv.analytics.scope.ReportScope`).
"""

from __future__ import annotations

from careerconv.rules.option_kinds import KINDS
from . import allocators
from .aggregates import hr_aggregates, skill_rating_tables
from .constants import BANDS, DEPARTMENT, DISTRIBUTION_BARS, LEFT_OUT, N, TABLE_TITLES, TREND_LINES
from .engine import rating_partials
from .inputs import EmployeeParts, ParquetTable, RosterFile, load_aggregates, load_hr_tables, save_aggregates
from .presentation import ALL_SKILLS_BY_PERSON, SHARES_OF_A_WHOLE, present, whole_share_texts
from .readings import (department_chart_skill, describe, describe_about, describe_as_of, describe_grouping,
                       describe_on_time, describe_skill_view, describe_suppression, distribution_skills, note_html,
                       present_html, reading_html, suppression_html, suppression_summary, top_skills, who_is_due)
from .coarsening import Grouping, SkillView, readable_grouping, skill_view
from .quarters import period_label, quarter_label
from .scope import resolve_scope
from .skills import skill_catalogue

# Before a computation of this package starts its threads (the C library's heaps are made as threads first
# allocate): the memory one part of the employees frees then serves the next.
allocators.share_heaps()

__all__ = [
    "BANDS",
    "TREND_LINES",
    "DISTRIBUTION_BARS",
    "DEPARTMENT",
    "KINDS",
    "LEFT_OUT",
    "N",
    "TABLE_TITLES",
    "EmployeeParts",
    "ParquetTable",
    "RosterFile",
    "load_hr_tables",
    "save_aggregates",
    "load_aggregates",
    "resolve_scope",
    "quarter_label",
    "period_label",
    "Grouping",
    "readable_grouping",
    "SkillView",
    "skill_view",
    "skill_catalogue",
    "rating_partials",
    "skill_rating_tables",
    "hr_aggregates",
    "present",
    "present_html",
    "describe",
    "describe_about",
    "describe_as_of",
    "describe_grouping",
    "describe_on_time",
    "who_is_due",
    "describe_skill_view",
    "describe_suppression",
    "suppression_summary",
    "suppression_html",
    "note_html",
    "reading_html",
    "top_skills",
    "whole_share_texts",
    "department_chart_skill",
    "SHARES_OF_A_WHOLE",
    "ALL_SKILLS_BY_PERSON",
    "distribution_skills",
]
