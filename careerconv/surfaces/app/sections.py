"""A section of the conversation on screen: its questions' editors and its alternative question bank."""

from __future__ import annotations

from html import escape
from typing import Callable

import ipywidgets as widgets

from careerconv.records.questions import Question, Section
from .editors import ANSWER_EDITORS, ANSWER_KINDS, Editor, EditorContext
from .widgets import button, classed, flex, full, html, named, show


class SectionView:
    """A section of the conversation: its questions, plus the alternative question bank.

    The coach can switch the section to the alternative bank (the alternative
    questions replace the section's free-text questions; the structured parts -
    dreams, skills, action items - stay, since the plan is built from them) or
    pull single alternative questions in. Which bank is used and which questions
    were pulled in are kept in ``record["sections"][section_id]`` so a resumed
    draft looks the same.

    Parameters
    ----------
    section
        The section of the question set.
    alternative
        The same section of the alternative set, or None.
    ctx
        The editors' context.
    make_editor
        Builds the editor of a standard question (the app wires structured
        editors together).
    """

    def __init__(self, section: Section, alternative: Section | None, ctx: EditorContext,
                 make_editor: Callable[[Question], Editor | None]):
        self.section = section
        self.alternative = alternative
        self.ctx = ctx
        self.locked = False
        self.editors: list[Editor] = []
        for q in section.questions:
            editor = make_editor(q)
            if editor is not None:
                self.editors.append(editor)
        self.alt_editors: dict[str, Editor] = {}
        self.pulled: list[str] = []
        self.bank = "standard"
        self._restoring = False
        title = html(f'<h3 class="cc-h">{escape(section.title)} '
                     f'<span class="cc-pill">about {section.minutes} min</span></h3>', "cc-section-title")
        self.bank_toggle = classed(widgets.ToggleButtons(options=[("Standard questions", "standard"),
                                                                  ("Alternative questions", "alternative")],
                                                         value="standard", style={"button_width": "auto"}), "cc-bank")
        self.bank_toggle.observe(ctx.guard(self._bank_changed), names="value")
        self.pull_choice = named(classed(widgets.Dropdown(options=[], layout=flex()), "cc-pull-choice"),
                                 f"{section.title}: an alternative question to ask")
        self.pull_button = button("+ Ask it", "cc-pull")
        self.pull_button.on_click(ctx.guard(lambda _b: None if self.locked else self.pull(self.pull_choice.value)))
        self.pull_row = classed(widgets.HBox([self.pull_choice, self.pull_button], layout=full()), "cc-row",
                                "cc-pull-row")
        self.alt_box = widgets.VBox()
        has_alt = alternative is not None and bool(alternative.questions)
        head_items = [title] + ([self.bank_toggle] if has_alt else [])
        self.head = classed(widgets.HBox(head_items, layout=full()), "cc-row", "cc-section-head")
        children = [self.head]
        if has_alt:
            children += [self.pull_row, self.alt_box]
        children += [e.widget for e in self.editors]
        self.widget = classed(widgets.VBox(children), "cc-card", "cc-section", f"cc-section-{section.id}")
        self._refresh_alt()

    @property
    def all_editors(self) -> list[Editor]:
        """Standard editors and the alternative questions being asked."""
        return self.editors + [self.alt_editors[q] for q in self._alt_shown()]

    def _alt_questions(self) -> list[Question]:
        return list(self.alternative.questions) if self.alternative else []

    def _alt_shown(self) -> list[str]:
        if self.bank == "alternative":
            return [q.id for q in self._alt_questions()]
        return [q for q in self.pulled]

    def _alt_editor(self, question: Question) -> Editor:
        if question.id not in self.alt_editors:
            cls = ANSWER_EDITORS.get(question.kind)
            if cls is None:
                raise ValueError(f"alternative question {question.id!r} has kind {question.kind!r}; only "
                                 f"{', '.join(ANSWER_EDITORS)} can be asked as alternative questions")
            editor = cls(question, self.ctx)
            editor.widget.add_class("cc-alt-question")
            self.alt_editors[question.id] = editor
            self._wire_unpull(editor)
        return self.alt_editors[question.id]

    def _wire_unpull(self, editor: Editor) -> None:
        remove = button("✕ Not this one", "cc-link", "cc-unpull")
        remove.on_click(self.ctx.guard(lambda _b: None if self.locked else self.unpull(editor.question.id)))
        editor.unpull_button = remove  # type: ignore[attr-defined]
        editor.widget.children = tuple(editor.widget.children) + (remove,)

    def _refresh_alt(self) -> None:
        questions = {q.id: q for q in self._alt_questions()}
        shown = [qid for qid in self._alt_shown() if qid in questions]
        self.alt_box.children = tuple(self._alt_editor(questions[qid]).widget for qid in shown)
        for qid in shown:
            unpull = getattr(self.alt_editors[qid], "unpull_button", None)
            if unpull is not None:
                show(unpull, self.bank == "standard" and not self.locked)
        free = [(q.prompt if len(q.prompt) <= 90 else q.prompt[:87] + "…", q.id)
                for q in self._alt_questions() if q.id not in shown]
        head = ("Or ask one of the alternative questions…" if free
                else "(every alternative question is being asked)")
        self.pull_choice.options = [(head, "")] + free
        self.pull_choice.value = ""
        self.pull_button.disabled = self.locked or not free
        show(self.pull_row, self.bank == "standard" and bool(self._alt_questions()) and not self.locked)
        for e in self.editors:
            if e.kind in ANSWER_KINDS:
                show(e.widget, self.bank == "standard")

    def _bank_changed(self, change) -> None:
        if self.locked or self._restoring:
            return
        self.set_bank(change["new"])

    def set_bank(self, bank: str) -> None:
        """Ask the standard or the alternative questions of this section.

        Raises
        ------
        ValueError
            For a bank other than ``"standard"`` or ``"alternative"``.
        """
        if bank not in ("standard", "alternative"):
            raise ValueError(f"question bank must be 'standard' or 'alternative', not {bank!r}")
        if bank == "alternative" and not self._alt_questions():
            raise ValueError(f"section {self.section.title!r} has no alternative questions")
        self.bank = bank
        if self.bank_toggle.value != bank:
            self.bank_toggle.value = bank
        self._refresh_alt()
        self.ctx.on_change()

    def pull(self, question_id: str | None) -> None:
        """Ask one alternative question in this section (standard bank).

        Raises
        ------
        KeyError
            If the section's alternative bank has no such question.
        """
        if not question_id:
            return
        if question_id not in {q.id for q in self._alt_questions()}:
            raise KeyError(f"section {self.section.title!r} has no alternative question {question_id!r}")
        if question_id not in self.pulled:
            self.pulled.append(question_id)
        self._refresh_alt()
        self.ctx.on_change()

    def unpull(self, question_id: str) -> None:
        """Stop asking a pulled-in alternative question (its answer is removed)."""
        if question_id in self.pulled:
            self.pulled.remove(question_id)
            editor = self.alt_editors.get(question_id)
            if editor is not None:
                with editor.loading():
                    editor.load({"answers": {}})
        self._refresh_alt()
        self.ctx.on_change()

    def load(self, record: dict) -> None:
        """Restore the bank, the pulled questions and every answer from a record."""
        meta = (record.get("sections") or {}).get(self.section.id) or {}
        answers = record.get("answers") or {}
        alt_ids = [q.id for q in self._alt_questions()]
        self.bank = meta.get("question_bank") if meta.get("question_bank") in ("standard", "alternative") \
            else "standard"
        pulled = [q for q in meta.get("alternative_questions") or [] if q in alt_ids]
        pulled += [q for q in alt_ids if q in answers and answers[q] not in (None, "", []) and q not in pulled]
        self.pulled = pulled
        self._restoring = True
        try:
            self.bank_toggle.value = self.bank
        finally:
            self._restoring = False
        for editor in self.editors:
            editor.load(record)
        self._refresh_alt()
        for qid in self._alt_shown():
            self.alt_editors[qid].load(record)

    def dump(self, record: dict) -> None:
        """Write every answer of this section into ``record``."""
        for editor in self.all_editors:
            editor.dump(record)

    def meta(self) -> dict:
        """What ``record["sections"][section_id]`` keeps about the question bank."""
        if not self._alt_questions():
            return {}
        return {"question_bank": self.bank, "alternative_questions": list(self.pulled)}

    def refresh_links(self) -> None:
        for editor in self.editors:
            editor.refresh_links()

    def set_locked(self, locked: bool) -> None:
        """Make the whole section read-only."""
        self.locked = locked
        for editor in self.editors + list(self.alt_editors.values()):
            editor.set_locked(locked)
        self.bank_toggle.disabled = locked
        self._refresh_alt()

    def editor(self, kind_or_id: str) -> Editor:
        """The editor of a question by id or kind (standard questions first).

        Raises
        ------
        KeyError
            If no question of the section matches.
        """
        for e in self.all_editors:
            if e.question.id == kind_or_id or e.kind == kind_or_id:
                return e
        raise KeyError(f"section {self.section.id!r} has no question {kind_or_id!r}")


