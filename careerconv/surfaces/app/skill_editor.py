"""The skills editor: a card per skill with everything the question set asks about it.

``skills`` picks the skills (from the organisation's existing names, or typed
new); the per-skill kinds (``skill_rating``, ``skill_ten``, ``skill_options``,
``skill_approach``, ``skill_targets``) are asked inside each skill's
:class:`SkillCard`, in the order the question set lists them, and stored in
that skill's entry of ``record["skills"]``.
"""

from __future__ import annotations

import warnings
from html import escape
from typing import Callable

import ipywidgets as widgets

from careerconv.records import schema
from careerconv.rules.progress import horizon_date
from careerconv.records.questions import SKILL_KINDS, Question
from careerconv.records.dates import human_date
from careerconv.records.schema import COACH_RATING, SELF_RATING, SKILL
from .built_on_demand import builds
from .editors import Editor, EditorContext, prompt
from .page_bridge import sends_box, sent_on_enter
from .plan_editors import DreamsEditor
from .undo import UndoNotice
from .widgets import (NO_RATING, RATING_CHOICES, button, classed, expander, flex, full, html, named, rating_in,
                      rating_out, set_disabled, show, sr_only)


class OptionRow:
    """One option to raise a skill by one: text, pros, cons, and whether it is the chosen one."""

    def __init__(self, card: "SkillCard", number: int):
        self.card = card
        editor = card.editor
        # one-line text areas that grow with what is typed (CSS field-sizing), so nothing is cut off
        self.text = classed(widgets.Textarea(rows=1, layout=flex("40%", 2), continuous_update=True),
                            "cc-option-text", "cc-grow")
        self.pros = classed(widgets.Textarea(placeholder="Pros", rows=1, layout=flex("22%"), continuous_update=True),
                            "cc-option-pros", "cc-grow")
        self.cons = classed(widgets.Textarea(placeholder="Cons / trade-offs", rows=1, layout=flex("22%"),
                                             continuous_update=True), "cc-option-cons", "cc-grow")
        self.choose = classed(widgets.ToggleButton(value=False, description="Choose",
                                                   layout=widgets.Layout(width="112px", flex="0 0 112px")), "cc-choose")
        self.remove = button("✕", "cc-icon", "cc-remove-option", width="32px")
        self.numbered(number)
        for w in (self.text, self.pros, self.cons):
            editor.observe(w, card.options_changed)
        editor.observe(self.choose, lambda change: card.chosen(self, change["new"]))
        editor.on_click(self.remove, lambda: card.remove_option(self))
        self.widget = classed(widgets.HBox([self.text, self.pros, self.cons, self.choose, self.remove], layout=full()),
                              "cc-row", "cc-option-row")

    def numbered(self, number: int) -> None:
        """Name the row's controls as option ``number`` of its skill (rows are numbered again when one goes)."""
        what = f"{self.card.name}, option {number}"
        self.text.placeholder = f"Option {number}: what would it take?"
        named(self.text, f"{what}: what would it take?")
        named(self.pros, f"{what}: pros")
        named(self.cons, f"{what}: cons / trade-offs")
        named(self.choose, f"Choose {what} as the best way to approach it")
        self.remove.tooltip = f"Remove {what}"

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
    """Everything asked about one skill, in the question set's order.

    A card of a skill already in the record is built **folded**: its name, its last rating and a line that
    sums up what was said (a few widgets); its editors (about 45 widgets) are built when the coach opens it
    (**Edit**), or when code asks for one of them (``card.ten``). A skill the coach adds is built open.

    Parameters
    ----------
    editor
        The skills editor it belongs to.
    skill
        The skill's entry of ``record["skills"]``.
    folded
        Build it folded.
    """

    def __init__(self, editor: "SkillsEditor", skill: dict, *, folded: bool = False):
        self.editor = editor
        ctx = editor.ctx
        self.data = {**schema.new_skill(skill.get(SKILL) or ""), **skill}
        self.name = self.data[SKILL]
        self.built = False
        self._parts: list[widgets.Widget] = []  # the editors, once built
        self._dream_position: int | None = (editor.dreams.position_of_rank(self.data.get("dream_rank"))
                                            if editor.dreams else None)

        self.title = html(f"{escape(self.name)}", "cc-skill-name")
        self.remove_button = named(button("Remove skill", "cc-link", "cc-remove-skill"),
                                   f"Remove skill {self.name}")
        self.expanded = False
        self.open_button = expander(named(button("Edit ▾", "cc-link", "cc-skill-open"), f"Edit {self.name}"), False)
        self.open_button.on_click(ctx.guard(lambda _b: self.toggle()))
        self.confirm_remove: widgets.HBox | None = None  # "Remove this skill?", made when first asked
        editor.on_click(self.remove_button, self.ask_remove)
        head = classed(widgets.HBox([self.title,
                                     classed(widgets.HBox([self.open_button, self.remove_button]), "cc-row")],
                                    layout=widgets.Layout(justify_content="space-between")), "cc-row", "cc-skill-head")
        self._head: list[widgets.Widget] = [head]
        before = ctx.last_rating(self.name)
        if before:  # a skill of an earlier plan: where it stood, so the new rating is given knowingly
            self._head.append(html(f'<div class="cc-note">{escape(before)}</div>', "cc-last-rating"))
        self.summary = html(skill_summary_html(self.data, [q.kind for q in editor.skill_question_order]),
                            "cc-skill-summary")
        self.widget = classed(widgets.VBox([*self._head, self.summary]), "cc-card", "cc-skill-card", "cc-skill-folded")
        if not folded:
            self.open()

    def ask_remove(self) -> None:
        """Ask "Remove this skill and its plan?" under the card's head."""
        if self.confirm_remove is None:
            editor = self.editor
            self.confirm_remove = widgets.HBox([html('<span class="cc-muted">Remove this skill and its plan?</span>'),
                                                button("Yes, remove", "cc-danger", "cc-confirm-remove"),
                                                button("Keep it", "cc-keep-skill")])
            editor.on_click(self.confirm_remove.children[1], lambda: editor.remove_skill(self))
            editor.on_click(self.confirm_remove.children[2], lambda: show(self.confirm_remove, False))
            self._head.insert(1, self.confirm_remove)
            self.widget.children = (self._head[0], self.confirm_remove, *self.widget.children[1:])
        show(self.confirm_remove, True)

    def open(self) -> None:
        """Show the card's editors (built the first time) in place of the summary line."""
        self._built()
        self._show_expanded(True)

    @builds("options", "targets", SELF_RATING, COACH_RATING, "ten", "min_options", "options_box",
            "add_option_button", "options_note", "options_undo", "chosen_note", "approach", "target_boxes",
            "target_checks", "dream")
    def _built(self) -> None:
        """Build the card's editors once; reading one of them (``card.ten``) on a card never opened opens it."""
        if self.built:
            return
        self._build()
        self._show_expanded(True)

    def fold(self) -> None:
        """Show the summary line (of what the editors hold now) in place of the editors; they are kept."""
        self.summary.value = skill_summary_html(self.value(), [q.kind for q in self.editor.skill_question_order])
        self._show_expanded(False)

    def toggle(self) -> None:
        """Open a folded card, fold an open one (the **Edit** button)."""
        if self.expanded:
            self.fold()
        else:
            self.open()

    def _show_expanded(self, expanded: bool) -> None:
        """Show the editors or the summary; the Edit button stays where it is (the keyboard stays on it) and says
        which is shown (▾ / ▴, and ``aria-expanded``)."""
        self.expanded = expanded
        self.widget.children = (*self._head, *(self._parts if expanded else [self.summary]))
        if expanded:
            self.widget.remove_class("cc-skill-folded")
        else:
            self.widget.add_class("cc-skill-folded")
        self.open_button.description = "Edit ▴" if expanded else "Edit ▾"
        expander(self.open_button, expanded)

    def _build(self) -> None:
        self.built = True
        editor, ctx = self.editor, self.editor.ctx
        self.options: list[OptionRow] = []
        self.targets: dict[int, int | None] = {h: None for h in schema.HORIZONS}
        parts: list[widgets.Widget] = []
        questions = editor.skill_questions
        for kind in [q.kind for q in editor.skill_question_order]:
            q = questions[kind]
            if kind == "skill_rating":
                self.self_rating = named(classed(widgets.ToggleButtons(options=RATING_CHOICES[1:], value=None,
                                                                       style={"button_width": "38px"}),
                                                 "cc-rating", "cc-self-rating"),
                                         [f"{self.name}: their rating {label} of {schema.RATING_MAX}"
                                          for label, _ in RATING_CHOICES[1:]])
                self.coach_rating = classed(widgets.Dropdown(options=RATING_CHOICES, value=NO_RATING,
                                                             description="Coach's view" + sr_only(
                                                                 f" of {escape(self.name)}, 1 to {schema.RATING_MAX},")
                                                             + " (optional)",
                                                             description_allow_html=True,
                                                             style={"description_width": "initial"},
                                                             layout=widgets.Layout(width="260px")), "cc-coach-rating")
                editor.observe(self.self_rating, self.rating_changed)
                editor.observe(self.coach_rating)
                parts.extend([prompt(q), classed(widgets.HBox([html('<span class="cc-muted">Their rating</span>'),
                                                               self.self_rating]), "cc-row", "cc-rating-row"),
                              self.coach_rating])
            elif kind == "skill_ten":
                self.ten = named(classed(widgets.Textarea(placeholder="What would a 10 look like, concretely?", rows=2,
                                                          layout=full(), continuous_update=True), "cc-ten"),
                                 f"{self.name}: what would a 10 look like?")
                editor.observe(self.ten)
                parts.extend([prompt(q), self.ten])
            elif kind == "skill_options":
                self.min_options = q.min_items or schema.MIN_OPTIONS
                self.options_box = widgets.VBox()
                self.add_option_button = button("+ Add an option", "cc-add-option")
                editor.on_click(self.add_option_button, self.add_option)
                self.options_note = html("", "cc-options-count")
                self.options_undo = UndoNotice(editor)
                parts.extend([prompt(q), self.options_box, self.options_undo.widget,
                              classed(widgets.HBox([self.add_option_button, self.options_note]), "cc-row")])
            elif kind == "skill_approach":
                self.chosen_note = html("", "cc-chosen-note")
                self.approach = named(classed(widgets.Textarea(placeholder="How will they go about it? First steps, "
                                                               "support, time…", rows=2, layout=full(),
                                                               continuous_update=True), "cc-approach"),
                                      f"{self.name}: the best way to approach it")
                editor.observe(self.approach)
                parts.extend([prompt(q), self.chosen_note, self.approach])
            elif kind == "skill_targets":
                self.target_boxes: dict[int, widgets.Dropdown] = {}
                self.target_checks: dict[int, widgets.HTML] = {}
                cells = []
                for h in schema.HORIZONS:
                    when = human_date(horizon_date(ctx.conversation_date, h).date())
                    label = f"{h} months" + sr_only(f" target for {escape(self.name)}")
                    dd = classed(widgets.Dropdown(options=RATING_CHOICES, value=NO_RATING, description=label,
                                                  description_allow_html=True,
                                                  layout=widgets.Layout(width="150px")), f"cc-target-{h}", "cc-target")
                    editor.observe(dd, lambda change, h=h: self.target_changed(h, change))
                    self.target_boxes[h] = dd
                    self.target_checks[h] = html("", "cc-target-check", f"cc-target-check-{h}")
                    cells.append(classed(widgets.VBox([dd, html(f'<span class="cc-muted">by {escape(when)}</span>'),
                                                       self.target_checks[h]], layout=widgets.Layout(width="170px")),
                                         "cc-target-cell"))
                parts.extend([prompt(q), classed(widgets.HBox(cells, layout=widgets.Layout(flex_flow="row wrap")),
                                                 "cc-row", "cc-targets")])
        self.dream = classed(widgets.Dropdown(options=[("—", 0)], value=0, description_allow_html=True,
                                              description="Which dream it serves" + sr_only(f" ({escape(self.name)})"),
                                              style={"description_width": "initial"},
                                              layout=widgets.Layout(width="480px")),
                             "cc-serves-dream")
        editor.observe(self.dream, self.dream_picked)
        parts.append(self.dream)
        self.load(self.data)
        if editor.locked:
            for part in parts:
                set_disabled(part, True)
            self.set_locked(True)
        self._parts = parts

    def set_locked(self, locked: bool) -> None:
        """Hide the controls that change the card's shape (remove, add an option) while read-only."""
        show(self.remove_button, not locked)
        self.open_button.disabled = False  # a read-only card can still be opened: it changes nothing
        if not self.built:
            return
        if hasattr(self, "add_option_button"):
            show(self.add_option_button, not locked)
        for row in self.options:
            show(row.remove, not locked)

    # -------------------------------------------------------------- load / dump
    def load(self, skill: dict) -> None:
        """Show ``skill`` in the card's editors (built)."""
        editor = self.editor
        with editor.loading():
            if hasattr(self, "self_rating"):
                self.self_rating.value = skill.get(SELF_RATING)
                self.coach_rating.value = rating_in(skill.get(COACH_RATING))
            if hasattr(self, "ten"):
                self.ten.value = skill.get("ten_looks_like") or ""
            if hasattr(self, "options_box"):
                options = list(skill.get("options") or [])
                self.options_undo.reshaped()
                self.options = []
                for i in range(max(self.min_options, len(options))):
                    self._append_option()
                for row, option in zip(self.options, options):
                    row.set(option)
                self._show_options()
            if hasattr(self, "approach"):
                self.approach.value = skill.get("approach") or ""
            if hasattr(self, "target_boxes"):
                for h in schema.HORIZONS:
                    value = (skill.get("targets") or {}).get(str(h))
                    self.targets[h] = value
                    self.target_boxes[h].value = rating_in(value)
        self.refresh_dreams()
        self._update_notes()

    def value(self) -> dict:
        """This skill as stored in ``record["skills"]``."""
        s = dict(self.data)
        if not self.built:  # folded: nothing was edited but the dream it serves may have moved
            if self.editor.dreams is not None:
                s["dream_rank"] = self.editor.dreams.rank_of_position(self._dream_position)
            return s
        if hasattr(self, "self_rating"):
            s[SELF_RATING] = self.self_rating.value
            s[COACH_RATING] = rating_out(self.coach_rating.value)
        if hasattr(self, "ten"):
            s["ten_looks_like"] = self.ten.value
        if hasattr(self, "options_box"):
            s["options"] = [row.value() for row in self.options if not row.empty()]
        if hasattr(self, "approach"):
            s["approach"] = self.approach.value
        if hasattr(self, "target_boxes"):
            s["targets"] = {str(h): self.targets[h] for h in schema.HORIZONS}
        dreams = self.editor.dreams
        if dreams is not None:
            s["dream_rank"] = dreams.rank_of_position(self._dream_position)
        return s

    # -------------------------------------------------------------- ratings and targets
    def rating_changed(self, change) -> None:
        self._update_notes()
        self.editor.changed()

    def target_changed(self, horizon: int, change) -> None:
        """Take the target the coach picked as it is; a surprising one gets a note beside its field."""
        if self.editor._loading:
            return
        self.targets[horizon] = rating_out(change["new"])
        self._update_notes()
        self.editor.changed()

    # -------------------------------------------------------------- options
    def _append_option(self) -> OptionRow:
        row = OptionRow(self, len(self.options) + 1)
        self.options.append(row)
        return row

    def _show_options(self) -> None:
        for number, row in enumerate(self.options, 1):
            row.numbered(number)
        self.options_box.children = tuple(r.widget for r in self.options)

    def add_option(self) -> None:
        """Add an empty option row."""
        self.options_undo.reshaped()
        with self.editor.loading():
            self._append_option()
        self._show_options()
        self._update_notes()

    def remove_option(self, row: OptionRow) -> None:
        """Remove an option row (never fewer than the least asked for: an empty one comes at the end instead);
        one that held anything is offered back."""
        index = self.options.index(row)
        self.options.remove(row)
        with self.editor.loading():
            empty_instead = [self._append_option() for _ in range(self.min_options - len(self.options))]
        self._show_options()
        self._update_notes()
        if row.empty():
            self.options_undo.reshaped()
        else:
            self.options_undo.offer(f"option {index + 1} of {self.name}", row.text.value,
                                    lambda: self._put_back_option(index, row, empty_instead))
        self.editor.changed()

    def _put_back_option(self, index: int, row: OptionRow, empty_instead: list[OptionRow]) -> None:
        """Undo the removal of ``row`` (text, pros, cons) at ``index``, chosen if it was and no other option has
        been chosen since; the empty rows that took its place go, unless something was typed in them."""
        for extra in empty_instead:
            if extra in self.options and extra.empty():
                self.options.remove(extra)
        self.options.insert(index, row)
        if row.choose.value and any(other.choose.value for other in self.options if other is not row):
            with self.editor.loading():
                row.set_chosen(False)
        self._show_options()
        self._update_notes()
        row.text.focus()

    def chosen(self, row: OptionRow, value: bool) -> None:
        """One option at most is the chosen approach; an empty one cannot be chosen (nothing would be stored)."""
        if self.editor._loading:
            return
        if value and row.empty():
            with self.editor.loading():
                row.set_chosen(False)
            self._update_notes(f"Option {self.options.index(row) + 1} is empty: write it first, then choose it.")
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
        if not self.built:
            return  # the position is kept; the choices are made when the card is opened
        dreams = self.editor.dreams
        choices = [("—", 0)] + (dreams.choices() if dreams else [])
        position = self._dream_position
        with self.editor.loading():
            if tuple(self.dream.options) != tuple(choices):
                self.dream.options = choices
            self.dream.value = position if position in [c[1] for c in choices] else 0

    def dreams_moved(self, mapping: dict[int, int | None]) -> Callable[[], None]:
        """Follow the dream this skill serves when dreams are moved or removed; returns what links it back to the
        dream it served before (unless a dream was picked for it since)."""
        before = self._dream_position
        if before in mapping:
            self._dream_position = mapping[before]
        after = self._dream_position

        def back() -> None:
            if self._dream_position == after:
                self._dream_position = before
        return back

    def dream_picked(self, change) -> None:
        if self.editor._loading:
            return
        self._dream_position = change["new"] or None
        self.editor.changed()

    # -------------------------------------------------------------- notes
    def _update_notes(self, refused: str = "") -> None:
        """The counts and the chosen option under the options; ``refused``: why a choice was not taken."""
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
            self.chosen_note.value = (f'<div class="cc-warn-box">{escape(refused)}</div>' if refused
                                      else f'<div class="cc-note">Chosen: {escape(chosen)}</div>'
                                      if chosen and chosen.strip()
                                      else '<div class="cc-muted">Weigh the options above, then press '
                                           "<b>Choose</b> on the best one.</div>")
        elif refused and hasattr(self, "options_box"):
            self.options_note.value = f'<span class="cc-warn">{escape(refused)}</span>'
        if hasattr(self, "target_boxes"):
            current = self.self_rating.value if hasattr(self, "self_rating") else None
            for h, text in target_checks(current, self.targets).items():
                self.target_checks[h].value = f'<span class="cc-warn">{escape(text)}</span>' if text else ""


