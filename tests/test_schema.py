"""The schema module: value parsers and record validation.

What a user notices: a bad rating, id or date is refused with a message that
says what is allowed; a record with several mistakes is refused with all of
them listed at once; free text comes back exactly as typed.
"""

from __future__ import annotations

import copy
import re
import datetime as dt
import json
import math
import string

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from careerconv.records import schema

ALLOWED_RATING = "a whole number from 1 to 10"


def completed_conversation(employee_id: str = "E1", conversation_id: str | None = None,
                           date: dt.date = dt.date(2024, 3, 1)) -> dict:
    """A conversation that answers everything the method asks for."""
    record = schema.new_conversation(employee_id, "C1", date, "career-conversation", "1", conversation_id)
    record["dreams"] = [{"rank": i, "text": f"dream {i}"} for i in (1, 2, 3)]
    skill = schema.new_skill("Public speaking")
    skill.update({
        "self_rating": 5, "coach_rating": 6, "ten_looks_like": "Keynotes at conferences",
        "options": [{"text": "Toastmasters", "pros": "weekly practice", "cons": "evenings", "chosen": True},
                    {"text": "Present at team meetings", "pros": "cheap", "cons": "small audience"},
                    {"text": "Course", "pros": "structured", "cons": "costly"}],
        "approach": "Toastmasters, plus one team talk a month",
        "targets": {"6": 6, "12": 7, "18": 8},
    })
    record["skills"] = [skill]
    record["action_items"] = [{"item_id": "a1", "text": "Join Toastmasters", "due": "2024-04-01",
                               "owner": employee_id}]
    record["cadence_months"] = 6
    record["follow_up"] = {"mode": "one-on-one", "every_weeks": 2, "note": ""}
    record["status"] = "completed"
    return record


# --------------------------------------------------------------------------
# ratings


@pytest.mark.parametrize("bad", [0, 11, -1, 7.5, "ten", "", "   ", float("nan"), "1e1", "7.5", "7,5", True, False,
                                 None, "7 8", "+7", "٧", "0x7", [7], pd.NA, np.nan, "1,000", "7.", "10,0 0"])
def test_bad_ratings_are_rejected_with_what_is_allowed(bad):
    with pytest.raises(ValueError) as info:
        schema.parse_rating(bad)
    assert ALLOWED_RATING in str(info.value)


@pytest.mark.parametrize("raw, expected", [(" 7 ", 7), ("7", 7), ("\t10\n", 10), (7.0, 7), (1, 1), (10, 10),
                                           (np.int64(7), 7), (np.float64(7.0), 7), ("07", 7),
                                           ("7.0", 7), ("7,0", 7), (" 10,00 ", 10)])
def test_good_ratings_are_read_as_whole_numbers(raw, expected):
    value = schema.parse_rating(raw)
    assert value == expected and type(value) is int


@pytest.mark.parametrize("missing", [None, "", "  ", float("nan"), pd.NA])
def test_missing_rating_is_none_only_where_allowed(missing):
    assert schema.parse_rating(missing, allow_missing=True) is None
    with pytest.raises(ValueError, match="missing"):
        schema.parse_rating(missing)


def test_out_of_range_rating_message_names_the_value():
    with pytest.raises(ValueError, match="rating 11 is out of range"):
        schema.parse_rating(11)


def test_numpy_boolean_is_not_a_rating():
    with pytest.raises(ValueError):
        schema.parse_rating(np.True_)


WHITESPACE = st.text(alphabet=" \t\n\r\x0b\x0c\u00a0\u2003\u3000", max_size=4)


@given(st.integers(1, 10), WHITESPACE, WHITESPACE)
def test_property_any_rating_with_any_padding_round_trips(n, left, right):
    assert schema.parse_rating(f"{left}{n}{right}") == n
    assert schema.parse_rating(n) == n
    assert schema.parse_rating(float(n)) == n


@given(st.integers().filter(lambda n: not 1 <= n <= 10))
def test_property_integers_outside_1_to_10_are_rejected(n):
    for raw in (n, str(n), float(n) if abs(n) < 2 ** 53 else n):
        with pytest.raises(ValueError, match=ALLOWED_RATING):
            schema.parse_rating(raw)


@given(st.floats(allow_nan=True, allow_infinity=True).filter(lambda x: math.isnan(x) or not x.is_integer()))
def test_property_fractional_and_non_finite_numbers_are_rejected(x):
    with pytest.raises(ValueError):
        schema.parse_rating(x)


