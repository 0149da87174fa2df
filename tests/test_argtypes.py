"""The commands' option types: the value typed comes back, or an error that quotes it and says what is allowed."""

from __future__ import annotations

import argparse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from careerconv.surfaces.commands.argtypes import FIRST_DAY, LAST_DAY, horizons, iso_date, named, whole_number
from careerconv.surfaces.commands.demo import years_range


@given(st.dates(min_value=FIRST_DAY, max_value=LAST_DAY))
def test_iso_dates_read_back(day):
    assert iso_date(day.isoformat()) == day


@pytest.mark.parametrize("text", ["9999-12-31", "2300-01-01", "2200-01-01", "1899-12-31", "0001-01-01"])
def test_a_day_careerconv_cannot_count_from_is_refused_saying_which_are_allowed(text):
    """A hostile tester's `--as-of 9999-12-31` and `demo --as-of 2300-01-01` stopped with pandas' and pyarrow's
    own overflow messages (the demo after writing 581 records)."""
    with pytest.raises(argparse.ArgumentTypeError) as exc:
        iso_date(text)
    assert str(exc.value) == f"{text!r} is out of range; allowed: a day from 1900-01-01 to 2199-12-31"


def test_the_last_day_and_the_most_days_ahead_work_together(tmp_path, capsys):
    """The bounds are safe: the due list and its calendar on LAST_DAY, looking MAX_DAYS_AHEAD ahead (a tester's
    `due --within 100000` stopped with 'Out of bounds nanosecond timestamp')."""
    from careerconv.cli import main
    from careerconv.surfaces.commands.argtypes import MAX_DAYS_AHEAD

    data = tmp_path / "data"
    assert main(["--data", str(data), "-q", "demo", "--employees", "12", "--seed", "3"]) == 0
    day = LAST_DAY.isoformat()
    assert main(["--data", str(data), "due", "--as-of", day, "--within", str(MAX_DAYS_AHEAD), "--soon",
                 str(MAX_DAYS_AHEAD), "--ics", str(tmp_path / "due.ics")]) == 0
    assert "12 people" in capsys.readouterr().out
    assert (tmp_path / "due.ics").read_text(encoding="utf-8").startswith("BEGIN:VCALENDAR")
    with pytest.raises(SystemExit) as exc:
        main(["--data", str(data), "due", "--within", str(MAX_DAYS_AHEAD + 1)])
    assert exc.value.code == 2
    assert f"{MAX_DAYS_AHEAD + 1} is out of range; allowed: 0 to 3,660 days" in capsys.readouterr().err


@pytest.mark.parametrize("text, reason", [
    ("yesterday", "is not a date; expected YYYY-MM-DD"),
    ("2026-02-30", "is not a real calendar date"),
    ("03/04/2026", "ambiguous"),
])
def test_a_bad_date_is_quoted_with_the_reason(text, reason):
    with pytest.raises(argparse.ArgumentTypeError) as exc:
        iso_date(text)
    assert str(exc.value).startswith(f"{text!r}: ") and reason in str(exc.value)


@given(st.integers(min_value=-10**6, max_value=10**6))
def test_whole_numbers_inside_the_bounds_read_back_and_outside_are_refused(value):
    days = whole_number(minimum=0, maximum=1000, what="days")
    if 0 <= value <= 1000:
        assert days(str(value)) == value
    else:
        with pytest.raises(argparse.ArgumentTypeError, match=f"^{value} is out of range; allowed: 0 to 1,000 days$"):
            days(str(value))


@pytest.mark.parametrize("parse, text, message", [
    (whole_number(minimum=0, what="days"), "soon", "'soon' is not a whole number of days"),
    (whole_number(minimum=0, what="days"), "1.5", "'1.5' is not a whole number of days"),
    (whole_number(minimum=0, what="days"), "-3", "-3 is out of range; allowed: 0 or more days"),
    (whole_number(minimum=8, maximum=2_000_000, what="employees"), "3",
     "3 is out of range; allowed: 8 to 2,000,000 employees"),
    (whole_number(maximum=10), "11", "11 is out of range; allowed: up to 10"),
    (whole_number(), "x", "'x' is not a whole number"),
])
def test_whole_number_messages_say_what_is_allowed(parse, text, message):
    with pytest.raises(argparse.ArgumentTypeError) as exc:
        parse(text)
    assert str(exc.value) == message


def test_an_unbounded_whole_number_takes_any_integer():
    assert whole_number()("-7") == -7 and whole_number()(" 12 ") == 12


def test_years_and_horizons():
    assert years_range("2-4") == (2.0, 4.0) and years_range("3") == (3.0, 3.0)
    assert horizons("18, 6,12") == (6, 12, 18)
    with pytest.raises(argparse.ArgumentTypeError, match="6 is given more than once; give each horizon once"):
        horizons("18, 6,12,6")  # the 12 and 18 the person may have meant would go unseen
    with pytest.raises(argparse.ArgumentTypeError, match="a department name is required, not ' '"):
        named("department")(" ")
    with pytest.raises(argparse.ArgumentTypeError, match="from 1 to 10"):
        years_range("5-1")
    with pytest.raises(argparse.ArgumentTypeError, match="separated by commas"):
        horizons("6;12")
    with pytest.raises(argparse.ArgumentTypeError, match="from 1 to 120"):
        horizons("0,6")
