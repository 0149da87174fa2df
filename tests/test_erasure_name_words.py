"""Erasing someone whose name is also ordinary words ("Will May", "Rose") takes their name out of other people's
records only where it is written as a name, and lists the rest for a person to look at.

Found by a hostile tester: erasing Will May turned another person's note "in spring will May or June" into "in
spring [removed] or June". Each word the roster writes with a capital must start with a capital (or the whole name be
in capitals) for the text to name them; the same letters in other capitals may be words, and are left as written and
listed on the receipt as "possible mention, left as written: <record>, <field>".

A coach's hurried "talked to will may about it" is left too, and listed: the text "will may" cannot be told from the
words "will may" ("in spring will may or june"); cutting it out loses words of another person's record for good,
where leaving it costs the person erasing a look and an edit by hand, after which an erasure run again finds nothing.
"""

from __future__ import annotations

import json
import shutil
import unicodedata
from pathlib import Path

from careerconv.cli import main
from careerconv.records.erased_names import found_again
from careerconv.records.erasure import REMOVED, Mentions, erase_employee
from careerconv.records.store import Store
from orgs import conversation, roster


def _org(tmp_path: Path, name: str, dreams: tuple[str, str, str], note: str = "") -> Store:
    """E001 (``name``), and E002 (Pat Lee), whose conversation of 1 Mar 2026 has ``dreams`` and, in its follow-up,
    ``note``; both coached by C01."""
    store = Store(tmp_path / "data")
    store.save_roster(roster([("C01", "Cleo Coach", "", "Eng", "Lead", 12), ("E001", name, "C01", "Eng", "Dev", 6),
                              ("E002", "Pat Lee", "C01", "Eng", "Dev", 6)]))
    whole = dict(skills=[("Python", 5, (6, 7, 8))], items=[("a1", "Pair weekly", None)])
    store.save_conversation(conversation("E001", "2026-02-01", **whole))
    record = conversation("E002", "2026-03-01", **whole)
    record["dreams"] = [{"rank": i + 1, "text": text} for i, text in enumerate(dreams)]
    record["follow_up"]["note"] = note
    store.save_conversation(record)
    return store


def _pats(store: Store) -> tuple[list[str], str]:
    record = store.load_conversation("E002", "E002-20260301")
    return [d["text"] for d in record["dreams"]], record["follow_up"]["note"]


def test_words_spelled_like_the_name_in_another_persons_record_are_kept_and_listed(tmp_path: Path, capsys):
    store = _org(tmp_path, "Will May", ("in spring will May or June", "Work on Will May's pricing team",
                                        "Present with WILL MAY at the offsite"),
                 note="talked to will may about it")
    (store.root / "notes.txt").write_text("Will May joins in April.\nWill may ask for a day off.\n")

    exit_code = main(["--data", str(store.root), "erase", "--employee", "E001", "--yes"])
    out, err = capsys.readouterr()

    assert _pats(store) == (["in spring will May or June", f"Work on {REMOVED}'s pricing team",
                             f"Present with {REMOVED} at the offsite"], "talked to will may about it")
    assert (store.root / "notes.txt").read_text() == f"{REMOVED} joins in April.\nWill may ask for a day off.\n"
    assert exit_code == 1  # a person must look at what was listed
    lines = [" ".join(line.split()) for line in out.splitlines()]
    pats = "data/conversations/E002/E002-20260301.json"
    assert f"possible mention, left as written: {pats}, dreams[0].text" in lines
    assert f"possible mention, left as written: {pats}, follow_up.note" in lines
    assert "possible mention, left as written: data/notes.txt, in its text (read as text)" in lines
    assert "still mention E001" in err
    assert not (store.root / "conversations" / "E001").exists()


def test_the_name_as_a_name_goes_in_capitals_accents_and_unicode_forms_alike(tmp_path: Path):
    nfd = unicodedata.normalize("NFD", "Élodie Ray")
    store = _org(tmp_path, "Élodie Ray", (f"Mentor {nfd} next year", "ÉLODIE RAY's review", "ask élodie ray"),
                 note="élodie ray agrees")
    receipt = erase_employee(store, tmp_path / "reports", "E001")
    assert _pats(store) == ([f"Mentor {REMOVED} next year", f"{REMOVED}'s review", "ask élodie ray"],
                            "élodie ray agrees")
    assert [(line.path.name, line.detail) for line in receipt.leftovers if line.action.startswith("possible")] \
        == [("E002-20260301.json", "dreams[2].text"), ("E002-20260301.json", "follow_up.note")]
    # An operator of the hub, who may read no one's records, is told how many files of others to look at, not which.
    for_operator = str(receipt.without_others())
    assert "1 file(s) still mention the employee, or may" in for_operator
    assert "1 file(s) of other people: someone who may read their records must look at them" in for_operator
    assert "E002" not in for_operator