@given(st.text(max_size=12))
def test_property_text_is_a_rating_only_if_it_is_ascii_digits_1_to_10(text):
    core = text.strip()
    valid = core.isascii() and core.isdigit() and 1 <= int(core) <= 10
    if valid:
        assert schema.parse_rating(text) == int(core)
    else:
        with pytest.raises(ValueError):
            schema.parse_rating(text)


# --------------------------------------------------------------------------
# identifiers


@pytest.mark.parametrize("bad, says", [
    ("../../etc/passwd", "letters, digits"),
    ("", "empty"),
    (" E1", "whitespace"),
    ("E1 ", "whitespace"),
    ("E1\n", "whitespace"),
    ("CON", "reserved"),
    ("con.txt", "reserved"),
    ("nul", "reserved"),
    ("COM1", "reserved"),
    ("lpt9.log", "reserved"),
    ("a/b", "letters, digits"),
    ("a\\b", "letters, digits"),
    ("..", "letters, digits"),
    (".hidden", "start with a letter or digit"),
    ("-rf", "start with a letter or digit"),
    ("E1.", "end with '.'"),
    ("a" * 65, "at most 64 characters"),
    ("é1", "letters, digits"),
    ("E 1", "letters, digits"),
    ("E1:x", "letters, digits"),
    (None, "empty"),
])
def test_bad_ids_are_rejected_with_what_is_allowed(bad, says):
    with pytest.raises(ValueError) as info:
        schema.parse_identifier(bad, what="employee id")
    message = str(info.value)
    assert says in message
    assert message.startswith("employee id")


@pytest.mark.parametrize("good", ["E1", "E0001", "a" * 64, "e.1_x-2", "9", "CONSULTANT", "Console", "COM10"])
def test_good_ids_are_kept_unchanged(good):
    assert schema.parse_identifier(good) == good


def test_integral_number_id_from_a_spreadsheet_cell_is_read_without_dot_zero():
    assert schema.parse_identifier(1042.0) == "1042"
    assert schema.parse_identifier(1042) == "1042"


ID_ALPHABET = string.ascii_letters + string.digits + "._-"


@given(st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=1),
       st.text(alphabet=ID_ALPHABET, max_size=63))
def test_property_ids_in_the_alphabet_are_accepted_unless_reserved_or_ending_in_dot(first, rest):
    value = first + rest
    reserved = value.split(".")[0].upper() in {"CON", "PRN", "AUX", "NUL", "CLOCK$"} | {
        f"{p}{i}" for p in ("COM", "LPT") for i in range(10)}
    if reserved or value.endswith("."):
        with pytest.raises(ValueError):
            schema.parse_identifier(value)
    else:
        assert schema.parse_identifier(value) == value


@given(st.text(alphabet=ID_ALPHABET, max_size=30), st.characters().filter(lambda ch: ch not in ID_ALPHABET),
       st.text(alphabet=ID_ALPHABET, max_size=30))
def test_property_any_character_outside_the_id_alphabet_is_rejected(before, bad_char, after):
    with pytest.raises(ValueError):
        schema.parse_identifier(f"E{before}{bad_char}{after}")


@given(st.text(alphabet=ID_ALPHABET, min_size=65, max_size=200))
def test_property_ids_longer_than_64_are_rejected(value):
    with pytest.raises(ValueError):
        schema.parse_identifier("E" + value)


# --------------------------------------------------------------------------
# dates


@pytest.mark.parametrize("raw, expected", [
    ("2024-03-04", dt.date(2024, 3, 4)),
    ("2024/03/04", dt.date(2024, 3, 4)),
    (" 2024-3-4 ", dt.date(2024, 3, 4)),
    ("2024-03-04T10:30:00", dt.date(2024, 3, 4)),
    ("2024-03-04 10:30:00+02:00", dt.date(2024, 3, 4)),
    (dt.date(2024, 3, 4), dt.date(2024, 3, 4)),
    (dt.datetime(2024, 3, 4, 23, 59), dt.date(2024, 3, 4)),
    (pd.Timestamp("2024-03-04 08:00"), dt.date(2024, 3, 4)),
    (45000, dt.date(2023, 3, 15)),
    (45000.0, dt.date(2023, 3, 15)),
    (np.float64(45000.0), dt.date(2023, 3, 15)),
    ("13/04/2024", dt.date(2024, 4, 13)),  # only DD/MM makes sense
    ("04/13/2024", dt.date(2024, 4, 13)),  # only MM/DD makes sense
    ("13.04.2024", dt.date(2024, 4, 13)),
    ("13.04.2024 00:00", dt.date(2024, 4, 13)),  # a date-time cell as a German Excel writes it to CSV
    ("04/13/2024 12:00:00 AM", dt.date(2024, 4, 13)),
    ("4/13/2024 0:00", dt.date(2024, 4, 13)),
    # The month by its name, as HR systems and Excel's date formats write it, and SAP's YYYYMMDD.
    ("31-Dec-2025", dt.date(2025, 12, 31)), ("31 Dec 2025", dt.date(2025, 12, 31)),
    ("Dec 31, 2025", dt.date(2025, 12, 31)), ("3 March 2024", dt.date(2024, 3, 3)),
    ("1 Sept. 2027", dt.date(2027, 9, 1)), ("31-DEC-2025 00:00", dt.date(2025, 12, 31)),
    ("20251231", dt.date(2025, 12, 31)), (20251231, dt.date(2025, 12, 31)),
])
def test_dates_are_read_deliberately(raw, expected):
    assert schema.parse_date(raw) == expected


