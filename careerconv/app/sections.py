"""One widget editor per question kind, and the section views that hold them.

An :class:`Editor` owns the widgets of one question and knows where its answer
lives in a conversation record (see the table in :mod:`careerconv.questions`):
``load(record)`` fills the widgets, ``dump(record)`` writes the answer back into
a record being built. Editors never save: they call ``ctx.on_change()`` and the
app builds a snapshot and hands it to the autosaver.

Per-skill kinds (``skill_rating``, ``skill_ten``, ``skill_options``,
``skill_approach``, ``skill_targets``) are asked inside each skill's card of the
:class:`SkillsEditor`, in the order the question set lists them.

Every widget a test or a stylesheet needs to find has a stable ``cc-…`` CSS
class (``widget.add_class``).
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from typing import Callable, Iterator

import ipywidgets as W

from .. import schema as S
from ..questions import Question, Section
from ..progress import horizon_date
from .summary import human_date

STRUCTURED_KINDS = ("dreams", "skills", "action_items", "follow_up", "cadence")
SKILL_PART_KINDS = ("skill_rating", "skill_ten", "skill_options", "skill_approach", "skill_targets")
ANSWER_KINDS = ("text", "list", "choice", "date")
NO_RATING = 0  # a Dropdown cannot show a label for the value None, so "no rating" is 0 in the widget
RATING_CHOICES = [("–", NO_RATING)] + [(str(i), i) for i in range(S.RATING_MIN, S.RATING_MAX + 1)]


def rating_in(value: int | None) -> int:
    """A stored rating (or None) as a rating Dropdown's value."""
    return NO_RATING if value is None else value


def rating_out(value: int) -> int | None:
    """A rating Dropdown's value as stored (None for "no rating")."""
    return None if value in (None, NO_RATING) else int(value)


def full() -> W.Layout:
    """A fresh full-width layout (a Layout is a widget: sharing one would show/hide widgets together)."""
    return W.Layout(width="100%")


def _flex(basis: str = "auto", grow: int = 1) -> W.Layout:
    return W.Layout(flex=f"{grow} 1 {basis}", width="auto", min_width="0")


def classed(widget: W.Widget, *classes: str) -> W.Widget:
    """Add CSS classes to a widget and return it (for building trees inline)."""
    for cls in classes:
        widget.add_class(cls)
    return widget


def html(text: str, *classes: str) -> W.HTML:
    """An HTML widget with the given (already escaped) markup and classes."""
    return classed(W.HTML(text), *classes)


def prompt(question: Question) -> W.HTML:
    """The question's prompt (and help line), escaped."""
    help_line = f'<div class="cc-muted">{escape(question.help)}</div>' if question.help else ""
    return html(f"<div>{escape(question.prompt)}</div>{help_line}", "cc-prompt")


def button(description: str, *classes: str, tooltip: str = "", width: str | None = None) -> W.Button:
    """A styled button."""
    b = W.Button(description=description, tooltip=tooltip or description,
                 layout=W.Layout(width=width) if width else W.Layout(width="auto", align_self="flex-start"))
    return classed(b, *classes)


def set_disabled(widget: W.Widget, disabled: bool) -> None:
    """Disable (or enable) every input in a widget tree."""
    if hasattr(widget, "disabled"):
        widget.disabled = disabled
    for child in getattr(widget, "children", ()) or ():
        set_disabled(child, disabled)


def show(widget: W.Widget, visible: bool) -> None:
    """Show or hide a widget without removing it from the tree."""
    widget.layout.display = None if visible else "none"


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
    """

    on_change: Callable[[], None]
    guard: Callable[[Callable], Callable] = lambda fn: fn
    conversation_date: dt.date = field(default_factory=dt.date.today)
    skill_names: Callable[[], list[str]] = lambda: []
    people: list[str] = field(default_factory=list)
    preferred_cadence: int | None = None
    on_links_changed: Callable[[], None] = lambda: None


class Editor:
    """Base class: the widgets of one question, loaded from and dumped into a record."""

    kind = ""

    def __init__(self, question: Question, ctx: EditorContext):
        self.question = question
        self.ctx = ctx
        self._loading = False
        self.locked = False
        self.widget: W.Widget = W.VBox()

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

    def observe(self, widget: W.Widget, handler: Callable | None = None, names: str = "value") -> None:
        """Watch a widget's value with an error-guarded handler (default: report an edit)."""
        widget.observe(self.ctx.guard(handler or self.changed), names=names)

    def on_click(self, b: W.Button, handler: Callable) -> None:
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
        """Make the editor read-only (a completed conversation)."""
        self.locked = locked
        set_disabled(self.widget, locked)


# ============================================================================ answers


class TextEditor(Editor):
    """``text``: free text in ``answers[question_id]``."""

    kind = "text"

    def __init__(self, question: Question, ctx: EditorContext):
        super().__init__(question, ctx)
        self.area = classed(W.Textarea(placeholder="Their words…", rows=3, layout=full(), continuous_update=True),
                            "cc-text", f"cc-answer-{question.id}")
        self.observe(self.area)
        self.widget = classed(W.VBox([prompt(question), self.area]), "cc-question", f"cc-q-{question.id}")

    def load(self, record: dict) -> None:
        with self.loading():
            value = (record.get("answers") or {}).get(self.question.id)
            self.area.value = value if isinstance(value, str) else ("" if value is None else str(value))

    def dump(self, record: dict) -> None:
        if self.area.value.strip():
            record["answers"][self.question.id] = self.area.value
        else:
            record["answers"].pop(self.question.id, None)


