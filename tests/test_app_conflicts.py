"""Two app sessions on one record: the second to save sees a conflict box and chooses; nothing is lost.

Each test runs two headless apps (two tabs, or two coaches) on the same data
folder, each with its own manual clock, and drives them through the widgets.
What the store holds is read back and compared with what each side typed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from careerconv.surfaces.app import facilitation
from careerconv.surfaces.app.autosave import SavingPaused
from careerconv.surfaces.app.conflict_panel import saved_when
from careerconv.surfaces.app.conflicts import BOTH, MINE, THEIRS
from careerconv.surfaces.app.session import ConflictOpen
from careerconv.records.erasure import erase_employee
from careerconv.records.store import Conflict, NotOnRoster
from careerconv.rules import followup

from app_harness import Harness


@pytest.fixture(autouse=True)
def _kernels_that_never_exit():
    """The apps of a test end with it: no rescue copy of a conflict left open is written at interpreter exit."""
    yield
    facilitation._LIVE_APPS.clear()


def open_same_draft(root: Path) -> tuple[Harness, Harness, str]:
    """A starts a draft for Alan (E002) and types a dream; B opens the same draft."""
    a = Harness(root)
    a.app.select_employee("E002")
    a.app.start_conversation()
    a.app.editor("dreams").list.texts[0].value = "Lead a team"
    a.advance(2)
    b = Harness(root)
    b.app.select_employee("E002")
    b.app.start_screen.resume_button.click()
    assert b.app.record["conversation_id"] == a.app.record["conversation_id"]
    return a, b, a.app.record["conversation_id"]


def both_edit(a: Harness, b: Harness) -> dict:
    """A changes an answer and saves first; B changes the same answer and a dream; B's save is refused."""
    a.app.editor("want_more").area.value = "From A: more design"
    a.advance(2)
    acknowledged = a.stored()
    assert acknowledged["revision"] == 3 and a.app.status_html.value.startswith("Saved")
    b.app.editor("want_more").area.value = "From B: more mentoring"
    b.app.editor("dreams").list.texts[1].value = "Write a book"
    b.advance(2)
    return acknowledged


def test_the_second_to_save_sees_who_changed_it_and_nothing_is_overwritten(small_org: Path):
    a, b, cid = open_same_draft(small_org)
    acknowledged = both_edit(a, b)
    session = b.app.session
    assert isinstance(session.problem, Conflict)
    assert b.store.load_conversation("E002", cid) == acknowledged  # A's save stands
    assert b.app.status_html.value == "Not saved: changed elsewhere"
    panel = session.panel
    assert panel.visible and "changed elsewhere" in panel.title.value
    assert acknowledged["saved_by"] == b.store.actor  # the same login on the same machine: the coach themselves
    saved_by = f"saved by you in another window or device at {saved_when(acknowledged['saved_at'])}"
    assert re.fullmatch(r"\d\d:\d\d:\d\d UTC on \d{1,2} \w{3} \d{4}", saved_when(acknowledged["saved_at"]))
    assert f"Revision 3, {saved_by}, after revision 2, the one you were editing." in panel.message.value
    assert "for each of the 2 fields that differ" in panel.help.value
    # autosave is paused: more typing is kept on screen, never written over theirs
    b.app.editor("want_more").area.value = "From B: more mentoring, and travel"
    b.advance(30)
    assert b.store.load_conversation("E002", cid) == acknowledged
    with pytest.raises(SavingPaused):
        b.app.flush()
    # leaving or completing is refused until the coach chooses
    b.app.conversation_screen.close_button.click()
    assert "this conversation was changed elsewhere and your latest changes are not saved" in b.app.errors.text
    assert b.app.screen == "conversation"
    assert b.app.complete() == ["Not completed: this conversation was changed elsewhere; see the box at the top"]
    assert b.store.load_conversation("E002", cid) == acknowledged


def test_take_theirs_shows_their_version_and_saving_goes_on(small_org: Path):
    a, b, cid = open_same_draft(small_org)
    both_edit(a, b)
    b.app.session.panel.take_button.click()
    assert b.app.editor("want_more").area.value == "From A: more design"
    assert [t.value for t in b.app.editor("dreams").list.texts] == ["Lead a team", "", ""]
    notice = b.app.session.panel.notice_html.value
    assert "You took their version (revision 3" in notice
    b.app.editor("dreams").list.texts[1].value = "Write a book"
    b.advance(2)
    stored = b.stored()
    assert stored["revision"] == 4 and stored["answers"]["want_more"] == "From A: more design"
    assert [d["text"] for d in stored["dreams"]] == ["Lead a team", "Write a book"]


