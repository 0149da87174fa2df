"""The box that tells a coach their record changed elsewhere, and lets them choose what to keep.

It sits at the top of the conversation or check-in and is hidden until a save
is refused. What it shows (:class:`ConflictPanel`):

* **changed elsewhere** - who saved which revision and when; three choices:
  *Take theirs*, *Keep mine as a separate copy*, *Merge field by field…*
  (the merge view lists each differing field with both versions side by side
  and a Mine / Theirs choice, with a third, Both, and the two combined, for
  dreams changed in different places; then *Save merged version*). When they completed
  it, merging is not offered (a completed conversation is locked);
* **deleted elsewhere** - keep mine as a new draft, or discard mine;
* **no longer on the roster** - nothing was or will be saved; the typed text
  stays on screen, and the panel shows it as plain text to copy;
* **moved to another coach's team** (or otherwise refused for good by the records service) - nothing more is
  saved; the panel says whose team and since which roster import, and shows what was typed since the last save
  to copy;
* **a notice** after a choice (what happened, where the other version is).

The panel only draws; :class:`careerconv.surfaces.app.session.EditSession` decides.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Callable, Mapping, Sequence

import ipywidgets as widgets

from careerconv.records.dates import human_date
from .conflicts import BOTH, MINE, THEIRS, FieldDiff
from .data_folder import COACH_OF_NOBODY
from .widgets import button, classed, html, show


SINCE_SAVED = "What you typed since the last save (select and copy it):"


def withdrawn_html(what: str) -> str:
    """The line a screen shows where ``what`` ("Their earlier conversations are") was, once the person turned out
    to be in another coach's team: their records are no longer this coach's to read."""
    return (f'<div class="cc-muted cc-withdrawn">{escape(what)} no longer shown: they are in another '
            "coach's team now.</div>")


def saved_when(saved_at: str | None) -> str:
    """``"10:42:03 UTC on 1 Oct 2026"`` for a stored ``saved_at`` ("" when unknown)."""
    if not saved_at:
        return ""
    try:
        when = dt.datetime.fromisoformat(str(saved_at))
    except ValueError:
        return str(saved_at)
    if when.tzinfo is not None:
        when = when.astimezone(dt.timezone.utc)
    return f"{when:%H:%M:%S} UTC on {human_date(when.date())}"


def who_and_when(record: dict | None, me: str = "") -> str:
    """``"revision 5, saved by alice on laptop at 10:42:03 UTC on 1 Oct 2026"``; ``"saved by you in another
    window or device"`` when the saver is ``me`` (the store's ``actor``: who this app saves as)."""
    if record is None:
        return "deleted"
    who = record.get("saved_by") or "an earlier version of careerconv"
    if me and who == me:
        who = "you in another window or device"
    when = saved_when(record.get("saved_at"))
    return f"revision {record.get('revision', 0)}, saved by {who}" + (f" at {when}" if when else "")


class FieldChoiceRow:
    """One differing field: both versions side by side and a Mine / Theirs choice (and Both, with the two
    combined below them, where both sides' changes can be kept together)."""

    def __init__(self, diff: FieldDiff, value: str | None = None):
        self.diff = diff
        both = ' <span class="cc-pill cc-pill-warn">changed on both sides</span>' if diff.both_changed else ""
        self.head = html(f'<div class="cc-merge-label">{escape(diff.label)}{both}</div>')
        self.mine_html = html(self._side("Mine", diff.mine_text), "cc-merge-side", "cc-merge-mine")
        self.theirs_html = html(self._side("Theirs", diff.theirs_text), "cc-merge-side", "cc-merge-theirs")
        self.both_html = html(self._side("Both, kept together", diff.both_text) if diff.both is not None else "",
                              "cc-merge-side", "cc-merge-both")
        for side in (self.mine_html, self.theirs_html, self.both_html):
            side.layout = widgets.Layout(flex="1 1 240px", min_width="0", width="auto")
        options = [("Keep mine", MINE), ("Take theirs", THEIRS), ("Keep both", BOTH)][:len(diff.choices)]
        self.choice = classed(widgets.ToggleButtons(options=options,
                                                    value=value if value in diff.choices else diff.suggested,
                                                    style={"button_width": "auto"}),
                              "cc-choice", "cc-merge-choice")
        self.choice.observe(lambda _c: self._mark(), names="value")
        shown = [self.mine_html, self.theirs_html] + ([self.both_html] if diff.both is not None else [])
        sides = classed(widgets.HBox(shown, layout=widgets.Layout(width="100%")), "cc-merge-sides")
        self.widget = classed(widgets.VBox([self.head, sides, self.choice], layout=widgets.Layout(width="100%")),
                              "cc-merge-row", "cc-merge-" + _css_key(diff.key))
        self._mark()

    @staticmethod
    def _side(tag: str, text: str) -> str:
        return f'<div class="cc-merge-tag">{tag}</div><div class="cc-merge-text">{escape(text)}</div>'

    def _mark(self) -> None:
        picked = {MINE: self.mine_html, THEIRS: self.theirs_html, BOTH: self.both_html}
        for choice, side in picked.items():
            (side.add_class if choice == self.choice.value else side.remove_class)("cc-merge-picked")


