"""Editors of the structured parts of the plan: dreams, action items, follow-up and cadence.

Each writes its own part of the record (``dreams``, ``action_items``,
``follow_up``, ``cadence_months`` and ``next_due``) rather than an answer;
skills and everything asked about each skill are in :mod:`.skill_editor`.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import TYPE_CHECKING, Callable

import ipywidgets as widgets

from careerconv.records import schema
from careerconv.rules.progress import horizon_date
from careerconv.records.questions import Question
from careerconv.records.dates import human_date
from careerconv.records.schema import CADENCE_MONTHS, ITEM_ID, SKILL
from .editors import Editor, EditorContext, RankedList, prompt
from .undo import UndoNotice
from .widgets import DateBox, button, classed, flex, full, html, named, show, sr_only

if TYPE_CHECKING:  # the skills editor needs the dreams editor, so it is imported for annotations only
    from .skill_editor import SkillsEditor


# ---------------------------------------------------------------------------- goals


class DreamsEditor(Editor):
    """``dreams``: 3–5 ranked dreams in ``record["dreams"]``, with a prompt while too few."""

    kind = "dreams"

    def __init__(self, question: Question, ctx: EditorContext):
        super().__init__(question, ctx)
        self.min_items = question.min_items or schema.MIN_DREAMS
        self.max_items = min(question.max_items or schema.MAX_DREAMS, schema.MAX_DREAMS)
        # each follows dreams moved or removed (``{old position: new position or None}``) and returns what puts
        # it back as it was, for undoing a removal
        self.reorder_listeners: list[Callable[[dict[int, int | None]], Callable[[], None]]] = []
        self.list = RankedList(self, min_rows=self.min_items, max_rows=self.max_items,
                               placeholder="A dream, in their words", row_class="cc-dream-row",
                               text_class="cc-dream-text", add_label="+ Add a dream", add_class="cc-add-dream",
                               item="dream",
                               on_reorder=self._reordered, on_structure=ctx.on_links_changed)
        self.count_note = html("", "cc-dream-count")
        self.widget = classed(widgets.VBox([prompt(question), self.list.widget, self.count_note]),
                              "cc-question", "cc-dreams")
        self._update_note()

    def _reordered(self, mapping: dict[int, int | None]) -> Callable[[], None]:
        backs = [listener(mapping) for listener in self.reorder_listeners]
        self.ctx.on_links_changed()

        def back() -> None:
            for put_back in backs:
                put_back()
        return back

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


# ---------------------------------------------------------------------------- next steps


class ActionRow:
    """One action item: what, by when, who, and which skill it helps (optional)."""

    def __init__(self, editor: "ActionItemsEditor", item_id: str):
        self.item_id = item_id
        self.text = named(classed(widgets.Text(placeholder="What will be done", layout=flex("45%", 3),
                                               continuous_update=True), "cc-action-text"),
                          "Action item: what will be done")
        self.due = classed(DateBox(width="150px", name="Action item: due date"), "cc-action-due")
        self.owner = named(classed(widgets.Combobox(placeholder="Who", options=tuple(editor.ctx.people),
                                                    ensure_option=False, layout=flex("18%")), "cc-action-owner"),
                           "Action item: who does it")
        self.skill = named(classed(widgets.Dropdown(options=[("(no skill)", "")], value="",
                                                    layout=widgets.Layout(width="170px")), "cc-action-skill"),
                           "Action item: the skill it helps (optional)")
        self.remove = button("✕", "cc-icon", "cc-remove-action", tooltip="Remove this action item", width="32px")
        for w in (self.text, self.due, self.owner, self.skill):
            editor.observe(w)
        editor.on_click(self.remove, lambda: editor.remove_row(self))
        self.extra: dict = {}
        self.widget = classed(widgets.HBox([self.text, self.due, self.owner, self.skill, self.remove], layout=full()),
                              "cc-row", "cc-action-row")

    def value(self) -> dict:
        return {**self.extra, ITEM_ID: self.item_id, "text": self.text.value,
                "due": self.due.value.isoformat() if self.due.value else None, "owner": self.owner.value,
                SKILL: self.skill.value or ""}

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
        self.rows_box = widgets.VBox()
        self.add_button = button("+ Add an action item", "cc-add-action")
        self.on_click(self.add_button, self.add_row)
        self.undo = UndoNotice(self)
        heads = html('<div class="cc-muted cc-action-heads" style="display:flex;gap:6px">'
                     '<span style="flex:3">What</span><span style="width:150px">Due</span>'
                     '<span style="flex:1">Owner</span><span style="width:210px">Skill</span></div>')
        self.widget = classed(widgets.VBox([prompt(question), heads, self.rows_box, self.undo.widget,
                                            self.add_button]),
                              "cc-question", "cc-action-items")
        self.add_row()

    def _new_id(self) -> str:
        item_id = f"a{self._next}"
        self._next += 1
        return item_id

    def add_row(self) -> ActionRow:
        """Add an empty action item row (saved once something is typed in it)."""
        self.undo.reshaped()
        with self.loading():
            row = ActionRow(self, self._new_id())
            self.rows.append(row)
            self._refresh_row_skills(row)
        self._show()
        return row

    def remove_row(self, row: ActionRow) -> None:
        """Remove an action item; one that held anything is offered back (the last one gives way to an empty one)."""
        index = self.rows.index(row)
        self.rows.remove(row)
        empty_instead = self.add_row() if not self.rows else None
        self._show()
        if row.empty():
            self.undo.reshaped()
        else:
            self.undo.offer(f"action item {index + 1}", row.text.value,
                            lambda: self._put_back(index, row, empty_instead))
        self.changed()

    def _put_back(self, index: int, row: ActionRow, empty_instead: ActionRow | None) -> None:
        """Undo the removal of ``row`` (its id, text, due date, owner, skill and all else it held) at ``index``;
        the empty row that took the place of the last one goes, unless something was typed in it."""
        if empty_instead in self.rows and empty_instead.empty():
            self.rows.remove(empty_instead)
        self.rows.insert(index, row)
        with self.loading():
            self._refresh_row_skills(row)
        self._show()
        row.text.focus()

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
            numbers = [int(i[ITEM_ID][1:]) for i in items
                       if str(i.get(ITEM_ID, "")).startswith("a") and str(i[ITEM_ID])[1:].isdigit()]
            self._next = max(numbers, default=0) + 1
            for item in items:
                row = ActionRow(self, item[ITEM_ID])
                row.extra = {k: v for k, v in item.items() if k not in (ITEM_ID, "text", "due", "owner", SKILL)}
                row.text.value = item.get("text") or ""
                row.due.value = dt.date.fromisoformat(item["due"]) if item.get("due") else None
                row.owner.value = item.get("owner") or ""
                self._refresh_row_skills(row, item.get(SKILL) or "")
                self.rows.append(row)
            if not self.rows:
                self.rows.append(ActionRow(self, self._new_id()))
        self.undo.reshaped()
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
        choices = question.choices or schema.FOLLOW_UP_MODES
        self.mode = named(classed(widgets.ToggleButtons(options=[(str(c).capitalize(), c) for c in choices],
                                                        value=None, style={"button_width": "auto"}),
                                  "cc-choice", "cc-follow-mode"),
                          [f"Follow up by {str(c).lower()}" for c in choices])
        # a text box, not a clamping number box: what was typed stays as typed, and a message says what is wrong
        self.weeks = classed(widgets.Text(value="2", description="every" + sr_only(" how many weeks"),
                                          description_allow_html=True, style={"description_width": "initial"},
                                          continuous_update=True, layout=widgets.Layout(width="110px")),
                             "cc-follow-weeks")
        self.every_weeks = 2  # the last valid number typed
        self.weeks_message = html("", "cc-follow-weeks-message")
        self.note = named(classed(widgets.Text(placeholder="Anything to agree on (e.g. first check-in date)",
                                               layout=flex("50%"), continuous_update=True), "cc-follow-note"),
                          "Follow-up: anything to agree on")
        self.weeks.observe(ctx.guard(self._weeks_typed), names="value")
        for w in (self.mode, self.note):
            self.observe(w)
        self.widget = classed(widgets.VBox([prompt(question), self.mode,
                                            classed(widgets.HBox([self.weeks,
                                                                  html('<span class="cc-muted">weeks</span>'),
                                                                  self.note], layout=full()), "cc-row"),
                                            self.weeks_message]),
                              "cc-question", "cc-follow-up")

    def _weeks_typed(self, change) -> None:
        weeks, problem = parse_weeks(change["new"])
        self.weeks_message.value = (f'<span class="cc-warn">{escape(problem)} Still saved: every '
                                    f"{self.every_weeks} weeks.</span>" if problem else "")
        if weeks is not None and weeks != self.every_weeks:
            self.every_weeks = weeks
            self.changed()

    def load(self, record: dict) -> None:
        fu = record.get("follow_up") or {}
        with self.loading():
            self.mode.value = fu.get("mode") if fu.get("mode") in [o[1] for o in self.mode.options] else None
            self.every_weeks = int(fu.get("every_weeks") or 2)
            self.weeks.value = str(self.every_weeks)
            self.weeks_message.value = ""
            self.note.value = fu.get("note") or ""

    def dump(self, record: dict) -> None:
        mode = self.mode.value
        record["follow_up"] = {"mode": mode, "every_weeks": self.every_weeks if mode else None,
                               "note": self.note.value}


MIN_WEEKS, MAX_WEEKS = 1, 26


def parse_weeks(text: str) -> tuple[int | None, str]:
    """Read the "every N weeks" box: ``(weeks, "")``, or ``(None, what is wrong and what is allowed)``."""
    raw = str(text or "").strip()
    if not raw:
        return None, f"Type how many weeks between follow-ups ({MIN_WEEKS} to {MAX_WEEKS})."
    if not raw.isdigit():
        return None, f"“{raw[:20]}” is not a number of weeks: type a whole number from {MIN_WEEKS} to {MAX_WEEKS}."
    weeks = int(raw)
    if not MIN_WEEKS <= weeks <= MAX_WEEKS:
        return None, (f"{weeks} weeks is outside {MIN_WEEKS} to {MAX_WEEKS} (half a year); a longer gap is "
                      "a new career conversation, not a follow-up.")
    return weeks, ""


class CadenceEditor(Editor):
    """``cadence``: 6 or 12 months between conversations; sets the next due date."""

    kind = "cadence"

    def __init__(self, question: Question, ctx: EditorContext):
        super().__init__(question, ctx)
        choices = [int(c) for c in (question.choices or schema.CADENCES)]
        self.buttons = named(classed(widgets.ToggleButtons(options=[(f"Every {c} months", c) for c in choices],
                                                           value=None, style={"button_width": "auto"}),
                                     "cc-choice", "cc-cadence"),
                             [f"Meet every {c} months" for c in choices])
        self.observe(self.buttons, self._changed)
        hint = (f'<span class="cc-muted">Their preference on the roster: every {ctx.preferred_cadence} months.</span>'
                if ctx.preferred_cadence else "")
        self.due_note = html("", "cc-next-due")
        self.widget = classed(widgets.VBox([prompt(question), self.buttons, html(hint), self.due_note]), "cc-question")

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
            value = record.get(CADENCE_MONTHS)
            self.buttons.value = value if value in [o[1] for o in self.buttons.options] else None
        self._update_note()

    def dump(self, record: dict) -> None:
        record[CADENCE_MONTHS] = self.buttons.value
        due = self.next_due()
        record["next_due"] = due.isoformat() if due else None
