"""What every part of the employees shares while its record tables are worked out: the report and the skill
catalogue (:class:`Context`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from ..scope import ReportScope


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
        reports that share one edge of this one's period, which rule 2c reads
        (:attr:`~careerconv.analytics.levels.Piece.neighbours`): the pieces then leave out their statistics, the
        values of their medians and their contributions per quarter.
    """

    scope: ReportScope
    labels: pd.Series
    public: set[int]
    skill_ids: Callable[[pd.Series], pd.Series]
    catalogue: pd.DataFrame
    sizes_only: bool = False
