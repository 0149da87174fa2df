"""The data folder's lists of what is kept elsewhere (reports-folders.json, access-logs.json) are not trusted blindly.

Found by a hostile test of ``careerconv erase``: the lists are files anyone who may write the data folder can edit,
and the command acted on whatever they named. A folder standing for /etc put on the list of reports folders was
cleaned as one (a VPN key in ``E0005-vpn/``, ``E0005.conf`` and every file naming the person deleted, ``aliases``
and ``hosts`` among them, "generated; regenerate it"); a parent folder on it lost another application's
``users/E0005/``; the data folder on it (through a link) lost a workbook whole instead of the person's row; a payroll
file on the list of access logs was rewritten. Now a listed reports folder is cleaned only when it holds the mark
the records service leaves in its own, and then only careerconv's files in it; the data folder keeps its own
rules; a file on the list of access logs is rewritten only when it is an access log.

The service is the real one (``service_harness``), which lists its own log and reports folder when it starts; the
command is ``careerconv`` as an operator types it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import openpyxl
import pytest

from careerconv.cli import main
from erasure_readers import Person, files_naming
from service_harness import RunningService

DO_YUN = Person("E0003", "Do-yun Yoon", "doyun.yoon@example.org")  # on the sample roster


@pytest.fixture()
def hub(tmp_path):
    """The records service of a hub whose state folder is ``hub-state``: its reports folder is hub-state/reports."""
    running = RunningService(tmp_path, reports=tmp_path / "hub-state" / "reports")
    yield running
    running.stop()


def contents(folder: Path) -> dict[str, str]:
    """Every file under ``folder``, by its path there, with a hash of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def put_on_list(data: Path, name: str, key: str, *places: Path) -> None:
    """Add ``places`` to one of the data folder's lists by hand, as someone editing the file would."""
    path = data / name
    listed = json.loads(path.read_text())[key] if path.exists() else []
    path.write_text(json.dumps({"version": 1, key: [*listed, *map(str, places)]}))


def plans_workbook(data: Path) -> None:
    """A workbook in the data folder (an import's source) with a row of Do-yun's and a row of Grace's."""
    book = openpyxl.Workbook()
    book.active.append(["employee_id", "plan"])
    book.active.append(["E0003", "Lead the API rewrite"])
    book.active.append(["E0004", "Mentor a new engineer"])
    (data / "notes").mkdir()
    book.save(data / "notes" / "plan.xlsx")


def plans(data: Path) -> list[list]:
    """The rows of that workbook, as openpyxl reads them."""
    return [[cell.value for cell in row] for row in openpyxl.load_workbook(data / "notes" / "plan.xlsx").active]


def erase(data: Path, *more: str) -> int:
    return main(["--data", str(data), "erase", "--employee", "E0003", "--yes", *more])


def joined(receipt: str) -> list[str]:
    return [" ".join(line.split()) for line in receipt.splitlines()]  # the receipt's columns, spaces aside