def test_excel_serial_45000_is_15_march_2023():
    assert schema.parse_date(45000) == dt.date(2023, 3, 15)
    assert schema.parse_date(18264) == dt.date(1950, 1, 1)
    assert schema.parse_date(73050) == dt.date(2099, 12, 31)


def test_excel_serial_as_numpy_integer():
    assert schema.parse_date(np.int64(45000)) == dt.date(2023, 3, 15)


def test_ambiguous_day_month_order_is_rejected_not_guessed():
    with pytest.raises(ValueError) as info:
        schema.parse_date("03/04/2024")
    message = str(info.value)
    assert "ambiguous" in message and "YYYY-MM-DD" in message
    assert "--date-order" not in message  # only importers offer that option; they add the hint


def test_date_order_resolves_ambiguity():
    assert schema.parse_date("03/04/2024", date_order="dmy") == dt.date(2024, 4, 3)
    assert schema.parse_date("03/04/2024", date_order="mdy") == dt.date(2024, 3, 4)
    assert schema.parse_date("13/04/2024", date_order="dmy") == dt.date(2024, 4, 13)
    with pytest.raises(ValueError, match="MDY"):
        schema.parse_date("13/04/2024", date_order="mdy")
    with pytest.raises(ValueError, match="'dmy' or 'mdy'"):
        schema.parse_date("03/04/2024", date_order="ymd")


@pytest.mark.parametrize("bad", ["2024-02-30", "31/02/2024", "yesterday", "2024-13-01", 45000.5, 100, 99999,
                                 True, "", None, "2024", "3 Marhc 2024", "13.04.2024 25:00",
                                 "04/13/2024 13:00 PM", "45000", "20251331", "31-Dec-2025 25:00", "31 Feb 2025"])
def test_bad_dates_are_rejected_saying_what_is_expected(bad):
    with pytest.raises(ValueError) as info:
        schema.parse_date(bad)
    message = str(info.value)
    assert "YYYY-MM-DD" in message or "calendar date" in message


@pytest.mark.parametrize("bad, told", [
    ("31.12.25", "two-digit year"), ("12/31/25 0:00", "two-digit year"),
    ("31-Dec-25", "two-digit year"),
    ("Dec 31st", "also DD.MM.YYYY, DD/MM/YYYY, MM/DD/YYYY, 31-Dec-2025, 31 Dec 2025, 'Dec 31, 2025' or YYYYMMDD"),
    ("45657", "Excel's count of days (45657 is 2024-12-31 in it)")])
def test_a_date_refused_says_which_forms_are_read(bad, told):
    """Found importing a German history: '31.12.25' was refused as 'is not a date; expected YYYY-MM-DD', though
    31.12.2025 is read: the message named one form of the four and not what was wrong with this one."""
    with pytest.raises(ValueError, match=re.escape(told)):
        schema.parse_date(bad)


def test_missing_date_allowed_only_when_asked():
    assert schema.parse_date("", allow_missing=True) is None
    assert schema.parse_date(None, allow_missing=True) is None
    with pytest.raises(ValueError, match="missing"):
        schema.parse_date("")


DATES = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2099, 12, 31))


@given(DATES)
def test_property_dates_round_trip_through_iso_and_excel_serial(day):
    assert schema.parse_date(day.isoformat()) == day
    serial = (day - dt.date(1899, 12, 30)).days
    assert schema.parse_date(serial) == day
    assert schema.parse_date(float(serial)) == day
    assert schema.parse_date(dt.datetime.combine(day, dt.time(12, 0))) == day


