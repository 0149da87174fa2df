"""On the demo organisation every section of the HR page shows something at k = 5, and says what it coarsened.

Issue 13: on an 80-person organisation most figures by quarter and skill
concern fewer than 5 people (or would let someone work out a smaller group),
so the sections by skill showed nothing. The page now groups them more
coarsely (half-years or years, all skills together) and says so; the privacy
rules are the same (tests/test_privacy.py, test_hr_differencing.py).
"""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from careerconv import analytics
from careerconv.rules import privacy
from careerconv.demo.organisation import write_demo_organisation

K = 5
AS_OF = "2026-10-01"
# (employees, seed): the organisation of issue 13, and the demo command's default size.
ORGS = [(80, 11), (60, 7)]


_DATA: dict = {}
_BUILT: dict = {}


def _hr_tables(tmp_path_factory, employees: int, seed: int, departments: tuple[str, ...] = ()) -> dict:
    """The HR tables of a demo organisation (filtered to ``departments``), built once per test session."""
    if (employees, seed) not in _DATA:
        data = tmp_path_factory.mktemp(f"demo{employees}") / "data"
        write_demo_organisation(data, employees, seed, dt.date(2026, 10, 1))
        _DATA[employees, seed] = data
    if (employees, seed, departments) not in _BUILT:
        tables = analytics.load_hr_tables(_DATA[employees, seed], lazy=True)
        _BUILT[employees, seed, departments] = analytics.hr_aggregates(tables, AS_OF, departments=departments, k=K)
    return _BUILT[employees, seed, departments]


@pytest.fixture(scope="module", params=ORGS, ids=[f"{n}-people-seed-{s}" for n, s in ORGS])
def hr(request, tmp_path_factory):
    return _hr_tables(tmp_path_factory, *request.param)


def _sections(hr: dict) -> dict:
    """Per section of the HR page, the figures it draws (as the notebook picks them) and its reading."""
    trends = analytics.readable_grouping(hr["skill_trends"], hr["rating_periods"], departments=False)
    by_department = analytics.readable_grouping(hr["department_trends"], hr["rating_periods"], departments=True)
    growth = analytics.skill_view("skill_growth", hr["skill_growth"], horizon=12)
    wanted = analytics.skill_view("most_wanted_skills", hr["most_wanted_skills"])
    gaps = analytics.skill_view("rating_gaps", hr["rating_gaps"])
    plain = ("overview", "rating_distribution", "target_attainment", "cadence_compliance", "coach_follow_through",
             "action_items", "option_kinds")
    return {
        "skill ratings over time": (trends.figures, trends.note, analytics.describe_grouping(trends)),
        "by department": (by_department.figures, by_department.note, analytics.describe_grouping(by_department)),
        "growth": (growth.figures, growth.note,
                   analytics.describe_skill_view("skill_growth", hr["skill_growth"], horizon=12)),
        "most-wanted skills": (wanted.figures, wanted.note,
                               analytics.describe_skill_view("most_wanted_skills", hr["most_wanted_skills"])),
        "self versus coach": (gaps.figures, gaps.note, analytics.describe_skill_view("rating_gaps", hr["rating_gaps"])),
        **{name: (hr[name], "", analytics.describe(name, hr[name])) for name in plain},
    }


def test_every_section_shows_at_least_one_figure(hr):
    empty = [name for name, (figures, _, _) in _sections(hr).items() if not privacy.shown(figures).any()]
    assert not empty, f"sections with nothing shown at k={K}: {empty}"


def test_no_section_reads_nothing_can_be_shown(hr):
    for name, (_, _, reading) in _sections(hr).items():
        assert "Nothing can be shown" not in reading, name
        assert "Nothing to show" not in reading, name


