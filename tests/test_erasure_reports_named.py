"""How ``careerconv erase`` treats the reports folder it is given, and what its receipt says about it.

Found by a hostile test of ``careerconv erase``:

- ``--reports`` naming a folder that was not there (a disk not mounted) erased them, said "none mentions the
  employee", and kept no hash of their name or email: erasing again with the right folder searched by id alone
  and left their name in a coachee's report. A folder named that is not there is now refused before anything is
  erased; the default folder beside the data folder, when missing, is said so on the receipt.
- A folder marked as a records service's reports folder lost a README and an archive a person kept there when it
  was named with ``--reports``, though reached through the data folder's list it kept and listed them.
- In a folder that is not marked, the receipt said the other files in their folder "are listed on their own" when
  they were deleted and never named, and named the folder twice.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from careerconv.cli import main
from careerconv.records.kept_elsewhere import record_reports_folder
from careerconv.records.store import Store
from erasure_readers import Person, files_naming

DO_YUN = Person("E0003", "Do-yun Yoon", "doyun.yoon@example.org")  # on the sample roster, coaches no one


def contents(folder: Path) -> dict[str, str]:
    """Every file under ``folder``, by its path there, with a hash of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def erase(data: Path, *more: str) -> int:
    return main(["--data", str(data), "erase", "--employee", "E0003", "--yes", *more])


def joined(receipt: str) -> list[str]:
    return [" ".join(line.split()) for line in receipt.splitlines()]  # the receipt's columns, spaces aside


def reports_with_a_persons_files(folder: Path) -> None:
    """Do-yun's report, a README and an archive HR keep beside it, Grace's report and the batch's index page."""
    (folder / "E0003").mkdir(parents=True)
    (folder / "E0003" / "progress-2026-10-01.html").write_text("<h1>Do-yun Yoon</h1>")
    (folder / "E0003" / "README-hr.txt").write_text("Kept by HR: the 2025 review is in the archive.\n")
    (folder / "E0003-archive").mkdir()
    (folder / "E0003-archive" / "plan.txt").write_text("Plan agreed in 2025.\n")
    (folder / "E0004").mkdir()
    (folder / "E0004" / "progress-2026-10-01.html").write_text("<h1>Grace Davies</h1>")
    (folder / "index-2026-10-01.html").write_text("<td>E0003</td><td>Do-yun Yoon</td><td>Grace Davies</td>")


@pytest.mark.parametrize("what", ["missing", "file"])
def test_a_reports_folder_named_that_is_not_a_folder_is_refused_before_anything_is_erased(sample_data, tmp_path,
                                                                                          capsys, what):
    named = tmp_path / "R8-notmounted"
    if what == "file":
        named.write_text("not a folder")
    before = contents(sample_data)

    assert erase(sample_data, "--reports", str(named)) == 1
    err = capsys.readouterr().err
    assert f"the reports folder {named} (named by flag --reports) is " in err
    assert ("is not there" if what == "missing" else "is a file, not a folder") in err
    assert "nothing was erased" in err
    assert contents(sample_data) == before  # the roster row, their records: all there, no erased list
    assert files_naming(DO_YUN, sample_data)


def test_the_reports_folder_beside_the_data_folder_missing_is_said_on_the_receipt(sample_data, tmp_path, capsys):
    beside = tmp_path / "reports"
    assert not beside.exists()
    assert erase(sample_data) == 0  # no reports made yet: normal
    receipt = capsys.readouterr().out
    assert f"  reports folder: {beside.resolve()} (not there, so not searched: no report was written there yet; " \
           "reports written elsewhere are searched when that folder is named with --reports)" in receipt.splitlines()
    assert files_naming(DO_YUN, sample_data) == []


def test_a_listed_reports_folder_not_there_keeps_their_name_to_find_it_when_named_later(sample_data, tmp_path,
                                                                                         capsys):
    hub = tmp_path / "hub-reports"
    hub.mkdir()
    record_reports_folder(Store(sample_data), hub)
    # The batch's page names them by name alone (no id): only their name can find it once their roster row is gone.
    (hub / "index-2026-10-01.html").write_text("<td>Grace Davies</td><td>coach of the week: Do-yun Yoon</td>")
    moved = tmp_path / "hub-reports-moved"
    hub.rename(moved)

    assert erase(sample_data) == 1
    assert "the data folder's list of reports folders (reports-folders.json) names it, but there is no folder " \
           "there" in capsys.readouterr().out
    kept = json.loads((sample_data / "erased.json").read_text())["known_as"]
    assert [sorted(v) for v in kept.values()] == [["email", "name", "name_capitals", "name_length", "name_words"]]

    assert erase(sample_data, "--reports", str(moved)) == 1  # the list still names the folder where it was
    assert "their name (found again: an earlier erasure of theirs kept a hash of it)" in capsys.readouterr().out
    assert files_naming(DO_YUN, moved) == []


@pytest.mark.parametrize("listed", [True, False], ids=["listed", "marked-only"])
def test_a_marked_reports_folder_named_with_reports_keeps_the_files_careerconv_did_not_write(sample_data, tmp_path,
                                                                                             capsys, listed):
    hub = tmp_path / "R16B"
    hub.mkdir()
    record_reports_folder(Store(sample_data), hub)
    if not listed:
        (sample_data / "reports-folders.json").unlink()
    reports_with_a_persons_files(hub)
    before = contents(hub)

    assert erase(sample_data, "--reports", str(hub)) == 1  # what is left names them by path: a person looks at it
    out = capsys.readouterr().out
    after = contents(hub)
    # careerconv's own files went: their report, and the index page naming them
    assert set(before) - set(after) == {"E0003/progress-2026-10-01.html", "index-2026-10-01.html"}
    # the person's files are there as they were, and listed
    for kept in ("E0003/README-hr.txt", "E0003-archive/plan.txt", "E0004/progress-2026-10-01.html"):
        assert after[kept] == before[kept]
    assert f"  {hub / 'E0003' / 'README-hr.txt'}: its path carries the id" in out.replace("reports/", f"{hub}/")
    assert f"  {hub / 'E0003-archive' / 'plan.txt'}: its path carries the id" in out.replace("reports/", f"{hub}/")


def test_an_ordinary_reports_folder_receipt_names_every_file_deleted_with_their_folder(sample_data, tmp_path,
                                                                                        capsys):
    reports = tmp_path / "my-reports"  # the operator's own folder, not marked: folders named with the id go whole
    reports_with_a_persons_files(reports)
    before = contents(reports)

    assert erase(sample_data, "--reports", str(reports)) == 0
    lines = joined(capsys.readouterr().out)
    assert set(before) - set(contents(reports)) == {"E0003/progress-2026-10-01.html", "E0003/README-hr.txt",
                                                    "E0003-archive/plan.txt", "index-2026-10-01.html"}
    assert [line for line in lines if line.startswith("reports/E0003")] == [
        "reports/E0003/ deleted (2 file(s): their 1 report file(s), and 1 other file(s) deleted with the folder, as "
        "it is named with the id: README-hr.txt)",
        "reports/E0003-archive/ deleted (folder named with the id, 1 file(s): plan.txt)",
    ]
    assert not any("listed on their own" in line for line in lines)