def test_a_folder_on_the_list_of_reports_folders_that_is_no_reports_folder_is_left_as_it_is(hub, tmp_path, capsys):
    etc = tmp_path / "fake_etc"  # stands for /etc
    (etc / "E0003-vpn").mkdir(parents=True)
    (etc / "E0003-vpn" / "client.key").write_text("key")
    (etc / "E0003.conf").write_text("server { listen 80; }")
    (etc / "aliases").write_text("doyun.yoon@example.org: dyoon\n")
    (etc / "hosts").write_text("# host of the engineers: Do-yun Yoon maintains it\n")
    (etc / "nginx" / "sites").mkdir(parents=True)
    (etc / "nginx" / "sites" / "index.html").write_text("<html><body>Page owner: Do-yun Yoon</body></html>")
    (tmp_path / "otherapp" / "users" / "E0003").mkdir(parents=True)
    (tmp_path / "otherapp" / "users" / "E0003" / "settings.txt").write_text("unrelated app data")
    (hub.reports / "E0003").mkdir()
    (hub.reports / "E0003" / "progress-2026-10-01.html").write_text("<h1>Do-yun Yoon</h1>")
    # The folder standing for /etc, and the parent of everything (the data folder's too), put on the list by hand.
    put_on_list(hub.data, "reports-folders.json", "reports_folders", etc, tmp_path)
    outside = {folder: contents(folder) for folder in (etc, tmp_path / "otherapp")}

    code = erase(hub.data)
    out, err = capsys.readouterr()
    assert {folder: contents(folder) for folder in outside} == outside  # not one file deleted or changed
    assert code == 1
    # The service's own reports folder, marked when it started, is cleaned; the data folder is.
    assert not (hub.reports / "E0003").exists()
    assert files_naming(DO_YUN, hub.data) == [] and files_naming(DO_YUN, hub.reports) == []
    lines = joined(out)
    assert f"reports folder: {hub.reports.resolve()} (on the data folder's list of reports folders)" in lines
    assert not [line for line in lines if line.startswith(f"reports folder: {etc}")]
    assert f"{etc}: not a careerconv reports folder: left as it is (the data folder's list of reports folders " \
           "(reports-folders.json) names it, but it does not hold the file .careerconv-reports-folder.json a records " \
           "service leaves in its reports folder: if it is one, start that service once, which marks it, and erase " \
           "again; if not, take it off that list)" in lines
    assert f"{tmp_path}: not a careerconv reports folder: left as it is (the data folder's list of reports folders " \
           "(reports-folders.json) names it, but it holds the data folder; erase again with --reports naming it if " \
           "reports about them are in it, and take it off that list)" in lines
    assert not [line for line in lines if "fake_etc/" in line or "otherapp" in line]
    assert "careerconv erase: 2 file(s) still mention E0003; see the end of the receipt" in err


def test_in_the_services_reports_folder_only_careerconvs_own_files_are_changed_or_deleted(hub, capsys):
    reports = hub.reports
    (reports / "E0003").mkdir()
    (reports / "E0003" / "progress-2026-10-01.html").write_text("<h1>Do-yun Yoon</h1>")
    (reports / "E0003" / ".progress-2026-10-01.fingerprint").write_text("0123abcd")
    (reports / "E0004").mkdir()
    (reports / "E0004" / "progress-2026-10-01.html").write_text("<h1>Grace Davies</h1>")
    (reports / "index-2026-10-01.html").write_text("<td>E0003</td><td>Do-yun Yoon</td><td>E0004</td>")
    # What someone else put in the folder: careerconv wrote none of it.
    (reports / "E0003" / "contract.pdf.txt").write_text("signed")
    (reports / "E0003-vpn").mkdir()
    (reports / "E0003-vpn" / "client.key").write_text("key")
    (reports / "archive").mkdir()
    (reports / "archive" / "E0003.conf").write_text("listen 80;")
    (reports / "archive" / "team.html").write_text("<p>Do-yun Yoon</p>")
    (reports / "archive" / "notes.txt").write_text("Ask doyun.yoon@example.org\n")
    theirs = {name: digest for name, digest in contents(reports).items()
              if name.startswith(("archive/", "E0003-vpn/")) or name == "E0003/contract.pdf.txt"}

    code = erase(hub.data)
    out = capsys.readouterr().out
    after = contents(reports)
    assert {name: after.get(name) for name in theirs} == theirs
    assert code == 1  # the files left as they are name them: a person must look at them
    assert sorted(after) == sorted([*theirs, "E0004/progress-2026-10-01.html", ".careerconv-reports-folder.json"])
    folder = reports.resolve()
    lines = joined(out)
    assert f"{folder / 'E0003'}/ deleted (2 file(s) (their reports; the other files in it are listed on their own))" \
        in lines
    assert f"{folder / 'index-2026-10-01.html'} deleted (generated; regenerate it)" in lines
    for name in ("E0003/contract.pdf.txt", "E0003-vpn", "archive/E0003.conf", "archive/team.html",
                 "archive/notes.txt"):
        assert not [line for line in lines if f"{folder / name}" in line and "deleted" in line]
    to_look_at = lines[lines.index("5 file(s) still mention the employee, or may, and need a person to look at them:"):]
    listed = [line for line in to_look_at if line.startswith(str(folder))]
    assert sorted(line.split(": ")[0] for line in listed) == \
        [str(folder / name) for name in ("E0003-vpn/client.key", "E0003/contract.pdf.txt", "archive/E0003.conf",
                                         "archive/notes.txt", "archive/team.html")]


