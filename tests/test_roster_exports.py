"""A roster as HR systems export it imports as it is, and its people are in the app, reports and HR figures.

The files (tests/hr_exports.py) are shaped like Workday and BambooHR exports:
the head of the organisation has no manager, managers are coached by their
own managers, one person is coached by an external coach who is not on the
roster, and the files carry extra columns, a BOM and Windows line ends.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hr_exports import EXTERNAL_COACH, EXTERNALLY_COACHED, NAMES, PEOPLE, TOP, bamboohr_xlsx, workday_csv
from app_harness import Harness

from careerconv import analytics
from careerconv import cli
from careerconv.records.importers import DEFAULT_CADENCE, FileRejected, import_roster
from careerconv.records.store import Store

AS_OF = "2026-10-01"


@pytest.fixture
def imported(tmp_path: Path) -> Store:
    store = Store(tmp_path / "data")
    import_roster(store, workday_csv(tmp_path / "Worker_Report_2026-09-30.csv"))
    return store


def test_a_workday_export_imports_as_it_is(tmp_path: Path):
    store = Store(tmp_path / "data")
    result = import_roster(store, workday_csv(tmp_path / "workers.csv"))
    assert (result.added, result.updated, result.unchanged, result.rejected) == (len(PEOPLE), 0, 0, [])
    roster = store.roster().set_index("employee_id")
    assert list(roster.index) == [p[0] for p in PEOPLE]
    assert roster.loc[TOP, "coach_id"] == "" and roster.loc[TOP, "name"] == "Grace Hopper"
    assert roster.loc["W101", "coach_id"] == TOP and roster.loc["W110", "coach_id"] == "W101"
    assert roster.loc[EXTERNALLY_COACHED, "coach_id"] == EXTERNAL_COACH and EXTERNAL_COACH not in roster.index
    assert roster.loc["W115", "name"] == "Chloé Núñez, Jr."  # the comma was quoted in the file
    assert roster.loc["W110", "role"] == "Software Engineer" and roster.loc["W110", "department"] == "Engineering"
    assert roster.loc["W110", "email"] == "ada.w110@example.org"
    assert set(roster["cadence_months"]) == {DEFAULT_CADENCE}
    text = result.summary()
    assert "UTF-8 with BOM" in text
    assert "'Preferred Name' as name" in text and "'Manager ID' as coach_id" in text
    assert "'Business Title' as role" in text and "'Email - Work' as email" in text
    for ignored in ("'Location'", "'Worker Type'"):
        assert ignored in text.split("ignored")[1].split("\n")[0]
    assert "'Hire Date' as started_on" in text  # each has started, on the day kept
    assert roster["started_on"].notna().all() and roster.loc["W100", "started_on"].date().isoformat() == "2010-01-15"
    # The manager's name is not "a column careerconv does not use": it tells whose a coach id written otherwise is.
    assert "'Manager' as coach_name" in text
    assert "did not read 'Cost Center': it is another name for department" in text
    assert "'Legal Name' as name where 'Preferred Name' is empty" in text  # where a preferred name is empty
    assert "1 employee(s) have no coach" in text and f"not on the roster themselves ({EXTERNAL_COACH})" in text
    assert "new ones hold a career conversation every 12 months" in text


def test_the_same_export_again_changes_nothing_and_a_cadence_set_since_is_kept(imported: Store, tmp_path: Path):
    roster = imported.roster()
    roster.loc[roster["employee_id"] == "W110", "cadence_months"] = 6
    imported.save_roster(roster)
    again = import_roster(imported, workday_csv(tmp_path / "workers-october.csv"))
    assert (again.added, again.updated, again.unchanged) == (0, 0, len(PEOPLE))
    assert imported.employee("W110")["cadence_months"] == 6


def test_a_bamboohr_workbook_imports_with_first_and_last_name(tmp_path: Path):
    store = Store(tmp_path / "data")
    result = import_roster(store, bamboohr_xlsx(tmp_path / "employees.xlsx"))
    assert (result.added, result.rejected) == (len(PEOPLE), [])
    roster = store.roster().set_index("employee_id")
    assert dict(roster["name"]) == NAMES
    assert roster.loc[TOP, "coach_id"] == "" and roster.loc["W102", "coach_id"] == TOP
    assert roster.loc[EXTERNALLY_COACHED, "coach_id"] == EXTERNAL_COACH
    text = result.summary()
    assert "'First Name' and 'Last Name' together as name" in text and "'Supervisor EID' as coach_id" in text
    assert "'Reports To'" in text  # ignored, and said so
    assert "'Hire Date' as started_on" in text


def test_a_personio_export_with_numeric_ids_and_semicolons(tmp_path: Path):
    path = tmp_path / "personio.csv"
    path.write_bytes("ID;First name;Last name;Email;Position;Department;Supervisor ID;Weekly hours\r\n"
                     "1;Ana;Silva;ana@example.org;CEO;Management;;40\r\n"
                     "2;Bo;Chen;bo@example.org;Engineer;Engineering;1;40\r\n".encode("cp1252"))
    store = Store(tmp_path / "data")
    import_roster(store, path)
    assert store.roster()[["employee_id", "name", "coach_id", "role"]].values.tolist() == [
        ["1", "Ana Silva", "", "CEO"], ["2", "Bo Chen", "1", "Engineer"]]


def test_a_typo_in_a_coach_id_is_still_rejected_and_an_unknown_column_is_named_when_a_required_one_is_missing(
        tmp_path: Path):
    store = Store(tmp_path / "data")
    bad_coach = tmp_path / "bad.csv"
    bad_coach.write_text("Employee ID,Name,Manager ID,Department,Job Title\nE1,Ana,,Sales,Rep\nE2,Bo,E 1,Sales,Rep\n",
                         encoding="utf-8")
    with pytest.raises(FileRejected) as exc:
        import_roster(store, bad_coach)
    assert [(p.row, p.column, p.value) for p in exc.value.problems] == [(3, "Manager ID", "E 1")]
    no_department = tmp_path / "cols.csv"
    no_department.write_text("Employee ID,Name,Manager ID,Departmnt,Job Title\nE1,Ana,,Sales,Rep\n", encoding="utf-8")
    with pytest.raises(FileRejected) as exc:
        import_roster(store, no_department)
    text = str(exc.value)
    assert "'department' is missing" in text and "if 'Departmnt' is department, rename it department" in text
    assert not store.roster_path.exists()


def test_an_export_with_the_managers_name_but_not_their_id_says_which_column_to_add(tmp_path: Path):
    path = tmp_path / "bamboo.csv"
    path.write_text("Employee #,First Name,Last Name,Job Title,Department,Reports To\n"
                    "1,Ana,Silva,CEO,Management,\n2,Bo,Chen,Engineer,Engineering,\"Silva, Ana\"\n", encoding="utf-8")
    store = Store(tmp_path / "data")
    with pytest.raises(FileRejected) as exc:
        import_roster(store, path)
    text = str(exc.value)
    assert "column 'Reports To' names the manager ('Silva, Ana' on row 3), but careerconv needs the manager's " \
           "employee id" in text
    assert "'Supervisor EID'" in text and not store.roster_path.exists()
    named = tmp_path / "names.csv"
    named.write_text("Employee ID,Name,Department,Job Title,Manager Name\nE1,Ana,Sales,Rep,Bo Chen\n", encoding="utf-8")
    with pytest.raises(FileRejected) as exc:
        import_roster(store, named)
    text = str(exc.value)
    assert "'coach_id' is missing" in text and "column 'Manager Name' names the manager, but" in text


@pytest.mark.parametrize("header", ["Line Manager", "Manager", "Reports To", "Supervisor"])
def test_a_manager_column_holding_employee_ids_is_read_as_the_coach(tmp_path: Path, header: str):
    """SAP SuccessFactors and hand-kept rosters put the manager's id in 'Line Manager' or 'Manager'; the file was
    refused for a missing coach_id. Its values must be ids of the file or the roster, as the column may hold
    names; one that is no one's id is refused, naming the column and the value."""
    store = Store(tmp_path / "data")
    import_roster(store, write_roster(tmp_path / "old.csv", "employee_id,name,coach_id,department,role",
                                      ["W1,Ana Silva,,Board,CEO"]))
    lines = ["W2,Bo Chen,Sales,VP,W1", "W3,Cy Diaz,Sales,Rep,W2", "W4,Di Eze,Sales,Rep,"]
    result = import_roster(store, write_roster(tmp_path / "sf.csv", f"User ID,Name,Department,Title,{header}",
                                               lines))
    assert result.added == 3 and f"{header!r} as coach_id" in result.summary()
    assert dict(store.roster()[["employee_id", "coach_id"]].values.tolist()) == {"W1": "", "W2": "W1", "W3": "W2",
                                                                                   "W4": ""}
    outside = write_roster(tmp_path / "ext.csv", f"User ID,Name,Department,Title,{header}", ["W5,Ed Fu,Sales,Rep,X7"])
    before = store.roster_path.read_bytes()
    with pytest.raises(FileRejected) as exc:
        import_roster(store, outside)
    assert f"column {header!r} is read as the coach's employee id only when each value is the employee id of " \
           "someone in this file or on the roster, and 'X7' on row 2 is not" in str(exc.value)
    assert "name the column coach_id" in str(exc.value) and store.roster_path.read_bytes() == before


