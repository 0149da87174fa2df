"""Skills.

The skill catalogue (names compared like :func:`careerconv.records.schema.skill_key`, shown in their most
common spelling) and :func:`skill_keys`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from careerconv.records import schema


def skill_catalogue(raw_names: pd.Series, employees_per_skill: pd.DataFrame | None = None) -> pd.DataFrame:
    """Map every spelling of a skill to one skill and its display label.

    Parameters
    ----------
    raw_names
        Skill names as written (duplicates allowed).
    employees_per_skill
        Optional frame ``raw``, ``n`` (how many people used each spelling) to
        pick the most common spelling as the label; otherwise the first
        spelling in sorted order.

    Returns
    -------
    pandas.DataFrame
        Columns ``raw`` (each distinct spelling), ``skill_id`` (0..m-1, one per
        skill) and ``label``.
    """
    raw = pd.Series(pd.unique(pd.Series(raw_names, dtype=object).dropna()), dtype=object)
    keys = raw.map(schema.skill_key)
    frame = pd.DataFrame({"raw": raw, "key": keys})
    frame = frame[frame["key"] != ""]
    if employees_per_skill is not None and len(employees_per_skill):
        weight = employees_per_skill.groupby("raw")["n"].sum()
        frame["weight"] = frame["raw"].map(weight).fillna(0)
    else:
        frame["weight"] = 0
    frame["clean"] = frame["raw"].map(lambda s: " ".join(str(s).split()))
    best = frame.sort_values(["key", "weight", "clean"], ascending=[True, False, True], kind="stable") \
        .drop_duplicates("key")
    ids = {key: i for i, key in enumerate(sorted(best["key"]))}
    label = dict(zip(best["key"], best["clean"]))
    return pd.DataFrame({"raw": frame["raw"].to_numpy(dtype=object),
                         "skill_id": frame["key"].map(ids).to_numpy(dtype=np.int64),
                         "label": frame["key"].map(label).to_numpy(dtype=object)}).reset_index(drop=True)


def skill_keys(names: pd.Series) -> np.ndarray:
    """:func:`careerconv.records.schema.skill_key` of each name (None for a missing one), worked out once per
    spelling."""
    codes, uniques = distinct_names(names)
    keys = np.array([schema.skill_key(u) for u in uniques] + [None], dtype=object)
    return keys[codes]


def distinct_names(names: pd.Series) -> tuple[np.ndarray, list]:
    """Each name's number and the distinct names (-1: missing), counted in the column's own type (Arrow text
    is numbered in Arrow, without making a Python string of every row first)."""
    column = names if isinstance(names, pd.Series) and pd.api.types.is_string_dtype(names.dtype) \
        else pd.Series(names, dtype=object)
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    return codes, list(pd.Series(uniques, dtype=object))
