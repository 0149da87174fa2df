"""A report batch into a reports folder of its own (``-o DIR``) and ``careerconv erase`` (found by a hostile test of
the batches: the batch did not put DIR on the data folder's list of reports folders, so an erasure without
``--reports`` left DIR/E0002/progress-*; and in deploy/kubernetes the data folder is read-only, so it could not)."""

from __future__ import annotations

import errno

import pytest

from careerconv import cli
from careerconv.records import kept_elsewhere
from report_org import AS_OF, make_six_person_org


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_an_erasure_reaches_the_reports_a_batch_made_in_a_folder_of_its_own(tmp_path, capsys):
    data, reports = tmp_path / "data", tmp_path / "elsewhere" / "reports"
    make_six_person_org(data)
    assert cli.main(["--data", str(data), "report", "E0002", "E0003", "--as-of", AS_OF, "-o", str(reports),
                     "--jobs", "1", "--quiet"]) == 0
    assert "warning" not in capsys.readouterr().err
    assert (reports / "E0002" / f"progress-{AS_OF}.html").is_file()

    assert cli.main(["--data", str(data), "erase", "--employee", "E0002", "--yes"]) == 0
    receipt = capsys.readouterr().out
    assert not (reports / "E0002").exists()
    assert f"{reports}/E0002/" in receipt  # the receipt says it was deleted there
    assert (reports / "E0003" / f"progress-{AS_OF}.html").is_file()  # nobody else's


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_batch_that_cannot_list_its_folder_says_how_to_erase_once(tmp_path, capsys, monkeypatch):
    """A read-only data folder (the Kubernetes Job mounts it so): the batch runs, and says once on stderr to erase
    with --reports naming its folder. Root writes a read-only folder, so the file system's refusal is stood in."""
    def read_only(*_args, **_kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(kept_elsewhere, "record", read_only)
    data, reports = tmp_path / "data", tmp_path / "reports-elsewhere"
    make_six_person_org(data)
    assert cli.main(["--data", str(data), "report", "E0002", "--as-of", AS_OF, "-o", str(reports), "--jobs", "1",
                     "--quiet"]) == 0
    err = capsys.readouterr().err
    assert err.count(f"erase with --reports {reports}") == 1
    assert "Read-only file system" in err and not (data / "reports-folders.json").exists()
    assert (reports / "E0002" / f"progress-{AS_OF}.html").is_file()


def test_a_batch_refused_before_any_report_leaves_the_data_folder_as_it_was(tmp_path, capsys):
    """The folder goes on the list once a report is made there: an id no one has makes none, and the data folder
    keeps no list naming a folder without reports."""
    data, reports = tmp_path / "data", tmp_path / "reports-elsewhere"
    make_six_person_org(data)
    before = sorted(p.name for p in data.iterdir())
    assert cli.main(["--data", str(data), "report", "E0999", "--as-of", AS_OF, "-o", str(reports), "--quiet"]) == 1
    assert "erase with --reports" not in capsys.readouterr().err
    assert sorted(p.name for p in data.iterdir()) == before
