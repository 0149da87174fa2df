"""What a screen reader and a keyboard get from the coach's app, checked on its widget tree (no browser).

Chromium names an ipywidgets text field, dropdown or combobox by its description (a ``<label>``) and by
nothing else: the empty ``<label>`` ipywidgets draws without one wins over a title or a placeholder
(seen in Chromium's own accessibility tree). A button is named by its text,
unless the app named it in words (class ``cc-named`` or ``cc-icon``), when the page bridge gives it its
tooltip as ``aria-label`` (tests/e2e/test_accessibility_browser.py checks that in Chromium). These tests
compute those names the same way and check that each says what the control asks or does.
"""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import ipywidgets as widgets
import pytest

from app_harness import Harness
from orgs import make_small_org
from test_app import fill_whole_conversation

FIELDS = (widgets.Text, widgets.Textarea, widgets.Combobox, widgets.Dropdown)


def words(markup: str) -> str:
    """The text of a description (HTML allowed) as a screen reader reads it."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", markup)).split())


def named_in_words(widget: widgets.Widget) -> bool:
    return bool({"cc-named", "cc-icon"} & set(widget._dom_classes)) and bool(widget.tooltip)


def accessible_names(widget: widgets.Widget) -> list[tuple[str, str]]:
    """(kind, name) of every control in ``widget``'s tree, in the order a Tab reaches them."""
    out: list[tuple[str, str]] = []
    if isinstance(widget, widgets.ToggleButtons):
        tooltips = list(widget.tooltips) if "cc-named" in widget._dom_classes else []
        for i, label in enumerate(widget._options_labels):
            out.append(("toggle", tooltips[i] if i < len(tooltips) and tooltips[i] else label))
    elif isinstance(widget, (widgets.Button, widgets.ToggleButton)):
        out.append(("button", widget.tooltip if named_in_words(widget) else widget.description))
    elif isinstance(widget, FIELDS):
        out.append((type(widget).__name__, words(widget.description)))
    for child in getattr(widget, "children", ()) or ():
        out.extend(accessible_names(child))
    return out


def headings(widget: widgets.Widget) -> list[tuple[int, str]]:
    """(level, text) of every heading the HTML widgets of ``widget``'s tree hold, in page order."""
    out = []
    if isinstance(widget, widgets.HTML):
        out += [(int(level), words(text)) for level, text in
                re.findall(r"<h([1-6])\b[^>]*>(.*?)</h\1>", widget.value, flags=re.S)]
    for child in getattr(widget, "children", ()) or ():
        out.extend(headings(child))
    return out


@pytest.fixture
def conversation(tmp_path: Path) -> Harness:
    """A whole conversation for E002, typed through the widgets, every section built."""
    root = tmp_path / "data"
    make_small_org(root)
    h = Harness(root)
    h.app.select_employee("E002")
    h.app.start_conversation()
    fill_whole_conversation(h)
    return h


def test_every_control_of_a_conversation_has_a_name_in_words(conversation: Harness):
    names = accessible_names(conversation.app.conversation_screen.widget)
    assert len(names) > 80
    unnamed = [(kind, name) for kind, name in names if not re.search(r"[^\W\d_]", name)]
    # before: the answers' text boxes were named by nothing but their placeholder, the ↑ ↓ ✕ of each
    # dream by their symbol and each rating button by its number
    assert unnamed == []


def test_text_fields_are_named_by_the_question_they_answer(conversation: Harness):
    app = conversation.app
    fields = dict((name, kind) for kind, name in accessible_names(app.conversation_screen.widget))
    assert "What has been something you want to do more of?" in fields
    assert {"Dream 1", "Dream 2", "Dream 3", "Move dream 2 up", "Move dream 2 down", "Remove dream 3"} <= set(fields)
    assert "Negotiation: what would a 10 look like?" in fields
    assert "Negotiation, option 2: what would it take?" in fields
    assert "Negotiation, option 2: pros" in fields
    assert "Public speaking: the best way to approach it" in fields
    assert "Action item: what will be done" in fields


def test_ratings_and_targets_say_which_skill_and_the_range(conversation: Harness):
    card = conversation.app.editor("skills").card("Negotiation")
    rating_names = [name for _, name in accessible_names(card.self_rating)]
    assert rating_names == [f"Negotiation: their rating {i} of 10" for i in range(1, 11)]
    assert words(card.coach_rating.description) == "Coach's view of Negotiation, 1 to 10, (optional)"
    assert [words(card.target_boxes[h].description) for h in (6, 12, 18)] == [
        "6 months target for Negotiation", "12 months target for Negotiation", "18 months target for Negotiation"]
    assert [name for _, name in accessible_names(card.remove_button)] == ["Remove skill Negotiation"]


def test_the_previous_conversation_opens_from_the_keyboard(conversation: Harness):
    """ipywidgets' Accordion header is a <div> that Tab skips; a <details>' <summary> is a button."""
    screen = conversation.app.conversation_screen.widget

    def all_widgets(w):
        yield w
        for c in getattr(w, "children", ()) or ():
            yield from all_widgets(c)

    assert not [w for w in all_widgets(screen) if isinstance(w, widgets.Accordion)]
    previous = next(w for w in all_widgets(screen) if "cc-previous" in w._dom_classes)
    assert "<details><summary>Previous conversation (none yet)</summary>" in previous.value


