"""The conversation screen: one conversation's sections in a stepper, their timers, Finish and the summary.

:class:`ConversationScreen` is built for one conversation (a draft, a completed one read-only, or a new one
before it is saved - the app may build it ahead of time while the coach reads the person's page). It builds
only the section on screen (:class:`~careerconv.surfaces.app.sections.LazySectionView`), the others one at a time a
moment later, and the Finish step when it is first shown; a time per section runs for the section shown; Finish
lists what is missing, completes (locks) the conversation and shows the employee's one-page summary. Its save
path is the :class:`~careerconv.surfaces.app.session.EditSession` the app gives it
(:meth:`ConversationScreen.open`); where it sits on the page and what Back to people does is the app's
(:class:`~careerconv.surfaces.app.facilitation.ConversationApp`).
"""

from __future__ import annotations

import datetime as dt
import functools
from html import escape
from pathlib import Path
from typing import Callable

import ipywidgets as widgets

from careerconv.rules import followup
from careerconv.records.dates import human_date, human_datetime
from careerconv.records.questions import SKILL_KINDS, QuestionSet
from careerconv.records.schema import CADENCE_MONTHS, COACH_ID, CONVERSATION_ID, DATE, EMPLOYEE_ID, STATUS
from careerconv.records.store import Conflict, NotOnRoster
from .autosave import Autosaver, SavingPaused, SaveStatus
from .built_on_demand import builds
from .completeness import missing_before_completing
from .conflict_panel import withdrawn_html
from .conflicts import answer_labels
from .editors import ANSWER_EDITORS, Editor, EditorContext
from .glance import last_rating_text, previous_plan_html, with_coach
from .plan_editors import ActionItemsEditor, CadenceEditor, DreamsEditor, FollowUpEditor
from .scheduling import Handle, Scheduler
from .sections import LazySectionView, SectionView
from .session import EditSession
from .skill_editor import SkillsEditor
from .summary import render_summary_html, render_summary_pdf, summary_fragment
from .timers import Clock, SectionTimers
from .widgets import button, classed, html, show

FINISH = "finish"
BUILD_NEXT_AFTER = 0.3  # seconds between building the sections not on screen, one at a time, while the coach reads
SNAPSHOT_EVERY_TICKS = 30  # while a section runs, its time is saved at least this often (seconds)


