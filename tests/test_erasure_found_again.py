"""An erasure run again finds the name and email an earlier one kept hashes of, quickly and wherever a report holds
them (:mod:`careerconv.records.erased_names`).

Found by a tester: a second ``careerconv erase --employee ID --reports DIR`` on a reports folder of 2,000 employees'
reports ran at 80 % CPU for minutes in ``found_again``, which hashed every run of words of every report (and tried
an email pattern from every character of an inline SVG's path data). It now hashes only runs of words as long as the
name; these tests check that it still finds the name in every place a report can hold it.
"""

from __future__ import annotations

import random
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from careerconv.cli import main
from careerconv.records.decoded_text import decoded_text
from careerconv.records.erased_names import found_again
from careerconv.records.kept_elsewhere import record_reports_folder
from careerconv.records.store import Store
from erasure_readers import Person, files_naming

matplotlib.use("pdf")
SIOBHAN_NAME = "Siobhán O'Connor"
SIOBHAN = Person("E0008", SIOBHAN_NAME, "siobhan.oconnor@example.org")  # on the sample roster, coaches no one
WORDS = ("the", "plan", "agreed", "with", "negotiation", "skills", "target", "month", "review", "on", "track",
         "a", "mentoring", "programme", "quarterly", "<path", 'd="M', "12.5", "30.25", "L", "C", "Z", "—", "(see)")


def erase(data: Path, *more: str) -> int:
    return main(["--data", str(data), "erase", "--employee", "E0008", "--yes", *more])


def pdf_saying(path: Path, text: str) -> Path:
    """A PDF whose page shows ``text`` (its content stream compressed: the bytes never hold it)."""
    figure = Figure()
    figure.text(0.1, 0.5, text)
    figure.savefig(path)
    return path


def reports_naming_siobhan(folder: Path) -> None:
    """Coachees' reports naming Siobhán by name and email alone, as a report can write them."""
    for eid in ("E0001", "E0002", "E0004"):
        (folder / eid).mkdir(parents=True)
    # Across a line break, with her name's letters and apostrophe as HTML escapes, beside an &amp;.
    (folder / "E0001" / "progress-2026-10-01.html").write_text(
        "<p>Your coach:\n  Siobh&aacute;n\n  O&#x27;Connor &amp; the team</p>", encoding="utf-8")
    # In a PDF, whose text only a PDF reader gives.
    pdf_saying(folder / "E0002" / "progress-2026-10-01.pdf", "Your coach: (Siobhán O'Connor).")
    # Her email in a link, in a report that does not name her.
    (folder / "E0004" / "progress-2026-10-01.html").write_text(
        '<a href="mailto:Siobhan.OConnor@example.org">write to your coach</a>', encoding="utf-8")


def test_an_erasure_run_again_finds_the_name_in_reports_across_lines_in_html_escapes_and_in_a_pdf(sample_data,
                                                                                                    tmp_path, capsys):
    hub = tmp_path / "hub-reports"
    hub.mkdir()
    record_reports_folder(Store(sample_data), hub)
    reports_naming_siobhan(hub)
    moved = tmp_path / "hub-reports-moved"
    hub.rename(moved)  # not there for the first erasure: it keeps hashes of her name and email

    assert erase(sample_data) == 1
    capsys.readouterr()
    assert files_naming(SIOBHAN, moved) != []  # what the erasure run again must find

    assert erase(sample_data, "--reports", str(moved)) == 1  # the list still names the folder where it was
    receipt = capsys.readouterr().out
    assert "their name (found again: an earlier erasure of theirs kept a hash of it)" in receipt
    assert "their email (found again" in receipt
    assert files_naming(SIOBHAN, moved) == []


def test_the_name_is_found_again_in_each_kind_of_report_alone_with_hashes_of_any_version(tmp_path):
    store = Store(tmp_path / "data")
    store.mark_erased("E0008", name=SIOBHAN_NAME, email="siobhan.oconnor@example.org")
    erased = store.erased_ids()
    kept = erased.known_as_of("E0008")
    older = {key: value for key, value in kept.items() if key != "name_length"}  # kept before it was
    reports = tmp_path / "reports"
    reports_naming_siobhan(reports)
    texts = {path.parent.name: decoded_text(path).text for path in reports.rglob("*.*")}
    for hashes in (kept, older):
        assert found_again(erased, hashes, [texts["E0001"]]) == (SIOBHAN_NAME, None)
        assert found_again(erased, hashes, [texts["E0002"]]) == (SIOBHAN_NAME, None)
        assert found_again(erased, hashes, [texts["E0004"]]) == (None, "Siobhan.OConnor@example.org")
        # written in lower case: given back with a capital on each word, as the roster writes them
        assert found_again(erased, hashes, ["nothing of hers here", "siobhán o'connor, in a note"]) == \
            ("Siobhán O'connor", None)



class CountingHashes:
    """An erased list that counts the hashes it is asked to make."""

    def __init__(self, erased):
        self.erased, self.made = erased, 0

    def text_hash(self, kind: str, text: str) -> str:
        self.made += 1
        return self.erased.text_hash(kind, text)


def test_finding_a_name_again_in_a_long_report_hashes_only_runs_of_words_as_long_as_the_name(tmp_path):
    store = Store(tmp_path / "data")
    store.mark_erased("E0008", name=SIOBHAN_NAME)
    counting = CountingHashes(store.erased_ids())
    kept = counting.erased.known_as_of("E0008")
    rng = random.Random(5)
    report = " ".join(rng.choice(WORDS) for _ in range(20_000))
    assert found_again(counting, kept, [report, f"{report}\nYour coach: {SIOBHAN_NAME}"]) == (SIOBHAN_NAME, None)
    # The two texts hold some 40,000 runs of two words: hashing every run (and each again without the punctuation
    # around it) made more hashes than that; a run as long as the name is a few in a hundred.
    assert counting.made < 5_000