def test_a_coarsened_section_says_what_it_coarsened_and_why(hr):
    coarsened = 0
    for name, (_, note, reading) in _sections(hr).items():
        if not note:
            continue
        coarsened += 1
        assert reading.startswith(note), name
        assert re.match(r"Shown (by (half-year|year|quarter)|over all skills together)", note), note
        assert "would be hidden" in note, note
    assert coarsened  # on these small organisations at least one section is coarsened


def test_sections_by_skill_fall_back_to_all_skills_only_where_no_skill_can_be_shown(hr):
    for name in ("skill_growth", "most_wanted_skills", "rating_gaps"):
        table = hr[name]
        org = table[table[analytics.DEPARTMENT].isna() & table["skill"].notna()]
        if name == "skill_growth":
            org = org[org["horizon_months"] == 12]
        view = analytics.skill_view(name, table, horizon=12 if name == "skill_growth" else None)
        assert view.per_skill == bool(privacy.shown(org).any()), name
        assert (view.note == "") == view.per_skill, name
        if not view.per_skill:
            assert view.figures["skill"].isna().all()
            assert f"all {len(org)} figures by skill would be hidden" in view.note


def test_the_most_wanted_row_for_any_skill_counts_each_person_once(hr):
    wanted = hr["most_wanted_skills"]
    shown = wanted[privacy.shown(wanted) & wanted[analytics.DEPARTMENT].isna()]
    anyone = shown[shown["skill"].isna()]
    assert len(anyone) == 1
    row = anyone.iloc[0]
    # Nobody is counted twice: at most everyone met, and at least as many as the most-named skill.
    assert 0 < row["share_of_people_met"] <= 1
    per_skill = shown[shown["skill"].notna()]
    if len(per_skill):
        assert row[privacy.COUNT] >= per_skill[privacy.COUNT].max()
    assert row["skills_per_person"] >= 1
    assert per_skill["skills_per_person"].isna().all()


def test_the_page_shows_something_in_every_section_and_says_what_it_coarsened(tmp_path_factory):
    """The rendered page of issue 13's organisation: every section has a chart or a table with a figure, and
    what was coarsened is said on the page."""
    from careerconv.surfaces.report import hr_page

    hr = _hr_tables(tmp_path_factory, *ORGS[0])
    parameters = {"data_dir": "unused", "period_start": "", "period_end": "", "departments": [],
                  "min_group_size": K, "as_of": AS_OF}
    page = hr_page.render_html(parameters, hr)
    parts = re.split(r"<h[23][^>]*>", page)[1:]
    sections = {re.sub(r"<[^>]+>|¶", "", part.split("</h", 1)[0]).strip(): part for part in parts}
    assert len(sections) >= 12, list(sections)
    for title, body in sections.items():
        if title.startswith("HR analytics"):
            continue
        has_chart = '<img class="hr-chart"' in body
        has_figure = re.search(r"<td[^>]*>\s*\d", body) is not None
        assert has_chart or has_figure, f"section {title!r} shows no figure"
        assert "Nothing can be shown" not in body, title
    notes = [note for _, note, _ in _sections(hr).values() if note]
    assert notes
    for note in notes:
        assert html.escape(note, quote=False) in page or html.escape(note) in page, note


def test_any_skill_is_shown_only_where_no_skill_of_its_unit_is():
    """With one skill shown, "any skill" minus it would count those who named only other skills, a group that
    may be smaller than k: the "any skill" row is a unit's fallback, never shown beside one of its skills."""
    import pandas as pd

    from careerconv.analytics.record_tables import ALL_SKILLS
    from careerconv.analytics.record_tables.tables import _any_skill_only_as_fallback

    protected = pd.DataFrame({
        "skill_id": [ALL_SKILLS, 3, ALL_SKILLS, 3, ALL_SKILLS],
        "department": [None, None, "Sales", "Sales", "Ops"],
        privacy.COUNT: pd.array([12, 9, 8, pd.NA, 6], dtype="Int64"),
        "share_of_people_met": [0.5, 0.4, 0.6, None, 0.3],
        privacy.PRIVACY: ["", "", "", privacy.fewer_than(K), ""],
    })
    out = _any_skill_only_as_fallback(protected)
    # The organisation shows skill 3, so its "any skill" goes; Sales and Ops show no skill, so theirs stay.
    assert list(privacy.shown(out)) == [False, True, True, False, True]
    assert pd.isna(out.loc[0, privacy.COUNT]) and pd.isna(out.loc[0, "share_of_people_met"])
    assert out.loc[0, privacy.PRIVACY] == privacy.HIDDEN
    assert out.loc[2, privacy.COUNT] == 8 and out.loc[4, privacy.COUNT] == 6


