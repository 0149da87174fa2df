"""The pure field-by-field comparison and merge of two versions of a record (careerconv.surfaces.app.conflicts)."""

from __future__ import annotations

import datetime as dt

import pytest

from careerconv.records import schema
from careerconv.records.tables import record_rows
from careerconv.surfaces.app.conflicts import (
    BOTH, MINE, NOTHING, THEIRS, as_new_copy, differences, merge, merge_sections, record_text, value_text,
)


def conversation(**changes) -> dict:
    """A stored draft (revision 3) that two coaches both started from."""
    rec = schema.new_conversation("E1", "C1", dt.date(2026, 10, 1), "career-conversation", "1", "E1-20261001")
    rec.update(revision=3, saved_at="2026-10-01T10:00:00.000+00:00", saved_by="ada on laptop",
               answers={"want_more": "More design"}, dreams=[{"rank": 1, "text": "Lead"}, {"rank": 2, "text": "Write"}],
               skills=[{**schema.new_skill("Public speaking"), "self_rating": 4},
                       {**schema.new_skill("Negotiation"), "self_rating": 3}],
               action_items=[{"item_id": "a1", "text": "Book a course", "due": None, "owner": "", "skill": ""}],
               follow_up={"mode": "one-on-one", "every_weeks": 2, "note": ""}, cadence_months=6,
               next_due="2027-04-01",
               sections={"goals": {"seconds": 100, "question_bank": "standard", "alternative_questions": []}})
    rec.update(changes)
    return schema.validate_conversation(rec)


def dreams(*texts: str) -> list[dict]:
    return [{"rank": rank, "text": text} for rank, text in enumerate(texts, start=1)]


def skill(name: str, rating: int | None, **more) -> dict:
    return {**schema.new_skill(name), "self_rating": rating, **more}


def checkin(**changes) -> dict:
    rec = {"checkin_id": "E1-ci-20261001", "employee_id": "E1", "coach_id": "C1", "date": "2026-10-01",
           "conversation_id": "E1-20260301", "status": "draft", "note": "", "revision": 2,
           "updates": [{"conversation_id": "E1-20260301", "item_id": "a1", "status": "open", "note": "", "reason": ""},
                       {"conversation_id": "E1-20260301", "item_id": "a2", "status": "open", "note": "", "reason": ""}],
           "ratings": []}
    rec.update(changes)
    return schema.validate_checkin(rec)


def test_the_same_content_has_no_differences_whatever_the_stamp_or_shape():
    base = conversation()
    snapshot = {k: v for k, v in base.items() if k not in schema.SAVE_STAMP}  # an editor snapshot: no stamp
    snapshot["answers"] = {**snapshot["answers"], "empty_one": ""}  # an answer left empty = not answered
    assert differences(snapshot, conversation(revision=9, saved_by="grace on desk"), base) == []


def test_each_field_is_listed_once_with_both_values_and_who_changed_it():
    base = conversation()
    mine = conversation(answers={"want_more": "More design, less meetings"},
                        skills=[skill("Public speaking", 6), skill("Negotiation", 3)])
    theirs = conversation(answers={"want_more": "More travel"}, dreams=[{"rank": 1, "text": "Lead"}],
                          cadence_months=12, next_due="2027-10-01")
    diffs = {d.key: d for d in differences(mine, theirs, base, labels={"answers.want_more": "Goals: more of?"})}
    assert list(diffs) == ["answers.want_more", "dreams", "skills.public speaking", "cadence"]
    want = diffs["answers.want_more"]
    assert (want.label, want.mine, want.theirs) == ("Goals: more of?", "More design, less meetings", "More travel")
    assert want.both_changed and want.suggested == MINE
    assert (diffs["dreams"].mine_changed, diffs["dreams"].theirs_changed) == (False, True)
    assert diffs["dreams"].suggested == THEIRS and diffs["cadence"].suggested == THEIRS
    assert diffs["skills.public speaking"].suggested == MINE
    assert diffs["skills.public speaking"].label == "Skill “Public speaking”"
    assert diffs["dreams"].mine_text == "1. Lead\n2. Write" and diffs["dreams"].theirs_text == "1. Lead"
    assert diffs["cadence"].theirs_text == "Every 12 months, next due 2027-10-01"


