"""Per-employee progress reports: content, rendering, the notebook, the batch runner and the CLI.

Fast tests check the pure content against :mod:`careerconv.rules.progress` and the
rendering (escaping, structure). Tests marked ``slow`` start Jupyter kernels:
one papermill run of the notebook, and batches through the runner and the
command line (a broken employee, isolation, incremental skip, --force, PDF).
"""

from __future__ import annotations

import html
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from careerconv import cli
from careerconv.records import config
from careerconv.rules import progress
from careerconv.surfaces.report import content
from careerconv.surfaces.report import render
from careerconv.surfaces.report.html_export import ReportExporter
from careerconv.surfaces.report.index import FAILED, MADE, OTHER_BATCH, UNCHANGED, IndexEntry, index_html
from careerconv.surfaces.report.source import data_fingerprint, load_history
from careerconv.records.schema import ValidationError, new_conversation, new_skill
from careerconv.records.store import History, NotFound, Store
from colour_vision import contrast_ratio

SAMPLE = config.SAMPLE_DATA_DIR
NOTEBOOK = config.NOTEBOOKS_DIR / "progress_report.ipynb"
AS_OF = "2026-10-01"
# E0007 has a plan with horizons ahead, on track and behind, and a draft in progress.
RICH = "E0007"
NEVER_MET = "E0006"
MARKER = "ZQX-PRIVATE-MARKER-7731"


# ---------------------------------------------------------------------------
# helpers


