"""What leaves careerconv, attacked: exports, the due list, the calendar file, one person's export.

Each test here is a way a mistaken or hostile command broke an output or the data folder behind it, found by
a tester who did not write the code; the data is built through the package's own writing code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from careerconv.cli import main
from careerconv.records.store import Store
from orgs import make_small_org


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (locks aside) with the SHA-256 of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and ".locks" not in p.parts}


@pytest.fixture
def org(tmp_path: Path) -> Store:
    return make_small_org(tmp_path / "data")


# --------------------------------------------------------------------------- outputs into the data folder


def _into_data(data: Path) -> list[tuple[str, ...]]:
    part = next((data / "derived" / "skills").glob("part-*.parquet")).relative_to(data).as_posix()
    return [
        ("export", "roster", "-o", str(data / "roster.csv")),
        ("export", "conversations", "-o", str(data / "roster.csv")),
        ("export", "skills", "--format", "parquet", "-o", str(data / part)),
        ("export", "history", "-o", str(data / "conversations" / "E001" / "history.csv")),
        ("export", "roster", "-o", str(data / "derived" / ".." / "roster.xlsx")),
        ("due", "--as-of", "2026-06-01", "-o", str(data / "roster.csv")),
        ("due", "--as-of", "2026-06-01", "--ics", str(data / "conversations" / "E001" / "team.ics")),
        ("hr-report", "-o", str(data / "hr.html")),
        ("hr-report", "-o", str(data.parent / "hr.html"), "--csv", str(data / "derived")),
    ]


def test_an_output_into_the_data_folder_is_refused_and_nothing_is_written(org: Store, capsys):
    # 'careerconv due -o data/roster.csv' wrote the due list over the roster (13 employees, then none valid:
    # 'validate' listed 11 unknown columns) and 'export skills --format parquet -o data/derived/skills/part-01.parquet'
    # replaced a derived part with every employee's rows, both with exit 0.
    data = org.root
    before = fingerprint(data)
    for argv in _into_data(data):
        code, out, err = run(capsys, "--data", str(data), *argv)
        assert code == 1, (argv, err)
        assert "data folder" in err and str(data) in err and "outside" in err, (argv, err)
        assert fingerprint(data) == before, argv
    assert not (data.parent / "hr.html").exists()


def test_the_default_output_in_the_data_folder_is_refused(org: Store, capsys, monkeypatch):
    # Run from inside the data folder, 'careerconv --data DATA export roster' wrote its default ./roster.csv, the
    # formula-neutralised export, over the roster (exit 0): the store read it back as it was, so 11 departments
    # '=Dept' became "'=Dept" for good. 'export conversations -o roster.csv' left 18 problems for 'validate'.
    data = org.root
    roster = (data / "roster.csv").read_bytes()
    monkeypatch.chdir(data)
    code, _, err = run(capsys, "--data", str(data), "export", "roster")
    assert code == 1
    assert err == (f"careerconv export: error: -o/--output (not given: a file in the current folder) roster.csv is "
                   f"inside the data folder {data}, whose files careerconv keeps (it would replace or sit among the "
                   f"records); write it outside that folder, such as {data.parent / 'roster.csv'}\n")
    assert (data / "roster.csv").read_bytes() == roster


def test_an_output_beside_the_data_folder_is_written(org: Store, tmp_path: Path, capsys):
    data = org.root
    code, _, err = run(capsys, "--data", str(data), "export", "roster", "-o", str(tmp_path / "roster.csv"))
    assert code == 0, err
    code, _, err = run(capsys, "--data", str(data), "due", "--as-of", "2026-06-01", "-o", str(tmp_path / "due.csv"),
                       "--ics", str(tmp_path / "team.ics"))
    assert code == 0, err
    assert (tmp_path / "roster.csv").read_bytes().startswith(b"\xef\xbb\xbfemployee_id,")
    assert (tmp_path / "team.ics").read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")


# --------------------------------------------------------------------------- one person's export


def test_a_persons_export_into_the_reports_folder_is_refused(org: Store, tmp_path: Path, capsys):
    # Exported into reports/E001/, the export copied its own half-built folder into itself
    # (reports/.sar.partial-2l2i1xtk/...), and the next export of E001 held the whole previous one; E002's export
    # put into reports/E001/ became part of E001's: another person's records in a subject-access export.
    data, reports = org.root, tmp_path / "reports"
    (reports / "E001").mkdir(parents=True)
    (reports / "E001" / "progress-2026-06-01.html").write_text("<p>Ada's report</p>", encoding="utf-8")
    for who, where in (("E001", reports / "E001" / "sar"), ("E002", reports / "E001" / "E002"),
                       ("E001", reports / "exports" / "E001")):
        code, _, err = run(capsys, "--data", str(data), "export", "--employee", who, "--reports", str(reports),
                           str(where))
        assert code == 1, err
        assert f"inside the reports folder {reports}" in err, err
        assert not where.exists()
    assert sorted(p.relative_to(reports).as_posix() for p in reports.rglob("*")) == [
        "E001", "E001/progress-2026-06-01.html"]
    out = tmp_path / "sar"
    code, _, err = run(capsys, "--data", str(data), "export", "--employee", "E001", "--reports", str(reports),
                       str(out))
    assert code == 0, err
    assert sorted(p.relative_to(out / "reports").as_posix() for p in (out / "reports").rglob("*")) == [
        "progress-2026-06-01.html"]


def test_a_persons_export_that_cannot_be_written_says_where_and_why(org: Store, tmp_path: Path, capsys):
    # 'export --employee E001 afile/sub' said "[Errno 17] File exists: '.../afile'", and a folder that cannot be
    # made named a temp folder the user never asked for ("No such file or directory: '/proc/.x.partial-gjwoog2m'").
    data = org.root
    (tmp_path / "afile").write_text("not a folder", encoding="utf-8")
    code, _, err = run(capsys, "--data", str(data), "export", "--employee", "E001", str(tmp_path / "afile" / "sub"))
    assert code == 1
    assert err.strip() == (f"careerconv export: error: cannot write {tmp_path / 'afile' / 'sub'}: "
                           f"{tmp_path / 'afile'} is a file, not a folder")
    assert "partial" not in err and "Errno" not in err
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_persons_export_of_nobody_says_why(org: Store, tmp_path: Path, capsys):
    # 'export --employee e001' said only "nothing is held", where erase and report say the roster has 'E001';
    # an erased person's export did not say they were erased.
    data = org.root
    code, _, err = run(capsys, "--data", str(data), "export", "--employee", "e001", str(tmp_path / "a"))
    assert code == 1
    assert "nothing is held about employee 'e001'" in err and "(the roster has 'E001': ids are case-sensitive)" in err
    code, _, err = run(capsys, "--data", str(data), "erase", "--employee", "E002", "--yes", "--reports",
                       str(tmp_path / "reports"))
    assert code == 0, err
    code, _, err = run(capsys, "--data", str(data), "export", "--employee", "E002", str(tmp_path / "b"))
    assert code == 1
    assert "nothing is held about employee 'E002'" in err and "(erased on " in err
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


# --------------------------------------------------------------------------- ids Excel changes


@pytest.mark.parametrize("text, changed", [
    ("00123", True), ("1-2", True), ("2024-01-02", True), ("1/2/2024", True), ("1.2.2024", True), ("3-Mar", True),
    ("MAR-24", True), ("1E5", True), ("1e-5", True), ("1.50", True), ("123456789012", True),
    ("E0042", False), ("12345", False), ("0", False), ("1.5", False), ("E001-20250601", False),
    ("00123-20250601", False), ("a1", False), ("May-2024x", False),
])
def test_ids_excel_changes_on_opening_a_csv(text: str, changed: bool):
    from careerconv.records.spreadsheet import excel_changes

    assert excel_changes(text) is changed


def test_a_csv_with_ids_excel_changes_says_so_and_xlsx_keeps_them_as_text(tmp_path: Path, capsys):
    # Exported as CSV, a roster with ids 00123 and 1-2 (valid ids, which HR systems issue) opened in Excel as 123
    # and 2 Jan, and a file saved from it imported '2-Jan' as a new person; nothing said so.
    import openpyxl

    from orgs import roster

    store = Store(tmp_path / "data")
    store.save_roster(roster([("00123", "Zero Padded", "C01", "Eng", "Dev", 6), ("1-2", "Date Like", "C01", "Eng",
                                                                                 "Dev", 6),
                              ("E0042", "Plain", "C01", "Eng", "Dev", 6)]))
    data = str(store.root)
    code, _, err = run(capsys, "--data", data, "export", "roster", "-o", str(tmp_path / "roster.csv"))
    assert code == 0
    assert ("warning: 2 id(s) in column 'employee_id' ('00123', '1-2') look like numbers or dates, which Excel "
            "changes when it opens a CSV file") in err and "--format xlsx" in err
    assert "coach_id" not in err
    assert (tmp_path / "roster.csv").read_bytes().splitlines()[1].startswith(b"00123,")  # written as it is
    code, _, err = run(capsys, "--data", data, "due", "-o", str(tmp_path / "due.csv"))
    assert code == 0 and "2 id(s) in column 'employee_id' ('00123', '1-2')" in err
    code, _, err = run(capsys, "--data", data, "export", "roster", "-o", str(tmp_path / "roster.xlsx"))
    assert code == 0 and "warning" not in err
    sheet = openpyxl.load_workbook(tmp_path / "roster.xlsx").active
    assert [(c.value, c.data_type) for c in next(sheet.iter_cols(min_row=2, max_col=1))] == [
        ("00123", "s"), ("1-2", "s"), ("E0042", "s")]


# --------------------------------------------------------------------------- the calendar file

HOSTILE_NAMES = {
    "E001": "Eve\r\nBEGIN:VEVENT\r\nSUMMARY:pwned\r\nEND:VEVENT",
    "E002": "Line\u2028END:VEVENT\u2028BEGIN:VEVENT\u2028SUMMARY:injected",
    "E003": "Nel\x85END:VCALENDAR\u2029Para",
    "E004": '=HYPERLINK("http://x","y"), Smith; \\ back\x07\x1b[31m',
    "E005": "Zoë " + "🙂" * 30 + " שלום עולם " + "é" * 40,
}


def _unfolded_lines(data: bytes) -> list[str]:
    """Content lines by RFC 5545 3.1 read strictly: split at CRLF only, then unfolded."""
    text = data.decode("utf-8")
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def test_the_calendar_of_hostile_names_has_one_event_each_by_any_reader(tmp_path: Path, capsys):
    # A name holding Unicode's line separators ('\u2028END:VEVENT\u2028BEGIN:VEVENT') was written as it was: a
    # reader splitting lines as str.splitlines does (Python's own line splitting) read 'END:VEVENT' and
    # 'BEGIN:VEVENT' lines out of the name's text (the icalendar package splits at CRLF and was not fooled).
    import icalendar

    from orgs import roster

    store = Store(tmp_path / "data")
    store.save_roster(roster([(eid, name, "C01", "Eng", "Dev", 6) for eid, name in HOSTILE_NAMES.items()]))
    target = tmp_path / "team.ics"
    code, _, err = run(capsys, "--data", str(store.root), "due", "--as-of", "2026-06-01", "--coach", "C01",
                       "--ics", str(target), "-o", str(tmp_path / "due.json"))
    assert code == 0, err
    data = target.read_bytes()
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"") and b"\r" not in data.replace(
        b"\r\n", b"")
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    assert all(line.decode("utf-8") for line in data.split(b"\r\n")[:-1])  # no line cut inside a character
    expected = sorted(f"Career conversation: {name}" for name in HOSTILE_NAMES.values())
    cleaned = [s.replace("\r\n", "\n").replace("\x07", "").replace("\x1b", "") for s in expected]
    for c in ("\x85", "\u2028", "\u2029"):
        cleaned = [s.replace(c, "\n") for s in cleaned]
    strict = _unfolded_lines(data)
    assert [line for line in strict if line.startswith(("BEGIN:", "END:"))] == (
        ["BEGIN:VCALENDAR"] + ["BEGIN:VEVENT", "BEGIN:VALARM", "END:VALARM", "END:VEVENT"] * 5 + ["END:VCALENDAR"])
    # Python's str.splitlines splits at NEL and the Unicode separators as well as CR and LF: none may be left.
    loose = data.decode("utf-8").replace("\r\n ", "").splitlines()
    assert loose == strict
    events = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert sorted(str(e["SUMMARY"]) for e in events) == sorted(cleaned)
    assert {e["DTSTART"].dt for e in events} == {dt.date(2026, 6, 1)}
    assert len({str(e["UID"]) for e in events}) == 5


def test_a_killed_persons_export_is_removed_by_the_next_one(org: Store, tmp_path: Path, capsys):
    # SIGKILLed while it copied a 400 MB report, 'export --employee E001 --reports R killsar/E001' left
    # killsar/.E001.partial-p9mb11ec/ (253 MB, with E001's conversation and check-in records), hidden beside the
    # export; the next export succeeded and left it there, and erase does not look outside the data and reports
    # folders. The next export now removes what killed exports to the same folder left.
    import os

    data, out = org.root, tmp_path / "exports" / "E001"
    out.parent.mkdir()
    dead = [out.parent / ".E001.partial-p9mb11ec", out.parent / ".E001.partial-4194399-k2j3h4g5"]  # no such pid
    alive = out.parent / f".E001.partial-{os.getpid()}-a1b2c3d4"  # an export still being built
    other = out.parent / ".E002.partial-4194399-k2j3h4g5"  # another person's: not this export's to remove
    for folder in (*dead, alive, other):
        (folder / "conversations").mkdir(parents=True)
        (folder / "conversations" / "E001-20260302.json").write_text("{}", encoding="utf-8")
    code, _, err = run(capsys, "--data", str(data), "export", "--employee", "E001", str(out))
    assert code == 0, err
    assert sorted(p.name for p in out.parent.iterdir()) == sorted(["E001", alive.name, other.name])
    assert (out / "conversations" / "E001-20260302.json").is_file()


# --------------------------------------------------------------------------- where an output goes


def test_an_output_into_a_pipe_or_through_a_link_is_written_into_it(org: Store, tmp_path: Path, capsys):
    # 'export roster -o /dev/null' and 'due -o /dev/null' (and import's --rejected file, by the same code) wrote a
    # temp file in /dev and renamed it over the device: run as root, /dev/null became a regular file of 0 bytes and
    # /dev/full one of 891 bytes, for every program on the machine ("Wrote 13 row(s) of roster to /dev/full").
    # Tested here on a named pipe, which the same replace turned into a regular file no reader ever saw, and on
    # a link, which was replaced by a file instead of the file it points to.
    import os
    import stat

    data = str(org.root)
    for argv in (("export", "roster"), ("due", "--as-of", "2026-06-01", "--format", "csv")):
        fifo = tmp_path / f"{argv[0]}.pipe"
        os.mkfifo(fifo)
        reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a reader is there, as `cat` or `gzip` would be
        try:
            code, _, err = run(capsys, "--data", data, *argv, "-o", str(fifo))
            assert code == 0, err
            received = os.read(reader, 1 << 20)
        finally:
            os.close(reader)
        assert stat.S_ISFIFO(os.stat(fifo).st_mode), argv
        assert received.startswith(b"\xef\xbb\xbfemployee_id,"), argv
    real = tmp_path / "calendars" / "team.ics"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "latest.ics"
    link.symlink_to(real)
    code, _, err = run(capsys, "--data", data, "due", "--as-of", "2026-06-01", "--ics", str(link))
    assert code == 0, err
    assert link.is_symlink() and real.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
    assert sorted(p.name for p in real.parent.iterdir()) == ["team.ics"]


def test_a_full_disk_is_said_in_one_line_and_leaves_nothing(org: Store, tmp_path: Path, capsys, monkeypatch):
    # 'export roster -o /dev/full' (once it no longer replaced the device) ended in a traceback:
    # "OSError: cannot write /dev/full: no space left on device"; a full disk under a real file did the same,
    # with "[Errno 28] No space left on device" and no file name. Simulated here at the last step of the write.
    import errno
    import os

    from careerconv.records import store as store_module

    def full(src, dst):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(store_module.os, "replace", full)
    target = tmp_path / "out" / "roster.csv"
    code, out, err = run(capsys, "--data", str(org.root), "export", "roster", "-o", str(target))
    assert code == 1
    assert err == (f"careerconv export: error: cannot write {target}: no space left on device (in {target.parent}); "
                   "nothing was written; free some space on that disk, then try again\n")
    assert list(target.parent.iterdir()) == []


@pytest.mark.parametrize("argv", [("export", "skills"), ("export", "skills", "--format", "xlsx"), ("due",)])
def test_an_output_named_as_a_folder_is_a_usage_mistake(org: Store, tmp_path: Path, capsys, argv):
    # 'export skills -o newdir/' wrote a CSV file named 'newdir' (no folder, no extension); 'due -o newdir2/' the
    # same with the text table.
    target = f"{tmp_path / 'newdir'}/"
    with pytest.raises(SystemExit) as stop:
        main(["--data", str(org.root), *argv, "-o", target])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert f"-o {target} names a folder; give a file name, such as {tmp_path / 'newdir' / 'FILE.'}" in err
    assert not (tmp_path / "newdir").exists()
