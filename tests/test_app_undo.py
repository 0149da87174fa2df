"""Undo of a removal in the meeting: a dream, a skill's option, an action item, a skill.

Found by a coach in a real browser: a slip of the mouse on ✕ lost the employee's words at once, and removing a
dream also unlinked the skills that served it. After a removal a notice under the list says what went, and its
Undo puts it back as it was: the saved record is the one saved before the removal.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app_harness import Harness

VOLATILE = ("updated_at", "saved_at", "revision")  # change with every save


@pytest.fixture
def h(small_org: Path) -> Harness:
    h = Harness(small_org)
    h.app.select_employee("E002")
    h.app.start_conversation()
    return h


def saved(h: Harness) -> dict:
    """The conversation as stored after saving what is typed, without what changes with every save."""
    h.app.flush()
    return {k: v for k, v in h.stored().items() if k not in VOLATILE}


def remove_button(row) -> object:
    """The ✕ of a row (the last button in it)."""
    return [w for w in row.children if "cc-remove" in w._dom_classes or "cc-remove-option" in w._dom_classes
            or "cc-remove-action" in w._dom_classes][0]


def dreams_with_skills(h: Harness) -> None:
    """Four dreams; Writing serves dream 2, Cooking dream 3 (below it), Hiring dream 1."""
    app = h.app
    dreams = app.editor("dreams").list
    dreams.add_button.click()
    for box, text in zip(dreams.texts, ("Lead a team", "Write a book", "Run a marathon", "Learn Spanish")):
        box.value = text
    app.go_to("action_plan")
    skills = app.editor("skills")
    for name, dream in (("Writing", 2), ("Cooking", 3), ("Hiring", 1)):
        skills.add_skill(name).dream.value = dream
    app.go_to("goals")


def three_dreams_and_the_first_removed(h: Harness):
    """The dreams' list of three dreams, after ✕ on the first ("Lead a team")."""
    dreams = h.app.editor("dreams").list
    for box, text in zip(dreams.texts, ("Lead a team", "Write a book", "Run a marathon")):
        box.value = text
    remove_button(dreams.rows_box.children[0]).click()
    return dreams


def test_undoing_a_removed_dream_puts_back_its_text_its_rank_and_the_skills_that_served_it(h: Harness):
    app = h.app
    dreams_with_skills(h)
    before = saved(h)
    dreams = app.editor("dreams").list
    remove_button(dreams.rows_box.children[1]).click()  # "Write a book"
    notice = dreams.undo
    assert notice.widget.layout.display != "none"
    assert "Removed dream 2 “Write a book”." in notice.message.value
    assert notice.button.description == "Undo" and notice.button.tooltip == "Undo: put back dream 2 “Write a book”"
    removed = saved(h)
    assert [d["text"] for d in removed["dreams"]] == ["Lead a team", "Run a marathon", "Learn Spanish"]
    assert [(s["skill"], s["dream_rank"]) for s in removed["skills"]] == [("Writing", None), ("Cooking", 2),
                                                                          ("Hiring", 1)]
    notice.button.click()
    assert saved(h) == before
    assert [t.value for t in dreams.texts] == ["Lead a team", "Write a book", "Run a marathon", "Learn Spanish"]
    assert notice.widget.layout.display == "none"
    app.go_to("action_plan")
    assert app.editor("skills").card("Writing").dream.value == 2  # its "which dream it serves" shows it again


def test_undo_keeps_what_was_typed_after_the_removal(h: Harness):
    app = h.app
    dreams = three_dreams_and_the_first_removed(h)
    assert [t.value for t in dreams.texts] == ["Write a book", "Run a marathon", ""]
    dreams.texts[2].value = "Learn Spanish"  # the row left empty by the removal
    dreams.texts[0].value = "Write a novel"
    app.editor("want_more").area.value = "More design work"
    dreams.undo.button.click()
    assert [t.value for t in dreams.texts] == ["Lead a team", "Write a novel", "Run a marathon", "Learn Spanish"]
    stored = saved(h)
    assert [(d["rank"], d["text"]) for d in stored["dreams"]] == [(1, "Lead a team"), (2, "Write a novel"),
                                                                  (3, "Run a marathon"), (4, "Learn Spanish")]
    assert stored["answers"] == {"want_more": "More design work"}


def test_undoing_a_removed_option_puts_back_its_words_and_that_it_was_chosen(h: Harness):
    app = h.app
    app.go_to("action_plan")
    card = app.editor("skills").add_skill("Writing")
    for i, row in enumerate(card.options):
        row.text.value, row.pros.value, row.cons.value = f"Option {i + 1}", f"pro {i + 1}", f"con {i + 1}"
    card.options[1].choose.value = True
    before = saved(h)
    remove_button(card.options[1].widget).click()
    assert "Removed option 2 of Writing “Option 2”." in card.options_undo.message.value
    assert [o["text"] for o in saved(h)["skills"][0]["options"]] == ["Option 1", "Option 3"]
    assert len(card.options) == 3  # an empty one at the end: at least three are asked for
    card.options_undo.button.click()
    assert saved(h) == before
    assert [r.text.value for r in card.options] == ["Option 1", "Option 2", "Option 3"]
    assert card.options[1].choose.description == "Chosen ✓" and "Chosen: Option 2" in card.chosen_note.value