class RankedList:
    """Rows of text, ranked by position, with move up/down and remove.

    Moving a row moves its text (the row widgets stay put), and ``on_reorder``
    receives ``{old_position: new_position or None}`` (1-based) so whatever
    refers to a row by position (a skill serving a dream) can follow it.
    """

    def __init__(self, editor: Editor, *, min_rows: int, max_rows: int, placeholder: str, row_class: str,
                 text_class: str, add_label: str, add_class: str,
                 on_reorder: Callable[[dict[int, int | None]], None] | None = None,
                 on_structure: Callable[[], None] | None = None):
        self.editor = editor
        self.min_rows = min_rows
        self.max_rows = max_rows
        self.placeholder = placeholder
        self.row_class, self.text_class = row_class, text_class
        self.on_reorder = on_reorder
        self.on_structure = on_structure
        self.texts: list[W.Text] = []
        self.rows_box = W.VBox()
        self.add_button = button(add_label, add_class)
        editor.on_click(self.add_button, self.add_row)
        self.widget = W.VBox([self.rows_box, self.add_button])
        self._rows: list[W.HBox] = []
        self.set_values([])

    def _make_row(self, position: int) -> W.HBox:
        text = classed(W.Text(placeholder=self.placeholder, layout=_flex(), continuous_update=True), self.text_class)
        self.editor.observe(text)
        rank = html(str(position), "cc-rank")
        up = button("↑", "cc-icon", "cc-move-up", tooltip="Move up", width="32px")
        down = button("↓", "cc-icon", "cc-move-down", tooltip="Move down", width="32px")
        remove = button("✕", "cc-icon", "cc-remove", tooltip="Remove", width="32px")
        self.editor.on_click(up, lambda: self.move(self.texts.index(text), -1))
        self.editor.on_click(down, lambda: self.move(self.texts.index(text), +1))
        self.editor.on_click(remove, lambda: self.remove_row(self.texts.index(text)))
        self.texts.append(text)
        return classed(W.HBox([rank, text, up, down, remove], layout=full()), "cc-row", self.row_class)

    def _rebuild(self, count: int) -> None:
        while len(self._rows) < count:
            self._rows.append(self._make_row(len(self._rows) + 1))
        while len(self._rows) > count:
            self._rows.pop()
            self.texts.pop()
        self.rows_box.children = tuple(self._rows)
        self.add_button.disabled = self.editor.locked or len(self._rows) >= self.max_rows
        self.add_button.layout.display = "none" if len(self._rows) >= self.max_rows else None

    def values(self) -> list[str]:
        """The text of every row, in rank order (empty rows included)."""
        return [t.value for t in self.texts]

    def set_values(self, values: list[str]) -> None:
        """Show ``values`` (at least ``min_rows`` rows)."""
        values = list(values)[: self.max_rows]
        with self.editor.loading():
            self._rebuild(max(self.min_rows, len(values)))
            for text, value in zip(self.texts, values + [""] * (len(self.texts) - len(values))):
                text.value = value

    def add_row(self) -> None:
        """Append an empty row (up to ``max_rows``)."""
        if len(self._rows) >= self.max_rows:
            return
        self._rebuild(len(self._rows) + 1)
        self.editor.changed()
        if self.on_structure:
            self.on_structure()

    def move(self, index: int, step: int) -> None:
        """Move row ``index`` (0-based) up (-1) or down (+1)."""
        target = index + step
        if not 0 <= target < len(self.texts):
            return
        values = self.values()
        values[index], values[target] = values[target], values[index]
        with self.editor.loading():
            for text, value in zip(self.texts, values):
                text.value = value
        if self.on_reorder:
            self.on_reorder({index + 1: target + 1, target + 1: index + 1})
        self.editor.changed()

    def remove_row(self, index: int) -> None:
        """Remove row ``index`` (0-based); rows below move up; never fewer than ``min_rows`` rows."""
        values = self.values()
        del values[index]
        mapping = {index + 1: None}
        mapping.update({i + 1: i for i in range(index + 1, len(values) + 1)})
        with self.editor.loading():
            self._rebuild(max(self.min_rows, len(values)))
            for text, value in zip(self.texts, values + [""] * (len(self.texts) - len(values))):
                text.value = value
        if self.on_reorder:
            self.on_reorder(mapping)
        self.editor.changed()
        if self.on_structure:
            self.on_structure()


class ListEditor(Editor):
    """``list``: a ranked list of short answers in ``answers[question_id]``."""

    kind = "list"

    def __init__(self, question: Question, ctx: EditorContext):
        super().__init__(question, ctx)
        self.list = RankedList(self, min_rows=max(1, question.min_items or 1), max_rows=question.max_items or 20,
                               placeholder="One item", row_class="cc-list-row", text_class="cc-list-text",
                               add_label="+ Add", add_class="cc-add-item")
        self.widget = classed(W.VBox([prompt(question), self.list.widget]), "cc-question", f"cc-q-{question.id}")

    def load(self, record: dict) -> None:
        value = (record.get("answers") or {}).get(self.question.id)
        self.list.set_values([str(v) for v in value] if isinstance(value, list) else ([value] if value else []))

    def dump(self, record: dict) -> None:
        items = [v for v in self.list.values() if v.strip()]
        if items:
            record["answers"][self.question.id] = items
        else:
            record["answers"].pop(self.question.id, None)