def test_without_a_base_every_difference_suggests_mine():
    diffs = differences(conversation(answers={"want_more": "A"}), conversation(answers={"want_more": "B"}))
    assert [(d.key, d.suggested, d.both_changed) for d in diffs] == [("answers.want_more", MINE, True)]


def test_merge_takes_theirs_and_the_fields_chosen_from_mine():
    base = conversation()
    mine = conversation(answers={"want_more": "Mine", "stay_same": "Keep the team"},
                        skills=[skill("Public speaking", 6), skill("Negotiation", 3), skill("Writing", 5)])
    theirs = conversation(revision=4, answers={"want_more": "Theirs"}, cadence_months=12, next_due="2027-10-01",
                          skills=[skill("Public speaking", 4), skill("Negotiation", 7)])
    merged = merge(mine, theirs, {"answers.want_more": THEIRS, "skills.public speaking": MINE}, base)
    assert merged["revision"] == 4 and merged["conversation_id"] == "E1-20261001"  # on top of their revision
    assert merged["answers"] == {"want_more": "Theirs", "stay_same": "Keep the team"}  # mine only: suggested mine
    assert [(s["skill"], s["self_rating"]) for s in merged["skills"]] == [
        ("Public speaking", 6), ("Negotiation", 7), ("Writing", 5)]  # their 7: only they changed it
    assert (merged["cadence_months"], merged["next_due"]) == (12, "2027-10-01")
    schema.validate_conversation(merged)


def test_a_field_removed_on_one_side_can_be_kept_or_removed():
    base = conversation()
    mine = conversation(skills=[skill("Negotiation", 3)])  # I removed Public speaking
    theirs = conversation(skills=[skill("Public speaking", 5), skill("Negotiation", 3)])  # they changed it
    diff = differences(mine, theirs, base)[0]
    assert diff.key == "skills.public speaking" and diff.mine is None and diff.mine_text == NOTHING
    assert [s["skill"] for s in merge(mine, theirs, {diff.key: MINE}, base)["skills"]] == ["Negotiation"]
    kept = merge(mine, theirs, {diff.key: THEIRS}, base)["skills"]
    assert [(s["skill"], s["self_rating"]) for s in kept] == [("Public speaking", 5), ("Negotiation", 3)]


def test_a_skill_only_mine_has_goes_where_it_stands_in_mine():
    mine = conversation(skills=[skill("Public speaking", 4), skill("Writing", 2), skill("Negotiation", 3)])
    merged = merge(mine, conversation(), {}, conversation())
    assert [s["skill"] for s in merged["skills"]] == ["Public speaking", "Writing", "Negotiation"]


def test_sections_keep_the_longer_time_and_every_question_asked():
    mine = {"goals": {"seconds": 300, "question_bank": "standard", "alternative_questions": ["alt_a"]},
            "action_plan": {"seconds": 10}}
    theirs = {"goals": {"seconds": 120, "question_bank": "standard", "alternative_questions": ["alt_b"]},
              "next_steps": {"seconds": 60}}
    assert merge_sections(mine, theirs) == {
        "goals": {"seconds": 300, "question_bank": "standard", "alternative_questions": ["alt_b", "alt_a"]},
        "next_steps": {"seconds": 60}, "action_plan": {"seconds": 10}}


def test_only_timings_differ_means_no_field_to_decide():
    mine = conversation(sections={"goals": {"seconds": 500}})
    assert differences(mine, conversation(), conversation()) == []
    assert merge(mine, conversation(revision=4), {}, conversation())["sections"]["goals"]["seconds"] == 500


