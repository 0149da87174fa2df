"""The calendar file: valid RFC 5545, parsed back with the real `icalendar` package."""

from __future__ import annotations

import datetime as dt

import icalendar
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from careerconv.rules import cadence
from careerconv.surfaces.commands import calendar_ics as ics
from careerconv.records import schema
from careerconv.records import tables

D = dt.date
AS_OF = D(2024, 6, 1)
STAMP = dt.datetime(2024, 6, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))  # 07:30 UTC


def person(eid: str, name: str, cadence_months: int = 6, coach: str = "C1") -> dict:
    return {"employee_id": eid, "name": name, "coach_id": coach, "department": "Eng",
            "cadence_months": str(cadence_months)}


def conversation(eid: str, date: dt.date, *, cadence_months: int = 6, every_weeks: int | None = None) -> dict:
    rec = schema.new_conversation(eid, "C1", date, "career-conversation", "1")
    rec["dreams"] = [{"rank": i, "text": f"SECRET-DREAM-{i}"} for i in (1, 2, 3)]
    skill = schema.new_skill("SECRET-SKILL")
    skill.update(self_rating=4, ten_looks_like="SECRET-TEN", approach="SECRET-APPROACH",
                 options=[{"text": f"SECRET-OPTION-{i}", "pros": "p", "cons": "c", "chosen": i == 1}
                          for i in (1, 2, 3)],
                 targets={"6": 5, "12": 6, "18": 7})
    rec.update(status="completed", skills=[skill], cadence_months=cadence_months,
               action_items=[{"item_id": "a1", "text": "SECRET-ACTION"}],
               follow_up={"mode": "one-on-one", "every_weeks": every_weeks, "note": "SECRET-NOTE"})
    return schema.validate_conversation(rec)


def checkin(eid: str, date: dt.date, conversation_id: str) -> dict:
    return schema.validate_checkin({"checkin_id": f"{eid}-ci-{date:%Y%m%d}", "employee_id": eid, "coach_id": "C1",
                                    "date": date.isoformat(), "conversation_id": conversation_id,
                                    "note": "SECRET-CHECKIN-NOTE", "updates": []})


def due_frame(people: list[dict], records: list[dict], as_of: dt.date = AS_OF) -> pd.DataFrame:
    frames = {"roster": schema.validate_roster_frame(pd.DataFrame(people), "roster"),
              **tables.frames_from_records(records, cadence.DUE_TABLES[1:])}
    return cadence.due_list(frames, as_of)


LONG_NAME = "Zoë Ångström-Łukasiewicz 山田太郎 Ñúñez, Jr.; \\ de la Cruz–Østergaard 🙂 " * 2
TEAM = [
    person("E1", "Ann Lee"),
    person("E2", "Ben New"),
    person("E3", "Cai Late"),
    person("E4", "Dee Yearly", cadence_months=12),
    person("E5", LONG_NAME),
]
RECORDS = [
    conversation("E1", D(2024, 3, 15), every_weeks=4),
    checkin("E1", D(2024, 5, 20), "E1-20240315"),
    conversation("E3", D(2023, 10, 23)),
    conversation("E4", D(2024, 5, 1), cadence_months=12),
    conversation("E5", D(2024, 1, 1), every_weeks=26),
]


def parse(data: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(data)


def events_of(cal: icalendar.Calendar) -> list[tuple[str, dt.date]]:
    return sorted((str(e["SUMMARY"]), e["DTSTART"].dt) for e in cal.walk("VEVENT"))


@pytest.fixture(scope="module")
def team_events() -> list[ics.CalendarEvent]:
    return ics.calendar_events(due_frame(TEAM, RECORDS), AS_OF)


def test_calendar_parses_with_icalendar_and_holds_the_due_events(team_events):
    cal = parse(ics.render_calendar(team_events, STAMP))
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["PRODID"]) == ics.PRODID
    assert str(cal["CALSCALE"]) == "GREGORIAN"
    assert events_of(cal) == sorted([
        # E1: check-in clock restarted by the 20 May check-in, every 4 weeks, until the 15 Sep conversation
        ("Check-in: Ann Lee", D(2024, 6, 17)),
        ("Check-in: Ann Lee", D(2024, 7, 15)),
        ("Check-in: Ann Lee", D(2024, 8, 12)),
        ("Check-in: Ann Lee", D(2024, 9, 9)),
        ("Career conversation: Ann Lee", D(2024, 9, 15)),
        # E2: never met -> due now
        ("Career conversation: Ben New", AS_OF),
        # E3: due 23 Apr 2024, overdue -> placed on today
        ("Career conversation: Cai Late", AS_OF),
        # E4: 12-month cadence, within the default one-year horizon
        ("Career conversation: Dee Yearly", D(2025, 5, 1)),
        # E5: 6 months after 1 Jan; the 26-week check-in falls on that day, so none
        ("Career conversation: " + LONG_NAME, D(2024, 7, 1)),
    ])


