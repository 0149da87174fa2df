"""The import / export / erase commands as a user runs them: messages on stderr, exit codes, no tracebacks."""

from __future__ import annotations

import csv
import datetime as dt
import errno
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import psutil
import pytest

from careerconv.cli import main, parse_command_line

ROSTER = ("employee_id,name,coach_id,department,role,cadence_months,email\n"
          "E001,Ana Silva,C01,Engineering,Developer,6,ana@example.org\n"
          "E002,Bo Chen,C01,Engineering,Tester,12,\n")
HISTORY = ("employee_id,date,skill,rating,target_6m,target_12m,target_18m\n"
           "E001,03/04/2023,Python,5,6,7,8\n"
           "E002,05/06/2023,Python,7,,,\n")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()} if folder.exists() else {}


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "roster.csv").write_text(ROSTER)
    (tmp_path / "history.csv").write_text(HISTORY)
    return tmp_path


@pytest.fixture
def data(files: Path, capsys) -> Path:
    data = files / "data"
    assert run(capsys, "--data", str(data), "import", "roster", str(files / "roster.csv"))[0] == 0
    assert run(capsys, "--data", str(data), "import", "history", str(files / "history.csv"), "--date-order",
               "dmy")[0] == 0
    return data


# --------------------------------------------------------------------------- import


def test_import_roster_prints_counts_and_is_idempotent(files: Path, capsys):
    data = files / "data"
    code, out, err = run(capsys, "--data", str(data), "import", "roster", str(files / "roster.csv"))
    assert (code, err) == (0, "")
    assert "CSV, UTF-8, comma-separated, 2 data rows" in out
    assert "Employees: added 2, updated 0, unchanged 0" in out
    before = tree(data)
    code, out, _ = run(capsys, "--data", str(data), "import", "roster", str(files / "roster.csv"))
    assert code == 0 and "added 0, updated 0, unchanged 2" in out
    assert tree(data) == before


def test_messy_roster_lists_every_problem_and_writes_nothing(files: Path, capsys):
    messy = files / "messy.csv"
    messy.write_text("Employee ID,name,coach_id,department,role,cadence_months\n"
                     "../../etc/passwd,Bob,C1,Eng,Dev,12\n"
                     "CON,Dee,C1,Eng,Dev,7\n"
                     " E5,Eve,C1,Ops,Dev,6\n"
                     "E6,Fay,C1,Ops,Dev,6\n")
    data = files / "data"
    code, out, err = run(capsys, "--data", str(data), "import", "roster", str(messy))
    assert code == 1 and out == ""
    assert "Traceback" not in err
    assert err.startswith(f"careerconv import: {messy}: 4 problem(s) in 3 of 4 rows; nothing was written:")
    assert f"{messy}, row 2, column 'Employee ID', value '../../etc/passwd': employee id may only use" in err
    assert "row 3, column 'cadence_months', value '7': cadence must be 6 or 12 (months)" in err
    assert "row 4, column 'Employee ID', value ' E5': employee id has leading or trailing whitespace" in err
    assert "pass --skip-invalid to import the 1 valid row(s)" in err
    assert not data.exists()


def test_skip_invalid_and_rejected_file(files: Path, capsys):
    """--skip-invalid imports the valid rows and writes the rejected ones with their reasons; it exited 0, so a
    script running the import nightly never noticed rows left out. Now it says on stderr how many and where they
    are, and exits 1, as a report batch does past a report that failed; -q does not hide it, and a dry run says
    the same of what it would do."""
    messy = files / "messy.csv"
    messy.write_text(ROSTER + "CON,Dee,C1,Eng,Dev,7,\n")
    data = files / "data"
    code, out, err = run(capsys, "--data", str(data), "import", "roster", str(messy), "--skip-invalid",
                         "--rejected", str(files / "fix.csv"))
    assert code == 1
    assert err == f"careerconv import: 1 of 3 row(s) rejected and not imported (2 were imported); they are in " \
        f"{files / 'fix.csv'}, each with its reason\n"
    assert "added 2" in out and f"Rejected 1 row(s), written with the reason for each to {files / 'fix.csv'}" in out
    assert "reserved device name" in (files / "fix.csv").read_text(encoding="utf-8-sig")
    assert sorted(pd.read_csv(data / "roster.csv", dtype=str)["employee_id"]) == ["E001", "E002"]
    code, out, err = run(capsys, "-q", "--data", str(data), "import", "roster", str(messy), "--skip-invalid",
                         "--dry-run")
    assert code == 1 and "(2 would be imported); the summary lists them (a dry run writes nothing)" in err
    code, _, err = run(capsys, "--data", str(data), "import", "roster", str(files / "roster.csv"), "--skip-invalid")
    assert (code, err) == (0, "")


def test_all_rows_rejected_exits_non_zero(files: Path, capsys):
    messy = files / "messy.csv"
    messy.write_text("employee_id,name,coach_id,department,role,cadence_months\nCON,Dee,C1,Eng,Dev,7\n")
    code, out, _ = run(capsys, "--data", str(files / "data"), "import", "roster", str(messy), "--skip-invalid")
    assert code == 1 and "added 0" in out and (files / "messy.rejected.csv").exists()


def test_dry_run(files: Path, capsys):
    data = files / "data"
    code, out, _ = run(capsys, "--data", str(data), "import", "roster", str(files / "roster.csv"), "--dry-run")
    assert code == 0 and "Dry run, nothing was written" in out and "would be added 2" in out
    assert not data.exists()