def test_checkin_fields_are_the_note_each_item_and_each_rating():
    base = checkin()
    mine = checkin(updates=[{"conversation_id": "E1-20260301", "item_id": "a1", "status": "done", "note": "shipped"},
                            {"conversation_id": "E1-20260301", "item_id": "a2", "status": "open"}],
                   ratings=[{"skill": "Writing", "self_rating": 6}])
    theirs = checkin(revision=3, note="Good week",
                     updates=[{"conversation_id": "E1-20260301", "item_id": "a1", "status": "open"},
                              {"conversation_id": "E1-20260301", "item_id": "a2", "status": "dropped",
                               "reason": "no budget"}])
    diffs = {d.key: d for d in differences(mine, theirs, base, labels={"updates.E1-20260301/a1": "Action item “Ship”"})}
    assert list(diffs) == ["note", "updates.E1-20260301/a1", "updates.E1-20260301/a2", "ratings.writing"]
    assert [diffs[k].suggested for k in diffs] == [THEIRS, MINE, THEIRS, MINE]
    assert diffs["updates.E1-20260301/a1"].label == "Action item “Ship”"
    assert diffs["updates.E1-20260301/a1"].mine_text == "Done — shipped"
    assert diffs["updates.E1-20260301/a2"].theirs_text == "Dropped (no budget)"
    assert diffs["ratings.writing"].mine_text == "their rating 6 · coach's view –"
    merged = merge(mine, theirs, {}, base)
    assert merged["note"] == "Good week" and merged["revision"] == 3
    assert [(u["item_id"], u["status"]) for u in merged["updates"]] == [("a1", "done"), ("a2", "dropped")]
    assert merged["ratings"] == [{"skill": "Writing", "self_rating": 6, "coach_rating": None}]
    schema.validate_checkin(merged)


def test_bad_choices_and_mixed_kinds_are_refused():
    with pytest.raises(ValueError, match="'mine', 'theirs' or 'both'"):
        merge(conversation(), conversation(), {"dreams": "neither"})
    # both sides reworded the same dream: it cannot keep both, and nothing is merged
    mine, theirs = conversation(dreams=dreams("Lead a team", "Write")), conversation(dreams=dreams("Lead people",
                                                                                                   "Write"))
    assert differences(mine, theirs, conversation())[0].choices == (MINE, THEIRS)
    with pytest.raises(ValueError, match="Dreams cannot keep both versions"):
        merge(mine, theirs, {"dreams": BOTH}, conversation())
    with pytest.raises(ValueError, match="cannot compare a conversation with a check-in"):
        differences(conversation(), checkin())


def test_what_a_record_is_one_rule_for_the_store_the_tables_and_the_app():
    # A check-in says so, or carries a check-in id (an older file without "kind"); anything else is a conversation.
    older_checkin = {key: value for key, value in checkin().items() if key != "kind"}
    assert [schema.record_kind(r) for r in (checkin(), older_checkin, conversation(), {})] == \
        ["checkin", "checkin", "conversation", "conversation"]
    assert [schema.KIND_WORDS[kind] for kind in ("checkin", "conversation")] == ["check-in", "conversation"]
    # The derived tables read an older completed check-in as a check-in, as the app and the store do.
    done = {key: value for key, value in checkin(status="completed").items() if key != "kind"}
    rows = record_rows(done)
    assert [row["checkin_id"] for row in rows["checkins"]] == ["E1-ci-20261001"] and "conversations" not in rows


def test_a_copy_is_a_new_draft_without_id_or_stamp():
    copy = as_new_copy(conversation(status="draft"))
    assert "conversation_id" not in copy and not set(schema.SAVE_STAMP) & set(copy)
    assert copy["status"] == "draft" and copy["answers"] == {"want_more": "More design"}


def test_record_text_holds_everything_typed_for_copying():
    text = record_text(conversation(skills=[skill("Public speaking", 4, ten_looks_like="Keynotes",
                                                  options=[{"text": "Toastmasters", "chosen": True}])]),
                       labels={"answers.want_more": "Goals: more of?"})
    for part in ("Goals: more of?:\nMore design", "Dreams:\n1. Lead\n2. Write", "Public speaking: rated 4",
                 "A 10 looks like: Keynotes", "• Toastmasters ✓ chosen", "• Book a course",
                 "Follow up in one-on-ones, every 2 weeks"):
        assert part in text
    assert value_text("answers.x", ["a", "b"]) == "• a\n• b" and value_text("note", "") == NOTHING


