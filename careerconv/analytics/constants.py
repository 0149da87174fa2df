"""Constants shared by the HR analytics modules.

Default period, rating bands, columns read, table titles.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from careerconv.rules import privacy
from careerconv.records import schema
from careerconv.records.schema import (
    CADENCE_MONTHS, CHECKIN_ID, COACH_ID, COACH_RATING, CONVERSATION_ID, DATE, DEPARTMENT, EMPLOYEE_ID, HORIZON_MONTHS,
    ITEM_ID, LEFT_ON, RECORD_ID, SELF_RATING, SKILL, STARTED_ON, STATUS,
)


DEFAULT_QUARTERS = 8  # the default period: two years up to the as-of date
N = privacy.COUNT
# How many skills the trend chart draws (those rated by the most employees); its reading says so.
TREND_LINES = 6
# How many skills the distribution chart draws (those rated by the most employees); its reading ranks those.
DISTRIBUTION_BARS = 12
# Rating bands of the distribution chart: (label, lowest, highest).
BANDS: tuple[tuple[str, int, int], ...] = (("1–3", 1, 3), ("4–6", 4, 6), ("7–8", 7, 8), ("9–10", 9, 10))


def band_labels(ratings: "np.ndarray") -> "np.ndarray":
    """The label of the rating band (:data:`BANDS`) of each whole-number rating 1-10."""
    labels = np.zeros(11, dtype=object)
    for label, low, high in BANDS:
        labels[low:high + 1] = label
    return labels[np.asarray(ratings, dtype=np.int64)]


_GROWTH_HORIZONS = schema.HORIZONS
_GAIN_HORIZONS = (6, 12)


# The only columns analytics ever reads (never a free-text column but the option text, see above).
HR_COLUMNS: dict[str, tuple[str, ...]] = {
    "roster": (EMPLOYEE_ID, COACH_ID, DEPARTMENT, CADENCE_MONTHS, LEFT_ON, STARTED_ON),
    "conversations": (CONVERSATION_ID, EMPLOYEE_ID, DATE, STATUS, CADENCE_MONTHS, "next_due",
                      "follow_up_mode", "follow_up_every_weeks"),
    "skills": (CONVERSATION_ID, EMPLOYEE_ID, DATE, SKILL, STATUS),
    "skill_ratings": (EMPLOYEE_ID, DATE, SKILL, SELF_RATING, COACH_RATING, "source", RECORD_ID,
                      "saved_at"),
    "targets": (EMPLOYEE_ID, CONVERSATION_ID, DATE, SKILL, "baseline", HORIZON_MONTHS, "target"),
    "options": (CONVERSATION_ID, EMPLOYEE_ID, DATE, SKILL, "option_no", "text", "chosen"),
    "action_items": (CONVERSATION_ID, EMPLOYEE_ID, DATE, ITEM_ID, "due"),
    "checkins": (CHECKIN_ID, EMPLOYEE_ID, DATE),
    "checkin_updates": (CHECKIN_ID, EMPLOYEE_ID, DATE, CONVERSATION_ID, ITEM_ID, STATUS),
}


# Not a table of records: the record files the derived tables leave out because they cannot be read, one
# ``problem`` per row (careerconv.records.store.Store.records_left_out), which the report says it lacks.
LEFT_OUT = "records_left_out"
# Their number in the report's ``about`` table (a row only when some are left out).
LEFT_OUT_ITEM = "record files left out (they cannot be read)"
# The report's two days in its ``about`` table, each with one name wherever the report speaks of it: the day its
# figures are "as of" (the last day of its period) and the day it is dated (``--as-of``, default today), whose
# last complete quarter ends the period.
AS_OF_ITEM = "as of"
DATED_ITEM = "report date"

# Columns of HR_COLUMNS a table given in memory may lack: ``saved_at`` orders ratings of one day
# (careerconv.rules.followup.recorded_order); without it the source decides. Without ``left_on`` everyone on the
# roster is still here, without ``started_on`` everyone started long ago (careerconv.records.leavers).
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {"skill_ratings": ("saved_at",), "roster": (LEFT_ON, STARTED_ON)}


def with_optional_columns(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (table ``name`` of :data:`HR_COLUMNS`) with its missing optional columns added as missing values."""
    missing = [c for c in OPTIONAL_COLUMNS.get(name, ()) if c not in frame.columns]
    return frame.assign(**{c: None for c in missing}) if missing else frame


TABLE_TITLES: dict[str, str] = {
    "overview": "Who is covered",
    "skill_trends": "Skill ratings by quarter",
    "department_trends": "Skill ratings by quarter and department",
    "rating_periods": "Ratings by quarter, half-year and year, per skill and over all skills",
    "rating_distribution": "Distribution of current ratings per skill",
    "skill_growth": "Growth per skill after 6, 12 and 18 months",
    "target_attainment": "Targets reached at each horizon",
    "most_wanted_skills": "Most-wanted skills",
    "rating_gaps": "Self rating versus coach rating",
    "cadence_compliance": "Conversations and follow-ups on time",
    "coach_follow_through": "Follow-through per coach",
    "action_items": "Action items",
    "option_kinds": "Which kinds of development actions go with larger gains",
}