def test_import_errors_are_one_line_messages(files: Path, capsys):
    data = str(files / "data")
    code, _, err = run(capsys, "--data", data, "import", "roster", str(files / "nope.csv"))
    assert code == 1 and err == f"careerconv import: error: {files / 'nope.csv'}: no such file\n"
    (files / "empty.csv").write_text("")
    code, _, err = run(capsys, "--data", data, "import", "roster", str(files / "empty.csv"))
    assert code == 1 and "is empty; the first row must name the columns (required: employee_id, name, " in err
    assert "; optional: cadence_months, email, left_on, last_day, employment_status, contract_end, coach_name, started_on)" in err
    assert "supervisor" not in err  # not every alias HR systems use
    code, _, err = run(capsys, "--data", data, "import", "history", str(files / "history.csv"))
    assert code == 1 and "the roster is empty: import the roster first" in err
    code, _, err = run(capsys, "--data", data, "import", "roster", str(files))
    assert code == 1 and "is a folder, not a file" in err


def test_history_dates_need_an_order(files: Path, capsys):
    data = str(files / "data")
    run(capsys, "--data", data, "import", "roster", str(files / "roster.csv"))
    code, _, err = run(capsys, "--data", data, "import", "history", str(files / "history.csv"))
    assert code == 1
    assert "row 2, column 'date', value '03/04/2023': day and month order is ambiguous" in err
    assert "--date-order dmy|mdy" in err
    code, out, _ = run(capsys, "--data", data, "import", "history", str(files / "history.csv"), "--date-order", "mdy")
    assert code == 0 and "read as MM/DD/YYYY (--date-order mdy)" in out and "Conversations: added 2" in out
    with pytest.raises(SystemExit) as exc:
        main(["--data", data, "import", "history", str(files / "history.csv"), "--date-order", "ymd"])
    assert exc.value.code == 2
    assert "invalid choice: 'ymd'" in capsys.readouterr().err


def test_bom_and_cp1252_files_from_the_command_line(files: Path, capsys):
    data = str(files / "data")
    (files / "bom.csv").write_bytes(b"\xef\xbb\xbf" + ROSTER.encode())
    code, out, _ = run(capsys, "--data", data, "import", "roster", str(files / "bom.csv"))
    assert code == 0 and "UTF-8 with BOM" in out
    (files / "win.csv").write_bytes(ROSTER.replace("Ana Silva", "Anaïs Sørensen").encode("cp1252"))
    code, out, _ = run(capsys, "--data", data, "import", "roster", str(files / "win.csv"))
    assert code == 0 and "Windows-1252" in out and "updated 1" in out
    roster = pd.read_csv(Path(data) / "roster.csv", dtype=str)
    assert "Anaïs Sørensen" in set(roster["name"])


def test_import_sheet_names_the_sheet_of_a_workbook_with_several(files: Path, capsys):
    """A workbook holding this year's and last year's roster: refused without --sheet, read with it."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "2025"
    for year in ("2025", "2026"):
        sheet = book[year] if year in book.sheetnames else book.create_sheet(year)
        for line in ROSTER.replace("Developer", f"Developer {year}").splitlines():
            sheet.append(line.split(","))
    book.save(files / "rosters.xlsx")
    data = str(files / "data")
    code, _, err = run(capsys, "--data", data, "import", "roster", str(files / "rosters.xlsx"))
    assert code == 1 and "has 2 sheets that look like a roster file ('2025', '2026'" in err and "--sheet NAME" in err
    assert not (files / "data" / "roster.csv").exists()
    code, out, err = run(capsys, "--data", data, "import", "roster", str(files / "rosters.xlsx"), "--sheet", "2026")
    assert (code, err) == (0, "") and "Excel workbook, sheet '2026', 2 data rows" in out
    assert "Note: read sheet '2026' (as asked) and ignored the other 1: '2025'" in out
    assert set(pd.read_csv(files / "data" / "roster.csv", dtype=str)["role"]) == {"Developer 2026", "Tester"}


# --------------------------------------------------------------------------- export


def test_export_table_csv_and_parquet(data: Path, files: Path, capsys, monkeypatch):
    code, out, err = run(capsys, "--data", str(data), "export", "skill_ratings", "--format", "parquet",
                         "-o", str(files / "r.parquet"))
    # The status line is on stderr; stdout is left for results.
    assert (code, out) == (0, "") and "Wrote 2 row(s) of skill_ratings" in err
    assert len(pd.read_parquet(files / "r.parquet")) == 2
    monkeypatch.chdir(files)
    code, out, _ = run(capsys, "--data", str(data), "export", "history")
    assert code == 0 and (files / "history.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(files / "history.csv", dtype=str, encoding="utf-8-sig")
    assert list(back["date"]) == ["2023-04-03", "2023-06-05"]


def test_export_usage_errors(data: Path, files: Path, capsys):
    for argv, message in ((["export"], "name the table to export"),
                          (["export", "nope"], "unknown table 'nope'; tables are: roster"),
                          (["export", "--employee", "E001"], "--employee needs the folder"),
                          (["export", "--employee", "E001", "x", "--format", "csv"], "--format and -o are for tables")):
        with pytest.raises(SystemExit) as exc:
            main(["--data", str(data), *argv])
        assert exc.value.code == 2
        assert message in capsys.readouterr().err


@pytest.mark.parametrize("name, magic", [("r.xlsx", b"PK\x03\x04"), ("r.PARQUET", b"PAR1"),
                                         ("r.csv", b"\xef\xbb\xbf"), ("r.txt", b"\xef\xbb\xbf")])
def test_export_writes_the_format_its_file_name_ends_in(data: Path, files: Path, capsys, name: str, magic: bytes):
    """A hostile tester's `-o r.xlsx` wrote CSV text into a file Excel then refuses to open; a name ending in
    no format of the export's is written as CSV."""
    code, _, err = run(capsys, "--data", str(data), "export", "skill_ratings", "-o", str(files / name))
    assert code == 0 and (files / name).read_bytes().startswith(magic)


