"""Erasing a person of an organisation that numbers its people (BambooHR, Personio: ids 1, 2, ... N).

An id without a letter cannot be told from a number: erasing employee ``5`` found "5" in every rating of 5, in
every cadence of 5 months and in every count of 5 people. It then deleted other people's rows from the files HR
keeps beside the data (an exported table, a workbook, the HR report's CSV) and ended "incomplete" on the derived
tables, which nobody can edit by hand, so the command exited 1 for every numbered person. careerconv writes every
id as text: a number in a typed file (a JSON number, a Parquet number column, a workbook's number cell) is a
number, and a table whose text cells hold the number is listed for a person to look at, not cut.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from careerconv.records.erasure import REMOVED, Mentions, erase_employee
from careerconv.records.store import Store
from orgs import conversation, roster


def _numbered_organisation(tmp_path: Path) -> Store:
    """People 1-6; 1 coaches the others; everyone rated Python 5 (targets 6, 7, 8), person 5 is Fay Fifth."""
    store = Store(tmp_path / "data")
    names = {1: "Ann First", 2: "Bob Second", 3: "Cat Third", 4: "Dan Fourth", 5: "Fay Fifth", 6: "Gus Sixth"}
    store.save_roster(roster([(str(i), name, "" if i == 1 else "1", "Eng", "Dev", 6) for i, name in names.items()]))
    for i in range(2, 7):
        store.save_conversation(conversation(str(i), "2025-06-01", coach="1", skills=[("Python", 5, (6, 7, 8))],
                                             items=[("a1", "Pair with a senior", None)]))
    store.refresh()
    return store


def _others_ratings(store: Store) -> pd.DataFrame:
    ratings = store.read_table("skill_ratings")
    return ratings[ratings["employee_id"] != "5"]


def test_a_numbered_person_is_erased_completely_though_others_were_rated_five(tmp_path: Path):
    store = _numbered_organisation(tmp_path)
    before = _others_ratings(store)
    assert (before["self_rating"] == 5).all() and len(before) == 4
    receipt = erase_employee(store, tmp_path / "reports", "5")
    assert receipt.complete, str(receipt)
    assert "5" not in set(store.read_table("skill_ratings")["employee_id"])
    pd.testing.assert_frame_equal(_others_ratings(store).reset_index(drop=True), before.reset_index(drop=True))
    assert "a number in a table or a record is a number" in str(receipt)  # says how the id was looked for


def test_other_peoples_rows_in_hr_files_are_kept_when_a_numbered_person_is_erased(tmp_path: Path):
    store = _numbered_organisation(tmp_path)
    reports = tmp_path / "reports"
    reports.mkdir()
    table = pd.DataFrame({"employee_id": ["2", "3", "5"], "self_rating": [5, 5, 4], "note": ["", "", ""]})
    table.to_parquet(reports / "ratings.parquet")
    table.astype(str).to_csv(reports / "ratings.csv", index=False)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["employee_id", "self_rating"])
    for eid, rating in (("2", 5), ("3", 5), ("5", 4)):
        sheet.append([eid, rating])
    book.save(store.root / "hris-export.xlsx")  # an import's source, kept in the data folder

    receipt = erase_employee(store, reports, "5")

    kept = pd.read_parquet(reports / "ratings.parquet")
    assert kept["employee_id"].tolist() == ["2", "3"]  # their row goes (its id cell is the id, as text) ...
    assert kept["self_rating"].tolist() == [5, 5]  # ... the others, rated 5, stay
    rows = list(openpyxl.load_workbook(store.root / "hris-export.xlsx").active.iter_rows(values_only=True))
    assert rows[1:] == [("2", 5), ("3", 5)]
    # A CSV has no types: "5" in a cell may be the id or a rating. Nothing is cut; the file is listed.
    assert pd.read_csv(reports / "ratings.csv", dtype=str)["employee_id"].tolist() == ["2", "3", "5"]
    listed = {line.path: line.detail for line in receipt.leftovers}
    assert "cannot be told there from a number" in listed[reports / "ratings.csv"]
    assert not any(line.path == reports / "ratings.csv" for line in receipt.lines)  # not rewritten for nothing
    assert reports / "ratings.parquet" not in listed and store.root / "hris-export.xlsx" not in listed


@pytest.mark.parametrize("value", [5, 5.0, "5"])
def test_only_text_can_be_a_numbered_id(value):
    mentions = Mentions("5", "Fay Fifth")
    assert mentions.in_value(value) is isinstance(value, str)
    assert mentions.in_value("Fay Fifth") and not mentions.in_value(55)
    assert Mentions("E5").in_value("E5") and not Mentions("E5").in_value(5)
    assert Mentions("5").replace("5") == (REMOVED, 1)


def test_a_numbered_id_is_not_the_digits_of_a_decimal():
    # A workbook's theme holds "0.5" and "0.75": every workbook mentioned employee 5.
    numbered = Mentions("5")
    assert not any(numbered.search(t) for t in ("0.5", "5.25", "lumMod 0.5", "v5", "15", "2025-05-05"))
    assert all(numbered.search(t) for t in ("5", "Read 5.", "(5)", "5, 6 and 7", "id: 5", "1,5"))
    assert Mentions("E5").search("E5.0") and Mentions("2024-01-02").search("on 2024-01-02.")