def test_an_option_chosen_after_the_removal_stays_chosen_on_undo(h: Harness):
    app = h.app
    app.go_to("action_plan")
    card = app.editor("skills").add_skill("Writing")
    for i, row in enumerate(card.options):
        row.text.value = f"Option {i + 1}"
    card.options[0].choose.value = True
    remove_button(card.options[0].widget).click()
    card.options[1].choose.value = True  # "Option 3", chosen in its place
    card.options_undo.button.click()
    assert [(o["text"], o["chosen"]) for o in saved(h)["skills"][0]["options"]] == [
        ("Option 1", False), ("Option 2", False), ("Option 3", True)]


def test_undoing_a_removed_action_item_puts_back_every_field_and_its_id(h: Harness):
    app = h.app
    app.go_to("action_plan")
    app.editor("skills").add_skill("Writing")
    app.go_to("next_steps")
    items = app.editor("action_items")
    items.add_button.click()
    for row, (text, day, owner, skill) in zip(items.rows, (("Sign up for a course", dt.date(2026, 11, 1),
                                                            "Alan Turing", "Writing"),
                                                           ("Book a mentor", dt.date(2026, 12, 1), "Both", ""))):
        row.text.value, row.due.value, row.owner.value, row.skill.value = text, day, owner, skill
    before = saved(h)
    remove_button(items.rows[0].widget).click()
    assert "Removed action item 1 “Sign up for a course”." in items.undo.message.value
    assert [i["item_id"] for i in saved(h)["action_items"]] == ["a2"]
    items.undo.button.click()
    assert saved(h) == before
    # the last one gives way to an empty row, which goes again on undo
    remove_button(items.rows[1].widget).click()
    remove_button(items.rows[0].widget).click()
    assert saved(h)["action_items"] == [] and len(items.rows) == 1
    items.undo.button.click()
    assert [(i["item_id"], i["text"]) for i in saved(h)["action_items"]] == [("a1", "Sign up for a course")]
    assert len(items.rows) == 1


def test_undoing_a_removed_skill_puts_back_its_card_and_its_plan(h: Harness):
    app = h.app
    app.go_to("action_plan")
    skills = app.editor("skills")
    for name in ("Writing", "Cooking"):
        card = skills.add_skill(name)
        card.self_rating.value = 4
        card.options[0].text.value = f"{name} class"
    before = saved(h)
    writing = skills.card("Writing")
    writing.remove_button.click()
    writing.confirm_remove.children[1].click()  # "Yes, remove": the confirm stays
    assert [c.name for c in skills.cards] == ["Cooking"] and "Removed skill “Writing”." in skills.undo.message.value
    skills.undo.button.click()
    assert saved(h) == before
    assert [c.name for c in skills.cards] == ["Writing", "Cooking"]
    assert writing.confirm_remove.layout.display == "none"


def test_undo_is_offered_until_the_next_removal_a_new_row_or_leaving_the_section(h: Harness):
    app = h.app
    dreams = three_dreams_and_the_first_removed(h)
    app.go_to("action_plan")
    app.go_to("goals")
    assert dreams.undo.widget.layout.display == "none" and not dreams.undo.offered
    remove_button(dreams.rows_box.children[0]).click()  # "Write a book"
    dreams.add_button.click()  # its place could be another now
    assert not dreams.undo.offered
    dreams.undo.button.click()  # a click that came late puts nothing anywhere
    assert [t.value for t in dreams.texts] == ["Run a marathon", "", "", ""]
    app.go_to("action_plan")
    card = app.editor("skills").add_skill("Writing")
    card.options[0].text.value = "Evening class"
    remove_button(card.options[0].widget).click()
    assert card.options_undo.offered
    card2 = app.editor("skills").add_skill("Cooking")  # another list: the offer stays
    card2.options[0].text.value = "Cook weekly"
    remove_button(card2.options[0].widget).click()  # the next removal: one offer at a time
    assert not card.options_undo.offered and card.options_undo.widget.layout.display == "none"
    assert card2.options_undo.offered


def test_the_options_are_named_by_their_place_after_one_goes_and_comes_back(h: Harness):
    """Found building undo: after option 1 was removed the row now first was still named "option 2" (its
    placeholder, its label and its buttons' names), so a screen reader and the eye counted wrong."""
    app = h.app
    app.go_to("action_plan")
    card = app.editor("skills").add_skill("Writing")
    for i, row in enumerate(card.options):
        row.text.value = f"Idea {i + 1}"

    def names() -> list[tuple[str, str, str, str]]:
        return [(r.text.placeholder, r.text.description, r.choose.tooltip, r.remove.tooltip) for r in card.options]

    remove_button(card.options[0].widget).click()
    assert names()[0] == ("Option 1: what would it take?", "Writing, option 1: what would it take?",
                          "Choose Writing, option 1 as the best way to approach it", "Remove Writing, option 1")
    assert [n[0] for n in names()] == [f"Option {i}: what would it take?" for i in (1, 2, 3)]
    card.options_undo.button.click()
    assert [r.text.value for r in card.options] == ["Idea 1", "Idea 2", "Idea 3"]
    assert [n[3] for n in names()] == [f"Remove Writing, option {i}" for i in (1, 2, 3)]