def write_roster(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_validate_accepts_the_imported_export(imported: Store, capsys):
    assert cli.main(["--data", str(imported.root), "validate"]) == 0
    assert "problem" not in capsys.readouterr().out.casefold()


def test_the_head_of_the_organisation_is_found_and_their_conversation_saved_without_a_coach(imported: Store):
    from test_app import fill_whole_conversation

    h = Harness(imported.root)
    app = h.app
    assert [label for label, _ in app.start_screen.coach_choice.options if EXTERNAL_COACH in label] == [EXTERNAL_COACH]
    assert not any(value == "" and label != "All coaches" for label, value in app.start_screen.coach_choice.options)
    app.start_screen.search.value = "hopper"
    assert list(app.start_screen.result_buttons) == [TOP]
    app.start_screen.result_buttons[TOP].click()
    assert app.employee["coach_id"] == ""
    assert "no coach on the roster" in app.start_screen.employee_html.value
    assert "coach ·" not in app.start_screen.employee_html.value
    app.start_conversation()
    assert "with" not in app.conversation_screen.conv_title.value.split("cc-muted")[1]  # no "with  · " for nobody
    fill_whole_conversation(h)
    h.advance(60)
    app.go_to("finish")
    app.conversation_screen.complete_button.click()
    assert app.errors.text == ""
    stored = h.stored()
    assert stored["status"] == "completed" and stored["coach_id"] == ""
    summary = app.summary_path.read_text(encoding="utf-8")
    assert "Grace Hopper" in summary and "· with" not in summary
    app.close_conversation()
    assert "Previous conversation" in app.start_screen.glance_html.value
    assert "with  ·" not in app.start_screen.glance_html.value
    view = app.open_checkin()
    view.ratings[0].self_rating.value = 7
    view.save_button.click()
    assert imported.checkins(TOP)[-1]["coach_id"] == ""
    conversations = imported.read_table("conversations")
    assert conversations.loc[conversations["employee_id"] == TOP, "coach_id"].isna().all()


def test_an_external_coachs_team_opens_in_the_app(imported: Store):
    app = Harness(imported.root).app
    team = app.show_team(EXTERNAL_COACH)
    assert [m.employee_id for m in team.members] == [EXTERNALLY_COACHED]


def test_the_due_list_includes_people_without_a_coach_and_filters_by_an_external_coach(imported: Store, capsys):
    assert cli.main(["--data", str(imported.root), "due", "--as-of", AS_OF, "--within", "3650"]) == 0
    listed = capsys.readouterr().out
    assert TOP in listed and EXTERNALLY_COACHED in listed
    assert cli.main(["--data", str(imported.root), "due", "--as-of", AS_OF, "--within", "3650", "--coach",
                     EXTERNAL_COACH]) == 0
    only = capsys.readouterr().out
    assert EXTERNALLY_COACHED in only and "W110" not in only


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_head_of_the_organisation_gets_a_report_and_counts_in_hr_figures(imported: Store, tmp_path: Path):
    from orgs import conversation

    records = [conversation(eid, "2026-03-02", coach=coach, skills=[("Public speaking", 4, (5, 6, 7))],
                            items=[("a1", "Join Toastmasters", "2026-05-01")])
               for eid, _first, _last, coach, _department, _title in PEOPLE]
    imported.save_many(records)
    reports = tmp_path / "reports"
    assert cli.main(["--data", str(imported.root), "report", TOP, "--as-of", AS_OF, "-o", str(reports),
                     "--jobs", "1", "--quiet"]) == 0
    page = next((reports / TOP).glob("*.html")).read_text(encoding="utf-8")
    assert "Grace Hopper" in page and "Public speaking" in page
    hr = analytics.hr_aggregates(analytics.load_hr_tables(imported.root), dt.date.fromisoformat(AS_OF), None, (), 5)
    overview = hr["overview"]
    # the head and the externally coached count like everyone else
    assert overview.loc[overview["department"].isna(), "n_employees"].item() == len(PEOPLE)
    assert overview.loc[overview["department"] == "Engineering", "n_employees"].item() == 8  # W101, 6, Hedy
    html, csv_dir = tmp_path / "hr.html", tmp_path / "hr-tables"
    assert cli.main(["--data", str(imported.root), "hr-report", "--as-of", AS_OF, "-o", str(html), "--csv",
                     str(csv_dir), "--xlsx", str(tmp_path / "hr-tables.xlsx")]) == 0
    book = openpyxl.load_workbook(tmp_path / "hr-tables.xlsx")
    assert sorted(book.sheetnames) == sorted(p.stem for p in csv_dir.glob("*.csv"))
    assert [c.value for c in book["overview"][2]][:2] == ["All departments", len(PEOPLE)]
    exported = pd.read_csv(csv_dir / "overview.csv", encoding="utf-8-sig")
    assert exported.iloc[0].tolist()[:2] == ["All departments", str(len(PEOPLE))]  # a column mixing text
    assert "fewer than 5" in html.read_text(encoding="utf-8")  # the head's department of one is not shown


HEADER_SPELLINGS = {
    "employee_id": ["Employee ID", "employee_id", "Employee #", "Worker ID", "ID", "EMPLOYEE-NUMBER"],
    "name": ["Name", "Preferred Name", "Full Name", "Display name"],
    "coach_id": ["coach_id", "Manager ID", "Supervisor ID", "Reports To ID", "Line Manager ID"],
    "department": ["Department", "Supervisory Organization", "Dept"],
    "role": ["Role", "Job Title", "Business Title", "Position"],
}
EXTRA_COLUMNS = ["Location", "Hire Date", "Cost Center", "Manager", "Status", "Legal Name", "Pay Grade"]


@settings(max_examples=30,
          suppress_health_check=[*settings.default.suppress_health_check, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_spelling_and_order_of_an_exports_columns_gives_the_same_roster(tmp_path_factory, data):
    spellings = {column: data.draw(st.sampled_from(names), label=column)
                 for column, names in HEADER_SPELLINGS.items()}
    extras = data.draw(st.lists(st.sampled_from(EXTRA_COLUMNS), unique=True, max_size=4), label="extras")
    if "Legal Name" in extras and spellings["name"] != "Name":
        extras.remove("Legal Name")  # a second name column is read only when no better one is there
    columns = [*((header, column) for column, header in spellings.items()), *((extra, None) for extra in extras)]
    order = data.draw(st.permutations(range(len(columns))), label="order")
    columns = [columns[i] for i in order]
    frame = pd.DataFrame([[{"employee_id": eid, "name": f"{first} {last}", "coach_id": coach,
                            "department": department, "role": title}.get(key, f"{header} of {eid}")
                           for header, key in columns]
                          for eid, first, last, coach, department, title in PEOPLE],
                         columns=[header for header, _ in columns])
    folder = tmp_path_factory.mktemp("spelling")
    frame.to_csv(folder / "export.csv", index=False)
    store = Store(folder / "data")
    result = import_roster(store, folder / "export.csv")
    assert result.added == len(PEOPLE) and not result.rejected
    roster = store.roster()
    assert roster[["employee_id", "name", "coach_id", "department", "role"]].values.tolist() == [
        [eid, f"{first} {last}", coach, department, title] for eid, first, last, coach, department, title in PEOPLE]