def test_the_conversation_has_headings_in_order(conversation: Harness):
    app = conversation.app
    app.go_to("finish")  # the Finish step is built when first shown
    found = headings(app.conversation_screen.widget)
    assert found[:3] == [(2, "Alan Turing 1 Oct 2026"), (3, "Goals about 20 min"),
                         (4, "What has been something you want to do more of?")]
    levels = [1] + [level for level, _ in found]  # the page's own h1 is "Career conversation"
    jumps = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
    assert jumps == []
    assert (3, "Action plan about 20 min") in found and (3, "Finish") in found


def test_a_search_typed_further_keeps_the_button_the_keyboard_is_on(tmp_path: Path):
    """Each letter typed made every result button anew; one that had the keyboard focus (the coach typed,
    pressed Tab, and the search caught up with the last letters) was removed from the page and the focus
    fell to its top, so the Enter that followed opened nobody (seen in Chromium)."""
    root = tmp_path / "data"
    make_small_org(root)
    start = Harness(root).app.start_screen
    start.search.value = "Al"
    alan = start.result_buttons["E002"]
    assert list(start.result_buttons) == ["E002"]
    start.search.value = "Alan"
    start.search.value = "Alan T"
    assert start.result_buttons["E002"] is alan
    assert start.results.children == (alan,)
    start.search.value = ""
    assert start.result_buttons["E002"] is alan and len(start.result_buttons) == 6


def test_every_control_of_a_checkin_has_a_name_that_says_which_item_or_skill(tmp_path: Path):
    """The check-in's note boxes had no name, its status buttons were four "Open / In progress / Done /
    Dropped" per item without the item, and each skill's two dropdowns read "Their rating" and "Coach's
    view" without the skill."""
    root = tmp_path / "data"
    make_small_org(root)
    app = Harness(root).app
    app.select_employee("E001")
    view = app.open_checkin()
    names = [name for _, name in accessible_names(view.widget)]
    assert not [name for name in names if not re.search(r"[^\W\d_]", name)]
    item = view.items[0].item.text
    assert f"In progress: “{item}”" in names and f"Note on “{item}” (optional)" in names
    assert f"Why is “{item}” dropped? (required)" in names
    assert "Their rating of Public speaking, 1 to 10" in names
    assert "Coach's view of Public speaking, 1 to 10" in names
    assert "Anything else from this one-on-one (optional)" in names


def test_the_keyboard_is_not_dropped_to_the_page_top_at_finish_and_after_completing(conversation: Harness):
    """"Review and finish →" is hidden on the Finish step and "Complete conversation" once completed: the
    button the keyboard was on disappeared and the focus fell to the page's top (seen in Chromium with Enter
    on each). Each now hands the focus to the button that follows it."""
    app = conversation.app
    screen = app.conversation_screen
    focused: list[str] = []
    screen.complete_button.focus = lambda: focused.append("complete")
    screen.open_summary_button.focus = lambda: focused.append("open summary")
    app.go_to("next_steps")
    assert screen.next_button.description == "Review and finish →"
    screen.next_button.click()
    assert screen.step == "finish" and focused == ["complete"]
    screen.complete_button.click()
    assert app.locked and focused == ["complete", "open summary"]


def test_next_puts_the_keyboard_in_the_next_sections_first_empty_answer(tmp_path: Path, monkeypatch):
    """After "Next →" the focus stayed on that button, below the section just shown: a keyboard or
    screen-reader user had to go back up through every field to reach its first question."""
    root = tmp_path / "data"
    make_small_org(root)
    app = Harness(root).app
    app.select_employee("E002")
    app.start_conversation()
    focused: list = []
    monkeypatch.setattr(widgets.Text, "focus", lambda self: focused.append(self))
    monkeypatch.setattr(widgets.Textarea, "focus", lambda self: focused.append(self))
    app.conversation_screen.next_button.click()
    assert app.conversation_screen.step == "action_plan"
    assert focused == [app.editor("skills").input]
    app.conversation_screen.next_button.click()
    assert app.conversation_screen.step == "next_steps"
    assert focused[-1].description == "What could you start to do now?"


def aria_expanded(button: widgets.Button) -> str | None:
    """The ``aria-expanded`` the page bridge gives ``button`` (None: it gives none)."""
    if "cc-expander" not in button._dom_classes:
        return None
    return "true" if "cc-expanded" in button._dom_classes else "false"


def test_a_skill_cards_edit_button_names_its_skill_and_says_whether_the_card_is_open(conversation: Harness):
    """Before: every card's button was "Edit ▾" with no aria-expanded, and it hid itself once pressed (the
    keyboard fell to the page top and the card could not be folded again)."""
    app = conversation.app
    app.close_conversation()
    app.resume_draft()  # the skills of a draft come back folded
    card = app.editor("skills").card("Negotiation")
    edit = card.open_button
    assert not card.built
    assert accessible_names(edit) == [("button", "Edit Negotiation")]
    assert aria_expanded(edit) == "false" and edit.description == "Edit ▾"

    edit.click()
    assert aria_expanded(edit) == "true" and edit.description == "Edit ▴"
    assert edit.layout.display != "none" and card.ten in card.widget.children
    card.ten.value = "Closes a deal alone"

    edit.click()
    assert aria_expanded(edit) == "false" and edit.description == "Edit ▾"
    assert edit.layout.display != "none" and card.ten not in card.widget.children
    assert card.summary in card.widget.children and "Closes a deal alone" in card.summary.value
    assert accessible_names(edit) == [("button", "Edit Negotiation")]
    saved = {s["skill"]: s for s in app.flush()["skills"]}
    assert saved["Negotiation"]["ten_looks_like"] == "Closes a deal alone"