def target_checks(current: int | None, targets: dict[int, int | None]) -> dict[int, str]:
    """What to point out beside each target (never changing a value): "" when nothing.

    A target below today's rating also stops the conversation from being completed
    (:func:`careerconv.records.schema.missing_for_completion`), so its note says what is allowed; one below an
    earlier horizon's target is only pointed out.

    Parameters
    ----------
    current
        Today's rating (None when not rated yet).
    targets
        Horizon in months -> the target picked (None when none).

    Returns
    -------
    dict
        Horizon -> a short note: below today's rating, or below an earlier horizon's target.
    """
    notes: dict[int, str] = {}
    earlier: tuple[int, int] | None = None
    for h in sorted(targets):
        value = targets[h]
        note = ""
        if schema.target_below_rating(value, current):
            note = f"below today's rating ({current}): at least {current} to complete"
        elif value is not None and earlier is not None and value < earlier[1]:
            note = f"below the {earlier[0]}-month target ({earlier[1]})"
        notes[h] = note
        if value is not None:
            earlier = (h, value)
    return notes


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
        self.skill_question_order = [q for q in skill_questions if q.kind in SKILL_KINDS]
        self.skill_questions = {q.kind: q for q in self.skill_question_order}
        self.dreams = dreams
        if dreams is not None:
            dreams.reorder_listeners.append(self._dreams_moved)
        self.cards: list[SkillCard] = []
        # On a page, Enter in the box and "+ Add skill" send its text in the page's own message, the page emptying
        # the box (page_bridge.sent_on_enter): the kernel acts on just that text and never empties the box, so
        # nothing typed meanwhile is lost or sent twice, however slow the kernel. Without a page, on_submit and the
        # button's click read the box.
        self.input = named(classed(widgets.Combobox(placeholder="Type a skill, or pick one your organisation already "
                                                    "uses", options=[], ensure_option=False, layout=flex("60%")),
                                   "cc-skill-input"), "A skill to add")
        sent_on_enter(self.input, ctx.guard(lambda text: None if self.locked else self.add_from_input(text)))
        self.add_button = sends_box(button("+ Add skill", "cc-primary", "cc-add-skill"))
        self.on_click(self.add_button, self.add_from_input)
        with warnings.catch_warnings():  # Enter in the box adds the skill (ipywidgets' only Enter event)
            warnings.simplefilter("ignore", DeprecationWarning)
            self.input.on_submit(ctx.guard(lambda _w: None if self.locked else self.add_from_input()))
        self.message = html("", "cc-skill-message")
        self.cards_box = widgets.VBox()
        self.empty_note = html('<div class="cc-muted">No skills yet. Which skills would help them reach '
                               "their dreams?</div>", "cc-skills-empty")
        self.undo = UndoNotice(self)
        self.widget = classed(widgets.VBox([prompt(question),
                                            classed(widgets.HBox([self.input, self.add_button], layout=full()),
                                                    "cc-row", "cc-skill-add"),
                                            self.message, self.empty_note, self.cards_box, self.undo.widget]),
                              "cc-question", "cc-skills")
        self.refresh_suggestions()

    def refresh_suggestions(self) -> None:
        """Offer the organisation's skills that are not in this conversation yet."""
        taken = {schema.skill_key(c.name) for c in self.cards}
        names = [n for n in self.ctx.skill_names() if schema.skill_key(n) not in taken]
        if tuple(self.input.options) != tuple(names):
            self.input.options = tuple(names)

    def add_from_input(self, sent: str | None = None) -> None:
        """Add the skill typed or picked: ``sent``, the text the page sent (it has emptied the box), or else the
        box's text (emptied here once the skill is added; kept when refused). A refusal says which text it
        refuses: the page has emptied the box, and a fast coach is already typing the next skill."""
        typed = self.input.value if sent is None else sent
        name = " ".join(typed.split())
        if not name:
            self.message.value = '<div class="cc-warn-box">Type or pick a skill first.</div>'
            return
        if len(name) > 120:
            self.message.value = f'<div class="cc-warn-box">“{escape(name)}” is long for a skill name; keep it ' \
                                 "under 120 characters and put the detail in “what a 10 looks like”.</div>"
            return
        existing = {schema.skill_key(c.name): c.name for c in self.cards}
        if schema.skill_key(name) in existing:
            same = escape(existing[schema.skill_key(name)])
            self.message.value = f'<div class="cc-warn-box">“{same}” is already in this conversation.</div>'
            return
        # Use the organisation's spelling when the coach typed a known skill differently.
        known = {schema.skill_key(n): n for n in self.ctx.skill_names()}  # suggestions: organisation + history
        name = known.get(schema.skill_key(name), name)
        if sent is None:
            with self.loading():
                self.input.value = ""
        self.message.value = ""
        try:
            self.add_skill(name)
        except BaseException:
            if sent is None:
                with self.loading():
                    self.input.value = typed
            raise

    def add_skill(self, name: str) -> SkillCard:
        """Add a card for a new skill and report the edit."""
        self.undo.reshaped()
        card = SkillCard(self, schema.new_skill(name))
        self.cards.append(card)
        self._show()
        self.changed()
        self.ctx.on_links_changed()
        return card

    def remove_skill(self, card: SkillCard) -> None:
        """Remove a skill and everything said about it (offered back: the card is kept as it is)."""
        index = self.cards.index(card)
        self.cards.remove(card)
        self._show()
        self.undo.offer("skill", card.name, lambda: self._put_back(index, card))
        self.changed()
        self.ctx.on_links_changed()

    def _put_back(self, index: int, card: SkillCard) -> None:
        """Undo the removal of ``card``, at its place, with all that was said about it."""
        self.cards.insert(index, card)
        if card.confirm_remove is not None:
            show(card.confirm_remove, False)
        self._show()
        self.ctx.on_links_changed()
        card.remove_button.focus()

    def card(self, name: str) -> SkillCard:
        """The card of a skill by name (case and spacing ignored).

        Raises
        ------
        KeyError
            If the skill is not in this conversation.
        """
        for c in self.cards:
            if schema.skill_key(c.name) == schema.skill_key(name):
                return c
        raise KeyError(f"no skill {name!r} in this conversation; skills: {', '.join(c.name for c in self.cards)}")

    def _show(self) -> None:
        self.cards_box.children = tuple(c.widget for c in self.cards)
        show(self.empty_note, not self.cards)
        self.refresh_suggestions()

    def _dreams_moved(self, mapping: dict[int, int | None]) -> Callable[[], None]:
        """Follow dreams moved or removed; returns what links each skill back to the dream it served before."""
        backs = [c.dreams_moved(mapping) for c in self.cards]

        def back() -> None:
            for put_back in backs:
                put_back()
        return back

    def refresh_links(self) -> None:
        for c in self.cards:
            c.refresh_dreams()
        self.refresh_suggestions()

    def load(self, record: dict) -> None:
        self.undo.reshaped()
        with self.loading():
            self.cards = [SkillCard(self, s, folded=True) for s in record.get("skills") or []]
        self._show()

    def dump(self, record: dict) -> None:
        record["skills"] = [c.value() for c in self.cards]

    def set_locked(self, locked: bool) -> None:
        super().set_locked(locked)
        for c in self.cards:
            c.set_locked(locked)