def test_a_one_word_name_is_not_found_inside_longer_words_and_in_lower_case_is_listed(tmp_path: Path):
    store = _org(tmp_path, "Ann", ("Annual review with Ann", "ANN's talk; ANNUAL plan", "Plant an annual rose"))
    receipt = erase_employee(store, tmp_path / "reports", "E001")
    assert _pats(store) == ([f"Annual review with {REMOVED}", f"{REMOVED}'s talk; ANNUAL plan",
                             "Plant an annual rose"], "")
    assert receipt.complete, str(receipt)

    store = _org(tmp_path / "rose", "Rose", ("Ask Rose about it", "Plant a rose garden", "Rose's plan"))
    receipt = erase_employee(store, tmp_path / "rose" / "reports", "E001")
    assert _pats(store) == ([f"Ask {REMOVED} about it", "Plant a rose garden", f"{REMOVED}'s plan"], "")
    assert "possible mention, left as written: data/conversations/E002/E002-20260301.json, dreams[1].text" \
        in str(receipt)
    assert not receipt.complete


def test_an_erasure_run_again_keeps_the_rule_though_the_first_text_holding_the_name_is_words(tmp_path: Path, capsys):
    # The first erasure cannot reach the reports folder (not mounted); the second, once the roster row is gone, knows
    # the name only by the hash the first kept, and finds its letters first in Pat's note, in lower case.
    store = _org(tmp_path, "Will May", ("Lead a team", "Write a book", "Teach"), note="in spring will may or june")
    reports = tmp_path / "reports"
    (reports / "E002").mkdir(parents=True)
    (reports / "E002" / "progress-2026-04-01.html").write_text("<h1>Pat Lee</h1><p>Mentor: Will May</p>")
    away = tmp_path / "away"
    shutil.move(reports, away)  # not mounted
    data = str(store.root)
    first = main(["--data", data, "erase", "--employee", "E001", "--yes"])
    assert _pats(store)[1] == "in spring will may or june"
    assert first == 1  # the note is listed for a person to look at
    assert json.loads((store.root / "erased.json").read_text())["known_as"]  # the name's hash is kept
    shutil.move(away, reports)
    capsys.readouterr()

    assert main(["--data", data, "erase", "--employee", "E001", "--yes", "--reports", str(reports)]) == 1
    out = capsys.readouterr().out
    assert "their name (found again: an earlier erasure of theirs kept a hash of it)" in out
    assert not (reports / "E002" / "progress-2026-04-01.html").exists()
    assert _pats(store)[1] == "in spring will may or june"
    assert "possible mention, left as written: data/conversations/E002/E002-20260301.json, follow_up.note" in \
        [" ".join(line.split()) for line in out.splitlines()]


def test_a_name_with_lower_case_particles_is_a_name_however_its_particles_are_written():
    m = Mentions("E7", "Ana de la Cruz")
    assert m.replace("Ana de la Cruz’s plan; ANA DE LA CRUZ; Ana De La Cruz") == \
        (f"{REMOVED}’s plan; {REMOVED}; {REMOVED}", 3)
    assert m.replace("ana de la cruz") == ("ana de la cruz", 0) and m.possible("ana de la cruz") == 1
    # a name with no capitals on the roster ("ana silva", as an HR export typed it) is a name however it is written
    assert Mentions("E8", "ana silva").replace("Ana Silva and ana silva") == (f"{REMOVED} and {REMOVED}", 2)


def test_the_name_found_again_by_its_hash_is_searched_for_by_the_roster_s_capitals(tmp_path: Path):
    store = Store(tmp_path / "data")
    store.mark_erased("E7", name="Ana de la Cruz")  # what a first erasure keeps, before the roster row goes
    erased = store.erased_ids()
    assert "Cruz" not in (store.root / "erased.json").read_text()
    name, _ = found_again(erased, erased.known_as_of("E7"), ["talked to ANA DE LA CRUZ", "Ana de la Cruz"])
    again = Mentions("E7", name)
    assert again.replace("Ana De La Cruz and ana de la cruz") == (f"{REMOVED} and ana de la cruz", 1)
    assert again.possible("ana de la cruz") == 1
    # hashes kept by a version that did not keep the capitals: every word is taken as capitalised
    older = {k: v for k, v in erased.known_as_of("E7").items() if k != "name_capitals"}
    assert found_again(erased, older, ["talked to ana de la cruz"])[0] == "Ana De La Cruz"
