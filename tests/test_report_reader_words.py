"""The words of the progress report, its PDF and the day's index, read as their readers read them (found by readers
of a day's reports on the demo organisation): a leaver's report still stood "today" and named "Your coach"; an
earlier plan's target of a skill dropped long before they left read "not measured: you left"; the PDF split a
table of two rows across pages and broke "due but not measured" inside its chip; the index wrote ISO dates, times
without their zone, and called the reports of the morning's run "made today by another batch" on a plain rerun."""
from __future__ import annotations

import datetime as dt
import io
import time

import matplotlib
import pytest

matplotlib.use("Agg")

from careerconv.records.store import History  # noqa: E402
from careerconv.surfaces.report import content, index, render, runner  # noqa: E402
from careerconv.surfaces.report.index import MADE, OTHER_BATCH, UNCHANGED, IndexEntry, index_html  # noqa: E402
from careerconv.surfaces.report.paths import report_paths  # noqa: E402
from careerconv.surfaces.report.stamp import Stamp, stamp_text  # noqa: E402
from test_report_leaver_last_day import person, zaid  # noqa: E402
from test_report_truth import conversation, flat, page_text, page_text_of, pdf_pages  # noqa: E402


def pdf_lines(report_content) -> list[str]:
    """Each line of text of the report's PDF, as a reader copies it."""
    return [flat(line) for page in pdf_pages(report_content) for line in page.splitlines()]


# ---------------------------------------------------------------------------
# a leaver's report says what is true of them


@pytest.mark.parametrize("reader", ["notebook", "pdf"])
def test_a_leavers_standing_section_is_headed_by_their_last_day_not_today(reader):
    """Before: "Where you stand today" above the ratings of someone who left on 1 May 2026, read on 1 Nov 2026."""
    left = content.build_content(zaid(), "2026-11-01")
    leaving = content.build_content(zaid("2026-12-01"), "2026-11-01")  # still here on the report's day
    if reader == "notebook":  # what the notebook's cell shows, as Markdown (tests/test_notebooks.py runs it)
        said = [render.standing_heading(c)._repr_markdown_().splitlines()[0] for c in (left, leaving)]
        assert said == ["## Where you stood on your last day here", "## Where you stand today"]
    else:
        text = flat(" ".join(pdf_pages(left)))
        assert "Where you stood on your last day here Each skill's latest rating" in text
        assert "Where you stand today" not in text
        assert "Where you stand today Each skill's latest rating" in flat(" ".join(pdf_pages(leaving)))
    # the line above the chart names the day, without saying the heading again
    assert ("Your last day here was 30 Apr 2026 (you left on 1 May 2026): your latest ratings are those up to then"
            in page_text_of(render.standing(left, None)))


def test_a_leaver_had_a_coach_while_here_and_someone_leaving_still_has_one():
    """Before: "Your coach C1" on the report of someone who had left six months before."""
    assert "Report date 1 Nov 2026 Your coach while you were here C1 Last career conversation" in page_text(
        content.build_content(zaid(), "2026-11-01"))
    text = page_text(content.build_content(zaid("2026-12-01"), "2026-11-01"))
    assert "Report date 1 Nov 2026 Your coach C1 Last career conversation" in text and "while you were here" not in text


def test_an_earlier_plans_target_of_a_skill_dropped_before_they_left_is_not_said_to_be_unmeasured_for_leaving():
    """The plan of 2 Apr 2025 (Mentoring, Writing) was replaced on 2 Oct 2025 by one of Writing and Design; no
    rating followed; they left on 1 May 2026. Each earlier 12-month target (2 Apr 2026) was due while they were
    here, its window for a rating still open on their last day. Writing was still theirs to rate: leaving cut its
    window short. Mentoring had been dropped six months before they left: before, it also read "not measured:
    you left"."""
    earlier = conversation("2025-04-02", [("Mentoring", 4, (5, 6, 7)), ("Writing", 4, (5, 6, 7))])
    plan = conversation("2025-10-02", [("Writing", 4, (5, 6, 7)), ("Design", 4, (5, 6, 7))])
    text = page_text(content.build_content(History(person("2026-05-01"), [earlier, plan], []), "2026-11-01"))
    assert "Mentoring 12 months 6 — ! due but not measured" in text
    assert "Writing 12 months 6 — not measured: you left" in text
    assert ("Plan of 2 Apr 2025: 1 behind, 2 due but not measured, 2 after you left, 1 not measured: you left" in text)


def test_the_leaver_of_the_demo_reads_the_dropped_skill_as_due_and_not_measured():
    """E0007's plan of 2 Apr 2025 had Mentoring alone; the plan of 2 Oct 2025 dropped it."""
    text = page_text(content.build_content(zaid(), "2026-11-01"))
    assert "Plan of 2 Apr 2025: 1 on track, 1 due but not measured, 1 after you left" in text
    assert "not measured: you left" not in text


# ---------------------------------------------------------------------------
# the PDF keeps a short table together and a chip whole


def test_a_status_chip_is_never_broken_across_lines_in_the_pdf():
    """Before: the Status column of E0007's earlier plan read "! due but not" above "measured", and the standing
    table's "not measured:" above "you left"."""
    earlier = conversation("2025-04-02", [("Mentoring", 4, (5, 6, 7)), ("Writing", 4, (5, 6, 7))])
    plan = conversation("2025-10-02", [("Writing", 4, (5, 6, 7)), ("Design", 4, (5, 6, 7))])
    lines = pdf_lines(content.build_content(History(person("2026-05-01"), [earlier, plan], []), "2026-11-01"))
    chips = [line for line in lines if "due but not" in line or "not measured:" in line]
    assert chips, lines
    for line in chips:
        if "means" in line:  # the glossary's sentence, not a chip
            continue
        assert "due but not measured" in line or "not measured: you left" in line, line


