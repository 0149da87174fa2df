"""``careerconv hr-report``: the HR notebook rendered without code, tables as CSV, nothing personal in either."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest

from careerconv import analytics, cli
from careerconv.demo.organisation import write_demo_organisation
from careerconv.records.store import Store

MARKER = "QUOKKA-SECRET-4417"
HOSTILE_DEPARTMENT = "=1+1 <script>alert(1)</script>"


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    """A 60-person demo organisation whose every free-text field carries MARKER."""
    data = tmp_path_factory.mktemp("hr") / "data"
    write_demo_organisation(data, 60, 11, dt.date(2026, 10, 1))
    store = Store(data)
    roster = store.roster()
    # One department gets a name a spreadsheet would run and a browser would execute.
    roster["department"] = roster["department"].replace({"Sales": HOSTILE_DEPARTMENT})
    store.save_roster(roster)
    records = []
    for employee_id in store.employees_with_records():
        for conv in store.conversations(employee_id):
            for dream in conv["dreams"]:
                dream["text"] = f"{MARKER} dream {dream['text']}"
            for skill in conv["skills"]:
                skill["ten_looks_like"] = f"{MARKER} ten"
                skill["approach"] = f"{MARKER} approach"
                for option in skill["options"]:
                    option["text"] = f"{option['text']} {MARKER}"
                    option["pros"] = f"{MARKER} pros"
                    option["cons"] = f"{MARKER} cons"
            for item in conv["action_items"]:
                item["text"] = f"{MARKER} item"
            conv["follow_up"]["note"] = f"{MARKER} note"
            conv["answers"] = {key: f"{MARKER} answer" for key in conv.get("answers") or {}}
            records.append(conv)
        for checkin in store.checkins(employee_id):
            checkin["note"] = f"{MARKER} check-in note"
            for update in checkin["updates"]:
                update["note"] = f"{MARKER} update note"
                if update["status"] == "dropped":
                    update["reason"] = f"{MARKER} reason"
            records.append(checkin)
    store.save_many(records, durable=False)
    return data


@pytest.fixture(scope="module")
def rendered(planted, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("hr-out")
    html, csv_dir = out / "hr.html", out / "tables"
    code = cli.main(["--data", str(planted), "hr-report", "--as-of", "2026-10-01", "--min-group-size", "3",
                     "-o", str(html), "--csv", str(csv_dir)])
    assert code == 0
    return {"html": html.read_text(encoding="utf-8"), "csv": {p.name: p.read_bytes() for p in csv_dir.glob("*.csv")},
            "roster": Store(planted).roster()}


def test_the_page_has_the_report_and_its_charts(rendered):
    html = rendered["html"]
    assert "HR analytics: skills, targets and follow-up" in html
    assert "employees are covered" in html
    assert html.count("data:image/png;base64") >= 8  # the charts, embedded
    assert "Groups of fewer than 3 employees are not shown" in html


def test_the_page_shows_no_code(rendered):
    html = rendered["html"]
    for code in ("import matplotlib", "hr_aggregates(", "load_hr_tables", "analytics.describe(", "plt.subplots",
                 "min_group_size: int"):
        assert code not in html
    assert not re.search(r"In&nbsp;\[\d*\]", html)


def test_no_free_text_and_no_name_appears_anywhere(rendered):
    assert MARKER not in rendered["html"]
    for name, data in rendered["csv"].items():
        assert MARKER not in data.decode("utf-8-sig"), name
    names = [n for n in rendered["roster"]["name"] if len(n) > 6][:20]
    for name in names:
        assert name not in rendered["html"]
        for data in rendered["csv"].values():
            assert name not in data.decode("utf-8-sig")


def test_user_text_is_escaped_in_html(rendered):
    html = rendered["html"]
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_csv_tables_are_spreadsheet_safe(rendered):
    csv = rendered["csv"]
    assert {"about.csv", "privacy.csv", "cadence_compliance.csv", "skill_trends.csv"} <= set(csv)
    for data in csv.values():
        assert data.startswith(b"\xef\xbb\xbf")
    cadence = csv["cadence_compliance.csv"].decode("utf-8-sig")
    assert "'=1+1 <script>" in cadence  # the formula-looking department name is neutralised
    assert not re.search(r"(^|,)=1\+1", cadence, re.MULTILINE)
    frame = pd.read_csv(pd.io.common.StringIO(cadence))
    assert "Employees" in frame.columns and "Overdue for a conversation" in frame.columns


def test_min_group_size_below_three_is_refused(planted, capsys, tmp_path):
    code = cli.main(["--data", str(planted), "hr-report", "--min-group-size", "2", "-o", str(tmp_path / "x.html")])
    assert code == 1
    assert "at least 3" in capsys.readouterr().err
    assert not (tmp_path / "x.html").exists()


@pytest.mark.parametrize("name, suggested", [("hr", "hr.html"), ("hr.pdf", "hr.html"), ("hr.html.txt", "hr.html.html")])
def test_a_page_name_without_html_is_refused_before_anything_is_computed(planted, capsys, tmp_path, monkeypatch,
                                                                         name, suggested):
    """`-o reports/hr` wrote the page as `hr`, which a browser opened as 260,000 pixels of text (as --xlsx refuses a
    workbook name without .xlsx); nothing is computed or written, and the message says what to give."""
    monkeypatch.setattr(analytics, "load_hr_tables", lambda *a, **k: pytest.fail("computed before the name was checked"))
    code = cli.main(["--data", str(planted), "hr-report", "--as-of", "2026-10-01", "-o", str(tmp_path / name)])
    assert code == 1
    assert capsys.readouterr().err == (f"careerconv hr-report: error: -o/--output {tmp_path / name} is not a page name; "
                                       f"give a file name ending in .html, such as {tmp_path / suggested}\n")
    assert list(tmp_path.iterdir()) == []


def test_a_page_name_ending_in_htm_in_capitals_is_a_page(planted, tmp_path):
    page = tmp_path / "HR.HTM"
    assert cli.main(["--data", str(planted), "hr-report", "--as-of", "2026-10-01", "--min-group-size", "3", "-q",
                     "-o", str(page)]) == 0
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("args, message", [
    (["--department", "Nowhere"], "departments are:"),
    (["--as-of", "yesterday"], "--as-of"),
    (["--period-start", "2027-01-01", "--as-of", "2026-10-01"], "no complete quarter"),
    # before any record: was a report of "1998 Q4 to 1998 Q4" with today's headcounts
    (["--as-of", "1999-01-01"], "the report date (as of) 1999-01-01 is too early: the records start on"),
    # was "as_of 2026-10-01 is too early", blaming the report date for the period's end
    (["--as-of", "2026-10-01", "--period-end", "1999-01-01"], "the period's end 1999-01-01 is too early"),
    # was "the period has no complete quarter ... before as_of 2026-10-01 (and period_end)"
    (["--period-start", "2026-06-01", "--period-end", "2025-01-01", "--as-of", "2026-10-01"],
     "the period's start 2026-06-01 is after its end 2025-01-01"),
])
def test_bad_parameters_are_one_readable_error(planted, capsys, tmp_path, args, message):
    code = cli.main(["--data", str(planted), "hr-report", *args, "-o", str(tmp_path / "x.html")])
    assert code == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "x.html").exists()


def test_a_blank_department_is_a_usage_error(planted, capsys, tmp_path):
    """``--department ''`` was a report on "Selected departments" that covered everyone."""
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--data", str(planted), "hr-report", "--department", "", "-o", str(tmp_path / "x.html")])
    assert exit_info.value.code == 2 and "a department name is required" in capsys.readouterr().err
    assert not (tmp_path / "x.html").exists()


def test_missing_data_folder_is_one_readable_error(tmp_path, capsys):
    assert cli.main(["--data", str(tmp_path / "none"), "hr-report"]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_the_sample_organisation_renders_and_says_what_was_hidden(sample_data, tmp_path):
    html_path = tmp_path / "sample.html"
    assert cli.main(["--data", str(sample_data), "hr-report", "--as-of", "2026-10-01", "-o", str(html_path)]) == 0
    html = html_path.read_text(encoding="utf-8")
    assert "fewer than 5" in html
    assert "figures are shown" in html


def test_a_report_of_one_department_says_why_it_hides_more_than_the_whole_page(sample_data, tmp_path):
    """``--department Engineering`` hid its department's row although the page of all departments shows it, and
    the page only said groups were small or hidden to protect a smaller one; it now says the filter's own rule
    (a department left out adding 1 to k-1 people in some quarter), and that the report of everyone hides less."""
    why = "A figure is also hidden when a department left out would add 1 to 4 people to it in some quarter"
    pages = {}
    for name, extra in (("all", []), ("one", ["--department", "Engineering"])):
        pages[name] = tmp_path / f"{name}.html"
        assert cli.main(["--data", str(sample_data), "hr-report", "--as-of", "2026-10-01", *extra,
                         "-o", str(pages[name])]) == 0
    assert why in pages["one"].read_text(encoding="utf-8")
    assert "the report of all departments hides fewer figures" in pages["one"].read_text(encoding="utf-8")
    assert why not in pages["all"].read_text(encoding="utf-8")


def test_a_section_that_hides_large_groups_does_not_call_them_small():
    """``--department Engineering`` on the demo read "Nothing can be shown for cadence compliance: every group has
    fewer than 5 employees" over Engineering's 19 people, hidden by the rules that compare reports, in a section
    titled "Conversations and follow-ups on time". The reading gives the reason the labels give, under the
    section's own name."""
    import pandas as pd

    from careerconv import analytics
    from careerconv.rules import privacy

    title = analytics.TABLE_TITLES["cadence_compliance"]
    large = pd.DataFrame({"department": [None, "Engineering"], privacy.COUNT: [pd.NA, pd.NA],
                          "share_any_overdue": [None, None], privacy.PRIVACY: [privacy.HIDDEN, privacy.HIDDEN]})
    large.attrs["k"] = 5
    assert analytics.describe("cadence_compliance", large) == (
        f"Nothing can be shown for {title.lower()}: no group has fewer than 5 employees, but each is hidden so "
        "that no one can single out fewer than 5 people from the totals or by comparing reports of other periods "
        "or departments.")
    small = large.assign(**{privacy.PRIVACY: privacy.fewer_than(5)})
    assert analytics.describe("cadence_compliance", small) == (
        f"Nothing can be shown for {title.lower()}: every group has fewer than 5 employees.")