def test_all_day_events_uids_and_utc_stamp(team_events):
    cal = parse(ics.render_calendar(team_events, STAMP))
    uids = [str(e["UID"]) for e in cal.walk("VEVENT")]
    assert len(uids) == len(set(uids)) == len(team_events)
    assert all(u.endswith("@careerconv") for u in uids)
    for event in cal.walk("VEVENT"):
        start, end = event["DTSTART"].dt, event["DTEND"].dt
        assert type(start) is dt.date and type(end) is dt.date      # all-day, VALUE=DATE
        assert end - start == dt.timedelta(days=1)
        stamp = event["DTSTAMP"].dt
        assert stamp == dt.datetime(2024, 6, 1, 7, 30, tzinfo=dt.timezone.utc)
        assert stamp.utcoffset() == dt.timedelta(0)
    text = ics.render_calendar(team_events, STAMP).decode("utf-8")
    assert "DTSTART;VALUE=DATE:20240915\r\n" in text
    assert "DTSTAMP:20240601T073000Z\r\n" in text


# The UIDs a calendar already holds: a version of careerconv that computed them differently would add every
# reminder a second time instead of updating it. Written down once; never recomputed here.
KNOWN_UIDS = [
    ("E2", D(2024, 6, 1), "0c4b9e7b3e0ef038af8e0444@careerconv"),  # never met: due "first"
    ("E3", D(2024, 6, 1), "55a33f2b735d11db018e3719@careerconv"),  # overdue: keyed by the day it fell due
    ("E1", D(2024, 6, 17), "3a0b9f49399c596ce3dfbda5@careerconv"),
    ("E5", D(2024, 7, 1), "fd3dae1b10ae19514f574401@careerconv"),
    ("E1", D(2024, 7, 15), "69f3373e1f8312298ba40d60@careerconv"),
    ("E1", D(2024, 8, 12), "59c8a121bb5559f27b1bc527@careerconv"),
    ("E1", D(2024, 9, 9), "dcc4b936075e00cbdcee05d1@careerconv"),
    ("E1", D(2024, 9, 15), "83b557daa7424e541e15c87f@careerconv"),
    ("E4", D(2025, 5, 1), "437a39b7a221b4ba937f343b@careerconv"),
]


def test_uids_are_stable_across_exports_and_days():
    first = ics.calendar_events(due_frame(TEAM, RECORDS), AS_OF)
    again = ics.calendar_events(due_frame(TEAM, RECORDS), AS_OF)
    assert [(e.employee_id, e.date, e.uid) for e in first] == KNOWN_UIDS
    assert [e.uid for e in first] == [e.uid for e in again]
    # a week later the overdue conversation moves to the new "today" but keeps its UID,
    # so a calendar updates it instead of adding a copy
    later_day = AS_OF + dt.timedelta(days=7)
    later = ics.calendar_events(due_frame(TEAM, RECORDS, later_day), later_day)
    cai_now = next(e for e in first if e.summary == "Career conversation: Cai Late")
    cai_later = next(e for e in later if e.summary == "Career conversation: Cai Late")
    assert cai_now.uid == cai_later.uid
    assert (cai_now.date, cai_later.date) == (AS_OF, later_day)
    assert "Overdue by 39 days" in cai_now.description and "Overdue by 46 days" in cai_later.description
    assert ics.event_uid("E3", "conversation", D(2024, 4, 23)) == cai_now.uid == "55a33f2b735d11db018e3719@careerconv"
    assert ics.event_uid("E3", "checkin", D(2024, 4, 23)) == "0c08f5b1e2d76c310e3859a6@careerconv"
    assert ics.event_uid("E2", "conversation", "first") == "0c4b9e7b3e0ef038af8e0444@careerconv"