class ChoiceEditor(Editor):
    """``choice``: one of the question's choices in ``answers[question_id]``."""

    kind = "choice"

    def __init__(self, question: Question, ctx: EditorContext):
        super().__init__(question, ctx)
        self.buttons = classed(W.ToggleButtons(options=[(str(c).capitalize(), c) for c in question.choices],
                                               value=None, style={"button_width": "auto"}), "cc-choice")
        self.observe(self.buttons)
        self.widget = classed(W.VBox([prompt(question), self.buttons]), "cc-question", f"cc-q-{question.id}")

    def load(self, record: dict) -> None:
        value = (record.get("answers") or {}).get(self.question.id)
        with self.loading():
            self.buttons.value = value if value in self.question.choices else None

    def dump(self, record: dict) -> None:
        if self.buttons.value is not None:
            record["answers"][self.question.id] = self.buttons.value
        else:
            record["answers"].pop(self.question.id, None)


class DateEditor(Editor):
    """``date``: an ISO date in ``answers[question_id]``."""

    kind = "date"

    def __init__(self, question: Question, ctx: EditorContext):
        super().__init__(question, ctx)
        self.picker = classed(W.DatePicker(value=None), "cc-date")
        self.observe(self.picker)
        self.widget = classed(W.VBox([prompt(question), self.picker]), "cc-question", f"cc-q-{question.id}")

    def load(self, record: dict) -> None:
        value = (record.get("answers") or {}).get(self.question.id)
        with self.loading():
            try:
                self.picker.value = S.parse_date(value) if value else None
            except ValueError:
                self.picker.value = None

    def dump(self, record: dict) -> None:
        if self.picker.value is not None:
            record["answers"][self.question.id] = self.picker.value.isoformat()
        else:
            record["answers"].pop(self.question.id, None)


# ============================================================================ goals


class DreamsEditor(Editor):
    """``dreams``: 3–5 ranked dreams in ``record["dreams"]``, with a prompt while too few."""

    kind = "dreams"

    def __init__(self, question: Question, ctx: EditorContext):
        super().__init__(question, ctx)
        self.min_items = question.min_items or S.MIN_DREAMS
        self.max_items = min(question.max_items or S.MAX_DREAMS, S.MAX_DREAMS)
        self.reorder_listeners: list[Callable[[dict[int, int | None]], None]] = []
        self.list = RankedList(self, min_rows=self.min_items, max_rows=self.max_items,
                               placeholder="A dream, in their words", row_class="cc-dream-row",
                               text_class="cc-dream-text", add_label="+ Add a dream", add_class="cc-add-dream",
                               on_reorder=self._reordered, on_structure=ctx.on_links_changed)
        self.count_note = html("", "cc-dream-count")
        self.widget = classed(W.VBox([prompt(question), self.list.widget, self.count_note]),
                              "cc-question", "cc-dreams")
        self._update_note()

    def _reordered(self, mapping: dict[int, int | None]) -> None:
        for listener in self.reorder_listeners:
            listener(mapping)
        self.ctx.on_links_changed()

    def changed(self, *args) -> None:
        self._update_note()
        super().changed(*args)

    def _update_note(self) -> None:
        n = len(self.filled())
        if n < self.min_items:
            self.count_note.value = (f'<div class="cc-warn-box">List at least {self.min_items} dreams '
                                     f"({n} so far). Ask: what else would you love to do?</div>")
        elif n >= self.max_items:
            self.count_note.value = f'<div class="cc-muted">{n} dreams — that is the most the method asks for.</div>'
        else:
            self.count_note.value = (f'<div class="cc-muted">{n} dreams. Up to {self.max_items}; '
                                     "use the arrows to put the most important first.</div>")

    def filled(self) -> list[tuple[int, str]]:
        """``[(row position, text)]`` of the rows that hold a dream (1-based positions)."""
        return [(i + 1, v) for i, v in enumerate(self.list.values()) if v.strip()]

    def choices(self) -> list[tuple[str, int]]:
        """Dropdown choices ``("2. text", row position)`` for "which dream it serves"."""
        out = []
        for rank, (position, text) in enumerate(self.filled(), start=1):
            short = text if len(text) <= 60 else text[:57] + "…"
            out.append((f"{rank}. {short}", position))
        return out

    def rank_of_position(self, position: int | None) -> int | None:
        """The stored rank of the dream in row ``position`` (None if that row is empty)."""
        for rank, (pos, _) in enumerate(self.filled(), start=1):
            if pos == position:
                return rank
        return None

    def position_of_rank(self, rank: int | None) -> int | None:
        """The row showing the dream stored with ``rank``."""
        filled = self.filled()
        return filled[rank - 1][0] if rank is not None and 1 <= rank <= len(filled) else None

    def load(self, record: dict) -> None:
        dreams = sorted(record.get("dreams") or [], key=lambda d: d.get("rank") or 0)
        self.list.set_values([d.get("text") or "" for d in dreams])
        self._update_note()

    def dump(self, record: dict) -> None:
        record["dreams"] = [{"rank": rank, "text": text} for rank, (_, text) in enumerate(self.filled(), start=1)]


# ============================================================================ action plan