@given(DATES)
def test_property_slash_dates_round_trip_with_a_stated_order(day):
    assert schema.parse_date(day.strftime("%d/%m/%Y"), date_order="dmy") == day
    assert schema.parse_date(day.strftime("%m/%d/%Y"), date_order="mdy") == day


@given(DATES)
def test_property_slash_dates_without_order_are_read_only_when_unambiguous(day):
    text = day.strftime("%d/%m/%Y")
    if day.day > 12:
        assert schema.parse_date(text) == day
    else:
        assume(day.day != day.month)  # 05/05 reads the same both ways; either answer is acceptable
        with pytest.raises(ValueError, match="ambiguous"):
            schema.parse_date(text)


# --------------------------------------------------------------------------
# cadence, choice, text


@pytest.mark.parametrize("raw, expected", [(6, 6), (12, 12), ("6", 6), ("12", 12), (" 12 ", 12), (6.0, 6)])
def test_cadence_is_6_or_12(raw, expected):
    assert schema.parse_cadence(raw) == expected


@pytest.mark.parametrize("bad", [0, 3, 7, 24, "twelve", "6 months", True, 6.5])
def test_bad_cadence_is_rejected(bad):
    with pytest.raises(ValueError, match="6 or 12"):
        schema.parse_cadence(bad)


def test_cadence_12_from_a_float_cell():
    assert schema.parse_cadence(12.0) == 12


def test_choice_names_what_is_allowed():
    with pytest.raises(ValueError, match="one of: a, b"):
        schema.parse_choice("c", choices=("a", "b"))
    assert schema.parse_choice("b", choices=("a", "b")) == "b"
    assert schema.parse_choice("", choices=("a",), allow_missing=True) is None


FREE_TEXTS = [
    '=HYPERLINK("http://x","y")',
    "<img src=x onerror=alert(1)>",
    "+1 more -2 @me",
    "Growth 🌱🚀 and 👩🏽‍💻",
    "أريد أن أصبح مديرة فريق",
    "שלום עולם",
    "  leading and trailing spaces  ",
    "line one\r\nline two\ttabbed",
    "x" * 50_000,
]


@pytest.mark.parametrize("text", FREE_TEXTS, ids=lambda t: repr(t[:20]))
def test_free_text_is_kept_verbatim(text):
    assert schema.parse_text(text) == text


def test_text_over_the_limit_or_with_nul_is_rejected():
    with pytest.raises(ValueError, match="at most 100000"):
        schema.parse_text("x" * (schema.MAX_TEXT + 1))
    with pytest.raises(ValueError, match="NUL"):
        schema.parse_text("a\x00b")


# --------------------------------------------------------------------------
# conversation records


def test_a_whole_conversation_validates_and_is_normalised():
    record = completed_conversation()
    record["skills"][0]["self_rating"] = " 5 "
    record["skills"][0]["targets"] = {6: 6.0, "12": "7", "18": 8}
    record["action_items"][0]["due"] = 45383  # an Excel serial
    clean = schema.validate_conversation(record)
    assert clean["skills"][0]["self_rating"] == 5
    assert clean["skills"][0]["targets"] == {"6": 6, "12": 7, "18": 8}
    assert clean["action_items"][0]["due"] == "2024-04-01"
    assert clean["schema_version"] == schema.SCHEMA_VERSION and clean["kind"] == "conversation"
    assert record["skills"][0]["self_rating"] == " 5 ", "validation must not change the caller's record"


def test_validation_is_idempotent():
    clean = schema.validate_conversation(completed_conversation())
    assert schema.validate_conversation(copy.deepcopy(clean)) == clean


def test_every_problem_of_a_conversation_is_listed_at_once():
    record = completed_conversation()
    record["conversation_id"] = "../x"
    record["date"] = "03/04/2024"
    record["status"] = "finished"
    record["dreams"] = [{"rank": i, "text": f"d{i}"} for i in range(1, 7)]
    skill = record["skills"][0]
    skill["self_rating"] = 11
    skill["coach_rating"] = "ten"
    skill["targets"] = {"6": 7.5, "12": 8, "18": 9, "24": 10}
    skill["options"][1]["chosen"] = True
    record["skills"].append({**schema.new_skill(" public  SPEAKING ")})
    record["action_items"].append({"item_id": "a1", "text": "again", "due": "2024-02-30"})
    record["cadence_months"] = 9
    record["follow_up"] = {"mode": "telepathy", "every_weeks": 40}
    with pytest.raises(schema.ValidationError) as info:
        schema.validate_conversation(record, "conversations/E1/x.json")
    problems = info.value.problems
    columns = {p.column for p in problems}
    expected = {"conversation_id", "date", "status", "dreams", "skills[0].self_rating", "skills[0].coach_rating",
                "skills[0].targets.6", "skills[0].targets", "skills[0].options", "skills[1].skill",
                "action_items[1].item_id", "action_items[1].due", "cadence_months", "follow_up.mode",
                "follow_up.every_weeks"}
    assert expected <= columns, f"missing: {expected - columns}"
    assert all(p.source == "conversations/E1/x.json" for p in problems)
    text = str(info.value)
    assert "conversations/E1/x.json" in text and "11" in text and "ambiguous" in text