def test_the_notebook_shows_the_tables_the_command_computed(planted):
    """The command computes the tables once (a minute on half a million people) and the notebook shows them."""
    from careerconv import analytics
    from careerconv.surfaces.report import hr_page

    hr = analytics.hr_aggregates(analytics.load_hr_tables(planted, lazy=True), "2026-10-01", k=3)
    hr["about"].loc[hr["about"]["item"] == "as of", "value"] = "2031-12-31"  # a date only these tables hold
    parameters = {"data_dir": str(planted), "period_start": "", "period_end": "", "departments": [],
                  "min_group_size": 3, "as_of": "2026-10-01"}
    assert "as of 31\N{NO-BREAK SPACE}Dec\N{NO-BREAK SPACE}2031" in hr_page.render_html(parameters, hr)
    assert "Dec\N{NO-BREAK SPACE}2031" not in hr_page.render_html(parameters)


def test_handed_tables_must_be_tables(tmp_path):
    from careerconv import analytics

    analytics.save_aggregates({"about": "not a table"}, tmp_path / "x.pickle")
    with pytest.raises(ValueError, match="does not hold HR analytics tables"):
        analytics.load_aggregates(tmp_path / "x.pickle")
    analytics.save_aggregates({"about": pd.DataFrame()}, tmp_path / "partial.pickle")
    with pytest.raises(ValueError, match="overview, skill_trends.* missing"):
        analytics.load_aggregates(tmp_path / "partial.pickle")
    (tmp_path / "garbage.pickle").write_bytes(b"not a pickle at all")
    with pytest.raises(ValueError, match="cannot be read"):
        analytics.load_aggregates(tmp_path / "garbage.pickle")