class OptionRow:
    """One option to raise a skill by one: text, pros, cons, and whether it is the chosen one."""

    def __init__(self, card: "SkillCard", number: int):
        self.card = card
        editor = card.editor
        self.text = classed(W.Text(placeholder=f"Option {number}: what would it take?", layout=_flex("40%", 2),
                                   continuous_update=True), "cc-option-text")
        self.pros = classed(W.Text(placeholder="Pros", layout=_flex("22%"), continuous_update=True), "cc-option-pros")
        self.cons = classed(W.Text(placeholder="Cons / trade-offs", layout=_flex("22%"), continuous_update=True),
                            "cc-option-cons")
        self.choose = classed(W.ToggleButton(value=False, description="Choose", tooltip="The best way to approach it",
                                             layout=W.Layout(width="112px", flex="0 0 112px")), "cc-choose")
        self.remove = button("✕", "cc-icon", "cc-remove-option", tooltip="Remove this option", width="32px")
        for w in (self.text, self.pros, self.cons):
            editor.observe(w, card.options_changed)
        editor.observe(self.choose, lambda change: card.chosen(self, change["new"]))
        editor.on_click(self.remove, lambda: card.remove_option(self))
        self.widget = classed(W.HBox([self.text, self.pros, self.cons, self.choose, self.remove], layout=full()),
                              "cc-row", "cc-option-row")

    def value(self) -> dict:
        return {"text": self.text.value, "pros": self.pros.value, "cons": self.cons.value,
                "chosen": bool(self.choose.value)}

    def set(self, option: dict) -> None:
        self.text.value = option.get("text") or ""
        self.pros.value = option.get("pros") or ""
        self.cons.value = option.get("cons") or ""
        self.set_chosen(bool(option.get("chosen")))

    def set_chosen(self, chosen: bool) -> None:
        self.choose.value = chosen
        self.choose.description = "Chosen ✓" if chosen else "Choose"
        if chosen:
            self.widget.add_class("cc-option-chosen")
        else:
            self.widget.remove_class("cc-option-chosen")

    def empty(self) -> bool:
        return not (self.text.value.strip() or self.pros.value.strip() or self.cons.value.strip())