def test_all_coaches_is_hidden_where_cadence_compliance_hides_its_total(tmp_path_factory):
    """A hostile tester's report on the demo's smallest department (People, 6 people): "who is covered" and
    cadence hid the department's total, but the per-coach table showed "All coaches: 6 people, 17 % never had
    a conversation" about the same people. "All coaches" follows the other table as of the same day, cadence
    compliance: where its total is hidden, so is "All coaches", with enough teams that the teams shown do not add
    up to it. "Who is covered", a table of the period, may hide more (a period figure never decides what a table
    as of a day hides: two reports with the same end would otherwise hide different cells)."""
    import pandas as pd

    people = _hr_tables(tmp_path_factory, 60, 7, ("People",))
    small = _hr_tables(tmp_path_factory, 40, 11, ("Operations", "Sales"))  # Operations has fewer than 5
    assert not privacy.shown(people["overview"][people["overview"][analytics.DEPARTMENT].isna()]).any()
    for hr, total_shown in ((people, True), (small, False)):
        cadence = hr["cadence_compliance"]
        assert privacy.shown(cadence[cadence[analytics.DEPARTMENT].isna()]).iloc[0] == total_shown
        coaches = hr["coach_follow_through"]
        assert (coaches.loc[coaches["coach_id"].isna(), privacy.PRIVACY].iloc[0] == "") == total_shown
    coaches = small["coach_follow_through"]
    everyone = coaches[coaches["coach_id"].isna()].iloc[0]
    assert everyone[privacy.PRIVACY] == privacy.HIDDEN
    assert pd.isna(everyone[privacy.COUNT])
    assert everyone[["share_conversation_on_time", "share_checkin_on_time", "share_never_met"]].isna().all()
    assert len(coaches[coaches["coach_id"].notna() & ~privacy.shown(coaches)]) >= 2
    shown = analytics.present("coach_follow_through", coaches)
    assert list(shown.iloc[0, :2]) == ["All coaches", privacy.HIDDEN]
    assert not analytics.describe("coach_follow_through", coaches).startswith("Across all coaches")
    # Where the total is shown, the sentence counts both hidden teams of People's report, the one too small and
    # the one hidden with it, and says why in words true of each.
    coaches = people["coach_follow_through"]
    teams_hidden = coaches[coaches["coach_id"].notna() & ~privacy.shown(coaches)]
    assert sorted(teams_hidden[privacy.PRIVACY]) == [privacy.fewer_than(K), privacy.HIDDEN]
    assert analytics.describe("coach_follow_through", coaches).endswith(
        "; 2 teams are not shown (fewer than 5 employees, or hidden so that no one can single out fewer than 5 "
        "people from the totals or by comparing reports of other periods or departments).")
    too_small = coaches[coaches[privacy.PRIVACY].ne(privacy.HIDDEN).to_numpy()]
    assert analytics.describe("coach_follow_through", too_small).endswith("; 1 team is not shown (fewer than 5 "
                                                                          "employees).")
    # All coaches (shown), E0004's team (not shown, with E0019's 1, who is fewer than 5).
    summary = analytics.suppression_summary(people).set_index("table").loc["Follow-through per coach"]
    assert list(summary[["figures", "shown", "fewer_than_k", "not_shown"]]) == [3, 1, 1, 1]
