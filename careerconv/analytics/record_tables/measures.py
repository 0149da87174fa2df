"""The names of the record tables and the figures each one measures, read alike by the pieces of a part and by
the protected tables: which tables there are (:data:`TABLES`), which are counted in the neighbouring reports
(:data:`RATING_TABLES`, :data:`CUT_TABLES`), the time grains of the rating trends (:data:`GRAINS`), and per
table its statistics (name: (column, statistic))."""

from __future__ import annotations

from careerconv.records import schema
from ..levels import MEAN, MEDIAN, SUM


TABLES = ("overview", "rating_periods", "skill_growth", "target_attainment", "most_wanted_skills", "cadence_compliance",
          "action_items", "option_kinds", "coach_follow_through")
# The rating-step tables whose group sizes in the neighbouring reports are counted here, part by part.
RATING_TABLES = {"rating_distribution": ("skill_id", "band"), "rating_gaps": ("skill_id",)}  # name: grouping
# The tables whose group sizes change with the edges of the period, checked against the reports sharing one edge of
# the period (rule 2c of careerconv.rules.privacy.protect). "Who is covered" counts everyone here on some day of the
# period, so another start or end leaves out or takes in who left or started in between. Cadence compliance and each
# coach's follow-through are as of a day (rule 2c is not theirs); the trends are cut by quarter, the atoms of every
# period, so a shorter period shows the same cells or none.
CUT_TABLES = ("overview", "skill_growth", "target_attainment", "most_wanted_skills", "action_items", "option_kinds",
              "rating_periods", *RATING_TABLES)
# The coarser time grains of the rating trends: (name, months per bucket). Buckets are calendar
# half-years and years, cut to the period (its first and last may hold fewer quarters).
GRAINS = (("quarter", 3), ("half-year", 6), ("year", 12))
ALL_SKILLS = -1  # the skill id of the "all skills" rows
PERIODS: dict = {"mean": ("rating", MEAN), "median": ("rating", MEDIAN)}
# Not a table of its own: the employees met per department, the base of the most-wanted shares.
PEOPLE_MET = "people_met"

OVERVIEW: dict = {"share_met": ("met", MEAN), "conversations": ("n_conv", SUM), "checkins": ("n_ci", SUM)}
GROWTH: dict = {"mean_growth": ("growth", MEAN), "median_growth": ("growth", MEDIAN),
                 "share_improved": ("improved", MEAN)}
ATTAINMENT: dict = {name: (name, SUM) for name in ("targets_due", "targets_measured", "targets_attained",
                                                     "targets_window_open")}
# Targets due, split four ways (they add up to 1): reached, measured but not reached, not measured yet with
# their measurement window still open (a rating may still come), not measured in time.
ATTAINMENT_SHARES = ("share_reached", "share_not_reached", "share_window_open", "share_not_measured")
CADENCE: dict = {f"share_{name}": (name, MEAN)
                  for name in ("conversation_overdue", "checkin_overdue", "any_overdue", "never_met")}
COACH: dict = {"share_conversation_on_time": ("conversation_on_time", MEAN),
                "share_checkin_on_time": ("checkin_on_time", MEAN), "share_never_met": ("never_met", MEAN)}
ITEMS: dict = {**{f"share_{s}": (f"is_{s}", MEAN) for s in schema.ITEM_STATUSES},
                "share_open_past_due": ("past_due", MEAN), "items": ("items", SUM)}
WANTED: dict = {"skills_per_person": ("skills_chosen", MEAN)}  # on the "any skill" rows
OPTIONS: dict = {"mean_gain": ("gain", MEAN), "median_gain": ("gain", MEDIAN), "plans": ("plans", SUM)}