def test_long_non_ascii_names_are_folded_and_round_trip(team_events):
    data = ics.render_calendar(team_events, STAMP)
    physical = data.split(b"\r\n")
    assert physical[-1] == b""                                       # ends with CRLF
    assert b"\n" not in b"".join(physical)                           # no bare LF anywhere
    assert max(len(line) for line in physical) <= 75
    for line in physical:
        line.decode("utf-8")                                         # no character split across lines
    folded = [line for line in physical if line.startswith(b" ")]
    assert len(folded) >= 3                                          # the long name needed folding
    summaries = {str(e["SUMMARY"]) for e in parse(data).walk("VEVENT")}
    assert "Career conversation: " + LONG_NAME in summaries          # commas, semicolons, backslash survive


def test_no_free_text_from_conversations_in_the_calendar(team_events):
    text = ics.render_calendar(team_events, STAMP).decode("utf-8")
    assert "SECRET" not in text.replace("\r\n ", "")


def test_horizon_and_descriptions():
    due = due_frame(TEAM, RECORDS)
    events = ics.calendar_events(due, AS_OF, horizon_days=30)
    assert [(e.summary, e.date) for e in events] == [
        ("Career conversation: Ben New", AS_OF),
        ("Career conversation: Cai Late", AS_OF),
        ("Check-in: Ann Lee", D(2024, 6, 17)),
        ("Career conversation: " + LONG_NAME, D(2024, 7, 1)),   # exactly 30 days ahead: included
    ]
    ben, cai, ann, _ = events
    assert "none has been held" in ben.description
    assert "due 2024-04-23" in cai.description and "every 6 months" in cai.description
    assert "due 2024-06-17" in ann.description and "one-on-one every 4 weeks" in ann.description
    assert "last check-in 2024-05-20" in ann.description
    assert "Open action items: 1" in ann.description
    assert ics.calendar_events(due, AS_OF, horizon_days=0) == events[:2]
    with pytest.raises(ValueError, match="horizon_days"):
        ics.calendar_events(due, AS_OF, horizon_days=-1)
    with pytest.raises(ValueError, match="missing column"):
        ics.calendar_events(due.drop(columns=["name"]), AS_OF)


def test_an_overdue_checkin_is_placed_today_and_the_series_restarts_from_there():
    due = due_frame([person("E1", "Ann")], [conversation("E1", D(2024, 3, 1), every_weeks=4)])
    # due 29 Mar, overdue on 1 Jun: today, then every 4 weeks until the 1 Sep conversation
    events = [(e.kind, e.date) for e in ics.calendar_events(due, AS_OF)]
    assert events == [("checkin", D(2024, 6, 1)), ("checkin", D(2024, 6, 29)), ("checkin", D(2024, 7, 27)),
                      ("checkin", D(2024, 8, 24)), ("conversation", D(2024, 9, 1))]


def test_an_overdue_series_of_checkins_keeps_its_uids_from_day_to_day():
    """The check-ins planned after an overdue one move with "today", and got new UIDs every day: importing the
    calendar again the next day added copies. Each keeps its UID (named by the day it would be due had none been
    missed); the first is still named by the day it was due, as before."""
    due = due_frame([person("E1", "Ann")], [conversation("E1", D(2024, 3, 1), every_weeks=4)])
    next_day = AS_OF + dt.timedelta(days=1)
    today = [e for e in ics.calendar_events(due, AS_OF) if e.kind == "checkin"]
    tomorrow = [e for e in ics.calendar_events(due_frame([person("E1", "Ann")],
                                                         [conversation("E1", D(2024, 3, 1), every_weeks=4)],
                                                         next_day), next_day) if e.kind == "checkin"]
    assert [e.date for e in tomorrow] == [d + dt.timedelta(days=1) for d in (e.date for e in today)]
    assert [e.uid for e in tomorrow] == [e.uid for e in today]
    assert today[0].uid == ics.event_uid("E1", "checkin", D(2024, 3, 29))  # due 29 Mar (4 weeks after 1 Mar)
    assert today[1].uid == ics.event_uid("E1", "checkin", D(2024, 4, 26))


