"""The rating engine.

:func:`rating_partials` and the dispatch to the arrow, duckdb and pandas engines.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .constants import ENGINES, HR_COLUMNS, with_optional_columns
from .engine_arrow import _Drafts, _partials_arrow
from .engine_duckdb import _partials_duckdb
from .engine_pandas import _partials_pandas
from .inputs import ParquetTable
from .partials import RatingPartials, _Layout, _Roster, _empty_partials, _first_date_of, _selected_codes
from .scope import ReportScope


def rating_partials(ratings: pd.DataFrame | ParquetTable, roster_codes: pd.DataFrame, catalogue: pd.DataFrame,
                    drafts: Iterable[str], scope: ReportScope, engine: str = "arrow") -> RatingPartials:
    """Summarise the skill ratings into :class:`RatingPartials` (the heavy step).

    Engines (chosen on measurement, see ``benchmarks/bench_hr.py``; all three
    give the same partials):

    ``"arrow"`` (the default)
        Part by part, two parts at a time: PyArrow reads the needed columns,
        string columns as dictionaries, so an employee id, a skill name or a
        source is looked up once per part rather than once per rating; NumPy
        turns each rating into small integers and reduces them with
        scatter-max into dense per-part arrays of (employee, skill, quarter)
        cells, which finds each person's latest rating without sorting or
        hashing millions of groups. The store's parts hold disjoint employees
        (:class:`ParquetTable`), so the per-part counts add up; each part is
        read a few columns at a time and counted a run of employees at a time,
        so memory stays at a fraction of two parts.
    ``"duckdb"``
        One SQL query over all parts (GROUP BY employee, skill and quarter,
        then by employee and skill). Plain to read, but grouping ten million
        ratings into nine million groups in a hash table costs several times
        the CPU of the arrow engine.
    ``"pandas"``
        The plain pandas version of the same computation on the whole table.

    Parameters
    ----------
    ratings
        The ``skill_ratings`` table, in memory or as Parquet parts.
    roster_codes
        ``employee_id, emp, dept, department``: a number per employee
        (0..n-1) and per department (0..m-1).
    catalogue
        :func:`skill_catalogue` of the rated skills.
    drafts
        Ids of draft conversations: ratings given in them (any source but
        ``checkin``, with the draft's ``record_id``) are left out.
    scope
        The report's period and departments.
    engine
        ``"arrow"``, ``"duckdb"`` or ``"pandas"``.

    Returns
    -------
    RatingPartials

    Raises
    ------
    ValueError
        For an unknown engine.
    """
    _check_engine(engine)
    if isinstance(ratings, pd.DataFrame):
        ratings = with_optional_columns("skill_ratings", ratings)
    return _rating_partials(ratings, _Roster.from_codes(roster_codes), catalogue, _Drafts(drafts), scope, engine)


def _check_engine(engine: str) -> None:
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")


def _rating_partials(ratings: pd.DataFrame | ParquetTable, roster: "_Roster", catalogue: pd.DataFrame,
                     drafts: "_Drafts", scope: ReportScope, engine: str) -> RatingPartials:
    if engine == "pandas":
        frame = ratings.to_pandas(list(HR_COLUMNS["skill_ratings"])) if isinstance(ratings, ParquetTable) \
            else ratings
        codes = roster.codes_frame()
        return _partials_pandas(frame, codes, catalogue, set(drafts.ids), scope, _selected_codes(codes, scope))
    first = _first_date_of(ratings)
    if first is None or not len(roster.dept) or not len(catalogue):
        return _empty_partials()
    layout = _Layout.of(roster, scope, first)
    if engine == "duckdb":
        return _partials_duckdb(ratings, roster, catalogue, list(drafts.ids), layout)
    return _partials_arrow(ratings, roster, catalogue, drafts, layout)
