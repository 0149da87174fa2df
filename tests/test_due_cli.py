"""`careerconv due`: output formats, the calendar file and errors, driven through the real CLI."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata

import icalendar
import pandas as pd
import pytest

from careerconv.rules import cadence
from careerconv.records import schema
from careerconv.cli import main
from careerconv.records.store import Store

D = dt.date
AS_OF = "2024-06-01"


def conversation(eid: str, date: dt.date, *, coach: str = "C1", cadence_months: int = 6,
                 every_weeks: int | None = None, status: str = "completed") -> dict:
    rec = schema.new_conversation(eid, coach, date, "career-conversation", "1")
    rec["dreams"] = [{"rank": i, "text": f"dream {i}"} for i in (1, 2, 3)]
    skill = schema.new_skill("Negotiation")
    skill.update(self_rating=6, ten_looks_like="closes hard deals", approach="course",
                 options=[{"text": f"option {i}", "chosen": i == 2} for i in (1, 2, 3)],
                 targets={"6": 7, "12": 8, "18": 8})
    rec.update(status=status, skills=[skill], cadence_months=cadence_months,
               action_items=[{"item_id": "a1", "text": "book the course"}, {"item_id": "a2", "text": "shadow"}],
               follow_up={"mode": "one-on-one", "every_weeks": every_weeks, "note": ""})
    return rec


@pytest.fixture
def data(tmp_path):
    """A team of two coaches: overdue, never met (with a draft), due soon, scheduled, a check-in due."""
    store = Store(tmp_path / "data")
    store.save_roster(pd.DataFrame([
        {"employee_id": "E1", "name": "=HYPERLINK(\"http://x\")", "coach_id": "C1", "department": "Sales",
         "cadence_months": "6"},
        {"employee_id": "E2", "name": "山田太郎", "coach_id": "C1", "department": "Eng", "cadence_months": "12"},
        {"employee_id": "E3", "name": "Ann Lee", "coach_id": "C1", "department": "Eng", "cadence_months": "6"},
        {"employee_id": "E4", "name": "Bo\x1b[31mRed", "coach_id": "C2", "department": "Ops",
         "cadence_months": "6"},
        {"employee_id": "E5", "name": "Cy Far", "coach_id": "C2", "department": "Ops", "cadence_months": "12"},
    ]))
    store.save_many([
        conversation("E1", D(2023, 10, 23)),                    # due 23 Apr 2024: overdue 39 days
        conversation("E2", D(2024, 5, 1), status="draft"),      # never met, draft in progress
        conversation("E3", D(2023, 12, 11), every_weeks=2),     # conversation due 11 Jun; check-in overdue
        conversation("E4", D(2023, 12, 20), coach="C2"),        # due 20 Jun 2024: due soon
        conversation("E5", D(2024, 3, 1), coach="C2", cadence_months=12),  # due 1 Mar 2025: scheduled
        {"checkin_id": "E3-ci-20240510", "employee_id": "E3", "coach_id": "C1", "date": "2024-05-10",
         "conversation_id": "E3-20231211", "updates": [{"item_id": "a1", "status": "done"}]},
    ], durable=False)
    return store.root


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_table_is_aligned_and_most_urgent_first(data, capsys):
    code, out, err = run(capsys, "--data", str(data), "due", "--as-of", AS_OF)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("Career conversations and check-ins due on 2024-06-01, everyone on the roster who "
                               "has not left")
    header = next(i for i, line in enumerate(lines) if line.startswith("STATUS"))
    rows = lines[header + 2: header + 7]
    assert [r.split()[0] for r in rows] == ["overdue", "overdue", "never", "due", "scheduled"]
    # E1's conversation is 39 days late, E3's check-in (due 24 May) 8 days
    assert re.search(r"\b39\b", rows[0]) and "E1" in rows[0]
    assert re.search(r"\b8\b", rows[1]) and "check-in overdue" in rows[1]
    assert "draft in progress (2024-05-01)" in rows[2] and "never" in rows[2] and "now" in rows[2]
    # the ID column starts at the same display position on every line (wide CJK names count double)
    id_column = lines[header].index("ID")
    for r in rows:
        match = re.search(r"  (E\d)  ", r)
        assert _display_width(r[:match.start(1)]) == id_column, r
    assert "Bo?[31mRed" in out and "\x1b" not in out        # no escape sequences reach the terminal
    assert lines[-1] == "5 people: 2 overdue, 1 never met, 1 due soon, 1 scheduled."


def test_coach_and_within_filters(data, capsys):
    code, out, _ = run(capsys, "--data", str(data), "due", "--as-of", AS_OF, "--coach", "C2", "--within", "30")
    assert code == 0
    assert "coach C2, due within 30 days" in out
    assert "Bo?[31mRed" in out and "Cy Far" not in out and "Ann Lee" not in out
    assert out.splitlines()[-1] == "1 person: 1 due soon."

    code, out, _ = run(capsys, "--data", str(data), "due", "--as-of", AS_OF, "--coach", "C2", "--within", "5")
    assert code == 0 and "Nobody is due." in out


def test_unknown_coach_is_a_clear_error(data, capsys):
    code, out, err = run(capsys, "--data", str(data), "due", "--coach", "C9")
    assert code == 1 and out == ""
    assert "coach 'C9' has no reports on the roster; coaches are: C1, C2" in err
    assert "Traceback" not in err


def test_csv_neutralises_formulas_and_has_every_column(data, capsys):
    code, out, _ = run(capsys, "--data", str(data), "due", "--as-of", AS_OF, "--format", "csv")
    assert code == 0
    assert not out.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0].keys()) == list(cadence.DUE_COLUMNS)
    first = rows[0]
    assert first["employee_id"] == "E1"
    assert first["name"] == "'=HYPERLINK(\"http://x\")"   # shown as text by a spreadsheet, not run
    assert first["next_conversation_due"] == "2024-04-23" and first["days_overdue"] == "39"
    never = next(r for r in rows if r["employee_id"] == "E2")
    assert never["status"] == "never met" and never["last_conversation"] == "" and never["days_overdue"] == ""


def test_csv_to_a_file_has_a_bom_for_excel(data, capsys, tmp_path):
    target = tmp_path / "out" / "due.csv"
    code, out, err = run(capsys, "--data", str(data), "due", "--as-of", AS_OF, "--format", "csv",
                         "--output", str(target))
    assert code == 0 and out == ""
    assert f"Wrote 5 people to {target}" in err
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "山田太郎" in raw.decode("utf-8-sig")


def test_the_list_takes_the_format_its_file_is_named_for(data, capsys, tmp_path):
    """``-o due.csv`` wrote the readable table into a file named .csv; the name now says the format."""
    for name, check in (("due.csv", lambda raw: raw.startswith(b"\xef\xbb\xbfemployee_id,")),
                        ("due.json", lambda raw: json.loads(raw)["count"] == 5),
                        ("due.txt", lambda raw: raw.startswith(b"Career conversations and check-ins due on"))):
        code, _, _ = run(capsys, "--data", str(data), "due", "--as-of", AS_OF, "-o", str(tmp_path / name))
        assert code == 0 and check((tmp_path / name).read_bytes()), name


def test_json_for_tools(data, capsys):
    code, out, _ = run(capsys, "--data", str(data), "due", "--as-of", AS_OF, "--format", "json", "--coach", "C1")
    assert code == 0
    payload = json.loads(out)
    assert payload["as_of"] == AS_OF and payload["coach"] == "C1" and payload["count"] == 3
    people = {p["employee_id"]: p for p in payload["employees"]}
    assert [p["employee_id"] for p in payload["employees"]] == ["E1", "E3", "E2"]
    assert people["E3"]["next_checkin_due"] == "2024-05-24"      # 10 May check-in + 2 weeks
    assert people["E3"]["last_checkin"] == "2024-05-10"
    assert people["E3"]["open_action_items"] == 1                  # a1 was done at the check-in
    assert people["E3"]["follow_up_every_weeks"] == 2
    assert people["E2"]["days_overdue"] is None and people["E2"]["draft_in_progress"] == "2024-05-01"
    assert people["E1"]["name"] == "=HYPERLINK(\"http://x\")"      # JSON keeps values as they are


def test_ics_file_is_written_and_parses(data, capsys, tmp_path):
    target = tmp_path / "team.ics"
    code, out, err = run(capsys, "--data", str(data), "due", "--as-of", AS_OF, "--coach", "C1",
                         "--within", "60", "--ics", str(target))
    assert code == 0
    assert "STATUS" in out
    assert re.search(r"Wrote 4 calendar events \(3 career conversations, 1 check-in, up to 2024-07-31\)", err)
    cal = icalendar.Calendar.from_ical(target.read_bytes())
    events = sorted((e["DTSTART"].dt, str(e["SUMMARY"])) for e in cal.walk("VEVENT"))
    # E1's overdue conversation and E2's first one are placed today; E3's check-in was due 24 May
    # (overdue: today) and comes before the conversation due 11 Jun, after which none is listed
    assert events == [
        (D(2024, 6, 1), "Career conversation: =HYPERLINK(\"http://x\")"),
        (D(2024, 6, 1), "Career conversation: 山田太郎"),
        (D(2024, 6, 1), "Check-in: Ann Lee"),
        (D(2024, 6, 11), "Career conversation: Ann Lee"),
    ]
    assert "C1" in str(cal["X-WR-CALNAME"])


@pytest.mark.parametrize("argv, message", [
    (["--as-of", "31/12/2024x"], "--as-of"),
    (["--as-of", "03/04/2024"], "ambiguous"),
    (["--within", "-3"], "-3 is out of range; allowed: 0 to 3,660 days"),
    (["--within", "soon"], "not a whole number"),
    (["--format", "xml"], "invalid choice"),
    # options that would have been ignored or written something else than the file's name promises
    (["--remind", "2d"], "--remind sets the reminders of the calendar: give --ics FILE too"),
    (["-o", "due.ics"], "writes the due list (table, csv or json), not a calendar; give the calendar file to --ics"),
    # a calendar named without .ics was written, and neither a calendar app nor a double click opened it
    (["--ics", "team"], "--ics team is not a calendar name; give a file name ending in .ics, such as team.ics"),
    (["--ics", "team.txt"], "--ics team.txt is not a calendar name; give a file name ending in .ics, such as team.ics"),
    (["--format", "csv", "-o", "due.json"], "ends in .json but --format is csv; name the file due.csv or leave out"),
    # a name promising a format the command does not write: the text table was written into due.xlsx
    (["-o", "due.xlsx"], "-o due.xlsx ends in .xlsx, which this command does not write (it writes table, csv or json); "
                         "name the file due.txt"),
    (["--format", "csv", "-o", "due.html"], "ends in .html, which this command does not write (it writes table, csv "
                                            "or json); name the file due.csv"),
])
def test_bad_arguments_are_usage_errors(data, capsys, tmp_path, monkeypatch, argv, message):
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)  # a relative name would be written here
    with pytest.raises(SystemExit) as exit_info:
        main(["--data", str(data), "due", *argv])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
    assert list(here.iterdir()) == []  # nothing written


def test_missing_folder_and_empty_roster(tmp_path, capsys):
    code, _, err = run(capsys, "--data", str(tmp_path / "nowhere"), "due")
    assert code == 1 and "does not exist" in err
    Store(tmp_path / "empty").save_roster(pd.DataFrame(columns=schema.ROSTER.names))
    code, _, err = run(capsys, "--data", str(tmp_path / "empty"), "due")
    assert code == 1 and "the roster" in err and "is empty" in err


def test_help(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["due", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for option in ("--coach", "--within", "--as-of", "--format", "--ics", "--soon", "--output"):
        assert option in out


@pytest.mark.slow
def test_smoke_on_the_sample_organisation(sample_data, capsys, tmp_path):
    store = Store(sample_data)
    latest = max(r["date"] for r in store.iter_records())
    as_of = (dt.date.fromisoformat(latest) + dt.timedelta(days=1)).isoformat()
    code, out, err = run(capsys, "--data", str(sample_data), "due", "--as-of", as_of, "--format", "json",
                         "--ics", str(tmp_path / "all.ics"))
    assert code == 0, err
    people = json.loads(out)["employees"]
    assert sorted(p["employee_id"] for p in people) == sorted(store.roster()["employee_id"])
    ranks = [cadence.STATUSES.index(p["status"]) for p in people]
    assert ranks == sorted(ranks)
    late = [p["days_overdue"] for p in people if p["status"] == cadence.OVERDUE]
    assert late == sorted(late, reverse=True) and all(d > 0 for d in late)
    for p in people:
        assert (p["status"] == cadence.NEVER_MET) == (p["last_conversation"] is None)
    events = icalendar.Calendar.from_ical((tmp_path / "all.ics").read_bytes()).walk("VEVENT")
    assert len({str(e["UID"]) for e in events}) == len(events)
    horizon = (dt.date.fromisoformat(as_of) + dt.timedelta(days=365)).isoformat()
    expected = sorted(p["name"] for p in people
                      if p["next_conversation_due"] is None or p["next_conversation_due"] <= horizon)
    found = sorted(str(e["SUMMARY"]).removeprefix("Career conversation: ") for e in events
                   if str(e["SUMMARY"]).startswith("Career conversation: "))
    assert found == expected


def test_output_to_a_folder_is_a_clear_error(data, capsys, tmp_path):
    code, _, err = run(capsys, "--data", str(data), "due", "--ics", str(tmp_path))
    assert code == 1 and "is a folder; give a file name" in err and "Traceback" not in err
