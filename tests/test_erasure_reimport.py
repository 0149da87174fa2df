"""An erased person does not come back when an old roster or history file is imported again.

A tester imported a roster and a history, erased H007, imported the same two files again and got "Employees:
added 1", "Conversations: added 3" without a word. Erasure now keeps the id as a salted hash with the day, and the
importers refuse rows naming it unless ``allow_erased`` adds them again on purpose.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from pathlib import Path

import pandas as pd
import pytest

from careerconv.records import schema
from careerconv.records.erasure import erase_employee
from careerconv.records.importers import FileRejected, import_history, import_roster
from careerconv.records.schema import COACH_ID, EMPLOYEE_ID
from careerconv.records.store import Store

ROSTER = ("employee_id,name,coach_id,department,role\n"
          "H001,Ana Silva,C001,Engineering,Engineer\n"
          "H007,Missed Target,C001,Engineering,Engineer\n"
          "H009,Bo Chen,C001,Sales,Manager\n")
HISTORY = ("employee_id,date,skill,rating\n"
           "H001,2025-01-15,Python,5\n"
           "H007,2025-01-15,Python,4\n"
           "H007,2025-07-15,Python,5\n"
           "H007,2026-01-15,SQL,6\n"
           "H009,2025-01-15,SQL,3\n")


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def erased(tmp_path: Path) -> tuple[Store, Path]:
    """The tester's folder: roster and history imported, then H007 erased."""
    (tmp_path / "roster.csv").write_text(ROSTER)
    (tmp_path / "history.csv").write_text(HISTORY)
    store = Store(tmp_path / "data")
    import_roster(store, tmp_path / "roster.csv")
    assert import_history(store, tmp_path / "history.csv").added == 5
    assert erase_employee(store, tmp_path / "reports", "H007").complete
    return store, tmp_path


def test_importing_the_same_files_again_refuses_the_erased_person_and_changes_nothing(erased):
    store, files = erased
    before = tree(store.root)
    today = dt.date.today().isoformat()
    with pytest.raises(FileRejected) as roster_refusal:
        import_roster(store, files / "roster.csv")
    [problem] = roster_refusal.value.problems
    assert (problem.row, problem.column, problem.value) == (3, EMPLOYEE_ID, "H007")
    assert problem.message == (f"employee H007 was erased on {today} (careerconv erase); to add them again on "
                               "purpose, import the file again with --allow-erased")
    with pytest.raises(FileRejected) as history_refusal:
        import_history(store, files / "history.csv")
    assert [(p.row, p.value) for p in history_refusal.value.problems] == [(3, "H007"), (4, "H007"), (5, "H007")]
    assert f"H007 was erased on {today}" in history_refusal.value.problems[0].message
    assert "import a roster that lists them with --allow-erased, then the history" in \
        history_refusal.value.problems[0].message
    assert tree(store.root) == before
    assert "H007" not in set(store.roster()[EMPLOYEE_ID])
    assert not store.employee_dir("conversation", "H007").exists()


def test_the_erased_list_holds_no_id_in_clear_text(erased, tmp_path: Path):
    store, files = erased
    for path in store.root.rglob("*"):
        if path.is_file():
            assert b"H007" not in path.read_bytes(), path
    kept = json.loads((store.root / "erased.json").read_text())
    [(hashed, day)] = kept["erased"].items()
    assert day == dt.date.today().isoformat()
    assert hashed not in {hashlib.sha256(b"H007").hexdigest(), hashlib.sha256(b"employee:H007").hexdigest()}
    # The salt is made per data folder: another folder keeps the same id as another hash.
    other = Store(tmp_path / "other")
    other.mark_erased("H007")
    assert json.loads(other.erased_path.read_text())["salt"] != kept["salt"]
    assert list(json.loads(other.erased_path.read_text())["erased"]) != [hashed]
    assert other.erased_ids().erased_on("H007") == day and other.erased_ids().erased_on("H001") is None