def test_counts_in_the_csv_tables_are_whole_numbers_beside_hidden_rows(rendered):
    """A count column with hidden rows (blank, or the privacy label in the employees column) came out as floats:
    "1495.0" targets due, which a spreadsheet reads as a measurement, not a count (found reading the CSVs)."""
    from careerconv.analytics import presentation

    checked = 0
    for name, columns in presentation._COLUMNS.items():
        text = rendered["csv"][f"{name}.csv"].decode("utf-8-sig")
        frame = pd.read_csv(pd.io.common.StringIO(text), dtype=str, keep_default_na=False)
        for header in (h for h, kind in columns.values() if kind == "int" and h in frame.columns):
            cells = frame[header]
            assert cells.str.fullmatch(r"\d+|fewer than \d+|not shown|").all(), (name, header, list(cells))
            checked += int(cells.str.fullmatch(r"\d+").sum())
        if name == "target_attainment":
            assert (frame["Targets due"] == "").any()  # hidden rows beside the counts: what made them floats
    assert checked > 50


def test_a_section_whose_total_is_hidden_but_a_department_shown_does_not_say_nothing_can_be_shown():
    """On a custom-period page "who is covered" read "Nothing can be shown for the people covered: ... each is hidden
    ..." above a table showing Sales with 7 people (found by a helper): only the total across all departments was
    hidden. The reading says that, with the total's own reason, and points to the rows shown."""
    import pandas as pd

    from careerconv import analytics
    from careerconv.rules import privacy

    table = pd.DataFrame({"department": [None, "Engineering", "Sales"], privacy.COUNT: [pd.NA, pd.NA, 7],
                          "share_met": [None, None, 0.57], "conversations": [None, None, 4],
                          "checkins": [None, None, 9],
                          privacy.PRIVACY: [privacy.HIDDEN, privacy.fewer_than(5), ""]})
    table.attrs["k"] = 5
    reading = analytics.describe("overview", table)
    assert "Nothing can be shown" not in reading
    assert reading == (
        "The figures for the people covered across all departments are not shown (they are hidden so that no one "
        "can single out fewer than 5 people from the totals or by comparing reports of other periods or "
        "departments); those of the departments that can be shown are below.")
    by_period = table.assign(**{privacy.PRIVACY: [privacy.HIDDEN_BY_PERIOD, privacy.fewer_than(5), ""]})
    reading = analytics.describe("overview", by_period)
    assert reading.startswith("The figures for the people covered across all departments are not shown (they are "
                              "hidden so that ")
    assert '1 figure reads "not shown (period)"' in reading
