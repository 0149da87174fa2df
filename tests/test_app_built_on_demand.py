"""Parts built on first use (a folded skill card's editors, the Finish step) are declared once, on the method
that builds them: the method builds exactly what it declares, and reading a declared part builds it."""

from __future__ import annotations

from pathlib import Path

import pytest

from careerconv.records.questions import SKILL_KINDS
from careerconv.surfaces.app.built_on_demand import builds, parts_built_by
from careerconv.surfaces.app.conversation_screen import ConversationScreen
from careerconv.surfaces.app.skill_editor import SkillCard

from app_harness import Harness


def _folded_card(small_org: Path) -> tuple[Harness, SkillCard]:
    h = Harness(small_org)
    app = h.app
    app.select_employee("E002")
    app.start_conversation()
    app.go_to("action_plan")
    app.editor("skills").add_skill("Writing")
    app.close_conversation()
    app.resume_draft()
    card = app.editor("skills").cards[0]
    assert not card.built
    return h, card


def test_opening_a_skill_card_builds_exactly_the_editors_open_declares(small_org: Path):
    h, card = _folded_card(small_org)
    asked = {q.kind for q in card.editor.skill_question_order}
    assert asked == set(SKILL_KINDS)  # every kind of skill question builds its editors here
    before = set(vars(card))
    card.open()
    assert set(vars(card)) - before == parts_built_by(SkillCard, "_built")


def test_reading_a_declared_editor_of_a_folded_card_opens_it_once(small_org: Path):
    h, card = _folded_card(small_org)
    ten = card.ten
    assert card.built and card.ten is ten and ten in card.widget.children
    opened = card.widget.children
    card.open()
    assert card.widget.children == opened  # built once


def test_the_finish_step_builds_exactly_what_it_declares(small_org: Path):
    h = Harness(small_org)
    h.app.select_employee("E002")
    h.app.start_conversation()
    screen = h.app.conversation_screen
    before = set(vars(screen))
    h.app.go_to("finish")
    assert set(vars(screen)) - before == parts_built_by(ConversationScreen, "_build_finish") | {"finish_built"}
    assert screen.finish_view in screen.section_box.children


class _Card:
    def __init__(self, asks_ten: bool = True):
        self.asks_ten, self.built, self.builds = asks_ten, False, 0

    @builds("ten", "approach")
    def open(self) -> None:
        if self.built:
            return
        self.built, self.builds = True, self.builds + 1
        if self.asks_ten:
            self.ten = "ten"
        self.approach = "approach"


def test_a_part_not_built_is_missing_like_any_attribute_and_the_build_runs_once():
    card = _Card(asks_ten=False)
    assert card.approach == "approach" and card.builds == 1
    assert not hasattr(card, "ten")
    with pytest.raises(AttributeError, match="'_Card' object has no attribute 'ten'"):
        card.ten
    assert card.builds == 1
    assert _Card().ten == "ten"
    assert parts_built_by(_Card, "open") == {"ten", "approach"}
    assert _Card.open.__name__ == "open"  # the class keeps the plain method


def test_builds_refuses_repeated_names_and_names_the_class_defines():
    with pytest.raises(ValueError, match="distinct"):
        builds("ten", "ten")
    with pytest.raises((TypeError, RuntimeError)) as caught:  # Python < 3.12 wraps it in a RuntimeError
        class _Clash:
            ten = 10

            @builds("ten")
            def open(self) -> None:
                pass
    assert "_Clash.ten is defined in the class" in str(caught.value) + str(caught.value.__cause__)