def test_write_calendar_writes_the_file(tmp_path, team_events):
    path = ics.write_calendar(tmp_path / "sub" / "team.ics", team_events, STAMP, name="Team; C1")
    cal = parse(path.read_bytes())
    # an X- property is TEXT by default (RFC 5545 3.8.8.2), so it is escaped like one
    assert b"\r\nX-WR-CALNAME:Team\\; C1\r\n" in path.read_bytes()
    assert len(cal.walk("VEVENT")) == len(team_events)


def test_render_rejects_naive_stamps_and_duplicate_uids(team_events):
    with pytest.raises(ValueError, match="timezone-aware"):
        ics.render_calendar(team_events, dt.datetime(2024, 6, 1, 9, 0))
    with pytest.raises(ValueError, match="share the UID"):
        ics.render_calendar([team_events[0], team_events[0]], STAMP)


def test_empty_calendar_is_valid():
    """RFC 5545 (3.6) wants at least one component in a calendar: with no event it holds the UTC time zone alone,
    which no calendar app shows; with events, no time zone (their dates are whole days)."""
    cal = parse(ics.render_calendar([], STAMP))
    assert cal.walk("VEVENT") == [] and cal.walk("VTODO") == [] and cal.walk("VJOURNAL") == []
    assert [c.name for c in cal.subcomponents] == ["VTIMEZONE"]
    (zone,) = cal.walk("VTIMEZONE")
    assert zone["TZID"] == "UTC" and zone.to_tz().utcoffset(dt.datetime(2026, 7, 1)) == dt.timedelta(0)
    assert ics.render_calendar([], STAMP).endswith(b"END:VTIMEZONE\r\nEND:VCALENDAR\r\n")


def test_a_calendar_of_events_holds_no_time_zone(team_events):
    cal = parse(ics.render_calendar(team_events, STAMP))
    assert cal.walk("VTIMEZONE") == [] and len(cal.walk("VEVENT")) == len(team_events)


@pytest.mark.parametrize("raw, escaped", [
    ("a,b;c\\d", "a\\,b\\;c\\\\d"),
    ("line 1\nline 2\r\nline 3\rline 4", "line 1\\nline 2\\nline 3\\nline 4"),
    ("bell\x07 tab\t", "bell tab\t"),
])
def test_escape_text(raw, escaped):
    assert ics.escape_text(raw) == escaped


def test_fold_line_boundaries():
    exactly = "X" * 75
    assert ics.fold_line(exactly) == exactly
    assert ics.fold_line("X" * 76) == "X" * 75 + "\r\n X"
    # a 2-octet character that would straddle octet 75 moves whole to the next line
    assert ics.fold_line("X" * 74 + "é") == "X" * 74 + "\r\n é"
    with pytest.raises(ValueError, match="line break"):
        ics.fold_line("a\nb")


@settings(max_examples=300)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=400))
def test_fold_line_property(text):
    folded = ics.fold_line("SUMMARY:" + text)
    physical = folded.encode("utf-8").split(b"\r\n")
    assert all(len(p) <= 75 for p in physical)
    assert all(p.startswith(b" ") for p in physical[1:])
    for p in physical:
        p.decode("utf-8")
    assert folded.replace("\r\n ", "") == "SUMMARY:" + text


@settings(max_examples=100)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=120))
def test_any_name_round_trips_through_icalendar(name):
    event = ics.CalendarEvent(uid="x@careerconv", date=AS_OF, summary=f"Check-in: {name}",
                              description=f"Coach: {name}", employee_id="E1", kind="checkin")
    parsed = parse(ics.render_calendar([event], STAMP)).walk("VEVENT")[0]
    assert str(parsed["SUMMARY"]) == f"Check-in: {name}"
    assert str(parsed["DESCRIPTION"]) == f"Coach: {name}"


# --------------------------------------------------------------------------- reminders


def alarms_of(cal: icalendar.Calendar) -> list[tuple[str, icalendar.cal.Alarm]]:
    return [(str(e["SUMMARY"]), a) for e in cal.walk("VEVENT") for a in e.walk("VALARM")]