class SkillCard:
    """Everything asked about one skill, in the question set's order."""

    def __init__(self, editor: "SkillsEditor", skill: dict):
        self.editor = editor
        ctx = editor.ctx
        self.data = {**S.new_skill(skill.get("skill") or ""), **skill}
        self.name = self.data["skill"]
        self.options: list[OptionRow] = []
        self.targets: dict[int, int | None] = {h: None for h in S.HORIZONS}
        self.pending_target: tuple[int, int] | None = None
        parts: list[W.Widget] = []

        self.title = html(f"{escape(self.name)}", "cc-skill-name")
        self.remove_button = button("Remove skill", "cc-link", "cc-remove-skill")
        self.confirm_remove = W.HBox([html('<span class="cc-muted">Remove this skill and its plan?</span>'),
                                      button("Yes, remove", "cc-danger", "cc-confirm-remove"),
                                      button("Keep it", "cc-keep-skill")])
        show(self.confirm_remove, False)
        editor.on_click(self.remove_button, lambda: show(self.confirm_remove, True))
        editor.on_click(self.confirm_remove.children[1], lambda: editor.remove_skill(self))
        editor.on_click(self.confirm_remove.children[2], lambda: show(self.confirm_remove, False))
        head = classed(W.HBox([self.title, self.remove_button], layout=W.Layout(justify_content="space-between")),
                       "cc-row")
        parts.extend([head, self.confirm_remove])

        questions = editor.skill_questions
        for kind in [q.kind for q in editor.skill_question_order]:
            q = questions[kind]
            if kind == "skill_rating":
                self.self_rating = classed(W.ToggleButtons(options=RATING_CHOICES[1:], value=None,
                                                           style={"button_width": "38px"}),
                                           "cc-rating", "cc-self-rating")
                self.coach_rating = classed(W.Dropdown(options=RATING_CHOICES, value=NO_RATING,
                                                       description="Coach's view (optional)",
                                                       style={"description_width": "initial"},
                                                       layout=W.Layout(width="260px")), "cc-coach-rating")
                editor.observe(self.self_rating, self.rating_changed)
                editor.observe(self.coach_rating)
                parts.extend([prompt(q), classed(W.HBox([html('<span class="cc-muted">Their rating</span>'),
                                                         self.self_rating]), "cc-row"), self.coach_rating])
            elif kind == "skill_ten":
                self.ten = classed(W.Textarea(placeholder="What would a 10 look like, concretely?", rows=2,
                                              layout=full(), continuous_update=True), "cc-ten")
                editor.observe(self.ten)
                parts.extend([prompt(q), self.ten])
            elif kind == "skill_options":
                self.min_options = q.min_items or S.MIN_OPTIONS
                self.options_box = W.VBox()
                self.add_option_button = button("+ Add an option", "cc-add-option")
                editor.on_click(self.add_option_button, self.add_option)
                self.options_note = html("", "cc-options-count")
                parts.extend([prompt(q), self.options_box, classed(W.HBox([self.add_option_button,
                                                                           self.options_note]), "cc-row")])
            elif kind == "skill_approach":
                self.chosen_note = html("", "cc-chosen-note")
                self.approach = classed(W.Textarea(placeholder="How will they go about it? First steps, support, "
                                                               "time…", rows=2, layout=full(), continuous_update=True),
                                        "cc-approach")
                editor.observe(self.approach)
                parts.extend([prompt(q), self.chosen_note, self.approach])
            elif kind == "skill_targets":
                self.target_boxes: dict[int, W.Dropdown] = {}
                cells = []
                for h in S.HORIZONS:
                    when = human_date(horizon_date(ctx.conversation_date, h).date())
                    dd = classed(W.Dropdown(options=RATING_CHOICES, value=NO_RATING, description=f"{h} months",
                                            layout=W.Layout(width="150px")), f"cc-target-{h}", "cc-target")
                    editor.observe(dd, lambda change, h=h: self.target_changed(h, change))
                    self.target_boxes[h] = dd
                    cells.append(W.VBox([dd, html(f'<span class="cc-muted">by {escape(when)}</span>')]))
                self.target_confirm_text = html("", "cc-warn")
                self.target_keep = button("Keep it", "cc-confirm-target")
                self.target_cancel = button("Change it", "cc-cancel-target")
                editor.on_click(self.target_keep, self.confirm_target)
                editor.on_click(self.target_cancel, self.cancel_target)
                self.target_confirm = classed(W.HBox([self.target_confirm_text, self.target_keep, self.target_cancel]),
                                              "cc-row", "cc-target-confirm")
                show(self.target_confirm, False)
                self.targets_note = html("", "cc-targets-note")
                parts.extend([prompt(q), classed(W.HBox(cells), "cc-row"), self.target_confirm, self.targets_note])
        self.dream = classed(W.Dropdown(options=[("—", 0)], value=0, description="Which dream it serves",
                                        style={"description_width": "initial"}, layout=W.Layout(width="480px")),
                             "cc-serves-dream")
        self._dream_position: int | None = None
        editor.observe(self.dream, self.dream_picked)
        parts.append(self.dream)
        self.widget = classed(W.VBox(parts), "cc-card", "cc-skill-card")
        self.load(self.data)

    # -------------------------------------------------------------- load / dump
    def load(self, skill: dict) -> None:
        editor = self.editor
        with editor.loading():
            if hasattr(self, "self_rating"):
                self.self_rating.value = skill.get("self_rating")
                self.coach_rating.value = rating_in(skill.get("coach_rating"))
            if hasattr(self, "ten"):
                self.ten.value = skill.get("ten_looks_like") or ""
            if hasattr(self, "options_box"):
                options = list(skill.get("options") or [])
                self.options = []
                for i in range(max(self.min_options, len(options))):
                    self._append_option()
                for row, option in zip(self.options, options):
                    row.set(option)
                self._show_options()
            if hasattr(self, "approach"):
                self.approach.value = skill.get("approach") or ""
            if hasattr(self, "target_boxes"):
                for h in S.HORIZONS:
                    value = (skill.get("targets") or {}).get(str(h))
                    self.targets[h] = value
                    self.target_boxes[h].value = rating_in(value)
        self._dream_position = editor.dreams.position_of_rank(skill.get("dream_rank")) if editor.dreams else None
        self.refresh_dreams()
        self._update_notes()

    def value(self) -> dict:
        """This skill as stored in ``record["skills"]``."""
        s = dict(self.data)
        if hasattr(self, "self_rating"):
            s["self_rating"] = self.self_rating.value
            s["coach_rating"] = rating_out(self.coach_rating.value)
        if hasattr(self, "ten"):
            s["ten_looks_like"] = self.ten.value
        if hasattr(self, "options_box"):
            s["options"] = [row.value() for row in self.options if not row.empty()]
        if hasattr(self, "approach"):
            s["approach"] = self.approach.value
        if hasattr(self, "target_boxes"):
            s["targets"] = {str(h): self.targets[h] for h in S.HORIZONS}
        dreams = self.editor.dreams
        if dreams is not None:
            s["dream_rank"] = dreams.rank_of_position(self._dream_position)
        return s

    # -------------------------------------------------------------- ratings and targets
    def rating_changed(self, change) -> None:
        self._update_notes()
        self.editor.changed()

    def target_changed(self, horizon: int, change) -> None:
        if self.editor._loading:
            return
        new = rating_out(change["new"])
        current = self.self_rating.value if hasattr(self, "self_rating") else None
        if new is not None and current is not None and new < current and self.targets[horizon] != new:
            # Ask first: a target below today's rating is usually a slip of the mouse.
            self.pending_target = (horizon, new)
            with self.editor.loading():
                self.target_boxes[horizon].value = rating_in(self.targets[horizon])
            self.target_confirm_text.value = (f"<div>The {horizon}-month target <b>{new}</b> is below today's rating "
                                              f"<b>{current}</b>. Keep it anyway?</div>")
            self.target_keep.description = f"Keep {new}"
            show(self.target_confirm, True)
            return
        self.targets[horizon] = new
        self._update_notes()
        self.editor.changed()

    def confirm_target(self) -> None:
        """Accept the pending below-today target."""
        if self.pending_target is None:
            return
        horizon, value = self.pending_target
        self.pending_target = None
        self.targets[horizon] = value
        with self.editor.loading():
            self.target_boxes[horizon].value = rating_in(value)
        show(self.target_confirm, False)
        self._update_notes()
        self.editor.changed()

    def cancel_target(self) -> None:
        """Drop the pending below-today target (the previous value stays)."""
        self.pending_target = None
        show(self.target_confirm, False)

    # -------------------------------------------------------------- options
    def _append_option(self) -> OptionRow:
        row = OptionRow(self, len(self.options) + 1)
        self.options.append(row)
        return row

    def _show_options(self) -> None:
        self.options_box.children = tuple(r.widget for r in self.options)

    def add_option(self) -> None:
        """Add an empty option row."""
        with self.editor.loading():
            self._append_option()
        self._show_options()
        self._update_notes()

    def remove_option(self, row: OptionRow) -> None:
        """Remove an option row."""
        self.options.remove(row)
        with self.editor.loading():
            while len(self.options) < self.min_options:
                self._append_option()
        self._show_options()
        self._update_notes()
        self.editor.changed()

    def chosen(self, row: OptionRow, value: bool) -> None:
        """One option at most is the chosen approach."""
        if self.editor._loading:
            return
        with self.editor.loading():
            for other in self.options:
                other.set_chosen(value if other is row else False)
        self._update_notes()
        self.editor.changed()

    def options_changed(self, _change=None) -> None:
        self._update_notes()
        self.editor.changed()

    # -------------------------------------------------------------- dreams
    def refresh_dreams(self) -> None:
        """Rebuild the "serves dream" choices from the current dreams."""
        dreams = self.editor.dreams
        choices = [("—", 0)] + (dreams.choices() if dreams else [])
        position = self._dream_position
        with self.editor.loading():
            if tuple(self.dream.options) != tuple(choices):
                self.dream.options = choices
            self.dream.value = position if position in [c[1] for c in choices] else 0

    def dreams_moved(self, mapping: dict[int, int | None]) -> None:
        """Follow the dream this skill serves when dreams are moved or removed."""
        if self._dream_position in mapping:
            self._dream_position = mapping[self._dream_position]

    def dream_picked(self, change) -> None:
        if self.editor._loading:
            return
        self._dream_position = change["new"] or None
        self.editor.changed()

    # -------------------------------------------------------------- notes
    def _update_notes(self) -> None:
        if hasattr(self, "options_box"):
            n = sum(1 for r in self.options if r.text.value.strip())
            if n < self.min_options:
                self.options_note.value = (f'<span class="cc-muted">{n} of at least {self.min_options} options — '
                                           "what else could raise it by one?</span>")
            else:
                self.options_note.value = f'<span class="cc-muted">{n} options</span>'
        if hasattr(self, "chosen_note"):
            chosen = next((r.text.value for r in self.options if r.choose.value), None) \
                if hasattr(self, "options_box") else None
            self.chosen_note.value = (f'<div class="cc-note">Chosen: {escape(chosen)}</div>' if chosen and chosen.strip()
                                      else '<div class="cc-muted">Weigh the options above, then press '
                                           "<b>Choose</b> on the best one.</div>")
        if hasattr(self, "target_boxes"):
            current = self.self_rating.value if hasattr(self, "self_rating") else None
            below = [f"{h} months ({self.targets[h]})" for h in S.HORIZONS
                     if current is not None and self.targets[h] is not None and self.targets[h] < current]
            self.targets_note.value = (f'<span class="cc-muted">Below today\'s rating: {", ".join(below)}</span>'
                                       if below else "")


