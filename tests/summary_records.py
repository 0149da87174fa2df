"""A completed conversation as full as a real one: the summary's one-page promise is tested on it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from app_harness import Harness
from test_app import fill_whole_conversation


def completed_with_three_skills(root: Path) -> Harness:
    """The small organisation's E002 with a completed conversation of three full skills (the summary's worst case)."""
    h = Harness(root)
    app = h.app
    app.select_employee("E002")
    app.start_conversation()
    fill_whole_conversation(h, dreams=("Lead the platform team and grow three engineers into leads",
                                       "Publish a paper on distributed consensus at a good venue",
                                       "Teach a university course on systems design"))
    app.editor("want_more").area.value = ("More time on architecture and mentoring, less on status meetings; "
                                          "more writing, and speaking at one conference a year. ") * 2
    skills = app.editor("skills")
    skills.input.value = "Technical writing"
    skills.add_button.click()
    card = skills.card("Technical writing")
    card.self_rating.value = 4
    card.ten.value = "Writes design documents others quote; reviews are short because the text is clear. " * 2
    for i, row in enumerate(card.options):
        row.text.value = f"Writing option {i + 1}: a course, a mentor, or a weekly post on the team blog"
        row.pros.value = "cheap, fits the week, visible to the team"
        row.cons.value = "needs evenings at first; feedback takes time"
    card.options[2].choose.value = True
    card.approach.value = "One post a week for a quarter, reviewed by the tech lead"
    for horizon, value in zip((6, 12, 18), (5, 6, 8)):
        card.target_boxes[horizon].value = value
    items = app.editor("action_items")
    items.add_button.click()
    items.rows[1].text.value = "Book the writing course"
    items.rows[1].owner.value = "Alan Turing"
    items.rows[1].due.value = dt.date(2026, 12, 1)
    assert app.complete() == []
    return h