def test_missing_required_fields_are_all_named():
    with pytest.raises(schema.ValidationError) as info:
        schema.validate_conversation({"conversation_id": "c1", "status": "draft"})
    missing = {p.column for p in info.value.problems}
    assert missing == {"employee_id", "coach_id", "date", "question_set", "question_set_version"}


def test_a_record_that_is_not_an_object_is_rejected():
    with pytest.raises(schema.ValidationError, match="JSON object"):
        schema.validate_conversation(["not", "a", "record"])
    with pytest.raises(schema.ValidationError, match="JSON object"):
        schema.validate_checkin("nope")


def test_a_draft_may_be_partial():
    draft = schema.new_conversation("E1", "C1", dt.date(2024, 1, 5), "career-conversation", "1")
    clean = schema.validate_conversation(draft)
    assert clean["status"] == "draft"
    assert clean["conversation_id"] == "E1-20240105"
    assert len(schema.missing_for_completion(clean)) > 0


def test_a_completed_conversation_must_be_whole():
    record = schema.new_conversation("E1", "C1", dt.date(2024, 1, 5), "career-conversation", "1")
    record["status"] = "completed"
    record["dreams"] = [{"rank": 1, "text": "lead a team"}]
    record["skills"] = [{**schema.new_skill("Negotiation"), "self_rating": 4}]
    with pytest.raises(schema.ValidationError) as info:
        schema.validate_conversation(record)
    assert "must be whole" in str(info.value)
    messages = [p.message for p in info.value.problems]
    assert messages == schema.missing_for_completion(schema.validate_conversation({**record, "status": "draft"}))


def test_missing_for_completion_lists_what_is_missing():
    record = completed_conversation()
    assert schema.missing_for_completion(record) == []
    record["dreams"] = record["dreams"][:2]
    record["skills"][0]["ten_looks_like"] = "  "
    record["skills"][0]["options"] = record["skills"][0]["options"][:2]
    record["skills"][0]["options"][0]["chosen"] = False
    record["skills"][0]["targets"]["18"] = None
    record["skills"][0]["self_rating"] = None
    record["action_items"] = []
    record["cadence_months"] = None
    record["follow_up"]["mode"] = None
    missing = schema.missing_for_completion(record)
    joined = "\n".join(missing)
    for phrase in ("at least 3 dreams (2 so far)", "what a 10 looks like for 'Public speaking'",
                   "at least 3 options to raise 'Public speaking' by one (2 so far)",
                   "choose the best approach for 'Public speaking'", "18-month target",
                   "rate 'Public speaking' from 1 to 10", "at least one action item", "6 or 12 months",
                   "how to follow up"):
        assert phrase in joined, phrase
    assert len(missing) == 9


def test_a_target_below_todays_rating_stops_completing_and_says_what_is_allowed():
    """Found by a tester: a skill rated 6 today was given a 6-month target of 4 and the conversation completed.
    The method's targets raise a skill; holding it at today's rating is a target too."""
    record = completed_conversation()  # Public speaking, rated 5
    record["skills"][0]["targets"] = {"6": 4, "12": 5, "18": 3}
    assert schema.missing_for_completion(record, completing=True) == [
        "Action plan: the 6-month target for 'Public speaking' is 4, below today's rating of 5; a target is at "
        "least today's rating (5 holds the skill where it is, more raises it)",
        "Action plan: the 18-month target for 'Public speaking' is 3, below today's rating of 5; a target is at "
        "least today's rating (5 holds the skill where it is, more raises it)",
    ]
    record["skills"][0]["targets"] = {"6": 5, "12": 5, "18": 6}  # equal to today's rating: allowed
    assert schema.missing_for_completion(record, completing=True) == []
    record["skills"][0]["self_rating"] = None  # not rated yet: that is what is missing, not the targets
    assert schema.missing_for_completion(record, completing=True) == ["Action plan: rate 'Public speaking' from 1 to 10"]