class SkillsEditor(Editor):
    """``skills`` and the per-skill kinds: a card per skill in ``record["skills"]``.

    Skills are picked from the organisation's existing skill names (suggested as
    the coach types) or typed new. The same skill (ignoring case and spacing)
    cannot be added twice.
    """

    kind = "skills"

    def __init__(self, question: Question, ctx: EditorContext, skill_questions: list[Question],
                 dreams: DreamsEditor | None):
        super().__init__(question, ctx)
        self.skill_question_order = [q for q in skill_questions if q.kind in SKILL_PART_KINDS]
        self.skill_questions = {q.kind: q for q in self.skill_question_order}
        self.dreams = dreams
        if dreams is not None:
            dreams.reorder_listeners.append(self._dreams_moved)
        self.cards: list[SkillCard] = []
        self.input = classed(W.Combobox(placeholder="Type a skill, or pick one your organisation already uses",
                                        options=[], ensure_option=False, layout=_flex("60%")), "cc-skill-input")
        self.add_button = button("+ Add skill", "cc-primary", "cc-add-skill")
        self.on_click(self.add_button, self.add_from_input)
        self.message = html("", "cc-skill-message")
        self.cards_box = W.VBox()
        self.empty_note = html('<div class="cc-muted">No skills yet. Which skills would help them reach '
                               "their dreams?</div>", "cc-skills-empty")
        self.widget = classed(W.VBox([prompt(question), classed(W.HBox([self.input, self.add_button], layout=full()),
                                                                "cc-row", "cc-skill-add"),
                                      self.message, self.empty_note, self.cards_box]), "cc-question", "cc-skills")
        self.refresh_suggestions()

    def refresh_suggestions(self) -> None:
        """Offer the organisation's skills that are not in this conversation yet."""
        taken = {S.skill_key(c.name) for c in self.cards}
        names = [n for n in self.ctx.skill_names() if S.skill_key(n) not in taken]
        if tuple(self.input.options) != tuple(names):
            self.input.options = tuple(names)

    def add_from_input(self) -> None:
        """Add the skill typed or picked in the input box."""
        name = " ".join(self.input.value.split())
        if not name:
            self.message.value = '<div class="cc-warn-box">Type or pick a skill first.</div>'
            return
        if len(name) > 120:
            self.message.value = '<div class="cc-warn-box">That is long for a skill name; keep it under 120 ' \
                                 "characters and put the detail in “what a 10 looks like”.</div>"
            return
        existing = {S.skill_key(c.name): c.name for c in self.cards}
        if S.skill_key(name) in existing:
            self.message.value = (f'<div class="cc-warn-box">“{escape(existing[S.skill_key(name)])}” is already in '
                                  "this conversation.</div>")
            return
        # Use the organisation's spelling when the coach typed a known skill differently.
        known = {S.skill_key(n): n for n in self.ctx.skill_names()}  # suggestions: organisation + history
        name = known.get(S.skill_key(name), name)
        self.add_skill(name)
        with self.loading():
            self.input.value = ""
        self.message.value = ""

    def add_skill(self, name: str) -> SkillCard:
        """Add a card for a new skill and report the edit."""
        card = SkillCard(self, S.new_skill(name))
        if self.locked:
            set_disabled(card.widget, True)
        self.cards.append(card)
        self._show()
        self.changed()
        self.ctx.on_links_changed()
        return card

    def remove_skill(self, card: SkillCard) -> None:
        """Remove a skill and everything said about it."""
        self.cards.remove(card)
        self._show()
        self.changed()
        self.ctx.on_links_changed()

    def card(self, name: str) -> SkillCard:
        """The card of a skill by name (case and spacing ignored).

        Raises
        ------
        KeyError
            If the skill is not in this conversation.
        """
        for c in self.cards:
            if S.skill_key(c.name) == S.skill_key(name):
                return c
        raise KeyError(f"no skill {name!r} in this conversation; skills: {', '.join(c.name for c in self.cards)}")

    def _show(self) -> None:
        self.cards_box.children = tuple(c.widget for c in self.cards)
        show(self.empty_note, not self.cards)
        self.refresh_suggestions()

    def _dreams_moved(self, mapping: dict[int, int | None]) -> None:
        for c in self.cards:
            c.dreams_moved(mapping)

    def refresh_links(self) -> None:
        for c in self.cards:
            c.refresh_dreams()
        self.refresh_suggestions()

    def load(self, record: dict) -> None:
        with self.loading():
            self.cards = [SkillCard(self, s) for s in record.get("skills") or []]
        self._show()

    def dump(self, record: dict) -> None:
        record["skills"] = [c.value() for c in self.cards]

    def set_locked(self, locked: bool) -> None:
        super().set_locked(locked)
        for c in self.cards:
            show(c.remove_button, not locked)
            if hasattr(c, "add_option_button"):
                show(c.add_option_button, not locked)
            for row in getattr(c, "options", []):
                show(row.remove, not locked)


