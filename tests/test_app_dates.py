"""Dates in the app are typed and shown in one style, day month year (not the browser's locale), and a
date the coach mistypes is refused in words without losing the one already there."""

from __future__ import annotations

import datetime as dt

import pytest

from app_harness import Harness
from careerconv.surfaces.app.widgets import DateBox
from careerconv.records.dates import parse_human_date
from orgs import make_small_org


@pytest.mark.parametrize("typed, day", [
    ("12 Mar 2027", dt.date(2027, 3, 12)), ("12 march 2027", dt.date(2027, 3, 12)), ("1 Sept. 2027", dt.date(2027, 9, 1)),
    ("  3  Dec  2026 ", dt.date(2026, 12, 3)), ("2027-03-12", dt.date(2027, 3, 12)),
    ("03/04/2027", dt.date(2027, 4, 3)),  # day first, the app's order
    ("", None), ("   ", None)])
def test_the_forms_a_coach_types_are_read_day_first(typed, day):
    assert parse_human_date(typed) == day


@pytest.mark.parametrize("typed", ["abc", "30 Feb 2027", "12 Smarch 2027", "13/13/2027", "2027", "12 Mar"])
def test_what_is_not_a_date_is_refused_with_the_forms_allowed(typed):
    with pytest.raises(ValueError, match="is not a date: write it as 12 Mar 2027 .day month year. or 2027-03-12"):
        parse_human_date(typed)


def test_the_box_shows_the_app_style_and_keeps_the_date_when_the_typing_is_wrong():
    box = DateBox()
    seen = []
    box.observe(lambda change: seen.append(change["new"]), "value")
    box.text.value = "2027-03-12"
    assert box.value == dt.date(2027, 3, 12) and box.text.value == "12 Mar 2027"
    box.text.value = "next tuesday"
    assert box.value == dt.date(2027, 3, 12)
    assert "is not a date" in box.message.value and "the date stays 12 Mar 2027" in box.message.value
    assert box.message.layout.display != "none"
    box.value = dt.date(2026, 1, 2)  # a record loaded: shown, and the old complaint goes
    assert box.text.value == "2 Jan 2026" and box.message.value == "" and box.message.layout.display == "none"
    box.text.value = ""
    assert box.value is None
    assert seen == [dt.date(2027, 3, 12), dt.date(2026, 1, 2), None]
    with pytest.raises(Exception, match="holds a date or None"):
        box.value = "2026-01-01"


def test_an_action_item_due_date_typed_in_the_app_style_is_saved_as_iso(tmp_path):
    root = tmp_path / "data"
    make_small_org(root)
    h = Harness(root)
    app = h.app
    app.select_employee("E002")
    app.start_conversation()
    items = app.editor("action_items")
    row = items.rows[0]
    row.text.value = "Book the course"
    row.due.text.value = "1 Dec 2026"
    h.advance(5)
    assert h.stored()["action_items"][0]["due"] == "2026-12-01"
    row.due.text.value = "31 Nov 2026"  # no such day: the saved date stays
    h.advance(5)
    assert h.stored()["action_items"][0]["due"] == "2026-12-01"
    assert "31 Nov 2026" in row.due.message.value