def test_allow_erased_adds_them_again_and_later_imports_work(erased):
    store, files = erased
    result = import_roster(store, files / "roster.csv", allow_erased=True)
    assert (result.added, result.unchanged) == (1, 2)
    assert any("H007" in note and "added again on purpose" in note for note in result.notes)
    assert store.erased_ids().erased_on("H007") is None
    assert import_history(store, files / "history.csv").added == 3
    # a person again: the next month's import needs no option
    assert import_roster(store, files / "roster.csv").unchanged == 3


def test_a_dry_run_with_allow_erased_keeps_them_erased(erased):
    store, files = erased
    before = tree(store.root)
    assert import_roster(store, files / "roster.csv", allow_erased=True, dry_run=True).added == 1
    assert tree(store.root) == before


def test_skip_invalid_rejects_the_erased_rows_like_other_bad_rows(erased):
    store, files = erased
    rejected = files / "rejected.csv"
    roster = import_roster(store, files / "roster.csv", skip_invalid=True, rejected_path=rejected)
    assert (roster.added, roster.unchanged, [r.row for r in roster.rejected]) == (0, 2, [3])
    assert "H007 was erased on" in roster.rejected[0].reason
    assert "H007" not in set(store.roster()[EMPLOYEE_ID])
    assert pd.read_csv(rejected)[EMPLOYEE_ID].tolist() == ["H007"]
    history = import_history(store, files / "history.csv", skip_invalid=True, rejected_path=rejected)
    assert (history.added, history.unchanged, [r.row for r in history.rejected]) == (0, 2, [3, 4, 5])
    assert not store.employee_dir("conversation", "H007").exists()


def test_an_erased_coach_id_is_refused_too(erased):
    store, files = erased
    (files / "team.csv").write_text("employee_id,name,coach_id,department,role\n"
                                    "H010,Chidi Okafor,H007,Sales,Engineer\n")
    with pytest.raises(FileRejected) as refusal:
        import_roster(store, files / "team.csv")
    [problem] = refusal.value.problems
    assert (problem.column, problem.value) == (COACH_ID, "H007")
    assert problem.message.startswith("coach H007 was erased on ")
    (files / "coached.csv").write_text("employee_id,date,skill,rating,coach_id\nH001,2026-02-01,Python,6,H007\n")
    before = tree(store.root)
    with pytest.raises(FileRejected) as refusal:
        import_history(store, files / "coached.csv")
    assert refusal.value.problems[0].message.startswith("coach H007 was erased on ")
    assert tree(store.root) == before
    assert import_history(store, files / "coached.csv", allow_erased=True).added == 1
    assert store.erased_ids().erased_on("H007") is None


def test_the_store_itself_refuses_an_erased_id_on_the_roster(erased):
    """Whatever adds employees through the store (not only the importers) cannot add an erased id silently."""
    store, _ = erased
    row = pd.DataFrame([("H007", "Missed Target", "C001", "Engineering", "Engineer", 12, "", None, None)],
                       columns=schema.ROSTER.names)
    before = tree(store.root)
    with pytest.raises(schema.ValidationError, match="H007 was erased on"):
        store.upsert_employees(row)
    assert tree(store.root) == before
    assert store.upsert_employees(row, allow_erased=True) == (1, 0, 0)
    assert store.erased_ids().erased_on("H007") is None


def test_an_import_while_the_erasure_runs_does_not_bring_them_back(tmp_path: Path, monkeypatch):
    """The id went on the erased list at the very end of the erasure: an import of the old roster while the rest
    of the folder was being cleaned added the person back, after their roster row was gone."""
    from careerconv.records import erasure

    (tmp_path / "roster.csv").write_text(ROSTER)
    store = Store(tmp_path / "data")
    import_roster(store, tmp_path / "roster.csv")
    sweep, during = erasure._final_check, []

    def import_meanwhile(*args, **kwargs):  # the erasure's last step, after the roster row and records are gone
        try:
            during.append(import_roster(store, tmp_path / "roster.csv"))
        except FileRejected as refusal:
            during.append(refusal)
        return sweep(*args, **kwargs)

    monkeypatch.setattr(erasure, "_final_check", import_meanwhile)
    erase_employee(store, tmp_path / "reports", "H007")
    assert isinstance(during[0], FileRejected) and "H007" in str(during[0].problems[0])
    assert "H007" not in set(store.roster()[EMPLOYEE_ID])


