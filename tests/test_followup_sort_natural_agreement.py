"""followup.sort_natural, which leaves a frame already in order unsorted, agrees with sorting every frame (the
version below, kept as the definition), on seeded random frames: in order, nearly in order and shuffled, with
ties on the sort columns (several records of one person on one day), ids in natural order and not (``-2``/``-10``,
``a01``/``a1``), missing values, text beyond ASCII, and text, object, date and number columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from careerconv.rules import followup
from careerconv.rules.followup import natural_rank


def _reference(frame: pd.DataFrame, by: list[str], id_column: str) -> pd.DataFrame:
    tied = frame.duplicated(by, keep=False).to_numpy()
    rank = np.zeros(len(frame), dtype=np.int64)
    if tied.any():
        rank[tied] = natural_rank(frame.loc[tied, id_column])
    return (frame.assign(_natural_rank=rank)
                 .sort_values([*by, "_natural_rank"], kind="stable")
                 .drop(columns="_natural_rank"))


def _frame(rng: np.random.Generator, n: int, text: str, missing: bool) -> pd.DataFrame:
    people = np.array(["E1", "E2", "E10", "Ä3", "e2", "E20"], dtype=object)
    ids = np.array(["c-1", "c-2", "c-10", "c-02", "a01", "a1", "A1", "ß-3", "c-1"], dtype=object)
    frame = pd.DataFrame({
        "employee_id": people[rng.integers(0, len(people), n)],
        "date": pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 4, n), unit="D"),
        "number": rng.integers(0, 3, n),
        "id": ids[rng.integers(0, len(ids), n)],
    })
    if missing:
        frame.loc[rng.random(n) < 0.05, "employee_id"] = None
        frame.loc[rng.random(n) < 0.05, "date"] = pd.NaT
        frame.loc[rng.random(n) < 0.05, "id"] = None
    if text != "object":
        frame["employee_id"] = frame["employee_id"].astype(text)
        frame["id"] = frame["id"].astype(text)
    return frame


@pytest.mark.parametrize("seed", range(40))
def test_sorting_only_frames_out_of_order_agrees_with_sorting_every_frame(seed):
    rng = np.random.default_rng(seed)
    text = ["str", "string[pyarrow]", "object", "string[python]"][seed % 4]
    frame = _frame(rng, int(rng.integers(0, 60)), text, missing=seed % 5 == 0)
    by = [["employee_id", "date"], ["employee_id", "date", "number"], ["date"],
          ["number", "employee_id"]][seed // 4 % 4]
    in_order = _reference(frame, by, "id")
    nearly = in_order.copy()
    if len(nearly) > 2:  # one pair of neighbours swapped
        i = int(rng.integers(0, len(nearly) - 1))
        nearly = nearly.iloc[[*range(i), i + 1, i, *range(i + 2, len(nearly))]]
    for given in (frame, in_order, nearly, in_order.reset_index(drop=True)):
        pd.testing.assert_frame_equal(followup.sort_natural(given, by, "id"), _reference(given, by, "id"))


def test_a_frame_in_order_but_for_the_natural_order_of_tied_ids_is_sorted():
    frame = pd.DataFrame({"employee_id": ["E1", "E1", "E1"], "id": ["c-10", "c-2", "c-3"]}, index=[5, 6, 7])
    assert followup.sort_natural(frame, ["employee_id"], "id").index.tolist() == [6, 7, 5]
    frame = frame.astype({"employee_id": "str", "id": "str"})
    assert followup.sort_natural(frame, ["employee_id"], "id").index.tolist() == [6, 7, 5]
