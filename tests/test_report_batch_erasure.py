"""A report batch into a reports folder of its own (``-o DIR``) and ``careerconv erase``.

Found by a hostile test of the batches: after a batch with ``-o DIR``, an erasure without ``--reports`` left
DIR/E0002/progress-* without a word. A later hostile test found what putting DIR on the data folder's list of
reports folders does instead: a copy of the data folder (a test copy) erased in the original's reports, and every
later erasure searched every batch's folder. So the batch says how to erase there, and lists nothing.
"""

from __future__ import annotations

import pytest

from careerconv import cli
from careerconv.records import kept_elsewhere
from careerconv.records.store import Store
from report_org import AS_OF, make_six_person_org


def how_to_erase(reports) -> str:
    return f"to erase someone there too, run `careerconv erase --employee ID --reports {reports}` as well"


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_batch_in_a_folder_of_its_own_says_how_to_erase_there_and_the_erasure_told_so_cleans_it(tmp_path, capsys):
    data, reports = tmp_path / "data", tmp_path / "elsewhere" / "reports"
    make_six_person_org(data)
    assert cli.main(["--data", str(data), "report", "E0002", "E0003", "--as-of", AS_OF, "-o", str(reports),
                     "--jobs", "1", "--quiet"]) == 0
    assert capsys.readouterr().err.count(how_to_erase(reports)) == 1
    assert kept_elsewhere.recorded_reports_folders(Store(data)) == []  # nothing listed in the data folder

    assert cli.main(["--data", str(data), "erase", "--employee", "E0002", "--yes"]) in (0, 1)
    capsys.readouterr()
    assert (reports / "E0002").exists()  # not searched: the batch said so
    assert cli.main(["--data", str(data), "erase", "--employee", "E0002", "--yes", "--reports", str(reports)]) == 0
    receipt = capsys.readouterr().out
    assert not (reports / "E0002").exists()
    assert f"reports folder: {reports}" in receipt and "reports/E0002/" in receipt  # what it deleted there
    assert (reports / "E0003" / f"progress-{AS_OF}.html").is_file()  # nobody else's


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_batch_in_the_folder_beside_the_data_folder_or_one_listed_says_nothing(tmp_path, capsys):
    data = tmp_path / "data"
    make_six_person_org(data)
    assert cli.main(["--data", str(data), "report", "E0002", "--as-of", AS_OF, "--jobs", "1", "--quiet"]) == 0
    assert "careerconv erase" not in capsys.readouterr().err
    listed = tmp_path / "service-reports"
    listed.mkdir()
    kept_elsewhere.record_reports_folder(Store(data), listed)
    assert cli.main(["--data", str(data), "report", "E0002", "--as-of", AS_OF, "-o", str(listed), "--jobs", "1",
                     "--quiet"]) == 0
    assert "careerconv erase" not in capsys.readouterr().err


def test_a_batch_refused_before_any_report_says_nothing_of_erasing_and_leaves_the_data_folder(tmp_path, capsys):
    data, reports = tmp_path / "data", tmp_path / "reports-elsewhere"
    make_six_person_org(data)
    before = sorted(p.name for p in data.iterdir())
    assert cli.main(["--data", str(data), "report", "E0999", "--as-of", AS_OF, "-o", str(reports), "--quiet"]) == 1
    assert "careerconv erase" not in capsys.readouterr().err
    assert sorted(p.name for p in data.iterdir()) == before