@pytest.mark.parametrize("how", ["itself", "through a link"])
def test_the_data_folder_on_the_list_of_reports_folders_keeps_its_own_rules(hub, tmp_path, capsys, how):
    plans_workbook(hub.data)
    listed = hub.data
    if how == "through a link":
        listed = tmp_path / "data-link"
        listed.symlink_to(hub.data)
    put_on_list(hub.data, "reports-folders.json", "reports_folders", listed)

    assert erase(hub.data) == 0
    out = capsys.readouterr().out
    assert plans(hub.data) == [["employee_id", "plan"], ["E0004", "Mentor a new engineer"]]  # her row alone went
    lines = joined(out)
    assert "data/notes/plan.xlsx removed rows (1 row(s))" in lines
    assert "data/ left out as a reports folder (the data folder's list of reports folders (reports-folders.json) " \
           "names it, but it is the data folder, whose files keep the data folder's own rules (take it off that " \
           "list))" in lines
    assert not [line for line in lines if line.startswith(f"reports folder: {hub.data.resolve()}")]


def test_a_reports_folder_named_above_the_data_folder_is_refused_before_anything_is_erased(hub, capsys):
    """With ``--reports`` the folder that holds the data folder, a workbook in the data folder was deleted whole as a
    generated file of the reports folder, and (a second hostile test) another application's files beside the data
    folder were deleted or rewritten: such a folder is not a reports folder, and nothing is erased."""
    plans_workbook(hub.data)
    before = plans(hub.data)
    roster = (hub.data / "roster.csv").read_bytes()

    assert erase(hub.data, "--reports", str(hub.data.parent)) != 0
    assert f"the reports folder {hub.data.parent.resolve()} holds the data folder" in capsys.readouterr().err
    assert plans(hub.data) == before and len(before) == 3
    assert (hub.data / "roster.csv").read_bytes() == roster


@pytest.mark.parametrize("named", ["on the list", "with --access-log"])
def test_a_file_named_as_an_access_log_that_is_not_one_is_left_as_it_is(hub, tmp_path, capsys, named):
    payroll = tmp_path / "payroll.txt"
    payroll.write_bytes(b"E0003 Do-yun Yoon 4200.00\nE0004 Grace Davies 4100.00\n")
    before = payroll.read_bytes()
    if named == "on the list":
        put_on_list(hub.data, "access-logs.json", "access_logs", payroll)
        more = []
    else:
        more = ["--access-log", str(payroll)]
    hub.service.log.append("e0020", "read", "E0003", "allowed", 200, "conversation/E0003-20260101")

    code = erase(hub.data, *more)
    out, err = capsys.readouterr()
    assert payroll.read_bytes() == before  # not a byte changed, no line added
    assert code == 1
    lines = joined(out)
    assert f"{payroll} LEFT AS IT IS: not a careerconv access log (its first line is not a line of one: a JSON " \
           "object with at, user, action, employee_id, record, outcome, status); if it is not one, take it off the " \
           "data folder's list access-logs.json (or do not name it with --access-log)" in lines
    # The service's own log is rewritten and gets the line of the erasure.
    assert f"{hub.access_log.resolve()} 1 line(s) changed" in lines
    logged = [json.loads(line) for line in hub.access_log.read_bytes().splitlines()]
    assert not [entry for entry in logged if "E0003" in json.dumps(entry)]
    assert logged[-1]["action"] == "erase"
    assert f"careerconv erase: 1 file(s) named as access logs are not access logs and were left as they are: " \
           f"{payroll}; see the end of the receipt" in err