def test_two_coaches_changing_different_dreams_keep_both_changes():
    """Tab A rewords dream 3 and adds a fourth, tab B rewords dream 1 (found in a browser: "keep mine" put A's
    dream 3 back to the old text); the suggestion keeps both, and each skill still serves its own dream."""
    base = conversation(dreams=dreams("Lead", "Write", "Travel"),
                        skills=[skill("Public speaking", 4, dream_rank=3), skill("Negotiation", 3, dream_rank=1)])
    theirs = conversation(dreams=dreams("Lead", "Write", "Travel to Japan", "Teach"),
                          skills=[skill("Public speaking", 4, dream_rank=4), skill("Negotiation", 3, dream_rank=1)])
    mine = conversation(dreams=dreams("Lead a team", "Write", "Travel"),
                        skills=[skill("Public speaking", 4, dream_rank=3), skill("Negotiation", 5, dream_rank=1)])
    diff = {d.key: d for d in differences(mine, theirs, base)}["dreams"]
    assert diff.both_changed and diff.suggested == BOTH and diff.choices == (MINE, THEIRS, BOTH)
    assert diff.both_text == "1. Lead a team\n2. Write\n3. Travel to Japan\n4. Teach"
    merged = schema.validate_conversation(merge(mine, theirs, {}, base))
    assert [d["text"] for d in merged["dreams"]] == ["Lead a team", "Write", "Travel to Japan", "Teach"]
    ranks = {s["skill"]: (s["self_rating"], s["dream_rank"]) for s in merged["skills"]}
    assert ranks == {"Public speaking": (4, 4), "Negotiation": (5, 1)}
    # keeping mine alone still means mine, and their skill follows its dream to where it is in mine (gone: none)
    kept = schema.validate_conversation(merge(mine, theirs, {"dreams": MINE}, base))
    assert [d["text"] for d in kept["dreams"]] == ["Lead a team", "Write", "Travel"]
    assert {s["skill"]: s["dream_rank"] for s in kept["skills"]} == {"Public speaking": None, "Negotiation": 1}


def test_dreams_both_sides_added_are_all_kept_theirs_first():
    base = conversation(dreams=dreams("Lead"))
    mine, theirs = conversation(dreams=dreams("Lead", "Write a book")), conversation(dreams=dreams("Lead", "Run"))
    merged = merge(mine, theirs, {}, base)
    assert [d["text"] for d in merged["dreams"]] == ["Lead", "Run", "Write a book"]
    # the same dream added on both sides is kept once; more than five dreams cannot be kept together
    same = differences(conversation(dreams=dreams("Lead", "Run")), theirs, base)
    assert same == []
    full = conversation(dreams=dreams("Lead", "A", "B", "C"))
    crowded = differences(conversation(dreams=dreams("Lead", "A", "B", "C", "D")),
                          conversation(dreams=dreams("Lead", "A", "B", "C", "E")), full)
    assert crowded[0].both is None and crowded[0].suggested == MINE
    # without the version both started from nothing can be told apart: mine or theirs
    assert differences(mine, theirs)[0].choices == (MINE, THEIRS)


def item(item_id: str, text: str, **more) -> dict:
    return {"item_id": item_id, "text": text, "due": None, "owner": "", "skill": "", **more}


def test_action_items_both_sides_added_are_both_kept_under_their_own_ids():
    """Two tabs each add an action item (both numbered a2): "keep mine" lost theirs; both are kept now, theirs
    as a2 (it is stored already) and mine as a3, and an item changed on one side keeps that change."""
    base = conversation(action_items=[item("a1", "Book a course")])
    theirs = conversation(action_items=[item("a1", "Book a course", owner="Ada"), item("a2", "Find a mentor")])
    mine = conversation(action_items=[item("a1", "Book a course"), item("a2", "Shadow a lead")])
    diff = {d.key: d for d in differences(mine, theirs, base)}["action_items"]
    assert diff.suggested == BOTH
    merged = schema.validate_conversation(merge(mine, theirs, {}, base))
    assert [(i["item_id"], i["text"], i["owner"]) for i in merged["action_items"]] == [
        ("a1", "Book a course", "Ada"), ("a2", "Find a mentor", ""), ("a3", "Shadow a lead", "")]
    # the same item changed on both sides: the coach chooses
    both_edit = conversation(action_items=[item("a1", "Book a course", owner="Grace")])
    assert differences(both_edit, theirs, base)[0].choices == (MINE, THEIRS)
