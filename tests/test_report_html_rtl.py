"""Right-to-left text in the HTML report, the batch index and the HR page's tables.

Text a person typed (a name, a dream, a skill, a note, a department) sits in an element
that takes its direction from the text itself: a block element with ``dir="auto"``, or a
``<bdi>`` inside a sentence of ours, so a Hebrew dream reads and starts on the right and
what follows a right-to-left name keeps its place. Checked on the parsed HTML: for each
typed text, the element that holds it.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pandas as pd

from careerconv.records.store import History
from careerconv.surfaces.report import content, render
from careerconv.surfaces.report.index import MADE, IndexEntry, index_html
from careerconv.views import stacked_tables
from test_report_truth import checkin, conversation, history

NAME = "דנה כהן"
COACH = "יוסי לוי"
DREAM = "לדבר בכנס 2027 מול 300 אנשים"
ARABIC_SKILL = "مهارات التواصل"
TEN = "أتحدث أمام 200 شخص"
ACTION = "להציג בפגישת הצוות 3 פעמים"
NOTE = "3 פעמים מתוך 5"
DEPARTMENT = "הנדסה"


class _Holders(HTMLParser):
    """For every run of text, the open elements around it, innermost last: (tag, attributes)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[tuple[str, list[tuple[str, dict[str, str | None]]]]] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ("img", "br", "meta", "link", "input"):
            self.open.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        while self.open:
            if self.open.pop()[0] == tag:
                break

    def handle_data(self, data):
        if data.strip():
            self.texts.append((data.strip(), list(self.open)))


def holders(page: str, text: str) -> list[list[tuple[str, dict[str, str | None]]]]:
    """The open elements around each occurrence of ``text`` (a whole run of text) in ``page``."""
    parser = _Holders()
    parser.feed(page)
    found = [around for data, around in parser.texts if data == text]
    assert found, f"{text!r} is not a run of text of the page"
    return found


def report_page() -> str:
    items = [{"item_id": "a1", "text": ACTION, "due": "2025-12-01", "owner": "employee", "skill": ARABIC_SKILL}]
    plan = conversation("2025-09-01", [(ARABIC_SKILL, 4, (6, 7, 8)), ("Python", 4, (6, 7, 8))], items=items)
    plan["dreams"] = [{"rank": 1, "text": DREAM}, {"rank": 2, "text": "Lead a team"}]
    plan["skills"][0]["ten_looks_like"] = TEN
    update = {"conversation_id": plan["conversation_id"], "item_id": "a1", "status": "in_progress", "note": NOTE}
    base = history([plan], [checkin("2026-02-25", [(ARABIC_SKILL, 5, 6)], conv=plan["conversation_id"],
                                    updates=[update])])
    employee = {**base.employee, "name": NAME, "coach_name": COACH, "department": DEPARTMENT}
    report_content = content.build_content(History(employee, base.conversations, base.checkins), "2026-03-15")
    parts = [render.header(report_content), render.dreams(report_content), render.standing(report_content, None),
             render.horizon_table(report_content), *render.skill_sections(report_content, None),
             render.action_plan(report_content)]
    return "".join(str(part) for part in parts)


def test_blocks_of_typed_text_take_their_direction_from_it():
    page = report_page()
    (around,) = holders(page, DREAM)
    assert around[-1] == ("li", {"dir": "auto"})
    (around,) = holders(page, NAME)
    assert around[-1][0] == "h2" and around[-1][1]["dir"] == "auto"
    (around,) = holders(page, TEN)
    assert around[-1] == ("td", {"dir": "auto"})
    skill = [around[-1] for around in holders(page, ARABIC_SKILL)]
    assert [tag for tag, _ in skill] == ["td"] * 4 + ["h3", "td"]  # standing, 3 horizons, heading, action item
    assert all(attributes.get("dir") == "auto" for _, attributes in skill)
    (around,) = holders(page, ACTION)
    assert around[-1][0] == "td" and around[-1][1].get("dir") == "auto"
    (around,) = holders(page, "Python")[1:2]  # a Latin skill's cell: auto too (it reads left to right)
    assert around[-1][1].get("dir") == "auto"


def test_typed_text_inside_a_sentence_of_ours_is_isolated():
    page = report_page()
    (around,) = holders(page, COACH)  # "Your coach": the name beside our label
    assert around[-1] == ("bdi", {}) and around[-2][0] == "td"
    (around,) = holders(page, NOTE)  # "25 Feb 2026: <note>"
    assert around[-1] == ("bdi", {}) and around[-2][0] == "td" and "dir" not in around[-2][1]
    assert "25\xa0Feb\xa02026: <bdi>" + NOTE + "</bdi>" in page


def test_missing_typed_text_leaves_no_empty_isolate():
    assert render._typed(None) == "" and render._typed("  ") == ""
    assert render._typed("<b>&") == "<bdi>&lt;b&gt;&amp;</bdi>"
    assert render._typed(DREAM, "li") == f'<li dir="auto">{DREAM}</li>'


def test_index_names_and_departments_take_their_direction_from_their_text(tmp_path):
    page = index_html([IndexEntry("E1", NAME, DEPARTMENT, MADE)], as_of=pd.Timestamp("2026-03-15").date(),
                      folder=tmp_path)
    for text in (NAME, DEPARTMENT):
        (around,) = holders(page, text)
        assert around[-1][0] == "td" and around[-1][1].get("dir") == "auto"


def test_hr_table_cells_take_their_direction_from_their_text():
    frame = pd.DataFrame({"department": [DEPARTMENT, "Sales"], "skill": [ARABIC_SKILL, "Python"], "employees": [7, 12]})
    page = stacked_tables.stacked_table(frame.to_html(index=False, escape=True, border=0, classes="hr-table"))
    for text in (DEPARTMENT, ARABIC_SKILL, "12"):
        (around,) = holders(page, text)
        assert around[-1][0] == "td" and around[-1][1].get("dir") == "auto"
    (around,) = holders(page, "department")  # the header row is ours: left as it was
    assert "dir" not in around[-1][1]