def test_a_conversation_completed_before_the_target_rule_still_reads():
    record = completed_conversation()
    record["skills"][0]["targets"] = {"6": 4, "12": 5, "18": 6}  # 4 is below today's 5
    clean = schema.validate_conversation(record)
    assert clean["status"] == "completed" and clean["skills"][0]["targets"] == {"6": 4, "12": 5, "18": 6}
    assert schema.missing_for_completion(clean) == []  # what reading holds a stored record to
    assert schema.target_below_rating(4, 5) and not schema.target_below_rating(5, 5)
    assert not schema.target_below_rating(None, 5) and not schema.target_below_rating(4, None)


def test_no_skill_at_all_is_missing():
    record = completed_conversation()
    record["skills"] = []
    assert schema.missing_for_completion(record) == ["Action plan: add at least one skill"]


def test_imported_history_is_held_only_to_ratings():
    record = schema.new_conversation("E1", "C1", dt.date(2021, 1, 5), "career-conversation", "1")
    record.update(status="completed", source="import:legacy.xlsx",
                  skills=[{**schema.new_skill("SQL"), "self_rating": 6, "targets": {"6": 7}}])
    assert schema.validate_conversation(record)["status"] == "completed"


def test_free_text_is_stored_as_written_in_a_conversation_less_the_whitespace_at_its_ends():
    record = completed_conversation()
    record["answers"] = {f"q{i}": text for i, text in enumerate(FREE_TEXTS)}
    record["dreams"] = [{"rank": i + 1, "text": t} for i, t in enumerate(FREE_TEXTS[:5])]
    record["skills"][0]["ten_looks_like"] = FREE_TEXTS[1]
    record["skills"][0]["options"][0]["pros"] = FREE_TEXTS[0]
    record["action_items"][0]["text"] = FREE_TEXTS[4]
    clean = schema.validate_conversation(record)
    assert clean["answers"] == {**record["answers"], "q6": "leading and trailing spaces"}
    assert [d["text"] for d in clean["dreams"]] == FREE_TEXTS[:5]
    assert clean["skills"][0]["ten_looks_like"] == FREE_TEXTS[1]
    assert clean["skills"][0]["options"][0]["pros"] == FREE_TEXTS[0]
    assert clean["action_items"][0]["text"] == FREE_TEXTS[4]


def test_typed_text_loses_the_whitespace_at_its_ends_and_only_whitespace_is_empty():
    """A tester typed "  Lead a team  " in the app and it was stored with its spaces: a dream that looks like
    "Lead a team" but is not the same text. Every writer goes through the schema, so the rule is here."""
    record = completed_conversation()
    record["answers"] = {"want_more": "  More design work\n", "start_now": "   ", "until_next": "",
                         "alt_goals": [" Lead ", "\t", "Teach"], "alt_realistic": 4}
    record["dreams"] = [{"rank": 1, "text": "  Lead a team  "}, {"rank": 2, "text": "Write a book"},
                        {"rank": 3, "text": "\u00a0Run a marathon\n"}]
    skill = record["skills"][0]
    skill.update(skill=" Public speaking ", ten_looks_like=" Keynotes ", approach="Toastmasters \n")
    skill["options"][0].update(text=" Toastmasters", pros="weekly practice ", cons="\tevenings")
    record["action_items"][0].update(text=" Join Toastmasters ", owner=" E1", skill="Public speaking  ")
    record["follow_up"]["note"] = "  every other Monday  "
    clean = schema.validate_conversation(record)
    assert clean["answers"] == {"want_more": "More design work", "start_now": "", "until_next": "",
                                "alt_goals": ["Lead", "", "Teach"], "alt_realistic": 4}
    assert clean["dreams"] == [{"rank": 1, "text": "Lead a team"}, {"rank": 2, "text": "Write a book"},
                               {"rank": 3, "text": "Run a marathon"}]
    s = clean["skills"][0]
    assert (s["skill"], s["ten_looks_like"], s["approach"]) == ("Public speaking", "Keynotes", "Toastmasters")
    assert s["options"][0] == {"text": "Toastmasters", "pros": "weekly practice", "cons": "evenings", "chosen": True}
    item = clean["action_items"][0]
    assert (item["text"], item["owner"], item["skill"]) == ("Join Toastmasters", "E1", "Public speaking")
    assert clean["follow_up"]["note"] == "every other Monday"

    # text of only whitespace is empty, as empty text is: such a dream is not one of the three
    record["dreams"][2]["text"] = " \t "
    with pytest.raises(schema.ValidationError, match=r"list at least 3 dreams \(2 so far\)"):
        schema.validate_conversation(record)
    record["dreams"][2]["text"] = ""
    with pytest.raises(schema.ValidationError, match=r"list at least 3 dreams \(2 so far\)"):
        schema.validate_conversation(record)
    draft = schema.validate_conversation({**record, "status": "draft"})
    assert draft["dreams"][2] == {"rank": 3, "text": ""}
    record["skills"][0]["skill"] = "   "  # a skill needs a name: spaces are none
    with pytest.raises(schema.ValidationError, match="skill name is required"):
        schema.validate_conversation({**record, "status": "draft"})