# ============================================================================ next steps


class ActionRow:
    """One action item: what, by when, who, and which skill it helps (optional)."""

    def __init__(self, editor: "ActionItemsEditor", item_id: str):
        self.item_id = item_id
        self.text = classed(W.Text(placeholder="What will be done", layout=_flex("45%", 3), continuous_update=True),
                            "cc-action-text")
        self.due = classed(W.DatePicker(value=None, layout=W.Layout(width="150px")), "cc-action-due")
        self.owner = classed(W.Combobox(placeholder="Who", options=tuple(editor.ctx.people), ensure_option=False,
                                        layout=_flex("18%")), "cc-action-owner")
        self.skill = classed(W.Dropdown(options=[("(no skill)", "")], value="", layout=W.Layout(width="170px")),
                             "cc-action-skill")
        self.remove = button("✕", "cc-icon", "cc-remove-action", tooltip="Remove this action item", width="32px")
        for w in (self.text, self.due, self.owner, self.skill):
            editor.observe(w)
        editor.on_click(self.remove, lambda: editor.remove_row(self))
        self.extra: dict = {}
        self.widget = classed(W.HBox([self.text, self.due, self.owner, self.skill, self.remove], layout=full()),
                              "cc-row", "cc-action-row")

    def value(self) -> dict:
        return {**self.extra, "item_id": self.item_id, "text": self.text.value,
                "due": self.due.value.isoformat() if self.due.value else None, "owner": self.owner.value,
                "skill": self.skill.value or ""}

    def empty(self) -> bool:
        return not (self.text.value.strip() or self.due.value or self.owner.value.strip())


class ActionItemsEditor(Editor):
    """``action_items``: what to achieve before the next meeting, each with a due date and an owner.

    Item ids (``a1``, ``a2`` …) are never reused within a conversation, because
    check-ins refer to items by id.
    """

    kind = "action_items"

    def __init__(self, question: Question, ctx: EditorContext, skills: SkillsEditor | None):
        super().__init__(question, ctx)
        self.skills = skills
        self.rows: list[ActionRow] = []
        self._next = 1
        self.rows_box = W.VBox()
        self.add_button = button("+ Add an action item", "cc-add-action")
        self.on_click(self.add_button, self.add_row)
        heads = html('<div class="cc-muted" style="display:flex;gap:6px">'
                     '<span style="flex:3">What</span><span style="width:150px">Due</span>'
                     '<span style="flex:1">Owner</span><span style="width:210px">Skill</span></div>')
        self.widget = classed(W.VBox([prompt(question), heads, self.rows_box, self.add_button]),
                              "cc-question", "cc-action-items")
        self.add_row()

    def _new_id(self) -> str:
        item_id = f"a{self._next}"
        self._next += 1
        return item_id

    def add_row(self) -> ActionRow:
        """Add an empty action item row (saved once something is typed in it)."""
        with self.loading():
            row = ActionRow(self, self._new_id())
            self.rows.append(row)
            self._refresh_row_skills(row)
        self._show()
        return row

    def remove_row(self, row: ActionRow) -> None:
        """Remove an action item."""
        self.rows.remove(row)
        if not self.rows:
            self.add_row()
        self._show()
        self.changed()

    def _show(self) -> None:
        self.rows_box.children = tuple(r.widget for r in self.rows)

    def _refresh_row_skills(self, row: ActionRow, wanted: str | None = None) -> None:
        names = [c.name for c in self.skills.cards] if self.skills else []
        current = row.skill.value if wanted is None else wanted
        choices = [("(no skill)", "")] + [(n, n) for n in names]
        if current and current not in names:
            choices.append((current, current))
        if tuple(row.skill.options) != tuple(choices):
            row.skill.options = choices
        row.skill.value = current if current in [c[1] for c in choices] else ""

    def refresh_links(self) -> None:
        with self.loading():
            for row in self.rows:
                self._refresh_row_skills(row)

    def load(self, record: dict) -> None:
        items = list(record.get("action_items") or [])
        with self.loading():
            self.rows = []
            numbers = [int(i["item_id"][1:]) for i in items
                       if str(i.get("item_id", "")).startswith("a") and str(i["item_id"])[1:].isdigit()]
            self._next = max(numbers, default=0) + 1
            for item in items:
                row = ActionRow(self, item["item_id"])
                row.extra = {k: v for k, v in item.items() if k not in ("item_id", "text", "due", "owner", "skill")}
                row.text.value = item.get("text") or ""
                row.due.value = dt.date.fromisoformat(item["due"]) if item.get("due") else None
                row.owner.value = item.get("owner") or ""
                self._refresh_row_skills(row, item.get("skill") or "")
                self.rows.append(row)
            if not self.rows:
                self.rows.append(ActionRow(self, self._new_id()))
        self._show()

    def dump(self, record: dict) -> None:
        record["action_items"] = [r.value() for r in self.rows if not r.empty()]

    def set_locked(self, locked: bool) -> None:
        super().set_locked(locked)
        show(self.add_button, not locked)
        for r in self.rows:
            show(r.remove, not locked)