@pytest.mark.parametrize("above", ["<h3>Plan of 2 Apr 2025</h3>", "<p>Plan of 2 Apr 2025</p>"])
@pytest.mark.parametrize("caption", ["", "<caption>Targets set on 2 Apr 2025</caption>"])
def test_a_short_table_is_never_split_across_pages_nor_kept_from_its_heading(above, caption):
    """Before: the standing table (below its chart) and a table with a caption closed a page with their header and
    first row, the second row on the next page."""
    pypdf = pytest.importorskip("pypdf")
    from careerconv.surfaces.report import pdf

    table = (f'{above}<div class="cc-report"><table class="cc-table">{caption}<thead><tr><th>Skill</th>'
             "<th>Status</th></tr></thead><tbody><tr><td>Row one</td><td>ahead</td></tr>"
             "<tr><td>Row two</td><td>behind</td></tr></tbody></table></div>")
    for lines in range(30, 46):  # the table at the foot of the first page
        fragment = "".join(f"<p>Line {i}</p>" for i in range(lines)) + table
        reader = pypdf.PdfReader(io.BytesIO(pdf.document_pdf_bytes(fragment, title="t", footer="f")))
        pages = [p.extract_text() for p in reader.pages]
        kept = ("Plan of 2 Apr 2025", "Row one", "Row two") if above.startswith("<h3>") else ("Row one", "Row two")
        where = {words: [i for i, page in enumerate(pages) if words in page] for words in kept}
        assert len({tuple(found) for found in where.values()}) == 1, (lines, where)


# ---------------------------------------------------------------------------
# the day's index: days as the report writes them, times with their zone, and who made what


@pytest.fixture
def machine_zone(monkeypatch):
    """This machine's clock set to Berlin's time (CET in December): what the index says of a time is its zone's."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_index_writes_days_as_the_report_does_and_times_with_their_zone(tmp_path, machine_zone):
    """Before: "Progress reports as of 2026-10-01", "made 2026-12-06 05:45", "made today by another batch, at
    05:40"."""
    utc = dt.timezone.utc
    entries = [IndexEntry("E1", "Ann", "Sales", MADE, html_path=tmp_path / "E1" / "progress-2026-10-01.html"),
               IndexEntry("E2", "Bob", "R&D", OTHER_BATCH, html_path=tmp_path / "E2" / "progress-2026-10-01.html",
                          made_at=dt.datetime(2026, 12, 6, 4, 40, tzinfo=utc)),
               IndexEntry("E3", "Cy", "Ops", index.EARLIER_TODAY,
                          html_path=tmp_path / "E3" / "progress-2026-10-01.html",
                          made_at=dt.datetime(2026, 12, 6, 3, 10, tzinfo=utc))]
    page = page_text_of(index_html(entries, as_of=dt.date(2026, 10, 1), folder=tmp_path,
                                   generated=dt.datetime(2026, 12, 6, 4, 45, tzinfo=utc)))
    assert page.startswith("Progress reports as of 1 Oct 2026 Progress reports as of 1 Oct 2026 3 employee(s): "
                           "1 report(s) made, 0 unchanged, 0 failed, 1 made earlier today, 1 made today by another "
                           "batch · made 6 Dec 2026, 05:45 CET"), page
    assert "E2 Bob R&D made today by another batch, at 05:40 CET" in page
    assert "E3 Cy Ops made earlier today, at 04:10 CET" in page
    entries.append(IndexEntry("E4", "Di", "Ops", OTHER_BATCH, html_path=tmp_path / "E4" / "progress-2026-10-01.html",
                              made_at=dt.datetime(2026, 12, 5, 22, 58, tzinfo=utc)))
    page = page_text_of(index_html(entries, as_of=dt.date(2026, 10, 1), folder=tmp_path,
                                   generated=dt.datetime(2026, 12, 6, 4, 45, tzinfo=utc)))
    assert "E4 Di Ops made by another batch while this one ran, on 5 Dec 2026, 23:58 CET" in page


def test_a_report_of_an_earlier_run_today_is_made_earlier_today_and_one_made_while_this_batch_ran_by_another(
        tmp_path):
    """What the day's index says of a report this batch found current, from its stamp: before, a report of this
    morning's run (ended before this batch began) was "made today by another batch", where the terminal had said
    unchanged."""
    utc = dt.timezone.utc
    began = dt.datetime(2026, 12, 6, 9, 0, tzinfo=utc)
    now = began + dt.timedelta(minutes=3)
    said = {}
    for eid, made_at in (("E1", dt.datetime(2026, 12, 6, 5, 45, tzinfo=utc)), ("E2", began + dt.timedelta(minutes=1)),
                         ("E3", dt.datetime(2026, 12, 1, 5, 45, tzinfo=utc))):
        paths = report_paths(tmp_path, eid, dt.date(2026, 10, 1))
        paths.folder.mkdir(parents=True)
        paths.stamp.write_text(stamp_text(Stamp("f", "another run", made_at)), encoding="utf-8")
        entry = IndexEntry(eid, eid, "Sales", UNCHANGED, html_path=paths.html)
        said[eid] = runner._as_stamped(entry, tmp_path, dt.date(2026, 10, 1), "this batch", began, now).status
    assert said == {"E1": index.EARLIER_TODAY, "E2": OTHER_BATCH, "E3": UNCHANGED}