def test_text_without_whitespace_at_its_ends_is_stored_unchanged():
    record = completed_conversation()
    record["answers"] = {"want_more": "line one\r\nline two\ttabbed", "alt_goals": ["a  b", "c"]}
    record["dreams"][0]["text"] = "Lead\u00a0a team"
    clean = schema.validate_conversation(record)
    assert clean["answers"] == {"want_more": "line one\r\nline two\ttabbed", "alt_goals": ["a  b", "c"]}
    assert clean["dreams"][0]["text"] == "Lead\u00a0a team"
    # a record as the store holds it reads back to the byte
    again = schema.validate_conversation(copy.deepcopy(clean))
    assert json.dumps(again, ensure_ascii=False) == json.dumps(clean, ensure_ascii=False)


def test_typed_text_of_a_checkin_loses_the_whitespace_at_its_ends():
    record = {"checkin_id": "E1-ci-20240401", "employee_id": "E1", "coach_id": "C1", "date": "2024-04-01",
              "conversation_id": "E1-20240301", "note": " Good month. \n",
              "updates": [{"item_id": "a1", "status": "dropped", "note": " went twice", "reason": "no budget  "}],
              "ratings": [{"skill": " Public speaking", "self_rating": 6}]}
    clean = schema.validate_checkin(record)
    assert clean["note"] == "Good month."
    assert (clean["updates"][0]["note"], clean["updates"][0]["reason"]) == ("went twice", "no budget")
    assert clean["ratings"][0]["skill"] == "Public speaking"
    record["updates"][0]["reason"] = "   "  # a reason of only spaces is no reason
    with pytest.raises(schema.ValidationError, match="a dropped action item needs a reason"):
        schema.validate_checkin(record)


# --------------------------------------------------------------------------
# check-ins


def test_a_checkin_validates_and_lists_every_problem():
    good = {"checkin_id": "E1-ci-20240401", "employee_id": "E1", "coach_id": "C1", "date": "2024-04-01",
            "conversation_id": "E1-20240301",
            "updates": [{"item_id": "a1", "status": "in_progress", "note": "went twice"}],
            "ratings": [{"skill": "Public speaking", "self_rating": " 6 "}]}
    clean = schema.validate_checkin(good)
    assert clean["updates"][0]["conversation_id"] == "E1-20240301"
    assert clean["ratings"][0]["self_rating"] == 6
    bad = copy.deepcopy(good)
    bad["date"] = "2024-04-31"
    bad["updates"] = [{"item_id": "a1", "status": "finished"}, {"item_id": "a2", "status": "dropped"}]
    bad["ratings"] = [{"skill": "", "self_rating": 0}]
    with pytest.raises(schema.ValidationError) as info:
        schema.validate_checkin(bad)
    columns = {p.column for p in info.value.problems}
    assert {"date", "updates[0].status", "updates[1].reason", "ratings[0].skill",
            "ratings[0].self_rating"} <= columns


# --------------------------------------------------------------------------
# problems and table schemas


def test_problem_names_file_row_column_and_value():
    text = str(schema.Problem("roster.csv", "rating must be a whole number", 7, "rating", "ten"))
    assert text == "roster.csv, row 7, column 'rating', value 'ten': rating must be a whole number"


def test_long_values_are_shortened_in_messages():
    text = str(schema.Problem("f", "too long", value="x" * 500))
    assert len(text) < 120


def test_validation_error_lists_at_most_50_and_counts_the_rest():
    problems = [schema.Problem("f", f"problem {i}", row=i) for i in range(60)]
    text = str(schema.ValidationError(problems))
    assert "60 problem(s)" in text and "problem 49" in text and "problem 50" not in text
    assert "and 10 more" in text


def test_unknown_table_lists_the_tables():
    with pytest.raises(ValueError, match="skill_ratings"):
        schema.table("skill_rating")