def test_export_refuses_a_format_its_file_name_contradicts(data: Path, files: Path, capsys):
    """`--format xlsx -o r.csv` wrote a workbook named .csv; now nothing is written and the message says how."""
    with pytest.raises(SystemExit) as exc:
        main(["--data", str(data), "export", "skill_ratings", "--format", "xlsx", "-o", str(files / "r.csv")])
    assert exc.value.code == 2
    assert ("-o " + str(files / "r.csv") + " ends in .csv but --format is xlsx; name the file r.xlsx or leave out "
            "--format") in capsys.readouterr().err
    assert not (files / "r.csv").exists()


@pytest.mark.parametrize("argv, name, suggested", [([], "r.json", "r.csv"), (["--format", "xlsx"], "r.html", "r.xlsx"),
                                                  (["--format", "parquet"], "r.ICS", "r.parquet")])
def test_export_refuses_a_file_name_of_a_format_it_does_not_write(data: Path, files: Path, capsys, argv, name,
                                                                   suggested):
    """`-o r.json` wrote CSV into a file every JSON reader then refused (`due` has the same rule)."""
    with pytest.raises(SystemExit) as exc:
        main(["--data", str(data), "export", "skill_ratings", *argv, "-o", str(files / name)])
    assert exc.value.code == 2
    suffix = name.rsplit(".", 1)[1].lower()
    assert (f"-o {files / name} ends in .{suffix}, which this command does not write (it writes csv, parquet or "
            f"xlsx); name the file {suggested}") in capsys.readouterr().err
    assert not (files / name).exists()


def test_export_employee(data: Path, files: Path, capsys):
    out_dir = files / "ana"
    code, out, err = run(capsys, "--data", str(data), "export", "--employee", "E001", str(out_dir))
    assert code == 0 and out == "" and f"Exported everything held about E001 to {out_dir}" in err
    assert (out_dir / "conversations" / "E001-h20230403.json").exists()
    manifest = json.loads((out_dir / "manifest.json").read_text())
    assert manifest["employee_id"] == "E001"
    code, _, err = run(capsys, "--data", str(data), "export", "--employee", "E001", str(out_dir))
    assert code == 1 and "already exists and is not an empty folder" in err
    code, _, err = run(capsys, "--data", str(data), "export", "--employee", "E404", str(files / "e404"))
    assert code == 1 and err == "careerconv export: error: nothing is held about employee 'E404': not on the " \
                                "roster, no records, no reports\n"


# --------------------------------------------------------------------------- erase