class _RowAttrs(HTMLParser):
    """Collects the attributes of every <tr> inside the table with a given id."""

    def __init__(self, table_id: str):
        super().__init__()
        self.table_id = table_id
        self.depth = 0
        self.rows: list[dict[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id") == self.table_id:
            self.depth = 1
        elif tag == "table" and self.depth:
            self.depth += 1
        elif tag == "tr" and self.depth and "data-skill" in attrs:
            self.rows.append(attrs)

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1


def horizon_table_rows(page: str) -> list[dict[str, str]]:
    parser = _RowAttrs("horizon-table")
    parser.feed(page)
    return parser.rows


def expected_horizon_rows(data: Path, employee_id: str, as_of: str = AS_OF) -> pd.DataFrame:
    """progress_at_horizons straight from the employee's records, for the current plan."""
    history = Store(data).history(employee_id)
    frames = history.frames()
    convs = frames["conversations"]
    done = convs[(convs["status"] == "completed") & (convs["date"] <= pd.Timestamp(as_of))]
    plan = done.sort_values(["date", "conversation_id"]).iloc[-1]["conversation_id"]
    drafts = set(convs.loc[convs["status"] != "completed", "conversation_id"])
    ratings = frames["skill_ratings"]
    ratings = ratings[~ratings["record_id"].isin(drafts)]
    targets = frames["targets"]
    targets = targets[targets["conversation_id"].isin(set(done["conversation_id"]))]
    out = progress.progress_at_horizons(targets, ratings, as_of)
    return out[out["conversation_id"] == plan]


def as_comparable(rows) -> set[tuple]:
    """(skill, horizon, target, measured, status) tuples from frame rows or data-* attributes."""
    if isinstance(rows, pd.DataFrame):
        return {(r.skill, int(r.horizon_months), int(r.target),
                 "" if pd.isna(r.measured_rating) else str(int(r.measured_rating)), r.status)
                for r in rows.itertuples()}
    return {(r["data-skill"], int(r["data-horizon"]), int(r["data-target"]), r["data-measured"], r["data-status"])
            for r in rows}


def outputs_html(nb: nbformat.NotebookNode) -> str:
    return "\n".join(o.get("data", {}).get("text/html", "") for c in nb.cells if c.cell_type == "code"
                     for o in c.get("outputs", []))


def edit_record(path: Path, change) -> None:
    record = json.loads(path.read_text(encoding="utf-8"))
    change(record)
    path.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")


def latest_completed(data: Path, employee_id: str) -> Path:
    files = sorted((data / "conversations" / employee_id).glob("*.json"))
    done = [f for f in files if json.loads(f.read_text(encoding="utf-8"))["status"] == "completed"]
    return done[-1]


def run_cli(*args: str) -> int:
    return cli.main(list(args))


def hostile_org(root: Path) -> str:
    """One employee whose every text field tries to inject HTML (and a $ formula)."""
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes"'
    store = Store(root)
    store.save_roster(pd.DataFrame([{"employee_id": "H1", "name": f"Hacker {evil}", "coach_id": "C1",
                                     "department": f"Dept {evil}", "role": "Role", "cadence_months": 6,
                                     "email": ""}]))
    conv = new_conversation("H1", "C1", pd.Timestamp("2025-03-03").date(), "career-conversation", "1")
    conv.update(status="completed", cadence_months=6, next_due="2025-09-03",
                follow_up={"mode": "one-on-one", "every_weeks": 4, "note": ""},
                dreams=[{"rank": i, "text": f"Dream {i} {evil}"} for i in (1, 2, 3)])
    skill = new_skill(f"Costs $x^2$ {evil}")
    skill.update(self_rating=4, ten_looks_like=f"Ten {evil}", approach=f"Approach {evil}",
                 targets={"6": 5, "12": 6, "18": 7},
                 options=[{"text": f"Option {i} {evil}", "pros": "", "cons": "", "chosen": i == 1} for i in (1, 2, 3)])
    conv["skills"] = [skill]
    conv["action_items"] = [{"item_id": "a1", "text": f"Act {evil}", "due": "2025-05-01", "owner": evil,
                             "skill": skill["skill"]}]
    store.save_conversation(conv)
    store.save_checkin({"checkin_id": "H1-ci-20250903", "employee_id": "H1", "coach_id": "C1",
                        "date": "2025-09-03", "conversation_id": conv["conversation_id"],
                        "updates": [{"item_id": "a1", "status": "in_progress", "note": f"Note {evil}"}],
                        "ratings": [{"skill": skill["skill"], "self_rating": 5}]})
    return evil


# ---------------------------------------------------------------------------
# content: the rules come from careerconv.rules.progress and careerconv.rules.cadence


def test_horizon_rows_are_progress_at_horizons_of_the_current_plan():
    report_content = content.build_content(load_history(SAMPLE, RICH), AS_OF)
    rows = content.horizon_rows(report_content)
    expected = expected_horizon_rows(SAMPLE, RICH)
    assert len(rows) == len(expected) > 0
    assert as_comparable(rows) == as_comparable(expected)
    # the sample employee shows every status the report explains
    assert set(progress.STATUSES) <= set(rows["status"])
    # skills in the order they were discussed, horizons 6/12/18 within each
    plan_skills = [s["skill"] for s in report_content.plan["skills"]]
    assert list(dict.fromkeys(rows["skill"])) == plan_skills
    assert list(rows["horizon_months"][:3]) == [6, 12, 18]


def test_current_is_current_vs_target_of_the_plan():
    history = load_history(SAMPLE, RICH)
    report_content = content.build_content(history, AS_OF)
    frames = history.frames()
    ratings = frames["skill_ratings"][frames["skill_ratings"]["record_id"] != "E0007-20260930"]
    targets = frames["targets"][frames["targets"]["conversation_id"] != "E0007-20260930"]
    expected = progress.current_vs_target(targets, ratings, AS_OF)
    got = report_content.current.set_index("skill")[["latest_rating", "next_target", "status"]]
    want = expected.set_index("skill").loc[got.index, ["latest_rating", "next_target", "status"]]
    pd.testing.assert_frame_equal(got, want)


def test_draft_ratings_are_not_measurements_and_the_plan_is_the_last_completed():
    report_content = content.build_content(load_history(SAMPLE, RICH), AS_OF)
    assert report_content.plan_id == "E0007-20250926"  # the draft of 2026-09-30 is not the plan
    assert "E0007-20260930" not in set(report_content.ratings["record_id"])
    assert not pd.isna(report_content.due["draft_in_progress"])
    assert "In progress" in render.header(report_content).html


def test_records_after_as_of_are_ignored():
    report_content = content.build_content(load_history(SAMPLE, RICH), "2025-01-01")
    assert report_content.plan_id == "E0007-20241002"
    assert (report_content.ratings["date"] <= pd.Timestamp("2025-01-01")).all()
    assert (report_content.checkins["date"] <= pd.Timestamp("2025-01-01")).all()


def test_action_plan_status_comes_from_the_check_ins():
    history = load_history(SAMPLE, RICH)
    report_content = content.build_content(history, AS_OF)
    current, still_open, closed = content.action_plan_parts(report_content)
    assert set(current["conversation_id"]) == {report_content.plan_id}
    assert set(still_open["status"]) <= {"open", "in_progress"} and still_open["is_open"].all()
    assert not closed["is_open"].any()  # done, dropped, or open but replaced by a later plan
    # every status is the latest check-in update for that item
    updates = history.frames()["checkin_updates"].sort_values(["date", "checkin_id"])
    for item in report_content.items.itertuples():
        mine = updates[(updates["conversation_id"] == item.conversation_id) & (updates["item_id"] == item.item_id)]
        assert item.status == (mine["status"].iloc[-1] if len(mine) else "open")


def test_someone_never_met_gets_a_report_without_a_plan():
    report_content = content.build_content(load_history(SAMPLE, NEVER_MET), AS_OF)
    assert report_content.plan is None and report_content.progress.empty and report_content.items.empty
    page = "".join(str(f) for f in (render.header(report_content), render.dreams(report_content),
                                    render.standing(report_content), render.horizon_table(report_content),
                                    *render.skill_sections(report_content), render.action_plan(report_content),
                                    render.next_steps(report_content)))
    assert "not held yet" in page and "first career conversation" in page
    assert render.earlier_plans(report_content) is None


def test_a_history_mixing_two_employees_is_refused():
    a, b = load_history(SAMPLE, "E0002"), load_history(SAMPLE, RICH)
    mixed = History(a.employee, a.conversations + b.conversations, a.checkins)
    with pytest.raises(ValueError, match="several employees"):
        content.build_content(mixed, AS_OF)


@pytest.mark.parametrize("value", ["2026-13-01", "01/02/2026", "", None, "soon"])
def test_bad_as_of_is_refused_with_the_format(value):
    with pytest.raises(ValueError, match="as_of"):
        content.parse_as_of(value)


@pytest.mark.parametrize("value", [[], [0], [6, "12"], "6,12", [6.5], [True]])
def test_bad_horizons_are_refused(value):
    with pytest.raises(ValueError, match="horizons"):
        content.parse_horizons(value)


def test_horizons_parameter_limits_what_is_shown():
    report_content = content.build_content(load_history(SAMPLE, RICH), AS_OF, horizons=[12])
    assert set(content.horizon_rows(report_content)["horizon_months"]) == {12}


# ---------------------------------------------------------------------------
# reading the data strictly


def test_a_damaged_record_fails_the_report_naming_the_file(sample_data):
    path = latest_completed(sample_data, RICH)
    path.write_text('{"conversation_id": ', encoding="utf-8")
    with pytest.raises(ValidationError, match=re.escape(path.name)):
        load_history(sample_data, RICH)


def test_unknown_employee_is_not_found(sample_data):
    with pytest.raises(NotFound, match="E9999"):
        load_history(sample_data, "E9999")
    with pytest.raises(ValueError, match="employee id"):
        load_history(sample_data, "../E0001")


def test_history_carries_the_coach_name():
    history = load_history(SAMPLE, RICH)
    coach = Store(SAMPLE).employee(history.employee["coach_id"])
    assert history.employee["coach_name"] == coach["name"]
    assert coach["name"] in render.header(content.build_content(history, AS_OF)).html


def test_fingerprint_follows_record_bytes_and_roster_row(sample_data):
    row = Store(sample_data).employee(RICH)
    first = data_fingerprint(sample_data, RICH, row)
    assert data_fingerprint(sample_data, RICH, row) == first
    assert data_fingerprint(sample_data, RICH, {**row, "name": "Other"}) != first
    edit_record(sorted((sample_data / "checkins" / RICH).glob("*.json"))[-1], lambda r: r.update(note="changed"))
    assert data_fingerprint(sample_data, RICH, row) != first


# ---------------------------------------------------------------------------
# rendering: escaped, structured, no code


def test_every_user_text_is_escaped(tmp_path):
    evil = hostile_org(tmp_path)
    report_content = content.build_content(load_history(tmp_path, "H1"), "2025-10-01")
    parts = [render.header(report_content), render.dreams(report_content), render.standing(report_content),
             render.horizon_table(report_content), *render.skill_sections(report_content),
             render.action_plan(report_content), render.next_steps(report_content), render.how_to_read(report_content)]
    page = "".join(str(p) for p in parts)
    assert "<script" not in page and "<img src=x" not in page
    assert html.escape(evil, quote=True) in page  # shown as text, not dropped
    assert "Hacker &lt;script&gt;" in page and "Dream 1 &lt;script&gt;" in page
    assert "Note &lt;script&gt;" in page and "Act &lt;script&gt;" in page


def test_pdf_is_made_from_the_same_content(tmp_path):
    hostile_org(tmp_path / "data")
    report_content = content.build_content(load_history(tmp_path / "data", "H1"), "2025-10-01")
    from careerconv.surfaces.report import pdf

    data = pdf.pdf_bytes(report_content)  # a $formula$ and markup in user text must not break it
    assert data.startswith(b"%PDF") and len(data) > 5_000
    target = pdf.write_pdf(report_content, tmp_path / "out" / "r.pdf")
    assert target.read_bytes()[:4] == b"%PDF"
    with pytest.raises(ValueError, match="empty"):
        pdf.write_pdf(report_content, "")


def test_figures_are_embedded_images_with_text_alternatives():
    report_content = content.build_content(load_history(SAMPLE, RICH), AS_OF)
    for fmt, mime in (("svg", "image/svg+xml"), ("png", "image/png")):
        sections = render.skill_sections(report_content, fmt, 72)
        assert len(sections) == 1 + len(report_content.plan["skills"])  # the key, then one per skill
        for section in sections[1:]:
            assert f'src="data:{mime};base64,' in section.html
            assert re.search(r'alt="Chart of your [^"]+"', section.html)
    with pytest.raises(ValueError, match="figure format"):
        render.standing(report_content, "gif")


def test_a_report_holds_one_skill_chart_at_a_time_and_leaves_no_figure_open(monkeypatch):
    """Before, every skill's chart was drawn before the first was written into the page (the key above them names
    a line joining a label to its mark only when some chart draws one), and all were held until the last was
    written: a batch of hundreds of reports paid for every chart of a report at once. Each chart's figure is
    written and let go before the next is drawn; none is left open in pyplot."""
    import gc
    import weakref

    from matplotlib import pyplot

    report_content = content.build_content(load_history(SAMPLE, RICH), AS_OF)
    assert len(report_content.plan["skills"]) >= 3
    drawn, held = [], []
    draw, write = render.skill_figure, render.figure_html

    def drawn_figure(*args, **kwargs):
        fig = draw(*args, **kwargs)
        drawn.append(weakref.ref(fig))
        return fig

    def written(fig, *args, **kwargs):
        gc.collect()
        held.append(sum(ref() is not None for ref in drawn))
        return write(fig, *args, **kwargs)

    monkeypatch.setattr(render, "skill_figure", drawn_figure)
    monkeypatch.setattr(render, "figure_html", written)
    render.skill_sections(report_content)
    assert held == [1] * len(report_content.plan["skills"])
    assert pyplot.get_fignums() == []


def test_index_page_says_when_another_batch_made_a_report(tmp_path):
    """A report another batch made today reads as made today, with the time; one it made while this batch ran,
    since the evening before, with the day and the time."""
    import datetime as dt

    generated = dt.datetime(2026, 12, 6, 0, 5)  # the page's own time, on this machine's clock
    local = generated.astimezone().tzinfo
    entries = [
        IndexEntry("E1", "Ann", "Sales", MADE, html_path=tmp_path / "E1" / "progress-2026-10-01.html"),
        IndexEntry("E2", "Bob", "R&D", OTHER_BATCH, html_path=tmp_path / "E2" / "progress-2026-10-01.html",
                   made_at=dt.datetime(2026, 12, 6, 0, 2, tzinfo=local)),
    ]
    page = index_html(entries, as_of=pd.Timestamp(AS_OF).date(), folder=tmp_path, generated=generated)
    assert "made today by another batch, at 00:02" in page
    assert "2 employee(s): 1 report(s) made, 0 unchanged, 0 failed, 1 made today by another batch" in page
    entries.append(IndexEntry("E3", "Cy", "Ops", OTHER_BATCH, html_path=tmp_path / "E3" / "progress-2026-10-01.html",
                              made_at=dt.datetime(2026, 12, 5, 23, 58, tzinfo=local)))
    page = index_html(entries, as_of=pd.Timestamp(AS_OF).date(), folder=tmp_path, generated=generated)
    assert "made by another batch while this one ran, on 5 Dec 2026, 23:58" in page
    assert "0 failed, 2 made by another batch" in page


def test_a_stamp_dated_in_the_future_says_nothing_of_when_its_report_was_made():
    """Found by a hostile test: a stamp edited by hand to 2099 made the index say "made by another batch while
    this one ran, on 1 Jan 2099, 03:00"."""
    import datetime as dt

    from careerconv.surfaces.report.stamp import Stamp, made_beside

    now = dt.datetime(2026, 12, 6, 6, 0, tzinfo=dt.timezone.utc)
    began = now - dt.timedelta(minutes=10)
    made = {when: made_beside(Stamp("f", "other", when), "mine", began, now)
            for when in (now - dt.timedelta(minutes=3), now + dt.timedelta(minutes=2),
                         dt.datetime(2099, 1, 1, 3, 0, tzinfo=dt.timezone.utc))}
    assert list(made.values()) == [True, True, False]  # a clock a little ahead is believed, a time to come is not


def test_index_page_escapes_names_and_lists_failures_first(tmp_path):
    evil = '<img src=x onerror=alert(1)>'
    entries = [
        IndexEntry("E1", f"Ann {evil}", "Sales", MADE, html_path=tmp_path / "E1" / "progress-2026-10-01.html"),
        IndexEntry("E2", "Bob", f"R&D {evil}", UNCHANGED, html_path=tmp_path / "E2" / "progress-2026-10-01.html"),
        IndexEntry("E3", "Cy", "Ops", FAILED, error=f"ValidationError: bad file {evil}"),
    ]
    page = index_html(entries, as_of=pd.Timestamp(AS_OF).date(), folder=tmp_path)
    assert "<img src=x" not in page
    assert page.count("&lt;img src=x onerror=alert(1)&gt;") == 3
    assert 'href="E1/progress-2026-10-01.html"' in page
    assert page.index("E3") < page.index("E1")
    assert "1 report(s) made, 1 unchanged, 1 failed" in page


# ---------------------------------------------------------------------------
# the notebook


def test_notebook_is_thin_with_a_tagged_literal_parameters_cell():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    lines = params[0].source.splitlines()
    names = [line.split(":")[0] for line in lines]
    assert names == ["employee_id", "data_dir", "as_of", "horizons", "figure_format", "dpi", "pdf_path"]
    assert all(re.match(r"^\w+: \w+ = .+  # .+$", line) for line in lines)
    assert 'data_dir: str = "../../demo/sample"' in params[0].source
    assert (NOTEBOOK.parent / "../../demo/sample").resolve() == config.SAMPLE_DATA_DIR
    for cell in code:
        assert not re.search(r"^\s*(def|class) ", cell.source, re.M)
        assert not cell.outputs and cell.execution_count is None


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_papermill_run_shows_the_horizon_table_of_the_progress_module(sample_data, tmp_path):
    import papermill

    out = tmp_path / "out.ipynb"
    nb = papermill.execute_notebook(str(NOTEBOOK), str(out), parameters={"data_dir": str(sample_data)},
                                    kernel_name="python3", cwd=str(NOTEBOOK.parent), progress_bar=False)
    rows = horizon_table_rows(outputs_html(nb))
    assert as_comparable(rows) == as_comparable(expected_horizon_rows(sample_data, RICH))
    executed = nbformat.read(out, as_version=4)
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in executed.cells)
    page = ReportExporter().export(executed, "t")
    assert horizon_table_rows(page) == rows
    assert "load_history(" not in page and "report.header(content)" not in page
    assert 'class="jp-InputArea-editor' not in page and 'class="highlight' not in page


# ---------------------------------------------------------------------------
# the batch runner and the command line (start kernels)


def report_files(reports: Path, employee_id: str) -> dict[str, Path]:
    stem = reports / employee_id / f"progress-{AS_OF}"
    return {k: stem.with_suffix(f".{k}") for k in ("ipynb", "html", "pdf")}


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_batch_with_a_broken_employee_lists_the_failure_and_exits_1(sample_data, tmp_path, capsys):
    broken = latest_completed(sample_data, "E0003")
    broken.write_text("{ this is not json", encoding="utf-8")
    reports = tmp_path / "reports"
    code = run_cli("--data", str(sample_data), "report", "E0002", "E0003", RICH, "E9999", "--as-of", AS_OF,
                   "-o", str(reports), "--jobs", "2", "--quiet")
    captured = capsys.readouterr()
    assert code == 1
    assert "2 report(s) made" in captured.out and "2 failed" in captured.out
    assert "E0003: ValidationError" in captured.err and broken.name in captured.err
    assert "E9999" in captured.err and "not on the roster" in captured.err
    for eid in ("E0002", RICH):
        files = report_files(reports, eid)
        assert files["html"].exists() and files["ipynb"].exists()
    assert not report_files(reports, "E0003")["html"].exists()
    assert (reports / "E0003" / f"progress-{AS_OF}.error.ipynb").exists()
    index = (reports / f"index-{AS_OF}.html").read_text(encoding="utf-8")
    assert "failed" in index and html.escape(broken.name) in index
    assert f'href="{RICH}/progress-{AS_OF}.html"' in index


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_executed_notebooks_are_papermill_notebooks_and_html_has_no_code(sample_data, tmp_path, capsys):
    reports = tmp_path / "reports"
    assert run_cli("--data", str(sample_data), "report", RICH, NEVER_MET, "--as-of", AS_OF, "-o",
                   str(reports), "--jobs", "1", "--pdf", "--quiet") == 0
    for eid in (RICH, NEVER_MET):
        files = report_files(reports, eid)
        nb = nbformat.read(files["ipynb"], as_version=4)  # validates against the notebook schema
        tags = [c.metadata.get("tags", []) for c in nb.cells]
        params = next(i for i, t in enumerate(tags) if "parameters" in t)
        assert "injected-parameters" in tags[params + 1]
        assert f'employee_id = "{eid}"' in nb.cells[params + 1].source
        meta = nb.metadata.papermill
        assert meta["parameters"]["employee_id"] == eid and meta["parameters"]["as_of"] == AS_OF
        assert meta["output_path"] == str(files["ipynb"]) and meta["duration"] > 0
        assert meta["exception"] is None
        code_cells = [c for c in nb.cells if c.cell_type == "code"]
        assert [c.execution_count for c in code_cells] == list(range(1, len(code_cells) + 1))
        assert all(c.metadata.papermill["status"] == "completed" for c in code_cells)
        page = files["html"].read_text(encoding="utf-8")
        for code_text in ("from careerconv.surfaces import report", "load_history(", "employee_id: str", "display(section)"):
            assert code_text not in page
        assert 'class="jp-InputArea-editor' not in page and 'class="highlight' not in page
        assert files["pdf"].read_bytes().startswith(b"%PDF")
    assert "Career progress report" in report_files(reports, RICH)["html"].read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_one_employees_data_never_appears_in_another_report(sample_data, tmp_path):
    from careerconv.surfaces.report.runner import run_batch

    def plant(record):
        record["dreams"][0]["text"] = f"{MARKER} dream"
        record["skills"][0]["ten_looks_like"] = f"{MARKER} ten"
    edit_record(latest_completed(sample_data, RICH), plant)
    edit_record(sorted((sample_data / "checkins" / RICH).glob("*.json"))[-1],
                lambda r: r["updates"][0].update(note=f"{MARKER} note") if r["updates"] else r.update(note=MARKER))
    others = ["E0002", "E0010", "E0013", NEVER_MET]
    reports = tmp_path / "reports"
    # One kernel: the marked employee first, every other report after it on the same warm kernel.
    result = run_batch(sample_data, [RICH, *others], AS_OF, reports_dir=reports, jobs=1, progress=False)
    assert not result.failed and len(result.made) == 5
    mine = report_files(reports, RICH)
    assert MARKER in mine["html"].read_text(encoding="utf-8")
    assert MARKER in mine["ipynb"].read_text(encoding="utf-8")
    for eid in others:
        for kind in ("html", "ipynb"):
            assert MARKER not in report_files(reports, eid)[kind].read_text(encoding="utf-8"), (eid, kind)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_warm_kernel_namespace_is_reset_between_reports(sample_data, tmp_path):
    """A notebook that plants a variable and fails if it finds one from the report before."""
    from careerconv.surfaces.report.runner import WarmKernel, run_batch

    nb = nbformat.read(NOTEBOOK, as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    probe = nbformat.v4.new_code_cell(
        'assert "planted" not in globals(), f"left over from {planted}"\n'
        "import sys\n"
        'assert not hasattr(sys, "last_value"), "the previous report\'s exception is still reachable"\n'
        "planted = employee_id\n"
        "try:\n"
        "    raise ValueError(employee_id)\n"
        "except ValueError:\n"
        "    sys.last_value = sys.exc_info()[1]")
    nb.cells = [nb.cells[0], params, probe]
    probe_path = tmp_path / "probe.ipynb"
    nbformat.write(nb, probe_path)
    result = run_batch(sample_data, ["E0002", "E0003", RICH], AS_OF, reports_dir=tmp_path / "r", jobs=1,
                       notebook=probe_path, progress=False)
    assert [o.status for o in result.outcomes] == [MADE, MADE, MADE], [o.error for o in result.outcomes]

    kernel = WarmKernel(cwd=tmp_path)
    kernel.start()
    try:
        kernel.run_code("secret = 'previous report'")
        kernel.run_code("assert secret == 'previous report'")
        kernel.reset()
        with pytest.raises(RuntimeError, match="NameError"):
            kernel.run_code("secret")
    finally:
        kernel.shutdown()


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_dying_or_hanging_report_fails_alone_and_the_kernel_is_replaced(tmp_path, sample_data):
    from careerconv.surfaces.report.runner import run_batch

    nb = nbformat.read(NOTEBOOK, as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    probe = nbformat.v4.new_code_cell(
        "import os, time\n"
        'if employee_id == "E0002":\n'
        "    os._exit(1)\n"
        'if employee_id == "E0003":\n'
        "    time.sleep(120)\n"
        "finished = employee_id")
    nb.cells = [nb.cells[0], params, probe]
    probe_path = tmp_path / "probe.ipynb"
    nbformat.write(nb, probe_path)
    result = run_batch(sample_data, ["E0002", "E0003", RICH], AS_OF, reports_dir=tmp_path / "r", jobs=1,
                       notebook=probe_path, timeout=5, progress=False)
    by_id = {o.employee_id: o for o in result.outcomes}
    assert by_id["E0002"].status == FAILED and "DeadKernelError" in by_id["E0002"].error
    assert by_id["E0003"].status == FAILED and "timed out" in by_id["E0003"].error
    assert by_id[RICH].status == MADE  # on a fresh kernel, after the other two


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_unchanged_employees_are_skipped_until_data_changes_or_force(sample_data, tmp_path, capsys):
    reports = tmp_path / "reports"
    args = ["--data", str(sample_data), "report", "E0002", RICH, "--as-of", AS_OF, "-o", str(reports),
            "--jobs", "1", "--quiet"]
    assert run_cli(*args) == 0
    assert "2 report(s) made" in capsys.readouterr().out
    before = {eid: report_files(reports, eid)["html"].stat().st_mtime_ns for eid in ("E0002", RICH)}

    index = reports / f"index-{AS_OF}.html"
    batch_record = index.read_text(encoding="utf-8")
    assert "2 report(s) made, 0 unchanged" in batch_record

    assert run_cli(*args) == 0
    out = capsys.readouterr().out
    assert "0 report(s) made, 2 unchanged" in out
    assert before == {eid: report_files(reports, eid)["html"].stat().st_mtime_ns for eid in ("E0002", RICH)}
    # A rerun with nothing to do keeps the day's record of the batch that made the reports.
    assert index.read_text(encoding="utf-8") == batch_record and "kept" in out

    checkin = sorted((sample_data / "checkins" / "E0002").glob("*.json"))[-1]
    edit_record(checkin, lambda r: r.update(note="a new note from the last one-on-one"))
    assert run_cli(*args) == 0
    out = capsys.readouterr().out
    assert "1 report(s) made" in out and "1 unchanged" in out
    assert report_files(reports, "E0002")["html"].stat().st_mtime_ns != before["E0002"]
    assert report_files(reports, RICH)["html"].stat().st_mtime_ns == before[RICH]

    report_files(reports, RICH)["html"].unlink()  # a missing output is remade too
    assert run_cli(*args) == 0
    assert report_files(reports, RICH)["html"].exists()
    capsys.readouterr()

    assert run_cli(*args, "--force") == 0
    assert "2 report(s) made" in capsys.readouterr().out


def test_renaming_a_coach_remakes_their_peoples_reports(sample_data, tmp_path, capsys):
    """Found by a hostile test of the report batches: a report says "Your coach: <name>", but only the employee's
    own roster row was in its fingerprint, so after a roster import renamed a coach every coachee's report kept
    the old name and the index called it "unchanged (data not changed since the last report)"."""
    reports = tmp_path / "reports"
    args = ["--data", str(sample_data), "report", "E0002", "--as-of", AS_OF, "-o", str(reports), "--jobs", "1",
            "--quiet"]
    assert run_cli(*args) == 0
    capsys.readouterr()
    store = Store(sample_data)
    coach = store.employee(store.employee("E0002")["coach_id"])
    roster = sample_data / "roster.csv"
    text = roster.read_text(encoding="utf-8")
    assert text.count(f",{coach['name']},") == 1
    roster.write_text(text.replace(f",{coach['name']},", ",Renamed Coachperson,"), encoding="utf-8")
    assert run_cli(*args) == 0
    out = capsys.readouterr().out
    assert "1 report(s) made" in out and "0 unchanged" in out
    page = report_files(reports, "E0002")["html"].read_text(encoding="utf-8")
    assert "Renamed Coachperson" in page and coach["name"] not in page


def test_a_data_folder_moved_elsewhere_finds_its_reports_current(sample_data, tmp_path, capsys):
    """The same data at another path (a folder moved, or mounted elsewhere on another machine of a batch) is the
    same data: its reports are unchanged (found: the folder's path was in every report's fingerprint, so each one
    was made again)."""
    reports = tmp_path / "reports"
    assert run_cli("--data", str(sample_data), "report", "E0002", "--as-of", AS_OF, "-o", str(reports),
                   "--jobs", "1", "--quiet") == 0
    capsys.readouterr()
    moved = tmp_path / "elsewhere" / "records"
    shutil.move(sample_data, moved)
    made = report_files(reports, "E0002")["html"].stat().st_mtime_ns
    assert run_cli("--data", str(moved), "report", "E0002", "--as-of", AS_OF, "-o", str(reports),
                   "--jobs", "1", "--quiet") == 0
    assert "0 report(s) made, 1 unchanged" in capsys.readouterr().out
    assert report_files(reports, "E0002")["html"].stat().st_mtime_ns == made
    # Still made again when what the report reads changes, at the new path.
    checkin = sorted((moved / "checkins" / "E0002").glob("*.json"))[-1]
    edit_record(checkin, lambda r: r.update(note="said in a one-on-one after the move"))
    assert run_cli("--data", str(moved), "report", "E0002", "--as-of", AS_OF, "-o", str(reports),
                   "--jobs", "1", "--quiet") == 0
    assert "1 report(s) made" in capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_kept_report_names_the_folders_where_they_are_now_after_they_moved(sample_data, tmp_path, capsys):
    """Found by the lead: after the data folder moved, a report kept (its data unchanged) still named the old folder
    in its notebook's papermill parameters, so a reader of the notebook, or a re-run of it with papermill, was
    pointed at a folder that no longer exists. The kept notebook is rewritten to name the folders where they are
    now, without making the report again."""
    reports = tmp_path / "reports"
    assert run_cli("--data", str(sample_data), "report", "E0002", "--as-of", AS_OF, "-o", str(reports),
                   "--jobs", "1", "--quiet") == 0
    moved_data = tmp_path / "elsewhere" / "records"
    shutil.move(sample_data, moved_data)
    moved_reports = tmp_path / "elsewhere" / "reports"
    shutil.move(reports, moved_reports)
    files = report_files(moved_reports, "E0002")
    made = files["html"].stat().st_mtime_ns
    capsys.readouterr()
    assert run_cli("--data", str(moved_data), "report", "E0002", "--as-of", AS_OF, "-o", str(moved_reports),
                   "--jobs", "1", "--quiet") == 0
    assert "0 report(s) made, 1 unchanged" in capsys.readouterr().out
    assert files["html"].stat().st_mtime_ns == made  # not made again
    nb = nbformat.read(files["ipynb"], as_version=4)
    assert nb.metadata.papermill.parameters["data_dir"] == str(moved_data)
    assert nb.metadata.papermill.output_path == str(files["ipynb"])
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and f'data_dir = "{moved_data}"' in injected[0].source
    assert str(tmp_path / "data") not in files["ipynb"].read_text(encoding="utf-8")
    # What the report showed is kept as it was: the outputs, and when each cell ran.
    assert nb.cells[-2].outputs and injected[0].metadata.papermill.status == "completed"
    # A re-run of the kept notebook as it is (papermill, its own parameters) reads the data where it is now.
    import papermill

    rerun = tmp_path / "rerun.ipynb"
    papermill.execute_notebook(str(files["ipynb"]), str(rerun), progress_bar=False, kernel_name="python3",
                               cwd=str(files["ipynb"].parent))
    assert "E0002" in rerun.read_text(encoding="utf-8")


def test_the_days_index_lists_the_reports_of_earlier_batches_too(sample_data, tmp_path, capsys):
    """Found by a hostile test of the report batches: after the whole organisation's batch, a report on one
    employee replaced the day's index with a page of one, the other reports left in the folder and off it."""
    reports = tmp_path / "reports"
    common = ["--as-of", AS_OF, "-o", str(reports), "--jobs", "1", "--quiet"]
    assert run_cli("--data", str(sample_data), "report", "E0002", RICH, *common) == 0
    assert run_cli("--data", str(sample_data), "report", "E0002", *common) == 0
    capsys.readouterr()
    index = reports / f"index-{AS_OF}.html"
    assert sorted(listed_ids(index)) == sorted(["E0002", RICH])
    page = index.read_text(encoding="utf-8")
    # made by the two runs before this one, which had ended: earlier today (not "by another batch", found on a
    # plain rerun whose terminal said "unchanged")
    assert "2 employee(s): 0 report(s) made, 0 unchanged, 0 failed, 2 made earlier today" in page
    assert "made today by another batch" not in page and page.count("made earlier today, at ") == 2
    assert f'href="{RICH}/progress-{AS_OF}.html"' in page
    # Made on an earlier day (their stamps say so): unchanged, and made by an earlier batch.
    for eid in ("E0002", RICH):
        stamp = reports / eid / f".progress-{AS_OF}.fingerprint"
        lines = stamp.read_text(encoding="utf-8").splitlines()
        stamp.write_text("\n".join([*lines[:2], "2026-12-01T09:00:00+00:00", *lines[3:]]) + "\n", encoding="utf-8")
    assert run_cli("--data", str(sample_data), "report", "E0002", *common) == 0
    page = index.read_text(encoding="utf-8")
    assert "2 employee(s): 0 report(s) made, 1 unchanged, 0 failed, 1 made by an earlier batch of the day" in page
    # erased since: off the index, as everywhere
    assert run_cli("--data", str(sample_data), "erase", "--employee", RICH, "--yes", "--reports", str(reports)) == 0
    assert run_cli("--data", str(sample_data), "report", "E0002", *common) == 0
    assert listed_ids(index) == ["E0002"]


def test_a_report_whose_page_cannot_be_written_says_what_was_written_and_is_made_again(sample_data, tmp_path,
                                                                                       capsys, monkeypatch):
    """Found by a hostile test of the report batches (a full disk): the new notebook was written, the page was
    not, and the index said "cannot write ...html ... nothing was written". It says what was written, and the
    next run makes the report again."""
    from careerconv.surfaces.report import runner

    reports = tmp_path / "reports"
    args = ["--data", str(sample_data), "report", "E0002", "--as-of", AS_OF, "-o", str(reports), "--jobs", "1",
            "--quiet"]
    real = runner.atomic_write_bytes

    def full_disk(path, data, durable=True):
        if Path(path).suffix == ".html" and Path(path).parent.name == "E0002":
            raise OSError(28, "No space left on device")
        return real(path, data, durable=durable)

    monkeypatch.setattr(runner, "atomic_write_bytes", full_disk)
    assert run_cli(*args) == 1
    capsys.readouterr()
    page = (reports / f"index-{AS_OF}.html").read_text(encoding="utf-8")
    assert "No space left on device; written before that: progress-" in page and "The next run makes it again" in page
    monkeypatch.setattr(runner, "atomic_write_bytes", real)
    assert run_cli(*args) == 0
    assert "1 report(s) made" in capsys.readouterr().out and report_files(reports, "E0002")["html"].exists()


def listed_ids(index: Path) -> list[str]:
    """The employee ids in the first column of an index page's table, decoded, in page order."""
    table = index.read_text(encoding="utf-8").partition('<table id="reports">')[2]
    return [html.unescape(eid) for eid in re.findall(r"<tr[^>]*><td>([^<]*)</td>", table)]


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_batch_with_nothing_to_make_keeps_only_an_index_of_its_own_employees(sample_data, tmp_path, capsys):
    # Found by a hostile test: `report E0002 --force` after a batch of two left an index of one, and the next
    # batch of both, all unchanged, "kept" it: its index listed one of its two employees.
    reports = tmp_path / "reports"
    args = ["--data", str(sample_data), "report", "--as-of", AS_OF, "-o", str(reports), "--jobs", "1", "--quiet"]
    index = reports / f"index-{AS_OF}.html"
    assert run_cli(*args, "E0002", RICH) == 0
    assert run_cli(*args, "E0002", "--force") == 0
    # the day's index lists the report of the earlier batch too (a page of one left the other off)
    assert listed_ids(index) == ["E0002", RICH]
    assert "1 report(s) made, 0 unchanged, 0 failed, 1 made earlier today" in index.read_text(encoding="utf-8")
    capsys.readouterr()

    page = index.read_text(encoding="utf-8")  # a batch of both, nothing to make: the day's record is kept
    assert run_cli(*args, "E0002", RICH) == 0
    out = capsys.readouterr().out
    assert "0 report(s) made, 2 unchanged" in out and "kept" in out and index.read_text(encoding="utf-8") == page


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_pdf_left_by_an_earlier_batch_is_kept_only_while_it_shows_the_same_data(sample_data, tmp_path):
    # Found by a hostile test: `report E0002 --pdf`, then a change of the roster name and `report E0002` (no
    # --pdf) left the day's PDF with the old name beside the new HTML with the new one.
    reports = tmp_path / "reports"
    args = ["--data", str(sample_data), "report", "E0002", "--as-of", AS_OF, "-o", str(reports), "--jobs", "1",
            "--quiet"]
    pdf = report_files(reports, "E0002")["pdf"]
    assert run_cli(*args, "--pdf") == 0
    made = pdf.read_bytes()
    assert run_cli(*args, "--no-pdf") == 0  # made again (no PDF asked for), from the same data: the PDF stays
    assert pdf.read_bytes() == made

    store = Store(sample_data)
    roster = store.roster()
    roster.loc[roster["employee_id"] == "E0002", "name"] = "Grace Renamed"
    store.save_roster(roster)
    assert run_cli(*args, "--no-pdf") == 0
    assert not pdf.exists()
    assert "Grace Renamed" in report_files(reports, "E0002")["html"].read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_when_no_kernel_starts_unchanged_reports_stay_unchanged_and_the_rest_fail_saying_why(sample_data, tmp_path,
                                                                                             monkeypatch):
    from careerconv.surfaces.report import runner

    reports = tmp_path / "reports"
    first = runner.run_batch(sample_data, ["E0002"], AS_OF, reports_dir=reports, jobs=1, progress=False)
    assert [o.status for o in first.outcomes] == [MADE]
    monkeypatch.setattr(runner, "KERNEL_NAME", "no-such-kernel")
    result = runner.run_batch(sample_data, ["E0002", "E0003"], AS_OF, reports_dir=reports, jobs=2, progress=False)
    by_id = {o.employee_id: o for o in result.outcomes}
    assert by_id["E0002"].status == UNCHANGED  # needs no kernel
    assert by_id["E0003"].status == FAILED
    assert by_id["E0003"].error.startswith("no report kernel could start") and "no-such-kernel" in by_id["E0003"].error
    # made by the first batch: the index says so
    assert "0 unchanged, 1 failed, 1 made earlier today" in (reports / f"index-{AS_OF}.html").read_text(
        encoding="utf-8")


def test_cli_refuses_bad_arguments(sample_data, capsys):
    assert run_cli("--data", str(sample_data), "report") == 1
    assert "--all" in capsys.readouterr().err
    assert run_cli("--data", str(sample_data), "report", "E0002", "--all") == 1
    assert "not both" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        run_cli("--data", str(sample_data), "report", "--all", "--as-of", "31/31/2026")
    assert exc.value.code == 2
    with pytest.raises(SystemExit):
        run_cli("--data", str(sample_data), "report", "--all", "--jobs", "0")
    assert run_cli("--data", str(sample_data / "missing"), "report", "--all") == 1
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.parametrize("inside", [".", "conversations", "derived", "reports"])
def test_a_reports_folder_in_the_data_folder_is_refused_and_nothing_is_written(sample_data, tmp_path, capsys,
                                                                               monkeypatch, inside):
    """Found by a hostile test: `report E0002 -o data/conversations` wrote the report into the folder of
    E0002's conversation records (and `-o data` a folder E0002 beside roster.csv). Refused, by -o, by
    $CAREERCONV_REPORTS and for --merge-index, before anything is written."""
    target = (sample_data / inside).resolve()
    before = sorted(p.relative_to(sample_data) for p in sample_data.rglob("*"))
    where = "is the data folder" if inside == "." else f"is inside the data folder {sample_data.resolve()}"
    expected = (f"careerconv report: error: reports folder {target} {where}, which holds only records; name a "
                f"folder outside it (-o/--output, $CAREERCONV_REPORTS or the setting reports.folder), such as "
                f"{sample_data.resolve().parent / 'reports'} (the default)\n")
    assert run_cli("--data", str(sample_data), "report", "E0002", "--as-of", AS_OF, "-o", str(target), "-q") == 1
    assert capsys.readouterr().err == expected
    assert run_cli("--data", str(sample_data), "report", "--merge-index", "--as-of", AS_OF, "-o", str(target)) == 1
    assert capsys.readouterr().err == expected
    monkeypatch.setenv(config.REPORTS_ENV, str(target))
    assert run_cli("--data", str(sample_data), "report", "--all", "--as-of", AS_OF, "-q") == 1
    assert capsys.readouterr().err == expected
    assert sorted(p.relative_to(sample_data) for p in sample_data.rglob("*")) == before


@pytest.mark.parametrize("name", ["report.html", "E0001.PDF", "reports.zip"])
def test_a_reports_folder_named_as_a_page_is_refused(sample_data, tmp_path, capsys, name):
    """`report E0001 -o report.html` made a folder named report.html with the page inside; the name is refused
    (nothing made) and the message says the reports are pages inside a folder. A folder of that name that exists
    is used as it is."""
    target = tmp_path / name
    assert run_cli("--data", str(sample_data), "report", "E0001", "--as-of", "2026-10-01", "--no-pdf",
                   "-o", str(target)) == 1
    suffix = name.rsplit(".", 1)[1].lower()
    assert capsys.readouterr().err == (
        f"careerconv report: error: -o/--output {target} names the reports folder but ends in .{suffix}, as a file "
        f"would: each report is a page inside the folder, beside an index page; give a folder name such as "
        f"{target.with_suffix('')}\n")
    assert not target.exists() and not target.with_suffix("").exists()
    target.mkdir()
    assert run_cli("--data", str(sample_data), "report", "E0001", "--as-of", "2026-10-01", "--no-pdf",
                   "-o", str(target), "--merge-index") == 1  # no shards there: refused for that, not for its name
    assert "names the reports folder" not in capsys.readouterr().err


def test_every_mark_of_the_chart_key_has_3_to_1_contrast_with_the_white_page():
    """WCAG 1.4.11, as an accessibility tester measured it: before, the plan's ┄ (#B9A3C6) was 2.3:1 and
    the "behind" ◯ (#E69F00) 2.25:1."""
    key = str(render.chart_key())
    marks = re.findall(r'class="cc-key-mark" style="color:(#[0-9A-Fa-f]{6})">(.)</span>([^<]*)', key)
    assert {label for _, _, label in marks} >= {"the plan: from your start through each target", "behind", "target"}
    below = [(label, colour, round(contrast_ratio(colour, "white"), 2)) for colour, _, label in marks
             if contrast_ratio(colour, "white") < 3]
    assert below == []


def test_a_batch_into_a_folder_that_cannot_be_written_stops_before_making_any_report(sample_data, capsys):
    """Found by a hostile test of the report batches: into a read-only or full folder a batch ran every report,
    then ended on its index with nothing written and no list of what failed."""
    assert run_cli("--data", str(sample_data), "report", "--all", "--as-of", AS_OF, "-o", "/proc/careerconv",
                   "--quiet") == 1
    err = capsys.readouterr().err
    assert "no report was made, since the reports folder cannot be written: cannot write /proc/careerconv/" in err
    assert "choose another reports folder with -o" in err and "report(s) made" not in err


def test_an_employee_whose_report_folder_would_be_the_data_folder_is_refused(sample_data, tmp_path, capsys):
    """Found by a hostile test of the report batches: with the data folder at X/data and reports in X, the report
    of an employee whose id is 'data' was written into the data folder itself."""
    store = Store(sample_data)
    roster = store.roster()
    roster.loc[roster["employee_id"] == "E0002", "employee_id"] = sample_data.name
    store.save_roster(roster)
    before = sorted(p.name for p in sample_data.iterdir())
    assert run_cli("--data", str(sample_data), "report", sample_data.name, "--as-of", AS_OF, "-o",
                   str(sample_data.parent), "--quiet") == 1
    assert f"the report folder of employee {sample_data.name!r} would be the data folder" in capsys.readouterr().err
    assert sorted(p.name for p in sample_data.iterdir()) == before