def test_the_erased_id_in_another_case_is_refused_too(erased):
    """Found by a hostile import: after H007 was erased, a roster naming h007 added them as someone new
    ("would be added 1"), though ids that differ only in case name one person everywhere else."""
    store, files = erased
    before = tree(store.root)
    (files / "lower.csv").write_text(ROSTER.replace("H007", "h007"))
    with pytest.raises(FileRejected) as refusal:
        import_roster(store, files / "lower.csv")
    assert [(p.column, p.value) for p in refusal.value.problems] == [(EMPLOYEE_ID, "h007")]
    assert "h007 was erased on" in refusal.value.problems[0].message
    assert tree(store.root) == before
    # Added again on purpose: then neither spelling is on the list.
    assert import_roster(store, files / "lower.csv", allow_erased=True).added == 1
    assert store.erased_ids().erased_on("H007") is None and store.erased_ids().erased_on("h007") is None


def test_a_folder_erased_from_before_keeps_refusing_the_id_as_it_was_typed(erased):
    """Erasures written before ids were kept case-folded hold the hash of the id as typed: it still matches."""
    store, files = erased
    kept = json.loads(store.erased_path.read_text())
    ids = store.erased_ids()
    [(folded, day)] = kept["erased"].items()
    assert folded == ids.hash_of("h007") == ids.hash_of("H007")
    as_typed = hmac.new(bytes.fromhex(kept["salt"]), b"H007", hashlib.sha256).hexdigest()
    store.erased_path.write_text(json.dumps({**kept, "erased": {as_typed: day}}))
    assert store.erased_ids().erased_on("H007") == day
    with pytest.raises(FileRejected):
        import_roster(store, files / "roster.csv")
    store.forget_erased(["H007"])
    assert store.erased_ids().erased_on("H007") is None


def test_an_hr_export_listing_the_erased_person_as_a_leaver_imports_the_others_and_keeps_them_erased(erased):
    """HR systems keep their leavers in every export: after H007 left and was erased, each later export lists
    them as Terminated. Found by a hostile test: the row stopped the whole file, export after export. Their row is
    left out with a note (nothing of theirs comes back); someone erased listed as still here is refused as before."""
    store, files = erased
    today = dt.date.today()
    export = files / "workday.csv"
    export.write_text("Employee ID,Worker,Manager ID,Department,Job Title,Employee Status,Termination Date\n"
                      "H001,Ana Silva,C001,Engineering,Senior Engineer,Active,\n"
                      f"H007,Missed Target,C001,Engineering,Engineer,Terminated,{today - dt.timedelta(days=40)}\n"
                      "H009,Bo Chen,C001,Sales,Manager,Active,\n", encoding="utf-8")
    result = import_roster(store, export)
    assert (result.rows_read, result.rows_imported, result.updated) == (3, 2, 1)  # Ana's new role
    assert any("left out 1 row(s) of people erased earlier whom the file lists as having left (rows 3): they "
               "stay erased" in note for note in result.notes), result.notes
    assert "H007" not in store.roster_path.read_text(encoding="utf-8")
    assert "Missed Target" not in store.roster_path.read_text(encoding="utf-8")
    assert store.erased_ids().erased_on("H007") is not None
    # Listed as here (no status, a status of Active, or a leaving day still to come): refused as before.
    for status, left in (("Active", ""), ("Terminated", (today + dt.timedelta(days=30)).isoformat())):
        export.write_text("Employee ID,Worker,Manager ID,Department,Job Title,Employee Status,Termination Date\n"
                          f"H007,Missed Target,C001,Engineering,Engineer,{status},{left}\n", encoding="utf-8")
        before = tree(store.root)
        with pytest.raises(FileRejected, match="H007 was erased on"):
            import_roster(store, export)
        assert tree(store.root) == before