def test_a_deleted_file_without_an_ending_is_shown_as_a_file_not_a_folder(hub, capsys):
    reports = hub.data.parent / "reports"  # the reports folder beside the data folder, the command's own
    reports.mkdir()
    (reports / "team-page").write_bytes(b"\x00\x01 Do-yun Yoon")  # generated output without an ending

    erase(hub.data, "--reports", str(reports))
    lines = joined(capsys.readouterr().out)
    assert "reports/team-page deleted (generated; regenerate it)" in lines
    assert not [line for line in lines if "reports/team-page/" in line]


def test_a_file_whose_first_line_alone_is_a_log_line_is_left_as_it_is(hub, tmp_path, capsys):
    """Found by a second hostile test: a payroll file on the list whose first line was copied from a log was
    rewritten (her id became the pseudonym, her name and salary stayed) and the receipt said all was well."""
    payroll = tmp_path / "payroll.csv"
    payroll.write_bytes(b'{"at": "2026-09-01T10:00:00Z", "user": "admin", "action": "read", "employee_id": "E0002", '
                        b'"record": null, "outcome": "allowed", "status": 200}\n'
                        b"employee_id,name,salary\nE0003,Do-yun Yoon,51000\nE0002,Grace Brown,48000\n")
    before = payroll.read_bytes()
    put_on_list(hub.data, "access-logs.json", "access_logs", payroll)

    assert erase(hub.data) == 1
    assert payroll.read_bytes() == before
    assert f"{payroll} LEFT AS IT IS: not a careerconv access log (3 of its lines are not lines of one, JSON " \
           "objects, against 1 that are)" in " ".join(joined(capsys.readouterr().out))


def test_a_link_named_after_them_in_a_reports_folder_goes_and_what_it_points_at_stays(hub, tmp_path, capsys):
    """Found by a second hostile test: a link E0003 -> a folder elsewhere made erase delete the report files there,
    outside every reports folder, then stop on rmdir of the link ("Not a directory") on every run, her roster row
    already gone."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "progress-2026-01-01.html").write_text("someone else's page", encoding="utf-8")
    reports = hub.data.parent / "reports"
    reports.mkdir(exist_ok=True)
    (reports / "E0003").symlink_to(elsewhere, target_is_directory=True)

    assert erase(hub.data) == 0, capsys.readouterr()
    assert not (reports / "E0003").is_symlink() and not (reports / "E0003").exists()
    assert (elsewhere / "progress-2026-01-01.html").read_text(encoding="utf-8") == "someone else's page"
    assert "a link named after them (what it pointed at is left as it is)" in " ".join(
        joined(capsys.readouterr().out))


def test_a_folder_on_the_list_of_hub_states_that_no_hub_described_is_left_as_it_is(hub, tmp_path, capsys):
    """The hub's state holds its users' home folders, which an erasure removes: a folder put on the list by hand
    (standing for /home) loses nothing, not even the folder named after them."""
    home = tmp_path / "fake_home"
    (home / "e0003").mkdir(parents=True)
    (home / "e0003" / "notes.txt").write_text("Do-yun's own notes")
    (home / "groups.json").write_text(json.dumps({"coaches": ["e0003", "e0001"]}))
    put_on_list(hub.data, "hub-states.json", "hub_states", home)
    before = contents(home)

    code = erase(hub.data)
    out, err = capsys.readouterr()
    assert contents(home) == before
    assert code == 1
    assert f"{home} LEFT AS IT IS: not a careerconv hub's state folder (it holds no careerconv-hub.json, which the " \
           "hub's configuration writes into its state folder when it starts: if it is one, start that hub once and " \
           "erase again; if not, take it off the data folder's hub-states.json)" in joined(out)
    assert f"careerconv erase: 1 hub state folder(s) may still name E0003: {home}" in err