def test_roster_frame_lists_every_problem_with_rows():
    frame = pd.DataFrame({
        "employee_id": ["E1", "e1", "../x", "E4"],
        "name": ["Ann", "Bob", "", "Dee"],
        "coach_id": ["C1", "C1", "C1", " C2"],
        "department": ["Sales", "Sales", "Ops", "Ops"],
        "cadence_months": ["6", "12", "9", "6"],
    })
    with pytest.raises(schema.ValidationError) as info:
        schema.validate_roster_frame(frame, "roster.csv")
    where = {(p.row, p.column) for p in info.value.problems}
    assert {(3, "employee_id"), (4, "employee_id"), (4, "name"), (4, "cadence_months"),
            (5, "coach_id")} <= where


def test_roster_frame_columns_are_checked_first():
    frame = pd.DataFrame({"employee_id": ["E1"], "name": ["Ann"], "shoe_size": [42]})
    with pytest.raises(schema.ValidationError) as info:
        schema.validate_roster_frame(frame, "roster.csv")
    text = str(info.value)
    assert "'coach_id' is missing" in text and "shoe_size" in text


@pytest.mark.parametrize("kind", ["object", "str", "string[python]", "category"])
def test_roster_frame_reads_the_same_whatever_dtype_its_text_columns_have(kind):
    frame = pd.DataFrame({
        "employee_id": ["E1", "E2", "E3"], "name": ["Ann", "Zoë 😀", "=1+1"], "coach_id": ["", "E1", "E1"],
        "department": ["Sales", "Sales", "R&D"], "role": ["", " ", "lead"], "cadence_months": ["6", " 12 ", "6"],
    }).astype(kind)
    typed = schema.validate_roster_frame(frame, "roster.csv")
    assert typed.to_dict("list") == {
        "employee_id": ["E1", "E2", "E3"], "name": ["Ann", "Zoë 😀", "=1+1"], "coach_id": ["", "E1", "E1"],
        "department": ["Sales", "Sales", "R&D"], "role": ["", "", "lead"], "cadence_months": [6, 12, 6],
        "email": ["", "", ""], "left_on": [pd.NaT, pd.NaT, pd.NaT],  # no left_on column: everyone still here
        "started_on": [pd.NaT, pd.NaT, pd.NaT]}  # no started_on column: everyone started long ago
    assert [str(t) for t in typed.dtypes] == ["string", "string", "string", "string", "string", "Int64", "string",
                                              "datetime64[ns]", "datetime64[ns]"]
    bad = frame.astype(object)
    bad.loc[1, "employee_id"], bad.loc[2, "employee_id"], bad.loc[2, "name"] = "e1", np.nan, None
    with pytest.raises(schema.ValidationError) as info:
        schema.validate_roster_frame(bad.astype(kind), "roster.csv")
    assert [(p.row, p.column, p.message) for p in info.value.problems] == [
        (3, "employee_id", "employee id appears again (first on row 2; ids that differ only in case count as the "
                           "same)"),
        (4, "employee_id", "employee id is empty"), (4, "name", "name is required")]


def test_empty_table_has_the_schema_columns():
    for tbl in schema.TABLES.values():
        assert list(tbl.empty().columns) == tbl.names


def test_skill_names_match_ignoring_case_and_how_their_words_are_separated():
    """Spaces, hyphens, dashes and underscores between words are one break: the spellings a person or an HR
    export uses for one skill are one skill; a name of separators alone keeps its own spelling."""
    spellings = ["Public speaking", "public-speaking", "Public_Speaking", " PUBLIC \u2013 speaking "]
    assert {schema.skill_key(name) for name in spellings} == {"public speaking"}
    assert schema.skill_key("Email writing") != schema.skill_key("E-mail writing")  # letters differ: two skills
    assert schema.skill_key("---") != schema.skill_key("___") and schema.skill_key("C++") == "c++"


@pytest.mark.parametrize("written, month", [("31 déc. 2025", "déc"), ("31-Mär-2025", "Mär"), ("31-Dez-2025", "Dez")])
def test_a_month_named_in_another_language_is_refused_saying_months_are_read_in_english(written, month):
    """Found by a hostile test: 31-Dez-2025 was told its month is not one, 31 déc. 2025 only "is not a date"."""
    with pytest.raises(ValueError) as refused:
        schema.parse_date(written)
    assert str(refused.value).startswith(f"{month!r} is not a month;")
    assert str(refused.value).endswith("months named in English")