def test_keep_mine_saves_a_separate_draft_and_leaves_theirs_alone(small_org: Path):
    a, b, cid = open_same_draft(small_org)
    acknowledged = both_edit(a, b)
    b.app.session.panel.keep_button.click()
    copy_id = b.app.record["conversation_id"]
    assert copy_id != cid and copy_id == "E002-20261001-2"
    copy = b.store.load_conversation("E002", copy_id)
    assert copy["answers"]["want_more"] == "From B: more mentoring" and copy["status"] == "draft"
    assert [d["text"] for d in copy["dreams"]] == ["Lead a team", "Write a book"]
    assert copy["revision"] == 1
    assert b.store.load_conversation("E002", cid) == acknowledged
    notice = b.app.session.panel.notice_html.value
    assert "saved as a separate draft, E002-20261001-2" in notice and f"({cid}, revision 3" in notice
    # A goes on with its own version undisturbed
    a.app.editor("want_more").area.value = "From A: more design and travel"
    a.advance(2)
    assert a.stored()["revision"] == 4 and a.app.session.problem is None


def test_merge_field_by_field_saves_on_top_of_theirs_and_can_be_refused_again(small_org: Path):
    a, b, cid = open_same_draft(small_org)
    both_edit(a, b)
    panel = b.app.session.panel
    panel.merge_button.click()
    assert panel.state == "merge" and list(panel.rows) == ["answers.want_more", "dreams"]
    want = panel.rows["answers.want_more"]
    assert want.diff.label.startswith("Goals: ") and want.diff.both_changed
    assert "From B: more mentoring" in want.mine_html.value and "From A: more design" in want.theirs_html.value
    assert want.choice.value == MINE and panel.rows["dreams"].choice.value == MINE
    want.choice.value = THEIRS
    assert "cc-merge-picked" in want.theirs_html._dom_classes
    # A saves again while B is choosing (another dream): B's merge is refused and shown again
    a.app.editor("dreams").list.texts[2].value = "Run a marathon"
    a.advance(2)
    assert a.stored()["revision"] == 4
    panel.save_merge_button.click()
    assert b.store.load_conversation("E002", cid)["revision"] == 4
    assert panel.state == "merge" and "saved again while you were merging" in panel.merge_intro.value
    assert "Revision 4" in panel.message.value
    assert panel.rows["answers.want_more"].choice.value == THEIRS  # the choice is kept
    # Changed again by them since the first choice: asked afresh. Each side added its own dream, so the
    # suggestion keeps both (choosing mine lost A's "Run a marathon" before).
    dreams = panel.rows["dreams"]
    assert dreams.diff.both_changed and "Run a marathon" in dreams.theirs_html.value
    assert dreams.choice.value == BOTH
    assert [label for label, _ in dreams.choice.options] == ["Keep mine", "Take theirs", "Keep both"]
    assert "Both, kept together" in dreams.both_html.value and "cc-merge-picked" in dreams.both_html._dom_classes
    assert "3. Write a book" in dreams.both_html.value and "cc-merge-picked" not in dreams.mine_html._dom_classes
    panel.save_merge_button.click()
    merged = b.store.load_conversation("E002", cid)
    assert merged["revision"] == 5 and merged["answers"]["want_more"] == "From A: more design"
    assert [d["text"] for d in merged["dreams"]] == ["Lead a team", "Run a marathon", "Write a book"]
    assert b.app.session.problem is None and "Merged and saved as revision 5" in b.app.session.panel.notice_html.value
    assert "1 field from theirs, 1 field with the changes of both" in b.app.session.panel.notice_html.value
    assert [t.value for t in b.app.editor("dreams").list.texts] == ["Lead a team", "Run a marathon", "Write a book"]
    assert b.app.editor("want_more").area.value == "From A: more design"
    # A now sees B's merge on its next save: nothing of A is overwritten either
    a.app.editor("want_more").area.value = "From A, later"
    a.advance(2)
    assert isinstance(a.app.session.problem, Conflict) and a.store.load_conversation("E002", cid) == merged


def test_two_idle_tabs_only_merge_their_timings_without_asking(small_org: Path):
    a, b, cid = open_same_draft(small_org)
    before = a.stored()["revision"]
    for _ in range(32):  # both tabs save the time spent in the section every 30 s
        a.advance(1)
        b.advance(1)
    assert a.app.session.problem is None and b.app.session.problem is None
    stored = b.stored()
    assert stored["revision"] >= before + 2 and stored["sections"]["goals"]["seconds"] >= 30


