"""The duckdb engine.

The whole rating computation as one SQL query. DuckDB is an optional
dependency (no command selects this engine): ``pip install 'careerconv[duckdb]'``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import open_data
from .constants import HR_COLUMNS
from ..followup import SOURCE_PRIORITY
from .engine_arrow import _DAY_SPAN, _arrow_frame
from .inputs import ParquetTable
from .partials import _PARTIAL_COLUMNS, RatingPartials, _Layout, _Roster, _empty_partials, _sql_string, _typed_partials


def _partials_duckdb(ratings: pd.DataFrame | ParquetTable, roster: _Roster, catalogue: pd.DataFrame,
                     drafts: list[str], layout: _Layout) -> RatingPartials:
    """The DuckDB engine: the whole computation as one SQL query (see :func:`rating_partials`)."""
    import pyarrow as pa

    con = open_data.duckdb().connect(config={"threads": 2, "preserve_insertion_order": False})
    try:
        con.execute("SET TimeZone = 'UTC'")  # a save time without an offset is UTC, as recorded_order reads it
        con.register("roster_t", pa.table({"employee_id": roster.ids, "emp": pa.array(np.arange(len(roster.dept))),
                                           "dept": pa.array(roster.dept)}))
        con.register("skill_map", pa.table({"raw": pa.array(catalogue["raw"].astype(str).tolist(), type=pa.string()),
                                            "skill_id": pa.array(catalogue["skill_id"].to_numpy(dtype=np.int64))}))
        con.register("drafts", pa.table({"conversation_id": pa.array(drafts, type=pa.string())}))
        con.register("selected", pa.table({"dept": pa.array(np.flatnonzero(layout.selected).astype(np.int64))}))
        if isinstance(ratings, ParquetTable):
            if not ratings.paths:
                return _empty_partials()
            source = "read_parquet([" + ", ".join(_sql_string(str(p)) for p in ratings.paths) + "])"
        else:
            con.register("ratings_frame", _arrow_frame(ratings, list(HR_COLUMNS["skill_ratings"])))
            source = "ratings_frame"
        end = pd.Timestamp(0) + pd.Timedelta(days=layout.end_day)
        sql = _DUCKDB_SQL.format(source=source, end=_sql_string(f"{end:%Y-%m-%d}"), w0=layout.q0 + layout.w0,
                                 first_day=layout.first_day, span=_DAY_SPAN, priority=_priority_sql("r.source"))
        result = con.execute(sql).df()
    finally:
        con.close()
    out = {}
    for name, columns in _PARTIAL_COLUMNS.items():
        part = result[result["part"] == name]
        out[name] = part.loc[:, columns].reset_index(drop=True)
    return _typed_partials(out)



# One query: ratings -> (employee, skill, quarter) -> (employee, skill) over the period -> the partials, as rows of
# one result told apart by ``part``. code orders a person's ratings of a skill: day, then the rating recorded last
# that day (careerconv.followup.recorded_order: save time, source, record id), then the rating (see _DAY_SPAN).
_DUCKDB_SQL = """
WITH r0 AS (
    SELECT ro.emp, ro.dept, sm.skill_id,
           year(r.date) * 4 + quarter(r.date) - 1 AS qi,
           epoch_us(r.date) // 86400000000 AS day,
           r.self_rating BETWEEN 1 AND 10 AS rated, r.self_rating,
           try_cast(r.saved_at AS TIMESTAMPTZ) AS saved,
           {priority} AS priority, r.record_id,
           r.self_rating BETWEEN 1 AND 10 AND r.coach_rating BETWEEN 1 AND 10 AS pair,
           r.self_rating - r.coach_rating AS gap
    FROM {source} r
    JOIN roster_t ro ON r.employee_id = ro.employee_id
    JOIN skill_map sm ON r.skill = sm.raw
    ANTI JOIN drafts d ON r.record_id = d.conversation_id AND coalesce(r.source, '') <> 'checkin'
    WHERE r.date < TIMESTAMP {end} AND ro.dept >= 0
),
r AS (
    SELECT emp, dept, skill_id, qi, pair, gap,
           CASE WHEN rated THEN
                (day - {first_day}) * {span}
                + (CASE WHEN rank() OVER (PARTITION BY emp, skill_id, day, rated
                                          ORDER BY saved DESC NULLS LAST, priority DESC,
                                                   record_id DESC) = 1
                        THEN 10 ELSE 0 END)
                + self_rating - 1 END AS code
    FROM r0
),
cell AS MATERIALIZED (
    SELECT emp, dept, skill_id, qi, max(code) AS code, count(*) FILTER (WHERE pair) AS n_pairs,
           sum(gap) FILTER (WHERE pair) AS gap_total
    FROM r GROUP BY emp, dept, skill_id, qi
),
person AS MATERIALIZED (
    SELECT emp, dept, skill_id, max(code) AS code, sum(n_pairs) AS n_pairs, sum(gap_total) AS gap_total
    FROM cell WHERE qi >= {w0} AND dept IN (SELECT dept FROM selected) GROUP BY emp, dept, skill_id
),
person_all AS (
    SELECT emp, dept, sum(n_pairs) AS n_pairs, sum(gap_total) AS gap_total
    FROM person WHERE n_pairs > 0 GROUP BY emp, dept
)
SELECT 'trend_hist' AS part, skill_id, dept, qi, code % 10 + 1 AS v, count(*) AS n,
       NULL::DOUBLE AS gap_sum, NULL::BIGINT AS n_higher, NULL::BIGINT AS n_lower
FROM cell WHERE code IS NOT NULL GROUP BY ALL
UNION ALL
SELECT 'gap_contrib', skill_id, dept, qi, NULL, count(*), NULL, NULL, NULL FROM cell WHERE n_pairs > 0 GROUP BY ALL
UNION ALL
SELECT 'dist_hist', skill_id, dept, NULL, code % 10 + 1, count(*), NULL, NULL, NULL
FROM person WHERE code IS NOT NULL GROUP BY ALL
UNION ALL
SELECT 'gaps', skill_id, dept, NULL, NULL, count(*), sum(gap_total / n_pairs),
       count(*) FILTER (WHERE gap_total > 0), count(*) FILTER (WHERE gap_total < 0)
FROM person WHERE n_pairs > 0 GROUP BY ALL
UNION ALL
SELECT 'gaps_all', -1, dept, NULL, NULL, count(*), sum(gap_total / n_pairs),
       count(*) FILTER (WHERE gap_total > 0), count(*) FILTER (WHERE gap_total < 0)
FROM person_all GROUP BY ALL
"""


def _priority_sql(column: str) -> str:
    """:data:`careerconv.followup.SOURCE_PRIORITY` as a SQL CASE on ``column`` (any other source: -1)."""
    whens = " ".join(f"WHEN {_sql_string(source)} THEN {rank}" for source, rank in SOURCE_PRIORITY.items())
    return f"(CASE {column} {whens} ELSE -1 END)"
