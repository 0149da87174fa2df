"""A reference, not used by any command: the rating step in plain pandas on whole tables.

The same computation as :mod:`careerconv.analytics.engine` (the one engine of
the HR report), written the plain way: every rating read into one frame,
grouped by employee, skill and quarter. The tests check the engine against
it, and ``benchmarks/bench_hr.py`` measures the engine beside it. Its
functions take the same arguments as the engine's functions of the same name.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from careerconv.records.schema import COACH_RATING, DATE, EMPLOYEE_ID, RECORD_ID, SELF_RATING, SKILL
from careerconv.rules.followup import last_recorded
from .constants import HR_COLUMNS, with_optional_columns
from .engine import Drafts
from .inputs import ParquetTable
from .partials import RatingPartials, RosterCodes, selected_codes, typed_partials
from .quarters import quarter_index, quarter_index_of
from .scope import ReportScope
from .skills import skill_catalogue


def rating_partials(ratings: pd.DataFrame | ParquetTable, roster_codes: pd.DataFrame, catalogue: pd.DataFrame,
                    drafts: Iterable[str], scope: ReportScope) -> RatingPartials:
    """:func:`careerconv.analytics.engine.rating_partials` in plain pandas (the whole table in memory)."""
    frame = _frame(ratings)
    return _partials(frame, roster_codes, catalogue, {str(d) for d in drafts}, scope,
                     selected_codes(roster_codes, scope))


def catalogue_and_partials(ratings: pd.DataFrame | ParquetTable, roster: RosterCodes, drafts: Drafts,
                           scope: ReportScope, other: pd.Series | None) -> tuple[pd.DataFrame, RatingPartials]:
    """:func:`careerconv.analytics.engine.catalogue_and_partials` in plain pandas."""
    frame = _frame(ratings)
    spellings = frame[SKILL].astype(object).value_counts().rename_axis("raw").reset_index(name="n")
    if other is not None and len(other):
        spellings = pd.concat([spellings, pd.DataFrame({"raw": pd.unique(pd.Series(other, dtype=object).dropna()),
                                                        "n": 0})], ignore_index=True)
    spellings = spellings[spellings["raw"].notna()].groupby("raw", as_index=False)["n"].sum()
    catalogue = skill_catalogue(spellings["raw"], spellings)
    codes = roster.codes_frame()
    return catalogue, _partials(frame, codes, catalogue, set(drafts.ids), scope, selected_codes(codes, scope))


def _frame(ratings: pd.DataFrame | ParquetTable) -> pd.DataFrame:
    if isinstance(ratings, ParquetTable):
        return ratings.to_pandas(list(HR_COLUMNS["skill_ratings"]))
    return with_optional_columns("skill_ratings", ratings)


def _partials(ratings: pd.DataFrame, roster_codes: pd.DataFrame, catalogue: pd.DataFrame,
              drafts: set[str], scope: ReportScope, selected: set[int]) -> RatingPartials:
    r = ratings.loc[:, [EMPLOYEE_ID, DATE, SKILL, SELF_RATING, COACH_RATING, "source", RECORD_ID,
                        "saved_at"]]
    dates = pd.to_datetime(r[DATE])
    keep = (dates < scope.end).to_numpy() & (r[SELF_RATING].notna() | r[COACH_RATING].notna()).to_numpy()
    if drafts:  # given in a draft conversation: its record id, any source but a check-in
        keep &= ~(r[RECORD_ID].isin(drafts).to_numpy()
                  & (r["source"].astype(object).fillna("") != "checkin").to_numpy())
    r = r.loc[keep]
    dates = dates[keep]
    codes = roster_codes.set_index(EMPLOYEE_ID)
    skill_ids = catalogue.set_index("raw")["skill_id"]
    x = pd.DataFrame({
        "emp": r[EMPLOYEE_ID].map(codes["emp"]), "dept": r[EMPLOYEE_ID].map(codes["dept"]),
        "skill_id": r[SKILL].astype(object).map(skill_ids),
        "s": r[SELF_RATING].astype("Float64").to_numpy(dtype=float, na_value=np.nan),
        "c": r[COACH_RATING].astype("Float64").to_numpy(dtype=float, na_value=np.nan),
    })
    x = x[x["emp"].notna() & x["skill_id"].notna()]
    dates = dates.loc[x.index]
    x = x.astype({"emp": np.int64, "dept": np.int64, "skill_id": np.int64})
    days = dates.to_numpy(dtype="datetime64[D]")
    x["qi"] = quarter_index(days)
    # The same order as the other engines: day, then the self rating recorded last that day
    # (careerconv.rules.followup.recorded_order), then the higher rating (code % 10 + 1).
    rated = ~np.isnan(x["s"].to_numpy())
    last = np.zeros(len(x), dtype=np.int64)
    same_day = pd.DataFrame({"emp": x["emp"].to_numpy()[rated], "skill_id": x["skill_id"].to_numpy()[rated],
                             "day": days[rated]}).join(r.loc[x.index[rated], ["source", RECORD_ID, "saved_at"]]
                                                       .reset_index(drop=True))
    last[rated] = last_recorded(same_day, ["emp", "skill_id", "day"])
    x["code"] = np.where(rated, days.astype(np.int64) * 100 + last * 10 + x["s"] - 1, np.nan)
    both = ~np.isnan(x["s"]) & ~np.isnan(x["c"])
    x["gsum"] = np.where(both, x["s"] - x["c"], 0.0)
    x["gn"] = both.astype(np.int64)
    pq = x.groupby(["emp", "dept", "skill_id", "qi"], as_index=False, sort=False).agg(
        code=("code", "max"), gsum=("gsum", "sum"), gn=("gn", "sum"))
    rated = pq[pq["code"].notna()].copy()
    rated["v"] = (rated["code"].astype(np.int64) % 10 + 1)
    out = {}
    out["trend_hist"] = rated.groupby(["skill_id", "dept", "qi", "v"], as_index=False).size().rename(
        columns={"size": "n"})
    q_start, q_end = quarter_index_of(scope.start), quarter_index_of(scope.end)
    in_period = (pq["qi"] >= q_start) & (pq["qi"] < q_end) & pq["dept"].isin(selected)
    w = rated[in_period.loc[rated.index]]
    latest = w.groupby(["emp", "dept", "skill_id"], as_index=False)["code"].max()
    latest["v"] = latest["code"].astype(np.int64) % 10 + 1
    out["dist_hist"] = latest.groupby(["skill_id", "dept", "v"], as_index=False).size().rename(columns={"size": "n"})
    pairs = pq[in_period & (pq["gn"] > 0)]
    per_skill = pairs.groupby(["emp", "dept", "skill_id"], as_index=False)[["gsum", "gn"]].sum()
    per_skill["g"] = per_skill["gsum"] / per_skill["gn"]
    out["gaps"] = _gap_sums(per_skill, ["skill_id", "dept"])
    per_emp = pairs.groupby(["emp", "dept"], as_index=False)[["gsum", "gn"]].sum()
    per_emp["g"] = per_emp["gsum"] / per_emp["gn"]
    per_emp["skill_id"] = -1
    out["gaps_all"] = _gap_sums(per_emp, ["skill_id", "dept"])
    any_pairs = pq[pq["gn"] > 0]
    out["gap_contrib"] = any_pairs.groupby(["skill_id", "dept", "qi"], as_index=False).size().rename(
        columns={"size": "n"})
    return typed_partials(out)


def _gap_sums(per: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    per = per.assign(higher=(per["g"] > 0).astype(np.int64), lower=(per["g"] < 0).astype(np.int64))
    return per.groupby(by, as_index=False).agg(n=("g", "size"), gap_sum=("g", "sum"), n_higher=("higher", "sum"),
                                               n_lower=("lower", "sum"))