def test_a_save_of_only_the_time_spent_elsewhere_is_merged_without_asking(small_org: Path):
    a, b, cid = open_same_draft(small_org)
    b.advance(2)  # B saved its time in the section (resuming moves the timer)
    assert b.stored()["revision"] == 3
    a.app.editor("want_more").area.value = "A types on"
    a.advance(2)
    assert a.app.session.problem is None and not a.app.session.widget.children  # no box at all
    stored = a.stored()
    assert stored["revision"] == 4 and stored["answers"]["want_more"] == "A types on"


def test_a_conversation_completed_elsewhere_offers_their_version_or_a_copy(small_org: Path):
    from test_app import fill_whole_conversation
    a, b, cid = open_same_draft(small_org)
    fill_whole_conversation(a)
    assert a.app.complete() == []
    b.app.editor("want_more").area.value = "B was still typing"
    b.advance(2)
    panel = b.app.session.panel
    assert "completed elsewhere" in panel.title.value and panel.merge_button.layout.display == "none"
    panel.take_button.click()
    assert b.app.locked and b.app.record["status"] == "completed"
    assert "You took their version" in b.app.conversation_screen.locked_html.value


def test_a_draft_discarded_elsewhere_can_be_kept_as_a_new_draft(small_org: Path):
    a, b, cid = open_same_draft(small_org)
    a.app.close_conversation()
    a.app.start_screen.discard_button.click()
    a.app.start_screen.discard_confirm.click()
    b.app.editor("want_more").area.value = "Still needed"
    b.advance(2)
    panel = b.app.session.panel
    assert "deleted elsewhere" in panel.title.value and "Still needed" in panel.copy_html.value
    assert b.store.conversations("E002") == []  # nothing recreated behind the coach's back
    panel.keep_button.click()
    (kept,) = b.store.conversations("E002")
    assert kept["answers"]["want_more"] == "Still needed" and b.app.record["conversation_id"] == kept["conversation_id"]


def test_an_unresolved_conflict_is_kept_as_a_copy_when_the_kernel_exits(small_org: Path):
    a, b, cid = open_same_draft(small_org)
    acknowledged = both_edit(a, b)
    b.app.shutdown()
    drafts = {c["conversation_id"]: c for c in b.store.conversations("E002")}
    assert drafts[cid] == acknowledged
    (copy,) = [c for k, c in drafts.items() if k != cid]
    assert copy["answers"]["want_more"] == "From B: more mentoring"


# --------------------------------------------------------------------------- check-ins


def open_same_checkin(root: Path) -> tuple[Harness, Harness]:
    a = Harness(root)
    a.app.select_employee("E001")
    a.app.open_checkin()
    b = Harness(root)
    b.app.select_employee("E001")
    assert b.app.start_screen.checkin_button.description == "Resume check-in"
    b.app.start_screen.checkin_button.click()
    assert b.app.checkin_view.session.record_id == a.app.checkin_view.session.record_id
    return a, b


def checkins_both_edit(a: Harness, b: Harness) -> dict:
    a.app.checkin_view.note.value = "A: good week"
    a.advance(2)
    b.app.checkin_view.items[0].status.value = "done"
    b.app.checkin_view.items[0].note.value = "B: demo given"
    b.advance(2)
    session = b.app.checkin_view.session
    assert isinstance(session.problem, Conflict) and session.panel.visible
    assert b.app.status_html.value == "Not saved: changed elsewhere"
    stored = a.store.load_checkin("E001", session.record_id)
    assert stored["note"] == "A: good week" and stored["updates"][0]["status"] == "in_progress"
    return stored


