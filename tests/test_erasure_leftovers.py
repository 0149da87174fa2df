"""What an erasure left, or did when it should not have, found by a hostile test of ``careerconv erase``.

In a reports folder a records service marked, any ``<id>/progress-<day>.<anything>`` counted as careerconv's and was
deleted (a coach's ``progress-2026-10-01.docx``); a report folder named with the id in another case (``e0003/``) was
neither cleaned nor listed; an erasure run again, once the roster row was gone, searched by id alone, so a coachee's
report saying "Your coach: <name>" stayed; a listed folder whose mark is a link was said not to hold the mark at all;
an empty file put on the list of access logs had a line of JSON appended to it.

Every folder is as a person or the service leaves it: the service's reports folder is marked and listed as the
service does when it starts (``record_reports_folder``); the command is ``careerconv`` as an operator types it.
"""

from __future__ import annotations

import errno
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from careerconv.cli import main
from careerconv.records import erasure
from careerconv.records.kept_elsewhere import record_reports_folder
from careerconv.records.store import Store
from erasure_readers import Person, files_naming

DO_YUN = Person("E0003", "Do-yun Yoon", "doyun.yoon@example.org")  # on the sample roster, coached by E0020


@pytest.fixture
def hub_reports(sample_data: Path, tmp_path: Path) -> Path:
    """A records service's reports folder, marked and on the data folder's list, as the service leaves it."""
    folder = tmp_path / "hub-state" / "reports"
    folder.mkdir(parents=True)
    record_reports_folder(Store(sample_data), folder)
    return folder


