"""The notebooks of careerconv/surfaces/notebooks, run with papermill on a copy of the sample: what each one shows.

Each notebook runs once, from its own folder, on a private copy of the committed sample organisation
(``sample_data``), and the test reads its outputs: the report's headings and figures, the numbers a reader takes
away, the images it draws. The committed sample (careerconv/demo/sample) is compared byte for byte before and after:
a notebook pointed at a copy must leave it alone. explore.ipynb has its own module, tests/test_explore_notebook.py.

The numbers are those of the sample as committed (``careerconv demo --seed 1 --as-of 2026-10-01``, see
careerconv/demo/sample/README.md); tests/test_demo.py keeps the folder equal to what that command writes.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import nbformat
import pytest

from careerconv.records import config

from notebook_runs import html_outputs, images, run_notebook, snapshot, visible_text

SAMPLE = config.SAMPLE_DATA_DIR
TESTED_HERE = {"conversation", "progress_report", "hr_analytics"}
TESTED_ELSEWHERE = {"explore": "tests/test_explore_notebook.py"}
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


@contextlib.contextmanager
def sample_left_alone():
    before = snapshot(SAMPLE)
    yield
    assert snapshot(SAMPLE) == before, "a notebook run on a copy changed careerconv/demo/sample"
    assert not (SAMPLE / "derived").exists() and not (SAMPLE / ".locks").exists()


def test_every_notebook_has_a_test():
    found = {p.stem for p in config.NOTEBOOKS_DIR.glob("*.ipynb")}
    assert found == TESTED_HERE | set(TESTED_ELSEWHERE)
    assert all(Path(config.PROJECT_DIR / path).is_file() for path in TESTED_ELSEWHERE.values())


def test_progress_report_shows_the_employees_standing_plan_and_charts(sample_data: Path, tmp_path: Path):
    with sample_left_alone():
        nb = run_notebook("progress_report", tmp_path, data_dir=str(sample_data), employee_id="E0007")
    assert shown_headings(nb) == ["# Career progress report", "## Your dreams", "## Where you stand today",
                                  "## Your targets, measured at each target date", "## Each skill over time",
                                  "## Your action plan", "## What comes next", "## How to read this report"]
    shown = [visible_text(h) for h in html_outputs(nb)]
    text = "\n".join(shown)
    # Two skills stand at their 12-month targets (26 Sep 2026), passed with no rating since 7 Apr: due, not measured
    assert shown[0].startswith("Jack Holmes Account Executive, Sales 1 of 3 skills on track (1 ahead), 2 not rated "
                               "near a target date that has passed")
    assert "Your coach Sanjay Kapoor Last career conversation 26 Sep 2025" in shown[0]
    assert "Next career conversation 26 Sep 2026 (overdue)" in shown[0]
    assert "Become a recognised expert in my field Work on something with real social impact Lead a team" in text
    for row in ("Cross-team collaboration 5 6 on 7 Apr 2026 5 on 7 Apr 2026 7, was due 26 Sep 2026 ! due but not measured",
                "Objection handling 7 7 on 7 Apr 2026 7 on 7 Apr 2026 8, was due 26 Sep 2026 ! due but not measured",
                "Time management 5 7 on 25 Sep 2026 6 on 26 Sep 2025 7 by 26 Mar 2027 ▲ ahead"):
        assert row in text  # the standing table: at the conversation, latest, coach's latest, target, status
    assert "Your next career conversation is due on 26 Sep 2026 (every 12 months): overdue" in text
    assert "1 action item is still open" in text
    # One bar chart of where each skill stands, then one chart per skill over time: SVG, described for a reader.
    charts = [image for h in html_outputs(nb) for image in images(h)]
    assert [media for media, _, _ in charts] == ["image/svg+xml"] * 4
    assert all(data.lstrip().startswith((b"<?xml", b"<svg")) and len(data) > 5_000 for _, data, _ in charts)
    assert charts[0][2] == ("Bar chart of your latest rating against its target: Cross-team collaboration "
                            "now 6, target 7; Objection handling now 7, target 8; Time management now 7, "
                            "target 7")


def shown_headings(nb: nbformat.NotebookNode) -> list[str]:
    """The first line of each Markdown cell and of each Markdown output (a heading the report computes), in order."""
    shown = [c.source if c.cell_type == "markdown" else o["data"]["text/markdown"]
             for c in nb.cells for o in ([None] if c.cell_type == "markdown" else c.get("outputs", []))
             if c.cell_type == "markdown" or "text/markdown" in o.get("data", {})]
    return [text.splitlines()[0] for text in shown]


def test_a_leavers_progress_report_stands_on_their_last_day_with_the_coach_they_had(sample_data: Path,
                                                                                   tmp_path: Path):
    """Found reading a leaver's report: "Where you stand today" and "Your coach" for someone who left in April."""
    from careerconv.records.store import Store

    store = Store(sample_data)
    roster = store.roster()
    roster["left_on"] = roster["employee_id"].map({"E0007": "2026-05-01"})
    store.save_roster(roster)
    with sample_left_alone():
        nb = run_notebook("progress_report", tmp_path, data_dir=str(sample_data), employee_id="E0007")
    assert "## Where you stood on your last day here" in shown_headings(nb)
    assert "## Where you stand today" not in shown_headings(nb)
    shown = [visible_text(h) for h in html_outputs(nb)]
    assert "Your coach while you were here Sanjay Kapoor Last career conversation 26 Sep 2025" in shown[0]
    assert "Your last day here was 30 Apr 2026 (you left on 1 May 2026)" in "\n".join(shown)