@pytest.mark.parametrize("choice", ["theirs", "copy", "merge"])
def test_a_checkin_draft_conflict_is_resolved_by_each_choice(small_org: Path, choice: str):
    a, b = open_same_checkin(small_org)
    acknowledged = checkins_both_edit(a, b)
    rid = acknowledged["checkin_id"]
    panel = b.app.checkin_view.session.panel
    if choice == "theirs":
        panel.take_button.click()
        view = b.app.checkin_view
        assert view.note.value == "A: good week" and view.items[0].status.value == "in_progress"
    elif choice == "copy":
        panel.keep_button.click()
        view = b.app.checkin_view
        assert view.session.record_id != rid and view.items[0].note.value == "B: demo given"
        assert a.store.load_checkin("E001", rid) == acknowledged
        assert "separate draft" in view.session.panel.notice_html.value
    else:
        panel.merge_button.click()
        assert list(panel.rows) == ["note", "updates.E001-20260302/a2"]
        assert panel.rows["note"].choice.value == THEIRS and panel.rows["updates.E001-20260302/a2"].choice.value == MINE
        assert panel.rows["updates.E001-20260302/a2"].diff.label == "Action item “Give a team demo”"
        panel.save_merge_button.click()
        view = b.app.checkin_view
        merged = a.store.load_checkin("E001", rid)
        assert merged["revision"] == acknowledged["revision"] + 1 and merged["note"] == "A: good week"
        assert merged["updates"][0]["status"] == "done" and merged["updates"][0]["note"] == "B: demo given"
        assert view.note.value == "A: good week" and view.items[0].status.value == "done"
    view.save_button.click()
    completed = b.store.checkins("E001")[-1]
    assert completed["checkin_id"] == view.session.record_id and completed["status"] == "completed"
    assert b.store.load_checkin("E001", view.session.record_id)["revision"] >= 2


def test_a_checkin_draft_resumes_after_a_reload_and_completes(small_org: Path):
    first = Harness(small_org)
    first.app.select_employee("E001")
    assert first.app.start_screen.checkin_button.description == "Check-in"
    view = first.app.open_checkin()
    (draft,) = first.store.checkins("E001", drafts=True)
    assert draft["checkin_id"] == "E001-ci-20261001" and draft["status"] == "draft"
    view.items[0].status.value = "done"
    view.items[0].note.value = "demo on Friday"
    view.ratings[0].self_rating.value = 6
    view.note.value = "Typed before the tab closed"
    first.advance(2)  # the debounce elapses; then the tab is closed
    assert first.store.checkins("E001")[-1]["checkin_id"] == "E001-ci-20260415"  # not a completed check-in yet

    second = Harness(small_org)  # a new kernel
    second.app.select_employee("E001")
    assert second.app.start_screen.checkin_button.description == "Resume check-in"
    second.app.start_screen.coach_choice.value = "C01"
    row = second.app.show_team().row("E001")
    # the day is written with no-break spaces, so that it never splits over two lines
    assert row.checkin_label == "Resume check-in" and "check-in of 1 Oct 2026" in " ".join(row.due_html.split())
    second.app.team.click("E001", "checkin")
    view2 = second.app.checkin_view
    assert view2.session.record_id == "E001-ci-20261001"
    assert view2.items[0].status.value == "done" and view2.items[0].note.value == "demo on Friday"
    assert view2.ratings[0].self_rating.value == 6 and view2.note.value == "Typed before the tab closed"
    view2.save_button.click()
    assert second.store.checkins("E001", drafts=True) == []
    done = second.store.checkins("E001")[-1]
    assert done["checkin_id"] == "E001-ci-20261001" and done["note"] == "Typed before the tab closed"
    assert done["updates"][0]["status"] == "done"
    view2.back_button.click()
    assert second.app.start_screen.checkin_button.description == "Check-in"


def test_leaving_a_checkin_nobody_typed_into_leaves_no_draft(small_org: Path):
    h = Harness(small_org)
    h.app.select_employee("E001")
    view = h.app.open_checkin()
    assert len(h.store.checkins("E001", drafts=True)) == 1
    view.back_button.click()
    assert h.store.checkins("E001", drafts=True) == [] and h.app.screen == "start"


def test_a_dropped_item_without_a_reason_yet_still_autosaves_the_rest(small_org: Path):
    h = Harness(small_org)
    h.app.select_employee("E001")
    view = h.app.open_checkin()
    view.items[0].status.value = "dropped"
    view.items[0].note.value = "team demos cancelled"
    h.advance(2)
    (draft,) = h.store.checkins("E001", drafts=True)
    assert draft["updates"][0]["note"] == "team demos cancelled" and h.app.errors.text == ""
    # The header says "Saved" (the note is), so the item's row says that "Dropped" is not kept yet, and as what.
    row = view.items[0]
    earlier = followup.ITEM_STATUS_LABELS[row.item.status]  # "In progress"
    assert draft["updates"][0]["status"] == row.item.status != "dropped" and h.app.status_html.value.startswith("Saved")
    assert row.unsaved.layout.display != "none" and f"Kept as “{earlier}” until you say why" in row.unsaved.value
    row.reason.value = "   "  # spaces are no reason
    assert row.unsaved.layout.display != "none"
    row.reason.value = "no demos this quarter"
    assert row.unsaved.layout.display == "none"
    h.advance(2)
    (draft,) = h.store.checkins("E001", drafts=True)
    assert draft["updates"][0]["status"] == "dropped" and draft["updates"][0]["reason"] == "no demos this quarter"
    row.status.value = "done"  # changed the mind: no reason needed, nothing said
    assert row.unsaved.layout.display == "none" and row.reason.layout.display == "none"