def _css_key(key: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in key)


class ConflictPanel:
    """The conflict box of one open record.

    Parameters
    ----------
    what
        ``"conversation"`` or ``"check-in"`` (used in sentences).
    guard
        Wraps callbacks so their errors are shown in the app's banner.
    on_take_theirs, on_keep_mine, on_merge, on_leave
        The coach's choices.
    on_save_merge
        Called with ``{field key: "mine" | "theirs" | "both"}``.
    me
        Who this app saves as (the store's ``actor``): a version saved by them is said to be "saved by you in
        another window or device".
    """

    def __init__(self, what: str, *, guard: Callable, on_take_theirs: Callable[[], None],
                 on_keep_mine: Callable[[], None], on_merge: Callable[[], None],
                 on_save_merge: Callable[[dict[str, str]], None], on_leave: Callable[[], None], me: str = ""):
        self.what, self.me = what, me
        self.rows: dict[str, FieldChoiceRow] = {}
        self.state = "hidden"
        self.title = html("", "cc-conflict-title")
        self.message = html("", "cc-conflict-message")
        self.take_button = button("Take theirs", "cc-conflict-theirs",
                                  tooltip="Show their version; what you typed since your last save is dropped")
        self.keep_button = button("Keep mine as a separate copy", "cc-conflict-copy",
                                  tooltip="Save your version as a new draft; theirs stays as it is")
        self.merge_button = button("Merge field by field…", "cc-primary", "cc-conflict-merge",
                                   tooltip="Choose, field by field, which version to keep")
        self.leave_button = button("Discard mine", "cc-danger", "cc-conflict-leave")
        self.take_button.on_click(guard(lambda _b: on_take_theirs(), "Could not take their version"))
        self.keep_button.on_click(guard(lambda _b: on_keep_mine(), "Could not keep your version"))
        self.merge_button.on_click(guard(lambda _b: on_merge(), "Could not compare the versions"))
        self.leave_button.on_click(guard(lambda _b: on_leave(), "Could not leave"))
        self.choices = classed(widgets.HBox([self.merge_button, self.keep_button, self.take_button, self.leave_button],
                                            layout=widgets.Layout(width="100%", flex_flow="row wrap")), "cc-row",
                               "cc-conflict-choices")
        self.help = html("", "cc-conflict-help")
        self.merge_intro = html("", "cc-merge-intro")
        self.merge_rows = classed(widgets.VBox(layout=widgets.Layout(width="100%")), "cc-merge-rows")
        self.save_merge_button = button("Save merged version", "cc-primary", "cc-merge-save")
        self.back_button = button("← Back to the choices", "cc-link", "cc-merge-back")
        self.save_merge_button.on_click(guard(lambda _b: on_save_merge(self.chosen()), "Could not save the merge"))
        self.back_button.on_click(guard(lambda _b: self._show_merge(False), "Could not go back"))
        self.merge_box = classed(widgets.VBox([self.merge_intro, self.merge_rows, classed(
            widgets.HBox([self.save_merge_button, self.back_button], layout=widgets.Layout(flex_flow="row wrap")),
            "cc-row")], layout=widgets.Layout(width="100%")), "cc-merge")
        self.copy_html = html("", "cc-conflict-copy-text")
        self.box = classed(widgets.VBox([self.title, self.message, self.choices, self.help, self.merge_box,
                                         self.copy_html],
                                        layout=widgets.Layout(width="100%")), "cc-conflict")
        self.notice_html = html("", "cc-conflict-notice-text")
        self.notice_html.layout = widgets.Layout(flex="1 1 auto", width="auto", min_width="0")
        self.notice_ok = button("OK", "cc-link", "cc-notice-dismiss", tooltip="Hide this message")
        self.notice_ok.on_click(lambda _b: self.hide())
        self.notice = classed(widgets.HBox([self.notice_html, self.notice_ok], layout=widgets.Layout(width="100%")),
                              "cc-row", "cc-conflict-notice")
        self.widget = classed(widgets.VBox([self.box, self.notice], layout=widgets.Layout(width="100%")),
                              "cc-conflict-panel")
        self.hide()

    # ------------------------------------------------------------------ states
    @property
    def visible(self) -> bool:
        return self.state != "hidden"

    @property
    def text(self) -> str:
        """Everything the panel says now (HTML), for tests and logs."""
        return " ".join(w.value for w in (self.title, self.message, self.help, self.merge_intro, self.copy_html,
                                          self.notice_html) if self.visible)

    def hide(self) -> None:
        self.state = "hidden"
        show(self.box, False)
        show(self.notice, False)

    def notify(self, text: str) -> None:
        """A notice after a choice (plain text; escaped here)."""
        self.state = "notice"
        self.notice_html.value = f'<div class="cc-ok">{escape(text)}</div>'
        show(self.box, False)
        show(self.notice, True)

    def show_changed(self, theirs: dict, base_revision: int | None, *, n_fields: int, completed: bool) -> None:
        """Their save got in first: say who and when, offer the three choices (two when they completed it)."""
        since = f", after revision {base_revision}, the one you were editing" if base_revision else ""
        title = f"Not saved: this {self.what} was changed elsewhere"
        if completed:
            title = f"Not saved: this {self.what} was completed elsewhere"
        said = who_and_when(theirs, self.me)
        self._open(title, f"{said[:1].upper()}{said[1:]}{since}. Nothing has been overwritten; "
                          "autosave is paused until you choose. What you typed stays on screen.")
        self.take_button.description = "Open their completed version" if completed else "Take theirs"
        self.keep_button.description = "Keep mine as a separate copy"
        show(self.take_button, True)
        show(self.keep_button, True)
        show(self.merge_button, not completed)
        show(self.leave_button, False)
        self.merge_button.description = "Merge field by field…"
        which = "the field that differs" if n_fields == 1 else f"each of the {n_fields} fields that differ"
        lines = [] if completed else [f"<b>Merge field by field</b>: choose, for {which}, which version to keep; "
                                      "saved on top of theirs."]
        lines += ["<b>Keep mine as a separate copy</b>: your version becomes a new draft; theirs stays as it is.",
                  f"<b>{'Open their completed version' if completed else 'Take theirs'}</b>: show their version; "
                  "what you typed since your last save is dropped."]
        self.help.value = '<ul class="cc-conflict-help-list">' + "".join(f"<li>{x}</li>" for x in lines) + "</ul>"
        self.copy_html.value = ""
        self._show_merge(False)

    def show_deleted(self, mine_text: str) -> None:
        """The record is gone (discarded in another tab, or removed): keep mine as a new draft, or discard it."""
        self._keep_or_discard(f"Not saved: this {self.what} was deleted elsewhere",
                              "Another tab, another coach or the command line discarded it. Nothing was saved; what "
                              "you typed stays on screen. Keep your version as a new draft, or discard it.", mine_text)

    def show_damaged(self, why: str, mine_text: str) -> None:
        """The record's file cannot be read any more (cut short or garbled by a sync tool, a full disk): it is
        never overwritten; keep mine as a new draft, or discard it."""
        self._keep_or_discard(f"Not saved: this {self.what}'s file is damaged",
                              f"Its file can no longer be read ({why}): something other than careerconv wrote it, "
                              "such as a sync tool or a full disk. It was not overwritten, so someone can look at it "
                              "or restore it from a backup. What you typed stays on screen: keep your version as a "
                              "new draft, or discard it.", mine_text)

    def _keep_or_discard(self, title: str, message: str, mine_text: str) -> None:
        self._open(title, message)
        self.keep_button.description = "Keep mine as a new draft"
        self.leave_button.description = "Discard mine"
        for b, visible in ((self.take_button, False), (self.merge_button, False), (self.keep_button, True),
                           (self.leave_button, True)):
            show(b, visible)
        self.help.value = ""
        self._show_copy(mine_text)
        self._show_merge(False)

    def show_not_on_roster(self, person: str, mine_text: str) -> None:
        """The person was erased or removed from the roster: nothing is saved for them, ever."""
        self._open(f"Not saved: {person} is no longer on the roster",
                   f"{person} was erased or removed from the roster while this {self.what} was open, so nothing "
                   "was saved and nothing will be: their records are not recreated. What you typed is still on "
                   "screen and below; copy what you need before you leave.")
        self._leave_only(mine_text, "What you typed (select and copy it):", "(nothing typed)")

    def show_moved_away(self, person: str, coach_name: str, moved_on: str, typed: str,
                        coach_of_nobody: bool = False) -> None:
        """The person is in another coach's team now (a roster import moved them): nothing more is saved here.

        ``coach_name`` is the new coach ("" when the service did not say), ``moved_on`` the day of the roster
        that moved them (``YYYY-MM-DD`` or ""), ``typed`` what was typed since the last save (plain text);
        ``coach_of_nobody``: the import gave this coach's whole team away (:data:`COACH_OF_NOBODY` says so)."""
        team = f"{coach_name}'s team" if coach_name else "another coach's team"
        try:
            since = f" (roster import of {human_date(dt.date.fromisoformat(moved_on))})" if moved_on else ""
        except ValueError:
            since = f" (roster import of {moved_on})"
        self._open(f"Not saved: {person} is now in {team}{since}",
                   (f"{COACH_OF_NOBODY} " if coach_of_nobody else "")
                   + "Nothing more is saved here, and their earlier conversations are no longer shown to you. "
                   f"What was saved up to the last save is kept, and {coach_name or 'their new coach'} can see it. "
                   "What you typed since then is below: copy it and pass it on to "
                   f"{coach_name or 'their new coach'} if it matters, then leave.")
        self._leave_only(typed)

    def show_refused(self, why: str, typed: str) -> None:
        """The records service refuses this save for good (a 403 or 404: not this coach's to change, or gone):
        it is not tried again."""
        self._open(f"Not saved: this {self.what} can no longer be saved by you",
                   f"The records service refused it ({why}), and would refuse it again, so nothing more is tried. "
                   "What you typed since the last save is below: copy what you need, then leave.")
        self._leave_only(typed)

    def show_typed(self, typed: str) -> None:
        """Show ``typed`` (what was typed since the last save) as the text to copy, after more typing."""
        self._show_copy(typed, SINCE_SAVED, "(nothing typed since the last save)")

    def _leave_only(self, text: str, intro: str = SINCE_SAVED, empty: str = "(nothing typed since the last save)"
                    ) -> None:
        """Only "Leave without saving", with ``text`` to copy."""
        self.leave_button.description = "Leave without saving"
        for b, visible in ((self.take_button, False), (self.merge_button, False), (self.keep_button, False),
                           (self.leave_button, True)):
            show(b, visible)
        self.help.value = ""
        self._show_copy(text, intro, empty)
        self._show_merge(False)

    def show_merge(self, diffs: Sequence[FieldDiff], defaults: Mapping[str, str] | None = None,
                   again: bool = False) -> None:
        """The merge view: one row per differing field, preset to ``defaults`` (earlier choices) or the suggestion.

        A field they changed again since the earlier choice gets the suggestion.
        """
        defaults = defaults or {}
        old = self.rows
        self.rows = {d.key: FieldChoiceRow(d, None if again and d.theirs_changed else defaults.get(d.key))
                     for d in diffs}
        self.merge_rows.children = tuple(r.widget for r in self.rows.values())
        for row in old.values():
            row.widget.close()
        first = ("They saved again while you were merging; your choices are kept where they still apply. "
                 if again else "")
        self.merge_intro.value = (f'<div class="cc-muted">{escape(first)}Each field below differs. The '
                                  "suggestion keeps the side that changed it since your last save (mine when both "
                                  "did, or both where their changes can be kept together).</div>" if diffs else
                                  '<div class="cc-muted">Only the time spent in the sections differs; saving keeps '
                                  "the longer times.</div>")
        self._show_merge(True)

    def chosen(self) -> dict[str, str]:
        """``{field key: "mine" | "theirs" | "both"}`` as chosen in the merge view."""
        return {key: row.choice.value for key, row in self.rows.items()}

    # ------------------------------------------------------------------ internals
    def _open(self, title: str, message: str) -> None:
        self.state = "conflict"
        self.title.value = f"<div>⚠ {escape(title)}</div>"
        self.message.value = f"<div>{escape(message)}</div>"
        show(self.notice, False)
        show(self.box, True)

    def _show_merge(self, merging: bool) -> None:
        show(self.merge_box, merging)
        show(self.choices, not merging)
        show(self.help, not merging and bool(self.help.value))
        if merging:
            self.state = "merge"
        elif self.state == "merge":
            self.state = "conflict"

    def _show_copy(self, text: str, intro: str = "What you typed (select and copy it):",
                   empty: str = "(nothing typed)") -> None:
        self.copy_html.value = (f'<div class="cc-muted">{escape(intro)}</div>'
                                f'<pre class="cc-copy-text">{escape(text) or escape(empty)}</pre>')
