"""Erasing someone while a report batch runs: the batch writes nothing about them afterwards.

The erasure is made to land at a chosen moment of a real batch (warm kernel,
papermill, the local executor's writer thread): a hook around the execution of
one report erases an employee right after it. The receipt must stay true:
once it says no file mentions them, no report, failed notebook or index line
about them may appear.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from careerconv.records.erasure import erase_employee
from careerconv.records.schema import EMPLOYEE_ID
from careerconv.records.store import Store
from careerconv.surfaces.report import runner
from careerconv.surfaces.report.runner import run_batch
from erasure_readers import Person, files_naming, readable

AS_OF = "2026-10-01"
FIRST, ERASED_ID, LAST = "E0002", "E0013", "E0006"  # E0013 (Milena Jurić) coaches no one: she can be erased


def erase_after_executing(monkeypatch, data: Path, reports: Path, after: str, receipts: list) -> None:
    """Erase ERASED_ID as soon as the report of ``after`` has executed on its kernel (before it is written)."""
    execute = runner._execute_job

    def execute_then_erase(kernel, job, *args, **kwargs):
        execute(kernel, job, *args, **kwargs)
        if job.outcome.employee_id == after:
            receipts.append(erase_employee(Store(data), reports, ERASED_ID))

    monkeypatch.setattr(runner, "_execute_job", execute_then_erase)


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize("after", [FIRST, ERASED_ID], ids=["before-their-report", "their-report-executed"])
def test_nothing_about_someone_erased_during_a_batch_is_written_after_the_receipt(sample_data, tmp_path,
                                                                                  monkeypatch, after):
    roster = Store(sample_data).roster().set_index(EMPLOYEE_ID)
    person = Person(ERASED_ID, roster.loc[ERASED_ID, "name"], roster.loc[ERASED_ID, "email"])
    reports = tmp_path / "reports"
    receipts: list = []
    erase_after_executing(monkeypatch, sample_data, reports, after, receipts)

    result = run_batch(sample_data, [FIRST, ERASED_ID, LAST], AS_OF, reports_dir=reports, jobs=1, progress=False)

    [receipt] = receipts
    assert receipt.complete, str(receipt)
    assert files_naming(person, reports, sample_data) == []
    assert not (reports / ERASED_ID).exists()
    assert result.erased == 1
    assert [(o.employee_id, o.status) for o in result.outcomes] == [(FIRST, "made"), (LAST, "made")]
    index = readable(result.index_path)
    assert FIRST in index and LAST in index and not person.named_in(index)



@pytest.mark.slow
@pytest.mark.timeout(600)
def test_someone_asked_for_after_their_erasure_is_named_only_on_the_terminal(sample_data, tmp_path, capsys):
    """An id typed after its erasure gets no report and no index line (the index is a file the erasure promised
    would not name them again), the terminal says when they were erased, and the exit code is 1."""
    from careerconv import cli

    roster = Store(sample_data).roster().set_index(EMPLOYEE_ID)
    person = Person(ERASED_ID, roster.loc[ERASED_ID, "name"], roster.loc[ERASED_ID, "email"])
    reports = tmp_path / "reports"
    assert erase_employee(Store(sample_data), reports, ERASED_ID).complete

    code = cli.main(["--data", str(sample_data), "report", "--as-of", AS_OF, "-o", str(reports), "--no-pdf",
                     FIRST, ERASED_ID])
    out, err = capsys.readouterr()
    assert code == 1
    assert f"{ERASED_ID}: erased on " in err and "had been erased" in err
    assert "1 report(s) made" in out and "0 failed" in out
    assert files_naming(person, reports, sample_data) == []
    assert not (reports / ERASED_ID).exists()

    # Asked for alone, they leave the day's index as the batch before wrote it (not an empty page in its place).
    index = reports / f"index-{AS_OF}.html"
    before = index.read_bytes()
    result = run_batch(sample_data, [ERASED_ID], AS_OF, reports_dir=reports, jobs=1, progress=False)
    assert result.outcomes == [] and list(result.erased_before) == [ERASED_ID] and result.erased == 0
    assert result.index_path == index and index.read_bytes() == before and FIRST in readable(index)
    # Without an index of the day, none is written.
    index.unlink()
    assert run_batch(sample_data, [ERASED_ID], AS_OF, reports_dir=reports, jobs=1, progress=False).index_path is None
    assert not index.exists()
