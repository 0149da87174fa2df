"""The editor of a question, and the editors of the generic kinds (text, list, choice, date).

An :class:`Editor` owns the widgets of one question and knows where its answer
lives in a conversation record (see the table in :mod:`careerconv.records.questions`):
``load(record)`` fills the widgets, ``dump(record)`` writes the answer back into
a record being built. Editors never save: they call ``ctx.on_change()`` and the
app builds a snapshot and hands it to the autosaver.

The generic kinds keep their answer in ``record["answers"][question_id]``
(:class:`AnswerEditor`); they are also the kinds a section's alternative
questions may have. The structured parts of the plan have their own editors:
:mod:`.plan_editors` (dreams, action items, follow-up, cadence) and
:mod:`.skill_editor` (skills and everything asked about each one).
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from typing import Any, Callable, Iterator

import ipywidgets as widgets

from careerconv.records import schema
from careerconv.records.questions import Question
from .undo import UndoNotice, UndoOffers
from .widgets import DateBox, button, classed, flex, full, html, named, set_disabled, show


@dataclass
class EditorContext:
    """What editors need from the app (callbacks, lookups) - nothing else.

    Attributes
    ----------
    on_change
        Call after any edit: the app snapshots the record and autosaves.
    guard
        Wraps a widget callback so an exception is shown to the coach.
    conversation_date
        Date of the conversation (targets and cadence dates count from it).
    skill_names
        The organisation's existing skill names (for suggestions).
    people
        Owner suggestions for action items (employee, coach).
    preferred_cadence
        The roster's cadence for this employee (shown as a hint).
    last_rating
        What was last said about a skill before this conversation ("" if it is new): its latest rating and
        the target it had, shown in the skill's card.
    undo
        The removal that can be undone now (one per conversation: see :mod:`.undo`).
    """

    on_change: Callable[[], None]
    guard: Callable[[Callable], Callable] = lambda fn: fn
    conversation_date: dt.date = field(default_factory=dt.date.today)
    skill_names: Callable[[], list[str]] = lambda: []
    people: list[str] = field(default_factory=list)
    preferred_cadence: int | None = None
    on_links_changed: Callable[[], None] = lambda: None
    last_rating: Callable[[str], str] = lambda _skill: ""
    undo: UndoOffers = field(default_factory=UndoOffers)


class Editor:
    """Base class: the widgets of one question, loaded from and dumped into a record."""

    kind = ""

    def __init__(self, question: Question, ctx: EditorContext):
        self.question = question
        self.ctx = ctx
        self._loading = False
        self.locked = False
        self.widget: widgets.Widget = widgets.VBox()

    @contextmanager
    def loading(self) -> Iterator[None]:
        """Change widget values without reporting them as edits."""
        previous, self._loading = self._loading, True
        try:
            yield
        finally:
            self._loading = previous

    def changed(self, *_args) -> None:
        """Report an edit (ignored while loading or locked)."""
        if not self._loading and not self.locked:
            self.ctx.on_change()

    def observe(self, widget: widgets.Widget, handler: Callable | None = None, names: str = "value") -> None:
        """Watch a widget's value with an error-guarded handler (default: report an edit)."""
        widget.observe(self.ctx.guard(handler or self.changed), names=names)

    def on_click(self, b: widgets.Button, handler: Callable) -> None:
        """Run an error-guarded handler when a button is clicked (never while locked)."""
        def run(_button):
            if not self.locked:
                handler()
        b.on_click(self.ctx.guard(run))

    def load(self, record: dict) -> None:
        """Fill the widgets from a record."""
        raise NotImplementedError

    def dump(self, record: dict) -> None:
        """Write this question's answer into ``record`` (a record being built)."""
        raise NotImplementedError

    def refresh_links(self) -> None:
        """Refresh choices that depend on other questions (dreams, skills)."""

    def set_locked(self, locked: bool) -> None:
        """Make the editor read-only (a completed conversation); a removal can no longer be undone."""
        if locked:
            self.ctx.undo.withdraw()
        self.locked = locked
        set_disabled(self.widget, locked)


def prompt(question: Question) -> widgets.HTML:
    """The question's prompt (and help line), escaped."""
    help_line = f'<div class="cc-muted">{escape(question.help)}</div>' if question.help else ""
    return html(f'<h4 class="cc-h">{escape(question.prompt)}</h4>{help_line}', "cc-prompt")