# --------------------------------------------------------------------------- erased while open


def test_an_open_conversation_never_recreates_an_erased_person(small_org: Path, tmp_path: Path):
    h = Harness(small_org)
    h.app.select_employee("E002")
    h.app.start_conversation()
    h.app.editor("want_more").area.value = "Typed before the erasure"
    h.advance(2)
    erase_employee(h.store, tmp_path / "reports", "E002")
    h.app.editor("want_more").area.value = "Typed after the erasure"
    h.advance(2)
    h.advance(60)  # timer saves too
    assert not (small_org / "conversations" / "E002").exists()
    assert "E002" not in set(h.store.roster()["employee_id"])
    session = h.app.session
    assert isinstance(session.problem, NotOnRoster)
    assert h.app.status_html.value == "Not saved: no longer on the roster"
    panel = session.panel
    assert "Alan Turing is no longer on the roster" in panel.title.value
    assert "Typed after the erasure" in panel.copy_html.value  # to copy before leaving
    assert h.app.editor("want_more").area.value == "Typed after the erasure"
    with pytest.raises(ConflictOpen):
        h.app.close_conversation()
    h.app.shutdown()  # the kernel exits: still nothing written
    assert not (small_org / "conversations" / "E002").exists()
    panel.leave_button.click()
    assert h.app.screen == "start" and "no longer on the roster" in h.app.start_screen.employee_html.value
    assert "E002" not in h.app.start_screen.result_buttons
    assert not (small_org / "conversations" / "E002").exists()


def test_an_open_checkin_never_recreates_an_erased_person(small_org: Path, tmp_path: Path):
    h = Harness(small_org)
    h.app.select_employee("E001")
    view = h.app.open_checkin()
    view.note.value = "Typed before the erasure"
    h.advance(2)
    erase_employee(h.store, tmp_path / "reports", "E001")
    view.note.value = "Typed after the erasure"
    h.advance(2)
    assert not (small_org / "checkins" / "E001").exists() and not (small_org / "conversations" / "E001").exists()
    assert "Ada Lovelace is no longer on the roster" in view.session.panel.title.value
    view.save_button.click()
    assert "Not saved: Ada Lovelace is no longer on the roster; see the box at the top" in view.message.value
    assert not (small_org / "checkins" / "E001").exists()
    view.session.panel.leave_button.click()
    assert h.app.screen == "start" and "Nothing was saved for Ada Lovelace" in h.app.start_screen.employee_html.value


def test_a_kernel_exiting_keeps_no_copy_of_a_draft_discarded_elsewhere_when_only_time_passed_in_it(small_org: Path):
    """A page left open on a draft (or closed without its kernel hearing of it) that the coach discards in
    another tab: its kernel, exiting, keeps no copy - nothing was typed in it since it last saved, only its
    timers ran. (It brought the discarded draft back under its own id, and made empty copies of drafts
    completed elsewhere.)"""
    a, b, cid = open_same_draft(small_org)
    a.app.close_conversation()
    a.app.start_screen.discard_button.click()
    a.app.start_screen.discard_confirm.click()
    assert a.store.conversations("E002") == []
    b.advance(120)  # the draft's timers run on in b: their snapshots are refused (deleted elsewhere)
    b.app.shutdown()
    assert b.store.conversations("E002") == []


def test_a_kernel_exiting_keeps_what_was_typed_in_it_after_the_draft_was_discarded_elsewhere(small_org: Path):
    a, b, cid = open_same_draft(small_org)
    a.app.close_conversation()
    a.app.start_screen.discard_button.click()
    a.app.start_screen.discard_confirm.click()
    b.advance(120)
    b.app.editor("want_more").area.value = "Typed after the discard"
    b.advance(2)
    b.app.shutdown()
    (kept,) = b.store.conversations("E002")
    assert kept["answers"]["want_more"] == "Typed after the discard" and kept["dreams"][0]["text"] == "Lead a team"
