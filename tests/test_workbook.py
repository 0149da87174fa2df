"""Excel exports: `export TABLE --format xlsx` and the HR tables' workbook, read back with openpyxl."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from test_exporting import FREE_TEXT, LONG_ANSWER, TRIGGERS, org  # noqa: F401  (org is a fixture)

from careerconv import cli
from careerconv.views.exporting import EXPORT_TABLES, export_table
from careerconv.records.importers import import_roster
from careerconv.records.store import Store
from careerconv.records.workbook import EXCEL_CELL_LIMIT, MAX_WIDTH, frames_to_xlsx, sheet_name


def sheet_rows(path: Path, sheet: str | None = None) -> list[list]:
    book = openpyxl.load_workbook(path)
    ws = book[sheet] if sheet else book.active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_a_table_exports_to_one_formula_safe_sheet_with_a_frozen_header_and_sized_columns(org: Store,
                                                                                          tmp_path: Path):
    result = export_table(org, "skills", tmp_path / "skills.xlsx", "xlsx")
    book = openpyxl.load_workbook(tmp_path / "skills.xlsx")
    assert book.sheetnames == ["skills"]
    ws = book["skills"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:K3"
    header = [c.value for c in ws[1]]
    assert header == result.columns and all(c.font.bold for c in ws[1])
    rows = [dict(zip(header, (c for c in r))) for r in ws.iter_rows(min_row=2)]
    assert len(rows) == result.rows == 2
    for row in rows:
        assert row["ten_looks_like"].value == "'" + FREE_TEXT["formula"] and row["ten_looks_like"].data_type == "s"
        assert row["approach"].value == "'-pair weekly"
        assert row["self_rating"].value == 6 and row["coach_rating"].value == 5  # numbers stay numbers
        assert row["date"].is_date and row["date"].number_format == "yyyy-mm-dd"
        assert row["dream_rank"].value is None or isinstance(row["dream_rank"].value, int)
    for cells in ws.iter_rows(min_row=2):
        for cell in cells:
            assert cell.data_type != "f"
            assert not (isinstance(cell.value, str) and cell.value.startswith(TRIGGERS)), cell.coordinate
    widths = {k: ws.column_dimensions[k].width for k in "ABCDEFGHIJK"}
    assert widths["A"] == len("conversation_id") + 2  # the header is longer than its values
    assert widths["C"] == len("2024-05-01") + 2  # a date column is as wide as a date
    assert widths["G"] == len('=HYPERLINK("http://x","y")') + 2  # ten_looks_like: its longest value
    assert all(6 <= w <= MAX_WIDTH for w in widths.values())


def test_every_table_exports_as_xlsx_with_the_rows_of_the_csv(org: Store, tmp_path: Path):
    for name in EXPORT_TABLES:
        result = export_table(org, name, tmp_path / f"{name}.xlsx", "xlsx")
        rows = sheet_rows(tmp_path / f"{name}.xlsx")
        assert rows[0] == result.columns and len(rows) - 1 == result.rows, name
        csv_result = export_table(org, name, tmp_path / f"{name}.csv", "csv")
        assert csv_result.rows == result.rows


def test_a_long_answer_is_cut_to_excels_limit_with_a_warning(org: Store, tmp_path: Path):
    result = export_table(org, "answers", tmp_path / "answers.xlsx", "xlsx")
    assert any("2 cell(s) in column 'text'" in w and "cut" in w for w in result.warnings)
    texts = [r[4] for r in sheet_rows(tmp_path / "answers.xlsx")[1:]]
    assert texts == [LONG_ANSWER[:EXCEL_CELL_LIMIT]] * 2


def test_control_characters_excel_cannot_hold_are_left_out_and_said_so():
    frame = pd.DataFrame({"note": ["bell\x07 here", "tab\tand\nnewline", "=1+1"], "n": [1, 2, pd.NA]})
    frame["n"] = frame["n"].astype("Int64")
    book = frames_to_xlsx({"notes": frame})
    assert book.warnings == ["notes: 1 cell(s) in column 'note' held control characters that Excel cannot store; "
                             "they were left out"]
    ws = openpyxl.load_workbook(io.BytesIO(book.data))["notes"]
    assert list(ws.iter_rows(values_only=True)) == [
        ("note", "n"), ("bell here", 1), ("tab\tand\nnewline", 2), ("'=1+1", None)]


def test_sheet_names_are_made_valid_and_unique():
    assert sheet_name("a/b:c*d?[e]\\f") == "a_b_c_d__e__f"
    assert sheet_name("x" * 40) == "x" * 31
    assert sheet_name("Skills", {"skills"}) == "Skills (2)"
    assert sheet_name("y" * 40, {"y" * 31}) == "y" * 27 + " (2)"
    assert sheet_name("''") == "Sheet"


def test_too_many_rows_for_a_sheet_is_refused_naming_the_way_out():
    frame = pd.DataFrame({"a": range(3)})
    from careerconv.records import workbook

    limit = workbook.EXCEL_MAX_ROWS
    try:
        workbook.EXCEL_MAX_ROWS = 3
        with pytest.raises(ValueError, match="skill_ratings has 3 rows, more than an Excel sheet holds.*CSV or "
                                             "Parquet"):
            frames_to_xlsx({"skill_ratings": frame})
    finally:
        workbook.EXCEL_MAX_ROWS = limit
    with pytest.raises(ValueError, match="at least one table"):
        frames_to_xlsx({})


def test_an_exported_roster_workbook_imports_back_unchanged(tmp_path: Path):
    source = Store(tmp_path / "a")
    pd.DataFrame([
        {"employee_id": "E1", "name": "=cmd|' /C calc'!A0", "coach_id": "", "department": "+Sales",
         "role": "@lead", "cadence_months": 6, "email": "a@example.org"},
        {"employee_id": "E2", "name": "'=already quoted", "coach_id": "E1", "department": "-Ops", "role": "",
         "cadence_months": 12, "email": ""},
    ]).to_csv(tmp_path / "in.csv", index=False)
    import_roster(source, tmp_path / "in.csv")
    export_table(source, "roster", tmp_path / "roster.xlsx", "xlsx")
    target = Store(tmp_path / "b")
    import_roster(target, tmp_path / "roster.xlsx")
    pd.testing.assert_frame_equal(target.roster(), source.roster())


def test_export_command_writes_xlsx_by_default_name(org: Store, tmp_path: Path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["--data", str(org.root), "export", "targets", "--format", "xlsx"]) == 0
    assert "targets.xlsx (xlsx)" in capsys.readouterr().err
    rows = sheet_rows(tmp_path / "targets.xlsx", "targets")
    assert rows[0][:4] == ["employee_id", "conversation_id", "date", "skill"]
    assert {r[2] for r in rows[1:]} == {dt.datetime(2024, 5, 1), dt.datetime(2024, 6, 1)}  # date cells
    assert sorted(r[6] for r in rows[1:]) == [7, 7, 8, 8, 9, 9]  # targets are numbers
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--data", str(org.root), "export", "targets", "--format", "docx"])
    assert exit_info.value.code == 2 and "'csv', 'parquet', 'xlsx'" in capsys.readouterr().err


def test_hr_tables_workbook_has_one_sheet_per_table(tmp_path: Path):
    from careerconv import analytics
    from careerconv.surfaces.commands.hr_report import hr_table_frames, write_xlsx_tables
    from careerconv.demo.organisation import write_demo_organisation

    data = tmp_path / "data"
    write_demo_organisation(data, 60, 11, dt.date(2026, 10, 1))
    hr = analytics.hr_aggregates(analytics.load_hr_tables(data), dt.date(2026, 10, 1), None, (), 5)
    book = write_xlsx_tables(hr, tmp_path / "hr.xlsx")
    frames = hr_table_frames(hr)
    loaded = openpyxl.load_workbook(tmp_path / "hr.xlsx")
    assert loaded.sheetnames == book.sheets == list(frames)
    assert loaded.sheetnames[:2] == ["about", "privacy"] and "skill_trends" in loaded.sheetnames
    for name, frame in frames.items():
        ws = loaded[name]
        assert ws.freeze_panes == "A2"
        rows = list(ws.iter_rows(values_only=True))
        assert list(rows[0]) == list(frame.columns) and len(rows) - 1 == len(frame), name
    overview = frames["overview"]
    ws_rows = list(loaded["overview"].iter_rows(values_only=True))
    assert ws_rows[1][0] == overview.iloc[0, 0] == "All departments"
    assert ws_rows[1][1] == int(overview.iloc[0, 1])  # a count is a number in the workbook


def test_hr_report_refuses_an_xlsx_option_that_is_not_a_workbook_name(tmp_path: Path, capsys):
    write_org = tmp_path / "data"
    from careerconv.demo.organisation import write_demo_organisation

    write_demo_organisation(write_org, 12, 3, dt.date(2026, 10, 1))
    assert cli.main(["--data", str(write_org), "hr-report", "--xlsx", str(tmp_path / "tables.csv")]) == 1
    assert "give a file name ending in .xlsx" in capsys.readouterr().err
    assert cli.main(["--data", str(write_org), "hr-report", "--xlsx", str(tmp_path / "no" / "t.xlsx")]) == 1
    assert "does not exist" in capsys.readouterr().err