def test_every_event_reminds_one_day_before_by_default(team_events):
    cal = parse(ics.render_calendar(team_events, STAMP))
    alarms = alarms_of(cal)
    assert len(alarms) == len(team_events)
    for summary, alarm in alarms:
        assert str(alarm["ACTION"]) == "DISPLAY" and str(alarm["DESCRIPTION"]) == summary
        assert alarm["TRIGGER"].dt == dt.timedelta(days=-1)  # before the start, as the calendar reads it
    assert "TRIGGER:-P1D\r\n" in ics.render_calendar(team_events, STAMP).decode("utf-8")


@pytest.mark.parametrize("text, trigger, before", [
    ("2d", "-P2D", dt.timedelta(days=2)), ("12h", "-PT12H", dt.timedelta(hours=12)),
    ("1w", "-P1W", dt.timedelta(weeks=1)), ("1d12h", "-P1DT12H", dt.timedelta(days=1, hours=12)),
    (" 30M ", "-PT30M", dt.timedelta(minutes=30)), ("2w3d", "-P17D", dt.timedelta(days=17)),
    ("0", "PT0S", dt.timedelta(0)),
])
def test_the_lead_time_is_configurable(team_events, text, trigger, before):
    lead = ics.parse_lead_time(text)
    assert lead == before and ics.ical_duration(lead) == trigger
    data = ics.render_calendar(team_events, STAMP, remind=lead)
    assert data.decode("utf-8").count(f"TRIGGER:{trigger}\r\n") == len(team_events)
    assert {a["TRIGGER"].dt for _, a in alarms_of(parse(data))} == {-before}


@pytest.mark.parametrize("text", ["none", "off", "NO"])
def test_no_reminders_when_asked(team_events, text):
    assert ics.parse_lead_time(text) is None
    data = ics.render_calendar(team_events, STAMP, remind=ics.parse_lead_time(text))
    assert b"VALARM" not in data and len(parse(data).walk("VEVENT")) == len(team_events)


@pytest.mark.parametrize("text", ["", "2", "-1d", "1.5d", "2 days", "d", "1y", "1d1d", "tomorrow", "53w", "1e3h"])
def test_a_bad_lead_time_is_refused_saying_what_is_allowed(text):
    with pytest.raises(ValueError) as exc:
        ics.parse_lead_time(text)
    assert repr(text) in str(exc.value) and "1d, 2d, 12h" in str(exc.value) and "none" in str(exc.value)


def test_a_negative_lead_time_cannot_be_rendered(team_events):
    with pytest.raises(ValueError, match="cannot be negative"):
        ics.render_calendar(team_events, STAMP, remind=dt.timedelta(hours=-1))


def test_someone_without_a_coach_gets_events_without_a_coach_line():
    people = [person("E1", "Ann Lee", coach=""), person("E2", "Ben New")]
    events = ics.calendar_events(due_frame(people, [conversation("E1", D(2024, 3, 15), every_weeks=8)]), AS_OF)
    ann = [e for e in events if e.employee_id == "E1"]
    assert ann and all("Coach" not in e.description for e in ann)
    assert all("Coach: C1" in e.description for e in events if e.employee_id == "E2")


def test_due_command_writes_reminders_with_the_lead_time_asked_for(tmp_path, capsys):
    from careerconv import cli
    from careerconv.records.store import Store

    store = Store(tmp_path / "data")
    store.save_roster(schema.validate_roster_frame(pd.DataFrame(TEAM[:3]), "roster"))
    target = tmp_path / "team.ics"
    args = ["--data", str(store.root), "due", "--as-of", AS_OF.isoformat(), "--ics", str(target)]
    assert cli.main(args) == 0
    assert {a["TRIGGER"].dt for _, a in alarms_of(parse(target.read_bytes()))} == {dt.timedelta(days=-1)}
    assert cli.main([*args, "--remind", "2d"]) == 0
    alarms = alarms_of(parse(target.read_bytes()))
    assert len(alarms) == 3 and {a["TRIGGER"].dt for _, a in alarms} == {dt.timedelta(days=-2)}
    assert cli.main([*args, "--remind", "none"]) == 0
    assert b"VALARM" not in target.read_bytes()
    capsys.readouterr()
    with pytest.raises(SystemExit) as exc:
        cli.main([*args, "--remind", "2 days"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "argument --remind: '2 days' is not a reminder lead time; give a lead time such as 1d" in err