def test_hr_analytics_shows_group_figures_charts_and_no_free_text(sample_data: Path, tmp_path: Path):
    with sample_left_alone():
        nb = run_notebook("hr_analytics", tmp_path, data_dir=str(sample_data))
    assert (sample_data / "derived" / "skill_ratings").is_dir()  # the derived tables were built in the copy
    headings = [line for c in nb.cells if c.cell_type == "markdown" for line in c.source.splitlines()
                if line.startswith("#")]
    assert headings[:4] == ["# HR analytics: skills, targets and follow-up", "## What this report covers",
                            "## Who is covered", "## Skill ratings over time"]
    assert headings[-1] == "## Which kinds of development actions go with larger gains"
    text = "\n".join(visible_text(h) for h in html_outputs(nb))
    for reading in (
            "This report covers 2024 Q4 to 2026 Q3 for all departments, as of 30 Sep 2026, the period's last day "
            "(the report is dated 1 Oct 2026). "
            "Groups of fewer than 5 employees are not shown.",
            "38 of 152 figures are shown; 59 concern fewer than 5 employees and 55 more are hidden",
            "24 employees are covered; 96% of them had a career conversation in the period "
            "(56 conversations and 143 check-ins).",
            "On average ratings rose by 0.5 points after 6 months (n=20), 1.4 points after 12 months (n=22)",
            "46% of the 114 6-month targets due were reached, 19% were not, 5% are not measured yet and 30% were not "
            "measured (23 employees)",
            "25% of employees are overdue for a career conversation or a follow-up (21% for a conversation, "
            "17% for a follow-up; 4% never had one); most in Sales (29%).",
            "Of the 172 action items agreed in the period, the average person has 54% done"):
        assert reading in text
    # The privacy rules as a reader sees them: the organisation's row, the small departments not.
    assert "All departments 24 96% 56 143 Customer Success not shown Engineering not shown " \
           "Operations fewer than 5 Sales not shown" in text
    # A chart for each section with something to show (six), as PNG with the reading as its description.
    charts = [image for h in html_outputs(nb) for image in images(h)]
    assert len(charts) == 6 and all(media == "image/png" for media, _, _ in charts)
    assert all(data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000 for _, data, _ in charts)
    assert charts[0][2].startswith("Shown by quarter, over all skills")
    # Each chart also drawn for a phone (picked by a media query), and every table stacks there.
    markup = "".join(html_outputs(nb))
    assert markup.count('<source media="(max-width: 700px)" type="image/png" srcset="data:image/png;base64,') == 6
    tables = [c for c in re.findall(r'<table[^>]*class="([^"]*)"', markup) if "hr-table" in c.split()]
    assert len(tables) >= 6 and all("hr-stack" in c.split() for c in tables), tables
    # No free text from the records (a dream, what a 10 looks like, a chosen option, a check-in note).
    records = "".join(p.read_text(encoding="utf-8") for p in sorted(sample_data.glob("*/E0007/*.json")))
    for secret in ("Become a recognised expert in my field", "Other teams seek me out",
                   "Shadow someone who is excellent", "Started, going well"):
        assert secret in records and secret not in text


def test_conversation_notebook_shows_the_app_on_the_folder_it_is_given(sample_data: Path, tmp_path: Path):
    with sample_left_alone():
        nb = run_notebook("conversation", tmp_path, data_dir=str(sample_data))
    last = nb.cells[-1].outputs
    assert len(last) == 1 and "application/vnd.jupyter.widget-view+json" in last[0]["data"]
    state = nb.metadata["widgets"][WIDGET_STATE]["state"]
    shown = {visible_text(m["state"].get("value", "")) for m in state.values() if m["model_name"] == "HTMLModel"}
    assert str(sample_data) in shown  # the app says which folder it opened: the copy
    assert {"Who are you meeting?", "Showing 12 of 24 — type to narrow down."} <= shown
    buttons = {m["state"]["description"] for m in state.values() if m["model_name"] == "ButtonModel"}
    assert {"Jack Holmes · E0007", "Grace Brown · E0002", "Start career conversation"} <= buttons
    dropdowns = {m["state"]["description"]: m["state"]["_options_labels"] for m in state.values()
                 if m["model_name"] == "DropdownModel"}
    assert dropdowns == {"Coach": ["All coaches", "Can Kobayashi (E0005)", "Ryan Lawson (E0023)",
                                   "Sanjay Kapoor (E0001)", "Théo Lambert (E0020)"],
                         "Questions": ["Career conversation"], "Draft": []}  # no one picked: no drafts to choose
    committed = nbformat.read(config.NOTEBOOKS_DIR / "conversation.ipynb", as_version=4)
    assert "widgets" not in committed.metadata  # the state came from this run, not from the committed file