class RankedList:
    """Rows of text, ranked by position, with move up/down and remove, and undo of a removal.

    Moving a row moves its text (the row widgets stay put), and ``on_reorder``
    receives ``{old_position: new_position or None}`` (1-based) so whatever
    refers to a row by position (a skill serving a dream) can follow it; it
    returns what puts that back as it was (or None), which undoing a removal calls.
    """

    def __init__(self, editor: Editor, *, min_rows: int, max_rows: int, placeholder: str, row_class: str,
                 text_class: str, add_label: str, add_class: str, item: str = "item",
                 on_reorder: Callable[[dict[int, int | None]], Callable[[], None] | None] | None = None,
                 on_structure: Callable[[], None] | None = None):
        self.editor = editor
        self.min_rows = min_rows
        self.max_rows = max_rows
        self.placeholder = placeholder
        self.item = item  # what a row is, for the names a screen reader says: "dream" gives "Move dream 2 up"
        self.row_class, self.text_class = row_class, text_class
        self.on_reorder = on_reorder
        self.on_structure = on_structure
        self.texts: list[widgets.Text] = []
        self.rows_box = widgets.VBox()
        self.add_button = button(add_label, add_class)
        editor.on_click(self.add_button, self.add_row)
        self.undo = UndoNotice(editor)
        self.widget = widgets.VBox([self.rows_box, self.undo.widget, self.add_button])
        self._rows: list[widgets.HBox] = []
        self.set_values([])

    def _make_row(self, position: int) -> widgets.HBox:
        what = f"{self.item} {position}"
        text = named(classed(widgets.Text(placeholder=self.placeholder, layout=flex(), continuous_update=True),
                             self.text_class), what.capitalize())
        self.editor.observe(text)
        rank = html(str(position), "cc-rank")
        up = button("↑", "cc-icon", "cc-move-up", tooltip=f"Move {what} up", width="32px")
        down = button("↓", "cc-icon", "cc-move-down", tooltip=f"Move {what} down", width="32px")
        remove = button("✕", "cc-icon", "cc-remove", tooltip=f"Remove {what}", width="32px")
        self.editor.on_click(up, lambda: self.move(self.texts.index(text), -1))
        self.editor.on_click(down, lambda: self.move(self.texts.index(text), +1))
        self.editor.on_click(remove, lambda: self.remove_row(self.texts.index(text)))
        self.texts.append(text)
        return classed(widgets.HBox([rank, text, up, down, remove], layout=full()), "cc-row", self.row_class)

    def _rebuild(self, count: int) -> None:
        while len(self._rows) < count:
            self._rows.append(self._make_row(len(self._rows) + 1))
        while len(self._rows) > count:
            self._rows.pop()
            self.texts.pop()
        self.rows_box.children = tuple(self._rows)
        self.add_button.disabled = self.editor.locked or len(self._rows) >= self.max_rows
        show(self.add_button, len(self._rows) < self.max_rows)

    def values(self) -> list[str]:
        """The text of every row, in rank order (empty rows included)."""
        return [t.value for t in self.texts]

    def set_values(self, values: list[str]) -> None:
        """Show ``values`` (at least ``min_rows`` rows)."""
        self.undo.reshaped()
        self._show_values(values)

    def _show_values(self, values: list[str]) -> None:
        values = list(values)[: self.max_rows]
        with self.editor.loading():
            self._rebuild(max(self.min_rows, len(values)))
            for text, value in zip(self.texts, values + [""] * (len(self.texts) - len(values))):
                text.value = value

    def add_row(self) -> None:
        """Append an empty row (up to ``max_rows``)."""
        if len(self._rows) >= self.max_rows:
            return
        self.undo.reshaped()
        self._rebuild(len(self._rows) + 1)
        self.editor.changed()
        if self.on_structure:
            self.on_structure()

    def move(self, index: int, step: int) -> None:
        """Move row ``index`` (0-based) up (-1) or down (+1)."""
        target = index + step
        if not 0 <= target < len(self.texts):
            return
        self.undo.reshaped()
        values = self.values()
        values[index], values[target] = values[target], values[index]
        with self.editor.loading():
            for text, value in zip(self.texts, values):
                text.value = value
        if self.on_reorder:
            self.on_reorder({index + 1: target + 1, target + 1: index + 1})
        self.editor.changed()

    def remove_row(self, index: int) -> None:
        """Remove row ``index`` (0-based); rows below move up; never fewer than ``min_rows`` rows.

        A row that held text is offered back (:class:`~careerconv.surfaces.app.undo.UndoNotice`).
        """
        values = self.values()
        removed = values.pop(index)
        padded = len(values) < self.min_rows  # an empty row comes at the end instead
        mapping = {index + 1: None}
        mapping.update({i + 1: i for i in range(index + 1, len(values) + 1)})
        self._show_values(values)
        links_back = self.on_reorder(mapping) if self.on_reorder else None
        if removed.strip():
            self.undo.offer(f"{self.item} {index + 1}", removed,
                            lambda: self._put_back(index, removed, padded, links_back))
        else:
            self.undo.reshaped()
        self.editor.changed()
        if self.on_structure:
            self.on_structure()

    def _put_back(self, index: int, text: str, padded: bool, links_back: Callable[[], None] | None) -> None:
        """Undo the removal of ``text`` from row ``index``: the rows from there move down again, keeping what was
        typed in them; the empty row the removal added at the end goes, unless something was typed in it."""
        values = self.values()
        values.insert(index, text)
        if padded and len(values) > self.min_rows and values[-1] == "":
            values.pop()
        self._show_values(values)
        if links_back is not None:
            links_back()
        if self.on_structure:
            self.on_structure()
        self.texts[index].focus()