class FollowUpEditor(Editor):
    """``follow_up``: how the plan is followed up (mode, every N weeks, a note)."""

    kind = "follow_up"

    def __init__(self, question: Question, ctx: EditorContext):
        super().__init__(question, ctx)
        choices = question.choices or S.FOLLOW_UP_MODES
        self.mode = classed(W.ToggleButtons(options=[(str(c).capitalize(), c) for c in choices], value=None,
                                            style={"button_width": "auto"}), "cc-choice", "cc-follow-mode")
        self.weeks = classed(W.BoundedIntText(value=2, min=1, max=26, description="every",
                                              style={"description_width": "initial"},
                                              layout=W.Layout(width="110px")), "cc-follow-weeks")
        self.note = classed(W.Text(placeholder="Anything to agree on (e.g. first check-in date)",
                                   layout=_flex("50%"), continuous_update=True), "cc-follow-note")
        for w in (self.mode, self.weeks, self.note):
            self.observe(w)
        self.widget = classed(W.VBox([prompt(question), self.mode,
                                      classed(W.HBox([self.weeks, html('<span class="cc-muted">weeks</span>'),
                                                      self.note], layout=full()), "cc-row")]),
                              "cc-question", "cc-follow-up")

    def load(self, record: dict) -> None:
        fu = record.get("follow_up") or {}
        with self.loading():
            self.mode.value = fu.get("mode") if fu.get("mode") in [o[1] for o in self.mode.options] else None
            self.weeks.value = fu.get("every_weeks") or 2
            self.note.value = fu.get("note") or ""

    def dump(self, record: dict) -> None:
        mode = self.mode.value
        record["follow_up"] = {"mode": mode, "every_weeks": int(self.weeks.value) if mode else None,
                               "note": self.note.value}


class CadenceEditor(Editor):
    """``cadence``: 6 or 12 months between conversations; sets the next due date."""

    kind = "cadence"

    def __init__(self, question: Question, ctx: EditorContext):
        super().__init__(question, ctx)
        choices = [int(c) for c in (question.choices or S.CADENCES)]
        self.buttons = classed(W.ToggleButtons(options=[(f"Every {c} months", c) for c in choices], value=None,
                                               style={"button_width": "auto"}), "cc-choice", "cc-cadence")
        self.observe(self.buttons, self._changed)
        hint = (f'<span class="cc-muted">Their preference on the roster: every {ctx.preferred_cadence} months.</span>'
                if ctx.preferred_cadence else "")
        self.due_note = html("", "cc-next-due")
        self.widget = classed(W.VBox([prompt(question), self.buttons, html(hint), self.due_note]), "cc-question")

    def _changed(self, _change=None) -> None:
        self._update_note()
        self.changed()

    def next_due(self) -> dt.date | None:
        """The conversation date plus the chosen cadence, or None."""
        if self.buttons.value is None:
            return None
        return horizon_date(self.ctx.conversation_date, int(self.buttons.value)).date()

    def _update_note(self) -> None:
        due = self.next_due()
        self.due_note.value = (f'<div class="cc-note">Next career conversation due <b>{escape(human_date(due))}</b>'
                               "</div>" if due else "")

    def load(self, record: dict) -> None:
        with self.loading():
            value = record.get("cadence_months")
            self.buttons.value = value if value in [o[1] for o in self.buttons.options] else None
        self._update_note()

    def dump(self, record: dict) -> None:
        record["cadence_months"] = self.buttons.value
        due = self.next_due()
        record["next_due"] = due.isoformat() if due else None


ANSWER_EDITORS: dict[str, type[Editor]] = {"text": TextEditor, "list": ListEditor, "choice": ChoiceEditor,
                                           "date": DateEditor}


# ============================================================================ sections


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
        title = html(f"{escape(section.title)} <span class=\"cc-pill\">about {section.minutes} min</span>",
                     "cc-section-title")
        self.bank_toggle = classed(W.ToggleButtons(options=[("Standard questions", "standard"),
                                                            ("Alternative questions", "alternative")],
                                                   value="standard", style={"button_width": "auto"}), "cc-bank")
        self.bank_toggle.observe(ctx.guard(self._bank_changed), names="value")
        self.pull_choice = classed(W.Dropdown(options=[], layout=W.Layout(flex="1 1 auto", width="auto",
                                                                          min_width="0")), "cc-pull-choice")
        self.pull_button = button("+ Ask it", "cc-pull")
        self.pull_button.on_click(ctx.guard(lambda _b: None if self.locked else self.pull(self.pull_choice.value)))
        self.pull_row = classed(W.HBox([self.pull_choice, self.pull_button], layout=full()), "cc-row", "cc-pull-row")
        self.alt_box = W.VBox()
        has_alt = alternative is not None and bool(alternative.questions)
        head_items = [title] + ([self.bank_toggle] if has_alt else [])
        self.head = classed(W.HBox(head_items, layout=full()), "cc-row", "cc-section-head")
        children = [self.head]
        if has_alt:
            children += [self.pull_row, self.alt_box]
        children += [e.widget for e in self.editors]
        self.widget = classed(W.VBox(children), "cc-card", "cc-section", f"cc-section-{section.id}")
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