class LazySectionView:
    """A :class:`SectionView` built when it is first needed: shown, asked for an editor, or dumped after that.

    Opening a conversation builds only the section on screen; the others are built when the stepper goes
    there (or a caller asks for one of their editors). Until then the section holds nothing the coach could
    have changed: :meth:`dump` and :meth:`meta` add nothing (the record the conversation was opened with
    keeps those fields), :meth:`load` and :meth:`set_locked` are remembered and applied when it is built.

    Parameters
    ----------
    section, alternative, ctx, make_editor
        As for :class:`SectionView`.
    """

    def __init__(self, section: Section, alternative: Section | None, ctx: EditorContext,
                 make_editor: Callable[[Question], Editor | None]):
        self.section = section
        self._args = (section, alternative, ctx, make_editor)
        self._view: SectionView | None = None
        self._record: dict | None = None
        self._locked = False

    @property
    def built(self) -> bool:
        """True once the section's widgets exist."""
        return self._view is not None

    @property
    def view(self) -> SectionView:
        """The section's view, built now if it was not."""
        if self._view is None:
            view = SectionView(*self._args)
            if self._record is not None:
                view.load(self._record)
            view.refresh_links()
            if self._locked:
                view.set_locked(True)
            self._view = view
        return self._view

    @property
    def widget(self) -> widgets.Widget:
        return self.view.widget

    def load(self, record: dict) -> None:
        """Restore from a record (now if built, else when built)."""
        self._record = record
        if self._view is not None:
            self._view.load(record)

    def dump(self, record: dict) -> None:
        """Write the section's answers into ``record`` (nothing before it is built: nothing changed)."""
        if self._view is not None:
            self._view.dump(record)

    def meta(self) -> dict:
        return self._view.meta() if self._view is not None else {}

    def refresh_links(self) -> None:
        if self._view is not None:
            self._view.refresh_links()

    def set_locked(self, locked: bool) -> None:
        self._locked = locked
        if self._view is not None:
            self._view.set_locked(locked)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.view, name)  # editors, editor(), set_bank(), pull(), ...: built on first use