class AnswerEditor(Editor):
    """Base of the generic kinds: one answer in ``record["answers"][question_id]``, under the prompt."""

    def framed(self, field_widget: widgets.Widget) -> widgets.VBox:
        """The question's prompt above ``field_widget``: this editor's whole widget."""
        return classed(widgets.VBox([prompt(self.question), field_widget]), "cc-question", f"cc-q-{self.question.id}")

    def stored(self, record: dict) -> Any:
        """The answer ``record`` holds for this question (None if none)."""
        return (record.get("answers") or {}).get(self.question.id)

    def store(self, record: dict, value: Any) -> None:
        """Put ``value`` in ``record["answers"]``; None removes this question's answer."""
        if value is None:
            record["answers"].pop(self.question.id, None)
        else:
            record["answers"][self.question.id] = value


class TextEditor(AnswerEditor):
    """``text``: free text."""

    kind = "text"

    def __init__(self, question: Question, ctx: EditorContext):
        super().__init__(question, ctx)
        self.area = named(classed(widgets.Textarea(placeholder="Their words…", rows=3, layout=full(),
                                                   continuous_update=True), "cc-text", f"cc-answer-{question.id}"),
                          question.prompt)
        self.observe(self.area)
        self.widget = self.framed(self.area)

    def load(self, record: dict) -> None:
        with self.loading():
            value = self.stored(record)
            self.area.value = value if isinstance(value, str) else ("" if value is None else str(value))

    def dump(self, record: dict) -> None:
        self.store(record, self.area.value if self.area.value.strip() else None)


class ListEditor(AnswerEditor):
    """``list``: a ranked list of short answers."""

    kind = "list"

    def __init__(self, question: Question, ctx: EditorContext):
        super().__init__(question, ctx)
        self.list = RankedList(self, min_rows=max(1, question.min_items or 1), max_rows=question.max_items or 20,
                               placeholder="One item", row_class="cc-list-row", text_class="cc-list-text",
                               add_label="+ Add", add_class="cc-add-item", item="answer")
        self.widget = self.framed(self.list.widget)

    def load(self, record: dict) -> None:
        value = self.stored(record)
        self.list.set_values([str(v) for v in value] if isinstance(value, list) else ([value] if value else []))

    def dump(self, record: dict) -> None:
        self.store(record, [v for v in self.list.values() if v.strip()] or None)


class ChoiceEditor(AnswerEditor):
    """``choice``: one of the question's choices."""

    kind = "choice"

    def __init__(self, question: Question, ctx: EditorContext):
        super().__init__(question, ctx)
        self.buttons = named(classed(widgets.ToggleButtons(options=[(str(c).capitalize(), c) for c in question.choices],
                                                           value=None, style={"button_width": "auto"}), "cc-choice"),
                             [f"{question.prompt} {str(c).capitalize()}" for c in question.choices])
        self.observe(self.buttons)
        self.widget = self.framed(self.buttons)

    def load(self, record: dict) -> None:
        value = self.stored(record)
        with self.loading():
            self.buttons.value = value if value in self.question.choices else None

    def dump(self, record: dict) -> None:
        self.store(record, self.buttons.value)


class DateEditor(AnswerEditor):
    """``date``: a date, typed in the app's one style (``12 Mar 2027``) and stored as ISO."""

    kind = "date"

    def __init__(self, question: Question, ctx: EditorContext):
        super().__init__(question, ctx)
        self.picker = classed(DateBox(width="180px", name=question.prompt), "cc-date")
        self.observe(self.picker)
        self.widget = self.framed(self.picker)

    def load(self, record: dict) -> None:
        value = self.stored(record)
        with self.loading():
            try:
                self.picker.value = schema.parse_date(value) if value else None
            except ValueError:
                self.picker.value = None

    def dump(self, record: dict) -> None:
        self.store(record, self.picker.value.isoformat() if self.picker.value is not None else None)


ANSWER_EDITORS: dict[str, type[AnswerEditor]] = {"text": TextEditor, "list": ListEditor, "choice": ChoiceEditor,
                                                 "date": DateEditor}
ANSWER_KINDS = tuple(ANSWER_EDITORS)