class ConversationScreen:
    """One conversation on screen (``.widget``): its sections, stepper, timers, Finish step and summary.

    Parameters
    ----------
    record
        The conversation it is built for (its date, coach and question set are shown).
    question_set, alternative_set
        The record's question set, and the set offered beside it (if any).
    employee
        The employee's roster row.
    conversations, checkins
        The employee's records (the previous plan and each skill's last rating come from them).
    coach_label
        ``coach_id -> "Name (id)"``.
    suggested_skills
        The skill names to suggest when a skill is added.
    clock, scheduler, guard
        The app's clock, scheduler and callback guard (:meth:`ConversationApp.guard`).
    showing
        True while the conversation screen is the one shown (the timers tick only then).
    on_close, on_moved
        What "← People" does; called when the step shown changed (the page address follows).
    show_status
        Shows the save status in the app's header.
    save_summary
        ``(employee_id, conversation_id, html) -> path``: keeps the summary of a completed conversation.
    open_page, download
        Open an HTML page in a new tab; offer bytes as a download ``(data, file name, mime type)``.
    page_gone_since
        The page's last beat once it is gone (closed, asleep), else None
        (:meth:`careerconv.surfaces.app.page_liveness.PageLiveness.gone_since`): the clock stops there.
    """

    def __init__(self, record: dict, *, question_set: QuestionSet, alternative_set: QuestionSet | None,
                 employee: dict, conversations: list[dict], checkins: list[dict],
                 coach_label: Callable[[str | None], str], suggested_skills: Callable[[], list[str]], clock: Clock,
                 scheduler: Scheduler, guard: Callable, showing: Callable[[], bool], on_close: Callable[[], None],
                 on_moved: Callable[[], None], show_status: Callable[[SaveStatus], None],
                 save_summary: Callable[[str, str, str], Path], open_page: Callable[[str], None],
                 download: Callable[[bytes, str, str], None],
                 page_gone_since: Callable[[], dt.datetime | None] = lambda: None):
        self.question_set, self.alternative_set = question_set, alternative_set
        self.employee, self.conversations, self.checkins = employee, conversations, checkins
        self.coach_label = coach_label
        self._suggested = suggested_skills
        self.clock, self.scheduler, self.guard = clock, scheduler, guard
        self.showing, self.on_moved, self.show_status = showing, on_moved, show_status
        self.save_summary, self.open_page, self.download = save_summary, open_page, download
        self.page_gone_since = page_gone_since
        self.record = record
        self._base: dict = dict(record)
        self.locked = record[STATUS] == "completed"
        self.session: EditSession | None = None  # the save path, while open and not locked
        self.timers: SectionTimers | None = None
        self.step: str | None = None
        self.summary_path: Path | None = None
        self._tick_handle: Handle | None = None
        self._ticks = 0
        self.retired = False  # left for another screen: nothing more is built or ticks
        self.away: str | None = None  # the page is gone: the section whose clock stopped for it ("" for none)
        self._build(record, on_close)

    # ================================================================== building
    def _on_click(self, b: widgets.Button, action: Callable[[], object], context: str) -> None:
        b.on_click(self.guard(lambda _b: action(), context))

    def _build(self, record: dict, on_close: Callable[[], None]) -> None:
        qs = self.question_set
        date = dt.date.fromisoformat(record[DATE])
        people = [p for p in (self.employee.get("name"), self.coach_label(record[COACH_ID])) if p]
        self.ctx = EditorContext(on_change=self.guard(self.on_edit, "Could not record the change"), guard=self.guard,
                                 conversation_date=date, skill_names=self._suggested,
                                 people=people + ["Both"], preferred_cadence=self.employee.get(CADENCE_MONTHS),
                                 on_links_changed=self.guard(self.refresh_links, "Could not refresh the lists"),
                                 last_rating=functools.partial(self._last_rating, record[CONVERSATION_ID]))
        # Only the section on screen is built (LazySectionView); the structured editors are made when their
        # section is built, or when an editor made earlier depends on them (skills on dreams, action items on
        # skills) - then loaded from the record, which holds what they show until their section is visited.
        dreams_q, skills_q, items_q = qs.by_kind("dreams"), qs.by_kind("skills"), qs.by_kind("action_items")
        self._structured: dict[str, Editor] = {}

        def structured(kind: str, needed_by: str | None = None) -> Editor | None:
            if kind in self._structured:
                return self._structured[kind]
            if kind == "dreams":
                editor = DreamsEditor(dreams_q, self.ctx) if dreams_q else None
            elif kind == "skills":
                editor = SkillsEditor(skills_q, self.ctx, [q for q in qs.questions() if q.kind in SKILL_KINDS],
                                      structured("dreams", kind)) if skills_q else None
            else:
                editor = ActionItemsEditor(items_q, self.ctx, structured("skills", kind)) if items_q else None
            if editor is not None:
                if needed_by is not None:  # its section is not built: it shows the record until then
                    editor.load(record)
                self._structured[kind] = editor
            return editor

        def make_editor(q):
            if q.kind in ("dreams", "skills", "action_items"):
                return structured(q.kind)  # loaded with its section
            if q.kind in SKILL_KINDS:
                return None  # asked inside each skill's card
            if q.kind == "follow_up":
                return FollowUpEditor(q, self.ctx)
            if q.kind == "cadence":
                return CadenceEditor(q, self.ctx)
            return ANSWER_EDITORS[q.kind](q, self.ctx)

        alt_sections = {s.id: s for s in self.alternative_set.sections} if self.alternative_set else {}
        self.views = {s.id: LazySectionView(s, alt_sections.get(s.id), self.ctx, make_editor) for s in qs.sections}
        for view in self.views.values():
            view.load(record)
        self._schedule_build_next()

        name = escape(self.employee.get("name") or record[EMPLOYEE_ID])
        self.conv_title = html(f'<h2 class="cc-section-title cc-h">{name} <span class="cc-pill">'
                               f"{escape(human_date(record['date']))}</span></h2>"
                               f'<div class="cc-muted">{with_coach(self.coach_label(record["coach_id"]))}'
                               f"{escape(qs.title)}</div>", "cc-conv-title")
        self.close_button = button("← People", "cc-link", "cc-close")
        self._on_click(self.close_button, on_close, "Could not leave the conversation")
        self.step_buttons: dict[str, widgets.Button] = {}
        for i, s in enumerate(qs.sections, start=1):
            b = button(f"{i}  {s.title}", "cc-step", f"cc-step-{s.id}")
            self._on_click(b, functools.partial(self.go_to, s.id), "Could not open the section")
            self.step_buttons[s.id] = b
        fin = button("✓  Finish", "cc-step", "cc-step-finish")
        self._on_click(fin, functools.partial(self.go_to, FINISH), "Could not open the section")
        self.step_buttons[FINISH] = fin
        self.total_html = html("", "cc-total")
        stepper = classed(widgets.HBox(list(self.step_buttons.values()) + [self.total_html]), "cc-stepper")
        others = [c for c in self.conversations if c[CONVERSATION_ID] != record[CONVERSATION_ID]]
        before = followup.previous_plan(others, self.checkins)
        before_html = previous_plan_html(before, self.clock().date(), self.coach_label)
        # <details>, not ipywidgets' Accordion: its header is a <div> that neither Tab nor Enter reaches
        previous_title = (f"Previous conversation ({human_date(before.date)})" if before.date
                          else "Previous conversation (none yet)")
        self.previous = previous = html(f"<details><summary>{escape(previous_title)}</summary>"
                                        f'<div class="cc-previous-body">{before_html}</div></details>',
                                        "cc-previous", "cc-glance-box")
        self.locked_html = html("", "cc-locked-banner")
        show(self.locked_html, False)

        self.back_button = button("← Back", "cc-nav-back")
        self.next_button = button("Next →", "cc-primary", "cc-nav-next")
        self._on_click(self.back_button, functools.partial(self._step_by, -1), "Could not open the section")
        self._on_click(self.next_button, functools.partial(self._step_by, +1), "Could not open the section")
        self.section_box = widgets.VBox()
        footer = classed(widgets.HBox([self.back_button, self.next_button], layout=widgets.Layout(width="100%")),
                         "cc-row", "cc-footer")
        head = classed(widgets.HBox([self.conv_title, self.close_button], layout=widgets.Layout(
            width="100%", justify_content="space-between")), "cc-row")
        self.conflict_box = widgets.VBox(layout=widgets.Layout(width="100%"))  # the session's conflict box
        self.widget = classed(widgets.VBox([head, self.conflict_box, stepper, previous, self.locked_html,
                                            self.section_box, footer]), "cc-conversation")

    # ================================================================== the Finish step, built when first shown
    # The Finish step's widgets: made when Finish is first shown (or one of them is read), not with the screen.
    @builds("finish_view", "missing_html", "complete_button", "complete_note", "summary_html",
            "open_summary_button", "download_summary_button", "download_pdf_button", "summary_actions")
    def _build_finish(self) -> None:
        if "finish_built" in self.__dict__:
            return
        self.finish_built = True
        self.missing_html = html("", "cc-missing")
        self.complete_button = button("Complete conversation", "cc-primary", "cc-complete")
        self._on_click(self.complete_button, self._complete_pressed, "Could not complete the conversation")
        self.complete_note = html("", "cc-complete-note")
        self.summary_html = html("", "cc-summary-view")
        self.open_summary_button = button("Open the summary in a new tab", "cc-primary", "cc-open-summary",
                                          tooltip="A page of its own, to print on one A4 sheet or save as PDF")
        self.download_summary_button = button("Download the summary (HTML)", "cc-download-summary",
                                              tooltip="The summary page as a file, for email or the archive")
        self.download_pdf_button = button("Download as PDF", "cc-download-summary-pdf",
                                          tooltip="The summary on one A4 page, as a PDF")
        self._on_click(self.open_summary_button, lambda: self.open_page(self.summary_page()),
                       "Could not open the summary")
        self._on_click(self.download_summary_button, self.download_summary, "Could not download the summary")
        self._on_click(self.download_pdf_button, self.download_summary_pdf, "Could not make the summary's PDF")
        self.summary_actions = classed(widgets.HBox([self.open_summary_button, self.download_summary_button,
                                                     self.download_pdf_button]),
                                       "cc-row", "cc-summary-actions")
        show(self.summary_actions, False)
        self.finish_view = classed(widgets.VBox([
            html('<h3 class="cc-section-title cc-h">Finish</h3><div class="cc-muted">Completing checks that the '
                 "conversation is whole, locks it, and writes a one-page summary for the employee.</div>"),
            self.missing_html, classed(widgets.HBox([self.complete_button, self.complete_note]), "cc-row"),
            self.summary_actions, self.summary_html]), "cc-card", "cc-finish")

    def _schedule_build_next(self) -> None:
        """Build the sections not built yet one at a time, a moment apart: the section on screen comes first
        (on the click), the others while the coach reads it, so a click never waits for more than one."""
        views = self.views

        def build_next() -> None:
            if self.retired:
                return  # another conversation or check-in was opened since
            waiting = [v for v in views.values() if not v.built]
            if waiting:
                waiting[0].view  # noqa: B018 - building is the point
                if len(waiting) > 1:
                    self.scheduler.call_later(BUILD_NEXT_AFTER, self.guard(build_next, "Could not build a section"))

        self.scheduler.call_later(BUILD_NEXT_AFTER, self.guard(build_next, "Could not build a section"))

    def _last_rating(self, conversation_id: str, skill: str) -> str:
        """What the records before this conversation say about a skill ("" for a new one)."""
        others = [c for c in self.conversations if c[CONVERSATION_ID] != conversation_id]
        before = followup.previous_plan(others, self.checkins)
        return last_rating_text(skill, before, followup.latest_ratings(others, self.checkins))

    def skills_editor(self) -> SkillsEditor | None:
        """The skills editor, if it was made (its section built, or action items need it)."""
        editor = self._structured.get("skills")
        return editor if isinstance(editor, SkillsEditor) else None

    def refresh_links(self) -> None:
        """Bring the lists that point at other answers (skills for dreams, items for skills) up to date."""
        for view in self.views.values():
            view.refresh_links()

    def first_step(self) -> str:
        """The section it opens on: the one last worked in, else the first."""
        timers = self.timers or SectionTimers({s.id: s.minutes for s in self.question_set.sections}, self.clock,
                                              self.record.get("sections"))
        return timers.last_active() or self.question_set.sections[0].id

    # ================================================================== opening
    def open(self, record: dict, session: Callable[[dict], EditSession]) -> None:
        """Make ``record`` (as stored) the one shown and edited, with the save path ``session(record)`` makes
        (not for a completed conversation: it is read-only). The screen may have been built for it before it
        was saved (it then had no id yet)."""
        self.record = record
        self._base = dict(record)
        self.locked = record[STATUS] == "completed"
        self.summary_path = None
        qs = self.question_set
        self.timers = SectionTimers({s.id: s.minutes for s in qs.sections}, self.clock, record.get("sections"))
        if not self.locked:
            self.session = session(record, on_withdrawn=self.hide_history)
            self.conflict_box.children = (self.session.widget,)
            self.show_status(SaveStatus("saved", _parse_time(record.get("updated_at") or record.get("created_at"))))
        else:
            self.show_status(SaveStatus("idle"))

    def hide_history(self) -> None:
        """Take the person's earlier conversations off the screen: they are no longer this coach's to read
        (moved to another coach's team while this conversation was open)."""
        self.previous.value = withdrawn_html("Their earlier conversations are")

    def begin(self) -> None:
        """Once on screen: go to the section last worked in (a completed conversation: to its summary), start
        the timers and put the keyboard in the first empty answer."""
        self.go_to(FINISH if self.locked else self.first_step())
        if self.locked:
            self._lock_view()
        else:
            self._schedule_tick()
            self._focus_first_answer()

    def show_section_ahead(self, step: str) -> None:
        """Put a section on the (hidden) screen, so the browser builds it before the screen is shown."""
        self._show_in_section_box(self.views[step].widget)

    def _focus_first_answer(self) -> None:
        """Put the keyboard in the first empty answer box of the section shown (else the first box)."""
        if self.step == FINISH or self.step not in self.views:
            return
        boxes = [w for w in _walk(self.views[self.step].widget)
                 if isinstance(w, (widgets.Textarea, widgets.Text)) and not w.disabled and w.layout.display != "none"]
        target = next((w for w in boxes if not str(w.value).strip()), boxes[0] if boxes else None)
        if target is not None:
            target.focus()

    # ================================================================== sections, navigation and timers
    def section(self, section_id: str) -> SectionView:
        """The view of a section (built now if it was not).

        Raises
        ------
        KeyError
            If the question set has no such section.
        """
        try:
            return self.views[section_id].view
        except KeyError:
            raise KeyError(f"no section {section_id!r}; sections are: {', '.join(self.views)}") from None

    def editor(self, kind_or_id: str) -> Editor:
        """The editor of a question, by question id or kind.

        Raises
        ------
        KeyError
            If no section has such a question.
        """
        for view in self.views.values():
            try:
                return view.editor(kind_or_id)
            except KeyError:
                continue
        raise KeyError(f"the open conversation has no question {kind_or_id!r}")

    def order(self) -> list[str]:
        """The steps: the sections, then Finish."""
        return list(self.views) + [FINISH]

    def go_to(self, step: str) -> None:
        """Show a section (or the Finish step); time runs for the section shown. A removal in the section left can
        no longer be undone.

        Raises
        ------
        KeyError
            For an unknown step.
        """
        if step not in self.order():
            raise KeyError(f"no step {step!r}; steps are: {', '.join(self.order())}")
        self.ctx.undo.withdraw()
        self.step = step
        if self.timers is not None and not self.locked:
            if step == FINISH:
                self.timers.pause()
            else:
                self.timers.enter(step)
        if step in ("action_plan", "next_steps") or step == FINISH:
            self.refresh_links()
        if step == FINISH:
            self._update_missing()
        self._show_in_section_box(self.finish_view if step == FINISH else self.views[step].widget)
        order = self.order()
        index = order.index(step)
        self.back_button.disabled = index == 0
        show(self.next_button, step != FINISH)
        self.next_button.description = "Review and finish →" if order[index + 1:] == [FINISH] else "Next →"
        self._update_stepper()
        if not self.locked:
            self.on_edit(quiet=True)
        self.on_moved()

    def _show_in_section_box(self, shown: widgets.Widget) -> None:
        """Show one step's widget: a step is put on the page when first visited and then only hidden or shown,
        so going back to it costs the browser nothing (replacing a box's children rebuilds their views)."""
        if shown not in self.section_box.children:
            self.section_box.children = (*self.section_box.children, shown)
        for child in self.section_box.children:
            show(child, child is shown)

    def _step_by(self, step: int) -> None:
        order = self.order()
        index = max(0, min(len(order) - 1, order.index(self.step) + step))
        self.go_to(order[index])
        if self.step == FINISH:  # "Review and finish →", which had the keyboard, is gone from the Finish step
            (self.open_summary_button if self.locked else self.complete_button).focus()
        elif not self.locked:  # the keyboard goes on in the section shown, not at the button below it
            self._focus_first_answer()

    def _update_stepper(self) -> None:
        if self.timers is None:
            return
        for sid, b in self.step_buttons.items():
            if sid == FINISH:
                continue
            view = self.views[sid]
            number = list(self.views).index(sid) + 1
            b.description = f"{number}  {view.section.title}\n{self.timers.label(sid)}"
            over = self.timers.is_over(sid)
            (b.add_class if over else b.remove_class)("cc-step-over")
        for sid, b in self.step_buttons.items():
            (b.add_class if sid == self.step else b.remove_class)("cc-step-active")
        self.total_html.value = self.timers.total_label() + (" — over the suggested time" if
                                                             self.timers.total_over() else "")
        (self.total_html.add_class if self.timers.total_over() else self.total_html.remove_class)("cc-total-over")

    def _schedule_tick(self) -> None:
        self._stop_ticking()
        self._tick_handle = self.scheduler.call_later(1.0, self.guard(self.tick))

    def _stop_ticking(self) -> None:
        if self._tick_handle is not None:
            self._tick_handle.cancel()
            self._tick_handle = None

    def retire(self) -> None:
        """Another screen took this one's place: stop building sections and ticking (its widgets are closed
        by the app a moment later)."""
        self.retired = True
        self._stop_ticking()

    def tick(self) -> None:
        """Refresh the timers (runs every second while the conversation is shown)."""
        self._tick_handle = None
        if self.retired or not self.showing() or self.locked or self.timers is None:
            return
        gone_since = self.page_gone_since()
        if gone_since is not None:
            self._page_gone(gone_since)
            return
        self._update_stepper()
        self._ticks += 1
        if self._ticks % SNAPSHOT_EVERY_TICKS == 0 and self.timers.current is not None:
            self.on_edit(quiet=True)
        self._schedule_tick()

    def _page_gone(self, last_beat: dt.datetime) -> None:
        """No page shows the conversation any more: its clock stops at the page's last beat, what is typed and
        not saved is saved (once), and nothing ticks - no widget update keeps the kernel from going idle."""
        self.away = self.timers.current or ""
        self.timers.pause(at=last_beat)
        self.on_edit(quiet=True)

    def page_back(self) -> None:
        """A page beats again after it was found gone (the laptop woke up): the clock goes on from now."""
        if self.away is None:
            return
        section, self.away = self.away, None
        if self.retired or self.locked or self.timers is None:
            return
        if section and self.step == section:
            self.timers.enter(section)
        self._schedule_tick()

    # ================================================================== edits and saving
    def snapshot(self) -> dict:
        """The conversation as a record, built from the widgets now."""
        rec = dict(self._base)
        rec["answers"] = dict(self._base.get("answers") or {})
        timing = self.timers.as_record() if self.timers else {}
        sections = dict(self._base.get("sections") or {})
        for sid, view in self.views.items():
            merged = {**(sections.get(sid) or {}), **timing.get(sid, {}), **view.meta()}
            if merged:
                sections[sid] = merged
        rec["sections"] = sections
        for view in self.views.values():
            view.dump(rec)
        rec["updated_at"] = self.clock().isoformat(timespec="seconds")
        return rec

    def on_edit(self, quiet: bool = False) -> None:
        """Something was edited (or, quietly, time passed): the record follows and is saved soon."""
        if self.locked or self.session is None:
            return
        self.record = self.snapshot()
        self.session.changed(self.record, quiet=quiet)
        if self.step == FINISH:
            self._update_missing()

    def flush(self) -> dict | None:
        """Save any pending change now and wait for it (returns the stored record); see the app's ``flush``."""
        if self.session is None:
            return self.record
        return self.session.flush()

    @property
    def autosaver(self) -> Autosaver | None:
        """The autosaver (None when the conversation is closed or locked)."""
        return self.session.autosaver if self.session is not None else None

    def labels(self) -> dict[str, str]:
        """Merge-view labels of the answers: "Goals: <the question>"."""
        return answer_labels((self.question_set, self.alternative_set))

    def notify_locked(self, notice: str) -> None:
        """Say something under the locked banner (a read-only conversation has no conflict box)."""
        self.locked_html.value += f'<div class="cc-note">{escape(notice)}</div>'

    def close(self, save: bool) -> None:
        """Stop the timers and close the save path, saving what is typed (or not).

        Raises
        ------
        careerconv.surfaces.app.session.ConflictOpen
            With ``save`` while a conflict is not resolved (nothing is closed).
        OSError
            With ``save`` when the disk refuses the save (full, read-only): nothing is closed, what is typed
            stays on screen and is saved again.
        """
        if save and self.session is not None and self.session.problem is not None:
            self.session.close(flush=True)  # raises: the coach must choose first
        if save and self.session is not None:
            self.session.save_before_closing()  # raises when the disk refuses, before anything is stopped
        self.ctx.undo.withdraw()
        self._stop_ticking()
        if self.session is not None:
            if save and self.timers is not None and not self.locked:
                self.timers.pause()
                self.on_edit(quiet=True)
            self.session.close(flush=save)
            self.session = None

    # ================================================================== completing
    def missing(self) -> list[str]:
        """What the method still asks for before the conversation can be completed."""
        return missing_before_completing(self.snapshot())

    def _update_missing(self) -> None:
        if self.locked:
            self.missing_html.value = ""
            self.complete_note.value = ""
            return
        missing = self.missing()
        (self.complete_button.add_class if missing else self.complete_button.remove_class)("cc-blocked")
        self.complete_button.tooltip = (f"{len(missing)} things are still open (listed above)" if missing
                                        else "Lock the conversation and write the summary")
        if not missing:
            self.complete_note.value = ""
        if missing:
            items = "".join(f"<li>{escape(m)}</li>" for m in missing)
            self.missing_html.value = (f'<div class="cc-warn-box"><b>Still open before completing ({len(missing)})'
                                       f"</b><ul>{items}</ul></div>")
        else:
            self.missing_html.value = ('<div class="cc-ok"><b>Everything the method asks for is there.</b> '
                                       "Complete to lock the conversation and write the summary.</div>")

    def complete(self) -> list[str]:
        """Check the conversation, save it as completed, lock it, write the summary.

        Returns
        -------
        list of str
            What is missing (nothing is saved as completed then); empty on success.
        """
        if self.locked or self.record is None:
            return []
        if self.step != FINISH:
            self.go_to(FINISH)
        try:
            self.flush()
        except (Conflict, NotOnRoster, SavingPaused):
            pass  # shown in the conflict box
        if self.session.problem is not None:
            return self._not_completed()
        missing = self.missing()
        if missing:
            self._update_missing()
            things = "one thing is" if len(missing) == 1 else f"{len(missing)} things are"
            more = " and more, listed above" if len(missing) > 1 else ""
            self.complete_note.value = (f'<div class="cc-warn" role="alert"><b>Not completed:</b> {things} still '
                                        f"open — {escape(missing[0])}{more}.</div>")
            return missing
        if self.timers:
            self.timers.pause()
        record = self.snapshot()
        now = self.clock()
        record[STATUS] = "completed"
        record["completed_at"] = now.isoformat(timespec="seconds")
        stored = self.session.save_now(record)
        if stored is None:
            return self._not_completed()
        self.session.close(flush=False)
        self.session = None
        self.record = stored
        self._base = dict(stored)
        self.locked = True
        refused = None
        try:
            self.summary_path = self.save_summary(stored[EMPLOYEE_ID], stored[CONVERSATION_ID],
                                                  self.summary_page(stored))
        except OSError as exc:  # the conversation is completed all the same: only the summary's file is missing
            refused = exc
        self.summary_html.value = summary_fragment(stored, **self._summary_kwargs(stored))
        self._lock_view()
        if refused is not None:
            self.locked_html.value += (f'<div class="cc-warn">The summary file was not written: '
                                       f"{escape(str(refused))}. The summary below is complete; open or download "
                                       "it from here.</div>")
        self.show_status(SaveStatus("saved", now))
        return []

    def _complete_pressed(self) -> None:
        """Complete from the button: once done the button is gone, so the keyboard goes to the summary's."""
        if not self.complete() and self.locked:
            self.open_summary_button.focus()

    def _not_completed(self) -> list[str]:
        text = f"Not completed: {self.session.problem_text}; see the box at the top"
        self.missing_html.value = f'<div class="cc-warn-box">{escape(text)}</div>'
        return [text]

    def _lock_view(self) -> None:
        for view in self.views.values():
            view.set_locked(True)
        show(self.complete_button, False)
        self.missing_html.value = ""
        when = human_datetime(self.record.get("completed_at"))
        where = f" The summary is saved at <code>{escape(str(self.summary_path))}</code>." if self.summary_path else ""
        self.locked_html.value = (f"<div>Completed {escape(when)} — this conversation is locked.{where}</div>")
        show(self.locked_html, True)
        if not self.summary_html.value:
            self.summary_html.value = summary_fragment(self.record, **self._summary_kwargs(self.record))
        show(self.summary_actions, True)
        self._stop_ticking()
        self._update_stepper()

    # ================================================================== the summary
    def _summary_kwargs(self, record: dict) -> dict:
        return dict(employee=self.employee, coach_name=self.coach_label(record[COACH_ID]),
                    question_set=self.question_set, alternative=self.alternative_set)

    def summary_page(self, record: dict | None = None) -> str:
        """The one-page summary of a completed conversation (this one by default) as a standalone page.

        Raises
        ------
        ValueError
            If the conversation is not completed (a draft has no summary yet).
        """
        record = self._completed(record)
        return render_summary_html(record, **self._summary_kwargs(record))

    def summary_pdf(self, record: dict | None = None) -> bytes:
        """The one-page summary of a completed conversation (this one by default) as an A4 PDF.

        Raises
        ------
        ValueError
            If the conversation is not completed.
        """
        record = self._completed(record)
        return render_summary_pdf(record, **self._summary_kwargs(record))

    def _completed(self, record: dict | None) -> dict:
        """``record`` (this conversation by default), which must be completed to have a summary."""
        record = record or self.record
        if record is None or record.get(STATUS) != "completed":
            raise ValueError("the summary is written when the conversation is completed; complete it first")
        return record

    def download_summary_pdf(self) -> str:
        """Offer the summary as a PDF download; returns its file name."""
        name = f"career-conversation-summary-{self.record['conversation_id']}.pdf"
        self.download(self.summary_pdf(), name, "application/pdf")
        return name

    def download_summary(self) -> str:
        """Offer the summary page as a file download; returns its file name."""
        name = f"career-conversation-summary-{self.record['conversation_id']}.html"
        self.download(self.summary_page().encode("utf-8"), name, "text/html")
        return name


def _walk(widget: widgets.Widget):
    """A widget and everything in it, depth first (in screen order)."""
    yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from _walk(child)


def _parse_time(value) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