def test_erase_refuses_without_a_terminal(data: Path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("E001\n"))
    before = tree(data)
    code, out, err = run(capsys, "--data", str(data), "erase", "--employee", "E001")
    assert code == 1 and "pass --yes" in err and "not a terminal" in err
    assert tree(data) == before


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_erase_asks_on_a_terminal(data: Path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", _Terminal("no\n"))
    before = tree(data)
    code, out, err = run(capsys, "--data", str(data), "erase", "--employee", "E001")
    assert code == 1 and out == "" and "Type E001 to confirm" in err and "Not confirmed; nothing was erased" in err
    assert tree(data) == before
    monkeypatch.setattr(sys, "stdin", _Terminal("E001\n"))
    code, out, err = run(capsys, "--data", str(data), "erase", "--employee", "E001")
    assert code == 0 and "Erased employee E001." in out


def test_erase_with_yes_prints_the_receipt(data: Path, files: Path, capsys):
    reports = files / "reports"
    (reports / "E001").mkdir(parents=True)
    (reports / "E001" / "progress.html").write_text("<p>Ana Silva</p>")
    code, out, err = run(capsys, "--data", str(data), "erase", "--employee", "E001", "--yes",
                         "--reports", str(reports))
    assert (code, err) == (0, "")
    assert "data/roster.csv" in out and "removed their row" in out and "reports/E001/" in out
    assert "none mentions the employee" in out
    for path in [*data.rglob("*"), *reports.rglob("*")]:
        if path.is_file():
            assert b"E001" not in path.read_bytes() and b"Ana Silva" not in path.read_bytes(), path
    # Erased already: an erasure again looks for what is left, and says so.
    code, out, err = run(capsys, "--data", str(data), "erase", "--employee", "E001", "--yes")
    assert (code, err) == (0, "") and out.startswith(f"E001 was erased from {data.resolve()} on ")
    code, _, err = run(capsys, "--data", str(data), "erase", "--employee", "E009", "--yes")
    assert code == 1 and err == "careerconv erase: error: employee 'E009' is not on the roster and nothing is " \
                                "held about them; nothing was erased\n"
    code, _, err = run(capsys, "--data", str(data), "erase", "--employee", "../../etc/passwd", "--yes")
    assert code == 1 and "employee id may only use letters" in err


def test_importing_last_months_files_after_an_erase_does_not_bring_the_person_back(data: Path, files: Path,
                                                                                    capsys):
    """The tester's sequence: import roster and history, erase E001, import the same two files again. It said
    "Employees: added 1", "Conversations: added 1" without a word; now both are refused, naming the id, the day
    and --allow-erased, and the folder is left byte for byte; --allow-erased adds them again on purpose."""
    roster, history = str(files / "roster.csv"), str(files / "history.csv")
    assert run(capsys, "--data", str(data), "erase", "--employee", "E001", "--yes")[0] == 0
    before = tree(data)
    today = dt.date.today().isoformat()
    code, out, err = run(capsys, "--data", str(data), "import", "roster", roster)
    assert (code, out) == (1, "")
    assert f"row 2, column 'employee_id', value 'E001': employee E001 was erased on {today} (careerconv erase); " \
           "to add them again on purpose, import the file again with --allow-erased" in err
    code, out, err = run(capsys, "--data", str(data), "import", "history", history, "--date-order", "dmy")
    assert (code, out) == (1, "") and f"employee E001 was erased on {today}" in err
    assert tree(data) == before
    assert b"E001" not in b"".join(before.values())
    code, out, err = run(capsys, "--data", str(data), "import", "roster", roster, "--allow-erased")
    assert code == 0 and "Employees: added 1, updated 0, unchanged 1" in out
    assert "1 erased id(s) added again on purpose (allowed): E001" in out
    code, out, err = run(capsys, "--data", str(data), "import", "history", history, "--date-order", "dmy")
    assert code == 0 and "Conversations: added 1, updated 0, unchanged 1" in out


def test_an_id_in_the_wrong_case_is_answered_with_the_one_on_the_roster(data: Path, files: Path, capsys):
    """A hostile tester's `erase --employee e001` only said nothing is held about 'e001'; the roster has E001.
    So do a progress report and the store's lookup; nothing is erased or written."""
    from careerconv.records.store import NotFound, Store

    hint = "(the roster has 'E001': ids are case-sensitive)"
    before = tree(data)
    code, _, err = run(capsys, "--data", str(data), "erase", "--employee", "e001", "--yes")
    assert code == 1
    assert err == ("careerconv erase: error: employee 'e001' is not on the roster and nothing is held about them "
                   f"{hint}; nothing was erased\n")
    code, _, err = run(capsys, "--data", str(data), "report", "e001", "-o", str(files / "reports"))
    assert code == 1 and f"employee 'e001' is not on the roster and has no records {hint}" in err
    with pytest.raises(NotFound) as exc:
        Store(data).employee("e001")
    assert exc.value.args[0] == f"employee 'e001' is not on the roster {hint}"
    assert tree(data) == before


@pytest.mark.parametrize("argv, written", [
    (["export", "conversations", "-o"], "x.csv"), (["due", "-o"], "due.csv"),
    (["hr-report", "--as-of", "2024-01-01", "-o"], "hr.html"), (["report", "--all", "-o"], "reports")])
def test_an_output_inside_a_file_is_named_with_the_file_in_the_way(data: Path, files: Path, capsys,
                                                                    argv: list[str], written: str):
    """A hostile tester's output paths: one inside a file gave '[Errno 17] File exists' or a NotADirectoryError
    traceback; an unwritable folder named the hidden temp file instead of the output."""
    target = files / "roster.csv" / written
    code, out, err = run(capsys, "--data", str(data), *argv, str(target))
    assert code == 1 and "Traceback" not in err
    what = "reports folder" if argv[0] == "report" else "cannot write"
    assert f"{what} {target}" in err and f"{files / 'roster.csv'}" in err and "is a file, not a folder" in err


def test_an_unwritable_output_is_named_not_its_temp_file(data: Path, files: Path, capsys, monkeypatch):
    import tempfile

    make_temp = tempfile.mkstemp

    def refuse(*args, dir=None, **kwargs):  # as in a folder the user may not write to (root may write anywhere)
        if Path(dir) != files:
            return make_temp(*args, dir=dir, **kwargs)
        raise PermissionError(13, "Permission denied", str(Path(dir) / ".x.csv.abc.tmp"))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    code, _, err = run(capsys, "--data", str(data), "export", "conversations", "-o", str(files / "x.csv"))
    assert code == 1
    assert err == (f"careerconv export: error: cannot write {files / 'x.csv'}: permission denied (in {files}); nothing "
                   "was written\n")


def test_erase_missing_data_folder(files: Path, capsys):
    code, _, err = run(capsys, "--data", str(files / "nowhere"), "erase", "--employee", "E001", "--yes")
    assert code == 1 and "does not exist" in err


@pytest.mark.parametrize("argv", [["due"], ["demo", "--employees", "12"], ["import", "roster", "ROSTER"],
                                  ["hr-report"], ["export", "conversations"]])
@pytest.mark.parametrize("inside", [False, True])
def test_a_data_folder_that_is_a_file_is_named_as_one(files: Path, capsys, argv: list[str], inside: bool):
    """A hostile tester's `--data FILE`: reading commands said the folder "does not exist" and `demo` and
    `import` stopped with a NotADirectoryError traceback; the file is left as it was."""
    folder = files / "roster.csv" / "data" if inside else files / "roster.csv"
    before = tree(files)
    argv = [str(files / "roster.csv") if a == "ROSTER" else a for a in argv]
    code, out, err = run(capsys, "--data", str(folder), *argv)
    where = f"is inside {files / 'roster.csv'}, which is a file" if inside else "is a file"
    assert code == 1 and out == ""
    assert err == (f"careerconv {argv[0]}: error: data folder {folder} {where}, not a folder; name the folder "
                   "that holds roster.csv and the records, or a new folder for a new organisation\n")
    assert tree(files) == before


# --------------------------------------------------------------------------- help


@pytest.mark.parametrize("argv, expected", [
    (["import", "--help"], "careerconv import roster staff.csv"),
    (["import", "roster", "--help"], "employee_id, name, coach_id, department, role, and optionally"),
    (["import", "history", "--help"], "--date-order {dmy,mdy}"),
    (["export", "--help"], "careerconv export --employee E0042 ./export-E0042"),
    (["erase", "--help"], "careerconv erase --employee E0042"),
])
def test_help(capsys, argv: list[str], expected: str):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert expected in out and "examples:" in out


def test_erase_exits_non_zero_when_a_file_still_mentions_them(data: Path, capsys):
    (data / "question_sets").mkdir()
    (data / "question_sets" / "ours.yaml").write_text("id: ours\n# drafted by Ana Silva\n")
    code, out, err = run(capsys, "--data", str(data), "erase", "--employee", "E001", "--yes")
    assert code == 1
    assert "ours.yaml: mentions them, but careerconv does not know how to edit this kind of file" in out
    assert err == "careerconv erase: 1 file(s) still mention E001; see the end of the receipt\n"


# --------------------------------------------------------------------------- streams: results on stdout only

class _TerminalErr(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_export_to_stdout_is_valid_csv(data: Path, files: Path, capsys):
    hostile = files / "hostile.csv"
    hostile.write_text(ROSTER + 'E003,"=HYPERLINK(""http://x"")",C01,"Eng, Ops",Dev,6,\n')
    assert run(capsys, "--data", str(data), "import", "roster", str(hostile))[0] == 0
    code, out, err = run(capsys, "--data", str(data), "export", "roster", "-o", "-")
    assert code == 0 and err == "Wrote 3 row(s) of roster to stdout (csv).\n"
    assert not out.startswith("\ufeff")  # no BOM in a pipe
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["employee_id"] for r in rows] == ["E001", "E002", "E003"]
    assert rows[2]["name"] == "'=HYPERLINK(\"http://x\")" and rows[2]["department"] == "Eng, Ops"
    assert not (files / "-").exists()
    code, out, err = run(capsys, "--data", str(data), "-q", "export", "history", "-o", "-")
    assert (code, err) == (0, "") and out.splitlines()[0].startswith("employee_id,")


def test_due_and_export_take_o_for_their_output(data: Path, files: Path, capsys):
    code, out, err = run(capsys, "--data", str(data), "due", "-o", str(files / "due.txt"), "--as-of", "2024-01-01")
    assert (code, out) == (0, "") and err.startswith("Wrote 2 people to ")
    assert "STATUS" in (files / "due.txt").read_text(encoding="utf-8")
    code, out, err = run(capsys, "--data", str(data), "due", "--output", "-", "--as-of", "2024-01-01")
    assert code == 0 and "STATUS" in out and err == ""


def test_old_spellings_still_work_and_warn(data: Path, files: Path, capsys):
    code, out, err = run(capsys, "--data", str(data), "export", "roster", "--out", str(files / "old.csv"))
    assert code == 0 and out == "" and (files / "old.csv").exists()
    assert "careerconv export: warning: --out is now -o/--output" in err
    for argv, dest in ((["report", "--all"], "reports"), (["hr-report"], "output")):
        args = parse_command_line(["--data", str(data), *argv, "--out", str(files / "there")], environ={})
        assert getattr(args, dest) == str(files / "there")
        assert f"careerconv {argv[0]}: warning: --out is now -o/--output" in capsys.readouterr().err
    args = parse_command_line(["--data", str(data), "report", "--all", "-o", str(files / "there")], environ={})
    assert args.reports == str(files / "there") and capsys.readouterr().err == ""


def test_every_command_takes_quiet_and_verbose(capsys):
    for argv in (["demo"], ["import", "roster"], ["import", "history"], ["app"], ["due"], ["report"], ["hr-report"],
                 ["export"], ["erase"], ["validate"], ["refresh"], ["config"]):
        with pytest.raises(SystemExit):
            main([*argv, "--help"])
        out = capsys.readouterr().out
        assert "-q, --quiet" in out and "-v, --verbose" in out, argv


def test_no_carriage_returns_in_a_log_and_stdout_holds_only_results(data: Path, files: Path, capsys):
    """Every command run with stderr not a terminal (a log file, CI): no progress frames, results alone on stdout."""
    (data / "careerconv.toml").write_text("[due]\nsoon_days = 10\n")
    d = ["--data", str(data)]
    runs = {
        "import": run(capsys, *d, "import", "roster", str(files / "roster.csv")),
        "validate": run(capsys, *d, "validate"),
        "refresh": run(capsys, *d, "refresh", "--full"),
        "due": run(capsys, *d, "due", "--format", "json", "--ics", str(files / "due.ics")),
        "export": run(capsys, *d, "export", "skill_ratings", "-o", str(files / "r.csv")),
        "export --employee": run(capsys, *d, "export", "--employee", "E001", str(files / "ana")),
        "config": run(capsys, *d, "config", "--format", "json"),
        "erase": run(capsys, *d, "erase", "--employee", "E002", "--yes", "--reports", str(files / "reports")),
    }
    for name, (code, out, err) in runs.items():
        assert code == 0, (name, err)
        assert "\r" not in err and "\r" not in out, name
    assert runs["import"][1].startswith("File: ") or "Employees:" in runs["import"][1]
    assert runs["validate"][1] == f"{data}: all good (2 employees, 2 records)\n"
    assert runs["refresh"][1] == f"{data / 'derived'}\n" and "derived tables up to date" in runs["refresh"][2]
    assert json.loads(runs["due"][1])["soon_days"] == 10 and "calendar event" in runs["due"][2]
    assert runs["export"][1] == "" and "Wrote 2 row(s)" in runs["export"][2]
    assert runs["export --employee"][1] == "" and "Exported everything" in runs["export --employee"][2]
    assert json.loads(runs["config"][1])["settings"]["due.soon_days"]["value"] == 10
    assert runs["erase"][1].startswith("Erased employee E002.") and runs["erase"][2] == ""


def test_progress_bars_on_a_terminal_but_not_with_quiet(data: Path, capsys, monkeypatch):
    terminal = _TerminalErr()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["--data", str(data), "refresh", "--full"]) == 0
    assert "\r" in terminal.getvalue() and "rewriting" in terminal.getvalue()
    assert main(["--data", str(data), "validate"]) == 0
    assert "checking" in terminal.getvalue()
    assert main(["--data", str(data), "import", "roster", str(data.parent / "roster.csv")]) == 0
    assert f"importing the roster {data.parent / 'roster.csv'}" in terminal.getvalue()
    quiet = _TerminalErr()
    monkeypatch.setattr(sys, "stderr", quiet)
    assert main(["--data", str(data), "refresh", "--full", "-q"]) == 0
    assert main(["--data", str(data), "--quiet", "validate"]) == 0
    assert main(["--data", str(data), "import", "-q", "roster", str(data.parent / "roster.csv")]) == 0
    assert quiet.getvalue() == ""
    out = capsys.readouterr().out
    assert out.splitlines()[0] == str(data / "derived") and "all good" in out.splitlines()[1]
    assert "Employees: added 0, updated 0, unchanged 2" in out  # -q keeps the results