def skill_summary_html(skill: dict, kinds: list[str]) -> str:
    """One line that sums up what was said about a skill (for its folded card), for the kinds asked.

    Parameters
    ----------
    skill
        The skill's entry of ``record["skills"]``.
    kinds
        The per-skill kinds the question set asks, in its order.
    """
    parts: list[str] = []
    if "skill_rating" in kinds:
        rating = skill.get(SELF_RATING)
        coach = skill.get(COACH_RATING)
        text = f"rated {rating}" if rating is not None else "not rated yet"
        parts.append(text + (f" (coach: {coach})" if coach is not None else ""))
    if "skill_targets" in kinds:
        targets = skill.get("targets") or {}
        set_ = [f"{targets.get(str(h))} in {h} months" for h in schema.HORIZONS if targets.get(str(h)) is not None]
        parts.append("target " + ", ".join(set_) if set_ else "no targets yet")
    if "skill_options" in kinds:
        options = [o for o in skill.get("options") or [] if (o.get("text") or "").strip()]
        chosen = next((o["text"] for o in options if o.get("chosen")), None)
        parts.append(f"{len(options)} option{'' if len(options) == 1 else 's'}"
                     + (f", chosen: {chosen.strip()}" if chosen else ""))
    if "skill_ten" in kinds and (skill.get("ten_looks_like") or "").strip():
        parts.append(f"a 10: {skill['ten_looks_like'].strip()}")
    line = " · ".join(parts)
    line = line[:1].upper() + line[1:]
    return f'<div class="cc-muted cc-skill-summary-text">{escape(line)}</div>'