def contents(folder: Path) -> dict[str, str]:
    """Every file under ``folder``, by its path there, with a hash of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


def erase(data: Path, *more: str, employee: str = "E0003") -> int:
    return main(["--data", str(data), "erase", "--employee", employee, "--yes", *more])


def joined(receipt: str) -> list[str]:
    return [" ".join(line.split()) for line in receipt.splitlines()]  # the receipt's columns, spaces aside


def test_in_a_marked_reports_folder_only_the_file_names_careerconv_writes_are_its_own(sample_data, hub_reports,
                                                                                        capsys):
    theirs = hub_reports / "E0003"
    theirs.mkdir()
    (theirs / "progress-2026-10-01.html").write_text("<h1>Do-yun Yoon</h1><p>Progress report</p>")
    (theirs / ".progress-2026-10-01.fingerprint").write_text("0123abcd\nbatch\n")
    (theirs / "progress-2026-10-01.ipynb").write_text('{"cells": [], "metadata": {}}')
    # What a coach put beside the report: named like it, but careerconv writes no such file.
    (theirs / "progress-2026-10-01.docx").write_bytes(b"PK\x03\x04 my notes on our talk")
    (theirs / "progress-2026-10-01.html.bak").write_text("<p>an older copy I kept</p>")
    (theirs / "progress-2026-10-01.pdf.sig").write_text("signature")
    kept = {name: digest for name, digest in contents(hub_reports).items()
            if name.rsplit("/", 1)[-1] in ("progress-2026-10-01.docx", "progress-2026-10-01.html.bak",
                                           "progress-2026-10-01.pdf.sig")}

    code = erase(sample_data)
    out, err = capsys.readouterr()
    assert code == 1
    assert contents(hub_reports) == {**kept, ".careerconv-reports-folder.json": contents(hub_reports)[
        ".careerconv-reports-folder.json"]}  # careerconv's three went; the person's three are as they were
    lines = joined(out)
    folder = hub_reports.resolve()
    assert f"{folder / 'E0003'}/ deleted (3 file(s) (their reports; the other files in it are listed on their " \
           "own))" in lines
    for name in ("progress-2026-10-01.docx", "progress-2026-10-01.html.bak", "progress-2026-10-01.pdf.sig"):
        assert f"{folder / 'E0003' / name}: its path carries the id" in lines
    assert "careerconv erase: 3 file(s) still mention E0003; see the end of the receipt" in err


def test_a_report_folder_named_with_the_id_in_another_case_is_theirs(sample_data, hub_reports, tmp_path, capsys):
    beside = tmp_path / "reports"  # the reports folder beside the data folder, the one erase is given
    for reports in (hub_reports, beside):
        lower = reports / "e0003"  # as a case-insensitive file system, or a person by hand, names it
        lower.mkdir(parents=True)
        (lower / "progress-2026-10-01.html").write_text("<h1>Progress report</h1><p>6 of 8 targets met</p>")
        (lower / ".progress-2026-10-01.fingerprint").write_text("0123abcd\nbatch\n")
        (lower / "notes.txt").write_text("talk about the move to the platform team\n")
        (reports / "E0004").mkdir()
        (reports / "E0004" / "progress-2026-10-01.html").write_text("<h1>Grace Davies</h1>")
    before = {reports: contents(reports) for reports in (hub_reports, beside)}

    code = erase(sample_data, "--reports", str(beside))
    out, err = capsys.readouterr()
    assert code == 1
    for reports in (hub_reports, beside):
        # careerconv's report and fingerprint went; the note someone left, and Grace's report, are as they were
        assert contents(reports) == {k: v for k, v in before[reports].items()
                                     if k not in ("e0003/progress-2026-10-01.html",
                                                  "e0003/.progress-2026-10-01.fingerprint")}
    lines = joined(out)
    for shown in ("reports/e0003/", f"{hub_reports.resolve() / 'e0003'}/"):  # the one named, then the listed one
        assert f"{shown} deleted (2 file(s) (their reports; the other files in it are listed on their own))" in lines
    assert "reports/e0003/notes.txt: in their report folder, named with their id in another case (e0003/); " \
           "careerconv did not write this file: look at it" in lines
    assert f"{hub_reports.resolve() / 'e0003' / 'notes.txt'}: in their report folder, named with their id in " \
           "another case (e0003/); careerconv did not write this file: look at it" in lines


def test_an_erasure_run_again_finds_them_by_the_name_and_email_the_first_one_kept_hashed(sample_data, hub_reports,
                                                                                          tmp_path, capsys):
    # Grace's report from when Do-yun was her coach names Do-yun by name alone; a note names them by email alone.
    (hub_reports / "E0004").mkdir()
    (hub_reports / "E0004" / "progress-2026-04-01.html").write_text(
        "<h1>Grace Davies</h1><p>Your coach: Do-yun Yoon.</p>")
    (hub_reports / "index-2026-04-01.html").write_text(
        "<table><tr><td>E0004</td><td>Grace Davies</td><td>ask DOYUN.YOON@example.org</td></tr></table>")
    unmounted = tmp_path / "unmounted"
    shutil.move(hub_reports, unmounted)  # the service's disk is not mounted when the first erasure runs

    assert erase(sample_data) == 1  # the listed folder is not there: named on the receipt
    first, _ = capsys.readouterr()
    assert "but there is no folder there (moved, or on a disk not mounted?)" in first
    erased = (sample_data / "erased.json").read_text()
    assert "Do-yun" not in erased and "doyun" not in erased.casefold() and "E0003" not in erased

    shutil.move(unmounted, hub_reports)  # mounted again
    assert files_naming(DO_YUN, hub_reports)
    assert erase(sample_data) == 0
    again, _ = capsys.readouterr()
    assert files_naming(DO_YUN, hub_reports) == [] and files_naming(DO_YUN, sample_data) == []
    assert not (hub_reports / "E0004" / "progress-2026-04-01.html").exists()
    lines = joined(again)
    assert lines[0].startswith("E0003 was erased from ")
    assert "searched for: the id, their name (found again: an earlier erasure of theirs kept a hash of it), their " \
           "email (found again: an earlier erasure of theirs kept a hash of it), the hash of the id older lock files " \
           "were named by" in lines
    assert f"{hub_reports.resolve() / 'E0004' / 'progress-2026-04-01.html'} deleted (generated; regenerate it)" \
        in lines
    # Nothing of them is left now: the hashes of the name and email go too.
    assert "known_as" not in json.loads((sample_data / "erased.json").read_text())


def test_an_erasure_stopped_by_a_full_disk_is_finished_by_their_name_and_email_too(sample_data, tmp_path,
                                                                                   monkeypatch, capsys):
    notes = sample_data / "notes"  # kept in the data folder by HR, by hand
    notes.mkdir()
    (notes / "one-to-ones.log").write_text("2026-04-01 Grace Davies: pairing with Do-yun Yoon\n"
                                           "2026-05-01 Grace Davies: demo of the importer\n")
    (notes / "mentors.csv").write_text("mentor,mentee\ndoyun.yoon@example.org,E0004\ngrace.davies@example.org,E0006\n")

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(erasure, "_sweep_file", disk_full)  # the disk fills up as the first file is cleaned
    with pytest.raises(OSError, match="did not finish"):
        erasure.erase_employee(Store(sample_data), tmp_path / "reports", "E0003")
    monkeypatch.undo()
    assert "E0003" not in set(Store(sample_data).roster()["employee_id"])  # the roster row, name and email, went

    assert erase(sample_data, "--reports", str(tmp_path / "reports")) == 0
    assert (notes / "one-to-ones.log").read_text() == ("2026-04-01 Grace Davies: pairing with [removed]\n"
                                                       "2026-05-01 Grace Davies: demo of the importer\n")
    assert (notes / "mentors.csv").read_text() == "mentor,mentee\ngrace.davies@example.org,E0006\n"
    assert files_naming(DO_YUN, sample_data) == []
    assert "known_as" not in json.loads((sample_data / "erased.json").read_text())


def test_a_complete_erasure_keeps_no_hash_of_their_name_or_email(sample_data, tmp_path, capsys):
    assert erase(sample_data, "--reports", str(tmp_path / "reports")) == 0
    kept = json.loads((sample_data / "erased.json").read_text())
    # Nothing of their name or email is kept; beside the id's hash, only the hashes of its number (to know 61 or
    # 0061 again for an erased E0061), for as long as the id's.
    assert set(kept) == {"version", "salt", "erased", "numbers"}
    assert set(kept["numbers"]) == set(kept["erased"])


def test_a_listed_folder_whose_mark_is_a_link_is_told_so(sample_data, hub_reports, tmp_path, capsys):
    other = tmp_path / "other-app"
    other.mkdir()
    (other / "E0003.txt").write_text("Do-yun Yoon: account 4711")
    (other / ".careerconv-reports-folder.json").symlink_to(hub_reports / ".careerconv-reports-folder.json")
    listed = json.loads((sample_data / "reports-folders.json").read_text())
    listed["reports_folders"].append(str(other))
    (sample_data / "reports-folders.json").write_text(json.dumps(listed))
    before = contents(other)

    assert erase(sample_data) == 1
    out, _ = capsys.readouterr()
    assert contents(other) == before and (other / ".careerconv-reports-folder.json").is_symlink()
    assert f"{other}: not a careerconv reports folder: left as it is (the data folder's list of reports folders " \
           "(reports-folders.json) names it, but its .careerconv-reports-folder.json is a link (to " \
           f"{hub_reports / '.careerconv-reports-folder.json'}), not the file a records service writes there, and a " \
           "mark copied or linked from another folder proves nothing: if it is a service's reports folder, delete " \
           "the link, start that service once, which marks it, and erase again; if not, take it off that list)" \
           in joined(out)


def test_an_empty_file_on_the_list_of_access_logs_is_not_written_to(sample_data, tmp_path, capsys):
    empty = tmp_path / "empty.txt"  # put on the list by hand; an empty file says nothing of being a log
    empty.write_bytes(b"")
    log = tmp_path / "access-log.jsonl"  # a log of a service, with a line about someone else
    line = {"at": "2026-10-01T09:00:00.000+00:00", "user": "e0020", "action": "read", "employee_id": "E0004",
            "record": None, "outcome": "allowed", "status": 200}
    log.write_text(json.dumps(line) + "\n")
    (sample_data / "access-logs.json").write_text(json.dumps({"version": 1, "access_logs": [str(empty), str(log)]}))

    assert erase(sample_data, "--reports", str(tmp_path / "reports")) == 0
    out, _ = capsys.readouterr()
    assert empty.read_bytes() == b""
    assert [json.loads(x)["action"] for x in log.read_text().splitlines()] == ["read", "erase"]
    lines = joined(out)
    assert f"{empty} left as it is: it is empty, so no line names them, and the line of this erasure was not added " \
           "(a file named as an access log is written to only when it holds a log's lines)" in lines
    assert any(x.startswith("Each log changed or left as it was, but an empty one, has a line saying that ")
               for x in lines)