def test_validate_lists_problems_on_stdout(data: Path, capsys):
    (data / "conversations" / "E001" / "broken.json").write_text("{not json")
    code, out, err = run(capsys, "--data", str(data), "validate")
    assert code == 1 and err == ""
    assert out.startswith(f"{data}: 1 problem(s):\n  - ") and "broken.json" in out


def test_a_reader_that_goes_away_stops_the_command_quietly(files: Path, capsys):
    """`careerconv export roster -o - | true`: no BrokenPipeError traceback, exit status 141 like SIGPIPE."""
    big = files / "big.csv"
    big.write_text("employee_id,name,coach_id,department,role,cadence_months\n" + "".join(
        f"E{i:05d},Person Number {i} With A Long Name,C00001,Engineering,Developer,6\n" for i in range(3000)))
    data = files / "data"
    assert run(capsys, "--data", str(data), "import", "roster", str(big))[0] == 0
    proc = subprocess.Popen([sys.executable, "-m", "careerconv.cli", "--data", str(data), "export", "roster",
                             "-o", "-"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    proc.stdout.close()  # the reader goes away (like `| true`) before the table is written
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert "Traceback" not in err and "BrokenPipeError" not in err


def _app_settings(data: Path) -> int:
    """A free port for `careerconv app`, written to the data folder's settings with no browser; returns it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    (data / "careerconv.toml").write_text(f"[app]\nport = {port}\nopen_browser = false\n")
    return port


def test_app_prints_its_url_alone_on_stdout_and_takes_its_port_from_the_settings(data: Path, files: Path):
    """A script can read the URL from stdout; the words for the person are on stderr, and nothing else is (not
    the server's warnings: the kernel's "TCP without encryption", the notebook's trust); SIGTERM stops it
    cleanly. (Tornado's websocket ping warning needs a page's websocket: the browser tests see it.)"""
    port = _app_settings(data)
    err_path = files / "app.err"
    with open(err_path, "wb") as err_file:
        proc = subprocess.Popen([sys.executable, "-m", "careerconv.cli", "--data", str(data), "app"],
                                stdout=subprocess.PIPE, stderr=err_file, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            url = proc.stdout.readline().decode().strip()
            # the page, as a browser asks for it: the notebook runs in the preheated kernel; a second page (a
            # reload) has the pool heat the next kernel at once and runs the notebook in it
            with urllib.request.urlopen(url, timeout=120) as response:
                page = response.read().decode()
            with urllib.request.urlopen(url, timeout=120) as response:
                assert "cc-app" in response.read().decode() or "conversation" in page
        finally:
            proc.terminate()
            code = proc.wait(timeout=90)
    rest = proc.stdout.read().decode()
    err = err_path.read_text()
    assert url.startswith(f"http://127.0.0.1:{port}/?token=") and len(url.split("token=")[1]) >= 30
    assert rest == "" and code == 0
    assert "cc-app" in page or "conversation" in page
    # the command's own lines, in order, and nothing else
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines == [f"careerconv app: starting Voila on {data} ...", "careerconv app: the app is running at",
                     "Only this computer can reach it (127.0.0.1), and only with the token in the URL. "
                     "Press Ctrl-C to stop.",
                     "careerconv app: stopping (saving open conversations) ...", "careerconv app: stopped"], err
    assert url not in err


OWN_LINES = ["careerconv app: the app is running at",
             "Only this computer can reach it (127.0.0.1), and only with the token in the URL. Press Ctrl-C to stop.",
             "careerconv app: stopping (saving open conversations) ...", "careerconv app: stopped"]


def _app_stderr(data: Path, files: Path, *extra: str, while_running=lambda url: None) -> tuple[str, int]:
    """Run `careerconv app` with ``extra``, call ``while_running(url)``, stop it with Ctrl-C: (stderr, exit code)."""
    err_path = files / "app.err"
    with open(err_path, "wb") as err_file:
        proc = subprocess.Popen([sys.executable, "-m", "careerconv.cli", "--data", str(data), "app", *extra],
                                stdout=subprocess.PIPE, stderr=err_file, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            while_running(proc.stdout.readline().decode().strip())
        finally:
            proc.send_signal(signal.SIGINT)
            code = proc.wait(timeout=90)
    return err_path.read_text(), code


def test_a_ctrl_c_the_moment_the_url_shows_waits_for_the_lines_around_it():
    """CI once stopped the app between the URL and the line after it, which then never showed: the lines are
    printed with the stop signals held back, and a Ctrl-C that came meanwhile stops the app right after them."""
    from careerconv.surfaces.commands import app

    printed = []
    with pytest.raises(KeyboardInterrupt):
        with app.signals_held(signal.SIGINT, signal.SIGTERM):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)  # Python would handle it here, were it not held
            printed.append("the line after the URL")
    assert printed == ["the line after the URL"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handled as before again


def test_app_stopped_at_once_shows_only_its_own_lines(data: Path, files: Path):
    """Stopped while the server is still starting its first kernel (within a second of the URL): no
    KeyboardInterrupt traceback from the kernel's imports, no "TCP without encryption" from a kernel that
    lost its connection file - and it stops quickly."""
    _app_settings(data)
    for pause in (0.0, 0.7):
        started = time.monotonic()
        err, code = _app_stderr(data, files, while_running=lambda url: time.sleep(pause))
        lines = [line for line in err.splitlines() if line.strip()]
        assert code == 0 and lines == [f"careerconv app: starting Voila on {data} ...", *OWN_LINES], err
        assert time.monotonic() - started < 30


def test_the_servers_kernels_start_through_careerconvs_launcher():
    """The app's server runs a Python kernelspec's ``-m ipykernel_launcher`` as careerconv's launcher, with the
    kernel log's extension; another kernel's command is left as it is."""
    from careerconv.surfaces.commands import server_kernels

    spec = [sys.executable, "-m", "ipykernel_launcher", "-f", "/run/kernel-1.json"]
    assert server_kernels.kernel_command(spec) == [
        sys.executable, "-m", server_kernels.KERNEL_LAUNCHER, "-f", "/run/kernel-1.json",
        f"--IPKernelApp.extensions={server_kernels.KERNEL_LOG}"]
    # Another Python's ipykernel (a kernelspec of another environment, in --lab) may not have careerconv.
    other = ["/opt/other-env/bin/python", "-m", "ipykernel_launcher", "-f", "/run/kernel-2.json"]
    assert server_kernels.kernel_command(other) == [*other, f"--IPKernelApp.extensions={server_kernels.KERNEL_LOG}"]
    assert server_kernels.kernel_command(["R", "--slave", "-f", "{connection_file}"]) == [
        "R", "--slave", "-f", "{connection_file}"]


def test_a_kernel_whose_server_has_gone_ends_quietly(tmp_path: Path):
    """Stopped while Voila's first kernel was still importing, the server removed the kernel's connection file
    before the kernel read it; ipykernel then warned "Kernel is running over TCP without encryption" under
    "stopping" (one start in five on a busy machine) and waited for a server that was gone. Started through
    careerconv's launcher, such a kernel ends at once, with nothing on the terminal."""
    from careerconv.surfaces.commands import server_kernels

    done = subprocess.run([sys.executable, "-m", server_kernels.KERNEL_LAUNCHER,
                           "-f", str(tmp_path / "gone" / "kernel-1.json")],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert not (tmp_path / "gone").exists()  # no connection file or sockets of its own


def _kernel_answers(base: str, token: str, kernel_id: str, timeout: float = 120.0) -> bool:
    """Ask the kernel for its info over the server's websocket; True once it answers (it has started)."""
    import asyncio
    import uuid

    from tornado.websocket import websocket_connect

    async def ask() -> bool:
        session = uuid.uuid4().hex
        ws = await websocket_connect(f"ws://{base}/api/kernels/{kernel_id}/channels?token={token}"
                                     f"&session_id={session}")
        msg_id = uuid.uuid4().hex
        ws.write_message(json.dumps({"channel": "shell", "header": {
            "msg_id": msg_id, "msg_type": "kernel_info_request", "username": "test", "session": session,
            "date": "", "version": "5.3"}, "parent_header": {}, "metadata": {}, "content": {}}))
        while True:
            reply = json.loads(await ws.read_message())
            if reply.get("parent_header", {}).get("msg_id") == msg_id and reply["channel"] == "shell":
                ws.close()
                return reply["content"]["status"] == "ok"

    return asyncio.run(asyncio.wait_for(ask(), timeout))


def test_app_in_jupyterlab_shows_only_its_own_lines_with_a_kernel_running(data: Path, files: Path):
    """--lab: no "TCP without encryption" from the kernel (Unix sockets), no websocket ping warning once a
    page connects, no DeprecationWarning, no "received signal 15, stopping", no start-up notes of JupyterLab's
    extensions."""
    port = _app_settings(data)

    def start_a_kernel(url: str) -> None:
        assert url.startswith(f"http://127.0.0.1:{port}/lab/tree/conversation.ipynb?token=")
        token = url.split("token=")[1]
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/kernels", method="POST",
                                         headers={"Authorization": f"token {token}"}, data=b"{}")
        with urllib.request.urlopen(request, timeout=60) as response:
            kernel_id = json.loads(response.read())["id"]
        assert _kernel_answers(f"127.0.0.1:{port}", token, kernel_id)

    err, code = _app_stderr(data, files, "--lab", while_running=start_a_kernel)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 0 and lines == [f"careerconv app: starting JupyterLab on {data} ...", *OWN_LINES], err


def test_app_stops_on_ctrl_c_even_when_started_in_the_background(data: Path, files: Path):
    """A shell starts a background job with SIGINT ignored (and Python then never raises KeyboardInterrupt);
    the command still stops cleanly on SIGINT, saying so."""
    port = _app_settings(data)
    err_path = files / "app.err"
    with open(err_path, "wb") as err_file:
        proc = subprocess.Popen([sys.executable, "-m", "careerconv.cli", "--data", str(data), "app"],
                                stdout=subprocess.PIPE, stderr=err_file, stdin=subprocess.DEVNULL,
                                start_new_session=True,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))  # as `cmd &` does
        try:
            assert proc.stdout.readline().decode().startswith(f"http://127.0.0.1:{port}/?token=")
            proc.send_signal(signal.SIGINT)
            code = proc.wait(timeout=90)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert code == 0
    own = [line for line in err_path.read_text().splitlines() if line.startswith("careerconv app:")]
    assert own[-2:] == ["careerconv app: stopping (saving open conversations) ...", "careerconv app: stopped"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the server follows its parent on Linux only")
def test_a_killed_app_takes_its_server_down_with_it(data: Path, files: Path):
    """Killed with SIGKILL (no chance to stop anything), the command's server is not left running: it gets
    SIGTERM from the kernel and stops its kernels."""
    port = _app_settings(data)
    with open(files / "app.err", "wb") as err_file:
        proc = subprocess.Popen([sys.executable, "-m", "careerconv.cli", "--data", str(data), "app"],
                                stdout=subprocess.PIPE, stderr=err_file, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            assert proc.stdout.readline().decode().startswith(f"http://127.0.0.1:{port}/?token=")
            server = [int(pid) for pid in os.listdir("/proc") if pid.isdigit() and _parent_of(int(pid)) == proc.pid]
            assert len(server) == 1, server
            proc.kill()
            proc.wait(timeout=30)
            deadline = time.monotonic() + 60
            while _running(server[0]) and time.monotonic() < deadline:
                time.sleep(0.5)
            assert not _running(server[0]), "the server outlived the killed command"
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            for pid in server if "server" in locals() else []:
                if _running(pid):
                    os.kill(pid, signal.SIGKILL)
    with socket.socket() as sock:  # and its port is free again for the next server (which, as every server does,
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # binds past closed connections' TIME_WAIT)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError as exc:  # the system may have handed the freed port to another test's process meanwhile
            if exc.errno != errno.EADDRINUSE:  # (found with three test processes): only one of the app's would fail
                raise
            holders = {c.pid for c in psutil.net_connections("inet") if c.laddr and c.laddr.port == port and c.pid}
            assert not [pid for pid in holders if _session_of(pid) == proc.pid], \
                f"a process of the killed app still holds its port {port}"


def _session_of(pid: int) -> int | None:
    try:
        return os.getsid(pid)
    except OSError:  # ended meanwhile
        return None


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_named_command_imports_only_its_own_module_and_app_starts_without_pandas(tmp_path: Path):
    """`careerconv app` resolves its settings and reaches its server start without pandas, pyarrow or
    matplotlib (they cost seconds before the server could start); other commands still get theirs."""
    from careerconv.cli import command_named
    assert command_named(["--data", "app", "due"]) == "due"  # a folder named like a command is the folder
    assert command_named(["--config", "x.toml", "-q", "app", "--port", "9"]) == "app"
    assert command_named(["--dat", "app", "due"]) == "due" and command_named(["--data=app", "due"]) == "due"
    assert command_named(["-v", "ap"]) is None and command_named(["--help"]) is None and command_named([]) is None
    code = ("import sys\nfrom careerconv.cli import parse_command_line\n"
            f"args = parse_command_line(['--data', {str(tmp_path)!r}, 'app', '--no-browser', '--port', '9999'])\n"
            "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'pandas', 'pyarrow', 'matplotlib', 'numpy'})\n"
            "print(args.func.__module__, args.port, heavy)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         stdin=subprocess.DEVNULL).stdout
    assert out.strip() == "careerconv.surfaces.commands.app 9999 []"
    # a failing command still says what is wrong in one line (the errors' classes are imported when needed)
    err = subprocess.run([sys.executable, "-m", "careerconv.cli", "--data", str(tmp_path / "none"), "app"],
                         capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert err.returncode == 1 and err.stderr.startswith("careerconv app: error: ") and "Traceback" not in err.stderr


def test_a_ticking_bar_closes_beside_a_bar_left_open(monkeypatch):
    """A clock bar is taken off the open list by identity: tqdm's == on a bar left open by an earlier command
    compares positions and raised AttributeError on the clock (seen when the tests ran in one process)."""
    import argparse

    from careerconv.surfaces.commands import streams

    monkeypatch.setattr(sys, "stderr", _TerminalErr())
    args = argparse.Namespace(quiet=False)
    left_open = streams.progress_bar(args, 3, "earlier")  # never closed by its command
    step = streams.Steps(args, ("reading", "writing"))
    step("reading")
    step("writing")
    step.finish()  # closes its clock: no AttributeError from tqdm.__eq__
    assert left_open in streams._open_bars and len(streams._open_bars) == 1
    streams.close_bars()
    assert streams._open_bars == []
